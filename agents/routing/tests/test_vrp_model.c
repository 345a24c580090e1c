/* test_vrp_model.c - the rich VRP model: readers against hand-written files, bad input, the
 * evaluation against hand-computed values, segment concatenation against simulation, the
 * solution writer and the independent checker. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "swarmlab/rng.h"
#include "swarmlab/vrp.h"

#include "../../../tests/run_util.h"

static char *tmpdir;

static void setup_tmp(void) { tmpdir = tmp_dir(); }

static void teardown_tmp(void)
{
    rm_tree(tmpdir);
    free(tmpdir);
}

static const char *write_file(const char *name, const char *text) { return write_text(tmpdir, name, text); }

static const char *SOLOMON =
    "TINY\n\nVEHICLE\nNUMBER     CAPACITY\n  2         10\n\nCUSTOMER\n"
    "CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME\n\n"
    "    0      0          0          0          0       100          0\n"
    "    1      3          4          4          0        10          2\n"
    "    2      6          8          5         20        30          1\n"
    "    3      0         10          6          0        80          0\n";

START_TEST(solomon_reader_and_evaluation)
{
    sl_error e;
    sl_vrp *v = sl_vrp_load(write_file("tiny.txt", SOLOMON), &e);
    ck_assert_msg(v != NULL, "%s", e.msg);
    ck_assert_str_eq(v->format, "solomon");
    ck_assert_int_eq(v->njobs, 3);
    ck_assert_int_eq(v->nveh, 2);
    ck_assert_int_eq(v->objective, SL_VRP_HIERARCHICAL);
    ck_assert_double_eq(v->types[0].capacity[0], 10);
    ck_assert_double_eq(v->types[0].shift_close, 100);
    ck_assert_int_eq(v->jobs[1].id, 2);
    ck_assert_double_eq(v->jobs[1].open[0], 20);
    ck_assert_double_eq(v->jobs[1].service, 1);
    ck_assert_int_eq(v->jobs[2].line, 13);
    /* route 0 -> 1 -> 2 -> 0: 5 + 5 + 10 = 20; arrive 1 at 5, leave 7, reach 2 at 12, wait 8,
     * serve 20..21, home at 31. Job 1 closes at 10, so departure moves only 5 later: duration
     * 26, waiting 3. */
    sl_vrp_sol s;
    ck_assert_int_eq(sl_vrp_sol_init(&s, v->nveh), SL_OK);
    int r0[] = {0, 1}, r1[] = {2};
    ck_assert_int_eq(sl_vrp_sol_set_route(&s, 0, r0, 2), SL_OK);
    ck_assert_int_eq(sl_vrp_sol_set_route(&s, 1, r1, 1), SL_OK);
    sl_vrp_kpi k;
    sl_vrp_route_kpi rk[2];
    sl_vrp_evaluate(v, &s, &k, rk);
    ck_assert(k.feasible);
    ck_assert_int_eq(k.vehicles, 2);
    ck_assert_double_eq_tol(rk[0].distance, 20, 1e-9);
    ck_assert_double_eq_tol(rk[0].duration, 26, 1e-9);
    ck_assert_double_eq_tol(rk[0].waiting, 3, 1e-9);
    ck_assert_double_eq_tol(rk[0].departure, 5, 1e-9);
    ck_assert_double_eq_tol(rk[0].max_load[0], 9, 1e-9);
    ck_assert_double_eq_tol(k.distance, 40, 1e-9);
    /* the same route through segments */
    sl_vrp_seg a, b;
    sl_vrp_seg_depot(v, 0, 0, &a);
    sl_vrp_seg_job(v, 0, &b);
    sl_vrp_seg_cat(v, 1, &a, &b, &a);
    sl_vrp_seg_job(v, 1, &b);
    sl_vrp_seg_cat(v, 1, &a, &b, &a);
    sl_vrp_seg_depot(v, 0, 1, &b);
    sl_vrp_seg_cat(v, 1, &a, &b, &a);
    ck_assert_double_eq_tol(a.dist, 20, 1e-9);
    ck_assert_double_eq_tol(a.dur, 26, 1e-9);
    ck_assert_double_eq_tol(a.tw, 0, 1e-9);
    ck_assert_double_eq_tol(a.sload[0] + a.maxp[0], 9, 1e-9);
    /* job 2 first makes job 1 late (reached at 26, closes at 10) */
    int r2[] = {1, 0, 2};
    ck_assert_int_eq(sl_vrp_sol_set_route(&s, 0, r2, 3), SL_OK);
    ck_assert_int_eq(sl_vrp_sol_set_route(&s, 1, NULL, 0), SL_OK);
    sl_vrp_evaluate(v, &s, &k, rk);
    ck_assert(!k.feasible);
    ck_assert(rk[0].lateness > 0);
    /* the independent checker names the window and the capacity (15 > 10) */
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    int nv = sl_vrp_check_sol(v, &s, mem, NULL, NULL, NULL);
    fclose(mem);
    ck_assert_int_ge(nv, 2);
    ck_assert_ptr_nonnull(strstr(buf, "job 1 reached"));
    ck_assert_ptr_nonnull(strstr(buf, "capacity 1 exceeded"));
    free(buf);
    sl_vrp_sol_release(&s);
    sl_vrp_destroy(v);
}
END_TEST

START_TEST(writer_and_checker_round_trip)
{
    sl_error e;
    sl_vrp *v = sl_vrp_load(write_file("tiny.txt", SOLOMON), &e);
    ck_assert_msg(v != NULL, "%s", e.msg);
    sl_vrp_sol s;
    sl_vrp_sol_init(&s, v->nveh);
    int r0[] = {0, 1}, r1[] = {2};
    sl_vrp_sol_set_route(&s, 1, r0, 2);
    sl_vrp_sol_set_route(&s, 0, r1, 1);
    char path[600];
    snprintf(path, sizeof path, "%s/tiny.sol", tmpdir);
    ck_assert_int_eq(sl_vrp_sol_write(path, v, &s, &e), SL_OK);
    double d, c;
    int veh, un;
    int n = sl_vrp_check_file(v, path, NULL, &d, &c, &veh, &un, &e);
    ck_assert_int_eq(n, 0);
    ck_assert_double_eq_tol(d, 40, 1e-9);
    ck_assert_int_eq(veh, 2);
    ck_assert_int_eq(un, 0);
    /* hand-written bad files: a job twice, an unknown job, a wrong total, a missing job */
    const char *bad = write_file("bad.sol", "Route #1 vehicle 1: 1 2 1\nRoute #2 vehicle 2: 7\n"
                                            "Distance 12\n");
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    n = sl_vrp_check_file(v, bad, mem, &d, &c, &veh, &un, &e);
    fclose(mem);
    ck_assert_int_ge(n, 4);
    ck_assert_ptr_nonnull(strstr(buf, "job 1: served twice"));
    ck_assert_ptr_nonnull(strstr(buf, "unknown job 7"));
    ck_assert_ptr_nonnull(strstr(buf, "job 3: mandatory but not served"));
    ck_assert_ptr_nonnull(strstr(buf, "reports distance"));
    free(buf);
    const char *junk = write_file("junk.sol", "Route #1 vehicle 1: 1 x\n");
    ck_assert_int_eq(sl_vrp_check_file(v, junk, NULL, &d, &c, &veh, &un, &e), -1);
    ck_assert_ptr_nonnull(strstr(e.msg, "junk.sol:1:"));
    sl_vrp_sol_release(&s);
    sl_vrp_destroy(v);
}
END_TEST

static const char *LILIM =
    "2\t20\t1\n"
    "0\t0\t0\t0\t0\t200\t0\t0\t0\n"
    "1\t10\t0\t5\t0\t100\t1\t0\t2\n"
    "2\t20\t0\t-5\t0\t150\t1\t1\t0\n"
    "3\t0\t10\t7\t0\t100\t1\t0\t4\n"
    "4\t0\t20\t-7\t0\t150\t1\t3\t0\n";

START_TEST(lilim_reader_and_pairs)
{
    sl_error e;
    sl_vrp *v = sl_vrp_load(write_file("pd.txt", LILIM), &e);
    ck_assert_msg(v != NULL, "%s", e.msg);
    ck_assert_str_eq(v->format, "lilim");
    ck_assert_int_eq(v->njobs, 4);
    ck_assert(v->has_pairs);
    ck_assert_int_eq(v->jobs[0].kind, SL_VRP_SHIP_PICKUP);
    ck_assert_int_eq(v->jobs[0].partner, 1);
    ck_assert_int_eq(v->jobs[1].kind, SL_VRP_SHIP_DELIVERY);
    ck_assert_double_eq(v->jobs[1].demand[0], 5);
    sl_vrp_sol s;
    sl_vrp_sol_init(&s, v->nveh);
    int good[] = {0, 1, 2, 3}, wrong[] = {1, 0, 2, 3};
    sl_vrp_sol_set_route(&s, 0, good, 4);
    sl_vrp_kpi k;
    sl_vrp_evaluate(v, &s, &k, NULL);
    ck_assert(k.feasible);
    ck_assert_int_eq(sl_vrp_check_sol(v, &s, NULL, NULL, NULL, NULL), 0);
    sl_vrp_sol_set_route(&s, 0, wrong, 4);
    sl_vrp_evaluate(v, &s, &k, NULL);
    ck_assert(!k.feasible);
    ck_assert_int_eq(sl_vrp_check_sol(v, &s, NULL, NULL, NULL, NULL), 1);
    int a[] = {0, 2, 3}, b[] = {1};
    sl_vrp_sol_set_route(&s, 0, a, 3);
    sl_vrp_sol_set_route(&s, 1, b, 1);
    sl_vrp_evaluate(v, &s, &k, NULL);
    ck_assert(!k.feasible);
    ck_assert_int_eq(sl_vrp_check_sol(v, &s, NULL, NULL, NULL, NULL), 1);
    sl_vrp_sol_release(&s);
    sl_vrp_destroy(v);
}
END_TEST

START_TEST(cordeau_and_hvrp_readers)
{
    sl_error e;
    sl_vrp *v = sl_vrp_load(write_file("md.txt",
                                       "2 3 3 2\n200 50\n0 60\n"
                                       " 1 10 0 5 20 1 2 1 2\n 2 20 0 5 20 1 2 1 2\n"
                                       " 3 -10 0 0 30 1 2 1 2\n"
                                       " 4 0 0 0 0\n 5 30 0 0 0\n"), &e);
    ck_assert_msg(v != NULL, "%s", e.msg);
    ck_assert_str_eq(v->format, "cordeau");
    ck_assert_int_eq(v->ntypes, 2);
    ck_assert_int_eq(v->nveh, 6);
    ck_assert_int_eq(v->types[0].start, 3);
    ck_assert_int_eq(v->types[1].start, 4);
    ck_assert_double_eq(v->types[0].max_duration, 200);
    ck_assert(v->types[1].max_duration >= SL_VRP_INF);
    ck_assert_double_eq(v->types[1].capacity[0], 60);
    ck_assert_double_eq(v->jobs[2].service, 0);
    ck_assert_double_eq(v->jobs[2].demand[0], 30);
    sl_vrp_destroy(v);
    v = sl_vrp_load(write_file("fsm.txt", "// comment\n// more\n 3 2 999999.0 0.0 10 10\n"
                                          " 5 10 20.0 1.0\n 5 20 35.0 1.5\n 0 0\n 3 4 5\n"
                                          " 6 8 6\n 0 5 8\n"), &e);
    ck_assert_msg(v != NULL, "%s", e.msg);
    ck_assert_str_eq(v->format, "hvrp");
    ck_assert_int_eq(v->nveh, 10);
    ck_assert_double_eq(v->types[1].fixed, 35);
    ck_assert_double_eq(v->types[1].cost_distance, 1.5);
    ck_assert_int_eq(v->njobs, 3);
    /* jobs 1 and 2 on a small truck (5 + 5 + 10 = 20 -> 20 + 20), job 3 on a large one
     * (5 + 5 -> 35 + 15) */
    sl_vrp_sol s;
    sl_vrp_sol_init(&s, v->nveh);
    int r0[] = {0, 1};
    ck_assert_int_eq(sl_vrp_sol_set_route(&s, 0, r0, 2), SL_OK);
    int r1[] = {2};
    sl_vrp_sol_set_route(&s, 5, r1, 1);
    sl_vrp_kpi k;
    sl_vrp_evaluate(v, &s, &k, NULL);
    ck_assert(!k.feasible); /* 11 > 10 on the small truck */
    sl_vrp_sol_set_route(&s, 0, NULL, 0);
    sl_vrp_sol_set_route(&s, 6, r0, 2);
    sl_vrp_sol_set_route(&s, 0, r1, 1);
    sl_vrp_sol_set_route(&s, 5, NULL, 0);
    sl_vrp_evaluate(v, &s, &k, NULL);
    ck_assert(k.feasible);
    ck_assert_double_eq_tol(k.cost, 35 + 1.5 * 20 + 20 + 10, 1e-9);
    double c;
    ck_assert_int_eq(sl_vrp_check_sol(v, &s, NULL, NULL, &c, NULL), 0);
    ck_assert_double_eq_tol(c, k.cost, 1e-9);
    sl_vrp_sol_release(&s);
    sl_vrp_destroy(v);
    v = sl_vrp_load("assets/instances/small16.vrp", &e);
    ck_assert_msg(v != NULL, "%s", e.msg);
    ck_assert_str_eq(v->format, "cvrplib");
    ck_assert_int_eq(v->njobs, 15);
    sl_vrp_destroy(v);
}
END_TEST

/* Every item of the bad-input list gives one line naming the file and line. */
START_TEST(bad_input_names_file_and_line)
{
    static const struct {
        const char *text, *want;
    } cases[] = {
        {"T\nVEHICLE\nNUMBER CAPACITY\n 2 10\nCUST NO.\n 0 0 0 0 0 100 0\n 1 3 4 4 50 40 2\n",
         "bad.txt:7: time window 1 closes (40) before it opens (50)"},
        {"T\nVEHICLE\nNUMBER CAPACITY\n 2 10\nCUST NO.\n 0 0 0 0 0 100 0\n 1 3 4 11 0 40 2\n",
         "bad.txt:7: demand above the capacity of every vehicle"},
        {"T\nVEHICLE\nNUMBER CAPACITY\n 2 10\nCUST NO.\n 0 0 0 0 0 100 0\n 1 3 4 1 0 40 -2\n",
         "bad.txt:7: negative or invalid service time"},
        {"T\nVEHICLE\nNUMBER CAPACITY\n 0 10\nCUST NO.\n 0 0 0 0 0 100 0\n 1 3 4 1 0 40 2\n",
         "bad.txt: empty fleet"},
        {"T\nVEHICLE\nNUMBER CAPACITY\n 2 10\nCUST NO.\n 0 0 0 0 0 100 0\n 1 3 4 1 0 4x0 2\n",
         "bad.txt:7: expected a number, got '4x0'"},
        {"2 20 1\n0 0 0 0 0 200 0 0 0\n1 10 0 -5 0 100 1 0 0\n",
         "bad.txt:3: delivery without its pickup"},
        {"2 20 1\n0 0 0 0 0 200 0 0 0\n1 10 0 5 0 100 1 0 2\n2 1 0 -5 0 100 1 9 0\n",
         "bad.txt:4: delivery refers to task 9"},
        {"2 3 1 1\n0 60\n 1 10 0 5 20\n", "bad.txt:3: unexpected end of file"},
        {"9 9 9 9 9\n", "bad.txt:1: unknown format"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sl_error e;
        sl_error_clear(&e);
        sl_vrp *v = sl_vrp_load(write_file("bad.txt", cases[i].text), &e);
        ck_assert_msg(v == NULL, "case %zu accepted", i);
        ck_assert_msg(strstr(e.msg, cases[i].want) != NULL, "case %zu: '%s'", i, e.msg);
        ck_assert_ptr_null(strchr(e.msg, '\n'));
    }
    sl_error e;
    ck_assert_ptr_null(sl_vrp_load("/nonexistent/x.txt", &e));
    ck_assert_ptr_nonnull(strstr(e.msg, "/nonexistent/x.txt: cannot open"));
    /* a device would be read without end */
    ck_assert_ptr_null(sl_vrp_load("/dev/zero", &e));
    ck_assert_msg(strstr(e.msg, "/dev/zero: instance is not a regular file") != NULL, "%s", e.msg);
}
END_TEST

/* In-memory models: fields named as Lua sees them, unknown depot, matrix size. */
START_TEST(memory_model_errors)
{
    sl_error e;
    sl_vrp *v = sl_vrp_create("m", 1);
    for (int i = 0; i < 3; i++) sl_vrp_add_site(v, i, 0);
    sl_vrp_vtype t;
    t = sl_vrp_vtype_default();
    t.start = 7;
    sl_vrp_add_vtype(v, &t);
    sl_vrp_job j;
    j = sl_vrp_job_default();
    j.site = 1;
    sl_vrp_add_job(v, &j);
    ck_assert_int_ne(sl_vrp_finish(v, &e), SL_OK);
    ck_assert_str_eq(e.msg, "vrp.vehicles[1]: unknown start depot 8");
    v->types[0].start = 0;
    v->jobs[0].service = -1;
    ck_assert_int_ne(sl_vrp_finish(v, &e), SL_OK);
    ck_assert_msg(strstr(e.msg, "vrp.jobs[1]: negative or invalid service time") != NULL, "%s", e.msg);
    v->jobs[0].service = 0;
    double m[4] = {0, 1, 1, 0};
    ck_assert_int_eq(sl_vrp_set_matrix(v, 2, m, NULL, &e), SL_OK);
    ck_assert_int_ne(sl_vrp_finish(v, &e), SL_OK);
    ck_assert_str_eq(e.msg, "vrp: matrix is 2x2 but there are 3 sites");
    sl_vrp_destroy(v);
}
END_TEST

/* The fleet bound by hand: capacities 10, 6, 6 in the first dimension and 4, 20, 20 in the
 * second; deliveries and pickups are bounded apart and shipments not at all. */
START_TEST(fleet_bound_counts_the_fewest_vehicles)
{
    sl_error e;
    sl_vrp *v = sl_vrp_create("bound", 2);
    for (int i = 0; i < 8; i++) sl_vrp_add_site(v, i, 0);
    sl_vrp_vtype t;
    t = sl_vrp_vtype_default();
    t.capacity[0] = 10;
    t.capacity[1] = 4;
    sl_vrp_add_vtype(v, &t);
    t.capacity[0] = 6;
    t.capacity[1] = 20;
    t.count = 2;
    sl_vrp_add_vtype(v, &t);
    /* deliveries 5, 4, 4 (first dimension); pickups 15, 15, 10 (second); a shipment of 9 */
    sl_vrp_kind kind[7] = {SL_VRP_DELIVERY, SL_VRP_DELIVERY, SL_VRP_DELIVERY, SL_VRP_PICKUP,
                           SL_VRP_PICKUP, SL_VRP_PICKUP, SL_VRP_SHIP_PICKUP};
    double d0[7] = {5, 4, 4, 0, 0, 0, 9}, d1[7] = {0, 0, 0, 15, 15, 10, 0};
    for (int i = 0; i < 8; i++) {
        sl_vrp_job j;
        j = sl_vrp_job_default();
        j.site = 1 + i % 7;
        j.kind = i < 7 ? kind[i] : SL_VRP_SHIP_DELIVERY;
        j.partner = i == 6 ? 7 : i == 7 ? 6 : -1;
        j.demand[0] = i < 7 ? d0[i] : 9;
        j.demand[1] = i < 7 ? d1[i] : 0;
        ck_assert_int_eq(sl_vrp_add_job(v, &j), i);
    }
    ck_assert_int_eq(sl_vrp_fleet_bound(v), 0); /* not finished */
    ck_assert_int_eq(sl_vrp_finish(v, &e), SL_OK);
    ck_assert_int_eq(v->nveh, 3);
    /* deliveries 13 need 10 + 6; pickups 40 need 20 + 20, exactly */
    ck_assert_int_eq(sl_vrp_fleet_bound(v), 2);
    v->jobs[5].demand[1] = 11; /* pickups 41: a third vehicle */
    ck_assert_int_eq(sl_vrp_fleet_bound(v), 3);
    v->jobs[5].demand[1] = 1; /* pickups 31, deliveries 13: two */
    ck_assert_int_eq(sl_vrp_fleet_bound(v), 2);
    v->jobs[0].demand[0] = 1; /* deliveries 9: the first vehicle alone, but pickups still two */
    ck_assert_int_eq(sl_vrp_fleet_bound(v), 2);
    v->jobs[3].demand[1] = v->jobs[4].demand[1] = 5; /* pickups 11: one vehicle of 20 */
    ck_assert_int_eq(sl_vrp_fleet_bound(v), 1);
    v->jobs[6].demand[0] = v->jobs[7].demand[0] = 10; /* shipments do not count */
    ck_assert_int_eq(sl_vrp_fleet_bound(v), 1);
    v->jobs[0].demand[0] = v->jobs[1].demand[0] = v->jobs[2].demand[0] = 8; /* 24 > 22: no fleet */
    ck_assert_int_eq(sl_vrp_fleet_bound(v), 4);
    sl_vrp_destroy(v);
}
END_TEST

/* Random routes on a random instance with tight windows, pickups and deliveries: the
 * concatenated segment agrees with the simulation on feasibility, duration, distance and load. */
START_TEST(segments_agree_with_simulation)
{
    sl_vrp *v = sl_vrp_create("rand", 2);
    sl_rng r = sl_rng_make(7, 1, 0, 0);
    int nj = 12;
    sl_vrp_add_site(v, 50, 50);
    for (int i = 0; i < nj; i++) sl_vrp_add_site(v, sl_rng_range(&r, 0, 100), sl_rng_range(&r, 0, 100));
    for (int i = 0; i < nj; i++) {
        sl_vrp_job j;
        j = sl_vrp_job_default();
        j.site = i + 1;
        j.demand[0] = sl_rng_below(&r, 10);
        j.demand[1] = sl_rng_below(&r, 5);
        j.service = sl_rng_below(&r, 10);
        j.open[0] = sl_rng_range(&r, 0, 300);
        j.close[0] = j.open[0] + sl_rng_range(&r, 10, 120);
        j.kind = i % 3 == 2 ? SL_VRP_PICKUP : SL_VRP_DELIVERY;
        sl_vrp_add_job(v, &j);
    }
    sl_vrp_vtype t;
    t = sl_vrp_vtype_default();
    t.count = 1;
    t.capacity[0] = 35;
    t.capacity[1] = 15;
    t.speed = 1.5;
    t.shift_open = 10;
    t.shift_close = 500;
    sl_vrp_add_vtype(v, &t);
    sl_error e;
    ck_assert_msg(sl_vrp_finish(v, &e) == SL_OK, "%s", e.msg);
    sl_vrp_sol s;
    sl_vrp_sol_init(&s, 1);
    int perm[12], feas = 0;
    for (int trial = 0; trial < 4000; trial++) {
        int len = 1 + (int)sl_rng_below(&r, 6);
        for (int i = 0; i < nj; i++) perm[i] = i;
        for (int i = 0; i < len; i++) {
            int k = i + (int)sl_rng_below(&r, (uint32_t)(nj - i));
            int tmp = perm[i];
            perm[i] = perm[k];
            perm[k] = tmp;
        }
        /* build as (start + first half) . (second half + end) to exercise general joins */
        sl_vrp_seg a, b, x;
        sl_vrp_seg_depot(v, 0, 0, &a);
        int half = len / 2;
        for (int i = 0; i < half; i++) {
            sl_vrp_seg_job(v, perm[i], &x);
            sl_vrp_seg_cat(v, t.speed, &a, &x, &a);
        }
        sl_vrp_seg_empty(&b);
        for (int i = half; i < len; i++) {
            sl_vrp_seg_job(v, perm[i], &x);
            sl_vrp_seg_cat(v, t.speed, &b, &x, &b);
        }
        sl_vrp_seg_depot(v, 0, 1, &x);
        sl_vrp_seg_cat(v, t.speed, &b, &x, &b);
        sl_vrp_seg_cat(v, t.speed, &a, &b, &a);
        sl_vrp_sol_set_route(&s, 0, perm, len);
        sl_vrp_kpi k;
        sl_vrp_route_kpi rk;
        sl_vrp_evaluate(v, &s, &k, &rk);
        int timely = a.tw < 1e-9;
        ck_assert_int_eq(timely, rk.lateness < 1e-7);
        ck_assert_double_eq_tol(a.dist, rk.distance, 1e-9);
        for (int d = 0; d < 2; d++) ck_assert_double_eq_tol(a.sload[d] + a.maxp[d], rk.max_load[d], 1e-9);
        if (timely) {
            feas++;
            ck_assert_double_eq_tol(a.dur, rk.duration, 1e-7);
        }
        int nv = sl_vrp_check_sol(v, &s, NULL, NULL, NULL, NULL);
        ck_assert_int_eq(nv == 0, k.feasible);
    }
    ck_assert_int_gt(feas, 200);
    sl_vrp_sol_release(&s);
    sl_vrp_destroy(v);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("vrp_model");
    TCase *tc = tcase_create("model");
    tcase_add_checked_fixture(tc, setup_tmp, teardown_tmp);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, solomon_reader_and_evaluation);
    tcase_add_test(tc, writer_and_checker_round_trip);
    tcase_add_test(tc, lilim_reader_and_pairs);
    tcase_add_test(tc, cordeau_and_hvrp_readers);
    tcase_add_test(tc, bad_input_names_file_and_line);
    tcase_add_test(tc, memory_model_errors);
    tcase_add_test(tc, fleet_bound_counts_the_fewest_vehicles);
    tcase_add_test(tc, segments_agree_with_simulation);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
