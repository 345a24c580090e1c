/* test_sc_roads.c - vehicles that move along the road graph: on a small hand-made graph whose
 * straight lines between sites are not the shortest roads, every position of a vehicle under way
 * lies on the shortest path of its leg (found here by enumerating every simple path), at the
 * distance along it that the vehicle has driven, and every order arrives at the step its road
 * distance from the depot and the speed give; the world population and the position helper
 * agree. On the plane the positions are the straight-line ones of before (golden values).
 * Reads the supply chain's internal state (sc_internal.h). */
#include <check.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../src/sc_internal.h"
#include "swarmlab/graph.h"
#include "swarmlab/pop.h"
#include "swarmlab/rng.h"
#include "swarmlab/world.h"
#include "sc_testnet.h"

/* Nodes: 0 depot (0,0); 1 (10,0); 2 (10,10); 3 (0,10); 4 store (20,10); 5 store (0,20).
 * Edge 0-4 is a straight line to the first store but longer (40) than the way 0-1-2-4 (30);
 * 0-3 and 3-2 are longer (12) than they look. */
#define NN 6
static const double node_x[NN] = {0, 10, 10, 0, 20, 0}, node_y[NN] = {0, 0, 10, 10, 10, 20};
static const int edge_u[] = {0, 1, 2, 0, 3, 0, 3, 2};
static const int edge_v[] = {1, 2, 4, 3, 2, 4, 5, 5};
static const double edge_w[] = {10, 10, 10, 12, 12, 40, 10, 25};
#define NE (int)(sizeof edge_w / sizeof edge_w[0])
#define SPEED 3.7

static sl_graph *hand_graph(void)
{
    sl_error e;
    sl_graph *g = sl_graph_create(NN, &e);
    ck_assert_ptr_nonnull(g);
    for (int i = 0; i < NN; i++) {
        g->x[i] = node_x[i];
        g->y[i] = node_y[i];
    }
    for (int k = 0; k < NE; k++)
        ck_assert_int_eq(sl_graph_add_edge(g, edge_u[k], edge_v[k], edge_w[k], 1, &e), SL_OK);
    ck_assert_int_eq(sl_graph_finalize(g, &e), SL_OK);
    return g;
}

/* Reference shortest path by enumerating the simple paths from a to b (depth-first). */
typedef struct ref_path {
    int node[NN], n;
    double len;
} ref_path;

static void dfs(int u, int b, int *stack, int depth, double len, char *on, ref_path *best)
{
    stack[depth] = u;
    if (u == b) {
        if (len < best->len) {
            best->len = len;
            best->n = depth + 1;
            memcpy(best->node, stack, (size_t)(depth + 1) * sizeof *stack);
        }
        return;
    }
    on[u] = 1;
    for (int k = 0; k < NE; k++) {
        int w = edge_u[k] == u ? edge_v[k] : edge_v[k] == u ? edge_u[k] : -1;
        if (w >= 0 && !on[w])
            dfs(w, b, stack, depth + 1, len + edge_w[k], on, best);
    }
    on[u] = 0;
}

static ref_path shortest(int a, int b)
{
    ref_path p = {{0}, 0, INFINITY};
    int stack[NN];
    char on[NN] = {0};
    dfs(a, b, stack, 0, 0.0, on, &p);
    ck_assert(isfinite(p.len));
    return p;
}

static double weight(int u, int v)
{
    for (int k = 0; k < NE; k++)
        if ((edge_u[k] == u && edge_v[k] == v) || (edge_u[k] == v && edge_v[k] == u))
            return edge_w[k];
    return NAN;
}

/* Distance along path p of the point (x, y), or -1 when the point is on none of its edges. */
static double along(const ref_path *p, double x, double y)
{
    double cum = 0.0;
    for (int k = 0; k + 1 < p->n; k++) {
        int a = p->node[k], b = p->node[k + 1];
        double ex = node_x[b] - node_x[a], ey = node_y[b] - node_y[a];
        double l2 = ex * ex + ey * ey;
        double t = ((x - node_x[a]) * ex + (y - node_y[a]) * ey) / l2;
        double cross = (x - node_x[a]) * ey - (y - node_y[a]) * ex;
        if (t >= -1e-9 && t <= 1 + 1e-9 && fabs(cross) < 1e-7)
            return cum + t * weight(a, b);
        cum += weight(a, b);
    }
    return p->n == 1 && fabs(x - node_x[p->node[0]]) < 1e-9 &&
                   fabs(y - node_y[p->node[0]]) < 1e-9
               ? 0.0
               : -1.0;
}

static sc_testnet net;

static sl_sc_def road_def(const sl_graph *g, int mode)
{
    static const int stores[2] = {4, 5};
    sc_testnet_make(&net, 2, NULL, NULL, stores, 0);
    SC_TESTNET_STORES(&net, stock0, 0.0); /* they order at once */
    sl_sc_def d = sc_testnet_def(&net, "roads", mode, 3, 2);
    d.roads = g;
    d.speed = SPEED;
    d.dispatch_wait = 0;
    return d;
}

START_TEST(test_positions_follow_the_roads)
{
    sl_graph *g = hand_graph();
    for (int mode = 0; mode < 2; mode++) {
        sl_sc_def d = road_def(g, mode == 0 ? SL_SC_CENTRAL : SL_SC_CONTRACT_NET);
        sl_world *w = sl_world_create(d.seed);
        sl_error e;
        sl_sc *sc = sl_sc_create(w, &d, &e);
        ck_assert_msg(sc != NULL, "%s", e.msg);
        int checked = 0, interior = 0;
        double last_along[8];
        int last_leg[8][2];
        for (int v = 0; v < sc->V; v++)
            last_leg[v][0] = last_leg[v][1] = -1;
        for (int t = 0; t < 80; t++) {
            ck_assert_msg(sl_world_step(w, &e) == SL_OK, "%s", e.msg);
            const double *px = sl_pop_f64(sc->pv, 0), *py = sl_pop_f64(sc->pv, 1);
            for (int v = 0; v < sc->V; v++) {
                const sc_vehicle *veh = &sc->veh[v];
                double x, y;
                slp_sc_vehicle_xy(sc, v, &x, &y);
                ck_assert(x == px[v] && y == py[v]); /* the population shows the same */
                if (veh->state == VEH_DEPOT) {
                    ck_assert(x == 0.0 && y == 0.0);
                    continue;
                }
                ref_path p = shortest(sc->site[veh->loc].node, sc->site[veh->target].node);
                ck_assert(fabs(p.len - slp_sc_dist(sc, veh->loc, veh->target)) < 1e-9);
                double s = along(&p, x, y);
                ck_assert_msg(s >= 0.0, "step %d: vehicle %d at (%g, %g), off the shortest "
                              "road from node %d to node %d", t, v, x, y, p.node[0],
                              p.node[p.n - 1]);
                ck_assert_msg(fabs(s - veh->progress) < 1e-7, "step %d: vehicle %d %g along "
                              "its road, it drove %g", t, v, s, veh->progress);
                if (last_leg[v][0] == veh->loc && last_leg[v][1] == veh->target)
                    ck_assert(s > last_along[v]); /* forward, in the path's order */
                last_leg[v][0] = veh->loc;
                last_leg[v][1] = veh->target;
                last_along[v] = s;
                /* off the straight line between the leg's ends somewhere on a bent road */
                double ex = node_x[p.node[p.n - 1]] - node_x[p.node[0]];
                double ey = node_y[p.node[p.n - 1]] - node_y[p.node[0]];
                if (fabs((x - node_x[p.node[0]]) * ey - (y - node_y[p.node[0]]) * ex) > 1.0)
                    interior++;
                checked++;
            }
        }
        ck_assert_int_gt(checked, 20);
        ck_assert_int_gt(interior, 5);
        /* arrival: the step the road distance of the trip up to the stop and the speed give */
        int delivered = 0;
        for (size_t i = 0; i < sc->norders; i++) {
            const slp_sc_order *o = &sc->orders[i];
            if (!slp_sc_by_vehicle(sc, o) || o->status != SLP_SC_DELIVERED)
                continue;
            /* the stops of its trip delivered before it, in delivery order */
            double cum = 0.0;
            int prev = 0;
            for (uint64_t seq = 1; seq <= o->fleet_t; seq++)
                for (size_t j = 0; j < sc->norders; j++) {
                    const slp_sc_order *q = &sc->orders[j];
                    if (q->status == SLP_SC_DELIVERED && q->fleet_t == seq &&
                        q->vehicle == o->vehicle && q->route == o->route) {
                        cum += shortest(sc->site[prev].node, sc->site[q->site].node).len;
                        prev = q->site;
                    }
                }
            uint64_t start = SLP_SC_NEVER; /* the trip's departure */
            for (size_t k = 0; k < sc->ntrips; k++)
                if (sc->trip[k].vehicle == o->vehicle && sc->trip[k].route == o->route)
                    start = sc->trip[k].start;
            ck_assert(start != SLP_SC_NEVER);
            uint64_t steps = (uint64_t)ceil(cum / SPEED);
            ck_assert_msg(o->delivered - start == steps, "order %zu: %g road units at speed %g "
                          "arrive after %llu steps, not %llu", i, cum, SPEED,
                          (unsigned long long)steps, (unsigned long long)(o->delivered - start));
            delivered++;
        }
        ck_assert_int_gt(delivered, 4);
        sl_world_destroy(w);
    }
    sl_graph_destroy(g);
}
END_TEST

/* The road paths are not in a checkpoint: a supply chain that loads one mid-way finds them
 * again, and its vehicles are where the saved ones were, also after the caller's graph is gone
 * (the chain keeps its own copy). */
START_TEST(test_checkpoint_mid_leg)
{
    sl_graph *g = hand_graph();
    sl_sc_def d = road_def(g, SL_SC_CENTRAL);
    sl_world *w = sl_world_create(d.seed), *w2 = sl_world_create(d.seed);
    sl_error e;
    sl_sc *sc = sl_sc_create(w, &d, &e), *sc2 = sl_sc_create(w2, &d, &e);
    ck_assert_ptr_nonnull(sc);
    ck_assert_ptr_nonnull(sc2);
    sl_graph_destroy(g);
    int out = 0;
    for (int t = 0; t < 60 && out < 3; t++) {
        ck_assert_msg(sl_world_step(w, &e) == SL_OK, "%s", e.msg);
        if (sc->veh[0].state == VEH_DEPOT || sc->veh[0].progress == 0.0)
            continue;
        out++;
        FILE *f = tmpfile();
        ck_assert_ptr_nonnull(f);
        ck_assert_msg(slp_sc_checkpoint_save(sc, f, &e) == SL_OK, "%s", e.msg);
        rewind(f);
        ck_assert_msg(slp_sc_checkpoint_load(sc2, f, "mem", &e) == SL_OK, "%s", e.msg);
        fclose(f);
        for (int v = 0; v < sc->V; v++) {
            double x, y, x2, y2;
            slp_sc_vehicle_xy(sc, v, &x, &y);
            slp_sc_vehicle_xy(sc2, v, &x2, &y2);
            ck_assert(x == x2 && y == y2);
            ck_assert_int_eq(sc2->veh[v].npath, sc->veh[v].npath);
        }
        ck_assert_int_gt(sc2->veh[0].npath, 2); /* a bent road, found again */
    }
    ck_assert_int_eq(out, 3);
    sl_world_destroy(w);
    sl_world_destroy(w2);
}
END_TEST

/* On the plane, vehicle positions are the straight-line interpolation between sites: the sums of
 * the positions over a fixed run are those of the model before vehicles followed roads. */
START_TEST(test_plane_positions_unchanged)
{
    double x[20], y[20];
    for (int s = 0; s < 20; s++) {
        sl_rng r = sl_rng_make(11, 1, (uint64_t)s, 0);
        x[s] = sl_rng_uniform(&r) * 100.0;
        y[s] = sl_rng_uniform(&r) * 100.0;
    }
    sc_testnet_make(&net, 20, x, y, NULL, 0);
    sl_sc_def d = sc_testnet_def(&net, "plane", SL_SC_CONTRACT_NET, 11, 3);
    sl_world *w = sl_world_create(d.seed);
    sl_error e;
    sl_sc *sc = sl_sc_create(w, &d, &e);
    ck_assert_msg(sc != NULL, "%s", e.msg);
    double sx = 0.0, sy = 0.0;
    for (int t = 0; t < 120; t++) {
        ck_assert_msg(sl_world_step(w, &e) == SL_OK, "%s", e.msg);
        const double *px = sl_pop_f64(sc->pv, 0), *py = sl_pop_f64(sc->pv, 1);
        for (int v = 0; v < sc->V; v++) {
            sx += px[v];
            sy += py[v];
        }
    }
    ck_assert_msg(sx == 17072.994091204302 && sy == 19982.646497835729, "sums %.17g %.17g", sx,
                  sy);
    sl_world_destroy(w);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sc_roads");
    TCase *tc = tcase_create("roads");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_positions_follow_the_roads);
    tcase_add_test(tc, test_plane_positions_unchanged);
    tcase_add_test(tc, test_checkpoint_mid_leg);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
