/* cvrp_rr.c - CVRP ruin and recreate by string removals (after Christiaens and Vanden Berghe's
 * "slack induction by string removals"): strings of consecutive customers are cut from a few
 * routes close to a random seed customer, then put back one at a time at their cheapest feasible
 * position, each position being skipped with a small probability ("blinks"), in one of four
 * orders. A step reads one route set and writes another, so a caller can keep or drop it. */
#include "swarmlab/routing.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct rroute {
    int *a;
    int len, cap;
    long long load;
} rroute;

struct sl_cvrp_rr {
    const sl_instance *in;
    sl_cvrp_rr_def def;
    int n, kn;          /* nodes; neighbours kept per node */
    int *near;          /* n * kn nearest nodes (the depot may appear; it is skipped) */
    rroute *r;
    int nr, cap_r;
    int *route_of, *pos_of;
    char *removed, *ruined; /* per node; per route (2n: routes opened by recreate included) */
    int *rem, nrem;
    int *changed, nchanged; /* customers of the routes the last step changed */
    double *key;
};

#define D(a, b) sl_dist(rr->in, (a), (b))

sl_cvrp_rr_def sl_cvrp_rr_def_default(void)
{
    sl_cvrp_rr_def d;
    d.avg_removed = 10.0;
    d.max_string = 10;
    d.blink = 0.01;
    d.split = 0.5;
    return d;
}

void sl_cvrp_rr_destroy(sl_cvrp_rr *rr)
{
    if (!rr) return;
    for (int i = 0; i < rr->cap_r; i++) free(rr->r[i].a);
    free(rr->r);
    free(rr->near);
    free(rr->route_of);
    free(rr->pos_of);
    free(rr->removed);
    free(rr->ruined);
    free(rr->rem);
    free(rr->changed);
    free(rr->key);
    free(rr);
}

sl_cvrp_rr *sl_cvrp_rr_create(const sl_instance *in, const sl_cvrp_rr_def *def)
{
    if (!in || in->problem != SL_PROB_CVRP || in->n < 2) return NULL;
    sl_cvrp_rr *rr = calloc(1, sizeof *rr);
    if (!rr) return NULL;
    rr->in = in;
    rr->def = def ? *def : sl_cvrp_rr_def_default();
    if (!(rr->def.avg_removed >= 1.0)) rr->def.avg_removed = 1.0;
    if (rr->def.max_string < 1) rr->def.max_string = 1;
    if (!(rr->def.blink >= 0.0) || rr->def.blink >= 1.0) rr->def.blink = 0.0;
    if (!(rr->def.split >= 0.0)) rr->def.split = 0.0;
    int n = in->n;
    rr->n = n;
    rr->kn = n - 1 < 50 ? n - 1 : 50;
    rr->near = sl_candidates_build(in, rr->kn, 1);
    rr->route_of = malloc((size_t)n * sizeof(int));
    rr->pos_of = malloc((size_t)n * sizeof(int));
    rr->removed = malloc((size_t)n);
    rr->ruined = malloc(2 * (size_t)n);
    rr->rem = malloc((size_t)n * sizeof(int));
    rr->changed = malloc((size_t)n * sizeof(int));
    rr->key = malloc((size_t)n * sizeof(double));
    if (!rr->near || !rr->route_of || !rr->pos_of || !rr->removed || !rr->ruined || !rr->rem ||
        !rr->changed || !rr->key) {
        sl_cvrp_rr_destroy(rr);
        return NULL;
    }
    return rr;
}

static int grow_route(rroute *t, int need)
{
    if (need <= t->cap) return 1;
    int nc = t->cap ? t->cap : 16;
    while (nc < need) nc *= 2;
    int *na = realloc(t->a, (size_t)nc * sizeof *na);
    if (!na) return 0;
    t->a = na;
    t->cap = nc;
    return 1;
}

static rroute *new_route(sl_cvrp_rr *rr)
{
    if (rr->nr == rr->cap_r) {
        int nc = rr->cap_r ? rr->cap_r * 2 : 16;
        rroute *nrt = realloc(rr->r, (size_t)nc * sizeof *nrt);
        if (!nrt) return NULL;
        memset(nrt + rr->cap_r, 0, (size_t)(nc - rr->cap_r) * sizeof *nrt);
        rr->r = nrt;
        rr->cap_r = nc;
    }
    rroute *t = &rr->r[rr->nr++];
    t->len = 0;
    t->load = 0;
    return t;
}

/* Loads src into the working routes. Returns 0 on allocation failure. */
static int load_routes(sl_cvrp_rr *rr, const sl_routes *src)
{
    rr->nr = 0;
    for (int q = 0; q < src->nroutes; q++) {
        int len = src->start[q + 1] - src->start[q];
        if (len == 0) continue;
        rroute *t = new_route(rr);
        if (!t || !grow_route(t, len + 1)) return 0;
        const int *a = src->nodes + src->start[q];
        memcpy(t->a, a, (size_t)len * sizeof(int));
        t->len = len;
        for (int i = 0; i < len; i++) {
            t->load += rr->in->demand[a[i]];
            rr->route_of[a[i]] = rr->nr - 1;
            rr->pos_of[a[i]] = i;
        }
    }
    return 1;
}

static void remove_customer(sl_cvrp_rr *rr, int c)
{
    rr->removed[c] = 1;
    rr->rem[rr->nrem++] = c;
}

/* Cuts a string (or a split string) containing customer c out of its route; the route is
 * compacted and its positions refreshed. */
static void ruin_route(sl_cvrp_rr *rr, int c, int lmax, sl_rng *g)
{
    int ri = rr->route_of[c], p = rr->pos_of[c];
    rroute *t = &rr->r[ri];
    rr->ruined[ri] = 1;
    int cap = t->len < lmax ? t->len : lmax;
    int l = 1 + (int)sl_rng_below(g, (uint32_t)cap);
    int keep = 0, span = l;
    if (l < t->len && sl_rng_uniform(g) < rr->def.split) {
        /* split string: a longer window of which m consecutive customers stay */
        int m = 1;
        while (l + m < t->len && sl_rng_uniform(g) < 0.5) m++;
        keep = m;
        span = l + m;
    }
    int lo = p - span + 1 < 0 ? 0 : p - span + 1;
    int hi = p < t->len - span ? p : t->len - span;
    int s = lo + (int)sl_rng_below(g, (uint32_t)(hi - lo + 1));
    int ks = 0;
    if (keep) {
        /* the kept block lies inside the window and leaves c out: it starts after c
         * (a choices) or ends before it (b choices) */
        int off = p - s;
        int a = l - off > 0 ? l - off : 0;
        int b = off - keep + 1 > 0 ? off - keep + 1 : 0;
        if (a + b == 0) {
            keep = 0;
            span = l;
            lo = p - span + 1 < 0 ? 0 : p - span + 1;
            hi = p < t->len - span ? p : t->len - span;
            s = lo + (int)sl_rng_below(g, (uint32_t)(hi - lo + 1));
        } else {
            int x = (int)sl_rng_below(g, (uint32_t)(a + b));
            ks = x < a ? p + 1 + x : s + (x - a);
        }
    }
    int w = 0;
    for (int i = 0; i < t->len; i++) {
        int v = t->a[i];
        int in_win = i >= s && i < s + span;
        int kept = keep && i >= ks && i < ks + keep;
        if (in_win && !kept) {
            remove_customer(rr, v);
            t->load -= rr->in->demand[v];
        } else {
            t->a[w] = v;
            rr->pos_of[v] = w++;
        }
    }
    t->len = w;
}

static void ruin(sl_cvrp_rr *rr, sl_rng *g)
{
    int n = rr->n, dep = rr->in->depot, ncust = 0;
    for (int q = 0; q < rr->nr; q++) ncust += rr->r[q].len;
    double avg_len = rr->nr ? (double)ncust / rr->nr : 1.0;
    double ls_max = avg_len < rr->def.max_string ? avg_len : rr->def.max_string;
    double ks_max = 4.0 * rr->def.avg_removed / (1.0 + ls_max) - 1.0;
    int ks = 1 + (int)floor(sl_rng_uniform(g) * ks_max);
    if (ks < 1) ks = 1;
    int lmax = (int)ls_max < 1 ? 1 : (int)ls_max;
    memset(rr->removed, 0, (size_t)n);
    memset(rr->ruined, 0, (size_t)(rr->nr > 0 ? rr->nr : 1));
    rr->nrem = 0;
    int seed = (int)sl_rng_below(g, (uint32_t)(n - 1));
    if (seed >= dep) seed++;
    const int *nl = rr->near + (size_t)seed * rr->kn;
    int done = 0;
    for (int q = -1; q < rr->kn && done < ks; q++) {
        int c = q < 0 ? seed : nl[q];
        if (c == dep || rr->removed[c] || rr->ruined[rr->route_of[c]]) continue;
        ruin_route(rr, c, lmax, g);
        done++;
    }
}

/* Removal order: random (weight 4), largest demand first (4), farthest from the depot (2),
 * nearest to the depot (1); ties keep the random order. */
static void sort_removed(sl_cvrp_rr *rr, sl_rng *g)
{
    int m = rr->nrem, dep = rr->in->depot;
    int *a = rr->rem;
    for (int i = m - 1; i > 0; i--) {
        int j = (int)sl_rng_below(g, (uint32_t)(i + 1));
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
    uint32_t pick = sl_rng_below(g, 11);
    if (pick < 4) return;
    for (int i = 0; i < m; i++) {
        int v = a[i];
        rr->key[v] = pick < 8 ? -(double)rr->in->demand[v]
                   : pick < 10 ? -(double)D(dep, v) : (double)D(dep, v);
    }
    for (int i = 1; i < m; i++) { /* stable insertion sort: m is small */
        int v = a[i], j = i - 1;
        while (j >= 0 && rr->key[a[j]] > rr->key[v]) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = v;
    }
}

/* Geometric gap to the next blinked position: each position is skipped with probability
 * def.blink, drawn once per skip instead of once per position. */
static long long next_blink(sl_cvrp_rr *rr, sl_rng *g)
{
    if (rr->def.blink <= 0.0) return (long long)1 << 62;
    double u = sl_rng_uniform_pos(g);
    double k = floor(log(u) / log(1.0 - rr->def.blink));
    return k > 1e15 ? (long long)1e15 : (long long)k;
}

static int recreate(sl_cvrp_rr *rr, sl_rng *g)
{
    const sl_instance *in = rr->in;
    int dep = in->depot;
    long long Q = in->capacity;
    long long gap = next_blink(rr, g);
    for (int i = 0; i < rr->nrem; i++) {
        int c = rr->rem[i];
        long long dc = in->demand[c];
        int dc0 = D(dep, c);
        long long best = -1;
        int br = -1, bp = -1;
        for (int q = 0; q < rr->nr; q++) {
            rroute *t = &rr->r[q];
            if (t->len == 0 || t->load + dc > Q) continue;
            int prev = dep, prevd = dc0;
            for (int p = 0; p <= t->len; p++) {
                int next = p < t->len ? t->a[p] : dep;
                int dn = next == dep ? dc0 : D(c, next);
                if (gap-- == 0) {
                    gap = next_blink(rr, g);
                } else {
                    long long delta = (long long)prevd + dn - D(prev, next);
                    if (br < 0 || delta < best) {
                        best = delta;
                        br = q;
                        bp = p;
                    }
                }
                prev = next;
                prevd = dn;
            }
        }
        if (br < 0) {
            rroute *t = new_route(rr);
            if (!t || !grow_route(t, 2)) return 0;
            t->a[0] = c;
            t->len = 1;
            t->load = dc;
            rr->ruined[rr->nr - 1] = 1;
            continue;
        }
        rroute *t = &rr->r[br];
        rr->ruined[br] = 1;
        if (!grow_route(t, t->len + 1)) return 0;
        memmove(t->a + bp + 1, t->a + bp, (size_t)(t->len - bp) * sizeof(int));
        t->a[bp] = c;
        t->len++;
        t->load += dc;
    }
    return 1;
}

long long sl_cvrp_rr_apply(sl_cvrp_rr *rr, const sl_routes *src, sl_routes *dst, sl_rng *g)
{
    if (!load_routes(rr, src)) return -1;
    if (rr->nr == 0) return -1;
    ruin(rr, g);
    sort_removed(rr, g);
    if (!recreate(rr, g)) return -1;
    sl_routes_clear(dst);
    rr->nchanged = 0;
    for (int q = 0; q < rr->nr; q++) {
        if (rr->r[q].len == 0) continue;
        if (rr->ruined[q]) {
            memcpy(rr->changed + rr->nchanged, rr->r[q].a, (size_t)rr->r[q].len * sizeof(int));
            rr->nchanged += rr->r[q].len;
        }
        if (sl_routes_add(dst, rr->r[q].a, rr->r[q].len) != SL_OK) return -1;
    }
    return sl_routes_cost(rr->in, dst);
}

int sl_cvrp_rr_last_removed(const sl_cvrp_rr *rr) { return rr->nrem; }

int sl_cvrp_rr_last_changed(const sl_cvrp_rr *rr, const int **customers)
{
    *customers = rr->changed;
    return rr->nchanged;
}
