/* beer_game.h - the Beer Distribution Game (four-stage serial supply chain), classic rules.
 *
 * Stages 0..3: retailer, wholesaler, distributor, factory. Each starts with 12 cases on hand,
 * 4 cases in each of its two shipping-delay slots (the factory: two production-delay slots), and
 * order slips of 4 everywhere. Weekly sequence, every stage in the same phase before the next:
 *   1. receive: the shipping (production) delay advances; the first slot arrives in inventory
 *   2. fill the incoming order plus backlog as far as stock allows; the rest is backlog; what is
 *      shipped enters the downstream stage's second shipping slot
 *   3. cost: holding per case on hand, backlog per case owed
 *   4. order slips advance: each stage's last order becomes its supplier's incoming order; the
 *      factory's last production request enters its production delay
 *   5. each stage places an order (the decision; weeks 1..forced_weeks it is 4)
 * An order placed in week t is filled in t+2, goods shipped in t arrive in t+2, production
 * requested in t is usable in t+3.
 *
 * Ordering policies are callbacks; the built-in order-up-to and Sterman (1989) anchoring-and-
 * adjustment rules are provided as functions too.
 */
#ifndef SWARMLAB_BEER_GAME_H
#define SWARMLAB_BEER_GAME_H

#include "swarmlab/error.h"

#define SL_BEER_STAGES 4
#define SL_BEER_MAX_WEEKS 1000

/* What a stage knows when it places its order. */
typedef struct sl_beer_view {
    int stage;             /* 0 retailer .. 3 factory */
    int week;              /* 1-based */
    double inventory;      /* cases on hand */
    double backlog;        /* cases owed downstream */
    double incoming;       /* order received (filled) this week */
    double received;       /* cases received this week */
    double shipped;        /* cases shipped this week */
    double supply_line;    /* ordered, not yet received (slips, supplier backlog, in transit) */
    double last_order;     /* this stage's previous order */
} sl_beer_view;

/* Returns SL_OK and sets *order (finite, >= 0), or fills e (a Lua error, a bad order). */
typedef sl_status (*sl_beer_policy_fn)(void *user, const sl_beer_view *v, double *order,
                                       sl_error *e);

typedef struct sl_beer_def {
    int weeks;             /* 36 */
    int forced_weeks;      /* weeks whose orders are fixed at 4 (default 4) */
    double holding_cost;   /* 0.5 per case-week */
    double backlog_cost;   /* 1.0 per case-week */
    double demand_before, demand_after; /* 4 and 8 */
    int step_week;         /* first week of demand_after (5) */
} sl_beer_def;

/* Defaults: the classic settings (36 weeks, 4 forced weeks, $0.50 / $1.00, demand 4 then 8 from week 5). */
sl_beer_def sl_beer_def_default(void);

typedef struct sl_beer_result {
    int weeks;
    /* [week][stage], week 0 = first week */
    double order[SL_BEER_MAX_WEEKS][SL_BEER_STAGES];
    double inventory[SL_BEER_MAX_WEEKS][SL_BEER_STAGES];
    double backlog[SL_BEER_MAX_WEEKS][SL_BEER_STAGES];
    double demand[SL_BEER_MAX_WEEKS];
    double stage_cost[SL_BEER_STAGES];
    double total_cost;
} sl_beer_result;

/* Plays the game. policy is called serially for every stage and week after the forced weeks.
 * Errors: weeks outside 1..SL_BEER_MAX_WEEKS, negative costs or demand (SL_ERR_RANGE), an order
 * that is negative or not finite (SL_ERR_RANGE naming stage and week), or the policy's error. */
sl_status sl_beer_play(const sl_beer_def *def, sl_beer_policy_fn policy, void *user,
                       sl_beer_result *r, sl_error *e);

/* Order-up-to: user points to double levels[4]; orders max(0, level - inventory position). */
sl_status sl_beer_order_up_to(void *levels, const sl_beer_view *v, double *order, sl_error *e);

/* Sterman (1989) anchoring and adjustment: O = max(0, L + alpha (Q - S - beta SL)) with expected
 * demand L smoothed by theta. Parameters per stage; state (L) is kept in the struct. */
typedef struct sl_beer_sterman {
    double theta, alpha, beta, Q;    /* 0.36, 0.26, 0.34, 17 (mean estimates of the paper) */
    double expected[SL_BEER_STAGES]; /* starts at 4 */
} sl_beer_sterman;
sl_beer_sterman sl_beer_sterman_default(void);
sl_status sl_beer_sterman_order(void *params, const sl_beer_view *v, double *order, sl_error *e);

/* Bullwhip ratio of a stage: variance of its orders / variance of customer demand, over the
 * weeks [from, weeks). */
double sl_beer_bullwhip(const sl_beer_result *r, int stage, int from);

#endif
