/* logreg.c - synthetic logistic data, unequal IID / non-IID partitions, loss and gradients. */
#include "swarmlab/logreg.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "swarmlab/rng.h"

void sl_lr_data_destroy(sl_lr_data *D)
{
    if (!D) return;
    free(D->X);
    free(D->y);
    free(D->logit);
    free(D);
}

sl_lr_data *sl_lr_generate(int n, int d, uint64_t seed, uint32_t stream, sl_error *e)
{
    if (n < 1 || n > 10000000) {
        sl_error_set(e, SL_ERR_RANGE, "data: samples must be in 1..10000000, got %d", n);
        return NULL;
    }
    if (d < 1 || d > 1000) {
        sl_error_set(e, SL_ERR_RANGE, "data: features must be in 1..1000, got %d", d);
        return NULL;
    }
    sl_lr_data *D = calloc(1, sizeof *D);
    double *wt = malloc((size_t)(d + 1) * sizeof *wt);
    if (D) {
        D->n = n;
        D->dim = d + 1;
        D->X = malloc((size_t)n * (size_t)(d + 1) * sizeof *D->X);
        D->y = malloc((size_t)n * sizeof *D->y);
        D->logit = malloc((size_t)n * sizeof *D->logit);
    }
    if (!D || !wt || !D->X || !D->y || !D->logit) {
        free(wt);
        sl_lr_data_destroy(D);
        sl_error_set(e, SL_ERR_NOMEM, "data: out of memory for %d samples", n);
        return NULL;
    }
    sl_rng r = sl_rng_make(seed, SL_LR_STREAM_TRUTH, 0, 0);
    for (int j = 0; j < d; j++) wt[j] = sl_rng_normal(&r);
    wt[d] = 0.5 * sl_rng_normal(&r);
    for (int i = 0; i < n; i++) {
        sl_rng s = sl_rng_make(seed, stream, (uint64_t)i, 0);
        double *x = D->X + (size_t)i * D->dim;
        double z = 0.0;
        for (int j = 0; j < d; j++) {
            x[j] = sl_rng_normal(&s);
            z += wt[j] * x[j];
        }
        x[d] = 1.0;
        z += wt[d];
        D->logit[i] = z;
        double p = 1.0 / (1.0 + exp(-z));
        D->y[i] = sl_rng_uniform(&s) < p ? 1.0 : 0.0;
    }
    free(wt);
    return D;
}

void sl_lr_split_destroy(sl_lr_split *s)
{
    if (!s) return;
    free(s->start);
    free(s->idx);
    free(s);
}

typedef struct keyed {
    double key;
    int i;
} keyed;

static int cmp_keyed(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

sl_lr_split *sl_lr_partition(const sl_lr_data *D, int K, int iid, double skew, int min_size,
                             uint64_t seed, sl_error *e)
{
    int n = D->n;
    if (K < 1) {
        sl_error_set(e, SL_ERR_RANGE, "partition: clients must be >= 1, got %d", K);
        return NULL;
    }
    if (min_size < 1) {
        sl_error_set(e, SL_ERR_RANGE, "partition: min_size must be >= 1, got %d", min_size);
        return NULL;
    }
    if ((long)K * min_size > n) {
        sl_error_set(e, SL_ERR_RANGE, "partition: %d clients x min_size %d exceeds %d samples", K,
                     min_size, n);
        return NULL;
    }
    if (!(skew >= 0.0) || !isfinite(skew) || skew > 10.0) {
        sl_error_set(e, SL_ERR_RANGE, "partition: size skew must be in [0, 10], got %g", skew);
        return NULL;
    }
    sl_lr_split *s = calloc(1, sizeof *s);
    double *a = malloc((size_t)K * sizeof *a);
    keyed *order = malloc((size_t)n * sizeof *order);
    if (s) {
        s->K = K;
        s->start = malloc(((size_t)K + 1) * sizeof *s->start);
        s->idx = malloc((size_t)n * sizeof *s->idx);
    }
    if (!s || !a || !order || !s->start || !s->idx) {
        free(a);
        free(order);
        sl_lr_split_destroy(s);
        sl_error_set(e, SL_ERR_NOMEM, "partition: out of memory");
        return NULL;
    }
    /* sizes */
    double sum = 0.0;
    for (int k = 0; k < K; k++) {
        sl_rng r = sl_rng_make(seed, SL_LR_STREAM_SIZES, (uint64_t)k, 0);
        a[k] = exp(skew * sl_rng_normal(&r));
        sum += a[k];
    }
    long rest = n - (long)K * min_size, given = 0;
    s->start[0] = 0;
    for (int k = 0; k < K; k++) {
        long extra = (long)floor((double)rest * a[k] / sum);
        if (given + extra > rest) extra = rest - given;
        given += extra;
        s->start[k + 1] = (int)(min_size + extra);
    }
    for (long left = rest - given, k = 0; left > 0; left--, k = (k + 1) % K) s->start[k + 1]++;
    for (int k = 0; k < K; k++) s->start[k + 1] += s->start[k];
    /* order of samples */
    for (int i = 0; i < n; i++) {
        order[i].i = i;
        if (iid) {
            sl_rng r = sl_rng_make(seed, SL_LR_STREAM_PERM, (uint64_t)i, 0);
            order[i].key = sl_rng_uniform(&r);
        } else {
            order[i].key = D->logit[i];
        }
    }
    qsort(order, (size_t)n, sizeof *order, cmp_keyed);
    for (int i = 0; i < n; i++) s->idx[i] = order[i].i;
    free(a);
    free(order);
    return s;
}

/* log(1 + exp(z)) without overflow */
static double softplus(double z) { return z > 0 ? z + log1p(exp(-z)) : log1p(exp(z)); }

static double dot(const double *a, const double *b, int n)
{
    double s = 0.0;
    for (int j = 0; j < n; j++) s += a[j] * b[j];
    return s;
}

double sl_lr_loss(const sl_lr_data *D, const int *idx, int m, const double *w, double l2)
{
    double s = 0.0;
    for (int q = 0; q < m; q++) {
        int i = idx ? idx[q] : q;
        double z = dot(D->X + (size_t)i * D->dim, w, D->dim);
        /* -[y log p + (1-y) log(1-p)] = softplus(z) - y z */
        s += softplus(z) - D->y[i] * z;
    }
    double reg = l2 > 0 ? 0.5 * l2 * dot(w, w, D->dim) : 0.0;
    return (m > 0 ? s / m : 0.0) + reg;
}

void sl_lr_grad(const sl_lr_data *D, const int *idx, int m, const double *w, double l2, double *g)
{
    int dim = D->dim;
    for (int j = 0; j < dim; j++) g[j] = 0.0;
    for (int q = 0; q < m; q++) {
        int i = idx ? idx[q] : q;
        const double *x = D->X + (size_t)i * dim;
        double z = dot(x, w, dim);
        double r = 1.0 / (1.0 + exp(-z)) - D->y[i];
        for (int j = 0; j < dim; j++) g[j] += r * x[j];
    }
    for (int j = 0; j < dim; j++) {
        g[j] = m > 0 ? g[j] / m : 0.0;
        if (l2 > 0) g[j] += l2 * w[j];
    }
}

double sl_lr_accuracy(const sl_lr_data *D, const int *idx, int m, const double *w)
{
    if (!idx) m = D->n;
    long ok = 0;
    for (int q = 0; q < m; q++) {
        int i = idx ? idx[q] : q;
        double z = dot(D->X + (size_t)i * D->dim, w, D->dim);
        if ((z > 0) == (D->y[i] > 0.5)) ok++;
    }
    return m > 0 ? (double)ok / m : NAN;
}
