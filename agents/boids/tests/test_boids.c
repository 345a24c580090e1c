/* test_boids.c - flocking: specification on hand-made cases, parallel determinism, invariants. */
#include <check.h>
#include <math.h>
#include <stdio.h>
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

/* One step of the specification for every bird by brute force: all pairs, minimum-image
 * displacements, the state of step t read and the state of step t + 1 returned. */
static void brute_force_step(const sl_boids_def *bp, size_t n, const double *x, const double *y,
                             const double *vx, const double *vy, double *ox, double *oy,
                             double *ovx, double *ovy, long *nn_out)
{
    const double W = bp->width, H = bp->height;
    for (size_t i = 0; i < n; i++) {
        double ch[2] = {0, 0}, se[2] = {0, 0}, ma[2] = {0, 0};
        long nn = 0;
        for (size_t j = 0; j < n; j++) {
            if (j == i) continue;
            double dx = x[j] - x[i], dy = y[j] - y[i];
            dx -= W * round(dx / W);
            dy -= H * round(dy / H);
            double d2 = dx * dx + dy * dy;
            if (d2 > bp->radius * bp->radius) continue;
            nn++;
            ch[0] += dx, ch[1] += dy;
            if (d2 < bp->separation * bp->separation) se[0] -= dx, se[1] -= dy;
            ma[0] += vx[j], ma[1] += vy[j];
        }
        double inv = 1.0 / (double)(nn > 0 ? nn : 1);
        double v[2] = {vx[i], vy[i]};
        for (int k = 0; k < 2; k++)
            v[k] = (v[k] + bp->cohere_factor * ch[k] * inv + bp->separate_factor * se[k] * inv +
                    bp->match_factor * ma[k] * inv) / 2;
        double nrm = sqrt(v[0] * v[0] + v[1] * v[1]);
        if (nrm > 0) v[0] /= nrm, v[1] /= nrm;
        else v[0] = vx[i], v[1] = vy[i];
        ovx[i] = v[0];
        ovy[i] = v[1];
        ox[i] = fmod(x[i] + bp->speed * v[0] + W, W);
        oy[i] = fmod(y[i] + bp->speed * v[1] + H, H);
        nn_out[i] = nn;
    }
}

START_TEST(test_brute_force_reference)
{
    /* A few hundred birds, every one checked against the O(n^2) reference for several steps, on
     * grids where the kernel scans a 3x3 and a 5x5 block of cells and where it scans every
     * column; the birds are indexed by their stable id because the kernel reorders them. */
    struct { double side, radius; size_t n; int threads; } cases[] = {
        {60, 5, 400, 1}, {60, 5, 400, 2}, {50, 9, 300, 2}, {23, 7, 250, 1}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        sl_world *w = make(cases[c].threads, cases[c].n, cases[c].side, cases[c].radius, 5 + c);
        sl_pop *p = sl_world_pop(w, "birds");
        sl_boids_def bp = sl_boids_def_default();
        bp.width = bp.height = cases[c].side;
        bp.radius = cases[c].radius;
        const size_t n = cases[c].n;
        int col[4] = {sl_pop_column(p, "x"), sl_pop_column(p, "y"), sl_pop_column(p, "vx"),
                      sl_pop_column(p, "vy")};
        double *cur = malloc(8 * n * sizeof(double));
        long *nn = malloc(n * sizeof(long));
        long with_neighbours = 0, total_nn = 0;
        for (int step = 0; step < 6; step++) {
            for (size_t s = 0; s < n; s++) {
                uint32_t i = sl_id_index(sl_pop_id(p, s));
                ck_assert_uint_lt(i, n);
                for (int k = 0; k < 4; k++) cur[k * n + i] = sl_pop_get(p, col[k], s);
            }
            double *nx = cur + 4 * n;
            brute_force_step(&bp, n, cur, cur + n, cur + 2 * n, cur + 3 * n, nx, nx + n, nx + 2 * n,
                             nx + 3 * n, nn);
            sl_error e;
            ck_assert_int_eq(sl_world_step(w, &e), SL_OK);
            for (size_t s = 0; s < n; s++) {
                uint32_t i = sl_id_index(sl_pop_id(p, s));
                for (int k = 0; k < 4; k++) {
                    double got = sl_pop_get(p, col[k], s), want = nx[k * n + i];
                    if (k < 2 && fabs(got - want) > cases[c].side / 2) /* wrapped at the seam */
                        want += got > want ? cases[c].side : -cases[c].side;
                    ck_assert_msg(fabs(got - want) < 1e-9, "case %zu step %d bird %u %s: %.15g "
                                  "!= %.15g (%ld neighbours)", c, step, i,
                                  (const char *[]){"x", "y", "vx", "vy"}[k], got, want, nn[i]);
                }
                with_neighbours += nn[i] > 0;
                total_nn += nn[i];
            }
        }
        /* the cases exercise the neighbour sums: most birds have several neighbours */
        ck_assert_int_gt(with_neighbours, (long)(6 * n * 8 / 10));
        ck_assert_int_gt(total_nn, (long)(6 * n * 3));
        free(cur);
        free(nn);
        sl_world_destroy(w);
    }
}
END_TEST

START_TEST(test_pinned_hash)
{
    /* Golden value: 500 birds, seed 42, 40 steps. Any change to the rules, the neighbour search,
     * the spawn or the world hash changes it; a deliberate change updates it (docs/mutations.md). */
    sl_world *w = make(2, 500, 80, 5, 42);
    sl_error e;
    for (int s = 0; s < 40; s++) ck_assert_int_eq(sl_world_step(w, &e), SL_OK);
    uint64_t h = sl_world_hash(w);
    ck_assert_msg(h == 0x31dd2f0a5343780dULL, "hash 0x%016llx", (unsigned long long)h);
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
    tcase_add_test(tc, test_brute_force_reference);
    tcase_add_test(tc, test_pinned_hash);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
