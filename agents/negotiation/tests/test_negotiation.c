/* test_negotiation.c - contract net state machine over the bus; auctions against the optimum. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "swarmlab/auction.h"
#include "swarmlab/bus.h"
#include "swarmlab/cnet.h"
#include "swarmlab/rng.h"

/* ---- contract net ---- */

typedef struct fixture {
    double cost[8];      /* by bidder id (1-based); NAN = refuse */
    int fail_exec;       /* winner reports failure */
    int closes;          /* on_close calls */
    int last_state;
    int bid_calls, exec_calls;
} fixture;

static sl_status bid_cb(void *user, const sl_cn_conv *c, sl_cn_agent b, int *propose, double *cost,
                        double *aux, sl_error *e)
{
    *aux = (double)b.id * 10.0;
    (void)c;
    (void)e;
    fixture *f = user;
    f->bid_calls++;
    double v = f->cost[b.id];
    *propose = !isnan(v);
    *cost = v;
    return SL_OK;
}

static sl_status exec_cb(void *user, const sl_cn_conv *c, sl_cn_agent w, int *ok, sl_error *e)
{
    (void)c;
    (void)w;
    (void)e;
    fixture *f = user;
    f->exec_calls++;
    *ok = !f->fail_exec;
    return SL_OK;
}

static sl_status close_cb(void *user, const sl_cn_conv *c, sl_error *e)
{
    (void)e;
    fixture *f = user;
    ck_assert(sl_conv_terminal(c->state));
    f->closes++;
    f->last_state = c->state;
    return SL_OK;
}

static sl_cnet *make(sl_bus *bus, fixture *f)
{
    sl_cnet_def def = {bid_cb, exec_cb, close_cb, f, 2, 4, NULL, 0, NULL};
    sl_error e;
    sl_cnet *cn = sl_cnet_create(bus, &def, &e);
    ck_assert_ptr_nonnull(cn);
    return cn;
}

static uint64_t announce3(sl_cnet *cn, uint64_t step, int bidder_pop_last)
{
    sl_cn_agent mgr = {0, 1};
    sl_cn_agent bidders[3] = {{1, 1}, {1, 2}, {bidder_pop_last, 3}};
    sl_cn_task task = {42, {1, 2, 3, 0, 0, 0}};
    sl_error e;
    while (sl_cnet_now(cn) < step) /* the steps the test skips, with nothing delivered */
        ck_assert_msg(sl_cnet_step(cn, &e) == SL_OK, "%s", e.msg);
    ck_assert_uint_eq(sl_cnet_now(cn), step);
    uint64_t id = sl_cnet_announce(cn, mgr, &task, bidders, 3, &e);
    ck_assert_uint_gt(id, 0);
    ck_assert_uint_eq(sl_cnet_conv(cn, id)->opened, step);
    return id;
}

/* Runs steps [from, to): cnet step then the bus's end of step. */
static void run(sl_cnet *cn, sl_bus *bus, uint64_t from, uint64_t to)
{
    sl_error e;
    for (uint64_t t = from; t < to; t++) {
        ck_assert_msg(sl_cnet_step(cn, &e) == SL_OK, "%s", e.msg);
        ck_assert_uint_eq(sl_cnet_now(cn), t);
        ck_assert_int_eq(sl_bus_end_step(bus, t), SL_OK);
    }
}

START_TEST(test_cn_award_lowest)
{
    sl_bus *bus = sl_bus_create();
    fixture f = {.cost = {0, 5, 3, 7}};
    sl_cnet *cn = make(bus, &f);
    uint64_t id = announce3(cn, 0, 1);
    ck_assert_int_eq(sl_bus_end_step(bus, 0), SL_OK);
    run(cn, bus, 1, 3);
    const sl_cn_conv *c = sl_cnet_conv(cn, id);
    ck_assert_int_eq(c->state, SL_CONV_AWARDED); /* every bidder answered: decided at step 2 */
    ck_assert_int_eq(c->winner, 1);
    ck_assert(c->best == 3.0);
    run(cn, bus, 3, 5);
    ck_assert_int_eq(c->state, SL_CONV_DONE);
    ck_assert_uint_eq(c->closed, 4);
    ck_assert_int_eq(f.bid_calls, 3);
    ck_assert_int_eq(f.exec_calls, 1);
    ck_assert_int_eq(f.closes, 1);
    sl_cnet_counts k = sl_cnet_counts_get(cn);
    ck_assert_uint_eq(k.done, 1);
    ck_assert_uint_eq(k.anomalies, 0);
    /* 3 cfp + 3 propose + 1 accept + 2 reject + 1 inform */
    ck_assert_uint_eq(k.messages, 10);
    sl_cnet_destroy(cn);
    sl_bus_destroy(bus);
}
END_TEST

START_TEST(test_cn_refusals_and_all_refuse)
{
    sl_bus *bus = sl_bus_create();
    fixture f = {.cost = {0, NAN, 9, NAN}};
    sl_cnet *cn = make(bus, &f);
    uint64_t a = announce3(cn, 0, 1);
    ck_assert_int_eq(sl_bus_end_step(bus, 0), SL_OK);
    run(cn, bus, 1, 6);
    const sl_cn_conv *c = sl_cnet_conv(cn, a);
    ck_assert_int_eq(c->state, SL_CONV_DONE);
    ck_assert_int_eq(c->winner, 1);
    ck_assert_int_eq(c->nrefusals, 2);
    /* Everyone refuses: no-bids as soon as all answered. */
    f.cost[2] = NAN;
    uint64_t b = announce3(cn, 6, 1);
    ck_assert_int_eq(sl_bus_end_step(bus, 6), SL_OK);
    run(cn, bus, 7, 9);
    c = sl_cnet_conv(cn, b);
    ck_assert_int_eq(c->state, SL_CONV_NO_BIDS);
    ck_assert_uint_eq(c->closed, 8);
    ck_assert(isnan(c->best));
    ck_assert_int_eq(f.closes, 2);
    ck_assert_int_eq(f.last_state, SL_CONV_NO_BIDS);
    sl_cnet_destroy(cn);
    sl_bus_destroy(bus);
}
END_TEST

START_TEST(test_cn_deadline_late_bid)
{
    sl_bus *bus = sl_bus_create();
    sl_error e;
    /* Bidder 3 lives in population 2, whose link to the manager is 3 steps slower. */
    sl_bus_link slow = {0.0, 3, 0};
    ck_assert_int_eq(sl_bus_set_link(bus, 2, 0, slow, &e), SL_OK);
    fixture f = {.cost = {0, 5, 4, 1}}; /* the late bid is the cheapest */
    sl_cnet *cn = make(bus, &f);
    uint64_t id = announce3(cn, 0, 2);
    ck_assert_int_eq(sl_bus_end_step(bus, 0), SL_OK);
    run(cn, bus, 1, 3);
    const sl_cn_conv *c = sl_cnet_conv(cn, id);
    ck_assert_int_eq(c->state, SL_CONV_AWARDED); /* decided at the deadline (step 2) */
    ck_assert_int_eq(c->winner, 1);
    ck_assert(c->best == 4.0);
    run(cn, bus, 3, 8);
    ck_assert_int_eq(c->state, SL_CONV_DONE);
    ck_assert_int_eq(c->nlate, 1);
    char ans;
    double bid;
    sl_cnet_bidder(cn, c, 2, &ans, &bid);
    ck_assert_int_eq(ans, 'l');
    ck_assert(c->best == 4.0); /* the late bid never replaced the decision */
    sl_cnet_counts k = sl_cnet_counts_get(cn);
    ck_assert_uint_eq(k.late, 1);
    ck_assert_uint_eq(k.anomalies, 0);
    sl_cnet_destroy(cn);
    sl_bus_destroy(bus);
}
END_TEST

START_TEST(test_cn_no_answers_by_deadline)
{
    sl_bus *bus = sl_bus_create();
    sl_error e;
    sl_bus_link dead = {1.0, 0, 0};
    ck_assert_int_eq(sl_bus_set_link(bus, 1, 0, dead, &e), SL_OK);
    fixture f = {.cost = {0, 5, 4, 1}};
    sl_cnet *cn = make(bus, &f);
    uint64_t id = announce3(cn, 0, 1);
    ck_assert_int_eq(sl_bus_end_step(bus, 0), SL_OK);
    run(cn, bus, 1, 3);
    ck_assert_int_eq(sl_cnet_conv(cn, id)->state, SL_CONV_NO_BIDS);
    ck_assert_uint_eq(sl_cnet_conv(cn, id)->closed, 2);
    sl_cnet_destroy(cn);
    sl_bus_destroy(bus);
}
END_TEST

START_TEST(test_cn_failure_after_accept)
{
    sl_bus *bus = sl_bus_create();
    fixture f = {.cost = {0, 5, 3, 7}, .fail_exec = 1};
    sl_cnet *cn = make(bus, &f);
    uint64_t id = announce3(cn, 0, 1);
    ck_assert_int_eq(sl_bus_end_step(bus, 0), SL_OK);
    run(cn, bus, 1, 6);
    ck_assert_int_eq(sl_cnet_conv(cn, id)->state, SL_CONV_FAILED);
    ck_assert_int_eq(f.closes, 1);
    ck_assert_uint_eq(sl_cnet_counts_get(cn).failed, 1);
    sl_cnet_destroy(cn);
    sl_bus_destroy(bus);
}
END_TEST

static sl_bus_link drop_accepts(const sl_msg *m, void *user)
{
    (void)user;
    sl_bus_link l = {m->type == SL_CN_ACCEPT ? 1.0 : 0.0, 0, 0};
    return l;
}

START_TEST(test_cn_timeout_when_accept_lost)
{
    sl_bus *bus = sl_bus_create();
    sl_bus_set_link_fn(bus, drop_accepts, NULL);
    fixture f = {.cost = {0, 5, 3, 7}};
    sl_cnet *cn = make(bus, &f);
    uint64_t id = announce3(cn, 0, 1);
    ck_assert_int_eq(sl_bus_end_step(bus, 0), SL_OK);
    run(cn, bus, 1, 7);
    ck_assert_int_eq(sl_cnet_conv(cn, id)->state, SL_CONV_AWARDED);
    run(cn, bus, 7, 8); /* awarded at 2, result timeout 4: closed at step 7 */
    ck_assert_int_eq(sl_cnet_conv(cn, id)->state, SL_CONV_TIMEOUT);
    ck_assert_int_eq(f.exec_calls, 0);
    sl_cnet_destroy(cn);
    sl_bus_destroy(bus);
}
END_TEST

START_TEST(test_cn_out_of_sequence)
{
    sl_bus *bus = sl_bus_create();
    fixture f = {.cost = {0, 5, NAN, 7}};
    sl_cnet *cn = make(bus, &f);
    uint64_t id = announce3(cn, 0, 1);
    ck_assert_int_eq(sl_bus_end_step(bus, 0), SL_OK);
    run(cn, bus, 1, 3); /* awarded to bidder 1 */
    /* Forged: an accept to bidder 2, who refused; an inform-done from bidder 3 (not the winner);
     * a propose for a conversation that does not exist. */
    sl_msg m1 = sl_msg_to_agent(SL_CN_ACCEPT, 0, 1, 1, 2, id);
    sl_msg m2 = sl_msg_to_agent(SL_CN_INFORM_DONE, 1, 3, 0, 1, id);
    sl_msg m3 = sl_msg_to_agent(SL_CN_PROPOSE, 1, 3, 0, 1, 999);
    sl_bus_send(bus, 0, &m1);
    sl_bus_send(bus, 0, &m2);
    sl_bus_send(bus, 0, &m3);
    run(cn, bus, 3, 6);
    sl_cnet_counts k = sl_cnet_counts_get(cn);
    ck_assert_uint_eq(k.anomalies, 3);
    ck_assert_int_eq(sl_cnet_conv(cn, id)->state, SL_CONV_DONE); /* the real exchange went on */
    ck_assert_int_eq(f.exec_calls, 1);
    ck_assert_ptr_nonnull(strstr(sl_cnet_last_anomaly(cn), "conversation"));
    sl_cnet_destroy(cn);
    sl_bus_destroy(bus);
}
END_TEST

/* Bidders are matched to their answers whatever the order of the list: a whole population in id
 * order (found by position), the same agents shuffled, and a list with a gap; an answer from an
 * agent next to the list is an anomaly. */
START_TEST(test_cn_bidder_lists_any_order)
{
    static const sl_cn_agent lists[3][3] = {{{1, 1}, {1, 2}, {1, 3}},
                                            {{1, 3}, {1, 1}, {1, 2}},
                                            {{1, 2}, {1, 3}, {1, 5}}};
    static const int winner[3] = {1, 2, 0}; /* the position of agent 2 (cost 3) */
    for (int l = 0; l < 3; l++) {
        sl_bus *bus = sl_bus_create();
        fixture f = {.cost = {0, 5, 3, 7, 9, 8}};
        sl_cnet *cn = make(bus, &f);
        sl_cn_agent mgr = {0, 1};
        sl_cn_task task = {42, {1, 2, 3, 0, 0, 0}};
        sl_error e;
        uint64_t id = sl_cnet_announce(cn, mgr, &task, lists[l], 3, &e);
        ck_assert_uint_gt(id, 0);
        sl_msg forged = sl_msg_to_agent(SL_CN_PROPOSE, 1, 4, 0, 1, id);
        forged.nd = 1;
        forged.d[0] = 1.0; /* agent 4 is no bidder: its cheap offer must not count */
        sl_bus_send(bus, 0, &forged);
        ck_assert_int_eq(sl_bus_end_step(bus, 0), SL_OK);
        run(cn, bus, 1, 5);
        const sl_cn_conv *c = sl_cnet_conv(cn, id);
        ck_assert_int_eq(c->state, SL_CONV_DONE);
        ck_assert_int_eq(c->winner, winner[l]);
        ck_assert(c->best == 3.0);
        ck_assert_int_eq(c->nproposals, 3);
        sl_cnet_counts k = sl_cnet_counts_get(cn);
        ck_assert_uint_eq(k.anomalies, 1);
        for (int i = 0; i < 3; i++) {
            double bid;
            char ans;
            sl_cn_agent a = sl_cnet_bidder(cn, c, i, &ans, &bid);
            ck_assert_int_eq(ans, 'p');
            ck_assert(bid == f.cost[a.id]);
            ck_assert(a.id == lists[l][i].id);
        }
        sl_cnet_destroy(cn);
        sl_bus_destroy(bus);
    }
}
END_TEST

static sl_status nan_bid(void *user, const sl_cn_conv *c, sl_cn_agent b, int *propose,
                         double *cost, double *aux, sl_error *e)
{
    (void)aux;
    (void)user;
    (void)c;
    (void)b;
    (void)e;
    *propose = 1;
    *cost = NAN;
    return SL_OK;
}

START_TEST(test_cn_nan_bid_is_an_error)
{
    sl_bus *bus = sl_bus_create();
    sl_cnet_def def = {nan_bid, NULL, NULL, NULL, 2, 4, NULL, 0, NULL};
    sl_error e;
    sl_cnet *cn = sl_cnet_create(bus, &def, &e);
    announce3(cn, 0, 1);
    ck_assert_int_eq(sl_bus_end_step(bus, 0), SL_OK);
    ck_assert_int_eq(sl_cnet_step(cn, &e), SL_ERR_RANGE);
    ck_assert_ptr_nonnull(strstr(e.msg, "nan"));
    sl_cnet_destroy(cn);
    sl_bus_destroy(bus);
}
END_TEST

/* Award rule: the proposal with the largest auxiliary number (bidder id x 10), or none. */
static int choose_none;
static sl_cnet *choose_cn;
static sl_status choose_cb(void *user, const sl_cn_conv *c, int *winner, sl_error *e)
{
    (void)user;
    (void)e;
    *winner = -1;
    if (choose_none)
        return SL_OK;
    double best = -1;
    for (int i = 0; i < c->nbidders; i++) {
        char ans;
        sl_cnet_bidder(choose_cn, c, i, &ans, NULL);
        double aux = sl_cnet_bidder_aux(choose_cn, c, i);
        if (ans == 'p' && aux > best) {
            best = aux;
            *winner = i;
        }
    }
    return SL_OK;
}

START_TEST(test_cn_award_rule)
{
    sl_bus *bus = sl_bus_create();
    fixture f = {.cost = {0, 5, 3, 7}};
    sl_cnet_def def = {bid_cb, exec_cb, close_cb, &f, 2, 4, choose_cb, 0, NULL};
    sl_error e;
    choose_cn = sl_cnet_create(bus, &def, &e);
    choose_none = 0;
    uint64_t a = announce3(choose_cn, 0, 1);
    ck_assert_int_eq(sl_bus_end_step(bus, 0), SL_OK);
    run(choose_cn, bus, 1, 5);
    const sl_cn_conv *c = sl_cnet_conv(choose_cn, a);
    ck_assert_int_eq(c->state, SL_CONV_DONE);
    ck_assert_int_eq(c->winner, 2); /* aux 30 beats the cheaper bids */
    ck_assert(sl_cnet_bidder_aux(choose_cn, c, 0) == 10.0);
    choose_none = 1;
    uint64_t b = announce3(choose_cn, 5, 1);
    ck_assert_int_eq(sl_bus_end_step(bus, 5), SL_OK);
    run(choose_cn, bus, 6, 10);
    c = sl_cnet_conv(choose_cn, b);
    ck_assert_int_eq(c->state, SL_CONV_NO_BIDS);
    ck_assert_uint_eq(sl_cnet_counts_get(choose_cn).anomalies, 0); /* rejects were expected */
    sl_cnet_destroy(choose_cn);
    sl_bus_destroy(bus);
}
END_TEST

/* Many conversations over a lossy, jittery bus: every one ends terminal, the counts add up, and
 * the trace is identical on re-run. */
static char *random_run(const char *trace, sl_cnet_counts *out)
{
    sl_bus *bus = sl_bus_create();
    sl_error e;
    sl_bus_set_seed(bus, 77);
    sl_bus_link lk = {0.15, 0, 2};
    sl_bus_set_link(bus, -1, -1, lk, &e);
    fixture f = {.cost = {0, 5, 3, 7, NAN, 2}};
    sl_cnet *cn = make(bus, &f);
    ck_assert_int_eq(sl_cnet_open_trace(cn, trace, &e), SL_OK);
    sl_cn_agent mgr = {0, 1};
    sl_cn_agent bidders[5] = {{1, 1}, {1, 2}, {1, 3}, {1, 4}, {1, 5}};
    for (uint64_t t = 0; t < 60; t++) {
        ck_assert_int_eq(sl_cnet_step(cn, &e), SL_OK);
        if (t < 40 && t % 2 == 0) {
            sl_cn_task task = {t, {0}};
            ck_assert_uint_gt(sl_cnet_announce(cn, mgr, &task, bidders, 5, &e), 0);
        }
        ck_assert_int_eq(sl_bus_end_step(bus, t), SL_OK);
    }
    ck_assert_int_eq(sl_cnet_abort_open(cn, &e), SL_OK);
    for (size_t i = 1; i <= sl_cnet_nconv(cn); i++)
        ck_assert(sl_conv_terminal(sl_cnet_conv(cn, i)->state));
    sl_cnet_counts k = sl_cnet_counts_get(cn);
    ck_assert_uint_eq(k.done + k.failed + k.no_bids + k.timeout + k.aborted, 20);
    ck_assert_uint_eq(k.open + k.awarded, 0);
    ck_assert_int_eq(f.closes, 20);
    ck_assert_int_eq(sl_cnet_close_trace(cn, &e), SL_OK);
    *out = k;
    sl_cnet_destroy(cn);
    sl_bus_destroy(bus);
    FILE *fp = fopen(trace, "rb");
    ck_assert_ptr_nonnull(fp);
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    rewind(fp);
    char *buf = calloc((size_t)n + 1, 1);
    ck_assert_uint_eq(fread(buf, 1, (size_t)n, fp), (size_t)n);
    fclose(fp);
    return buf;
}

START_TEST(test_cn_lossy_all_terminal_and_trace)
{
    char path[] = "/tmp/sl_cn_traceXXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    sl_cnet_counts a, b;
    char *t1 = random_run(path, &a);
    char *t2 = random_run(path, &b);
    ck_assert_str_eq(t1, t2);
    ck_assert_ptr_nonnull(strstr(t1, "step,conv,performative,from,to,value\n"));
    ck_assert_ptr_nonnull(strstr(t1, ",cfp,0:1,1:1,"));
    ck_assert_uint_gt(a.done, 0);
    ck_assert_uint_gt(a.timeout + a.no_bids + a.late, 0); /* losses and jitter had an effect */
    free(t1);
    free(t2);
    unlink(path);
}
END_TEST

/* Queueing: a task nobody takes waits `retry` steps and is announced again, attempt after
 * attempt, until a bidder takes it; nothing is dropped, and the queue survives a checkpoint. */
START_TEST(test_cn_retry_queues_unplaced_tasks)
{
    sl_bus *bus = sl_bus_create();
    fixture f = {.cost = {0, NAN, NAN, NAN}};
    sl_cnet_def def = sl_cnet_def_default();
    def.bid = bid_cb;
    def.exec = exec_cb;
    def.on_close = close_cb;
    def.user = &f;
    def.retry = 3;
    sl_error e;
    sl_cnet *cn = sl_cnet_create(bus, &def, &e);
    ck_assert_ptr_nonnull(cn);
    uint64_t a = announce3(cn, 0, 1);
    ck_assert_int_eq(sl_bus_end_step(bus, 0), SL_OK);
    run(cn, bus, 1, 3); /* all refuse: no-bids at step 2, queued until step 5 */
    const sl_cn_conv *c = sl_cnet_conv(cn, a);
    ck_assert_int_eq(c->state, SL_CONV_NO_BIDS);
    ck_assert_int_eq(c->requeued, 1);
    sl_cnet_counts k = sl_cnet_counts_get(cn);
    ck_assert_uint_eq(k.queued, 1);
    ck_assert_uint_eq(sl_cnet_nconv(cn), 1);
    run(cn, bus, 3, 5);
    ck_assert_uint_eq(sl_cnet_nconv(cn), 1); /* not before its due step */
    /* checkpoint with the task queued, restore into a fresh cnet */
    char path[] = "/tmp/sl_cn_queueXXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *fp = fdopen(fd, "w+b");
    ck_assert_int_eq(sl_cnet_write(cn, fp, &e), SL_OK);
    rewind(fp);
    sl_cnet *cn2 = sl_cnet_create(bus, &def, &e);
    ck_assert_int_eq(sl_cnet_read(cn2, fp, path, &e), SL_OK);
    fclose(fp);
    unlink(path);
    sl_cnet_destroy(cn);
    cn = cn2;
    ck_assert_uint_eq(sl_cnet_now(cn), 4);
    ck_assert_uint_eq(sl_cnet_counts_get(cn).queued, 1);
    run(cn, bus, 5, 6); /* announced again at 5 */
    ck_assert_uint_eq(sl_cnet_nconv(cn), 2);
    c = sl_cnet_conv(cn, 2);
    ck_assert_int_eq(c->attempt, 2);
    ck_assert_uint_eq(c->origin, a);
    ck_assert_uint_eq(c->opened, 5);
    ck_assert_uint_eq(c->task.item, 42);
    ck_assert_int_eq(c->nbidders, 3);
    f.cost[3] = 4.0; /* bidder 3 now has room */
    run(cn, bus, 6, 12);
    c = sl_cnet_conv(cn, 2);
    ck_assert_int_eq(c->state, SL_CONV_DONE);
    ck_assert_int_eq(c->winner, 2);
    ck_assert_int_eq(c->requeued, 0);
    k = sl_cnet_counts_get(cn);
    ck_assert_uint_eq(k.queued, 0);
    ck_assert_uint_eq(k.reannounced, 1);
    ck_assert_uint_eq(k.done, 1);
    ck_assert_uint_eq(sl_cnet_nconv(cn), 2);
    sl_cnet_destroy(cn);
    sl_bus_destroy(bus);
}
END_TEST

/* Over a lossy bus with bidders that mostly refuse, every task announced is done in the end or
 * still queued or open: origins of done conversations plus the waiting ones cover every task. */
START_TEST(test_cn_retry_loses_no_task)
{
    sl_bus *bus = sl_bus_create();
    sl_error e;
    sl_bus_set_seed(bus, 5);
    sl_bus_link lk = {0.3, 0, 1};
    sl_bus_set_link(bus, -1, -1, lk, &e);
    fixture f = {.cost = {0, NAN, NAN, NAN}};
    sl_cnet_def def = sl_cnet_def_default();
    def.bid = bid_cb;
    def.exec = exec_cb;
    def.user = &f;
    def.retry = 2;
    sl_cnet *cn = sl_cnet_create(bus, &def, &e);
    sl_cn_agent mgr = {0, 1};
    sl_cn_agent bidders[3] = {{1, 1}, {1, 2}, {1, 3}};
    enum { NT = 30 };
    for (uint64_t t = 1; t <= 200; t++) {
        ck_assert_msg(sl_cnet_step(cn, &e) == SL_OK, "%s", e.msg);
        f.cost[1] = t % 3 == 0 ? 1.0 : NAN; /* bidder 1 has room one step in three */
        if (t <= NT) {
            sl_cn_task task = {t, {0}};
            ck_assert_uint_gt(sl_cnet_announce(cn, mgr, &task, bidders, 3, &e), 0);
        }
        ck_assert_int_eq(sl_bus_end_step(bus, t), SL_OK);
    }
    int done[NT + 1] = {0};
    for (size_t i = 1; i <= sl_cnet_nconv(cn); i++) {
        const sl_cn_conv *c = sl_cnet_conv(cn, i);
        ck_assert_uint_eq(c->task.item, sl_cnet_conv(cn, c->origin)->task.item);
        if (c->state == SL_CONV_DONE)
            done[c->task.item]++;
    }
    sl_cnet_counts k = sl_cnet_counts_get(cn);
    uint64_t placed = 0;
    for (int t = 1; t <= NT; t++) {
        ck_assert_int_le(done[t], 1); /* never placed twice */
        placed += (uint64_t)done[t];
    }
    ck_assert_uint_eq(placed + k.queued + k.open + k.awarded, NT);
    ck_assert_uint_gt(placed, NT / 2);
    ck_assert_uint_gt(k.reannounced, 0);
    sl_cnet_destroy(cn);
    sl_bus_destroy(bus);
}
END_TEST

/* ---- auctions ---- */

static double *random_instance(int A, int T, uint64_t seed, double *xs, double *ys)
{
    int n = A + T;
    sl_rng r = sl_rng_make(seed, 3, 0, 0);
    for (int i = 0; i < n; i++) {
        xs[i] = sl_rng_uniform(&r) * 100.0;
        ys[i] = sl_rng_uniform(&r) * 100.0;
    }
    double *d = malloc((size_t)n * (size_t)n * sizeof *d);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            d[i * n + j] = hypot(xs[i] - xs[j], ys[i] - ys[j]);
    return d;
}

static void check_valid(const sl_alloc_problem *p, const sl_alloc_result *r)
{
    int seen[16] = {0};
    double cost = 0.0;
    for (int a = 0; a < p->nagents; a++) {
        int n = r->start[a + 1] - r->start[a];
        if (p->cap)
            ck_assert_int_le(n, p->cap[a]);
        for (int k = r->start[a]; k < r->start[a + 1]; k++) {
            seen[r->order[k]]++;
            ck_assert_int_eq(r->agent_of[r->order[k]], a);
        }
        cost += sl_alloc_route_cost(p, a, r->order + r->start[a], n);
    }
    for (int t = 0; t < p->ntasks; t++)
        ck_assert_int_eq(seen[t], 1);
    ck_assert(fabs(cost - r->cost) < 1e-9);
}

/* Independent brute force: every assignment, every order (T <= 6). */
static double brute(const sl_alloc_problem *p)
{
    int A = p->nagents, T = p->ntasks;
    long nass = 1;
    for (int t = 0; t < T; t++)
        nass *= A;
    double best = INFINITY;
    for (long code = 0; code < nass; code++) {
        int agent[8], tasks[8][8], cnt[8] = {0};
        long c = code;
        for (int t = 0; t < T; t++) {
            agent[t] = (int)(c % A);
            c /= A;
            tasks[agent[t]][cnt[agent[t]]++] = t;
        }
        double total = 0.0;
        int ok = 1;
        for (int a = 0; a < A && ok; a++) {
            if (p->cap && cnt[a] > p->cap[a]) {
                ok = 0;
                break;
            }
            /* Heap's algorithm over the agent's tasks. */
            int n = cnt[a], perm[8], cidx[8] = {0};
            memcpy(perm, tasks[a], sizeof(int) * (size_t)n);
            double bestr = sl_alloc_route_cost(p, a, perm, n);
            int i = 0;
            while (i < n) {
                if (cidx[i] < i) {
                    int j = (i % 2 == 0) ? 0 : cidx[i];
                    int tmp = perm[j];
                    perm[j] = perm[i];
                    perm[i] = tmp;
                    double v = sl_alloc_route_cost(p, a, perm, n);
                    if (v < bestr)
                        bestr = v;
                    cidx[i]++;
                    i = 0;
                } else {
                    cidx[i] = 0;
                    i++;
                }
            }
            total += bestr;
        }
        if (ok && total < best)
            best = total;
    }
    return best;
}

START_TEST(test_auctions_vs_optimum)
{
    double xs[20], ys[20];
    int worse_ssi = 0, worse_psi = 0;
    for (int inst = 0; inst < 40; inst++) {
        int A = 2 + inst % 2, T = 4 + inst % 3;
        double *d = random_instance(A, T, 1000 + (uint64_t)inst, xs, ys);
        int cap[3] = {3, 3, 3};
        sl_alloc_problem p = {A, T, d, inst % 4 == 0 ? cap : NULL, inst % 2};
        sl_error e;
        sl_alloc_result opt, ssi, psi;
        ck_assert_int_eq(sl_alloc_optimum(&p, &opt, &e), SL_OK);
        ck_assert_int_eq(sl_auction_sequential(&p, &ssi, &e), SL_OK);
        ck_assert_int_eq(sl_auction_parallel(&p, &psi, &e), SL_OK);
        check_valid(&p, &opt);
        check_valid(&p, &ssi);
        check_valid(&p, &psi);
        ck_assert_msg(fabs(opt.cost - brute(&p)) < 1e-9, "instance %d: DP %g brute %g", inst,
                      opt.cost, brute(&p));
        ck_assert_msg(ssi.cost >= opt.cost - 1e-9, "instance %d: SSI %g below optimum %g", inst,
                      ssi.cost, opt.cost);
        ck_assert_msg(psi.cost >= opt.cost - 1e-9, "instance %d: PSI below optimum", inst);
        worse_ssi += ssi.cost > opt.cost + 1e-9;
        worse_psi += psi.cost > opt.cost + 1e-9;
        ck_assert_int_gt(ssi.bids, 0);
        sl_alloc_result_release(&opt);
        sl_alloc_result_release(&ssi);
        sl_alloc_result_release(&psi);
        free(d);
    }
    /* The auctions are heuristics: on random instances some runs miss the optimum. */
    ck_assert_int_gt(worse_ssi + worse_psi, 0);
}
END_TEST

/* Cheapest insertion of task t into route r[0..n) of agent a by recomputing whole route costs:
 * the added cost, and the first position where it is reached in *pos. */
static double insertion_by_route_cost(const sl_alloc_problem *p, int a, const int *r, int n, int t,
                                      int *pos)
{
    double base = sl_alloc_route_cost(p, a, r, n), best = INFINITY;
    int tmp[16];
    for (int k = 0; k <= n; k++) {
        for (int i = 0; i < k; i++) tmp[i] = r[i];
        tmp[k] = t;
        for (int i = k; i < n; i++) tmp[i + 1] = r[i];
        double bid = sl_alloc_route_cost(p, a, tmp, n + 1) - base;
        if (bid < best - 1e-9) {
            best = bid;
            *pos = k;
        }
    }
    return best;
}

static void insert_task(int *r, int *n, int pos, int t)
{
    memmove(r + pos + 1, r + pos, sizeof(int) * (size_t)(*n - pos));
    r[pos] = t;
    (*n)++;
}

/* The auctions by their definitions. Sequential: each round every agent with room bids for every
 * unassigned task what inserting it at its best place adds to its route; the lowest bid wins
 * (ties: the lower agent, then the lower task). Parallel: every task goes to the lowest bid
 * against empty routes (in task order, skipping full agents), then each agent inserts its tasks
 * in task order at their cheapest places. */
static void reference_auction(const sl_alloc_problem *p, int sequential, int route[4][16],
                              int len[4])
{
    int A = p->nagents, T = p->ntasks, done[16] = {0}, count[4] = {0}, owner[16];
    for (int a = 0; a < A; a++) len[a] = 0;
    if (sequential) {
        for (int round = 0; round < T; round++) {
            double best = INFINITY;
            int ba = -1, bt = -1, bpos = 0;
            for (int a = 0; a < A; a++) {
                if (p->cap && len[a] >= p->cap[a]) continue;
                for (int t = 0; t < T; t++) {
                    if (done[t]) continue;
                    int pos = 0;
                    double bid = insertion_by_route_cost(p, a, route[a], len[a], t, &pos);
                    if (bid < best - 1e-9) best = bid, ba = a, bt = t, bpos = pos;
                }
            }
            insert_task(route[ba], &len[ba], bpos, bt);
            done[bt] = 1;
        }
        return;
    }
    for (int t = 0; t < T; t++) {
        double best = INFINITY;
        for (int a = 0; a < A; a++) {
            if (p->cap && count[a] >= p->cap[a]) continue;
            int pos;
            double bid = insertion_by_route_cost(p, a, NULL, 0, t, &pos);
            if (bid < best - 1e-9) best = bid, owner[t] = a;
        }
        count[owner[t]]++;
    }
    for (int t = 0; t < T; t++) {
        int a = owner[t], pos = 0;
        insertion_by_route_cost(p, a, route[a], len[a], t, &pos);
        insert_task(route[a], &len[a], pos, t);
    }
}

START_TEST(test_auctions_match_reference)
{
    /* 60 random instances (2-4 agents, 5-12 tasks, open and closed routes, with and without
     * capacities): both auctions give the allocation and route costs of the reference */
    double xs[20], ys[20];
    for (int inst = 0; inst < 60; inst++) {
        int A = 2 + inst % 3, T = 5 + inst % 8;
        double *d = random_instance(A, T, 9000 + (uint64_t)inst, xs, ys);
        int cap[4] = {4, 4, 4, 4};
        sl_alloc_problem p = {A, T, d, inst % 3 == 0 && 4 * A >= T ? cap : NULL, inst % 2};
        for (int seq = 0; seq < 2; seq++) {
            int route[4][16], len[4];
            reference_auction(&p, seq, route, len);
            sl_alloc_result r;
            sl_error e;
            ck_assert_int_eq(seq ? sl_auction_sequential(&p, &r, &e) : sl_auction_parallel(&p, &r, &e),
                             SL_OK);
            check_valid(&p, &r);
            /* closed routes can tie with their reversal: compare who serves what, and costs */
            double cost = 0.0;
            for (int a = 0; a < A; a++) {
                ck_assert_msg(r.start[a + 1] - r.start[a] == len[a], "instance %d %s: agent %d has "
                              "%d tasks, reference %d", inst, seq ? "sequential" : "parallel", a,
                              r.start[a + 1] - r.start[a], len[a]);
                for (int k = 0; k < len[a]; k++)
                    ck_assert_msg(r.agent_of[route[a][k]] == a, "instance %d %s: task %d went to "
                                  "agent %d, reference %d", inst, seq ? "sequential" : "parallel",
                                  route[a][k], r.agent_of[route[a][k]], a);
                double mine = sl_alloc_route_cost(&p, a, r.order + r.start[a], len[a]);
                double ref = sl_alloc_route_cost(&p, a, route[a], len[a]);
                ck_assert_msg(fabs(mine - ref) < 1e-9, "instance %d %s: agent %d route %.12g, "
                              "reference %.12g", inst, seq ? "sequential" : "parallel", a, mine, ref);
                cost += ref;
            }
            ck_assert_double_eq_tol(r.cost, cost, 1e-9);
            sl_alloc_result_release(&r);
        }
        free(d);
    }
}
END_TEST

START_TEST(test_cbba_vs_optimum)
{
    double xs[20], ys[20];
    int nonopt = 0;
    for (int inst = 0; inst < 40; inst++) {
        int A = 2 + inst % 3, T = 4 + inst % 4;
        double *d = random_instance(A, T, 5000 + (uint64_t)inst, xs, ys);
        sl_alloc_problem p = {A, T, d, NULL, inst % 2};
        sl_error e;
        sl_alloc_result opt, full, line;
        ck_assert_int_eq(sl_alloc_optimum(&p, &opt, &e), SL_OK);
        int rounds_full = 0, rounds_line = 0;
        ck_assert_msg(sl_cbba(&p, NULL, &full, &rounds_full, &e) == SL_OK, "%d: %s", inst, e.msg);
        /* A line: agent a hears a - 1 and a + 1 only. */
        unsigned char comm[16] = {0};
        for (int a = 0; a < A; a++)
            for (int b = 0; b < A; b++)
                comm[a * A + b] = (a - b == 1 || b - a == 1);
        sl_cbba_def o = sl_cbba_def_default();
        o.comm = comm;
        ck_assert_msg(sl_cbba(&p, &o, &line, &rounds_line, &e) == SL_OK, "%d: %s", inst, e.msg);
        check_valid(&p, &full);
        check_valid(&p, &line);
        ck_assert(full.cost >= opt.cost - 1e-9);
        ck_assert(line.cost >= opt.cost - 1e-9);
        nonopt += full.cost > opt.cost + 1e-9;
        ck_assert_int_gt(rounds_full, 0);
        /* Deterministic. */
        sl_alloc_result again;
        ck_assert_int_eq(sl_cbba(&p, &o, &again, NULL, &e), SL_OK);
        ck_assert(again.cost == line.cost);
        ck_assert_int_eq(memcmp(again.order, line.order, sizeof(int) * (size_t)T), 0);
        sl_alloc_result_release(&again);
        sl_alloc_result_release(&opt);
        sl_alloc_result_release(&full);
        sl_alloc_result_release(&line);
        free(d);
    }
    (void)nonopt;
}
END_TEST

START_TEST(test_auction_collinear_exact)
{
    /* One agent at 0 and one at 100 on a line; tasks at 10, 20, 80, 90: the auction finds the
     * optimum 40 (open routes). */
    double pos[6] = {0, 100, 10, 20, 80, 90};
    double d[36];
    for (int i = 0; i < 6; i++)
        for (int j = 0; j < 6; j++)
            d[i * 6 + j] = fabs(pos[i] - pos[j]);
    sl_alloc_problem p = {2, 4, d, NULL, 0};
    sl_error e;
    sl_alloc_result r;
    ck_assert_int_eq(sl_auction_sequential(&p, &r, &e), SL_OK);
    ck_assert(fabs(r.cost - 40.0) < 1e-12);
    ck_assert_int_eq(r.agent_of[0], 0);
    ck_assert_int_eq(r.agent_of[3], 1);
    sl_alloc_result_release(&r);
    int rounds;
    ck_assert_int_eq(sl_cbba(&p, NULL, &r, &rounds, &e), SL_OK);
    ck_assert(fabs(r.cost - 40.0) < 1e-12);
    sl_alloc_result_release(&r);
}
END_TEST

START_TEST(test_auction_bad_input)
{
    double d[9] = {0, 1, 2, 1, 0, -1, 2, 1, 0};
    sl_alloc_problem p = {1, 2, d, NULL, 0};
    sl_error e;
    sl_alloc_result r;
    ck_assert_int_eq(sl_auction_sequential(&p, &r, &e), SL_ERR_RANGE);
    ck_assert_ptr_nonnull(strstr(e.msg, "distance"));
    d[5] = 1;
    int cap[1] = {1};
    p.cap = cap;
    ck_assert_int_eq(sl_alloc_optimum(&p, &r, &e), SL_ERR_RANGE);
    ck_assert_ptr_nonnull(strstr(e.msg, "capacit"));
    p.nagents = 0;
    ck_assert_int_eq(sl_auction_parallel(&p, &r, &e), SL_ERR_RANGE);
}
END_TEST

/* Callbacks that open conversations: every callback of the first conversation opens 100 more
 * (the conversation and bidder arrays move several times under the protocol engine), and the
 * first conversation still completes with the right winner and one close. */
static sl_cnet *grow_cn;
static int grow_opened;
static uint64_t grow_first;
static void grow_more(void)
{
    sl_cn_agent mgr = {0, 1};
    sl_cn_agent bidders[3] = {{1, 1}, {1, 2}, {1, 3}};
    sl_cn_task task = {7, {0}};
    sl_error e;
    for (int k = 0; k < 100; k++) {
        ck_assert_uint_gt(sl_cnet_announce(grow_cn, mgr, &task, bidders, 3, &e), 0);
        grow_opened++;
    }
}

static sl_status grow_bid(void *user, const sl_cn_conv *c, sl_cn_agent b, int *propose,
                          double *cost, double *aux, sl_error *e)
{
    sl_status s = bid_cb(user, c, b, propose, cost, aux, e);
    if (c->id == grow_first) grow_more();
    return s;
}

static sl_status grow_exec(void *user, const sl_cn_conv *c, sl_cn_agent w, int *ok, sl_error *e)
{
    int first = c->id == grow_first;
    sl_status s = exec_cb(user, c, w, ok, e);
    if (first) grow_more();
    return s;
}

static sl_status grow_choose(void *user, const sl_cn_conv *c, int *winner, sl_error *e)
{
    (void)user;
    (void)e;
    if (c->id == grow_first) {
        grow_more();
        c = sl_cnet_conv(grow_cn, grow_first); /* the callback's own pointer moved too */
    }
    *winner = -2; /* replaced below by the default rule's choice: the lowest bid */
    double best = INFINITY;
    for (int i = 0; i < c->nbidders; i++) {
        char ans;
        double bid;
        sl_cnet_bidder(grow_cn, c, i, &ans, &bid);
        if (ans == 'p' && bid < best) {
            best = bid;
            *winner = i;
        }
    }
    return SL_OK;
}

static sl_status grow_close(void *user, const sl_cn_conv *c, sl_error *e)
{
    int first = c->id == grow_first;
    sl_status s = close_cb(user, c, e);
    if (first) grow_more();
    return s;
}

START_TEST(test_cn_callbacks_open_conversations)
{
    sl_bus *bus = sl_bus_create();
    fixture f = {.cost = {0, 5, 3, 7}};
    sl_cnet_def def = {grow_bid, grow_exec, grow_close, &f, 2, 4, grow_choose, 0, NULL};
    sl_error e;
    grow_cn = sl_cnet_create(bus, &def, &e);
    grow_opened = 0;
    grow_first = 0;
    grow_first = announce3(grow_cn, 0, 1);
    ck_assert_int_eq(sl_bus_end_step(bus, 0), SL_OK);
    run(grow_cn, bus, 1, 5);
    const sl_cn_conv *c = sl_cnet_conv(grow_cn, grow_first);
    ck_assert_int_eq(c->state, SL_CONV_DONE);
    ck_assert_int_eq(c->winner, 1);
    ck_assert(c->best == 3.0);
    /* 3 bids + choose + exec + close of the first conversation */
    ck_assert_int_eq(grow_opened, 600);
    ck_assert_uint_eq(sl_cnet_nconv(grow_cn), 601);
    ck_assert_uint_eq(sl_cnet_counts_get(grow_cn).anomalies, 0);
    /* the conversations opened meanwhile all finish too */
    run(grow_cn, bus, 5, 12);
    sl_cnet_counts k = sl_cnet_counts_get(grow_cn);
    ck_assert_uint_eq(k.done, 601);
    ck_assert_uint_eq(k.open + k.awarded, 0);
    /* abort with on_close opening more: the new ones stay open, the old ones are aborted */
    grow_first = announce3(grow_cn, 12, 1);
    ck_assert_int_eq(sl_cnet_abort_open(grow_cn, &e), SL_OK);
    k = sl_cnet_counts_get(grow_cn);
    ck_assert_uint_eq(k.aborted, 1);
    ck_assert_uint_eq(k.open, 100);
    sl_cnet_destroy(grow_cn);
    sl_bus_destroy(bus);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("negotiation");
    TCase *tc = tcase_create("contract_net");
    tcase_add_test(tc, test_cn_award_lowest);
    tcase_add_test(tc, test_cn_retry_queues_unplaced_tasks);
    tcase_add_test(tc, test_cn_retry_loses_no_task);
    tcase_add_test(tc, test_cn_refusals_and_all_refuse);
    tcase_add_test(tc, test_cn_deadline_late_bid);
    tcase_add_test(tc, test_cn_no_answers_by_deadline);
    tcase_add_test(tc, test_cn_failure_after_accept);
    tcase_add_test(tc, test_cn_timeout_when_accept_lost);
    tcase_add_test(tc, test_cn_out_of_sequence);
    tcase_add_test(tc, test_cn_bidder_lists_any_order);
    tcase_add_test(tc, test_cn_nan_bid_is_an_error);
    tcase_add_test(tc, test_cn_award_rule);
    tcase_add_test(tc, test_cn_callbacks_open_conversations);
    tcase_add_test(tc, test_cn_lossy_all_terminal_and_trace);
    suite_add_tcase(s, tc);
    TCase *ta = tcase_create("auctions");
    tcase_set_timeout(ta, 120);
    tcase_add_test(ta, test_auctions_vs_optimum);
    tcase_add_test(ta, test_auctions_match_reference);
    tcase_add_test(ta, test_auction_collinear_exact);
    tcase_add_test(ta, test_cbba_vs_optimum);
    tcase_add_test(ta, test_auction_bad_input);
    suite_add_tcase(s, ta);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
