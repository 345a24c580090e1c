/* sc_plan_fn.c - plans made outside the fleet code: the caller's planner function (mode
 * SL_SC_PLANNER, e.g. a Lua function) and the checks every such plan goes through before the
 * vehicles at the depot take it (also used by the vrp planner). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sc_internal.h"

int slp_sc_plannable(const sl_sc *sc, size_t i, uint64_t step)
{
    const slp_sc_order *o = &sc->orders[i];
    if (o->status != SLP_SC_READY || !slp_sc_by_vehicle(sc, o))
        return 0;
    if (o->fleet_state == SLP_SC_UNPLANNED)
        return o->fleet_t <= step;
    /* held by a vehicle still at the depot (not in the next trip of one under way) */
    return o->fleet_state == SLP_SC_ASSIGNED && o->vehicle >= 0 &&
           sc->veh[o->vehicle].state == VEH_DEPOT;
}

static const char *status_name(int s)
{
    static const char *names[] = {"not yet at the depot", "not yet picked", "ready",
                                  "in transit", "delivered"};
    return s >= SLP_SC_SENT && s <= SLP_SC_DELIVERED ? names[s] : "?";
}

static sl_status check_plan(const sl_sc *sc, const slp_sc_fleet *f, uint64_t step,
                            const sl_sc_plan *plan, int *seen, sl_error *e)
{
    /* Routes are named by their vehicle (1-based) in messages: routes[3][2] is the second stop
     * of vehicle 3's route. seen[order index] = vehicle * 65536 + stop (1-based), seen[norders
     * + v] = 1 once vehicle v has a route. */
    for (int r = 0; r < plan->nroutes; r++) {
        int v = plan->vehicle[r];
        if (v < 0 || v >= f->nv)
            return sl_error_set(e, SL_ERR_RANGE, "routes[%d]: vehicle %d does not exist (1..%d)",
                                v + 1, v + 1, f->nv);
        const sc_vehicle *veh = &sc->veh[f->v0 + v];
        if (veh->state != VEH_DEPOT)
            return sl_error_set(e, SL_ERR_RANGE, "routes[%d]: vehicle %d is busy (it is not at "
                                "the depot)", v + 1, v + 1);
        int *vs = &seen[sc->norders + (size_t)v];
        if (*vs)
            return sl_error_set(e, SL_ERR_RANGE, "routes[%d]: vehicle %d has two routes",
                                v + 1, v + 1);
        *vs = 1;
        double load = 0.0;
        for (int k = plan->start[r]; k < plan->start[r + 1]; k++) {
            int stop = k - plan->start[r] + 1, label = v + 1;
            uint64_t id = plan->ids[k];
            if (id < 1 || id > sc->norders)
                return sl_error_set(e, SL_ERR_RANGE, "routes[%d][%d]: unknown order %llu",
                                    label, stop, (unsigned long long)id);
            size_t i = (size_t)(id - 1);
            if (!slp_sc_plannable(sc, i, step) || sc->orders[i].depot != f->depot)
                return sl_error_set(e, SL_ERR_RANGE, "routes[%d][%d]: order %llu is not open "
                                    "(%s)", label, stop, (unsigned long long)id,
                                    sc->orders[i].depot != f->depot ? "shipped by another depot"
                                    : sc->orders[i].status == SLP_SC_READY
                                        ? "on a vehicle under way"
                                        : status_name(sc->orders[i].status));
            if (seen[i])
                return sl_error_set(e, SL_ERR_RANGE, "routes[%d][%d]: order %llu is already in "
                                    "routes[%d][%d]", label, stop, (unsigned long long)id,
                                    seen[i] / 65536, seen[i] % 65536);
            seen[i] = label * 65536 + stop;
            load += sc->orders[i].qty;
        }
        if (load > veh->cap + 1e-9)
            return sl_error_set(e, SL_ERR_RANGE, "routes[%d]: load %g is over the capacity %g "
                                "of vehicle %d", v + 1, load, veh->cap, v + 1);
        if (sc->timed) {
            int len = plan->start[r + 1] - plan->start[r];
            int *ords = malloc((size_t)(len > 0 ? len : 1) * sizeof *ords);
            if (!ords)
                return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", sc->name);
            for (int k = 0; k < len; k++)
                ords[k] = (int)(plan->ids[plan->start[r] + k] - 1);
            /* the shift is a hard limit; a stop after a store's window closes is the
             * planner's choice (the order records how late it was) */
            int ok = slp_sc_plan_fits(sc, f->v0 + v, ords, len, step, 0);
            free(ords);
            if (!ok)
                return sl_error_set(e, SL_ERR_RANGE, "routes[%d]: vehicle %d cannot be back by "
                                    "the end of its shift", v + 1, v + 1);
        }
    }
    return SL_OK;
}

sl_status slp_sc_apply_plan(sl_sc *sc, const slp_sc_fleet *f, uint64_t step,
                            const sl_sc_plan *plan, sl_error *e)
{
    int *seen = calloc(sc->norders + (size_t)f->nv + 1, sizeof *seen);
    if (!seen)
        return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", sc->name);
    sl_status st = check_plan(sc, f, step, plan, seen, e);
    free(seen);
    if (st != SL_OK)
        return st;
    int *had = calloc((size_t)f->nv + 1, sizeof *had);
    if (!had)
        return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", sc->name);
    for (int v = 0; v < f->nv; v++) { /* every vehicle at the depot gives up its plan */
        sc_vehicle *veh = &sc->veh[f->v0 + v];
        if (veh->state != VEH_DEPOT)
            continue;
        had[v] = veh->nstops > 0;
        for (int k = 0; k < veh->nstops; k++) {
            slp_sc_order *o = &sc->orders[veh->stops[k]];
            o->fleet_state = SLP_SC_UNPLANNED;
            o->fleet_t = step;
            o->vehicle = -1;
        }
        veh->nstops = 0;
        for (int p = 0; p < sc->P; p++)
            veh->committed[p] = 0.0;
    }
    for (int r = 0; r < plan->nroutes && st == SL_OK; r++) {
        sc_vehicle *veh = &sc->veh[f->v0 + plan->vehicle[r]];
        int len = plan->start[r + 1] - plan->start[r];
        if (!slp_sc_stops_grow(veh, len)) {
            st = sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", sc->name);
            break;
        }
        for (int k = 0; k < len; k++) {
            int o = (int)(plan->ids[plan->start[r] + k] - 1);
            slp_sc_order *ord = &sc->orders[o];
            veh->stops[veh->nstops++] = o;
            veh->committed[ord->product] += ord->qty;
            ord->fleet_state = SLP_SC_ASSIGNED;
            ord->vehicle = f->v0 + plan->vehicle[r];
        }
        if (!had[plan->vehicle[r]] && len > 0)
            veh->first_commit = step;
    }
    free(had);
    return st;
}

void slp_sc_plan_release(sl_sc_plan *p)
{
    free(p->vehicle);
    free(p->start);
    free(p->ids);
    memset(p, 0, sizeof *p);
}

sl_status slp_sc_fn_plan(sl_sc *sc, slp_sc_fleet *f, uint64_t step, sl_error *e)
{
    size_t n = slp_sc_ready_orders(sc, f->depot, NULL, 0);
    size_t *ready = malloc((n ? n : 1) * sizeof *ready);
    sl_sc_plan_order *po = malloc((n ? n : 1) * sizeof *po);
    sl_sc_plan_vehicle *pv = malloc((size_t)(f->nv > 0 ? f->nv : 1) * sizeof *pv);
    if (!ready || !po || !pv) {
        free(ready);
        free(po);
        free(pv);
        return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", sc->name);
    }
    slp_sc_ready_orders(sc, f->depot, ready, n);
    int no = 0;
    for (size_t r = 0; r < n; r++) {
        size_t i = ready[r];
        if (!slp_sc_plannable(sc, i, step))
            continue;
        const slp_sc_order *o = &sc->orders[i];
        sl_sc_plan_order *q = &po[no++];
        q->id = o->id;
        q->site = o->site;
        q->product = o->product;
        q->qty = o->qty;
        q->created = o->created;
        q->promised = o->promised;
        q->vehicle = o->fleet_state == SLP_SC_ASSIGNED ? o->vehicle - f->v0 : -1;
    }
    for (int v = 0; v < f->nv; v++) {
        const sc_vehicle *veh = &sc->veh[f->v0 + v];
        sl_sc_plan_vehicle *q = &pv[v];
        q->state = veh->state;
        q->vehicle = f->v0 + v;
        q->type = veh->type;
        q->type_name = f->def.types[veh->type].name;
        slp_sc_vehicle_xy(sc, f->v0 + v, &q->x, &q->y);
        q->capacity = veh->cap;
        q->load = 0.0;
        for (int p = 0; p < sc->P; p++)
            q->load += veh->state == VEH_DEPOT ? veh->committed[p] : veh->load[p];
        q->nstops = veh->nstops;
    }
    sl_sc_plan plan;
    memset(&plan, 0, sizeof plan);
    sl_status st = f->def.plan_fn(f->def.plan_user, po, no, pv, f->nv, &plan, e);
    free(ready);
    free(po);
    free(pv);
    if (st == SL_OK && (st = slp_sc_apply_plan(sc, f, step, &plan, e)) != SL_OK && e) {
        char msg[SL_ERROR_MSG_MAX];
        snprintf(msg, sizeof msg, "%s", e->msg);
        if (f->def.plan_where)
            sl_error_set(e, st, "%s: supply chain '%s': planner returned %s", f->def.plan_where,
                         sc->name, msg);
        else
            sl_error_set(e, st, "supply chain '%s': planner returned %s", sc->name, msg);
    }
    slp_sc_plan_release(&plan);
    return st;
}
