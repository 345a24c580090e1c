/* bus.h - the message bus: typed messages between agents, delivered one step later in a fixed order.
 *
 * A message sent during step t is delivered during step t+1 (or later when its link has a delay).
 * Delivered messages are sorted by (receiver, sender, sequence), so what an agent reads never
 * depends on the thread count. Receivers are one agent, a whole population, or every agent of a
 * population within a radius of a point (the sender's position).
 *
 * Sending from parallel code: a system passes its ctx->chunk to sl_bus_send(); each chunk has its
 * own staging buffer (only the thread running that chunk writes it), and sl_bus_end_step() merges
 * the buffers in chunk order and numbers the messages with a run-wide sequence. Serial code
 * passes chunk 0. The world calls sl_bus_end_step(bus, t) at the end of step t.
 *
 * Unreliable links: a loss probability and a delay (fixed steps plus uniform jitter) per pair of
 * populations, or from a callback per message. Loss and jitter are drawn from the counter-based
 * RNG keyed by (bus seed, stream, message sequence, send step), so they are deterministic.
 *
 * Reading during step t+1 is thread-safe (the delivered array does not change until the next
 * sl_bus_end_step): use sl_bus_inbox() for direct messages, or an sl_bus_iter to read, in
 * (sender, sequence) order, direct messages merged with population and radius broadcasts.
 *
 * Layout: sl_msg is plain data of fixed size (no pointers), so a checkpoint saves the pending and
 * delivered arrays as they are (sl_bus_write / sl_bus_read, or sl_bus_state). Link settings are
 * configuration, not state: a restored run sets them again.
 *
 * Ownership: the world creates its bus on first use (sl_world_bus) and destroys it; a standalone
 * bus is made with sl_bus_create() and freed with sl_bus_destroy(). Pointers into the delivered
 * array are valid until the next sl_bus_end_step().
 */
#ifndef SWARMLAB_BUS_H
#define SWARMLAB_BUS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "swarmlab/error.h"
#include "swarmlab/pop.h"

typedef struct sl_bus sl_bus;  /* same typedef as in world.h (allowed in C11) */

#define SL_MSG_DOUBLES 8        /* payload doubles per message */
#define SL_MSG_BYTES 32         /* payload bytes per message */
#define SL_MSG_HEADER_BYTES 48  /* nominal header size counted in the byte statistics */
#define SL_BUS_MAX_CHUNKS 65536 /* staging buffers (chunks of SL_CHUNK agents) */
#define SL_BUS_MAX_POPS 64      /* populations with their own link settings */
#define SL_STREAM_BUS 0x42555331u /* RNG stream of loss and jitter draws */

typedef enum sl_msg_to {
    SL_TO_AGENT = 0,   /* one agent: (to_pop, to) */
    SL_TO_POP = 1,     /* every agent of to_pop */
    SL_TO_RADIUS = 2   /* every agent of to_pop within radius of (x, y) */
} sl_msg_to;

/* One message. Populations are named by a small integer chosen by the caller (e.g. the index
 * of the population in the world); agents by their stable sl_id (or any 64-bit number). */
typedef struct sl_msg {
    uint64_t seq;        /* run-wide sequence, assigned by sl_bus_end_step() */
    uint64_t sent;       /* step in which it was sent */
    uint64_t due;        /* step in which it is delivered */
    uint64_t conv;       /* conversation id (0: none) */
    sl_id from;          /* sender */
    sl_id to;            /* receiver (SL_TO_AGENT), else 0 */
    int32_t from_pop;
    int32_t to_pop;
    uint32_t type;       /* message type or performative */
    uint16_t to_kind;    /* sl_msg_to */
    uint8_t nd;          /* doubles used in d[] */
    uint8_t nb;          /* bytes used in b[] */
    double x, y, radius; /* SL_TO_RADIUS: centre and radius */
    double d[SL_MSG_DOUBLES];
    uint8_t b[SL_MSG_BYTES];
} sl_msg;

/* Per-step counts (of the last sl_bus_end_step) and run totals. */
typedef struct sl_bus_stats {
    uint64_t step;        /* the step these counts belong to */
    uint64_t sent;        /* messages sent during the step */
    uint64_t bytes;       /* their nominal size: header + 8 per double + payload bytes */
    uint64_t lost;        /* of those, dropped by link loss */
    uint64_t delivered;   /* messages made readable for the next step */
    uint64_t pending;     /* messages still in flight (delayed) after the step */
    uint64_t total_sent, total_bytes, total_lost, total_delivered;
} sl_bus_stats;

/* Link model: loss probability in [0, 1], delay >= 0 extra steps, jitter >= 0 extra steps drawn
 * uniformly from 0..jitter. The default is a perfect link (0, 0, 0). */
typedef struct sl_bus_link {
    double loss;
    uint32_t delay;
    uint32_t jitter;
} sl_bus_link;

/* Optional per-message link model; overrides the population-pair table when set. */
typedef sl_bus_link (*sl_bus_link_fn)(const sl_msg *m, void *user);

sl_bus *sl_bus_create(void);
void sl_bus_destroy(sl_bus *b);

/* Seed of loss and jitter draws (a module setting up links passes sl_world_seed()). */
void sl_bus_set_seed(sl_bus *b, uint64_t seed);
/* Default link, and the link between two populations (-1 as from_pop or to_pop: any). Returns
 * SL_ERR_RANGE with e filled for a loss outside [0, 1] or NaN, or a population outside
 * 0..SL_BUS_MAX_POPS-1. */
sl_status sl_bus_set_link(sl_bus *b, int from_pop, int to_pop, sl_bus_link link, sl_error *e);
void sl_bus_set_link_fn(sl_bus *b, sl_bus_link_fn fn, void *user);
/* Plane for radius broadcasts (toroidal distance when wraps = 1); default: unbounded. */
void sl_bus_set_plane(sl_bus *b, double width, double height, int wraps);

/* Stages a message for sending in the current step. m->seq, sent and due are filled by the bus;
 * nd and nb must not exceed SL_MSG_DOUBLES / SL_MSG_BYTES. Safe from parallel chunks with distinct
 * chunk numbers. Returns SL_ERR_NOMEM when a buffer cannot grow (the message is not sent). */
sl_status sl_bus_send(sl_bus *b, int chunk, const sl_msg *m);
/* Convenience builders (fill a zeroed sl_msg). */
sl_msg sl_msg_to_agent(uint32_t type, int from_pop, sl_id from, int to_pop, sl_id to, uint64_t conv);
sl_msg sl_msg_to_pop(uint32_t type, int from_pop, sl_id from, int to_pop, uint64_t conv);
sl_msg sl_msg_to_radius(uint32_t type, int from_pop, sl_id from, int to_pop, double x, double y,
                        double radius, uint64_t conv);

/* Ends step `step`: merges the staged messages in chunk order, numbers them, applies loss and
 * delay, and replaces the delivered set with the messages due in step+1, sorted by (receiver,
 * sender, sequence). Steps must not go back (SL_ERR_STATE); SL_ERR_NOMEM on allocation failure. */
sl_status sl_bus_end_step(sl_bus *b, uint64_t step);

/* Everything delivered for the current step, sorted by receiver (to_pop; broadcasts before direct
 * messages; to), then sender (from_pop, from), then seq. */
const sl_msg *sl_bus_delivered(const sl_bus *b, size_t *n);
/* Direct messages for one agent (to_kind SL_TO_AGENT), in (sender, seq) order; returns the count
 * and sets *first (NULL when none). Binary search: cheap from parallel readers. */
size_t sl_bus_inbox(const sl_bus *b, int pop, sl_id id, const sl_msg **first);

/* Everything an agent at (x, y) receives: its direct messages merged with the broadcasts to its
 * population that reach it, in (from_pop, from, seq) order. Plain data; lives on the stack. */
typedef struct sl_bus_iter {
    const sl_msg *direct, *bcast;
    size_t nd, nb, id, ib;
    double x, y;
} sl_bus_iter;
sl_bus_iter sl_bus_iter_make(const sl_bus *b, int pop, sl_id id, double x, double y);
const sl_msg *sl_bus_iter_next(const sl_bus *b, sl_bus_iter *it);
/* Whether a broadcast reaches a receiver at (x, y) (always 1 for agent and population messages). */
int sl_bus_reaches(const sl_bus *b, const sl_msg *m, double x, double y);

const sl_bus_stats *sl_bus_stats_get(const sl_bus *b);

/* Records the per-step counts: adds value metrics "<prefix>_messages", "<prefix>_bytes" and
 * "<prefix>_lost" to the recorder and sets them at every sl_bus_end_step (the world samples its
 * recorder right after the bus ends a step, so the row of step t+1 holds the traffic of step t).
 * Fails like sl_recorder_add (duplicate names, metrics added after the first sample). */
typedef struct sl_recorder sl_recorder;
sl_status sl_bus_record(sl_bus *b, sl_recorder *r, const char *prefix, sl_error *e);
/* Nominal size of one message in bytes (what the statistics count). */
size_t sl_msg_bytes(const sl_msg *m);

/* ---- checkpoint ---- */
/* The bus's state as plain arrays (pointers into the bus; valid until the next end_step). */
typedef struct sl_bus_state {
    uint64_t seed;
    uint64_t next_seq;     /* sequence of the next message */
    uint64_t last_step;    /* last step ended + 1 (0: none yet) */
    sl_bus_stats stats;
    const sl_msg *pending; /* in flight, due after the current step */
    size_t npending;
    const sl_msg *delivered;
    size_t ndelivered;
} sl_bus_state;
sl_bus_state sl_bus_get_state(const sl_bus *b);
/* Replaces the bus's state with a copy of st (staged, unsent messages are discarded). */
sl_status sl_bus_set_state(sl_bus *b, const sl_bus_state *st, sl_error *e);
/* Binary save/restore of the state (magic "SLBUS1", little-endian host layout). read fills e
 * naming `name` for a truncated or foreign file. */
sl_status sl_bus_write(const sl_bus *b, FILE *f, sl_error *e);
sl_status sl_bus_read(sl_bus *b, FILE *f, const char *name, sl_error *e);

#endif
