/* sc_route.c - vehicle routes of the supply chain: cheapest insertion that never reorders the
 * stops of a vehicle under way, the central planner, and the improvement of routes that have not
 * left the depot by the routing module's CVRP and TSP local search (on an integer instance built
 * from the supply chain's distances; see slp_sc_improve_routes). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "sc_internal.h"

static double dist(const sl_sc *sc, int a, int b)
{
    return sc->D[(size_t)a * (size_t)sc->N + (size_t)b];
}

static int node_of(const sl_sc *sc, int o)
{
    return sc->orders[o].store + 1;
}

static double committed_units(const sl_sc *sc, const sc_vehicle *v)
{
    double c = 0.0;
    for (int p = 0; p < sc->P; p++)
        c += v->committed[p];
    return c;
}

double slp_sc_spare(const sl_sc *sc, int vi)
{
    const sc_vehicle *v = &sc->veh[vi];
    if (v->state == VEH_DEPOT)
        return sc->def.capacity - committed_units(sc, v);
    if (v->state == VEH_RETURNING)
        return 0.0;
    double f = 0.0;
    for (int p = 0; p < sc->P; p++)
        f += v->load[p] - v->committed[p];
    return f;
}

int slp_sc_stock_covers(const sl_sc *sc, int o)
{
    for (int p = 0; p < sc->P; p++)
        if (sc->stock[p] < sc->orders[o].q[p])
            return 0;
    return 1;
}

void slp_sc_reserve(sl_sc *sc, int o)
{
    for (int p = 0; p < sc->P; p++) {
        sc->stock[p] -= sc->orders[o].q[p];
        sc->reserved[p] += sc->orders[o].q[p];
        sc->waiting[p] -= sc->orders[o].q[p];
    }
}

void slp_sc_release(sl_sc *sc, int o)
{
    for (int p = 0; p < sc->P; p++) {
        sc->stock[p] += sc->orders[o].q[p];
        sc->reserved[p] -= sc->orders[o].q[p];
        sc->waiting[p] += sc->orders[o].q[p];
    }
}

double slp_sc_insertion(const sl_sc *sc, int vi, int o, int *pos)
{
    const sc_vehicle *v = &sc->veh[vi];
    const sc_order *ord = &sc->orders[o];
    int first;
    if (v->state == VEH_DEPOT) {
        if (committed_units(sc, v) + ord->units > sc->def.capacity + 1e-9)
            return INFINITY;
        first = 0;
    } else if (v->state == VEH_OUT) {
        for (int p = 0; p < sc->P; p++)
            if (v->load[p] - v->committed[p] < ord->q[p] - 1e-9)
                return INFINITY;
        first = 1; /* never before the stop the vehicle is heading to */
    } else {
        return INFINITY;
    }
    int x = node_of(sc, o);
    double best = INFINITY;
    for (int k = first; k <= v->nstops; k++) {
        int prev = k == 0 ? 0 : node_of(sc, v->stops[k - 1]);
        int next = k < v->nstops ? node_of(sc, v->stops[k]) : 0;
        double d = dist(sc, prev, x) + dist(sc, x, next) - dist(sc, prev, next);
        if (d < best - 1e-12) {
            best = d;
            *pos = k;
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
    memmove(v->stops + pos + 1, v->stops + pos, (size_t)(v->nstops - pos) * sizeof(int));
    v->stops[pos] = o;
    if (v->nstops == 0)
        v->first_commit = sc->step;
    v->nstops++;
    for (int p = 0; p < sc->P; p++)
        v->committed[p] += sc->orders[o].q[p];
    sc->orders[o].state = ORD_ASSIGNED;
    sc->orders[o].vehicle = vi;
    if (v->state == VEH_OUT) {
        /* Served from the float on board: the warehouse keeps its reserved units. */
        slp_sc_release(sc, o);
        for (int p = 0; p < sc->P; p++)
            sc->waiting[p] -= sc->orders[o].q[p];
    }
    return 1;
}

double slp_sc_route_length(const sl_sc *sc, int vi)
{
    const sc_vehicle *v = &sc->veh[vi];
    int prev = v->state == VEH_DEPOT ? 0 : v->loc;
    double len = v->state == VEH_DEPOT ? 0.0 : -v->progress;
    for (int k = 0; k < v->nstops; k++) {
        int x = node_of(sc, v->stops[k]);
        len += dist(sc, prev, x);
        prev = x;
    }
    return len + dist(sc, prev, 0);
}

sl_status slp_sc_central_plan(sl_sc *sc, uint64_t step, sl_error *e)
{
    for (size_t i = 0; i < sc->norders; i++) {
        sc_order *o = &sc->orders[i];
        if (o->state != ORD_WAITING || o->ready > step || !slp_sc_stock_covers(sc, (int)i))
            continue;
        slp_sc_reserve(sc, (int)i);
        double best = INFINITY;
        int bv = -1, bpos = 0;
        for (int v = 0; v < sc->V; v++) {
            int pos = 0;
            double c = slp_sc_insertion(sc, v, (int)i, &pos);
            if (c < best) {
                best = c;
                bv = v;
                bpos = pos;
            }
        }
        if (bv < 0) {
            slp_sc_release(sc, (int)i);
            continue;
        }
        if (!slp_sc_insert(sc, bv, (int)i, bpos))
            return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", sc->name);
        sl_msg m = sl_msg_to_agent(SL_SC_MSG_ASSIGN, POP_WH, 1, POP_VEH, (sl_id)bv + 1, o->id);
        m.nd = 1;
        m.d[0] = o->units;
        if (sl_bus_send(sc->bus, 0, &m) != SL_OK)
            return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", sc->name);
    }
    /* The routing module's local search over the routes that have not left yet. */
    int *all = malloc((size_t)sc->V * sizeof *all);
    if (!all)
        return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", sc->name);
    for (int v = 0; v < sc->V; v++)
        all[v] = v;
    sl_status st = slp_sc_improve_routes(sc, all, sc->V, NULL, e);
    free(all);
    return st;
}
