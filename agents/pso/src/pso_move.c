/* pso_move.c - particle initialisation, velocity/position updates, bound handling, quanta. */
#include "pso_internal.h"

#include <math.h>
#include <string.h>

static inline double u01_32(sl_rng *r) { return (double)sl_rng_u32(r) * 0x1.0p-32; }

/* Two standard normal values (Marsaglia's polar method). */
static inline void normal_pair(sl_rng *r, double *a, double *b)
{
    double u, v, q;
    do {
        u = 2.0 * u01_32(r) - 1.0;
        v = 2.0 * u01_32(r) - 1.0;
        q = u * u + v * v;
    } while (q >= 1.0 || q == 0.0);
    double m = sqrt(-2.0 * log(q) / q);
    *a = u * m;
    *b = v * m;
}

static inline double quantise(const sl_pso *s, int d, double x)
{
    double q = s->quantum[d];
    if (q <= 0.0) return x;
    double y = q * nearbyint(x / q);
    if (y < s->qlo[d]) y = s->qlo[d];
    if (y > s->qhi[d]) y = s->qhi[d];
    return y;
}

double sl_pso_inertia_now(const sl_pso *s)
{
    switch (s->cfg.variant) {
    case SL_PSO_SPSO2011: return s->cfg.w;
    case SL_PSO_INERTIA: return s->cfg.w_start;
    case SL_PSO_LDW: {
        double t = (double)s->fes / (double)s->cfg.max_fes;
        if (t > 1.0) t = 1.0;
        return s->cfg.w_start - (s->cfg.w_start - s->cfg.w_end) * t;
    }
    case SL_PSO_CONSTRICTION: return s->cfg.chi;
    }
    return s->cfg.w;
}

void sl_pso_init_particle(sl_pso *s, int i)
{
    int D = s->D;
    double *x = s->x + (size_t)i * D, *v = s->v + (size_t)i * D;
    sl_rng r = sl_rng_make(s->cfg.seed, SL_PSO_STREAM_INIT, (uint64_t)i, 0);
    for (int d = 0; d < D; d++) {
        double lo = s->lower[d], hi = s->upper[d];
        x[d] = quantise(s, d, sl_rng_range(&r, lo, hi));
        if (s->cfg.variant == SL_PSO_SPSO2011)
            v[d] = sl_rng_range(&r, lo - x[d], hi - x[d]);   /* so that lo <= x + v <= hi */
        else
            v[d] = (sl_rng_range(&r, lo, hi) - x[d]) / 2.0;
    }
}

/* Keeps coordinate d inside [lo, hi] after a move from `old`. */
static inline void handle_bound(sl_pso *s, sl_rng *r, int d, double old, double *x, double *v)
{
    double lo = s->lower[d], hi = s->upper[d], y = *x;
    if (y >= lo && y <= hi) return;
    switch (s->cfg.bounds) {
    case SL_PSO_BOUNDS_CLAMP:
        y = y < lo ? lo : hi;
        *v = y - old;
        break;
    case SL_PSO_BOUNDS_REFLECT: {
        for (int k = 0; k < 8 && (y < lo || y > hi); k++) y = y < lo ? 2.0 * lo - y : 2.0 * hi - y;
        if (y < lo) y = lo;
        if (y > hi) y = hi;
        *v = -*v;
        break;
    }
    case SL_PSO_BOUNDS_RANDOM:
        y = sl_rng_range(r, lo, hi);
        *v = 0.0;
        break;
    case SL_PSO_BOUNDS_DAMP:
        y = y < lo ? lo : hi;
        *v = -sl_rng_uniform_pos(r) * *v;
        break;
    case SL_PSO_BOUNDS_CONFINE:
    default:
        y = y < lo ? lo : hi;
        *v = -0.5 * *v;
        break;
    }
    if (!(y >= lo && y <= hi)) y = lo; /* NaN position: put it back in the box */
    *x = y;
}

static void move_spso(sl_pso *s, sl_rng *r, int i)
{
    int D = s->D, l = s->inf[i];
    double *x = s->x + (size_t)i * D, *v = s->v + (size_t)i * D, *old = s->xprev + (size_t)i * D;
    double *gx = s->tmp + (size_t)i * D;
    const double *p = s->p + (size_t)i * D, *pl = s->p + (size_t)l * D;
    double c = s->cfg.c, w = s->cfg.w, rad2 = 0.0, len2 = 0.0;
    memcpy(old, x, sizeof(double) * D);
    /* Centre of gravity G of x, x + c(p - x) and (when l != i) x + c(l - x); gx = G - x. */
    if (l != i) {
        for (int d = 0; d < D; d++) {
            gx[d] = c * ((p[d] - old[d]) + (pl[d] - old[d])) / 3.0;
            rad2 += gx[d] * gx[d];
        }
    } else {
        for (int d = 0; d < D; d++) {
            gx[d] = c * (p[d] - old[d]) / 2.0;
            rad2 += gx[d] * gx[d];
        }
    }
    /* Random direction (normalised Gaussian vector), written into x as scratch. */
    for (int d = 0; d < D; d += 2) {
        double a, b;
        normal_pair(r, &a, &b);
        x[d] = a;
        len2 += a * a;
        if (d + 1 < D) {
            x[d + 1] = b;
            len2 += b * b;
        }
    }
    double u = u01_32(r);
    if (s->cfg.sphere_volume) u = pow(u, 1.0 / D);
    double scale = len2 > 0.0 ? sqrt(rad2) * u / sqrt(len2) : 0.0;
    for (int d = 0; d < D; d++) {
        v[d] = w * v[d] + gx[d] + scale * x[d];
        x[d] = old[d] + v[d];
    }
}

static void move_classic(sl_pso *s, sl_rng *r, int i)
{
    int D = s->D, l = s->inf[i];
    double *x = s->x + (size_t)i * D, *v = s->v + (size_t)i * D, *old = s->xprev + (size_t)i * D;
    const double *p = s->p + (size_t)i * D, *pl = s->p + (size_t)l * D;
    double c1 = s->cfg.c1, c2 = s->cfg.c2, w = s->w_now;
    int constrict = s->cfg.variant == SL_PSO_CONSTRICTION;
    double vmax = s->cfg.vmax;
    memcpy(old, x, sizeof(double) * D);
    for (int d = 0; d < D; d++) {
        double r1 = u01_32(r), r2 = u01_32(r);
        double pull = c1 * r1 * (p[d] - x[d]) + c2 * r2 * (pl[d] - x[d]);
        double nv = constrict ? w * (v[d] + pull) : w * v[d] + pull;
        if (vmax > 0.0) {
            double m = vmax * (s->upper[d] - s->lower[d]);
            if (nv > m) nv = m;
            if (nv < -m) nv = -m;
        }
        v[d] = nv;
        x[d] = x[d] + nv;
    }
}

void sl_pso_move(sl_pso *s, int i, int iter)
{
    sl_rng r = sl_rng_make(s->cfg.seed, SL_PSO_STREAM_MOVE, (uint64_t)i, (uint64_t)iter);
    if (s->cfg.variant == SL_PSO_SPSO2011) move_spso(s, &r, i);
    else move_classic(s, &r, i);
    int D = s->D;
    double *x = s->x + (size_t)i * D, *v = s->v + (size_t)i * D;
    const double *old = s->xprev + (size_t)i * D;
    for (int d = 0; d < D; d++) {
        handle_bound(s, &r, d, old[d], &x[d], &v[d]);
        x[d] = quantise(s, d, x[d]);
    }
}
