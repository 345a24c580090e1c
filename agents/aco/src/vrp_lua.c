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
 *                       ants = 8, kicks = 10, chains = 1, warm = true | previous_result}
 *   m:write(res, "best.sol"); m:write_convergence("convergence.csv")
 *
 * Sites, jobs and vehicles are numbered from 1 as in their tables (file models: as in the file).
 * A result: cost, vehicles, distance, duration, waiting, lateness, unserved (list of job
 * numbers), feasible, iterations, seconds, time_to_best, and routes = {{vehicle = k, jobs =
 * {...}, distance, duration, waiting, lateness, departure, arrival, load = {...}, cost}, ...}.
 * warm = true starts from this model's previous plan; a result table from another model starts
 * from its routes, keeping only jobs (by number) and routes that are still feasible.
 *
 * Every option table is read with the binding toolkit (swarmlab/lua_bind.h): an unknown key is an
 * error naming the nearest valid key, a value of the wrong type or out of range names the table
 * and the option ("swarmlab.vrp{...}.jobs[3]: option 'service' must be in [0, 1e12] ..."). Numbers
 * are finite and at most 1e12 in magnitude (a window or shift that never closes: leave it out). The
 * model userdata owns the model, the last plan and the last colony (for convergence and the
 * viewer); all are freed by __gc, also after a Lua error.
 */
#include <lauxlib.h>
#include <limits.h>
#include <lua.h>
#include <math.h>
#include <stdbool.h>
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

/* ---- option tables (swarmlab/lua_bind.h) ---- */

/* A number or a list of numbers (one per capacity dimension), each in [0, 1e12]. */
static void read_dims(const sl_lua_opts *o, const char *key, double *out, int ndim, double def)
{
    for (int d = 0; d < SL_VRP_MAXDIM; d++) out[d] = d < ndim ? def : 0;
    if (!sl_lua_opt_has(o, key)) return;
    lua_getfield(o->L, o->t, key);
    int list = lua_type(o->L, -1) == LUA_TTABLE;
    lua_pop(o->L, 1);
    if (list) {
        sl_lua_opt_numbers(o, key, out, ndim, 0, SL_VRP_BIG);
        return;
    }
    if (ndim > 1) sl_lua_opt_error(o, key, "must be a list of %d numbers (one per dimension)", ndim);
    out[0] = sl_lua_opt_number(o, key, def, 0, SL_VRP_BIG);
}

/* true when element i of the array option o.key is a table with a list part ({x, y}, a row). */
static bool elem_is_list(const sl_lua_opts *o, const char *key, int i)
{
    lua_getfield(o->L, o->t, key);
    lua_geti(o->L, -1, i);
    bool list = lua_type(o->L, -1) == LUA_TTABLE && lua_rawlen(o->L, -1) > 0;
    lua_pop(o->L, 2);
    return list;
}

/* ---- building a model from tables ---- */

static void read_sites(const sl_lua_opts *o, sl_vrp *v)
{
    static const char *const keys[] = {"x", "y", NULL};
    int n = sl_lua_opt_array(o, "sites");
    for (int i = 1; i <= n; i++) {
        double xy[2];
        if (elem_is_list(o, "sites", i)) {
            sl_lua_opt_elem_numbers(o, "sites", i, xy, 2, -SL_VRP_BIG, SL_VRP_BIG);
        } else {
            sl_lua_opts s;
            sl_lua_opts_elem(o, "sites", i, &s, keys);
            sl_lua_opt_require(&s, "x");
            sl_lua_opt_require(&s, "y");
            xy[0] = sl_lua_opt_number(&s, "x", 0, -SL_VRP_BIG, SL_VRP_BIG);
            xy[1] = sl_lua_opt_number(&s, "y", 0, -SL_VRP_BIG, SL_VRP_BIG);
            lua_pop(o->L, 1);
        }
        if (sl_vrp_add_site(v, xy[0], xy[1]) < 0)
            sl_lua_opt_error(o, "sites", "holds more than %d sites", SL_VRP_MAX_SITES);
    }
}

/* The n x n numbers of array option o.key (n rows of n numbers in [0, 1e12]) into m. */
static void read_square(const sl_lua_opts *o, const char *key, int n, double *m)
{
    int rows = sl_lua_opt_array(o, key);
    if (rows != n) sl_lua_opt_error(o, key, "has %d rows but there are %d sites", rows, n);
    for (int i = 0; i < n; i++)
        sl_lua_opt_elem_numbers(o, key, i + 1, m + (size_t)i * n, n, 0, SL_VRP_BIG);
}

/* matrix = {{...}, ...} (distances, time = distance) or {distance = {{...}}, time = {{...}}}. */
static void read_matrix(const sl_lua_opts *o, sl_vrp *v)
{
    static const char *const keys[] = {"distance", "time", NULL};
    lua_State *L = o->L;
    if (!sl_lua_opt_has(o, "matrix")) return;
    int top = lua_gettop(L);
    lua_getfield(L, o->t, "matrix");
    bool named = lua_type(L, -1) == LUA_TTABLE && lua_rawlen(L, -1) == 0;
    lua_pop(L, 1);
    sl_lua_opts m = *o; /* the table that holds the rows, under `key` */
    const char *key = "matrix";
    if (named) {
        sl_lua_opts_sub(o, "matrix", &m, keys);
        sl_lua_opt_require(&m, "distance");
        key = "distance";
    }
    int n = sl_lua_opt_array(&m, key);
    if (n < 1 || n > SL_VRP_MAX_SITES)
        sl_lua_opt_error(&m, key, "must have 1..%d rows (got %d)", SL_VRP_MAX_SITES, n);
    if (v->nsites == 0) /* matrix only: one site per row */
        for (int i = 0; i < n; i++) sl_vrp_add_site(v, NAN, NAN);
    if (n != v->nsites)
        sl_lua_opt_error(o, "matrix", "is %dx%d but there are %d sites", n, n, v->nsites);
    /* the buffers are Lua userdata, so a Lua error cannot leak them */
    double *d = lua_newuserdatauv(L, (size_t)n * n * sizeof(double), 0);
    read_square(&m, key, n, d);
    double *t = NULL;
    if (named && sl_lua_opt_has(&m, "time")) {
        t = lua_newuserdatauv(L, (size_t)n * n * sizeof(double), 0);
        read_square(&m, "time", n, t);
    }
    sl_error e;
    if (sl_vrp_set_matrix(v, n, d, t, &e) != SL_OK) luaL_error(L, "%s", e.msg);
    lua_settop(L, top);
}

/* A time window {open, close} from array option o.key (element i when i > 0). */
static void read_window(const sl_lua_opts *o, const char *key, int i, double *open, double *close)
{
    double w[2];
    if (i > 0) sl_lua_opt_elem_numbers(o, key, i, w, 2, -SL_VRP_BIG, SL_VRP_BIG);
    else sl_lua_opt_numbers(o, key, w, 2, -SL_VRP_BIG, SL_VRP_BIG);
    *open = w[0];
    *close = w[1];
}

static void read_jobs(const sl_lua_opts *o, sl_vrp *v)
{
    static const char *const keys[] = {"site", "demand", "service", "window", "windows", "penalty",
                                       "kind", "pickup", "id", NULL};
    static const char *const kinds[] = {"delivery", "pickup", NULL};
    lua_State *L = o->L;
    sl_lua_opt_require(o, "jobs");
    int n = sl_lua_opt_array(o, "jobs");
    for (int i = 1; i <= n; i++) {
        sl_lua_opts jo;
        sl_lua_opts_elem(o, "jobs", i, &jo, keys);
        sl_vrp_job j = sl_vrp_job_default();
        sl_lua_opt_require(&jo, "site");
        j.site = (int)sl_lua_opt_integer(&jo, "site", 1, 1, v->nsites) - 1;
        j.id = (int)sl_lua_opt_integer(&jo, "id", i, 1, INT_MAX);
        read_dims(&jo, "demand", j.demand, v->ndim, 0);
        j.service = sl_lua_opt_number(&jo, "service", 0, 0, SL_VRP_BIG);
        j.penalty = sl_lua_opt_number(&jo, "penalty", -1, 0, SL_VRP_BIG);
        if (sl_lua_opt_has(&jo, "window") && sl_lua_opt_has(&jo, "windows"))
            sl_lua_opt_error(&jo, "windows", "cannot be given with 'window'");
        if (sl_lua_opt_has(&jo, "window")) read_window(&jo, "window", 0, &j.open[0], &j.close[0]);
        int nw = sl_lua_opt_array(&jo, "windows");
        if (nw >= 0) {
            if (nw < 1 || nw > SL_VRP_MAXWIN)
                sl_lua_opt_error(&jo, "windows", "must hold 1..%d pairs (got %d)", SL_VRP_MAXWIN, nw);
            j.nwin = nw;
            for (int q = 0; q < nw; q++) read_window(&jo, "windows", q + 1, &j.open[q], &j.close[q]);
        }
        j.kind = sl_lua_opt_enum(&jo, "kind", kinds, 0) == 1 ? SL_VRP_PICKUP : SL_VRP_DELIVERY;
        int pk = (int)sl_lua_opt_integer(&jo, "pickup", 0, 1, n);
        if (pk == i) sl_lua_opt_error(&jo, "pickup", "must name another job (got %d, itself)", pk);
        if (pk) {
            j.kind = SL_VRP_SHIP_DELIVERY;
            j.partner = pk - 1;
        }
        if (sl_vrp_add_job(v, &j) < 0) luaL_error(L, WHO ": out of memory");
        lua_pop(L, 1);
    }
    /* the pickup halves */
    for (int i = 0; i < v->njobs; i++) {
        sl_vrp_job *j = &v->jobs[i];
        if (j->kind != SL_VRP_SHIP_DELIVERY) continue;
        sl_vrp_job *p = &v->jobs[j->partner];
        if (p->kind == SL_VRP_SHIP_PICKUP)
            luaL_error(L, WHO ".jobs[%d]: option 'pickup' names job %d, already the pickup of "
                       "another delivery", i + 1, j->partner + 1);
        if (p->kind == SL_VRP_SHIP_DELIVERY)
            luaL_error(L, WHO ".jobs[%d]: option 'pickup' names job %d, itself a delivery", i + 1,
                       j->partner + 1);
        p->kind = SL_VRP_SHIP_PICKUP;
        p->partner = i;
        for (int d = 0; d < v->ndim; d++)
            if (j->demand[d] == 0) j->demand[d] = p->demand[d];
            else if (p->demand[d] == 0) p->demand[d] = j->demand[d];
    }
}

static void read_vehicles(const sl_lua_opts *o, sl_vrp *v)
{
    static const char *const keys[] = {"count", "capacity", "fixed", "cost_distance", "cost_time",
                                       "speed", "start", "end", "shift", "max_duration",
                                       "max_distance", "name", NULL};
    lua_State *L = o->L;
    sl_lua_opt_require(o, "vehicles");
    int n = sl_lua_opt_array(o, "vehicles");
    if (n == 0) sl_lua_opt_error(o, "vehicles", "is empty (empty fleet)");
    for (int i = 1; i <= n; i++) {
        sl_lua_opts vo;
        sl_lua_opts_elem(o, "vehicles", i, &vo, keys);
        sl_vrp_vtype T = sl_vrp_vtype_default();
        T.count = (int)sl_lua_opt_integer(&vo, "count", 1, 0, 100000);
        read_dims(&vo, "capacity", T.capacity, v->ndim, SL_VRP_INF);
        T.fixed = sl_lua_opt_number(&vo, "fixed", 0, 0, SL_VRP_BIG);
        T.cost_distance = sl_lua_opt_number(&vo, "cost_distance", 1, 0, SL_VRP_BIG);
        T.cost_time = sl_lua_opt_number(&vo, "cost_time", 0, 0, SL_VRP_BIG);
        T.speed = sl_lua_opt_number(&vo, "speed", 1, 1e-9, SL_VRP_BIG);
        T.max_duration = sl_lua_opt_number(&vo, "max_duration", SL_VRP_INF, 0, SL_VRP_BIG);
        T.max_distance = sl_lua_opt_number(&vo, "max_distance", SL_VRP_INF, 0, SL_VRP_BIG);
        T.start = (int)sl_lua_opt_integer(&vo, "start", 1, 1, v->nsites) - 1;
        lua_getfield(L, vo.t, "end");
        int open_route = lua_type(L, -1) == LUA_TBOOLEAN, end_true = lua_toboolean(L, -1);
        lua_pop(L, 1);
        if (open_route && end_true)
            sl_lua_opt_error(&vo, "end", "must be a site (1..%d) or false for an open route "
                             "(got true)", v->nsites);
        T.end = open_route ? -1 : (int)sl_lua_opt_integer(&vo, "end", T.start + 1, 1, v->nsites) - 1;
        if (sl_lua_opt_has(&vo, "shift")) read_window(&vo, "shift", 0, &T.shift_open, &T.shift_close);
        const char *name = sl_lua_opt_string(&vo, "name", NULL);
        if (name) snprintf(T.name, sizeof T.name, "%s", name);
        if (sl_vrp_add_vtype(v, &T) < 0) luaL_error(L, WHO ": out of memory");
        lua_pop(L, 1);
    }
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
    static const char *const keys[] = {"instance", "sites", "matrix", "jobs", "vehicles", "dimensions",
                                       "objective", "name", NULL};
    static const char *const with_file[] = {"instance", "objective", NULL};
    static const char *const objectives[] = {"weighted", "hierarchical", NULL};
    sl_lua_opts o;
    sl_lua_opts_open(&o, L, 1, WHO, keys);
    lua_settop(L, 1);
    lua_vrp *h = sl_lua_new_object(L, sizeof *h, VRP_MT);
    int ud = lua_gettop(L);
    sl_error e;
    sl_error_clear(&e);
    int objective = sl_lua_opt_enum(&o, "objective", objectives, -1);
    if (sl_lua_opt_has(&o, "instance")) {
        sl_lua_opts only;
        sl_lua_opts_open(&only, L, 1, WHO " with 'instance'", with_file);
        const char *path = sl_lua_opt_string(&o, "instance", NULL);
        const char *found = sl_lua_resolve_input(L, path);
        if (!found) sl_lua_opt_error(&o, "instance", "names a file that does not exist ('%s')", path);
        h->v = sl_vrp_load(found, &e);
        if (!h->v) luaL_error(L, "%s", e.msg);
    } else {
        int nd = (int)sl_lua_opt_integer(&o, "dimensions", 1, 1, SL_VRP_MAXDIM);
        h->v = sl_vrp_create(sl_lua_opt_string(&o, "name", "vrp"), nd);
        if (!h->v) luaL_error(L, WHO ": out of memory");
        snprintf(h->v->source, sizeof h->v->source, WHO);
        read_sites(&o, h->v);
        read_matrix(&o, h->v);
        if (h->v->nsites == 0) luaL_error(L, WHO ": give 'sites' or 'matrix'");
        read_vehicles(&o, h->v);
        read_jobs(&o, h->v);
    }
    if (objective >= 0) h->v->objective = objective ? SL_VRP_HIERARCHICAL : SL_VRP_WEIGHTED;
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
static void warm_from_result(const sl_lua_opts *o, int idx, lua_vrp *h, sl_vrp_sol *out)
{
    lua_State *L = o->L;
    const sl_vrp *v = h->v;
    lua_getfield(L, idx, "routes");
    if (lua_type(L, -1) != LUA_TTABLE)
        sl_lua_opt_error(o, "warm", "must be true, false or a result table with routes");
    int *seq = lua_newuserdatauv(L, ((size_t)v->njobs + 1) * sizeof(int), 0);
    char *seen = lua_newuserdatauv(L, (size_t)v->njobs + 1, 0);
    memset(seen, 0, (size_t)v->njobs + 1);
    int nr = (int)lua_rawlen(L, -3);
    for (int r = 1; r <= nr; r++) {
        lua_rawgeti(L, -3, r);
        if (lua_type(L, -1) != LUA_TTABLE)
            sl_lua_opt_error(o, "warm", "routes[%d] must be a table", r);
        lua_getfield(L, -1, "vehicle");
        int isint = 0;
        lua_Integer veh = lua_tointegerx(L, -1, &isint);
        if (!lua_isnil(L, -1) && (!isint || lua_type(L, -1) != LUA_TNUMBER))
            sl_lua_opt_error(o, "warm", "routes[%d].vehicle must be an integer", r);
        lua_pop(L, 1);
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
    static const char *const keys[] = {"time", "cpu_time", "iterations", "seed", "threads", "ants",
                                       "kicks", "chains", "alpha", "beta", "rho", "q0", "nn", "local_search",
                                       "warm", "target_cost", "target_vehicles",
                                       "target_distance", NULL};
    lua_vrp *h = check_model(L, 1);
    lua_settop(L, 2);
    sl_lua_opts o;
    sl_lua_opts_open_opt(&o, L, 2, "vrp:solve{...}", keys);
    sl_world *w = sl_lua_world(L);
    sl_vrp_aco_def p = sl_vrp_aco_def_default();
    p.wall_time = sl_lua_opt_number(&o, "time", 0, 0, HUGE_VAL);
    p.cpu_time = sl_lua_opt_number(&o, "cpu_time", 0, 0, HUGE_VAL);
    p.iterations = sl_lua_opt_integer(&o, "iterations", 0, 0, LUA_MAXINTEGER);
    p.seed = (uint64_t)sl_lua_opt_integer(&o, "seed", w ? (lua_Integer)sl_world_seed(w) : 1,
                                          LUA_MININTEGER, LUA_MAXINTEGER);
    p.threads = (int)sl_lua_opt_integer(&o, "threads", w ? sl_world_threads(w) : 1, 1, 1024);
    p.ants = (int)sl_lua_opt_integer(&o, "ants", p.ants, 1, 10000);
    p.kicks = (int)sl_lua_opt_integer(&o, "kicks", p.kicks, 0, 10000);
    p.chains = (int)sl_lua_opt_integer(&o, "chains", p.chains, 1, 64);
    p.alpha = sl_lua_opt_number(&o, "alpha", p.alpha, 0, HUGE_VAL);
    p.beta = sl_lua_opt_number(&o, "beta", p.beta, 0, HUGE_VAL);
    p.rho = sl_lua_opt_interval(&o, "rho", p.rho, 0, 1, "(]");
    p.q0 = sl_lua_opt_number(&o, "q0", p.q0, 0, 1);
    p.nn = (int)sl_lua_opt_integer(&o, "nn", p.nn, 1, 1000);
    p.local_search = sl_lua_opt_boolean(&o, "local_search", p.local_search);
    p.target_cost = sl_lua_opt_number(&o, "target_cost", -1, 0, HUGE_VAL);
    p.target_vehicles = (int)sl_lua_opt_integer(&o, "target_vehicles", -1, 0, 100000);
    p.target_distance = sl_lua_opt_number(&o, "target_distance", -1, 0, HUGE_VAL);
    if (p.wall_time == 0 && p.cpu_time == 0 && p.iterations == 0 && p.target_cost < 0 &&
        p.target_vehicles < 0)
        p.iterations = 50;
    sl_vrp_sol_release(&h->warm);
    lua_getfield(L, 2, "warm");
    if (lua_type(L, -1) == LUA_TBOOLEAN) {
        if (lua_toboolean(L, -1) && h->plan.nveh == h->v->nveh) p.warm = &h->plan;
    } else if (lua_type(L, -1) == LUA_TTABLE) {
        if (sl_vrp_sol_init(&h->warm, h->v->nveh) != SL_OK) luaL_error(L, "vrp:solve{...}: out of memory");
        warm_from_result(&o, lua_gettop(L), h, &h->warm); /* the handle owns it, even on errors */
        p.warm = &h->warm;
    } else if (!lua_isnil(L, -1)) {
        sl_lua_opt_error(&o, "warm", "must be true, false or a result table (got a %s)",
                         luaL_typename(L, -1));
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
            luaL_error(L, "vrp:solve{...}: out of memory");
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

/* m:check(file): re-reads a solution file with the independent checker; returns
 * {violations = n, text = one line per violation}. */
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
    lua_createtable(L, 0, 2);
    lua_pushstring(L, buf ? buf : "");
    free(buf);
    if (n < 0) luaL_error(L, "%s", e.msg);
    lua_setfield(L, -2, "text");
    lua_pushinteger(L, n);
    lua_setfield(L, -2, "violations");
    return 1;
}

static int m_info(lua_State *L)
{
    lua_vrp *h = check_model(L, 1);
    lua_createtable(L, 0, 8);
    set_int(L, "sites", h->v->nsites);
    set_int(L, "jobs", h->v->njobs);
    set_int(L, "vehicles", h->v->nveh);
    set_int(L, "types", h->v->ntypes);
    set_int(L, "fleet_bound", sl_vrp_fleet_bound(h->v));
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
