/* pso_move.c - particle initialisation, velocity/position updates, bound handling, quanta. */
#include "pso_internal.h"

#include <math.h>
#include <string.h>

/* A buffered view of the counter-based generator for the hot path: the same sequence as an
 * sl_rng made with the same key (sl_rng_block is the pure function behind both), with the
 * buffer handling inlined. */
typedef struct prng {
    uint64_t seed, id, step;
    uint32_t stream, draw;
    uint32_t buf[4];
    int left;
} prng;

static inline prng prng_make(uint64_t seed, uint32_t stream, uint64_t id, uint64_t step)
{
    prng r = {seed, id, step, stream, 0, {0, 0, 0, 0}, 0};
    return r;
}

static inline uint32_t prng_u32(prng *r)
{
    if (r->left == 0) {
        sl_rng_block(r->seed, r->stream, r->id, r->step, r->draw++, r->buf);
        r->left = 4;
    }
    return r->buf[4 - r->left--];
}

static inline double u01_32(prng *r) { return (double)prng_u32(r) * 0x1.0p-32; }

static inline double u01_53(prng *r)
{
    uint64_t hi = prng_u32(r);
    uint64_t v = (hi << 32) | prng_u32(r);
    return (double)(v >> 11) * 0x1.0p-53;
}

/* Standard normal by the ziggurat method (Marsaglia & Tsang, 128 layers). Each 32-bit word is
 * split into independent fields: 7 bits choose the layer, 1 bit the sign and 24 bits the
 * position, so the layer and the value are not correlated. */
#define ZIG_M 16777216.0 /* 2^24 */

void slp_pso_ziggurat_init(slp_pso_zig *z)
{
    double dn = 3.442619855899, tn = dn, vn = 9.91256303526217e-3;
    double q = vn / exp(-0.5 * dn * dn);
    z->kn[0] = (uint32_t)((dn / q) * ZIG_M);
    z->kn[1] = 0;
    z->wn[0] = q / ZIG_M;
    z->wn[127] = dn / ZIG_M;
    z->fn[0] = 1.0;
    z->fn[127] = exp(-0.5 * dn * dn);
    for (int i = 126; i >= 1; i--) {
        dn = sqrt(-2.0 * log(vn / dn + exp(-0.5 * dn * dn)));
        z->kn[i + 1] = (uint32_t)((dn / tn) * ZIG_M);
        tn = dn;
        z->fn[i] = exp(-0.5 * dn * dn);
        z->wn[i] = dn / ZIG_M;
    }
}

static double zig_slow(const slp_pso_zig *z, prng *r, uint32_t u)
{
    const double tail = 3.442619855899;
    for (;;) {
        int iz = (int)(u & 127u);
        double sign = (u & 128u) ? -1.0 : 1.0;
        uint32_t m = u >> 8;
        if (m < z->kn[iz]) return sign * (double)m * z->wn[iz];
        if (iz == 0) {
            double x, y;
            do {
                x = -log(1.0 - u01_53(r)) / tail;
                y = -log(1.0 - u01_53(r));
            } while (y + y < x * x);
            return sign * (tail + x);
        }
        double x = (double)m * z->wn[iz];
        if (z->fn[iz] + u01_53(r) * (z->fn[iz - 1] - z->fn[iz]) < exp(-0.5 * x * x))
            return sign * x;
        u = prng_u32(r);
    }
}

static inline double zig_normal(const slp_pso_zig *z, prng *r)
{
    uint32_t u = prng_u32(r);
    uint32_t iz = u & 127u, m = u >> 8;
    if (m < z->kn[iz]) return ((u & 128u) ? -(double)m : (double)m) * z->wn[iz];
    return zig_slow(z, r, u);
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

double slp_pso_inertia_now(const sl_pso *s)
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

void slp_pso_init_particle(sl_pso *s, int i)
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
static inline void handle_bound(sl_pso *s, prng *r, int d, double old, double *x, double *v)
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
        y = lo + (hi - lo) * u01_53(r);
        *v = 0.0;
        break;
    case SL_PSO_BOUNDS_DAMP:
        y = y < lo ? lo : hi;
        *v = -(1.0 - u01_53(r)) * *v;   /* factor in (0, 1] */
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

static void move_spso(sl_pso *s, prng *r, int i)
{
    int D = s->D, l = s->inf[i];
    double *x = s->x + (size_t)i * D, *v = s->v + (size_t)i * D, *old = s->xprev + (size_t)i * D;
    double *gx = s->tmp + (size_t)i * D;
    const double *p = s->p + (size_t)i * D, *pl = s->p + (size_t)l * D;
    double c = s->cfg.c, w = s->cfg.w, rad2 = 0.0, len2 = 0.0;
    memcpy(old, x, sizeof(double) * D);
    /* Centre of gravity G of x, x + c(p - x) and (when l != i) x + c(l - x); gx = G - x. */
    if (l != i) {
        double c3 = c / 3.0;
        for (int d = 0; d < D; d++) {
            gx[d] = c3 * ((p[d] - old[d]) + (pl[d] - old[d]));
            rad2 += gx[d] * gx[d];
        }
    } else {
        double c2 = c / 2.0;
        for (int d = 0; d < D; d++) {
            gx[d] = c2 * (p[d] - old[d]);
            rad2 += gx[d] * gx[d];
        }
    }
    /* Random direction (normalised Gaussian vector), written into x as scratch. */
    for (int d = 0; d < D; d++) {
        double a = zig_normal(&s->zig, r);
        x[d] = a;
        len2 += a * a;
    }
    double u = u01_32(r);
    if (s->cfg.sphere_volume) u = pow(u, 1.0 / D);
    double scale = len2 > 0.0 ? sqrt(rad2) * u / sqrt(len2) : 0.0;
    for (int d = 0; d < D; d++) {
        v[d] = w * v[d] + gx[d] + scale * x[d];
        x[d] = old[d] + v[d];
    }
}

static void move_classic(sl_pso *s, prng *r, int i)
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

void slp_pso_move(sl_pso *s, int i, int iter)
{
    prng r = prng_make(s->cfg.seed, SL_PSO_STREAM_MOVE, (uint64_t)i, (uint64_t)iter);
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
