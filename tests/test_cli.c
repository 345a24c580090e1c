/* test_cli.c - the swarmlab program as a user runs it: bad input (exit 2, one line naming the
 * file and line, no manifest claiming success), manifest contents, determinism of metrics.csv
 * across thread counts, SHA-256 known answers. Runs $SWARMLAB_EXE as a subprocess. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run_util.h"

/* The manifest's hash function, tested on its own (the file has no dependencies). */
#include "../engine/cli/sha256.c"

static char *dir;
static char src[4096];   /* repository root */

static void setup_dir(void)
{
    dir = tmp_dir();
    const char *s = getenv("SWARMLAB_SOURCE_DIR");
    snprintf(src, sizeof src, "%s", s ? s : ".");
}

static void teardown_dir(void)
{
    rm_tree(dir);
    free(dir);
}

static const char *fixture(const char *name)
{
    static char p[4200];
    snprintf(p, sizeof p, "%s/tests/scenarios/%s", src, name);
    return p;
}

static char *manifest_of(const char *out)
{
    return read_text(path_in(out, "manifest.json"));
}

/* Exit 2, exactly one line on stderr, and that line contains `want`. */
static void expect_usage_error(const char *want, const char *fmt, const char *arg)
{
    int rc = run_swarmlab(dir, fmt, arg);
    char line[2048];
    error_line(dir, line, sizeof line);
    ck_assert_msg(rc == 2, "exit %d for: %s", rc, fmt);
    ck_assert_msg(contains(line, want), "for '%s': expected '%s' in '%s'", fmt, want, line);
    ck_assert_int_eq(stderr_lines(dir), 1);
}

/* ---- sha256 ---- */

START_TEST(sha256_known_answers)
{
    char hex[65];
    sl_sha256_hex("", 0, hex);
    ck_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    sl_sha256_hex("abc", 3, hex);
    ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    sl_sha256_hex(m, strlen(m), hex);
    ck_assert_str_eq(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    /* one million 'a', fed in uneven pieces */
    sl_sha256 s;
    uint8_t d[32];
    char buf[997];
    memset(buf, 'a', sizeof buf);
    sl_sha256_init(&s);
    size_t left = 1000000;
    while (left) {
        size_t k = left < sizeof buf ? left : sizeof buf;
        sl_sha256_update(&s, buf, k);
        left -= k;
    }
    sl_sha256_final(&s, d);
    static const uint8_t want[4] = {0xcd, 0xc7, 0x6e, 0x5c};
    ck_assert(memcmp(d, want, 4) == 0);
    ck_assert_int_eq(d[31], 0xd0);
}
END_TEST

/* ---- basic commands ---- */

START_TEST(version_and_help)
{
    ck_assert_int_eq(run_swarmlab(dir, "--version"), 0);
    char *out = read_text(path_in(dir, "stdout.txt"));
    ck_assert_msg(contains(out, "swarmlab 0."), "%s", out);
    free(out);
    ck_assert_int_eq(run_swarmlab(dir, "run --help"), 0);
    out = read_text(path_in(dir, "stdout.txt"));
    ck_assert(contains(out, "--steps") && contains(out, "--set NAME=VALUE"));
    free(out);
    ck_assert_int_eq(run_swarmlab(dir, "help run"), 0);
    ck_assert_int_eq(run_swarmlab(dir, "help"), 0);
    ck_assert_int_eq(run_swarmlab(dir, "--help"), 0);
    out = read_text(path_in(dir, "stdout.txt"));
    ck_assert(contains(out, "run"));
    free(out);
    ck_assert_int_eq(run_swarmlab(dir, ""), 2);
    expect_usage_error("unknown command 'frobnicate'", "%s", "frobnicate");
    expect_usage_error("unknown command 'nope'", "help %s", "nope");
}
END_TEST

/* ---- bad input ---- */

START_TEST(bad_flags)
{
    const char *scn = fixture("pop_metrics.lua");
    char out[4200];
    snprintf(out, sizeof out, "%s/o", dir);
    struct { const char *args, *want; } cases[] = {
        {"run %s --bogus", "unknown option '--bogus'"},
        {"run %s --threads 0", "--threads: expected an integer in 1..1024, got '0'"},
        {"run %s --threads=-2", "--threads"},
        {"run %s --threads two", "--threads"},
        {"run %s --steps -1", "--steps: expected an integer >= 0, got '-1'"},
        {"run %s --steps 1e3", "--steps"},
        {"run %s --seed abc", "--seed: expected an unsigned 64-bit integer, got 'abc'"},
        {"run %s --seed -5", "--seed"},
        {"run %s --seed 99999999999999999999999", "--seed"},
        {"run %s --lua-budget 0", "--lua-budget"},
        {"run %s --set novalue", "--set: expected NAME=VALUE, got 'novalue'"},
        {"run %s --steps", "option '--steps' needs a value"},
        {"run %s extra.lua", "unexpected argument 'extra.lua'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char fmt[5000];
        if (snprintf(fmt, sizeof fmt, "%s --out %s", cases[i].args, out) >= (int)sizeof fmt) abort();
        expect_usage_error(cases[i].want, fmt, scn);
        ck_assert(!file_exists(path_in(out, "manifest.json")));
    }
    expect_usage_error("no scenario given", "run %s", "--quiet");
}
END_TEST

START_TEST(missing_scenario)
{
    char args[4300];
    snprintf(args, sizeof args, "run %s/nope.lua --out %s/o", dir, dir);
    ck_assert_int_eq(run_swarmlab(dir, "%s", args), 2);
    char line[2048];
    error_line(dir, line, sizeof line);
    ck_assert_msg(contains(line, "nope.lua: cannot open scenario"), "%s", line);
    ck_assert_int_eq(stderr_lines(dir), 1);
    ck_assert(!file_exists(path_in(dir, "o/manifest.json")));
}
END_TEST

START_TEST(bad_parameter_values)
{
    const char *scn = fixture("pop_metrics.lua");
    char fmt[5000];
    snprintf(fmt, sizeof fmt, "run %%s --out %s/o --quiet --set n=nan", dir);
    expect_usage_error("parameter 'n' = 'nan' (from --set): not a finite number", fmt, scn);
    char *m = manifest_of(path_in(dir, "o"));
    ck_assert_msg(m && contains(m, "\"status\": \"error\"") && !contains(m, "\"status\": \"ok\""),
                  "%s", m ? m : "(no manifest)");
    free(m);
    ck_assert(!file_exists(path_in(dir, "o/metrics.csv")));
    snprintf(fmt, sizeof fmt, "run %%s --out %s/o --quiet --set n=0", dir);
    expect_usage_error("below the minimum 1", fmt, scn);
    snprintf(fmt, sizeof fmt, "run %%s --out %s/o --quiet --set drift=abc", dir);
    expect_usage_error("parameter 'drift' = 'abc' (from --set): not a number", fmt, scn);
    snprintf(fmt, sizeof fmt, "run %%s --out %s/o --quiet --set x=1", dir);
    expect_usage_error("unknown parameter 'x' (scenario declares: n, drift, label, stop_at)", fmt,
                       scn);
    /* the error line names the scenario file and the line of the declaration */
    snprintf(fmt, sizeof fmt, "run %%s --out %s/o --quiet --set n=-4", dir);
    expect_usage_error("pop_metrics.lua:5: parameter 'n'", fmt, scn);
}
END_TEST

START_TEST(lua_errors)
{
    char fmt[5000];
    snprintf(fmt, sizeof fmt, "run %%s --out %s/o", dir);
    expect_usage_error("tests/scenarios/syntax_error.lua:4:", fmt, fixture("syntax_error.lua"));
    char *m = manifest_of(path_in(dir, "o"));
    ck_assert_msg(m && contains(m, "\"status\": \"error\"") && contains(m, "syntax_error.lua:4:"),
                  "%s", m ? m : "(no manifest)");
    free(m);

    /* a runtime error at step 3: exit 2, file:line first, traceback after; metrics stay .part */
    const char *scn = write_text(dir, "boom.lua",
                                 "local sl = swarmlab\nsl.steps(10)\n"
                                 "function setup(w) w:record{name = 'v', reduce = 'value'} end\n"
                                 "function step(w, t)\n  sl.record('v', t)\n"
                                 "  if t == 3 then error('exploded at ' .. t) end\nend\n");
    int rc = run_swarmlab(dir, "run %s --out %s/o", scn, dir);
    ck_assert_int_eq(rc, 2);
    char line[2048];
    error_line(dir, line, sizeof line);
    ck_assert_msg(contains(line, "boom.lua:6: exploded at 3"), "%s", line);
    char *err = read_text(path_in(dir, "stderr.txt"));
    ck_assert_msg(contains(err, "stack traceback"), "%s", err);
    free(err);
    m = manifest_of(path_in(dir, "o"));
    ck_assert_msg(m && contains(m, "\"status\": \"error\"") && contains(m, "\"steps\": 2"), "%s", m);
    free(m);
    ck_assert(!file_exists(path_in(dir, "o/metrics.csv")));
    ck_assert(file_exists(path_in(dir, "o/metrics.csv.part")));

    /* a runaway loop is stopped by the budget */
    scn = write_text(dir, "spin.lua", "swarmlab.steps(1)\nfunction setup(w)\n  while true do end\nend\n");
    rc = run_swarmlab(dir, "run %s --out %s/o --lua-budget 100000", scn, dir);
    ck_assert_int_eq(rc, 2);
    error_line(dir, line, sizeof line);
    ck_assert_msg(contains(line, "spin.lua:3: instruction budget of 100000 exceeded"), "%s", line);

    /* many small module callbacks in one world step share the step's budget: 40 objective
     * calls of ~12500 instructions each stay under 100000 one by one, not together */
    scn = write_text(dir, "many.lua",
                     "swarmlab.steps(3)\n"
                     "local function f(x)\n"
                     "  local s = 0\n"
                     "  for i = 1, 5000 do s = s + i end\n"
                     "  return x[1] * x[1] + s * 0\n"
                     "end\n"
                     "function setup(w)\n"
                     "  local s = swarmlab.pso_solver{objective = f, dim = 1, lower = {-1}, upper = {1},\n"
                     "    swarm = 40, fes = 4000}\n"
                     "  s:attach(w, 'particles')\n"
                     "end\n");
    rc = run_swarmlab(dir, "run %s --out %s/o --lua-budget 100000", scn, dir);
    ck_assert_int_eq(rc, 2);
    error_line(dir, line, sizeof line);
    ck_assert_msg(contains(line, "instruction budget of 100000 exceeded"), "%s", line);
    rc = run_swarmlab(dir, "run %s --out %s/o --lua-budget 1000000", scn, dir);
    ck_assert_msg(rc == 0, "a step under its budget failed (exit %d)", rc);

    /* no step count anywhere */
    scn = write_text(dir, "nosteps.lua", "local x = 1\n");
    rc = run_swarmlab(dir, "run %s --out %s/o", scn, dir);
    ck_assert_int_eq(rc, 2);
    error_line(dir, line, sizeof line);
    ck_assert_msg(contains(line, "no step count"), "%s", line);
}
END_TEST

START_TEST(unwritable_out_dir)
{
    write_text(dir, "afile", "not a directory\n");
    char fmt[5000];
    snprintf(fmt, sizeof fmt, "run %%s --out %s/afile/sub", dir);
    expect_usage_error("cannot write to output directory", fmt, fixture("pop_metrics.lua"));
}
END_TEST

START_TEST(failed_rerun_replaces_old_results)
{
    const char *scn = fixture("pop_metrics.lua");
    ck_assert_int_eq(run_swarmlab(dir, "run %s --out %s/o --quiet --set n=100", scn, dir), 0);
    ck_assert(file_exists(path_in(dir, "o/metrics.csv")));
    const char *bad = write_text(dir, "bad.lua", "swarmlab.steps(2)\nfunction step() error('x') end\n");
    ck_assert_int_eq(run_swarmlab(dir, "run %s --out %s/o --quiet", bad, dir), 2);
    char *m = manifest_of(path_in(dir, "o"));
    ck_assert(m && contains(m, "\"status\": \"error\"") && !contains(m, "\"status\": \"ok\""));
    free(m);
    ck_assert(!file_exists(path_in(dir, "o/metrics.csv")));
}
END_TEST

/* ---- results ---- */

static void sha256sum_of(const char *path, char hex[65])
{
    char cmd[4300];
    snprintf(cmd, sizeof cmd, "sha256sum '%s'", path);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(fscanf(p, "%64s", hex), 1);
    pclose(p);
}

START_TEST(manifest_contents)
{
    const char *scn = fixture("pop_metrics.lua");
    int rc = run_swarmlab(dir, "run %s --out %s/o --seed 5 --threads 2 --steps 6 "
                               "--set n=300 --set label=hello", scn, dir);
    ck_assert_int_eq(rc, 0);
    char *m = manifest_of(path_in(dir, "o"));
    ck_assert_ptr_nonnull(m);
    char hex[65], want[200];
    sha256sum_of(scn, hex);
    snprintf(want, sizeof want, "\"scenario_sha256\": \"%s\"", hex);
    ck_assert_msg(contains(m, want), "%s\nwant %s", m, want);
    ck_assert(contains(m, "\"status\": \"ok\""));
    ck_assert(!contains(m, "\"error\""));
    ck_assert(contains(m, "\"seed\": 5,"));
    ck_assert(contains(m, "\"threads\": 2,"));
    ck_assert(contains(m, "\"steps\": 6,"));
    ck_assert(contains(m, "\"version\": \"0."));
    ck_assert(contains(m, "\"start_time\": \"20"));
    ck_assert(contains(m, "\"wall_seconds\": "));
    ck_assert(contains(m, "\"n\": {\"value\": 300, \"source\": \"cli\"}"));
    ck_assert(contains(m, "\"drift\": {\"value\": 0.25, \"source\": \"default\"}"));
    ck_assert(contains(m, "\"label\": {\"value\": \"hello\", \"source\": \"cli\"}"));
    ck_assert(contains(m, "\"label\": \"hello\""));   /* sl.result at the top level */
    ck_assert(contains(m, "\"final_mean\": "));
    free(m);
    ck_assert(!file_exists(path_in(dir, "o/manifest.json.part")));
    ck_assert(!file_exists(path_in(dir, "o/metrics.csv.part")));
    char *csv = read_text(path_in(dir, "o/metrics.csv"));
    ck_assert(contains(csv, "step,x_sum,x_mean,x_min,x_max,hits,alive,spread\n0,"));
    int lines = 0;
    for (char *p = csv; *p; p++) lines += *p == '\n';
    ck_assert_int_eq(lines, 1 + 7); /* header, initial state, 6 steps */
    ck_assert(contains(csv, "\n6,"));
    free(csv);
    char *out = read_text(path_in(dir, "stdout.txt"));
    ck_assert(contains(out, "results in "));
    free(out);
    /* stderr is not a terminal here: plain progress lines with rate and ETA */
    char *err = read_text(path_in(dir, "stderr.txt"));
    ck_assert_msg(contains(err, "step 3/6 (50%)") && contains(err, "steps/s  ETA"), "%s", err);
    ck_assert(!contains(err, "\r"));
    free(err);
}
END_TEST

START_TEST(early_stop_and_quiet)
{
    int rc = run_swarmlab(dir, "run %s --out %s/o --quiet --set n=50 --set stop_at=4",
                          fixture("pop_metrics.lua"), dir);
    ck_assert_int_eq(rc, 0);
    char *m = manifest_of(path_in(dir, "o"));
    ck_assert_msg(contains(m, "\"steps\": 4,") && contains(m, "\"steps_planned\": 20"), "%s", m);
    free(m);
    ck_assert_int_eq(stderr_lines(dir), 0);
    char *out = read_text(path_in(dir, "stdout.txt"));
    ck_assert_str_eq(out, "");
    free(out);
}
END_TEST

START_TEST(default_out_dir)
{
    char *scn = realpath(fixture("pop_metrics.lua"), NULL);
    ck_assert_ptr_nonnull(scn);
    const char *exe = getenv("SWARMLAB_EXE");
    char cmd[9000];
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' run '%s' --seed 3 --set n=20 --steps 2 >stdout.txt "
             "2>stderr.txt", dir, exe ? exe : "swarmlab", scn);
    free(scn);
    ck_assert_int_eq(system(cmd), 0);
    ck_assert(file_exists(path_in(dir, "results/pop_metrics-3/manifest.json")));
    ck_assert(file_exists(path_in(dir, "results/pop_metrics-3/metrics.csv")));
    char *out = read_text(path_in(dir, "stdout.txt"));
    ck_assert_msg(contains(out, "results in results/pop_metrics-3"), "%s", out);
    free(out);
}
END_TEST

START_TEST(params_listing)
{
    const char *scn = fixture("pop_metrics.lua");
    ck_assert_int_eq(run_swarmlab(dir, "params %s --set n=7", scn), 0);
    char *out = read_text(path_in(dir, "stdout.txt"));
    ck_assert_msg(contains(out, "pop_metrics.lua: 4 parameters, 20 steps"), "%s", out);
    ck_assert_msg(contains(out, "agents [from cli, default 5000; min 1, integer]"), "%s", out);
    ck_assert_msg(contains(out, "walkers  free text copied to the results\n"), "%s", out);
    free(out);
    char fmt[64];
    snprintf(fmt, sizeof fmt, "params %%s --set n=0");
    expect_usage_error("parameter 'n' = '0' (from --set): below the minimum 1", fmt, scn);
    expect_usage_error("unknown option '--bogus'", "params %s --bogus", scn);
    ck_assert_int_eq(run_swarmlab(dir, "help params"), 0);
}
END_TEST

/* ---- determinism ---- */

static void expect_identical_metrics(const char *scn, const char *extra)
{
    char *ref = NULL;
    int threads[] = {1, 2, 3, 4, 2};
    for (int i = 0; i < 5; i++) {
        int rc = run_swarmlab(dir, "run %s --out %s/d%d --quiet --seed 42 --threads %d %s", scn,
                              dir, i, threads[i], extra);
        ck_assert_msg(rc == 0, "run with %d threads failed", threads[i]);
        char csv[64];
        snprintf(csv, sizeof csv, "d%d/metrics.csv", i);
        char *got = read_text(path_in(dir, csv));
        ck_assert_ptr_nonnull(got);
        ck_assert_msg(strlen(got) > 100, "metrics too short: %s", got);
        if (!ref) ref = got;
        else {
            ck_assert_msg(strcmp(ref, got) == 0, "metrics.csv differs with %d threads", threads[i]);
            free(got);
        }
    }
    free(ref);
}

START_TEST(determinism_population_scenario)
{
    expect_identical_metrics(fixture("pop_metrics.lua"), "--set n=4000 --steps 10");
    /* the final world hash is a result: also identical */
    char *a = manifest_of(path_in(dir, "d0")), *b = manifest_of(path_in(dir, "d3"));
    const char *ha = strstr(a, "\"world_hash\""), *hb = strstr(b, "\"world_hash\"");
    ck_assert(ha && hb && strncmp(ha, hb, 40) == 0);
    free(a);
    free(b);
}
END_TEST

START_TEST(determinism_flocking)
{
    char scn[4200];
    snprintf(scn, sizeof scn, "%s/scenarios/flocking.lua", src);
    ck_assert_msg(file_exists(scn), "%s not found", scn);
    expect_identical_metrics(scn, "--set n=3000 --steps 15");
}
END_TEST

static Suite *cli_suite(void)
{
    Suite *s = suite_create("cli");
    TCase *t = tcase_create("cli");
    tcase_add_checked_fixture(t, setup_dir, teardown_dir);
    tcase_set_timeout(t, 120);
    tcase_add_test(t, sha256_known_answers);
    tcase_add_test(t, version_and_help);
    tcase_add_test(t, bad_flags);
    tcase_add_test(t, missing_scenario);
    tcase_add_test(t, bad_parameter_values);
    tcase_add_test(t, lua_errors);
    tcase_add_test(t, unwritable_out_dir);
    tcase_add_test(t, failed_rerun_replaces_old_results);
    tcase_add_test(t, manifest_contents);
    tcase_add_test(t, early_stop_and_quiet);
    tcase_add_test(t, default_out_dir);
    tcase_add_test(t, params_listing);
    tcase_add_test(t, determinism_population_scenario);
    tcase_add_test(t, determinism_flocking);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    SRunner *r = srunner_create(cli_suite());
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
