/* logistics_lua.c - Lua binding: swarmlab.beer_game{...}; swarmlab.supply_chain{...} is in
 * sc_lua.c.
 *
 *   local r = swarmlab.beer_game{policy = function(v) return order end, weeks = 36,
 *                                csv = "orders.csv"}     -- r.total_cost, r.stage_cost[1..4], ...
 *
 * The policy function is called from C; its errors stop the run and keep the scenario line
 * ("beer_game.lua:31: ..."); a result that is not a finite number names the line where the
 * function was defined.
 */
#include <lauxlib.h>
#include <lua.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "swarmlab/beer_game.h"
#include "swarmlab/checkpoint.h"
#include "swarmlab/lua_bind.h"
#include "swarmlab/lua_host.h"
#include "swarmlab/rng.h"
#include "sc_lua.h"

void sl_lua_open_logistics(lua_State *L);

static const char *stage_names[SL_BEER_STAGES] = {"retailer", "wholesaler", "distributor",
                                                  "factory"};

static double num_field(lua_State *L, int t, const char *key, double def)
{
    lua_getfield(L, t, key);
    double v = def;
    if (!lua_isnil(L, -1)) {
        int ok = 0;
        v = lua_tonumberx(L, -1, &ok);
        if (!ok)
            luaL_error(L, "'%s' must be a number, got %s", key, luaL_typename(L, -1));
    }
    lua_pop(L, 1);
    return v;
}

static int int_field(lua_State *L, int t, const char *key, int def)
{
    double v = num_field(L, t, key, def);
    if (v != floor(v) || fabs(v) > 1e9)
        luaL_error(L, "'%s' must be an integer, got %g", key, v);
    return (int)v;
}

static const char *str_field(lua_State *L, int t, const char *key, const char *def)
{
    lua_getfield(L, t, key);
    const char *s = def;
    if (!lua_isnil(L, -1)) {
        if (lua_type(L, -1) != LUA_TSTRING)
            luaL_error(L, "'%s' must be a string, got %s", key, luaL_typename(L, -1));
        s = lua_tostring(L, -1);
    }
    lua_pop(L, 1); /* the string stays alive: it is held by the table */
    return s;
}

static void where_of(lua_State *L, int idx, char *buf, size_t n)
{
    lua_pushvalue(L, idx);
    lua_Debug ar;
    lua_getinfo(L, ">S", &ar);
    snprintf(buf, n, "%s:%d", ar.short_src, ar.linedefined);
}

/* ---- beer game ---- */

typedef struct beer_ctx {
    lua_State *L;      /* the calling thread: the policy runs only during swarmlab.beer_game */
    int fn;            /* stack index of the policy */
    char where[128];
} beer_ctx;

static sl_status beer_policy(void *user, const sl_beer_view *v, double *order, sl_error *e)
{
    beer_ctx *b = user;
    /* the policy runs on the main thread through the host's protected call (lua_bind.h) */
    lua_State *L = sl_lua_main_thread(b->L);
    if (!lua_checkstack(L, 8) || !lua_checkstack(b->L, 2))
        return sl_error_set(e, SL_ERR_LUA, "beer game: Lua stack overflow");
    lua_pushvalue(b->L, b->fn);
    lua_xmove(b->L, L, 1);
    lua_createtable(L, 0, 11);
    lua_pushinteger(L, v->stage + 1);
    lua_setfield(L, -2, "stage");
    lua_pushstring(L, stage_names[v->stage]);
    lua_setfield(L, -2, "name");
    lua_pushinteger(L, v->week);
    lua_setfield(L, -2, "week");
    const char *k[7] = {"inventory", "backlog", "incoming", "received", "shipped", "supply_line",
                        "last_order"};
    double x[7] = {v->inventory, v->backlog, v->incoming, v->received, v->shipped,
                   v->supply_line, v->last_order};
    for (int i = 0; i < 7; i++) {
        lua_pushnumber(L, x[i]);
        lua_setfield(L, -2, k[i]);
    }
    if (sl_lua_callback_call(L, 1, 1, e) != SL_OK) return SL_ERR_LUA;
    int ok = 0;
    double o = lua_tonumberx(L, -1, &ok);
    const char *tn = luaL_typename(L, -1);
    lua_pop(L, 1);
    if (!ok || !isfinite(o) || o < 0)
        return sl_error_set(e, SL_ERR_LUA, "%s: beer game policy returned %s for the %s in week "
                            "%d (an order must be a finite number >= 0)", b->where,
                            ok ? (isnan(o) ? "nan" : o < 0 ? "a negative order" : "inf") : tn,
                            stage_names[v->stage], v->week);
    *order = o;
    return SL_OK;
}

static int l_beer_game(lua_State *L)
{
    static const char *const keys[] = {"weeks", "forced_weeks", "holding_cost", "backlog_cost",
                                       "demand_before", "demand_after", "step_week", "csv",
                                       "policy", NULL};
    sl_lua_opts o;
    sl_lua_opts_open(&o, L, 1, "swarmlab.beer_game{...}", keys);
    sl_beer_def d = sl_beer_def_default();
    d.weeks = int_field(L, 1, "weeks", d.weeks);
    d.forced_weeks = int_field(L, 1, "forced_weeks", d.forced_weeks);
    d.holding_cost = num_field(L, 1, "holding_cost", d.holding_cost);
    d.backlog_cost = num_field(L, 1, "backlog_cost", d.backlog_cost);
    d.demand_before = num_field(L, 1, "demand_before", d.demand_before);
    d.demand_after = num_field(L, 1, "demand_after", d.demand_after);
    d.step_week = int_field(L, 1, "step_week", d.step_week);
    const char *csv = str_field(L, 1, "csv", NULL);
    lua_getfield(L, 1, "policy");
    if (!lua_isfunction(L, -1))
        return luaL_error(L, "beer_game: 'policy' must be a function(view) returning an order");
    beer_ctx ctx;
    ctx.L = L;
    ctx.fn = lua_gettop(L);
    where_of(L, ctx.fn, ctx.where, sizeof ctx.where);
    sl_beer_result *r = lua_newuserdatauv(L, sizeof *r, 0); /* collected by the GC */
    sl_error e;
    sl_error_clear(&e);
    if (sl_beer_play(&d, beer_policy, &ctx, r, &e) != SL_OK) {
        if (e.code == SL_ERR_LUA)
            return sl_lua_raise(L, &e);
        return luaL_error(L, "beer_game: %s", e.msg);
    }
    if (csv) {
        const char *path = sl_lua_output_path(L, csv);
        char part[4096];
        snprintf(part, sizeof part, "%s.part", path);
        FILE *f = fopen(part, "w");
        if (!f)
            return luaL_error(L, "beer_game: cannot write %s", path);
        fprintf(f, "week,demand");
        for (int s = 0; s < SL_BEER_STAGES; s++)
            fprintf(f, ",%s_order,%s_inventory,%s_backlog", stage_names[s], stage_names[s],
                    stage_names[s]);
        fputc('\n', f);
        for (int w = 0; w < r->weeks; w++) {
            fprintf(f, "%d,%.17g", w + 1, r->demand[w]);
            for (int s = 0; s < SL_BEER_STAGES; s++)
                fprintf(f, ",%.17g,%.17g,%.17g", r->order[w][s], r->inventory[w][s],
                        r->backlog[w][s]);
            fputc('\n', f);
        }
        if (fclose(f) != 0 || rename(part, path) != 0)
            return luaL_error(L, "beer_game: cannot write %s", path);
    }
    lua_createtable(L, 0, 6);
    lua_pushnumber(L, r->total_cost);
    lua_setfield(L, -2, "total_cost");
    lua_createtable(L, SL_BEER_STAGES, 0);
    for (int s = 0; s < SL_BEER_STAGES; s++) {
        lua_pushnumber(L, r->stage_cost[s]);
        lua_rawseti(L, -2, s + 1);
    }
    lua_setfield(L, -2, "stage_cost");
    lua_createtable(L, SL_BEER_STAGES, 0);
    for (int s = 0; s < SL_BEER_STAGES; s++) {
        lua_pushnumber(L, sl_beer_bullwhip(r, s, 0));
        lua_rawseti(L, -2, s + 1);
    }
    lua_setfield(L, -2, "bullwhip");
    const char *series[3] = {"orders", "inventory", "backlog"};
    for (int k = 0; k < 3; k++) {
        lua_createtable(L, r->weeks, 0);
        for (int w = 0; w < r->weeks; w++) {
            lua_createtable(L, SL_BEER_STAGES, 0);
            for (int s = 0; s < SL_BEER_STAGES; s++) {
                double v = k == 0 ? r->order[w][s] : k == 1 ? r->inventory[w][s]
                                                            : r->backlog[w][s];
                lua_pushnumber(L, v);
                lua_rawseti(L, -2, s + 1);
            }
            lua_rawseti(L, -2, w + 1);
        }
        lua_setfield(L, -2, series[k]);
    }
    return 1;
}

void sl_lua_open_logistics(lua_State *L)
{
    lua_pushcfunction(L, l_beer_game);
    lua_setfield(L, -2, "beer_game");
    slp_sc_lua_open(L);
}
