/* test_distai_cli.c - the consensus, fedavg and dgd scenarios run through the swarmlab binary:
 * manifest results, determinism across thread counts, and rejected bad input. */
#include <check.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "swarmlab/consensus.h"
#include "swarmlab/mixing.h"
#include "swarmlab/graph.h"

static char *tmpdir;

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    size_t got = fread(s, 1, (size_t)n, f);
    s[got] = 0;
    fclose(f);
    return s;
}

/* Runs the binary from the source dir with args; stderr goes to TMP/err.txt. Returns the exit code. */
static int run(const char *fmt, ...)
{
    const char *exe = getenv("SWARMLAB_EXE"), *src = getenv("SWARMLAB_SOURCE_DIR");
    ck_assert_msg(exe && src, "SWARMLAB_EXE and SWARMLAB_SOURCE_DIR must be set");
    char args[2048], cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' %s --quiet > '%s/out.txt' 2> '%s/err.txt'", src, exe,
             args, tmpdir, tmpdir);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Number after "key": in a manifest, NAN when absent. */
static double manifest_number(const char *dir, const char *key)
{
    char path[1024], pat[128];
    snprintf(path, sizeof path, "%s/%s/manifest.json", tmpdir, dir);
    snprintf(pat, sizeof pat, "\n  \"%s\": ", key);
    char *s = slurp(path);
    if (!s) return NAN;
    char *p = strstr(s, pat);
    double v = p ? strtod(p + strlen(pat), NULL) : NAN;
    free(s);
    return v;
}

static char *metrics(const char *dir)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s/metrics.csv", tmpdir, dir);
    return slurp(path);
}

static void setup_tmp(void)
{
    tmpdir = strdup("/tmp/swarmlab-distai-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown_tmp(void)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmpdir);
    free(tmpdir);
}

/* Iterations of the direct (array) driver, for comparison with the scenario. */
static long direct_iterations(const char *kind, int n, double tol, double *rate)
{
    sl_error e;
    sl_graph_spec s = {kind, n, 0, 0.3, 1};
    sl_graph *g = sl_graph_make(&s, &e);
    double *x0 = malloc((size_t)n * sizeof *x0);
    for (int i = 0; i < n; i++) x0[i] = i;
    sl_consensus_def o = {.tol = tol, .threads = 1};
    sl_consensus *c = sl_consensus_create(n, x0, &o, &e);
    free(x0);
    ck_assert_int_eq(sl_consensus_add_topology(c, g, sl_mix_metropolis(g, &e), &e), SL_OK);
    ck_assert_int_eq(sl_consensus_run(c, &e), SL_OK);
    long it = sl_consensus_iterations(c);
    ck_assert_int_eq(sl_consensus_theory_rate(c, rate, NULL, &e), SL_OK);
    sl_consensus_destroy(c);
    return it;
}

START_TEST(consensus_ring_manifest)
{
    char out[1100];
    snprintf(out, sizeof out, "%s/ring", tmpdir);
    ck_assert_int_eq(run("run scenarios/consensus.lua --set graph=ring --set n=10 --set tol=1e-6 --out '%s'", out), 0);
    double rate;
    long want = direct_iterations("ring", 10, 1e-6, &rate);
    ck_assert_double_eq(manifest_number("ring", "iterations"), (double)want);
    ck_assert_double_eq(manifest_number("ring", "converged"), 1.0);
    /* ring with Metropolis weights: SLEM = 1/3 + 2/3 cos(2 pi / n) */
    double slem = 1.0 / 3.0 + 2.0 / 3.0 * cos(2.0 * M_PI / 10.0);
    ck_assert_double_eq_tol(manifest_number("ring", "theoretical_rate"), slem, 1e-12);
    ck_assert_double_eq_tol(manifest_number("ring", "empirical_rate"), slem, 1e-3);
    ck_assert(manifest_number("ring", "mean_error") <= 1e-12);
    ck_assert_double_eq(manifest_number("ring", "messages_per_round"), 20.0);
    /* the recorded disagreement falls below tol at the last row only */
    char *m = metrics("ring");
    ck_assert_ptr_nonnull(m);
    ck_assert_ptr_nonnull(strstr(m, "step,iteration,disagreement,rel_disagreement"));
    free(m);
    /* other graphs agree with the direct driver too */
    const char *kinds[] = {"path", "star", "complete", "grid"};
    for (int k = 0; k < 4; k++) {
        char dir[64];
        snprintf(dir, sizeof dir, "g%d", k);
        ck_assert_int_eq(run("run scenarios/consensus.lua --set graph=%s --set n=16 --set tol=1e-8 --out '%s/%s'",
                             kinds[k], tmpdir, dir), 0);
        ck_assert_double_eq(manifest_number(dir, "iterations"),
                            (double)direct_iterations(kinds[k], 16, 1e-8, &rate));
    }
}
END_TEST

START_TEST(threads_identical)
{
    const char *runs[] = {
        "run scenarios/consensus.lua --set graph=rgg --set n=1200 --set radius=0.06 --set link_fail=0.1 --set msg_loss=0.05 --steps 40",
        "run scenarios/consensus.lua --set graph=ring --set n=24 --set switching=split",
        "run scenarios/fedavg.lua --set rounds=8 --set dropout=0.2 --set loss=0.1 --set iid=false",
        "run scenarios/dgd.lua --set mode=async --set jitter=2 --set slow=2 --set slow_delay=3 --set loss=0.05 --set steps=60",
    };
    for (int r = 0; r < 4; r++) {
        char *ref = NULL;
        for (int th = 1; th <= 4; th++) {
            char dir[64];
            snprintf(dir, sizeof dir, "t%d_%d", r, th);
            ck_assert_int_eq(run("%s --seed 7 --threads %d --out '%s/%s'", runs[r], th, tmpdir, dir), 0);
            char *m = metrics(dir);
            ck_assert_ptr_nonnull(m);
            if (!ref) ref = m;
            else {
                ck_assert_msg(strcmp(ref, m) == 0, "run %d: metrics differ with %d threads", r, th);
                free(m);
            }
        }
        free(ref);
    }
}
END_TEST

START_TEST(fedavg_and_dgd_results)
{
    char out[1100];
    snprintf(out, sizeof out, "%s/sgd", tmpdir);
    ck_assert_int_eq(run("run scenarios/fedavg.lua --set fedsgd=true --set rounds=40 --out '%s'", out), 0);
    ck_assert_double_eq(manifest_number("sgd", "rounds"), 40);
    ck_assert(manifest_number("sgd", "gd_diff") <= 1e-12);
    snprintf(out, sizeof out, "%s/fa", tmpdir);
    ck_assert_int_eq(run("run scenarios/fedavg.lua --set rounds=20 --out '%s'", out), 0);
    ck_assert(manifest_number("fa", "test_accuracy") > 0.8);
    ck_assert(manifest_number("fa", "largest_client") > 2 * manifest_number("fa", "smallest_client"));
    snprintf(out, sizeof out, "%s/dg", tmpdir);
    ck_assert_int_eq(run("run scenarios/dgd.lua --set steps=81 --out '%s'", out), 0);
    ck_assert_double_eq(manifest_number("dg", "updates"), 40);
    ck_assert(manifest_number("dg", "lost") == 0);
}
END_TEST

/* A run checkpointed at step `at` and resumed gives the same metrics.csv and results as one run. */
static void resume_equals(const char *args, int total, int at)
{
    ck_assert_int_eq(run("%s --steps %d --seed 5 --threads 1 --out '%s/full'", args, total, tmpdir), 0);
    ck_assert_int_eq(run("%s --steps %d --seed 5 --threads 2 --checkpoint-every %d --out '%s/part'", args,
                         at, at, tmpdir), 0);
    int rc = run("%s --steps %d --resume '%s/part/checkpoint.bin' --threads 2 --out '%s/resumed'", args,
                 total, tmpdir, tmpdir);
    char path[1100];
    snprintf(path, sizeof path, "%s/err.txt", tmpdir);
    char *err = slurp(path);
    ck_assert_msg(rc == 0, "resume failed: %s", err ? err : "");
    free(err);
    char *a = metrics("full"), *b = metrics("resumed");
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_msg(strcmp(a, b) == 0, "%s: resumed metrics.csv differs", args);
    free(a);
    free(b);
    const char *keys[] = {"iterations", "empirical_rate", "messages", "bytes", "lost", "test_accuracy",
                          "rounds_to_target", "updates", "steps_to_target", "mean_staleness"};
    for (int k = 0; k < 10; k++) {
        double x = manifest_number("full", keys[k]), y = manifest_number("resumed", keys[k]);
        ck_assert_msg((isnan(x) && isnan(y)) || x == y, "%s: %s %g vs %g after resume", args, keys[k], x, y);
    }
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s/full' '%s/part' '%s/resumed'", tmpdir, tmpdir, tmpdir);
    ck_assert_int_eq(system(cmd), 0);
}

START_TEST(checkpoint_resume_exact)
{
    resume_equals("run scenarios/consensus.lua --set graph=rgg --set n=80 --set msg_loss=0.1 --set link_fail=0.1", 150, 37);
    resume_equals("run scenarios/fedavg.lua --set rounds=12 --set dropout=0.2 --set loss=0.1", 25, 9);
    resume_equals("run scenarios/dgd.lua --set mode=async --set jitter=2 --set slow=2 --set slow_delay=3 --set loss=0.1", 90, 31);
    resume_equals("run scenarios/dgd.lua --set mode=sync --set jitter=2 --set loss=0.1", 90, 44);
}
END_TEST

static void expect_error(const char *args, const char *needle)
{
    char out[1100];
    snprintf(out, sizeof out, "%s/bad", tmpdir);
    int rc = run("%s --out '%s'", args, out);
    ck_assert_msg(rc == 2, "'%s' exited %d", args, rc);
    char path[1100];
    snprintf(path, sizeof path, "%s/err.txt", tmpdir);
    char *err = slurp(path);
    ck_assert_ptr_nonnull(err);
    ck_assert_msg(strstr(err, needle) != NULL, "'%s': stderr lacks '%s': %s", args, needle, err);
    ck_assert_msg(strstr(err, ".lua:") != NULL, "no file:line in: %s", err);
    free(err);
    /* no complete-looking results */
    snprintf(path, sizeof path, "%s/bad/metrics.csv", tmpdir);
    ck_assert(access(path, F_OK) != 0);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s/bad'", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
}

START_TEST(bad_input_rejected)
{
    expect_error("run scenarios/consensus.lua --set graph=torus", "graph");
    expect_error("run scenarios/consensus.lua --set n=0",
                 "swarmlab.consensus{...}: option 'n' must be an integer in [1, 1000000] (got 0)");
    expect_error("run scenarios/consensus.lua --set graph=rgg --set radius=0", "radius");
    expect_error("run scenarios/consensus.lua --set graph=rgg --set radius=-2", "radius");
    expect_error("run scenarios/consensus.lua --set graph=grid --set n=10 --set rows=3", "does not divide");
    expect_error("run scenarios/consensus.lua --set weights=laplacian --set eps=0.75", "not stochastic");
    expect_error("run scenarios/consensus.lua --set tol=0", "option 'tol' must be in (0, inf) (got 0)");
    expect_error("run scenarios/fedavg.lua --set frac=0",
                 "swarmlab.fedavg{...}: option 'frac' must be in (0, 1] (got 0)");
    expect_error("run scenarios/fedavg.lua --set clients=1000 --set samples=500", "exceeds");
    expect_error("run scenarios/dgd.lua --set lr=-1", "swarmlab.dgd{...}: option 'lr' must be in (0, inf)");
    /* a hand-written weight matrix whose rows do not sum to 1 */
    char path[1100];
    snprintf(path, sizeof path, "%s/w.lua", tmpdir);
    FILE *f = fopen(path, "w");
    fputs("local sl = swarmlab\nsl.steps(5)\nfunction setup(world)\n"
          "  sl.consensus{graph = 'path', n = 3,\n"
          "    weights = {{0.5, 0.4, 0}, {0.5, 0.25, 0.25}, {0, 0.25, 0.75}}}\nend\n", f);
    fclose(f);
    char args[1200];
    snprintf(args, sizeof args, "run '%s'", path);
    expect_error(args, "row 0 sums to");
    f = fopen(path, "w");
    fputs("local sl = swarmlab\nsl.steps(5)\nfunction setup(world)\n"
          "  sl.consensus{graph = 'path', n = 3, typo = 1}\nend\n", f);
    fclose(f);
    expect_error(args, "unknown option 'typo'");
    /* graph names and the weight table are read by the binding toolkit: the option is named */
    static const struct {
        const char *opts, *want;
    } cases[] = {
        {"graph = 'rnig', n = 3",
         "swarmlab.consensus{...}: option 'graph' must be one of 'ring', 'path', 'star', 'complete', "
         "'grid', 'rgg' (got 'rnig'; did you mean 'ring'?)"},
        {"graph = 'path', n = 3, weights = 'metroplis'",
         "swarmlab.consensus{...}: option 'weights' must be one of 'metropolis', 'laplacian' "
         "(got 'metroplis'; did you mean 'metropolis'?)"},
        {"graph = 'path', n = 3, weights = 5",
         "swarmlab.consensus{...}: option 'weights' must be 'metropolis', 'laplacian' or a table "
         "of 3 rows (got a number)"},
        {"graph = 'path', n = 3, weights = {{1, 0, 0}, {0, 1, 0}}",
         "swarmlab.consensus{...}: option 'weights' must have 3 rows, one per node (got 2)"},
        {"graph = 'path', n = 3, weights = {{1, 0, 0}, {-0.25, 1.25, 0}, {0, 0, 1}}",
         "swarmlab.consensus{...}: option 'weights' [2][1] must be in [0, 1] (got -0.25)"},
        {"graph = 'path', n = 3, weights = {{1, 0, 0}, {0, 1}, {0, 0, 1}}",
         "swarmlab.consensus{...}: option 'weights' [2] must be a list of 3 numbers (got 2)"},
        {"graph = 'path', n = 3, switching = 'split', weights = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}",
         "swarmlab.consensus{...}: option 'weights' as a table needs switching = 'none'"},
        {"graph = 'path', n = 3, weights = 'laplacian', eps = 2",
         "swarmlab.consensus{...}: option 'eps' must be in [0, 1] (got 2)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        f = fopen(path, "w");
        fprintf(f, "local sl = swarmlab\nsl.steps(5)\nfunction setup(world)\n"
                   "  sl.consensus{%s}\nend\n", cases[i].opts);
        fclose(f);
        expect_error(args, cases[i].want);
    }
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("distai_cli");
#define ADD(fn)                                                 \
    do {                                                        \
        TCase *t = tcase_create(#fn);                           \
        tcase_add_checked_fixture(t, setup_tmp, teardown_tmp);  \
        tcase_set_timeout(t, 300);                              \
        tcase_add_test(t, fn);                                  \
        suite_add_tcase(s, t);                                  \
    } while (0)
    ADD(consensus_ring_manifest);
    ADD(threads_identical);
    ADD(fedavg_and_dgd_results);
    ADD(bad_input_rejected);
    ADD(checkpoint_resume_exact);
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
