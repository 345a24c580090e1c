-- beer_game.lua - the Beer Distribution Game with ordering policies written in Lua.
--
--   swarmlab run scenarios/beer_game.lua --out results/beer
--   swarmlab run scenarios/beer_game.lua --set policy=sterman --out results/beer-sterman
--   scripts/plot-beer-game results/beer          -- orders per echelon -> beer_orders.png
--
-- Classic rules (retailer, wholesaler, distributor, factory; 12 cases on hand, 4 in every delay
-- slot and order slip; $0.50 holding and $1.00 backlog per case-week; customer demand 4, then 8
-- from week 5; orders fixed at 4 in weeks 1-4). The order-up-to policy with levels 32, 32, 32, 24
-- reproduces Sterman's (1989) benchmark team cost of $204.00 over 36 weeks. The anchoring-and-
-- adjustment rule uses the mean parameter estimates of that paper (theta 0.36, alpha 0.26,
-- beta 0.34, Q 17) and shows the bullwhip: order swings grow from retailer to factory.
--
-- The game is played by the C engine of the logistics module once, in setup; every order is
-- decided by the Lua function of the chosen policy. Results: total_cost, cost per stage, bullwhip
-- ratio per stage (variance of orders / variance of customer demand) in manifest.json, and the
-- weekly orders, inventories and backlogs in beer_orders.csv.
local sl = swarmlab

local policy_name = sl.param("policy", "order_up_to", "ordering policy",
                             {choices = {"order_up_to", "sterman"}})
local weeks  = sl.param("weeks", 36, "weeks played", {min = 1, max = 1000, integer = true})
local level_r = sl.param("level_retailer", 32, "order-up-to level of the retailer", {min = 0})
local level_w = sl.param("level_wholesaler", 32, "order-up-to level of the wholesaler", {min = 0})
local level_d = sl.param("level_distributor", 32, "order-up-to level of the distributor", {min = 0})
local level_f = sl.param("level_factory", 24, "order-up-to level of the factory", {min = 0})
local theta = sl.param("theta", 0.36, "anchoring and adjustment: demand smoothing", {min = 0, max = 1})
local alpha = sl.param("alpha", 0.26, "anchoring and adjustment: stock adjustment", {min = 0, max = 1})
local beta  = sl.param("beta", 0.34, "anchoring and adjustment: supply line weight", {min = 0})
local Q     = sl.param("Q", 17, "anchoring and adjustment: desired stock plus beta x desired supply line")
sl.steps(0)

-- Order-up-to: bring the inventory position (on hand - backlog + supply line) up to the level.
local levels = {level_r, level_w, level_d, level_f}
local function order_up_to(v)
  local position = v.inventory - v.backlog + v.supply_line
  return math.max(0, levels[v.stage] - position)
end

-- Sterman (1989): anchor on the expected demand, adjust towards the desired stock and supply line.
local expected = {4, 4, 4, 4}
local function sterman(v)
  expected[v.stage] = theta * v.incoming + (1 - theta) * expected[v.stage]
  local effective = v.inventory - v.backlog
  return math.max(0, expected[v.stage] + alpha * (Q - effective - beta * v.supply_line))
end

local policies = {order_up_to = order_up_to, sterman = sterman}

function setup(world)
  local r = sl.beer_game{policy = policies[policy_name], weeks = weeks, csv = "beer_orders.csv"}
  sl.result("policy", policy_name)
  sl.result("total_cost", r.total_cost)
  local names = {"retailer", "wholesaler", "distributor", "factory"}
  for s = 1, 4 do
    sl.result(names[s] .. "_cost", r.stage_cost[s])
    sl.result(names[s] .. "_bullwhip", r.bullwhip[s])
  end
  sl.log(string.format("%s: team cost $%.2f over %d weeks", policy_name, r.total_cost, weeks))
  for s = 1, 4 do
    sl.log(string.format("  %-11s cost $%7.2f  bullwhip %6.2f", names[s], r.stage_cost[s],
                         r.bullwhip[s]))
  end
end
