/* test_lua_sandbox.c - the sandbox as a security boundary, and limits a script cannot escape:
 * no library function a sandbox wrapper replaces is reachable from Lua (neither from a function
 * the wrapper calls back nor from a finalizer), the instruction budget cannot be caught, script
 * finalizers are refused, and the memory limit ends the run. Drives sl_host_* directly. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "swarmlab/lua_host.h"

#include "run_util.h"

static char *dir;
static char *outdir;

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

/* Host for `text` (sandboxed) with an instruction budget and a memory limit (0: defaults). */
static sl_host *host_limits(const char *text, long long budget, long long memory, sl_error *e)
{
    const char *path = write_text(dir, "scenario.lua", text);
    sl_host_def cfg = {
        .scenario = path, .out_dir = outdir, .seed = 3, .threads = 1,
        .instr_budget = budget, .lua_memory = memory, .quiet = 1,
    };
    return sl_host_create(&cfg, e);
}

/* Message of loading `text`, which must fail. */
static const char *fails(const char *text, long long budget, long long memory)
{
    static sl_error e;
    sl_host *h = host_limits(text, budget, memory, &e);
    ck_assert_msg(h == NULL, "expected an error from:\n%s", text);
    return e.msg;
}


static double result_number(sl_host *h, const char *key)
{
    for (int i = 0; i < sl_host_nresults(h); i++) {
        const char *k;
        double num;
        int isnum;
        sl_host_result(h, i, &k, &num, NULL, &isnum);
        if (strcmp(k, key) == 0 && isnum) return num;
    }
    ck_abort_msg("no numeric result '%s'", key);
    return 0;
}

/* ---- escapes ---- */

/* The first route: debug.getinfo(2, "f") from a reader function is the loader that called it;
 * with the real load, a patched binary chunk crashes the VM. */
START_TEST(escape_from_reader_function)
{
    const char *msg = fails(
        "local real_load\n"
        "load(function() real_load = debug.getinfo(2, 'f').func return nil end)\n"
        "local chunk = string.dump(function() return 'abc' end)\n"
        "local i = chunk:find('\\3\\0\\0\\0', 1, true)\n"
        "chunk = chunk:sub(1, i - 1) .. '\\3\\128\\255\\255' .. chunk:sub(i + 4)\n"
        "print(#tostring(assert(real_load(chunk, '=evil', 'b'))()))\n",
        0, 0);
    ck_assert_msg(contains(msg, "scenario.lua:2:") &&
                      contains(msg, "option 'f' is not available in the sandbox"),
                  "%s", msg);
}
END_TEST

/* The second route: a finalizer running during an allocation inside io.open walks the stack for
 * the real io.open and writes outside the output directory. */
START_TEST(escape_from_finalizer)
{
    char text[2000];
    snprintf(text, sizeof text,
             "local real_open\n"
             "for i = 1, 200 do\n"
             "  setmetatable({}, {__gc = function()\n"
             "    for lvl = 2, 12 do\n"
             "      local ok, info = pcall(debug.getinfo, lvl, 'f')\n"
             "      if ok and info and info.func then real_open = real_open or info.func end\n"
             "    end\n"
             "  end})\n"
             "  io.open(swarmlab.output('allowed.txt'), 'w'):close()\n"
             "  if real_open then break end\n"
             "end\n"
             "real_open('%s/escaped.txt', 'w'):write('x')\n",
             dir);
    const char *msg = fails(text, 0, 0);
    ck_assert_msg(contains(msg, "scenario.lua:3:") &&
                      contains(msg, "__gc finalizers are not available in the sandbox"),
                  "%s", msg);
    ck_assert(!file_exists(path_in(dir, "escaped.txt")));

    /* a metatable marked with a non-nil __gc first, the finalizer set later */
    msg = fails("local mt = {__gc = false}\nsetmetatable({}, mt)\n", 0, 0);
    ck_assert_msg(contains(msg, "__gc finalizers are not available"), "%s", msg);
    /* the metatables of strings, files and userdata cannot be reached to add one */
    sl_error e;
    sl_host *h = host_limits(
        "local n = 0\n"
        "if getmetatable('') == nil then n = n + 1 end\n"
        "if getmetatable(io.stdout) == nil then n = n + 1 end\n"
        "if type(getmetatable(swarmlab.world())) ~= 'table' then n = n + 1 end\n"
        "local mt = {}\n"
        "if getmetatable(setmetatable({}, mt)) == mt then n = n + 1 end\n"
        "local locked = setmetatable({}, {__metatable = 'locked'})\n"
        "if getmetatable(locked) == 'locked' then n = n + 1 end\n"
        "if not pcall(setmetatable, locked, {}) then n = n + 1 end\n"
        "swarmlab.result('n', n)\n",
        0, 0, &e);
    ck_assert_msg(h != NULL, "%s", e.msg);
    ck_assert_int_eq((int)result_number(h, "n"), 6);
    sl_host_destroy(h);
}
END_TEST

/* Every function the sandbox replaces or wraps, called so that script code runs while it is on
 * the stack wherever it can (a reader, a require searcher, package.searchpath, a dofile'd chunk),
 * with a probe that walks the whole stack for function values and tries every debug option.
 * Nothing may be found, and the library's own io.open/load must not come back. */
START_TEST(no_original_function_reachable)
{
    write_text(dir, "probed.lua", "probe() return 1\n");
    char text[6000];
    snprintf(text, sizeof text,
             "local found, refused = 0, 0\n"
             "function probe()\n"
             "  for lvl = 0, 24 do\n"
             "    for _, what in ipairs({'f', 'fnS', 'Slnrtu', 'L', '>f'}) do\n"
             "      local ok, info = pcall(debug.getinfo, lvl, what)\n"
             "      if not ok then refused = refused + 1\n"
             "      elseif info and info.func then found = found + 1 end\n"
             "    end\n"
             "    local ok, info = pcall(debug.getinfo, lvl)\n"
             "    if ok and info and info.func then found = found + 1 end\n"
             "  end\n"
             "  local co = coroutine.running()\n"
             "  local ok, info = pcall(debug.getinfo, co, 1, 'f')\n"
             "  if ok and info and info.func then found = found + 1 end\n"
             "end\n"
             "load(function() probe() return nil end)\n"
             "load(function() probe() return nil end, 'x', 'b', {})\n"
             "table.insert(package.searchers, function() probe() return 'not here' end)\n"
             "pcall(require, 'no_such_module_anywhere')\n"
             "local sp = package.searchpath\n"
             "package.searchpath = function(...) probe() return sp(...) end\n"
             "pcall(require, 'still_no_such_module')\n"
             "package.searchpath = sp\n"
             "dofile('%s/probed.lua')\n"
             "assert(loadfile('%s/probed.lua'))()\n"
             "local calls = {\n"
             "  function() io.open(swarmlab.output('a.txt'), 'w'):close() end,\n"
             "  function() io.output(swarmlab.output('b.txt')) io.output():close() end,\n"
             "  function() os.rename(swarmlab.output('a.txt'), swarmlab.output('c.txt')) end,\n"
             "  function() os.remove(swarmlab.output('c.txt')) end,\n"
             "  function() setmetatable({}, {}) getmetatable({}) end,\n"
             "  function() debug.getinfo(1, 'Sl') debug.traceback('x') end,\n"
             "}\n"
             "for _, call in ipairs(calls) do\n"
             "  for i = 1, 20 do\n"
             "    pcall(setmetatable, {}, {__gc = probe})\n"
             "    call()\n"
             "  end\n"
             "  probe()\n"
             "end\n"
             "local n = 0\n"
             "for k in pairs(debug) do n = n + 1 end\n"
             "swarmlab.result('found', found)\n"
             "swarmlab.result('refused', refused)\n"
             "swarmlab.result('debug_entries', n)\n"
             "swarmlab.result('getlocal', debug.getlocal == nil and debug.getupvalue == nil and\n"
             "  debug.upvalueid == nil and debug.upvaluejoin == nil and debug.sethook == nil and\n"
             "  debug.getregistry == nil and debug.getmetatable == nil and 1 or 0)\n",
             dir, dir);
    sl_error e;
    sl_host *h = host_limits(text, 0, 0, &e);
    ck_assert_msg(h != NULL, "%s", e.msg);
    ck_assert_int_eq((int)result_number(h, "found"), 0);
    ck_assert_msg(result_number(h, "refused") > 0, "the probe never asked for 'f'");
    ck_assert_int_eq((int)result_number(h, "debug_entries"), 2);
    ck_assert_int_eq((int)result_number(h, "getlocal"), 1);
    ck_assert(file_exists(path_in(outdir, "b.txt")));
    ck_assert(!file_exists(path_in(outdir, "c.txt")));
    sl_host_destroy(h);
}
END_TEST

/* The replacements behave like the library functions for ordinary use. */
START_TEST(replacements_work)
{
    sl_error e;
    sl_host *h = host_limits(
        "local n = 0\n"
        "local function ok(c) if c then n = n + 1 end end\n"
        "ok(load('return 1 + 1')() == 2)\n"
        "local parts, i = {'return ', '4', '2'}, 0\n"
        "ok(load(function() i = i + 1 return parts[i] end)() == 42)\n"
        "local env = {}\n"
        "load('x = 5', 'chunk', 't', env)()\n"
        "ok(env.x == 5 and x == nil)\n"
        "local f, msg = load('return +')\n"
        "ok(f == nil and msg:find('chunk') == nil and type(msg) == 'string')\n"
        "ok(load(string.dump(function() return 1 end)) == nil)\n"
        "ok(select(2, load('error(\"e\")', '=named'))  == nil)\n"
        "local g = assert(io.open(swarmlab.output('t.txt'), 'w'))\n"
        "g:write('hi') g:close()\n"
        "ok(io.open(swarmlab.output('t.txt')):read('a') == 'hi')\n"
        "ok(io.type(io.open(swarmlab.output('t.txt'))) == 'file')\n"
        "ok(io.open('/no/such/file') == nil)\n"
        "ok(not pcall(io.open, swarmlab.output('t.txt'), 'rw'))\n"
        "ok(os.rename(swarmlab.output('t.txt'), swarmlab.output('u.txt')) == true)\n"
        "ok(os.remove(swarmlab.output('u.txt')) == true)\n"
        "ok(select(2, os.remove(swarmlab.output('u.txt'))):find('No such file') ~= nil)\n"
        "ok(os.setlocale == nil)\n"
        "ok(debug.getinfo(1, 'l').currentline == 23)\n"
        "local function callee() return debug.getinfo(2, 'l').currentline end\n"
        "ok(callee() == 25)\n"
        "ok(debug.getinfo(print).what == 'C')\n"
        "swarmlab.result('n', n)\n",
        0, 0, &e);
    ck_assert_msg(h != NULL, "%s", e.msg);
    ck_assert_int_eq((int)result_number(h, "n"), 17);
    sl_host_destroy(h);
}
END_TEST

/* ---- the instruction budget ---- */

START_TEST(budget_cannot_be_caught)
{
    const char *msg = fails("local n = 0\n"
                            "for i = 1, 5 do\n"
                            "  pcall(function() while true do end end)\n"
                            "  n = n + 1\n"
                            "end\n"
                            "swarmlab.result('n', n)\n",
                            1000000, 0);
    ck_assert_msg(contains(msg, "instruction budget of 1000000 exceeded"), "%s", msg);
    msg = fails("while true do\n"
                "  xpcall(function() while true do end end, function(m) return m end)\n"
                "end\n",
                1000000, 0);
    ck_assert_msg(contains(msg, "instruction budget of 1000000 exceeded"), "%s", msg);
    msg = fails("for i = 1, 3 do\n"
                "  coroutine.resume(coroutine.create(function() while true do end end))\n"
                "end\n",
                1000000, 0);
    ck_assert_msg(contains(msg, "instruction budget of 1000000 exceeded"), "%s", msg);
    /* an error handler that loops is stopped too */
    msg = fails("xpcall(function() error('x') end, function() while true do end end)\n", 1000000, 0);
    ck_assert_msg(contains(msg, "instruction budget"), "%s", msg);

    /* once exhausted, every later call fails with the same message */
    sl_error e;
    sl_host *h = host_limits("function step(w, t)\n"
                             "  if t == 2 then pcall(function() while true do end end) end\n"
                             "end\n"
                             "function finish(w) end\n",
                             1000000, 0, &e);
    ck_assert_msg(h != NULL, "%s", e.msg);
    ck_assert_int_eq(sl_host_setup(h, &e), SL_OK);
    ck_assert_int_eq(sl_host_step(h, &e), SL_OK);
    ck_assert_int_ne(sl_host_step(h, &e), SL_OK);
    ck_assert_msg(contains(e.msg, "instruction budget"), "%s", e.msg);
    ck_assert_int_ne(sl_host_step(h, &e), SL_OK);
    ck_assert_msg(contains(e.msg, "instruction budget"), "%s", e.msg);
    ck_assert_int_eq(sl_host_finish(h, &e), SL_ERR_LUA);
    ck_assert_msg(contains(e.msg, "instruction budget"), "%s", e.msg);
    sl_host_destroy(h);
}
END_TEST

/* A finalizer runs with the budget's hook off: an endless one (during the run or at exit, when
 * the state closes) would hang the process. Scripts cannot define finalizers. */
START_TEST(finalizer_loops_refused)
{
    const char *msg = fails("setmetatable({}, {__gc = function() while true do end end})\n"
                            "collectgarbage()\n",
                            1000000, 0);
    ck_assert_msg(contains(msg, "scenario.lua:1:") && contains(msg, "__gc finalizers"), "%s", msg);
    /* kept alive to the end: the state's close must not run it */
    msg = fails("keep = setmetatable({}, {__gc = function() while true do end end})\n", 1000000, 0);
    ck_assert_msg(contains(msg, "__gc finalizers"), "%s", msg);
    /* through the metatable of a file or a userdata */
    msg = fails("getmetatable(io.stdout).__gc = function() while true do end end\n", 1000000, 0);
    ck_assert_msg(contains(msg, "attempt to index a nil value"), "%s", msg);
}
END_TEST

/* ---- the memory limit ---- */

START_TEST(memory_limit)
{
    const long long limit = 64LL << 20;
    /* ten 2 GB strings, each caught by pcall */
    const char *msg = fails("for i = 1, 10 do pcall(string.rep, 'x', 2e9) end\n", 0, limit);
    ck_assert_msg(contains(msg, "Lua memory limit of 64 MiB exceeded (--lua-memory)"), "%s", msg);
    /* growth by small pieces, caught */
    msg = fails("local t = {}\n"
                "pcall(function() for i = 1, 1e9 do t[i] = {i} end end)\n"
                "t = nil collectgarbage()\n",
                0, limit);
    ck_assert_msg(contains(msg, "Lua memory limit of 64 MiB exceeded"), "%s", msg);
    /* a string under the limit, garbage made and collected many times over: fine */
    sl_error e;
    sl_host *h = host_limits("local s = string.rep('x', 16 * 1024 * 1024)\n"
                             "for i = 1, 40 do local t = {} for j = 1, 20000 do t[j] = {j} end end\n"
                             "swarmlab.result('len', #s)\n",
                             0, limit, &e);
    ck_assert_msg(h != NULL, "%s", e.msg);
    ck_assert_int_eq((int)result_number(h, "len"), 16 * 1024 * 1024);
    sl_host_destroy(h);
    /* the limit is sticky: later callbacks fail too */
    h = host_limits("function setup(w) pcall(string.rep, 'x', 1e9) end\nfunction finish(w) end\n",
                    0, limit, &e);
    ck_assert_msg(h != NULL, "%s", e.msg);
    ck_assert_int_eq(sl_host_setup(h, &e), SL_ERR_LUA);
    ck_assert_msg(contains(e.msg, "memory limit"), "%s", e.msg);
    ck_assert_int_eq(sl_host_finish(h, &e), SL_ERR_LUA);
    ck_assert_msg(contains(e.msg, "memory limit"), "%s", e.msg);
    sl_host_destroy(h);
}
END_TEST

static Suite *sandbox_suite(void)
{
    Suite *s = suite_create("lua_sandbox");
    TCase *t = tcase_create("sandbox");
    tcase_add_checked_fixture(t, setup_dirs, teardown_dirs);
    tcase_set_timeout(t, 120);
    tcase_add_test(t, escape_from_reader_function);
    tcase_add_test(t, escape_from_finalizer);
    tcase_add_test(t, no_original_function_reachable);
    tcase_add_test(t, replacements_work);
    tcase_add_test(t, budget_cannot_be_caught);
    tcase_add_test(t, finalizer_loops_refused);
    tcase_add_test(t, memory_limit);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    SRunner *r = srunner_create(sandbox_suite());
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
