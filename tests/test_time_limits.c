/* test_time_limits.c - wall-clock limits of a scenario (--time-limit, --call-time-limit) and the
 * instruction budget of --unsafe finalizers, through the swarmlab command:
 *   - Lua code under pcall stops at the limit (the error cannot be caught);
 *   - a solver asked for 2^31 iterations from Lua (ACO, PSO with a built-in objective, the VRP
 *     colony) stops at its next iteration, also under pcall;
 *   - a pattern match that backtracks (C code that checks nothing) ends the process after the
 *     grace period with a "timeout" manifest and one line on stderr, never an "ok" manifest;
 *   - a world step spent in C (an attached PSO swarm, no Lua step) is stopped between steps;
 *   - an --unsafe __gc finalizer that loops is stopped by the budget, during the run and when
 *     the state closes at its end.
 * Runs $SWARMLAB_EXE as a subprocess. */
#include <check.h>
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

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* A scenario whose `route` parameter picks what step 2 does; step 1 records a row. */
static const char *k_routes =
    "local sl = swarmlab\n"
    "local route = sl.param('route', 'none', '')\n"
    "sl.steps(4)\n"
    "local tsp\n"
    "function setup(world)\n"
    "  world:record{name = 'v', reduce = 'value'}\n"
    "  local f = assert(io.open(sl.output('tiny.tsp'), 'w'))\n"
    "  f:write(table.concat({'NAME: tiny', 'TYPE: TSP', 'DIMENSION: 7', 'EDGE_WEIGHT_TYPE: EUC_2D',\n"
    "    'NODE_COORD_SECTION', '1 0 0', '2 10 0', '3 20 5', '4 15 15', '5 5 20', '6 -5 10',\n"
    "    '7 3 7', 'EOF', ''}, '\\n'))\n"
    "  f:close()\n"
    "  tsp = sl.output('tiny.tsp')\n"
    "end\n"
    "local huge = 2^31\n"
    "function step(world, t)\n"
    "  sl.record('v', t)\n"
    "  if t < 2 then return end\n"
    "  if route == 'pattern' then\n"
    "    pcall(string.find, string.rep('a', 1e5), '.-.-.-.-b')\n"
    "  elseif route == 'loop' then\n"
    "    while true do pcall(function() for i = 1, 1e15 do end end) end\n"
    "  elseif route == 'aco' then\n"
    "    local s = sl.aco_solver{instance = tsp, ants = 5, iterations = huge}\n"
    "    while true do print(pcall(s.run, s)) end\n"
    "  elseif route == 'aco_step' then\n"
    "    local s = sl.aco_solver{instance = tsp, ants = 5, iterations = huge}\n"
    "    while true do pcall(s.step, s, huge) end\n"
    "  elseif route == 'pso' then\n"
    "    while true do\n"
    "      pcall(sl.pso, {objective = 'sphere', dim = 2, lower = -1, upper = 1, fes = 2^52})\n"
    "    end\n"
    "  elseif route == 'vrp' then\n"
    "    local D = {{0, 4, 5, 6}, {4, 0, 3, 4}, {5, 3, 0, 2}, {6, 4, 2, 0}}\n"
    "    local m = sl.vrp{matrix = {distance = D}, vehicles = {{capacity = 10}},\n"
    "                     jobs = {{site = 2, demand = 1}, {site = 3, demand = 1}, {site = 4, demand = 1}}}\n"
    "    while true do pcall(m.solve, m, {iterations = huge, time = 0}) end\n"
    "  end\n"
    "end\n";

/* Runs the route with the given limit options; returns the exit status and the seconds taken. */
static int run_route(const char *route, const char *limits, double *secs)
{
    const char *scn = write_text(dir, "routes.lua", k_routes);
    char scnc[4200];
    snprintf(scnc, sizeof scnc, "%s", scn);
    double t0 = now();
    int rc = run_swarmlab(dir, "run %s --out %s/o --quiet --threads 1 --set route=%s %s", scnc,
                          dir, route, limits);
    *secs = now() - t0;
    return rc;
}

/* The run's manifest: a timeout, with the message, never "ok"; the metrics stay .part. */
static void check_timeout_manifest(const char *msg)
{
    char *m = read_text(path_in(dir, "o/manifest.json"));
    ck_assert_msg(contains(m, "\"status\": \"timeout\""), "%s", m ? m : "(no manifest)");
    ck_assert_msg(contains(m, msg), "%s", m);
    ck_assert_msg(contains(m, "\"route\": {\"value\":"), "%s", m);
    free(m);
    ck_assert(!file_exists(path_in(dir, "o/metrics.csv")));
    ck_assert(file_exists(path_in(dir, "o/metrics.csv.part")));
}

/* Lua code (the route's own loop, under pcall) ends at the limit without the grace period. */
static void check_stopped_in_lua(const char *route, const char *limits, const char *msg)
{
    double secs;
    ck_assert_int_eq(run_route(route, limits, &secs), 2);
    char line[2048];
    error_line(dir, line, sizeof line);
    ck_assert_msg(contains(line, msg), "%s: %s", route, line);
    ck_assert_msg(!contains(line, "cannot be interrupted"), "%s: %s", route, line);
    check_timeout_manifest(msg);
    printf("%s stopped after %.1f s\n", route, secs);
}

START_TEST(lua_loop_under_pcall_stops_at_the_call_limit)
{
    check_stopped_in_lua("loop", "--call-time-limit 1",
                         "routes.lua:21: call time limit of 1 s exceeded (--call-time-limit)");
}
END_TEST

START_TEST(lua_loop_under_pcall_stops_at_the_run_limit)
{
    check_stopped_in_lua("loop", "--time-limit 1.5", "time limit of 1.5 s exceeded (--time-limit)");
}
END_TEST

START_TEST(solvers_with_huge_iteration_counts_stop)
{
    /* each solver loop checks the deadline before every iteration: the pcall around it gets
     * the error, and the next instruction raises it again */
    static const char *const routes[] = {"aco", "aco_step", "pso", "vrp"};
    for (int i = 0; i < 4; i++) {
        check_stopped_in_lua(routes[i], "--call-time-limit 1",
                             "call time limit of 1 s exceeded (--call-time-limit)");
        char *out = read_text(path_in(dir, "stdout.txt"));
        ck_assert_msg(!contains(out, "true"), "%s: %s", routes[i], out); /* no run finished */
        free(out);
    }
}
END_TEST

START_TEST(pattern_backtracking_ends_the_process_after_the_grace)
{
    double secs;
    ck_assert_int_eq(run_route("pattern", "--time-limit 1", &secs), 2);
    /* 1 s of limit, 5 s of grace: far less than the match would take (hours) */
    ck_assert_msg(secs >= 5.5 && secs < 60, "%.1f s", secs);
    char line[2048];
    error_line(dir, line, sizeof line);
    ck_assert_msg(contains(line, "time limit of 1 s exceeded (--time-limit); the scenario is stuck "
                                 "in a call that cannot be interrupted"), "%s", line);
    ck_assert_int_eq(stderr_lines(dir), 1);
    check_timeout_manifest("cannot be interrupted");
    char *m = read_text(path_in(dir, "o/manifest.json"));
    /* the steps done so far (step 1) and the wall time, filled in when the process ended */
    ck_assert_msg(contains(m, "\"steps\": 1 "), "%s", m);
    ck_assert_msg(contains(m, "\"steps_planned\": 4"), "%s", m);
    ck_assert_msg(contains(m, "\"wall_seconds\": 6.") || contains(m, "\"wall_seconds\": 7."),
                  "%s", m);
    free(m);
    /* the manifest is valid JSON (the padding is whitespace) */
    char cmd[9000];
    snprintf(cmd, sizeof cmd, "python3 -c 'import json,sys; d = json.load(open(sys.argv[1])); "
             "assert d[\"status\"] == \"timeout\" and d[\"steps\"] == 1' %s/o/manifest.json", dir);
    int st = system(cmd);
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "manifest.json is not valid JSON");
}
END_TEST

START_TEST(c_world_steps_stop_at_the_limit)
{
    /* no Lua step function: the attached swarm's iterations are the whole step */
    const char *scn = write_text(dir, "attached.lua",
        "local sl = swarmlab\n"
        "sl.steps(1000000000)\n"
        "function setup(world)\n"
        "  local s = sl.pso_solver{objective = 'sphere', dim = 2, lower = -1, upper = 1,\n"
        "                          fes = 2^52}\n"
        "  s:attach(world, 'swarm')\n"
        "  keep = s\n"
        "end\n");
    char scnc[4200];
    snprintf(scnc, sizeof scnc, "%s", scn);
    double t0 = now();
    ck_assert_int_eq(run_swarmlab(dir, "run %s --out %s/o --quiet --time-limit 1", scnc, dir), 2);
    double secs = now() - t0;
    char line[2048];
    error_line(dir, line, sizeof line);
    ck_assert_msg(contains(line, "time limit of 1 s exceeded (--time-limit)"), "%s", line);
    ck_assert_msg(!contains(line, "cannot be interrupted"), "%s", line);
    ck_assert_msg(secs < 5.5, "%.1f s", secs);
    char *m = read_text(path_in(dir, "o/manifest.json"));
    ck_assert_msg(contains(m, "\"status\": \"timeout\""), "%s", m);
    free(m);
}
END_TEST

START_TEST(bad_limit_values_are_refused)
{
    const char *scn = write_text(dir, "routes.lua", k_routes);
    char scnc[4200], line[2048];
    snprintf(scnc, sizeof scnc, "%s", scn);
    static const char *const bad[] = {"--time-limit 0", "--time-limit -1", "--time-limit x",
                                      "--call-time-limit nan", "--call-time-limit 1e300",
                                      "--time-limit"};
    for (int i = 0; i < 6; i++) {
        ck_assert_int_eq(run_swarmlab(dir, "run %s --out %s/o %s", scnc, dir, bad[i]), 2);
        error_line(dir, line, sizeof line);
        ck_assert_msg(contains(line, "time-limit"), "%s: %s", bad[i], line);
        ck_assert_int_eq(stderr_lines(dir), 1);
    }
}
END_TEST

START_TEST(sweep_records_runs_over_the_call_limit_as_timeout)
{
    /* the sweep passes --call-time-limit to every run; a run's "timeout" manifest (also the one
     * written after the grace, with its padded numbers) gives the row status timeout */
    const char *scn = write_text(dir, "routes.lua", k_routes);
    char scnc[4200];
    snprintf(scnc, sizeof scnc, "%s", scn);
    ck_assert_int_eq(run_swarmlab(dir, "sweep %s --grid route=loop,none,pattern --jobs 1 "
                                  "--out %s/sw --quiet --call-time-limit 1", scnc, dir), 1);
    char *runs = read_text(path_in(dir, "sw/runs.csv"));
    ck_assert_msg(contains(runs, "0000,0,0,loop,") && contains(runs, ",timeout,") &&
                  contains(runs, "routes.lua:21: call time limit of 1 s exceeded "
                                 "(--call-time-limit),"), "%s", runs);
    ck_assert_msg(contains(runs, "0001,1,0,none,") && contains(runs, ",ok,,"), "%s", runs);
    ck_assert_msg(contains(runs, "0002,2,0,pattern,") &&
                  contains(runs, ",timeout,call time limit of 1 s exceeded (--call-time-limit); "
                                 "the scenario is stuck in a call that cannot be interrupted"),
                  "%s", runs);
    free(runs);
    ck_assert_int_eq(run_swarmlab(dir, "sweep %s --grid route=none --out %s/sw2 "
                                  "--call-time-limit 0", scnc, dir), 2);
    char line[2048];
    error_line(dir, line, sizeof line);
    ck_assert_msg(contains(line, "--call-time-limit: expected seconds > 0"), "%s", line);
}
END_TEST

/* ---- --unsafe finalizers ---- */

static const char *k_finalizer =
    "local sl = swarmlab\n"
    "local when = sl.param('when', 'step', '')\n"
    "sl.steps(3)\n"
    "function setup(world) world:record{name = 'v', reduce = 'value'} end\n"
    "local function spin() local n = 0 while true do n = n + 1 end end\n"
    "if when == 'exit' then keep = setmetatable({}, {__gc = spin}) end\n"
    "if when == 'debug' then keep = debug.setmetatable({}, {__gc = spin}) end\n"
    "function step(world, t)\n"
    "  sl.record('v', t)\n"
    "  if when == 'step' and t == 2 then\n"
    "    setmetatable({}, {__gc = spin})\n"
    "    collectgarbage()\n"
    "  end\n"
    "end\n";

START_TEST(unsafe_finalizers_run_under_the_budget)
{
    const char *scn = write_text(dir, "fin.lua", k_finalizer);
    char scnc[4200], line[2048];
    snprintf(scnc, sizeof scnc, "%s", scn);
    static const char *const whens[] = {"step", "exit", "debug"};
    for (int i = 0; i < 3; i++) {
        double t0 = now();
        ck_assert_int_eq(run_swarmlab(dir, "run %s --unsafe --out %s/o --quiet --lua-budget 1000000 "
                                      "--set when=%s", scnc, dir, whens[i]), 2);
        ck_assert_msg(now() - t0 < 60, "%s", whens[i]);
        error_line(dir, line, sizeof line);
        ck_assert_msg(contains(line, "fin.lua:5: instruction budget of 1000000 exceeded"), "%s: %s",
                      whens[i], line);
        char *m = read_text(path_in(dir, "o/manifest.json"));
        ck_assert_msg(contains(m, "\"status\": \"error\""), "%s: %s", whens[i], m);
        free(m);
        ck_assert(!file_exists(path_in(dir, "o/metrics.csv")));
    }
    /* a finalizer that ends is still run, once (at the end of the run, before the manifest) */
    const char *ok = write_text(dir, "fin_ok.lua",
        "local sl = swarmlab\n"
        "sl.steps(1)\n"
        "function setup(world) end\n"
        "keep = setmetatable({}, {__gc = function(o)\n"
        "  local f = assert(io.open(sl.output('gc.txt'), 'w')) f:write('ran') f:close() end})\n");
    char okc[4200];
    snprintf(okc, sizeof okc, "%s", ok);
    ck_assert_int_eq(run_swarmlab(dir, "run %s --unsafe --out %s/p --quiet", okc, dir), 0);
    char *g = read_text(path_in(dir, "p/gc.txt"));
    ck_assert_msg(contains(g, "ran"), "%s", g ? g : "(none)");
    free(g);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("time_limits");
    TCase *t = tcase_create("time_limits");
    tcase_add_checked_fixture(t, setup_dir, teardown_dir);
    tcase_set_timeout(t, 240);
    tcase_add_test(t, lua_loop_under_pcall_stops_at_the_call_limit);
    tcase_add_test(t, lua_loop_under_pcall_stops_at_the_run_limit);
    tcase_add_test(t, solvers_with_huge_iteration_counts_stop);
    tcase_add_test(t, pattern_backtracking_ends_the_process_after_the_grace);
    tcase_add_test(t, c_world_steps_stop_at_the_limit);
    tcase_add_test(t, bad_limit_values_are_refused);
    tcase_add_test(t, sweep_records_runs_over_the_call_limit_as_timeout);
    tcase_add_test(t, unsafe_finalizers_run_under_the_budget);
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
