-- tsp.lua - travelling salesman with ant colony optimisation (MAX-MIN Ant System + 3-opt by default).
--
--   swarmlab run scenarios/tsp.lua --out results/tsp                       -- shipped 12-city instance
--   swarmlab run scenarios/tsp.lua --set instance=../shared/data/tsplib/pcb442.tsp --set time=5 \
--       --seed 1 --threads 2 --out results/pcb442
--   swarmlab run scenarios/tsp.lua --set variant=acs --set local_search=none --set iterations=2000 ...
--   swarmlab run scenarios/tsp.lua --set stepping=true --steps 500 --out DIR
--       -- one colony iteration per world step (the viewer draws pheromone and best tour each step)
--
-- Writes DIR/best.tour (TSPLIB), DIR/convergence.csv (iteration, seconds, best, iteration_best,
-- branching) and puts best_length, iterations, seconds and time_to_best into DIR/manifest.json.
-- Stopping: iterations, target, time (wall seconds) or cpu_time; the first one reached ends the
-- run. Time limits trade reproducibility for a time budget: the seed fixes every choice up to
-- the stop, but where the stop falls depends on the machine. With none given, 200 iterations.
local sl = swarmlab

local instance   = sl.param("instance", "assets/instances/rand12.tsp", "TSPLIB .tsp file")
local variant    = sl.param("variant", "mmas", "ACO variant", {choices = {"mmas", "acs", "as", "ras"}})
local ls         = sl.param("local_search", "3opt", "local search on every ant's tour",
  {choices = {"none", "2opt", "oropt", "3opt"}})
local ants       = sl.param("ants", 0, "ants per iteration (0: the variant's default)", {min = 0, integer = true})
local alpha      = sl.param("alpha", -1, "pheromone exponent (< 0: default 1)")
local beta       = sl.param("beta", -1, "heuristic exponent (< 0: default 2)")
local rho        = sl.param("rho", -1, "evaporation (< 0: the variant's default)")
local q0         = sl.param("q0", -1, "ACS exploitation probability (< 0: default)")
local time       = sl.param("time", 0, "wall-clock limit in seconds (0: none)", {min = 0})
local cpu_time   = sl.param("cpu_time", 0, "process CPU-time limit in seconds (0: none)", {min = 0})
local iterations = sl.param("iterations", 0, "iteration limit (0: none)", {min = 0, integer = true})
local target     = sl.param("target", -1, "stop at this tour length (< 0: none)", {integer = true})
local stepping   = sl.param("stepping", false, "one colony iteration per world step")
sl.steps(stepping and 1000000 or 0)

if time == 0 and cpu_time == 0 and iterations == 0 then iterations = 200 end

local function opt(v) if v >= 0 then return v end end

local options = {
  instance = instance, variant = variant, local_search = ls,
  ants = ants > 0 and ants or nil,
  alpha = opt(alpha), beta = opt(beta), rho = opt(rho), q0 = opt(q0),
  time = time, cpu_time = cpu_time, iterations = iterations, target = target,
}

local colony

local function report(res)
  sl.result("best_length", res.length)
  sl.result("iterations", res.iterations)
  sl.result("seconds", res.seconds)
  sl.result("time_to_best", res.time_to_best)
  sl.result("nodes", res.nodes)
  colony:write("best.tour")
  colony:write_convergence("convergence.csv")
  sl.log(string.format("%s %s+%s: best %d after %d iterations (%.2f s)", instance, res.variant,
    res.local_search, res.length, res.iterations, res.seconds))
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
