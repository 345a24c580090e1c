/* test_consensus.c - graphs, weights, eigenvalues, consensus rounds (direct and over the bus). */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "swarmlab/bus.h"
#include "swarmlab/consensus.h"
#include "swarmlab/mixing.h"
#include "swarmlab/graph.h"
#include "swarmlab/recorder.h"
#include "swarmlab/spectrum.h"
#include "swarmlab/world.h"

static sl_graph *mk(const char *kind, int n, int rows, double radius, uint64_t seed)
{
    sl_graph_spec s = {kind, n, rows, radius, seed};
    sl_error e;
    sl_graph *g = sl_graph_make(&s, &e);
    ck_assert_msg(g != NULL, "%s", e.msg);
    return g;
}

static void expect_bad(const char *kind, int n, int rows, double radius, const char *needle)
{
    sl_graph_spec s = {kind, n, rows, radius, 1};
    sl_error e;
    sl_error_clear(&e);
    sl_graph *g = sl_graph_make(&s, &e);
    ck_assert_ptr_null(g);
    ck_assert_int_eq(e.code, SL_ERR_RANGE);
    ck_assert_msg(strstr(e.msg, needle) != NULL, "message '%s' lacks '%s'", e.msg, needle);
}

START_TEST(graph_shapes)
{
    sl_graph *g = mk("ring", 10, 0, 0, 0);
    ck_assert_uint_eq(g->ne, 10);
    for (int i = 0; i < 10; i++) ck_assert_int_eq(sl_graph_degree(g, i), 2);
    ck_assert_int_ge(sl_graph_edge(g, 0, 9), 0);
    ck_assert_int_lt(sl_graph_edge(g, 0, 5), 0);
    sl_graph_destroy(g);
    g = mk("path", 7, 0, 0, 0);
    ck_assert_uint_eq(g->ne, 6);
    ck_assert_int_eq(sl_graph_degree(g, 0), 1);
    sl_graph_destroy(g);
    g = mk("star", 6, 0, 0, 0);
    ck_assert_uint_eq(g->ne, 5);
    ck_assert_int_eq(sl_graph_degree(g, 0), 5);
    sl_graph_destroy(g);
    g = mk("complete", 8, 0, 0, 0);
    ck_assert_uint_eq(g->ne, 28);
    sl_graph_destroy(g);
    g = mk("grid", 12, 3, 0, 0);
    ck_assert_uint_eq(g->ne, 3 * 3 + 2 * 4);
    sl_graph_destroy(g);
    g = mk("grid", 10, 0, 0, 0); /* 2 x 5 */
    ck_assert_uint_eq(g->ne, 2 * 4 + 5);
    sl_graph_destroy(g);
    g = mk("ring", 1, 0, 0, 0);
    ck_assert_uint_eq(g->ne, 0);
    sl_graph_destroy(g);
    /* adjacency sorted, edge numbers consistent */
    g = mk("rgg", 60, 0, 0.25, 7);
    for (int i = 0; i < g->n; i++)
        for (uint32_t p = g->row[i]; p < g->row[i + 1]; p++) {
            if (p > g->row[i]) ck_assert_uint_lt(g->col[p - 1], g->col[p]);
            int j = (int)g->col[p];
            double dx = g->x[i] - g->x[j], dy = g->y[i] - g->y[j];
            ck_assert(sqrt(dx * dx + dy * dy) <= 0.25);
            uint32_t k = g->eid[p];
            ck_assert((g->eu[k] == i && g->ev[k] == j) || (g->eu[k] == j && g->ev[k] == i));
        }
    /* every pair within the radius is linked */
    size_t close = 0;
    for (int i = 0; i < g->n; i++)
        for (int j = i + 1; j < g->n; j++) {
            double dx = g->x[i] - g->x[j], dy = g->y[i] - g->y[j];
            if (dx * dx + dy * dy <= 0.25 * 0.25) close++;
        }
    ck_assert_uint_eq(close, g->ne);
    sl_graph *h = mk("rgg", 60, 0, 0.25, 7);
    ck_assert_uint_eq(h->ne, g->ne);
    ck_assert_int_eq(memcmp(h->col, g->col, 2 * g->ne * sizeof *g->col), 0);
    sl_graph_destroy(h);
    h = mk("rgg", 60, 0, 0.25, 8);
    ck_assert(h->ne != g->ne || memcmp(h->col, g->col, 2 * g->ne * sizeof *g->col) != 0);
    sl_graph_destroy(h);
    sl_graph_destroy(g);
}
END_TEST

START_TEST(graph_bad_specs)
{
    expect_bad("torus", 10, 0, 0, "unknown graph 'torus'");
    expect_bad("ring", 0, 0, 0, "n must be >= 1");
    expect_bad("ring", -3, 0, 0, "n must be >= 1");
    expect_bad("rgg", 10, 0, 0.0, "radius");
    expect_bad("rgg", 10, 0, -1.0, "radius");
    expect_bad("rgg", 10, 0, NAN, "radius");
    expect_bad("grid", 10, 3, 0, "does not divide");
    expect_bad("grid", 10, -1, 0, "rows");
    sl_error e;
    int u[] = {0, 1}, v[] = {1, 1};
    ck_assert_ptr_null(sl_graph_from_edges(3, 2, u, v, &e));
    ck_assert_ptr_nonnull(strstr(e.msg, "self loop"));
    int u2[] = {0}, v2[] = {5};
    ck_assert_ptr_null(sl_graph_from_edges(3, 1, u2, v2, &e));
    ck_assert_ptr_nonnull(strstr(e.msg, "outside"));
}
END_TEST

START_TEST(weights_valid_and_rejected)
{
    sl_error e;
    const char *kinds[] = {"ring", "path", "star", "complete", "grid", "rgg"};
    for (int k = 0; k < 6; k++) {
        sl_graph *g = mk(kinds[k], 16, 0, 0.4, 3);
        sl_mix *m = sl_mix_metropolis(g, &e);
        int ds = 0;
        ck_assert_int_eq(sl_mix_check(m, &ds, &e), SL_OK);
        ck_assert_int_eq(ds, 1);
        ck_assert(sl_mix_is_symmetric(m));
        sl_mix_destroy(m);
        m = sl_mix_laplacian(g, 0.0, &e);
        ck_assert_ptr_nonnull(m);
        ck_assert_int_eq(sl_mix_check(m, &ds, &e), SL_OK);
        ck_assert_int_eq(ds, 1);
        sl_mix_destroy(m);
        sl_graph_destroy(g);
    }
    sl_graph *g = mk("star", 5, 0, 0, 0); /* max degree 4 */
    ck_assert_ptr_null(sl_mix_laplacian(g, 0.3, &e));
    ck_assert_ptr_nonnull(strstr(e.msg, "negative"));
    sl_mix *ok = sl_mix_laplacian(g, 0.25, &e);
    ck_assert_ptr_nonnull(ok);
    sl_mix_destroy(ok);
    sl_graph_destroy(g);

    g = mk("path", 3, 0, 0, 0);
    double good[9] = {0.5, 0.5, 0, 0.5, 0.25, 0.25, 0, 0.25, 0.75};
    sl_mix *m = sl_mix_from_dense(g, good, &e);
    ck_assert_msg(m != NULL, "%s", e.msg);
    sl_mix_destroy(m);
    double rowbad[9] = {0.5, 0.4, 0, 0.5, 0.25, 0.25, 0, 0.25, 0.75};
    ck_assert_ptr_null(sl_mix_from_dense(g, rowbad, &e));
    ck_assert_ptr_nonnull(strstr(e.msg, "row 0 sums"));
    double neg[9] = {1.5, -0.5, 0, 0.5, 0.25, 0.25, 0, 0.25, 0.75};
    ck_assert_ptr_null(sl_mix_from_dense(g, neg, &e));
    ck_assert_ptr_nonnull(strstr(e.msg, "negative"));
    double offgraph[9] = {0.5, 0.25, 0.25, 0.5, 0.25, 0.25, 0, 0.25, 0.75};
    ck_assert_ptr_null(sl_mix_from_dense(g, offgraph, &e));
    ck_assert_ptr_nonnull(strstr(e.msg, "not linked"));
    /* a consensus refuses non-stochastic weights added directly */
    sl_mix *bad = sl_mix_metropolis(g, &e);
    bad->self[1] += 0.1;
    double x0[3] = {0, 1, 2};
    sl_consensus_def o = {.tol = 1e-6};
    sl_consensus *c = sl_consensus_create(3, x0, &o, &e);
    sl_graph *g2 = mk("path", 3, 0, 0, 0);
    ck_assert_int_eq(sl_consensus_add_topology(c, g2, bad, &e), SL_ERR_RANGE);
    ck_assert_ptr_nonnull(strstr(e.msg, "not stochastic"));
    sl_consensus_destroy(c);
    sl_graph_destroy(g);
}
END_TEST

/* y = (W - J) x for the Lanczos tests */
static void deviation_op(const double *x, double *y, void *user)
{
    const sl_mix *m = user;
    double mean = 0.0;
    for (int i = 0; i < m->n; i++) mean += x[i];
    mean /= m->n;
    sl_mix_apply(m, x, y);
    for (int i = 0; i < m->n; i++) y[i] -= mean;
}

START_TEST(eigen_known_spectra)
{
    sl_error e;
    /* ring with Metropolis weights: 1/3 + 2/3 cos(2 pi k / n) */
    for (int n = 3; n <= 24; n += 7) {
        sl_graph *g = mk("ring", n, 0, 0, 0);
        sl_mix *m = sl_mix_metropolis(g, &e);
        double *A = malloc((size_t)n * n * sizeof *A), *ev = malloc((size_t)n * sizeof *ev);
        double *want = malloc((size_t)n * sizeof *want);
        sl_mix_to_dense(m, A);
        ck_assert_int_eq(sl_sym_eigenvalues(n, A, ev, &e), SL_OK);
        for (int k = 0; k < n; k++) want[k] = 1.0 / 3.0 + 2.0 / 3.0 * cos(2.0 * M_PI * k / n);
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
                if (want[j] < want[i]) {
                    double t = want[i];
                    want[i] = want[j];
                    want[j] = t;
                }
        for (int k = 0; k < n; k++) ck_assert_double_eq_tol(ev[k], want[k], 1e-12);
        int comp[24] = {0};
        double s0, s1;
        ck_assert_int_eq(sl_mix_slem(m, comp, 1, 0, &s0, &e), SL_OK);
        ck_assert_int_eq(sl_mix_slem(m, comp, 1, 1, &s1, &e), SL_OK);
        double expect = fmax(fabs(want[0]), fabs(want[n - 2]));
        ck_assert_double_eq_tol(s0, expect, 1e-12);
        ck_assert_double_eq_tol(s1, expect, 1e-9);
        free(A);
        free(ev);
        free(want);
        sl_mix_destroy(m);
        sl_graph_destroy(g);
    }
    /* complete graph with Metropolis weights: W = J, SLEM 0 */
    sl_graph *g = mk("complete", 9, 0, 0, 0);
    sl_mix *m = sl_mix_metropolis(g, &e);
    int comp[9] = {0};
    double s;
    ck_assert_int_eq(sl_mix_slem(m, comp, 1, 0, &s, &e), SL_OK);
    ck_assert_double_eq_tol(s, 0.0, 1e-12);
    sl_mix_destroy(m);
    /* complete graph, Laplacian step eps: eigenvalues 1 and 1 - eps n */
    m = sl_mix_laplacian(g, 0.1, &e);
    ck_assert_int_eq(sl_mix_slem(m, comp, 1, 0, &s, &e), SL_OK);
    ck_assert_double_eq_tol(s, fabs(1.0 - 0.1 * 9), 1e-12);
    sl_mix_destroy(m);
    sl_graph_destroy(g);
    /* path Laplacian: eigenvalues 2 - 2 cos(pi k / n) */
    int n = 11;
    g = mk("path", n, 0, 0, 0);
    m = sl_mix_laplacian(g, 0.5, &e);
    int comp11[11] = {0};
    ck_assert_int_eq(sl_mix_slem(m, comp11, 1, 0, &s, &e), SL_OK);
    double a = fabs(1 - 0.5 * (2 - 2 * cos(M_PI / n))), b = fabs(1 - 0.5 * (2 - 2 * cos(M_PI * (n - 1) / n)));
    ck_assert_double_eq_tol(s, fmax(a, b), 1e-12);
    sl_mix_destroy(m);
    sl_graph_destroy(g);
    /* star Laplacian: 0, 1 (n-2 times), n */
    g = mk("star", 7, 0, 0, 0);
    m = sl_mix_laplacian(g, 1.0 / 7.0, &e);
    int comp7[7] = {0};
    ck_assert_int_eq(sl_mix_slem(m, comp7, 1, 0, &s, &e), SL_OK);
    ck_assert_double_eq_tol(s, 1.0 - 1.0 / 7.0, 1e-12);
    sl_mix_destroy(m);
    sl_graph_destroy(g);
    /* Jacobi and power iteration agree on a random geometric graph */
    g = mk("rgg", 80, 0, 0.3, 11);
    m = sl_mix_metropolis(g, &e);
    int *cp = malloc(80 * sizeof *cp);
    int k = sl_graph_components(g, cp);
    double sj, sp;
    ck_assert_int_eq(sl_mix_slem(m, cp, k, 0, &sj, &e), SL_OK);
    ck_assert_int_eq(sl_mix_slem(m, cp, k, 1, &sp, &e), SL_OK);
    ck_assert_double_eq_tol(sj, sp, 1e-7);
    double sl;
    ck_assert_int_eq(sl_mix_slem(m, cp, k, 2, &sl, &e), SL_OK);
    ck_assert_double_eq_tol(sj, sl, 1e-10);
    ck_assert(sj > 0 && sj < 1);
    free(cp);
    sl_mix_destroy(m);
    sl_graph_destroy(g);
    /* Lanczos on larger rings and paths against the closed forms */
    for (int big = 0; big < 2; big++) {
        int nb = big ? 300 : 600;
        g = mk(big ? "path" : "ring", nb, 0, 0, 0);
        m = sl_mix_metropolis(g, &e);
        int *cb = calloc((size_t)nb, sizeof *cb);
        ck_assert_int_eq(sl_mix_slem(m, cb, 1, 2, &s, &e), SL_OK);
        double want = big ? 1.0 / 3.0 + 2.0 / 3.0 * cos(M_PI / nb)
                          : 1.0 / 3.0 + 2.0 / 3.0 * cos(2.0 * M_PI / nb);
        ck_assert_msg(fabs(s - want) < 1e-8, "n=%d: lanczos %.15g vs %.15g", nb, s, want);
        free(cb);
        sl_mix_destroy(m);
        sl_graph_destroy(g);
    }
    /* a Lanczos run cut short says so, and its estimate lies inside the spectrum */
    {
        g = mk("ring", 600, 0, 0, 0);
        m = sl_mix_metropolis(g, &e);
        double lo, hi, want = 1.0 / 3.0 + 2.0 / 3.0 * cos(2.0 * M_PI / 600);
        int conv = -1;
        ck_assert_int_eq(sl_lanczos_extremes(600, deviation_op, m, 20, &lo, &hi, &conv, &e), SL_OK);
        ck_assert_int_eq(conv, 0);
        ck_assert(hi < want - 1e-6);
        ck_assert_int_eq(sl_lanczos_extremes(600, deviation_op, m, 600, &lo, &hi, &conv, &e), SL_OK);
        ck_assert_int_eq(conv, 1);
        ck_assert_double_eq_tol(hi, want, 1e-9);
        ck_assert_double_eq_tol(lo, -1.0 / 3.0, 1e-9);
        sl_mix_destroy(m);
        sl_graph_destroy(g);
    }
    /* a non-symmetric matrix is refused */
    double ns[4] = {1, 2, 0, 1};
    double ev2[2];
    ck_assert_int_eq(sl_sym_eigenvalues(2, ns, ev2, &e), SL_ERR_RANGE);
}
END_TEST

/* Direct driver to the end: the rounds made, or -1 with e filled. */
static long run_direct(sl_consensus *c, sl_error *e)
{
    return sl_consensus_run(c, e) == SL_OK ? sl_consensus_iterations(c) : -1;
}

/* n direct rounds (fewer when done first): the rounds made. */
static long step_direct(sl_consensus *c, long n, sl_error *e)
{
    for (long k = 0; k < n; k++) ck_assert_int_eq(sl_consensus_step(c, e), SL_OK);
    return sl_consensus_iterations(c);
}

static sl_consensus *make_cons(const char *kind, int n, double radius, int laplacian, double fail,
                               int threads)
{
    sl_error e;
    double *x0 = malloc((size_t)n * sizeof *x0);
    for (int i = 0; i < n; i++) x0[i] = i;
    sl_consensus_def o = {.tol = 1e-9, .link_fail = fail, .seed = 42, .threads = threads,
                          .max_rounds = 200000};
    sl_consensus *c = sl_consensus_create(n, x0, &o, &e);
    free(x0);
    ck_assert_ptr_nonnull(c);
    sl_graph *g = mk(kind, n, 0, radius, 5);
    sl_mix *m = laplacian ? sl_mix_laplacian(g, 0.0, &e) : sl_mix_metropolis(g, &e);
    ck_assert_int_eq(sl_consensus_add_topology(c, g, m, &e), SL_OK);
    return c;
}

START_TEST(mean_preserved_and_converges)
{
    sl_error e;
    const char *kinds[] = {"ring", "path", "star", "complete", "grid", "rgg"};
    for (int k = 0; k < 6; k++)
        for (int lap = 0; lap < 2; lap++)
            for (int f = 0; f < 2; f++) {
                sl_consensus *c = make_cons(kinds[k], 36, 0.35, lap, f ? 0.3 : 0.0, 1);
                double m0 = sl_consensus_initial_mean(c);
                long it = run_direct(c, &e);
                ck_assert_msg(it > 0, "%s", e.msg);
                if (sl_consensus_ncomponents(c) == 1) ck_assert(sl_consensus_done(c));
                ck_assert_double_eq_tol(sl_consensus_mean(c), m0, 1e-12);
                if (sl_consensus_ncomponents(c) == 1) {
                    const double *x = sl_consensus_x(c);
                    for (int i = 0; i < 36; i++) ck_assert_double_eq_tol(x[i], m0, 1e-9 * 35 + 1e-12);
                }
                sl_consensus_destroy(c);
            }
}
END_TEST

/* The two stopping rules, step on a done consensus, and the def's checks. */
START_TEST(stopping_rules)
{
    sl_error e;
    double x0[8];
    for (int i = 0; i < 8; i++) x0[i] = i;
    sl_consensus_def o = sl_consensus_def_default();
    ck_assert_double_eq(o.tol, 1e-6);
    ck_assert_int_eq(o.max_rounds, 1000000);
    o.tol = 1e-300;   /* not reached in 7 rounds */
    o.max_rounds = 7;
    sl_consensus *c = sl_consensus_create(8, x0, &o, &e);
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(sl_consensus_step(c, &e), SL_ERR_STATE);   /* no topology yet */
    ck_assert_int_eq(sl_consensus_run(c, &e), SL_ERR_STATE);
    sl_graph_spec s = {"ring", 8, 0, 0, 1};
    sl_graph *g = sl_graph_make(&s, &e);
    ck_assert_int_eq(sl_consensus_add_topology(c, g, sl_mix_metropolis(g, &e), &e), SL_OK);
    ck_assert(!sl_consensus_done(c));
    ck_assert_int_eq(sl_consensus_step(c, &e), SL_OK);
    ck_assert_int_eq(sl_consensus_iterations(c), 1);
    ck_assert_int_eq(sl_consensus_run(c, &e), SL_OK);
    ck_assert_int_eq(sl_consensus_iterations(c), 7);
    ck_assert(sl_consensus_done(c));
    ck_assert(!sl_consensus_converged(c));
    double d = sl_consensus_disagreement(c);
    ck_assert(d > 0.0);
    ck_assert_int_eq(sl_consensus_step(c, &e), SL_OK);          /* done: nothing happens */
    ck_assert_int_eq(sl_consensus_iterations(c), 7);
    ck_assert_double_eq(sl_consensus_disagreement(c), d);
    sl_consensus_destroy(c);
    /* the tolerance rule stops first when it can */
    o = sl_consensus_def_default();
    c = sl_consensus_create(8, x0, &o, &e);
    g = sl_graph_make(&s, &e);
    ck_assert_int_eq(sl_consensus_add_topology(c, g, sl_mix_metropolis(g, &e), &e), SL_OK);
    ck_assert_int_eq(sl_consensus_run(c, &e), SL_OK);
    ck_assert(sl_consensus_converged(c) && sl_consensus_done(c));
    ck_assert_int_lt(sl_consensus_iterations(c), 1000);
    ck_assert(sl_consensus_disagreement(c) <= 1e-6 * sl_consensus_initial_disagreement(c));
    sl_consensus_destroy(c);
    o.max_rounds = -1;
    ck_assert_ptr_null(sl_consensus_create(8, x0, &o, &e));
    ck_assert_int_eq(e.code, SL_ERR_RANGE);
    ck_assert_ptr_nonnull(strstr(e.msg, "max_rounds"));
}
END_TEST

START_TEST(rate_matches_theory)
{
    sl_error e;
    const char *kinds[] = {"ring", "path", "grid", "rgg"};
    for (int k = 0; k < 4; k++) {
        sl_consensus *c = make_cons(kinds[k], 30, 0.4, 0, 0.0, 1);
        double th;
        const char *kind;
        ck_assert_int_eq(sl_consensus_theory_rate(c, &th, &kind, &e), SL_OK);
        ck_assert_str_eq(kind, "slem");
        run_direct(c, &e);
        double emp = sl_consensus_empirical_rate(c);
        ck_assert_msg(fabs(emp - th) < 0.01, "%s: empirical %g vs SLEM %g", kinds[k], emp, th);
        ck_assert(emp <= th + 1e-9);
        sl_consensus_destroy(c);
    }
    /* complete graph: one round */
    sl_consensus *c = make_cons("complete", 12, 0, 0, 0.0, 1);
    ck_assert_int_eq(run_direct(c, &e), 1);
    sl_consensus_destroy(c);
    /* link failures slow consensus down; the mean-square rate bounds it */
    c = make_cons("ring", 20, 0, 0, 0.3, 1);
    double th, base;
    ck_assert_int_eq(sl_consensus_theory_rate(c, &th, NULL, &e), SL_OK);
    sl_consensus *c0 = make_cons("ring", 20, 0, 0, 0.0, 1);
    sl_consensus_theory_rate(c0, &base, NULL, &e);
    ck_assert(th > base && th < 1.0);
    long i1 = run_direct(c, &e), i0 = run_direct(c0, &e);
    ck_assert_int_gt(i1, i0);
    sl_consensus_destroy(c);
    sl_consensus_destroy(c0);
}
END_TEST

START_TEST(disconnected_per_component)
{
    sl_error e;
    /* two rings (0..4) and (5..11), and an isolated node 12 */
    int u[12], v[12], m = 0;
    for (int i = 0; i < 5; i++, m++) {
        u[m] = i;
        v[m] = (i + 1) % 5;
    }
    for (int i = 0; i < 7; i++, m++) {
        u[m] = 5 + i;
        v[m] = 5 + (i + 1) % 7;
    }
    sl_graph *g = sl_graph_from_edges(13, (size_t)m, u, v, &e);
    ck_assert_ptr_nonnull(g);
    double x0[13];
    for (int i = 0; i < 13; i++) x0[i] = i * i;
    sl_consensus_def o = {.tol = 1e-10, .threads = 1};
    sl_consensus *c = sl_consensus_create(13, x0, &o, &e);
    ck_assert_int_eq(sl_consensus_add_topology(c, g, sl_mix_metropolis(g, &e), &e), SL_OK);
    ck_assert_int_eq(sl_consensus_ncomponents(c), 3);
    long it = run_direct(c, &e);
    ck_assert(sl_consensus_done(c));
    ck_assert_int_gt(it, 5);
    double ma = (0 + 1 + 4 + 9 + 16) / 5.0, mb = 0.0;
    for (int i = 5; i < 12; i++) mb += i * i;
    mb /= 7.0;
    const double *x = sl_consensus_x(c);
    for (int i = 0; i < 5; i++) ck_assert_double_eq_tol(x[i], ma, 1e-8);
    for (int i = 5; i < 12; i++) ck_assert_double_eq_tol(x[i], mb, 1e-8);
    ck_assert_double_eq(x[12], 144.0);
    double th;
    ck_assert_int_eq(sl_consensus_theory_rate(c, &th, NULL, &e), SL_OK);
    /* the slower component is the 7-ring */
    ck_assert_double_eq_tol(th, 1.0 / 3.0 + 2.0 / 3.0 * cos(2 * M_PI / 7), 1e-12);
    sl_consensus_destroy(c);
}
END_TEST

START_TEST(switching_topologies)
{
    sl_error e;
    /* alternate the even and odd edges of a ring: each is a matching, the union is connected */
    int n = 16;
    int ua[8], va[8], ub[8], vb[8];
    for (int i = 0; i < 8; i++) {
        ua[i] = 2 * i;
        va[i] = 2 * i + 1;
        ub[i] = 2 * i + 1;
        vb[i] = (2 * i + 2) % n;
    }
    double x0[16];
    for (int i = 0; i < n; i++) x0[i] = i;
    sl_consensus_def o = {.tol = 1e-8, .threads = 1, .period = 1};
    sl_consensus *c = sl_consensus_create(n, x0, &o, &e);
    sl_graph *ga = sl_graph_from_edges(n, 8, ua, va, &e), *gb = sl_graph_from_edges(n, 8, ub, vb, &e);
    ck_assert_int_eq(sl_consensus_add_topology(c, ga, sl_mix_metropolis(ga, &e), &e), SL_OK);
    ck_assert_int_eq(sl_consensus_add_topology(c, gb, sl_mix_metropolis(gb, &e), &e), SL_OK);
    ck_assert_int_eq(sl_consensus_ncomponents(c), 1);
    double th;
    const char *kind;
    ck_assert_int_eq(sl_consensus_theory_rate(c, &th, &kind, &e), SL_OK);
    ck_assert_str_eq(kind, "cycle-norm");
    ck_assert(th > 0 && th < 1);
    long it = run_direct(c, &e);
    ck_assert(sl_consensus_done(c));
    ck_assert_double_eq_tol(sl_consensus_mean(c), 7.5, 1e-12);
    double emp = sl_consensus_empirical_rate(c);
    ck_assert_msg(emp <= th + 1e-6, "empirical %g > bound %g", emp, th);
    ck_assert_int_gt(it, 10);
    sl_consensus_destroy(c);
}
END_TEST

START_TEST(direct_threads_identical)
{
    sl_error e;
    double *ref = NULL;
    long itref = 0;
    for (int th = 1; th <= 4; th++) {
        sl_consensus *c = make_cons("rgg", 300, 0.12, 0, 0.2, th);
        long it = run_direct(c, &e);
        if (th == 1) {
            ref = malloc(300 * sizeof *ref);
            memcpy(ref, sl_consensus_x(c), 300 * sizeof *ref);
            itref = it;
        } else {
            ck_assert_int_eq(it, itref);
            ck_assert_int_eq(memcmp(ref, sl_consensus_x(c), 300 * sizeof *ref), 0);
        }
        sl_consensus_destroy(c);
    }
    free(ref);
}
END_TEST

/* Bus driver: one round per world step, until done or max_rounds; the caller destroys w. */
static sl_world *run_bus(const char *kind, int n, double radius, double fail, double loss,
                         int threads, long max_rounds, long *iters)
{
    sl_error e;
    sl_world *w = sl_world_create(99);
    sl_world_set_threads(w, threads);
    sl_consensus *c = make_cons(kind, n, radius, 0, fail, 1);
    ck_assert_int_eq(sl_consensus_attach(c, w, "nodes", loss, &e), SL_OK);
    for (long s = 0; s <= max_rounds && !sl_consensus_done(c); s++)
        ck_assert_msg(sl_world_step(w, &e) == SL_OK, "%s", e.msg);
    *iters = sl_consensus_iterations(c);
    return w;
}

START_TEST(bus_equals_direct)
{
    sl_error e;
    for (int f = 0; f < 2; f++) {
        long it;
        /* n > SL_CHUNK so several chunks send in parallel; compare after 40 rounds */
        sl_world *w = run_bus("rgg", 1100, 0.08, f ? 0.25 : 0.0, 0.0, 2, 40, &it);
        ck_assert_int_eq(it, 40);
        sl_consensus *cb = sl_consensus_of(w, "nodes");
        sl_consensus *cd = make_cons("rgg", 1100, 0.08, 0, f ? 0.25 : 0.0, 2);
        long itd = step_direct(cd, 40, &e);
        ck_assert_int_eq(it, itd);
        ck_assert_int_eq(memcmp(sl_consensus_x(cb), sl_consensus_x(cd), 1100 * sizeof(double)), 0);
        uint64_t sent, deliv, lost, bytes;
        sl_consensus_traffic(cb, &sent, &deliv, &lost, &bytes);
        ck_assert_uint_eq(lost, 0);
        ck_assert_uint_eq(bytes, sent * (SL_MSG_HEADER_BYTES + 8));
        /* without failures every round carries the same 2m messages; step 0 and every round send */
        if (!f) ck_assert_uint_eq(deliv * (uint64_t)(it + 1), sent * (uint64_t)it);
        else ck_assert_uint_lt(deliv * (uint64_t)(it + 1), sent * (uint64_t)it + sent);
        sl_consensus_destroy(cd);
        /* the recorder holds one row per step plus the initial one */
        sl_recorder *r = sl_world_recorder(w);
        ck_assert_uint_eq(sl_recorder_nrows(r), (size_t)it + 2);
        int mi = sl_recorder_find(r, "iteration");
        ck_assert_double_eq(sl_recorder_last(r, mi), (double)it);
        sl_world_destroy(w);
    }
    /* to convergence on a small ring: same iteration count as the direct driver */
    long it;
    sl_world *w = run_bus("ring", 30, 0, 0.0, 0.0, 1, 100000, &it);
    sl_consensus *cd = make_cons("ring", 30, 0, 0, 0.0, 1);
    ck_assert_int_eq(run_direct(cd, &e), it);
    ck_assert(sl_consensus_done(sl_consensus_of(w, "nodes")));
    ck_assert_int_eq(memcmp(sl_consensus_x(sl_consensus_of(w, "nodes")), sl_consensus_x(cd),
                            30 * sizeof(double)), 0);
    sl_consensus_destroy(cd);
    sl_world_destroy(w);
}
END_TEST

START_TEST(bus_lost_messages)
{
    long ref_it = 0;
    double ref_mean = 0;
    for (int th = 1; th <= 4; th++) {
        long it;
        sl_world *w = run_bus("ring", 40, 0, 0.0, 0.2, th, 100000, &it);
        ck_assert(sl_consensus_done(sl_consensus_of(w, "nodes")));
        sl_consensus *c = sl_consensus_of(w, "nodes");
        uint64_t sent, deliv, lost;
        sl_consensus_traffic(c, &sent, &deliv, &lost, NULL);
        ck_assert_uint_gt(lost, 0);
        ck_assert_uint_eq(deliv + lost + 80, sent); /* the last round's sends are never read */
        /* lost values break double stochasticity: the agreed value drifts from the mean */
        ck_assert(fabs(sl_consensus_mean(c) - sl_consensus_initial_mean(c)) > 1e-9);
        if (th == 1) {
            ref_it = it;
            ref_mean = sl_consensus_mean(c);
        } else {
            ck_assert_int_eq(it, ref_it);
            ck_assert(sl_consensus_mean(c) == ref_mean);
        }
        sl_world_destroy(w);
    }
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("consensus");
    /* one case per test, so CK_RUN_CASE=name runs a single one */
#define ADD(fn)                           \
    do {                                  \
        TCase *t = tcase_create(#fn);     \
        tcase_set_timeout(t, 120);        \
        tcase_add_test(t, fn);            \
        suite_add_tcase(s, t);            \
    } while (0)
    ADD(graph_shapes);
    ADD(graph_bad_specs);
    ADD(weights_valid_and_rejected);
    ADD(eigen_known_spectra);
    ADD(mean_preserved_and_converges);
    ADD(stopping_rules);
    ADD(rate_matches_theory);
    ADD(disconnected_per_component);
    ADD(switching_topologies);
    ADD(direct_threads_identical);
    ADD(bus_equals_direct);
    ADD(bus_lost_messages);
#undef ADD
    return s;
}

int main(void)
{
    SRunner *r = srunner_create(suite());
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
