/* test_islands.c - island-model ACO and PSO under `mpirun -np 2`: migrants are exchanged and
 * adopted, the global best never gets worse, and a re-run with the same seed and rank count
 * gives the same convergence file byte for byte. */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SL_MPIEXEC
#define SL_MPIEXEC "mpirun"
#endif
#ifndef SL_ISLANDS_EXE
#define SL_ISLANDS_EXE "swarmlab-islands"
#endif

static char g_tmp[256], g_src[4096];

static void setup_env(void)
{
    const char *src = getenv("SWARMLAB_SOURCE_DIR");
    ck_assert_msg(src != NULL, "SWARMLAB_SOURCE_DIR must be set (run through ctest)");
    snprintf(g_src, sizeof g_src, "%s", src);
    snprintf(g_tmp, sizeof g_tmp, "/tmp/sl_test_islands_%d", (int)getpid());
    mkdir(g_tmp, 0755);
}

static int run(const char *args, const char *out)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd,
             "%s --oversubscribe --allow-run-as-root -np 2 %s %s --out %s/%s >%s/%s.log 2>&1",
             SL_MPIEXEC, SL_ISLANDS_EXE, args, g_tmp, out, g_tmp, out);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static char *slurp(const char *dir, const char *name)
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
    return b;
}

static long long json_int(const char *json, const char *key)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\": ", key);
    const char *p = strstr(json, pat);
    ck_assert_msg(p != NULL, "no %s", key);
    return atoll(p + strlen(pat));
}

/* The global best history never increases. */
static void check_monotone(const char *conv)
{
    const char *p = strchr(conv, '\n');
    double prev = 1e300;
    int rows = 0;
    while (p && p[1]) {
        double v = atof(strchr(p + 1, ',') + 1);
        ck_assert_msg(v <= prev, "the global best got worse: %g after %g", v, prev);
        prev = v;
        rows++;
        p = strchr(p + 1, '\n');
    }
    ck_assert_int_gt(rows, 10);
}

static void same_twice(const char *args, const char *a, const char *b)
{
    ck_assert_int_eq(run(args, a), 0);
    ck_assert_int_eq(run(args, b), 0);
    char *x = slurp(a, "convergence.csv"), *y = slurp(b, "convergence.csv");
    ck_assert_msg(x && y, "convergence.csv missing");
    ck_assert_msg(strcmp(x, y) == 0, "%s: two runs differ", args);
    check_monotone(x);
    char *r = slurp(a, "result.json");
    ck_assert_int_eq(json_int(r, "ranks"), 2);
    ck_assert_int_gt(json_int(r, "exchanges"), 0);
    ck_assert_int_gt(json_int(r, "adopted"), 0);
    free(r);
    free(x);
    free(y);
}

START_TEST(aco_islands)
{
    setup_env();
    char args[4400];
    snprintf(args, sizeof args, "aco %s/assets/instances/rand60.tsp --variant acs --iterations 80 "
                                "--every 4 --seed 3", g_src);
    same_twice(args, "aco1", "aco2");
    /* another seed, another search */
    snprintf(args, sizeof args, "aco %s/assets/instances/rand60.tsp --variant acs --iterations 80 "
                                "--every 4 --seed 4", g_src);
    ck_assert_int_eq(run(args, "aco3"), 0);
    char *x = slurp("aco1", "convergence.csv"), *y = slurp("aco3", "convergence.csv");
    ck_assert_msg(strcmp(x, y) != 0, "seeds 3 and 4 gave the same run");
    free(x);
    free(y);
    /* bad input: one line, exit 2 */
    ck_assert_int_eq(run("aco /nonexistent.tsp", "bad"), 2);
}
END_TEST

START_TEST(pso_islands)
{
    setup_env();
    same_twice("pso rastrigin --dim 10 --swarm 20 --fes 6000 --every 5 --seed 9", "pso1", "pso2");
    ck_assert_int_eq(run("pso nosuchfunction", "bad2"), 2);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", g_tmp);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("islands");
    TCase *tc = tcase_create("mpi");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, aco_islands);
    tcase_add_test(tc, pso_islands);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
