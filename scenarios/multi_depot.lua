-- multi_depot.lua - two warehouses, 60 stores with delivery windows, a fleet at each warehouse:
-- the contract net, the ant-colony VRP and central insertion compared on the same demand.
--
--   swarmlab run scenarios/multi_depot.lua --out results/md
--   swarmlab sweep scenarios/multi_depot.lua --replicates 8 --jobs 2 --out results/md-sweep
--   scripts/plot results/md-sweep --strategies cn,vrp,central --days 8 --metric fill_to_date
--
-- Three copies of one network run side by side in one world (drawn 120 apart). Each store draws
-- Poisson demand from a stream keyed by the seed, its site id and the day (common random
-- numbers), so the three copies see the same demand: a run compares the planners on one demand
-- history, and the runs of a sweep pair them by replicate. A day is 8 steps of 3 hours: half the
-- stores take deliveries in the morning window (steps 1-4 of the day), half in the afternoon
-- (3-7), each delivery takes a tenth of a step, and vehicles work shifts from 0.5 to 7.5.
--   cn_*       each fleet allocates its warehouse's orders by contract net (vehicles bid their
--              marginal route cost, also for their next trip while they drive);
--   vrp_*      each fleet's open orders and idle vehicles are solved as a VRP with windows by
--              the ant colony, once a day (warm-started from the current plans);
--   central_*  cheapest insertion over the fleet, then local search of the routes not yet left.
-- Stores buy from the nearest warehouse with stock, use (s, S) policies and start half full;
-- the warehouses restock from a supplier (base stock). metrics.csv gets each planner's fill
-- rate, backlog, costs and distance per step, and the fill rate and distance of the run so far
-- (<planner>_fill_to_date, <planner>_distance_to_date); manifest.json the run's KPIs.
local sl = swarmlab

local nstores  = sl.param("stores", 60, "number of stores", {min = 2, max = 1000, integer = true})
local vehicles = sl.param("vehicles", 2, "vehicles at each warehouse", {min = 1, max = 50, integer = true})
local capacity = sl.param("capacity", 20, "units per vehicle", {min = 1})
local speed    = sl.param("speed", 30, "distance a vehicle drives per step", {min = 0.001})
local demand   = sl.param("demand", 0.8, "mean Poisson demand per store and day", {min = 0})
local day = 8 -- steps
local iters    = sl.param("vrp_iterations", 6, "ant-colony iterations per planning",
                          {min = 1, max = 1000, integer = true})
sl.steps(60 * day)

local planners = {{"cn", "contract_net"}, {"vrp", "vrp"}, {"central", "central"}}
local chains, to_date = {}, {}

-- Copy k of the network, shifted 120 * (k - 1) to the right. Store positions come from a fixed
-- stream, so they are the same in every copy and every run.
local function network(k)
  local dx, r = 120 * (k - 1), sl.rng(2024, 1)
  local sites = {{id = 1, kind = "supplier", x = dx + 50, y = -15, lead = 2}}
  for w, x in ipairs({25, 75}) do
    sites[#sites + 1] = {id = 1 + w, kind = "warehouse", x = dx + x, y = 50, stock = 500,
                         source = 1, lead = 1, policy = {kind = "base_stock", S = 700}}
  end
  for i = 1, nstores do
    sites[#sites + 1] = {id = 100 + i, kind = "store", x = dx + 100 * r:uniform(),
                         y = 100 * r:uniform(), stock = 12, source = "nearest",
                         policy = {kind = "sS", s = 8, S = 24},
                         demand = {kind = "poisson", mean = demand / day},
                         window = i % 2 == 1 and {1, 4} or {3, 7}, service_time = 0.1}
  end
  return sites
end

local function fleet(depot, planner)
  return {depot = depot, planner = planner, vehicles = vehicles, capacity = capacity,
          speed = speed, shift = {0.5, 7.5}, dispatch_wait = 1, vrp_iterations = iters,
          plan_period = planner == "vrp" and day or 1}
end

function setup(world)
  for k, p in ipairs(planners) do
    chains[k] = sl.supply_chain(world, {
      name = p[1], common_random_numbers = true, steps_per_day = day, warmup = 20 * day,
      promise = 2 * day, sites = network(k),
      fleets = {fleet(2, p[2]), fleet(3, p[2])}})
    -- the run's KPIs so far, one row a day: the last row is the run's (paired in a sweep)
    to_date[k] = {fill = world:record{name = p[1] .. "_fill_to_date", reduce = "value"},
                  dist = world:record{name = p[1] .. "_distance_to_date", reduce = "value"}}
  end
end

function step(world, t)
  for i, c in ipairs(chains) do
    local cons = c:conservation()
    local held, entered = cons.held, cons.entered
    if math.abs(held - entered) > 1e-6 then
      error(string.format("%s: units not conserved at step %d", c:name(), t))
    end
    local k = c:kpis()
    to_date[i].fill:set(k.fill_rate)
    to_date[i].dist:set(k.distance)
  end
end

local rows = {
  {"fill_rate", "fill rate", "%.3f"}, {"stockouts", "stockouts (store-steps)", "%.0f"},
  {"orders", "orders delivered", "%.0f"}, {"order_lead", "order -> delivery (steps)", "%.2f"},
  {"lateness", "late by (steps, mean)", "%.2f"}, {"distance", "distance driven", "%.0f"},
  {"transport_cost", "transport cost", "%.1f"}, {"total_cost", "total cost", "%.1f"},
  {"utilisation", "vehicle utilisation", "%.3f"}, {"messages", "messages sent", "%.0f"},
}

function finish(world)
  local k = {}
  for i, c in ipairs(chains) do
    c:finish()
    k[i] = c:kpis()
    for _, r in ipairs(rows) do sl.result(c:name() .. "_" .. r[1], k[i][r[1]]) end
    -- orders each fleet carried, and the deliveries that missed their store's window
    local by_depot, missed = {}, 0
    for _, o in ipairs(c:orders{status = "delivered"}) do
      if o.vehicle then by_depot[o.depot] = (by_depot[o.depot] or 0) + 1 end
      if (o.window_late or 0) > 0 then missed = missed + 1 end
    end
    sl.result(c:name() .. "_orders_depot2", by_depot[2] or 0)
    sl.result(c:name() .. "_orders_depot3", by_depot[3] or 0)
    sl.result(c:name() .. "_window_missed", missed)
  end
  sl.log(string.format("%-26s %12s %12s %12s", "KPI (" .. math.floor(k[1].steps) .. " steps)",
                       "contract net", "vrp", "central"))
  for _, r in ipairs(rows) do
    sl.log(string.format("%-26s %12s %12s %12s", r[2], string.format(r[3], k[1][r[1]]),
                         string.format(r[3], k[2][r[1]]), string.format(r[3], k[3][r[1]])))
  end
end
