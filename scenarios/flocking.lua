-- flocking.lua - boids after the ABMFrameworksComparison "Flocking" specification.
--
--   swarmlab run scenarios/flocking.lua                       -- small: 200 birds, 100 x 100, radius 5
--   swarmlab run scenarios/flocking.lua --set n=400 --set density=0.0178 --set radius=15
--                                                             -- large: 150 x 150, radius 15
--   swarmlab run scenarios/flocking.lua --set n=100000 --steps 200 --threads 2
--
-- The plane is square and periodic; its side is sqrt(n / density). Birds update synchronously
-- (every bird reads step t and writes step t + 1), which is what lets the step run in parallel with
-- results identical for any thread count. Recorded per step: the flock's polarisation (length of the
-- mean heading: 0 = disordered, 1 = all aligned) and the mean heading components.
local sl = swarmlab

local n          = sl.param("n", 200, "number of birds", {min = 1, integer = true})
local density    = sl.param("density", 0.02, "birds per unit area (sets the plane's side)", {min = 1e-9})
local radius     = sl.param("radius", 5, "visual distance", {min = 0.1, max = 50, tunable = true})
local speed      = sl.param("speed", 1.0, "distance moved per step", {min = 0, max = 20, tunable = true})
local cohere     = sl.param("cohere", 0.03, "cohesion factor", {min = 0, max = 1, tunable = true})
local separation = sl.param("separation", 1.0, "separation distance", {min = 0, max = 20, tunable = true})
local separate   = sl.param("separate", 0.015, "separation factor", {min = 0, max = 1, tunable = true})
local match      = sl.param("match", 0.05, "alignment factor", {min = 0, max = 1, tunable = true})
sl.steps(100)

local side = math.sqrt(n / density)
local birds

-- length of the mean heading (headings are unit vectors)
local function polarisation()
  local mx, my = birds:reduce("vx", "mean"), birds:reduce("vy", "mean")
  return math.sqrt(mx * mx + my * my)
end

function setup(world)
  world:plane{width = side, height = side, toroidal = true}
  birds = world:population{name = "birds"}
  sl.boids.attach(birds, {
    width = side, height = side, radius = radius, speed = speed, cohere = cohere,
    separation = separation, separate = separate, match = match,
  })
  sl.boids.spawn(birds, n)
  world:record{name = "mean_vx", pop = birds, column = "vx", reduce = "mean"}
  world:record{name = "mean_vy", pop = birds, column = "vy", reduce = "mean"}
  world:record{name = "polarisation", reduce = "value"}
  sl.record("polarisation", polarisation())
end

function step(world, t)
  sl.record("polarisation", polarisation())
end

function finish(world)
  sl.result("polarisation", polarisation())
  sl.result("side", side)
end
