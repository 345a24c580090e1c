/* test_checkpoint_cli.c - `swarmlab run --checkpoint-every N` / `--resume FILE`: a resumed run's
 * metrics.csv equals the uninterrupted run's byte for byte (flocking and a Lua-driven scenario,
 * different thread counts), branching with other seeds, and bad checkpoints refused. */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run_util.h"

static char g_exe[4096], g_src[4096], g_tmp[256];

static void setup_env(void)
{
    const char *exe = getenv("SWARMLAB_EXE"), *src = getenv("SWARMLAB_SOURCE_DIR");
    ck_assert_msg(exe && src, "SWARMLAB_EXE and SWARMLAB_SOURCE_DIR must be set (run through ctest)");
    snprintf(g_exe, sizeof g_exe, "%s", exe);
    snprintf(g_src, sizeof g_src, "%s", src);
    snprintf(g_tmp, sizeof g_tmp, "/tmp/sl_test_ckpt_cli_%d", (int)getpid());
    mkdir(g_tmp, 0755);
}

/* Runs a shell command in the suite's directory (see run_shell_v). */
static int sh(char *err, size_t errn, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int st = run_shell_v(g_tmp, err, errn, fmt, ap);
    va_end(ap);
    return st;
}

static char *slurp(const char *dir, const char *name, size_t *len)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s/%s", g_tmp, dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    size_t k = fread(b, 1, (size_t)n, f);
    b[k] = '\0';
    fclose(f);
    if (len) *len = k;
    return b;
}

static void assert_same_metrics(const char *a, const char *b)
{
    size_t la, lb;
    char *x = slurp(a, "metrics.csv", &la), *y = slurp(b, "metrics.csv", &lb);
    ck_assert_msg(x && y, "metrics.csv missing in %s or %s", a, b);
    ck_assert_uint_eq(la, lb);
    ck_assert_msg(memcmp(x, y, la) == 0, "%s/metrics.csv differs from %s/metrics.csv", a, b);
    free(x);
    free(y);
}

static void resume_equals(const char *scenario, const char *args, int total, int at)
{
    char err[4096];
    ck_assert_int_eq(sh(err, sizeof err, "%s run %s %s --steps %d --seed 11 --threads 1 --out %s/full",
                        g_exe, scenario, args, total, g_tmp), 0);
    ck_assert_msg(sh(err, sizeof err,
                     "%s run %s %s --steps %d --seed 11 --threads 2 --checkpoint-every %d --out %s/part",
                     g_exe, scenario, args, at, at / 2, g_tmp) == 0, "%.400s", err);
    ck_assert_msg(sh(err, sizeof err,
                     "%s run %s %s --steps %d --resume %s/part/checkpoint.bin --threads 2 --out %s/resumed",
                     g_exe, scenario, args, total, g_tmp, g_tmp) == 0, "%.400s", err);
    assert_same_metrics("full", "resumed");
    char *m = slurp("resumed", "manifest.json", NULL);
    ck_assert_ptr_nonnull(strstr(m, "\"seed\": 11"));
    ck_assert_ptr_nonnull(strstr(m, "\"status\": \"ok\""));
    free(m);
}

START_TEST(flocking_resume_is_exact)
{
    setup_env();
    char scen[4200];
    snprintf(scen, sizeof scen, "%s/scenarios/flocking.lua", g_src);
    resume_equals(scen, "--set n=300", 60, 24);
}
END_TEST

START_TEST(lua_scenario_resume_is_exact)
{
    setup_env();
    char scen[4200];
    snprintf(scen, sizeof scen, "%s/tests/sweep/walk.lua", g_src);
    resume_equals(scen, "--set n=25", 30, 10);
}
END_TEST

START_TEST(branching_and_bad_files)
{
    setup_env();
    char scen[4200], other[4200], err[4096];
    /* walk.lua draws random numbers every step, so a branch's seed matters */
    snprintf(scen, sizeof scen, "%s/tests/sweep/walk.lua", g_src);
    snprintf(other, sizeof other, "%s/scenarios/flocking.lua", g_src);
    ck_assert_int_eq(sh(err, sizeof err, "%s run %s --steps 20 --seed 3 --checkpoint-every 20 --out %s/burn",
                        g_exe, scen, g_tmp), 0);
    for (int k = 0; k < 3; k++)
        ck_assert_int_eq(sh(err, sizeof err,
                            "%s run %s --steps 50 --resume %s/burn/checkpoint.bin --seed %d --out %s/b%d",
                            g_exe, scen, g_tmp, k < 2 ? 100 + k : 100, g_tmp, k), 0);
    assert_same_metrics("b0", "b2"); /* same branch seed, same continuation */
    char *x = slurp("b0", "metrics.csv", NULL), *y = slurp("b1", "metrics.csv", NULL);
    ck_assert_msg(strcmp(x, y) != 0, "x and y are equal");
    /* the burn-in part is shared: the first 22 lines (header + steps 0..20) agree, step 21 not */
    char *px = x, *py = y;
    for (int line = 0; line < 23; line++) {
        char *nx = strchr(px, '\n'), *ny = strchr(py, '\n');
        if (line < 22) ck_assert_int_eq(memcmp(px, py, (size_t)(nx - px)), 0);
        else ck_assert_int_ne(strncmp(px, py, (size_t)(nx - px)), 0);
        px = nx + 1;
        py = ny + 1;
    }
    free(x);
    free(y);
    /* truncated, corrupt, foreign, other scenario */
    char path[1200];
    snprintf(path, sizeof path, "%s/burn/checkpoint.bin", g_tmp);
    size_t n;
    char *bytes = slurp("burn", "checkpoint.bin", &n);
    ck_assert_uint_gt(n, 200);
    const char *cases[] = {"trunc", "flip", "foreign"};
    const char *expect[] = {"truncated", "checksum", "not a swarmlab checkpoint"};
    for (int k = 0; k < 3; k++) {
        char bad[600];
        snprintf(bad, sizeof bad, "%s/%s.bin", g_tmp, cases[k]);
        FILE *f = fopen(bad, "wb");
        if (k == 0) fwrite(bytes, 1, n - 7, f);
        if (k == 1) {
            bytes[n - 20] ^= 1;
            fwrite(bytes, 1, n, f);
            bytes[n - 20] ^= 1;
        }
        if (k == 2) fputs("step,mean_x\n0,1\n", f);
        fclose(f);
        int rc = sh(err, sizeof err, "%s run %s --steps 50 --resume %s --out %s/bad%d", g_exe, scen,
                    bad, g_tmp, k);
        ck_assert_int_eq(rc, 2);
        ck_assert_msg(strstr(err, expect[k]) && strstr(err, bad), "%s: '%.400s'", cases[k], err);
    }
    int rc = sh(err, sizeof err, "%s run %s --steps 50 --resume %s --out %s/other", g_exe, other,
                path, g_tmp);
    ck_assert_int_eq(rc, 2);
    ck_assert_ptr_nonnull(strstr(err, "population 'walkers'"));
    char *m = slurp("other", "manifest.json", NULL);
    ck_assert_ptr_nonnull(strstr(m, "\"status\": \"error\""));
    free(m);
    free(bytes);
    ck_assert_int_eq(sh(err, sizeof err, "%s run %s --checkpoint-every 0 --out %s/z", g_exe, scen, g_tmp), 2);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("checkpoint_cli");
    TCase *tc = tcase_create("cli");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, flocking_resume_is_exact);
    tcase_add_test(tc, lua_scenario_resume_is_exact);
    tcase_add_test(tc, branching_and_bad_files);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf /tmp/sl_test_ckpt_cli_%d", (int)getpid());
    if (!failed && system(cmd) != 0) fprintf(stderr, "could not remove the test directory\n");
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
