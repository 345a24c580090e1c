/* boids.c - synchronous flocking kernel over a cell-sorted population. */
#include "swarmlab/boids.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "swarmlab/checkpoint.h"
#include "swarmlab/grid.h"

typedef struct boids_state {
    sl_boids_def p;
    sl_pop *pop;
    int cx, cy, cvx, cvy;          /* column indices */
    sl_grid grid;
    double *nx, *ny, *nvx, *nvy;   /* next state, written in cell order */
    size_t cap;
    /* per-step column pointers and neighbour-cell layout */
    const double *x, *y, *vx, *vy;
    int span_x, span_y, all_x, all_y;
    uint64_t skip;                 /* columns the kernel writes itself (not permuted) */
} boids_state;

sl_boids_def sl_boids_def_default(void)
{
    sl_boids_def p = {
        .width = 100, .height = 100, .radius = 5, .speed = 1.0, .cohere_factor = 0.03,
        .separation = 1.0, .separate_factor = 0.015, .match_factor = 0.05,
    };
    return p;
}

sl_status sl_boids_check(const sl_boids_def *bp, sl_error *e)
{
    if (!(bp->width > 0) || !(bp->height > 0) || !isfinite(bp->width) || !isfinite(bp->height))
        return sl_error_set(e, SL_ERR_RANGE, "boids: plane %g x %g must have positive finite sides",
                            bp->width, bp->height);
    if (!(bp->radius > 0) || !isfinite(bp->radius))
        return sl_error_set(e, SL_ERR_RANGE, "boids: radius %g must be positive and finite",
                            bp->radius);
    if (!(bp->speed >= 0) || !isfinite(bp->speed))
        return sl_error_set(e, SL_ERR_RANGE, "boids: speed %g must be >= 0 and finite", bp->speed);
    if (!(bp->separation >= 0) || !isfinite(bp->separation))
        return sl_error_set(e, SL_ERR_RANGE, "boids: separation %g must be >= 0", bp->separation);
    if (!isfinite(bp->cohere_factor) || !isfinite(bp->separate_factor) ||
        !isfinite(bp->match_factor))
        return sl_error_set(e, SL_ERR_RANGE, "boids: factors must be finite numbers");
    return SL_OK;
}

static void state_free(void *ptr)
{
    boids_state *s = ptr;
    if (!s) return;
    sl_grid_release(&s->grid);
    free(s->nx);
    free(s->ny);
    free(s->nvx);
    free(s->nvy);
    free(s);
}

static int column(sl_pop *pop, const char *name, sl_error *e)
{
    int c = sl_pop_column(pop, name);
    if (c >= 0) {
        if (sl_pop_column_type(pop, c) != SL_F64) {
            sl_error_set(e, SL_ERR_RANGE, "boids: column '%s' of '%s' must be f64", name,
                         sl_pop_name(pop));
            return -1;
        }
        return c;
    }
    return sl_pop_add_column(pop, name, SL_F64, e);
}

static sl_status boids_pre(sl_world *w, void *user, sl_error *e)
{
    boids_state *s = user;
    size_t n = sl_pop_count(s->pop);
    /* the next-state buffers are swapped with the columns, so they match the column capacity */
    size_t cap = sl_pop_capacity(s->pop);
    if (cap != s->cap) {
        double **bufs[4] = {&s->nx, &s->ny, &s->nvx, &s->nvy};
        for (int i = 0; i < 4; i++) {
            double *b = realloc(*bufs[i], (cap ? cap : 1) * sizeof(double));
            if (!b) return sl_error_set(e, SL_ERR_NOMEM, "boids: out of memory for %zu birds", n);
            *bufs[i] = b;
        }
        s->cap = cap;
    }
    s->x = sl_pop_f64(s->pop, s->cx);
    s->y = sl_pop_f64(s->pop, s->cy);
    s->vx = sl_pop_f64(s->pop, s->cvx);
    s->vy = sl_pop_f64(s->pop, s->cvy);
    return sl_grid_reserve(&s->grid, n, sl_world_threads(w), e);
}

static inline double wrap_pos(double v, double extent)
{
    if (v >= extent) v -= extent;
    else if (v < 0) v += extent;
    if (v >= extent || v < 0) v = fmod(fmod(v, extent) + extent, extent);
    if (v >= extent) v = 0; /* fmod rounding at the top edge */
    return v;
}

static void boids_chunk(sl_ctx *ctx)
{
    boids_state *s = ctx->user;
    const sl_grid *g = &s->grid;
    const double *x = s->x, *y = s->y, *vx = s->vx, *vy = s->vy;
    const uint32_t *order = g->order, *cs = g->cell_start;
    const double W = g->width, H = g->height, r2 = s->p.radius * s->p.radius;
    const double sep2 = s->p.separation * s->p.separation;
    const int gnx = g->nx, gny = g->ny;
    const int lx = s->all_x ? 0 : -s->span_x, hx = s->all_x ? gnx - 1 : s->span_x;
    const int ly = s->all_y ? 0 : -s->span_y, hy = s->all_y ? gny - 1 : s->span_y;
    const double halfW = 0.5 * W, halfH = 0.5 * H;

    for (size_t k = ctx->begin; k < ctx->end; k++) {
        const uint32_t a = order[k];
        const double px = x[a], py = y[a];
        const uint32_t cell = g->cell_of[a];
        const int cx = (int)(cell % (uint32_t)gnx), cy = (int)(cell / (uint32_t)gnx);
        double chx = 0, chy = 0, sx = 0, sy = 0, mx = 0, my = 0;
        long nn = 0;
        for (int oy = ly; oy <= hy; oy++) {
            int yy = s->all_y ? oy : cy + oy;
            if (yy < 0) yy += gny;
            else if (yy >= gny) yy -= gny;
            for (int ox = lx; ox <= hx; ox++) {
                int xx = s->all_x ? ox : cx + ox;
                if (xx < 0) xx += gnx;
                else if (xx >= gnx) xx -= gnx;
                const uint32_t c = (uint32_t)yy * (uint32_t)gnx + (uint32_t)xx;
                for (uint32_t q = cs[c]; q < cs[c + 1]; q++) {
                    const uint32_t j = order[q];
                    double dx = x[j] - px, dy = y[j] - py;
                    if (dx > halfW) dx -= W;
                    else if (dx < -halfW) dx += W;
                    if (dy > halfH) dy -= H;
                    else if (dy < -halfH) dy += H;
                    const double d2 = dx * dx + dy * dy;
                    if (d2 > r2 || j == a) continue;
                    nn++;
                    chx += dx;
                    chy += dy;
                    if (d2 < sep2) {
                        sx -= dx;
                        sy -= dy;
                    }
                    mx += vx[j];
                    my += vy[j];
                }
            }
        }
        const double inv = 1.0 / (double)(nn > 0 ? nn : 1);
        double nvx = (vx[a] + chx * inv * s->p.cohere_factor + sx * inv * s->p.separate_factor +
                      mx * inv * s->p.match_factor) / 2;
        double nvy = (vy[a] + chy * inv * s->p.cohere_factor + sy * inv * s->p.separate_factor +
                      my * inv * s->p.match_factor) / 2;
        const double norm = sqrt(nvx * nvx + nvy * nvy);
        if (norm > 0) {
            nvx /= norm;
            nvy /= norm;
        } else {
            nvx = vx[a];
            nvy = vy[a];
        }
        s->nvx[k] = nvx;
        s->nvy[k] = nvy;
        s->nx[k] = wrap_pos(px + nvx * s->p.speed, W);
        s->ny[k] = wrap_pos(py + nvy * s->p.speed, H);
    }
}

/* Birds per work item of the kernel: about 15 microseconds of work, so that the threads reach
 * the barrier after the kernel within the short time they spin before sleeping (docs/engine.md).
 * A bird costs about 80 ns plus 12 ns per candidate neighbour examined (measured at radius 5 and
 * 15); candidates = birds per cell times cells scanned. 120 birds at radius 5 and density 0.02,
 * 34 at radius 15. */
static size_t kernel_grain(const boids_state *s, size_t n)
{
    const double cells = (double)s->grid.nx * s->grid.ny;
    const double scanned = (double)(s->all_x ? s->grid.nx : 2 * s->span_x + 1) *
                           (double)(s->all_y ? s->grid.ny : 2 * s->span_y + 1);
    const double candidates = (double)n / cells * scanned;
    double grain = 1500.0 / (8.0 + candidates);
    if (grain < 16) grain = 16;
    if (grain > 1024) grain = 1024;
    return (size_t)grain;
}

/* The whole step in one parallel region: sort the birds by cell, compute the next state in that
 * order, then carry every other column and the ids over to the new order. */
static void boids_team(const sl_team *t)
{
    boids_state *s = t->user;
    const size_t n = sl_pop_count(s->pop);
    sl_grid_build_team(&s->grid, s->x, s->y, n, t);
    /* per-bird results, so the grain is free: a fine one keeps the threads finishing together */
    sl_team_for(t, n, kernel_grain(s, n), boids_chunk, s);
    /* nothing reads the old x column any more: it is the scratch buffer of the permutation */
    sl_pop_permute_team(s->pop, s->grid.order, (void *)(uintptr_t)s->x, s->skip, t);
}

static sl_status boids_post(sl_world *w, void *user, sl_error *e)
{
    (void)w;
    boids_state *s = user;
    size_t n = sl_pop_count(s->pop);
    if (n != s->grid.n)
        return sl_error_set(e, SL_ERR_STATE, "boids: population '%s' changed size during the step",
                            sl_pop_name(s->pop));
    /* the next state, already in the new order, becomes the columns */
    sl_pop_swap_column(s->pop, s->cx, (void **)&s->nx);
    sl_pop_swap_column(s->pop, s->cy, (void **)&s->ny);
    sl_pop_swap_column(s->pop, s->cvx, (void **)&s->nvx);
    sl_pop_swap_column(s->pop, s->cvy, (void **)&s->nvy);
    return SL_OK;
}

static void attach_name(const sl_pop *pop, char *buf, size_t n)
{
    snprintf(buf, n, "boids:%s", sl_pop_name(pop));
}

sl_status sl_boids_attach(sl_world *w, sl_pop *pop, const sl_boids_def *bp, sl_error *e)
{
    sl_status st = sl_boids_check(bp, e);
    if (st != SL_OK) return st;
    char name[96];
    attach_name(pop, name, sizeof name);
    if (sl_world_attached(w, name))
        return sl_error_set(e, SL_ERR_STATE, "boids: population '%s' already flocks",
                            sl_pop_name(pop));
    boids_state *s = calloc(1, sizeof *s);
    if (!s) return sl_error_set(e, SL_ERR_NOMEM, "out of memory");
    s->p = *bp;
    s->pop = pop;
    if ((s->cx = column(pop, "x", e)) < 0 || (s->cy = column(pop, "y", e)) < 0 ||
        (s->cvx = column(pop, "vx", e)) < 0 || (s->cvy = column(pop, "vy", e)) < 0) {
        free(s);
        return e ? e->code : SL_ERR_RANGE;
    }
    if ((st = sl_grid_init(&s->grid, bp->width, bp->height, bp->radius, 1, e)) != SL_OK) {
        free(s);
        return st;
    }
    s->skip = ((uint64_t)1 << s->cx) | ((uint64_t)1 << s->cy) | ((uint64_t)1 << s->cvx) |
              ((uint64_t)1 << s->cvy);
    /* cells a neighbourhood spans, at most the whole grid (a radius larger than the plane) */
    double span_x = ceil(bp->radius / (bp->width / s->grid.nx));
    double span_y = ceil(bp->radius / (bp->height / s->grid.ny));
    s->span_x = span_x < s->grid.nx ? (int)span_x : s->grid.nx;
    s->span_y = span_y < s->grid.ny ? (int)span_y : s->grid.ny;
    s->all_x = 2 * s->span_x + 1 >= s->grid.nx;
    s->all_y = 2 * s->span_y + 1 >= s->grid.ny;
    if ((st = sl_world_attach(w, name, s, state_free, e)) != SL_OK) {
        state_free(s);
        return st;
    }
    /* parameters and a neighbour grid rebuilt every step: nothing for a checkpoint to save */
    if ((st = sl_checkpoint_register(w, name, NULL, NULL, e)) != SL_OK) return st;
    sl_system_def def = {
        .name = "boids", .pop = pop, .pre = boids_pre, .team = boids_team, .post = boids_post,
        .user = s,
    };
    if (sl_world_add_system(w, &def, e) < 0) return e ? e->code : SL_ERR_STATE;
    return SL_OK;
}

sl_status sl_boids_spawn(sl_world *w, sl_pop *pop, size_t n, sl_error *e)
{
    char name[96];
    attach_name(pop, name, sizeof name);
    boids_state *s = sl_world_attached(w, name);
    if (!s) return sl_error_set(e, SL_ERR_STATE, "boids: attach '%s' before spawning",
                                sl_pop_name(pop));
    size_t first = sl_pop_spawn(pop, n);
    if (first == (size_t)-1) return sl_error_set(e, SL_ERR_NOMEM, "boids: out of memory");
    double *x = sl_pop_f64(pop, s->cx), *y = sl_pop_f64(pop, s->cy);
    double *vx = sl_pop_f64(pop, s->cvx), *vy = sl_pop_f64(pop, s->cvy);
    for (size_t i = first; i < first + n; i++) {
        sl_rng r = sl_rng_make(sl_world_seed(w), SL_STREAM_BOIDS_INIT, sl_pop_index(pop, i),
                               sl_world_step_count(w));
        x[i] = sl_rng_uniform(&r) * s->p.width;
        y[i] = sl_rng_uniform(&r) * s->p.height;
        double ang = sl_rng_uniform(&r) * 6.283185307179586;
        vx[i] = cos(ang);
        vy[i] = sin(ang);
    }
    return SL_OK;
}

size_t sl_boids_bytes(const sl_world *w, const sl_pop *pop)
{
    char name[96];
    attach_name(pop, name, sizeof name);
    const boids_state *s = sl_world_attached(w, name);
    if (!s) return 0;
    return sizeof *s + s->cap * 4 * sizeof(double) + sl_grid_bytes(&s->grid);
}
