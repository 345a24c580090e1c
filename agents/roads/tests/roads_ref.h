/* roads_ref.h - a plain reference for the matrix tests: the network with every site inserted as
 * a node of its own (edges split at the sites), then the engine's textbook Dijkstra. */
#ifndef ROADS_REF_H
#define ROADS_REF_H

#include <math.h>
#include <stdlib.h>

#include "swarmlab/roads.h"

typedef struct ref_site { int i; double f; } ref_site;

static int ref_cmp(const void *a, const void *b)
{
    const ref_site *x = a, *y = b;
    if (x->f != y->f) return x->f < y->f ? -1 : 1;
    return x->i - y->i;
}

/* out[i*n+j]: cheapest cost from site i to site j, by time or distance. */
static void ref_matrix(const sl_roads *r, const sl_road_snap *s0, int n, sl_road_metric metric,
                       double *out)
{
    const sl_graph *g = sl_roads_graph(r);
    const double *c = metric == SL_ROAD_TIME ? sl_roads_edge_time(r) : g->w;
    const int32_t *twin = sl_roads_edge_twin(r);
    const uint32_t *src = sl_roads_edge_source(r);
    sl_road_snap *s = malloc((size_t)n * sizeof *s);
    for (int i = 0; i < n; i++) {
        s[i] = s0[i];
        if (s[i].twin >= 0 && s[i].twin < s[i].edge) {
            int t = s[i].edge;
            s[i].edge = s[i].twin;
            s[i].twin = t;
            s[i].frac = 1 - s[i].frac;
        }
    }
    sl_graph *h = sl_graph_create(g->n + n, NULL);
    ref_site *on = malloc((size_t)(n + 1) * sizeof *on);
    for (size_t k = 0; k < g->m; k++) {
        /* sites on k or on its twin (their own edge is the first of the pair) */
        int base = twin[k] >= 0 && (size_t)twin[k] < k ? twin[k] : (int)k, cnt = 0;
        for (int i = 0; i < n; i++)
            if (s[i].edge == base) on[cnt++] = (ref_site){ i, base == (int)k ? s[i].frac : 1 - s[i].frac };
        qsort(on, (size_t)cnt, sizeof *on, ref_cmp);
        int prev = (int)src[k];
        double fprev = 0;
        for (int q = 0; q < cnt; q++) {
            sl_graph_add_edge(h, prev, g->n + on[q].i, (on[q].f - fprev) * c[k], 0, NULL);
            prev = g->n + on[q].i;
            fprev = on[q].f;
        }
        sl_graph_add_edge(h, prev, (int)g->col[k], (1 - fprev) * c[k], 0, NULL);
    }
    sl_graph_finalize(h, NULL);
    double *d = malloc((size_t)(g->n + n) * sizeof *d);
    for (int i = 0; i < n; i++) {
        sl_graph_dijkstra(h, g->n + i, d, NULL, NULL);
        for (int j = 0; j < n; j++) out[(size_t)i * n + j] = d[g->n + j];
    }
    free(d);
    free(on);
    free(s);
    sl_graph_destroy(h);
}

#endif
