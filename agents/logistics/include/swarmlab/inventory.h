/* inventory.h - demand processes and replenishment policies for stores and warehouses.
 *
 * Demand of an entity (a store and product) in a step is a pure function of (seed, entity, step),
 * drawn from the counter-based RNG, so two planners run on the same seed see the same demand.
 * Processes: constant, Poisson(mean), seasonal Poisson(mean * (1 + amplitude * sin(2 pi (step +
 * phase) / period))), and a table read from a CSV file (one row per step, one column per entity or
 * a single column for all; the table repeats when the run is longer).
 *
 * Policies decide an order quantity from the inventory position (on hand - backlog + on order):
 *   (s, S)        order S - position when position <= s
 *   base-stock    order S - position when positive (order-up-to level S)
 *   velocity      order velocity * (factor + cover) - position when on-hand inventory is below
 *                 velocity * factor, where velocity is an exponentially smoothed sales rate
 * Quantities are rounded up to whole units.
 */
#ifndef SWARMLAB_INVENTORY_H
#define SWARMLAB_INVENTORY_H

#include <stddef.h>
#include <stdint.h>
#include "swarmlab/error.h"

#define SL_STREAM_DEMAND 0x44454d44u

typedef enum sl_demand_kind {
    SL_DEMAND_CONSTANT = 0,
    SL_DEMAND_POISSON,
    SL_DEMAND_SEASONAL,
    SL_DEMAND_TABLE
} sl_demand_kind;

typedef struct sl_demand {
    int kind;              /* sl_demand_kind */
    double mean;           /* units per step (>= 0) */
    double amplitude;      /* seasonal: relative amplitude in [0, 1] */
    double period;         /* seasonal: steps per cycle (> 0) */
    double phase;          /* seasonal: shift in steps */
    double *table;         /* table: rows x cols values, owned (sl_demand_release) */
    size_t rows;
    int cols;
} sl_demand;

/* Parses "constant", "poisson", "seasonal", "csv"; -1 otherwise. */
int sl_demand_kind_parse(const char *s);
/* Checks the parameters (negative or NaN mean, amplitude outside [0,1], period <= 0). */
sl_status sl_demand_check(const sl_demand *d, sl_error *e);
/* Loads a CSV table: an optional header line, then rows of non-negative numbers separated by
 * commas. Errors name the file and line ("demand.csv:7: negative demand -3"). */
sl_status sl_demand_load_csv(sl_demand *d, const char *path, sl_error *e);
void sl_demand_release(sl_demand *d);
/* Expected demand of an entity in a step (the table value for tables). */
double sl_demand_mean(const sl_demand *d, uint64_t entity, uint64_t step);
/* Units demanded (a whole number >= 0). */
double sl_demand_draw(const sl_demand *d, uint64_t seed, uint64_t entity, uint64_t step);

typedef enum sl_policy_kind {
    SL_POLICY_SS = 0,      /* (s, S) */
    SL_POLICY_BASE_STOCK,  /* order-up-to S */
    SL_POLICY_VELOCITY     /* sales velocity x safety factor */
} sl_policy_kind;

typedef struct sl_policy {
    int kind;
    double s, S;           /* reorder point and order-up-to level */
    double factor;         /* velocity: safety-stock factor (steps of sales) */
    double cover;          /* velocity: extra steps of sales ordered on top */
    double alpha;          /* velocity: smoothing weight of the newest sales in (0, 1] */
} sl_policy;

/* Parses "sS", "base_stock", "velocity"; -1 otherwise. */
int sl_policy_kind_parse(const char *s);
sl_status sl_policy_check(const sl_policy *p, sl_error *e);
/* Order quantity (whole units, >= 0). on_hand is used by the velocity rule. */
double sl_policy_order(const sl_policy *p, double position, double on_hand, double velocity);
/* Smoothed sales velocity after observing `sales` in a step. */
double sl_policy_velocity(const sl_policy *p, double velocity, double sales);

/* Variance of x[0..n-1] (population variance; 0 for n < 2). */
double sl_variance(const double *x, size_t n);

#endif
