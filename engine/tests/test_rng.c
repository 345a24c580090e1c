/* test_rng.c - Philox known answers, key independence, distribution sanity. */
#include <math.h>
#include <string.h>

#include "check_main.h"
#include "swarmlab/rng.h"

START_TEST(test_known_answers)
{
    /* Random123's published Philox-4x32-10 vectors: all-zero and all-one counter and key. */
    uint32_t out[4];
    sl_rng_block(0, 0, 0, 0, 0, out);
    ck_assert_uint_eq(out[0], 0x6627e8d5u);
    ck_assert_uint_eq(out[1], 0xe169c58du);
    ck_assert_uint_eq(out[2], 0xbc57ac4cu);
    ck_assert_uint_eq(out[3], 0x9b00dbd8u);
    sl_rng_block(UINT64_MAX, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, out);
    ck_assert_uint_eq(out[0], 0x408f276du);
    ck_assert_uint_eq(out[1], 0x41c83b0eu);
    ck_assert_uint_eq(out[2], 0xa20bc7c6u);
    ck_assert_uint_eq(out[3], 0x6d5451fdu);
}
END_TEST

START_TEST(test_stream_matches_blocks)
{
    sl_rng r = sl_rng_make(123, 7, 99, 5);
    for (uint32_t d = 0; d < 3; d++) {
        uint32_t out[4];
        sl_rng_block(123, 7, 99, 5, d, out);
        for (int k = 0; k < 4; k++) ck_assert_uint_eq(sl_rng_u32(&r), out[k]);
    }
}
END_TEST

START_TEST(test_keys_independent)
{
    /* Changing any one key component changes the stream; 64-bit ids and steps do not collide
     * with their low halves. */
    uint32_t base[4], o[4];
    sl_rng_block(1, 2, 3, 4, 0, base);
    uint64_t keys[][4] = {{2, 2, 3, 4}, {1, 3, 3, 4}, {1, 2, 4, 4}, {1, 2, 3, 5},
                          {1, 2, 3 + (1ull << 32), 4}, {1, 2, 3, 4 + (1ull << 32)}};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        sl_rng_block(keys[i][0], (uint32_t)keys[i][1], keys[i][2], keys[i][3], 0, o);
        ck_assert_msg(memcmp(o, base, sizeof o) != 0, "key variant %zu collides", i);
    }
    /* adjacent ids: correlation of uniforms close to zero */
    double sxy = 0, sx = 0, sy = 0, sxx = 0, syy = 0;
    const int n = 20000;
    for (int i = 0; i < n; i++) {
        sl_rng a = sl_rng_make(9, 1, (uint64_t)i, 0), b = sl_rng_make(9, 1, (uint64_t)i + 1, 0);
        double x = sl_rng_uniform(&a), y = sl_rng_uniform(&b);
        sx += x, sy += y, sxy += x * y, sxx += x * x, syy += y * y;
    }
    double cov = sxy / n - sx / n * sy / n;
    double corr = cov / sqrt((sxx / n - sx * sx / n / n) * (syy / n - sy * sy / n / n));
    ck_assert_double_lt(fabs(corr), 0.03);
}
END_TEST

START_TEST(test_distributions)
{
    sl_rng r = sl_rng_make(42, 0, 0, 0);
    const int n = 200000;
    double s = 0, s2 = 0, ns = 0, ns2 = 0, ps = 0;
    int hist[10] = {0};
    for (int i = 0; i < n; i++) {
        double u = sl_rng_uniform(&r);
        ck_assert(u >= 0.0 && u < 1.0);
        s += u, s2 += u * u;
        uint32_t k = sl_rng_below(&r, 10);
        ck_assert_uint_lt(k, 10);
        hist[k]++;
        double z = sl_rng_normal(&r);
        ns += z, ns2 += z * z;
        ps += sl_rng_poisson(&r, i % 2 ? 3.5 : 50.0);
    }
    ck_assert_double_eq_tol(s / n, 0.5, 0.005);
    ck_assert_double_eq_tol(s2 / n - (s / n) * (s / n), 1.0 / 12, 0.002);
    for (int k = 0; k < 10; k++) ck_assert_int_lt(abs(hist[k] - n / 10), 600);
    ck_assert_double_eq_tol(ns / n, 0.0, 0.01);
    ck_assert_double_eq_tol(ns2 / n, 1.0, 0.015);
    ck_assert_double_eq_tol(ps / n, (3.5 + 50.0) / 2, 0.1);
    sl_rng z = sl_rng_make(1, 1, 1, 1);
    ck_assert_uint_eq(sl_rng_poisson(&z, 0.0), 0);
    double p = sl_rng_uniform_pos(&z);
    ck_assert(p > 0.0 && p <= 1.0);
}
END_TEST

START_TEST(test_seed_mix)
{
    ck_assert(sl_seed_mix(1, 0) != sl_seed_mix(1, 1));
    ck_assert(sl_seed_mix(1, 0) != sl_seed_mix(2, 0));
    ck_assert(sl_seed_mix(5, 3) == sl_seed_mix(5, 3));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("rng");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_known_answers);
    tcase_add_test(tc, test_stream_matches_blocks);
    tcase_add_test(tc, test_keys_independent);
    tcase_add_test(tc, test_distributions);
    tcase_add_test(tc, test_seed_mix);
    suite_add_tcase(s, tc);
    return sl_run_suite(s);
}
