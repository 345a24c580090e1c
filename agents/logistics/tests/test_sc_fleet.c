/* test_sc_fleet.c - the fleet on every step of random runs: no vehicle carries or is promised more
 * than its capacity, every stop of a plan is an order in the right state that no other vehicle
 * holds, and every READY order is on a plan or queued for the next announcement (the contract
 * net never drops one, however small the fleet). Reads the supply chain's internal state. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../src/sc_internal.h"
#include "swarmlab/rng.h"
#include "swarmlab/world.h"
#include "sc_testnet.h"

#define NS 30

static double sum(const double *v, int n)
{
    double s = 0.0;
    for (int i = 0; i < n; i++)
        s += v[i];
    return s;
}

/* Checks the fleet; returns the number of READY orders waiting for a planner. */
static size_t check_fleet(const sl_sc *sc, int step)
{
    const double cap = sc->def.capacity + 1e-9;
    int *holder = malloc((sc->norders + 1) * sizeof *holder);
    for (size_t i = 0; i < sc->norders; i++)
        holder[i] = -1;
    for (int v = 0; v < sc->V; v++) {
        const sc_vehicle *veh = &sc->veh[v];
        ck_assert_msg(sum(veh->load, sc->P) <= cap, "step %d: vehicle %d carries %g", step, v,
                      sum(veh->load, sc->P));
        ck_assert_msg(sum(veh->committed, sc->P) <= cap, "step %d: vehicle %d owes %g", step, v,
                      sum(veh->committed, sc->P));
        ck_assert(sum(veh->next_committed, sc->P) <= cap);
        ck_assert(veh->nnext >= 0 && veh->nnext <= veh->nstops);
        if (veh->state == VEH_DEPOT)
            ck_assert_int_eq(veh->nnext, 0);
        double cur[SL_SC_MAX_PROD] = {0}, next[SL_SC_MAX_PROD] = {0};
        int ncur = veh->nstops - veh->nnext;
        for (int k = 0; k < veh->nstops; k++) {
            int o = veh->stops[k];
            const slp_sc_order *ord = &sc->orders[o];
            ck_assert_msg(holder[o] < 0, "step %d: order %d on vehicles %d and %d", step, o,
                          holder[o], v);
            holder[o] = v;
            ck_assert_int_eq(ord->vehicle, v);
            int in_next = k >= ncur;
            if (veh->state == VEH_OUT && !in_next) {
                ck_assert_int_eq(ord->status, SLP_SC_TRANSIT);
                cur[ord->product] += ord->qty;
            } else {
                ck_assert_msg(ord->status == SLP_SC_READY, "step %d: stop %d of vehicle %d is "
                              "order %d with status %d", step, k, v, o, ord->status);
                ck_assert_int_eq(ord->fleet_state, SLP_SC_ASSIGNED);
                if (in_next)
                    next[ord->product] += ord->qty;
                else
                    cur[ord->product] += ord->qty;
            }
        }
        for (int p = 0; p < sc->P; p++) {
            ck_assert_msg(fabs(cur[p] - veh->committed[p]) < 1e-6, "step %d: vehicle %d owes %g, "
                          "its stops hold %g", step, v, veh->committed[p], cur[p]);
            ck_assert(fabs(next[p] - veh->next_committed[p]) < 1e-6);
        }
    }
    /* every READY order is on a plan, in a negotiation, or queued */
    size_t waiting = 0;
    for (size_t i = 0; i < sc->norders; i++) {
        const slp_sc_order *o = &sc->orders[i];
        if (o->status != SLP_SC_READY || !slp_sc_by_vehicle(sc, o))
            continue;
        if (holder[i] >= 0)
            continue;
        ck_assert_msg(o->fleet_state == SLP_SC_UNPLANNED || o->fleet_state == SLP_SC_NEGOTIATING,
                      "step %d: READY order %zu is on no vehicle and not queued", step, i);
        if (o->fleet_state == SLP_SC_UNPLANNED)
            ck_assert(o->fleet_t != SLP_SC_NEVER);
        waiting++;
    }
    if (sc->cnet) { /* a negotiating order has exactly one open conversation */
        int *open = calloc(sc->norders + 1, sizeof *open);
        for (size_t c = 1; c <= sl_cnet_nconv(sc->cnet); c++) {
            const sl_cn_conv *cv = sl_cnet_conv(sc->cnet, c);
            if (!sl_conv_terminal(cv->state))
                open[cv->task.item]++;
        }
        for (size_t i = 0; i < sc->norders; i++)
            if (sc->orders[i].status == SLP_SC_READY &&
                sc->orders[i].fleet_state == SLP_SC_NEGOTIATING)
                ck_assert_msg(open[i] == 1, "step %d: order %zu negotiating in %d conversations",
                              step, i, open[i]);
        free(open);
    }
    free(holder);
    return waiting;
}

static sc_testnet net; /* the sites of the last fixture (sl_sc_create copies them) */

static sl_sc_def fixture(double *x, double *y, uint64_t seed, int mode, int vehicles)
{
    for (int s = 0; s < NS; s++) {
        sl_rng r = sl_rng_make(seed, 1, (uint64_t)s, 0);
        x[s] = sl_rng_uniform(&r) * 100.0;
        y[s] = sl_rng_uniform(&r) * 100.0;
    }
    sc_testnet_make(&net, NS, x, y, NULL, 0);
    return sc_testnet_def(&net, "fleet", mode, seed, vehicles);
}

/* Demand stops at every store. */
static void stop_demand(sl_sc *sc)
{
    for (int i = 0; i < sc->N; i++)
        if (sc->site[i].kind == SL_SC_STORE)
            sc->site[i].demand.mean = 0.0;
}

/* Orders the fleet delivers (by vehicle from its depot). */
static size_t fleet_orders(const sl_sc *sc, size_t *delivered)
{
    size_t n = 0;
    *delivered = 0;
    for (size_t i = 0; i < sc->norders; i++)
        if (slp_sc_by_vehicle(sc, &sc->orders[i])) {
            n++;
            *delivered += sc->orders[i].status == SLP_SC_DELIVERED;
        }
    return n;
}

START_TEST(test_fleet_invariants_every_step)
{
    double x[NS], y[NS];
    for (uint64_t seed = 1; seed <= 4; seed++)
        for (int mode = 0; mode < 2; mode++) {
            sl_sc_def d = fixture(x, y, seed, mode, 1 + (int)seed);
            d.nprod = seed % 2 ? 1 : 2;
            d.capacity = 60 + 10 * (double)seed;
            sl_world *w = sl_world_create(d.seed);
            sl_error e;
            sl_sc *sc = sl_sc_create(w, &d, &e);
            ck_assert_msg(sc != NULL, "%s", e.msg);
            for (int t = 0; t < 200; t++) {
                ck_assert_msg(sl_world_step(w, &e) == SL_OK, "%s", e.msg);
                check_fleet(sc, t);
            }
            ck_assert(sc->tot.delivered > 0);
            sl_world_destroy(w);
        }
}
END_TEST

/* Two vehicles for 30 stores: most announcements find no room, the orders queue, and every
 * order is delivered, on a plan, or queued; the queue drains once demand stops. */
START_TEST(test_cnet_tight_fleet_loses_no_order)
{
    double x[NS], y[NS];
    sl_sc_def d = fixture(x, y, 9, SL_SC_CONTRACT_NET, 2);
    sl_world *w = sl_world_create(d.seed);
    sl_error e;
    sl_sc *sc = sl_sc_create(w, &d, &e);
    ck_assert_msg(sc != NULL, "%s", e.msg);
    size_t max_wait = 0;
    for (int t = 0; t < 250; t++) {
        ck_assert_msg(sl_world_step(w, &e) == SL_OK, "%s", e.msg);
        size_t n = check_fleet(sc, t);
        max_wait = n > max_wait ? n : max_wait;
    }
    ck_assert(max_wait > 5);                      /* the fleet was tight: orders queued */
    ck_assert(sc->tot.failed_negotiations > 0);   /* and were announced again */
    /* demand stops: no order is created any more and every one is delivered in the end */
    stop_demand(sc);
    for (int t = 250; t < 600; t++) {
        ck_assert_msg(sl_world_step(w, &e) == SL_OK, "%s", e.msg);
        check_fleet(sc, t);
    }
    size_t delivered, n = fleet_orders(sc, &delivered);
    ck_assert_uint_eq(delivered, n);
    ck_assert(n > 100);
    sl_world_destroy(w);
}
END_TEST

/* One vehicle for 30 stores: the queue grows far beyond what the vehicle can carry, yet the
 * units announced in any step never exceed the fleet's capacity (announcements are bounded by
 * the fleet's spare units, not by the queue), orders that waited in the queue are announced
 * later, and every order is delivered once demand stops. */
START_TEST(test_cnet_announcements_bounded)
{
    double x[NS], y[NS];
    sl_sc_def d = fixture(x, y, 5, SL_SC_CONTRACT_NET, 1);
    sl_world *w = sl_world_create(d.seed);
    sl_error e;
    sl_sc *sc = sl_sc_create(w, &d, &e);
    ck_assert_msg(sc != NULL, "%s", e.msg);
    double most_waiting = 0.0, most_announced = 0.0;
    size_t late = 0;
    for (int t = 0; t < 1000; t++) {
        if (t == 250)
            stop_demand(sc);
        size_t before = sl_cnet_nconv(sc->cnet);
        ck_assert_msg(sl_world_step(w, &e) == SL_OK, "%s", e.msg);
        check_fleet(sc, t);
        double announced = 0.0, waiting = 0.0;
        for (size_t c = before + 1; c <= sl_cnet_nconv(sc->cnet); c++) {
            const sl_cn_conv *cv = sl_cnet_conv(sc->cnet, c);
            const slp_sc_order *o = &sc->orders[cv->task.item];
            announced += o->qty;
            late += cv->opened > o->ready + 10; /* waited in the queue */
        }
        for (size_t i = 0; i < sc->norders; i++)
            if (sc->orders[i].status == SLP_SC_READY &&
                sc->orders[i].fleet_state != SLP_SC_ASSIGNED)
                waiting += sc->orders[i].qty;
        ck_assert_msg(announced <= d.capacity + 1e-9, "step %d: %g units announced to a fleet "
                      "of one vehicle of %g", t, announced, d.capacity);
        most_waiting = waiting > most_waiting ? waiting : most_waiting;
        most_announced = announced > most_announced ? announced : most_announced;
    }
    ck_assert_msg(most_waiting > 5 * d.capacity, "queue of %g units", most_waiting);
    ck_assert(most_announced > 0.0);
    ck_assert(late > 10);
    size_t delivered, n = fleet_orders(sc, &delivered);
    ck_assert_uint_eq(delivered, n);
    sl_world_destroy(w);
}
END_TEST

/* Runs until every order created is delivered after demand stops at `stop`; checks the fleet on
 * every step. */
static void run_day(sl_world *w, sl_sc *sc, int stop, int end)
{
    sl_error e;
    for (int t = 0; t < end; t++) {
        if (t == stop)
            stop_demand(sc);
        ck_assert_msg(sl_world_step(w, &e) == SL_OK, "step %d: %s", t, e.msg);
        check_fleet(sc, t);
    }
    size_t delivered, n = fleet_orders(sc, &delivered);
    ck_assert_uint_eq(delivered, n);
    ck_assert(n > 30);
}

/* The ant-colony planner serves every order of a small day with 3 vehicles; a plan never has
 * more routes than vehicles at the depot, and the same seed gives the same run for 1 and 2
 * threads. */
START_TEST(test_vrp_planner_serves_a_day)
{
    double x[NS], y[NS];
    double dist[2];
    for (int threads = 1; threads <= 2; threads++) {
        sl_sc_def d = fixture(x, y, 4, SL_SC_VRP, 3);
        d.vrp_iterations = 3;
        d.plan_period = 2;
        sl_world *w = sl_world_create(d.seed);
        sl_world_set_threads(w, threads);
        sl_error e;
        sl_sc *sc = sl_sc_create(w, &d, &e);
        ck_assert_msg(sc != NULL, "%s", e.msg);
        run_day(w, sc, 120, 300);
        dist[threads - 1] = sc->tot.distance;
        ck_assert(sc->tot.distance > 0);
        sl_world_destroy(w);
    }
    ck_assert(dist[0] == dist[1]);
}
END_TEST

/* A planner function: every open order to the first vehicle at the depot with room, in id
 * order; or one of several wrong plans. */
static int bad_plan;
static int plan_calls;
static sl_status first_fit(void *user, const sl_sc_plan_order *o, int no,
                           const sl_sc_plan_vehicle *v, int nv, sl_sc_plan *out, sl_error *e)
{
    (void)user;
    (void)e;
    plan_calls++;
    out->vehicle = malloc(((size_t)nv + 1) * sizeof *out->vehicle);
    out->start = malloc(((size_t)nv + 2) * sizeof *out->start);
    out->ids = malloc(((size_t)no + 2) * sizeof *out->ids);
    int k = 0;
    out->nroutes = 0;
    for (int j = 0; j < nv; j++) {
        if (v[j].state != 0 && !bad_plan)
            continue;
        int r = out->nroutes++;
        out->vehicle[r] = j;
        out->start[r] = k;
        double load = 0.0;
        for (int i = 0; i < no; i++) {
            int taken = 0;
            for (int q = 0; q < k; q++)
                taken |= out->ids[q] == o[i].id;
            if (taken || load + o[i].qty > v[j].capacity)
                continue;
            out->ids[k++] = o[i].id;
            load += o[i].qty;
        }
    }
    out->start[out->nroutes] = k;
    if (bad_plan == 1 && k > 0) /* an order that does not exist */
        out->ids[k - 1] = 999999;
    if (bad_plan == 2 && k > 0) /* the same order twice */
        out->ids[k++] = out->ids[0], out->start[out->nroutes]++;
    if (bad_plan == 3 && out->nroutes > 0) /* a vehicle that does not exist */
        out->vehicle[0] = nv + 2;
    return SL_OK;
}

START_TEST(test_planner_function_drives_a_day)
{
    double x[NS], y[NS];
    sl_sc_def d = fixture(x, y, 6, SL_SC_PLANNER, 3);
    d.plan_fn = first_fit;
    bad_plan = 0;
    plan_calls = 0;
    sl_world *w = sl_world_create(d.seed);
    sl_error e;
    sl_sc *sc = sl_sc_create(w, &d, &e);
    ck_assert_msg(sc != NULL, "%s", e.msg);
    run_day(w, sc, 100, 300);
    ck_assert_int_eq(plan_calls, 300);
    sl_world_destroy(w);
    d.mode = SL_SC_PLANNER;
    d.plan_fn = NULL;
    w = sl_world_create(d.seed);
    ck_assert_ptr_null(sl_sc_create(w, &d, &e));
    ck_assert_ptr_nonnull(strstr(e.msg, "planner function"));
    sl_world_destroy(w);
}
END_TEST

/* Wrong plans stop the run with one line naming the route and stop; the state is unchanged. */
START_TEST(test_bad_plans_rejected)
{
    double x[NS], y[NS];
    const char *want[5] = {NULL, "unknown order 999999", "is already in routes[1][1]",
                           "does not exist (1..3)", "is busy"};
    for (bad_plan = 1; bad_plan <= 4; bad_plan++) {
        sl_sc_def d = fixture(x, y, 6, SL_SC_PLANNER, 3);
        d.plan_fn = first_fit;
        sl_world *w = sl_world_create(d.seed);
        sl_error e;
        ck_assert_ptr_nonnull(sl_sc_create(w, &d, &e));
        sl_status st = SL_OK;
        int t = 0;
        for (; t < 100 && st == SL_OK; t++)
            st = sl_world_step(w, &e);
        ck_assert_msg(st == SL_ERR_RANGE, "bad plan %d accepted", bad_plan);
        ck_assert_msg(strstr(e.msg, want[bad_plan]) != NULL, "%s", e.msg);
        ck_assert_ptr_nonnull(strstr(e.msg, "routes["));
        ck_assert_ptr_null(strchr(e.msg, '\n'));
        sl_world_destroy(w);
    }
    /* over capacity, checked directly against a vehicle at the depot */
    sl_sc_def d = fixture(x, y, 6, SL_SC_PLANNER, 3);
    d.plan_fn = first_fit;
    bad_plan = 0;
    sl_world *w = sl_world_create(d.seed);
    sl_error e;
    sl_sc *sc = sl_sc_create(w, &d, &e);
    int found = 0;
    for (int t = 0; t < 200 && !found; t++) {
        ck_assert_int_eq(sl_world_step(w, &e), SL_OK);
        uint64_t ids[64];
        int n = 0;
        double load = 0.0;
        for (size_t i = 0; i < sc->norders && n < 64; i++)
            if (slp_sc_plannable(sc, i, sc->step)) {
                ids[n++] = sc->orders[i].id;
                load += sc->orders[i].qty;
            }
        int v = -1;
        for (int k = 0; k < sc->V; k++)
            if (sc->veh[k].state == VEH_DEPOT)
                v = k;
        if (load <= d.capacity || v < 0)
            continue;
        found = 1;
        int start[2] = {0, n};
        sl_sc_plan p = {1, &v, start, ids};
        ck_assert_int_eq(slp_sc_apply_plan(sc, &sc->fleet[0], sc->step, &p, &e), SL_ERR_RANGE);
        ck_assert_msg(strstr(e.msg, "]: load") && strstr(e.msg, "over the capacity"),
                      "%s", e.msg);
        check_fleet(sc, t);
    }
    ck_assert(found);
    sl_world_destroy(w);
}
END_TEST

/* routes.csv after a contract-net day: one line per departure; the loads add up to the units the
 * fleet delivered (orders by vehicle), the distances to the distance driven, no load over the capacity, every trip
 * that ended has start <= end, and every delivered order's site is a stop of its trip. */
START_TEST(test_routes_csv)
{
    double x[NS], y[NS];
    sl_sc_def d = fixture(x, y, 3, SL_SC_CONTRACT_NET, 3);
    sl_world *w = sl_world_create(d.seed);
    sl_error e;
    sl_sc *sc = sl_sc_create(w, &d, &e);
    ck_assert_msg(sc != NULL, "%s", e.msg);
    run_day(w, sc, 100, 260);
    char path[] = "/tmp/sl_routes_XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert_msg(sl_sc_write_routes(sc, path, &e) == SL_OK, "%s", e.msg);
    FILE *f = fopen(path, "r");
    char line[8192];
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
    ck_assert_str_eq(line, "vehicle,type,depot,route,stops,load,distance,start,end\n");
    double load_sum = 0.0, dist_sum = 0.0;
    size_t lines = 0;
    while (fgets(line, sizeof line, f)) {
        int v, r;
        long long depot;
        char stops[4096];
        double load, dist;
        unsigned long long start, end;
        int nf = sscanf(line, "%d,vehicle,%lld,%d,%4095[0-9 ],%lf,%lf,%llu,%llu", &v, &depot, &r,
                        stops, &load, &dist, &start, &end);
        ck_assert_msg(nf == 8, "line %zu: %s", lines + 2, line); /* every trip ended */
        ck_assert(v >= 1 && v <= 3 && depot == 2 && r >= 1);
        ck_assert(load > 0 && load <= d.capacity + 1e-9);
        ck_assert(dist > 0 && start <= end);
        /* the delivered orders of this trip are among its stops */
        for (size_t i = 0; i < sc->norders; i++) {
            const slp_sc_order *o = &sc->orders[i];
            if (o->vehicle != v - 1 || o->route != r)
                continue;
            char id[32];
            snprintf(id, sizeof id, "%lld", sc->site[o->site].id);
            ck_assert_ptr_nonnull(strstr(stops, id));
            ck_assert(o->dispatched >= start && o->delivered <= end);
        }
        load_sum += load;
        dist_sum += dist;
        lines++;
    }
    fclose(f);
    unlink(path);
    ck_assert(lines > 20);
    double by_vehicle = 0.0;
    for (size_t i = 0; i < sc->norders; i++)
        if (slp_sc_by_vehicle(sc, &sc->orders[i]) &&
            sc->orders[i].status == SLP_SC_DELIVERED)
            by_vehicle += sc->orders[i].qty;
    ck_assert_msg(fabs(load_sum - by_vehicle) < 1e-6, "routes carry %g, delivered %g",
                  load_sum, by_vehicle);
    ck_assert_msg(fabs(dist_sum - sc->tot.distance) < 1e-6 * sc->tot.distance, "routes drive %g, "
                  "fleet %g", dist_sum, sc->tot.distance);
    ck_assert_int_eq(sl_sc_write_routes(sc, "/nonexistent/dir/routes.csv", &e), SL_ERR_IO);
    ck_assert_ptr_nonnull(strstr(e.msg, "/nonexistent/dir/routes.csv"));
    sl_world_destroy(w);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sc_fleet");
    TCase *tc = tcase_create("fleet");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_fleet_invariants_every_step);
    tcase_add_test(tc, test_cnet_tight_fleet_loses_no_order);
    tcase_add_test(tc, test_cnet_announcements_bounded);
    tcase_add_test(tc, test_vrp_planner_serves_a_day);
    tcase_add_test(tc, test_planner_function_drives_a_day);
    tcase_add_test(tc, test_bad_plans_rejected);
    tcase_add_test(tc, test_routes_csv);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
