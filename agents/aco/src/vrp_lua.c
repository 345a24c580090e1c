/* vrp_lua.c - Lua binding of the rich VRP model and its ant colony.
 *
 *   local m = swarmlab.vrp{
 *     sites = {{x = 0, y = 0}, {x = 3, y = 4}, ...},      -- or {0, 0} pairs; or only a matrix
 *     matrix = {{0, 5, ...}, ...},                        -- distances (time = distance), or
 *     matrix = {distance = {{...}}, time = {{...}}},      -- real-valued, no rounding
 *     dimensions = 1,                                      -- capacity dimensions (1..3)
 *     jobs = {{site = 2, demand = 4, service = 5, window = {0, 100}}, -- or windows = {{..},{..}}
 *             {site = 3, demand = {4, 1}, penalty = 50},  -- optional: penalty when unserved
 *             {site = 4, kind = "pickup"},                 -- collected, carried to the depot
 *             {site = 5, pickup = 2}, ...},                -- delivers what job 2 picked up
 *     vehicles = {{count = 2, capacity = 10, fixed = 0, cost_distance = 1, cost_time = 0,
 *                  speed = 1, start = 1, ["end"] = 1 (false: open route), shift = {0, 480},
 *                  max_duration = 300, max_distance = 200, name = "van"}},
 *     objective = "weighted" | "hierarchical"}
 *   local m = swarmlab.vrp{instance = "file.txt"}          -- any format vrp.h reads
 *   local res = m:solve{time = 1, cpu_time = 0, iterations = 0, seed = 1, threads = 2,
 *                       ants = 8, kicks = 10, warm = true | previous_result}
 *   m:write(res, "best.sol"); m:write_convergence("convergence.csv")
 *
 * Sites, jobs and vehicles are numbered from 1 as in their tables (file models: as in the file).
 * A result: cost, vehicles, distance, duration, waiting, lateness, unserved (list of job
 * numbers), feasible, iterations, seconds, time_to_best, and routes = {{vehicle = k, jobs =
 * {...}, distance, duration, waiting, lateness, departure, arrival, load = {...}, cost}, ...}.
 * warm = true starts from this model's previous plan; a result table from another model starts
 * from its routes, keeping only jobs (by number) and routes that are still feasible.
 *
 * Every option table is strict: an unknown key is an error naming the nearest valid key. The
 * model userdata owns the model, the last plan and the last colony (for convergence and the
 * viewer); all are freed by __gc, also after a Lua error.
 */
#include <lauxlib.h>
#include <lua.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "swarmlab/lua_bind.h"
#include "swarmlab/lua_host.h"
#include "swarmlab/vrp_aco.h"
#include "vrp_view.h"

void sl_lua_open_vrp(lua_State *L);

#define VRP_MT "swarmlab.vrp_model"
#define WHO "swarmlab.vrp{...}"

typedef struct lua_vrp {
    sl_vrp *v;
    sl_vrp_aco *c;      /* last colony */
    sl_vrp_sol plan;    /* last plan (nveh == 0: none) */
    sl_vrp_sol warm;    /* warm-start plan read from a result table (kept until the next solve) */
    slp_vrp_view *view;
} lua_vrp;

/* ---- strict option tables ---- */

/* Every key of the table at idx must be in keys (the shared toolkit names the nearest one). The
 * caller's line is the option table's call site (tests/lua_bindings.lua checks each). */
#define strict(L, idx, keys, what) strict_at(L, idx, keys, what, __FILE__, __LINE__)
static void strict_at(lua_State *L, int idx, const char *const *keys, const char *what,
                      const char *file, int line)
{
    sl_lua_opts o;
    sl_lua_opts_open_at(&o, L, lua_absindex(L, idx), what, keys, file, line);
}

static double num_field(lua_State *L, int t, const char *key, double def, const char *what)
{
    lua_getfield(L, t, key);
    double v = def;
    if (!lua_isnil(L, -1)) {
        if (lua_type(L, -1) != LUA_TNUMBER) luaL_error(L, "%s: '%s' must be a number", what, key);
        v = lua_tonumber(L, -1);
        if (isnan(v)) luaL_error(L, "%s: '%s' is not a number (NaN)", what, key);
    }
    lua_pop(L, 1);
    return v;
}

static long long int_field(lua_State *L, int t, const char *key, long long def, const char *what)
{
    lua_getfield(L, t, key);
    long long v = def;
    if (!lua_isnil(L, -1)) {
        int ok = 0;
        lua_Integer i = lua_tointegerx(L, -1, &ok);
        if (!ok || lua_type(L, -1) != LUA_TNUMBER) luaL_error(L, "%s: '%s' must be an integer", what, key);
        v = (long long)i;
    }
    lua_pop(L, 1);
    return v;
}

/* A number or a list of numbers (per capacity dimension). */
static void dims_field(lua_State *L, int t, const char *key, double *out, int ndim, double def,
                       const char *what)
{
    lua_getfield(L, t, key);
    for (int d = 0; d < SL_VRP_MAXDIM; d++) out[d] = d < ndim ? def : 0;
    if (lua_type(L, -1) == LUA_TNUMBER) {
        double x = lua_tonumber(L, -1);
        for (int d = 0; d < ndim; d++) out[d] = x;
        if (ndim > 1) luaL_error(L, "%s: '%s' needs %d numbers (one per dimension)", what, key, ndim);
    } else if (lua_type(L, -1) == LUA_TTABLE) {
        if ((int)lua_rawlen(L, -1) != ndim)
            luaL_error(L, "%s: '%s' needs %d numbers (one per dimension)", what, key, ndim);
        for (int d = 0; d < ndim; d++) {
            lua_rawgeti(L, -1, d + 1);
            if (lua_type(L, -1) != LUA_TNUMBER) luaL_error(L, "%s: '%s'[%d] must be a number", what, key, d + 1);
            out[d] = lua_tonumber(L, -1);
            lua_pop(L, 1);
        }
    } else if (!lua_isnil(L, -1)) {
        luaL_error(L, "%s: '%s' must be a number or a list of numbers", what, key);
    }
    lua_pop(L, 1);
}

/* A {open, close} pair at the top of the stack. */
static void read_pair(lua_State *L, double *a, double *b, const char *what, const char *key)
{
    if (lua_type(L, -1) != LUA_TTABLE || lua_rawlen(L, -1) != 2)
        luaL_error(L, "%s: '%s' must be a pair {open, close}", what, key);
    lua_rawgeti(L, -1, 1);
    lua_rawgeti(L, -2, 2);
    if (lua_type(L, -1) != LUA_TNUMBER || lua_type(L, -2) != LUA_TNUMBER)
        luaL_error(L, "%s: '%s' must hold two numbers", what, key);
    *a = lua_tonumber(L, -2);
    *b = lua_tonumber(L, -1);
    lua_pop(L, 2);
}

/* ---- building a model from tables ---- */

static void read_sites(lua_State *L, sl_vrp *v)
{
    lua_getfield(L, 1, "sites");
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        return;
    }
    if (lua_type(L, -1) != LUA_TTABLE) luaL_error(L, WHO ": 'sites' must be a list");
    int n = (int)lua_rawlen(L, -1);
    static const char *const keys[] = {"x", "y", NULL};
    for (int i = 1; i <= n; i++) {
        char what[64];
        snprintf(what, sizeof what, WHO ": sites[%d]", i);
        lua_rawgeti(L, -1, i);
        if (lua_type(L, -1) != LUA_TTABLE) luaL_error(L, "%s must be a table", what);
        double x, y;
        if (lua_rawlen(L, -1) == 2) {
            read_pair(L, &x, &y, what, "coordinates");
        } else {
            strict(L, -1, keys, what);
            x = num_field(L, lua_gettop(L), "x", NAN, what);
            y = num_field(L, lua_gettop(L), "y", NAN, what);
            if (isnan(x) || isnan(y)) luaL_error(L, "%s: 'x' and 'y' are required", what);
        }
        if (sl_vrp_add_site(v, x, y) < 0) luaL_error(L, WHO ": too many sites");
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
}

/* n x n list of lists at the top of the stack into m. */
static void read_square(lua_State *L, int n, double *m, const char *what)
{
    if (lua_type(L, -1) != LUA_TTABLE) luaL_error(L, "%s must be a list of rows", what);
    if ((int)lua_rawlen(L, -1) != n)
        luaL_error(L, "%s has %d rows, the model has %d sites", what, (int)lua_rawlen(L, -1), n);
    for (int i = 0; i < n; i++) {
        lua_rawgeti(L, -1, i + 1);
        if (lua_type(L, -1) != LUA_TTABLE || (int)lua_rawlen(L, -1) != n)
            luaL_error(L, "%s: row %d must hold %d numbers", what, i + 1, n);
        for (int j = 0; j < n; j++) {
            lua_rawgeti(L, -1, j + 1);
            if (lua_type(L, -1) != LUA_TNUMBER) luaL_error(L, "%s[%d][%d] must be a number", what, i + 1, j + 1);
            m[(size_t)i * n + j] = lua_tonumber(L, -1);
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
    }
}

static void read_matrix(lua_State *L, sl_vrp *v)
{
    lua_getfield(L, 1, "matrix");
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        return;
    }
    if (lua_type(L, -1) != LUA_TTABLE) luaL_error(L, WHO ": 'matrix' must be a table");
    int mt = lua_gettop(L);
    lua_getfield(L, mt, "distance");
    int named = !lua_isnil(L, -1);
    lua_pop(L, 1);
    int n;
    if (named) {
        static const char *const keys[] = {"distance", "time", NULL};
        strict(L, mt, keys, WHO ": matrix");
        lua_getfield(L, mt, "distance");
        n = (int)lua_rawlen(L, -1);
        lua_pop(L, 1);
    } else {
        n = (int)lua_rawlen(L, mt);
    }
    if (v->nsites == 0) /* matrix only: one site per row */
        for (int i = 0; i < n; i++) sl_vrp_add_site(v, NAN, NAN);
    if (n != v->nsites)
        luaL_error(L, WHO ": 'matrix' is %dx%d but there are %d sites", n, n, v->nsites);
    if (n < 1 || n > SL_VRP_MAX_SITES) luaL_error(L, WHO ": 'matrix' must have 1..%d rows", SL_VRP_MAX_SITES);
    /* the buffers are Lua userdata, so a Lua error cannot leak them */
    double *d = lua_newuserdatauv(L, (size_t)n * n * sizeof(double), 0);
    double *t = NULL;
    if (named) {
        lua_getfield(L, mt, "distance");
        read_square(L, n, d, WHO ": matrix.distance");
        lua_pop(L, 1);
        lua_getfield(L, mt, "time");
        if (!lua_isnil(L, -1)) {
            t = lua_newuserdatauv(L, (size_t)n * n * sizeof(double), 0);
            lua_insert(L, -2);
            read_square(L, n, t, WHO ": matrix.time");
        }
        lua_pop(L, 1);
    } else {
        lua_pushvalue(L, mt);
        read_square(L, n, d, WHO ": matrix");
        lua_pop(L, 1);
    }
    sl_error e;
    if (sl_vrp_set_matrix(v, n, d, t, &e) != SL_OK) luaL_error(L, "%s", e.msg);
    lua_settop(L, mt - 1);
}

static void read_jobs(lua_State *L, sl_vrp *v)
{
    lua_getfield(L, 1, "jobs");
    if (lua_type(L, -1) != LUA_TTABLE) luaL_error(L, WHO ": 'jobs' (a list) is required");
    int n = (int)lua_rawlen(L, -1);
    int jt = lua_gettop(L);
    static const char *const keys[] = {"site", "demand", "service", "window", "windows", "penalty",
                                       "kind", "pickup", "id", NULL};
    for (int i = 1; i <= n; i++) {
        char what[64];
        snprintf(what, sizeof what, WHO ": jobs[%d]", i);
        lua_rawgeti(L, jt, i);
        if (lua_type(L, -1) != LUA_TTABLE) luaL_error(L, "%s must be a table", what);
        int t = lua_gettop(L);
        strict(L, t, keys, what);
        sl_vrp_job j;
        j = sl_vrp_job_default();
        long long site = int_field(L, t, "site", 0, what);
        if (site < 1 || site > v->nsites) luaL_error(L, "%s: unknown site %d (%d sites)", what, (int)site, v->nsites);
        j.site = (int)site - 1;
        j.id = (int)int_field(L, t, "id", i, what);
        dims_field(L, t, "demand", j.demand, v->ndim, 0, what);
        j.service = num_field(L, t, "service", 0, what);
        j.penalty = num_field(L, t, "penalty", -1, what);
        if (j.penalty < 0 && !isnan(j.penalty)) {
            lua_getfield(L, t, "penalty");
            if (!lua_isnil(L, -1)) luaL_error(L, "%s: 'penalty' must be >= 0", what);
            lua_pop(L, 1);
        }
        lua_getfield(L, t, "window");
        lua_getfield(L, t, "windows");
        if (!lua_isnil(L, -2) && !lua_isnil(L, -1)) luaL_error(L, "%s: give 'window' or 'windows', not both", what);
        if (!lua_isnil(L, -2)) {
            lua_pushvalue(L, -2);
            read_pair(L, &j.open[0], &j.close[0], what, "window");
            lua_pop(L, 1);
        } else if (!lua_isnil(L, -1)) {
            if (lua_type(L, -1) != LUA_TTABLE) luaL_error(L, "%s: 'windows' must be a list of pairs", what);
            j.nwin = (int)lua_rawlen(L, -1);
            if (j.nwin < 1 || j.nwin > SL_VRP_MAXWIN)
                luaL_error(L, "%s: 'windows' must hold 1..%d pairs", what, SL_VRP_MAXWIN);
            for (int q = 0; q < j.nwin; q++) {
                lua_rawgeti(L, -1, q + 1);
                read_pair(L, &j.open[q], &j.close[q], what, "windows");
                lua_pop(L, 1);
            }
        }
        lua_pop(L, 2);
        lua_getfield(L, t, "kind");
        if (!lua_isnil(L, -1)) {
            const char *k = lua_tostring(L, -1);
            if (lua_type(L, -1) != LUA_TSTRING || (strcmp(k, "delivery") && strcmp(k, "pickup")))
                luaL_error(L, "%s: 'kind' must be \"delivery\" or \"pickup\"", what);
            j.kind = strcmp(k, "pickup") == 0 ? SL_VRP_PICKUP : SL_VRP_DELIVERY;
        }
        lua_pop(L, 1);
        long long pk = int_field(L, t, "pickup", 0, what);
        if (pk != 0) {
            if (pk < 1 || pk > n || pk == i)
                luaL_error(L, "%s: 'pickup' = %d is not another job (1..%d)", what, (int)pk, n);
            j.kind = SL_VRP_SHIP_DELIVERY;
            j.partner = (int)pk - 1;
        }
        if (sl_vrp_add_job(v, &j) < 0) luaL_error(L, WHO ": out of memory");
        lua_settop(L, jt);
    }
    /* the pickup halves */
    for (int i = 0; i < v->njobs; i++) {
        sl_vrp_job *j = &v->jobs[i];
        if (j->kind != SL_VRP_SHIP_DELIVERY) continue;
        sl_vrp_job *p = &v->jobs[j->partner];
        if (p->kind == SL_VRP_SHIP_PICKUP)
            luaL_error(L, WHO ": jobs[%d]: job %d is already the pickup of another delivery", i + 1,
                       j->partner + 1);
        if (p->kind == SL_VRP_SHIP_DELIVERY)
            luaL_error(L, WHO ": jobs[%d]: 'pickup' names job %d, itself a delivery", i + 1, j->partner + 1);
        p->kind = SL_VRP_SHIP_PICKUP;
        p->partner = i;
        for (int d = 0; d < v->ndim; d++)
            if (j->demand[d] == 0) j->demand[d] = p->demand[d];
            else if (p->demand[d] == 0) p->demand[d] = j->demand[d];
    }
    lua_pop(L, 1);
}

static void read_vehicles(lua_State *L, sl_vrp *v)
{
    lua_getfield(L, 1, "vehicles");
    if (lua_type(L, -1) != LUA_TTABLE) luaL_error(L, WHO ": 'vehicles' (a list) is required");
    int n = (int)lua_rawlen(L, -1);
    if (n == 0) luaL_error(L, WHO ": 'vehicles' is empty (empty fleet)");
    int vt = lua_gettop(L);
    static const char *const keys[] = {"count", "capacity", "fixed", "cost_distance", "cost_time",
                                       "speed", "start", "end", "shift", "max_duration",
                                       "max_distance", "name", NULL};
    for (int i = 1; i <= n; i++) {
        char what[64];
        snprintf(what, sizeof what, WHO ": vehicles[%d]", i);
        lua_rawgeti(L, vt, i);
        if (lua_type(L, -1) != LUA_TTABLE) luaL_error(L, "%s must be a table", what);
        int t = lua_gettop(L);
        strict(L, t, keys, what);
        sl_vrp_vtype T;
        T = sl_vrp_vtype_default();
        long long cnt = int_field(L, t, "count", 1, what);
        if (cnt < 0 || cnt > 100000) luaL_error(L, "%s: 'count' must be in 0..100000", what);
        T.count = (int)cnt;
        dims_field(L, t, "capacity", T.capacity, v->ndim, SL_VRP_INF, what);
        T.fixed = num_field(L, t, "fixed", 0, what);
        T.cost_distance = num_field(L, t, "cost_distance", 1, what);
        T.cost_time = num_field(L, t, "cost_time", 0, what);
        T.speed = num_field(L, t, "speed", 1, what);
        T.max_duration = num_field(L, t, "max_duration", SL_VRP_INF, what);
        T.max_distance = num_field(L, t, "max_distance", SL_VRP_INF, what);
        long long st = int_field(L, t, "start", 1, what);
        if (st < 1 || st > v->nsites) luaL_error(L, "%s: unknown depot %d in 'start' (%d sites)", what, (int)st, v->nsites);
        T.start = (int)st - 1;
        lua_getfield(L, t, "end");
        if (lua_type(L, -1) == LUA_TBOOLEAN && !lua_toboolean(L, -1)) {
            T.end = -1;
        } else if (lua_isnil(L, -1)) {
            T.end = T.start;
        } else {
            int ok = 0;
            lua_Integer en = lua_tointegerx(L, -1, &ok);
            if (!ok || en < 1 || en > v->nsites)
                luaL_error(L, "%s: unknown depot in 'end' (a site 1..%d, or false for an open route)", what, v->nsites);
            T.end = (int)en - 1;
        }
        lua_pop(L, 1);
        lua_getfield(L, t, "shift");
        if (!lua_isnil(L, -1)) read_pair(L, &T.shift_open, &T.shift_close, what, "shift");
        lua_pop(L, 1);
        lua_getfield(L, t, "name");
        if (!lua_isnil(L, -1)) {
            if (lua_type(L, -1) != LUA_TSTRING) luaL_error(L, "%s: 'name' must be a string", what);
            snprintf(T.name, sizeof T.name, "%s", lua_tostring(L, -1));
        }
        lua_pop(L, 1);
        if (sl_vrp_add_vtype(v, &T) < 0) luaL_error(L, WHO ": out of memory");
        lua_settop(L, vt);
    }
    lua_pop(L, 1);
}

static lua_vrp *check_model(lua_State *L, int i)
{
    lua_vrp *h = luaL_checkudata(L, i, VRP_MT);
    if (!h->v) luaL_error(L, "vrp model has been released");
    return h;
}

static int model_gc(lua_State *L)
{
    lua_vrp *h = luaL_checkudata(L, 1, VRP_MT);
    slp_vrp_view_release(h->view, h);
    h->view = NULL;
    sl_vrp_aco_destroy(h->c);
    h->c = NULL;
    sl_vrp_sol_release(&h->plan);
    sl_vrp_sol_release(&h->warm);
    sl_vrp_destroy(h->v);
    h->v = NULL;
    return 0;
}

static int l_vrp(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    static const char *const keys[] = {"instance", "sites", "matrix", "jobs", "vehicles", "dimensions",
                                       "objective", "name", NULL};
    strict(L, 1, keys, WHO);
    lua_vrp *h = sl_lua_new_object(L, sizeof *h, VRP_MT);
    int ud = lua_gettop(L);
    sl_error e;
    sl_error_clear(&e);
    lua_getfield(L, 1, "instance");
    if (!lua_isnil(L, -1)) {
        if (lua_type(L, -1) != LUA_TSTRING) luaL_error(L, WHO ": 'instance' must be a file name");
        static const char *const only[] = {"instance", "objective", NULL};
        strict(L, 1, only, WHO " with 'instance'");
        const char *found = sl_lua_resolve_input(L, lua_tostring(L, -1));
        if (!found) luaL_error(L, WHO ": instance file '%s' not found", lua_tostring(L, -1));
        h->v = sl_vrp_load(found, &e);
        if (!h->v) luaL_error(L, "%s", e.msg);
    } else {
        long long nd = int_field(L, 1, "dimensions", 1, WHO);
        if (nd < 1 || nd > SL_VRP_MAXDIM) luaL_error(L, WHO ": 'dimensions' must be in 1..%d", SL_VRP_MAXDIM);
        lua_getfield(L, 1, "name");
        const char *name = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "vrp";
        h->v = sl_vrp_create(name, (int)nd);
        lua_pop(L, 1);
        if (!h->v) luaL_error(L, WHO ": out of memory");
        snprintf(h->v->source, sizeof h->v->source, WHO);
        read_sites(L, h->v);
        read_matrix(L, h->v);
        if (h->v->nsites == 0) luaL_error(L, WHO ": give 'sites' or 'matrix'");
        read_vehicles(L, h->v);
        read_jobs(L, h->v);
    }
    lua_pop(L, 1);
    lua_getfield(L, 1, "objective");
    if (!lua_isnil(L, -1)) {
        const char *o = lua_tostring(L, -1);
        if (lua_type(L, -1) != LUA_TSTRING || (strcmp(o, "weighted") && strcmp(o, "hierarchical")))
            luaL_error(L, WHO ": 'objective' must be \"weighted\" or \"hierarchical\"");
        h->v->objective = strcmp(o, "hierarchical") == 0 ? SL_VRP_HIERARCHICAL : SL_VRP_WEIGHTED;
    }
    lua_pop(L, 1);
    if (!h->v->finished && sl_vrp_finish(h->v, &e) != SL_OK) luaL_error(L, "%s", e.msg);
    sl_world *w = sl_lua_world(L);
    if (w) h->view = slp_vrp_view_acquire(w, h, &e);
    lua_settop(L, ud);
    return 1;
}

/* ---- results ---- */

static void set_num(lua_State *L, const char *k, double x)
{
    lua_pushnumber(L, x);
    lua_setfield(L, -2, k);
}

static void set_int(lua_State *L, const char *k, long long x)
{
    lua_pushinteger(L, x);
    lua_setfield(L, -2, k);
}

static void push_result(lua_State *L, lua_vrp *h)
{
    const sl_vrp *v = h->v;
    sl_vrp_kpi k;
    sl_vrp_route_kpi *rk = lua_newuserdatauv(L, (size_t)v->nveh * sizeof *rk, 0);
    sl_vrp_evaluate(v, &h->plan, &k, rk);
    lua_createtable(L, 0, 16);
    set_num(L, "cost", k.cost);
    set_int(L, "vehicles", k.vehicles);
    set_num(L, "distance", k.distance);
    set_num(L, "duration", k.duration);
    set_num(L, "waiting", k.waiting);
    set_num(L, "lateness", k.lateness);
    set_num(L, "penalty", k.penalty);
    lua_pushboolean(L, k.feasible);
    lua_setfield(L, -2, "feasible");
    if (h->c) {
        set_int(L, "iterations", sl_vrp_aco_iterations(h->c));
        set_num(L, "seconds", sl_vrp_aco_seconds(h->c));
        set_num(L, "time_to_best", sl_vrp_aco_time_to_best(h->c));
    }
    lua_createtable(L, k.vehicles, 0);
    int n = 0;
    for (int r = 0; r < v->nveh; r++) {
        int len = sl_vrp_sol_len(&h->plan, r);
        if (!len) continue;
        lua_createtable(L, 0, 10);
        set_int(L, "vehicle", r + 1);
        lua_pushstring(L, v->types[v->vehicle_type[r]].name);
        lua_setfield(L, -2, "type");
        lua_createtable(L, len, 0);
        for (int i = 0; i < len; i++) {
            lua_pushinteger(L, v->jobs[h->plan.jobs[h->plan.start[r] + i]].id);
            lua_rawseti(L, -2, i + 1);
        }
        lua_setfield(L, -2, "jobs");
        set_num(L, "distance", rk[r].distance);
        set_num(L, "duration", rk[r].duration);
        set_num(L, "waiting", rk[r].waiting);
        set_num(L, "lateness", rk[r].lateness);
        set_num(L, "departure", rk[r].departure);
        set_num(L, "arrival", rk[r].arrival);
        set_num(L, "cost", rk[r].cost);
        lua_createtable(L, v->ndim, 0);
        for (int d = 0; d < v->ndim; d++) {
            lua_pushnumber(L, rk[r].max_load[d]);
            lua_rawseti(L, -2, d + 1);
        }
        lua_setfield(L, -2, "load");
        lua_rawseti(L, -2, ++n);
    }
    lua_setfield(L, -2, "routes");
    char *in = lua_newuserdatauv(L, (size_t)v->njobs + 1, 0);
    memset(in, 0, (size_t)v->njobs + 1);
    for (int i = 0; i < h->plan.start[h->plan.nveh]; i++) in[h->plan.jobs[i]] = 1;
    lua_createtable(L, k.unserved, 0);
    n = 0;
    for (int j = 0; j < v->njobs; j++)
        if (!in[j]) {
            lua_pushinteger(L, v->jobs[j].id);
            lua_rawseti(L, -2, ++n);
        }
    lua_setfield(L, -3, "unserved");
    lua_pop(L, 1);      /* the flags */
    lua_remove(L, -2);  /* the route kpis */
}

/* A warm plan from a result table (routes of job numbers), keeping what still fits. */
static void warm_from_result(lua_State *L, int idx, lua_vrp *h, sl_vrp_sol *out)
{
    const sl_vrp *v = h->v;
    lua_getfield(L, idx, "routes");
    if (lua_type(L, -1) != LUA_TTABLE) luaL_error(L, "solve: 'warm' must be true or a result table with routes");
    int *seq = lua_newuserdatauv(L, ((size_t)v->njobs + 1) * sizeof(int), 0);
    char *seen = lua_newuserdatauv(L, (size_t)v->njobs + 1, 0);
    memset(seen, 0, (size_t)v->njobs + 1);
    int nr = (int)lua_rawlen(L, -3);
    for (int r = 1; r <= nr; r++) {
        lua_rawgeti(L, -3, r);
        if (lua_type(L, -1) != LUA_TTABLE) luaL_error(L, "solve: warm routes[%d] must be a table", r);
        long long veh = int_field(L, lua_gettop(L), "vehicle", 0, "solve: warm route");
        lua_getfield(L, -1, "jobs");
        int len = 0;
        if (veh >= 1 && veh <= v->nveh && lua_type(L, -1) == LUA_TTABLE &&
            sl_vrp_sol_len(out, (int)veh - 1) == 0) {
            int m = (int)lua_rawlen(L, -1);
            for (int i = 1; i <= m; i++) {
                lua_rawgeti(L, -1, i);
                lua_Integer id = lua_tointeger(L, -1);
                lua_pop(L, 1);
                for (int j = 0; j < v->njobs; j++)
                    if (v->jobs[j].id == id && !seen[j]) {
                        seq[len++] = j;
                        break;
                    }
            }
            /* shipments must travel whole */
            int w = 0;
            for (int i = 0; i < len; i++) {
                int p = v->jobs[seq[i]].partner, both = p < 0;
                for (int q = 0; q < len && !both; q++) both = seq[q] == p;
                if (both) seq[w++] = seq[i];
            }
            len = w;
            sl_vrp_route_kpi k;
            sl_vrp_evaluate_route(v, (int)veh - 1, seq, len, &k);
            if (!k.feasible) len = 0;
            for (int i = 0; i < len; i++) seen[seq[i]] = 1;
            sl_vrp_sol_set_route(out, (int)veh - 1, seq, len);
        }
        lua_pop(L, 2);
    }
    lua_pop(L, 3);
}

static int m_solve(lua_State *L)
{
    lua_vrp *h = check_model(L, 1);
    if (lua_isnoneornil(L, 2)) lua_newtable(L);
    else luaL_checktype(L, 2, LUA_TTABLE);
    lua_settop(L, 2);
    static const char *const keys[] = {"time", "cpu_time", "iterations", "seed", "threads", "ants",
                                       "kicks", "alpha", "beta", "rho", "q0", "nn", "local_search",
                                       "warm", "target_cost", "target_vehicles",
                                       "target_distance", NULL};
    strict(L, 2, keys, "vrp:solve{...}");
    const char *what = "vrp:solve{...}";
    sl_world *w = sl_lua_world(L);
    sl_vrp_aco_def p;
    p = sl_vrp_aco_def_default();
    p.wall_time = num_field(L, 2, "time", 0, what);
    p.cpu_time = num_field(L, 2, "cpu_time", 0, what);
    p.iterations = int_field(L, 2, "iterations", 0, what);
    p.seed = (uint64_t)int_field(L, 2, "seed", w ? (long long)sl_world_seed(w) : 1, what);
    p.threads = (int)int_field(L, 2, "threads", w ? sl_world_threads(w) : 1, what);
    p.ants = (int)int_field(L, 2, "ants", p.ants, what);
    p.kicks = (int)int_field(L, 2, "kicks", p.kicks, what);
    p.alpha = num_field(L, 2, "alpha", p.alpha, what);
    p.beta = num_field(L, 2, "beta", p.beta, what);
    p.rho = num_field(L, 2, "rho", p.rho, what);
    p.q0 = num_field(L, 2, "q0", p.q0, what);
    p.nn = (int)int_field(L, 2, "nn", p.nn, what);
    p.target_cost = num_field(L, 2, "target_cost", -1, what);
    p.target_vehicles = (int)int_field(L, 2, "target_vehicles", -1, what);
    p.target_distance = num_field(L, 2, "target_distance", -1, what);
    lua_getfield(L, 2, "local_search");
    if (!lua_isnil(L, -1)) {
        if (lua_type(L, -1) != LUA_TBOOLEAN) luaL_error(L, "%s: 'local_search' must be true or false", what);
        p.local_search = lua_toboolean(L, -1);
    }
    lua_pop(L, 1);
    if (p.wall_time < 0 || p.cpu_time < 0 || p.iterations < 0)
        luaL_error(L, "%s: 'time', 'cpu_time' and 'iterations' must be >= 0", what);
    if (p.wall_time == 0 && p.cpu_time == 0 && p.iterations == 0 && p.target_cost < 0 &&
        p.target_vehicles < 0)
        p.iterations = 50;
    sl_vrp_sol_release(&h->warm);
    lua_getfield(L, 2, "warm");
    if (lua_type(L, -1) == LUA_TBOOLEAN) {
        if (lua_toboolean(L, -1) && h->plan.nveh == h->v->nveh) p.warm = &h->plan;
    } else if (lua_type(L, -1) == LUA_TTABLE) {
        if (sl_vrp_sol_init(&h->warm, h->v->nveh) != SL_OK) luaL_error(L, "%s: out of memory", what);
        warm_from_result(L, lua_gettop(L), h, &h->warm); /* the handle owns it, even on errors */
        p.warm = &h->warm;
    } else if (!lua_isnil(L, -1)) {
        luaL_error(L, "%s: 'warm' must be true or a result table", what);
    }
    lua_pop(L, 1);
    sl_error e;
    sl_error_clear(&e);
    sl_vrp_aco *c = sl_vrp_aco_create(&p, h->v, &e);
    if (!c) luaL_error(L, "%s", e.msg);
    /* iterations to the stopping criterion, the run's time limits checked before each one */
    while (!sl_vrp_aco_done(c)) {
        if (sl_lua_time_up(L)) {
            sl_vrp_aco_destroy(c);
            sl_lua_check_deadline(L);
        }
        sl_vrp_aco_step(c, NULL);
    }
    if (h->plan.nveh != h->v->nveh) {
        sl_vrp_sol_release(&h->plan);
        if (sl_vrp_sol_init(&h->plan, h->v->nveh) != SL_OK) {
            sl_vrp_aco_destroy(c);
            luaL_error(L, "%s: out of memory", what);
        }
    }
    sl_vrp_sol_copy(&h->plan, sl_vrp_aco_best(c));
    sl_vrp_aco_destroy(h->c);
    h->c = c;
    push_result(L, h);
    return 1;
}

static int m_result(lua_State *L)
{
    lua_vrp *h = check_model(L, 1);
    if (h->plan.nveh == 0) luaL_error(L, "vrp:result(): not solved yet");
    push_result(L, h);
    return 1;
}

static int m_write(lua_State *L)
{
    lua_vrp *h = check_model(L, 1);
    const char *name = luaL_checkstring(L, 2);
    if (h->plan.nveh == 0) luaL_error(L, "vrp:write(): not solved yet");
    char path[4096];
    snprintf(path, sizeof path, "%s", sl_lua_output_path(L, name));
    sl_error e;
    if (sl_vrp_sol_write(path, h->v, &h->plan, &e) != SL_OK) luaL_error(L, "%s", e.msg);
    return 0;
}

static int m_write_convergence(lua_State *L)
{
    lua_vrp *h = check_model(L, 1);
    const char *name = luaL_checkstring(L, 2);
    if (!h->c) luaL_error(L, "vrp:write_convergence(): not solved yet");
    char path[4096];
    snprintf(path, sizeof path, "%s", sl_lua_output_path(L, name));
    sl_error e;
    if (sl_vrp_aco_write_convergence(h->c, path, &e) != SL_OK) luaL_error(L, "%s", e.msg);
    return 0;
}

/* m:check(file): re-reads a solution file with the independent checker; returns the number of
 * violations and a list of their descriptions. */
static int m_check(lua_State *L)
{
    lua_vrp *h = check_model(L, 1);
    const char *name = luaL_checkstring(L, 2);
    char path[4096];
    snprintf(path, sizeof path, "%s", sl_lua_output_path(L, name));
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    if (!mem) luaL_error(L, "vrp:check(): out of memory");
    sl_error e;
    int n = sl_vrp_check_file(h->v, path, mem, NULL, NULL, NULL, NULL, &e);
    fclose(mem);
    lua_pushstring(L, buf ? buf : "");
    free(buf);
    if (n < 0) luaL_error(L, "%s", e.msg);
    lua_pushinteger(L, n);
    lua_insert(L, -2);
    return 2;
}

static int m_info(lua_State *L)
{
    lua_vrp *h = check_model(L, 1);
    lua_createtable(L, 0, 6);
    set_int(L, "sites", h->v->nsites);
    set_int(L, "jobs", h->v->njobs);
    set_int(L, "vehicles", h->v->nveh);
    set_int(L, "types", h->v->ntypes);
    lua_pushstring(L, h->v->format);
    lua_setfield(L, -2, "format");
    lua_pushstring(L, h->v->objective == SL_VRP_HIERARCHICAL ? "hierarchical" : "weighted");
    lua_setfield(L, -2, "objective");
    lua_pushstring(L, h->v->name);
    lua_setfield(L, -2, "name");
    return 1;
}

void sl_lua_open_vrp(lua_State *L)
{
    static const luaL_Reg methods[] = {{"solve", m_solve}, {"result", m_result}, {"write", m_write},
                                       {"write_convergence", m_write_convergence},
                                       {"check", m_check}, {"info", m_info}, {NULL, NULL}};
    sl_lua_class(L, VRP_MT, methods, model_gc);
    lua_pushcfunction(L, l_vrp);
    lua_setfield(L, -2, "vrp");
}

/* ---- viewer access ---- */

const sl_vrp *slp_vrp_view_model(const void *handle, const sl_vrp_sol **plan)
{
    const lua_vrp *h = handle;
    *plan = h->plan.nveh == h->v->nveh ? &h->plan : NULL;
    return h->v;
}
