/* supply_chain.h - supply chains of any shape: sites, stock, demand, orders and a fleet.
 *
 * A network of sites of five kinds - supplier, plant, warehouse, cross-dock, store - each on the
 * plane or on a node of a road graph, each with its own stock per product (1 by default, up to
 * SL_SC_MAX_PROD), capacity, costs and replenishment source: a fixed site, the nearest site of a
 * higher echelon with free stock ("nearest"), or a rule (a hook, a Lua function). Suppliers have
 * unlimited stock; plants make units at a rate per step; warehouses hold stock and may send it
 * to each other (transshipment: a warehouse short of stock orders from the nearest warehouse of
 * its group with enough spare stock before it asks its own source); cross-docks hold nothing
 * for long (their default policy orders exactly what their customers wait for); stores see
 * customer demand. Echelons follow the sources (suppliers 0, the sites they serve 1, ...); fixed
 * sources that form a cycle are refused.
 *
 * Every step (a world system named "<name>"): orders received at their depots; customer demand
 * at every store (its own process: constant, Poisson, seasonal, a CSV column, or a hook; its
 * random stream is keyed by (seed, site id, product, step) - with common_random_numbers the seed
 * is the world's seed alone, else it is mixed with the chain's name so that two chains in one
 * world draw different demand); every site's policy (built-in per site, or a hook) places orders
 * with its source; depots pick the orders they can cover (stock reserved); orders shipped by the
 * fleet's depot to stores go by vehicle (slp_sc_fleet_step), every other order leaves at once
 * and arrives after the depot's ship time; receipts go into stock.
 *
 * Every order is a record of the ledger (sl_sc_order_info: id, site, depot, product, quantity,
 * created, promised, ready, dispatched, delivered, lateness, vehicle, route, status), readable
 * while the run goes on and written to a CSV file by sl_sc_write_orders. Units are conserved per
 * product, every step: units that entered (initial stock, supplier shipments, plant output) =
 * units sold to customers + units in stock (free or reserved) + in transit + lost (receipts
 * beyond a site's capacity); sl_sc_conservation reports both sides.
 *
 * Fleets (sl_sc_fleet_def, one per depot): each serves the orders its depot (a warehouse or a
 * cross-dock) ships to stores with its own vehicles, which start and end at that depot, and its
 * own planner, planning period and trigger. Contract net: the depot calls for proposals; every vehicle bids its marginal route
 * cost (cheapest insertion) or refuses; the lowest bid that fits wins. Central: cheapest
 * insertion over the fleet, then the routing module's local search on routes still at the depot.
 * Vehicles (capacity in units, speed in distance per step) wait `dispatch_wait` steps for more
 * orders, leave with their committed loads plus a float of spare units, and never reorder the
 * stops they committed to while under way. Orders no vehicle takes stay ready at the depot.
 *
 * Everything runs serially once per step, so results do not depend on the thread count. The
 * world gets two populations, "<name>_stores" (x, y, inventory, backlog, on_order) and
 * "<name>_vehicles" (x, y, load, stops, busy), refreshed every step, and value metrics
 * "<name>_fill_rate", "_backlog", "_holding_cost", "_backlog_cost", "_distance", "_delivered",
 * "_messages", "_bytes", "_stock_wh" set every step.
 *
 * Checkpoints: the run-time state (stocks, the ledger, vehicles and routes, KPI totals, the bus
 * and the contract net) is a checkpoint section "supply_chain:<name>"; a restored run builds the
 * supply chain again with the same definition and the section overwrites its state. Hooks' own
 * state, if any, is the caller's to restore.
 *
 * Ownership: sl_sc_create attaches the supply chain to the world (freed with it); the def's
 * arrays are borrowed for the call (copied). Errors name the site by its id and the field.
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

/* Planners: contract net; central insertion and local search; the ant colony on a rich VRP of
 * the open orders (agents/aco vrp_aco.h); a planner function of the caller (plan_fn). */
typedef enum sl_sc_mode {
    SL_SC_CONTRACT_NET = 0,
    SL_SC_CENTRAL = 1,
    SL_SC_VRP = 2,
    SL_SC_PLANNER = 3
} sl_sc_mode;
/* When a planner other than the contract net runs: every `plan_period` steps, or (order) also
 * in any step in which an order became READY. */
typedef enum sl_sc_trigger { SL_SC_TRIGGER_PERIODIC = 0, SL_SC_TRIGGER_ORDER = 1 } sl_sc_trigger;

/* What a planner function sees (SL_SC_PLANNER): the open orders of its fleet - READY at the
 * fleet's depot and not on a vehicle under way - and every vehicle of the fleet, numbered within
 * the fleet (0-based here and in the plan; `vehicle` gives the chain-wide number). */
typedef struct sl_sc_plan_order {
    uint64_t id;          /* order id */
    int site;             /* index of the site it goes to (0 = the depot) */
    int product;
    double qty;
    uint64_t created, promised;
    int vehicle;          /* vehicle of the fleet at the depot whose plan holds it, or -1 */
} sl_sc_plan_order;
typedef struct sl_sc_plan_vehicle {
    int vehicle;          /* its number in the chain (0-based, as sl_sc_order_info's) */
    int type;             /* index of its type in the fleet's types */
    const char *type_name; /* that type's name (valid during the call) */
    int state;            /* 0 at the depot (plannable), 1 out, 2 driving back */
    double x, y, capacity, load; /* load: units on board, or committed at the depot */
    int nstops;           /* stops of its plan */
} sl_sc_plan_vehicle;
/* A planner's answer: for each vehicle (0-based) at the depot that gets a route, the order ids
 * in visiting order. route r is vehicle[r] with ids[start[r] .. start[r + 1] - 1]. A vehicle at
 * the depot without a route keeps no stops; orders in no route stay READY (queued). */
typedef struct sl_sc_plan {
    int nroutes;
    int *vehicle;
    int *start;           /* nroutes + 1 */
    uint64_t *ids;
} sl_sc_plan;
/* Called at each planning; fills *out with arrays the callee allocates with malloc (the supply
 * chain frees them). Errors abort the step. */
typedef sl_status (*sl_sc_plan_fn)(void *user, const sl_sc_plan_order *orders, int norders,
                                   const sl_sc_plan_vehicle *vehicles, int nvehicles,
                                   sl_sc_plan *out, sl_error *e);

typedef struct sl_sc sl_sc;

/* What a bidding vehicle sees: its index, the order, and the marginal cost of the cheapest
 * feasible insertion (the default bid: its type's costs, normalised so that a fleet priced by
 * distance alone bids the added distance; infeasible - over capacity, late at a store, back
 * after the shift - means no bid). */
typedef struct sl_sc_bid_info {
    int vehicle;          /* 0-based */
    int store;            /* 0-based */
    uint64_t order;       /* order id */
    double units;         /* units in the order */
    double marginal;      /* marginal cost (added distance for a fleet priced by distance) */
    int en_route;         /* 1 when the vehicle is under way (the order comes from its float) */
    double load;          /* units on board or committed */
} sl_sc_bid_info;
/* Optional bid hook: set *propose and *cost (finite); errors abort the step. */
typedef sl_status (*sl_sc_bid_fn)(void *user, const sl_sc_bid_info *b, int *propose, double *cost,
                                  sl_error *e);

/* A vehicle type of a fleet: `count` vehicles alike. Costs (the transport cost of the KPIs, and
 * what the planners minimise): fixed_cost per departure, cost_per_distance per unit of distance
 * driven, cost_per_time per step away from the depot. */
typedef struct sl_sc_vtype {
    char name[32];             /* routes.csv's `type` ("" : "type<k>", 1-based) */
    int count;                 /* >= 1 */
    double capacity;           /* units (> 0) */
    double speed;              /* distance per step (> 0) */
    double fixed_cost, cost_per_distance, cost_per_time; /* >= 0 */
    double shift_start, shift_end; /* times of day (steps, see steps_per_day) between which its
                                      vehicles work: they leave the depot only inside the shift
                                      and are back by its end; none when shift_end <= start */
} sl_sc_vtype;
#define SL_SC_MAX_VTYPES 16
/* 6 vehicles of 100 units at speed 40, distance cost 0.01, no fixed or time cost. */
sl_sc_vtype sl_sc_vtype_default(void);

/* A fleet: the vehicles of one depot, their types and their planner. */
typedef struct sl_sc_fleet_def {
    long long depot;           /* id of a warehouse or cross-dock; at most one fleet per depot */
    int mode;                  /* sl_sc_mode */
    int ntypes;                /* 1..SL_SC_MAX_VTYPES */
    sl_sc_vtype types[SL_SC_MAX_VTYPES];
    double float_fraction;     /* share of spare capacity loaded as float, [0, 1] */
    int dispatch_wait;         /* steps a loaded vehicle waits at the depot (>= 0) */
    int cn_deadline;           /* contract net: steps to collect proposals (>= 2; the same for
                                  every contract-net fleet of a chain: they share one net) */
    int retry_wait;            /* contract net: steps before an unplaced order is announced again */
    sl_bus_link link;          /* loss/delay of its negotiation messages */
    int plan_period;           /* steps between plannings of central / vrp / planner (>= 1) */
    int trigger;               /* sl_sc_trigger */
    int vrp_iterations;        /* vrp: colony iterations per planning (>= 1) */
    sl_sc_bid_fn bid;          /* optional bid hook */
    void *bid_user;
    sl_sc_plan_fn plan_fn;     /* SL_SC_PLANNER: required */
    void *plan_user;
    const char *plan_where;    /* optional, as in sl_sc_def */
} sl_sc_fleet_def;
/* Depot 0, contract net, one type (sl_sc_vtype_default), float 0.3, wait 2, deadline 2, retry 2,
 * plan period 1, periodic, 10 colony iterations. */
sl_sc_fleet_def sl_sc_fleet_def_default(void);


typedef enum sl_sc_kind {
    SL_SC_SUPPLIER = 0, SL_SC_PLANT, SL_SC_WAREHOUSE, SL_SC_CROSSDOCK, SL_SC_STORE
} sl_sc_kind;
/* Replenishment source of a site. */
typedef enum sl_sc_source { SL_SC_SOURCE_FIXED = 0, SL_SC_SOURCE_NEAREST, SL_SC_SOURCE_RULE } sl_sc_source;
/* Policy kinds beyond inventory.h's: none (a supplier), a hook. */
#define SL_SC_POLICY_NONE (-1)
#define SL_SC_POLICY_HOOK 100
/* Demand kind beyond inventory.h's: a hook. */
#define SL_SC_DEMAND_HOOK 100

/* What a policy or source hook sees of a site, for one product. */
typedef struct sl_sc_site_state {
    int site;             /* index */
    long long id;         /* the site's id */
    int kind;             /* sl_sc_kind */
    int product;          /* 0-based */
    uint64_t step;
    double inventory;     /* free units on hand */
    double backlog;       /* store: customer backlog; else units its customers wait for */
    double on_order;      /* ordered, not yet received */
    double position;      /* inventory - backlog + on_order */
    double demand;        /* store: customer demand this step; else units ordered from it */
    double capacity;      /* units it can hold (INFINITY: no limit) */
} sl_sc_site_state;
/* Policy hook: *qty (finite, >= 0; rounded up to whole units). Errors abort the step. */
typedef sl_status (*sl_sc_policy_fn)(void *user, const sl_sc_site_state *s, double *qty,
                                     sl_error *e);
/* Demand hook: *units (finite, >= 0; rounded to whole units) of a store. */
typedef sl_status (*sl_sc_demand_fn)(void *user, const sl_sc_site_state *s, double *units,
                                     sl_error *e);
/* Source rule hook: *source = index of the site to order from (the hook may use
 * sl_sc_site_index); must be a site of a higher echelon kind, or a warehouse for a warehouse. */
typedef sl_status (*sl_sc_source_fn)(void *user, const sl_sc_site_state *s, int *source,
                                     sl_error *e);

typedef struct sl_sc_site {
    long long id;              /* unique among the sites */
    int kind;                  /* sl_sc_kind */
    double x, y;               /* plane position (ignored with a road graph) */
    int node;                  /* with a road graph: its node (0-based) */
    double stock0;             /* initial stock per product */
    double capacity;           /* units held per product (INFINITY: no limit) */
    double holding_cost;       /* per unit on hand and step */
    double backlog_cost;       /* store: per backlogged unit and step */
    double lost_cost;          /* store: per lost sale */
    int lost_sales;            /* store: unmet demand is lost (1) or backlogged (0) */
    int source_kind;           /* sl_sc_source (ignored for suppliers and plants) */
    long long source;          /* SL_SC_SOURCE_FIXED: the source's id */
    int lead;                  /* steps an order it ships waits before it can be picked */
    int ship_time;             /* steps an order it ships without a vehicle is under way (>= 1) */
    double rate;               /* plant: units made per step and product */
    int transship;             /* warehouse: takes part in transshipment */
    sl_policy policy;          /* kind SL_SC_POLICY_NONE / HOOK or inventory.h's */
    sl_demand demand;          /* store (borrowed table); kind SL_SC_DEMAND_HOOK for the hook */
    int column;                /* store with a CSV demand table: 0-based column */
    double service_time;       /* store: steps a vehicle spends delivering there (>= 0) */
    double window_open, window_close; /* store: times of day (steps) between which deliveries
                                      start; a vehicle that comes early waits; none when
                                      window_close <= window_open */
} sl_sc_site;

/* A site of `kind` with the defaults of that kind: stock 0, no capacity limit, holding cost 0.1
 * (store) or 0.05, backlog cost 1, lost-sale cost 2, source "nearest", lead 0 (supplier 3),
 * ship time 1, plant rate 100, policy (s, S) = (6, 20) at stores, base-stock 600 at warehouses
 * and plants, base-stock 0 at cross-docks (what customers wait for), none at suppliers; store
 * demand Poisson 1. */
sl_sc_site sl_sc_site_default(int kind, long long id);
const char *sl_sc_kind_name(int kind);
/* Parses "supplier", "plant", "warehouse", "cross_dock", "store"; -1 otherwise. */
int sl_sc_kind_parse(const char *s);

typedef struct sl_sc_def {
    const char *name;          /* prefix of populations, metrics and the system */
    uint64_t seed;
    int common_random_numbers; /* 1: demand keyed by (seed, site id, product, step) only */
    int nprod;                 /* 1..SL_SC_MAX_PROD */
    int nsites;
    const sl_sc_site *sites;   /* borrowed for sl_sc_create (copied) */
    const sl_graph *roads;     /* optional road graph (finalized; copied at create); then sites
                                * use nodes and vehicles drive along its edges */
    int node_base;             /* added to node numbers in error messages (Lua: 1) */
    sl_sc_policy_fn policy_fn; /* for sites whose policy kind is SL_SC_POLICY_HOOK */
    sl_sc_demand_fn demand_fn; /* for stores whose demand kind is SL_SC_DEMAND_HOOK */
    sl_sc_source_fn source_fn; /* for sites whose source is SL_SC_SOURCE_RULE */
    void *hook_user;
    int warmup;                /* steps left out of the bullwhip ratios */
    int promise;               /* steps after the depot's lead an order is promised by */
    int steps_per_day;         /* the clock of shifts and windows (>= 1; default 1) */
    /* the fleets: nfleets > 0 gives them (borrowed for sl_sc_create, copied); with nfleets 0
     * the fields below make one fleet of one vehicle type (none when nvehicles is 0) */
    int nfleets;
    const sl_sc_fleet_def *fleets;
    long long depot;           /* id of the warehouse (or cross-dock) the fleet serves from */
    int mode;                  /* sl_sc_mode */
    int nvehicles;
    double capacity;           /* units per vehicle (> 0) */
    double speed;              /* distance per step (> 0) */
    double float_fraction;     /* share of spare capacity loaded as float, [0, 1] */
    int dispatch_wait;         /* steps a loaded vehicle waits at the depot (>= 0) */
    double km_cost;            /* per unit of distance driven (the type's cost_per_distance) */
    sl_bus_link link;          /* loss/delay of negotiation messages */
    int cn_deadline;           /* contract net: steps to collect proposals (>= 2) */
    int retry_wait;            /* contract net: steps before an unplaced order is announced again */
    sl_sc_bid_fn bid;          /* optional bid hook */
    void *bid_user;
    int plan_period;           /* steps between plannings of central / vrp / planner (>= 1) */
    int trigger;               /* sl_sc_trigger */
    int vrp_iterations;        /* vrp: colony iterations per planning (>= 1) */
    sl_sc_plan_fn plan_fn;     /* SL_SC_PLANNER: required */
    void *plan_user;
    const char *plan_where;    /* optional: where plan_fn is defined ("file.lua:12"), prefixed
                                  to the messages about its plans; must outlive the chain */
} sl_sc_def;

/* Defaults: no sites (the caller gives them), 1 product, promise 3, depot id 0, 6 vehicles of 100
 * units at speed 40, float 0.3, wait 2, distance cost 0.01, contract net, deadline 2, retry 2. */
sl_sc_def sl_sc_def_default(void);

/* Checks the definition (sites, ids, sources, cycles, parameters; errors name the site by id),
 * builds distances (errors name an unreachable site), adds the populations, metrics and the
 * system. NULL with e filled on error. */
sl_sc *sl_sc_create(sl_world *w, const sl_sc_def *def, sl_error *e);
/* Runs one step of the supply chain (what its system does), at the step of the world's clock
 * (sl_world_step_count of the world it was created in). */
sl_status sl_sc_step(sl_sc *sc, sl_error *e);

sl_bus *sl_sc_bus(sl_sc *sc);
sl_cnet *sl_sc_cnet(sl_sc *sc);   /* NULL in central mode */
const char *sl_sc_name(const sl_sc *sc);
/* Opens the contract-net message trace (contract-net mode; SL_ERR_STATE otherwise). */
sl_status sl_sc_open_trace(sl_sc *sc, const char *path, sl_error *e);
/* Ends the run: aborts open conversations, closes the trace; later steps do nothing. */
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
    double lateness, late_orders;       /* mean steps late over delivered orders (0 when on
                                         * time); delivered orders that were late */
    double messages, bytes;
    double bullwhip_stores;             /* var(store orders) / var(demand) */
    double bullwhip_warehouse;          /* var(warehouse orders) / var(store orders) */
    double negotiations, failed_negotiations;
} sl_sc_kpis;
/* Run totals so far (rates and ratios over the whole run). */
sl_sc_kpis sl_sc_kpis_run(const sl_sc *sc);
/* The last step only. */
sl_sc_kpis sl_sc_kpis_step(const sl_sc *sc);

/* Units of product p (-1: all products) accounted for (sold + in stock + in transit + lost) and
 * units that entered (initial stock + supplier shipments + plant output); equal when nothing is
 * created or destroyed. */
void sl_sc_conservation(const sl_sc *sc, int p, double *held, double *entered);

/* Sites: count, index of an id (-1 when none), the state of a site for one product. */
int sl_sc_sites(const sl_sc *sc);
int sl_sc_site_index(const sl_sc *sc, long long id);
const sl_sc_site *sl_sc_site_def(const sl_sc *sc, int site);
sl_sc_site_state sl_sc_site_get(const sl_sc *sc, int site, int product);
/* Echelon of a site (suppliers and plants 0; a site one above its source). */
int sl_sc_echelon(const sl_sc *sc, int site);

/* One order of the ledger. Times not reached yet are -1; lateness = delivered - promised (may be
 * negative; NAN until delivered). */
typedef enum sl_sc_status {
    SL_SC_SENT = 0, SL_SC_OPEN, SL_SC_READY, SL_SC_TRANSIT, SL_SC_DELIVERED
} sl_sc_status;
typedef struct sl_sc_order_info {
    uint64_t id;
    long long site, depot;     /* ids */
    int product;               /* 0-based */
    double quantity;
    int64_t created, promised, ready, dispatched, delivered;
    double lateness;
    int vehicle, route;        /* 0-based vehicle, route number 1.. of it; -1: none */
    int status;                /* sl_sc_status */
    double arrival;            /* time (steps) its vehicle reached the store; NAN before */
    double wait;               /* steps the vehicle waited for the store's window */
    double window_late;        /* steps after the window's close it arrived (0: in time) */
} sl_sc_order_info;
size_t sl_sc_orders(const sl_sc *sc);
sl_sc_order_info sl_sc_order_get(const sl_sc *sc, size_t i);
const char *sl_sc_status_name(int status);
/* Writes the ledger as CSV (order,site,depot,product,quantity,created,promised,ready,dispatched,
 * delivered,lateness,vehicle,route,status,arrival,wait,window_late; empty fields for times not
 * reached); through a temporary file renamed at the end. */
sl_status sl_sc_write_orders(const sl_sc *sc, const char *path, sl_error *e);
/* routes.csv: one line per trip of a vehicle, in departure order:
 * vehicle,type,depot,route,stops,load,distance,start,end - vehicle 1-based, depot a site id,
 * route the vehicle's trip number, stops the site ids it delivered to in visiting order
 * (space-separated; stops still ahead of a vehicle under way last), load the units of its
 * orders, distance driven on the trip (so far, for a trip under way, whose end is empty). Written
 * as path.part and renamed. */
sl_status sl_sc_write_routes(const sl_sc *sc, const char *path, sl_error *e);

/* Vehicle route for inspection: stores (0-based, in the order given) of its remaining stops;
 * returns the count (<= max). */
int sl_sc_vehicle_route(const sl_sc *sc, int v, int *stores, int max);

#endif
