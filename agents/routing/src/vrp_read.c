/* vrp_read.c - readers of the rich VRP benchmark formats: Solomon / Gehring-Homberger, Cordeau
 * MDVRP, Li & Lim PDPTW, fleet size and mix (VFMP), and CVRPLIB/TSPLIB through routing.h. */
#include "swarmlab/fileio.h"
#include "swarmlab/routing.h"
#include "swarmlab/vrp.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A number of the file as an int, saturated (NaN gives INT_MIN), so that the range checks that
 * follow see an out-of-range value instead of an undefined conversion. */
static int num_int(double x)
{
    if (x >= (double)INT_MAX) return INT_MAX;
    if (x > (double)INT_MIN) return (int)x;
    return INT_MIN;
}

#define MAXTOK 32

/* A file as lines of text with their numbers. */
typedef struct reader {
    FILE *f;
    const char *path;
    int line;
    char buf[4096];
    double num[MAXTOK];
    int ntok;
} reader;

/* Next non-empty line; 0 at end of file. */
static int next_line(reader *r)
{
    while (fgets(r->buf, sizeof r->buf, r->f)) {
        r->line++;
        const char *p = r->buf;
        while (*p && isspace((unsigned char)*p)) p++;
        if (*p) return 1;
    }
    return 0;
}

/* Parses the current line as numbers; returns -1 (e filled) on a non-number. */
static int parse_numbers(reader *r, sl_error *e)
{
    r->ntok = 0;
    char *p = r->buf;
    for (;;) {
        while (*p && isspace((unsigned char)*p)) p++;
        if (!*p) break;
        char *end;
        errno = 0;
        double x = strtod(p, &end);
        if (end == p || (*end && !isspace((unsigned char)*end)) || !isfinite(x)) {
            char tok[40];
            int n = 0;
            while (p[n] && !isspace((unsigned char)p[n]) && n < 39) n++;
            memcpy(tok, p, (size_t)n);
            tok[n] = 0;
            sl_error_set(e, SL_ERR_PARSE, "%s:%d: expected a number, got '%s'", r->path, r->line,
                         tok);
            return -1;
        }
        if (r->ntok == MAXTOK) {
            sl_error_set(e, SL_ERR_PARSE, "%s:%d: too many numbers on one line", r->path, r->line);
            return -1;
        }
        r->num[r->ntok++] = x;
        p = end;
    }
    return 0;
}

/* Next line with at least `min` numbers. */
static int need_numbers(reader *r, int min, const char *what, sl_error *e)
{
    if (!next_line(r)) {
        sl_error_set(e, SL_ERR_PARSE, "%s:%d: unexpected end of file, expected %s", r->path,
                     r->line, what);
        return -1;
    }
    if (parse_numbers(r, e) < 0) return -1;
    if (r->ntok < min) {
        sl_error_set(e, SL_ERR_PARSE, "%s:%d: expected %s (%d numbers), got %d", r->path, r->line,
                     what, min, r->ntok);
        return -1;
    }
    return 0;
}

static int is_int(double x) { return x == floor(x) && fabs(x) < 1e9; }

static const char *base_name(const char *path)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    return b;
}

static sl_vrp *new_model(const char *path, const char *format)
{
    char name[128];
    snprintf(name, sizeof name, "%s", base_name(path));
    char *dot = strrchr(name, '.');
    if (dot && dot != name) *dot = 0;
    sl_vrp *v = sl_vrp_create(name, 1);
    if (v) {
        snprintf(v->source, sizeof v->source, "%s", path);
        snprintf(v->format, sizeof v->format, "%s", format);
    }
    return v;
}

static sl_vrp *fail(sl_vrp *v, reader *r)
{
    sl_vrp_destroy(v);
    if (r && r->f) fclose(r->f);
    return NULL;
}

static sl_vrp *nomem(sl_vrp *v, reader *r, sl_error *e)
{
    sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", r->path);
    return fail(v, r);
}

static sl_vrp *finish(sl_vrp *v, reader *r, sl_error *e)
{
    fclose(r->f);
    r->f = NULL;
    if (v->njobs == 0) {
        sl_error_set(e, SL_ERR_PARSE, "%s: no customers", r->path);
        return fail(v, r);
    }
    if (sl_vrp_finish(v, e) != SL_OK) return fail(v, r);
    return v;
}

/* ---- Solomon / Gehring-Homberger ---- */

static sl_vrp *read_solomon(reader *r, sl_error *e)
{
    sl_vrp *v = new_model(r->path, "solomon");
    if (!v) return nomem(v, r, e);
    v->objective = SL_VRP_HIERARCHICAL;
    int K = -1;
    double Q = 0;
    while (next_line(r)) {
        if (strstr(r->buf, "NUMBER")) {
            if (need_numbers(r, 2, "vehicle number and capacity", e) < 0) return fail(v, r);
            if (!is_int(r->num[0]) || r->num[0] < 0) {
                sl_error_set(e, SL_ERR_PARSE, "%s:%d: vehicle number must be a whole number >= 0",
                             r->path, r->line);
                return fail(v, r);
            }
            K = num_int(r->num[0]);
            Q = r->num[1];
        }
        if (strstr(r->buf, "CUST NO") || strstr(r->buf, "XCOORD")) break;
    }
    if (K < 0) {
        sl_error_set(e, SL_ERR_PARSE, "%s:%d: no VEHICLE NUMBER CAPACITY section", r->path, r->line);
        return fail(v, r);
    }
    int row = 0;
    sl_vrp_vtype t;
    t = sl_vrp_vtype_default();
    while (next_line(r)) {
        if (parse_numbers(r, e) < 0) return fail(v, r);
        if (r->ntok != 7) {
            sl_error_set(e, SL_ERR_PARSE, "%s:%d: expected 7 numbers (customer x y demand ready due "
                         "service), got %d", r->path, r->line, r->ntok);
            return fail(v, r);
        }
        if (sl_vrp_add_site(v, r->num[1], r->num[2]) < 0) return nomem(v, r, e);
        if (row == 0) {
            t.count = K;
            t.capacity[0] = Q;
            t.start = t.end = 0;
            t.shift_open = r->num[4];
            t.shift_close = r->num[5];
            t.line = r->line;
            if (t.shift_close < t.shift_open) {
                sl_error_set(e, SL_ERR_RANGE, "%s:%d: depot time window closes (%g) before it opens (%g)",
                             r->path, r->line, t.shift_close, t.shift_open);
                return fail(v, r);
            }
            if (sl_vrp_add_vtype(v, &t) < 0) return nomem(v, r, e);
        } else {
            sl_vrp_job j;
            j = sl_vrp_job_default();
            if (!is_int(r->num[0])) {
                sl_error_set(e, SL_ERR_PARSE, "%s:%d: customer number must be whole", r->path, r->line);
                return fail(v, r);
            }
            j.id = num_int(r->num[0]);
            j.site = row;
            j.demand[0] = r->num[3];
            j.open[0] = r->num[4];
            j.close[0] = r->num[5];
            j.service = r->num[6];
            j.line = r->line;
            if (sl_vrp_add_job(v, &j) < 0) return nomem(v, r, e);
        }
        row++;
    }
    return finish(v, r, e);
}

/* ---- Li & Lim PDPTW ---- */

static sl_vrp *read_lilim(reader *r, sl_error *e)
{
    sl_vrp *v = new_model(r->path, "lilim");
    if (!v) return nomem(v, r, e);
    v->objective = SL_VRP_HIERARCHICAL;
    if (parse_numbers(r, e) < 0) return fail(v, r);
    sl_vrp_vtype t;
    t = sl_vrp_vtype_default();
    t.count = num_int(r->num[0]);
    t.capacity[0] = r->num[1];
    t.speed = r->num[2] > 0 ? r->num[2] : 1; /* several published files give 0 */
    t.line = r->line;
    int row = 0;
    int *pick = NULL, *deliv = NULL, cap = 0;
    while (next_line(r)) {
        if (parse_numbers(r, e) < 0) goto bad;
        if (r->ntok != 9) {
            sl_error_set(e, SL_ERR_PARSE, "%s:%d: expected 9 numbers (task x y demand early late "
                         "service pickup delivery), got %d", r->path, r->line, r->ntok);
            goto bad;
        }
        if (!is_int(r->num[0]) || !is_int(r->num[7]) || !is_int(r->num[8]) || r->num[7] < 0 ||
            r->num[8] < 0) {
            sl_error_set(e, SL_ERR_PARSE, "%s:%d: task, pickup and delivery must be whole numbers >= 0",
                         r->path, r->line);
            goto bad;
        }
        if (sl_vrp_add_site(v, r->num[1], r->num[2]) < 0) goto oom;
        if (row == 0) {
            t.start = t.end = 0;
            t.shift_open = r->num[4];
            t.shift_close = r->num[5];
            if (sl_vrp_add_vtype(v, &t) < 0) goto oom;
        } else {
            sl_vrp_job j;
            j = sl_vrp_job_default();
            j.id = num_int(r->num[0]);
            j.site = row;
            j.demand[0] = fabs(r->num[3]);
            j.open[0] = r->num[4];
            j.close[0] = r->num[5];
            j.service = r->num[6];
            j.line = r->line;
            int p = num_int(r->num[7]), d = num_int(r->num[8]);
            if (r->num[3] < 0 || (p > 0 && d == 0)) {
                j.kind = SL_VRP_SHIP_DELIVERY;
                if (p == 0) {
                    sl_error_set(e, SL_ERR_RANGE, "%s:%d: delivery without its pickup", r->path, r->line);
                    goto bad;
                }
            } else {
                j.kind = SL_VRP_SHIP_PICKUP;
                if (d == 0) {
                    sl_error_set(e, SL_ERR_RANGE, "%s:%d: pickup without its delivery", r->path, r->line);
                    goto bad;
                }
            }
            if (sl_vrp_add_job(v, &j) < 0) goto oom;
            if (v->njobs > cap) {
                cap = cap ? 2 * cap : 64;
                int *a = realloc(pick, (size_t)cap * sizeof(int));
                if (!a) goto oom;
                pick = a;
                a = realloc(deliv, (size_t)cap * sizeof(int));
                if (!a) goto oom;
                deliv = a;
            }
            pick[v->njobs - 1] = p;
            deliv[v->njobs - 1] = d;
        }
        row++;
    }
    /* partners by task number */
    for (int k = 0; k < v->njobs; k++) {
        sl_vrp_job *j = &v->jobs[k];
        int want = j->kind == SL_VRP_SHIP_PICKUP ? deliv[k] : pick[k];
        int found = -1;
        if (want >= 1 && want <= v->njobs && v->jobs[want - 1].id == want) found = want - 1;
        for (int q = 0; q < v->njobs && found < 0; q++)
            if (v->jobs[q].id == want) found = q;
        if (found < 0) {
            sl_error_set(e, SL_ERR_RANGE, "%s:%d: %s refers to task %d, which does not exist",
                         r->path, j->line, j->kind == SL_VRP_SHIP_PICKUP ? "pickup" : "delivery", want);
            goto bad;
        }
        j->partner = found;
    }
    free(pick);
    free(deliv);
    return finish(v, r, e);
oom:
    sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", r->path);
bad:
    free(pick);
    free(deliv);
    return fail(v, r);
}

/* ---- Cordeau MDVRP ---- */

static sl_vrp *read_cordeau(reader *r, sl_error *e)
{
    sl_vrp *v = new_model(r->path, "cordeau");
    if (!v) return nomem(v, r, e);
    if (parse_numbers(r, e) < 0) return fail(v, r);
    int type = num_int(r->num[0]), m = num_int(r->num[1]), n = num_int(r->num[2]), t = num_int(r->num[3]);
    if (type != 2) {
        sl_error_set(e, SL_ERR_PARSE, "%s:%d: Cordeau problem type %d not supported (2 = MDVRP)",
                     r->path, r->line, type);
        return fail(v, r);
    }
    if (m < 1 || n < 1 || t < 1 || n > SL_VRP_MAX_SITES || t > 1000) {
        sl_error_set(e, SL_ERR_RANGE, "%s:%d: vehicles, customers and depots must be >= 1",
                     r->path, r->line);
        return fail(v, r);
    }
    double D[1000], Q[1000];
    int Dline[1000];
    for (int k = 0; k < t; k++) {
        if (need_numbers(r, 2, "depot limits D Q", e) < 0) return fail(v, r);
        D[k] = r->num[0];
        Q[k] = r->num[1];
        Dline[k] = r->line;
    }
    for (int k = 0; k < n; k++) {
        if (need_numbers(r, 5, "customer i x y d q", e) < 0) return fail(v, r);
        if (sl_vrp_add_site(v, r->num[1], r->num[2]) < 0) return nomem(v, r, e);
        sl_vrp_job j;
        j = sl_vrp_job_default();
        j.id = num_int(r->num[0]);
        j.site = k;
        j.service = r->num[3];
        j.demand[0] = r->num[4];
        j.line = r->line;
        if (sl_vrp_add_job(v, &j) < 0) return nomem(v, r, e);
    }
    for (int k = 0; k < t; k++) {
        if (need_numbers(r, 3, "depot i x y", e) < 0) return fail(v, r);
        int s = sl_vrp_add_site(v, r->num[1], r->num[2]);
        if (s < 0) return nomem(v, r, e);
        sl_vrp_vtype vt;
        vt = sl_vrp_vtype_default();
        snprintf(vt.name, sizeof vt.name, "depot%d", k + 1);
        vt.count = m;
        vt.capacity[0] = Q[k];
        vt.max_duration = D[k] > 0 ? D[k] : SL_VRP_INF;
        vt.start = vt.end = s;
        vt.line = Dline[k];
        if (sl_vrp_add_vtype(v, &vt) < 0) return nomem(v, r, e);
    }
    return finish(v, r, e);
}

/* ---- fleet size and mix (VFMP with fixed and variable costs) ---- */

static sl_vrp *read_hvrp(reader *r, sl_error *e)
{
    sl_vrp *v = new_model(r->path, "hvrp");
    if (!v) return nomem(v, r, e);
    while (strncmp(r->buf + strspn(r->buf, " \t"), "//", 2) == 0)
        if (!next_line(r)) {
            sl_error_set(e, SL_ERR_PARSE, "%s:%d: only comments", r->path, r->line);
            return fail(v, r);
        }
    if (parse_numbers(r, e) < 0) return fail(v, r);
    if (r->ntok < 4) {
        sl_error_set(e, SL_ERR_PARSE, "%s:%d: expected N T range service", r->path, r->line);
        return fail(v, r);
    }
    int n = num_int(r->num[0]), T = num_int(r->num[1]);
    double range = r->num[2], service = r->num[3];
    if (n < 1 || T < 1 || n > SL_VRP_MAX_SITES || T > 1000) {
        sl_error_set(e, SL_ERR_RANGE, "%s:%d: customers and vehicle types must be >= 1", r->path,
                     r->line);
        return fail(v, r);
    }
    for (int k = 0; k < T; k++) {
        if (need_numbers(r, 4, "vehicle type: number capacity fixed_cost cost_per_distance", e) < 0)
            return fail(v, r);
        sl_vrp_vtype vt;
        vt = sl_vrp_vtype_default();
        snprintf(vt.name, sizeof vt.name, "type%d", k + 1);
        vt.count = num_int(r->num[0]);
        vt.capacity[0] = r->num[1];
        vt.fixed = r->num[2];
        vt.cost_distance = r->num[3];
        vt.max_distance = range >= 999999 || range <= 0 ? SL_VRP_INF : range;
        vt.start = vt.end = 0;
        vt.line = r->line;
        if (sl_vrp_add_vtype(v, &vt) < 0) return nomem(v, r, e);
    }
    if (need_numbers(r, 2, "depot x y", e) < 0) return fail(v, r);
    if (sl_vrp_add_site(v, r->num[0], r->num[1]) < 0) return nomem(v, r, e);
    for (int k = 0; k < n; k++) {
        if (need_numbers(r, 3, "customer x y demand", e) < 0) return fail(v, r);
        int s = sl_vrp_add_site(v, r->num[0], r->num[1]);
        if (s < 0) return nomem(v, r, e);
        sl_vrp_job j;
        j = sl_vrp_job_default();
        j.id = k + 1;
        j.site = s;
        j.demand[0] = r->num[2];
        j.service = service;
        j.line = r->line;
        if (sl_vrp_add_job(v, &j) < 0) return nomem(v, r, e);
    }
    return finish(v, r, e);
}

/* ---- CVRPLIB / TSPLIB through the routing reader ---- */

static sl_vrp *read_tsplib(const char *path, sl_error *e)
{
    sl_instance *in = sl_instance_load(path, e);
    if (!in) return NULL;
    sl_vrp *v = new_model(path, "cvrplib");
    if (!v) {
        sl_instance_destroy(in);
        sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", path);
        return NULL;
    }
    snprintf(v->name, sizeof v->name, "%s", in->name);
    int n = in->n, depot = in->problem == SL_PROB_CVRP ? in->depot : 0;
    double *m = malloc((size_t)n * (size_t)n * sizeof(double));
    int ok = m != NULL;
    for (int i = 0; ok && i < n; i++) {
        ok = sl_vrp_add_site(v, in->x ? in->x[i] : NAN, in->y ? in->y[i] : NAN) >= 0;
        for (int j = 0; j < n; j++) m[(size_t)i * n + j] = sl_dist(in, i, j);
    }
    sl_error se;
    if (ok) ok = sl_vrp_set_matrix(v, n, m, NULL, &se) == SL_OK;
    free(m);
    sl_vrp_vtype t;
    t = sl_vrp_vtype_default();
    t.count = in->problem == SL_PROB_CVRP ? n - 1 : 1;
    if (in->problem == SL_PROB_CVRP) t.capacity[0] = in->capacity;
    t.start = t.end = depot;
    if (ok) ok = sl_vrp_add_vtype(v, &t) >= 0;
    for (int i = 0; ok && i < n; i++) {
        if (i == depot) continue;
        sl_vrp_job j;
        j = sl_vrp_job_default();
        j.id = i; /* CVRPLIB solution numbering: node number - 1 */
        j.site = i;
        if (in->problem == SL_PROB_CVRP) j.demand[0] = in->demand[i];
        ok = sl_vrp_add_job(v, &j) >= 0;
    }
    sl_instance_destroy(in);
    if (!ok) {
        sl_vrp_destroy(v);
        sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", path);
        return NULL;
    }
    if (v->njobs == 0) {
        sl_vrp_destroy(v);
        sl_error_set(e, SL_ERR_PARSE, "%s: no customers", path);
        return NULL;
    }
    if (sl_vrp_finish(v, e) != SL_OK) {
        sl_vrp_destroy(v);
        return NULL;
    }
    return v;
}

sl_vrp *sl_vrp_load(const char *path, sl_error *e)
{
    reader r;
    memset(&r, 0, sizeof r);
    r.path = path;
    r.f = sl_fopen_regular(path, "instance", e); /* not a device or FIFO */
    if (!r.f) return NULL;
    if (!next_line(&r)) {
        fclose(r.f);
        sl_error_set(e, SL_ERR_PARSE, "%s: empty file", path);
        return NULL;
    }
    const char *p = r.buf + strspn(r.buf, " \t");
    if (strncmp(p, "//", 2) == 0) return read_hvrp(&r, e);
    if (strchr(r.buf, ':') || strncmp(p, "NAME", 4) == 0) {
        fclose(r.f);
        return read_tsplib(path, e);
    }
    if (isalpha((unsigned char)*p)) {
        /* Solomon: the instance name, then VEHICLE / NUMBER CAPACITY */
        return read_solomon(&r, e);
    }
    sl_error pe;
    if (parse_numbers(&r, &pe) < 0) {
        fclose(r.f);
        if (e) *e = pe;
        return NULL;
    }
    if (r.ntok == 3) return read_lilim(&r, e);
    if (r.ntok == 4) return read_cordeau(&r, e);
    fclose(r.f);
    sl_error_set(e, SL_ERR_PARSE,
                 "%s:%d: unknown format (expected Solomon, Cordeau, Li & Lim, fleet size and mix "
                 "or CVRPLIB)", path, r.line);
    return NULL;
}
