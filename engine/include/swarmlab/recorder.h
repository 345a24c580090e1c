/* recorder.h - named per-step metrics, reduced deterministically, written as CSV.
 *
 * A metric is either a reduction (sum, mean, min, max, count) of a population column, or a value
 * set by the scenario or a module each step (sl_recorder_set). Reductions are computed in fixed
 * chunks of SL_CHUNK agents whose partial results are combined in chunk order, so a metric is
 * bitwise identical for any thread count. Values are written with 17 significant digits, so
 * identical doubles give identical files.
 *
 * Rows are kept in memory (for the viewer's charts and the Lua API) and, when a CSV file is open,
 * appended to "<path>.part" as they are taken and renamed to <path> by sl_recorder_close(ok=1).
 * Ownership: the world owns its recorder.
 */
#ifndef SWARMLAB_RECORDER_H
#define SWARMLAB_RECORDER_H

#include <stddef.h>
#include <stdint.h>
#include "swarmlab/error.h"
#include "swarmlab/world.h"

typedef enum sl_reduce {
    SL_REDUCE_SUM = 0, SL_REDUCE_MEAN, SL_REDUCE_MIN, SL_REDUCE_MAX, SL_REDUCE_COUNT,
    SL_REDUCE_VALUE      /* set explicitly with sl_recorder_set */
} sl_reduce;

/* The reductions' names in enum order ("sum", "mean", "min", "max", "count", "value"), then NULL. */
extern const char *const sl_reduce_names[];
/* Parses one of sl_reduce_names; -1 otherwise. */
int sl_reduce_parse(const char *s);

/* Deterministic reduction of a population column (count ignores the column). Mean of an empty
 * population is NaN, min/max of an empty population are NaN. */
double sl_pop_reduce(sl_world *w, sl_pop *p, int col, sl_reduce r);

/* Adds a metric. pop/col are ignored for SL_REDUCE_VALUE. Returns its index or -1 with e filled
 * (duplicate name, missing column, metrics added after the first sample). */
int sl_recorder_add(sl_recorder *r, const char *name, sl_pop *pop, int col, sl_reduce red,
                    sl_error *e);
int sl_recorder_find(const sl_recorder *r, const char *name);
int sl_recorder_nmetrics(const sl_recorder *r);
const char *sl_recorder_name(const sl_recorder *r, int metric);

/* Sets a value metric for the current step (kept until set again). */
void sl_recorder_set(sl_recorder *r, int metric, double v);

/* Samples every `every` steps (default 1); step 0 (the initial state) is always sampled. */
void sl_recorder_set_every(sl_recorder *r, uint64_t every);

/* Computes the metrics for `step` and appends a row (called by the world after each step and
 * once for the initial state). */
sl_status sl_recorder_sample(sl_recorder *r, sl_world *w, uint64_t step, sl_error *e);

size_t sl_recorder_nrows(const sl_recorder *r);
uint64_t sl_recorder_row_step(const sl_recorder *r, size_t row);
double sl_recorder_value(const sl_recorder *r, size_t row, int metric);
/* Latest sampled value of a metric (NaN before the first sample). */
double sl_recorder_last(const sl_recorder *r, int metric);

/* Checkpoint support: the value a SL_REDUCE_VALUE metric holds (NaN for other metrics), and
 * replacing all rows and held values at once (nrows rows of steps[] and values[row * nm + k],
 * held[k] for each metric). Fails with SL_ERR_STATE while a CSV file is open. */
double sl_recorder_held(const sl_recorder *r, int metric);
sl_status sl_recorder_restore(sl_recorder *r, size_t nrows, const uint64_t *steps,
                              const double *values, const double *held, sl_error *e);

/* Streams rows to CSV: writes "<path>.part" now (header + rows already taken) and renames it to
 * path when closed with ok = 1; with ok = 0 the .part file is left as evidence. */
sl_status sl_recorder_open_csv(sl_recorder *r, const char *path, sl_error *e);
sl_status sl_recorder_close_csv(sl_recorder *r, int ok, sl_error *e);

#endif
