/* host_internal.h - state of the Lua scenario host shared by the files of engine/lua (private).
 *
 * host.c owns the sl_host (creation, the protected calls, the instruction budget, the accessors
 * of lua_host.h); api.c builds the `swarmlab` table; api_world.c and api_space.c the userdata
 * types; sandbox.c restricts the standard library.
 */
#ifndef SWARMLAB_LUA_HOST_INTERNAL_H
#define SWARMLAB_LUA_HOST_INTERNAL_H

#include <limits.h>
#include <stdint.h>

#include <lua.h>

#include "swarmlab/lua_host.h"

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

/* Metatable names (registry keys) of the userdata types. */
#define SL_MT_WORLD "swarmlab.world"
#define SL_MT_POP "swarmlab.pop"
#define SL_MT_FIELD "swarmlab.field"
#define SL_MT_GRAPH "swarmlab.graph"
#define SL_MT_PLANE "swarmlab.plane"
#define SL_MT_RECORD "swarmlab.record"
#define SL_MT_RNG "swarmlab.rng"

/* watchdog.c: the wall-clock limits (a thread; see the file's comment). */
typedef struct slp_host_watchdog slp_host_watchdog;
typedef struct slp_host_watchdog_def {
    double run_limit;   /* seconds from the start, 0: none */
    double call_limit;  /* seconds per call (slp_host_watchdog_enter .. leave), 0: none */
    double grace;       /* seconds after a limit ran out before on_stuck */
    int (*on_stuck)(void *user, int which); /* sl_host_def.on_stuck (NULL: a line, _exit) */
    void *user;
} slp_host_watchdog_def;
/* Starts the thread when a limit is set; *out stays NULL when none is. */
sl_status slp_host_watchdog_start(slp_host_watchdog **out, const slp_host_watchdog_def *def, sl_error *e);
void slp_host_watchdog_stop(slp_host_watchdog *wd);      /* NULL is fine */
void slp_host_watchdog_enter(slp_host_watchdog *wd);     /* the outermost call starts */
void slp_host_watchdog_leave(slp_host_watchdog *wd);
/* SL_LIMIT_RUN or SL_LIMIT_CALL once that limit ran out, else 0 (NULL: 0). */
int slp_host_watchdog_expired(const slp_host_watchdog *wd);

typedef struct sl_param_rec {
    char *name;
    char *value;         /* as text */
    const char *source;  /* "default", "ini" or "cli" (static strings) */
    char kind;           /* 'n', 's', 'b' */
    char *doc, *def, *options; /* as declared, for listings (swarmlab params) */
    int tunable;         /* declared with {tunable = true}: min/max give the slider's range */
    double min, max;
    int integer;
} sl_param_rec;

typedef struct sl_override {
    char *name, *value;
    char *source;        /* "cli" or "ini" */
    char *origin;        /* "--set", "run.ini:7" */
    int used;
} sl_override;

typedef struct sl_result_rec {
    char *key;
    int is_number;
    double num;
    char *str;
} sl_result_rec;

struct sl_host {
    lua_State *L;
    sl_world *w;
    char *scenario;      /* as given */
    char *scenario_dir;  /* folder of the scenario ("." when none) */
    char *out_dir;       /* as given, NULL when none */
    char *out_real;      /* realpath of out_dir, NULL when none */
    uint64_t seed;
    int threads, unsafe, quiet;
    void (*log_fn)(void *user, const char *line);
    void *log_user;
    void (*open_modules)(lua_State *L);  /* sl_host_def.open_modules */

    long long budget;    /* instructions per callback */
    long long used;      /* instructions counted in the current callback */
    int hook_period;     /* count-hook period */
    size_t mem_limit;    /* bytes the Lua state may hold */
    size_t mem_used;
    size_t mem_refused;  /* size of a request refused by the cap, 0 after a success */
    int mem_exceeded;    /* a refused request was not satisfied by Lua's retry */
    int exhausted;       /* the budget or the memory limit ended the script: calls fail */
    char exhausted_msg[512];
    int timed_out;       /* the script was ended by a time limit (the watchdog's flag) */
    double time_limit, call_time_limit; /* seconds, 0: none (sl_host_def) */
    slp_host_watchdog *watchdog;  /* NULL when no time limit is set */

    long long default_steps, run_steps;
    int stop;
    int step_system_added;
    int input_error;     /* the last error was a bad parameter value (bad input, no traceback) */
    int depth;           /* protected calls in progress (a module callback nests in one) */
    int in_step;         /* a world step is under way: its callbacks share one budget */
    int callback_failed; /* a nested call failed: its traceback is the one to keep */
    int keep_traceback;  /* the error being raised is that callback's: keep its traceback */

    sl_param_rec *params;
    int nparams, cparams;
    sl_override *overrides;
    int noverrides;
    sl_result_rec *results;
    int nresults, cresults;

    char *traceback;
    char out_buf[PATH_MAX];
    char in_buf[PATH_MAX];
};

/* api.c: creates the `swarmlab` table (global and package.loaded) with the engine's functions,
 * then calls open_modules (may be NULL) with the table on top to add the modules' functions. */
void slp_host_api_open(lua_State *L, void (*open_modules)(lua_State *L));
/* api_world.c: metatables of world, pop, record and rng userdata; the world userdata. */
void slp_host_api_world_register(lua_State *L);
void slp_host_api_push_world(lua_State *L);
void slp_host_api_push_rng(lua_State *L, uint64_t seed, uint32_t stream, uint64_t id, uint64_t step);
/* api_space.c: metatables of field, graph and plane userdata, and the world methods making them. */
void slp_host_api_space_register(lua_State *L);
int slp_host_api_world_field(lua_State *L);
int slp_host_api_world_graph(lua_State *L);
int slp_host_api_world_plane(lua_State *L);
/* Pushes the cached userdata for a world-owned object (one per pointer), creating it with the
 * metatable `mt` on first use. */
void slp_host_api_push_object(lua_State *L, void *ptr, const char *mt);

/* host.c helpers for the API. */
sl_override *slp_host_find_override(sl_host *h, const char *name);
int slp_host_add_param(sl_host *h, const char *name, const char *value, const char *source,
                      char kind);
int slp_host_param_index(const sl_host *h, const char *name);
/* Stores what parameter i was declared with; returns 0, or -1 when out of memory. */
int slp_host_set_param_info(sl_host *h, int i, const char *doc, const char *def,
                           const char *options);
/* Marks parameter i tunable with its range (swarmlab.param option tunable = true). */
void slp_host_set_param_range(sl_host *h, int i, double min, double max, int integer);
/* Called by sl_lua_raise before it raises the error of a failed callback: the run's traceback
 * stays the callback's (the whole stack) instead of the one from where the error is raised. */
void slp_host_keep_traceback(sl_host *h);
/* Commits deferred kills/spawns of every population (after a Lua callback). */
void slp_host_commit_pops(sl_host *h);

/* finalizers.c: in --unsafe mode, setmetatable and debug.setmetatable wrap a __gc function so
 * the finalizer runs in a fresh coroutine, under the instruction budget and the time limits
 * (Lua runs finalizers with hooks off). */
void slp_host_finalizers_install(lua_State *L);
/* Ends the script with msg (the budget, the memory limit or a time limit): the hook then fires
 * at every instruction and every later call fails with the first message. Does not return. */
int slp_host_exhaust(sl_host *h, lua_State *L);

/* sandbox.c */
void slp_host_sandbox_install(lua_State *L, sl_host *h);
/* 1 when a file at `path` may be written (unsafe, or inside the output directory). */
int slp_host_sandbox_may_write(const sl_host *h, const char *path);

#endif
