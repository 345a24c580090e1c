/* instance.c - TSPLIB / CVRPLIB instance reader and the TSPLIB distance functions. */
#include "swarmlab/routing.h"
#include "swarmlab/fileio.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- distances ---- */

static int nint(double v) { return (int)(v + 0.5); }

static double geo_rad(double v)
{
    const double pi = 3.141592; /* the TSPLIB value */
    int deg = (int)v;           /* truncation toward zero, as in the TSPLIB reference code */
    double min = v - deg;
    return pi * (deg + 5.0 * min / 3.0) / 180.0;
}

int sl_tsplib_dist(sl_edge_weight ew, double xi, double yi, double xj, double yj)
{
    double dx = xi - xj, dy = yi - yj;
    switch (ew) {
    case SL_EW_EUC_2D: return nint(sqrt(dx * dx + dy * dy));
    case SL_EW_CEIL_2D: return (int)ceil(sqrt(dx * dx + dy * dy));
    case SL_EW_ATT: {
        double r = sqrt((dx * dx + dy * dy) / 10.0);
        int t = nint(r);
        return t < r ? t + 1 : t;
    }
    case SL_EW_GEO: {
        const double rrr = 6378.388;
        double lati = geo_rad(xi), loni = geo_rad(yi), latj = geo_rad(xj), lonj = geo_rad(yj);
        double q1 = cos(loni - lonj), q2 = cos(lati - latj), q3 = cos(lati + latj);
        return (int)(rrr * acos(0.5 * ((1.0 + q1) * q2 - (1.0 - q1) * q3)) + 1.0);
    }
    case SL_EW_EXPLICIT: break;
    }
    return 0;
}

int sl_instance_dist_compute(const sl_instance *in, int i, int j)
{
    if (i == j) return 0;
    return sl_tsplib_dist(in->ew, in->x[i], in->y[i], in->x[j], in->y[j]);
}

const char *sl_edge_weight_name(sl_edge_weight ew)
{
    static const char *names[] = {"EUC_2D", "CEIL_2D", "ATT", "GEO", "EXPLICIT"};
    return (unsigned)ew < 5 ? names[ew] : "?";
}

static int build_matrix(sl_instance *in)
{
    if (in->dist || in->n > SL_ROUTING_MATRIX_MAX) return 1;
    size_t n = (size_t)in->n;
    in->dist = malloc(n * n * sizeof *in->dist);
    if (!in->dist) return 0;
    for (size_t i = 0; i < n; i++) {
        in->dist[i * n + i] = 0;
        for (size_t j = i + 1; j < n; j++) {
            int d = sl_instance_dist_compute(in, (int)i, (int)j);
            in->dist[i * n + j] = d;
            in->dist[j * n + i] = d;
        }
    }
    return 1;
}

void sl_instance_destroy(sl_instance *in)
{
    if (!in) return;
    free(in->x);
    free(in->y);
    free(in->dist);
    free(in->demand);
    free(in);
}

sl_instance *sl_instance_from_coords(const char *name, int n, const double *x, const double *y,
                                     sl_edge_weight ew)
{
    sl_instance *in = calloc(1, sizeof *in);
    if (!in || n < 1) { free(in); return NULL; }
    snprintf(in->name, sizeof in->name, "%s", name ? name : "instance");
    in->n = n;
    in->ew = ew;
    in->x = malloc((size_t)n * sizeof *in->x);
    in->y = malloc((size_t)n * sizeof *in->y);
    if (!in->x || !in->y) { sl_instance_destroy(in); return NULL; }
    memcpy(in->x, x, (size_t)n * sizeof *x);
    memcpy(in->y, y, (size_t)n * sizeof *y);
    if (!build_matrix(in)) { sl_instance_destroy(in); return NULL; }
    return in;
}

sl_instance *sl_instance_from_matrix(const char *name, int n, const int *m)
{
    sl_instance *in = calloc(1, sizeof *in);
    if (!in || n < 1) { free(in); return NULL; }
    snprintf(in->name, sizeof in->name, "%s", name ? name : "instance");
    in->n = n;
    in->ew = SL_EW_EXPLICIT;
    in->dist = malloc((size_t)n * (size_t)n * sizeof *in->dist);
    if (!in->dist) { free(in); return NULL; }
    memcpy(in->dist, m, (size_t)n * (size_t)n * sizeof *m);
    return in;
}

sl_status sl_instance_make_cvrp(sl_instance *in, int capacity, const int *demand, int depot,
                                sl_error *e)
{
    if (capacity <= 0) return sl_error_set(e, SL_ERR_RANGE, "capacity must be positive");
    if (depot < 0 || depot >= in->n) return sl_error_set(e, SL_ERR_RANGE, "depot out of range");
    int *d = malloc((size_t)in->n * sizeof *d);
    if (!d) return sl_error_set(e, SL_ERR_NOMEM, "out of memory");
    for (int i = 0; i < in->n; i++) {
        d[i] = i == depot ? 0 : demand[i];
        if (d[i] < 0 || d[i] > capacity) {
            free(d);
            return sl_error_set(e, SL_ERR_RANGE, "demand of node %d (%d) outside 0..capacity %d",
                                i + 1, demand[i], capacity);
        }
    }
    free(in->demand);
    in->demand = d;
    in->capacity = capacity;
    in->depot = depot;
    in->problem = SL_PROB_CVRP;
    return SL_OK;
}

/* ---- reader ---- */

typedef struct lexer {
    const char *path;
    const char *p;
    int line;
    sl_error *e;
} lexer;

static sl_status lex_err(lexer *lx, sl_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static sl_status lex_err(lexer *lx, sl_status code, const char *fmt, ...)
{
    char buf[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return sl_error_set(lx->e, code, "%s:%d: %s", lx->path, lx->line, buf);
}

static void skip_blank(lexer *lx) /* spaces within a line */
{
    while (*lx->p == ' ' || *lx->p == '\t' || *lx->p == '\r') lx->p++;
}

static void skip_space(lexer *lx) /* any whitespace, counting lines */
{
    for (;;) {
        skip_blank(lx);
        if (*lx->p == '\n') { lx->line++; lx->p++; }
        else break;
    }
}

/* Next whitespace-separated token (across lines) into buf; 0 at end of file. */
static int next_token(lexer *lx, char *buf, size_t cap)
{
    skip_space(lx);
    if (!*lx->p) return 0;
    size_t k = 0;
    while (*lx->p && !isspace((unsigned char)*lx->p)) {
        if (k + 1 < cap) buf[k++] = *lx->p;
        lx->p++;
    }
    buf[k] = '\0';
    return 1;
}

static int peek_is_number(lexer *lx)
{
    skip_space(lx);
    char c = *lx->p;
    return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.';
}

static sl_status read_double(lexer *lx, double *v, const char *what)
{
    char tok[128];
    if (!next_token(lx, tok, sizeof tok))
        return lex_err(lx, SL_ERR_PARSE, "unexpected end of file, expected %s", what);
    char *end;
    errno = 0;
    *v = strtod(tok, &end);
    if (*end || end == tok || errno || !isfinite(*v))
        return sl_error_set(lx->e, SL_ERR_PARSE, "%s:%d: expected %s, got '%s'", lx->path,
                            lx->line, what, tok);
    return SL_OK;
}

static sl_status read_long(lexer *lx, long *v, const char *what)
{
    char tok[128];
    if (!next_token(lx, tok, sizeof tok))
        return lex_err(lx, SL_ERR_PARSE, "unexpected end of file, expected %s", what);
    char *end;
    errno = 0;
    *v = strtol(tok, &end, 10);
    if (*end || end == tok || errno)
        return sl_error_set(lx->e, SL_ERR_PARSE, "%s:%d: expected %s, got '%s'", lx->path,
                            lx->line, what, tok);
    return SL_OK;
}

/* Header value: the rest of the line after an optional ':' (trimmed). */
static void header_value(lexer *lx, char *buf, size_t cap)
{
    skip_blank(lx);
    if (*lx->p == ':') lx->p++;
    skip_blank(lx);
    size_t k = 0;
    while (*lx->p && *lx->p != '\n') {
        if (k + 1 < cap) buf[k++] = *lx->p;
        lx->p++;
    }
    while (k > 0 && isspace((unsigned char)buf[k - 1])) k--;
    buf[k] = '\0';
}

static char *slurp(const char *path, sl_error *e)
{
    FILE *f = sl_fopen_regular(path, "instance", e); /* not a device or FIFO: read to its end */
    if (!f) return NULL;
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (!buf) break;
        if (len + 1 >= cap) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb) { free(buf); buf = NULL; break; }
            buf = nb;
        }
        size_t got = fread(buf + len, 1, cap - 1 - len, f);
        len += got;
        if (got == 0) break;
    }
    int bad = ferror(f);
    fclose(f);
    if (!buf || bad) {
        free(buf);
        sl_error_set(e, bad ? SL_ERR_IO : SL_ERR_NOMEM, "%s: cannot read", path);
        return NULL;
    }
    buf[len] = '\0';
    if (memchr(buf, '\0', len)) {
        free(buf);
        sl_error_set(e, SL_ERR_PARSE, "%s:1: not a text file", path);
        return NULL;
    }
    return buf;
}

enum { FMT_NONE, FMT_FULL, FMT_UPPER_ROW, FMT_LOWER_ROW, FMT_UPPER_DIAG, FMT_LOWER_DIAG };

typedef struct parse_state {
    sl_instance *in;
    int have_dim, have_ew, fmt, have_coords, have_weights, have_demand, have_depot, have_cap;
    int ew_line;
} parse_state;

static sl_status need_dim(lexer *lx, parse_state *ps, const char *sec)
{
    if (!ps->have_dim)
        return lex_err(lx, SL_ERR_PARSE, "%s before DIMENSION (missing DIMENSION)", sec);
    return SL_OK;
}

static sl_status parse_coords(lexer *lx, parse_state *ps, int display_only)
{
    sl_instance *in = ps->in;
    int n = in->n;
    if (!in->x) {
        in->x = calloc((size_t)n, sizeof *in->x);
        in->y = calloc((size_t)n, sizeof *in->y);
        if (!in->x || !in->y) return sl_error_set(lx->e, SL_ERR_NOMEM, "out of memory");
    }
    char *seen = calloc((size_t)n, 1);
    if (!seen) return sl_error_set(lx->e, SL_ERR_NOMEM, "out of memory");
    sl_status st = SL_OK;
    for (int k = 0; k < n; k++) {
        if (!peek_is_number(lx)) {
            st = sl_error_set(lx->e, SL_ERR_PARSE,
                              "%s:%d: expected %d coordinate lines, found %d", lx->path, lx->line,
                              n, k);
            break;
        }
        long id;
        double x, y;
        if ((st = read_long(lx, &id, "a node number")) != SL_OK) break;
        int idline = lx->line;
        if (id < 1 || id > n) {
            st = sl_error_set(lx->e, SL_ERR_PARSE, "%s:%d: node number %ld outside 1..%d",
                              lx->path, idline, id, n);
            break;
        }
        if (seen[id - 1]) {
            st = sl_error_set(lx->e, SL_ERR_PARSE, "%s:%d: node %ld given twice", lx->path,
                              idline, id);
            break;
        }
        seen[id - 1] = 1;
        if ((st = read_double(lx, &x, "a coordinate")) != SL_OK) break;
        if (lx->line != idline) {
            st = sl_error_set(lx->e, SL_ERR_PARSE, "%s:%d: node %ld has fewer than 2 coordinates",
                              lx->path, idline, id);
            break;
        }
        if ((st = read_double(lx, &y, "a coordinate")) != SL_OK) break;
        if (lx->line != idline) {
            st = sl_error_set(lx->e, SL_ERR_PARSE, "%s:%d: node %ld has fewer than 2 coordinates",
                              lx->path, idline, id);
            break;
        }
        in->x[id - 1] = x;
        in->y[id - 1] = y;
    }
    free(seen);
    if (st == SL_OK && !display_only) ps->have_coords = 1;
    return st;
}

static sl_status parse_weights(lexer *lx, parse_state *ps)
{
    sl_instance *in = ps->in;
    size_t n = (size_t)in->n;
    if (ps->fmt == FMT_NONE)
        return lex_err(lx, SL_ERR_PARSE, "EDGE_WEIGHT_SECTION without a supported "
                                         "EDGE_WEIGHT_FORMAT");
    in->dist = calloc(n * n, sizeof *in->dist);
    if (!in->dist) return sl_error_set(lx->e, SL_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        size_t jlo = 0, jhi = n; /* [jlo, jhi) */
        switch (ps->fmt) {
        case FMT_FULL: break;
        case FMT_UPPER_ROW: jlo = i + 1; break;
        case FMT_UPPER_DIAG: jlo = i; break;
        case FMT_LOWER_ROW: jhi = i; break;
        case FMT_LOWER_DIAG: jhi = i + 1; break;
        }
        for (size_t j = jlo; j < jhi; j++) {
            long v;
            sl_status st = read_long(lx, &v, "an integer edge weight");
            if (st != SL_OK) return st;
            if (v < 0 || v > 100000000L)
                return lex_err(lx, SL_ERR_PARSE, "edge weight %ld outside 0..1e8", v);
            in->dist[i * n + j] = (int)v;
            if (ps->fmt != FMT_FULL) in->dist[j * n + i] = (int)v;
        }
    }
    for (size_t i = 0; i < n; i++) in->dist[i * n + i] = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (in->dist[i * n + j] != in->dist[j * n + i])
                return lex_err(lx, SL_ERR_PARSE, "FULL_MATRIX is not symmetric (entries %zu,%zu "
                               "and %zu,%zu differ); asymmetric problems are not supported",
                               i + 1, j + 1, j + 1, i + 1);
    ps->have_weights = 1;
    return SL_OK;
}

static sl_status parse_demand(lexer *lx, parse_state *ps)
{
    sl_instance *in = ps->in;
    int n = in->n;
    in->demand = calloc((size_t)n, sizeof *in->demand);
    char *seen = calloc((size_t)n, 1);
    if (!in->demand || !seen) { free(seen); return sl_error_set(lx->e, SL_ERR_NOMEM, "oom"); }
    sl_status st = SL_OK;
    for (int k = 0; k < n; k++) {
        if (!peek_is_number(lx)) {
            st = sl_error_set(lx->e, SL_ERR_PARSE, "%s:%d: expected %d demand lines, found %d",
                              lx->path, lx->line, n, k);
            break;
        }
        long id, d;
        if ((st = read_long(lx, &id, "a node number")) != SL_OK) break;
        if (id < 1 || id > n || seen[id - 1]) {
            st = lex_err(lx, SL_ERR_PARSE, "bad or repeated node number %ld in DEMAND_SECTION",
                         id);
            break;
        }
        seen[id - 1] = 1;
        if ((st = read_long(lx, &d, "an integer demand")) != SL_OK) break;
        if (d < 0) { st = lex_err(lx, SL_ERR_PARSE, "negative demand %ld", d); break; }
        if (ps->have_cap && d > in->capacity) {
            st = sl_error_set(lx->e, SL_ERR_PARSE,
                              "%s:%d: demand %ld of node %ld exceeds the capacity %d", lx->path,
                              lx->line, d, id, in->capacity);
            break;
        }
        in->demand[id - 1] = (int)d;
    }
    free(seen);
    if (st == SL_OK) ps->have_demand = 1;
    return st;
}

static sl_status parse_depot(lexer *lx, parse_state *ps)
{
    long id;
    sl_status st = read_long(lx, &id, "a depot node number");
    if (st != SL_OK) return st;
    if (id == -1) return lex_err(lx, SL_ERR_PARSE, "DEPOT_SECTION lists no depot");
    if (id < 1 || id > ps->in->n)
        return lex_err(lx, SL_ERR_PARSE, "depot %ld outside the node range", id);
    ps->in->depot = (int)id - 1;
    for (;;) { /* further depots are not supported; the list ends with -1 */
        long more;
        if ((st = read_long(lx, &more, "-1 closing DEPOT_SECTION")) != SL_OK) return st;
        if (more == -1) break;
        return lex_err(lx, SL_ERR_PARSE, "more than one depot (%ld) is not supported", more);
    }
    ps->have_depot = 1;
    return SL_OK;
}

static int is_word(const char *a, const char *b) { return strcmp(a, b) == 0; }

static sl_status parse_file(lexer *lx, parse_state *ps)
{
    sl_instance *in = ps->in;
    char key[256], val[256];
    sl_status st;
    for (;;) {
        skip_space(lx);
        if (!*lx->p) break;
        /* keyword, possibly with a ':' attached */
        size_t k = 0;
        while (*lx->p && !isspace((unsigned char)*lx->p) && *lx->p != ':') {
            if (k + 1 < sizeof key) key[k++] = *lx->p;
            lx->p++;
        }
        key[k] = '\0';
        if (k == 0) return lex_err(lx, SL_ERR_PARSE, "expected a keyword");
        if (is_word(key, "EOF")) break;
        if (is_word(key, "NODE_COORD_SECTION")) {
            if ((st = need_dim(lx, ps, key)) != SL_OK) return st;
            if (ps->have_ew && in->ew == SL_EW_EXPLICIT)
                return lex_err(lx, SL_ERR_PARSE, "NODE_COORD_SECTION with EXPLICIT weights");
            if ((st = parse_coords(lx, ps, 0)) != SL_OK) return st;
        } else if (is_word(key, "DISPLAY_DATA_SECTION")) {
            if ((st = need_dim(lx, ps, key)) != SL_OK) return st;
            if ((st = parse_coords(lx, ps, 1)) != SL_OK) return st;
        } else if (is_word(key, "EDGE_WEIGHT_SECTION")) {
            if ((st = need_dim(lx, ps, key)) != SL_OK) return st;
            if (!ps->have_ew || in->ew != SL_EW_EXPLICIT)
                return lex_err(lx, SL_ERR_PARSE, "EDGE_WEIGHT_SECTION needs EDGE_WEIGHT_TYPE "
                                                 "EXPLICIT");
            if ((st = parse_weights(lx, ps)) != SL_OK) return st;
        } else if (is_word(key, "DEMAND_SECTION")) {
            if ((st = need_dim(lx, ps, key)) != SL_OK) return st;
            if ((st = parse_demand(lx, ps)) != SL_OK) return st;
        } else if (is_word(key, "DEPOT_SECTION")) {
            if ((st = need_dim(lx, ps, key)) != SL_OK) return st;
            if ((st = parse_depot(lx, ps)) != SL_OK) return st;
        } else if (strstr(key, "_SECTION")) {
            return lex_err(lx, SL_ERR_PARSE, "unsupported section %s", key);
        } else {
            header_value(lx, val, sizeof val);
            if (is_word(key, "NAME")) {
                snprintf(in->name, sizeof in->name, "%.127s", val);
            } else if (is_word(key, "COMMENT") || is_word(key, "NODE_COORD_TYPE") ||
                       is_word(key, "DISPLAY_DATA_TYPE")) {
                /* informational */
            } else if (is_word(key, "TYPE")) {
                if (is_word(val, "TSP")) in->problem = SL_PROB_TSP;
                else if (is_word(val, "CVRP")) in->problem = SL_PROB_CVRP;
                else return lex_err(lx, SL_ERR_PARSE, "unsupported TYPE '%s'", val);
            } else if (is_word(key, "DIMENSION")) {
                char *end;
                long d = strtol(val, &end, 10);
                if (*end || end == val || d < 1 || d > 2000000)
                    return lex_err(lx, SL_ERR_PARSE, "DIMENSION must be a positive integer, got "
                                                     "'%s'", val);
                if (ps->have_dim) return lex_err(lx, SL_ERR_PARSE, "DIMENSION given twice");
                in->n = (int)d;
                ps->have_dim = 1;
            } else if (is_word(key, "CAPACITY")) {
                char *end;
                long c = strtol(val, &end, 10);
                if (*end || end == val || c < 1 || c > 1000000000L)
                    return lex_err(lx, SL_ERR_PARSE, "CAPACITY must be a positive integer, got "
                                                     "'%s'", val);
                in->capacity = (int)c;
                ps->have_cap = 1;
            } else if (is_word(key, "EDGE_WEIGHT_TYPE")) {
                static const char *names[] = {"EUC_2D", "CEIL_2D", "ATT", "GEO", "EXPLICIT"};
                int found = -1;
                for (int i = 0; i < 5; i++)
                    if (is_word(val, names[i])) found = i;
                if (found < 0)
                    return lex_err(lx, SL_ERR_PARSE, "unsupported EDGE_WEIGHT_TYPE '%s'",
                                   val);
                in->ew = (sl_edge_weight)found;
                ps->have_ew = 1;
                ps->ew_line = lx->line;
            } else if (is_word(key, "EDGE_WEIGHT_FORMAT")) {
                if (is_word(val, "FULL_MATRIX")) ps->fmt = FMT_FULL;
                else if (is_word(val, "UPPER_ROW")) ps->fmt = FMT_UPPER_ROW;
                else if (is_word(val, "LOWER_ROW")) ps->fmt = FMT_LOWER_ROW;
                else if (is_word(val, "UPPER_DIAG_ROW")) ps->fmt = FMT_UPPER_DIAG;
                else if (is_word(val, "LOWER_DIAG_ROW")) ps->fmt = FMT_LOWER_DIAG;
                else if (is_word(val, "FUNCTION")) ps->fmt = FMT_NONE;
                else return lex_err(lx, SL_ERR_PARSE, "unsupported EDGE_WEIGHT_FORMAT '%s'",
                                    val);
            } else {
                return lex_err(lx, SL_ERR_PARSE, "unknown keyword '%s'", key);
            }
        }
    }
    /* completeness */
    if (!ps->have_dim) return lex_err(lx, SL_ERR_PARSE, "missing DIMENSION");
    if (!ps->have_ew) return lex_err(lx, SL_ERR_PARSE, "missing EDGE_WEIGHT_TYPE");
    if (in->ew == SL_EW_EXPLICIT ? !ps->have_weights : !ps->have_coords)
        return lex_err(lx, SL_ERR_PARSE, "missing %s",
                       in->ew == SL_EW_EXPLICIT ? "EDGE_WEIGHT_SECTION" : "NODE_COORD_SECTION");
    if (in->problem == SL_PROB_CVRP) {
        if (!ps->have_cap) return lex_err(lx, SL_ERR_PARSE, "missing CAPACITY");
        if (!ps->have_demand)
            return lex_err(lx, SL_ERR_PARSE, "missing DEMAND_SECTION");
        if (!ps->have_depot)
            return lex_err(lx, SL_ERR_PARSE, "missing DEPOT_SECTION (no depot)");
        for (int i = 0; i < in->n; i++)
            if (in->demand[i] > in->capacity)
                return lex_err(lx, SL_ERR_PARSE, "a demand exceeds the capacity");
        in->demand[in->depot] = 0;
    }
    return SL_OK;
}

/* Distances are ints (summed in 64 bits): coordinates so far apart that an edge could exceed the
 * largest explicit weight accepted (1e8) are refused, never wrapped into negative lengths. */
#define MAX_EDGE_WEIGHT 100000000.0

static sl_status check_coord_span(const sl_instance *in, const char *path, sl_error *e)
{
    if (in->ew == SL_EW_EXPLICIT || in->n < 2) return SL_OK;
    if (in->ew == SL_EW_GEO) { /* degrees.minutes, truncated to int degrees */
        for (int i = 0; i < in->n; i++)
            if (!(fabs(in->x[i]) <= 1e6 && fabs(in->y[i]) <= 1e6))
                return sl_error_set(e, SL_ERR_RANGE, "%s: node %d: GEO coordinates (%g, %g) are "
                                    "not degrees", path, i + 1, in->x[i], in->y[i]);
        return SL_OK;
    }
    double x0 = in->x[0], x1 = in->x[0], y0 = in->y[0], y1 = in->y[0];
    for (int i = 1; i < in->n; i++) {
        x0 = fmin(x0, in->x[i]);
        x1 = fmax(x1, in->x[i]);
        y0 = fmin(y0, in->y[i]);
        y1 = fmax(y1, in->y[i]);
    }
    double dx = x1 - x0, dy = y1 - y0, far = sqrt(dx * dx + dy * dy);
    if (in->ew == SL_EW_ATT) far /= sqrt(10.0);
    if (!(far <= MAX_EDGE_WEIGHT))
        return sl_error_set(e, SL_ERR_RANGE, "%s: coordinates span %.6g x %.6g: distances up to "
                            "%.6g would exceed the largest edge weight supported (1e8); scale "
                            "the coordinates down", path, dx, dy, far);
    return SL_OK;
}

sl_instance *sl_instance_load(const char *path, sl_error *e)
{
    char *text = slurp(path, e);
    if (!text) return NULL;
    sl_instance *in = calloc(1, sizeof *in);
    if (!in) { free(text); sl_error_set(e, SL_ERR_NOMEM, "out of memory"); return NULL; }
    const char *base = strrchr(path, '/');
    snprintf(in->name, sizeof in->name, "%s", base ? base + 1 : path);
    lexer lx = {path, text, 1, e};
    parse_state ps;
    memset(&ps, 0, sizeof ps);
    ps.in = in;
    sl_status st = parse_file(&lx, &ps);
    free(text);
    if (st == SL_OK) st = check_coord_span(in, path, e);
    if (st == SL_OK && in->ew != SL_EW_EXPLICIT && !build_matrix(in))
        st = sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory for the distance matrix", path);
    if (st != SL_OK) { sl_instance_destroy(in); return NULL; }
    if (in->ew == SL_EW_EXPLICIT && !ps.have_coords && in->x) { /* display data only: keep */ }
    return in;
}
