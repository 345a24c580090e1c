/* run_ini.c - reads the run's INI file with inih and merges its [params] with the --set values.
 *
 * inih does not tell the handler the line number, so the file is fed through a reader that
 * counts lines; the handler records the first error with that line.
 */
#include "run_ini.h"
#include "swarmlab/fileio.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "args.h"

typedef struct reader_state {
    FILE *f;
    const char *path;
    int line;           /* line of the text last handed to inih */
    int at_line_start;
    int too_long;       /* line number of an over-long line, or 0 */
    sl_run_ini *c;
    sl_error *e;
    int failed;
    int fail_line;
} reader_state;

static char *read_line(char *str, int num, void *stream)
{
    reader_state *r = stream;
    if (r->failed) return NULL;
    if (!fgets(str, num, r->f)) return NULL;
    if (r->at_line_start) r->line++;
    size_t n = strlen(str);
    r->at_line_start = n > 0 && str[n - 1] == '\n';
    if (!r->at_line_start && !feof(r->f)) {
        r->failed = 1;
        sl_error_set(r->e, SL_ERR_PARSE, "%s:%d: line longer than %d characters", r->path,
                     r->line, num - 2);
        return NULL;
    }
    return str;
}

static char *dupstr(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

static int fail(reader_state *r, sl_status code, const char *fmt, const char *a, const char *b)
{
    char msg[600];
    snprintf(msg, sizeof msg, fmt, a, b);
    r->failed = 1;
    r->fail_line = r->line;
    sl_error_set(r->e, code, "%s:%d: %s", r->path, r->line, msg);
    return 0;
}

static int run_key(reader_state *r, const char *name, const char *value)
{
    sl_run_ini *c = r->c;
    long long v;
    if (strcmp(name, "threads") == 0) {
        if (c->has_threads) return fail(r, SL_ERR_PARSE, "duplicate key '%s'%s", name, "");
        if (sl_parse_ll(value, &v) != 0 || v < 1 || v > 1024)
            return fail(r, SL_ERR_RANGE, "threads: expected an integer in 1..1024, got '%s'%s",
                        value, "");
        c->has_threads = 1;
        c->threads = (int)v;
    } else if (strcmp(name, "seed") == 0) {
        if (c->has_seed) return fail(r, SL_ERR_PARSE, "duplicate key '%s'%s", name, "");
        if (sl_parse_u64(value, &c->seed) != 0)
            return fail(r, SL_ERR_RANGE, "seed: expected an unsigned 64-bit integer, got '%s'%s",
                        value, "");
        c->has_seed = 1;
    } else if (strcmp(name, "steps") == 0) {
        if (c->has_steps) return fail(r, SL_ERR_PARSE, "duplicate key '%s'%s", name, "");
        if (sl_parse_ll(value, &v) != 0 || v < 0)
            return fail(r, SL_ERR_RANGE, "steps: expected an integer >= 0, got '%s'%s", value, "");
        c->has_steps = 1;
        c->steps = v;
    } else if (strcmp(name, "out") == 0) {
        if (c->out) return fail(r, SL_ERR_PARSE, "duplicate key '%s'%s", name, "");
        if (!*value) return fail(r, SL_ERR_PARSE, "out: empty directory name%s%s", "", "");
        if (!(c->out = dupstr(value))) return fail(r, SL_ERR_NOMEM, "out of memory%s%s", "", "");
    } else if (strcmp(name, "quiet") == 0) {
        if (c->has_quiet) return fail(r, SL_ERR_PARSE, "duplicate key '%s'%s", name, "");
        if (sl_parse_bool(value, &c->quiet) != 0)
            return fail(r, SL_ERR_PARSE, "quiet: expected true or false, got '%s'%s", value, "");
        c->has_quiet = 1;
    } else {
        return fail(r, SL_ERR_PARSE,
                    "unknown key '%s' in [run] (expected threads, seed, steps, out, quiet)%s",
                    name, "");
    }
    return 1;
}

static int param_key(reader_state *r, const char *name, const char *value)
{
    sl_run_ini *c = r->c;
    for (int i = 0; i < c->nparams; i++)
        if (strcmp(c->params[i].name, name) == 0)
            return fail(r, SL_ERR_PARSE, "duplicate parameter '%s'%s", name, "");
    sl_run_ini_param *p = realloc(c->params, (size_t)(c->nparams + 1) * sizeof *p);
    if (!p) return fail(r, SL_ERR_NOMEM, "out of memory%s%s", "", "");
    c->params = p;
    char origin[600];
    snprintf(origin, sizeof origin, "%s:%d", r->path, r->line);
    p = &c->params[c->nparams];
    p->name = dupstr(name);
    p->value = dupstr(value);
    p->origin = dupstr(origin);
    c->nparams++;
    if (!p->name || !p->value || !p->origin) return fail(r, SL_ERR_NOMEM, "out of memory%s%s", "", "");
    return 1;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
    reader_state *r = user;
    if (r->failed) return 0;
    if (strcmp(section, "run") == 0) return run_key(r, name, value);
    if (strcmp(section, "params") == 0) return param_key(r, name, value);
    if (!*section)
        return fail(r, SL_ERR_PARSE, "key '%s' outside a section (expected [run] or [params])%s",
                    name, "");
    return fail(r, SL_ERR_PARSE, "unknown section [%s] (expected [run] or [params])%s", section, "");
}

sl_status sl_run_ini_load(sl_run_ini *c, const char *path, sl_error *e)
{
    memset(c, 0, sizeof *c);
    sl_error_clear(e);
    reader_state r = {.path = path, .at_line_start = 1, .c = c, .e = e};
    r.f = sl_fopen_regular(path, "configuration", e);
    if (!r.f) return e ? e->code : SL_ERR_IO;
    int rc = ini_parse_stream(read_line, &r, handler, &r);
    int bad_read = ferror(r.f);
    fclose(r.f);
    if (r.failed && !(rc > 0 && rc < r.fail_line)) return e ? e->code : SL_ERR_PARSE;
    if (bad_read) return sl_error_set(e, SL_ERR_IO, "%s: read error", path);
    if (rc > 0)
        return sl_error_set(e, SL_ERR_PARSE,
                            "%s:%d: syntax error (expected '[section]' or 'key = value')", path, rc);
    if (rc < 0) return sl_error_set(e, SL_ERR_IO, "%s: cannot read", path);
    return SL_OK;
}

void sl_run_ini_release(sl_run_ini *c)
{
    for (int i = 0; i < c->nparams; i++) {
        free(c->params[i].name);
        free(c->params[i].value);
        free(c->params[i].origin);
    }
    free(c->params);
    free(c->out);
    memset(c, 0, sizeof *c);
}

sl_status sl_run_overrides_merge(sl_run_overrides *ov, const sl_run_ini *ini, int nset,
                                 char *const *set_names, char *const *set_values, sl_error *e)
{
    int nini = ini ? ini->nparams : 0;
    memset(ov, 0, sizeof *ov);
    size_t cap = (size_t)(nini + nset) + 1;
    ov->names = calloc(cap, sizeof *ov->names);
    ov->values = calloc(cap, sizeof *ov->values);
    ov->sources = calloc(cap, sizeof *ov->sources);
    ov->origins = calloc(cap, sizeof *ov->origins);
    if (!ov->names || !ov->values || !ov->sources || !ov->origins)
        return sl_error_set(e, SL_ERR_NOMEM, "out of memory");
    for (int i = 0; i < nini; i++, ov->n++) {
        ov->names[ov->n] = ini->params[i].name;
        ov->values[ov->n] = ini->params[i].value;
        ov->sources[ov->n] = "ini";
        ov->origins[ov->n] = ini->params[i].origin;
    }
    for (int i = 0; i < nset; i++, ov->n++) {
        ov->names[ov->n] = set_names[i];
        ov->values[ov->n] = set_values[i];
        ov->sources[ov->n] = "cli";
        ov->origins[ov->n] = "--set";
    }
    return SL_OK;
}

void sl_run_overrides_release(sl_run_overrides *ov)
{
    free(ov->names);
    free(ov->values);
    free(ov->sources);
    free(ov->origins);
    memset(ov, 0, sizeof *ov);
}

sl_status sl_run_split_set(const char *arg, char **name, const char **value, sl_error *e)
{
    const char *eq = strchr(arg, '=');
    *name = NULL;
    *value = NULL;
    if (!eq || eq == arg)
        return sl_error_set(e, SL_ERR_USAGE, "--set: expected NAME=VALUE, got '%s'", arg);
    if (!(*name = strndup(arg, (size_t)(eq - arg))))
        return sl_error_set(e, SL_ERR_NOMEM, "out of memory");
    *value = eq + 1;
    return SL_OK;
}
