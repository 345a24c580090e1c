/* test_fedlearn.c - synthetic data, partitions, FedAvg / FedSGD, distributed gradient descent. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "swarmlab/dgd.h"
#include "swarmlab/fedavg.h"
#include "swarmlab/logreg.h"
#include "swarmlab/recorder.h"
#include "swarmlab/world.h"

#define DIMF 10

static sl_fedavg *make_fed(int N, int K, int iid, double skew, double C, int E, int B, double lr,
                           double dropout, int uniform, int threads)
{
    sl_error e;
    sl_lr_data *tr = sl_lr_generate(N, DIMF, 17, SL_LR_STREAM_TRAIN, &e);
    sl_lr_data *te = sl_lr_generate(2000, DIMF, 17, SL_LR_STREAM_TEST, &e);
    ck_assert(tr && te);
    sl_lr_split *sp = sl_lr_partition(tr, K, iid, skew, 5, 17, &e);
    ck_assert_msg(sp != NULL, "%s", e.msg);
    sl_fedavg_def o = {.frac = C, .epochs = E, .batch = B, .lr = lr, .dropout = dropout,
                        .uniform = uniform, .seed = 17, .threads = threads};
    sl_fedavg *f = sl_fedavg_create(tr, sp, te, &o, &e);
    ck_assert_msg(f != NULL, "%s", e.msg);
    return f;
}

START_TEST(data_deterministic)
{
    sl_error e;
    sl_lr_data *a = sl_lr_generate(500, 6, 3, SL_LR_STREAM_TRAIN, &e);
    sl_lr_data *b = sl_lr_generate(500, 6, 3, SL_LR_STREAM_TRAIN, &e);
    sl_lr_data *c = sl_lr_generate(500, 6, 4, SL_LR_STREAM_TRAIN, &e);
    ck_assert_int_eq(memcmp(a->X, b->X, 500 * 7 * sizeof(double)), 0);
    ck_assert_int_eq(memcmp(a->y, b->y, 500 * sizeof(double)), 0);
    ck_assert(memcmp(a->X, c->X, 500 * 7 * sizeof(double)) != 0);
    double ones = 0;
    for (int i = 0; i < 500; i++) {
        ck_assert(a->y[i] == 0.0 || a->y[i] == 1.0);
        ck_assert_double_eq(a->X[i * 7 + 6], 1.0);
        ones += a->y[i];
    }
    ck_assert(ones > 100 && ones < 400);
    sl_lr_data_destroy(a);
    sl_lr_data_destroy(b);
    sl_lr_data_destroy(c);
    ck_assert_ptr_null(sl_lr_generate(0, 6, 3, SL_LR_STREAM_TRAIN, &e));
    ck_assert_ptr_null(sl_lr_generate(10, 0, 3, SL_LR_STREAM_TRAIN, &e));
}
END_TEST

START_TEST(partitions)
{
    sl_error e;
    sl_lr_data *D = sl_lr_generate(3000, 5, 9, SL_LR_STREAM_TRAIN, &e);
    for (int iid = 0; iid < 2; iid++) {
        sl_lr_split *s = sl_lr_partition(D, 12, iid, 1.0, 20, 9, &e);
        ck_assert_ptr_nonnull(s);
        ck_assert_int_eq(s->start[12], 3000);
        int mn = 1 << 30, mx = 0;
        char *seen = calloc(3000, 1);
        for (int k = 0; k < 12; k++) {
            int nk = sl_lr_split_size(s, k);
            ck_assert_int_ge(nk, 20);
            if (nk < mn) mn = nk;
            if (nk > mx) mx = nk;
        }
        for (int i = 0; i < 3000; i++) {
            ck_assert(!seen[s->idx[i]]);
            seen[s->idx[i]] = 1;
        }
        free(seen);
        ck_assert_int_gt(mx, 2 * mn); /* unequal sizes */
        /* label balance per client: spread wide for non-IID, narrow for IID */
        double lo = 1, hi = 0;
        for (int k = 0; k < 12; k++) {
            double p = 0;
            for (int q = s->start[k]; q < s->start[k + 1]; q++) p += D->y[s->idx[q]];
            p /= sl_lr_split_size(s, k);
            if (p < lo) lo = p;
            if (p > hi) hi = p;
        }
        if (iid) ck_assert_msg(hi - lo < 0.35, "iid spread %g", hi - lo);
        else ck_assert_msg(hi - lo > 0.8, "non-iid spread %g", hi - lo);
        sl_lr_split_destroy(s);
    }
    ck_assert_ptr_null(sl_lr_partition(D, 0, 1, 0, 1, 1, &e));
    ck_assert_ptr_null(sl_lr_partition(D, 400, 1, 0, 10, 1, &e));
    ck_assert_ptr_nonnull(strstr(e.msg, "exceeds"));
    ck_assert_ptr_null(sl_lr_partition(D, 4, 1, -1, 10, 1, &e));
    sl_lr_data_destroy(D);
}
END_TEST

START_TEST(gradient_matches_finite_difference)
{
    sl_error e;
    sl_lr_data *D = sl_lr_generate(200, 4, 5, SL_LR_STREAM_TRAIN, &e);
    double w[5] = {0.3, -0.2, 0.5, 0.1, -0.4}, g[5];
    sl_lr_grad(D, NULL, 200, w, 0.01, g);
    for (int j = 0; j < 5; j++) {
        double h = 1e-6, wp[5], wm[5];
        memcpy(wp, w, sizeof w);
        memcpy(wm, w, sizeof w);
        wp[j] += h;
        wm[j] -= h;
        double fd = (sl_lr_loss(D, NULL, 200, wp, 0.01) - sl_lr_loss(D, NULL, 200, wm, 0.01)) / (2 * h);
        ck_assert_double_eq_tol(g[j], fd, 1e-7);
    }
    sl_lr_data_destroy(D);
}
END_TEST

START_TEST(fedsgd_equals_gd)
{
    sl_error e;
    for (int iid = 0; iid < 2; iid++) {
        sl_fedavg *f = make_fed(3000, 10, iid, 1.0, 1.0, 1, 0, 0.5, 0.0, 0, 2);
        int dim = sl_fedavg_dim(f);
        double *w = calloc((size_t)dim, sizeof *w);
        double maxdiff = 0;
        for (int r = 0; r < 60; r++) {
            ck_assert_int_eq(sl_fedavg_step(f, &e), SL_OK);
            sl_fedavg_gd_step(f, w);
            for (int j = 0; j < dim; j++) maxdiff = fmax(maxdiff, fabs(w[j] - sl_fedavg_model(f)[j]));
        }
        ck_assert_msg(maxdiff <= 1e-12, "FedSGD vs GD differ by %g", maxdiff);
        ck_assert_int_eq(sl_fedavg_last(f)->arrived, 10);
        /* and it learned something */
        ck_assert(sl_fedavg_last(f)->test_acc > 0.75);
        free(w);
        sl_fedavg_destroy(f);
    }
}
END_TEST

START_TEST(weighting_matters_when_sizes_differ)
{
    sl_error e;
    /* unequal sizes: n_k/N and uniform weights give different models */
    sl_fedavg *a = make_fed(2000, 8, 0, 1.5, 1.0, 3, 16, 0.1, 0.0, 0, 1);
    sl_fedavg *b = make_fed(2000, 8, 0, 1.5, 1.0, 3, 16, 0.1, 0.0, 1, 1);
    sl_fedavg_step(a, &e);
    sl_fedavg_step(b, &e);
    double d = 0;
    for (int j = 0; j < sl_fedavg_dim(a); j++)
        d = fmax(d, fabs(sl_fedavg_model(a)[j] - sl_fedavg_model(b)[j]));
    ck_assert_msg(d > 1e-3, "weightings differ by only %g", d);
    sl_fedavg_destroy(a);
    sl_fedavg_destroy(b);
    /* equal sizes: identical */
    a = make_fed(2000, 8, 0, 0.0, 1.0, 3, 16, 0.1, 0.0, 0, 1);
    b = make_fed(2000, 8, 0, 0.0, 1.0, 3, 16, 0.1, 0.0, 1, 1);
    for (int k = 0; k < 8; k++) ck_assert_int_eq(sl_lr_split_size(sl_fedavg_split(a), k), 250);
    sl_fedavg_step(a, &e);
    sl_fedavg_step(b, &e);
    ck_assert_int_eq(memcmp(sl_fedavg_model(a), sl_fedavg_model(b), sizeof(double) * sl_fedavg_dim(a)), 0);
    sl_fedavg_destroy(a);
    sl_fedavg_destroy(b);
}
END_TEST

START_TEST(fedavg_learns_and_threads_agree)
{
    sl_error e;
    double ref[DIMF + 1];
    for (int th = 1; th <= 4; th++) {
        sl_fedavg *f = make_fed(4000, 40, 0, 1.0, 0.25, 5, 10, 0.05, 0.2, 0, th);
        double l0 = sl_fedavg_last(f)->test_loss;
        for (int r = 0; r < 25; r++) {
            sl_fedavg_step(f, &e);
            ck_assert_int_eq(sl_fedavg_last(f)->selected, 10);
            ck_assert_int_le(sl_fedavg_last(f)->arrived, 10);
        }
        ck_assert(sl_fedavg_last(f)->test_loss < 0.7 * l0);
        ck_assert(sl_fedavg_last(f)->test_acc > 0.8);
        if (th == 1) memcpy(ref, sl_fedavg_model(f), sizeof ref);
        else ck_assert_int_eq(memcmp(ref, sl_fedavg_model(f), sizeof ref), 0);
        sl_fedavg_destroy(f);
    }
}
END_TEST

START_TEST(fedavg_bad_options)
{
    sl_error e;
    sl_lr_data *tr = sl_lr_generate(100, 3, 1, SL_LR_STREAM_TRAIN, &e);
    sl_lr_data *te = sl_lr_generate(100, 3, 1, SL_LR_STREAM_TEST, &e);
    sl_lr_split *sp = sl_lr_partition(tr, 4, 1, 0, 5, 1, &e);
    sl_fedavg_def o = {.frac = 1.5, .epochs = 1, .lr = 0.1};
    ck_assert_ptr_null(sl_fedavg_create(tr, sp, te, &o, &e)); /* frees the data */
    ck_assert_ptr_nonnull(strstr(e.msg, "fraction"));
}
END_TEST

/* run() = `rounds` steps; step on a done fedavg does nothing; run without a limit fails. */
START_TEST(fedavg_step_done_run)
{
    sl_error e;
    sl_fedavg *a = make_fed(600, 6, 1, 0.0, 0.5, 1, 10, 0.05, 0.0, 0, 1);
    sl_fedavg *b = make_fed(600, 6, 1, 0.0, 0.5, 1, 10, 0.05, 0.0, 0, 1);
    ck_assert(!sl_fedavg_done(a));
    ck_assert_int_eq(sl_fedavg_run(a, &e), SL_ERR_STATE);   /* rounds = 0: no limit */
    ck_assert_ptr_nonnull(strstr(e.msg, "rounds"));
    for (int r = 0; r < 3; r++) ck_assert_int_eq(sl_fedavg_step(b, &e), SL_OK);
    sl_fedavg_destroy(a);
    sl_lr_data *tr = sl_lr_generate(600, DIMF, 17, SL_LR_STREAM_TRAIN, &e);
    sl_lr_data *te = sl_lr_generate(2000, DIMF, 17, SL_LR_STREAM_TEST, &e);
    sl_lr_split *sp = sl_lr_partition(tr, 6, 1, 0.0, 5, 17, &e);
    sl_fedavg_def o = sl_fedavg_def_default();
    ck_assert_int_eq(o.rounds, 100);
    o.frac = 0.5;
    o.epochs = 1;
    o.seed = 17;
    o.rounds = 3;
    a = sl_fedavg_create(tr, sp, te, &o, &e);
    ck_assert_msg(a != NULL, "%s", e.msg);
    ck_assert_int_eq(sl_fedavg_run(a, &e), SL_OK);
    ck_assert(sl_fedavg_done(a));
    ck_assert_int_eq(sl_fedavg_last(a)->round, 3);
    ck_assert_int_eq(memcmp(sl_fedavg_model(a), sl_fedavg_model(b), sizeof(double) * sl_fedavg_dim(a)), 0);
    ck_assert_int_eq(sl_fedavg_step(a, &e), SL_OK);
    ck_assert_int_eq(sl_fedavg_last(a)->round, 3);
    sl_fedavg_destroy(a);
    sl_fedavg_destroy(b);
}
END_TEST

static sl_world *fed_world(double loss, int threads, sl_fedavg **out)
{
    sl_error e;
    sl_world *w = sl_world_create(5);
    sl_world_set_threads(w, threads);
    sl_fedavg *f = make_fed(3000, 20, 0, 1.0, 0.5, 2, 20, 0.05, 0.1, 0, 1);
    ck_assert_int_eq(sl_fedavg_attach(f, w, "server", "clients", loss, &e), SL_OK);
    *out = f;
    return w;
}

START_TEST(fedavg_over_bus)
{
    sl_error e;
    sl_fedavg *f;
    sl_world *w = fed_world(0.0, 2, &f);
    sl_fedavg *d = make_fed(3000, 20, 0, 1.0, 0.5, 2, 20, 0.05, 0.1, 0, 1);
    for (int s = 0; s < 2 * 10 + 1; s++) ck_assert_int_eq(sl_world_step(w, &e), SL_OK);
    for (int r = 0; r < 10; r++) sl_fedavg_step(d, &e);
    ck_assert_int_eq(sl_fedavg_rounds(f), 10);
    ck_assert_int_eq(memcmp(sl_fedavg_model(f), sl_fedavg_model(d), sizeof(double) * sl_fedavg_dim(d)), 0);
    ck_assert_int_eq(sl_fedavg_last(f)->arrived, sl_fedavg_last(d)->arrived);
    /* 10 clients x 2 parts down, arrived x 2 parts up */
    ck_assert_uint_eq(sl_fedavg_last(f)->messages, 20 + 2 * (uint64_t)sl_fedavg_last(f)->arrived);
    ck_assert_uint_eq(sl_fedavg_last(f)->lost, 0);
    sl_recorder *r = sl_world_recorder(w);
    ck_assert_double_eq(sl_recorder_last(r, sl_recorder_find(r, "round")), 10);
    sl_fedavg_destroy(d);
    sl_world_destroy(w);
    /* lossy links: fewer updates arrive; same result for any thread count */
    double ref[DIMF + 1];
    for (int th = 1; th <= 4; th++) {
        w = fed_world(0.3, th, &f);
        long arrived = 0;
        for (int s = 0; s < 2 * 15 + 1; s++) {
            ck_assert_int_eq(sl_world_step(w, &e), SL_OK);
            if (s % 2 == 0 && s > 0) arrived += sl_fedavg_last(f)->arrived;
        }
        ck_assert_int_lt(arrived, 15 * 10);
        ck_assert_int_gt(arrived, 0);
        if (th == 1) memcpy(ref, sl_fedavg_model(f), sizeof ref);
        else ck_assert_int_eq(memcmp(ref, sl_fedavg_model(f), sizeof ref), 0);
        sl_world_destroy(w);
    }
}
END_TEST

static sl_world *dgd_world(int async, int tau, int jitter, int slow, double loss, int threads, sl_dgd **out)
{
    sl_error e;
    sl_lr_data *tr = sl_lr_generate(2400, DIMF, 23, SL_LR_STREAM_TRAIN, &e);
    sl_lr_data *te = sl_lr_generate(1000, DIMF, 23, SL_LR_STREAM_TEST, &e);
    sl_lr_split *sp = sl_lr_partition(tr, 8, 1, 0.8, 10, 23, &e);
    sl_dgd_def o = {.async = async, .staleness = tau, .lr = 0.5, .jitter = jitter, .slow = slow,
                     .slow_delay = slow ? 4 : 0, .loss = loss, .seed = 23};
    sl_dgd *d = sl_dgd_create(tr, sp, te, &o, &e);
    ck_assert_msg(d != NULL, "%s", e.msg);
    sl_world *w = sl_world_create(23);
    sl_world_set_threads(w, threads);
    ck_assert_int_eq(sl_dgd_attach(d, w, "coordinator", "workers", &e), SL_OK);
    *out = d;
    return w;
}

START_TEST(dgd_sync_equals_gd)
{
    sl_error e;
    sl_dgd *d;
    sl_world *w = dgd_world(0, 0, 0, 0, 0.0, 2, &d);
    /* the same data and split, stepped centrally */
    sl_lr_data *tr = sl_lr_generate(2400, DIMF, 23, SL_LR_STREAM_TRAIN, &e);
    sl_lr_split *sp = sl_lr_partition(tr, 8, 1, 0.8, 10, 23, &e);
    double g[DIMF + 1], x[DIMF + 1] = {0};
    for (int s = 0; s < 2 * 30 + 1; s++) ck_assert_int_eq(sl_world_step(w, &e), SL_OK);
    ck_assert_int_eq(sl_dgd_stats_get(d)->version, 30);
    for (int r = 0; r < 30; r++) {
        sl_lr_grad(tr, sp->idx, tr->n, x, 0.0, g);
        for (int j = 0; j <= DIMF; j++) x[j] -= 0.5 * g[j];
    }
    for (int j = 0; j <= DIMF; j++) ck_assert_double_eq_tol(sl_dgd_model(d)[j], x[j], 1e-12);
    sl_lr_data_destroy(tr);
    sl_lr_split_destroy(sp);
    sl_world_destroy(w);
}
END_TEST

START_TEST(dgd_async_bounded_staleness)
{
    sl_error e;
    double ref[DIMF + 1];
    for (int th = 1; th <= 4; th++) {
        sl_dgd *d;
        sl_world *w = dgd_world(1, 2, 3, 2, 0.05, th, &d);
        sl_pop *wp = sl_world_pop(w, "workers");
        ck_assert_ptr_nonnull(wp);
        double l0 = sl_dgd_stats_get(d)->train_loss;
        for (int s = 0; s < 200; s++) ck_assert_int_eq(sl_world_step(w, &e), SL_OK);
        const sl_dgd_stats *st = sl_dgd_stats_get(d);
        ck_assert(st->train_loss < 0.8 * l0);
        ck_assert_int_gt(st->version, 100);
        ck_assert(st->mean_staleness > 0.0);
        ck_assert_uint_gt(st->lost, 0);
        if (th == 1) memcpy(ref, sl_dgd_model(d), sizeof ref);
        else ck_assert_int_eq(memcmp(ref, sl_dgd_model(d), sizeof ref), 0);
        sl_world_destroy(w);
    }
}
END_TEST

START_TEST(dgd_staleness_bound_and_lost_messages)
{
    sl_error e;
    for (int tau = 0; tau <= 3; tau += 3) {
        sl_dgd *d;
        sl_world *w = dgd_world(1, tau, 2, 3, 0.1, 2, &d);
        for (int s = 0; s < 400; s++) {
            ck_assert_int_eq(sl_world_step(w, &e), SL_OK);
            const sl_dgd_stats *st = sl_dgd_stats_get(d);
            /* a worker gets a new model only within tau of the slowest, so it finishes at
             * most one more job */
            ck_assert_int_le(st->max_clock - st->min_clock, tau + 1);
        }
        /* lost models and gradients are resent: the slowest worker keeps progressing */
        ck_assert_int_ge(sl_dgd_stats_get(d)->min_clock, 8);
        ck_assert_uint_gt(sl_dgd_stats_get(d)->lost, 20);
        sl_world_destroy(w);
    }
}
END_TEST

START_TEST(dgd_bad_options)
{
    sl_error e;
    sl_lr_data *tr = sl_lr_generate(100, 3, 1, SL_LR_STREAM_TRAIN, &e);
    sl_lr_data *te = sl_lr_generate(100, 3, 1, SL_LR_STREAM_TEST, &e);
    sl_lr_split *sp = sl_lr_partition(tr, 4, 1, 0, 5, 1, &e);
    sl_dgd_def o = {.lr = 0.1, .staleness = -1};
    ck_assert_ptr_null(sl_dgd_create(tr, sp, te, &o, &e));
    ck_assert_ptr_nonnull(strstr(e.msg, "staleness"));
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("fedlearn");
#define ADD(fn)                       \
    do {                              \
        TCase *t = tcase_create(#fn); \
        tcase_set_timeout(t, 120);    \
        tcase_add_test(t, fn);        \
        suite_add_tcase(s, t);        \
    } while (0)
    ADD(data_deterministic);
    ADD(partitions);
    ADD(gradient_matches_finite_difference);
    ADD(fedsgd_equals_gd);
    ADD(weighting_matters_when_sizes_differ);
    ADD(fedavg_learns_and_threads_agree);
    ADD(fedavg_bad_options);
    ADD(fedavg_step_done_run);
    ADD(fedavg_over_bus);
    ADD(dgd_sync_equals_gd);
    ADD(dgd_async_bounded_staleness);
    ADD(dgd_staleness_bound_and_lost_messages);
    ADD(dgd_bad_options);
#undef ADD
    return s;
}

int main(void)
{
    SRunner *r = srunner_create(suite());
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
