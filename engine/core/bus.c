/* bus.c - message bus: per-chunk staging, deterministic numbering, loss/delay, sorted delivery. */
#include "swarmlab/bus.h"

#include <assert.h>
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include "swarmlab/recorder.h"
#include "swarmlab/rng.h"

typedef struct msg_buf {
    sl_msg *m;
    size_t n, cap;
} msg_buf;

#define LINK_DIM (SL_BUS_MAX_POPS + 1) /* last row/column: "any population" */

struct sl_bus {
    uint64_t seed;
    sl_bus_link links[LINK_DIM * LINK_DIM];
    uint8_t link_set[LINK_DIM * LINK_DIM];
    sl_bus_link_fn link_fn;
    void *link_user;
    double plane_w, plane_h;
    int wraps;

    msg_buf **chunks;          /* SL_BUS_MAX_CHUNKS pointers, each made by its chunk's thread */
    atomic_int nchunks;        /* 1 + highest chunk that has a buffer */
    msg_buf pending;           /* in flight, unordered (kept in sequence order) */
    msg_buf delivered;         /* readable this step, sorted */
    uint64_t next_seq;
    uint64_t last_step;        /* last ended step + 1; 0 before the first */
    sl_bus_stats stats;
    sl_recorder *rec;          /* optional: per-step counts go to these metrics */
    int metric[3];
};

static int buf_push(msg_buf *b, const sl_msg *m)
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 64;
        sl_msg *nm = realloc(b->m, cap * sizeof *nm);
        if (!nm)
            return 0;
        b->m = nm;
        b->cap = cap;
    }
    b->m[b->n++] = *m;
    return 1;
}

static int buf_reserve(msg_buf *b, size_t n)
{
    if (n <= b->cap)
        return 1;
    sl_msg *nm = realloc(b->m, n * sizeof *nm);
    if (!nm)
        return 0;
    b->m = nm;
    b->cap = n;
    return 1;
}

sl_bus *sl_bus_create(void)
{
    sl_bus *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->chunks = calloc(SL_BUS_MAX_CHUNKS, sizeof *b->chunks);
    if (!b->chunks) {
        free(b);
        return NULL;
    }
    atomic_init(&b->nchunks, 0);
    return b;
}

void sl_bus_destroy(sl_bus *b)
{
    if (!b)
        return;
    int nc = atomic_load(&b->nchunks);
    for (int c = 0; c < nc; c++) {
        if (b->chunks[c]) {
            free(b->chunks[c]->m);
            free(b->chunks[c]);
        }
    }
    free(b->chunks);
    free(b->pending.m);
    free(b->delivered.m);
    free(b);
}

void sl_bus_set_seed(sl_bus *b, uint64_t seed)
{
    b->seed = seed;
}

static int link_index(int pop)
{
    return pop < 0 ? SL_BUS_MAX_POPS : pop;
}

sl_status sl_bus_set_link(sl_bus *b, int from_pop, int to_pop, sl_bus_link link, sl_error *e)
{
    if (!(link.loss >= 0.0 && link.loss <= 1.0))
        return sl_error_set(e, SL_ERR_RANGE, "bus: link loss probability %g is outside [0, 1]",
                            link.loss);
    if (from_pop >= SL_BUS_MAX_POPS || to_pop >= SL_BUS_MAX_POPS)
        return sl_error_set(e, SL_ERR_RANGE, "bus: population %d outside 0..%d",
                            from_pop >= SL_BUS_MAX_POPS ? from_pop : to_pop, SL_BUS_MAX_POPS - 1);
    int k = link_index(from_pop) * LINK_DIM + link_index(to_pop);
    b->links[k] = link;
    b->link_set[k] = 1;
    return SL_OK;
}

void sl_bus_set_link_fn(sl_bus *b, sl_bus_link_fn fn, void *user)
{
    b->link_fn = fn;
    b->link_user = user;
}

void sl_bus_set_plane(sl_bus *b, double width, double height, int wraps)
{
    b->plane_w = width;
    b->plane_h = height;
    b->wraps = wraps;
}

static sl_bus_link link_for(const sl_bus *b, const sl_msg *m)
{
    if (b->link_fn)
        return b->link_fn(m, b->link_user);
    int f = (m->from_pop >= 0 && m->from_pop < SL_BUS_MAX_POPS) ? m->from_pop : -1;
    int t = (m->to_pop >= 0 && m->to_pop < SL_BUS_MAX_POPS) ? m->to_pop : -1;
    const int tries[4][2] = {{f, t}, {f, -1}, {-1, t}, {-1, -1}};
    for (int i = 0; i < 4; i++) {
        int k = link_index(tries[i][0]) * LINK_DIM + link_index(tries[i][1]);
        if (b->link_set[k])
            return b->links[k];
    }
    sl_bus_link perfect = {0.0, 0, 0};
    return perfect;
}

sl_status sl_bus_send(sl_bus *b, int chunk, const sl_msg *m)
{
    assert(chunk >= 0 && chunk < SL_BUS_MAX_CHUNKS);
    assert(m->nd <= SL_MSG_DOUBLES && m->nb <= SL_MSG_BYTES);
    msg_buf *cb = b->chunks[chunk];
    if (!cb) {
        /* Only the thread running this chunk touches this slot. */
        cb = calloc(1, sizeof *cb);
        if (!cb)
            return SL_ERR_NOMEM;
        b->chunks[chunk] = cb;
        int cur = atomic_load(&b->nchunks);
        while (cur < chunk + 1 && !atomic_compare_exchange_weak(&b->nchunks, &cur, chunk + 1)) {
        }
    }
    return buf_push(cb, m) ? SL_OK : SL_ERR_NOMEM;
}

static sl_msg msg_base(uint32_t type, int from_pop, sl_id from, int to_pop, uint64_t conv)
{
    sl_msg m;
    memset(&m, 0, sizeof m);
    m.type = type;
    m.from_pop = from_pop;
    m.from = from;
    m.to_pop = to_pop;
    m.conv = conv;
    return m;
}

sl_msg sl_msg_to_agent(uint32_t type, int from_pop, sl_id from, int to_pop, sl_id to, uint64_t conv)
{
    sl_msg m = msg_base(type, from_pop, from, to_pop, conv);
    m.to_kind = SL_TO_AGENT;
    m.to = to;
    return m;
}

sl_msg sl_msg_to_pop(uint32_t type, int from_pop, sl_id from, int to_pop, uint64_t conv)
{
    sl_msg m = msg_base(type, from_pop, from, to_pop, conv);
    m.to_kind = SL_TO_POP;
    return m;
}

sl_msg sl_msg_to_radius(uint32_t type, int from_pop, sl_id from, int to_pop, double x, double y,
                        double radius, uint64_t conv)
{
    sl_msg m = msg_base(type, from_pop, from, to_pop, conv);
    m.to_kind = SL_TO_RADIUS;
    m.x = x;
    m.y = y;
    m.radius = radius;
    return m;
}

size_t sl_msg_bytes(const sl_msg *m)
{
    return SL_MSG_HEADER_BYTES + 8u * m->nd + m->nb;
}

/* Sort key: (to_pop, direct?, to, from_pop, from, seq). Broadcasts (direct = 0) come first in
 * their population. seq is unique, so the order is total. */
static int cmp_i64(int64_t a, int64_t b)
{
    return (a > b) - (a < b);
}

static int cmp_u64(uint64_t a, uint64_t b)
{
    return (a > b) - (a < b);
}

static int cmp_receiver(int32_t pa, int da, sl_id ta, int32_t pb, int db, sl_id tb)
{
    int c = cmp_i64(pa, pb);
    if (c)
        return c;
    c = cmp_i64(da, db);
    if (c)
        return c;
    return da ? cmp_u64(ta, tb) : 0;
}

static int cmp_sender(const sl_msg *a, const sl_msg *b)
{
    int c = cmp_i64(a->from_pop, b->from_pop);
    if (c)
        return c;
    c = cmp_u64(a->from, b->from);
    if (c)
        return c;
    return cmp_u64(a->seq, b->seq);
}

static int cmp_msg(const void *pa, const void *pb)
{
    const sl_msg *a = pa, *b = pb;
    int c = cmp_receiver(a->to_pop, a->to_kind == SL_TO_AGENT, a->to, b->to_pop,
                         b->to_kind == SL_TO_AGENT, b->to);
    return c ? c : cmp_sender(a, b);
}

sl_status sl_bus_end_step(sl_bus *b, uint64_t step)
{
    if (b->last_step > step)
        return SL_ERR_STATE;
    sl_bus_stats *s = &b->stats;
    s->step = step;
    s->sent = s->bytes = s->lost = s->delivered = 0;

    int nc = atomic_load(&b->nchunks);
    for (int c = 0; c < nc; c++) {
        msg_buf *cb = b->chunks[c];
        if (!cb)
            continue;
        for (size_t i = 0; i < cb->n; i++) {
            sl_msg m = cb->m[i];
            m.seq = b->next_seq++;
            m.sent = step;
            s->sent++;
            s->bytes += sl_msg_bytes(&m);
            sl_bus_link lk = link_for(b, &m);
            sl_rng r = sl_rng_make(b->seed, SL_STREAM_BUS, m.seq, step);
            double u = sl_rng_uniform(&r);
            if (lk.loss > 0.0 && u < lk.loss) {
                s->lost++;
                continue;
            }
            uint64_t extra = lk.delay;
            if (lk.jitter > 0)
                extra += sl_rng_below(&r, lk.jitter + 1u);
            m.due = step + 1 + extra;
            if (!buf_push(&b->pending, &m))
                return SL_ERR_NOMEM;
        }
        cb->n = 0;
    }

    /* Move what is due next step into the delivered set; keep the rest in sequence order. */
    b->delivered.n = 0;
    size_t keep = 0;
    for (size_t i = 0; i < b->pending.n; i++) {
        const sl_msg *m = &b->pending.m[i];
        if (m->due <= step + 1) {
            if (!buf_push(&b->delivered, m))
                return SL_ERR_NOMEM;
        } else {
            b->pending.m[keep++] = *m;
        }
    }
    b->pending.n = keep;
    if (b->delivered.n > 1)
        qsort(b->delivered.m, b->delivered.n, sizeof(sl_msg), cmp_msg);
    s->delivered = b->delivered.n;
    s->pending = b->pending.n;
    s->total_sent += s->sent;
    s->total_bytes += s->bytes;
    s->total_lost += s->lost;
    s->total_delivered += s->delivered;
    b->last_step = step + 1;
    if (b->rec) {
        sl_recorder_set(b->rec, b->metric[0], (double)s->sent);
        sl_recorder_set(b->rec, b->metric[1], (double)s->bytes);
        sl_recorder_set(b->rec, b->metric[2], (double)s->lost);
    }
    return SL_OK;
}

sl_status sl_bus_record(sl_bus *b, sl_recorder *r, const char *prefix, sl_error *e)
{
    static const char *suffix[3] = {"messages", "bytes", "lost"};
    int m[3];
    for (int i = 0; i < 3; i++) {
        char name[256];
        snprintf(name, sizeof name, "%s_%s", prefix, suffix[i]);
        m[i] = sl_recorder_add(r, name, NULL, -1, SL_REDUCE_VALUE, e);
        if (m[i] < 0)
            return e ? e->code : SL_ERR_RANGE;
        sl_recorder_set(r, m[i], 0.0);
    }
    b->rec = r;
    memcpy(b->metric, m, sizeof m);
    return SL_OK;
}

const sl_msg *sl_bus_delivered(const sl_bus *b, size_t *n)
{
    *n = b->delivered.n;
    return b->delivered.n ? b->delivered.m : NULL;
}

/* First delivered index whose receiver key is >= (pop, direct, id). */
static size_t lower_bound(const sl_bus *b, int pop, int direct, sl_id id)
{
    size_t lo = 0, hi = b->delivered.n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const sl_msg *m = &b->delivered.m[mid];
        if (cmp_receiver(m->to_pop, m->to_kind == SL_TO_AGENT, m->to, pop, direct, id) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static size_t upper_bound(const sl_bus *b, int pop, int direct, sl_id id)
{
    size_t lo = 0, hi = b->delivered.n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const sl_msg *m = &b->delivered.m[mid];
        if (cmp_receiver(m->to_pop, m->to_kind == SL_TO_AGENT, m->to, pop, direct, id) <= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

size_t sl_bus_inbox(const sl_bus *b, int pop, sl_id id, const sl_msg **first)
{
    size_t lo = lower_bound(b, pop, 1, id), hi = upper_bound(b, pop, 1, id);
    *first = hi > lo ? &b->delivered.m[lo] : NULL;
    return hi - lo;
}

int sl_bus_reaches(const sl_bus *b, const sl_msg *m, double x, double y)
{
    if (m->to_kind != SL_TO_RADIUS)
        return 1;
    double dx = fabs(x - m->x), dy = fabs(y - m->y);
    if (b->wraps) {
        if (b->plane_w > 0 && dx > 0.5 * b->plane_w)
            dx = b->plane_w - dx;
        if (b->plane_h > 0 && dy > 0.5 * b->plane_h)
            dy = b->plane_h - dy;
    }
    return dx * dx + dy * dy <= m->radius * m->radius;
}

sl_bus_iter sl_bus_iter_make(const sl_bus *b, int pop, sl_id id, double x, double y)
{
    sl_bus_iter it;
    memset(&it, 0, sizeof it);
    it.nd = sl_bus_inbox(b, pop, id, &it.direct);
    size_t lo = lower_bound(b, pop, 0, 0), hi = upper_bound(b, pop, 0, 0);
    it.bcast = hi > lo ? &b->delivered.m[lo] : NULL;
    it.nb = hi - lo;
    it.x = x;
    it.y = y;
    return it;
}

const sl_msg *sl_bus_iter_next(const sl_bus *b, sl_bus_iter *it)
{
    while (it->ib < it->nb && !sl_bus_reaches(b, &it->bcast[it->ib], it->x, it->y))
        it->ib++;
    const sl_msg *d = it->id < it->nd ? &it->direct[it->id] : NULL;
    const sl_msg *c = it->ib < it->nb ? &it->bcast[it->ib] : NULL;
    if (d && (!c || cmp_sender(d, c) < 0)) {
        it->id++;
        return d;
    }
    if (c) {
        it->ib++;
        return c;
    }
    return NULL;
}

const sl_bus_stats *sl_bus_stats_get(const sl_bus *b)
{
    return &b->stats;
}

sl_bus_state sl_bus_get_state(const sl_bus *b)
{
    sl_bus_state st;
    memset(&st, 0, sizeof st);
    st.seed = b->seed;
    st.next_seq = b->next_seq;
    st.last_step = b->last_step;
    st.stats = b->stats;
    st.pending = b->pending.m;
    st.npending = b->pending.n;
    st.delivered = b->delivered.m;
    st.ndelivered = b->delivered.n;
    return st;
}

sl_status sl_bus_set_state(sl_bus *b, const sl_bus_state *st, sl_error *e)
{
    if (!buf_reserve(&b->pending, st->npending) || !buf_reserve(&b->delivered, st->ndelivered))
        return sl_error_set(e, SL_ERR_NOMEM, "bus: out of memory restoring %zu messages",
                            st->npending + st->ndelivered);
    /* st may point into this bus's own arrays: memmove. */
    if (st->npending)
        memmove(b->pending.m, st->pending, st->npending * sizeof(sl_msg));
    if (st->ndelivered)
        memmove(b->delivered.m, st->delivered, st->ndelivered * sizeof(sl_msg));
    b->pending.n = st->npending;
    b->delivered.n = st->ndelivered;
    b->seed = st->seed;
    b->next_seq = st->next_seq;
    b->last_step = st->last_step;
    b->stats = st->stats;
    int nc = atomic_load(&b->nchunks);
    for (int c = 0; c < nc; c++)
        if (b->chunks[c])
            b->chunks[c]->n = 0;
    return SL_OK;
}

static const char bus_magic[8] = {'S', 'L', 'B', 'U', 'S', '1', 0, 0};

sl_status sl_bus_write(const sl_bus *b, FILE *f, sl_error *e)
{
    uint64_t hdr[5] = {sizeof(sl_msg), b->seed, b->next_seq, b->last_step, 0};
    uint64_t counts[2] = {b->pending.n, b->delivered.n};
    int ok = fwrite(bus_magic, 1, 8, f) == 8 && fwrite(hdr, sizeof hdr, 1, f) == 1 &&
             fwrite(&b->stats, sizeof b->stats, 1, f) == 1 &&
             fwrite(counts, sizeof counts, 1, f) == 1 &&
             (b->pending.n == 0 ||  /* an empty list may have no array: no fwrite(NULL, ..) */
              fwrite(b->pending.m, sizeof(sl_msg), b->pending.n, f) == b->pending.n) &&
             (b->delivered.n == 0 ||
              fwrite(b->delivered.m, sizeof(sl_msg), b->delivered.n, f) == b->delivered.n);
    return ok ? SL_OK : sl_error_set(e, SL_ERR_IO, "bus: write failed");
}

sl_status sl_bus_read(sl_bus *b, FILE *f, const char *name, sl_error *e)
{
    char magic[8];
    uint64_t hdr[5], counts[2];
    sl_bus_stats stats;
    if (fread(magic, 1, 8, f) != 8 || memcmp(magic, bus_magic, 8) != 0)
        return sl_error_set(e, SL_ERR_PARSE, "%s: not a message bus checkpoint", name);
    if (fread(hdr, sizeof hdr, 1, f) != 1 || fread(&stats, sizeof stats, 1, f) != 1 ||
        fread(counts, sizeof counts, 1, f) != 1)
        return sl_error_set(e, SL_ERR_PARSE, "%s: truncated message bus header", name);
    if (hdr[0] != sizeof(sl_msg))
        return sl_error_set(e, SL_ERR_PARSE, "%s: message size %llu, expected %zu", name,
                            (unsigned long long)hdr[0], sizeof(sl_msg));
    if (counts[0] > ((uint64_t)1 << 32) || counts[1] > ((uint64_t)1 << 32))
        return sl_error_set(e, SL_ERR_PARSE, "%s: implausible message counts", name);
    size_t np = (size_t)counts[0], nd = (size_t)counts[1];
    /* read in pieces, growing the buffer with the data actually there: the counts of a crafted
     * file must not make us allocate gigabytes before finding it truncated */
    size_t total = np + nd, have = 0, cap = total < 1024 ? total + 1 : 1024;
    sl_msg *buf = malloc(cap * sizeof(sl_msg));
    if (!buf)
        return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", name);
    while (have < total) {
        if (have == cap) {
            size_t ncap = cap * 2 < total ? cap * 2 : total;
            sl_msg *nb = realloc(buf, ncap * sizeof(sl_msg));
            if (!nb) {
                free(buf);
                return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", name);
            }
            buf = nb;
            cap = ncap;
        }
        size_t want = (cap < total ? cap : total) - have;
        if (fread(buf + have, sizeof(sl_msg), want, f) != want) {
            free(buf);
            return sl_error_set(e, SL_ERR_PARSE, "%s: truncated message list", name);
        }
        have += want;
    }
    /* every message must be one the bus could have made: sizes within the message, a known
     * addressing, sequence numbers already handed out, delivery not before sending, and the
     * delivered list in the order the inbox searches rely on */
    for (size_t i = 0; i < np + nd; i++) {
        const sl_msg *m = &buf[i];
        if (m->nd > SL_MSG_DOUBLES || m->nb > SL_MSG_BYTES || m->to_kind > SL_TO_RADIUS ||
            m->due < m->sent || m->seq >= hdr[2] ||
            (i > np && cmp_msg(&buf[i - 1], m) >= 0)) {
            free(buf);
            return sl_error_set(e, SL_ERR_PARSE, "%s: corrupt message bus state (message %zu)",
                                name, i + 1);
        }
    }
    sl_bus_state st = {hdr[1], hdr[2], hdr[3], stats, buf, np, buf + np, nd};
    sl_status s = sl_bus_set_state(b, &st, e);
    free(buf);
    return s;
}
