/* vrp_eval.c - route segments (constant-time concatenation), evaluation of a solution by
 * simulating each route, comparison of evaluations and the solution writer. */
#include "swarmlab/vrp.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EPS 1e-7

/* ---- segments ---- */

void sl_vrp_seg_empty(sl_vrp_seg *s)
{
    memset(s, 0, sizeof *s);
    s->first = s->last = -1;
    s->early = -SL_VRP_INF;
    s->late = SL_VRP_INF;
    s->empty = 1;
}

void sl_vrp_seg_job(const sl_vrp *v, int job, sl_vrp_seg *s)
{
    const sl_vrp_job *j = &v->jobs[job];
    memset(s, 0, sizeof *s);
    s->first = s->last = j->site;
    s->dur = j->service;
    s->early = j->open[0];
    s->late = j->close[j->nwin - 1];
    s->multi = j->nwin > 1;
    for (int d = 0; d < v->ndim; d++) {
        double q = j->demand[d];
        switch (j->kind) {
        case SL_VRP_DELIVERY: s->sload[d] = q; s->delta[d] = -q; s->maxp[d] = 0; break;
        case SL_VRP_PICKUP:
        case SL_VRP_SHIP_PICKUP: s->delta[d] = q; s->maxp[d] = q; break;
        case SL_VRP_SHIP_DELIVERY: s->delta[d] = -q; s->maxp[d] = 0; break;
        }
    }
}

void sl_vrp_seg_depot(const sl_vrp *v, int veh, int is_end, sl_vrp_seg *s)
{
    const sl_vrp_vtype *t = &v->types[v->vehicle_type[veh]];
    memset(s, 0, sizeof *s);
    s->first = s->last = is_end ? t->end : t->start;
    s->early = t->shift_open;
    s->late = t->shift_close;
}

void sl_vrp_seg_append(const sl_vrp *v, double speed, sl_vrp_seg *a, const sl_vrp_seg *b)
{
    if (b->empty) return;
    if (a->empty) {
        *a = *b;
        return;
    }
    /* every value below is read before a changes, and each field of a is written from its own
     * old value only, so appending in place gives what a copy would */
    double t = sl_vrp_time(v, a->last, b->first) / speed;
    double dd = sl_vrp_dist(v, a->last, b->first);
    double delta = a->dur - a->tw + t;
    double dwt = b->early - delta - a->late;
    double dtw = a->early + delta - b->late;
    if (!(dwt > 0)) dwt = 0;
    if (!(dtw > 0)) dtw = 0;
    double e1 = b->early - delta, l1 = b->late - delta;
    a->dist = a->dist + b->dist + dd;
    a->dur = a->dur + b->dur + t + dwt;
    a->tw = a->tw + b->tw + dtw;
    a->early = (e1 > a->early ? e1 : a->early) - dwt;
    a->late = (l1 < a->late ? l1 : a->late) + dtw;
    for (int d = 0; d < v->ndim; d++) {
        double m2 = a->delta[d] + b->maxp[d];
        a->sload[d] = a->sload[d] + b->sload[d];
        a->maxp[d] = a->maxp[d] > m2 ? a->maxp[d] : m2;
        a->delta[d] = a->delta[d] + b->delta[d];
    }
    a->last = b->last;
    a->multi |= b->multi;
}

void sl_vrp_seg_cat(const sl_vrp *v, double speed, const sl_vrp_seg *a, const sl_vrp_seg *b,
                    sl_vrp_seg *out)
{
    if (out == b) {
        sl_vrp_seg r = *a;
        sl_vrp_seg_append(v, speed, &r, b);
        *out = r;
        return;
    }
    if (out != a) *out = *a;
    sl_vrp_seg_append(v, speed, out, b);
}

/* ---- evaluation by simulation ---- */

void sl_vrp_evaluate_route(const sl_vrp *v, int veh, const int *jobs, int len, sl_vrp_route_kpi *k)
{
    const sl_vrp_vtype *t = &v->types[v->vehicle_type[veh]];
    memset(k, 0, sizeof *k);
    k->vehicle = veh;
    k->njobs = len;
    k->feasible = 1;
    if (len == 0) return;
    double load[SL_VRP_MAXDIM] = {0};
    for (int i = 0; i < len; i++) {
        const sl_vrp_job *j = &v->jobs[jobs[i]];
        if (j->kind == SL_VRP_DELIVERY)
            for (int d = 0; d < v->ndim; d++) load[d] += j->demand[d];
    }
    for (int d = 0; d < v->ndim; d++) k->max_load[d] = load[d];
    double now = t->shift_open, cw = 0, slack = SL_VRP_INF;
    int at = t->start;
    for (int i = 0; i < len; i++) {
        const sl_vrp_job *j = &v->jobs[jobs[i]];
        double arr = now + sl_vrp_time(v, at, j->site) / t->speed;
        k->distance += sl_vrp_dist(v, at, j->site);
        int q = 0;
        while (q < j->nwin && j->close[q] < arr - EPS) q++;
        double begin;
        if (q == j->nwin) {
            begin = arr;
            k->lateness += arr - j->close[j->nwin - 1];
            slack = 0;
        } else {
            begin = fmax(arr, j->open[q]);
            cw += begin - arr;
            slack = fmin(slack, cw + j->close[q] - begin);
        }
        now = begin + j->service;
        at = j->site;
        for (int d = 0; d < v->ndim; d++) {
            load[d] += (j->kind == SL_VRP_DELIVERY || j->kind == SL_VRP_SHIP_DELIVERY)
                           ? -j->demand[d]
                           : j->demand[d];
            if (load[d] > k->max_load[d]) k->max_load[d] = load[d];
        }
    }
    double arr = now + sl_vrp_time(v, at, t->end) / t->speed;
    k->distance += sl_vrp_dist(v, at, t->end);
    if (arr > t->shift_close + EPS) {
        k->lateness += arr - t->shift_close;
        slack = 0;
    } else {
        slack = fmin(slack, cw + t->shift_close - arr);
    }
    double shift = fmax(0.0, fmin(cw, slack));
    k->departure = t->shift_open + shift;
    k->arrival = arr;
    k->waiting = cw - shift;
    k->duration = arr - k->departure;
    k->cost = t->fixed + t->cost_distance * k->distance + t->cost_time * k->duration;
    if (k->lateness > EPS) k->feasible = 0;
    for (int d = 0; d < v->ndim; d++)
        if (k->max_load[d] > t->capacity[d] + EPS) k->feasible = 0;
    if (k->duration > t->max_duration + EPS || k->distance > t->max_distance + EPS) k->feasible = 0;
}

void sl_vrp_evaluate(const sl_vrp *v, const sl_vrp_sol *s, sl_vrp_kpi *k,
                     sl_vrp_route_kpi *routes)
{
    memset(k, 0, sizeof *k);
    k->feasible = 1;
    int *where = malloc((size_t)(v->njobs ? v->njobs : 1) * 2 * sizeof(int));
    if (!where) {
        k->feasible = 0;
        return;
    }
    int *pos = where + v->njobs;
    for (int j = 0; j < v->njobs; j++) where[j] = -1;
    for (int r = 0; r < s->nveh; r++) {
        const int *jobs = s->jobs + s->start[r];
        int len = sl_vrp_sol_len(s, r);
        sl_vrp_route_kpi rk;
        sl_vrp_evaluate_route(v, r, jobs, len, &rk);
        if (routes) routes[r] = rk;
        for (int i = 0; i < len; i++) {
            if (where[jobs[i]] >= 0) k->feasible = 0;
            where[jobs[i]] = r;
            pos[jobs[i]] = i;
        }
        if (len == 0) continue;
        k->vehicles++;
        k->cost += rk.cost;
        k->distance += rk.distance;
        k->duration += rk.duration;
        k->waiting += rk.waiting;
        k->lateness += rk.lateness;
        if (!rk.feasible) k->feasible = 0;
    }
    for (int j = 0; j < v->njobs; j++) {
        const sl_vrp_job *job = &v->jobs[j];
        if (where[j] < 0) {
            k->unserved++;
            if (job->penalty < 0) k->unserved_mandatory++, k->feasible = 0;
            else k->penalty += job->penalty;
        } else if (job->kind == SL_VRP_SHIP_PICKUP) {
            int d = job->partner;
            if (where[d] != where[j] || pos[d] < pos[j]) k->feasible = 0;
        } else if (job->kind == SL_VRP_SHIP_DELIVERY && where[job->partner] < 0) {
            k->feasible = 0;
        }
    }
    k->cost += k->penalty;
    free(where);
}

static int cmp_d(double a, double b)
{
    double tol = 1e-6 * fmax(1.0, fmax(fabs(a), fabs(b)));
    return a < b - tol ? -1 : a > b + tol ? 1 : 0;
}

int sl_vrp_kpi_compare(const sl_vrp *v, const sl_vrp_kpi *a, const sl_vrp_kpi *b)
{
    if (a->unserved_mandatory != b->unserved_mandatory)
        return a->unserved_mandatory < b->unserved_mandatory ? -1 : 1;
    if (v->objective == SL_VRP_HIERARCHICAL) {
        if (a->unserved != b->unserved) return a->unserved < b->unserved ? -1 : 1;
        if (a->vehicles != b->vehicles) return a->vehicles < b->vehicles ? -1 : 1;
        return cmp_d(a->distance, b->distance);
    }
    return cmp_d(a->cost, b->cost);
}

/* ---- writer ---- */

sl_status sl_vrp_sol_write(const char *path, const sl_vrp *v, const sl_vrp_sol *s, sl_error *e)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) return sl_error_set(e, SL_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
    sl_vrp_kpi k;
    sl_vrp_evaluate(v, s, &k, NULL);
    fprintf(f, "# swarmlab vrp solution for %s\n", v->name);
    int n = 0;
    for (int r = 0; r < s->nveh; r++) {
        int len = sl_vrp_sol_len(s, r);
        if (len == 0) continue;
        fprintf(f, "Route #%d vehicle %d:", ++n, r + 1);
        for (int i = 0; i < len; i++) fprintf(f, " %d", v->jobs[s->jobs[s->start[r] + i]].id);
        fputc('\n', f);
    }
    if (k.unserved) {
        char *in = calloc((size_t)v->njobs + 1, 1);
        if (!in) {
            fclose(f);
            remove(tmp);
            return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", path);
        }
        for (int i = 0; i < s->start[s->nveh]; i++) in[s->jobs[i]] = 1;
        fprintf(f, "Unserved:");
        for (int j = 0; j < v->njobs; j++)
            if (!in[j]) fprintf(f, " %d", v->jobs[j].id);
        fputc('\n', f);
        free(in);
    }
    fprintf(f, "Vehicles %d\nDistance %.6f\nCost %.6f\n", k.vehicles, k.distance, k.cost);
    int bad = ferror(f);
    if (fclose(f) != 0) bad = 1;
    if (bad || rename(tmp, path) != 0) {
        remove(tmp);
        return sl_error_set(e, SL_ERR_IO, "%s: write failed", path);
    }
    return SL_OK;
}
