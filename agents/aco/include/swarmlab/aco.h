/* aco.h - ant colony optimisation for the TSP and the CVRP: Ant System, Ant Colony System,
 * MAX-MIN Ant System and rank-based Ant System, with optional local search (routing.h).
 *
 * One call of sl_aco_step is one iteration: every ant builds a solution (in parallel under
 * OpenMP), optional local search improves it, and the pheromone is updated. Ant a in iteration t
 * draws its random numbers from sl_rng keyed by (seed, stream, a, t), and all pheromone deposits
 * are applied in ant order, so a run is identical for any thread count. In ACS the ants walk in
 * lock-step, one step each in ant order, each move followed at once by its local pheromone update
 * (as in the original ACS); this construction is serial and the local search after it runs in
 * parallel.
 *
 * Stopping: iterations, target cost, wall-clock time or process CPU time. Time limits make the
 * stopping point depend on machine speed and load; the seed still fixes everything up to the
 * stop, and an iteration limit gives fully reproducible runs.
 *
 * Ownership: the colony borrows the instance, which must outlive it. Pointers returned by the
 * accessors stay owned by the colony and are valid until the next sl_aco_step or destroy.
 * Memory: the pheromone matrix is dense (n*n doubles); instances are limited to SL_ACO_MAX_NODES.
 */
#ifndef SWARMLAB_ACO_H
#define SWARMLAB_ACO_H

#include <stdbool.h>
#include <stdint.h>
#include "swarmlab/error.h"
#include "swarmlab/routing.h"
#include "swarmlab/world.h"

#define SL_ACO_MAX_NODES 6000
#define SL_ACO_STREAM 0xAC0u       /* sl_rng stream of the ants' decisions */
#define SL_ACO_KICK_STREAM 0xAC1u  /* sl_rng stream of the CVRP kicks */

typedef enum sl_aco_variant {
    SL_ACO_AS = 0,   /* Ant System */
    SL_ACO_ACS,      /* Ant Colony System */
    SL_ACO_MMAS,     /* MAX-MIN Ant System */
    SL_ACO_RAS       /* rank-based Ant System */
} sl_aco_variant;

/* What a colony is made with. sl_aco_def_default() sets every tunable to "default" (negative);
 * the colony then fills in the published defaults for the variant and for whether local search
 * is on. */
typedef struct sl_aco_def {
    sl_aco_variant variant;
    int ants;                 /* m */
    double alpha, beta, rho;  /* pheromone / heuristic exponents, evaporation */
    double q0;                /* pseudo-random proportional rule (ACS; 0 for the others) */
    double xi;                /* ACS local evaporation */
    int ranks;                /* rank-based AS: w (best-so-far weight; w-1 ranked ants) */
    double pbest;             /* MMAS: probability used for the lower trail limit */
    double gamma;             /* CVRP: exponent of the savings term (1 + s_ij) */
    int nn_ants;              /* candidate list length for construction */
    int nn_ls;                /* candidate list length for local search */
    sl_ls_kind ls;            /* local search on the ants' solutions */
    int ls_ants;              /* apply it to the best ls_ants ants only; 0 = every ant */
    int kicks;                /* CVRP with local search: ruin-and-recreate + local search kicks
                                 of an annealing walk from the best-so-far, per iteration
                                 (0..100000; -1 = default 1000; 0 = off) */
    double anneal;            /* CVRP kicks: start temperature in mean edge lengths of the
                                 best-so-far, falling to 1/100 of it by the end of the run
                                 (-1 = default 1.5; 0 = accept no worse solution) */
    /* stopping: any of these that is set (> 0, target >= 0) ends the run when reached */
    long long iterations;
    double wall_time, cpu_time;   /* seconds */
    long long target;             /* stop when best cost <= target; -1 = none */
    int threads;                  /* >= 1 */
    uint64_t seed;
} sl_aco_def;

sl_aco_def sl_aco_def_default(void);
int sl_aco_variant_parse(const char *s);   /* "as" | "acs" | "mmas" | "ras"; -1 if unknown */
const char *sl_aco_variant_name(sl_aco_variant v);

/* One entry of the convergence record, one per iteration. */
typedef struct sl_aco_record {
    long long iteration;      /* 1-based */
    double seconds;           /* wall-clock seconds since creation */
    long long best;           /* best-so-far cost */
    long long iter_best;      /* best cost of this iteration */
    double branching;         /* lambda-branching factor (lambda = 0.05), normalised as ACOTSP */
} sl_aco_record;

typedef struct sl_aco sl_aco;

/* Validates the parameters (SL_ERR_RANGE with a message naming the parameter) and builds the
 * colony; n <= 3 nodes (or no customers) give the trivial optimum without iterating. */
sl_aco *sl_aco_create(const sl_instance *in, const sl_aco_def *p, sl_error *e);
void sl_aco_destroy(sl_aco *c);

/* One iteration (nothing once done). Returns SL_OK: the colony has no failing input once created;
 * the status keeps the shape every module's step has (docs/conventions.md). */
sl_status sl_aco_step(sl_aco *c, sl_error *e);
/* true once a stopping criterion is met (the trivial case is done from the start). */
bool sl_aco_done(const sl_aco *c);
/* Iterates until done. */
sl_status sl_aco_run(sl_aco *c, sl_error *e);

const sl_aco_def *sl_aco_def_used(const sl_aco *c); /* defaults filled in */
const sl_instance *sl_aco_instance(const sl_aco *c);
long long sl_aco_iterations(const sl_aco *c);
double sl_aco_seconds(const sl_aco *c);       /* wall-clock since creation */
double sl_aco_time_to_best(const sl_aco *c);  /* seconds when the best was found */
double sl_aco_cpu_time_to_best(const sl_aco *c); /* process CPU seconds, likewise */
long long sl_aco_best_cost(const sl_aco *c);
/* Best solution as a closed node sequence: the TSP tour (n nodes), or for the CVRP the depot
 * followed by each route's customers and the depot again between routes. */
const int *sl_aco_best_sequence(const sl_aco *c, int *len);
/* CVRP: best solution as routes (copied into r, which the caller owns). */
sl_status sl_aco_best_routes(const sl_aco *c, sl_routes *r);
/* Pheromone matrix, n*n row-major, symmetric. */
const double *sl_aco_pheromone(const sl_aco *c);
const sl_aco_record *sl_aco_history(const sl_aco *c, int *count);
/* Writes the convergence record as CSV (iteration,seconds,best,iteration_best,branching). */
sl_status sl_aco_write_convergence(const sl_aco *c, const char *path, sl_error *e);

/* Island models: offers a solution found by another colony on the same instance (a closed node
 * sequence as sl_aco_best_sequence returns it). When it is valid and cheaper than this colony's
 * best-so-far it becomes the best-so-far (which the RAS, ACS and MMAS updates deposit on; MMAS
 * trail limits follow). Returns 1 when adopted, 0 when not better, -1 when malformed. */
int sl_aco_offer(sl_aco *c, const int *seq, int len);

/* ---- viewer access ----
 * The Lua binding (swarmlab.aco, swarmlab.aco_colony) links the newest colony made in a world to
 * that world under SL_ACO_WORLD_KEY. A viewer or another module reads it with
 * sl_aco_world_colony, then draws sl_aco_instance(c)->x/y, sl_aco_pheromone(c) and
 * sl_aco_best_sequence(c). The Lua handle owns the colony; the link is cleared when the handle
 * is collected, so the result is NULL when no colony is linked. */
#define SL_ACO_WORLD_KEY "aco"
sl_aco *sl_aco_world_colony(const sl_world *w);

#endif
