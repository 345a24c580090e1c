/* run_config.h - INI run configuration: [run] settings and [params] defaults.
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
 * Ownership: sl_run_config_load fills a caller-owned struct; sl_run_config_free releases it.
 */
#ifndef SWARMLAB_CLI_RUN_CONFIG_H
#define SWARMLAB_CLI_RUN_CONFIG_H

#include <stdint.h>

#include "swarmlab/error.h"

typedef struct sl_run_config_param {
    char *name, *value;
    char *origin;   /* "file.ini:LINE" */
} sl_run_config_param;

typedef struct sl_run_config {
    int has_threads, threads;
    int has_seed;
    uint64_t seed;
    int has_steps;
    long long steps;
    char *out;      /* NULL when not given */
    int has_quiet, quiet;
    sl_run_config_param *params;
    int nparams;
} sl_run_config;

sl_status sl_run_config_load(sl_run_config *c, const char *path, sl_error *e);
void sl_run_config_free(sl_run_config *c);

#endif
