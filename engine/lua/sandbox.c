/* sandbox.c - restricts the Lua standard library for scenarios (lifted by --unsafe).
 *
 * Removed: os.execute, os.exit, os.tmpname, io.popen, io.tmpfile, package.loadlib and the C
 * module searchers, and most of the debug library (it could remove the instruction budget hook
 * or reach the registry). Restricted: io.open/io.output for writing, os.remove and os.rename
 * only inside the run's output directory; load, loadfile, dofile and require read text chunks
 * only. Reading files anywhere stays allowed.
 */
#include "host_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lualib.h>

/* Canonical form of a path that may not exist yet: realpath of its folder + its last name. */
static char *canonical_target(const char *path)
{
    char *full = realpath(path, NULL);
    if (full) return full;
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) return NULL;
    char *dir;
    if (!slash) dir = realpath(".", NULL);
    else if (slash == path) dir = realpath("/", NULL);
    else {
        size_t n = (size_t)(slash - path);
        char *tmp = malloc(n + 1);
        if (!tmp) return NULL;
        memcpy(tmp, path, n);
        tmp[n] = '\0';
        dir = realpath(tmp, NULL);
        free(tmp);
    }
    if (!dir) return NULL;
    size_t len = strlen(dir) + strlen(base) + 2;
    char *out = malloc(len);
    if (out) snprintf(out, len, "%s/%s", strcmp(dir, "/") == 0 ? "" : dir, base);
    free(dir);
    return out;
}

int slp_host_sandbox_may_write(const sl_host *h, const char *path)
{
    if (h->unsafe) return 1;
    if (!h->out_real || !path || !*path) return 0;
    char *t = canonical_target(path);
    if (!t) return 0;
    size_t n = strlen(h->out_real);
    int ok = strncmp(t, h->out_real, n) == 0 && t[n] == '/';
    free(t);
    return ok;
}

static int refuse(lua_State *L, const char *what, const char *path)
{
    sl_host *h = sl_lua_host(L);
    if (h->out_dir)
        return luaL_error(L, "%s: writing '%s' is not allowed outside the output directory '%s' "
                             "(sandbox; --unsafe lifts it)", what, path, h->out_dir);
    return luaL_error(L, "%s: writing '%s' is not allowed: this run has no output directory "
                         "(sandbox; --unsafe lifts it)", what, path);
}

/* A mode io.open accepts: r, w or a, then an optional '+', then only 'b's. */
static int valid_mode(const char *mode)
{
    if (!*mode || !strchr("rwa", *mode)) return 0;
    mode++;
    if (*mode == '+') mode++;
    return strspn(mode, "b") == strlen(mode);
}

static int writes(const char *mode)
{
    return mode[0] != 'r' || strchr(mode, '+') != NULL;
}

static int close_stream(lua_State *L)
{
    luaL_Stream *p = luaL_checkudata(L, 1, LUA_FILEHANDLE);
    errno = 0;
    return luaL_fileresult(L, fclose(p->f) == 0, NULL);
}

/* Pushes a file handle of the io library for path opened with mode (checked by the caller);
 * on failure pushes fail, a message and an errno like io.open and returns 3. */
static int push_stream(lua_State *L, const char *path, const char *mode)
{
    luaL_Stream *p = lua_newuserdatauv(L, sizeof *p, 0);
    p->closef = NULL; /* closed until fopen succeeds */
    luaL_setmetatable(L, LUA_FILEHANDLE);
    errno = 0;
    p->f = fopen(path, mode);
    if (!p->f) return luaL_fileresult(L, 0, path);
    p->closef = close_stream;
    return 1;
}

/* io.open(path [, mode]) done here, so no original io.open exists in a sandboxed state. */
static int sb_io_open(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    const char *mode = luaL_optstring(L, 2, "r");
    luaL_argcheck(L, valid_mode(mode), 2, "invalid mode");
    if (writes(mode) && !slp_host_sandbox_may_write(sl_lua_host(L), path)) return refuse(L, "io.open", path);
    return push_stream(L, path, mode);
}

/* io.output(path) opens the file here and hands the original io.output a handle only. */
static int sb_io_output(lua_State *L)
{
    if (lua_type(L, 1) == LUA_TSTRING) {
        const char *path = lua_tostring(L, 1);
        if (!slp_host_sandbox_may_write(sl_lua_host(L), path)) return refuse(L, "io.output", path);
        if (push_stream(L, path, "w") != 1) return luaL_error(L, "%s", lua_tostring(L, -2));
        lua_replace(L, 1);
    }
    lua_settop(L, 1);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

static int sb_os_remove(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    if (!slp_host_sandbox_may_write(sl_lua_host(L), path)) return refuse(L, "os.remove", path);
    errno = 0;
    return luaL_fileresult(L, remove(path) == 0, path);
}

static int sb_os_rename(lua_State *L)
{
    const char *from = luaL_checkstring(L, 1);
    const char *to = luaL_checkstring(L, 2);
    if (!slp_host_sandbox_may_write(sl_lua_host(L), from)) return refuse(L, "os.rename", from);
    if (!slp_host_sandbox_may_write(sl_lua_host(L), to)) return refuse(L, "os.rename", to);
    errno = 0;
    return luaL_fileresult(L, rename(from, to) == 0, NULL);
}

/* After a successful load at the top of the stack: sets its first upvalue (_ENV) to the value at
 * index env when that argument was given. */
static void set_env(lua_State *L, int env)
{
    if (lua_isnone(L, env)) return;
    lua_pushvalue(L, env);
    if (!lua_setupvalue(L, -2, 1)) lua_pop(L, 1);
}

/* load(chunk [, name [, mode [, env]]]): text chunks only, parsed here from one buffer. A reader
 * function is called until it returns nil or ""; its pieces are joined before parsing, so no
 * loader of the library is ever on the stack while script code runs. */
static int sb_load(lua_State *L)
{
    size_t len;
    const char *text;
    const char *name;
    if (lua_type(L, 1) == LUA_TSTRING) {
        text = lua_tolstring(L, 1, &len);
        name = luaL_optstring(L, 2, text);
    } else {
        luaL_checktype(L, 1, LUA_TFUNCTION);
        name = luaL_optstring(L, 2, "=(load)");
        luaL_Buffer b;
        luaL_buffinit(L, &b);
        for (;;) {
            lua_pushvalue(L, 1);
            lua_call(L, 0, 1);
            if (lua_isnil(L, -1)) {
                lua_pop(L, 1);
                break;
            }
            if (lua_type(L, -1) != LUA_TSTRING) return luaL_error(L, "reader function must return a string");
            if (lua_rawlen(L, -1) == 0) {
                lua_pop(L, 1);
                break;
            }
            luaL_addvalue(&b);
        }
        luaL_pushresult(&b);
        text = lua_tolstring(L, -1, &len);
    }
    int rc = luaL_loadbufferx(L, text, len, name, "t");
    if (rc != LUA_OK) {
        luaL_pushfail(L);
        lua_insert(L, -2);
        return 2;
    }
    set_env(L, 4);
    return 1;
}

/* loadfile([filename [, mode [, env]]]) with mode forced to "t"; filename required. */
static int sb_loadfile(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    int rc = luaL_loadfilex(L, path, "t");
    if (rc != LUA_OK) {
        luaL_pushfail(L);
        lua_insert(L, -2);
        return 2;
    }
    set_env(L, 3);
    return 1;
}

static int sb_dofile(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    lua_settop(L, 1);
    if (luaL_loadfilex(L, path, "t") != LUA_OK) return lua_error(L);
    lua_call(L, 0, LUA_MULTRET);
    return lua_gettop(L) - 1;
}

/* package.searchers entry: Lua files on package.path, text chunks only. */
static int sb_searcher(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
    lua_getglobal(L, "package");
    lua_getfield(L, -1, "searchpath");
    lua_pushstring(L, name);
    lua_getfield(L, -3, "path");
    lua_call(L, 2, 2);
    if (lua_isnil(L, -2)) return 1; /* the message listing the places tried */
    const char *file = lua_tostring(L, -2);
    if (luaL_loadfilex(L, file, "t") != LUA_OK)
        return luaL_error(L, "error loading module '%s' from file '%s':\n\t%s", name, file,
                          lua_tostring(L, -1));
    lua_pushstring(L, file);
    return 2;
}

/* debug.getinfo([thread,] f [, what]) without the options that return functions ("f") and
 * "L"'s relatives: only names, sources, lines, upvalue/parameter counts and transfer info. A
 * function value taken off the call stack would be the library function a sandbox wrapper is
 * calling. */
static int sb_getinfo(lua_State *L)
{
    int what = lua_type(L, 1) == LUA_TTHREAD ? 3 : 2;
    if (lua_isnoneornil(L, what)) {
        lua_settop(L, what);
        lua_pushliteral(L, "Slnrtu");
        lua_replace(L, what);
    }
    const char *opts = luaL_checkstring(L, what);
    size_t bad = strspn(opts, "SlnrtuL");
    if (opts[bad])
        return luaL_error(L, "debug.getinfo: option '%c' is not available in the sandbox "
                             "(--unsafe lifts it)", opts[bad]);
    lua_settop(L, what);
    /* a level counts from the caller: this wrapper is one more frame on the stack */
    if (lua_type(L, what - 1) == LUA_TNUMBER && (what == 2 || lua_tothread(L, 1) == L)) {
        lua_Integer level = luaL_checkinteger(L, what - 1);
        if (level >= 0 && level < LUA_MAXINTEGER) {
            lua_pushinteger(L, level + 1);
            lua_replace(L, what - 1);
        }
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, what, 1);
    return 1;
}

/* setmetatable(t, mt) refusing a metatable with a __gc field: finalizers run with the
 * instruction budget's hook off, possibly at exit, and in the middle of any allocation. */
static int sb_setmetatable(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    int t = lua_type(L, 2);
    luaL_argexpected(L, t == LUA_TNIL || t == LUA_TTABLE, 2, "nil or table");
    if (t == LUA_TTABLE) {
        lua_pushliteral(L, "__gc");
        if (lua_rawget(L, 2) != LUA_TNIL)
            return luaL_error(L, "setmetatable: __gc finalizers are not available in the sandbox "
                                 "(--unsafe lifts it)");
        lua_pop(L, 1);
    }
    if (luaL_getmetafield(L, 1, "__metatable") != LUA_TNIL)
        return luaL_error(L, "cannot change a protected metatable");
    lua_settop(L, 2);
    lua_setmetatable(L, 1);
    return 1;
}

/* getmetatable(v): tables as usual; for any other value only a __metatable field, so the
 * metatables of strings, files and module userdata cannot be changed (a __gc added to one would
 * be a finalizer). */
static int sb_getmetatable(lua_State *L)
{
    luaL_checkany(L, 1);
    if (!lua_getmetatable(L, 1)) {
        lua_pushnil(L);
        return 1;
    }
    lua_pushliteral(L, "__metatable");
    if (lua_rawget(L, -2) != LUA_TNIL) return 1;
    lua_pop(L, 1);
    if (lua_type(L, 1) != LUA_TTABLE) lua_pushnil(L);
    return 1;
}

static void set(lua_State *L, const char *lib, const char *name, lua_CFunction fn)
{
    lua_getglobal(L, lib);
    lua_pushcfunction(L, fn);
    lua_setfield(L, -2, name);
    lua_pop(L, 1);
}

static void wrap(lua_State *L, const char *lib, const char *name, lua_CFunction fn)
{
    lua_getglobal(L, lib);
    lua_getfield(L, -1, name);
    lua_pushcclosure(L, fn, 1);
    lua_setfield(L, -2, name);
    lua_pop(L, 1);
}

static void drop(lua_State *L, const char *lib, const char *name)
{
    lua_getglobal(L, lib);
    lua_pushnil(L);
    lua_setfield(L, -2, name);
    lua_pop(L, 1);
}

void slp_host_sandbox_install(lua_State *L, sl_host *h)
{
    (void)h;
    drop(L, "os", "execute");
    drop(L, "os", "exit");
    drop(L, "os", "tmpname");
    drop(L, "os", "setlocale"); /* would change how every number is written, in C too */
    drop(L, "io", "popen");
    drop(L, "io", "tmpfile");
    set(L, "io", "open", sb_io_open);
    wrap(L, "io", "output", sb_io_output);
    set(L, "os", "remove", sb_os_remove);
    set(L, "os", "rename", sb_os_rename);

    lua_pushcfunction(L, sb_load);
    lua_setglobal(L, "load");
    lua_pushcfunction(L, sb_loadfile);
    lua_setglobal(L, "loadfile");
    lua_pushcfunction(L, sb_dofile);
    lua_setglobal(L, "dofile");
    lua_pushcfunction(L, sb_setmetatable);
    lua_setglobal(L, "setmetatable");
    lua_pushcfunction(L, sb_getmetatable);
    lua_setglobal(L, "getmetatable");

    /* require: preloaded modules and Lua files only */
    lua_getglobal(L, "package");
    lua_pushnil(L);
    lua_setfield(L, -2, "loadlib");
    lua_pushliteral(L, "");
    lua_setfield(L, -2, "cpath");
    lua_getfield(L, -1, "searchers");
    lua_geti(L, -1, 1);
    lua_newtable(L);
    lua_insert(L, -2);
    lua_rawseti(L, -2, 1);
    lua_pushcfunction(L, sb_searcher);
    lua_rawseti(L, -2, 2);
    lua_setfield(L, -3, "searchers");
    lua_pop(L, 2);

    /* debug: traceback, and getinfo without function values */
    lua_getglobal(L, "debug");
    lua_newtable(L);
    lua_getfield(L, -2, "traceback");
    lua_setfield(L, -2, "traceback");
    lua_getfield(L, -2, "getinfo");
    lua_pushcclosure(L, sb_getinfo, 1);
    lua_setfield(L, -2, "getinfo");
    lua_setglobal(L, "debug");
    lua_pop(L, 1);
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
    lua_getglobal(L, "debug");
    lua_setfield(L, -2, "debug");
    lua_pop(L, 1);
}
