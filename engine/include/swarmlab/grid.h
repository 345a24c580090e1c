/* grid.h - uniform-grid neighbour index over points on a plane (bounded or toroidal).
 *
 * sl_grid_build() counting-sorts the points by cell (stable: points of a cell keep their input
 * order), so cell c holds order[cell_start[c] .. cell_start[c+1]). The sort also gives a
 * permutation that callers can apply to their population (sl_pop_permute) to keep agents in
 * cell order, which makes neighbour scans cache-friendly.
 *
 * sl_grid_build_team() builds the same index with a team of threads inside one parallel region
 * (team.h): each thread owns a contiguous range of cells, scans all points and places those of
 * its own cells, so the result is the serial one bit for bit whatever the number of threads.
 *
 * Queries visit the cells that intersect the disc of radius r in a fixed order, so the sequence
 * of neighbours reported for a point is deterministic. Distances on a torus use the minimum
 * image. Ownership: the caller owns the sl_grid and releases its memory with sl_grid_release().
 */
#ifndef SWARMLAB_GRID_H
#define SWARMLAB_GRID_H

#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include "swarmlab/error.h"
#include "swarmlab/team.h"

typedef struct sl_grid {
    double width, height;  /* extent of the plane: [0,width) x [0,height) */
    int toroidal;
    double cell;           /* cell side (>= the query radius is fastest) */
    int nx, ny;            /* cells per axis */
    size_t n;              /* points indexed */
    uint32_t *cell_start;  /* nx*ny + 1 entries used (one more is scratch for the build) */
    uint32_t *order;       /* n entries: point indices sorted by cell */
    uint32_t *cell_of;     /* n entries: cell of each input point */
    size_t cap_points, cap_cells;
    /* scratch of a build by a team of threads (grid.c) */
    struct sl_grid_part *parts;
    int cap_parts, split_threads;
    size_t split_cells;
    uint32_t *spill;
    size_t cap_spill;
} sl_grid;

/* Initialises an empty grid for a width x height plane with cells of side >= cell.
 * Fails (SL_ERR_RANGE) for non-positive or non-finite sizes. */
sl_status sl_grid_init(sl_grid *g, double width, double height, double cell, int toroidal,
                       sl_error *e);
void sl_grid_release(sl_grid *g);

/* Indexes n points. Points outside the plane are clamped into the border cells (bounded) or
 * wrapped (toroidal). Serial. Fails only for lack of memory. */
sl_status sl_grid_build(sl_grid *g, const double *x, const double *y, size_t n, sl_error *e);

/* Makes room for n points and a team of `threads` (serial; call before sl_grid_build_team).
 * Fails only for lack of memory. */
sl_status sl_grid_reserve(sl_grid *g, size_t n, int threads, sl_error *e);
/* sl_grid_build() by every thread of a team, after sl_grid_reserve(g, n, t->threads); ends with
 * a barrier, so the whole index is ready when it returns on any thread. */
void sl_grid_build_team(sl_grid *g, const double *x, const double *y, size_t n, const sl_team *t);

/* Cell coordinates of a point. */
static inline int sl_grid_cell_x(const sl_grid *g, double x)
{
    int c = (int)floor(x * g->nx / g->width);
    if (g->toroidal) {
        /* one period off is the common case (a step across the edge): no division */
        if (c >= g->nx) c -= g->nx;
        else if (c < 0) c += g->nx;
        if (c >= g->nx || c < 0) c = ((c % g->nx) + g->nx) % g->nx;
        return c;
    }
    return c < 0 ? 0 : c > g->nx - 1 ? g->nx - 1 : c;
}
static inline int sl_grid_cell_y(const sl_grid *g, double y)
{
    int c = (int)floor(y * g->ny / g->height);
    if (g->toroidal) {
        /* one period off is the common case (a step across the edge): no division */
        if (c >= g->ny) c -= g->ny;
        else if (c < 0) c += g->ny;
        if (c >= g->ny || c < 0) c = ((c % g->ny) + g->ny) % g->ny;
        return c;
    }
    return c < 0 ? 0 : c > g->ny - 1 ? g->ny - 1 : c;
}

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
