/* test_sc_depots.c - several fleets at several depots: every vehicle carries only orders of its
 * own depot, starts and ends there and is drawn there while it waits; every planner pairing
 * delivers every order once demand stops; units are conserved; routes.csv names each trip's
 * depot; the same results for 1 and 2 threads and after a checkpoint; bad fleet definitions are
 * refused in one line naming the field. Reads the supply chain's internal state. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../src/sc_internal.h"
#include "sc_test_util.h"
#include "swarmlab/checkpoint.h"
#include "swarmlab/rng.h"
#include "swarmlab/world.h"

#define NS 36

/* A supplier (1), warehouses 2 (west), 3 (east) and 4 (north, no fleet: its stores get their
 * orders without vehicles), NS stores (101..) each buying from the warehouse of its third of
 * the plane. */
static sl_sc_site g_site[4 + NS];

static int make_sites(uint64_t seed)
{
    int n = 0;
    g_site[n] = sl_sc_site_default(SL_SC_SUPPLIER, 1);
    g_site[n].lead = 2;
    g_site[n++].ship_time = 2;
    const double wx[3] = {20, 80, 50}, wy[3] = {50, 50, 90};
    for (int k = 0; k < 3; k++) {
        sl_sc_site *s = &g_site[n++];
        *s = sl_sc_site_default(SL_SC_WAREHOUSE, 2 + k);
        s->x = wx[k];
        s->y = wy[k];
        s->stock0 = 300;
        s->lead = 1;
        s->source_kind = SL_SC_SOURCE_FIXED;
        s->source = 1;
    }
    for (int i = 0; i < NS; i++) {
        sl_rng r = sl_rng_make(seed, 7, (uint64_t)i, 0);
        sl_sc_site *s = &g_site[n++];
        *s = sl_sc_site_default(SL_SC_STORE, 101 + i);
        s->x = sl_rng_uniform(&r) * 100.0;
        s->y = sl_rng_uniform(&r) * 100.0;
        s->stock0 = 12;
        s->source_kind = SL_SC_SOURCE_FIXED;
        s->source = s->y > 75 ? 4 : s->x < 50 ? 2 : 3;
    }
    return n;
}

static sl_sc_fleet_def g_fleet[2];

/* Fleet at depot 2 with planner m0 (two types), fleet at depot 3 with planner m1. */
static sl_sc_def two_fleets(uint64_t seed, int m0, int m1)
{
    sl_sc_def d = sl_sc_def_default();
    d.name = "depots";
    d.seed = seed;
    d.nsites = make_sites(seed);
    d.sites = g_site;
    g_fleet[0] = sl_sc_fleet_def_default();
    g_fleet[0].depot = 2;
    g_fleet[0].mode = m0;
    g_fleet[0].ntypes = 2;
    g_fleet[0].types[0].count = 2;
    g_fleet[0].types[0].capacity = 60;
    g_fleet[0].types[1] = sl_sc_vtype_default();
    g_fleet[0].types[1].count = 1;
    g_fleet[0].types[1].capacity = 120;
    g_fleet[0].types[1].speed = 25;
    g_fleet[1] = sl_sc_fleet_def_default();
    g_fleet[1].depot = 3;
    g_fleet[1].mode = m1;
    g_fleet[1].types[0].count = 3;
    g_fleet[1].retry_wait = 1;
    g_fleet[1].plan_period = 2;
    d.nfleets = 2;
    d.fleets = g_fleet;
    return d;
}

/* Every step: each vehicle holds only orders of its own depot, never more than its capacity; a
 * vehicle at the depot is at its own depot (state, node and drawn position); conservation. */
static void check_depots(const sl_sc *sc, int step)
{
    for (int v = 0; v < sc->V; v++) {
        const sc_vehicle *veh = &sc->veh[v];
        const slp_sc_fleet *f = &sc->fleet[veh->fleet];
        ck_assert(v >= f->v0 && v < f->v0 + f->nv);
        ck_assert_int_eq(veh->depot, f->depot);
        double load = 0.0, committed = 0.0;
        for (int p = 0; p < sc->P; p++) {
            load += veh->load[p];
            committed += veh->committed[p];
        }
        ck_assert_msg(load <= veh->cap + 1e-9 && committed <= veh->cap + 1e-9,
                      "step %d: vehicle %d carries %g / owes %g over %g", step, v, load,
                      committed, veh->cap);
        for (int k = 0; k < veh->nstops; k++)
            ck_assert_msg(sc->orders[veh->stops[k]].depot == veh->depot, "step %d: vehicle %d "
                          "(depot %d) holds an order of depot %d", step, v, veh->depot,
                          sc->orders[veh->stops[k]].depot);
        if (veh->state == VEH_DEPOT) {
            double x, y;
            slp_sc_vehicle_xy(sc, v, &x, &y);
            ck_assert(x == sc->nx[veh->depot] && y == sc->ny[veh->depot]);
            ck_assert_int_eq(veh->loc, veh->depot);
        }
    }
    double held, entered;
    sl_sc_conservation(sc, -1, &held, &entered);
    ck_assert_msg(fabs(held - entered) < 1e-6, "step %d: %g held, %g entered", step, held,
                  entered);
}

static void stop_demand(sl_sc *sc)
{
    for (int i = 0; i < sc->N; i++)
        if (sc->site[i].kind == SL_SC_STORE)
            sc->site[i].demand.mean = 0.0;
}

static const char *mode_name[4] = {"contract_net", "central", "vrp", "planner"};

/* Planner function: every open order onto the first vehicle at the depot with room. */
static sl_status first_fit(void *user, const sl_sc_plan_order *o, int no,
                           const sl_sc_plan_vehicle *v, int nv, sl_sc_plan *out, sl_error *e)
{
    (void)user;
    (void)e;
    out->vehicle = malloc((size_t)(nv + 1) * sizeof(int));
    out->start = malloc((size_t)(nv + 2) * sizeof(int));
    out->ids = malloc((size_t)(no + 1) * sizeof(uint64_t));
    int k = 0;
    out->nroutes = 0;
    char *used = calloc((size_t)no + 1, 1);
    for (int j = 0; j < nv; j++) {
        if (v[j].state != 0)
            continue;
        int r = out->nroutes++;
        out->vehicle[r] = j;
        out->start[r] = k;
        double load = 0.0;
        for (int i = 0; i < no; i++)
            if (!used[i] && load + o[i].qty <= v[j].capacity) {
                used[i] = 1;
                load += o[i].qty;
                out->ids[k++] = o[i].id;
            }
    }
    out->start[out->nroutes] = k;
    free(used);
    return SL_OK;
}

/* Each pairing of planners: invariants every step for 150 steps, then no demand until every
 * order the fleets carry is delivered; both fleets delivered, each only its depot's orders; the
 * depot without a fleet shipped its orders without vehicles. */
START_TEST(test_two_depots_every_planner)
{
    const int pairs[4][2] = {{SL_SC_CONTRACT_NET, SL_SC_CENTRAL}, {SL_SC_VRP, SL_SC_CONTRACT_NET},
                             {SL_SC_CENTRAL, SL_SC_VRP}, {SL_SC_PLANNER, SL_SC_CONTRACT_NET}};
    for (int c = 0; c < 4; c++) {
        sl_sc_def d = two_fleets(11 + (uint64_t)c, pairs[c][0], pairs[c][1]);
        g_fleet[0].plan_fn = first_fit;
        g_fleet[0].vrp_iterations = 3;
        g_fleet[1].vrp_iterations = 3;
        sl_world *w = sl_world_create(d.seed);
        sl_error e;
        sl_sc *sc = sl_sc_create(w, &d, &e);
        ck_assert_msg(sc != NULL, "%s", e.msg);
        ck_assert_int_eq(sc->F, 2);
        ck_assert_int_eq(sc->V, 6);
        ck_assert_int_eq(sc->fleet[0].nv, 3);
        ck_assert_int_eq(sc->veh[2].type, 1);
        ck_assert(sc->veh[2].cap == 120 && sc->veh[2].speed == 25 && sc->veh[0].cap == 60);
        for (int t = 0; t < 150; t++) {
            ck_assert_msg(sl_world_step(w, &e) == SL_OK, "%s", e.msg);
            check_depots(sc, t);
        }
        stop_demand(sc);
        for (int t = 150; t < 600; t++) {
            ck_assert_msg(sl_world_step(w, &e) == SL_OK, "%s", e.msg);
            check_depots(sc, t);
        }
        double by_fleet[2] = {0, 0}, direct = 0.0;
        for (size_t i = 0; i < sc->norders; i++) {
            const slp_sc_order *o = &sc->orders[i];
            if (sc->site[o->site].kind != SL_SC_STORE)
                continue;
            ck_assert_msg(o->status == SLP_SC_DELIVERED, "%s/%s: order %zu of depot %lld is %d",
                          mode_name[pairs[c][0]], mode_name[pairs[c][1]], i,
                          sc->site[o->depot].id, o->status);
            if (slp_sc_by_vehicle(sc, o)) {
                ck_assert(o->vehicle >= 0 && sc->veh[o->vehicle].depot == o->depot);
                by_fleet[sc->veh[o->vehicle].fleet] += o->qty;
            } else {
                ck_assert_int_eq(sc->site[o->depot].id, 4);
                ck_assert_int_eq(o->vehicle, -1);
                direct += o->qty;
            }
        }
        ck_assert_msg(by_fleet[0] > 0 && by_fleet[1] > 0 && direct > 0, "%g %g %g", by_fleet[0],
                      by_fleet[1], direct);
        for (int v = 0; v < sc->V; v++)
            ck_assert_int_eq(sc->veh[v].state, VEH_DEPOT);
        sl_world_destroy(w);
    }
}
END_TEST

/* routes.csv: each line names the depot and the type of its vehicle. */
START_TEST(test_routes_name_their_depot)
{
    sl_sc_def d = two_fleets(5, SL_SC_CONTRACT_NET, SL_SC_CENTRAL);
    snprintf(g_fleet[0].types[1].name, sizeof g_fleet[0].types[1].name, "truck");
    sl_world *w = sl_world_create(d.seed);
    sl_error e;
    sl_sc *sc = sl_sc_create(w, &d, &e);
    ck_assert_msg(sc != NULL, "%s", e.msg);
    for (int t = 0; t < 120; t++)
        ck_assert_msg(sl_world_step(w, &e) == SL_OK, "%s", e.msg);
    char path[] = "/tmp/sl_depots_XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert_msg(sl_sc_write_routes(sc, path, &e) == SL_OK, "%s", e.msg);
    FILE *f = fopen(path, "r");
    char line[8192];
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
    int seen[3] = {0, 0, 0}, trucks = 0;
    while (fgets(line, sizeof line, f)) {
        int v;
        char type[64];
        long long depot;
        ck_assert_int_eq(sscanf(line, "%d,%63[^,],%lld,", &v, type, &depot), 3);
        ck_assert(v >= 1 && v <= sc->V);
        ck_assert_int_eq(depot, sc->site[sc->veh[v - 1].depot].id);
        ck_assert_str_eq(type, sc->fleet[sc->veh[v - 1].fleet].def.types[sc->veh[v - 1].type].name);
        trucks += strcmp(type, "truck") == 0;
        seen[depot - 2]++;
    }
    fclose(f);
    unlink(path);
    ck_assert(seen[0] > 5 && seen[1] > 5 && seen[2] == 0 && trucks > 0);
    ck_assert_str_eq(sc->fleet[1].def.types[0].name, "type1");
    sl_world_destroy(w);
}
END_TEST

typedef struct run_out {
    sl_sc_kpis k;
    size_t norders;
    uint64_t hash;
} run_out;

static uint64_t ledger_hash(const sl_sc *sc)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < sc->norders; i++) {
        const slp_sc_order *o = &sc->orders[i];
        uint64_t v[4] = {o->delivered, (uint64_t)(o->vehicle + 1), (uint64_t)o->route,
                         (uint64_t)o->status};
        for (int k = 0; k < 4; k++)
            h = (h ^ v[k]) * 1099511628211ULL;
    }
    return h;
}

static run_out run(int threads, int steps, const char *save, int save_at, const char *restore)
{
    sl_sc_def d = two_fleets(21, SL_SC_VRP, SL_SC_CONTRACT_NET);
    g_fleet[0].vrp_iterations = 4;
    g_fleet[1].link.loss = 0.1;
    sl_world *w = sl_world_create(d.seed);
    sl_world_set_threads(w, threads);
    sl_error e;
    sl_sc *sc = sl_sc_create(w, &d, &e);
    ck_assert_msg(sc != NULL, "%s", e.msg);
    if (restore)
        ck_assert_msg(sl_checkpoint_restore(w, restore, NULL, &e) == SL_OK, "%s", e.msg);
    for (int t = (int)sl_world_step_count(w); t < steps; t++) {
        if (save && t == save_at)
            ck_assert_msg(sl_checkpoint_save(w, save, "depots", &e) == SL_OK, "%s", e.msg);
        ck_assert_msg(sl_world_step(w, &e) == SL_OK, "%s", e.msg);
    }
    run_out r = {sl_sc_kpis_run(sc), sc->norders, ledger_hash(sc)};
    sl_world_destroy(w);
    return r;
}

static void same(run_out a, run_out b)
{
    ck_assert_uint_eq(a.norders, b.norders);
    ck_assert_uint_eq(a.hash, b.hash);
    ck_assert(a.k.distance == b.k.distance && a.k.fill_rate == b.k.fill_rate &&
              a.k.transport_cost == b.k.transport_cost && a.k.delivered == b.k.delivered);
}

/* The ant colony at one depot, a lossy contract net at the other: the same run for 1 and 2
 * threads, and a run checkpointed at step 70 and restored into a new world ends the same. */
START_TEST(test_two_depots_threads_and_checkpoint)
{
    run_out one = run(1, 140, NULL, 0, NULL);
    ck_assert(one.k.delivered > 0);
    same(one, run(2, 140, NULL, 0, NULL));
    char path[] = "/tmp/sl_depots_ck_XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    same(one, run(1, 140, path, 70, NULL));
    same(one, run(1, 140, NULL, 0, path));
    unlink(path);
}
END_TEST

START_TEST(test_bad_fleets_refused)
{
    sl_sc_def d = two_fleets(1, SL_SC_CONTRACT_NET, SL_SC_CENTRAL);
    g_fleet[1].depot = 99;
    expect_refused(d, "depots: fleets[2].depot: 99 is not a site");
    d = two_fleets(1, SL_SC_CONTRACT_NET, SL_SC_CENTRAL);
    g_fleet[1].depot = 101;
    expect_refused(d, "fleets[2].depot: 101 is a store (a warehouse or cross-dock is required)");
    d = two_fleets(1, SL_SC_CONTRACT_NET, SL_SC_CENTRAL);
    g_fleet[1].depot = 1;
    expect_refused(d, "fleets[2].depot: 1 is a supplier");
    d = two_fleets(1, SL_SC_CONTRACT_NET, SL_SC_CENTRAL);
    g_fleet[1].depot = 2;
    expect_refused(d, "fleets[2].depot: 2 already has a fleet (fleets[1]");
    d = two_fleets(1, SL_SC_CONTRACT_NET, SL_SC_CONTRACT_NET);
    g_fleet[1].cn_deadline = 3;
    expect_refused(d, "fleets[2]: deadline 3 differs from 2");
    d = two_fleets(1, SL_SC_CONTRACT_NET, SL_SC_PLANNER);
    expect_refused(d, "fleets[2]: the planner mode needs a planner function");
    d = two_fleets(1, SL_SC_CONTRACT_NET, SL_SC_CENTRAL);
    g_fleet[0].types[1].capacity = 0;
    expect_refused(d, "fleets[1].types[2]: vehicle capacity 0 must be > 0");
    d = two_fleets(1, SL_SC_CONTRACT_NET, SL_SC_CENTRAL);
    g_fleet[1].types[0].cost_per_time = -1;
    expect_refused(d, "fleets[2].types[1]: costs must be finite and >= 0");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sc_depots");
    TCase *tc = tcase_create("depots");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_two_depots_every_planner);
    tcase_add_test(tc, test_routes_name_their_depot);
    tcase_add_test(tc, test_two_depots_threads_and_checkpoint);
    tcase_add_test(tc, test_bad_fleets_refused);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
