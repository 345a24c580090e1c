/* test_sweep_cli.c - `swarmlab sweep` end to end: determinism across job counts, failed runs
 * recorded, bad grid specs rejected before any run, resume after kill -9 (with a torn journal
 * line), the INI form of an experiment. Runs the swarmlab executable as a subprocess. */
#include <check.h>
#include <errno.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "run_util.h"
#include "check_skip.h"

static char g_exe[4096], g_src[4096], g_tmp[256], g_scen[4200];

static void setup_env(void)
{
    const char *exe = getenv("SWARMLAB_EXE"), *src = getenv("SWARMLAB_SOURCE_DIR");
    ck_assert_msg(exe && src, "SWARMLAB_EXE and SWARMLAB_SOURCE_DIR must be set (run through ctest)");
    snprintf(g_exe, sizeof g_exe, "%s", exe);
    snprintf(g_src, sizeof g_src, "%s", src);
    snprintf(g_scen, sizeof g_scen, "%s/tests/sweep/walk.lua", g_src);
    snprintf(g_tmp, sizeof g_tmp, "/tmp/sl_test_sweep_cli_%d", (int)getpid());
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

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* runs.csv with the wall_seconds column blanked and the data rows sorted (the header first). */
static char *canonical(const char *dir, int *nrows)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/runs.csv", dir);
    char *t = read_text(path);
    ck_assert_msg(t != NULL, "%s missing", path);
    char *lines[4096];
    int n = 0;
    for (char *save, *l = strtok_r(t, "\n", &save); l && n < 4096; l = strtok_r(NULL, "\n", &save))
        lines[n++] = l;
    ck_assert_int_gt(n, 0);
    int wall = -1, col = 0;
    for (char *c = lines[0], *b = lines[0];; c++) {
        if (*c == ',' || *c == '\0') {
            if ((size_t)(c - b) == 12 && strncmp(b, "wall_seconds", 12) == 0) wall = col;
            col++;
            b = c + 1;
            if (!*c) break;
        }
    }
    ck_assert_int_ge(wall, 0);
    char **out = malloc((size_t)n * sizeof *out);
    for (int i = 0; i < n; i++) {
        /* blank field `wall` (no quoted commas in these files) */
        out[i] = malloc(strlen(lines[i]) + 1);
        char *o = out[i];
        int f = 0;
        for (const char *c = lines[i]; *c; c++) {
            if (*c == ',') f++;
            if (f == wall && *c != ',' && i > 0) continue;
            *o++ = *c;
        }
        *o = '\0';
    }
    qsort(out + 1, (size_t)(n - 1), sizeof *out, cmp_str);
    size_t total = 0;
    for (int i = 0; i < n; i++) total += strlen(out[i]) + 1;
    char *res = malloc(total + 1), *p = res;
    for (int i = 0; i < n; i++) {
        p += sprintf(p, "%s\n", out[i]);
        free(out[i]);
    }
    free(out);
    free(t);
    if (nrows) *nrows = n - 1;
    return res;
}

static int count_rows(const char *dir)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/runs.csv", dir);
    char *t = read_text(path);
    if (!t) return -1;
    int n = 0;
    for (char *c = t; *c; c++) n += *c == '\n';
    free(t);
    return n - 1;
}

START_TEST(determinism_across_jobs)
{
    setup_env();
    char err[4096];
    int rc1 = sh(err, sizeof err,
                 "%s sweep %s --grid n=10,30 --grid sigma=0.5:1.5:0.5 --replicates 3 --jobs 1 "
                 "--base-seed 9 --out %s/j1",
                 g_exe, g_scen, g_tmp);
    ck_assert_msg(rc1 == 0, "jobs 1: %s", err);
    int rc2 = sh(err, sizeof err,
                 "%s sweep %s --grid n=10,30 --grid sigma=0.5:1.5:0.5 --replicates 3 --jobs 2 "
                 "--threads 2 --base-seed 9 --out %s/j2",
                 g_exe, g_scen, g_tmp);
    ck_assert_msg(rc2 == 0, "jobs 2: %s", err);
    int n1, n2;
    char d1[512], d2[512];
    snprintf(d1, sizeof d1, "%s/j1", g_tmp);
    snprintf(d2, sizeof d2, "%s/j2", g_tmp);
    char *c1 = canonical(d1, &n1), *c2 = canonical(d2, &n2);
    ck_assert_int_eq(n1, 18);
    ck_assert_int_eq(n2, 18);
    ck_assert_msg(strcmp(c1, c2) == 0, "c1 and c2 differ");
    /* seeds are distinct and the journal names every parameter */
    ck_assert_ptr_nonnull(strstr(c1, "run,point,replicate,n,sigma,fail_above,work,crash,seed,status,"
                                     "error,wall_seconds,steps,mean_x,spread,walkers\n"));
    ck_assert_ptr_nonnull(strstr(c1, "0017,5,2,30,1.5,-1,0,0,"));
    /* the summary: 6 points, 3 ok runs each */
    char path[1200];
    snprintf(path, sizeof path, "%s/summary.csv", d1);
    char *sum = read_text(path);
    ck_assert_ptr_nonnull(sum);
    ck_assert_ptr_nonnull(strstr(sum, "point,n,sigma,runs,ok,failed,mean_x_mean,mean_x_ci95,"));
    ck_assert_ptr_nonnull(strstr(sum, "\n5,30,1.5,3,3,0,"));
    /* a different base seed changes the results */
    ck_assert_int_eq(sh(err, sizeof err, "%s sweep %s --grid n=10 --replicates 2 --base-seed 10 "
                                         "--out %s/j3", g_exe, g_scen, g_tmp), 0);
    free(sum);
    free(c1);
    free(c2);
}
END_TEST

START_TEST(failed_runs_are_recorded)
{
    setup_env();
    char err[4096], d[512], path[1200];
    snprintf(d, sizeof d, "%s/fail", g_tmp);
    int rc = sh(err, sizeof err,
                "%s sweep %s --grid sigma=0.5,2 --set fail_above=1 --replicates 2 --jobs 2 --out %s",
                g_exe, g_scen, d);
    ck_assert_int_eq(rc, 1);
    ck_assert_ptr_nonnull(strstr(err, "sigma 2.0 is above 1"));
    int n;
    char *c = canonical(d, &n);
    ck_assert_int_eq(n, 4);
    ck_assert_ptr_nonnull(strstr(c, "\n0000,0,0,0.5,40,1,"));
    ck_assert_ptr_nonnull(strstr(c, ",ok,,"));
    ck_assert_ptr_nonnull(strstr(c, "0002,1,0,2,40,1,"));
    ck_assert_ptr_nonnull(strstr(strchr(c, '\n'), ",error,"));
    ck_assert_ptr_nonnull(strstr(c, "walk.lua:"));
    snprintf(path, sizeof path, "%s/summary.csv", d);
    char *sum = read_text(path);
    ck_assert_ptr_nonnull(strstr(sum, "\n0,0.5,2,2,0,"));
    ck_assert_ptr_nonnull(strstr(sum, "\n1,2,2,0,2,"));
    free(sum);
    free(c);
    /* --stop-on-error: nothing new starts after the first failure (one job at a time) */
    snprintf(d, sizeof d, "%s/stop", g_tmp);
    rc = sh(err, sizeof err,
            "%s sweep %s --grid sigma=2,0.5 --set fail_above=1 --replicates 3 --stop-on-error --out %s",
            g_exe, g_scen, d);
    ck_assert_int_eq(rc, 1);
    ck_assert_int_eq(count_rows(d), 1);
    ck_assert_ptr_nonnull(strstr(err, "--stop-on-error"));
    /* a run killed by a signal is recorded as crashed, and a resume keeps that row */
    snprintf(d, sizeof d, "%s/crash", g_tmp);
    rc = sh(err, sizeof err, "%s sweep %s --grid crash=0,1 --replicates 2 --unsafe --out %s", g_exe,
            g_scen, d);
    ck_assert_int_eq(rc, 1);
    c = canonical(d, &n);
    ck_assert_int_eq(n, 4);
    ck_assert_ptr_nonnull(strstr(c, ",crashed,killed by signal 9 (Killed),"));
    ck_assert_ptr_nonnull(strstr(c, "\n0003,1,1,1,"));
    snprintf(path, sizeof path, "%s/runs.csv", d);
    char *before = read_text(path);
    rc = sh(err, sizeof err, "%s sweep %s --grid crash=0,1 --replicates 2 --unsafe --out %s", g_exe,
            g_scen, d);
    ck_assert_int_eq(rc, 1);
    char *after = read_text(path);
    ck_assert_msg(strcmp(before, after) == 0, "resuming a finished sweep changed runs.csv");
    free(before);
    free(after);
    free(c);
}
END_TEST

/* Sweep seeds use all 64 bits (half of them are negative as Lua integers): module bindings that
 * take swarmlab.seed() or the world's seed must accept them. */
START_TEST(large_seeds_reach_modules)
{
    setup_env();
    char err[4096], d[512], scen[4300];
    snprintf(d, sizeof d, "%s/pso", g_tmp);
    snprintf(scen, sizeof scen, "%s/scenarios/pso_bench.lua", g_src);
    int rc = sh(err, sizeof err, "%s sweep %s --grid function=sphere,rastrigin --set dim=2 --set fes=400 "
                "--replicates 3 --jobs 2 --out %s", g_exe, scen, d);
    ck_assert_msg(rc == 0, "%.400s", err);
    int n;
    char *c = canonical(d, &n);
    ck_assert_int_eq(n, 6);
    ck_assert_ptr_null(strstr(strchr(c, '\n'), ",error,")); /* no data row failed */
    free(c);
}
END_TEST

START_TEST(bad_grid_specs_are_rejected)
{
    setup_env();
    static const char *const specs[] = {"--grid sigma=1:0:0.1", "--grid nosuch=1,2", "--grid n=",
                                        "--grid n=5,0,10", "--grid sigma=0:1:0",
                                        "--grid n=1,,2", "--grid n=1,2 --set n=3"};
    static const char *const expect[] = {"empty range", "unknown parameter 'nosuch'",
                                         "empty list", "rejects n=0", "step must not be 0",
                                         "empty value", "also swept"};
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
        char err[4096], d[512], path[1200];
        snprintf(d, sizeof d, "%s/bad%zu", g_tmp, i);
        int rc = sh(err, sizeof err, "%s sweep %s %s --out %s", g_exe, g_scen, specs[i], d);
        ck_assert_msg(rc == 2, "%s: exit %d", specs[i], rc);
        ck_assert_msg(strstr(err, expect[i]) != NULL, "%s: '%.400s'", specs[i], err);
        ck_assert_msg(strchr(err, '\n') == err + strlen(err) - 1, "%s: not one line: '%s'",
                      specs[i], err);
        snprintf(path, sizeof path, "%s/runs.csv", d);
        ck_assert_msg(access(path, F_OK) != 0, "%s: runs.csv written", specs[i]);
        snprintf(path, sizeof path, "%s/runs/0000", d);
        ck_assert_msg(access(path, F_OK) != 0, "%s: a run started", specs[i]);
    }
}
END_TEST

START_TEST(resume_after_kill)
{
    setup_env();
    char err[4096], ref[512], d[512], path[1200];
    snprintf(ref, sizeof ref, "%s/ref", g_tmp);
    snprintf(d, sizeof d, "%s/killed", g_tmp);
    const char *grid = "--grid sigma=0.5,1 --grid n=20,40 --replicates 3 --set work=400000";
    ck_assert_int_eq(sh(err, sizeof err, "%s sweep %s %s --jobs 2 --out %s", g_exe, g_scen, grid,
                        ref), 0);
    /* start the same sweep, kill -9 it once a few runs are in */
    char cmd[12288];
    snprintf(cmd, sizeof cmd, "exec %s sweep %s %s --jobs 2 --quiet --out %s 2>/dev/null", g_exe,
             g_scen, grid, d);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    int rows = 0;
    for (int i = 0; i < 600 && rows < 3; i++) {
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
        rows = count_rows(d);
    }
    kill(pid, SIGKILL);
    int ws;
    waitpid(pid, &ws, 0);
    rows = count_rows(d);
    ck_assert_msg(rows >= 3 && rows < 12, "killed with %d rows", rows);
    /* a torn last line, as a crash in the middle of a write would leave */
    snprintf(path, sizeof path, "%s/runs.csv", d);
    FILE *f = fopen(path, "ab");
    fputs("0011,3,2,1,40,-1,4000", f);
    fclose(f);
    int rc = sh(err, sizeof err, "%s sweep %s %s --jobs 2 --out %s", g_exe, g_scen, grid, d);
    ck_assert_msg(rc == 0, "resume: %s", err);
    ck_assert_ptr_nonnull(strstr(err, "resuming"));
    int n1, n2;
    char *a = canonical(ref, &n1), *b = canonical(d, &n2);
    ck_assert_int_eq(n1, 12);
    ck_assert_int_eq(n2, 12); /* no run lost, none twice */
    ck_assert_msg(strcmp(a, b) == 0, "a and b differ");
    free(a);
    free(b);
    /* resuming a finished sweep runs nothing and changes nothing */
    char *before = read_text(path);
    ck_assert_int_eq(sh(err, sizeof err, "%s sweep %s %s --out %s", g_exe, g_scen, grid, d), 0);
    char *after = read_text(path);
    ck_assert_msg(strcmp(before, after) == 0, "before and after differ");
    free(before);
    free(after);
    /* SIGTERM: the sweep stops its runs, records none of them, exits 130; a re-run completes it */
    char t[512];
    snprintf(t, sizeof t, "%s/term", g_tmp);
    snprintf(cmd, sizeof cmd, "exec %s sweep %s %s --jobs 2 --quiet --out %s 2>%s/term.err", g_exe,
             g_scen, grid, t, g_tmp);
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    rows = 0;
    for (int i = 0; i < 600 && rows < 2; i++) {
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
        rows = count_rows(t);
    }
    kill(pid, SIGTERM);
    waitpid(pid, &ws, 0);
    ck_assert_msg(WIFEXITED(ws) && WEXITSTATUS(ws) == 130, "SIGTERM: status %d", ws);
    rows = count_rows(t);
    ck_assert_msg(rows >= 2 && rows < 12, "terminated with %d rows", rows);
    rc = sh(err, sizeof err, "%s sweep %s %s --jobs 2 --out %s", g_exe, g_scen, grid, t);
    ck_assert_msg(rc == 0, "resume after SIGTERM: %.400s", err);
    a = canonical(ref, &n1);
    b = canonical(t, &n2);
    ck_assert_int_eq(n2, 12);
    ck_assert_msg(strcmp(a, b) == 0, "the sweep resumed after SIGTERM differs");
    free(a);
    free(b);
    /* the same directory with another experiment is refused */
    rc = sh(err, sizeof err, "%s sweep %s --grid sigma=0.5,1 --replicates 2 --out %s", g_exe,
            g_scen, d);
    ck_assert_int_eq(rc, 2);
    ck_assert_ptr_nonnull(strstr(err, "different sweep"));
}
END_TEST

START_TEST(experiment_from_ini)
{
    setup_env();
    char err[4096], ini[512], d1[512], d2[512];
    snprintf(ini, sizeof ini, "%s/exp.ini", g_tmp);
    snprintf(d1, sizeof d1, "%s/ini", g_tmp);
    snprintf(d2, sizeof d2, "%s/cli", g_tmp);
    FILE *f = fopen(ini, "w");
    fprintf(f, "; an experiment\n[sweep]\nscenario = %s\nout = %s\nreplicates = 2\nbase_seed = 5\n"
               "steps = 10\n[grid]\nn = 10, 20\nsigma = 0.5:1:0.25\n[set]\nwork = 10\n",
            g_scen, d1);
    fclose(f);
    ck_assert_int_eq(sh(err, sizeof err, "%s sweep %s --jobs 2", g_exe, ini), 0);
    ck_assert_int_eq(sh(err, sizeof err,
                        "%s sweep %s --grid n=10,20 --grid sigma=0.5,0.75,1 --set work=10 "
                        "--replicates 2 --base-seed 5 --steps 10 --out %s",
                        g_exe, g_scen, d2),
                     0);
    int n1, n2;
    char *a = canonical(d1, &n1), *b = canonical(d2, &n2);
    ck_assert_int_eq(n1, 12);
    ck_assert_msg(strcmp(a, b) == 0, "a and b differ");
    free(a);
    free(b);
    /* errors in the file name the file and line */
    f = fopen(ini, "w");
    fprintf(f, "[sweep]\nscenario = %s\nout = %s/x\n[grid]\nn = 3:1:1\n", g_scen, g_tmp);
    fclose(f);
    ck_assert_int_eq(sh(err, sizeof err, "%s sweep %s", g_exe, ini), 2);
    ck_assert_ptr_nonnull(strstr(err, "exp.ini:5: n=3:1:1: empty range"));
    f = fopen(ini, "w");
    fprintf(f, "[sweep]\nscenario = %s\nreplicates = many\n", g_scen);
    fclose(f);
    ck_assert_int_eq(sh(err, sizeof err, "%s sweep %s", g_exe, ini), 2);
    ck_assert_ptr_nonnull(strstr(err, "exp.ini:3: replicates"));
}
END_TEST

START_TEST(plot_figures)
{
    /* scripts/plot turns a sweep into PNG files (Debian's matplotlib) */
    if (system("/usr/bin/python3 -c 'import matplotlib' >/dev/null 2>&1") != 0)
        sl_skip("/usr/bin/python3 has no matplotlib");
    setup_env();
    char err[4096];
    ck_assert_int_eq(sh(err, sizeof err, "%s sweep %s --grid n=10,30 --replicates 2 --out %s/pl",
                        g_exe, g_scen, g_tmp), 0);
    int prc = sh(err, sizeof err, "%s/scripts/plot %s/pl --out %s/plots", g_src, g_tmp, g_tmp);
    ck_assert_msg(prc == 0, "scripts/plot: %.400s", err);
    static const char *const figs[] = {"steps_mean_x.png", "steps_spread.png", "final_mean_x.png",
                                       "final_spread.png"};
    for (int i = 0; i < 4; i++) {
        char png[700];
        snprintf(png, sizeof png, "%s/plots/%s", g_tmp, figs[i]);
        FILE *f = fopen(png, "rb");
        ck_assert_msg(f != NULL, "%s missing", png);
        unsigned char magic[8] = {0};
        ck_assert_uint_eq(fread(magic, 1, 8, f), 8);
        fclose(f);
        ck_assert_int_eq(memcmp(magic, "\x89PNG\r\n\x1a\n", 8), 0);
    }
    /* the grid points as strategies on one figure, paired by replicate, days on the x axis */
    prc = sh(err, sizeof err, "%s/scripts/plot %s/pl --out %s/cmp --strategies 10,30 --days 2",
             g_src, g_tmp, g_tmp);
    ck_assert_msg(prc == 0, "scripts/plot --strategies: %.400s", err);
    char png[700];
    snprintf(png, sizeof png, "%s/cmp/compare_mean_x.png", g_tmp);
    ck_assert_msg(access(png, R_OK) == 0, "%s missing", png);
    ck_assert_int_eq(sh(err, sizeof err, "%s/scripts/plot %s/pl --strategies 10,99", g_src, g_tmp),
                     2);
    ck_assert_int_eq(sh(err, sizeof err, "%s/scripts/plot %s/nonexistent", g_src, g_tmp), 2);
    ck_assert_ptr_nonnull(strstr(err, "no such directory"));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sweep_cli");
    TCase *tc = tcase_create("cli");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, determinism_across_jobs);
    tcase_add_test(tc, failed_runs_are_recorded);
    tcase_add_test(tc, bad_grid_specs_are_rejected);
    tcase_add_test(tc, large_seeds_reach_modules);
    tcase_add_test(tc, resume_after_kill);
    tcase_add_test(tc, experiment_from_ini);
    suite_add_tcase(s, tc);
    tcase_add_test(sl_needs_case(s, "plot", 300), plot_figures);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf /tmp/sl_test_sweep_cli_%d", (int)getpid());
    if (!failed && system(cmd) != 0) fprintf(stderr, "could not remove the test directory\n");
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
