/* test_sweep.c - grid specs, CSV records, the runs.csv journal and replicate statistics. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The sweep modules are part of the swarmlab executable; compile them in here. */
#include "../engine/cli/sweep_grid.c"
#include "../engine/cli/sweep_csv.c"
#include "../engine/cli/sweep_journal.c"
#include "../engine/cli/sweep_stats.c"
#include "../engine/cli/sweep_eta.c"

static sl_status add(sl_sweep_grid *g, const char *spec, sl_error *e)
{
    sl_error_clear(e);
    return sl_sweep_grid_add(g, spec, "--grid", e);
}

START_TEST(grid_list_and_range)
{
    sl_sweep_grid g;
    sl_error e;
    sl_sweep_grid_init(&g);
    ck_assert_int_eq(add(&g, "n=10, 20,30", &e), SL_OK);
    ck_assert_int_eq(add(&g, "rho=0:0.3:0.1", &e), SL_OK);
    ck_assert_int_eq(add(&g, "k=5:1:-2", &e), SL_OK);
    ck_assert_int_eq(g.naxes, 3);
    ck_assert_int_eq(g.axes[0].nvalues, 3);
    ck_assert_str_eq(g.axes[0].values[1], "20");
    ck_assert_int_eq(g.axes[1].nvalues, 4);
    ck_assert_str_eq(g.axes[1].values[0], "0");
    ck_assert_str_eq(g.axes[1].values[3], "0.3");
    ck_assert_int_eq(g.axes[2].nvalues, 3);
    ck_assert_str_eq(g.axes[2].values[2], "1");
    ck_assert_uint_eq(sl_sweep_grid_points(&g), 36);
    /* last axis fastest */
    ck_assert_str_eq(sl_sweep_grid_value(&g, 0, 0), "10");
    ck_assert_str_eq(sl_sweep_grid_value(&g, 1, 2), "3");
    ck_assert_str_eq(sl_sweep_grid_value(&g, 3, 1), "0.1");
    ck_assert_str_eq(sl_sweep_grid_value(&g, 35, 0), "30");
    ck_assert_str_eq(sl_sweep_grid_value(&g, 35, 1), "0.3");
    ck_assert_str_eq(sl_sweep_grid_value(&g, 35, 2), "1");
    ck_assert_str_eq(sl_sweep_grid_value(&g, 12, 0), "20");
    /* a single-value range and a string list */
    ck_assert_int_eq(add(&g, "x=2:2:1", &e), SL_OK);
    ck_assert_int_eq(add(&g, "mode=acs,mmas", &e), SL_OK);
    ck_assert_int_eq(g.axes[3].nvalues, 1);
    ck_assert_str_eq(g.axes[4].values[1], "mmas");
    sl_sweep_grid_release(&g);
    sl_sweep_grid empty;
    sl_sweep_grid_init(&empty);
    ck_assert_uint_eq(sl_sweep_grid_points(&empty), 1);
}
END_TEST

START_TEST(grid_bad_specs)
{
    static const char *bad[] = {"a=1:0:0.1", "a=0:1:0", "a=", "a=1,,2", "a=1,2,", "=1,2",
                                "1a=1", "a", "a=1:2", "a=x:2:1", "a=0:1:nan", "a=0:inf:1",
                                "a=1,1", "a=0:1e9:1e-3", "a=1:2:3:4"};
    static const char *expect[] = {"empty range", "step must not be 0", "empty list",
                                   "empty value", "empty value", "not a parameter name",
                                   "not a parameter name", "expected name=", "start:stop:step",
                                   "not a finite number", "not a finite number",
                                   "not a finite number", "listed twice", "more than",
                                   "start:stop:step"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sl_sweep_grid g;
        sl_error e;
        sl_sweep_grid_init(&g);
        ck_assert_msg(add(&g, bad[i], &e) != SL_OK, "accepted %s", bad[i]);
        ck_assert_msg(strstr(e.msg, expect[i]) != NULL, "%s -> '%s'", bad[i], e.msg);
        ck_assert_msg(strncmp(e.msg, "--grid: ", 8) == 0, "%s", e.msg);
        ck_assert_int_eq(g.naxes, 0);
        sl_sweep_grid_release(&g);
    }
    sl_sweep_grid g;
    sl_error e;
    sl_sweep_grid_init(&g);
    ck_assert_int_eq(add(&g, "a=1,2", &e), SL_OK);
    ck_assert_int_ne(add(&g, "a=3", &e), SL_OK);
    ck_assert_ptr_nonnull(strstr(e.msg, "swept twice"));
    sl_sweep_grid_release(&g);
}
END_TEST

START_TEST(csv_roundtrip)
{
    const char *f[] = {"plain", "with,comma", "with \"quote\"", "", "line\nbreak"};
    char *line = sl_csv_format(f, 5);
    ck_assert_str_eq(line, "plain,\"with,comma\",\"with \"\"quote\"\"\",,line break\n");
    sl_csv_row r;
    ck_assert_int_eq(sl_csv_split(line, strlen(line) - 1, &r), SL_OK);
    ck_assert_int_eq(r.n, 5);
    ck_assert_str_eq(r.f[1], "with,comma");
    ck_assert_str_eq(r.f[2], "with \"quote\"");
    ck_assert_str_eq(r.f[3], "");
    ck_assert_str_eq(r.f[4], "line break");
    sl_csv_row_release(&r);
    free(line);
    sl_csv_row r2 = {0};
    ck_assert_int_eq(sl_csv_split("a,\"b", 4, &r2), SL_ERR_PARSE);
    ck_assert_int_eq(r2.n, 0);
    ck_assert_int_eq(sl_csv_split("a,\"b", 4, &r), SL_ERR_PARSE);
    ck_assert_int_eq(sl_csv_split("a,\"b\"c", 6, &r), SL_ERR_PARSE);
}
END_TEST

static char *tmpdir(void)
{
    static char buf[64];
    strcpy(buf, "/tmp/sl_test_sweep_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(buf));
    return buf;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

START_TEST(journal_recovery)
{
    char path[256];
    snprintf(path, sizeof path, "%s/runs.csv", tmpdir());
    const char *head[] = {"run", "n", "status"};
    sl_csv_row *rows;
    size_t n, dropped;
    sl_error e;
    /* absent: nothing */
    ck_assert_int_eq(sl_journal_load(path, head, 3, &rows, &n, &dropped, &e), SL_OK);
    ck_assert_uint_eq(n, 0);
    sl_journal j;
    ck_assert_int_eq(sl_journal_open(&j, path, head, 3, NULL, 0, NULL, &e), SL_OK);
    const char *r0[] = {"0", "10", "ok"}, *r1[] = {"1", "20", "error"};
    ck_assert_int_eq(sl_journal_append(&j, r0, &e), SL_OK);
    ck_assert_int_eq(sl_journal_append(&j, r1, &e), SL_OK);
    sl_journal_close(&j);
    /* simulate a torn write and a garbage line */
    FILE *f = fopen(path, "ab");
    fputs("x,\"y\n2,30,o", f);
    fclose(f);
    ck_assert_int_eq(sl_journal_load(path, head, 3, &rows, &n, &dropped, &e), SL_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(dropped, 2);
    ck_assert_str_eq(rows[1].f[2], "error");
    /* keep only the first row, then append */
    unsigned char keep[2] = {1, 0};
    ck_assert_int_eq(sl_journal_open(&j, path, head, 3, rows, n, keep, &e), SL_OK);
    sl_journal_rows_release(rows, n);
    const char *r2[] = {"2", "30", "ok"};
    ck_assert_int_eq(sl_journal_append(&j, r2, &e), SL_OK);
    sl_journal_close(&j);
    size_t len;
    char *text = sl_read_file(path, &len);
    ck_assert_str_eq(text, "run,n,status\n0,10,ok\n2,30,ok\n");
    free(text);
    /* a header from another sweep is refused */
    const char *other[] = {"run", "m", "status"};
    ck_assert_int_eq(sl_journal_load(path, other, 3, &rows, &n, &dropped, &e), SL_ERR_PARSE);
    ck_assert_ptr_nonnull(strstr(e.msg, "column 2 is 'n'"));
    const char *shorter[] = {"run", "n"};
    ck_assert_int_eq(sl_journal_load(path, shorter, 2, &rows, &n, &dropped, &e), SL_ERR_PARSE);
    unlink(path);
}
END_TEST

START_TEST(json_and_last_row)
{
    char path[256], mpath[256];
    const char *dir = tmpdir();
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    snprintf(mpath, sizeof mpath, "%s/metrics.csv", dir);
    write_text(path, "{\n \"status\": \"ok\", \"steps\": 100, \"wall_seconds\": 1.5e-3,\n"
                     " \"parameters\": {\"n\": \"200\", \"nested\": {\"x\": true}},\n"
                     " \"list\": [1, {\"a\": 2}, \"s\"], \"msg\": \"a\\\"b\\u00e9\\n\"}\n");
    sl_kvlist kv = {0};
    sl_error e;
    ck_assert_int_eq(sl_json_read_flat(path, &kv, &e), SL_OK);
    ck_assert_str_eq(sl_kvlist_get(&kv, "status"), "ok");
    ck_assert_str_eq(sl_kvlist_get(&kv, "steps"), "100");
    ck_assert_str_eq(sl_kvlist_get(&kv, "wall_seconds"), "1.5e-3");
    ck_assert_str_eq(sl_kvlist_get(&kv, "parameters.n"), "200");
    ck_assert_str_eq(sl_kvlist_get(&kv, "parameters.nested.x"), "true");
    ck_assert_str_eq(sl_kvlist_get(&kv, "msg"), "a\"b\xc3\xa9\n");
    ck_assert_ptr_null(sl_kvlist_get(&kv, "a"));
    sl_kvlist_release(&kv);
    write_text(path, "{\"status\": \"ok\",\n \"steps\": }");
    ck_assert_int_eq(sl_json_read_flat(path, &kv, &e), SL_ERR_PARSE);
    ck_assert_ptr_nonnull(strstr(e.msg, "manifest.json:2: malformed JSON"));
    sl_kvlist_release(&kv);
    write_text(path, "{\"status\": \"ok\"");
    ck_assert_int_eq(sl_json_read_flat(path, &kv, &e), SL_ERR_PARSE);
    sl_kvlist_release(&kv);

    write_text(mpath, "step,a,b\n0,1,2\n1,3,4\n\n");
    ck_assert_int_eq(sl_csv_read_last_row(mpath, &kv, &e), SL_OK);
    ck_assert_str_eq(sl_kvlist_get(&kv, "step"), "1");
    ck_assert_str_eq(sl_kvlist_get(&kv, "b"), "4");
    sl_kvlist_release(&kv);
    write_text(mpath, "step,a,b\n");
    ck_assert_int_eq(sl_csv_read_last_row(mpath, &kv, &e), SL_OK);
    ck_assert_int_eq(kv.n, 0);
    write_text(mpath, "step,a,b\n0,1\n");
    ck_assert_int_eq(sl_csv_read_last_row(mpath, &kv, &e), SL_ERR_PARSE);
    ck_assert_ptr_nonnull(strstr(e.msg, "metrics.csv:2:"));
    sl_kvlist_release(&kv);
    unlink(path);
    unlink(mpath);
    rmdir(dir);
}
END_TEST

START_TEST(stats_ci)
{
    double m, sd, h;
    const double x[] = {1.0, 2.0, 3.0, 4.0};
    sl_mean_ci95(x, 4, &m, &sd, &h);
    ck_assert_double_eq_tol(m, 2.5, 1e-12);
    ck_assert_double_eq_tol(sd, sqrt(5.0 / 3.0), 1e-12);
    ck_assert_double_eq_tol(h, 3.182 * sqrt(5.0 / 3.0) / 2.0, 1e-9);
    sl_mean_ci95(x, 1, &m, &sd, &h);
    ck_assert_double_eq(m, 1.0);
    ck_assert(isnan(h));
    sl_mean_ci95(x, 0, &m, &sd, &h);
    ck_assert(isnan(m));
    /* the large-df expansion joins the table and tends to the normal quantile */
    ck_assert_double_eq_tol(sl_t975(31), 2.040, 2e-3);
    ck_assert_double_eq_tol(sl_t975(120), 1.980, 1e-3);
    ck_assert_double_eq_tol(sl_t975(100000), 1.95996, 1e-4);
}
END_TEST

/* The ETA counts runs under way: a run that has been going for a long time shows in it. */
START_TEST(eta_counts_running_runs)
{
    sl_sweep s;
    memset(&s, 0, sizeof s);
    s.nruns = 10;
    s.jobs = 2;
    sl_sweep_state st;
    memset(&st, 0, sizeof st);
    st.s = &s;
    ck_assert(sl_sweep_eta(&st, 100.0) < 0); /* nothing finished: unknown */
    st.done = 4;
    st.wall_n = 4;
    st.wall_sum = 4.0; /* 1 s per run */
    ck_assert(fabs(sl_sweep_eta(&st, 100.0) - 3.0) < 1e-9); /* 6 runs of 1 s on 2 jobs */
    sl_run_child kids[2] = {{.pid = 11, .run = 4, .t0 = 70.0}, {.pid = 0}};
    st.kids = kids;
    st.nkids = 2;
    /* one run under way for 30 s: it needs at least as long again */
    double eta = sl_sweep_eta(&st, 100.0);
    ck_assert_msg(eta >= 30.0 - 1e-9, "eta %g", eta);
    /* ... but never more than the run time limit leaves it (40 s limit + grace) */
    s.run_timeout = 40.0;
    eta = sl_sweep_eta(&st, 100.0);
    ck_assert_msg(fabs(eta - (10.0 + SL_SWEEP_KILL_GRACE)) < 1e-9, "eta %g", eta);
    /* a young run counts the rest of a mean run */
    s.run_timeout = 0;
    kids[0].t0 = 99.8;
    eta = sl_sweep_eta(&st, 100.0);
    ck_assert_msg(fabs(eta - (0.8 + 5.0) / 2.0) < 1e-9, "eta %g", eta);
    st.done = 10;
    ck_assert(sl_sweep_eta(&st, 100.0) == 0.0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sweep");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, grid_list_and_range);
    tcase_add_test(tc, grid_bad_specs);
    tcase_add_test(tc, csv_roundtrip);
    tcase_add_test(tc, journal_recovery);
    tcase_add_test(tc, json_and_last_row);
    tcase_add_test(tc, stats_ci);
    tcase_add_test(tc, eta_counts_running_runs);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
