/* cnet.c - contract net protocol engine: conversations, deadlines, anomalies, trace. */
#include "swarmlab/cnet.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct bidder_rec {
    sl_cn_agent a;
    char answer;    /* 'p', 'r', 'l' or 0 */
    char decided;   /* 'a' accepted, 'j' rejected, 0 */
    char run;       /* first bidder of a conversation: 1 when its bidders are one population in
                     * consecutive id order (found by position) */
    double bid;
    double aux;
} bidder_rec;

/* A task waiting to be announced again: the conversation it last had, and when. */
typedef struct queued_task {
    uint64_t due;
    uint64_t conv;
} queued_task;

struct sl_cnet {
    sl_bus *bus;
    uint64_t now;           /* own clock (used without a world) */
    sl_cnet_def def;
    sl_cn_conv *conv;
    size_t nconv, capconv;
    bidder_rec *bidders;
    size_t nbid, capbid;
    uint64_t *active;       /* ids of non-terminal conversations, increasing */
    size_t nactive, capactive;
    queued_task *queue;     /* in order of due step (closes happen in step order) */
    size_t nqueue, capqueue;
    sl_cn_agent *scratch;   /* bidders of a re-announced task */
    size_t capscratch;
    sl_cnet_counts counts;
    FILE *trace;
    char *trace_path;
    char anomaly[256];
};

const char *sl_perf_name(uint32_t type)
{
    switch (type) {
    case SL_CN_CFP: return "cfp";
    case SL_CN_PROPOSE: return "propose";
    case SL_CN_REFUSE: return "refuse";
    case SL_CN_ACCEPT: return "accept-proposal";
    case SL_CN_REJECT: return "reject-proposal";
    case SL_CN_INFORM_DONE: return "inform-done";
    case SL_CN_FAILURE: return "failure";
    default: return "?";
    }
}

const char *sl_conv_state_name(int s)
{
    static const char *names[] = {"open", "awarded", "done", "failed", "no-bids", "timeout",
                                  "aborted"};
    return s >= 0 && s <= SL_CONV_ABORTED ? names[s] : "?";
}

sl_cnet_def sl_cnet_def_default(void)
{
    sl_cnet_def d;
    memset(&d, 0, sizeof d);
    d.deadline = 2;
    d.result_timeout = 4;
    return d;
}

sl_cnet *sl_cnet_create(sl_bus *bus, const sl_cnet_def *def, sl_error *e)
{
    if (!bus || !def || !def->bid) {
        sl_error_set(e, SL_ERR_USAGE, "contract net: a bus and a bid callback are required");
        return NULL;
    }
    sl_cnet *cn = calloc(1, sizeof *cn);
    if (!cn) {
        sl_error_set(e, SL_ERR_NOMEM, "contract net: out of memory");
        return NULL;
    }
    cn->bus = bus;
    cn->def = *def;
    if (cn->def.deadline < 2)
        cn->def.deadline = 2;
    if (cn->def.result_timeout == 0)
        cn->def.result_timeout = 4;
    return cn;
}

void sl_cnet_destroy(sl_cnet *cn)
{
    if (!cn)
        return;
    if (cn->trace) {
        fclose(cn->trace); /* left as path.part: the run did not close it */
    }
    free(cn->trace_path);
    free(cn->conv);
    free(cn->bidders);
    free(cn->active);
    free(cn->queue);
    free(cn->scratch);
    free(cn);
}

uint64_t sl_cnet_now(const sl_cnet *cn)
{
    return cn->def.world ? sl_world_step_count(cn->def.world) : cn->now;
}

sl_status sl_cnet_open_trace(sl_cnet *cn, const char *path, sl_error *e)
{
    size_t n = strlen(path);
    char *part = malloc(n + 6);
    if (!part)
        return sl_error_set(e, SL_ERR_NOMEM, "contract net: out of memory");
    memcpy(part, path, n);
    memcpy(part + n, ".part", 6);
    FILE *f = fopen(part, "w");
    free(part);
    if (!f)
        return sl_error_set(e, SL_ERR_IO, "%s: cannot open message trace for writing", path);
    if (cn->trace)
        fclose(cn->trace);
    free(cn->trace_path);
    cn->trace = f;
    cn->trace_path = strdup(path);
    fprintf(f, "step,conv,performative,from,to,value\n");
    return SL_OK;
}

sl_status sl_cnet_close_trace(sl_cnet *cn, sl_error *e)
{
    if (!cn->trace)
        return SL_OK;
    int bad = fclose(cn->trace) != 0;
    cn->trace = NULL;
    size_t n = strlen(cn->trace_path);
    char *part = malloc(n + 6);
    if (!part)
        return sl_error_set(e, SL_ERR_NOMEM, "contract net: out of memory");
    memcpy(part, cn->trace_path, n);
    memcpy(part + n, ".part", 6);
    if (!bad)
        bad = rename(part, cn->trace_path) != 0;
    free(part);
    if (bad)
        return sl_error_set(e, SL_ERR_IO, "%s: cannot write message trace", cn->trace_path);
    return SL_OK;
}

static void trace_line(sl_cnet *cn, uint64_t step, uint64_t conv, const char *what,
                       sl_cn_agent from, sl_cn_agent to, double value)
{
    if (!cn->trace)
        return;
    fprintf(cn->trace, "%llu,%llu,%s,%d:%u,%d:%u,", (unsigned long long)step,
            (unsigned long long)conv, what, from.pop, sl_id_index(from.id) + 1u, to.pop,
            sl_id_index(to.id) + 1u);
    if (isnan(value))
        fputc('\n', cn->trace);
    else
        fprintf(cn->trace, "%.17g\n", value);
}

static void anomaly(sl_cnet *cn, uint64_t step, const sl_msg *m, const char *why)
{
    cn->counts.anomalies++;
    sl_cn_agent from = {m->from_pop, m->from}, to = {m->to_pop, m->to};
    snprintf(cn->anomaly, sizeof cn->anomaly,
             "step %llu: %s from %d:%u to %d:%u in conversation %llu: %s",
             (unsigned long long)step, sl_perf_name(m->type), from.pop,
             sl_id_index(from.id) + 1u, to.pop, sl_id_index(to.id) + 1u,
             (unsigned long long)m->conv, why);
    char what[96];
    snprintf(what, sizeof what, "anomaly:%s:%s", sl_perf_name(m->type), why);
    for (char *p = what; *p; p++)
        if (*p == ',' || *p == ' ')
            *p = '_';
    trace_line(cn, step, m->conv, what, from, to, NAN);
}

static sl_status send(sl_cnet *cn, uint64_t step, uint32_t perf, const sl_cn_conv *c,
                      sl_cn_agent from, sl_cn_agent to, double value, double aux)
{
    sl_msg m = sl_msg_to_agent(perf, from.pop, from.id, to.pop, to.id, c->id);
    if (perf == SL_CN_CFP) {
        m.nd = SL_CN_TASK_DOUBLES;
        memcpy(m.d, c->task.d, sizeof c->task.d);
        m.nb = 8;
        memcpy(m.b, &c->task.item, 8);
    } else if (!isnan(value)) {
        m.nd = 2;
        m.d[0] = value;
        m.d[1] = aux;
    }
    sl_status s = sl_bus_send(cn->bus, 0, &m);
    if (s != SL_OK)
        return s;
    cn->counts.messages++;
    trace_line(cn, step, c->id, sl_perf_name(perf), from, to, value);
    return SL_OK;
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 1;
    size_t nc = *cap ? *cap * 2 : 64;
    while (nc < need)
        nc *= 2;
    void *np = realloc(*p, nc * elem);
    if (!np)
        return 0;
    *p = np;
    *cap = nc;
    return 1;
}

/* Sets the run flag of the first of n bidders (n >= 1). */
static void mark_run(bidder_rec *b, int n)
{
    int run = 1;
    for (int i = 1; i < n && run; i++)
        run = b[i].a.pop == b[0].a.pop && b[i].a.id - b[i - 1].a.id == 1 &&
              sl_id_index(b[i].a.id) == sl_id_index(b[0].a.id) + (uint32_t)i;
    b[0].run = (char)run;
}

static uint64_t announce(sl_cnet *cn, uint64_t step, sl_cn_agent manager, const sl_cn_task *task,
                         const sl_cn_agent *bidders, int nbidders, uint64_t origin,
                         uint32_t attempt, sl_error *e)
{
    if (nbidders <= 0) {
        sl_error_set(e, SL_ERR_RANGE, "contract net: a call for proposals needs bidders");
        return 0;
    }
    if (!grow((void **)&cn->conv, &cn->capconv, cn->nconv + 1, sizeof *cn->conv) ||
        !grow((void **)&cn->bidders, &cn->capbid, cn->nbid + (size_t)nbidders,
              sizeof *cn->bidders) ||
        !grow((void **)&cn->active, &cn->capactive, cn->nactive + 1, sizeof *cn->active)) {
        sl_error_set(e, SL_ERR_NOMEM, "contract net: out of memory");
        return 0;
    }
    sl_cn_conv *c = &cn->conv[cn->nconv];
    memset(c, 0, sizeof *c);
    c->id = cn->nconv + 1;
    c->task = *task;
    c->manager = manager;
    c->state = SL_CONV_OPEN;
    c->opened = step;
    c->deadline = step + cn->def.deadline;
    c->nbidders = nbidders;
    c->winner = -1;
    c->best = NAN;
    c->first_bidder = cn->nbid;
    c->origin = origin ? origin : c->id;
    c->attempt = attempt;
    for (int i = 0; i < nbidders; i++) {
        bidder_rec *b = &cn->bidders[cn->nbid + (size_t)i];
        b->a = bidders[i];
        b->answer = 0;
        b->decided = 0;
        b->bid = NAN;
        b->aux = NAN;
        b->run = 0;
    }
    mark_run(&cn->bidders[cn->nbid], nbidders);
    cn->nbid += (size_t)nbidders;
    cn->nconv++;
    cn->active[cn->nactive++] = c->id;
    cn->counts.open++;
    for (int i = 0; i < nbidders; i++) {
        if (send(cn, step, SL_CN_CFP, c, manager, bidders[i], NAN, NAN) != SL_OK) {
            sl_error_set(e, SL_ERR_NOMEM, "contract net: out of memory");
            return 0;
        }
    }
    return c->id;
}

uint64_t sl_cnet_announce(sl_cnet *cn, sl_cn_agent manager, const sl_cn_task *task,
                          const sl_cn_agent *bidders, int nbidders, sl_error *e)
{
    return announce(cn, sl_cnet_now(cn), manager, task, bidders, nbidders, 0, 1, e);
}

/* Announces the queued tasks due by `step` again, in the order they were queued. */
static sl_status reannounce_due(sl_cnet *cn, uint64_t step, sl_error *e)
{
    size_t k = 0;
    for (; k < cn->nqueue && cn->queue[k].due <= step; k++) {
        const sl_cn_conv *old = &cn->conv[cn->queue[k].conv - 1];
        size_t nb = (size_t)old->nbidders;
        if (!grow((void **)&cn->scratch, &cn->capscratch, nb, sizeof *cn->scratch))
            return sl_error_set(e, SL_ERR_NOMEM, "contract net: out of memory");
        for (size_t i = 0; i < nb; i++)
            cn->scratch[i] = cn->bidders[old->first_bidder + i].a;
        sl_cn_task task = old->task;
        sl_cn_agent mgr = old->manager;
        uint64_t origin = old->origin;
        uint32_t attempt = old->attempt + 1;
        if (announce(cn, step, mgr, &task, cn->scratch, (int)nb, origin, attempt, e) == 0)
            return e ? e->code : SL_ERR_NOMEM;
        cn->counts.queued--;
        cn->counts.reannounced++;
    }
    if (k == 0)
        return SL_OK;
    memmove(cn->queue, cn->queue + k, (cn->nqueue - k) * sizeof *cn->queue);
    cn->nqueue -= k;
    return SL_OK;
}

const sl_cn_conv *sl_cnet_conv(const sl_cnet *cn, uint64_t id)
{
    return id >= 1 && id <= cn->nconv ? &cn->conv[id - 1] : NULL;
}

size_t sl_cnet_nconv(const sl_cnet *cn)
{
    return cn->nconv;
}

sl_cn_agent sl_cnet_bidder(const sl_cnet *cn, const sl_cn_conv *c, int i, char *answer,
                           double *bid)
{
    const bidder_rec *b = &cn->bidders[c->first_bidder + (size_t)i];
    if (answer)
        *answer = b->answer;
    if (bid)
        *bid = b->bid;
    return b->a;
}

double sl_cnet_bidder_aux(const sl_cnet *cn, const sl_cn_conv *c, int i)
{
    return cn->bidders[c->first_bidder + (size_t)i].aux;
}

sl_cnet_counts sl_cnet_counts_get(const sl_cnet *cn)
{
    return cn->counts;
}

const char *sl_cnet_last_anomaly(const sl_cnet *cn)
{
    return cn->anomaly;
}

/* Callbacks may open conversations (sl_cnet_announce), which moves the conversation and bidder
 * arrays: code that calls one keeps the conversation's id and fetches it again afterwards. */
static sl_cn_conv *conv_at(sl_cnet *cn, uint64_t id)
{
    return &cn->conv[id - 1];
}

/* Position of a participant among the bidders of c, or -1. Bidders that are one population in
 * consecutive id order (the usual call: a whole population) are found by position; otherwise
 * the list is searched. */
static int find_bidder(const sl_cnet *cn, const sl_cn_conv *c, int pop, sl_id id)
{
    if (c->nbidders > 0 && cn->bidders[c->first_bidder].run) {
        const bidder_rec *b0 = &cn->bidders[c->first_bidder];
        uint64_t k = (uint64_t)sl_id_index(id) - (uint64_t)sl_id_index(b0->a.id);
        if (sl_id_index(id) >= sl_id_index(b0->a.id) && k < (uint64_t)c->nbidders &&
            b0[k].a.pop == pop && b0[k].a.id == id)
            return (int)k;
        return -1;
    }
    for (int i = 0; i < c->nbidders; i++) {
        const bidder_rec *b = &cn->bidders[c->first_bidder + (size_t)i];
        if (b->a.pop == pop && b->a.id == id)
            return i;
    }
    return -1;
}

static sl_status close_conv(sl_cnet *cn, sl_cn_conv *c, int state, uint64_t step, sl_error *e)
{
    if (c->state == SL_CONV_OPEN)
        cn->counts.open--;
    else if (c->state == SL_CONV_AWARDED)
        cn->counts.awarded--;
    c->state = state;
    c->closed = step;
    if (cn->def.retry > 0 && (state == SL_CONV_NO_BIDS || state == SL_CONV_FAILED ||
                              state == SL_CONV_TIMEOUT)) {
        if (!grow((void **)&cn->queue, &cn->capqueue, cn->nqueue + 1, sizeof *cn->queue))
            return sl_error_set(e, SL_ERR_NOMEM, "contract net: out of memory");
        cn->queue[cn->nqueue].due = step + cn->def.retry;
        cn->queue[cn->nqueue].conv = c->id;
        cn->nqueue++;
        cn->counts.queued++;
        c->requeued = 1;
    }
    switch (state) {
    case SL_CONV_DONE: cn->counts.done++; break;
    case SL_CONV_FAILED: cn->counts.failed++; break;
    case SL_CONV_NO_BIDS: cn->counts.no_bids++; break;
    case SL_CONV_TIMEOUT: cn->counts.timeout++; break;
    default: cn->counts.aborted++; break;
    }
    if (cn->trace) {
        char what[32];
        snprintf(what, sizeof what, "closed:%s", sl_conv_state_name(state));
        trace_line(cn, step, c->id, what, c->manager, c->manager, c->best);
    }
    if (cn->def.on_close)
        return cn->def.on_close(cn->def.user, c, e);
    return SL_OK;
}

static sl_status on_bidder_msg(sl_cnet *cn, uint64_t step, const sl_msg *m, sl_error *e)
{
    sl_cn_conv *c = m->conv >= 1 && m->conv <= cn->nconv ? &cn->conv[m->conv - 1] : NULL;
    if (!c) {
        anomaly(cn, step, m, "unknown conversation");
        return SL_OK;
    }
    int bi = find_bidder(cn, c, m->to_pop, m->to);
    if (bi < 0 || c->manager.pop != m->from_pop || c->manager.id != m->from) {
        anomaly(cn, step, m, "not a participant of this conversation");
        return SL_OK;
    }
    bidder_rec *b = &cn->bidders[c->first_bidder + (size_t)bi];
    const uint64_t id = c->id;
    sl_cn_agent me = b->a;
    if (m->type == SL_CN_CFP) {
        int propose = 0;
        double cost = NAN, aux = 0.0;
        sl_status s = cn->def.bid(cn->def.user, c, me, &propose, &cost, &aux, e);
        if (s != SL_OK)
            return s;
        c = conv_at(cn, id);
        if (propose && !isfinite(cost))
            return sl_error_set(e, SL_ERR_RANGE,
                                "contract net: bid of agent %d:%u in conversation %llu is %g "
                                "(a bid must be a finite number)",
                                me.pop, sl_id_index(me.id) + 1u, (unsigned long long)c->id, cost);
        return send(cn, step, propose ? SL_CN_PROPOSE : SL_CN_REFUSE, c, me, c->manager,
                    propose ? cost : NAN, aux);
    }
    if (m->type == SL_CN_REJECT) {
        if (b->answer != 'p' && b->answer != 'l')
            anomaly(cn, step, m, "reject without a proposal");
        return SL_OK;
    }
    /* accept-proposal */
    if (b->answer != 'p' || c->winner != bi || c->state != SL_CONV_AWARDED) {
        anomaly(cn, step, m, "accept-proposal out of sequence");
        return SL_OK;
    }
    int ok = 1;
    if (cn->def.exec) {
        sl_status s = cn->def.exec(cn->def.user, c, me, &ok, e);
        if (s != SL_OK)
            return s;
        c = conv_at(cn, id);
    }
    return send(cn, step, ok ? SL_CN_INFORM_DONE : SL_CN_FAILURE, c, me, c->manager, NAN, NAN);
}

static sl_status on_manager_msg(sl_cnet *cn, uint64_t step, const sl_msg *m, sl_error *e)
{
    sl_cn_conv *c = m->conv >= 1 && m->conv <= cn->nconv ? &cn->conv[m->conv - 1] : NULL;
    if (!c) {
        anomaly(cn, step, m, "unknown conversation");
        return SL_OK;
    }
    int bi = find_bidder(cn, c, m->from_pop, m->from);
    if (bi < 0 || c->manager.pop != m->to_pop || c->manager.id != m->to) {
        anomaly(cn, step, m, "not a participant of this conversation");
        return SL_OK;
    }
    bidder_rec *b = &cn->bidders[c->first_bidder + (size_t)bi];
    if (m->type == SL_CN_PROPOSE || m->type == SL_CN_REFUSE) {
        if (b->answer) {
            anomaly(cn, step, m, "second answer to the same call");
            return SL_OK;
        }
        if (c->state != SL_CONV_OPEN || step > c->deadline) {
            b->answer = 'l';
            c->nlate++;
            cn->counts.late++;
            if (m->type == SL_CN_PROPOSE) {
                b->bid = m->nd >= 1 ? m->d[0] : NAN; /* kept for the record, never considered */
                b->decided = 'j';
                return send(cn, step, SL_CN_REJECT, c, c->manager, b->a, NAN, NAN);
            }
            return SL_OK;
        }
        if (m->type == SL_CN_PROPOSE) {
            b->answer = 'p';
            b->bid = m->nd >= 1 ? m->d[0] : NAN;
            b->aux = m->nd >= 2 ? m->d[1] : NAN;
            c->nproposals++;
        } else {
            b->answer = 'r';
            c->nrefusals++;
        }
        return SL_OK;
    }
    /* inform-done / failure */
    if (c->state != SL_CONV_AWARDED || c->winner != bi) {
        anomaly(cn, step, m, "result from an agent that was not awarded");
        return SL_OK;
    }
    return close_conv(cn, c, m->type == SL_CN_INFORM_DONE ? SL_CONV_DONE : SL_CONV_FAILED, step,
                      e);
}

static sl_status decide(sl_cnet *cn, sl_cn_conv *c, uint64_t step, sl_error *e)
{
    int best = -1;
    for (int i = 0; i < c->nbidders; i++) {
        bidder_rec *b = &cn->bidders[c->first_bidder + (size_t)i];
        if (b->answer == 'p' && (best < 0 || b->bid < cn->bidders[c->first_bidder +
                                                                  (size_t)best].bid))
            best = i;
    }
    if (best >= 0 && cn->def.choose) {
        const uint64_t id = c->id;
        sl_status s = cn->def.choose(cn->def.user, c, &best, e);
        if (s != SL_OK)
            return s;
        c = conv_at(cn, id);
        if (best >= c->nbidders || (best >= 0 && cn->bidders[c->first_bidder + (size_t)best]
                                                         .answer != 'p'))
            return sl_error_set(e, SL_ERR_RANGE, "contract net: award rule chose bidder %d, "
                                "which made no proposal in conversation %llu", best,
                                (unsigned long long)c->id);
    }
    if (best < 0) {
        for (int i = 0; i < c->nbidders; i++) { /* nothing acceptable: reject every proposal */
            bidder_rec *b = &cn->bidders[c->first_bidder + (size_t)i];
            if (b->answer != 'p')
                continue;
            b->decided = 'j';
            sl_status s = send(cn, step, SL_CN_REJECT, c, c->manager, b->a, NAN, NAN);
            if (s != SL_OK)
                return sl_error_set(e, s, "contract net: out of memory");
        }
        return close_conv(cn, c, SL_CONV_NO_BIDS, step, e);
    }
    c->winner = best;
    c->best = cn->bidders[c->first_bidder + (size_t)best].bid;
    c->state = SL_CONV_AWARDED;
    c->result_deadline = step + cn->def.result_timeout;
    cn->counts.open--;
    cn->counts.awarded++;
    for (int i = 0; i < c->nbidders; i++) {
        bidder_rec *b = &cn->bidders[c->first_bidder + (size_t)i];
        if (b->answer != 'p')
            continue;
        b->decided = i == best ? 'a' : 'j';
        sl_status s = send(cn, step, i == best ? SL_CN_ACCEPT : SL_CN_REJECT, c, c->manager, b->a,
                           i == best ? c->best : NAN, NAN);
        if (s != SL_OK)
            return sl_error_set(e, s, "contract net: out of memory");
    }
    return SL_OK;
}

/* Removes terminal conversations from the active list, keeping the order (conversations opened
 * by callbacks while the list was walked are at its end). */
static void drop_closed(sl_cnet *cn)
{
    size_t keep = 0;
    for (size_t k = 0; k < cn->nactive; k++)
        if (!sl_conv_terminal(conv_at(cn, cn->active[k])->state))
            cn->active[keep++] = cn->active[k];
    cn->nactive = keep;
}

sl_status sl_cnet_step(sl_cnet *cn, sl_error *e)
{
    if (!cn->def.world)
        cn->now++;
    const uint64_t step = sl_cnet_now(cn);
    size_t n;
    const sl_msg *m = sl_bus_delivered(cn->bus, &n);
    for (size_t i = 0; i < n; i++) {
        if (m[i].to_kind != SL_TO_AGENT || m[i].type <= SL_CN_BASE || m[i].type > SL_CN_FAILURE)
            continue;
        sl_status s;
        switch (m[i].type) {
        case SL_CN_CFP:
        case SL_CN_ACCEPT:
        case SL_CN_REJECT:
            s = on_bidder_msg(cn, step, &m[i], e);
            break;
        default:
            s = on_manager_msg(cn, step, &m[i], e);
            break;
        }
        if (s != SL_OK)
            return s;
    }
    /* Deadlines, in conversation order; drop closed conversations from the active list. */
    const size_t nactive = cn->nactive;
    for (size_t k = 0; k < nactive; k++) {
        const uint64_t id = cn->active[k];
        sl_cn_conv *c = conv_at(cn, id);
        sl_status s = SL_OK;
        if (c->state == SL_CONV_OPEN &&
            (step >= c->deadline || c->nproposals + c->nrefusals == c->nbidders))
            s = decide(cn, c, step, e);
        else if (c->state == SL_CONV_AWARDED && step > c->result_deadline)
            s = close_conv(cn, c, SL_CONV_TIMEOUT, step, e);
        if (s != SL_OK)
            return s;
    }
    drop_closed(cn);
    return reannounce_due(cn, step, e);
}

sl_status sl_cnet_abort_open(sl_cnet *cn, sl_error *e)
{
    const uint64_t step = sl_cnet_now(cn);
    /* conversations opened by on_close callbacks meanwhile stay open */
    const size_t nactive = cn->nactive;
    for (size_t k = 0; k < nactive; k++) {
        sl_cn_conv *c = conv_at(cn, cn->active[k]);
        if (!sl_conv_terminal(c->state)) {
            sl_status s = close_conv(cn, c, SL_CONV_ABORTED, step, e);
            if (s != SL_OK)
                return s;
        }
    }
    drop_closed(cn);
    return SL_OK;
}

static sl_status cnet_system(sl_world *w, void *user, sl_error *e)
{
    (void)w;
    return sl_cnet_step(user, e);
}

sl_status sl_cnet_attach(sl_cnet *cn, sl_world *w, sl_error *e)
{
    sl_system_def def = {0};
    def.name = "contract_net";
    def.pre = cnet_system;
    def.user = cn;
    cn->def.world = w;
    return sl_world_add_system(w, &def, e) < 0 ? (e ? e->code : SL_ERR_STATE) : SL_OK;
}

static const char cnet_magic[8] = {'S', 'L', 'C', 'N', 'E', 'T', '2', 0};

/* fwrite of n items; an empty array (possibly NULL) writes nothing. */
static int write_items(const void *p, size_t size, size_t n, FILE *f)
{
    return n == 0 || fwrite(p, size, n, f) == n;
}

sl_status sl_cnet_write(const sl_cnet *cn, FILE *f, sl_error *e)
{
    uint64_t hdr[7] = {sizeof(sl_cn_conv), sizeof(bidder_rec), cn->nconv, cn->nbid, cn->nactive,
                       cn->nqueue, cn->now};
    int ok = fwrite(cnet_magic, 1, 8, f) == 8 && fwrite(hdr, sizeof hdr, 1, f) == 1 &&
             fwrite(&cn->counts, sizeof cn->counts, 1, f) == 1 &&
             write_items(cn->conv, sizeof *cn->conv, cn->nconv, f) &&
             write_items(cn->bidders, sizeof *cn->bidders, cn->nbid, f) &&
             write_items(cn->active, sizeof *cn->active, cn->nactive, f) &&
             write_items(cn->queue, sizeof *cn->queue, cn->nqueue, f);
    return ok ? SL_OK : sl_error_set(e, SL_ERR_IO, "contract net: checkpoint write failed");
}

sl_status sl_cnet_read(sl_cnet *cn, FILE *f, const char *name, sl_error *e)
{
    char magic[8];
    uint64_t hdr[7];
    sl_cnet_counts counts;
    if (fread(magic, 1, 8, f) != 8 || memcmp(magic, cnet_magic, 8) != 0 ||
        fread(hdr, sizeof hdr, 1, f) != 1 || fread(&counts, sizeof counts, 1, f) != 1)
        return sl_error_set(e, SL_ERR_PARSE, "%s: not a contract net section", name);
    if (hdr[0] != sizeof(sl_cn_conv) || hdr[1] != sizeof(bidder_rec) || hdr[2] > (1u << 30) ||
        hdr[3] > (1u << 30) || hdr[4] > hdr[2] || hdr[5] > hdr[2])
        return sl_error_set(e, SL_ERR_PARSE, "%s: contract net section from another build or "
                            "corrupt", name);
    size_t nc = (size_t)hdr[2], nb = (size_t)hdr[3], na = (size_t)hdr[4], nq = (size_t)hdr[5];
    /* the arrays must fit in what the file still holds before anything is allocated for them */
    long pos = ftell(f), end = -1;
    if (pos >= 0 && fseek(f, 0, SEEK_END) == 0) end = ftell(f);
    if (pos < 0 || end < pos || fseek(f, pos, SEEK_SET) != 0 ||
        (uint64_t)(end - pos) < (uint64_t)nc * sizeof *cn->conv +
                                     (uint64_t)nb * sizeof *cn->bidders +
                                     (uint64_t)na * sizeof *cn->active +
                                     (uint64_t)nq * sizeof *cn->queue)
        return sl_error_set(e, SL_ERR_PARSE, "%s: truncated contract net section", name);
    if (!grow((void **)&cn->conv, &cn->capconv, nc + 1, sizeof *cn->conv) ||
        !grow((void **)&cn->bidders, &cn->capbid, nb + 1, sizeof *cn->bidders) ||
        !grow((void **)&cn->active, &cn->capactive, na + 1, sizeof *cn->active) ||
        !grow((void **)&cn->queue, &cn->capqueue, nq + 1, sizeof *cn->queue))
        return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", name);
    if (fread(cn->conv, sizeof *cn->conv, nc, f) != nc ||
        fread(cn->bidders, sizeof *cn->bidders, nb, f) != nb ||
        fread(cn->active, sizeof *cn->active, na, f) != na ||
        fread(cn->queue, sizeof *cn->queue, nq, f) != nq)
        return sl_error_set(e, SL_ERR_PARSE, "%s: truncated contract net section", name);
    /* indices used to reach the bidders and conversations must point inside them (the caller
     * restores the previous state when this fails) */
    for (size_t i = 0; i < nc; i++) {
        const sl_cn_conv *c = &cn->conv[i];
        if (c->id != i + 1 || c->state < SL_CONV_OPEN || c->state > SL_CONV_ABORTED ||
            c->nbidders < 0 || c->first_bidder > nb || (size_t)c->nbidders > nb - c->first_bidder ||
            c->winner < -1 || c->winner >= c->nbidders || c->nproposals < 0 ||
            c->nrefusals < 0 || c->nlate < 0 || c->nproposals > c->nbidders ||
            c->nrefusals > c->nbidders || c->origin < 1 || c->origin > c->id)
            return sl_error_set(e, SL_ERR_PARSE, "%s: corrupt contract net section "
                                "(conversation %zu)", name, i + 1);
    }
    for (size_t i = 0; i < nc; i++) /* derived from the bidders, not taken from the file */
        if (cn->conv[i].nbidders > 0)
            mark_run(&cn->bidders[cn->conv[i].first_bidder], cn->conv[i].nbidders);
    for (size_t k = 0; k < na; k++)
        if (cn->active[k] < 1 || cn->active[k] > nc)
            return sl_error_set(e, SL_ERR_PARSE, "%s: corrupt contract net section (active "
                                "conversation %zu)", name, k + 1);
    for (size_t k = 0; k < nq; k++)
        if (cn->queue[k].conv < 1 || cn->queue[k].conv > nc ||
            (k > 0 && cn->queue[k].due < cn->queue[k - 1].due))
            return sl_error_set(e, SL_ERR_PARSE, "%s: corrupt contract net section (queued "
                                "task %zu)", name, k + 1);
    cn->nconv = nc;
    cn->nqueue = nq;
    cn->now = hdr[6];
    cn->nbid = nb;
    cn->nactive = na;
    cn->counts = counts;
    cn->anomaly[0] = 0;
    return SL_OK;
}
