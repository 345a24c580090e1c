/* manifest.c - writes the run manifest as JSON. */
#include "manifest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
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

/* The manifest into f; with steps_at set, steps and wall_seconds padded to SL_MANIFEST_FIELD
 * columns and their offsets stored. */
static void print_manifest(FILE *f, const sl_manifest *m, long *steps_at, long *wall_at)
{
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
    if (steps_at) {
        *steps_at = ftell(f);
        fprintf(f, "%-*lld", SL_MANIFEST_FIELD, m->steps);
    } else {
        fprintf(f, "%lld", m->steps);
    }
    if (m->steps_planned >= 0 && m->steps_planned != m->steps) {
        key(f, "steps_planned");
        fprintf(f, "%lld", m->steps_planned);
    }
    key(f, "start_time");
    sl_json_string(f, m->start_time);
    key(f, "wall_seconds");
    if (wall_at) {
        *wall_at = ftell(f);
        fprintf(f, "%-*.3f", SL_MANIFEST_FIELD, m->wall_seconds);
    } else {
        fprintf(f, "%.3f", m->wall_seconds);
    }
    write_params(f, m->host);
    write_results(f, m->host);
    fputs("\n}\n", f);
}

sl_status sl_manifest_write(const char *path, const sl_manifest *m, sl_error *e)
{
    char part[4200];
    if (snprintf(part, sizeof part, "%s.part", path) >= (int)sizeof part)
        return sl_error_set(e, SL_ERR_IO, "%s: path too long", path);
    FILE *f = fopen(part, "w");
    if (!f) return sl_error_set(e, SL_ERR_IO, "%s: cannot write: %s", part, strerror(errno));
    print_manifest(f, m, NULL, NULL);
    return sl_file_commit(f, part, path, e);
}

char *sl_manifest_text(const sl_manifest *m, size_t *len, size_t *steps_at, size_t *wall_at)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    if (!f) return NULL;
    long sa = 0, wa = 0;
    print_manifest(f, m, &sa, &wa);
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    *len = n;
    *steps_at = (size_t)sa;
    *wall_at = (size_t)wa;
    return buf;
}

/* Decimal digits of v (>= 0) at p, right after any digits already there; returns the end. */
static char *put_digits(char *p, unsigned long long v)
{
    char tmp[24];
    int k = 0;
    do {
        tmp[k++] = (char)('0' + v % 10);
        v /= 10;
    } while (v && k < (int)sizeof tmp);
    while (k) *p++ = tmp[--k];
    return p;
}

void sl_manifest_patch(char *text, size_t steps_at, size_t wall_at, long long steps,
                       double wall_seconds)
{
    char field[SL_MANIFEST_FIELD], *p = field;
    for (int k = 0; k < 2; k++) {
        p = field;
        if (k == 0) {
            if (steps < 0) *p++ = '-';
            p = put_digits(p, (unsigned long long)(steps < 0 ? -steps : steps));
        } else {
            if (!(wall_seconds >= 0 && wall_seconds < 1e15)) wall_seconds = 0;
            unsigned long long ms = (unsigned long long)(wall_seconds * 1000.0 + 0.5);
            p = put_digits(p, ms / 1000);
            *p++ = '.';
            *p++ = (char)('0' + ms / 100 % 10);
            *p++ = (char)('0' + ms / 10 % 10);
            *p++ = (char)('0' + ms % 10);
        }
        while (p < field + sizeof field) *p++ = ' ';
        memcpy(text + (k == 0 ? steps_at : wall_at), field, sizeof field);
    }
}
