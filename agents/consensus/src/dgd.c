/* dgd.c - synchronous and bounded-staleness asynchronous distributed gradient descent. */
#include "swarmlab/dgd.h"

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

enum { D_VER, D_MINC, D_TRAIN, D_TEST, D_ACC, D_MSTALE, D_XSTALE, D_WAIT, D_MSG, D_BYTES, D_LOST,
       D_COUNT };
static const char *const dgd_metric_names[D_COUNT] = {
    "version", "min_clock", "train_loss", "test_loss", "test_accuracy", "mean_staleness",
    "max_staleness", "waiting", "messages", "bytes", "lost"};

typedef struct dgd_chunk {
    uint64_t sent, bytes, received;
} dgd_chunk;

struct sl_dgd {
    sl_lr_data *train, *test;
    sl_lr_split *split;
    sl_dgd_def o;
    int K, dim;
    double *w;
    sl_dgd_stats st;
    long evaluated;          /* version of the last evaluation (-1: none) */
    /* coordinator */
    long *clock;             /* K: gradients applied from each worker */
    long *job_version;       /* K: version of the model the worker is working on */
    uint64_t *job_id;        /* K: conversation of the worker's current job (unique per send) */
    uint64_t next_job;
    uint64_t *job_step;      /* K: step the worker's model was sent */
    uint8_t *waiting;        /* K: async, held back by the staleness bound */
    uint8_t *have;           /* K: sync, gradient of the current version arrived */
    double *gsrv;            /* K x dim: gradients assembled by the coordinator */
    vecbuf *sbuf;
    uint64_t sync_sent;      /* sync: step the current version was sent */
    double stale_sum;
    long stale_n;
    /* workers */
    double *win;             /* K x dim: models received */
    double *gpend;           /* K x dim: computed gradients waiting for their send step */
    long *pend_version;      /* K: job (conversation) of the pending gradient, -1 when none */
    uint64_t *pend_due;
    uint64_t *jobs;          /* K: jobs started (key of the delay draw) */
    vecbuf *cbuf;
    /* world */
    sl_world *world;
    sl_pop *cpop, *wpop;
    int cpi, wpi;
    sl_id coord_id;
    sl_id *wid;
    dgd_chunk *cc;
    int nchunks;
    uint64_t tot_sent, tot_bytes, tot_recv;
    int metric[D_COUNT];
};

void sl_dgd_destroy(sl_dgd *d)
{
    if (!d) return;
    sl_lr_data_destroy(d->train);
    sl_lr_data_destroy(d->test);
    sl_lr_split_destroy(d->split);
    free(d->w);
    free(d->clock);
    free(d->job_version);
    free(d->job_id);
    free(d->job_step);
    free(d->waiting);
    free(d->have);
    free(d->gsrv);
    free(d->sbuf);
    free(d->win);
    free(d->gpend);
    free(d->pend_version);
    free(d->pend_due);
    free(d->jobs);
    free(d->cbuf);
    free(d->wid);
    free(d->cc);
    free(d);
}

static void free_void(void *p) { sl_dgd_destroy(p); }

sl_dgd_def sl_dgd_def_default(void)
{
    return (sl_dgd_def){.staleness = 2, .lr = 0.5};
}

sl_dgd *sl_dgd_create(sl_lr_data *train, sl_lr_split *split, sl_lr_data *test,
                      const sl_dgd_def *o, sl_error *e)
{
    char why[160] = "";
    if (!(o->lr > 0.0) || !isfinite(o->lr))
        snprintf(why, sizeof why, "dgd: learning rate must be > 0, got %g", o->lr);
    else if (!(o->l2 >= 0.0) || !isfinite(o->l2))
        snprintf(why, sizeof why, "dgd: l2 must be >= 0, got %g", o->l2);
    else if (o->staleness < 0)
        snprintf(why, sizeof why, "dgd: staleness must be >= 0, got %d", o->staleness);
    else if (o->delay < 0 || o->jitter < 0 || o->slow_delay < 0)
        snprintf(why, sizeof why, "dgd: delays must be >= 0");
    else if (o->slow < 0 || o->slow > split->K)
        snprintf(why, sizeof why, "dgd: slow workers must be in 0..%d, got %d", split->K, o->slow);
    else if (!(o->loss >= 0.0 && o->loss <= 1.0))
        snprintf(why, sizeof why, "dgd: message loss must be in [0, 1], got %g", o->loss);
    else if (o->timeout < 0)
        snprintf(why, sizeof why, "dgd: timeout must be >= 0, got %d", o->timeout);
    else if (train->dim != test->dim || train->dim > VEC_MAX_DIM)
        snprintf(why, sizeof why, "dgd: bad model dimension %d", train->dim);
    if (why[0]) {
        sl_error_set(e, SL_ERR_RANGE, "%s", why);
        sl_lr_data_destroy(train);
        sl_lr_data_destroy(test);
        sl_lr_split_destroy(split);
        return NULL;
    }
    sl_dgd *d = calloc(1, sizeof *d);
    if (!d) {
        sl_lr_data_destroy(train);
        sl_lr_data_destroy(test);
        sl_lr_split_destroy(split);
        sl_error_set(e, SL_ERR_NOMEM, "dgd: out of memory");
        return NULL;
    }
    d->train = train;
    d->test = test;
    d->split = split;
    d->o = *o;
    if (d->o.timeout == 0) d->o.timeout = 4 + o->delay + o->jitter + o->slow_delay;
    d->K = split->K;
    d->dim = train->dim;
    size_t K = (size_t)d->K, D = (size_t)d->dim;
    d->w = calloc(D, sizeof *d->w);
    d->clock = calloc(K, sizeof *d->clock);
    d->job_version = calloc(K, sizeof *d->job_version);
    d->job_id = calloc(K, sizeof *d->job_id);
    d->job_step = calloc(K, sizeof *d->job_step);
    d->waiting = calloc(K, 1);
    d->have = calloc(K, 1);
    d->gsrv = calloc(K * D, sizeof *d->gsrv);
    d->sbuf = calloc(K, sizeof *d->sbuf);
    d->win = calloc(K * D, sizeof *d->win);
    d->gpend = calloc(K * D, sizeof *d->gpend);
    d->pend_version = malloc(K * sizeof *d->pend_version);
    d->pend_due = calloc(K, sizeof *d->pend_due);
    d->jobs = calloc(K, sizeof *d->jobs);
    d->cbuf = calloc(K, sizeof *d->cbuf);
    if (!d->w || !d->clock || !d->job_version || !d->job_id || !d->job_step || !d->waiting || !d->have ||
        !d->gsrv || !d->sbuf || !d->win || !d->gpend || !d->pend_version || !d->pend_due ||
        !d->jobs || !d->cbuf) {
        sl_dgd_destroy(d);
        sl_error_set(e, SL_ERR_NOMEM, "dgd: out of memory");
        return NULL;
    }
    for (int k = 0; k < d->K; k++) d->pend_version[k] = -1;
    d->evaluated = -1;
    d->st.steps_to_target = -1;
    return d;
}

const double *sl_dgd_model(const sl_dgd *d) { return d->w; }
int sl_dgd_dim(const sl_dgd *d) { return d->dim; }
const sl_dgd_stats *sl_dgd_stats_get(const sl_dgd *d) { return &d->st; }

static void evaluate(sl_dgd *d)
{
    if (d->evaluated == d->st.version) return;
    d->st.train_loss = sl_lr_loss(d->train, d->split->idx, d->train->n, d->w, d->o.l2);
    d->st.test_loss = sl_lr_loss(d->test, NULL, d->test->n, d->w, d->o.l2);
    d->st.test_acc = sl_lr_accuracy(d->test, NULL, 0, d->w);
    d->evaluated = d->st.version;
}

/* Workers: take a complete model, compute the shard gradient, send it when its delay is over. */
static void worker_chunk(sl_ctx *ctx)
{
    sl_dgd *d = ctx->user;
    dgd_chunk *cc = &d->cc[ctx->chunk];
    memset(cc, 0, sizeof *cc);
    sl_bus *bus = sl_world_bus(ctx->world);
    const int dim = d->dim;
    for (size_t i = ctx->begin; i < ctx->end; i++) {
        int k = (int)i;
        const sl_msg *m;
        size_t nm = sl_bus_inbox(bus, d->wpi, d->wid[k], &m);
        double *win = d->win + (size_t)k * dim;
        for (size_t q = 0; q < nm; q++) {
            if (m[q].type != SL_DGD_MSG_MODEL) continue;
            cc->received++;
            if (!vec_take(&d->cbuf[k], &m[q], win, dim)) continue;
            /* a new job replaces any gradient still waiting */
            long v = (long)m[q].conv;
            int nk = sl_lr_split_size(d->split, k);
            sl_lr_grad(d->train, d->split->idx + d->split->start[k], nk, win, d->o.l2,
                       d->gpend + (size_t)k * dim);
            uint64_t delay = (uint64_t)d->o.delay;
            if (d->o.jitter > 0) {
                sl_rng r = sl_rng_make(d->o.seed, SL_DGD_STREAM_DELAY, (uint64_t)k, d->jobs[k]);
                delay += sl_rng_below(&r, (uint32_t)d->o.jitter + 1u);
            }
            if (k < d->o.slow) delay += (uint64_t)d->o.slow_delay;
            d->jobs[k]++;
            d->pend_version[k] = v;
            d->pend_due[k] = ctx->step + delay;
        }
        if (d->pend_version[k] >= 0 && d->pend_due[k] <= ctx->step) {
            cc->sent += (uint64_t)vec_send(bus, ctx->chunk, SL_DGD_MSG_GRAD, d->wpi, d->wid[k],
                                           d->cpi, d->coord_id, (uint64_t)d->pend_version[k],
                                           d->gpend + (size_t)k * dim, dim,
                                           (uint32_t)sl_lr_split_size(d->split, k), &cc->bytes);
            d->pend_version[k] = -1;
        }
    }
}

static void send_model(sl_dgd *d, sl_bus *bus, int k, uint64_t step, uint64_t *sent, uint64_t *bytes)
{
    /* every send is a new job with its own conversation, so a resent model is never mistaken
     * for one the worker already answered */
    uint64_t job = ++d->next_job;
    *sent += (uint64_t)vec_send(bus, 0, SL_DGD_MSG_MODEL, d->cpi, d->coord_id, d->wpi, d->wid[k],
                                job, d->w, d->dim, 0, bytes);
    d->job_id[k] = job;
    d->job_version[k] = d->st.version;
    d->job_step[k] = step;
}

static long min_clock(const sl_dgd *d)
{
    long m = d->clock[0];
    for (int k = 1; k < d->K; k++)
        if (d->clock[k] < m) m = d->clock[k];
    return m;
}

static void apply_grad(sl_dgd *d, const double *g, double a)
{
    for (int j = 0; j < d->dim; j++) d->w[j] -= d->o.lr * a * g[j];
}

static sl_status coord_post(sl_world *w, void *user, sl_error *e)
{
    (void)e;
    sl_dgd *d = user;
    sl_bus *bus = sl_world_bus(w);
    uint64_t t = sl_world_step_count(w);
    uint64_t sent = 0, bytes = 0, recv = 0;
    for (int c = 0; c < d->nchunks; c++) {
        sent += d->cc[c].sent;
        bytes += d->cc[c].bytes;
        recv += d->cc[c].received;
    }
    const int dim = d->dim, K = d->K;
    const double N = (double)d->train->n;
    if (t == 0) {
        for (int k = 0; k < K; k++) send_model(d, bus, k, t, &sent, &bytes);
        d->sync_sent = t;
    } else {
        const sl_msg *m;
        size_t nm = sl_bus_inbox(bus, d->cpi, d->coord_id, &m);
        for (size_t q = 0; q < nm; q++) {
            if (m[q].type != SL_DGD_MSG_GRAD) continue;
            recv++;
            long k = sl_pop_slot(d->wpop, m[q].from);
            if (k < 0) continue;
            double *g = d->gsrv + (size_t)k * dim;
            if (!vec_take(&d->sbuf[k], &m[q], g, dim)) continue;
            if (m[q].conv != d->job_id[k]) continue;  /* answer to an older job */
            long v = d->job_version[k];
            if (!d->o.async) {
                if (v == d->st.version) d->have[k] = 1;
                continue;
            }
            /* asynchronous: apply at once, in (sender, sequence) order */
            long s = d->st.version - v;
            apply_grad(d, g, (double)d->sbuf[k].tag / N);  /* n_k as the worker sent it */
            d->st.version++;
            d->clock[k]++;
            d->stale_sum += (double)s;
            d->stale_n++;
            if (s > d->st.max_staleness) d->st.max_staleness = s;
            d->waiting[k] = 1;  /* decided below */
        }
        if (!d->o.async) {
            int cnt = 0;
            long Nh = 0;
            for (int k = 0; k < K; k++)
                if (d->have[k]) {
                    cnt++;
                    Nh += (long)d->sbuf[k].tag;
                }
            if (cnt == K || (t - d->sync_sent >= (uint64_t)d->o.timeout)) {
                if (cnt > 0) {
                    /* g = sum_k (n_k / N) g_k in increasing k, then one step */
                    double acc[VEC_MAX_DIM];
                    for (int j = 0; j < dim; j++) acc[j] = 0.0;
                    for (int k = 0; k < K; k++) {
                        if (!d->have[k]) continue;
                        double a = (double)d->sbuf[k].tag / (double)Nh;
                        const double *g = d->gsrv + (size_t)k * dim;
                        for (int j = 0; j < dim; j++) acc[j] += a * g[j];
                    }
                    apply_grad(d, acc, 1.0);
                    d->st.version++;
                    for (int k = 0; k < K; k++) d->clock[k] += d->have[k];
                }
                for (int k = 0; k < K; k++) d->have[k] = 0;
                for (int k = 0; k < K; k++) send_model(d, bus, k, t, &sent, &bytes);
                d->sync_sent = t;
            }
        } else {
            long mc = min_clock(d);
            for (int k = 0; k < K; k++) {
                if (d->waiting[k] && d->clock[k] - mc <= d->o.staleness) {
                    d->waiting[k] = 0;
                    send_model(d, bus, k, t, &sent, &bytes);
                } else if (!d->waiting[k] && t - d->job_step[k] >= (uint64_t)d->o.timeout) {
                    send_model(d, bus, k, t, &sent, &bytes);  /* lost job: send again */
                }
            }
        }
    }
    int nwait = 0;
    for (int k = 0; k < K; k++) nwait += d->waiting[k];
    /* lost: everything sent before this step and not received (delivery takes one step) */
    uint64_t before = d->tot_sent;
    d->tot_sent += sent;
    d->tot_bytes += bytes;
    d->tot_recv += recv;
    d->st.messages = d->tot_sent;
    d->st.bytes = d->tot_bytes;
    d->st.lost = before >= d->tot_recv ? before - d->tot_recv : 0;
    d->st.min_clock = min_clock(d);
    d->st.max_clock = d->clock[0];
    for (int k = 1; k < K; k++)
        if (d->clock[k] > d->st.max_clock) d->st.max_clock = d->clock[k];
    d->st.waiting = nwait;
    d->st.mean_staleness = d->stale_n ? d->stale_sum / (double)d->stale_n : 0.0;
    evaluate(d);
    if (d->st.steps_to_target < 0 && d->o.target_loss > 0 && d->st.train_loss <= d->o.target_loss)
        d->st.steps_to_target = (long)t + 1;
    sl_recorder *r = sl_world_recorder(w);
    sl_recorder_set(r, d->metric[D_VER], (double)d->st.version);
    sl_recorder_set(r, d->metric[D_MINC], (double)d->st.min_clock);
    sl_recorder_set(r, d->metric[D_TRAIN], d->st.train_loss);
    sl_recorder_set(r, d->metric[D_TEST], d->st.test_loss);
    sl_recorder_set(r, d->metric[D_ACC], d->st.test_acc);
    sl_recorder_set(r, d->metric[D_MSTALE], d->st.mean_staleness);
    sl_recorder_set(r, d->metric[D_XSTALE], (double)d->st.max_staleness);
    sl_recorder_set(r, d->metric[D_WAIT], (double)nwait);
    sl_recorder_set(r, d->metric[D_MSG], (double)sent);
    sl_recorder_set(r, d->metric[D_BYTES], (double)bytes);
    sl_recorder_set(r, d->metric[D_LOST], (double)d->st.lost);
    return SL_OK;
}

/* Checkpoint: everything but the data, the ids and the per-step chunk counts. */
#define DGD_FIELDS(X)                                                   \
    X(d->w, D * sizeof *d->w)                                           \
    X(&d->st, sizeof d->st)                                             \
    X(&d->evaluated, sizeof d->evaluated)                               \
    X(d->clock, K * sizeof *d->clock)                                   \
    X(d->job_version, K * sizeof *d->job_version)                       \
    X(d->job_id, K * sizeof *d->job_id)                                 \
    X(&d->next_job, sizeof d->next_job)                                 \
    X(d->job_step, K * sizeof *d->job_step)                             \
    X(d->waiting, K)                                                    \
    X(d->have, K)                                                       \
    X(d->gsrv, K * D * sizeof *d->gsrv)                                 \
    X(d->sbuf, K * sizeof *d->sbuf)                                     \
    X(&d->sync_sent, sizeof d->sync_sent)                               \
    X(&d->stale_sum, sizeof d->stale_sum)                               \
    X(&d->stale_n, sizeof d->stale_n)                                   \
    X(d->win, K * D * sizeof *d->win)                                   \
    X(d->gpend, K * D * sizeof *d->gpend)                               \
    X(d->pend_version, K * sizeof *d->pend_version)                     \
    X(d->pend_due, K * sizeof *d->pend_due)                             \
    X(d->jobs, K * sizeof *d->jobs)                                     \
    X(d->cbuf, K * sizeof *d->cbuf)                                     \
    X(&d->tot_sent, sizeof d->tot_sent)                                 \
    X(&d->tot_bytes, sizeof d->tot_bytes)                               \
    X(&d->tot_recv, sizeof d->tot_recv)

static sl_status dgd_save(void *data, FILE *f, sl_error *e)
{
    sl_dgd *d = data;
    size_t K = (size_t)d->K, D = (size_t)d->dim;
    ck_io io = {f, 1};
    ck_put_head(&io, "SLDGD001", d->K, d->dim);
#define PUT(p, n) ck_put(&io, p, n);
    DGD_FIELDS(PUT)
#undef PUT
    return io.ok ? SL_OK : sl_error_set(e, SL_ERR_IO, "dgd: cannot write checkpoint");
}

static sl_status dgd_load(void *data, FILE *f, const char *path, sl_error *e)
{
    sl_dgd *d = data;
    size_t K = (size_t)d->K, D = (size_t)d->dim;
    ck_io io = {f, 1};
    if (!ck_get_head(&io, "SLDGD001", d->K, d->dim))
        return sl_error_set(e, SL_ERR_PARSE, "%s: dgd state does not match this scenario", path);
#define GET(p, n) ck_get(&io, p, n);
    DGD_FIELDS(GET)
#undef GET
    if (!io.ok) return sl_error_set(e, SL_ERR_PARSE, "%s: dgd state is truncated", path);
    return SL_OK;
}

static int pop_index(sl_world *w, sl_pop *p)
{
    for (int i = 0; i < sl_world_npops(w); i++)
        if (sl_world_pop_at(w, i) == p) return i;
    return -1;
}

sl_status sl_dgd_attach(sl_dgd *d, sl_world *w, const char *coord_pop, const char *worker_pop,
                        sl_error *e)
{
    sl_status st;
    if (sl_world_step_count(w) != 0) {
        sl_dgd_destroy(d);
        return sl_error_set(e, SL_ERR_STATE, "dgd: attach before the first step");
    }
    char key[96];
    snprintf(key, sizeof key, "dgd:%s", worker_pop ? worker_pop : "");
    if (sl_world_attached(w, key)) {
        sl_dgd_destroy(d);
        return sl_error_set(e, SL_ERR_STATE, "dgd: '%s' is already attached", worker_pop);
    }
    if ((st = sl_world_attach(w, key, d, free_void, e)) != SL_OK) {
        sl_dgd_destroy(d);
        return st;
    }
    if ((st = sl_checkpoint_register(w, key, dgd_save, dgd_load, e)) != SL_OK) return st;
    d->world = w;
    d->cpop = sl_world_add_pop(w, coord_pop, e);
    if (!d->cpop) return e ? e->code : SL_ERR_RANGE;
    d->wpop = sl_world_add_pop(w, worker_pop, e);
    if (!d->wpop) return e ? e->code : SL_ERR_RANGE;
    d->cpi = pop_index(w, d->cpop);
    d->wpi = pop_index(w, d->wpop);
    if (d->cpi >= SL_BUS_MAX_POPS || d->wpi >= SL_BUS_MAX_POPS)
        return sl_error_set(e, SL_ERR_RANGE, "dgd: too many populations for the bus");
    int cn = sl_pop_add_column(d->wpop, "n", SL_I32, e);
    if (cn < 0) return e ? e->code : SL_ERR_RANGE;
    if (sl_pop_spawn(d->cpop, 1) == (size_t)-1 || sl_pop_spawn(d->wpop, (size_t)d->K) == (size_t)-1)
        return sl_error_set(e, SL_ERR_NOMEM, "dgd: out of memory");
    d->coord_id = sl_pop_id(d->cpop, 0);
    d->wid = malloc((size_t)d->K * sizeof *d->wid);
    d->nchunks = (d->K + SL_CHUNK - 1) / SL_CHUNK;
    d->cc = calloc((size_t)d->nchunks, sizeof *d->cc);
    if (!d->wid || !d->cc) return sl_error_set(e, SL_ERR_NOMEM, "dgd: out of memory");
    for (int k = 0; k < d->K; k++) {
        d->wid[k] = sl_pop_id(d->wpop, (size_t)k);
        sl_pop_set(d->wpop, cn, (size_t)k, sl_lr_split_size(d->split, k));
    }
    sl_recorder *rec = sl_world_recorder(w);
    for (int k = 0; k < D_COUNT; k++) {
        d->metric[k] = sl_recorder_add(rec, dgd_metric_names[k], NULL, -1, SL_REDUCE_VALUE, e);
        if (d->metric[k] < 0) return e ? e->code : SL_ERR_RANGE;
    }
    evaluate(d);
    sl_recorder_set(rec, d->metric[D_TRAIN], d->st.train_loss);
    sl_recorder_set(rec, d->metric[D_TEST], d->st.test_loss);
    sl_recorder_set(rec, d->metric[D_ACC], d->st.test_acc);
    sl_bus *bus = sl_world_bus(w);
    sl_bus_set_seed(bus, sl_world_seed(w));
    sl_bus_link link = {d->o.loss, 0, 0};
    if ((st = sl_bus_set_link(bus, d->cpi, d->wpi, link, e)) != SL_OK) return st;
    if ((st = sl_bus_set_link(bus, d->wpi, d->cpi, link, e)) != SL_OK) return st;
    char nm[96];
    snprintf(nm, sizeof nm, "dgd-workers:%s", worker_pop);
    sl_system_def wdef = {.name = nm, .pop = d->wpop, .run = worker_chunk, .user = d};
    if (sl_world_add_system(w, &wdef, e) < 0) return e ? e->code : SL_ERR_RANGE;
    snprintf(nm, sizeof nm, "dgd-coordinator:%s", worker_pop);
    sl_system_def cdef = {.name = nm, .post = coord_post, .user = d};
    if (sl_world_add_system(w, &cdef, e) < 0) return e ? e->code : SL_ERR_RANGE;
    return SL_OK;
}

sl_dgd *sl_dgd_of(const sl_world *w, const char *worker_pop)
{
    char key[96];
    snprintf(key, sizeof key, "dgd:%s", worker_pop);
    return sl_world_attached(w, key);
}
