/* test_graph.c - compressed rows, weights, Dijkstra, components. */
#include <math.h>

#include "check_main.h"
#include "swarmlab/graph.h"

START_TEST(test_build_and_query)
{
    sl_error e;
    sl_graph *g = sl_graph_create(5, &e);
    ck_assert_int_eq(sl_graph_add_edge(g, 0, 1, 1.0, 1, &e), SL_OK);
    ck_assert_int_eq(sl_graph_add_edge(g, 1, 2, 2.0, 1, &e), SL_OK);
    ck_assert_int_eq(sl_graph_add_edge(g, 0, 2, 5.0, 0, &e), SL_OK);
    ck_assert_int_eq(sl_graph_add_edge(g, 0, 2, 4.0, 0, &e), SL_OK); /* repeated: last wins */
    ck_assert_int_eq(sl_graph_add_edge(g, 0, 7, 1.0, 0, &e), SL_ERR_RANGE);
    ck_assert_int_eq(sl_graph_add_edge(g, 0, 3, NAN, 0, &e), SL_ERR_RANGE);
    ck_assert_int_eq(sl_graph_finalize(g, &e), SL_OK);
    ck_assert_int_eq(sl_graph_degree(g, 0), 2);
    ck_assert_double_eq(sl_graph_weight(g, 0, 2), 4.0);
    ck_assert(isnan(sl_graph_weight(g, 2, 0)));
    double d[5];
    int prev[5];
    ck_assert_int_eq(sl_graph_dijkstra(g, 0, d, prev, &e), SL_OK);
    ck_assert_double_eq(d[2], 3.0);
    ck_assert_int_eq(prev[2], 1);
    ck_assert(isinf(d[4]));
    /* adding after finalize keeps old edges */
    ck_assert_int_eq(sl_graph_add_edge(g, 3, 4, 1.5, 1, &e), SL_OK);
    ck_assert_int_eq(sl_graph_finalize(g, &e), SL_OK);
    ck_assert_double_eq(sl_graph_weight(g, 1, 2), 2.0);
    ck_assert_double_eq(sl_graph_weight(g, 4, 3), 1.5);
    int comp[5];
    ck_assert_int_eq(sl_graph_components(g, comp), 2);
    ck_assert_int_eq(comp[0], comp[2]);
    ck_assert_int_ne(comp[0], comp[3]);
    sl_graph_destroy(g);
}
END_TEST

START_TEST(test_negative_weight_rejected)
{
    sl_error e;
    sl_graph *g = sl_graph_create(2, &e);
    sl_graph_add_edge(g, 0, 1, -1.0, 0, &e);
    sl_graph_finalize(g, &e);
    double d[2];
    ck_assert_int_eq(sl_graph_dijkstra(g, 0, d, NULL, &e), SL_ERR_RANGE);
    ck_assert_ptr_null(sl_graph_create(-3, &e));
    sl_graph_destroy(g);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("graph");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_build_and_query);
    tcase_add_test(tc, test_negative_weight_rejected);
    suite_add_tcase(s, tc);
    return sl_run_suite(s);
}
