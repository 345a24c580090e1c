/* sweep_ini.c - reading an experiment's INI file with inih, errors with file:line. */
#include "sweep_ini.h"

#include "swarmlab/fileio.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "args.h"

typedef struct reader {
    FILE *f;
    const char *path;
    int line;
    sl_sweep *s;
    sl_sweep_ini *got;
    sl_error *e;
    int failed;
} reader;

/* inih reads line by line through this, so r->line is the line being handled. */
/* A line that does not fit inih's buffer is refused: a cut value list would silently drop grid
 * values (or cut one in the middle). */
static char *read_line(char *str, int num, void *stream)
{
    reader *r = stream;
    if (r->failed) return NULL;
    char *got = fgets(str, num, r->f);
    if (!got) return NULL;
    r->line++;
    size_t n = strlen(str);
    if ((n == 0 || str[n - 1] != '\n') && !feof(r->f)) {
        sl_error_set(r->e, SL_ERR_PARSE, "%s:%d: line longer than %d characters (use a range "
                     "start:stop:step or several files)", r->path, r->line, num - 2);
        r->failed = 1;
        return NULL;
    }
    return got;
}

static int fail(reader *r, sl_status code, const char *what, const char *value)
{
    if (!r->failed) sl_error_set(r->e, code, "%s:%d: %s%s%s%s", r->path, r->line, what,
                                 value ? " '" : "", value ? value : "", value ? "'" : "");
    r->failed = 1;
    return 0;
}

static int set_int(reader *r, const char *name, const char *value, long long min, long long *out,
                   int *has)
{
    long long v;
    if (sl_parse_ll(value, &v) != 0 || v < min) {
        char what[128];
        snprintf(what, sizeof what, "%s: expected an integer >= %lld, got", name, min);
        return fail(r, SL_ERR_PARSE, what, value);
    }
    *out = v;
    *has = 1;
    return 1;
}

static int add_fixed(sl_sweep *s, const char *name, const char *value)
{
    for (int i = 0; i < s->nfixed; i++)
        if (strcmp(s->fixed_names[i], name) == 0) {
            char *v = strdup(value);
            if (!v) return -1;
            free(s->fixed_values[i]);
            s->fixed_values[i] = v;
            return 0;
        }
    char **n = realloc(s->fixed_names, (size_t)(s->nfixed + 1) * sizeof *n);
    if (!n) return -1;
    s->fixed_names = n;
    char **v = realloc(s->fixed_values, (size_t)(s->nfixed + 1) * sizeof *v);
    if (!v) return -1;
    s->fixed_values = v;
    n[s->nfixed] = strdup(name);
    v[s->nfixed] = strdup(value);
    if (!n[s->nfixed] || !v[s->nfixed]) {
        free(n[s->nfixed]);
        free(v[s->nfixed]);
        return -1;
    }
    s->nfixed++;
    return 0;
}

int sl_sweep_add_fixed(sl_sweep *s, const char *name, const char *value)
{
    return add_fixed(s, name, value);
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
    reader *r = user;
    if (r->failed) return 0;
    sl_sweep *s = r->s;
    long long v;
    if (strcmp(section, "sweep") == 0) {
        if (strcmp(name, "scenario") == 0 || strcmp(name, "out") == 0) {
            if (!*value) {
                char what[64];
                snprintf(what, sizeof what, "%s: empty value", name);
                return fail(r, SL_ERR_PARSE, what, NULL);
            }
            char **dst = strcmp(name, "scenario") == 0 ? &s->scenario : &s->out;
            free(*dst);
            *dst = strdup(value);
            return *dst ? 1 : fail(r, SL_ERR_NOMEM, "out of memory", NULL);
        }
        if (strcmp(name, "replicates") == 0)
            return set_int(r, name, value, 1, &s->replicates, &r->got->has_replicates);
        if (strcmp(name, "jobs") == 0) {
            if (!set_int(r, name, value, 1, &v, &r->got->has_jobs)) return 0;
            if (v > 1024) return fail(r, SL_ERR_PARSE, "jobs: at most 1024, got", value);
            s->jobs = (int)v;
            return 1;
        }
        if (strcmp(name, "threads") == 0) {
            if (!set_int(r, name, value, 1, &v, &r->got->has_threads)) return 0;
            if (v > 1024) return fail(r, SL_ERR_PARSE, "threads: at most 1024, got", value);
            s->threads = (int)v;
            return 1;
        }
        if (strcmp(name, "steps") == 0)
            return set_int(r, name, value, 0, &s->steps, &r->got->has_steps);
        if (strcmp(name, "run_timeout") == 0) {
            char *end;
            double t = strtod(value, &end);
            if (end == value || *end || !(t > 0) || t > 1e9)
                return fail(r, SL_ERR_PARSE, "run_timeout: expected seconds > 0, got", value);
            s->run_timeout = t;
            return 1;
        }
        if (strcmp(name, "base_seed") == 0 || strcmp(name, "seed") == 0) {
            if (sl_parse_u64(value, &s->base_seed) != 0)
                return fail(r, SL_ERR_PARSE, "base_seed: expected an unsigned 64-bit integer, got",
                            value);
            r->got->has_seed = 1;
            return 1;
        }
        if (strcmp(name, "stop_on_error") == 0) {
            if (sl_parse_bool(value, &s->stop_on_error) != 0)
                return fail(r, SL_ERR_PARSE, "stop_on_error: expected true or false, got", value);
            r->got->has_stop = 1;
            return 1;
        }
        return fail(r, SL_ERR_PARSE, "unknown key in [sweep]:", name);
    }
    if (strcmp(section, "grid") == 0) {
        char origin[600];
        snprintf(origin, sizeof origin, "%s:%d", r->path, r->line);
        if (sl_sweep_grid_add_kv(&s->grid, name, value, origin, r->e) != SL_OK) {
            r->failed = 1;
            return 0;
        }
        return 1;
    }
    if (strcmp(section, "set") == 0 || strcmp(section, "params") == 0) {
        if (add_fixed(s, name, value) != 0) return fail(r, SL_ERR_NOMEM, "out of memory", NULL);
        return 1;
    }
    if (!*section) return fail(r, SL_ERR_PARSE, "key outside a section (expected [sweep], [grid] or [set]):", name);
    return fail(r, SL_ERR_PARSE, "unknown section (expected [sweep], [grid] or [set]):", section);
}

sl_status sl_sweep_ini_load(sl_sweep *s, sl_sweep_ini *got, const char *path, sl_error *e)
{
    memset(got, 0, sizeof *got);
    reader r = {.path = path, .s = s, .got = got, .e = e};
    r.f = sl_fopen_regular(path, "experiment file", e);
    if (!r.f) return e->code;
    int rc = ini_parse_stream(read_line, &r, handler, &r);
    fclose(r.f);
    if (r.failed) return e && e->code != SL_OK ? e->code : SL_ERR_PARSE;
    if (rc > 0)
        return sl_error_set(e, SL_ERR_PARSE, "%s:%d: syntax error (expected '[section]' or 'key = value')",
                            path, rc);
    if (rc < 0) return sl_error_set(e, SL_ERR_IO, "%s: cannot read", path);
    if (!s->scenario)
        return sl_error_set(e, SL_ERR_PARSE, "%s: no scenario (add 'scenario = FILE.lua' to [sweep])",
                            path);
    return SL_OK;
}
