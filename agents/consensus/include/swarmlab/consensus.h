/* consensus.h - average consensus: nodes of a graph repeat x_i <- sum_j W_ij x_j until they agree.
 *
 * A consensus holds the node values and one or more topologies (a graph with its weights).
 * Round k (k = 1, 2, ...) uses topology ((k - 1) / period) mod K, so several topologies give a
 * switching network. A link may be down in a round (probability link_fail, drawn from
 * (seed, SL_CONS_STREAM_LINK, topology << 32 | edge, k)); both ends know it and keep the link's
 * weight on themselves, so symmetric weights stay doubly stochastic and the mean is preserved.
 * A value that does not arrive (a lost message) is replaced by the receiver's own value: the
 * matrix is then only row stochastic and the mean drifts.
 *
 * Stopping rules: after round k the consensus has converged when
 *     max_i |x_i - mean| <= tol * max_i |x_i(0) - mean|,
 * where mean is the current average of the node's connected component (of the union of the
 * topologies): on a connected graph, the network average. It is done when it has converged or
 * has made max_rounds rounds (when max_rounds > 0). iterations() is the rounds made.
 *
 * Two drivers give bitwise identical results when no message is lost:
 *   - sl_consensus_step() computes one round from the arrays (the reference), sl_consensus_run()
 *     steps until done;
 *   - sl_consensus_attach() puts the nodes in a world population and runs one round per world
 *     step: in step k-1 every node sends its value to its neighbours through the world's message
 *     bus (one message, type SL_CONS_MSG_VALUE, conv = k), in step k it reads its inbox and
 *     updates. Step 0 only sends; round k happens in step k. Lost messages come from the bus's
 *     link loss between the node population and itself.
 *
 * Ownership: sl_consensus_create returns an object freed with sl_consensus_destroy, unless it was
 * attached to a world, which then owns and frees it. add_topology takes ownership of g and W
 * (also when it fails).
 */
#ifndef SWARMLAB_CONSENSUS_H
#define SWARMLAB_CONSENSUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "swarmlab/error.h"
#include "swarmlab/mixing.h"
#include "swarmlab/graph.h"
#include "swarmlab/world.h"

#define SL_CONS_MSG_VALUE 0x434f4e31u
#define SL_CONS_STREAM_LINK 0x636f6e01u

typedef struct sl_consensus sl_consensus;

typedef struct sl_consensus_def {
    double tol;        /* > 0 */
    double link_fail;  /* [0, 1): probability that a link is down in a round */
    int period;        /* rounds per topology, >= 1 (0 means 1) */
    uint64_t seed;     /* link-failure key */
    int threads;       /* threads of the direct driver (>= 1; the bus driver uses the world's) */
    long max_rounds;   /* done after this many rounds even when not converged; 0: no limit */
} sl_consensus_def;

/* tol 1e-6, no link failures, period 1, seed 0, one thread, at most 1 000 000 rounds. */
sl_consensus_def sl_consensus_def_default(void);

sl_consensus *sl_consensus_create(int n, const double *x0, const sl_consensus_def *o, sl_error *e);
void sl_consensus_destroy(sl_consensus *c);
/* Adds a topology on the same n nodes. Weights must be stochastic; fails before the first round. */
sl_status sl_consensus_add_topology(sl_consensus *c, sl_graph *g, sl_mix *W, sl_error *e);

/* Direct driver: computes one round from the arrays (SL_OK and nothing done once done). Fails
 * with SL_ERR_STATE without a topology, SL_ERR_RANGE when values become non-finite. */
sl_status sl_consensus_step(sl_consensus *c, sl_error *e);
/* Steps until done (converged or max_rounds). */
sl_status sl_consensus_run(sl_consensus *c, sl_error *e);
/* A stopping rule holds: converged, or max_rounds rounds made. */
bool sl_consensus_done(const sl_consensus *c);
/* The tolerance rule holds. */
bool sl_consensus_converged(const sl_consensus *c);

/* Puts the nodes into a new population `pop_name` of w (columns x, y: position in a 100 x 100
 * plane; value; comp: component), a world graph of the same name (the first topology, for
 * drawing; the plane is set to 100 x 100 when the world has none), adds the
 * consensus system and the recorder metrics iteration, disagreement, rel_disagreement, mean,
 * error2, messages, delivered, lost, bytes (all per round), and sets the bus loss of messages
 * between nodes to msg_loss. The world owns c afterwards (also on failure). */
sl_status sl_consensus_attach(sl_consensus *c, sl_world *w, const char *pop_name, double msg_loss,
                              sl_error *e);

int sl_consensus_n(const sl_consensus *c);
const double *sl_consensus_x(const sl_consensus *c);
long sl_consensus_iterations(const sl_consensus *c);       /* rounds done */
int sl_consensus_ncomponents(const sl_consensus *c);
const int *sl_consensus_components(const sl_consensus *c);
double sl_consensus_disagreement(const sl_consensus *c);   /* max_i |x_i - component mean| */
double sl_consensus_initial_disagreement(const sl_consensus *c);
double sl_consensus_mean(const sl_consensus *c);           /* current network average */
double sl_consensus_initial_mean(const sl_consensus *c);
/* Empirical rate: (e_K / e_h)^(1 / (K - h)) with e the 2-norm of the deviation from the
 * component means, K the rounds done and h = K / 2; NaN before 1 round. */
double sl_consensus_empirical_rate(const sl_consensus *c);
/* Theoretical rate per round: the SLEM of W (one topology, no failures; Jacobi up to 400 nodes,
 * Lanczos beyond); the mean-square rate under link failures (one topology, connected,
 * <= 400 nodes); for switching topologies ||W_cycle - J||_2^(1 / cycle length) by Lanczos on
 * P^T P. *kind names which one. Fails (e filled) when no bound applies. */
sl_status sl_consensus_theory_rate(const sl_consensus *c, double *rate, const char **kind,
                                   sl_error *e);
/* Totals of the bus driver: messages sent, delivered (used), lost, bytes. */
void sl_consensus_traffic(const sl_consensus *c, uint64_t *sent, uint64_t *delivered,
                          uint64_t *lost, uint64_t *bytes);
/* The consensus attached to w under pop_name (NULL when none). */
sl_consensus *sl_consensus_of(const sl_world *w, const char *pop_name);

#endif
