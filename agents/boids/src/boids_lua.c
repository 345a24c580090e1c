/* boids_lua.c - Lua binding: swarmlab.boids.attach / spawn / defaults. */
#include <lauxlib.h>
#include <lua.h>
#include <math.h>

#include "swarmlab/boids.h"
#include "swarmlab/lua_host.h"

void sl_lua_open_boids(lua_State *L);

static double opt_number(lua_State *L, int t, const char *key, double def)
{
    lua_getfield(L, t, key);
    double v = def;
    if (!lua_isnil(L, -1)) {
        if (!lua_isnumber(L, -1))
            luaL_error(L, "boids: '%s' must be a number, got %s", key, luaL_typename(L, -1));
        v = lua_tonumber(L, -1);
    }
    lua_pop(L, 1);
    return v;
}

/* Accepts (pop, ...) or (world, pop, ...): returns the index of the population argument. */
static int pop_arg(lua_State *L)
{
    return lua_type(L, 1) == LUA_TUSERDATA && lua_type(L, 2) == LUA_TUSERDATA ? 2 : 1;
}

static int l_attach(lua_State *L)
{
    int pa = pop_arg(L);
    sl_pop *pop = sl_lua_check_pop(L, pa);
    sl_boids_params p = sl_boids_default_params();
    if (!lua_isnoneornil(L, pa + 1)) {
        luaL_checktype(L, pa + 1, LUA_TTABLE);
        int t = pa + 1;
        p.width = opt_number(L, t, "width", p.width);
        p.height = opt_number(L, t, "height", p.width);
        p.radius = opt_number(L, t, "radius", p.radius);
        p.speed = opt_number(L, t, "speed", p.speed);
        p.cohere_factor = opt_number(L, t, "cohere", p.cohere_factor);
        p.separation = opt_number(L, t, "separation", p.separation);
        p.separate_factor = opt_number(L, t, "separate", p.separate_factor);
        p.match_factor = opt_number(L, t, "match", p.match_factor);
    }
    sl_error e;
    sl_error_clear(&e);
    if (sl_boids_attach(sl_lua_world(L), pop, &p, &e) != SL_OK) return luaL_error(L, "%s", e.msg);
    return 0;
}

static int l_spawn(lua_State *L)
{
    int pa = pop_arg(L);
    sl_pop *pop = sl_lua_check_pop(L, pa);
    lua_Integer n = luaL_checkinteger(L, pa + 1);
    if (n < 0) return luaL_error(L, "boids.spawn: count %d must be >= 0", (int)n);
    sl_error e;
    sl_error_clear(&e);
    if (sl_boids_spawn(sl_lua_world(L), pop, (size_t)n, &e) != SL_OK)
        return luaL_error(L, "%s", e.msg);
    return 0;
}

static int l_defaults(lua_State *L)
{
    sl_boids_params p = sl_boids_default_params();
    lua_createtable(L, 0, 8);
    lua_pushnumber(L, p.width), lua_setfield(L, -2, "width");
    lua_pushnumber(L, p.height), lua_setfield(L, -2, "height");
    lua_pushnumber(L, p.radius), lua_setfield(L, -2, "radius");
    lua_pushnumber(L, p.speed), lua_setfield(L, -2, "speed");
    lua_pushnumber(L, p.cohere_factor), lua_setfield(L, -2, "cohere");
    lua_pushnumber(L, p.separation), lua_setfield(L, -2, "separation");
    lua_pushnumber(L, p.separate_factor), lua_setfield(L, -2, "separate");
    lua_pushnumber(L, p.match_factor), lua_setfield(L, -2, "match");
    return 1;
}

void sl_lua_open_boids(lua_State *L)
{
    static const luaL_Reg fns[] = {
        {"attach", l_attach}, {"spawn", l_spawn}, {"defaults", l_defaults}, {NULL, NULL},
    };
    luaL_newlib(L, fns);
    lua_setfield(L, -2, "boids");
}
