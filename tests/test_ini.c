/* test_ini.c - INI run configuration through `swarmlab run --config`: precedence (command line
 * beats INI beats scenario defaults) and errors naming file:line with exit status 2. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run_util.h"

static char *dir;
static char scn[4200];

static void setup_dir(void)
{
    dir = tmp_dir();
    const char *s = getenv("SWARMLAB_SOURCE_DIR");
    snprintf(scn, sizeof scn, "%s/tests/scenarios/pop_metrics.lua", s ? s : ".");
}

static void teardown_dir(void)
{
    rm_tree(dir);
    free(dir);
}

/* Writes run.ini with `text`, runs with `extra` flags; returns the exit status. */
static int run_with_ini(const char *text, const char *extra)
{
    const char *ini = write_text(dir, "run.ini", text);
    return run_swarmlab(dir, "run %s --config %s --quiet %s", scn, ini, extra);
}

static void expect_ini_error(const char *text, const char *want)
{
    int rc = run_with_ini(text, "");
    char line[2048];
    error_line(dir, line, sizeof line);
    ck_assert_msg(rc == 2, "exit %d for:\n%s", rc, text);
    ck_assert_msg(contains(line, want), "expected '%s' in '%s'", want, line);
    ck_assert_int_eq(stderr_lines(dir), 1);
}

START_TEST(ini_precedence)
{
    char text[8400];
    snprintf(text, sizeof text,
             "; run settings\n"
             "[run]\n"
             "seed = 11\n"
             "steps = 4\n"
             "threads = 1\n"
             "out = %s/from-ini\n"
             "\n"
             "[params]\n"
             "n = 64\n"
             "drift = 0.5\n"
             "label = ini label\n",
             dir);
    ck_assert_int_eq(run_with_ini(text, "--set n=32 --threads 2"), 0);
    char *m = read_text(path_in(dir, "from-ini/manifest.json"));
    ck_assert_ptr_nonnull(m);
    ck_assert(contains(m, "\"status\": \"ok\""));
    ck_assert(contains(m, "\"seed\": 11,"));
    ck_assert(contains(m, "\"steps\": 4,"));
    ck_assert(contains(m, "\"threads\": 2,"));                              /* cli beats ini */
    ck_assert(contains(m, "\"n\": {\"value\": 32, \"source\": \"cli\"}"));  /* cli beats ini */
    ck_assert(contains(m, "\"drift\": {\"value\": 0.5, \"source\": \"ini\"}"));
    ck_assert(contains(m, "\"label\": {\"value\": \"ini label\", \"source\": \"ini\"}"));
    ck_assert(contains(m, "\"stop_at\": {\"value\": 0, \"source\": \"default\"}"));
    free(m);

    /* --out and --seed beat the INI */
    char extra[4300];
    snprintf(extra, sizeof extra, "--out %s/from-cli --seed 12 --steps 3", dir);
    ck_assert_int_eq(run_with_ini(text, extra), 0);
    m = read_text(path_in(dir, "from-cli/manifest.json"));
    ck_assert_ptr_nonnull(m);
    ck_assert(contains(m, "\"seed\": 12,") && contains(m, "\"steps\": 3,"));
    ck_assert(contains(m, "\"threads\": 1,"));
    ck_assert(contains(m, "\"n\": {\"value\": 64, \"source\": \"ini\"}"));
    free(m);
}
END_TEST

START_TEST(ini_errors)
{
    expect_ini_error("[run]\nseed = 3\nthis line is garbage\n", "run.ini:3: syntax error");
    expect_ini_error("[run]\n\nthreads = 0\n", "run.ini:3: threads: expected an integer in 1..1024");
    expect_ini_error("[run]\nsteps = -5\n", "run.ini:2: steps: expected an integer >= 0");
    expect_ini_error("[run]\nseed = 0.5\n", "run.ini:2: seed");
    expect_ini_error("[run]\ncolour = red\n", "run.ini:2: unknown key 'colour' in [run]");
    expect_ini_error("[run]\nquiet = perhaps\n", "run.ini:2: quiet");
    expect_ini_error("[fun]\nx = 1\n", "run.ini:2: unknown section [fun]");
    expect_ini_error("n = 3\n", "run.ini:1: key 'n' outside a section");
    expect_ini_error("[params]\nn = 3\nn = 4\n", "run.ini:3: duplicate parameter 'n'");
    expect_ini_error("[run]\nthreads = 1\nthreads = 2\n", "run.ini:3: duplicate key 'threads'");
    /* parameter values are checked by the scenario's declaration and name the INI line */
    expect_ini_error("[params]\n\nn = lots\n", "parameter 'n' = 'lots' (from ");
    expect_ini_error("[params]\n\nn = lots\n", "run.ini:3): not a number");
    expect_ini_error("[params]\ndrift = nan\n", "run.ini:2): not a finite number");
    expect_ini_error("[params]\nn = 10\nwidth = 3\n",
                     "run.ini:3: unknown parameter 'width' (scenario declares:");
    char long_line[400];
    memset(long_line, 'x', sizeof long_line);
    memcpy(long_line, "[run]\nout = ", 12);
    long_line[sizeof long_line - 2] = '\n';
    long_line[sizeof long_line - 1] = '\0';
    expect_ini_error(long_line, "run.ini:2: line longer than");

    int rc = run_swarmlab(dir, "run %s --config %s/missing.ini", scn, dir);
    ck_assert_int_eq(rc, 2);
    char line[2048];
    error_line(dir, line, sizeof line);
    ck_assert_msg(contains(line, "missing.ini: cannot open"), "%s", line);
}
END_TEST

static Suite *ini_suite(void)
{
    Suite *s = suite_create("ini");
    TCase *t = tcase_create("ini");
    tcase_add_checked_fixture(t, setup_dir, teardown_dir);
    tcase_set_timeout(t, 120);
    tcase_add_test(t, ini_precedence);
    tcase_add_test(t, ini_errors);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    SRunner *r = srunner_create(ini_suite());
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
