/* vrp_routemin.c - route minimisation for the vehicles-first objective: an ejection pool with
 * insertion-ejection steps and random feasible moves between steps (see vrp_internal.h). */
#include "vrp_internal.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define KMAX 3          /* jobs pushed out of one route by one insertion, at most */
#define SHAKE 40        /* random feasible moves after each insertion with ejections */
#define TW_EPS 1e-6

int slp_vrp_rm_init(slp_vrp_rm *m, const slp_vrp_ctx *c)
{
    memset(m, 0, sizeof *m);
    m->pool = malloc(((size_t)c->n + 1) * sizeof(int));
    m->fails = malloc(((size_t)c->n + 1) * sizeof(long long));
    if (!m->pool || !m->fails || slp_vrp_ls_init(&m->work, c) < 0) {
        slp_vrp_rm_release(m);
        return -1;
    }
    return 0;
}

void slp_vrp_rm_release(slp_vrp_rm *m)
{
    free(m->pool);
    free(m->fails);
    if (m->work.R) slp_vrp_ls_release(&m->work);
    memset(m, 0, sizeof *m);
}

/* ---- insertion of one job into one route with up to kmax jobs pushed out ---- */

typedef struct ejsearch {
    slp_vrp_ls *L;
    int r, u, kmax, len;
    const int *jobs;
    const long long *fails;
    int q, nej, ej[KMAX];          /* the branch being explored */
    long long best_sum;            /* best found so far (over routes) */
    double best_inc;
    int best_r, best_q, best_nej, best_ej[KMAX];
    int *list;                     /* job list for simulation (several windows) */
} ejsearch;

static int ejectable(const ejsearch *E, int job) { return E->L->c->v->jobs[job].partner < 0; }

/* The branch is complete: prefix seg, then the route from position pos on unchanged. */
static void close_branch(ejsearch *E, int pos, const sl_vrp_seg *seg, long long sum)
{
    const slp_vrp_ctx *c = E->L->c;
    sl_vrp_seg s;
    sl_vrp_seg_cat(c->v, c->speed[E->r], seg, &E->L->R[E->r].bw[pos], &s);
    sl_vrp_seg_cat(c->v, c->speed[E->r], &s, &c->dend[E->r], &s);
    int ok;
    double cost;
    if (s.multi) {
        int m = 0, e = 0;
        for (int k = 0; k <= E->len; k++) {
            if (k == E->q) E->list[m++] = E->u;
            if (k == E->len) break;
            if (e < E->nej && E->ej[e] == k) e++;
            else E->list[m++] = E->jobs[k];
        }
        cost = slp_vrp_sim_cost(c, E->r, E->list, m, &ok);
    } else {
        if (s.tw > TW_EPS) return;
        cost = slp_vrp_seg_cost(c, E->r, &s, &ok);
    }
    E->L->evals++;
    if (!ok) return;
    double inc = cost - E->L->R[E->r].cost;
    if (sum < E->best_sum || (sum == E->best_sum && inc < E->best_inc - 1e-9)) {
        E->best_sum = sum;
        E->best_inc = inc;
        E->best_r = E->r;
        E->best_q = E->q;
        E->best_nej = E->nej;
        memcpy(E->best_ej, E->ej, sizeof E->ej);
    }
}

/* Positions before pos are decided (seg: depot + what is kept, u when ins); branches on placing
 * u before pos, pushing out the job at pos, or keeping it. Time warp only grows along a route,
 * so a prefix with time warp ends the branch. */
static void branch(ejsearch *E, int pos, const sl_vrp_seg *seg, int ins, long long sum, int fresh)
{
    const slp_vrp_ctx *c = E->L->c;
    E->L->evals++;
    if (ins && fresh && E->nej > 0) close_branch(E, pos, seg, sum);
    if (!seg->multi && seg->tw > TW_EPS) return;
    sl_vrp_seg next;
    if (!ins) {
        sl_vrp_seg_cat(c->v, c->speed[E->r], seg, &c->jseg[E->u], &next);
        E->q = pos;
        branch(E, pos, &next, 1, sum, 1);
    }
    if (pos == E->len) return;
    int j = E->jobs[pos];
    if (E->nej < E->kmax && ejectable(E, j) && sum + E->fails[j] <= E->best_sum) {
        E->ej[E->nej++] = pos;
        branch(E, pos + 1, seg, ins, sum + E->fails[j], 1);
        E->nej--;
    }
    if (!ins || E->nej < E->kmax) {
        sl_vrp_seg_cat(c->v, c->speed[E->r], seg, &c->jseg[j], &next);
        branch(E, pos + 1, &next, ins, sum, 0);
    }
}

/* Inserts u pushing out the cheapest set of jobs (by failure counters, then cost) over all used
 * routes; the pushed-out jobs go to the pool. Returns 0 when no route can take u at all. */
static int insert_ejecting(slp_vrp_rm *m, int u)
{
    slp_vrp_ls *L = &m->work;
    const slp_vrp_ctx *c = L->c;
    ejsearch E;
    memset(&E, 0, sizeof E);
    E.L = L;
    E.u = u;
    E.fails = m->fails;
    E.best_sum = LLONG_MAX;
    E.best_inc = INFINITY;
    E.best_r = -1;
    E.list = L->tmp2;
    for (int r = 0; r < c->nveh; r++) {
        slp_vrp_route *R = &L->R[r];
        if (R->len == 0) continue;
        E.r = r;
        E.len = R->len;
        E.jobs = R->jobs;
        E.kmax = R->len > 60 ? 1 : R->len > 30 ? 2 : KMAX;
        E.nej = 0;
        branch(&E, 0, &c->dstart[r], 0, 0, 0);
    }
    if (E.best_r < 0) return 0;
    slp_vrp_route *R = &L->R[E.best_r];
    int mlen = 0, e = 0;
    for (int k = 0; k <= R->len; k++) {
        if (k == E.best_q) L->tmp[mlen++] = u;
        if (k == R->len) break;
        if (e < E.best_nej && E.best_ej[e] == k) {
            m->pool[m->npool++] = R->jobs[k];
            e++;
        } else {
            L->tmp[mlen++] = R->jobs[k];
        }
    }
    slp_vrp_ls_set_route(L, E.best_r, L->tmp, mlen);
    return 1;
}

/* ---- the attempt ---- */

static void start(slp_vrp_rm *m, const slp_vrp_ls *best, sl_rng *rng)
{
    slp_vrp_ls *L = &m->work;
    const slp_vrp_ctx *c = L->c;
    slp_vrp_ls_copy(L, best);
    int used = slp_vrp_ls_used(L);
    /* a random used route, shorter ones more often (two draws, keep the shorter) */
    int pick[2];
    for (int d = 0; d < 2; d++) {
        int t = (int)sl_rng_below(rng, (uint32_t)used);
        pick[d] = 0;
        for (int q = 0; q < c->nveh; q++)
            if (L->R[q].len > 0 && t-- == 0) {
                pick[d] = q;
                break;
            }
    }
    int r = L->R[pick[0]].len <= L->R[pick[1]].len ? pick[0] : pick[1];
    m->npool = 0;
    for (int k = L->R[r].len - 1; k >= 0; k--)
        if (c->v->jobs[L->R[r].jobs[k]].kind != SL_VRP_SHIP_DELIVERY) m->pool[m->npool++] = L->R[r].jobs[k];
    slp_vrp_ls_set_route(L, r, NULL, 0);
    for (int j = 0; j < c->n; j++) m->fails[j] = 1;
    m->steps = 0;
    m->active = 1;
}

int slp_vrp_rm_run(slp_vrp_rm *m, const slp_vrp_ls *best, sl_rng *rng, long long budget,
                   long long max_steps)
{
    slp_vrp_ls *L = &m->work;
    if (slp_vrp_ls_used(best) <= L->c->fleet_lb || slp_vrp_ls_used(best) < 2 ||
        slp_vrp_ls_unserved(best) > 0) return 0;
    if (!m->active) start(m, best, rng);
    long long end = L->evals + budget;
    while (L->evals < end && m->npool > 0) {
        if (slp_vrp_ls_expired(L)) return 0;
        if (m->steps++ >= max_steps) {
            m->active = 0;
            m->given_up++;
            return 0;
        }
        int u = m->pool[--m->npool];
        if (slp_vrp_ls_insert_job(L, u, 1)) continue;
        m->fails[u]++;
        if (!insert_ejecting(m, u)) {
            /* fits nowhere even alone (or a shipment): back to the bottom of the pool */
            memmove(m->pool + 1, m->pool, (size_t)m->npool * sizeof(int));
            m->pool[0] = u;
            m->npool++;
        }
        slp_vrp_ls_perturb(L, rng, SHAKE);
    }
    if (m->npool > 0) return 0;
    m->active = 0;
    m->given_up = 0;
    slp_vrp_ls_run(L);
    return slp_vrp_ls_unserved(L) == 0 && slp_vrp_ls_used(L) < slp_vrp_ls_used(best);
}
