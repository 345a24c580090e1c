-- supply_chain.lua - a supplier, a warehouse, 40 stores, a fleet: contract net against central
-- planning, on the same customer demand.
--
--   swarmlab run scenarios/supply_chain.lua --out results/sc
--   swarmlab run scenarios/supply_chain.lua --set loss=0.1 --set stores=50 --out results/sc-lossy
--
-- Two copies of the same supply chain run side by side in one world. With common random numbers
-- every store draws its demand from a stream keyed by the seed, its site id and the step, so both
-- copies see exactly the same customer demand:
--   cn_*       orders are allocated by contract net: the warehouse calls for proposals, every
--              vehicle bids its marginal route cost (cheapest insertion; vehicles under way only
--              after the stop they are heading to, from the spare units they carry), the lowest
--              proposal that fits the vehicle's stated spare capacity wins;
--   central_*  a central planner assigns every ready order by cheapest insertion over the fleet
--              and improves the routes still at the depot.
-- Per step, metrics.csv gets fill rate, backlog, holding and backlog cost, distance, units
-- delivered, messages and bytes of each planner; the run's KPIs go to manifest.json and are
-- printed side by side at the end. Every order of each copy is a row of cn_orders.csv and
-- central_orders.csv; the contract net's messages are traced in cn_messages.csv.
local sl = swarmlab

local stores   = sl.param("stores", 40, "number of stores", {min = 1, max = 10000, integer = true})
local vehicles = sl.param("vehicles", 6, "vehicles in the fleet", {min = 1, integer = true})
local capacity = sl.param("capacity", 100, "units per vehicle", {min = 1})
local speed    = sl.param("speed", 40, "distance a vehicle drives per step", {min = 0.001})
local demand   = sl.param("demand", 1.0, "mean Poisson demand per store and step", {min = 0})
local s_low    = sl.param("s", 10, "store reorder point (s, S)", {min = 0})
local s_high   = sl.param("S", 30, "store order-up-to level (s, S)", {min = 1})
local wh_level = sl.param("warehouse_level", 700, "warehouse base-stock level", {min = 0})
local loss     = sl.param("loss", 0.0, "loss probability of negotiation messages", {min = 0, max = 1})
local float    = sl.param("float", 0.3, "share of spare vehicle capacity loaded as float", {min = 0, max = 1})
local trace    = sl.param("trace", true, "write the contract net message trace")
sl.steps(400)

local planners = {}

local function chain(name, planner)
  return {
    name = name, common_random_numbers = true, warmup = 50, orders = name .. "_orders.csv",
    sites = {
      {id = 1, kind = "supplier", x = 0, y = 0, lead = 3},
      {id = 2, kind = "warehouse", x = 50, y = 50, stock = 500, source = 1, lead = 1,
       policy = {kind = "base_stock", S = wh_level}},
    },
    stores = {count = stores, first_id = 101, width = 100, height = 100, source = 2,
              stock = s_high, policy = {kind = "sS", s = s_low, S = s_high},
              demand = {kind = "poisson", mean = demand}},
    fleets = {{depot = 2, planner = planner, vehicles = vehicles, capacity = capacity,
               speed = speed, float = float, dispatch_wait = 2, loss = loss,
               trace = (planner == "contract_net" and trace) and "cn_messages.csv" or nil}},
  }
end

function setup(world)
  planners[1] = sl.supply_chain(world, chain("cn", "contract_net"))
  planners[2] = sl.supply_chain(world, chain("central", "central"))
end

function step(world, t)
  for _, p in ipairs(planners) do
    local c = p:conservation()
    local held, entered = c.held, c.entered
    if math.abs(held - entered) > 1e-6 then
      error(string.format("%s: units not conserved at step %d (%g held, %g entered)", p:name(), t,
                          held, entered))
    end
  end
end

local rows = {
  {"fill_rate", "fill rate", "%.3f"}, {"stockouts", "stockouts (store-steps)", "%.0f"},
  {"backlog", "backlog at end (units)", "%.0f"}, {"orders", "orders delivered", "%.0f"},
  {"order_lead", "order -> delivery (steps)", "%.2f"},
  {"holding_cost", "holding cost", "%.1f"}, {"backlog_cost", "backlog cost", "%.1f"},
  {"transport_cost", "transport cost", "%.1f"}, {"total_cost", "total cost", "%.1f"},
  {"lateness", "late by (steps, mean)", "%.2f"}, {"late_orders", "late orders", "%.0f"},
  {"distance", "distance driven", "%.0f"}, {"delivered", "units delivered", "%.0f"},
  {"cost_per_unit", "transport cost per unit", "%.4f"}, {"utilisation", "vehicle utilisation", "%.3f"},
  {"messages", "messages sent", "%.0f"}, {"bytes", "bytes sent", "%.0f"},
  {"negotiations", "negotiations", "%.0f"}, {"failed_negotiations", "  of which unplaced", "%.0f"},
  {"bullwhip_stores", "bullwhip: stores", "%.2f"}, {"bullwhip_warehouse", "bullwhip: warehouse", "%.2f"},
}

function finish(world)
  local k = {}
  for i, p in ipairs(planners) do
    p:finish()
    k[i] = p:kpis()
    for _, r in ipairs(rows) do sl.result(p:name() .. "_" .. r[1], k[i][r[1]]) end
  end
  sl.log(string.format("%-26s %14s %14s", "KPI (" .. math.floor(k[1].steps) .. " steps)",
                       "contract net", "central"))
  for _, r in ipairs(rows) do
    sl.log(string.format("%-26s %14s %14s", r[2], string.format(r[3], k[1][r[1]]),
                         string.format(r[3], k[2][r[1]])))
  end
end
