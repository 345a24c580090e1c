/* test_world.c - systems, chunked parallel runs, deferred spawn/kill, recorder, determinism. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "swarmlab/recorder.h"
#include "swarmlab/world.h"

/* A toy model: every agent random-walks; agents with x > 3 die; agents with u < 0.01 spawn a
 * child at their position. Exercises RNG keys, kills and spawns from parallel chunks. */
static void walk(sl_ctx *c)
{
    sl_pop *p = c->pop;
    int cx = sl_pop_column(p, "x"), cg = sl_pop_column(p, "gen");
    double *x = sl_pop_f64(p, cx);
    int32_t *gen = sl_pop_i32(p, cg);
    for (size_t s = c->begin; s < c->end; s++) {
        sl_rng r = sl_rng_make(c->seed, 1, sl_pop_index(p, s), c->step);
        x[s] += sl_rng_normal(&r) * 0.3;
        if (x[s] > 3.0) sl_pop_kill(p, s);
        else if (sl_rng_uniform(&r) < 0.01) {
            size_t row;
            sl_pop_spawn_deferred(p, c->chunk, &row);
            sl_pop_staged_set(p, c->chunk, row, cx, x[s]);
            sl_pop_staged_set(p, c->chunk, row, cg, gen[s] + 1);
        }
    }
}

static sl_world *toy(int threads, sl_error *e)
{
    sl_world *w = sl_world_create(99);
    sl_world_set_threads(w, threads);
    sl_pop *p = sl_world_add_pop(w, "walkers", e);
    sl_pop_add_column(p, "x", SL_F64, e);
    sl_pop_add_column(p, "gen", SL_I32, e);
    sl_pop_spawn(p, 5000);
    sl_system_def def = {.name = "walk", .pop = p, .run = walk};
    ck_assert_int_ge(sl_world_add_system(w, &def, e), 0);
    sl_recorder *r = sl_world_recorder(w);
    ck_assert_int_ge(sl_recorder_add(r, "n", p, -1, SL_REDUCE_COUNT, e), 0);
    ck_assert_int_ge(sl_recorder_add(r, "mean_x", p, 0, SL_REDUCE_MEAN, e), 0);
    ck_assert_int_ge(sl_recorder_add(r, "max_gen", p, 1, SL_REDUCE_MAX, e), 0);
    ck_assert_int_ge(sl_recorder_add(r, "sum_x", p, 0, SL_REDUCE_SUM, e), 0);
    return w;
}

START_TEST(test_determinism_across_threads)
{
    uint64_t ref = 0;
    double ref_mean = 0;
    size_t ref_n = 0;
    for (int t = 1; t <= 4; t++) {
        for (int rep = 0; rep < (t == 1 ? 2 : 1); rep++) {
            sl_error e;
            sl_world *w = toy(t, &e);
            for (int s = 0; s < 40; s++) ck_assert_int_eq(sl_world_step(w, &e), SL_OK);
            sl_pop *p = sl_world_pop(w, "walkers");
            uint64_t h = sl_world_hash(w);
            sl_recorder *r = sl_world_recorder(w);
            double m = sl_recorder_last(r, 1);
            if (t == 1 && rep == 0) {
                ref = h, ref_mean = m, ref_n = sl_pop_count(p);
                ck_assert_uint_ne(ref_n, 5000); /* kills and spawns happened */
                ck_assert_double_gt(sl_recorder_last(r, 2), 0);
            } else {
                ck_assert_msg(h == ref, "threads=%d: state differs", t);
                ck_assert_msg(memcmp(&m, &ref_mean, sizeof m) == 0, "threads=%d: metric differs", t);
            }
            ck_assert_uint_eq(sl_recorder_nrows(r), 41); /* initial state + 40 steps */
            sl_world_destroy(w);
        }
    }
}
END_TEST

START_TEST(test_csv_written_atomically)
{
    sl_error e;
    sl_world *w = toy(2, &e);
    char dir[] = "/tmp/sl_test_world_XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[256], part[300];
    snprintf(path, sizeof path, "%s/metrics.csv", dir);
    snprintf(part, sizeof part, "%s.part", path);
    sl_recorder *r = sl_world_recorder(w);
    ck_assert_int_eq(sl_recorder_open_csv(r, path, &e), SL_OK);
    for (int s = 0; s < 3; s++) sl_world_step(w, &e);
    ck_assert_int_eq(access(path, F_OK), -1); /* not complete yet */
    ck_assert_int_eq(access(part, F_OK), 0);
    ck_assert_int_eq(sl_recorder_close_csv(r, 1, &e), SL_OK);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    char line[512];
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
    ck_assert_str_eq(line, "step,n,mean_x,max_gen,sum_x\n");
    int rows = 0;
    while (fgets(line, sizeof line, f)) rows++;
    ck_assert_int_eq(rows, 4);
    fclose(f);
    remove(path);
    rmdir(dir);
    /* metrics cannot be added once recording started; duplicates rejected */
    ck_assert_int_eq(sl_recorder_add(r, "late", NULL, -1, SL_REDUCE_VALUE, &e), -1);
    sl_world_destroy(w);
}
END_TEST

START_TEST(test_reductions)
{
    sl_error e;
    sl_world *w = sl_world_create(1);
    sl_pop *p = sl_world_add_pop(w, "a", &e);
    int c = sl_pop_add_column(p, "v", SL_F64, &e);
    ck_assert(isnan(sl_pop_reduce(w, p, c, SL_REDUCE_MEAN)));
    ck_assert_double_eq(sl_pop_reduce(w, p, c, SL_REDUCE_SUM), 0);
    sl_pop_spawn(p, 3000);
    for (size_t i = 0; i < 3000; i++) sl_pop_set(p, c, i, (double)i);
    ck_assert_double_eq(sl_pop_reduce(w, p, c, SL_REDUCE_SUM), 2999.0 * 3000 / 2);
    ck_assert_double_eq(sl_pop_reduce(w, p, c, SL_REDUCE_MIN), 0);
    ck_assert_double_eq(sl_pop_reduce(w, p, c, SL_REDUCE_MAX), 2999);
    ck_assert_double_eq(sl_pop_reduce(w, p, c, SL_REDUCE_COUNT), 3000);
    /* above the serial threshold the chunks are reduced in parallel: same bits for 1 and 2 threads */
    sl_world *big = sl_world_create(1);
    sl_pop *q = sl_world_add_pop(big, "b", &e);
    int cq = sl_pop_add_column(q, "v", SL_F64, &e);
    sl_pop_spawn(q, 70000);
    for (size_t i = 0; i < 70000; i++) sl_pop_set(q, cq, i, sin((double)i) * 1e3);
    sl_world_set_threads(big, 1);
    double s1 = sl_pop_reduce(big, q, cq, SL_REDUCE_SUM), m1 = sl_pop_reduce(big, q, cq, SL_REDUCE_MAX);
    sl_world_set_threads(big, 2);
    double s2 = sl_pop_reduce(big, q, cq, SL_REDUCE_SUM), m2 = sl_pop_reduce(big, q, cq, SL_REDUCE_MAX);
    ck_assert(memcmp(&s1, &s2, sizeof s1) == 0);
    ck_assert_double_eq(m1, m2);
    ck_assert_double_le(m1, 1e3);
    sl_world_destroy(big);
    ck_assert_int_eq(sl_reduce_parse("mean"), SL_REDUCE_MEAN);
    ck_assert_int_eq(sl_reduce_parse("median"), -1);
    sl_recorder *r = sl_world_recorder(w);
    int m = sl_recorder_add(r, "custom", NULL, -1, SL_REDUCE_VALUE, &e);
    ck_assert_int_ge(m, 0);
    ck_assert_int_eq(sl_recorder_add(r, "custom", NULL, -1, SL_REDUCE_VALUE, &e), -1);
    ck_assert_int_eq(sl_recorder_add(r, "bad,name", NULL, -1, SL_REDUCE_VALUE, &e), -1);
    ck_assert_int_eq(sl_recorder_add(r, "nopop", NULL, -1, SL_REDUCE_MEAN, &e), -1);
    sl_recorder_set(r, m, 2.5);
    sl_world_step(w, &e);
    ck_assert_double_eq(sl_recorder_last(r, m), 2.5);
    sl_world_destroy(w);
}
END_TEST

static int freed;
static void count_free(void *p) { (void)p; freed++; }

START_TEST(test_names_and_attachments)
{
    sl_error e;
    sl_world *w = sl_world_create(1);
    ck_assert_ptr_nonnull(sl_world_add_pop(w, "a", &e));
    ck_assert_ptr_null(sl_world_add_pop(w, "a", &e));
    ck_assert_ptr_null(sl_world_add_pop(w, "", &e));
    ck_assert_ptr_nonnull(sl_world_add_field(w, "ph", 4, 4, 1.0, 1, &e));
    ck_assert_ptr_null(sl_world_add_field(w, "ph", 4, 4, 1.0, 1, &e));
    ck_assert_ptr_nonnull(sl_world_add_graph(w, "roads", 3, &e));
    ck_assert_ptr_nonnull(sl_world_field(w, "ph"));
    ck_assert_ptr_nonnull(sl_world_graph(w, "roads"));
    static int token;
    freed = 0;
    ck_assert_int_eq(sl_world_attach(w, "mod", &token, count_free, &e), SL_OK);
    ck_assert_ptr_eq(sl_world_attached(w, "mod"), &token);
    sl_system_def bad = {.name = "x", .run = (sl_chunk_fn)count_free};
    ck_assert_int_eq(sl_world_add_system(w, &bad, &e), -1); /* chunk function without population */
    sl_world_destroy(w);
    ck_assert_int_eq(freed, 1);
}
END_TEST

/* A serial hook that adds systems while the step runs (as a Lua callback creating a solver does):
 * the system array grows under the running loop. Each new system counts its runs. */
static int runs[40];
static int grown;
static sl_status count_run(sl_world *w, void *user, sl_error *e)
{
    (void)w;
    (void)e;
    runs[(int *)user - runs]++;
    return SL_OK;
}

static sl_status add_many(sl_world *w, void *user, sl_error *e)
{
    (void)user;
    if (grown) return SL_OK;
    grown = 1;
    for (int i = 0; i < 40; i++) {
        char name[16];
        snprintf(name, sizeof name, "late%d", i);
        sl_system_def d = {.name = name, .pre = count_run, .post = count_run, .user = &runs[i]};
        if (sl_world_add_system(w, &d, e) < 0) return e->code;
    }
    return SL_OK;
}

START_TEST(test_system_added_during_step)
{
    sl_error e;
    memset(runs, 0, sizeof runs);
    grown = 0;
    sl_world *w = sl_world_create(3);
    sl_pop *p = sl_world_add_pop(w, "a", &e);
    sl_pop_add_column(p, "x", SL_F64, &e);
    sl_pop_spawn(p, 10);
    /* the hook's system has a post hook and a population: both are read after the hook added
     * 40 systems (the array was reallocated several times) */
    sl_system_def def = {.name = "grow", .pop = p, .pre = add_many, .post = count_run,
                         .user = &runs[0]};
    ck_assert_int_eq(sl_world_add_system(w, &def, &e), 0);
    ck_assert_int_eq(sl_world_step(w, &e), SL_OK);
    ck_assert_int_eq(sl_world_nsystems(w), 41);
    /* added systems start in the next step: only the hook's own post ran so far */
    ck_assert_int_eq(runs[0], 1);
    for (int i = 1; i < 40; i++) ck_assert_int_eq(runs[i], 0);
    ck_assert_int_eq(sl_world_step(w, &e), SL_OK);
    ck_assert_int_eq(runs[0], 1 + 1 + 2);
    for (int i = 1; i < 40; i++) ck_assert_int_eq(runs[i], 2);
    ck_assert_str_eq(sl_world_system_name(w, 40), "late39");
    sl_world_destroy(w);
}
END_TEST

static int freed_other;
static void count_other(void *p)
{
    (void)p;
    freed_other++;
}

START_TEST(test_attach_name_taken)
{
    sl_error e;
    static int a, b;
    freed_other = 0;
    sl_world *w = sl_world_create(1);
    ck_assert_int_eq(sl_world_attach(w, "x", &a, count_other, &e), SL_OK);
    /* other data under a used name: refused, and the first data is neither freed nor replaced */
    ck_assert_int_eq(sl_world_attach(w, "x", &b, count_other, &e), SL_ERR_STATE);
    ck_assert(strstr(e.msg, "'x' already exists") != NULL);
    ck_assert_int_eq(freed_other, 0);
    ck_assert_ptr_eq(sl_world_attached(w, "x"), &a);
    ck_assert_int_eq(sl_world_attach(w, "x", &a, count_other, &e), SL_OK);
    ck_assert_int_eq(sl_world_nattached(w), 1);
    ck_assert_int_eq(sl_world_attach(w, "y", &b, count_other, &e), SL_OK);
    /* detached data is the caller's again: not freed by the world */
    ck_assert_ptr_eq(sl_world_detach(w, "x"), &a);
    ck_assert_ptr_null(sl_world_detach(w, "x"));
    ck_assert_ptr_null(sl_world_attached(w, "x"));
    ck_assert_int_eq(sl_world_nattached(w), 1);
    ck_assert_str_eq(sl_world_attached_name(w, 0), "y");
    sl_world_destroy(w);
    ck_assert_int_eq(freed_other, 1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("world");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_determinism_across_threads);
    tcase_add_test(tc, test_csv_written_atomically);
    tcase_add_test(tc, test_reductions);
    tcase_add_test(tc, test_names_and_attachments);
    tcase_add_test(tc, test_system_added_during_step);
    tcase_add_test(tc, test_attach_name_taken);
    suite_add_tcase(s, tc);
    return sl_run_suite(s);
}
