/* test_roads_monaco.c - the whole of Monaco (../shared/data/osm/monaco.osm.pbf, © OpenStreetMap
 * contributors, ODbL): the network is read and connected, sites snap onto it, matrices agree with
 * a plain Dijkstra and do not depend on the number of threads, and scenarios/city_delivery.lua
 * serves 60 stores on it through the CLI ($SWARMLAB_EXE). Exits 77 (skipped) without the data or
 * without OpenStreetMap support. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../../tests/run_util.h"
#include "roads_ref.h"
#include "swarmlab/roads.h"

#define MONACO "../shared/data/osm/monaco.osm.pbf"
#define NS 40

static sl_roads *net;

/* NS sites at fixed pseudo-random points of the map's box that lie within 300 m of a road */
static int sites(sl_road_snap *s)
{
    const sl_roads_info *in = sl_roads_info_of(net);
    int n = 0;
    for (unsigned k = 0; n < NS && k < 100000; k++) {
        double u = fmod(k * 0.6180339887498949, 1.0), v = fmod(k * 0.7548776662466927, 1.0);
        double lon = in->lon_min + u * (in->lon_max - in->lon_min);
        double lat = in->lat_min + v * (in->lat_max - in->lat_min);
        sl_error e;
        if (sl_roads_snap(net, lon, lat, "site", &s[n], &e) == SL_OK && s[n].dist_m < 300) n++;
    }
    return n;
}

START_TEST(test_network)
{
    const sl_roads_info *in = sl_roads_info_of(net);
    ck_assert_int_gt(in->nodes, 1000);
    ck_assert_int_gt(in->edges, in->nodes);
    ck_assert_int_lt(in->nodes_dropped, in->nodes / 5);
    ck_assert(in->km > 50 && in->km < 1000);
    ck_assert(in->lon0 > 7.38 && in->lon0 < 7.45 && in->lat0 > 43.72 && in->lat0 < 43.76);
    /* every node reaches every other: one Dijkstra from node 0 reaches all */
    const sl_graph *g = sl_roads_graph(net);
    double *d = malloc((size_t)g->n * sizeof *d);
    ck_assert_int_eq(sl_graph_dijkstra(g, 0, d, NULL, NULL), SL_OK);
    for (int v = 0; v < g->n; v++) ck_assert(isfinite(d[v]));
    free(d);
}
END_TEST

START_TEST(test_matrix)
{
    sl_road_snap s[NS];
    int n = sites(s);
    ck_assert_int_eq(n, NS);
    double *a = malloc(sizeof(double) * NS * NS), *b = malloc(sizeof(double) * NS * NS);
    double *ref = malloc(sizeof(double) * NS * NS);
    sl_error e;
    for (int metric = 0; metric < 2; metric++) {
        ck_assert_int_eq(sl_roads_matrix(net, s, n, metric, 1, a, &e), SL_OK);
        ck_assert_int_eq(sl_roads_matrix(net, s, n, metric, 2, b, &e), SL_OK);
        ck_assert_int_eq(memcmp(a, b, sizeof(double) * NS * NS), 0);
        ref_matrix(net, s, n, metric, ref);
        int asym = 0;
        for (int i = 0; i < n * n; i++) {
            ck_assert_msg(fabs(a[i] - ref[i]) <= 1e-9 * fmax(1, ref[i]), "%d->%d: %g vs %g",
                          i / n, i % n, a[i], ref[i]);
            asym += fabs(a[i] - a[(i % n) * n + i / n]) > 1e-6;
        }
        ck_assert_int_gt(asym, 0);   /* one-way streets make some pairs differ */
    }
    /* a route's time is its matrix entry */
    sl_road_path p;
    ck_assert_int_eq(sl_roads_matrix(net, s, n, SL_ROAD_TIME, 1, a, &e), SL_OK);
    ck_assert_int_eq(sl_roads_route(net, &s[3], &s[17], SL_ROAD_TIME, &p, &e), SL_OK);
    ck_assert_double_eq_tol(p.time_s, a[3 * n + 17], 1e-6);
    ck_assert_int_gt(p.n, 2);
    sl_road_path_release(&p);
    free(a);
    free(b);
    free(ref);
}
END_TEST

START_TEST(test_far_site)
{
    sl_road_snap s;
    sl_error e;
    /* out at sea, 10 km south of the harbour */
    ck_assert_int_eq(sl_roads_snap(net, 7.42, 43.64, "yacht", &s, &e), SL_ERR_RANGE);
    ck_assert_ptr_nonnull(strstr(e.msg, "yacht"));
}
END_TEST

START_TEST(test_city_delivery)
{
    char *dir = tmp_dir();
    ck_assert_int_eq(run_swarmlab(dir, "run scenarios/city_delivery.lua --set map=" MONACO
                                  " --set stores=60 --steps 10 --out '%s/out'", dir), 0);
    char *man = read_text(path_in(dir, "out/manifest.json"));
    ck_assert_ptr_nonnull(man);
    ck_assert_ptr_nonnull(strstr(man, "\"served\": 60"));
    ck_assert_ptr_nonnull(strstr(man, "OpenStreetMap contributors"));
    free(man);
    char *csv = read_text(path_in(dir, "out/time_matrix.csv"));
    ck_assert_ptr_nonnull(csv);
    int rows = 0;
    for (char *p = csv; *p; p++) rows += *p == '\n';
    ck_assert_int_eq(rows, 62);   /* header, depot, 60 stores */
    free(csv);
    rm_tree(dir);
    free(dir);
}
END_TEST

int main(void)
{
    if (access(MONACO, R_OK) != 0) {
        printf("%s not found: Monaco tests skipped\n", MONACO);
        return 77;
    }
    sl_error e;
    net = sl_roads_create(NULL, MONACO, &e);
    if (!net) {
        printf("%s\n", e.msg);
        return strstr(e.msg, "without OpenStreetMap support") ? 77 : EXIT_FAILURE;
    }
    Suite *su = suite_create("roads_monaco");
    TCase *tc = tcase_create("monaco");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_network);
    tcase_add_test(tc, test_matrix);
    tcase_add_test(tc, test_far_site);
    tcase_add_test(tc, test_city_delivery);
    suite_add_tcase(su, tc);
    SRunner *sr = srunner_create(su);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    sl_roads_destroy(net);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
