/* test_grid.c - neighbour queries against brute force, bounded and toroidal, border cases. */
#include <math.h>

#include "check_main.h"
#include "swarmlab/grid.h"
#include "swarmlab/rng.h"

static size_t brute(const double *x, const double *y, size_t n, double W, double H, int tor,
                    double qx, double qy, double r, size_t self, int *mark)
{
    size_t k = 0;
    for (size_t j = 0; j < n; j++) {
        mark[j] = 0;
        if (j == self) continue;
        double dx = sl_wrap_delta(x[j] - qx, W, tor), dy = sl_wrap_delta(y[j] - qy, H, tor);
        if (dx * dx + dy * dy <= r * r) mark[j] = 1, k++;
    }
    return k;
}

static void check_random(int toroidal, double cell, double r)
{
    enum { N = 600 };
    double x[N], y[N];
    int mark[N];
    uint32_t out[N];
    const double W = 37.0, H = 23.0;
    sl_rng g = sl_rng_make(5, 0, 0, 0);
    for (size_t i = 0; i < N; i++) {
        x[i] = sl_rng_uniform(&g) * W;
        y[i] = sl_rng_uniform(&g) * H;
        if (i % 10 == 0) x[i] = floor(x[i]); /* on cell borders */
        if (i % 15 == 0) y[i] = 0.0;
    }
    sl_grid grid;
    sl_error e;
    ck_assert_int_eq(sl_grid_init(&grid, W, H, cell, toroidal, &e), SL_OK);
    ck_assert_int_eq(sl_grid_build(&grid, x, y, N, &e), SL_OK);
    for (size_t i = 0; i < N; i++) {
        size_t want = brute(x, y, N, W, H, toroidal, x[i], y[i], r, i, mark);
        size_t got = sl_grid_neighbours(&grid, x, y, x[i], y[i], r, i, out, N);
        ck_assert_uint_eq(got, want);
        for (size_t k = 0; k < got; k++) {
            ck_assert_msg(mark[out[k]] == 1, "point %u reported twice or wrongly", out[k]);
            mark[out[k]] = 2;
        }
    }
    sl_grid_release(&grid);
}

START_TEST(test_bounded) { check_random(0, 2.0, 2.0); check_random(0, 1.0, 3.5); }
END_TEST
START_TEST(test_toroidal) { check_random(1, 2.0, 2.0); check_random(1, 1.0, 3.5); }
END_TEST
START_TEST(test_radius_larger_than_plane) { check_random(1, 5.0, 30.0); check_random(0, 5.0, 30.0); }
END_TEST

START_TEST(test_exact_border_distance)
{
    /* points exactly r apart are neighbours; across the torus seam too */
    double x[3] = {0.0, 2.0, 9.0}, y[3] = {0.0, 0.0, 0.0};
    sl_grid g;
    ck_assert_int_eq(sl_grid_init(&g, 10, 10, 2, 1, NULL), SL_OK);
    ck_assert_int_eq(sl_grid_build(&g, x, y, 3, NULL), SL_OK);
    uint32_t out[3];
    ck_assert_uint_eq(sl_grid_neighbours(&g, x, y, 0, 0, 2.0, 0, out, 3), 2); /* 2.0 and 9.0->-1 */
    sl_grid_release(&g);
    ck_assert_int_eq(sl_grid_init(&g, 10, 10, 2, 0, NULL), SL_OK);
    ck_assert_int_eq(sl_grid_build(&g, x, y, 3, NULL), SL_OK);
    ck_assert_uint_eq(sl_grid_neighbours(&g, x, y, 0, 0, 2.0, 0, out, 3), 1); /* no wrap */
    sl_grid_release(&g);
}
END_TEST

START_TEST(test_sorted_order_stable)
{
    double x[4] = {5.5, 0.5, 5.1, 0.1}, y[4] = {0.5, 0.5, 0.2, 0.2};
    sl_grid g;
    sl_grid_init(&g, 10, 10, 5, 0, NULL);
    sl_grid_build(&g, x, y, 4, NULL);
    /* cell 0 holds 1 and 3 (input order), cell 1 holds 0 and 2 */
    ck_assert_uint_eq(g.order[0], 1);
    ck_assert_uint_eq(g.order[1], 3);
    ck_assert_uint_eq(g.order[2], 0);
    ck_assert_uint_eq(g.order[3], 2);
    sl_grid_release(&g);
}
END_TEST

START_TEST(test_bad_sizes)
{
    sl_grid g;
    sl_error e;
    ck_assert_int_eq(sl_grid_init(&g, -1, 10, 1, 0, &e), SL_ERR_RANGE);
    ck_assert_int_eq(sl_grid_init(&g, 10, NAN, 1, 0, &e), SL_ERR_RANGE);
    ck_assert_int_eq(sl_grid_init(&g, 10, 10, 0, 0, &e), SL_ERR_RANGE);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("grid");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_bounded);
    tcase_add_test(tc, test_toroidal);
    tcase_add_test(tc, test_radius_larger_than_plane);
    tcase_add_test(tc, test_exact_border_distance);
    tcase_add_test(tc, test_sorted_order_stable);
    tcase_add_test(tc, test_bad_sizes);
    suite_add_tcase(s, tc);
    return sl_run_suite(s);
}
