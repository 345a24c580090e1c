/* test_field.c - deposit, evaporation, diffusion (mass conservation, symmetry, thread independence). */
#include <math.h>
#include <omp.h>
#include <string.h>

#include "check_main.h"
#include "swarmlab/field.h"

START_TEST(test_deposit_index)
{
    sl_error e;
    sl_field *f = sl_field_create(10, 5, 2.0, 0, &e);
    ck_assert_ptr_nonnull(f);
    sl_field_deposit(f, 3.0, 1.0, 2.5);    /* cell (1, 0) */
    sl_field_deposit(f, 19.9, 9.9, 1.0);   /* last cell */
    sl_field_deposit(f, 20.0, 1.0, 7.0);   /* outside a bounded field: dropped */
    ck_assert_double_eq(f->v[1], 2.5);
    ck_assert_double_eq(f->v[4 * 10 + 9], 1.0);
    ck_assert_double_eq(sl_field_sum(f), 3.5);
    ck_assert_double_eq(sl_field_at(f, 3.9, 1.9), 2.5);
    ck_assert_int_eq(sl_field_index(f, -0.1, 0), -1);
    sl_field_destroy(f);
    f = sl_field_create(10, 5, 2.0, 1, &e);
    sl_field_deposit(f, 20.0 + 3.0, -9.0, 1.0); /* wraps to (1, 0) */
    ck_assert_double_eq(f->v[1], 1.0);
    sl_field_destroy(f);
}
END_TEST

static void mass_conservation(int toroidal)
{
    sl_field *f = sl_field_create(17, 11, 1.0, toroidal, NULL);
    for (int i = 0; i < 17 * 11; i++) f->v[i] = (i * 7919) % 13; /* integers: exact sums */
    f->v[0] = 100; /* a corner */
    double before = sl_field_sum(f);
    for (int k = 0; k < 50; k++) sl_field_diffuse(f, 0.3);
    ck_assert_double_eq_tol(sl_field_sum(f), before, 1e-9 * before);
    for (int i = 0; i < 17 * 11; i++) ck_assert(f->v[i] >= 0);
    sl_field_destroy(f);
}

START_TEST(test_diffusion_conserves_mass)
{
    mass_conservation(1);
    mass_conservation(0);
}
END_TEST

START_TEST(test_diffusion_spreads_evenly)
{
    sl_field *f = sl_field_create(5, 5, 1.0, 1, NULL);
    f->v[2 * 5 + 2] = 8.0;
    sl_field_diffuse(f, 0.5);
    ck_assert_double_eq(f->v[2 * 5 + 2], 4.0);
    ck_assert_double_eq(f->v[1 * 5 + 1], 0.5);
    ck_assert_double_eq(f->v[2 * 5 + 3], 0.5);
    ck_assert_double_eq(f->v[0], 0.0);
    sl_field_destroy(f);
}
END_TEST

START_TEST(test_evaporation)
{
    sl_field *f = sl_field_create(4, 4, 1.0, 0, NULL);
    sl_field_fill(f, 2.0);
    sl_field_evaporate(f, 0.25);
    ck_assert_double_eq(sl_field_max(f), 1.5);
    sl_field_evaporate(f, 1.0);
    ck_assert_double_eq(sl_field_sum(f), 0.0);
    sl_field_destroy(f);
}
END_TEST

START_TEST(test_threads_identical)
{
    double *ref = NULL;
    for (int t = 1; t <= 4; t++) {
        omp_set_num_threads(t);
        sl_field *f = sl_field_create(64, 48, 1.0, t % 2, NULL);
        sl_field *g = sl_field_create(64, 48, 1.0, 1, NULL);
        for (int i = 0; i < 64 * 48; i++) f->v[i] = g->v[i] = sin(i * 0.37) + 1.5;
        for (int k = 0; k < 20; k++) sl_field_diffuse(g, 0.2), sl_field_evaporate(g, 0.01);
        if (!ref) {
            ref = malloc(sizeof(double) * 64 * 48);
            memcpy(ref, g->v, sizeof(double) * 64 * 48);
        } else {
            ck_assert_int_eq(memcmp(ref, g->v, sizeof(double) * 64 * 48), 0);
        }
        sl_field_destroy(f);
        sl_field_destroy(g);
    }
    free(ref);
}
END_TEST

START_TEST(test_bad_sizes)
{
    sl_error e;
    ck_assert_ptr_null(sl_field_create(0, 3, 1.0, 0, &e));
    ck_assert_int_eq(e.code, SL_ERR_RANGE);
    ck_assert_ptr_null(sl_field_create(3, 3, -1.0, 0, &e));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("field");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_deposit_index);
    tcase_add_test(tc, test_diffusion_conserves_mass);
    tcase_add_test(tc, test_diffusion_spreads_evenly);
    tcase_add_test(tc, test_evaporation);
    tcase_add_test(tc, test_threads_identical);
    tcase_add_test(tc, test_bad_sizes);
    suite_add_tcase(s, tc);
    return sl_run_suite(s);
}
