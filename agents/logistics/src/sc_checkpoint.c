/* sc_checkpoint.c - save and restore the run-time state of a supply chain (stocks, orders,
 * vehicles and routes, KPI totals, its message bus and contract net) as one checkpoint section. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "sc_internal.h"

static const char sc_magic[8] = {'S', 'L', 'S', 'C', 'H', '3', 0, 0};

static int wr(FILE *f, const void *p, size_t size, size_t n)
{
    return n == 0 || fwrite(p, size, n, f) == n;
}

static int rd(FILE *f, void *p, size_t size, size_t n)
{
    return n == 0 || fread(p, size, n, f) == n;
}

/* 1 when n items of `size` bytes can still be in f (unknown on a stream that cannot seek: 1), so
 * a count read from a crafted file cannot make us allocate far more than the file holds. */
static int can_hold(FILE *f, uint64_t n, size_t size)
{
    long pos = ftell(f);
    if (pos < 0 || fseek(f, 0, SEEK_END) != 0) return 1;
    long end = ftell(f);
    if (fseek(f, pos, SEEK_SET) != 0 || end < pos) return 0;
    return n <= (uint64_t)(end - pos) / size;
}

static int write_series(FILE *f, const sc_series *s)
{
    uint64_t n = s->n;
    return wr(f, &n, sizeof n, 1) && wr(f, s->v, sizeof(double), s->n);
}

static int write_lists(FILE *f, const slp_sc_list *l, int n)
{
    int ok = 1;
    for (int i = 0; ok && i < n; i++) {
        uint64_t k = l[i].n;
        ok = wr(f, &k, sizeof k, 1) && wr(f, l[i].v, sizeof(size_t), l[i].n);
    }
    return ok;
}

/* Reads the per-site order lists; every entry must be an order of `norders`. */
static int read_lists(FILE *f, slp_sc_list *l, int n, size_t norders)
{
    for (int i = 0; i < n; i++) {
        uint64_t k;
        if (!rd(f, &k, sizeof k, 1) || k > norders || !can_hold(f, k, sizeof(size_t)))
            return 0;
        if (k > l[i].cap) {
            size_t *v = realloc(l[i].v, (size_t)k * sizeof *v);
            if (!v)
                return 0;
            l[i].v = v;
            l[i].cap = (size_t)k;
        }
        l[i].n = (size_t)k;
        if (!rd(f, l[i].v, sizeof(size_t), l[i].n))
            return 0;
        for (size_t j = 0; j < l[i].n; j++)
            if (l[i].v[j] >= norders)
                return 0;
    }
    return 1;
}

static int read_series(FILE *f, sc_series *s)
{
    uint64_t n;
    if (!rd(f, &n, sizeof n, 1) || n > ((uint64_t)1 << 32) || !can_hold(f, n, sizeof(double)))
        return 0;
    if (n > s->cap) {
        double *v = realloc(s->v, (size_t)n * sizeof *v);
        if (!v)
            return 0;
        s->v = v;
        s->cap = (size_t)n;
    }
    s->n = (size_t)n;
    return rd(f, s->v, sizeof(double), s->n);
}

/* The model's arrays: per site and product, per product. */
#define SITE_ARRAYS(sc) {(sc)->inv, (sc)->reserved, (sc)->back, (sc)->on_order, (sc)->waiting, \
                         (sc)->vel, (sc)->dem}
#define PROD_ARRAYS(sc) {(sc)->transit, (sc)->entered, (sc)->sold, (sc)->lost}

static int write_model(FILE *f, const sl_sc *sc)
{
    size_t np = (size_t)sc->N * (size_t)sc->P;
    const double *sa[7] = SITE_ARRAYS(sc);
    const double *pa[4] = PROD_ARRAYS(sc);
    int ok = 1;
    for (int k = 0; ok && k < 7; k++)
        ok = wr(f, sa[k], sizeof(double), np);
    for (int k = 0; ok && k < 4; k++)
        ok = wr(f, pa[k], sizeof(double), SL_SC_MAX_PROD);
    return ok;
}

static int read_model(FILE *f, sl_sc *sc)
{
    size_t np = (size_t)sc->N * (size_t)sc->P;
    double *sa[7] = SITE_ARRAYS(sc);
    double *pa[4] = PROD_ARRAYS(sc);
    int ok = 1;
    for (int k = 0; ok && k < 7; k++)
        ok = rd(f, sa[k], sizeof(double), np);
    for (int k = 0; ok && k < 4; k++)
        ok = rd(f, pa[k], sizeof(double), SL_SC_MAX_PROD);
    return ok;
}

sl_status slp_sc_checkpoint_save(void *data, FILE *f, sl_error *e)
{
    const sl_sc *sc = data;
    int32_t dims[6] = {sc->N, sc->P, sc->V, sc->S, (int32_t)sizeof(slp_sc_order),
                       (int32_t)sizeof(sl_sc_kpis)};
    uint64_t norders = sc->norders;
    int ok = wr(f, sc_magic, 1, 8) && wr(f, dims, sizeof dims, 1) && write_model(f, sc) &&
             wr(f, &norders, sizeof norders, 1) && wr(f, sc->orders, sizeof(slp_sc_order), sc->norders);
    for (int v = 0; ok && v < sc->V; v++) {
        const sc_vehicle *veh = &sc->veh[v];
        int32_t head[6] = {veh->state, veh->loc, veh->target, veh->nstops, veh->nnext,
                           veh->trips};
        double nums[6] = {veh->progress, veh->distance, veh->busy_steps, veh->awarded,
                          veh->busy, veh->limit};
        ok = wr(f, head, sizeof head, 1) && wr(f, nums, sizeof nums, 1) &&
             wr(f, &veh->first_commit, sizeof veh->first_commit, 1) &&
             wr(f, &veh->next_first, sizeof veh->next_first, 1) &&
             wr(f, veh->next_committed, sizeof veh->next_committed, 1) &&
             wr(f, veh->load, sizeof veh->load, 1) && wr(f, veh->committed, sizeof veh->committed, 1) &&
             wr(f, veh->stops, sizeof(int), (size_t)veh->nstops);
    }
    uint64_t trips[2] = {sc->ntrips, sc->deliveries};
    ok = ok && wr(f, trips, sizeof trips, 1) && wr(f, sc->trip, sizeof(slp_sc_trip), sc->ntrips);
    double totals[3] = {sc->order_lead_sum, sc->lateness_sum, sc->late_orders};
    ok = ok && write_lists(f, sc->open_at, sc->N) && write_lists(f, sc->ready_at, sc->N) &&
         write_lists(f, &sc->shipping, 1);
    ok = ok && wr(f, &sc->tot, sizeof sc->tot, 1) && wr(f, &sc->cur, sizeof sc->cur, 1) &&
         wr(f, totals, sizeof totals, 1) && wr(f, &sc->step, sizeof sc->step, 1) &&
         write_series(f, &sc->s_demand) && write_series(f, &sc->s_store_orders) &&
         write_series(f, &sc->s_wh_orders);
    if (!ok)
        return sl_error_set(e, SL_ERR_IO, "supply chain '%s': checkpoint write failed", sc->name);
    sl_status st = sl_bus_write(sc->bus, f, e);
    if (st == SL_OK && sc->cnet)
        st = sl_cnet_write(sc->cnet, f, e);
    return st;
}

static int all_finite(const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i])) return 0;
    return 1;
}

/* Every index and value the step code uses, checked after a load: orders name a store, a state
 * and a vehicle that exist; vehicles are at and head to nodes of the network, their stops are
 * orders; quantities are finite. Returns what is wrong, or NULL. */
static const char *sc_invalid(const sl_sc *sc)
{
    size_t np = (size_t)sc->N * (size_t)sc->P;
    const double *sa[7] = SITE_ARRAYS(sc);
    const double *pa[4] = PROD_ARRAYS(sc);
    for (int k = 0; k < 7; k++)
        if (!all_finite(sa[k], np))
            return "a stock or pipeline quantity is not finite";
    for (int k = 0; k < 4; k++)
        if (!all_finite(pa[k], SL_SC_MAX_PROD))
            return "a stock or pipeline quantity is not finite";
    for (size_t i = 0; i < sc->norders; i++) {
        const slp_sc_order *o = &sc->orders[i];
        if (o->id != i + 1 || o->site < 0 || o->site >= sc->N || o->depot < 0 ||
            o->depot >= sc->N || o->product < 0 || o->product >= sc->P ||
            o->status < SLP_SC_SENT || o->status > SLP_SC_DELIVERED || o->vehicle < -1 ||
            o->vehicle >= sc->V || o->fleet_state < SLP_SC_UNPLANNED ||
            o->fleet_state > SLP_SC_ASSIGNED || !isfinite(o->qty) || !(o->qty >= 0))
            return "an order names a site, product, status or vehicle that does not exist";
    }
    for (int d = 0; d < sc->N; d++) {
        for (size_t k = 0; k < sc->open_at[d].n; k++) {
            const slp_sc_order *o = &sc->orders[sc->open_at[d].v[k]];
            if (o->status != SLP_SC_OPEN || o->depot != d)
                return "an order waiting at a depot is not open there";
        }
        for (size_t k = 0; k < sc->ready_at[d].n; k++) {
            const slp_sc_order *o = &sc->orders[sc->ready_at[d].v[k]];
            if (o->status != SLP_SC_READY || o->depot != d)
                return "an order ready at a depot is not ready there";
        }
    }
    for (size_t k = 0; k < sc->shipping.n; k++)
        if (sc->orders[sc->shipping.v[k]].status != SLP_SC_TRANSIT)
            return "an order under way is not in transit";
    for (int v = 0; v < sc->V; v++) {
        const sc_vehicle *veh = &sc->veh[v];
        if (veh->state < VEH_DEPOT || veh->state > VEH_RETURNING || veh->loc < 0 ||
            veh->loc >= sc->N || veh->target < 0 || veh->target >= sc->N ||
            !isfinite(veh->progress) || !isfinite(veh->distance) || !isfinite(veh->busy_steps) ||
            !isfinite(veh->awarded) || !(veh->busy >= 0 && isfinite(veh->busy)) ||
            isnan(veh->limit) || !all_finite(veh->load, (size_t)sc->P) ||
            !all_finite(veh->committed, (size_t)sc->P) ||
            !all_finite(veh->next_committed, (size_t)sc->P) ||
            (veh->state == VEH_DEPOT && veh->nnext != 0))
            return "a vehicle is at or heads to a node that does not exist";
        for (int k = 0; k < veh->nstops; k++)
            if (veh->stops[k] < 0 || (size_t)veh->stops[k] >= sc->norders)
                return "a vehicle's stop is not an order";
    }
    return NULL;
}

sl_status slp_sc_checkpoint_load(void *data, FILE *f, const char *path, sl_error *e)
{
    sl_sc *sc = data;
    char magic[8];
    int32_t dims[6];
    if (!rd(f, magic, 1, 8) || memcmp(magic, sc_magic, 8) != 0 || !rd(f, dims, sizeof dims, 1))
        return sl_error_set(e, SL_ERR_PARSE, "%s: supply chain '%s': not a supply chain section",
                            path, sc->name);
    if (dims[0] != sc->N || dims[1] != sc->P || dims[2] != sc->V || dims[3] != sc->S)
        return sl_error_set(e, SL_ERR_PARSE, "%s: supply chain '%s' was saved with %d sites, %d "
                            "products, %d vehicles, %d stores; this run has %d, %d, %d, %d",
                            path, sc->name, dims[0], dims[1], dims[2], dims[3], sc->N, sc->P,
                            sc->V, sc->S);
    if (dims[4] != (int32_t)sizeof(slp_sc_order) || dims[5] != (int32_t)sizeof(sl_sc_kpis))
        return sl_error_set(e, SL_ERR_PARSE, "%s: supply chain '%s': section from another build",
                            path, sc->name);
    uint64_t norders = 0;
    int ok = read_model(f, sc) && rd(f, &norders, sizeof norders, 1) && norders < ((uint64_t)1 << 32);
    ok = ok && can_hold(f, norders, sizeof(slp_sc_order));
    if (ok && norders > sc->caporders) {
        slp_sc_order *o = realloc(sc->orders, (size_t)norders * sizeof *o);
        ok = o != NULL;
        if (ok) {
            sc->orders = o;
            sc->caporders = (size_t)norders;
        }
    }
    ok = ok && rd(f, sc->orders, sizeof(slp_sc_order), (size_t)norders);
    if (ok)
        sc->norders = (size_t)norders;
    for (int v = 0; ok && v < sc->V; v++) {
        sc_vehicle *veh = &sc->veh[v];
        int32_t head[6];
        double nums[6];
        ok = rd(f, head, sizeof head, 1) && rd(f, nums, sizeof nums, 1) && head[3] >= 0 &&
             (uint64_t)head[3] <= norders && head[4] >= 0 && head[4] <= head[3] && head[5] >= 0 &&
             rd(f, &veh->first_commit, sizeof veh->first_commit, 1) &&
             rd(f, &veh->next_first, sizeof veh->next_first, 1) &&
             rd(f, veh->next_committed, sizeof veh->next_committed, 1) &&
             rd(f, veh->load, sizeof veh->load, 1) && rd(f, veh->committed, sizeof veh->committed, 1);
        if (ok && head[3] > veh->capstops) {
            int *ns = realloc(veh->stops, (size_t)head[3] * sizeof *ns);
            ok = ns != NULL;
            if (ok) {
                veh->stops = ns;
                veh->capstops = head[3];
            }
        }
        ok = ok && rd(f, veh->stops, sizeof(int), (size_t)head[3]);
        if (ok) {
            veh->state = head[0];
            veh->loc = head[1];
            veh->target = head[2];
            veh->nstops = head[3];
            veh->nnext = head[4];
            veh->trips = head[5];
            veh->progress = nums[0];
            veh->distance = nums[1];
            veh->busy_steps = nums[2];
            veh->awarded = nums[3];
            veh->busy = nums[4];
            veh->limit = nums[5];
        }
    }
    uint64_t trips[2];
    ok = ok && rd(f, trips, sizeof trips, 1) && trips[0] <= (uint64_t)1 << 32;
    if (ok) { /* the trips must fit in what the file still holds before they are allocated */
        long pos = ftell(f), end = -1;
        if (pos >= 0 && fseek(f, 0, SEEK_END) == 0)
            end = ftell(f);
        ok = pos >= 0 && end >= pos && fseek(f, pos, SEEK_SET) == 0 &&
             (uint64_t)(end - pos) >= trips[0] * sizeof(slp_sc_trip);
    }
    if (ok && trips[0] > sc->captrips) {
        slp_sc_trip *nt = realloc(sc->trip, (size_t)trips[0] * sizeof *nt);
        ok = nt != NULL;
        if (ok) {
            sc->trip = nt;
            sc->captrips = (size_t)trips[0];
        }
    }
    ok = ok && rd(f, sc->trip, sizeof(slp_sc_trip), (size_t)trips[0]);
    if (ok) {
        sc->ntrips = (size_t)trips[0];
        sc->deliveries = trips[1];
        for (size_t k = 0; k < sc->ntrips; k++)
            if (sc->trip[k].vehicle < 0 || sc->trip[k].vehicle >= sc->V ||
                !isfinite(sc->trip[k].dist0) || !isfinite(sc->trip[k].distance))
                ok = 0;
    }
    double totals[3];
    ok = ok && read_lists(f, sc->open_at, sc->N, sc->norders) &&
         read_lists(f, sc->ready_at, sc->N, sc->norders) &&
         read_lists(f, &sc->shipping, 1, sc->norders) && rd(f, &sc->tot, sizeof sc->tot, 1) && rd(f, &sc->cur, sizeof sc->cur, 1) &&
         rd(f, totals, sizeof totals, 1) && rd(f, &sc->step, sizeof sc->step, 1) &&
         read_series(f, &sc->s_demand) && read_series(f, &sc->s_store_orders) &&
         read_series(f, &sc->s_wh_orders);
    if (!ok)
        return sl_error_set(e, SL_ERR_PARSE, "%s: supply chain '%s': truncated or corrupt section",
                            path, sc->name);
    sc->order_lead_sum = totals[0];
    sc->lateness_sum = totals[1];
    sc->late_orders = totals[2];
    const char *bad = sc_invalid(sc);
    if (bad) /* sl_checkpoint_restore puts the previous state back */
        return sl_error_set(e, SL_ERR_PARSE, "%s: supply chain '%s': corrupt section (%s)", path,
                            sc->name, bad);
    sl_status st = sl_bus_read(sc->bus, f, path, e);
    if (st == SL_OK && sc->cnet)
        st = sl_cnet_read(sc->cnet, f, path, e);
    if (st == SL_OK)
        st = slp_sc_road_legs(sc, e); /* road paths are found again, not stored */
    return st;
}
