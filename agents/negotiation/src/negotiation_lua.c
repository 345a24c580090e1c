/* negotiation_lua.c - Lua binding: swarmlab.contract_net{...} and swarmlab.auction{...}.
 *
 *   local cn = swarmlab.contract_net{
 *       bid = function(conv, bidder) return cost, aux end, -- nil/false refuses; aux optional
 *       choose = function(conv, proposals) return k end,  -- optional award rule (k or nil)
 *       exec = function(conv, winner) return true end,  -- optional: false reports failure
 *       on_close = function(conv) end,                  -- optional
 *       retry = 0,                -- n > 0: an unplaced task is announced again n steps later
 *       deadline = 2, result_timeout = 4, trace = "contract_net.csv",
 *       record = "bus",           -- optional: bus_messages, bus_bytes, bus_lost per step
 *       loss = 0.1, delay = 0, jitter = 1} -- optional: every link of the world's bus
 *   local id = cn:announce{manager = {pop = 0, id = 1}, bidders = machines, item = 7,
 *                          data = {1.5, 2}}
 *   cn:conv(id).state   cn:counts()   cn:finish()
 *   swarmlab.auction{method = "sequential" | "parallel" | "cbba" | "optimum",
 *                    agents = {{x, y}, ...}, tasks = {{x, y}, ...}, return_home = false}
 *
 * The contract net runs on the world's message bus as a serial system added to the world, so
 * bids are made one step after the call for proposals. `aux` is one more number a proposal carries
 * (the spare capacity a bidder offers, say); `choose` receives the proposals as a list of
 * {bidder = agent, cost = number, aux = number} in bidder order and returns the position of the
 * winner in that list, or nil to accept none (the conversation ends as no-bids). Agents are {pop = number, id = number};
 * `bidders` may also be a population userdata (all its agents; pop = its index in the world).
 * Callback errors and bids that are not finite numbers stop the run with the scenario line.
 */
#include <lauxlib.h>
#include <lua.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "swarmlab/auction.h"
#include "swarmlab/cnet.h"
#include "swarmlab/lua_bind.h"
#include "swarmlab/lua_host.h"
#include "swarmlab/rng.h"

void sl_lua_open_negotiation(lua_State *L);

#define MT_CNET "swarmlab.contract_net"

typedef struct lua_cnet {
    lua_State *L;             /* the main thread: callbacks may outlive the creating coroutine */
    sl_cnet *cn;
    sl_world *world;
    int bid_ref, exec_ref, close_ref, choose_ref;
    char where[128];          /* "scenario.lua:12" of the bid function */
    char where_choose[128];   /* and of the award rule */
} lua_cnet;

typedef struct cnet_box {
    lua_cnet *lc;
} cnet_box;

static void lua_cnet_free(void *p)
{
    lua_cnet *lc = p;
    if (!lc)
        return;
    sl_cnet_destroy(lc->cn);
    free(lc); /* registry references go with the Lua state */
}

static int pop_number(sl_world *w, const sl_pop *p)
{
    for (int i = 0; i < sl_world_npops(w); i++)
        if (sl_world_pop_at(w, i) == p)
            return i;
    return -1;
}

static void push_agent(lua_State *L, sl_world *w, sl_cn_agent a)
{
    lua_createtable(L, 0, 3);
    lua_pushinteger(L, a.pop);
    lua_setfield(L, -2, "pop");
    lua_pushinteger(L, (lua_Integer)a.id);
    lua_setfield(L, -2, "id");
    sl_pop *p = a.pop >= 0 && a.pop < sl_world_npops(w) ? sl_world_pop_at(w, a.pop) : NULL;
    long slot = p ? sl_pop_slot(p, a.id) : -1;
    if (slot >= 0) {
        lua_pushinteger(L, slot + 1);
        lua_setfield(L, -2, "slot");
    }
}

static void push_conv(lua_State *L, lua_cnet *lc, const sl_cn_conv *c)
{
    lua_createtable(L, 0, 12);
    lua_pushinteger(L, (lua_Integer)c->id);
    lua_setfield(L, -2, "id");
    lua_pushinteger(L, (lua_Integer)c->task.item);
    lua_setfield(L, -2, "item");
    lua_createtable(L, SL_CN_TASK_DOUBLES, 0);
    for (int i = 0; i < SL_CN_TASK_DOUBLES; i++) {
        lua_pushnumber(L, c->task.d[i]);
        lua_rawseti(L, -2, i + 1);
    }
    lua_setfield(L, -2, "data");
    push_agent(L, lc->world, c->manager);
    lua_setfield(L, -2, "manager");
    lua_pushstring(L, sl_conv_state_name(c->state));
    lua_setfield(L, -2, "state");
    if (c->winner >= 0) {
        push_agent(L, lc->world, sl_cnet_bidder(lc->cn, c, c->winner, NULL, NULL));
        lua_setfield(L, -2, "winner");
        lua_pushnumber(L, c->best);
        lua_setfield(L, -2, "best");
    }
    lua_pushinteger(L, c->nproposals);
    lua_setfield(L, -2, "proposals");
    lua_pushinteger(L, c->nrefusals);
    lua_setfield(L, -2, "refusals");
    lua_pushinteger(L, c->nlate);
    lua_setfield(L, -2, "late");
    lua_pushinteger(L, (lua_Integer)c->opened);
    lua_setfield(L, -2, "opened");
    lua_pushinteger(L, (lua_Integer)c->closed);
    lua_setfield(L, -2, "closed");
    lua_pushinteger(L, (lua_Integer)c->attempt);
    lua_setfield(L, -2, "attempt");
    lua_pushinteger(L, (lua_Integer)c->origin);
    lua_setfield(L, -2, "origin");
    lua_pushboolean(L, c->requeued);
    lua_setfield(L, -2, "requeued");
}

/* Calls the function in ref with conv and an agent; results stay on the stack. */
static sl_status call_lua(lua_cnet *lc, int ref, const sl_cn_conv *c, const sl_cn_agent *a,
                          int nres, sl_error *e)
{
    lua_State *L = lc->L;
    if (!lua_checkstack(L, 8))
        return sl_error_set(e, SL_ERR_LUA, "contract net: Lua stack overflow");
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
    push_conv(L, lc, c);
    int nargs = 1;
    if (a) {
        push_agent(L, lc->world, *a);
        nargs = 2;
    }
    /* the host's protected call: traceback and instruction budget (lua_bind.h) */
    return sl_lua_callback_call(L, nargs, nres, e);
}

static sl_status cb_bid(void *user, const sl_cn_conv *c, sl_cn_agent b, int *propose,
                        double *cost, double *aux, sl_error *e)
{
    lua_cnet *lc = user;
    lua_State *L = lc->L;
    sl_status s = call_lua(lc, lc->bid_ref, c, &b, 2, e);
    if (s != SL_OK)
        return s;
    *propose = 0;
    if (lua_isnil(L, -2) || (lua_isboolean(L, -2) && !lua_toboolean(L, -2))) {
        lua_pop(L, 2);
        return SL_OK;
    }
    int isaux = 1;
    double a = lua_isnil(L, -1) ? 0.0 : lua_tonumberx(L, -1, &isaux);
    const char *atn = luaL_typename(L, -1);
    int isnum = 0;
    double v = lua_tonumberx(L, -2, &isnum);
    const char *tn = luaL_typename(L, -2);
    lua_pop(L, 2);
    if (isnum && isfinite(v) && (!isaux || !isfinite(a)))
        return sl_error_set(e, SL_ERR_LUA, "%s: contract net bid function returned aux = %s "
                            "for conversation %llu, bidder %d:%u; aux must be a finite number or "
                            "nil", lc->where, isaux ? (isnan(a) ? "nan" : "inf") : atn,
                            (unsigned long long)c->id, b.pop, sl_id_index(b.id) + 1u);
    if (!isnum || !isfinite(v))
        return sl_error_set(e, SL_ERR_LUA, "%s: contract net bid function returned %s (%s) for "
                            "conversation %llu, bidder %d:%u; a bid must be a finite number "
                            "or nil to refuse", lc->where, isnum ? (isnan(v) ? "nan" : "inf")
                                                                 : tn, tn,
                            (unsigned long long)c->id, b.pop, sl_id_index(b.id) + 1u);
    *propose = 1;
    *cost = v;
    *aux = a;
    return SL_OK;
}

/* The award rule: choose(conv, proposals) -> position in proposals, or nil for none. */
static sl_status cb_choose(void *user, const sl_cn_conv *c, int *winner, sl_error *e)
{
    lua_cnet *lc = user;
    lua_State *L = lc->L;
    if (!lua_checkstack(L, 8))
        return sl_error_set(e, SL_ERR_LUA, "contract net: Lua stack overflow");
    lua_rawgeti(L, LUA_REGISTRYINDEX, lc->choose_ref);
    push_conv(L, lc, c);
    lua_createtable(L, c->nproposals, 0);
    int np = 0;
    for (int i = 0; i < c->nbidders; i++) {
        char ans;
        double bid;
        sl_cn_agent a = sl_cnet_bidder(lc->cn, c, i, &ans, &bid);
        if (ans != 'p')
            continue;
        lua_createtable(L, 0, 3);
        push_agent(L, lc->world, a);
        lua_setfield(L, -2, "bidder");
        lua_pushnumber(L, bid);
        lua_setfield(L, -2, "cost");
        lua_pushnumber(L, sl_cnet_bidder_aux(lc->cn, c, i));
        lua_setfield(L, -2, "aux");
        lua_rawseti(L, -2, ++np);
    }
    const uint64_t id = c->id;
    sl_status s = sl_lua_callback_call(L, 2, 1, e);
    if (s != SL_OK)
        return s;
    c = sl_cnet_conv(lc->cn, id);
    *winner = -1;
    if (lua_isnil(L, -1) || (lua_isboolean(L, -1) && !lua_toboolean(L, -1))) {
        lua_pop(L, 1);
        return SL_OK;
    }
    int ok = 0;
    lua_Integer k = lua_tointegerx(L, -1, &ok);
    const char *tn = luaL_typename(L, -1);
    lua_pop(L, 1);
    if (!ok || k < 1 || k > np)
        return sl_error_set(e, SL_ERR_LUA, "%s: contract net choose function returned %s for "
                            "conversation %llu; it must return a position in the proposals "
                            "(1..%d) or nil", lc->where_choose, ok ? "a position outside them" : tn,
                            (unsigned long long)id, np);
    for (int i = 0; i < c->nbidders; i++) {
        char ans;
        sl_cnet_bidder(lc->cn, c, i, &ans, NULL);
        if (ans == 'p' && --k == 0) {
            *winner = i;
            break;
        }
    }
    return SL_OK;
}

static sl_status cb_exec(void *user, const sl_cn_conv *c, sl_cn_agent w, int *ok, sl_error *e)
{
    lua_cnet *lc = user;
    sl_status s = call_lua(lc, lc->exec_ref, c, &w, 1, e);
    if (s != SL_OK)
        return s;
    *ok = lua_toboolean(lc->L, -1);
    lua_pop(lc->L, 1);
    return SL_OK;
}

static sl_status cb_close(void *user, const sl_cn_conv *c, sl_error *e)
{
    lua_cnet *lc = user;
    return call_lua(lc, lc->close_ref, c, NULL, 0, e);
}

static int opt_ref(lua_State *L, int t, const char *key, int required)
{
    lua_getfield(L, t, key);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        if (required)
            luaL_error(L, "contract_net: '%s' function is required", key);
        return LUA_NOREF;
    }
    if (!lua_isfunction(L, -1))
        luaL_error(L, "contract_net: '%s' must be a function, got %s", key, luaL_typename(L, -1));
    return luaL_ref(L, LUA_REGISTRYINDEX);
}

static lua_Integer opt_int(lua_State *L, int t, const char *key, lua_Integer def, lua_Integer min,
                           lua_Integer max)
{
    lua_getfield(L, t, key);
    lua_Integer v = def;
    if (!lua_isnil(L, -1)) {
        int ok = 0;
        v = lua_tointegerx(L, -1, &ok);
        if (!ok || v < min || v > max)
            luaL_error(L, "contract_net: '%s' must be an integer in %I..%I", key, min, max);
    }
    lua_pop(L, 1);
    return v;
}

#define STEPS_MAX 1000000000 /* deadlines, timeouts, delays: steps */

static int l_contract_net(lua_State *L)
{
    static const char *const keys[] = {"bid", "exec", "on_close", "choose", "retry", "deadline",
                                       "result_timeout", "trace", "record", "loss", "delay",
                                       "jitter", NULL};
    sl_lua_opts o;
    sl_lua_opts_open(&o, L, 1, "swarmlab.contract_net{...}", keys);
    sl_world *w = sl_lua_world(L);
    sl_cnet_def def = sl_cnet_def_default();
    def.deadline = (uint32_t)opt_int(L, 1, "deadline", 2, 2, STEPS_MAX);
    def.retry = (uint32_t)opt_int(L, 1, "retry", 0, 0, STEPS_MAX);
    def.result_timeout = (uint32_t)opt_int(L, 1, "result_timeout", 4, 1, STEPS_MAX);
    int bid_ref = opt_ref(L, 1, "bid", 1);
    int exec_ref = opt_ref(L, 1, "exec", 0);
    int close_ref = opt_ref(L, 1, "on_close", 0);
    int choose_ref = opt_ref(L, 1, "choose", 0);
    lua_getfield(L, 1, "bid");
    lua_Debug ar;
    lua_getinfo(L, ">S", &ar);
    lua_cnet *lc = calloc(1, sizeof *lc);
    if (!lc)
        return luaL_error(L, "contract_net: out of memory");
    lc->L = sl_lua_main_thread(L);
    lc->world = w;
    lc->bid_ref = bid_ref;
    lc->exec_ref = exec_ref;
    lc->close_ref = close_ref;
    lc->choose_ref = choose_ref;
    snprintf(lc->where, sizeof lc->where, "%s:%d", ar.short_src, ar.linedefined);
    if (choose_ref != LUA_NOREF) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, choose_ref);
        lua_getinfo(L, ">S", &ar);
        snprintf(lc->where_choose, sizeof lc->where_choose, "%s:%d", ar.short_src,
                 ar.linedefined);
    }
    def.bid = cb_bid;
    def.exec = lc->exec_ref != LUA_NOREF ? cb_exec : NULL;
    def.on_close = lc->close_ref != LUA_NOREF ? cb_close : NULL;
    def.choose = lc->choose_ref != LUA_NOREF ? cb_choose : NULL;
    def.world = w;
    def.user = lc;
    sl_error e;
    sl_error_clear(&e);
    lc->cn = sl_cnet_create(sl_world_bus(w), &def, &e);
    if (!lc->cn) {
        free(lc);
        return luaL_error(L, "contract_net: %s", e.msg);
    }
    char name[64];
    snprintf(name, sizeof name, "contract_net");
    for (int k = 2; sl_world_attached(w, name); k++)
        snprintf(name, sizeof name, "contract_net_%d", k);
    if (sl_world_attach(w, name, lc, lua_cnet_free, &e) != SL_OK) {
        lua_cnet_free(lc);
        return luaL_error(L, "contract_net: %s", e.msg);
    }
    if (sl_cnet_attach(lc->cn, w, &e) != SL_OK)
        return luaL_error(L, "contract_net: %s", e.msg);
    lua_getfield(L, 1, "loss");
    lua_getfield(L, 1, "delay");
    lua_getfield(L, 1, "jitter");
    if (!lua_isnil(L, -3) || !lua_isnil(L, -2) || !lua_isnil(L, -1)) {
        int isnum = 1;
        double loss = lua_isnil(L, -3) ? 0.0 : lua_tonumberx(L, -3, &isnum);
        if (!isnum || !(loss >= 0.0 && loss <= 1.0))
            return luaL_error(L, "contract_net: 'loss' must be a number in 0..1");
        sl_bus_link lk = {loss, (uint32_t)opt_int(L, 1, "delay", 0, 0, STEPS_MAX),
                          (uint32_t)opt_int(L, 1, "jitter", 0, 0, STEPS_MAX)};
        sl_bus *bus = sl_world_bus(w);
        sl_bus_set_seed(bus, sl_seed_mix(sl_world_seed(w), 0x42757321u));
        if (sl_bus_set_link(bus, -1, -1, lk, &e) != SL_OK)
            return luaL_error(L, "contract_net: %s", e.msg);
    }
    lua_pop(L, 3);
    lua_getfield(L, 1, "record");
    if (!lua_isnil(L, -1)) {
        const char *prefix = luaL_checkstring(L, -1);
        if (sl_bus_record(sl_world_bus(w), sl_world_recorder(w), prefix, &e) != SL_OK)
            return luaL_error(L, "contract_net: record: %s", e.msg);
    }
    lua_pop(L, 1);
    lua_getfield(L, 1, "trace");
    if (!lua_isnil(L, -1)) {
        const char *path = sl_lua_output_path(L, luaL_checkstring(L, -1));
        if (sl_cnet_open_trace(lc->cn, path, &e) != SL_OK)
            return luaL_error(L, "contract_net: %s", e.msg);
    }
    lua_pop(L, 1);
    cnet_box *b = lua_newuserdatauv(L, sizeof *b, 0);
    b->lc = lc;
    luaL_setmetatable(L, MT_CNET);
    return 1;
}

static lua_cnet *check_cnet(lua_State *L)
{
    return ((cnet_box *)luaL_checkudata(L, 1, MT_CNET))->lc;
}

/* An agent is {pop = number, id = number} or {pop = population, slot = number} (1-based). */
static int read_agent(lua_State *L, lua_cnet *lc, int idx, sl_cn_agent *a)
{
    idx = lua_absindex(L, idx);
    if (!lua_istable(L, idx))
        return 0;
    lua_getfield(L, idx, "pop");
    int ok = 0;
    if (lua_type(L, -1) == LUA_TUSERDATA) {
        sl_pop *p = sl_lua_check_pop(L, lua_gettop(L));
        lua_getfield(L, idx, "slot");
        lua_Integer slot = lua_tointegerx(L, -1, &ok);
        if (!ok || slot < 1 || (size_t)slot > sl_pop_count(p)) {
            lua_pop(L, 2);
            return 0;
        }
        a->pop = pop_number(lc->world, p);
        a->id = sl_pop_id(p, (size_t)(slot - 1));
        lua_pop(L, 2);
        return 1;
    }
    a->pop = (int)lua_tointegerx(L, -1, &ok);
    lua_pop(L, 1);
    if (!ok)
        return 0;
    lua_getfield(L, idx, "id");
    a->id = (sl_id)lua_tointegerx(L, -1, &ok);
    lua_pop(L, 1);
    return ok;
}

#define BIDDERS_MAX 10000000

static int l_announce(lua_State *L)
{
    static const char *const keys[] = {"manager", "bidders", "item", "data", NULL};
    lua_cnet *lc = check_cnet(L);
    sl_lua_opts o;
    sl_lua_opts_open(&o, L, 2, "cn:announce{...}", keys);
    lua_getfield(L, 2, "manager");
    sl_cn_agent mgr;
    if (!read_agent(L, lc, -1, &mgr))
        return luaL_error(L, "contract_net: manager must be {pop = number, id = number} or "
                          "{pop = population, slot = number}");
    lua_pop(L, 1);
    sl_cn_task task;
    memset(&task, 0, sizeof task);
    task.item = (uint64_t)opt_int(L, 2, "item", 0, 0, LUA_MAXINTEGER);
    lua_getfield(L, 2, "data");
    if (lua_istable(L, -1)) {
        lua_Unsigned n = lua_rawlen(L, -1);
        if (n > SL_CN_TASK_DOUBLES)
            return luaL_error(L, "contract_net: data holds at most %d numbers", SL_CN_TASK_DOUBLES);
        for (lua_Unsigned i = 1; i <= n; i++) {
            lua_rawgeti(L, -1, (lua_Integer)i);
            int isnum = 0;
            task.d[i - 1] = lua_tonumberx(L, -1, &isnum);
            if (!isnum)
                return luaL_error(L, "contract_net: data[%d] must be a number, got %s", (int)i,
                                  luaL_typename(L, -1));
            lua_pop(L, 1);
        }
    } else if (!lua_isnil(L, -1)) {
        return luaL_error(L, "contract_net: 'data' must be a list of numbers, got %s",
                          luaL_typename(L, -1));
    }
    lua_pop(L, 1);
    lua_getfield(L, 2, "bidders");
    sl_cn_agent *bid = NULL;
    int n = 0;
    /* the bidder list is a userdata under the bidders (collected after an error) */
    int list = lua_gettop(L);
    if (lua_type(L, list) == LUA_TUSERDATA) {
        sl_pop *p = sl_lua_check_pop(L, list);
        int pn = pop_number(lc->world, p);
        if (sl_pop_count(p) > BIDDERS_MAX)
            return luaL_error(L, "contract_net: more than %d bidders", BIDDERS_MAX);
        n = (int)sl_pop_count(p);
        bid = lua_newuserdatauv(L, ((size_t)n + 1) * sizeof *bid, 0);
        for (int i = 0; i < n; i++) {
            bid[i].pop = pn;
            bid[i].id = sl_pop_id(p, (size_t)i);
        }
    } else if (lua_istable(L, list)) {
        if (lua_rawlen(L, list) > BIDDERS_MAX)
            return luaL_error(L, "contract_net: more than %d bidders", BIDDERS_MAX);
        n = (int)lua_rawlen(L, list);
        bid = lua_newuserdatauv(L, ((size_t)n + 1) * sizeof *bid, 0);
        for (int i = 0; i < n; i++) {
            lua_rawgeti(L, list, i + 1);
            int ok = read_agent(L, lc, -1, &bid[i]);
            lua_pop(L, 1);
            if (!ok)
                return luaL_error(L, "contract_net: bidder %d must be {pop = number, id = "
                                  "number} or {pop = population, slot = number}", i + 1);
        }
    } else {
        return luaL_error(L, "contract_net: bidders must be a population or a list of agents");
    }
    sl_error e;
    sl_error_clear(&e);
    uint64_t id = sl_cnet_announce(lc->cn, mgr, &task, bid, n, &e);
    lua_settop(L, list - 1);
    if (id == 0)
        return luaL_error(L, "%s", e.msg);
    lua_pushinteger(L, (lua_Integer)id);
    return 1;
}

static int l_conv(lua_State *L)
{
    lua_cnet *lc = check_cnet(L);
    const sl_cn_conv *c = sl_cnet_conv(lc->cn, (uint64_t)luaL_checkinteger(L, 2));
    if (!c)
        return luaL_error(L, "contract_net: no conversation %d", (int)lua_tointeger(L, 2));
    push_conv(L, lc, c);
    return 1;
}

static int l_counts(lua_State *L)
{
    lua_cnet *lc = check_cnet(L);
    sl_cnet_counts k = sl_cnet_counts_get(lc->cn);
    lua_createtable(L, 0, 12);
    const char *names[12] = {"open", "awarded", "done", "failed", "no_bids", "timeout", "aborted",
                             "late", "anomalies", "messages", "queued", "reannounced"};
    uint64_t vals[12] = {k.open, k.awarded, k.done, k.failed, k.no_bids, k.timeout, k.aborted,
                         k.late, k.anomalies, k.messages, k.queued, k.reannounced};
    for (int i = 0; i < 12; i++) {
        lua_pushinteger(L, (lua_Integer)vals[i]);
        lua_setfield(L, -2, names[i]);
    }
    return 1;
}

static int l_finish(lua_State *L)
{
    lua_cnet *lc = check_cnet(L);
    sl_error e;
    sl_error_clear(&e);
    if (sl_cnet_abort_open(lc->cn, &e) != SL_OK ||
        sl_cnet_close_trace(lc->cn, &e) != SL_OK)
        return luaL_error(L, "%s", e.msg);
    return 0;
}

/* swarmlab.auction{method=, agents={{x,y}...}, tasks={{x,y}...}, return_home=, cap={...}} */
#define AUCTION_POINTS_MAX 4000 /* agents + tasks: the distance matrix is kept whole */

static void read_points(lua_State *L, const char *key, double **xy, int *n)
{
    lua_getfield(L, 1, key);
    if (!lua_istable(L, -1))
        luaL_error(L, "auction: '%s' must be a list of {x, y}, got %s", key, luaL_typename(L, -1));
    if (lua_rawlen(L, -1) > AUCTION_POINTS_MAX)
        luaL_error(L, "auction: '%s' has more than %d points", key, AUCTION_POINTS_MAX);
    *n = (int)lua_rawlen(L, -1);
    *xy = lua_newuserdatauv(L, sizeof(double) * 2 * ((size_t)*n + 1), 0); /* freed by the GC */
    lua_insert(L, -2);
    for (int i = 0; i < *n; i++) {
        if (lua_rawgeti(L, -1, i + 1) != LUA_TTABLE)
            luaL_error(L, "auction: %s[%d] must be {x, y}, got %s", key, i + 1,
                       luaL_typename(L, -1));
        lua_rawgeti(L, -1, 1);
        lua_rawgeti(L, -2, 2);
        int ok1 = 0, ok2 = 0;
        (*xy)[2 * i] = lua_tonumberx(L, -2, &ok1);
        (*xy)[2 * i + 1] = lua_tonumberx(L, -1, &ok2);
        if (!ok1 || !ok2 || !isfinite((*xy)[2 * i]) || !isfinite((*xy)[2 * i + 1]))
            luaL_error(L, "auction: %s[%d] must be {x, y} with finite numbers", key, i + 1);
        lua_pop(L, 3);
    }
    lua_pop(L, 1);
}

static int l_auction(lua_State *L)
{
    static const char *const keys[] = {"method", "agents", "tasks", "return_home", NULL};
    sl_lua_opts o;
    sl_lua_opts_open(&o, L, 1, "swarmlab.auction{...}", keys);
    lua_getfield(L, 1, "method");
    if (!lua_isnil(L, -1) && lua_type(L, -1) != LUA_TSTRING)
        return luaL_error(L, "auction: 'method' must be a string, got %s", luaL_typename(L, -1));
    const char *method = luaL_optstring(L, -1, "sequential");
    lua_pop(L, 1);
    double *a, *t;
    int na, nt;
    read_points(L, "agents", &a, &na);
    read_points(L, "tasks", &t, &nt);
    int n = na + nt;
    if (n > AUCTION_POINTS_MAX)
        return luaL_error(L, "auction: more than %d agents and tasks", AUCTION_POINTS_MAX);
    double *d = lua_newuserdatauv(L, sizeof(double) * ((size_t)n * (size_t)n + 1), 0);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            const double *pi = i < na ? a + 2 * i : t + 2 * (i - na);
            const double *pj = j < na ? a + 2 * j : t + 2 * (j - na);
            d[i * n + j] = hypot(pi[0] - pj[0], pi[1] - pj[1]);
        }
    lua_getfield(L, 1, "return_home");
    int home = lua_toboolean(L, -1);
    lua_pop(L, 1);
    sl_alloc_problem p = {na, nt, d, NULL, home};
    sl_alloc_result r;
    sl_error e;
    sl_error_clear(&e);
    sl_status s;
    if (!strcmp(method, "sequential"))
        s = sl_auction_sequential(&p, &r, &e);
    else if (!strcmp(method, "parallel"))
        s = sl_auction_parallel(&p, &r, &e);
    else if (!strcmp(method, "optimum"))
        s = sl_alloc_optimum(&p, &r, &e);
    else if (!strcmp(method, "cbba"))
        s = sl_cbba(&p, NULL, &r, NULL, &e);
    else
        return luaL_error(L, "auction: unknown method '%s' (sequential, parallel, cbba, optimum)",
                          method);
    if (s != SL_OK)
        return luaL_error(L, "auction: %s", e.msg);
    lua_createtable(L, 0, 4);
    lua_pushnumber(L, r.cost);
    lua_setfield(L, -2, "cost");
    lua_pushinteger(L, r.bids);
    lua_setfield(L, -2, "bids");
    lua_createtable(L, nt, 0);
    for (int k = 0; k < nt; k++) {
        lua_pushinteger(L, r.agent_of[k] + 1);
        lua_rawseti(L, -2, k + 1);
    }
    lua_setfield(L, -2, "assignment");
    lua_createtable(L, na, 0);
    for (int ag = 0; ag < na; ag++) {
        lua_createtable(L, r.start[ag + 1] - r.start[ag], 0);
        for (int k = r.start[ag]; k < r.start[ag + 1]; k++) {
            lua_pushinteger(L, r.order[k] + 1);
            lua_rawseti(L, -2, k - r.start[ag] + 1);
        }
        lua_rawseti(L, -2, ag + 1);
    }
    lua_setfield(L, -2, "routes");
    sl_alloc_result_release(&r);
    return 1;
}

void sl_lua_open_negotiation(lua_State *L)
{
    static const luaL_Reg methods[] = {
        {"announce", l_announce}, {"conv", l_conv}, {"counts", l_counts}, {"finish", l_finish},
        {NULL, NULL},
    };
    if (luaL_newmetatable(L, MT_CNET)) {
        luaL_newlib(L, methods);
        lua_setfield(L, -2, "__index");
    }
    lua_pop(L, 1);
    sl_lua_lock_metatable(L, MT_CNET);
    lua_pushcfunction(L, l_contract_net);
    lua_setfield(L, -2, "contract_net");
    lua_pushcfunction(L, l_auction);
    lua_setfield(L, -2, "auction");
}
