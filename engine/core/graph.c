/* graph.c - weighted graphs in compressed rows; Dijkstra and components. */
#include "swarmlab/graph.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

sl_graph *sl_graph_create(int n, sl_error *e)
{
    if (n < 0 || n > 100000000) {
        sl_error_set(e, SL_ERR_RANGE, "graph: %d nodes is not a valid size", n);
        return NULL;
    }
    sl_graph *g = calloc(1, sizeof *g);
    if (!g) goto nomem;
    g->n = n;
    g->row = calloc((size_t)n + 1, sizeof *g->row);
    g->x = calloc((size_t)n + 1, sizeof *g->x);
    g->y = calloc((size_t)n + 1, sizeof *g->y);
    if (!g->row || !g->x || !g->y) goto nomem;
    g->finalized = 1;
    return g;
nomem:
    sl_graph_destroy(g);
    sl_error_set(e, SL_ERR_NOMEM, "graph: out of memory");
    return NULL;
}

void sl_graph_destroy(sl_graph *g)
{
    if (!g) return;
    free(g->row);
    free(g->col);
    free(g->w);
    free(g->x);
    free(g->y);
    free(g->esrc);
    free(g->edst);
    free(g->ew);
    free(g->eu);
    free(g->ev);
    free(g->eid);
    free(g);
}

static int push_edge(sl_graph *g, int u, int v, double w)
{
    if (g->m == g->ecap) {
        size_t nc = g->ecap ? g->ecap * 2 : 64;
        uint32_t *s = realloc(g->esrc, nc * sizeof *s);
        if (!s) return 0;
        g->esrc = s;
        uint32_t *d = realloc(g->edst, nc * sizeof *d);
        if (!d) return 0;
        g->edst = d;
        double *ww = realloc(g->ew, nc * sizeof *ww);
        if (!ww) return 0;
        g->ew = ww;
        g->ecap = nc;
    }
    g->esrc[g->m] = (uint32_t)u;
    g->edst[g->m] = (uint32_t)v;
    g->ew[g->m] = w;
    g->m++;
    return 1;
}

/* Restores the edge list from compressed rows so new edges can be appended. */
static int unfinalize(sl_graph *g)
{
    free(g->eu);
    free(g->ev);
    free(g->eid);
    g->eu = g->ev = NULL;
    g->eid = NULL;
    g->ne = 0;
    if (!g->finalized) return 1;
    size_t m = g->m;
    g->m = 0;
    uint32_t *col = g->col;
    double *w = g->w;
    g->col = NULL;
    g->w = NULL;
    for (int u = 0; u < g->n; u++)
        for (uint32_t k = g->row[u]; k < g->row[u + 1] && k < m; k++)
            if (!push_edge(g, u, (int)col[k], w[k])) {
                free(col);
                free(w);
                return 0;
            }
    free(col);
    free(w);
    g->finalized = 0;
    return 1;
}

sl_status sl_graph_add_edge(sl_graph *g, int u, int v, double w, int undirected, sl_error *e)
{
    if (u < 0 || v < 0 || u >= g->n || v >= g->n)
        return sl_error_set(e, SL_ERR_RANGE, "graph: edge %d-%d outside nodes 0..%d", u, v,
                            g->n - 1);
    if (!isfinite(w))
        return sl_error_set(e, SL_ERR_RANGE, "graph: edge %d-%d has a non-finite weight", u, v);
    if (!unfinalize(g) || !push_edge(g, u, v, w) || (undirected && u != v && !push_edge(g, v, u, w)))
        return sl_error_set(e, SL_ERR_NOMEM, "graph: out of memory");
    return SL_OK;
}

typedef struct edge_rec {
    uint32_t s, d;
    double w;
    size_t seq;
} edge_rec;

static int cmp_edge(const void *a, const void *b)
{
    const edge_rec *x = a, *y = b;
    if (x->s != y->s) return x->s < y->s ? -1 : 1;
    if (x->d != y->d) return x->d < y->d ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

sl_status sl_graph_finalize(sl_graph *g, sl_error *e)
{
    if (g->finalized) return SL_OK;
    edge_rec *r = malloc((g->m ? g->m : 1) * sizeof *r);
    if (!r) return sl_error_set(e, SL_ERR_NOMEM, "graph: out of memory");
    for (size_t k = 0; k < g->m; k++) r[k] = (edge_rec){g->esrc[k], g->edst[k], g->ew[k], k};
    qsort(r, g->m, sizeof *r, cmp_edge);
    /* a repeated edge keeps the last weight added */
    size_t m = 0;
    for (size_t k = 0; k < g->m; k++) {
        if (m && r[m - 1].s == r[k].s && r[m - 1].d == r[k].d) r[m - 1] = r[k];
        else r[m++] = r[k];
    }
    free(g->col);
    free(g->w);
    g->col = malloc((m ? m : 1) * sizeof *g->col);
    g->w = malloc((m ? m : 1) * sizeof *g->w);
    if (!g->col || !g->w) {
        free(r);
        return sl_error_set(e, SL_ERR_NOMEM, "graph: out of memory");
    }
    memset(g->row, 0, ((size_t)g->n + 1) * sizeof *g->row);
    for (size_t k = 0; k < m; k++) {
        g->row[r[k].s + 1]++;
        g->col[k] = r[k].d;
        g->w[k] = r[k].w;
    }
    for (int u = 0; u < g->n; u++) g->row[u + 1] += g->row[u];
    g->m = m;
    free(r);
    g->finalized = 1;
    return SL_OK;
}

int sl_graph_degree(const sl_graph *g, int u)
{
    return (int)(g->row[u + 1] - g->row[u]);
}

int sl_graph_max_degree(const sl_graph *g)
{
    int d = 0;
    for (int i = 0; i < g->n; i++) {
        int k = sl_graph_degree(g, i);
        if (k > d) d = k;
    }
    return d;
}

/* Adjacency entry of u->v (binary search in u's sorted row), or -1. */
static long entry(const sl_graph *g, int u, int v)
{
    if (!g->finalized || u < 0 || u >= g->n || v < 0) return -1;
    uint32_t lo = g->row[u], hi = g->row[u + 1];
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (g->col[mid] < (uint32_t)v) lo = mid + 1;
        else hi = mid;
    }
    return lo < g->row[u + 1] && g->col[lo] == (uint32_t)v ? (long)lo : -1;
}

double sl_graph_weight(const sl_graph *g, int u, int v)
{
    long p = entry(g, u, v);
    return p >= 0 ? g->w[p] : NAN;
}

long sl_graph_edge(const sl_graph *g, int u, int v)
{
    long p = g->eid ? entry(g, u, v) : -1;
    return p >= 0 ? (long)g->eid[p] : -1;
}

/* binary heap of (dist, node), ties broken by node id for determinism */
typedef struct heap_item {
    double d;
    int v;
} heap_item;

static int less(heap_item a, heap_item b) { return a.d < b.d || (a.d == b.d && a.v < b.v); }

sl_status sl_graph_dijkstra(const sl_graph *g, int src, double *dist, int *prev, sl_error *e)
{
    if (!g->finalized) return sl_error_set(e, SL_ERR_STATE, "graph: finalize before queries");
    if (src < 0 || src >= g->n) return sl_error_set(e, SL_ERR_RANGE, "graph: no node %d", src);
    for (size_t k = 0; k < g->m; k++)
        if (g->w[k] < 0) return sl_error_set(e, SL_ERR_RANGE, "graph: negative edge weight");
    heap_item *h = malloc((g->m + 1) * sizeof *h);
    if (!h) return sl_error_set(e, SL_ERR_NOMEM, "graph: out of memory");
    for (int i = 0; i < g->n; i++) {
        dist[i] = INFINITY;
        if (prev) prev[i] = -1;
    }
    size_t hn = 0;
    dist[src] = 0;
    h[hn++] = (heap_item){0, src};
    while (hn) {
        heap_item top = h[0];
        h[0] = h[--hn];
        for (size_t i = 0;;) {
            size_t l = 2 * i + 1, r = l + 1, m = i;
            if (l < hn && less(h[l], h[m])) m = l;
            if (r < hn && less(h[r], h[m])) m = r;
            if (m == i) break;
            heap_item t = h[i];
            h[i] = h[m];
            h[m] = t;
            i = m;
        }
        if (top.d > dist[top.v]) continue;
        for (uint32_t k = g->row[top.v]; k < g->row[top.v + 1]; k++) {
            int v = (int)g->col[k];
            double nd = top.d + g->w[k];
            if (nd < dist[v]) {
                dist[v] = nd;
                if (prev) prev[v] = top.v;
                size_t i = hn++;
                h[i] = (heap_item){nd, v};
                while (i && less(h[i], h[(i - 1) / 2])) {
                    heap_item t = h[i];
                    h[i] = h[(i - 1) / 2];
                    h[(i - 1) / 2] = t;
                    i = (i - 1) / 2;
                }
            }
        }
    }
    free(h);
    return SL_OK;
}

static int find(int *parent, int x)
{
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}

int sl_graph_components(const sl_graph *g, int *comp)
{
    int *parent = malloc(((size_t)g->n + 1) * sizeof *parent);
    if (!parent) return -1;
    for (int i = 0; i < g->n; i++) parent[i] = i;
    for (int u = 0; u < g->n; u++)
        for (uint32_t k = g->row[u]; k < g->row[u + 1]; k++) {
            int a = find(parent, u), b = find(parent, (int)g->col[k]);
            if (a != b) parent[a < b ? b : a] = a < b ? a : b;
        }
    int k = 0;
    for (int i = 0; i < g->n; i++) comp[i] = -1;
    for (int i = 0; i < g->n; i++) {
        int r = find(parent, i);
        if (comp[r] < 0) comp[r] = k++;
        comp[i] = comp[r];
    }
    free(parent);
    return k;
}
