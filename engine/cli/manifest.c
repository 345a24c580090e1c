/* manifest.c - writes the run manifest as JSON. */
#include "manifest.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "swarmlab/fileio.h"

#include "json.h"

void sl_utc_now_iso8601(char *buf, int n)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, (size_t)n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void key(FILE *f, const char *k)
{
    fputs(",\n  ", f);
    sl_json_string(f, k);
    fputs(": ", f);
}

static void write_params(FILE *f, const sl_host *h)
{
    key(f, "params");
    int n = h ? sl_host_nparams(h) : 0;
    fputs("{", f);
    for (int i = 0; i < n; i++) {
        const char *name, *value, *source;
        sl_host_param(h, i, &name, &value, &source);
        fputs(i ? ",\n    " : "\n    ", f);
        sl_json_string(f, name);
        fputs(": {\"value\": ", f);
        switch (sl_host_param_kind(h, i)) {
        case 'n':
        case 'b': fputs(value, f); break; /* already JSON: a finite number, true or false */
        default: sl_json_string(f, value);
        }
        fputs(", \"source\": ", f);
        sl_json_string(f, source);
        fputs("}", f);
    }
    fputs(n ? "\n  }" : "}", f);
}

static void write_results(FILE *f, const sl_host *h)
{
    int n = h ? sl_host_nresults(h) : 0;
    for (int i = 0; i < n; i++) {
        const char *k, *str;
        double num;
        int is_number;
        sl_host_result(h, i, &k, &num, &str, &is_number);
        key(f, k);
        if (is_number) sl_json_number(f, num);
        else sl_json_string(f, str);
    }
}

sl_status sl_manifest_write(const char *path, const sl_manifest *m, sl_error *e)
{
    char part[4200];
    if (snprintf(part, sizeof part, "%s.part", path) >= (int)sizeof part)
        return sl_error_set(e, SL_ERR_IO, "%s: path too long", path);
    FILE *f = fopen(part, "w");
    if (!f) return sl_error_set(e, SL_ERR_IO, "%s: cannot write: %s", part, strerror(errno));
    fputs("{\n  \"status\": ", f);
    sl_json_string(f, m->status ? m->status : m->error ? "error" : "ok");
    if (m->error) {
        key(f, "error");
        sl_json_string(f, m->error);
    }
    key(f, "scenario");
    sl_json_string(f, m->scenario);
    key(f, "scenario_sha256");
    if (m->scenario_sha256) sl_json_string(f, m->scenario_sha256);
    else fputs("null", f);
    key(f, "version");
    sl_json_string(f, m->version);
    key(f, "seed");
    fprintf(f, "%llu", (unsigned long long)m->seed);
    key(f, "threads");
    fprintf(f, "%d", m->threads);
    key(f, "steps");
    fprintf(f, "%lld", m->steps);
    if (m->steps_planned >= 0 && m->steps_planned != m->steps) {
        key(f, "steps_planned");
        fprintf(f, "%lld", m->steps_planned);
    }
    key(f, "start_time");
    sl_json_string(f, m->start_time);
    key(f, "wall_seconds");
    fprintf(f, "%.3f", m->wall_seconds);
    write_params(f, m->host);
    write_results(f, m->host);
    fputs("\n}\n", f);
    return sl_file_commit(f, part, path, e);
}
