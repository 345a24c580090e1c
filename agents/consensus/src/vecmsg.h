/* vecmsg.h (internal) - sends a vector of doubles as several bus messages and reassembles it.
 *
 * A vector of dim doubles travels as ceil(dim / SL_MSG_DOUBLES) messages of one type and
 * conversation; b[] carries the part number, the part count and a 32-bit tag (e.g. the client's
 * sample count). A receiver feeds every message to vecbuf_take(); the vector is complete when
 * all its parts have arrived.
 */
#ifndef SL_CONSENSUS_VECMSG_H
#define SL_CONSENSUS_VECMSG_H

#include <stdint.h>
#include "swarmlab/bus.h"

typedef struct vecbuf {
    uint64_t conv;     /* conversation being assembled */
    int parts, nparts; /* received parts, expected parts (0: nothing yet) */
    uint32_t tag;
    uint64_t mask;     /* parts received (dim <= 64 * SL_MSG_DOUBLES) */
} vecbuf;

#define VEC_MAX_DIM (64 * SL_MSG_DOUBLES)

static inline int vec_nparts(int dim) { return (dim + SL_MSG_DOUBLES - 1) / SL_MSG_DOUBLES; }

/* Sends v as direct messages; returns the messages sent and adds their bytes to *bytes. */
static inline int vec_send(sl_bus *bus, int chunk, uint32_t type, int from_pop, sl_id from,
                           int to_pop, sl_id to, uint64_t conv, const double *v, int dim,
                           uint32_t tag, uint64_t *bytes)
{
    int np = vec_nparts(dim), sent = 0;
    for (int p = 0; p < np; p++) {
        sl_msg m = sl_msg_to_agent(type, from_pop, from, to_pop, to, conv);
        int off = p * SL_MSG_DOUBLES, cnt = dim - off < SL_MSG_DOUBLES ? dim - off : SL_MSG_DOUBLES;
        m.nd = (uint8_t)cnt;
        for (int j = 0; j < cnt; j++) m.d[j] = v[off + j];
        m.nb = 8;
        m.b[0] = (uint8_t)p;
        m.b[1] = (uint8_t)np;
        m.b[4] = (uint8_t)tag;
        m.b[5] = (uint8_t)(tag >> 8);
        m.b[6] = (uint8_t)(tag >> 16);
        m.b[7] = (uint8_t)(tag >> 24);
        if (sl_bus_send(bus, chunk, &m) == SL_OK) {
            sent++;
            if (bytes) *bytes += sl_msg_bytes(&m);
        }
    }
    return sent;
}

/* Takes one part for conversation conv into dst (dim doubles). A part of a newer conversation
 * restarts the buffer; older ones are ignored. Returns 1 when the vector just became complete. */
static inline int vec_take(vecbuf *vb, const sl_msg *m, double *dst, int dim)
{
    if (m->nb < 8) return 0;
    int p = m->b[0], np = m->b[1];
    if (np != vec_nparts(dim) || p >= np) return 0;
    if (vb->nparts == 0 || m->conv > vb->conv) {
        vb->conv = m->conv;
        vb->parts = 0;
        vb->nparts = np;
        vb->mask = 0;
    } else if (m->conv < vb->conv) {
        return 0;
    }
    if (vb->mask & (1ull << p)) return 0;
    if (vb->parts == vb->nparts) return 0;
    int off = p * SL_MSG_DOUBLES;
    for (int j = 0; j < m->nd && off + j < dim; j++) dst[off + j] = m->d[j];
    vb->mask |= 1ull << p;
    vb->tag = (uint32_t)m->b[4] | (uint32_t)m->b[5] << 8 | (uint32_t)m->b[6] << 16 |
              (uint32_t)m->b[7] << 24;
    vb->parts++;
    return vb->parts == vb->nparts;
}

#endif
