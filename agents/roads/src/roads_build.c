/* roads_build.c - from OSM nodes and drivable ways to the road graph: graph nodes at the ends of
 * ways and where ways meet, one edge per stretch of road between them (two for two-way roads),
 * lengths along the geometry, the largest strongly connected component, compressed rows. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "roads_internal.h"

static int cmp_node(const void *a, const void *b)
{
    const slp_roads_node *x = a, *y = b;
    if (x->id != y->id) return x->id < y->id ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int32_t find_node(const slp_roads_node *nd, size_t n, long long id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (nd[mid].id < id) lo = mid + 1;
        else hi = mid;
    }
    return lo < n && nd[lo].id == id ? (int32_t)lo : -1;
}

/* A stretch of a way between two graph nodes: points pts[i..j]. */
typedef struct seg { uint32_t i, j, way; int32_t lo, hi; } seg;

static int cmp_seg(const void *a, const void *b)
{
    const seg *x = a, *y = b;
    if (x->lo != y->lo) return x->lo < y->lo ? -1 : 1;
    if (x->hi != y->hi) return x->hi < y->hi ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

/* A directed edge before the component cut. */
typedef struct dedge {
    int32_t u, v;          /* graph nodes (indices into the sorted OSM nodes) */
    uint32_t seg;
    int8_t reversed;       /* geometry runs v..u along the way */
    uint8_t cls;
    double len, time;
    int32_t twin;
    int32_t pos;           /* position in the compressed rows, -1 when dropped */
} dedge;

/* Sort key of a directed edge: (u, v), then the faster, then the first made. */
typedef struct ekey { int32_t u, v; double time; int32_t k; } ekey;

static int cmp_ekey(const void *a, const void *b)
{
    const ekey *x = a, *y = b;
    if (x->u != y->u) return x->u < y->u ? -1 : 1;
    if (x->v != y->v) return x->v < y->v ? -1 : 1;
    if (x->time != y->time) return x->time < y->time ? -1 : 1;
    return x->k < y->k ? -1 : x->k > y->k;
}

/* Strongly connected components (iterative Tarjan). comp[] gets 0..k-1; returns k or -1. */
static int scc(int n, const uint32_t *row, const uint32_t *col, int32_t *comp)
{
    int32_t *index = malloc((size_t)n * sizeof *index), *low = malloc((size_t)n * sizeof *low);
    int32_t *stack = malloc((size_t)n * sizeof *stack), *cs = malloc((size_t)n * sizeof *cs);
    uint32_t *it = malloc((size_t)n * sizeof *it);
    uint8_t *on = calloc((size_t)n, 1);
    int k = -1;
    if (!index || !low || !stack || !cs || !it || !on) goto out;
    for (int v = 0; v < n; v++) index[v] = -1;
    int32_t idx = 0, sp = 0, csp = 0;
    k = 0;
    for (int s = 0; s < n; s++) {
        if (index[s] >= 0) continue;
        index[s] = low[s] = idx++;
        stack[sp++] = s;
        on[s] = 1;
        it[s] = row[s];
        cs[csp++] = s;
        while (csp > 0) {
            int32_t v = cs[csp - 1];
            if (it[v] < row[v + 1]) {
                int32_t w = (int32_t)col[it[v]++];
                if (index[w] < 0) {
                    index[w] = low[w] = idx++;
                    stack[sp++] = w;
                    on[w] = 1;
                    it[w] = row[w];
                    cs[csp++] = w;
                } else if (on[w] && index[w] < low[v]) {
                    low[v] = index[w];
                }
                continue;
            }
            csp--;
            if (low[v] == index[v]) {
                int32_t w;
                do {
                    w = stack[--sp];
                    on[w] = 0;
                    comp[w] = k;
                } while (w != v);
                k++;
            }
            if (csp > 0 && low[v] < low[cs[csp - 1]]) low[cs[csp - 1]] = low[v];
        }
    }
out:
    free(index);
    free(low);
    free(stack);
    free(cs);
    free(it);
    free(on);
    return k;
}

typedef struct build_tmp {
    int32_t *pts, *gid, *comp, *keep_id;
    ekey *keys;
    uint8_t *dead;
    uint32_t *poff, *pway, *row, *col, *fill;
    uint8_t *use, *is_g;
    seg *segs;
    dedge *E;
} build_tmp;

static void tmp_free(build_tmp *t)
{
    free(t->pts); free(t->gid); free(t->comp); free(t->keep_id); free(t->keys); free(t->dead);
    free(t->poff); free(t->pway); free(t->row); free(t->col); free(t->fill);
    free(t->use); free(t->is_g); free(t->segs); free(t->E);
}

#define NOMEM() do { st = sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", r->file); goto done; } while (0)

sl_status slp_roads_build(sl_roads *r, slp_roads_raw *raw, sl_error *e)
{
    build_tmp t = {0};
    sl_status st = SL_OK;
    if (raw->nw == 0) {
        st = sl_error_set(e, SL_ERR_PARSE, "%s: no drivable roads (%lld nodes and %lld ways read)",
                          r->file, (long long)raw->nn, raw->osm_ways);
        goto done;
    }
    /* 1. nodes by id (the first of repeated ids wins) */
    if (raw->nn) qsort(raw->node, raw->nn, sizeof *raw->node, cmp_node); /* node may be NULL */
    size_t nn = 0;
    for (size_t i = 0; i < raw->nn; i++)
        if (nn == 0 || raw->node[i].id != raw->node[nn - 1].id) raw->node[nn++] = raw->node[i];
    const slp_roads_node *nd = raw->node;

    /* 2. ways as pieces of known, distinct consecutive nodes (missing nodes split a way) */
    t.pts = malloc((raw->nref + 1) * sizeof *t.pts);
    t.poff = malloc((raw->nref + 2) * sizeof *t.poff);
    t.pway = malloc((raw->nref + 1) * sizeof *t.pway);
    t.use = calloc(nn + 1, 1);
    t.is_g = calloc(nn + 1, 1);
    if (!t.pts || !t.poff || !t.pway || !t.use || !t.is_g) NOMEM();
    size_t np = 0, npts = 0;
    t.poff[0] = 0;
    for (size_t w = 0; w < raw->nw; w++) {
        for (size_t k = raw->way_off[w]; k <= raw->way_off[w + 1]; k++) {
            int32_t x = k < raw->way_off[w + 1] ? find_node(nd, nn, raw->ref[k]) : -1;
            if (x >= 0) {
                if (npts > t.poff[np] && t.pts[npts - 1] == x) continue;
                t.pts[npts++] = x;
                continue;
            }
            /* end of a piece */
            if (npts - t.poff[np] >= 2) {
                t.pway[np] = (uint32_t)w;
                np++;
                t.poff[np] = (uint32_t)npts;
            } else {
                npts = t.poff[np];
            }
        }
    }
    for (size_t p = 0; p < np; p++) {
        t.is_g[t.pts[t.poff[p]]] = 1;
        t.is_g[t.pts[t.poff[p + 1] - 1]] = 1;
        for (uint32_t k = t.poff[p]; k < t.poff[p + 1]; k++)
            if (t.use[t.pts[k]] < 2) t.use[t.pts[k]]++;
    }
    for (size_t x = 0; x < nn; x++)
        if (t.use[x] >= 2) t.is_g[x] = 1;
    if (np == 0) {
        st = sl_error_set(e, SL_ERR_PARSE, "%s: no drivable roads (the drivable ways' nodes are "
                          "missing from the file)", r->file);
        goto done;
    }

    /* 3. stretches between graph nodes; a loop or a second stretch between the same two nodes
     *    gets a graph node in its middle, until every pair of nodes has at most one stretch
     *    (straight duplicates are settled per direction below) */
    t.segs = malloc(npts * sizeof *t.segs);
    if (!t.segs) NOMEM();
    size_t ns;
    for (;;) {
        ns = 0;
        for (size_t p = 0; p < np; p++) {
            uint32_t i = t.poff[p];
            for (uint32_t j = i + 1; j < t.poff[p + 1]; j++) {
                if (!t.is_g[t.pts[j]]) continue;
                int32_t a = t.pts[i], b = t.pts[j];
                t.segs[ns++] = (seg){ i, j, t.pway[p], a < b ? a : b, a < b ? b : a };
                i = j;
            }
        }
        if (ns) qsort(t.segs, ns, sizeof *t.segs, cmp_seg);
        int promoted = 0;
        for (size_t s = 0; s < ns;) {
            size_t g = s + 1;
            while (g < ns && t.segs[g].lo == t.segs[s].lo && t.segs[g].hi == t.segs[s].hi) g++;
            if (g - s > 1 || t.segs[s].lo == t.segs[s].hi)
                for (size_t q = s; q < g; q++)
                    if (t.segs[q].j - t.segs[q].i >= 2) {
                        t.is_g[t.pts[(t.segs[q].i + t.segs[q].j) / 2]] = 1;
                        promoted = 1;
                    }
            s = g;
        }
        if (!promoted) break;
    }

    /* 4. directed edges */
    t.E = malloc(2 * ns * sizeof *t.E);
    if (!t.E) NOMEM();
    size_t ne = 0;
    for (size_t s = 0; s < ns; s++) {
        const seg *sg = &t.segs[s];
        if (sg->lo == sg->hi) continue;
        double len = 0;
        for (uint32_t k = sg->i; k < sg->j; k++) {
            const slp_roads_node *a = &nd[t.pts[k]], *b = &nd[t.pts[k + 1]];
            len += sl_roads_haversine(a->lon, a->lat, b->lon, b->lat);
        }
        int dir = raw->way_dir[sg->way];
        double time = len / (raw->way_kmh[sg->way] / 3.6);
        int32_t u = t.pts[sg->i], v = t.pts[sg->j];
        int32_t f = -1;
        if (dir >= 0) {
            f = (int32_t)ne;
            t.E[ne++] = (dedge){ u, v, (uint32_t)s, 0, raw->way_cls[sg->way], len, time, -1, -1 };
        }
        if (dir <= 0) {
            t.E[ne] = (dedge){ v, u, (uint32_t)s, 1, raw->way_cls[sg->way], len, time, f, -1 };
            if (f >= 0) t.E[f].twin = (int32_t)ne;
            ne++;
        }
    }
    /* one edge per ordered pair: of straight duplicates the faster stays */
    t.keys = malloc((ne + 1) * sizeof *t.keys);
    t.dead = calloc(ne + 1, 1);
    if (!t.keys || !t.dead) NOMEM();
    for (size_t k = 0; k < ne; k++) t.keys[k] = (ekey){ t.E[k].u, t.E[k].v, t.E[k].time, (int32_t)k };
    if (ne) qsort(t.keys, ne, sizeof *t.keys, cmp_ekey);
    uint8_t *dead = t.dead;
    for (size_t k = 1; k < ne; k++)
        if (t.keys[k - 1].u == t.keys[k].u && t.keys[k - 1].v == t.keys[k].v) dead[t.keys[k].k] = 1;
    for (size_t k = 0; k < ne; k++)
        if (t.E[k].twin >= 0 && (dead[t.E[k].twin] || dead[k])) t.E[k].twin = -1;

    /* 5. graph node numbers, then the largest strongly connected component */
    t.gid = malloc((nn + 1) * sizeof *t.gid);
    if (!t.gid) NOMEM();
    int ng = 0;
    for (size_t x = 0; x < nn; x++) t.gid[x] = -1;
    for (size_t k = 0; k < ne; k++)
        if (!dead[k]) t.gid[t.E[k].u] = t.gid[t.E[k].v] = 0;
    for (size_t x = 0; x < nn; x++)
        if (t.gid[x] == 0) t.gid[x] = ng++;
    size_t nlive = 0;
    t.row = calloc((size_t)ng + 2, sizeof *t.row);
    t.col = malloc((ne + 1) * sizeof *t.col);
    t.fill = malloc(((size_t)ng + 1) * sizeof *t.fill);
    t.comp = malloc(((size_t)ng + 1) * sizeof *t.comp);
    t.keep_id = malloc(((size_t)ng + 1) * sizeof *t.keep_id);
    if (!t.row || !t.col || !t.fill || !t.comp || !t.keep_id) NOMEM();
    for (size_t k = 0; k < ne; k++)
        if (!dead[k]) { t.row[t.gid[t.E[k].u] + 1]++; nlive++; }
    for (int v = 0; v < ng; v++) t.row[v + 1] += t.row[v];
    if (ng) memcpy(t.fill, t.row, (size_t)ng * sizeof *t.fill);
    for (size_t k = 0; k < ne; k++)
        if (!dead[k]) t.col[t.fill[t.gid[t.E[k].u]]++] = (uint32_t)t.gid[t.E[k].v];
    int ncomp = scc(ng, t.row, t.col, t.comp);
    if (ncomp < 0) NOMEM();
    memset(t.fill, 0, ((size_t)ng + 1) * sizeof *t.fill);
    for (int v = 0; v < ng; v++) t.fill[t.comp[v]]++;
    int best = 0;
    for (int c = 1; c < ncomp; c++)
        if (t.fill[c] > t.fill[best]) best = c;
    int nk = 0;
    for (int v = 0; v < ng; v++) t.keep_id[v] = t.comp[v] == best ? nk++ : -1;

    /* 6. the engine graph (lengths) and per-edge attributes in its order */
    r->g = sl_graph_create(nk, e);
    if (!r->g) { st = e ? e->code : SL_ERR_NOMEM; goto done; }
    size_t mk = 0;
    for (size_t k = 0; k < ne; k++) {
        dedge *d = &t.E[k];
        if (dead[k] || t.keep_id[t.gid[d->u]] < 0 || t.keep_id[t.gid[d->v]] < 0) continue;
        st = sl_graph_add_edge(r->g, t.keep_id[t.gid[d->u]], t.keep_id[t.gid[d->v]], d->len, 0, e);
        if (st != SL_OK) goto done;
        mk++;
    }
    if (mk == 0) {
        st = sl_error_set(e, SL_ERR_PARSE, "%s: no drivable roads on which a car can drive away "
                          "and come back (only one-way dead ends)", r->file);
        goto done;
    }
    st = sl_graph_finalize(r->g, e);
    if (st != SL_OK) goto done;
    const sl_graph *g = r->g;
    r->time_s = malloc((mk + 1) * sizeof *r->time_s);
    r->cls = malloc(mk + 1);
    r->twin = malloc((mk + 1) * sizeof *r->twin);
    r->src = malloc((mk + 1) * sizeof *r->src);
    r->goff = calloc(mk + 2, sizeof *r->goff);
    if (!r->time_s || !r->cls || !r->twin || !r->src || !r->goff) NOMEM();
    for (size_t k = 0; k < ne; k++) {
        dedge *d = &t.E[k];
        d->pos = -1;
        if (dead[k]) continue;
        int32_t u = t.keep_id[t.gid[d->u]], v = t.keep_id[t.gid[d->v]];
        if (u < 0 || v < 0) continue;
        uint32_t lo = g->row[u], hi = g->row[u + 1];
        while (lo < hi) {
            uint32_t mid = lo + (hi - lo) / 2;
            if (g->col[mid] < (uint32_t)v) lo = mid + 1;
            else hi = mid;
        }
        d->pos = (int32_t)lo;
        r->time_s[lo] = d->time;
        r->cls[lo] = d->cls;
        r->src[lo] = (uint32_t)u;
        r->goff[lo + 1] = t.segs[d->seg].j - t.segs[d->seg].i + 1;
    }
    for (size_t k = 0; k < ne; k++)
        if (t.E[k].pos >= 0)
            r->twin[t.E[k].pos] = t.E[k].twin >= 0 ? t.E[t.E[k].twin].pos : -1;
    for (size_t k = 0; k < mk; k++) r->goff[k + 1] += r->goff[k];
    size_t ngp = r->goff[mk];
    r->glon = malloc((ngp + 1) * sizeof *r->glon);
    r->glat = malloc((ngp + 1) * sizeof *r->glat);
    r->gx = malloc((ngp + 1) * sizeof *r->gx);
    r->gy = malloc((ngp + 1) * sizeof *r->gy);
    if (!r->glon || !r->glat || !r->gx || !r->gy) NOMEM();
    double lo_lon = INFINITY, lo_lat = INFINITY, hi_lon = -INFINITY, hi_lat = -INFINITY;
    double km = 0;
    for (size_t k = 0; k < ne; k++) {
        const dedge *d = &t.E[k];
        if (d->pos < 0) continue;
        const seg *sg = &t.segs[d->seg];
        uint32_t o = r->goff[d->pos], cnt = sg->j - sg->i + 1;
        for (uint32_t q = 0; q < cnt; q++) {
            const slp_roads_node *p = &nd[t.pts[d->reversed ? sg->j - q : sg->i + q]];
            r->glon[o + q] = p->lon;
            r->glat[o + q] = p->lat;
            lo_lon = fmin(lo_lon, p->lon);
            hi_lon = fmax(hi_lon, p->lon);
            lo_lat = fmin(lo_lat, p->lat);
            hi_lat = fmax(hi_lat, p->lat);
        }
        if (r->twin[d->pos] < 0 || r->twin[d->pos] > d->pos) km += d->len / 1000;
    }
    sl_roads_info *in = &r->info;
    in->lon_min = lo_lon;
    in->lon_max = hi_lon;
    in->lat_min = lo_lat;
    in->lat_max = hi_lat;
    in->lon0 = (lo_lon + hi_lon) / 2;
    in->lat0 = (lo_lat + hi_lat) / 2;
    r->coslat0 = cos(in->lat0 * M_PI / 180);
    for (size_t q = 0; q < ngp; q++) sl_roads_project(r, r->glon[q], r->glat[q], &r->gx[q], &r->gy[q]);
    for (size_t k = 0; k < mk; k++) {
        r->g->x[r->src[k]] = r->gx[r->goff[k]];
        r->g->y[r->src[k]] = r->gy[r->goff[k]];
    }
    in->osm_nodes = (long long)raw->nn;
    in->osm_ways = raw->osm_ways;
    in->drivable_ways = (long long)raw->nw;
    in->nodes = nk;
    in->edges = (int)mk;
    in->nodes_dropped = ng - nk;
    in->edges_dropped = (int)(nlive - mk);
    in->components = ncomp;
    in->km = km;
done:
    tmp_free(&t);
    return st;
}
