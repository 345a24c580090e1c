/* sweep_summary.c - DIR/summary.csv: per grid point, the mean and 95% confidence interval of
 * every metric and result over the runs that ended ok. */
#include "sweep.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "sweep_csv.h"
#include "sweep_journal.h"
#include "sweep_stats.h"

static int cmp_point(const void *a, const void *b)
{
    const size_t *x = a, *y = b;
    return x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : x[1] < y[1] ? -1 : x[1] > y[1];
}

static int is_number(const char *s, double *v)
{
    if (!*s) return 0;
    char *end;
    *v = strtod(s, &end);
    return *end == '\0';
}

int sl_sweep_write_summary(sl_sweep_state *st)
{
    sl_sweep *s = st->s;
    int first_val = s->col_steps + 1;
    /* (point, row index) pairs sorted by point */
    size_t *order = malloc((st->nrows ? st->nrows : 1) * 2 * sizeof *order);
    double *vals = malloc((st->nrows ? st->nrows : 1) * sizeof *vals);
    char *buf = NULL;
    size_t blen = 0;
    FILE *f = open_memstream(&buf, &blen);
    if (!order || !vals || !f) {
        free(order);
        free(vals);
        if (f) fclose(f);
        free(buf);
        return -1;
    }
    for (size_t i = 0; i < st->nrows; i++) {
        long long p = 0;
        sl_parse_ll(st->rows[i].f[1], &p);
        order[2 * i] = (size_t)p;
        order[2 * i + 1] = i;
    }
    qsort(order, st->nrows, 2 * sizeof *order, cmp_point);
    /* header */
    int nh = 0;
    const char **head = calloc((size_t)(4 + s->grid.naxes + 2 * (s->ncols - first_val)), sizeof *head);
    char **owned = calloc((size_t)(2 * (s->ncols - first_val) + 1), sizeof *owned);
    int nowned = 0;
    head[nh++] = "point";
    for (int a = 0; a < s->grid.naxes; a++) head[nh++] = s->cols[3 + a];
    head[nh++] = "runs";
    head[nh++] = "ok";
    head[nh++] = "failed";
    for (int c = first_val; c < s->ncols; c++)
        for (int k = 0; k < 2; k++) {
            char *h = malloc(strlen(s->cols[c]) + 8);
            if (h) sprintf(h, "%s_%s", s->cols[c], k ? "ci95" : "mean");
            owned[nowned++] = h;
            head[nh++] = h ? h : "?";
        }
    char *line = sl_csv_format(head, nh);
    if (line) fputs(line, f);
    free(line);
    const char **out = calloc((size_t)nh, sizeof *out);
    char **cells = calloc((size_t)nh, sizeof *cells);
    for (size_t b = 0; b < st->nrows;) {
        size_t e = b;
        while (e < st->nrows && order[2 * e] == order[2 * b]) e++;
        const sl_csv_row *r0 = &st->rows[order[2 * b + 1]];
        int k = 0;
        size_t nok = 0;
        for (size_t i = b; i < e; i++)
            nok += strcmp(st->rows[order[2 * i + 1]].f[s->col_status], "ok") == 0;
        char tmp[64];
        cells[k] = strdup(r0->f[1]);
        out[k] = cells[k];
        k++;
        for (int a = 0; a < s->grid.naxes; a++, k++) out[k] = r0->f[3 + a];
        snprintf(tmp, sizeof tmp, "%zu", e - b);
        cells[k] = strdup(tmp);
        out[k] = cells[k];
        k++;
        snprintf(tmp, sizeof tmp, "%zu", nok);
        cells[k] = strdup(tmp);
        out[k] = cells[k];
        k++;
        snprintf(tmp, sizeof tmp, "%zu", e - b - nok);
        cells[k] = strdup(tmp);
        out[k] = cells[k];
        k++;
        for (int c = first_val; c < s->ncols; c++) {
            int n = 0;
            for (size_t i = b; i < e; i++) {
                const sl_csv_row *r = &st->rows[order[2 * i + 1]];
                double v;
                if (strcmp(r->f[s->col_status], "ok") == 0 && is_number(r->f[c], &v) && isfinite(v))
                    vals[n++] = v;
            }
            double mean, sd, half;
            sl_mean_ci95(vals, n, &mean, &sd, &half);
            for (int q = 0; q < 2; q++, k++) {
                double v = q ? half : mean;
                if (isfinite(v)) snprintf(tmp, sizeof tmp, "%.10g", v);
                else tmp[0] = '\0';
                cells[k] = strdup(tmp);
                out[k] = cells[k];
            }
        }
        for (int i = 0; i < nh; i++)
            if (!out[i]) out[i] = "";
        line = sl_csv_format(out, nh);
        if (line) fputs(line, f);
        free(line);
        for (int i = 0; i < nh; i++) {
            free(cells[i]);
            cells[i] = NULL;
            out[i] = NULL;
        }
        b = e;
    }
    fclose(f);
    char path[4200];
    snprintf(path, sizeof path, "%s/summary.csv", s->out);
    sl_error err;
    int rc = sl_write_file_atomic(path, buf, blen, &err) == SL_OK ? 0 : -1;
    if (rc != 0) fprintf(stderr, "swarmlab sweep: %s\n", err.msg);
    for (int i = 0; i < nowned; i++) free(owned[i]);
    free(owned);
    free(head);
    free(out);
    free(cells);
    free(buf);
    free(order);
    free(vals);
    return rc;
}

