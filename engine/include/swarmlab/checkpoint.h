/* checkpoint.h - save a world to a binary file and restore it to continue the run exactly.
 *
 * A checkpoint holds the state that the engine owns: every population (columns, agent ids with
 * their generations and the queue of released ids, so later spawns get the same ids), every
 * field, graph edge weights, the recorder's rows and held values, the step count, the seed it was
 * made with, and the message bus (pending and delivered messages) when the world has one. Random
 * numbers are counter-based, so the step and the seed are all the RNG state there is.
 *
 * Not saved: systems and their user data, modules' attached data (sl_world_attach), the
 * scenario's Lua variables. A resumed run re-runs the scenario's top level and setup() (which
 * rebuild the world's layout, systems and configuration) and then sl_checkpoint_restore()
 * overwrites the world's state. So scenario state that must survive a checkpoint has to live in
 * the world (population columns, fields); a restore into a world whose populations, columns,
 * fields, graphs or metrics differ from the saved ones (a different scenario or version) is
 * refused before anything changes.
 *
 * File layout (version 1): 8-byte magic "SLCKPT\r\n", u32 version, u32 byte-order mark
 * 0x01020304 (values are stored in the writer's byte order; a file from a machine of the other
 * byte order is refused), u64 payload length, u64 FNV-1a checksum of the payload, payload.
 * Files are written to "<path>.tmp", flushed to disk and renamed, so a crash never leaves a
 * half-written checkpoint under the final name.
 *
 * Errors: a missing, truncated, corrupt (checksum) or foreign file gives SL_ERR_PARSE/SL_ERR_IO
 * with a one-line message naming the file.
 */
#ifndef SWARMLAB_CHECKPOINT_H
#define SWARMLAB_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>
#include "swarmlab/error.h"
#include "swarmlab/world.h"

#define SL_CHECKPOINT_VERSION 1u

typedef struct sl_checkpoint_info {
    uint32_t version;
    uint64_t step;          /* steps completed when saved */
    uint64_t seed;          /* the world's seed when saved */
    char scenario[512];     /* scenario path as given to the run (informational) */
} sl_checkpoint_info;

/* Saves w to path. scenario (may be NULL) is stored for information. */
sl_status sl_checkpoint_save(sl_world *w, const char *path, const char *scenario, sl_error *e);

/* Reads only the header and the info of a checkpoint (to learn the seed and step before the
 * world exists). Verifies magic, version, byte order, length and checksum. */
sl_status sl_checkpoint_peek(const char *path, sl_checkpoint_info *info, sl_error *e);

/* Restores the state saved in path into w, whose layout must match (see above). On failure w is
 * unchanged. info (may be NULL) receives the header. The world keeps its own seed: restoring a
 * checkpoint into a world made with another seed branches the run. */
sl_status sl_checkpoint_restore(sl_world *w, const char *path, sl_checkpoint_info *info,
                                sl_error *e);

#endif
