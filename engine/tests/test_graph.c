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

/* Generators: edge counts, numbered edges shared by both directions, sorted rows, the same
 * queries as any sl_graph, and the numbering dropped once edges are added by hand. */
START_TEST(test_generators)
{
    sl_error e;
    sl_graph_spec ring = {"ring", 6, 0, 0, 0};
    sl_graph *g = sl_graph_make(&ring, &e);
    ck_assert_msg(g != NULL, "%s", e.msg);
    ck_assert_uint_eq(g->ne, 6);
    ck_assert_uint_eq(g->m, 12);
    ck_assert_int_eq(sl_graph_max_degree(g), 2);
    ck_assert_int_eq(g->eu[0], 0);
    ck_assert_int_eq(g->ev[0], 1);
    ck_assert_int_eq(g->eu[5], 4);
    ck_assert_int_eq(g->ev[5], 5);
    ck_assert_int_eq(sl_graph_edge(g, 5, 0), sl_graph_edge(g, 0, 5));
    ck_assert_int_eq(sl_graph_edge(g, 0, 5), 1);   /* (0,1) is 0, (0,5) is 1 */
    ck_assert_int_eq(sl_graph_edge(g, 0, 3), -1);
    ck_assert_double_eq(sl_graph_weight(g, 3, 4), 1.0);
    for (int u = 0; u < g->n; u++)
        for (uint32_t p = g->row[u]; p < g->row[u + 1]; p++) {
            if (p > g->row[u]) ck_assert_uint_lt(g->col[p - 1], g->col[p]);
            int v = (int)g->col[p];
            uint32_t k = g->eid[p];
            ck_assert((g->eu[k] == u && g->ev[k] == v) || (g->eu[k] == v && g->ev[k] == u));
        }
    double d[6];
    ck_assert_int_eq(sl_graph_dijkstra(g, 0, d, NULL, &e), SL_OK);
    ck_assert_double_eq(d[3], 3.0);
    ck_assert_int_eq(sl_graph_add_edge(g, 0, 3, 1.0, 1, &e), SL_OK);
    ck_assert_ptr_null(g->eid);
    ck_assert_int_eq(sl_graph_edge(g, 0, 1), -1);
    ck_assert_int_eq(sl_graph_finalize(g, &e), SL_OK);
    ck_assert_int_eq(sl_graph_degree(g, 0), 3);
    sl_graph_destroy(g);

    /* random geometric: a function of (n, radius, seed) */
    sl_graph_spec rgg = {"rgg", 200, 0, 0.12, 9};
    sl_graph *a = sl_graph_make(&rgg, &e), *b = sl_graph_make(&rgg, &e);
    ck_assert(a && b);
    ck_assert_uint_eq(a->ne, b->ne);
    ck_assert_int_eq(memcmp(a->col, b->col, a->m * sizeof *a->col), 0);
    for (size_t k = 0; k < a->ne; k++) {
        double dx = a->x[a->eu[k]] - a->x[a->ev[k]], dy = a->y[a->eu[k]] - a->y[a->ev[k]];
        ck_assert(dx * dx + dy * dy <= 0.12 * 0.12);
    }
    sl_graph_destroy(a);
    sl_graph_destroy(b);

    int u[] = {0, 1, 1}, v[] = {1, 0, 2};
    g = sl_graph_from_edges(3, 3, u, v, &e);   /* the duplicate in reverse merges */
    ck_assert_uint_eq(g->ne, 2);
    sl_graph_destroy(g);
    int bu[] = {0, 2}, bv[] = {1, 2};
    ck_assert_ptr_null(sl_graph_from_edges(3, 2, bu, bv, &e));
    ck_assert_msg(strstr(e.msg, "edge 2 is a self loop") != NULL, "%s", e.msg);
    sl_graph_spec bad = {"torus", 4, 0, 0, 0};
    ck_assert_ptr_null(sl_graph_make(&bad, &e));
    ck_assert_msg(strstr(e.msg, "unknown graph 'torus'") != NULL, "%s", e.msg);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("graph");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_build_and_query);
    tcase_add_test(tc, test_negative_weight_rejected);
    tcase_add_test(tc, test_generators);
    suite_add_tcase(s, tc);
    return sl_run_suite(s);
}
