/* mixing.c - Metropolis-Hastings and Laplacian consensus weights, validation, link failures. */
#include "swarmlab/mixing.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void sl_mix_destroy(sl_mix *m)
{
    if (!m) return;
    free(m->self);
    free(m->row);
    free(m->col);
    free(m->w);
    free(m);
}

static sl_mix *alloc_like(const sl_graph *g, sl_error *e)
{
    sl_mix *m = calloc(1, sizeof *m);
    size_t nnz = g->row[g->n];
    if (m) {
        m->n = g->n;
        m->self = calloc((size_t)g->n, sizeof *m->self);
        m->row = malloc(((size_t)g->n + 1) * sizeof *m->row);
        m->col = malloc((nnz ? nnz : 1) * sizeof *m->col);
        m->w = calloc(nnz ? nnz : 1, sizeof *m->w);
    }
    if (!m || !m->self || !m->row || !m->col || !m->w) {
        sl_mix_destroy(m);
        sl_error_set(e, SL_ERR_NOMEM, "weights: out of memory for %d nodes", g->n);
        return NULL;
    }
    memcpy(m->row, g->row, ((size_t)g->n + 1) * sizeof *m->row);
    memcpy(m->col, g->col, nnz * sizeof *m->col);
    return m;
}

/* Self weight as 1 minus the neighbour weights summed in adjacency order. */
static void fill_self(sl_mix *m)
{
    for (int i = 0; i < m->n; i++) {
        double s = 0.0;
        for (uint32_t p = m->row[i]; p < m->row[i + 1]; p++) s += m->w[p];
        m->self[i] = 1.0 - s;
    }
}

const char *const sl_mix_kind_names[] = {"metropolis", "laplacian", NULL};

sl_mix *sl_mix_metropolis(const sl_graph *g, sl_error *e)
{
    sl_mix *m = alloc_like(g, e);
    if (!m) return NULL;
    for (int i = 0; i < g->n; i++) {
        int di = sl_graph_degree(g, i);
        for (uint32_t p = g->row[i]; p < g->row[i + 1]; p++) {
            int dj = sl_graph_degree(g, (int)g->col[p]);
            m->w[p] = 1.0 / (1.0 + (double)(di > dj ? di : dj));
        }
    }
    fill_self(m);
    return m;
}

sl_mix *sl_mix_laplacian(const sl_graph *g, double eps, sl_error *e)
{
    int dmax = sl_graph_max_degree(g);
    if (isnan(eps) || isinf(eps)) {
        sl_error_set(e, SL_ERR_RANGE, "weights: laplacian step eps must be finite, got %g", eps);
        return NULL;
    }
    if (eps <= 0.0) eps = 1.0 / (dmax + 1.0);
    if (dmax > 0 && eps * dmax > 1.0) {
        sl_error_set(e, SL_ERR_RANGE,
                     "weights: laplacian step eps=%g exceeds 1/max_degree=%g: W would have "
                     "negative entries (not stochastic)", eps, 1.0 / dmax);
        return NULL;
    }
    sl_mix *m = alloc_like(g, e);
    if (!m) return NULL;
    for (size_t p = 0; p < g->row[g->n]; p++) m->w[p] = eps;
    fill_self(m);
    return m;
}

sl_status sl_mix_check(const sl_mix *m, int *doubly, sl_error *e)
{
    int n = m->n;
    double *colsum = calloc((size_t)n, sizeof *colsum);
    if (!colsum) return sl_error_set(e, SL_ERR_NOMEM, "weights: out of memory");
    for (int i = 0; i < n; i++) {
        double s = m->self[i];
        if (!isfinite(s) || s < 0.0) {
            free(colsum);
            return sl_error_set(e, SL_ERR_RANGE,
                                "weights: W[%d][%d] = %g is negative or not finite (not stochastic)",
                                i, i, s);
        }
        colsum[i] += s;
        for (uint32_t p = m->row[i]; p < m->row[i + 1]; p++) {
            double w = m->w[p];
            if (!isfinite(w) || w < 0.0) {
                free(colsum);
                return sl_error_set(e, SL_ERR_RANGE,
                                    "weights: W[%d][%u] = %g is negative or not finite (not "
                                    "stochastic)", i, m->col[p], w);
            }
            s += w;
            colsum[m->col[p]] += w;
        }
        if (fabs(s - 1.0) > SL_MIX_TOL) {
            free(colsum);
            return sl_error_set(e, SL_ERR_RANGE,
                                "weights: row %d sums to %.17g, not 1 (not stochastic)", i, s);
        }
    }
    int ds = 1;
    for (int i = 0; i < n; i++)
        if (fabs(colsum[i] - 1.0) > SL_MIX_TOL) ds = 0;
    free(colsum);
    if (doubly) *doubly = ds;
    return SL_OK;
}

sl_mix *sl_mix_from_dense(const sl_graph *g, const double *W, sl_error *e)
{
    int n = g->n;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double v = W[(size_t)i * n + j];
            if (i != j && v != 0.0 && sl_graph_edge(g, i, j) < 0) {
                sl_error_set(e, SL_ERR_RANGE,
                             "weights: W[%d][%d] = %g but nodes %d and %d are not linked", i, j, v,
                             i, j);
                return NULL;
            }
        }
    sl_mix *m = alloc_like(g, e);
    if (!m) return NULL;
    for (int i = 0; i < n; i++) {
        m->self[i] = W[(size_t)i * n + i];
        for (uint32_t p = m->row[i]; p < m->row[i + 1]; p++)
            m->w[p] = W[(size_t)i * n + m->col[p]];
    }
    if (sl_mix_check(m, NULL, e) != SL_OK) {
        sl_mix_destroy(m);
        return NULL;
    }
    return m;
}

sl_mix *sl_mix_copy(const sl_mix *s, sl_error *e)
{
    sl_mix *m = calloc(1, sizeof *m);
    size_t nnz = s->row[s->n];
    if (m) {
        m->n = s->n;
        m->self = malloc((size_t)s->n * sizeof *m->self);
        m->row = malloc(((size_t)s->n + 1) * sizeof *m->row);
        m->col = malloc((nnz ? nnz : 1) * sizeof *m->col);
        m->w = malloc((nnz ? nnz : 1) * sizeof *m->w);
    }
    if (!m || !m->self || !m->row || !m->col || !m->w) {
        sl_mix_destroy(m);
        sl_error_set(e, SL_ERR_NOMEM, "weights: out of memory");
        return NULL;
    }
    memcpy(m->self, s->self, (size_t)s->n * sizeof *m->self);
    memcpy(m->row, s->row, ((size_t)s->n + 1) * sizeof *m->row);
    memcpy(m->col, s->col, nnz * sizeof *m->col);
    memcpy(m->w, s->w, nnz * sizeof *m->w);
    return m;
}

int sl_mix_is_symmetric(const sl_mix *m)
{
    for (int i = 0; i < m->n; i++)
        for (uint32_t p = m->row[i]; p < m->row[i + 1]; p++) {
            int j = (int)m->col[p];
            /* find i in row j */
            int found = 0;
            for (uint32_t q = m->row[j]; q < m->row[j + 1]; q++)
                if ((int)m->col[q] == i) {
                    if (m->w[q] != m->w[p]) return 0;
                    found = 1;
                    break;
                }
            if (!found) return 0;
        }
    return 1;
}

void sl_mix_to_dense(const sl_mix *m, double *out)
{
    size_t n = (size_t)m->n;
    memset(out, 0, n * n * sizeof *out);
    for (size_t i = 0; i < n; i++) {
        out[i * n + i] = m->self[i];
        for (uint32_t p = m->row[i]; p < m->row[i + 1]; p++) out[i * n + m->col[p]] = m->w[p];
    }
}

void sl_mix_apply(const sl_mix *m, const double *x, double *y)
{
    for (int i = 0; i < m->n; i++) {
        double s = m->self[i] * x[i];
        for (uint32_t p = m->row[i]; p < m->row[i + 1]; p++) s += m->w[p] * x[m->col[p]];
        y[i] = s;
    }
}

void sl_mix_fail_links(const sl_mix *src, const sl_graph *g, const uint8_t *down, sl_mix *dst)
{
    size_t nnz = src->row[src->n];
    memcpy(dst->self, src->self, (size_t)src->n * sizeof *dst->self);
    memcpy(dst->w, src->w, nnz * sizeof *dst->w);
    for (int i = 0; i < src->n; i++)
        for (uint32_t p = src->row[i]; p < src->row[i + 1]; p++)
            if (down[g->eid[p]]) {
                dst->self[i] += src->w[p];
                dst->w[p] = 0.0;
            }
}
