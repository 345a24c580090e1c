/* dgd.h - distributed gradient descent: a coordinator agent and K worker agents, each worker
 * holding one shard of a logistic-regression training set, talking through the message bus.
 *
 * A worker that receives a model (a job: conv numbers every model sent) computes the mean gradient of its shard
 * at that model and sends it back after a compute delay: delay steps plus a uniform draw from
 * 0..jitter (keyed by (seed, SL_DGD_STREAM_DELAY, worker, job)), plus slow_delay for the first
 * `slow` workers (stragglers).
 *
 * Synchronous: the coordinator sends version v to every worker and waits until every gradient
 * of version v arrived (or `timeout` steps passed), then steps
 *     w <- w - lr * sum_k (n_k / N) g_k   (N over the gradients that arrived, ascending k)
 * and sends version v + 1. Without delays and losses this is centralised gradient descent.
 *
 * Asynchronous with bounded staleness (stale synchronous parallel): the coordinator applies each
 * gradient as it arrives, w <- w - lr (n_k / N) g_k, counting clock_k (gradients applied from k),
 * and replies with the current model at once unless clock_k - min_j clock_j > staleness, in
 * which case worker k waits until the slowest catches up. The version counts applied gradients;
 * the staleness of a gradient is the number of versions applied since the model it used.
 *
 * Lost messages (bus loss on both links): a worker without a reply for `timeout` steps gets the
 * current model again (as a new job; answers to older jobs are ignored).
 *
 * Checkpoints: an attached dgd saves every coordinator and worker buffer (sl_checkpoint_*).
 *
 * Ownership: create takes train, split and test (freed with the object, also on failure);
 * attach passes ownership to the world (also on failure).
 */
#ifndef SWARMLAB_DGD_H
#define SWARMLAB_DGD_H

#include <stdint.h>
#include "swarmlab/error.h"
#include "swarmlab/logreg.h"
#include "swarmlab/world.h"

#define SL_DGD_STREAM_DELAY 0x64670001u
#define SL_DGD_MSG_MODEL 0x44474d31u
#define SL_DGD_MSG_GRAD 0x44474731u

typedef struct sl_dgd_def {
    int async;        /* 0 synchronous, 1 bounded-staleness asynchronous */
    int staleness;    /* async: clock gap allowed, >= 0 */
    double lr;        /* > 0 */
    double l2;        /* >= 0 */
    int delay;        /* extra compute steps of every job, >= 0 */
    int jitter;       /* uniform extra steps 0..jitter, >= 0 */
    int slow;         /* number of stragglers (first workers), 0..K */
    int slow_delay;   /* extra steps of a straggler's jobs, >= 0 */
    double loss;      /* message loss on both links, [0, 1] */
    int timeout;      /* steps before a resend / a partial synchronous step; 0 picks
                         4 + delay + jitter + slow_delay */
    uint64_t seed;
    double target_loss; /* train loss that sets steps_to_target (0: none) */
} sl_dgd_def;

/* Synchronous, staleness 2, lr 0.5, no l2, no delays or stragglers, no loss, timeout picked,
 * seed 0, no target. */
sl_dgd_def sl_dgd_def_default(void);

typedef struct sl_dgd_stats {
    long version;              /* synchronous: steps taken; async: gradients applied */
    long min_clock;            /* gradients applied from the slowest worker */
    long max_clock;            /* ... and from the fastest */
    double train_loss, test_loss, test_acc;
    double mean_staleness;     /* over gradients applied so far */
    long max_staleness;
    int waiting;               /* async: workers held back by the staleness bound */
    uint64_t messages, bytes, lost;  /* totals of both links */
    long steps_to_target;      /* steps done when the train loss first was <= target_loss, -1 */
} sl_dgd_stats;

typedef struct sl_dgd sl_dgd;

sl_dgd *sl_dgd_create(sl_lr_data *train, sl_lr_split *split, sl_lr_data *test,
                      const sl_dgd_def *o, sl_error *e);
void sl_dgd_destroy(sl_dgd *d);
/* Populations coord_pop (1 agent) and worker_pop (K agents, column n); recorder metrics version,
 * min_clock, train_loss, test_loss, test_accuracy, mean_staleness, max_staleness, waiting,
 * messages, bytes, lost (messages/bytes/lost per step). */
sl_status sl_dgd_attach(sl_dgd *d, sl_world *w, const char *coord_pop, const char *worker_pop,
                        sl_error *e);
sl_dgd *sl_dgd_of(const sl_world *w, const char *worker_pop);
const double *sl_dgd_model(const sl_dgd *d);
int sl_dgd_dim(const sl_dgd *d);
const sl_dgd_stats *sl_dgd_stats_get(const sl_dgd *d);

#endif
