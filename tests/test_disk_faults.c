/* test_disk_faults.c - results on a disk that fills up or loses power: a run on a full disk fails
 * with ENOSPC named (never an "ok" manifest), a sweep on a full disk stops with one clear line
 * instead of starting run after run, and metrics.csv / manifest.json are synced before they are
 * renamed into place (and their directory after).
 *
 * Needs root to mount a small tmpfs, and strace for the sync order; without them the suite exits
 * 77 (reported by CTest as skipped). Runs $SWARMLAB_EXE as a subprocess. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "run_util.h"

static char *dir;
static char mnt[4200];

static const char *exe(void)
{
    const char *e = getenv("SWARMLAB_EXE");
    return e ? e : "build/swarmlab";
}

static int sh(char *err, size_t errn, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int st = run_shell_v(dir, err, errn, fmt, ap);
    va_end(ap);
    return st;
}

/* 20 000 metric rows: about 600 KB of metrics.csv, more than the 256 KB file system holds. */
static const char *k_big =
    "local sl = swarmlab\n"
    "local n = sl.param('n', 1, '', {integer = true})\n"
    "sl.steps(20000)\n"
    "local w\n"
    "function setup(world)\n"
    "  w = world:population{name = 'w', n = 3, columns = {x = 'f64'}}\n"
    "  world:record{name = 'alive', pop = w, reduce = 'count'}\n"
    "  world:record{name = 'v', reduce = 'value'}\n"
    "end\n"
    "function step(world, t) sl.record('v', t * 1.2345678901) end\n";

static void setup_mount(void)
{
    dir = tmp_dir();
    snprintf(mnt, sizeof mnt, "%s/small", dir);
    ck_assert_int_eq(mkdir(mnt, 0755), 0);
    ck_assert_msg(mount("tmpfs", mnt, "tmpfs", 0, "size=256k") == 0, "mount failed");
}

static void teardown_mount(void)
{
    umount(mnt);
    rm_tree(dir);
    free(dir);
}

START_TEST(run_on_full_disk_fails_with_enospc)
{
    const char *scn = write_text(dir, "big.lua", k_big);
    char err[4096];
    ck_assert_int_eq(sh(err, sizeof err, "'%s' run %s --out %s/o --quiet", exe(), scn, mnt), 2);
    ck_assert_msg(contains(err, "No space left on device"), "%s", err);
    char *m = read_text(path_in(mnt, "o/manifest.json"));
    ck_assert_msg(!contains(m, "\"status\": \"ok\""), "%s", m);
    free(m);
    ck_assert(!file_exists(path_in(mnt, "o/metrics.csv")));
}
END_TEST

START_TEST(sweep_on_full_disk_stops)
{
    const char *scn = write_text(dir, "big.lua", k_big);
    char err[4096];
    ck_assert_int_eq(sh(err, sizeof err, "'%s' sweep %s --grid n=1:20:1 --out %s/sw --quiet",
                        exe(), scn, mnt), 2);
    ck_assert_msg(contains(err, "the disk is full") && contains(err, "No space left on device"),
                  "%s", err);
    /* it stopped at the first run instead of starting the 19 others */
    ck_assert(file_exists(path_in(mnt, "sw/runs/0000")));
    ck_assert(!file_exists(path_in(mnt, "sw/runs/0001")));
    /* and recorded no row for the run that could not write: a resume redoes it */
    char *runs = read_text(path_in(mnt, "sw/runs.csv"));
    ck_assert_msg(runs && !contains(runs, "\n0000,"), "%s", runs ? runs : "(none)");
    free(runs);
}
END_TEST

/* Index in the strace log of the first line at or after `from` containing both a and b. */
static int find_line(char **lines, int n, int from, const char *a, const char *b)
{
    for (int i = from; i < n; i++)
        if (contains(lines[i], a) && (!b || contains(lines[i], b))) return i;
    return -1;
}

START_TEST(results_are_synced_before_rename)
{
    const char *scn = write_text(dir, "small.lua",
                                 "swarmlab.steps(3)\n"
                                 "function setup(world) world:record{name = 'v', reduce = 'value'} end\n"
                                 "function step(world, t) swarmlab.record('v', t) end\n");
    char log[4200];
    snprintf(log, sizeof log, "%s/strace.log", dir);
    /* (LeakSanitizer cannot run under ptrace: off for this one run in sanitizer builds) */
    ck_assert_int_eq(sh(NULL, 0, "ASAN_OPTIONS=detect_leaks=0 strace -f -qq -e trace=fsync,"
                                 "fdatasync,rename,renameat,renameat2 -o %s '%s' run %s --out %s/o "
                                 "--quiet", log, exe(), scn, dir), 0);
    char *t = read_text(log);
    ck_assert(t != NULL);
    char *lines[4096];
    int n = 0;
    for (char *save, *l = strtok_r(t, "\n", &save); l && n < 4096; l = strtok_r(NULL, "\n", &save))
        lines[n++] = l;
    const char *files[] = {"metrics.csv.part", "manifest.json.part"};
    int prev = 0;
    for (int f = 0; f < 2; f++) {
        int r = find_line(lines, n, prev, "rename", files[f]);
        ck_assert_msg(r >= 0, "no rename of %s", files[f]);
        /* the file's data synced between the previous rename and this one */
        int s = find_line(lines, n, prev, "fsync(", NULL);
        ck_assert_msg(s >= 0 && s < r, "%s renamed before any fsync", files[f]);
        /* and the directory synced after it */
        int d = find_line(lines, n, r + 1, "fsync(", NULL);
        ck_assert_msg(d > r, "no fsync after renaming %s", files[f]);
        prev = r + 1;
    }
    free(t);
}
END_TEST

int main(void)
{
    /* what the suite needs: root (mount), and strace */
    if (geteuid() != 0 || system("strace -V >/dev/null 2>&1") != 0) {
        printf("SKIP: needs root (to mount a small tmpfs) and strace\n");
        return 77;
    }
    char probe[] = "/tmp/swarmlab-mount-probe-XXXXXX";
    if (!mkdtemp(probe)) return 77;
    int can_mount = mount("tmpfs", probe, "tmpfs", 0, "size=64k") == 0;
    if (can_mount) umount(probe);
    rmdir(probe);
    if (!can_mount) {
        printf("SKIP: cannot mount a tmpfs here (no CAP_SYS_ADMIN)\n");
        return 77;
    }
    Suite *s = suite_create("disk_faults");
    TCase *t = tcase_create("disk_faults");
    tcase_add_checked_fixture(t, setup_mount, teardown_mount);
    tcase_set_timeout(t, 120);
    tcase_add_test(t, run_on_full_disk_fails_with_enospc);
    tcase_add_test(t, sweep_on_full_disk_stops);
    tcase_add_test(t, results_are_synced_before_rename);
    suite_add_tcase(s, t);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
