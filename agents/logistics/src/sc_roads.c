/* sc_roads.c - vehicles on the road graph: the shortest path of the leg a vehicle drives (found
 * once, when the leg starts) and the vehicle's position along the edges of that path.
 *
 * A leg goes from site loc to site target; its length is the road distance of the supply chain's
 * table (slp_sc_dist), which is the same Dijkstra distance as the end of the path found here, so
 * a vehicle reaches the end of the path exactly when the fleet says it arrives. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "sc_internal.h"
#include "swarmlab/graph.h"

sl_status slp_sc_roads_copy(sl_sc *sc, const sl_graph *g, sl_error *e)
{
    if (!g)
        return SL_OK;
    sl_graph *c = sl_graph_create(g->n, e);
    if (!c)
        return e ? e->code : SL_ERR_NOMEM;
    sc->roads = c;
    if (g->x && c->x)
        memcpy(c->x, g->x, (size_t)g->n * sizeof *c->x);
    if (g->y && c->y)
        memcpy(c->y, g->y, (size_t)g->n * sizeof *c->y);
    for (int u = 0; u < g->n; u++)
        for (uint32_t k = g->row[u]; k < g->row[u + 1]; k++) {
            sl_status st = sl_graph_add_edge(c, u, (int)g->col[k], g->w[k], 0, e);
            if (st != SL_OK)
                return st;
        }
    return sl_graph_finalize(c, e);
}

/* Finds the road path of vehicle vi's current leg into its path arrays. */
static sl_status leg_path(sl_sc *sc, int vi, sl_error *e)
{
    const sl_graph *g = sc->roads;
    sc_vehicle *v = &sc->veh[vi];
    if (!sc->road_dist) {
        sc->road_dist = malloc((size_t)g->n * sizeof *sc->road_dist);
        sc->road_prev = malloc((size_t)g->n * sizeof *sc->road_prev);
        if (!sc->road_dist || !sc->road_prev)
            return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", sc->name);
    }
    int from = sc->site[v->loc].node, to = sc->site[v->target].node;
    sl_status st = sl_graph_dijkstra(g, from, sc->road_dist, sc->road_prev, e);
    if (st != SL_OK)
        return st;
    int n = 1;
    for (int u = to; u != from; u = sc->road_prev[u]) {
        if (u < 0 || n > g->n) /* the distance table said it is reachable */
            return sl_error_set(e, SL_ERR_STATE, "%s: no road from node %d to node %d",
                                sc->name, from, to);
        n++;
    }
    if (n > v->cappath) {
        int *np = realloc(v->path, (size_t)n * sizeof *np);
        if (np)
            v->path = np;
        double *na = realloc(v->path_at, (size_t)n * sizeof *na);
        if (na)
            v->path_at = na;
        if (!np || !na)
            return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", sc->name);
        v->cappath = n;
    }
    int k = n;
    for (int u = to;; u = sc->road_prev[u]) {
        v->path[--k] = u;
        v->path_at[k] = sc->road_dist[u];
        if (u == from)
            break;
    }
    v->npath = n;
    v->path_loc = v->loc;
    v->path_target = v->target;
    return SL_OK;
}

sl_status slp_sc_road_legs(sl_sc *sc, sl_error *e)
{
    if (!sc->roads)
        return SL_OK;
    for (int vi = 0; vi < sc->V; vi++) {
        const sc_vehicle *v = &sc->veh[vi];
        if (v->state == VEH_DEPOT || (v->npath > 0 && v->path_loc == v->loc &&
                                      v->path_target == v->target))
            continue;
        sl_status st = leg_path(sc, vi, e);
        if (st != SL_OK)
            return st;
    }
    return SL_OK;
}

int slp_sc_road_xy(const sl_sc *sc, int vi, double *x, double *y)
{
    const sc_vehicle *v = &sc->veh[vi];
    const sl_graph *g = sc->roads;
    if (!g || v->state == VEH_DEPOT || v->npath == 0 || v->path_loc != v->loc ||
        v->path_target != v->target)
        return 0;
    /* the last node of the path reached: path_at[k] <= progress < path_at[k + 1] */
    int lo = 0, hi = v->npath - 1;
    while (lo < hi) {
        int mid = lo + (hi - lo + 1) / 2;
        if (v->path_at[mid] <= v->progress)
            lo = mid;
        else
            hi = mid - 1;
    }
    int a = v->path[lo], b = lo + 1 < v->npath ? v->path[lo + 1] : a;
    double len = lo + 1 < v->npath ? v->path_at[lo + 1] - v->path_at[lo] : 0.0;
    double f = len > 0 ? (v->progress - v->path_at[lo]) / len : 0.0;
    double ax = g->x ? g->x[a] : 0.0, ay = g->y ? g->y[a] : 0.0;
    double bx = g->x ? g->x[b] : 0.0, by = g->y ? g->y[b] : 0.0;
    *x = ax + f * (bx - ax);
    *y = ay + f * (by - ay);
    return 1;
}
