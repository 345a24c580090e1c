/* pso_layers.c - viewer layer of a swarm attached to a world (built only with the viewer,
 * SWARMLAB_VIEW): the objective over the search box (for more than two dimensions, the x0-x1
 * slice through the best point) as a heatmap, and the best point. The particles themselves are
 * a population with x and y, drawn like any other. Registered through the world's layer
 * registry (swarmlab/view.h) by solver:attach, so the viewer knows nothing of PSO. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "swarmlab/pso.h"
#include "swarmlab/view.h"

#define PSO_GRID_X 160
#define PSO_GRID_Y 120
#define PSO_KEY_MAX 80

void slp_pso_view_add_layers(sl_world *w, const char *key);

/* Cached landscape of one attached swarm (owned by the world). */
typedef struct pso_land {
    char key[PSO_KEY_MAX];     /* "pso.<population>" */
    const sl_pso *solver;
    double *best;              /* slice point used (dim values) */
    int dim;
    double lo, hi;
    double v[PSO_GRID_X * PSO_GRID_Y];
    int valid;
} pso_land;

static void pso_land_free(void *p)
{
    pso_land *l = p;
    free(l->best);
    free(l);
}

static void pso_land_update(pso_land *l, const sl_pso *s)
{
    const sl_pso_def *cfg = sl_pso_def_used(s);
    const sl_pso_problem *pb = sl_pso_problem_used(s);
    int D = sl_pso_dim(s);
    const double *bx = sl_pso_fes(s) > 0 ? sl_pso_best_x(s) : NULL;
    if (!cfg || !pb || !pb->eval || D < 2 || cfg->ng + cfg->nh > 64) { l->valid = 0; return; }
    if (l->valid && l->solver == s && l->dim == D &&
        (D == 2 || !bx || memcmp(l->best, bx, sizeof(double) * (size_t)D) == 0))
        return;
    double *nb = realloc(l->best, sizeof(double) * (size_t)D);
    if (!nb) { l->valid = 0; return; }
    l->best = nb;
    for (int k = 0; k < D; k++)
        l->best[k] = bx ? bx[k] : 0.5 * (cfg->lower[k] + cfg->upper[k]);
    l->solver = s;
    l->dim = D;
    double *x = malloc(sizeof(double) * (size_t)D);
    if (!x) { l->valid = 0; return; }
    memcpy(x, l->best, sizeof(double) * (size_t)D);
    double g[64], h[64];
    l->lo = INFINITY;
    l->hi = -INFINITY;
    for (int j = 0; j < PSO_GRID_Y; j++)
        for (int i = 0; i < PSO_GRID_X; i++) {
            x[0] = cfg->lower[0] + (i + 0.5) / PSO_GRID_X * (cfg->upper[0] - cfg->lower[0]);
            x[1] = cfg->lower[1] + (j + 0.5) / PSO_GRID_Y * (cfg->upper[1] - cfg->lower[1]);
            double f = NAN;
            sl_error e;
            if (pb->eval(pb->user, x, D, &f, g, h, &e) != SL_OK || !isfinite(f)) f = NAN;
            l->v[j * PSO_GRID_X + i] = f;
            if (f < l->lo) l->lo = f;
            if (f > l->hi) l->hi = f;
        }
    free(x);
    /* low values are what the swarm looks for: show them bright, on a log scale so the basin
     * stays visible next to large values */
    double span = l->hi - l->lo;
    for (int k = 0; k < PSO_GRID_X * PSO_GRID_Y; k++) {
        double f = l->v[k];
        l->v[k] = isnan(f) || !(span > 0) ? 0 : 1.0 - log1p(f - l->lo) / log1p(span);
    }
    l->valid = l->hi >= l->lo;
}

static void pso_landscape(sl_draw *d, sl_world *w, void *user)
{
    pso_land *l = user;
    const sl_pso *s = sl_world_attached(w, l->key);
    if (!s) return;
    pso_land_update(l, s);
    const sl_pso_def *cfg = sl_pso_def_used(s);
    if (l->valid)
        d->heatmap(d, cfg->lower[0], cfg->lower[1], cfg->upper[0], cfg->upper[1], PSO_GRID_X,
                   PSO_GRID_Y, l->v, 0, 1);
    const double *bx = sl_pso_fes(s) > 0 ? sl_pso_best_x(s) : NULL;
    if (bx) {
        double r = 7 / d->pixels_per_unit(d);
        d->line(d, bx[0] - r, bx[1], bx[0] + r, bx[1], 0xffffffffu, 2);
        d->line(d, bx[0], bx[1] - r, bx[0], bx[1] + r, 0xffffffffu, 2);
        d->text(d, bx[0] + r, bx[1] + r, "best", 0xffffffffu);
    }
}

static int pso_bounds(sl_world *w, void *user, double b[4])
{
    pso_land *l = user;
    const sl_pso *s = sl_world_attached(w, l->key);
    const sl_pso_def *cfg = s ? sl_pso_def_used(s) : NULL;
    if (!cfg || sl_pso_dim(s) < 2) return 0;
    b[0] = cfg->lower[0];
    b[1] = cfg->lower[1];
    b[2] = cfg->upper[0];
    b[3] = cfg->upper[1];
    return 1;
}

/* key: the attachment "pso.<population>" holding the sl_pso. Failures (out of memory, a full
 * registry, a key too long) leave the world without the layer; the run is not affected. */
void slp_pso_view_add_layers(sl_world *w, const char *key)
{
    char name[PSO_KEY_MAX + 16], lkey[PSO_KEY_MAX + 8];
    if (strlen(key) >= PSO_KEY_MAX) return;
    pso_land *l = calloc(1, sizeof *l);
    if (!l) return;
    snprintf(l->key, sizeof l->key, "%s", key);
    snprintf(name, sizeof name, "%s landscape", key);
    snprintf(lkey, sizeof lkey, "view.%s", key);
    if (sl_world_attach(w, lkey, l, pso_land_free, NULL) != SL_OK) {
        pso_land_free(l);
        return;
    }
    sl_view_layer_def def = { .name = name, .swatch = sl_view_heat(0.8), .draw = pso_landscape,
                              .bounds = pso_bounds, .user = l };
    sl_view_add_layer(w, &def, NULL);
}
