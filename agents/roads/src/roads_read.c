/* roads_read.c - reading OpenStreetMap files with libreadosm: every node's position, and the
 * node lists of the ways a car may drive on (sl_roads_way_rule). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "roads_internal.h"
#include "swarmlab/fileio.h"

#ifdef SWARMLAB_HAVE_OSM
#include <expat.h>
#include <stdio.h>
#include <strings.h>
#include <readosm.h>

/* XML files are checked with expat before libreadosm reads them: the check names the line of
 * the first error, and libreadosm does not free its parser when the XML is malformed. */
typedef struct xml_root { char name[32]; int seen, bad_tag; } xml_root;

static void XMLCALL on_start(void *user, const XML_Char *name, const XML_Char **attrs)
{
    xml_root *root = user;
    if (!root->seen) snprintf(root->name, sizeof root->name, "%s", name);
    root->seen = 1;
    /* libreadosm reads a <tag> without k or v as a NULL string */
    if (strcmp(name, "tag") == 0 && !root->bad_tag) {
        int k = 0, v = 0;
        for (int i = 0; attrs[i]; i += 2) {
            if (strcmp(attrs[i], "k") == 0) k = 1;
            if (strcmp(attrs[i], "v") == 0) v = 1;
        }
        if (!k || !v) root->bad_tag = 1;
    }
}

static sl_status check_xml(const char *path, sl_error *e)
{
    FILE *f = sl_fopen_regular(path, "OpenStreetMap file", e); /* not a device or FIFO */
    if (!f) return e ? e->code : SL_ERR_IO;
    XML_Parser p = XML_ParserCreate(NULL);
    if (!p) {
        fclose(f);
        return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", path);
    }
    xml_root root = { "", 0, 0 };
    XML_SetUserData(p, &root);
    XML_SetStartElementHandler(p, on_start);
    sl_status st = SL_OK;
    char buf[65536];
    for (;;) {
        size_t n = fread(buf, 1, sizeof buf, f);
        int last = n < sizeof buf;
        if (XML_Parse(p, buf, (int)n, last) == XML_STATUS_ERROR) {
            st = sl_error_set(e, SL_ERR_PARSE, "%s:%lu: not valid OSM XML (%s)", path,
                              (unsigned long)XML_GetCurrentLineNumber(p),
                              XML_ErrorString(XML_GetErrorCode(p)));
            break;
        }
        if (last) break;
    }
    if (st == SL_OK && root.bad_tag)
        st = sl_error_set(e, SL_ERR_PARSE, "%s: not valid OSM XML (a <tag> without k or v)", path);
    if (st == SL_OK && ferror(f)) st = sl_error_set(e, SL_ERR_IO, "%s: read error", path);
    if (st == SL_OK && strcmp(root.name, "osm") != 0)
        st = sl_error_set(e, SL_ERR_PARSE, "%s: not an OpenStreetMap file (root element <%s>, "
                          "expected <osm>)", path, root.name);
    XML_ParserFree(p);
    fclose(f);
    return st;
}

static int on_node(const void *user, const readosm_node *nd)
{
    slp_roads_raw *raw = (slp_roads_raw *)user;
    /* a node without valid coordinates (missing or out of range) is left out like a node
     * outside the extract: projected, it would stretch the map to an unbounded size */
    if (!(nd->latitude >= -90.0 && nd->latitude <= 90.0 && nd->longitude >= -180.0 &&
          nd->longitude <= 180.0))
        return READOSM_OK;
    slp_roads_raw_add_node(raw, nd->id, nd->longitude, nd->latitude);
    return raw->oom ? READOSM_ABORT : READOSM_OK;
}

#define RD_MAX_TAGS 256

static int on_way(const void *user, const readosm_way *w)
{
    slp_roads_raw *raw = (slp_roads_raw *)user;
    raw->osm_ways++;
    const char *keys[RD_MAX_TAGS], *vals[RD_MAX_TAGS];
    int nt = w->tag_count < RD_MAX_TAGS ? w->tag_count : RD_MAX_TAGS;
    for (int i = 0; i < nt; i++) {
        keys[i] = w->tags[i].key ? w->tags[i].key : "";
        vals[i] = w->tags[i].value ? w->tags[i].value : "";
    }
    int cls, dir;
    double kmh;
    if (w->node_ref_count >= 2 && sl_roads_way_rule(raw->cfg, nt, keys, vals, &cls, &dir, &kmh))
        slp_roads_raw_add_way(raw, w->node_refs, w->node_ref_count, cls, dir, kmh);
    return raw->oom ? READOSM_ABORT : READOSM_OK;
}

/* PBF files are walked blob by blob before libreadosm reads them: it allocates the sizes a blob
 * header and a blob declare without checking them against the file or the format's limits
 * (64 KiB for a header, 32 MiB for a blob's data), so a corrupt size would ask for gigabytes. */
enum { PBF_MAX_HEADER = 64 * 1024, PBF_MAX_BLOB = 32 * 1024 * 1024 };

/* Reads a protobuf varint from p[*i..n); 0 when it runs past n or over 10 bytes. */
static int pb_varint(const unsigned char *p, size_t n, size_t *i, uint64_t *v)
{
    *v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
        if (*i >= n) return 0;
        unsigned char c = p[(*i)++];
        *v |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) return 1;
    }
    return 0;
}

/* Finds the varint field `want` of the protobuf message p[0..n); -1 when absent or malformed.
 * With `prefix` set, p holds only the start of the message: the search stops, without error, at
 * the first field that runs past n. */
static int64_t pb_field(const unsigned char *p, size_t n, unsigned want, int prefix)
{
    size_t i = 0;
    int64_t found = -1;
    while (i < n) {
        uint64_t key, v;
        size_t skip;
        if (!pb_varint(p, n, &i, &key)) return prefix ? found : -1;
        switch (key & 7) {
        case 0:
            if (!pb_varint(p, n, &i, &v)) return prefix ? found : -1;
            if ((key >> 3) == want) found = v > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)v;
            continue;
        case 1: skip = 8; break;
        case 2:
            if (!pb_varint(p, n, &i, &v)) return prefix ? found : -1;
            skip = v > SIZE_MAX ? SIZE_MAX : (size_t)v;
            break;
        case 5: skip = 4; break;
        default: return prefix ? found : -1;
        }
        if (skip > n - i) return prefix ? found : -1;
        i += skip;
    }
    return found;
}

/* Reads only each blob's header and the first bytes of its data (where the declared raw size
 * is) and seeks over the rest, so the file is not read twice. */
static sl_status check_pbf(const char *path, sl_error *e)
{
    FILE *f = sl_fopen_regular(path, "OpenStreetMap file", e);
    if (!f) return e ? e->code : SL_ERR_IO;
    long size = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    sl_status st = size < 0 || fseek(f, 0, SEEK_SET) != 0
                       ? sl_error_set(e, SL_ERR_IO, "%s: cannot seek in the file", path)
                       : SL_OK;
    unsigned char *buf = malloc(PBF_MAX_HEADER);
    if (st == SL_OK && !buf) st = sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", path);
    long pos = 0;
    for (long blob = 1; st == SL_OK && pos < size; blob++) {
        unsigned char len4[4];
        uint32_t hlen = 0;
        if (fread(len4, 1, 4, f) == 4)
            hlen = (uint32_t)len4[0] << 24 | (uint32_t)len4[1] << 16 |
                   (uint32_t)len4[2] << 8 | len4[3];
        if (hlen == 0 || hlen > PBF_MAX_HEADER || fread(buf, 1, hlen, f) != hlen) {
            st = sl_error_set(e, SL_ERR_PARSE, "%s: not a valid OSM PBF file (header of block %ld)",
                              path, blob);
            break;
        }
        pos += 4 + (long)hlen;
        int64_t dsize = pb_field(buf, hlen, 3, 0);
        if (dsize <= 0 || dsize > PBF_MAX_BLOB || dsize > size - pos) {
            st = sl_error_set(e, SL_ERR_PARSE, "%s: not a valid OSM PBF file (size of block %ld)",
                              path, blob);
            break;
        }
        size_t head = dsize < 64 ? (size_t)dsize : 64;
        if (fread(buf, 1, head, f) != head ||
            fseek(f, (long)dsize - (long)head, SEEK_CUR) != 0) {
            st = sl_error_set(e, SL_ERR_IO, "%s: read error", path);
            break;
        }
        pos += (long)dsize;
        if (pb_field(buf, head, 2, 1) > PBF_MAX_BLOB) {
            st = sl_error_set(e, SL_ERR_PARSE, "%s: not a valid OSM PBF file (data of block %ld)",
                              path, blob);
            break;
        }
    }
    free(buf);
    fclose(f);
    return st;
}

static const char *osm_strerror(int rc)
{
    switch (rc) {
    case READOSM_INVALID_SUFFIX: return "the name must end in .osm or .pbf";
    case READOSM_FILE_NOT_FOUND: return "cannot open the file";
    case READOSM_INSUFFICIENT_MEMORY: return "out of memory";
    case READOSM_READ_ERROR: return "read error (truncated file?)";
    case READOSM_XML_ERROR: return "not valid OSM XML (malformed or truncated)";
    case READOSM_INVALID_PBF_HEADER: return "not a valid OSM PBF file (bad or truncated block header)";
    case READOSM_UNZIP_ERROR: return "corrupt compressed data in the PBF file";
    default: return "the OSM reader failed";
    }
}

sl_status slp_roads_read_file(const char *path, slp_roads_raw *raw, sl_error *e)
{
    size_t len = strlen(path);
    if (len >= 4 && strcasecmp(path + len - 4, ".osm") == 0) {
        sl_status st = check_xml(path, e);
        if (st != SL_OK) return st;
    }
    /* a device or FIFO would be read without end: only regular files reach libreadosm */
    FILE *f = sl_fopen_regular(path, "OpenStreetMap file", e);
    if (!f) return e ? e->code : SL_ERR_IO;
    fclose(f);
    if (len >= 8 && strcasecmp(path + len - 8, ".osm.pbf") == 0) {
        sl_status st = check_pbf(path, e);
        if (st != SL_OK) return st;
    }
    const void *h = NULL;
    int rc = readosm_open(path, &h);
    if (rc == READOSM_OK) rc = readosm_parse(h, raw, on_node, on_way, NULL);
    if (h) readosm_close(h);
    if (raw->oom) return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory while reading", path);
    if (rc != READOSM_OK)
        return sl_error_set(e, rc == READOSM_FILE_NOT_FOUND ? SL_ERR_IO : SL_ERR_PARSE, "%s: %s",
                            path, osm_strerror(rc));
    return SL_OK;
}
#else
sl_status slp_roads_read_file(const char *path, slp_roads_raw *raw, sl_error *e)
{
    (void)raw;
    return sl_error_set(e, SL_ERR_STATE,
                        "%s: swarmlab was built without OpenStreetMap support (install "
                        "libreadosm-dev and rebuild with -DSWARMLAB_OSM=ON)", path);
}
#endif

void slp_roads_raw_release(slp_roads_raw *raw)
{
    free(raw->node);
    free(raw->ref);
    free(raw->way_off);
    free(raw->way_dir);
    free(raw->way_cls);
    free(raw->way_kmh);
    memset(raw, 0, sizeof *raw);
}

void slp_roads_raw_add_node(slp_roads_raw *raw, long long id, double lon, double lat)
{
    if (raw->oom) return;
    if (raw->nn == raw->ncap) {
        size_t nc = raw->ncap ? raw->ncap * 2 : 4096;
        slp_roads_node *p = realloc(raw->node, nc * sizeof *p);
        if (!p) { raw->oom = 1; return; }
        raw->node = p;
        raw->ncap = nc;
    }
    raw->node[raw->nn] = (slp_roads_node){ id, lon, lat, raw->nn };
    raw->nn++;
}

void slp_roads_raw_add_way(slp_roads_raw *raw, const long long *refs, int nrefs, int cls, int dir, double kmh)
{
    if (raw->oom) return;
    if (raw->nw + 1 >= raw->wcap) {
        size_t nc = raw->wcap ? raw->wcap * 2 : 1024;
        size_t *o = realloc(raw->way_off, nc * sizeof *o);
        if (o) raw->way_off = o;
        int8_t *d = realloc(raw->way_dir, nc * sizeof *d);
        if (d) raw->way_dir = d;
        uint8_t *c = realloc(raw->way_cls, nc * sizeof *c);
        if (c) raw->way_cls = c;
        double *k = realloc(raw->way_kmh, nc * sizeof *k);
        if (k) raw->way_kmh = k;
        if (!o || !d || !c || !k) { raw->oom = 1; return; }
        if (raw->wcap == 0) raw->way_off[0] = 0;
        raw->wcap = nc;
    }
    while (raw->nref + (size_t)nrefs > raw->refcap) {
        size_t nc = raw->refcap ? raw->refcap * 2 : 16384;
        long long *p = realloc(raw->ref, nc * sizeof *p);
        if (!p) { raw->oom = 1; return; }
        raw->ref = p;
        raw->refcap = nc;
    }
    if (nrefs) memcpy(raw->ref + raw->nref, refs, (size_t)nrefs * sizeof *refs);
    raw->nref += (size_t)nrefs;
    raw->way_dir[raw->nw] = (int8_t)dir;
    raw->way_cls[raw->nw] = (uint8_t)cls;
    raw->way_kmh[raw->nw] = kmh;
    raw->nw++;
    raw->way_off[raw->nw] = raw->nref;
}
