/* vrp_model.c - building and validating a rich vehicle routing model. */
#include "swarmlab/vrp.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

sl_vrp *sl_vrp_create(const char *name, int ndim)
{
    if (ndim < 1 || ndim > SL_VRP_MAXDIM) return NULL;
    sl_vrp *v = calloc(1, sizeof *v);
    if (!v) return NULL;
    snprintf(v->name, sizeof v->name, "%s", name ? name : "vrp");
    snprintf(v->source, sizeof v->source, "vrp");
    snprintf(v->format, sizeof v->format, "memory");
    v->ndim = ndim;
    return v;
}

void sl_vrp_destroy(sl_vrp *v)
{
    if (!v) return;
    free(v->x);
    free(v->y);
    free(v->dist);
    free(v->time);
    free(v->jobs);
    free(v->types);
    free(v->vehicle_type);
    free(v);
}

static int grow(void **p, int *cap, int need, size_t elem)
{
    if (need <= *cap) return 0;
    int nc = *cap ? *cap * 2 : 16;
    while (nc < need) nc *= 2;
    void *q = realloc(*p, (size_t)nc * elem);
    if (!q) return -1;
    *p = q;
    *cap = nc;
    return 0;
}

int sl_vrp_add_site(sl_vrp *v, double x, double y)
{
    if (v->finished || v->nsites >= SL_VRP_MAX_SITES) return -1;
    int cap = v->cap_sites;
    if (grow((void **)&v->x, &cap, v->nsites + 1, sizeof(double))) return -1;
    cap = v->cap_sites;
    if (grow((void **)&v->y, &cap, v->nsites + 1, sizeof(double))) return -1;
    v->cap_sites = cap;
    v->x[v->nsites] = x;
    v->y[v->nsites] = y;
    return v->nsites++;
}

sl_status sl_vrp_set_matrix(sl_vrp *v, int n, const double *dist, const double *time,
                            sl_error *e)
{
    if (n < 1 || n > SL_VRP_MAX_SITES)
        return sl_error_set(e, SL_ERR_RANGE, "%s: matrix size %d outside 1..%d", v->source, n,
                            SL_VRP_MAX_SITES);
    size_t nn = (size_t)n * (size_t)n;
    double *d = malloc(nn * sizeof *d), *t = malloc(nn * sizeof *t);
    if (!d || !t) {
        free(d);
        free(t);
        return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory for the matrix", v->source);
    }
    memcpy(d, dist, nn * sizeof *d);
    memcpy(t, time ? time : dist, nn * sizeof *t);
    free(v->dist);
    free(v->time);
    v->dist = d;
    v->time = t;
    v->matrix_n = n;
    return SL_OK;
}

sl_vrp_job sl_vrp_job_default(void)
{
    sl_vrp_job job, *j = &job;
    memset(j, 0, sizeof *j);
    j->partner = -1;
    j->nwin = 1;
    j->open[0] = 0;
    j->close[0] = SL_VRP_INF;
    j->penalty = -1;
    return job;
}

sl_vrp_vtype sl_vrp_vtype_default(void)
{
    sl_vrp_vtype vt, *t = &vt;
    memset(t, 0, sizeof *t);
    t->count = 1;
    for (int d = 0; d < SL_VRP_MAXDIM; d++) t->capacity[d] = SL_VRP_INF;
    t->cost_distance = 1;
    t->speed = 1;
    t->end = 0;
    t->shift_close = SL_VRP_INF;
    t->max_duration = SL_VRP_INF;
    t->max_distance = SL_VRP_INF;
    return vt;
}

int sl_vrp_add_job(sl_vrp *v, const sl_vrp_job *j)
{
    if (v->finished || grow((void **)&v->jobs, &v->cap_jobs, v->njobs + 1, sizeof *j)) return -1;
    v->jobs[v->njobs] = *j;
    return v->njobs++;
}

int sl_vrp_add_vtype(sl_vrp *v, const sl_vrp_vtype *t)
{
    if (v->finished || grow((void **)&v->types, &v->cap_types, v->ntypes + 1, sizeof *t))
        return -1;
    v->types[v->ntypes] = *t;
    return v->ntypes++;
}

/* "file:line: " for file models, "jobs[k]: " (1-based, as Lua sees them) for in-memory ones. */
static void where_job(const sl_vrp *v, int k, char *buf, size_t cap)
{
    if (v->jobs[k].line > 0) snprintf(buf, cap, "%s:%d", v->source, v->jobs[k].line);
    else snprintf(buf, cap, "%s.jobs[%d]", v->source, k + 1);
}

static void where_type(const sl_vrp *v, int k, char *buf, size_t cap)
{
    if (v->types[k].line > 0) snprintf(buf, cap, "%s:%d", v->source, v->types[k].line);
    else snprintf(buf, cap, "%s.vehicles[%d]", v->source, k + 1);
}

static sl_status check_jobs(sl_vrp *v, sl_error *e)
{
    char w[700];
    for (int k = 0; k < v->njobs; k++) {
        sl_vrp_job *j = &v->jobs[k];
        where_job(v, k, w, sizeof w);
        if (j->site < 0 || j->site >= v->nsites)
            return sl_error_set(e, SL_ERR_RANGE, "%s: unknown site %d (%d sites)", w, j->site + 1,
                                v->nsites);
        if (!(j->service >= 0) || !(j->service <= SL_VRP_BIG))
            return sl_error_set(e, SL_ERR_RANGE, "%s: negative or invalid service time %g", w,
                                j->service);
        if (j->nwin < 1 || j->nwin > SL_VRP_MAXWIN)
            return sl_error_set(e, SL_ERR_RANGE, "%s: %d time windows (1..%d allowed)", w, j->nwin,
                                SL_VRP_MAXWIN);
        for (int q = 0; q < j->nwin; q++) {
            if (!(fabs(j->open[q]) <= SL_VRP_BIG) || isnan(j->close[q]) ||
                (j->close[q] > SL_VRP_BIG && j->close[q] < SL_VRP_INF))
                return sl_error_set(e, SL_ERR_RANGE,
                                    "%s: time window %d must open at a finite time (|t| <= 1e12) "
                                    "and close there or never", w, q + 1);
            if (j->close[q] < j->open[q])
                return sl_error_set(e, SL_ERR_RANGE,
                                    "%s: time window %d closes (%g) before it opens (%g)", w, q + 1,
                                    j->close[q], j->open[q]);
            if (q > 0 && j->open[q] <= j->close[q - 1])
                return sl_error_set(e, SL_ERR_RANGE,
                                    "%s: time window %d must open after window %d closes", w,
                                    q + 1, q);
        }
        for (int d = 0; d < v->ndim; d++)
            if (!(j->demand[d] >= 0) || !(j->demand[d] <= SL_VRP_BIG))
                return sl_error_set(e, SL_ERR_RANGE, "%s: demand %g must be finite and >= 0", w,
                                    j->demand[d]);
        if (isnan(j->penalty) || j->penalty > SL_VRP_BIG)
            return sl_error_set(e, SL_ERR_RANGE, "%s: penalty must be a number up to 1e12", w);
        if (j->kind == SL_VRP_SHIP_PICKUP || j->kind == SL_VRP_SHIP_DELIVERY) {
            int p = j->partner;
            sl_vrp_kind want = j->kind == SL_VRP_SHIP_PICKUP ? SL_VRP_SHIP_DELIVERY : SL_VRP_SHIP_PICKUP;
            if (p < 0 || p >= v->njobs || p == k)
                return sl_error_set(e, SL_ERR_RANGE, "%s: %s without its %s", w,
                                    j->kind == SL_VRP_SHIP_PICKUP ? "pickup" : "delivery",
                                    j->kind == SL_VRP_SHIP_PICKUP ? "delivery" : "pickup");
            if (v->jobs[p].kind != want || v->jobs[p].partner != k)
                return sl_error_set(e, SL_ERR_RANGE, "%s: %s's partner (job %d) does not pair back",
                                    w, j->kind == SL_VRP_SHIP_PICKUP ? "pickup" : "delivery",
                                    v->jobs[p].id);
            for (int d = 0; d < v->ndim; d++)
                if (fabs(j->demand[d] - v->jobs[p].demand[d]) > 1e-9)
                    return sl_error_set(e, SL_ERR_RANGE,
                                        "%s: pickup and delivery amounts differ (job %d)", w,
                                        v->jobs[p].id);
            if ((j->penalty < 0) != (v->jobs[p].penalty < 0))
                return sl_error_set(e, SL_ERR_RANGE,
                                    "%s: both halves of a shipment must be mandatory or optional",
                                    w);
            v->has_pairs = 1;
        } else if (j->partner != -1) {
            return sl_error_set(e, SL_ERR_RANGE, "%s: only shipments have a partner", w);
        }
        if (j->nwin > 1) v->has_multiwin = 1;
        /* demand above every vehicle */
        int fits = 0;
        for (int t = 0; t < v->ntypes && !fits; t++) {
            int ok = 1;
            for (int d = 0; d < v->ndim; d++)
                if (j->demand[d] > v->types[t].capacity[d] + 1e-9) ok = 0;
            fits = ok;
        }
        if (!fits && v->ntypes > 0)
            return sl_error_set(e, SL_ERR_RANGE, "%s: demand above the capacity of every vehicle", w);
    }
    return SL_OK;
}

static sl_status check_types(sl_vrp *v, sl_error *e)
{
    char w[700];
    if (v->ntypes == 0) return sl_error_set(e, SL_ERR_RANGE, "%s: empty fleet (no vehicles)", v->source);
    long long total = 0;
    for (int k = 0; k < v->ntypes; k++) {
        sl_vrp_vtype *t = &v->types[k];
        where_type(v, k, w, sizeof w);
        if (t->count < 0) return sl_error_set(e, SL_ERR_RANGE, "%s: negative vehicle count", w);
        total += t->count;
        if (t->start < -1 || t->start >= v->nsites)
            return sl_error_set(e, SL_ERR_RANGE, "%s: unknown start depot %d", w, t->start + 1);
        if (t->end < -1 || t->end >= v->nsites)
            return sl_error_set(e, SL_ERR_RANGE, "%s: unknown end depot %d", w, t->end + 1);
        for (int d = 0; d < v->ndim; d++)
            if (!(t->capacity[d] >= 0))
                return sl_error_set(e, SL_ERR_RANGE, "%s: capacity must be >= 0", w);
        if (!(t->fixed >= 0) || !(t->cost_distance >= 0) || !(t->cost_time >= 0) ||
            !(t->fixed <= SL_VRP_BIG) || !(t->cost_distance <= SL_VRP_BIG) ||
            !(t->cost_time <= SL_VRP_BIG))
            return sl_error_set(e, SL_ERR_RANGE, "%s: costs must be in [0, 1e12]", w);
        if (!(t->speed >= 1e-9) || !(t->speed <= SL_VRP_BIG))
            return sl_error_set(e, SL_ERR_RANGE, "%s: speed must be in [1e-9, 1e12]", w);
        for (int d = 0; d < v->ndim; d++)
            if (t->capacity[d] > SL_VRP_BIG && t->capacity[d] < SL_VRP_INF)
                return sl_error_set(e, SL_ERR_RANGE, "%s: capacity must be at most 1e12 (or none)", w);
        if (!(fabs(t->shift_open) <= SL_VRP_BIG) || isnan(t->shift_close) ||
            (t->shift_close > SL_VRP_BIG && t->shift_close < SL_VRP_INF))
            return sl_error_set(e, SL_ERR_RANGE, "%s: the shift must open at a finite time "
                                "(|t| <= 1e12) and close there or never", w);
        if (t->shift_close < t->shift_open)
            return sl_error_set(e, SL_ERR_RANGE, "%s: shift closes (%g) before it opens (%g)", w,
                                t->shift_close, t->shift_open);
        if (!(t->max_duration >= 0) || !(t->max_distance >= 0))
            return sl_error_set(e, SL_ERR_RANGE, "%s: max_duration and max_distance must be >= 0", w);
    }
    if (total == 0) return sl_error_set(e, SL_ERR_RANGE, "%s: empty fleet (vehicle count 0)", v->source);
    if (total > 100000) return sl_error_set(e, SL_ERR_RANGE, "%s: more than 100000 vehicles", v->source);
    v->nveh = (int)total;
    return SL_OK;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* Job numbers name jobs in solution files: all 0 means "number them 1..n", else unique. */
static sl_status check_ids(sl_vrp *v, sl_error *e)
{
    int any = 0;
    for (int k = 0; k < v->njobs; k++) any |= v->jobs[k].id != 0;
    if (!any) {
        for (int k = 0; k < v->njobs; k++) v->jobs[k].id = k + 1;
        return SL_OK;
    }
    int *ids = malloc((size_t)(v->njobs + 1) * sizeof(int));
    if (!ids) return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", v->source);
    for (int k = 0; k < v->njobs; k++) ids[k] = v->jobs[k].id;
    qsort(ids, (size_t)v->njobs, sizeof(int), cmp_int);
    for (int k = 1; k < v->njobs; k++)
        if (ids[k] == ids[k - 1]) {
            int dup = ids[k];
            free(ids);
            for (int q = v->njobs - 1; q >= 0; q--)
                if (v->jobs[q].id == dup) {
                    char w[700];
                    where_job(v, q, w, sizeof w);
                    return sl_error_set(e, SL_ERR_RANGE, "%s: job number %d used twice", w, dup);
                }
        }
    free(ids);
    return SL_OK;
}

sl_status sl_vrp_finish(sl_vrp *v, sl_error *e)
{
    if (v->finished) return SL_OK;
    if (v->nsites < 1) return sl_error_set(e, SL_ERR_RANGE, "%s: no sites", v->source);
    size_t nn = (size_t)v->nsites * (size_t)v->nsites;
    if (!v->dist) {
        for (int i = 0; i < v->nsites; i++)
            if (!isfinite(v->x[i]) || !isfinite(v->y[i]))
                return sl_error_set(e, SL_ERR_RANGE,
                                    "%s: site %d has no coordinates and no matrix was given",
                                    v->source, i + 1);
        v->dist = malloc(nn * sizeof(double));
        v->time = malloc(nn * sizeof(double));
        if (!v->dist || !v->time) return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", v->source);
        for (int i = 0; i < v->nsites; i++)
            for (int j = 0; j < v->nsites; j++) {
                double dx = v->x[i] - v->x[j], dy = v->y[i] - v->y[j];
                v->dist[(size_t)i * v->nsites + j] = v->time[(size_t)i * v->nsites + j] =
                    sqrt(dx * dx + dy * dy);
            }
        v->matrix_n = v->nsites;
        for (size_t i = 0; i < nn; i++)
            if (!(v->dist[i] <= SL_VRP_BIG))
                return sl_error_set(e, SL_ERR_RANGE, "%s: site coordinates too far apart "
                                    "(distances above 1e12)", v->source);
    } else {
        if (v->matrix_n != v->nsites)
            return sl_error_set(e, SL_ERR_RANGE, "%s: matrix is %dx%d but there are %d sites",
                                v->source, v->matrix_n, v->matrix_n, v->nsites);
        for (size_t i = 0; i < nn; i++)
            if (!(v->dist[i] >= 0) || !(v->time[i] >= 0) || !(v->dist[i] <= SL_VRP_BIG) ||
                !(v->time[i] <= SL_VRP_BIG))
                return sl_error_set(e, SL_ERR_RANGE,
                                    "%s: matrix entry (%zu, %zu) must be finite and >= 0",
                                    v->source, i / v->nsites + 1, i % v->nsites + 1);
    }
    sl_status st = check_types(v, e);
    if (st == SL_OK) st = check_jobs(v, e);
    if (st == SL_OK) st = check_ids(v, e);
    if (st != SL_OK) return st;
    v->vehicle_type = malloc((size_t)v->nveh * sizeof(int));
    if (!v->vehicle_type) return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", v->source);
    int k = 0;
    for (int t = 0; t < v->ntypes; t++)
        for (int c = 0; c < v->types[t].count; c++) v->vehicle_type[k++] = t;
    v->finished = 1;
    return SL_OK;
}

/* ---- solutions ---- */

sl_status sl_vrp_sol_init(sl_vrp_sol *s, int nveh)
{
    memset(s, 0, sizeof *s);
    s->nveh = nveh;
    s->start = calloc((size_t)nveh + 1, sizeof(int));
    return s->start ? SL_OK : SL_ERR_NOMEM;
}

void sl_vrp_sol_release(sl_vrp_sol *s)
{
    free(s->start);
    free(s->jobs);
    memset(s, 0, sizeof *s);
}

sl_status sl_vrp_sol_copy(sl_vrp_sol *dst, const sl_vrp_sol *src)
{
    if (dst->nveh != src->nveh) {
        sl_vrp_sol_release(dst);
        if (sl_vrp_sol_init(dst, src->nveh) != SL_OK) return SL_ERR_NOMEM;
    }
    int total = src->start[src->nveh];
    if (grow((void **)&dst->jobs, &dst->cap_jobs, total + 1, sizeof(int))) return SL_ERR_NOMEM;
    memcpy(dst->start, src->start, ((size_t)src->nveh + 1) * sizeof(int));
    if (total) memcpy(dst->jobs, src->jobs, (size_t)total * sizeof(int));
    return SL_OK;
}

sl_status sl_vrp_sol_set_route(sl_vrp_sol *s, int r, const int *jobs, int len)
{
    int old = sl_vrp_sol_len(s, r), total = s->start[s->nveh];
    int diff = len - old;
    if (grow((void **)&s->jobs, &s->cap_jobs, total + diff + 1, sizeof(int))) return SL_ERR_NOMEM;
    int tail = total - s->start[r + 1];
    if (tail > 0 && diff != 0)
        memmove(s->jobs + s->start[r + 1] + diff, s->jobs + s->start[r + 1], (size_t)tail * sizeof(int));
    if (len > 0) memcpy(s->jobs + s->start[r], jobs, (size_t)len * sizeof(int));
    for (int q = r + 1; q <= s->nveh; q++) s->start[q] += diff;
    return SL_OK;
}

static int cmp_desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x > y ? -1 : x < y;
}

int sl_vrp_fleet_bound(const sl_vrp *v)
{
    if (!v->finished || v->nveh == 0) return 0;
    double *cap = malloc((size_t)v->nveh * sizeof(double));
    if (!cap) return 0; /* no bound is always a bound */
    int bound = 0;
    for (int d = 0; d < v->ndim; d++) {
        double need[2] = {0, 0};
        for (int j = 0; j < v->njobs; j++) {
            const sl_vrp_job *J = &v->jobs[j];
            if (J->kind == SL_VRP_DELIVERY) need[0] += J->demand[d];
            else if (J->kind == SL_VRP_PICKUP) need[1] += J->demand[d];
        }
        for (int q = 0; q < v->nveh; q++) cap[q] = v->types[v->vehicle_type[q]].capacity[d];
        qsort(cap, (size_t)v->nveh, sizeof(double), cmp_desc);
        for (int k = 0; k < 2; k++) {
            double left = need[k] - 1e-9 * fmax(1.0, need[k]);
            int m = 0;
            while (left > 0 && m < v->nveh) left -= cap[m++];
            if (left > 0) m = v->nveh + 1;
            if (m > bound) bound = m;
        }
    }
    free(cap);
    return bound;
}
