/* test_mpi_disk_full.c - an MPI sweep on a full disk stops every rank: the run that finds the
 * disk full ends the sweep with one clear line, the other rank stops the long run it has under
 * way (rank 0 sends it ABORT; it is not recorded, so a resume does it again) instead of finishing
 * it, no further run starts, and mpirun returns.
 *
 * Needs root to mount a small tmpfs; without it the suite exits 77 (reported as skipped). */
#include <check.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SL_MPIEXEC
#define SL_MPIEXEC "mpirun"
#endif

static char g_tmp[256], g_mnt[300];

/* Run 0 writes 600 KB of metrics (more than the 256 KB file system holds); the others would run
 * for minutes writing almost nothing. */
static const char *k_scenario =
    "local sl = swarmlab\n"
    "local kind = sl.param('kind', 0, '', {integer = true})\n"
    "sl.steps(kind == 0 and 20000 or 100000000)\n"
    "function setup(world)\n"
    "  world:record{name = 'v', reduce = 'value'}\n"
    "  if kind ~= 0 then world:record_every(100000000) end\n"
    "end\n"
    "function step(world, t)\n"
    "  sl.record('v', t * 1.2345678901)\n"
    "  if kind ~= 0 then for i = 1, 300000 do end end\n"
    "end\n";

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

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = calloc(1, 1 << 20);
    size_t n = fread(buf, 1, (1 << 20) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static int count_entries(const char *path)
{
    DIR *d = opendir(path);
    if (!d) return 0;
    int n = 0;
    for (struct dirent *e; (e = readdir(d));) n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

START_TEST(full_disk_stops_every_rank)
{
    const char *exe = getenv("SWARMLAB_EXE");
    ck_assert_msg(exe != NULL, "SWARMLAB_EXE must be set (run through ctest)");
    char scen[400];
    snprintf(scen, sizeof scen, "%s/fill.lua", g_tmp);
    FILE *f = fopen(scen, "w");
    ck_assert_ptr_nonnull(f);
    fputs(k_scenario, f);
    fclose(f);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = sh("%s --oversubscribe --allow-run-as-root -np 3 %s sweep %s --grid kind=0,1,2,3,4,5 "
                "--out %s/sw", SL_MPIEXEC, exe, scen, g_mnt);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    char path[600];
    snprintf(path, sizeof path, "%s/out.txt", g_tmp);
    char *out = slurp(path);
    ck_assert_msg(rc == 2, "mpirun exit %d: %s", rc, out);
    ck_assert_msg(strstr(out, "the disk is full") && strstr(out, "No space left on device"), "%s",
                  out);
    /* the long run (minutes) was stopped, not finished: well within its first minute */
    ck_assert_msg(secs < 60, "%.1f s: %s", secs, out);
    /* two runs started (one per worker rank), no third */
    snprintf(path, sizeof path, "%s/sw/runs", g_mnt);
    ck_assert_msg(count_entries(path) <= 2, "%d run directories: %s", count_entries(path), out);
    /* the stopped run left no manifest that passes for a finished run */
    snprintf(path, sizeof path, "%s/sw/runs/0001/manifest.json", g_mnt);
    char *m = slurp(path);
    ck_assert_msg(!m || !strstr(m, "\"status\": \"ok\""), "%s", m);
    free(m);
    free(out);
}
END_TEST

int main(void)
{
    snprintf(g_tmp, sizeof g_tmp, "/tmp/sl_test_mpi_disk_full_%d", (int)getpid());
    snprintf(g_mnt, sizeof g_mnt, "%s/small", g_tmp);
    if (mkdir(g_tmp, 0755) != 0 || mkdir(g_mnt, 0755) != 0) return 1;
    if (geteuid() != 0 || mount("tmpfs", g_mnt, "tmpfs", 0, "size=256k") != 0) {
        printf("SKIP: mounting a 256 KB tmpfs needs root\n");
        rmdir(g_mnt);
        rmdir(g_tmp);
        return 77;
    }
    Suite *s = suite_create("mpi_disk_full");
    TCase *tc = tcase_create("mpi");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, full_disk_stops_every_rank);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    umount(g_mnt);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf %s", g_tmp);
    if (system(cmd) != 0) failed++;
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
