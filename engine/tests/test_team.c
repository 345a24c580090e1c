/* test_team.c - passes sharing one parallel region: fixed blocks, barriers, and the team forms of
 * the grid build and the population permutation, which must equal their serial forms bit for bit
 * for any number of threads. Threaded: runs with CK_FORK=no (set by CTest). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "swarmlab/grid.h"
#include "swarmlab/pop.h"
#include "swarmlab/rng.h"
#include "swarmlab/world.h"

START_TEST(test_blocks_partition)
{
    size_t sizes[] = {0, 1, 2, 3, 7, 1000, 1001};
    for (int T = 1; T <= 5; T++) {
        for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
            size_t n = sizes[k], next = 0, lo = (size_t)-1, hi = 0;
            for (int i = 0; i < T; i++) {
                sl_team t = {.thread = i, .threads = T};
                size_t b, e;
                sl_team_block(&t, n, &b, &e);
                ck_assert_uint_eq(b, next); /* contiguous, in thread order */
                ck_assert_uint_ge(e, b);
                if (e - b < lo) lo = e - b;
                if (e - b > hi) hi = e - b;
                next = e;
            }
            ck_assert_uint_eq(next, n);
            ck_assert_uint_le(hi - lo, 1); /* balanced */
        }
    }
}
END_TEST

/* every thread adds its block to a shared array, then (after a barrier) reads the whole of it */
typedef struct sum_job {
    long *val;
    size_t n;
    long seen[8];
    int threads_seen;
} sum_job;

static void sum_team(const sl_team *t)
{
    sum_job *j = t->user;
    size_t b, e;
    sl_team_block(t, j->n, &b, &e);
    for (size_t i = b; i < e; i++) j->val[i] = (long)i + 1;
    sl_team_barrier(t);
    long s = 0;
    for (size_t i = 0; i < j->n; i++) s += j->val[i];
    j->seen[t->thread] = s;
    if (t->thread == 0) j->threads_seen = t->threads;
}

START_TEST(test_barrier_orders_passes)
{
    enum { N = 200000 };
    sum_job j = {.val = calloc(N, sizeof(long)), .n = N};
    for (int T = 1; T <= 4; T++) {
        memset(j.seen, 0, sizeof j.seen);
        memset(j.val, 0, N * sizeof(long));
        sl_team_run(NULL, NULL, T, sum_team, &j, 0, 0);
        ck_assert_int_eq(j.threads_seen, T);
        for (int i = 0; i < T; i++) ck_assert_int_eq(j.seen[i], (long)N * (N + 1) / 2);
    }
    free(j.val);
}
END_TEST

/* ---- grid ---- */

typedef struct grid_job {
    sl_grid *g;
    const double *x, *y;
    size_t n;
} grid_job;

static void grid_team(const sl_team *t)
{
    grid_job *j = t->user;
    sl_grid_build_team(j->g, j->x, j->y, j->n, t);
}

static void assert_same_index(const sl_grid *a, const sl_grid *b)
{
    size_t ncells = (size_t)a->nx * (size_t)a->ny;
    ck_assert_uint_eq(a->n, b->n);
    ck_assert_int_eq(memcmp(a->cell_start, b->cell_start, (ncells + 1) * sizeof(uint32_t)), 0);
    if (a->n) ck_assert_int_eq(memcmp(a->order, b->order, a->n * sizeof(uint32_t)), 0);
}

/* Builds the index serially and with T threads over several "steps": the points are first in
 * random order (spill lists overflow), then re-sorted by the previous order and moved a little,
 * as a flocking step does (spill lists used, cell ranges taken from the previous build). */
static void check_team_grid(double W, double H, double cell, int toroidal, size_t n, int T)
{
    double *x = malloc((n ? n : 1) * sizeof *x), *y = malloc((n ? n : 1) * sizeof *y);
    double *tx = malloc((n ? n : 1) * sizeof *tx), *ty = malloc((n ? n : 1) * sizeof *ty);
    sl_rng r = sl_rng_make(11, 3, (uint32_t)n, (uint64_t)T);
    for (size_t i = 0; i < n; i++) {
        x[i] = sl_rng_uniform(&r) * W;
        y[i] = sl_rng_uniform(&r) * H;
        if (i % 17 == 0) x[i] = -0.5 * W + sl_rng_uniform(&r) * 2 * W; /* off the plane */
        if (i % 23 == 0) y[i] = floor(y[i]);                             /* on borders */
    }
    sl_grid serial, team;
    ck_assert_int_eq(sl_grid_init(&serial, W, H, cell, toroidal, NULL), SL_OK);
    ck_assert_int_eq(sl_grid_init(&team, W, H, cell, toroidal, NULL), SL_OK);
    for (int step = 0; step < 4; step++) {
        ck_assert_int_eq(sl_grid_build(&serial, x, y, n, NULL), SL_OK);
        ck_assert_int_eq(sl_grid_reserve(&team, n, T, NULL), SL_OK);
        grid_job j = {&team, x, y, n};
        sl_team_run(NULL, NULL, T, grid_team, &j, 0, 0);
        assert_same_index(&serial, &team);
        /* next step: points in the new order, each moved by up to one cell */
        for (size_t s = 0; s < n; s++) {
            uint32_t i = serial.order[s];
            tx[s] = x[i] + (sl_rng_uniform(&r) - 0.5) * 2 * cell;
            ty[s] = y[i] + (sl_rng_uniform(&r) - 0.5) * 2 * cell;
        }
        memcpy(x, tx, n * sizeof *x);
        memcpy(y, ty, n * sizeof *y);
    }
    sl_grid_release(&serial);
    sl_grid_release(&team);
    free(x), free(y), free(tx), free(ty);
}

START_TEST(test_team_grid_equals_serial)
{
    for (int T = 1; T <= 4; T++) {
        check_team_grid(100, 60, 5, 1, 5000, T);
        check_team_grid(100, 60, 5, 0, 5000, T);
        check_team_grid(300, 300, 5, 1, 70000, T);
        check_team_grid(10, 10, 8, 1, 50, T);  /* one cell: fewer cells than threads */
        check_team_grid(30, 10, 10, 0, 40, T); /* three cells */
        check_team_grid(50, 50, 5, 1, 3, T);   /* fewer points than threads */
        check_team_grid(50, 50, 5, 1, 0, T);
    }
}
END_TEST

START_TEST(test_team_grid_thread_count_changes)
{
    /* ranges remembered from a build with 3 threads must not be used by one with 2 */
    enum { N = 4000 };
    double x[N], y[N];
    sl_rng r = sl_rng_make(2, 0, 0, 0);
    for (size_t i = 0; i < N; i++) x[i] = sl_rng_uniform(&r) * 80, y[i] = sl_rng_uniform(&r) * 80;
    sl_grid serial, team;
    sl_grid_init(&serial, 80, 80, 4, 1, NULL);
    sl_grid_init(&team, 80, 80, 4, 1, NULL);
    ck_assert_int_eq(sl_grid_build(&serial, x, y, N, NULL), SL_OK);
    int seq[] = {3, 3, 2, 4, 1, 2};
    for (size_t k = 0; k < sizeof seq / sizeof *seq; k++) {
        ck_assert_int_eq(sl_grid_reserve(&team, N, 4, NULL), SL_OK);
        grid_job j = {&team, x, y, N};
        sl_team_run(NULL, NULL, seq[k], grid_team, &j, 0, 0);
        assert_same_index(&serial, &team);
    }
    sl_grid_release(&serial);
    sl_grid_release(&team);
}
END_TEST

/* two builds in one region, one right after the other (the second reads the ranges the first
 * recorded) */
typedef struct twice_job {
    sl_grid *g;
    const double *x1, *y1, *x2, *y2;
    size_t n1, n2;
} twice_job;

static void twice_team(const sl_team *t)
{
    twice_job *j = t->user;
    sl_grid_build_team(j->g, j->x1, j->y1, j->n1, t);
    sl_grid_build_team(j->g, j->x2, j->y2, j->n2, t);
}

START_TEST(test_team_grid_back_to_back)
{
    enum { N = 20000 };
    double *x = malloc(N * sizeof *x), *y = malloc(N * sizeof *y);
    double *x2 = malloc(N * sizeof *x2), *y2 = malloc(N * sizeof *y2);
    sl_rng r = sl_rng_make(4, 0, 0, 0);
    for (size_t i = 0; i < N; i++) x[i] = sl_rng_uniform(&r) * 200, y[i] = sl_rng_uniform(&r) * 200;
    sl_grid serial, team;
    sl_grid_init(&serial, 200, 200, 5, 1, NULL);
    sl_grid_init(&team, 200, 200, 5, 1, NULL);
    sl_grid_build(&serial, x, y, N, NULL);
    for (size_t s = 0; s < N; s++) x2[s] = x[serial.order[s]], y2[s] = y[serial.order[s]] + 0.5;
    for (int T = 2; T <= 4; T++) {
        for (int round = 0; round < 3; round++) {
            ck_assert_int_eq(sl_grid_reserve(&team, N, T, NULL), SL_OK);
            twice_job j = {&team, x2, y2, x, y, N, N - 100 * (size_t)round};
            if (round == 2) j = (twice_job){&team, x, y, x2, y2, N, N};
            sl_team_run(NULL, NULL, T, twice_team, &j, 0, 0);
            ck_assert_int_eq(sl_grid_build(&serial, j.x2, j.y2, j.n2, NULL), SL_OK);
            assert_same_index(&serial, &team);
        }
    }
    sl_grid_release(&serial);
    sl_grid_release(&team);
    free(x), free(y), free(x2), free(y2);
}
END_TEST

/* ---- population ---- */

typedef struct perm_job {
    sl_pop *p;
    const uint32_t *perm;
    void *scratch;
    uint64_t skip;
} perm_job;

static void perm_team(const sl_team *t)
{
    perm_job *j = t->user;
    sl_pop_permute_team(j->p, j->perm, j->scratch, j->skip, t);
}

static sl_pop *make_pop(size_t n, int kill)
{
    sl_error e;
    sl_pop *p = sl_pop_create("p");
    sl_pop_add_column(p, "a", SL_F64, &e);
    sl_pop_add_column(p, "b", SL_I32, &e);
    sl_pop_add_column(p, "c", SL_U8, &e);
    sl_pop_add_column(p, "d", SL_F32, &e);
    sl_pop_add_column(p, "skip", SL_F64, &e);
    sl_pop_spawn(p, n);
    for (size_t i = 0; i < n; i++) {
        sl_pop_set(p, 0, i, 0.5 * (double)i);
        sl_pop_set(p, 1, i, -(double)i);
        sl_pop_set(p, 2, i, (double)(i % 251));
        sl_pop_set(p, 3, i, 0.25 * (double)(i % 1000));
        sl_pop_set(p, 4, i, (double)i);
        if (kill && i % 7 == 3) sl_pop_kill(p, i);
    }
    return p;
}

static void check_team_permute(size_t n, int T)
{
    uint32_t *perm = malloc(n * sizeof *perm);
    for (size_t s = 0; s < n; s++) perm[s] = (uint32_t)s;
    sl_rng r = sl_rng_make(9, 0, (uint32_t)n, 0);
    for (size_t s = n - 1; s > 0; s--) { /* Fisher-Yates */
        size_t k = (size_t)(sl_rng_uniform(&r) * (double)(s + 1));
        uint32_t tmp = perm[s];
        perm[s] = perm[k];
        perm[k] = tmp;
    }
    sl_pop *a = make_pop(n, 1), *b = make_pop(n, 1);
    sl_id *ids = malloc(n * sizeof *ids);
    for (size_t s = 0; s < n; s++) ids[s] = sl_pop_id(a, s);
    void *scratch = malloc(n * 8);
    const uint64_t skip = (uint64_t)1 << 4;
    ck_assert_int_eq(sl_pop_permute_except(a, perm, scratch, skip, NULL), SL_OK);
    perm_job j = {b, perm, scratch, skip};
    sl_team_run(NULL, NULL, T, perm_team, &j, 0, 0);
    ck_assert_uint_eq(sl_pop_hash(a, 1), sl_pop_hash(b, 1));
    for (size_t s = 0; s < n; s++) {
        ck_assert_double_eq(sl_pop_get(b, 0, s), 0.5 * perm[s]);
        ck_assert_double_eq(sl_pop_get(b, 4, s), (double)s); /* skipped column untouched */
        ck_assert_int_eq(sl_pop_is_dying(b, s), perm[s] % 7 == 3);
        ck_assert_int_eq(sl_pop_slot(b, ids[perm[s]]), (long)s);
    }
    sl_pop_destroy(a);
    sl_pop_destroy(b);
    free(scratch);
    free(ids);
    free(perm);
}

START_TEST(test_team_permute_equals_serial)
{
    for (int T = 1; T <= 3; T++) {
        check_team_permute(1, T);
        check_team_permute(3000, T);
        check_team_permute(70000, T); /* above the size where the id map is written in parallel */
    }
}
END_TEST

/* ---- world ---- */

typedef struct world_job {
    int calls[8];
    int threads;
    size_t n;
} world_job;

static void count_team(const sl_team *t)
{
    world_job *j = t->user;
    j->calls[t->thread]++;
    if (t->thread == 0) {
        j->threads = t->threads;
        j->n = sl_pop_count(t->pop);
    }
}

START_TEST(test_world_team_system)
{
    sl_error e;
    sl_world *w = sl_world_create(1);
    sl_world_set_threads(w, 2);
    sl_pop *p = sl_world_add_pop(w, "p", &e);
    sl_pop_spawn(p, 5000);
    world_job j = {{0}, 0, 0};
    sl_system_def def = {.name = "team", .pop = p, .team = count_team, .user = &j};
    ck_assert_int_ge(sl_world_add_system(w, &def, &e), 0);
    for (int i = 0; i < 3; i++) ck_assert_int_eq(sl_world_step(w, &e), SL_OK);
    ck_assert_int_eq(j.threads, 2);
    ck_assert_int_eq(j.calls[0], 3);
    ck_assert_int_eq(j.calls[1], 3);
    ck_assert_uint_eq(j.n, 5000);
    /* a chunk and a team function at once is refused */
    sl_system_def both = {.name = "both", .pop = p, .team = count_team, .run = NULL};
    both.run = (sl_chunk_fn)(void (*)(void))count_team;
    ck_assert_int_lt(sl_world_add_system(w, &both, &e), 0);
    ck_assert_ptr_nonnull(strstr(e.msg, "both"));
    sl_world_destroy(w);
}
END_TEST

START_TEST(test_world_team_small_pop_one_thread)
{
    sl_error e;
    sl_world *w = sl_world_create(1);
    sl_world_set_threads(w, 4);
    sl_pop *p = sl_world_add_pop(w, "p", &e);
    sl_pop_spawn(p, 100); /* one chunk: no point waking other threads */
    world_job j = {{0}, 0, 0};
    sl_system_def def = {.name = "team", .pop = p, .team = count_team, .user = &j};
    ck_assert_int_ge(sl_world_add_system(w, &def, &e), 0);
    ck_assert_int_eq(sl_world_step(w, &e), SL_OK);
    ck_assert_int_eq(j.threads, 1);
    sl_world_destroy(w);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("team");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_blocks_partition);
    tcase_add_test(tc, test_barrier_orders_passes);
    tcase_add_test(tc, test_team_grid_equals_serial);
    tcase_add_test(tc, test_team_grid_thread_count_changes);
    tcase_add_test(tc, test_team_grid_back_to_back);
    tcase_add_test(tc, test_team_permute_equals_serial);
    tcase_add_test(tc, test_world_team_system);
    tcase_add_test(tc, test_world_team_small_pop_one_thread);
    suite_add_tcase(s, tc);
    return sl_run_suite(s);
}
