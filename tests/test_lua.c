/* test_lua.c - the Lua scenario host: parameters, results, errors with lines, sandbox, budget,
 * world/population/record API. Drives sl_host_* directly on scenario files written to /tmp. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "swarmlab/lua_host.h"
#include "swarmlab/recorder.h"
#include "swarmlab/world.h"

#include "run_util.h"

static char *dir;     /* scenario files */
static char *outdir;  /* the run's output directory */

static void setup_dirs(void)
{
    dir = tmp_dir();
    outdir = strdup(path_in(dir, "out"));
    mkdir(outdir, 0777);
}

static void teardown_dirs(void)
{
    rm_tree(dir);
    free(dir);
    free(outdir);
}

/* Host for `text` with run seed `seed` and overrides given as "name=value" strings (source cli),
 * optionally the first n_ini of them as INI entries. */
static sl_host *host_seeded(const char *text, uint64_t seed, int unsafe, long long budget, int n,
                            const char **sets, int n_ini, sl_error *e)
{
    const char *path = write_text(dir, "scenario.lua", text);
    const char *names[16], *values[16], *sources[16], *origins[16];
    char buf[16][128];
    for (int i = 0; i < n; i++) {
        snprintf(buf[i], sizeof buf[i], "%s", sets[i]);
        char *eq = strchr(buf[i], '=');
        *eq = '\0';
        names[i] = buf[i];
        values[i] = eq + 1;
        sources[i] = i < n_ini ? "ini" : "cli";
        origins[i] = i < n_ini ? "run.ini:4" : "--set";
    }
    sl_host_def cfg = {
        .scenario = path, .out_dir = outdir, .seed = seed, .threads = 2, .unsafe = unsafe,
        .instr_budget = budget, .nset = n, .set_names = names, .set_values = values,
        .set_sources = sources, .set_origins = origins, .quiet = 1,
    };
    return sl_host_create(&cfg, e);
}

static sl_host *host_with(const char *text, int unsafe, long long budget, int n, const char **sets,
                          int n_ini, sl_error *e)
{
    return host_seeded(text, 7, unsafe, budget, n, sets, n_ini, e);
}

static sl_host *host_ok(const char *text)
{
    sl_error e;
    sl_host *h = host_with(text, 0, 0, 0, NULL, 0, &e);
    ck_assert_msg(h != NULL, "load failed: %s", e.msg);
    return h;
}

/* The error of loading `text` (which must fail). */
static const char *load_error(const char *text, int unsafe, long long budget, int n,
                              const char **sets)
{
    static sl_error e;
    sl_host *h = host_with(text, unsafe, budget, n, sets, 0, &e);
    ck_assert_msg(h == NULL, "expected an error loading:\n%s", text);
    return e.msg;
}

static int find_param(sl_host *h, const char *name, const char **value, const char **source)
{
    for (int i = 0; i < sl_host_nparams(h); i++) {
        const char *n;
        sl_host_param(h, i, &n, value, source);
        if (strcmp(n, name) == 0) return i;
    }
    return -1;
}

static int find_result(sl_host *h, const char *key, double *num, const char **str)
{
    for (int i = 0; i < sl_host_nresults(h); i++) {
        const char *k;
        int isnum;
        sl_host_result(h, i, &k, num, str, &isnum);
        if (strcmp(k, key) == 0) return isnum;
    }
    return -1;
}


/* "<dir>/scenario.lua:LINE:" prefix */
static int at_line(const char *msg, int line)
{
    char want[4300];
    snprintf(want, sizeof want, "%s/scenario.lua:%d:", dir, line);
    return strncmp(msg, want, strlen(want)) == 0;
}

/* ---- parameters ---- */

static const char *params_scn =
    "local sl = swarmlab\n"
    "local n = sl.param('n', 200, 'birds', {min = 1, integer = true})\n"
    "local r = sl.param('radius', 5.5, 'radius', {min = 0, max = 100})\n"
    "local mode = sl.param('mode', 'fast', 'mode', {choices = {'fast', 'slow'}})\n"
    "local on = sl.param('on', false, 'switch')\n"
    "sl.result('n', n); sl.result('radius', r); sl.result('mode', mode)\n"
    "sl.result('on', tostring(on)); sl.result('n_is_int', math.type(n))\n";

START_TEST(params_defaults)
{
    sl_host *h = host_ok(params_scn);
    const char *v, *src, *str;
    double num;
    ck_assert_int_eq(sl_host_nparams(h), 4);
    ck_assert_int_ge(find_param(h, "n", &v, &src), 0);
    ck_assert_str_eq(v, "200");
    ck_assert_str_eq(src, "default");
    ck_assert_int_ge(find_param(h, "radius", &v, &src), 0);
    ck_assert_str_eq(v, "5.5");
    ck_assert_int_eq(sl_host_param_kind(h, find_param(h, "mode", &v, &src)), 's');
    ck_assert_int_eq(sl_host_param_kind(h, find_param(h, "on", &v, &src)), 'b');
    ck_assert_int_eq(find_result(h, "n", &num, &str), 1);
    ck_assert(num == 200);
    ck_assert_int_eq(find_result(h, "n_is_int", &num, &str), 0);
    ck_assert_str_eq(str, "integer");
    ck_assert_int_eq(find_result(h, "on", &num, &str), 0);
    ck_assert_str_eq(str, "false");
    ck_assert_ptr_null(sl_host_unused_override(h));
    const char *doc, *def, *opts;
    sl_host_param_info(h, find_param(h, "mode", &v, &src), &doc, &def, &opts);
    ck_assert_str_eq(doc, "mode");
    ck_assert_str_eq(def, "fast");
    ck_assert_str_eq(opts, "choices fast|slow");
    sl_host_param_info(h, find_param(h, "radius", &v, &src), &doc, &def, &opts);
    ck_assert_str_eq(def, "5.5");
    ck_assert_str_eq(opts, "min 0, max 100");
    sl_host_destroy(h);
}
END_TEST

START_TEST(params_overrides_and_precedence)
{
    /* INI entries come first, command line after: the later one wins */
    const char *sets[] = {"n=50", "radius=2", "n=75", "mode=slow", "on=yes"};
    sl_error e;
    sl_host *h = host_with(params_scn, 0, 0, 5, sets, 2, &e);
    ck_assert_msg(h != NULL, "%s", e.msg);
    const char *v, *src, *str;
    double num;
    find_param(h, "n", &v, &src);
    ck_assert_str_eq(v, "75");
    ck_assert_str_eq(src, "cli");
    find_param(h, "radius", &v, &src);
    ck_assert_str_eq(v, "2");
    ck_assert_str_eq(src, "ini");
    ck_assert_int_eq(find_result(h, "radius", &num, &str), 1);
    ck_assert(num == 2.0);
    ck_assert_int_eq(find_result(h, "mode", &num, &str), 0);
    ck_assert_str_eq(str, "slow");
    ck_assert_int_eq(find_result(h, "on", &num, &str), 0);
    ck_assert_str_eq(str, "true");
    ck_assert_int_eq(find_result(h, "n_is_int", &num, &str), 0);
    ck_assert_str_eq(str, "integer");
    sl_host_destroy(h);
}
END_TEST

START_TEST(params_bad_values)
{
    struct { const char *set, *want; } cases[] = {
        {"n=nan", "parameter 'n' = 'nan' (from --set): not a finite number"},
        {"n=inf", "not a finite number"},
        {"n=0", "below the minimum 1"},
        {"n=2.5", "not an integer"},
        {"n=12abc", "not a number"},
        {"n=", "not a number"},
        {"radius=101", "parameter 'radius' = '101' (from --set): above the maximum 100"},
        {"mode=medium", "not one of: fast, slow"},
        {"on=maybe", "parameter 'on' = 'maybe' (from --set): not a boolean"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *msg = load_error(params_scn, 0, 0, 1, &cases[i].set);
        ck_assert_msg(contains(msg, cases[i].want), "%s: got '%s'", cases[i].set, msg);
        ck_assert_msg(at_line(msg, 0) || contains(msg, "scenario.lua:"), "no location: %s", msg);
    }
    /* the INI origin is named */
    const char *set = "n=-3";
    sl_error e;
    ck_assert_ptr_null(host_with(params_scn, 0, 0, 1, &set, 1, &e));
    ck_assert_msg(contains(e.msg, "(from run.ini:4): below the minimum"), "%s", e.msg);
    ck_assert_msg(at_line(e.msg, 2), "%s", e.msg);
}
END_TEST

START_TEST(params_unknown_override)
{
    const char *set = "nn=3";
    const char *msg = load_error(params_scn, 0, 0, 1, &set);
    ck_assert_msg(contains(msg, "unknown parameter 'nn' (scenario declares: n, radius, mode, on)"),
                  "%s", msg);
}
END_TEST

START_TEST(params_bad_declarations)
{
    ck_assert(contains(load_error("swarmlab.param('a', 1)\nswarmlab.param('a', 2)\n", 0, 0, 0, NULL),
                       "declared twice"));
    ck_assert(at_line(load_error("\nswarmlab.param('a', {})\n", 0, 0, 0, NULL), 2));
    ck_assert(contains(load_error("swarmlab.param('a', 0, '', {min = 1})\n", 0, 0, 0, NULL),
                       "default 0: below the minimum 1"));
    ck_assert(contains(load_error("swarmlab.param('a', 1, '', {bogus = 1})\n", 0, 0, 0, NULL),
                       "unknown option 'bogus'"));
    ck_assert(contains(load_error("swarmlab.param('1a', 1)\n", 0, 0, 0, NULL), "parameter name"));
}
END_TEST

/* ---- run settings, results ---- */

START_TEST(run_settings)
{
    sl_host *h = host_ok("local sl = swarmlab\n"
                         "sl.steps(12)\n"
                         "sl.result('the_seed', sl.seed()); sl.result('nthreads', sl.threads())\n"
                         "sl.result('label', 'x'); sl.result('label', 'y')\n"
                         "function setup(w) sl.result('planned', sl.steps()) end\n");
    double num;
    const char *str;
    ck_assert_int_eq(sl_host_default_steps(h), 12);
    ck_assert_int_eq(find_result(h, "the_seed", &num, &str), 1);
    ck_assert(num == 7);
    ck_assert_int_eq(find_result(h, "nthreads", &num, &str), 1);
    ck_assert(num == 2);
    ck_assert_int_eq(find_result(h, "label", &num, &str), 0);
    ck_assert_str_eq(str, "y");
    ck_assert_int_eq(sl_host_nresults(h), 3);
    sl_host_set_steps(h, 30);
    sl_error e;
    ck_assert_int_eq(sl_host_setup(h, &e), SL_OK);
    ck_assert_int_eq(find_result(h, "planned", &num, &str), 1);
    ck_assert(num == 30);
    sl_host_destroy(h);
}
END_TEST

START_TEST(steps_from_parameter)
{
    sl_host *h = host_ok("local x = 1\n");
    ck_assert_int_eq(sl_host_default_steps(h), -1);
    sl_host_destroy(h);
    const char *set = "steps=9";
    sl_error e;
    h = host_with("swarmlab.param('steps', 5, 'steps', {min = 0, integer = true})\n", 0, 0, 1, &set,
                  0, &e);
    ck_assert_msg(h != NULL, "%s", e.msg);
    ck_assert_int_eq(sl_host_default_steps(h), 9);
    sl_host_destroy(h);
}
END_TEST

START_TEST(results_reserved_keys)
{
    const char *msg = load_error("\n\nswarmlab.result('seed', 1)\n", 0, 0, 0, NULL);
    ck_assert_msg(at_line(msg, 3) && contains(msg, "result key 'seed' is reserved"), "%s", msg);
    msg = load_error("swarmlab.result('x', {})\n", 0, 0, 0, NULL);
    ck_assert_msg(contains(msg, "must be a number or a string"), "%s", msg);
}
END_TEST

/* ---- errors ---- */

START_TEST(error_lines)
{
    const char *msg = load_error("local a = 1\nlocal b = nil\nprint(b.x)\n", 0, 0, 0, NULL);
    ck_assert_msg(at_line(msg, 3) && contains(msg, "attempt to index a nil value"), "%s", msg);
    msg = load_error("local a = 1\n\nerror('boom')\n", 0, 0, 0, NULL);
    ck_assert_msg(at_line(msg, 3) && contains(msg, "boom"), "%s", msg);
    msg = load_error("local a = 1\nerror('no position', 0)\n", 0, 0, 0, NULL);
    ck_assert_msg(at_line(msg, 2) && contains(msg, "no position"), "%s", msg);
    msg = load_error("local a = \nfunction (\n", 0, 0, 0, NULL);
    ck_assert_msg(at_line(msg, 3) && contains(msg, "expected"), "syntax: %s", msg);
    ck_assert(strchr(msg, '\n') == NULL);
    msg = load_error("error({})\n", 0, 0, 0, NULL);
    ck_assert_msg(at_line(msg, 1) && contains(msg, "table value"), "%s", msg);
    msg = load_error("local w = swarmlab.world()\nw:population{name = 'p', n = -1}\n", 0, 0, 0, NULL);
    ck_assert_msg(at_line(msg, 2) && contains(msg, "option 'n' must be"), "%s", msg);
}
END_TEST

START_TEST(error_in_callbacks)
{
    sl_host *h = host_ok("function setup(w)\n  local t = {}\n  return t.a.b\nend\n");
    sl_error e;
    ck_assert_int_eq(sl_host_setup(h, &e), SL_ERR_LUA);
    ck_assert_msg(at_line(e.msg, 3), "%s", e.msg);
    ck_assert_msg(contains(sl_host_traceback(h), "stack traceback"), "%s", sl_host_traceback(h));
    sl_host_destroy(h);

    h = host_ok("swarmlab.steps(10)\nfunction step(w, t)\n  if t == 4 then\n    error('at four')\n"
                "  end\nend\n");
    ck_assert_int_eq(sl_host_setup(h, &e), SL_OK);
    int k = 0;
    sl_status st = SL_OK;
    while (k < 10 && (st = sl_host_step(h, &e)) == SL_OK) k++;
    ck_assert_int_eq(st, SL_ERR_LUA);
    ck_assert_int_eq(k, 3);
    ck_assert_msg(at_line(e.msg, 4) && contains(e.msg, "at four"), "%s", e.msg);
    sl_host_destroy(h);

    h = host_ok("function finish(w) w:pop('none'):count() end\n");
    ck_assert_int_eq(sl_host_setup(h, &e), SL_OK);
    ck_assert_int_eq(sl_host_finish(h, &e), SL_ERR_LUA);
    ck_assert_msg(at_line(e.msg, 1), "%s", e.msg);
    sl_host_destroy(h);

    h = host_ok("setup = 3\n");
    ck_assert_int_eq(sl_host_setup(h, &e), SL_ERR_LUA);
    ck_assert_msg(contains(e.msg, "global 'setup' is a number"), "%s", e.msg);
    sl_host_destroy(h);
}
END_TEST

/* ---- sandbox ---- */

START_TEST(sandbox_blocks)
{
    sl_host *h = host_ok("swarmlab.result('exec', type(os.execute))\n"
                         "swarmlab.result('popen', type(io.popen))\n"
                         "swarmlab.result('exit', type(os.exit))\n"
                         "swarmlab.result('loadlib', type(package.loadlib))\n"
                         "swarmlab.result('sethook', type(debug.sethook))\n");
    const char *keys[] = {"exec", "popen", "exit", "loadlib", "sethook"};
    for (int i = 0; i < 5; i++) {
        double num;
        const char *str;
        ck_assert_int_eq(find_result(h, keys[i], &num, &str), 0);
        ck_assert_msg(strcmp(str, "nil") == 0, "%s is %s", keys[i], str);
    }
    sl_host_destroy(h);

    char text[1200];
    snprintf(text, sizeof text, "local f = io.open('%s/escaped.txt', 'w')\n", dir);
    const char *msg = load_error(text, 0, 0, 0, NULL);
    ck_assert_msg(at_line(msg, 1) && contains(msg, "not allowed outside the output directory"),
                  "%s", msg);
    ck_assert(!file_exists(path_in(dir, "escaped.txt")));
    snprintf(text, sizeof text, "io.open('%s/out/../escaped.txt', 'a')\n", dir);
    load_error(text, 0, 0, 0, NULL);
    snprintf(text, sizeof text, "io.output('%s/escaped.txt')\n", dir);
    load_error(text, 0, 0, 0, NULL);
    snprintf(text, sizeof text, "os.remove('%s/scenario.lua')\n", dir);
    load_error(text, 0, 0, 0, NULL);
    ck_assert(file_exists(path_in(dir, "scenario.lua")));
    ck_assert(contains(load_error("os.execute('true')\n", 0, 0, 0, NULL), "nil"));
    ck_assert(contains(load_error("io.popen('ls')\n", 0, 0, 0, NULL), "nil"));
    /* binary chunks */
    msg = load_error("local f = load(string.dump(function() return 1 end))\n"
                     "assert(f, 'binary refused')\n", 0, 0, 0, NULL);
    ck_assert_msg(contains(msg, "binary refused"), "%s", msg);
    msg = load_error("local f = load(string.dump(function() return 1 end), 'x', 'b')\n"
                     "assert(f, 'binary refused')\n", 0, 0, 0, NULL);
    ck_assert_msg(contains(msg, "binary refused"), "%s", msg);
    /* the sandbox keeps the budget hook: debug.sethook is gone */
    ck_assert(contains(load_error("debug.sethook()\n", 0, 0, 0, NULL), "nil"));
}
END_TEST

START_TEST(sandbox_allows_inside_out_dir)
{
    sl_host *h = host_ok("local p = swarmlab.output('best.txt')\n"
                         "local f = assert(io.open(p, 'w'))\n"
                         "f:write('hello') f:close()\n"
                         "local g = assert(io.open(p, 'r')) swarmlab.result('read', g:read('a'))\n"
                         "g:close()\n"
                         "os.rename(p, swarmlab.output('b2.txt'))\n"
                         "swarmlab.result('data', tostring(swarmlab.input('scenario.lua') ~= nil))\n");
    double num;
    const char *str;
    find_result(h, "read", &num, &str);
    ck_assert_str_eq(str, "hello");
    find_result(h, "data", &num, &str);
    ck_assert_str_eq(str, "true");
    ck_assert(file_exists(path_in(outdir, "b2.txt")));
    sl_host_destroy(h);
    ck_assert(contains(load_error("swarmlab.output('../x')\n", 0, 0, 0, NULL), "escapes"));
    ck_assert(contains(load_error("swarmlab.output('/etc/x')\n", 0, 0, 0, NULL), "relative"));
}
END_TEST

START_TEST(unsafe_lifts_sandbox)
{
    sl_error e;
    char text[1200];
    snprintf(text, sizeof text,
             "swarmlab.result('exec', type(os.execute))\n"
             "local f = assert(io.open('%s/free.txt', 'w')) f:write('x') f:close()\n", dir);
    sl_host *h = host_with(text, 1, 0, 0, NULL, 0, &e);
    ck_assert_msg(h != NULL, "%s", e.msg);
    double num;
    const char *str;
    find_result(h, "exec", &num, &str);
    ck_assert_str_eq(str, "function");
    ck_assert(file_exists(path_in(dir, "free.txt")));
    sl_host_destroy(h);
}
END_TEST

START_TEST(instruction_budget)
{
    const char *msg = load_error("local x = 0\nwhile true do\n  x = x + 1\nend\n", 0, 1000000, 0, NULL);
    ck_assert_msg(contains(msg, "instruction budget of 1000000 exceeded (runaway loop?)"), "%s", msg);
    ck_assert_msg(at_line(msg, 2) || at_line(msg, 3), "%s", msg);

    /* per callback: a step loop that stays under the budget each step is fine */
    sl_error e;
    sl_host *h = host_with("function step(w, t) local s = 0 for i = 1, 20000 do s = s + i end end\n"
                           "function finish(w) while true do end end\n",
                           0, 1000000, 0, NULL, 0, &e);
    ck_assert_msg(h != NULL, "%s", e.msg);
    ck_assert_int_eq(sl_host_setup(h, &e), SL_OK);
    for (int i = 0; i < 100; i++) ck_assert_int_eq(sl_host_step(h, &e), SL_OK);
    ck_assert_int_eq(sl_host_finish(h, &e), SL_ERR_LUA);
    ck_assert_msg(at_line(e.msg, 2) && contains(e.msg, "instruction budget"), "%s", e.msg);
    sl_host_destroy(h);

    /* coroutines inherit the hook */
    msg = load_error("coroutine.wrap(function() while true do end end)()\n", 0, 1000000, 0, NULL);
    ck_assert_msg(contains(msg, "instruction budget"), "%s", msg);
}
END_TEST

/* ---- world API ---- */

START_TEST(population_api)
{
    sl_host *h = host_ok(
        "local sl = swarmlab\n"
        "sl.steps(5)\n"
        "local p\n"
        "function setup(w)\n"
        "  p = w:population{name = 'ants', n = 4, columns = {x = 'f64', food = 'i32'}}\n"
        "  assert(w:pop('ants') == p)\n"
        "  for i = 1, p:count() do p:set('x', i, i * 1.5); p:set('food', i, i) end\n"
        "  sl.result('id_ok', tostring(p:slot(p:id(3)) == 3))\n"
        "  p:kill(2)\n"
        "  w:record{name = 'mean_x', pop = p, column = 'x', reduce = 'mean'}\n"
        "  w:record{name = 'count', pop = 'ants', reduce = 'count'}\n"
        "  w:record{name = 'score', reduce = 'value'}\n"
        "end\n"
        "function step(w, t)\n"
        "  sl.record('score', t * 10)\n"
        "  if t == 2 then local s = p:spawn(2); p:set('x', s, 100) end\n"
        "  if t == 3 then return false end\n"
        "end\n"
        "function finish(w)\n"
        "  sl.result('count', p:count()); sl.result('x1', p:get('x', 1))\n"
        "  sl.result('x2', p:get('x', 2)); sl.result('food2', p:get('food', 2))\n"
        "  sl.result('sum_x', p:reduce('x', 'sum'))\n"
        "end\n");
    sl_error e;
    ck_assert_int_eq(sl_host_setup(h, &e), SL_OK);
    int k = 0;
    while (!sl_host_done(h) && k < 5) {
        ck_assert_int_eq(sl_host_step(h, &e), SL_OK);
        k++;
    }
    ck_assert_int_eq(k, 3); /* step returned false at t = 3 */
    /* a done host does not step the world again */
    long long at = sl_world_step_count(sl_host_world(h));
    ck_assert_int_eq(sl_host_step(h, &e), SL_OK);
    ck_assert_int_eq(sl_world_step_count(sl_host_world(h)), at);
    ck_assert_int_eq(sl_host_finish(h, &e), SL_OK);
    double num;
    const char *str;
    find_result(h, "id_ok", &num, &str);
    ck_assert_str_eq(str, "true");
    find_result(h, "count", &num, &str);
    ck_assert(num == 5); /* 4 - 1 killed + 2 spawned */
    find_result(h, "x2", &num, &str);
    ck_assert(num == 4.5); /* slot 2 held agent 3 after the kill */
    find_result(h, "food2", &num, &str);
    ck_assert(num == 3);
    find_result(h, "sum_x", &num, &str);
    ck_assert(num == 1.5 + 4.5 + 6 + 100 + 0);
    sl_recorder *r = sl_world_recorder(sl_host_world(h));
    ck_assert_int_eq((int)sl_recorder_nrows(r), 4); /* initial state + 3 steps */
    int score = sl_recorder_find(r, "score"), cnt = sl_recorder_find(r, "count");
    ck_assert(sl_recorder_value(r, 1, score) == 10); /* step(world, 1) sets row 1 */
    ck_assert(sl_recorder_value(r, 3, score) == 30);
    ck_assert(sl_recorder_value(r, 0, cnt) == 3);
    ck_assert(sl_recorder_value(r, 3, cnt) == 5);
    sl_host_destroy(h);
}
END_TEST

START_TEST(api_argument_checks)
{
    const char *pre = "local w = swarmlab.world()\n"
                      "local p = w:population{name = 'p', n = 2, columns = {a = 'u8'}}\n";
    struct { const char *line, *want; } cases[] = {
        {"p:get('a', 3)", "slot 3 out of range 1..2"},
        {"p:get('zz', 1)", "no column 'zz'"},
        {"p:set('a', 1, 300)", "u8"},
        {"p:set('a', 1)", "number expected"},
        {"p.count()", "swarmlab.pop expected"},
        {"w:population{name = 'q', columns = {b = 'f16'}}", "unknown type 'f16'"},
        {"w:record{name = 'm', pop = p, column = 'a', reduce = 'median'}",
         "world:record{...}: option 'reduce' must be one of 'sum', 'mean'"},
        {"w:record{name = 'm', pop = p, column = 'a', reduce = 'maxx'}", "did you mean 'max'?"},
        {"w:record{name = 'm', pop = p, reduce = 'sum'}", "missing option 'column' in world:record{...}"},
        {"w:plane{width = 0, height = 1}", "world:plane{...}: option 'width' must be in (0, inf) (got 0)"},
        {"w:plane{width = 2, height = 1, toroidal = 1}", "option 'toroidal' must be true or false"},
        {"w:graph{name = 'g', nodes = 2.5}", "world:graph{...}: option 'nodes' must be an integer"},
        {"w:field{nx = 2, ny = 3}", "missing option 'name' in world:field{...}"},
        {"w:field{name = 'f', nx = 2, ny = 3, cell = -1}", "option 'cell' must be in (0, inf)"},
        {"w:population{name = 'q', n = -1}", "world:population{...}: option 'n' must be an integer in [0, 100000000] (got -1)"},
        {"w:field{name = 'f', nx = 0, ny = 3}", "option 'nx' must be an integer in [1, 1000000000] (got 0)"},
        {"w:graph{name = 'g', nodes = 3}:add_edge(1, 4)", "node 4 out of 1..3"},
        {"swarmlab.record('nope', 1)", "no metric named 'nope'"},
        {"swarmlab.steps(-1)", "must be >= 0"},
        {"swarmlab.rng(1, -1)", "id must be >= 0"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[600];
        snprintf(text, sizeof text, "%s%s\n", pre, cases[i].line);
        const char *msg = load_error(text, 0, 0, 0, NULL);
        ck_assert_msg(at_line(msg, 3) && contains(msg, cases[i].want), "%s -> %s", cases[i].line,
                      msg);
    }
}
END_TEST

START_TEST(spaces_and_rng)
{
    sl_host *h = host_ok(
        "local w = swarmlab.world()\n"
        "local f = w:field{name = 'ph', nx = 4, ny = 3, cell = 2}\n"
        "f:deposit(1, 1, 2.5); f:set(4, 3, 1)\n"
        "swarmlab.result('fsum', f:sum()); swarmlab.result('f11', f:get(1, 1))\n"
        "local g = w:graph{name = 'roads', nodes = 3}\n"
        "g:add_edge(1, 2, 2.0); g:add_edge(2, 3, 3.0)\n"
        "swarmlab.result('d13', g:shortest_paths(1)[3]); swarmlab.result('w21', g:weight(2, 1))\n"
        "local pl = w:plane{width = 10, height = 20, toroidal = true}\n"
        "local ps = pl:size(); swarmlab.result('ph', ps.height)\n"
        "local a, b = swarmlab.rng(3, 9, 0), swarmlab.rng(3, 9, 0)\n"
        "swarmlab.result('same', tostring(a:uniform() == b:uniform()))\n"
        "local k = a:int(6); swarmlab.result('die', tostring(k >= 1 and k <= 6))\n");
    double num;
    const char *str;
    find_result(h, "fsum", &num, &str);
    ck_assert(num == 3.5);
    find_result(h, "f11", &num, &str);
    ck_assert(num == 2.5);
    find_result(h, "d13", &num, &str);
    ck_assert(num == 5.0);
    find_result(h, "w21", &num, &str);
    ck_assert(num == 2.0);
    find_result(h, "ph", &num, &str);
    ck_assert(num == 20);
    find_result(h, "same", &num, &str);
    ck_assert_str_eq(str, "true");
    find_result(h, "die", &num, &str);
    ck_assert_str_eq(str, "true");
    ck_assert(sl_world_plane(sl_host_world(h))->toroidal == 1);
    sl_host_destroy(h);
}
END_TEST

START_TEST(math_random_is_seeded)
{
    /* math.random follows the run seed: the same seed gives the same sequence, another seed
     * another sequence (for every pair of a few seeds) */
    const char *scn = "local s = ''\n"
                      "for i = 1, 8 do s = s .. string.format('%.17g,', math.random()) end\n"
                      "swarmlab.result('r', s)\n";
    const uint64_t seeds[] = {7, 7, 8, 1, 123456789, 0x9e3779b97f4a7c15ULL};
    char seq[6][400];
    for (int k = 0; k < 6; k++) {
        sl_error e;
        sl_host *h = host_seeded(scn, seeds[k], 0, 0, 0, NULL, 0, &e);
        ck_assert_msg(h != NULL, "%s", e.msg);
        double num;
        const char *str;
        find_result(h, "r", &num, &str);
        ck_assert_ptr_nonnull(str);
        snprintf(seq[k], sizeof seq[k], "%s", str);
        sl_host_destroy(h);
    }
    ck_assert_str_eq(seq[0], seq[1]);
    for (int a = 1; a < 6; a++)
        for (int b = a + 1; b < 6; b++)
            ck_assert_msg(strcmp(seq[a], seq[b]) != 0, "seeds %d and %d: same math.random", a, b);
}
END_TEST

static Suite *lua_suite(void)
{
    Suite *s = suite_create("lua");
    TCase *t = tcase_create("host");
    tcase_add_checked_fixture(t, setup_dirs, teardown_dirs);
    tcase_set_timeout(t, 60);
    tcase_add_test(t, params_defaults);
    tcase_add_test(t, params_overrides_and_precedence);
    tcase_add_test(t, params_bad_values);
    tcase_add_test(t, params_unknown_override);
    tcase_add_test(t, params_bad_declarations);
    tcase_add_test(t, run_settings);
    tcase_add_test(t, steps_from_parameter);
    tcase_add_test(t, results_reserved_keys);
    tcase_add_test(t, error_lines);
    tcase_add_test(t, error_in_callbacks);
    tcase_add_test(t, sandbox_blocks);
    tcase_add_test(t, sandbox_allows_inside_out_dir);
    tcase_add_test(t, unsafe_lifts_sandbox);
    tcase_add_test(t, instruction_budget);
    tcase_add_test(t, population_api);
    tcase_add_test(t, api_argument_checks);
    tcase_add_test(t, spaces_and_rng);
    tcase_add_test(t, math_random_is_seeded);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    SRunner *r = srunner_create(lua_suite());
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
