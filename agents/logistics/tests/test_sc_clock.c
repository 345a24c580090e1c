/* test_sc_clock.c - the fleets' clock: store windows, service times and vehicle shifts on cases
 * computed by hand (one vehicle, two stores); no vehicle away from its depot outside its shift
 * over long random runs of every built-in planner (and the check finds violations when the
 * shift's end is not enforced); no late stop planned by a built-in planner; the transport cost
 * of vehicle types (fixed, distance and time costs) and planners that prefer the cheaper type.
 * Reads the supply chain's internal state. */
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

#define EPS 1e-9

/* ---- the hand-computed case ----
 * Steps per day 24. Warehouse W (id 2) at (0, 0) with 100 units, stores A (101) at (20, 0) with
 * window {5, 8} and service 0.5, B (102) at (20, 30) with window {6, 9}. Each store orders 5
 * units at step 0 (received and picked at step 1); one vehicle at speed 10, dispatch_wait 0,
 * leaves at step 1. */
static sl_sc_site g_site[3 + 40];

static sl_status order_once(void *user, const sl_sc_site_state *s, double *qty, sl_error *e)
{
    (void)user;
    (void)e;
    *qty = s->kind == SL_SC_STORE && s->step == 0 ? 5 : 0;
    return SL_OK;
}

static sl_sc_fleet_def g_fleet[2];

static sl_sc_def hand_case(int mode)
{
    g_site[0] = sl_sc_site_default(SL_SC_SUPPLIER, 1);
    g_site[1] = sl_sc_site_default(SL_SC_WAREHOUSE, 2);
    g_site[1].stock0 = 100;
    g_site[1].source_kind = SL_SC_SOURCE_FIXED;
    g_site[1].source = 1;
    for (int k = 0; k < 2; k++) {
        sl_sc_site *s = &g_site[2 + k];
        *s = sl_sc_site_default(SL_SC_STORE, 101 + k);
        s->x = 20;
        s->y = k ? 30 : 0;
        s->source_kind = SL_SC_SOURCE_FIXED;
        s->source = 2;
        s->demand.kind = SL_DEMAND_CONSTANT;
        s->demand.mean = 0;
        s->window_open = k ? 6 : 5;
        s->window_close = k ? 9 : 8;
        s->service_time = k ? 0 : 0.5;
    }
    for (int i = 0; i < 4; i++)
        g_site[i].policy.kind = SL_SC_POLICY_HOOK;
    g_site[0].policy.kind = SL_SC_POLICY_NONE;
    sl_sc_def d = sl_sc_def_default();
    d.name = "hand";
    d.seed = 1;
    d.nsites = 4;
    d.sites = g_site;
    d.policy_fn = order_once;
    d.steps_per_day = 24;
    g_fleet[0] = sl_sc_fleet_def_default();
    g_fleet[0].depot = 2;
    g_fleet[0].mode = mode;
    g_fleet[0].types[0].count = 1;
    g_fleet[0].types[0].speed = 10;
    g_fleet[0].dispatch_wait = 0;
    d.nfleets = 1;
    d.fleets = g_fleet;
    return d;
}

static void run_to(sl_world *w, int steps)
{
    sl_error e;
    for (int t = (int)sl_world_step_count(w); t < steps; t++)
        ck_assert_msg(sl_world_step(w, &e) == SL_OK, "%s", e.msg);
}

static void expect_stop(const sl_sc *sc, size_t i, double arrival, double wait, double late,
                        uint64_t delivered)
{
    sl_sc_order_info r = sl_sc_order_get(sc, i);
    ck_assert_int_eq(r.status, SL_SC_DELIVERED);
    ck_assert_msg(fabs(r.arrival - arrival) < EPS && fabs(r.wait - wait) < EPS &&
                  fabs(r.window_late - late) < EPS, "order %zu: arrival %.12g wait %.12g late "
                  "%.12g; expected %g %g %g", i + 1, r.arrival, r.wait, r.window_late, arrival,
                  wait, late);
    ck_assert_int_eq(r.delivered, (int64_t)delivered);
}

/* Central insertion: B before A would reach A at 9 > 8 (late), so B goes after A although both
 * orders have the same length. A: arrives 1 + 20/10 = 3, waits 2 for the window, serves 0.5,
 * delivered in step 6 (5.5); B: 5.5 + 30/10 = 8.5 inside {6, 9}, delivered in step 9; back at
 * 8.5 + sqrt(20^2 + 30^2)/10 = 12.106 (trip ends in step 13). */
START_TEST(test_windows_by_hand)
{
    sl_sc_def d = hand_case(SL_SC_CENTRAL);
    sl_world *w = sl_world_create(1);
    sl_error e;
    sl_sc *sc = sl_sc_create(w, &d, &e);
    ck_assert_msg(sc != NULL, "%s", e.msg);
    ck_assert(sc->timed);
    run_to(w, 20);
    ck_assert_uint_eq(sl_sc_orders(sc), 2);
    expect_stop(sc, 0, 3.0, 2.0, 0.0, 6);
    expect_stop(sc, 1, 8.5, 0.0, 0.0, 9);
    ck_assert_uint_eq(sc->ntrips, 1);
    ck_assert_uint_eq(sc->trip[0].start, 1);
    ck_assert_uint_eq(sc->trip[0].end, 13);
    ck_assert(fabs(sc->veh[0].back - (8.5 + sqrt(1300.0) / 10)) < EPS);
    sl_world_destroy(w);
}
END_TEST

/* A planner function may plan a late stop (windows are the built-in planners' rule; the order
 * records it): B first: arrives 1 + 3.6056 = 4.6056, waits 1.3944 for 6, delivered in step 6;
 * A: 6 + 3 = 9, one step after its window closed (late 1), serves until 9.5 (step 10); back at
 * 11.5 (step 12). */
static sl_status b_then_a(void *user, const sl_sc_plan_order *o, int no,
                          const sl_sc_plan_vehicle *v, int nv, sl_sc_plan *out, sl_error *e)
{
    (void)user;
    (void)e;
    (void)nv;
    memset(out, 0, sizeof *out);
    if (no < 2 || v[0].state != 0)
        return SL_OK;
    out->vehicle = malloc(sizeof(int));
    out->start = malloc(2 * sizeof(int));
    out->ids = malloc(2 * sizeof(uint64_t));
    out->nroutes = 1;
    out->vehicle[0] = 0;
    out->start[0] = 0;
    out->start[1] = 2;
    out->ids[0] = o[1].id;
    out->ids[1] = o[0].id;
    return SL_OK;
}

START_TEST(test_late_stop_recorded)
{
    sl_sc_def d = hand_case(SL_SC_PLANNER);
    g_fleet[0].plan_fn = b_then_a;
    sl_world *w = sl_world_create(1);
    sl_error e;
    sl_sc *sc = sl_sc_create(w, &d, &e);
    ck_assert_msg(sc != NULL, "%s", e.msg);
    run_to(w, 20);
    double b = 1 + sqrt(1300.0) / 10;
    expect_stop(sc, 1, b, 6 - b, 0.0, 6);
    expect_stop(sc, 0, 9.0, 0.0, 1.0, 10);
    ck_assert_uint_eq(sc->trip[0].end, 12);
    ck_assert(fabs(sc->veh[0].back - 11.5) < EPS);
    sl_world_destroy(w);
}
END_TEST

/* A shift {0, 10}: the same route is back at 12.1 > 10, so the central planner gives the vehicle
 * only what fits (A alone: back at 5.5 + 2 = 7.5); B waits for the next day's shift. */
START_TEST(test_shift_cuts_the_route)
{
    sl_sc_def d = hand_case(SL_SC_CENTRAL);
    g_fleet[0].types[0].shift_start = 0;
    g_fleet[0].types[0].shift_end = 10;
    sl_world *w = sl_world_create(1);
    sl_error e;
    sl_sc *sc = sl_sc_create(w, &d, &e);
    ck_assert_msg(sc != NULL, "%s", e.msg);
    run_to(w, 40);
    expect_stop(sc, 0, 3.0, 2.0, 0.0, 6);
    ck_assert_uint_eq(sc->trip[0].end, 8); /* back at 7.5 */
    /* B next day: leaves at 24 (shift opens), arrives 24 + 3.6056 (waits for 30) */
    sl_sc_order_info r = sl_sc_order_get(sc, 1);
    ck_assert_int_eq(r.status, SL_SC_DELIVERED);
    ck_assert(fabs(r.arrival - (24 + sqrt(1300.0) / 10)) < EPS);
    ck_assert(fabs(r.wait - (30 - r.arrival)) < EPS);
    ck_assert_uint_eq(sc->trip[1].start, 24);
    ck_assert(fabs(sc->veh[0].back - (30 + sqrt(1300.0) / 10)) < EPS);
    sl_world_destroy(w);
}
END_TEST

/* ---- long random runs ---- */

#define NS 40

static int g_ns;

/* Steps per day 12; warehouses 2 and 3; NS stores, half with a window {3, 10}, service 0.3;
 * fleets of two types with shifts {2, 9} and {1, 11}. */
static sl_sc_def random_case(uint64_t seed, int m0, int m1)
{
    int n = 0;
    g_site[n] = sl_sc_site_default(SL_SC_SUPPLIER, 1);
    g_site[n++].lead = 2;
    for (int k = 0; k < 2; k++) {
        sl_sc_site *s = &g_site[n++];
        *s = sl_sc_site_default(SL_SC_WAREHOUSE, 2 + k);
        s->x = k ? 75 : 25;
        s->y = 50;
        s->stock0 = 300;
        s->lead = 1;
        s->source_kind = SL_SC_SOURCE_FIXED;
        s->source = 1;
    }
    for (int i = 0; i < NS; i++) {
        sl_rng r = sl_rng_make(seed, 3, (uint64_t)i, 0);
        sl_sc_site *s = &g_site[n++];
        *s = sl_sc_site_default(SL_SC_STORE, 101 + i);
        s->x = sl_rng_uniform(&r) * 100;
        s->y = sl_rng_uniform(&r) * 100;
        s->stock0 = 10;
        s->source_kind = SL_SC_SOURCE_FIXED;
        s->source = s->x < 50 ? 2 : 3;
        s->service_time = 0.3;
        if (i % 2) {
            s->window_open = 3;
            s->window_close = 10;
        }
    }
    g_ns = n;
    sl_sc_def d = sl_sc_def_default();
    d.name = "clock";
    d.seed = seed;
    d.nsites = n;
    d.sites = g_site;
    d.steps_per_day = 12;
    for (int k = 0; k < 2; k++) {
        sl_sc_fleet_def *f = &g_fleet[k];
        *f = sl_sc_fleet_def_default();
        f->depot = 2 + k;
        f->mode = k ? m1 : m0;
        f->vrp_iterations = 2;
        f->plan_period = 3;
        f->ntypes = 2;
        f->types[0].count = 2;
        f->types[0].speed = 25;
        f->types[0].shift_start = 2;
        f->types[0].shift_end = 9;
        f->types[1] = sl_sc_vtype_default();
        f->types[1].count = 1;
        f->types[1].speed = 35;
        f->types[1].capacity = 60;
        f->types[1].shift_start = 1;
        f->types[1].shift_end = 11;
    }
    d.nfleets = 2;
    d.fleets = g_fleet;
    return d;
}

/* Counts the steps in which a vehicle is away from its depot outside its shift: it left at a
 * step outside the shift, or it is still out after the shift's end (out in step s means away
 * during (s - 1, s]), or it came back after the end. */
static int shift_violations(const sl_sc *sc, int step, int *was_out)
{
    int bad = 0;
    for (int v = 0; v < sc->V; v++) {
        const sc_vehicle *veh = &sc->veh[v];
        const sl_sc_vtype *y = &sc->fleet[veh->fleet].def.types[veh->type];
        const slp_sc_trip *tr = NULL;
        for (size_t k = sc->ntrips; k-- > 0;)
            if (sc->trip[k].vehicle == v) {
                tr = &sc->trip[k];
                break;
            }
        if (!tr)
            continue;
        double day = floor((double)tr->start / sc->spd) * sc->spd;
        double tod = (double)tr->start - day, end = day + y->shift_end;
        if (veh->state != VEH_DEPOT) {
            bad += tod < y->shift_start || tod >= y->shift_end;
            bad += (double)step - 1 >= end;
            was_out[v] = 1;
        } else if (was_out[v]) { /* came back in this step */
            bad += veh->back > end + 1e-9;
            was_out[v] = 0;
        }
    }
    return bad;
}

static int run_random(uint64_t seed, int m0, int m1, int enforce, int steps, double *late,
                      double *delivered)
{
    sl_sc_def d = random_case(seed, m0, m1);
    sl_world *w = sl_world_create(seed);
    sl_error e;
    sl_sc *sc = sl_sc_create(w, &d, &e);
    ck_assert_msg(sc != NULL, "%s", e.msg);
    sc->no_shift_limit = !enforce;
    int was_out[16] = {0}, bad = 0;
    for (int t = 0; t < steps; t++) {
        ck_assert_msg(sl_world_step(w, &e) == SL_OK, "%s", e.msg);
        bad += shift_violations(sc, t, was_out);
        double held, entered;
        sl_sc_conservation(sc, -1, &held, &entered);
        ck_assert(fabs(held - entered) < 1e-6);
    }
    *late = 0.0;
    for (size_t i = 0; i < sc->norders; i++)
        *late += sc->orders[i].status == SLP_SC_DELIVERED ? sc->orders[i].late : 0.0;
    *delivered = sc->tot.delivered;
    sl_world_destroy(w);
    return bad;
}

START_TEST(test_no_vehicle_out_of_shift)
{
    const int pairs[3][2] = {{SL_SC_CONTRACT_NET, SL_SC_CENTRAL}, {SL_SC_CENTRAL, SL_SC_VRP},
                             {SL_SC_VRP, SL_SC_CONTRACT_NET}};
    int unenforced = 0;
    for (int c = 0; c < 3; c++) {
        double late, delivered;
        int bad = run_random(40 + (uint64_t)c, pairs[c][0], pairs[c][1], 1, 360, &late,
                             &delivered);
        ck_assert_msg(bad == 0, "pair %d: %d steps out of shift", c, bad);
        ck_assert_msg(late == 0.0, "pair %d: stops %g steps late in all", c, late);
        ck_assert(delivered > 500);
        unenforced += run_random(40 + (uint64_t)c, pairs[c][0], pairs[c][1], 0, 360, &late,
                                 &delivered);
    }
    /* the check is not vacuous: without the shift's end the same runs break it */
    ck_assert_msg(unenforced > 0, "no violation found with the shift's end turned off");
}
END_TEST

/* A timed run checkpointed in the middle (vehicles waiting at stores, shift ends pending) and
 * restored into a new world ends exactly like the run that never stopped. */
static uint64_t timed_run(int steps, const char *save, int save_at, const char *restore,
                          double *transport)
{
    sl_sc_def d = random_case(9, SL_SC_CONTRACT_NET, SL_SC_CENTRAL);
    for (int i = 3; i < d.nsites; i++)
        g_site[i].service_time = 1.7; /* long stops: vehicles are often mid-service */
    sl_world *w = sl_world_create(9);
    sl_error e;
    sl_sc *sc = sl_sc_create(w, &d, &e);
    ck_assert_msg(sc != NULL, "%s", e.msg);
    if (restore)
        ck_assert_msg(sl_checkpoint_restore(w, restore, NULL, &e) == SL_OK, "%s", e.msg);
    int busy_at_save = 0;
    for (int t = (int)sl_world_step_count(w); t < steps; t++) {
        if (save && t == save_at) {
            for (int v = 0; v < sc->V; v++)
                busy_at_save += sc->veh[v].busy > 0;
            ck_assert_msg(sl_checkpoint_save(w, save, "clock", &e) == SL_OK, "%s", e.msg);
        }
        ck_assert_msg(sl_world_step(w, &e) == SL_OK, "%s", e.msg);
    }
    if (save)
        ck_assert_msg(busy_at_save > 0, "no vehicle was at a store when the run was saved");
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < sc->norders; i++) {
        const slp_sc_order *o = &sc->orders[i];
        double a = isnan(o->arrival) ? -1 : o->arrival;
        uint64_t bits;
        memcpy(&bits, &a, sizeof bits);
        uint64_t v[3] = {o->delivered, (uint64_t)(o->vehicle + 1), bits};
        for (int k = 0; k < 3; k++)
            h = (h ^ v[k]) * 1099511628211ULL;
    }
    *transport = sl_sc_kpis_run(sc).transport_cost;
    sl_world_destroy(w);
    return h;
}

START_TEST(test_timed_checkpoint)
{
    char path[] = "/tmp/sl_clock_ck_XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    double c0, c1, c2;
    uint64_t whole = timed_run(200, NULL, 0, NULL, &c0);
    ck_assert_uint_eq(timed_run(200, path, 95, NULL, &c1), whole); /* saved mid-service */
    ck_assert_uint_eq(timed_run(200, NULL, 0, path, &c2), whole);
    ck_assert(c0 == c1 && c0 == c2);
    unlink(path);
}
END_TEST

/* ---- costs of vehicle types ---- */

/* Transport cost = per type: fixed per departure + cost per distance + cost per step away; the
 * central planner and the contract net give more work to the type that is cheaper per
 * distance. */
START_TEST(test_type_costs)
{
    for (int mode = 0; mode < 2; mode++) {
        sl_sc_def d = random_case(7, mode, mode);
        for (int k = 0; k < 2; k++) {
            sl_sc_fleet_def *f = &g_fleet[k];
            f->types[0].count = 1;
            f->types[0].shift_end = f->types[0].shift_start = 0;
            f->types[0].fixed_cost = 3;
            f->types[0].cost_per_distance = 0.05;
            f->types[0].cost_per_time = 0.5;
            f->types[1] = f->types[0];
            f->types[1].cost_per_distance = 0.5;
            f->types[1].fixed_cost = 1;
        }
        for (int i = 0; i < d.nsites; i++) {
            g_site[i].window_open = g_site[i].window_close = 0;
            g_site[i].service_time = 0;
        }
        sl_world *w = sl_world_create(7);
        sl_error e;
        sl_sc *sc = sl_sc_create(w, &d, &e);
        ck_assert_msg(sc != NULL, "%s", e.msg);
        ck_assert(!sc->timed);
        ck_assert(sc->veh[0].kd == 1.0 && fabs(sc->veh[1].kd - 10.0) < 1e-9 &&
                  fabs(sc->veh[1].kt - 10.0) < 1e-9 && fabs(sc->veh[1].kf - 20.0) < 1e-9);
        run_to(w, 300);
        double want = 0.0, dist[2] = {0, 0};
        for (int v = 0; v < sc->V; v++) {
            const sc_vehicle *veh = &sc->veh[v];
            const sl_sc_vtype *y = &sc->fleet[veh->fleet].def.types[veh->type];
            want += y->fixed_cost * veh->trips + y->cost_per_distance * veh->distance +
                    y->cost_per_time * veh->busy_steps;
            dist[veh->type] += veh->distance;
        }
        sl_sc_kpis k = sl_sc_kpis_run(sc);
        ck_assert_msg(fabs(k.transport_cost - want) < 1e-6 * want, "%g != %g", k.transport_cost,
                      want);
        ck_assert_msg(dist[0] > dist[1], "mode %d: cheap type %g, dear type %g", mode, dist[0],
                      dist[1]);
        sl_world_destroy(w);
    }
}
END_TEST

START_TEST(test_bad_clock_refused)
{
    sl_sc_def d = hand_case(SL_SC_CENTRAL);
    g_site[3].window_close = 25;
    expect_refused(d, "site 102: window {6, 25} must satisfy 0 <= open < close <= steps_per_day "
                      "(24)");
    d = hand_case(SL_SC_CENTRAL);
    g_site[2].service_time = -1;
    expect_refused(d, "site 101: service_time -1 must be finite and >= 0");
    d = hand_case(SL_SC_CENTRAL);
    g_fleet[0].types[0].shift_start = 5;
    g_fleet[0].types[0].shift_end = 30;
    expect_refused(d, "fleets[1].types[1]: shift {5, 30} must satisfy");
    d = hand_case(SL_SC_CENTRAL);
    d.steps_per_day = 0;
    expect_refused(d, "steps_per_day = 0 must be >= 1");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sc_clock");
    TCase *tc = tcase_create("clock");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_windows_by_hand);
    tcase_add_test(tc, test_late_stop_recorded);
    tcase_add_test(tc, test_shift_cuts_the_route);
    tcase_add_test(tc, test_no_vehicle_out_of_shift);
    tcase_add_test(tc, test_type_costs);
    tcase_add_test(tc, test_timed_checkpoint);
    tcase_add_test(tc, test_bad_clock_refused);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
