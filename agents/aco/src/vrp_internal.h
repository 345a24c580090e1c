/* vrp_internal.h - (private) the local search of the rich VRP colony (vrp_ls.c, its insertion
 * pricing in vrp_insert.c), shared with vrp_colony.c.
 *
 * A working solution keeps, per vehicle, its jobs with forward segments (start depot + first k
 * jobs) and backward segments (jobs k.. without the end depot), so a move between two routes is
 * priced and checked for every constraint by concatenating at most five precomputed segments:
 * O(1) per move. Moves inside one route walk the part between the two positions.
 *
 * Scalar objective minimised here (the "search cost"): per used vehicle fixed + cost_distance *
 * distance + cost_time * duration, plus a penalty per unserved job. In the hierarchical
 * objective a used vehicle costs `big_vehicle` (above any distance change) and an unserved job
 * `big_unserved` (above any fleet change), with distance as the only variable cost.
 */
#ifndef SLP_VRP_INTERNAL_H
#define SLP_VRP_INTERNAL_H

#include <stdint.h>
#include "swarmlab/rng.h"
#include "swarmlab/vrp.h"

/* Read-only data shared by every thread. */
typedef struct slp_vrp_ctx {
    const sl_vrp *v;
    int n, nveh, k;              /* jobs, vehicles, neighbours per job */
    int *cand;                   /* n * k nearest jobs */
    double *fixed, *cd, *ct, *speed; /* per vehicle, objective-scaled */
    double *pen;                 /* per job: search cost of leaving it unserved */
    sl_vrp_seg *jseg;            /* per job */
    sl_vrp_seg *dstart, *dend;   /* per vehicle */
    int *first_of_type;          /* per vehicle: lowest vehicle index of its type */
    /* per vehicle type t: the other types whose routes have the same segments (same start and
     * end depots, shift and speed), so a route can move to one of them priced from its segments
     * alone: sib[sib_off[t] .. sib_off[t + 1]) */
    int *sib_off, *sib;
    int fleet_lb;                /* no plan serving every job uses fewer vehicles (sl_vrp_fleet_bound) */
    int dist_only;               /* no cost per time: a route's cost follows from its distance,
                                    so moves are screened in O(1) before any feasibility check */
} slp_vrp_ctx;

int slp_vrp_ctx_init(slp_vrp_ctx *c, const sl_vrp *v, int k);
void slp_vrp_ctx_release(slp_vrp_ctx *c);

typedef struct slp_vrp_route {
    int *jobs, len, cap;
    sl_vrp_seg *fw, *bw;         /* fw[k]: start depot + jobs[0..k-1]; bw[k]: jobs[k..len-1] */
    int *open;                   /* open[k]: shipments picked before position k, delivered later */
    double cost;                 /* search cost of the route (0 when empty) */
    long long mod;               /* value of the move clock when last changed */
} slp_vrp_route;

/* A time limit shared read-only by every thread: absolute readings of the monotonic wall clock
 * and of the process CPU clock (<= 0: none). */
typedef struct slp_vrp_deadline {
    double wall_end, cpu_end;
} slp_vrp_deadline;

/* 1 when a limit of d (may be NULL) has passed; reads the clocks. */
int slp_vrp_deadline_passed(const slp_vrp_deadline *d);

typedef struct slp_vrp_ls {
    const slp_vrp_ctx *c;
    slp_vrp_route *R;                /* one per vehicle */
    int *route_of, *pos_of;      /* per job (-1 when unserved) */
    int *tmp, *tmp2;             /* n + 4 each */
    double cost;                 /* total search cost */
    long long moves, evals;
    long long retyped;           /* insertions that moved their route to a vehicle of another type */
    long long clock;             /* counts route changes */
    long long *seen;             /* per job: clock when its neighbourhood was last found
                                    without an improving move (-1: never) */
    /* checking (tests): every priced candidate is compared with a simulation, and after every
     * applied move the whole solution goes through the independent checker */
    int check;
    long long check_fail;
    /* time limit (NULL: none): the search reads the clocks every SLP_VRP_TICK evaluations and,
     * once the limit has passed, sets `expired` and applies no further move (the solution stays
     * feasible route by route; a cleared route's jobs stay unserved) */
    const slp_vrp_deadline *deadline;
    int expired;
    long long next_tick, ticks;
    int accept_any;              /* perturbation: any feasible move is applied */
    int used_only;               /* insertions only into routes already used */
    int *etype;                  /* per vehicle type: an empty vehicle of it (-1: none); scratch */
    int no_screen;               /* insertion places all priced in full, none screened by
                                    distance first (as in check mode; tests compare the two) */
} slp_vrp_ls;

#define SLP_VRP_TICK 256
#define SLP_VRP_FEAS_EPS 1e-6    /* time warp, duration and distance allowed above a limit */

/* 1 when L's time limit has passed (reads the clocks at most once per SLP_VRP_TICK calls or
 * evaluations; stays 1 once set). */
int slp_vrp_ls_expired(slp_vrp_ls *L);

int slp_vrp_ls_init(slp_vrp_ls *L, const slp_vrp_ctx *c);
void slp_vrp_ls_release(slp_vrp_ls *L);
/* Loads a solution (routes per vehicle; missing jobs unserved). Returns 0, or -1 when a route is
 * infeasible or a job appears twice. */
int slp_vrp_ls_load(slp_vrp_ls *L, const sl_vrp_sol *s);
/* Copies the working solution out. */
int slp_vrp_ls_store(const slp_vrp_ls *L, sl_vrp_sol *s);
void slp_vrp_ls_copy(slp_vrp_ls *dst, const slp_vrp_ls *src);
/* Improves until no move applies: relocate / Or-opt (segments of 1-3 jobs), exchange and cross
 * exchange (segments of 1-2), 2-opt*, intra-route 2-opt, shipment relocation, insertion of
 * unserved jobs and moving a route to a vehicle of another type. */
void slp_vrp_ls_run(slp_vrp_ls *L);
/* Cheapest feasible insertion of every unserved job (shipments as pairs), in job order. */
void slp_vrp_ls_insert_unserved(slp_vrp_ls *L);
/* Removes `count` jobs: a seed job (a random served one when seed < 0, else that job, which may
 * be unserved) and its nearest served neighbours; shipments whole. */
void slp_vrp_ls_ruin(slp_vrp_ls *L, sl_rng *r, int seed, int count);
/* Unserves every job of route r. */
void slp_vrp_ls_clear_route(slp_vrp_ls *L, int r);
int slp_vrp_ls_used(const slp_vrp_ls *L);          /* vehicles used */
int slp_vrp_ls_unserved(const slp_vrp_ls *L);
double slp_vrp_ls_recompute(slp_vrp_ls *L);         /* recomputes the total search cost from routes */
/* Cheapest feasible insertion of the unserved job u (a pickup together with its delivery; a
 * delivery half alone is refused) into any route, or only into used ones; 1 when inserted. */
int slp_vrp_ls_insert_job(slp_vrp_ls *L, int u, int used_only);
/* As slp_vrp_ls_insert_job, each place skipped with probability blink (draws from rng); a single
 * job's places are screened by distance first when there is no cost per time. */
int slp_vrp_ls_insert_blink(slp_vrp_ls *L, int u, int used_only, sl_rng *rng, double blink);
/* Unserves every job j with gone[j] != 0. */
void slp_vrp_ls_remove(slp_vrp_ls *L, const char *gone);
/* Route r becomes jobs[0..len-1]: jobs it held and no longer holds become unserved; the jobs
 * given must be unserved or already in r. The caller guarantees feasibility. */
void slp_vrp_ls_set_route(slp_vrp_ls *L, int r, const int *jobs, int len);
/* `count` random moves (relocate, exchange or 2-opt* between a job and a neighbour), each applied
 * when feasible whatever its cost; never into an unused vehicle. */
void slp_vrp_ls_perturb(slp_vrp_ls *L, sl_rng *r, int count);
/* Search cost of vehicle veh driving the depot-to-depot segment s (*ok: feasible), and of a job
 * list by simulation (several windows). */
double slp_vrp_seg_cost(const slp_vrp_ctx *c, int veh, const sl_vrp_seg *s, int *ok);
double slp_vrp_sim_cost(const slp_vrp_ctx *c, int veh, const int *jobs, int len, int *ok);

/* A candidate route is a list of pieces of the current routes: r >= 0: R[r].jobs[a..b-1]
 * (reversed when rev); r < 0: the job a alone. */
typedef struct slp_vrp_piece {
    int r, a, b, rev;
} slp_vrp_piece;

/* Search cost of vehicle veh driving the pieces in order (*ok: feasible); counts one evaluation,
 * and in check mode compares the price with a simulation. */
double slp_vrp_eval_pieces(slp_vrp_ls *L, int veh, const slp_vrp_piece *p, int np, int *ok);
/* First unused vehicle of the type whose first vehicle is type_first (-1: none). */
int slp_vrp_first_empty(const slp_vrp_ls *L, int type_first);

/* Insertion pricing (vrp_insert.c). Routes are tried in vehicle order, empty ones only for the
 * first unused vehicle of each type and not at all with L->used_only; ties keep the first place.
 * Nothing is changed but the counters (evaluations, check failures). */
/* Cheapest feasible place for the single job u: returns the cost increase (INFINITY when none)
 * with the route in *rb (-1 when none) and the position in *qb (u goes before job *qb). */
double slp_vrp_best_single(slp_vrp_ls *L, int u, int *rb, int *qb);
/* As slp_vrp_best_single, each place skipped with probability blink (draws from rng only when
 * blink > 0); without a cost per time a place is priced from distances first and in full only
 * when it would beat the best so far (unless L->check or L->no_screen). A used route may also
 * take the job by moving to an empty vehicle of a sibling type (ctx sib); *eb is the vehicle that
 * drives the route with the job (*rb itself when it stays). Not with L->used_only. */
double slp_vrp_best_single_blink(slp_vrp_ls *L, int u, sl_rng *rng, double blink, int *rb, int *qb,
                                 int *eb);
/* Cheapest insertion of pickup p and delivery d into route r (p before d). Returns the search
 * cost of the new route (INFINITY when none fits) with positions in *xa, *ya (p goes before
 * position xa, d before position ya of the current route, xa <= ya). Without a cost per time
 * (and windows of one interval) places are screened by distance as in slp_vrp_best_single_blink. */
double slp_vrp_best_pair_in(slp_vrp_ls *L, int r, int p, int d, int *xa, int *ya);
/* Best route (*rb, -1 when none) and positions for a shipment over every route but `skip`.
 * Returns the cost increase. */
double slp_vrp_best_pair(slp_vrp_ls *L, int p, int d, int skip, int *rb, int *xb, int *yb);

/* Route minimisation (vrp_routemin.c): one route is emptied and its jobs go to an ejection pool;
 * each pooled job is inserted where it fits, or else where the jobs it pushes out (at most kmax
 * from one route) have the smallest sum of counters of how often each failed to fit, and those
 * go to the pool; random feasible moves shake the plan between steps. */
typedef struct slp_vrp_rm {
    slp_vrp_ls work;             /* the attempt in progress */
    int *pool, npool;
    long long *fails;            /* per job: times it did not fit (from 1) */
    int active;
    long long steps;             /* pool steps of the attempt in progress */
    int given_up;                /* attempts given up since the last success */
} slp_vrp_rm;

int slp_vrp_rm_init(slp_vrp_rm *m, const slp_vrp_ctx *c);
void slp_vrp_rm_release(slp_vrp_rm *m);
/* Runs pool steps of the attempt in progress, or of a new one starting from `best` (which must
 * serve every job), until `budget` evaluations (priced routes and search nodes) are spent. Returns 1 when m->work holds a plan serving every job with
 * one used vehicle less than `best` (local search applied; the attempt ends); an attempt is given
 * up after max_steps steps. Stops early when m->work's time limit passes. */
int slp_vrp_rm_run(slp_vrp_rm *m, const slp_vrp_ls *best, sl_rng *r, long long budget,
                   long long max_steps);

/* Ruin and recreate on a current plan with simulated-annealing acceptance (vrp_lns.c), after
 * Christiaens and Vanden Berghe's slack induction by string removals: strings of consecutive jobs
 * are cut from a few routes near a random job, and the jobs go back one by one, in a random,
 * demand, distance or window order, at their cheapest feasible place with a few places skipped at
 * random ("blinks"). The current plan is replaced when the new one costs less than its cost plus
 * T ln(1/U); T falls geometrically from t_start to t_end over a cycle of steps, and each cycle
 * (twice as long as the one before) starts again from the best plan. With `used_only` jobs go
 * back only into vehicles already used, so the fleet never grows (vehicles-first objective). */
typedef struct slp_vrp_lns {
    slp_vrp_ls cur, work;
    char *gone;                  /* per job */
    char *ruined;                /* per vehicle */
    int *out;                    /* removed jobs */
    double *key;                 /* sort keys */
    double record;               /* search cost of the best plan seen */
    long long steps, cycle_start, cycle_len, accepted, improved;
    int active, used_only;
    int absent_ok;               /* with used_only: the current plan may leave a few jobs out (set by
                                    the caller once the fleet is final) */
    double price;                /* of a job left out, in mean costs per job (adapts) */
    int price_steps, served_steps; /* steps in this adaptation period; with every job served */
    long long absent_accepted;   /* accepted steps whose plan left jobs out */
    double cur_routes;           /* the current plan's route costs and jobs left out, kept from */
    int cur_absent, cur_known;   /* the step that accepted it (cur_known 0: not yet counted) */
} slp_vrp_lns;

int slp_vrp_lns_init(slp_vrp_lns *s, const slp_vrp_ctx *c);
void slp_vrp_lns_release(slp_vrp_lns *s);
/* Runs steps until `budget` evaluations are spent (or the time limit of s->work passes). A step
 * that reaches a plan cheaper than `best` copies it into `found` and the call returns 1 (the
 * cheapest such plan is left there). The current plan restarts from `best` at each new cycle and
 * when `best` is cheaper than every plan the search has seen. With used_only the jobs go back
 * into used vehicles only, and a step that cannot place them all is rejected, unless absent_ok:
 * then the current plan may leave up to three jobs out at an adapting price (`found` always
 * serves every job the best serves). */
int slp_vrp_lns_run(slp_vrp_lns *s, const slp_vrp_ls *best, sl_rng *rng, long long budget,
                    slp_vrp_ls *found);
/* Whether a chain on `best` may leave jobs out (absent_ok): once the fleet is final (the route
 * minimisation has given up `given_up` attempts since its last success, or `best` is at the
 * capacity bound ctx->fleet_lb), and only on plans with long routes (at least 20 jobs per used
 * vehicle). On plans of many short routes, as on the 200-job RC1 instances, the chain then spends
 * its steps on plans it cannot complete again. */
int slp_vrp_lns_absences_apply(const slp_vrp_ls *best, int given_up);

#endif
