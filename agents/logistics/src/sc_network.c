/* sc_network.c - the network of a supply chain: site kinds and defaults, checks, fixed sources
 * and their cycles, echelons, distances, and the source an order goes to (fixed, transshipment,
 * nearest with stock, rule). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sc_internal.h"

static const char *kind_names[5] = {"supplier", "plant", "warehouse", "cross_dock", "store"};

const char *sl_sc_kind_name(int kind)
{
    return kind >= 0 && kind < 5 ? kind_names[kind] : "?";
}

int sl_sc_kind_parse(const char *s)
{
    for (int k = 0; k < 5; k++)
        if (!strcmp(s, kind_names[k]))
            return k;
    return -1;
}

int slp_sc_rank(int kind)
{
    return kind; /* the enum is in echelon order */
}

sl_sc_site sl_sc_site_default(int kind, long long id)
{
    sl_sc_site s;
    memset(&s, 0, sizeof s);
    s.id = id;
    s.kind = kind;
    s.capacity = INFINITY;
    s.holding_cost = kind == SL_SC_STORE ? 0.1 : 0.05;
    s.backlog_cost = 1.0;
    s.lost_cost = 2.0;
    s.source_kind = SL_SC_SOURCE_NEAREST;
    s.lead = kind == SL_SC_SUPPLIER ? 3 : 0;
    s.ship_time = 1;
    s.rate = 100;
    s.policy.alpha = 0.2;
    switch (kind) {
    case SL_SC_SUPPLIER:
        s.policy.kind = SL_SC_POLICY_NONE;
        break;
    case SL_SC_STORE:
        s.policy.kind = SL_POLICY_SS;
        s.policy.s = 6;
        s.policy.S = 20;
        s.demand.kind = SL_DEMAND_POISSON;
        s.demand.mean = 1;
        break;
    case SL_SC_CROSSDOCK:
        s.policy.kind = SL_POLICY_BASE_STOCK;
        s.policy.S = 0;
        break;
    default:
        s.policy.kind = SL_POLICY_BASE_STOCK;
        s.policy.S = 600;
    }
    return s;
}

int sl_sc_site_index(const sl_sc *sc, long long id)
{
    int lo = 0, hi = sc->N - 1; /* by_id: site indices sorted by id */
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        long long m = sc->site[sc->by_id[mid]].id;
        if (m == id)
            return sc->by_id[mid];
        if (m < id)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

static const sl_sc *sort_sc; /* qsort has no user pointer; sl_sc_create runs serially */

static int by_id_cmp(const void *a, const void *b)
{
    long long x = sort_sc->site[*(const int *)a].id, y = sort_sc->site[*(const int *)b].id;
    return x < y ? -1 : x > y;
}

double slp_sc_dist(const sl_sc *sc, int a, int b)
{
    if (sc->D)
        return sc->D[(size_t)a * (size_t)sc->N + (size_t)b];
    return hypot(sc->nx[a] - sc->nx[b], sc->ny[a] - sc->ny[b]);
}

/* Candidate sources of a site by kind: a store buys from warehouses and cross-docks, a cross-dock
 * from warehouses, plants and suppliers, a warehouse from plants and suppliers. */
static int candidate(int kind, int ckind)
{
    switch (kind) {
    case SL_SC_STORE:
        return ckind == SL_SC_WAREHOUSE || ckind == SL_SC_CROSSDOCK;
    case SL_SC_CROSSDOCK:
        return ckind <= SL_SC_WAREHOUSE;
    case SL_SC_WAREHOUSE:
        return ckind <= SL_SC_PLANT;
    default:
        return 0;
    }
}

static int has_candidate(const sl_sc *sc, int kind)
{
    return sc->ncand[kind] > 0;
}

/* Whether j may be the source of i: not itself, not a store, of the same or a higher echelon kind
 * (the same kind only between warehouses or between cross-docks). */
static int source_allowed(const sl_sc *sc, int i, int j)
{
    int ki = sc->site[i].kind, kj = sc->site[j].kind;
    return j != i && kj != SL_SC_STORE && kj <= ki &&
           (kj < ki || ki == SL_SC_WAREHOUSE || ki == SL_SC_CROSSDOCK);
}

static sl_status check_site(const sl_sc *sc, const sl_sc_site *s, sl_error *e)
{
    const char *n = sc->name;
    long long id = s->id;
    if (s->kind < SL_SC_SUPPLIER || s->kind > SL_SC_STORE)
        return sl_error_set(e, SL_ERR_RANGE, "%s: site %lld: unknown kind %d", n, id, s->kind);
    if (!(s->stock0 >= 0) || !isfinite(s->stock0))
        return sl_error_set(e, SL_ERR_RANGE, "%s: site %lld: stock %g must be >= 0", n, id,
                            s->stock0);
    if (!(s->capacity > 0) || isnan(s->capacity))
        return sl_error_set(e, SL_ERR_RANGE, "%s: site %lld: capacity %g must be > 0", n, id,
                            s->capacity);
    if (s->stock0 > s->capacity)
        return sl_error_set(e, SL_ERR_RANGE, "%s: site %lld: stock %g exceeds its capacity %g", n,
                            id, s->stock0, s->capacity);
    double costs[3] = {s->holding_cost, s->backlog_cost, s->lost_cost};
    for (int k = 0; k < 3; k++)
        if (!(costs[k] >= 0) || !isfinite(costs[k]))
            return sl_error_set(e, SL_ERR_RANGE, "%s: site %lld: costs must be finite and >= 0",
                                n, id);
    if (s->lead < 0 || s->ship_time < 1)
        return sl_error_set(e, SL_ERR_RANGE, "%s: site %lld: lead >= 0 and ship_time >= 1 are "
                            "required (got %d, %d)", n, id, s->lead, s->ship_time);
    if (s->kind == SL_SC_PLANT && (!(s->rate > 0) || !isfinite(s->rate)))
        return sl_error_set(e, SL_ERR_RANGE, "%s: site %lld: plant rate %g must be > 0", n, id,
                            s->rate);
    if (s->source_kind < SL_SC_SOURCE_FIXED || s->source_kind > SL_SC_SOURCE_RULE)
        return sl_error_set(e, SL_ERR_RANGE, "%s: site %lld: unknown source kind", n, id);
    if (s->source_kind == SL_SC_SOURCE_RULE && !sc->def.source_fn)
        return sl_error_set(e, SL_ERR_RANGE, "%s: site %lld: a source rule needs a hook", n, id);
    sl_status st = SL_OK;
    char msg[SL_ERROR_MSG_MAX];
    if (s->kind == SL_SC_SUPPLIER) {
        if (s->policy.kind != SL_SC_POLICY_NONE)
            return sl_error_set(e, SL_ERR_RANGE, "%s: site %lld: a supplier has no policy", n,
                                id);
    } else if (s->policy.kind == SL_SC_POLICY_HOOK) {
        if (!sc->def.policy_fn)
            return sl_error_set(e, SL_ERR_RANGE, "%s: site %lld: a policy hook is missing", n,
                                id);
    } else if (s->policy.kind == SL_SC_POLICY_NONE) {
        return sl_error_set(e, SL_ERR_RANGE, "%s: site %lld: a %s needs a policy", n, id,
                            sl_sc_kind_name(s->kind));
    } else {
        st = sl_policy_check(&s->policy, e);
    }
    if (st == SL_OK && s->kind == SL_SC_STORE) {
        if (s->demand.kind == SL_SC_DEMAND_HOOK) {
            if (!sc->def.demand_fn)
                return sl_error_set(e, SL_ERR_RANGE, "%s: site %lld: a demand hook is missing",
                                    n, id);
        } else {
            st = sl_demand_check(&s->demand, e);
            if (st == SL_OK && s->demand.kind == SL_DEMAND_TABLE &&
                (!s->demand.table || s->column < 0 ||
                 (s->demand.cols > 1 && s->column >= s->demand.cols)))
                return sl_error_set(e, SL_ERR_RANGE, "%s: site %lld: demand column %d outside "
                                    "the table's %d columns", n, id, s->column + 1,
                                    s->demand.cols);
        }
    }
    if (st != SL_OK) {
        snprintf(msg, sizeof msg, "%s", e ? e->msg : "");
        return sl_error_set(e, st, "%s: site %lld: %s", n, id, msg);
    }
    return SL_OK;
}

/* Echelon of site i by depth-first search over fixed sources; state 1 = on the path (a cycle). */
static sl_status echelon_of(sl_sc *sc, int i, char *state, sl_error *e)
{
    if (state[i] == 2)
        return SL_OK;
    if (state[i] == 1) {
        char path[256];
        int len = snprintf(path, sizeof path, "%lld", sc->site[i].id);
        for (int j = sc->src[i]; j != i && len < (int)sizeof path - 24; j = sc->src[j])
            len += snprintf(path + len, sizeof path - (size_t)len, " -> %lld", sc->site[j].id);
        snprintf(path + len, sizeof path - (size_t)len, " -> %lld", sc->site[i].id);
        return sl_error_set(e, SL_ERR_RANGE, "%s: cycle in sources: %s", sc->name, path);
    }
    const sl_sc_site *s = &sc->site[i];
    if (s->kind == SL_SC_SUPPLIER || s->kind == SL_SC_PLANT) {
        sc->echelon[i] = 0;
        state[i] = 2;
        return SL_OK;
    }
    state[i] = 1;
    int ech = 0;
    if (sc->src[i] >= 0) {
        sl_status st = echelon_of(sc, sc->src[i], state, e);
        if (st != SL_OK)
            return st;
        ech = sc->echelon[sc->src[i]] + 1;
    } else { /* nearest or rule: one above the deepest candidate */
        for (int c = 0; c < sc->ncand[s->kind]; c++) {
            int j = sc->cand[s->kind][c];
            sl_status st = echelon_of(sc, j, state, e);
            if (st != SL_OK)
                return st;
            if (sc->echelon[j] + 1 > ech)
                ech = sc->echelon[j] + 1;
        }
    }
    sc->echelon[i] = ech;
    state[i] = 2;
    return SL_OK;
}

static sl_status build_distances(sl_sc *sc, const sl_sc_def *d, sl_error *e)
{
    int N = sc->N;
    if (!d->roads) {
        for (int i = 0; i < N; i++) {
            if (!isfinite(sc->site[i].x) || !isfinite(sc->site[i].y))
                return sl_error_set(e, SL_ERR_RANGE, "%s: site %lld has no valid position",
                                    sc->name, sc->site[i].id);
            sc->nx[i] = sc->site[i].x;
            sc->ny[i] = sc->site[i].y;
        }
        return SL_OK;
    }
    const sl_graph *g = d->roads;
    if (!g->finalized)
        return sl_error_set(e, SL_ERR_STATE, "%s: the road graph is not finalized", sc->name);
    if (N > 5000) /* a full distance table is kept on roads */
        return sl_error_set(e, SL_ERR_RANGE, "%s: %d sites on a road graph (at most 5000)",
                            sc->name, N);
    sc->D = malloc((size_t)N * (size_t)N * sizeof(double));
    double *dist = malloc((size_t)g->n * sizeof(double));
    if (!sc->D || !dist) {
        free(dist);
        return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", sc->name);
    }
    sl_status st = SL_OK;
    for (int i = 0; i < N && st == SL_OK; i++) {
        int ni = sc->site[i].node;
        if (ni < 0 || ni >= g->n) {
            st = sl_error_set(e, SL_ERR_RANGE, "%s: site %lld is on node %d, outside the road "
                              "graph (%d..%d)", sc->name, sc->site[i].id, ni + d->node_base,
                              d->node_base, g->n - 1 + d->node_base);
            break;
        }
        sc->nx[i] = g->x ? g->x[ni] : 0.0;
        sc->ny[i] = g->y ? g->y[ni] : 0.0;
    }
    for (int i = 0; i < N && st == SL_OK; i++) {
        st = sl_graph_dijkstra(g, sc->site[i].node, dist, NULL, e);
        for (int j = 0; j < N && st == SL_OK; j++) {
            double v = dist[sc->site[j].node];
            if (!isfinite(v))
                st = sl_error_set(e, SL_ERR_RANGE, "%s: site %lld (road node %d) cannot be "
                                  "reached from site %lld (road node %d)", sc->name,
                                  sc->site[j].id, sc->site[j].node + d->node_base,
                                  sc->site[i].id, sc->site[i].node + d->node_base);
            sc->D[(size_t)i * (size_t)N + (size_t)j] = v;
        }
    }
    free(dist);
    return st;
}

sl_status slp_sc_network_build(sl_sc *sc, const sl_sc_def *d, sl_error *e)
{
    int N = sc->N;
    for (int i = 0; i < N; i++) {
        sl_status st = check_site(sc, &sc->site[i], e);
        if (st != SL_OK)
            return st;
        sc->by_id[i] = i;
    }
    sort_sc = sc;
    qsort(sc->by_id, (size_t)N, sizeof *sc->by_id, by_id_cmp);
    sort_sc = NULL;
    for (int i = 1; i < N; i++)
        if (sc->site[sc->by_id[i]].id == sc->site[sc->by_id[i - 1]].id)
            return sl_error_set(e, SL_ERR_RANGE, "%s: two sites have id %lld", sc->name,
                                sc->site[sc->by_id[i]].id);
    /* candidate sources of each kind, in site order */
    for (int k = 0; k < 5; k++) {
        sc->cand[k] = malloc((size_t)N * sizeof(int));
        if (!sc->cand[k])
            return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", sc->name);
        sc->ncand[k] = 0;
        for (int j = 0; j < N; j++)
            if (candidate(k, sc->site[j].kind))
                sc->cand[k][sc->ncand[k]++] = j;
    }
    for (int i = 0; i < N; i++) {
        const sl_sc_site *s = &sc->site[i];
        sc->src[i] = -1;
        if (s->kind == SL_SC_SUPPLIER || s->kind == SL_SC_PLANT)
            continue;
        if (s->source_kind == SL_SC_SOURCE_FIXED) {
            int j = sl_sc_site_index(sc, s->source);
            if (j < 0)
                return sl_error_set(e, SL_ERR_RANGE, "%s: site %lld: unknown source id %lld",
                                    sc->name, s->id, s->source);
            if (!source_allowed(sc, i, j))
                return sl_error_set(e, SL_ERR_RANGE, "%s: site %lld (%s) cannot order from site "
                                    "%lld (%s)", sc->name, s->id, sl_sc_kind_name(s->kind),
                                    s->source, sl_sc_kind_name(sc->site[j].kind));
            sc->src[i] = j;
        } else if (!has_candidate(sc, s->kind)) {
            return sl_error_set(e, SL_ERR_RANGE, "%s: site %lld (%s): no site it could order "
                                "from", sc->name, s->id, sl_sc_kind_name(s->kind));
        }
    }
    char *state = calloc((size_t)N, 1);
    if (!state)
        return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", sc->name);
    sl_status st = SL_OK;
    for (int i = 0; i < N && st == SL_OK; i++)
        st = echelon_of(sc, i, state, e);
    free(state);
    if (st != SL_OK)
        return st;
    return build_distances(sc, d, e);
}

int sl_sc_echelon(const sl_sc *sc, int site)
{
    return sc->echelon[site];
}

/* Units a warehouse can spare for a peer: free stock beyond what it waits to ship and beyond the
 * level its own policy keeps (s of (s, S), S of base-stock). */
static double spare_of(const sl_sc *sc, int j, int p)
{
    const sl_sc_site *s = &sc->site[j];
    size_t k = (size_t)j * (size_t)sc->P + (size_t)p;
    double keep = s->policy.kind == SL_POLICY_SS ? s->policy.s
                  : s->policy.kind == SL_POLICY_BASE_STOCK ? s->policy.S : 0.0;
    return sc->inv[k] - sc->waiting[k] - keep;
}

static int covers(const sl_sc *sc, int j, int p, double qty)
{
    int k = sc->site[j].kind;
    return k == SL_SC_SUPPLIER || sc->inv[(size_t)j * (size_t)sc->P + (size_t)p] -
                                          sc->waiting[(size_t)j * (size_t)sc->P + (size_t)p] >=
                                      qty;
}

int slp_sc_source_of(sl_sc *sc, int i, int p, double qty, sl_error *e)
{
    const sl_sc_site *s = &sc->site[i];
    if (s->kind == SL_SC_PLANT)
        return i; /* a plant makes what it orders */
    if (s->kind == SL_SC_WAREHOUSE && s->transship) {
        int best = -1;
        double bd = INFINITY;
        for (int c = 0; c < sc->ncand[SL_SC_CROSSDOCK]; c++) {
            int j = sc->cand[SL_SC_CROSSDOCK][c]; /* the warehouses are among these */
            if (j == i || sc->site[j].kind != SL_SC_WAREHOUSE || !sc->site[j].transship ||
                spare_of(sc, j, p) < qty)
                continue;
            double d = slp_sc_dist(sc, j, i);
            if (d < bd) {
                bd = d;
                best = j;
            }
        }
        if (best >= 0)
            return best;
    }
    if (s->source_kind == SL_SC_SOURCE_FIXED)
        return sc->src[i];
    if (s->source_kind == SL_SC_SOURCE_RULE) {
        sl_sc_site_state st = slp_sc_state(sc, i, p);
        st.demand = qty; /* what it is about to order */
        int j = -1;
        if (sc->def.source_fn(sc->def.hook_user, &st, &j, e) != SL_OK)
            return -1;
        if (j < 0 || j >= sc->N || !source_allowed(sc, i, j)) {
            sl_error_set(e, SL_ERR_RANGE, "%s: site %lld: the source rule chose %s%lld, which "
                         "it cannot order from", sc->name, s->id, j < 0 || j >= sc->N ?
                         "no site " : "site ", j < 0 || j >= sc->N ? 0LL : sc->site[j].id);
            return -1;
        }
        return j;
    }
    /* nearest candidate whose free stock covers the order, else the nearest candidate */
    int best = -1, any = -1;
    double bd = INFINITY, ad = INFINITY;
    for (int c = 0; c < sc->ncand[s->kind]; c++) {
        int j = sc->cand[s->kind][c];
        double d = slp_sc_dist(sc, j, i);
        if (d < ad) {
            ad = d;
            any = j;
        }
        if (d < bd && covers(sc, j, p, qty)) {
            bd = d;
            best = j;
        }
    }
    return best >= 0 ? best : any;
}

sl_sc_site_state slp_sc_state(const sl_sc *sc, int i, int p)
{
    sl_sc_site_state st;
    size_t k = (size_t)i * (size_t)sc->P + (size_t)p;
    const sl_sc_site *s = &sc->site[i];
    st.site = i;
    st.id = s->id;
    st.kind = s->kind;
    st.product = p;
    st.step = sc->step;
    st.inventory = sc->inv[k];
    st.backlog = s->kind == SL_SC_STORE ? sc->back[k] : sc->waiting[k];
    st.on_order = sc->on_order[k];
    st.position = st.inventory - st.backlog + st.on_order;
    st.demand = sc->dem[k];
    st.capacity = s->capacity;
    return st;
}

sl_sc_site_state sl_sc_site_get(const sl_sc *sc, int site, int product)
{
    return slp_sc_state(sc, site, product);
}

int sl_sc_sites(const sl_sc *sc)
{
    return sc->N;
}

const sl_sc_site *sl_sc_site_def(const sl_sc *sc, int site)
{
    return &sc->site[site];
}
