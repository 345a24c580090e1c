/* test_lua_callbacks.c - memory safety of module callbacks and objects driven from scenarios:
 * systems created while a step runs, contract-net callbacks that open conversations, callbacks
 * created inside coroutines that are collected before they run, locked metatables, re-entrant
 * solvers, and type confusion in binding arguments. Run under ASan (best with the Lua of
 * scripts/build-lua-asan) these catch use after free; without it they still check the results. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "swarmlab/lua_host.h"
#include "swarmlab/world.h"

#include "run_util.h"

/* A supplier and a warehouse (id 2) for the supply chains below; stores come from `stores`. */
#define SC_NET "sites = {{id = 1, kind = 'supplier', x = 0, y = 0}, " \
               "{id = 2, kind = 'warehouse', x = 5, y = 5}}"

/* the module bindings these scenarios use */
void sl_lua_open_boids(lua_State *L);
void sl_lua_open_logistics(lua_State *L);
void sl_lua_open_negotiation(lua_State *L);
void sl_lua_open_pso(lua_State *L);
void sl_lua_open_roads(lua_State *L);

static void open_modules(lua_State *L)
{
    sl_lua_open_boids(L);
    sl_lua_open_logistics(L);
    sl_lua_open_negotiation(L);
    sl_lua_open_pso(L);
    sl_lua_open_roads(L);
}

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

static sl_host *load(const char *text, sl_error *e)
{
    const char *path = write_text(dir, "scenario.lua", text);
    sl_host_def cfg = {
        .scenario = path, .out_dir = outdir, .seed = 11, .threads = 2, .quiet = 1,
        .open_modules = open_modules,
    };
    return sl_host_create(&cfg, e);
}

/* Loads text, runs setup, `steps` steps and finish; every call must succeed. */
static sl_host *run_ok(const char *text, int steps)
{
    sl_error e;
    sl_host *h = load(text, &e);
    ck_assert_msg(h != NULL, "load failed: %s", e.msg);
    ck_assert_msg(sl_host_setup(h, &e) == SL_OK, "setup failed: %s", e.msg);
    for (int i = 0; i < steps; i++) {
        ck_assert_msg(sl_host_step(h, &e) == SL_OK, "step %d failed: %s", i + 1, e.msg);
    }
    ck_assert_msg(sl_host_finish(h, &e) == SL_OK, "finish failed: %s", e.msg);
    return h;
}

/* The error of loading text (which must fail to load). */
static const char *load_error(const char *text)
{
    static sl_error e;
    sl_host *h = load(text, &e);
    ck_assert_msg(h == NULL, "expected an error loading:\n%s", text);
    return e.msg;
}

static int result(sl_host *h, const char *key, double *num, const char **str)
{
    for (int i = 0; i < sl_host_nresults(h); i++) {
        const char *k;
        int isnum;
        sl_host_result(h, i, &k, num, str, &isnum);
        if (strcmp(k, key) == 0) return isnum;
    }
    ck_abort_msg("no result '%s'", key);
    return -1;
}

static double num_result(sl_host *h, const char *key)
{
    double v = 0;
    ck_assert_int_eq(result(h, key, &v, NULL), 1);
    return v;
}

static const char *str_result(sl_host *h, const char *key)
{
    const char *s = NULL;
    ck_assert_int_eq(result(h, key, NULL, &s), 0);
    return s;
}

/* step() makes ten contract nets, a PSO swarm and a flock in its first call: the world's system
 * array grows (several times) while the step's own system runs. They run from the next step. */
START_TEST(systems_created_during_a_step)
{
    sl_host *h = run_ok(
        "local birds\n"
        "function setup(world)\n"
        "  birds = world:population{name = 'birds', n = 30, columns = {'x', 'y', 'vx', 'vy'}}\n"
        "end\n"
        "local solver\n"
        "function step(world, t)\n"
        "  if t == 1 then\n"
        "    for i = 1, 10 do swarmlab.contract_net{bid = function() return 1 end} end\n"
        "    solver = swarmlab.pso_solver{objective = 'sphere', dim = 2, swarm = 6, fes = 10000}\n"
        "    solver:attach(world, 'particles')\n"
        "    swarmlab.boids.attach(birds, {width = 50, height = 50})\n"
        "  end\n"
        "end\n"
        "function finish(world)\n"
        "  swarmlab.result('iterations', solver:result().iterations)\n"
        "  local ref = swarmlab.pso_solver{objective = 'sphere', dim = 2, swarm = 6, fes = 10000}\n"
        "  for i = 1, 4 do ref:step() end\n"
        "  swarmlab.result('four_steps', ref:result().iterations)\n"
        "end\n",
        5);
    sl_world *w = sl_host_world(h);
    /* lua.step, 10 contract nets, pso.step, boids */
    ck_assert_int_eq(sl_world_nsystems(w), 13);
    ck_assert_str_eq(sl_world_system_name(w, 0), "lua.step");
    ck_assert_str_eq(sl_world_system_name(w, 12), "boids");
    /* created in step 1, the swarm was stepped in steps 2..5: as often as a solver stepped 4 times */
    ck_assert(num_result(h, "iterations") == num_result(h, "four_steps"));
    ck_assert(num_result(h, "iterations") > 0);
    ck_assert_ptr_nonnull(sl_world_attached(w, "pso.particles"));
    sl_host_destroy(h);
}
END_TEST

/* Bid, exec and on_close callbacks of the first conversation each open 100 more (the conversation
 * arrays move under the protocol engine); the first still ends done with the cheapest bidder. */
START_TEST(contract_net_callbacks_announce)
{
    sl_host *h = run_ok(
        "local cn, m, b\n"
        "local opened = 0\n"
        "local function more()\n"
        "  for i = 1, 100 do\n"
        "    cn:announce{manager = {pop = m, slot = 1}, bidders = b}\n"
        "    opened = opened + 1\n"
        "  end\n"
        "end\n"
        "function setup(world)\n"
        "  m = world:population{name = 'managers', n = 1}\n"
        "  b = world:population{name = 'bidders', n = 3}\n"
        "  cn = swarmlab.contract_net{\n"
        "    bid = function(conv, bidder) if conv.id == 1 then more() end return 4 - bidder.slot end,\n"
        "    exec = function(conv) if conv.id == 1 then more() end return true end,\n"
        "    on_close = function(conv) if conv.id == 1 then more() end end}\n"
        "  cn:announce{manager = {pop = m, slot = 1}, bidders = b}\n"
        "end\n"
        "function finish(world)\n"
        "  local c = cn:conv(1)\n"
        "  swarmlab.result('state', c.state)\n"
        "  swarmlab.result('winner', c.winner.slot)\n"
        "  swarmlab.result('opened', opened)\n"
        "  swarmlab.result('done', cn:counts().done)\n"
        "end\n",
        12);
    ck_assert_str_eq(str_result(h, "state"), "done");
    ck_assert(num_result(h, "winner") == 3);
    ck_assert(num_result(h, "opened") == 500);
    ck_assert(num_result(h, "done") == 501);
    sl_host_destroy(h);
}
END_TEST

/* Solvers, contract nets and supply chains made inside a coroutine keep Lua functions that are
 * called after the coroutine ended and was collected. */
START_TEST(callbacks_outlive_their_coroutine)
{
    sl_host *h = run_ok(
        "local solver, cn, sc\n"
        "local calls = 0\n"
        "function setup(world)\n"
        "  local co = coroutine.create(function()\n"
        "    solver = swarmlab.pso_solver{objective = function(x)\n"
        "        calls = calls + 1\n"
        "        return x[1] * x[1] + x[2] * x[2] end,\n"
        "      dim = 2, lower = -5, upper = 5, swarm = 8, fes = 400}\n"
        "    local m = world:population{name = 'm', n = 1}\n"
        "    local b = world:population{name = 'b', n = 3}\n"
        "    cn = swarmlab.contract_net{bid = function(conv, bidder) return bidder.slot end}\n"
        "    cn:announce{manager = {pop = m, slot = 1}, bidders = b}\n"
        "    sc = swarmlab.supply_chain(world, {name = 'sc', stores = {count = 6},\n"
        "      " SC_NET ",\n"
        "      fleets = {{depot = 2, vehicles = 2, bid = function(info) return info.marginal end}}})\n"
        "    coroutine.yield()\n"
        "  end)\n"
        "  assert(coroutine.resume(co))\n"
        "  co = nil\n"
        "  collectgarbage()\n"
        "  collectgarbage()\n"
        "  -- a policy runs only during the call: from a coroutine it is called there\n"
        "  local r = coroutine.wrap(function()\n"
        "    return swarmlab.beer_game{weeks = 8, policy = function(v) return 4 end}\n"
        "  end)()\n"
        "  swarmlab.result('beer_cost', r.total_cost)\n"
        "end\n"
        "function step(world, t)\n"
        "  if t == 3 then\n"
        "    local r = solver:run()\n"
        "    swarmlab.result('pso_fes', r.fes)\n"
        "  end\n"
        "end\n"
        "function finish(world)\n"
        "  swarmlab.result('calls', calls)\n"
        "  swarmlab.result('cn_state', cn:conv(1).state)\n"
        "  swarmlab.result('cn_winner', cn:conv(1).winner.slot)\n"
        "  swarmlab.result('sc_steps', sc:kpis().steps)\n"
        "end\n",
        30);
    ck_assert(num_result(h, "pso_fes") == 400);
    ck_assert(num_result(h, "calls") == 400);
    ck_assert_str_eq(str_result(h, "cn_state"), "done");
    ck_assert(num_result(h, "cn_winner") == 1);
    ck_assert(num_result(h, "sc_steps") == 30);
    ck_assert(num_result(h, "beer_cost") > 0);
    sl_host_destroy(h);
}
END_TEST

/* A solver whose objective calls the solver again gets a clean error, not a re-entered
 * iteration. */
START_TEST(pso_objective_cannot_reenter)
{
    const char *msg = load_error(
        "local s\n"
        "s = swarmlab.pso_solver{objective = function(x) s:step() return 0 end,\n"
        "                        dim = 2, lower = -1, upper = 1, swarm = 4, fes = 100}\n"
        "s:step()\n");
    ck_assert_msg(strstr(msg, "pso solver is running") != NULL, "%s", msg);
    msg = load_error(
        "local s\n"
        "s = swarmlab.pso_solver{objective = function(x) s:run() return 0 end,\n"
        "                        dim = 2, lower = -1, upper = 1, swarm = 4, fes = 100}\n"
        "s:run()\n");
    ck_assert_msg(strstr(msg, "pso solver is running") != NULL, "%s", msg);
}
END_TEST

/* No module object exposes its metatable: __gc cannot be called by a script. */
START_TEST(metatables_are_locked)
{
    sl_host *h = run_ok(
        "local objs = {}\n"
        "function setup(world)\n"
        "  local p = world:population{name = 'p', n = 3}\n"
        "  local m = world:population{name = 'm', n = 1}\n"
        "  objs.world = world\n"
        "  objs.pop = p\n"
        "  objs.field = world:field{name = 'f', nx = 4, ny = 4}\n"
        "  objs.graph = world:graph{name = 'g', nodes = 3}\n"
        "  objs.rng = swarmlab.rng(1, 1)\n"
        "  objs.pso = swarmlab.pso_solver{objective = 'sphere', dim = 2, fes = 100}\n"
        "  objs.cnet = swarmlab.contract_net{bid = function() return 1 end}\n"
        "  objs.sc = swarmlab.supply_chain(world, {name = 'sc', stores = {count = 3}, " SC_NET "})\n"
        "  local n = 0\n"
        "  for name, o in pairs(objs) do\n"
        "    local mt = getmetatable(o)\n"
        "    if mt ~= 'locked' then error(name .. ' has an open metatable') end\n"
        "    n = n + 1\n"
        "  end\n"
        "  swarmlab.result('checked', n)\n"
        "  local ok, err = pcall(function() return getmetatable(objs.pso).__gc(objs.pso) end)\n"
        "  swarmlab.result('gc_error', tostring(err))\n"
        "  swarmlab.result('after', objs.pso:result().fes)\n"
        "end\n",
        0);
    ck_assert(num_result(h, "checked") == 8);
    ck_assert_msg(strstr(str_result(h, "gc_error"), "attempt to call a nil value (field '__gc')") != NULL,
                  "%s", str_result(h, "gc_error"));
    ck_assert(num_result(h, "after") == 0);
    sl_host_destroy(h);
}
END_TEST

/* Arguments of the wrong type inside tables: a clean error naming the field. */
START_TEST(bindings_name_the_bad_field)
{
    static const struct { const char *code, *want; } cases[] = {
        {"swarmlab.auction{agents = {5}, tasks = {{0, 0}}}", "agents[1] must be {x, y}"},
        {"swarmlab.auction{agents = {{0, 0}}, tasks = {'x'}}", "tasks[1] must be {x, y}"},
        {"swarmlab.auction{agents = {{0, 0}}, tasks = {{0, 0 / 0}}}", "tasks[1] must be {x, y}"},
        {"swarmlab.auction{agents = 5, tasks = {}}", "'agents' must be a list of {x, y}"},
        {"swarmlab.auction{agents = {{0, 0}}, tasks = {{1, 1}}, method = {}}",
         "'method' must be a string"},
        {"local cn = swarmlab.contract_net{bid = print}\n"
         "cn:announce{manager = {pop = 0, id = 1}, bidders = {{pop = 0, id = 2}}, data = {'a'}}",
         "data[1] must be a number"},
        {"local cn = swarmlab.contract_net{bid = print}\n"
         "cn:announce{manager = {pop = 0, id = 1}, bidders = {7}}", "bidder 1 must be"},
        {"swarmlab.contract_net{bid = print, deadline = 2^40}", "'deadline' must be an integer"},
        {"swarmlab.contract_net{bid = print, loss = 0 / 0}", "'loss' must be a number in 0..1"},
        {"local w = swarmlab.world()\n"
         "local g = w:graph{name = 'r', nodes = 2}\n"
         "g:add_edge(1, 2, 1)\n"
         "swarmlab.supply_chain(w, {stores = {count = 2, nodes = {1, 9}}, roads = g})",
         "option 'nodes' [2] must be in [1, 2] (got 9)"},
        {"swarmlab.supply_chain{name = 'a', stores = {count = 2}, " SC_NET "}\n"
         "swarmlab.supply_chain{name = 'a', stores = {count = 2}, " SC_NET "}",
         "a supply chain named 'a' already exists"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *msg = load_error(cases[i].code);
        ck_assert_msg(strstr(msg, cases[i].want) != NULL, "case %zu: '%s' does not say '%s'", i,
                      msg, cases[i].want);
        ck_assert_msg(strstr(msg, "scenario.lua:") != NULL, "case %zu: no line in '%s'", i, msg);
    }
}
END_TEST

/* Callbacks called during world steps that return bad values or raise odd errors: the run stops
 * (or goes on) with a clean one-line error, never a crash. */
/* Callbacks that finish their own contract net or supply chain in the middle of a step (every
 * open conversation is aborted under the protocol engine that called them), and open new ones. */
START_TEST(callbacks_finish_their_owner)
{
    sl_host *h = run_ok(
        "local sc\n"
        "local n = 0\n"
        "function setup(world)\n"
        "  sc = swarmlab.supply_chain(world, {name = 'sc', stores = {count = 8}, " SC_NET ",\n"
        "    fleets = {{depot = 2, vehicles = 3, bid = function(info)\n"
        "      n = n + 1\n"
        "      if n % 3 == 0 then sc:finish() end\n"
        "      return info.marginal\n"
        "    end}}})\n"
        "end\n"
        "function finish(world) swarmlab.result('bids', n) end\n",
        20);
    ck_assert(num_result(h, "bids") > 0);
    sl_host_destroy(h);
    h = run_ok(
        "local cn, m, b\n"
        "local n = 0\n"
        "function setup(world)\n"
        "  m = world:population{name = 'm', n = 1}\n"
        "  b = world:population{name = 'b', n = 4}\n"
        "  local function more() cn:announce{manager = {pop = m, slot = 1}, bidders = b} end\n"
        "  cn = swarmlab.contract_net{\n"
        "    bid = function(conv, bidder)\n"
        "      n = n + 1\n"
        "      if n % 2 == 0 then cn:finish() end\n"
        "      if n < 40 then more() end\n"
        "      return bidder.slot\n"
        "    end,\n"
        "    exec = function() cn:finish() return true end,\n"
        "    on_close = function(conv) if conv.id < 50 then more() end end}\n"
        "  more()\n"
        "end\n"
        "function finish(world)\n"
        "  cn:finish()\n"
        "  local k = cn:counts()\n"
        "  swarmlab.result('bids', n)\n"
        "  swarmlab.result('open', k.open + k.awarded)\n"
        "end\n",
        20);
    ck_assert(num_result(h, "bids") >= 40);
    ck_assert(num_result(h, "open") == 0);
    sl_host_destroy(h);
}
END_TEST

/* Values found by tests/scenarios/bad_values.lua that crashed: a flocking radius far larger than
 * the plane (int overflow of the cells it spans) and a route list whose __len is negative (an
 * overlay sized for -1 routes). */
START_TEST(bad_values_found_by_the_script)
{
    sl_host *h = run_ok(
        "function setup(world)\n"
        "  local p = world:population{name = 'b', n = 20, columns = {'x', 'y', 'vx', 'vy'}}\n"
        "  swarmlab.boids.attach(p, {width = 20, height = 20, radius = 1e308})\n"
        "  swarmlab.boids.spawn(p, 5)\n"
        "end\n"
        "function finish(world) swarmlab.result('n', world:pop('b'):count()) end\n",
        3);
    ck_assert(num_result(h, "n") == 25);
    sl_host_destroy(h);
    const char *msg = load_error(
        "local net = swarmlab.roads{file = 'agents/roads/tests/data/town.osm'}\n"
        "net:show{routes = setmetatable({}, {__len = function() return -1 end})}\n");
    ck_assert_msg(strstr(msg, "routes must be a list of at most 100000 routes") != NULL, "%s", msg);
    msg = load_error(
        "local net = swarmlab.roads{file = 'agents/roads/tests/data/town.osm'}\n"
        "local i = net:info()\n"
        "net:show{sites = {{i.lon_min, i.lat_min}},\n"
        "         routes = {setmetatable({}, {__len = function() return 2^40 end})}}\n");
    ck_assert_msg(strstr(msg, "routes[1] must list at most 100000 sites") != NULL, "%s", msg);
}
END_TEST

START_TEST(step_callbacks_return_bad_values)
{
    static const char *const values[] = {
        "0 / 0", "1 / 0", "-1 / 0", "-1", "1e308", "math.mininteger", "'x'", "''", "{}", "true",
        "false", "print", "coroutine.create(print)", "swarmlab.world()",
        "setmetatable({}, {__index = function() error('index') end})", "error('boom')",
        "error({})", "error(setmetatable({}, {__tostring = function() error('nested') end}))",
        "error()", "coroutine.yield()", "nil, 'second'", "(function() local t = {} "
        "for i = 1, 200 do t = {t} end return t end)()", "string.rep('x', 100000)",
    };
    static const char *const templates[] = {
        /* contract net: bid, exec and on_close */
        "function setup(world)\n"
        "  local m = world:population{name = 'm', n = 1}\n"
        "  local b = world:population{name = 'b', n = 2}\n"
        "  cn = swarmlab.contract_net{bid = function(conv, bidder) return %s end}\n"
        "  cn:announce{manager = {pop = m, slot = 1}, bidders = b}\n"
        "end\n",
        "function setup(world)\n"
        "  local m = world:population{name = 'm', n = 1}\n"
        "  local b = world:population{name = 'b', n = 2}\n"
        "  local v = function() return %s end\n"
        "  cn = swarmlab.contract_net{bid = function() return 1 end, exec = v, on_close = v}\n"
        "  cn:announce{manager = {pop = m, slot = 1}, bidders = b}\n"
        "end\n",
        /* supply chain bid */
        "function setup(world)\n"
        "  swarmlab.supply_chain(world, {name = 'sc', stores = {count = 4}, " SC_NET ",\n"
        "    fleets = {{depot = 2, vehicles = 2, bid = function(info) return %s end}}})\n"
        "end\n",
        /* an attached PSO swarm's objective */
        "function setup(world)\n"
        "  local s = swarmlab.pso_solver{objective = function(x) return %s end, dim = 2,\n"
        "                                lower = -1, upper = 1, swarm = 4, fes = 80}\n"
        "  s:attach(world, 'q')\n"
        "end\n",
    };
    char text[2048];
    int failed_runs = 0;
    for (size_t t = 0; t < sizeof templates / sizeof templates[0]; t++) {
        for (size_t v = 0; v < sizeof values / sizeof values[0]; v++) {
            snprintf(text, sizeof text, templates[t], values[v]);
            sl_error e;
            sl_host *h = load(text, &e);
            ck_assert_msg(h != NULL, "template %zu, value %s: load failed: %s", t, values[v], e.msg);
            sl_status st = sl_host_setup(h, &e);
            for (int i = 0; i < 12 && st == SL_OK; i++) st = sl_host_step(h, &e);
            if (st == SL_OK) st = sl_host_finish(h, &e);
            if (st != SL_OK) {
                failed_runs++;
                ck_assert_msg(e.msg[0] != '\0', "template %zu, value %s: empty error", t, values[v]);
                ck_assert_msg(strchr(e.msg, '\n') == NULL, "template %zu, value %s: '%s'", t,
                              values[v], e.msg);
            }
            sl_host_destroy(h);
        }
    }
    /* most of these values are errors: the runs must have noticed */
    ck_assert_int_ge(failed_runs, 40);
}
END_TEST

/* Module callbacks run through the host's protected call: the error names the callback's line
 * and the traceback holds the whole stack (callback, binding, the scenario code that called it);
 * a runaway callback is stopped by the instruction budget. */
START_TEST(module_callbacks_report_the_whole_traceback)
{
    static const char *const cases[][2] = {
        {"local function objective(x)\n"
         "  error('objective broke')\n"
         "end\n"
         "local function solve()\n"
         "  return swarmlab.pso{objective = objective, dim = 2, lower = -1, upper = 1, fes = 50}\n"
         "end\n"
         "function setup(world) solve() end\n",
         "scenario.lua:2: objective broke"},
        {"local function policy(v)\n"
         "  error('policy broke')\n"
         "end\n"
         "local function solve() return swarmlab.beer_game{policy = policy} end\n"
         "function setup(world) solve() end\n",
         "scenario.lua:2: policy broke"},
    };
    for (int i = 0; i < 2; i++) {
        sl_error e;
        sl_host *h = load(cases[i][0], &e);
        ck_assert_msg(h != NULL, "%s", e.msg);
        ck_assert_int_ne(sl_host_setup(h, &e), SL_OK);
        ck_assert_msg(strstr(e.msg, cases[i][1]) != NULL, "%s", e.msg);
        const char *tb = sl_host_traceback(h);
        ck_assert_msg(strstr(tb, "scenario.lua:2: in function") != NULL, "no callback frame:\n%s", tb);
        ck_assert_msg(strstr(tb, "in upvalue 'solve'") != NULL, "no caller frame:\n%s", tb);
        ck_assert_msg(strstr(tb, "in function 'setup'") != NULL, "no setup frame:\n%s", tb);
        sl_host_destroy(h);
    }
    sl_error e;
    const char *spin = "function setup(world)\n"
                       "  swarmlab.pso{objective = function(x) while true do end end, dim = 2,\n"
                       "               lower = -1, upper = 1, fes = 50}\n"
                       "end\n";
    const char *path = write_text(dir, "scenario.lua", spin);
    sl_host_def cfg = {.scenario = path, .out_dir = outdir, .seed = 11, .threads = 1,
                          .quiet = 1, .instr_budget = 100000, .open_modules = open_modules};
    sl_host *h = sl_host_create(&cfg, &e);
    ck_assert_msg(h != NULL, "%s", e.msg);
    ck_assert_int_ne(sl_host_setup(h, &e), SL_OK);
    ck_assert_msg(strstr(e.msg, "instruction budget") != NULL, "%s", e.msg);
    sl_host_destroy(h);
}
END_TEST

static Suite *callbacks_suite(void)
{
    Suite *s = suite_create("lua_callbacks");
    TCase *t = tcase_create("callbacks");
    tcase_add_checked_fixture(t, setup_dirs, teardown_dirs);
    tcase_set_timeout(t, 120);
    tcase_add_test(t, systems_created_during_a_step);
    tcase_add_test(t, contract_net_callbacks_announce);
    tcase_add_test(t, callbacks_outlive_their_coroutine);
    tcase_add_test(t, pso_objective_cannot_reenter);
    tcase_add_test(t, metatables_are_locked);
    tcase_add_test(t, bindings_name_the_bad_field);
    tcase_add_test(t, step_callbacks_return_bad_values);
    tcase_add_test(t, bad_values_found_by_the_script);
    tcase_add_test(t, module_callbacks_report_the_whole_traceback);
    tcase_add_test(t, callbacks_finish_their_owner);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    SRunner *r = srunner_create(callbacks_suite());
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
