/* sc_fleet_lua.c - the `fleets` option table of swarmlab.supply_chain{...}, the Lua bid functions
 * of the contract net, the Lua planner functions, and sc:routes() / sc:vehicles().
 *
 *   fleets = {{depot = 2, vehicles = 6, capacity = 100,
 *              planner = "contract_net" | "central" | "vrp" | function(open_orders, vehicles) end,
 *              plan_period = 1, trigger = "periodic" | "order", vrp_iterations = 10, ...},
 *             {depot = 3, types = {{count = 4, capacity = 100, speed = 40, fixed_cost = 5,
 *                                   cost_per_distance = 0.01, cost_per_time = 0}, ...}, ...}}
 *
 * One fleet per depot. A fleet gives its vehicles either with `types` or with the flat fields
 * vehicles / capacity / speed / distance_cost (one type). A planner function gets its fleet's
 * open orders ({id, site, product, qty, created, promised, vehicle}) and the fleet's vehicles
 * ({vehicle, type (name), state = "depot"|"out"|"returning", x, y, capacity, load, stops}, numbered
 * 1.. within the fleet) and returns, for vehicles at the depot, the order ids they deliver in
 * visiting order, keyed by that number ({[1] = {12, 15}, [3] = {20}}). A vehicle at the depot
 * left out gets no stops; orders left out stay queued. Wrong answers stop the run with one line
 * naming the field (slp_sc_apply_plan). */
#include <lauxlib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sc_internal.h"
#include "sc_lua.h"
#include "swarmlab/lua_host.h"

/* The Lua functions of one fleet (the user pointer of its hooks). */
typedef struct lua_fleet {
    lua_State *L;        /* main thread */
    const char *name;    /* the chain's (in the owner) */
    int bid_ref;
    int planner_ref;     /* LUA_NOREF: no planner function */
    char where[128];
    char pwhere[128];    /* "scenario.lua:12" of the planner function */
} lua_fleet;

struct slp_sc_lua_fleet {
    char name[64];
    char trace[4096];
    int n;
    sl_sc_fleet_def *defs; /* the fleets' definitions, given to sl_sc_create */
    lua_fleet *f;
};

static const char *state_name(int s)
{
    return s == VEH_DEPOT ? "depot" : s == VEH_OUT ? "out" : "returning";
}

static void setnum(lua_State *L, const char *k, double v)
{
    lua_pushnumber(L, v);
    lua_setfield(L, -2, k);
}

static void setint(lua_State *L, const char *k, lua_Integer v)
{
    lua_pushinteger(L, v);
    lua_setfield(L, -2, k);
}

/* Reads the planner's answer (on top of the stack) into plan; a one-line error otherwise. */
static sl_status read_routes(lua_State *L, const lua_fleet *f, int nveh, sl_sc_plan *plan,
                             sl_error *e)
{
    if (!lua_istable(L, -1))
        return sl_error_set(e, SL_ERR_LUA, "%s: supply chain '%s': planner returned %s; it must "
                            "return a table of routes ({[vehicle] = {order ids}})", f->pwhere,
                            f->name, luaL_typename(L, -1));
    int t = lua_gettop(L);
    /* every key must be a vehicle number */
    lua_pushnil(L);
    while (lua_next(L, t)) {
        lua_pop(L, 1);
        int isint = 0;
        lua_Integer v = lua_isinteger(L, -1) ? lua_tointegerx(L, -1, &isint) : 0;
        if (!isint || v < 1 || v > nveh) {
            const char *k = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1)
                                                           : luaL_typename(L, -1);
            sl_status st = sl_error_set(e, SL_ERR_LUA, "%s: supply chain '%s': planner returned "
                                        "routes[%s]: not a vehicle number (1..%d)", f->pwhere,
                                        f->name, isint ? "" : k, nveh);
            if (isint)
                st = sl_error_set(e, SL_ERR_LUA, "%s: supply chain '%s': planner returned "
                                  "routes[%lld]: vehicle %lld does not exist (1..%d)", f->pwhere,
                                  f->name, (long long)v, (long long)v, nveh);
            lua_pop(L, 1);
            return st;
        }
    }
    size_t total = 0;
    for (int v = 1; v <= nveh; v++) {
        lua_rawgeti(L, t, v);
        if (!lua_isnil(L, -1)) {
            if (!lua_istable(L, -1)) {
                const char *tn = luaL_typename(L, -1);
                lua_pop(L, 1);
                return sl_error_set(e, SL_ERR_LUA, "%s: supply chain '%s': planner returned "
                                    "routes[%d] = %s; a route is a list of order ids", f->pwhere,
                                    f->name, v, tn);
            }
            total += lua_rawlen(L, -1);
        }
        lua_pop(L, 1);
    }
    plan->vehicle = malloc(((size_t)nveh + 1) * sizeof *plan->vehicle);
    plan->start = malloc(((size_t)nveh + 2) * sizeof *plan->start);
    plan->ids = malloc((total + 1) * sizeof *plan->ids);
    if (!plan->vehicle || !plan->start || !plan->ids)
        return sl_error_set(e, SL_ERR_NOMEM, "supply chain '%s': out of memory", f->name);
    size_t k = 0;
    plan->nroutes = 0;
    for (int v = 1; v <= nveh; v++) {
        lua_rawgeti(L, t, v);
        if (lua_isnil(L, -1)) {
            lua_pop(L, 1);
            continue;
        }
        int r = plan->nroutes++;
        plan->vehicle[r] = v - 1;
        plan->start[r] = (int)k;
        lua_Unsigned n = lua_rawlen(L, -1);
        for (lua_Unsigned i = 1; i <= n; i++) {
            lua_rawgeti(L, -1, (lua_Integer)i);
            int isint = 0;
            lua_Integer id = lua_tointegerx(L, -1, &isint);
            const char *tn = luaL_typename(L, -1);
            lua_pop(L, 1);
            if (!isint || id < 1)
                return sl_error_set(e, SL_ERR_LUA, "%s: supply chain '%s': planner returned "
                                    "routes[%d][%llu] = %s; it must be an order id", f->pwhere,
                                    f->name, v, (unsigned long long)i, isint ? "a number < 1" : tn);
            plan->ids[k++] = (uint64_t)id;
        }
        lua_pop(L, 1);
    }
    plan->start[plan->nroutes] = (int)k;
    return SL_OK;
}

static sl_status lua_planner(void *user, const sl_sc_plan_order *o, int no,
                             const sl_sc_plan_vehicle *v, int nv, sl_sc_plan *out, sl_error *e)
{
    lua_fleet *f = user;
    lua_State *L = sl_lua_callback_push(f->L, f->planner_ref);
    if (!lua_checkstack(L, 16))
        return sl_error_set(e, SL_ERR_LUA, "supply chain '%s': Lua stack overflow", f->name);
    int top = lua_gettop(L) - 1;
    lua_createtable(L, no, 0);
    for (int i = 0; i < no; i++) {
        lua_createtable(L, 0, 10);
        setint(L, "id", (lua_Integer)o[i].id);
        setint(L, "site", o[i].site);
        setint(L, "product", o[i].product + 1);
        setnum(L, "qty", o[i].qty);
        setint(L, "created", (lua_Integer)o[i].created);
        setint(L, "promised", (lua_Integer)o[i].promised);
        if (o[i].vehicle >= 0)
            setint(L, "vehicle", o[i].vehicle + 1);
        lua_rawseti(L, -2, i + 1);
    }
    lua_createtable(L, nv, 0);
    for (int i = 0; i < nv; i++) {
        lua_createtable(L, 0, 9);
        setint(L, "vehicle", v[i].vehicle + 1);
        lua_pushstring(L, v[i].type_name); /* as sc:vehicles() names it */
        lua_setfield(L, -2, "type");
        lua_pushstring(L, state_name(v[i].state));
        lua_setfield(L, -2, "state");
        setnum(L, "x", v[i].x);
        setnum(L, "y", v[i].y);
        setnum(L, "capacity", v[i].capacity);
        setnum(L, "load", v[i].load);
        setint(L, "stops", v[i].nstops);
        lua_rawseti(L, -2, i + 1);
    }
    sl_status st = sl_lua_callback_call(L, 2, 1, e);
    if (st == SL_OK)
        st = read_routes(L, f, nv, out, e);
    lua_settop(L, top);
    return st;
}



void slp_sc_lua_fleet_free(slp_sc_lua_fleet *f)
{
    /* the function references go with the Lua state, which is closed before the world */
    if (!f)
        return;
    free(f->defs);
    free(f->f);
    free(f);
}

static sl_status lua_bid(void *user, const sl_sc_bid_info *b, int *propose, double *cost,
                         sl_error *e)
{
    lua_fleet *s = user;
    lua_State *L = sl_lua_callback_push(s->L, s->bid_ref);
    lua_createtable(L, 0, 7);
    lua_pushinteger(L, b->vehicle + 1);
    lua_setfield(L, -2, "vehicle");
    lua_pushinteger(L, b->store + 1);
    lua_setfield(L, -2, "store");
    lua_pushinteger(L, (lua_Integer)b->order);
    lua_setfield(L, -2, "order");
    lua_pushnumber(L, b->units);
    lua_setfield(L, -2, "units");
    lua_pushnumber(L, b->marginal);
    lua_setfield(L, -2, "marginal");
    lua_pushboolean(L, b->en_route);
    lua_setfield(L, -2, "en_route");
    lua_pushnumber(L, b->load);
    lua_setfield(L, -2, "load");
    if (sl_lua_callback_call(L, 1, 1, e) != SL_OK)
        return SL_ERR_LUA;
    if (lua_isnil(L, -1) || (lua_isboolean(L, -1) && !lua_toboolean(L, -1))) {
        lua_pop(L, 1);
        *propose = 0;
        return SL_OK;
    }
    int ok = 0;
    double v = lua_tonumberx(L, -1, &ok);
    const char *tn = luaL_typename(L, -1);
    lua_pop(L, 1);
    if (!ok || !isfinite(v))
        return sl_error_set(e, SL_ERR_LUA, "%s: supply chain '%s': bid function returned %s for "
                            "vehicle %d, order %llu (a bid must be a finite number, or nil to "
                            "refuse)", s->where, s->name, ok ? (isnan(v) ? "nan" : "inf") : tn,
                            b->vehicle + 1, (unsigned long long)b->order);
    *propose = 1;
    *cost = v;
    return SL_OK;
}

/* Where the function o.key is defined ("file.lua:12"), into buf. */
static void where_of(const sl_lua_opts *o, const char *key, char *buf, size_t size)
{
    lua_State *L = o->L;
    lua_getfield(L, o->t, key);
    lua_Debug ar;
    lua_getinfo(L, ">S", &ar);
    snprintf(buf, size, "%s:%d", ar.short_src, ar.linedefined);
}

/* o.shift = {start, end}: times of day (steps) with start < end (steps_per_day is checked when
 * the chain is made). */
static void read_shift(const sl_lua_opts *o, sl_sc_vtype *y)
{
    if (!sl_lua_opt_has(o, "shift"))
        return;
    double w[2];
    sl_lua_opt_numbers(o, "shift", w, 2, 0, 1e9);
    if (!(w[0] < w[1]))
        sl_lua_opt_error(o, "shift", "must start before it ends (got {%g, %g})", w[0], w[1]);
    y->shift_start = w[0];
    y->shift_end = w[1];
}

/* The vehicle types of fleet table ft: `types`, or the flat fields as one type. */
static void read_types(const sl_lua_opts *ft, sl_sc_fleet_def *d, const sl_sc_def *flat)
{
    static const char *const keys[] = {"name", "count", "capacity", "speed", "fixed_cost",
                                       "cost_per_distance", "cost_per_time", "shift", NULL};
    static const char *const flat_keys[] = {"vehicles", "capacity", "speed", "distance_cost",
                                            "shift", NULL};
    int n = sl_lua_opt_array(ft, "types");
    if (n < 0) {
        sl_sc_vtype *y = &d->types[0];
        d->ntypes = 1;
        snprintf(y->name, sizeof y->name, "vehicle");
        y->count = (int)sl_lua_opt_integer(ft, "vehicles", flat->nvehicles, 1, 100000);
        y->capacity = sl_lua_opt_number(ft, "capacity", flat->capacity, 1e-9, 1e12);
        y->speed = sl_lua_opt_number(ft, "speed", flat->speed, 1e-9, 1e12);
        y->cost_per_distance = sl_lua_opt_number(ft, "distance_cost", flat->km_cost, 0, 1e12);
        read_shift(ft, y);
        return;
    }
    for (int k = 0; flat_keys[k]; k++)
        if (sl_lua_opt_has(ft, flat_keys[k]))
            sl_lua_opt_error(ft, flat_keys[k], "cannot be given with 'types' (give it in each "
                             "type)");
    if (n < 1 || n > SL_SC_MAX_VTYPES)
        sl_lua_opt_error(ft, "types", "must hold 1..%d vehicle types (got %d)", SL_SC_MAX_VTYPES,
                         n);
    d->ntypes = n;
    for (int t = 0; t < n; t++) {
        sl_lua_opts o;
        sl_lua_opts_elem(ft, "types", t + 1, &o, keys);
        sl_sc_vtype *y = &d->types[t];
        *y = sl_sc_vtype_default();
        snprintf(y->name, sizeof y->name, "%s", sl_lua_opt_string(&o, "name", ""));
        y->count = (int)sl_lua_opt_integer(&o, "count", 1, 1, 100000);
        y->capacity = sl_lua_opt_number(&o, "capacity", flat->capacity, 1e-9, 1e12);
        y->speed = sl_lua_opt_number(&o, "speed", flat->speed, 1e-9, 1e12);
        y->fixed_cost = sl_lua_opt_number(&o, "fixed_cost", 0, 0, 1e12);
        y->cost_per_distance = sl_lua_opt_number(&o, "cost_per_distance", flat->km_cost, 0, 1e12);
        y->cost_per_time = sl_lua_opt_number(&o, "cost_per_time", 0, 0, 1e12);
        read_shift(&o, y);
        lua_pop(o.L, 1);
    }
}

/* Fleet i (0-based) of o.fleets into k->defs[i] and k->f[i]. */
static void read_fleet(const sl_lua_opts *o, slp_sc_lua_fleet *k, int i, const sl_sc_def *flat)
{
    static const char *const keys[] = {"depot", "vehicles", "capacity", "speed", "float",
                                       "dispatch_wait", "planner", "deadline", "retry_wait",
                                       "distance_cost", "loss", "delay", "jitter", "bid",
                                       "trace", "plan_period", "trigger", "vrp_iterations",
                                       "types", "shift", NULL};
    static const char *const planners[] = {"contract_net", "central", "vrp", NULL};
    static const char *const triggers[] = {"periodic", "order", NULL};
    lua_State *L = o->L;
    sl_lua_opts f;
    sl_lua_opts_elem(o, "fleets", i + 1, &f, keys);
    sl_sc_fleet_def *d = &k->defs[i];
    lua_fleet *lf = &k->f[i];
    *d = sl_sc_fleet_def_default();
    sl_lua_opt_require(&f, "depot");
    d->depot = (long long)sl_lua_opt_integer(&f, "depot", 0, -(1LL << 53), 1LL << 53);
    read_types(&f, d, flat);
    d->float_fraction = sl_lua_opt_number(&f, "float", flat->float_fraction, 0, 1);
    d->dispatch_wait = (int)sl_lua_opt_integer(&f, "dispatch_wait", flat->dispatch_wait, 0,
                                               1000000);
    lua_getfield(L, f.t, "planner");
    int planner_fn = lua_type(L, -1) == LUA_TFUNCTION;
    lua_pop(L, 1);
    d->mode = planner_fn ? SL_SC_PLANNER
                         : sl_lua_opt_enum(&f, "planner", planners, SL_SC_CONTRACT_NET);
    d->plan_period = (int)sl_lua_opt_integer(&f, "plan_period", flat->plan_period, 1, 1000000000);
    d->trigger = sl_lua_opt_enum(&f, "trigger", triggers, flat->trigger);
    d->vrp_iterations = (int)sl_lua_opt_integer(&f, "vrp_iterations", flat->vrp_iterations, 1,
                                                100000);
    d->cn_deadline = (int)sl_lua_opt_integer(&f, "deadline", flat->cn_deadline, 2, 1000000);
    d->retry_wait = (int)sl_lua_opt_integer(&f, "retry_wait", flat->retry_wait, 0, 1000000);
    d->link.loss = sl_lua_opt_number(&f, "loss", 0, 0, 1);
    d->link.delay = (uint32_t)sl_lua_opt_integer(&f, "delay", 0, 0, 1000000);
    d->link.jitter = (uint32_t)sl_lua_opt_integer(&f, "jitter", 0, 0, 1000000);
    const char *trace = sl_lua_opt_string(&f, "trace", NULL);
    if (trace && d->mode != SL_SC_CONTRACT_NET)
        sl_lua_opt_error(&f, "trace", "needs planner = \"contract_net\"");
    if (trace && k->trace[0])
        sl_lua_opt_error(&f, "trace", "is given by an earlier fleet already (the contract-net "
                         "fleets share one negotiation and one trace)");
    if (trace)
        snprintf(k->trace, sizeof k->trace, "%s", trace);
    lua_getfield(L, f.t, "bid");
    int t = lua_type(L, -1);
    lua_pop(L, 1);
    if (t != LUA_TNIL && t != LUA_TFUNCTION)
        sl_lua_opt_error(&f, "bid", "must be a function (got %s)", lua_typename(L, t));
    if (t == LUA_TFUNCTION)
        where_of(&f, "bid", lf->where, sizeof lf->where);
    if (planner_fn)
        where_of(&f, "planner", lf->pwhere, sizeof lf->pwhere);
    lf->L = sl_lua_main_thread(L);
    lf->name = k->name;
    /* the references last: no Lua error after them */
    lf->bid_ref = sl_lua_opt_function(&f, "bid");
    if (lf->bid_ref != LUA_NOREF) {
        d->bid = lua_bid;
        d->bid_user = lf;
    }
    if (planner_fn) {
        lf->planner_ref = sl_lua_opt_function(&f, "planner");
        d->plan_fn = lua_planner;
        d->plan_user = lf;
        d->plan_where = lf->pwhere;
    }
    lua_settop(L, f.t - 1); /* the fleet's table */
}

/* Frees k when a Lua error unwinds (the box's __gc). */
static int fleet_box_gc(lua_State *L)
{
    slp_sc_lua_fleet **b = lua_touserdata(L, 1);
    slp_sc_lua_fleet_free(*b);
    *b = NULL;
    return 0;
}

slp_sc_lua_fleet *slp_sc_lua_fleets(const sl_lua_opts *o, sl_sc_def *d)
{
    lua_State *L = o->L;
    int n = sl_lua_opt_array(o, "fleets");
    if (n <= 0) {
        d->nvehicles = 0;
        return NULL;
    }
    /* k is held by a box until it is returned, so that a Lua error frees it */
    slp_sc_lua_fleet **box = lua_newuserdatauv(L, sizeof *box, 0);
    *box = NULL;
    lua_createtable(L, 0, 1);
    lua_pushcfunction(L, fleet_box_gc);
    lua_setfield(L, -2, "__gc");
    lua_setmetatable(L, -2);
    int top = lua_gettop(L);
    slp_sc_lua_fleet *k = calloc(1, sizeof *k);
    if (k) {
        *box = k;
        k->defs = calloc((size_t)n, sizeof *k->defs);
        k->f = calloc((size_t)n, sizeof *k->f);
    }
    if (!k || !k->defs || !k->f)
        luaL_error(L, "supply_chain: out of memory");
    k->n = n;
    snprintf(k->name, sizeof k->name, "%s", d->name);
    for (int i = 0; i < n; i++) {
        k->f[i].bid_ref = k->f[i].planner_ref = LUA_NOREF;
        read_fleet(o, k, i, d);
        lua_settop(L, top);
    }
    *box = NULL;
    lua_pop(L, 1);
    d->nfleets = n;
    d->fleets = k->defs;
    return k;
}

sl_status slp_sc_lua_fleet_start(slp_sc_lua_fleet *f, lua_State *L, sl_sc *sc, sl_error *e)
{
    if (!f || !f->trace[0])
        return SL_OK;
    return sl_sc_open_trace(sc, sl_lua_output_path(L, f->trace), e);
}

int slp_sc_lua_routes(lua_State *L, const sl_sc *sc)
{
    lua_createtable(L, sc->V, 0);
    for (int v = 0; v < sc->V; v++) {
        const sc_vehicle *veh = &sc->veh[v];
        int cur = veh->nstops - veh->nnext;
        lua_createtable(L, 0, 9);
        setint(L, "vehicle", v + 1);
        setint(L, "fleet", veh->fleet + 1);
        setint(L, "depot", sc->site[veh->depot].id);
        lua_pushstring(L, state_name(veh->state));
        lua_setfield(L, -2, "state");
        setint(L, "route", veh->trips + (veh->state == VEH_DEPOT ? 1 : 0));
        for (int part = 0; part < 2; part++) {
            int a = part ? cur : 0, b = part ? veh->nstops : cur;
            lua_createtable(L, b - a, 0);
            for (int k = a; k < b; k++) {
                lua_pushinteger(L, (lua_Integer)sc->orders[veh->stops[k]].id);
                lua_rawseti(L, -2, k - a + 1);
            }
            lua_setfield(L, -2, part ? "next" : "orders");
        }
        lua_createtable(L, cur, 0);
        for (int k = 0; k < cur; k++) {
            lua_pushinteger(L, sc->orders[veh->stops[k]].site);
            lua_rawseti(L, -2, k + 1);
        }
        lua_setfield(L, -2, "sites");
        lua_rawseti(L, -2, v + 1);
    }
    return 1;
}

int slp_sc_lua_vehicles(lua_State *L, const sl_sc *sc)
{
    lua_createtable(L, sc->V, 0);
    for (int v = 0; v < sc->V; v++) {
        const sc_vehicle *veh = &sc->veh[v];
        double x, y, load = 0.0;
        slp_sc_vehicle_xy(sc, v, &x, &y);
        for (int p = 0; p < sc->P; p++)
            load += veh->state == VEH_DEPOT ? veh->committed[p] : veh->load[p];
        lua_createtable(L, 0, 14);
        setint(L, "vehicle", v + 1);
        setint(L, "fleet", veh->fleet + 1);
        setint(L, "depot", sc->site[veh->depot].id);
        lua_pushstring(L, sc->fleet[veh->fleet].def.types[veh->type].name);
        lua_setfield(L, -2, "type");
        lua_pushstring(L, state_name(veh->state));
        lua_setfield(L, -2, "state");
        setnum(L, "x", x);
        setnum(L, "y", y);
        setnum(L, "load", load);
        setnum(L, "capacity", veh->cap);
        setnum(L, "speed", veh->speed);
        setint(L, "stops", veh->nstops - veh->nnext);
        setint(L, "next_stops", veh->nnext);
        setint(L, "trips", veh->trips);
        setnum(L, "distance", veh->distance);
        lua_rawseti(L, -2, v + 1);
    }
    return 1;
}

int slp_sc_lua_write_routes(lua_State *L, const sl_sc *sc)
{
    const char *path = sl_lua_output_path(L, luaL_checkstring(L, 2));
    sl_error e;
    sl_error_clear(&e);
    if (sl_sc_write_routes(sc, path, &e) != SL_OK)
        return luaL_error(L, "supply_chain '%s': %s", sc->name, e.msg);
    return 0;
}
