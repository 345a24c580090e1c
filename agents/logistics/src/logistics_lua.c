/* logistics_lua.c - Lua binding: swarmlab.beer_game{...} and swarmlab.supply_chain(world, {...}).
 *
 *   local r = swarmlab.beer_game{policy = function(v) return order end, weeks = 36,
 *                                csv = "orders.csv"}     -- r.total_cost, r.stage_cost[1..4], ...
 *   local sc = swarmlab.supply_chain(world, {name = "cn", mode = "contract_net", stores = 40, ...})
 *   sc:kpis()  sc:step_kpis()  sc:conservation()  sc:finish()
 *
 * Policy and bid functions are called from C; their errors stop the run and keep the scenario
 * line ("beer_game.lua:31: ..."); a result that is not a finite number names the line where the
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
#include "swarmlab/supply_chain.h"

void sl_lua_open_logistics(lua_State *L);

#define MT_SC "swarmlab.supply_chain"

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
    sl_beer_def d = sl_beer_classic();
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

/* ---- supply chain ---- */

typedef struct sc_lua {
    lua_State *L;        /* the main thread: the bid function is called during world steps */
    int bid_ref;
    char where[128];
    char name[64];
    sl_demand demand;    /* owns a CSV table */
} sc_lua;

typedef struct sc_box {
    sl_sc *sc;
} sc_box;

static void sc_lua_free(void *p)
{
    sc_lua *s = p;
    if (!s)
        return;
    sl_demand_free(&s->demand);
    free(s);
}

static sl_status sc_bid(void *user, const sl_sc_bid_info *b, int *propose, double *cost,
                        sl_error *e)
{
    sc_lua *s = user;
    lua_State *L = s->L;
    if (!lua_checkstack(L, 8))
        return sl_error_set(e, SL_ERR_LUA, "supply chain: Lua stack overflow");
    lua_rawgeti(L, LUA_REGISTRYINDEX, s->bid_ref);
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
    if (sl_lua_callback_call(L, 1, 1, e) != SL_OK) return SL_ERR_LUA;
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

static void read_policy(lua_State *L, int t, const char *key, sl_policy *p)
{
    lua_getfield(L, t, key);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        return;
    }
    if (!lua_istable(L, -1))
        luaL_error(L, "supply_chain: '%s' must be a table {kind =, s =, S =, ...}", key);
    int pt = lua_gettop(L);
    static const char *const keys[] = {"kind", "s", "S", "factor", "cover", "alpha", NULL};
    char name[96];
    snprintf(name, sizeof name, "swarmlab.supply_chain{...}.%s", key);
    sl_lua_opts o;
    sl_lua_opts_open(&o, L, pt, name, keys);
    const char *kind = str_field(L, pt, "kind", NULL);
    if (kind) {
        int k = sl_policy_kind_parse(kind);
        if (k < 0)
            luaL_error(L, "supply_chain: %s.kind '%s' (expected sS, base_stock, velocity)", key,
                       kind);
        p->kind = k;
    }
    p->s = num_field(L, pt, "s", p->s);
    p->S = num_field(L, pt, "S", p->S);
    p->factor = num_field(L, pt, "factor", p->factor);
    p->cover = num_field(L, pt, "cover", p->cover);
    p->alpha = num_field(L, pt, "alpha", p->alpha);
    lua_pop(L, 1);
}

static double *number_list(lua_State *L, int t, const char *key, int n)
{
    lua_getfield(L, t, key);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        return NULL;
    }
    if (!lua_istable(L, -1) || luaL_len(L, -1) != n)
        luaL_error(L, "supply_chain: '%s' must be a list of %d numbers", key, n);
    double *v = lua_newuserdatauv(L, sizeof(double) * (size_t)n, 0);
    for (int i = 0; i < n; i++) {
        lua_rawgeti(L, -2, i + 1);
        int ok = 0;
        v[i] = lua_tonumberx(L, -1, &ok);
        if (!ok)
            luaL_error(L, "supply_chain: %s[%d] must be a number", key, i + 1);
        lua_pop(L, 1);
    }
    lua_remove(L, -2); /* keep the userdata on the stack until the call returns */
    return v;
}

static int l_supply_chain(lua_State *L)
{
    sl_world *w = sl_lua_world(L);
    int t = lua_type(L, 1) == LUA_TUSERDATA ? 2 : 1; /* (world, opts) or (opts) */
    static const char *const keys[] = {
        "name", "mode", "stores", "products", "width", "height", "warehouse_x", "warehouse_y",
        "warehouse_stock", "supplier_lead", "store_stock", "lead_time", "lost_sales", "vehicles",
        "capacity", "speed", "float", "dispatch_wait", "holding_cost", "holding_cost_warehouse",
        "backlog_cost", "lost_sale_cost", "distance_cost", "loss", "delay", "jitter", "deadline",
        "retry_wait", "warmup", "policy", "warehouse_policy", "demand", "x", "y", "roads",
        "nodes", "warehouse_node", "bid", "trace", NULL};
    sl_lua_opts o;
    sl_lua_opts_open(&o, L, t, "swarmlab.supply_chain{...}", keys);
    sl_sc_def d = sl_sc_def_default();
    d.seed = sl_world_seed(w);
    d.name = str_field(L, t, "name", "sc");
    const char *mode = str_field(L, t, "mode", "contract_net");
    if (!strcmp(mode, "contract_net"))
        d.mode = SL_SC_CONTRACT_NET;
    else if (!strcmp(mode, "central"))
        d.mode = SL_SC_CENTRAL;
    else
        return luaL_error(L, "supply_chain: mode '%s' (expected contract_net or central)", mode);
    d.nstores = int_field(L, t, "stores", 40);
    d.nprod = int_field(L, t, "products", d.nprod);
    if (d.nstores < 1 || d.nstores > 5000) /* a full distance matrix is kept */
        return luaL_error(L, "supply_chain: stores = %d outside 1..5000", d.nstores);
    double width = num_field(L, t, "width", 100), height = num_field(L, t, "height", 100);
    d.wh_x = num_field(L, t, "warehouse_x", width / 2);
    d.wh_y = num_field(L, t, "warehouse_y", height / 2);
    d.wh_stock0 = num_field(L, t, "warehouse_stock", d.wh_stock0);
    d.supplier_lead = int_field(L, t, "supplier_lead", d.supplier_lead);
    d.store_stock0 = num_field(L, t, "store_stock", d.store_stock0);
    d.lead_time = int_field(L, t, "lead_time", d.lead_time);
    lua_getfield(L, t, "lost_sales");
    d.lost_sales = lua_toboolean(L, -1);
    lua_pop(L, 1);
    d.nvehicles = int_field(L, t, "vehicles", d.nvehicles);
    d.capacity = num_field(L, t, "capacity", d.capacity);
    d.speed = num_field(L, t, "speed", d.speed);
    d.float_fraction = num_field(L, t, "float", d.float_fraction);
    d.dispatch_wait = int_field(L, t, "dispatch_wait", d.dispatch_wait);
    d.h_store = num_field(L, t, "holding_cost", d.h_store);
    d.h_wh = num_field(L, t, "holding_cost_warehouse", d.h_wh);
    d.backlog_cost = num_field(L, t, "backlog_cost", d.backlog_cost);
    d.lost_cost = num_field(L, t, "lost_sale_cost", d.lost_cost);
    d.km_cost = num_field(L, t, "distance_cost", d.km_cost);
    d.link.loss = num_field(L, t, "loss", 0.0);
    d.link.delay = (uint32_t)int_field(L, t, "delay", 0);
    d.link.jitter = (uint32_t)int_field(L, t, "jitter", 0);
    d.cn_deadline = int_field(L, t, "deadline", d.cn_deadline);
    d.retry_wait = int_field(L, t, "retry_wait", d.retry_wait);
    d.warmup = int_field(L, t, "warmup", d.warmup);
    read_policy(L, t, "policy", &d.store_policy);
    read_policy(L, t, "warehouse_policy", &d.wh_policy);

    const char *demand_path = NULL;
    lua_getfield(L, t, "demand");
    if (!lua_isnil(L, -1)) {
        if (!lua_istable(L, -1))
            return luaL_error(L, "supply_chain: 'demand' must be a table {kind =, mean =, ...}");
        int dt = lua_gettop(L);
        static const char *const dkeys[] = {"kind", "mean", "amplitude", "period", "phase",
                                            "file", NULL};
        sl_lua_opts dopts;
        sl_lua_opts_open(&dopts, L, dt, "swarmlab.supply_chain{...}.demand", dkeys);
        const char *kind = str_field(L, dt, "kind", "poisson");
        int k = sl_demand_kind_parse(kind);
        if (k < 0)
            return luaL_error(L, "supply_chain: demand kind '%s' (expected constant, poisson, "
                              "seasonal, csv)", kind);
        d.demand.kind = k;
        d.demand.mean = num_field(L, dt, "mean", d.demand.mean);
        d.demand.amplitude = num_field(L, dt, "amplitude", 0);
        d.demand.period = num_field(L, dt, "period", 1);
        d.demand.phase = num_field(L, dt, "phase", 0);
        if (k == SL_DEMAND_TABLE) {
            const char *file = str_field(L, dt, "file", NULL);
            if (!file)
                return luaL_error(L, "supply_chain: csv demand needs 'file'");
            const char *path = sl_lua_resolve_input(L, file);
            if (!path)
                return luaL_error(L, "supply_chain: demand file '%s' not found", file);
            lua_pushstring(L, path); /* kept on the stack until the call returns */
            demand_path = lua_tostring(L, -1);
            lua_insert(L, dt);
            dt++;
        }
    }
    lua_pop(L, 1);

    /* Positions: given lists, or spread over width x height from the seed. */
    d.store_x = number_list(L, t, "x", d.nstores);
    d.store_y = number_list(L, t, "y", d.nstores);
    if (!d.store_x || !d.store_y) {
        double *xy = lua_newuserdatauv(L, sizeof(double) * 2 * (size_t)d.nstores, 0);
        for (int i = 0; i < d.nstores; i++) {
            sl_rng r = sl_rng_make(d.seed, 0x504f53u, (uint64_t)i, 0);
            xy[i] = sl_rng_uniform(&r) * width;
            xy[d.nstores + i] = sl_rng_uniform(&r) * height;
        }
        d.store_x = xy;
        d.store_y = xy + d.nstores;
    }
    lua_getfield(L, t, "roads");
    if (!lua_isnil(L, -1)) {
        sl_graph *g = sl_lua_check_graph(L, lua_gettop(L));
        if (!g->finalized) {
            sl_error ge;
            if (sl_graph_finalize(g, &ge) != SL_OK)
                return luaL_error(L, "supply_chain: roads: %s", ge.msg);
        }
        d.roads = g;
        double *nodes = number_list(L, t, "nodes", d.nstores);
        if (!nodes)
            return luaL_error(L, "supply_chain: 'roads' needs 'nodes' (a road node per store)");
        int *ni = lua_newuserdatauv(L, sizeof(int) * (size_t)d.nstores, 0);
        for (int i = 0; i < d.nstores; i++) {
            if (!(nodes[i] >= 1 && nodes[i] <= g->n) || nodes[i] != floor(nodes[i]))
                return luaL_error(L, "supply_chain: nodes[%d] must be a road node in 1..%d", i + 1,
                                  g->n);
            ni[i] = (int)nodes[i] - 1; /* 1-based in Lua */
        }
        d.store_node = ni;
        d.wh_node = int_field(L, t, "warehouse_node", 1) - 1;
        if (d.wh_node < 0 || d.wh_node >= g->n)
            return luaL_error(L, "supply_chain: 'warehouse_node' must be a road node in 1..%d",
                              g->n);
        d.node_base = 1;
    }

    char attach[128];
    snprintf(attach, sizeof attach, "supply_chain_lua:%s", d.name);
    if (sl_world_attached(w, attach))
        return luaL_error(L, "supply_chain: a supply chain named '%s' already exists", d.name);
    lua_getfield(L, t, "bid");
    int has_bid = !lua_isnil(L, -1);
    if (has_bid && !lua_isfunction(L, -1))
        return luaL_error(L, "supply_chain: 'bid' must be a function");
    sc_lua *keep = calloc(1, sizeof *keep);
    if (!keep)
        return luaL_error(L, "supply_chain: out of memory");
    sl_error e;
    sl_error_clear(&e);
    if (demand_path) {
        if (sl_demand_load_csv(&keep->demand, demand_path, &e) != SL_OK) {
            free(keep);
            return luaL_error(L, "%s", e.msg);
        }
        d.demand.table = keep->demand.table;
        d.demand.rows = keep->demand.rows;
        d.demand.cols = keep->demand.cols;
    }
    keep->L = sl_lua_main_thread(L);
    snprintf(keep->name, sizeof keep->name, "%s", d.name);
    keep->bid_ref = LUA_NOREF;
    if (has_bid) {
        where_of(L, lua_gettop(L), keep->where, sizeof keep->where);
        lua_pushvalue(L, -1);
        keep->bid_ref = luaL_ref(L, LUA_REGISTRYINDEX);
        d.bid = sc_bid;
        d.bid_user = keep;
    }
    lua_pop(L, 1);
    if (sl_world_attach(w, attach, keep, sc_lua_free, &e) != SL_OK) {
        sc_lua_free(keep);
        return luaL_error(L, "supply_chain: %s", e.msg);
    }
    /* Options and the bid function only: nothing that changes during a run. */
    if (sl_checkpoint_register(w, attach, NULL, NULL, &e) != SL_OK)
        return luaL_error(L, "supply_chain: %s", e.msg);
    sl_sc *sc = sl_sc_create(w, &d, &e);
    if (!sc)
        return luaL_error(L, "%s", e.msg);
    const char *trace = str_field(L, t, "trace", NULL);
    if (trace) {
        const char *path = sl_lua_output_path(L, trace);
        if (sl_sc_open_trace(sc, path, &e) != SL_OK)
            return luaL_error(L, "%s", e.msg);
    }
    sc_box *b = lua_newuserdatauv(L, sizeof *b, 0);
    b->sc = sc;
    luaL_setmetatable(L, MT_SC);
    return 1;
}

static sl_sc *check_sc(lua_State *L)
{
    return ((sc_box *)luaL_checkudata(L, 1, MT_SC))->sc;
}

static void push_kpis(lua_State *L, const sl_sc_kpis *k)
{
    lua_createtable(L, 0, 26);
#define K(f)                                                                                      \
    lua_pushnumber(L, k->f);                                                                      \
    lua_setfield(L, -2, #f)
    K(steps); K(demand); K(served); K(fill_rate); K(stockouts); K(backlog); K(lost);
    K(holding_cost); K(backlog_cost); K(lost_cost); K(transport_cost); K(total_cost);
    K(distance); K(delivered); K(cost_per_unit); K(utilisation); K(orders); K(order_lead);
    K(messages); K(bytes); K(bullwhip_stores); K(bullwhip_warehouse); K(negotiations);
    K(failed_negotiations);
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
    double held, entered;
    sl_sc_conservation(check_sc(L), &held, &entered);
    lua_pushnumber(L, held);
    lua_pushnumber(L, entered);
    return 2;
}

static int l_sc_finish(lua_State *L)
{
    sl_error e;
    sl_error_clear(&e);
    if (sl_sc_finish(check_sc(L), &e) != SL_OK)
        return luaL_error(L, "%s", e.msg);
    return 0;
}

static int l_sc_name(lua_State *L)
{
    lua_pushstring(L, sl_sc_name(check_sc(L)));
    return 1;
}

void sl_lua_open_logistics(lua_State *L)
{
    static const luaL_Reg methods[] = {
        {"kpis", l_sc_kpis}, {"step_kpis", l_sc_step_kpis}, {"conservation", l_sc_conservation},
        {"finish", l_sc_finish}, {"name", l_sc_name}, {NULL, NULL},
    };
    if (luaL_newmetatable(L, MT_SC)) {
        luaL_newlib(L, methods);
        lua_setfield(L, -2, "__index");
    }
    lua_pop(L, 1);
    sl_lua_lock_metatable(L, MT_SC);
    lua_pushcfunction(L, l_beer_game);
    lua_setfield(L, -2, "beer_game");
    lua_pushcfunction(L, l_supply_chain);
    lua_setfield(L, -2, "supply_chain");
}
