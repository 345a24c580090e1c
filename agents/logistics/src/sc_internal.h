/* sc_internal.h - supply chain state shared by its source files (not public). */
#ifndef SL_SC_INTERNAL_H
#define SL_SC_INTERNAL_H

#include <stdio.h>
#include "swarmlab/supply_chain.h"

/* Bus population numbers of the supply chain's own bus. */
enum { POP_WH = 0, POP_STORES = 1, POP_VEH = 2 };
enum { ORD_SENT = 0, ORD_WAITING, ORD_NEGOTIATING, ORD_ASSIGNED, ORD_DELIVERED };
enum { VEH_DEPOT = 0, VEH_OUT, VEH_RETURNING };

/* Message types of the supply chain's own traffic (besides the contract net's). */
#define SL_SC_MSG_ORDER 0x53430001u  /* store -> warehouse */
#define SL_SC_MSG_ASSIGN 0x53430002u /* planner -> vehicle */

typedef struct sc_order {
    uint64_t id;            /* index + 1 */
    int store;
    int state;
    int vehicle;
    uint64_t placed, ready, delivered;
    double units;
    double q[SL_SC_MAX_PROD];
} sc_order;

typedef struct sc_vehicle {
    int state;
    int loc;                /* node the vehicle last left or is at (0 = warehouse) */
    int target;             /* node it heads to */
    double progress;        /* distance covered on the leg loc -> target */
    int *stops;             /* order indices; stops[0] is the current target when out */
    int nstops, capstops;
    double load[SL_SC_MAX_PROD];      /* on board */
    double committed[SL_SC_MAX_PROD]; /* owed to assigned stops */
    double awarded;                   /* units awarded to it, conversation not yet closed */
    uint64_t first_commit;
    double distance;
    double busy_steps;
} sc_vehicle;

typedef struct sc_series {
    double *v;
    size_t n, cap;
} sc_series;

struct sl_sc {
    char *name;
    sl_sc_def def;
    sl_world *world;
    int S, P, V, N;         /* stores, products, vehicles, nodes (S + 1, node 0 = warehouse) */
    double *D;              /* N x N distances */
    double *nx, *ny;        /* node coordinates */
    /* stores: [s * P + p] */
    double *inv, *back, *on_order, *vel;
    /* warehouse */
    double stock[SL_SC_MAX_PROD], reserved[SL_SC_MAX_PROD];
    double *arrive;         /* supplier pipeline: ring of (supplier_lead + 1) x P */
    double waiting[SL_SC_MAX_PROD]; /* units of received orders not yet reserved */
    /* orders */
    sc_order *orders;
    size_t norders, caporders;
    sc_vehicle *veh;
    sl_bus *bus;
    sl_cnet *cnet;
    /* counters: totals and this step */
    sl_sc_kpis tot, cur;
    double entered, sold_total, initial;
    double order_lead_sum;
    sc_series s_demand, s_store_orders, s_wh_orders;
    int pop_stores, pop_vehicles;    /* world population pointers below */
    sl_pop *ps, *pv;
    int metric[9];
    uint64_t step;
};

/* Route helpers (sc_route.c). */
/* Cheapest feasible insertion of order o into vehicle v; returns INFINITY when infeasible.
 * *pos is the index in v's stops where it would go. */
double slp_sc_insertion(const sl_sc *sc, int v, int o, int *pos);
/* Inserts order o at pos in vehicle v (the caller checked feasibility) and books the units. */
int slp_sc_insert(sl_sc *sc, int v, int o, int pos);
/* Units a vehicle can still take: spare capacity at the depot, float on the road. */
double slp_sc_spare(const sl_sc *sc, int v);
/* Central planning pass over all waiting orders and the fleet. */
sl_status slp_sc_central_plan(sl_sc *sc, uint64_t step, sl_error *e);
/* Improves the routes of those of the listed vehicles that are at the depot with stops, with the
 * routing module's local search (sc_improve.c): CVRP moves between and inside the routes, then
 * 2-opt and Or-opt on each route. The result is kept only when its real-valued total length is
 * shorter than before and every route's committed units fit the capacity; vehicles under way are
 * never touched. *gain (optional) receives the distance saved (>= 0). Errors: out of memory. */
sl_status slp_sc_improve_routes(sl_sc *sc, const int *vehicles, int nveh, double *gain, sl_error *e);
/* Grows a vehicle's stop array to hold need stops; 0 when out of memory. */
int slp_sc_stops_grow(sc_vehicle *v, int need);
/* Route distance of vehicle v from where it is (or from the depot) back to the depot. */
double slp_sc_route_length(const sl_sc *sc, int v);
/* Whether the warehouse has free stock for order o. */
int slp_sc_stock_covers(const sl_sc *sc, int o);
void slp_sc_reserve(sl_sc *sc, int o);
void slp_sc_release(sl_sc *sc, int o);
/* Checkpoint section (sc_checkpoint.c), registered under "supply_chain:<name>". */
sl_status slp_sc_checkpoint_save(void *data, FILE *f, sl_error *e);
sl_status slp_sc_checkpoint_load(void *data, FILE *f, const char *path, sl_error *e);

#endif
