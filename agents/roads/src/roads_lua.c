/* roads_lua.c - Lua binding: swarmlab.roads{file = ...} and the network's methods
 * (info, snap, matrix, route, project, unproject, sample, show). Options are read with the
 * binding toolkit (lua_bind.h): strict tables, errors naming the option and the nearest key.
 *
 * The network is attached to the scenario's world, which owns it; the Lua handle only points at
 * it, so the viewer's layers may keep drawing it after the handle is collected. Scratch arrays
 * live in Lua userdata, so an error raised half-way leaks nothing. */
#include <lauxlib.h>
#include <lua.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "roads_internal.h"
#include "swarmlab/lua_bind.h"
#include "swarmlab/lua_host.h"
#include "swarmlab/rng.h"

void sl_lua_open_roads(lua_State *L);

#define ROADS_MT "swarmlab.roads"

typedef struct lroads { sl_roads *r; } lroads;

static int lerr(lua_State *L, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int lerr(lua_State *L, const char *fmt, ...)
{
    char buf[1400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return luaL_error(L, "%s", buf);
}

static void set_num(lua_State *L, const char *k, double v)
{
    lua_pushnumber(L, v);
    lua_setfield(L, -2, k);
}

static void set_int(lua_State *L, const char *k, lua_Integer v)
{
    lua_pushinteger(L, v);
    lua_setfield(L, -2, k);
}

static sl_roads *check_net(lua_State *L)
{
    lroads *h = luaL_checkudata(L, 1, ROADS_MT);
    return h->r;
}

static void *scratch(lua_State *L, size_t bytes)
{
    return lua_newuserdatauv(L, bytes ? bytes : 1, 0);
}

/* Scratch memory kept alive by the table at `anchor` (the stack does not grow). */
static void *keep(lua_State *L, int anchor, size_t bytes)
{
    void *p = lua_newuserdatauv(L, bytes ? bytes : 1, 0);
    lua_rawseti(L, anchor, (lua_Integer)lua_rawlen(L, anchor) + 1);
    return p;
}

static sl_road_metric opt_metric(const sl_lua_opts *o)
{
    static const char *const metrics[] = { "time", "distance", NULL };
    return sl_lua_opt_enum(o, "metric", metrics, 0) == 1 ? SL_ROAD_DISTANCE : SL_ROAD_TIME;
}

/* Reads point `idx` ({lon, lat} or {lon = , lat = , name = }) and snaps it. */
static void snap_point(lua_State *L, const sl_roads *r, int idx, const char *what, int i,
                       sl_road_snap *out)
{
    idx = lua_absindex(L, idx);
    if (!lua_istable(L, idx))
        lerr(L, "%s: point %d must be a table {lon, lat} or {lon = , lat = }, got %s", what, i,
             luaL_typename(L, idx));
    char name[160];
    lua_getfield(L, idx, "name");
    if (lua_type(L, -1) == LUA_TSTRING) snprintf(name, sizeof name, "%s: point %d (%s)", what, i, lua_tostring(L, -1));
    else snprintf(name, sizeof name, "%s: point %d", what, i);
    lua_pop(L, 1);
    double v[2];
    for (int k = 0; k < 2; k++) {
        if (lua_getfield(L, idx, k ? "lat" : "lon") == LUA_TNIL) {
            lua_pop(L, 1);
            lua_geti(L, idx, k + 1);
        }
        if (!lua_isnumber(L, -1))
            lerr(L, "%s: '%s' must be a number, got %s", name, k ? "lat" : "lon", luaL_typename(L, -1));
        v[k] = lua_tonumber(L, -1);
        lua_pop(L, 1);
    }
    sl_error e;
    if (sl_roads_snap(r, v[0], v[1], name, out, &e) != SL_OK) lerr(L, "%s", e.msg);
}

/* Snaps the list at index t; returns the count, the snaps in userdata left on the stack. */
static int snap_list(lua_State *L, const sl_roads *r, int t, const char *what, sl_road_snap **out)
{
    t = lua_absindex(L, t);
    luaL_checktype(L, t, LUA_TTABLE);
    lua_Integer n = luaL_len(L, t);
    if (n < 1 || n > 100000) lerr(L, "%s: between 1 and 100000 points are needed, got %lld", what, (long long)n);
    sl_road_snap *s = scratch(L, (size_t)n * sizeof *s);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_geti(L, t, i);
        snap_point(L, r, -1, what, (int)i, &s[i - 1]);
        lua_pop(L, 1);
    }
    *out = s;
    return (int)n;
}

static void free_net(void *p) { sl_roads_destroy(p); }

static const char *const class_keys[] = {
    "motorway", "trunk", "primary", "secondary", "tertiary", "unclassified", "residential",
    "living_street", "service", NULL,
};

static int l_roads(lua_State *L)
{
    static const char *const keys[] = { "file", "max_snap", "speeds", "link_speeds", NULL };
    sl_lua_opts o;
    sl_lua_opts_open(&o, L, 1, "swarmlab.roads{...}", keys);
    sl_lua_opt_require(&o, "file");
    const char *file = sl_lua_opt_string(&o, "file", NULL);
    sl_roads_def def = sl_roads_def_default();
    def.max_snap_m = sl_lua_opt_number(&o, "max_snap", def.max_snap_m, 0.001, 1e6);
    sl_lua_opts sub;
    if (sl_lua_opts_sub(&o, "speeds", &sub, class_keys)) {
        for (int c = 0; c < SL_ROAD_NCLASSES; c++)
            def.speed_kmh[c] = sl_lua_opt_number(&sub, class_keys[c], def.speed_kmh[c], 0.1, 1000);
        lua_pop(L, 1);
    }
    if (sl_lua_opts_sub(&o, "link_speeds", &sub, class_keys)) {
        for (int c = 0; c < SL_ROAD_NCLASSES; c++)
            def.link_speed_kmh[c] = sl_lua_opt_number(&sub, class_keys[c], def.link_speed_kmh[c], 0.1, 1000);
        lua_pop(L, 1);
    }
    const char *path = sl_lua_resolve_input(L, file);
    if (!path) sl_lua_opt_error(&o, "file", "names a file that does not exist ('%s')", file);
    sl_error e;
    sl_roads *r = sl_roads_create(&def, path, &e);
    if (!r) lerr(L, "swarmlab.roads{...}: %s", e.msg);
    sl_world *w = sl_lua_world(L);
    char key[48];
    for (int k = 0;; k++) {
        snprintf(key, sizeof key, "roads.net.%d", k);
        if (!sl_world_attached(w, key)) break;
    }
    if (sl_world_attach(w, key, r, free_net, &e) != SL_OK) {
        sl_roads_destroy(r);
        lerr(L, "swarmlab.roads{...}: %s", e.msg);
    }
    lroads *h = sl_lua_new_object(L, sizeof *h, ROADS_MT);
    h->r = r;
    return 1;
}

static int l_info(lua_State *L)
{
    const sl_roads *r = check_net(L);
    const sl_roads_info *in = sl_roads_info_of(r);
    lua_createtable(L, 0, 16);
    lua_pushstring(L, in->file);
    lua_setfield(L, -2, "file");
    set_int(L, "nodes", in->nodes);
    set_int(L, "edges", in->edges);
    set_int(L, "nodes_dropped", in->nodes_dropped);
    set_int(L, "edges_dropped", in->edges_dropped);
    set_int(L, "components", in->components);
    set_int(L, "osm_nodes", in->osm_nodes);
    set_int(L, "osm_ways", in->osm_ways);
    set_int(L, "drivable_ways", in->drivable_ways);
    set_num(L, "km", in->km);
    set_num(L, "seconds", in->seconds);
    set_num(L, "lon_min", in->lon_min);
    set_num(L, "lat_min", in->lat_min);
    set_num(L, "lon_max", in->lon_max);
    set_num(L, "lat_max", in->lat_max);
    set_num(L, "lon0", in->lon0);
    set_num(L, "lat0", in->lat0);
    set_num(L, "max_snap", r->cfg.max_snap_m);
    lua_pushstring(L, SL_ROADS_CREDIT);
    lua_setfield(L, -2, "attribution");
    return 1;
}

static void push_snap(lua_State *L, const sl_roads *r, const sl_road_snap *s)
{
    double x, y;
    sl_roads_project(r, s->lon, s->lat, &x, &y);
    lua_createtable(L, 0, 5);
    set_num(L, "lon", s->lon);
    set_num(L, "lat", s->lat);
    set_num(L, "distance", s->dist_m);
    set_num(L, "x", x);
    set_num(L, "y", y);
}

static int l_snap(lua_State *L)
{
    const sl_roads *r = check_net(L);
    lua_settop(L, 3);
    lua_createtable(L, 0, 3);
    lua_pushvalue(L, 2);
    lua_setfield(L, -2, "lon");
    lua_pushvalue(L, 3);
    lua_setfield(L, -2, "lat");
    sl_road_snap s;
    snap_point(L, r, -1, "net:snap", 1, &s);
    push_snap(L, r, &s);
    return 1;
}

static int l_matrix(lua_State *L)
{
    const sl_roads *r = check_net(L);
    const char *what = "net:matrix";
    lua_settop(L, 3);
    static const char *const keys[] = { "metric", "threads", "csv", NULL };
    sl_lua_opts o;
    sl_lua_opts_open_opt(&o, L, 3, "net:matrix(points, {...})", keys);
    sl_road_metric metric = opt_metric(&o);
    int th = (int)sl_lua_opt_integer(&o, "threads", sl_world_threads(sl_lua_world(L)), 1, 1024);
    const char *csv = sl_lua_opt_string(&o, "csv", NULL);
    sl_road_snap *s;
    int n = snap_list(L, r, 2, what, &s);
    if ((double)n * n > 1e8) lerr(L, "%s: %d points make too large a matrix", what, n);
    double *m = scratch(L, (size_t)n * n * sizeof *m);
    sl_error e;
    if (sl_roads_matrix(r, s, n, metric, th, m, &e) != SL_OK) lerr(L, "%s: %s", what, e.msg);
    if (csv) {
        const char *out = sl_lua_output_path(L, csv);
        if (sl_roads_write_csv(out, n, NULL, m, &e) != SL_OK) lerr(L, "%s: %s", what, e.msg);
    }
    lua_createtable(L, n, 0);
    for (int i = 0; i < n; i++) {
        lua_createtable(L, n, 0);
        for (int j = 0; j < n; j++) {
            lua_pushnumber(L, m[(size_t)i * n + j]);
            lua_rawseti(L, -2, j + 1);
        }
        lua_rawseti(L, -2, i + 1);
    }
    return 1;
}

static void push_path(lua_State *L, const sl_roads *r, const sl_road_path *p)
{
    lua_createtable(L, 0, 6);
    set_num(L, "distance", p->dist_m);
    set_num(L, "time", p->time_s);
    const char *names[4] = { "lon", "lat", "x", "y" };
    for (int k = 0; k < 4; k++) {
        lua_createtable(L, p->n, 0);
        for (int i = 0; i < p->n; i++) {
            double x, y;
            sl_roads_project(r, p->lon[i], p->lat[i], &x, &y);
            lua_pushnumber(L, k == 0 ? p->lon[i] : k == 1 ? p->lat[i] : k == 2 ? x : y);
            lua_rawseti(L, -2, i + 1);
        }
        lua_setfield(L, -2, names[k]);
    }
}

static int l_route(lua_State *L)
{
    const sl_roads *r = check_net(L);
    const char *what = "net:route";
    lua_settop(L, 4);
    static const char *const keys[] = { "metric", NULL };
    sl_lua_opts o;
    sl_lua_opts_open_opt(&o, L, 4, "net:route(a, b, {...})", keys);
    sl_road_metric metric = opt_metric(&o);
    sl_road_snap a, b;
    snap_point(L, r, 2, what, 1, &a);
    snap_point(L, r, 3, what, 2, &b);
    sl_road_path p;
    sl_error e;
    if (sl_roads_route(r, &a, &b, metric, &p, &e) != SL_OK) lerr(L, "%s: %s", what, e.msg);
    push_path(L, r, &p);
    sl_road_path_release(&p);
    return 1;
}

static int l_project(lua_State *L)
{
    const sl_roads *r = check_net(L);
    double x, y;
    sl_roads_project(r, luaL_checknumber(L, 2), luaL_checknumber(L, 3), &x, &y);
    lua_createtable(L, 0, 2);
    set_num(L, "x", x);
    set_num(L, "y", y);
    return 1;
}

static int l_unproject(lua_State *L)
{
    const sl_roads *r = check_net(L);
    double lon, lat;
    sl_roads_unproject(r, luaL_checknumber(L, 2), luaL_checknumber(L, 3), &lon, &lat);
    lua_createtable(L, 0, 2);
    set_num(L, "lon", lon);
    set_num(L, "lat", lat);
    return 1;
}

/* n points on the roads, uniform along their length (each stretch of road counted once). */
static int l_sample(lua_State *L)
{
    const sl_roads *r = check_net(L);
    const char *what = "net:sample";
    lua_Integer n = luaL_checkinteger(L, 2);
    if (n < 1 || n > 1000000) lerr(L, "%s: the count must be in 1..1000000, got %lld", what, (long long)n);
    lua_settop(L, 3);
    static const char *const keys[] = { "seed", NULL };
    sl_lua_opts o;
    sl_lua_opts_open_opt(&o, L, 3, "net:sample(n, {...})", keys);
    uint64_t seed = sl_world_seed(sl_lua_world(L));
    if (sl_lua_opt_has(&o, "seed")) {
        lua_getfield(L, 3, "seed");
        int ok = lua_isinteger(L, -1);
        seed = (uint64_t)lua_tointeger(L, -1);
        lua_pop(L, 1);
        if (!ok) sl_lua_opt_error(&o, "seed", "must be an integer");
    }
    size_t m = r->g->m;
    double *cum = scratch(L, (m + 1) * sizeof *cum);
    double tot = 0;
    for (size_t k = 0; k < m; k++) {
        if (r->twin[k] < 0 || (size_t)r->twin[k] > k) tot += r->g->w[k];
        cum[k] = tot;
    }
    sl_rng g = sl_rng_make(seed, 0x70ad5u, 0, 0);
    lua_createtable(L, (int)n, 0);
    for (lua_Integer i = 1; i <= n; i++) {
        double at = sl_rng_uniform(&g) * tot;
        size_t lo = 0, hi = m - 1;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (cum[mid] <= at) lo = mid + 1;
            else hi = mid;
        }
        /* the point `at - start` metres along edge lo's geometry */
        double left = at - (cum[lo] - r->g->w[lo]);
        double lon = r->glon[r->goff[lo]], lat = r->glat[r->goff[lo]];
        for (uint32_t q = r->goff[lo]; q + 1 < r->goff[lo + 1]; q++) {
            double l = sl_roads_haversine(r->glon[q], r->glat[q], r->glon[q + 1], r->glat[q + 1]);
            double t = l > 0 ? fmin(1, left / l) : 1;
            lon = r->glon[q] + t * (r->glon[q + 1] - r->glon[q]);
            lat = r->glat[q] + t * (r->glat[q + 1] - r->glat[q]);
            if (left <= l) break;
            left -= l;
        }
        lua_createtable(L, 0, 2);
        set_num(L, "lon", lon);
        set_num(L, "lat", lat);
        lua_rawseti(L, -2, i);
    }
    return 1;
}

/* net:show{sites = points, depots = {i, ...}, routes = {{i, j, ...}, ...}, metric = } */
static int l_show(lua_State *L)
{
    sl_roads *r = check_net(L);
    const char *what = "net:show";
    lua_settop(L, 2);
    static const char *const keys[] = { "sites", "depots", "routes", "metric", NULL };
    sl_lua_opts o;
    sl_lua_opts_open_opt(&o, L, 2, "net:show{...}", keys);
    sl_road_metric metric = opt_metric(&o);
    lua_newtable(L);
    int anchor = lua_gettop(L);
    int n = 0;
    sl_road_snap *s = NULL;
    lua_getfield(L, 2, "sites");
    if (!lua_isnil(L, -1)) n = snap_list(L, r, -1, what, &s);
    double *lon = keep(L, anchor, ((size_t)n + 1) * sizeof *lon);
    double *lat = keep(L, anchor, ((size_t)n + 1) * sizeof *lat);
    int *kind = keep(L, anchor, ((size_t)n + 1) * sizeof *kind);
    for (int i = 0; i < n; i++) {
        lon[i] = s[i].lon;
        lat[i] = s[i].lat;
        kind[i] = 0;
    }
    lua_getfield(L, 2, "depots");
    if (!lua_isnil(L, -1)) {
        luaL_checktype(L, -1, LUA_TTABLE);
        lua_Integer nd = luaL_len(L, -1);
        for (lua_Integer i = 1; i <= nd; i++) {
            lua_geti(L, -1, i);
            lua_Integer k = lua_isinteger(L, -1) ? lua_tointeger(L, -1) : 0;
            if (k < 1 || k > n) lerr(L, "%s: depots[%lld] must be a site number in 1..%d", what, (long long)i, n);
            kind[k - 1] = 1;
            lua_pop(L, 1);
        }
    }
    lua_pop(L, 1);
    lua_getfield(L, 2, "routes");
    int nr = 0;
    sl_road_path *paths = NULL;
    const sl_road_path **pp = NULL;
    if (!lua_isnil(L, -1)) {
        luaL_checktype(L, -1, LUA_TTABLE);
        int rt = lua_gettop(L);
        lua_Integer nr0 = luaL_len(L, rt);
        if (nr0 < 0 || nr0 > 100000)
            lerr(L, "%s: routes must be a list of at most 100000 routes (its length is %lld)", what,
                 (long long)nr0);
        nr = (int)nr0;
        paths = keep(L, anchor, ((size_t)nr + 1) * sizeof *paths);
        pp = keep(L, anchor, ((size_t)nr + 1) * sizeof *pp);
        for (int i = 0; i < nr; i++) {
            lua_geti(L, rt, i + 1);
            if (!lua_istable(L, -1)) lerr(L, "%s: routes[%d] must be a list of site numbers", what, i + 1);
            lua_Integer len0 = luaL_len(L, -1);
            if (len0 < 0 || len0 > 100000)
                lerr(L, "%s: routes[%d] must list at most 100000 sites (its length is %lld)", what,
                     i + 1, (long long)len0);
            int len = (int)len0;
            /* the legs, then one polyline in Lua-owned memory (an error leaks nothing) */
            sl_road_path *legs = keep(L, anchor, ((size_t)len + 1) * sizeof *legs);
            size_t np = 0;
            for (int q = 1; q < len; q++) {
                int ab[2];
                for (int z = 0; z < 2; z++) {
                    lua_geti(L, -1, q + z);
                    lua_Integer k = lua_isinteger(L, -1) ? lua_tointeger(L, -1) : 0;
                    if (k < 1 || k > n)
                        lerr(L, "%s: routes[%d][%d] must be a site number in 1..%d", what, i + 1, q + z, n);
                    ab[z] = (int)k - 1;
                    lua_pop(L, 1);
                }
                sl_error e;
                sl_road_path p;
                if (sl_roads_route(r, &s[ab[0]], &s[ab[1]], metric, &p, &e) != SL_OK)
                    lerr(L, "%s: %s", what, e.msg);
                double *c = keep(L, anchor, 2 * ((size_t)p.n + 1) * sizeof *c);
                memcpy(c, p.lon, (size_t)p.n * sizeof *c);
                memcpy(c + p.n, p.lat, (size_t)p.n * sizeof *c);
                legs[q - 1] = (sl_road_path){ p.n, c, c + p.n, 0, 0 };
                np += (size_t)p.n;
                sl_road_path_release(&p);
            }
            double *xs = keep(L, anchor, (np + 1) * sizeof *xs);
            double *ys = keep(L, anchor, (np + 1) * sizeof *ys);
            size_t at = 0;
            for (int q = 0; q + 1 < len; q++) {
                memcpy(xs + at, legs[q].lon, (size_t)legs[q].n * sizeof *xs);
                memcpy(ys + at, legs[q].lat, (size_t)legs[q].n * sizeof *ys);
                at += (size_t)legs[q].n;
            }
            paths[i] = (sl_road_path){ (int)np, xs, ys, 0, 0 };
            pp[i] = &paths[i];
            lua_pop(L, 1);
        }
    }
    sl_error e;
    if (sl_roads_show(sl_lua_world(L), r, n, lon, lat, kind, nr, pp, &e) != SL_OK)
        lerr(L, "%s: %s", what, e.msg);
    return 0;
}

/* net:graph(world, {name =, metric =}): the network as a graph of the world (world:graph), node
 * positions in the planar frame, edge weights in seconds or metres, for models that drive on a
 * world graph (the supply chain's `roads`). */
static int l_graph(lua_State *L)
{
    const sl_roads *r = check_net(L);
    lua_settop(L, 3);
    static const char *const keys[] = { "name", "metric", NULL };
    sl_lua_opts o;
    sl_lua_opts_open_opt(&o, L, 3, "net:graph(world, {...})", keys);
    const char *name = sl_lua_opt_string(&o, "name", "roads");
    sl_road_metric metric = opt_metric(&o);
    if (lua_getfield(L, 2, "graph") != LUA_TFUNCTION)
        lerr(L, "net:graph(world, {...}): the first argument must be the world");
    lua_pushvalue(L, 2);
    lua_createtable(L, 0, 2);
    lua_pushstring(L, name);
    lua_setfield(L, -2, "name");
    lua_pushinteger(L, r->g->n);
    lua_setfield(L, -2, "nodes");
    lua_call(L, 2, 1);
    sl_graph *g = sl_lua_check_graph(L, -1);
    const double *c = metric == SL_ROAD_DISTANCE ? r->g->w : r->time_s;
    sl_error e;
    for (size_t k = 0; k < r->g->m; k++)
        if (sl_graph_add_edge(g, (int)r->src[k], (int)r->g->col[k], c[k], 0, &e) != SL_OK)
            lerr(L, "net:graph: %s", e.msg);
    if (sl_graph_finalize(g, &e) != SL_OK) lerr(L, "net:graph: %s", e.msg);
    for (int v = 0; v < r->g->n; v++) {
        g->x[v] = r->g->x[v];
        g->y[v] = r->g->y[v];
    }
    return 1;
}

/* net:node(lon, lat): the graph node (1-based, as in net:graph) nearest along the road to the
 * point: the nearer end of the edge it snaps to. */
static int l_node(lua_State *L)
{
    const sl_roads *r = check_net(L);
    lua_settop(L, 3);
    lua_createtable(L, 0, 2);
    lua_pushvalue(L, 2);
    lua_setfield(L, -2, "lon");
    lua_pushvalue(L, 3);
    lua_setfield(L, -2, "lat");
    sl_road_snap s;
    snap_point(L, r, -1, "net:node", 1, &s);
    uint32_t v = s.frac <= 0.5 ? r->src[s.edge] : r->g->col[s.edge];
    lua_pushinteger(L, (lua_Integer)v + 1);
    return 1;
}

static int l_tostring(lua_State *L)
{
    const sl_roads *r = check_net(L);
    const sl_roads_info *in = sl_roads_info_of(r);
    lua_pushfstring(L, "roads(%s: %d nodes, %d edges)", in->file, in->nodes, in->edges);
    return 1;
}

void sl_lua_open_roads(lua_State *L)
{
    static const luaL_Reg methods[] = {
        { "info", l_info }, { "snap", l_snap }, { "matrix", l_matrix }, { "route", l_route },
        { "project", l_project }, { "unproject", l_unproject }, { "sample", l_sample },
        { "show", l_show }, { "graph", l_graph }, { "node", l_node }, { NULL, NULL },
    };
    /* no __gc: the world owns the network */
    sl_lua_class(L, ROADS_MT, methods, NULL);
    luaL_getmetatable(L, ROADS_MT);
    lua_pushcfunction(L, l_tostring);
    lua_setfield(L, -2, "__tostring");
    lua_pop(L, 1);
    lua_pushcfunction(L, l_roads);
    lua_setfield(L, -2, "roads");
}
