/* world.c - the world: populations, systems, spaces and the step loop. */
#include "swarmlab/world.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <omp.h>

#include "swarmlab/bus.h"
#include "swarmlab/field.h"
#include "swarmlab/graph.h"
#include "swarmlab/recorder.h"
#include "internal.h"

typedef struct sl_system {
    sl_system_def def;
    char name[64];
} sl_system;

typedef struct sl_named {
    char name[64];
    void *ptr;
    void (*free_fn)(void *);
} sl_named;

typedef struct sl_list {
    sl_named *items;
    int n, cap;
} sl_list;

struct sl_world {
    uint64_t seed;
    uint64_t step;
    double dt;
    int threads;
    sl_list pops, fields, graphs, attached;
    sl_system *systems;
    int nsystems, cap_systems;
    sl_plane plane;
    int has_plane;
    sl_recorder *recorder;
    sl_bus *bus;
};

static int list_push(sl_list *l, const char *name, void *ptr, void (*free_fn)(void *))
{
    if (l->n == l->cap) {
        int nc = l->cap ? l->cap * 2 : 8;
        sl_named *it = realloc(l->items, (size_t)nc * sizeof *it);
        if (!it) return -1;
        l->items = it;
        l->cap = nc;
    }
    sl_named *it = &l->items[l->n];
    snprintf(it->name, sizeof it->name, "%s", name);
    it->ptr = ptr;
    it->free_fn = free_fn;
    return l->n++;
}

static void *list_find(const sl_list *l, const char *name)
{
    for (int i = 0; i < l->n; i++)
        if (strcmp(l->items[i].name, name) == 0) return l->items[i].ptr;
    return NULL;
}

static void list_free(sl_list *l)
{
    for (int i = l->n - 1; i >= 0; i--)
        if (l->items[i].free_fn) l->items[i].free_fn(l->items[i].ptr);
    free(l->items);
    memset(l, 0, sizeof *l);
}

static int check_name(const char *what, const char *name, sl_error *e)
{
    if (!name || !*name || strlen(name) >= 64) {
        sl_error_set(e, SL_ERR_RANGE, "%s name must be 1-63 characters", what);
        return 0;
    }
    return 1;
}

sl_world *sl_world_create(uint64_t seed)
{
    sl_world *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->seed = seed;
    w->dt = 1.0;
    w->threads = omp_get_max_threads();
    if (w->threads < 1) w->threads = 1;
    w->recorder = slp_recorder_create();
    if (!w->recorder) {
        free(w);
        return NULL;
    }
    return w;
}

void sl_world_destroy(sl_world *w)
{
    if (!w) return;
    for (int i = 0; i < w->nsystems; i++)
        if (w->systems[i].def.free_user) w->systems[i].def.free_user(w->systems[i].def.user);
    free(w->systems);
    list_free(&w->attached);
    list_free(&w->graphs);
    list_free(&w->fields);
    list_free(&w->pops);
    slp_recorder_destroy(w->recorder);
    sl_bus_destroy(w->bus);
    free(w);
}

uint64_t sl_world_seed(const sl_world *w) { return w->seed; }
uint64_t sl_world_step_count(const sl_world *w) { return w->step; }
void sl_world_set_step_count(sl_world *w, uint64_t step) { w->step = step; }
double sl_world_dt(const sl_world *w) { return w->dt; }
void sl_world_set_dt(sl_world *w, double dt) { w->dt = dt; }

void sl_world_set_threads(sl_world *w, int threads)
{
    w->threads = threads < 1 ? 1 : threads;
    omp_set_num_threads(w->threads);
}

int sl_world_threads(const sl_world *w) { return w->threads; }

sl_pop *sl_world_add_pop(sl_world *w, const char *name, sl_error *e)
{
    if (!check_name("population", name, e)) return NULL;
    if (list_find(&w->pops, name)) {
        sl_error_set(e, SL_ERR_RANGE, "population '%s' already exists", name);
        return NULL;
    }
    sl_pop *p = sl_pop_create(name);
    if (!p || list_push(&w->pops, name, p, (void (*)(void *))sl_pop_destroy) < 0) {
        sl_pop_destroy(p);
        sl_error_set(e, SL_ERR_NOMEM, "out of memory");
        return NULL;
    }
    return p;
}

sl_pop *sl_world_pop(const sl_world *w, const char *name) { return list_find(&w->pops, name); }
int sl_world_npops(const sl_world *w) { return w->pops.n; }
sl_pop *sl_world_pop_at(const sl_world *w, int i)
{
    return i >= 0 && i < w->pops.n ? w->pops.items[i].ptr : NULL;
}

int sl_world_add_system(sl_world *w, const sl_system_def *def, sl_error *e)
{
    if (!def || !check_name("system", def->name, e)) return -1;
    if (def->run && !def->pop) {
        sl_error_set(e, SL_ERR_RANGE, "system '%s' has a chunk function but no population",
                     def->name);
        return -1;
    }
    if (def->run && def->team) {
        sl_error_set(e, SL_ERR_RANGE, "system '%s' has both a chunk and a team function",
                     def->name);
        return -1;
    }
    if (w->nsystems == w->cap_systems) {
        int nc = w->cap_systems ? w->cap_systems * 2 : 8;
        sl_system *s = realloc(w->systems, (size_t)nc * sizeof *s);
        if (!s) {
            sl_error_set(e, SL_ERR_NOMEM, "out of memory");
            return -1;
        }
        w->systems = s;
        w->cap_systems = nc;
    }
    sl_system *s = &w->systems[w->nsystems];
    s->def = *def;
    snprintf(s->name, sizeof s->name, "%s", def->name);
    s->def.name = s->name;
    return w->nsystems++;
}

int sl_world_nsystems(const sl_world *w) { return w->nsystems; }
const char *sl_world_system_name(const sl_world *w, int i)
{
    return i >= 0 && i < w->nsystems ? w->systems[i].name : NULL;
}

static void run_chunks(sl_world *w, sl_pop *p, sl_chunk_fn fn, void *user)
{
    const size_t n = sl_pop_count(p);
    const long nchunks = (long)((n + SL_CHUNK - 1) / SL_CHUNK);
    if (nchunks == 0) return;
    const int threads = nchunks < w->threads ? (int)nchunks : w->threads;
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
    for (long c = 0; c < nchunks; c++) {
        sl_ctx ctx = {
            .world = w, .pop = p, .begin = (size_t)c * SL_CHUNK,
            .end = (size_t)c * SL_CHUNK + SL_CHUNK < n ? (size_t)c * SL_CHUNK + SL_CHUNK : n,
            .chunk = (int)c, .thread = omp_get_thread_num(), .step = w->step, .seed = w->seed,
            .user = user,
        };
        fn(&ctx);
    }
}

void sl_world_parallel_for(sl_world *w, sl_pop *p, sl_chunk_fn fn, void *user)
{
    size_t n = sl_pop_count(p);
    sl_pop_prepare_staging(p, (int)((n + SL_CHUNK - 1) / SL_CHUNK), NULL);
    run_chunks(w, p, fn, user);
}

void sl_world_parallel_range(sl_world *w, size_t n, sl_range_fn fn, void *user)
{
    const long nchunks = (long)((n + SL_CHUNK - 1) / SL_CHUNK);
    if (nchunks == 0) return;
    const int threads = nchunks < w->threads ? (int)nchunks : w->threads;
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
    for (long c = 0; c < nchunks; c++) {
        size_t b = (size_t)c * SL_CHUNK, e = b + SL_CHUNK < n ? b + SL_CHUNK : n;
        fn(b, e, (int)c, user);
    }
}

sl_status sl_world_step(sl_world *w, sl_error *e)
{
    if (w->step == 0 && sl_recorder_nrows(w->recorder) == 0) {
        sl_status st = sl_recorder_sample(w->recorder, w, 0, e);
        if (st != SL_OK) return st;
    }
    /* Systems added during this step (by a serial hook or a Lua callback) may move the array:
     * each system is read by index into a copy before it runs, and those added now run from the
     * next step on. */
    const int nsys = w->nsystems;
    for (int i = 0; i < nsys; i++) {
        const sl_system_def d = w->systems[i].def;
        sl_status st;
        if (d.pre && (st = d.pre(w, d.user, e)) != SL_OK) return st;
        if (d.run || d.team) {
            size_t n = d.pop ? sl_pop_count(d.pop) : 0;
            size_t nchunks = (n + SL_CHUNK - 1) / SL_CHUNK;
            if (d.pop) {
                st = sl_pop_prepare_staging(d.pop, (int)nchunks, e);
                if (st != SL_OK) return st;
            }
            /* no more threads than chunks: a small population is not worth waking them */
            int threads = d.pop && nchunks < (size_t)w->threads ? (int)nchunks : w->threads;
            if (d.team)
                sl_team_run(w, d.pop, threads, d.team, d.user, w->step, w->seed);
            else
                run_chunks(w, d.pop, d.run, d.user);
            if (d.pop) sl_pop_commit(d.pop);
        }
        if (d.post && (st = d.post(w, d.user, e)) != SL_OK) return st;
    }
    if (w->bus && sl_bus_end_step(w->bus, w->step) != SL_OK)
        return sl_error_set(e, SL_ERR_NOMEM, "message bus: out of memory delivering step %llu",
                            (unsigned long long)w->step);
    w->step++;
    return sl_recorder_sample(w->recorder, w, w->step, e);
}

void sl_world_set_plane(sl_world *w, sl_plane plane)
{
    w->plane = plane;
    w->has_plane = 1;
}

const sl_plane *sl_world_plane(const sl_world *w) { return w->has_plane ? &w->plane : NULL; }

sl_field *sl_world_add_field(sl_world *w, const char *name, int nx, int ny, double cell,
                             int toroidal, sl_error *e)
{
    if (!check_name("field", name, e)) return NULL;
    if (list_find(&w->fields, name)) {
        sl_error_set(e, SL_ERR_RANGE, "field '%s' already exists", name);
        return NULL;
    }
    sl_field *f = sl_field_create(nx, ny, cell, toroidal, e);
    if (!f) return NULL;
    if (list_push(&w->fields, name, f, (void (*)(void *))sl_field_destroy) < 0) {
        sl_field_destroy(f);
        sl_error_set(e, SL_ERR_NOMEM, "out of memory");
        return NULL;
    }
    return f;
}

sl_field *sl_world_field(const sl_world *w, const char *name) { return list_find(&w->fields, name); }
int sl_world_nfields(const sl_world *w) { return w->fields.n; }
sl_field *sl_world_field_at(const sl_world *w, int i)
{
    return i >= 0 && i < w->fields.n ? w->fields.items[i].ptr : NULL;
}
const char *sl_world_field_name(const sl_world *w, int i)
{
    return i >= 0 && i < w->fields.n ? w->fields.items[i].name : NULL;
}

sl_graph *sl_world_add_graph(sl_world *w, const char *name, int nodes, sl_error *e)
{
    if (!check_name("graph", name, e)) return NULL;
    if (list_find(&w->graphs, name)) {
        sl_error_set(e, SL_ERR_RANGE, "graph '%s' already exists", name);
        return NULL;
    }
    sl_graph *g = sl_graph_create(nodes, e);
    if (!g) return NULL;
    if (list_push(&w->graphs, name, g, (void (*)(void *))sl_graph_destroy) < 0) {
        sl_graph_destroy(g);
        sl_error_set(e, SL_ERR_NOMEM, "out of memory");
        return NULL;
    }
    return g;
}

sl_graph *sl_world_graph(const sl_world *w, const char *name) { return list_find(&w->graphs, name); }
int sl_world_ngraphs(const sl_world *w) { return w->graphs.n; }
sl_graph *sl_world_graph_at(const sl_world *w, int i)
{
    return i >= 0 && i < w->graphs.n ? w->graphs.items[i].ptr : NULL;
}
const char *sl_world_graph_name(const sl_world *w, int i)
{
    return i >= 0 && i < w->graphs.n ? w->graphs.items[i].name : NULL;
}

sl_recorder *sl_world_recorder(sl_world *w) { return w->recorder; }

sl_bus *sl_world_bus(sl_world *w)
{
    if (!w->bus) w->bus = sl_bus_create();
    return w->bus;
}

sl_bus *sl_world_bus_peek(const sl_world *w) { return w->bus; }

sl_status sl_world_attach(sl_world *w, const char *name, void *data, void (*free_fn)(void *),
                          sl_error *e)
{
    if (!check_name("attachment", name, e)) return e ? e->code : SL_ERR_RANGE;
    for (int i = 0; i < w->attached.n; i++) {
        sl_named *it = &w->attached.items[i];
        if (strcmp(it->name, name) == 0) {
            /* replacing would free data that systems or callbacks may still point to */
            if (it->ptr != data)
                return sl_error_set(e, SL_ERR_STATE, "attachment '%s' already exists", name);
            it->free_fn = free_fn;
            return SL_OK;
        }
    }
    if (list_push(&w->attached, name, data, free_fn) < 0)
        return sl_error_set(e, SL_ERR_NOMEM, "out of memory");
    return SL_OK;
}

void *sl_world_attached(const sl_world *w, const char *name) { return list_find(&w->attached, name); }
void *sl_world_detach(sl_world *w, const char *name)
{
    sl_list *l = &w->attached;
    for (int i = 0; i < l->n; i++) {
        if (strcmp(l->items[i].name, name) != 0) continue;
        void *data = l->items[i].ptr;
        memmove(&l->items[i], &l->items[i + 1], (size_t)(l->n - i - 1) * sizeof *l->items);
        l->n--;
        return data;
    }
    return NULL;
}

int sl_world_nattached(const sl_world *w) { return w->attached.n; }
const char *sl_world_attached_name(const sl_world *w, int i)
{
    return i >= 0 && i < w->attached.n ? w->attached.items[i].name : NULL;
}

uint64_t sl_world_hash(const sl_world *w)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (int i = 0; i < w->pops.n; i++) h = sl_pop_hash(w->pops.items[i].ptr, h);
    for (int i = 0; i < w->fields.n; i++) {
        const sl_field *f = w->fields.items[i].ptr;
        const unsigned char *b = (const unsigned char *)f->v;
        for (size_t k = 0; k < (size_t)f->nx * (size_t)f->ny * sizeof(double); k++) {
            h ^= b[k];
            h *= 0x100000001b3ull;
        }
    }
    h ^= w->step;
    h *= 0x100000001b3ull;
    return h;
}
