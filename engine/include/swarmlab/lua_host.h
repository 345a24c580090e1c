/* lua_host.h - the Lua 5.4 scenario host, and the helpers agents/ modules use in their bindings.
 *
 * A scenario is a Lua file that reads named parameters (swarmlab.param), builds a world through
 * the `swarmlab` module, and defines only the callbacks it needs: setup(world), step(world, t),
 * finish(world). The host runs every call under lua_pcall with a traceback, so an error reports
 * "scenario.lua:LINE: message". By default the script runs sandboxed: no os.execute, io.popen,
 * loading of binary chunks, or file writes outside the run's output directory; an instruction
 * budget stops a runaway script.
 *
 * Module bindings: an agents/ module has `void opener(lua_State *L)`, called with the `swarmlab`
 * table on top of the stack, that sets its functions there (lua_setfield(L, -2, "aco")). The
 * host calls the one opener it is given (sl_host_def.open_modules); the swarmlab command
 * passes one generated from the modules registered with sl_register_lua_module() in CMake.
 */
#ifndef SWARMLAB_LUA_HOST_H
#define SWARMLAB_LUA_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "swarmlab/error.h"
#include "swarmlab/world.h"

typedef struct lua_State lua_State;
typedef struct sl_host sl_host;

/* Which wall-clock limit ran out (sl_host_def.time_limit / call_time_limit). */
enum { SL_LIMIT_RUN = 1, SL_LIMIT_CALL = 2 };
/* Seconds a C call may go on after a time limit ran out before the process is ended. */
#define SL_HOST_STUCK_GRACE 5.0
/* What the one-line message of that end says after the limit's own message. */
#define SL_WATCHDOG_STUCK "the scenario is stuck in a call that cannot be interrupted (ended " \
                          "after the grace period)"

typedef struct sl_host_def {
    const char *scenario;      /* path of the .lua file */
    const char *out_dir;       /* output directory (NULL: no files may be written) */
    uint64_t seed;
    int threads;               /* >= 1 */
    int unsafe;                /* 1 lifts the sandbox */
    long long instr_budget;    /* Lua VM instructions allowed per callback outside a step and
                                * per world step (all its callbacks); 0 = default */
    long long lua_memory;      /* bytes the Lua state may hold; 0 = a quarter of the machine's
                                * physical memory */
    /* Wall-clock limits in seconds (0: none): time_limit for the whole scenario from
     * sl_host_create, call_time_limit for each callback outside a step and each world step with
     * all its callbacks. When one runs out the script ends with an error no pcall can catch
     * (sl_host_timed_out() tells), module loops stop at their next iteration
     * (sl_lua_check_deadline), and a C call that cannot be interrupted (a pattern match that
     * backtracks) is given stuck_grace seconds (0: SL_HOST_STUCK_GRACE) before on_stuck runs on
     * the watchdog thread. on_stuck must use async-signal-safe calls only (the main thread may
     * hold any lock); returning nonzero ends the process with _exit(2), returning 0 lets it go
     * on. NULL: one line on stderr, then _exit(2). */
    double time_limit, call_time_limit, stuck_grace;
    int (*on_stuck)(void *user, int which);   /* which: SL_LIMIT_RUN or SL_LIMIT_CALL */
    void *stuck_user;
    int nset;                  /* parameter overrides name=value (command line beats INI) */
    const char *const *set_names;
    const char *const *set_values;
    /* Optional, parallel to set_names (NULL: every override is "cli" from "--set"): the source
     * recorded in the manifest ("cli" or "ini") and where the value came from, for error
     * messages ("--set", "run.ini:7"). When a name appears more than once the last one wins,
     * so pass INI entries first and command-line entries after them. */
    const char *const *set_sources;
    const char *const *set_origins;
    int quiet;                 /* 1: swarmlab.log() prints nothing */
    /* Optional sink for swarmlab.log() lines (NULL: a line on stderr unless quiet). */
    void (*log_fn)(void *user, const char *line);
    void *log_user;
    /* Optional: adds module bindings to the `swarmlab` table (on top of the stack when called).
     * NULL: the engine's functions only. */
    void (*open_modules)(lua_State *L);
} sl_host_def;

/* The defaults: seed 0, one thread, the sandbox on, the default instruction budget and memory
 * limit, no overrides, no output directory, the engine's functions only. */
sl_host_def sl_host_def_default(void);
/* Creates the Lua state and the world and runs the scenario file's top level. */
sl_host *sl_host_create(const sl_host_def *cfg, sl_error *e);
void sl_host_destroy(sl_host *h);
sl_world *sl_host_world(sl_host *h);
lua_State *sl_host_lua(sl_host *h);

/* Steps the scenario asks for (swarmlab.steps(n) or the `steps` parameter); -1 when unset. */
long long sl_host_default_steps(const sl_host *h);
/* Tells the scenario how many steps this run takes (what swarmlab.steps() returns). */
void sl_host_set_steps(sl_host *h, long long steps);
sl_status sl_host_setup(sl_host *h, sl_error *e);
/* One world step followed by the scenario's step(world, t); nothing on a done host. */
sl_status sl_host_step(sl_host *h, sl_error *e);
/* The scenario asked to stop early (its step returned false or it called swarmlab.stop()). The
 * caller decides how many steps a run takes otherwise; the host has no step limit of its own. */
bool sl_host_done(const sl_host *h);
sl_status sl_host_finish(sl_host *h, sl_error *e);

/* Parameters as resolved (name, value as text, source "default"|"ini"|"cli"), in declaration
 * order, for the manifest. */
int sl_host_nparams(const sl_host *h);
void sl_host_param(const sl_host *h, int i, const char **name, const char **value,
                   const char **source);
/* Kind of parameter i: 'n' number, 's' string, 'b' boolean (for typed JSON). */
char sl_host_param_kind(const sl_host *h, int i);
/* What parameter i was declared with, for listings: its doc string, its default as text and a
 * summary of its options ("min 1, integer"); "" when none. Valid until sl_host_destroy. */
void sl_host_param_info(const sl_host *h, int i, const char **doc, const char **def,
                        const char **options);
/* Parameter i declared with {tunable = true, min = , max = } (a slider in the viewer): returns 1
 * and its range, or 0. */
int sl_host_param_tunable(const sl_host *h, int i, double *min, double *max, int *integer);
/* Calls the function below nargs arguments on the host's Lua stack like the host's own callbacks
 * (message handler, traceback, a fresh instruction budget), leaving nres results. On error it
 * fills e with "scenario.lua:LINE: message" and pops the error. For the viewer's draw(d). */
sl_status sl_host_call(sl_host *h, int nargs, int nres, sl_error *e);
/* Overrides that no swarmlab.param() declared (reported as an error after load). */
const char *sl_host_unused_override(const sl_host *h);

/* Scenario results for the manifest: numbers and strings set by swarmlab.result(k, v) or by
 * modules through sl_lua_result_*; in insertion order. is_number tells which. */
int sl_host_nresults(const sl_host *h);
void sl_host_result(const sl_host *h, int i, const char **key, double *num, const char **str,
                    int *is_number);

/* SL_LIMIT_RUN or SL_LIMIT_CALL when a time limit ended the script, else 0. */
int sl_host_timed_out(const sl_host *h);
/* The error line of limit `which` ("time limit of 2 s exceeded (--time-limit)") into buf;
 * returns buf. */
const char *sl_limit_message(int which, double time_limit, double call_time_limit, char *buf,
                             size_t n);
/* Closes the Lua state at the end of a successful run, so finalizers run under the budget and
 * the time limits and a failure there fails the run (before its manifest says "ok"). The
 * world and the parameters and results stay. Then stops the time-limit thread. */
sl_status sl_host_close_script(sl_host *h, sl_error *e);

/* Lua traceback of the last scenario error ("stack traceback:\n..."), or "" when none. The
 * sl_error message holds the one-line "scenario.lua:LINE: message". */
const char *sl_host_traceback(const sl_host *h);

/* ---- for module bindings ---- */
sl_host *sl_lua_host(lua_State *L);
sl_world *sl_lua_world(lua_State *L);
/* The state's main thread. A module that keeps a Lua function to call later (an objective, a
 * bid callback) calls it on this thread with a registry reference, never on the thread that
 * created the object: that thread may be a coroutine that is dead and collected by then. */
lua_State *sl_lua_main_thread(lua_State *L);
/* Locks metatable `mt` (getmetatable() returns a string, so a script cannot reach __gc or
 * replace methods). Every module type calls it once after luaL_newmetatable. */
void sl_lua_lock_metatable(lua_State *L, const char *mt);
/* Raises the run's time-limit error when a time limit ran out (then, like the instruction
 * budget, no pcall catches it and every later call fails). A binding whose loop can run long in
 * C (solver iterations) calls it before each iteration. Returns when time is left. */
void sl_lua_check_deadline(lua_State *L);
/* 1 when sl_lua_check_deadline would raise (to free what a binding holds first). */
int sl_lua_time_up(lua_State *L);
/* Full path of a file inside the run's output directory; raises a Lua error when the run has no
 * output directory or the name escapes it. */
const char *sl_lua_output_path(lua_State *L, const char *name);
/* Resolves a data file path as given by the scenario (relative paths: to the working directory
 * first, then to the scenario's folder). Pushes nothing; returns a string valid until the next
 * call, or NULL when the file does not exist. */
const char *sl_lua_resolve_input(lua_State *L, const char *path);
void sl_lua_result_number(lua_State *L, const char *key, double v);
void sl_lua_result_string(lua_State *L, const char *key, const char *v);
/* Sandbox state: modules must refuse to write files outside the output dir when sandboxed. */
int sl_lua_sandboxed(lua_State *L);
/* The population, field or graph behind a userdata argument made by world:population{...},
 * world:field{...} or world:graph{...}; raises a Lua argument error otherwise. */
sl_pop *sl_lua_check_pop(lua_State *L, int arg);
sl_field *sl_lua_check_field(lua_State *L, int arg);
sl_graph *sl_lua_check_graph(lua_State *L, int arg);
/* Pushes the userdata of a population owned by the host's world (one userdata per population). */
void sl_lua_push_pop(lua_State *L, sl_pop *p);

#endif
