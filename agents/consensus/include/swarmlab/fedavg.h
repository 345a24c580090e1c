/* fedavg.h - federated averaging of a logistic-regression model over K clients.
 *
 * Each round r the coordinator picks m = max(1, round(C K)) clients (a keyed sample from
 * (seed, SL_FED_STREAM_SELECT, 0, r), listed in increasing client number), sends them the model,
 * and each picked client that does not drop out (probability `dropout`, keyed by client and
 * round) runs E epochs of mini-batch gradient descent on its own samples (batch B; B = 0 or
 * B >= n_k is full batch in the partition's sample order, otherwise the samples are shuffled per
 * epoch from (seed, SL_FED_STREAM_SHUFFLE, k, r * E + epoch)). The coordinator then sets
 *     w = sum_k (n_k / N) w_k,  N = sum of n_k over the clients whose update arrived,
 * summing in increasing client number (or uniform weights 1 / |arrived| when `uniform`). When no
 * update arrives, w stays.
 *
 * With E = 1, full batch, C = 1 and no dropout (FedSGD) a round equals one step of centralised
 * gradient descent on all the training samples (sl_fedavg_gd_step), up to rounding.
 *
 * Drivers: sl_fedavg_step() runs a round on arrays (clients in parallel, results combined in
 * client order) and sl_fedavg_run() steps until `rounds` rounds are done; sl_fedavg_attach() makes a coordinator agent and K client agents in
 * a world that talk through the message bus: in step 2r the coordinator aggregates round r - 1
 * and sends round r's model (conv = r), in step 2r + 1 the clients train and reply. A round takes
 * two steps; lost messages (bus loss on both links) remove clients from a round like dropouts.
 * The world's steps bound an attached fedavg (`rounds` applies to the direct driver).
 *
 * Checkpoints: an attached fedavg saves its model, round, buffers and totals (sl_checkpoint_*).
 *
 * Ownership: create takes train, split and test (freed with the fedavg, also on failure);
 * sl_fedavg_destroy, unless attached to a world, which then owns it.
 */
#ifndef SWARMLAB_FEDAVG_H
#define SWARMLAB_FEDAVG_H

#include <stdbool.h>
#include <stdint.h>
#include "swarmlab/error.h"
#include "swarmlab/logreg.h"
#include "swarmlab/world.h"

#define SL_FED_STREAM_SELECT 0x66640001u
#define SL_FED_STREAM_DROP 0x66640002u
#define SL_FED_STREAM_SHUFFLE 0x66640003u
#define SL_FED_MSG_MODEL 0x46454d31u
#define SL_FED_MSG_UPDATE 0x46455531u

typedef struct sl_fedavg_def {
    double frac;      /* C in (0, 1] */
    int epochs;       /* E >= 1 */
    int batch;        /* B >= 0, 0 = full batch */
    double lr;        /* > 0 */
    double l2;        /* >= 0 */
    double dropout;   /* [0, 1) */
    int uniform;      /* 1: uniform weights instead of n_k / N */
    uint64_t seed;
    int threads;      /* direct driver */
    double target;    /* test accuracy that sets rounds_to_target (0: none) */
    long rounds;      /* direct driver: done after this many rounds, >= 0 (0: no limit) */
} sl_fedavg_def;

/* C 0.1, E 5, B 10, lr 0.05, no l2, no dropout, weights n_k / N, seed 0, one thread, no target,
 * 100 rounds. */
sl_fedavg_def sl_fedavg_def_default(void);

typedef struct sl_fedavg_round {
    long round;            /* rounds completed */
    int selected, arrived; /* clients picked and updates aggregated in the last round */
    double train_loss, test_loss, test_acc;
    uint64_t messages, bytes, lost;   /* of the last round (bus driver) */
    uint64_t total_messages, total_bytes, total_lost; /* over the rounds completed */
    long rounds_to_target;            /* first round with test accuracy >= target, -1 */
} sl_fedavg_round;

typedef struct sl_fedavg sl_fedavg;

sl_fedavg *sl_fedavg_create(sl_lr_data *train, sl_lr_split *split, sl_lr_data *test,
                            const sl_fedavg_def *o, sl_error *e);
void sl_fedavg_destroy(sl_fedavg *f);

int sl_fedavg_dim(const sl_fedavg *f);
const double *sl_fedavg_model(const sl_fedavg *f);
void sl_fedavg_set_model(sl_fedavg *f, const double *w);
const sl_fedavg_round *sl_fedavg_last(const sl_fedavg *f);
const sl_lr_split *sl_fedavg_split(const sl_fedavg *f);
const sl_lr_data *sl_fedavg_train(const sl_fedavg *f);

/* Clients picked in round r, ascending, into out (K entries); returns how many. */
int sl_fedavg_select(const sl_fedavg *f, long r, int *out);
int sl_fedavg_drops(const sl_fedavg *f, long r, int k);
/* Client k's E local epochs from w_in into w_out (dim entries); scratch: n_k ints + dim doubles. */
void sl_fedavg_local(const sl_fedavg *f, int k, long r, const double *w_in, double *w_out,
                     int *iscratch, double *dscratch);

/* Direct driver: one round on arrays (SL_OK and nothing done once done). */
sl_status sl_fedavg_step(sl_fedavg *f, sl_error *e);
/* `rounds` rounds made (never with rounds = 0). */
bool sl_fedavg_done(const sl_fedavg *f);
/* Steps until done; SL_ERR_STATE when the def sets no round limit. */
sl_status sl_fedavg_run(sl_fedavg *f, sl_error *e);
/* Centralised gradient descent on all training samples, listed client by client. */
void sl_fedavg_gd_step(const sl_fedavg *f, double *w);
/* Fills train/test loss and test accuracy of the current model into *last. */
void sl_fedavg_evaluate(sl_fedavg *f);

/* Coordinator population server_pop (1 agent) and client population client_pop (K agents,
 * columns n, loss); recorder metrics round, selected, arrived, train_loss, test_loss,
 * test_accuracy, messages, bytes, lost; bus loss `loss` on both links. */
sl_status sl_fedavg_attach(sl_fedavg *f, sl_world *w, const char *server_pop,
                           const char *client_pop, double loss, sl_error *e);
sl_fedavg *sl_fedavg_of(const sl_world *w, const char *client_pop);
long sl_fedavg_rounds(const sl_fedavg *f);

#endif
