/* test_sc_network.c - networks of sites: units conserved per product at every step on a
 * multi-echelon network (supplier, plant, two warehouses sending each other stock, a cross-dock,
 * stores, a fleet, a warehouse with a small capacity); echelons; bad networks refused with one
 * line naming the site; customer demand drawn per store from a stream keyed by the store's id
 * (different stores, different draws; one store's parameters do not move the others' draws; the
 * same for 1 and 2 threads; identical under two planners with common random numbers). */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../src/sc_internal.h"
#include "sc_test_util.h"
#include "swarmlab/rng.h"
#include "swarmlab/world.h"

#define NSTORE 12

static sl_sc_site g_sites[6 + NSTORE];
static int g_n;

/* supplier 1, plant 2, warehouses 3 (from 1) and 4 (from 2) in one transshipment group, a
 * cross-dock 5 (from 3), stores 100.. buying from the cross-dock, warehouse 4 or the nearest. */
static sl_sc_def multi_def(const char *name, int mode, int nprod)
{
    int n = 0;
    g_sites[n] = sl_sc_site_default(SL_SC_SUPPLIER, 1);
    g_sites[n++].lead = 2;
    g_sites[n] = sl_sc_site_default(SL_SC_PLANT, 2);
    g_sites[n].x = 100;
    g_sites[n].rate = 15;
    g_sites[n].lead = 1;
    g_sites[n].stock0 = 50;
    g_sites[n].policy.S = 120;
    n++;
    g_sites[n] = sl_sc_site_default(SL_SC_WAREHOUSE, 3);
    g_sites[n].x = 30;
    g_sites[n].y = 50;
    g_sites[n].stock0 = 60; /* starts short: it transships from warehouse 4 under any planner */
    g_sites[n].source_kind = SL_SC_SOURCE_FIXED;
    g_sites[n].source = 1;
    g_sites[n].policy.kind = SL_POLICY_SS;
    g_sites[n].policy.s = 80;
    g_sites[n].policy.S = 200;
    g_sites[n].transship = 1;
    n++;
    g_sites[n] = sl_sc_site_default(SL_SC_WAREHOUSE, 4);
    g_sites[n].x = 70;
    g_sites[n].y = 50;
    g_sites[n].stock0 = 150;
    g_sites[n].capacity = 160; /* receipts beyond it are lost */
    g_sites[n].source_kind = SL_SC_SOURCE_FIXED;
    g_sites[n].source = 2;
    g_sites[n].policy.kind = SL_POLICY_SS;
    g_sites[n].policy.s = 60;
    g_sites[n].policy.S = 160;
    g_sites[n].transship = 1;
    n++;
    g_sites[n] = sl_sc_site_default(SL_SC_CROSSDOCK, 5);
    g_sites[n].x = 30;
    g_sites[n].y = 80;
    g_sites[n].source_kind = SL_SC_SOURCE_FIXED;
    g_sites[n].source = 3;
    n++;
    for (int s = 0; s < NSTORE; s++, n++) {
        sl_sc_site *st = &g_sites[n];
        *st = sl_sc_site_default(SL_SC_STORE, 100 + s);
        sl_rng r = sl_rng_make(3, 4, (uint64_t)s, 0);
        st->x = sl_rng_uniform(&r) * 100;
        st->y = sl_rng_uniform(&r) * 100;
        st->stock0 = 10;
        st->demand.mean = 1.5;
        st->lost_sales = s % 3 == 0;
        st->source_kind = s % 3 == 0 ? SL_SC_SOURCE_NEAREST : SL_SC_SOURCE_FIXED;
        st->source = s % 3 == 1 ? 5 : 3;
    }
    g_n = n;
    sl_sc_def d = sl_sc_def_default();
    d.name = name;
    d.mode = mode;
    d.seed = 12;
    d.nprod = nprod;
    d.nsites = n;
    d.sites = g_sites;
    d.depot = 3;
    d.nvehicles = 3;
    return d;
}

static int count_orders(const sl_sc *sc, int kind_site, int kind_depot, int same)
{
    int n = 0;
    for (size_t i = 0; i < sc->norders; i++) {
        const slp_sc_order *o = &sc->orders[i];
        if (sc->site[o->site].kind == kind_site && sc->site[o->depot].kind == kind_depot &&
            (same < 0 || (o->site == o->depot) == same))
            n++;
    }
    return n;
}

START_TEST(conservation_every_step_per_product)
{
    for (int mode = 0; mode < 2; mode++) {
        sl_sc_def d = multi_def("multi", mode, 2);
        sl_world *w = sl_world_create(d.seed);
        sl_error e;
        sl_sc *sc = sl_sc_create(w, &d, &e);
        ck_assert_msg(sc != NULL, "%s", e.msg);
        for (int t = 0; t < 250; t++) {
            ck_assert_msg(sl_world_step(w, &e) == SL_OK, "%s", e.msg);
            double all = 0.0;
            for (int p = 0; p < 2; p++) {
                double held, entered;
                sl_sc_conservation(sc, p, &held, &entered);
                ck_assert_msg(fabs(held - entered) < 1e-6, "step %d product %d: %g held, %g "
                              "entered", t, p, held, entered);
                all += entered;
                for (int i = 0; i < sc->N; i++) {
                    size_t k = (size_t)i * 2 + (size_t)p;
                    ck_assert(sc->inv[k] >= -1e-9 && sc->reserved[k] >= -1e-9);
                    ck_assert(sc->inv[k] <= sc->site[i].capacity + 1e-9);
                }
            }
            double held, entered;
            sl_sc_conservation(sc, -1, &held, &entered);
            ck_assert(fabs(entered - all) < 1e-6 && fabs(held - entered) < 1e-6);
        }
        /* every kind of flow happened */
        ck_assert_int_gt(count_orders(sc, SL_SC_WAREHOUSE, SL_SC_WAREHOUSE, 0), 0); /* transship */
        ck_assert_int_gt(count_orders(sc, SL_SC_PLANT, SL_SC_PLANT, 1), 0);         /* made */
        ck_assert_int_gt(count_orders(sc, SL_SC_WAREHOUSE, SL_SC_SUPPLIER, -1), 0);
        ck_assert_int_gt(count_orders(sc, SL_SC_CROSSDOCK, SL_SC_WAREHOUSE, -1), 0);
        ck_assert_int_gt(count_orders(sc, SL_SC_STORE, SL_SC_CROSSDOCK, -1), 0);
        ck_assert_int_gt(count_orders(sc, SL_SC_STORE, SL_SC_WAREHOUSE, -1), 0);
        sl_sc_kpis k = sl_sc_kpis_run(sc);
        ck_assert(k.delivered > 0 && k.distance > 0 && k.fill_rate > 0.3);
        /* echelons follow the sources */
        int ech[6] = {0, 0, 0, 1, 1, 2}; /* by id */
        for (long long id = 1; id <= 5; id++)
            ck_assert_int_eq(sl_sc_echelon(sc, sl_sc_site_index(sc, id)), ech[id]);
        ck_assert_int_eq(sl_sc_echelon(sc, sl_sc_site_index(sc, 101)), 3);
        ck_assert_int_eq(sl_sc_echelon(sc, sl_sc_site_index(sc, 102)), 2);
        sl_world_destroy(w);
    }
}
END_TEST

START_TEST(bad_networks_are_refused)
{
    sl_sc_def d = multi_def("bad", 0, 1);
    g_sites[6].source = 77;
    expect_refused(d, "bad: site 101: unknown source id 77");
    d = multi_def("bad", 0, 1);
    g_sites[2].source = 4; /* 3 -> 4 -> 3 */
    g_sites[3].source = 3;
    expect_refused(d, "bad: cycle in sources: 3 -> 4 -> 3");
    d = multi_def("bad", 0, 1);
    g_sites[4].source = 6 + 100; /* a cross-dock buying from a store */
    expect_refused(d, "site 5 (cross_dock) cannot order from site 106 (store)");
    d = multi_def("bad", 0, 1);
    g_sites[7].stock0 = -3;
    expect_refused(d, "bad: site 102: stock -3 must be >= 0");
    d = multi_def("bad", 0, 1);
    g_sites[8].demand.mean = NAN;
    expect_refused(d, "bad: site 103: ");
    d = multi_def("bad", 0, 1);
    g_sites[9].id = 4;
    expect_refused(d, "bad: two sites have id 4");
    d = multi_def("bad", 0, 1);
    g_sites[1].rate = 0;
    expect_refused(d, "bad: site 2: plant rate 0 must be > 0");
    d = multi_def("bad", 0, 1);
    g_sites[3].stock0 = 500;
    expect_refused(d, "bad: site 4: stock 500 exceeds its capacity 160");
    d = multi_def("bad", 0, 1);
    d.depot = 100;
    expect_refused(d, "bad: fleets[1].depot: 100 is a store");
}
END_TEST

/* Demand of every store at every step, recorded from the model. */
typedef struct demand_log {
    int steps, nstore;
    double *v; /* [t * nstore + s], stores in the def's order */
} demand_log;

static demand_log run_demand(sl_sc_def d, int threads, int steps)
{
    sl_world *w = sl_world_create(d.seed);
    sl_world_set_threads(w, threads);
    sl_error e;
    sl_sc *sc = sl_sc_create(w, &d, &e);
    ck_assert_msg(sc != NULL, "%s", e.msg);
    demand_log log = {steps, sc->S, calloc((size_t)steps * (size_t)sc->S, sizeof(double))};
    for (int t = 0; t < steps; t++) {
        ck_assert_msg(sl_world_step(w, &e) == SL_OK, "%s", e.msg);
        for (int s = 0; s < sc->S; s++) {
            /* by id, so that a reordered network is compared store by store */
            int i = sl_sc_site_index(sc, 100 + s);
            log.v[(size_t)t * (size_t)sc->S + (size_t)s] = sc->dem[(size_t)i * (size_t)sc->P];
        }
    }
    sl_world_destroy(w);
    return log;
}

static int same_store(const demand_log *a, const demand_log *b, int s)
{
    for (int t = 0; t < a->steps; t++)
        if (a->v[t * a->nstore + s] != b->v[t * b->nstore + s])
            return 0;
    return 1;
}

START_TEST(demand_streams_per_store)
{
    sl_sc_def d = multi_def("dem", SL_SC_CENTRAL, 1);
    demand_log ref = run_demand(d, 1, 120);
    /* different stores draw different sequences */
    for (int a = 0; a < NSTORE; a++)
        for (int b = a + 1; b < NSTORE; b++) {
            int differ = 0;
            for (int t = 0; t < ref.steps && !differ; t++)
                differ = ref.v[t * NSTORE + a] != ref.v[t * NSTORE + b];
            ck_assert_msg(differ, "stores %d and %d drew the same demand", a, b);
        }
    /* 2 threads: the same draws */
    demand_log two = run_demand(d, 2, 120);
    for (int s = 0; s < NSTORE; s++)
        ck_assert(same_store(&ref, &two, s));
    /* store 103's mean changes: its draws change, nobody else's do */
    d = multi_def("dem", SL_SC_CENTRAL, 1);
    g_sites[5 + 3].demand.mean = 4.0;
    demand_log moved = run_demand(d, 1, 120);
    for (int s = 0; s < NSTORE; s++)
        ck_assert_msg(same_store(&ref, &moved, s) == (s != 3), "store %d", s);
    /* the stores listed in another order (keyed by id, not by position) */
    d = multi_def("dem", SL_SC_CENTRAL, 1);
    sl_sc_site tmp = g_sites[5];
    g_sites[5] = g_sites[5 + NSTORE - 1];
    g_sites[5 + NSTORE - 1] = tmp;
    demand_log reordered = run_demand(d, 1, 120);
    for (int s = 0; s < NSTORE; s++)
        ck_assert(same_store(&ref, &reordered, s));
    free(ref.v);
    free(two.v);
    free(moved.v);
    free(reordered.v);
}
END_TEST

START_TEST(common_random_numbers_under_two_planners)
{
    sl_sc_def a = multi_def("cn_chain", SL_SC_CONTRACT_NET, 1);
    a.common_random_numbers = 1;
    demand_log da = run_demand(a, 1, 150);
    sl_sc_def b = multi_def("central_chain", SL_SC_CENTRAL, 1);
    b.common_random_numbers = 1;
    b.nvehicles = 5; /* another fleet too */
    demand_log db = run_demand(b, 2, 150);
    for (int s = 0; s < NSTORE; s++)
        ck_assert_msg(same_store(&da, &db, s), "store %d: demand differs between planners", s);
    /* without them, two chains (two names) draw differently */
    b.common_random_numbers = 0;
    demand_log dc = run_demand(b, 1, 150);
    int same = 0;
    for (int s = 0; s < NSTORE; s++)
        same += same_store(&da, &dc, s);
    ck_assert_int_eq(same, 0);
    free(da.v);
    free(db.v);
    free(dc.v);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sc_network");
    TCase *tc = tcase_create("network");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, conservation_every_step_per_product);
    tcase_add_test(tc, bad_networks_are_refused);
    tcase_add_test(tc, demand_streams_per_store);
    tcase_add_test(tc, common_random_numbers_under_two_planners);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
