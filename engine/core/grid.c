/* grid.c - uniform-grid neighbour index built by a stable counting sort. */
#include "swarmlab/grid.h"

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

void sl_grid_release(sl_grid *g)
{
    free(g->cell_start);
    free(g->order);
    free(g->cell_of);
    free(g->parts);
    free(g->spill);
    memset(g, 0, sizeof *g);
}

static inline int clampi(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

/* Per-thread bookkeeping of a team build. */
struct sl_grid_part {
    size_t mine;        /* points in this thread's cells */
    size_t nspill;      /* points of its block that belong to other threads' cells */
    int over;           /* its spill list overflowed */
    uint32_t first;     /* first cell of its range at the next build */
};

sl_status sl_grid_reserve(sl_grid *g, size_t n, int threads, sl_error *e)
{
    size_t ncells = (size_t)g->nx * (size_t)g->ny;
    /* ncells + 2: the build counts cell c in slot c + 2 and turns slot c + 1 into its cursor */
    if (ncells + 2 > g->cap_cells) {
        uint32_t *cs = realloc(g->cell_start, (ncells + 2) * sizeof *cs);
        if (!cs) return sl_error_set(e, SL_ERR_NOMEM, "grid: out of memory");
        g->cell_start = cs;
        g->cap_cells = ncells + 2;
    }
    if (n > UINT32_MAX)
        return sl_error_set(e, SL_ERR_RANGE, "grid: %zu points is more than 2^32 - 1", n);
    if (n > g->cap_points) {
        uint32_t *o = realloc(g->order, n * sizeof *o);
        if (!o) return sl_error_set(e, SL_ERR_NOMEM, "grid: out of memory");
        g->order = o;
        uint32_t *c = realloc(g->cell_of, n * sizeof *c);
        if (!c) return sl_error_set(e, SL_ERR_NOMEM, "grid: out of memory");
        g->cell_of = c;
        g->cap_points = n;
    }
    if (threads < 1) threads = 1;
    if (threads > g->cap_parts) {
        struct sl_grid_part *p = realloc(g->parts, (size_t)threads * sizeof *p);
        if (!p) return sl_error_set(e, SL_ERR_NOMEM, "grid: out of memory");
        g->parts = p;
        g->cap_parts = threads;
        g->split_threads = 0; /* no ranges from a previous build for this many threads */
    }
    /* spill lists: 1/32 of the points in all (an eighth of a byte per point), so that a build
     * of points already almost in cell order never scans other threads' blocks */
    size_t spill = threads > 1 ? n / 32 / (size_t)threads + 64 : 0;
    if (spill * (size_t)threads > g->cap_spill) {
        uint32_t *sp = realloc(g->spill, spill * (size_t)threads * sizeof *sp);
        if (!sp) return sl_error_set(e, SL_ERR_NOMEM, "grid: out of memory");
        g->spill = sp;
        g->cap_spill = spill * (size_t)threads;
    }
    return SL_OK;
}

static size_t block_begin(size_t n, int threads, int i)
{
    const size_t base = n / (size_t)threads, extra = n % (size_t)threads, k = (size_t)i;
    return k * base + (k < extra ? k : extra);
}

/* Stable counting sort split by cell ranges; thread t owns cells [c0, c1) and points [b, e).
 *   1. cells of its points; counts those in its cells into cs[c + 2] and lists the others
 *      (its spill list);                                                               barrier
 *   2. counts the points of its cells in the other threads' spill lists;                barrier
 *   3. exclusive prefix from the counts of lower threads: cs[c + 1] = first slot of c;
 *   4. places the points of its cells in index order (the spill lists of lower threads, its own
 *      block, the lists of higher threads) at cs[c + 1]++;                              barrier
 * after which cs[c] is the first slot of cell c for every c in [0, ncells]. If a spill list overflows (points far from cell order,
 * as in the first build), every thread counts and places by scanning all the points instead.
 * Cell ranges come from the previous build (the cell at each block's first slot), so that a
 * thread's cells and points match when the points are in the previous build's order. */
void sl_grid_build_team(sl_grid *g, const double *x, const double *y, size_t n, const sl_team *t)
{
    const size_t ncells = (size_t)g->nx * (size_t)g->ny;
    const int T = t->threads, me = t->thread;
    uint32_t *cs = g->cell_start, *cell_of = g->cell_of, *order = g->order;
    const uint32_t gnx = (uint32_t)g->nx;
    struct sl_grid_part *parts = g->parts;
    size_t b, e, c0, c1;
    sl_team_block(t, n, &b, &e);
    if (T > 1 && g->split_threads == T && g->split_cells == ncells) {
        c0 = parts[me].first;
        c1 = me + 1 < T ? parts[me + 1].first : ncells;
    } else {
        sl_team_block(t, ncells, &c0, &c1);
    }
    const uint32_t lo = (uint32_t)c0, span = (uint32_t)(c1 - c0);
    if (span) memset(cs + c0 + 2, 0, span * sizeof *cs);
    if (me == 0) {
        cs[0] = 0;
        g->n = n;
    }
    const size_t spill_cap = T > 1 ? g->cap_spill / (size_t)T : 0;
    /* no spill area with one thread (g->spill may be NULL: no arithmetic on it) */
    uint32_t *spill = spill_cap ? g->spill + (size_t)me * spill_cap : NULL;
    size_t nspill = 0;
    int over = 0;
    size_t mine = 0;
    for (size_t i = b; i < e; i++) {
        const uint32_t c =
            (uint32_t)sl_grid_cell_y(g, y[i]) * gnx + (uint32_t)sl_grid_cell_x(g, x[i]);
        cell_of[i] = c;
        if (c - lo < span) {
            cs[c + 2]++;
            mine++;
        } else if (nspill < spill_cap) {
            spill[nspill++] = (uint32_t)i;
        } else {
            over = 1;
        }
    }
    parts[me].nspill = nspill;
    parts[me].over = over;
    sl_team_barrier(t);

    int scan_all = 0;
    for (int q = 0; q < T; q++) scan_all |= parts[q].over;
    if (scan_all) {
        if (span) memset(cs + c0 + 2, 0, span * sizeof *cs);
        mine = 0;
        for (size_t i = 0; i < n; i++) {
            const uint32_t c = cell_of[i];
            if (c - lo < span) {
                cs[c + 2]++;
                mine++;
            }
        }
    } else {
        for (int q = 0; q < T; q++) {
            if (q == me) continue;
            const uint32_t *sq = g->spill + (size_t)q * spill_cap;
            for (size_t j = 0; j < parts[q].nspill; j++) {
                const uint32_t c = cell_of[sq[j]];
                if (c - lo < span) {
                    cs[c + 2]++;
                    mine++;
                }
            }
        }
    }
    parts[me].mine = mine;
    sl_team_barrier(t);

    uint32_t run = 0;
    for (int q = 0; q < me; q++) run += (uint32_t)parts[q].mine;
    const size_t s0 = run; /* this thread's slots are [s0, s0 + mine) */
    /* cs[c + 2] is read before cs[c + 1] is written, both in this thread's slots; the last
     * count is not needed (and its slot, cs[c1 + 1], is the next thread's first cursor) */
    for (size_t c = c0; c < c1; c++) {
        const uint32_t cnt = c + 1 < c1 ? cs[c + 2] : 0;
        cs[c + 1] = run;
        run += cnt;
    }
    if (scan_all) {
        for (size_t i = 0; i < n; i++) {
            const uint32_t c = cell_of[i];
            if (c - lo < span) order[cs[c + 1]++] = (uint32_t)i;
        }
    } else {
        for (int q = 0; q < T; q++) {
            if (q == me) {
                for (size_t i = b; i < e; i++) {
                    const uint32_t c = cell_of[i];
                    if (c - lo < span) order[cs[c + 1]++] = (uint32_t)i;
                }
                continue;
            }
            const uint32_t *sq = g->spill + (size_t)q * spill_cap;
            for (size_t j = 0; j < parts[q].nspill; j++) {
                const uint32_t c = cell_of[sq[j]];
                if (c - lo < span) order[cs[c + 1]++] = sq[j];
            }
        }
    }
    if (T > 1) {
        /* ranges for the next build: the cell at the first slot of each thread's block. The
         * thread that placed that slot records it now, before the last barrier, so that a build
         * that follows at once reads finished ranges (and this build's were read before its
         * first barrier). */
        for (int q = 1; q < T; q++) {
            const size_t bb = block_begin(n, T, q);
            if (bb >= s0 && bb < s0 + mine) parts[q].first = cell_of[order[bb]];
            else if (bb >= n && me == 0) parts[q].first = (uint32_t)ncells;
        }
        if (me == 0) {
            parts[0].first = 0;
            g->split_threads = T;
            g->split_cells = ncells;
        }
    }
    sl_team_barrier(t);
}

sl_status sl_grid_build(sl_grid *g, const double *x, const double *y, size_t n, sl_error *e)
{
    sl_status st = sl_grid_reserve(g, n, 1, e);
    if (st != SL_OK) return st;
    sl_team one = {.thread = 0, .threads = 1};
    sl_grid_build_team(g, x, y, n, &one);
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
    return g->cap_cells * sizeof(uint32_t) + g->cap_points * 2 * sizeof(uint32_t) +
           (size_t)g->cap_parts * sizeof(struct sl_grid_part) + g->cap_spill * sizeof(uint32_t);
}
