-- pso_bench.lua - particle swarm optimisation of a benchmark function.
--
--   swarmlab run scenarios/pso_bench.lua --set function=rastrigin --set dim=30 --set fes=300000 \
--       --seed 1 --out results/rastrigin
--   swarmlab run scenarios/pso_bench.lua --set function=cec5 --set dim=10 --out results/cec5
--   swarmlab run scenarios/pso_bench.lua --set variant=constriction --set topology=ring ...
--   swarmlab run scenarios/pso_bench.lua --set lua_objective=true ...   -- same function in Lua
--   swarmlab run scenarios/pso_bench.lua --set stepping=true --steps 2000 --out DIR
--       -- one PSO iteration per world step; population "particles" (x, y, value) for the viewer
--
-- Writes DIR/convergence.csv (fes, best_error, best_value after every iteration) and puts
-- best_value, best_error, fes, iterations, stop and nonfinite into DIR/manifest.json.
-- CEC-2017 functions (cec1..cec10, D = 10 or 30) read their data from cec_dir.
local sl = swarmlab

local fn       = sl.param("function", "rastrigin",
  "sphere, rosenbrock, rastrigin, griewank, ackley, schwefel, or cec1..cec10")
local dim      = sl.param("dim", 30, "dimension", {min = 1, integer = true})
local fes      = sl.param("fes", 0, "evaluation budget (0: 10000 * dim)", {min = 0, integer = true})
local variant  = sl.param("variant", "spso2011", "algorithm",
  {choices = {"spso2011", "inertia", "ldw", "constriction"}})
local topology = sl.param("topology", "default", "information topology",
  {choices = {"default", "adaptive", "global", "ring", "von_neumann"}})
local bounds   = sl.param("bounds", "default", "bound handling",
  {choices = {"default", "confine", "clamp", "reflect", "random", "damp"}})
local swarm    = sl.param("swarm", 40, "number of particles", {min = 1, integer = true})
local target   = sl.param("target", -1, "stop when the error is <= target (< 0: never)")
local async    = sl.param("async", false, "SPSO-2011 reference-code order: particles move one by one")
local cec_dir  = sl.param("cec_dir", "../shared/data/cec/cec2017/input_data",
  "folder with the CEC-2017 shift_data_k.txt and M_k_Dd.txt files")
local lua_obj  = sl.param("lua_objective", false, "evaluate the function in Lua (serial)")
local stepping = sl.param("stepping", false, "one PSO iteration per world step (viewer)")
sl.steps(stepping and 100000 or 0)

local budget = fes > 0 and fes or 10000 * dim

-- Lua versions of some test functions (same formulas as the built-in C ones).
local lua_functions = {
  sphere = function(x)
    local s = 0.0
    for i = 1, #x do s = s + x[i] * x[i] end
    return s
  end,
  rastrigin = function(x)
    local s, c, tp = 10.0 * #x, math.cos, 2.0 * math.pi
    for i = 1, #x do local v = x[i]; s = s + v * v - 10.0 * c(tp * v) end
    return s
  end,
  rosenbrock = function(x)
    local s = 0.0
    for i = 1, #x - 1 do
      local a, b = x[i] * x[i] - x[i + 1], x[i] - 1.0
      s = s + 100.0 * a * a + b * b
    end
    return s
  end,
}
local ranges = {sphere = 100, rastrigin = 5.12, rosenbrock = 30}

local options = {
  objective = fn, dim = dim, fes = budget, variant = variant, topology = topology,
  bounds = bounds, swarm = swarm, target = target, async = async,
}
if fn:sub(1, 3) == "cec" then options.cec_dir = cec_dir end
if lua_obj then
  local f = lua_functions[fn]
  if not f then error("lua_objective: no Lua version of '" .. fn .. "' (sphere, rastrigin, rosenbrock)") end
  options.objective = f
  options.lower, options.upper = -ranges[fn], ranges[fn]
end

-- convergence.csv only when the run has an output directory
local has_out = pcall(sl.output, "convergence.csv")

local function publish(r, seconds)
  sl.result("function", fn)
  sl.result("variant", variant)
  sl.result("best_value", r.value)
  sl.result("best_error", r.error)
  sl.result("fes", r.fes)
  sl.result("iterations", r.iterations)
  sl.result("stop", r.stop)
  sl.result("nonfinite", r.nonfinite)
  if seconds then sl.result("solver_seconds", seconds) end
  if r.nonfinite > 0 then
    sl.log(string.format("warning: %d evaluations returned NaN or inf (treated as worst)", r.nonfinite))
  end
  sl.log(string.format("%s D=%d %s: best error %.6g after %d FEs (%s)", fn, dim, variant,
    r.error, r.fes, r.stop))
end

if not stepping then
  if has_out then options.convergence = "convergence.csv" end
  local t0 = os.clock()
  local r = sl.pso(options)
  publish(r, os.clock() - t0)
else
  local solver
  function setup(world)
    solver = sl.pso_solver(options)
    solver:attach(world, "particles")
  end
  function step(world, t)
    return not solver:done()
  end
  function finish(world)
    local r = solver:result()
    if has_out then solver:write_convergence("convergence.csv") end
    publish(r)
  end
end
