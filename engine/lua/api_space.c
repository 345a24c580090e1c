/* api_space.c - field, graph and plane userdata: the world's spaces as seen from scenarios.
 *
 * Field cells and graph nodes are 1-based in Lua, like population slots. Fields and graphs are
 * owned by the world; their userdata only point at them.
 */
#include "host_internal.h"

#include <math.h>
#include <string.h>

#include <lauxlib.h>

#include "swarmlab/field.h"
#include "swarmlab/graph.h"
#include "swarmlab/lua_bind.h"

typedef struct object_box {
    void *ptr;
} object_box;

/* A required option (a string or number): raises "missing option 'key' in <table>" when absent. */
static const char *required_string(const sl_lua_opts *o, const char *key)
{
    sl_lua_opt_require(o, key);
    return sl_lua_opt_string(o, key, NULL);
}

/* ---- field ---- */

sl_field *sl_lua_check_field(lua_State *L, int arg)
{
    return ((object_box *)luaL_checkudata(L, arg, SL_MT_FIELD))->ptr;
}

static long check_cell(lua_State *L, sl_field *f, int arg)
{
    lua_Integer ix = luaL_checkinteger(L, arg), iy = luaL_checkinteger(L, arg + 1);
    if (ix < 1 || ix > f->nx) luaL_argerror(L, arg, lua_pushfstring(L, "column %I out of 1..%d", ix, f->nx));
    if (iy < 1 || iy > f->ny) luaL_argerror(L, arg + 1, lua_pushfstring(L, "row %I out of 1..%d", iy, f->ny));
    return (long)(iy - 1) * f->nx + (long)(ix - 1);
}

static double check_finite(lua_State *L, int arg)
{
    double v = luaL_checknumber(L, arg);
    luaL_argcheck(L, isfinite(v), arg, "must be a finite number");
    return v;
}

static double check_unit(lua_State *L, int arg)
{
    double v = luaL_checknumber(L, arg);
    luaL_argcheck(L, v >= 0 && v <= 1, arg, "must be in [0, 1]");
    return v;
}

static int f_at(lua_State *L)
{
    sl_field *f = sl_lua_check_field(L, 1);
    lua_pushnumber(L, sl_field_at(f, check_finite(L, 2), check_finite(L, 3)));
    return 1;
}

static int f_deposit(lua_State *L)
{
    sl_field *f = sl_lua_check_field(L, 1);
    double x = check_finite(L, 2), y = check_finite(L, 3), a = check_finite(L, 4);
    sl_field_deposit(f, x, y, a);
    return 0;
}

static int f_get(lua_State *L)
{
    sl_field *f = sl_lua_check_field(L, 1);
    lua_pushnumber(L, f->v[check_cell(L, f, 2)]);
    return 1;
}

static int f_set(lua_State *L)
{
    sl_field *f = sl_lua_check_field(L, 1);
    long i = check_cell(L, f, 2);
    f->v[i] = check_finite(L, 4);
    return 0;
}

static int f_fill(lua_State *L)
{
    sl_field_fill(sl_lua_check_field(L, 1), check_finite(L, 2));
    return 0;
}

static int f_evaporate(lua_State *L)
{
    sl_field_evaporate(sl_lua_check_field(L, 1), check_unit(L, 2));
    return 0;
}

static int f_diffuse(lua_State *L)
{
    sl_field_diffuse(sl_lua_check_field(L, 1), check_unit(L, 2));
    return 0;
}

static int f_sum(lua_State *L)
{
    lua_pushnumber(L, sl_field_sum(sl_lua_check_field(L, 1)));
    return 1;
}

static int f_max(lua_State *L)
{
    lua_pushnumber(L, sl_field_max(sl_lua_check_field(L, 1)));
    return 1;
}

static int f_size(lua_State *L)
{
    sl_field *f = sl_lua_check_field(L, 1);
    lua_createtable(L, 0, 3);
    lua_pushinteger(L, f->nx);
    lua_setfield(L, -2, "nx");
    lua_pushinteger(L, f->ny);
    lua_setfield(L, -2, "ny");
    lua_pushnumber(L, f->cell);
    lua_setfield(L, -2, "cell");
    return 1;
}

static const luaL_Reg field_methods[] = {
    {"at", f_at},     {"deposit", f_deposit}, {"get", f_get},   {"set", f_set},
    {"fill", f_fill}, {"evaporate", f_evaporate}, {"diffuse", f_diffuse},
    {"sum", f_sum},   {"max", f_max},         {"size", f_size}, {NULL, NULL},
};

int slp_host_api_world_field(lua_State *L)
{
    luaL_checkudata(L, 1, SL_MT_WORLD);
    static const char *const keys[] = {"name", "nx", "ny", "cell", "toroidal", NULL};
    sl_lua_opts o;
    sl_lua_opts_open(&o, L, 2, "world:field{...}", keys);
    const char *name = required_string(&o, "name");
    sl_lua_opt_require(&o, "nx");
    sl_lua_opt_require(&o, "ny");
    lua_Integer nx = sl_lua_opt_integer(&o, "nx", 0, 1, 1000000000);
    lua_Integer ny = sl_lua_opt_integer(&o, "ny", 0, 1, 1000000000);
    double cell = sl_lua_opt_interval(&o, "cell", 1.0, 0.0, HUGE_VAL, "()");
    bool toroidal = sl_lua_opt_boolean(&o, "toroidal", false);
    if ((double)nx * (double)ny > 1e9)
        return luaL_error(L, "world:field{...}: field '%s' has %I x %I cells (at most 1e9)", name,
                          nx, ny);
    sl_error e;
    sl_field *f = sl_world_add_field(sl_lua_world(L), name, (int)nx, (int)ny, cell, toroidal, &e);
    if (!f) return luaL_error(L, "field '%s': %s", name, e.msg);
    slp_host_api_push_object(L, f, SL_MT_FIELD);
    return 1;
}

/* ---- graph ---- */

sl_graph *sl_lua_check_graph(lua_State *L, int arg)
{
    return ((object_box *)luaL_checkudata(L, arg, SL_MT_GRAPH))->ptr;
}

static int check_node(lua_State *L, sl_graph *g, int arg)
{
    lua_Integer u = luaL_checkinteger(L, arg);
    if (u < 1 || u > g->n)
        luaL_argerror(L, arg, lua_pushfstring(L, "node %I out of 1..%d", u, g->n));
    return (int)(u - 1);
}

static void check_finalized(lua_State *L, sl_graph *g)
{
    if (!g->finalized) {
        sl_error e;
        if (sl_graph_finalize(g, &e) != SL_OK) luaL_error(L, "%s", e.msg);
    }
}

static int g_add_edge(lua_State *L)
{
    sl_graph *g = sl_lua_check_graph(L, 1);
    int u = check_node(L, g, 2), v = check_node(L, g, 3);
    double w = luaL_optnumber(L, 4, 1.0);
    int undirected = lua_isnoneornil(L, 5) ? 1 : lua_toboolean(L, 5);
    sl_error e;
    if (sl_graph_add_edge(g, u, v, w, undirected, &e) != SL_OK) return luaL_error(L, "%s", e.msg);
    return 0;
}

static int g_weight(lua_State *L)
{
    sl_graph *g = sl_lua_check_graph(L, 1);
    int u = check_node(L, g, 2), v = check_node(L, g, 3);
    check_finalized(L, g);
    double w = sl_graph_weight(g, u, v);
    if (isnan(w)) lua_pushnil(L);
    else lua_pushnumber(L, w);
    return 1;
}

static int g_degree(lua_State *L)
{
    sl_graph *g = sl_lua_check_graph(L, 1);
    int u = check_node(L, g, 2);
    check_finalized(L, g);
    lua_pushinteger(L, sl_graph_degree(g, u));
    return 1;
}

static int g_neighbours(lua_State *L)
{
    sl_graph *g = sl_lua_check_graph(L, 1);
    int u = check_node(L, g, 2);
    check_finalized(L, g);
    lua_createtable(L, (int)(g->row[u + 1] - g->row[u]), 0);
    int k = 1;
    for (uint32_t i = g->row[u]; i < g->row[u + 1]; i++) {
        lua_pushinteger(L, (lua_Integer)g->col[i] + 1);
        lua_rawseti(L, -2, k++);
    }
    return 1;
}

static int g_nodes(lua_State *L)
{
    lua_pushinteger(L, sl_lua_check_graph(L, 1)->n);
    return 1;
}

static int g_edges(lua_State *L)
{
    sl_graph *g = sl_lua_check_graph(L, 1);
    check_finalized(L, g);
    lua_pushinteger(L, (lua_Integer)g->m);
    return 1;
}

static int g_position(lua_State *L)
{
    sl_graph *g = sl_lua_check_graph(L, 1);
    int u = check_node(L, g, 2);
    if (lua_gettop(L) >= 3) {
        g->x[u] = check_finite(L, 3);
        g->y[u] = check_finite(L, 4);
        return 0;
    }
    lua_createtable(L, 0, 2);
    lua_pushnumber(L, g->x[u]);
    lua_setfield(L, -2, "x");
    lua_pushnumber(L, g->y[u]);
    lua_setfield(L, -2, "y");
    return 1;
}

static int g_shortest(lua_State *L)
{
    sl_graph *g = sl_lua_check_graph(L, 1);
    int src = check_node(L, g, 2);
    check_finalized(L, g);
    /* scratch owned by Lua, so an error below cannot leak it */
    double *dist = lua_newuserdatauv(L, (size_t)g->n * sizeof *dist, 0);
    sl_error e;
    if (sl_graph_dijkstra(g, src, dist, NULL, &e) != SL_OK) return luaL_error(L, "%s", e.msg);
    lua_createtable(L, g->n, 0);
    for (int i = 0; i < g->n; i++) {
        lua_pushnumber(L, dist[i]);
        lua_rawseti(L, -2, i + 1);
    }
    return 1;
}

static const luaL_Reg graph_methods[] = {
    {"add_edge", g_add_edge}, {"weight", g_weight},   {"degree", g_degree},
    {"neighbours", g_neighbours}, {"nodes", g_nodes}, {"edges", g_edges},
    {"position", g_position}, {"shortest_paths", g_shortest}, {NULL, NULL},
};

int slp_host_api_world_graph(lua_State *L)
{
    luaL_checkudata(L, 1, SL_MT_WORLD);
    static const char *const keys[] = {"name", "nodes", NULL};
    sl_lua_opts o;
    sl_lua_opts_open(&o, L, 2, "world:graph{...}", keys);
    const char *name = required_string(&o, "name");
    sl_lua_opt_require(&o, "nodes");
    lua_Integer n = sl_lua_opt_integer(&o, "nodes", 0, 1, 100000000);
    sl_error e;
    sl_graph *g = sl_world_add_graph(sl_lua_world(L), name, (int)n, &e);
    if (!g) return luaL_error(L, "graph '%s': %s", name, e.msg);
    slp_host_api_push_object(L, g, SL_MT_GRAPH);
    return 1;
}

/* ---- plane ---- */

static int p_size(lua_State *L)
{
    luaL_checkudata(L, 1, SL_MT_PLANE);
    const sl_plane *p = sl_world_plane(sl_lua_world(L));
    lua_createtable(L, 0, 2);
    lua_pushnumber(L, p->width);
    lua_setfield(L, -2, "width");
    lua_pushnumber(L, p->height);
    lua_setfield(L, -2, "height");
    return 1;
}

static int p_toroidal(lua_State *L)
{
    luaL_checkudata(L, 1, SL_MT_PLANE);
    lua_pushboolean(L, sl_world_plane(sl_lua_world(L))->toroidal);
    return 1;
}

static const luaL_Reg plane_methods[] = {
    {"size", p_size}, {"toroidal", p_toroidal}, {NULL, NULL},
};

int slp_host_api_world_plane(lua_State *L)
{
    luaL_checkudata(L, 1, SL_MT_WORLD);
    sl_world *w = sl_lua_world(L);
    if (!lua_isnoneornil(L, 2)) {
        static const char *const keys[] = {"width", "height", "toroidal", NULL};
        sl_lua_opts o;
        sl_lua_opts_open(&o, L, 2, "world:plane{...}", keys);
        sl_lua_opt_require(&o, "width");
        sl_lua_opt_require(&o, "height");
        double wd = sl_lua_opt_interval(&o, "width", 0.0, 0.0, HUGE_VAL, "()");
        double ht = sl_lua_opt_interval(&o, "height", 0.0, 0.0, HUGE_VAL, "()");
        bool tor = sl_lua_opt_boolean(&o, "toroidal", false);
        sl_world_set_plane(w, (sl_plane){.width = wd, .height = ht, .toroidal = tor});
    } else if (!sl_world_plane(w)) {
        lua_pushnil(L);
        return 1;
    }
    lua_newuserdatauv(L, 1, 0);
    luaL_setmetatable(L, SL_MT_PLANE);
    return 1;
}

/* ---- registration ---- */

void slp_host_api_space_register(lua_State *L)
{
    sl_lua_class(L, SL_MT_FIELD, field_methods, NULL);
    sl_lua_class(L, SL_MT_GRAPH, graph_methods, NULL);
    sl_lua_class(L, SL_MT_PLANE, plane_methods, NULL);
}
