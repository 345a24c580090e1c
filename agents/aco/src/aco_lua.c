/* aco_lua.c - Lua binding.
 *
 *   local res, col = swarmlab.aco{instance = "x.tsp", variant = "mmas", local_search = "3opt",
 *                                 iterations = 500}          -- runs to the stopping criterion
 *   local col = swarmlab.aco_colony{...}; col:iterate(); col:done()  -- one iteration at a time
 *   col:attach()     -- or: a world system, one iteration per world step
 *
 * Options: instance (path), variant ("as"|"acs"|"mmas"|"ras"), ants, alpha, beta, rho, q0, xi,
 * ranks, pbest, gamma, nn (candidate list length), local_search ("none"|"2opt"|"oropt"|"3opt"),
 * ls_ants, kicks (CVRP: perturbation rounds on the best-so-far per iteration), time (wall seconds), cpu_time, iterations, target, threads (default: the world's),
 * seed (default: the world's seed). Unknown options are an error.
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
#include "swarmlab/lua_host.h"

void sl_lua_open_aco(lua_State *L);

#define ACO_MT "swarmlab.aco_colony"

typedef struct lua_colony {
    sl_aco_colony *c;
    sl_instance *in;
    aco_view *view;     /* the world's viewer link, or NULL */
    int attached;       /* 1 once registered as a world system */
} lua_colony;

static const char *const known_opts[] = {
    "instance", "variant", "ants", "alpha", "beta", "rho", "q0", "xi", "ranks", "pbest", "gamma",
    "nn", "local_search", "ls_ants", "kicks", "time", "cpu_time", "iterations", "target", "threads", "seed",
    NULL};

static double opt_number(lua_State *L, const char *key, double def)
{
    lua_getfield(L, 1, key);
    double v = def;
    if (!lua_isnil(L, -1)) {
        if (!lua_isnumber(L, -1)) luaL_error(L, "aco: option '%s' must be a number", key);
        v = lua_tonumber(L, -1);
        if (!isfinite(v)) luaL_error(L, "aco: option '%s' must be finite", key);
    }
    lua_pop(L, 1);
    return v;
}

static long long opt_integer(lua_State *L, const char *key, long long def)
{
    lua_getfield(L, 1, key);
    long long v = def;
    if (!lua_isnil(L, -1)) {
        int ok = 0;
        lua_Integer i = lua_tointegerx(L, -1, &ok);
        if (!ok) luaL_error(L, "aco: option '%s' must be an integer", key);
        v = (long long)i;
    }
    lua_pop(L, 1);
    return v;
}

static const char *opt_string(lua_State *L, const char *key, const char *def)
{
    lua_getfield(L, 1, key);
    const char *v = def;
    if (!lua_isnil(L, -1)) {
        if (lua_type(L, -1) != LUA_TSTRING) luaL_error(L, "aco: option '%s' must be a string", key);
        v = lua_tostring(L, -1);
    }
    lua_pop(L, 1); /* the string stays alive: it is referenced by the options table */
    return v;
}

/* Reads the options table at index 1 into p; returns the resolved instance path. */
static const char *read_options(lua_State *L, sl_aco_params *p)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_pushnil(L);
    while (lua_next(L, 1)) {
        if (lua_type(L, -2) != LUA_TSTRING) luaL_error(L, "aco: options must be named");
        const char *k = lua_tostring(L, -2);
        int found = 0;
        for (int i = 0; known_opts[i]; i++)
            if (strcmp(k, known_opts[i]) == 0) found = 1;
        if (!found) luaL_error(L, "aco: unknown option '%s'", k);
        lua_pop(L, 1);
    }
    sl_world *w = sl_lua_world(L);
    sl_aco_params_init(p);
    const char *var = opt_string(L, "variant", "mmas");
    int v = sl_aco_variant_parse(var);
    if (v < 0) luaL_error(L, "aco: variant must be \"as\", \"acs\", \"mmas\" or \"ras\", got '%s'", var);
    p->variant = (sl_aco_variant)v;
    const char *ls = opt_string(L, "local_search", "none");
    int lk = sl_ls_kind_parse(ls);
    if (lk < 0) luaL_error(L, "aco: local_search must be none, 2opt, oropt or 3opt, got '%s'", ls);
    p->ls = (sl_ls_kind)lk;
    p->ants = (int)opt_integer(L, "ants", -1);
    if (p->ants == 0 || p->ants < -1) luaL_error(L, "aco: ants must be >= 1");
    p->alpha = opt_number(L, "alpha", -1);
    p->beta = opt_number(L, "beta", -1);
    p->rho = opt_number(L, "rho", -1);
    p->q0 = opt_number(L, "q0", -1);
    p->xi = opt_number(L, "xi", -1);
    p->pbest = opt_number(L, "pbest", -1);
    p->gamma = opt_number(L, "gamma", -1);
    p->ranks = (int)opt_integer(L, "ranks", -1);
    long long nn = opt_integer(L, "nn", -1);
    if (nn == 0 || nn < -1 || nn > 1000) luaL_error(L, "aco: nn must be in 1..1000");
    p->nn_ants = p->nn_ls = (int)nn;
    p->ls_ants = (int)opt_integer(L, "ls_ants", 0);
    long long kicks = opt_integer(L, "kicks", -1);
    if (kicks < -1 || kicks > 1000) luaL_error(L, "aco: kicks must be in 0..1000");
    p->kicks = (int)kicks;
    p->wall_time = opt_number(L, "time", 0);
    p->cpu_time = opt_number(L, "cpu_time", 0);
    p->iterations = opt_integer(L, "iterations", 0);
    p->target = opt_integer(L, "target", -1);
    long long th = opt_integer(L, "threads", w ? sl_world_threads(w) : 1);
    if (th < 1 || th > 1024) luaL_error(L, "aco: threads must be in 1..1024");
    p->threads = (int)th;
    p->seed = (uint64_t)opt_integer(L, "seed", w ? (long long)sl_world_seed(w) : 1);
    /* negative values are rejected here; "default" markers are internal */
    if ((p->alpha < 0 && p->alpha != -1) || (p->beta < 0 && p->beta != -1) ||
        (p->rho < 0 && p->rho != -1) || (p->q0 < 0 && p->q0 != -1) ||
        (p->xi < 0 && p->xi != -1) || (p->pbest < 0 && p->pbest != -1) ||
        (p->gamma < 0 && p->gamma != -1) || (p->ranks < 0 && p->ranks != -1))
        luaL_error(L, "aco: alpha, beta, rho, q0, xi, pbest, gamma and ranks must be >= 0");
    const char *path = opt_string(L, "instance", NULL);
    if (!path) luaL_error(L, "aco: option 'instance' (a .tsp or .vrp file) is required");
    const char *found = sl_lua_resolve_input(L, path);
    if (!found) luaL_error(L, "aco: instance file '%s' not found", path);
    lua_pushstring(L, found); /* keep a copy on the stack */
    return lua_tostring(L, -1);
}

/* Builds the colony; raises a Lua error (after freeing) on failure. Pushes the handle. */
static lua_colony *make_colony(lua_State *L)
{
    sl_aco_params p;
    const char *path = read_options(L, &p);
    lua_colony *h = lua_newuserdatauv(L, sizeof *h, 0);
    memset(h, 0, sizeof *h);
    luaL_setmetatable(L, ACO_MT);
    sl_error e;
    sl_error_clear(&e);
    h->in = sl_instance_load(path, &e);
    if (!h->in) luaL_error(L, "aco: %s", e.msg);
    h->c = sl_aco_create(h->in, &p, &e);
    if (!h->c) luaL_error(L, "aco: %s", e.msg); /* __gc frees the instance */
    sl_world *w = sl_lua_world(L);
    if (w && (h->view = aco_view_acquire(w, &e)) != NULL) h->view->current = h->c;
    return h;
}

static lua_colony *check_colony(lua_State *L)
{
    lua_colony *h = luaL_checkudata(L, 1, ACO_MT);
    if (!h->c) luaL_error(L, "aco colony has been released");
    return h;
}

static int colony_gc(lua_State *L)
{
    lua_colony *h = luaL_checkudata(L, 1, ACO_MT);
    aco_view_release(h->view, h->c);
    sl_aco_destroy(h->c);
    sl_instance_free(h->in);
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
        sl_routes_free(&r);
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
    sl_routes_free(&r);
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
    const sl_aco_params *p = sl_aco_params_used(h->c);
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

static int l_aco(lua_State *L)
{
    lua_colony *h = make_colony(L);
    sl_aco_run(h->c);
    push_result(L, h);
    lua_pushvalue(L, -2); /* the handle as second result */
    return 2;
}

static int l_aco_colony(lua_State *L)
{
    make_colony(L);
    return 1;
}

static int m_iterate(lua_State *L)
{
    lua_colony *h = check_colony(L);
    lua_Integer k = luaL_optinteger(L, 2, 1);
    if (k < 0) luaL_error(L, "iterate: count must be >= 0");
    for (lua_Integer i = 0; i < k && !sl_aco_done(h->c); i++) sl_aco_step(h->c);
    lua_pushboolean(L, !sl_aco_done(h->c));
    return 1;
}

static int m_run(lua_State *L)
{
    lua_colony *h = check_colony(L);
    sl_aco_run(h->c);
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

static int m_best(lua_State *L)
{
    lua_colony *h = check_colony(L);
    push_solution(L, h);
    lua_pushinteger(L, sl_aco_best_cost(h->c));
    return 2;
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
    (void)e;
    lua_colony *h = user;
    if (h->c && !sl_aco_done(h->c)) sl_aco_step(h->c);
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
        sl_routes_free(&r);
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
        {"iterate", m_iterate}, {"run", m_run}, {"done", m_done}, {"result", m_result},
        {"best", m_best}, {"iterations", m_iterations}, {"pheromone", m_pheromone},
        {"write", m_write}, {"write_convergence", m_write_convergence}, {"attach", m_attach},
        {NULL, NULL}};
    if (luaL_newmetatable(L, ACO_MT)) {
        lua_pushcfunction(L, colony_gc);
        lua_setfield(L, -2, "__gc");
        luaL_newlib(L, methods);
        lua_setfield(L, -2, "__index");
    }
    lua_pop(L, 1);
    lua_pushcfunction(L, l_aco);
    lua_setfield(L, -2, "aco");
    lua_pushcfunction(L, l_aco_colony);
    lua_setfield(L, -2, "aco_colony");
}
