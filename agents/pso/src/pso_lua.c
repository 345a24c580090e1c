/* pso_lua.c - Lua binding: swarmlab.pso{...} (run to completion) and swarmlab.pso_solver{...}
 * (a stepping object that can drive a world population for the viewer).
 *
 * The C solver and everything it needs hang off a userdata with a __gc metamethod, so a Lua
 * error raised anywhere (bad option, objective error) frees them. Lua objectives and Lua
 * constraint functions are called serially through the host's protected call (traceback,
 * instruction budget); built-in objectives (classic test
 * functions, CEC-2017) are evaluated in parallel with OpenMP.
 */
#include <errno.h>
#include <stdarg.h>
#include <lauxlib.h>
#include <lua.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "swarmlab/lua_bind.h"
#include "swarmlab/lua_host.h"
#include "swarmlab/pop.h"
#include "swarmlab/pso.h"
#include "swarmlab/pso_functions.h"
#include "swarmlab/world.h"

void sl_lua_open_pso(lua_State *L);
#ifdef SL_PSO_VIEW_LAYERS
void slp_pso_view_add_layers(sl_world *w, const char *key); /* pso_layers.c, viewer builds only */
#endif

#define PSO_MT "swarmlab.pso_solver"

/* luaL_error with full printf formats (lua_pushfstring knows no %g or %lld). */
static int pso_error(lua_State *L, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int pso_error(lua_State *L, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return luaL_error(L, "%s", buf);
}

typedef struct lua_pso {
    sl_pso *solver;
    lua_State *L;
    int fn_ref;                 /* Lua objective, or LUA_NOREF for a built-in */
    int *con_refs;              /* ng inequality then nh equality functions */
    int ng, nh;
    const sl_testfn *tf;
    sl_cec2017 *cec;
    double *lower, *upper, *quantum;
    double optimum;
    long long lua_calls;
    sl_pop *pop;                /* attached population (viewer), or NULL */
    int col[4];                 /* x, y, value, z */
    int self_ref;               /* keeps an attached solver alive */
    sl_world *world;            /* the world it is attached to, or NULL */
    char key[80];               /* its attachment name there ("pso.<population>") */
    int busy;                   /* 1 while it iterates (its Lua objective may call back) */
    const char *convergence;    /* swarmlab.pso{...}: the file to write, or NULL */
} lua_pso;

/* ---- objective evaluation ---- */

static sl_status eval_builtin(void *user, const double *x, int dim, double *f, double *g, double *h,
                              sl_error *e)
{
    (void)g; (void)h; (void)e;
    lua_pso *P = user;
    *f = P->cec ? sl_cec2017_eval(P->cec, x) : P->tf->f(x, dim);
    return SL_OK;
}

static void push_vector(lua_State *L, const double *x, int dim)
{
    lua_createtable(L, dim, 0);
    for (int d = 0; d < dim; d++) {
        lua_pushnumber(L, x[d]);
        lua_rawseti(L, -2, d + 1);
    }
}

/* Calls the function in registry slot ref with the vector x; stores its number in *out. */
static sl_status call_number(lua_pso *P, int ref, const char *what, const double *x, int dim,
                             double *out, sl_error *e)
{
    lua_State *L = P->L;
    int top = lua_gettop(L);
    if (!lua_checkstack(L, 4)) return sl_error_set(e, SL_ERR_LUA, "pso: Lua stack overflow");
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
    push_vector(L, x, dim);
    P->lua_calls++;
    /* the host's protected call: traceback and instruction budget (lua_bind.h) */
    if (sl_lua_callback_call(L, 1, 1, e) != SL_OK) {
        size_t n = strlen(e->msg);
        snprintf(e->msg + n, sizeof e->msg - n, " (in the pso %s)", what);
        lua_settop(L, top);
        return SL_ERR_LUA;
    }
    if (!lua_isnumber(L, -1)) {
        const char *tn = luaL_typename(L, -1);
        lua_settop(L, top);
        lua_Debug ar;
        lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
        if (lua_getinfo(L, ">S", &ar) && ar.linedefined > 0)
            return sl_error_set(e, SL_ERR_LUA, "%s:%d: the pso %s returned %s, not a number",
                                ar.short_src, ar.linedefined, what, tn);
        return sl_error_set(e, SL_ERR_LUA, "the pso %s returned %s, not a number", what, tn);
    }
    *out = lua_tonumber(L, -1);
    lua_settop(L, top);
    return SL_OK;
}

static sl_status eval_lua(void *user, const double *x, int dim, double *f, double *g, double *h,
                          sl_error *e)
{
    lua_pso *P = user;
    sl_status st;
    if (P->fn_ref != LUA_NOREF) {
        st = call_number(P, P->fn_ref, "objective", x, dim, f, e);
        if (st != SL_OK) return st;
    } else {
        eval_builtin(user, x, dim, f, g, h, e);
    }
    for (int k = 0; k < P->ng; k++) {
        st = call_number(P, P->con_refs[k], "constraint", x, dim, &g[k], e);
        if (st != SL_OK) return st;
    }
    for (int k = 0; k < P->nh; k++) {
        st = call_number(P, P->con_refs[P->ng + k], "equality constraint", x, dim, &h[k], e);
        if (st != SL_OK) return st;
    }
    return SL_OK;
}

/* ---- userdata ---- */

/* Frees the solver (idempotent). The metatable is locked, so only the collector calls it: when
 * the state closes, or for a solver that was never attached and is no longer referenced. */
static int l_gc(lua_State *L)
{
    lua_pso *P = luaL_checkudata(L, 1, PSO_MT);
    if (P->busy) return pso_error(L, "pso solver is running");
    if (P->world) sl_world_detach(P->world, P->key); /* readers (the viewer) see no swarm */
    P->world = NULL;
    sl_pso_destroy(P->solver);
    P->solver = NULL;
    sl_cec2017_destroy(P->cec);
    P->cec = NULL;
    if (P->fn_ref != LUA_NOREF) luaL_unref(L, LUA_REGISTRYINDEX, P->fn_ref);
    P->fn_ref = LUA_NOREF;
    for (int k = 0; k < P->ng + P->nh && P->con_refs; k++)
        luaL_unref(L, LUA_REGISTRYINDEX, P->con_refs[k]);
    free(P->con_refs);
    P->con_refs = NULL;
    P->ng = P->nh = 0;
    free(P->lower);
    free(P->upper);
    free(P->quantum);
    P->lower = P->upper = P->quantum = NULL;
    return 0;
}

static lua_pso *check_solver(lua_State *L, int idx)
{
    lua_pso *P = luaL_checkudata(L, idx, PSO_MT);
    if (!P->solver) pso_error(L, "pso solver already released");
    return P;
}

/* A solver that may be advanced: not already iterating (its own objective calling step or run
 * would re-enter the solver in the middle of an iteration). */
static lua_pso *check_idle(lua_State *L, int idx)
{
    lua_pso *P = check_solver(L, idx);
    if (P->busy) pso_error(L, "pso solver is running (called from its own objective?)");
    return P;
}

static sl_status step_solver(lua_pso *P, int *done, sl_error *e)
{
    P->busy = 1;
    sl_status st = sl_pso_step(P->solver, e);
    *done = sl_pso_done(P->solver);
    P->busy = 0;
    return st;
}

/* Iterations to the stopping criterion; the run's time limits are checked before each one
 * (an objective in C never gives the hook a chance). */
static sl_status run_solver(lua_State *L, lua_pso *P, sl_error *e)
{
    int done = sl_pso_done(P->solver);
    while (!done) {
        sl_lua_check_deadline(L);
        sl_status st = step_solver(P, &done, e);
        if (st != SL_OK) return st;
    }
    return SL_OK;
}

/* ---- option parsing ---- */

/* A per-coordinate option: a number (the same for every coordinate) or a list of dim numbers,
 * each in [lo, hi]. Returns 1 when it was given. */
static int opt_vector(const sl_lua_opts *o, const char *key, int dim, double *out, double def,
                      double lo, double hi)
{
    int type = LUA_TNIL;
    if (sl_lua_opt_has(o, key)) {
        lua_getfield(o->L, o->t, key);
        type = lua_type(o->L, -1);
        lua_pop(o->L, 1);
    }
    if (type == LUA_TNIL) {
        for (int d = 0; d < dim; d++) out[d] = def;
        return 0;
    }
    if (type == LUA_TTABLE) {
        sl_lua_opt_numbers(o, key, out, dim, lo, hi);
        return 1;
    }
    if (type != LUA_TNUMBER)
        sl_lua_opt_error(o, key, "must be a number or a list of %d numbers (got a %s)", dim,
                         lua_typename(o->L, type));
    double v = sl_lua_opt_number(o, key, def, lo, hi);
    for (int d = 0; d < dim; d++) out[d] = v;
    return 1;
}

/* The functions of option o.key (a function alone counts as a list of one) into refs; returns
 * how many. */
static int opt_functions(const sl_lua_opts *o, const char *key, int *refs, int max)
{
    lua_State *L = o->L;
    int n = 0;
    lua_getfield(L, o->t, key);
    if (lua_isfunction(L, -1)) {
        refs[n++] = luaL_ref(L, LUA_REGISTRYINDEX);
        return n;
    }
    if (lua_istable(L, -1)) {
        int len = (int)luaL_len(L, -1);
        for (int k = 1; k <= len && n < max; k++) {
            lua_rawgeti(L, -1, k);
            if (!lua_isfunction(L, -1))
                sl_lua_opt_error(o, key, "[%d] must be a function (got a %s)", k,
                                 luaL_typename(L, -1));
            refs[n++] = luaL_ref(L, LUA_REGISTRYINDEX);
        }
    } else if (!lua_isnil(L, -1)) {
        sl_lua_opt_error(o, key, "must be a function or a list of functions (got a %s)",
                         luaL_typename(L, -1));
    }
    lua_pop(L, 1);
    return n;
}

static int count_functions(lua_State *L, int t, const char *key)
{
    lua_getfield(L, t, key);
    int n = lua_isfunction(L, -1) ? 1 : lua_istable(L, -1) ? (int)luaL_len(L, -1) : 0;
    lua_pop(L, 1);
    return n;
}

/* Parses "cec5", "cec2017-f5", "cec2017_f5": returns 1..10, or 0 when the name is not CEC. */
static int cec_number(const char *name)
{
    const char *p = NULL;
    if (strncmp(name, "cec2017-f", 9) == 0 || strncmp(name, "cec2017_f", 9) == 0) p = name + 9;
    else if (strncmp(name, "cec", 3) == 0) p = name + 3;
    if (!p || !*p) return 0;
    char *end = NULL;
    long k = strtol(p, &end, 10);
    if (*end != '\0' || k < 1) return -1;
    return (int)k;
}

static const char *const option_keys[] = {
    "objective", "dim", "lower", "upper", "step", "integer", "cec_dir", "optimum", "variant",
    "topology", "bounds", "swarm", "informants", "ring_radius", "links", "sphere", "async",
    "permute", "w", "c", "c1", "c2", "chi", "w_start", "w_end", "vmax", "fes", "target", "time",
    "stagnation", "stagnation_tol", "seed", "threads", "constraints", "convergence", NULL};
static const char *const constraint_keys[] = {"g", "h", "method", "tol", "tol_start", "penalty",
                                              NULL};
static const char *const links_names[] = {"probability", "k_draws", NULL};
static const char *const sphere_names[] = {"radius", "volume", NULL};
static const char *const method_names[] = {"deb", "penalty", NULL};

/* The objective: a Lua function (P->fn_ref), a test function (P->tf) or a CEC-2017 function
 * (returns its number 1..10; 0 otherwise). */
static int read_objective(const sl_lua_opts *o, lua_pso *P)
{
    lua_State *L = o->L;
    sl_lua_opt_require(o, "objective");
    lua_getfield(L, o->t, "objective");
    int type = lua_type(L, -1);
    lua_pop(L, 1);
    if (type == LUA_TFUNCTION) {
        P->fn_ref = sl_lua_opt_function(o, "objective");
        return 0;
    }
    if (type != LUA_TSTRING)
        sl_lua_opt_error(o, "objective", "must be a function or a name (got a %s)",
                         lua_typename(L, type));
    const char *name = sl_lua_opt_string(o, "objective", NULL);
    int cec = cec_number(name);
    if (cec < 0 || cec > 10)
        sl_lua_opt_error(o, "objective", "names an unknown CEC-2017 function '%s' (cec1..cec10)",
                         name);
    if (!cec) {
        P->tf = sl_testfn_find(name);
        if (!P->tf)
            sl_lua_opt_error(o, "objective", "names an unknown objective '%s' (sphere, rosenbrock, "
                             "rastrigin, griewank, ackley, schwefel, cec1..cec10, or a function)",
                             name);
    }
    return cec;
}

/* integer = true (every coordinate) or a list of coordinate indices: quantum 1 there. */
static void read_integer(const sl_lua_opts *o, int D, double *quantum)
{
    lua_State *L = o->L;
    lua_getfield(L, o->t, "integer");
    if (lua_isboolean(L, -1)) {
        if (lua_toboolean(L, -1))
            for (int d = 0; d < D; d++) quantum[d] = 1.0;
    } else if (lua_istable(L, -1)) {
        int len = (int)luaL_len(L, -1);
        for (int k = 1; k <= len; k++) {
            lua_rawgeti(L, -1, k);
            lua_Integer i = lua_isinteger(L, -1) ? lua_tointeger(L, -1) : 0;
            if (i < 1 || i > D)
                sl_lua_opt_error(o, "integer", "[%d] must be a coordinate index in [1, %d]", k, D);
            quantum[i - 1] = 1.0;
            lua_pop(L, 1);
        }
    } else if (!lua_isnil(L, -1)) {
        sl_lua_opt_error(o, "integer", "must be true or a list of coordinate indices (got a %s)",
                         luaL_typename(L, -1));
    }
    lua_pop(L, 1);
}

/* constraints = { g = f | {f...}, h = f | {f...}, method =, tol =, tol_start =, penalty = }
 * or {f, ...} (inequalities only). */
static void read_constraints(const sl_lua_opts *o, lua_pso *P, sl_pso_def *c)
{
    lua_State *L = o->L;
    if (!sl_lua_opt_has(o, "constraints")) return;
    lua_getfield(L, o->t, "constraints");
    int ct = lua_gettop(L);
    if (!lua_istable(L, ct))
        sl_lua_opt_error(o, "constraints", "must be a table (got a %s)", luaL_typename(L, ct));
    int shorthand = luaL_len(L, ct) > 0;
    sl_lua_opts co;
    char cname[sizeof o->name + 16];
    snprintf(cname, sizeof cname, "%s.constraints", o->name);
    if (shorthand) { /* {f, ...}: the inequalities, nothing else */
        lua_pushnil(L);
        while (lua_next(L, ct)) {
            lua_pop(L, 1);
            if (lua_type(L, -1) == LUA_TSTRING)
                sl_lua_opt_error(o, "constraints", "is a list of functions and takes no named "
                                 "option ('%s')", lua_tostring(L, -1));
        }
    } else {
        sl_lua_opts_open(&co, L, ct, cname, constraint_keys);
    }
    int ng = shorthand ? (int)luaL_len(L, ct) : count_functions(L, ct, "g");
    int nh = shorthand ? 0 : count_functions(L, ct, "h");
    P->con_refs = malloc(sizeof(int) * (size_t)(ng + nh + 1));
    if (!P->con_refs) pso_error(L, "pso: out of memory");
    if (shorthand) {
        for (int k = 1; k <= ng; k++) {
            lua_rawgeti(L, ct, k);
            if (!lua_isfunction(L, -1))
                sl_lua_opt_error(o, "constraints", "[%d] must be a function (got a %s)", k,
                                 luaL_typename(L, -1));
            P->con_refs[P->ng++] = luaL_ref(L, LUA_REGISTRYINDEX);
        }
    } else {
        P->ng = opt_functions(&co, "g", P->con_refs, ng);
        P->nh = opt_functions(&co, "h", P->con_refs + P->ng, nh);
        c->cmethod = sl_lua_opt_enum(&co, "method", method_names, 0) == 1 ? SL_PSO_PENALTY
                                                                           : SL_PSO_DEB;
        c->eq_tol = sl_lua_opt_number(&co, "tol", c->eq_tol, 0.0, HUGE_VAL);
        c->eq_tol_start = sl_lua_opt_number(&co, "tol_start", 0.0, 0.0, HUGE_VAL);
        c->penalty = sl_lua_opt_interval(&co, "penalty", c->penalty, 0.0, HUGE_VAL, "()");
    }
    c->ng = P->ng;
    c->nh = P->nh;
    lua_pop(L, 1);
}

/* Builds a solver userdata from the options table at index t; leaves it on the stack. Every
 * option is read with the binding toolkit: a misspelt key, a wrong type or a value out of range
 * names the option and the table. */
static lua_pso *build(lua_State *L, int t, const char *name)
{
    sl_lua_opts opts;
    sl_lua_opts_open(&opts, L, t, name, option_keys);
    const sl_lua_opts *o = &opts;
    lua_pso *P = lua_newuserdatauv(L, sizeof *P, 0);
    memset(P, 0, sizeof *P);
    P->fn_ref = LUA_NOREF;
    P->self_ref = LUA_NOREF;
    P->L = sl_lua_main_thread(L); /* objectives outlive the coroutine that made the solver */
    luaL_setmetatable(L, PSO_MT);

    int cec = read_objective(o, P);
    sl_lua_opt_require(o, "dim");
    int D = (int)sl_lua_opt_integer(o, "dim", 0, 1, 100000);
    int vi = sl_lua_opt_enum(o, "variant", sl_pso_variant_names, 0);
    sl_pso_def c = sl_pso_def_default((sl_pso_variant)sl_pso_variant_parse(sl_pso_variant_names[vi]),
                                      D);

    P->lower = malloc(sizeof(double) * D);
    P->upper = malloc(sizeof(double) * D);
    P->quantum = calloc((size_t)D, sizeof(double));
    if (!P->lower || !P->upper || !P->quantum) pso_error(L, "pso: out of memory");
    double dlo = P->tf ? P->tf->lower : -100.0, dhi = P->tf ? P->tf->upper : 100.0;
    int has_lo = opt_vector(o, "lower", D, P->lower, dlo, -HUGE_VAL, HUGE_VAL);
    int has_hi = opt_vector(o, "upper", D, P->upper, dhi, -HUGE_VAL, HUGE_VAL);
    if (P->fn_ref != LUA_NOREF && (!has_lo || !has_hi))
        sl_lua_opt_error(o, has_lo ? "upper" : "lower", "is needed by a Lua objective");
    opt_vector(o, "step", D, P->quantum, 0.0, 0.0, HUGE_VAL);
    read_integer(o, D, P->quantum);
    c.lower = P->lower;
    c.upper = P->upper;
    c.quantum = P->quantum;

    if (cec) {
        const char *dir = sl_lua_opt_string(o, "cec_dir", NULL);
        if (!dir)
            sl_lua_opt_error(o, "cec_dir", "is needed by objective cec%d (the CEC-2017 "
                             "input_data folder)", cec);
        const char *res = sl_lua_resolve_input(L, dir);
        sl_error e;
        sl_error_clear(&e);
        P->cec = sl_cec2017_load(res ? res : dir, cec, D, &e);
        if (!P->cec) pso_error(L, "pso: %s", e.msg);
        c.optimum = sl_cec2017_optimum(P->cec);
    } else if (P->tf) {
        c.optimum = P->tf->optimum;
    }
    c.optimum = sl_lua_opt_number(o, "optimum", c.optimum, -HUGE_VAL, HUGE_VAL);
    P->optimum = c.optimum;

    int ti = sl_lua_opt_enum(o, "topology", sl_pso_topology_names, 0);
    c.topology = (sl_pso_topology)sl_pso_topology_parse(sl_pso_topology_names[ti]);
    int bi = sl_lua_opt_enum(o, "bounds", sl_pso_bounds_names, 0);
    c.bounds = (sl_pso_bounds)sl_pso_bounds_parse(sl_pso_bounds_names[bi]);
    c.swarm = (int)sl_lua_opt_integer(o, "swarm", c.swarm, 1, 100000);
    c.informants = (int)sl_lua_opt_integer(o, "informants", c.informants, 1, 1000);
    c.ring_radius = (int)sl_lua_opt_integer(o, "ring_radius", c.ring_radius, 1, 100000);
    c.links_k_draws = sl_lua_opt_enum(o, "links", links_names, 0);
    c.sphere_volume = sl_lua_opt_enum(o, "sphere", sphere_names, 0);
    c.async = sl_lua_opt_boolean(o, "async", false);
    c.permute = sl_lua_opt_boolean(o, "permute", false);
    c.w = sl_lua_opt_number(o, "w", c.variant == SL_PSO_SPSO2011 ? c.w : c.w_start, -HUGE_VAL,
                            HUGE_VAL);
    if (c.variant != SL_PSO_SPSO2011) c.w_start = c.w_end = c.w;
    if (c.variant == SL_PSO_LDW) {
        c.w_start = sl_lua_opt_number(o, "w_start", 0.9, -HUGE_VAL, HUGE_VAL);
        c.w_end = sl_lua_opt_number(o, "w_end", 0.4, -HUGE_VAL, HUGE_VAL);
    }
    c.c = sl_lua_opt_interval(o, "c", c.c, 0.0, HUGE_VAL, "()");
    c.c1 = sl_lua_opt_number(o, "c1", c.c1, 0.0, HUGE_VAL);
    c.c2 = sl_lua_opt_number(o, "c2", c.c2, 0.0, HUGE_VAL);
    c.chi = sl_lua_opt_interval(o, "chi", c.chi, 0.0, HUGE_VAL, "()");
    c.vmax = sl_lua_opt_number(o, "vmax", c.vmax, 0.0, HUGE_VAL);
    c.max_fes = (long long)sl_lua_opt_integer(o, "fes", c.max_fes, 1, 9000000000000000LL);
    c.target = sl_lua_opt_number(o, "target", c.target, -HUGE_VAL, HUGE_VAL);
    c.max_seconds = sl_lua_opt_number(o, "time", 0.0, 0.0, HUGE_VAL);
    c.stagnation = (int)sl_lua_opt_integer(o, "stagnation", 0, 0, 2147483647);
    c.stagnation_tol = sl_lua_opt_number(o, "stagnation_tol", 0.0, 0.0, HUGE_VAL);
    sl_world *w = sl_lua_world(L);
    /* seeds are 64-bit patterns (a Lua integer, negative above 2^63) */
    c.seed = (uint64_t)sl_lua_opt_integer(o, "seed", w ? (lua_Integer)sl_world_seed(w) : 1,
                                          LUA_MININTEGER, LUA_MAXINTEGER);
    c.threads = (int)sl_lua_opt_integer(o, "threads", w ? sl_world_threads(w) : 1, 1, 1024);
    read_constraints(o, P, &c);
    /* swarmlab.pso{...} only; the string lives as long as the option table (the call) */
    P->convergence = sl_lua_opt_string(o, "convergence", NULL);

    int lua_side = P->fn_ref != LUA_NOREF || P->ng + P->nh > 0;
    sl_pso_problem pb = {lua_side ? eval_lua : eval_builtin, P, !lua_side};
    sl_error e;
    sl_error_clear(&e);
    P->solver = sl_pso_create(&c, &pb, &e);
    if (!P->solver) pso_error(L, "%s", e.msg);
    return P;
}

/* ---- results ---- */

static void push_result(lua_State *L, lua_pso *P)
{
    sl_pso *s = P->solver;
    int D = sl_pso_dim(s);
    lua_createtable(L, 0, 12);
    push_vector(L, sl_pso_best_x(s), D);
    lua_setfield(L, -2, "x");
    lua_pushnumber(L, sl_pso_best_value(s));
    lua_setfield(L, -2, "value");
    lua_pushnumber(L, sl_pso_best_error(s));
    lua_setfield(L, -2, "error");
    lua_pushnumber(L, sl_pso_best_violation(s));
    lua_setfield(L, -2, "violation");
    lua_pushboolean(L, sl_pso_best_violation(s) == 0.0);
    lua_setfield(L, -2, "feasible");
    lua_pushinteger(L, sl_pso_fes(s));
    lua_setfield(L, -2, "fes");
    lua_pushinteger(L, sl_pso_iterations(s));
    lua_setfield(L, -2, "iterations");
    lua_pushinteger(L, sl_pso_nonfinite(s));
    lua_setfield(L, -2, "nonfinite");
    lua_pushinteger(L, sl_pso_target_fes(s));
    lua_setfield(L, -2, "target_fes");
    lua_pushstring(L, sl_pso_stop_reason(s));
    lua_setfield(L, -2, "stop");
    lua_pushinteger(L, P->lua_calls);
    lua_setfield(L, -2, "lua_calls");
    int n = 0;
    const sl_pso_history_entry *h = sl_pso_history(s, &n);
    lua_createtable(L, n, 0);
    for (int i = 0; i < n; i++) {
        lua_createtable(L, 0, 3);
        lua_pushinteger(L, h[i].fes);
        lua_setfield(L, -2, "fes");
        lua_pushnumber(L, h[i].best_value);
        lua_setfield(L, -2, "value");
        lua_pushnumber(L, h[i].best_error);
        lua_setfield(L, -2, "error");
        lua_rawseti(L, -2, i + 1);
    }
    lua_setfield(L, -2, "history");
}

/* Writes fes,best_error,best_value rows to a file in the run's output directory (temporary name,
 * renamed when complete). */
static void write_convergence(lua_State *L, lua_pso *P, const char *name)
{
    char path[4096], tmp[4200];
    snprintf(path, sizeof path, "%s", sl_lua_output_path(L, name));
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) pso_error(L, "pso: cannot write %s: %s", path, strerror(errno));
    int n = 0;
    const sl_pso_history_entry *h = sl_pso_history(P->solver, &n);
    fprintf(f, "fes,best_error,best_value\n");
    for (int i = 0; i < n; i++)
        fprintf(f, "%lld,%.17g,%.17g\n", h[i].fes, h[i].best_error, h[i].best_value);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad || rename(tmp, path) != 0) {
        remove(tmp);
        pso_error(L, "pso: cannot write %s", path);
    }
}

static int raise_run_error(lua_State *L, const sl_error *e)
{
    /* the message already starts with the objective's "file:line:" when Lua raised it; the
     * traceback stays the objective's */
    return sl_lua_raise(L, e);
}

/* swarmlab.pso{...}: runs to the end and returns the result table. */
static int l_pso(lua_State *L)
{
    lua_pso *P = build(L, 1, "swarmlab.pso{...}");
    sl_error e;
    sl_error_clear(&e);
    if (run_solver(L, P, &e) != SL_OK) return raise_run_error(L, &e);
    const char *conv = P->convergence;
    if (conv) write_convergence(L, P, conv);
    push_result(L, P);
    return 1;
}

/* swarmlab.pso_solver{...}: a solver object with step/run/result/positions/attach. */
static int l_solver(lua_State *L)
{
    build(L, 1, "swarmlab.pso_solver{...}");
    return 1;
}

static void update_pop(lua_pso *P)
{
    if (!P->pop) return;
    sl_pso *s = P->solver;
    int n = sl_pso_swarm_size(s), D = sl_pso_dim(s);
    const double *x = sl_pso_positions(s), *f = sl_pso_values(s);
    for (int i = 0; i < n && (size_t)i < sl_pop_count(P->pop); i++) {
        sl_pop_set(P->pop, P->col[0], (size_t)i, x[(size_t)i * D]);
        sl_pop_set(P->pop, P->col[1], (size_t)i, D > 1 ? x[(size_t)i * D + 1] : 0.0);
        sl_pop_set(P->pop, P->col[2], (size_t)i, f[i]);
        if (P->col[3] >= 0) sl_pop_set(P->pop, P->col[3], (size_t)i, x[(size_t)i * D + 2]);
    }
}

static int l_step(lua_State *L)
{
    lua_pso *P = check_idle(L, 1);
    int done = 0;
    sl_error e;
    sl_error_clear(&e);
    if (step_solver(P, &done, &e) != SL_OK) return raise_run_error(L, &e);
    update_pop(P);
    lua_pushboolean(L, done);
    return 1;
}

static int l_run(lua_State *L)
{
    lua_pso *P = check_idle(L, 1);
    sl_error e;
    sl_error_clear(&e);
    if (run_solver(L, P, &e) != SL_OK) return raise_run_error(L, &e);
    update_pop(P);
    push_result(L, P);
    return 1;
}

static int l_done(lua_State *L)
{
    lua_pso *P = check_solver(L, 1);
    lua_pushboolean(L, strcmp(sl_pso_stop_reason(P->solver), "running") != 0);
    return 1;
}

static int l_result(lua_State *L)
{
    push_result(L, check_solver(L, 1));
    return 1;
}

static int l_positions(lua_State *L)
{
    lua_pso *P = check_solver(L, 1);
    int n = sl_pso_swarm_size(P->solver), D = sl_pso_dim(P->solver);
    const double *x = sl_pso_positions(P->solver);
    lua_createtable(L, n, 0);
    for (int i = 0; i < n; i++) {
        push_vector(L, x + (size_t)i * D, D);
        lua_rawseti(L, -2, i + 1);
    }
    return 1;
}

static int l_write_convergence(lua_State *L)
{
    lua_pso *P = check_solver(L, 1);
    write_convergence(L, P, luaL_checkstring(L, 2));
    return 0;
}

/* World system: one PSO iteration per world step, then the population mirrors the swarm. */
static sl_status attached_step(sl_world *w, void *user, sl_error *e)
{
    (void)w;
    lua_pso *P = user;
    if (!P->solver || P->busy) return SL_OK;
    int done = 0;
    sl_status st = step_solver(P, &done, e);
    if (st == SL_OK) update_pop(P);
    return st;
}

/* solver:attach(world, name): adds population `name` (columns x, y, value and z when dim >= 3)
 * and a system that runs one iteration per world step. The swarm is also published to C code
 * as sl_world_attached(world, "pso.<name>") -> sl_pso * (valid while the scenario runs). */
static int l_attach(lua_State *L)
{
    lua_pso *P = check_idle(L, 1);
    const char *name = luaL_optstring(L, 3, "particles");
    if (P->pop) return pso_error(L, "pso solver is already attached");
    sl_world *w = sl_lua_world(L);
    if (!w) return pso_error(L, "pso: no world");
    sl_error e;
    sl_error_clear(&e);
    sl_pop *pop = sl_world_add_pop(w, name, &e);
    if (!pop) return pso_error(L, "pso: %s", e.msg);
    P->col[0] = sl_pop_add_column(pop, "x", SL_F64, &e);
    P->col[1] = sl_pop_add_column(pop, "y", SL_F64, &e);
    P->col[2] = sl_pop_add_column(pop, "value", SL_F64, &e);
    P->col[3] = sl_pso_dim(P->solver) >= 3 ? sl_pop_add_column(pop, "z", SL_F64, &e) : -1;
    if (P->col[0] < 0 || P->col[1] < 0 || P->col[2] < 0)
        return pso_error(L, "pso: %s", e.msg);
    if (sl_pop_spawn(pop, (size_t)sl_pso_swarm_size(P->solver)) == (size_t)-1)
        return pso_error(L, "pso: out of memory");
    char key[sizeof P->key];
    snprintf(key, sizeof key, "pso.%s", name);
    if (sl_world_attach(w, key, P->solver, NULL, &e) != SL_OK) return pso_error(L, "pso: %s", e.msg);
    P->world = w;
    memcpy(P->key, key, sizeof key);
#ifdef SL_PSO_VIEW_LAYERS
    slp_pso_view_add_layers(w, key);
#endif
    sl_system_def def = {.name = "pso.step", .pre = attached_step, .user = P};
    if (sl_world_add_system(w, &def, &e) < 0) return pso_error(L, "pso: %s", e.msg);
    P->pop = pop;
    lua_pushvalue(L, 1);
    P->self_ref = luaL_ref(L, LUA_REGISTRYINDEX);   /* the world's system uses it until the end */
    sl_lua_push_pop(L, pop);
    return 1;
}

void sl_lua_open_pso(lua_State *L)
{
    static const luaL_Reg methods[] = {
        {"step", l_step},         {"run", l_run},
        {"result", l_result},     {"positions", l_positions},
        {"done", l_done},
        {"attach", l_attach},     {"write_convergence", l_write_convergence},
        {NULL, NULL}};
    if (luaL_newmetatable(L, PSO_MT)) {
        lua_pushcfunction(L, l_gc);
        lua_setfield(L, -2, "__gc");
        luaL_newlib(L, methods);
        lua_setfield(L, -2, "__index");
    }
    lua_pop(L, 1);
    sl_lua_lock_metatable(L, PSO_MT);
    lua_pushcfunction(L, l_pso);
    lua_setfield(L, -2, "pso");
    lua_pushcfunction(L, l_solver);
    lua_setfield(L, -2, "pso_solver");
}
