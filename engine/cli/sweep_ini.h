/* sweep_ini.h - an experiment declared in an INI file, for `swarmlab sweep EXPERIMENT.ini`.
 *
 *     [sweep]                       ; every key optional except scenario
 *     scenario = scenarios/flocking.lua   ; relative to the working directory
 *     out = results/flock-sweep
 *     replicates = 5
 *     jobs = 2
 *     base_seed = 1
 *     steps = 200
 *     threads = 1
 *     stop_on_error = false
 *     [grid]                        ; one swept parameter per line
 *     n = 100, 200, 400
 *     cohere = 0:0.06:0.02
 *     [set]                         ; parameters fixed for every run
 *     radius = 5
 *
 * Options on the command line override the file; a --grid of a parameter the file sweeps too
 * replaces the file's axis. Errors name the file and line.
 */
#ifndef SWARMLAB_SWEEP_INI_H
#define SWARMLAB_SWEEP_INI_H

#include "swarmlab/error.h"
#include "sweep.h"

/* Fields set by the file; has_* tell the command which ones the file gave. */
typedef struct sl_sweep_ini {
    int has_replicates, has_jobs, has_seed, has_steps, has_threads, has_stop;
} sl_sweep_ini;

/* Reads path into s (scenario, out, replicates, ..., grid, fixed parameters). */
sl_status sl_sweep_ini_load(sl_sweep *s, sl_sweep_ini *got, const char *path, sl_error *e);

#endif
