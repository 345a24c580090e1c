/* supply_chain.h - a two-echelon supply chain: a warehouse, stores, a fleet, and who delivers what.
 *
 * One warehouse holds stock per product and is replenished by an outside supplier (policy and
 * lead time). Stores see demand per product (inventory.h processes), serve it from stock (the
 * rest is backlogged or lost), review their inventory position every step and send orders to
 * the warehouse over a message bus. An order is ready after the warehouse lead time and is then
 * allocated to a vehicle:
 *   - contract net: the warehouse calls for proposals; every vehicle bids its marginal route cost
 *     (cheapest insertion) or refuses (no room); the lowest bid wins and inserts the stop;
 *   - central planning: a planner assigns every ready order by cheapest insertion over the whole
 *     fleet and improves the routes of vehicles still at the depot together with the routing
 *     module's CVRP and TSP local search, then tells each vehicle its new stops.
 * In contract-net mode a winner still at the depot improves its own route the same way after
 * inserting the stop. An improved plan is kept only when it is shorter in real distances.
 * Vehicles (capacity in units, speed in distance per step) leave the depot after waiting
 * `dispatch_wait` steps for more orders, carrying their committed loads plus a float of spare
 * units. While a vehicle is under way its committed stops are never reordered: a new order may
 * only be inserted after the stop it is heading to, and only when its float covers the order.
 * Distances are Euclidean on the plane, or shortest paths on a road graph.
 *
 * Everything runs serially once per step (a world system named "<name>"), so results do not
 * depend on the thread count. The supply chain has its own message bus (sl_sc_bus), ended at the
 * end of each of its steps. Demand draws are keyed by (seed, store * nprod + product, step), so
 * two supply chains with the same seed, in the same or different worlds, see the same demand.
 *
 * The world gets two populations, "<name>_stores" (x, y, inventory, backlog, on_order) and
 * "<name>_vehicles" (x, y, load, stops, busy), refreshed every step, and value metrics
 * "<name>_fill_rate", "_backlog", "_holding_cost", "_backlog_cost", "_distance", "_delivered",
 * "_messages", "_bytes", "_stock_wh" set every step.
 *
 * Checkpoints: the run-time state (stocks, orders, vehicles and routes, KPI totals, the bus and
 * the contract net) is a checkpoint section registered as "supply_chain:<name>"; a restored run
 * builds the supply chain again with the same definition and the section overwrites its state.
 * A bid hook's own state, if any, is the caller's to restore.
 *
 * Ownership: sl_sc_create attaches the supply chain to the world (freed with it).
 */
#ifndef SWARMLAB_SUPPLY_CHAIN_H
#define SWARMLAB_SUPPLY_CHAIN_H

#include <stdint.h>
#include "swarmlab/bus.h"
#include "swarmlab/cnet.h"
#include "swarmlab/error.h"
#include "swarmlab/graph.h"
#include "swarmlab/inventory.h"
#include "swarmlab/world.h"

#define SL_SC_MAX_PROD 8

typedef enum sl_sc_mode { SL_SC_CONTRACT_NET = 0, SL_SC_CENTRAL = 1 } sl_sc_mode;

typedef struct sl_sc sl_sc;

/* What a bidding vehicle sees: its index, the order, and the marginal distance of the cheapest
 * feasible insertion (the default bid). */
typedef struct sl_sc_bid_info {
    int vehicle;          /* 0-based */
    int store;            /* 0-based */
    uint64_t order;       /* order id */
    double units;         /* units in the order */
    double marginal;      /* added route distance */
    int en_route;         /* 1 when the vehicle is under way (the order comes from its float) */
    double load;          /* units on board or committed */
} sl_sc_bid_info;
/* Optional bid hook: set *propose and *cost (finite); errors abort the step. */
typedef sl_status (*sl_sc_bid_fn)(void *user, const sl_sc_bid_info *b, int *propose, double *cost,
                                  sl_error *e);

typedef struct sl_sc_def {
    const char *name;          /* prefix of populations, metrics and the system */
    int mode;                  /* sl_sc_mode */
    uint64_t seed;
    int nprod;                 /* 1..SL_SC_MAX_PROD */
    int nstores;
    const double *store_x, *store_y; /* plane positions (copied) */
    double wh_x, wh_y;
    const sl_graph *roads;     /* optional road graph (finalized); then nodes are used */
    const int *store_node;     /* with roads: node of each store (copied) */
    int wh_node;
    int node_base;             /* added to node numbers in error messages (Lua: 1) */
    double wh_stock0;          /* initial warehouse stock per product */
    sl_policy wh_policy;       /* warehouse replenishment (per product) */
    int supplier_lead;         /* steps from supplier order to arrival (>= 1) */
    double store_stock0;       /* initial store stock per product */
    sl_policy store_policy;
    sl_demand demand;          /* borrowed: the caller keeps a table alive */
    int lead_time;             /* warehouse processing steps before an order can be loaded */
    int promise;               /* steps after the processing time an order is promised by */
    int lost_sales;            /* 1: unmet demand is lost; 0: backlogged */
    int nvehicles;
    double capacity;           /* units per vehicle (> 0) */
    double speed;              /* distance per step (> 0) */
    double float_fraction;     /* share of spare capacity loaded as float, [0, 1] */
    int dispatch_wait;         /* steps a loaded vehicle waits at the depot (>= 0) */
    double h_store, h_wh;      /* holding cost per unit-step */
    double backlog_cost;       /* per backlogged unit-step */
    double lost_cost;          /* per lost unit */
    double km_cost;            /* per unit of distance driven */
    sl_bus_link link;          /* loss/delay of negotiation messages */
    int cn_deadline;           /* contract net: steps to collect proposals (>= 2) */
    int retry_wait;            /* contract net: steps before an unplaced order is announced again */
    sl_sc_bid_fn bid;          /* optional bid hook */
    void *bid_user;
    int warmup;                /* steps left out of the bullwhip ratios */
} sl_sc_def;

/* Defaults: 1 product, Poisson demand 1 per store-step, (s, S) = (6, 20) at stores, base-stock
 * 600 at the warehouse (400 at start), lead times 1 and 4, 6 vehicles of 100 units at speed 40,
 * float 0.3, wait 2, costs 0.1 / 0.05 / 1.0 / 2.0 / 0.01, contract net, deadline 2, retry 2. */
sl_sc_def sl_sc_def_default(void);

/* Checks the definition, builds distances (errors name an unreachable store), adds the
 * populations, metrics and the system. NULL with e filled on error. */
sl_sc *sl_sc_create(sl_world *w, const sl_sc_def *def, sl_error *e);
/* Runs one step of the supply chain (what its system does). */
sl_status sl_sc_step(sl_sc *sc, uint64_t step, sl_error *e);

sl_bus *sl_sc_bus(sl_sc *sc);
sl_cnet *sl_sc_cnet(sl_sc *sc);   /* NULL in central mode */
const char *sl_sc_name(const sl_sc *sc);
/* Opens the contract-net message trace (contract-net mode; SL_ERR_STATE otherwise). */
sl_status sl_sc_open_trace(sl_sc *sc, const char *path, sl_error *e);
/* Ends the run: aborts open conversations, closes the trace. */
sl_status sl_sc_finish(sl_sc *sc, sl_error *e);

typedef struct sl_sc_kpis {
    double steps;
    double demand, served, fill_rate;   /* served from stock on the day of demand */
    double stockouts;                   /* store-product-steps with unmet demand */
    double backlog, lost;               /* units now backlogged; units lost */
    double holding_cost, backlog_cost, lost_cost, transport_cost, total_cost;
    double distance, delivered, cost_per_unit; /* transport cost per unit delivered */
    double utilisation;                 /* vehicle-steps away from the depot / vehicle-steps */
    double orders, order_lead;          /* orders delivered; mean steps order -> delivery */
    double messages, bytes;
    double bullwhip_stores;             /* var(store orders) / var(demand) */
    double bullwhip_warehouse;          /* var(warehouse orders) / var(store orders) */
    double negotiations, failed_negotiations;
} sl_sc_kpis;
/* Run totals so far (rates and ratios over the whole run). */
sl_sc_kpis sl_sc_kpis_run(const sl_sc *sc);
/* The last step only. */
sl_sc_kpis sl_sc_kpis_step(const sl_sc *sc);

/* Units everywhere (warehouse stock + reserved + on vehicles + at stores + sold) and units that
 * entered (initial stock + supplier deliveries); equal when nothing is created or destroyed. */
void sl_sc_conservation(const sl_sc *sc, double *held, double *entered);

/* Vehicle route for inspection: stores (0-based) of its remaining stops in visiting order;
 * returns the count (<= max). */
int sl_sc_vehicle_route(const sl_sc *sc, int v, int *stores, int max);

#endif
