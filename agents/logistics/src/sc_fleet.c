/* sc_fleet.c - the fleets of the supply chain: the contract net (each fleet's depot announces its
 * READY orders to its vehicles, which bid their marginal route cost; all contract-net fleets share
 * one net), the other planners' calls, departures and vehicles moving along their routes. Orders
 * and units move through the ledger (sc_orders.c). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "sc_internal.h"

#define dist slp_sc_dist

static slp_sc_fleet *fleet_of_order(sl_sc *sc, int o)
{
    return &sc->fleet[sc->fleet_of[sc->orders[o].depot]];
}

void slp_sc_vehicle_xy(const sl_sc *sc, int vi, double *x, double *y)
{
    const sc_vehicle *v = &sc->veh[vi];
    if (v->state == VEH_DEPOT) {
        *x = sc->nx[v->depot];
        *y = sc->ny[v->depot];
        return;
    }
    if (slp_sc_road_xy(sc, vi, x, y)) /* along the roads of its leg */
        return;
    double leg = dist(sc, v->loc, v->target);
    double f = leg > 0 ? v->progress / leg : 0.0;
    *x = sc->nx[v->loc] + f * (sc->nx[v->target] - sc->nx[v->loc]);
    *y = sc->ny[v->loc] + f * (sc->ny[v->target] - sc->ny[v->loc]);
}

/* ---- contract net callbacks ---- */

static sl_status cn_bid(void *user, const sl_cn_conv *c, sl_cn_agent b, int *propose,
                        double *cost, double *aux, sl_error *e)
{
    sl_sc *sc = user;
    int o = (int)c->task.item, v = (int)b.id - 1, pos = 0;
    double marginal = slp_sc_insertion(sc, v, o, 1, &pos);
    *propose = isfinite(marginal);
    *cost = marginal;
    *aux = slp_sc_spare(sc, v); /* the proposal states how many units the vehicle can still take */
    const slp_sc_fleet *f = fleet_of_order(sc, o);
    if (!*propose || !f->def.bid)
        return SL_OK;
    sl_sc_bid_info info;
    info.vehicle = v;
    info.store = sc->orders[o].site - 1;
    info.order = sc->orders[o].id;
    info.units = sc->orders[o].qty;
    info.marginal = marginal;
    info.en_route = sc->veh[v].state != VEH_DEPOT;
    info.load = 0;
    for (int p = 0; p < sc->P; p++)
        info.load += sc->veh[v].state == VEH_DEPOT ? sc->veh[v].committed[p] : sc->veh[v].load[p];
    return f->def.bid(f->def.bid_user, &info, propose, cost, e);
}

/* Award rule of the warehouse: the cheapest proposal whose stated spare capacity still covers
 * the order after the awards this vehicle already holds in open conversations. */
static sl_status cn_choose(void *user, const sl_cn_conv *c, int *winner, sl_error *e)
{
    (void)e;
    sl_sc *sc = user;
    int o = (int)c->task.item, best = -1;
    double best_bid = INFINITY;
    for (int i = 0; i < c->nbidders; i++) {
        char ans;
        double bid;
        sl_cn_agent a = sl_cnet_bidder(sc->cnet, c, i, &ans, &bid);
        if (ans != 'p' || !(bid < best_bid))
            continue;
        double spare = sl_cnet_bidder_aux(sc->cnet, c, i) - sc->veh[a.id - 1].awarded;
        if (spare + 1e-9 < sc->orders[o].qty)
            continue;
        best = i;
        best_bid = bid;
    }
    if (best >= 0) {
        sl_cn_agent a = sl_cnet_bidder(sc->cnet, c, best, NULL, NULL);
        sc->veh[a.id - 1].awarded += sc->orders[o].qty;
    }
    *winner = best;
    return SL_OK;
}

static sl_status cn_exec(void *user, const sl_cn_conv *c, sl_cn_agent w, int *ok, sl_error *e)
{
    sl_sc *sc = user;
    int o = (int)c->task.item, v = (int)w.id - 1, pos = 0;
    *ok = 0;
    if (sc->orders[o].fleet_state != SLP_SC_NEGOTIATING)
        return SL_OK;
    if (isfinite(slp_sc_insertion(sc, v, o, 1, &pos))) {
        if (!slp_sc_insert(sc, v, o, pos))
            return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", sc->name);
        *ok = 1;
        /* The winner re-plans its own route while it has not left (routing module). */
        if (sc->veh[v].state == VEH_DEPOT)
            return slp_sc_improve_routes(sc, &v, 1, NULL, e);
    }
    return SL_OK;
}

static sl_status cn_close(void *user, const sl_cn_conv *c, sl_error *e)
{
    (void)e;
    sl_sc *sc = user;
    int o = (int)c->task.item;
    if (c->winner >= 0) {
        sl_cn_agent a = sl_cnet_bidder(sc->cnet, c, c->winner, NULL, NULL);
        sc->veh[a.id - 1].awarded -= sc->orders[o].qty;
    }
    sc->cur.negotiations++;
    sc->tot.negotiations++;
    if (sc->orders[o].fleet_state == SLP_SC_NEGOTIATING) {
        /* Not placed: it stays READY, announced again after retry_wait steps. */
        sc->orders[o].fleet_state = SLP_SC_UNPLANNED;
        sc->orders[o].fleet_t = sc->step + (uint64_t)fleet_of_order(sc, o)->def.retry_wait;
        sc->cur.failed_negotiations++;
        sc->tot.failed_negotiations++;
    }
    return SL_OK;
}

/* Vehicle vi's first stop is served: the order is delivered, the vehicle heads on. */
static sl_status deliver(sl_sc *sc, int vi, uint64_t step, sl_error *e)
{
    sc_vehicle *v = &sc->veh[vi];
    int o = v->stops[0];
    const slp_sc_order *ord = &sc->orders[o];
    v->load[ord->product] -= ord->qty;
    v->committed[ord->product] -= ord->qty;
    sl_status st = slp_sc_order_delivered(sc, (size_t)o, step, e);
    if (st != SL_OK)
        return st;
    sc->orders[o].fleet_t = ++sc->deliveries; /* visiting order for routes.csv */
    memmove(v->stops, v->stops + 1, (size_t)(v->nstops - 1) * sizeof(int));
    v->nstops--;
    v->busy = 0.0;
    if (v->nstops > v->nnext) {
        v->target = sc->orders[v->stops[0]].site;
    } else {
        v->state = VEH_RETURNING;
        v->target = v->depot;
    }
    return SL_OK;
}

static sl_status move_vehicles(sl_sc *sc, uint64_t step, sl_error *e)
{
    for (int vi = 0; vi < sc->V; vi++) {
        sc_vehicle *v = &sc->veh[vi];
        if (v->state == VEH_DEPOT)
            continue;
        slp_sc_fleet *fl = &sc->fleet[v->fleet];
        v->busy_steps += 1.0;
        sc->cur.utilisation += 1.0;
        fl->tsteps[v->type] += 1.0;
        double budget = v->speed;
        if (v->busy > 0.0) { /* waiting or serving at a store */
            if (v->busy >= 1.0 - 1e-12) {
                v->busy -= 1.0;
                if (v->busy > 1e-12)
                    continue;
                budget = 0.0;
            } else {
                budget = v->speed * (1.0 - v->busy);
            }
            sl_status st = deliver(sc, vi, step, e);
            if (st != SL_OK)
                return st;
        }
        while (budget > 0.0) {
            double leg = dist(sc, v->loc, v->target) - v->progress;
            if (budget < leg) {
                v->progress += budget;
                v->distance += budget;
                sc->cur.distance += budget;
                fl->tdist[v->type] += budget;
                break;
            }
            budget -= leg;
            v->distance += leg;
            sc->cur.distance += leg;
            fl->tdist[v->type] += leg;
            v->loc = v->target;
            v->progress = 0.0;
            if (v->state == VEH_OUT) {
                int o = v->stops[0];
                slp_sc_order *ord = &sc->orders[o];
                /* at the store: wait for its window, serve, then deliver */
                double a = (double)step - budget / v->speed, late;
                double start = slp_sc_service_start(sc, v->target, a, &late);
                ord->arrival = a;
                ord->wait = start - a;
                ord->late = late;
                double stay = start + sc->site[v->target].service_time - a;
                if (stay > 0.0) {
                    if (stay * v->speed > budget) { /* still there at the end of the step */
                        v->busy = stay - budget / v->speed;
                        break;
                    }
                    budget -= stay * v->speed;
                }
                sl_status st = deliver(sc, vi, step, e);
                if (st != SL_OK)
                    return st;
            } else { /* back at the depot: the float goes back into stock; the next trip
                      * planned on the way becomes the vehicle's plan */
                v->back = (double)step - budget / v->speed;
                for (int p = 0; p < sc->P; p++) {
                    if (v->load[p] != 0.0)
                        slp_sc_return_stock(sc, v->depot, p, v->load[p]);
                    v->load[p] = 0.0;
                    v->committed[p] = v->next_committed[p];
                    v->next_committed[p] = 0.0;
                }
                v->first_commit = v->next_first;
                for (size_t k = sc->ntrips; k-- > 0;) /* the trip ends */
                    if (sc->trip[k].vehicle == vi) {
                        sc->trip[k].end = step;
                        sc->trip[k].distance = v->distance - sc->trip[k].dist0;
                        break;
                    }
                v->nnext = 0;
                v->state = VEH_DEPOT;
                break;
            }
        }
    }
    return SL_OK;
}

/* Units fleet f could still take in this step: its vehicles' spare capacity less the units
 * awarded to them in conversations not closed yet. An order announced beyond it would find no
 * vehicle with room, so announcements stop there (see announce_ready). */
static double fleet_room(const sl_sc *sc, const slp_sc_fleet *f)
{
    double room = 0.0;
    for (int v = f->v0; v < f->v0 + f->nv; v++) {
        double s = slp_sc_spare(sc, v) - sc->veh[v].awarded;
        room += s > 0.0 ? s : 0.0;
    }
    return room;
}

/* An order waiting for an announcement: the step it became due (0: never announced) and its
 * index. */
typedef struct due_order {
    uint64_t due;
    size_t i;
} due_order;

static int by_due(const void *a, const void *b)
{
    const due_order *x = a, *y = b;
    if (x->due != y->due)
        return x->due < y->due ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

/* Fleet f's depot announces to its vehicles its READY orders that wait for a vehicle (new ones,
 * and unplaced ones whose retry_wait is over) as long as the fleet's spare units cover them: the
 * orders beyond stay queued for a later step. So the calls for proposals of one step are bounded
 * by what the fleet can take, not by the length of the queue (a fleet too small for the demand
 * would otherwise hear every queued order again at every retry). The least recently announced
 * go first (never announced, then by the step their retry came due), oldest first among equals,
 * so an order that no vehicle can take for other reasons than room (a window, a shift) does not
 * hold up the others. */
static sl_status announce_ready(sl_sc *sc, const slp_sc_fleet *f, uint64_t step, sl_error *e)
{
    if (f->nv == 0)
        return SL_OK;
    sl_cn_agent *bidders = malloc((size_t)f->nv * sizeof *bidders);
    if (!bidders)
        return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", sc->name);
    for (int v = 0; v < f->nv; v++) {
        bidders[v].pop = POP_VEH;
        bidders[v].id = (sl_id)(f->v0 + v) + 1;
    }
    sl_cn_agent mgr = {POP_WH, (sl_id)f->depot + 1};
    sl_status st = SL_OK;
    size_t n = slp_sc_ready_orders(sc, f->depot, NULL, 0);
    size_t *ready = malloc((n ? n : 1) * sizeof *ready);
    if (!ready) {
        free(bidders);
        return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", sc->name);
    }
    slp_sc_ready_orders(sc, f->depot, ready, n);
    double room = fleet_room(sc, f);
    due_order *due = malloc((n ? n : 1) * sizeof *due);
    if (!due) {
        free(ready);
        free(bidders);
        return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", sc->name);
    }
    size_t nd = 0;
    for (size_t r = 0; r < n; r++) {
        const slp_sc_order *o = &sc->orders[ready[r]];
        if (o->fleet_state == SLP_SC_UNPLANNED && o->fleet_t <= step)
            due[nd++] = (due_order){o->fleet_t, ready[r]};
    }
    qsort(due, nd, sizeof *due, by_due);
    for (size_t r = 0; r < nd && room > 0.0; r++) {
        size_t i = due[r].i;
        slp_sc_order *o = &sc->orders[i];
        if (o->qty > room + 1e-9)
            continue;
        room -= o->qty;
        o->fleet_state = SLP_SC_NEGOTIATING;
        sl_cn_task task;
        memset(&task, 0, sizeof task);
        task.item = i;
        task.d[0] = o->qty;
        task.d[1] = (double)o->site;
        if (sl_cnet_announce(sc->cnet, mgr, &task, bidders, f->nv, e) == 0) {
            st = e ? e->code : SL_ERR_NOMEM;
            break;
        }
    }
    free(due);
    free(ready);
    free(bidders);
    return st;
}

static sl_status depart(sl_sc *sc, uint64_t step, sl_error *e)
{
    for (int vi = 0; vi < sc->V; vi++) {
        sc_vehicle *v = &sc->veh[vi];
        if (v->state != VEH_DEPOT || v->nstops == 0)
            continue;
        slp_sc_fleet *fl = &sc->fleet[v->fleet];
        double committed = 0.0;
        for (int p = 0; p < sc->P; p++)
            committed += v->committed[p];
        /* Wait for more orders, unless full. Awards still open then draw on the float. */
        if (step < v->first_commit + (uint64_t)fl->def.dispatch_wait && committed < v->cap - 1e-9)
            continue;
        /* Only inside its shift, with a route that is back by the shift's end. A full vehicle
         * leaving before its planned departure must also be late nowhere (its plan was timed
         * from the planned departure; arriving a day earlier could miss a window). */
        if (sc->timed) {
            if (slp_sc_shift_step(sc, v, step) != step)
                continue;
            int early = step < slp_sc_planned_departure(sc, v, step);
            double limit = slp_sc_shift_limit(sc, v, step);
            if (!isfinite(slp_sc_route_end(sc, v, v->depot, (double)step, v->stops, v->nstops,
                                           -1, 0, limit, early)))
                continue;
            v->limit = limit;
        }
        double spare = floor(fl->def.float_fraction * (v->cap - committed) / (double)sc->P);
        v->trips++;
        fl->tdeps[v->type] += 1.0;
        if (sc->ntrips == sc->captrips) {
            size_t cap = sc->captrips ? sc->captrips * 2 : 64;
            slp_sc_trip *nt = realloc(sc->trip, cap * sizeof *nt);
            if (!nt)
                return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", sc->name);
            sc->trip = nt;
            sc->captrips = cap;
        }
        slp_sc_trip *tr = &sc->trip[sc->ntrips++];
        tr->vehicle = vi;
        tr->route = v->trips;
        tr->start = step;
        tr->end = SLP_SC_NEVER;
        tr->dist0 = v->distance;
        tr->distance = 0.0;
        for (int k = 0; k < v->nstops; k++) {
            sl_status st = slp_sc_order_dispatched(sc, (size_t)v->stops[k], vi, v->trips, step, e);
            if (st != SL_OK)
                return st;
        }
        for (int p = 0; p < sc->P; p++)
            v->load[p] = v->committed[p] + slp_sc_take_stock(sc, v->depot, p, spare);
        v->state = VEH_OUT;
        v->loc = v->depot;
        v->progress = 0.0;
        v->target = sc->orders[v->stops[0]].site;
    }
    return SL_OK;
}

sl_status slp_sc_fleet_init(sl_sc *sc, sl_error *e)
{
    const slp_sc_fleet *cn = NULL; /* the first contract-net fleet gives the net's deadline */
    for (int k = 0; k < sc->F && !cn; k++)
        if (sc->fleet[k].def.mode == SL_SC_CONTRACT_NET)
            cn = &sc->fleet[k];
    if (!cn)
        return SL_OK;
    sl_cnet_def cd = sl_cnet_def_default();
    cd.bid = cn_bid;
    cd.exec = cn_exec;
    cd.on_close = cn_close;
    cd.choose = cn_choose;
    cd.user = sc;
    cd.deadline = (uint32_t)cn->def.cn_deadline;
    cd.world = sc->world;
    sc->cnet = sl_cnet_create(sc->bus, &cd, e);
    return sc->cnet ? SL_OK : (e ? e->code : SL_ERR_NOMEM);
}

/* Planners other than the contract net run every plan_period steps and, with the order
 * trigger, also when an order became READY at the fleet's depot in this step. */
static int planning_due(const sl_sc *sc, const slp_sc_fleet *f, uint64_t step)
{
    if (step % (uint64_t)f->def.plan_period == 0)
        return 1;
    if (f->def.trigger != SL_SC_TRIGGER_ORDER)
        return 0;
    const slp_sc_list *l = &sc->ready_at[f->depot];
    for (size_t k = 0; k < l->n; k++)
        if (sc->orders[l->v[k]].ready == step)
            return 1;
    return 0;
}

/* Transport cost of the step: per fleet and type, fixed cost per departure, distance and time. */
static void add_costs(sl_sc *sc)
{
    for (int k = 0; k < sc->F; k++) {
        slp_sc_fleet *f = &sc->fleet[k];
        for (int t = 0; t < f->def.ntypes; t++) {
            const sl_sc_vtype *y = &f->def.types[t];
            sc->cur.transport_cost += y->fixed_cost * f->tdeps[t] +
                                      y->cost_per_distance * f->tdist[t] +
                                      y->cost_per_time * f->tsteps[t];
            f->tdeps[t] = f->tdist[t] = f->tsteps[t] = 0.0;
        }
    }
}

sl_status slp_sc_fleet_step(sl_sc *sc, uint64_t step, sl_error *e)
{
    sl_status st;
    if (sc->cnet && (st = sl_cnet_step(sc->cnet, e)) != SL_OK)
        return st;
    if ((st = move_vehicles(sc, step, e)) != SL_OK)
        return st;
    for (int k = 0; k < sc->F && st == SL_OK; k++) {
        slp_sc_fleet *f = &sc->fleet[k];
        if (f->def.mode == SL_SC_CONTRACT_NET)
            st = announce_ready(sc, f, step, e);
        else if (planning_due(sc, f, step))
            st = f->def.mode == SL_SC_VRP       ? slp_sc_vrp_plan(sc, f, step, e)
                 : f->def.mode == SL_SC_PLANNER ? slp_sc_fn_plan(sc, f, step, e)
                                                : slp_sc_central_plan(sc, f, step, e);
    }
    if (st == SL_OK)
        st = depart(sc, step, e);
    if (st == SL_OK)
        st = slp_sc_road_legs(sc, e); /* the road path of every leg that starts now */
    add_costs(sc);
    return st;
}
