/* consensus_lua.c - Lua bindings: swarmlab.consensus{...}, swarmlab.fedavg{...}, swarmlab.dgd{...}.
 *
 * Each constructor reads its strict option table (lua_bind.h), builds the C object, attaches it
 * to the scenario's world (which owns it from then on) and returns a small handle whose methods
 * look the object up in the world by population name. Scratch arrays taken from Lua tables live
 * in Lua userdata, so a Lua error raised while parsing leaks nothing.
 */
#include <lauxlib.h>
#include <lua.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "swarmlab/consensus.h"
#include "swarmlab/dgd.h"
#include "swarmlab/fedavg.h"
#include "swarmlab/logreg.h"
#include "swarmlab/lua_bind.h"
#include "swarmlab/lua_host.h"
#include "swarmlab/mixing.h"
#include "swarmlab/graph.h"
#include "swarmlab/rng.h"

void sl_lua_open_consensus(lua_State *L);

#define CONS_MT "swarmlab.consensus"
#define FED_MT "swarmlab.fedavg"
#define DGD_MT "swarmlab.dgd"

/* t[name] = v for the table on top of the stack */
static void set_number(lua_State *L, const char *name, lua_Number v)
{
    lua_pushnumber(L, v);
    lua_setfield(L, -2, name);
}

static void set_integer(lua_State *L, const char *name, lua_Integer v)
{
    lua_pushinteger(L, v);
    lua_setfield(L, -2, name);
}

static int lerr(lua_State *L, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int lerr(lua_State *L, const char *fmt, ...)
{
    char buf[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return luaL_error(L, "%s", buf);
}

/* The option table of the constructor swarmlab.<what>{...} at index 1 (strict: lua_bind.h). */
static void open_opts(lua_State *L, const char *what, const char *const *keys, sl_lua_opts *op)
{
    char name[96];
    snprintf(name, sizeof name, "swarmlab.%s{...}", what);
    sl_lua_opts_open(op, L, 1, name, keys);
}

/* seeds are 64-bit patterns: a Lua integer (negative above 2^63, as swarmlab.seed() gives them)
 * is taken as is; the default is the run's seed */
static uint64_t opt_seed(lua_State *L, const sl_lua_opts *o)
{
    return (uint64_t)sl_lua_opt_integer(o, "seed", (lua_Integer)sl_world_seed(sl_lua_world(L)),
                                        LUA_MININTEGER, LUA_MAXINTEGER);
}

/* Population names travel in 64-byte handles. */
static void check_pop_name(lua_State *L, const char *what, const char *name)
{
    if (strlen(name) >= 64) lerr(L, "%s: population name '%s' is longer than 63 characters", what, name);
}

/* Pushes a handle {name} with metatable mt. */
static void push_handle(lua_State *L, const char *mt, const char *name)
{
    char *h = lua_newuserdatauv(L, 64, 0);
    snprintf(h, 64, "%s", name);
    luaL_setmetatable(L, mt);
}

/* ---- consensus ---- */

static sl_consensus *check_cons(lua_State *L)
{
    const char *name = luaL_checkudata(L, 1, CONS_MT);
    sl_consensus *c = sl_consensus_of(sl_lua_world(L), name);
    if (!c) lerr(L, "consensus '%s' no longer exists", name);
    return c;
}

static sl_mix *make_weights(sl_graph *g, sl_mix_kind kind, double eps, const double *dense,
                            sl_error *e)
{
    if (dense) return sl_mix_from_dense(g, dense, e);
    return kind == SL_MIX_LAPLACIAN ? sl_mix_laplacian(g, eps, e) : sl_mix_metropolis(g, e);
}

/* weights = "metropolis" | "laplacian" | an n x n table of rows (entries in [0, 1]; the rows must
 * sum to 1 and be supported on the graph's edges, checked by sl_mix_from_dense). Returns the
 * dense matrix (Lua userdata pushed on the stack) or NULL for a named rule, set in *kind. */
static double *read_weights(const sl_lua_opts *op, int n, int ntopo, sl_mix_kind *kind)
{
    lua_State *L = op->L;
    *kind = SL_MIX_METROPOLIS;
    int t = lua_getfield(L, op->t, "weights");
    lua_pop(L, 1);
    if (t != LUA_TTABLE) {
        if (t != LUA_TNIL && t != LUA_TSTRING)
            sl_lua_opt_error(op, "weights", "must be 'metropolis', 'laplacian' or a table of %d rows "
                             "(got a %s)", n, lua_typename(L, t));
        *kind = (sl_mix_kind)sl_lua_opt_enum(op, "weights", sl_mix_kind_names, SL_MIX_METROPOLIS);
        return NULL;
    }
    if (ntopo != 1) sl_lua_opt_error(op, "weights", "as a table needs switching = 'none'");
    if (n > 2000) sl_lua_opt_error(op, "weights", "as a table needs n <= 2000 (got n = %d)", n);
    int rows = sl_lua_opt_array(op, "weights");
    if (rows != n) sl_lua_opt_error(op, "weights", "must have %d rows, one per node (got %d)", n, rows);
    double *dense = lua_newuserdatauv(L, (size_t)n * n * sizeof *dense, 0);
    for (int i = 0; i < n; i++)
        sl_lua_opt_elem_numbers(op, "weights", i + 1, dense + (size_t)i * n, n, 0, 1);
    return dense;
}

static int l_consensus(lua_State *L)
{
    static const char *const keys[] = {"graph", "n", "rows", "radius", "seed", "weights", "eps",
                                       "tol", "link_fail", "msg_loss", "switching", "topologies",
                                       "period", "x0", "init", "pop", NULL};
    const char *W = "consensus";
    sl_lua_opts op;
    open_opts(L, W, keys, &op);
    sl_graph_spec spec;
    spec.kind = sl_graph_kind_names[sl_lua_opt_enum(&op, "graph", sl_graph_kind_names, 0)];
    spec.n = (int)sl_lua_opt_integer(&op, "n", 10, 1, 1000000);
    spec.rows = (int)sl_lua_opt_integer(&op, "rows", 0, 0, 1000000);
    spec.radius = sl_lua_opt_number(&op, "radius", 0.3, 0.0, HUGE_VAL);
    spec.seed = opt_seed(L, &op);
    double eps = sl_lua_opt_number(&op, "eps", 0.0, 0.0, 1.0); /* 0: 1 / (max degree + 1) */
    sl_consensus_def o = sl_consensus_def_default();
    o.max_rounds = 0;   /* the world's steps bound the rounds */
    o.tol = sl_lua_opt_interval(&op, "tol", o.tol, 0.0, HUGE_VAL, "()");
    o.link_fail = sl_lua_opt_interval(&op, "link_fail", 0.0, 0.0, 1.0, "[)");
    o.period = (int)sl_lua_opt_integer(&op, "period", 1, 1, 1000000);
    o.seed = spec.seed;
    o.threads = sl_world_threads(sl_lua_world(L));
    double msg_loss = sl_lua_opt_number(&op, "msg_loss", 0.0, 0.0, 1.0);
    static const char *const switchings[] = {"none", "split", "rgg", NULL};
    const char *sw = switchings[sl_lua_opt_enum(&op, "switching", switchings, 0)];
    int ntopo = (int)sl_lua_opt_integer(&op, "topologies", 2, 1, 64);
    const char *pop = sl_lua_opt_string(&op, "pop", "nodes");
    if (strcmp(sw, "none") == 0) ntopo = 1;
    int n = spec.n;
    sl_mix_kind wkind;
    double *dense = read_weights(&op, n, ntopo, &wkind); /* kept on the stack until the end */
    /* initial values */
    double *x0 = lua_newuserdatauv(L, (size_t)n * sizeof *x0, 0);
    lua_getfield(L, 1, "x0");
    if (lua_istable(L, -1)) {
        sl_lua_opt_numbers(&op, "x0", x0, n, -HUGE_VAL, HUGE_VAL);
    } else if (lua_isnil(L, -1)) {
        static const char *const inits[] = {"index", "random", "spike", NULL};
        const char *init = inits[sl_lua_opt_enum(&op, "init", inits, 0)];
        if (strcmp(init, "index") == 0) {
            for (int i = 0; i < n; i++) x0[i] = i;
        } else if (strcmp(init, "random") == 0) {
            for (int i = 0; i < n; i++) {
                sl_rng r = sl_rng_make(spec.seed, 0x636f6e02u, (uint64_t)i, 0);
                x0[i] = sl_rng_uniform(&r);
            }
        } else {   /* spike */
            for (int i = 0; i < n; i++) x0[i] = i == 0 ? (double)n : 0.0;
        }
    } else {
        sl_lua_opt_error(&op, "x0", "must be a list of %d numbers (got a %s)", n,
                         luaL_typename(L, -1));
    }
    lua_pop(L, 1);
    check_pop_name(L, W, pop);
    sl_world *w = sl_lua_world(L);
    if (sl_consensus_of(w, pop)) lerr(L, "consensus: population '%s' already exists", pop);
    /* build: every failure frees what it made before raising */
    sl_error e;
    sl_error_clear(&e);
    sl_consensus *c = sl_consensus_create(n, x0, &o, &e);
    if (!c) lerr(L, "%s", e.msg);
    sl_graph *base = sl_graph_make(&spec, &e);
    if (!base) {
        sl_consensus_destroy(c);
        lerr(L, "%s", e.msg);
    }
    sl_status st = SL_OK;
    if (strcmp(sw, "split") == 0) {
        /* topology t gets the base graph's edges whose number is t mod T */
        int *u = malloc((base->ne ? base->ne : 1) * sizeof *u), *v = malloc((base->ne ? base->ne : 1) * sizeof *v);
        if (!u || !v) st = sl_error_set(&e, SL_ERR_NOMEM, "consensus: out of memory");
        for (int t = 0; t < ntopo && st == SL_OK; t++) {
            size_t m = 0;
            for (size_t k = (size_t)t; k < base->ne; k += (size_t)ntopo, m++) {
                u[m] = base->eu[k];
                v[m] = base->ev[k];
            }
            sl_graph *g = sl_graph_from_edges(n, m, u, v, &e);
            sl_mix *M = g ? make_weights(g, wkind, eps, NULL, &e) : NULL;
            if (!g || !M) {
                sl_graph_destroy(g);
                st = e.code ? e.code : SL_ERR_RANGE;
                break;
            }
            st = sl_consensus_add_topology(c, g, M, &e);
        }
        free(u);
        free(v);
        sl_graph_destroy(base);
    } else if (strcmp(sw, "rgg") == 0) {
        sl_graph_destroy(base);
        for (int t = 0; t < ntopo && st == SL_OK; t++) {
            sl_graph_spec s2 = spec;
            s2.kind = "rgg";
            s2.seed = sl_seed_mix(spec.seed, (uint64_t)t);
            sl_graph *g = sl_graph_make(&s2, &e);
            sl_mix *M = g ? make_weights(g, wkind, eps, NULL, &e) : NULL;
            if (!g || !M) {
                sl_graph_destroy(g);
                st = e.code ? e.code : SL_ERR_RANGE;
                break;
            }
            st = sl_consensus_add_topology(c, g, M, &e);
        }
    } else {
        sl_mix *M = make_weights(base, wkind, eps, dense, &e);
        if (!M) {
            sl_graph_destroy(base);
            st = e.code ? e.code : SL_ERR_RANGE;
        } else {
            st = sl_consensus_add_topology(c, base, M, &e);
        }
    }
    if (st != SL_OK) {
        sl_consensus_destroy(c);
        lerr(L, "%s", e.msg);
    }
    if (sl_consensus_attach(c, w, pop, msg_loss, &e) != SL_OK) lerr(L, "%s", e.msg);
    push_handle(L, CONS_MT, pop);
    return 1;
}

static int c_done(lua_State *L) { lua_pushboolean(L, sl_consensus_done(check_cons(L))); return 1; }
static int c_iterations(lua_State *L) { lua_pushinteger(L, sl_consensus_iterations(check_cons(L))); return 1; }
static int c_disagreement(lua_State *L) { lua_pushnumber(L, sl_consensus_disagreement(check_cons(L))); return 1; }
static int c_initial_disagreement(lua_State *L)
{
    lua_pushnumber(L, sl_consensus_initial_disagreement(check_cons(L)));
    return 1;
}
static int c_mean(lua_State *L) { lua_pushnumber(L, sl_consensus_mean(check_cons(L))); return 1; }
static int c_initial_mean(lua_State *L) { lua_pushnumber(L, sl_consensus_initial_mean(check_cons(L))); return 1; }
static int c_components(lua_State *L) { lua_pushinteger(L, sl_consensus_ncomponents(check_cons(L))); return 1; }
static int c_empirical(lua_State *L) { lua_pushnumber(L, sl_consensus_empirical_rate(check_cons(L))); return 1; }
static int c_theory(lua_State *L)
{
    double r;
    const char *kind = NULL;
    sl_error e;
    lua_createtable(L, 0, 2);
    if (sl_consensus_theory_rate(check_cons(L), &r, &kind, &e) != SL_OK) {
        lua_pushstring(L, e.msg);
        lua_setfield(L, -2, "reason");
        return 1;
    }
    lua_pushnumber(L, r);
    lua_setfield(L, -2, "rate");
    lua_pushstring(L, kind);
    lua_setfield(L, -2, "kind");
    return 1;
}
static int c_value(lua_State *L)
{
    sl_consensus *c = check_cons(L);
    lua_Integer i = luaL_checkinteger(L, 2);
    if (i < 1 || i > sl_consensus_n(c)) lerr(L, "consensus: node %lld outside 1..%d", (long long)i, sl_consensus_n(c));
    lua_pushnumber(L, sl_consensus_x(c)[i - 1]);
    return 1;
}
static int c_traffic(lua_State *L)
{
    uint64_t s, d, l, b;
    sl_consensus_traffic(check_cons(L), &s, &d, &l, &b);
    lua_createtable(L, 0, 4);
    set_number(L, "messages", (double)s);
    set_number(L, "delivered", (double)d);
    set_number(L, "lost", (double)l);
    set_number(L, "bytes", (double)b);
    return 1;
}

/* ---- shared data options of fedavg and dgd ---- */

typedef struct data_opts {
    int samples, features, test, parties, iid, min_size;
    double skew;
    uint64_t seed;
} data_opts;

/* The data options shared by swarmlab.fedavg and swarmlab.dgd. */
static void read_data_opts(lua_State *L, const sl_lua_opts *op, const char *parties_key,
                           data_opts *d)
{
    d->samples = (int)sl_lua_opt_integer(op, "samples", 5000, 1, 10000000);
    d->features = (int)sl_lua_opt_integer(op, "features", 10, 1, 500);
    d->test = (int)sl_lua_opt_integer(op, "test", 2000, 1, 10000000);
    d->parties = (int)sl_lua_opt_integer(op, parties_key, 20, 1, 1000000);
    d->iid = sl_lua_opt_boolean(op, "iid", 1);
    d->min_size = (int)sl_lua_opt_integer(op, "min_size", 10, 1, 10000000);
    d->skew = sl_lua_opt_number(op, "skew", 1.0, 0.0, 10.0);
    d->seed = opt_seed(L, op);
}

/* Builds the data; raises on error (nothing left allocated). */
static void build_data(lua_State *L, const data_opts *d, sl_lr_data **tr, sl_lr_data **te,
                       sl_lr_split **sp)
{
    sl_error e;
    *tr = sl_lr_generate(d->samples, d->features, d->seed, SL_LR_STREAM_TRAIN, &e);
    if (!*tr) lerr(L, "%s", e.msg);
    *te = sl_lr_generate(d->test, d->features, d->seed, SL_LR_STREAM_TEST, &e);
    if (!*te) {
        sl_lr_data_destroy(*tr);
        lerr(L, "%s", e.msg);
    }
    *sp = sl_lr_partition(*tr, d->parties, d->iid, d->skew, d->min_size, d->seed, &e);
    if (!*sp) {
        sl_lr_data_destroy(*tr);
        sl_lr_data_destroy(*te);
        lerr(L, "%s", e.msg);
    }
}

/* ---- fedavg ---- */

static sl_fedavg *check_fed(lua_State *L)
{
    const char *name = luaL_checkudata(L, 1, FED_MT);
    sl_fedavg *f = sl_fedavg_of(sl_lua_world(L), name);
    if (!f) lerr(L, "fedavg '%s' no longer exists", name);
    return f;
}

static int l_fedavg(lua_State *L)
{
    static const char *const keys[] = {"samples", "features", "test", "clients", "iid", "min_size",
                                       "skew", "seed", "frac", "epochs", "batch", "lr", "l2",
                                       "dropout", "weighting", "loss", "server", "pop", "target",
                                       NULL};
    const char *W = "fedavg";
    sl_lua_opts op;
    open_opts(L, W, keys, &op);
    data_opts d;
    read_data_opts(L, &op, "clients", &d);
    sl_fedavg_def o = sl_fedavg_def_default();
    o.rounds = 0;   /* the world's steps bound the rounds */
    o.frac = sl_lua_opt_interval(&op, "frac", o.frac, 0.0, 1.0, "(]");
    o.epochs = (int)sl_lua_opt_integer(&op, "epochs", o.epochs, 1, 100000);
    o.batch = (int)sl_lua_opt_integer(&op, "batch", o.batch, 0, 10000000);
    o.lr = sl_lua_opt_interval(&op, "lr", o.lr, 0.0, HUGE_VAL, "()");
    o.l2 = sl_lua_opt_number(&op, "l2", o.l2, 0.0, HUGE_VAL);
    o.dropout = sl_lua_opt_interval(&op, "dropout", o.dropout, 0.0, 1.0, "[)");
    o.target = sl_lua_opt_number(&op, "target", o.target, 0.0, 1.0);
    o.seed = d.seed;
    o.threads = sl_world_threads(sl_lua_world(L));
    static const char *const weightings[] = {"size", "uniform", NULL};
    o.uniform = sl_lua_opt_enum(&op, "weighting", weightings, 0);
    double loss = sl_lua_opt_number(&op, "loss", 0.0, 0.0, 1.0);
    const char *server = sl_lua_opt_string(&op, "server", "server");
    const char *pop = sl_lua_opt_string(&op, "pop", "clients");
    check_pop_name(L, W, pop);
    sl_world *w = sl_lua_world(L);
    if (sl_fedavg_of(w, pop)) lerr(L, "fedavg: population '%s' already exists", pop);
    sl_lr_data *tr, *te;
    sl_lr_split *sp;
    build_data(L, &d, &tr, &te, &sp);
    sl_error e;
    sl_fedavg *f = sl_fedavg_create(tr, sp, te, &o, &e);
    if (!f) lerr(L, "%s", e.msg);
    if (sl_fedavg_attach(f, w, server, pop, loss, &e) != SL_OK) lerr(L, "%s", e.msg);
    push_handle(L, FED_MT, pop);
    return 1;
}

static int f_rounds(lua_State *L) { lua_pushinteger(L, sl_fedavg_rounds(check_fed(L))); return 1; }
static int f_info(lua_State *L)
{
    const sl_fedavg_round *r = sl_fedavg_last(check_fed(L));
    lua_createtable(L, 0, 9);
    set_integer(L, "round", r->round);
    set_integer(L, "selected", r->selected);
    set_integer(L, "arrived", r->arrived);
    set_number(L, "train_loss", r->train_loss);
    set_number(L, "test_loss", r->test_loss);
    set_number(L, "test_accuracy", r->test_acc);
    set_number(L, "messages", (double)r->messages);
    set_number(L, "bytes", (double)r->bytes);
    set_number(L, "lost", (double)r->lost);
    set_number(L, "total_messages", (double)r->total_messages);
    set_number(L, "total_bytes", (double)r->total_bytes);
    set_number(L, "total_lost", (double)r->total_lost);
    set_integer(L, "rounds_to_target", r->rounds_to_target);
    return 1;
}
/* Max |w - w_gd| where w_gd is centralised gradient descent run for as many rounds from zero. */
static int f_gd_diff(lua_State *L)
{
    sl_fedavg *f = check_fed(L);
    int dim = sl_fedavg_dim(f);
    double *w = lua_newuserdatauv(L, (size_t)dim * sizeof *w, 0);
    for (int j = 0; j < dim; j++) w[j] = 0.0;
    for (long r = 0; r < sl_fedavg_rounds(f); r++) sl_fedavg_gd_step(f, w);
    double d = 0.0;
    for (int j = 0; j < dim; j++) d = fmax(d, fabs(w[j] - sl_fedavg_model(f)[j]));
    lua_pushnumber(L, d);
    return 1;
}
static int f_sizes(lua_State *L)
{
    const sl_lr_split *s = sl_fedavg_split(check_fed(L));
    lua_createtable(L, s->K, 0);
    for (int k = 0; k < s->K; k++) {
        lua_pushinteger(L, sl_lr_split_size(s, k));
        lua_rawseti(L, -2, k + 1);
    }
    return 1;
}

/* ---- dgd ---- */

static sl_dgd *check_dgd(lua_State *L)
{
    const char *name = luaL_checkudata(L, 1, DGD_MT);
    sl_dgd *d = sl_dgd_of(sl_lua_world(L), name);
    if (!d) lerr(L, "dgd '%s' no longer exists", name);
    return d;
}

static int l_dgd(lua_State *L)
{
    static const char *const keys[] = {"samples", "features", "test", "workers", "iid", "min_size",
                                       "skew", "seed", "mode", "staleness", "lr", "l2", "delay",
                                       "jitter", "slow", "slow_delay", "loss", "timeout",
                                       "coordinator", "pop", "target_loss", NULL};
    const char *W = "dgd";
    sl_lua_opts op;
    open_opts(L, W, keys, &op);
    data_opts d;
    read_data_opts(L, &op, "workers", &d);
    sl_dgd_def o = sl_dgd_def_default();
    static const char *const modes[] = {"sync", "async", NULL};
    o.async = sl_lua_opt_enum(&op, "mode", modes, 0);
    o.staleness = (int)sl_lua_opt_integer(&op, "staleness", o.staleness, 0, 2147483647);
    o.lr = sl_lua_opt_interval(&op, "lr", o.lr, 0.0, HUGE_VAL, "()");
    o.l2 = sl_lua_opt_number(&op, "l2", o.l2, 0.0, HUGE_VAL);
    o.delay = (int)sl_lua_opt_integer(&op, "delay", 0, 0, 1000000);
    o.jitter = (int)sl_lua_opt_integer(&op, "jitter", 0, 0, 1000000);
    o.slow = (int)sl_lua_opt_integer(&op, "slow", 0, 0, 2147483647);
    o.slow_delay = (int)sl_lua_opt_integer(&op, "slow_delay", 0, 0, 1000000);
    o.loss = sl_lua_opt_number(&op, "loss", 0.0, 0.0, 1.0);
    o.timeout = (int)sl_lua_opt_integer(&op, "timeout", 0, 0, 1000000);
    o.target_loss = sl_lua_opt_number(&op, "target_loss", 0.0, 0.0, HUGE_VAL);
    o.seed = d.seed;
    const char *coord = sl_lua_opt_string(&op, "coordinator", "coordinator");
    const char *pop = sl_lua_opt_string(&op, "pop", "workers");
    check_pop_name(L, W, pop);
    sl_world *w = sl_lua_world(L);
    if (sl_dgd_of(w, pop)) lerr(L, "dgd: population '%s' already exists", pop);
    sl_lr_data *tr, *te;
    sl_lr_split *sp;
    build_data(L, &d, &tr, &te, &sp);
    sl_error e;
    sl_dgd *g = sl_dgd_create(tr, sp, te, &o, &e);
    if (!g) lerr(L, "%s", e.msg);
    if (sl_dgd_attach(g, w, coord, pop, &e) != SL_OK) lerr(L, "%s", e.msg);
    push_handle(L, DGD_MT, pop);
    return 1;
}

static int d_info(lua_State *L)
{
    const sl_dgd_stats *s = sl_dgd_stats_get(check_dgd(L));
    lua_createtable(L, 0, 12);
    set_integer(L, "version", s->version);
    set_integer(L, "min_clock", s->min_clock);
    set_number(L, "train_loss", s->train_loss);
    set_number(L, "test_loss", s->test_loss);
    set_number(L, "test_accuracy", s->test_acc);
    set_number(L, "mean_staleness", s->mean_staleness);
    set_integer(L, "max_staleness", s->max_staleness);
    set_integer(L, "waiting", s->waiting);
    set_number(L, "messages", (double)s->messages);
    set_number(L, "bytes", (double)s->bytes);
    set_number(L, "lost", (double)s->lost);
    set_integer(L, "steps_to_target", s->steps_to_target);
    return 1;
}

void sl_lua_open_consensus(lua_State *L)
{
    static const luaL_Reg cm[] = {
        {"done", c_done}, {"iterations", c_iterations}, {"disagreement", c_disagreement},
        {"initial_disagreement", c_initial_disagreement}, {"mean", c_mean},
        {"initial_mean", c_initial_mean}, {"components", c_components},
        {"empirical_rate", c_empirical}, {"theory_rate", c_theory}, {"value", c_value},
        {"traffic", c_traffic}, {NULL, NULL}};
    static const luaL_Reg fm[] = {{"rounds", f_rounds}, {"info", f_info}, {"gd_diff", f_gd_diff},
                                  {"sizes", f_sizes}, {NULL, NULL}};
    static const luaL_Reg dm[] = {{"info", d_info}, {NULL, NULL}};
    sl_lua_class(L, CONS_MT, cm, NULL);
    sl_lua_class(L, FED_MT, fm, NULL);
    sl_lua_class(L, DGD_MT, dm, NULL);
    lua_pushcfunction(L, l_consensus);
    lua_setfield(L, -2, "consensus");
    lua_pushcfunction(L, l_fedavg);
    lua_setfield(L, -2, "fedavg");
    lua_pushcfunction(L, l_dgd);
    lua_setfield(L, -2, "dgd");
}
