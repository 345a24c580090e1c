/* sc_internal.h - supply chain state shared by its source files (not public). */
#ifndef SL_SC_INTERNAL_H
#define SL_SC_INTERNAL_H

#include <stdio.h>
#include "swarmlab/supply_chain.h"

/* Bus population numbers of the supply chain's own bus. */
enum { POP_WH = 0, POP_STORES = 1, POP_VEH = 2 };
enum { VEH_DEPOT = 0, VEH_OUT, VEH_RETURNING };

/* Message types of the supply chain's own traffic (besides the contract net's). */
#define SL_SC_MSG_ORDER 0x53430001u  /* site -> depot */
#define SL_SC_MSG_ASSIGN 0x53430002u /* planner -> vehicle */

/* ---- the order ledger (sc_orders.c): the seam between the model and the fleets ----
 *
 * One record per order, kept for the whole run (index i has id i + 1). Sites are numbered as the
 * nodes of the distance table (slp_sc_dist): the depot and the ordering site of an order are
 * site indices. An order carries one product.
 *
 * Life of an order (status, written by the model only):
 *   SENT      placed by the ordering site, on its way to the depot (message bus);
 *   OPEN      received by the depot, waiting for its processing time and for free stock;
 *   READY     picked: its units are reserved at the depot; a fleet may now load it;
 *   TRANSIT   dispatched (slp_sc_order_dispatched): its units are on a vehicle;
 *   DELIVERED delivered (slp_sc_order_delivered): its units are in the site's stock.
 * An order a planner cannot place stays READY and is listed again by slp_sc_ready_orders;
 * nothing drops it. `vehicle`, `route`, `fleet_state` and `fleet_t` are the fleet's to use while
 * the order is READY (planned vehicle, negotiation state, time of the next announcement); the
 * model writes vehicle and route at dispatch. Times not reached yet are SLP_SC_NEVER. */
enum { SLP_SC_SENT = 0, SLP_SC_OPEN, SLP_SC_READY, SLP_SC_TRANSIT, SLP_SC_DELIVERED };
/* fleet_state values used by the built-in planners. */
enum { SLP_SC_UNPLANNED = 0, SLP_SC_NEGOTIATING, SLP_SC_ASSIGNED };
#define SLP_SC_NEVER UINT64_MAX

typedef struct slp_sc_order {
    uint64_t id;            /* index + 1 */
    int site;               /* the ordering site (receives the units) */
    int depot;              /* the site that ships it */
    int product;            /* 0-based */
    int status;             /* SLP_SC_SENT .. SLP_SC_DELIVERED */
    double qty;             /* units (> 0, whole) */
    uint64_t created;       /* step it was placed */
    uint64_t promised;      /* step it should arrive by */
    uint64_t pick_after;    /* first step it may be picked (processing time at the depot) */
    uint64_t ready;         /* step it was picked */
    uint64_t dispatched;    /* step its vehicle left */
    uint64_t delivered;     /* step it arrived */
    int vehicle;            /* vehicle that carries it (-1: none yet) */
    int route;              /* route number of that vehicle (-1: none yet) */
    int fleet_state;        /* the fleet's own state (SLP_SC_UNPLANNED when the model makes it) */
    uint64_t fleet_t;       /* the fleet's own time field */
} slp_sc_order;

/* Distance between two sites (nodes of the network). */
double slp_sc_dist(const sl_sc *sc, int a, int b);
/* Indices (id - 1) of the READY orders shipped by `depot`, in id order, into out[0..max-1];
 * returns how many there are (may exceed max; out may be NULL with max 0). */
size_t slp_sc_ready_orders(const sl_sc *sc, int depot, size_t *out, size_t max);
/* A vehicle leaves with READY order `order` (index): its units move from the depot's reserved
 * stock to in transit, the record gets the step, vehicle and route. SL_ERR_STATE when the order
 * is not READY (a planner bug: the message names the order). */
sl_status slp_sc_order_dispatched(sl_sc *sc, size_t order, int vehicle, int route, uint64_t step,
                                  sl_error *e);
/* The order's units reach its site (after service): in transit -> the site's stock (a store
 * first serves its backlog); the record gets the step and its lateness counts in the KPIs.
 * SL_ERR_STATE when the order is not in TRANSIT. */
sl_status slp_sc_order_delivered(sl_sc *sc, size_t order, uint64_t step, sl_error *e);
/* Spare units a vehicle takes from a depot's free stock (float): at most q of product p, whole
 * units; returns the units taken (now in transit). */
double slp_sc_take_stock(sl_sc *sc, int depot, int p, double q);
/* Units of product p carried back to a depot (in transit -> free stock), or used to cover a
 * READY order from a vehicle's float before dispatching it. */
void slp_sc_return_stock(sl_sc *sc, int depot, int p, double q);
/* Appends a new SENT order; NULL when out of memory. The pointer is valid until the next call. */
slp_sc_order *slp_sc_order_new(sl_sc *sc, int site, int depot, int product, double qty,
                               uint64_t step);
/* Order index i reached its depot (SENT -> OPEN); 0 when out of memory. */
int slp_sc_order_received(sl_sc *sc, size_t i, uint64_t step);
/* Picks the OPEN orders of every depot whose processing time has passed, in id order, while free
 * stock covers them (OPEN -> READY). */
sl_status slp_sc_pick(sl_sc *sc, uint64_t step, sl_error *e);
/* The fleets' part of a step (the planners and the vehicles): plans READY orders, dispatches
 * and moves vehicles, calls the two functions above. */
sl_status slp_sc_fleet_step(sl_sc *sc, uint64_t step, sl_error *e);
/* Creates the fleets' own objects (the contract net) at sl_sc_create. */
sl_status slp_sc_fleet_init(sl_sc *sc, sl_error *e);

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
    int trips;                        /* departures so far (route numbers 1, 2, ...) */
    double distance;
    double busy_steps;
} sc_vehicle;

/* A growable list of order indices. */
typedef struct slp_sc_list {
    size_t *v;
    size_t n, cap;
} slp_sc_list;

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
    double transit[SL_SC_MAX_PROD]; /* units on vehicles (orders in transit and float) */
    /* the order ledger */
    slp_sc_order *orders;
    size_t norders, caporders;
    slp_sc_list *open_at, *ready_at; /* per site: OPEN and READY orders it ships, in id order */
    double lateness_sum;             /* steps late summed over delivered orders */
    double late_orders;              /* delivered orders that arrived after their promise */
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
/* Checkpoint section (sc_checkpoint.c), registered under "supply_chain:<name>". */
sl_status slp_sc_checkpoint_save(void *data, FILE *f, sl_error *e);
sl_status slp_sc_checkpoint_load(void *data, FILE *f, const char *path, sl_error *e);

#endif
