/* sc_step.c - one step of the supply chain: orders received, shipments received, customer
 * demand, policies and orders, picking, the fleet, KPIs; accessors of the state and the ledger. */
#include <math.h>
#include <stdio.h>
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

/* Orders that reached their depots this step. */
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

/* Customer demand at every store, served from stock; the rest backlogged or lost. */
static sl_status demand(sl_sc *sc, uint64_t step, double *demand_sum, sl_error *e)
{
    for (int s = 0; s < sc->S; s++) {
        int i = sc->store[s];
        const sl_sc_site *site = &sc->site[i];
        for (int p = 0; p < sc->P; p++) {
            size_t k = (size_t)i * (size_t)sc->P + (size_t)p;
            double dem = 0.0;
            sl_status st = slp_sc_demand(sc, i, p, step, &dem, e);
            if (st != SL_OK)
                return st;
            sc->dem[k] = dem;
            double sold = sc->inv[k] < dem ? sc->inv[k] : dem;
            sc->inv[k] -= sold;
            sc->sold[p] += sold;
            sc->cur.demand += dem;
            sc->cur.served += sold;
            *demand_sum += dem;
            if (sold < dem) {
                sc->cur.stockouts++;
                if (site->lost_sales) {
                    sc->cur.lost += dem - sold;
                    sc->cur.lost_cost += site->lost_cost * (dem - sold);
                } else {
                    sc->back[k] += dem - sold;
                }
            }
        }
    }
    return SL_OK;
}

/* Every site's policy; orders go to their source over the bus. Orders shipped by vehicle are
 * at most one vehicle load (the rest is ordered at the next review). */
static sl_status review(sl_sc *sc, uint64_t step, double *store_orders, double *upper_orders,
                        sl_error *e)
{
    for (int i = 0; i < sc->N; i++) {
        const sl_sc_site *site = &sc->site[i];
        if (site->kind == SL_SC_SUPPLIER)
            continue;
        for (int p = 0; p < sc->P; p++) {
            double q = 0.0;
            sl_status st = slp_sc_policy(sc, i, p, &q, e);
            if (st != SL_OK)
                return st;
            if (q <= 0.0)
                continue;
            int d = slp_sc_source_of(sc, i, p, q, e);
            if (d < 0)
                return e ? e->code : SL_ERR_RANGE;
            if (site->kind == SL_SC_STORE && sc->fleet_of[d] >= 0 &&
                sc->fleet[sc->fleet_of[d]].nv > 0 && q > sc->fleet[sc->fleet_of[d]].maxcap)
                q = floor(sc->fleet[sc->fleet_of[d]].maxcap);
            if (q <= 0.0)
                continue;
            slp_sc_order *o = slp_sc_order_new(sc, i, d, p, q, step);
            if (!o)
                return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", sc->name);
            sc->on_order[(size_t)i * (size_t)sc->P + (size_t)p] += q;
            if (site->kind == SL_SC_STORE)
                *store_orders += q;
            else
                *upper_orders += q;
            sl_msg m = sl_msg_to_agent(SL_SC_MSG_ORDER, POP_STORES, (sl_id)i + 1, POP_WH,
                                       (sl_id)d + 1, o->id);
            m.nd = 1;
            m.d[0] = q;
            if (sl_bus_send(sc->bus, 0, &m) != SL_OK)
                return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", sc->name);
        }
    }
    return SL_OK;
}

void slp_sc_mirror(sl_sc *sc)
{
    double *sx = sl_pop_f64(sc->ps, 0), *sy = sl_pop_f64(sc->ps, 1);
    double *si = sl_pop_f64(sc->ps, 2), *sb = sl_pop_f64(sc->ps, 3), *so = sl_pop_f64(sc->ps, 4);
    for (int s = 0; s < sc->S; s++) {
        int i = sc->store[s];
        sx[s] = sc->nx[i];
        sy[s] = sc->ny[i];
        si[s] = sb[s] = so[s] = 0.0;
        for (int p = 0; p < sc->P; p++) {
            size_t k = (size_t)i * (size_t)sc->P + (size_t)p;
            si[s] += sc->inv[k];
            sb[s] += sc->back[k];
            so[s] += sc->on_order[k];
        }
    }
    double *vx = sl_pop_f64(sc->pv, 0), *vy = sl_pop_f64(sc->pv, 1);
    double *vl = sl_pop_f64(sc->pv, 2), *vs = sl_pop_f64(sc->pv, 3), *vb = sl_pop_f64(sc->pv, 4);
    for (int i = 0; i < sc->V; i++) {
        const sc_vehicle *v = &sc->veh[i];
        slp_sc_vehicle_xy(sc, i, &vx[i], &vy[i]);
        vl[i] = 0.0;
        for (int p = 0; p < sc->P; p++)
            vl[i] += v->state == VEH_DEPOT ? v->committed[p] : v->load[p];
        vs[i] = v->nstops;
        vb[i] = v->state != VEH_DEPOT;
    }
}

sl_status sl_sc_step(sl_sc *sc, sl_error *e)
{
    if (sc->finished)
        return SL_OK;
    uint64_t step = sl_world_step_count(sc->world);
    sc->step = step;
    memset(&sc->cur, 0, sizeof sc->cur);
    memset(sc->dem, 0, (size_t)sc->N * (size_t)sc->P * sizeof *sc->dem);
    sl_status st;
    if (!receive_orders(sc, step))
        return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", sc->name);
    if ((st = slp_sc_receive_shipments(sc, step, e)) != SL_OK)
        return st;
    double demand_sum = 0.0, store_orders = 0.0, upper_orders = 0.0;
    if ((st = demand(sc, step, &demand_sum, e)) != SL_OK ||
        (st = review(sc, step, &store_orders, &upper_orders, e)) != SL_OK ||
        (st = slp_sc_pick(sc, step, e)) != SL_OK || (st = slp_sc_fleet_step(sc, step, e)) != SL_OK)
        return st;
    if (sl_bus_end_step(sc->bus, step) != SL_OK)
        return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", sc->name);
    if (step >= (uint64_t)sc->def.warmup &&
        (!series_push(&sc->s_demand, demand_sum) ||
         !series_push(&sc->s_store_orders, store_orders) ||
         !series_push(&sc->s_wh_orders, upper_orders)))
        return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", sc->name);

    /* KPIs of the step, then run totals. */
    sl_sc_kpis *c = &sc->cur, *t = &sc->tot;
    double holding = 0.0, backlog = 0.0, backlog_cost = 0.0, upper = 0.0;
    for (int i = 0; i < sc->N; i++) {
        const sl_sc_site *site = &sc->site[i];
        for (int p = 0; p < sc->P; p++) {
            size_t k = (size_t)i * (size_t)sc->P + (size_t)p;
            double units = sc->inv[k] + sc->reserved[k];
            holding += site->holding_cost * units;
            if (site->kind == SL_SC_STORE) {
                backlog += sc->back[k];
                backlog_cost += site->backlog_cost * sc->back[k];
            } else if (site->kind != SL_SC_SUPPLIER) {
                upper += units;
            }
        }
    }
    const sl_bus_stats *bs = sl_bus_stats_get(sc->bus);
    c->steps = 1;
    c->backlog = backlog;
    c->holding_cost = holding;
    c->backlog_cost = backlog_cost;
    /* c->transport_cost: added by the fleets (fixed, distance and time costs of their types) */
    c->total_cost = c->holding_cost + c->backlog_cost + c->lost_cost + c->transport_cost;
    c->messages = (double)bs->sent;
    c->bytes = (double)bs->bytes;
    c->fill_rate = c->demand > 0 ? c->served / c->demand : 1.0;
    c->cost_per_unit = c->delivered > 0 ? c->transport_cost / c->delivered : NAN;
    c->utilisation = sc->V > 0 ? c->utilisation / (double)sc->V : 0.0;
    c->bullwhip_stores = c->bullwhip_warehouse = NAN;
    c->order_lead = c->lateness = NAN;
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

    slp_sc_mirror(sc);
    sl_recorder *rec = sl_world_recorder(sc->world);
    double vals[9] = {c->fill_rate, backlog, c->holding_cost, c->backlog_cost, c->distance,
                      c->delivered, c->messages, c->bytes, upper};
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
    k.lateness = k.orders > 0 ? sc->lateness_sum / k.orders : NAN;
    k.late_orders = sc->late_orders;
    double busy = 0.0;
    for (int v = 0; v < sc->V; v++)
        busy += sc->veh[v].busy_steps;
    k.utilisation = k.steps > 0 && sc->V > 0 ? busy / (k.steps * sc->V) : 0.0;
    double vd = sl_variance(sc->s_demand.v, sc->s_demand.n);
    double vs = sl_variance(sc->s_store_orders.v, sc->s_store_orders.n);
    double vw = sl_variance(sc->s_wh_orders.v, sc->s_wh_orders.n);
    k.bullwhip_stores = vd > 0 ? vs / vd : NAN;
    k.bullwhip_warehouse = vs > 0 ? vw / vs : NAN;
    return k;
}

void sl_sc_conservation(const sl_sc *sc, int p, double *held, double *entered)
{
    double h = 0.0, in = 0.0;
    for (int q = 0; q < sc->P; q++) {
        if (p >= 0 && q != p)
            continue;
        h += sc->sold[q] + sc->transit[q] + sc->lost[q];
        in += sc->entered[q];
        for (int i = 0; i < sc->N; i++) {
            size_t k = (size_t)i * (size_t)sc->P + (size_t)q;
            h += sc->inv[k] + sc->reserved[k];
        }
    }
    *held = h;
    *entered = in;
}

/* ---- the ledger as records ---- */

static const char *status_names[5] = {"sent", "open", "ready", "transit", "delivered"};

const char *sl_sc_status_name(int status)
{
    return status >= 0 && status < 5 ? status_names[status] : "?";
}

size_t sl_sc_orders(const sl_sc *sc)
{
    return sc->norders;
}

static int64_t time_of(uint64_t t)
{
    return t == SLP_SC_NEVER ? -1 : (int64_t)t;
}

sl_sc_order_info sl_sc_order_get(const sl_sc *sc, size_t i)
{
    const slp_sc_order *o = &sc->orders[i];
    sl_sc_order_info r;
    r.id = o->id;
    r.site = sc->site[o->site].id;
    r.depot = sc->site[o->depot].id;
    r.product = o->product;
    r.quantity = o->qty;
    r.created = time_of(o->created);
    r.promised = time_of(o->promised);
    r.ready = time_of(o->ready);
    r.dispatched = time_of(o->dispatched);
    r.delivered = time_of(o->delivered);
    r.lateness = o->status == SLP_SC_DELIVERED ? (double)r.delivered - (double)r.promised : NAN;
    r.vehicle = o->status >= SLP_SC_TRANSIT ? o->vehicle : -1;
    r.route = o->status >= SLP_SC_TRANSIT ? o->route : -1;
    r.status = o->status;
    r.arrival = o->arrival;
    r.wait = o->wait;
    r.window_late = o->late;
    return r;
}

static void put_time(FILE *f, int64_t t)
{
    if (t >= 0)
        fprintf(f, ",%lld", (long long)t);
    else
        fputc(',', f);
}

sl_status sl_sc_write_orders(const sl_sc *sc, const char *path, sl_error *e)
{
    char part[4096];
    if (snprintf(part, sizeof part, "%s.part", path) >= (int)sizeof part)
        return sl_error_set(e, SL_ERR_IO, "%s: path too long", path);
    FILE *f = fopen(part, "w");
    if (!f)
        return sl_error_set(e, SL_ERR_IO, "%s: cannot write", path);
    fputs("order,site,depot,product,quantity,created,promised,ready,dispatched,delivered,"
          "lateness,vehicle,route,status,arrival,wait,window_late\n", f);
    for (size_t i = 0; i < sc->norders; i++) {
        sl_sc_order_info r = sl_sc_order_get(sc, i);
        fprintf(f, "%llu,%lld,%lld,%d,%.17g", (unsigned long long)r.id, r.site, r.depot,
                r.product + 1, r.quantity);
        put_time(f, r.created);
        put_time(f, r.promised);
        put_time(f, r.ready);
        put_time(f, r.dispatched);
        put_time(f, r.delivered);
        if (r.status == SL_SC_DELIVERED)
            fprintf(f, ",%.17g", r.lateness);
        else
            fputc(',', f);
        if (r.vehicle >= 0)
            fprintf(f, ",%d,%d", r.vehicle + 1, r.route);
        else
            fputs(",,", f);
        fprintf(f, ",%s", sl_sc_status_name(r.status));
        if (!isnan(r.arrival))
            fprintf(f, ",%.17g,%.17g,%.17g\n", r.arrival, r.wait, r.window_late);
        else
            fputs(",,,\n", f);
    }
    int bad = ferror(f);
    if (fclose(f) != 0 || bad || rename(part, path) != 0) {
        remove(part);
        return sl_error_set(e, SL_ERR_IO, "%s: write failed", path);
    }
    return SL_OK;
}

int sl_sc_vehicle_route(const sl_sc *sc, int v, int *stores, int max)
{
    const sc_vehicle *veh = &sc->veh[v];
    int n = veh->nstops < max ? veh->nstops : max;
    for (int k = 0; k < n; k++)
        stores[k] = sc->store_of[sc->orders[veh->stops[k]].site];
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
    sc->finished = 1;
    if (!sc->cnet)
        return SL_OK;
    sl_status st = sl_cnet_abort_open(sc->cnet, e);
    if (st != SL_OK)
        return st;
    return sl_cnet_close_trace(sc->cnet, e);
}
