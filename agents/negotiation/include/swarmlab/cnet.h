/* cnet.h - FIPA Contract Net over the message bus: one manager, many bidders, deadlines.
 *
 * Conversation: the manager sends cfp to every bidder (step t); each bidder answers propose(cost)
 * or refuse (t+1); at the deadline, or as soon as every bidder answered, the manager sends
 * accept-proposal to the lowest bid and reject-proposal to the other proposers; the winner runs
 * the task and answers inform-done or failure. Proposals that arrive after the deadline are
 * late: they get a reject-proposal and are never considered. Every conversation ends in exactly
 * one terminal state (done, failed, no-bids, timeout, aborted); one decision per conversation.
 * Messages that do not fit the protocol (a reply to an unknown or closed conversation, an accept
 * to an agent that did not bid, a second answer, an inform from a non-winner) are counted and
 * reported as anomalies, and otherwise ignored.
 *
 * The protocol engine plays both roles for all agents and runs serially once per step
 * (sl_cnet_step, or as a world system made by sl_cnet_attach): it reads the messages the bus
 * delivered for this step in the bus's fixed order and sends its replies on the bus, so the
 * timing (one step per hop), loss and delay of the bus apply. Callbacks are called serially, in
 * bus order, never from a parallel region (a Lua function is allowed).
 *
 * Ownership: sl_cnet_create/sl_cnet_destroy; the cnet does not own the bus. The trace file is
 * opened and closed by the cnet.
 */
#ifndef SWARMLAB_CNET_H
#define SWARMLAB_CNET_H

#include <stdint.h>
#include <stdio.h>
#include "swarmlab/bus.h"
#include "swarmlab/error.h"
#include "swarmlab/pop.h"
#include "swarmlab/world.h"

/* Performatives (bus message types). */
#define SL_CN_BASE 0x434E0000u
typedef enum sl_perf {
    SL_CN_CFP = SL_CN_BASE + 1,
    SL_CN_PROPOSE,
    SL_CN_REFUSE,
    SL_CN_ACCEPT,
    SL_CN_REJECT,
    SL_CN_INFORM_DONE,
    SL_CN_FAILURE
} sl_perf;
const char *sl_perf_name(uint32_t type); /* "cfp", "propose", ... or "?" */

typedef enum sl_conv_state {
    SL_CONV_OPEN = 0,   /* cfp sent, collecting answers */
    SL_CONV_AWARDED,    /* accept sent, waiting for inform-done / failure */
    SL_CONV_DONE,       /* terminal: winner reported inform-done */
    SL_CONV_FAILED,     /* terminal: winner reported failure */
    SL_CONV_NO_BIDS,    /* terminal: every bidder refused or none answered by the deadline */
    SL_CONV_TIMEOUT,    /* terminal: no result from the winner within the result timeout */
    SL_CONV_ABORTED     /* terminal: closed by sl_cnet_abort_open (end of run) */
} sl_conv_state;
const char *sl_conv_state_name(int state);
static inline int sl_conv_terminal(int state) { return state >= SL_CONV_DONE; }

typedef struct sl_cn_agent {
    int pop;      /* population number used on the bus */
    sl_id id;
} sl_cn_agent;

/* What is being contracted: an item number and a few numbers (sent in the cfp payload). */
#define SL_CN_TASK_DOUBLES 6
typedef struct sl_cn_task {
    uint64_t item;
    double d[SL_CN_TASK_DOUBLES];
} sl_cn_task;

typedef struct sl_cn_conv {
    uint64_t id;            /* conversation id (1, 2, ...) */
    sl_cn_task task;
    sl_cn_agent manager;
    int state;              /* sl_conv_state */
    uint64_t opened;        /* step of the cfp */
    uint64_t deadline;      /* last step in which proposals are considered */
    uint64_t result_deadline; /* last step to wait for inform-done / failure once awarded */
    uint64_t closed;        /* step it reached its terminal state */
    int nbidders, nproposals, nrefusals, nlate;
    int winner;             /* index into the bidders, -1 when none */
    double best;            /* winning cost (NaN when none) */
    size_t first_bidder;    /* internal: offset of the bidders */
    uint64_t origin;        /* id of the task's first conversation (itself the first time) */
    uint32_t attempt;       /* 1 for the first announcement, then 2, 3, ... */
    int requeued;           /* 1 when the task was queued for another announcement */
} sl_cn_conv;

/* Bid callback, called when `bidder` receives a cfp: set *propose = 1 and *cost (finite), or
 * *propose = 0 to refuse. *aux (0 on entry) is one more number carried by the proposal, e.g.
 * the spare capacity the bidder offers. Return SL_OK, or an error with e filled (aborts the
 * step). */
typedef sl_status (*sl_cn_bid_fn)(void *user, const sl_cn_conv *c, sl_cn_agent bidder,
                                  int *propose, double *cost, double *aux, sl_error *e);
/* Optional award rule, called at the decision with at least one proposal: set *winner to a
 * bidder index that proposed, or -1 to accept none (the conversation ends as no-bids). Default:
 * the lowest cost, ties to the lower bidder index. */
typedef sl_status (*sl_cn_choose_fn)(void *user, const sl_cn_conv *c, int *winner, sl_error *e);
/* Called when the winner receives accept-proposal: set *ok = 1 (inform-done) or 0 (failure). */
typedef sl_status (*sl_cn_exec_fn)(void *user, const sl_cn_conv *c, sl_cn_agent winner, int *ok,
                                   sl_error *e);
/* Called once when a conversation reaches its terminal state. */
typedef sl_status (*sl_cn_close_fn)(void *user, const sl_cn_conv *c, sl_error *e);

typedef struct sl_cnet_def {
    sl_cn_bid_fn bid;       /* required */
    sl_cn_exec_fn exec;     /* optional: NULL means always inform-done */
    sl_cn_close_fn on_close;/* optional */
    void *user;
    uint32_t deadline;      /* steps after the cfp during which proposals count (>= 2; default 2) */
    uint32_t result_timeout;/* steps after the award to wait for the result (default 4) */
    sl_cn_choose_fn choose; /* optional award rule */
    uint32_t retry;         /* 0: an unplaced task is final; n > 0: announced again n steps later */
    sl_world *world;        /* optional clock (see above); borrowed, must outlive the cnet */
} sl_cnet_def;

/* Defaults: no callbacks, deadline 2, result timeout 4, no award rule, no retry, own clock. */
sl_cnet_def sl_cnet_def_default(void);

typedef struct sl_cnet sl_cnet;

sl_cnet *sl_cnet_create(sl_bus *bus, const sl_cnet_def *def, sl_error *e);
void sl_cnet_destroy(sl_cnet *cn);

/* Writes one line per message sent (step,conv,performative,from,to,value) and per anomaly to
 * path (written as path.part and renamed by sl_cnet_close_trace). */
sl_status sl_cnet_open_trace(sl_cnet *cn, const char *path, sl_error *e);
sl_status sl_cnet_close_trace(sl_cnet *cn, sl_error *e);

/* Opens a conversation in the current step: sends cfp to every bidder (copied). Returns the
 * conversation id (> 0), or 0 with e filled (no bidders, out of memory). */
uint64_t sl_cnet_announce(sl_cnet *cn, sl_cn_agent manager, const sl_cn_task *task,
                          const sl_cn_agent *bidders, int nbidders, sl_error *e);

/* Advances the clock, processes the messages delivered for that step, the deadlines of open
 * conversations and the queued tasks that are due. */
sl_status sl_cnet_step(sl_cnet *cn, sl_error *e);
/* The current step (see Clock above). */
uint64_t sl_cnet_now(const sl_cnet *cn);
/* Closes every non-terminal conversation as aborted (end of a run); queued tasks stay queued. */
sl_status sl_cnet_abort_open(sl_cnet *cn, sl_error *e);

/* Adds a world system (serial, named "contract_net") that calls sl_cnet_step each step and
 * makes the world's step count the cnet's clock. The world does not own cn. */
sl_status sl_cnet_attach(sl_cnet *cn, sl_world *w, sl_error *e);

const sl_cn_conv *sl_cnet_conv(const sl_cnet *cn, uint64_t id); /* NULL when unknown */
size_t sl_cnet_nconv(const sl_cnet *cn);
/* Bidder i of a conversation, its answer ('p' propose, 'r' refuse, 'l' late, 0 none) and bid
 * (NaN for refusals and late refusals). */
sl_cn_agent sl_cnet_bidder(const sl_cnet *cn, const sl_cn_conv *c, int i, char *answer,
                           double *bid);
/* The auxiliary number of bidder i's proposal (NaN when none). */
double sl_cnet_bidder_aux(const sl_cnet *cn, const sl_cn_conv *c, int i);

typedef struct sl_cnet_counts {
    uint64_t open, awarded, done, failed, no_bids, timeout, aborted;
    uint64_t late, anomalies, messages;
    uint64_t queued;        /* tasks waiting to be announced again */
    uint64_t reannounced;   /* announcements of queued tasks so far */
} sl_cnet_counts;
sl_cnet_counts sl_cnet_counts_get(const sl_cnet *cn);
/* The last anomaly's description ("" when none). */
const char *sl_cnet_last_anomaly(const sl_cnet *cn);

/* Checkpoint of the protocol state (conversations, bidders' answers, counts). The callbacks,
 * deadlines and trace file are configuration: the restored run sets them up again (a trace
 * continues in a new file). read fills e naming `name` for a truncated or foreign section. */
sl_status sl_cnet_write(const sl_cnet *cn, FILE *f, sl_error *e);
sl_status sl_cnet_read(sl_cnet *cn, FILE *f, const char *name, sl_error *e);

#endif
