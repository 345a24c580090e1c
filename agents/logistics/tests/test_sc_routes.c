/* test_sc_routes.c - vehicle routes of the supply chain improved by the routing module: routes
 * stay valid (every assigned order on exactly one route, loads within capacity), the improvement
 * never lengthens the routes and shortens scrambled ones, stops of vehicles under way are never
 * touched, and runs are identical for 1-4 threads, on the plane and on a road graph with one-way
 * streets. Reads the supply chain's internal state (sc_internal.h). */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../src/sc_internal.h"
#include "swarmlab/graph.h"
#include "swarmlab/rng.h"
#include "swarmlab/world.h"
#include "sc_testnet.h"

#define NS 30
#define GRID 8

static void positions(double *x, double *y)
{
    for (int s = 0; s < NS; s++) {
        sl_rng r = sl_rng_make(7, 3, (uint64_t)s, 0);
        x[s] = sl_rng_uniform(&r) * 100.0;
        y[s] = sl_rng_uniform(&r) * 100.0;
    }
}

static sc_testnet g_net; /* the sites of base_def (borrowed by sl_sc_create) */

static sl_sc_def base_def(const char *name, int mode, const double *x, const double *y)
{
    sc_testnet_make(&g_net, NS, x, y, NULL, 0);
    sl_sc_def d = sc_testnet_def(&g_net, name, mode, 77, 5);
    d.dispatch_wait = 4; /* routes of several stops wait at the depot */
    return d;
}

/* A GRID x GRID street grid, 10 apart; every third row is one-way eastbound, so distances are
 * not symmetric. Stores sit on nodes spread from a fixed stream; the warehouse in the middle. */
static sl_graph *road_grid(int *store_node)
{
    sl_error e;
    sl_graph *g = sl_graph_create(GRID * GRID, &e);
    ck_assert_ptr_nonnull(g);
    for (int r = 0; r < GRID; r++)
        for (int c = 0; c < GRID; c++) {
            int u = r * GRID + c;
            g->x[u] = 10.0 * c;
            g->y[u] = 10.0 * r;
            if (c + 1 < GRID)
                ck_assert_int_eq(sl_graph_add_edge(g, u, u + 1, 10.0, r % 3 != 0, &e), SL_OK);
            if (r + 1 < GRID)
                ck_assert_int_eq(sl_graph_add_edge(g, u, u + GRID, 10.0, 1, &e), SL_OK);
        }
    ck_assert_int_eq(sl_graph_finalize(g, &e), SL_OK);
    for (int s = 0; s < NS; s++) {
        sl_rng r = sl_rng_make(7, 4, (uint64_t)s, 0);
        int u = (int)(sl_rng_uniform(&r) * (GRID * GRID));
        store_node[s] = u == GRID * GRID / 2 + GRID / 2 ? 0 : u;
    }
    return g;
}

static void road_free(sl_graph *g)
{
    sl_graph_destroy(g);
}

/* Every assigned order is on exactly one route, the one of its vehicle; committed units are the
 * sum of the stops of the current trip, the next trip's the sum of its stops; loads fit the
 * capacity (at the depot) or the units on board (on the road). */
static void check_routes(const sl_sc *sc, int step)
{
    char *seen = calloc(sc->norders ? sc->norders : 1, 1);
    for (int v = 0; v < sc->V; v++) {
        const sc_vehicle *veh = &sc->veh[v];
        double sum[SL_SC_MAX_PROD] = {0}, next[SL_SC_MAX_PROD] = {0}, total = 0.0;
        for (int i = 0; i < veh->nstops; i++) {
            int o = veh->stops[i];
            ck_assert_msg(o >= 0 && (size_t)o < sc->norders, "step %d: bad stop", step);
            ck_assert_msg(!seen[o], "step %d: order %d on two routes", step, o);
            seen[o] = 1;
            ck_assert_int_eq(sc->orders[o].fleet_state, SLP_SC_ASSIGNED);
            ck_assert_int_ne(sc->orders[o].status, SLP_SC_DELIVERED);
            ck_assert_int_eq(sc->orders[o].vehicle, v);
            if (i >= veh->nstops - veh->nnext) {
                next[sc->orders[o].product] += sc->orders[o].qty;
                continue;
            }
            sum[sc->orders[o].product] += sc->orders[o].qty;
            total += sc->orders[o].qty;
        }
        for (int p = 0; p < sc->P; p++) {
            ck_assert_msg(fabs(sum[p] - veh->committed[p]) < 1e-6, "step %d vehicle %d: "
                          "committed %g, stops %g", step, v, veh->committed[p], sum[p]);
            ck_assert(fabs(next[p] - veh->next_committed[p]) < 1e-6);
            if (veh->state != VEH_DEPOT)
                ck_assert(veh->load[p] >= veh->committed[p] - 1e-9);
        }
        if (veh->state == VEH_DEPOT)
            ck_assert_msg(total <= sc->def.capacity + 1e-9, "step %d vehicle %d: %g units",
                          step, v, total);
    }
    for (size_t o = 0; o < sc->norders; o++)
        if (sc->orders[o].fleet_state == SLP_SC_ASSIGNED && sc->orders[o].status != SLP_SC_DELIVERED)
            ck_assert_msg(seen[o], "step %d: order %zu assigned but on no route", step, o);
    free(seen);
}

START_TEST(test_routes_valid_every_step)
{
    double x[NS], y[NS];
    positions(x, y);
    int nodes[NS];
    sl_graph *g = road_grid(nodes);
    for (int variant = 0; variant < 4; variant++) {
        for (int mode = 0; mode < 2; mode++) {
            sl_sc_def d = base_def("v", mode, x, y);
            if (variant == 1) { /* two products and a capacity in fractions */
                d.nprod = 2;
                d.capacity = 99.5;
            } else if (variant == 2) { /* slow vehicles: many insertions on the road */
                d.speed = 12;
                d.float_fraction = 0.6;
            } else if (variant == 3) {
                sc_testnet_make(&g_net, NS, NULL, NULL, nodes, GRID * GRID / 2 + GRID / 2);
                d.roads = g;
                d.speed = 30;
            }
            sl_world *w = sl_world_create(d.seed);
            sl_error e;
            sl_sc *sc = sl_sc_create(w, &d, &e);
            ck_assert_msg(sc != NULL, "%s", e.msg);
            for (int t = 0; t < 150; t++) {
                ck_assert_msg(sl_world_step(w, &e) == SL_OK, "%s", e.msg);
                check_routes(sc, t);
            }
            ck_assert(sl_sc_kpis_run(sc).delivered > 0);
            sl_world_destroy(w);
        }
    }
    road_free(g);
}
END_TEST

static double depot_length(const sl_sc *sc)
{
    double l = 0.0;
    for (int v = 0; v < sc->V; v++)
        if (sc->veh[v].state == VEH_DEPOT)
            l += slp_sc_route_length(sc, v);
    return l;
}

/* Every step, the routes at the depot are scrambled (shuffled, and the first stops of
 * neighbouring routes swapped when they fit), then improved: the total never grows, it shrinks
 * often, the stated gain is the saving, and the routes of vehicles under way stay as they were. */
START_TEST(test_improve_never_longer_and_leaves_road_alone)
{
    double x[NS], y[NS];
    positions(x, y);
    int nodes[NS];
    sl_graph *g = road_grid(nodes);
    for (int variant = 0; variant < 2; variant++) {
        sl_sc_def d = base_def("i", SL_SC_CENTRAL, x, y);
        d.speed = 15;
        if (variant == 1) {
            sc_testnet_make(&g_net, NS, NULL, NULL, nodes, GRID * GRID / 2 + GRID / 2);
            d.roads = g;
        }
        sl_world *w = sl_world_create(d.seed);
        sl_error e;
        sl_sc *sc = sl_sc_create(w, &d, &e);
        ck_assert_msg(sc != NULL, "%s", e.msg);
        int all[5] = {0, 1, 2, 3, 4}, shorter = 0, calls = 0, under_way = 0;
        for (int t = 0; t < 150; t++) {
            ck_assert_int_eq(sl_world_step(w, &e), SL_OK);
            /* scramble: reverse every depot route, then swap the first stops of two routes
             * when both still fit the capacity */
            int prev = -1;
            for (int v = 0; v < sc->V; v++) {
                sc_vehicle *veh = &sc->veh[v];
                if (veh->state != VEH_DEPOT || veh->nstops == 0)
                    continue;
                sl_rng r = sl_rng_make(5, 6, (uint64_t)v, (uint64_t)t);
                for (int i = veh->nstops - 1; i > 0; i--) {
                    int j = (int)(sl_rng_uniform(&r) * (i + 1));
                    int tmp = veh->stops[i];
                    veh->stops[i] = veh->stops[j];
                    veh->stops[j] = tmp;
                }
                if (prev >= 0) {
                    sc_vehicle *pv = &sc->veh[prev];
                    int a = pv->stops[0], b = veh->stops[0];
                    double ua = 0, ub = 0;
                    for (int i = 0; i < pv->nstops; i++)
                        ua += sc->orders[pv->stops[i]].qty;
                    for (int i = 0; i < veh->nstops; i++)
                        ub += sc->orders[veh->stops[i]].qty;
                    double da = sc->orders[a].qty, db = sc->orders[b].qty;
                    if (ua - da + db <= d.capacity && ub - db + da <= d.capacity) {
                        pv->stops[0] = b;
                        veh->stops[0] = a;
                        sc->orders[a].vehicle = v;
                        sc->orders[b].vehicle = prev;
                        const slp_sc_order *oa = &sc->orders[a], *ob = &sc->orders[b];
                        pv->committed[ob->product] += ob->qty;
                        pv->committed[oa->product] -= oa->qty;
                        veh->committed[oa->product] += oa->qty;
                        veh->committed[ob->product] -= ob->qty;
                    }
                }
                prev = v;
            }
            check_routes(sc, t);
            int *keep[5], nkeep[5];
            for (int v = 0; v < sc->V; v++) {
                nkeep[v] = sc->veh[v].nstops;
                keep[v] = malloc((size_t)(nkeep[v] + 1) * sizeof(int));
                if (nkeep[v] > 0)
                    memcpy(keep[v], sc->veh[v].stops, (size_t)nkeep[v] * sizeof(int));
            }
            int depot_stops = 0;
            for (int v = 0; v < sc->V; v++)
                depot_stops += sc->veh[v].state == VEH_DEPOT ? sc->veh[v].nstops : 0;
            double before = depot_length(sc), gain = -1;
            ck_assert_int_eq(slp_sc_improve_routes(sc, all, sc->V, &gain, &e), SL_OK);
            double after = depot_length(sc);
            calls += depot_stops >= 4;
            ck_assert_msg(after <= before + 1e-9, "step %d: %g -> %g", t, before, after);
            ck_assert(gain >= 0.0);
            ck_assert_msg(fabs((before - after) - gain) < 1e-6, "gain %g, saved %g", gain,
                          before - after);
            shorter += after < before - 1e-9;
            check_routes(sc, t);
            for (int v = 0; v < sc->V; v++) {
                if (sc->veh[v].state != VEH_DEPOT) {
                    under_way += nkeep[v] > 1;
                    ck_assert_int_eq(sc->veh[v].nstops, nkeep[v]);
                    ck_assert_msg(nkeep[v] == 0 || memcmp(sc->veh[v].stops, keep[v],
                                                          (size_t)nkeep[v] * sizeof(int)) == 0,
                                  "step %d: stops of vehicle %d under way changed", t, v);
                }
                free(keep[v]);
            }
            /* one vehicle alone (what a contract-net winner does) */
            for (int v = 0; v < sc->V; v++) {
                double b1 = slp_sc_route_length(sc, v);
                ck_assert_int_eq(slp_sc_improve_routes(sc, &v, 1, NULL, &e), SL_OK);
                ck_assert(slp_sc_route_length(sc, v) <= b1 + 1e-9);
            }
            check_routes(sc, t);
        }
        ck_assert_msg(calls > 20 && shorter > calls / 2,
                      "only %d of %d scrambled plans of 4+ stops were shortened", shorter, calls);
        ck_assert_msg(under_way > 0, "no vehicle was under way with stops");
        sl_world_destroy(w);
    }
    road_free(g);
}
END_TEST

typedef struct run_out {
    sl_sc_kpis k;
    uint64_t hash;
    int route[5][64], nroute[5];
} run_out;

static void run_sc(sl_sc_def d, int threads, run_out *o)
{
    sl_world *w = sl_world_create(d.seed);
    sl_world_set_threads(w, threads);
    sl_error e;
    sl_sc *sc = sl_sc_create(w, &d, &e);
    ck_assert_msg(sc != NULL, "%s", e.msg);
    for (int t = 0; t < 120; t++)
        ck_assert_msg(sl_world_step(w, &e) == SL_OK, "%s", e.msg);
    ck_assert_int_eq(sl_sc_finish(sc, &e), SL_OK);
    memset(o, 0, sizeof *o);
    o->k = sl_sc_kpis_run(sc);
    o->hash = sl_world_hash(w);
    for (int v = 0; v < 5; v++)
        o->nroute[v] = sl_sc_vehicle_route(sc, v, o->route[v], 64);
    sl_world_destroy(w);
}

START_TEST(test_routes_same_for_1_to_4_threads)
{
    double x[NS], y[NS];
    positions(x, y);
    int nodes[NS];
    sl_graph *g = road_grid(nodes);
    run_out *ref = malloc(sizeof *ref), *o = malloc(sizeof *o);
    for (int variant = 0; variant < 2; variant++)
        for (int mode = 0; mode < 2; mode++) {
            sl_sc_def d = base_def("t", mode, x, y);
            if (variant == 1) {
                sc_testnet_make(&g_net, NS, NULL, NULL, nodes, GRID * GRID / 2 + GRID / 2);
                d.roads = g;
            }
            run_sc(d, 1, ref);
            ck_assert(ref->k.delivered > 0);
            for (int th = 1; th <= 4; th++) {
                run_sc(d, th, o);
                ck_assert_uint_eq(o->hash, ref->hash);
                ck_assert(memcmp(&o->k, &ref->k, sizeof o->k) == 0);
                ck_assert(memcmp(o->route, ref->route, sizeof o->route) == 0);
                ck_assert(memcmp(o->nroute, ref->nroute, sizeof o->nroute) == 0);
            }
        }
    free(ref);
    free(o);
    road_free(g);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sc_routes");
    TCase *tc = tcase_create("routes");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_routes_valid_every_step);
    tcase_add_test(tc, test_improve_never_longer_and_leaves_road_alone);
    tcase_add_test(tc, test_routes_same_for_1_to_4_threads);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
