/* aco_lua.c - Lua binding.
 *
 *   local res = swarmlab.aco{instance = "x.tsp", variant = "mmas", local_search = "3opt",
 *                            iterations = 500}          -- runs to the stopping criterion
 *   local s = swarmlab.aco_solver{...}; s:step(); s:done(); s:run()  -- one iteration at a time
 *   s:attach()       -- or: a world system, one iteration per world step
 *
 * Options: instance (path), variant ("as"|"acs"|"mmas"|"ras"), ants, alpha, beta, rho, q0, xi,
 * ranks, pbest, gamma, nn (candidate list length), local_search ("none"|"2opt"|"oropt"|"3opt"),
 * ls_ants, kicks (CVRP: ruin-and-recreate kicks of the annealing walk per iteration), anneal
 * (their start temperature in mean edge lengths), time (wall
 * seconds), cpu_time, iterations, target, threads (default: the world's), seed (default: the
 * world's seed). The option table is strict (lua_bind.h).
 *
 * The Lua handle owns the colony and its instance (freed by __gc, also after a Lua error). The
 * newest colony is the one sl_aco_world_colony returns, so a viewer draws its pheromone and best
 * tour for as long as the scenario keeps the handle.
 */
#include <lauxlib.h>
#include <lua.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aco_view.h"
#include "swarmlab/aco.h"
#include "swarmlab/lua_bind.h"
#include "swarmlab/lua_host.h"

void sl_lua_open_aco(lua_State *L);

#define ACO_MT "swarmlab.aco_solver"

typedef struct lua_colony {
    sl_aco *c;
    sl_instance *in;
    aco_view *view;     /* the world's viewer link, or NULL */
    int attached;       /* 1 once registered as a world system */
} lua_colony;

static const char *const known_opts[] = {
    "instance", "variant", "ants", "alpha", "beta", "rho", "q0", "xi", "ranks", "pbest", "gamma",
    "nn", "local_search", "ls_ants", "kicks", "anneal", "time", "cpu_time", "iterations",
    "target", "threads", "seed", NULL};

static const char *const variants[] = {"as", "acs", "mmas", "ras", NULL};
static const char *const searches[] = {"none", "2opt", "oropt", "3opt", NULL};

/* Reads the options table at index 1 (shown as `name`) into p; returns the resolved instance
 * path (kept on the stack). */
static const char *read_options(lua_State *L, const char *name, sl_aco_def *p)
{
    sl_lua_opts o;
    sl_lua_opts_open(&o, L, 1, name, known_opts);
    sl_world *w = sl_lua_world(L);
    *p = sl_aco_def_default();
    p->variant = (sl_aco_variant)sl_aco_variant_parse(
        variants[sl_lua_opt_enum(&o, "variant", variants, SL_ACO_MMAS)]);
    p->ls = (sl_ls_kind)sl_ls_kind_parse(searches[sl_lua_opt_enum(&o, "local_search", searches, 0)]);
    /* absent tunables keep the "default" marker (-1): the colony fills in published values */
    p->ants = (int)sl_lua_opt_integer(&o, "ants", -1, 1, 1000000);
    p->alpha = sl_lua_opt_number(&o, "alpha", -1, 0, HUGE_VAL);
    p->beta = sl_lua_opt_number(&o, "beta", -1, 0, HUGE_VAL);
    p->rho = sl_lua_opt_number(&o, "rho", -1, 0, HUGE_VAL);
    p->q0 = sl_lua_opt_number(&o, "q0", -1, 0, HUGE_VAL);
    p->xi = sl_lua_opt_number(&o, "xi", -1, 0, HUGE_VAL);
    p->pbest = sl_lua_opt_number(&o, "pbest", -1, 0, HUGE_VAL);
    p->gamma = sl_lua_opt_number(&o, "gamma", -1, 0, HUGE_VAL);
    p->ranks = (int)sl_lua_opt_integer(&o, "ranks", -1, 0, 1000000);
    p->nn_ants = p->nn_ls = (int)sl_lua_opt_integer(&o, "nn", -1, 1, 1000);
    p->ls_ants = (int)sl_lua_opt_integer(&o, "ls_ants", 0, 0, 1000000);
    p->kicks = (int)sl_lua_opt_integer(&o, "kicks", -1, 0, 100000);
    p->anneal = sl_lua_opt_number(&o, "anneal", -1, 0, 100);
    p->wall_time = sl_lua_opt_number(&o, "time", 0, 0, HUGE_VAL);
    p->cpu_time = sl_lua_opt_number(&o, "cpu_time", 0, 0, HUGE_VAL);
    p->iterations = sl_lua_opt_integer(&o, "iterations", 0, 0, LUA_MAXINTEGER);
    p->target = sl_lua_opt_integer(&o, "target", -1, -1, LUA_MAXINTEGER);
    p->threads = (int)sl_lua_opt_integer(&o, "threads", w ? sl_world_threads(w) : 1, 1, 1024);
    p->seed = (uint64_t)sl_lua_opt_integer(&o, "seed", w ? (lua_Integer)sl_world_seed(w) : 1,
                                           LUA_MININTEGER, LUA_MAXINTEGER);
    sl_lua_opt_require(&o, "instance");
    const char *path = sl_lua_opt_string(&o, "instance", NULL);
    const char *found = sl_lua_resolve_input(L, path);
    if (!found) sl_lua_opt_error(&o, "instance", "names a file that does not exist ('%s')", path);
    lua_pushstring(L, found); /* keep a copy on the stack */
    return lua_tostring(L, -1);
}

/* Builds the colony; raises a Lua error (after freeing) on failure. Pushes the handle. */
static lua_colony *make_colony(lua_State *L, const char *name)
{
    sl_aco_def p;
    const char *path = read_options(L, name, &p);
    lua_colony *h = sl_lua_new_object(L, sizeof *h, ACO_MT);
    sl_error e;
    sl_error_clear(&e);
    h->in = sl_instance_load(path, &e);
    if (!h->in) luaL_error(L, "aco: %s", e.msg);
    h->c = sl_aco_create(h->in, &p, &e);
    if (!h->c) luaL_error(L, "aco: %s", e.msg); /* __gc frees the instance */
    sl_world *w = sl_lua_world(L);
    if (w && (h->view = slp_aco_view_acquire(w, &e)) != NULL) h->view->current = h->c;
    return h;
}

static lua_colony *check_colony(lua_State *L)
{
    lua_colony *h = luaL_checkudata(L, 1, ACO_MT);
    if (!h->c) luaL_error(L, "aco solver has been released");
    return h;
}

static int colony_gc(lua_State *L)
{
    lua_colony *h = luaL_checkudata(L, 1, ACO_MT);
    slp_aco_view_release(h->view, h->c);
    sl_aco_destroy(h->c);
    sl_instance_destroy(h->in);
    h->view = NULL;
    h->c = NULL;
    h->in = NULL;
    return 0;
}

/* ---- results ---- */

static void push_solution(lua_State *L, const lua_colony *h)
{
    int len;
    const int *seq = sl_aco_best_sequence(h->c, &len);
    if (h->in->problem == SL_PROB_TSP) {
        lua_createtable(L, len, 0);
        for (int i = 0; i < len; i++) {
            lua_pushinteger(L, seq[i] + 1);
            lua_rawseti(L, -2, i + 1);
        }
        return;
    }
    sl_routes r;
    sl_routes_init(&r);
    if (sl_aco_best_routes(h->c, &r) != SL_OK) {
        sl_routes_release(&r);
        luaL_error(L, "aco: out of memory");
    }
    lua_createtable(L, r.nroutes, 0);
    for (int k = 0; k < r.nroutes; k++) {
        lua_createtable(L, r.start[k + 1] - r.start[k], 0);
        for (int i = r.start[k]; i < r.start[k + 1]; i++) {
            lua_pushinteger(L, r.nodes[i]); /* CVRPLIB customer numbering (node - 1) */
            lua_rawseti(L, -2, i - r.start[k] + 1);
        }
        lua_rawseti(L, -2, k + 1);
    }
    sl_routes_release(&r);
}

static void push_history(lua_State *L, const lua_colony *h)
{
    int n;
    const sl_aco_record *rec = sl_aco_history(h->c, &n);
    lua_createtable(L, n, 0);
    for (int i = 0; i < n; i++) {
        lua_createtable(L, 0, 5);
        lua_pushinteger(L, rec[i].iteration);
        lua_setfield(L, -2, "iteration");
        lua_pushnumber(L, rec[i].seconds);
        lua_setfield(L, -2, "seconds");
        lua_pushinteger(L, rec[i].best);
        lua_setfield(L, -2, "best");
        lua_pushinteger(L, rec[i].iter_best);
        lua_setfield(L, -2, "iteration_best");
        lua_pushnumber(L, rec[i].branching);
        lua_setfield(L, -2, "branching");
        lua_rawseti(L, -2, i + 1);
    }
}

static void push_result(lua_State *L, const lua_colony *h)
{
    const sl_aco_def *p = sl_aco_def_used(h->c);
    lua_createtable(L, 0, 12);
    push_solution(L, h);
    lua_setfield(L, -2, h->in->problem == SL_PROB_TSP ? "tour" : "routes");
    lua_pushinteger(L, sl_aco_best_cost(h->c));
    lua_setfield(L, -2, h->in->problem == SL_PROB_TSP ? "length" : "cost");
    lua_pushinteger(L, sl_aco_iterations(h->c));
    lua_setfield(L, -2, "iterations");
    lua_pushnumber(L, sl_aco_seconds(h->c));
    lua_setfield(L, -2, "seconds");
    lua_pushnumber(L, sl_aco_time_to_best(h->c));
    lua_setfield(L, -2, "time_to_best");
    lua_pushstring(L, sl_aco_variant_name(p->variant));
    lua_setfield(L, -2, "variant");
    lua_pushinteger(L, p->ants);
    lua_setfield(L, -2, "ants");
    lua_pushnumber(L, p->alpha);
    lua_setfield(L, -2, "alpha");
    lua_pushnumber(L, p->beta);
    lua_setfield(L, -2, "beta");
    lua_pushnumber(L, p->rho);
    lua_setfield(L, -2, "rho");
    lua_pushnumber(L, p->q0);
    lua_setfield(L, -2, "q0");
    lua_pushstring(L, sl_ls_kind_name(p->ls));
    lua_setfield(L, -2, "local_search");
    lua_pushinteger(L, h->in->n);
    lua_setfield(L, -2, "nodes");
    push_history(L, h);
    lua_setfield(L, -2, "history");
}

/* ---- functions ---- */

/* Iterations to the stopping criterion, the run's time limits checked before each one. */
static void run_colony(lua_State *L, lua_colony *h)
{
    sl_error e;
    while (!sl_aco_done(h->c)) {
        sl_lua_check_deadline(L);
        if (sl_aco_step(h->c, &e) != SL_OK) sl_lua_raise(L, &e);
    }
}

/* swarmlab.aco{...}: runs to the stopping criterion and returns the result table. */
static int l_aco(lua_State *L)
{
    lua_colony *h = make_colony(L, "swarmlab.aco{...}");
    run_colony(L, h);
    push_result(L, h);
    return 1;
}

/* swarmlab.aco_solver{...}: the solver object. */
static int l_aco_solver(lua_State *L)
{
    make_colony(L, "swarmlab.aco_solver{...}");
    return 1;
}

/* s:step([n]): up to n iterations (default 1); returns s:done(). */
static int m_step(lua_State *L)
{
    lua_colony *h = check_colony(L);
    lua_Integer k = luaL_optinteger(L, 2, 1);
    if (k < 0) luaL_error(L, "step: count must be >= 0");
    sl_error e;
    for (lua_Integer i = 0; i < k && !sl_aco_done(h->c); i++) {
        sl_lua_check_deadline(L);
        if (sl_aco_step(h->c, &e) != SL_OK) return sl_lua_raise(L, &e);
    }
    lua_pushboolean(L, sl_aco_done(h->c));
    return 1;
}

static int m_run(lua_State *L)
{
    lua_colony *h = check_colony(L);
    run_colony(L, h);
    push_result(L, h);
    return 1;
}

static int m_done(lua_State *L)
{
    lua_pushboolean(L, sl_aco_done(check_colony(L)->c));
    return 1;
}

static int m_result(lua_State *L)
{
    push_result(L, check_colony(L));
    return 1;
}

/* s:best(): {tour = {...}, length = n} for a TSP, {routes = {...}, cost = n} for a CVRP. */
static int m_best(lua_State *L)
{
    lua_colony *h = check_colony(L);
    int tsp = h->in->problem == SL_PROB_TSP;
    lua_createtable(L, 0, 2);
    push_solution(L, h);
    lua_setfield(L, -2, tsp ? "tour" : "routes");
    lua_pushinteger(L, sl_aco_best_cost(h->c));
    lua_setfield(L, -2, tsp ? "length" : "cost");
    return 1;
}

static int m_iterations(lua_State *L)
{
    lua_pushinteger(L, sl_aco_iterations(check_colony(L)->c));
    return 1;
}

static int m_pheromone(lua_State *L)
{
    lua_colony *h = check_colony(L);
    lua_Integer i = luaL_checkinteger(L, 2), j = luaL_checkinteger(L, 3);
    if (i < 1 || j < 1 || i > h->in->n || j > h->in->n)
        luaL_error(L, "pheromone: node outside 1..%d", h->in->n);
    const double *tau = sl_aco_pheromone(h->c);
    lua_pushnumber(L, tau ? tau[(size_t)(i - 1) * (size_t)h->in->n + (size_t)(j - 1)] : 0.0);
    return 1;
}

/* World system: one colony iteration per world step (serial hook; the colony's own parallel
 * loops run inside it). The handle is pinned in the registry, so it outlives every step. */
static sl_status system_post(sl_world *w, void *user, sl_error *e)
{
    (void)w;
    lua_colony *h = user;
    if (h->c && !sl_aco_done(h->c)) return sl_aco_step(h->c, e);
    return SL_OK;
}

static int m_attach(lua_State *L)
{
    lua_colony *h = check_colony(L);
    sl_world *w = sl_lua_world(L);
    if (!w) luaL_error(L, "attach: no world");
    if (h->attached) luaL_error(L, "attach: this colony is already attached");
    sl_system_def def;
    memset(&def, 0, sizeof def);
    def.name = "aco";
    def.post = system_post;
    def.user = h;
    sl_error e;
    sl_error_clear(&e);
    if (sl_world_add_system(w, &def, &e) < 0) luaL_error(L, "attach: %s", e.msg);
    h->attached = 1;
    lua_pushvalue(L, 1);
    luaL_ref(L, LUA_REGISTRYINDEX); /* pinned until the state closes */
    return 0;
}

/* col:write(name): best.tour for a TSP, a CVRPLIB solution for a CVRP, inside the output dir. */
static int m_write(lua_State *L)
{
    lua_colony *h = check_colony(L);
    char path[4096];
    snprintf(path, sizeof path, "%s", sl_lua_output_path(L, luaL_checkstring(L, 2)));
    sl_error e;
    sl_error_clear(&e);
    sl_status st;
    if (h->in->problem == SL_PROB_TSP) {
        int len;
        const int *seq = sl_aco_best_sequence(h->c, &len);
        st = sl_tour_write(path, h->in, seq, &e);
    } else {
        sl_routes r;
        sl_routes_init(&r);
        st = sl_aco_best_routes(h->c, &r);
        if (st == SL_OK) st = sl_routes_write(path, h->in, &r, &e);
        else sl_error_set(&e, st, "out of memory");
        sl_routes_release(&r);
    }
    if (st != SL_OK) luaL_error(L, "aco: %s", e.msg);
    return 0;
}

static int m_write_convergence(lua_State *L)
{
    lua_colony *h = check_colony(L);
    char path[4096];
    snprintf(path, sizeof path, "%s", sl_lua_output_path(L, luaL_checkstring(L, 2)));
    sl_error e;
    sl_error_clear(&e);
    if (sl_aco_write_convergence(h->c, path, &e) != SL_OK) luaL_error(L, "aco: %s", e.msg);
    return 0;
}

void sl_lua_open_aco(lua_State *L)
{
    static const luaL_Reg methods[] = {
        {"step", m_step}, {"run", m_run}, {"done", m_done}, {"result", m_result},
        {"best", m_best}, {"iterations", m_iterations}, {"pheromone", m_pheromone},
        {"write", m_write}, {"write_convergence", m_write_convergence}, {"attach", m_attach},
        {NULL, NULL}};
    sl_lua_class(L, ACO_MT, methods, colony_gc);
    lua_pushcfunction(L, l_aco);
    lua_setfield(L, -2, "aco");
    lua_pushcfunction(L, l_aco_solver);
    lua_setfield(L, -2, "aco_solver");
}
