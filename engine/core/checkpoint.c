/* checkpoint.c - binary save/restore of a world's state (see checkpoint.h for the layout). */
#include "swarmlab/checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>

#include "swarmlab/bus.h"
#include "swarmlab/field.h"
#include "swarmlab/fileio.h"
#include "swarmlab/graph.h"
#include "swarmlab/pop.h"
#include "swarmlab/recorder.h"

static const unsigned char k_magic[8] = {'S', 'L', 'C', 'K', 'P', 'T', '\r', '\n'};
#define BOM 0x01020304u
#define HEADER_BYTES 32u

static uint64_t fnv1a(const unsigned char *b, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

/* ---- module hooks (kept in a world attachment) ---- */

#define HOOKS_KEY "checkpoint.hooks"

typedef struct hook {
    char name[64];
    sl_checkpoint_save_fn save;
    sl_checkpoint_load_fn load;
} hook;

typedef struct hooks {
    hook *h;
    int n, cap;
    char *params;   /* the run's parameters (sl_checkpoint_set_params), or NULL */
} hooks;

static void hooks_free(void *p)
{
    hooks *hs = p;
    if (hs) {
        free(hs->h);
        free(hs->params);
    }
    free(hs);
}

/* The world's hooks attachment, created on first use; NULL with e filled. */
static hooks *hooks_of(sl_world *w, sl_error *e)
{
    hooks *hs = sl_world_attached(w, HOOKS_KEY);
    if (hs) return hs;
    hs = calloc(1, sizeof *hs);
    if (!hs) {
        sl_error_set(e, SL_ERR_NOMEM, "out of memory");
        return NULL;
    }
    if (sl_world_attach(w, HOOKS_KEY, hs, hooks_free, e) != SL_OK) {
        free(hs);
        return NULL;
    }
    return hs;
}

sl_status sl_checkpoint_set_params(sl_world *w, const char *params, sl_error *e)
{
    if (params && strlen(params) >= SL_CHECKPOINT_PARAMS_MAX)
        return sl_error_set(e, SL_ERR_RANGE, "checkpoint: the run's parameters take %zu bytes, "
                            "more than the %d a checkpoint records", strlen(params),
                            SL_CHECKPOINT_PARAMS_MAX - 1);
    hooks *hs = hooks_of(w, e);
    if (!hs) return e ? e->code : SL_ERR_NOMEM;
    char *copy = params ? strdup(params) : NULL;
    if (params && !copy) return sl_error_set(e, SL_ERR_NOMEM, "out of memory");
    free(hs->params);
    hs->params = copy;
    return SL_OK;
}

sl_status sl_checkpoint_register(sl_world *w, const char *attachment, sl_checkpoint_save_fn save,
                                 sl_checkpoint_load_fn load, sl_error *e)
{
    if (!attachment || !*attachment || strlen(attachment) >= 64 || (!save) != (!load))
        return sl_error_set(e, SL_ERR_RANGE, "checkpoint: bad registration for '%s'",
                            attachment ? attachment : "");
    hooks *hs = hooks_of(w, e);
    if (!hs) return e ? e->code : SL_ERR_NOMEM;
    for (int i = 0; i < hs->n; i++)
        if (strcmp(hs->h[i].name, attachment) == 0) {
            hs->h[i].save = save;
            hs->h[i].load = load;
            return SL_OK;
        }
    if (hs->n == hs->cap) {
        int nc = hs->cap ? hs->cap * 2 : 8;
        hook *nh = realloc(hs->h, (size_t)nc * sizeof *nh);
        if (!nh) return sl_error_set(e, SL_ERR_NOMEM, "out of memory");
        hs->h = nh;
        hs->cap = nc;
    }
    hook *k = &hs->h[hs->n++];
    snprintf(k->name, sizeof k->name, "%s", attachment);
    k->save = save;
    k->load = load;
    return SL_OK;
}

static const hook *find_hook(const hooks *hs, const char *name)
{
    for (int i = 0; hs && i < hs->n; i++)
        if (strcmp(hs->h[i].name, name) == 0) return &hs->h[i];
    return NULL;
}

sl_status sl_checkpoint_supported(const sl_world *w, sl_error *e)
{
    const hooks *hs = sl_world_attached(w, HOOKS_KEY);
    for (int i = 0; i < sl_world_nattached(w); i++) {
        const char *name = sl_world_attached_name(w, i);
        if (strcmp(name, HOOKS_KEY) != 0 && !find_hook(hs, name))
            return sl_error_set(e, SL_ERR_STATE,
                                "checkpoints: the world holds state of module '%s' that the module "
                                "cannot save, so this scenario cannot be checkpointed",
                                name);
    }
    return SL_OK;
}

/* Registered sections with state, in registration order. */
static int nsections(const hooks *hs)
{
    int n = 0;
    for (int i = 0; hs && i < hs->n; i++) n += hs->h[i].save != NULL;
    return n;
}

/* ---- writing ---- */

typedef struct wbuf {
    unsigned char *b;
    size_t n, cap;
    int fail;
} wbuf;

static void put(wbuf *w, const void *p, size_t n)
{
    if (w->fail || n == 0) return;
    if (w->n + n > w->cap) {
        size_t nc = w->cap ? w->cap : 4096;
        while (nc < w->n + n) nc *= 2;
        unsigned char *nb = realloc(w->b, nc);
        if (!nb) {
            w->fail = 1;
            return;
        }
        w->b = nb;
        w->cap = nc;
    }
    memcpy(w->b + w->n, p, n);
    w->n += n;
}
static void put_u32(wbuf *w, uint32_t v) { put(w, &v, 4); }
static void put_u64(wbuf *w, uint64_t v) { put(w, &v, 8); }
static void put_f64(wbuf *w, double v) { put(w, &v, 8); }
static void put_str(wbuf *w, const char *s)
{
    uint32_t n = (uint32_t)strlen(s);
    put_u32(w, n);
    put(w, s, n);
}

static void save_pop(wbuf *w, const sl_pop *p)
{
    put_str(w, sl_pop_name(p));
    int nc = sl_pop_ncolumns(p);
    put_u32(w, (uint32_t)nc);
    for (int c = 0; c < nc; c++) {
        put_str(w, sl_pop_column_name(p, c));
        put_u32(w, (uint32_t)sl_pop_column_type(p, c));
    }
    sl_pop_ids ids = sl_pop_get_ids(p);
    put_u64(w, ids.count);
    put_u64(w, ids.nindex);
    put(w, ids.gen, ids.nindex * 4);
    put_u64(w, ids.nfree);
    put(w, ids.free_idx, ids.nfree * 4);
    put(w, ids.slot_index, ids.count * 4);
    for (int c = 0; c < nc; c++)
        put(w, sl_pop_cdata(p, c), ids.count * sl_type_size(sl_pop_column_type(p, c)));
}

static sl_status save_bus(wbuf *w, sl_world *world, const char *path, sl_error *e)
{
    sl_bus *bus = sl_world_bus_peek(world);
    put_u32(w, bus ? 1u : 0u);
    if (!bus) return SL_OK;
    char *mem = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&mem, &len);
    if (!f) return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", path);
    sl_status st = sl_bus_write(bus, f, e);
    if (fclose(f) != 0 && st == SL_OK) st = sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", path);
    if (st == SL_OK) {
        put_u64(w, len);
        put(w, mem, len);
    }
    free(mem);
    return st;
}

static sl_status write_atomic(const char *path, const unsigned char *b, size_t n, sl_error *e)
{
    size_t pn = strlen(path) + 5;
    char *tmp = malloc(pn);
    if (!tmp) return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", path);
    snprintf(tmp, pn, "%s.tmp", path);
    sl_status st = SL_OK;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        st = sl_error_set(e, SL_ERR_IO, "%s: cannot write: %s", tmp, strerror(errno));
        free(tmp);
        return st;
    }
    size_t off = 0;
    while (off < n) {
        ssize_t k = write(fd, b + off, n - off);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) {
            st = sl_error_set(e, SL_ERR_IO, "%s: write failed: %s", tmp, strerror(errno));
            break;
        }
        off += (size_t)k;
    }
    if (st == SL_OK && fsync(fd) != 0)
        st = sl_error_set(e, SL_ERR_IO, "%s: fsync failed: %s", tmp, strerror(errno));
    close(fd);
    if (st == SL_OK && rename(tmp, path) != 0)
        st = sl_error_set(e, SL_ERR_IO, "%s: cannot rename: %s", path, strerror(errno));
    if (st == SL_OK && sl_fsync_parent_dir(path) != 0)
        st = sl_error_set(e, SL_ERR_IO, "%s: cannot sync its directory: %s", path, strerror(errno));
    if (st != SL_OK) unlink(tmp);
    free(tmp);
    return st;
}

sl_status sl_checkpoint_save(sl_world *world, const char *path, const char *scenario, sl_error *e)
{
    wbuf w = {0};
    /* header, patched below */
    put(&w, k_magic, 8);
    put_u32(&w, SL_CHECKPOINT_VERSION);
    put_u32(&w, BOM);
    put_u64(&w, 0);
    put_u64(&w, 0);

    put_u64(&w, sl_world_step_count(world));
    put_u64(&w, sl_world_seed(world));
    put_str(&w, scenario ? scenario : "");
    const hooks *hp = sl_world_attached(world, HOOKS_KEY);
    put_str(&w, hp && hp->params ? hp->params : "");

    int npops = sl_world_npops(world);
    put_u32(&w, (uint32_t)npops);
    for (int i = 0; i < npops; i++) save_pop(&w, sl_world_pop_at(world, i));

    int nf = sl_world_nfields(world);
    put_u32(&w, (uint32_t)nf);
    for (int i = 0; i < nf; i++) {
        const sl_field *f = sl_world_field_at(world, i);
        put_str(&w, sl_world_field_name(world, i));
        put_u32(&w, (uint32_t)f->nx);
        put_u32(&w, (uint32_t)f->ny);
        put_f64(&w, f->cell);
        put_u32(&w, (uint32_t)f->toroidal);
        put(&w, f->v, (size_t)f->nx * (size_t)f->ny * sizeof(double));
    }

    int ng = sl_world_ngraphs(world);
    put_u32(&w, (uint32_t)ng);
    for (int i = 0; i < ng; i++) {
        const sl_graph *g = sl_world_graph_at(world, i);
        put_str(&w, sl_world_graph_name(world, i));
        put_u32(&w, (uint32_t)g->n);
        put_u32(&w, (uint32_t)(g->finalized != 0));
        if (g->finalized) {
            put_u64(&w, g->m);
            put(&w, g->row, ((size_t)g->n + 1) * 4);
            put(&w, g->col, g->m * 4);
            put(&w, g->w, g->m * 8);
        }
    }

    sl_recorder *r = sl_world_recorder(world);
    int nm = sl_recorder_nmetrics(r);
    put_u32(&w, (uint32_t)nm);
    for (int k = 0; k < nm; k++) {
        put_str(&w, sl_recorder_name(r, k));
        put_f64(&w, sl_recorder_held(r, k));
    }
    size_t nrows = sl_recorder_nrows(r);
    put_u64(&w, nrows);
    for (size_t row = 0; row < nrows; row++) {
        put_u64(&w, sl_recorder_row_step(r, row));
        for (int k = 0; k < nm; k++) put_f64(&w, sl_recorder_value(r, row, k));
    }

    sl_status st = sl_checkpoint_supported(world, e);
    if (st == SL_OK) st = save_bus(&w, world, path, e);
    const hooks *hs = sl_world_attached(world, HOOKS_KEY);
    put_u32(&w, (uint32_t)nsections(hs));
    for (int i = 0; st == SL_OK && hs && i < hs->n; i++) {
        const hook *k = &hs->h[i];
        if (!k->save) continue;
        char *mem = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&mem, &len);
        if (!f) {
            st = sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", path);
            break;
        }
        st = k->save(sl_world_attached(world, k->name), f, e);
        if (fclose(f) != 0 && st == SL_OK) st = sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", path);
        if (st == SL_OK) {
            put_str(&w, k->name);
            put_u64(&w, len);
            put(&w, mem, len);
        }
        free(mem);
    }
    if (st == SL_OK && w.fail) st = sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", path);
    if (st == SL_OK) {
        uint64_t len = w.n - HEADER_BYTES;
        uint64_t sum = fnv1a(w.b + HEADER_BYTES, w.n - HEADER_BYTES);
        memcpy(w.b + 16, &len, 8);
        memcpy(w.b + 24, &sum, 8);
        st = write_atomic(path, w.b, w.n, e);
    }
    free(w.b);
    return st;
}

/* ---- reading ---- */

typedef struct rbuf {
    const unsigned char *b;
    size_t n, pos;
    int fail;
    uint32_t version;   /* of the file: version 1 has no parameter record */
} rbuf;

static int get(rbuf *r, void *p, size_t n)
{
    if (r->fail || n > r->n - r->pos) {
        r->fail = 1;
        if (p && n) memset(p, 0, n);
        return 0;
    }
    if (p) memcpy(p, r->b + r->pos, n);
    r->pos += n;
    return 1;
}
static uint32_t get_u32(rbuf *r) { uint32_t v = 0; get(r, &v, 4); return v; }
static uint64_t get_u64(rbuf *r) { uint64_t v = 0; get(r, &v, 8); return v; }
static double get_f64(rbuf *r) { double v = 0; get(r, &v, 8); return v; }
/* A string of at most cap-1 bytes; longer ones fail. */
static void get_str(rbuf *r, char *s, size_t cap)
{
    uint32_t n = get_u32(r);
    if (n >= cap) {
        r->fail = 1;
        s[0] = '\0';
        return;
    }
    get(r, s, n);
    s[r->fail ? 0 : n] = '\0';
}
/* Pointer to n bytes in the buffer (unaligned), or NULL. */
static const unsigned char *take(rbuf *r, size_t n)
{
    if (r->fail || n > r->n - r->pos) {
        r->fail = 1;
        return NULL;
    }
    const unsigned char *p = r->b + r->pos;
    r->pos += n;
    return p;
}
/* Byte count of n elements of size es, failing on overflow or when more than what is left. */
static int span_ok(rbuf *r, uint64_t n, size_t es)
{
    if (r->fail || n > (r->n - r->pos) / es) {
        r->fail = 1;
        return 0;
    }
    return 1;
}

static sl_status load_file(const char *path, unsigned char **out, size_t *len,
                           sl_checkpoint_info *info, sl_error *e)
{
    /* only a regular file, read up to its size: a device or FIFO is never read without end */
    FILE *f = sl_fopen_regular(path, "checkpoint", e);
    if (!f) return e ? e->code : SL_ERR_IO;
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || sb.st_size < 0 || (uint64_t)sb.st_size > SIZE_MAX - 1) {
        fclose(f);
        return sl_error_set(e, SL_ERR_IO, "%s: cannot read checkpoint size", path);
    }
    size_t cap = (size_t)sb.st_size + 1;
    unsigned char *b = malloc(cap);
    if (!b) {
        fclose(f);
        return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory (%zu bytes)", path, cap);
    }
    size_t n = fread(b, 1, cap, f);
    int err = ferror(f);
    fclose(f);
    sl_status st = SL_OK;
    if (err)
        st = sl_error_set(e, SL_ERR_IO, "%s: read error", path);
    else if (n < HEADER_BYTES || memcmp(b, k_magic, 8) != 0)
        st = sl_error_set(e, SL_ERR_PARSE, "%s: not a swarmlab checkpoint (bad magic)", path);
    else {
        uint32_t version, bom;
        uint64_t plen, sum;
        memcpy(&version, b + 8, 4);
        memcpy(&bom, b + 12, 4);
        memcpy(&plen, b + 16, 8);
        memcpy(&sum, b + 24, 8);
        if (bom != BOM)
            st = sl_error_set(e, SL_ERR_PARSE,
                              "%s: checkpoint written on a machine of the other byte order", path);
        else if (version < 1 || version > SL_CHECKPOINT_VERSION)
            st = sl_error_set(e, SL_ERR_PARSE,
                              "%s: checkpoint version %u, this build reads version %u", path,
                              version, SL_CHECKPOINT_VERSION);
        else if (plen != n - HEADER_BYTES)
            st = sl_error_set(e, SL_ERR_PARSE,
                              "%s: truncated or padded checkpoint (%llu payload bytes, header "
                              "says %llu)",
                              path, (unsigned long long)(n - HEADER_BYTES),
                              (unsigned long long)plen);
        else if (fnv1a(b + HEADER_BYTES, n - HEADER_BYTES) != sum)
            st = sl_error_set(e, SL_ERR_PARSE, "%s: corrupt checkpoint (checksum mismatch)", path);
        else if (info) {
            rbuf r = {b + HEADER_BYTES, n - HEADER_BYTES, 0, 0, version};
            info->version = version;
            info->step = get_u64(&r);
            info->seed = get_u64(&r);
            get_str(&r, info->scenario, sizeof info->scenario);
            info->params[0] = '\0';
            if (version >= 2) get_str(&r, info->params, sizeof info->params);
            if (r.fail) st = sl_error_set(e, SL_ERR_PARSE, "%s: corrupt checkpoint header", path);
            else if (info->step > (uint64_t)INT64_MAX)
                st = sl_error_set(e, SL_ERR_PARSE, "%s: corrupt checkpoint (step %llu out of "
                                  "range)", path, (unsigned long long)info->step);
        }
    }
    if (st != SL_OK) {
        free(b);
        return st;
    }
    *out = b;
    *len = n;
    return SL_OK;
}

sl_status sl_checkpoint_peek(const char *path, sl_checkpoint_info *info, sl_error *e)
{
    unsigned char *b;
    size_t n;
    sl_checkpoint_info tmp;
    sl_status st = load_file(path, &b, &n, info ? info : &tmp, e);
    if (st == SL_OK) free(b);
    return st;
}

#define MISMATCH(...) sl_error_set(e, SL_ERR_STATE, __VA_ARGS__)
#define TRUNC() sl_error_set(e, SL_ERR_PARSE, "%s: corrupt checkpoint (data ends early)", path)

static int u32_seen(unsigned char *seen, uint32_t i) { int s = seen[i]; seen[i] = 1; return s; }

/* Reads one population; checks it against p and, when apply, writes it into p. */
static sl_status walk_pop(rbuf *r, sl_pop *p, int apply, const char *path, sl_error *e)
{
    char name[128];
    get_str(r, name, sizeof name);
    if (r->fail) return TRUNC();
    if (strcmp(name, sl_pop_name(p)) != 0)
        return MISMATCH("%s: the checkpoint has population '%s' where the scenario has '%s' "
                        "(different scenario?)", path, name, sl_pop_name(p));
    uint32_t nc = get_u32(r);
    if (r->fail) return TRUNC();
    if ((int)nc != sl_pop_ncolumns(p))
        return MISMATCH("%s: population '%s' has %u columns in the checkpoint, %d in the "
                        "scenario", path, name, nc, sl_pop_ncolumns(p));
    for (uint32_t c = 0; c < nc; c++) {
        char cname[128];
        get_str(r, cname, sizeof cname);
        uint32_t t = get_u32(r);
        if (r->fail) return TRUNC();
        if (strcmp(cname, sl_pop_column_name(p, (int)c)) != 0 ||
            t != (uint32_t)sl_pop_column_type(p, (int)c))
            return MISMATCH("%s: population '%s' column %u is '%s' (%s) in the checkpoint, '%s' "
                            "(%s) in the scenario", path, name, c + 1, cname,
                            t <= SL_U8 ? sl_type_name((sl_type)t) : "?",
                            sl_pop_column_name(p, (int)c),
                            sl_type_name(sl_pop_column_type(p, (int)c)));
    }
    sl_pop_ids ids;
    ids.count = get_u64(r);
    ids.nindex = get_u64(r);
    if (!span_ok(r, ids.nindex, 4)) return TRUNC();
    const unsigned char *gen = take(r, ids.nindex * 4);
    ids.nfree = get_u64(r);
    if (!span_ok(r, ids.nfree, 4)) return TRUNC();
    const unsigned char *fr = take(r, ids.nfree * 4);
    if (!span_ok(r, ids.count, 4)) return TRUNC();
    const unsigned char *si = take(r, ids.count * 4);
    if (r->fail) return TRUNC();
    const unsigned char *coldata[SL_POP_MAX_COLUMNS];
    for (uint32_t c = 0; c < nc; c++) {
        size_t es = sl_type_size(sl_pop_column_type(p, (int)c));
        if (!span_ok(r, ids.count, es)) return TRUNC();
        coldata[c] = take(r, ids.count * es);
    }
    if (r->fail) return TRUNC();
    if (ids.count + ids.nfree != ids.nindex || ids.nindex > UINT32_MAX)
        return sl_error_set(e, SL_ERR_PARSE, "%s: corrupt checkpoint (population '%s' id counts)",
                            path, name);
    /* every index is either alive in exactly one slot or queued free exactly once */
    uint32_t *gen32 = malloc((ids.nindex ? ids.nindex : 1) * 4);
    uint32_t *fr32 = malloc((ids.nfree ? ids.nfree : 1) * 4);
    uint32_t *si32 = malloc((ids.count ? ids.count : 1) * 4);
    unsigned char *seen = calloc(ids.nindex ? ids.nindex : 1, 1);
    sl_status st = SL_OK;
    if (!gen32 || !fr32 || !si32 || !seen) {
        st = sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", path);
        goto done;
    }
    memcpy(gen32, gen, ids.nindex * 4);
    memcpy(fr32, fr, ids.nfree * 4);
    memcpy(si32, si, ids.count * 4);
    for (size_t i = 0; i < ids.count && st == SL_OK; i++)
        if (si32[i] >= ids.nindex || u32_seen(seen, si32[i]))
            st = sl_error_set(e, SL_ERR_PARSE, "%s: corrupt checkpoint (population '%s' slot ids)",
                              path, name);
    for (size_t i = 0; i < ids.nfree && st == SL_OK; i++)
        if (fr32[i] >= ids.nindex || u32_seen(seen, fr32[i]))
            st = sl_error_set(e, SL_ERR_PARSE, "%s: corrupt checkpoint (population '%s' free ids)",
                              path, name);
    for (size_t i = 0; i < ids.nindex && st == SL_OK; i++)
        if (gen32[i] == 0)
            st = sl_error_set(e, SL_ERR_PARSE, "%s: corrupt checkpoint (population '%s' generations)",
                              path, name);
    if (st == SL_OK && apply) {
        ids.gen = gen32;
        ids.free_idx = fr32;
        ids.slot_index = si32;
        st = sl_pop_set_ids(p, &ids, e);
        for (uint32_t c = 0; c < nc && st == SL_OK; c++) {
            size_t es = sl_type_size(sl_pop_column_type(p, (int)c));
            if (ids.count) memcpy(sl_pop_data(p, (int)c), coldata[c], ids.count * es);
        }
    }
done:
    free(gen32);
    free(fr32);
    free(si32);
    free(seen);
    return st;
}

/* A module section found by the checking walk: its hook and its bytes in the file. */
typedef struct section {
    const hook *hk;
    const unsigned char *bytes;
    size_t len;
} section;

/* Walks the payload; with apply = 0 it only checks it against w and lists the module sections
 * in secs (nsecs entries, room for as many as w registers), with apply = 1 it restores the
 * engine's state (the module sections are loaded apart, see load_modules). */
static sl_status walk(rbuf *r, sl_world *w, int apply, section *secs, const char *path,
                      sl_error *e)
{
    char scen[512];
    uint64_t step = get_u64(r);
    (void)get_u64(r); /* seed: the world keeps its own */
    get_str(r, scen, sizeof scen);
    if (r->version >= 2) { /* the run's parameters: for the caller (sl_checkpoint_info) */
        uint32_t plen = get_u32(r);
        if (plen >= SL_CHECKPOINT_PARAMS_MAX || !take(r, plen)) return TRUNC();
    }
    if (r->fail) return TRUNC();
    if (step > (uint64_t)INT64_MAX)
        return sl_error_set(e, SL_ERR_PARSE, "%s: corrupt checkpoint (step out of range)", path);
    if (apply) sl_world_set_step_count(w, step);

    uint32_t npops = get_u32(r);
    if (r->fail) return TRUNC();
    if ((int)npops != sl_world_npops(w))
        return MISMATCH("%s: the checkpoint has %u populations, the scenario made %d (different "
                        "scenario?)", path, npops, sl_world_npops(w));
    for (uint32_t i = 0; i < npops; i++) {
        sl_status st = walk_pop(r, sl_world_pop_at(w, (int)i), apply, path, e);
        if (st != SL_OK) return st;
    }

    uint32_t nf = get_u32(r);
    if (r->fail) return TRUNC();
    if ((int)nf != sl_world_nfields(w))
        return MISMATCH("%s: the checkpoint has %u fields, the scenario made %d", path, nf,
                        sl_world_nfields(w));
    for (uint32_t i = 0; i < nf; i++) {
        char name[128];
        get_str(r, name, sizeof name);
        uint32_t nx = get_u32(r), ny = get_u32(r);
        double cell = get_f64(r);
        uint32_t tor = get_u32(r);
        if (r->fail) return TRUNC();
        sl_field *f = sl_world_field_at(w, (int)i);
        if (strcmp(name, sl_world_field_name(w, (int)i)) != 0 || (int)nx != f->nx ||
            (int)ny != f->ny || cell != f->cell || (int)tor != f->toroidal)
            return MISMATCH("%s: field '%s' (%ux%u) in the checkpoint does not match field '%s' "
                            "(%dx%d) of the scenario", path, name, nx, ny,
                            sl_world_field_name(w, (int)i), f->nx, f->ny);
        size_t cells = (size_t)nx * ny;
        if (!span_ok(r, cells, 8)) return TRUNC();
        const unsigned char *v = take(r, cells * 8);
        if (apply) memcpy(f->v, v, cells * 8);
    }

    uint32_t ng = get_u32(r);
    if (r->fail) return TRUNC();
    if ((int)ng != sl_world_ngraphs(w))
        return MISMATCH("%s: the checkpoint has %u graphs, the scenario made %d", path, ng,
                        sl_world_ngraphs(w));
    for (uint32_t i = 0; i < ng; i++) {
        char name[128];
        get_str(r, name, sizeof name);
        uint32_t n = get_u32(r), fin = get_u32(r);
        if (r->fail) return TRUNC();
        sl_graph *g = sl_world_graph_at(w, (int)i);
        if (strcmp(name, sl_world_graph_name(w, (int)i)) != 0 || (int)n != g->n ||
            (int)fin != (g->finalized != 0))
            return MISMATCH("%s: graph '%s' in the checkpoint does not match graph '%s' of the "
                            "scenario", path, name, sl_world_graph_name(w, (int)i));
        if (!fin) continue;
        uint64_t m = get_u64(r);
        if (!span_ok(r, (uint64_t)n + 1, 4)) return TRUNC();
        const unsigned char *row = take(r, ((size_t)n + 1) * 4);
        if (!span_ok(r, m, 4)) return TRUNC();
        const unsigned char *col = take(r, m * 4);
        if (!span_ok(r, m, 8)) return TRUNC();
        const unsigned char *wt = take(r, m * 8);
        if (m != g->m || memcmp(row, g->row, ((size_t)n + 1) * 4) != 0 ||
            memcmp(col, g->col, m * 4) != 0)
            return MISMATCH("%s: graph '%s' has other edges in the checkpoint than in the "
                            "scenario", path, name);
        if (apply && m) memcpy(g->w, wt, m * 8);
    }

    sl_recorder *rec = sl_world_recorder(w);
    uint32_t nm = get_u32(r);
    if (r->fail) return TRUNC();
    if ((int)nm != sl_recorder_nmetrics(rec))
        return MISMATCH("%s: the checkpoint has %u metrics, the scenario records %d", path, nm,
                        sl_recorder_nmetrics(rec));
    double held[256];
    double *heldp = nm <= 256 ? held : malloc(nm * sizeof *heldp);
    if (!heldp) return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", path);
    sl_status st = SL_OK;
    for (uint32_t k = 0; k < nm && st == SL_OK; k++) {
        char name[128];
        get_str(r, name, sizeof name);
        heldp[k] = get_f64(r);
        if (r->fail) st = TRUNC();
        else if (strcmp(name, sl_recorder_name(rec, (int)k)) != 0)
            st = MISMATCH("%s: metric %u is '%s' in the checkpoint, '%s' in the scenario", path,
                          k + 1, name, sl_recorder_name(rec, (int)k));
    }
    uint64_t nrows = st == SL_OK ? get_u64(r) : 0;
    if (st == SL_OK && !span_ok(r, nrows, 8 + 8 * (size_t)nm)) st = TRUNC();
    if (st == SL_OK) {
        const unsigned char *rows = take(r, nrows * (8 + 8 * (size_t)nm));
        if (apply) {
            uint64_t *steps = malloc((nrows ? nrows : 1) * 8);
            double *vals = malloc((nrows * nm != 0 ? nrows * nm : 1) * 8);
            if (!steps || !vals) st = sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", path);
            for (uint64_t i = 0; st == SL_OK && i < nrows; i++) {
                memcpy(&steps[i], rows + i * (8 + 8 * nm), 8);
                memcpy(&vals[i * nm], rows + i * (8 + 8 * nm) + 8, 8 * (size_t)nm);
            }
            if (st == SL_OK) st = sl_recorder_restore(rec, nrows, steps, vals, heldp, e);
            free(steps);
            free(vals);
        }
    }
    if (heldp != held) free(heldp);
    if (st != SL_OK) return st;

    uint32_t has_bus = get_u32(r);
    if (r->fail) return TRUNC();
    if (has_bus) {
        uint64_t len = get_u64(r);
        if (!span_ok(r, len, 1)) return TRUNC();
        const unsigned char *bytes = take(r, len);
        sl_bus *tmp = apply ? NULL : sl_bus_create();
        /* the seed of loss and jitter draws is configuration that setup() derived from this
         * run's seed: a branch with another seed keeps its own */
        sl_bus *had = sl_world_bus_peek(w);
        uint64_t own_seed = had ? sl_bus_get_state(had).seed : 0;
        sl_bus *bus = apply ? sl_world_bus(w) : tmp;
        FILE *f = len ? fmemopen((void *)bytes, len, "rb") : NULL;
        if (!bus || !f) st = sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", path);
        else st = sl_bus_read(bus, f, path, e);
        if (f) fclose(f);
        sl_bus_destroy(tmp);
        if (st != SL_OK) return st;
        if (apply && had) sl_bus_set_seed(bus, own_seed);
    }
    const hooks *hs = sl_world_attached(w, HOOKS_KEY);
    uint32_t nsec = get_u32(r);
    if (r->fail) return TRUNC();
    if ((int)nsec != nsections(hs))
        return MISMATCH("%s: the checkpoint has %u module sections, the scenario's modules save %d",
                        path, nsec, nsections(hs));
    int k = 0;
    for (uint32_t i = 0; i < nsec; i++) {
        char name[128];
        get_str(r, name, sizeof name);
        uint64_t len = get_u64(r);
        if (r->fail || !span_ok(r, len, 1)) return TRUNC();
        const unsigned char *bytes = take(r, len);
        while (!hs->h[k].save) k++;
        const hook *hk = &hs->h[k++];
        if (strcmp(name, hk->name) != 0)
            return MISMATCH("%s: module section %u is '%s' in the checkpoint, '%s' in the scenario",
                            path, i + 1, name, hk->name);
        if (!apply) secs[i] = (section){hk, bytes, (size_t)len};
    }
    if (r->pos != r->n)
        return sl_error_set(e, SL_ERR_PARSE, "%s: corrupt checkpoint (%zu bytes left over)", path,
                            r->n - r->pos);
    return SL_OK;
}

/* Calls a module's load on bytes. */
static sl_status load_section(sl_world *w, const hook *hk, const unsigned char *bytes, size_t len,
                              const char *path, sl_error *e)
{
    FILE *f = fmemopen((void *)bytes, len ? len : 1, "rb");
    if (!f) return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", path);
    if (!len) fgetc(f); /* an empty section: the stream starts at its end */
    sl_status st = hk->load(sl_world_attached(w, hk->name), f, path, e);
    fclose(f);
    return st;
}

/* Module states as they were before a restore (each module's own save), to put back when a later
 * section turns out to be corrupt: a module loader may fail half way through its section. */
typedef struct snapshot {
    char *mem;
    size_t len;
} snapshot;

static void rollback(sl_world *w, const section *secs, snapshot *snap, int n)
{
    for (int i = 0; i < n; i++) {
        sl_error ignored;
        if (snap[i].mem)
            load_section(w, secs[i].hk, (const unsigned char *)snap[i].mem, snap[i].len,
                         "(state before the restore)", &ignored);
    }
}

/* Loads the module sections, after saving each module's current state; on any failure every
 * module is put back as it was. On success snap holds the saved states (for a rollback if the
 * engine's own state then fails to apply). */
static sl_status load_modules(sl_world *w, const section *secs, snapshot *snap, int n,
                              const char *path, sl_error *e)
{
    for (int i = 0; i < n; i++) {
        FILE *f = open_memstream(&snap[i].mem, &snap[i].len);
        sl_status st = f ? secs[i].hk->save(sl_world_attached(w, secs[i].hk->name), f, e)
                         : sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", path);
        if (f && fclose(f) != 0 && st == SL_OK)
            st = sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", path);
        if (st != SL_OK) return st; /* nothing loaded yet */
    }
    for (int i = 0; i < n; i++) {
        sl_status st = load_section(w, secs[i].hk, secs[i].bytes, secs[i].len, path, e);
        if (st != SL_OK) {
            rollback(w, secs, snap, i + 1);
            return st;
        }
    }
    return SL_OK;
}

sl_status sl_checkpoint_restore(sl_world *w, const char *path, sl_checkpoint_info *info,
                                sl_error *e)
{
    unsigned char *b;
    size_t n;
    sl_checkpoint_info tmp;
    sl_status st = load_file(path, &b, &n, info ? info : &tmp, e);
    if (st != SL_OK) return st;
    /* 1. check everything the engine owns against w, and find the module sections;
     * 2. load the module sections (each checks its own data; any failure puts every module
     *    back); 3. only then overwrite the engine's state, which step 1 has checked. */
    const hooks *hs = sl_world_attached(w, HOOKS_KEY);
    int nsec = nsections(hs);
    section *secs = calloc((size_t)nsec + 1, sizeof *secs);
    snapshot *snap = calloc((size_t)nsec + 1, sizeof *snap);
    if (!secs || !snap) st = sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", path);
    uint32_t version = 0;
    memcpy(&version, b + 8, 4);
    rbuf r = {b + HEADER_BYTES, n - HEADER_BYTES, 0, 0, version};
    if (st == SL_OK) st = walk(&r, w, 0, secs, path, e);
    if (st == SL_OK) st = load_modules(w, secs, snap, nsec, path, e);
    if (st == SL_OK) {
        rbuf r2 = {b + HEADER_BYTES, n - HEADER_BYTES, 0, 0, version};
        st = walk(&r2, w, 1, NULL, path, e);
        if (st != SL_OK) rollback(w, secs, snap, nsec);
    }
    for (int i = 0; snap && i < nsec; i++) free(snap[i].mem);
    free(snap);
    free(secs);
    free(b);
    return st;
}
