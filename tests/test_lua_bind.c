/* test_lua_bind.c - the binding toolkit (lua_bind.h): strict option tables with the nearest valid
 * key, typed and ranged getters, callbacks on the main thread through the host's protected call
 * (traceback, instruction budget), locked object types. A small C binding `probe` is installed
 * in a scenario's state and driven from Lua. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "swarmlab/lua_bind.h"
#include "swarmlab/lua_host.h"

#include "run_util.h"

static char *dir;

static void setup_dirs(void) { dir = tmp_dir(); }
static void teardown_dirs(void)
{
    rm_tree(dir);
    free(dir);
}

/* ---- the probe binding ---- */

static const char *const probe_keys[] = {"capacity", "policy", "rate", "count", "verbose", "name",
                                         "mode", "fn", "weights", "demand", "sites", "share", "pairs", NULL};
static const char *const demand_keys[] = {"mean", "sd", NULL};
static const char *const site_keys[] = {"x", "y", NULL};
static const char *const modes[] = {"fast", "exact", NULL};

/* probe{...}: reads every option and returns a table describing what it read. */
static int l_probe(lua_State *L)
{
    sl_lua_opts o;
    sl_lua_opts_open(&o, L, 1, "probe{...}", probe_keys);
    lua_Integer cap = sl_lua_opt_integer(&o, "capacity", 10, 1, 1000);
    double rate = sl_lua_opt_number(&o, "rate", 0.5, 0, 1);
    bool verbose = sl_lua_opt_boolean(&o, "verbose", false);
    const char *name = sl_lua_opt_string(&o, "name", "none");
    int mode = sl_lua_opt_enum(&o, "mode", modes, 0);
    double share = sl_lua_opt_interval(&o, "share", 0.5, 0, 1, "(]");
    int nw = sl_lua_opt_array(&o, "weights");
    double w[4] = {0};
    if (nw >= 0) {
        if (nw > 4) sl_lua_opt_error(&o, "weights", "has more than 4 entries");
        sl_lua_opt_numbers(&o, "weights", w, nw, 0, 10);
    }
    double mean = -1;
    sl_lua_opts d;
    if (sl_lua_opts_sub(&o, "demand", &d, demand_keys)) {
        mean = sl_lua_opt_number(&d, "mean", 3, 0, HUGE_VAL);
        lua_pop(L, 1);
    }
    int ns = sl_lua_opt_array(&o, "sites");
    double sx = 0;
    for (int i = 1; i <= ns; i++) {
        sl_lua_opts s;
        sl_lua_opts_elem(&o, "sites", i, &s, site_keys);
        sl_lua_opt_require(&s, "x");
        sx += sl_lua_opt_number(&s, "x", 0, -HUGE_VAL, HUGE_VAL);
        lua_pop(L, 1);
    }
    int np = sl_lua_opt_array(&o, "pairs");
    double psum = 0;
    for (int i = 1; i <= np; i++) {
        double pr[2];
        sl_lua_opt_elem_numbers(&o, "pairs", i, pr, 2, -5, 5);
        psum += pr[0] * 10 + pr[1];
    }
    lua_newtable(L);
    lua_pushnumber(L, psum);
    lua_setfield(L, -2, "psum");
    lua_pushinteger(L, cap);
    lua_setfield(L, -2, "capacity");
    lua_pushnumber(L, rate);
    lua_setfield(L, -2, "rate");
    lua_pushboolean(L, verbose);
    lua_setfield(L, -2, "verbose");
    lua_pushstring(L, name);
    lua_setfield(L, -2, "name");
    lua_pushinteger(L, mode);
    lua_setfield(L, -2, "mode");
    lua_pushnumber(L, w[0] + w[1] + w[2] + w[3]);
    lua_setfield(L, -2, "wsum");
    lua_pushnumber(L, mean);
    lua_setfield(L, -2, "mean");
    lua_pushnumber(L, sx);
    lua_setfield(L, -2, "sx");
    lua_pushnumber(L, share);
    lua_setfield(L, -2, "share");
    return 1;
}

/* An object holding a callback: probe_obj{fn = f}; obj:call(x) calls f(x) and returns its result
 * (through the toolkit, on the main thread); a failure is raised with sl_lua_raise. */
#define PROBE_MT "test.probe"
typedef struct probe_obj {
    int ref;
} probe_obj;

static int probe_gc(lua_State *L)
{
    probe_obj *p = luaL_checkudata(L, 1, PROBE_MT);
    sl_lua_unref(L, p->ref);
    p->ref = LUA_NOREF;
    return 0;
}

static int probe_call(lua_State *L)
{
    probe_obj *p = luaL_checkudata(L, 1, PROBE_MT);
    double x = luaL_checknumber(L, 2);
    lua_State *M = sl_lua_callback_push(L, p->ref);
    lua_pushnumber(M, x);
    sl_error e;
    if (sl_lua_callback_call(M, 1, 1, &e) != SL_OK) return sl_lua_raise(L, &e);
    double r = lua_tonumber(M, -1);
    lua_pop(M, 1);
    lua_pushnumber(L, r);
    return 1;
}

static int l_probe_obj(lua_State *L)
{
    static const char *const keys[] = {"fn", NULL};
    static const luaL_Reg methods[] = {{"call", probe_call}, {NULL, NULL}};
    sl_lua_class(L, PROBE_MT, methods, probe_gc);
    sl_lua_opts o;
    sl_lua_opts_open(&o, L, 1, "probe_obj{...}", keys);
    sl_lua_opt_require(&o, "fn");
    int ref = sl_lua_opt_function(&o, "fn");
    probe_obj *p = sl_lua_new_object(L, sizeof *p, PROBE_MT);
    p->ref = ref;
    return 1;
}

/* A host for `text` (its top level defines functions), with the probe bindings installed. */
static sl_host *probe_host(const char *text, long long budget)
{
    const char *path = write_text(dir, "scenario.lua", text);
    sl_host_def cfg = {.scenario = path, .seed = 1, .threads = 1, .quiet = 1,
                          .instr_budget = budget};
    sl_error e;
    sl_host *h = sl_host_create(&cfg, &e);
    ck_assert_msg(h != NULL, "%s", e.msg);
    lua_State *L = sl_host_lua(h);
    lua_pushcfunction(L, l_probe);
    lua_setglobal(L, "probe");
    lua_pushcfunction(L, l_probe_obj);
    lua_setglobal(L, "probe_obj");
    /* the top level ran before the bindings existed: objects are made by init() */
    if (lua_getglobal(L, "init") == LUA_TFUNCTION) {
        ck_assert_msg(sl_host_call(h, 0, 0, &e) == SL_OK, "init: %s", e.msg);
    } else {
        lua_pop(L, 1);
    }
    return h;
}

/* Calls global function `fn` of the scenario; returns SL_OK or the error (message in e). */
static sl_status call_global(sl_host *h, const char *fn, sl_error *e)
{
    lua_State *L = sl_host_lua(h);
    lua_getglobal(L, fn);
    sl_status st = sl_host_call(h, 0, 1, e);
    if (st == SL_OK) lua_pop(L, 1);
    return st;
}

/* The number global `fn` returns. */
static double number_of(sl_host *h, const char *fn)
{
    lua_State *L = sl_host_lua(h);
    lua_getglobal(L, fn);
    sl_error e;
    ck_assert_msg(sl_host_call(h, 0, 1, &e) == SL_OK, "%s: %s", fn, e.msg);
    ck_assert_msg(lua_type(L, -1) == LUA_TNUMBER, "%s did not return a number", fn);
    double v = lua_tonumber(L, -1);
    lua_pop(L, 1);
    return v;
}

static void expect_error(sl_host *h, const char *fn, const char *want)
{
    sl_error e;
    ck_assert_msg(call_global(h, fn, &e) != SL_OK, "%s: expected an error", fn);
    ck_assert_msg(strstr(e.msg, want) != NULL, "%s: expected '%s' in '%s'", fn, want, e.msg);
}

static const char *const option_script =
    "function good() local r = probe{capacity = 20, rate = 0.25, verbose = true, name = 'x',\n"
    "  mode = 'exact', weights = {1, 2, 3}, demand = {mean = 4}, sites = {{x = 1}, {x = 2.5}}}\n"
    "  return r.capacity + r.rate + (r.verbose and 1000 or 0) + r.mode * 100 + r.wsum * 10000\n"
    "    + r.mean * 1e6 + r.sx * 1e8 end\n"
    "function defaults() local r = probe{}\n"
    "  return r.capacity + r.rate + (r.verbose and 1000 or 0) + r.mode * 100 + r.mean end\n"
    "function misspelt() return probe{capacty = 3} end\n"
    "function far() return probe{zzzzzzzzz = 3} end\n"
    "function positional() return probe{3} end\n"
    "function not_table() return probe(3) end\n"
    "function nested() return probe{demand = {men = 3}} end\n"
    "function elem() return probe{sites = {{x = 1}, {x = 1, z = 2}}} end\n"
    "function elem_missing() return probe{sites = {{x = 1}, {y = 2}}} end\n"
    "function range() return probe{capacity = 0} end\n"
    "function fraction() return probe{capacity = 2.5} end\n"
    "function rate_nan() return probe{rate = 0/0} end\n"
    "function rate_high() return probe{rate = 1.5} end\n"
    "function share_zero() return probe{share = 0} end\n"
    "function share_low() return probe{share = -0.25} end\n"
    "function share_one() return probe{share = 1}.share + probe{}.share end\n"
    "function rate_type() return probe{rate = '0.5'} end\n"
    "function bool_type() return probe{verbose = 1} end\n"
    "function str_type() return probe{name = 3} end\n"
    "function enum_near() return probe{mode = 'exat'} end\n"
    "function enum_far() return probe{mode = 'q'} end\n"
    "function list_hole() return probe{weights = {1, nil, 3}} end\n"
    "function list_key() return probe{weights = {1, 2, a = 3}} end\n"
    "function list_value() return probe{weights = {1, 20}} end\n"
    "function list_type() return probe{weights = 4} end\n"
    "function pairs_ok() return probe{pairs = {{1, 2}, {-3, 4}}}.psum end\n"
    "function pairs_len() return probe{pairs = {{1, 2}, {3}}} end\n"
    "function pairs_type() return probe{pairs = {{1, 2}, 7}} end\n"
    "function pairs_range() return probe{pairs = {{1, 2}, {3, 6}}} end\n"
    "function pairs_nan() return probe{pairs = {{1, 0/0}}} end\n";

START_TEST(test_options_read)
{
    sl_host *h = probe_host(option_script, 0);
    ck_assert_double_eq_tol(number_of(h, "good"),
                            20 + 0.25 + 1000 + 100 + 60000 + 4e6 + 3.5e8, 1e-6);
    ck_assert_double_eq_tol(number_of(h, "defaults"), 10 + 0.5 + 0 + 0 - 1, 1e-12);
    sl_host_destroy(h);
}
END_TEST

START_TEST(test_options_errors)
{
    sl_host *h = probe_host(option_script, 0);
    /* the scenario's line comes first, then the key, the table and the nearest valid key */
    expect_error(h, "misspelt",
                 "scenario.lua:7: unknown option 'capacty' in probe{...}; did you mean 'capacity'?");
    expect_error(h, "far", "unknown option 'zzzzzzzzz' in probe{...} (valid: capacity, policy,");
    expect_error(h, "positional", "probe{...}: unexpected entry [1]");
    expect_error(h, "not_table", "probe{...}: expected an option table, got 3");
    expect_error(h, "nested",
                 "unknown option 'men' in probe{...}.demand; did you mean 'mean'?");
    expect_error(h, "elem", "unknown option 'z' in probe{...}.sites[2]; did you mean 'x'?");
    expect_error(h, "elem_missing", "missing option 'x' in probe{...}.sites[2]");
    expect_error(h, "range", "probe{...}: option 'capacity' must be an integer in [1, 1000] (got 0)");
    expect_error(h, "fraction", "option 'capacity' must be an integer in [1, 1000] (got 2.5)");
    expect_error(h, "rate_nan", "option 'rate' must be a finite number");
    expect_error(h, "rate_high", "option 'rate' must be in [0, 1] (got 1.5)");
    expect_error(h, "share_zero", "probe{...}: option 'share' must be in (0, 1] (got 0)");
    expect_error(h, "share_low", "option 'share' must be in (0, 1] (got -0.25)");
    ck_assert_double_eq(number_of(h, "share_one"), 1.5);
    expect_error(h, "rate_type", "option 'rate' must be a number (got '0.5')");
    expect_error(h, "bool_type", "option 'verbose' must be true or false (got 1)");
    expect_error(h, "str_type", "option 'name' must be a string (got 3)");
    expect_error(h, "enum_near",
                 "option 'mode' must be one of 'fast', 'exact' (got 'exat'; did you mean 'exact'?)");
    expect_error(h, "enum_far", "option 'mode' must be one of 'fast', 'exact' (got 'q')");
    expect_error(h, "list_hole", "option 'weights' must be a list");
    expect_error(h, "list_key", "option 'weights' must be a list (entries 1..n only; found key 'a')");
    expect_error(h, "list_value", "option 'weights' [2] must be in [0, 10] (got 20)");
    expect_error(h, "list_type", "option 'weights' must be a list (got 4)");
    ck_assert_double_eq(number_of(h, "pairs_ok"), 10 + 2 - 30 + 4);
    expect_error(h, "pairs_len", "probe{...}: option 'pairs' [2] must be a list of 2 numbers (got 1)");
    expect_error(h, "pairs_type", "option 'pairs' [2] must be a list of 2 numbers (got 7)");
    expect_error(h, "pairs_range", "option 'pairs' [2][2] must be in [-5, 5] (got 6)");
    expect_error(h, "pairs_nan", "option 'pairs' [1][2] must be a finite number (got ");
    sl_host_destroy(h);
}
END_TEST

START_TEST(test_edit_distance)
{
    ck_assert_int_eq(sl_lua_edit_distance("capacty", "capacity"), 1);
    ck_assert_int_eq(sl_lua_edit_distance("polcy", "policy"), 1);
    ck_assert_int_eq(sl_lua_edit_distance("ants", "atns"), 1); /* a swap is one edit */
    ck_assert_int_eq(sl_lua_edit_distance("kitten", "sitting"), 3);
    ck_assert_int_eq(sl_lua_edit_distance("", "abc"), 3);
    ck_assert_int_eq(sl_lua_edit_distance("same", "same"), 0);
    static const char *const keys[] = {"alpha", "beta", "rho", "ants", NULL};
    ck_assert_str_eq(sl_lua_nearest("aplha", keys), "alpha");
    ck_assert_str_eq(sl_lua_nearest("rh", keys), "rho");
    ck_assert_ptr_null(sl_lua_nearest("iterations", keys));
    ck_assert_ptr_null(sl_lua_nearest("x", NULL));
}
END_TEST

START_TEST(test_callback_traceback)
{
    /* the error in the callback reports the callback's line and the whole stack, through the
     * binding that called it and the scenario function that called the binding */
    sl_host *h = probe_host("local function objective(x)\n"
                            "  if x > 1 then error('bad x') end\n"
                            "  return x * 2\n"
                            "end\n"
                            "local obj; function init() obj = probe_obj{fn = objective} end\n"
                            "function ok() return obj:call(1) end\n"
                            "function outer_caller() return obj:call(5) end\n",
                            0);
    ck_assert_double_eq(number_of(h, "ok"), 2);
    sl_error e;
    ck_assert_int_eq(call_global(h, "outer_caller", &e), SL_ERR_LUA);
    ck_assert_msg(strstr(e.msg, "scenario.lua:2: bad x") != NULL, "%s", e.msg);
    const char *tb = sl_host_traceback(h);
    ck_assert_msg(strstr(tb, "scenario.lua:2: in function") != NULL, "callback frame missing:\n%s",
                  tb);
    ck_assert_msg(strstr(tb, "in method 'call'") != NULL, "binding frame missing:\n%s", tb);
    ck_assert_msg(strstr(tb, "outer_caller") != NULL, "caller frame missing:\n%s", tb);
    sl_host_destroy(h);
}
END_TEST

START_TEST(test_callback_from_finished_coroutine)
{
    /* the object and its callback are made inside a coroutine that has finished (and been
     * collected) when the callback runs: the call goes through the main thread */
    sl_host *h = probe_host("local obj\n"
                            "function init() local co = coroutine.create(function()\n"
                            "  obj = probe_obj{fn = function(x) return x + 1 end} end)\n"
                            "  assert(coroutine.resume(co)); co = nil\n"
                            "  collectgarbage(); collectgarbage() end\n"
                            "function run() return obj:call(41) end\n"
                            "function inside() local co = coroutine.wrap(function()\n"
                            "  return obj:call(1) end); return co() end\n",
                            0);
    ck_assert_double_eq(number_of(h, "run"), 42);
    ck_assert_double_eq(number_of(h, "inside"), 2);
    sl_host_destroy(h);
}
END_TEST

START_TEST(test_callback_budget)
{
    /* a runaway callback is stopped by the budget; so is a loop of small callbacks whose total
     * exceeds the budget of the scenario function that makes them */
    sl_host *h = probe_host("local spin, small\n"
                            "function init() spin = probe_obj{fn = function(x) while true do end end}\n"
                            "small = probe_obj{fn = function(x)\n"
                            "  local s = 0; for i = 1, 1000 do s = s + i end; return s end} end\n"
                            "function runaway() return spin:call(1) end\n"
                            "function many() local s = 0\n"
                            "  for i = 1, 1000 do s = s + small:call(i) end; return s end\n"
                            "function few() return small:call(1) + small:call(2) end\n",
                            200000);
    sl_error e;
    ck_assert_double_eq(number_of(h, "few"), 2 * 500500);
    ck_assert_int_ne(call_global(h, "runaway", &e), SL_OK);
    ck_assert_msg(strstr(e.msg, "instruction budget") != NULL, "%s", e.msg);
    /* an exhausted budget ends the script: later calls fail the same way */
    ck_assert_int_ne(call_global(h, "few", &e), SL_OK);
    ck_assert_msg(strstr(e.msg, "instruction budget") != NULL, "%s", e.msg);
    sl_host_destroy(h);
    h = probe_host("local small\n"
                   "function init() small = probe_obj{fn = function(x)\n"
                   "  local s = 0; for i = 1, 1000 do s = s + i end; return s end} end\n"
                   "function many() local s = 0\n"
                   "  for i = 1, 1000 do s = s + small:call(i) end; return s end\n",
                   200000);
    ck_assert_int_ne(call_global(h, "many", &e), SL_OK);
    ck_assert_msg(strstr(e.msg, "instruction budget") != NULL, "%s", e.msg);
    sl_host_destroy(h);
}
END_TEST

START_TEST(test_class_locked)
{
    sl_host *h = probe_host("local obj\n"
                            "function init() obj = probe_obj{fn = function(x) return x end} end\n"
                            "function mt() return getmetatable(obj) == 'locked' and 1 or 0 end\n"
                            "function replace() setmetatable(obj, {}) end\n"
                            "function no_fn() return probe_obj{} end\n"
                            "function bad_fn() return probe_obj{fn = 3} end\n",
                            0);
    ck_assert_double_eq(number_of(h, "mt"), 1);
    expect_error(h, "replace", "setmetatable");
    expect_error(h, "no_fn", "missing option 'fn' in probe_obj{...}");
    expect_error(h, "bad_fn", "probe_obj{...}: option 'fn' must be a function (got 3)");
    /* the type is recorded with its methods */
    lua_State *L = sl_host_lua(h);
    ck_assert_int_eq(lua_getfield(L, LUA_REGISTRYINDEX, SL_LUA_CLASSES_KEY), LUA_TTABLE);
    ck_assert_int_eq(lua_getfield(L, -1, PROBE_MT), LUA_TTABLE);
    ck_assert_int_eq(lua_getfield(L, -1, "__index"), LUA_TTABLE);
    ck_assert_int_eq(lua_getfield(L, -1, "call"), LUA_TFUNCTION);
    lua_pop(L, 4);
    sl_host_destroy(h);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("lua_bind");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup_dirs, teardown_dirs);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_options_read);
    tcase_add_test(tc, test_options_errors);
    tcase_add_test(tc, test_edit_distance);
    tcase_add_test(tc, test_callback_traceback);
    tcase_add_test(tc, test_callback_from_finished_coroutine);
    tcase_add_test(tc, test_callback_budget);
    tcase_add_test(tc, test_class_locked);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
