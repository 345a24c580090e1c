/* graph_gen.c - simple undirected graphs with numbered edges: the generators (ring, path, star,
 * complete, grid, random geometric) and graphs from an explicit edge list, built straight into
 * sorted compressed rows. */
#include "swarmlab/graph.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "swarmlab/rng.h"

typedef struct edge_buf {
    int *u, *v;
    size_t m, cap;
} edge_buf;

#define GRAPH_MAX_EDGES 50000000u

static int buf_push(edge_buf *b, int u, int v)
{
    if (b->m >= GRAPH_MAX_EDGES) return -2;
    if (b->m == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 64;
        int *nu = realloc(b->u, cap * sizeof *nu);
        if (!nu) return -1;
        b->u = nu;
        int *nv = realloc(b->v, cap * sizeof *nv);
        if (!nv) return -1;
        b->v = nv;
        b->cap = cap;
    }
    b->u[b->m] = u < v ? u : v;
    b->v[b->m] = u < v ? v : u;
    b->m++;
    return 0;
}

static int cmp_edge(const void *a, const void *b)
{
    const int *x = a, *y = b;
    if (x[0] != y[0]) return x[0] < y[0] ? -1 : 1;
    if (x[1] != y[1]) return x[1] < y[1] ? -1 : 1;
    return 0;
}

/* Builds the graph from a buffer of valid (u != v, in range) edges. Takes no ownership. */
static sl_graph *build(int n, const int *u, const int *v, size_t m, sl_error *e)
{
    sl_graph *g = sl_graph_create(n, e);
    int *pairs = malloc((m ? m : 1) * 2 * sizeof *pairs);
    if (!g || !pairs) goto nomem;
    for (size_t k = 0; k < m; k++) {
        pairs[2 * k] = u[k] < v[k] ? u[k] : v[k];
        pairs[2 * k + 1] = u[k] < v[k] ? v[k] : u[k];
    }
    qsort(pairs, m, 2 * sizeof *pairs, cmp_edge);
    size_t w = 0;
    for (size_t k = 0; k < m; k++) {
        if (w > 0 && pairs[2 * (w - 1)] == pairs[2 * k] && pairs[2 * (w - 1) + 1] == pairs[2 * k + 1])
            continue;
        pairs[2 * w] = pairs[2 * k];
        pairs[2 * w + 1] = pairs[2 * k + 1];
        w++;
    }
    g->ne = w;
    g->m = 2 * w;
    g->eu = malloc((w ? w : 1) * sizeof *g->eu);
    g->ev = malloc((w ? w : 1) * sizeof *g->ev);
    g->col = malloc((w ? 2 * w : 1) * sizeof *g->col);
    g->eid = malloc((w ? 2 * w : 1) * sizeof *g->eid);
    g->w = malloc((w ? 2 * w : 1) * sizeof *g->w);
    uint32_t *fill = calloc((size_t)n, sizeof *fill);
    if (!g->eu || !g->ev || !g->col || !g->eid || !g->w || !fill) {
        free(fill);
        goto nomem;
    }
    for (size_t k = 0; k < 2 * w; k++) g->w[k] = 1.0;
    for (size_t k = 0; k < w; k++) {
        g->eu[k] = pairs[2 * k];
        g->ev[k] = pairs[2 * k + 1];
        g->row[g->eu[k] + 1]++;
        g->row[g->ev[k] + 1]++;
    }
    for (int i = 0; i < n; i++) g->row[i + 1] += g->row[i];
    /* Edges are sorted by (u, v): a node's lower neighbours come from edges where it is v (in
     * increasing u), its higher ones from edges where it is u (in increasing v). Two passes keep
     * each adjacency sorted without another sort. */
    for (size_t k = 0; k < w; k++) {
        int a = g->ev[k];
        g->col[g->row[a] + fill[a]] = (uint32_t)g->eu[k];
        g->eid[g->row[a] + fill[a]] = (uint32_t)k;
        fill[a]++;
    }
    for (size_t k = 0; k < w; k++) {
        int a = g->eu[k];
        g->col[g->row[a] + fill[a]] = (uint32_t)g->ev[k];
        g->eid[g->row[a] + fill[a]] = (uint32_t)k;
        fill[a]++;
    }
    free(fill);
    free(pairs);
    return g;
nomem:
    free(pairs);
    sl_graph_destroy(g);
    sl_error_set(e, SL_ERR_NOMEM, "graph: out of memory for %d nodes", n);
    return NULL;
}

sl_graph *sl_graph_from_edges(int n, size_t m, const int *u, const int *v, sl_error *e)
{
    if (n < 1) {
        sl_error_set(e, SL_ERR_RANGE, "graph: n must be >= 1, got %d", n);
        return NULL;
    }
    for (size_t k = 0; k < m; k++) {
        if (u[k] < 0 || u[k] >= n || v[k] < 0 || v[k] >= n) {
            sl_error_set(e, SL_ERR_RANGE, "graph: edge %zu (%d, %d) has a node outside 0..%d", k + 1,
                         u[k], v[k], n - 1);
            return NULL;
        }
        if (u[k] == v[k]) {
            sl_error_set(e, SL_ERR_RANGE, "graph: edge %zu is a self loop on node %d", k + 1, u[k]);
            return NULL;
        }
    }
    return build(n, u, v, m, e);
}

static int grid_rows(int n)
{
    int best = 1;
    for (int r = 1; (long)r * r <= n; r++)
        if (n % r == 0) best = r;
    return best;
}

const char *const sl_graph_kind_names[] = {"ring", "path", "star", "complete", "grid", "rgg", NULL};

sl_graph *sl_graph_make(const sl_graph_spec *s, sl_error *e)
{
    const char *kind = s->kind ? s->kind : "";
    int n = s->n;
    if (n < 1) {
        sl_error_set(e, SL_ERR_RANGE, "graph: n must be >= 1, got %d", n);
        return NULL;
    }
    if (n > 1000000) {
        sl_error_set(e, SL_ERR_RANGE, "graph: n must be <= 1000000, got %d", n);
        return NULL;
    }
    edge_buf b = {0};
    int rows = 0;
    double *px = calloc((size_t)n, sizeof *px), *py = calloc((size_t)n, sizeof *py);
    if (!px || !py) goto nomem;
    if (strcmp(kind, "ring") == 0) {
        for (int i = 0; i + 1 < n; i++)
            if (buf_push(&b, i, i + 1)) goto nomem;
        if (n >= 3 && buf_push(&b, n - 1, 0)) goto nomem;
        for (int i = 0; i < n; i++) {
            double a = 2.0 * M_PI * i / n;
            px[i] = 0.5 + 0.45 * cos(a);
            py[i] = 0.5 + 0.45 * sin(a);
        }
    } else if (strcmp(kind, "path") == 0) {
        for (int i = 0; i + 1 < n; i++)
            if (buf_push(&b, i, i + 1)) goto nomem;
        for (int i = 0; i < n; i++) {
            px[i] = n > 1 ? 0.05 + 0.9 * i / (n - 1) : 0.5;
            py[i] = 0.5;
        }
    } else if (strcmp(kind, "star") == 0) {
        for (int i = 1; i < n; i++)
            if (buf_push(&b, 0, i)) goto nomem;
        px[0] = py[0] = 0.5;
        for (int i = 1; i < n; i++) {
            double a = 2.0 * M_PI * (i - 1) / (n - 1);
            px[i] = 0.5 + 0.45 * cos(a);
            py[i] = 0.5 + 0.45 * sin(a);
        }
    } else if (strcmp(kind, "complete") == 0) {
        if (n > 4000) {
            sl_error_set(e, SL_ERR_RANGE, "graph: complete graph needs n <= 4000, got %d", n);
            goto fail;
        }
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
                if (buf_push(&b, i, j)) goto nomem;
        for (int i = 0; i < n; i++) {
            double a = 2.0 * M_PI * i / n;
            px[i] = 0.5 + 0.45 * cos(a);
            py[i] = 0.5 + 0.45 * sin(a);
        }
    } else if (strcmp(kind, "grid") == 0) {
        rows = s->rows;
        if (rows < 0) {
            sl_error_set(e, SL_ERR_RANGE, "graph: grid rows must be >= 1, got %d", rows);
            goto fail;
        }
        if (rows == 0) rows = grid_rows(n);
        if (n % rows != 0) {
            sl_error_set(e, SL_ERR_RANGE, "graph: grid rows=%d does not divide n=%d", rows, n);
            goto fail;
        }
        int cols = n / rows;
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) {
                int i = r * cols + c;
                if (c + 1 < cols && buf_push(&b, i, i + 1)) goto nomem;
                if (r + 1 < rows && buf_push(&b, i, i + cols)) goto nomem;
                px[i] = (c + 0.5) / cols;
                py[i] = (r + 0.5) / rows;
            }
    } else if (strcmp(kind, "rgg") == 0) {
        double rad = s->radius;
        if (!(rad > 0.0) || !isfinite(rad)) {
            sl_error_set(e, SL_ERR_RANGE, "graph: rgg radius must be a finite number > 0, got %g", rad);
            goto fail;
        }
        for (int i = 0; i < n; i++) {
            sl_rng r = sl_rng_make(s->seed, SL_GRAPH_STREAM_PLACE, (uint64_t)i, 0);
            px[i] = sl_rng_uniform(&r);
            py[i] = sl_rng_uniform(&r);
        }
        /* bucket the points in square cells of side >= radius: only the 3 x 3 cells around a
         * point can hold its neighbours */
        double r2 = rad * rad;
        int cells = rad >= 1.0 ? 1 : (int)(1.0 / rad);
        if (cells > 4096) cells = 4096;
        size_t nc = (size_t)cells * (size_t)cells;
        int *head = malloc(nc * sizeof *head), *next = malloc((size_t)n * sizeof *next);
        if (!head || !next) {
            free(head);
            free(next);
            goto nomem;
        }
        for (size_t q = 0; q < nc; q++) head[q] = -1;
        /* insert in decreasing order so each cell lists its points in increasing order */
        for (int i = n - 1; i >= 0; i--) {
            int cx = (int)(px[i] * cells), cy = (int)(py[i] * cells);
            if (cx >= cells) cx = cells - 1;
            if (cy >= cells) cy = cells - 1;
            size_t q = (size_t)cy * cells + (size_t)cx;
            next[i] = head[q];
            head[q] = i;
        }
        int rc = 0;
        for (int i = 0; i < n && !rc; i++) {
            int cx = (int)(px[i] * cells), cy = (int)(py[i] * cells);
            if (cx >= cells) cx = cells - 1;
            if (cy >= cells) cy = cells - 1;
            for (int dy = -1; dy <= 1 && !rc; dy++)
                for (int dx = -1; dx <= 1 && !rc; dx++) {
                    int x = cx + dx, y = cy + dy;
                    if (x < 0 || y < 0 || x >= cells || y >= cells) continue;
                    for (int j = head[(size_t)y * cells + (size_t)x]; j >= 0 && !rc; j = next[j]) {
                        if (j <= i) continue;
                        double ddx = px[i] - px[j], ddy = py[i] - py[j];
                        if (ddx * ddx + ddy * ddy <= r2) rc = buf_push(&b, i, j);
                    }
                }
        }
        free(head);
        free(next);
        if (rc == -2) {
            sl_error_set(e, SL_ERR_RANGE, "graph: rgg with n=%d and radius %g has more than %u edges",
                         n, rad, GRAPH_MAX_EDGES);
            goto fail;
        }
        if (rc) goto nomem;
    } else {
        sl_error_set(e, SL_ERR_RANGE,
                     "graph: unknown graph '%s' (expected ring, path, star, complete, grid, rgg)", kind);
        goto fail;
    }
    sl_graph *g = build(n, b.u, b.v, b.m, e);
    if (g) {
        memcpy(g->x, px, (size_t)n * sizeof *px);
        memcpy(g->y, py, (size_t)n * sizeof *py);
    }
    free(b.u);
    free(b.v);
    free(px);
    free(py);
    return g;
nomem:
    sl_error_set(e, SL_ERR_NOMEM, "graph: out of memory building '%s' with n=%d", kind, n);
fail:
    free(b.u);
    free(b.v);
    free(px);
    free(py);
    return NULL;
}
