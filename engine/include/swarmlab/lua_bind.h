/* lua_bind.h - the toolkit every Lua binding uses: strict option tables, callbacks, object types.
 *
 * Option tables. sl_lua_opts_open() checks that the value is a table whose keys are all in the
 * binding's list of valid keys; an unknown key raises
 *   unknown option 'capacty' in swarmlab.supply_chain{...}.fleets[1]; did you mean 'capacity'?
 * (the nearest valid key by edit distance, or the whole list when none is close). The getters
 * (sl_lua_opt_*) check type and range and raise an error naming the table and the option:
 *   swarmlab.aco{...}: option 'ants' must be an integer in [1, 100000] (got 0)
 * A getter returns its default when the option is absent (nil). Errors are Lua errors: the host's
 * message handler adds the scenario's file and line.
 *
 * Callbacks. A Lua function given as an option is kept as a registry reference
 * (sl_lua_opt_function) and called with sl_lua_callback_push() + sl_lua_callback_call(): on the
 * state's main thread (the thread that made the object may be a finished coroutine), through the
 * host's protected call, so it has the message handler with the traceback and counts against the
 * instruction budget of the scenario callback that caused it. When its error is raised again in
 * Lua with sl_lua_raise(), the run's traceback stays the callback's (the whole stack).
 *
 * Object types. sl_lua_class() makes a metatable with the methods in __index, an optional __gc
 * and a locked __metatable, and records it so that tests can list every method of every type.
 */
#ifndef SWARMLAB_LUA_BIND_H
#define SWARMLAB_LUA_BIND_H

#include <stdbool.h>
#include <stddef.h>

#include <lua.h>
#include <lauxlib.h>

#include "swarmlab/error.h"

/* Registry table: class name -> metatable, for every type made with sl_lua_class. */
#define SL_LUA_CLASSES_KEY "swarmlab.classes"

/* An option table being read. `t` is its absolute stack index; `name` is how messages show it. */
typedef struct sl_lua_opts {
    lua_State *L;
    int t;
    char name[192];
} sl_lua_opts;

/* Opens the option table at stack index idx, shown as `name` ("swarmlab.aco{...}"). Raises an
 * error when the value is not a table or has a key not in `keys` (NULL-terminated). */
#define sl_lua_opts_open(o, L, idx, name, keys) \
    sl_lua_opts_open_at(o, L, idx, name, keys, __FILE__, __LINE__)
/* Like sl_lua_opts_open, but a nil (absent) argument counts as an empty table. */
#define sl_lua_opts_open_opt(o, L, idx, name, keys) \
    sl_lua_opts_open_opt_at(o, L, idx, name, keys, __FILE__, __LINE__)
/* The nested option table o.key, shown as "<o.name>.key". Returns false (pushing nothing) when
 * absent; otherwise pushes it (it stays on the stack) and opens it as `sub`. */
#define sl_lua_opts_sub(o, key, sub, keys) sl_lua_opts_sub_at(o, key, sub, keys, __FILE__, __LINE__)
/* Element i (1-based) of the array option o.key (see sl_lua_opt_array), which must be a table
 * with keys in `keys`; pushes it and opens it as `sub`, shown as "<o.name>.key[i]". */
#define sl_lua_opts_elem(o, key, i, sub, keys) \
    sl_lua_opts_elem_at(o, key, i, sub, keys, __FILE__, __LINE__)

/* The functions behind the four macros above: `file` and `line` are the binding's call site.
 * When a key is unknown, the call site is recorded in the registry table SL_LUA_OPT_SITES_KEY
 * ("file:line" = true) before the error is raised, so that a test can tell which option tables
 * its misspelt keys reached (tests/lua_bindings.lua checks that every call site was). */
#define SL_LUA_OPT_SITES_KEY "swarmlab.option_sites"
void sl_lua_opts_open_at(sl_lua_opts *o, lua_State *L, int idx, const char *name,
                         const char *const *keys, const char *file, int line);
void sl_lua_opts_open_opt_at(sl_lua_opts *o, lua_State *L, int idx, const char *name,
                             const char *const *keys, const char *file, int line);
bool sl_lua_opts_sub_at(const sl_lua_opts *o, const char *key, sl_lua_opts *sub,
                        const char *const *keys, const char *file, int line);
void sl_lua_opts_elem_at(const sl_lua_opts *o, const char *key, int i, sl_lua_opts *sub,
                         const char *const *keys, const char *file, int line);

/* true when o.key is present (not nil). */
bool sl_lua_opt_has(const sl_lua_opts *o, const char *key);
/* Raises "missing option 'key' in <name>" when o.key is absent. */
void sl_lua_opt_require(const sl_lua_opts *o, const char *key);
/* Raises "<name>: option 'key' <message>" (never returns). */
int sl_lua_opt_error(const sl_lua_opts *o, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A finite number in [lo, hi] (use -HUGE_VAL / HUGE_VAL for no bound). */
double sl_lua_opt_number(const sl_lua_opts *o, const char *key, double def, double lo,
                         double hi);
/* A finite number between lo and hi, each end closed or open as `ends` says: "[]", "(]", "[)" or
 * "()" (the message shows the interval that way: "must be in (0, inf] (got 0)"). */
double sl_lua_opt_interval(const sl_lua_opts *o, const char *key, double def, double lo,
                           double hi, const char *ends);
/* An integer (a number with an integral value) in [lo, hi]. */
lua_Integer sl_lua_opt_integer(const sl_lua_opts *o, const char *key, lua_Integer def,
                               lua_Integer lo, lua_Integer hi);
/* true or false (no other type). */
bool sl_lua_opt_boolean(const sl_lua_opts *o, const char *key, bool def);
/* A string, valid while the option table is alive; def may be NULL. */
const char *sl_lua_opt_string(const sl_lua_opts *o, const char *key, const char *def);
/* One of `names` (NULL-terminated); returns its index, or def when absent. */
int sl_lua_opt_enum(const sl_lua_opts *o, const char *key, const char *const *names, int def);
/* A function: returns a registry reference to it (release with sl_lua_unref), or LUA_NOREF when
 * absent. */
int sl_lua_opt_function(const sl_lua_opts *o, const char *key);
/* An array (a table with keys 1..n and nothing else): returns n, or -1 when absent. */
int sl_lua_opt_array(const sl_lua_opts *o, const char *key);
/* The n numbers of array option o.key, each finite in [lo, hi], into out; the array must have
 * exactly n elements. */
void sl_lua_opt_numbers(const sl_lua_opts *o, const char *key, double *out, int n, double lo,
                        double hi);
/* Element i (1-based) of the array option o.key, which must be a list of exactly n numbers, each
 * finite in [lo, hi] (a point, a pair, a matrix row), into out. Messages name the element:
 *   <name>: option 'key' [i] must be a list of 2 numbers (got 3)
 *   <name>: option 'key' [i][j] must be in [0, 1e+12] (got -1) */
void sl_lua_opt_elem_numbers(const sl_lua_opts *o, const char *key, int i, double *out, int n,
                             double lo, double hi);

/* Edit distance (insertions, deletions, substitutions, swaps of neighbours) between a and b. */
int sl_lua_edit_distance(const char *a, const char *b);
/* The entry of `keys` nearest to `word` when it is close enough to be a likely misspelling,
 * else NULL. */
const char *sl_lua_nearest(const char *word, const char *const *keys);

/* ---- callbacks ---- */

/* A registry reference to the value at idx (on the main thread's registry: the registry is shared
 * by all threads of a state). */
int sl_lua_ref(lua_State *L, int idx);
/* Releases ref (LUA_NOREF and LUA_REFNIL are ignored). */
void sl_lua_unref(lua_State *L, int ref);
/* Pushes the function of reference ref onto the main thread of L's state and returns that thread;
 * push the arguments on the returned thread, then call sl_lua_callback_call on it. */
lua_State *sl_lua_callback_push(lua_State *L, int ref);
/* Calls the function below nargs arguments on the main thread M through the host's protected
 * call, leaving nres results. On error fills e with "scenario.lua:LINE: message" (the traceback
 * is kept by the host) and returns SL_ERR_LUA, leaving nothing on M. */
sl_status sl_lua_callback_call(lua_State *M, int nargs, int nres, sl_error *e);
/* Raises e's message as a Lua error in L, keeping the traceback of the failed callback when e
 * came from one (never returns). */
int sl_lua_raise(lua_State *L, const sl_error *e);

/* ---- object types ---- */

/* Creates the metatable `name` (a registry key) with `methods` in __index, gc as __gc (NULL for
 * none) and __metatable locked; does nothing when it exists. Leaves the stack unchanged. */
void sl_lua_class(lua_State *L, const char *name, const luaL_Reg *methods, lua_CFunction gc);
/* A new userdata of `size` bytes (zeroed) with metatable `name`, pushed. */
void *sl_lua_new_object(lua_State *L, size_t size, const char *name);

#endif
