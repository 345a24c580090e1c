/* test_pop.c - columns, stable ids, deferred kill/spawn, permutation. */
#include <string.h>

#include "check_main.h"
#include "swarmlab/pop.h"

START_TEST(test_columns)
{
    sl_error e;
    sl_pop *p = sl_pop_create("a");
    ck_assert_int_eq(sl_pop_add_column(p, "x", SL_F64, &e), 0);
    ck_assert_int_eq(sl_pop_add_column(p, "k", SL_I32, &e), 1);
    ck_assert_int_eq(sl_pop_add_column(p, "x", SL_F64, &e), -1);
    ck_assert_int_eq(e.code, SL_ERR_RANGE);
    ck_assert_int_eq(sl_pop_add_column(p, "9bad", SL_F64, &e), -1);
    ck_assert_int_eq(sl_pop_add_column(p, "", SL_F64, &e), -1);
    ck_assert_int_eq(sl_type_parse("u8"), SL_U8);
    ck_assert_int_eq(sl_type_parse("float"), -1);
    size_t s = sl_pop_spawn(p, 3);
    ck_assert_uint_eq(s, 0);
    sl_pop_set(p, 1, 2, 41.9);
    ck_assert_double_eq(sl_pop_get(p, 1, 2), 41); /* integer columns truncate */
    /* a column added later is zero for existing agents */
    int c = sl_pop_add_column(p, "late", SL_U8, &e);
    ck_assert_int_eq(c, 2);
    ck_assert_double_eq(sl_pop_get(p, c, 1), 0);
    sl_pop_destroy(p);
}
END_TEST

START_TEST(test_ids_and_kill)
{
    sl_error e;
    sl_pop *p = sl_pop_create("a");
    int cx = sl_pop_add_column(p, "x", SL_F64, &e);
    sl_pop_spawn(p, 5);
    for (size_t i = 0; i < 5; i++) sl_pop_set(p, cx, i, (double)i);
    sl_id ids[5];
    for (size_t i = 0; i < 5; i++) ids[i] = sl_pop_id(p, i);
    sl_pop_kill(p, 1);
    sl_pop_kill(p, 3);
    ck_assert_int_eq(sl_pop_count(p), 5); /* deferred */
    ck_assert(sl_pop_is_dying(p, 1));
    ck_assert_int_eq(sl_pop_commit(p), -2);
    ck_assert_int_eq(sl_pop_count(p), 3);
    /* survivors keep their order; dead ids are stale */
    ck_assert_double_eq(sl_pop_get(p, cx, 0), 0);
    ck_assert_double_eq(sl_pop_get(p, cx, 1), 2);
    ck_assert_double_eq(sl_pop_get(p, cx, 2), 4);
    ck_assert_int_eq(sl_pop_slot(p, ids[1]), -1);
    ck_assert_int_eq(sl_pop_slot(p, ids[3]), -1);
    ck_assert_int_eq(sl_pop_slot(p, ids[4]), 2);
    ck_assert_int_eq(sl_pop_slot(p, SL_ID_NULL), -1);
    /* a reused index gets a new generation: the old id stays stale */
    size_t s = sl_pop_spawn(p, 1);
    sl_id fresh = sl_pop_id(p, s);
    ck_assert_uint_eq(sl_id_index(fresh), sl_id_index(ids[1]));
    ck_assert(fresh != ids[1]);
    ck_assert_int_eq(sl_pop_slot(p, ids[1]), -1);
    ck_assert_int_eq(sl_pop_slot(p, fresh), (long)s);
    sl_pop_destroy(p);
}
END_TEST

START_TEST(test_staged_spawn_order)
{
    sl_error e;
    sl_pop *p = sl_pop_create("a");
    int cx = sl_pop_add_column(p, "x", SL_F64, &e);
    int ck = sl_pop_add_column(p, "k", SL_I64, &e);
    ck_assert_int_eq(sl_pop_prepare_staging(p, 3, &e), SL_OK);
    /* staged out of chunk order: committed in chunk order */
    size_t row;
    sl_pop_spawn_deferred(p, 2, &row);
    sl_pop_staged_set(p, 2, row, cx, 20);
    sl_pop_spawn_deferred(p, 0, &row);
    sl_pop_staged_set(p, 0, row, cx, 0);
    sl_pop_staged_set(p, 0, row, ck, 7);
    sl_pop_spawn_deferred(p, 1, &row);
    sl_pop_staged_set(p, 1, row, cx, 10);
    sl_pop_spawn_deferred(p, 0, &row);
    sl_pop_staged_set(p, 0, row, cx, 1);
    ck_assert_int_eq(sl_pop_count(p), 0);
    ck_assert_int_eq(sl_pop_commit(p), 4);
    double want[] = {0, 1, 10, 20};
    for (size_t i = 0; i < 4; i++) ck_assert_double_eq(sl_pop_get(p, cx, i), want[i]);
    ck_assert_double_eq(sl_pop_get(p, ck, 0), 7);
    ck_assert_int_eq(sl_pop_commit(p), 0); /* staging emptied */
    sl_pop_destroy(p);
}
END_TEST

START_TEST(test_permute)
{
    sl_error e;
    sl_pop *p = sl_pop_create("a");
    int cx = sl_pop_add_column(p, "x", SL_F64, &e);
    int cb = sl_pop_add_column(p, "b", SL_U8, &e);
    sl_pop_spawn(p, 4);
    sl_id ids[4];
    for (size_t i = 0; i < 4; i++) {
        sl_pop_set(p, cx, i, 10.0 * i);
        sl_pop_set(p, cb, i, (double)i);
        ids[i] = sl_pop_id(p, i);
    }
    uint32_t perm[4] = {3, 0, 2, 1};
    ck_assert_int_eq(sl_pop_permute(p, perm, &e), SL_OK);
    for (size_t s = 0; s < 4; s++) {
        ck_assert_double_eq(sl_pop_get(p, cx, s), 10.0 * perm[s]);
        ck_assert_double_eq(sl_pop_get(p, cb, s), perm[s]);
        ck_assert_int_eq(sl_pop_slot(p, ids[perm[s]]), (long)s);
    }
    /* the hash sees the order */
    sl_pop *q = sl_pop_create("a");
    sl_pop_add_column(q, "x", SL_F64, &e);
    sl_pop_add_column(q, "b", SL_U8, &e);
    sl_pop_spawn(q, 4);
    for (size_t i = 0; i < 4; i++) sl_pop_set(q, 0, i, 10.0 * i), sl_pop_set(q, 1, i, (double)i);
    ck_assert(sl_pop_hash(p, 1) != sl_pop_hash(q, 1));
    sl_pop_destroy(p);
    sl_pop_destroy(q);
}
END_TEST

START_TEST(test_many_spawns_grow)
{
    sl_error e;
    sl_pop *p = sl_pop_create("a");
    int cx = sl_pop_add_column(p, "x", SL_F32, &e);
    for (int i = 0; i < 1000; i++) {
        size_t s = sl_pop_spawn(p, 1);
        sl_pop_set(p, cx, s, (double)i);
    }
    for (size_t i = 0; i < 1000; i += 2) sl_pop_kill(p, i);
    sl_pop_commit(p);
    ck_assert_int_eq(sl_pop_count(p), 500);
    ck_assert_double_eq(sl_pop_get(p, cx, 0), 1);
    ck_assert_double_eq(sl_pop_get(p, cx, 499), 999);
    ck_assert_uint_gt(sl_pop_bytes(p), 1000 * 4);
    sl_pop_destroy(p);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("pop");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_columns);
    tcase_add_test(tc, test_ids_and_kill);
    tcase_add_test(tc, test_staged_spawn_order);
    tcase_add_test(tc, test_permute);
    tcase_add_test(tc, test_many_spawns_grow);
    suite_add_tcase(s, tc);
    return sl_run_suite(s);
}
