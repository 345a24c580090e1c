/* rng.h - counter-based random numbers (Random123 Philox-4x32-10).
 *
 * A number is a pure function of (seed, stream, id, step, draw): it never depends on which thread
 * drew it or in which order agents were visited. Typical use inside a system:
 *
 *     sl_rng r = sl_rng_make(world_seed, SL_STREAM_MOVE, agent_index, step);
 *     double u = sl_rng_uniform(&r);     // draw 0, 1, 2, ... of that key
 *
 * Streams separate independent uses (movement, demand, ant construction, ...); pick a distinct
 * constant per use. The struct is plain data and lives on the stack; nothing to free.
 */
#ifndef SWARMLAB_RNG_H
#define SWARMLAB_RNG_H

#include <stdint.h>

typedef struct sl_rng {
    uint32_t key[2];   /* seed */
    uint32_t ctr[4];   /* draw, step, id, stream */
    uint32_t buf[4];   /* last block */
    int left;          /* unread words in buf */
} sl_rng;

/* Key (seed) and counter (stream, id, step); the draw counter starts at 0. */
sl_rng sl_rng_make(uint64_t seed, uint32_t stream, uint64_t id, uint64_t step);

/* The raw block for an explicit draw index: a pure function of its five arguments. */
void sl_rng_block(uint64_t seed, uint32_t stream, uint64_t id, uint64_t step, uint32_t draw,
                  uint32_t out[4]);

uint32_t sl_rng_u32(sl_rng *r);
uint64_t sl_rng_u64(sl_rng *r);
double sl_rng_uniform(sl_rng *r);            /* [0, 1), 53 random bits */
double sl_rng_uniform_pos(sl_rng *r);        /* (0, 1] */
double sl_rng_range(sl_rng *r, double lo, double hi); /* [lo, hi) */
uint32_t sl_rng_below(sl_rng *r, uint32_t n); /* unbiased integer in [0, n); n > 0 */
double sl_rng_normal(sl_rng *r);             /* standard normal (Box-Muller, one value a call) */
uint32_t sl_rng_poisson(sl_rng *r, double lambda); /* lambda >= 0 */
double sl_rng_exponential(sl_rng *r, double rate);  /* rate > 0 */

/* Mixes a 64-bit seed with an integer into a new seed (SplitMix64 finaliser): derives the seed
 * of replicate i from a base seed, or a sub-seed for a module. */
uint64_t sl_seed_mix(uint64_t seed, uint64_t i);

#endif
