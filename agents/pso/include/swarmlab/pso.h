/* pso.h - particle swarm optimisation: SPSO-2011 and classic variants.
 *
 * A solver minimises f(x) over a box [lower, upper]^dim, optionally subject to inequality
 * constraints g_i(x) <= 0 and equality constraints |h_j(x)| <= eq_tol, with some coordinates
 * restricted to multiples of a quantum (1 = integer variables). One call of sl_pso_step() is one
 * iteration of the swarm (the first call initialises and evaluates the swarm).
 *
 * Variants: SL_PSO_SPSO2011 (Clerc's Standard PSO 2011: rotation-invariant move in a hypersphere
 * around the centre of gravity of x, x + c(p - x), x + c(l - x); adaptive random topology;
 * confinement), SL_PSO_INERTIA (constant inertia weight), SL_PSO_LDW (inertia decreasing
 * linearly from w_start to w_end over the FE budget) and SL_PSO_CONSTRICTION (Clerc-Kennedy).
 * See docs/pso.md for every choice made where the published SPSO-2011 description and its
 * reference C code differ.
 *
 * Determinism: every random number is keyed by (seed, stream, particle, iteration) with the
 * counter-based generator of swarmlab/rng.h, and the swarm is updated synchronously (all
 * particles move, all are evaluated - in parallel with OpenMP when the problem is thread-safe -
 * then personal and global bests are updated serially in particle order). A run therefore gives
 * bitwise the same result for any thread count. The FE count is exact: the solver never
 * evaluates more points than max_fes (in the last iteration only the first particles move).
 *
 * Non-finite objective values (NaN, +-inf) are treated as the worst possible value (+inf) and
 * counted (sl_pso_nonfinite()).
 *
 * Ownership: sl_pso_create() copies the configuration arrays; the problem's user pointer stays
 * the caller's. sl_pso_destroy() frees everything the solver allocated.
 */
#ifndef SWARMLAB_PSO_H
#define SWARMLAB_PSO_H

#include <stdbool.h>
#include <stdint.h>
#include "swarmlab/error.h"

typedef enum sl_pso_variant {
    SL_PSO_SPSO2011 = 0,
    SL_PSO_INERTIA,        /* v = w v + c1 r1 (p - x) + c2 r2 (l - x), constant w */
    SL_PSO_LDW,            /* same, w decreasing linearly w_start -> w_end over the FE budget */
    SL_PSO_CONSTRICTION    /* v = chi (v + c1 r1 (p - x) + c2 r2 (l - x)) */
} sl_pso_variant;

typedef enum sl_pso_topology {
    SL_PSO_TOPO_DEFAULT = 0,  /* adaptive random for SPSO-2011, global for the classic variants */
    SL_PSO_TOPO_ADAPTIVE,     /* random informants (K), re-drawn after an iteration without
                                 improvement of the global best */
    SL_PSO_TOPO_GLOBAL,       /* gbest */
    SL_PSO_TOPO_RING,         /* lbest: i - r .. i + r (r = ring_radius), wrapping */
    SL_PSO_TOPO_VON_NEUMANN   /* 2-D toroidal grid, neighbours N, S, E, W and itself */
} sl_pso_topology;

typedef enum sl_pso_bounds {
    SL_PSO_BOUNDS_DEFAULT = 0, /* confine for SPSO-2011, damp for the classic variants */
    SL_PSO_BOUNDS_CONFINE,     /* SPSO-2011: clamp to the bound, that velocity component *= -0.5 */
    SL_PSO_BOUNDS_CLAMP,       /* clamp to the bound; velocity = the displacement really made */
    SL_PSO_BOUNDS_REFLECT,     /* mirror at the bound; velocity component reversed */
    SL_PSO_BOUNDS_RANDOM,      /* the coordinate is re-drawn uniformly in [lower, upper] */
    SL_PSO_BOUNDS_DAMP         /* clamp; velocity component *= -U(0, 1] (never zero) */
} sl_pso_bounds;

typedef enum sl_pso_constraint_method {
    SL_PSO_DEB = 0,       /* Deb's feasibility rules */
    SL_PSO_PENALTY        /* minimise f + penalty * violation */
} sl_pso_constraint_method;

typedef struct sl_pso_def {
    int dim;
    const double *lower, *upper;   /* dim values each (copied) */
    const double *quantum;         /* NULL, or dim values: 0 continuous, q > 0 multiples of q */
    sl_pso_variant variant;
    sl_pso_topology topology;
    sl_pso_bounds bounds;
    int swarm;                     /* particles (default 40) */
    int informants;                /* K of the adaptive random topology (default 3) */
    int ring_radius;               /* ring topology (default 1) */
    /* SPSO-2011 options (defaults follow the reference C code; see docs/pso.md) */
    int links_k_draws;             /* 0: each link with probability 1-(1-1/S)^K (code);
                                      1: each particle informs K particles drawn at random */
    int sphere_volume;             /* 0: radius uniform in [0, R] (code); 1: uniform in volume */
    int async;                     /* 1: particles move and are evaluated one after the other
                                      (as the reference code; serial); 0: synchronous */
    int permute;                   /* async only: random particle order each iteration */
    /* coefficients */
    double w, c;                   /* SPSO-2011: 1/(2 ln 2), 0.5 + ln 2 */
    double w_start, w_end;         /* inertia: w_start is the constant w; LDW 0.9 -> 0.4 */
    double c1, c2;                 /* classic: 1.49445 (inertia), 2.05 (constriction) */
    double chi;                    /* constriction: 0.7298 */
    double vmax;                   /* velocity clamp as a fraction of (upper - lower); 0 = off */
    /* stopping (the first that triggers ends the run) */
    long long max_fes;             /* FE budget (> 0) */
    double optimum;                /* known f* used for errors (default 0) */
    double target;                 /* stop when best - optimum <= target; < 0 disables */
    double max_seconds;            /* wall-clock limit; 0 disables (not deterministic) */
    int stagnation;                /* stop after this many iterations without an improvement
                                      of the global best larger than stagnation_tol; 0 off */
    double stagnation_tol;
    /* constraints */
    int ng, nh;                    /* number of g_i (<= 0) and h_j (= 0) values */
    double eq_tol;                 /* |h| <= eq_tol counts as satisfied (default 1e-4) */
    double eq_tol_start;           /* > eq_tol: the tolerance starts here and shrinks
                                      geometrically to eq_tol at 80% of the FE budget (helps
                                      the swarm move along thin equality manifolds); 0 = off */
    sl_pso_constraint_method cmethod;
    double penalty;                /* coefficient of the penalty method (default 1e6) */
    uint64_t seed;
    int threads;                   /* OpenMP threads for evaluation (>= 1; 0 = default) */
} sl_pso_def;

/* Evaluates one point: sets *f, fills g[0..ng-1] and h[0..nh-1]. Returns SL_OK, or an error with
 * e filled (the run stops with that error). Must be thread-safe when the problem says so. */
typedef sl_status (*sl_pso_eval_fn)(void *user, const double *x, int dim, double *f, double *g,
                                    double *h, sl_error *e);

typedef struct sl_pso_problem {
    sl_pso_eval_fn eval;
    void *user;
    int thread_safe;   /* 1: evaluated in parallel (C objectives); 0: serial (Lua objectives) */
} sl_pso_problem;

typedef struct sl_pso sl_pso;

/* Island models: offers a point found by another swarm on the same problem, with its objective
 * value f (unconstrained problems only). When it beats the worst personal best it replaces it
 * (and becomes the global best when it beats that too); current positions and velocities are
 * untouched. Returns 1 when adopted, 0 when not, -1 when the swarm is not initialised, the
 * problem has constraints or a coordinate is outside the bounds. */
int sl_pso_offer(sl_pso *s, const double *x, double f);

/* Defaults for a variant (coefficients, swarm 40, K 3, max_fes 10000 * dim, target -1). */
sl_pso_def sl_pso_def_default(sl_pso_variant variant, int dim);

/* Validates the configuration (dim >= 1, swarm >= 1, lower < upper, finite bounds, quanta with at
 * least one multiple in range, coefficients finite, budget > 0, ...). Returns SL_ERR_RANGE with
 * a one-line message naming the parameter. */
sl_status sl_pso_check(const sl_pso_def *cfg, sl_error *e);

/* Creates a solver (nothing is evaluated yet). NULL with e filled on a bad configuration. */
sl_pso *sl_pso_create(const sl_pso_def *cfg, const sl_pso_problem *pb, sl_error *e);
void sl_pso_destroy(sl_pso *s);

/* One iteration (the first call initialises and evaluates the swarm); nothing once done. On an
 * evaluation error the solver stops (done) and the error is returned (best-so-far results remain
 * readable). */
sl_status sl_pso_step(sl_pso *s, sl_error *e);
/* true once a stopping rule holds (or an evaluation failed). */
bool sl_pso_done(const sl_pso *s);
/* Steps until done. */
sl_status sl_pso_run(sl_pso *s, sl_error *e);

/* Results. The best is compared by the constraint method (Deb: feasible first). */
double sl_pso_best_value(const sl_pso *s);      /* objective f (without penalty) */
double sl_pso_best_error(const sl_pso *s);      /* best value - optimum */
double sl_pso_best_violation(const sl_pso *s);  /* 0 when feasible */
const double *sl_pso_best_x(const sl_pso *s);   /* dim values, valid until destroy */
long long sl_pso_fes(const sl_pso *s);
long long sl_pso_iterations(const sl_pso *s);
long long sl_pso_nonfinite(const sl_pso *s);    /* evaluations that returned NaN or inf */
long long sl_pso_target_fes(const sl_pso *s);   /* FE at which the target was reached, or -1 */
const char *sl_pso_stop_reason(const sl_pso *s);/* "running", "fes", "target", "time",
                                                   "stagnation", "error" */

/* Convergence history: one entry after the initial swarm and after every iteration. */
typedef struct sl_pso_history_entry {
    long long fes;
    double best_value;   /* objective of the best so far */
    double best_error;   /* best_value - optimum */
    double violation;    /* of the best so far */
} sl_pso_history_entry;
const sl_pso_history_entry *sl_pso_history(const sl_pso *s, int *n);

/* Swarm state for viewers: current positions (swarm x dim, row-major), current objective values
 * (swarm), personal bests (swarm x dim). Valid until the next step or destroy. */
int sl_pso_swarm_size(const sl_pso *s);
int sl_pso_dim(const sl_pso *s);
const double *sl_pso_positions(const sl_pso *s);
const double *sl_pso_values(const sl_pso *s);
const double *sl_pso_pbest(const sl_pso *s);
/* The configuration (bounds) and problem the solver runs, e.g. for a viewer that draws the
 * objective landscape; valid until destroy. */
const sl_pso_def *sl_pso_def_used(const sl_pso *s);
const sl_pso_problem *sl_pso_problem_used(const sl_pso *s);

/* Names <-> enums for bindings; return -1 for an unknown name. */
/* The names the parsers accept, aliases included (NULL-terminated). */
extern const char *const sl_pso_variant_names[];
extern const char *const sl_pso_topology_names[];
extern const char *const sl_pso_bounds_names[];
int sl_pso_variant_parse(const char *name);
int sl_pso_topology_parse(const char *name);
int sl_pso_bounds_parse(const char *name);
const char *sl_pso_variant_name(sl_pso_variant v);

#endif
