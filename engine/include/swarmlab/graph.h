/* graph.h - weighted directed graphs (undirected = both directions) in compressed rows.
 *
 * Edges are added, then sl_graph_finalize() builds the compressed adjacency sorted by
 * (source, target) so iteration order is deterministic. Adding edges after finalize un-finalizes.
 * Node positions (x, y) are optional, for drawing and for road networks.
 *
 * Generators (sl_graph_make: ring, path, star, complete, grid, random geometric) and
 * sl_graph_from_edges build simple undirected graphs (no self loops, no repeated edges, weight
 * 1) that also number their undirected edges (ne, eu, ev, eid below), as communication graphs
 * of decentralised agents need. Random geometric graphs place node i at a point drawn from
 * (seed, SL_GRAPH_STREAM_PLACE, i): the graph depends only on (n, radius, seed).
 *
 * Ownership: the world owns graphs made with sl_world_add_graph; sl_graph_create, sl_graph_make
 * and sl_graph_from_edges return a graph the caller frees with sl_graph_destroy.
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
    double *x, *y;          /* n node positions (0 by default; unit square for generators) */
    /* Undirected edge numbering (sl_graph_make, sl_graph_from_edges; 0 and NULL otherwise and
     * after edges are added): edge k joins eu[k] < ev[k], sorted by (eu, ev); eid[p] is the edge
     * of adjacency entry p (col[p]), so both directions of an edge share its number. */
    size_t ne;
    int *eu, *ev;
    uint32_t *eid;
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
/* Connected components of the undirected view; comp[] gets 0..k-1 numbered by smallest member;
 * returns k (-1 when out of memory). */
int sl_graph_components(const sl_graph *g, int *comp);
int sl_graph_max_degree(const sl_graph *g);

/* ---- simple undirected graphs with numbered edges (graph_gen.c) ---- */
#define SL_GRAPH_STREAM_PLACE 0x6e670001u

typedef struct sl_graph_spec {
    const char *kind;   /* "ring", "path", "star", "complete", "grid", "rgg" */
    int n;              /* nodes, 1 .. 1000000 */
    int rows;           /* grid only: rows (must divide n); 0 picks the largest divisor <= sqrt(n) */
    double radius;      /* rgg only: link when distance <= radius, points in the unit square */
    uint64_t seed;      /* rgg only */
} sl_graph_spec;

/* The kinds sl_graph_make builds, NULL-terminated: "ring", "path", "star", "complete", "grid",
 * "rgg" (for option parsers and their messages). */
extern const char *const sl_graph_kind_names[];

/* Builds the graph of a spec, finalized. Errors (unknown kind, n out of range, radius <= 0, a
 * grid whose rows do not divide n, too many edges) return NULL with a one-line message. */
sl_graph *sl_graph_make(const sl_graph_spec *spec, sl_error *e);
/* Graph from an explicit undirected edge list; duplicates (in either direction) are merged.
 * Out-of-range nodes and self loops are errors naming the edge (1-based). */
sl_graph *sl_graph_from_edges(int n, size_t m, const int *u, const int *v, sl_error *e);
/* Number of the undirected edge {u, v}, or -1 when absent or the graph has no numbering. */
long sl_graph_edge(const sl_graph *g, int u, int v);

#endif
