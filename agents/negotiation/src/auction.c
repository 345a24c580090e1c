/* auction.c - sequential and parallel single-item auctions with insertion bids; exact optimum. */
#include "swarmlab/auction.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define OPT_MAX_TASKS 12

static double D(const sl_alloc_problem *p, int i, int j)
{
    return p->dist[(size_t)i * (size_t)(p->nagents + p->ntasks) + (size_t)j];
}

static sl_status check(const sl_alloc_problem *p, sl_error *e)
{
    if (p->nagents <= 0 || p->ntasks < 0 || !p->dist)
        return sl_error_set(e, SL_ERR_RANGE, "allocation: need at least one agent (got %d) and "
                            "tasks >= 0 (got %d)", p->nagents, p->ntasks);
    int n = p->nagents + p->ntasks;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double d = D(p, i, j);
            if (!(d >= 0.0) || !isfinite(d))
                return sl_error_set(e, SL_ERR_RANGE, "allocation: distance %d->%d is %g "
                                    "(must be finite and >= 0)", i, j, d);
        }
    if (p->cap) {
        long total = 0;
        for (int a = 0; a < p->nagents; a++) {
            if (p->cap[a] < 0)
                return sl_error_set(e, SL_ERR_RANGE, "allocation: capacity of agent %d is %d",
                                    a, p->cap[a]);
            total += p->cap[a];
        }
        if (total < p->ntasks)
            return sl_error_set(e, SL_ERR_RANGE, "allocation: capacities (%ld) cannot take %d "
                                "tasks", total, p->ntasks);
    }
    return SL_OK;
}

double sl_alloc_route_cost(const sl_alloc_problem *p, int a, const int *tasks, int n)
{
    double c = 0.0;
    int prev = a;
    for (int k = 0; k < n; k++) {
        c += D(p, prev, p->nagents + tasks[k]);
        prev = p->nagents + tasks[k];
    }
    if (p->return_home && n > 0)
        c += D(p, prev, a);
    return c;
}

/* Cheapest insertion of task t into route r (n tasks) of agent a: returns the added cost. */
static double best_insertion(const sl_alloc_problem *p, int a, const int *r, int n, int t, int *pos)
{
    int tn = p->nagents + t;
    double best = INFINITY;
    for (int k = 0; k <= n; k++) {
        int prev = k == 0 ? a : p->nagents + r[k - 1];
        int next = k < n ? p->nagents + r[k] : (p->return_home ? a : -1);
        double delta = D(p, prev, tn) + (next >= 0 ? D(p, tn, next) - D(p, prev, next) : 0.0);
        if (delta < best) {
            best = delta;
            *pos = k;
        }
    }
    return best;
}

static void insert_at(int *r, int *n, int pos, int t)
{
    memmove(r + pos + 1, r + pos, (size_t)(*n - pos) * sizeof *r);
    r[pos] = t;
    (*n)++;
}

static int cap_of(const sl_alloc_problem *p, int a)
{
    return p->cap ? p->cap[a] : p->ntasks;
}

static sl_status result_alloc(const sl_alloc_problem *p, sl_alloc_result *r, sl_error *e)
{
    memset(r, 0, sizeof *r);
    r->nagents = p->nagents;
    r->ntasks = p->ntasks;
    size_t t = (size_t)p->ntasks + 1;
    r->agent_of = malloc(t * sizeof(int));
    r->order = malloc(t * sizeof(int));
    r->start = calloc((size_t)p->nagents + 1, sizeof(int));
    if (!r->agent_of || !r->order || !r->start) {
        sl_alloc_result_release(r);
        return sl_error_set(e, SL_ERR_NOMEM, "allocation: out of memory");
    }
    return SL_OK;
}

/* Packs per-agent routes (routes + a*T, lengths len[a]) into r and computes the cost. */
static void pack(const sl_alloc_problem *p, const int *routes, const int *len, sl_alloc_result *r)
{
    int k = 0;
    r->cost = 0.0;
    for (int a = 0; a < p->nagents; a++) {
        r->start[a] = k;
        const int *ra = routes + (size_t)a * (size_t)p->ntasks;
        for (int i = 0; i < len[a]; i++) {
            r->order[k++] = ra[i];
            r->agent_of[ra[i]] = a;
        }
        r->cost += sl_alloc_route_cost(p, a, ra, len[a]);
    }
    r->start[p->nagents] = k;
}

void sl_alloc_result_release(sl_alloc_result *r)
{
    free(r->agent_of);
    free(r->order);
    free(r->start);
    r->agent_of = r->order = r->start = NULL;
}

sl_status sl_auction_sequential(const sl_alloc_problem *p, sl_alloc_result *r, sl_error *e)
{
    sl_status s = check(p, e);
    if (s != SL_OK || (s = result_alloc(p, r, e)) != SL_OK)
        return s;
    int A = p->nagents, T = p->ntasks;
    int *routes = malloc(((size_t)A * (size_t)T + 1) * sizeof(int));
    int *len = calloc((size_t)A, sizeof(int));
    char *done = calloc((size_t)T + 1, 1);
    if (!routes || !len || !done) {
        free(routes);
        free(len);
        free(done);
        sl_alloc_result_release(r);
        return sl_error_set(e, SL_ERR_NOMEM, "allocation: out of memory");
    }
    for (int round = 0; round < T; round++) {
        double best = INFINITY;
        int ba = -1, bt = -1, bpos = 0;
        for (int a = 0; a < A; a++) {
            if (len[a] >= cap_of(p, a))
                continue;
            for (int t = 0; t < T; t++) {
                if (done[t])
                    continue;
                int pos;
                double bid = best_insertion(p, a, routes + (size_t)a * (size_t)T, len[a], t, &pos);
                r->bids++;
                if (bid < best) {
                    best = bid;
                    ba = a;
                    bt = t;
                    bpos = pos;
                }
            }
        }
        insert_at(routes + (size_t)ba * (size_t)T, &len[ba], bpos, bt);
        done[bt] = 1;
    }
    pack(p, routes, len, r);
    free(routes);
    free(len);
    free(done);
    return SL_OK;
}

sl_status sl_auction_parallel(const sl_alloc_problem *p, sl_alloc_result *r, sl_error *e)
{
    sl_status s = check(p, e);
    if (s != SL_OK || (s = result_alloc(p, r, e)) != SL_OK)
        return s;
    int A = p->nagents, T = p->ntasks;
    int *routes = malloc(((size_t)A * (size_t)T + 1) * sizeof(int));
    int *len = calloc((size_t)A, sizeof(int));
    int *count = calloc((size_t)A, sizeof(int));
    int *owner = malloc(((size_t)T + 1) * sizeof(int));
    if (!routes || !len || !count || !owner) {
        free(routes);
        free(len);
        free(count);
        free(owner);
        sl_alloc_result_release(r);
        return sl_error_set(e, SL_ERR_NOMEM, "allocation: out of memory");
    }
    /* One round of bids against empty routes; a full agent passes the task to the next bid. */
    for (int t = 0; t < T; t++) {
        double best = INFINITY;
        int ba = -1;
        for (int a = 0; a < A; a++) {
            if (count[a] >= cap_of(p, a))
                continue;
            int pos;
            double bid = best_insertion(p, a, NULL, 0, t, &pos);
            r->bids++;
            if (bid < best) {
                best = bid;
                ba = a;
            }
        }
        owner[t] = ba;
        count[ba]++;
    }
    for (int t = 0; t < T; t++) {
        int a = owner[t], pos;
        best_insertion(p, a, routes + (size_t)a * (size_t)T, len[a], t, &pos);
        insert_at(routes + (size_t)a * (size_t)T, &len[a], pos, t);
    }
    pack(p, routes, len, r);
    free(routes);
    free(len);
    free(count);
    free(owner);
    return SL_OK;
}

static int popcount(unsigned x)
{
    int c = 0;
    for (; x; x &= x - 1)
        c++;
    return c;
}

sl_status sl_alloc_optimum(const sl_alloc_problem *p, sl_alloc_result *r, sl_error *e)
{
    sl_status s = check(p, e);
    if (s != SL_OK)
        return s;
    if (p->ntasks > OPT_MAX_TASKS)
        return sl_error_set(e, SL_ERR_RANGE, "allocation: the exact optimum takes at most %d "
                            "tasks (got %d)", OPT_MAX_TASKS, p->ntasks);
    if ((s = result_alloc(p, r, e)) != SL_OK)
        return s;
    int A = p->nagents, T = p->ntasks;
    size_t NS = (size_t)1 << T;
    double *g = malloc(NS * (size_t)(T ? T : 1) * sizeof(double));   /* per agent, reused */
    double *c = malloc(NS * (size_t)A * sizeof(double));              /* c[a][S] */
    int *endj = malloc(NS * (size_t)A * sizeof(int));
    int *par = malloc(NS * (size_t)A * (size_t)(T ? T : 1) * sizeof(int));
    double *F = malloc(NS * (size_t)(A + 1) * sizeof(double));
    unsigned *choice = malloc(NS * (size_t)(A + 1) * sizeof(unsigned));
    int *routes = malloc(((size_t)A * (size_t)T + 1) * sizeof(int));
    int *len = calloc((size_t)A, sizeof(int));
    if (!g || !c || !endj || !par || !F || !choice || !routes || !len) {
        free(g); free(c); free(endj); free(par); free(F); free(choice);
        free(routes); free(len);
        sl_alloc_result_release(r);
        return sl_error_set(e, SL_ERR_NOMEM, "allocation: out of memory");
    }
    for (int a = 0; a < A; a++) {
        int *pa = par + (size_t)a * NS * (size_t)T;
        for (size_t S = 0; S < NS; S++)
            for (int j = 0; j < T; j++)
                g[S * (size_t)T + (size_t)j] = INFINITY;
        for (int j = 0; j < T; j++) {
            g[((size_t)1 << j) * (size_t)T + (size_t)j] = D(p, a, A + j);
            pa[((size_t)1 << j) * (size_t)T + (size_t)j] = -1;
        }
        for (size_t S = 1; S < NS; S++) {
            for (int j = 0; j < T; j++) {
                double gj = g[S * (size_t)T + (size_t)j];
                if (!(S >> j & 1) || gj == INFINITY)
                    continue;
                for (int k = 0; k < T; k++) {
                    if (S >> k & 1)
                        continue;
                    size_t S2 = S | ((size_t)1 << k);
                    double v = gj + D(p, A + j, A + k);
                    if (v < g[S2 * (size_t)T + (size_t)k]) {
                        g[S2 * (size_t)T + (size_t)k] = v;
                        pa[S2 * (size_t)T + (size_t)k] = j;
                    }
                }
            }
        }
        c[(size_t)a * NS] = 0.0;
        endj[(size_t)a * NS] = -1;
        for (size_t S = 1; S < NS; S++) {
            double best = INFINITY;
            int bj = -1;
            for (int j = 0; j < T; j++) {
                if (!(S >> j & 1))
                    continue;
                double v = g[S * (size_t)T + (size_t)j] + (p->return_home ? D(p, A + j, a) : 0.0);
                if (v < best) {
                    best = v;
                    bj = j;
                }
            }
            c[(size_t)a * NS + S] = best;
            endj[(size_t)a * NS + S] = bj;
        }
    }
    /* F[a][S]: best cost of serving S with agents 0..a-1. */
    for (size_t S = 0; S < NS; S++)
        F[S] = S == 0 ? 0.0 : INFINITY;
    for (int a = 0; a < A; a++) {
        double *Fa = F + (size_t)a * NS, *Fb = F + (size_t)(a + 1) * NS;
        unsigned *ch = choice + (size_t)(a + 1) * NS;
        for (size_t S = 0; S < NS; S++) {
            double best = INFINITY;
            unsigned bsub = 0;
            /* Enumerate subsets of S in a fixed order (S, then decreasing). */
            size_t sub = S;
            for (;;) {
                if (popcount((unsigned)sub) <= cap_of(p, a)) {
                    double v = Fa[S & ~sub] + c[(size_t)a * NS + sub];
                    if (v < best) {
                        best = v;
                        bsub = (unsigned)sub;
                    }
                }
                if (sub == 0)
                    break;
                sub = (sub - 1) & S;
            }
            Fb[S] = best;
            ch[S] = bsub;
        }
    }
    /* Reconstruct. */
    size_t S = NS - 1;
    for (int a = A - 1; a >= 0; a--) {
        unsigned sub = choice[(size_t)(a + 1) * NS + S];
        int n = popcount(sub);
        len[a] = n;
        int *ra = routes + (size_t)a * (size_t)T;
        const int *pa = par + (size_t)a * NS * (size_t)T;
        size_t cur = sub;
        int j = endj[(size_t)a * NS + sub];
        for (int k = n - 1; k >= 0; k--) {
            ra[k] = j;
            int pj = pa[cur * (size_t)T + (size_t)j];
            cur &= ~((size_t)1 << j);
            j = pj;
        }
        S &= ~(size_t)sub;
    }
    pack(p, routes, len, r);
    free(g); free(c); free(endj); free(par); free(F); free(choice);
    free(routes); free(len);
    return SL_OK;
}
