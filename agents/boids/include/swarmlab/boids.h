/* boids.h - flocking after the ABMFrameworksComparison "Flocking" specification.
 *
 * Per bird, with N = number of neighbours within `radius` (at least 1 in the divisions):
 *   cohere   = cohere_factor   * sum(p_j - p_i) / N
 *   separate = -separate_factor * sum(p_j - p_i for |p_j - p_i| < separation) / N
 *   match    = match_factor    * sum(v_j) / N
 *   v_i <- normalise((v_i + cohere + separate + match) / 2);   p_i <- p_i + speed * v_i
 * on a periodic width x height plane (minimum-image displacements).
 *
 * The update is synchronous: every bird reads the state of step t and writes step t + 1, so the
 * birds can be updated in any order and in parallel with identical results. (Sequential
 * implementations of the specification update birds in place in random order; that makes the
 * outcome depend on the visiting order and cannot be parallelised deterministically.)
 *
 * Performance: every step the birds are re-sorted by grid cell (a stable counting sort), the new
 * state is written in cell order, and the population is permuted to match, so neighbour scans
 * read memory almost sequentially.
 *
 * Ownership: sl_boids_attach() adds a system to the world; the world owns its state.
 */
#ifndef SWARMLAB_BOIDS_H
#define SWARMLAB_BOIDS_H

#include "swarmlab/world.h"

typedef struct sl_boids_def {
    double width, height;      /* periodic plane */
    double radius;             /* visual distance */
    double speed;              /* 1.0 */
    double cohere_factor;      /* 0.03 */
    double separation;         /* 1.0 */
    double separate_factor;    /* 0.015 */
    double match_factor;       /* 0.05 */
} sl_boids_def;

/* The specification's constants, on a 100 x 100 plane with visual distance 5. */
sl_boids_def sl_boids_def_default(void);

/* Checks parameters: sizes and radius positive and finite, factors finite, speed >= 0. */
sl_status sl_boids_check(const sl_boids_def *bp, sl_error *e);

/* Makes (or reuses) population columns x, y, vx, vy (f64) in pop, and adds the flocking system.
 * The population may be empty or already hold birds. */
sl_status sl_boids_attach(sl_world *w, sl_pop *pop, const sl_boids_def *bp, sl_error *e);

/* Spawns n birds uniformly on the plane with uniform random headings, drawn from the world's
 * seed (stream SL_STREAM_BOIDS_INIT, keyed by the bird's stable index). */
sl_status sl_boids_spawn(sl_world *w, sl_pop *pop, size_t n, sl_error *e);

/* Bytes held by the flocking system (grid and double buffers) for memory benchmarks. */
size_t sl_boids_bytes(const sl_world *w, const sl_pop *pop);

#define SL_STREAM_BOIDS_INIT 0xB01D0001u

#endif
