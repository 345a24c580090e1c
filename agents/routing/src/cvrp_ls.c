/* cvrp_ls.c - CVRP local search over candidate lists: relocate (1 or 2 customers), swap,
 * intra-route 2-opt, inter-route 2-opt* (both reconnections) and a cross-route exchange where each
 * customer goes to its best place in the other route. First improvement; loads always within
 * capacity. Also: cheapest feasible insertion. */
#include "swarmlab/routing.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

typedef struct route {
    int *a;      /* customers */
    int len, cap;
    long long load;
    unsigned long long ver; /* stamp of the last rewrite (unique within the object) */
} route;

/* The three cheapest insertion positions of one customer into one route version, ordered by
 * (cost, position); a position p means "before r->a[p]" (p = len: before the final depot). */
#define INS_SLOTS 8
typedef struct ins_cache {
    unsigned long long ver;
    int route;
    int p[3];
    long long c[3];
} ins_cache;

struct sl_cvrp_ls {
    const sl_instance *in;
    const int *cand;
    int k, n;
    route *r;
    int nr, cap_r;
    int *route_of, *pos_of;
    long long *head_load; /* per customer: load of its route up to and including it */
    int *tmp1, *tmp2;    /* n-sized scratch */
    int *rev_start, *rev; /* reverse candidate lists: rev[rev_start[v]..] = {u : v in cand(u)} */
    int *queue, qhead, qlen; /* customers to re-examine (circular, n entries) */
    char *queued;        /* per node: in the queue */
    long long moves, cur_cost;
    int check, bad;
    int tracking;        /* restricted run: every rewritten route is queued */
    unsigned long long stamp;
    ins_cache *ins;      /* n * INS_SLOTS, slot = route index mod INS_SLOTS */
};

#define D(a, b) sl_dist(ls->in, (a), (b))

sl_cvrp_ls *sl_cvrp_ls_create(const sl_instance *in, const int *cand, int k)
{
    /* cache-line aligned and padded: one object per thread, written in hot loops */
    void *mem = NULL;
    size_t size = (sizeof(*((sl_cvrp_ls *)0)) + 63) / 64 * 64;
    if (posix_memalign(&mem, 64, size) != 0) return NULL;
    memset(mem, 0, size);
    sl_cvrp_ls *ls = mem;
    ls->in = in;
    ls->cand = cand;
    ls->k = k;
    ls->n = in->n;
    ls->route_of = malloc((size_t)in->n * sizeof(int));
    ls->pos_of = malloc((size_t)in->n * sizeof(int));
    ls->head_load = malloc((size_t)in->n * sizeof(long long));
    ls->tmp1 = malloc((size_t)in->n * sizeof(int));
    ls->tmp2 = malloc((size_t)in->n * sizeof(int));
    ls->rev_start = calloc((size_t)in->n + 1, sizeof(int));
    ls->rev = malloc(((size_t)in->n * (size_t)(k > 0 ? k : 1)) * sizeof(int));
    ls->queue = malloc((size_t)in->n * sizeof(int));
    ls->queued = calloc((size_t)in->n, 1);
    ls->ins = calloc((size_t)in->n * INS_SLOTS, sizeof *ls->ins);
    if (!ls->route_of || !ls->pos_of || !ls->head_load || !ls->tmp1 || !ls->tmp2 ||
        !ls->rev_start || !ls->rev || !ls->queue || !ls->queued || !ls->ins) {
        sl_cvrp_ls_destroy(ls);
        return NULL;
    }
    /* reverse lists (counting sort by v; u ascending within each list) */
    int dep = in->depot;
    for (int u = 0; u < in->n; u++) {
        if (u == dep) continue;
        for (int q = 0; q < k; q++) {
            int v = cand[(size_t)u * (size_t)k + (size_t)q];
            if (v != dep) ls->rev_start[v + 1]++;
        }
    }
    for (int v = 0; v < in->n; v++) ls->rev_start[v + 1] += ls->rev_start[v];
    int *fill = ls->tmp1;
    memcpy(fill, ls->rev_start, (size_t)in->n * sizeof(int));
    for (int u = 0; u < in->n; u++) {
        if (u == dep) continue;
        for (int q = 0; q < k; q++) {
            int v = cand[(size_t)u * (size_t)k + (size_t)q];
            if (v != dep) ls->rev[fill[v]++] = u;
        }
    }
    return ls;
}

void sl_cvrp_ls_destroy(sl_cvrp_ls *ls)
{
    if (!ls) return;
    for (int i = 0; i < ls->cap_r; i++) free(ls->r[i].a);
    free(ls->r);
    free(ls->route_of);
    free(ls->pos_of);
    free(ls->head_load);
    free(ls->tmp1);
    free(ls->tmp2);
    free(ls->rev_start);
    free(ls->rev);
    free(ls->queue);
    free(ls->queued);
    free(ls->ins);
    free(ls);
}

long long sl_cvrp_ls_moves(const sl_cvrp_ls *ls) { return ls->moves; }

static int ensure_cap(route *r, int need)
{
    if (need <= r->cap) return 1;
    int nc = r->cap ? r->cap : 16;
    while (nc < need) nc *= 2;
    int *na = realloc(r->a, (size_t)nc * sizeof *na);
    if (!na) return 0;
    r->a = na;
    r->cap = nc;
    return 1;
}

/* Queues customer x for re-examination (no-op outside a restricted run). */
static inline void push(sl_cvrp_ls *ls, int x)
{
    if (ls->queued[x]) return;
    ls->queued[x] = 1;
    int at = ls->qhead + ls->qlen;
    if (at >= ls->n) at -= ls->n;
    ls->queue[at] = x;
    ls->qlen++;
}

/* Rewrites route ri from buf (len entries) and refreshes the node index. */
static int set_route(sl_cvrp_ls *ls, int ri, const int *buf, int len)
{
    route *r = &ls->r[ri];
    if (!ensure_cap(r, len)) return 0;
    if (buf != r->a) memmove(r->a, buf, (size_t)len * sizeof *buf);
    r->len = len;
    r->load = 0;
    r->ver = ++ls->stamp;
    for (int i = 0; i < len; i++) {
        if (ls->tracking) push(ls, r->a[i]);
        ls->route_of[r->a[i]] = ri;
        ls->pos_of[r->a[i]] = i;
        r->load += ls->in->demand[r->a[i]];
        ls->head_load[r->a[i]] = r->load;
    }
    return 1;
}

static inline int prev_of(const sl_cvrp_ls *ls, int x)
{
    int p = ls->pos_of[x];
    return p == 0 ? ls->in->depot : ls->r[ls->route_of[x]].a[p - 1];
}

static inline int next_of(const sl_cvrp_ls *ls, int x)
{
    const route *r = &ls->r[ls->route_of[x]];
    int p = ls->pos_of[x];
    return p == r->len - 1 ? ls->in->depot : r->a[p + 1];
}

static long long total_cost(const sl_cvrp_ls *ls)
{
    long long c = 0;
    int dep = ls->in->depot;
    for (int ri = 0; ri < ls->nr; ri++) {
        const route *r = &ls->r[ri];
        if (!r->len) continue;
        c += D(dep, r->a[0]) + D(r->a[r->len - 1], dep);
        for (int i = 1; i < r->len; i++) c += D(r->a[i - 1], r->a[i]);
    }
    return c;
}

static void applied(sl_cvrp_ls *ls, long long gain)
{
    ls->moves++;
    if (!ls->check) return;
    long long c = total_cost(ls);
    if (c != ls->cur_cost - gain || gain <= 0) ls->bad = 1;
    int count = 0;
    char *seen = (char *)ls->tmp1; /* n bytes fit in the n-int scratch */
    memset(seen, 0, (size_t)ls->n);
    for (int ri = 0; ri < ls->nr; ri++) {
        const route *r = &ls->r[ri];
        long long load = 0;
        for (int i = 0; i < r->len; i++) {
            int x = r->a[i];
            if (x < 0 || x >= ls->n || x == ls->in->depot || seen[x]) { ls->bad = 1; continue; }
            seen[x] = 1;
            if (ls->route_of[x] != ri || ls->pos_of[x] != i) ls->bad = 1;
            load += ls->in->demand[x];
            if (ls->head_load[x] != load) ls->bad = 1;
        }
        if (load != r->load || load > ls->in->capacity) ls->bad = 1;
        count += r->len;
    }
    if (count != ls->n - 1) ls->bad = 1;
    ls->cur_cost = c;
}

/* Removes position p of route ri. */
static void erase_at(sl_cvrp_ls *ls, int ri, int p)
{
    route *r = &ls->r[ri];
    memmove(r->a + p, r->a + p + 1, (size_t)(r->len - p - 1) * sizeof(int));
    set_route(ls, ri, r->a, r->len - 1);
}

/* Inserts node x at position p of route ri. */
static int insert_at(sl_cvrp_ls *ls, int ri, int p, int x)
{
    route *r = &ls->r[ri];
    if (!ensure_cap(r, r->len + 1)) return 0;
    memmove(r->a + p + 1, r->a + p, (size_t)(r->len - p) * sizeof(int));
    r->a[p] = x;
    return set_route(ls, ri, r->a, r->len + 1);
}

/* ---- moves driven by a candidate pair (u, v); each returns the gain applied or 0 ---- */

static long long relocate(sl_cvrp_ls *ls, int u, int v)
{
    const sl_instance *in = ls->in;
    int ru = ls->route_of[u], rv = ls->route_of[v];
    int pu = prev_of(ls, u), nu = next_of(ls, u);
    for (int seg = 1; seg <= 2; seg++) {
        int last = u; /* segment u (.. x) */
        if (seg == 2) {
            if (nu == in->depot || nu == v) break;
            last = nu;
        }
        int after = next_of(ls, last);
        long long dem = in->demand[u] + (seg == 2 ? in->demand[last] : 0);
        if (ru != rv && ls->r[rv].load + dem > in->capacity) continue;
        long long rem = (long long)D(pu, u) + D(last, after) - D(pu, after);
        for (int where = 0; where < 2; where++) { /* 0: after v, 1: before v */
            int a = where ? prev_of(ls, v) : v, b = where ? v : next_of(ls, v);
            if (a == last || b == u || a == u || b == last) continue;
            if (seg == 2 && (a == u || b == u)) continue;
            for (int rev = 0; rev < seg; rev++) { /* reversed pair: a last u b */
                int f = rev ? last : u, l = rev ? u : last;
                long long gain = rem - ((long long)D(a, f) + D(l, b) - D(a, b));
                if (gain <= 0) continue;
                int ia = ls->pos_of[v] + (where ? 0 : 1); /* insertion index in rv before removal */
                int pu_idx = ls->pos_of[u];
                erase_at(ls, ru, pu_idx);
                if (seg == 2) erase_at(ls, ru, pu_idx);
                if (ru == rv && ia > pu_idx) ia -= seg;
                insert_at(ls, rv, ia, f);
                if (seg == 2) insert_at(ls, rv, ia + 1, l);
                applied(ls, gain);
                return gain;
            }
        }
    }
    return 0;
}

static long long swap_nodes(sl_cvrp_ls *ls, int u, int v)
{
    const sl_instance *in = ls->in;
    int ru = ls->route_of[u], rv = ls->route_of[v];
    int pu = prev_of(ls, u), nu = next_of(ls, u), pv = prev_of(ls, v), nv = next_of(ls, v);
    if (nu == v || nv == u) return 0;
    if (ru != rv) {
        int du = in->demand[u], dv = in->demand[v];
        if (ls->r[ru].load - du + dv > in->capacity || ls->r[rv].load - dv + du > in->capacity)
            return 0;
    }
    long long gain = (long long)D(pu, u) + D(u, nu) + D(pv, v) + D(v, nv) -
                     D(pu, v) - D(v, nu) - D(pv, u) - D(u, nv);
    if (gain <= 0) return 0;
    int iu = ls->pos_of[u], iv = ls->pos_of[v];
    ls->r[ru].a[iu] = v;
    ls->r[rv].a[iv] = u;
    set_route(ls, ru, ls->r[ru].a, ls->r[ru].len);
    if (rv != ru) set_route(ls, rv, ls->r[rv].a, ls->r[rv].len);
    applied(ls, gain);
    return gain;
}

static long long two_opt_intra(sl_cvrp_ls *ls, int u, int v)
{
    if (ls->route_of[u] != ls->route_of[v]) return 0;
    if (ls->pos_of[u] > ls->pos_of[v]) { int t = u; u = v; v = t; }
    int nu = next_of(ls, u), nv = next_of(ls, v);
    if (nu == v) return 0;
    long long gain = (long long)D(u, nu) + D(v, nv) - D(u, v) - D(nu, nv);
    if (gain <= 0) return 0;
    route *r = &ls->r[ls->route_of[u]];
    int i = ls->pos_of[u] + 1, j = ls->pos_of[v];
    while (i < j) { int t = r->a[i]; r->a[i] = r->a[j]; r->a[j] = t; i++; j--; }
    set_route(ls, ls->route_of[u], r->a, r->len);
    applied(ls, gain);
    return gain;
}

/* 2-opt* between routes: cut after u and after position iv of v's route (iv = -1: between the
 * depot and its first customer). Variant 0 joins u with the v side's tail and the v side's head
 * with u's tail; variant 1 joins u with the v side's head reversed and the two tails (u's
 * reversed). With iv = -1 and u last, variant 0 merges the two routes. */
static long long two_opt_star_at(sl_cvrp_ls *ls, int u, int rv, int iv)
{
    const sl_instance *in = ls->in;
    int ru = ls->route_of[u];
    route *A = &ls->r[ru], *B = &ls->r[rv];
    int dep = in->depot, Q = in->capacity;
    int nu = next_of(ls, u), cv = iv < 0 ? dep : B->a[iv], nv = iv + 1 < B->len ? B->a[iv + 1] : dep;
    int iu = ls->pos_of[u];
    long long hu = ls->head_load[u], hv = iv < 0 ? 0 : ls->head_load[cv];
    long long tu = A->load - hu, tv = B->load - hv;
    for (int var = 0; var < 2; var++) {
        long long gain;
        if (var == 0) {
            if (hu + tv > Q || hv + tu > Q) continue;
            gain = (long long)D(u, nu) + D(cv, nv) - D(u, nv) - D(cv, nu);
        } else {
            if (hu + hv > Q || tu + tv > Q) continue;
            gain = (long long)D(u, nu) + D(cv, nv) - D(u, cv) - D(nu, nv);
        }
        if (gain <= 0) continue;
        int *b1 = ls->tmp1, *b2 = ls->tmp2, l1 = 0, l2 = 0;
        if (var == 0) {
            for (int i = 0; i <= iu; i++) b1[l1++] = A->a[i];
            for (int i = iv + 1; i < B->len; i++) b1[l1++] = B->a[i];
            for (int i = 0; i <= iv; i++) b2[l2++] = B->a[i];
            for (int i = iu + 1; i < A->len; i++) b2[l2++] = A->a[i];
        } else {
            for (int i = 0; i <= iu; i++) b1[l1++] = A->a[i];
            for (int i = iv; i >= 0; i--) b1[l1++] = B->a[i];
            for (int i = A->len - 1; i > iu; i--) b2[l2++] = A->a[i];
            for (int i = iv + 1; i < B->len; i++) b2[l2++] = B->a[i];
        }
        if (!set_route(ls, ru, b1, l1) || !set_route(ls, rv, b2, l2)) return 0;
        applied(ls, gain);
        return gain;
    }
    return 0;
}

/* 2-opt* for the pair (u, v): cut after v, and also before v when v starts its route. */
static long long two_opt_star(sl_cvrp_ls *ls, int u, int v)
{
    int ru = ls->route_of[u], rv = ls->route_of[v];
    if (ru == rv) return 0;
    long long g = two_opt_star_at(ls, u, rv, ls->pos_of[v]);
    if (!g && ls->pos_of[v] == 0) g = two_opt_star_at(ls, u, rv, -1);
    return g;
}

/* The cached three cheapest positions of x in route ri, recomputed when the route changed. */
static const ins_cache *top_inserts(sl_cvrp_ls *ls, int ri, int x)
{
    ins_cache *e = &ls->ins[(size_t)x * INS_SLOTS + (size_t)(ri % INS_SLOTS)];
    const route *r = &ls->r[ri];
    if (e->route == ri && e->ver == r->ver) return e;
    e->route = ri;
    e->ver = r->ver;
    for (int j = 0; j < 3; j++) {
        e->c[j] = LLONG_MAX;
        e->p[j] = -1;
    }
    int dep = ls->in->depot, prev = dep;
    for (int p = 0; p <= r->len; p++) {
        int nxt = p < r->len ? r->a[p] : dep;
        long long c = (long long)D(prev, x) + D(x, nxt) - D(prev, nxt);
        prev = nxt;
        if (c >= e->c[2]) continue; /* positions rise: a tie keeps the earlier one */
        int j = 2;
        while (j > 0 && c < e->c[j - 1]) {
            e->c[j] = e->c[j - 1];
            e->p[j] = e->p[j - 1];
            j--;
        }
        e->c[j] = c;
        e->p[j] = p;
    }
    return e;
}

/* Cost of inserting x into route ri at its best place once node `skip` (a customer of ri) has
 * left it; *at receives the insertion index in the route without `skip`. Ties go to the lowest
 * index. The positions next to `skip` vanish and one joins its neighbours; every other position
 * keeps its cost, so the best is among the three cheapest of the whole route or the new one. */
static long long best_insert(sl_cvrp_ls *ls, int ri, int x, int skip, int *at)
{
    const ins_cache *e = top_inserts(ls, ri, x);
    int sv = ls->pos_of[skip], ps = prev_of(ls, skip), ns = next_of(ls, skip);
    long long best = (long long)D(ps, x) + D(x, ns) - D(ps, ns);
    int bidx = sv;
    for (int j = 0; j < 3 && e->p[j] >= 0; j++) {
        int p = e->p[j];
        if (p == sv || p == sv + 1) continue;
        int idx = p < sv ? p : p - 1;
        if (e->c[j] < best || (e->c[j] == best && idx < bidx)) {
            best = e->c[j];
            bidx = idx;
        }
        break; /* the first valid entry is the best valid one */
    }
    if (ls->check) { /* against a plain scan of the route without `skip` */
        const route *r = &ls->r[ri];
        int dep = ls->in->depot, prev = dep, idx = 0, bi = -1;
        long long b = -1;
        for (int i = 0; i <= r->len; i++) {
            int nxt = i < r->len ? r->a[i] : dep;
            if (nxt == skip) continue;
            long long c = (long long)D(prev, x) + D(x, nxt) - D(prev, nxt);
            if (bi < 0 || c < b) { b = c; bi = idx; }
            prev = nxt;
            idx++;
        }
        if (b != best || bi != bidx) ls->bad = 1;
    }
    *at = bidx;
    return best;
}

static long long exchange_best(sl_cvrp_ls *ls, int u, int v)
{
    const sl_instance *in = ls->in;
    int ru = ls->route_of[u], rv = ls->route_of[v];
    if (ru == rv) return 0;
    int du = in->demand[u], dv = in->demand[v];
    if (ls->r[ru].load - du + dv > in->capacity || ls->r[rv].load - dv + du > in->capacity)
        return 0;
    int pu = prev_of(ls, u), nu = next_of(ls, u), pv = prev_of(ls, v), nv = next_of(ls, v);
    long long rem = (long long)D(pu, u) + D(u, nu) - D(pu, nu) + D(pv, v) + D(v, nv) - D(pv, nv);
    int au, av;
    long long cu = best_insert(ls, rv, u, v, &au), cv = best_insert(ls, ru, v, u, &av);
    long long gain = rem - cu - cv;
    if (gain <= 0) return 0;
    erase_at(ls, ru, ls->pos_of[u]);
    erase_at(ls, rv, ls->pos_of[v]);
    insert_at(ls, rv, au, u);
    insert_at(ls, ru, av, v);
    applied(ls, gain);
    return gain;
}

/* The moves of pair (u, v) in a fixed order; the gain of the first that applies, or 0. Every
 * move reads only the routes of u and v (their nodes, order and loads). */
static long long try_pair(sl_cvrp_ls *ls, int u, int v)
{
    long long g = relocate(ls, u, v);
    if (!g) g = swap_nodes(ls, u, v);
    if (!g) g = two_opt_intra(ls, u, v);
    if (!g) g = two_opt_star(ls, u, v);
    if (!g) g = exchange_best(ls, u, v);
    return g;
}

/* Loads rs into the working routes; 0 on allocation failure. */
static int load_routes(sl_cvrp_ls *ls, const sl_routes *rs, int check)
{
    if (rs->nroutes > ls->cap_r) {
        route *nr = realloc(ls->r, (size_t)rs->nroutes * sizeof *nr);
        if (!nr) return 0;
        memset(nr + ls->cap_r, 0, (size_t)(rs->nroutes - ls->cap_r) * sizeof *nr);
        ls->r = nr;
        ls->cap_r = rs->nroutes;
    }
    ls->nr = rs->nroutes;
    ls->tracking = 0;
    for (int ri = 0; ri < ls->nr; ri++)
        if (!set_route(ls, ri, rs->nodes + rs->start[ri], rs->start[ri + 1] - rs->start[ri]))
            return 0;
    ls->check = check;
    ls->bad = 0;
    ls->cur_cost = total_cost(ls);
    return 1;
}

/* Writes the working routes back (empty ones dropped); returns the gain or -1 (check failed). */
static long long store_routes(sl_cvrp_ls *ls, sl_routes *rs, long long before)
{
    long long after = total_cost(ls);
    sl_routes_clear(rs);
    for (int ri = 0; ri < ls->nr; ri++)
        if (ls->r[ri].len) sl_routes_add(rs, ls->r[ri].a, ls->r[ri].len);
    return ls->bad ? -1 : before - after;
}

long long sl_cvrp_ls_run(sl_cvrp_ls *ls, sl_routes *rs, int check)
{
    const sl_instance *in = ls->in;
    ls->moves = 0;
    if (rs->nroutes == 0) return 0;
    if (!load_routes(ls, rs, check)) return 0;
    long long before = ls->cur_cost;
    int improved = 1;
    while (improved) {
        improved = 0;
        for (int u = 0; u < ls->n; u++) {
            if (u == in->depot) continue;
            const int *cl = ls->cand + (size_t)u * (size_t)ls->k;
            for (int q = 0; q < ls->k; q++) {
                int v = cl[q];
                if (v == in->depot) continue;
                if (try_pair(ls, u, v)) improved = 1;
            }
        }
    }
    return store_routes(ls, rs, before);
}

long long sl_cvrp_ls_run_from(sl_cvrp_ls *ls, sl_routes *rs, const int *seeds, int nseeds,
                              int check)
{
    const sl_instance *in = ls->in;
    int dep = in->depot;
    ls->moves = 0;
    if (rs->nroutes == 0) return 0;
    if (!load_routes(ls, rs, check)) return 0;
    long long before = ls->cur_cost;
    ls->qhead = 0;
    ls->qlen = 0;
    for (int i = 0; i < nseeds; i++) {
        int x = seeds[i];
        if (x < 0 || x >= ls->n || x == dep || ls->queued[x]) continue;
        const route *r = &ls->r[ls->route_of[x]];
        for (int j = 0; j < r->len; j++) push(ls, r->a[j]);
    }
    ls->tracking = 1;
    while (ls->qlen > 0) {
        int x = ls->queue[ls->qhead];
        if (++ls->qhead == ls->n) ls->qhead = 0;
        ls->qlen--;
        ls->queued[x] = 0;
        const int *cl = ls->cand + (size_t)x * (size_t)ls->k;
        for (int q = 0; q < ls->k; q++)
            if (cl[q] != dep) try_pair(ls, x, cl[q]);
        /* a queued u examines (u, x) itself when its turn comes, with routes at least as new */
        for (int j = ls->rev_start[x]; j < ls->rev_start[x + 1]; j++)
            if (!ls->queued[ls->rev[j]]) try_pair(ls, ls->rev[j], x);
    }
    ls->tracking = 0;
    return store_routes(ls, rs, before);
}

long long sl_routes_insert_best(const sl_instance *in, sl_routes *r, int c)
{
    long long best = -1;
    int br = -1, bp = 0, dep = in->depot;
    for (int k = 0; k < r->nroutes; k++) {
        long long load = 0;
        for (int i = r->start[k]; i < r->start[k + 1]; i++) load += in->demand[r->nodes[i]];
        if (load + in->demand[c] > in->capacity) continue;
        int prev = dep;
        for (int i = r->start[k]; i <= r->start[k + 1]; i++) {
            int nxt = i < r->start[k + 1] ? r->nodes[i] : dep;
            long long d = (long long)sl_dist(in, prev, c) + sl_dist(in, c, nxt) -
                          sl_dist(in, prev, nxt);
            if (best < 0 || d < best) { best = d; br = k; bp = i; }
            prev = nxt;
        }
    }
    if (br < 0) {
        sl_routes_add(r, &c, 1);
        return 2LL * sl_dist(in, dep, c);
    }
    /* shift nodes after bp by one */
    int total = r->start[r->nroutes];
    if (total + 1 > r->cap_nodes) {
        int nc = r->cap_nodes ? r->cap_nodes * 2 : 64;
        int *nn = realloc(r->nodes, (size_t)nc * sizeof *nn);
        if (!nn) return 0;
        r->nodes = nn;
        r->cap_nodes = nc;
    }
    memmove(r->nodes + bp + 1, r->nodes + bp, (size_t)(total - bp) * sizeof(int));
    r->nodes[bp] = c;
    for (int k = br + 1; k <= r->nroutes; k++) r->start[k]++;
    return best;
}
