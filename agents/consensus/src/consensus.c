/* consensus.c - average consensus rounds, stopping rule, rates, and the message-bus driver. */
#include "swarmlab/consensus.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "swarmlab/bus.h"
#include "swarmlab/checkpoint.h"
#include "swarmlab/graph.h"
#include "swarmlab/pop.h"
#include "swarmlab/recorder.h"
#include "swarmlab/rng.h"
#include "swarmlab/spectrum.h"
#include "ckpt_io.h"

typedef struct topo {
    sl_graph *g;
    sl_mix *W;
} topo;

enum { M_ITER, M_DIS, M_REL, M_MEAN, M_ERR2, M_SENT, M_DELIV, M_LOST, M_BYTES, M_COUNT };
static const char *const metric_names[M_COUNT] = {
    "iteration", "disagreement", "rel_disagreement", "mean", "error2",
    "messages", "delivered", "lost", "bytes"};

/* Per-chunk traffic counts of the bus driver, combined in chunk order. */
typedef struct chunk_count {
    uint64_t sent, expected, delivered, bytes;
} chunk_count;

struct sl_consensus {
    int n;
    sl_consensus_def o;
    double *x, *next, *x0;
    topo *t;
    int nt, capt;
    size_t max_nnz;
    double *xin;        /* per adjacency entry: the neighbour value used this round */
    uint8_t *got;       /* per adjacency entry: 1 when that value arrived */
    int *comp;
    int ncomp;
    double *csum;       /* per component scratch */
    long *ccount;
    double d0, dcur, mean0;
    long rounds;
    int done;
    double *err2;       /* err2[k]: 2-norm of the deviation after round k */
    size_t nerr, caperr;
    /* bus driver */
    sl_world *w;
    sl_pop *pop;
    int pop_index;
    int col_x;
    sl_id *ids;
    int metric[M_COUNT];
    chunk_count *cc;
    int nchunks;
    uint64_t tot_sent, tot_deliv, tot_lost, tot_bytes;
    char name[64];
};

void sl_consensus_destroy(sl_consensus *c)
{
    if (!c) return;
    for (int i = 0; i < c->nt; i++) {
        sl_graph_destroy(c->t[i].g);
        sl_mix_destroy(c->t[i].W);
    }
    free(c->t);
    free(c->x);
    free(c->next);
    free(c->x0);
    free(c->xin);
    free(c->got);
    free(c->comp);
    free(c->csum);
    free(c->ccount);
    free(c->err2);
    free(c->ids);
    free(c->cc);
    free(c);
}

static void free_void(void *p) { sl_consensus_destroy(p); }

/* Component means of x into csum (serial, node order). */
static void comp_means(const sl_consensus *c, const double *x, double *mean)
{
    for (int k = 0; k < c->ncomp; k++) {
        mean[k] = 0.0;
        c->ccount[k] = 0;
    }
    for (int i = 0; i < c->n; i++) {
        mean[c->comp[i]] += x[i];
        c->ccount[c->comp[i]]++;
    }
    for (int k = 0; k < c->ncomp; k++) mean[k] /= (double)c->ccount[k];
}

static void deviation(const sl_consensus *c, const double *x, double *dmax, double *e2)
{
    comp_means(c, x, c->csum);
    double m = 0.0, s = 0.0;
    for (int i = 0; i < c->n; i++) {
        double d = fabs(x[i] - c->csum[c->comp[i]]);
        if (d > m) m = d;
        s += d * d;
    }
    *dmax = m;
    *e2 = sqrt(s);
}

static double plain_mean(const double *x, int n)
{
    double s = 0.0;
    for (int i = 0; i < n; i++) s += x[i];
    return s / n;
}

static int push_err(sl_consensus *c, double v)
{
    if (c->nerr == c->caperr) {
        size_t cap = c->caperr ? 2 * c->caperr : 64;
        double *p = realloc(c->err2, cap * sizeof *p);
        if (!p) return -1;
        c->err2 = p;
        c->caperr = cap;
    }
    c->err2[c->nerr++] = v;
    return 0;
}

sl_consensus_def sl_consensus_def_default(void)
{
    return (sl_consensus_def){.tol = 1e-6, .period = 1, .threads = 1, .max_rounds = 1000000};
}

sl_consensus *sl_consensus_create(int n, const double *x0, const sl_consensus_def *o, sl_error *e)
{
    if (n < 1) {
        sl_error_set(e, SL_ERR_RANGE, "consensus: n must be >= 1, got %d", n);
        return NULL;
    }
    if (!(o->tol > 0.0) || !isfinite(o->tol)) {
        sl_error_set(e, SL_ERR_RANGE, "consensus: tol must be a finite number > 0, got %g", o->tol);
        return NULL;
    }
    if (!(o->link_fail >= 0.0 && o->link_fail < 1.0)) {
        sl_error_set(e, SL_ERR_RANGE, "consensus: link_fail must be in [0, 1), got %g", o->link_fail);
        return NULL;
    }
    if (o->period < 0) {
        sl_error_set(e, SL_ERR_RANGE, "consensus: period must be >= 1, got %d", o->period);
        return NULL;
    }
    if (o->max_rounds < 0) {
        sl_error_set(e, SL_ERR_RANGE, "consensus: max_rounds must be >= 0, got %ld", o->max_rounds);
        return NULL;
    }
    for (int i = 0; i < n; i++)
        if (!isfinite(x0[i])) {
            sl_error_set(e, SL_ERR_RANGE, "consensus: initial value of node %d is not finite", i);
            return NULL;
        }
    sl_consensus *c = calloc(1, sizeof *c);
    if (!c) goto nomem;
    c->n = n;
    c->o = *o;
    if (c->o.period == 0) c->o.period = 1;
    if (c->o.threads < 1) c->o.threads = 1;
    c->x = malloc((size_t)n * sizeof *c->x);
    c->next = malloc((size_t)n * sizeof *c->next);
    c->x0 = malloc((size_t)n * sizeof *c->x0);
    c->comp = calloc((size_t)n, sizeof *c->comp);
    c->csum = calloc((size_t)n, sizeof *c->csum);
    c->ccount = calloc((size_t)n, sizeof *c->ccount);
    if (!c->x || !c->next || !c->x0 || !c->comp || !c->csum || !c->ccount) goto nomem;
    memcpy(c->x, x0, (size_t)n * sizeof *x0);
    memcpy(c->x0, x0, (size_t)n * sizeof *x0);
    c->ncomp = 1;
    c->mean0 = plain_mean(x0, n);
    return c;
nomem:
    sl_consensus_destroy(c);
    sl_error_set(e, SL_ERR_NOMEM, "consensus: out of memory for %d nodes", n);
    return NULL;
}

/* Components of the union of all topologies; resets the initial disagreement. */
static sl_status refresh_components(sl_consensus *c, sl_error *e)
{
    size_t m = 0;
    for (int k = 0; k < c->nt; k++) m += c->t[k].g->ne;
    int *u = malloc((m ? m : 1) * sizeof *u), *v = malloc((m ? m : 1) * sizeof *v);
    if (!u || !v) {
        free(u);
        free(v);
        return sl_error_set(e, SL_ERR_NOMEM, "consensus: out of memory");
    }
    size_t w = 0;
    for (int k = 0; k < c->nt; k++)
        for (size_t q = 0; q < c->t[k].g->ne; q++) {
            u[w] = c->t[k].g->eu[q];
            v[w] = c->t[k].g->ev[q];
            w++;
        }
    sl_graph *un = sl_graph_from_edges(c->n, m, u, v, e);
    free(u);
    free(v);
    if (!un) return e ? e->code : SL_ERR_NOMEM;
    c->ncomp = sl_graph_components(un, c->comp);
    sl_graph_destroy(un);
    if (c->ncomp < 0) return sl_error_set(e, SL_ERR_NOMEM, "consensus: out of memory");
    double d, e2;
    deviation(c, c->x, &d, &e2);
    c->d0 = c->dcur = d;
    c->nerr = 0;
    if (push_err(c, e2)) return sl_error_set(e, SL_ERR_NOMEM, "consensus: out of memory");
    c->done = !(d > 0.0);
    return SL_OK;
}

sl_status sl_consensus_add_topology(sl_consensus *c, sl_graph *g, sl_mix *W, sl_error *e)
{
    sl_status st = SL_OK;
    if (c->rounds > 0 || c->w) {
        st = sl_error_set(e, SL_ERR_STATE, "consensus: topologies must be added before the first round");
        goto fail;
    }
    if (g->n != c->n || W->n != c->n) {
        st = sl_error_set(e, SL_ERR_RANGE, "consensus: topology has %d nodes, expected %d", g->n, c->n);
        goto fail;
    }
    if ((st = sl_mix_check(W, NULL, e)) != SL_OK) goto fail;
    if (c->nt == c->capt) {
        int cap = c->capt ? 2 * c->capt : 4;
        topo *t = realloc(c->t, (size_t)cap * sizeof *t);
        if (!t) {
            st = sl_error_set(e, SL_ERR_NOMEM, "consensus: out of memory");
            goto fail;
        }
        c->t = t;
        c->capt = cap;
    }
    size_t nnz = g->row[g->n];
    if (nnz > c->max_nnz || !c->xin) {
        double *xi = realloc(c->xin, (nnz ? nnz : 1) * sizeof *xi);
        if (xi) c->xin = xi;
        uint8_t *gt = realloc(c->got, (nnz ? nnz : 1) * sizeof *gt);
        if (gt) c->got = gt;
        if (!xi || !gt) {
            st = sl_error_set(e, SL_ERR_NOMEM, "consensus: out of memory");
            goto fail;
        }
        c->max_nnz = nnz;
    }
    c->t[c->nt].g = g;
    c->t[c->nt].W = W;
    c->nt++;
    return refresh_components(c, e);
fail:
    sl_graph_destroy(g);
    sl_mix_destroy(W);
    return st;
}

static int topo_of(const sl_consensus *c, long round)
{
    return (int)(((round - 1) / c->o.period) % c->nt);
}

static int link_up(const sl_consensus *c, int ti, uint32_t edge, long round)
{
    if (c->o.link_fail <= 0.0) return 1;
    sl_rng r = sl_rng_make(c->o.seed, SL_CONS_STREAM_LINK, ((uint64_t)ti << 32) | edge,
                           (uint64_t)round);
    return sl_rng_uniform(&r) >= c->o.link_fail;
}

/* x_i' = W_ii x_i + sum_j W_ij v_j in adjacency order, v_j = x_i when j's value did not arrive. */
static double node_update(const sl_mix *W, int i, double xi, const double *xin, const uint8_t *got)
{
    double s = W->self[i] * xi;
    for (uint32_t p = W->row[i]; p < W->row[i + 1]; p++) s += W->w[p] * (got[p] ? xin[p] : xi);
    return s;
}

static sl_status after_round(sl_consensus *c, sl_error *e)
{
    double *tmp = c->x;
    c->x = c->next;
    c->next = tmp;
    c->rounds++;
    double d, e2;
    deviation(c, c->x, &d, &e2);
    c->dcur = d;
    if (push_err(c, e2)) return sl_error_set(e, SL_ERR_NOMEM, "consensus: out of memory");
    if (!isfinite(d)) return sl_error_set(e, SL_ERR_RANGE, "consensus: values became non-finite");
    if (d <= c->o.tol * c->d0) c->done = 1;
    return SL_OK;
}

sl_status sl_consensus_step(sl_consensus *c, sl_error *e)
{
    if (c->nt == 0) return sl_error_set(e, SL_ERR_STATE, "consensus: no topology");
    if (sl_consensus_done(c)) return SL_OK;
    long k = c->rounds + 1;
    int ti = topo_of(c, k);
    const sl_graph *g = c->t[ti].g;
    const sl_mix *W = c->t[ti].W;
    const int n = c->n;
#pragma omp parallel for schedule(static) num_threads(c->o.threads)
    for (int i = 0; i < n; i++) {
        for (uint32_t p = g->row[i]; p < g->row[i + 1]; p++) {
            c->xin[p] = c->x[g->col[p]];
            c->got[p] = (uint8_t)link_up(c, ti, g->eid[p], k);
        }
        c->next[i] = node_update(W, i, c->x[i], c->xin, c->got);
    }
    return after_round(c, e);
}

sl_status sl_consensus_run(sl_consensus *c, sl_error *e)
{
    if (c->nt == 0) return sl_error_set(e, SL_ERR_STATE, "consensus: no topology");
    while (!sl_consensus_done(c)) {
        sl_status st = sl_consensus_step(c, e);
        if (st != SL_OK) return st;
    }
    return SL_OK;
}

/* ---- bus driver ---- */

static long adj_pos(const sl_graph *g, int i, int j)
{
    uint32_t lo = g->row[i], hi = g->row[i + 1];
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (g->col[mid] < (uint32_t)j) lo = mid + 1;
        else hi = mid;
    }
    return lo < g->row[i + 1] && g->col[lo] == (uint32_t)j ? (long)lo : -1;
}

/* Node i sends value v for round k to its neighbours in that round's topology. */
static void send_round(sl_consensus *c, sl_bus *bus, int chunk, int i, double v, long k,
                       chunk_count *cnt)
{
    int ti = topo_of(c, k);
    const sl_graph *g = c->t[ti].g;
    for (uint32_t p = g->row[i]; p < g->row[i + 1]; p++) {
        if (!link_up(c, ti, g->eid[p], k)) continue;
        sl_msg m = sl_msg_to_agent(SL_CONS_MSG_VALUE, c->pop_index, c->ids[i], c->pop_index,
                                   c->ids[g->col[p]], (uint64_t)k);
        m.nd = 1;
        m.d[0] = v;
        if (sl_bus_send(bus, chunk, &m) == SL_OK) {
            cnt->sent++;
            cnt->bytes += sl_msg_bytes(&m);
        }
    }
}

static void cons_chunk(sl_ctx *ctx)
{
    sl_consensus *c = ctx->user;
    chunk_count *cnt = &c->cc[ctx->chunk];
    memset(cnt, 0, sizeof *cnt);
    if (sl_consensus_done(c)) return;
    sl_bus *bus = sl_world_bus(ctx->world);
    long t = (long)ctx->step;
    if (t == 0) {
        for (size_t i = ctx->begin; i < ctx->end; i++)
            send_round(c, bus, ctx->chunk, (int)i, c->x[i], 1, cnt);
        return;
    }
    long k = t;  /* round computed in this step */
    int ti = topo_of(c, k);
    const sl_graph *g = c->t[ti].g;
    for (size_t ii = ctx->begin; ii < ctx->end; ii++) {
        int i = (int)ii;
        for (uint32_t p = g->row[i]; p < g->row[i + 1]; p++) {
            c->got[p] = 0;
            c->xin[p] = 0.0;
            if (link_up(c, ti, g->eid[p], k)) cnt->expected++;
        }
        const sl_msg *m;
        size_t nm = sl_bus_inbox(bus, c->pop_index, c->ids[i], &m);
        for (size_t q = 0; q < nm; q++) {
            if (m[q].type != SL_CONS_MSG_VALUE || m[q].conv != (uint64_t)k || m[q].nd < 1) continue;
            long j = sl_pop_slot(c->pop, m[q].from);
            if (j < 0) continue;
            long p = adj_pos(g, i, (int)j);
            if (p < 0 || !link_up(c, ti, g->eid[p], k) || c->got[p]) continue;
            c->xin[p] = m[q].d[0];
            c->got[p] = 1;
            cnt->delivered++;
        }
        c->next[i] = node_update(c->t[ti].W, i, c->x[i], c->xin, c->got);
        send_round(c, bus, ctx->chunk, i, c->next[i], k + 1, cnt);
    }
}

static void set_metrics(sl_consensus *c, const chunk_count *sum)
{
    sl_recorder *r = sl_world_recorder(c->w);
    sl_recorder_set(r, c->metric[M_ITER], (double)c->rounds);
    sl_recorder_set(r, c->metric[M_DIS], c->dcur);
    sl_recorder_set(r, c->metric[M_REL], c->d0 > 0 ? c->dcur / c->d0 : 0.0);
    sl_recorder_set(r, c->metric[M_MEAN], plain_mean(c->x, c->n));
    sl_recorder_set(r, c->metric[M_ERR2], c->err2[c->nerr - 1]);
    sl_recorder_set(r, c->metric[M_SENT], (double)sum->sent);
    sl_recorder_set(r, c->metric[M_DELIV], (double)sum->delivered);
    sl_recorder_set(r, c->metric[M_LOST], (double)(sum->expected - sum->delivered));
    sl_recorder_set(r, c->metric[M_BYTES], (double)sum->bytes);
}

static sl_status cons_pre(sl_world *w, void *user, sl_error *e)
{
    (void)w;
    sl_consensus *c = user;
    if (sl_pop_count(c->pop) != (size_t)c->n)
        return sl_error_set(e, SL_ERR_STATE, "consensus: population '%s' changed size (%zu, expected %d)",
                            c->name, sl_pop_count(c->pop), c->n);
    return SL_OK;
}

static sl_status cons_post(sl_world *w, void *user, sl_error *e)
{
    sl_consensus *c = user;
    chunk_count sum = {0, 0, 0, 0};
    for (int k = 0; k < c->nchunks; k++) {
        sum.sent += c->cc[k].sent;
        sum.expected += c->cc[k].expected;
        sum.delivered += c->cc[k].delivered;
        sum.bytes += c->cc[k].bytes;
    }
    int updated = sl_world_step_count(w) >= 1 && !sl_consensus_done(c);
    if (updated) {
        sl_status st = after_round(c, e);
        if (st != SL_OK) return st;
        double *x = sl_pop_f64(c->pop, c->col_x);
        memcpy(x, c->x, (size_t)c->n * sizeof *x);
    }
    c->tot_sent += sum.sent;
    c->tot_deliv += sum.delivered;
    c->tot_lost += sum.expected - sum.delivered;
    c->tot_bytes += sum.bytes;
    set_metrics(c, &sum);
    return SL_OK;
}

/* Checkpoint: values, rounds, the error history and the traffic totals. */
static sl_status cons_save(void *data, FILE *f, sl_error *e)
{
    sl_consensus *c = data;
    ck_io io = {f, 1};
    ck_put_head(&io, "SLCONS01", c->n, c->nt);
    ck_put(&io, &c->rounds, sizeof c->rounds);
    ck_put(&io, &c->done, sizeof c->done);
    ck_put(&io, &c->dcur, sizeof c->dcur);
    ck_put(&io, &c->nerr, sizeof c->nerr);
    ck_put(&io, c->err2, c->nerr * sizeof *c->err2);
    ck_put(&io, c->x, (size_t)c->n * sizeof *c->x);
    ck_put(&io, &c->tot_sent, sizeof c->tot_sent);
    ck_put(&io, &c->tot_deliv, sizeof c->tot_deliv);
    ck_put(&io, &c->tot_lost, sizeof c->tot_lost);
    ck_put(&io, &c->tot_bytes, sizeof c->tot_bytes);
    return io.ok ? SL_OK : sl_error_set(e, SL_ERR_IO, "consensus '%s': cannot write checkpoint", c->name);
}

static sl_status cons_load(void *data, FILE *f, const char *path, sl_error *e)
{
    sl_consensus *c = data;
    ck_io io = {f, 1};
    if (!ck_get_head(&io, "SLCONS01", c->n, c->nt))
        return sl_error_set(e, SL_ERR_PARSE, "%s: consensus '%s' state does not match this scenario",
                            path, c->name);
    size_t nerr = 0;
    ck_get(&io, &c->rounds, sizeof c->rounds);
    ck_get(&io, &c->done, sizeof c->done);
    ck_get(&io, &c->dcur, sizeof c->dcur);
    ck_get(&io, &nerr, sizeof nerr);
    if (!io.ok || nerr > (size_t)c->rounds + 1)
        return sl_error_set(e, SL_ERR_PARSE, "%s: consensus '%s' state is corrupt", path, c->name);
    if (nerr > c->caperr) {
        double *p = realloc(c->err2, nerr * sizeof *p);
        if (!p) return sl_error_set(e, SL_ERR_NOMEM, "consensus: out of memory");
        c->err2 = p;
        c->caperr = nerr;
    }
    c->nerr = nerr;
    ck_get(&io, c->err2, nerr * sizeof *c->err2);
    ck_get(&io, c->x, (size_t)c->n * sizeof *c->x);
    ck_get(&io, &c->tot_sent, sizeof c->tot_sent);
    ck_get(&io, &c->tot_deliv, sizeof c->tot_deliv);
    ck_get(&io, &c->tot_lost, sizeof c->tot_lost);
    ck_get(&io, &c->tot_bytes, sizeof c->tot_bytes);
    if (!io.ok) return sl_error_set(e, SL_ERR_PARSE, "%s: consensus '%s' state is truncated", path, c->name);
    return SL_OK;
}

sl_status sl_consensus_attach(sl_consensus *c, sl_world *w, const char *pop_name, double msg_loss,
                              sl_error *e)
{
    sl_status st;
    if (c->nt == 0) {
        st = sl_error_set(e, SL_ERR_STATE, "consensus: no topology");
        goto fail;
    }
    if (!(msg_loss >= 0.0 && msg_loss <= 1.0)) {
        st = sl_error_set(e, SL_ERR_RANGE, "consensus: msg_loss must be in [0, 1], got %g", msg_loss);
        goto fail;
    }
    if (sl_world_step_count(w) != 0) {
        st = sl_error_set(e, SL_ERR_STATE, "consensus: attach before the first step");
        goto fail;
    }
    snprintf(c->name, sizeof c->name, "%s", pop_name ? pop_name : "");
    char key[96];
    snprintf(key, sizeof key, "consensus:%s", c->name);
    if (sl_world_attached(w, key)) {
        st = sl_error_set(e, SL_ERR_STATE, "consensus: '%s' is already attached", c->name);
        goto fail;
    }
    sl_pop *p = sl_world_add_pop(w, pop_name, e);
    if (!p) {
        st = e ? e->code : SL_ERR_RANGE;
        goto fail;
    }
    /* the world owns c from here */
    if ((st = sl_world_attach(w, key, c, free_void, e)) != SL_OK) goto fail;
    if ((st = sl_checkpoint_register(w, key, cons_save, cons_load, e)) != SL_OK) return st;
    c->w = w;
    c->pop = p;
    c->pop_index = -1;
    for (int i = 0; i < sl_world_npops(w); i++)
        if (sl_world_pop_at(w, i) == p) c->pop_index = i;
    if (c->pop_index < 0 || c->pop_index >= SL_BUS_MAX_POPS)
        return sl_error_set(e, SL_ERR_RANGE, "consensus: too many populations for the bus");
    /* x, y: node positions (the unit square scaled to 100), value: the node's value */
    int cpx = sl_pop_add_column(p, "x", SL_F64, e);
    int cpy = sl_pop_add_column(p, "y", SL_F64, e);
    int cx = sl_pop_add_column(p, "value", SL_F64, e);
    int ccomp = sl_pop_add_column(p, "comp", SL_I32, e);
    if (cx < 0 || cpx < 0 || cpy < 0 || ccomp < 0) return e ? e->code : SL_ERR_RANGE;
    if (sl_pop_spawn(p, (size_t)c->n) == (size_t)-1)
        return sl_error_set(e, SL_ERR_NOMEM, "consensus: out of memory");
    c->col_x = cx;
    c->ids = malloc((size_t)c->n * sizeof *c->ids);
    c->nchunks = (c->n + SL_CHUNK - 1) / SL_CHUNK;
    c->cc = calloc((size_t)c->nchunks, sizeof *c->cc);
    if (!c->ids || !c->cc) return sl_error_set(e, SL_ERR_NOMEM, "consensus: out of memory");
    const sl_graph *g0 = c->t[0].g;
    for (int i = 0; i < c->n; i++) {
        c->ids[i] = sl_pop_id(p, (size_t)i);
        sl_pop_set(p, cx, (size_t)i, c->x[i]);
        sl_pop_set(p, cpx, (size_t)i, 100.0 * g0->x[i]);
        sl_pop_set(p, cpy, (size_t)i, 100.0 * g0->y[i]);
        sl_pop_set(p, ccomp, (size_t)i, (double)c->comp[i]);
    }
    /* the first topology as a world graph with positions, for drawing */
    sl_graph *wg = sl_world_add_graph(w, c->name, c->n, e);
    if (!wg) return e ? e->code : SL_ERR_RANGE;
    for (size_t k = 0; k < g0->ne; k++)
        if ((st = sl_graph_add_edge(wg, g0->eu[k], g0->ev[k], 1.0, 1, e)) != SL_OK) return st;
    if ((st = sl_graph_finalize(wg, e)) != SL_OK) return st;
    for (int i = 0; i < c->n; i++) {
        wg->x[i] = 100.0 * g0->x[i];
        wg->y[i] = 100.0 * g0->y[i];
    }
    if (!sl_world_plane(w)) sl_world_set_plane(w, (sl_plane){100.0, 100.0, 0});
    sl_recorder *r = sl_world_recorder(w);
    for (int k = 0; k < M_COUNT; k++) {
        c->metric[k] = sl_recorder_add(r, metric_names[k], NULL, -1, SL_REDUCE_VALUE, e);
        if (c->metric[k] < 0) return e ? e->code : SL_ERR_RANGE;
    }
    chunk_count zero = {0, 0, 0, 0};
    set_metrics(c, &zero);
    sl_bus *bus = sl_world_bus(w);
    if (!bus) return sl_error_set(e, SL_ERR_STATE, "consensus: the world has no message bus");
    sl_bus_set_seed(bus, sl_world_seed(w));
    sl_bus_link link = {msg_loss, 0, 0};
    if ((st = sl_bus_set_link(bus, c->pop_index, c->pop_index, link, e)) != SL_OK) return st;
    char sysname[96];
    snprintf(sysname, sizeof sysname, "consensus:%s", c->name);
    sl_system_def def = {.name = sysname, .pop = p, .pre = cons_pre, .run = cons_chunk,
                         .post = cons_post, .user = c};
    if (sl_world_add_system(w, &def, e) < 0) return e ? e->code : SL_ERR_RANGE;
    return SL_OK;
fail:
    sl_consensus_destroy(c);
    return st;
}

sl_consensus *sl_consensus_of(const sl_world *w, const char *pop_name)
{
    char key[96];
    snprintf(key, sizeof key, "consensus:%s", pop_name);
    return sl_world_attached(w, key);
}

/* ---- accessors and rates ---- */

int sl_consensus_n(const sl_consensus *c) { return c->n; }
const double *sl_consensus_x(const sl_consensus *c) { return c->x; }
bool sl_consensus_converged(const sl_consensus *c) { return c->done; }

bool sl_consensus_done(const sl_consensus *c)
{
    return c->done || (c->o.max_rounds > 0 && c->rounds >= c->o.max_rounds);
}
long sl_consensus_iterations(const sl_consensus *c) { return c->rounds; }
int sl_consensus_ncomponents(const sl_consensus *c) { return c->ncomp; }
const int *sl_consensus_components(const sl_consensus *c) { return c->comp; }
double sl_consensus_disagreement(const sl_consensus *c) { return c->dcur; }
double sl_consensus_initial_disagreement(const sl_consensus *c) { return c->d0; }
double sl_consensus_mean(const sl_consensus *c) { return plain_mean(c->x, c->n); }
double sl_consensus_initial_mean(const sl_consensus *c) { return c->mean0; }

void sl_consensus_traffic(const sl_consensus *c, uint64_t *sent, uint64_t *delivered,
                          uint64_t *lost, uint64_t *bytes)
{
    if (sent) *sent = c->tot_sent;
    if (delivered) *delivered = c->tot_deliv;
    if (lost) *lost = c->tot_lost;
    if (bytes) *bytes = c->tot_bytes;
}

double sl_consensus_empirical_rate(const sl_consensus *c)
{
    long K = c->rounds;
    if (K < 1 || c->nerr < (size_t)K + 1) return NAN;
    long h = K / 2;
    double a = c->err2[h], b = c->err2[K];
    if (!(a > 0.0)) return 0.0;
    return pow(b / a, 1.0 / (double)(K - h));
}

/* One cycle of the switching network as a linear operator, for the power iteration. */
typedef struct cycle_op {
    const sl_consensus *c;
    double *tmp, *mean;
} cycle_op;

static void remove_means(const sl_consensus *c, double *x, double *mean)
{
    for (int k = 0; k < c->ncomp; k++) mean[k] = 0.0;
    for (int i = 0; i < c->n; i++) mean[c->comp[i]] += x[i];
    for (int k = 0; k < c->ncomp; k++) mean[k] /= (double)c->ccount[k];
    for (int i = 0; i < c->n; i++) x[i] -= mean[c->comp[i]];
}

static void apply_T(const sl_mix *W, const double *x, double *y)
{
    for (int i = 0; i < W->n; i++) y[i] = W->self[i] * x[i];
    for (int i = 0; i < W->n; i++)
        for (uint32_t p = W->row[i]; p < W->row[i + 1]; p++) y[W->col[p]] += W->w[p] * x[i];
}

/* y = P^T P x with P = (W_L ... W_1)(I - J) restricted to deviations from component means. */
static void cycle_apply(const double *x, double *y, void *user)
{
    cycle_op *op = user;
    const sl_consensus *c = op->c;
    int L = c->o.period * c->nt;
    memcpy(y, x, (size_t)c->n * sizeof *y);
    remove_means(c, y, op->mean);
    for (int r = 1; r <= L; r++) {
        sl_mix_apply(c->t[topo_of(c, r)].W, y, op->tmp);
        memcpy(y, op->tmp, (size_t)c->n * sizeof *y);
    }
    remove_means(c, y, op->mean);
    for (int r = L; r >= 1; r--) {
        apply_T(c->t[topo_of(c, r)].W, y, op->tmp);
        memcpy(y, op->tmp, (size_t)c->n * sizeof *y);
    }
    remove_means(c, y, op->mean);
}

sl_status sl_consensus_theory_rate(const sl_consensus *c, double *rate, const char **kind,
                                   sl_error *e)
{
    if (c->nt == 0) return sl_error_set(e, SL_ERR_STATE, "consensus: no topology");
    if (c->nt == 1 && c->o.link_fail == 0.0) {
        if (kind) *kind = "slem";
        return sl_mix_slem(c->t[0].W, c->comp, c->ncomp, c->n <= 400 ? 0 : 2, rate, e);
    }
    if (c->nt == 1) {
        if (c->ncomp != 1 || c->n > 400)
            return sl_error_set(e, SL_ERR_RANGE,
                                "consensus: the link-failure rate needs a connected graph of <= 400 nodes");
        if (kind) *kind = "mean-square";
        return sl_mix_failure_rate(c->t[0].W, c->t[0].g, c->o.link_fail, rate, e);
    }
    if (c->o.link_fail > 0.0)
        return sl_error_set(e, SL_ERR_RANGE,
                            "consensus: no rate bound for switching topologies with link failures");
    cycle_op op = {c, malloc((size_t)c->n * sizeof(double)), malloc((size_t)c->n * sizeof(double))};
    if (!op.tmp || !op.mean) {
        free(op.tmp);
        free(op.mean);
        return sl_error_set(e, SL_ERR_NOMEM, "consensus: out of memory");
    }
    /* ccount is filled by comp_means in deviation(); recompute to be safe */
    comp_means(c, c->x, c->csum);
    double lo, lam;
    int conv, budget = sl_lanczos_budget(c->n);
    sl_status st = sl_lanczos_extremes(c->n, cycle_apply, &op, budget, &lo, &lam, &conv, e);
    free(op.tmp);
    free(op.mean);
    if (st != SL_OK) return st;
    if (!conv)
        return sl_error_set(e, SL_ERR_RANGE,
                            "consensus: Lanczos did not converge in %d steps (cycle norm >= %.9g)",
                            budget, pow(sqrt(fmax(lam, 0.0)), 1.0 / (c->o.period * c->nt)));
    if (lam < 0.0) lam = 0.0;
    int L = c->o.period * c->nt;
    *rate = pow(sqrt(lam), 1.0 / L);
    if (kind) *kind = "cycle-norm";
    return SL_OK;
}
