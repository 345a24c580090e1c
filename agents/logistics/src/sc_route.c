/* sc_route.c - vehicle routes of the supply chain: cheapest insertion that never reorders the
 * stops of a vehicle under way, and the central planner (insertion, then 2-opt and relocation
 * among the vehicles still at the depot). A small local search of its own: these routes start
 * mid-way, carry per-product loads and use real-valued distances. */
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

double sc_spare(const sl_sc *sc, int vi)
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

int sc_stock_covers(const sl_sc *sc, int o)
{
    for (int p = 0; p < sc->P; p++)
        if (sc->stock[p] < sc->orders[o].q[p])
            return 0;
    return 1;
}

void sc_reserve(sl_sc *sc, int o)
{
    for (int p = 0; p < sc->P; p++) {
        sc->stock[p] -= sc->orders[o].q[p];
        sc->reserved[p] += sc->orders[o].q[p];
        sc->waiting[p] -= sc->orders[o].q[p];
    }
}

void sc_release(sl_sc *sc, int o)
{
    for (int p = 0; p < sc->P; p++) {
        sc->stock[p] += sc->orders[o].q[p];
        sc->reserved[p] -= sc->orders[o].q[p];
        sc->waiting[p] += sc->orders[o].q[p];
    }
}

double sc_insertion(const sl_sc *sc, int vi, int o, int *pos)
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

static int stops_grow(sc_vehicle *v, int need)
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

int sc_insert(sl_sc *sc, int vi, int o, int pos)
{
    sc_vehicle *v = &sc->veh[vi];
    if (!stops_grow(v, v->nstops + 1))
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
        sc_release(sc, o);
        for (int p = 0; p < sc->P; p++)
            sc->waiting[p] -= sc->orders[o].q[p];
    }
    return 1;
}

double sc_route_length(const sl_sc *sc, int vi)
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

/* 2-opt on the closed tour depot -> stops -> depot; returns 1 when it improved. */
static int two_opt(sl_sc *sc, sc_vehicle *v)
{
    int improved = 0, again = 1;
    while (again) {
        again = 0;
        for (int i = 0; i < v->nstops - 1; i++) {
            for (int j = i + 1; j < v->nstops; j++) {
                int a = i == 0 ? 0 : node_of(sc, v->stops[i - 1]);
                int b = node_of(sc, v->stops[i]);
                int c = node_of(sc, v->stops[j]);
                int d = j + 1 < v->nstops ? node_of(sc, v->stops[j + 1]) : 0;
                double delta = dist(sc, a, c) + dist(sc, b, d) - dist(sc, a, b) - dist(sc, c, d);
                if (delta < -1e-9) {
                    for (int l = i, r = j; l < r; l++, r--) {
                        int t = v->stops[l];
                        v->stops[l] = v->stops[r];
                        v->stops[r] = t;
                    }
                    again = improved = 1;
                }
            }
        }
    }
    return improved;
}

/* Moves one stop between two vehicles at the depot when that shortens the total. */
static int relocate(sl_sc *sc)
{
    for (int a = 0; a < sc->V; a++) {
        sc_vehicle *va = &sc->veh[a];
        if (va->state != VEH_DEPOT)
            continue;
        for (int i = 0; i < va->nstops; i++) {
            int o = va->stops[i];
            int prev = i == 0 ? 0 : node_of(sc, va->stops[i - 1]);
            int next = i + 1 < va->nstops ? node_of(sc, va->stops[i + 1]) : 0;
            int x = node_of(sc, o);
            double gain = dist(sc, prev, x) + dist(sc, x, next) - dist(sc, prev, next);
            for (int b = 0; b < sc->V; b++) {
                sc_vehicle *vb = &sc->veh[b];
                if (b == a || vb->state != VEH_DEPOT)
                    continue;
                int pos = 0;
                double add = sc_insertion(sc, b, o, &pos);
                if (add < gain - 1e-9) {
                    memmove(va->stops + i, va->stops + i + 1,
                            (size_t)(va->nstops - i - 1) * sizeof(int));
                    va->nstops--;
                    for (int p = 0; p < sc->P; p++)
                        va->committed[p] -= sc->orders[o].q[p];
                    if (!sc_insert(sc, b, o, pos))
                        return -1;
                    return 1;
                }
            }
        }
    }
    return 0;
}

sl_status sc_central_plan(sl_sc *sc, uint64_t step, sl_error *e)
{
    for (size_t i = 0; i < sc->norders; i++) {
        sc_order *o = &sc->orders[i];
        if (o->state != ORD_WAITING || o->ready > step || !sc_stock_covers(sc, (int)i))
            continue;
        sc_reserve(sc, (int)i);
        double best = INFINITY;
        int bv = -1, bpos = 0;
        for (int v = 0; v < sc->V; v++) {
            int pos = 0;
            double c = sc_insertion(sc, v, (int)i, &pos);
            if (c < best) {
                best = c;
                bv = v;
                bpos = pos;
            }
        }
        if (bv < 0) {
            sc_release(sc, (int)i);
            continue;
        }
        if (!sc_insert(sc, bv, (int)i, bpos))
            return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", sc->name);
        sl_msg m = sl_msg_to_agent(SL_SC_MSG_ASSIGN, POP_WH, 1, POP_VEH, (sl_id)bv + 1, o->id);
        m.nd = 1;
        m.d[0] = o->units;
        if (sl_bus_send(sc->bus, 0, &m) != SL_OK)
            return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", sc->name);
    }
    /* Local search over the routes that have not left yet. */
    for (int pass = 0; pass < 50; pass++) {
        int changed = 0;
        for (int v = 0; v < sc->V; v++)
            if (sc->veh[v].state == VEH_DEPOT && sc->veh[v].nstops > 2)
                changed |= two_opt(sc, &sc->veh[v]);
        int r = relocate(sc);
        if (r < 0)
            return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", sc->name);
        changed |= r;
        if (!changed)
            break;
    }
    return SL_OK;
}
