/* logreg.h - synthetic logistic-regression data, client partitions, and the model's maths.
 *
 * Data: sample i has features x ~ N(0, I_d) drawn from (seed, stream, i) plus a constant 1 (the
 * bias, last column) and label y = 1 with probability sigmoid(w* . x), w* drawn once from
 * (seed, SL_LR_STREAM_TRUTH). Everything is a function of the seed: two runs build the same data.
 *
 * Partitions give K clients disjoint sets of training samples with unequal sizes
 * n_k = min_size + share of the rest proportional to exp(skew * z_k), z_k ~ N(0, 1). IID: the
 * samples are shuffled first; non-IID: samples are sorted by their true logit, so each client
 * sees a different label balance.
 *
 * Loss: mean log-loss over a list of samples plus (l2 / 2) |w|^2. Gradients are sums over the
 * samples in the order of the list, divided by the list length: two callers that list the same
 * samples in the same order get bitwise identical gradients.
 *
 * Ownership: generate and partition return objects freed with sl_lr_data_destroy and
 * sl_lr_split_destroy; errors return NULL with e filled.
 */
#ifndef SWARMLAB_LOGREG_H
#define SWARMLAB_LOGREG_H

#include <stddef.h>
#include <stdint.h>
#include "swarmlab/error.h"

#define SL_LR_STREAM_TRUTH 0x6c720001u
#define SL_LR_STREAM_TRAIN 0x6c720002u
#define SL_LR_STREAM_TEST 0x6c720003u
#define SL_LR_STREAM_SIZES 0x6c720004u
#define SL_LR_STREAM_PERM 0x6c720005u

typedef struct sl_lr_data {
    int n;          /* samples */
    int dim;        /* features + 1 (bias) */
    double *X;      /* n x dim, row-major; X[i*dim + dim-1] = 1 */
    double *y;      /* n labels in {0, 1} */
    double *logit;  /* n true logits w* . x (for non-IID sorting and diagnostics) */
} sl_lr_data;

/* n samples with d features (1..1000) from stream (SL_LR_STREAM_TRAIN or _TEST). */
sl_lr_data *sl_lr_generate(int n, int d, uint64_t seed, uint32_t stream, sl_error *e);
void sl_lr_data_destroy(sl_lr_data *D);

typedef struct sl_lr_split {
    int K;
    int *start;     /* K + 1: client k owns idx[start[k] .. start[k+1]) */
    int *idx;       /* n sample numbers, client by client */
} sl_lr_split;

sl_lr_split *sl_lr_partition(const sl_lr_data *D, int K, int iid, double skew, int min_size,
                             uint64_t seed, sl_error *e);
void sl_lr_split_destroy(sl_lr_split *s);
static inline int sl_lr_split_size(const sl_lr_split *s, int k) { return s->start[k + 1] - s->start[k]; }

/* Mean log-loss (+ l2 term) and mean gradient over the m samples idx[0..m-1]. g has dim entries. */
double sl_lr_loss(const sl_lr_data *D, const int *idx, int m, const double *w, double l2);
void sl_lr_grad(const sl_lr_data *D, const int *idx, int m, const double *w, double l2, double *g);
/* Fraction of samples classified right (predict 1 when w . x > 0); idx NULL means all. */
double sl_lr_accuracy(const sl_lr_data *D, const int *idx, int m, const double *w);

#endif
