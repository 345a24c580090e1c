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
    /* written by the fleet at the stop (sc_timing.c): time the vehicle arrived (NAN before),
     * time it waited for the store's window, time it came after the window closed */
    double arrival, wait, late;
} slp_sc_order;

/* Distance between two sites (nodes of the network; sc_network.c). */
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

/* One departure of a vehicle: its stops and load are those of the orders with this vehicle and
 * route number in the ledger. */
typedef struct slp_sc_trip {
    int vehicle, route;
    uint64_t start, end;    /* end = SLP_SC_NEVER while under way */
    double dist0, distance; /* the vehicle's odometer at departure; distance of the trip */
} slp_sc_trip;

/* A fleet: its definition (copied), its depot (site index) and its vehicles v0 .. v0 + nv - 1
 * of the chain's vehicle array. */
typedef struct slp_sc_fleet {
    sl_sc_fleet_def def;
    int depot;
    int v0, nv;
    double maxcap;          /* largest capacity of its types */
    /* this step, per type: distance driven, vehicle-steps away, departures (transport cost) */
    double tdist[SL_SC_MAX_VTYPES], tsteps[SL_SC_MAX_VTYPES], tdeps[SL_SC_MAX_VTYPES];
} slp_sc_fleet;

typedef struct sc_vehicle {
    /* from the definition */
    int fleet, type, depot; /* fleet index, type index in it, depot site index */
    double cap, speed;      /* its type's capacity and speed */
    double kd, kt, kf;      /* its type's costs per distance, per step away and per departure,
                               divided by the fleet's smallest positive cost per distance (so a
                               fleet priced by distance alone plans by distance) */
    double shift_start, shift_end; /* its type's shift (sc_timing.c) */
    /* state */
    double busy;            /* steps still to spend at the stop it reached (waiting, serving) */
    double limit;           /* time by which its trip must be back (end of the shift) */
    double back;            /* time it last came back to its depot (for checks; not saved) */
    int state;
    int loc;                /* node the vehicle last left or is at (its depot at the start) */
    int target;             /* node it heads to */
    double progress;        /* distance covered on the leg loc -> target */
    int *stops;             /* order indices; stops[0] is the current target when out */
    int nstops, capstops;
    int nnext;              /* the last nnext stops are the next trip, planned while under way */
    uint64_t next_first;    /* step the next trip got its first stop */
    double next_committed[SL_SC_MAX_PROD]; /* units owed to the next trip (reserved at the depot) */
    double load[SL_SC_MAX_PROD];      /* on board */
    double committed[SL_SC_MAX_PROD]; /* owed to assigned stops */
    double awarded;                   /* units awarded to it, conversation not yet closed */
    uint64_t first_commit;
    int trips;                        /* departures so far (route numbers 1, 2, ...) */
    double distance;
    double busy_steps;
    /* on roads: the nodes of the road graph on the leg path_loc -> path_target (the leg it
     * drives when they are loc -> target) and the distance from the leg's start to each */
    int *path;
    double *path_at;
    int npath, cappath;
    int path_loc, path_target;
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
    sl_sc_def def;          /* def.sites points at `site` */
    sl_world *world;
    int S, P, V, N;         /* stores, products, vehicles, sites (= nodes of slp_sc_dist) */
    /* sites; index 0 is the first fleet's depot */
    sl_sc_site *site;       /* N copies (CSV demand tables borrowed from the caller) */
    int *store;             /* S indices of the stores */
    int *store_of;          /* per site: its number among the stores, or -1 */
    int *src;               /* fixed source index, or -1 */
    int *echelon;
    int *by_id;             /* site indices sorted by id */
    int *cand[5];           /* per kind: the sites it may order from by "nearest" */
    int ncand[5];
    double *D;              /* with roads: N x N distances; NULL on the plane */
    double *nx, *ny;        /* site coordinates */
    uint64_t dseed;         /* demand seed (the world's with common random numbers) */
    /* per site and product, [i * P + p] */
    double *inv;            /* free units on hand */
    double *reserved;       /* units of READY orders it ships */
    double *back;           /* store: customer backlog */
    double *on_order;       /* units ordered by the site, not yet received */
    double *waiting;        /* units of OPEN orders it ships (its customers wait) */
    double *vel;            /* smoothed sales (stores) or orders received (others) */
    double *dem;            /* this step: customer demand (stores) or units ordered from it */
    /* per product */
    double transit[SL_SC_MAX_PROD]; /* units on the way (orders in transit and vehicle float) */
    double entered[SL_SC_MAX_PROD]; /* initial stock + supplier shipments + plant output */
    double sold[SL_SC_MAX_PROD];    /* units sold to customers */
    double lost[SL_SC_MAX_PROD];    /* units received beyond a site's capacity */
    /* the order ledger */
    slp_sc_order *orders;
    size_t norders, caporders;
    slp_sc_list *open_at, *ready_at; /* per site: OPEN and READY orders it ships, in id order */
    slp_sc_list shipping;            /* orders in transit without a vehicle, in id order */
    double lateness_sum;             /* steps late summed over delivered orders */
    double late_orders;              /* delivered orders that arrived after their promise */
    sc_vehicle *veh;
    int spd;                /* steps per day */
    int timed;              /* some shift, window or service time: plans are timed */
    int no_shift_limit;     /* tests only: 1 turns the shifts' end off (to see the check fail) */
    int F;                  /* fleets */
    slp_sc_fleet *fleet;
    int *fleet_of;          /* per site: the fleet whose depot it is, or -1 */
    sl_bus *bus;
    sl_cnet *cnet;
    /* counters: totals and this step */
    sl_sc_kpis tot, cur;
    double order_lead_sum;
    sc_series s_demand, s_store_orders, s_wh_orders;
    sl_pop *ps, *pv;
    int metric[9];
    uint64_t step;
    int finished;           /* sl_sc_finish was called: steps do nothing */
    /* trips of the fleet (routes.csv): one per departure, in departure order */
    struct slp_sc_trip *trip;
    size_t ntrips, captrips;
    uint64_t deliveries;    /* delivery sequence: a delivered order's fleet_t is its number */
    sl_graph *roads;        /* on roads: the chain's own copy of the road graph (NULL on the
                             * plane), for the vehicles' paths; Dijkstra scratch per node */
    double *road_dist;
    int *road_prev;
};

/* Network (sc_network.c). */
/* Checks the sites, resolves fixed sources and echelons (refusing cycles), builds distances. */
sl_status slp_sc_network_build(sl_sc *sc, const sl_sc_def *def, sl_error *e);
/* Kind order: supplier 0, plant 1, warehouse 2, cross-dock 3, store 4. */
int slp_sc_rank(int kind);
/* The site that ships an order of site i for qty units of product p at this step (fixed,
 * transshipment, nearest with stock, or the rule hook); -1 with e filled when a rule fails. */
int slp_sc_source_of(sl_sc *sc, int i, int p, double qty, sl_error *e);
/* State of site i for product p as hooks see it. */
sl_sc_site_state slp_sc_state(const sl_sc *sc, int i, int p);
/* Customer demand of store i for product p this step (sc_demand.c); SL_OK or a hook's error. */
sl_status slp_sc_demand(sl_sc *sc, int i, int p, uint64_t step, double *units, sl_error *e);
/* Order quantity of site i for product p (its policy, capped by its capacity). */
sl_status slp_sc_policy(sl_sc *sc, int i, int p, double *qty, sl_error *e);
/* Delivers the orders that went without a vehicle and whose ship time is over (sc_orders.c);
 * slp_sc_pick ships such orders as soon as they are picked. */
sl_status slp_sc_receive_shipments(sl_sc *sc, uint64_t step, sl_error *e);
/* Refreshes the world populations of stores and vehicles (sc_step.c). */
void slp_sc_mirror(sl_sc *sc);
/* 1 when order o goes by vehicle (shipped by a fleet's depot to a store). */
int slp_sc_by_vehicle(const sl_sc *sc, const slp_sc_order *o);

/* Route helpers (sc_route.c). */
/* Cheapest feasible insertion of order o into vehicle v; returns INFINITY when infeasible.
 * *pos is the index in v's stops where it would go. With next_trip, a vehicle under way may
 * also take the order into its next trip (loaded when it is back at the depot): that costs the
 * insertion into the next trip plus the way the vehicle still has to go to the depot, and *pos
 * is then the index + SLP_SC_NEXT_TRIP. */
#define SLP_SC_NEXT_TRIP (1 << 24)
double slp_sc_insertion(const sl_sc *sc, int v, int o, int next_trip, int *pos);
/* Inserts order o at pos in vehicle v (the caller checked feasibility) and books the units. */
int slp_sc_insert(sl_sc *sc, int v, int o, int pos);
/* Units a vehicle can still take: spare capacity at the depot, float on the road (or room in
 * its next trip, when that is larger). */
double slp_sc_spare(const sl_sc *sc, int v);
/* The vrp planner (sc_plan_vrp.c): the open orders and the vehicles at the depot as a rich VRP
 * solved by the ant colony, warm-started from their current plans. */
sl_status slp_sc_vrp_plan(sl_sc *sc, slp_sc_fleet *f, uint64_t step, sl_error *e);
/* The caller's planner (sc_plan_fn.c): calls def.plan_fn and applies its routes after checking
 * them (slp_sc_apply_plan). */
sl_status slp_sc_fn_plan(sl_sc *sc, slp_sc_fleet *f, uint64_t step, sl_error *e);
/* Checks a plan of fleet f (vehicle numbers 0-based within the fleet) against its open orders
 * and its vehicles at the depot - every route names a
 * vehicle at the depot once, every id an open order once, no route over capacity - and, when it
 * is valid, makes it the plan of the vehicles at the depot. SL_ERR_RANGE with a one-line message
 * naming the route and stop ("routes[2][3]: order 17 is not open") otherwise; nothing changes. */
sl_status slp_sc_apply_plan(sl_sc *sc, const slp_sc_fleet *f, uint64_t step,
                            const sl_sc_plan *plan, sl_error *e);
/* Frees a plan's arrays (malloc'ed) and zeroes it. */
void slp_sc_plan_release(sl_sc_plan *p);
/* Whether order i is open to a planner in `step`: READY and either waiting for a planner (its
 * next planning time reached) or on the plan of a vehicle still at the depot. */
int slp_sc_plannable(const sl_sc *sc, size_t i, uint64_t step);
/* Central planning pass over the waiting orders of fleet f's depot and its vehicles. */
sl_status slp_sc_central_plan(sl_sc *sc, slp_sc_fleet *f, uint64_t step, sl_error *e);
/* Improves the routes of those of the listed vehicles (all of one fleet) that are at the depot
 * with stops, with the
 * routing module's local search (sc_improve.c): CVRP moves between and inside the routes, then
 * 2-opt and Or-opt on each route. The result is kept only when its real-valued total length is
 * shorter than before and every route's committed units fit the capacity; vehicles under way are
 * never touched. *gain (optional) receives the distance saved (>= 0). Errors: out of memory. */
sl_status slp_sc_improve_routes(sl_sc *sc, const int *vehicles, int nveh, double *gain, sl_error *e);
/* Grows a vehicle's stop array to hold need stops; 0 when out of memory. */
int slp_sc_stops_grow(sc_vehicle *v, int need);
/* Where vehicle v is: interpolated on the leg it drives, at its depot otherwise. */
void slp_sc_vehicle_xy(const sl_sc *sc, int v, double *x, double *y);
/* ---- the clock (sc_timing.c): times are steps as real numbers ---- */
/* Start of the day of time t. */
double slp_sc_day_start(const sl_sc *sc, double t);
/* When service at `site` starts for a vehicle arriving at a (waiting for the window to open);
 * *late = how long after the window's close it arrived (0 when not late). */
double slp_sc_service_start(const sl_sc *sc, int site, double a, double *late);
int slp_sc_has_shift(const sc_vehicle *v);
/* First step >= s inside v's shift (s without a shift). */
uint64_t slp_sc_shift_step(const sl_sc *sc, const sc_vehicle *v, uint64_t s);
/* Time by which v, leaving at step dep, must be back (INFINITY without a shift). */
double slp_sc_shift_limit(const sl_sc *sc, const sc_vehicle *v, uint64_t dep);
/* Times a route of v from node `from` at time t through the orders stops[0..n-1] - with order x
 * inserted before stops[pos] when x >= 0 - and back to v's depot: the return time, or INFINITY
 * when the return is after `limit` or (windows = 1) a stop would be served late. */
double slp_sc_route_end(const sl_sc *sc, const sc_vehicle *v, int from, double t,
                        const int *stops, int n, int x, int pos, double limit, int windows);
/* The step vehicle v (at its depot) will leave if nothing else fills it: dispatch_wait after its
 * first stop (or after now), then the first step inside its shift. */
uint64_t slp_sc_planned_departure(const sl_sc *sc, const sc_vehicle *v, uint64_t now);
/* Vehicle v under way: the node and time at which it has finished the stop it is heading to
 * (or reached its depot, when driving back). */
void slp_sc_next_free(const sl_sc *sc, const sc_vehicle *v, double now, int *node, double *t);
/* Time vehicle v under way will be back at its depot after its current trip. */
double slp_sc_trip_end(const sl_sc *sc, const sc_vehicle *v, double now);
/* The step v under way will leave on its next trip when it is back at time `back`. */
uint64_t slp_sc_next_departure(const sl_sc *sc, const sc_vehicle *v, double back, uint64_t now);
/* 1 when vehicle vi at its depot can serve the orders stops[0..n-1] in that order inside its
 * shift and (windows = 1) the stores' windows, leaving at its planned departure (always 1 when
 * nothing is timed). */
int slp_sc_plan_fits(const sl_sc *sc, int vi, const int *stops, int n, uint64_t now,
                     int windows);
/* Route distance of vehicle v from where it is (or from its depot) back to its depot. */
double slp_sc_route_length(const sl_sc *sc, int v);
/* Where vehicle v is: at the depot, or on the leg it drives - along the road path of the leg on
 * a road graph, interpolated on the straight line between the two sites on the plane. */
void slp_sc_vehicle_xy(const sl_sc *sc, int v, double *x, double *y);
/* Vehicles on roads (sc_roads.c). Finds the road path of every vehicle's leg that has none yet
 * (called after the vehicles moved and after a checkpoint is loaded; nothing on the plane). A
 * vehicle keeps one path, of its current leg, so memory per vehicle is bounded by the graph's
 * nodes. Errors: out of memory. */
sl_status slp_sc_road_legs(sl_sc *sc, sl_error *e);
/* Keeps a copy of the road graph g (nothing when g is NULL), so the caller may change or free
 * its own afterwards. Errors: out of memory. */
sl_status slp_sc_roads_copy(sl_sc *sc, const sl_graph *g, sl_error *e);
/* Position of vehicle v along the road path of its leg: 1 with (x, y) written when it is under
 * way on a road graph with the path of its current leg, 0 otherwise. */
int slp_sc_road_xy(const sl_sc *sc, int v, double *x, double *y);
/* Checkpoint section (sc_checkpoint.c), registered under "supply_chain:<name>". */
sl_status slp_sc_checkpoint_save(void *data, FILE *f, sl_error *e);
sl_status slp_sc_checkpoint_load(void *data, FILE *f, const char *path, sl_error *e);

#endif
