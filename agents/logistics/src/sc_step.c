/* sc_step.c - one step of the supply chain: messages, supplier, vehicles, demand, orders,
 * allocation, departures, KPIs. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "sc_internal.h"
#include "swarmlab/recorder.h"

static double dist(const sl_sc *sc, int a, int b)
{
    return sc->D[(size_t)a * (size_t)sc->N + (size_t)b];
}

static int series_push(sc_series *s, double v)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 256;
        double *nv = realloc(s->v, cap * sizeof *nv);
        if (!nv)
            return 0;
        s->v = nv;
        s->cap = cap;
    }
    s->v[s->n++] = v;
    return 1;
}

static sc_order *new_order(sl_sc *sc)
{
    if (sc->norders == sc->caporders) {
        size_t cap = sc->caporders ? sc->caporders * 2 : 256;
        sc_order *no = realloc(sc->orders, cap * sizeof *no);
        if (!no)
            return NULL;
        sc->orders = no;
        sc->caporders = cap;
    }
    sc_order *o = &sc->orders[sc->norders++];
    memset(o, 0, sizeof *o);
    o->id = sc->norders;
    o->vehicle = -1;
    return o;
}

/* Orders that reached the warehouse this step. */
static void receive_orders(sl_sc *sc, uint64_t step)
{
    size_t n;
    const sl_msg *m = sl_bus_delivered(sc->bus, &n);
    for (size_t i = 0; i < n; i++) {
        if (m[i].type != SL_SC_MSG_ORDER || m[i].conv == 0 || m[i].conv > sc->norders)
            continue;
        sc_order *o = &sc->orders[m[i].conv - 1];
        if (o->state != ORD_SENT)
            continue;
        o->state = ORD_WAITING;
        o->ready = step + (uint64_t)sc->def.lead_time;
        for (int p = 0; p < sc->P; p++)
            sc->waiting[p] += o->q[p];
    }
}

static void deliver(sl_sc *sc, sc_vehicle *v, int o, uint64_t step)
{
    sc_order *ord = &sc->orders[o];
    int s = ord->store;
    for (int p = 0; p < sc->P; p++) {
        double q = ord->q[p];
        v->load[p] -= q;
        v->committed[p] -= q;
        size_t k = (size_t)s * (size_t)sc->P + (size_t)p;
        double f = sc->back[k] < q ? sc->back[k] : q;
        sc->back[k] -= f;
        sc->sold_total += f;
        sc->inv[k] += q - f;
        sc->on_order[k] -= q;
    }
    ord->state = ORD_DELIVERED;
    ord->delivered = step;
    sc->cur.delivered += ord->units;
    sc->cur.orders++;
    sc->order_lead_sum += (double)(step - ord->placed);
}

static void move_vehicles(sl_sc *sc, uint64_t step)
{
    for (int vi = 0; vi < sc->V; vi++) {
        sc_vehicle *v = &sc->veh[vi];
        if (v->state == VEH_DEPOT)
            continue;
        v->busy_steps += 1.0;
        sc->cur.utilisation += 1.0;
        double budget = sc->def.speed;
        while (budget > 0.0) {
            double leg = dist(sc, v->loc, v->target) - v->progress;
            if (budget < leg) {
                v->progress += budget;
                v->distance += budget;
                sc->cur.distance += budget;
                break;
            }
            budget -= leg;
            v->distance += leg;
            sc->cur.distance += leg;
            v->loc = v->target;
            v->progress = 0.0;
            if (v->state == VEH_OUT) {
                int o = v->stops[0];
                deliver(sc, v, o, step);
                memmove(v->stops, v->stops + 1, (size_t)(v->nstops - 1) * sizeof(int));
                v->nstops--;
                if (v->nstops > 0) {
                    v->target = sc->orders[v->stops[0]].store + 1;
                } else {
                    v->state = VEH_RETURNING;
                    v->target = 0;
                }
            } else { /* back at the depot: the float goes back into stock */
                for (int p = 0; p < sc->P; p++) {
                    sc->stock[p] += v->load[p];
                    v->load[p] = 0.0;
                    v->committed[p] = 0.0;
                }
                v->state = VEH_DEPOT;
                break;
            }
        }
    }
}

static void demand_and_review(sl_sc *sc, uint64_t step, double *demand_sum, double *orders_sum,
                              sl_status *st)
{
    const sl_sc_def *d = &sc->def;
    for (int s = 0; s < sc->S; s++) {
        double q[SL_SC_MAX_PROD], total = 0.0;
        for (int p = 0; p < sc->P; p++) {
            size_t k = (size_t)s * (size_t)sc->P + (size_t)p;
            double dem = sl_demand_draw(&d->demand, d->seed, k, step);
            double sold = sc->inv[k] < dem ? sc->inv[k] : dem;
            sc->inv[k] -= sold;
            sc->sold_total += sold;
            sc->cur.demand += dem;
            sc->cur.served += sold;
            *demand_sum += dem;
            if (sold < dem) {
                sc->cur.stockouts++;
                if (d->lost_sales) {
                    sc->cur.lost += dem - sold;
                    sc->cur.lost_cost += d->lost_cost * (dem - sold);
                } else {
                    sc->back[k] += dem - sold;
                }
            }
            sc->vel[k] = sl_policy_velocity(&d->store_policy, sc->vel[k], dem);
            double pos = sc->inv[k] - sc->back[k] + sc->on_order[k];
            q[p] = sl_policy_order(&d->store_policy, pos, sc->inv[k], sc->vel[k]);
            total += q[p];
        }
        if (total <= 0.0)
            continue;
        if (total > d->capacity) { /* one vehicle load at most; the rest next step */
            double f = d->capacity / total;
            total = 0.0;
            for (int p = 0; p < sc->P; p++) {
                q[p] = floor(q[p] * f);
                total += q[p];
            }
            if (total <= 0.0)
                continue;
        }
        sc_order *o = new_order(sc);
        if (!o) {
            *st = SL_ERR_NOMEM;
            return;
        }
        o->store = s;
        o->state = ORD_SENT;
        o->placed = step;
        o->units = total;
        for (int p = 0; p < sc->P; p++) {
            o->q[p] = q[p];
            sc->on_order[(size_t)s * (size_t)sc->P + (size_t)p] += q[p];
        }
        *orders_sum += total;
        sl_msg m = sl_msg_to_agent(SL_SC_MSG_ORDER, POP_STORES, (sl_id)s + 1, POP_WH, 1, o->id);
        m.nd = 1;
        m.d[0] = total;
        if (sl_bus_send(sc->bus, 0, &m) != SL_OK) {
            *st = SL_ERR_NOMEM;
            return;
        }
    }
}

static double warehouse_review(sl_sc *sc, uint64_t step)
{
    int L = sc->def.supplier_lead;
    double placed = 0.0;
    for (int p = 0; p < sc->P; p++) {
        double pipe = 0.0;
        for (int k = 0; k <= L; k++)
            pipe += sc->arrive[(size_t)k * (size_t)sc->P + (size_t)p];
        double pos = sc->stock[p] + pipe - sc->waiting[p];
        double q = sl_policy_order(&sc->def.wh_policy, pos, sc->stock[p], 0.0);
        if (q > 0.0) {
            size_t slot = (size_t)((step + (uint64_t)L) % (uint64_t)(L + 1));
            sc->arrive[slot * (size_t)sc->P + (size_t)p] += q;
            placed += q;
        }
    }
    return placed;
}

static sl_status announce_ready(sl_sc *sc, uint64_t step, sl_error *e)
{
    sl_cn_agent *bidders = malloc((size_t)sc->V * sizeof *bidders);
    if (!bidders)
        return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", sc->name);
    for (int v = 0; v < sc->V; v++) {
        bidders[v].pop = POP_VEH;
        bidders[v].id = (sl_id)v + 1;
    }
    sl_cn_agent mgr = {POP_WH, 1};
    sl_status st = SL_OK;
    for (size_t i = 0; i < sc->norders; i++) {
        sc_order *o = &sc->orders[i];
        if (o->state != ORD_WAITING || o->ready > step || !slp_sc_stock_covers(sc, (int)i))
            continue;
        slp_sc_reserve(sc, (int)i);
        o->state = ORD_NEGOTIATING;
        sl_cn_task task;
        memset(&task, 0, sizeof task);
        task.item = i;
        task.d[0] = o->units;
        task.d[1] = (double)o->store;
        if (sl_cnet_announce(sc->cnet, step, mgr, &task, bidders, sc->V, e) == 0) {
            st = e ? e->code : SL_ERR_NOMEM;
            break;
        }
    }
    free(bidders);
    return st;
}

static void depart(sl_sc *sc, uint64_t step)
{
    for (int vi = 0; vi < sc->V; vi++) {
        sc_vehicle *v = &sc->veh[vi];
        if (v->state != VEH_DEPOT || v->nstops == 0)
            continue;
        double committed = 0.0;
        for (int p = 0; p < sc->P; p++)
            committed += v->committed[p];
        /* Wait for more orders, unless full. Awards still open then draw on the float. */
        if (step < v->first_commit + (uint64_t)sc->def.dispatch_wait &&
            committed < sc->def.capacity - 1e-9)
            continue;
        double spare = floor(sc->def.float_fraction * (sc->def.capacity - committed) /
                             (double)sc->P);
        for (int p = 0; p < sc->P; p++) {
            v->load[p] = v->committed[p];
            sc->reserved[p] -= v->committed[p];
            double f = spare < sc->stock[p] ? spare : floor(sc->stock[p]);
            if (f < 0)
                f = 0;
            v->load[p] += f;
            sc->stock[p] -= f;
        }
        v->state = VEH_OUT;
        v->loc = 0;
        v->progress = 0.0;
        v->target = sc->orders[v->stops[0]].store + 1;
    }
}

static void mirror(sl_sc *sc)
{
    double *sx = sl_pop_f64(sc->ps, 0), *sy = sl_pop_f64(sc->ps, 1);
    double *si = sl_pop_f64(sc->ps, 2), *sb = sl_pop_f64(sc->ps, 3), *so = sl_pop_f64(sc->ps, 4);
    for (int s = 0; s < sc->S; s++) {
        sx[s] = sc->nx[s + 1];
        sy[s] = sc->ny[s + 1];
        si[s] = sb[s] = so[s] = 0.0;
        for (int p = 0; p < sc->P; p++) {
            size_t k = (size_t)s * (size_t)sc->P + (size_t)p;
            si[s] += sc->inv[k];
            sb[s] += sc->back[k];
            so[s] += sc->on_order[k];
        }
    }
    double *vx = sl_pop_f64(sc->pv, 0), *vy = sl_pop_f64(sc->pv, 1);
    double *vl = sl_pop_f64(sc->pv, 2), *vs = sl_pop_f64(sc->pv, 3), *vb = sl_pop_f64(sc->pv, 4);
    for (int i = 0; i < sc->V; i++) {
        const sc_vehicle *v = &sc->veh[i];
        double leg = dist(sc, v->loc, v->target);
        double f = v->state != VEH_DEPOT && leg > 0 ? v->progress / leg : 0.0;
        int a = v->state == VEH_DEPOT ? 0 : v->loc, b = v->state == VEH_DEPOT ? 0 : v->target;
        vx[i] = sc->nx[a] + f * (sc->nx[b] - sc->nx[a]);
        vy[i] = sc->ny[a] + f * (sc->ny[b] - sc->ny[a]);
        vl[i] = 0.0;
        for (int p = 0; p < sc->P; p++)
            vl[i] += v->state == VEH_DEPOT ? v->committed[p] : v->load[p];
        vs[i] = v->nstops;
        vb[i] = v->state != VEH_DEPOT;
    }
}

sl_status sl_sc_step(sl_sc *sc, uint64_t step, sl_error *e)
{
    sc->step = step;
    memset(&sc->cur, 0, sizeof sc->cur);
    sl_status st;
    if (sc->cnet && (st = sl_cnet_step(sc->cnet, step, e)) != SL_OK)
        return st;
    receive_orders(sc, step);
    int L = sc->def.supplier_lead;
    size_t slot = (size_t)(step % (uint64_t)(L + 1));
    for (int p = 0; p < sc->P; p++) {
        double a = sc->arrive[slot * (size_t)sc->P + (size_t)p];
        sc->stock[p] += a;
        sc->entered += a;
        sc->arrive[slot * (size_t)sc->P + (size_t)p] = 0.0;
    }
    move_vehicles(sc, step);
    double demand_sum = 0.0, orders_sum = 0.0;
    st = SL_OK;
    demand_and_review(sc, step, &demand_sum, &orders_sum, &st);
    if (st != SL_OK)
        return sl_error_set(e, st, "%s: out of memory", sc->name);
    double wh_orders = warehouse_review(sc, step);
    if (sc->cnet)
        st = announce_ready(sc, step, e);
    else
        st = slp_sc_central_plan(sc, step, e);
    if (st != SL_OK)
        return st;
    depart(sc, step);
    if (sl_bus_end_step(sc->bus, step) != SL_OK)
        return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", sc->name);
    if (step >= (uint64_t)sc->def.warmup &&
        (!series_push(&sc->s_demand, demand_sum) ||
         !series_push(&sc->s_store_orders, orders_sum) ||
         !series_push(&sc->s_wh_orders, wh_orders)))
        return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", sc->name);

    /* KPIs of the step, then run totals. */
    sl_sc_kpis *c = &sc->cur, *t = &sc->tot;
    const sl_sc_def *d = &sc->def;
    double stores_inv = 0.0, backlog = 0.0, wh = 0.0;
    for (size_t k = 0; k < (size_t)sc->S * (size_t)sc->P; k++) {
        stores_inv += sc->inv[k];
        backlog += sc->back[k];
    }
    for (int p = 0; p < sc->P; p++)
        wh += sc->stock[p] + sc->reserved[p];
    const sl_bus_stats *bs = sl_bus_stats_get(sc->bus);
    c->steps = 1;
    c->backlog = backlog;
    c->holding_cost = d->h_store * stores_inv + d->h_wh * wh;
    c->backlog_cost = d->backlog_cost * backlog;
    c->transport_cost = d->km_cost * c->distance;
    c->total_cost = c->holding_cost + c->backlog_cost + c->lost_cost + c->transport_cost;
    c->messages = (double)bs->sent;
    c->bytes = (double)bs->bytes;
    c->fill_rate = c->demand > 0 ? c->served / c->demand : 1.0;
    c->cost_per_unit = c->delivered > 0 ? c->transport_cost / c->delivered : NAN;
    c->utilisation /= (double)sc->V;
    c->bullwhip_stores = c->bullwhip_warehouse = NAN;
    c->order_lead = NAN;
    t->steps += 1;
    t->demand += c->demand;
    t->served += c->served;
    t->stockouts += c->stockouts;
    t->lost += c->lost;
    t->holding_cost += c->holding_cost;
    t->backlog_cost += c->backlog_cost;
    t->lost_cost += c->lost_cost;
    t->transport_cost += c->transport_cost;
    t->total_cost += c->total_cost;
    t->distance += c->distance;
    t->delivered += c->delivered;
    t->orders += c->orders;
    t->messages += c->messages;
    t->bytes += c->bytes;
    t->backlog = backlog;

    mirror(sc);
    sl_recorder *rec = sl_world_recorder(sc->world);
    double vals[9] = {c->fill_rate, backlog, c->holding_cost, c->backlog_cost, c->distance,
                      c->delivered, c->messages, c->bytes, wh};
    for (int m = 0; m < 9; m++)
        sl_recorder_set(rec, sc->metric[m], vals[m]);
    return SL_OK;
}

sl_sc_kpis sl_sc_kpis_step(const sl_sc *sc)
{
    return sc->cur;
}

sl_sc_kpis sl_sc_kpis_run(const sl_sc *sc)
{
    sl_sc_kpis k = sc->tot;
    k.fill_rate = k.demand > 0 ? k.served / k.demand : 1.0;
    k.cost_per_unit = k.delivered > 0 ? k.transport_cost / k.delivered : NAN;
    k.order_lead = k.orders > 0 ? sc->order_lead_sum / k.orders : NAN;
    double busy = 0.0;
    for (int v = 0; v < sc->V; v++)
        busy += sc->veh[v].busy_steps;
    k.utilisation = k.steps > 0 ? busy / (k.steps * sc->V) : 0.0;
    double vd = sl_variance(sc->s_demand.v, sc->s_demand.n);
    double vs = sl_variance(sc->s_store_orders.v, sc->s_store_orders.n);
    double vw = sl_variance(sc->s_wh_orders.v, sc->s_wh_orders.n);
    k.bullwhip_stores = vd > 0 ? vs / vd : NAN;
    k.bullwhip_warehouse = vs > 0 ? vw / vs : NAN;
    return k;
}

void sl_sc_conservation(const sl_sc *sc, double *held, double *entered)
{
    double h = sc->sold_total;
    for (int p = 0; p < sc->P; p++)
        h += sc->stock[p] + sc->reserved[p];
    for (int v = 0; v < sc->V; v++)
        for (int p = 0; p < sc->P; p++)
            h += sc->veh[v].load[p];
    for (size_t k = 0; k < (size_t)sc->S * (size_t)sc->P; k++)
        h += sc->inv[k];
    *held = h;
    *entered = sc->entered;
}

int sl_sc_vehicle_route(const sl_sc *sc, int v, int *stores, int max)
{
    const sc_vehicle *veh = &sc->veh[v];
    int n = veh->nstops < max ? veh->nstops : max;
    for (int k = 0; k < n; k++)
        stores[k] = sc->orders[veh->stops[k]].store;
    return n;
}

sl_bus *sl_sc_bus(sl_sc *sc)
{
    return sc->bus;
}

sl_cnet *sl_sc_cnet(sl_sc *sc)
{
    return sc->cnet;
}

const char *sl_sc_name(const sl_sc *sc)
{
    return sc->name;
}

sl_status sl_sc_open_trace(sl_sc *sc, const char *path, sl_error *e)
{
    if (!sc->cnet)
        return sl_error_set(e, SL_ERR_STATE, "%s: a message trace needs contract-net mode",
                            sc->name);
    return sl_cnet_open_trace(sc->cnet, path, e);
}

sl_status sl_sc_finish(sl_sc *sc, sl_error *e)
{
    if (!sc->cnet)
        return SL_OK;
    sl_status st = sl_cnet_abort_open(sc->cnet, sc->step + 1, e);
    if (st != SL_OK)
        return st;
    return sl_cnet_close_trace(sc->cnet, e);
}
