-- cvrp.lua - capacitated vehicle routing with ant colony optimisation.
--
--   swarmlab run scenarios/cvrp.lua --out results/cvrp                     -- shipped 15-customer instance
--   swarmlab run scenarios/cvrp.lua --set instance=../shared/data/cvrplib/A-n80-k10.vrp --set time=10 \
--       --seed 1 --threads 2 --out results/A-n80-k10
--   swarmlab run scenarios/cvrp.lua --set stepping=true --steps 300 --out DIR   -- one iteration per step
--
-- Ants build routes from the depot, going back when the next customer no longer fits; the
-- heuristic combines inverse distance (exponent beta) with the savings d(i,0) + d(0,j) - d(i,j)
-- (exponent gamma). Every ant's routes then go through the route local search (relocate, swap,
-- 2-opt, 2-opt*, cross-route exchange), unless local_search = none.
-- Writes DIR/best.sol (CVRPLIB: "Route #k: ..." and "Cost N"), DIR/convergence.csv, and puts
-- best_cost, routes, iterations, seconds and time_to_best into DIR/manifest.json.
-- Time limits trade reproducibility for a time budget (see tsp.lua). With none given, 200 iterations.
local sl = swarmlab

local instance   = sl.param("instance", "assets/instances/small16.vrp", "CVRPLIB .vrp file")
local variant    = sl.param("variant", "mmas", "ACO variant", {choices = {"mmas", "acs", "as", "ras"}})
local ls         = sl.param("local_search", "3opt",
  "route local search (any value but none turns it on)", {choices = {"none", "2opt", "oropt", "3opt"}})
local ants       = sl.param("ants", 0, "ants per iteration (0: the variant's default)", {min = 0, integer = true})
local beta       = sl.param("beta", -1, "distance exponent (< 0: default 2)")
local gamma      = sl.param("gamma", -1, "savings exponent (< 0: default 1)")
local rho        = sl.param("rho", -1, "evaporation (< 0: the variant's default)")
local time       = sl.param("time", 0, "wall-clock limit in seconds (0: none)", {min = 0})
local cpu_time   = sl.param("cpu_time", 0, "process CPU-time limit in seconds (0: none)", {min = 0})
local iterations = sl.param("iterations", 0, "iteration limit (0: none)", {min = 0, integer = true})
local target     = sl.param("target", -1, "stop at this cost (< 0: none)", {integer = true})
local stepping   = sl.param("stepping", false, "one colony iteration per world step")
sl.steps(stepping and 1000000 or 0)

if time == 0 and cpu_time == 0 and iterations == 0 then iterations = 200 end

local function opt(v) if v >= 0 then return v end end

local options = {
  instance = instance, variant = variant, local_search = ls,
  ants = ants > 0 and ants or nil, beta = opt(beta), gamma = opt(gamma), rho = opt(rho),
  time = time, cpu_time = cpu_time, iterations = iterations, target = target,
}

local colony

local function report(res)
  sl.result("best_cost", res.cost)
  sl.result("routes", #res.routes)
  sl.result("iterations", res.iterations)
  sl.result("seconds", res.seconds)
  sl.result("time_to_best", res.time_to_best)
  colony:write("best.sol")
  colony:write_convergence("convergence.csv")
  sl.log(string.format("%s %s: cost %d with %d routes after %d iterations (%.2f s)", instance,
    res.variant, res.cost, #res.routes, res.iterations, res.seconds))
end

function setup(world)
  if stepping then
    colony = sl.aco_solver(options)
    colony:attach()       -- a world system: each world step runs one colony iteration
  else
    colony = sl.aco_solver(options)
    report(colony:run())
  end
end

function step(world, t)
  return stepping and not colony:done()
end

function finish(world)
  if stepping then report(colony:result()) end
end
