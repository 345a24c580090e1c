/* sc_fleet_lua.c - the `fleets` option table of swarmlab.supply_chain{...}, the Lua bid function
 * of the contract net, the Lua planner function, and sc:routes() / sc:vehicles().
 *
 *   fleets = {{depot = 2, vehicles = 6, capacity = 100,
 *              planner = "contract_net" | "central" | "vrp" | function(open_orders, vehicles) end,
 *              plan_period = 1, trigger = "periodic" | "order", vrp_iterations = 10, ...}}
 *
 * A planner function gets the open orders ({id, site, product, qty, created, promised,
 * vehicle}) and every vehicle ({state = "depot"|"out"|"returning", x, y, capacity, load,
 * stops}) and returns, for vehicles at the depot, the order ids they deliver in visiting order,
 * keyed by vehicle number ({[1] = {12, 15}, [3] = {20}}). A vehicle at the depot left out gets no
 * stops; orders left out stay queued. Wrong answers stop the run with one line naming the field
 * (slp_sc_apply_plan). */
#include <lauxlib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sc_internal.h"
#include "sc_lua.h"
#include "swarmlab/lua_host.h"

struct slp_sc_lua_fleet {
    lua_State *L;        /* main thread */
    int bid_ref;
    int planner_ref;     /* LUA_NOREF: no planner function */
    char where[128];
    char pwhere[128];    /* "scenario.lua:12" of the planner function */
    char name[64];
    char trace[4096];
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
static sl_status read_routes(lua_State *L, const slp_sc_lua_fleet *f, int nveh, sl_sc_plan *plan,
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
    slp_sc_lua_fleet *f = user;
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
        lua_createtable(L, 0, 7);
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
    /* the bid reference goes with the Lua state, which is closed before the world */
    free(f);
}

static sl_status lua_bid(void *user, const sl_sc_bid_info *b, int *propose, double *cost,
                         sl_error *e)
{
    slp_sc_lua_fleet *s = user;
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

slp_sc_lua_fleet *slp_sc_lua_fleets(const sl_lua_opts *o, sl_sc_def *d)
{
    static const char *const keys[] = {"depot", "vehicles", "capacity", "speed", "float",
                                       "dispatch_wait", "planner", "deadline", "retry_wait",
                                       "distance_cost", "loss", "delay", "jitter", "bid",
                                       "trace", "plan_period", "trigger", "vrp_iterations",
                                       NULL};
    static const char *const planners[] = {"contract_net", "central", "vrp", NULL};
    static const char *const triggers[] = {"periodic", "order", NULL};
    lua_State *L = o->L;
    int n = sl_lua_opt_array(o, "fleets");
    if (n <= 0) {
        d->nvehicles = 0;
        return NULL;
    }
    if (n > 1)
        sl_lua_opt_error(o, "fleets", "may hold one fleet (got %d)", n);
    sl_lua_opts f;
    sl_lua_opts_elem(o, "fleets", 1, &f, keys);
    sl_lua_opt_require(&f, "depot");
    d->depot = (long long)sl_lua_opt_integer(&f, "depot", 0, -(1LL << 53), 1LL << 53);
    d->nvehicles = (int)sl_lua_opt_integer(&f, "vehicles", d->nvehicles, 1, 100000);
    d->capacity = sl_lua_opt_number(&f, "capacity", d->capacity, 1e-9, 1e12);
    d->speed = sl_lua_opt_number(&f, "speed", d->speed, 1e-9, 1e12);
    d->float_fraction = sl_lua_opt_number(&f, "float", d->float_fraction, 0, 1);
    d->dispatch_wait = (int)sl_lua_opt_integer(&f, "dispatch_wait", d->dispatch_wait, 0, 1000000);
    lua_getfield(L, f.t, "planner");
    int planner_fn = lua_type(L, -1) == LUA_TFUNCTION;
    lua_pop(L, 1);
    d->mode = planner_fn ? SL_SC_PLANNER
                         : sl_lua_opt_enum(&f, "planner", planners, SL_SC_CONTRACT_NET);
    d->plan_period = (int)sl_lua_opt_integer(&f, "plan_period", d->plan_period, 1, 1000000000);
    d->trigger = sl_lua_opt_enum(&f, "trigger", triggers, d->trigger);
    d->vrp_iterations = (int)sl_lua_opt_integer(&f, "vrp_iterations", d->vrp_iterations, 1,
                                                100000);
    d->cn_deadline = (int)sl_lua_opt_integer(&f, "deadline", d->cn_deadline, 2, 1000000);
    d->retry_wait = (int)sl_lua_opt_integer(&f, "retry_wait", d->retry_wait, 0, 1000000);
    d->km_cost = sl_lua_opt_number(&f, "distance_cost", d->km_cost, 0, 1e12);
    d->link.loss = sl_lua_opt_number(&f, "loss", 0, 0, 1);
    d->link.delay = (uint32_t)sl_lua_opt_integer(&f, "delay", 0, 0, 1000000);
    d->link.jitter = (uint32_t)sl_lua_opt_integer(&f, "jitter", 0, 0, 1000000);
    const char *trace = sl_lua_opt_string(&f, "trace", NULL);
    if (trace && d->mode != SL_SC_CONTRACT_NET)
        sl_lua_opt_error(&f, "trace", "needs planner = \"contract_net\"");
    slp_sc_lua_fleet *k = calloc(1, sizeof *k);
    if (!k)
        luaL_error(L, "supply_chain: out of memory");
    k->L = sl_lua_main_thread(L);
    k->bid_ref = LUA_NOREF;
    k->planner_ref = LUA_NOREF;
    snprintf(k->name, sizeof k->name, "%s", d->name);
    if (trace)
        snprintf(k->trace, sizeof k->trace, "%s", trace);
    lua_getfield(L, f.t, "bid");
    if (lua_type(L, -1) == LUA_TFUNCTION) {
        lua_Debug ar;
        lua_pushvalue(L, -1);
        lua_getinfo(L, ">S", &ar);
        snprintf(k->where, sizeof k->where, "%s:%d", ar.short_src, ar.linedefined);
    }
    lua_pop(L, 1);
    int ref = LUA_NOREF;
    /* a Lua error here would leak k: take the reference after every check */
    lua_getfield(L, f.t, "bid");
    int t = lua_type(L, -1);
    lua_pop(L, 1);
    if (t != LUA_TNIL && t != LUA_TFUNCTION) {
        free(k);
        sl_lua_opt_error(&f, "bid", "must be a function (got %s)", lua_typename(L, t));
    }
    ref = sl_lua_opt_function(&f, "bid");
    k->bid_ref = ref;
    if (ref != LUA_NOREF) {
        d->bid = lua_bid;
        d->bid_user = k;
    }
    if (planner_fn) {
        lua_getfield(L, f.t, "planner");
        lua_Debug ar;
        lua_getinfo(L, ">S", &ar);
        snprintf(k->pwhere, sizeof k->pwhere, "%s:%d", ar.short_src, ar.linedefined);
        k->planner_ref = sl_lua_opt_function(&f, "planner");
        d->plan_fn = lua_planner;
        d->plan_user = k;
        d->plan_where = k->pwhere;
    }
    lua_pop(L, 1); /* the fleet's table */
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
        lua_createtable(L, 0, 6);
        setint(L, "vehicle", v + 1);
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
        double leg = slp_sc_dist(sc, veh->loc, veh->target);
        double f = veh->state != VEH_DEPOT && leg > 0 ? veh->progress / leg : 0.0;
        int a = veh->state == VEH_DEPOT ? 0 : veh->loc, b = veh->state == VEH_DEPOT ? 0 : veh->target;
        double load = 0.0;
        for (int p = 0; p < sc->P; p++)
            load += veh->state == VEH_DEPOT ? veh->committed[p] : veh->load[p];
        lua_createtable(L, 0, 9);
        lua_pushstring(L, state_name(veh->state));
        lua_setfield(L, -2, "state");
        setnum(L, "x", sc->nx[a] + f * (sc->nx[b] - sc->nx[a]));
        setnum(L, "y", sc->ny[a] + f * (sc->ny[b] - sc->ny[a]));
        setnum(L, "load", load);
        setnum(L, "capacity", sc->def.capacity);
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
