/* checkpoint.h - save a world to a binary file and restore it to continue the run exactly.
 *
 * A checkpoint holds the state that the engine owns: every population (columns, agent ids with
 * their generations and the queue of released ids, so later spawns get the same ids), every
 * field, graph edge weights, the recorder's rows and held values, the step count, the seed it was
 * made with, and the message bus (pending and delivered messages) when the world has one. Random
 * numbers are counter-based, so the step and the seed are all the RNG state there is.
 *
 * Not saved: systems and their user data and the scenario's Lua variables. A resumed run re-runs
 * the scenario's top level and setup() (which rebuild the world's layout, systems and
 * configuration) and then sl_checkpoint_restore() overwrites the world's state. So scenario state
 * that must survive a checkpoint has to live in the world (population columns, fields); a restore
 * into a world whose populations, columns, fields, graphs or metrics differ from the saved ones
 * (a different scenario or version) is refused before anything changes.
 *
 * Module state: data a module attaches to the world (sl_world_attach) is saved only through the
 * functions the module registers with sl_checkpoint_register(). A module whose attachment holds
 * nothing that changes during a run (parameters, scratch buffers rebuilt by setup) registers
 * NULL functions. Saving a world with an attachment nobody registered fails and names it, so a
 * checkpoint never silently misses state.
 *
 * File layout (version 2): 8-byte magic "SLCKPT\r\n", u32 version, u32 byte-order mark
 * 0x01020304 (values are stored in the writer's byte order; a file from a machine of the other
 * byte order is refused), u64 payload length, u64 FNV-1a checksum of the payload, payload. The
 * payload starts with the step, the seed, the scenario path and (since version 2) the run's
 * parameters as text; version 1 files (no parameters) are still read. Files are written to
 * "<path>.tmp", flushed to disk, renamed and the directory synced, so a crash never leaves a
 * half-written checkpoint under the final name.
 *
 * Reading trusts nothing a checksum cannot vouch for: only regular files are read (a device or a
 * FIFO is refused), the step must fit a signed 64-bit count, and every count, index and value the
 * engine reads is checked before it is used; module loaders check theirs (see
 * sl_checkpoint_load_fn).
 *
 * Errors: a missing, truncated, corrupt (checksum) or foreign file gives SL_ERR_PARSE/SL_ERR_IO
 * with a one-line message naming the file.
 */
#ifndef SWARMLAB_CHECKPOINT_H
#define SWARMLAB_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "swarmlab/error.h"
#include "swarmlab/world.h"

#define SL_CHECKPOINT_VERSION 2u
#define SL_CHECKPOINT_PARAMS_MAX 16384 /* bytes of parameter text a checkpoint records */

typedef struct sl_checkpoint_info {
    uint32_t version;
    uint64_t step;          /* steps completed when saved (at most INT64_MAX) */
    uint64_t seed;          /* the world's seed when saved */
    char scenario[512];     /* scenario path as given to the run (informational) */
    char params[SL_CHECKPOINT_PARAMS_MAX]; /* sl_checkpoint_set_params text ("" in version 1) */
} sl_checkpoint_info;

/* How a module saves and loads the data it attached under `attachment`: save writes the state
 * to f; load reads it back into the data of a freshly set-up world (the same attachment name).
 * Both NULL: the attachment has no run-time state (rebuilt by setup). Sections are saved in
 * registration order; a restore needs the same registered sections.
 *
 * A section passes the checksum even when it was crafted: load must check every index and value
 * it reads (an index within its array, a state within its enum) and fail with SL_ERR_PARSE rather
 * than use one. It need not undo what it wrote before failing: sl_checkpoint_restore saves every
 * module's state first and puts it back when any section fails. */
typedef sl_status (*sl_checkpoint_save_fn)(void *data, FILE *f, sl_error *e);
typedef sl_status (*sl_checkpoint_load_fn)(void *data, FILE *f, const char *path, sl_error *e);
sl_status sl_checkpoint_register(sl_world *w, const char *attachment, sl_checkpoint_save_fn save,
                                 sl_checkpoint_load_fn load, sl_error *e);
/* SL_OK when every attachment of w is registered (what sl_checkpoint_save requires); otherwise
 * SL_ERR_STATE naming the first one that is not. For checking before a long run. */
sl_status sl_checkpoint_supported(const sl_world *w, sl_error *e);

/* Records the run's parameters (text, e.g. "name=value" lines; NULL: none) in the checkpoints
 * sl_checkpoint_save writes for w, so that a resume can compare them with its own. */
sl_status sl_checkpoint_set_params(sl_world *w, const char *params, sl_error *e);

/* Saves w to path. scenario (may be NULL) is stored for information. */
sl_status sl_checkpoint_save(sl_world *w, const char *path, const char *scenario, sl_error *e);

/* Reads only the header and the info of a checkpoint (to learn the seed and step before the
 * world exists). Verifies magic, version, byte order, length and checksum. */
sl_status sl_checkpoint_peek(const char *path, sl_checkpoint_info *info, sl_error *e);

/* Restores the state saved in path into w, whose layout must match (see above). On failure w is
 * unchanged (module sections included: they are loaded first, with their previous state saved to
 * put back, and the engine's checked state is written last). info (may be NULL) receives the header. The world keeps its own seed: restoring a
 * checkpoint into a world made with another seed branches the run. */
sl_status sl_checkpoint_restore(sl_world *w, const char *path, sl_checkpoint_info *info,
                                sl_error *e);

#endif
