/* recorder.c - per-step metrics with chunk-ordered reductions and a streamed CSV file. */
#include "swarmlab/recorder.h"
#include "swarmlab/fileio.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef struct sl_metric {
    char name[64];
    sl_pop *pop;
    int col;
    sl_reduce red;
    double value;     /* for SL_REDUCE_VALUE */
} sl_metric;

struct sl_recorder {
    sl_metric *m;
    int nm, capm;
    uint64_t every;
    /* rows: steps[r], values[r * nm + k] */
    uint64_t *steps;
    double *values;
    size_t nrows, caprows;
    FILE *csv;
    char *csv_path;
};

const char *const sl_reduce_names[] = {"sum", "mean", "min", "max", "count", "value", NULL};

int sl_reduce_parse(const char *s)
{
    for (int i = 0; i < 6; i++)
        if (s && strcmp(s, sl_reduce_names[i]) == 0) return i;
    return -1;
}

sl_recorder *slp_recorder_create(void)
{
    sl_recorder *r = calloc(1, sizeof *r);
    if (r) r->every = 1;
    return r;
}

void slp_recorder_destroy(sl_recorder *r)
{
    if (!r) return;
    if (r->csv) fclose(r->csv);
    free(r->csv_path);
    free(r->m);
    free(r->steps);
    free(r->values);
    free(r);
}

typedef struct partial {
    double sum, min, max;
    size_t n;
} partial;

typedef struct reduce_job {
    sl_pop *pop;
    int col;
    partial *parts;
} reduce_job;

static void reduce_chunk(size_t b, size_t e, int chunk, void *user)
{
    reduce_job *j = user;
    partial p = {0.0, INFINITY, -INFINITY, e - b};
    for (size_t s = b; s < e; s++) {
        double v = sl_pop_get(j->pop, j->col, s);
        p.sum += v;
        if (v < p.min) p.min = v;
        if (v > p.max) p.max = v;
    }
    j->parts[chunk] = p;
}

double sl_pop_reduce(sl_world *w, sl_pop *p, int col, sl_reduce red)
{
    size_t n = sl_pop_count(p);
    if (red == SL_REDUCE_COUNT) return (double)n;
    if (n == 0) return red == SL_REDUCE_SUM ? 0.0 : NAN;
    size_t nchunks = (n + SL_CHUNK - 1) / SL_CHUNK;
    partial stack[64];
    partial *parts = nchunks <= 64 ? stack : malloc(nchunks * sizeof *parts);
    if (!parts) return NAN;
    reduce_job j = {p, col, parts};
    /* small populations are reduced serially: a parallel region costs more than it saves there;
     * the chunk partials are combined in the same order either way */
    if (n <= 65536 || !w) {
        for (size_t c = 0; c < nchunks; c++)
            reduce_chunk(c * SL_CHUNK, c * SL_CHUNK + SL_CHUNK < n ? c * SL_CHUNK + SL_CHUNK : n,
                         (int)c, &j);
    } else {
        sl_world_parallel_range(w, n, reduce_chunk, &j);
    }
    partial t = {0.0, INFINITY, -INFINITY, 0};
    for (size_t c = 0; c < nchunks; c++) {
        t.sum += parts[c].sum;
        if (parts[c].min < t.min) t.min = parts[c].min;
        if (parts[c].max > t.max) t.max = parts[c].max;
        t.n += parts[c].n;
    }
    if (parts != stack) free(parts);
    switch (red) {
    case SL_REDUCE_SUM: return t.sum;
    case SL_REDUCE_MEAN: return t.sum / (double)t.n;
    case SL_REDUCE_MIN: return t.min;
    case SL_REDUCE_MAX: return t.max;
    default: return NAN;
    }
}

int sl_recorder_add(sl_recorder *r, const char *name, sl_pop *pop, int col, sl_reduce red,
                    sl_error *e)
{
    if (!name || !*name || strlen(name) >= sizeof r->m[0].name || strchr(name, ',') ||
        strchr(name, '"') || strchr(name, '\n')) {
        sl_error_set(e, SL_ERR_RANGE, "metric name '%s' must be 1-63 characters without , \" or newline",
                     name ? name : "");
        return -1;
    }
    if (strcmp(name, "step") == 0 || sl_recorder_find(r, name) >= 0) {
        sl_error_set(e, SL_ERR_RANGE, "metric '%s' already exists", name);
        return -1;
    }
    if (r->nrows) {
        sl_error_set(e, SL_ERR_STATE, "metric '%s' added after recording started", name);
        return -1;
    }
    if ((int)red < 0 || red > SL_REDUCE_VALUE) {
        sl_error_set(e, SL_ERR_RANGE, "metric '%s': unknown reduction", name);
        return -1;
    }
    if (red != SL_REDUCE_VALUE) {
        if (!pop) {
            sl_error_set(e, SL_ERR_RANGE, "metric '%s' needs a population", name);
            return -1;
        }
        if (red != SL_REDUCE_COUNT && (col < 0 || col >= sl_pop_ncolumns(pop))) {
            sl_error_set(e, SL_ERR_RANGE, "metric '%s': population '%s' has no such column", name,
                         sl_pop_name(pop));
            return -1;
        }
    }
    if (r->nm == r->capm) {
        int nc = r->capm ? r->capm * 2 : 8;
        sl_metric *m = realloc(r->m, (size_t)nc * sizeof *m);
        if (!m) {
            sl_error_set(e, SL_ERR_NOMEM, "out of memory");
            return -1;
        }
        r->m = m;
        r->capm = nc;
    }
    sl_metric *m = &r->m[r->nm];
    snprintf(m->name, sizeof m->name, "%s", name);
    m->pop = pop;
    m->col = col;
    m->red = red;
    m->value = NAN;
    return r->nm++;
}

int sl_recorder_find(const sl_recorder *r, const char *name)
{
    for (int i = 0; i < r->nm; i++)
        if (strcmp(r->m[i].name, name) == 0) return i;
    return -1;
}

int sl_recorder_nmetrics(const sl_recorder *r) { return r->nm; }
const char *sl_recorder_name(const sl_recorder *r, int metric) { return r->m[metric].name; }

void sl_recorder_set(sl_recorder *r, int metric, double v)
{
    if (metric >= 0 && metric < r->nm) r->m[metric].value = v;
}

void sl_recorder_set_every(sl_recorder *r, uint64_t every) { r->every = every ? every : 1; }

static void write_row(sl_recorder *r, size_t row)
{
    fprintf(r->csv, "%llu", (unsigned long long)r->steps[row]);
    for (int k = 0; k < r->nm; k++) fprintf(r->csv, ",%.17g", r->values[row * (size_t)r->nm + k]);
    fputc('\n', r->csv);
}

sl_status sl_recorder_sample(sl_recorder *r, sl_world *w, uint64_t step, sl_error *e)
{
    if (step % r->every != 0 && step != 0) return SL_OK;
    if (r->nrows == r->caprows) {
        size_t nc = r->caprows ? r->caprows * 2 : 256;
        uint64_t *s = realloc(r->steps, nc * sizeof *s);
        if (!s) return sl_error_set(e, SL_ERR_NOMEM, "recorder: out of memory");
        r->steps = s;
        double *v = realloc(r->values, nc * (size_t)(r->nm ? r->nm : 1) * sizeof *v);
        if (!v) return sl_error_set(e, SL_ERR_NOMEM, "recorder: out of memory");
        r->values = v;
        r->caprows = nc;
    }
    double *row = r->values + r->nrows * (size_t)r->nm;
    for (int k = 0; k < r->nm; k++) {
        sl_metric *m = &r->m[k];
        row[k] = m->red == SL_REDUCE_VALUE ? m->value : sl_pop_reduce(w, m->pop, m->col, m->red);
    }
    r->steps[r->nrows] = step;
    r->nrows++;
    if (r->csv) {
        write_row(r, r->nrows - 1);
        if (fflush(r->csv) != 0)
            return sl_error_set(e, SL_ERR_IO, "%s.part: write failed: %s", r->csv_path,
                                strerror(errno));
    }
    return SL_OK;
}

size_t sl_recorder_nrows(const sl_recorder *r) { return r->nrows; }
uint64_t sl_recorder_row_step(const sl_recorder *r, size_t row) { return r->steps[row]; }
double sl_recorder_value(const sl_recorder *r, size_t row, int metric)
{
    return r->values[row * (size_t)r->nm + metric];
}

double sl_recorder_last(const sl_recorder *r, int metric)
{
    if (!r->nrows || metric < 0 || metric >= r->nm) return NAN;
    return sl_recorder_value(r, r->nrows - 1, metric);
}

sl_status sl_recorder_open_csv(sl_recorder *r, const char *path, sl_error *e)
{
    if (r->csv) return sl_error_set(e, SL_ERR_STATE, "recorder: a CSV file is already open");
    size_t n = strlen(path);
    r->csv_path = malloc(n + 1);
    if (!r->csv_path) return sl_error_set(e, SL_ERR_NOMEM, "out of memory");
    memcpy(r->csv_path, path, n + 1);
    char *part = malloc(n + 6);
    if (!part) return sl_error_set(e, SL_ERR_NOMEM, "out of memory");
    snprintf(part, n + 6, "%s.part", path);
    r->csv = fopen(part, "w");
    int err = errno;
    free(part);
    if (!r->csv) return sl_error_set(e, SL_ERR_IO, "%s.part: cannot write: %s", path, strerror(err));
    fputs("step", r->csv);
    for (int k = 0; k < r->nm; k++) fprintf(r->csv, ",%s", r->m[k].name);
    fputc('\n', r->csv);
    for (size_t row = 0; row < r->nrows; row++) write_row(r, row);
    if (fflush(r->csv) != 0)
        return sl_error_set(e, SL_ERR_IO, "%s.part: write failed: %s", path, strerror(errno));
    return SL_OK;
}

sl_status sl_recorder_close_csv(sl_recorder *r, int ok, sl_error *e)
{
    if (!r->csv) return SL_OK;
    FILE *f = r->csv;
    r->csv = NULL;
    sl_status st = SL_OK;
    size_t n = strlen(r->csv_path);
    char *part = malloc(n + 6);
    if (part) snprintf(part, n + 6, "%s.part", r->csv_path);
    if (!ok || !part) {
        fclose(f); /* left as .part: an unfinished run */
        if (!part) st = sl_error_set(e, SL_ERR_NOMEM, "out of memory");
    } else {
        /* synced, renamed into place, directory synced: metrics.csv is complete or absent */
        st = sl_file_commit(f, part, r->csv_path, e);
    }
    free(part);
    free(r->csv_path);
    r->csv_path = NULL;
    return st;
}

double sl_recorder_held(const sl_recorder *r, int metric)
{
    if (metric < 0 || metric >= r->nm || r->m[metric].red != SL_REDUCE_VALUE) return NAN;
    return r->m[metric].value;
}

sl_status sl_recorder_restore(sl_recorder *r, size_t nrows, const uint64_t *steps,
                              const double *values, const double *held, sl_error *e)
{
    if (r->csv) return sl_error_set(e, SL_ERR_STATE, "recorder: rows restored while a CSV file is open");
    if (nrows > r->caprows) {
        uint64_t *s = realloc(r->steps, nrows * sizeof *s);
        if (!s) return sl_error_set(e, SL_ERR_NOMEM, "recorder: out of memory");
        r->steps = s;
        double *v = realloc(r->values, nrows * (size_t)(r->nm ? r->nm : 1) * sizeof *v);
        if (!v) return sl_error_set(e, SL_ERR_NOMEM, "recorder: out of memory");
        r->values = v;
        r->caprows = nrows;
    }
    if (nrows) {
        memcpy(r->steps, steps, nrows * sizeof *steps);
        memcpy(r->values, values, nrows * (size_t)r->nm * sizeof *values);
    }
    r->nrows = nrows;
    for (int k = 0; k < r->nm; k++)
        if (r->m[k].red == SL_REDUCE_VALUE) r->m[k].value = held[k];
    return SL_OK;
}
