/* test_mpi_sweep.c - `mpirun -np 2 swarmlab sweep` writes the same runs.csv as a single-process
 * sweep with 1 and with 2 jobs (same seeds, same rows; order and wall-clock column aside), and a
 * failed run is recorded the same way. */
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

static char g_exe[4096], g_src[4096], g_tmp[256], g_scen[4200];

static void setup_env(void)
{
    const char *exe = getenv("SWARMLAB_EXE"), *src = getenv("SWARMLAB_SOURCE_DIR");
    ck_assert_msg(exe && src, "SWARMLAB_EXE and SWARMLAB_SOURCE_DIR must be set (run through ctest)");
    snprintf(g_exe, sizeof g_exe, "%s", exe);
    snprintf(g_src, sizeof g_src, "%s", src);
    snprintf(g_scen, sizeof g_scen, "%s/tests/sweep/walk.lua", g_src);
    snprintf(g_tmp, sizeof g_tmp, "/tmp/sl_test_mpi_sweep_%d", (int)getpid());
    mkdir(g_tmp, 0755);
}

static int sh(const char *fmt, ...)
{
    char cmd[8192], full[8600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    snprintf(full, sizeof full, "%s >%s/out.txt 2>&1", cmd, g_tmp);
    int st = system(full);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* runs.csv minus the wall_seconds column (column 11 here: no parameter names a column before
 * it that could hold a comma), data rows sorted. */
static char *canonical(const char *name, int *nrows)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s/runs.csv", g_tmp, name);
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "%s missing", path);
    char *lines[512], buf[4096];
    int n = 0, wall = -1;
    while (n < 512 && fgets(buf, sizeof buf, f)) {
        char out[4096], *o = out;
        int col = 0;
        if (n == 0) {
            char *p = strstr(buf, "wall_seconds");
            ck_assert_ptr_nonnull(p);
            wall = 0;
            for (char *c = buf; c < p; c++) wall += *c == ',';
        }
        for (const char *c = buf; *c; c++) {
            if (*c == ',') col++;
            if (n > 0 && col == wall && *c != ',') continue;
            *o++ = *c;
        }
        *o = '\0';
        lines[n++] = strdup(out);
    }
    fclose(f);
    qsort(lines + 1, (size_t)(n - 1), sizeof *lines, cmp_str);
    size_t total = 1;
    for (int i = 0; i < n; i++) total += strlen(lines[i]);
    char *res = malloc(total), *p = res;
    for (int i = 0; i < n; i++) {
        p += sprintf(p, "%s", lines[i]);
        free(lines[i]);
    }
    *nrows = n - 1;
    return res;
}

START_TEST(mpi_sweep_equals_single_process)
{
    setup_env();
    const char *exp = "--grid n=10,20 --grid sigma=0.5:1.5:0.5 --set fail_above=1.2 "
                      "--replicates 2 --base-seed 77";
    ck_assert_int_eq(sh("%s sweep %s %s --jobs 1 --out %s/j1", g_exe, g_scen, exp, g_tmp), 1);
    ck_assert_int_eq(sh("%s sweep %s %s --jobs 2 --out %s/j2", g_exe, g_scen, exp, g_tmp), 1);
    int rc = sh("%s --oversubscribe --allow-run-as-root -np 2 %s sweep %s %s --out %s/mpi",
                SL_MPIEXEC, g_exe, g_scen, exp, g_tmp);
    ck_assert_msg(rc == 1, "mpirun exit %d (1 expected: the sigma=1.5 runs fail on purpose)", rc);
    int n1, n2, n3;
    char *a = canonical("j1", &n1), *b = canonical("j2", &n2), *c = canonical("mpi", &n3);
    ck_assert_int_eq(n1, 12);
    ck_assert_int_eq(n2, 12);
    ck_assert_int_eq(n3, 12);
    ck_assert_msg(strcmp(a, b) == 0, "jobs 1 and jobs 2 differ");
    ck_assert_msg(strcmp(a, c) == 0, "the MPI sweep differs from the single-process one");
    ck_assert_ptr_nonnull(strstr(strchr(c, '\n'), ",error,"));
    free(a);
    free(b);
    free(c);
    /* three ranks (two workers) give the same rows too */
    rc = sh("%s --oversubscribe --allow-run-as-root -np 3 %s sweep %s %s --out %s/mpi3",
            SL_MPIEXEC, g_exe, g_scen, exp, g_tmp);
    ck_assert_int_eq(rc, 1);
    a = canonical("j1", &n1);
    c = canonical("mpi3", &n3);
    ck_assert_msg(strcmp(a, c) == 0, "the 3-rank MPI sweep differs from the single-process one");
    free(a);
    free(c);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf %s", g_tmp);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("mpi_sweep");
    TCase *tc = tcase_create("mpi");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, mpi_sweep_equals_single_process);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
