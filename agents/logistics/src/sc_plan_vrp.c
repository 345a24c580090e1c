/* sc_plan_vrp.c - the "vrp" planner of a fleet: at each planning the READY orders that no vehicle
 * under way holds, together with the vehicles at the depot, become an in-memory rich VRP
 * (routing module, vrp.h: the supply chain's own distance table, one job per order, the real
 * fleet and capacity) solved by the ant colony of agents/aco (vrp_aco.h), warm-started from the
 * plans the vehicles at the depot already hold. The solution replaces those plans (vehicles not
 * yet dispatched are re-planned); an order the colony leaves unserved stays READY and is offered
 * again at the next planning. Jobs are optional with a penalty far above any route length, so
 * the colony serves all it can within the fleet and capacities. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "sc_internal.h"
#include "swarmlab/vrp.h"
#include "swarmlab/vrp_aco.h"

#define UNSERVED_PENALTY 1e9 /* per order: more than any route of the supply chain */

/* The orders and vehicles of one planning, and the problem built from them. */
typedef struct vrp_plan {
    int *veh;                /* vehicles at the depot */
    int nveh;
    size_t *ord;             /* order indices; job j is order ord[j] at site j + 1 */
    size_t nord;
    sl_vrp *p;
    sl_vrp_sol warm;
    int warm_ok;
} vrp_plan;

static void plan_release(vrp_plan *v)
{
    free(v->veh);
    free(v->ord);
    sl_vrp_destroy(v->p);
    if (v->warm_ok)
        sl_vrp_sol_release(&v->warm);
}

/* The latest departure of a vehicle at the depot the plan may count on: dispatch_wait from now,
 * then inside its shift (a vehicle that leaves earlier only arrives earlier). */
static uint64_t departure(const sl_sc *sc, const sc_vehicle *veh, uint64_t step)
{
    return slp_sc_shift_step(sc, veh, step + (uint64_t)sc->fleet[veh->fleet].def.dispatch_wait);
}

static sl_status build(sl_sc *sc, const slp_sc_fleet *f, uint64_t step, vrp_plan *v, sl_error *e)
{
    size_t n = slp_sc_ready_orders(sc, f->depot, NULL, 0);
    v->veh = malloc((size_t)(f->nv > 0 ? f->nv : 1) * sizeof *v->veh);
    v->ord = malloc((n ? n : 1) * sizeof *v->ord);
    if (!v->veh || !v->ord)
        return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", sc->name);
    /* in type order (the vehicles of a fleet are numbered so), as the problem expands its types */
    for (int k = f->v0; k < f->v0 + f->nv; k++)
        if (sc->veh[k].state == VEH_DEPOT)
            v->veh[v->nveh++] = k;
    slp_sc_ready_orders(sc, f->depot, v->ord, n);
    for (size_t r = 0; r < n; r++)
        if (slp_sc_plannable(sc, v->ord[r], step))
            v->ord[v->nord++] = v->ord[r];
    if (v->nveh == 0 || v->nord == 0)
        return SL_OK;
    size_t ns = v->nord + 1;
    double *m = malloc(ns * ns * sizeof *m);
    v->p = sl_vrp_create(sc->name, 1);
    if (!m || !v->p) {
        free(m);
        return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", sc->name);
    }
    for (size_t i = 0; i < ns; i++) {
        int a = i == 0 ? f->depot : sc->orders[v->ord[i - 1]].site;
        for (size_t j = 0; j < ns; j++) {
            int b = j == 0 ? f->depot : sc->orders[v->ord[j - 1]].site;
            m[i * ns + j] = slp_sc_dist(sc, a, b);
        }
        if (sl_vrp_add_site(v->p, NAN, NAN) < 0) {
            free(m);
            return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", sc->name);
        }
    }
    sl_status st = sl_vrp_set_matrix(v->p, (int)ns, m, NULL, e);
    free(m);
    if (st != SL_OK)
        return st;
    /* times relative to now: the earliest planned departure, the stores' windows of that day
     * (or of the next day when they closed already) and their service times */
    double ref = INFINITY;
    for (int r = 0; r < v->nveh; r++) {
        double dep = (double)departure(sc, &sc->veh[v->veh[r]], step);
        ref = dep < ref ? dep : ref;
    }
    for (size_t j = 0; j < v->nord; j++) {
        const sl_sc_site *site = &sc->site[sc->orders[v->ord[j]].site];
        sl_vrp_job job = sl_vrp_job_default();
        job.id = (int)j + 1;
        job.site = (int)j + 1;
        job.demand[0] = sc->orders[v->ord[j]].qty;
        job.penalty = UNSERVED_PENALTY;
        job.service = site->service_time;
        if (site->window_close > site->window_open) {
            double day = slp_sc_day_start(sc, ref);
            if (ref - day > site->window_close)
                day += (double)sc->spd;
            job.open[0] = fmax(day + site->window_open - (double)step, 0.0);
            job.close[0] = day + site->window_close - (double)step;
        }
        if (sl_vrp_add_job(v->p, &job) < 0)
            return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", sc->name);
    }
    /* one vehicle type of the problem per type with vehicles at the depot, with its costs */
    for (int r = 0; r < v->nveh;) {
        const sc_vehicle *veh = &sc->veh[v->veh[r]];
        const sl_sc_vtype *y = &f->def.types[veh->type];
        sl_vrp_vtype t = sl_vrp_vtype_default();
        snprintf(t.name, sizeof t.name, "%s", y->name);
        t.count = 0;
        while (r < v->nveh && sc->veh[v->veh[r]].type == veh->type) {
            t.count++;
            r++;
        }
        t.capacity[0] = veh->cap;
        t.speed = veh->speed;
        t.fixed = veh->kf;
        t.cost_distance = veh->kd;
        t.cost_time = veh->kt;
        t.start = t.end = 0;
        if (sc->timed) { /* leaves at its planned departure, back by the end of its shift */
            uint64_t dep = departure(sc, veh, step);
            t.shift_open = (double)(dep - step);
            double limit = slp_sc_shift_limit(sc, veh, dep);
            if (isfinite(limit))
                t.shift_close = limit - (double)step;
        }
        if (sl_vrp_add_vtype(v->p, &t) < 0)
            return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", sc->name);
    }
    if ((st = sl_vrp_finish(v->p, e)) != SL_OK)
        return st;
    /* warm start: the plans the vehicles at the depot hold now, as routes of the problem */
    if (sl_vrp_sol_init(&v->warm, v->nveh) != SL_OK)
        return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", sc->name);
    v->warm_ok = 1;
    int *jobs = malloc((v->nord + 1) * sizeof *jobs);
    if (!jobs)
        return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", sc->name);
    for (int r = 0; r < v->nveh && st == SL_OK; r++) {
        const sc_vehicle *veh = &sc->veh[v->veh[r]];
        int len = 0;
        for (int k = 0; k < veh->nstops; k++)
            for (size_t j = 0; j < v->nord; j++)
                if (v->ord[j] == (size_t)veh->stops[k]) {
                    jobs[len++] = (int)j;
                    break;
                }
        if (len > 0) { /* a route the timed model refuses (the clock moved on) starts empty */
            sl_vrp_route_kpi k;
            sl_vrp_evaluate_route(v->p, r, jobs, len, &k);
            if (!k.feasible)
                len = 0;
        }
        if (sl_vrp_sol_set_route(&v->warm, r, jobs, len) != SL_OK)
            st = sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", sc->name);
    }
    free(jobs);
    return st;
}

/* The solution's routes as a plan for the vehicles at the depot (checked like any plan). */
static sl_status apply(sl_sc *sc, const slp_sc_fleet *f, uint64_t step, const vrp_plan *v,
                       const sl_vrp_sol *s, sl_error *e)
{
    sl_sc_plan plan;
    plan.nroutes = v->nveh;
    plan.vehicle = malloc((size_t)v->nveh * sizeof *plan.vehicle);
    plan.start = malloc(((size_t)v->nveh + 1) * sizeof *plan.start);
    plan.ids = malloc((v->nord + 1) * sizeof *plan.ids);
    int *ords = malloc((v->nord + 1) * sizeof *ords);
    if (!plan.vehicle || !plan.start || !plan.ids || !ords) {
        free(ords);
        slp_sc_plan_release(&plan);
        return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", sc->name);
    }
    int k = 0;
    for (int r = 0; r < v->nveh; r++) {
        plan.vehicle[r] = v->veh[r] - f->v0;
        plan.start[r] = k;
        int len = s->start[r + 1] - s->start[r];
        for (int j = 0; j < len; j++)
            ords[j] = (int)v->ord[s->jobs[s->start[r] + j]];
        /* a route that our clock finds late or past the shift's end is left out: its orders stay
         * queued for the next planning */
        if (!slp_sc_plan_fits(sc, v->veh[r], ords, len, step, 1))
            continue;
        for (int j = s->start[r]; j < s->start[r + 1]; j++)
            plan.ids[k++] = sc->orders[v->ord[s->jobs[j]]].id;
    }
    plan.start[v->nveh] = k;
    free(ords);
    sl_status st = slp_sc_apply_plan(sc, f, step, &plan, e);
    slp_sc_plan_release(&plan);
    return st;
}

sl_status slp_sc_vrp_plan(sl_sc *sc, slp_sc_fleet *f, uint64_t step, sl_error *e)
{
    vrp_plan v;
    memset(&v, 0, sizeof v);
    sl_status st = build(sc, f, step, &v, e);
    if (st != SL_OK || v.nveh == 0 || v.nord == 0) {
        plan_release(&v);
        return st;
    }
    sl_vrp_aco_def d = sl_vrp_aco_def_default();
    d.iterations = f->def.vrp_iterations;
    d.threads = sl_world_threads(sc->world); /* the colony gives the same plan for any count */
    d.seed = sl_seed_mix(sc->def.seed, (0x565250u ^ step) + (uint64_t)(f - sc->fleet) * 0x9E3779B9u);
    d.warm = &v.warm;
    sl_vrp_aco *c = sl_vrp_aco_create(&d, v.p, e);
    if (!c) {
        plan_release(&v);
        return e ? e->code : SL_ERR_NOMEM;
    }
    st = sl_vrp_aco_run(c, e);
    if (st == SL_OK)
        st = apply(sc, f, step, &v, sl_vrp_aco_best(c), e);
    sl_vrp_aco_destroy(c);
    plan_release(&v);
    return st;
}
