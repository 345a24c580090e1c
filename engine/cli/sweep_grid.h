/* sweep_grid.h - the parameter grid of a sweep: axes parsed from "name=v1,v2,v3" or
 * "name=start:stop:step", and the points of their Cartesian product.
 *
 * Values are kept as text, exactly as they are passed to `swarmlab run --set name=value`.
 * Ranges are expanded as start + k*step (never by accumulation) and printed with 15 significant
 * digits, so 0:0.3:0.1 gives 0, 0.1, 0.2, 0.3. Point p enumerates the product with the first axis
 * varying slowest.
 *
 * Ownership: the grid owns its names and values; sl_sweep_grid_release() releases them.
 * Errors: one line naming the origin ("--grid", "exp.ini:7") and the offending spec.
 */
#ifndef SWARMLAB_SWEEP_GRID_H
#define SWARMLAB_SWEEP_GRID_H

#include <stddef.h>
#include "swarmlab/error.h"

#define SL_SWEEP_MAX_VALUES 100000      /* values per axis */
#define SL_SWEEP_MAX_POINTS 10000000    /* points x replicates */

typedef struct sl_grid_axis {
    char *name;
    int nvalues;
    char **values;
} sl_grid_axis;

typedef struct sl_sweep_grid {
    int naxes;
    sl_grid_axis *axes;
} sl_sweep_grid;

void sl_sweep_grid_init(sl_sweep_grid *g);
void sl_sweep_grid_release(sl_sweep_grid *g);

/* Adds an axis from "name=valuespec". */
sl_status sl_sweep_grid_add(sl_sweep_grid *g, const char *spec, const char *origin, sl_error *e);
/* Adds an axis from a name and a value spec ("1,2,3" or "0:1:0.25"). Rejects a bad name, a
 * repeated name, an empty list or empty item, a range that is empty, infinite or has step 0. */
sl_status sl_sweep_grid_add_kv(sl_sweep_grid *g, const char *name, const char *valuespec,
                               const char *origin, sl_error *e);

/* Number of points (1 for a grid without axes). */
size_t sl_sweep_grid_points(const sl_sweep_grid *g);
/* Value of axis `axis` at point `point`. */
const char *sl_sweep_grid_value(const sl_sweep_grid *g, size_t point, int axis);
/* Axis index by name, -1 when absent. */
int sl_sweep_grid_find(const sl_sweep_grid *g, const char *name);

#endif
