/* islands.h - island models over MPI: one ACO colony or one PSO swarm per rank, exchanging their
 * best solutions along a ring every `every` iterations.
 *
 * The caller creates the solver on every rank with seed sl_seed_mix(seed, rank) (see
 * sl_islands_seed) and hands it to sl_islands_aco / sl_islands_pso, which iterate it until every
 * rank's solver is done. At iterations every, 2*every, ... rank r sends its best solution to rank
 * (r + 1) mod K and offers the one it receives from rank (r - 1) mod K to its solver
 * (sl_aco_offer / sl_pso_offer). What a rank computes depends only on its seed and on what it
 * receives, so a run is deterministic for a given rank count (and any thread count); use
 * iteration or evaluation limits, not time limits, for that.
 *
 * Every rank gets the same result: the global best value per iteration (the minimum over ranks)
 * and counts. All functions are collective over comm. Ownership: sl_islands_result_release releases
 * the history.
 */
#ifndef SWARMLAB_ISLANDS_H
#define SWARMLAB_ISLANDS_H

#include <stdint.h>
#include <mpi.h>

#include "swarmlab/aco.h"
#include "swarmlab/error.h"
#include "swarmlab/pso.h"

typedef struct sl_islands_result {
    long long iterations;     /* loop iterations until every rank was done */
    long long exchanges;      /* ring exchanges made */
    long long adopted;        /* migrants adopted, summed over ranks */
    double best;              /* global best value (tour length or objective) */
    int best_rank;            /* lowest rank holding it */
    double *history;          /* global best after each iteration (iterations values) */
} sl_islands_result;

/* Seed of rank `rank`'s solver. */
uint64_t sl_islands_seed(uint64_t seed, int rank);

sl_status sl_islands_aco(sl_aco *c, MPI_Comm comm, int every, sl_islands_result *res,
                         sl_error *e);
/* The PSO problem must be unconstrained (sl_pso_offer). */
sl_status sl_islands_pso(sl_pso *s, MPI_Comm comm, int every, sl_islands_result *res,
                         sl_error *e);
void sl_islands_result_release(sl_islands_result *r);

#endif
