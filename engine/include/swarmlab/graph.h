/* graph.h - weighted directed graphs (undirected = both directions) in compressed rows.
 *
 * Edges are added, then sl_graph_finalize() builds the compressed adjacency sorted by
 * (source, target) so iteration order is deterministic. Adding edges after finalize un-finalizes.
 * Node positions (x, y) are optional, for drawing and for road networks.
 *
 * Ownership: the world owns graphs made with sl_world_add_graph; sl_graph_create/destroy otherwise.
 */
#ifndef SWARMLAB_GRAPH_H
#define SWARMLAB_GRAPH_H

#include <stddef.h>
#include <stdint.h>
#include "swarmlab/error.h"

struct sl_graph {
    int n;                  /* nodes */
    size_t m;               /* edges (directed) */
    /* compressed rows (valid after finalize) */
    uint32_t *row;          /* n + 1 */
    uint32_t *col;          /* m */
    double *w;              /* m */
    double *x, *y;          /* n node positions (0 by default) */
    /* edge list being built */
    uint32_t *esrc, *edst;
    double *ew;
    size_t ecap;
    int finalized;
};
typedef struct sl_graph sl_graph;

sl_graph *sl_graph_create(int n, sl_error *e);
void sl_graph_destroy(sl_graph *g);
/* Adds u->v with weight w (and v->u when undirected). Fails for out-of-range nodes or a
 * non-finite weight. A repeated edge keeps the last weight. */
sl_status sl_graph_add_edge(sl_graph *g, int u, int v, double w, int undirected, sl_error *e);
sl_status sl_graph_finalize(sl_graph *g, sl_error *e);
/* Neighbours of u after finalize: targets col[row[u]..row[u+1]) with weights w[...]. */
int sl_graph_degree(const sl_graph *g, int u);
/* Weight of u->v, or NaN when there is no such edge (binary search; needs finalize). */
double sl_graph_weight(const sl_graph *g, int u, int v);
/* Single-source shortest paths (Dijkstra; weights must be >= 0). dist[] gets INFINITY for
 * unreachable nodes; prev[] (may be NULL) gets the predecessor or -1. */
sl_status sl_graph_dijkstra(const sl_graph *g, int src, double *dist, int *prev, sl_error *e);
/* Connected components of the undirected view; comp[] gets 0..k-1; returns k. */
int sl_graph_components(const sl_graph *g, int *comp);

#endif
