/* routing.h - the routing problem model: TSP and CVRP instances, TSPLIB distances, tour and route
 * files, nearest-neighbour candidate lists and local search (TSP: 2-opt, Or-opt, 3-opt; CVRP:
 * relocate, swap, 2-opt, 2-opt*, cross-route exchange).
 *
 * Nodes are numbered 0..n-1 inside the library (node k of a file is index k-1). Distances follow
 * the TSPLIB conventions exactly and are integers. A full distance matrix is kept only up to
 * SL_ROUTING_MATRIX_MAX nodes; larger instances compute distances from coordinates on demand, and
 * the local searches only touch candidate lists, so memory stays O(n k).
 *
 * Ownership: sl_instance_load returns an instance the caller frees with sl_instance_destroy.
 * Candidate lists, tours and route sets are caller-owned plain arrays or structs with a matching
 * free function. Functions that can fail on user input return sl_status and fill an sl_error whose
 * message names the file and line ("x.tsp:12: expected a number, got 'abc'").
 */
#ifndef SWARMLAB_ROUTING_H
#define SWARMLAB_ROUTING_H

#include <stddef.h>
#include <stdint.h>
#include "swarmlab/error.h"
#include "swarmlab/rng.h"

#define SL_ROUTING_MATRIX_MAX 4000

typedef enum sl_problem { SL_PROB_TSP = 0, SL_PROB_CVRP = 1 } sl_problem;

typedef enum sl_edge_weight {
    SL_EW_EUC_2D = 0,
    SL_EW_CEIL_2D,
    SL_EW_ATT,
    SL_EW_GEO,
    SL_EW_EXPLICIT
} sl_edge_weight;

typedef struct sl_instance {
    char name[128];
    sl_problem problem;
    sl_edge_weight ew;
    int n;              /* nodes, depot included for CVRP */
    double *x, *y;      /* coordinates (NULL for EXPLICIT without display data) */
    int *dist;          /* n*n matrix, or NULL when computed on demand */
    /* CVRP only */
    int capacity;
    int *demand;        /* n entries; demand[depot] = 0 */
    int depot;
} sl_instance;

/* Reads a TSPLIB .tsp or CVRPLIB .vrp file. NULL with e filled ("file:line: ...") on error. */
sl_instance *sl_instance_load(const char *path, sl_error *e);
/* Builds a EUC_2D TSP instance from coordinates (copied); for tests and generators. */
sl_instance *sl_instance_from_coords(const char *name, int n, const double *x, const double *y,
                                     sl_edge_weight ew);
/* Builds an EXPLICIT instance from a full matrix (copied). */
sl_instance *sl_instance_from_matrix(const char *name, int n, const int *m);
/* Turns a coordinate instance into a CVRP one (demand copied, demand[depot] forced to 0). */
sl_status sl_instance_make_cvrp(sl_instance *in, int capacity, const int *demand, int depot,
                                sl_error *e);
void sl_instance_destroy(sl_instance *in);

/* TSPLIB distance of a coordinate pair for a coordinate edge-weight type (not EXPLICIT). */
int sl_tsplib_dist(sl_edge_weight ew, double xi, double yi, double xj, double yj);
int sl_instance_dist_compute(const sl_instance *in, int i, int j);
static inline int sl_dist(const sl_instance *in, int i, int j)
{
    return in->dist ? in->dist[(size_t)i * (size_t)in->n + (size_t)j]
                    : sl_instance_dist_compute(in, i, j);
}
const char *sl_edge_weight_name(sl_edge_weight ew);

/* ---- tours (TSP) ---- */

/* Length of the closed tour t[0..n-1]. */
long long sl_tour_length(const sl_instance *in, const int *t);
/* 1 when t is a permutation of 0..n-1. */
int sl_tour_valid(int n, const int *t);
/* Writes a TSPLIB .tour file (written to a temporary name, then renamed). */
sl_status sl_tour_write(const char *path, const sl_instance *in, const int *t, sl_error *e);
/* Reads a .tour file for `in`, checks it is a permutation and returns its length in *len. */
sl_status sl_tour_read(const char *path, const sl_instance *in, int *t, long long *len,
                       sl_error *e);

/* ---- routes (CVRP) ---- */

/* A set of routes; customers only (the depot is implicit at both ends of each route).
 * Route r is nodes[start[r] .. start[r+1]-1]. */
typedef struct sl_routes {
    int nroutes;
    int *start;   /* nroutes + 1 offsets */
    int *nodes;   /* n - 1 customers in total when complete */
    int cap_routes, cap_nodes;
} sl_routes;

void sl_routes_init(sl_routes *r);
void sl_routes_release(sl_routes *r);
void sl_routes_clear(sl_routes *r);
/* Appends a route of len customers (copied). Returns SL_ERR_NOMEM on allocation failure. */
sl_status sl_routes_add(sl_routes *r, const int *customers, int len);
long long sl_routes_cost(const sl_instance *in, const sl_routes *r);
/* Splits a giant tour (depot-separated node sequence, depots may repeat) into routes. */
sl_status sl_routes_from_sequence(sl_routes *r, const sl_instance *in, const int *seq, int len);
/* Checks every customer appears once, no depot inside a route, loads within capacity.
 * Returns SL_OK or SL_ERR_RANGE with a message in e. */
sl_status sl_routes_check(const sl_instance *in, const sl_routes *r, sl_error *e);
/* CVRPLIB solution file: "Route #k: c1 c2 ..." lines (customers as node number - 1, so with the
 * usual depot at node 1 they are 1..n-1) and "Cost N". Written to a temporary name, then renamed. */
sl_status sl_routes_write(const char *path, const sl_instance *in, const sl_routes *r,
                          sl_error *e);
/* Reads a solution file, re-evaluates the cost, checks feasibility and that a "Cost" line, when
 * present, matches. *cost receives the recomputed cost. */
sl_status sl_routes_read(const char *path, const sl_instance *in, sl_routes *r, long long *cost,
                         sl_error *e);

/* ---- candidate lists ---- */

/* k nearest neighbours of each node (ties broken by index), row-major n*k, caller frees with
 * free(). The caller passes 1 <= k <= n-1 (n >= 2). For CVRP the depot is a regular node here.
 * O(n^2) time, O(n k) memory; rows are computed in parallel on `threads` threads. */
int *sl_candidates_build(const sl_instance *in, int k, int threads);

/* ---- TSP local search ---- */

typedef enum sl_ls_kind {
    SL_LS_NONE = 0,
    SL_LS_2OPT,    /* 2-opt */
    SL_LS_OROPT,   /* 2-opt + Or-opt (segments of 1-3 nodes, both orientations) */
    SL_LS_3OPT     /* 2-opt + Or-opt + sequential 3-opt (segment reversal/exchange moves) */
} sl_ls_kind;

/* Parses "none" | "2opt" | "oropt" | "3opt"; returns -1 when unknown. */
int sl_ls_kind_parse(const char *s);
const char *sl_ls_kind_name(sl_ls_kind k);

/* Scratch for the TSP local search of one tour; reuse it across calls (one per thread). */
typedef struct sl_tsp_ls sl_tsp_ls;
sl_tsp_ls *sl_tsp_ls_create(const sl_instance *in, const int *cand, int k);
void sl_tsp_ls_destroy(sl_tsp_ls *ls);
/* Improves tour t (n nodes) in place with first-improvement moves over the candidate lists and
 * don't-look bits until no move applies. Returns the gain (>= 0). If check is non-zero every move
 * is followed by a check that the tour is a permutation and shortened by exactly the move's
 * gain; a failed check makes the call return -1 (for tests). */
long long sl_tsp_ls_run(sl_tsp_ls *ls, sl_ls_kind kind, int *t, int check);
/* Moves applied by the last run. */
long long sl_tsp_ls_moves(const sl_tsp_ls *ls);

/* ---- CVRP local search ----
 * Neighbourhoods over candidate lists: relocate (one customer, or two in a row, to another place),
 * swap of two customers, intra-route 2-opt, inter-route 2-opt* (both reconnections) and an
 * exchange of two customers of different routes, each re-inserted at its best place in the
 * other route (in the spirit of SWAP*). Every move keeps loads within capacity. Reusable by
 * other modules: routes in, improved routes out. */
typedef struct sl_cvrp_ls sl_cvrp_ls;
sl_cvrp_ls *sl_cvrp_ls_create(const sl_instance *in, const int *cand, int k);
void sl_cvrp_ls_destroy(sl_cvrp_ls *ls);
/* Improves r in place (empty routes are dropped). Returns the gain (>= 0). The input must be
 * feasible (sl_routes_check). check != 0 verifies after every move that each customer is served
 * once, loads are within capacity and the cost fell by the move's gain; a failed check makes
 * the call return -1 (for tests). */
long long sl_cvrp_ls_run(sl_cvrp_ls *ls, sl_routes *r, int check);
/* The same search restricted to what a local change can affect: r must be a local optimum of
 * sl_cvrp_ls_run except in the routes that hold one of the nseeds customers in seeds (any
 * other node is ignored). Pairs (u, v), v a candidate of u, are re-examined whenever the route
 * of u or of v changed, so the result is again a local optimum of the full search, usually
 * after far fewer evaluations. Same return value and check as sl_cvrp_ls_run. */
long long sl_cvrp_ls_run_from(sl_cvrp_ls *ls, sl_routes *r, const int *seeds, int nseeds,
                              int check);
long long sl_cvrp_ls_moves(const sl_cvrp_ls *ls);

/* Cheapest feasible insertion of customer c into routes (a new route if none fits); for
 * repair and for callers that build routes incrementally. Returns the cost increase. */
long long sl_routes_insert_best(const sl_instance *in, sl_routes *r, int c);

/* ---- CVRP ruin and recreate ----
 * String removals after Christiaens and Vanden Berghe (SISR): a few routes close to a random seed
 * customer each lose a string of consecutive customers (sometimes a "split string": a window of
 * which a block stays); the removed customers then go back one at a time, in random order or by
 * demand or distance to the depot, at their cheapest feasible position, each position being
 * skipped with probability `blink`; a customer that fits nowhere opens a new route. */
typedef struct sl_cvrp_rr_def {
    double avg_removed;   /* mean number of removed customers (c-bar), >= 1; default 10 */
    int max_string;       /* longest string (L-max), >= 1; default 10 */
    double blink;         /* probability of skipping an insertion position, [0, 1); 0.01 */
    double split;         /* probability of a split string, [0, 1]; 0.5 */
} sl_cvrp_rr_def;
sl_cvrp_rr_def sl_cvrp_rr_def_default(void);
typedef struct sl_cvrp_rr sl_cvrp_rr;
/* Scratch for one instance (a CVRP); def NULL means the defaults. NULL on allocation failure or
 * when the instance is not a CVRP. One object per thread. */
sl_cvrp_rr *sl_cvrp_rr_create(const sl_instance *in, const sl_cvrp_rr_def *def);
void sl_cvrp_rr_destroy(sl_cvrp_rr *rr);
/* One ruin-and-recreate step: reads the feasible, complete route set src, writes the result to
 * dst (a different object; feasible and complete again) and returns its cost, or -1 when memory
 * ran out. Every random decision is drawn from g. */
long long sl_cvrp_rr_apply(sl_cvrp_rr *rr, const sl_routes *src, sl_routes *dst, sl_rng *g);
/* Customers removed by the last step. */
int sl_cvrp_rr_last_removed(const sl_cvrp_rr *rr);
/* Customers of the routes the last step changed (lost or received a customer, or opened), for
 * sl_cvrp_ls_run_from; *customers points into rr, valid until the next step. Returns their
 * number. */
int sl_cvrp_rr_last_changed(const sl_cvrp_rr *rr, const int **customers);

#endif
