/* host.c - the Lua scenario host: state, protected calls, instruction budget, accessors.
 *
 * Every call into the script (top level, setup, step, finish) goes through call_protected(),
 * which installs a message handler that keeps the traceback and resets the instruction budget.
 * The script's step(world, t) runs as the world's last system (a serial hook), so values it sets
 * with swarmlab.record() land in the row the recorder samples for that step.
 *
 * The module helpers of lua_host.h (sl_lua_*) live in this file on purpose: module libraries are
 * linked after swarmlab_lua, and keeping them in the object file that defines sl_host_create makes
 * sure they are always linked in.
 */
#include "host_internal.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lualib.h>

#include "swarmlab/recorder.h"

#define SL_DEFAULT_BUDGET 2000000000LL

sl_host *sl_lua_host(lua_State *L)
{
    return *(sl_host **)lua_getextraspace(L);
}

sl_world *sl_lua_world(lua_State *L)
{
    return sl_lua_host(L)->w;
}

lua_State *sl_lua_main_thread(lua_State *L)
{
    lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_MAINTHREAD);
    lua_State *main = lua_tothread(L, -1);
    lua_pop(L, 1);
    return main;
}

void sl_lua_lock_metatable(lua_State *L, const char *mt)
{
    luaL_getmetatable(L, mt);
    lua_pushliteral(L, "locked");
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 1);
}

static char *dupstr(const char *s)
{
    if (!s) return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

/* ---- the instruction budget and the memory limit ---- */

/* Sets the message that ends the script when the memory limit or a time limit ran out, or (with
 * counted = 1, from the count hook) the instruction budget; returns 1 then. */
static int limit_reached(sl_host *h, lua_State *L, int counted)
{
    int which = slp_host_watchdog_expired(h->watchdog);
    if (h->mem_exceeded || h->mem_refused) {
        snprintf(h->exhausted_msg, sizeof h->exhausted_msg,
                 "Lua memory limit of %lld MiB exceeded (--lua-memory)",
                 (long long)(h->mem_limit >> 20));
    } else if (which) {
        char what[200];
        sl_limit_message(which, h->time_limit, h->call_time_limit, what, sizeof what);
        lua_Debug d;
        int found = 0; /* the running Lua function, or the one that called a module's C loop */
        for (int level = 0; L && level < 2 && !found && lua_getstack(L, level, &d); level++)
            found = lua_getinfo(L, "Sl", &d) && d.currentline > 0;
        if (found)
            snprintf(h->exhausted_msg, sizeof h->exhausted_msg, "%s:%d: %s", d.short_src,
                     d.currentline, what);
        else
            snprintf(h->exhausted_msg, sizeof h->exhausted_msg, "%s", what);
        h->timed_out = which;
    } else if (counted && h->used > h->budget) {
        lua_Debug d;
        if (lua_getstack(L, 0, &d) && lua_getinfo(L, "Sl", &d) && d.currentline > 0)
            snprintf(h->exhausted_msg, sizeof h->exhausted_msg,
                     "%s:%d: instruction budget of %lld exceeded (runaway loop?)",
                     d.short_src, d.currentline, h->budget);
        else
            snprintf(h->exhausted_msg, sizeof h->exhausted_msg,
                     "instruction budget of %lld exceeded (runaway loop?)", h->budget);
    } else {
        return 0;
    }
    return 1;
}

/* Raises the error that ends the script: once the budget, the memory limit or a time limit is
 * exhausted the hook runs at every instruction, so a pcall that catches the error only gets as
 * far as the next instruction, and the host reports the first message whatever the script
 * returns. */
static void budget_hook(lua_State *L, lua_Debug *ar);

int slp_host_exhaust(sl_host *h, lua_State *L)
{
    h->exhausted = 1;
    if (h->L != L) lua_sethook(h->L, budget_hook, LUA_MASKCOUNT, 1);
    lua_sethook(L, budget_hook, LUA_MASKCOUNT, 1);
    lua_pushstring(L, h->exhausted_msg);
    return lua_error(L);
}

static void budget_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    sl_host *h = sl_lua_host(L);
    if (!h->exhausted) {
        h->used += h->hook_period;
        if (!limit_reached(h, L, 1)) return;
    }
    slp_host_exhaust(h, L);
}

void sl_lua_check_deadline(lua_State *L)
{
    sl_host *h = sl_lua_host(L);
    if (h->exhausted || limit_reached(h, L, 0)) slp_host_exhaust(h, L);
}

int sl_lua_time_up(lua_State *L)
{
    sl_host *h = sl_lua_host(L);
    return h->exhausted || slp_host_watchdog_expired(h->watchdog) || h->mem_exceeded;
}

int sl_host_timed_out(const sl_host *h) { return h->timed_out; }

/* Message handler xpcall installs around the script's: Lua runs a message handler for an error
 * raised by a hook with hooks off, so once the budget is exhausted the script's handler is not
 * called at all. */
static int guarded_handler(lua_State *L)
{
    if (sl_lua_host(L)->exhausted) return 1;
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

static int xpcall_done(lua_State *L, int status, lua_KContext ctx)
{
    (void)status;
    (void)ctx;
    return lua_gettop(L);
}

/* xpcall(f, handler, ...) with the handler guarded (f may yield). */
static int guarded_xpcall(lua_State *L)
{
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_pushvalue(L, 2);
    lua_pushcclosure(L, guarded_handler, 1);
    lua_replace(L, 2);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_callk(L, lua_gettop(L) - 1, LUA_MULTRET, 0, xpcall_done);
    return lua_gettop(L);
}

/* Allocator with a cap on the bytes the Lua state holds. A refused request counts as the limit
 * exceeded unless the next request is the same one succeeding (Lua retries once after an
 * emergency collection); the hook then ends the script even if it caught the error. */
static void *capped_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    sl_host *h = ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        free(ptr);
        h->mem_used -= old;
        return NULL;
    }
    if (nsize > old && (nsize - old > h->mem_limit || h->mem_used + (nsize - old) > h->mem_limit)) {
        if (h->mem_refused == nsize || nsize - old > h->mem_limit) h->mem_exceeded = 1;
        h->mem_refused = nsize;
        if (h->mem_exceeded && h->L) lua_sethook(h->L, budget_hook, LUA_MASKCOUNT, 1);
        return NULL;
    }
    void *p = realloc(ptr, nsize);
    if (!p) return NULL;
    h->mem_used = h->mem_used - old + nsize;
    if (nsize > old) {
        if (h->mem_refused && h->mem_refused != nsize) h->mem_exceeded = 1;
        h->mem_refused = 0;
    }
    return p;
}

/* The default memory limit: a quarter of the machine's physical memory (1 GiB when unknown). */
static size_t default_mem_limit(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || size <= 0) return (size_t)1 << 30;
    return (size_t)pages / 4 * (size_t)size;
}

static int panic(lua_State *L)
{
    const char *msg = lua_tostring(L, -1);
    fprintf(stderr, "swarmlab: error: unprotected Lua error: %s\n", msg ? msg : "?");
    return 0; /* Lua aborts */
}

/* ---- protected calls ---- */

/* 1 when msg starts with "something:NUMBER:" (a Lua source position). */
static int has_position(const char *msg)
{
    const char *c = strchr(msg, ':');
    if (!c || c == msg) return 0;
    const char *p = c + 1;
    if (*p < '0' || *p > '9') return 0;
    while (*p >= '0' && *p <= '9') p++;
    return *p == ':';
}

/* Message handler: returns the message (with a source position added when it has none) and
 * keeps the traceback in the host. */
static int message_handler(lua_State *L)
{
    sl_host *h = sl_lua_host(L);
    const char *msg = lua_tostring(L, 1);
    if (!msg) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
            msg = lua_tostring(L, -1);
        else
            msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    }
    if (!has_position(msg)) {
        lua_Debug d;
        for (int level = 1; lua_getstack(L, level, &d); level++) {
            lua_getinfo(L, "Sl", &d);
            if (d.currentline > 0) {
                msg = lua_pushfstring(L, "%s:%d: %s", d.short_src, d.currentline, msg);
                break;
            }
        }
    }
    if (h->keep_traceback) {
        h->keep_traceback = 0; /* the traceback of the failed callback, kept by its call */
    } else {
        luaL_traceback(L, L, NULL, 1);
        free(h->traceback);
        h->traceback = dupstr(lua_tostring(L, -1));
        lua_pop(L, 1);
    }
    lua_pushstring(L, msg);
    return 1;
}

/* Fills e with a one-line version of msg. */
static sl_status set_lua_error(sl_error *e, const char *msg)
{
    sl_error_set(e, SL_ERR_LUA, "%s", msg ? msg : "unknown Lua error");
    if (e) {
        for (char *p = e->msg; *p; p++)
            if (*p == '\n' || *p == '\r' || *p == '\t') *p = ' ';
    }
    return SL_ERR_LUA;
}

void slp_host_keep_traceback(sl_host *h)
{
    h->keep_traceback = h->callback_failed;
    h->callback_failed = 0;
}

/* Calls the function below nargs arguments on the stack; leaves nres results on success. A call
 * made while another is in progress (a module calling a Lua callback on behalf of the script)
 * shares the instruction budget of the outer one, and every call made during one world step
 * (the scenario's step and the callbacks of modules the world steps) shares the step's budget,
 * so a step cannot run forever through many small callbacks. */
static sl_status call_protected(sl_host *h, int nargs, int nres, sl_error *e)
{
    lua_State *L = h->L;
    int base = lua_gettop(L) - nargs;
    lua_pushcfunction(L, message_handler);
    lua_insert(L, base);
    int outermost = h->depth == 0 && !h->in_step;
    if (h->depth == 0) {
        if (!h->in_step) h->used = 0;
        h->callback_failed = 0;
        h->keep_traceback = 0;
    }
    if (outermost) slp_host_watchdog_enter(h->watchdog);
    h->input_error = 0;
    if (!h->exhausted && limit_reached(h, L, 0)) h->exhausted = 1;
    int ran = !h->exhausted;
    h->depth++;
    int rc = ran ? lua_pcall(L, nargs, nres, base) : LUA_ERRRUN;
    h->depth--;
    /* a limit that ran out while C code worked (no hook ran since) ends the script too */
    if (!h->exhausted && limit_reached(h, L, 0)) h->exhausted = 1;
    if (outermost) slp_host_watchdog_leave(h->watchdog);
    if (h->exhausted) {
        /* whatever the call returned: the budget or the memory limit ended the script, and
         * every later call fails the same way */
        lua_settop(L, base - 1);
        if (h->depth > 0) h->callback_failed = 1;
        if (!ran && h->depth == 0) {
            free(h->traceback);
            h->traceback = NULL;
        }
        return set_lua_error(e, h->exhausted_msg);
    }
    lua_remove(L, base);
    if (rc != LUA_OK && h->depth > 0) h->callback_failed = 1;
    if (rc != LUA_OK) {
        set_lua_error(e, lua_tostring(L, -1));
        lua_pop(L, 1);
        if (h->input_error) {
            /* a bad --set/INI value: bad input rather than a script bug */
            free(h->traceback);
            h->traceback = NULL;
            if (e) e->code = SL_ERR_RANGE;
            return SL_ERR_RANGE;
        }
        return SL_ERR_LUA;
    }
    return SL_OK;
}

/* Pushes global `name` when it is a function; returns 0 (pushing nothing) when absent.
 * A global of that name that is not a function is an error. */
static int push_callback(sl_host *h, const char *name, sl_error *e, sl_status *st)
{
    lua_State *L = h->L;
    int t = lua_getglobal(L, name);
    *st = SL_OK;
    if (t == LUA_TFUNCTION) return 1;
    lua_pop(L, 1);
    if (t != LUA_TNIL)
        *st = sl_error_set(e, SL_ERR_LUA, "%s: global '%s' is a %s, expected a function",
                           h->scenario, name, lua_typename(L, t));
    return 0;
}

void slp_host_commit_pops(sl_host *h)
{
    int n = sl_world_npops(h->w);
    for (int i = 0; i < n; i++) sl_pop_commit(sl_world_pop_at(h->w, i));
}

/* ---- creation ---- */

static sl_status copy_overrides(sl_host *h, const sl_host_def *cfg, sl_error *e)
{
    if (cfg->nset <= 0) return SL_OK;
    h->overrides = calloc((size_t)cfg->nset, sizeof *h->overrides);
    if (!h->overrides) return sl_error_set(e, SL_ERR_NOMEM, "out of memory");
    for (int i = 0; i < cfg->nset; i++) {
        sl_override *o = &h->overrides[i];
        o->name = dupstr(cfg->set_names[i]);
        o->value = dupstr(cfg->set_values[i]);
        o->source = dupstr(cfg->set_sources && cfg->set_sources[i] ? cfg->set_sources[i] : "cli");
        o->origin = dupstr(cfg->set_origins && cfg->set_origins[i] ? cfg->set_origins[i]
                                                                     : "--set");
        h->noverrides = i + 1;
        if (!o->name || !o->value || !o->source || !o->origin)
            return sl_error_set(e, SL_ERR_NOMEM, "out of memory");
    }
    return SL_OK;
}

static sl_status set_paths(sl_host *h, const sl_host_def *cfg, sl_error *e)
{
    h->scenario = dupstr(cfg->scenario);
    const char *slash = strrchr(cfg->scenario, '/');
    if (slash == cfg->scenario) {
        h->scenario_dir = dupstr("/");
    } else if (slash) {
        h->scenario_dir = malloc((size_t)(slash - cfg->scenario) + 1);
        if (h->scenario_dir) {
            memcpy(h->scenario_dir, cfg->scenario, (size_t)(slash - cfg->scenario));
            h->scenario_dir[slash - cfg->scenario] = '\0';
        }
    } else {
        h->scenario_dir = dupstr(".");
    }
    if (!h->scenario || !h->scenario_dir) return sl_error_set(e, SL_ERR_NOMEM, "out of memory");
    if (cfg->out_dir) {
        h->out_dir = dupstr(cfg->out_dir);
        h->out_real = realpath(cfg->out_dir, NULL);
        if (!h->out_dir || !h->out_real)
            return sl_error_set(e, SL_ERR_IO, "%s: output directory: %s", cfg->out_dir,
                                strerror(errno));
    }
    return SL_OK;
}

/* Seeds math.random with the run's seed, so scripts using it are reproducible. */
static void seed_math_random(lua_State *L, uint64_t seed)
{
    lua_getglobal(L, "math");
    lua_getfield(L, -1, "randomseed");
    lua_pushinteger(L, (lua_Integer)seed);
    lua_call(L, 1, 0);
    lua_pop(L, 1);
}

static int open_all(lua_State *L)
{
    sl_host *h = lua_touserdata(L, 1);
    luaL_openlibs(L);
    seed_math_random(L, h->seed);
    slp_host_api_world_register(L);
    slp_host_api_space_register(L);
    slp_host_api_open(L, h->open_modules);
    /* require() finds Lua files next to the scenario first */
    lua_getglobal(L, "package");
    lua_pushfstring(L, "%s/?.lua;", h->scenario_dir);
    lua_getfield(L, -2, "path");
    lua_concat(L, 2);
    lua_setfield(L, -2, "path");
    lua_pop(L, 1);
    lua_getglobal(L, "xpcall");
    lua_pushcclosure(L, guarded_xpcall, 1);
    lua_setglobal(L, "xpcall");
    if (!h->unsafe) slp_host_sandbox_install(L, h);
    else slp_host_finalizers_install(L);
    return 0;
}

static sl_status check_overrides_used(sl_host *h, sl_error *e)
{
    const char *unused = sl_host_unused_override(h);
    if (!unused) return SL_OK;
    const sl_override *o = NULL;
    for (int i = 0; i < h->noverrides; i++)
        if (!h->overrides[i].used) { o = &h->overrides[i]; break; }
    char list[600];
    size_t len = 0;
    list[0] = '\0';
    for (int i = 0; i < h->nparams && len < sizeof list - 8; i++) {
        int n = snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", h->params[i].name);
        if (n < 0 || (size_t)n >= sizeof list - len) { strcpy(list + sizeof list - 5, "..."); break; }
        len += (size_t)n;
    }
    return sl_error_set(e, SL_ERR_RANGE, "%s: unknown parameter '%s' (scenario declares: %s)",
                        o->origin, o->name, h->nparams ? list : "none");
}

sl_host_def sl_host_def_default(void)
{
    return (sl_host_def){.threads = 1};
}

sl_host *sl_host_create(const sl_host_def *cfg, sl_error *e)
{
    sl_error_clear(e);
    if (!cfg || !cfg->scenario) {
        sl_error_set(e, SL_ERR_USAGE, "no scenario given");
        return NULL;
    }
    if (cfg->threads < 1) {
        sl_error_set(e, SL_ERR_RANGE, "threads must be at least 1 (got %d)", cfg->threads);
        return NULL;
    }
    if (cfg->instr_budget < 0) {
        sl_error_set(e, SL_ERR_RANGE, "the Lua instruction budget must be positive");
        return NULL;
    }
    sl_host *h = calloc(1, sizeof *h);
    if (!h) {
        sl_error_set(e, SL_ERR_NOMEM, "out of memory");
        return NULL;
    }
    h->seed = cfg->seed;
    h->threads = cfg->threads;
    h->unsafe = cfg->unsafe;
    h->quiet = cfg->quiet;
    h->log_fn = cfg->log_fn;
    h->log_user = cfg->log_user;
    h->open_modules = cfg->open_modules;
    h->budget = cfg->instr_budget > 0 ? cfg->instr_budget : SL_DEFAULT_BUDGET;
    h->hook_period = h->budget < 10000 ? (int)h->budget : 10000;
    h->mem_limit = cfg->lua_memory > 0 ? (size_t)cfg->lua_memory : default_mem_limit();
    h->time_limit = cfg->time_limit;
    h->call_time_limit = cfg->call_time_limit;
    h->default_steps = -1;
    h->run_steps = -1;
    if (set_paths(h, cfg, e) != SL_OK || copy_overrides(h, cfg, e) != SL_OK) goto fail;
    slp_host_watchdog_def wdd = {
        .run_limit = cfg->time_limit,
        .call_limit = cfg->call_time_limit,
        .grace = cfg->stuck_grace > 0 ? cfg->stuck_grace : SL_HOST_STUCK_GRACE,
        .on_stuck = cfg->on_stuck,
        .user = cfg->stuck_user,
    };
    if (slp_host_watchdog_start(&h->watchdog, &wdd, e) != SL_OK) goto fail;

    struct stat st;
    if (stat(cfg->scenario, &st) != 0) {
        sl_error_set(e, SL_ERR_IO, "%s: cannot open scenario: %s", cfg->scenario, strerror(errno));
        goto fail;
    }
    if (!S_ISREG(st.st_mode)) {
        sl_error_set(e, SL_ERR_IO, "%s: not a regular file", cfg->scenario);
        goto fail;
    }
    h->w = sl_world_create(cfg->seed);
    if (!h->w) {
        sl_error_set(e, SL_ERR_NOMEM, "out of memory");
        goto fail;
    }
    sl_world_set_threads(h->w, cfg->threads);
    h->L = lua_newstate(capped_alloc, h);
    if (!h->L) {
        sl_error_set(e, SL_ERR_NOMEM, "cannot create the Lua state (out of memory)");
        goto fail;
    }
    *(sl_host **)lua_getextraspace(h->L) = h;
    lua_atpanic(h->L, panic);
    lua_pushcfunction(h->L, open_all);
    lua_pushlightuserdata(h->L, h);
    if (lua_pcall(h->L, 1, 0, 0) != LUA_OK) {
        sl_error_set(e, SL_ERR_LUA, "cannot open the Lua libraries: %s", lua_tostring(h->L, -1));
        goto fail;
    }
    lua_sethook(h->L, budget_hook, LUA_MASKCOUNT, h->hook_period);

    /* text chunks only: a binary chunk could break the VM */
    int rc = luaL_loadfilex(h->L, cfg->scenario, "t");
    if (rc != LUA_OK) {
        set_lua_error(e, lua_tostring(h->L, -1));
        if (rc == LUA_ERRFILE) e->code = SL_ERR_IO;
        goto fail;
    }
    if (call_protected(h, 0, 0, e) != SL_OK) goto fail;
    slp_host_commit_pops(h);
    if (check_overrides_used(h, e) != SL_OK) goto fail;
    return h;
fail:
    sl_host_destroy(h);
    return NULL;
}

sl_status sl_host_close_script(sl_host *h, sl_error *e)
{
    sl_error_clear(e);
    sl_status st = SL_OK;
    if (h->L) {
        /* the finalizers lua_close runs get a callback's budget and time */
        if (!h->exhausted) h->used = 0;
        slp_host_watchdog_enter(h->watchdog);
        lua_close(h->L);
        h->L = NULL;
        if (!h->exhausted && limit_reached(h, NULL, 0)) h->exhausted = 1;
        slp_host_watchdog_leave(h->watchdog);
        if (h->exhausted) st = set_lua_error(e, h->exhausted_msg);
    }
    slp_host_watchdog_stop(h->watchdog);
    h->watchdog = NULL;
    return st;
}

void sl_host_destroy(sl_host *h)
{
    if (!h) return;
    if (h->L) lua_close(h->L);
    slp_host_watchdog_stop(h->watchdog);
    sl_world_destroy(h->w);
    for (int i = 0; i < h->nparams; i++) {
        free(h->params[i].name);
        free(h->params[i].value);
        free(h->params[i].doc);
        free(h->params[i].def);
        free(h->params[i].options);
    }
    free(h->params);
    for (int i = 0; i < h->noverrides; i++) {
        sl_override *o = &h->overrides[i];
        free(o->name);
        free(o->value);
        free(o->source);
        free(o->origin);
    }
    free(h->overrides);
    for (int i = 0; i < h->nresults; i++) {
        free(h->results[i].key);
        free(h->results[i].str);
    }
    free(h->results);
    free(h->traceback);
    free(h->scenario);
    free(h->scenario_dir);
    free(h->out_dir);
    free(h->out_real);
    free(h);
}

sl_world *sl_host_world(sl_host *h) { return h->w; }
lua_State *sl_host_lua(sl_host *h) { return h->L; }
long long sl_host_default_steps(const sl_host *h)
{
    if (h->default_steps >= 0) return h->default_steps;
    /* a scenario may declare its step count as a parameter named "steps" */
    int i = slp_host_param_index(h, "steps");
    if (i >= 0 && h->params[i].kind == 'n') {
        char *end;
        long long n = strtoll(h->params[i].value, &end, 10);
        if (*end == '\0' && n >= 0) return n;
    }
    return -1;
}
void sl_host_set_steps(sl_host *h, long long steps) { h->run_steps = steps; }
const char *sl_host_traceback(const sl_host *h) { return h->traceback ? h->traceback : ""; }

/* ---- callbacks ---- */

sl_status sl_host_setup(sl_host *h, sl_error *e)
{
    sl_error_clear(e);
    sl_status st;
    if (push_callback(h, "setup", e, &st)) {
        slp_host_api_push_world(h->L);
        st = call_protected(h, 1, 0, e);
        slp_host_commit_pops(h);
    }
    if (st != SL_OK) return st;
    /* the initial state is row 0 even when the run takes no step */
    sl_recorder *r = sl_world_recorder(h->w);
    if (sl_world_step_count(h->w) == 0 && sl_recorder_nrows(r) == 0)
        return sl_recorder_sample(r, h->w, 0, e);
    return SL_OK;
}

/* The world's last system: calls step(world, t) with t the step being completed (1 = first). */
static sl_status step_hook(sl_world *w, void *user, sl_error *e)
{
    sl_host *h = user;
    sl_status st;
    if (!push_callback(h, "step", e, &st)) return st;
    slp_host_api_push_world(h->L);
    lua_pushinteger(h->L, (lua_Integer)sl_world_step_count(w) + 1);
    st = call_protected(h, 2, 1, e);
    if (st != SL_OK) return st;
    if (lua_type(h->L, -1) == LUA_TBOOLEAN && !lua_toboolean(h->L, -1)) h->stop = 1;
    lua_pop(h->L, 1);
    slp_host_commit_pops(h);
    return SL_OK;
}

bool sl_host_done(const sl_host *h) { return h->stop != 0; }

sl_status sl_host_step(sl_host *h, sl_error *e)
{
    sl_error_clear(e);
    if (!h->step_system_added) {
        sl_system_def def = {.name = "lua.step", .pre = step_hook, .user = h};
        if (sl_world_add_system(h->w, &def, e) < 0) return e ? e->code : SL_ERR_STATE;
        h->step_system_added = 1;
    }
    h->used = 0;
    if (!h->exhausted && limit_reached(h, h->L, 0)) h->exhausted = 1;
    if (h->exhausted) return set_lua_error(e, h->exhausted_msg);
    if (h->stop) return SL_OK;
    slp_host_watchdog_enter(h->watchdog);
    h->in_step = 1;
    sl_status st = sl_world_step(h->w, e);
    h->in_step = 0;
    /* a step spent in C code (no Lua call noticed the limit) ends the run too */
    if (st == SL_OK && !h->exhausted && limit_reached(h, h->L, 0)) {
        h->exhausted = 1;
        st = set_lua_error(e, h->exhausted_msg);
    }
    slp_host_watchdog_leave(h->watchdog);
    return st;
}

sl_status sl_host_finish(sl_host *h, sl_error *e)
{
    sl_error_clear(e);
    sl_status st;
    if (push_callback(h, "finish", e, &st)) {
        slp_host_api_push_world(h->L);
        st = call_protected(h, 1, 0, e);
        slp_host_commit_pops(h);
    }
    return st;
}

/* ---- parameters ---- */

sl_override *slp_host_find_override(sl_host *h, const char *name)
{
    sl_override *found = NULL;
    for (int i = 0; i < h->noverrides; i++) {
        if (strcmp(h->overrides[i].name, name) == 0) {
            h->overrides[i].used = 1;
            found = &h->overrides[i];
        }
    }
    return found;
}

int slp_host_param_index(const sl_host *h, const char *name)
{
    for (int i = 0; i < h->nparams; i++)
        if (strcmp(h->params[i].name, name) == 0) return i;
    return -1;
}

int slp_host_add_param(sl_host *h, const char *name, const char *value, const char *source,
                      char kind)
{
    if (h->nparams == h->cparams) {
        int c = h->cparams ? 2 * h->cparams : 16;
        sl_param_rec *p = realloc(h->params, (size_t)c * sizeof *p);
        if (!p) return -1;
        h->params = p;
        h->cparams = c;
    }
    sl_param_rec *p = &h->params[h->nparams];
    p->name = dupstr(name);
    p->value = dupstr(value);
    p->source = source;
    p->kind = kind;
    p->doc = p->def = p->options = NULL;
    p->tunable = 0;
    p->min = p->max = 0;
    p->integer = 0;
    if (!p->name || !p->value) {
        free(p->name);
        free(p->value);
        return -1;
    }
    return h->nparams++;
}

int sl_host_nparams(const sl_host *h) { return h->nparams; }

void sl_host_param(const sl_host *h, int i, const char **name, const char **value,
                   const char **source)
{
    if (name) *name = h->params[i].name;
    if (value) *value = h->params[i].value;
    if (source) *source = h->params[i].source;
}

char sl_host_param_kind(const sl_host *h, int i) { return h->params[i].kind; }

int slp_host_set_param_info(sl_host *h, int i, const char *doc, const char *def,
                           const char *options)
{
    sl_param_rec *p = &h->params[i];
    p->doc = dupstr(doc);
    p->def = dupstr(def);
    p->options = dupstr(options);
    return p->doc && p->def && p->options ? 0 : -1;
}

void sl_host_param_info(const sl_host *h, int i, const char **doc, const char **def,
                        const char **options)
{
    const sl_param_rec *p = &h->params[i];
    if (doc) *doc = p->doc ? p->doc : "";
    if (def) *def = p->def ? p->def : "";
    if (options) *options = p->options ? p->options : "";
}

const char *sl_host_unused_override(const sl_host *h)
{
    for (int i = 0; i < h->noverrides; i++)
        if (!h->overrides[i].used) return h->overrides[i].name;
    return NULL;
}

/* ---- results ---- */

static const char *const reserved_keys[] = {
    "scenario", "scenario_sha256", "params", "seed", "threads", "version", "start_time",
    "wall_seconds", "steps", "steps_planned", "status", "error", NULL,
};

static sl_result_rec *result_slot(lua_State *L, const char *key)
{
    sl_host *h = sl_lua_host(L);
    if (!key || !*key) luaL_error(L, "result key must be a non-empty string");
    for (int i = 0; reserved_keys[i]; i++)
        if (strcmp(key, reserved_keys[i]) == 0)
            luaL_error(L, "result key '%s' is reserved for the manifest", key);
    for (int i = 0; i < h->nresults; i++)
        if (strcmp(h->results[i].key, key) == 0) return &h->results[i];
    if (h->nresults == h->cresults) {
        int c = h->cresults ? 2 * h->cresults : 16;
        sl_result_rec *r = realloc(h->results, (size_t)c * sizeof *r);
        if (!r) luaL_error(L, "out of memory");
        h->results = r;
        h->cresults = c;
    }
    char *k = dupstr(key);
    if (!k) luaL_error(L, "out of memory");
    sl_result_rec *r = &h->results[h->nresults++];
    memset(r, 0, sizeof *r);
    r->key = k;
    return r;
}

void sl_lua_result_number(lua_State *L, const char *key, double v)
{
    sl_result_rec *r = result_slot(L, key);
    free(r->str);
    r->str = NULL;
    r->is_number = 1;
    r->num = v;
}

void sl_lua_result_string(lua_State *L, const char *key, const char *v)
{
    sl_result_rec *r = result_slot(L, key);
    char *s = dupstr(v ? v : "");
    if (!s) luaL_error(L, "out of memory");
    free(r->str);
    r->str = s;
    r->is_number = 0;
    r->num = 0;
}

int sl_host_nresults(const sl_host *h) { return h->nresults; }

void sl_host_result(const sl_host *h, int i, const char **key, double *num, const char **str,
                    int *is_number)
{
    const sl_result_rec *r = &h->results[i];
    if (key) *key = r->key;
    if (num) *num = r->num;
    if (str) *str = r->str;
    if (is_number) *is_number = r->is_number;
}

/* ---- paths for module bindings ---- */

int sl_lua_sandboxed(lua_State *L) { return !sl_lua_host(L)->unsafe; }

const char *sl_lua_output_path(lua_State *L, const char *name)
{
    sl_host *h = sl_lua_host(L);
    if (!h->out_dir) luaL_error(L, "this run has no output directory (cannot write '%s')", name);
    if (!name || !*name || name[0] == '/')
        luaL_error(L, "output file name '%s' must be a relative path", name ? name : "");
    for (const char *p = name; *p;) {
        const char *q = strchr(p, '/');
        size_t len = q ? (size_t)(q - p) : strlen(p);
        if ((len == 2 && p[0] == '.' && p[1] == '.') || len == 0)
            luaL_error(L, "output file name '%s' escapes the output directory", name);
        p += len + (q ? 1 : 0);
        if (q && !*p) luaL_error(L, "output file name '%s' names a directory", name);
    }
    int n = snprintf(h->out_buf, sizeof h->out_buf, "%s/%s", h->out_dir, name);
    if (n < 0 || (size_t)n >= sizeof h->out_buf) luaL_error(L, "output path too long");
    return h->out_buf;
}

const char *sl_lua_resolve_input(lua_State *L, const char *path)
{
    sl_host *h = sl_lua_host(L);
    if (!path || !*path) return NULL;
    if (access(path, R_OK) == 0 || path[0] == '/') {
        if (access(path, R_OK) != 0) return NULL;
        snprintf(h->in_buf, sizeof h->in_buf, "%s", path);
        return h->in_buf;
    }
    int n = snprintf(h->in_buf, sizeof h->in_buf, "%s/%s", h->scenario_dir, path);
    if (n < 0 || (size_t)n >= sizeof h->in_buf) return NULL;
    return access(h->in_buf, R_OK) == 0 ? h->in_buf : NULL;
}

/* ---- for the viewer ---- */

void slp_host_set_param_range(sl_host *h, int i, double min, double max, int integer)
{
    h->params[i].tunable = 1;
    h->params[i].min = min;
    h->params[i].max = max;
    h->params[i].integer = integer;
}

int sl_host_param_tunable(const sl_host *h, int i, double *min, double *max, int *integer)
{
    if (i < 0 || i >= h->nparams || !h->params[i].tunable) return 0;
    *min = h->params[i].min;
    *max = h->params[i].max;
    *integer = h->params[i].integer;
    return 1;
}

sl_status sl_host_call(sl_host *h, int nargs, int nres, sl_error *e)
{
    sl_error_clear(e);
    return call_protected(h, nargs, nres, e);
}
