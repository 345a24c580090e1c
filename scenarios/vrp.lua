-- vrp.lua - rich vehicle routing with the ant colony: fleets, depots, time windows, shipments.
--
--   swarmlab run scenarios/vrp.lua --out results/vrp                      -- shipped 12-job instance
--   swarmlab run scenarios/vrp.lua --set instance=../shared/data/vrp/solomon/R101.txt --set time=10 \
--       --seed 1 --threads 2 --out results/R101
--   swarmlab run scenarios/vrp.lua --set instance=FILE --set objective=distance --set cpu_time=2 ...
--
-- Reads Solomon / Gehring-Homberger, Cordeau (MDVRP), Li & Lim (PDPTW), fleet size and mix and
-- CVRPLIB files. objective: "file" keeps the format's usual objective (vehicles first for
-- Solomon and Li & Lim, cost for the others), "vehicles" = unserved, vehicles, then distance;
-- "distance" = the weighted cost (with no fixed costs: distance only).
-- Writes DIR/best.sol (routes per vehicle; re-checked here with the independent checker),
-- DIR/convergence.csv, and puts cost, vehicles, distance, unserved, feasible, iterations, seconds
-- and time_to_best into DIR/manifest.json. With no limit given: 50 iterations.
local sl = swarmlab

local instance   = sl.param("instance", "assets/instances/vrptw12.txt", "instance file")
local objective  = sl.param("objective", "file", "objective",
  {choices = {"file", "vehicles", "distance"}})
local time       = sl.param("time", 0, "wall-clock limit in seconds (0: none)", {min = 0})
local cpu_time   = sl.param("cpu_time", 0, "process CPU-time limit in seconds (0: none)", {min = 0})
local iterations = sl.param("iterations", 0, "iteration limit (0: none)", {min = 0, integer = true})
local ants       = sl.param("ants", 8, "ants per iteration", {min = 1, integer = true})
sl.steps(0)

if time == 0 and cpu_time == 0 and iterations == 0 then iterations = 50 end

function setup(world)
  local obj = nil
  if objective == "vehicles" then obj = "hierarchical" elseif objective == "distance" then obj = "weighted" end
  local model = sl.vrp{instance = instance, objective = obj}
  local res = model:solve{time = time, cpu_time = cpu_time, iterations = iterations, ants = ants}
  model:write("best.sol")
  model:write_convergence("convergence.csv")
  local check = model:check("best.sol")
  if check.violations > 0 then error("best.sol fails the independent check: " .. check.text) end
  sl.result("cost", res.cost)
  sl.result("vehicles", res.vehicles)
  sl.result("distance", res.distance)
  sl.result("unserved", #res.unserved)
  sl.result("feasible", res.feasible)
  sl.result("iterations", res.iterations)
  sl.result("seconds", res.seconds)
  sl.result("time_to_best", res.time_to_best)
  sl.log(string.format("%s: %d vehicles, distance %.2f, cost %.2f, %d unserved after %d iterations (%.2f s)",
    instance, res.vehicles, res.distance, res.cost, #res.unserved, res.iterations, res.seconds))
end

function step(world, t) return false end
