-- pop_metrics.lua - a population updated from Lua with counter-based random numbers, recorded
-- with every reduction; used by the CLI suites (determinism across threads, manifest, INI).
local sl = swarmlab

local n     = sl.param("n", 5000, "agents", {min = 1, integer = true})
local drift = sl.param("drift", 0.25, "mean step of the random walk", {min = 0})
local label = sl.param("label", "walkers", "free text copied to the results")
local stop_at = sl.param("stop_at", 0, "stop after this step (0: never)", {min = 0, integer = true})
sl.steps(20)

local walkers

function setup(world)
  walkers = world:population{name = "walkers", n = n, columns = {x = "f64", hits = "i32"}}
  for i = 1, n do
    walkers:set("x", i, sl.rng(1, walkers:id(i), 0):normal())
  end
  world:record{name = "x_sum", pop = walkers, column = "x", reduce = "sum"}
  world:record{name = "x_mean", pop = walkers, column = "x", reduce = "mean"}
  world:record{name = "x_min", pop = walkers, column = "x", reduce = "min"}
  world:record{name = "x_max", pop = walkers, column = "x", reduce = "max"}
  world:record{name = "hits", pop = walkers, column = "hits", reduce = "sum"}
  world:record{name = "alive", pop = walkers, reduce = "count"}
  world:record{name = "spread", reduce = "value"}
end

function step(world, t)
  for i = 1, walkers:count() do
    local r = sl.rng(2, walkers:id(i), t)
    local x = walkers:get("x", i) + drift * r:normal()
    walkers:set("x", i, x)
    if x > 3 then walkers:set("hits", i, walkers:get("hits", i) + 1) end
  end
  sl.record("spread", walkers:reduce("x", "max") - walkers:reduce("x", "min"))
  if stop_at > 0 and t >= stop_at then return false end
end

function finish(world)
  sl.result("final_mean", walkers:reduce("x", "mean"))
  sl.result("label", label)
  sl.result("world_hash", world:hash())
end
