/* grid.h - uniform-grid neighbour index over points on a plane (bounded or toroidal).
 *
 * sl_grid_build() counting-sorts the points by cell (stable: points of a cell keep their input
 * order), so cell c holds order[cell_start[c] .. cell_start[c+1]). The sort also gives a
 * permutation that callers can apply to their population (sl_pop_permute) to keep agents in
 * cell order, which makes neighbour scans cache-friendly.
 *
 * Queries visit the cells that intersect the disc of radius r in a fixed order, so the sequence
 * of neighbours reported for a point is deterministic. Distances on a torus use the minimum
 * image. Ownership: the caller owns the sl_grid and frees it with sl_grid_free().
 */
#ifndef SWARMLAB_GRID_H
#define SWARMLAB_GRID_H

#include <stddef.h>
#include <stdint.h>
#include "swarmlab/error.h"

typedef struct sl_grid {
    double width, height;  /* extent of the plane: [0,width) x [0,height) */
    int toroidal;
    double cell;           /* cell side (>= the query radius is fastest) */
    int nx, ny;            /* cells per axis */
    size_t n;              /* points indexed */
    uint32_t *cell_start;  /* nx*ny + 1 entries */
    uint32_t *order;       /* n entries: point indices sorted by cell */
    uint32_t *cell_of;     /* n entries: cell of each input point */
    size_t cap_points, cap_cells;
} sl_grid;

/* Initialises an empty grid for a width x height plane with cells of side >= cell.
 * Fails (SL_ERR_RANGE) for non-positive or non-finite sizes. */
sl_status sl_grid_init(sl_grid *g, double width, double height, double cell, int toroidal,
                       sl_error *e);
void sl_grid_free(sl_grid *g);

/* Indexes n points. Points outside the plane are clamped into the border cells (bounded) or
 * wrapped (toroidal). */
sl_status sl_grid_build(sl_grid *g, const double *x, const double *y, size_t n, sl_error *e);

/* Cell coordinates of a point. */
int sl_grid_cell_x(const sl_grid *g, double x);
int sl_grid_cell_y(const sl_grid *g, double y);

/* Signed shortest displacement from a to b along one axis (minimum image on a torus). */
static inline double sl_wrap_delta(double d, double extent, int toroidal)
{
    if (toroidal) {
        if (d > 0.5 * extent) d -= extent;
        else if (d < -0.5 * extent) d += extent;
    }
    return d;
}

/* Calls fn(j, dx, dy, d2, user) for every indexed point j within distance r of (x, y)
 * (d2 <= r*r), excluding index `self` (pass (size_t)-1 to keep all). dx, dy point from (x, y)
 * to j. Returns the number of neighbours visited. */
typedef void (*sl_grid_visit_fn)(size_t j, double dx, double dy, double d2, void *user);
size_t sl_grid_query(const sl_grid *g, const double *px, const double *py, double x, double y,
                     double r, size_t self, sl_grid_visit_fn fn, void *user);

/* Writes up to max neighbour indices of (x, y) within r into out (deterministic order);
 * returns how many there are in total (may exceed max). */
size_t sl_grid_neighbours(const sl_grid *g, const double *px, const double *py, double x, double y,
                          double r, size_t self, uint32_t *out, size_t max);

size_t sl_grid_bytes(const sl_grid *g);

#endif
