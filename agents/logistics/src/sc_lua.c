/* sc_lua.c - Lua binding of the supply chain: swarmlab.supply_chain{...} (every option table but
 * `fleets`, which sc_fleet_lua.c reads), the Lua policies, demand processes and source rules,
 * and the methods that read the run while it goes on.
 *
 *   local sc = swarmlab.supply_chain{name = "cn", products = 1, common_random_numbers = true,
 *     sites = {{id = 1, kind = "supplier"},
 *              {id = 2, kind = "warehouse", x = 50, y = 50, stock = 500, source = 1,
 *               policy = {kind = "base_stock", S = 700}}},
 *     stores = {count = 40, first_id = 101, source = 2, policy = function(s) ... end,
 *               demand = {kind = "poisson", mean = 1}},
 *     fleets = {{depot = 2, vehicles = 6, planner = "contract_net"}},
 *     orders = "orders.csv"}
 *   sc:kpis()  sc:step_kpis()  sc:conservation([product])  sc:site(id [, product])
 *   sc:orders{open = true, site = id, status = "ready"}  sc:write_orders(name)  sc:finish()
 *
 * Every option table is strict (lua_bind.h). Lua functions (policy, demand, source) are called
 * through the host's protected call on the main thread; an error or a bad value stops the run
 * with the scenario's line. */
#include <lauxlib.h>
#include <lua.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sc_internal.h"
#include "sc_lua.h"
#include "swarmlab/checkpoint.h"
#include "swarmlab/lua_bind.h"
#include "swarmlab/lua_host.h"
#include "swarmlab/rng.h"

#define MT_SC "swarmlab.supply_chain"
#define SC_TABLE "swarmlab.supply_chain{...}"

/* What the binding keeps for the run: the Lua functions per site (registry references, by the
 * site's index in the supply chain), the demand tables, the fleet's Lua part, the output name. */
typedef struct sc_lua {
    lua_State *L;            /* main thread */
    sl_sc *sc;
    int n;                   /* sites */
    long long *ids;          /* def order */
    int *policy_ref, *demand_ref, *source_ref; /* def order while parsing, then site order */
    sl_demand *tables;       /* loaded CSV tables (owned) */
    char **table_path;
    int ntables;
    char orders_path[4096];
    int finished;
    slp_sc_lua_fleet *fleet;
} sc_lua;

typedef struct sc_box {
    sl_sc *sc;
    sc_lua *keep;
} sc_box;

static void sc_lua_free(void *p)
{
    sc_lua *s = p;
    if (!s)
        return;
    /* The Lua references are not released here: the world (which owns this) is destroyed after
     * the Lua state is closed, and closing the state releases them. */
    for (int t = 0; t < s->ntables; t++) {
        sl_demand_release(&s->tables[t]);
        free(s->table_path[t]);
    }
    free(s->tables);
    free(s->table_path);
    free(s->ids);
    free(s->policy_ref);
    free(s->demand_ref);
    free(s->source_ref);
    slp_sc_lua_fleet_free(s->fleet);
    free(s);
}

/* ---- hooks: call the site's Lua function with its state ---- */

static const char *kind_label(int kind)
{
    return sl_sc_kind_name(kind);
}

static void push_state(lua_State *L, const sl_sc_site_state *s)
{
    lua_createtable(L, 0, 11);
    lua_pushinteger(L, s->id);
    lua_setfield(L, -2, "id");
    lua_pushstring(L, kind_label(s->kind));
    lua_setfield(L, -2, "kind");
    lua_pushinteger(L, s->product + 1);
    lua_setfield(L, -2, "product");
    lua_pushinteger(L, (lua_Integer)s->step);
    lua_setfield(L, -2, "step");
    const char *k[6] = {"inventory", "backlog", "on_order", "position", "demand", "capacity"};
    double v[6] = {s->inventory, s->backlog, s->on_order, s->position, s->demand, s->capacity};
    for (int i = 0; i < 6; i++) {
        lua_pushnumber(L, v[i]);
        lua_setfield(L, -2, k[i]);
    }
}

/* Calls function ref with the state; leaves one result on the main thread M (returned). */
static lua_State *call_hook(sc_lua *s, int ref, const sl_sc_site_state *st, sl_status *rc,
                            sl_error *e)
{
    lua_State *M = sl_lua_callback_push(s->L, ref);
    push_state(M, st);
    *rc = sl_lua_callback_call(M, 1, 1, e);
    return M;
}

/* "file.lua:LINE" where the function of reference ref was defined. */
static void where_of(lua_State *M, int ref, char *buf, size_t n)
{
    lua_rawgeti(M, LUA_REGISTRYINDEX, ref);
    lua_Debug ar;
    lua_getinfo(M, ">S", &ar);
    snprintf(buf, n, "%s:%d", ar.short_src, ar.linedefined);
}

static sl_status number_result(sc_lua *s, lua_State *M, int ref, const sl_sc_site_state *st,
                               const char *what, double *out, sl_error *e)
{
    int ok = 0;
    double v = lua_tonumberx(M, -1, &ok);
    const char *tn = luaL_typename(M, -1);
    lua_pop(M, 1);
    char where[160];
    if (!ok || !isfinite(v) || v < 0)
        where_of(M, ref, where, sizeof where);
    if (!ok || !isfinite(v) || v < 0)
        return sl_error_set(e, SL_ERR_LUA, "%s: supply chain '%s': the %s function of site %lld "
                            "returned %s at step %llu (a finite number >= 0 is required)",
                            where, sl_sc_name(s->sc), what, st->id,
                            ok ? (isnan(v) ? "nan" : v < 0 ? "a negative number" : "inf") : tn,
                            (unsigned long long)st->step);
    *out = v;
    return SL_OK;
}

static sl_status lua_policy(void *user, const sl_sc_site_state *st, double *qty, sl_error *e)
{
    sc_lua *s = user;
    sl_status rc;
    lua_State *M = call_hook(s, s->policy_ref[st->site], st, &rc, e);
    return rc != SL_OK ? rc : number_result(s, M, s->policy_ref[st->site], st, "policy", qty, e);
}

static sl_status lua_demand(void *user, const sl_sc_site_state *st, double *units, sl_error *e)
{
    sc_lua *s = user;
    sl_status rc;
    lua_State *M = call_hook(s, s->demand_ref[st->site], st, &rc, e);
    return rc != SL_OK ? rc : number_result(s, M, s->demand_ref[st->site], st, "demand", units, e);
}

static sl_status lua_source(void *user, const sl_sc_site_state *st, int *source, sl_error *e)
{
    sc_lua *s = user;
    sl_status rc;
    lua_State *M = call_hook(s, s->source_ref[st->site], st, &rc, e);
    if (rc != SL_OK)
        return rc;
    int isint = 0;
    lua_Integer id = lua_tointegerx(M, -1, &isint);
    const char *tn = luaL_typename(M, -1);
    lua_pop(M, 1);
    int j = isint ? sl_sc_site_index(s->sc, (long long)id) : -1;
    if (j < 0) {
        char where[160];
        where_of(M, s->source_ref[st->site], where, sizeof where);
        if (isint)
            return sl_error_set(e, SL_ERR_LUA, "%s: supply chain '%s': the source function of "
                                "site %lld returned %lld, which is no site's id, at step %llu",
                                where, sl_sc_name(s->sc), st->id, (long long)id,
                                (unsigned long long)st->step);
        return sl_error_set(e, SL_ERR_LUA, "%s: supply chain '%s': the source function of site "
                            "%lld returned %s at step %llu (the id of a site is required)", where,
                            sl_sc_name(s->sc), st->id, tn, (unsigned long long)st->step);
    }
    *source = j;
    return SL_OK;
}

/* ---- options ---- */

static const char *const policy_kinds[] = {"sS", "base_stock", "velocity", NULL};
static const char *const demand_kinds[] = {"constant", "poisson", "seasonal", "csv", NULL};
static const char *const site_kinds[] = {"supplier", "plant", "warehouse", "cross_dock", "store",
                                         NULL};

static const char *const policy_keys[] = {"kind", "s", "S", "factor", "cover", "alpha", NULL};
static const char *const demand_keys[] = {"kind", "mean", "amplitude", "period", "phase", "file",
                                          "column", NULL};
#define SITE_KEYS "stock", "capacity", "holding_cost", "backlog_cost", "lost_cost", "lost_sales", \
                  "source", "lead", "ship_time", "rate", "transship", "policy", "demand", \
                  "service_time", "window"
static const char *const site_keys[] = {"id", "kind", "x", "y", "node", SITE_KEYS, NULL};
static const char *const stores_keys[] = {"count", "first_id", "width", "height", "nodes",
                                          SITE_KEYS, NULL};

/* o.key as a Lua function (a registry reference) or a table read by `table`; returns the ref or
 * LUA_NOREF. */
static int function_or(const sl_lua_opts *o, const char *key)
{
    lua_getfield(o->L, o->t, key);
    int isf = lua_type(o->L, -1) == LUA_TFUNCTION;
    lua_pop(o->L, 1);
    return isf ? sl_lua_opt_function(o, key) : LUA_NOREF;
}

static void read_policy(const sl_lua_opts *o, sl_sc_site *s, int *ref)
{
    if ((*ref = function_or(o, "policy")) != LUA_NOREF) {
        s->policy.kind = SL_SC_POLICY_HOOK;
        return;
    }
    sl_lua_opts p;
    if (!sl_lua_opts_sub(o, "policy", &p, policy_keys))
        return;
    s->policy.kind = sl_lua_opt_enum(&p, "kind", policy_kinds,
                                     s->policy.kind >= 0 && s->policy.kind < 3 ? s->policy.kind
                                                                               : SL_POLICY_SS);
    s->policy.s = sl_lua_opt_number(&p, "s", s->policy.s, 0, 1e12);
    s->policy.S = sl_lua_opt_number(&p, "S", s->policy.S, 0, 1e12);
    s->policy.factor = sl_lua_opt_number(&p, "factor", s->policy.factor, 0, 1e6);
    s->policy.cover = sl_lua_opt_number(&p, "cover", s->policy.cover, 0, 1e6);
    s->policy.alpha = sl_lua_opt_number(&p, "alpha", s->policy.alpha, 0, 1);
    if (s->policy.kind == SL_POLICY_SS && s->policy.s > s->policy.S)
        sl_lua_opt_error(&p, "s", "must be <= S (got s = %g, S = %g)", s->policy.s, s->policy.S);
    lua_pop(o->L, 1);
}

/* Loads (once per file) the CSV table `file`; returns its index. */
static int load_table(sc_lua *k, const sl_lua_opts *d, const char *file)
{
    lua_State *L = d->L;
    const char *path = sl_lua_resolve_input(L, file);
    if (!path)
        sl_lua_opt_error(d, "file", "names a demand file that does not exist ('%s')", file);
    for (int t = 0; t < k->ntables; t++)
        if (!strcmp(k->table_path[t], path))
            return t;
    sl_demand *nt = realloc(k->tables, (size_t)(k->ntables + 1) * sizeof *nt);
    if (nt)
        k->tables = nt;
    char **np = realloc(k->table_path, (size_t)(k->ntables + 1) * sizeof *np);
    if (np)
        k->table_path = np;
    if (!nt || !np)
        luaL_error(L, "supply_chain: out of memory");
    sl_demand *t = &k->tables[k->ntables];
    memset(t, 0, sizeof *t);
    t->kind = SL_DEMAND_TABLE;
    k->table_path[k->ntables] = strdup(path);
    if (!k->table_path[k->ntables])
        luaL_error(L, "supply_chain: out of memory");
    k->ntables++;
    sl_error e;
    sl_error_clear(&e);
    if (sl_demand_load_csv(t, path, &e) != SL_OK)
        luaL_error(L, "%s", e.msg);
    return k->ntables - 1;
}

static void read_demand(sc_lua *k, const sl_lua_opts *o, sl_sc_site *s, int *ref)
{
    if ((*ref = function_or(o, "demand")) != LUA_NOREF) {
        s->demand.kind = SL_SC_DEMAND_HOOK;
        return;
    }
    sl_lua_opts d;
    if (!sl_lua_opts_sub(o, "demand", &d, demand_keys))
        return;
    int kind = sl_lua_opt_enum(&d, "kind", demand_kinds, s->demand.kind < 4 ? s->demand.kind
                                                                             : SL_DEMAND_POISSON);
    s->demand.kind = kind;
    s->demand.mean = sl_lua_opt_number(&d, "mean", s->demand.mean, 0, 1e9);
    s->demand.amplitude = sl_lua_opt_number(&d, "amplitude", s->demand.amplitude, 0, 1);
    s->demand.period = sl_lua_opt_number(&d, "period", s->demand.period > 0 ? s->demand.period
                                                                            : 1, 1e-9, 1e12);
    s->demand.phase = sl_lua_opt_number(&d, "phase", s->demand.phase, -1e12, 1e12);
    if (kind == SL_DEMAND_TABLE) {
        sl_lua_opt_require(&d, "file");
        int t = load_table(k, &d, sl_lua_opt_string(&d, "file", NULL));
        s->demand.table = k->tables[t].table;
        s->demand.rows = k->tables[t].rows;
        s->demand.cols = k->tables[t].cols;
        s->column = (int)sl_lua_opt_integer(&d, "column", 1, 1, k->tables[t].cols) - 1;
    } else if (sl_lua_opt_has(&d, "file") || sl_lua_opt_has(&d, "column")) {
        sl_lua_opt_error(&d, sl_lua_opt_has(&d, "file") ? "file" : "column",
                         "needs kind = \"csv\"");
    }
    lua_pop(o->L, 1);
}

/* The keys every site table shares (also the defaults of `stores`). */
static void read_site_common(sc_lua *k, const sl_lua_opts *o, sl_sc_site *s, int *pref,
                             int *dref, int *sref)
{
    s->stock0 = sl_lua_opt_number(o, "stock", s->stock0, 0, 1e12);
    s->capacity = sl_lua_opt_number(o, "capacity", isfinite(s->capacity) ? s->capacity : 1e15,
                                    1e-9, 1e15);
    if (s->capacity >= 1e15)
        s->capacity = INFINITY;
    s->holding_cost = sl_lua_opt_number(o, "holding_cost", s->holding_cost, 0, 1e12);
    s->backlog_cost = sl_lua_opt_number(o, "backlog_cost", s->backlog_cost, 0, 1e12);
    s->lost_cost = sl_lua_opt_number(o, "lost_cost", s->lost_cost, 0, 1e12);
    s->lost_sales = sl_lua_opt_boolean(o, "lost_sales", s->lost_sales);
    s->lead = (int)sl_lua_opt_integer(o, "lead", s->lead, 0, 100000);
    s->ship_time = (int)sl_lua_opt_integer(o, "ship_time", s->ship_time, 1, 100000);
    s->rate = sl_lua_opt_number(o, "rate", s->rate, 1e-9, 1e12);
    s->transship = sl_lua_opt_boolean(o, "transship", s->transship);
    lua_State *L = o->L;
    int t = lua_getfield(L, o->t, "source");
    if (t == LUA_TFUNCTION) {
        lua_pop(L, 1);
        *sref = sl_lua_opt_function(o, "source");
        s->source_kind = SL_SC_SOURCE_RULE;
    } else if (t == LUA_TSTRING) {
        const char *v = lua_tostring(L, -1);
        if (strcmp(v, "nearest") != 0)
            sl_lua_opt_error(o, "source", "must be a site id, \"nearest\" or a function (got "
                             "\"%s\")", v);
        lua_pop(L, 1);
        s->source_kind = SL_SC_SOURCE_NEAREST;
    } else if (t != LUA_TNIL) {
        lua_pop(L, 1);
        s->source = (long long)sl_lua_opt_integer(o, "source", 0, -(1LL << 53), 1LL << 53);
        s->source_kind = SL_SC_SOURCE_FIXED;
    } else {
        lua_pop(L, 1);
    }
    read_policy(o, s, pref);
    for (int f = 0; f < 2; f++) { /* a fleet's stops: stores only */
        const char *key = f ? "window" : "service_time";
        if (sl_lua_opt_has(o, key) && s->kind != SL_SC_STORE)
            sl_lua_opt_error(o, key, "is for stores only (this site is a %s)",
                             sl_sc_kind_name(s->kind));
    }
    s->service_time = sl_lua_opt_number(o, "service_time", s->service_time, 0, 1e9);
    if (sl_lua_opt_has(o, "window")) {
        double w[2];
        sl_lua_opt_numbers(o, "window", w, 2, 0, 1e9);
        if (!(w[0] < w[1]))
            sl_lua_opt_error(o, "window", "must open before it closes (got {%g, %g})", w[0],
                             w[1]);
        s->window_open = w[0];
        s->window_close = w[1];
    }
    if (sl_lua_opt_has(o, "demand") && s->kind != SL_SC_STORE)
        sl_lua_opt_error(o, "demand", "is for stores only (this site is a %s)",
                         sl_sc_kind_name(s->kind));
    read_demand(k, o, s, dref);
}

/* Grows the def arrays of k to n sites. */
static void grow(sc_lua *k, sl_sc_site **sites, int n)
{
    sl_sc_site *ns = realloc(*sites, (size_t)n * sizeof *ns);
    if (ns) *sites = ns;
    long long *ni = realloc(k->ids, (size_t)n * sizeof *ni);
    if (ni) k->ids = ni;
    int *a = realloc(k->policy_ref, (size_t)n * sizeof(int));
    if (a) k->policy_ref = a;
    int *b = realloc(k->demand_ref, (size_t)n * sizeof(int));
    if (b) k->demand_ref = b;
    int *c = realloc(k->source_ref, (size_t)n * sizeof(int));
    if (c) k->source_ref = c;
    if (!ns || !ni || !a || !b || !c)
        luaL_error(k->L, "supply_chain: out of memory");
    for (int i = k->n; i < n; i++)
        k->policy_ref[i] = k->demand_ref[i] = k->source_ref[i] = LUA_NOREF;
    k->n = n;
}

/* The userdata that owns the def arrays while options are read (collected with the call's
 * stack when a Lua error interrupts). */
typedef struct parse_box {
    sc_lua *k;
    sl_sc_site *sites;
} parse_box;

static int parse_box_gc(lua_State *L)
{
    parse_box *b = lua_touserdata(L, 1);
    free(b->sites);
    b->sites = NULL;
    sc_lua_free(b->k);
    b->k = NULL;
    return 0;
}

static void read_sites(sc_lua *k, parse_box *pb, const sl_lua_opts *o, uint64_t seed,
                       const sl_graph *roads)
{
    int n = sl_lua_opt_array(o, "sites");
    for (int i = 1; i <= n; i++) {
        sl_lua_opts so;
        sl_lua_opts_elem(o, "sites", i, &so, site_keys);
        sl_lua_opt_require(&so, "id");
        sl_lua_opt_require(&so, "kind");
        int kind = sl_lua_opt_enum(&so, "kind", site_kinds, 0);
        long long id = (long long)sl_lua_opt_integer(&so, "id", 0, -(1LL << 53), 1LL << 53);
        grow(k, &pb->sites, k->n + 1);
        int j = k->n - 1;
        sl_sc_site *s = &pb->sites[j];
        *s = sl_sc_site_default(kind, id);
        k->ids[j] = id;
        if (roads) {
            sl_lua_opt_require(&so, "node");
            s->node = (int)sl_lua_opt_integer(&so, "node", 1, 1, roads->n) - 1;
        } else {
            sl_lua_opt_require(&so, "x");
            sl_lua_opt_require(&so, "y");
            if (sl_lua_opt_has(&so, "node"))
                sl_lua_opt_error(&so, "node", "needs roads = a road graph");
        }
        s->x = sl_lua_opt_number(&so, "x", 0, -1e12, 1e12);
        s->y = sl_lua_opt_number(&so, "y", 0, -1e12, 1e12);
        read_site_common(k, &so, s, &k->policy_ref[j], &k->demand_ref[j], &k->source_ref[j]);
        lua_pop(o->L, 1);
    }
    sl_lua_opts st;
    if (!sl_lua_opts_sub(o, "stores", &st, stores_keys))
        return;
    sl_lua_opt_require(&st, "count");
    int count = (int)sl_lua_opt_integer(&st, "count", 0, 0, 100000);
    long long first = (long long)sl_lua_opt_integer(&st, "first_id", 1000, -(1LL << 53),
                                                    (1LL << 53) - 100000);
    double width = sl_lua_opt_number(&st, "width", 100, 0, 1e12);
    double height = sl_lua_opt_number(&st, "height", 100, 0, 1e12);
    sl_sc_site proto = sl_sc_site_default(SL_SC_STORE, first);
    int pref = LUA_NOREF, dref = LUA_NOREF, sref = LUA_NOREF;
    read_site_common(k, &st, &proto, &pref, &dref, &sref);
    int nn = -1;
    if (roads) {
        nn = sl_lua_opt_array(&st, "nodes");
        if (nn != count)
            sl_lua_opt_error(&st, "nodes", "must list one road node per store (%d, got %d)",
                             count, nn < 0 ? 0 : nn);
    } else if (sl_lua_opt_has(&st, "nodes")) {
        sl_lua_opt_error(&st, "nodes", "needs roads = a road graph");
    }
    double *nodes = NULL;
    if (nn > 0) {
        nodes = lua_newuserdatauv(o->L, (size_t)nn * sizeof(double), 0);
        sl_lua_opt_numbers(&st, "nodes", nodes, nn, 1, roads->n);
    }
    int base = k->n;
    grow(k, &pb->sites, base + count);
    for (int c = 0; c < count; c++) {
        sl_sc_site *s = &pb->sites[base + c];
        *s = proto;
        s->id = first + c;
        k->ids[base + c] = s->id;
        sl_rng r = sl_rng_make(seed, 0x504f53u, (uint64_t)s->id, 0); /* keyed by the id */
        s->x = sl_rng_uniform(&r) * width;
        s->y = sl_rng_uniform(&r) * height;
        if (nodes) {
            if (nodes[c] != floor(nodes[c]))
                sl_lua_opt_error(&st, "nodes", "must be whole road node numbers");
            s->node = (int)nodes[c] - 1;
        }
        /* one function shared by every store: a reference each */
        if (pref != LUA_NOREF) {
            lua_rawgeti(o->L, LUA_REGISTRYINDEX, pref);
            k->policy_ref[base + c] = luaL_ref(o->L, LUA_REGISTRYINDEX);
        }
        if (dref != LUA_NOREF) {
            lua_rawgeti(o->L, LUA_REGISTRYINDEX, dref);
            k->demand_ref[base + c] = luaL_ref(o->L, LUA_REGISTRYINDEX);
        }
        if (sref != LUA_NOREF) {
            lua_rawgeti(o->L, LUA_REGISTRYINDEX, sref);
            k->source_ref[base + c] = luaL_ref(o->L, LUA_REGISTRYINDEX);
        }
    }
    sl_lua_unref(o->L, pref);
    sl_lua_unref(o->L, dref);
    sl_lua_unref(o->L, sref);
    if (nodes)
        lua_pop(o->L, 1);
    lua_pop(o->L, 1);
}

/* Puts the per-site references in the supply chain's site order. */
static int reorder_refs(sc_lua *k, sl_sc *sc)
{
    int *p = malloc((size_t)k->n * sizeof(int)), *d = malloc((size_t)k->n * sizeof(int));
    int *s = malloc((size_t)k->n * sizeof(int));
    if (!p || !d || !s) {
        free(p);
        free(d);
        free(s);
        return 0;
    }
    for (int j = 0; j < k->n; j++) {
        int i = sl_sc_site_index(sc, k->ids[j]);
        p[i] = k->policy_ref[j];
        d[i] = k->demand_ref[j];
        s[i] = k->source_ref[j];
    }
    free(k->policy_ref);
    free(k->demand_ref);
    free(k->source_ref);
    k->policy_ref = p;
    k->demand_ref = d;
    k->source_ref = s;
    return 1;
}

static int l_supply_chain(lua_State *L)
{
    sl_world *w = sl_lua_world(L);
    int t = lua_type(L, 1) == LUA_TUSERDATA ? 2 : 1; /* (world, opts) or (opts) */
    static const char *const keys[] = {"name", "products", "common_random_numbers", "warmup",
                                       "promise", "roads", "sites", "stores", "fleets", "orders",
                                       "steps_per_day", NULL};
    sl_lua_opts o;
    sl_lua_opts_open(&o, L, t, SC_TABLE, keys);
    sl_sc_def d = sl_sc_def_default();
    d.seed = sl_world_seed(w);
    d.name = sl_lua_opt_string(&o, "name", "sc");
    d.nprod = (int)sl_lua_opt_integer(&o, "products", 1, 1, SL_SC_MAX_PROD);
    d.common_random_numbers = sl_lua_opt_boolean(&o, "common_random_numbers", false);
    d.warmup = (int)sl_lua_opt_integer(&o, "warmup", 0, 0, 1000000000);
    d.promise = (int)sl_lua_opt_integer(&o, "promise", d.promise, 0, 1000000000);
    d.steps_per_day = (int)sl_lua_opt_integer(&o, "steps_per_day", 1, 1, 1000000);
    const char *orders = sl_lua_opt_string(&o, "orders", NULL);
    char attach[128];
    snprintf(attach, sizeof attach, "supply_chain_lua:%s", d.name);
    if (sl_world_attached(w, attach))
        return luaL_error(L, "supply_chain: a supply chain named '%s' already exists", d.name);
    if (lua_getfield(L, o.t, "roads") != LUA_TNIL) {
        sl_graph *g = sl_lua_check_graph(L, lua_gettop(L));
        if (!g->finalized) {
            sl_error ge;
            if (sl_graph_finalize(g, &ge) != SL_OK)
                return luaL_error(L, "supply_chain: roads: %s", ge.msg);
        }
        d.roads = g;
        d.node_base = 1;
    }
    lua_pop(L, 1);

    parse_box *pb = lua_newuserdatauv(L, sizeof *pb, 0);
    memset(pb, 0, sizeof *pb);
    lua_createtable(L, 0, 1);
    lua_pushcfunction(L, parse_box_gc);
    lua_setfield(L, -2, "__gc");
    lua_setmetatable(L, -2);
    pb->k = calloc(1, sizeof *pb->k);
    if (!pb->k)
        return luaL_error(L, "supply_chain: out of memory");
    sc_lua *k = pb->k;
    k->L = sl_lua_main_thread(L);
    read_sites(k, pb, &o, d.seed, d.roads);
    if (k->n == 0)
        return luaL_error(L, "%s: option 'sites' or 'stores' must give at least one site",
                          SC_TABLE);
    k->fleet = slp_sc_lua_fleets(&o, &d);
    if (orders)
        snprintf(k->orders_path, sizeof k->orders_path, "%s", sl_lua_output_path(L, orders));
    d.nsites = k->n;
    d.sites = pb->sites;
    d.policy_fn = lua_policy;
    d.demand_fn = lua_demand;
    d.source_fn = lua_source;
    d.hook_user = k;

    sl_error e;
    sl_error_clear(&e);
    sl_sc *sc = sl_sc_create(w, &d, &e);
    if (!sc)
        return luaL_error(L, "%s", e.msg);
    k->sc = sc;
    if (!reorder_refs(k, sc))
        return luaL_error(L, "supply_chain: out of memory");
    /* from here the world owns k (the supply chain calls back into it) */
    pb->k = NULL;
    if (sl_world_attach(w, attach, k, sc_lua_free, &e) != SL_OK) {
        sc_lua_free(k);
        return luaL_error(L, "supply_chain: %s", e.msg);
    }
    /* Options and the Lua functions only: nothing that changes during a run. */
    if (sl_checkpoint_register(w, attach, NULL, NULL, &e) != SL_OK)
        return luaL_error(L, "supply_chain: %s", e.msg);
    if (slp_sc_lua_fleet_start(k->fleet, L, sc, &e) != SL_OK)
        return luaL_error(L, "%s", e.msg);
    sc_box *b = lua_newuserdatauv(L, sizeof *b, 0);
    b->sc = sc;
    b->keep = k;
    luaL_setmetatable(L, MT_SC);
    return 1;
}

/* ---- methods ---- */

static sc_box *check_box(lua_State *L)
{
    return luaL_checkudata(L, 1, MT_SC);
}

static sl_sc *check_sc(lua_State *L);

static int l_sc_routes(lua_State *L)
{
    return slp_sc_lua_routes(L, check_sc(L));
}

static int l_sc_vehicles(lua_State *L)
{
    return slp_sc_lua_vehicles(L, check_sc(L));
}

static int l_sc_write_routes(lua_State *L)
{
    return slp_sc_lua_write_routes(L, check_sc(L));
}

static sl_sc *check_sc(lua_State *L)
{
    return check_box(L)->sc;
}

static void push_kpis(lua_State *L, const sl_sc_kpis *k)
{
    lua_createtable(L, 0, 28);
#define K(f)                                                                                      \
    lua_pushnumber(L, k->f);                                                                      \
    lua_setfield(L, -2, #f)
    K(steps); K(demand); K(served); K(fill_rate); K(stockouts); K(backlog); K(lost);
    K(holding_cost); K(backlog_cost); K(lost_cost); K(transport_cost); K(total_cost);
    K(distance); K(delivered); K(cost_per_unit); K(utilisation); K(orders); K(order_lead);
    K(lateness); K(late_orders); K(messages); K(bytes); K(bullwhip_stores);
    K(bullwhip_warehouse); K(negotiations); K(failed_negotiations);
#undef K
}

static int l_sc_kpis(lua_State *L)
{
    sl_sc_kpis k = sl_sc_kpis_run(check_sc(L));
    push_kpis(L, &k);
    return 1;
}

static int l_sc_step_kpis(lua_State *L)
{
    sl_sc_kpis k = sl_sc_kpis_step(check_sc(L));
    push_kpis(L, &k);
    return 1;
}

static int l_sc_conservation(lua_State *L)
{
    sl_sc *sc = check_sc(L);
    int p = (int)luaL_optinteger(L, 2, 0);
    if (p < 0 || p > sc->P)
        return luaL_argerror(L, 2, "a product number (1..products) or nil for all");
    double held, entered;
    sl_sc_conservation(sc, p - 1, &held, &entered);
    lua_createtable(L, 0, 2);
    lua_pushnumber(L, held);
    lua_setfield(L, -2, "held");
    lua_pushnumber(L, entered);
    lua_setfield(L, -2, "entered");
    return 1;
}

static int site_arg(lua_State *L, sl_sc *sc, int arg)
{
    lua_Integer id = luaL_checkinteger(L, arg);
    int i = sl_sc_site_index(sc, (long long)id);
    if (i < 0)
        return luaL_error(L, "supply_chain '%s': no site with id %lld", sc->name, (long long)id);
    return i;
}

static int l_sc_site(lua_State *L)
{
    sl_sc *sc = check_sc(L);
    int i = site_arg(L, sc, 2);
    int p = (int)luaL_optinteger(L, 3, 1);
    if (p < 1 || p > sc->P)
        return luaL_argerror(L, 3, "a product number (1..products)");
    sl_sc_site_state st = sl_sc_site_get(sc, i, p - 1);
    push_state(L, &st);
    size_t k = (size_t)i * (size_t)sc->P + (size_t)(p - 1);
    lua_pushnumber(L, sc->reserved[k]);
    lua_setfield(L, -2, "reserved");
    lua_pushnumber(L, sc->nx[i]);
    lua_setfield(L, -2, "x");
    lua_pushnumber(L, sc->ny[i]);
    lua_setfield(L, -2, "y");
    lua_pushinteger(L, sl_sc_echelon(sc, i));
    lua_setfield(L, -2, "echelon");
    if (sc->src[i] >= 0) {
        lua_pushinteger(L, sc->site[sc->src[i]].id);
        lua_setfield(L, -2, "source");
    }
    return 1;
}

static void push_order(lua_State *L, const sl_sc_order_info *r)
{
    lua_createtable(L, 0, 14);
    lua_pushinteger(L, (lua_Integer)r->id);
    lua_setfield(L, -2, "id");
    lua_pushinteger(L, r->site);
    lua_setfield(L, -2, "site");
    lua_pushinteger(L, r->depot);
    lua_setfield(L, -2, "depot");
    lua_pushinteger(L, r->product + 1);
    lua_setfield(L, -2, "product");
    lua_pushnumber(L, r->quantity);
    lua_setfield(L, -2, "quantity");
    const char *tk[5] = {"created", "promised", "ready", "dispatched", "delivered"};
    int64_t tv[5] = {r->created, r->promised, r->ready, r->dispatched, r->delivered};
    for (int i = 0; i < 5; i++)
        if (tv[i] >= 0) {
            lua_pushinteger(L, (lua_Integer)tv[i]);
            lua_setfield(L, -2, tk[i]);
        }
    if (r->status == SL_SC_DELIVERED) {
        lua_pushnumber(L, r->lateness);
        lua_setfield(L, -2, "lateness");
    }
    if (!isnan(r->arrival)) {
        lua_pushnumber(L, r->arrival);
        lua_setfield(L, -2, "arrival");
        lua_pushnumber(L, r->wait);
        lua_setfield(L, -2, "wait");
        lua_pushnumber(L, r->window_late);
        lua_setfield(L, -2, "window_late");
    }
    if (r->vehicle >= 0) {
        lua_pushinteger(L, r->vehicle + 1);
        lua_setfield(L, -2, "vehicle");
        lua_pushinteger(L, r->route);
        lua_setfield(L, -2, "route");
    }
    lua_pushstring(L, sl_sc_status_name(r->status));
    lua_setfield(L, -2, "status");
}

static int l_sc_orders(lua_State *L)
{
    sl_sc *sc = check_sc(L);
    static const char *const keys[] = {"open", "site", "status", NULL};
    static const char *const statuses[] = {"sent", "open", "ready", "transit", "delivered", NULL};
    sl_lua_opts o;
    sl_lua_opts_open_opt(&o, L, 2, "supply_chain:orders{...}", keys);
    bool open = sl_lua_opt_boolean(&o, "open", false);
    int site = -1;
    if (sl_lua_opt_has(&o, "site")) {
        long long id = (long long)sl_lua_opt_integer(&o, "site", 0, -(1LL << 53), 1LL << 53);
        site = sl_sc_site_index(sc, id);
        if (site < 0)
            sl_lua_opt_error(&o, "site", "names no site (%lld)", id);
    }
    int status = sl_lua_opt_enum(&o, "status", statuses, -1);
    lua_newtable(L);
    lua_Integer n = 0;
    for (size_t i = 0; i < sc->norders; i++) {
        const slp_sc_order *r = &sc->orders[i];
        if ((open && r->status == SLP_SC_DELIVERED) || (site >= 0 && r->site != site) ||
            (status >= 0 && r->status != status))
            continue;
        sl_sc_order_info info = sl_sc_order_get(sc, i);
        push_order(L, &info);
        lua_rawseti(L, -2, ++n);
    }
    return 1;
}

static int l_sc_write_orders(lua_State *L)
{
    sl_sc *sc = check_sc(L);
    const char *path = sl_lua_output_path(L, luaL_checkstring(L, 2));
    sl_error e;
    sl_error_clear(&e);
    if (sl_sc_write_orders(sc, path, &e) != SL_OK)
        return luaL_error(L, "supply_chain '%s': %s", sc->name, e.msg);
    return 0;
}

static int l_sc_finish(lua_State *L)
{
    sc_box *b = check_box(L);
    sl_error e;
    sl_error_clear(&e);
    if (sl_sc_finish(b->sc, &e) != SL_OK)
        return luaL_error(L, "%s", e.msg);
    if (b->keep->orders_path[0] && !b->keep->finished &&
        sl_sc_write_orders(b->sc, b->keep->orders_path, &e) != SL_OK)
        return luaL_error(L, "supply_chain '%s': %s", b->sc->name, e.msg);
    b->keep->finished = 1;
    return 0;
}

static int l_sc_name(lua_State *L)
{
    lua_pushstring(L, sl_sc_name(check_sc(L)));
    return 1;
}

void slp_sc_lua_open(lua_State *L)
{
    static const luaL_Reg methods[] = {
        {"kpis", l_sc_kpis}, {"step_kpis", l_sc_step_kpis}, {"conservation", l_sc_conservation},
        {"site", l_sc_site}, {"orders", l_sc_orders}, {"write_orders", l_sc_write_orders},
        {"finish", l_sc_finish}, {"name", l_sc_name}, {"routes", l_sc_routes},
        {"vehicles", l_sc_vehicles}, {"write_routes", l_sc_write_routes}, {NULL, NULL},
    };
    sl_lua_class(L, MT_SC, methods, NULL);
    lua_pushcfunction(L, l_supply_chain);
    lua_setfield(L, -2, "supply_chain");
}
