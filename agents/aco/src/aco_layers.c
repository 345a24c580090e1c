/* aco_layers.c - viewer layers of a world's colony (built only with the viewer, SWARMLAB_VIEW):
 * pheromone on the instance's edges, width and opacity by trail strength; the best tour (TSP)
 * or best routes (CVRP, one colour per route) and the cities. Registered through the world's
 * layer registry (swarmlab/view.h) when a colony is first linked to the world, so the viewer
 * knows nothing of ACO. Both layers draw sl_aco_world_colony(w), whichever colony that is now. */
#include <math.h>

#include "swarmlab/routing.h"
#include "swarmlab/view.h"

#include "aco_view.h"

#define ACO_MAX_PHEROMONE_NODES 2000

static const sl_instance *aco_coords(const sl_world *w, sl_aco **out)
{
    sl_aco *c = sl_aco_world_colony(w);
    const sl_instance *in = c ? sl_aco_instance(c) : NULL;
    if (!in || !in->x || !in->y || in->n < 1) return NULL;
    *out = c;
    return in;
}

static int aco_bounds(sl_world *w, void *user, double b[4])
{
    (void)user;
    sl_aco *c;
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
    sl_aco *c;
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
            sl_rgba col = (sl_view_heat(0.35 + 0.65 * s) & 0xffffff00u) | (sl_rgba)(40 + 200 * s);
            d->line(d, in->x[i], in->y[i], in->x[j], in->y[j], col, 1.0 + 2.0 * s);
        }
}

static const sl_rgba ROUTE[] = { 0x7ee787ff, 0x58a6ffff, 0xff7b72ff, 0xd2a8ffff, 0xf9c74fff,
                                 0x4cc9f0ff, 0xffa657ff, 0x90be6dff };

static void aco_best(sl_draw *d, sl_world *w, void *user)
{
    (void)user;
    sl_aco *c;
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

void slp_aco_view_add_layers(sl_world *w)
{
    sl_view_layer_def a = { .name = "aco pheromone", .swatch = 0xf67d15ffu,
                            .draw = aco_pheromone, .bounds = aco_bounds };
    sl_view_layer_def b = { .name = "aco best solution", .swatch = 0x7ee787ffu,
                            .draw = aco_best, .bounds = aco_bounds };
    sl_view_add_layer(w, &a, NULL);
    sl_view_add_layer(w, &b, NULL);
}
