/* netgraph.h - communication graphs for decentralised agents: ring, path, star, complete, grid,
 * random geometric, or an explicit edge list.
 *
 * A netgraph is simple and undirected: no self loops, no repeated edges. Edges are numbered
 * 0..m-1 in (u, v) order with u < v; the adjacency of every node is sorted, so every loop over
 * neighbours runs in the same order on every run and for every thread count. Random geometric
 * graphs place node i at a point drawn from (seed, SL_NG_STREAM_PLACE, i): the graph depends only
 * on (n, radius, seed).
 *
 * Ownership: sl_netgraph_make / sl_netgraph_from_edges return a graph the caller frees with
 * sl_netgraph_free. Errors on bad specs (unknown kind, n < 1, radius <= 0, a grid whose rows do
 * not divide n, out-of-range or self-loop edges) return NULL and fill e with a one-line message.
 */
#ifndef SWARMLAB_NETGRAPH_H
#define SWARMLAB_NETGRAPH_H

#include <stddef.h>
#include <stdint.h>
#include "swarmlab/error.h"

#define SL_NG_STREAM_PLACE 0x6e670001u

typedef struct sl_netgraph_spec {
    const char *kind;   /* "ring", "path", "star", "complete", "grid", "rgg" */
    int n;              /* nodes, >= 1 */
    int rows;           /* grid only: rows (must divide n); 0 picks the largest divisor <= sqrt(n) */
    double radius;      /* rgg only: link when distance <= radius, points in the unit square */
    uint64_t seed;      /* rgg only */
} sl_netgraph_spec;

typedef struct sl_netgraph {
    int n;
    size_t m;              /* undirected edges */
    int *eu, *ev;          /* edge k joins eu[k] < ev[k]; sorted by (eu, ev) */
    uint32_t *row;         /* n + 1: neighbours of u are adj[row[u] .. row[u+1]) */
    uint32_t *adj;         /* 2m neighbour ids, sorted within each node */
    uint32_t *aedge;       /* 2m: the edge number of each adjacency entry */
    double *px, *py;       /* n positions (unit square; for drawing and rgg) */
} sl_netgraph;

sl_netgraph *sl_netgraph_make(const sl_netgraph_spec *spec, sl_error *e);
/* Graph from an explicit undirected edge list; duplicates (in either direction) are merged. */
sl_netgraph *sl_netgraph_from_edges(int n, size_t m, const int *u, const int *v, sl_error *e);
void sl_netgraph_free(sl_netgraph *g);

int sl_netgraph_degree(const sl_netgraph *g, int u);
int sl_netgraph_max_degree(const sl_netgraph *g);
/* Connected components: comp[i] in 0..k-1 numbered by smallest member; returns k. */
int sl_netgraph_components(const sl_netgraph *g, int *comp);
/* Edge number of {u, v}, or -1 when absent. */
long sl_netgraph_edge(const sl_netgraph *g, int u, int v);

#endif
