/* solution_io.c - tours and route sets: evaluation, checks, TSPLIB .tour and CVRPLIB .sol files. */
#include "swarmlab/routing.h"
#include "swarmlab/fileio.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

long long sl_tour_length(const sl_instance *in, const int *t)
{
    long long s = 0;
    for (int i = 0; i < in->n; i++) s += sl_dist(in, t[i], t[(i + 1) % in->n]);
    return s;
}

int sl_tour_valid(int n, const int *t)
{
    char *seen = calloc((size_t)n + 1, 1);
    int ok = seen != NULL;
    for (int i = 0; ok && i < n; i++) {
        if (t[i] < 0 || t[i] >= n || seen[t[i]]) ok = 0;
        else seen[t[i]] = 1;
    }
    free(seen);
    return ok;
}

/* ---- file helpers ---- */

static FILE *open_tmp(const char *path, char *tmp, size_t cap, sl_error *e)
{
    snprintf(tmp, cap, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) sl_error_set(e, SL_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
    return f;
}

static sl_status close_tmp(FILE *f, const char *tmp, const char *path, sl_error *e)
{
    int bad = ferror(f);
    if (fclose(f) != 0) bad = 1;
    if (bad || rename(tmp, path) != 0) {
        remove(tmp);
        return sl_error_set(e, SL_ERR_IO, "%s: write failed", path);
    }
    return SL_OK;
}

sl_status sl_tour_write(const char *path, const sl_instance *in, const int *t, sl_error *e)
{
    char tmp[4096];
    FILE *f = open_tmp(path, tmp, sizeof tmp, e);
    if (!f) return SL_ERR_IO;
    fprintf(f, "NAME : %s.tour\nCOMMENT : Length = %lld\nTYPE : TOUR\nDIMENSION : %d\n"
               "TOUR_SECTION\n", in->name, sl_tour_length(in, t), in->n);
    for (int i = 0; i < in->n; i++) fprintf(f, "%d\n", t[i] + 1);
    fprintf(f, "-1\nEOF\n");
    return close_tmp(f, tmp, path, e);
}

/* Reads a text file into memory; NULL with e filled. */
static char *read_text(const char *path, sl_error *e)
{
    FILE *f = sl_fopen_regular(path, "solution", e);
    if (!f) return NULL;
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (len + 1 >= cap) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb) { free(buf); buf = NULL; break; }
            buf = nb;
        }
        size_t got = fread(buf + len, 1, cap - 1 - len, f);
        if (got == 0) break;
        len += got;
    }
    fclose(f);
    if (!buf) { sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", path); return NULL; }
    buf[len] = '\0';
    return buf;
}

/* Splits buf into lines in place; returns the next line or NULL. */
static char *next_line(char **cur, int *line)
{
    if (!*cur || !**cur) return NULL;
    char *s = *cur, *nl = strchr(s, '\n');
    if (nl) { *nl = '\0'; *cur = nl + 1; }
    else *cur = s + strlen(s);
    (*line)++;
    size_t k = strlen(s);
    while (k > 0 && isspace((unsigned char)s[k - 1])) s[--k] = '\0';
    while (isspace((unsigned char)*s)) s++;
    return s;
}

static int parse_int_tok(char **p, long *v)
{
    while (isspace((unsigned char)**p)) (*p)++;
    if (!**p) return 0;
    char *end;
    errno = 0;
    *v = strtol(*p, &end, 10);
    if (end == *p || errno || (*end && !isspace((unsigned char)*end))) return -1;
    *p = end;
    return 1;
}

sl_status sl_tour_read(const char *path, const sl_instance *in, int *t, long long *len,
                       sl_error *e)
{
    char *text = read_text(path, e);
    if (!text) return e ? e->code : SL_ERR_IO;
    int n = in->n, line = 0, count = 0, in_section = 0, done = 0;
    char *seen = calloc((size_t)n, 1);
    sl_status st = SL_OK;
    char *cur = text, *s;
    if (!seen) st = sl_error_set(e, SL_ERR_NOMEM, "out of memory");
    while (st == SL_OK && !done && (s = next_line(&cur, &line))) {
        if (!*s) continue;
        if (!in_section) {
            if (strncmp(s, "TOUR_SECTION", 12) == 0) in_section = 1;
            else if (strncmp(s, "DIMENSION", 9) == 0) {
                char *c = strchr(s, ':');
                long d = c ? strtol(c + 1, NULL, 10) : -1;
                if (d != n)
                    st = sl_error_set(e, SL_ERR_PARSE, "%s:%d: DIMENSION %ld does not match the "
                                      "instance (%d nodes)", path, line, d, n);
            } else if (strcmp(s, "EOF") == 0) break;
            continue;
        }
        char *p = s;
        long v;
        int r;
        while ((r = parse_int_tok(&p, &v)) == 1) {
            if (v == -1) { done = 1; break; }
            if (v < 1 || v > n) {
                st = sl_error_set(e, SL_ERR_PARSE, "%s:%d: node %ld outside 1..%d", path, line, v,
                                  n);
                break;
            }
            if (seen[v - 1]) {
                st = sl_error_set(e, SL_ERR_PARSE, "%s:%d: node %ld visited twice", path, line, v);
                break;
            }
            seen[v - 1] = 1;
            t[count++] = (int)v - 1;
        }
        if (st == SL_OK && r < 0)
            st = sl_error_set(e, SL_ERR_PARSE, "%s:%d: expected a node number, got '%s'", path,
                              line, p);
    }
    if (st == SL_OK && count != n)
        st = sl_error_set(e, SL_ERR_PARSE, "%s:%d: tour has %d nodes, the instance %d", path,
                          line, count, n);
    if (st == SL_OK && len) *len = sl_tour_length(in, t);
    free(seen);
    free(text);
    return st;
}

/* ---- route sets ---- */

void sl_routes_init(sl_routes *r) { memset(r, 0, sizeof *r); }

void sl_routes_release(sl_routes *r)
{
    free(r->start);
    free(r->nodes);
    sl_routes_init(r);
}

void sl_routes_clear(sl_routes *r)
{
    r->nroutes = 0;
    if (r->start) r->start[0] = 0;
}

sl_status sl_routes_add(sl_routes *r, const int *customers, int len)
{
    if (r->nroutes + 2 > r->cap_routes) {
        int nc = r->cap_routes ? r->cap_routes * 2 : 16;
        int *ns = realloc(r->start, (size_t)nc * sizeof *ns);
        if (!ns) return SL_ERR_NOMEM;
        if (!r->start) ns[0] = 0;
        r->start = ns;
        r->cap_routes = nc;
    }
    int used = r->start[r->nroutes];
    if (used + len > r->cap_nodes) {
        int nc = r->cap_nodes ? r->cap_nodes : 64;
        while (nc < used + len) nc *= 2;
        int *nn = realloc(r->nodes, (size_t)nc * sizeof *nn);
        if (!nn) return SL_ERR_NOMEM;
        r->nodes = nn;
        r->cap_nodes = nc;
    }
    if (len > 0) memcpy(r->nodes + used, customers, (size_t)len * sizeof *customers);
    r->start[r->nroutes + 1] = used + len;
    r->nroutes++;
    return SL_OK;
}

long long sl_routes_cost(const sl_instance *in, const sl_routes *r)
{
    long long c = 0;
    for (int k = 0; k < r->nroutes; k++) {
        int prev = in->depot;
        for (int i = r->start[k]; i < r->start[k + 1]; i++) {
            c += sl_dist(in, prev, r->nodes[i]);
            prev = r->nodes[i];
        }
        c += sl_dist(in, prev, in->depot);
    }
    return c;
}

sl_status sl_routes_from_sequence(sl_routes *r, const sl_instance *in, const int *seq, int len)
{
    sl_routes_clear(r);
    int i = 0;
    while (i < len) {
        while (i < len && seq[i] == in->depot) i++;
        int j = i;
        while (j < len && seq[j] != in->depot) j++;
        if (j > i && sl_routes_add(r, seq + i, j - i) != SL_OK) return SL_ERR_NOMEM;
        i = j;
    }
    return SL_OK;
}

sl_status sl_routes_check(const sl_instance *in, const sl_routes *r, sl_error *e)
{
    int n = in->n;
    char *seen = calloc((size_t)n, 1);
    if (!seen) return sl_error_set(e, SL_ERR_NOMEM, "out of memory");
    sl_status st = SL_OK;
    int count = 0;
    for (int k = 0; k < r->nroutes && st == SL_OK; k++) {
        long long load = 0;
        for (int i = r->start[k]; i < r->start[k + 1]; i++) {
            int c = r->nodes[i];
            if (c < 0 || c >= n || c == in->depot || seen[c]) {
                st = sl_error_set(e, SL_ERR_RANGE, "route %d: customer %d invalid or repeated",
                                  k + 1, c);
                break;
            }
            seen[c] = 1;
            count++;
            load += in->demand[c];
        }
        if (st == SL_OK && load > in->capacity)
            st = sl_error_set(e, SL_ERR_RANGE, "route %d: load %lld exceeds capacity %d", k + 1,
                              load, in->capacity);
    }
    if (st == SL_OK && count != n - 1)
        st = sl_error_set(e, SL_ERR_RANGE, "routes visit %d of %d customers", count, n - 1);
    free(seen);
    return st;
}

/* Solution files number customers as (node index); the depot, usually node 1 = index 0, is
 * omitted. */
sl_status sl_routes_write(const char *path, const sl_instance *in, const sl_routes *r,
                          sl_error *e)
{
    char tmp[4096];
    FILE *f = open_tmp(path, tmp, sizeof tmp, e);
    if (!f) return SL_ERR_IO;
    int k_out = 0;
    for (int k = 0; k < r->nroutes; k++) {
        if (r->start[k + 1] == r->start[k]) continue;
        fprintf(f, "Route #%d:", ++k_out);
        for (int i = r->start[k]; i < r->start[k + 1]; i++) fprintf(f, " %d", r->nodes[i]);
        fputc('\n', f);
    }
    fprintf(f, "Cost %lld\n", sl_routes_cost(in, r));
    return close_tmp(f, tmp, path, e);
}

sl_status sl_routes_read(const char *path, const sl_instance *in, sl_routes *r, long long *cost,
                         sl_error *e)
{
    char *text = read_text(path, e);
    if (!text) return e ? e->code : SL_ERR_IO;
    int n = in->n, line = 0, cost_line = 0;
    long long stated = -1;
    int *buf = malloc((size_t)n * sizeof *buf);
    char *seen = calloc((size_t)n, 1);
    sl_status st = SL_OK;
    char *cur = text, *s;
    sl_routes_clear(r);
    if (!buf || !seen) st = sl_error_set(e, SL_ERR_NOMEM, "out of memory");
    while (st == SL_OK && (s = next_line(&cur, &line))) {
        if (!*s) continue;
        if (strncmp(s, "Route", 5) == 0) {
            char *p = strchr(s, ':');
            if (!p) { st = sl_error_set(e, SL_ERR_PARSE, "%s:%d: expected 'Route #k:'", path,
                                        line); break; }
            p++;
            long v;
            int len = 0, rr;
            long long load = 0;
            while ((rr = parse_int_tok(&p, &v)) == 1) {
                if (v < 0 || v >= n || v == in->depot) {
                    st = sl_error_set(e, SL_ERR_PARSE, "%s:%d: customer %ld is not a customer of "
                                      "this instance", path, line, v);
                    break;
                }
                if (seen[v]) {
                    st = sl_error_set(e, SL_ERR_PARSE, "%s:%d: customer %ld visited twice", path,
                                      line, v);
                    break;
                }
                seen[v] = 1;
                buf[len++] = (int)v;
                load += in->demand[v];
            }
            if (st != SL_OK) break;
            if (rr < 0) { st = sl_error_set(e, SL_ERR_PARSE, "%s:%d: expected a customer number, "
                                            "got '%s'", path, line, p); break; }
            if (load > in->capacity) {
                st = sl_error_set(e, SL_ERR_PARSE, "%s:%d: route load %lld exceeds capacity %d",
                                  path, line, load, in->capacity);
                break;
            }
            if (sl_routes_add(r, buf, len) != SL_OK) st = sl_error_set(e, SL_ERR_NOMEM, "oom");
        } else if (strncmp(s, "Cost", 4) == 0) {
            char *end;
            stated = strtoll(s + 4, &end, 10);
            while (isspace((unsigned char)*end)) end++;
            if (end == s + 4 || *end)
                st = sl_error_set(e, SL_ERR_PARSE, "%s:%d: expected 'Cost N'", path, line);
            cost_line = line;
        } else {
            st = sl_error_set(e, SL_ERR_PARSE, "%s:%d: unexpected line '%.60s'", path, line, s);
        }
    }
    if (st == SL_OK) {
        int count = 0;
        for (int i = 0; i < n; i++) count += seen[i];
        if (count != n - 1)
            st = sl_error_set(e, SL_ERR_PARSE, "%s:%d: routes visit %d of %d customers", path,
                              line, count, n - 1);
    }
    long long c = st == SL_OK ? sl_routes_cost(in, r) : 0;
    if (st == SL_OK && stated >= 0 && stated != c)
        st = sl_error_set(e, SL_ERR_PARSE, "%s:%d: stated cost %lld, recomputed %lld", path,
                          cost_line, stated, c);
    if (st == SL_OK && cost) *cost = c;
    free(buf);
    free(seen);
    free(text);
    return st;
}
