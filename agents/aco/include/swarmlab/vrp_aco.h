/* vrp_aco.h - an ant colony for the rich vehicle routing model (vrp.h): fleets, depots, time
 * windows, shipments, optional jobs.
 *
 * One iteration (sl_vrp_aco_step): every ant builds a plan route by route - it picks a vehicle
 * and then appends jobs under every constraint (capacity, time windows, shift, duration and
 * distance limits, shipments with their delivery kept feasible), choosing with the ACS
 * pseudo-random proportional rule on pheromone times a visibility that combines travel time,
 * waiting and the closing of the window (as MACS-VRPTW). Each plan then goes through the local
 * search of slp_vrp_ls (relocate, Or-opt, exchange, cross exchange, 2-opt*, 2-opt, shipment moves,
 * unserved-job insertion, change of vehicle type; all inter-route moves priced in O(1)). The
 * best-so-far is then improved further by ruin-and-recreate rounds, by a string ruin-and-recreate
 * with simulated-annealing acceptance on a current plan of its own (in the hierarchical objective
 * with the fleet held at the best plan's count) and, when vehicles count, by route minimisation
 * (hierarchical objective: an ejection pool with insertions that push out other jobs) or route
 * elimination (fixed costs); the pheromone is evaporated and the best-so-far deposited within
 * MAX-MIN trail limits. Time limits are also checked inside an iteration (in
 * the construction, the local search and the route minimisation), so a run stops within
 * milliseconds of its limit even on large instances.
 *
 * Determinism: ant a of iteration t draws from sl_rng keyed (seed, SL_VRP_ACO_STREAM, a, t), the
 * best-so-far work from (seed, SL_VRP_ACO_KICK_STREAM, 0, t) and annealing chain k from
 * (seed, SL_VRP_ACO_KICK_STREAM, 1 + k, t); ants run in parallel on per-thread scratch and
 * results are reduced in ant order, the chains run in parallel and are taken in chain order, so a
 * run is identical for any thread count and on re-run (time limits only change where it stops).
 *
 * Checkpoints are not supported: the colony has no saved state, and the Lua binding refuses
 * to be attached to a world that is being checkpointed (see vrp_lua.c).
 *
 * Ownership: the colony borrows the model (it must outlive the colony). Returned pointers are
 * owned by the colony and valid until the next step or destroy.
 */
#ifndef SWARMLAB_VRP_ACO_H
#define SWARMLAB_VRP_ACO_H

#include <stdbool.h>
#include <stdint.h>
#include "swarmlab/error.h"
#include "swarmlab/vrp.h"

#define SL_VRP_ACO_STREAM 0xAC2u
#define SL_VRP_ACO_KICK_STREAM 0xAC3u

typedef struct sl_vrp_aco_def {
    int ants;                 /* default 8 */
    double alpha, beta;       /* pheromone and visibility exponents (1, 2) */
    double rho;               /* evaporation (0.1) */
    double q0;                /* probability of the greedy choice (0.9) */
    int nn;                   /* neighbours per job for the local search (20) */
    int local_search;         /* 1 (default) or 0 */
    int kicks;                /* ruin-and-recreate rounds on the best-so-far per iteration (-1:
                                 default 10; 0 off) */
    /* stopping: any that is set ends the run when reached (iterations > 0, times > 0,
       target_vehicles >= 0 together with target_distance >= 0, or target_cost >= 0) */
    long long iterations;
    double wall_time, cpu_time;
    double target_cost;       /* weighted objective: stop at or below; -1 none */
    int target_vehicles;      /* hierarchical: stop at this many vehicles ... */
    double target_distance;   /* ... and this distance or less; -1 none */
    int threads;
    int chains;               /* annealing chains of the string ruin-and-recreate, run in
                                 parallel (1; 1..64): a chain count, not a thread count, so
                                 results do not depend on threads; with T threads, chains = T
                                 gives the annealing T times the search at the same wall time */
    uint64_t seed;
    const sl_vrp_sol *warm;   /* optional plan to start from (copied; must be feasible route by
                                 route; missing jobs are treated as unserved) */
    int check;                /* tests: verify every priced move by simulation and every applied
                                 move with the independent checker (slow) */
} sl_vrp_aco_def;

/* The documented defaults (kicks = -1 picks the default count). */
sl_vrp_aco_def sl_vrp_aco_def_default(void);

typedef struct sl_vrp_aco_record {
    long long iteration;
    double seconds;           /* wall-clock since creation */
    double cost;              /* best-so-far weighted objective */
    int vehicles, unserved;
    double distance;
} sl_vrp_aco_record;

typedef struct sl_vrp_aco sl_vrp_aco;

/* Validates parameters (SL_ERR_RANGE naming the parameter) and builds the colony; the first
 * plan (the warm start, or one greedy construction plus local search) is made here. */
sl_vrp_aco *sl_vrp_aco_create(const sl_vrp_aco_def *def, const sl_vrp *v, sl_error *e);
void sl_vrp_aco_destroy(sl_vrp_aco *c);               /* accepts NULL */
/* One iteration; does nothing once done. Cannot fail today (SL_OK). */
sl_status sl_vrp_aco_step(sl_vrp_aco *c, sl_error *e);
bool sl_vrp_aco_done(const sl_vrp_aco *c);
sl_status sl_vrp_aco_run(sl_vrp_aco *c, sl_error *e);

const sl_vrp_sol *sl_vrp_aco_best(const sl_vrp_aco *c);
const sl_vrp_kpi *sl_vrp_aco_best_kpi(const sl_vrp_aco *c);
long long sl_vrp_aco_iterations(const sl_vrp_aco *c);
double sl_vrp_aco_seconds(const sl_vrp_aco *c);
double sl_vrp_aco_cpu_seconds(const sl_vrp_aco *c);   /* process CPU time since creation */
double sl_vrp_aco_time_to_best(const sl_vrp_aco *c);
const sl_vrp_aco_record *sl_vrp_aco_history(const sl_vrp_aco *c, int *count);
/* CSV: iteration,seconds,cost,vehicles,distance,unserved */
sl_status sl_vrp_aco_write_convergence(const sl_vrp_aco *c, const char *path, sl_error *e);
/* Test runs (check = 1): priced moves that disagreed with simulation plus applied moves the
 * independent checker rejected. */
long long sl_vrp_aco_check_failures(const sl_vrp_aco *c);
long long sl_vrp_aco_moves(const sl_vrp_aco *c);

#endif
