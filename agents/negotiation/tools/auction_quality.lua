-- auction_quality.lua - allocation quality of the auctions and CBBA against the exact optimum.
--
--   swarmlab run agents/negotiation/tools/auction_quality.lua --out results/auctions
--
-- Random instances on a 100 x 100 square (positions from the run's seed): `agents` robots, `tasks`
-- points, open routes (no return). For each method the run reports the mean and worst ratio of its
-- team cost (sum of route lengths) to the optimum, and how often it found the optimum.
local sl = swarmlab
local instances = sl.param("instances", 200, "random instances", {min = 1, integer = true})
local agents = sl.param("agents", 3, "agents per instance", {min = 1, integer = true})
local tasks = sl.param("tasks", 8, "tasks per instance (at most 12 for the optimum)",
                       {min = 1, max = 12, integer = true})
local home = sl.param("return_home", false, "closed routes")
sl.steps(0)

function setup(world)
  local methods = {"sequential", "parallel", "cbba"}
  local sum, worst, hits = {}, {}, {}
  for _, m in ipairs(methods) do sum[m], worst[m], hits[m] = 0, 1, 0 end
  for i = 1, instances do
    local r = sl.rng(7, i, 0)
    local a, t = {}, {}
    for k = 1, agents do a[k] = {r:uniform() * 100, r:uniform() * 100} end
    for k = 1, tasks do t[k] = {r:uniform() * 100, r:uniform() * 100} end
    local opt = sl.auction{method = "optimum", agents = a, tasks = t, return_home = home}.cost
    for _, m in ipairs(methods) do
      local c = sl.auction{method = m, agents = a, tasks = t, return_home = home}.cost
      local ratio = c / opt
      sum[m] = sum[m] + ratio
      if ratio > worst[m] then worst[m] = ratio end
      if ratio < 1 + 1e-9 then hits[m] = hits[m] + 1 end
    end
  end
  for _, m in ipairs(methods) do
    sl.result(m .. "_mean_ratio", sum[m] / instances)
    sl.result(m .. "_worst_ratio", worst[m])
    sl.result(m .. "_optimal_share", hits[m] / instances)
    sl.log(string.format("%-10s mean cost/optimum %.4f  worst %.4f  optimal in %.1f %%", m,
                         sum[m] / instances, worst[m], 100 * hits[m] / instances))
  end
end
