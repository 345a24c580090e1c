-- pso_tuning.lua - tuning the (s, S) inventory policy of a small simulated store with PSO.
--
--   swarmlab run scenarios/pso_tuning.lua --seed 1 --out results/tuning
--   swarmlab run scenarios/pso_tuning.lua --set verify=true    -- also search the whole grid
--
-- A store sells one product. Every day the inventory position (on hand + on order) is reviewed;
-- when it is at or below s, an order brings it up to S; orders arrive after `lead` days. Daily
-- demand is the sum of four uniform integers in 0..10 (mean 20). Unmet demand is lost. Costs:
-- holding per unit per day, a fixed cost per order, a penalty per lost sale. The objective is the
-- mean daily cost over `days` days after a warm-up, with the same demand sequence for every
-- candidate (common random numbers, drawn once from the run's seed), so it is deterministic.
-- Decision variables (integers): s in [0, 150] and Q = S - s in [1, 200].
local sl = swarmlab

local days    = sl.param("days", 365, "simulated days (after warm-up)", {min = 1, integer = true})
local warmup  = sl.param("warmup", 30, "warm-up days not costed", {min = 0, integer = true})
local lead    = sl.param("lead", 3, "lead time in days", {min = 0, integer = true})
local hold    = sl.param("holding", 0.2, "holding cost per unit per day", {min = 0})
local order_k = sl.param("order_cost", 60, "fixed cost per order", {min = 0})
local lost_p  = sl.param("lost_penalty", 5, "penalty per unit of lost demand", {min = 0})
local fes     = sl.param("fes", 2000, "evaluations", {min = 1, integer = true})
local verify  = sl.param("verify", false, "also evaluate every (s, Q) on the grid")
sl.steps(0)

-- Demand sequence from a 32-bit LCG seeded by the run's seed.
local total_days = days + warmup
local demand = {}
local state = (sl.seed() * 2654435761) & 0xffffffff
local function rand_u()
  state = (1664525 * state + 1013904223) & 0xffffffff
  return state
end
for t = 1, total_days do
  local d = 0
  for _ = 1, 4 do d = d + (rand_u() >> 16) % 11 end
  demand[t] = d
end

local function daily_cost(s, S)
  local on_hand, pipeline = S, {}
  local position = S
  local cost = 0.0
  for t = 1, total_days do
    local arriving = pipeline[t]
    if arriving then on_hand = on_hand + arriving; pipeline[t] = nil end
    local d = demand[t]
    local sold = d < on_hand and d or on_hand
    local lost = d - sold
    on_hand = on_hand - sold
    position = position - sold
    local c = hold * on_hand + lost_p * lost
    if position <= s then
      local q = S - position
      local due = t + lead + 1
      pipeline[due] = (pipeline[due] or 0) + q
      position = S
      c = c + order_k
    end
    if t > warmup then cost = cost + c end
  end
  return cost / days
end

local evaluations = 0
local t0 = os.clock()
local r = sl.pso{
  objective = function(x)
    evaluations = evaluations + 1
    return daily_cost(x[1], x[1] + x[2])
  end,
  dim = 2, lower = {0, 1}, upper = {150, 200}, integer = true, fes = fes,
}
local seconds = os.clock() - t0
local s_best, q_best = math.tointeger(r.x[1]), math.tointeger(r.x[2])
sl.result("best_cost", r.value)
sl.result("s", s_best)
sl.result("S", s_best + q_best)
sl.result("fes", r.fes)
sl.result("seconds_per_evaluation", seconds / evaluations)
sl.log(string.format("PSO: s = %d, S = %d, mean daily cost %.4f after %d evaluations (%.1f us each)",
  s_best, s_best + q_best, r.value, r.fes, 1e6 * seconds / evaluations))

if verify then
  local best, bs, bq = math.huge, 0, 0
  for s = 0, 150 do
    for q = 1, 200 do
      local c = daily_cost(s, s + q)
      if c < best then best, bs, bq = c, s, q end
    end
  end
  sl.result("grid_best_cost", best)
  sl.result("grid_s", bs)
  sl.result("grid_S", bs + bq)
  sl.result("gap_percent", 100.0 * (r.value - best) / best)
  sl.log(string.format("grid: s = %d, S = %d, cost %.4f (PSO gap %.3f%%)", bs, bs + bq, best,
    100.0 * (r.value - best) / best))
end
