/* mixing.h - consensus weight matrices W on a graph (x <- W x).
 *
 * W is stored in compressed rows aligned with the graph: row i holds the self weight W_ii and
 * the weights W_ij of i's neighbours, in the graph's (sorted) neighbour order, so a node sums
 * its neighbours' values in a fixed order. Two standard choices:
 *   - Metropolis-Hastings: W_ij = 1 / (1 + max(d_i, d_j)) on edges, W_ii = 1 - sum_j W_ij;
 *   - Laplacian step:      W = I - eps L, i.e. W_ij = eps on edges, W_ii = 1 - eps d_i, which
 *     needs 0 < eps <= 1 / max degree to keep every weight >= 0.
 * Both are symmetric and doubly stochastic. A custom dense matrix is accepted only when it is
 * stochastic (finite, >= 0, rows summing to 1 within 1e-12) and supported on the graph's edges.
 *
 * Ownership: constructors return a matrix freed with sl_mix_destroy. Errors return NULL and fill e.
 */
#ifndef SWARMLAB_MIXING_H
#define SWARMLAB_MIXING_H

#include <stddef.h>
#include <stdint.h>
#include "swarmlab/error.h"
#include "swarmlab/graph.h"

#define SL_MIX_TOL 1e-12

typedef struct sl_mix {
    int n;
    double *self;       /* n: W_ii */
    uint32_t *row;      /* n + 1, same as the graph's row (copied) */
    uint32_t *col;      /* neighbours (copied from the graph) */
    double *w;          /* W_ij for each adjacency entry */
} sl_mix;

/* The named weight rules, NULL-terminated, in the order of sl_mix_kind (for option parsers). */
typedef enum sl_mix_kind { SL_MIX_METROPOLIS = 0, SL_MIX_LAPLACIAN = 1 } sl_mix_kind;
extern const char *const sl_mix_kind_names[];

sl_mix *sl_mix_metropolis(const sl_graph *g, sl_error *e);
/* eps <= 0 picks 1 / (max degree + 1). */
sl_mix *sl_mix_laplacian(const sl_graph *g, double eps, sl_error *e);
/* W given as a dense row-major n x n matrix; checked as described above. */
sl_mix *sl_mix_from_dense(const sl_graph *g, const double *W, sl_error *e);
sl_mix *sl_mix_copy(const sl_mix *m, sl_error *e);
void sl_mix_destroy(sl_mix *m);

/* Checks stochasticity; sets *doubly (may be NULL) to 1 when the columns also sum to 1. */
sl_status sl_mix_check(const sl_mix *m, int *doubly, sl_error *e);
int sl_mix_is_symmetric(const sl_mix *m);
void sl_mix_to_dense(const sl_mix *m, double *out);       /* out: n*n, row-major */
/* y = W x (y must not alias x); each row summed self first, then neighbours in order. */
void sl_mix_apply(const sl_mix *m, const double *x, double *y);

/* Link failures: copies src into dst (same shape) and, for every edge k with down[k] != 0,
 * moves W_ij and W_ji onto the diagonals. The result stays symmetric and doubly stochastic
 * when src was. */
void sl_mix_fail_links(const sl_mix *src, const sl_graph *g, const uint8_t *down, sl_mix *dst);

#endif
