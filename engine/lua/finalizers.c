/* finalizers.c - __gc finalizers of --unsafe scenarios under the budget and the time limits.
 *
 * Lua runs a finalizer with hooks off, in the middle of whatever allocation triggered the
 * collection (or when the state closes), so a finalizer's loop would escape the instruction
 * budget and the time limits. The sandbox refuses __gc; in --unsafe mode setmetatable and
 * debug.setmetatable replace a __gc function of the metatable by a C function that runs it in a
 * new coroutine: a new thread inherits the count hook and has hooks on, so the budget and the
 * time limits apply there as anywhere else, and an exhausted budget fails the callback under way
 * (or sl_host_close_script). A __gc stored into a metatable after setmetatable is not wrapped.
 */
#include "host_internal.h"

#include <lauxlib.h>

/* The finalizer: upvalue 1 is the script's function. */
static int run_finalizer(lua_State *L)
{
    lua_State *co = lua_newthread(L);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushvalue(L, 1);
    lua_xmove(L, co, 2);
    int nres = 0;
    int rc = lua_resume(co, L, 1, &nres);
    if (rc != LUA_OK && rc != LUA_YIELD) {
        lua_xmove(co, L, 1); /* the error, reported by Lua as a finalizer's error */
        return lua_error(L);
    }
    return 0;
}

/* Replaces mt.__gc (when it is a function not yet wrapped) by run_finalizer. */
static void wrap_gc(lua_State *L, int mt)
{
    lua_pushliteral(L, "__gc");
    if (lua_rawget(L, mt) == LUA_TFUNCTION && lua_tocfunction(L, -1) != run_finalizer) {
        lua_pushcclosure(L, run_finalizer, 1);
        lua_pushliteral(L, "__gc");
        lua_insert(L, -2);
        lua_rawset(L, mt);
    } else {
        lua_pop(L, 1);
    }
}

/* setmetatable / debug.setmetatable: upvalue 1 is the library's function. */
static int wrapped_setmetatable(lua_State *L)
{
    if (lua_type(L, 2) == LUA_TTABLE) wrap_gc(L, 2);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

static void wrap_field(lua_State *L, int table, const char *name)
{
    table = lua_absindex(L, table);
    lua_getfield(L, table, name);
    if (lua_isfunction(L, -1)) {
        lua_pushcclosure(L, wrapped_setmetatable, 1);
        lua_setfield(L, table, name);
    } else {
        lua_pop(L, 1);
    }
}

void slp_host_finalizers_install(lua_State *L)
{
    lua_pushglobaltable(L);
    wrap_field(L, -1, "setmetatable");
    lua_pop(L, 1);
    if (lua_getglobal(L, "debug") == LUA_TTABLE) wrap_field(L, -1, "setmetatable");
    lua_pop(L, 1);
}
