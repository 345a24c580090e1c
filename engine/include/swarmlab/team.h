/* team.h - one parallel region shared by several phases of a system.
 *
 * A system with a `team` function (see world.h) gets one OpenMP parallel region per step instead
 * of one per pass: every thread of the team calls the function once, and the phases inside it are
 * separated by barriers rather than by new regions. Opening a region wakes sleeping threads, which
 * on a shared machine with passive waiting costs tens of microseconds each time; a step made of
 * several short passes over 10 000 agents pays that several times over.
 *
 * Rules for a team function:
 *  - every thread calls the same helpers in the same order (they contain worksharing loops and
 *    barriers that all threads must meet);
 *  - results must not depend on which thread computed them: use sl_team_block() for fixed
 *    partitions and sl_team_chunks() for per-chunk work, never the thread number, for anything
 *    that ends up in the state;
 *  - no allocation and no Lua: do those in the serial `pre` and `post` hooks.
 * With one thread the function runs on the calling thread and barriers cost nothing. */
#ifndef SWARMLAB_TEAM_H
#define SWARMLAB_TEAM_H

#include <stddef.h>
#include <stdint.h>

struct sl_world;
struct sl_pop;
struct sl_ctx;

typedef struct sl_team {
    struct sl_world *world;
    struct sl_pop *pop;   /* the system's population, or NULL */
    int thread, threads;  /* this thread's number in [0, threads) */
    uint64_t step, seed;
    void *user;           /* the system's user pointer */
} sl_team;

typedef void (*sl_team_fn)(const sl_team *t);

/* This thread's contiguous share [*begin, *end) of [0, n): a fixed split by thread number, for
 * passes whose per-item result does not depend on the split. No barrier. */
void sl_team_block(const sl_team *t, size_t n, size_t *begin, size_t *end);

/* Waits until every thread of the team arrives. */
void sl_team_barrier(const sl_team *t);

/* Runs fn over [0, n) in chunks of SL_CHUNK shared dynamically among the team, then waits for the
 * whole team. ctx->begin/end/chunk describe each chunk as for a system's `run`. */
void sl_team_chunks(const sl_team *t, size_t n, void (*fn)(struct sl_ctx *ctx), void *user);

/* Same with chunks of `grain` items (ctx->chunk counts those), for work whose per-item result
 * does not depend on the chunking: a finer grain evens out the threads' finishing times, so
 * that fewer of them go to sleep at the barrier that follows. Deferred spawns are staged per
 * SL_CHUNK chunk, so code that spawns must use sl_team_chunks() instead. */
void sl_team_for(const sl_team *t, size_t n, size_t grain, void (*fn)(struct sl_ctx *ctx),
                 void *user);

/* Runs fn(t, user) on the team; threads <= 1 runs it on the calling thread. */
void sl_team_run(struct sl_world *w, struct sl_pop *pop, int threads, sl_team_fn fn, void *user,
                 uint64_t step, uint64_t seed);

#endif
