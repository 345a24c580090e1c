/* test_aco.c - ant colony: brute-force optima on small instances, determinism across thread
 * counts, stopping rules, parameter errors, trivial instances, the command line scenario. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../src/aco_view.h"
#include "swarmlab/aco.h"
#include "swarmlab/rng.h"
#include "check_skip.h"

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

/* ---- brute force ---- */

static int next_perm(int *a, int n)
{
    int i = n - 2;
    while (i >= 0 && a[i] >= a[i + 1]) i--;
    if (i < 0) return 0;
    int j = n - 1;
    while (a[j] <= a[i]) j--;
    int t = a[i]; a[i] = a[j]; a[j] = t;
    for (int l = i + 1, r = n - 1; l < r; l++, r--) { t = a[l]; a[l] = a[r]; a[r] = t; }
    return 1;
}

static long long brute_tsp(const sl_instance *in)
{
    int n = in->n, p[16];
    for (int i = 0; i < n - 1; i++) p[i] = i + 1;
    long long best = -1;
    do {
        long long s = sl_dist(in, 0, p[0]) + sl_dist(in, p[n - 2], 0);
        for (int i = 0; i + 1 < n - 1; i++) s += sl_dist(in, p[i], p[i + 1]);
        if (best < 0 || s < best) best = s;
    } while (next_perm(p, n - 1));
    return best;
}

/* CVRP optimum: every customer order, each split optimally into routes (shortest path). */
static long long brute_cvrp(const sl_instance *in)
{
    int m = in->n - 1, p[16];
    for (int i = 0; i < m; i++) p[i] = i + 1;
    long long best = -1;
    do {
        long long f[17];
        f[0] = 0;
        for (int j = 1; j <= m; j++) {
            f[j] = -1;
            long long load = 0, inner = 0;
            for (int i = j; i >= 1; i--) { /* route p[i-1..j-1] */
                load += in->demand[p[i - 1]];
                if (load > in->capacity) break;
                if (i < j) inner += sl_dist(in, p[i - 1], p[i]);
                long long c = f[i - 1] + sl_dist(in, 0, p[i - 1]) + inner + sl_dist(in, p[j - 1], 0);
                if (f[j] < 0 || c < f[j]) f[j] = c;
            }
        }
        if (best < 0 || f[m] < best) best = f[m];
    } while (next_perm(p, m));
    return best;
}

static sl_aco *make(const sl_instance *in, sl_aco_variant v, sl_ls_kind ls, int iters,
                           int threads, uint64_t seed)
{
    sl_aco_def p;
    p = sl_aco_def_default();
    p.variant = v;
    p.ls = ls;
    p.iterations = iters;
    p.threads = threads;
    p.seed = seed;
    p.kicks = 100; /* a CVRP's kicks at a tenth of the default: these runs are short */
    sl_error e;
    sl_aco *c = sl_aco_create(in, &p, &e);
    ck_assert_msg(c != NULL, "%s", e.msg);
    return c;
}

START_TEST(test_brute_force_tsp)
{
    for (int n = 8; n <= 10; n++) {
        sl_instance *in = random_instance(n, 300 + (uint64_t)n);
        long long opt = brute_tsp(in);
        for (int v = SL_ACO_AS; v <= SL_ACO_RAS; v++)
            for (int ls = SL_LS_2OPT; ls <= SL_LS_3OPT; ls++) {
                sl_aco *c = make(in, (sl_aco_variant)v, (sl_ls_kind)ls, 30, 2, 11);
                ck_assert_int_eq(sl_aco_run(c, NULL), SL_OK);
                ck_assert_msg(sl_aco_best_cost(c) == opt, "n=%d %s+%s: %lld, optimum %lld", n,
                              sl_aco_variant_name(v), sl_ls_kind_name(ls), sl_aco_best_cost(c),
                              opt);
                int len;
                const int *t = sl_aco_best_sequence(c, &len);
                ck_assert_int_eq(len, n);
                ck_assert(sl_tour_valid(n, t));
                ck_assert_int_eq(sl_tour_length(in, t), opt);
                sl_aco_destroy(c);
            }
        sl_instance_destroy(in);
    }
}
END_TEST

START_TEST(test_brute_force_tsp_without_ls)
{
    sl_instance *in = random_instance(8, 17);
    long long opt = brute_tsp(in);
    for (int v = SL_ACO_AS; v <= SL_ACO_RAS; v++) {
        sl_aco *c = make(in, (sl_aco_variant)v, SL_LS_NONE, 200, 1, 5);
        ck_assert_int_eq(sl_aco_run(c, NULL), SL_OK);
        ck_assert_msg(sl_aco_best_cost(c) == opt, "%s: %lld vs %lld", sl_aco_variant_name(v),
                      sl_aco_best_cost(c), opt);
        sl_aco_destroy(c);
    }
    sl_instance_destroy(in);
}
END_TEST

START_TEST(test_brute_force_cvrp)
{
    for (int rep = 0; rep < 3; rep++) {
        sl_instance *in = random_cvrp(8, 500 + (uint64_t)rep, 45);
        long long opt = brute_cvrp(in);
        for (int v = SL_ACO_AS; v <= SL_ACO_RAS; v++) {
            sl_aco *c = make(in, (sl_aco_variant)v, SL_LS_3OPT, 30, 2, 3);
            ck_assert_int_eq(sl_aco_run(c, NULL), SL_OK);
            ck_assert_msg(sl_aco_best_cost(c) == opt, "cvrp %d %s: %lld vs %lld", rep,
                          sl_aco_variant_name(v), sl_aco_best_cost(c), opt);
            sl_routes r;
            sl_routes_init(&r);
            ck_assert_int_eq(sl_aco_best_routes(c, &r), SL_OK);
            sl_error e;
            ck_assert_msg(sl_routes_check(in, &r, &e) == SL_OK, "%s", e.msg);
            ck_assert_int_eq(sl_routes_cost(in, &r), opt);
            sl_routes_release(&r);
            sl_aco_destroy(c);
        }
        sl_instance_destroy(in);
    }
}
END_TEST

/* ---- determinism ---- */

static void run_signature(const sl_instance *in, sl_aco_variant v, sl_ls_kind ls, int threads,
                          long long *cost, int *seq, int *len, long long *hist_sum)
{
    sl_aco *c = make(in, v, ls, 15, threads, 42);
    ck_assert_int_eq(sl_aco_run(c, NULL), SL_OK);
    *cost = sl_aco_best_cost(c);
    const int *s = sl_aco_best_sequence(c, len);
    memcpy(seq, s, (size_t)*len * sizeof(int));
    int nh;
    const sl_aco_record *h = sl_aco_history(c, &nh);
    unsigned long long sum = 0;
    for (int i = 0; i < nh; i++)
        sum = sum * 31u + (unsigned long long)h[i].iter_best +
              (unsigned long long)(h[i].branching * 1e6);
    *hist_sum = (long long)(sum >> 1);
    /* the pheromone matrix too */
    const double *tau = sl_aco_pheromone(c);
    unsigned long long hsh = 1469598103934665603ULL;
    for (int i = 0; i < in->n * in->n; i++) {
        unsigned long long b;
        memcpy(&b, &tau[i], sizeof b);
        hsh = (hsh ^ b) * 1099511628211ULL;
    }
    *hist_sum ^= (long long)(hsh >> 1);
    sl_aco_destroy(c);
}

START_TEST(test_determinism_threads)
{
    sl_instance *tsp = random_instance(120, 7);
    sl_instance *vrp = random_cvrp(50, 8, 100);
    struct { sl_instance *in; sl_aco_variant v; sl_ls_kind ls; } cases[] = {
        {tsp, SL_ACO_MMAS, SL_LS_3OPT}, {tsp, SL_ACO_ACS, SL_LS_NONE}, {tsp, SL_ACO_AS, SL_LS_2OPT},
        {tsp, SL_ACO_RAS, SL_LS_OROPT}, {vrp, SL_ACO_MMAS, SL_LS_3OPT}, {vrp, SL_ACO_ACS, SL_LS_2OPT}};
    int *s1 = malloc(400 * sizeof(int)), *s2 = malloc(400 * sizeof(int));
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        long long c1, h1;
        int l1;
        run_signature(cases[k].in, cases[k].v, cases[k].ls, 1, &c1, s1, &l1, &h1);
        for (int t = 2; t <= 4; t++) {
            long long c2, h2;
            int l2;
            run_signature(cases[k].in, cases[k].v, cases[k].ls, t, &c2, s2, &l2, &h2);
            ck_assert_msg(c1 == c2 && l1 == l2 && h1 == h2, "case %zu differs on %d threads", k, t);
            ck_assert_int_eq(memcmp(s1, s2, (size_t)l1 * sizeof(int)), 0);
        }
        /* and on re-run */
        long long c3, h3;
        int l3;
        run_signature(cases[k].in, cases[k].v, cases[k].ls, 2, &c3, s2, &l3, &h3);
        ck_assert(c3 == c1 && h3 == h1);
    }
    free(s1);
    free(s2);
    sl_instance_destroy(tsp);
    sl_instance_destroy(vrp);
}
END_TEST

START_TEST(test_seed_matters)
{
    sl_instance *in = random_instance(80, 9);
    sl_aco *a = make(in, SL_ACO_AS, SL_LS_NONE, 3, 1, 1);
    sl_aco *b = make(in, SL_ACO_AS, SL_LS_NONE, 3, 1, 2);
    ck_assert_int_eq(sl_aco_run(a, NULL), SL_OK);
    ck_assert_int_eq(sl_aco_run(b, NULL), SL_OK);
    int na, nb;
    const sl_aco_record *ha = sl_aco_history(a, &na), *hb = sl_aco_history(b, &nb);
    int differ = 0;
    for (int i = 0; i < na && i < nb; i++) differ |= ha[i].iter_best != hb[i].iter_best;
    ck_assert(differ);
    sl_aco_destroy(a);
    sl_aco_destroy(b);
    sl_instance_destroy(in);
}
END_TEST

/* ---- stopping, record, errors ---- */

START_TEST(test_stopping_and_record)
{
    sl_instance *in = random_instance(9, 21);
    long long opt = brute_tsp(in);
    sl_aco_def p;
    p = sl_aco_def_default();
    p.ls = SL_LS_2OPT;
    p.iterations = 100000;
    p.target = opt;
    sl_error e;
    sl_aco *c = sl_aco_create(in, &p, &e);
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(sl_aco_run(c, NULL), SL_OK);
    ck_assert_int_eq(sl_aco_best_cost(c), opt);
    ck_assert_int_lt(sl_aco_iterations(c), 100000);
    sl_aco_destroy(c);
    /* iteration limit is exact, one record per iteration, best never increases */
    c = make(in, SL_ACO_MMAS, SL_LS_NONE, 37, 1, 1);
    ck_assert_int_eq(sl_aco_run(c, NULL), SL_OK);
    ck_assert_int_eq(sl_aco_iterations(c), 37);
    int nh;
    const sl_aco_record *h = sl_aco_history(c, &nh);
    ck_assert_int_eq(nh, 37);
    for (int i = 0; i < nh; i++) {
        ck_assert_int_eq(h[i].iteration, i + 1);
        ck_assert_int_ge(h[i].iter_best, h[i].best);
        if (i) ck_assert_int_le(h[i].best, h[i - 1].best);
        ck_assert(h[i].branching >= 0.5);
    }
    char path[] = "/tmp/sl_aco_conv_XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert_int_eq(sl_aco_write_convergence(c, path, &e), SL_OK);
    FILE *f = fopen(path, "r");
    char line[256];
    int lines = 0;
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
    ck_assert_str_eq(line, "iteration,seconds,best,iteration_best,branching\n");
    while (fgets(line, sizeof line, f)) lines++;
    fclose(f);
    remove(path);
    ck_assert_int_eq(lines, 37);
    sl_aco_destroy(c);
    /* a wall-clock limit stops the run */
    p = sl_aco_def_default();
    p.wall_time = 0.2;
    c = sl_aco_create(in, &p, &e);
    ck_assert_int_eq(sl_aco_run(c, NULL), SL_OK);
    ck_assert(sl_aco_seconds(c) >= 0.2);
    sl_aco_destroy(c);
    sl_instance_destroy(in);
}
END_TEST

/* CVRP kicks (ruin and recreate + local search on an annealing walk): the best solution stays a
 * feasible set of routes whose cost is the reported one, the record's best never rises, and with
 * kicks, annealed or not, the run ends no worse than without them. */
START_TEST(test_cvrp_kicks)
{
    sl_instance *in = random_cvrp(80, 21, 100);
    long long cost[3];
    for (int k = 0; k < 3; k++) {
        sl_aco_def p;
        p = sl_aco_def_default();
        p.ls = SL_LS_3OPT;
        p.iterations = 20;
        p.seed = 5;
        p.kicks = k ? 30 : 0;
        if (k == 1) p.anneal = 0.0;
        sl_error e;
        sl_aco *c = sl_aco_create(in, &p, &e);
        ck_assert_msg(c != NULL, "%s", e.msg);
        ck_assert_int_eq(sl_aco_run(c, NULL), SL_OK);
        sl_routes r;
        sl_routes_init(&r);
        ck_assert_int_eq(sl_aco_best_routes(c, &r), SL_OK);
        ck_assert_msg(sl_routes_check(in, &r, &e) == SL_OK, "%s", e.msg);
        ck_assert_int_eq(sl_routes_cost(in, &r), sl_aco_best_cost(c));
        int nh;
        const sl_aco_record *h = sl_aco_history(c, &nh);
        ck_assert_int_eq(nh, 20);
        for (int i = 1; i < nh; i++) ck_assert(h[i].best <= h[i - 1].best);
        cost[k] = sl_aco_best_cost(c);
        sl_routes_release(&r);
        sl_aco_destroy(c);
    }
    ck_assert_msg(cost[1] <= cost[0] && cost[2] <= cost[0],
                  "kicks %lld (annealed %lld), none %lld", cost[1], cost[2], cost[0]);
    sl_instance_destroy(in);
}
END_TEST

START_TEST(test_param_errors)
{
    sl_instance *in = random_instance(10, 1);
    sl_aco_def p;
    sl_error e;
    p = sl_aco_def_default();
    ck_assert_ptr_null(sl_aco_create(in, &p, &e)); /* no stopping criterion */
    ck_assert_int_eq(e.code, SL_ERR_RANGE);
    p.iterations = 5;
    p.rho = 1.5;
    ck_assert_ptr_null(sl_aco_create(in, &p, &e));
    ck_assert_ptr_nonnull(strstr(e.msg, "rho"));
    p.rho = -1;
    p.q0 = 2;
    ck_assert_ptr_null(sl_aco_create(in, &p, &e));
    ck_assert_ptr_nonnull(strstr(e.msg, "q0"));
    p.q0 = -1;
    p.kicks = 100001;
    ck_assert_ptr_null(sl_aco_create(in, &p, &e));
    ck_assert_ptr_nonnull(strstr(e.msg, "kicks"));
    p.kicks = -1;
    p.anneal = 101;
    ck_assert_ptr_null(sl_aco_create(in, &p, &e));
    ck_assert_ptr_nonnull(strstr(e.msg, "anneal"));
    ck_assert_int_eq(sl_aco_variant_parse("mmas"), SL_ACO_MMAS);
    ck_assert_int_eq(sl_aco_variant_parse("xyz"), -1);
    sl_instance_destroy(in);
}
END_TEST

START_TEST(test_trivial_instances)
{
    double x[3] = {0, 3, 3}, y[3] = {0, 0, 4};
    for (int n = 1; n <= 3; n++) {
        sl_instance *in = sl_instance_from_coords("t", n, x, y, SL_EW_EUC_2D);
        sl_aco *c = make(in, SL_ACO_MMAS, SL_LS_3OPT, 10, 1, 1);
        ck_assert(sl_aco_done(c));
        ck_assert_int_eq(sl_aco_run(c, NULL), SL_OK);
        long long want = n == 1 ? 0 : n == 2 ? 6 : 12;
        ck_assert_int_eq(sl_aco_best_cost(c), want);
        sl_aco_destroy(c);
        sl_instance_destroy(in);
    }
}
END_TEST

/* ---- shipped instance with a known optimum ---- */

START_TEST(test_rand12_optimum)
{
    const char *src = getenv("SWARMLAB_SOURCE_DIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/assets/instances/rand12.tsp", src ? src : ".");
    sl_error e;
    sl_instance *in = sl_instance_load(path, &e);
    ck_assert_msg(in != NULL, "%s", e.msg);
    ck_assert_int_eq(brute_tsp(in), 2986);
    sl_aco *c = make(in, SL_ACO_MMAS, SL_LS_3OPT, 20, 2, 1);
    ck_assert_int_eq(sl_aco_run(c, NULL), SL_OK);
    ck_assert_int_eq(sl_aco_best_cost(c), 2986);
    sl_aco_destroy(c);
    sl_instance_destroy(in);
}
END_TEST

START_TEST(test_offer)
{
    sl_instance *in = random_instance(9, 44);
    long long opt = brute_tsp(in);
    sl_aco *c = make(in, SL_ACO_MMAS, SL_LS_NONE, 1, 1, 1);
    sl_aco *d = make(in, SL_ACO_MMAS, SL_LS_3OPT, 20, 1, 1);
    ck_assert_int_eq(sl_aco_run(d, NULL), SL_OK);
    ck_assert_int_eq(sl_aco_best_cost(d), opt);
    int len;
    const int *best = sl_aco_best_sequence(d, &len);
    int bad[9];
    memcpy(bad, best, sizeof bad);
    bad[1] = bad[0]; /* a repeated node */
    ck_assert_int_eq(sl_aco_offer(c, bad, 9), -1);
    ck_assert_int_eq(sl_aco_offer(c, best, 8), -1);
    if (sl_aco_best_cost(c) > opt) ck_assert_int_eq(sl_aco_offer(c, best, len), 1);
    ck_assert_int_eq(sl_aco_best_cost(c), opt);
    ck_assert_int_eq(sl_aco_offer(c, best, len), 0);
    sl_aco_destroy(c);
    sl_aco_destroy(d);
    sl_instance_destroy(in);
    /* CVRP: an overloaded route is refused */
    sl_instance *v = random_cvrp(8, 3, 45);
    sl_aco *cv = make(v, SL_ACO_MMAS, SL_LS_NONE, 1, 1, 1);
    int all[8] = {0, 1, 2, 3, 4, 5, 6, 7}; /* one route with every customer: 7 demands > 45? */
    long long load = 0;
    for (int i = 1; i < 8; i++) load += v->demand[i];
    if (load > 45) ck_assert_int_eq(sl_aco_offer(cv, all, 8), -1);
    sl_aco_destroy(cv);
    sl_instance_destroy(v);
}
END_TEST

START_TEST(test_world_view)
{
    for (int order = 0; order < 2; order++) {
        sl_world *w = sl_world_create(5);
        ck_assert_ptr_null(sl_aco_world_colony(w));
        sl_instance *in = random_instance(30, 2);
        sl_aco *c = make(in, SL_ACO_MMAS, SL_LS_2OPT, 5, 1, 1);
        sl_error e;
        aco_view *v = slp_aco_view_acquire(w, &e);
        ck_assert_ptr_nonnull(v);
        v->current = c;
        ck_assert_ptr_eq(sl_aco_world_colony(w), c);
        ck_assert_int_eq(sl_aco_step(c, NULL), SL_OK);
        const double *tau = sl_aco_pheromone(sl_aco_world_colony(w));
        ck_assert_ptr_nonnull(tau);
        int len;
        const int *t = sl_aco_best_sequence(c, &len);
        ck_assert_int_eq(len, 30);
        ck_assert(tau[t[0] * 30 + t[1]] > 0.0);
        if (order == 0) { /* the colony goes first, then the world */
            slp_aco_view_release(v, c);
            ck_assert_ptr_null(sl_aco_world_colony(w));
            sl_world_destroy(w);
        } else {          /* the world goes first */
            sl_world_destroy(w);
            slp_aco_view_release(v, c);
        }
        sl_aco_destroy(c);
        sl_instance_destroy(in);
    }
}
END_TEST

/* ---- the pheromone at work (eil51, TSPLIB, optimum 426) ---- */

static sl_instance *load_shipped(const char *name)
{
    const char *src = getenv("SWARMLAB_SOURCE_DIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/assets/instances/%s", src ? src : ".", name);
    sl_error e;
    sl_instance *in = sl_instance_load(path, &e);
    ck_assert_msg(in != NULL, "%s", e.msg);
    return in;
}

/* Best length after `iters` iterations without local search; alpha 0 ignores the pheromone. */
static long long run_alpha(const sl_instance *in, sl_aco_variant v, double alpha, int iters,
                           uint64_t seed)
{
    sl_aco_def p = sl_aco_def_default();
    p.variant = v;
    p.ls = SL_LS_NONE;
    p.alpha = alpha;
    p.iterations = iters;
    p.threads = 2;
    p.seed = seed;
    sl_error e;
    sl_aco *c = sl_aco_create(in, &p, &e);
    ck_assert_msg(c != NULL, "%s", e.msg);
    ck_assert_int_eq(sl_aco_run(c, NULL), SL_OK);
    long long best = sl_aco_best_cost(c);
    sl_aco_destroy(c);
    return best;
}

START_TEST(test_pheromone_learns)
{
    /* Without local search the pheromone is what improves the tours: every variant, after
     * enough iterations, beats by a margin the same colony with alpha = 0 (pheromone ignored,
     * as many tours built from the heuristic alone), seeds 1 and 2. Measured (means): AS 457
     * against 511, ACS 444 / 467, MMAS (300 iterations: slow evaporation) 450 / 511, rank-based
     * 431 / 511.
     * A deposit that adds nothing, no evaporation or a global update that does nothing fail it. */
    const struct { int iters; int margin; } run[4] = {
        [SL_ACO_AS] = {150, 7}, [SL_ACO_ACS] = {150, 3}, [SL_ACO_MMAS] = {300, 7},
        [SL_ACO_RAS] = {150, 10}};
    sl_instance *in = load_shipped("eil51.tsp");
    ck_assert_int_eq(in->n, 51);
    for (int v = SL_ACO_AS; v <= SL_ACO_RAS; v++) {
        long long with = 0, without = 0;
        for (uint64_t seed = 1; seed <= 2; seed++) {
            with += run_alpha(in, (sl_aco_variant)v, 1.0, run[v].iters, seed);
            without += run_alpha(in, (sl_aco_variant)v, 0.0, run[v].iters, seed);
        }
        ck_assert_msg(with * 100 <= without * (100 - run[v].margin), "%s: %.1f with pheromone, "
                      "%.1f without", sl_aco_variant_name(v), with / 2.0, without / 2.0);
        ck_assert_msg(with >= 2 * 426, "%s: below the optimum", sl_aco_variant_name(v));
    }
    sl_instance_destroy(in);
}
END_TEST

START_TEST(test_pheromone_symmetric)
{
    /* symmetric instance, symmetric trails: after every iteration tau[i][j] == tau[j][i] exactly,
     * and the trails are not all equal (something was deposited) */
    sl_instance *in = load_shipped("eil51.tsp");
    int n = in->n;
    for (int v = SL_ACO_AS; v <= SL_ACO_RAS; v++) {
        sl_aco *c = make(in, (sl_aco_variant)v, SL_LS_NONE, 20, 2, 3);
        while (!sl_aco_done(c)) {
            ck_assert_int_eq(sl_aco_step(c, NULL), SL_OK);
            const double *tau = sl_aco_pheromone(c);
            double lo = tau[1], hi = tau[1];
            for (int i = 0; i < n; i++)
                for (int j = i + 1; j < n; j++) {
                    ck_assert_msg(tau[i * n + j] == tau[j * n + i], "%s iteration %lld: tau[%d][%d]"
                                  " = %g, tau[%d][%d] = %g", sl_aco_variant_name(v),
                                  sl_aco_iterations(c), i, j, tau[i * n + j], j, i, tau[j * n + i]);
                    if (tau[i * n + j] < lo) lo = tau[i * n + j];
                    if (tau[i * n + j] > hi) hi = tau[i * n + j];
                }
            ck_assert_msg(hi > lo * 1.01, "%s: flat trails", sl_aco_variant_name(v));
        }
        sl_aco_destroy(c);
    }
    sl_instance_destroy(in);
}
END_TEST

START_TEST(test_mmas_trail_limits)
{
    /* MAX-MIN: after every iteration every trail lies in [tau_min, tau_max], with
     * tau_max = 1 / (rho * best) and tau_min = tau_max / (2n) with local search, or
     * tau_max (1 - p) / ((n/2 - 1) p) with p = pbest^(1/n) without (Stuetzle & Hoos 2000); the
     * lower limit binds: some trail sits at it once the colony has converged. */
    sl_instance *in = load_shipped("eil51.tsp");
    int n = in->n;
    for (int ls = SL_LS_NONE; ls <= SL_LS_2OPT; ls++) {
        sl_aco *c = make(in, SL_ACO_MMAS, (sl_ls_kind)ls, ls == SL_LS_NONE ? 400 : 60, 2, 9);
        const sl_aco_def *p = sl_aco_def_used(c);
        int at_min = 0;
        while (!sl_aco_done(c)) {
            ck_assert_int_eq(sl_aco_step(c, NULL), SL_OK);
            double tmax = 1.0 / (p->rho * (double)sl_aco_best_cost(c)), tmin;
            if (ls != SL_LS_NONE) {
                tmin = tmax / (2.0 * n);
            } else {
                double pr = pow(p->pbest, 1.0 / n);
                tmin = tmax * (1.0 - pr) / ((n / 2.0 - 1.0) * pr);
            }
            const double *tau = sl_aco_pheromone(c);
            double lo = 1e300, hi = 0;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++) {
                    if (i == j) continue;
                    if (tau[i * n + j] < lo) lo = tau[i * n + j];
                    if (tau[i * n + j] > hi) hi = tau[i * n + j];
                }
            ck_assert_msg(lo >= tmin * (1 - 1e-12) && hi <= tmax * (1 + 1e-12),
                          "ls %d iteration %lld: trails in [%g, %g], limits [%g, %g]", ls,
                          sl_aco_iterations(c), lo, hi, tmin, tmax);
            at_min += lo <= tmin * (1 + 1e-12);
        }
        ck_assert_msg(at_min > 0, "ls %d: the lower limit never binds", ls);
        sl_aco_destroy(c);
    }
    sl_instance_destroy(in);
}
END_TEST

START_TEST(test_pinned_lengths)
{
    /* Golden values on eil51, seed 5, for every variant: without local search after 40
     * iterations and with 2-opt after 3, the best length and the sum of the iteration-best
     * lengths (the whole convergence trace), on one thread and on two. Any change to
     * construction, pheromone update or local search moves some of them; a deliberate change
     * updates the table (docs/mutations.md). */
    static const long long pinned[4][2][2] = {
        [SL_ACO_AS] = {{471, 20372}, {428, 1294}}, [SL_ACO_ACS] = {{444, 18396}, {434, 1306}},
        [SL_ACO_MMAS] = {{511, 25958}, {433, 1304}}, [SL_ACO_RAS] = {{477, 22187}, {429, 1293}}};
    sl_instance *in = load_shipped("eil51.tsp");
    for (int v = SL_ACO_AS; v <= SL_ACO_RAS; v++)
        for (int k = 0; k < 2; k++) {
            sl_ls_kind ls = k ? SL_LS_2OPT : SL_LS_NONE;
            for (int threads = 1; threads <= 2; threads++) {
                sl_aco *c = make(in, (sl_aco_variant)v, ls, k ? 3 : 40, threads, 5);
                ck_assert_int_eq(sl_aco_run(c, NULL), SL_OK);
                int nh;
                const sl_aco_record *h = sl_aco_history(c, &nh);
                long long trace = 0;
                for (int i = 0; i < nh; i++) trace += h[i].iter_best;
                ck_assert_msg(sl_aco_best_cost(c) == pinned[v][k][0] && trace == pinned[v][k][1],
                              "%s+%s, %d threads: best %lld, trace %lld; pinned %lld, %lld",
                              sl_aco_variant_name(v), sl_ls_kind_name(ls), threads,
                              sl_aco_best_cost(c), trace, pinned[v][k][0], pinned[v][k][1]);
                sl_aco_destroy(c);
            }
        }
    sl_instance_destroy(in);
}
END_TEST

START_TEST(test_pinned_cvrp)
{
    /* Golden values for the CVRP (40 random customers, capacity 100, seed 5): best cost and
     * the sum of the iteration-best costs for every variant without local search after 20
     * iterations (construction with the savings term, capacity, pheromone) and with route local
     * search and kicks after 2 (the CVRP local search and the annealing walk of ruin-and-recreate
     * kicks). */
    static const long long pinned[4][2][2] = {
        [SL_ACO_AS] = {{12716, 264895}, {10612, 21916}},
        [SL_ACO_ACS] = {{12283, 271603}, {10612, 21450}},
        [SL_ACO_MMAS] = {{12279, 267701}, {10612, 22318}},
        [SL_ACO_RAS] = {{12344, 266118}, {10612, 21938}}};
    sl_instance *in = random_cvrp(41, 77, 100);
    for (int v = SL_ACO_AS; v <= SL_ACO_RAS; v++)
        for (int k = 0; k < 2; k++) {
            sl_aco *c = make(in, (sl_aco_variant)v, k ? SL_LS_2OPT : SL_LS_NONE, k ? 2 : 20,
                                    2, 5);
            ck_assert_int_eq(sl_aco_run(c, NULL), SL_OK);
            int nh;
            const sl_aco_record *h = sl_aco_history(c, &nh);
            long long trace = 0;
            for (int i = 0; i < nh; i++) trace += h[i].iter_best;
            ck_assert_msg(sl_aco_best_cost(c) == pinned[v][k][0] && trace == pinned[v][k][1],
                          "cvrp %s, %s: best %lld, trace %lld; pinned %lld, %lld",
                          sl_aco_variant_name(v), k ? "local search" : "no local search",
                          sl_aco_best_cost(c), trace, pinned[v][k][0], pinned[v][k][1]);
            sl_aco_destroy(c);
        }
    sl_instance_destroy(in);
}
END_TEST

/* ---- command line (skipped when the swarmlab binary is not built) ---- */

static int run_cmd(const char *cmd, char *out, size_t cap)
{
    FILE *p = popen(cmd, "r");
    if (!p) return -1;
    size_t k = fread(out, 1, cap - 1, p);
    out[k] = '\0';
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

START_TEST(test_cli_scenarios)
{
    const char *exe = getenv("SWARMLAB_EXE");
    if (!exe || access(exe, X_OK) != 0) sl_skip("swarmlab binary not built");
    char dir[] = "/tmp/sl_aco_cli_XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char cmd[2048], out[8192];
    snprintf(cmd, sizeof cmd, "'%s' run scenarios/tsp.lua --set iterations=30 --seed 3 --threads 2 "
                              "--quiet --out %s/t 2>&1", exe, dir);
    int rc = run_cmd(cmd, out, sizeof out);
    ck_assert_msg(rc == 0, "tsp.lua failed (%d): %s", rc, out);
    char path[1024];
    const char *files[] = {"t/best.tour", "t/convergence.csv", "t/manifest.json"};
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        ck_assert_msg(access(path, R_OK) == 0, "missing %s", path);
    }
    snprintf(cmd, sizeof cmd, "grep -c '\"best_length\": *2986' %s/t/manifest.json", dir);
    ck_assert_msg(run_cmd(cmd, out, sizeof out) == 0, "best_length 2986 not in manifest");
    /* stepping: the colony is a world system, one iteration per world step */
    snprintf(cmd, sizeof cmd, "'%s' run scenarios/tsp.lua --set stepping=true --set iterations=12 "
                              "--quiet --out %s/s 2>&1", exe, dir);
    rc = run_cmd(cmd, out, sizeof out);
    ck_assert_msg(rc == 0, "stepping tsp.lua failed (%d): %s", rc, out);
    snprintf(cmd, sizeof cmd, "grep -c '\"steps\": *12' %s/s/manifest.json", dir);
    ck_assert_msg(run_cmd(cmd, out, sizeof out) == 0, "stepping run did not take 12 steps");
    snprintf(cmd, sizeof cmd, "'%s' run scenarios/cvrp.lua --set iterations=20 --quiet --out %s/v "
                              "2>&1", exe, dir);
    rc = run_cmd(cmd, out, sizeof out);
    ck_assert_msg(rc == 0, "cvrp.lua failed (%d): %s", rc, out);
    snprintf(path, sizeof path, "%s/v/best.sol", dir);
    ck_assert_msg(access(path, R_OK) == 0, "missing %s", path);
    /* a broken instance: exit 2 and a message naming file and line */
    snprintf(path, sizeof path, "%s/bad.tsp", dir);
    FILE *f = fopen(path, "w");
    fputs("NAME: b\nTYPE: TSP\nDIMENSION: 3\nEDGE_WEIGHT_TYPE: EUC_2D\nNODE_COORD_SECTION\n"
          "1 0 0\n2 1 zz\n", f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "'%s' run scenarios/tsp.lua --set instance=%s --set iterations=5 "
                              "--out %s/b 2>&1", exe, path, dir);
    rc = run_cmd(cmd, out, sizeof out);
    ck_assert_int_eq(rc, 2);
    char needle[1100];
    snprintf(needle, sizeof needle, "bad.tsp:7:");
    ck_assert_msg(strstr(out, needle) != NULL, "no file:line in: %s", out);
    /* a bad option in a scenario: exit 2, the scenario line and the option named */
    snprintf(path, sizeof path, "%s/bad.lua", dir);
    f = fopen(path, "w");
    fputs("local sl = swarmlab\nsl.steps(0)\nfunction setup(world)\n"
          "  sl.aco{instance = 'assets/instances/rand12.tsp', iterations = 5, rho = 2}\nend\n", f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "'%s' run %s --out %s/c 2>&1", exe, path, dir);
    rc = run_cmd(cmd, out, sizeof out);
    ck_assert_int_eq(rc, 2);
    ck_assert_msg(strstr(out, "bad.lua:4:") && strstr(out, "rho"), "unexpected: %s", out);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

static Suite *aco_suite(void)
{
    Suite *s = suite_create("aco");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_brute_force_tsp);
    tcase_add_test(tc, test_brute_force_tsp_without_ls);
    tcase_add_test(tc, test_brute_force_cvrp);
    tcase_add_test(tc, test_determinism_threads);
    tcase_add_test(tc, test_cvrp_kicks);
    tcase_add_test(tc, test_seed_matters);
    tcase_add_test(tc, test_stopping_and_record);
    tcase_add_test(tc, test_param_errors);
    tcase_add_test(tc, test_trivial_instances);
    tcase_add_test(tc, test_rand12_optimum);
    tcase_add_test(tc, test_world_view);
    tcase_add_test(tc, test_offer);
    tcase_add_test(tc, test_pheromone_learns);
    tcase_add_test(tc, test_pheromone_symmetric);
    tcase_add_test(tc, test_mmas_trail_limits);
    tcase_add_test(tc, test_pinned_lengths);
    tcase_add_test(tc, test_pinned_cvrp);
    suite_add_tcase(s, tc);
    tcase_add_test(sl_needs_case(s, "cli", 300), test_cli_scenarios);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(aco_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
