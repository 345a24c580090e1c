/* run_ini.h - the run's INI file ([run] settings, [params] defaults) and its merge with --set:
 * the one place where the commands run, view and params combine the two (sl_run_overrides_merge).
 *
 *     [run]                 ; every key optional
 *     threads = 2           ; >= 1
 *     seed = 42             ; unsigned 64-bit (decimal or 0x hex)
 *     steps = 500           ; >= 0
 *     out = results/my-run  ; output directory (relative to the working directory)
 *     quiet = true
 *     [params]
 *     n = 400               ; defaults for the scenario's swarmlab.param() values
 *
 * Errors name the file and line: "run.ini:3: threads: expected an integer >= 1, got '0'".
 * Ownership: sl_run_ini_load fills a caller-owned struct; sl_run_ini_release releases it.
 */
#ifndef SWARMLAB_CLI_RUN_INI_H
#define SWARMLAB_CLI_RUN_INI_H

#include <stdint.h>

#include "swarmlab/error.h"

typedef struct sl_run_ini_param {
    char *name, *value;
    char *origin;   /* "file.ini:LINE" */
} sl_run_ini_param;

typedef struct sl_run_ini {
    int has_threads, threads;
    int has_seed;
    uint64_t seed;
    int has_steps;
    long long steps;
    char *out;      /* NULL when not given */
    int has_quiet, quiet;
    sl_run_ini_param *params;
    int nparams;
} sl_run_ini;

sl_status sl_run_ini_load(sl_run_ini *c, const char *path, sl_error *e);
void sl_run_ini_release(sl_run_ini *c);

/* The parameter overrides a scenario gets, as the Lua host takes them (sl_host_def.set_*):
 * the INI [params] entries first, then the --set values in command-line order, so that --set
 * beats the INI file. The four arrays hold n entries (NULL after the last); their strings point
 * into ini and the --set lists, which must outlive the struct. The arrays are owned by the struct
 * and released by sl_run_overrides_release (also after a failed merge). ini may be NULL. */
typedef struct sl_run_overrides {
    int n;
    const char **names, **values, **sources, **origins;
} sl_run_overrides;

sl_status sl_run_overrides_merge(sl_run_overrides *ov, const sl_run_ini *ini, int nset,
                                 char *const *set_names, char *const *set_values, sl_error *e);
void sl_run_overrides_release(sl_run_overrides *ov);

/* Splits a --set argument "NAME=VALUE": *name is a new string (the caller frees it), *value
 * points into arg. A missing '=' or an empty name is a usage error naming the argument. */
sl_status sl_run_split_set(const char *arg, char **name, const char **value, sl_error *e);

#endif
