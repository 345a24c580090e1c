/* grid.c - uniform-grid neighbour index built by a stable counting sort. */
#include "swarmlab/grid.h"

/* Below this many points a parallel region costs more (waking sleeping threads) than it saves. */
#define SL_GRID_PARALLEL_MIN 65536

#include <math.h>
#include <stdlib.h>
#include <string.h>

sl_status sl_grid_init(sl_grid *g, double width, double height, double cell, int toroidal,
                       sl_error *e)
{
    memset(g, 0, sizeof *g);
    if (!(width > 0) || !(height > 0) || !isfinite(width) || !isfinite(height))
        return sl_error_set(e, SL_ERR_RANGE, "grid: plane size %g x %g must be positive", width,
                            height);
    if (!(cell > 0) || !isfinite(cell))
        return sl_error_set(e, SL_ERR_RANGE, "grid: cell size %g must be positive", cell);
    g->width = width;
    g->height = height;
    g->toroidal = toroidal ? 1 : 0;
    double nx = floor(width / cell), ny = floor(height / cell);
    if (nx < 1) nx = 1;
    if (ny < 1) ny = 1;
    if (nx * ny > 1e9)
        return sl_error_set(e, SL_ERR_RANGE, "grid: %g x %g cells is too many", nx, ny);
    g->nx = (int)nx;
    g->ny = (int)ny;
    /* cells tile the plane exactly; each is at least `cell` wide */
    g->cell = width / g->nx;
    if (height / g->ny < g->cell) g->cell = height / g->ny;
    return SL_OK;
}

void sl_grid_free(sl_grid *g)
{
    free(g->cell_start);
    free(g->order);
    free(g->cell_of);
    memset(g, 0, sizeof *g);
}

static inline int clampi(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

int sl_grid_cell_x(const sl_grid *g, double x)
{
    int c = (int)floor(x * g->nx / g->width);
    if (g->toroidal) {
        c %= g->nx;
        if (c < 0) c += g->nx;
        return c;
    }
    return clampi(c, 0, g->nx - 1);
}

int sl_grid_cell_y(const sl_grid *g, double y)
{
    int c = (int)floor(y * g->ny / g->height);
    if (g->toroidal) {
        c %= g->ny;
        if (c < 0) c += g->ny;
        return c;
    }
    return clampi(c, 0, g->ny - 1);
}

sl_status sl_grid_build(sl_grid *g, const double *x, const double *y, size_t n, sl_error *e)
{
    size_t ncells = (size_t)g->nx * (size_t)g->ny;
    if (ncells + 1 > g->cap_cells) {
        uint32_t *cs = realloc(g->cell_start, (ncells + 1) * sizeof *cs);
        if (!cs) return sl_error_set(e, SL_ERR_NOMEM, "grid: out of memory");
        g->cell_start = cs;
        g->cap_cells = ncells + 1;
    }
    if (n > g->cap_points) {
        uint32_t *o = realloc(g->order, n * sizeof *o);
        if (!o) return sl_error_set(e, SL_ERR_NOMEM, "grid: out of memory");
        g->order = o;
        uint32_t *c = realloc(g->cell_of, n * sizeof *c);
        if (!c) return sl_error_set(e, SL_ERR_NOMEM, "grid: out of memory");
        g->cell_of = c;
        g->cap_points = n;
    }
    g->n = n;
    memset(g->cell_start, 0, (ncells + 1) * sizeof *g->cell_start);
    uint32_t *cell_of = g->cell_of;
    const long np = (long)n;
    /* cells in parallel (pure per point); counting and the stable scatter stay serial */
#pragma omp parallel for schedule(static) if (np > SL_GRID_PARALLEL_MIN)
    for (long i = 0; i < np; i++)
        cell_of[i] = (uint32_t)sl_grid_cell_y(g, y[i]) * (uint32_t)g->nx +
                     (uint32_t)sl_grid_cell_x(g, x[i]);
    for (size_t i = 0; i < n; i++) g->cell_start[cell_of[i] + 1]++;
    for (size_t c = 0; c < ncells; c++) g->cell_start[c + 1] += g->cell_start[c];
    /* scatter using cell_start as running cursors, then shift back */
    for (size_t i = 0; i < n; i++) g->order[g->cell_start[g->cell_of[i]]++] = (uint32_t)i;
    for (size_t c = ncells; c > 0; c--) g->cell_start[c] = g->cell_start[c - 1];
    g->cell_start[0] = 0;
    return SL_OK;
}

size_t sl_grid_query(const sl_grid *g, const double *px, const double *py, double x, double y,
                     double r, size_t self, sl_grid_visit_fn fn, void *user)
{
    if (g->n == 0 || !(r >= 0)) return 0;
    const double r2 = r * r;
    int span = (int)ceil(r / g->cell);
    int cx = sl_grid_cell_x(g, x), cy = sl_grid_cell_y(g, y);
    int x0 = cx - span, x1 = cx + span, y0 = cy - span, y1 = cy + span;
    if (g->toroidal) {
        /* never visit a wrapped cell twice */
        if (x1 - x0 + 1 > g->nx) { x0 = 0; x1 = g->nx - 1; }
        if (y1 - y0 + 1 > g->ny) { y0 = 0; y1 = g->ny - 1; }
    } else {
        x0 = clampi(x0, 0, g->nx - 1);
        x1 = clampi(x1, 0, g->nx - 1);
        y0 = clampi(y0, 0, g->ny - 1);
        y1 = clampi(y1, 0, g->ny - 1);
    }
    size_t found = 0;
    for (int yy = y0; yy <= y1; yy++) {
        int wy = yy;
        if (g->toroidal) wy = ((yy % g->ny) + g->ny) % g->ny;
        for (int xx = x0; xx <= x1; xx++) {
            int wx = xx;
            if (g->toroidal) wx = ((xx % g->nx) + g->nx) % g->nx;
            size_t c = (size_t)wy * (size_t)g->nx + (size_t)wx;
            for (uint32_t k = g->cell_start[c]; k < g->cell_start[c + 1]; k++) {
                size_t j = g->order[k];
                if (j == self) continue;
                double dx = sl_wrap_delta(px[j] - x, g->width, g->toroidal);
                double dy = sl_wrap_delta(py[j] - y, g->height, g->toroidal);
                double d2 = dx * dx + dy * dy;
                if (d2 <= r2) {
                    found++;
                    if (fn) fn(j, dx, dy, d2, user);
                }
            }
        }
    }
    return found;
}

typedef struct collect {
    uint32_t *out;
    size_t max, n;
} collect;

static void collect_fn(size_t j, double dx, double dy, double d2, void *user)
{
    (void)dx, (void)dy, (void)d2;
    collect *c = user;
    if (c->n < c->max) c->out[c->n] = (uint32_t)j;
    c->n++;
}

size_t sl_grid_neighbours(const sl_grid *g, const double *px, const double *py, double x, double y,
                          double r, size_t self, uint32_t *out, size_t max)
{
    collect c = {out, max, 0};
    sl_grid_query(g, px, py, x, y, r, self, collect_fn, &c);
    return c.n;
}

size_t sl_grid_bytes(const sl_grid *g)
{
    return g->cap_cells * sizeof(uint32_t) + g->cap_points * 2 * sizeof(uint32_t);
}
