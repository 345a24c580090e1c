/* fedavg.c - federated averaging: client selection, local epochs, weighted aggregation, and the
 * coordinator/client agents that exchange models over the message bus. */
#include "swarmlab/fedavg.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "swarmlab/bus.h"
#include "swarmlab/checkpoint.h"
#include "swarmlab/pop.h"
#include "swarmlab/recorder.h"
#include "swarmlab/rng.h"
#include "ckpt_io.h"
#include "vecmsg.h"

enum { F_ROUND, F_SEL, F_ARR, F_TRAIN, F_TEST, F_ACC, F_MSG, F_BYTES, F_LOST, F_COUNT };
static const char *const fed_metric_names[F_COUNT] = {
    "round", "selected", "arrived", "train_loss", "test_loss", "test_accuracy",
    "messages", "bytes", "lost"};

typedef struct fed_chunk {
    uint64_t sent, bytes, received;
} fed_chunk;

struct sl_fedavg {
    sl_lr_data *train, *test;
    sl_lr_split *split;
    sl_fedavg_def o;
    int K, dim;
    double *w;
    long round;
    sl_fedavg_round last;
    /* scratch */
    int *sel;          /* K */
    int *sizes;        /* K: n_k of the picked clients, by position */
    uint8_t *arrived;  /* K */
    double *wk;        /* K x dim: client models (direct: by position in sel; bus: by client) */
    double *gk;        /* K x dim: gradient scratch */
    int *iscratch;     /* N: client k uses [start[k], start[k+1]) */
    /* bus driver */
    sl_world *world;
    sl_pop *spop, *cpop;
    int spi, cpi;
    sl_id server_id;
    sl_id *cid;
    double *win;       /* K x dim: models received by clients */
    double *wsrv;      /* K x dim: updates received by the coordinator */
    vecbuf *cbuf;      /* K: client-side assembly */
    vecbuf *sbuf;      /* K: server-side assembly of updates */
    fed_chunk *cc;
    int nchunks;
    long *todo;        /* K: round to train for in this step, -1: none */
    int *work;         /* K: clients training in this step */
    int nsel;          /* clients picked for the round in flight */
    long inflight;     /* round whose model is out (-1: none) */
    uint64_t r_sent, r_bytes, r_recv; /* traffic of the round in flight */
    int metric[F_COUNT];
    char name[64];
};

void sl_fedavg_destroy(sl_fedavg *f)
{
    if (!f) return;
    sl_lr_data_destroy(f->train);
    sl_lr_data_destroy(f->test);
    sl_lr_split_destroy(f->split);
    free(f->w);
    free(f->sel);
    free(f->sizes);
    free(f->arrived);
    free(f->wk);
    free(f->gk);
    free(f->iscratch);
    free(f->cid);
    free(f->win);
    free(f->wsrv);
    free(f->cbuf);
    free(f->sbuf);
    free(f->cc);
    free(f->todo);
    free(f->work);
    free(f);
}

static void free_void(void *p) { sl_fedavg_destroy(p); }

sl_fedavg_def sl_fedavg_def_default(void)
{
    return (sl_fedavg_def){.frac = 0.1, .epochs = 5, .batch = 10, .lr = 0.05, .threads = 1,
                           .rounds = 100};
}

sl_fedavg *sl_fedavg_create(sl_lr_data *train, sl_lr_split *split, sl_lr_data *test,
                            const sl_fedavg_def *o, sl_error *e)
{
    const char *bad = NULL;
    char why[160];
    if (!(o->frac > 0.0 && o->frac <= 1.0)) {
        snprintf(why, sizeof why, "fedavg: client fraction C must be in (0, 1], got %g", o->frac);
        bad = why;
    } else if (o->epochs < 1) {
        snprintf(why, sizeof why, "fedavg: local epochs E must be >= 1, got %d", o->epochs);
        bad = why;
    } else if (o->batch < 0) {
        snprintf(why, sizeof why, "fedavg: batch size B must be >= 0, got %d", o->batch);
        bad = why;
    } else if (!(o->lr > 0.0) || !isfinite(o->lr)) {
        snprintf(why, sizeof why, "fedavg: learning rate must be > 0, got %g", o->lr);
        bad = why;
    } else if (!(o->l2 >= 0.0) || !isfinite(o->l2)) {
        snprintf(why, sizeof why, "fedavg: l2 must be >= 0, got %g", o->l2);
        bad = why;
    } else if (!(o->dropout >= 0.0 && o->dropout < 1.0)) {
        snprintf(why, sizeof why, "fedavg: dropout must be in [0, 1), got %g", o->dropout);
        bad = why;
    } else if (o->rounds < 0) {
        snprintf(why, sizeof why, "fedavg: rounds must be >= 0, got %ld", o->rounds);
        bad = why;
    } else if (train->dim != test->dim) {
        snprintf(why, sizeof why, "fedavg: train and test data differ in dimension");
        bad = why;
    } else if (train->dim > VEC_MAX_DIM) {
        snprintf(why, sizeof why, "fedavg: model dimension %d exceeds %d", train->dim, VEC_MAX_DIM);
        bad = why;
    }
    if (bad) {
        sl_error_set(e, SL_ERR_RANGE, "%s", bad);
        sl_lr_data_destroy(train);
        sl_lr_data_destroy(test);
        sl_lr_split_destroy(split);
        return NULL;
    }
    sl_fedavg *f = calloc(1, sizeof *f);
    if (!f) {
        sl_lr_data_destroy(train);
        sl_lr_data_destroy(test);
        sl_lr_split_destroy(split);
        sl_error_set(e, SL_ERR_NOMEM, "fedavg: out of memory");
        return NULL;
    }
    f->train = train;
    f->test = test;
    f->split = split;
    f->o = *o;
    if (f->o.threads < 1) f->o.threads = 1;
    f->K = split->K;
    f->dim = train->dim;
    size_t K = (size_t)f->K, D = (size_t)f->dim;
    f->w = calloc(D, sizeof *f->w);
    f->sel = malloc(K * sizeof *f->sel);
    f->sizes = calloc(K, sizeof *f->sizes);
    f->arrived = calloc(K, 1);
    f->wk = calloc(K * D, sizeof *f->wk);
    f->gk = calloc(K * D, sizeof *f->gk);
    f->iscratch = malloc((size_t)train->n * sizeof *f->iscratch);
    f->inflight = -1;
    f->last.rounds_to_target = -1;
    if (!f->w || !f->sel || !f->sizes || !f->arrived || !f->wk || !f->gk || !f->iscratch) {
        sl_fedavg_destroy(f);
        sl_error_set(e, SL_ERR_NOMEM, "fedavg: out of memory");
        return NULL;
    }
    sl_fedavg_evaluate(f);
    return f;
}

int sl_fedavg_dim(const sl_fedavg *f) { return f->dim; }
const double *sl_fedavg_model(const sl_fedavg *f) { return f->w; }
void sl_fedavg_set_model(sl_fedavg *f, const double *w) { memcpy(f->w, w, (size_t)f->dim * sizeof *w); }
const sl_fedavg_round *sl_fedavg_last(const sl_fedavg *f) { return &f->last; }
const sl_lr_split *sl_fedavg_split(const sl_fedavg *f) { return f->split; }
const sl_lr_data *sl_fedavg_train(const sl_fedavg *f) { return f->train; }
long sl_fedavg_rounds(const sl_fedavg *f) { return f->round; }

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

int sl_fedavg_select(const sl_fedavg *f, long r, int *out)
{
    int K = f->K;
    int m = (int)floor(f->o.frac * K + 0.5);
    if (m < 1) m = 1;
    if (m > K) m = K;
    for (int i = 0; i < K; i++) out[i] = i;
    if (m < K) {
        sl_rng g = sl_rng_make(f->o.seed, SL_FED_STREAM_SELECT, 0, (uint64_t)r);
        for (int i = 0; i < m; i++) {
            int j = i + (int)sl_rng_below(&g, (uint32_t)(K - i));
            int t = out[i];
            out[i] = out[j];
            out[j] = t;
        }
        qsort(out, (size_t)m, sizeof *out, cmp_int);
    }
    return m;
}

int sl_fedavg_drops(const sl_fedavg *f, long r, int k)
{
    if (f->o.dropout <= 0.0) return 0;
    sl_rng g = sl_rng_make(f->o.seed, SL_FED_STREAM_DROP, (uint64_t)k, (uint64_t)r);
    return sl_rng_uniform(&g) < f->o.dropout;
}

void sl_fedavg_local(const sl_fedavg *f, int k, long r, const double *w_in, double *w_out,
                     int *iscratch, double *g)
{
    int dim = f->dim;
    int nk = sl_lr_split_size(f->split, k);
    const int *idx = f->split->idx + f->split->start[k];
    int B = f->o.batch;
    int full = B == 0 || B >= nk;
    memcpy(w_out, w_in, (size_t)dim * sizeof *w_out);
    for (int ep = 0; ep < f->o.epochs; ep++) {
        if (full) {
            sl_lr_grad(f->train, idx, nk, w_out, f->o.l2, g);
            for (int j = 0; j < dim; j++) w_out[j] -= f->o.lr * g[j];
            continue;
        }
        memcpy(iscratch, idx, (size_t)nk * sizeof *iscratch);
        sl_rng s = sl_rng_make(f->o.seed, SL_FED_STREAM_SHUFFLE, (uint64_t)k,
                               (uint64_t)r * (uint64_t)f->o.epochs + (uint64_t)ep);
        for (int i = nk - 1; i > 0; i--) {
            int j = (int)sl_rng_below(&s, (uint32_t)(i + 1));
            int t = iscratch[i];
            iscratch[i] = iscratch[j];
            iscratch[j] = t;
        }
        for (int b = 0; b < nk; b += B) {
            int m = nk - b < B ? nk - b : B;
            sl_lr_grad(f->train, iscratch + b, m, w_out, f->o.l2, g);
            for (int j = 0; j < dim; j++) w_out[j] -= f->o.lr * g[j];
        }
    }
}

/* w = sum over arrived clients (ascending) of weight_q * model_q; models[q] and sizes[q] (n_k as
 * the client reported it) belong to the q-th picked client. */
static int aggregate(sl_fedavg *f, int m, const uint8_t *ok, const double *models, size_t stride,
                     const int *sizes)
{
    long N = 0;
    int cnt = 0;
    for (int q = 0; q < m; q++)
        if (ok[q]) {
            N += sizes[q];
            cnt++;
        }
    if (cnt == 0) return 0;
    for (int j = 0; j < f->dim; j++) f->w[j] = 0.0;
    for (int q = 0; q < m; q++) {
        if (!ok[q]) continue;
        double a = f->o.uniform ? 1.0 / cnt : (double)sizes[q] / (double)N;
        const double *wk = models + (size_t)q * stride;
        for (int j = 0; j < f->dim; j++) f->w[j] += a * wk[j];
    }
    return cnt;
}

void sl_fedavg_evaluate(sl_fedavg *f)
{
    f->last.round = f->round;
    f->last.train_loss = sl_lr_loss(f->train, f->split->idx, f->train->n, f->w, f->o.l2);
    f->last.test_loss = sl_lr_loss(f->test, NULL, f->test->n, f->w, f->o.l2);
    f->last.test_acc = sl_lr_accuracy(f->test, NULL, 0, f->w);
    if (f->round > 0 && f->last.rounds_to_target < 0 && f->o.target > 0 &&
        f->last.test_acc >= f->o.target)
        f->last.rounds_to_target = f->round;
}

bool sl_fedavg_done(const sl_fedavg *f)
{
    return f->o.rounds > 0 && f->round >= f->o.rounds;
}

sl_status sl_fedavg_run(sl_fedavg *f, sl_error *e)
{
    if (f->o.rounds <= 0)
        return sl_error_set(e, SL_ERR_STATE, "fedavg: run needs a round limit (def.rounds > 0)");
    while (!sl_fedavg_done(f)) {
        sl_status st = sl_fedavg_step(f, e);
        if (st != SL_OK) return st;
    }
    return SL_OK;
}

sl_status sl_fedavg_step(sl_fedavg *f, sl_error *e)
{
    (void)e;
    if (sl_fedavg_done(f)) return SL_OK;
    long r = f->round;
    int m = sl_fedavg_select(f, r, f->sel);
    const int dim = f->dim;
#pragma omp parallel for schedule(dynamic, 1) num_threads(f->o.threads)
    for (int q = 0; q < m; q++) {
        int k = f->sel[q];
        f->arrived[q] = (uint8_t)!sl_fedavg_drops(f, r, k);
        if (f->arrived[q])
            sl_fedavg_local(f, k, r, f->w, f->wk + (size_t)q * dim,
                            f->iscratch + f->split->start[k], f->gk + (size_t)q * dim);
    }
    for (int q = 0; q < m; q++) f->sizes[q] = sl_lr_split_size(f->split, f->sel[q]);
    int cnt = aggregate(f, m, f->arrived, f->wk, (size_t)dim, f->sizes);
    f->round++;
    f->last.selected = m;
    f->last.arrived = cnt;
    sl_fedavg_evaluate(f);
    return SL_OK;
}

void sl_fedavg_gd_step(const sl_fedavg *f, double *w)
{
    sl_lr_grad(f->train, f->split->idx, f->train->n, w, f->o.l2, f->gk);
    for (int j = 0; j < f->dim; j++) w[j] -= f->o.lr * f->gk[j];
}

/* ---- bus driver ---- */

static void fed_set_metrics(sl_fedavg *f)
{
    sl_recorder *r = sl_world_recorder(f->world);
    sl_recorder_set(r, f->metric[F_ROUND], (double)f->round);
    sl_recorder_set(r, f->metric[F_SEL], (double)f->last.selected);
    sl_recorder_set(r, f->metric[F_ARR], (double)f->last.arrived);
    sl_recorder_set(r, f->metric[F_TRAIN], f->last.train_loss);
    sl_recorder_set(r, f->metric[F_TEST], f->last.test_loss);
    sl_recorder_set(r, f->metric[F_ACC], f->last.test_acc);
    sl_recorder_set(r, f->metric[F_MSG], (double)f->last.messages);
    sl_recorder_set(r, f->metric[F_BYTES], (double)f->last.bytes);
    sl_recorder_set(r, f->metric[F_LOST], (double)f->last.lost);
}

/* Clients, per chunk: assemble the model parts in the inbox; a client with a complete model
 * that does not drop out is marked to train in this step. */
static void client_chunk(sl_ctx *ctx)
{
    sl_fedavg *f = ctx->user;
    fed_chunk *cc = &f->cc[ctx->chunk];
    memset(cc, 0, sizeof *cc);
    sl_bus *bus = sl_world_bus(ctx->world);
    const int dim = f->dim;
    for (size_t i = ctx->begin; i < ctx->end; i++) {
        int k = (int)i;
        f->todo[k] = -1;
        const sl_msg *m;
        size_t nm = sl_bus_inbox(bus, f->cpi, f->cid[k], &m);
        for (size_t q = 0; q < nm; q++) {
            if (m[q].type != SL_FED_MSG_MODEL) continue;
            cc->received++;
            if (!vec_take(&f->cbuf[k], &m[q], f->win + (size_t)k * dim, dim)) continue;
            long r = (long)m[q].conv;
            if (!sl_fedavg_drops(f, r, k)) f->todo[k] = r;
        }
    }
}

/* Clients, after the chunks: the marked clients train in parallel (each on its own buffers),
 * then reply in increasing client order. */
static sl_status client_post(sl_world *w, void *user, sl_error *e)
{
    (void)e;
    sl_fedavg *f = user;
    const int dim = f->dim;
    int m = 0;
    for (int k = 0; k < f->K; k++)
        if (f->todo[k] >= 0) f->work[m++] = k;
#pragma omp parallel for schedule(dynamic, 1) num_threads(sl_world_threads(w))
    for (int q = 0; q < m; q++) {
        int k = f->work[q];
        sl_fedavg_local(f, k, f->todo[k], f->win + (size_t)k * dim, f->wk + (size_t)k * dim,
                        f->iscratch + f->split->start[k], f->gk + (size_t)k * dim);
    }
    sl_bus *bus = sl_world_bus(w);
    for (int q = 0; q < m; q++) {
        int k = f->work[q];
        f->cc[0].sent += (uint64_t)vec_send(bus, 0, SL_FED_MSG_UPDATE, f->cpi, f->cid[k], f->spi,
                                            f->server_id, (uint64_t)f->todo[k],
                                            f->wk + (size_t)k * dim, dim,
                                            (uint32_t)sl_lr_split_size(f->split, k), &f->cc[0].bytes);
        f->todo[k] = -1;
    }
    return SL_OK;
}

/* Coordinator: in step 2r aggregate round r - 1 from its inbox, then send round r's model. */
static sl_status server_post(sl_world *w, void *user, sl_error *e)
{
    (void)e;
    sl_fedavg *f = user;
    sl_bus *bus = sl_world_bus(w);
    uint64_t t = sl_world_step_count(w);
    for (int c = 0; c < f->nchunks; c++) {
        f->r_sent += f->cc[c].sent;
        f->r_bytes += f->cc[c].bytes;
        f->r_recv += f->cc[c].received;
    }
    if (t % 2 != 0) return SL_OK;
    const int dim = f->dim;
    if (f->inflight >= 0) {
        const sl_msg *m;
        size_t nm = sl_bus_inbox(bus, f->spi, f->server_id, &m);
        for (int k = 0; k < f->K; k++) f->arrived[k] = 0;
        for (size_t q = 0; q < nm; q++) {
            if (m[q].type != SL_FED_MSG_UPDATE || m[q].conv != (uint64_t)f->inflight) continue;
            f->r_recv++;
            long k = sl_pop_slot(f->cpop, m[q].from);
            if (k < 0) continue;
            if (vec_take(&f->sbuf[k], &m[q], f->wsrv + (size_t)k * dim, dim)) f->arrived[k] = 1;
        }
        /* aggregate over the picked clients in increasing order: models indexed by client */
        uint8_t *ok = malloc((size_t)f->nsel);
        double *models = malloc((size_t)f->nsel * dim * sizeof *models);
        if (!ok || !models) {
            free(ok);
            free(models);
            return sl_error_set(e, SL_ERR_NOMEM, "fedavg: out of memory");
        }
        for (int q = 0; q < f->nsel; q++) {
            int k = f->sel[q];
            ok[q] = f->arrived[k];
            f->sizes[q] = (int)f->sbuf[k].tag;  /* n_k as the client sent it */
            memcpy(models + (size_t)q * dim, f->wsrv + (size_t)k * dim, (size_t)dim * sizeof *models);
        }
        int cnt = aggregate(f, f->nsel, ok, models, (size_t)dim, f->sizes);
        free(ok);
        free(models);
        f->round++;
        f->last.selected = f->nsel;
        f->last.arrived = cnt;
        f->last.messages = f->r_sent;
        f->last.bytes = f->r_bytes;
        f->last.lost = f->r_sent - f->r_recv;
        f->last.total_messages += f->last.messages;
        f->last.total_bytes += f->last.bytes;
        f->last.total_lost += f->last.lost;
        sl_fedavg_evaluate(f);
        fed_set_metrics(f);
    }
    /* next round */
    long r = f->round;
    f->r_sent = f->r_bytes = f->r_recv = 0;
    f->nsel = sl_fedavg_select(f, r, f->sel);
    for (int q = 0; q < f->nsel; q++) {
        int k = f->sel[q];
        f->r_sent += (uint64_t)vec_send(bus, 0, SL_FED_MSG_MODEL, f->spi, f->server_id, f->cpi,
                                        f->cid[k], (uint64_t)r, f->w, dim, 0, &f->r_bytes);
    }
    f->inflight = r;
    return SL_OK;
}

/* Checkpoint: model, round, the round in flight, assembly buffers, totals. */
static sl_status fed_save(void *data, FILE *f, sl_error *e)
{
    sl_fedavg *F = data;
    size_t K = (size_t)F->K, D = (size_t)F->dim;
    ck_io io = {f, 1};
    ck_put_head(&io, "SLFEDA01", F->K, F->dim);
    ck_put(&io, F->w, D * sizeof *F->w);
    ck_put(&io, &F->round, sizeof F->round);
    ck_put(&io, &F->last, sizeof F->last);
    ck_put(&io, &F->inflight, sizeof F->inflight);
    ck_put(&io, &F->nsel, sizeof F->nsel);
    ck_put(&io, F->sel, K * sizeof *F->sel);
    ck_put(&io, F->arrived, K);
    ck_put(&io, &F->r_sent, sizeof F->r_sent);
    ck_put(&io, &F->r_bytes, sizeof F->r_bytes);
    ck_put(&io, &F->r_recv, sizeof F->r_recv);
    ck_put(&io, F->win, K * D * sizeof *F->win);
    ck_put(&io, F->wsrv, K * D * sizeof *F->wsrv);
    ck_put(&io, F->cbuf, K * sizeof *F->cbuf);
    ck_put(&io, F->sbuf, K * sizeof *F->sbuf);
    return io.ok ? SL_OK : sl_error_set(e, SL_ERR_IO, "fedavg '%s': cannot write checkpoint", F->name);
}

static sl_status fed_load(void *data, FILE *f, const char *path, sl_error *e)
{
    sl_fedavg *F = data;
    size_t K = (size_t)F->K, D = (size_t)F->dim;
    ck_io io = {f, 1};
    if (!ck_get_head(&io, "SLFEDA01", F->K, F->dim))
        return sl_error_set(e, SL_ERR_PARSE, "%s: fedavg '%s' state does not match this scenario",
                            path, F->name);
    ck_get(&io, F->w, D * sizeof *F->w);
    ck_get(&io, &F->round, sizeof F->round);
    ck_get(&io, &F->last, sizeof F->last);
    ck_get(&io, &F->inflight, sizeof F->inflight);
    ck_get(&io, &F->nsel, sizeof F->nsel);
    ck_get(&io, F->sel, K * sizeof *F->sel);
    ck_get(&io, F->arrived, K);
    ck_get(&io, &F->r_sent, sizeof F->r_sent);
    ck_get(&io, &F->r_bytes, sizeof F->r_bytes);
    ck_get(&io, &F->r_recv, sizeof F->r_recv);
    ck_get(&io, F->win, K * D * sizeof *F->win);
    ck_get(&io, F->wsrv, K * D * sizeof *F->wsrv);
    ck_get(&io, F->cbuf, K * sizeof *F->cbuf);
    ck_get(&io, F->sbuf, K * sizeof *F->sbuf);
    int bad = !io.ok || F->nsel < 0 || F->nsel > F->K;
    for (int q = 0; !bad && q < F->nsel; q++) bad = F->sel[q] < 0 || F->sel[q] >= F->K;
    if (bad) /* sl_checkpoint_restore puts the previous state back */
        return sl_error_set(e, SL_ERR_PARSE, "%s: fedavg '%s' state is truncated or corrupt", path,
                            F->name);
    return SL_OK;
}

static int pop_index(sl_world *w, sl_pop *p)
{
    for (int i = 0; i < sl_world_npops(w); i++)
        if (sl_world_pop_at(w, i) == p) return i;
    return -1;
}

sl_status sl_fedavg_attach(sl_fedavg *f, sl_world *w, const char *server_pop,
                           const char *client_pop, double loss, sl_error *e)
{
    sl_status st;
    if (!(loss >= 0.0 && loss <= 1.0)) {
        st = sl_error_set(e, SL_ERR_RANGE, "fedavg: message loss must be in [0, 1], got %g", loss);
        sl_fedavg_destroy(f);
        return st;
    }
    if (sl_world_step_count(w) != 0) {
        sl_fedavg_destroy(f);
        return sl_error_set(e, SL_ERR_STATE, "fedavg: attach before the first step");
    }
    char key[96];
    snprintf(key, sizeof key, "fedavg:%s", client_pop ? client_pop : "");
    if (sl_world_attached(w, key)) {
        sl_fedavg_destroy(f);
        return sl_error_set(e, SL_ERR_STATE, "fedavg: '%s' is already attached", client_pop);
    }
    if ((st = sl_world_attach(w, key, f, free_void, e)) != SL_OK) {
        sl_fedavg_destroy(f);
        return st;
    }
    snprintf(f->name, sizeof f->name, "%s", client_pop);
    if ((st = sl_checkpoint_register(w, key, fed_save, fed_load, e)) != SL_OK) return st;
    f->world = w;
    f->spop = sl_world_add_pop(w, server_pop, e);
    if (!f->spop) return e ? e->code : SL_ERR_RANGE;
    f->cpop = sl_world_add_pop(w, client_pop, e);
    if (!f->cpop) return e ? e->code : SL_ERR_RANGE;
    f->spi = pop_index(w, f->spop);
    f->cpi = pop_index(w, f->cpop);
    if (f->spi >= SL_BUS_MAX_POPS || f->cpi >= SL_BUS_MAX_POPS)
        return sl_error_set(e, SL_ERR_RANGE, "fedavg: too many populations for the bus");
    int cn = sl_pop_add_column(f->cpop, "n", SL_I32, e);
    if (cn < 0) return e ? e->code : SL_ERR_RANGE;
    if (sl_pop_spawn(f->spop, 1) == (size_t)-1 || sl_pop_spawn(f->cpop, (size_t)f->K) == (size_t)-1)
        return sl_error_set(e, SL_ERR_NOMEM, "fedavg: out of memory");
    size_t K = (size_t)f->K, D = (size_t)f->dim;
    f->server_id = sl_pop_id(f->spop, 0);
    f->cid = malloc(K * sizeof *f->cid);
    f->win = calloc(K * D, sizeof *f->win);
    f->wsrv = calloc(K * D, sizeof *f->wsrv);
    f->cbuf = calloc(K, sizeof *f->cbuf);
    f->sbuf = calloc(K, sizeof *f->sbuf);
    f->nchunks = (f->K + SL_CHUNK - 1) / SL_CHUNK;
    f->cc = calloc((size_t)f->nchunks, sizeof *f->cc);
    f->todo = malloc(K * sizeof *f->todo);
    f->work = malloc(K * sizeof *f->work);
    if (!f->todo || !f->work) return sl_error_set(e, SL_ERR_NOMEM, "fedavg: out of memory");
    for (size_t k = 0; k < K; k++) f->todo[k] = -1;
    if (!f->cid || !f->win || !f->wsrv || !f->cbuf || !f->sbuf || !f->cc)
        return sl_error_set(e, SL_ERR_NOMEM, "fedavg: out of memory");
    for (int k = 0; k < f->K; k++) {
        f->cid[k] = sl_pop_id(f->cpop, (size_t)k);
        sl_pop_set(f->cpop, cn, (size_t)k, sl_lr_split_size(f->split, k));
    }
    sl_recorder *rec = sl_world_recorder(w);
    for (int k = 0; k < F_COUNT; k++) {
        f->metric[k] = sl_recorder_add(rec, fed_metric_names[k], NULL, -1, SL_REDUCE_VALUE, e);
        if (f->metric[k] < 0) return e ? e->code : SL_ERR_RANGE;
    }
    fed_set_metrics(f);
    sl_bus *bus = sl_world_bus(w);
    sl_bus_set_seed(bus, sl_world_seed(w));
    sl_bus_link link = {loss, 0, 0};
    if ((st = sl_bus_set_link(bus, f->spi, f->cpi, link, e)) != SL_OK) return st;
    if ((st = sl_bus_set_link(bus, f->cpi, f->spi, link, e)) != SL_OK) return st;
    char nm[96];
    snprintf(nm, sizeof nm, "fedavg-clients:%s", client_pop);
    sl_system_def cdef = {.name = nm, .pop = f->cpop, .run = client_chunk, .post = client_post,
                          .user = f};
    if (sl_world_add_system(w, &cdef, e) < 0) return e ? e->code : SL_ERR_RANGE;
    snprintf(nm, sizeof nm, "fedavg-server:%s", client_pop);
    sl_system_def sdef = {.name = nm, .post = server_post, .user = f};
    if (sl_world_add_system(w, &sdef, e) < 0) return e ? e->code : SL_ERR_RANGE;
    return SL_OK;
}

sl_fedavg *sl_fedavg_of(const sl_world *w, const char *client_pop)
{
    char key[96];
    snprintf(key, sizeof key, "fedavg:%s", client_pop);
    return sl_world_attached(w, key);
}
