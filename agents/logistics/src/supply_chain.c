/* supply_chain.c - warehouse, stores, fleet: one serial step per world step; KPIs. */
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
    d.mode = SL_SC_CONTRACT_NET;
    d.nprod = 1;
    d.wh_stock0 = 400;
    d.wh_policy.kind = SL_POLICY_BASE_STOCK;
    d.wh_policy.S = 600;
    d.supplier_lead = 4;
    d.store_stock0 = 12;
    d.store_policy.kind = SL_POLICY_SS;
    d.store_policy.s = 6;
    d.store_policy.S = 20;
    d.store_policy.alpha = 0.2;
    d.demand.kind = SL_DEMAND_POISSON;
    d.demand.mean = 1;
    d.lead_time = 1;
    d.nvehicles = 6;
    d.capacity = 100;
    d.speed = 40;
    d.float_fraction = 0.3;
    d.dispatch_wait = 2;
    d.retry_wait = 2;
    d.promise = 3;
    d.h_store = 0.1;
    d.h_wh = 0.05;
    d.backlog_cost = 1.0;
    d.lost_cost = 2.0;
    d.km_cost = 0.01;
    d.cn_deadline = 2;
    return d;
}

static sl_status check_def(const sl_sc_def *d, sl_error *e)
{
    const char *n = d->name ? d->name : "?";
    if (!d->name || !*d->name)
        return sl_error_set(e, SL_ERR_RANGE, "supply chain: a name is required");
    if (d->mode != SL_SC_CONTRACT_NET && d->mode != SL_SC_CENTRAL)
        return sl_error_set(e, SL_ERR_RANGE, "%s: unknown planning mode %d", n, d->mode);
    if (d->nprod < 1 || d->nprod > SL_SC_MAX_PROD)
        return sl_error_set(e, SL_ERR_RANGE, "%s: products = %d outside 1..%d", n, d->nprod,
                            SL_SC_MAX_PROD);
    if (d->nstores < 1)
        return sl_error_set(e, SL_ERR_RANGE, "%s: need at least one store (got %d)", n,
                            d->nstores);
    if (d->nvehicles < 1)
        return sl_error_set(e, SL_ERR_RANGE, "%s: need at least one vehicle (got %d)", n,
                            d->nvehicles);
    if (!(d->capacity > 0) || !isfinite(d->capacity))
        return sl_error_set(e, SL_ERR_RANGE, "%s: vehicle capacity %g must be > 0", n,
                            d->capacity);
    if (!(d->speed > 0) || !isfinite(d->speed))
        return sl_error_set(e, SL_ERR_RANGE, "%s: vehicle speed %g must be > 0", n, d->speed);
    if (!(d->float_fraction >= 0 && d->float_fraction <= 1))
        return sl_error_set(e, SL_ERR_RANGE, "%s: float fraction %g outside [0, 1]", n,
                            d->float_fraction);
    if (!(d->wh_stock0 >= 0) || !(d->store_stock0 >= 0))
        return sl_error_set(e, SL_ERR_RANGE, "%s: initial stock must be >= 0", n);
    if (d->supplier_lead < 1 || d->lead_time < 0 || d->dispatch_wait < 0 || d->warmup < 0 ||
        d->retry_wait < 0)
        return sl_error_set(e, SL_ERR_RANGE, "%s: supplier lead >= 1, lead time, dispatch wait "
                            "and warmup >= 0 are required", n);
    double costs[5] = {d->h_store, d->h_wh, d->backlog_cost, d->lost_cost, d->km_cost};
    for (int i = 0; i < 5; i++)
        if (!(costs[i] >= 0) || !isfinite(costs[i]))
            return sl_error_set(e, SL_ERR_RANGE, "%s: costs must be >= 0", n);
    if (!(d->link.loss >= 0 && d->link.loss <= 1))
        return sl_error_set(e, SL_ERR_RANGE, "%s: message loss %g outside [0, 1]", n,
                            d->link.loss);
    sl_status s = sl_demand_check(&d->demand, e);
    if (s == SL_OK)
        s = sl_policy_check(&d->store_policy, e);
    if (s == SL_OK)
        s = sl_policy_check(&d->wh_policy, e);
    if (s != SL_OK) {
        char msg[SL_ERROR_MSG_MAX];
        snprintf(msg, sizeof msg, "%s", e ? e->msg : "");
        return sl_error_set(e, s, "%s: %s", n, msg);
    }
    if (!d->roads && (!d->store_x || !d->store_y))
        return sl_error_set(e, SL_ERR_RANGE, "%s: store positions are required", n);
    if (d->roads && !d->store_node)
        return sl_error_set(e, SL_ERR_RANGE, "%s: store nodes are required with a road graph", n);
    return SL_OK;
}

static sl_status build_distances(sl_sc *sc, sl_error *e)
{
    const sl_sc_def *d = &sc->def;
    int N = sc->N;
    sc->D = malloc((size_t)N * (size_t)N * sizeof(double));
    sc->nx = malloc((size_t)N * sizeof(double));
    sc->ny = malloc((size_t)N * sizeof(double));
    if (!sc->D || !sc->nx || !sc->ny)
        return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", sc->name);
    if (!d->roads) {
        sc->nx[0] = d->wh_x;
        sc->ny[0] = d->wh_y;
        for (int s = 0; s < sc->S; s++) {
            if (!isfinite(d->store_x[s]) || !isfinite(d->store_y[s]))
                return sl_error_set(e, SL_ERR_RANGE, "%s: store %d has no valid position",
                                    sc->name, s + 1);
            sc->nx[s + 1] = d->store_x[s];
            sc->ny[s + 1] = d->store_y[s];
        }
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++)
                sc->D[(size_t)i * (size_t)N + (size_t)j] =
                    hypot(sc->nx[i] - sc->nx[j], sc->ny[i] - sc->ny[j]);
        return SL_OK;
    }
    const sl_graph *g = d->roads;
    if (!g->finalized)
        return sl_error_set(e, SL_ERR_STATE, "%s: the road graph is not finalized", sc->name);
    int *node = malloc((size_t)N * sizeof(int));
    double *dist = malloc((size_t)g->n * sizeof(double));
    if (!node || !dist) {
        free(node);
        free(dist);
        return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", sc->name);
    }
    node[0] = d->wh_node;
    for (int s = 0; s < sc->S; s++)
        node[s + 1] = d->store_node[s];
    sl_status st = SL_OK;
    for (int i = 0; i < N && st == SL_OK; i++) {
        if (node[i] < 0 || node[i] >= g->n) {
            st = sl_error_set(e, SL_ERR_RANGE, "%s: %s %d is on node %d, outside the road graph "
                              "(%d..%d)", sc->name, i ? "store" : "warehouse", i,
                              node[i] + d->node_base, d->node_base, g->n - 1 + d->node_base);
            break;
        }
        sc->nx[i] = g->x ? g->x[node[i]] : 0.0;
        sc->ny[i] = g->y ? g->y[node[i]] : 0.0;
        st = sl_graph_dijkstra(g, node[i], dist, NULL, e);
        for (int j = 0; j < N && st == SL_OK; j++) {
            double v = node[j] >= 0 && node[j] < g->n ? dist[node[j]] : INFINITY;
            if (!isfinite(v)) {
                int bad = i == 0 ? j : i;
                st = sl_error_set(e, SL_ERR_RANGE, "%s: store %d (road node %d) cannot be "
                                  "reached %s the warehouse (road node %d)", sc->name, bad,
                                  node[bad] + d->node_base, i == 0 ? "from" : "to",
                                  node[0] + d->node_base);
            }
            sc->D[(size_t)i * (size_t)N + (size_t)j] = v;
        }
    }
    free(node);
    free(dist);
    return st;
}

static void sc_free(void *p)
{
    sl_sc *sc = p;
    if (!sc)
        return;
    for (int v = 0; v < sc->V && sc->veh; v++)
        free(sc->veh[v].stops);
    free(sc->veh);
    free(sc->orders);
    for (int i = 0; i < sc->N && sc->open_at; i++)
        free(sc->open_at[i].v);
    for (int i = 0; i < sc->N && sc->ready_at; i++)
        free(sc->ready_at[i].v);
    free(sc->open_at);
    free(sc->ready_at);
    free(sc->D);
    free(sc->nx);
    free(sc->ny);
    free(sc->inv);
    free(sc->back);
    free(sc->on_order);
    free(sc->vel);
    free(sc->arrive);
    free(sc->s_demand.v);
    free(sc->s_store_orders.v);
    free(sc->s_wh_orders.v);
    sl_cnet_destroy(sc->cnet);
    sl_bus_destroy(sc->bus);
    free(sc->name);
    free(sc);
}

static sl_bus_link link_of(const sl_msg *m, void *user)
{
    const sl_sc *sc = user;
    sl_bus_link perfect = {0, 0, 0};
    return m->type > SL_CN_BASE && m->type <= SL_CN_FAILURE ? sc->def.link : perfect;
}

static sl_status sc_system(sl_world *w, void *user, sl_error *e)
{
    return sl_sc_step(user, sl_world_step_count(w), e);
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
    if (sl_pop_spawn(p, n) == (size_t)-1) {
        sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", full);
        return NULL;
    }
    return p;
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
    sc->S = def->nstores;
    sc->P = def->nprod;
    sc->V = def->nvehicles;
    sc->N = sc->S + 1;
    sc->def.name = sc->name;
    sc->def.store_x = sc->def.store_y = NULL; /* not kept: copied into nx, ny */
    sc->def.store_node = NULL;
    size_t sp = (size_t)sc->S * (size_t)sc->P;
    sc->inv = calloc(sp, sizeof(double));
    sc->back = calloc(sp, sizeof(double));
    sc->on_order = calloc(sp, sizeof(double));
    sc->vel = calloc(sp, sizeof(double));
    sc->arrive = calloc((size_t)(def->supplier_lead + 1) * (size_t)sc->P, sizeof(double));
    sc->veh = calloc((size_t)sc->V, sizeof(sc_vehicle));
    sc->bus = sl_bus_create();
    sc->open_at = calloc((size_t)sc->N, sizeof *sc->open_at);
    sc->ready_at = calloc((size_t)sc->N, sizeof *sc->ready_at);
    if (!sc->open_at || !sc->ready_at || !sc->name || !sc->inv || !sc->back || !sc->on_order || !sc->vel || !sc->arrive ||
        !sc->veh || !sc->bus) {
        sl_error_set(e, SL_ERR_NOMEM, "supply chain: out of memory");
        sc_free(sc);
        return NULL;
    }
    sc->def.roads = def->roads;
    sc->def.store_x = def->store_x;
    sc->def.store_y = def->store_y;
    sc->def.store_node = def->store_node;
    sl_status st = build_distances(sc, e);
    sc->def.store_x = sc->def.store_y = NULL;
    sc->def.store_node = NULL;
    sc->def.roads = NULL;
    if (st != SL_OK) {
        sc_free(sc);
        return NULL;
    }
    sl_bus_set_seed(sc->bus, sl_seed_mix(def->seed, 0x5343));
    sl_bus_set_link_fn(sc->bus, link_of, sc);
    for (size_t i = 0; i < sp; i++) {
        sc->inv[i] = def->store_stock0;
        sc->vel[i] = sl_demand_mean(&def->demand, i, 0);
    }
    for (int p = 0; p < sc->P; p++)
        sc->stock[p] = def->wh_stock0;
    sc->initial = def->wh_stock0 * sc->P + def->store_stock0 * (double)sp;
    sc->entered = sc->initial;
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
    double wh0 = def->wh_stock0 * sc->P, st0 = def->store_stock0 * (double)sp;
    double init[9] = {NAN, 0.0, def->h_store * st0 + def->h_wh * wh0, 0.0, 0.0, 0.0, 0.0, 0.0,
                      wh0};
    for (int m = 0; m < 9; m++)
        sl_recorder_set(rec, sc->metric[m], init[m]);
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
