/* sc_route.c - vehicle routes of the supply chain: cheapest insertion that never reorders the
 * stops of a vehicle under way, the central planner, and the improvement of routes that have not
 * left the depot by the routing module's CVRP and TSP local search (on an integer instance built
 * from the supply chain's distances; see slp_sc_improve_routes). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "sc_internal.h"

#define dist slp_sc_dist

static int node_of(const sl_sc *sc, int o)
{
    return sc->orders[o].site;
}

static double committed_units(const sl_sc *sc, const sc_vehicle *v)
{
    double c = 0.0;
    for (int p = 0; p < sc->P; p++)
        c += v->committed[p];
    return c;
}

static double next_units(const sl_sc *sc, const sc_vehicle *v)
{
    double c = 0.0;
    for (int p = 0; p < sc->P; p++)
        c += v->next_committed[p];
    return c;
}

double slp_sc_spare(const sl_sc *sc, int vi)
{
    const sc_vehicle *v = &sc->veh[vi];
    if (v->state == VEH_DEPOT)
        return v->cap - committed_units(sc, v);
    double f = 0.0;
    if (v->state == VEH_OUT)
        for (int p = 0; p < sc->P; p++)
            f += v->load[p] - v->committed[p];
    double room = v->cap - next_units(sc, v);
    return room > f ? room : f;
}

/* Cheapest place for node x between stops [from, to] of v's stop list, the ends being the depot
 * (or the stop just before from, when from > 0 and from_depot is 0). */
static double cheapest_between(const sl_sc *sc, const sc_vehicle *v, int x, int from, int to,
                               int from_depot, int *pos)
{
    double best = INFINITY;
    for (int k = from; k <= to; k++) {
        int prev = (k == from && from_depot) || k == 0 ? v->depot : node_of(sc, v->stops[k - 1]);
        int next = k < to ? node_of(sc, v->stops[k]) : v->depot;
        double d = dist(sc, prev, x) + dist(sc, x, next) - dist(sc, prev, next);
        if (d < best - 1e-12) {
            best = d;
            *pos = k;
        }
    }
    return best;
}

/* Distance a vehicle under way still drives before it is back at the depot. */
static double way_home(const sl_sc *sc, const sc_vehicle *v)
{
    int cur = v->nstops - v->nnext;
    double len = dist(sc, v->loc, v->target) - v->progress;
    int prev = v->target;
    for (int k = 1; k < cur; k++) {
        int x = node_of(sc, v->stops[k]);
        len += dist(sc, prev, x);
        prev = x;
    }
    return v->state == VEH_RETURNING ? len : len + dist(sc, prev, v->depot);
}

/* Cost of an insertion that adds d to the route's length and dt to its duration (and a departure
 * when the route was empty), in the vehicle's normalised costs. */
static double cost_of(const sc_vehicle *v, double d, double dt, int empty)
{
    return v->kd * d + v->kt * dt + (empty ? v->kf : 0.0);
}

/* Timed insertion: the cheapest position k in [lo, hi] of v's stop list for order o, where the
 * stops stops[a .. b - 1] (a <= lo, hi <= b) are driven from node `start` at time t0 and must be
 * back by `limit`; only positions whose timing is feasible count. Returns the cost (INFINITY when
 * none fits); *dd gets the added distance of the chosen position. */
static double timed_between(const sl_sc *sc, const sc_vehicle *v, int o, int a, int b, int start,
                            double t0, double limit, int lo, int hi, int *pos)
{
    int x = node_of(sc, o);
    const int *sub = v->stops + a;
    double base = slp_sc_route_end(sc, v, start, t0, sub, b - a, -1, 0, INFINITY, 0);
    double best = INFINITY;
    for (int k = lo; k <= hi; k++) {
        int prev = k == a ? start : node_of(sc, v->stops[k - 1]);
        int next = k < b ? node_of(sc, v->stops[k]) : v->depot;
        double d = dist(sc, prev, x) + dist(sc, x, next) - dist(sc, prev, next);
        double end = slp_sc_route_end(sc, v, start, t0, sub, b - a, o, k - a, limit, 1);
        if (!isfinite(end))
            continue;
        double c = cost_of(v, d, end - base, a == b);
        if (c < best - 1e-12) {
            best = c;
            *pos = k;
        }
    }
    return best;
}

/* Whether v's next trip (its last nnext stops) still fits when the current trip ends at `back`. */
static int next_trip_fits(const sl_sc *sc, const sc_vehicle *v, double back)
{
    int cur = v->nstops - v->nnext;
    if (v->nnext == 0)
        return 1;
    uint64_t dep = slp_sc_next_departure(sc, v, back, sc->step);
    return isfinite(slp_sc_route_end(sc, v, v->depot, (double)dep, v->stops + cur, v->nnext, -1,
                                     0, slp_sc_shift_limit(sc, v, dep), 1));
}

/* slp_sc_insertion when shifts, windows or service times are in play. */
static double timed_insertion(const sl_sc *sc, int vi, int o, int next_trip, int *pos)
{
    const sc_vehicle *v = &sc->veh[vi];
    const slp_sc_order *ord = &sc->orders[o];
    double now = (double)sc->step;
    if (v->state == VEH_DEPOT) {
        if (committed_units(sc, v) + ord->qty > v->cap + 1e-9)
            return INFINITY;
        uint64_t dep = slp_sc_planned_departure(sc, v, sc->step);
        return timed_between(sc, v, o, 0, v->nstops, v->depot, (double)dep,
                             slp_sc_shift_limit(sc, v, dep), 0, v->nstops, pos);
    }
    double best = INFINITY;
    int cur = v->nstops - v->nnext, p = ord->product;
    int node;
    double t;
    slp_sc_next_free(sc, v, now, &node, &t);
    if (v->state == VEH_OUT && cur > 0 && v->load[p] - v->committed[p] >= ord->qty - 1e-9) {
        int k = 0;
        double c = timed_between(sc, v, o, 1, cur, node, t, v->limit, 1, cur, &k);
        if (isfinite(c) && v->nnext > 0) { /* the next trip must still fit after it */
            double back = slp_sc_route_end(sc, v, node, t, v->stops + 1, cur - 1, o, k - 1,
                                           INFINITY, 0);
            c = next_trip_fits(sc, v, back) ? c : INFINITY;
        }
        if (c < best) {
            best = c;
            *pos = k;
        }
    }
    if (next_trip && next_units(sc, v) + ord->qty <= v->cap + 1e-9) {
        double back = slp_sc_trip_end(sc, v, now);
        uint64_t dep = slp_sc_next_departure(sc, v, back, sc->step);
        int k = 0;
        double c = timed_between(sc, v, o, cur, v->nstops, v->depot, (double)dep,
                                 slp_sc_shift_limit(sc, v, dep), cur, v->nstops, &k);
        c += cost_of(v, way_home(sc, v), (double)dep - now, 0);
        if (c < best) {
            best = c;
            *pos = k + SLP_SC_NEXT_TRIP;
        }
    }
    return best;
}

double slp_sc_insertion(const sl_sc *sc, int vi, int o, int next_trip, int *pos)
{
    if (sc->timed)
        return timed_insertion(sc, vi, o, next_trip, pos);
    const sc_vehicle *v = &sc->veh[vi];
    const slp_sc_order *ord = &sc->orders[o];
    int x = node_of(sc, o);
    if (v->state == VEH_DEPOT) {
        if (committed_units(sc, v) + ord->qty > v->cap + 1e-9)
            return INFINITY;
        double d = cheapest_between(sc, v, x, 0, v->nstops, 1, pos);
        return cost_of(v, d, d / v->speed, v->nstops == 0);
    }
    double best = INFINITY;
    int cur = v->nstops - v->nnext;
    int p = ord->product;
    /* from the float, never before the stop the vehicle is heading to */
    if (v->state == VEH_OUT && cur > 0 && v->load[p] - v->committed[p] >= ord->qty - 1e-9) {
        double d = cheapest_between(sc, v, x, 1, cur, 0, pos);
        best = cost_of(v, d, d / v->speed, 0);
    }
    if (next_trip && next_units(sc, v) + ord->qty <= v->cap + 1e-9) {
        int k = 0;
        double d = cheapest_between(sc, v, x, cur, v->nstops, 1, &k) + way_home(sc, v);
        double c = cost_of(v, d, d / v->speed, v->nnext == 0);
        if (c < best) {
            best = c;
            *pos = k + SLP_SC_NEXT_TRIP;
        }
    }
    return best;
}

int slp_sc_stops_grow(sc_vehicle *v, int need)
{
    if (need <= v->capstops)
        return 1;
    int cap = v->capstops ? v->capstops * 2 : 8;
    while (cap < need)
        cap *= 2;
    int *ns = realloc(v->stops, (size_t)cap * sizeof *ns);
    if (!ns)
        return 0;
    v->stops = ns;
    v->capstops = cap;
    return 1;
}

int slp_sc_insert(sl_sc *sc, int vi, int o, int pos)
{
    sc_vehicle *v = &sc->veh[vi];
    if (!slp_sc_stops_grow(v, v->nstops + 1))
        return 0;
    if (pos >= SLP_SC_NEXT_TRIP) { /* the next trip: reserved at the depot until it leaves */
        pos -= SLP_SC_NEXT_TRIP;
        memmove(v->stops + pos + 1, v->stops + pos, (size_t)(v->nstops - pos) * sizeof(int));
        v->stops[pos] = o;
        if (v->nnext == 0)
            v->next_first = sc->step;
        v->nstops++;
        v->nnext++;
        slp_sc_order *ord = &sc->orders[o];
        v->next_committed[ord->product] += ord->qty;
        ord->fleet_state = SLP_SC_ASSIGNED;
        ord->vehicle = vi;
        return 1;
    }
    memmove(v->stops + pos + 1, v->stops + pos, (size_t)(v->nstops - pos) * sizeof(int));
    v->stops[pos] = o;
    if (v->nstops == 0)
        v->first_commit = sc->step;
    v->nstops++;
    slp_sc_order *ord = &sc->orders[o];
    v->committed[ord->product] += ord->qty;
    ord->fleet_state = SLP_SC_ASSIGNED;
    ord->vehicle = vi;
    if (v->state == VEH_OUT) {
        /* Served from the float on board: the depot's reserved units go back to its free stock
         * and the order leaves with the vehicle now. */
        slp_sc_return_stock(sc, ord->depot, ord->product, ord->qty);
        if (slp_sc_order_dispatched(sc, (size_t)o, vi, v->trips, sc->step, NULL) != SL_OK)
            return 0;
    }
    return 1;
}

double slp_sc_route_length(const sl_sc *sc, int vi)
{
    const sc_vehicle *v = &sc->veh[vi];
    int prev = v->state == VEH_DEPOT ? v->depot : v->loc;
    double len = v->state == VEH_DEPOT ? 0.0 : -v->progress;
    for (int k = 0; k < v->nstops; k++) {
        int x = node_of(sc, v->stops[k]);
        len += dist(sc, prev, x);
        prev = x;
    }
    return len + dist(sc, prev, v->depot);
}

sl_status slp_sc_central_plan(sl_sc *sc, slp_sc_fleet *f, uint64_t step, sl_error *e)
{
    size_t n = slp_sc_ready_orders(sc, f->depot, NULL, 0);
    size_t *ready = malloc((n ? n : 1) * sizeof *ready);
    if (!ready)
        return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", sc->name);
    slp_sc_ready_orders(sc, f->depot, ready, n);
    for (size_t r = 0; r < n; r++) {
        size_t i = ready[r];
        slp_sc_order *o = &sc->orders[i];
        if (o->fleet_state != SLP_SC_UNPLANNED || o->fleet_t > step)
            continue;
        double best = INFINITY;
        int bv = -1, bpos = 0;
        for (int v = f->v0; v < f->v0 + f->nv; v++) {
            int pos = 0;
            double c = slp_sc_insertion(sc, v, (int)i, 0, &pos);
            if (c < best) {
                best = c;
                bv = v;
                bpos = pos;
            }
        }
        if (bv < 0)
            continue; /* stays READY: offered again at the next planning */
        if (!slp_sc_insert(sc, bv, (int)i, bpos)) {
            free(ready);
            return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", sc->name);
        }
        sl_msg m = sl_msg_to_agent(SL_SC_MSG_ASSIGN, POP_WH, (sl_id)f->depot + 1, POP_VEH,
                                   (sl_id)bv + 1, o->id);
        m.nd = 1;
        m.d[0] = o->qty;
        if (sl_bus_send(sc->bus, 0, &m) != SL_OK) {
            free(ready);
            return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", sc->name);
        }
    }
    free(ready);
    /* The routing module's local search over the routes that have not left yet. */
    int *all = malloc((size_t)(f->nv > 0 ? f->nv : 1) * sizeof *all);
    if (!all)
        return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", sc->name);
    for (int v = 0; v < f->nv; v++)
        all[v] = f->v0 + v;
    sl_status st = slp_sc_improve_routes(sc, all, f->nv, NULL, e);
    free(all);
    return st;
}
