/* api_world.c - world, population, record and rng userdata for scenarios.
 *
 * The world userdata is made once per host; a population, field or graph has one userdata per
 * object (cached in a registry table keyed by its pointer), so `==` works between handles. The
 * objects belong to the world, which outlives the Lua state. Slots are 1-based in Lua.
 */
#include "host_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "swarmlab/lua_bind.h"
#include "swarmlab/recorder.h"

#define OBJECTS_KEY "swarmlab.objects"
#define WORLD_KEY "swarmlab.world_ud"

typedef struct object_box {
    void *ptr;
} object_box;

typedef struct record_box {
    int metric;
} record_box;

void slp_host_api_push_object(lua_State *L, void *ptr, const char *mt)
{
    lua_getfield(L, LUA_REGISTRYINDEX, OBJECTS_KEY);
    if (lua_rawgetp(L, -1, ptr) == LUA_TUSERDATA) {
        lua_remove(L, -2);
        return;
    }
    lua_pop(L, 1);
    object_box *b = lua_newuserdatauv(L, sizeof *b, 0);
    b->ptr = ptr;
    luaL_setmetatable(L, mt);
    lua_pushvalue(L, -1);
    lua_rawsetp(L, -3, ptr);
    lua_remove(L, -2);
}

void slp_host_api_push_world(lua_State *L)
{
    lua_getfield(L, LUA_REGISTRYINDEX, WORLD_KEY);
}

static void check_world(lua_State *L)
{
    luaL_checkudata(L, 1, SL_MT_WORLD);
}

sl_pop *sl_lua_check_pop(lua_State *L, int arg)
{
    return ((object_box *)luaL_checkudata(L, arg, SL_MT_POP))->ptr;
}

void sl_lua_push_pop(lua_State *L, sl_pop *p)
{
    slp_host_api_push_object(L, p, SL_MT_POP);
}

/* ---- population ---- */

static size_t check_slot(lua_State *L, sl_pop *p, int arg)
{
    lua_Integer i = luaL_checkinteger(L, arg);
    size_t n = sl_pop_count(p);
    if (i < 1 || (lua_Unsigned)i > n)
        luaL_argerror(L, arg, lua_pushfstring(L, "slot %I out of range 1..%I in population '%s'",
                                              i, (lua_Integer)n, sl_pop_name(p)));
    return (size_t)(i - 1);
}

static int check_column(lua_State *L, sl_pop *p, int arg)
{
    const char *name = luaL_checkstring(L, arg);
    int c = sl_pop_column(p, name);
    if (c < 0)
        luaL_argerror(L, arg, lua_pushfstring(L, "no column '%s' in population '%s'", name,
                                              sl_pop_name(p)));
    return c;
}

static int pop_count(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)sl_pop_count(sl_lua_check_pop(L, 1)));
    return 1;
}

static int pop_name(lua_State *L)
{
    lua_pushstring(L, sl_pop_name(sl_lua_check_pop(L, 1)));
    return 1;
}

static int pop_get(lua_State *L)
{
    sl_pop *p = sl_lua_check_pop(L, 1);
    int c = check_column(L, p, 2);
    size_t s = check_slot(L, p, 3);
    double v = sl_pop_get(p, c, s);
    sl_type t = sl_pop_column_type(p, c);
    if (t == SL_F64 || t == SL_F32) lua_pushnumber(L, v);
    else lua_pushinteger(L, (lua_Integer)v);
    return 1;
}

static int pop_set(lua_State *L)
{
    sl_pop *p = sl_lua_check_pop(L, 1);
    int c = check_column(L, p, 2);
    size_t s = check_slot(L, p, 3);
    double v = luaL_checknumber(L, 4);
    sl_type t = sl_pop_column_type(p, c);
    if (t != SL_F64 && t != SL_F32) {
        double lo = t == SL_U8 ? 0 : t == SL_I32 ? -2147483648.0 : -9223372036854775808.0;
        double hi = t == SL_U8 ? 255 : t == SL_I32 ? 2147483647.0 : 9223372036854774784.0;
        if (v != floor(v) || v < lo || v > hi)
            luaL_argerror(L, 4, lua_pushfstring(L, "column '%s' holds %s values, got %f",
                                                sl_pop_column_name(p, c), sl_type_name(t), v));
    }
    sl_pop_set(p, c, s, v);
    return 0;
}

static int pop_spawn(lua_State *L)
{
    sl_pop *p = sl_lua_check_pop(L, 1);
    lua_Integer n = luaL_optinteger(L, 2, 1);
    luaL_argcheck(L, n >= 0 && n <= 100000000, 2, "count must be in 0..1e8");
    size_t first = sl_pop_spawn(p, (size_t)n);
    if (first == (size_t)-1) return luaL_error(L, "out of memory spawning %I agents", n);
    lua_pushinteger(L, (lua_Integer)first + 1);
    return 1;
}

static int pop_kill(lua_State *L)
{
    sl_pop *p = sl_lua_check_pop(L, 1);
    sl_pop_kill(p, check_slot(L, p, 2));
    return 0;
}

static int pop_commit(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)sl_pop_commit(sl_lua_check_pop(L, 1)));
    return 1;
}

static int pop_id(lua_State *L)
{
    sl_pop *p = sl_lua_check_pop(L, 1);
    lua_pushinteger(L, (lua_Integer)sl_pop_id(p, check_slot(L, p, 2)));
    return 1;
}

static int pop_slot(lua_State *L)
{
    sl_pop *p = sl_lua_check_pop(L, 1);
    long s = sl_pop_slot(p, (sl_id)luaL_checkinteger(L, 2));
    if (s < 0) lua_pushnil(L);
    else lua_pushinteger(L, (lua_Integer)s + 1);
    return 1;
}

static int pop_columns(lua_State *L)
{
    sl_pop *p = sl_lua_check_pop(L, 1);
    int n = sl_pop_ncolumns(p);
    lua_createtable(L, n, 0);
    for (int i = 0; i < n; i++) {
        lua_pushstring(L, sl_pop_column_name(p, i));
        lua_rawseti(L, -2, i + 1);
    }
    return 1;
}

static int pop_has_column(lua_State *L)
{
    sl_pop *p = sl_lua_check_pop(L, 1);
    lua_pushboolean(L, sl_pop_column(p, luaL_checkstring(L, 2)) >= 0);
    return 1;
}

static void add_column(lua_State *L, sl_pop *p, const char *name, const char *type)
{
    int t = sl_type_parse(type);
    if (t < 0)
        luaL_error(L, "column '%s': unknown type '%s' (expected f64, f32, i64, i32, u8)", name,
                   type);
    sl_error e;
    if (sl_pop_add_column(p, name, (sl_type)t, &e) < 0) luaL_error(L, "%s", e.msg);
}

static int pop_add_column(lua_State *L)
{
    sl_pop *p = sl_lua_check_pop(L, 1);
    add_column(L, p, luaL_checkstring(L, 2), luaL_optstring(L, 3, "f64"));
    return 0;
}

static int pop_reduce(lua_State *L)
{
    sl_pop *p = sl_lua_check_pop(L, 1);
    int c = check_column(L, p, 2);
    const char *how = luaL_optstring(L, 3, "sum");
    int r = sl_reduce_parse(how);
    luaL_argcheck(L, r >= 0 && r != SL_REDUCE_VALUE, 3, "expected sum, mean, min, max or count");
    lua_pushnumber(L, sl_pop_reduce(sl_lua_world(L), p, c, (sl_reduce)r));
    return 1;
}

static int pop_tostring(lua_State *L)
{
    sl_pop *p = sl_lua_check_pop(L, 1);
    lua_pushfstring(L, "population '%s' (%I agents)", sl_pop_name(p), (lua_Integer)sl_pop_count(p));
    return 1;
}

static const luaL_Reg pop_methods[] = {
    {"count", pop_count},     {"name", pop_name},       {"get", pop_get},
    {"set", pop_set},         {"spawn", pop_spawn},     {"kill", pop_kill},
    {"commit", pop_commit},   {"id", pop_id},           {"slot", pop_slot},
    {"columns", pop_columns}, {"has_column", pop_has_column},
    {"add_column", pop_add_column}, {"reduce", pop_reduce},
    {NULL, NULL},
};

/* ---- world ---- */

/* A required string option: raises "missing option 'key' in <table>" when absent. */
static const char *required_string(const sl_lua_opts *o, const char *key)
{
    sl_lua_opt_require(o, key);
    return sl_lua_opt_string(o, key, NULL);
}

static int w_population(lua_State *L)
{
    static const char *const keys[] = {"name", "n", "columns", NULL};
    check_world(L);
    sl_lua_opts o;
    sl_lua_opts_open(&o, L, 2, "world:population{...}", keys);
    sl_world *w = sl_lua_world(L);
    const char *name = required_string(&o, "name");
    lua_Integer n = sl_lua_opt_integer(&o, "n", 0, 0, 100000000);
    lua_getfield(L, 2, "columns");
    int cols = lua_gettop(L);
    if (!lua_isnil(L, cols) && !lua_istable(L, cols))
        return sl_lua_opt_error(&o, "columns", "must be a table (got a %s)",
                                luaL_typename(L, cols));
    sl_error e;
    sl_pop *p = sl_world_add_pop(w, name, &e);
    if (!p) return luaL_error(L, "%s", e.msg);
    if (lua_istable(L, cols)) {
        /* array entries are f64 columns in order; named entries follow, sorted by name, so the
         * column order never depends on table iteration order */
        lua_Integer na = luaL_len(L, cols);
        for (lua_Integer i = 1; i <= na; i++) {
            lua_geti(L, cols, i);
            if (lua_type(L, -1) != LUA_TSTRING)
                return luaL_error(L, "population '%s': column list entries must be names", name);
            add_column(L, p, lua_tostring(L, -1), "f64");
            lua_pop(L, 1);
        }
        lua_newtable(L);
        int keys = lua_gettop(L);
        lua_Integer nk = 0;
        lua_pushnil(L);
        while (lua_next(L, cols)) {
            lua_pop(L, 1);
            if (lua_type(L, -1) == LUA_TSTRING) {
                lua_pushvalue(L, -1);
                lua_rawseti(L, keys, ++nk);
            } else if (!lua_isinteger(L, -1)) {
                return luaL_error(L, "population '%s': column names must be strings", name);
            }
        }
        lua_getglobal(L, "table");
        lua_getfield(L, -1, "sort");
        lua_pushvalue(L, keys);
        lua_call(L, 1, 0);
        lua_pop(L, 1);
        for (lua_Integer i = 1; i <= nk; i++) {
            lua_geti(L, keys, i);
            lua_gettable(L, cols);
            lua_geti(L, keys, i);
            if (lua_type(L, -2) != LUA_TSTRING)
                return luaL_error(L, "population '%s': type of column '%s' must be a string",
                                  name, lua_tostring(L, -1));
            add_column(L, p, lua_tostring(L, -1), lua_tostring(L, -2));
            lua_pop(L, 2);
        }
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    if (n > 0 && sl_pop_spawn(p, (size_t)n) == (size_t)-1)
        return luaL_error(L, "population '%s': out of memory for %I agents", name, n);
    sl_lua_push_pop(L, p);
    return 1;
}

static int w_pop(lua_State *L)
{
    check_world(L);
    sl_pop *p = sl_world_pop(sl_lua_world(L), luaL_checkstring(L, 2));
    if (p) sl_lua_push_pop(L, p);
    else lua_pushnil(L);
    return 1;
}

static int w_record(lua_State *L)
{
    static const char *const keys[] = {"name", "reduce", "pop", "column", NULL};
    check_world(L);
    sl_lua_opts o;
    sl_lua_opts_open(&o, L, 2, "world:record{...}", keys);
    sl_world *w = sl_lua_world(L);
    const char *name = required_string(&o, "name");
    sl_lua_opt_require(&o, "reduce");
    int red = sl_lua_opt_enum(&o, "reduce", sl_reduce_names, 0);
    sl_pop *p = NULL;
    int col = -1;
    if (red != SL_REDUCE_VALUE) {
        lua_getfield(L, 2, "pop");
        if (lua_type(L, -1) == LUA_TSTRING) {
            p = sl_world_pop(w, lua_tostring(L, -1));
            if (!p) return luaL_error(L, "record '%s': no population '%s'", name, lua_tostring(L, -1));
        } else if (luaL_testudata(L, -1, SL_MT_POP)) {
            p = ((object_box *)lua_touserdata(L, -1))->ptr;
        } else {
            return sl_lua_opt_error(&o, "pop", "must be a population or its name (record '%s')",
                                    name);
        }
        lua_pop(L, 1);
        if (red != SL_REDUCE_COUNT) {
            const char *cname = required_string(&o, "column");
            col = sl_pop_column(p, cname);
            if (col < 0)
                return luaL_error(L, "record '%s': no column '%s' in population '%s'", name, cname,
                                  sl_pop_name(p));
        }
    }
    sl_error e;
    int m = sl_recorder_add(sl_world_recorder(w), name, p, col, (sl_reduce)red, &e);
    if (m < 0) return luaL_error(L, "record '%s': %s", name, e.msg);
    record_box *b = lua_newuserdatauv(L, sizeof *b, 0);
    b->metric = m;
    luaL_setmetatable(L, SL_MT_RECORD);
    return 1;
}

static int w_record_every(lua_State *L)
{
    check_world(L);
    lua_Integer n = luaL_checkinteger(L, 2);
    luaL_argcheck(L, n >= 1, 2, "must be >= 1");
    sl_recorder_set_every(sl_world_recorder(sl_lua_world(L)), (uint64_t)n);
    return 0;
}

static int w_step_count(lua_State *L)
{
    check_world(L);
    lua_pushinteger(L, (lua_Integer)sl_world_step_count(sl_lua_world(L)));
    return 1;
}

static int w_seed(lua_State *L)
{
    check_world(L);
    lua_pushinteger(L, (lua_Integer)sl_world_seed(sl_lua_world(L)));
    return 1;
}

static int w_threads(lua_State *L)
{
    check_world(L);
    lua_pushinteger(L, sl_world_threads(sl_lua_world(L)));
    return 1;
}

static int w_dt(lua_State *L)
{
    check_world(L);
    sl_world *w = sl_lua_world(L);
    if (!lua_isnoneornil(L, 2)) {
        double dt = luaL_checknumber(L, 2);
        luaL_argcheck(L, isfinite(dt) && dt > 0, 2, "dt must be a positive number");
        sl_world_set_dt(w, dt);
    }
    lua_pushnumber(L, sl_world_dt(w));
    return 1;
}

static int w_hash(lua_State *L)
{
    check_world(L);
    char buf[32];
    snprintf(buf, sizeof buf, "%016llx", (unsigned long long)sl_world_hash(sl_lua_world(L)));
    lua_pushstring(L, buf);
    return 1;
}

static int w_tostring(lua_State *L)
{
    check_world(L);
    sl_world *w = sl_lua_world(L);
    lua_pushfstring(L, "world (step %I, %d populations)", (lua_Integer)sl_world_step_count(w),
                    sl_world_npops(w));
    return 1;
}

static const luaL_Reg world_methods[] = {
    {"population", w_population}, {"pop", w_pop},         {"record", w_record},
    {"record_every", w_record_every}, {"step_count", w_step_count}, {"seed", w_seed},
    {"threads", w_threads},       {"dt", w_dt},           {"hash", w_hash},
    {"field", NULL},              {"graph", NULL},        {"plane", NULL},
    {NULL, NULL},
};

/* ---- record ---- */

static int rec_set(lua_State *L)
{
    record_box *b = luaL_checkudata(L, 1, SL_MT_RECORD);
    sl_recorder_set(sl_world_recorder(sl_lua_world(L)), b->metric, luaL_checknumber(L, 2));
    return 0;
}

static int rec_last(lua_State *L)
{
    record_box *b = luaL_checkudata(L, 1, SL_MT_RECORD);
    lua_pushnumber(L, sl_recorder_last(sl_world_recorder(sl_lua_world(L)), b->metric));
    return 1;
}

static int rec_name(lua_State *L)
{
    record_box *b = luaL_checkudata(L, 1, SL_MT_RECORD);
    lua_pushstring(L, sl_recorder_name(sl_world_recorder(sl_lua_world(L)), b->metric));
    return 1;
}

static const luaL_Reg record_methods[] = {
    {"set", rec_set}, {"last", rec_last}, {"name", rec_name}, {NULL, NULL},
};

/* ---- rng ---- */

void slp_host_api_push_rng(lua_State *L, uint64_t seed, uint32_t stream, uint64_t id, uint64_t step)
{
    sl_rng *r = lua_newuserdatauv(L, sizeof *r, 0);
    *r = sl_rng_make(seed, stream, id, step);
    luaL_setmetatable(L, SL_MT_RNG);
}

static sl_rng *check_rng(lua_State *L)
{
    return luaL_checkudata(L, 1, SL_MT_RNG);
}

static int rng_uniform(lua_State *L)
{
    lua_pushnumber(L, sl_rng_uniform(check_rng(L)));
    return 1;
}

static int rng_range(lua_State *L)
{
    sl_rng *r = check_rng(L);
    double lo = luaL_checknumber(L, 2), hi = luaL_checknumber(L, 3);
    luaL_argcheck(L, isfinite(lo) && isfinite(hi) && lo <= hi, 3, "need finite lo <= hi");
    lua_pushnumber(L, sl_rng_range(r, lo, hi));
    return 1;
}

static int rng_int(lua_State *L)
{
    sl_rng *r = check_rng(L);
    lua_Integer n = luaL_checkinteger(L, 2);
    luaL_argcheck(L, n >= 1 && n <= 0xffffffffLL, 2, "need 1 <= n <= 2^32-1");
    lua_pushinteger(L, (lua_Integer)sl_rng_below(r, (uint32_t)n) + 1);
    return 1;
}

static int rng_normal(lua_State *L)
{
    sl_rng *r = check_rng(L);
    double mean = luaL_optnumber(L, 2, 0.0), sd = luaL_optnumber(L, 3, 1.0);
    lua_pushnumber(L, mean + sd * sl_rng_normal(r));
    return 1;
}

static int rng_exponential(lua_State *L)
{
    sl_rng *r = check_rng(L);
    double rate = luaL_checknumber(L, 2);
    luaL_argcheck(L, isfinite(rate) && rate > 0, 2, "rate must be positive");
    lua_pushnumber(L, sl_rng_exponential(r, rate));
    return 1;
}

static int rng_poisson(lua_State *L)
{
    sl_rng *r = check_rng(L);
    double lambda = luaL_checknumber(L, 2);
    luaL_argcheck(L, isfinite(lambda) && lambda >= 0, 2, "lambda must be >= 0");
    lua_pushinteger(L, (lua_Integer)sl_rng_poisson(r, lambda));
    return 1;
}

static const luaL_Reg rng_methods[] = {
    {"uniform", rng_uniform}, {"range", rng_range},   {"int", rng_int},
    {"normal", rng_normal},   {"exponential", rng_exponential}, {"poisson", rng_poisson},
    {NULL, NULL},
};

/* ---- registration ---- */

/* Makes the type `name` (sl_lua_class) with an optional __tostring. */
static void make_type(lua_State *L, const char *name, const luaL_Reg *methods,
                      lua_CFunction tostring)
{
    sl_lua_class(L, name, methods, NULL);
    if (tostring) {
        luaL_getmetatable(L, name);
        lua_pushcfunction(L, tostring);
        lua_setfield(L, -2, "__tostring");
        lua_pop(L, 1);
    }
}

void slp_host_api_world_register(lua_State *L)
{
    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, OBJECTS_KEY);
    make_type(L, SL_MT_POP, pop_methods, pop_tostring);
    make_type(L, SL_MT_RECORD, record_methods, NULL);
    make_type(L, SL_MT_RNG, rng_methods, NULL);

    make_type(L, SL_MT_WORLD, world_methods, w_tostring);
    luaL_getmetatable(L, SL_MT_WORLD);
    lua_getfield(L, -1, "__index");
    lua_pushcfunction(L, slp_host_api_world_field);
    lua_setfield(L, -2, "field");
    lua_pushcfunction(L, slp_host_api_world_graph);
    lua_setfield(L, -2, "graph");
    lua_pushcfunction(L, slp_host_api_world_plane);
    lua_setfield(L, -2, "plane");
    lua_pop(L, 2);

    lua_newuserdatauv(L, 1, 0);
    luaL_setmetatable(L, SL_MT_WORLD);
    lua_setfield(L, LUA_REGISTRYINDEX, WORLD_KEY);
}
