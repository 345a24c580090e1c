/* vrp.h - the rich vehicle routing model: sites, jobs, depots, a heterogeneous limited fleet,
 * time windows, pickup-delivery pairs, optional jobs; evaluation, solution files and an
 * independent checker.
 *
 * Sites are places (coordinates and/or rows of a user-given real-valued distance and travel-time
 * matrix; no rounding). A job is served at a site: demand in ndim capacity dimensions, a service
 * time, one or more time windows for the start of service, and a penalty when left unserved
 * (optional jobs) or none (mandatory). Kinds: a delivery is loaded at the start depot and dropped
 * at the job; a pickup is collected and carried to the end depot; a shipment is a pickup job and
 * a delivery job paired together (same vehicle, pickup first).
 *
 * Vehicle types give a count (the fleet is a hard limit), capacity per dimension, fixed cost per
 * vehicle used, cost per distance and per unit of route duration, speed (travel time = matrix
 * time / speed), start and end site (end -1: open route ending at the last job), a shift window,
 * maximum route duration and distance. Vehicles are the types expanded in order: vehicle v
 * (0-based) has type vehicle_type[v].
 *
 * Route timing: a vehicle leaves its start site no earlier than the shift opens and at the latest
 * moment that does not delay any service (so waiting before the first job is not counted);
 * service at a job starts at the first of its windows still open on arrival; the route ends on
 * arrival at the end site, which must be before the shift closes. Duration = end - departure.
 *
 * Objective (sl_vrp_objective): weighted = sum over used vehicles of fixed + cost_distance *
 * distance + cost_time * duration, plus the penalties of unserved optional jobs (mandatory
 * unserved jobs are reported, never priced silently). Hierarchical = lexicographic (unserved
 * jobs, vehicles, distance). Every evaluation reports both.
 *
 * Ownership: sl_vrp_create returns a model the caller fills with the sl_vrp_add_* functions and
 * then freezes with sl_vrp_finish (which validates everything); free with sl_vrp_destroy. Readers
 * return finished models. Errors are one line naming the file and line, or the field of an
 * in-memory model ("jobs[3]: window 1 closes (10) before it opens (20)").
 */
#ifndef SWARMLAB_VRP_H
#define SWARMLAB_VRP_H

#include <stddef.h>
#include "swarmlab/error.h"

#define SL_VRP_MAXDIM 3           /* capacity dimensions */
#define SL_VRP_MAXWIN 8           /* time windows per job */
#define SL_VRP_MAX_SITES 20000
#define SL_VRP_INF 1e30
#define SL_VRP_BIG 1e12           /* largest accepted demand, cost, time or distance */

typedef enum sl_vrp_kind {
    SL_VRP_DELIVERY = 0,   /* loaded at the start depot, dropped at the job */
    SL_VRP_PICKUP,         /* collected at the job, carried to the end depot */
    SL_VRP_SHIP_PICKUP,    /* first half of a shipment (partner = its delivery) */
    SL_VRP_SHIP_DELIVERY   /* second half (partner = its pickup) */
} sl_vrp_kind;

typedef enum sl_vrp_objective { SL_VRP_WEIGHTED = 0, SL_VRP_HIERARCHICAL = 1 } sl_vrp_objective;

typedef struct sl_vrp_job {
    int id;                        /* external number (file numbering; 1-based in Lua) */
    int site;
    sl_vrp_kind kind;
    int partner;                   /* shipments: the other half (job index), else -1 */
    double demand[SL_VRP_MAXDIM];  /* >= 0 */
    double service;                /* >= 0 */
    int nwin;                      /* >= 1 */
    double open[SL_VRP_MAXWIN], close[SL_VRP_MAXWIN]; /* sorted, disjoint */
    double penalty;                /* < 0: mandatory */
    int line;                      /* source line (0: in-memory model) */
} sl_vrp_job;

typedef struct sl_vrp_vtype {
    char name[32];
    int count;                     /* >= 1 */
    double capacity[SL_VRP_MAXDIM];
    double fixed, cost_distance, cost_time;
    double speed;                  /* > 0 */
    int start, end;                /* sites; end = -1: open route */
    double shift_open, shift_close;
    double max_duration, max_distance; /* SL_VRP_INF: none */
    int line;
} sl_vrp_vtype;

typedef struct sl_vrp {
    char name[128];
    char source[512];              /* file name, or "vrp" for an in-memory model */
    int ndim;
    int nsites, cap_sites;
    double *x, *y;                 /* coordinates, or NULL when only a matrix is given */
    double *dist, *time;           /* nsites * nsites (filled by finish from coordinates when
                                      no matrix was given; time = dist when not given) */
    int matrix_n;                  /* size of a given matrix (0: none) */
    char format[16];               /* "solomon", "cordeau", "lilim", "hvrp", "cvrplib", "memory" */
    int njobs, cap_jobs;
    sl_vrp_job *jobs;
    int ntypes, cap_types;
    sl_vrp_vtype *types;
    int nveh;                      /* after finish */
    int *vehicle_type;             /* nveh entries */
    sl_vrp_objective objective;
    int finished;
    int has_pairs, has_multiwin;   /* after finish */
} sl_vrp;

/* ---- building ---- */
sl_vrp *sl_vrp_create(const char *name, int ndim);
void sl_vrp_destroy(sl_vrp *v);   /* accepts NULL */
/* Appends a site; returns its index, or -1 when out of memory. x, y may be NaN (no coordinates;
 * then a matrix is required). */
int sl_vrp_add_site(sl_vrp *v, double x, double y);
/* Sets the distance matrix and optionally the time matrix (NULL: time = distance), n*n each,
 * copied. n must equal the number of sites when finishing. */
sl_status sl_vrp_set_matrix(sl_vrp *v, int n, const double *dist, const double *time,
                            sl_error *e);
/* A job with defaults: one window [0, inf), no service, mandatory, delivery, no partner. */
sl_vrp_job sl_vrp_job_default(void);
/* A vehicle type with defaults: one vehicle, unlimited capacity, cost 1 per distance, speed 1,
 * start and end at site 0, no shift, duration or distance limit. */
sl_vrp_vtype sl_vrp_vtype_default(void);
/* Appends a job or a vehicle type (copied); returns the index or -1 when out of memory. */
int sl_vrp_add_job(sl_vrp *v, const sl_vrp_job *j);
int sl_vrp_add_vtype(sl_vrp *v, const sl_vrp_vtype *t);
/* Validates the model and computes distances from coordinates when no matrix was given.
 * Reports the first problem: a window that closes before it opens, a demand above every
 * vehicle's capacity, a shipment half without its partner, a negative service time, an unknown
 * site or depot, a matrix of the wrong size, an empty fleet, NaN anywhere. */
sl_status sl_vrp_finish(sl_vrp *v, sl_error *e);

/* A lower bound on the vehicles of any plan that serves every job of a finished model: in each
 * capacity dimension, the fewest vehicles whose capacities add up to the demand of all deliveries,
 * and to that of all pickups (shipments load and unload within a route and are not counted).
 * 0 without such demand; nveh + 1 when the whole fleet cannot carry it. */
int sl_vrp_fleet_bound(const sl_vrp *v);

/* ---- readers ----
 * Format from the content: Solomon / Gehring-Homberger (VRPTW), Cordeau (MDVRP), Li & Lim
 * (PDPTW), fleet size and mix (the VFMP text format), CVRPLIB/TSPLIB .vrp (through
 * sl_instance_load; TSPLIB integer distances kept). NULL with e = "file:line: ..." on error. */
sl_vrp *sl_vrp_load(const char *path, sl_error *e);

/* ---- solutions ----
 * One route per vehicle (empty routes allowed): route r belongs to vehicle r and holds jobs
 * jobs[start[r] .. start[r+1]-1]. Jobs in no route are unserved. */
typedef struct sl_vrp_sol {
    int nveh;
    int *start;                    /* nveh + 1 */
    int *jobs;
    int cap_jobs;
} sl_vrp_sol;

sl_status sl_vrp_sol_init(sl_vrp_sol *s, int nveh);   /* nveh empty routes */
void sl_vrp_sol_release(sl_vrp_sol *s);
sl_status sl_vrp_sol_copy(sl_vrp_sol *dst, const sl_vrp_sol *src);
/* Sets route r (copied); the other routes are kept. */
sl_status sl_vrp_sol_set_route(sl_vrp_sol *s, int r, const int *jobs, int len);
static inline int sl_vrp_sol_len(const sl_vrp_sol *s, int r) { return s->start[r + 1] - s->start[r]; }

typedef struct sl_vrp_route_kpi {
    int vehicle, njobs;
    double distance, duration, waiting, lateness, departure, arrival;
    double max_load[SL_VRP_MAXDIM];
    double cost;                   /* fixed + per distance + per time (0 for an empty route) */
    int feasible;
} sl_vrp_route_kpi;

typedef struct sl_vrp_kpi {
    double cost;                   /* weighted objective (unserved mandatory jobs not priced) */
    double penalty;                /* penalties of unserved optional jobs (inside cost) */
    int unserved, unserved_mandatory, vehicles;
    double distance, duration, waiting, lateness;
    int feasible;                  /* every route feasible, no mandatory job unserved, no job
                                      served twice, every shipment together and in order */
} sl_vrp_kpi;

/* Evaluates a solution by simulating every route. routes (may be NULL) receives nveh entries. */
void sl_vrp_evaluate(const sl_vrp *v, const sl_vrp_sol *s, sl_vrp_kpi *k,
                     sl_vrp_route_kpi *routes);
/* Evaluates one route of vehicle veh (0-based) through jobs[0..len-1] by simulation. */
void sl_vrp_evaluate_route(const sl_vrp *v, int veh, const int *jobs, int len,
                           sl_vrp_route_kpi *k);
/* Hierarchical comparison of two evaluations (-1: a better, 0 equal within 1e-6, 1: b better). */
int sl_vrp_kpi_compare(const sl_vrp *v, const sl_vrp_kpi *a, const sl_vrp_kpi *b);

/* Solution file ("Route #k vehicle v: id id ...", "Unserved: ...", then Vehicles, Distance,
 * Cost lines), job and vehicle numbers as in the instance (vehicles 1-based). Written to a
 * temporary name, then renamed. */
sl_status sl_vrp_sol_write(const char *path, const sl_vrp *v, const sl_vrp_sol *s, sl_error *e);

/* ---- independent checker ----
 * Reads a solution file and re-evaluates it with its own straightforward code (shares nothing
 * with sl_vrp_evaluate). Every violated constraint is written as one line to out (when not NULL):
 * unknown job or vehicle, job served twice, mandatory job unserved, capacity, time window,
 * shift end, route duration, route distance, shipment split or out of order, and reported
 * Distance/Cost/Vehicles lines that do not match. Returns the number of violations (0 = valid),
 * or -1 with e filled when the file cannot be read or parsed. Totals go to the optional outputs. */
int sl_vrp_check_file(const sl_vrp *v, const char *path, void *out_file, double *distance,
                      double *cost, int *vehicles, int *unserved, sl_error *e);
/* Same on an in-memory solution (used by tests after every move); *missing (optional) receives
 * how many of the violations are mandatory jobs left unserved. */
int sl_vrp_check_sol(const sl_vrp *v, const sl_vrp_sol *s, void *out_file, double *distance,
                     double *cost, int *missing);

/* ---- route segments: constant-time concatenation ----
 * Summary of a sequence of visits (Vidal et al.'s time-warp form): minimal duration with
 * waiting, time warp (0 = windows respected), earliest/latest start, distance, and per
 * dimension the load brought from the depot, the net change and the maximum prefix change.
 * Concatenating two summaries is O(ndim); a route is feasible when its depot-to-depot summary has
 * no time warp and start + maxprefix <= capacity. Jobs with several windows set `multi`; such a
 * sequence must be evaluated by simulation. travel(a, b) is time / speed; a or b = -1 (open
 * end) gives 0. */
typedef struct sl_vrp_seg {
    double dist, dur, tw, early, late;
    double sload[SL_VRP_MAXDIM], delta[SL_VRP_MAXDIM], maxp[SL_VRP_MAXDIM];
    int first, last;               /* sites (-1: none) */
    int multi, empty;
} sl_vrp_seg;

void sl_vrp_seg_empty(sl_vrp_seg *s);
void sl_vrp_seg_job(const sl_vrp *v, int job, sl_vrp_seg *s);
/* The start (is_end = 0) or end (1) of vehicle veh's route. */
void sl_vrp_seg_depot(const sl_vrp *v, int veh, int is_end, sl_vrp_seg *s);
/* out = a then b (out may alias a or b). */
void sl_vrp_seg_cat(const sl_vrp *v, double speed, const sl_vrp_seg *a, const sl_vrp_seg *b,
                    sl_vrp_seg *out);
/* a = a then b, in place (b must not be a): what sl_vrp_seg_cat computes, operation for operation,
 * without the copies, for loops that grow one segment. Loads in the first v->ndim dimensions only
 * (the others stay 0, as every segment holds them). */
void sl_vrp_seg_append(const sl_vrp *v, double speed, sl_vrp_seg *a, const sl_vrp_seg *b);

static inline double sl_vrp_dist(const sl_vrp *v, int a, int b)
{
    return (a < 0 || b < 0) ? 0.0 : v->dist[(size_t)a * (size_t)v->nsites + (size_t)b];
}
static inline double sl_vrp_time(const sl_vrp *v, int a, int b)
{
    return (a < 0 || b < 0) ? 0.0 : v->time[(size_t)a * (size_t)v->nsites + (size_t)b];
}

#endif
