/* pop.c - struct-of-arrays populations with stable ids and deferred structural changes. */
#include "swarmlab/pop.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <omp.h>

#include "swarmlab/team.h"

/* Below this many agents a parallel region costs more (waking sleeping threads) than it saves. */
#define SL_POP_PARALLEL_MIN 65536

typedef struct sl_column {
    char name[48];
    sl_type type;
    size_t esize;
    unsigned char *data;
} sl_column;

typedef struct sl_stage {      /* deferred spawns of one chunk, row-major */
    unsigned char *rows;
    size_t n, cap;
} sl_stage;

struct sl_pop {
    char name[64];
    int ncol;
    sl_column cols[SL_POP_MAX_COLUMNS];
    size_t row_bytes;          /* sum of column element sizes (staging rows) */
    size_t count, cap;
    uint32_t *slot_index;      /* slot -> stable index */
    uint32_t *index_slot;      /* index -> slot, UINT32_MAX when dead */
    uint32_t *gen;             /* index -> generation */
    size_t nindex, index_cap;
    uint32_t *free_idx;        /* reusable indices, reused in increasing order of release */
    size_t free_head, free_n, free_cap;
    uint8_t *dying;            /* cap entries, allocated on first kill */
    int any_dying;
    sl_stage *stages;
    int nstages;
};

static const size_t type_sizes[] = {8, 4, 8, 4, 1};
static const char *const type_names[] = {"f64", "f32", "i64", "i32", "u8"};

size_t sl_type_size(sl_type t) { return type_sizes[t]; }
const char *sl_type_name(sl_type t) { return type_names[t]; }

int sl_type_parse(const char *s)
{
    for (int i = 0; i < 5; i++)
        if (s && strcmp(s, type_names[i]) == 0) return i;
    return -1;
}

sl_pop *sl_pop_create(const char *name)
{
    sl_pop *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    snprintf(p->name, sizeof p->name, "%s", name ? name : "");
    return p;
}

void sl_pop_destroy(sl_pop *p)
{
    if (!p) return;
    for (int c = 0; c < p->ncol; c++) free(p->cols[c].data);
    free(p->slot_index);
    free(p->index_slot);
    free(p->gen);
    free(p->free_idx);
    free(p->dying);
    for (int i = 0; i < p->nstages; i++) free(p->stages[i].rows);
    free(p->stages);
    free(p);
}

const char *sl_pop_name(const sl_pop *p) { return p->name; }
int sl_pop_ncolumns(const sl_pop *p) { return p->ncol; }
size_t sl_pop_count(const sl_pop *p) { return p->count; }

static int valid_name(const char *s)
{
    if (!s || !*s || strlen(s) >= 48) return 0;
    for (const char *c = s; *c; c++) {
        int ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || *c == '_' ||
                 (c != s && *c >= '0' && *c <= '9');
        if (!ok) return 0;
    }
    return 1;
}

int sl_pop_column(const sl_pop *p, const char *name)
{
    for (int c = 0; c < p->ncol; c++)
        if (strcmp(p->cols[c].name, name) == 0) return c;
    return -1;
}

const char *sl_pop_column_name(const sl_pop *p, int col)
{
    assert(col >= 0 && col < p->ncol);
    return p->cols[col].name;
}

sl_type sl_pop_column_type(const sl_pop *p, int col)
{
    assert(col >= 0 && col < p->ncol);
    return p->cols[col].type;
}

static int grow(void **ptr, size_t n, size_t esize)
{
    size_t bytes = n * esize;
    void *q = realloc(*ptr, bytes ? bytes : 1);
    if (!q) return 0;
    *ptr = q;
    return 1;
}

sl_status sl_pop_reserve(sl_pop *p, size_t capacity, sl_error *e)
{
    if (capacity <= p->cap) return SL_OK;
    if (capacity > UINT32_MAX - 1)
        return sl_error_set(e, SL_ERR_RANGE, "population '%s': %zu agents exceed the limit",
                            p->name, capacity);
    for (int c = 0; c < p->ncol; c++) {
        sl_column *col = &p->cols[c];
        if (!grow((void **)&col->data, capacity, col->esize)) goto nomem;
        memset(col->data + p->cap * col->esize, 0, (capacity - p->cap) * col->esize);
    }
    if (!grow((void **)&p->slot_index, capacity, sizeof(uint32_t))) goto nomem;
    if (capacity > p->index_cap) { /* stable indices never outnumber live agents + free list */
        if (!grow((void **)&p->index_slot, capacity, sizeof(uint32_t))) goto nomem;
        if (!grow((void **)&p->gen, capacity, sizeof(uint32_t))) goto nomem;
        p->index_cap = capacity;
    }
    if (p->dying) {
        if (!grow((void **)&p->dying, capacity, 1)) goto nomem;
        memset(p->dying + p->cap, 0, capacity - p->cap);
    }
    p->cap = capacity;
    return SL_OK;
nomem:
    return sl_error_set(e, SL_ERR_NOMEM, "population '%s': out of memory for %zu agents",
                        p->name, capacity);
}

int sl_pop_add_column(sl_pop *p, const char *name, sl_type t, sl_error *e)
{
    if (!valid_name(name)) {
        sl_error_set(e, SL_ERR_RANGE, "population '%s': bad column name '%s' (letters, digits, _)",
                     p->name, name ? name : "(null)");
        return -1;
    }
    if ((int)t < 0 || (int)t > SL_U8) {
        sl_error_set(e, SL_ERR_RANGE, "population '%s': bad type for column '%s'", p->name, name);
        return -1;
    }
    if (sl_pop_column(p, name) >= 0) {
        sl_error_set(e, SL_ERR_RANGE, "population '%s': column '%s' already exists", p->name, name);
        return -1;
    }
    if (p->ncol >= SL_POP_MAX_COLUMNS) {
        sl_error_set(e, SL_ERR_RANGE, "population '%s': more than %d columns", p->name,
                     SL_POP_MAX_COLUMNS);
        return -1;
    }
    for (int i = 0; i < p->nstages; i++)
        if (p->stages[i].n) {
            sl_error_set(e, SL_ERR_STATE, "population '%s': column added with spawns pending",
                         p->name);
            return -1;
        }
    sl_column *col = &p->cols[p->ncol];
    memset(col, 0, sizeof *col);
    snprintf(col->name, sizeof col->name, "%s", name);
    col->type = t;
    col->esize = type_sizes[t];
    col->data = calloc(p->cap ? p->cap : 1, col->esize);
    if (!col->data) {
        sl_error_set(e, SL_ERR_NOMEM, "population '%s': out of memory", p->name);
        return -1;
    }
    p->row_bytes += col->esize;
    /* staged rows were empty (checked above), so their layout can change freely */
    for (int i = 0; i < p->nstages; i++) {
        free(p->stages[i].rows);
        p->stages[i].rows = NULL;
        p->stages[i].cap = 0;
    }
    return p->ncol++;
}

void *sl_pop_data(sl_pop *p, int col)
{
    assert(col >= 0 && col < p->ncol);
    return p->cols[col].data;
}

const void *sl_pop_cdata(const sl_pop *p, int col)
{
    assert(col >= 0 && col < p->ncol);
    return p->cols[col].data;
}

#define TYPED(fn, ctype, tag)                                                                     \
    ctype *fn(sl_pop *p, int col)                                                                 \
    {                                                                                             \
        assert(col >= 0 && col < p->ncol && p->cols[col].type == tag);                            \
        return (ctype *)(void *)p->cols[col].data;                                                \
    }
TYPED(sl_pop_f64, double, SL_F64)
TYPED(sl_pop_f32, float, SL_F32)
TYPED(sl_pop_i64, int64_t, SL_I64)
TYPED(sl_pop_i32, int32_t, SL_I32)
TYPED(sl_pop_u8, uint8_t, SL_U8)

static double get_elem(const sl_column *c, size_t i)
{
    switch (c->type) {
    case SL_F64: return ((const double *)(const void *)c->data)[i];
    case SL_F32: return ((const float *)(const void *)c->data)[i];
    case SL_I64: return (double)((const int64_t *)(const void *)c->data)[i];
    case SL_I32: return ((const int32_t *)(const void *)c->data)[i];
    case SL_U8: return c->data[i];
    }
    return 0;
}

static void put_elem(sl_type t, unsigned char *dst, double v)
{
    switch (t) {
    case SL_F64: memcpy(dst, &v, 8); break;
    case SL_F32: { float f = (float)v; memcpy(dst, &f, 4); break; }
    case SL_I64: { int64_t x = (int64_t)v; memcpy(dst, &x, 8); break; }
    case SL_I32: { int32_t x = (int32_t)v; memcpy(dst, &x, 4); break; }
    case SL_U8: { uint8_t x = (uint8_t)v; *dst = x; break; }
    }
}

double sl_pop_get(const sl_pop *p, int col, size_t slot)
{
    assert(col >= 0 && col < p->ncol && slot < p->count);
    return get_elem(&p->cols[col], slot);
}

void sl_pop_set(sl_pop *p, int col, size_t slot, double v)
{
    assert(col >= 0 && col < p->ncol && slot < p->count);
    put_elem(p->cols[col].type, p->cols[col].data + slot * p->cols[col].esize, v);
}

/* Takes a stable index for a new agent: a released one if any (oldest first), else a new one. */
static int take_index(sl_pop *p, uint32_t *out)
{
    if (p->free_n) {
        *out = p->free_idx[p->free_head++];
        p->free_n--;
        if (!p->free_n) p->free_head = 0;
        return 1;
    }
    if (p->nindex == p->index_cap) {
        size_t nc = p->index_cap ? p->index_cap * 2 : 64;
        if (!grow((void **)&p->index_slot, nc, sizeof(uint32_t))) return 0;
        if (!grow((void **)&p->gen, nc, sizeof(uint32_t))) return 0;
        p->index_cap = nc;
    }
    p->gen[p->nindex] = 1;
    *out = (uint32_t)p->nindex++;
    return 1;
}

static int release_index(sl_pop *p, uint32_t idx)
{
    if (p->free_head + p->free_n == p->free_cap) {
        if (p->free_head) {
            memmove(p->free_idx, p->free_idx + p->free_head, p->free_n * sizeof(uint32_t));
            p->free_head = 0;
        }
        if (p->free_n == p->free_cap) {
            size_t nc = p->free_cap ? p->free_cap * 2 : 64;
            if (!grow((void **)&p->free_idx, nc, sizeof(uint32_t))) return 0;
            p->free_cap = nc;
        }
    }
    p->free_idx[p->free_head + p->free_n++] = idx;
    p->index_slot[idx] = UINT32_MAX;
    p->gen[idx]++;
    if (p->gen[idx] == 0) p->gen[idx] = 1;
    return 1;
}

static int ensure_cap(sl_pop *p, size_t need)
{
    if (need <= p->cap) return 1;
    /* grow by half, but a bulk spawn gets exactly what it asks for */
    size_t nc = p->cap + p->cap / 2;
    if (nc < need) nc = need;
    if (nc < 16) nc = 16;
    return sl_pop_reserve(p, nc, NULL) == SL_OK;
}

size_t sl_pop_spawn(sl_pop *p, size_t n)
{
    if (!ensure_cap(p, p->count + n)) return (size_t)-1;
    size_t first = p->count;
    for (size_t k = 0; k < n; k++) {
        uint32_t idx;
        if (!take_index(p, &idx)) return (size_t)-1;
        size_t s = first + k;
        p->slot_index[s] = idx;
        p->index_slot[idx] = (uint32_t)s;
        for (int c = 0; c < p->ncol; c++)
            memset(p->cols[c].data + s * p->cols[c].esize, 0, p->cols[c].esize);
        if (p->dying) p->dying[s] = 0;
        p->count = s + 1;
    }
    return first;
}

sl_id sl_pop_id(const sl_pop *p, size_t slot)
{
    assert(slot < p->count);
    uint32_t idx = p->slot_index[slot];
    return ((sl_id)p->gen[idx] << 32) | (sl_id)(idx + 1u);
}

uint32_t sl_pop_index(const sl_pop *p, size_t slot)
{
    assert(slot < p->count);
    return p->slot_index[slot];
}

long sl_pop_slot(const sl_pop *p, sl_id id)
{
    if (id == SL_ID_NULL) return -1;
    uint32_t low = (uint32_t)(id & 0xffffffffu);
    if (low == 0) return -1;
    uint32_t idx = low - 1u;
    if (idx >= p->nindex || p->gen[idx] != sl_id_gen(id)) return -1;
    uint32_t s = p->index_slot[idx];
    return s == UINT32_MAX ? -1 : (long)s;
}

void sl_pop_kill(sl_pop *p, size_t slot)
{
    assert(slot < p->count);
    if (!p->dying) {
        /* first kill ever: allocate outside parallel phases is the caller's duty; the world
         * prepares this in sl_pop_prepare_staging */
        p->dying = calloc(p->cap ? p->cap : 1, 1);
        assert(p->dying);
    }
    p->dying[slot] = 1;
    p->any_dying = 1;
}

int sl_pop_is_dying(const sl_pop *p, size_t slot)
{
    return p->dying && slot < p->count && p->dying[slot];
}

sl_status sl_pop_prepare_staging(sl_pop *p, int nchunks, sl_error *e)
{
    if (!p->dying) {
        p->dying = calloc(p->cap ? p->cap : 1, 1);
        if (!p->dying) return sl_error_set(e, SL_ERR_NOMEM, "out of memory");
    }
    if (nchunks < 1) nchunks = 1;
    if (nchunks > p->nstages) {
        sl_stage *s = realloc(p->stages, (size_t)nchunks * sizeof *s);
        if (!s) return sl_error_set(e, SL_ERR_NOMEM, "out of memory");
        memset(s + p->nstages, 0, (size_t)(nchunks - p->nstages) * sizeof *s);
        p->stages = s;
        p->nstages = nchunks;
    }
    return SL_OK;
}

size_t sl_pop_spawn_deferred(sl_pop *p, int chunk, size_t *row_out)
{
    if (chunk < 0) chunk = 0;
    if (chunk >= p->nstages && sl_pop_prepare_staging(p, chunk + 1, NULL) != SL_OK)
        return (size_t)-1;
    sl_stage *st = &p->stages[chunk];
    size_t rb = p->row_bytes ? p->row_bytes : 1;
    if (st->n == st->cap) {
        size_t nc = st->cap ? st->cap * 2 : 16;
        if (!grow((void **)&st->rows, nc, rb)) return (size_t)-1;
        st->cap = nc;
    }
    memset(st->rows + st->n * rb, 0, rb);
    if (row_out) *row_out = st->n;
    return st->n++;
}

void sl_pop_staged_set(sl_pop *p, int chunk, size_t row, int col, double v)
{
    assert(chunk >= 0 && chunk < p->nstages && row < p->stages[chunk].n);
    assert(col >= 0 && col < p->ncol);
    size_t off = 0;
    for (int c = 0; c < col; c++) off += p->cols[c].esize;
    put_elem(p->cols[col].type, p->stages[chunk].rows + row * p->row_bytes + off, v);
}

long sl_pop_commit(sl_pop *p)
{
    long delta = 0;
    if (p->any_dying) {
        size_t w = 0;
        for (size_t s = 0; s < p->count; s++) {
            if (p->dying[s]) {
                release_index(p, p->slot_index[s]);
                p->dying[s] = 0;
                continue;
            }
            if (w != s) {
                for (int c = 0; c < p->ncol; c++) {
                    size_t es = p->cols[c].esize;
                    memcpy(p->cols[c].data + w * es, p->cols[c].data + s * es, es);
                }
                p->slot_index[w] = p->slot_index[s];
                p->index_slot[p->slot_index[w]] = (uint32_t)w;
            }
            w++;
        }
        delta -= (long)(p->count - w);
        p->count = w;
        p->any_dying = 0;
    }
    for (int i = 0; i < p->nstages; i++) {
        sl_stage *st = &p->stages[i];
        for (size_t r = 0; r < st->n; r++) {
            size_t s = sl_pop_spawn(p, 1);
            if (s == (size_t)-1) break; /* out of memory: remaining spawns are dropped */
            size_t off = 0;
            for (int c = 0; c < p->ncol; c++) {
                size_t es = p->cols[c].esize;
                memcpy(p->cols[c].data + s * es, st->rows + r * p->row_bytes + off, es);
                off += es;
            }
            delta++;
        }
        st->n = 0;
    }
    return delta;
}


sl_status sl_pop_permute(sl_pop *p, const uint32_t *perm, sl_error *e)
{
    void *scratch = malloc((p->count ? p->count : 1) * 8);
    if (!scratch) return sl_error_set(e, SL_ERR_NOMEM, "out of memory permuting '%s'", p->name);
    sl_status st = sl_pop_permute_with(p, perm, scratch, e);
    free(scratch);
    return st;
}

sl_status sl_pop_permute_with(sl_pop *p, const uint32_t *perm, void *scratch, sl_error *e)
{
    return sl_pop_permute_except(p, perm, scratch, 0, e);
}

typedef struct permute_job {
    sl_pop *p;
    const uint32_t *perm;
    void *scratch;
    uint64_t skip;
} permute_job;

static void permute_team_fn(const sl_team *t)
{
    permute_job *j = t->user;
    sl_pop_permute_team(j->p, j->perm, j->scratch, j->skip, t);
}

sl_status sl_pop_permute_except(sl_pop *p, const uint32_t *perm, void *scratch, uint64_t skip_mask,
                                sl_error *e)
{
    (void)e;
    permute_job j = {p, perm, scratch, skip_mask};
    /* its own region only when the population is large enough to pay for waking threads */
    int threads = p->count > SL_POP_PARALLEL_MIN ? omp_get_max_threads() : 1;
    sl_team_run(NULL, NULL, threads, permute_team_fn, &j, 0, 0);
    return SL_OK;
}

void sl_pop_permute_team(sl_pop *p, const uint32_t *perm, void *scratch, uint64_t skip_mask,
                         const sl_team *t)
{
    /* each thread gathers its own block of slots into the same block of 8-byte scratch slots
     * (whatever the column's element size, so blocks never overlap across columns), then copies
     * it back after a barrier: every slot of the column has been read before any is written */
    uint64_t *tmp = scratch;
    size_t b, e;
    sl_team_block(t, p->count, &b, &e);
    for (int c = 0; c < p->ncol; c++) {
        if (skip_mask & ((uint64_t)1 << c)) continue;
        sl_column *col = &p->cols[c];
        switch (col->esize) {
        case 8: {
            uint64_t *d = (uint64_t *)(void *)col->data;
            for (size_t s = b; s < e; s++) tmp[s] = d[perm[s]];
            sl_team_barrier(t);
            for (size_t s = b; s < e; s++) d[s] = tmp[s];
            break;
        }
        case 4: {
            uint32_t *d = (uint32_t *)(void *)col->data;
            for (size_t s = b; s < e; s++) tmp[s] = d[perm[s]];
            sl_team_barrier(t);
            for (size_t s = b; s < e; s++) d[s] = (uint32_t)tmp[s];
            break;
        }
        default: {
            uint8_t *d = col->data;
            for (size_t s = b; s < e; s++) tmp[s] = d[perm[s]];
            sl_team_barrier(t);
            for (size_t s = b; s < e; s++) d[s] = (uint8_t)tmp[s];
            break;
        }
        }
    }
    if (p->dying && p->any_dying) {
        for (size_t s = b; s < e; s++) tmp[s] = p->dying[perm[s]];
        sl_team_barrier(t);
        for (size_t s = b; s < e; s++) p->dying[s] = (uint8_t)tmp[s];
    }
    uint32_t *slot_index = p->slot_index, *index_slot = p->index_slot;
    for (size_t s = b; s < e; s++) tmp[s] = slot_index[perm[s]];
    sl_team_barrier(t);
    for (size_t s = b; s < e; s++) slot_index[s] = (uint32_t)tmp[s];
    /* index -> slot writes land anywhere in the map. Threads write distinct entries, but in a
     * small population they share cache lines, and two threads writing the same lines are slower
     * than one: below SL_POP_PARALLEL_MIN the first thread writes the whole map. */
    if (p->count > SL_POP_PARALLEL_MIN) {
        for (size_t s = b; s < e; s++) index_slot[tmp[s]] = (uint32_t)s;
    } else if (t->thread == 0) {
        for (size_t s = 0; s < p->count; s++) index_slot[tmp[s]] = (uint32_t)s;
    }
    sl_team_barrier(t);
}

size_t sl_pop_capacity(const sl_pop *p) { return p->cap; }

void sl_pop_swap_column(sl_pop *p, int col, void **buf)
{
    assert(col >= 0 && col < p->ncol && buf && *buf);
    unsigned char *old = p->cols[col].data;
    p->cols[col].data = *buf;
    *buf = old;
}

size_t sl_pop_bytes(const sl_pop *p)
{
    size_t b = sizeof *p + p->cap * (sizeof(uint32_t) + (p->dying ? 1 : 0));
    for (int c = 0; c < p->ncol; c++) b += p->cap * p->cols[c].esize;
    b += p->index_cap * 2 * sizeof(uint32_t) + p->free_cap * sizeof(uint32_t);
    for (int i = 0; i < p->nstages; i++) b += p->stages[i].cap * p->row_bytes;
    return b;
}

static uint64_t fnv(uint64_t h, const void *data, size_t n)
{
    const unsigned char *b = data;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

uint64_t sl_pop_hash(const sl_pop *p, uint64_t h)
{
    h = fnv(h, p->name, strlen(p->name));
    h = fnv(h, &p->count, sizeof p->count);
    for (int c = 0; c < p->ncol; c++) {
        h = fnv(h, p->cols[c].name, strlen(p->cols[c].name));
        h = fnv(h, p->cols[c].data, p->count * p->cols[c].esize);
    }
    for (size_t s = 0; s < p->count; s++) {
        sl_id id = sl_pop_id(p, s);
        h = fnv(h, &id, sizeof id);
    }
    return h;
}

sl_pop_ids sl_pop_get_ids(const sl_pop *p)
{
    sl_pop_ids ids;
    ids.count = p->count;
    ids.nindex = p->nindex;
    ids.nfree = p->free_n;
    ids.slot_index = p->slot_index;
    ids.gen = p->gen;
    ids.free_idx = p->free_idx ? p->free_idx + p->free_head : NULL;
    return ids;
}

sl_status sl_pop_set_ids(sl_pop *p, const sl_pop_ids *ids, sl_error *e)
{
    if (ids->count + ids->nfree != ids->nindex || ids->nindex >= UINT32_MAX)
        return sl_error_set(e, SL_ERR_RANGE, "population '%s': inconsistent id counts", p->name);
    unsigned char *seen = calloc(ids->nindex ? ids->nindex : 1, 1);
    if (!seen) return sl_error_set(e, SL_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < ids->count + ids->nfree; i++) {
        uint32_t x = i < ids->count ? ids->slot_index[i] : ids->free_idx[i - ids->count];
        if (x >= ids->nindex || seen[x]) {
            free(seen);
            return sl_error_set(e, SL_ERR_RANGE, "population '%s': inconsistent ids", p->name);
        }
        seen[x] = 1;
    }
    free(seen);
    sl_status st = sl_pop_reserve(p, ids->count, e);
    if (st != SL_OK) return st;
    size_t icap = ids->nindex ? ids->nindex : 1;
    if (icap > p->index_cap) {
        if (!grow((void **)&p->index_slot, icap, sizeof(uint32_t)) ||
            !grow((void **)&p->gen, icap, sizeof(uint32_t)))
            return sl_error_set(e, SL_ERR_NOMEM, "out of memory");
        p->index_cap = icap;
    }
    size_t fcap = ids->nfree ? ids->nfree : 1;
    if (fcap > p->free_cap) {
        if (!grow((void **)&p->free_idx, fcap, sizeof(uint32_t)))
            return sl_error_set(e, SL_ERR_NOMEM, "out of memory");
        p->free_cap = fcap;
    }
    for (int i = 0; i < p->nstages; i++) p->stages[i].n = 0;
    if (p->dying) memset(p->dying, 0, p->cap);
    p->any_dying = 0;
    p->nindex = ids->nindex;
    if (ids->nindex) memcpy(p->gen, ids->gen, ids->nindex * sizeof(uint32_t));
    for (size_t i = 0; i < ids->nindex; i++) p->index_slot[i] = UINT32_MAX;
    p->count = ids->count;
    for (size_t s = 0; s < ids->count; s++) {
        p->slot_index[s] = ids->slot_index[s];
        p->index_slot[ids->slot_index[s]] = (uint32_t)s;
    }
    for (int c = 0; c < p->ncol; c++)
        memset(p->cols[c].data, 0, p->cap * p->cols[c].esize);
    p->free_head = 0;
    p->free_n = ids->nfree;
    if (ids->nfree) memcpy(p->free_idx, ids->free_idx, ids->nfree * sizeof(uint32_t));
    return SL_OK;
}
