/* pso.c - the particle swarm solver: configuration, initialisation, one iteration, results.
 * Topologies live in pso_topology.c, the particle moves and bound handling in pso_move.c. */
#include "swarmlab/pso.h"
#include "pso_internal.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

sl_pso_def sl_pso_def_default(sl_pso_variant variant, int dim)
{
    sl_pso_def c;
    memset(&c, 0, sizeof c);
    c.dim = dim;
    c.variant = variant;
    c.topology = SL_PSO_TOPO_DEFAULT;
    c.bounds = SL_PSO_BOUNDS_DEFAULT;
    c.swarm = 40;
    c.informants = 3;
    c.ring_radius = 1;
    c.w = 1.0 / (2.0 * log(2.0));
    c.c = 0.5 + log(2.0);
    c.w_start = 0.7298;
    c.w_end = 0.7298;
    c.c1 = c.c2 = 1.49618;
    c.chi = 0.7298;
    if (variant == SL_PSO_LDW) {
        c.w_start = 0.9;
        c.w_end = 0.4;
        c.c1 = c.c2 = 2.0;
        c.vmax = 0.5;
    } else if (variant == SL_PSO_CONSTRICTION) {
        c.c1 = c.c2 = 2.05;
    }
    c.max_fes = 10000LL * (dim > 0 ? dim : 1);
    c.optimum = 0.0;
    c.target = -1.0;
    c.stagnation_tol = 0.0;
    c.eq_tol = 1e-4;
    c.cmethod = SL_PSO_DEB;
    c.penalty = 1e6;
    c.seed = 1;
    c.threads = 1;
    return c;
}

#define CHECK(cond, ...)                                                                          \
    do {                                                                                          \
        if (!(cond)) return sl_error_set(e, SL_ERR_RANGE, __VA_ARGS__);                           \
    } while (0)

sl_status sl_pso_check(const sl_pso_def *c, sl_error *e)
{
    CHECK(c->dim >= 1 && c->dim <= 100000, "pso: dim must be in 1..100000 (got %d)", c->dim);
    CHECK(c->swarm >= 1 && c->swarm <= 100000, "pso: swarm size must be in 1..100000 (got %d)",
          c->swarm);
    CHECK(c->lower && c->upper, "pso: bounds missing");
    for (int d = 0; d < c->dim; d++) {
        CHECK(isfinite(c->lower[d]) && isfinite(c->upper[d]),
              "pso: bound of coordinate %d is not finite", d + 1);
        CHECK(c->lower[d] < c->upper[d], "pso: lower bound %g > upper bound %g (coordinate %d)",
              c->lower[d], c->upper[d], d + 1);
        if (c->quantum) {
            double q = c->quantum[d];
            CHECK(isfinite(q) && q >= 0.0, "pso: quantum of coordinate %d must be >= 0", d + 1);
            if (q > 0.0) {
                double lo = q * ceil(c->lower[d] / q), hi = q * floor(c->upper[d] / q);
                if (lo < c->lower[d]) lo += q;
                if (hi > c->upper[d]) hi -= q;
                CHECK(lo <= hi, "pso: no multiple of %g in [%g, %g] (coordinate %d)", q,
                      c->lower[d], c->upper[d], d + 1);
            }
        }
    }
    CHECK(c->variant >= SL_PSO_SPSO2011 && c->variant <= SL_PSO_CONSTRICTION, "pso: bad variant");
    CHECK(c->topology >= SL_PSO_TOPO_DEFAULT && c->topology <= SL_PSO_TOPO_VON_NEUMANN,
          "pso: bad topology");
    CHECK(c->bounds >= SL_PSO_BOUNDS_DEFAULT && c->bounds <= SL_PSO_BOUNDS_DAMP,
          "pso: bad bound handling");
    CHECK(c->informants >= 1 && c->informants <= 1000, "pso: informants (K) must be in 1..1000");
    CHECK(c->ring_radius >= 1, "pso: ring radius must be >= 1");
    CHECK(isfinite(c->w) && isfinite(c->c) && c->c > 0.0, "pso: w and c must be finite, c > 0");
    CHECK(isfinite(c->w_start) && isfinite(c->w_end), "pso: inertia weights must be finite");
    CHECK(isfinite(c->c1) && isfinite(c->c2) && c->c1 >= 0.0 && c->c2 >= 0.0,
          "pso: c1, c2 must be finite and >= 0");
    CHECK(isfinite(c->chi) && c->chi > 0.0, "pso: chi must be > 0");
    CHECK(isfinite(c->vmax) && c->vmax >= 0.0, "pso: vmax must be >= 0");
    CHECK(c->max_fes >= 1, "pso: FE budget must be >= 1 (got %lld)", c->max_fes);
    CHECK(isfinite(c->optimum), "pso: optimum must be finite");
    CHECK(!isnan(c->target), "pso: target must be a number");
    CHECK(isfinite(c->max_seconds) && c->max_seconds >= 0.0, "pso: time limit must be >= 0");
    CHECK(c->stagnation >= 0, "pso: stagnation must be >= 0");
    CHECK(isfinite(c->stagnation_tol) && c->stagnation_tol >= 0.0,
          "pso: stagnation tolerance must be >= 0");
    CHECK(c->ng >= 0 && c->nh >= 0 && c->ng + c->nh <= 10000, "pso: bad constraint counts");
    CHECK(isfinite(c->eq_tol) && c->eq_tol >= 0.0, "pso: equality tolerance must be >= 0");
    CHECK(isfinite(c->eq_tol_start) && c->eq_tol_start >= 0.0,
          "pso: initial equality tolerance must be >= 0");
    CHECK(c->cmethod == SL_PSO_DEB || c->cmethod == SL_PSO_PENALTY, "pso: bad constraint method");
    CHECK(isfinite(c->penalty) && c->penalty > 0.0, "pso: penalty must be > 0");
    CHECK(c->threads >= 0 && c->threads <= 1024, "pso: threads must be in 0..1024");
    return SL_OK;
}

void sl_pso_destroy(sl_pso *s)
{
    if (!s) return;
    free(s->lower);
    free(s->upper);
    free(s->quantum);
    free(s->qlo);
    free(s->qhi);
    free(s->x);
    free(s->v);
    free(s->p);
    free(s->xprev);
    free(s->tmp);
    free(s->fx);
    free(s->vx);
    free(s->fp);
    free(s->vp);
    free(s->gh);
    free(s->hp);
    free(s->gvx);
    free(s->gvp);
    free(s->nonfin);
    free(s->status);
    free(s->errs);
    free(s->links);
    free(s->inf);
    free(s->order);
    free(s->hist);
    free(s);
}

sl_pso *sl_pso_create(const sl_pso_def *cfg, const sl_pso_problem *pb, sl_error *e)
{
    if (sl_pso_check(cfg, e) != SL_OK) return NULL;
    if (!pb || !pb->eval) {
        sl_error_set(e, SL_ERR_RANGE, "pso: no objective");
        return NULL;
    }
    int D = cfg->dim, S = cfg->swarm;
    sl_pso *s = calloc(1, sizeof *s);
    if (!s) goto nomem;
    s->cfg = *cfg;
    s->pb = *pb;
    s->D = D;
    s->S = S;
    if (s->cfg.topology == SL_PSO_TOPO_DEFAULT)
        s->cfg.topology = cfg->variant == SL_PSO_SPSO2011 ? SL_PSO_TOPO_ADAPTIVE : SL_PSO_TOPO_GLOBAL;
    if (s->cfg.bounds == SL_PSO_BOUNDS_DEFAULT)
        s->cfg.bounds = cfg->variant == SL_PSO_SPSO2011 ? SL_PSO_BOUNDS_CONFINE : SL_PSO_BOUNDS_DAMP;
    if (s->cfg.threads == 0) s->cfg.threads = omp_get_max_threads();
    size_t sd = (size_t)S * D, nc = (size_t)(cfg->ng + cfg->nh);
    s->lower = malloc(sizeof(double) * D);
    s->upper = malloc(sizeof(double) * D);
    s->quantum = calloc((size_t)D, sizeof(double));
    s->qlo = malloc(sizeof(double) * D);
    s->qhi = malloc(sizeof(double) * D);
    s->x = malloc(sizeof(double) * sd);
    s->v = malloc(sizeof(double) * sd);
    s->p = malloc(sizeof(double) * sd);
    s->xprev = malloc(sizeof(double) * sd);
    s->tmp = malloc(sizeof(double) * sd);
    s->fx = malloc(sizeof(double) * S);
    s->vx = malloc(sizeof(double) * S);
    s->fp = malloc(sizeof(double) * S);
    s->vp = malloc(sizeof(double) * S);
    s->gh = malloc(sizeof(double) * (nc ? nc : 1) * S);
    s->hp = malloc(sizeof(double) * (size_t)(cfg->nh ? cfg->nh : 1) * S);
    s->gvx = malloc(sizeof(double) * S);
    s->gvp = malloc(sizeof(double) * S);
    s->nonfin = calloc((size_t)S, 1);
    s->status = calloc((size_t)S, sizeof(sl_status));
    s->errs = calloc((size_t)S, sizeof(sl_error));
    s->inf = malloc(sizeof(int) * S);
    s->order = malloc(sizeof(int) * S);
    if (!s->lower || !s->upper || !s->quantum || !s->qlo || !s->qhi || !s->x || !s->v || !s->p ||
        !s->xprev || !s->tmp || !s->fx || !s->vx || !s->fp || !s->vp || !s->gh || !s->hp || !s->gvx || !s->gvp || !s->nonfin || !s->status ||
        !s->errs || !s->inf || !s->order)
        goto nomem;
    if (s->cfg.topology == SL_PSO_TOPO_ADAPTIVE) {
        s->links = calloc((size_t)S * S, 1);
        if (!s->links) goto nomem;
    }
    memcpy(s->lower, cfg->lower, sizeof(double) * D);
    memcpy(s->upper, cfg->upper, sizeof(double) * D);
    if (cfg->quantum) memcpy(s->quantum, cfg->quantum, sizeof(double) * D);
    for (int d = 0; d < D; d++) {
        double q = s->quantum[d];
        s->qlo[d] = s->lower[d];
        s->qhi[d] = s->upper[d];
        if (q > 0.0) {
            double lo = q * ceil(s->lower[d] / q), hi = q * floor(s->upper[d] / q);
            if (lo < s->lower[d]) lo += q;
            if (hi > s->upper[d]) hi -= q;
            s->qlo[d] = lo;
            s->qhi[d] = hi;
        }
    }
    s->cfg.lower = s->lower;
    s->cfg.upper = s->upper;
    s->cfg.quantum = s->quantum;
    for (int i = 0; i < S; i++) s->order[i] = i;
    s->active = S;
    s->gbest = 0;
    s->target_fes = -1;
    s->redraw = 1;
    s->reason = "running";
    slp_pso_ziggurat_init(&s->zig);
    s->tol_now = s->cfg.eq_tol_start > s->cfg.eq_tol ? s->cfg.eq_tol_start : s->cfg.eq_tol;
    return s;
nomem:
    sl_pso_destroy(s);
    sl_error_set(e, SL_ERR_NOMEM, "pso: out of memory (swarm %d, dim %d)", S, D);
    return NULL;
}

/* ---- comparison and bookkeeping ---- */

int slp_pso_better(const sl_pso *s, double fa, double va, double fb, double vb)
{
    if (s->cfg.cmethod == SL_PSO_PENALTY) return fa + s->cfg.penalty * va < fb + s->cfg.penalty * vb;
    if (va == 0.0 && vb == 0.0) return fa < fb;
    if (va == 0.0) return 1;
    if (vb == 0.0) return 0;
    return va < vb;
}

/* Sum over equality constraints of max(0, |h| - tolerance of this iteration); NaN counts 0 here
 * (it is already infinite in the inequality part). */
double slp_pso_eq_excess(const sl_pso *s, const double *h)
{
    double v = 0.0;
    for (int k = 0; k < s->cfg.nh; k++) {
        double a = fabs(h[k]) - s->tol_now;
        if (a > 0.0) v += a;
    }
    return v;
}

/* Shrinks the equality tolerance (when a schedule is set) and re-rates the personal bests. */
static void update_tolerance(sl_pso *s)
{
    if (!(s->cfg.eq_tol_start > s->cfg.eq_tol) || s->cfg.nh == 0) return;
    double t = (double)s->fes / (0.8 * (double)s->cfg.max_fes);
    if (t > 1.0) t = 1.0;
    double tol = s->cfg.eq_tol_start * pow(s->cfg.eq_tol / s->cfg.eq_tol_start, t);
    if (s->cfg.eq_tol == 0.0) tol = t >= 1.0 ? 0.0 : s->cfg.eq_tol_start * (1.0 - t);
    s->tol_now = tol;
    for (int i = 0; i < s->active; i++)
        s->vp[i] = s->gvp[i] + slp_pso_eq_excess(s, s->hp + (size_t)i * s->cfg.nh);
    int g = 0;
    for (int i = 1; i < s->active; i++)
        if (slp_pso_better(s, s->fp[i], s->vp[i], s->fp[g], s->vp[g])) g = i;
    s->gbest = g;
}

/* Evaluates particle i into fx/vx (thread-safe: touches only slot i). */
void slp_pso_eval_particle(sl_pso *s, int i)
{
    int D = s->D, ng = s->cfg.ng, nh = s->cfg.nh;
    double *g = s->gh + (size_t)i * (size_t)(ng + nh), *h = g + ng;
    double f = 0.0;
    for (int k = 0; k < ng + nh; k++) g[k] = 0.0;
    s->status[i] = s->pb.eval(s->pb.user, s->x + (size_t)i * D, D, &f, g, h, &s->errs[i]);
    if (s->status[i] != SL_OK) {
        s->fx[i] = INFINITY;
        s->vx[i] = INFINITY;
        return;
    }
    int nf = 0;
    if (!isfinite(f)) {
        f = INFINITY;
        nf = 1;
    }
    double gv = 0.0;
    for (int k = 0; k < ng; k++) {
        if (isnan(g[k])) {
            gv = INFINITY;
            nf = 1;
        } else if (g[k] > 0.0) {
            gv += g[k];
        }
    }
    for (int k = 0; k < nh; k++) {
        if (isnan(h[k])) {
            gv = INFINITY;
            nf = 1;
        }
    }
    s->fx[i] = f;
    s->gvx[i] = gv;
    s->vx[i] = gv + slp_pso_eq_excess(s, h);
    s->nonfin[i] = (unsigned char)nf;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static sl_status push_history(sl_pso *s, sl_error *e)
{
    if (s->nhist == s->caphist) {
        int cap = s->caphist ? 2 * s->caphist : 256;
        sl_pso_history_entry *h = realloc(s->hist, sizeof *h * (size_t)cap);
        if (!h) return sl_error_set(e, SL_ERR_NOMEM, "pso: out of memory (history)");
        s->hist = h;
        s->caphist = cap;
    }
    sl_pso_history_entry *h = &s->hist[s->nhist++];
    h->fes = s->fes;
    h->best_value = s->fp[s->gbest];
    h->best_error = s->fp[s->gbest] - s->cfg.optimum;
    h->violation = s->vp[s->gbest];
    return SL_OK;
}

/* Serial bookkeeping after particle i was evaluated: FE count, non-finite count, target,
 * personal and global best. Returns 1 when particle i became the global best. */
int slp_pso_record(sl_pso *s, int i, int first)
{
    s->fes++;
    if (s->nonfin[i]) s->nonfinite++;
    if (s->cfg.target >= 0.0 && s->target_fes < 0 && s->vx[i] == 0.0 &&
        s->fx[i] - s->cfg.optimum <= s->cfg.target)
        s->target_fes = s->fes;
    int D = s->D;
    if (first || slp_pso_better(s, s->fx[i], s->vx[i], s->fp[i], s->vp[i])) {
        memcpy(s->p + (size_t)i * D, s->x + (size_t)i * D, sizeof(double) * D);
        s->fp[i] = s->fx[i];
        s->vp[i] = s->vx[i];
        s->gvp[i] = s->gvx[i];
        if (s->cfg.nh > 0)
            memcpy(s->hp + (size_t)i * s->cfg.nh,
                   s->gh + (size_t)i * (size_t)(s->cfg.ng + s->cfg.nh) + s->cfg.ng,
                   sizeof(double) * (size_t)s->cfg.nh);
        if ((first && i == 0) ||
            slp_pso_better(s, s->fp[i], s->vp[i], s->fp[s->gbest], s->vp[s->gbest])) {
            s->gbest = i;
            return 1;
        }
    }
    return 0;
}

/* First error among the evaluated particles (in particle order). */
static sl_status collect_errors(sl_pso *s, int n, const int *idx, sl_error *e)
{
    for (int k = 0; k < n; k++) {
        int i = idx ? idx[k] : k;
        if (s->status[i] != SL_OK) {
            if (e) *e = s->errs[i];
            s->reason = "error";
            s->done = 1;
            return s->status[i];
        }
    }
    return SL_OK;
}

/* Evaluates particles 0..n-1: in parallel when the problem is thread-safe. */
static void eval_range(sl_pso *s, int n, int iter)
{
    if (s->pb.thread_safe && s->cfg.threads > 1 && n > 1) {
#pragma omp parallel for num_threads(s->cfg.threads) schedule(static)
        for (int i = 0; i < n; i++) {
            if (iter > 0) slp_pso_move(s, i, iter);
            slp_pso_eval_particle(s, i);
        }
    } else {
        for (int i = 0; i < n; i++) {
            if (iter > 0) slp_pso_move(s, i, iter);
            slp_pso_eval_particle(s, i);
        }
    }
}

static void check_stop(sl_pso *s, double improvement)
{
    if (s->cfg.target >= 0.0 && s->vp[s->gbest] == 0.0 &&
        s->fp[s->gbest] - s->cfg.optimum <= s->cfg.target) {
        s->reason = "target";
        s->done = 1;
    } else if (s->fes >= s->cfg.max_fes) {
        s->reason = "fes";
        s->done = 1;
    } else if (s->cfg.max_seconds > 0.0 && now_seconds() - s->t0 >= s->cfg.max_seconds) {
        s->reason = "time";
        s->done = 1;
    } else if (s->cfg.stagnation > 0) {
        if (improvement > s->cfg.stagnation_tol) s->stall = 0;
        else if (++s->stall >= s->cfg.stagnation) {
            s->reason = "stagnation";
            s->done = 1;
        }
    }
}

static sl_status initialise(sl_pso *s, sl_error *e)
{
    s->t0 = now_seconds();
    if (s->cfg.max_fes < s->S) s->active = (int)s->cfg.max_fes;
    for (int i = 0; i < s->active; i++) slp_pso_init_particle(s, i);
    eval_range(s, s->active, 0);
    sl_status st = collect_errors(s, s->active, NULL, e);
    for (int i = 0; i < s->active; i++) slp_pso_record(s, i, 1);
    if (st != SL_OK) return st;
    s->initialised = 1;
    sl_status hs = push_history(s, e);
    if (hs != SL_OK) return hs;
    check_stop(s, INFINITY);
    return SL_OK;
}

/* Improvement of the global best between (fa, va) and the current best, for stagnation. */
static double improvement_of(const sl_pso *s, double f0, double v0)
{
    double f1 = s->fp[s->gbest], v1 = s->vp[s->gbest];
    if (!slp_pso_better(s, f1, v1, f0, v0)) return 0.0;
    if (v0 > 0.0 || v1 > 0.0) return INFINITY;   /* feasibility progress counts as progress */
    if (!isfinite(f0)) return INFINITY;
    return f0 - f1;
}

static sl_status iterate_sync(sl_pso *s, sl_error *e)
{
    int iter = (int)(s->iter + 1);
    long long left = s->cfg.max_fes - s->fes;
    int n = left < s->active ? (int)left : s->active;
    update_tolerance(s);
    double f0 = s->fp[s->gbest], v0 = s->vp[s->gbest];
    slp_pso_topology_update(s, iter);
    for (int i = 0; i < n; i++) s->inf[i] = slp_pso_informant(s, i);
    s->w_now = slp_pso_inertia_now(s);
    eval_range(s, n, iter);
    sl_status st = collect_errors(s, n, NULL, e);
    for (int i = 0; i < n; i++) slp_pso_record(s, i, 0);
    if (st != SL_OK) return st;
    /* as SPSO-2011: re-draw the links after an iteration without improvement of the best */
    s->redraw = !slp_pso_better(s, s->fp[s->gbest], s->vp[s->gbest], f0, v0);
    s->iter++;
    sl_status hs = push_history(s, e);
    if (hs != SL_OK) return hs;
    check_stop(s, improvement_of(s, f0, v0));
    return SL_OK;
}

static sl_status iterate_async(sl_pso *s, sl_error *e)
{
    int iter = (int)(s->iter + 1);
    update_tolerance(s);
    double f0 = s->fp[s->gbest], v0 = s->vp[s->gbest];
    slp_pso_topology_update(s, iter);
    slp_pso_order(s, iter);
    for (int k = 0; k < s->active && s->fes < s->cfg.max_fes; k++) {
        int i = s->order[k];
        s->inf[i] = slp_pso_informant(s, i);
        s->w_now = slp_pso_inertia_now(s);
        slp_pso_move(s, i, iter);
        slp_pso_eval_particle(s, i);
        if (s->status[i] != SL_OK) return collect_errors(s, 1, &i, e);
        slp_pso_record(s, i, 0);
    }
    s->redraw = !slp_pso_better(s, s->fp[s->gbest], s->vp[s->gbest], f0, v0);
    s->iter++;
    sl_status hs = push_history(s, e);
    if (hs != SL_OK) return hs;
    check_stop(s, improvement_of(s, f0, v0));
    return SL_OK;
}

sl_status sl_pso_step(sl_pso *s, sl_error *e)
{
    sl_status st = SL_OK;
    if (!s->done) {
        if (!s->initialised) st = initialise(s, e);
        else if (s->cfg.async) st = iterate_async(s, e);
        else st = iterate_sync(s, e);
        if (st != SL_OK) {
            s->done = 1;
            s->reason = "error";
        }
    }
    return st;
}

bool sl_pso_done(const sl_pso *s) { return s->done; }

sl_status sl_pso_run(sl_pso *s, sl_error *e)
{
    while (!s->done) {
        sl_status st = sl_pso_step(s, e);
        if (st != SL_OK) return st;
    }
    return SL_OK;
}

double sl_pso_best_value(const sl_pso *s) { return s->fes ? s->fp[s->gbest] : INFINITY; }
double sl_pso_best_error(const sl_pso *s) { return sl_pso_best_value(s) - s->cfg.optimum; }
double sl_pso_best_violation(const sl_pso *s) { return s->fes ? s->vp[s->gbest] : INFINITY; }
const double *sl_pso_best_x(const sl_pso *s) { return s->p + (size_t)s->gbest * s->D; }
long long sl_pso_fes(const sl_pso *s) { return s->fes; }
long long sl_pso_iterations(const sl_pso *s) { return s->iter; }
long long sl_pso_nonfinite(const sl_pso *s) { return s->nonfinite; }
long long sl_pso_target_fes(const sl_pso *s) { return s->target_fes; }
const char *sl_pso_stop_reason(const sl_pso *s) { return s->reason; }
const sl_pso_history_entry *sl_pso_history(const sl_pso *s, int *n)
{
    *n = s->nhist;
    return s->hist;
}
int sl_pso_swarm_size(const sl_pso *s) { return s->active; }
int sl_pso_dim(const sl_pso *s) { return s->D; }
const double *sl_pso_positions(const sl_pso *s) { return s->x; }
const double *sl_pso_values(const sl_pso *s) { return s->fx; }
const double *sl_pso_pbest(const sl_pso *s) { return s->p; }
const sl_pso_def *sl_pso_def_used(const sl_pso *s) { return &s->cfg; }
const sl_pso_problem *sl_pso_problem_used(const sl_pso *s) { return &s->pb; }

const char *const sl_pso_variant_names[] = {"spso2011", "spso", "inertia", "ldw", "inertia_ldw",
                                            "constriction", NULL};
const char *const sl_pso_topology_names[] = {"default", "adaptive", "random", "global", "gbest",
                                             "ring", "lbest", "von_neumann", "vonneumann", NULL};
const char *const sl_pso_bounds_names[] = {"default", "confine", "clamp", "reflect", "random",
                                           "damp", NULL};

static int parse(const char *name, const char *const *names, const int *values)
{
    if (!name) return -1;
    for (int i = 0; names[i]; i++)
        if (strcmp(name, names[i]) == 0) return values[i];
    return -1;
}

int sl_pso_variant_parse(const char *name)
{
    static const int v[] = {SL_PSO_SPSO2011, SL_PSO_SPSO2011, SL_PSO_INERTIA, SL_PSO_LDW,
                            SL_PSO_LDW, SL_PSO_CONSTRICTION};
    return parse(name, sl_pso_variant_names, v);
}

int sl_pso_topology_parse(const char *name)
{
    static const int v[] = {SL_PSO_TOPO_DEFAULT, SL_PSO_TOPO_ADAPTIVE, SL_PSO_TOPO_ADAPTIVE,
                            SL_PSO_TOPO_GLOBAL, SL_PSO_TOPO_GLOBAL, SL_PSO_TOPO_RING,
                            SL_PSO_TOPO_RING, SL_PSO_TOPO_VON_NEUMANN, SL_PSO_TOPO_VON_NEUMANN};
    return parse(name, sl_pso_topology_names, v);
}

int sl_pso_bounds_parse(const char *name)
{
    static const int v[] = {SL_PSO_BOUNDS_DEFAULT, SL_PSO_BOUNDS_CONFINE, SL_PSO_BOUNDS_CLAMP,
                            SL_PSO_BOUNDS_REFLECT, SL_PSO_BOUNDS_RANDOM, SL_PSO_BOUNDS_DAMP};
    return parse(name, sl_pso_bounds_names, v);
}

const char *sl_pso_variant_name(sl_pso_variant v)
{
    switch (v) {
    case SL_PSO_SPSO2011: return "spso2011";
    case SL_PSO_INERTIA: return "inertia";
    case SL_PSO_LDW: return "ldw";
    case SL_PSO_CONSTRICTION: return "constriction";
    }
    return "?";
}

int sl_pso_offer(sl_pso *s, const double *x, double f)
{
    if (!s->initialised || s->fes == 0 || s->cfg.ng > 0 || s->cfg.nh > 0 || !(f == f)) return -1;
    int D = s->D;
    for (int d = 0; d < D; d++)
        if (!(x[d] >= s->lower[d] && x[d] <= s->upper[d])) return -1;
    int w = 0;
    for (int i = 1; i < s->active; i++)
        if (slp_pso_better(s, s->fp[w], s->vp[w], s->fp[i], s->vp[i])) w = i;
    if (!slp_pso_better(s, f, 0.0, s->fp[w], s->vp[w])) return 0;
    memcpy(s->p + (size_t)w * D, x, sizeof(double) * D);
    s->fp[w] = f;
    s->vp[w] = 0.0;
    s->gvp[w] = 0.0;
    if (slp_pso_better(s, f, 0.0, s->fp[s->gbest], s->vp[s->gbest])) s->gbest = w;
    return 1;
}
