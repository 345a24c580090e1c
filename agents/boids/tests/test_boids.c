/* test_boids.c - flocking: specification on hand-made cases, parallel determinism, invariants. */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "swarmlab/boids.h"

static sl_world *make(int threads, size_t n, double side, double radius, uint64_t seed)
{
    sl_error e;
    sl_world *w = sl_world_create(seed);
    sl_world_set_threads(w, threads);
    sl_pop *p = sl_world_add_pop(w, "birds", &e);
    sl_boids_def bp = sl_boids_def_default();
    bp.width = bp.height = side;
    bp.radius = radius;
    ck_assert_int_eq(sl_boids_attach(w, p, &bp, &e), SL_OK);
    ck_assert_int_eq(sl_boids_spawn(w, p, n, &e), SL_OK);
    return w;
}

START_TEST(test_two_birds_by_hand)
{
    /* Two birds 2 apart (within radius 5, outside separation 1), on a 100x100 torus. */
    sl_error e;
    sl_world *w = sl_world_create(1);
    sl_world_set_threads(w, 1);
    sl_pop *p = sl_world_add_pop(w, "birds", &e);
    sl_boids_def bp = sl_boids_def_default();
    ck_assert_int_eq(sl_boids_attach(w, p, &bp, &e), SL_OK);
    sl_pop_spawn(p, 2);
    int cx = sl_pop_column(p, "x"), cy = sl_pop_column(p, "y");
    int cvx = sl_pop_column(p, "vx"), cvy = sl_pop_column(p, "vy");
    sl_pop_set(p, cx, 0, 10), sl_pop_set(p, cy, 0, 10), sl_pop_set(p, cvx, 0, 1), sl_pop_set(p, cvy, 0, 0);
    sl_pop_set(p, cx, 1, 12), sl_pop_set(p, cy, 1, 10), sl_pop_set(p, cvx, 1, 0), sl_pop_set(p, cvy, 1, 1);
    sl_id id0 = sl_pop_id(p, 0);
    ck_assert_int_eq(sl_world_step(w, &e), SL_OK);
    /* bird 0: cohere = 0.03*(2,0), match = 0.05*(0,1): v = ((1,0)+(0.06,0)+(0,0.05))/2, normalised */
    double vx = (1 + 0.06) / 2, vy = 0.05 / 2, nrm = sqrt(vx * vx + vy * vy);
    long s0 = sl_pop_slot(p, id0);
    ck_assert_int_ge(s0, 0);
    ck_assert_double_eq_tol(sl_pop_get(p, cvx, (size_t)s0), vx / nrm, 1e-15);
    ck_assert_double_eq_tol(sl_pop_get(p, cvy, (size_t)s0), vy / nrm, 1e-15);
    ck_assert_double_eq_tol(sl_pop_get(p, cx, (size_t)s0), 10 + vx / nrm, 1e-12);
    sl_world_destroy(w);
}
END_TEST

START_TEST(test_separation_and_wrap)
{
    /* Two birds 0.5 apart across the torus seam: separation pushes them apart, positions wrap. */
    sl_error e;
    sl_world *w = sl_world_create(1);
    sl_pop *p = sl_world_add_pop(w, "birds", &e);
    sl_boids_def bp = sl_boids_def_default();
    ck_assert_int_eq(sl_boids_attach(w, p, &bp, &e), SL_OK);
    sl_pop_spawn(p, 2);
    int cx = sl_pop_column(p, "x"), cy = sl_pop_column(p, "y");
    int cvx = sl_pop_column(p, "vx"), cvy = sl_pop_column(p, "vy");
    sl_pop_set(p, cx, 0, 99.75), sl_pop_set(p, cy, 0, 50), sl_pop_set(p, cvx, 0, 0), sl_pop_set(p, cvy, 0, 1);
    sl_pop_set(p, cx, 1, 0.25), sl_pop_set(p, cy, 1, 50), sl_pop_set(p, cvx, 1, 0), sl_pop_set(p, cvy, 1, 1);
    sl_id id0 = sl_pop_id(p, 0);
    ck_assert_int_eq(sl_world_step(w, &e), SL_OK);
    long s0 = sl_pop_slot(p, id0);
    /* bird 0 sees bird 1 at dx=+0.5: cohere +0.015, separate -0.0075, match (0, 0.05) */
    double vx = (0.03 * 0.5 - 0.015 * 0.5) / 2, vy = (1 + 0.05) / 2;
    double nrm = sqrt(vx * vx + vy * vy);
    ck_assert_double_eq_tol(sl_pop_get(p, cvx, (size_t)s0), vx / nrm, 1e-15);
    for (size_t i = 0; i < 2; i++) {
        double x = sl_pop_get(p, cx, i);
        ck_assert(x >= 0 && x < 100);
    }
    sl_world_destroy(w);
}
END_TEST

START_TEST(test_thread_determinism)
{
    /* 5000 birds cross several chunks; hash of the final state equal for 1-4 threads and rerun */
    uint64_t ref = 0;
    for (int t = 1; t <= 4; t++) {
        for (int rep = 0; rep < (t == 1 ? 2 : 1); rep++) {
            sl_world *w = make(t, 5000, 500, 5, 7);
            sl_error e;
            for (int s = 0; s < 20; s++) ck_assert_int_eq(sl_world_step(w, &e), SL_OK);
            uint64_t h = sl_world_hash(w);
            if (t == 1 && rep == 0) ref = h;
            else ck_assert_msg(h == ref, "threads=%d rep=%d: hash %llx != %llx", t, rep,
                               (unsigned long long)h, (unsigned long long)ref);
            sl_world_destroy(w);
        }
    }
}
END_TEST

START_TEST(test_large_determinism)
{
    /* above the size where the cell and permutation passes run in parallel */
    uint64_t ref = 0;
    for (int t = 1; t <= 3; t++) {
        sl_world *w = make(t, 70000, 1870, 5, 11);
        sl_error e;
        for (int s = 0; s < 4; s++) ck_assert_int_eq(sl_world_step(w, &e), SL_OK);
        uint64_t h = sl_world_hash(w);
        if (t == 1) ref = h;
        else ck_assert_msg(h == ref, "threads=%d: state differs", t);
        sl_world_destroy(w);
    }
}
END_TEST

START_TEST(test_unit_speed_and_ids)
{
    sl_world *w = make(2, 2000, 300, 15, 3);
    sl_pop *p = sl_world_pop(w, "birds");
    sl_id first = sl_pop_id(p, 0);
    sl_error e;
    for (int s = 0; s < 10; s++) ck_assert_int_eq(sl_world_step(w, &e), SL_OK);
    int cvx = sl_pop_column(p, "vx"), cvy = sl_pop_column(p, "vy");
    for (size_t i = 0; i < sl_pop_count(p); i++) {
        double vx = sl_pop_get(p, cvx, i), vy = sl_pop_get(p, cvy, i);
        ck_assert_double_eq_tol(vx * vx + vy * vy, 1.0, 1e-12);
    }
    ck_assert_int_eq(sl_pop_count(p), 2000);
    ck_assert_int_ge(sl_pop_slot(p, first), 0); /* ids survive the cell-order permutation */
    sl_world_destroy(w);
}
END_TEST

START_TEST(test_bad_params)
{
    sl_error e;
    sl_boids_def bp = sl_boids_def_default();
    bp.radius = -1;
    ck_assert_int_eq(sl_boids_check(&bp, &e), SL_ERR_RANGE);
    bp = sl_boids_def_default();
    bp.width = NAN;
    ck_assert_int_eq(sl_boids_check(&bp, &e), SL_ERR_RANGE);
    bp = sl_boids_def_default();
    bp.match_factor = INFINITY;
    ck_assert_int_eq(sl_boids_check(&bp, &e), SL_ERR_RANGE);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("boids");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_two_birds_by_hand);
    tcase_add_test(tc, test_separation_and_wrap);
    tcase_add_test(tc, test_thread_determinism);
    tcase_add_test(tc, test_large_determinism);
    tcase_add_test(tc, test_unit_speed_and_ids);
    tcase_add_test(tc, test_bad_params);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
