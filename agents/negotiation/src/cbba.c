/* cbba.c - consensus-based bundle algorithm: greedy bundles, then agreement on winning bids with
 * the neighbours of a communication graph, in synchronous rounds. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "swarmlab/auction.h"

typedef struct cbba {
    const sl_alloc_problem *p;
    int A, T, L;          /* agents, tasks, bundle limit */
    double reward;
    double *y;            /* A x T winning bids as each agent believes */
    int *z;               /* A x T winners (-1 none) */
    double *s;            /* A x A time of the latest information from each agent */
    int *bundle, *nb;     /* A x T tasks in the order they were added; counts */
    int *path, *np;       /* A x T tasks in route order; counts */
    double *y0, *s0;      /* snapshots of the round start */
    int *z0;
} cbba;

static double D(const sl_alloc_problem *p, int i, int j)
{
    return p->dist[(size_t)i * (size_t)(p->nagents + p->ntasks) + (size_t)j];
}

/* Cheapest insertion of task t into agent a's path; returns the added cost. */
static double insertion(const cbba *c, int a, int t, int *pos)
{
    const sl_alloc_problem *p = c->p;
    const int *r = c->path + (size_t)a * (size_t)c->T;
    int n = c->np[a], tn = c->A + t;
    double best = INFINITY;
    for (int k = 0; k <= n; k++) {
        int prev = k == 0 ? a : c->A + r[k - 1];
        int next = k < n ? c->A + r[k] : (p->return_home ? a : -1);
        double d = D(p, prev, tn) + (next >= 0 ? D(p, tn, next) - D(p, prev, next) : 0.0);
        if (d < best) {
            best = d;
            *pos = k;
        }
    }
    return best;
}

/* Does bid (y1 by agent z1) beat bid (y2 by agent z2)? Ties go to the lower agent index. */
static int beats(double y1, int z1, double y2, int z2)
{
    if (z2 < 0)
        return z1 >= 0;
    return y1 > y2 || (y1 == y2 && z1 >= 0 && z1 < z2);
}

static int build_bundle(cbba *c, int a)
{
    int changed = 0;
    double *y = c->y + (size_t)a * (size_t)c->T;
    int *z = c->z + (size_t)a * (size_t)c->T;
    int *b = c->bundle + (size_t)a * (size_t)c->T;
    int *path = c->path + (size_t)a * (size_t)c->T;
    int limit = c->L;
    if (c->p->cap && c->p->cap[a] < limit)
        limit = c->p->cap[a];
    while (c->nb[a] < limit) {
        /* Bids never rise along a bundle (capped by the agent's earlier bids). */
        double cap = INFINITY;
        for (int k = 0; k < c->nb[a]; k++)
            if (y[b[k]] < cap)
                cap = y[b[k]];
        int bj = -1, bpos = 0;
        double bscore = -INFINITY;
        for (int j = 0; j < c->T; j++) {
            int in = 0;
            for (int k = 0; k < c->nb[a] && !in; k++)
                in = b[k] == j;
            if (in)
                continue;
            int pos = 0;
            double score = c->reward - insertion(c, a, j, &pos);
            if (score > cap)
                score = cap;
            if (score <= 0.0 || !beats(score, a, y[j], z[j]))
                continue;
            if (score > bscore) {
                bscore = score;
                bj = j;
                bpos = pos;
            }
        }
        if (bj < 0)
            break;
        b[c->nb[a]++] = bj;
        memmove(path + bpos + 1, path + bpos, (size_t)(c->np[a] - bpos) * sizeof(int));
        path[bpos] = bj;
        c->np[a]++;
        y[bj] = bscore;
        z[bj] = a;
        changed = 1;
    }
    return changed;
}

enum { LEAVE = 0, UPDATE, RESET };

/* The CBBA decision rule for task j: receiver i, sender k (sender's view y_k, z_k, s_k). */
static int rule(const cbba *c, int i, int k, int j)
{
    int T = c->T, A = c->A;
    double yk = c->y0[(size_t)k * (size_t)T + (size_t)j], yi = c->y[(size_t)i * (size_t)T + (size_t)j];
    int zk = c->z0[(size_t)k * (size_t)T + (size_t)j], zi = c->z[(size_t)i * (size_t)T + (size_t)j];
    const double *sk = c->s0 + (size_t)k * (size_t)A, *si = c->s + (size_t)i * (size_t)A;
    if (zk == k) {
        if (zi == i)
            return beats(yk, zk, yi, zi) ? UPDATE : LEAVE;
        if (zi == k || zi < 0)
            return UPDATE;
        return (sk[zi] > si[zi] || beats(yk, zk, yi, zi)) ? UPDATE : LEAVE;
    }
    if (zk == i) {
        if (zi == i || zi < 0)
            return LEAVE;
        if (zi == k)
            return RESET;
        return sk[zi] > si[zi] ? RESET : LEAVE;
    }
    if (zk >= 0) { /* a third agent m = zk */
        int m = zk;
        if (zi == i)
            return (sk[m] > si[m] && beats(yk, zk, yi, zi)) ? UPDATE : LEAVE;
        if (zi == k)
            return sk[m] > si[m] ? UPDATE : RESET;
        if (zi == m)
            return sk[m] > si[m] ? UPDATE : LEAVE;
        if (zi < 0)
            return sk[m] > si[m] ? UPDATE : LEAVE;
        int n = zi;
        if (sk[m] > si[m] && sk[n] > si[n])
            return UPDATE;
        if (sk[m] > si[m] && beats(yk, zk, yi, zi))
            return UPDATE;
        if (sk[n] > si[n] && si[m] > sk[m])
            return RESET;
        return LEAVE;
    }
    /* the sender knows no winner */
    if (zi == i || zi < 0)
        return LEAVE;
    if (zi == k)
        return UPDATE;
    return sk[zi] > si[zi] ? UPDATE : LEAVE;
}

/* Drops the first task the agent no longer wins and everything it added after it. */
static int release_lost(cbba *c, int a)
{
    int T = c->T;
    double *y = c->y + (size_t)a * (size_t)T;
    int *z = c->z + (size_t)a * (size_t)T;
    int *b = c->bundle + (size_t)a * (size_t)T;
    int first = -1;
    for (int n = 0; n < c->nb[a] && first < 0; n++)
        if (z[b[n]] != a)
            first = n;
    if (first < 0)
        return 0;
    for (int n = first + 1; n < c->nb[a]; n++)
        if (z[b[n]] == a) {
            y[b[n]] = 0.0;
            z[b[n]] = -1;
        }
    for (int n = first; n < c->nb[a]; n++) {
        int *path = c->path + (size_t)a * (size_t)T;
        for (int q = 0; q < c->np[a]; q++)
            if (path[q] == b[n]) {
                memmove(path + q, path + q + 1, (size_t)(c->np[a] - q - 1) * sizeof(int));
                c->np[a]--;
                break;
            }
    }
    c->nb[a] = first;
    return 1;
}

sl_cbba_def sl_cbba_def_default(void)
{
    sl_cbba_def d = {NULL, 0, 0, 0.0};
    return d;
}

sl_status sl_cbba(const sl_alloc_problem *p, const sl_cbba_def *o, sl_alloc_result *r,
                  int *rounds_out, sl_error *e)
{
    sl_alloc_result check_r;
    if (p->nagents <= 0 || p->ntasks < 0 || !p->dist)
        return sl_error_set(e, SL_ERR_RANGE, "allocation: need at least one agent (got %d) and "
                            "tasks >= 0 (got %d)", p->nagents, p->ntasks);
    /* The parallel auction is cheap and validates distances and capacities the same way. */
    sl_status st = sl_auction_parallel(p, &check_r, e);
    if (st != SL_OK)
        return st;
    sl_alloc_result_release(&check_r);
    cbba c;
    memset(&c, 0, sizeof c);
    c.p = p;
    c.A = p->nagents;
    c.T = p->ntasks;
    c.L = o && o->max_bundle > 0 ? o->max_bundle : (p->ntasks > 0 ? p->ntasks : 1);
    double dmax = 0.0;
    int n = c.A + c.T;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            if (D(p, i, j) > dmax)
                dmax = D(p, i, j);
    c.reward = o && o->reward > 0 ? o->reward : 3.0 * dmax + 1.0;
    int max_rounds = o && o->max_rounds > 0 ? o->max_rounds : 100 * (c.T + 1) + 10 * c.A;
    size_t AT = (size_t)c.A * (size_t)(c.T ? c.T : 1), AA = (size_t)c.A * (size_t)c.A;
    c.y = calloc(AT, sizeof(double));
    c.y0 = calloc(AT, sizeof(double));
    c.z = malloc(AT * sizeof(int));
    c.z0 = malloc(AT * sizeof(int));
    c.s = calloc(AA, sizeof(double));
    c.s0 = calloc(AA, sizeof(double));
    c.bundle = malloc(AT * sizeof(int));
    c.path = malloc(AT * sizeof(int));
    c.nb = calloc((size_t)c.A, sizeof(int));
    c.np = calloc((size_t)c.A, sizeof(int));
    st = SL_OK;
    if (!c.y || !c.y0 || !c.z || !c.z0 || !c.s || !c.s0 || !c.bundle || !c.path || !c.nb ||
        !c.np) {
        st = sl_error_set(e, SL_ERR_NOMEM, "cbba: out of memory");
        goto done;
    }
    for (size_t k = 0; k < AT; k++)
        c.z[k] = -1;
    int round = 0, stable = 0;
    /* Stop once nothing changed for as many rounds as the graph may need to spread a bid. */
    while (stable <= c.A && round < max_rounds) {
        round++;
        int changed = 0;
        for (int a = 0; a < c.A; a++)
            changed |= build_bundle(&c, a);
        memcpy(c.y0, c.y, AT * sizeof(double));
        memcpy(c.z0, c.z, AT * sizeof(int));
        memcpy(c.s0, c.s, AA * sizeof(double));
        for (int i = 0; i < c.A; i++) {
            for (int k = 0; k < c.A; k++) {
                if (k == i || (o && o->comm && !o->comm[(size_t)i * (size_t)c.A + (size_t)k]))
                    continue;
                for (int j = 0; j < c.T; j++) {
                    int act = rule(&c, i, k, j);
                    size_t ij = (size_t)i * (size_t)c.T + (size_t)j;
                    size_t kj = (size_t)k * (size_t)c.T + (size_t)j;
                    if (act == UPDATE && (c.y[ij] != c.y0[kj] || c.z[ij] != c.z0[kj])) {
                        c.y[ij] = c.y0[kj];
                        c.z[ij] = c.z0[kj];
                        changed = 1;
                    } else if (act == RESET && c.z[ij] != -1) {
                        c.y[ij] = 0.0;
                        c.z[ij] = -1;
                        changed = 1;
                    }
                }
                double *si = c.s + (size_t)i * (size_t)c.A;
                const double *sk = c.s0 + (size_t)k * (size_t)c.A;
                for (int m = 0; m < c.A; m++)
                    if (m != i && sk[m] > si[m])
                        si[m] = sk[m];
                si[k] = round;
            }
            changed |= release_lost(&c, i);
        }
        stable = changed ? 0 : stable + 1;
    }
    if (stable <= c.A) {
        st = sl_error_set(e, SL_ERR_STATE, "cbba: no agreement after %d rounds", round);
        goto done;
    }
    /* Every task in exactly one bundle? */
    for (int j = 0; j < c.T; j++) {
        int owners = 0;
        for (int a = 0; a < c.A; a++)
            for (int k = 0; k < c.nb[a]; k++)
                owners += c.bundle[(size_t)a * (size_t)c.T + (size_t)k] == j;
        if (owners != 1) {
            st = sl_error_set(e, SL_ERR_STATE, "cbba: task %d is in %d bundles after agreement "
                              "(bundle limits too small?)", j, owners);
            goto done;
        }
    }
    memset(r, 0, sizeof *r);
    r->nagents = c.A;
    r->ntasks = c.T;
    r->agent_of = malloc(((size_t)c.T + 1) * sizeof(int));
    r->order = malloc(((size_t)c.T + 1) * sizeof(int));
    r->start = calloc((size_t)c.A + 1, sizeof(int));
    if (!r->agent_of || !r->order || !r->start) {
        sl_alloc_result_release(r);
        st = sl_error_set(e, SL_ERR_NOMEM, "cbba: out of memory");
        goto done;
    }
    int k = 0;
    for (int a = 0; a < c.A; a++) {
        r->start[a] = k;
        const int *path = c.path + (size_t)a * (size_t)c.T;
        for (int q = 0; q < c.np[a]; q++) {
            r->order[k++] = path[q];
            r->agent_of[path[q]] = a;
        }
        r->cost += sl_alloc_route_cost(p, a, path, c.np[a]);
    }
    r->bids = (long)round * c.A * c.T;
    r->start[c.A] = k;
    if (rounds_out)
        *rounds_out = round;
done:
    free(c.y);
    free(c.y0);
    free(c.z);
    free(c.z0);
    free(c.s);
    free(c.s0);
    free(c.bundle);
    free(c.path);
    free(c.nb);
    free(c.np);
    return st;
}
