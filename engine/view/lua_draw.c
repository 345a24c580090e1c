/* lua_draw.c - the scenario's draw(d) callback: a `d` userdata whose methods draw in world
 * coordinates through the viewer's sl_draw. The userdata is valid only during the call; a
 * scenario that keeps it and uses it later gets a clear error. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "swarmlab/lua_host.h"
#include "view_impl.h"

#define MT_DRAW "swarmlab.view.draw"

typedef struct lua_draw {
    sl_draw *d;
} lua_draw;

static sl_draw *check_draw(lua_State *L)
{
    lua_draw *u = luaL_checkudata(L, 1, MT_DRAW);
    if (!u->d) luaL_error(L, "the draw object is only valid inside draw(d)");
    return u->d;
}

static const struct { const char *name; sl_rgba c; } NAMED[] = {
    { "white", 0xffffffff }, { "black", 0x000000ff }, { "red", 0xf94144ff },
    { "green", 0x90be6dff }, { "blue", 0x4c8df6ff },  { "yellow", 0xf9c74fff },
    { "orange", 0xf3722cff }, { "cyan", 0x4cc9f0ff }, { "magenta", 0xd16ba5ff },
    { "purple", 0xb388ebff }, { "grey", 0x8b949eff }, { "gray", 0x8b949eff },
};

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    c = tolower(c);
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

/* Colour argument: "#rrggbb", "#rrggbbaa", "#rgb", a name, or {r, g, b [, a]} with 0..255. */
static sl_rgba check_color(lua_State *L, int arg, sl_rgba def)
{
    if (lua_isnoneornil(L, arg)) return def;
    if (lua_type(L, arg) == LUA_TTABLE) {
        unsigned v[4] = { 0, 0, 0, 255 };
        for (int i = 0; i < 4; i++) {
            lua_rawgeti(L, arg, i + 1);
            if (!lua_isnil(L, -1)) {
                if (!lua_isnumber(L, -1))
                    luaL_argerror(L, arg, "colour table entries must be numbers 0..255");
                double x = lua_tonumber(L, -1);
                v[i] = x < 0 ? 0 : (x > 255 ? 255 : (unsigned)lround(x));
            } else if (i < 3) {
                luaL_argerror(L, arg, "colour table needs {r, g, b [, a]}");
            }
            lua_pop(L, 1);
        }
        return (v[0] << 24) | (v[1] << 16) | (v[2] << 8) | v[3];
    }
    const char *s = luaL_checkstring(L, arg);
    if (s[0] == '#') {
        size_t n = strlen(s + 1);
        int dig[8];
        for (size_t i = 0; i < n && i < 8; i++) dig[i] = hexval((unsigned char)s[1 + i]);
        int ok = n == 3 || n == 6 || n == 8;
        for (size_t i = 0; ok && i < n; i++) ok = dig[i] >= 0;
        if (ok) {
            if (n == 3)
                return ((sl_rgba)(dig[0] * 17) << 24) | ((sl_rgba)(dig[1] * 17) << 16) |
                       ((sl_rgba)(dig[2] * 17) << 8) | 0xff;
            sl_rgba c = 0;
            for (size_t i = 0; i < n; i++) c = (c << 4) | (sl_rgba)dig[i];
            return n == 6 ? (c << 8) | 0xff : c;
        }
    } else {
        for (size_t i = 0; i < sizeof NAMED / sizeof NAMED[0]; i++)
            if (strcmp(NAMED[i].name, s) == 0) return NAMED[i].c;
    }
    luaL_argerror(L, arg, lua_pushfstring(L, "unknown colour '%s' (use \"#rrggbb\", a name or "
                                             "{r, g, b})", s));
    return def;
}

static double check_finite(lua_State *L, int arg)
{
    double v = luaL_checknumber(L, arg);
    if (!isfinite(v)) luaL_argerror(L, arg, "not a finite number");
    return v;
}

static int l_line(lua_State *L)
{
    sl_draw *d = check_draw(L);
    double x0 = check_finite(L, 2), y0 = check_finite(L, 3);
    double x1 = check_finite(L, 4), y1 = check_finite(L, 5);
    sl_rgba c = check_color(L, 6, 0xffffffff);
    double w = luaL_optnumber(L, 7, 1);
    if (!(w > 0 && w <= 100)) luaL_argerror(L, 7, "width must be in (0, 100] pixels");
    d->line(d, x0, y0, x1, y1, c, w);
    return 0;
}

static int l_circle(lua_State *L)
{
    sl_draw *d = check_draw(L);
    double x = check_finite(L, 2), y = check_finite(L, 3), r = check_finite(L, 4);
    if (r < 0) luaL_argerror(L, 4, "radius must be >= 0");
    sl_rgba c = check_color(L, 5, 0xffffffff);
    d->circle(d, x, y, r, c, lua_toboolean(L, 6));
    return 0;
}

static int l_point(lua_State *L)
{
    sl_draw *d = check_draw(L);
    double x = check_finite(L, 2), y = check_finite(L, 3);
    sl_rgba c = check_color(L, 4, 0xffffffff);
    double s = luaL_optnumber(L, 5, 3);
    if (!(s > 0 && s <= 100)) luaL_argerror(L, 5, "size must be in (0, 100] pixels");
    d->point(d, x, y, c, s);
    return 0;
}

static int l_rect(lua_State *L)
{
    sl_draw *d = check_draw(L);
    double x0 = check_finite(L, 2), y0 = check_finite(L, 3);
    double x1 = check_finite(L, 4), y1 = check_finite(L, 5);
    sl_rgba c = check_color(L, 6, 0xffffffff);
    double w = luaL_optnumber(L, 7, 1);
    if (!(w > 0 && w <= 100)) luaL_argerror(L, 7, "width must be in (0, 100] pixels");
    d->line(d, x0, y0, x1, y0, c, w);
    d->line(d, x1, y0, x1, y1, c, w);
    d->line(d, x1, y1, x0, y1, c, w);
    d->line(d, x0, y1, x0, y0, c, w);
    return 0;
}

static int l_text(lua_State *L)
{
    sl_draw *d = check_draw(L);
    double x = check_finite(L, 2), y = check_finite(L, 3);
    sl_rgba c = check_color(L, 5, 0xffffffff);
    luaL_checkany(L, 4);
    const char *s = luaL_tolstring(L, 4, NULL);
    d->text(d, x, y, s, c);
    return 0;
}

static int l_scale(lua_State *L)
{
    sl_draw *d = check_draw(L);
    lua_pushnumber(L, d->pixels_per_unit(d));
    return 1;
}

static const luaL_Reg METHODS[] = {
    { "line", l_line }, { "circle", l_circle }, { "point", l_point },
    { "rect", l_rect }, { "text", l_text },     { "scale", l_scale },
    { NULL, NULL },
};

int slp_view_lua_has_draw(lua_State *L)
{
    int t = lua_getglobal(L, "draw");
    lua_pop(L, 1);
    return t == LUA_TFUNCTION;
}

static int message_handler(lua_State *L)
{
    const char *msg = lua_tostring(L, 1);
    if (!msg) msg = luaL_tolstring(L, 1, NULL);
    lua_pushstring(L, msg ? msg : "(error object is not a string)");
    return 1;
}

sl_status slp_view_lua_call_draw(lua_State *L, sl_draw *d, sl_error *e)
{
    if (!L) return SL_OK;
    int top = lua_gettop(L);
    if (luaL_newmetatable(L, MT_DRAW)) {
        luaL_newlib(L, METHODS);
        lua_setfield(L, -2, "__index");
        lua_pushliteral(L, "swarmlab.draw");
        lua_setfield(L, -2, "__name");
        lua_pushliteral(L, "locked");
        lua_setfield(L, -2, "__metatable");
    }
    lua_pop(L, 1);
    lua_pushcfunction(L, message_handler);
    if (lua_getglobal(L, "draw") != LUA_TFUNCTION) {
        lua_settop(L, top);
        return SL_OK;
    }
    lua_draw *u = lua_newuserdatauv(L, sizeof *u, 0);
    u->d = d;
    luaL_setmetatable(L, MT_DRAW);
    lua_pushvalue(L, -1);
    int ref = luaL_ref(L, LUA_REGISTRYINDEX);   /* to invalidate it after the call */
    /* A host's state: call like the host's own callbacks (fresh instruction budget). A bare
     * state (its extra space holds NULL) gets a plain protected call. */
    sl_host *h = sl_lua_host(L);
    int rc;
    if (h) {
        rc = sl_host_call(h, 1, 0, e) == SL_OK ? LUA_OK : LUA_ERRRUN;
    } else {
        rc = lua_pcall(L, 1, 0, top + 1);
        if (rc != LUA_OK) {
            sl_error_set(e, SL_ERR_LUA, "%s", lua_tostring(L, -1));
            if (e)
                for (char *p = e->msg; *p; p++)
                    if (*p == '\n' || *p == '\t') *p = ' ';
        }
    }
    lua_settop(L, top);
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
    ((lua_draw *)lua_touserdata(L, -1))->d = NULL;
    lua_pop(L, 1);
    luaL_unref(L, LUA_REGISTRYINDEX, ref);
    return rc == LUA_OK ? SL_OK : SL_ERR_LUA;
}
