/* test_routing.c - instance readers, distance conventions, solution files, candidate lists and
 * local search of the routing model. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "swarmlab/rng.h"
#include "swarmlab/routing.h"
#include "check_skip.h"

static char tmpdir[256];

static void setup_tmp(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/sl_routing_test_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown_tmp(void)
{
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
}

static const char *write_file(const char *name, const char *text)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static sl_instance *load_text(const char *name, const char *text, sl_error *e)
{
    return sl_instance_load(write_file(name, text), e);
}

/* ---- distances on hand-computed pairs ---- */

START_TEST(test_dist_euc_ceil)
{
    ck_assert_int_eq(sl_tsplib_dist(SL_EW_EUC_2D, 0, 0, 3, 4), 5);
    ck_assert_int_eq(sl_tsplib_dist(SL_EW_EUC_2D, 0, 0, 1, 1), 1);   /* 1.414 -> 1 */
    ck_assert_int_eq(sl_tsplib_dist(SL_EW_EUC_2D, 0, 0, 2, 3), 4);   /* 3.606 -> 4 */
    ck_assert_int_eq(sl_tsplib_dist(SL_EW_EUC_2D, 0, 0, 1.5, 2), 3); /* 2.5 -> 3 */
    ck_assert_int_eq(sl_tsplib_dist(SL_EW_CEIL_2D, 0, 0, 1, 1), 2);
    ck_assert_int_eq(sl_tsplib_dist(SL_EW_CEIL_2D, 0, 0, 3, 4), 5);
    ck_assert_int_eq(sl_tsplib_dist(SL_EW_CEIL_2D, 0, 0, 0.1, 0), 1);
}
END_TEST

START_TEST(test_dist_att)
{
    /* r = sqrt(100/10) = 3.162, nint 3 < r -> 4 */
    ck_assert_int_eq(sl_tsplib_dist(SL_EW_ATT, 0, 0, 10, 0), 4);
    /* r = sqrt(2500/10) = 15.81, nint 16 >= r -> 16 */
    ck_assert_int_eq(sl_tsplib_dist(SL_EW_ATT, 0, 0, 30, 40), 16);
    /* att48 nodes 1 and 2: r = sqrt(2234125) = 1494.70 -> 1495 */
    ck_assert_int_eq(sl_tsplib_dist(SL_EW_ATT, 6734, 1453, 2233, 10), 1495);
}
END_TEST

START_TEST(test_dist_geo)
{
    /* DDD.MM coordinates: 38.24 is 38 degrees 24 minutes. Values worked out with the TSPLIB
     * formula (pi = 3.141592, radius 6378.388, truncation to int after adding 1). */
    ck_assert_int_eq(sl_tsplib_dist(SL_EW_GEO, 38.24, 20.42, 39.57, 26.15), 509);
    ck_assert_int_eq(sl_tsplib_dist(SL_EW_GEO, 38.24, 20.42, 36.26, 23.12), 312);
    ck_assert_int_eq(sl_tsplib_dist(SL_EW_GEO, -33.52, 151.13, 51.30, -0.07), 17014);
}
END_TEST

START_TEST(test_explicit_formats)
{
    sl_error e;
    /* the same 4-node symmetric matrix in three formats */
    static const int m[4][4] = {{0, 3, 5, 7}, {3, 0, 4, 6}, {5, 4, 0, 2}, {7, 6, 2, 0}};
    const char *full = "NAME: f\nTYPE: TSP\nDIMENSION: 4\nEDGE_WEIGHT_TYPE: EXPLICIT\n"
                       "EDGE_WEIGHT_FORMAT: FULL_MATRIX\nEDGE_WEIGHT_SECTION\n"
                       "0 3 5 7\n3 0 4 6\n5 4 0 2\n7 6 2 0\nEOF\n";
    const char *upper = "NAME: u\nTYPE: TSP\nDIMENSION: 4\nEDGE_WEIGHT_TYPE: EXPLICIT\n"
                        "EDGE_WEIGHT_FORMAT: UPPER_ROW\nEDGE_WEIGHT_SECTION\n3 5 7\n4 6\n2\nEOF\n";
    const char *lower = "NAME: l\nTYPE: TSP\nDIMENSION: 4\nEDGE_WEIGHT_TYPE: EXPLICIT\n"
                        "EDGE_WEIGHT_FORMAT: LOWER_DIAG_ROW\nEDGE_WEIGHT_SECTION\n"
                        "0\n3 0\n5 4 0\n7 6 2 0\nEOF\n";
    const char *texts[3] = {full, upper, lower};
    for (int f = 0; f < 3; f++) {
        sl_instance *in = load_text("m.tsp", texts[f], &e);
        ck_assert_msg(in != NULL, "%s", e.msg);
        ck_assert_int_eq(in->n, 4);
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++) ck_assert_int_eq(sl_dist(in, i, j), m[i][j]);
        sl_instance_destroy(in);
    }
}
END_TEST

START_TEST(test_load_coords_and_cvrp)
{
    sl_error e;
    sl_instance *in = load_text("a.tsp",
                                "NAME : tiny\nCOMMENT : x\nTYPE : TSP\nDIMENSION : 3\n"
                                "EDGE_WEIGHT_TYPE : EUC_2D\nNODE_COORD_SECTION\n"
                                "1 0 0\n2 3 4\n3 6 8\nEOF\n", &e);
    ck_assert_msg(in != NULL, "%s", e.msg);
    ck_assert_str_eq(in->name, "tiny");
    ck_assert_int_eq(sl_dist(in, 0, 2), 10);
    ck_assert_int_eq(sl_dist(in, 1, 2), 5);
    sl_instance_destroy(in);
    in = load_text("a.vrp",
                   "NAME : v\nTYPE : CVRP\nDIMENSION : 4\nEDGE_WEIGHT_TYPE : EUC_2D \n"
                   "CAPACITY : 10\nNODE_COORD_SECTION \n 1 0 0\n 2 3 4\n 3 -3 4\n 4 0 5\n"
                   "DEMAND_SECTION \n1 0 \n2 4\n3 5\n4 6\nDEPOT_SECTION \n 1 \n -1 \nEOF \n", &e);
    ck_assert_msg(in != NULL, "%s", e.msg);
    ck_assert_int_eq(in->problem, SL_PROB_CVRP);
    ck_assert_int_eq(in->capacity, 10);
    ck_assert_int_eq(in->depot, 0);
    ck_assert_int_eq(in->demand[3], 6);
    sl_instance_destroy(in);
}
END_TEST

/* ---- bad input: one-line message with file and line ---- */

static void expect_error(const char *name, const char *text, const char *needle, int line)
{
    sl_error e;
    sl_error_clear(&e);
    const char *path = write_file(name, text);
    sl_instance *in = sl_instance_load(path, &e);
    ck_assert_msg(in == NULL, "%s: loaded although invalid", name);
    ck_assert_int_ne(e.code, SL_OK);
    ck_assert_msg(strstr(e.msg, needle) != NULL, "'%s' lacks '%s'", e.msg, needle);
    ck_assert_msg(strchr(e.msg, '\n') == NULL, "message has several lines: %s", e.msg);
    char where[600];
    snprintf(where, sizeof where, "%s:%d:", path, line);
    ck_assert_msg(strncmp(e.msg, where, strlen(where)) == 0, "'%s' does not start with '%s'", e.msg,
                  where);
}

START_TEST(test_bad_inputs)
{
    expect_error("nodim.tsp", "NAME: x\nTYPE: TSP\nEDGE_WEIGHT_TYPE: EUC_2D\nNODE_COORD_SECTION\n"
                              "1 0 0\n2 1 1\nEOF\n", "DIMENSION", 4);
    expect_error("few.tsp", "NAME: x\nTYPE: TSP\nDIMENSION: 4\nEDGE_WEIGHT_TYPE: EUC_2D\n"
                            "NODE_COORD_SECTION\n1 0 0\n2 1 1\n3 2 2\nEOF\n", "found 3", 9);
    expect_error("ew.tsp", "NAME: x\nTYPE: TSP\nDIMENSION: 2\nEDGE_WEIGHT_TYPE: MAN_3D\n"
                           "NODE_COORD_SECTION\n1 0 0\n2 1 1\nEOF\n", "MAN_3D", 4);
    expect_error("nan.tsp", "NAME: x\nTYPE: TSP\nDIMENSION: 2\nEDGE_WEIGHT_TYPE: EUC_2D\n"
                            "NODE_COORD_SECTION\n1 0 0\n2 1 abc\nEOF\n", "abc", 7);
    expect_error("dem.vrp", "NAME: v\nTYPE: CVRP\nDIMENSION: 3\nEDGE_WEIGHT_TYPE: EUC_2D\n"
                            "CAPACITY: 10\nNODE_COORD_SECTION\n1 0 0\n2 1 1\n3 2 2\nDEMAND_SECTION\n"
                            "1 0\n2 11\n3 1\nDEPOT_SECTION\n1\n-1\nEOF\n", "exceeds the capacity",
                 12);
    expect_error("nodepot.vrp", "NAME: v\nTYPE: CVRP\nDIMENSION: 3\nEDGE_WEIGHT_TYPE: EUC_2D\n"
                                "CAPACITY: 10\nNODE_COORD_SECTION\n1 0 0\n2 1 1\n3 2 2\n"
                                "DEMAND_SECTION\n1 0\n2 1\n3 1\nEOF\n", "DEPOT_SECTION", 14);
    expect_error("dim0.tsp", "NAME: x\nTYPE: TSP\nDIMENSION: 0\n", "DIMENSION", 3);
    expect_error("word.tsp", "NAME: x\nTYPE: TSP\nDIMENSION: 3\nEDGE_WEIGHT_TYPE: EUC_2D\n"
                             "NODE_COORD_SECTION\n1 0 0\n2 1 1\n3 2 2\nFOO: 3\nEOF\n", "FOO", 9);
    expect_error("ew2.tsp", "NAME: x\nTYPE: TSP\nDIMENSION: 3\nEDGE_WEIGHT_TYPE: EXPLICIT\n"
                            "EDGE_WEIGHT_FORMAT: UPPER_ROW\nEDGE_WEIGHT_SECTION\n1 2\nEOF\n",
                 "EOF", 8);
    expect_error("asym.tsp", "NAME: x\nTYPE: TSP\nDIMENSION: 2\nEDGE_WEIGHT_TYPE: EXPLICIT\n"
                             "EDGE_WEIGHT_FORMAT: FULL_MATRIX\nEDGE_WEIGHT_SECTION\n0 1\n2 0\nEOF\n",
                 "not symmetric", 8);
    sl_error e;
    ck_assert_ptr_null(sl_instance_load("/nonexistent/x.tsp", &e));
    ck_assert_int_eq(e.code, SL_ERR_IO);
    ck_assert_ptr_nonnull(strstr(e.msg, "/nonexistent/x.tsp"));
}
END_TEST

START_TEST(test_tiny_instances)
{
    sl_error e;
    for (int n = 1; n <= 3; n++) {
        char text[400];
        int k = snprintf(text, sizeof text, "NAME: t\nTYPE: TSP\nDIMENSION: %d\n"
                                            "EDGE_WEIGHT_TYPE: EUC_2D\nNODE_COORD_SECTION\n", n);
        for (int i = 0; i < n; i++) k += snprintf(text + k, sizeof text - k, "%d %d 0\n", i + 1, i);
        snprintf(text + k, sizeof text - k, "EOF\n");
        sl_instance *in = load_text("t.tsp", text, &e);
        ck_assert_msg(in != NULL, "%s", e.msg);
        int t[3] = {0, 1, 2};
        ck_assert_int_eq(sl_tour_length(in, t), n == 1 ? 0 : 2 * (n - 1));
        sl_instance_destroy(in);
    }
}
END_TEST

/* ---- random instances ---- */

static sl_instance *random_instance(int n, uint64_t seed)
{
    double *x = malloc((size_t)n * sizeof *x), *y = malloc((size_t)n * sizeof *y);
    for (int i = 0; i < n; i++) {
        sl_rng r = sl_rng_make(seed, 1, (uint64_t)i, 0);
        x[i] = sl_rng_range(&r, 0, 1000);
        y[i] = sl_rng_range(&r, 0, 1000);
    }
    sl_instance *in = sl_instance_from_coords("rand", n, x, y, SL_EW_EUC_2D);
    free(x);
    free(y);
    return in;
}

static void random_tour(int *t, int n, uint64_t seed)
{
    for (int i = 0; i < n; i++) t[i] = i;
    sl_rng r = sl_rng_make(seed, 2, 0, 0);
    for (int i = n - 1; i > 0; i--) {
        int j = (int)sl_rng_below(&r, (uint32_t)i + 1), s = t[i];
        t[i] = t[j];
        t[j] = s;
    }
}

START_TEST(test_candidates)
{
    sl_instance *in = random_instance(200, 5);
    int k = 10;
    int *c1 = sl_candidates_build(in, k, 1), *c2 = sl_candidates_build(in, k, 2);
    ck_assert_int_eq(memcmp(c1, c2, 200 * (size_t)k * sizeof(int)), 0);
    for (int i = 0; i < 200; i++) {
        int *row = c1 + i * k;
        for (int q = 0; q < k; q++) {
            ck_assert_int_ne(row[q], i);
            if (q) ck_assert_int_le(sl_dist(in, i, row[q - 1]), sl_dist(in, i, row[q]));
        }
        /* nothing outside the list is closer than its last entry */
        for (int j = 0; j < 200; j++) {
            int inlist = j == i;
            for (int q = 0; q < k; q++) inlist |= row[q] == j;
            if (!inlist) ck_assert_int_ge(sl_dist(in, i, j), sl_dist(in, i, row[k - 1]));
        }
    }
    free(c1);
    free(c2);
    sl_instance_destroy(in);
}
END_TEST

START_TEST(test_tsp_ls_moves_valid)
{
    /* every move is checked (permutation, exact gain); the final tour never got longer */
    for (int rep = 0; rep < 6; rep++) {
        int n = 30 + 37 * rep, k = 8;
        sl_instance *in = random_instance(n, 100 + (uint64_t)rep);
        int *cand = sl_candidates_build(in, k, 1);
        sl_tsp_ls *ls = sl_tsp_ls_create(in, cand, k);
        int *t = malloc((size_t)n * sizeof *t);
        for (int kind = SL_LS_2OPT; kind <= SL_LS_3OPT; kind++) {
            random_tour(t, n, (uint64_t)rep);
            long long before = sl_tour_length(in, t);
            long long g = sl_tsp_ls_run(ls, (sl_ls_kind)kind, t, 1);
            ck_assert_msg(g >= 0, "check failed for %s on n=%d", sl_ls_kind_name(kind), n);
            ck_assert(sl_tour_valid(n, t));
            ck_assert_int_eq(sl_tour_length(in, t), before - g);
            ck_assert_int_gt(sl_tsp_ls_moves(ls), 0);
            /* don't-look bits are a heuristic: a re-run may still find moves, but it never
             * lengthens the tour and reaches a fixed point */
            long long again;
            int runs = 0;
            do {
                long long l0 = sl_tour_length(in, t);
                again = sl_tsp_ls_run(ls, (sl_ls_kind)kind, t, 1);
                ck_assert_int_ge(again, 0);
                ck_assert_int_eq(sl_tour_length(in, t), l0 - again);
            } while (again > 0 && ++runs < 50);
            ck_assert_int_eq(again, 0);
        }
        free(t);
        sl_tsp_ls_destroy(ls);
        free(cand);
        sl_instance_destroy(in);
    }
}
END_TEST

START_TEST(test_tsp_ls_3opt_beats_2opt_on_average)
{
    int n = 300, k = 10;
    sl_instance *in = random_instance(n, 77);
    int *cand = sl_candidates_build(in, k, 1);
    sl_tsp_ls *ls = sl_tsp_ls_create(in, cand, k);
    int *t = malloc((size_t)n * sizeof *t);
    long long sum2 = 0, sum3 = 0;
    for (int rep = 0; rep < 5; rep++) {
        random_tour(t, n, 50 + (uint64_t)rep);
        sl_tsp_ls_run(ls, SL_LS_2OPT, t, 0);
        sum2 += sl_tour_length(in, t);
        random_tour(t, n, 50 + (uint64_t)rep);
        sl_tsp_ls_run(ls, SL_LS_3OPT, t, 0);
        sum3 += sl_tour_length(in, t);
    }
    ck_assert_int_lt(sum3, sum2);
    free(t);
    sl_tsp_ls_destroy(ls);
    free(cand);
    sl_instance_destroy(in);
}
END_TEST

START_TEST(test_large_without_matrix)
{
    /* 10 000 nodes: no distance matrix, candidate lists only */
    int n = 10000, k = 6;
    sl_instance *in = random_instance(n, 9);
    ck_assert_ptr_null(in->dist);
    int *cand = sl_candidates_build(in, k, 2);
    ck_assert_ptr_nonnull(cand);
    sl_tsp_ls *ls = sl_tsp_ls_create(in, cand, k);
    /* start from a strip tour (sorted in bands), so the search is short */
    int *t = malloc((size_t)n * sizeof *t);
    int m = 0, bands = 50;
    for (int b = 0; b < bands; b++) {
        int start = m;
        for (int i = 0; i < n; i++)
            if ((int)(in->y[i] / (1000.0 / bands)) == b) t[m++] = i;
        for (int i = start + 1; i < m; i++) { /* insertion sort by x, alternating direction */
            int v = t[i], j = i - 1;
            while (j >= start && ((b & 1) ? in->x[t[j]] < in->x[v] : in->x[t[j]] > in->x[v])) {
                t[j + 1] = t[j];
                j--;
            }
            t[j + 1] = v;
        }
    }
    ck_assert_int_eq(m, n);
    long long before = sl_tour_length(in, t);
    long long g = sl_tsp_ls_run(ls, SL_LS_OROPT, t, 0);
    ck_assert_int_gt(g, 0);
    ck_assert(sl_tour_valid(n, t));
    ck_assert_int_eq(sl_tour_length(in, t), before - g);
    free(t);
    sl_tsp_ls_destroy(ls);
    free(cand);
    sl_instance_destroy(in);
}
END_TEST

static sl_instance *random_cvrp(int n, uint64_t seed, int cap)
{
    sl_instance *in = random_instance(n, seed);
    int *d = malloc((size_t)n * sizeof *d);
    for (int i = 0; i < n; i++) {
        sl_rng r = sl_rng_make(seed, 3, (uint64_t)i, 0);
        d[i] = 1 + (int)sl_rng_below(&r, 30);
    }
    sl_error e;
    ck_assert_int_eq(sl_instance_make_cvrp(in, cap, d, 0, &e), SL_OK);
    free(d);
    return in;
}

static void sweep_routes(const sl_instance *in, sl_routes *r, uint64_t seed)
{
    int n = in->n, *order = malloc((size_t)n * sizeof *order), m = 0;
    random_tour(order, n, seed);
    int *buf = malloc((size_t)n * sizeof *buf), bl = 0, load = 0;
    sl_routes_clear(r);
    for (int i = 0; i < n; i++) {
        int c = order[i];
        if (c == in->depot) continue;
        if (load + in->demand[c] > in->capacity) {
            sl_routes_add(r, buf, bl);
            bl = 0;
            load = 0;
        }
        buf[bl++] = c;
        load += in->demand[c];
        m++;
    }
    if (bl) sl_routes_add(r, buf, bl);
    free(buf);
    free(order);
}

START_TEST(test_cvrp_ls_moves_valid)
{
    for (int rep = 0; rep < 6; rep++) {
        int n = 20 + 25 * rep, k = 10;
        sl_instance *in = random_cvrp(n, 40 + (uint64_t)rep, 60 + 20 * (rep % 3));
        int *cand = sl_candidates_build(in, k, 1);
        sl_cvrp_ls *ls = sl_cvrp_ls_create(in, cand, k);
        sl_routes r;
        sl_routes_init(&r);
        sweep_routes(in, &r, (uint64_t)rep);
        sl_error e;
        ck_assert_int_eq(sl_routes_check(in, &r, &e), SL_OK);
        long long before = sl_routes_cost(in, &r);
        long long g = sl_cvrp_ls_run(ls, &r, 1);
        ck_assert_msg(g > 0, "check failed or no improvement (g=%lld) n=%d", g, n);
        ck_assert_msg(sl_routes_check(in, &r, &e) == SL_OK, "%s", e.msg);
        ck_assert_int_eq(sl_routes_cost(in, &r), before - g);
        ck_assert_int_eq(sl_cvrp_ls_run(ls, &r, 1), 0);
        /* cheapest insertion keeps feasibility */
        sl_routes_release(&r);
        sl_cvrp_ls_destroy(ls);
        free(cand);
        sl_instance_destroy(in);
    }
}
END_TEST

/* ---- ruin and recreate ---- */

static int same_routes(const sl_routes *a, const sl_routes *b)
{
    if (a->nroutes != b->nroutes) return 0;
    for (int q = 0; q <= a->nroutes; q++)
        if (a->start[q] != b->start[q]) return 0;
    return memcmp(a->nodes, b->nodes, (size_t)a->start[a->nroutes] * sizeof(int)) == 0;
}

static void copy_routes(sl_routes *dst, const sl_routes *src)
{
    sl_routes_clear(dst);
    for (int q = 0; q < src->nroutes; q++)
        ck_assert_int_eq(sl_routes_add(dst, src->nodes + src->start[q],
                                       src->start[q + 1] - src->start[q]), SL_OK);
}

/* Every step, accepted or not, is checked: all customers once, loads within capacity, the
 * returned cost is the route set's cost, the input is left as it was, and the same random key
 * gives the same result. Walks with a greedy acceptance must also improve on the sweep. */
START_TEST(test_cvrp_rr_steps_valid)
{
    for (int rep = 0; rep < 6; rep++) {
        int n = 8 + 23 * rep;
        /* tight capacities (near the largest demand, so routes of one or two) to loose ones */
        int cap = rep % 3 == 0 ? 35 : rep % 3 == 1 ? 80 : 400;
        sl_instance *in = random_cvrp(n, 70 + (uint64_t)rep, cap);
        sl_cvrp_rr_def def = sl_cvrp_rr_def_default();
        if (rep == 4) def.blink = 0.0;
        if (rep == 5) def.split = 1.0;
        sl_cvrp_rr *rr = sl_cvrp_rr_create(in, &def);
        ck_assert_ptr_nonnull(rr);
        sl_routes cur, nw, again, before;
        sl_routes_init(&cur);
        sl_routes_init(&nw);
        sl_routes_init(&again);
        sl_routes_init(&before);
        sweep_routes(in, &cur, (uint64_t)rep);
        long long cc = sl_routes_cost(in, &cur), start = cc;
        sl_error e;
        for (int step = 0; step < 1500; step++) {
            copy_routes(&before, &cur);
            sl_rng g = sl_rng_make(9, 1, (uint64_t)step, (uint64_t)rep);
            long long c = sl_cvrp_rr_apply(rr, &cur, &nw, &g);
            ck_assert_msg(sl_routes_check(in, &nw, &e) == SL_OK, "n=%d step %d: %s", n, step,
                          e.msg);
            ck_assert_int_eq(c, sl_routes_cost(in, &nw));
            ck_assert(same_routes(&before, &cur));
            int nrem = sl_cvrp_rr_last_removed(rr);
            ck_assert_msg(nrem >= 1 && nrem <= n - 1, "removed %d of %d", nrem, n - 1);
            sl_rng g2 = sl_rng_make(9, 1, (uint64_t)step, (uint64_t)rep);
            ck_assert_int_eq(sl_cvrp_rr_apply(rr, &cur, &again, &g2), c);
            ck_assert(same_routes(&again, &nw));
            if (c <= cc) {
                sl_routes t = cur;
                cur = nw;
                nw = t;
                cc = c;
            }
        }
        ck_assert_msg(cc < start, "n=%d: no improvement on the sweep (%lld)", n, start);
        sl_routes_release(&cur);
        sl_routes_release(&nw);
        sl_routes_release(&again);
        sl_routes_release(&before);
        sl_cvrp_rr_destroy(rr);
        sl_instance_destroy(in);
    }
}
END_TEST

/* Optimum of a tiny CVRP by brute force: every order of the customers, each split into
 * consecutive routes optimally (shortest path over the split points). */
static long long brute_force_cvrp(const sl_instance *in)
{
    int m = 0, cust[8], perm[8];
    for (int v = 0; v < in->n; v++)
        if (v != in->depot) cust[m++] = v;
    for (int i = 0; i < m; i++) perm[i] = i;
    long long best = -1;
    for (;;) {
        long long f[9];
        f[0] = 0;
        for (int j = 1; j <= m; j++) {
            f[j] = -1;
            for (int i = 0; i < j; i++) { /* route of customers i..j-1 */
                long long load = 0, len = 0;
                int prev = in->depot;
                for (int t = i; t < j; t++) {
                    int c = cust[perm[t]];
                    load += in->demand[c];
                    len += sl_dist(in, prev, c);
                    prev = c;
                }
                if (load > in->capacity) continue;
                len += sl_dist(in, prev, in->depot);
                if (f[i] >= 0 && (f[j] < 0 || f[i] + len < f[j])) f[j] = f[i] + len;
            }
        }
        if (f[m] >= 0 && (best < 0 || f[m] < best)) best = f[m];
        int i = m - 2; /* next permutation */
        while (i >= 0 && perm[i] > perm[i + 1]) i--;
        if (i < 0) break;
        int j = m - 1;
        while (perm[j] < perm[i]) j--;
        int t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
        for (int a = i + 1, b = m - 1; a < b; a++, b--) {
            t = perm[a];
            perm[a] = perm[b];
            perm[b] = t;
        }
    }
    return best;
}

/* The restricted local search (sl_cvrp_ls_run_from) after ruin-and-recreate steps: from a local
 * optimum of the full search, with the changed routes as seeds, it must end in a local optimum of
 * the full search again (a full run afterwards finds nothing), keep every move valid (check), and
 * from all customers as seeds it must also optimise an arbitrary solution completely. */
START_TEST(test_cvrp_ls_restricted_complete)
{
    long long restricted_moves = 0;
    for (int rep = 0; rep < 6; rep++) {
        int n = 30 + 30 * rep, k = 6 + 3 * (rep % 3);
        int cap = rep % 3 == 0 ? 60 : rep % 3 == 1 ? 120 : 300;
        sl_instance *in = random_cvrp(n, 500 + (uint64_t)rep, cap);
        int *cand = sl_candidates_build(in, k, 1);
        sl_cvrp_ls *ls = sl_cvrp_ls_create(in, cand, k);
        sl_cvrp_rr *rr = sl_cvrp_rr_create(in, NULL);
        ck_assert_ptr_nonnull(ls);
        ck_assert_ptr_nonnull(rr);
        sl_routes cur, nw, full;
        sl_routes_init(&cur);
        sl_routes_init(&nw);
        sl_routes_init(&full);
        sl_error e;
        /* every customer as a seed: a complete search from the sweep */
        sweep_routes(in, &cur, (uint64_t)rep);
        long long before = sl_routes_cost(in, &cur);
        int *all = malloc((size_t)n * sizeof(int));
        for (int v = 0; v < n; v++) all[v] = v; /* the depot is ignored */
        long long g = sl_cvrp_ls_run_from(ls, &cur, all, n, 1);
        ck_assert_msg(g > 0, "n=%d: g=%lld", n, g);
        ck_assert_int_eq(sl_routes_cost(in, &cur), before - g);
        copy_routes(&full, &cur);
        ck_assert_int_eq(sl_cvrp_ls_run(ls, &full, 1), 0);
        long long cc = sl_routes_cost(in, &cur);
        for (int step = 0; step < 150000 / n; step++) {
            sl_rng rg = sl_rng_make(11, 3, (uint64_t)step, (uint64_t)rep);
            ck_assert_int_ge(sl_cvrp_rr_apply(rr, &cur, &nw, &rg), 0);
            const int *ch;
            int nch = sl_cvrp_rr_last_changed(rr, &ch);
            ck_assert_int_ge(nch, 1);
            long long kicked = sl_routes_cost(in, &nw);
            g = sl_cvrp_ls_run_from(ls, &nw, ch, nch, 1);
            ck_assert_msg(g >= 0, "n=%d step %d: check failed", n, step);
            restricted_moves += sl_cvrp_ls_moves(ls);
            ck_assert_msg(sl_routes_check(in, &nw, &e) == SL_OK, "%s", e.msg);
            ck_assert_int_eq(sl_routes_cost(in, &nw), kicked - g);
            copy_routes(&full, &nw);
            long long missed = sl_cvrp_ls_run(ls, &full, 1);
            ck_assert_msg(missed == 0, "n=%d k=%d step %d: the full search still gained %lld", n,
                          k, step, missed);
            long long c = sl_routes_cost(in, &nw);
            if (c <= cc) { /* walk on local optima */
                sl_routes t = cur;
                cur = nw;
                nw = t;
                cc = c;
            }
        }
        free(all);
        sl_routes_release(&cur);
        sl_routes_release(&nw);
        sl_routes_release(&full);
        sl_cvrp_rr_destroy(rr);
        sl_cvrp_ls_destroy(ls);
        free(cand);
        sl_instance_destroy(in);
    }
    ck_assert_int_gt(restricted_moves, 100); /* the steps gave the search work to do */
}
END_TEST

/* A short annealing walk of ruin-and-recreate steps from one route per customer reaches the
 * brute-force optimum of random 7-8 customer instances. */
START_TEST(test_cvrp_rr_finds_brute_force_optimum)
{
    for (int rep = 0; rep < 8; rep++) {
        int n = 8 + rep % 2;
        sl_instance *in = random_cvrp(n, 300 + (uint64_t)rep, 40 + 10 * (rep % 3));
        long long opt = brute_force_cvrp(in);
        ck_assert_int_gt(opt, 0);
        sl_cvrp_rr *rr = sl_cvrp_rr_create(in, NULL);
        sl_routes cur, nw;
        sl_routes_init(&cur);
        sl_routes_init(&nw);
        for (int v = 1; v < n; v++) sl_routes_add(&cur, &v, 1);
        long long cc = sl_routes_cost(in, &cur), best = cc;
        int steps = 3000;
        for (int step = 0; step < steps; step++) {
            double t = 50.0 * (1.0 - (double)step / steps);
            sl_rng g = sl_rng_make(5, 2, (uint64_t)step, (uint64_t)rep);
            long long c = sl_cvrp_rr_apply(rr, &cur, &nw, &g);
            ck_assert_int_ge(c, opt);
            if ((double)c < (double)cc - t * log(sl_rng_uniform_pos(&g))) {
                sl_routes tmp = cur;
                cur = nw;
                nw = tmp;
                cc = c;
                if (c < best) best = c;
            }
        }
        ck_assert_msg(best == opt, "instance %d: walk %lld, optimum %lld", rep, best, opt);
        sl_routes_release(&cur);
        sl_routes_release(&nw);
        sl_cvrp_rr_destroy(rr);
        sl_instance_destroy(in);
    }
}
END_TEST

/* ---- solution files ---- */

START_TEST(test_tour_roundtrip)
{
    int n = 40;
    sl_instance *in = random_instance(n, 3);
    int t[40], u[40];
    random_tour(t, n, 4);
    sl_error e;
    char path[512];
    snprintf(path, sizeof path, "%s/x.tour", tmpdir);
    ck_assert_int_eq(sl_tour_write(path, in, t, &e), SL_OK);
    long long len = 0;
    ck_assert_msg(sl_tour_read(path, in, u, &len, &e) == SL_OK, "%s", e.msg);
    ck_assert_int_eq(memcmp(t, u, sizeof t), 0);
    ck_assert_int_eq(len, sl_tour_length(in, t));
    /* a repeated node is an error naming the line */
    const char *bad = write_file("bad.tour", "NAME: b\nTYPE: TOUR\nDIMENSION: 3\nTOUR_SECTION\n"
                                             "1\n2\n2\n-1\nEOF\n");
    sl_instance *in3 = random_instance(3, 1);
    int v[3];
    ck_assert_int_ne(sl_tour_read(bad, in3, v, &len, &e), SL_OK);
    ck_assert_ptr_nonnull(strstr(e.msg, "bad.tour:7:"));
    sl_instance_destroy(in3);
    sl_instance_destroy(in);
}
END_TEST

START_TEST(test_routes_roundtrip)
{
    sl_instance *in = random_cvrp(30, 8, 80);
    sl_routes r, s;
    sl_routes_init(&r);
    sl_routes_init(&s);
    sweep_routes(in, &r, 2);
    sl_error e;
    char path[512];
    snprintf(path, sizeof path, "%s/x.sol", tmpdir);
    ck_assert_int_eq(sl_routes_write(path, in, &r, &e), SL_OK);
    long long cost = 0;
    ck_assert_msg(sl_routes_read(path, in, &s, &cost, &e) == SL_OK, "%s", e.msg);
    ck_assert_int_eq(cost, sl_routes_cost(in, &r));
    ck_assert_int_eq(s.nroutes, r.nroutes);
    ck_assert_int_eq(memcmp(s.nodes, r.nodes, (size_t)r.start[r.nroutes] * sizeof(int)), 0);
    /* wrong stated cost, missing customer, overloaded route */
    const char *bad1 = write_file("c.sol", "Route #1: 1 2\nCost 1\n");
    ck_assert_int_ne(sl_routes_read(bad1, in, &s, &cost, &e), SL_OK);
    const char *bad2 = write_file("d.sol", "Route #1: 1 2 x\n");
    ck_assert_int_ne(sl_routes_read(bad2, in, &s, &cost, &e), SL_OK);
    ck_assert_ptr_nonnull(strstr(e.msg, "d.sol:1:"));
    char text[2000];
    int k = snprintf(text, sizeof text, "Route #1:");
    for (int i = 1; i < 30; i++) k += snprintf(text + k, sizeof text - k, " %d", i);
    snprintf(text + k, sizeof text - k, "\n");
    const char *bad3 = write_file("e.sol", text);
    ck_assert_int_ne(sl_routes_read(bad3, in, &s, &cost, &e), SL_OK);
    ck_assert_ptr_nonnull(strstr(e.msg, "exceeds capacity"));
    sl_routes_release(&r);
    sl_routes_release(&s);
    sl_instance_destroy(in);
}
END_TEST

START_TEST(test_shipped_instances)
{
    const char *src = getenv("SWARMLAB_SOURCE_DIR");
    char path[1024];
    const char *names[] = {"rand12.tsp", "rand60.tsp", "att8.tsp", "geo6.tsp", "small16.vrp"};
    for (int i = 0; i < 5; i++) {
        snprintf(path, sizeof path, "%s/assets/instances/%s", src ? src : ".", names[i]);
        sl_error e;
        sl_instance *in = sl_instance_load(path, &e);
        ck_assert_msg(in != NULL, "%s", e.msg);
        sl_instance_destroy(in);
    }
}
END_TEST

START_TEST(test_shared_data_conventions)
{
    /* with ../shared/data: a known optimal A-n32-k5 solution re-evaluates to its optimum 784 */
    const char *src = getenv("SWARMLAB_SOURCE_DIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/../shared/data/cvrplib/A-n32-k5.vrp", src ? src : ".");
    if (access(path, R_OK) != 0) sl_skip("no %s", path);
    sl_error e;
    sl_instance *in = sl_instance_load(path, &e);
    ck_assert_msg(in != NULL, "%s", e.msg);
    const char *sol = write_file("A-n32-k5.sol",
                                 "Route #1: 21 31 19 17 13 7 26\nRoute #2: 12 1 16 30\n"
                                 "Route #3: 27 24\nRoute #4: 29 18 8 9 22 15 10 25 5 20\n"
                                 "Route #5: 14 28 11 4 23 3 2 6\nCost 784\n");
    sl_routes r;
    sl_routes_init(&r);
    long long cost = 0;
    ck_assert_msg(sl_routes_read(sol, in, &r, &cost, &e) == SL_OK, "%s", e.msg);
    ck_assert_int_eq(cost, 784);
    ck_assert_int_eq(r.nroutes, 5);
    sl_routes_release(&r);
    sl_instance_destroy(in);
}
END_TEST

static Suite *routing_suite(void)
{
    Suite *s = suite_create("routing");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup_tmp, teardown_tmp);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_dist_euc_ceil);
    tcase_add_test(tc, test_dist_att);
    tcase_add_test(tc, test_dist_geo);
    tcase_add_test(tc, test_explicit_formats);
    tcase_add_test(tc, test_load_coords_and_cvrp);
    tcase_add_test(tc, test_bad_inputs);
    tcase_add_test(tc, test_tiny_instances);
    tcase_add_test(tc, test_candidates);
    tcase_add_test(tc, test_tsp_ls_moves_valid);
    tcase_add_test(tc, test_tsp_ls_3opt_beats_2opt_on_average);
    tcase_add_test(tc, test_large_without_matrix);
    tcase_add_test(tc, test_cvrp_ls_moves_valid);
    tcase_add_test(tc, test_cvrp_rr_steps_valid);
    tcase_add_test(tc, test_cvrp_ls_restricted_complete);
    tcase_add_test(tc, test_cvrp_rr_finds_brute_force_optimum);
    tcase_add_test(tc, test_tour_roundtrip);
    tcase_add_test(tc, test_routes_roundtrip);
    tcase_add_test(tc, test_shipped_instances);
    suite_add_tcase(s, tc);
    tc = sl_needs_case(s, "shared_data", 120);
    tcase_add_checked_fixture(tc, setup_tmp, teardown_tmp);
    tcase_add_test(tc, test_shared_data_conventions);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(routing_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
