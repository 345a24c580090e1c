/* test_logistics.c - beer game benchmark, demand and policies, supply chain conservation,
 * determinism across threads, committed stops never reordered, bad input. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "swarmlab/beer_game.h"
#include "swarmlab/graph.h"
#include "swarmlab/inventory.h"
#include "swarmlab/rng.h"
#include "swarmlab/supply_chain.h"
#include "swarmlab/world.h"
#include "sc_testnet.h"

/* ---- beer game ---- */

START_TEST(test_beer_order_up_to_204)
{
    sl_beer_def d = sl_beer_def_default();
    double levels[4] = {32, 32, 32, 24};
    sl_beer_result *r = malloc(sizeof *r);
    sl_error e;
    ck_assert_int_eq(sl_beer_play(&d, sl_beer_order_up_to, levels, r, &e), SL_OK);
    ck_assert_msg(r->total_cost == 204.0, "team cost %.2f", r->total_cost);
    /* The retailer passes the step in demand on at once; the bullwhip is a single spike. */
    ck_assert(r->order[4][0] == 12.0);
    ck_assert(r->order[10][3] == 12.0);
    ck_assert(r->order[35][2] == 8.0);
    /* Other levels cost more. */
    double other[4] = {36, 32, 32, 24};
    ck_assert_int_eq(sl_beer_play(&d, sl_beer_order_up_to, other, r, &e), SL_OK);
    ck_assert(r->total_cost != 204.0);
    free(r);
}
END_TEST

START_TEST(test_beer_sterman_bullwhip)
{
    sl_beer_def d = sl_beer_def_default();
    sl_beer_sterman p = sl_beer_sterman_default();
    sl_beer_result *r = malloc(sizeof *r);
    sl_error e;
    ck_assert_int_eq(sl_beer_play(&d, sl_beer_sterman_order, &p, r, &e), SL_OK);
    ck_assert(r->total_cost > 204.0);
    double b0 = sl_beer_bullwhip(r, 0, 0), b3 = sl_beer_bullwhip(r, 3, 0);
    ck_assert_msg(b3 > b0 && b0 > 1.0, "bullwhip retailer %g factory %g", b0, b3);
    free(r);
}
END_TEST

static sl_status bad_policy(void *user, const sl_beer_view *v, double *order, sl_error *e)
{
    (void)user;
    (void)e;
    *order = v->week == 7 ? -1.0 : 4.0;
    return SL_OK;
}

START_TEST(test_beer_bad_input)
{
    sl_beer_def d = sl_beer_def_default();
    sl_beer_result *r = malloc(sizeof *r);
    sl_error e;
    ck_assert_int_eq(sl_beer_play(&d, bad_policy, NULL, r, &e), SL_ERR_RANGE);
    ck_assert_ptr_nonnull(strstr(e.msg, "week 7"));
    d.demand_after = -8;
    double levels[4] = {32, 32, 32, 24};
    ck_assert_int_eq(sl_beer_play(&d, sl_beer_order_up_to, levels, r, &e), SL_ERR_RANGE);
    ck_assert_ptr_nonnull(strstr(e.msg, "negative"));
    free(r);
}
END_TEST

/* ---- demand and policies ---- */

START_TEST(test_demand_processes)
{
    sl_demand d = {SL_DEMAND_POISSON, 3.0, 0, 0, 0, NULL, 0, 0};
    sl_error e;
    ck_assert_int_eq(sl_demand_check(&d, &e), SL_OK);
    double sum = 0;
    for (uint64_t t = 0; t < 20000; t++)
        sum += sl_demand_draw(&d, 5, 1, t);
    ck_assert_msg(fabs(sum / 20000.0 - 3.0) < 0.05, "mean %g", sum / 20000.0);
    ck_assert(sl_demand_draw(&d, 5, 1, 17) == sl_demand_draw(&d, 5, 1, 17));
    d.kind = SL_DEMAND_SEASONAL;
    d.amplitude = 0.5;
    d.period = 52;
    ck_assert(fabs(sl_demand_mean(&d, 0, 13) - 4.5) < 1e-9);
    d.mean = -1;
    ck_assert_int_eq(sl_demand_check(&d, &e), SL_ERR_RANGE);
    ck_assert_ptr_nonnull(strstr(e.msg, "mean"));
    d.mean = 2;
    d.period = 0;
    ck_assert_int_eq(sl_demand_check(&d, &e), SL_ERR_RANGE);

    char path[] = "/tmp/sl_demandXXXXXX";
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    fputs("store1,store2\n1,2\n3,4\n", f);
    fclose(f);
    sl_demand t = {0};
    ck_assert_int_eq(sl_demand_load_csv(&t, path, &e), SL_OK);
    ck_assert_int_eq(t.cols, 2);
    ck_assert(sl_demand_draw(&t, 1, 1, 1) == 4.0);
    ck_assert(sl_demand_draw(&t, 1, 0, 2) == 1.0); /* the table repeats */
    sl_demand_release(&t);
    f = fopen(path, "w");
    fputs("a,b\n1,2\n3,-4\n", f);
    fclose(f);
    ck_assert_int_eq(sl_demand_load_csv(&t, path, &e), SL_ERR_RANGE);
    ck_assert_msg(strstr(e.msg, ":3: negative") != NULL, "%s", e.msg);
    f = fopen(path, "w");
    fputs("1,2\n3\n", f);
    fclose(f);
    ck_assert_int_eq(sl_demand_load_csv(&t, path, &e), SL_ERR_PARSE);
    ck_assert_msg(strstr(e.msg, ":2:") != NULL, "%s", e.msg);
    unlink(path);
    ck_assert_int_eq(sl_demand_load_csv(&t, path, &e), SL_ERR_IO);
}
END_TEST

START_TEST(test_policies)
{
    sl_policy ss = {SL_POLICY_SS, 5, 20, 0, 0, 0.2};
    ck_assert(sl_policy_order(&ss, 6, 6, 0) == 0.0);
    ck_assert(sl_policy_order(&ss, 5, 5, 0) == 15.0);
    ck_assert(sl_policy_order(&ss, -3, 0, 0) == 23.0);
    sl_policy bs = {SL_POLICY_BASE_STOCK, 0, 10, 0, 0, 0.2};
    ck_assert(sl_policy_order(&bs, 7.5, 0, 0) == 3.0);
    ck_assert(sl_policy_order(&bs, 12, 0, 0) == 0.0);
    sl_policy vel = {SL_POLICY_VELOCITY, 0, 0, 3, 2, 0.5};
    ck_assert(sl_policy_order(&vel, 7, 7, 2) == 0.0);  /* 7 >= 2 x 3 */
    ck_assert(sl_policy_order(&vel, 5, 5, 2) == 5.0);  /* up to 2 x (3 + 2) = 10 */
    ck_assert(sl_policy_velocity(&vel, 2, 4) == 3.0);
    sl_error e;
    ss.S = 4;
    ck_assert_int_eq(sl_policy_check(&ss, &e), SL_ERR_RANGE);
    vel.alpha = 0;
    ck_assert_int_eq(sl_policy_check(&vel, &e), SL_ERR_RANGE);
}
END_TEST

/* ---- supply chain ---- */

#define NS 40

static void positions(double *x, double *y)
{
    for (int s = 0; s < NS; s++) {
        sl_rng r = sl_rng_make(11, 9, (uint64_t)s, 0);
        x[s] = sl_rng_uniform(&r) * 100.0;
        y[s] = sl_rng_uniform(&r) * 100.0;
    }
}

static sc_testnet g_net; /* the sites of base_def (borrowed by sl_sc_create) */

static sl_sc_def base_def(const char *name, int mode, const double *x, const double *y)
{
    sc_testnet_make(&g_net, NS, x, y, NULL, 0);
    return sc_testnet_def(&g_net, name, mode, 2024, 5);
}

typedef struct run_out {
    sl_sc_kpis k;
    uint64_t hash;
} run_out;

static run_out run_sc(sl_sc_def d, int threads, int steps, int check_conservation)
{
    sl_world *w = sl_world_create(d.seed);
    sl_world_set_threads(w, threads);
    sl_error e;
    sl_sc *sc = sl_sc_create(w, &d, &e);
    ck_assert_msg(sc != NULL, "%s", e.msg);
    for (int t = 0; t < steps; t++) {
        ck_assert_msg(sl_world_step(w, &e) == SL_OK, "%s", e.msg);
        if (check_conservation) {
            for (int p = -1; p < d.nprod; p++) {
                double held, entered;
                sl_sc_conservation(sc, p, &held, &entered);
                ck_assert_msg(fabs(held - entered) < 1e-6, "step %d product %d: held %g entered "
                              "%g", t, p, held, entered);
            }
        }
    }
    ck_assert_int_eq(sl_sc_finish(sc, &e), SL_OK);
    run_out o = {sl_sc_kpis_run(sc), sl_world_hash(w)};
    sl_world_destroy(w);
    return o;
}

START_TEST(test_sc_conservation_every_step)
{
    double x[NS], y[NS];
    positions(x, y);
    for (int mode = 0; mode < 2; mode++) {
        sl_sc_def d = base_def("a", mode, x, y);
        run_out o = run_sc(d, 1, 150, 1);
        ck_assert(o.k.delivered > 0);
        ck_assert(o.k.fill_rate > 0.5 && o.k.fill_rate <= 1.0);
        /* lost sales, two products, a lossy and slow network */
        SC_TESTNET_STORES(&g_net, lost_sales, 1);
        d.nprod = 2;
        d.link.loss = 0.2;
        d.link.jitter = 2;
        o = run_sc(d, 1, 150, 1);
        ck_assert(o.k.delivered > 0);
        ck_assert(o.k.lost > 0 || o.k.fill_rate == 1.0);
    }
}
END_TEST

START_TEST(test_sc_threads_and_rerun)
{
    double x[NS], y[NS];
    positions(x, y);
    for (int mode = 0; mode < 2; mode++) {
        sl_sc_def d = base_def("b", mode, x, y);
        d.link.loss = 0.1;
        run_out ref = run_sc(d, 1, 120, 0);
        for (int th = 2; th <= 4; th++) {
            run_out o = run_sc(d, th, 120, 0);
            ck_assert_uint_eq(o.hash, ref.hash);
            ck_assert(memcmp(&o.k, &ref.k, sizeof o.k) == 0);
        }
    }
}
END_TEST

START_TEST(test_sc_cn_vs_central)
{
    double x[NS], y[NS];
    positions(x, y);
    sl_sc_def dc = base_def("cn", SL_SC_CONTRACT_NET, x, y);
    dc.common_random_numbers = 1;
    run_out cn = run_sc(dc, 2, 200, 0);
    sl_sc_def de = base_def("central", SL_SC_CENTRAL, x, y);
    de.common_random_numbers = 1;
    run_out ce = run_sc(de, 2, 200, 0);
    /* Same seed and common random numbers: the same customer demand; without them the two
     * chains (two names) draw different demand. */
    ck_assert(cn.k.demand == ce.k.demand);
    de.common_random_numbers = 0;
    ck_assert(run_sc(de, 1, 200, 0).k.demand != cn.k.demand);
    ck_assert(cn.k.messages > ce.k.messages); /* negotiation costs messages */
    ck_assert(cn.k.negotiations > 0);
    ck_assert(ce.k.negotiations == 0);
    ck_assert(cn.k.bullwhip_stores > 0 && isfinite(cn.k.bullwhip_warehouse));
    ck_assert(cn.k.utilisation > 0 && cn.k.utilisation <= 1);
}
END_TEST

/* Stops of a vehicle under way keep their order: the old remaining list, minus the stops
 * delivered since, is a subsequence of the new list. */
START_TEST(test_sc_committed_stops_not_reordered)
{
    double x[NS], y[NS];
    positions(x, y);
    for (int mode = 0; mode < 2; mode++) {
        sl_sc_def d = base_def("c", mode, x, y);
        d.speed = 12; /* slow vehicles: many orders arrive while they are out */
        d.float_fraction = 0.6;
        sl_world *w = sl_world_create(d.seed);
        sl_error e;
        sl_sc *sc = sl_sc_create(w, &d, &e);
        ck_assert_ptr_nonnull(sc);
        sl_pop *pv = sl_world_pop(w, "c_vehicles");
        int old[5][256], nold[5] = {0}, busy_old[5] = {0}, inserted = 0;
        for (int t = 0; t < 200; t++) {
            ck_assert_int_eq(sl_world_step(w, &e), SL_OK);
            for (int v = 0; v < 5; v++) {
                int cur[256];
                int n = sl_sc_vehicle_route(sc, v, cur, 256);
                int busy = sl_pop_get(pv, 4, (size_t)v) != 0;
                if (busy && busy_old[v] && nold[v] > 0) {
                    /* drop the delivered prefix: find where old continues */
                    int k = 0;
                    for (int i = 0; i < n && k < nold[v]; i++)
                        if (cur[i] == old[v][k])
                            k++;
                    /* every old stop not delivered must still be in order */
                    int delivered = nold[v] - k;
                    ck_assert_msg(delivered <= nold[v], "vehicle %d", v);
                    int j = 0;
                    for (int i = delivered; i < nold[v]; i++) {
                        while (j < n && cur[j] != old[v][i])
                            j++;
                        ck_assert_msg(j < n, "step %d vehicle %d: stop reordered", t, v);
                        j++;
                    }
                    inserted += n > nold[v] - delivered;
                }
                memcpy(old[v], cur, sizeof(int) * (size_t)n);
                nold[v] = n;
                busy_old[v] = busy;
            }
        }
        ck_assert_msg(inserted > 0, "no order was inserted while a vehicle was out (mode %d)",
                      mode);
        sl_world_destroy(w);
    }
}
END_TEST

START_TEST(test_sc_bad_input)
{
    double x[NS], y[NS];
    positions(x, y);
    sl_world *w = sl_world_create(1);
    sl_error e;
    sl_sc_def d = base_def("bad", 0, x, y);
    d.capacity = -5;
    ck_assert_ptr_null(sl_sc_create(w, &d, &e));
    ck_assert_ptr_nonnull(strstr(e.msg, "capacity"));
    d = base_def("bad", 0, x, y);
    g_net.site[3].demand.mean = -2;
    ck_assert_ptr_null(sl_sc_create(w, &d, &e));
    ck_assert_msg(strstr(e.msg, "site 102") && strstr(e.msg, "mean"), "%s", e.msg);
    d = base_def("bad", 0, x, y);
    d.depot = 1; /* the supplier cannot run a fleet */
    ck_assert_ptr_null(sl_sc_create(w, &d, &e));
    ck_assert_msg(strstr(e.msg, "fleets[1].depot: 1 is a supplier") != NULL, "%s", e.msg);
    /* Road graph: nodes 0-1-2 connected, node 3 isolated. */
    sl_graph *g = sl_graph_create(4, &e);
    sl_graph_add_edge(g, 0, 1, 5.0, 1, &e);
    sl_graph_add_edge(g, 1, 2, 5.0, 1, &e);
    sl_graph_finalize(g, &e);
    int nodes[3] = {1, 3, 2};
    sc_testnet_make(&g_net, 3, NULL, NULL, nodes, 0);
    d = sc_testnet_def(&g_net, "road", 0, 2024, 5);
    d.roads = g;
    ck_assert_ptr_null(sl_sc_create(w, &d, &e));
    ck_assert_msg(strstr(e.msg, "site 102 (road node 3) cannot be reached") != NULL, "%s", e.msg);
    /* Connected: fine, and vehicles drive road distances. */
    sl_graph_add_edge(g, 2, 3, 1.0, 1, &e);
    sl_graph_finalize(g, &e);
    sl_sc *sc = sl_sc_create(w, &d, &e);
    ck_assert_msg(sc != NULL, "%s", e.msg);
    for (int t = 0; t < 30; t++)
        ck_assert_int_eq(sl_world_step(w, &e), SL_OK);
    ck_assert(sl_sc_kpis_run(sc).distance > 0);
    sl_graph_destroy(g);
    sl_world_destroy(w);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("logistics");
    TCase *tb = tcase_create("beer_game");
    tcase_add_test(tb, test_beer_order_up_to_204);
    tcase_add_test(tb, test_beer_sterman_bullwhip);
    tcase_add_test(tb, test_beer_bad_input);
    suite_add_tcase(s, tb);
    TCase *ti = tcase_create("inventory");
    tcase_add_test(ti, test_demand_processes);
    tcase_add_test(ti, test_policies);
    suite_add_tcase(s, ti);
    TCase *tc = tcase_create("supply_chain");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_sc_conservation_every_step);
    tcase_add_test(tc, test_sc_threads_and_rerun);
    tcase_add_test(tc, test_sc_cn_vs_central);
    tcase_add_test(tc, test_sc_committed_stops_not_reordered);
    tcase_add_test(tc, test_sc_bad_input);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
