/* bind.c - the binding toolkit of lua_bind.h: strict option tables, callbacks, object types.
 *
 * The engine's own bindings (api_world.c, api_space.c) use it too, so this object file is always
 * part of a program that links the host, whatever the order of the module libraries.
 */
#include "host_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "swarmlab/lua_bind.h"

/* ---- messages ---- */

static int raise_text(lua_State *L, const char *text)
{
    lua_pushstring(L, text);
    return lua_error(L);
}

int sl_lua_opt_error(const sl_lua_opts *o, const char *key, const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    char msg[768];
    snprintf(msg, sizeof msg, "%s: option '%s' %s", o->name, key, what);
    return raise_text(o->L, msg);
}

/* A value as shown in messages: numbers and strings by value, other types by name. */
static const char *shown(lua_State *L, int idx, char *buf, size_t n)
{
    if (lua_type(L, idx) == LUA_TNUMBER) {
        if (lua_isinteger(L, idx)) snprintf(buf, n, "%lld", (long long)lua_tointeger(L, idx));
        else snprintf(buf, n, "%.17g", lua_tonumber(L, idx));
    } else if (lua_type(L, idx) == LUA_TSTRING) {
        snprintf(buf, n, "'%.60s'", lua_tostring(L, idx));
    } else {
        snprintf(buf, n, "a %s", luaL_typename(L, idx));
    }
    return buf;
}

/* A bound as shown in messages ("-inf", "1e+06" or "100000"). */
static const char *bound(double v, char *buf, size_t n)
{
    if (isinf(v)) snprintf(buf, n, "%s", v < 0 ? "-inf" : "inf");
    else snprintf(buf, n, "%.15g", v);
    return buf;
}

/* ---- edit distance ---- */

int sl_lua_edit_distance(const char *a, const char *b)
{
    enum { MAXLEN = 63 };
    size_t na = strlen(a), nb = strlen(b);
    if (na > MAXLEN || nb > MAXLEN) return (int)(na > nb ? na : nb);
    int d[MAXLEN + 1][MAXLEN + 1];
    for (size_t i = 0; i <= na; i++) d[i][0] = (int)i;
    for (size_t j = 0; j <= nb; j++) d[0][j] = (int)j;
    for (size_t i = 1; i <= na; i++) {
        for (size_t j = 1; j <= nb; j++) {
            int cost = a[i - 1] != b[j - 1];
            int best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best) best = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < best) best = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[na][nb];
}

const char *sl_lua_nearest(const char *word, const char *const *keys)
{
    const char *best = NULL;
    int bestd = 0;
    for (int i = 0; keys && keys[i]; i++) {
        int d = sl_lua_edit_distance(word, keys[i]);
        if (!best || d < bestd) {
            best = keys[i];
            bestd = d;
        }
    }
    if (!best) return NULL;
    /* close enough: at most a third of the longer word, and at least one edit allowed */
    size_t lw = strlen(word), lk = strlen(best);
    int limit = (int)((lw > lk ? lw : lk) / 3);
    if (limit < 1) limit = 1;
    if (limit > 3) limit = 3;
    return bestd <= limit ? best : NULL;
}

/* ---- option tables ---- */

static int in_list(const char *s, const char *const *keys)
{
    for (int i = 0; keys && keys[i]; i++)
        if (strcmp(s, keys[i]) == 0) return 1;
    return 0;
}

/* Records the binding's call site of an option table that had an unknown key. */
static void record_site(lua_State *L, const char *file, int line)
{
    if (!file) return;
    luaL_checkstack(L, 4, "option table");
    if (lua_getfield(L, LUA_REGISTRYINDEX, SL_LUA_OPT_SITES_KEY) != LUA_TTABLE) {
        lua_pop(L, 1);
        lua_newtable(L);
        lua_pushvalue(L, -1);
        lua_setfield(L, LUA_REGISTRYINDEX, SL_LUA_OPT_SITES_KEY);
    }
    lua_pushfstring(L, "%s:%d", file, line);
    lua_pushboolean(L, 1);
    lua_rawset(L, -3);
    lua_pop(L, 1);
}

static void check_keys(const sl_lua_opts *o, const char *const *keys, const char *file, int line)
{
    lua_State *L = o->L;
    luaL_checkstack(L, 4, "option table");
    lua_pushnil(L);
    while (lua_next(L, o->t)) {
        lua_pop(L, 1);
        if (lua_type(L, -1) != LUA_TSTRING) {
            char buf[96], msg[400];
            snprintf(msg, sizeof msg, "%s: unexpected entry [%s] (options are named: key = value)",
                     o->name, shown(L, -1, buf, sizeof buf));
            raise_text(L, msg);
        }
        const char *k = lua_tostring(L, -1);
        if (in_list(k, keys)) continue;
        record_site(L, file, line);
        char msg[1024];
        const char *near = sl_lua_nearest(k, keys);
        if (near) {
            snprintf(msg, sizeof msg, "unknown option '%.60s' in %s; did you mean '%s'?", k,
                     o->name, near);
        } else {
            int n = snprintf(msg, sizeof msg, "unknown option '%.60s' in %s (valid:", k, o->name);
            for (int i = 0; keys && keys[i] && n > 0 && (size_t)n < sizeof msg - 80; i++)
                n += snprintf(msg + n, sizeof msg - (size_t)n, "%s %s", i ? "," : "", keys[i]);
            if (!keys || !keys[0]) n += snprintf(msg + n, sizeof msg - (size_t)n, " none");
            if (n > 0 && (size_t)n < sizeof msg - 2) strcat(msg, ")");
        }
        raise_text(L, msg);
    }
}

void sl_lua_opts_open_at(sl_lua_opts *o, lua_State *L, int idx, const char *name,
                         const char *const *keys, const char *file, int line)
{
    o->L = L;
    o->t = lua_absindex(L, idx);
    snprintf(o->name, sizeof o->name, "%s", name);
    if (lua_type(L, o->t) != LUA_TTABLE) {
        char buf[96], msg[400];
        snprintf(msg, sizeof msg, "%s: expected an option table, got %s", name,
                 shown(L, o->t, buf, sizeof buf));
        raise_text(L, msg);
    }
    check_keys(o, keys, file, line);
}

void sl_lua_opts_open_opt_at(sl_lua_opts *o, lua_State *L, int idx, const char *name,
                             const char *const *keys, const char *file, int line)
{
    idx = lua_absindex(L, idx);
    if (lua_isnoneornil(L, idx)) {
        lua_newtable(L);
        if (idx < lua_gettop(L)) lua_replace(L, idx);
        else idx = lua_gettop(L);
    }
    sl_lua_opts_open_at(o, L, idx, name, keys, file, line);
}

bool sl_lua_opts_sub_at(const sl_lua_opts *o, const char *key, sl_lua_opts *sub,
                        const char *const *keys, const char *file, int line)
{
    luaL_checkstack(o->L, 8, "option table");
    if (lua_getfield(o->L, o->t, key) == LUA_TNIL) {
        lua_pop(o->L, 1);
        return false;
    }
    char name[sizeof o->name + 64];
    snprintf(name, sizeof name, "%s.%s", o->name, key);
    sl_lua_opts_open_at(sub, o->L, -1, name, keys, file, line);
    return true;
}

void sl_lua_opts_elem_at(const sl_lua_opts *o, const char *key, int i, sl_lua_opts *sub,
                         const char *const *keys, const char *file, int line)
{
    lua_State *L = o->L;
    luaL_checkstack(L, 8, "option table");
    lua_getfield(L, o->t, key);
    if (lua_type(L, -1) != LUA_TTABLE) sl_lua_opt_error(o, key, "must be a list");
    lua_geti(L, -1, i);
    lua_remove(L, -2);
    char name[sizeof o->name + 80];
    snprintf(name, sizeof name, "%s.%s[%d]", o->name, key, i);
    sl_lua_opts_open_at(sub, L, -1, name, keys, file, line);
}

bool sl_lua_opt_has(const sl_lua_opts *o, const char *key)
{
    int t = lua_getfield(o->L, o->t, key);
    lua_pop(o->L, 1);
    return t != LUA_TNIL;
}

void sl_lua_opt_require(const sl_lua_opts *o, const char *key)
{
    if (sl_lua_opt_has(o, key)) return;
    char msg[400];
    snprintf(msg, sizeof msg, "missing option '%s' in %s", key, o->name);
    raise_text(o->L, msg);
}

/* Pushes o.key; returns 0 (pushing nothing) when it is nil. */
static int push_opt(const sl_lua_opts *o, const char *key)
{
    luaL_checkstack(o->L, 4, "option table");
    if (lua_getfield(o->L, o->t, key) != LUA_TNIL) return 1;
    lua_pop(o->L, 1);
    return 0;
}

double sl_lua_opt_interval(const sl_lua_opts *o, const char *key, double def, double lo,
                           double hi, const char *ends)
{
    if (!push_opt(o, key)) return def;
    lua_State *L = o->L;
    char buf[96], b1[32], b2[32];
    if (lua_type(L, -1) != LUA_TNUMBER)
        sl_lua_opt_error(o, key, "must be a number (got %s)", shown(L, -1, buf, sizeof buf));
    double v = lua_tonumber(L, -1);
    if (!isfinite(v))
        sl_lua_opt_error(o, key, "must be a finite number (got %s)", shown(L, -1, buf, sizeof buf));
    int open_lo = ends && ends[0] == '(', open_hi = ends && ends[0] && ends[1] == ')';
    if (v < lo || v > hi || (open_lo && v == lo) || (open_hi && v == hi))
        sl_lua_opt_error(o, key, "must be in %c%s, %s%c (got %s)", open_lo ? '(' : '[',
                         bound(lo, b1, sizeof b1), bound(hi, b2, sizeof b2), open_hi ? ')' : ']',
                         shown(L, -1, buf, sizeof buf));
    lua_pop(L, 1);
    return v;
}

double sl_lua_opt_number(const sl_lua_opts *o, const char *key, double def, double lo, double hi)
{
    return sl_lua_opt_interval(o, key, def, lo, hi, "[]");
}

lua_Integer sl_lua_opt_integer(const sl_lua_opts *o, const char *key, lua_Integer def,
                               lua_Integer lo, lua_Integer hi)
{
    if (!push_opt(o, key)) return def;
    lua_State *L = o->L;
    char buf[96];
    int isint = 0;
    lua_Integer v = lua_type(L, -1) == LUA_TNUMBER ? lua_tointegerx(L, -1, &isint) : 0;
    if (!isint || v < lo || v > hi)
        sl_lua_opt_error(o, key, "must be an integer in [%lld, %lld] (got %s)", (long long)lo,
                         (long long)hi, shown(L, -1, buf, sizeof buf));
    lua_pop(L, 1);
    return v;
}

bool sl_lua_opt_boolean(const sl_lua_opts *o, const char *key, bool def)
{
    if (!push_opt(o, key)) return def;
    char buf[96];
    if (lua_type(o->L, -1) != LUA_TBOOLEAN)
        sl_lua_opt_error(o, key, "must be true or false (got %s)",
                         shown(o->L, -1, buf, sizeof buf));
    bool v = lua_toboolean(o->L, -1);
    lua_pop(o->L, 1);
    return v;
}

const char *sl_lua_opt_string(const sl_lua_opts *o, const char *key, const char *def)
{
    if (!push_opt(o, key)) return def;
    char buf[96];
    if (lua_type(o->L, -1) != LUA_TSTRING)
        sl_lua_opt_error(o, key, "must be a string (got %s)", shown(o->L, -1, buf, sizeof buf));
    const char *s = lua_tostring(o->L, -1);
    lua_pop(o->L, 1); /* still referenced by the option table */
    return s;
}

int sl_lua_opt_enum(const sl_lua_opts *o, const char *key, const char *const *names, int def)
{
    if (!push_opt(o, key)) return def;
    lua_State *L = o->L;
    if (lua_type(L, -1) == LUA_TSTRING) {
        const char *s = lua_tostring(L, -1);
        for (int i = 0; names[i]; i++) {
            if (strcmp(s, names[i]) == 0) {
                lua_pop(L, 1);
                return i;
            }
        }
    }
    char list[512], buf[96];
    size_t n = 0;
    list[0] = '\0';
    for (int i = 0; names[i] && n < sizeof list - 64; i++)
        n += (size_t)snprintf(list + n, sizeof list - n, "%s'%s'", i ? ", " : "", names[i]);
    const char *near = lua_type(L, -1) == LUA_TSTRING ? sl_lua_nearest(lua_tostring(L, -1), names)
                                                       : NULL;
    if (near)
        sl_lua_opt_error(o, key, "must be one of %s (got %s; did you mean '%s'?)", list,
                         shown(L, -1, buf, sizeof buf), near);
    return sl_lua_opt_error(o, key, "must be one of %s (got %s)", list,
                            shown(L, -1, buf, sizeof buf));
}

int sl_lua_opt_function(const sl_lua_opts *o, const char *key)
{
    if (!push_opt(o, key)) return LUA_NOREF;
    char buf[96];
    if (lua_type(o->L, -1) != LUA_TFUNCTION)
        sl_lua_opt_error(o, key, "must be a function (got %s)", shown(o->L, -1, buf, sizeof buf));
    return luaL_ref(o->L, LUA_REGISTRYINDEX);
}

int sl_lua_opt_array(const sl_lua_opts *o, const char *key)
{
    if (!push_opt(o, key)) return -1;
    lua_State *L = o->L;
    char buf[96];
    if (lua_type(L, -1) != LUA_TTABLE)
        sl_lua_opt_error(o, key, "must be a list (got %s)", shown(L, -1, buf, sizeof buf));
    lua_Integer n = (lua_Integer)lua_rawlen(L, -1), count = 0;
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        lua_pop(L, 1);
        int isint = 0;
        lua_Integer k = lua_type(L, -1) == LUA_TNUMBER ? lua_tointegerx(L, -1, &isint) : 0;
        if (!isint || k < 1 || k > n)
            sl_lua_opt_error(o, key, "must be a list (entries 1..n only; found key %s)",
                             shown(L, -1, buf, sizeof buf));
        count++;
    }
    if (count != n) sl_lua_opt_error(o, key, "must be a list without holes");
    if (n > 100000000) sl_lua_opt_error(o, key, "has too many entries");
    lua_pop(L, 1);
    return (int)n;
}

/* The list of n numbers at the top of the stack, shown as option 'key' followed by `at` ("" or
 * "[i]"), into out; pops it. */
static void read_numbers(const sl_lua_opts *o, const char *key, const char *at, double *out, int n,
                         double lo, double hi)
{
    lua_State *L = o->L;
    char buf[96], b1[32], b2[32];
    int len = lua_type(L, -1) == LUA_TTABLE ? (int)lua_rawlen(L, -1) : -1;
    if (len != n) {
        if (len < 0)
            sl_lua_opt_error(o, key, "%s must be a list of %d numbers (got %s)", at, n,
                             shown(L, -1, buf, sizeof buf));
        sl_lua_opt_error(o, key, "%s must be a list of %d numbers (got %d)", at, n, len);
    }
    for (int i = 0; i < n; i++) {
        lua_geti(L, -1, i + 1);
        double v = lua_tonumber(L, -1);
        if (lua_type(L, -1) != LUA_TNUMBER || !isfinite(v))
            sl_lua_opt_error(o, key, "%s[%d] must be a finite number (got %s)", at, i + 1,
                             shown(L, -1, buf, sizeof buf));
        if (v < lo || v > hi)
            sl_lua_opt_error(o, key, "%s[%d] must be in [%s, %s] (got %s)", at, i + 1,
                             bound(lo, b1, sizeof b1), bound(hi, b2, sizeof b2),
                             shown(L, -1, buf, sizeof buf));
        out[i] = v;
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
}

void sl_lua_opt_numbers(const sl_lua_opts *o, const char *key, double *out, int n, double lo,
                        double hi)
{
    int len = sl_lua_opt_array(o, key);
    if (len != n) sl_lua_opt_error(o, key, "must be a list of %d numbers (got %d)", n, len < 0 ? 0 : len);
    lua_getfield(o->L, o->t, key);
    read_numbers(o, key, "", out, n, lo, hi);
}

void sl_lua_opt_elem_numbers(const sl_lua_opts *o, const char *key, int i, double *out, int n,
                             double lo, double hi)
{
    lua_State *L = o->L;
    luaL_checkstack(L, 8, "option table");
    lua_getfield(L, o->t, key);
    if (lua_type(L, -1) != LUA_TTABLE) sl_lua_opt_error(o, key, "must be a list");
    lua_geti(L, -1, i);
    lua_remove(L, -2);
    char at[32];
    snprintf(at, sizeof at, "[%d]", i);
    read_numbers(o, key, at, out, n, lo, hi);
}

/* ---- callbacks ---- */

int sl_lua_ref(lua_State *L, int idx)
{
    lua_pushvalue(L, idx);
    return luaL_ref(L, LUA_REGISTRYINDEX);
}

void sl_lua_unref(lua_State *L, int ref)
{
    if (ref == LUA_NOREF || ref == LUA_REFNIL) return;
    luaL_unref(L, LUA_REGISTRYINDEX, ref);
}

lua_State *sl_lua_callback_push(lua_State *L, int ref)
{
    lua_State *M = sl_lua_host(L)->L;
    luaL_checkstack(M, 24, "callback");
    lua_rawgeti(M, LUA_REGISTRYINDEX, ref);
    return M;
}

sl_status sl_lua_callback_call(lua_State *M, int nargs, int nres, sl_error *e)
{
    sl_host *h = sl_lua_host(M);
    return sl_host_call(h, nargs, nres, e);
}

int sl_lua_raise(lua_State *L, const sl_error *e)
{
    slp_host_keep_traceback(sl_lua_host(L));
    return raise_text(L, e && e->msg[0] ? e->msg : "unknown error");
}

/* ---- object types ---- */

void sl_lua_class(lua_State *L, const char *name, const luaL_Reg *methods, lua_CFunction gc)
{
    luaL_checkstack(L, 6, "class");
    if (!luaL_newmetatable(L, name)) {
        lua_pop(L, 1);
        return;
    }
    lua_newtable(L);
    if (methods) luaL_setfuncs(L, methods, 0);
    lua_setfield(L, -2, "__index");
    if (gc) {
        lua_pushcfunction(L, gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_pushliteral(L, "locked");
    lua_setfield(L, -2, "__metatable");
    /* recorded for the tests that list every method of every type */
    if (lua_getfield(L, LUA_REGISTRYINDEX, SL_LUA_CLASSES_KEY) != LUA_TTABLE) {
        lua_pop(L, 1);
        lua_newtable(L);
        lua_pushvalue(L, -1);
        lua_setfield(L, LUA_REGISTRYINDEX, SL_LUA_CLASSES_KEY);
    }
    lua_pushvalue(L, -2);
    lua_setfield(L, -2, name);
    lua_pop(L, 2);
}

void *sl_lua_new_object(lua_State *L, size_t size, const char *name)
{
    void *p = lua_newuserdatauv(L, size, 0);
    memset(p, 0, size);
    luaL_setmetatable(L, name);
    return p;
}
