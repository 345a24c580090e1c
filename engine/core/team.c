/* team.c - phases of one system sharing a single parallel region. */
#include "swarmlab/team.h"

#include <omp.h>

#include "swarmlab/world.h"

void sl_team_block(const sl_team *t, size_t n, size_t *begin, size_t *end)
{
    const size_t T = (size_t)t->threads, i = (size_t)t->thread;
    const size_t base = n / T, extra = n % T;
    *begin = i * base + (i < extra ? i : extra);
    *end = *begin + base + (i < extra ? 1 : 0);
}

void sl_team_barrier(const sl_team *t)
{
    if (t->threads > 1) {
#pragma omp barrier
    }
}

void sl_team_for(const sl_team *t, size_t n, size_t grain, void (*fn)(sl_ctx *ctx), void *user)
{
    if (grain == 0) grain = SL_CHUNK;
    const long nchunks = (long)((n + grain - 1) / grain);
    /* orphaned worksharing: binds to the team's region (or runs serially outside one) */
#pragma omp for schedule(dynamic, 1)
    for (long c = 0; c < nchunks; c++) {
        size_t b = (size_t)c * grain;
        sl_ctx ctx = {
            .world = t->world, .pop = t->pop, .begin = b, .end = b + grain < n ? b + grain : n,
            .chunk = (int)c, .thread = t->thread, .step = t->step, .seed = t->seed, .user = user,
        };
        fn(&ctx);
    }
}

void sl_team_chunks(const sl_team *t, size_t n, void (*fn)(sl_ctx *ctx), void *user)
{
    sl_team_for(t, n, SL_CHUNK, fn, user);
}

void sl_team_run(sl_world *w, sl_pop *pop, int threads, sl_team_fn fn, void *user, uint64_t step,
                 uint64_t seed)
{
    if (threads <= 1) {
        sl_team t = {.world = w, .pop = pop, .thread = 0, .threads = 1, .step = step, .seed = seed,
                     .user = user};
        fn(&t);
        return;
    }
#pragma omp parallel num_threads(threads)
    {
        sl_team t = {.world = w, .pop = pop, .thread = omp_get_thread_num(),
                     .threads = omp_get_num_threads(), .step = step, .seed = seed, .user = user};
        fn(&t);
    }
}
