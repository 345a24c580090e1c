/* supply_chain.c - create and destroy a supply chain: the definition's checks, the copy of the
 * sites (the first fleet's depot first), the fleets and their vehicles, state arrays, populations, metrics, the world system. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sc_internal.h"
#include "sc_view.h"
#include "swarmlab/checkpoint.h"
#include "swarmlab/recorder.h"

static const char *metric_names[9] = {"fill_rate", "backlog", "holding_cost", "backlog_cost",
                                      "distance", "delivered", "messages", "bytes", "stock_wh"};

sl_sc_def sl_sc_def_default(void)
{
    sl_sc_def d;
    memset(&d, 0, sizeof d);
    d.name = "sc";
    d.nprod = 1;
    d.promise = 3;
    d.steps_per_day = 1;
    d.mode = SL_SC_CONTRACT_NET;
    d.nvehicles = 6;
    d.capacity = 100;
    d.speed = 40;
    d.float_fraction = 0.3;
    d.dispatch_wait = 2;
    d.retry_wait = 2;
    d.plan_period = 1;
    d.vrp_iterations = 10;
    d.km_cost = 0.01;
    d.cn_deadline = 2;
    return d;
}

sl_sc_vtype sl_sc_vtype_default(void)
{
    sl_sc_vtype t;
    memset(&t, 0, sizeof t);
    t.count = 6;
    t.capacity = 100;
    t.speed = 40;
    t.cost_per_distance = 0.01;
    return t;
}

sl_sc_fleet_def sl_sc_fleet_def_default(void)
{
    sl_sc_fleet_def f;
    memset(&f, 0, sizeof f);
    f.mode = SL_SC_CONTRACT_NET;
    f.ntypes = 1;
    f.types[0] = sl_sc_vtype_default();
    f.float_fraction = 0.3;
    f.dispatch_wait = 2;
    f.cn_deadline = 2;
    f.retry_wait = 2;
    f.plan_period = 1;
    f.vrp_iterations = 10;
    return f;
}

/* The one fleet of the flat fields (nfleets 0). */
static sl_sc_fleet_def flat_fleet(const sl_sc_def *d)
{
    sl_sc_fleet_def f = sl_sc_fleet_def_default();
    f.depot = d->depot;
    f.mode = d->mode;
    snprintf(f.types[0].name, sizeof f.types[0].name, "vehicle");
    f.types[0].count = d->nvehicles;
    f.types[0].capacity = d->capacity;
    f.types[0].speed = d->speed;
    f.types[0].cost_per_distance = d->km_cost;
    f.float_fraction = d->float_fraction;
    f.dispatch_wait = d->dispatch_wait;
    f.cn_deadline = d->cn_deadline;
    f.retry_wait = d->retry_wait;
    f.link = d->link;
    f.bid = d->bid;
    f.bid_user = d->bid_user;
    f.plan_period = d->plan_period;
    f.trigger = d->trigger;
    f.vrp_iterations = d->vrp_iterations;
    f.plan_fn = d->plan_fn;
    f.plan_user = d->plan_user;
    f.plan_where = d->plan_where;
    return f;
}

/* Checks fleet k (0-based; messages name it fleets[k + 1]). */
static sl_status check_fleet(const char *n, int k, const sl_sc_fleet_def *f, int spd,
                             sl_error *e)
{
    int fk = k + 1;
    if (f->mode < SL_SC_CONTRACT_NET || f->mode > SL_SC_PLANNER)
        return sl_error_set(e, SL_ERR_RANGE, "%s: fleets[%d]: unknown planning mode %d", n, fk,
                            f->mode);
    if (f->mode == SL_SC_PLANNER && !f->plan_fn)
        return sl_error_set(e, SL_ERR_RANGE, "%s: fleets[%d]: the planner mode needs a planner "
                            "function", n, fk);
    if (f->plan_period < 1 || f->vrp_iterations < 1 ||
        (f->trigger != SL_SC_TRIGGER_PERIODIC && f->trigger != SL_SC_TRIGGER_ORDER))
        return sl_error_set(e, SL_ERR_RANGE, "%s: fleets[%d]: plan period and vrp iterations "
                            "must be >= 1, trigger periodic or order", n, fk);
    if (f->ntypes < 1 || f->ntypes > SL_SC_MAX_VTYPES)
        return sl_error_set(e, SL_ERR_RANGE, "%s: fleets[%d]: types = %d outside 1..%d", n, fk,
                            f->ntypes, SL_SC_MAX_VTYPES);
    for (int t = 0; t < f->ntypes; t++) {
        const sl_sc_vtype *y = &f->types[t];
        if (y->count < 0)
            return sl_error_set(e, SL_ERR_RANGE, "%s: fleets[%d].types[%d]: count = %d must be "
                                ">= 0", n, fk, t + 1, y->count);
        if (!(y->capacity > 0) || !isfinite(y->capacity))
            return sl_error_set(e, SL_ERR_RANGE, "%s: fleets[%d].types[%d]: vehicle capacity %g "
                                "must be > 0", n, fk, t + 1, y->capacity);
        if (!(y->speed > 0) || !isfinite(y->speed))
            return sl_error_set(e, SL_ERR_RANGE, "%s: fleets[%d].types[%d]: vehicle speed %g must "
                                "be > 0", n, fk, t + 1, y->speed);
        if ((y->shift_start != 0 || y->shift_end != 0) &&
            !(y->shift_start >= 0 && y->shift_start < y->shift_end &&
              y->shift_end <= spd))
            return sl_error_set(e, SL_ERR_RANGE, "%s: fleets[%d].types[%d]: shift {%g, %g} must "
                                "satisfy 0 <= start < end <= steps_per_day (%d)", n, fk, t + 1,
                                y->shift_start, y->shift_end, spd);
        if (!(y->fixed_cost >= 0) || !isfinite(y->fixed_cost) || !(y->cost_per_distance >= 0) ||
            !isfinite(y->cost_per_distance) || !(y->cost_per_time >= 0) ||
            !isfinite(y->cost_per_time))
            return sl_error_set(e, SL_ERR_RANGE, "%s: fleets[%d].types[%d]: costs must be finite "
                                "and >= 0", n, fk, t + 1);
    }
    if (!(f->float_fraction >= 0 && f->float_fraction <= 1))
        return sl_error_set(e, SL_ERR_RANGE, "%s: fleets[%d]: float fraction %g outside [0, 1]",
                            n, fk, f->float_fraction);
    if (f->dispatch_wait < 0 || f->retry_wait < 0)
        return sl_error_set(e, SL_ERR_RANGE, "%s: fleets[%d]: dispatch wait and retry wait must "
                            "be >= 0", n, fk);
    if (f->mode == SL_SC_CONTRACT_NET && f->cn_deadline < 2)
        return sl_error_set(e, SL_ERR_RANGE, "%s: fleets[%d]: deadline %d must be >= 2", n, fk,
                            f->cn_deadline);
    if (!(f->link.loss >= 0 && f->link.loss <= 1))
        return sl_error_set(e, SL_ERR_RANGE, "%s: fleets[%d]: message loss %g outside [0, 1]", n,
                            fk, f->link.loss);
    return SL_OK;
}

static sl_status check_def(const sl_sc_def *d, sl_error *e)
{
    const char *n = d->name ? d->name : "?";
    if (!d->name || !*d->name)
        return sl_error_set(e, SL_ERR_RANGE, "supply chain: a name is required");
    if (d->nprod < 1 || d->nprod > SL_SC_MAX_PROD)
        return sl_error_set(e, SL_ERR_RANGE, "%s: products = %d outside 1..%d", n, d->nprod,
                            SL_SC_MAX_PROD);
    if (d->nsites < 1 || !d->sites)
        return sl_error_set(e, SL_ERR_RANGE, "%s: sites are required", n);
    if (d->warmup < 0 || d->promise < 0)
        return sl_error_set(e, SL_ERR_RANGE, "%s: warmup and promise must be >= 0", n);
    if (d->steps_per_day < 1)
        return sl_error_set(e, SL_ERR_RANGE, "%s: steps_per_day = %d must be >= 1", n,
                            d->steps_per_day);
    for (int i = 0; i < d->nsites; i++) {
        const sl_sc_site *s = &d->sites[i];
        if (!(s->service_time >= 0) || !isfinite(s->service_time))
            return sl_error_set(e, SL_ERR_RANGE, "%s: site %lld: service_time %g must be finite "
                                "and >= 0", n, s->id, s->service_time);
        if ((s->window_open != 0 || s->window_close != 0) &&
            !(s->window_open >= 0 && s->window_open < s->window_close &&
              s->window_close <= d->steps_per_day))
            return sl_error_set(e, SL_ERR_RANGE, "%s: site %lld: window {%g, %g} must satisfy 0 "
                                "<= open < close <= steps_per_day (%d)", n, s->id,
                                s->window_open, s->window_close, d->steps_per_day);
    }
    if (d->nfleets < 0 || (d->nfleets > 0 && !d->fleets))
        return sl_error_set(e, SL_ERR_RANGE, "%s: fleets = %d without a fleet array", n,
                            d->nfleets);
    if (d->nfleets == 0) {
        if (d->nvehicles < 0)
            return sl_error_set(e, SL_ERR_RANGE, "%s: vehicles = %d must be >= 0", n,
                                d->nvehicles);
        if (!(d->km_cost >= 0) || !isfinite(d->km_cost))
            return sl_error_set(e, SL_ERR_RANGE, "%s: distance cost must be >= 0", n);
        if (d->nvehicles == 0)
            return SL_OK;
        sl_sc_fleet_def f = flat_fleet(d);
        return check_fleet(n, 0, &f, d->steps_per_day, e);
    }
    int deadline = -1;
    for (int k = 0; k < d->nfleets; k++) {
        const sl_sc_fleet_def *f = &d->fleets[k];
        sl_status st = check_fleet(n, k, f, d->steps_per_day, e);
        if (st != SL_OK)
            return st;
        if (f->mode != SL_SC_CONTRACT_NET)
            continue;
        if (deadline >= 0 && f->cn_deadline != deadline)
            return sl_error_set(e, SL_ERR_RANGE, "%s: fleets[%d]: deadline %d differs from %d of "
                                "an earlier contract-net fleet (they share one contract net)", n,
                                k + 1, f->cn_deadline, deadline);
        deadline = f->cn_deadline;
    }
    return SL_OK;
}

static void sc_free(void *p)
{
    sl_sc *sc = p;
    if (!sc)
        return;
    for (int v = 0; v < sc->V && sc->veh; v++) {
        free(sc->veh[v].stops);
        free(sc->veh[v].path);
        free(sc->veh[v].path_at);
    }
    free(sc->road_dist);
    free(sc->road_prev);
    sl_graph_destroy(sc->roads);
    free(sc->veh);
    free(sc->fleet);
    free(sc->fleet_of);
    free(sc->orders);
    free(sc->trip);
    for (int i = 0; i < sc->N && sc->open_at; i++)
        free(sc->open_at[i].v);
    for (int i = 0; i < sc->N && sc->ready_at; i++)
        free(sc->ready_at[i].v);
    free(sc->open_at);
    free(sc->ready_at);
    free(sc->shipping.v);
    free(sc->site);
    free(sc->store);
    free(sc->store_of);
    free(sc->src);
    free(sc->echelon);
    free(sc->by_id);
    for (int k = 0; k < 5; k++)
        free(sc->cand[k]);
    free(sc->D);
    free(sc->nx);
    free(sc->ny);
    free(sc->inv);
    free(sc->reserved);
    free(sc->back);
    free(sc->on_order);
    free(sc->waiting);
    free(sc->vel);
    free(sc->dem);
    free(sc->s_demand.v);
    free(sc->s_store_orders.v);
    free(sc->s_wh_orders.v);
    sl_cnet_destroy(sc->cnet);
    sl_bus_destroy(sc->bus);
    free(sc->name);
    free(sc);
}

/* Negotiation messages take the link of their fleet (known from the vehicle at one end). */
static sl_bus_link link_of(const sl_msg *m, void *user)
{
    const sl_sc *sc = user;
    sl_bus_link perfect = {0, 0, 0};
    if (!(m->type > SL_CN_BASE && m->type <= SL_CN_FAILURE))
        return perfect;
    sl_id v = m->from_pop == POP_VEH ? m->from : m->to_pop == POP_VEH ? m->to : 0;
    if (v < 1 || v > (sl_id)sc->V)
        return perfect;
    return sc->fleet[sc->veh[v - 1].fleet].def.link;
}

static sl_status sc_system(sl_world *w, void *user, sl_error *e)
{
    (void)w;
    return sl_sc_step(user, e);
}

static sl_pop *add_pop(sl_world *w, const char *name, const char *suffix, const char **cols,
                       int ncols, size_t n, sl_error *e)
{
    char full[256];
    snprintf(full, sizeof full, "%s_%s", name, suffix);
    sl_pop *p = sl_world_add_pop(w, full, e);
    if (!p)
        return NULL;
    for (int c = 0; c < ncols; c++)
        if (sl_pop_add_column(p, cols[c], SL_F64, e) < 0)
            return NULL;
    if (n > 0 && sl_pop_spawn(p, n) == (size_t)-1) {
        sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", full);
        return NULL;
    }
    return p;
}

/* FNV-1a of the name: two chains in one world draw different demand unless they ask for common
 * random numbers. */
static uint64_t name_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 1099511628211ULL;
    return h;
}

/* Index among def's sites of fleet k's depot; -1 with e filled when it is not a warehouse or
 * cross-dock. */
static int fleet_depot(const sl_sc *sc, const sl_sc_def *def, int k, sl_error *e)
{
    long long id = sc->fleet[k].def.depot;
    int depot = -1;
    for (int i = 0; i < def->nsites; i++)
        if (def->sites[i].id == id)
            depot = i;
    if (depot < 0) {
        sl_error_set(e, SL_ERR_RANGE, "%s: fleets[%d].depot: %lld is not a site", sc->name, k + 1,
                     id);
        return -1;
    }
    int kind = def->sites[depot].kind;
    if (kind != SL_SC_WAREHOUSE && kind != SL_SC_CROSSDOCK) {
        sl_error_set(e, SL_ERR_RANGE, "%s: fleets[%d].depot: %lld is a %s (a warehouse or "
                     "cross-dock is required)", sc->name, k + 1, id, sl_sc_kind_name(kind));
        return -1;
    }
    for (int j = 0; j < k; j++)
        if (sc->fleet[j].def.depot == id) {
            sl_error_set(e, SL_ERR_RANGE, "%s: fleets[%d].depot: %lld already has a fleet "
                         "(fleets[%d]; give one fleet several vehicle types instead)", sc->name,
                         k + 1, id, j + 1);
            return -1;
        }
    return depot;
}

/* Copies the sites with the first fleet's depot first, the others in order; numbers the fleets'
 * depots and vehicles. */
static sl_status copy_sites(sl_sc *sc, const sl_sc_def *def, sl_error *e)
{
    int depot = 0;
    for (int k = 0; k < sc->F; k++) {
        int d = fleet_depot(sc, def, k, e);
        if (d < 0)
            return e ? e->code : SL_ERR_RANGE;
        if (k == 0)
            depot = d;
        /* index after the move of the first depot to the front */
        sc->fleet[k].depot = d == depot ? 0 : d < depot ? d + 1 : d;
    }
    int n = 0;
    sc->site[n++] = def->sites[depot];
    for (int i = 0; i < def->nsites; i++)
        if (i != depot)
            sc->site[n++] = def->sites[i];
    for (int i = 0; i < sc->N; i++) {
        sc->store_of[i] = -1;
        sc->fleet_of[i] = -1;
        if (sc->site[i].kind == SL_SC_STORE) {
            sc->store_of[i] = sc->S;
            sc->store[sc->S++] = i;
        }
    }
    for (int i = 0; i < sc->N; i++)
        sc->timed |= sc->site[i].service_time > 0 ||
                     sc->site[i].window_close > sc->site[i].window_open;
    int v = 0;
    for (int k = 0; k < sc->F; k++) {
        slp_sc_fleet *f = &sc->fleet[k];
        sc->fleet_of[f->depot] = k;
        f->v0 = v;
        f->maxcap = 0.0;
        for (int t = 0; t < f->def.ntypes; t++) {
            const sl_sc_vtype *y = &f->def.types[t];
            if (!y->name[0])
                snprintf(f->def.types[t].name, sizeof y->name, "type%d", t + 1);
            if (y->count > 0 && y->capacity > f->maxcap)
                f->maxcap = y->capacity;
            for (int c = 0; c < y->count; c++, v++) {
                sc_vehicle *veh = &sc->veh[v];
                veh->fleet = k;
                veh->type = t;
                veh->depot = veh->loc = veh->target = f->depot;
                veh->cap = y->capacity;
                veh->speed = y->speed;
                veh->shift_start = y->shift_start;
                veh->shift_end = y->shift_end;
                veh->limit = INFINITY;
                sc->timed |= y->shift_end > y->shift_start;
            }
        }
        f->nv = v - f->v0;
        double scale = 0.0;
        for (int t = 0; t < f->def.ntypes; t++) {
            double c = f->def.types[t].cost_per_distance;
            if (f->def.types[t].count > 0 && c > 0 && (scale == 0.0 || c < scale))
                scale = c;
        }
        if (scale == 0.0)
            scale = 1.0;
        for (int j = f->v0; j < v; j++) {
            const sl_sc_vtype *y = &f->def.types[sc->veh[j].type];
            sc->veh[j].kd = y->cost_per_distance / scale;
            sc->veh[j].kt = y->cost_per_time / scale;
            sc->veh[j].kf = y->fixed_cost / scale;
        }
    }
    return SL_OK;
}

sl_sc *sl_sc_create(sl_world *w, const sl_sc_def *def, sl_error *e)
{
    if (check_def(def, e) != SL_OK)
        return NULL;
    sl_sc *sc = calloc(1, sizeof *sc);
    if (!sc) {
        sl_error_set(e, SL_ERR_NOMEM, "supply chain: out of memory");
        return NULL;
    }
    sc->def = *def;
    sc->name = strdup(def->name);
    sc->world = w;
    sc->P = def->nprod;
    sc->F = def->nfleets > 0 ? def->nfleets : def->nvehicles > 0 ? 1 : 0;
    sc->fleet = calloc(sc->F > 0 ? (size_t)sc->F : 1, sizeof *sc->fleet);
    if (!sc->fleet) {
        sl_error_set(e, SL_ERR_NOMEM, "supply chain: out of memory");
        sc_free(sc);
        return NULL;
    }
    sc->V = 0;
    for (int k = 0; k < sc->F; k++) {
        sc->fleet[k].def = def->nfleets > 0 ? def->fleets[k] : flat_fleet(def);
        for (int t = 0; t < sc->fleet[k].def.ntypes; t++)
            sc->V += sc->fleet[k].def.types[t].count;
    }
    sc->N = def->nsites;
    sc->spd = def->steps_per_day;
    sc->def.name = sc->name;
    sc->def.fleets = NULL; /* borrowed: the copies are sc->fleet */
    sc->def.roads = NULL; /* the caller's: distances are built and a copy kept at create */
    size_t N = (size_t)sc->N, np = N * (size_t)sc->P;
    sc->site = calloc(N, sizeof *sc->site);
    sc->store = calloc(N, sizeof(int));
    sc->store_of = calloc(N, sizeof(int));
    sc->src = calloc(N, sizeof(int));
    sc->echelon = calloc(N, sizeof(int));
    sc->by_id = calloc(N, sizeof(int));
    sc->fleet_of = calloc(N, sizeof(int));
    sc->nx = calloc(N, sizeof(double));
    sc->ny = calloc(N, sizeof(double));
    sc->inv = calloc(np, sizeof(double));
    sc->reserved = calloc(np, sizeof(double));
    sc->back = calloc(np, sizeof(double));
    sc->on_order = calloc(np, sizeof(double));
    sc->waiting = calloc(np, sizeof(double));
    sc->vel = calloc(np, sizeof(double));
    sc->dem = calloc(np, sizeof(double));
    sc->veh = calloc(sc->V > 0 ? (size_t)sc->V : 1, sizeof(sc_vehicle));
    sc->open_at = calloc(N, sizeof *sc->open_at);
    sc->ready_at = calloc(N, sizeof *sc->ready_at);
    sc->bus = sl_bus_create();
    if (!sc->name || !sc->site || !sc->store || !sc->store_of || !sc->src || !sc->echelon || !sc->by_id ||
        !sc->nx || !sc->ny || !sc->inv || !sc->reserved || !sc->back || !sc->on_order ||
        !sc->waiting || !sc->vel || !sc->dem || !sc->veh || !sc->open_at || !sc->ready_at ||
        !sc->bus || !sc->fleet_of) {
        sl_error_set(e, SL_ERR_NOMEM, "supply chain: out of memory");
        sc_free(sc);
        return NULL;
    }
    if (copy_sites(sc, def, e) != SL_OK || slp_sc_network_build(sc, def, e) != SL_OK ||
        slp_sc_roads_copy(sc, def->roads, e) != SL_OK) {
        sc_free(sc);
        return NULL;
    }
    sc->def.sites = sc->site;
    sc->dseed = def->common_random_numbers ? def->seed : sl_seed_mix(def->seed,
                                                                      name_hash(sc->name));
    sl_bus_set_seed(sc->bus, sl_seed_mix(def->seed, 0x5343));
    sl_bus_set_link_fn(sc->bus, link_of, sc);
    for (int i = 0; i < sc->N; i++)
        for (int p = 0; p < sc->P; p++) {
            size_t k = (size_t)i * (size_t)sc->P + (size_t)p;
            sc->inv[k] = sc->site[i].stock0;
            sc->entered[p] += sc->site[i].stock0;
            if (sc->site[i].kind == SL_SC_STORE && sc->site[i].demand.kind != SL_SC_DEMAND_HOOK)
                sc->vel[k] = sl_demand_mean(&sc->site[i].demand, (uint64_t)sc->site[i].column, 0);
        }
    if (slp_sc_fleet_init(sc, e) != SL_OK) {
        sc_free(sc);
        return NULL;
    }
    static const char *scols[5] = {"x", "y", "inventory", "backlog", "on_order"};
    static const char *vcols[5] = {"x", "y", "load", "stops", "busy"};
    sc->ps = add_pop(w, sc->name, "stores", scols, 5, (size_t)sc->S, e);
    sc->pv = sc->ps ? add_pop(w, sc->name, "vehicles", vcols, 5, (size_t)sc->V, e) : NULL;
    if (!sc->ps || !sc->pv) {
        sc_free(sc);
        return NULL;
    }
    sl_recorder *rec = sl_world_recorder(w);
    for (int m = 0; m < 9; m++) {
        char full[256];
        snprintf(full, sizeof full, "%s_%s", sc->name, metric_names[m]);
        sc->metric[m] = sl_recorder_add(rec, full, NULL, -1, SL_REDUCE_VALUE, e);
        if (sc->metric[m] < 0) {
            sc_free(sc);
            return NULL;
        }
    }
    /* Initial state (the row of step 0): no demand yet, so no fill rate. */
    double hold = 0.0, upper = 0.0;
    for (int i = 0; i < sc->N; i++) {
        double units = sc->site[i].stock0 * sc->P;
        hold += sc->site[i].holding_cost * units;
        if (sc->site[i].kind != SL_SC_STORE && sc->site[i].kind != SL_SC_SUPPLIER)
            upper += units;
    }
    double init[9] = {NAN, 0.0, hold, 0.0, 0.0, 0.0, 0.0, 0.0, upper};
    for (int m = 0; m < 9; m++)
        sl_recorder_set(rec, sc->metric[m], init[m]);
    slp_sc_mirror(sc);
    char attach[256];
    snprintf(attach, sizeof attach, "supply_chain:%s", sc->name);
    if (sl_world_attach(w, attach, sc, sc_free, e) != SL_OK) {
        sc_free(sc);
        return NULL;
    }
    if (sl_checkpoint_register(w, attach, slp_sc_checkpoint_save, slp_sc_checkpoint_load, e) != SL_OK)
        return NULL; /* owned by the world already */
    sl_system_def sd;
    memset(&sd, 0, sizeof sd);
    sd.name = sc->name;
    sd.pre = sc_system;
    sd.user = sc;
    if (sl_world_add_system(w, &sd, e) < 0)
        return NULL; /* owned by the world already */
    sl_error ve;
    slp_sc_view_add(w, sc, &ve); /* without a layer slot the model still works, undrawn */
    return sc;
}
