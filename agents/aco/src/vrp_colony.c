/* vrp_colony.c - the ant colony for the rich VRP: construction under every constraint, local
 * search, ruin-and-recreate on the best-so-far, string ruin-and-recreate with annealing, route
 * minimisation or elimination, MAX-MIN pheromone. */
#include "aco_clock.h"
#include "swarmlab/vrp_aco.h"
#include "vrp_internal.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct scratch {          /* one per thread; never influences results */
    slp_vrp_ls ls;
    int *route, *pending;
    char *visited;
    double *w;
    int *cj, *cv;                 /* candidate jobs and vehicles of one choice */
    int *sim;                     /* job list for simulation (several windows) */
    char pad[64];
} scratch;

struct sl_vrp_aco {
    const sl_vrp *v;
    sl_vrp_aco_def p;
    slp_vrp_ctx ctx;
    int n, nthreads, nchains, trivial, done, weighted_vehicles;
    double *tau, tau_min, tau_max;
    scratch *scr;
    sl_vrp_sol *ant_sol;          /* per ant */
    double *ant_cost;
    slp_vrp_ls best, work, trial;
    slp_vrp_rm rm;                /* route minimisation (hierarchical objective) */
    slp_vrp_lns *lns;             /* per chain: ruin and recreate with annealing on a current plan */
    slp_vrp_ls *found;            /* per chain: its plan better than the best, if any */
    sl_vrp_sol best_sol;
    sl_vrp_kpi best_kpi;
    long long iter, moves, check_fail;
    double t0_wall, t0_cpu, time_best;
    slp_vrp_deadline dl;          /* the time limits as absolute clock readings */
    sl_vrp_aco_record *hist;
    int nhist, cap_hist;
};


sl_vrp_aco_def sl_vrp_aco_def_default(void)
{
    sl_vrp_aco_def d, *p = &d;
    memset(p, 0, sizeof *p);
    p->ants = 8;
    p->alpha = 1;
    p->beta = 2;
    p->rho = 0.1;
    p->q0 = 0.9;
    p->nn = 20;
    p->local_search = 1;
    p->kicks = -1;
    p->target_cost = -1;
    p->target_vehicles = -1;
    p->target_distance = -1;
    p->threads = 1;
    p->chains = 1;
    p->seed = 1;
    return d;
}

static sl_status check_params(const sl_vrp_aco_def *p, sl_error *e)
{
    if (p->ants < 1 || p->ants > 10000) return sl_error_set(e, SL_ERR_RANGE, "vrp colony: ants must be in 1..10000");
    if (!(p->alpha >= 0) || !(p->beta >= 0) || !isfinite(p->alpha) || !isfinite(p->beta))
        return sl_error_set(e, SL_ERR_RANGE, "vrp colony: alpha and beta must be finite and >= 0");
    if (!(p->rho > 0 && p->rho <= 1)) return sl_error_set(e, SL_ERR_RANGE, "vrp colony: rho must be in (0, 1]");
    if (!(p->q0 >= 0 && p->q0 <= 1)) return sl_error_set(e, SL_ERR_RANGE, "vrp colony: q0 must be in [0, 1]");
    if (p->nn < 1 || p->nn > 1000) return sl_error_set(e, SL_ERR_RANGE, "vrp colony: nn must be in 1..1000");
    if (p->kicks < -1 || p->kicks > 10000) return sl_error_set(e, SL_ERR_RANGE, "vrp colony: kicks must be in 0..10000");
    if (p->threads < 1 || p->threads > 1024) return sl_error_set(e, SL_ERR_RANGE, "vrp colony: threads must be in 1..1024");
    if (p->chains < 1 || p->chains > 64) return sl_error_set(e, SL_ERR_RANGE, "vrp colony: chains must be in 1..64");
    if (p->iterations < 0 || !(p->wall_time >= 0) || !(p->cpu_time >= 0))
        return sl_error_set(e, SL_ERR_RANGE, "vrp colony: iterations and times must be >= 0");
    return SL_OK;
}

/* ---- construction ---- */

static double tau_at(const sl_vrp_aco *c, int a, int b)
{
    return c->tau[(size_t)a * (c->n + 1) + (size_t)b];
}

/* Feasibility of the partial route `cur` (+ job j) + pending deliveries + end depot. */
static int can_append(sl_vrp_aco *c, scratch *S, int veh, const sl_vrp_seg *cur, int len, int j,
                      int npend)
{
    const slp_vrp_ctx *x = &c->ctx;
    const sl_vrp *v = c->v;
    double sp = x->speed[veh];
    sl_vrp_seg s;
    sl_vrp_seg_cat(v, sp, cur, &x->jseg[j], &s);
    if (s.tw > 1e-6) return 0;
    int extra = v->jobs[j].kind == SL_VRP_SHIP_PICKUP ? v->jobs[j].partner : -1;
    for (int q = 0; q < npend; q++)
        if (S->pending[q] != j) sl_vrp_seg_cat(v, sp, &s, &x->jseg[S->pending[q]], &s);
    if (extra >= 0) sl_vrp_seg_cat(v, sp, &s, &x->jseg[extra], &s);
    sl_vrp_seg_cat(v, sp, &s, &x->dend[veh], &s);
    const sl_vrp_vtype *t = &v->types[v->vehicle_type[veh]];
    if (s.multi) {
        int m = 0;
        for (int q = 0; q < len; q++) S->sim[m++] = S->route[q];
        S->sim[m++] = j;
        for (int q = 0; q < npend; q++)
            if (S->pending[q] != j) S->sim[m++] = S->pending[q];
        if (extra >= 0) S->sim[m++] = extra;
        sl_vrp_route_kpi k;
        sl_vrp_evaluate_route(v, veh, S->sim, m, &k);
        return k.feasible;
    }
    if (s.tw > 1e-6 || s.dur > t->max_duration + 1e-6 || s.dist > t->max_distance + 1e-6) return 0;
    for (int d = 0; d < v->ndim; d++)
        if (s.sload[d] + s.maxp[d] > t->capacity[d] + 1e-9) return 0;
    return 1;
}

static double visibility(const sl_vrp_aco *c, int veh, const sl_vrp_seg *cur, int j)
{
    const sl_vrp *v = c->v;
    const sl_vrp_job *J = &v->jobs[j];
    double now = cur->early + cur->dur - cur->tw;
    double tr = sl_vrp_time(v, cur->last, J->site) / c->ctx.speed[veh];
    double arrive = now + tr;
    int q = 0;
    while (q < J->nwin - 1 && J->close[q] < arrive) q++;
    double begin = fmax(arrive, J->open[q]);
    double d = begin - now;
    if (J->close[q] < SL_VRP_INF / 2) d *= fmax(1.0, J->close[q] - now);
    double dist = sl_vrp_dist(v, cur->last, J->site);
    d += dist; /* distance still matters when time does not */
    return 1.0 / fmax(d, 1e-6);
}

/* Builds one plan into sol. greedy = 1: always the best-scoring choice. */
static void construct(sl_vrp_aco *c, scratch *S, sl_rng *rng, int greedy, sl_vrp_sol *sol)
{
    const sl_vrp *v = c->v;
    const slp_vrp_ctx *x = &c->ctx;
    int n = c->n;
    memset(S->visited, 0, (size_t)n);
    for (int r = 0; r < v->nveh; r++) sl_vrp_sol_set_route(sol, r, NULL, 0);
    char *used = S->visited + n; /* nveh bytes after the jobs */
    memset(used, 0, (size_t)v->nveh);
    int left = n;
    double q0 = greedy ? 1.0 : c->p.q0;
    int ticks = 0, stop = 0;
    while (left > 0 && !stop) {
        /* first job and vehicle together: one unused vehicle per type */
        int nc = 0;
        double sum = 0, bestw = -1;
        int bi = -1;
        for (int q = 0; q < v->nveh; q += v->types[v->vehicle_type[q]].count) {
            int veh = -1, cnt = v->types[v->vehicle_type[q]].count;
            for (int z = q; z < q + cnt; z++)
                if (!used[z]) {
                    veh = z;
                    break;
                }
            if (veh < 0) continue;
            for (int j = 0; j < n; j++) {
                if (S->visited[j] || v->jobs[j].kind == SL_VRP_SHIP_DELIVERY) continue;
                if (!can_append(c, S, veh, &x->dstart[veh], 0, j, 0)) continue;
                double w = pow(tau_at(c, n, j), c->p.alpha) *
                           pow(visibility(c, veh, &x->dstart[veh], j), c->p.beta);
                S->cj[nc] = j;
                S->cv[nc] = veh;
                S->w[nc] = w;
                sum += w;
                if (w > bestw) bestw = w, bi = nc;
                nc++;
            }
        }
        if (nc == 0) break; /* no vehicle can take any remaining job */
        int pick = bi < 0 ? 0 : bi;
        if (sl_rng_uniform(rng) >= q0 && sum > 0) {
            double u = sl_rng_uniform(rng) * sum, acc = 0;
            for (int i = 0; i < nc; i++) {
                acc += S->w[i];
                if (acc >= u) {
                    pick = i;
                    break;
                }
            }
        }
        int veh = S->cv[pick], j = S->cj[pick];
        used[veh] = 1;
        double sp = x->speed[veh];
        sl_vrp_seg cur = x->dstart[veh];
        int len = 0, npend = 0, prev = n;
        for (;;) {
            /* append j */
            S->route[len++] = j;
            S->visited[j] = 1;
            left--;
            sl_vrp_seg_cat(v, sp, &cur, &x->jseg[j], &cur);
            if (v->jobs[j].kind == SL_VRP_SHIP_PICKUP) S->pending[npend++] = v->jobs[j].partner;
            for (int q = 0; q < npend; q++)
                if (S->pending[q] == j) {
                    memmove(S->pending + q, S->pending + q + 1, (size_t)(npend - q - 1) * sizeof(int));
                    npend--;
                    break;
                }
            prev = j;
            /* once the time limit has passed the plan ends with this route (the rest unserved) */
            if (++ticks % 8 == 0 && slp_vrp_deadline_passed(&c->dl)) {
                stop = 1;
                break;
            }
            /* next */
            nc = 0;
            sum = 0;
            bestw = -1;
            bi = -1;
            for (int k = 0; k < n; k++) {
                if (S->visited[k]) continue;
                if (v->jobs[k].kind == SL_VRP_SHIP_DELIVERY) {
                    int pend = 0;
                    for (int q = 0; q < npend; q++) pend |= S->pending[q] == k;
                    if (!pend) continue;
                }
                if (!can_append(c, S, veh, &cur, len, k, npend)) continue;
                double w = pow(tau_at(c, prev, k), c->p.alpha) * pow(visibility(c, veh, &cur, k), c->p.beta);
                S->cj[nc] = k;
                S->w[nc] = w;
                sum += w;
                if (w > bestw) bestw = w, bi = nc;
                nc++;
            }
            if (nc == 0) break;
            pick = bi < 0 ? 0 : bi;
            if (sl_rng_uniform(rng) >= q0 && sum > 0) {
                double u = sl_rng_uniform(rng) * sum, acc = 0;
                for (int i = 0; i < nc; i++) {
                    acc += S->w[i];
                    if (acc >= u) {
                        pick = i;
                        break;
                    }
                }
            }
            j = S->cj[pick];
        }
        /* pending deliveries (none when every candidate was checked with them) */
        for (int q = 0; q < npend; q++) {
            S->route[len++] = S->pending[q];
            S->visited[S->pending[q]] = 1;
            left--;
        }
        sl_vrp_sol_set_route(sol, veh, S->route, len);
    }
}

/* ---- colony ---- */

static int scratch_init(sl_vrp_aco *c, scratch *S)
{
    int n = c->n, V = c->v->nveh;
    memset(S, 0, sizeof *S);
    size_t cands = (size_t)n * (size_t)(c->v->ntypes) + 1;
    S->route = malloc(((size_t)n + 1) * sizeof(int));
    S->pending = malloc(((size_t)n + 1) * sizeof(int));
    S->sim = malloc(((size_t)n + 2) * sizeof(int));
    S->visited = malloc((size_t)n + (size_t)V + 1);
    S->w = malloc(cands * sizeof(double));
    S->cj = malloc(cands * sizeof(int));
    S->cv = malloc(cands * sizeof(int));
    if (!S->route || !S->pending || !S->sim || !S->visited || !S->w || !S->cj || !S->cv) return -1;
    if (slp_vrp_ls_init(&S->ls, &c->ctx) < 0) return -1;
    S->ls.check = c->p.check;
    S->ls.deadline = &c->dl;
    return 0;
}

static void scratch_free(scratch *S)
{
    free(S->route);
    free(S->pending);
    free(S->sim);
    free(S->visited);
    free(S->w);
    free(S->cj);
    free(S->cv);
    if (S->ls.R) slp_vrp_ls_release(&S->ls);
}

static void refresh_best(sl_vrp_aco *c)
{
    slp_vrp_ls_store(&c->best, &c->best_sol);
    sl_vrp_evaluate(c->v, &c->best_sol, &c->best_kpi, NULL);
    c->time_best = slp_aco_wall_now() - c->t0_wall;
}

static void set_trails(sl_vrp_aco *c)
{
    double L = c->best_kpi.distance > 0 ? c->best_kpi.distance : 1.0;
    c->tau_max = 1.0 / (c->p.rho * L);
    c->tau_min = c->tau_max / (2.0 * (c->n + 1));
}

static void record(sl_vrp_aco *c)
{
    if (c->nhist == c->cap_hist) {
        int nc = c->cap_hist ? c->cap_hist * 2 : 64;
        sl_vrp_aco_record *h = realloc(c->hist, (size_t)nc * sizeof *h);
        if (!h) return;
        c->hist = h;
        c->cap_hist = nc;
    }
    sl_vrp_aco_record *r = &c->hist[c->nhist++];
    r->iteration = c->iter;
    r->seconds = slp_aco_wall_now() - c->t0_wall;
    r->cost = c->best_kpi.cost;
    r->vehicles = c->best_kpi.vehicles;
    r->unserved = c->best_kpi.unserved;
    r->distance = c->best_kpi.distance;
}

static int time_up(const sl_vrp_aco *c) { return slp_vrp_deadline_passed(&c->dl); }

static void update_done(sl_vrp_aco *c)
{
    if (c->trivial) {
        c->done = 1;
        return;
    }
    const sl_vrp_kpi *k = &c->best_kpi;
    if (c->p.iterations > 0 && c->iter >= c->p.iterations) c->done = 1;
    if (time_up(c)) c->done = 1;
    if (c->p.target_cost >= 0 && k->unserved_mandatory == 0 && k->cost <= c->p.target_cost + 1e-9)
        c->done = 1;
    if (c->p.target_vehicles >= 0 && k->unserved == 0 && k->vehicles <= c->p.target_vehicles &&
        (c->p.target_distance < 0 || k->distance <= c->p.target_distance + 1e-9))
        c->done = 1;
}

sl_vrp_aco *sl_vrp_aco_create(const sl_vrp_aco_def *p, const sl_vrp *v, sl_error *e)
{
    if (!v->finished) {
        sl_error_set(e, SL_ERR_STATE, "vrp colony: the model is not finished");
        return NULL;
    }
    if (check_params(p, e) != SL_OK) return NULL;
    sl_vrp_aco *c = calloc(1, sizeof *c);
    if (!c) {
        sl_error_set(e, SL_ERR_NOMEM, "vrp colony: out of memory");
        return NULL;
    }
    c->v = v;
    c->p = *p;
    c->p.warm = NULL;
    if (c->p.kicks < 0) c->p.kicks = 10;
    c->n = v->njobs;
    c->t0_wall = slp_aco_wall_now();
    c->t0_cpu = slp_aco_cpu_now();
    c->dl.wall_end = p->wall_time > 0 ? c->t0_wall + p->wall_time : 0;
    c->dl.cpu_end = p->cpu_time > 0 ? c->t0_cpu + p->cpu_time : 0;
    c->nthreads = p->threads;
    c->nchains = p->chains;
    for (int t = 0; t < v->ntypes; t++) c->weighted_vehicles |= v->types[t].fixed > 0;
    if (v->objective == SL_VRP_HIERARCHICAL) c->weighted_vehicles = 1;
    int ok = slp_vrp_ctx_init(&c->ctx, v, p->nn) == 0;
    size_t nt = (size_t)(c->n + 1) * (size_t)(c->n + 1);
    if (ok) c->tau = malloc(nt * sizeof(double));
    c->scr = calloc((size_t)c->nthreads, sizeof(scratch));
    c->ant_sol = calloc((size_t)p->ants, sizeof(sl_vrp_sol));
    c->ant_cost = calloc((size_t)p->ants, sizeof(double));
    c->lns = calloc((size_t)c->nchains, sizeof(slp_vrp_lns));
    c->found = calloc((size_t)c->nchains, sizeof(slp_vrp_ls));
    ok = ok && c->tau && c->scr && c->ant_sol && c->ant_cost && c->lns && c->found;
    for (int k = 0; ok && k < c->nchains; k++)
        ok = slp_vrp_lns_init(&c->lns[k], &c->ctx) == 0 && slp_vrp_ls_init(&c->found[k], &c->ctx) == 0;
    for (int t = 0; ok && t < c->nthreads; t++) ok = scratch_init(c, &c->scr[t]) == 0;
    for (int a = 0; ok && a < p->ants; a++) ok = sl_vrp_sol_init(&c->ant_sol[a], v->nveh) == SL_OK;
    ok = ok && slp_vrp_ls_init(&c->best, &c->ctx) == 0 && slp_vrp_ls_init(&c->work, &c->ctx) == 0 &&
         slp_vrp_ls_init(&c->trial, &c->ctx) == 0 && slp_vrp_rm_init(&c->rm, &c->ctx) == 0 &&
         sl_vrp_sol_init(&c->best_sol, v->nveh) == SL_OK;
    if (!ok) {
        sl_vrp_aco_destroy(c);
        sl_error_set(e, SL_ERR_NOMEM, "vrp colony: out of memory");
        return NULL;
    }
    c->best.check = c->work.check = c->trial.check = p->check;
    c->best.deadline = c->work.deadline = c->trial.deadline = c->rm.work.deadline = &c->dl;
    c->rm.work.check = p->check;
    for (int k = 0; k < c->nchains; k++) {
        slp_vrp_lns *s = &c->lns[k];
        s->cur.check = s->work.check = c->found[k].check = p->check;
        s->cur.deadline = s->work.deadline = c->found[k].deadline = &c->dl;
        s->used_only = v->objective == SL_VRP_HIERARCHICAL;
    }
    if (c->n == 0) {
        c->trivial = 1;
        refresh_best(c);
        c->done = 1;
        return c;
    }
    if (p->warm) {
        if (p->warm->nveh != v->nveh || slp_vrp_ls_load(&c->best, p->warm) < 0) {
            sl_vrp_aco_destroy(c);
            sl_error_set(e, SL_ERR_RANGE, "vrp colony: the warm-start plan is not feasible for this "
                         "model (a route breaks a constraint, or a job appears twice)");
            return NULL;
        }
    } else {
        for (size_t i = 0; i < nt; i++) c->tau[i] = 1.0;
        sl_rng r = sl_rng_make(p->seed, SL_VRP_ACO_STREAM, (uint64_t)-1, 0);
        construct(c, &c->scr[0], &r, 1, &c->ant_sol[0]);
        slp_vrp_ls_load(&c->best, &c->ant_sol[0]);
    }
    if (p->local_search) slp_vrp_ls_run(&c->best);
    else slp_vrp_ls_insert_unserved(&c->best);
    refresh_best(c);
    set_trails(c);
    for (size_t i = 0; i < nt; i++) c->tau[i] = c->tau_max;
    record(c);
    update_done(c);
    return c;
}

void sl_vrp_aco_destroy(sl_vrp_aco *c)
{
    if (!c) return;
    if (c->scr)
        for (int t = 0; t < c->nthreads; t++) scratch_free(&c->scr[t]);
    free(c->scr);
    if (c->ant_sol)
        for (int a = 0; a < c->p.ants; a++) sl_vrp_sol_release(&c->ant_sol[a]);
    free(c->ant_sol);
    free(c->ant_cost);
    if (c->best.R) slp_vrp_ls_release(&c->best);
    if (c->work.R) slp_vrp_ls_release(&c->work);
    if (c->trial.R) slp_vrp_ls_release(&c->trial);
    slp_vrp_rm_release(&c->rm);
    for (int k = 0; k < c->nchains; k++) {
        if (c->lns) slp_vrp_lns_release(&c->lns[k]);
        if (c->found && c->found[k].R) slp_vrp_ls_release(&c->found[k]);
    }
    free(c->lns);
    free(c->found);
    sl_vrp_sol_release(&c->best_sol);
    free(c->tau);
    free(c->hist);
    slp_vrp_ctx_release(&c->ctx);
    free(c);
}

static void deposit(sl_vrp_aco *c)
{
    int n = c->n;
    size_t nt = (size_t)(n + 1) * (size_t)(n + 1);
    double keep = 1.0 - c->p.rho;
    for (size_t i = 0; i < nt; i++) c->tau[i] *= keep;
    double add = 1.0 / (c->best_kpi.distance > 0 ? c->best_kpi.distance : 1.0);
    const sl_vrp_sol *s = &c->best_sol;
    for (int r = 0; r < s->nveh; r++) {
        int prev = n;
        for (int i = s->start[r]; i < s->start[r + 1]; i++) {
            c->tau[(size_t)prev * (n + 1) + s->jobs[i]] += add;
            prev = s->jobs[i];
        }
        if (s->start[r + 1] > s->start[r]) c->tau[(size_t)prev * (n + 1) + n] += add;
    }
    for (size_t i = 0; i < nt; i++) c->tau[i] = fmin(c->tau_max, fmax(c->tau_min, c->tau[i]));
}

#define RM_MIN_EVALS 1000
#define RM_SHARE 12
#define RM_GIVE_UP 30
#define LNS_SHARE 32
#define LNS_MIN_EVALS 20000

/* Ruin and recreate on the best-so-far, the annealed string ruin-and-recreate (LNS_SHARE times the
 * ants' evaluations), then route minimisation or elimination. */
static void improve_best(sl_vrp_aco *c, long long ant_evals)
{
    sl_rng r = sl_rng_make(c->p.seed, SL_VRP_ACO_KICK_STREAM, 0, (uint64_t)c->iter);
    int n = c->n;
    int size = n / 10;
    if (size < 2) size = 2;
    if (size > 30) size = 30;
    for (int k = 0; k < c->p.kicks; k++) {
        if (time_up(c)) break;
        slp_vrp_ls_copy(&c->work, &c->best);
        slp_vrp_ls_ruin(&c->work, &r, -1, 1 + (int)sl_rng_below(&r, (uint32_t)size));
        if (c->p.local_search) slp_vrp_ls_run(&c->work);
        else slp_vrp_ls_insert_unserved(&c->work);
        if (c->work.cost < c->best.cost - 1e-7 * fmax(1.0, fabs(c->best.cost))) {
            slp_vrp_ls_copy(&c->best, &c->work);
            refresh_best(c);
        }
    }
    if (!time_up(c)) {
        /* ruin and recreate with annealing, each chain on its own current plan and random
           stream, the chains in parallel; a plan better than the best gets the local search, and
           the chains' plans are taken in chain order (the result does not depend on threads) */
        long long share = LNS_SHARE * ant_evals;
        if (share < LNS_MIN_EVALS) share = LNS_MIN_EVALS;
        int nk = c->nchains, nth = c->nthreads < nk ? c->nthreads : nk;
        char hit[64];
#pragma omp parallel for num_threads(nth) schedule(static, 1)
        for (int k = 0; k < nk; k++) {
            c->lns[k].absent_ok = slp_vrp_lns_absences_apply(&c->best, c->rm.given_up);
            sl_rng lr = sl_rng_make(c->p.seed, SL_VRP_ACO_KICK_STREAM, 1 + (uint64_t)k, (uint64_t)c->iter);
            hit[k] = (char)slp_vrp_lns_run(&c->lns[k], &c->best, &lr, share, &c->found[k]);
            if (hit[k] && c->p.local_search) slp_vrp_ls_run(&c->found[k]);
        }
        for (int k = 0; k < nk; k++)
            if (hit[k] && c->found[k].cost < c->best.cost - 1e-7 * fmax(1.0, fabs(c->best.cost))) {
                slp_vrp_ls_copy(&c->best, &c->found[k]);
                refresh_best(c);
            }
    }
    if (!c->weighted_vehicles || time_up(c)) return;
    if (c->v->objective == SL_VRP_HIERARCHICAL) {
        /* route minimisation: RM_SHARE times the evaluations the ants spent per iteration (fewer after
           each attempt given up, so the search turns to distance), an attempt given up after
           RM_GIVE_UP pool steps per job */
        long long share = RM_SHARE * ant_evals / (1 + c->rm.given_up);
        if (share < RM_MIN_EVALS) share = RM_MIN_EVALS;
        if (slp_vrp_rm_run(&c->rm, &c->best, &r, share, (long long)RM_GIVE_UP * n) &&
            c->rm.work.cost < c->best.cost) {
            slp_vrp_ls_copy(&c->best, &c->rm.work);
            refresh_best(c);
        }
        return;
    }
    int used = slp_vrp_ls_used(&c->best);
    if (used < 2) return;
    /* a random used route, smaller routes more often (two draws, keep the shorter) */
    int pick[2];
    for (int d = 0; d < 2; d++) {
        int t = (int)sl_rng_below(&r, (uint32_t)used);
        pick[d] = -1;
        for (int q = 0; q < c->v->nveh; q++)
            if (c->best.R[q].len > 0 && t-- == 0) {
                pick[d] = q;
                break;
            }
    }
    int rr = c->best.R[pick[0]].len <= c->best.R[pick[1]].len ? pick[0] : pick[1];
    slp_vrp_ls_copy(&c->work, &c->best);
    slp_vrp_ls_clear_route(&c->work, rr);
    slp_vrp_ls_run(&c->work);
    /* ejection rounds: remove the neighbourhood of a job still out and repair; keep a round
     * when the search cost falls (an unserved job outweighs any fleet or distance change) */
    for (int t = 0; t < 25 && slp_vrp_ls_unserved(&c->work) > slp_vrp_ls_unserved(&c->best); t++) {
        if (time_up(c)) break;
        int out = slp_vrp_ls_unserved(&c->work), pick = (int)sl_rng_below(&r, (uint32_t)out), u = -1;
        for (int j = 0; j < n && u < 0; j++)
            if (c->work.route_of[j] < 0 && pick-- == 0) u = j;
        slp_vrp_ls_copy(&c->trial, &c->work);
        slp_vrp_ls_ruin(&c->trial, &r, u, size);
        slp_vrp_ls_run(&c->trial);
        if (c->trial.cost < c->work.cost - 1e-7 * fmax(1.0, fabs(c->work.cost)))
            slp_vrp_ls_copy(&c->work, &c->trial);
    }
    if (c->work.cost < c->best.cost - 1e-7 * fmax(1.0, fabs(c->best.cost))) {
        slp_vrp_ls_copy(&c->best, &c->work);
        refresh_best(c);
    }
}

sl_status sl_vrp_aco_step(sl_vrp_aco *c, sl_error *e)
{
    (void)e;
    if (c->done) return SL_OK;
    c->iter++;
    int ants = c->p.ants;
    long long evals0 = 0, evals1 = 0;
    for (int t = 0; t < c->nthreads; t++) evals0 += c->scr[t].ls.evals;
    /* small problems: waking threads costs more than the ants' work (results are the same) */
    int nth = c->n < 48 ? 1 : c->nthreads;
#pragma omp parallel for num_threads(nth) schedule(dynamic, 1)
    for (int a = 0; a < ants; a++) {
        scratch *S = &c->scr[omp_get_thread_num()];
        if (time_up(c)) { /* the ants left once the limit has passed do nothing */
            c->ant_cost[a] = INFINITY;
            continue;
        }
        sl_rng r = sl_rng_make(c->p.seed, SL_VRP_ACO_STREAM, (uint64_t)a, (uint64_t)c->iter);
        construct(c, S, &r, 0, &c->ant_sol[a]);
        slp_vrp_ls_load(&S->ls, &c->ant_sol[a]);
        if (c->p.local_search) slp_vrp_ls_run(&S->ls);
        else slp_vrp_ls_insert_unserved(&S->ls);
        slp_vrp_ls_store(&S->ls, &c->ant_sol[a]);
        c->ant_cost[a] = S->ls.cost;
    }
    for (int t = 0; t < c->nthreads; t++) evals1 += c->scr[t].ls.evals;
    int ib = 0;
    for (int a = 1; a < ants; a++)
        if (c->ant_cost[a] < c->ant_cost[ib]) ib = a;
    if (c->ant_cost[ib] < c->best.cost - 1e-7 * fmax(1.0, fabs(c->best.cost))) {
        slp_vrp_ls_load(&c->best, &c->ant_sol[ib]);
        refresh_best(c);
        set_trails(c);
    }
    improve_best(c, evals1 - evals0);
    deposit(c);
    record(c);
    update_done(c);
    return SL_OK;
}

bool sl_vrp_aco_done(const sl_vrp_aco *c) { return c->done; }

sl_status sl_vrp_aco_run(sl_vrp_aco *c, sl_error *e)
{
    while (!c->done) {
        sl_status st = sl_vrp_aco_step(c, e);
        if (st != SL_OK) return st;
    }
    return SL_OK;
}

const sl_vrp_sol *sl_vrp_aco_best(const sl_vrp_aco *c) { return &c->best_sol; }
const sl_vrp_kpi *sl_vrp_aco_best_kpi(const sl_vrp_aco *c) { return &c->best_kpi; }
long long sl_vrp_aco_iterations(const sl_vrp_aco *c) { return c->iter; }
double sl_vrp_aco_seconds(const sl_vrp_aco *c) { return slp_aco_wall_now() - c->t0_wall; }
double sl_vrp_aco_cpu_seconds(const sl_vrp_aco *c) { return slp_aco_cpu_now() - c->t0_cpu; }
double sl_vrp_aco_time_to_best(const sl_vrp_aco *c) { return c->time_best; }

const sl_vrp_aco_record *sl_vrp_aco_history(const sl_vrp_aco *c, int *count)
{
    *count = c->nhist;
    return c->hist;
}

long long sl_vrp_aco_check_failures(const sl_vrp_aco *c)
{
    long long f = c->best.check_fail + c->work.check_fail + c->trial.check_fail + c->rm.work.check_fail;
    for (int k = 0; k < c->nchains; k++)
        f += c->lns[k].cur.check_fail + c->lns[k].work.check_fail + c->found[k].check_fail;
    for (int t = 0; t < c->nthreads; t++) f += c->scr[t].ls.check_fail;
    return f;
}

long long sl_vrp_aco_moves(const sl_vrp_aco *c)
{
    long long m = c->best.moves + c->work.moves + c->trial.moves + c->rm.work.moves;
    for (int k = 0; k < c->nchains; k++) m += c->lns[k].cur.moves + c->lns[k].work.moves + c->found[k].moves;
    for (int t = 0; t < c->nthreads; t++) m += c->scr[t].ls.moves;
    return m;
}

sl_status sl_vrp_aco_write_convergence(const sl_vrp_aco *c, const char *path, sl_error *e)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) return sl_error_set(e, SL_ERR_IO, "%s: cannot write", path);
    fprintf(f, "iteration,seconds,cost,vehicles,distance,unserved\n");
    for (int i = 0; i < c->nhist; i++) {
        const sl_vrp_aco_record *r = &c->hist[i];
        fprintf(f, "%lld,%.6f,%.6f,%d,%.6f,%d\n", r->iteration, r->seconds, r->cost, r->vehicles,
                r->distance, r->unserved);
    }
    int bad = ferror(f);
    if (fclose(f) != 0) bad = 1;
    if (bad || rename(tmp, path) != 0) {
        remove(tmp);
        return sl_error_set(e, SL_ERR_IO, "%s: write failed", path);
    }
    return SL_OK;
}
