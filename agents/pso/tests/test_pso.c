/* test_pso.c - PSO solver: known answers, FE accounting, bounds, constraints, integers,
 * stopping rules, determinism across thread counts, bad input, CEC-2017 data, Lua errors. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "swarmlab/pso.h"
#include "swarmlab/pso_functions.h"
#include "check_skip.h"

/* ---- helpers ---- */

typedef struct fn_user {
    sl_testfn_fn f;
    const double *lo, *hi, *quantum;
    int dim;
    long long calls;        /* counted atomically */
    long long out_of_box;   /* evaluations outside the box or off the quantum grid */
} fn_user;

static sl_status eval_testfn(void *user, const double *x, int dim, double *f, double *g, double *h,
                             sl_error *e)
{
    (void)g; (void)h; (void)e;
    fn_user *u = user;
    int bad = 0;
    for (int d = 0; d < dim; d++) {
        if (!(x[d] >= u->lo[d] && x[d] <= u->hi[d])) bad = 1;
        if (u->quantum && u->quantum[d] > 0.0 && fabs(x[d] - nearbyint(x[d] / u->quantum[d]) *
                                                                  u->quantum[d]) > 1e-12)
            bad = 1;
    }
#pragma omp atomic
    u->calls++;
    if (bad) {
#pragma omp atomic
        u->out_of_box++;
    }
    *f = u->f(x, dim);
    return SL_OK;
}

typedef struct run_out {
    double best, err;
    long long fes, nonfinite, iters;
    double x[64];
    const char *reason;
    long long calls, out_of_box;
    unsigned long long hist_hash;
} run_out;

static unsigned long long hash_bytes(unsigned long long h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 1099511628211ull;
    return h;
}

static run_out run_fn(sl_pso_def c, sl_testfn_fn fn, int thread_safe)
{
    fn_user u = {fn, c.lower, c.upper, c.quantum, c.dim, 0, 0};
    sl_pso_problem pb = {eval_testfn, &u, thread_safe};
    sl_error e;
    sl_error_clear(&e);
    sl_pso *s = sl_pso_create(&c, &pb, &e);
    ck_assert_msg(s != NULL, "create failed: %s", e.msg);
    ck_assert_int_eq(sl_pso_run(s, &e), SL_OK);
    run_out r;
    memset(&r, 0, sizeof r);
    r.best = sl_pso_best_value(s);
    r.err = sl_pso_best_error(s);
    r.fes = sl_pso_fes(s);
    r.iters = sl_pso_iterations(s);
    r.nonfinite = sl_pso_nonfinite(s);
    r.reason = sl_pso_stop_reason(s);
    for (int d = 0; d < c.dim && d < 64; d++) r.x[d] = sl_pso_best_x(s)[d];
    int nh = 0;
    const sl_pso_history_entry *h = sl_pso_history(s, &nh);
    r.hist_hash = hash_bytes(1469598103934665603ull, h, sizeof *h * (size_t)nh);
    r.hist_hash = hash_bytes(r.hist_hash, sl_pso_positions(s),
                             sizeof(double) * (size_t)sl_pso_swarm_size(s) * c.dim);
    r.calls = u.calls;
    r.out_of_box = u.out_of_box;
    sl_pso_destroy(s);
    return r;
}

static double LO[64], HI[64];
static void box(double lo, double hi, int dim)
{
    for (int d = 0; d < dim; d++) {
        LO[d] = lo;
        HI[d] = hi;
    }
}

/* ---- known answers ---- */

START_TEST(test_sphere_d10)
{
    box(-100, 100, 10);
    sl_pso_def c = sl_pso_def_default(SL_PSO_SPSO2011, 10);
    c.lower = LO;
    c.upper = HI;
    c.seed = 7;
    run_out r = run_fn(c, sl_testfn_sphere, 1);
    ck_assert_int_eq(r.fes, 100000);
    ck_assert_msg(r.err < 1e-10, "sphere D=10 error %g", r.err);
    /* the classic constriction variant, too */
    c = sl_pso_def_default(SL_PSO_CONSTRICTION, 10);
    c.lower = LO;
    c.upper = HI;
    r = run_fn(c, sl_testfn_sphere, 1);
    ck_assert_msg(r.err < 1e-10, "constriction sphere D=10 error %g", r.err);
}
END_TEST

START_TEST(test_functions_at_optimum)
{
    int n = 0;
    const sl_testfn *t = sl_testfn_all(&n);
    ck_assert_int_eq(n, 6);
    for (int k = 0; k < n; k++) {
        for (int dim = 2; dim <= 30; dim += 7) {
            double x[30], y[30];
            for (int d = 0; d < dim; d++) x[d] = t[k].argmin;
            double f = t[k].f(x, dim);
            ck_assert_msg(fabs(f - t[k].optimum) < 1e-9, "%s(x*) = %.17g at dim %d", t[k].name, f,
                          dim);
            /* and a nearby point is worse */
            for (int d = 0; d < dim; d++) y[d] = x[d] + 0.01;
            ck_assert_msg(t[k].f(y, dim) > f, "%s: x* + 0.01 not worse", t[k].name);
        }
    }
    ck_assert_ptr_null(sl_testfn_find("nosuch"));
    ck_assert_ptr_nonnull(sl_testfn_find("rastrigin"));
}
END_TEST

static const char *cec_dir(void)
{
    static char path[4096];
    const char *src = getenv("SWARMLAB_SOURCE_DIR");
    snprintf(path, sizeof path, "%s/../shared/data/cec/cec2017/input_data", src ? src : ".");
    struct stat st;
    if (stat(path, &st) != 0) return NULL;
    return path;
}

START_TEST(test_cec2017_at_shift)
{
    const char *dir = cec_dir();
    if (!dir) sl_skip("../shared/data/cec/cec2017 not found");
    int dims[2] = {10, 30};
    for (int di = 0; di < 2; di++) {
        int D = dims[di];
        for (int fn = 1; fn <= 10; fn++) {
            sl_error e;
            sl_cec2017 *c = sl_cec2017_load(dir, fn, D, &e);
            ck_assert_msg(c != NULL, "F%d D%d: %s", fn, D, e.msg);
            double x[30];
            memcpy(x, sl_cec2017_shift(c), sizeof(double) * D);
            double f = sl_cec2017_eval(c, x);
            if (fn != 9) {
                ck_assert_msg(fabs(f - 100.0 * fn) < 1e-8, "F%d D%d at o: %.17g", fn, D, f);
            } else {
                /* official-code quirk: w = 1 + (z - 1)/4, so at z = 0 the value is known */
                double s = sin(3.14159265358979323846 * 0.75 + 1.0);
                double q = 0.5 + (D - 1) * 0.0625 * (1.0 + 10.0 * s * s) + 0.125;
                ck_assert_msg(fabs(f - 900.0 - q) < 1e-9, "F9 D%d at o: %.17g (want %.17g)", D, f,
                              900.0 + q);
                /* its true minimum: z = M (x - o) = 1, i.e. x = o + M^-1 1 (the D = 10
                 * matrices are not orthogonal: solve by Gaussian elimination) */
                double A[30][31];
                const double *M = sl_cec2017_rotation(c);
                for (int i = 0; i < D; i++) {
                    for (int j = 0; j < D; j++) A[i][j] = M[i * D + j];
                    A[i][D] = 1.0;
                }
                for (int k = 0; k < D; k++) {
                    int piv = k;
                    for (int i = k + 1; i < D; i++)
                        if (fabs(A[i][k]) > fabs(A[piv][k])) piv = i;
                    for (int j = 0; j <= D; j++) {
                        double t = A[k][j];
                        A[k][j] = A[piv][j];
                        A[piv][j] = t;
                    }
                    for (int i = 0; i < D; i++) {
                        if (i == k) continue;
                        double m = A[i][k] / A[k][k];
                        for (int j = k; j <= D; j++) A[i][j] -= m * A[k][j];
                    }
                }
                for (int j = 0; j < D; j++) x[j] += A[j][D] / A[j][j];
                f = sl_cec2017_eval(c, x);
                ck_assert_msg(fabs(f - 900.0) < 1e-9, "F9 D%d at o + M^T 1: %.17g", D, f);
            }
            /* a point away from the shift is worse */
            memcpy(x, sl_cec2017_shift(c), sizeof(double) * D);
            x[0] += 1.0;
            ck_assert_msg(sl_cec2017_eval(c, x) > 100.0 * fn, "F%d: shifted point not worse", fn);
            sl_cec2017_destroy(c);
        }
    }
}
END_TEST

START_TEST(test_cec2017_errors)
{
    sl_error e;
    ck_assert_ptr_null(sl_cec2017_load("/nonexistent/dir", 1, 10, &e));
    ck_assert_int_eq(e.code, SL_ERR_IO);
    ck_assert_msg(strstr(e.msg, "/nonexistent/dir/shift_data_1.txt") != NULL, "%s", e.msg);
    ck_assert_ptr_null(sl_cec2017_load("/tmp", 11, 10, &e));
    ck_assert_int_eq(e.code, SL_ERR_RANGE);
    ck_assert_ptr_null(sl_cec2017_load("/tmp", 1, 7, &e));
    ck_assert_int_eq(e.code, SL_ERR_RANGE);
    /* a malformed data file names the file and line */
    char dir[] = "/tmp/sl_pso_cecXXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/shift_data_1.txt", dir);
    FILE *f = fopen(path, "w");
    fprintf(f, "1.0 2.0\n3.0 abc\n");
    fclose(f);
    ck_assert_ptr_null(sl_cec2017_load(dir, 1, 10, &e));
    ck_assert_int_eq(e.code, SL_ERR_PARSE);
    ck_assert_msg(strstr(e.msg, "shift_data_1.txt:2:") != NULL, "%s", e.msg);
    remove(path);
    rmdir(dir);
}
END_TEST

/* ---- FE accounting, bounds ---- */

START_TEST(test_exact_fes)
{
    box(-5.12, 5.12, 5);
    long long budgets[] = {1, 37, 40, 41, 1000, 1013};
    for (int async = 0; async <= 1; async++) {
        for (int v = 0; v < 4; v++) {
            for (size_t b = 0; b < sizeof budgets / sizeof budgets[0]; b++) {
                sl_pso_def c = sl_pso_def_default((sl_pso_variant)v, 5);
                c.lower = LO;
                c.upper = HI;
                c.max_fes = budgets[b];
                c.async = async;
                c.threads = 3;
                run_out r = run_fn(c, sl_testfn_rastrigin, 1);
                ck_assert_int_eq(r.fes, budgets[b]);
                ck_assert_int_eq(r.calls, budgets[b]);
                ck_assert_str_eq(r.reason, "fes");
            }
        }
    }
}
END_TEST

START_TEST(test_bounds_never_violated)
{
    /* Rosenbrock's optimum (1,...) sits near the upper bound of [-1, 1.2]: particles hit it often */
    box(-1.0, 1.2, 6);
    double quanta[6] = {0, 0.25, 1, 0, 0, 0.1};
    for (int v = 0; v < 4; v++) {
        for (int b = SL_PSO_BOUNDS_CONFINE; b <= SL_PSO_BOUNDS_DAMP; b++) {
            for (int q = 0; q <= 1; q++) {
                sl_pso_def c = sl_pso_def_default((sl_pso_variant)v, 6);
                c.lower = LO;
                c.upper = HI;
                c.bounds = (sl_pso_bounds)b;
                c.quantum = q ? quanta : NULL;
                c.max_fes = 4000;
                c.vmax = 0.0;   /* no clamping: moves overshoot */
                c.threads = 2;
                run_out r = run_fn(c, sl_testfn_rosenbrock, 1);
                ck_assert_msg(r.out_of_box == 0, "variant %d bounds %d quanta %d: %lld bad", v, b,
                              q, r.out_of_box);
                ck_assert_int_eq(r.calls, 4000);
            }
        }
    }
}
END_TEST

/* ---- constraints ---- */

/* min x^2 + y^2  s.t.  g: 1 - x - y <= 0  (optimum 0.5 at (0.5, 0.5));  with eq: x - y - 0.2 = 0
 * the optimum is (0.6, 0.4), f = 0.52. */
typedef struct cons_user { int with_eq; } cons_user;
static sl_status eval_cons(void *user, const double *x, int dim, double *f, double *g, double *h,
                           sl_error *e)
{
    (void)dim; (void)e;
    cons_user *u = user;
    *f = x[0] * x[0] + x[1] * x[1];
    g[0] = 1.0 - x[0] - x[1];
    if (u->with_eq) h[0] = x[0] - x[1] - 0.2;
    return SL_OK;
}

START_TEST(test_constraints)
{
    box(-10, 10, 2);
    for (int m = 0; m <= 1; m++) {
        for (int eq = 0; eq <= 1; eq++) {
            sl_pso_def c = sl_pso_def_default(SL_PSO_SPSO2011, 2);
            c.lower = LO;
            c.upper = HI;
            c.ng = 1;
            c.nh = eq;
            c.eq_tol = 1e-4;
            c.eq_tol_start = 1.0;   /* shrinking band: the swarm slides along h = 0 */
            c.cmethod = (sl_pso_constraint_method)m;
            c.max_fes = 20000;
            cons_user u = {eq};
            sl_pso_problem pb = {eval_cons, &u, 1};
            sl_error e;
            sl_pso *s = sl_pso_create(&c, &pb, &e);
            ck_assert_ptr_nonnull(s);
            ck_assert_int_eq(sl_pso_run(s, &e), SL_OK);
            const double *x = sl_pso_best_x(s);
            /* with |h| <= tol the optimum is 0.5 + (0.2 - tol)^2 / 2 */
            double want = eq ? 0.5 + (0.2 - c.eq_tol) * (0.2 - c.eq_tol) / 2.0 : 0.5;
            ck_assert_msg(sl_pso_best_violation(s) < (m == 0 ? 1e-300 : 1e-5),
                          "method %d eq %d: violation %g", m, eq, sl_pso_best_violation(s));
            ck_assert_msg(fabs(sl_pso_best_value(s) - want) < 1e-3, "method %d eq %d: f %g at (%g, %g)",
                          m, eq, sl_pso_best_value(s), x[0], x[1]);
            ck_assert(x[0] + x[1] >= 1.0 - 1e-5);
            sl_pso_destroy(s);
        }
    }
}
END_TEST

/* Deb's rules: a feasible point beats any infeasible one, however good its objective. The only
 * feasible region is x0 >= 9 (objective x0^2 rewards x0 = 0). */
static sl_status eval_far(void *user, const double *x, int dim, double *f, double *g, double *h,
                          sl_error *e)
{
    (void)user; (void)dim; (void)h; (void)e;
    *f = x[0] * x[0];
    g[0] = 9.0 - x[0];
    return SL_OK;
}

START_TEST(test_deb_picks_feasible)
{
    box(-10, 10, 1);
    sl_pso_def c = sl_pso_def_default(SL_PSO_CONSTRICTION, 1);
    c.lower = LO;
    c.upper = HI;
    c.ng = 1;
    c.swarm = 10;
    c.max_fes = 2000;
    sl_pso_problem pb = {eval_far, NULL, 1};
    sl_error e;
    sl_pso *s = sl_pso_create(&c, &pb, &e);
    ck_assert_int_eq(sl_pso_run(s, &e), SL_OK);
    ck_assert(sl_pso_best_violation(s) == 0.0);
    ck_assert_msg(fabs(sl_pso_best_x(s)[0] - 9.0) < 1e-6, "x %g", sl_pso_best_x(s)[0]);
    ck_assert_double_eq_tol(sl_pso_best_value(s), 81.0, 1e-4);
    sl_pso_destroy(s);
}
END_TEST

/* ---- integer and mixed-integer ---- */

static double mixed_fn(const double *x, int dim)
{
    (void)dim;
    return (x[0] - 2.4) * (x[0] - 2.4) + (x[1] - 3.7) * (x[1] - 3.7) + fabs(x[2] + 1.3);
}

START_TEST(test_mixed_integer)
{
    box(-10, 10, 3);
    double q[3] = {1, 0, 1};
    for (int v = 0; v < 4; v++) {
        sl_pso_def c = sl_pso_def_default((sl_pso_variant)v, 3);
        c.lower = LO;
        c.upper = HI;
        c.quantum = q;
        c.max_fes = 6000;
        run_out r = run_fn(c, mixed_fn, 1);
        ck_assert_int_eq(r.out_of_box, 0);
        ck_assert_msg(r.x[0] == 2.0 && r.x[2] == -1.0, "variant %d: x0 %g x2 %g", v, r.x[0], r.x[2]);
        ck_assert_msg(fabs(r.x[1] - 3.7) < 1e-3, "variant %d: x1 %g", v, r.x[1]);
    }
}
END_TEST

/* ---- stopping ---- */

static double const_fn(const double *x, int dim)
{
    (void)x; (void)dim;
    return 3.0;
}

START_TEST(test_stopping)
{
    box(-100, 100, 10);
    sl_pso_def c = sl_pso_def_default(SL_PSO_SPSO2011, 10);
    c.lower = LO;
    c.upper = HI;
    c.target = 1e-3;
    run_out r = run_fn(c, sl_testfn_sphere, 1);
    ck_assert_str_eq(r.reason, "target");
    ck_assert(r.err <= 1e-3);
    ck_assert(r.fes < 100000);

    c.target = -1;
    c.stagnation = 20;
    r = run_fn(c, const_fn, 1);
    ck_assert_str_eq(r.reason, "stagnation");
    ck_assert_int_eq(r.iters, 20);
    ck_assert_int_eq(r.fes, 40 + 20 * 40);

    c.stagnation = 0;
    c.max_fes = 100000000;
    c.max_seconds = 0.05;
    r = run_fn(c, sl_testfn_sphere, 1);
    ck_assert_str_eq(r.reason, "time");
    ck_assert(r.fes < 100000000);
}
END_TEST

START_TEST(test_target_fes_exact)
{
    /* the FE at which the target was reached is exact, whatever the thread count */
    box(-100, 100, 5);
    long long want = -1;
    for (int t = 1; t <= 4; t++) {
        sl_pso_def c = sl_pso_def_default(SL_PSO_SPSO2011, 5);
        c.lower = LO;
        c.upper = HI;
        c.target = 1e-6;
        c.threads = t;
        fn_user u = {sl_testfn_sphere, LO, HI, NULL, 5, 0, 0};
        sl_pso_problem pb = {eval_testfn, &u, 1};
        sl_error e;
        sl_pso *s = sl_pso_create(&c, &pb, &e);
        ck_assert_int_eq(sl_pso_run(s, &e), SL_OK);
        long long tf = sl_pso_target_fes(s);
        ck_assert(tf > 0 && tf <= sl_pso_fes(s) && sl_pso_fes(s) - tf < 40);
        if (want < 0) want = tf;
        ck_assert_int_eq(tf, want);
        sl_pso_destroy(s);
    }
}
END_TEST

/* ---- determinism ---- */

START_TEST(test_determinism_threads)
{
    box(-5.12, 5.12, 10);
    for (int v = 0; v < 4; v++) {
        for (int topo = SL_PSO_TOPO_ADAPTIVE; topo <= SL_PSO_TOPO_VON_NEUMANN; topo++) {
            run_out ref;
            for (int t = 1; t <= 4; t++) {
                sl_pso_def c = sl_pso_def_default((sl_pso_variant)v, 10);
                c.lower = LO;
                c.upper = HI;
                c.topology = (sl_pso_topology)topo;
                c.max_fes = 5000;
                c.threads = t;
                c.seed = 12345;
                run_out r = run_fn(c, sl_testfn_rastrigin, 1);
                if (t == 1) {
                    ref = r;
                    /* re-run gives the same, too */
                    run_out again = run_fn(c, sl_testfn_rastrigin, 1);
                    ck_assert(again.hist_hash == r.hist_hash);
                } else {
                    ck_assert_msg(r.hist_hash == ref.hist_hash && r.best == ref.best &&
                                      memcmp(r.x, ref.x, sizeof(double) * 10) == 0,
                                  "variant %d topology %d: %d threads differ", v, topo, t);
                }
            }
        }
    }
    /* a different seed gives a different run */
    sl_pso_def c = sl_pso_def_default(SL_PSO_SPSO2011, 10);
    c.lower = LO;
    c.upper = HI;
    c.max_fes = 2000;
    run_out a = run_fn(c, sl_testfn_rastrigin, 1);
    c.seed = 2;
    run_out b = run_fn(c, sl_testfn_rastrigin, 1);
    ck_assert(a.hist_hash != b.hist_hash);
}
END_TEST

/* ---- non-finite values, evaluation errors, bad parameters ---- */

static double nan_fn(const double *x, int dim)
{
    if (x[0] > 0.0) return NAN;
    if (x[1] > 3.0) return INFINITY;
    if (x[1] < -3.0) return -INFINITY;
    return sl_testfn_sphere(x, dim);
}

START_TEST(test_nonfinite)
{
    box(-5, 5, 4);
    sl_pso_def c = sl_pso_def_default(SL_PSO_SPSO2011, 4);
    c.lower = LO;
    c.upper = HI;
    c.max_fes = 4000;
    run_out r = run_fn(c, nan_fn, 1);
    ck_assert(r.nonfinite > 0);
    ck_assert(isfinite(r.best));
    ck_assert(r.x[0] <= 0.0 && r.x[1] <= 3.0 && r.x[1] >= -3.0);
    ck_assert(r.best < 1e-3);
}
END_TEST

static sl_status eval_fail(void *user, const double *x, int dim, double *f, double *g, double *h,
                           sl_error *e)
{
    (void)user; (void)dim; (void)g; (void)h;
    if (x[0] > 4.0) return sl_error_set(e, SL_ERR_LUA, "objective.lua:3: boom at %.3f", x[0]);
    *f = x[0] * x[0];
    return SL_OK;
}

START_TEST(test_eval_error)
{
    box(-5, 5, 2);
    sl_pso_def c = sl_pso_def_default(SL_PSO_SPSO2011, 2);
    c.lower = LO;
    c.upper = HI;
    c.threads = 2;
    sl_pso_problem pb = {eval_fail, NULL, 1};
    sl_error e;
    sl_error_clear(&e);
    sl_pso *s = sl_pso_create(&c, &pb, &e);
    ck_assert_int_eq(sl_pso_run(s, &e), SL_ERR_LUA);
    ck_assert_msg(strstr(e.msg, "objective.lua:3: boom") != NULL, "%s", e.msg);
    ck_assert_str_eq(sl_pso_stop_reason(s), "error");
    ck_assert_int_eq(sl_pso_step(s, &e), SL_OK);
    ck_assert(sl_pso_done(s));
    sl_pso_destroy(s);
}
END_TEST

START_TEST(test_bad_parameters)
{
    box(-1, 1, 4);
    sl_pso_problem pb = {eval_testfn, NULL, 1};
    sl_error e;
    sl_pso_def c = sl_pso_def_default(SL_PSO_SPSO2011, 4);
    c.lower = LO;
    c.upper = HI;
    c.swarm = 0;
    ck_assert_ptr_null(sl_pso_create(&c, &pb, &e));
    ck_assert_int_eq(e.code, SL_ERR_RANGE);
    ck_assert_msg(strstr(e.msg, "swarm") != NULL, "%s", e.msg);

    c = sl_pso_def_default(SL_PSO_SPSO2011, 0);
    c.lower = LO;
    c.upper = HI;
    ck_assert_ptr_null(sl_pso_create(&c, &pb, &e));
    ck_assert_msg(strstr(e.msg, "dim") != NULL, "%s", e.msg);

    double lo[2] = {0, 3}, hi[2] = {1, 2};
    c = sl_pso_def_default(SL_PSO_SPSO2011, 2);
    c.lower = lo;
    c.upper = hi;
    ck_assert_ptr_null(sl_pso_create(&c, &pb, &e));
    ck_assert_msg(strstr(e.msg, "lower bound 3 > upper bound 2 (coordinate 2)") != NULL, "%s",
                  e.msg);

    double lo2[1] = {0.1}, hi2[1] = {0.9}, q[1] = {1};
    c = sl_pso_def_default(SL_PSO_SPSO2011, 1);
    c.lower = lo2;
    c.upper = hi2;
    c.quantum = q;
    ck_assert_ptr_null(sl_pso_create(&c, &pb, &e));
    ck_assert_msg(strstr(e.msg, "no multiple") != NULL, "%s", e.msg);

    c = sl_pso_def_default(SL_PSO_SPSO2011, 4);
    c.lower = LO;
    c.upper = HI;
    c.max_fes = 0;
    ck_assert_ptr_null(sl_pso_create(&c, &pb, &e));
    c.max_fes = 100;
    c.c = NAN;
    ck_assert_ptr_null(sl_pso_create(&c, &pb, &e));
    c.c = 1.0;
    double inf_hi[4] = {1, 1, INFINITY, 1};
    c.upper = inf_hi;
    ck_assert_ptr_null(sl_pso_create(&c, &pb, &e));
    ck_assert_msg(strstr(e.msg, "not finite") != NULL, "%s", e.msg);

    ck_assert_int_eq(sl_pso_variant_parse("spso2011"), SL_PSO_SPSO2011);
    ck_assert_int_eq(sl_pso_variant_parse("bogus"), -1);
    ck_assert_int_eq(sl_pso_topology_parse("von_neumann"), SL_PSO_TOPO_VON_NEUMANN);
    ck_assert_int_eq(sl_pso_bounds_parse("reflect"), SL_PSO_BOUNDS_REFLECT);
}
END_TEST

START_TEST(test_async_reference_mode)
{
    /* the sequential (reference-code) update also solves the sphere and is reproducible */
    box(-100, 100, 10);
    sl_pso_def c = sl_pso_def_default(SL_PSO_SPSO2011, 10);
    c.lower = LO;
    c.upper = HI;
    c.async = 1;
    c.permute = 1;
    run_out a = run_fn(c, sl_testfn_sphere, 0);
    run_out b = run_fn(c, sl_testfn_sphere, 0);
    ck_assert(a.hist_hash == b.hist_hash);
    ck_assert_msg(a.err < 1e-10, "async sphere error %g", a.err);
    c.async = 0;
    c.links_k_draws = 1;
    run_out d = run_fn(c, sl_testfn_sphere, 1);
    ck_assert_msg(d.err < 1e-10, "k-draws sphere error %g", d.err);
    /* uniform-in-volume steps are larger (points crowd near the sphere's surface): slower, but
     * still far below the initial error (~1e4) */
    c.links_k_draws = 0;
    c.sphere_volume = 1;
    d = run_fn(c, sl_testfn_sphere, 1);
    ck_assert_msg(d.err < 100.0, "volume sphere error %g", d.err);
}
END_TEST

/* ---- Lua objectives through the command line (needs the swarmlab binary) ---- */

static int run_cli(const char *script_text, const char *name, char *out, size_t outn)
{
    const char *exe = getenv("SWARMLAB_EXE");
    if (!exe || access(exe, X_OK) != 0) return -100;
    char dir[] = "/tmp/sl_pso_luaXXXXXX";
    if (!mkdtemp(dir)) return -101;
    char path[512], cmd[2048];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    fputs(script_text, f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "OMP_WAIT_POLICY=passive '%s' run '%s' --out '%s/out' --quiet 2>&1",
             exe, path, dir);
    FILE *p = popen(cmd, "r");
    size_t n = fread(out, 1, outn - 1, p);
    out[n] = '\0';
    int st = pclose(p);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) return -102;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

START_TEST(test_lua_objective_error)
{
    char out[8192];
    const char *script = "local sl = swarmlab\n"
                         "local r = sl.pso{dim = 2, lower = -1, upper = 1, fes = 400,\n"
                         "  objective = function(x)\n"
                         "    if x[1] > 0.5 then error('objective blew up') end\n"
                         "    return x[1]^2 + x[2]^2\n"
                         "  end}\n";
    int rc = run_cli(script, "pso_err.lua", out, sizeof out);
    if (rc == -100) sl_skip("swarmlab binary not built");
    ck_assert_msg(rc == 2, "exit %d, output: %s", rc, out);
    ck_assert_msg(strstr(out, "pso_err.lua:4:") != NULL && strstr(out, "objective blew up"),
                  "output: %s", out);

    const char *ok = "local sl = swarmlab\n"
                     "sl.steps(0)\n"
                     "local r = sl.pso{dim = 2, lower = {-1, -2}, upper = {1, 2}, fes = 2000,\n"
                     "  objective = function(x) return (x[1]-0.3)^2 + (x[2]+0.2)^2 end}\n"
                     "assert(r.fes == 2000, 'fes ' .. r.fes)\n"
                     "assert(r.value < 1e-6, 'value ' .. r.value)\n"
                     "assert(math.abs(r.x[1] - 0.3) < 1e-3)\n"
                     "assert(#r.history > 10)\n"
                     "local bad, msg = pcall(sl.pso, {dim = 0, objective = 'sphere'})\n"
                     "assert(not bad and msg:find('dim'), msg)\n"
                     "bad, msg = pcall(sl.pso, {dim = 2, objective = 'sphere', lower = 1, upper = -1})\n"
                     "assert(not bad and msg:find('lower bound'), msg)\n"
                     "bad, msg = pcall(sl.pso, {dim = 2, objective = 'sphere', swarm = 0})\n"
                     "assert(not bad and msg:find('swarm'), msg)\n"
                     "bad, msg = pcall(sl.pso, {dim = 2, objective = 'sphere', fe = 10})\n"
                     "assert(not bad and msg:find(\"unknown option 'fe'\"), msg)\n"
                     "bad, msg = pcall(sl.pso, {dim = 2, objective = 'nosuch'})\n"
                     "assert(not bad and msg:find('unknown objective'), msg)\n"
                     "-- every option through the binding toolkit: the message names option and table\n"
                     "local function fails(opts, want)\n"
                     "  local ok, m = pcall(sl.pso_solver, opts)\n"
                     "  assert(not ok and m:find(want, 1, true), m)\n"
                     "end\n"
                     "fails({dim = 2, objective = 'sphere', topology = 'rnig'},\n"
                     "  \"swarmlab.pso_solver{...}: option 'topology' must be one of 'default'\")\n"
                     "fails({dim = 2, objective = 'sphere', topology = 'rnig'}, \"did you mean 'ring'?\")\n"
                     "fails({dim = 2, objective = 'sphere', c = 0},\n"
                     "  \"swarmlab.pso_solver{...}: option 'c' must be in (0, inf) (got 0)\")\n"
                     "fails({dim = 2, objective = 'sphere', informants = 0},\n"
                     "  \"option 'informants' must be an integer in [1, 1000] (got 0)\")\n"
                     "fails({dim = 2, objective = 'sphere', lower = {1}},\n"
                     "  \"option 'lower' must be a list of 2 numbers (got 1)\")\n"
                     "fails({dim = 2, objective = 'sphere', step = -1},\n"
                     "  \"option 'step' must be in [0, inf] (got -1)\")\n"
                     "fails({dim = 2, objective = 'sphere', async = 1},\n"
                     "  \"option 'async' must be true or false (got 1)\")\n"
                     "fails({objective = 'sphere'}, \"missing option 'dim' in swarmlab.pso_solver{...}\")\n"
                     "fails({dim = 2, objective = 'sphere', constraints = {g = function() return 0 end,\n"
                     "  method = 'dep'}}, \"swarmlab.pso_solver{...}.constraints: option 'method' must be \"\n"
                     "  .. \"one of 'deb', 'penalty' (got 'dep'; did you mean 'deb'?)\")\n"
                     "fails({dim = 2, objective = 'sphere', constraints = {g = function() return 0 end,\n"
                     "  penalty = 0}}, \"option 'penalty' must be in (0, inf) (got 0)\")\n"
                     "-- NaN values are counted and never chosen\n"
                     "r = sl.pso{dim = 1, lower = -1, upper = 1, fes = 500,\n"
                     "  objective = function(x) if x[1] > 0 then return 0/0 end return x[1]^2 end}\n"
                     "assert(r.nonfinite > 0 and r.value == r.value and r.x[1] <= 0)\n"
                     "-- Lua constraints and integers\n"
                     "r = sl.pso{dim = 2, lower = -10, upper = 10, fes = 4000, integer = {1},\n"
                     "  objective = function(x) return x[1]^2 + x[2]^2 end,\n"
                     "  constraints = {function(x) return 2.5 - x[1] - x[2] end}}\n"
                     "assert(r.feasible and r.x[1] == math.floor(r.x[1]), r.x[1])\n"
                     "assert(math.abs(r.value - 3.25) < 1e-3, r.value)\n"
                     "-- an equality constraint with a shrinking band\n"
                     "r = sl.pso{dim = 2, lower = -10, upper = 10, fes = 20000,\n"
                     "  objective = function(x) return x[1]^2 + x[2]^2 end,\n"
                     "  constraints = {g = {function(x) return 1 - x[1] - x[2] end},\n"
                     "                 h = function(x) return x[1] - x[2] - 0.2 end,\n"
                     "                 tol = 1e-4, tol_start = 1}}\n"
                     "assert(r.feasible and math.abs(r.value - 0.52) < 1e-3, r.value)\n"
                     "-- a stepping solver\n"
                     "local s = sl.pso_solver{objective = 'sphere', dim = 3, fes = 400}\n"
                     "local n = 0\n"
                     "while not s:step() do n = n + 1 end\n"
                     "assert(s:done() and #s:positions() == 40 and s:result().fes == 400)\n";
    rc = run_cli(ok, "pso_ok.lua", out, sizeof out);
    ck_assert_msg(rc == 0, "exit %d, output: %s", rc, out);

    /* a solver attached to the world: one iteration per step, population mirrors the swarm */
    const char *att = "local sl = swarmlab\n"
                      "sl.steps(1000)\n"
                      "local s, pop, steps\n"
                      "function setup(world)\n"
                      "  s = sl.pso_solver{objective = 'rastrigin', dim = 3, fes = 800, swarm = 20}\n"
                      "  pop = s:attach(world, 'particles')\n"
                      "  steps = 0\n"
                      "end\n"
                      "function step(world, t)\n"
                      "  steps = steps + 1\n"
                      "  assert(pop:count() == 20)\n"
                      "  for i = 1, 20 do\n"
                      "    local x, z = pop:get('x', i), pop:get('z', i)\n"
                      "    assert(x >= -5.12 and x <= 5.12 and z >= -5.12 and z <= 5.12)\n"
                      "    assert(x == s:positions()[i][1])\n"
                      "  end\n"
                      "  return not s:done()\n"
                      "end\n"
                      "function finish(world)\n"
                      "  local r = s:result()\n"
                      "  assert(r.fes == 800 and steps == 40, r.fes .. ' ' .. steps)\n"
                      "end\n";
    rc = run_cli(att, "pso_attach.lua", out, sizeof out);
    ck_assert_msg(rc == 0, "exit %d, output: %s", rc, out);

    const char *nonum = "local sl = swarmlab\n"
                        "local r = sl.pso{dim = 1, lower = -1, upper = 1,\n"
                        "  objective = function(x)\n"
                        "    return nil end}\n";
    rc = run_cli(nonum, "pso_nil.lua", out, sizeof out);
    ck_assert_msg(rc == 2 && strstr(out, "pso_nil.lua:3: the pso objective returned nil"),
                  "exit %d, output: %s", rc, out);
}
END_TEST

/* The command-line contract of scenarios/pso_bench.lua: convergence.csv and manifest keys, and the
 * same convergence for 1 and 3 threads. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    size_t got = fread(b, 1, (size_t)n, f);
    b[got] = '\0';
    fclose(f);
    return b;
}

START_TEST(test_cli_bench_scenario)
{
    const char *exe = getenv("SWARMLAB_EXE");
    const char *src = getenv("SWARMLAB_SOURCE_DIR");
    if (!exe || access(exe, X_OK) != 0 || !src) sl_skip("swarmlab binary not built");
    char dir[] = "/tmp/sl_pso_cliXXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char *conv[2] = {NULL, NULL};
    int threads[2] = {1, 3};
    for (int k = 0; k < 2; k++) {
        char cmd[4096], path[512];
        snprintf(cmd, sizeof cmd,
                 "cd '%s' && OMP_WAIT_POLICY=passive '%s' run scenarios/pso_bench.lua --set "
                 "function=rastrigin --set dim=5 --set fes=2013 --seed 3 --threads %d --out "
                 "'%s/t%d' --quiet",
                 src, exe, threads[k], dir, threads[k]);
        ck_assert_int_eq(system(cmd), 0);
        snprintf(path, sizeof path, "%s/t%d/convergence.csv", dir, threads[k]);
        conv[k] = slurp(path);
        ck_assert_ptr_nonnull(conv[k]);
        ck_assert(strncmp(conv[k], "fes,best_error,best_value\n", 26) == 0);
        ck_assert_msg(strstr(conv[k], "\n2013,") != NULL, "no final row at 2013 FEs");
        snprintf(path, sizeof path, "%s/t%d/manifest.json", dir, threads[k]);
        char *man = slurp(path);
        ck_assert_ptr_nonnull(man);
        ck_assert(strstr(man, "\"best_value\":") && strstr(man, "\"best_error\":") &&
                  strstr(man, "\"fes\": 2013"));
        free(man);
    }
    ck_assert_str_eq(conv[0], conv[1]);
    free(conv[0]);
    free(conv[1]);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

START_TEST(test_means_near_documented)
{
    /* SPSO-2011 at D = 30 and the full CEC budget (300 000 FEs), seeds 1-5: the mean errors stay
     * in a band around the 25-run means documented in docs/pso.md (Rastrigin 24.7 +- 5.5,
     * Rosenbrock 17.6 +- 4.2; reference code 24.6 and 17.8). Seeds 1-5 give 27.4 and 17.9. A
     * change to the move (centre of gravity, hypersphere draw, confinement), the informants or
     * the velocity update moves at least one mean out of its band. */
    const struct { const char *name; double lo, hi; } cases[] = {
        {"rastrigin", 20.0, 32.0}, {"rosenbrock", 12.0, 24.0}};
    for (int k = 0; k < 2; k++) {
        const sl_testfn *tf = sl_testfn_find(cases[k].name);
        ck_assert_ptr_nonnull(tf);
        box(tf->lower, tf->upper, 30);
        double mean = 0.0;
        for (int seed = 1; seed <= 5; seed++) {
            sl_pso_def c = sl_pso_def_default(SL_PSO_SPSO2011, 30);
            c.lower = LO;
            c.upper = HI;
            c.optimum = tf->optimum;
            c.seed = (uint64_t)seed;
            run_out r = run_fn(c, tf->f, 1);
            ck_assert_int_eq(r.fes, 300000);
            mean += r.err / 5.0;
        }
        ck_assert_msg(mean >= cases[k].lo && mean <= cases[k].hi, "%s D=30: mean error %.3f "
                      "outside [%g, %g]", cases[k].name, mean, cases[k].lo, cases[k].hi);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("pso");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_sphere_d10);
    tcase_add_test(tc, test_functions_at_optimum);
    tcase_add_test(tc, test_cec2017_errors);
    tcase_add_test(tc, test_exact_fes);
    tcase_add_test(tc, test_bounds_never_violated);
    tcase_add_test(tc, test_constraints);
    tcase_add_test(tc, test_deb_picks_feasible);
    tcase_add_test(tc, test_mixed_integer);
    tcase_add_test(tc, test_stopping);
    tcase_add_test(tc, test_target_fes_exact);
    tcase_add_test(tc, test_determinism_threads);
    tcase_add_test(tc, test_nonfinite);
    tcase_add_test(tc, test_eval_error);
    tcase_add_test(tc, test_bad_parameters);
    tcase_add_test(tc, test_async_reference_mode);
    tcase_add_test(tc, test_means_near_documented);
    suite_add_tcase(s, tc);
    tcase_add_test(sl_needs_case(s, "cec2017", 300), test_cec2017_at_shift);
    tc = sl_needs_case(s, "cli", 300);
    tcase_add_test(tc, test_lua_objective_error);
    tcase_add_test(tc, test_cli_bench_scenario);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
