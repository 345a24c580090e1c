/* vrp_check.c - the independent solution checker. It deliberately shares no code with the
 * evaluation in vrp_eval.c: it walks each route visit by visit from the raw model data and
 * names every constraint it finds violated. */
#include "swarmlab/fileio.h"
#include "swarmlab/vrp.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOL 1e-6

typedef struct checker {
    const sl_vrp *v;
    FILE *out;
    int violations;
    int *route_of, *index_in;   /* per job: vehicle serving it (-1), position */
    double distance, cost;
    int vehicles, missing;
} checker;

static void report(checker *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void report(checker *c, const char *fmt, ...)
{
    c->violations++;
    if (!c->out) return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(c->out, fmt, ap);
    va_end(ap);
    fputc('\n', c->out);
}

static double dmat(const sl_vrp *v, int a, int b)
{
    if (a < 0 || b < 0) return 0;
    return v->dist[a * v->nsites + b];
}

static double tmat(const sl_vrp *v, int a, int b)
{
    if (a < 0 || b < 0) return 0;
    return v->time[a * v->nsites + b];
}

/* Walks one route of vehicle veh (0-based) through jobs[0..len-1]. */
static void walk(checker *c, int veh, const int *jobs, int len)
{
    const sl_vrp *v = c->v;
    const sl_vrp_vtype *T = &v->types[v->vehicle_type[veh]];
    if (len == 0) return;
    c->vehicles++;
    /* load leaving the depot: everything to be delivered from it */
    double cargo[SL_VRP_MAXDIM];
    for (int d = 0; d < v->ndim; d++) {
        cargo[d] = 0;
        for (int i = 0; i < len; i++)
            if (v->jobs[jobs[i]].kind == SL_VRP_DELIVERY) cargo[d] += v->jobs[jobs[i]].demand[d];
        if (cargo[d] > T->capacity[d] + TOL)
            report(c, "vehicle %d: capacity %d exceeded leaving the depot (%g > %g)", veh + 1, d + 1,
                   cargo[d], T->capacity[d]);
    }
    /* first pass at the earliest departure: service starts and waiting */
    double *start = malloc((size_t)len * sizeof(double)), *lim = malloc((size_t)len * sizeof(double));
    double *waited = malloc((size_t)len * sizeof(double));
    if (!start || !lim || !waited) {
        free(start), free(lim), free(waited);
        report(c, "vehicle %d: out of memory while checking", veh + 1);
        return;
    }
    double clock = T->shift_open, dist = 0, wait_sum = 0;
    int here = T->start;
    for (int i = 0; i < len; i++) {
        const sl_vrp_job *J = &v->jobs[jobs[i]];
        dist += dmat(v, here, J->site);
        double arrive = clock + tmat(v, here, J->site) / T->speed;
        int w = -1;
        for (int q = 0; q < J->nwin; q++)
            if (arrive <= J->close[q] + TOL) {
                w = q;
                break;
            }
        if (w < 0) {
            report(c, "vehicle %d: job %d reached at %.4f after its last time window closed (%.4f)",
                   veh + 1, J->id, arrive, J->close[J->nwin - 1]);
            start[i] = arrive;
            lim[i] = arrive - (wait_sum); /* no later departure once a job is late */
        } else {
            start[i] = arrive < J->open[w] ? J->open[w] : arrive;
            lim[i] = J->close[w];
        }
        wait_sum += start[i] - arrive;
        waited[i] = wait_sum;
        for (int d = 0; d < v->ndim; d++) {
            if (J->kind == SL_VRP_DELIVERY || J->kind == SL_VRP_SHIP_DELIVERY) cargo[d] -= J->demand[d];
            else cargo[d] += J->demand[d];
            if (cargo[d] > T->capacity[d] + TOL)
                report(c, "vehicle %d: capacity %d exceeded after job %d (%g > %g)", veh + 1, d + 1,
                       J->id, cargo[d], T->capacity[d]);
        }
        clock = start[i] + J->service;
        here = J->site;
    }
    dist += dmat(v, here, T->end);
    double back = clock + tmat(v, here, T->end) / T->speed;
    if (back > T->shift_close + TOL)
        report(c, "vehicle %d: returns at %.4f after its shift ends (%.4f)", veh + 1, back,
               T->shift_close);
    /* leave later to cut waiting, as long as no service and the return are delayed past limits */
    double delay = wait_sum;
    for (int i = 0; i < len; i++) {
        double room = waited[i] + lim[i] - start[i];
        if (room < delay) delay = room;
    }
    if (T->shift_close - back + wait_sum < delay) delay = T->shift_close - back + wait_sum;
    if (delay < 0) delay = 0;
    double duration = back - (T->shift_open + delay);
    if (duration > T->max_duration + TOL)
        report(c, "vehicle %d: route duration %.4f above the maximum %.4f", veh + 1, duration,
               T->max_duration);
    if (dist > T->max_distance + TOL)
        report(c, "vehicle %d: route distance %.4f above the maximum %.4f", veh + 1, dist,
               T->max_distance);
    c->distance += dist;
    c->cost += T->fixed + T->cost_distance * dist + T->cost_time * duration;
    free(start), free(lim), free(waited);
}

static void check_common(checker *c)
{
    const sl_vrp *v = c->v;
    for (int j = 0; j < v->njobs; j++) {
        const sl_vrp_job *J = &v->jobs[j];
        if (c->route_of[j] < 0) {
            if (J->penalty < 0) {
                report(c, "job %d: mandatory but not served", J->id);
                c->missing++;
            }
            else c->cost += J->penalty;
            continue;
        }
        if (J->kind == SL_VRP_SHIP_PICKUP) {
            int d = J->partner;
            if (c->route_of[d] != c->route_of[j])
                report(c, "shipment %d -> %d: pickup and delivery on different vehicles", J->id,
                       v->jobs[d].id);
            else if (c->index_in[d] < c->index_in[j])
                report(c, "shipment %d -> %d: delivered before it is picked up", J->id, v->jobs[d].id);
        } else if (J->kind == SL_VRP_SHIP_DELIVERY && c->route_of[J->partner] < 0) {
            report(c, "shipment %d -> %d: delivery served without its pickup",
                   v->jobs[J->partner].id, J->id);
        }
    }
}

static int checker_init(checker *c, const sl_vrp *v, FILE *out)
{
    memset(c, 0, sizeof *c);
    c->v = v;
    c->out = out;
    c->route_of = malloc(((size_t)v->njobs + 1) * sizeof(int));
    c->index_in = malloc(((size_t)v->njobs + 1) * sizeof(int));
    if (!c->route_of || !c->index_in) return -1;
    for (int j = 0; j < v->njobs; j++) c->route_of[j] = -1;
    return 0;
}

static void checker_free(checker *c)
{
    free(c->route_of);
    free(c->index_in);
}

/* Marks the jobs of a route as served; reports doubles. */
static void mark(checker *c, int veh, const int *jobs, int len)
{
    for (int i = 0; i < len; i++) {
        int j = jobs[i];
        if (c->route_of[j] >= 0)
            report(c, "job %d: served twice (vehicles %d and %d)", c->v->jobs[j].id,
                   c->route_of[j] + 1, veh + 1);
        c->route_of[j] = veh;
        c->index_in[j] = i;
    }
}

int sl_vrp_check_sol(const sl_vrp *v, const sl_vrp_sol *s, void *out_file, double *distance,
                     double *cost, int *missing)
{
    checker c;
    if (checker_init(&c, v, out_file) < 0) {
        checker_free(&c);
        return -1;
    }
    if (s->nveh != v->nveh) report(&c, "solution has %d vehicles, the fleet %d", s->nveh, v->nveh);
    for (int r = 0; r < s->nveh && r < v->nveh; r++) {
        int len = s->start[r + 1] - s->start[r];
        mark(&c, r, s->jobs + s->start[r], len);
        walk(&c, r, s->jobs + s->start[r], len);
    }
    check_common(&c);
    if (distance) *distance = c.distance;
    if (cost) *cost = c.cost;
    if (missing) *missing = c.missing;
    int n = c.violations;
    checker_free(&c);
    return n;
}

static int find_job(const sl_vrp *v, long id)
{
    if (id >= 1 && id <= v->njobs && v->jobs[id - 1].id == id) return (int)id - 1;
    if (id >= 0 && id < v->njobs && v->jobs[id].id == id) return (int)id;
    for (int j = 0; j < v->njobs; j++)
        if (v->jobs[j].id == id) return j;
    return -1;
}

static int close_enough(double a, double b)
{
    return fabs(a - b) <= 1e-4 * fmax(1.0, fabs(b)) + 0.006;
}

int sl_vrp_check_file(const sl_vrp *v, const char *path, void *out_file, double *distance,
                      double *cost, int *vehicles, int *unserved, sl_error *e)
{
    FILE *f = sl_fopen_regular(path, "solution", e); /* not a device or FIFO */
    if (!f) return -1;
    checker c;
    int *seq = malloc(((size_t)v->njobs + 1) * sizeof(int));
    char *used = calloc((size_t)v->nveh + 1, 1);
    if (checker_init(&c, v, out_file) < 0 || !seq || !used) {
        checker_free(&c);
        free(seq);
        free(used);
        fclose(f);
        sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", path);
        return -1;
    }
    char line[1 << 16];
    int ln = 0, next_free = 0, status = 0;
    int has_dist = 0, has_cost = 0, has_veh = 0, rep_veh = 0;
    double rep_dist = 0, rep_cost = 0;
    while (fgets(line, sizeof line, f)) {
        ln++;
        char *p = line;
        while (isspace((unsigned char)*p)) p++;
        if (!*p || *p == '#') continue;
        if (strncmp(p, "Route", 5) == 0) {
            char *colon = strchr(p, ':');
            if (!colon) {
                sl_error_set(e, SL_ERR_PARSE, "%s:%d: route line without ':'", path, ln);
                status = -1;
                break;
            }
            long veh = -1;
            char *vk = strstr(p, "vehicle");
            if (vk && vk < colon) veh = strtol(vk + 7, NULL, 10) - 1;
            int len = 0;
            char *q = colon + 1;
            for (;;) {
                while (isspace((unsigned char)*q)) q++;
                if (!*q) break;
                char *end;
                long id = strtol(q, &end, 10);
                if (end == q || (*end && !isspace((unsigned char)*end))) {
                    sl_error_set(e, SL_ERR_PARSE, "%s:%d: expected a job number, got '%.20s'", path,
                                 ln, q);
                    status = -1;
                    break;
                }
                q = end;
                int j = find_job(v, id);
                if (j < 0) {
                    report(&c, "%s:%d: unknown job %ld", path, ln, id);
                    continue;
                }
                if (len < v->njobs) seq[len++] = j;
                else report(&c, "%s:%d: route longer than the number of jobs", path, ln);
            }
            if (status < 0) break;
            if (veh < 0 && !vk) { /* CVRPLIB style: the next vehicle not named elsewhere */
                while (next_free < v->nveh && used[next_free]) next_free++;
                veh = next_free;
            }
            if (veh < 0 || veh >= v->nveh) {
                report(&c, "%s:%d: unknown vehicle %ld (fleet of %d)", path, ln, veh + 1, v->nveh);
                continue;
            }
            if (used[veh]) {
                report(&c, "%s:%d: vehicle %ld used for two routes", path, ln, veh + 1);
                continue;
            }
            used[veh] = 1;
            mark(&c, (int)veh, seq, len);
            walk(&c, (int)veh, seq, len);
        } else if (strncmp(p, "Vehicles", 8) == 0) {
            has_veh = sscanf(p + 8, "%d", &rep_veh) == 1;
        } else if (strncmp(p, "Distance", 8) == 0) {
            has_dist = sscanf(p + 8, "%lf", &rep_dist) == 1;
        } else if (strncmp(p, "Cost", 4) == 0) {
            has_cost = sscanf(p + 4, "%lf", &rep_cost) == 1;
        } else if (strncmp(p, "Unserved", 8) == 0) {
            continue;
        } else {
            sl_error_set(e, SL_ERR_PARSE, "%s:%d: unexpected line '%.40s'", path, ln, p);
            status = -1;
            break;
        }
    }
    fclose(f);
    int n = -1;
    if (status == 0) {
        check_common(&c);
        if (has_veh && rep_veh != c.vehicles)
            report(&c, "%s: reports %d vehicles, the routes use %d", path, rep_veh, c.vehicles);
        if (has_dist && !close_enough(rep_dist, c.distance))
            report(&c, "%s: reports distance %.6f, the routes measure %.6f", path, rep_dist,
                   c.distance);
        if (has_cost && !close_enough(rep_cost, c.cost) &&
            !(strcmp(v->format, "cvrplib") == 0 && close_enough(rep_cost, c.distance)))
            report(&c, "%s: reports cost %.6f, the routes cost %.6f", path, rep_cost, c.cost);
        int un = 0;
        for (int j = 0; j < v->njobs; j++) un += c.route_of[j] < 0;
        if (distance) *distance = c.distance;
        if (cost) *cost = c.cost;
        if (vehicles) *vehicles = c.vehicles;
        if (unserved) *unserved = un;
        n = c.violations;
    }
    checker_free(&c);
    free(seq);
    free(used);
    return n;
}
