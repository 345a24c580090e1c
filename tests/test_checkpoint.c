/* test_checkpoint.c - a world saved mid-run and restored continues exactly like the uninterrupted
 * run (populations with births and deaths, ids, a field, graph weights, recorder rows, pending
 * bus messages); bad files and mismatched worlds are refused without touching the world. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "swarmlab/bus.h"
#include "swarmlab/checkpoint.h"
#include "swarmlab/field.h"
#include "swarmlab/graph.h"
#include "swarmlab/recorder.h"
#include "swarmlab/world.h"

#define STREAM_TEST 0x7e57u

typedef struct model {
    sl_pop *pop;
    int cx, cy, cage;
    sl_field *heat;
    sl_graph *roads;
    int m_value;
} model;

static void move_chunk(sl_ctx *c)
{
    model *m = c->user;
    double *x = sl_pop_f64(c->pop, m->cx), *y = sl_pop_f64(c->pop, m->cy);
    int32_t *age = sl_pop_i32(c->pop, m->cage);
    for (size_t s = c->begin; s < c->end; s++) {
        sl_rng r = sl_rng_make(c->seed, STREAM_TEST, sl_pop_index(c->pop, s), c->step);
        x[s] = fmod(x[s] + sl_rng_range(&r, -1.0, 1.0) + 100.0, 100.0);
        y[s] = fmod(y[s] + sl_rng_range(&r, -1.0, 1.0) + 100.0, 100.0);
        age[s]++;
        double u = sl_rng_uniform(&r);
        if (u < 0.06) sl_pop_kill(c->pop, s);
        else if (u > 0.96) {
            size_t row;
            sl_pop_spawn_deferred(c->pop, c->chunk, &row);
            sl_pop_staged_set(c->pop, c->chunk, row, m->cx, x[s]);
            sl_pop_staged_set(c->pop, c->chunk, row, m->cy, y[s]);
        }
    }
}

/* Serial: deposit heat, read last step's messages into the field and the graph, send new ones. */
static sl_status post(sl_world *w, void *user, sl_error *e)
{
    model *m = user;
    size_t n = sl_pop_count(m->pop);
    for (size_t s = 0; s < n; s++)
        sl_field_deposit(m->heat, sl_pop_get(m->pop, m->cx, s), sl_pop_get(m->pop, m->cy, s), 1.0);
    sl_field_evaporate(m->heat, 0.1);
    sl_field_diffuse(m->heat, 0.2);
    sl_bus *bus = sl_world_bus(w);
    size_t nd;
    const sl_msg *msgs = sl_bus_delivered(bus, &nd);
    double got = 0.0;
    for (size_t i = 0; i < nd; i++) got += msgs[i].d[0];
    m->roads->w[sl_world_step_count(w) % m->roads->m] += got;
    sl_recorder_set(sl_world_recorder(w), m->m_value, got);
    for (size_t s = 0; s < n && s < 5; s++) {
        sl_msg msg = sl_msg_to_pop(1, 0, sl_pop_id(m->pop, s), 0, 0);
        msg.nd = 1;
        msg.d[0] = sl_pop_get(m->pop, m->cx, s);
        if (sl_bus_send(bus, 0, &msg) != SL_OK) return sl_error_set(e, SL_ERR_NOMEM, "send");
    }
    return SL_OK;
}

/* The "scenario": builds the layout, systems and configuration; with initial = 1 also the
 * initial agents (a restore overwrites them anyway). */
static sl_world *build(uint64_t seed, int threads, model *m, int extra_column)
{
    sl_error e;
    sl_world *w = sl_world_create(seed);
    ck_assert_ptr_nonnull(w);
    sl_world_set_threads(w, threads);
    m->pop = sl_world_add_pop(w, "walkers", &e);
    m->cx = sl_pop_add_column(m->pop, "x", SL_F64, &e);
    m->cy = sl_pop_add_column(m->pop, "y", SL_F64, &e);
    m->cage = sl_pop_add_column(m->pop, "age", SL_I32, &e);
    if (extra_column) sl_pop_add_column(m->pop, "energy", SL_F32, &e);
    size_t first = sl_pop_spawn(m->pop, 3000);
    for (size_t s = first; s < first + 3000; s++) {
        sl_pop_set(m->pop, m->cx, s, (double)(s % 100));
        sl_pop_set(m->pop, m->cy, s, (double)((s * 7) % 100));
    }
    m->heat = sl_world_add_field(w, "heat", 50, 50, 2.0, 1, &e);
    ck_assert_ptr_nonnull(m->heat);
    m->roads = sl_world_add_graph(w, "roads", 10, &e);
    for (int i = 0; i < 10; i++) sl_graph_add_edge(m->roads, i, (i + 1) % 10, 1.0 + i, 1, &e);
    ck_assert_int_eq(sl_graph_finalize(m->roads, &e), SL_OK);
    sl_bus *bus = sl_world_bus(w);
    sl_bus_set_seed(bus, seed);
    sl_bus_link link = {0.2, 1, 2};
    ck_assert_int_eq(sl_bus_set_link(bus, -1, -1, link, &e), SL_OK);
    sl_system_def def = {.name = "walk", .pop = m->pop, .run = move_chunk, .post = post, .user = m};
    ck_assert_int_ge(sl_world_add_system(w, &def, &e), 0);
    sl_recorder *r = sl_world_recorder(w);
    ck_assert_int_ge(sl_recorder_add(r, "n", m->pop, 0, SL_REDUCE_COUNT, &e), 0);
    ck_assert_int_ge(sl_recorder_add(r, "mean_x", m->pop, m->cx, SL_REDUCE_MEAN, &e), 0);
    m->m_value = sl_recorder_add(r, "received", NULL, -1, SL_REDUCE_VALUE, &e);
    ck_assert_int_ge(m->m_value, 0);
    return w;
}

static void run_to(sl_world *w, uint64_t steps)
{
    sl_error e;
    while (sl_world_step_count(w) < steps) ck_assert_int_eq(sl_world_step(w, &e), SL_OK);
}

static uint64_t digest(sl_world *w, model *m)
{
    uint64_t h = sl_world_hash(w);
    sl_recorder *r = sl_world_recorder(w);
    for (size_t row = 0; row < sl_recorder_nrows(r); row++)
        for (int k = 0; k < sl_recorder_nmetrics(r); k++) {
            double v = sl_recorder_value(r, row, k);
            uint64_t b;
            memcpy(&b, &v, 8);
            h = (h ^ b) * 0x100000001b3ull;
        }
    for (size_t i = 0; i < m->roads->m; i++) {
        uint64_t b;
        memcpy(&b, &m->roads->w[i], 8);
        h = (h ^ b) * 0x100000001b3ull;
    }
    const sl_bus_stats *st = sl_bus_stats_get(sl_world_bus(w));
    h = (h ^ st->total_sent ^ (st->total_lost << 20) ^ (st->total_delivered << 40)) * 0x100000001b3ull;
    return h;
}

static char g_path[256];
static void make_path(void)
{
    snprintf(g_path, sizeof g_path, "/tmp/sl_test_ckpt_%d.bin", (int)getpid());
}

START_TEST(resume_equals_uninterrupted)
{
    make_path();
    sl_error e;
    model ma, mb, mc;
    sl_world *a = build(42, 1, &ma, 0);
    run_to(a, 30);
    uint64_t ha = digest(a, &ma);
    size_t rows_a = sl_recorder_nrows(sl_world_recorder(a));

    sl_world *b = build(42, 2, &mb, 0);
    run_to(b, 12);
    ck_assert_uint_gt(sl_pop_get_ids(mb.pop).nfree, 0); /* released ids are waiting for reuse */
    ck_assert_int_eq(sl_checkpoint_save(b, g_path, "walkers.lua", &e), SL_OK);
    run_to(b, 30);
    ck_assert_uint_eq(digest(b, &mb), ha); /* saving does not disturb the run */

    sl_checkpoint_info info;
    ck_assert_int_eq(sl_checkpoint_peek(g_path, &info, &e), SL_OK);
    ck_assert_uint_eq(info.step, 12);
    ck_assert_uint_eq(info.seed, 42);
    ck_assert_str_eq(info.scenario, "walkers.lua");

    sl_world *c = build(42, 3, &mc, 0);
    /* the "setup" took a step of its own before restoring: the restore must replace it all */
    run_to(c, 1);
    ck_assert_int_eq(sl_checkpoint_restore(c, g_path, NULL, &e), SL_OK);
    ck_assert_uint_eq(sl_world_step_count(c), 12);
    ck_assert_uint_eq(sl_recorder_nrows(sl_world_recorder(c)), 13);
    /* the ids of the restored agents are the saved ones, later spawns reuse ids the same way */
    run_to(c, 30);
    ck_assert_uint_eq(sl_recorder_nrows(sl_world_recorder(c)), rows_a);
    ck_assert_uint_eq(digest(c, &mc), ha);
    for (size_t s = 0; s < sl_pop_count(ma.pop); s++)
        ck_assert_uint_eq(sl_pop_id(ma.pop, s), sl_pop_id(mc.pop, s));
    sl_world_destroy(a);
    sl_world_destroy(b);
    sl_world_destroy(c);
    unlink(g_path);
}
END_TEST

START_TEST(branching_with_other_seeds)
{
    make_path();
    sl_error e;
    model m0, m1, m2, m3;
    sl_world *burn = build(7, 2, &m0, 0);
    run_to(burn, 10);
    ck_assert_int_eq(sl_checkpoint_save(burn, g_path, NULL, &e), SL_OK);
    sl_world *b1 = build(1001, 2, &m1, 0);
    sl_world *b2 = build(1002, 2, &m2, 0);
    sl_world *b1again = build(1001, 1, &m3, 0);
    ck_assert_int_eq(sl_checkpoint_restore(b1, g_path, NULL, &e), SL_OK);
    ck_assert_int_eq(sl_checkpoint_restore(b2, g_path, NULL, &e), SL_OK);
    ck_assert_int_eq(sl_checkpoint_restore(b1again, g_path, NULL, &e), SL_OK);
    /* right after the restore the branches share the burn-in state */
    ck_assert_uint_eq(sl_world_hash(b1), sl_world_hash(burn));
    ck_assert_uint_eq(sl_world_hash(b2), sl_world_hash(burn));
    run_to(b1, 20);
    run_to(b2, 20);
    run_to(b1again, 20);
    ck_assert_uint_ne(digest(b1, &m1), digest(b2, &m2));
    ck_assert_uint_eq(digest(b1, &m1), digest(b1again, &m3));
    sl_world_destroy(burn);
    sl_world_destroy(b1);
    sl_world_destroy(b2);
    sl_world_destroy(b1again);
    unlink(g_path);
}
END_TEST

static void write_bytes(const char *path, const unsigned char *b, size_t n)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(b, 1, n, f), n);
    fclose(f);
}

START_TEST(bad_files_are_refused)
{
    make_path();
    sl_error e;
    model m, t;
    sl_world *w = build(5, 1, &m, 0);
    run_to(w, 5);
    ck_assert_int_eq(sl_checkpoint_save(w, g_path, NULL, &e), SL_OK);
    FILE *f = fopen(g_path, "rb");
    fseek(f, 0, SEEK_END);
    size_t n = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc(n);
    ck_assert_uint_eq(fread(b, 1, n, f), n);
    fclose(f);

    char bad[300];
    snprintf(bad, sizeof bad, "%s.bad", g_path);
    sl_world *target = build(5, 1, &t, 0);
    uint64_t before = sl_world_hash(target);
    /* flipped byte in the payload */
    b[n / 2] ^= 0x10;
    write_bytes(bad, b, n);
    ck_assert_int_eq(sl_checkpoint_restore(target, bad, NULL, &e), SL_ERR_PARSE);
    ck_assert_ptr_nonnull(strstr(e.msg, "checksum"));
    ck_assert_ptr_nonnull(strstr(e.msg, bad));
    b[n / 2] ^= 0x10;
    /* truncated */
    write_bytes(bad, b, n - 100);
    ck_assert_int_eq(sl_checkpoint_restore(target, bad, NULL, &e), SL_ERR_PARSE);
    ck_assert_ptr_nonnull(strstr(e.msg, "truncated"));
    write_bytes(bad, b, 20);
    ck_assert_int_eq(sl_checkpoint_peek(bad, NULL, &e), SL_ERR_PARSE);
    /* foreign file */
    write_bytes(bad, (const unsigned char *)"step,x\n0,1\n", 11);
    ck_assert_int_eq(sl_checkpoint_restore(target, bad, NULL, &e), SL_ERR_PARSE);
    ck_assert_ptr_nonnull(strstr(e.msg, "not a swarmlab checkpoint"));
    /* other byte order, other version */
    unsigned char hdr[64];
    memcpy(hdr, b, 64);
    hdr[12] ^= 0xff;
    write_bytes(bad, hdr, 64);
    ck_assert_int_eq(sl_checkpoint_peek(bad, NULL, &e), SL_ERR_PARSE);
    ck_assert_ptr_nonnull(strstr(e.msg, "byte order"));
    memcpy(hdr, b, 64);
    hdr[8] = 99;
    write_bytes(bad, hdr, 64);
    ck_assert_int_eq(sl_checkpoint_peek(bad, NULL, &e), SL_ERR_PARSE);
    ck_assert_ptr_nonnull(strstr(e.msg, "version 99"));
    /* missing file */
    unlink(bad);
    ck_assert_int_eq(sl_checkpoint_restore(target, bad, NULL, &e), SL_ERR_IO);
    ck_assert_uint_eq(sl_world_hash(target), before);
    ck_assert_uint_eq(sl_world_step_count(target), 0);

    /* a world with another schema is refused and left as it was */
    model x;
    sl_world *other = build(5, 1, &x, 1);
    uint64_t hx = sl_world_hash(other);
    ck_assert_int_eq(sl_checkpoint_restore(other, g_path, NULL, &e), SL_ERR_STATE);
    ck_assert_ptr_nonnull(strstr(e.msg, "walkers"));
    ck_assert_ptr_nonnull(strstr(e.msg, "4 in the scenario"));
    ck_assert_uint_eq(sl_world_hash(other), hx);
    free(b);
    sl_world_destroy(w);
    sl_world_destroy(target);
    sl_world_destroy(other);
    unlink(g_path);
}
END_TEST

typedef struct counter {
    long long ticks;
} counter;

static sl_status tick(sl_world *w, void *user, sl_error *e)
{
    (void)w;
    (void)e;
    ((counter *)user)->ticks += 3;
    return SL_OK;
}

static sl_status counter_save(void *data, FILE *f, sl_error *e)
{
    (void)e;
    return fwrite(&((counter *)data)->ticks, 8, 1, f) == 1 ? SL_OK : SL_ERR_IO;
}

static sl_status counter_load(void *data, FILE *f, const char *path, sl_error *e)
{
    if (fread(&((counter *)data)->ticks, 8, 1, f) != 1)
        return sl_error_set(e, SL_ERR_PARSE, "%s: counter section too short", path);
    return SL_OK;
}

/* A world with a module attachment: refused until the module registers; then its section is
 * saved and loaded through the module's functions. */
static sl_world *counter_world(counter **out, int reg, int with_state)
{
    sl_error e;
    sl_world *w = sl_world_create(3);
    counter *c = calloc(1, sizeof *c);
    ck_assert_int_eq(sl_world_attach(w, "counter", c, free, &e), SL_OK);
    sl_system_def def = {.name = "tick", .pre = tick, .user = c};
    ck_assert_int_ge(sl_world_add_system(w, &def, &e), 0);
    if (reg)
        ck_assert_int_eq(sl_checkpoint_register(w, "counter", with_state ? counter_save : NULL,
                                                with_state ? counter_load : NULL, &e), SL_OK);
    *out = c;
    return w;
}

START_TEST(module_state)
{
    make_path();
    sl_error e;
    counter *c, *d;
    sl_world *w = counter_world(&c, 0, 0);
    run_to(w, 4);
    ck_assert_int_eq(sl_checkpoint_supported(w, &e), SL_ERR_STATE);
    ck_assert_int_eq(sl_checkpoint_save(w, g_path, NULL, &e), SL_ERR_STATE);
    ck_assert_ptr_nonnull(strstr(e.msg, "'counter'"));
    ck_assert_int_ne(access(g_path, F_OK), 0);
    sl_world_destroy(w);

    w = counter_world(&c, 1, 1);
    run_to(w, 4);
    ck_assert_int_eq(sl_checkpoint_save(w, g_path, NULL, &e), SL_OK);
    sl_world *r = counter_world(&d, 1, 1);
    ck_assert_int_eq(sl_checkpoint_restore(r, g_path, NULL, &e), SL_OK);
    ck_assert_int_eq(d->ticks, 12);
    run_to(w, 9);
    run_to(r, 9);
    ck_assert_int_eq(d->ticks, c->ticks);
    sl_world_destroy(r);
    /* a world whose module saves nothing cannot take a file with a module section */
    r = counter_world(&d, 1, 0);
    ck_assert_int_eq(sl_checkpoint_restore(r, g_path, NULL, &e), SL_ERR_STATE);
    ck_assert_ptr_nonnull(strstr(e.msg, "module sections"));
    sl_world_destroy(r);
    sl_world_destroy(w);
    unlink(g_path);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("checkpoint");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, resume_equals_uninterrupted);
    tcase_add_test(tc, branching_with_other_seeds);
    tcase_add_test(tc, bad_files_are_refused);
    tcase_add_test(tc, module_state);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
