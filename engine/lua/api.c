/* api.c - the `swarmlab` table: parameters, run settings, results, output paths, logging.
 *
 * Functions check their arguments and raise errors with luaL_error, so the host reports
 * "scenario.lua:LINE: message". Parameter values from the command line or an INI file are
 * parsed here against the declared default's type and the options min/max/integer/choices.
 */
#include "host_internal.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <lauxlib.h>

#include "swarmlab/lua_bind.h"
#include "swarmlab/recorder.h"

#ifndef SWARMLAB_VERSION
#define SWARMLAB_VERSION "0"
#endif

/* ---- swarmlab.param ---- */

typedef struct param_opts {
    int has_min, has_max, integer, choices_idx; /* choices_idx: stack index of the table or 0 */
    int tunable;                                /* a slider in the viewer (needs min and max) */
    double min, max;
} param_opts;

static int valid_param_name(const char *s)
{
    if (!(isalpha((unsigned char)*s) || *s == '_')) return 0;
    for (s++; *s; s++)
        if (!(isalnum((unsigned char)*s) || *s == '_' || *s == '.' || *s == '-')) return 0;
    return 1;
}

static void read_opts(lua_State *L, int idx, const char *name, int kind, param_opts *o)
{
    static const char *const keys[] = {"min", "max", "integer", "choices", "tunable", NULL};
    memset(o, 0, sizeof *o);
    if (lua_isnoneornil(L, idx)) return;
    char what[160];
    snprintf(what, sizeof what, "the options of parameter '%s'", name);
    sl_lua_opts t;
    sl_lua_opts_open(&t, L, idx, what, keys);
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "?";
        if (strcmp(k, "min") == 0 || strcmp(k, "max") == 0) {
            if (kind != LUA_TNUMBER)
                luaL_error(L, "parameter '%s': option '%s' needs a number default", name, k);
            if (!lua_isnumber(L, -1))
                luaL_error(L, "parameter '%s': option '%s' must be a number", name, k);
            if (k[1] == 'i') { o->has_min = 1; o->min = lua_tonumber(L, -1); }
            else { o->has_max = 1; o->max = lua_tonumber(L, -1); }
        } else if (strcmp(k, "integer") == 0) {
            if (kind != LUA_TNUMBER)
                luaL_error(L, "parameter '%s': option 'integer' needs a number default", name);
            o->integer = sl_lua_opt_boolean(&t, "integer", false);
        } else if (strcmp(k, "tunable") == 0) {
            /* a hint for interactive front ends (the viewer's sliders); no effect on the run */
            o->tunable = sl_lua_opt_boolean(&t, "tunable", false);
        } else if (strcmp(k, "choices") == 0) {
            if (!lua_istable(L, -1) || luaL_len(L, -1) < 1)
                luaL_error(L, "parameter '%s': option 'choices' must be a non-empty list", name);
        }
        lua_pop(L, 1);
    }
    if (lua_getfield(L, idx, "choices") == LUA_TTABLE) o->choices_idx = lua_gettop(L);
    else lua_pop(L, 1);
    /* a slider needs a numeric range; without one the hint is ignored */
    if (o->tunable && (kind != LUA_TNUMBER || !o->has_min || !o->has_max || !(o->max > o->min)))
        o->tunable = 0;
}

/* The shortest %g form of v that reads back as the same double. */
static const char *shortest(double v, char *buf, size_t n)
{
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, n, "%.*g", prec, v);
        if (strtod(buf, NULL) == v) break;
    }
    return buf;
}

/* Formats a number parameter value as text for the manifest. */
static void number_text(double v, int as_int, char *buf, size_t n)
{
    if (as_int) {
        snprintf(buf, n, "%lld", (long long)v);
        return;
    }
    shortest(v, buf, n);
}

static int parse_bool(const char *s, int *out)
{
    static const char *const yes[] = {"true", "yes", "on", "1", NULL};
    static const char *const no[] = {"false", "no", "off", "0", NULL};
    for (int i = 0; yes[i]; i++)
        if (strcasecmp(s, yes[i]) == 0) { *out = 1; return 1; }
    for (int i = 0; no[i]; i++)
        if (strcasecmp(s, no[i]) == 0) { *out = 0; return 1; }
    return 0;
}

/* Raises "parameter 'n' = 'v' (from --set): why". origin NULL: the scenario's default. */
static int param_error(lua_State *L, const char *name, const char *text, const char *origin,
                       const char *why)
{
    if (origin) {
        sl_lua_host(L)->input_error = 1;
        return luaL_error(L, "parameter '%s' = '%s' (from %s): %s", name, text, origin, why);
    }
    return luaL_error(L, "parameter '%s': default %s: %s", name, text, why);
}

/* exact: v came from a Lua integer (an integer whatever its size). */
static void check_number(lua_State *L, const char *name, double v, int exact, const char *text,
                         const char *origin, const param_opts *o)
{
    char why[160];
    if (!isfinite(v)) param_error(L, name, text, origin, "not a finite number");
    if (o->integer && !exact && (v != floor(v) || fabs(v) > 9007199254740992.0))
        param_error(L, name, text, origin, "not an integer");
    if (o->has_min && v < o->min) {
        char b[40];
        snprintf(why, sizeof why, "below the minimum %s", shortest(o->min, b, sizeof b));
        param_error(L, name, text, origin, why);
    }
    if (o->has_max && v > o->max) {
        char b[40];
        snprintf(why, sizeof why, "above the maximum %s", shortest(o->max, b, sizeof b));
        param_error(L, name, text, origin, why);
    }
}

/* Checks that the value on top of the stack is one of the choices. */
static void check_choices(lua_State *L, const char *name, const char *text, const char *origin,
                          const param_opts *o)
{
    if (!o->choices_idx) return;
    lua_Integer n = luaL_len(L, o->choices_idx);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_geti(L, o->choices_idx, i);
        int eq = lua_compare(L, -1, -2, LUA_OPEQ);
        lua_pop(L, 1);
        if (eq) return;
    }
    char list[512] = "not one of: ";
    size_t len = strlen(list);
    for (lua_Integer i = 1; i <= n && len < sizeof list - 1; i++) {
        lua_geti(L, o->choices_idx, i);
        const char *c = luaL_tolstring(L, -1, NULL);
        int k = snprintf(list + len, sizeof list - len, "%s%s", i > 1 ? ", " : "", c);
        lua_pop(L, 2);
        if (k < 0) break;
        len += (size_t)k;
    }
    param_error(L, name, text, origin, list);
}

/* Records parameter `name` with its value text, and what was declared (doc, default, options)
 * for listings; raises on out of memory. Returns the parameter's index. */
static int register_param(lua_State *L, const char *name, const char *value, const char *source,
                          char kind, const param_opts *o)
{
    sl_host *h = sl_lua_host(L);
    char def[64], opts[600];
    const char *deftext = def;
    if (kind == 'n') number_text(lua_tonumber(L, 2), lua_isinteger(L, 2) || o->integer, def, sizeof def);
    else if (kind == 'b') deftext = lua_toboolean(L, 2) ? "true" : "false";
    else deftext = lua_tostring(L, 2);
    size_t len = 0;
    opts[0] = '\0';
#define ADD_OPT(...) \
    do { \
        int k_ = snprintf(opts + len, sizeof opts - len, __VA_ARGS__); \
        if (k_ > 0) len = len + (size_t)k_ < sizeof opts ? len + (size_t)k_ : sizeof opts - 1; \
    } while (0)
    char b[40];
    if (o->has_min) ADD_OPT("%smin %s", len ? ", " : "", shortest(o->min, b, sizeof b));
    if (o->has_max) ADD_OPT("%smax %s", len ? ", " : "", shortest(o->max, b, sizeof b));
    if (o->integer) ADD_OPT("%sinteger", len ? ", " : "");
    if (o->choices_idx) {
        ADD_OPT("%schoices", len ? ", " : "");
        lua_Integer n = luaL_len(L, o->choices_idx);
        for (lua_Integer i = 1; i <= n; i++) {
            lua_geti(L, o->choices_idx, i);
            ADD_OPT("%s%s", i > 1 ? "|" : " ", luaL_tolstring(L, -1, NULL));
            lua_pop(L, 2);
        }
    }
    if (o->tunable) ADD_OPT("%stunable", len ? ", " : "");
#undef ADD_OPT
    int pi = slp_host_add_param(h, name, value, source, kind);
    if (pi < 0 || slp_host_set_param_info(h, pi, luaL_optstring(L, 3, ""), deftext, opts) != 0)
        luaL_error(L, "out of memory");
    if (o->tunable) slp_host_set_param_range(h, pi, o->min, o->max, o->integer);
    return pi;
}

static int l_param(lua_State *L)
{
    sl_host *h = sl_lua_host(L);
    const char *name = luaL_checkstring(L, 1);
    if (!valid_param_name(name))
        return luaL_error(L, "parameter name '%s' must start with a letter or '_' and contain "
                             "letters, digits, '_', '.', '-'", name);
    int kind = lua_type(L, 2);
    if (kind != LUA_TNUMBER && kind != LUA_TSTRING && kind != LUA_TBOOLEAN)
        return luaL_error(L, "parameter '%s': default must be a number, string or boolean, "
                             "not %s", name, luaL_typename(L, 2));
    luaL_optstring(L, 3, "");
    /* arguments 1..4 keep their slots: values pushed below must never land at index 3, where
     * register_param reads the doc string (and would turn a number into a string) */
    lua_settop(L, 4);
    if (slp_host_param_index(h, name) >= 0)
        return luaL_error(L, "parameter '%s' declared twice", name);
    param_opts o;
    read_opts(L, 4, name, kind, &o);

    const sl_override *ov = slp_host_find_override(h, name);
    const char *origin = ov ? ov->origin : NULL;
    const char *source = ov ? (strcmp(ov->source, "ini") == 0 ? "ini" : "cli") : "default";
    char text[64];
    char pkind;
    if (kind == LUA_TNUMBER) {
        pkind = 'n';
        double v;
        const char *shown;
        int as_int = o.integer || lua_isinteger(L, 2);
        /* a Lua integer (default, or a --set value written as one) is kept exact: doubles hold
         * integers only up to 2^53, and math.maxinteger does not even fit back */
        int exact = 0;
        lua_Integer iv = 0;
        if (ov) {
            shown = ov->value;
            char *end;
            const char *s = ov->value;
            while (isspace((unsigned char)*s)) s++;
            errno = 0;
            long long ll = strtoll(s, &end, 10);
            const char *e2 = end;
            while (isspace((unsigned char)*e2)) e2++;
            if (end != s && !*e2 && errno == 0 && as_int) {
                exact = 1;
                iv = (lua_Integer)ll;
            }
            v = strtod(s, &end);
            while (isspace((unsigned char)*end)) end++;
            if (end == s || *end) param_error(L, name, shown, origin, "not a number");
            if (!exact && (v != floor(v) || fabs(v) > 9007199254740992.0)) as_int = 0;
            if (o.integer) as_int = 1;
        } else {
            v = lua_tonumber(L, 2);
            if (lua_isinteger(L, 2)) {
                exact = 1;
                iv = lua_tointeger(L, 2);
            }
            shown = luaL_tolstring(L, 2, NULL); /* stays on the stack while used */
        }
        check_number(L, name, v, exact, shown, origin, &o);
        if (exact) {
            lua_pushinteger(L, iv);
            snprintf(text, sizeof text, "%lld", (long long)iv);
        } else {
            if (as_int) lua_pushinteger(L, (lua_Integer)v); /* |v| <= 2^53, checked above */
            else lua_pushnumber(L, v);
            number_text(v, as_int, text, sizeof text);
        }
        check_choices(L, name, shown, origin, &o);
        register_param(L, name, text, source, pkind, &o);
        return 1;
    }
    if (kind == LUA_TBOOLEAN) {
        pkind = 'b';
        int b = lua_toboolean(L, 2);
        if (ov && !parse_bool(ov->value, &b))
            param_error(L, name, ov->value, origin, "not a boolean (true/false, yes/no, on/off, 1/0)");
        lua_pushboolean(L, b);
        check_choices(L, name, b ? "true" : "false", origin, &o);
        register_param(L, name, b ? "true" : "false", source, pkind, &o);
        return 1;
    }
    pkind = 's';
    const char *s = ov ? ov->value : lua_tostring(L, 2);
    lua_pushstring(L, s);
    check_choices(L, name, s, origin, &o);
    register_param(L, name, s, source, pkind, &o);
    return 1;
}

/* ---- run settings ---- */

static int l_steps(lua_State *L)
{
    sl_host *h = sl_lua_host(L);
    if (!lua_isnoneornil(L, 1)) {
        int isint = 0;
        lua_Integer n = lua_tointegerx(L, 1, &isint);
        if (!isint) {
            if (lua_type(L, 1) == LUA_TNUMBER)
                return luaL_error(L, "swarmlab.steps: step count must be an integer");
            return luaL_typeerror(L, 1, "integer");
        }
        if (n < 0) return luaL_error(L, "swarmlab.steps: step count must be >= 0 (got %I)", n);
        h->default_steps = n;
    }
    long long s = h->run_steps >= 0 ? h->run_steps : h->default_steps;
    if (s < 0) lua_pushnil(L);
    else lua_pushinteger(L, (lua_Integer)s);
    return 1;
}

static int l_seed(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)sl_lua_host(L)->seed);
    return 1;
}

static int l_threads(lua_State *L)
{
    lua_pushinteger(L, sl_lua_host(L)->threads);
    return 1;
}

static int l_stop(lua_State *L)
{
    sl_lua_host(L)->stop = 1;
    return 0;
}

static int l_world(lua_State *L)
{
    slp_host_api_push_world(L);
    return 1;
}

/* ---- results, files, metrics, log ---- */

static int l_result(lua_State *L)
{
    const char *key = luaL_checkstring(L, 1);
    switch (lua_type(L, 2)) {
    case LUA_TNUMBER: sl_lua_result_number(L, key, lua_tonumber(L, 2)); break;
    case LUA_TSTRING: sl_lua_result_string(L, key, lua_tostring(L, 2)); break;
    case LUA_TBOOLEAN:
        sl_lua_result_string(L, key, lua_toboolean(L, 2) ? "true" : "false");
        break;
    default:
        return luaL_error(L, "swarmlab.result: value of '%s' must be a number or a string, not %s",
                          key, luaL_typename(L, 2));
    }
    return 0;
}

static int l_output(lua_State *L)
{
    lua_pushstring(L, sl_lua_output_path(L, luaL_checkstring(L, 1)));
    return 1;
}

static int l_input(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    const char *found = sl_lua_resolve_input(L, path);
    if (!found) {
        lua_pushnil(L);
        lua_pushfstring(L, "%s: no such file (looked in the working directory and next to the "
                           "scenario)", path);
        return 2;
    }
    lua_pushstring(L, found);
    return 1;
}

static int l_record(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
    double v = luaL_checknumber(L, 2);
    sl_recorder *r = sl_world_recorder(sl_lua_world(L));
    int m = sl_recorder_find(r, name);
    if (m < 0)
        return luaL_error(L, "swarmlab.record: no metric named '%s' (declare it with "
                             "world:record{name = '%s', reduce = 'value'})", name, name);
    sl_recorder_set(r, m, v);
    return 0;
}

static int l_log(lua_State *L)
{
    sl_host *h = sl_lua_host(L);
    int n = lua_gettop(L);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (int i = 1; i <= n; i++) {
        if (i > 1) luaL_addchar(&b, ' ');
        luaL_tolstring(L, i, NULL);
        luaL_addvalue(&b);
    }
    luaL_pushresult(&b);
    const char *line = lua_tostring(L, -1);
    if (h->log_fn) h->log_fn(h->log_user, line);
    else if (!h->quiet) fprintf(stderr, "%s\n", line);
    return 0;
}

static int l_rng(lua_State *L)
{
    sl_host *h = sl_lua_host(L);
    lua_Integer stream = luaL_checkinteger(L, 1);
    lua_Integer id = luaL_checkinteger(L, 2);
    lua_Integer step = luaL_optinteger(L, 3, (lua_Integer)sl_world_step_count(h->w));
    luaL_argcheck(L, stream >= 0 && stream <= 0xffffffffLL, 1, "stream must be in 0..2^32-1");
    luaL_argcheck(L, id >= 0, 2, "id must be >= 0");
    luaL_argcheck(L, step >= 0, 3, "step must be >= 0");
    slp_host_api_push_rng(L, h->seed, (uint32_t)stream, (uint64_t)id, (uint64_t)step);
    return 1;
}

static const luaL_Reg swarmlab_funcs[] = {
    {"param", l_param},   {"steps", l_steps},   {"seed", l_seed},     {"threads", l_threads},
    {"stop", l_stop},     {"world", l_world},   {"result", l_result}, {"output", l_output},
    {"input", l_input},   {"record", l_record}, {"log", l_log},       {"rng", l_rng},
    {NULL, NULL},
};

void slp_host_api_open(lua_State *L, void (*open_modules)(lua_State *L))
{
    luaL_newlib(L, swarmlab_funcs);
    lua_pushliteral(L, SWARMLAB_VERSION);
    lua_setfield(L, -2, "version");
    if (open_modules) open_modules(L);
    lua_pushvalue(L, -1);
    lua_setglobal(L, "swarmlab");
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
    lua_pushvalue(L, -2);
    lua_setfield(L, -2, "swarmlab");
    lua_pop(L, 2);
}
