/* roads_matrix.c - shortest travel times and distances between snapped sites: one Dijkstra
 * (binary heap) per source, sources spread over OpenMP threads with each row computed by one
 * thread, so the matrix is the same for any number of threads; routes with their geometry; CSV.
 *
 * A site lies inside an edge: from it one drives to the edge's end (and, on a two-way road, back
 * to its start along the twin edge); it is reached from the edge's start (or from its end along
 * the twin). Two sites on the same road may also be joined directly. */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "roads_internal.h"

typedef struct dj {
    int n;
    double *dist;
    int32_t *pred;         /* edge into the node; -2: seeded along the site's edge, -3: along its twin */
    uint32_t *seen, *done, *want, stamp;
    double *hk;            /* heap keys */
    int32_t *hv;           /* heap nodes */
    size_t hn, hcap;
} dj;

static void dj_free(dj *w)
{
    free(w->dist); free(w->pred); free(w->seen); free(w->done); free(w->want);
    free(w->hk); free(w->hv);
}

static int dj_init(dj *w, const sl_roads *r)
{
    memset(w, 0, sizeof *w);
    int n = r->g->n;
    w->n = n;
    w->hcap = r->g->m + 4;
    w->dist = malloc(((size_t)n + 1) * sizeof *w->dist);
    w->pred = malloc(((size_t)n + 1) * sizeof *w->pred);
    w->seen = calloc((size_t)n + 1, sizeof *w->seen);
    w->done = calloc((size_t)n + 1, sizeof *w->done);
    w->want = calloc((size_t)n + 1, sizeof *w->want);
    w->hk = malloc(w->hcap * sizeof *w->hk);
    w->hv = malloc(w->hcap * sizeof *w->hv);
    return w->dist && w->pred && w->seen && w->done && w->want && w->hk && w->hv;
}

/* heap ordered by (key, node), so ties settle in a fixed order */
static inline int hless(const dj *w, size_t a, size_t b)
{
    return w->hk[a] < w->hk[b] || (w->hk[a] == w->hk[b] && w->hv[a] < w->hv[b]);
}

static void hpush(dj *w, double k, int32_t v)
{
    size_t i = w->hn++;
    w->hk[i] = k;
    w->hv[i] = v;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!hless(w, i, p)) break;
        double tk = w->hk[p]; w->hk[p] = w->hk[i]; w->hk[i] = tk;
        int32_t tv = w->hv[p]; w->hv[p] = w->hv[i]; w->hv[i] = tv;
        i = p;
    }
}

static void hpop(dj *w)
{
    w->hn--;
    w->hk[0] = w->hk[w->hn];
    w->hv[0] = w->hv[w->hn];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        if (l < w->hn && hless(w, l, m)) m = l;
        if (l + 1 < w->hn && hless(w, l + 1, m)) m = l + 1;
        if (m == i) break;
        double tk = w->hk[m]; w->hk[m] = w->hk[i]; w->hk[i] = tk;
        int32_t tv = w->hv[m]; w->hv[m] = w->hv[i]; w->hv[i] = tv;
        i = m;
    }
}

static inline double dj_dist(const dj *w, int v)
{
    return w->seen[v] == w->stamp ? w->dist[v] : INFINITY;
}

static void relax(dj *w, int v, double d, int32_t pred)
{
    if (w->seen[v] != w->stamp || d < w->dist[v]) {
        w->seen[v] = w->stamp;
        w->dist[v] = d;
        w->pred[v] = pred;
        hpush(w, d, v);
    }
}

static const double *cost_of(const sl_roads *r, sl_road_metric m)
{
    return m == SL_ROAD_DISTANCE ? r->g->w : r->time_s;
}

/* The same site, on the first edge of its road. */
static sl_road_snap canon(sl_road_snap s)
{
    if (s.twin >= 0 && s.twin < s.edge) {
        int t = s.edge;
        s.edge = s.twin;
        s.twin = t;
        s.frac = 1 - s.frac;
    }
    return s;
}

/* Starts a search from site a; `nwant` nodes marked in w->want with the new stamp must be
 * settled before it stops (0: search everything). */
static void dj_run(dj *w, const sl_roads *r, const double *c, const sl_road_snap *a, int nwant)
{
    const sl_graph *g = r->g;
    w->hn = 0;
    relax(w, (int)g->col[a->edge], (1 - a->frac) * c[a->edge], -2);
    if (a->twin >= 0) relax(w, (int)r->src[a->edge], a->frac * c[a->twin], -3);
    while (w->hn > 0) {
        double d = w->hk[0];
        int32_t v = w->hv[0];
        hpop(w);
        if (w->done[v] == w->stamp || d > w->dist[v]) continue;
        w->done[v] = w->stamp;
        if (w->want[v] == w->stamp && --nwant == 0) break;
        for (uint32_t k = g->row[v]; k < g->row[v + 1]; k++)
            relax(w, (int)g->col[k], d + c[k], (int32_t)k);
    }
}

/* Cost from the search's source to site b, and how it is reached: 0 along b's edge, 1 along its
 * twin, 2 directly from site a on the same road (forward), 3 directly along the twin. */
static double arrive(const dj *w, const sl_roads *r, const double *c, const sl_road_snap *a,
                     const sl_road_snap *b, int *how)
{
    double best = dj_dist(w, (int)r->src[b->edge]) + b->frac * c[b->edge];
    *how = 0;
    if (b->twin >= 0) {
        double d = dj_dist(w, (int)r->g->col[b->edge]) + (1 - b->frac) * c[b->twin];
        if (d < best) { best = d; *how = 1; }
    }
    if (a->edge == b->edge) {
        if (b->frac >= a->frac && (b->frac - a->frac) * c[b->edge] <= best) {
            best = (b->frac - a->frac) * c[b->edge];
            *how = 2;
        } else if (b->twin >= 0 && b->frac < a->frac && (a->frac - b->frac) * c[b->twin] <= best) {
            best = (a->frac - b->frac) * c[b->twin];
            *how = 3;
        }
    }
    return best;
}

static sl_status check_sites(const sl_roads *r, const sl_road_snap *s, int n, sl_error *e)
{
    for (int i = 0; i < n; i++)
        if (s[i].edge < 0 || (size_t)s[i].edge >= r->g->m || !(s[i].frac >= 0 && s[i].frac <= 1) ||
            s[i].twin != r->twin[s[i].edge])
            return sl_error_set(e, SL_ERR_RANGE, "%s: site %d is not a point snapped to this "
                                "network", r->file, i + 1);
    return SL_OK;
}

sl_status sl_roads_matrix(const sl_roads *r, const sl_road_snap *sites, int n,
                          sl_road_metric metric, int threads, double *out, sl_error *e)
{
    if (n < 0 || threads < 1)
        return sl_error_set(e, SL_ERR_RANGE, "%s: matrix of %d sites on %d threads", r->file, n,
                            threads);
    sl_status st = check_sites(r, sites, n, e);
    if (st != SL_OK || n == 0) return st;
    sl_road_snap *s = malloc((size_t)n * sizeof *s);
    if (!s) return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", r->file);
    for (int i = 0; i < n; i++) s[i] = canon(sites[i]);
    const double *c = cost_of(r, metric);
    int failed = 0;
    #pragma omp parallel num_threads(threads)
    {
        dj w;
        int ok = dj_init(&w, r);
        if (!ok) {
            #pragma omp atomic write
            failed = 1;
        }
        #pragma omp for schedule(dynamic, 4)
        for (int i = 0; i < n; i++) {
            if (!ok) continue;
            w.stamp++;
            int nwant = 0;
            for (int j = 0; j < n; j++) {
                int v[2] = { (int)r->src[s[j].edge], s[j].twin >= 0 ? (int)r->g->col[s[j].edge] : -1 };
                for (int q = 0; q < 2; q++)
                    if (v[q] >= 0 && w.want[v[q]] != w.stamp) {
                        w.want[v[q]] = w.stamp;
                        nwant++;
                    }
            }
            dj_run(&w, r, c, &s[i], nwant);
            for (int j = 0; j < n; j++) {
                int how;
                out[(size_t)i * n + j] = i == j ? 0 : arrive(&w, r, c, &s[i], &s[j], &how);
            }
        }
        dj_free(&w);
    }
    free(s);
    if (failed) return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", r->file);
    return SL_OK;
}

/* ---- routes ---- */

typedef struct pbuf { sl_road_path *p; size_t cap; int oom; } pbuf;

static void put(pbuf *b, double lon, double lat)
{
    sl_road_path *p = b->p;
    if (b->oom) return;
    /* a point within about a millimetre of the last one replaces it (rounding at cut points) */
    if (p->n > 0 && fabs(p->lon[p->n - 1] - lon) < 1e-8 && fabs(p->lat[p->n - 1] - lat) < 1e-8) {
        p->lon[p->n - 1] = lon;
        p->lat[p->n - 1] = lat;
        return;
    }
    if ((size_t)p->n == b->cap) {
        size_t nc = b->cap ? b->cap * 2 : 64;
        double *x = realloc(p->lon, nc * sizeof *x);
        if (x) p->lon = x;
        double *y = realloc(p->lat, nc * sizeof *y);
        if (y) p->lat = y;
        if (!x || !y) { b->oom = 1; return; }
        b->cap = nc;
    }
    p->lon[p->n] = lon;
    p->lat[p->n] = lat;
    p->n++;
}

/* Appends the part of edge k between fractions f0 <= f1 of its length; adds its length and time. */
static void piece(pbuf *b, const sl_roads *r, int k, double f0, double f1)
{
    uint32_t a = r->goff[k], z = r->goff[k + 1];
    double total = r->g->w[k], at = 0;
    b->p->dist_m += (f1 - f0) * r->g->w[k];
    b->p->time_s += (f1 - f0) * r->time_s[k];
    double s0 = f0 * total, s1 = f1 * total;
    for (uint32_t q = a; q + 1 < z; q++) {
        double l = sl_roads_haversine(r->glon[q], r->glat[q], r->glon[q + 1], r->glat[q + 1]);
        double lo = at, hi = at + l;
        at = hi;
        if (hi < s0 || lo > s1) continue;
        double t0 = l > 0 ? fmax(0, (s0 - lo) / l) : 0, t1 = l > 0 ? fmin(1, (s1 - lo) / l) : 1;
        put(b, r->glon[q] + t0 * (r->glon[q + 1] - r->glon[q]),
            r->glat[q] + t0 * (r->glat[q + 1] - r->glat[q]));
        put(b, r->glon[q] + t1 * (r->glon[q + 1] - r->glon[q]),
            r->glat[q] + t1 * (r->glat[q + 1] - r->glat[q]));
    }
}

sl_status sl_roads_route(const sl_roads *r, const sl_road_snap *a0, const sl_road_snap *b0,
                         sl_road_metric metric, sl_road_path *out, sl_error *e)
{
    memset(out, 0, sizeof *out);
    sl_road_snap two[2] = { *a0, *b0 };
    sl_status st = check_sites(r, two, 2, e);
    if (st != SL_OK) return st;
    sl_road_snap a = canon(*a0), b = canon(*b0);
    const double *c = cost_of(r, metric);
    dj w;
    int32_t *chain = NULL;
    if (!dj_init(&w, r)) goto nomem;
    w.stamp = 1;
    int nwant = 0;
    int tv[2] = { (int)r->src[b.edge], b.twin >= 0 ? (int)r->g->col[b.edge] : -1 };
    for (int q = 0; q < 2; q++)
        if (tv[q] >= 0 && w.want[tv[q]] != w.stamp) { w.want[tv[q]] = w.stamp; nwant++; }
    dj_run(&w, r, c, &a, nwant);
    int how;
    double best = arrive(&w, r, c, &a, &b, &how);
    if (!isfinite(best)) {
        dj_free(&w);
        return sl_error_set(e, SL_ERR_STATE, "%s: no route between the sites", r->file);
    }
    pbuf pb = { out, 0, 0 };
    put(&pb, a.lon, a.lat);
    if (how == 2) {
        piece(&pb, r, a.edge, a.frac, b.frac);
    } else if (how == 3) {
        piece(&pb, r, a.twin, 1 - a.frac, 1 - b.frac);
    } else {
        /* edges back from the node where b's last edge starts */
        int v = how == 0 ? (int)r->src[b.edge] : (int)r->g->col[b.edge];
        size_t len = 0;
        chain = malloc(((size_t)r->g->n + 1) * sizeof *chain);
        if (!chain) goto nomem;
        while (w.pred[v] >= 0) {
            chain[len++] = w.pred[v];
            v = (int)r->src[w.pred[v]];
        }
        if (w.pred[v] == -2) piece(&pb, r, a.edge, a.frac, 1);
        else piece(&pb, r, a.twin, 1 - a.frac, 1);
        for (size_t i = len; i-- > 0;) piece(&pb, r, chain[i], 0, 1);
        if (how == 0) piece(&pb, r, b.edge, 0, b.frac);
        else piece(&pb, r, b.twin, 0, 1 - b.frac);
    }
    put(&pb, b.lon, b.lat);
    free(chain);
    dj_free(&w);
    if (pb.oom) {
        sl_road_path_release(out);
        return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", r->file);
    }
    return SL_OK;
nomem:
    free(chain);
    dj_free(&w);
    return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", r->file);
}

void sl_road_path_release(sl_road_path *p)
{
    if (!p) return;
    free(p->lon);
    free(p->lat);
    memset(p, 0, sizeof *p);
}

static void csv_field(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\n\r")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

sl_status sl_roads_write_csv(const char *path, int n, const char *const *names, const double *m,
                             sl_error *e)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.part", path) >= (int)sizeof tmp)
        return sl_error_set(e, SL_ERR_IO, "%s: path too long", path);
    FILE *f = fopen(tmp, "w");
    if (!f) return sl_error_set(e, SL_ERR_IO, "%s: cannot write", path);
    fputs("from", f);
    for (int j = 0; j < n; j++) {
        fputc(',', f);
        if (names) csv_field(f, names[j]);
        else fprintf(f, "%d", j + 1);
    }
    fputc('\n', f);
    for (int i = 0; i < n; i++) {
        if (names) csv_field(f, names[i]);
        else fprintf(f, "%d", i + 1);
        for (int j = 0; j < n; j++) fprintf(f, ",%.10g", m[(size_t)i * n + j]);
        fputc('\n', f);
    }
    int bad = ferror(f);
    if (fclose(f) != 0 || bad || rename(tmp, path) != 0) {
        remove(tmp);
        return sl_error_set(e, SL_ERR_IO, "%s: write failed", path);
    }
    return SL_OK;
}
