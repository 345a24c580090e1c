/* providers.c - layers for solver state that modules publish on the world, registered through
 * the generic layer registry (sl_view_add_layer) the first time the viewer sees the data:
 *   - ACO (sl_aco_world_colony): pheromone on the instance's edges, width and opacity by trail
 *     strength; the best tour (TSP) or best routes (CVRP, one colour per route); the cities.
 *   - PSO (sl_world_attached "pso.<population>"): the objective over the search box (for more
 *     than two dimensions, the x0-x1 slice through the best point) as a heatmap, and the best
 *     point. The particles themselves are a population with x and y, drawn like any other.
 * Each module is compiled in only when its library is part of the build (SL_VIEW_HAVE_ACO,
 * SL_VIEW_HAVE_PSO), so the viewer does not depend on them. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "view_impl.h"

#ifdef SL_VIEW_HAVE_ACO
#include "swarmlab/aco.h"
#include "swarmlab/routing.h"
#endif
#ifdef SL_VIEW_HAVE_PSO
#include "swarmlab/pso.h"
#endif

static int has_layer(const sl_world *w, const char *name)
{
    const sl_view_layers *L = sl_view_layers_of(w);
    for (int i = 0; L && i < L->n; i++)
        if (strcmp(L->def[i].name, name) == 0) return 1;
    return 0;
}

#ifdef SL_VIEW_HAVE_ACO
#define ACO_MAX_PHEROMONE_NODES 2000

static const sl_instance *aco_coords(const sl_world *w, sl_aco_colony **out)
{
    sl_aco_colony *c = sl_aco_world_colony(w);
    const sl_instance *in = c ? sl_aco_instance(c) : NULL;
    if (!in || !in->x || !in->y || in->n < 1) return NULL;
    *out = c;
    return in;
}

static int aco_bounds(sl_world *w, void *user, double b[4])
{
    (void)user;
    sl_aco_colony *c;
    const sl_instance *in = aco_coords(w, &c);
    if (!in) return 0;
    b[0] = b[2] = in->x[0];
    b[1] = b[3] = in->y[0];
    for (int i = 1; i < in->n; i++) {
        b[0] = fmin(b[0], in->x[i]);
        b[2] = fmax(b[2], in->x[i]);
        b[1] = fmin(b[1], in->y[i]);
        b[3] = fmax(b[3], in->y[i]);
    }
    return 1;
}

static void aco_pheromone(sl_draw *d, sl_world *w, void *user)
{
    (void)user;
    sl_aco_colony *c;
    const sl_instance *in = aco_coords(w, &c);
    const double *tau = in ? sl_aco_pheromone(c) : NULL;
    if (!tau || in->n > ACO_MAX_PHEROMONE_NODES) return;
    int n = in->n;
    double lo = INFINITY, hi = -INFINITY;
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++) {
            double t = tau[(size_t)i * n + j];
            if (t < lo) lo = t;
            if (t > hi) hi = t;
        }
    if (!(hi > lo)) return;
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++) {
            double s = (tau[(size_t)i * n + j] - lo) / (hi - lo);
            if (!(s > 0.08)) continue;
            sl_rgba col = (vl_heat(0.35 + 0.65 * s) & 0xffffff00u) | (sl_rgba)(40 + 200 * s);
            d->line(d, in->x[i], in->y[i], in->x[j], in->y[j], col, 1.0 + 2.0 * s);
        }
}

static const sl_rgba ROUTE[] = { 0x7ee787ff, 0x58a6ffff, 0xff7b72ff, 0xd2a8ffff, 0xf9c74fff,
                                 0x4cc9f0ff, 0xffa657ff, 0x90be6dff };

static void aco_best(sl_draw *d, sl_world *w, void *user)
{
    (void)user;
    sl_aco_colony *c;
    const sl_instance *in = aco_coords(w, &c);
    if (!in) return;
    int len = 0;
    const int *seq = sl_aco_best_sequence(c, &len);
    int cvrp = in->problem == SL_PROB_CVRP;
    int route = 0;
    for (int k = 0; seq && k < len; k++) {
        int a = seq[k], b = seq[(k + 1) % len];
        if (a < 0 || b < 0 || a >= in->n || b >= in->n) continue;
        if (cvrp && a == in->depot && k > 0) route++;
        sl_rgba col = cvrp ? ROUTE[route % (int)(sizeof ROUTE / sizeof ROUTE[0])] : 0x7ee787ffu;
        d->line(d, in->x[a], in->y[a], in->x[b], in->y[b], col, 3.5);
    }
    double r = 3.5 / d->pixels_per_unit(d);
    for (int i = 0; i < in->n; i++)
        d->circle(d, in->x[i], in->y[i], in->n > 1000 ? r * 0.5 : r, 0xe6edf3ffu, 1);
    if (cvrp) {
        d->circle(d, in->x[in->depot], in->y[in->depot], 2 * r, 0xf94144ffu, 1);
        d->text(d, in->x[in->depot], in->y[in->depot], " depot", 0xf94144ffu);
    }
}
#endif

#ifdef SL_VIEW_HAVE_PSO
#define PSO_GRID_X 160
#define PSO_GRID_Y 120

/* Cached landscape of one attached swarm (owned by the world). */
typedef struct pso_land {
    char key[VL_NAME + 8];     /* "pso.<population>" */
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
    const sl_pso_config *cfg = sl_pso_config_used(s);
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
    const sl_pso_config *cfg = sl_pso_config_used(s);
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
    const sl_pso_config *cfg = s ? sl_pso_config_used(s) : NULL;
    if (!cfg || sl_pso_dim(s) < 2) return 0;
    b[0] = cfg->lower[0];
    b[1] = cfg->lower[1];
    b[2] = cfg->upper[0];
    b[3] = cfg->upper[1];
    return 1;
}
#endif

void vprov_attach(sl_world *w)
{
    if (!w) return;
#ifdef SL_VIEW_HAVE_ACO
    if (sl_aco_world_colony(w) && !has_layer(w, "aco pheromone")) {
        sl_view_layer_def a = { .name = "aco pheromone", .swatch = 0xf67d15ffu,
                                .draw = aco_pheromone, .bounds = aco_bounds };
        sl_view_layer_def b = { .name = "aco best solution", .swatch = 0x7ee787ffu,
                                .draw = aco_best, .bounds = aco_bounds };
        sl_view_add_layer(w, &a, NULL);
        sl_view_add_layer(w, &b, NULL);
    }
#endif
#ifdef SL_VIEW_HAVE_PSO
    for (int i = 0; i < sl_world_npops(w); i++) {
        char key[VL_NAME + 8], name[VL_NAME + 24], lkey[VL_NAME + 24];
        snprintf(key, sizeof key, "pso.%.*s", VL_NAME - 1, sl_pop_name(sl_world_pop_at(w, i)));
        if (!sl_world_attached(w, key)) continue;
        snprintf(name, sizeof name, "%s landscape", key);
        if (has_layer(w, name)) continue;
        pso_land *l = calloc(1, sizeof *l);
        if (!l) return;
        snprintf(l->key, sizeof l->key, "%s", key);
        snprintf(lkey, sizeof lkey, "view.%s", key);
        if (sl_world_attach(w, lkey, l, pso_land_free, NULL) != SL_OK) { pso_land_free(l); continue; }
        sl_view_layer_def def = { .name = name, .swatch = vl_heat(0.8), .draw = pso_landscape,
                                  .bounds = pso_bounds, .user = l };
        sl_view_add_layer(w, &def, NULL);
    }
#endif
}
