/* sc_orders.c - the order ledger: records, picking at the depot, dispatch and delivery.
 *
 * Units move only here (besides demand and supplier receipts in the step): free stock at the
 * depot -> reserved (pick) -> in transit (dispatch) -> the site's stock (delivery). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "sc_internal.h"

static int list_push(slp_sc_list *l, size_t x)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        size_t *nv = realloc(l->v, cap * sizeof *nv);
        if (!nv)
            return 0;
        l->v = nv;
        l->cap = cap;
    }
    l->v[l->n++] = x;
    return 1;
}

/* Removes x keeping the order (the lists are short: orders waiting at one depot). */
static int list_remove(slp_sc_list *l, size_t x)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i] == x) {
            memmove(l->v + i, l->v + i + 1, (l->n - i - 1) * sizeof *l->v);
            l->n--;
            return 1;
        }
    return 0;
}

int slp_sc_by_vehicle(const sl_sc *sc, const slp_sc_order *o)
{
    return sc->fleet_of[o->depot] >= 0 && sc->fleet[sc->fleet_of[o->depot]].nv > 0 &&
           sc->site[o->site].kind == SL_SC_STORE;
}

slp_sc_order *slp_sc_order_new(sl_sc *sc, int site, int depot, int product, double qty,
                               uint64_t step)
{
    if (sc->norders == sc->caporders) {
        size_t cap = sc->caporders ? sc->caporders * 2 : 256;
        slp_sc_order *no = realloc(sc->orders, cap * sizeof *no);
        if (!no)
            return NULL;
        sc->orders = no;
        sc->caporders = cap;
    }
    slp_sc_order *o = &sc->orders[sc->norders++];
    memset(o, 0, sizeof *o);
    o->id = sc->norders;
    o->site = site;
    o->depot = depot;
    o->product = product;
    o->qty = qty;
    o->status = SLP_SC_SENT;
    o->created = step;
    o->promised = step + (uint64_t)sc->site[depot].lead + (uint64_t)sc->site[depot].ship_time +
                  (uint64_t)sc->def.promise;
    o->pick_after = SLP_SC_NEVER;
    o->ready = o->dispatched = o->delivered = SLP_SC_NEVER;
    o->vehicle = o->route = -1;
    o->arrival = NAN;
    o->wait = o->late = 0.0;
    o->fleet_state = SLP_SC_UNPLANNED;
    return o;
}

/* The order reached its depot: it waits there for its processing time and for stock. */
int slp_sc_order_received(sl_sc *sc, size_t i, uint64_t step)
{
    slp_sc_order *o = &sc->orders[i];
    size_t k = (size_t)o->depot * (size_t)sc->P + (size_t)o->product;
    o->status = SLP_SC_OPEN;
    o->pick_after = step + (uint64_t)sc->site[o->depot].lead;
    sc->waiting[k] += o->qty;
    sc->dem[k] += o->qty;
    return list_push(&sc->open_at[o->depot], i);
}

/* Dispatches a READY order that goes without a vehicle: it arrives after the depot's ship time. */
static sl_status ship_direct(sl_sc *sc, size_t i, uint64_t step, sl_error *e)
{
    slp_sc_order *o = &sc->orders[i];
    size_t k = (size_t)o->depot * (size_t)sc->P + (size_t)o->product;
    sc->reserved[k] -= o->qty;
    sc->transit[o->product] += o->qty;
    o->status = SLP_SC_TRANSIT;
    o->dispatched = step;
    if (!list_push(&sc->shipping, i))
        return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", sc->name);
    return SL_OK;
}

sl_status slp_sc_pick(sl_sc *sc, uint64_t step, sl_error *e)
{
    for (int d = 0; d < sc->N; d++) {
        slp_sc_list *l = &sc->open_at[d];
        int kind = sc->site[d].kind;
        size_t keep = 0;
        for (size_t n = 0; n < l->n; n++) {
            size_t i = l->v[n];
            slp_sc_order *o = &sc->orders[i];
            int p = o->product;
            size_t k = (size_t)d * (size_t)sc->P + (size_t)p;
            int makes = kind == SL_SC_SUPPLIER || (kind == SL_SC_PLANT && o->site == d);
            if (o->pick_after > step || (!makes && sc->inv[k] < o->qty)) {
                l->v[keep++] = i; /* stays OPEN; a later order may still be picked */
                continue;
            }
            if (makes)
                sc->entered[p] += o->qty; /* supplied or made now */
            else
                sc->inv[k] -= o->qty;
            sc->reserved[k] += o->qty;
            sc->waiting[k] -= o->qty;
            o->status = SLP_SC_READY;
            o->ready = step;
            sl_status st = SL_OK;
            if (slp_sc_by_vehicle(sc, o)) {
                if (!list_push(&sc->ready_at[d], i))
                    st = sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", sc->name);
            } else {
                st = ship_direct(sc, i, step, e);
            }
            if (st != SL_OK) {
                for (size_t m = n + 1; m < l->n; m++) /* keep the list whole */
                    l->v[keep++] = l->v[m];
                l->n = keep;
                return st;
            }
        }
        l->n = keep;
    }
    return SL_OK;
}

sl_status slp_sc_receive_shipments(sl_sc *sc, uint64_t step, sl_error *e)
{
    slp_sc_list *l = &sc->shipping;
    size_t keep = 0;
    sl_status st = SL_OK;
    for (size_t n = 0; n < l->n; n++) {
        size_t i = l->v[n];
        const slp_sc_order *o = &sc->orders[i];
        if (st != SL_OK || o->dispatched + (uint64_t)sc->site[o->depot].ship_time > step) {
            l->v[keep++] = i;
            continue;
        }
        st = slp_sc_order_delivered(sc, i, step, e);
    }
    l->n = keep;
    return st;
}

size_t slp_sc_ready_orders(const sl_sc *sc, int depot, size_t *out, size_t max)
{
    const slp_sc_list *l = &sc->ready_at[depot];
    size_t n = l->n < max ? l->n : max;
    if (n > 0)
        memcpy(out, l->v, n * sizeof *out);
    return l->n;
}

sl_status slp_sc_order_dispatched(sl_sc *sc, size_t order, int vehicle, int route, uint64_t step,
                                  sl_error *e)
{
    if (order >= sc->norders || sc->orders[order].status != SLP_SC_READY)
        return sl_error_set(e, SL_ERR_STATE, "%s: order %llu dispatched but it is not ready",
                            sc->name, (unsigned long long)order + 1);
    slp_sc_order *o = &sc->orders[order];
    list_remove(&sc->ready_at[o->depot], order);
    sc->reserved[(size_t)o->depot * (size_t)sc->P + (size_t)o->product] -= o->qty;
    sc->transit[o->product] += o->qty;
    o->status = SLP_SC_TRANSIT;
    o->dispatched = step;
    o->vehicle = vehicle;
    o->route = route;
    return SL_OK;
}

sl_status slp_sc_order_delivered(sl_sc *sc, size_t order, uint64_t step, sl_error *e)
{
    if (order >= sc->norders || sc->orders[order].status != SLP_SC_TRANSIT)
        return sl_error_set(e, SL_ERR_STATE, "%s: order %llu delivered but it is not in transit",
                            sc->name, (unsigned long long)order + 1);
    slp_sc_order *o = &sc->orders[order];
    int p = o->product;
    double q = o->qty;
    size_t k = (size_t)o->site * (size_t)sc->P + (size_t)p;
    sc->transit[p] -= q;
    sc->on_order[k] -= q;
    if (sc->site[o->site].kind == SL_SC_STORE) {
        double f = sc->back[k] < q ? sc->back[k] : q; /* the backlog is served first */
        sc->back[k] -= f;
        sc->sold[p] += f;
        q -= f;
    }
    double room = sc->site[o->site].capacity - sc->inv[k];
    if (q > room) { /* beyond the site's capacity: lost */
        double over = room > 0 ? q - room : q;
        sc->lost[p] += over;
        q -= over;
    }
    sc->inv[k] += q;
    o->status = SLP_SC_DELIVERED;
    o->delivered = step;
    sc->cur.delivered += o->qty;
    sc->cur.orders++;
    sc->order_lead_sum += (double)(step - o->created);
    if (step > o->promised) {
        sc->lateness_sum += (double)(step - o->promised);
        sc->late_orders += 1.0;
    }
    return SL_OK;
}

double slp_sc_take_stock(sl_sc *sc, int depot, int p, double q)
{
    size_t k = (size_t)depot * (size_t)sc->P + (size_t)p;
    double f = q < sc->inv[k] ? floor(q) : floor(sc->inv[k]);
    if (!(f > 0))
        return 0.0;
    sc->inv[k] -= f;
    sc->transit[p] += f;
    return f;
}

void slp_sc_return_stock(sl_sc *sc, int depot, int p, double q)
{
    sc->transit[p] -= q;
    sc->inv[(size_t)depot * (size_t)sc->P + (size_t)p] += q;
}
