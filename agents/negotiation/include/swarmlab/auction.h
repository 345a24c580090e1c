/* auction.h - task allocation among agents with routes: single-item auctions and the optimum.
 *
 * Problem: A agents start at nodes 0..A-1; T tasks are nodes A..A+T-1; dist is the full
 * (A+T) x (A+T) distance matrix, row-major. An agent visits its tasks in order from its start;
 * with return_home the route closes back at the start. Its cost is the route length; the team
 * cost is the sum over agents (MiniSum). cap[a] (optional) limits the number of tasks of agent a.
 *
 * - Sequential single-item auction (SSI): T rounds; in each round every agent bids, for every
 *   unallocated task, its marginal cost of inserting the task into its route at the cheapest
 *   position; the lowest bid overall wins, and the winner inserts the task there.
 * - Parallel single-item auction (PSI): one round; each task goes to the agent with the lowest
 *   marginal cost against its empty route; each agent then inserts its tasks by cheapest insertion.
 * - Optimum (small instances only, T <= 12): exact, by dynamic programming over task subsets.
 * - CBBA (below): decentralised bundles and consensus over a communication graph.
 *
 * Ties are broken by the lower agent index, then the lower task index: results are deterministic.
 * Ownership: sl_alloc_result arrays are owned by the result; free with sl_alloc_result_release.
 */
#ifndef SWARMLAB_AUCTION_H
#define SWARMLAB_AUCTION_H

#include "swarmlab/error.h"

typedef struct sl_alloc_problem {
    int nagents, ntasks;
    const double *dist;   /* (nagents + ntasks)^2, row-major, finite and >= 0 */
    const int *cap;       /* per agent, or NULL for unlimited */
    int return_home;
} sl_alloc_problem;

typedef struct sl_alloc_result {
    int nagents, ntasks;
    int *agent_of;        /* ntasks: winning agent */
    int *order;           /* ntasks: tasks (0-based) route by route */
    int *start;           /* nagents + 1: route of agent a is order[start[a] .. start[a+1]) */
    double cost;          /* team cost (sum of route lengths) */
    long bids;            /* bids computed (the communication an auction would need) */
} sl_alloc_result;

/* All return SL_OK, or SL_ERR_RANGE with e filled for a malformed problem (no agents, a
 * negative or non-finite distance, capacities too small for the tasks, too many tasks for the
 * optimum), or SL_ERR_NOMEM. */
sl_status sl_auction_sequential(const sl_alloc_problem *p, sl_alloc_result *r, sl_error *e);
sl_status sl_auction_parallel(const sl_alloc_problem *p, sl_alloc_result *r, sl_error *e);
sl_status sl_alloc_optimum(const sl_alloc_problem *p, sl_alloc_result *r, sl_error *e);
void sl_alloc_result_release(sl_alloc_result *r);

/* Consensus-based bundle algorithm (CBBA, Choi, Brunet and How 2009), decentralised: in every
 * synchronous round each agent adds tasks to its bundle greedily by score (reward - cheapest
 * insertion cost, capped by its earlier bids so scores never rise along a bundle), then agents
 * exchange winning bids, winners and timestamps with their neighbours in the communication graph
 * and apply the CBBA update/reset/leave rules; an agent outbid on a task drops it and every task
 * it added after it. Rounds stop when nothing changed for nagents rounds. */
typedef struct sl_cbba_def {
    const unsigned char *comm; /* nagents x nagents: 1 where a hears b; NULL = everyone (borrowed
                                  for the call) */
    int max_bundle;            /* tasks per agent (0: no limit besides cap) */
    int max_rounds;            /* 0: 100 (ntasks + 1) + 10 nagents */
    double reward;             /* per task (0: 3 x the largest distance + 1) */
} sl_cbba_def;
/* The defaults: everyone hears everyone, the limits and the reward picked from the problem. */
sl_cbba_def sl_cbba_def_default(void);
/* As the auctions; also SL_ERR_STATE when no agreement is reached within max_rounds. def NULL:
 * the defaults. *rounds (may be NULL) gets the rounds used; r->bids counts bid entries exchanged. */
sl_status sl_cbba(const sl_alloc_problem *p, const sl_cbba_def *def, sl_alloc_result *r,
                  int *rounds, sl_error *e);

/* Length of agent a's route visiting `tasks` (0-based task numbers) in the given order. */
double sl_alloc_route_cost(const sl_alloc_problem *p, int a, const int *tasks, int n);

#endif
