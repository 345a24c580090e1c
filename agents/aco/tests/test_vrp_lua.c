/* test_vrp_lua.c - swarmlab.vrp from scenarios: an in-memory model with a known optimum, warm
 * starts, the vrp.lua scenario on a hand-written file, and bad input (one line naming the Lua
 * field, non-zero exit, no result files). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../../tests/run_util.h"

static const char *exe(void)
{
    const char *e = getenv("SWARMLAB_EXE");
    return e ? e : "build/swarmlab";
}

static int run(const char *dir, char *err, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int run(const char *dir, char *err, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = run_shell_v(dir, err, n, fmt, ap);
    va_end(ap);
    return rc;
}

/* Jobs on a line either side of the depot, two vehicles of capacity 2: the optimum is one route
 * each way, 40 + 40. With a matrix (distances halved) the same routes cost 40. */
static const char *LINE =
    "local sl = swarmlab\nsl.steps(0)\n"
    "function setup(world)\n"
    "  local m = sl.vrp{sites = {{0, 0}, {10, 0}, {20, 0}, {-10, 0}, {-20, 0}},\n"
    "    jobs = {{site = 2, demand = 1}, {site = 3, demand = 1}, {site = 4, demand = 1},\n"
    "            {site = 5, demand = 1, window = {0, 1000}, service = 1}},\n"
    "    vehicles = {{count = 2, capacity = 2}}}\n"
    "  assert(m:info().fleet_bound == 2)\n"
    "  local r = m:solve{iterations = 10, seed = 3}\n"
    "  assert(r.feasible and r.vehicles == 2 and math.abs(r.distance - 80) < 1e-9, r.distance)\n"
    "  assert(#r.unserved == 0 and #r.routes == 2)\n"
    "  local a = r.routes[1].jobs\n"
    "  assert(#a == 2 and math.abs(a[1] - a[2]) == 1)\n"
    "  m:write('best.sol')\n"
    "  local check = m:check('best.sol')\n"
    "  assert(check.violations == 0 and check.text == '', check.text)\n"
    "  local w = m:solve{iterations = 1, warm = r, kicks = 0, chains = 2, threads = 2}\n"
    "  assert(math.abs(w.distance - 80) < 1e-9)\n"
    "  local half = {}\n"
    "  local xs = {0, 10, 20, -10, -20}\n"
    "  for i = 1, 5 do half[i] = {} for j = 1, 5 do half[i][j] = math.abs(xs[i] - xs[j]) / 2 end end\n"
    "  local mm = sl.vrp{matrix = half, jobs = {{site = 2}, {site = 3}, {site = 4}, {site = 5}},\n"
    "    vehicles = {{count = 1, start = 1, ['end'] = false}}}\n"
    "  assert(mm:info().fleet_bound == 0)\n"
    "  local rr = mm:solve{iterations = 5}\n"
    "  -- one open route: to one side, then across to the other: (20 + 40) / 2\n"
    "  assert(math.abs(rr.distance - 30) < 1e-9, rr.distance)\n"
    "  sl.result('distance', r.distance)\n"
    "end\n";

START_TEST(memory_model_known_optimum)
{
    char *d = tmp_dir(), err[2000];
    const char *scen = write_text(d, "line.lua", LINE);
    int rc = run(d, err, sizeof err, "%s run %s --out %s/out", exe(), scen, d);
    ck_assert_msg(rc == 0, "%s", err);
    char p[4300];
    snprintf(p, sizeof p, "%s/out/best.sol", d);
    char *sol = read_text(p);
    ck_assert_ptr_nonnull(sol);
    ck_assert_ptr_nonnull(strstr(sol, "Distance 80.000000"));
    free(sol);
    rm_tree(d);
    free(d);
}
END_TEST

static const char *SOLOMON =
    "TINY\n\nVEHICLE\nNUMBER     CAPACITY\n  3         10\n\nCUSTOMER\n"
    "CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME\n\n"
    "    0      0          0          0          0       200          0\n"
    "    1      3          4          4          0        50          2\n"
    "    2      6          8          5         20        60          1\n"
    "    3      0         10          6          0        80          0\n"
    "    4     -5          0          3          0       100          5\n";

START_TEST(scenario_on_a_file)
{
    char *d = tmp_dir(), err[2000];
    const char *inst = write_text(d, "tiny.txt", SOLOMON);
    int rc = run(d, err, sizeof err, "%s run scenarios/vrp.lua --set instance=%s --set iterations=5 "
                 "--out %s/out", exe(), inst, d);
    ck_assert_msg(rc == 0, "%s", err);
    char p[4300];
    snprintf(p, sizeof p, "%s/out/manifest.json", d);
    char *m = read_text(p);
    ck_assert_ptr_nonnull(m);
    ck_assert_ptr_nonnull(strstr(m, "\"vehicles\""));
    ck_assert_ptr_nonnull(strstr(m, "\"unserved\": 0"));
    free(m);
    snprintf(p, sizeof p, "%s/out/convergence.csv", d);
    char *c = read_text(p);
    ck_assert_ptr_nonnull(c);
    ck_assert_ptr_nonnull(strstr(c, "iteration,seconds,cost,vehicles,distance,unserved\n"));
    free(c);
    /* the checker tool agrees */
    const char *bin = getenv("SWARMLAB_BINARY_DIR");
    rc = run(d, err, sizeof err, "%s/vrp_check %s %s/out/best.sol", bin ? bin : "build", inst, d);
    ck_assert_int_eq(rc, 0);
    rm_tree(d);
    free(d);
}
END_TEST

/* Each case: the Lua model and the text its one error line must contain. */
START_TEST(bad_input_one_line)
{
    static const struct {
        const char *model, *want;
    } cases[] = {
        {"sites = {{0,0},{1,1}}, jobs = {{site = 2, window = {50, 40}}}, vehicles = {{}}",
         "swarmlab.vrp{...}.jobs[1]: time window 1 closes (40) before it opens (50)"},
        {"sites = {{0,0},{1,1}}, jobs = {{site = 2, demand = 11}}, vehicles = {{capacity = 10}}",
         "swarmlab.vrp{...}.jobs[1]: demand above the capacity of every vehicle"},
        {"sites = {{0,0},{1,1}}, jobs = {{site = 2}, {site = 2, pickup = 7}}, vehicles = {{}}",
         "swarmlab.vrp{...}.jobs[2]: option 'pickup' must be an integer in [1, 2] (got 7)"},
        {"sites = {{0,0},{1,1}}, jobs = {{site = 2, service = -1}}, vehicles = {{}}",
         "swarmlab.vrp{...}.jobs[1]: option 'service' must be in [0, 1000000000000] (got -1)"},
        {"sites = {{0,0},{1,1}}, jobs = {{site = 2}}, vehicles = {{start = 9}}",
         "swarmlab.vrp{...}.vehicles[1]: option 'start' must be an integer in [1, 2] (got 9)"},
        {"sites = {{0,0},{1,1},{2,2}}, matrix = {{0,1},{1,0}}, jobs = {{site = 2}}, vehicles = {{}}",
         "swarmlab.vrp{...}: option 'matrix' is 2x2 but there are 3 sites"},
        {"sites = {{0,0},{1,1}}, jobs = {{site = 2}}, vehicles = {}",
         "swarmlab.vrp{...}: option 'vehicles' is empty (empty fleet)"},
        {"sites = {{0,0},{1,1}}, jobs = {{site = 2}}, vehicles = {{count = 0}}",
         "swarmlab.vrp{...}: empty fleet"},
        {"sites = {{0,0},{1,1}}, jobs = {{site = 2}}, vehicles = {{capacty = 3}}",
         "unknown option 'capacty' in swarmlab.vrp{...}.vehicles[1]; did you mean 'capacity'?"},
        {"sites = {{0,0},{1,1}}, jobs = {{site = 3}}, vehicles = {{}}",
         "swarmlab.vrp{...}.jobs[1]: option 'site' must be an integer in [1, 2] (got 3)"},
        {"sites = {{0,0},{1,1}}, jobs = {{demand = 1}}, vehicles = {{}}",
         "missing option 'site' in swarmlab.vrp{...}.jobs[1]"},
        {"sites = {{0,0},{1,1}}, jobs = {{site = 2, window = {0, 10, 20}}}, vehicles = {{}}",
         "swarmlab.vrp{...}.jobs[1]: option 'window' must be a list of 2 numbers (got 3)"},
        {"sites = {{0,0},{1,1}}, jobs = {{site = 2, windows = {{0, 10}, {20, 'x'}}}}, vehicles = {{}}",
         "swarmlab.vrp{...}.jobs[1]: option 'windows' [2][2] must be a finite number (got 'x')"},
        {"sites = {{0,0},{1,1}}, jobs = {{site = 2, kind = 'pikup'}}, vehicles = {{}}",
         "swarmlab.vrp{...}.jobs[1]: option 'kind' must be one of 'delivery', 'pickup' (got 'pikup'; did you mean 'pickup'?)"},
        {"sites = {{0,0},{1,1}}, jobs = {{site = 2, pickup = 1}}, vehicles = {{}}",
         "swarmlab.vrp{...}.jobs[1]: option 'pickup' must name another job (got 1, itself)"},
        {"sites = {{0,0},{1,1}}, jobs = {{site = 2, demand = {1, 2}}}, vehicles = {{}}",
         "swarmlab.vrp{...}.jobs[1]: option 'demand' must be a list of 1 numbers (got 2)"},
        {"sites = {{0,0},{1}}, jobs = {{site = 2}}, vehicles = {{}}",
         "swarmlab.vrp{...}: option 'sites' [2] must be a list of 2 numbers (got 1)"},
        {"sites = {{0,0},{x = 1}}, jobs = {{site = 2}}, vehicles = {{}}",
         "missing option 'y' in swarmlab.vrp{...}.sites[2]"},
        {"matrix = {{0,1},{1}}, jobs = {{site = 2}}, vehicles = {{}}",
         "swarmlab.vrp{...}: option 'matrix' [2] must be a list of 2 numbers (got 1)"},
        {"matrix = {distance = {{0,1},{1,0}}, time = {{0,-1},{1,0}}}, jobs = {{site = 2}}, vehicles = {{}}",
         "swarmlab.vrp{...}.matrix: option 'time' [1][2] must be in [0, 1000000000000] (got -1)"},
        {"sites = {{0,0},{1,1}}, jobs = {{site = 2}}, vehicles = {{['end'] = true}}",
         "swarmlab.vrp{...}.vehicles[1]: option 'end' must be a site (1..2) or false for an open route (got true)"},
        {"sites = {{0,0},{1,1}}, jobs = {{site = 2}}, vehicles = {{speed = 0}}",
         "swarmlab.vrp{...}.vehicles[1]: option 'speed' must be in [1e-09, 1000000000000] (got 0)"},
        {"sites = {{0,0},{1,1}}, jobs = {{site = 2}}, vehicles = {{}}, objective = 'hierarchcal'",
         "swarmlab.vrp{...}: option 'objective' must be one of 'weighted', 'hierarchical' (got 'hierarchcal'; did you mean 'hierarchical'?)"},
        {"sites = {{0,0},{1,1}}, jobs = {{site = 2}}",
         "missing option 'vehicles' in swarmlab.vrp{...}"},
    };
    char *d = tmp_dir();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[1200], err[2000], line[1200];
        snprintf(text, sizeof text,
                 "local sl = swarmlab\nsl.steps(0)\nfunction setup(world)\n"
                 "  local m = sl.vrp{%s}\n  m:solve{iterations = 1}\n  m:write('best.sol')\nend\n",
                 cases[i].model);
        const char *scen = write_text(d, "bad.lua", text);
        int rc = run(d, err, sizeof err, "%s run %s --out %s/out%zu", exe(), scen, d, i);
        ck_assert_msg(rc != 0, "case %zu accepted", i);
        error_line(d, line, sizeof line);
        ck_assert_msg(strstr(line, cases[i].want) != NULL, "case %zu: '%s'", i, err);
        ck_assert_msg(strstr(line, "bad.lua:4:") != NULL, "case %zu: no file and line: '%s'", i, line);
        char p[4300];
        snprintf(p, sizeof p, "%s/out%zu/best.sol", d, i);
        ck_assert(!file_exists(p));
    }
    rm_tree(d);
    free(d);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("vrp_lua");
    TCase *tc = tcase_create("lua");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, memory_model_known_optimum);
    tcase_add_test(tc, scenario_on_a_file);
    tcase_add_test(tc, bad_input_one_line);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
