/* sc_step.c - one step of the supply chain: messages, supplier, vehicles, demand, orders,
 * allocation, departures, KPIs. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "sc_internal.h"
#include "swarmlab/recorder.h"

#define dist slp_sc_dist

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

/* Orders that reached the warehouse this step. */
static int receive_orders(sl_sc *sc, uint64_t step)
{
    size_t n;
    const sl_msg *m = sl_bus_delivered(sc->bus, &n);
    for (size_t i = 0; i < n; i++) {
        if (m[i].type != SL_SC_MSG_ORDER || m[i].conv == 0 || m[i].conv > sc->norders)
            continue;
        if (sc->orders[m[i].conv - 1].status != SLP_SC_SENT)
            continue;
        if (!slp_sc_order_received(sc, (size_t)(m[i].conv - 1), step))
            return 0;
    }
    return 1;
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
        for (int p = 0; p < sc->P; p++) {
            double qp = q[p] < d->capacity ? q[p] : floor(d->capacity); /* one vehicle load */
            if (qp <= 0.0)
                continue;
            slp_sc_order *o = slp_sc_order_new(sc, s + 1, 0, p, qp, step);
            if (!o) {
                *st = SL_ERR_NOMEM;
                return;
            }
            sc->on_order[(size_t)s * (size_t)sc->P + (size_t)p] += qp;
            *orders_sum += qp;
            sl_msg m = sl_msg_to_agent(SL_SC_MSG_ORDER, POP_STORES, (sl_id)s + 1, POP_WH, 1, o->id);
            m.nd = 1;
            m.d[0] = qp;
            if (sl_bus_send(sc->bus, 0, &m) != SL_OK) {
                *st = SL_ERR_NOMEM;
                return;
            }
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
    if (!receive_orders(sc, step))
        return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", sc->name);
    int L = sc->def.supplier_lead;
    size_t slot = (size_t)(step % (uint64_t)(L + 1));
    for (int p = 0; p < sc->P; p++) {
        double a = sc->arrive[slot * (size_t)sc->P + (size_t)p];
        sc->stock[p] += a;
        sc->entered += a;
        sc->arrive[slot * (size_t)sc->P + (size_t)p] = 0.0;
    }
    double demand_sum = 0.0, orders_sum = 0.0;
    st = SL_OK;
    demand_and_review(sc, step, &demand_sum, &orders_sum, &st);
    if (st != SL_OK)
        return sl_error_set(e, st, "%s: out of memory", sc->name);
    double wh_orders = warehouse_review(sc, step);
    if ((st = slp_sc_pick(sc, step, e)) != SL_OK || (st = slp_sc_fleet_step(sc, step, e)) != SL_OK)
        return st;
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
        h += sc->stock[p] + sc->reserved[p] + sc->transit[p];
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
        stores[k] = sc->orders[veh->stops[k]].site - 1;
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
    sl_status st = sl_cnet_abort_open(sc->cnet, e);
    if (st != SL_OK)
        return st;
    return sl_cnet_close_trace(sc->cnet, e);
}
