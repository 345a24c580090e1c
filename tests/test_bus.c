/* test_bus.c - message bus: delivery one step later, fixed order for any thread count,
 * deterministic loss and delay, broadcasts, statistics, checkpoint round trip. */
#include <check.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "swarmlab/bus.h"
#include "swarmlab/recorder.h"
#include "swarmlab/rng.h"
#include "swarmlab/world.h"

#define NAGENTS 5000
#define CHUNK 1024

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++) {
        h ^= c[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

/* Digest of the delivered set: the fields that define order and content (not padding). */
static uint64_t delivered_hash(const sl_bus *b, uint64_t h)
{
    size_t n;
    const sl_msg *m = sl_bus_delivered(b, &n);
    h = fnv(h, &n, sizeof n);
    for (size_t i = 0; i < n; i++) {
        h = fnv(h, &m[i].seq, sizeof m[i].seq);
        h = fnv(h, &m[i].from, sizeof m[i].from);
        h = fnv(h, &m[i].to, sizeof m[i].to);
        h = fnv(h, &m[i].type, sizeof m[i].type);
        h = fnv(h, &m[i].due, sizeof m[i].due);
        h = fnv(h, m[i].d, sizeof m[i].d);
    }
    return h;
}

/* Each agent sends 0-3 messages to random agents of population 0 (keyed RNG), from parallel
 * chunks; a few agents also broadcast. */
static void send_step(sl_bus *b, uint64_t step, int threads)
{
    int nchunks = (NAGENTS + CHUNK - 1) / CHUNK;
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
    for (int c = 0; c < nchunks; c++) {
        size_t end = (size_t)(c + 1) * CHUNK;
        if (end > NAGENTS)
            end = NAGENTS;
        for (size_t a = (size_t)c * CHUNK; a < end; a++) {
            sl_rng r = sl_rng_make(7, 1, a, step);
            int k = (int)sl_rng_below(&r, 4);
            for (int j = 0; j < k; j++) {
                sl_msg m = sl_msg_to_agent(1 + (uint32_t)j, 0, a + 1, 0, 1 + sl_rng_below(&r, 50),
                                           a * 10 + (uint64_t)j);
                m.nd = 2;
                m.d[0] = (double)a;
                m.d[1] = (double)step;
                ck_assert_int_eq(sl_bus_send(b, c, &m), SL_OK);
            }
            if (a % 997 == 0) {
                sl_msg m = sl_msg_to_radius(9, 0, a + 1, 0, (double)(a % 100), 0.0, 10.0, 0);
                ck_assert_int_eq(sl_bus_send(b, c, &m), SL_OK);
            }
        }
    }
}

static int order_ok(const sl_msg *a, const sl_msg *b)
{
    if (a->to_pop != b->to_pop)
        return a->to_pop < b->to_pop;
    int da = a->to_kind == SL_TO_AGENT, db = b->to_kind == SL_TO_AGENT;
    if (da != db)
        return da < db;
    if (da && a->to != b->to)
        return a->to < b->to;
    if (a->from_pop != b->from_pop)
        return a->from_pop < b->from_pop;
    if (a->from != b->from)
        return a->from < b->from;
    return a->seq < b->seq;
}

static uint64_t run_bus(int threads, double loss, uint32_t delay, uint32_t jitter, int steps)
{
    sl_bus *b = sl_bus_create();
    ck_assert_ptr_nonnull(b);
    sl_bus_set_seed(b, 12345);
    sl_error e;
    sl_bus_link lk = {loss, delay, jitter};
    ck_assert_int_eq(sl_bus_set_link(b, -1, -1, lk, &e), SL_OK);
    uint64_t h = 0xcbf29ce484222325ull;
    for (int t = 0; t < steps; t++) {
        send_step(b, (uint64_t)t, threads);
        ck_assert_int_eq(sl_bus_end_step(b, (uint64_t)t), SL_OK);
        size_t n;
        const sl_msg *m = sl_bus_delivered(b, &n);
        for (size_t i = 1; i < n; i++)
            ck_assert_msg(order_ok(&m[i - 1], &m[i]), "delivered out of order at %zu", i);
        for (size_t i = 0; i < n; i++)
            ck_assert_uint_eq(m[i].due, (uint64_t)t + 1);
        h = delivered_hash(b, h);
    }
    sl_bus_destroy(b);
    return h;
}

START_TEST(test_order_across_threads)
{
    uint64_t ref = run_bus(1, 0.0, 0, 0, 4);
    for (int th = 2; th <= 4; th++)
        ck_assert_uint_eq(run_bus(th, 0.0, 0, 0, 4), ref);
    ck_assert_uint_eq(run_bus(1, 0.0, 0, 0, 4), ref);
}
END_TEST

START_TEST(test_loss_delay_across_threads)
{
    uint64_t ref = run_bus(1, 0.3, 1, 2, 6);
    for (int th = 2; th <= 4; th++)
        ck_assert_uint_eq(run_bus(th, 0.3, 1, 2, 6), ref);
    /* A different loss gives a different history (the test could fail). */
    ck_assert_uint_ne(run_bus(2, 0.1, 1, 2, 6), ref);
}
END_TEST

START_TEST(test_next_step_delivery)
{
    sl_bus *b = sl_bus_create();
    sl_msg m = sl_msg_to_agent(3, 1, 11, 2, 22, 99);
    m.nd = 1;
    m.d[0] = 2.5;
    m.nb = 3;
    memcpy(m.b, "abc", 3);
    ck_assert_int_eq(sl_bus_send(b, 0, &m), SL_OK);
    const sl_msg *first;
    ck_assert_uint_eq(sl_bus_inbox(b, 2, 22, &first), 0); /* not before end of step */
    ck_assert_int_eq(sl_bus_end_step(b, 0), SL_OK);
    ck_assert_uint_eq(sl_bus_inbox(b, 2, 22, &first), 1);
    ck_assert_uint_eq(first->conv, 99);
    ck_assert_uint_eq(first->sent, 0);
    ck_assert_uint_eq(first->due, 1);
    ck_assert(first->d[0] == 2.5);
    ck_assert_int_eq(memcmp(first->b, "abc", 3), 0);
    ck_assert_uint_eq(sl_bus_inbox(b, 2, 21, &first), 0);
    ck_assert_uint_eq(sl_bus_inbox(b, 1, 22, &first), 0);
    const sl_bus_stats *s = sl_bus_stats_get(b);
    ck_assert_uint_eq(s->sent, 1);
    ck_assert_uint_eq(s->bytes, SL_MSG_HEADER_BYTES + 8 + 3);
    ck_assert_uint_eq(s->delivered, 1);
    /* Delivered for one step only. */
    ck_assert_int_eq(sl_bus_end_step(b, 1), SL_OK);
    ck_assert_uint_eq(sl_bus_inbox(b, 2, 22, &first), 0);
    ck_assert_uint_eq(s->sent, 0);
    ck_assert_uint_eq(s->total_sent, 1);
    /* Steps may not go back. */
    ck_assert_int_eq(sl_bus_end_step(b, 0), SL_ERR_STATE);
    sl_bus_destroy(b);
}
END_TEST

START_TEST(test_loss_rate_and_counts)
{
    sl_bus *b = sl_bus_create();
    sl_error e;
    sl_bus_link lk = {0.25, 0, 0};
    ck_assert_int_eq(sl_bus_set_link(b, 0, 1, lk, &e), SL_OK);
    for (int i = 0; i < 20000; i++) {
        sl_msg m = sl_msg_to_agent(1, 0, 1 + (sl_id)i, 1, 1, 0);
        sl_bus_send(b, 0, &m);
        sl_msg m2 = sl_msg_to_agent(1, 0, 1 + (sl_id)i, 2, 1, 0); /* other link: perfect */
        sl_bus_send(b, 0, &m2);
    }
    ck_assert_int_eq(sl_bus_end_step(b, 0), SL_OK);
    const sl_bus_stats *s = sl_bus_stats_get(b);
    ck_assert_uint_eq(s->sent, 40000);
    ck_assert_uint_eq(s->lost + s->delivered, 40000);
    const sl_msg *f;
    size_t n1 = sl_bus_inbox(b, 1, 1, &f), n2 = sl_bus_inbox(b, 2, 1, &f);
    ck_assert_uint_eq(n2, 20000);
    ck_assert_uint_eq(n1 + s->lost, 20000);
    ck_assert_msg(fabs((double)s->lost / 20000.0 - 0.25) < 0.02, "loss rate %g",
                  (double)s->lost / 20000.0);
    /* Bad link settings. */
    sl_bus_link bad = {1.5, 0, 0};
    ck_assert_int_eq(sl_bus_set_link(b, 0, 1, bad, &e), SL_ERR_RANGE);
    ck_assert_ptr_nonnull(strstr(e.msg, "loss"));
    bad.loss = NAN;
    ck_assert_int_eq(sl_bus_set_link(b, 0, 1, bad, &e), SL_ERR_RANGE);
    sl_bus_destroy(b);
}
END_TEST

START_TEST(test_delay)
{
    sl_bus *b = sl_bus_create();
    sl_error e;
    sl_bus_link lk = {0.0, 2, 0};
    ck_assert_int_eq(sl_bus_set_link(b, 0, -1, lk, &e), SL_OK);
    sl_msg m = sl_msg_to_agent(1, 0, 5, 3, 7, 0);
    sl_bus_send(b, 0, &m);
    const sl_msg *f;
    ck_assert_int_eq(sl_bus_end_step(b, 0), SL_OK); /* due 3 */
    ck_assert_uint_eq(sl_bus_inbox(b, 3, 7, &f), 0);
    ck_assert_uint_eq(sl_bus_stats_get(b)->pending, 1);
    ck_assert_int_eq(sl_bus_end_step(b, 1), SL_OK);
    ck_assert_uint_eq(sl_bus_inbox(b, 3, 7, &f), 0);
    ck_assert_int_eq(sl_bus_end_step(b, 2), SL_OK);
    ck_assert_uint_eq(sl_bus_inbox(b, 3, 7, &f), 1);
    ck_assert_uint_eq(f->due, 3);
    sl_bus_destroy(b);
}
END_TEST

START_TEST(test_broadcast_iter)
{
    sl_bus *b = sl_bus_create();
    sl_bus_set_plane(b, 100, 100, 1);
    /* Sent in an order unrelated to the sender order. */
    sl_msg a = sl_msg_to_agent(1, 0, 30, 1, 5, 0);
    sl_msg p = sl_msg_to_pop(2, 0, 20, 1, 0);
    sl_msg r_near = sl_msg_to_radius(3, 0, 10, 1, 98.0, 50.0, 5.0, 0); /* wraps to x = -2 */
    sl_msg r_far = sl_msg_to_radius(4, 0, 15, 1, 50.0, 50.0, 5.0, 0);
    sl_msg a2 = sl_msg_to_agent(5, 0, 10, 1, 5, 0);
    sl_bus_send(b, 1, &a);
    sl_bus_send(b, 0, &p);
    sl_bus_send(b, 3, &r_near);
    sl_bus_send(b, 2, &r_far);
    sl_bus_send(b, 2, &a2);
    ck_assert_int_eq(sl_bus_end_step(b, 0), SL_OK);
    sl_bus_iter it = sl_bus_iter_make(b, 1, 5, 2.0, 50.0);
    uint32_t types[8];
    int n = 0;
    const sl_msg *m;
    while ((m = sl_bus_iter_next(b, &it)) && n < 8)
        types[n++] = m->type;
    /* Sender order: 10 (a2 from chunk 2 is numbered before r_near from chunk 3), then 20, then
     * 30; the far radius broadcast does not reach. */
    ck_assert_int_eq(n, 4);
    ck_assert_uint_eq(types[0], 5);
    ck_assert_uint_eq(types[1], 3);
    ck_assert_uint_eq(types[2], 2);
    ck_assert_uint_eq(types[3], 1);
    /* Another agent of population 1 gets only the broadcasts that reach it. */
    it = sl_bus_iter_make(b, 1, 6, 50.0, 52.0);
    n = 0;
    while ((m = sl_bus_iter_next(b, &it)) && n < 8)
        types[n++] = m->type;
    ck_assert_int_eq(n, 2);
    ck_assert_uint_eq(types[0], 4);
    ck_assert_uint_eq(types[1], 2);
    sl_bus_destroy(b);
}
END_TEST

START_TEST(test_checkpoint_roundtrip)
{
    sl_bus *a = sl_bus_create();
    sl_error e;
    sl_bus_set_seed(a, 99);
    sl_bus_link lk = {0.2, 1, 3};
    sl_bus_set_link(a, -1, -1, lk, &e);
    for (int t = 0; t < 3; t++) {
        send_step(a, (uint64_t)t, 2);
        ck_assert_int_eq(sl_bus_end_step(a, (uint64_t)t), SL_OK);
    }
    FILE *f = tmpfile();
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(sl_bus_write(a, f, &e), SL_OK);
    rewind(f);
    sl_bus *b = sl_bus_create();
    sl_bus_set_link(b, -1, -1, lk, &e); /* configuration is set again by the restored run */
    ck_assert_int_eq(sl_bus_read(b, f, "bus.ckpt", &e), SL_OK);
    fclose(f);
    ck_assert_uint_eq(delivered_hash(a, 1), delivered_hash(b, 1));
    for (int t = 3; t < 6; t++) {
        send_step(a, (uint64_t)t, 1);
        send_step(b, (uint64_t)t, 3);
        ck_assert_int_eq(sl_bus_end_step(a, (uint64_t)t), SL_OK);
        ck_assert_int_eq(sl_bus_end_step(b, (uint64_t)t), SL_OK);
        ck_assert_uint_eq(delivered_hash(a, 1), delivered_hash(b, 1));
        ck_assert_uint_eq(sl_bus_stats_get(a)->pending, sl_bus_stats_get(b)->pending);
    }
    ck_assert_uint_eq(sl_bus_stats_get(a)->total_sent, sl_bus_stats_get(b)->total_sent);
    /* A truncated or foreign file is refused with its name. */
    f = tmpfile();
    fwrite("SLBUS1\0\0\1\2", 1, 10, f);
    rewind(f);
    ck_assert_int_eq(sl_bus_read(b, f, "bad.ckpt", &e), SL_ERR_PARSE);
    ck_assert_ptr_nonnull(strstr(e.msg, "bad.ckpt"));
    fclose(f);
    f = tmpfile();
    fwrite("hello world, not a bus", 1, 22, f);
    rewind(f);
    ck_assert_int_eq(sl_bus_read(b, f, "other.bin", &e), SL_ERR_PARSE);
    fclose(f);
    /* Message counts far beyond the data (a crafted file) are found truncated, without first
     * allocating room for them. */
    f = tmpfile();
    ck_assert_int_eq(sl_bus_write(a, f, &e), SL_OK);
    uint64_t huge[2] = {(uint64_t)1 << 32, (uint64_t)1 << 32};
    ck_assert_int_eq(fseek(f, 8 + 5 * 8 + (long)sizeof(sl_bus_stats), SEEK_SET), 0);
    ck_assert_int_eq(fwrite(huge, sizeof huge, 1, f), 1);
    rewind(f);
    ck_assert_int_eq(sl_bus_read(b, f, "counts.ckpt", &e), SL_ERR_PARSE);
    ck_assert_msg(strstr(e.msg, "truncated message list") != NULL, "%s", e.msg);
    fclose(f);
    sl_bus_destroy(a);
    sl_bus_destroy(b);
}
END_TEST

/* The world's bus: created on first use, ended by the world, counts recorded per step. */
static void world_sender(sl_ctx *ctx)
{
    sl_bus *b = sl_world_bus(ctx->world);
    for (size_t i = ctx->begin; i < ctx->end; i++) {
        sl_msg m = sl_msg_to_agent(1, 0, sl_pop_id(ctx->pop, i), 0, 1, 0);
        sl_bus_send(b, ctx->chunk, &m);
    }
}

START_TEST(test_world_bus_recorded)
{
    sl_world *w = sl_world_create(3);
    sl_error e;
    sl_pop *p = sl_world_add_pop(w, "a", &e);
    sl_pop_spawn(p, 2500);
    sl_bus *b = sl_world_bus(w);
    ck_assert_ptr_nonnull(b);
    ck_assert_ptr_eq(sl_world_bus(w), b);
    ck_assert_int_eq(sl_bus_record(b, sl_world_recorder(w), "bus", &e), SL_OK);
    sl_system_def def;
    memset(&def, 0, sizeof def);
    def.name = "send";
    def.pop = p;
    def.run = world_sender;
    ck_assert_int_ge(sl_world_add_system(w, &def, &e), 0);
    ck_assert_int_eq(sl_world_step(w, &e), SL_OK);
    ck_assert_int_eq(sl_world_step(w, &e), SL_OK);
    sl_recorder *r = sl_world_recorder(w);
    int mm = sl_recorder_find(r, "bus_messages"), mb = sl_recorder_find(r, "bus_bytes");
    ck_assert_int_ge(mm, 0);
    ck_assert(sl_recorder_last(r, mm) == 2500.0);
    ck_assert(sl_recorder_last(r, mb) == 2500.0 * SL_MSG_HEADER_BYTES);
    const sl_msg *first;
    ck_assert_uint_eq(sl_bus_inbox(b, 0, 1, &first), 2500); /* sent in step 1, readable in 2 */
    ck_assert_int_ne(sl_bus_record(b, r, "bus", &e), SL_OK); /* the names exist already */
    ck_assert_ptr_nonnull(strstr(e.msg, "bus_messages"));
    sl_world_destroy(w);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("bus");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_next_step_delivery);
    tcase_add_test(tc, test_order_across_threads);
    tcase_add_test(tc, test_loss_delay_across_threads);
    tcase_add_test(tc, test_loss_rate_and_counts);
    tcase_add_test(tc, test_delay);
    tcase_add_test(tc, test_broadcast_iter);
    tcase_add_test(tc, test_checkpoint_roundtrip);
    tcase_add_test(tc, test_world_bus_recorded);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
