/* pso_topology.c - who informs whom: adaptive random links, global, ring, von Neumann. */
#include "pso_internal.h"

#include <math.h>
#include <string.h>

/* Re-draws the adaptive random links when the previous iteration did not improve the global
 * best (and before the first move). Serial, from its own stream keyed by the iteration. */
void slp_pso_topology_update(sl_pso *s, int iter)
{
    if (s->cfg.topology != SL_PSO_TOPO_ADAPTIVE || !s->redraw) return;
    int S = s->active, K = s->cfg.informants;
    unsigned char *L = s->links;
    sl_rng r = sl_rng_make(s->cfg.seed, SL_PSO_STREAM_TOPO, 0, (uint64_t)iter);
    memset(L, 0, (size_t)s->S * (size_t)s->S);
    if (s->cfg.links_k_draws) {
        /* Each particle informs itself and K particles drawn at random (with replacement). */
        for (int m = 0; m < S; m++) {
            L[(size_t)m * s->S + m] = 1;
            for (int k = 0; k < K; k++) L[(size_t)m * s->S + sl_rng_below(&r, (uint32_t)S)] = 1;
        }
    } else {
        /* Each ordered link m -> t (m != t) exists with probability 1 - (1 - 1/S)^K. */
        double prob = 1.0 - pow(1.0 - 1.0 / S, K);
        /* a 32-bit uniform u * 2^-32 < prob  <=>  u < prob * 2^32 */
        double thr = prob * 4294967296.0;
        for (int t = 0; t < S; t++)
            for (int m = 0; m < S; m++)
                L[(size_t)m * s->S + t] = (m == t) ? 1 : ((double)sl_rng_u32(&r) < thr);
    }
    s->redraw = 0;
}

static int best_of(const sl_pso *s, int a, int b)
{
    return slp_pso_better(s, s->fp[b], s->vp[b], s->fp[a], s->vp[a]) ? b : a;
}

/* Grid of the von Neumann topology: rows = the largest divisor of S not above sqrt(S). */
static void vn_grid(int S, int *rows, int *cols)
{
    int r = (int)floor(sqrt((double)S));
    while (r > 1 && S % r != 0) r--;
    *rows = r;
    *cols = S / r;
}

/* Index of the best personal best among the informants of particle i (itself included); ties go
 * to the lowest index. */
int slp_pso_informant(const sl_pso *s, int i)
{
    int S = s->active;
    switch (s->cfg.topology) {
    case SL_PSO_TOPO_GLOBAL:
        return s->gbest;
    case SL_PSO_TOPO_RING: {
        int r = s->cfg.ring_radius, best = -1;
        if (2 * r + 1 >= S) return s->gbest;
        for (int k = -r; k <= r; k++) {
            int j = ((i + k) % S + S) % S;
            best = best < 0 ? j : (j < best ? best_of(s, j, best) : best_of(s, best, j));
        }
        return best;
    }
    case SL_PSO_TOPO_VON_NEUMANN: {
        int rows, cols;
        vn_grid(S, &rows, &cols);
        int r = i / cols, c = i % cols;
        int nb[5] = {i, ((r + rows - 1) % rows) * cols + c, ((r + 1) % rows) * cols + c,
                     r * cols + (c + cols - 1) % cols, r * cols + (c + 1) % cols};
        int best = i;
        for (int k = 1; k < 5; k++) {
            int j = nb[k];
            best = j < best ? best_of(s, j, best) : best_of(s, best, j);
        }
        return best;
    }
    case SL_PSO_TOPO_ADAPTIVE:
    default: {
        int best = -1;
        for (int m = 0; m < S; m++) {
            if (!s->links[(size_t)m * s->S + i]) continue;
            if (best < 0 || slp_pso_better(s, s->fp[m], s->vp[m], s->fp[best], s->vp[best]))
                best = m;
        }
        return best < 0 ? i : best;
    }
    }
}

/* Particle order of an asynchronous iteration: identity, or a random permutation. */
void slp_pso_order(sl_pso *s, int iter)
{
    int S = s->active;
    for (int k = 0; k < S; k++) s->order[k] = k;
    if (!s->cfg.permute) return;
    sl_rng r = sl_rng_make(s->cfg.seed, SL_PSO_STREAM_ORDER, 0, (uint64_t)iter);
    for (int k = S - 1; k > 0; k--) {
        int j = (int)sl_rng_below(&r, (uint32_t)(k + 1));
        int t = s->order[k];
        s->order[k] = s->order[j];
        s->order[j] = t;
    }
}
