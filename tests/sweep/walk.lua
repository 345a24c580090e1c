-- walk.lua - random walkers for the sweep tests: cheap, seeded, with switches to fail or to
-- take time on purpose.
local sl = swarmlab

local n          = sl.param("n", 40, "number of walkers", {min = 1, integer = true})
local sigma      = sl.param("sigma", 1.0, "step size", {min = 0})
local fail_above = sl.param("fail_above", -1, "raise an error in step 5 when sigma exceeds this (if >= 0)")
local work       = sl.param("work", 0, "extra Lua loop iterations per step (to make runs slow)",
                            {min = 0, integer = true})
local crash      = sl.param("crash", 0, "1: the run kills itself with SIGKILL in step 3 (needs --unsafe)",
                            {min = 0, max = 1, integer = true})
sl.steps(20)

local pop

function setup(world)
  pop = world:population{name = "walkers", n = n, columns = {x = "f64"}}
  world:record{name = "mean_x", pop = pop, column = "x", reduce = "mean"}
  world:record{name = "spread", reduce = "value"}
  sl.record("spread", 0)
end

function step(world, t)
  if fail_above >= 0 and sigma > fail_above and t == 5 then
    error("sigma " .. sigma .. " is above " .. fail_above)
  end
  if crash == 1 and t == 3 then os.execute("kill -9 $PPID") end
  local acc = 0
  for i = 1, pop:count() do
    local r = sl.rng(7, i)
    local x = pop:get("x", i) + sigma * r:normal()
    pop:set("x", i, x)
    acc = acc + x * x
  end
  local busy = 0
  for k = 1, work do busy = busy + k % 7 end
  sl.record("spread", math.sqrt(acc / pop:count()) + busy * 0)
end

function finish(world)
  sl.result("walkers", pop:count())
end
