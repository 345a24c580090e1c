/* test_run_integrity.c - results that cannot be lost or silently wrong: the output directory of
 * a run is locked (against a second run and a running sweep), SIGINT/SIGTERM leave an
 * "interrupted" manifest with the parameters, manifest.json is valid JSON whatever bytes the
 * scenario or the command line hold, integer parameters stay exact, over-long paths and INI lines
 * are refused, sweeps enforce --run-timeout and resume past timed-out runs, the sweep ETA counts
 * runs under way, and a few command-line messages (missing scenario in `view`, MPI variables
 * without mpirun). Runs $SWARMLAB_EXE as a subprocess. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "run_util.h"

static char *dir;

static void setup_dir(void) { dir = tmp_dir(); }

static void teardown_dir(void)
{
    rm_tree(dir);
    free(dir);
}

static const char *exe(void)
{
    const char *e = getenv("SWARMLAB_EXE");
    return e ? e : "build/swarmlab";
}

/* A scenario that runs long enough to be caught in the middle (100 000 steps of a busy loop). */
static const char *k_slow =
    "local sl = swarmlab\n"
    "local n = sl.param('n', 5, 'agents', {min = 1, integer = true})\n"
    "local label = sl.param('label', 'x', 'text')\n"
    "sl.steps(100000)\n"
    "local w\n"
    "function setup(world)\n"
    "  w = world:population{name = 'w', n = n, columns = {x = 'f64'}}\n"
    "  world:record{name = 'alive', pop = w, reduce = 'count'}\n"
    "end\n"
    "function step(world, t)\n"
    "  local s = 0\n"
    "  for i = 1, 20000 do s = s + i end\n"
    "end\n";

/* Starts swarmlab with the given arguments (NULL-terminated), stdout/stderr to dir/<tag>.out and
 * dir/<tag>.err; returns the child's pid. */
static pid_t spawn(const char *tag, const char *const *args)
{
    char out[4200], err[4200];
    snprintf(out, sizeof out, "%s/%s.out", dir, tag);
    snprintf(err, sizeof err, "%s/%s.err", dir, tag);
    const char *argv[32];
    int n = 0;
    argv[n++] = exe();
    for (int i = 0; args[i] && n < 31; i++) argv[n++] = args[i];
    argv[n] = NULL;
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        int fo = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int fe = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int nul = open("/dev/null", O_RDONLY);
        if (fo < 0 || fe < 0 || nul < 0) _exit(126);
        dup2(nul, 0);
        dup2(fo, 1);
        dup2(fe, 2);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    return pid;
}

/* Waits (up to 60 s) until path exists. */
static void wait_for_file(const char *path)
{
    for (int i = 0; i < 6000 && !file_exists(path); i++) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    ck_assert_msg(file_exists(path), "%s never appeared", path);
}

/* Exit status of a child (128 + signal when killed). */
static int wait_child(pid_t pid)
{
    int ws;
    while (waitpid(pid, &ws, 0) < 0) ck_assert_int_eq(errno, EINTR);
    return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
}

/* Runs a shell command in dir (see run_shell_v). */
static int sh(char *err, size_t errn, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int st = run_shell_v(dir, err, errn, fmt, ap);
    va_end(ap);
    return st;
}

/* Whether python3 is there to parse JSON with a reader other than ours. */
static int have_python(void) { return system("python3 -c 'pass' >/dev/null 2>&1") == 0; }

/* The manifest parses as JSON (when python3 exists) and holds only valid UTF-8 (always). */
static void expect_valid_json(const char *path)
{
    char *t = read_text(path);
    ck_assert_msg(t != NULL, "%s missing", path);
    /* no byte that cannot start or continue a UTF-8 sequence */
    for (const unsigned char *p = (const unsigned char *)t; *p; p++)
        ck_assert_msg(*p != 0xff && *p != 0xfe && *p != 0xc0 && *p != 0xc1,
                      "%s: raw byte 0x%02x", path, *p);
    free(t);
    if (!have_python()) {
        printf("note: python3 not found, %s checked for raw bytes only\n", path);
        return;
    }
    char cmd[4400];
    snprintf(cmd, sizeof cmd, "python3 -c 'import json,sys; json.load(open(sys.argv[1], "
             "encoding=\"utf-8\"))' '%s'", path);
    ck_assert_msg(system(cmd) == 0, "%s is not valid JSON", path);
}

/* ---- output directory lock, interrupted runs ---- */

static void interrupt_run(int sig, int want_rc)
{
    const char *scn = write_text(dir, "slow.lua", k_slow);
    const char *out = path_in(dir, sig == SIGINT ? "o_int" : "o_term");
    char outc[4200];
    snprintf(outc, sizeof outc, "%s", out);
    const char *a1[] = {"run", scn, "--out", outc, "--quiet", "--set", "label=kept", "--set",
                        "n=7", NULL};
    pid_t first = spawn("first", a1);
    wait_for_file(path_in(outc, "metrics.csv.part"));
    /* a second run into the same directory is refused and leaves the first one's files alone */
    char cmd[9000];
    snprintf(cmd, sizeof cmd, "run %s --out %s --quiet --steps 3", scn, outc);
    ck_assert_int_eq(run_swarmlab(dir, "%s", cmd), 2);
    char line[2048];
    error_line(dir, line, sizeof line);
    ck_assert_msg(contains(line, "is in use by another run or sweep"), "%s", line);
    ck_assert(!file_exists(path_in(outc, "manifest.json")));
    ck_assert(file_exists(path_in(outc, "metrics.csv.part")));

    kill(first, sig);
    ck_assert_int_eq(wait_child(first), want_rc);
    const char *man = path_in(outc, "manifest.json");
    char *m = read_text(man);
    ck_assert_msg(contains(m, "\"status\": \"interrupted\""), "%s", m);
    ck_assert_msg(contains(m, sig == SIGINT ? "interrupted by SIGINT" : "interrupted by SIGTERM"),
                  "%s", m);
    ck_assert_msg(contains(m, "\"label\": {\"value\": \"kept\", \"source\": \"cli\"}"), "%s", m);
    ck_assert_msg(contains(m, "\"n\": {\"value\": 7, \"source\": \"cli\"}"), "%s", m);
    ck_assert_msg(contains(m, "\"steps_planned\": 100000"), "%s", m);
    free(m);
    expect_valid_json(man);
    /* the metrics stay unfinished: nothing looks complete */
    ck_assert(!file_exists(path_in(outc, "metrics.csv")));
    ck_assert(file_exists(path_in(outc, "metrics.csv.part")));
    /* once the first run is gone, the directory can be used again */
    ck_assert_int_eq(run_swarmlab(dir, "%s", cmd), 0);
    m = read_text(man);
    ck_assert_msg(contains(m, "\"status\": \"ok\""), "%s", m);
    free(m);
}

START_TEST(run_locks_output_and_sigterm_writes_manifest) { interrupt_run(SIGTERM, 143); }
END_TEST

START_TEST(sigint_writes_interrupted_manifest) { interrupt_run(SIGINT, 130); }
END_TEST

START_TEST(run_into_running_sweep_is_refused)
{
    const char *scn = write_text(dir, "slow.lua", k_slow);
    char scnc[4200], sw[4200];
    snprintf(scnc, sizeof scnc, "%s", scn);
    snprintf(sw, sizeof sw, "%s/sweep", dir);
    const char *a[] = {"sweep", scnc, "--grid", "n=1,2", "--out", sw, "--quiet", NULL};
    pid_t sweep = spawn("sweep", a);
    wait_for_file(path_in(sw, "runs/0000/metrics.csv.part"));
    ck_assert_int_eq(run_swarmlab(dir, "run %s --out %s --quiet --steps 2", scnc, sw), 2);
    char line[2048];
    error_line(dir, line, sizeof line);
    ck_assert_msg(contains(line, "is in use by another run or sweep"), "%s", line);
    ck_assert(!file_exists(path_in(sw, "manifest.json")));
    ck_assert(!file_exists(path_in(sw, "metrics.csv.part")));
    kill(sweep, SIGINT);
    ck_assert_int_eq(wait_child(sweep), 130);
}
END_TEST

/* ---- manifest.json: valid JSON, exact integers ---- */

START_TEST(manifest_is_valid_json_for_any_bytes)
{
    const char *scn = write_text(dir, "bytes.lua",
                                 "local sl = swarmlab\n"
                                 "local label = sl.param('label', 'x', 'text')\n"
                                 "sl.steps(2)\n"
                                 "function setup(world) end\n"
                                 "function step(world, t) end\n"
                                 "function finish(world)\n"
                                 "  sl.result('key\\255', 'a\\192\\128b' .. label)\n"
                                 "  sl.result('fine', 'caf\\195\\169 \\226\\130\\172')\n"
                                 "  error('bad \\254 byte')\n"
                                 "end\n");
    char out[4200];
    snprintf(out, sizeof out, "%s/o", dir);
    ck_assert_int_eq(run_swarmlab(dir, "run %s --out %s --quiet --set \"label=$(printf "
                                       "'\\377\\376ok')\"", scn, out), 2);
    const char *man = path_in(out, "manifest.json");
    expect_valid_json(man);
    char *m = read_text(man);
    /* bad bytes become U+FFFD; valid multi-byte characters are kept as they are */
    ck_assert_msg(contains(m, "\"error\": \"") && contains(m, "bad \\ufffd byte"), "%s", m);
    ck_assert_msg(contains(m, "\"value\": \"\\ufffd\\ufffdok\""), "%s", m);
    ck_assert_msg(contains(m, "\"key\\ufffd\": \"a\\ufffd\\ufffdb"), "%s", m);
    ck_assert_msg(contains(m, "\"fine\": \"caf\xc3\xa9 \xe2\x82\xac\""), "%s", m);
    free(m);
}
END_TEST

START_TEST(integer_parameters_stay_exact)
{
    const char *scn = write_text(
        dir, "ints.lua",
        "local sl = swarmlab\n"
        "local a = sl.param('a', math.maxinteger)\n"
        "local b = sl.param('b', math.mininteger, 'doc', {integer = true})\n"
        "local c = sl.param('c', 3)\n"
        "local d = sl.param('d', 0.5)\n"
        "sl.steps(0)\n"
        "function setup(world) end\n"
        "function step(world, t) end\n"
        "function finish(world)\n"
        "  sl.result('a_max', a == math.maxinteger and 1 or 0)\n"
        "  sl.result('a_text', tostring(a))\n"
        "  sl.result('b_min', b == math.mininteger and 1 or 0)\n"
        "  sl.result('c_type', math.type(c) or type(c))\n"
        "  sl.result('d_type', math.type(d) or type(d))\n"
        "end\n");
    char out[4200];
    snprintf(out, sizeof out, "%s/o", dir);
    ck_assert_int_eq(run_swarmlab(dir, "run %s --out %s --quiet", scn, out), 0);
    char *m = read_text(path_in(out, "manifest.json"));
    ck_assert_msg(contains(m, "\"a_max\": 1") && contains(m, "\"b_min\": 1"), "%s", m);
    ck_assert_msg(contains(m, "\"a\": {\"value\": 9223372036854775807, \"source\": \"default\"}"),
                  "%s", m);
    ck_assert_msg(contains(m, "\"b\": {\"value\": -9223372036854775808"), "%s", m);
    ck_assert_msg(contains(m, "\"c_type\": \"integer\""), "%s", m);
    free(m);
    /* from the command line: exact above 2^53, and a number stays a number (not a string) */
    ck_assert_int_eq(run_swarmlab(dir, "run %s --out %s --quiet --set a=9223372036854775806 "
                                       "--set c=2.5 --set d=4", scn, out), 0);
    m = read_text(path_in(out, "manifest.json"));
    ck_assert_msg(contains(m, "\"a_text\": \"9223372036854775806\""), "%s", m);
    ck_assert_msg(contains(m, "\"c_type\": \"float\"") && contains(m, "\"d_type\": \"float\""),
                  "%s", m);
    free(m);
    /* beyond 64 bits an integer parameter is refused, not wrapped */
    ck_assert_int_eq(run_swarmlab(dir, "run %s --out %s --quiet --set b=9223372036854775808", scn,
                                  out), 2);
    char line[2048];
    error_line(dir, line, sizeof line);
    ck_assert_msg(contains(line, "parameter 'b'") && contains(line, "not an integer"), "%s", line);
}
END_TEST

/* ---- over-long names are refused, never cut ---- */

START_TEST(long_paths_and_values_are_refused)
{
    const char *scn = write_text(dir, "slow.lua", k_slow);
    char scnc[4200];
    snprintf(scnc, sizeof scnc, "%s", scn);
    char *longdir = malloc(5000);
    ck_assert_ptr_nonnull(longdir);
    int n = snprintf(longdir, 5000, "%s/", dir);
    while (n < 4090) n += snprintf(longdir + n, 5000 - (size_t)n, "d/");
    longdir[n - 1] = '\0';
    /* (through sh: run_swarmlab's command buffer is shorter than this path) */
    char line[2048];
    ck_assert_int_eq(sh(line, sizeof line, "'%s' run %s --out %s --steps 1", exe(), scnc, longdir),
                     2);
    ck_assert_msg(contains(line, "output directory name too long"), "%s", line);
    ck_assert(!file_exists(path_in(dir, "d")));
    ck_assert_int_eq(sh(line, sizeof line, "'%s' sweep %s --grid n=1,2 --out %s --steps 1", exe(),
                        scnc, longdir), 2);
    ck_assert_msg(contains(line, "output directory name too long"), "%s", line);
    ck_assert(!file_exists(path_in(dir, "d")));
    free(longdir);

    /* an experiment file whose grid line is longer than the reader's buffer */
    char ini[8192];
    int k = snprintf(ini, sizeof ini, "[sweep]\nscenario = %s\nout = %s/sw\nsteps = 1\n[grid]\nn = 1",
                     scnc, dir);
    for (int v = 2; v <= 300; v++) k += snprintf(ini + k, sizeof ini - (size_t)k, ",%d", v);
    snprintf(ini + k, sizeof ini - (size_t)k, "\n");
    const char *inip = write_text(dir, "long.ini", ini);
    ck_assert_int_eq(run_swarmlab(dir, "sweep %s --quiet", inip), 2);
    error_line(dir, line, sizeof line);
    ck_assert_msg(contains(line, "long.ini:6: line longer than"), "%s", line);
    ck_assert(!file_exists(path_in(dir, "sw/runs.csv")));

    /* a range bound too long to read is refused, not cut to another number */
    char spec[400];
    k = snprintf(spec, sizeof spec, "n=1:2.");
    while (k < 200) k += snprintf(spec + k, sizeof spec - (size_t)k, "0");
    snprintf(spec + k, sizeof spec - (size_t)k, "1:1");
    ck_assert_int_eq(run_swarmlab(dir, "sweep %s --grid %s --out %s/sw2", scnc, spec, dir), 2);
    error_line(dir, line, sizeof line);
    ck_assert_msg(contains(line, "range stop longer than"), "%s", line);
}
END_TEST

/* ---- sweeps: run time limit, ETA ---- */

START_TEST(sweep_run_timeout_is_recorded_and_resumed)
{
    const char *scn = write_text(dir, "tmo.lua",
                                 "local sl = swarmlab\n"
                                 "local slow = sl.param('slow', 0, '', {integer = true})\n"
                                 "sl.steps(slow == 1 and 100000 or 50)\n"
                                 "local w\n"
                                 "function setup(world)\n"
                                 "  w = world:population{name = 'w', n = 3, columns = {x = 'f64'}}\n"
                                 "  world:record{name = 'alive', pop = w, reduce = 'count'}\n"
                                 "end\n"
                                 "function step(world, t)\n"
                                 "  if slow == 1 then for i = 1, 3000000 do end end\n"
                                 "end\n");
    char sw[4200];
    snprintf(sw, sizeof sw, "%s/sw", dir);
    /* the slow run would take minutes; the limit (8 s: the fast run must finish well within it
     * on a loaded machine) stops it after a step, with an "interrupted" manifest */
    ck_assert_int_eq(run_swarmlab(dir, "sweep %s --grid slow=0,1 --out %s --quiet --run-timeout 8",
                                  scn, sw), 1);
    char *runs = read_text(path_in(sw, "runs.csv"));
    ck_assert_msg(contains(runs, ",0,") && contains(runs, ",ok,"), "%s", runs);
    ck_assert_msg(contains(runs, ",timeout,stopped after the run time limit of 8 s (--run-timeout)"),
                  "%s", runs);
    char *m = read_text(path_in(sw, "runs/0001/manifest.json"));
    ck_assert_msg(contains(m, "\"status\": \"interrupted\""), "%s", m ? m : "(none)");
    free(m);
    /* resume: the timed-out run stands as recorded; nothing is redone */
    ck_assert_int_eq(run_swarmlab(dir, "sweep %s --grid slow=0,1 --out %s --run-timeout 8", scn,
                                  sw), 1);
    char *again = read_text(path_in(sw, "runs.csv"));
    ck_assert_str_eq(runs, again);
    char *err = read_text(path_in(dir, "stderr.txt"));
    ck_assert_msg(contains(err, "resuming: 2 of 2 runs done"), "%s", err);
    free(err);
    free(runs);
    free(again);
    ck_assert_int_eq(run_swarmlab(dir, "sweep %s --grid slow=0 --out %s/x --run-timeout 0", scn,
                                  dir), 2);
    char line[2048];
    error_line(dir, line, sizeof line);
    ck_assert_msg(contains(line, "--run-timeout: expected seconds > 0"), "%s", line);
}
END_TEST

START_TEST(sweep_kills_a_run_stuck_in_c_after_the_grace)
{
    /* run 0 is stuck in a pattern match that backtracks (hours): the SIGTERM at the limit only
     * sets the flag the step loop reads after the step, so the run goes on until the SIGKILL
     * SL_SWEEP_KILL_GRACE (5 s) later; it is recorded as timeout and the sweep goes on */
    const char *scn = write_text(dir, "stuck.lua",
                                 "local sl = swarmlab\n"
                                 "local stuck = sl.param('stuck', 0, '', {integer = true})\n"
                                 "sl.steps(3)\n"
                                 "function setup(world) world:record{name = 'v', reduce = 'value'} end\n"
                                 "function step(world, t)\n"
                                 "  sl.record('v', t)\n"
                                 "  if stuck == 1 then string.find(string.rep('a', 1e5), '.-.-.-.-b') end\n"
                                 "end\n");
    char sw[4200];
    snprintf(sw, sizeof sw, "%s/sw", dir);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    ck_assert_int_eq(run_swarmlab(dir, "sweep %s --grid stuck=1,0 --jobs 1 --out %s --quiet "
                                  "--run-timeout 2", scn, sw), 1);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    ck_assert_msg(secs >= 7.0 && secs < 90.0, "%.1f s", secs);
    char *runs = read_text(path_in(sw, "runs.csv"));
    ck_assert_msg(contains(runs, "0000,0,0,1,") &&
                  contains(runs, ",timeout,stopped after the run time limit of 2 s (--run-timeout); "
                                 "killed,"), "%s", runs);
    ck_assert_msg(contains(runs, "0001,1,0,0,") && contains(runs, ",ok,,"), "%s", runs);
    free(runs);
    /* the killed run left no manifest that could pass for a finished one */
    char *m = read_text(path_in(sw, "runs/0000/manifest.json"));
    ck_assert_msg(!contains(m, "\"ok\""), "%s", m);
    free(m);
    ck_assert(!file_exists(path_in(sw, "runs/0000/metrics.csv")));
}
END_TEST

START_TEST(sweep_interrupted_run_manifest)
{
    /* runs stopped by an interrupted sweep leave an "interrupted" manifest, not a bare .part */
    const char *scn = write_text(dir, "slow.lua", k_slow);
    char scnc[4200], sw[4200];
    snprintf(scnc, sizeof scnc, "%s", scn);
    snprintf(sw, sizeof sw, "%s/sweep", dir);
    const char *a[] = {"sweep", scnc, "--grid", "n=1,2", "--out", sw, "--quiet", NULL};
    pid_t sweep = spawn("sweep", a);
    wait_for_file(path_in(sw, "runs/0000/metrics.csv.part"));
    kill(sweep, SIGTERM);
    ck_assert_int_eq(wait_child(sweep), 130);
    char *m = read_text(path_in(sw, "runs/0000/manifest.json"));
    ck_assert_msg(contains(m, "\"status\": \"interrupted\""), "%s", m ? m : "(none)");
    free(m);
}
END_TEST

/* ---- checkpoints and instances through the command line ---- */

static const char *k_walk =
    "local sl = swarmlab\n"
    "local n = sl.param('n', 50, 'agents', {min = 1, integer = true})\n"
    "local drift = sl.param('drift', 0.5, 'step size')\n"
    "sl.steps(20)\n"
    "local w\n"
    "function setup(world)\n"
    "  w = world:population{name = 'w', n = n, columns = {x = 'f64'}}\n"
    "  world:record{name = 'x_sum', pop = w, column = 'x', reduce = 'sum'}\n"
    "end\n"
    "function step(world, t)\n"
    "  for i = 1, w:count() do\n"
    "    w:set('x', i, w:get('x', i) + drift * sl.rng(3, w:id(i), t):normal())\n"
    "  end\n"
    "end\n";

START_TEST(resume_checks_parameters_and_files)
{
    const char *scn = write_text(dir, "walk.lua", k_walk);
    char scnc[4200], ck[4200];
    snprintf(scnc, sizeof scnc, "%s", scn);
    snprintf(ck, sizeof ck, "%s/a/checkpoint.bin", dir);
    ck_assert_int_eq(run_swarmlab(dir, "run %s --out %s/a --quiet --steps 10 --checkpoint-every 10 "
                                       "--set n=30", scnc, dir), 0);
    /* other parameter values: refused, naming the parameter and both values */
    ck_assert_int_eq(run_swarmlab(dir, "run %s --out %s/b --quiet --resume %s --set n=30 "
                                       "--set drift=0.25", scnc, dir, ck), 2);
    char line[2048];
    error_line(dir, line, sizeof line);
    ck_assert_msg(contains(line, "checkpoint was made with drift=0.5, this run has drift=0.25"),
                  "%s", line);
    char *m = read_text(path_in(dir, "b/manifest.json"));
    ck_assert_msg(contains(m, "\"status\": \"error\""), "%s", m);
    free(m);
    ck_assert_int_eq(run_swarmlab(dir, "run %s --out %s/b --quiet --resume %s", scnc, dir, ck), 2);
    error_line(dir, line, sizeof line);
    ck_assert_msg(contains(line, "checkpoint was made with n=30, this run has n=50"), "%s", line);
    /* the same values (a longer run, another seed) resume */
    ck_assert_int_eq(run_swarmlab(dir, "run %s --out %s/b --quiet --resume %s --set n=30 "
                                       "--steps 20 --seed 9", scnc, dir, ck), 0);
    m = read_text(path_in(dir, "b/manifest.json"));
    ck_assert_msg(contains(m, "\"status\": \"ok\"") && contains(m, "\"steps\": 20"), "%s", m);
    free(m);
    /* a device, a directory: refused at once */
    ck_assert_int_eq(run_swarmlab(dir, "run %s --out %s/c --quiet --resume /dev/zero", scnc, dir),
                     2);
    error_line(dir, line, sizeof line);
    ck_assert_msg(contains(line, "/dev/zero: checkpoint is not a regular file"), "%s", line);
    ck_assert_int_eq(run_swarmlab(dir, "run %s --out %s/c --quiet --resume %s", scnc, dir, dir),
                     2);
    error_line(dir, line, sizeof line);
    ck_assert_msg(contains(line, "not a regular file"), "%s", line);
}
END_TEST

START_TEST(tsplib_distances_never_overflow)
{
    const char *src = getenv("SWARMLAB_SOURCE_DIR");
    char scn[4200];
    snprintf(scn, sizeof scn, "%s/scenarios/tsp.lua", src ? src : ".");
    /* two points 3e9 apart: an int distance would wrap to a negative tour length */
    const char *tsp = write_text(dir, "far.tsp",
                                 "NAME : far\nTYPE : TSP\nDIMENSION : 4\n"
                                 "EDGE_WEIGHT_TYPE : EUC_2D\nNODE_COORD_SECTION\n"
                                 "1 0 0\n2 3000000000 0\n3 3000000000 10\n4 0 10\nEOF\n");
    char tspc[4200];
    snprintf(tspc, sizeof tspc, "%s", tsp);
    ck_assert_int_eq(run_swarmlab(dir, "run %s --out %s/t --quiet --steps 3 --set instance=%s",
                                  scn, dir, tspc), 2);
    char line[2048];
    error_line(dir, line, sizeof line);
    ck_assert_msg(contains(line, "far.tsp: coordinates span") &&
                  contains(line, "largest edge weight supported"), "%s", line);
    char *m = read_text(path_in(dir, "t/manifest.json"));
    ck_assert_msg(!contains(m, "\"status\": \"ok\"") && !contains(m, "best_length"), "%s", m);
    free(m);
    /* an instance that is a device */
    ck_assert_int_eq(run_swarmlab(dir, "run %s --out %s/t --quiet --steps 3 --set "
                                       "instance=/dev/zero", scn, dir), 2);
    error_line(dir, line, sizeof line);
    ck_assert_msg(contains(line, "/dev/zero: instance is not a regular file"), "%s", line);
    /* coordinates within range still solve, with a positive length */
    tsp = write_text(dir, "near.tsp", "NAME : near\nTYPE : TSP\nDIMENSION : 4\n"
                                      "EDGE_WEIGHT_TYPE : EUC_2D\nNODE_COORD_SECTION\n"
                                      "1 0 0\n2 30000000 0\n3 30000000 10\n4 0 10\nEOF\n");
    snprintf(tspc, sizeof tspc, "%s", tsp);
    ck_assert_int_eq(run_swarmlab(dir, "run %s --out %s/t --quiet --steps 3 --set instance=%s",
                                  scn, dir, tspc), 0);
    m = read_text(path_in(dir, "t/manifest.json"));
    ck_assert_msg(contains(m, "\"best_length\": 60000020"), "%s", m);
    free(m);
}
END_TEST

/* ---- messages ---- */

START_TEST(view_of_missing_scenario)
{
    ck_assert_int_eq(run_swarmlab(dir, "view %s/nope.lua", dir), 2);
    char line[2048];
    error_line(dir, line, sizeof line);
    if (contains(line, "viewer")) { /* a build without the SDL viewer says so first */
        printf("note: no viewer in this build: %s\n", line);
        return;
    }
    ck_assert_msg(contains(line, "nope.lua: cannot open scenario: No such file"), "%s", line);
    ck_assert_int_eq(stderr_lines(dir), 1);
}
END_TEST

START_TEST(mpi_variables_without_mpirun)
{
    const char *scn = write_text(dir, "slow.lua", k_slow);
    char scnc[4200];
    snprintf(scnc, sizeof scnc, "%s", scn);
    ck_assert_int_eq(run_swarmlab(dir, "sweep %s --grid n=1,2 --out %s/sw --steps 1 --quiet", scnc,
                                  dir), 0);
    char err[2048];
    ck_assert_int_eq(sh(err, sizeof err, "OMPI_COMM_WORLD_SIZE=4 '%s' sweep %s --grid n=1,2 "
                        "--out %s/sw2 --steps 1", exe(), scnc, dir), 2);
    ck_assert_msg(contains(err, "MPI ranks") && contains(err, "OMPI_COMM_WORLD_SIZE"), "%s", err);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("run_integrity");
    TCase *t = tcase_create("run_integrity");
    tcase_add_checked_fixture(t, setup_dir, teardown_dir);
    tcase_set_timeout(t, 180);
    tcase_add_test(t, run_locks_output_and_sigterm_writes_manifest);
    tcase_add_test(t, sigint_writes_interrupted_manifest);
    tcase_add_test(t, run_into_running_sweep_is_refused);
    tcase_add_test(t, manifest_is_valid_json_for_any_bytes);
    tcase_add_test(t, integer_parameters_stay_exact);
    tcase_add_test(t, long_paths_and_values_are_refused);
    tcase_add_test(t, sweep_run_timeout_is_recorded_and_resumed);
    tcase_add_test(t, sweep_kills_a_run_stuck_in_c_after_the_grace);
    tcase_add_test(t, sweep_interrupted_run_manifest);
    tcase_add_test(t, resume_checks_parameters_and_files);
    tcase_add_test(t, tsplib_distances_never_overflow);
    tcase_add_test(t, view_of_missing_scenario);
    tcase_add_test(t, mpi_variables_without_mpirun);
    suite_add_tcase(s, t);
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
