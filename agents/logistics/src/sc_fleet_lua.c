/* sc_fleet_lua.c - the `fleets` option table of swarmlab.supply_chain{...} and the Lua bid
 * function of the contract net. */
#include <lauxlib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sc_lua.h"
#include "swarmlab/lua_host.h"

struct slp_sc_lua_fleet {
    lua_State *L;        /* main thread */
    int bid_ref;
    char where[128];
    char name[64];
    char trace[4096];
};

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
                                       "trace", NULL};
    static const char *const planners[] = {"contract_net", "central", NULL};
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
    d->mode = sl_lua_opt_enum(&f, "planner", planners, SL_SC_CONTRACT_NET);
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
    lua_pop(L, 1); /* the fleet's table */
    return k;
}

sl_status slp_sc_lua_fleet_start(slp_sc_lua_fleet *f, lua_State *L, sl_sc *sc, sl_error *e)
{
    if (!f || !f->trace[0])
        return SL_OK;
    return sl_sc_open_trace(sc, sl_lua_output_path(L, f->trace), e);
}
