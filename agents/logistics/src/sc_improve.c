/* sc_improve.c - improvement of the routes still at the depot by the routing module's local
 * search.
 *
 * The routing module works on TSPLIB-style instances: integer distances and integer demands.
 * The stops of the vehicles taking part become the customers of an EXPLICIT instance (node 0 is
 * the warehouse, node k the k-th stop, so two orders for the same store are two customers at
 * distance 0). Distances are the supply chain's (Euclidean or road shortest paths) multiplied
 * by 10^6 / (longest distance among these nodes) and rounded: the longest becomes 1,000,000,
 * which keeps route costs far from integer overflow and resolves differences of a millionth of
 * the longest leg. The searches reverse route segments and assume symmetric distances, so a leg
 * costs the mean of its two directions there (one-way roads make them differ); otherwise a move
 * could look like a gain in both directions and the search would not end. Demands are the order units (integers by construction of the policies); when
 * some units or the capacity are not whole numbers, both are counted in thousandths, demands
 * rounded up and the capacity down, so a load the instance accepts also fits the real capacity.
 *
 * Steps: sl_cvrp_ls_run over all routes (relocate, swap, 2-opt, 2-opt*, exchange; skipped when a
 * route is already over the integer capacity), then sl_tsp_ls_run with 2-opt + Or-opt on every
 * route of four stops or more. The improved routes go back to the vehicles that held most of
 * their stops before (ties: the lower index). Because rounding and one-way roads can make an
 * integer gain a real loss, the new plan is compared with the old one in real distances and
 * kept only when it is shorter. Everything is serial and uses no random numbers. */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "sc_internal.h"
#include "swarmlab/routing.h"

#define SC_DIST_SPAN 1e6  /* the longest distance of an instance, in integer units */
#define SC_CAND_MAX 40    /* candidate list length */

typedef struct plan {
    int n;              /* nodes: depot + stops */
    int *node;          /* supply-chain node of each instance node */
    int *order;         /* order index of each instance node (-1 for the depot) */
    int *owner;         /* vehicle slot that held each stop before */
    int *mat;           /* n x n integer distances */
    int *dem;
    sl_instance *in;
    sl_routes r;
} plan;

#define dist slp_sc_dist

static void plan_free(plan *p)
{
    free(p->node);
    free(p->order);
    free(p->owner);
    free(p->mat);
    free(p->dem);
    sl_instance_destroy(p->in);
    sl_routes_release(&p->r);
}

static int whole(double x)
{
    return fabs(x - nearbyint(x)) < 1e-9;
}

/* Real length of a depot route given as instance nodes. */
static double route_len(const sl_sc *sc, const plan *p, const int *a, int len)
{
    double l = 0.0;
    int prev = p->node[0];
    for (int i = 0; i < len; i++) {
        l += dist(sc, prev, p->node[a[i]]);
        prev = p->node[a[i]];
    }
    return l + dist(sc, prev, p->node[0]);
}

/* Builds the instance; returns 0 when out of memory. *cvrp_ok tells whether the capacity model
 * admits the current routes. */
static int plan_build(sl_sc *sc, const int *vs, int m, plan *p, int *cvrp_ok)
{
    int n = 1;
    for (int j = 0; j < m; j++)
        n += sc->veh[vs[j]].nstops;
    p->n = n;
    p->node = malloc((size_t)n * sizeof(int));
    p->order = malloc((size_t)n * sizeof(int));
    p->owner = malloc((size_t)n * sizeof(int));
    p->dem = malloc((size_t)n * sizeof(int));
    p->mat = malloc((size_t)n * (size_t)n * sizeof(int));
    if (!p->node || !p->order || !p->owner || !p->dem || !p->mat)
        return 0;
    /* one capacity for the instance: the smallest of the vehicles (a larger vehicle's route over
     * it turns the CVRP moves off; the 2-opt and Or-opt inside routes still run) */
    double capacity = sc->veh[vs[0]].cap;
    for (int j = 1; j < m; j++)
        if (sc->veh[vs[j]].cap < capacity)
            capacity = sc->veh[vs[j]].cap;
    p->node[0] = sc->veh[vs[0]].depot;
    p->order[0] = -1;
    p->owner[0] = -1;
    int k = 1, integral = whole(capacity);
    for (int j = 0; j < m; j++) {
        const sc_vehicle *v = &sc->veh[vs[j]];
        for (int i = 0; i < v->nstops; i++, k++) {
            p->order[k] = v->stops[i];
            p->node[k] = sc->orders[v->stops[i]].site;
            p->owner[k] = j;
            integral &= whole(sc->orders[v->stops[i]].qty);
        }
    }
    double maxd = 0.0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            if (dist(sc, p->node[i], p->node[j]) > maxd)
                maxd = dist(sc, p->node[i], p->node[j]);
    double scale = maxd > 0.0 ? SC_DIST_SPAN / maxd : 1.0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            p->mat[(size_t)i * (size_t)n + (size_t)j] =
                i == j ? 0 : (int)llround(0.5 * (dist(sc, p->node[i], p->node[j]) +
                                                 dist(sc, p->node[j], p->node[i])) * scale);
    p->in = sl_instance_from_matrix(sc->name, n, p->mat);
    if (!p->in)
        return 0;
    /* Demands and capacity in whole units, or in thousandths (demand up, capacity down). */
    double qs = integral ? 1.0 : 1000.0;
    *cvrp_ok = capacity * qs < (double)(INT_MAX / 4);
    int cap = *cvrp_ok ? (int)floor(capacity * qs + 1e-6) : 0;
    p->dem[0] = 0;
    for (int i = 1; i < n && *cvrp_ok; i++)
        p->dem[i] = (int)ceil(sc->orders[p->order[i]].qty * qs - 1e-6);
    sl_routes_init(&p->r);
    int *seq = malloc((size_t)n * sizeof *seq); /* instance nodes 1..n-1 in route order */
    if (!seq)
        return 0;
    for (int i = 1; i < n; i++)
        seq[i] = i;
    k = 1;
    for (int j = 0; j < m && k < n; j++) {
        int len = sc->veh[vs[j]].nstops;
        long long load = 0;
        for (int i = 0; i < len && *cvrp_ok; i++)
            load += p->dem[k + i];
        if (load > cap)
            *cvrp_ok = 0;
        if (sl_routes_add(&p->r, seq + k, len) != SL_OK) {
            free(seq);
            return 0;
        }
        k += len;
    }
    free(seq);
    if (*cvrp_ok) {
        sl_error e;
        if (sl_instance_make_cvrp(p->in, cap, p->dem, 0, &e) != SL_OK)
            *cvrp_ok = 0;
    }
    return 1;
}

/* 2-opt + Or-opt on one route (instance nodes a[0..len-1]) over its own sub-instance. Returns 0
 * when out of memory. */
static int tsp_route(const plan *p, int *a, int len)
{
    int n = len + 1, ok = 0;
    int *mat = malloc((size_t)n * (size_t)n * sizeof(int));
    int *t = malloc((size_t)n * sizeof(int));
    int *map = malloc((size_t)n * sizeof(int));
    sl_instance *in = NULL;
    int *cand = NULL;
    sl_tsp_ls *ls = NULL;
    if (!mat || !t || !map)
        goto done;
    map[0] = 0;
    for (int i = 0; i < len; i++)
        map[i + 1] = a[i];
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            mat[(size_t)i * (size_t)n + (size_t)j] =
                p->mat[(size_t)map[i] * (size_t)p->n + (size_t)map[j]];
    in = sl_instance_from_matrix("route", n, mat);
    if (!in)
        goto done;
    int k = n - 1 < SC_CAND_MAX ? n - 1 : SC_CAND_MAX;
    cand = sl_candidates_build(in, k, 1);
    ls = cand ? sl_tsp_ls_create(in, cand, k) : NULL;
    if (!ls)
        goto done;
    for (int i = 0; i < n; i++)
        t[i] = i;
    sl_tsp_ls_run(ls, SL_LS_OROPT, t, 0);
    int z = 0;
    while (t[z] != 0)
        z++;
    for (int i = 1; i < n; i++)
        a[i - 1] = map[t[(z + i) % n]];
    ok = 1;
done:
    sl_tsp_ls_destroy(ls);
    free(cand);
    sl_instance_destroy(in);
    free(map);
    free(t);
    free(mat);
    return ok;
}

/* Runs the searches on p->r; returns 0 when out of memory. */
static int search(plan *p, int cvrp_ok, int m)
{
    if (cvrp_ok && p->n >= 3) {
        int k = p->n - 1 < SC_CAND_MAX ? p->n - 1 : SC_CAND_MAX;
        int *cand = sl_candidates_build(p->in, k, 1);
        sl_cvrp_ls *ls = cand ? sl_cvrp_ls_create(p->in, cand, k) : NULL;
        if (!ls) {
            free(cand);
            return 0;
        }
        sl_routes keep;
        sl_routes_init(&keep);
        int copied = 1;
        for (int r = 0; r < p->r.nroutes && copied; r++)
            copied = sl_routes_add(&keep, p->r.nodes + p->r.start[r],
                                   p->r.start[r + 1] - p->r.start[r]) == SL_OK;
        long long g = copied ? sl_cvrp_ls_run(ls, &p->r, 0) : -1;
        /* An incomplete result (allocation failure inside) falls back to the routes before. */
        if (g < 0 || p->r.nroutes > m || p->r.start[p->r.nroutes] != p->n - 1) {
            sl_routes_release(&p->r);
            p->r = keep;
        } else {
            sl_routes_release(&keep);
        }
        sl_cvrp_ls_destroy(ls);
        free(cand);
        if (!copied)
            return 0;
    }
    for (int r = 0; r < p->r.nroutes; r++) {
        int len = p->r.start[r + 1] - p->r.start[r];
        if (len >= 4 && !tsp_route(p, p->r.nodes + p->r.start[r], len))
            return 0;
    }
    return 1;
}

sl_status slp_sc_improve_routes(sl_sc *sc, const int *vehicles, int nveh, double *gain, sl_error *e)
{
    if (gain)
        *gain = 0.0;
    int *vs = malloc((size_t)(nveh > 0 ? nveh : 1) * sizeof *vs);
    if (!vs)
        return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", sc->name);
    int m = 0, stops = 0;
    for (int i = 0; i < nveh; i++) {
        const sc_vehicle *v = &sc->veh[vehicles[i]];
        if (v->state == VEH_DEPOT && v->nstops > 0) {
            vs[m++] = vehicles[i];
            stops += v->nstops;
        }
    }
    if (stops < 2) {
        free(vs);
        return SL_OK;
    }
    plan p;
    memset(&p, 0, sizeof p);
    int cvrp_ok = 0, *slot = NULL, *votes = NULL, *route_of = NULL;
    sl_status st = SL_OK;
    if (!plan_build(sc, vs, m, &p, &cvrp_ok) || !search(&p, cvrp_ok, m)) {
        st = sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", sc->name);
        goto done;
    }
    /* Route r goes to the vehicle slot that held most of its stops (ties: lower slot). */
    slot = malloc((size_t)m * sizeof *slot);       /* slot -> route, or -1 */
    votes = malloc((size_t)m * sizeof *votes);
    route_of = malloc((size_t)m * sizeof *route_of);
    if (!slot || !votes || !route_of) {
        st = sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", sc->name);
        goto done;
    }
    for (int j = 0; j < m; j++)
        slot[j] = -1;
    for (int r = 0; r < p.r.nroutes; r++) {
        memset(votes, 0, (size_t)m * sizeof *votes);
        for (int i = p.r.start[r]; i < p.r.start[r + 1]; i++)
            votes[p.owner[p.r.nodes[i]]]++;
        int best = -1;
        for (int j = 0; j < m; j++)
            if (slot[j] < 0 && (best < 0 || votes[j] > votes[best]))
                best = j;
        slot[best] = r;
        route_of[r] = best;
    }
    /* Keep the new plan only when it is shorter in real distances and within capacity. */
    double before = 0.0, after = 0.0;
    for (int j = 0; j < m; j++)
        before += slp_sc_route_length(sc, vs[j]);
    int fits = 1;
    int *ords = malloc((size_t)p.n * sizeof *ords);
    if (!ords) {
        st = sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", sc->name);
        goto done;
    }
    for (int r = 0; r < p.r.nroutes; r++) {
        const int *a = p.r.nodes + p.r.start[r];
        int len = p.r.start[r + 1] - p.r.start[r];
        double units = 0.0;
        for (int i = 0; i < len; i++) {
            units += sc->orders[p.order[a[i]]].qty;
            ords[i] = p.order[a[i]];
        }
        fits &= units <= sc->veh[vs[route_of[r]]].cap + 1e-9;
        /* the stores' windows and the vehicle's shift still hold (the searches know nothing of
         * time) */
        fits &= slp_sc_plan_fits(sc, vs[route_of[r]], ords, len, sc->step, 1);
        after += route_len(sc, &p, a, len);
    }
    free(ords);
    if (!fits || !(after < before - 1e-9))
        goto done;
    for (int j = 0; j < m; j++) {
        sc_vehicle *v = &sc->veh[vs[j]];
        int r = slot[j];
        int len = r < 0 ? 0 : p.r.start[r + 1] - p.r.start[r];
        if (!slp_sc_stops_grow(v, len)) {
            st = sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", sc->name);
            goto done;
        }
    }
    for (int j = 0; j < m; j++) {
        sc_vehicle *v = &sc->veh[vs[j]];
        int r = slot[j];
        v->nstops = r < 0 ? 0 : p.r.start[r + 1] - p.r.start[r];
        memset(v->committed, 0, sizeof v->committed);
        for (int i = 0; i < v->nstops; i++) {
            int o = p.order[p.r.nodes[p.r.start[r] + i]];
            v->stops[i] = o;
            sc->orders[o].vehicle = vs[j];
            v->committed[sc->orders[o].product] += sc->orders[o].qty;
        }
    }
    if (gain)
        *gain = before - after;
done:
    free(route_of);
    free(votes);
    free(slot);
    plan_free(&p);
    free(vs);
    return st;
}
