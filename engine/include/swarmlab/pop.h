/* pop.h - a population: agents stored as a struct of arrays (one typed column per attribute).
 *
 * Slots are positions in the arrays (0..count-1) and may change when agents die (stable
 * compaction) or when the population is reordered (sl_pop_permute). Ids are stable handles:
 * (generation << 32) | (index + 1), zero is the null id; an id whose agent died is stale and
 * sl_pop_slot() returns -1 for it.
 *
 * Structural changes are deferred: sl_pop_kill() marks an agent and sl_pop_spawn_deferred()
 * stages a new one; both take effect at sl_pop_commit() (the world commits at the end of every
 * system), kills first, then spawns in staging order. Systems stage spawns per chunk, and the
 * world commits the chunks in chunk order, so the result is independent of the thread count.
 *
 * Ownership: the world owns its populations (sl_world_add_pop); a standalone population made by
 * sl_pop_create() is freed by sl_pop_destroy(). Column pointers are valid until the next
 * structural change (commit, spawn, reserve).
 */
#ifndef SWARMLAB_POP_H
#define SWARMLAB_POP_H

#include <stddef.h>
#include <stdint.h>
#include "swarmlab/error.h"

struct sl_team;

typedef uint64_t sl_id;
#define SL_ID_NULL ((sl_id)0)
#define SL_POP_MAX_COLUMNS 64

typedef enum sl_type { SL_F64 = 0, SL_F32, SL_I64, SL_I32, SL_U8 } sl_type;

typedef struct sl_pop sl_pop;

sl_pop *sl_pop_create(const char *name);
void sl_pop_destroy(sl_pop *p);

const char *sl_pop_name(const sl_pop *p);
size_t sl_type_size(sl_type t);
const char *sl_type_name(sl_type t);
/* Parses "f64", "f32", "i64", "i32", "u8"; returns -1 for anything else. */
int sl_type_parse(const char *s);

/* Adds a zero-filled column; returns its index, or -1 with e filled (duplicate name, too many
 * columns, bad name). Columns may be added while the population has agents. */
int sl_pop_add_column(sl_pop *p, const char *name, sl_type t, sl_error *e);
int sl_pop_column(const sl_pop *p, const char *name);   /* -1 when absent */
int sl_pop_ncolumns(const sl_pop *p);
const char *sl_pop_column_name(const sl_pop *p, int col);
sl_type sl_pop_column_type(const sl_pop *p, int col);
void *sl_pop_data(sl_pop *p, int col);
const void *sl_pop_cdata(const sl_pop *p, int col);
/* Typed accessors; assert the column's type. */
double *sl_pop_f64(sl_pop *p, int col);
float *sl_pop_f32(sl_pop *p, int col);
int64_t *sl_pop_i64(sl_pop *p, int col);
int32_t *sl_pop_i32(sl_pop *p, int col);
uint8_t *sl_pop_u8(sl_pop *p, int col);
/* Reads/writes one cell as a double whatever its type (for the Lua host and the recorder). */
double sl_pop_get(const sl_pop *p, int col, size_t slot);
void sl_pop_set(sl_pop *p, int col, size_t slot, double v);

size_t sl_pop_count(const sl_pop *p);
sl_status sl_pop_reserve(sl_pop *p, size_t capacity, sl_error *e);

/* Immediate spawn of n zero-filled agents at the end (outside parallel phases only).
 * Returns the first new slot, or (size_t)-1 when out of memory. */
size_t sl_pop_spawn(sl_pop *p, size_t n);

sl_id sl_pop_id(const sl_pop *p, size_t slot);
long sl_pop_slot(const sl_pop *p, sl_id id);  /* -1 for a null, stale or foreign id */
/* The stable index behind an id (id-order key for deterministic ordering). */
static inline uint32_t sl_id_index(sl_id id) { return (uint32_t)(id & 0xffffffffu) - 1u; }
static inline uint32_t sl_id_gen(sl_id id) { return (uint32_t)(id >> 32); }
/* Stable index of the agent in a slot (what the RNG uses as the agent's id). */
uint32_t sl_pop_index(const sl_pop *p, size_t slot);

/* Deferred kill: marks the agent; safe from several threads for distinct slots. */
void sl_pop_kill(sl_pop *p, size_t slot);
int sl_pop_is_dying(const sl_pop *p, size_t slot);

/* Deferred spawn: stages a zero-filled agent in staging buffer `chunk` (a system passes its
 * ctx->chunk; serial code passes 0) and returns a staging row for sl_pop_staged_set().
 * Buffers are committed in increasing chunk order. Returns (size_t)-1 when out of memory. */
size_t sl_pop_spawn_deferred(sl_pop *p, int chunk, size_t *row_out);
void sl_pop_staged_set(sl_pop *p, int chunk, size_t row, int col, double v);
/* Prepares staging buffers for nchunks chunks (the world calls this before a parallel phase). */
sl_status sl_pop_prepare_staging(sl_pop *p, int nchunks, sl_error *e);

/* Applies kills (stable compaction: survivors keep their relative order) and then staged spawns
 * in chunk order. Returns the number of agents added minus removed. */
long sl_pop_commit(sl_pop *p);

/* Reorders the agents: new slot s holds the agent that was in slot perm[s]. Ids stay valid.
 * perm must be a permutation of 0..count-1. Uses an internal scratch buffer. */
sl_status sl_pop_permute(sl_pop *p, const uint32_t *perm, sl_error *e);
/* Same, with a caller-owned scratch buffer of at least count * 8 bytes (no allocation). */
sl_status sl_pop_permute_with(sl_pop *p, const uint32_t *perm, void *scratch, sl_error *e);
/* Same, but columns whose bit is set in skip_mask (bit c = column c) are left untouched: for a
 * system that has already written those columns in the new order itself. */
sl_status sl_pop_permute_except(sl_pop *p, const uint32_t *perm, void *scratch, uint64_t skip_mask,
                                sl_error *e);
/* sl_pop_permute_except() by every thread of a team (team.h), inside one parallel region;
 * scratch holds at least count * 8 bytes and must not be read by other work meanwhile. Ends with
 * a barrier. The population's size must not change during the call. */
void sl_pop_permute_team(sl_pop *p, const uint32_t *perm, void *scratch, uint64_t skip_mask,
                         const struct sl_team *t);
/* Allocated slots (column arrays hold at least this many elements). */
size_t sl_pop_capacity(const sl_pop *p);
/* Exchanges a column's storage with *buf, which must hold sl_pop_capacity(p) elements of the
 * column's type: a system that computed a whole new column double-buffers without copying. The
 * caller then owns the old storage (returned in *buf) and must reallocate it if the capacity
 * changes. */
void sl_pop_swap_column(sl_pop *p, int col, void **buf);

/* Id bookkeeping, for checkpoints: the generation of every stable index, the queue of released
 * indices (reused oldest first) and the stable index of every slot. sl_pop_get_ids() returns
 * pointers into the population (valid until the next structural change). sl_pop_set_ids()
 * replaces the agents by ids->count zero-filled ones with exactly these ids and the same reuse
 * queue, dropping pending kills and spawns; the caller then fills the columns. Every index below
 * nindex must be either in exactly one slot or queued exactly once (else SL_ERR_RANGE). */
typedef struct sl_pop_ids {
    size_t count, nindex, nfree;
    const uint32_t *slot_index;   /* count */
    const uint32_t *gen;          /* nindex */
    const uint32_t *free_idx;     /* nfree, oldest first */
} sl_pop_ids;
sl_pop_ids sl_pop_get_ids(const sl_pop *p);
sl_status sl_pop_set_ids(sl_pop *p, const sl_pop_ids *ids, sl_error *e);

/* Bytes allocated by the population (columns, id maps, scratch) - for memory benchmarks. */
size_t sl_pop_bytes(const sl_pop *p);

/* Digest of the population's contents in slot order (FNV-1a over the column
 * bytes and ids) - used to check determinism across thread counts. */
uint64_t sl_pop_hash(const sl_pop *p, uint64_t h);

#endif
