-- scenario.lua - the tiny scenario tests/install/host.c runs with the installed Lua host.
local n = swarmlab.param("n", 21, "a number")
swarmlab.steps(4)
local calls = 0
function step(world, t)
  calls = calls + 1
end
function finish(world)
  swarmlab.result("twice_n", 2 * n)
  swarmlab.result("calls", calls)
  swarmlab.result("world_steps", world:step_count())
end
