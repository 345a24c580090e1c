/* boids_lua.c - Lua binding: swarmlab.boids.attach / spawn / defaults. */
#include <lauxlib.h>
#include <lua.h>
#include <math.h>

#include "swarmlab/boids.h"
#include "swarmlab/lua_bind.h"
#include "swarmlab/lua_host.h"

void sl_lua_open_boids(lua_State *L);

/* Accepts (pop, ...) or (world, pop, ...): returns the index of the population argument. */
static int pop_arg(lua_State *L)
{
    return lua_type(L, 1) == LUA_TUSERDATA && lua_type(L, 2) == LUA_TUSERDATA ? 2 : 1;
}

static int l_attach(lua_State *L)
{
    int pa = pop_arg(L);
    sl_pop *pop = sl_lua_check_pop(L, pa);
    sl_boids_def p = sl_boids_def_default();
    static const char *const keys[] = {"width", "height", "radius", "speed", "cohere",
                                       "separation", "separate", "match", NULL};
    sl_lua_opts o;
    sl_lua_opts_open_opt(&o, L, pa + 1, "swarmlab.boids.attach(pop, {...})", keys);
    /* the ranges of sl_boids_check (a plane given by its width alone is square) */
    p.width = sl_lua_opt_interval(&o, "width", p.width, 0.0, HUGE_VAL, "()");
    p.height = sl_lua_opt_interval(&o, "height", p.width, 0.0, HUGE_VAL, "()");
    p.radius = sl_lua_opt_interval(&o, "radius", p.radius, 0.0, HUGE_VAL, "()");
    p.speed = sl_lua_opt_number(&o, "speed", p.speed, 0.0, HUGE_VAL);
    p.cohere_factor = sl_lua_opt_number(&o, "cohere", p.cohere_factor, -HUGE_VAL, HUGE_VAL);
    p.separation = sl_lua_opt_number(&o, "separation", p.separation, 0.0, HUGE_VAL);
    p.separate_factor = sl_lua_opt_number(&o, "separate", p.separate_factor, -HUGE_VAL, HUGE_VAL);
    p.match_factor = sl_lua_opt_number(&o, "match", p.match_factor, -HUGE_VAL, HUGE_VAL);
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
    sl_boids_def p = sl_boids_def_default();
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
