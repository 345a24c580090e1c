/* sandbox.c - restricts the Lua standard library for scenarios (lifted by --unsafe).
 *
 * Removed: os.execute, os.exit, os.tmpname, io.popen, io.tmpfile, package.loadlib and the C
 * module searchers, and most of the debug library (it could remove the instruction budget hook
 * or reach the registry). Restricted: io.open/io.output for writing, os.remove and os.rename
 * only inside the run's output directory; load, loadfile, dofile and require read text chunks
 * only. Reading files anywhere stays allowed.
 */
#include "host_internal.h"

#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

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

int sl_sandbox_may_write(const sl_host *h, const char *path)
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

static int writes(const char *mode)
{
    return strpbrk(mode, "wa+") != NULL;
}

static int sb_io_open(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    const char *mode = luaL_optstring(L, 2, "r");
    if (writes(mode) && !sl_sandbox_may_write(sl_lua_host(L), path)) return refuse(L, "io.open", path);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

static int sb_io_output(lua_State *L)
{
    if (lua_type(L, 1) == LUA_TSTRING) {
        const char *path = lua_tostring(L, 1);
        if (!sl_sandbox_may_write(sl_lua_host(L), path)) return refuse(L, "io.output", path);
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

static int sb_os_remove(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    if (!sl_sandbox_may_write(sl_lua_host(L), path)) return refuse(L, "os.remove", path);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

static int sb_os_rename(lua_State *L)
{
    const char *from = luaL_checkstring(L, 1);
    const char *to = luaL_checkstring(L, 2);
    if (!sl_sandbox_may_write(sl_lua_host(L), from)) return refuse(L, "os.rename", from);
    if (!sl_sandbox_may_write(sl_lua_host(L), to)) return refuse(L, "os.rename", to);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

/* load(chunk [, name [, mode [, env]]]) with mode forced to "t". */
static int sb_load(lua_State *L)
{
    int n = lua_gettop(L);
    if (n < 1) return luaL_error(L, "bad argument #1 to 'load' (value expected)");
    lua_settop(L, n < 4 ? 4 : n);
    if (n < 4) {
        /* keep "no env" as absent, not nil: load treats a given nil env as an empty upvalue */
        lua_pushvalue(L, lua_upvalueindex(1));
        lua_pushvalue(L, 1);
        lua_pushvalue(L, 2);
        lua_pushliteral(L, "t");
        lua_call(L, 3, 2);
        return 2;
    }
    lua_pushliteral(L, "t");
    lua_replace(L, 3);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, 4, 2);
    return 2;
}

/* loadfile([filename [, mode [, env]]]) with mode forced to "t"; filename required. */
static int sb_loadfile(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    int has_env = !lua_isnone(L, 3);
    int rc = luaL_loadfilex(L, path, "t");
    if (rc != LUA_OK) {
        luaL_pushfail(L);
        lua_insert(L, -2);
        return 2;
    }
    if (has_env) {
        lua_pushvalue(L, 3);
        if (!lua_setupvalue(L, -2, 1)) lua_pop(L, 1);
    }
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

void sl_sandbox_install(lua_State *L, sl_host *h)
{
    (void)h;
    drop(L, "os", "execute");
    drop(L, "os", "exit");
    drop(L, "os", "tmpname");
    drop(L, "io", "popen");
    drop(L, "io", "tmpfile");
    wrap(L, "io", "open", sb_io_open);
    wrap(L, "io", "output", sb_io_output);
    wrap(L, "os", "remove", sb_os_remove);
    wrap(L, "os", "rename", sb_os_rename);

    lua_getglobal(L, "load");
    lua_pushcclosure(L, sb_load, 1);
    lua_setglobal(L, "load");
    lua_pushcfunction(L, sb_loadfile);
    lua_setglobal(L, "loadfile");
    lua_pushcfunction(L, sb_dofile);
    lua_setglobal(L, "dofile");

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

    /* debug: only what error reporting needs */
    lua_getglobal(L, "debug");
    lua_newtable(L);
    lua_getfield(L, -2, "traceback");
    lua_setfield(L, -2, "traceback");
    lua_getfield(L, -2, "getinfo");
    lua_setfield(L, -2, "getinfo");
    lua_setglobal(L, "debug");
    lua_pop(L, 1);
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
    lua_getglobal(L, "debug");
    lua_setfield(L, -2, "debug");
    lua_pop(L, 1);
}
