/* world.h - the world: clock, root seed, populations, spaces, ordered systems, recorder.
 *
 * One step runs the systems in the order they were added. A system runs over its population in
 * fixed-size chunks (SL_CHUNK agents) under OpenMP, or, when it is made of several passes, as a
 * team function whose passes share one parallel region (team.h); chunk boundaries depend only on the agent
 * count, never on the thread count, so per-chunk partial results combined in chunk order give the
 * same answer for any number of threads. After each system the world commits deferred kills and
 * spawns of its population. Lua never runs inside a parallel region: serial hooks (pre/post) run
 * on the calling thread.
 *
 * Ownership: the world owns its populations, fields, graphs, plane, recorder and bus; destroy
 * the world to free them. `user` pointers given to systems stay the caller's.
 */
#ifndef SWARMLAB_WORLD_H
#define SWARMLAB_WORLD_H

#include <stddef.h>
#include <stdint.h>
#include "swarmlab/error.h"
#include "swarmlab/pop.h"
#include "swarmlab/rng.h"
#include "swarmlab/team.h"

#define SL_CHUNK 1024

typedef struct sl_world sl_world;
typedef struct sl_recorder sl_recorder;
typedef struct sl_field sl_field;
typedef struct sl_graph sl_graph;
typedef struct sl_bus sl_bus;

/* What a system sees for one chunk. */
typedef struct sl_ctx {
    sl_world *world;
    sl_pop *pop;          /* NULL for a system without population */
    size_t begin, end;    /* slots [begin, end) of this chunk */
    int chunk;            /* chunk number (begin / SL_CHUNK) */
    int thread;           /* OpenMP thread number: for scratch buffers only, never for results */
    uint64_t step;        /* the step being computed (0 for the first step) */
    uint64_t seed;        /* the world's root seed */
    void *user;           /* the system's user pointer */
} sl_ctx;

typedef void (*sl_chunk_fn)(sl_ctx *ctx);
/* Serial hook; returns SL_OK or fills e (e.g. a Lua error) to abort the step. */
typedef sl_status (*sl_serial_fn)(sl_world *w, void *user, sl_error *e);

typedef struct sl_system_def {
    const char *name;
    sl_pop *pop;          /* population iterated by `run`, or NULL */
    sl_serial_fn pre;     /* optional, serial, before the chunks */
    sl_chunk_fn run;      /* optional, called once per chunk in parallel */
    sl_serial_fn post;    /* optional, serial, after the chunks */
    /* optional, instead of `run`: called once by every thread of one parallel region, for a
     * system made of several passes (see team.h). Deferred spawns and kills are committed after
     * it as after `run`. */
    sl_team_fn team;
    void *user;
    void (*free_user)(void *user); /* optional: called when the world is destroyed */
} sl_system_def;

sl_world *sl_world_create(uint64_t seed);
void sl_world_destroy(sl_world *w);

uint64_t sl_world_seed(const sl_world *w);
uint64_t sl_world_step_count(const sl_world *w);    /* steps completed so far */
void sl_world_set_step_count(sl_world *w, uint64_t step); /* for checkpoint restore */
double sl_world_dt(const sl_world *w);
void sl_world_set_dt(sl_world *w, double dt);       /* simulated time per step, default 1 */

/* Threads used by parallel phases (>= 1). Default: omp_get_max_threads(). */
void sl_world_set_threads(sl_world *w, int threads);
int sl_world_threads(const sl_world *w);

/* Populations, looked up by name. Returns NULL with e filled for a duplicate or bad name. */
sl_pop *sl_world_add_pop(sl_world *w, const char *name, sl_error *e);
sl_pop *sl_world_pop(const sl_world *w, const char *name);
int sl_world_npops(const sl_world *w);
sl_pop *sl_world_pop_at(const sl_world *w, int i);

/* Systems run in the order added. Returns the system index or -1 with e filled. A system added
 * while a step runs (from a serial hook or a Lua callback) first runs in the next step. */
int sl_world_add_system(sl_world *w, const sl_system_def *def, sl_error *e);
int sl_world_nsystems(const sl_world *w);
const char *sl_world_system_name(const sl_world *w, int i);

/* Runs one step: every system, then the recorder samples its metrics. */
sl_status sl_world_step(sl_world *w, sl_error *e);

/* Runs fn over every chunk of p in parallel (used by systems that need several passes). */
void sl_world_parallel_for(sl_world *w, sl_pop *p, sl_chunk_fn fn, void *user);
/* Parallel loop over [0, n) in fixed chunks of SL_CHUNK, for data that is not a population. */
typedef void (*sl_range_fn)(size_t begin, size_t end, int chunk, void *user);
void sl_world_parallel_range(sl_world *w, size_t n, sl_range_fn fn, void *user);

/* The world's spaces. The plane is optional; fields and graphs are named. */
typedef struct sl_plane {
    double width, height;
    int toroidal;          /* 1: wraps around; 0: bounded */
} sl_plane;
void sl_world_set_plane(sl_world *w, sl_plane plane);
const sl_plane *sl_world_plane(const sl_world *w); /* NULL when none */

sl_field *sl_world_add_field(sl_world *w, const char *name, int nx, int ny, double cell,
                             int toroidal, sl_error *e);
sl_field *sl_world_field(const sl_world *w, const char *name);
int sl_world_nfields(const sl_world *w);
sl_field *sl_world_field_at(const sl_world *w, int i);
const char *sl_world_field_name(const sl_world *w, int i);

sl_graph *sl_world_add_graph(sl_world *w, const char *name, int nodes, sl_error *e);
sl_graph *sl_world_graph(const sl_world *w, const char *name);
int sl_world_ngraphs(const sl_world *w);
sl_graph *sl_world_graph_at(const sl_world *w, int i);
const char *sl_world_graph_name(const sl_world *w, int i);

sl_recorder *sl_world_recorder(sl_world *w);
sl_bus *sl_world_bus(sl_world *w);  /* created on first use */
sl_bus *sl_world_bus_peek(const sl_world *w); /* NULL when no bus was created */

/* Named extension data owned by the world (a solver's state, a module's tables): the world calls
 * free_fn(data) when destroyed. A name is attached once: attaching other data under a name in
 * use is an SL_ERR_STATE error (the same data again only updates free_fn). sl_world_attached
 * returns NULL if absent. */
sl_status sl_world_attach(sl_world *w, const char *name, void *data, void (*free_fn)(void *),
                          sl_error *e);
void *sl_world_attached(const sl_world *w, const char *name);
/* Removes attachment `name` without freeing it (its owner is freeing it); returns the data or
 * NULL when absent. */
void *sl_world_detach(sl_world *w, const char *name);
/* Attachments in the order they were made (for checkpoints). */
int sl_world_nattached(const sl_world *w);
const char *sl_world_attached_name(const sl_world *w, int i);

/* Digest of all populations and fields (in creation order) for determinism checks. */
uint64_t sl_world_hash(const sl_world *w);

#endif
