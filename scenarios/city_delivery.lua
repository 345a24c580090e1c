-- city_delivery.lua - a day of deliveries on real streets (OpenStreetMap).
--
--   swarmlab run scenarios/city_delivery.lua --set map=../shared/data/osm/monaco.osm.pbf --out results/city
--   swarmlab run scenarios/city_delivery.lua --set map=FILE.osm.pbf --frames results/city/frames --frame-every 20
--   swarmlab view scenarios/city_delivery.lua --set map=FILE.osm.pbf
--
-- Reads the map's drivable roads (swarmlab.roads), puts a depot on the road nearest the map's
-- centre and `stores` stores at random points of the roads (uniform along their length, keyed by
-- the run seed), builds the travel-time matrix between them, plans the day's routes and drives
-- the vans along the streets, one simulated minute per step.
--
-- Planning (planner=vrp, the default) hands the time and distance matrices (asymmetric: one-way
-- streets), demands, service times and the fleet (`vans` vans at the depot, one shift) to the
-- rich VRP ant colony (swarmlab.vrp). planner=builtin plans in this file instead, as an example of
-- a planner written in Lua: nearest neighbour under van capacity and shift length, then moves of
-- one store to a cheaper place in any route and reversal of route segments (2-opt with the
-- asymmetric cost recomputed), until no move shortens the day. Stores a plan leaves unserved are
-- counted in `served` and logged.
-- Each store's demand (crates) is keyed by the seed.
-- Writes time_matrix.csv (seconds; site 1 is the depot) and routes.csv (van, stop, site, lon,
-- lat, arrival in seconds); manifest.json gets stores, served, vans_used, total_hours, total_km.
-- Map data © OpenStreetMap contributors (ODbL): every frame of this scenario says so.
local sl = swarmlab

local map      = sl.param("map", "../shared/data/osm/monaco.osm.pbf", "OpenStreetMap file (.osm.pbf or .osm)")
local nstores  = sl.param("stores", 100, "stores to deliver to", {min = 1, max = 2000, integer = true})
local vans     = sl.param("vans", 10, "vans available", {min = 1, max = 500, integer = true})
local capacity = sl.param("capacity", 40, "crates per van", {min = 1, integer = true})
local service  = sl.param("service", 5, "minutes spent at each store", {min = 0})
local shift    = sl.param("shift", 8, "length of a van's day, hours", {min = 0.1})
local max_snap = sl.param("max_snap", 1000, "farthest a site may be from a road, metres", {min = 1})
local planner  = sl.param("planner", "vrp", "who plans the routes", {choices = {"builtin", "vrp"}})
local vrp_iter = sl.param("vrp_iterations", 30, "iterations of the VRP solver (planner=vrp)", {min = 1, integer = true})
local minute   = 60
sl.steps(math.ceil(shift * 60))

local net = sl.roads{file = map, max_snap = max_snap}
local info = net:info()
sl.log(string.format("%s: %d nodes, %d edges kept (%d nodes, %d edges dropped), %.0f km of road, read in %.2f s",
  map, info.nodes, info.edges, info.nodes_dropped, info.edges_dropped, info.km, info.seconds))

-- sites: 1 = depot, 2.. = stores
local sites = {net:snap(info.lon0, info.lat0)}
for _, p in ipairs(net:sample(nstores, {seed = sl.seed()})) do sites[#sites + 1] = p end
local demand = {0}
for i = 2, #sites do demand[i] = sl.rng(1, i, 0):int(6) end

local T = net:matrix(sites, {metric = "time", csv = "time_matrix.csv"})
local D = net:matrix(sites, {metric = "distance"})
local serve = service * minute
local day = shift * 3600

-- ---- planning on the matrix ----
local function duration(r)
  local t, prev = 0, 1
  for _, j in ipairs(r) do t = t + T[prev][j] + serve; prev = j end
  return t + T[prev][1]
end
local function load(r) local l = 0 for _, j in ipairs(r) do l = l + demand[j] end return l end

local routes, left = {}, {}
for j = 2, #sites do left[j] = true end
if planner == "vrp" then
  if not sl.vrp then error("planner=vrp: swarmlab.vrp is not part of this build") end
  local jobs = {}
  for j = 2, #sites do jobs[#jobs + 1] = {site = j, demand = demand[j], service = serve} end
  local model = sl.vrp{
    matrix = {distance = D, time = T}, jobs = jobs, objective = "weighted",
    vehicles = {{count = vans, capacity = capacity, start = 1, ["end"] = 1, shift = {0, day},
                 cost_time = 1, cost_distance = 0}}}
  local res = model:solve{iterations = vrp_iter, seed = sl.seed()}
  for _, r in ipairs(res.routes) do
    local seq = {}
    for _, job in ipairs(r.jobs) do seq[#seq + 1] = jobs[job].site end
    if #seq > 0 then routes[#routes + 1] = seq end
  end
  left = {}
end
while planner == "builtin" and #routes < vans do
  local r, cur, t, l = {}, 1, 0, 0
  while true do
    local best, bj = math.huge, nil
    for j in pairs(left) do
      local c = T[cur][j]
      if l + demand[j] <= capacity and t + c + serve + T[j][1] <= day and
         (c < best or (c == best and j < bj)) then best, bj = c, j end
    end
    if not bj then break end
    r[#r + 1], left[bj], t, l, cur = bj, nil, t + best + serve, l + demand[bj], bj
  end
  if #r == 0 then break end
  routes[#routes + 1] = r
end

local function two_opt(r)
  local improved = true
  while improved do
    improved = false
    local base = duration(r)
    for i = 1, #r - 1 do
      for k = i + 1, #r do
        local c = {}
        for q = 1, i - 1 do c[#c + 1] = r[q] end
        for q = k, i, -1 do c[#c + 1] = r[q] end
        for q = k + 1, #r do c[#c + 1] = r[q] end
        local d = duration(c)
        if d < base - 1e-6 then
          for q = 1, #r do r[q] = c[q] end
          base, improved = d, true
        end
      end
    end
  end
end

-- moves one store to the cheapest feasible place of any route, while that shortens the day
local function relocate()
  local moved = false
  for a = 1, #routes do
    local ra = routes[a]
    local p = 1
    while p <= #ra do
      local j = ra[p]
      local prev, nxt = ra[p - 1] or 1, ra[p + 1] or 1
      local gain = T[prev][j] + serve + T[j][nxt] - T[prev][nxt]
      local best, bb, bq = gain - 1e-6, nil, nil
      for b = 1, #routes do
        local rb = routes[b]
        if b == a or load(rb) + demand[j] <= capacity then
          local db = duration(rb)
          for q = 1, #rb + 1 do
            if not (b == a and (q == p or q == p + 1)) then
              local u, v = rb[q - 1] or 1, rb[q] or 1
              local add = T[u][j] + serve + T[j][v] - T[u][v]
              if add < best and (b == a or db + add <= day) then best, bb, bq = add, b, q end
            end
          end
        end
      end
      if bb then
        table.remove(ra, p)
        if bb == a and bq > p then bq = bq - 1 end
        table.insert(routes[bb], bq, j)
        moved = true
      else
        p = p + 1
      end
    end
  end
  return moved
end

for _ = 1, planner == "builtin" and 20 or 0 do
  for _, r in ipairs(routes) do two_opt(r) end
  if not relocate() then break end
end
for i = #routes, 1, -1 do if #routes[i] == 0 then table.remove(routes, i) end end

-- ---- results ----
local served, total_t, total_d = 0, 0, 0
for _, r in ipairs(routes) do
  served = served + #r
  total_t = total_t + duration(r)
  local prev = 1
  for _, j in ipairs(r) do total_d = total_d + D[prev][j]; prev = j end
  total_d = total_d + D[prev][1]
end
sl.result("stores", nstores)
sl.result("served", served)
sl.result("vans_used", #routes)
sl.result("total_hours", total_t / 3600)
sl.result("total_km", total_d / 1000)
sl.result("planner", planner == "vrp" and "swarmlab.vrp on the road matrices"
  or "nearest neighbour + relocate + 2-opt on the time matrix")
sl.result("attribution", info.attribution)
sl.log(string.format("%d of %d stores served by %d vans: %.2f h of driving and service, %.1f km",
  served, nstores, #routes, total_t / 3600, total_d / 1000))
if served < nstores then
  sl.log(string.format("%d stores left unserved (capacity or shift length)", nstores - served))
end

-- the day's routes on the streets, and each van's timetable along its road path
local show_routes, depots = {}, {1}
local legs = {}   -- per van: list of {x, y, t} points along the roads
local f = assert(io.open(sl.output("routes.csv"), "w"))
f:write("van,stop,site,lon,lat,arrival_s\n")
for v, r in ipairs(routes) do
  local seq = {1}
  for _, j in ipairs(r) do seq[#seq + 1] = j end
  seq[#seq + 1] = 1
  show_routes[v] = seq
  local pts, t = {}, 0
  for q = 1, #seq - 1 do
    local a, b = seq[q], seq[q + 1]
    local path = net:route(sites[a], sites[b])
    -- time along the leg in proportion to distance (the leg's total time is exact)
    local along, dsum = {0}, 0
    for k = 2, #path.x do
      dsum = dsum + math.sqrt((path.x[k] - path.x[k - 1]) ^ 2 + (path.y[k] - path.y[k - 1]) ^ 2)
      along[k] = dsum
    end
    for k = 1, #path.x do
      pts[#pts + 1] = {path.x[k], path.y[k], t + (dsum > 0 and path.time * along[k] / dsum or 0)}
    end
    t = t + path.time
    if b ~= 1 then
      f:write(string.format("%d,%d,%d,%.7f,%.7f,%.1f\n", v, q, b, sites[b].lon, sites[b].lat, t))
      t = t + serve
      pts[#pts + 1] = {pts[#pts][1], pts[#pts][2], t}
    end
  end
  legs[v] = pts
end
f:close()
net:show{sites = sites, depots = depots, routes = show_routes}

local vans_pop
function setup(world)
  vans_pop = world:population{name = "vans", n = #routes, columns = {x = "f64", y = "f64", route = "i32"}}
  for v = 1, #routes do
    vans_pop:set("x", v, legs[v][1][1])
    vans_pop:set("y", v, legs[v][1][2])
    vans_pop:set("route", v, v)
  end
end

-- where van v is at time t (seconds): on its road path, or at the depot when done
local cursor = {}
local function position(v, t)
  local p = legs[v]
  local k = cursor[v] or 1
  while k < #p and p[k + 1][3] <= t do k = k + 1 end
  cursor[v] = k
  if k >= #p then return p[#p][1], p[#p][2] end
  local a, b = p[k], p[k + 1]
  local s = b[3] > a[3] and (t - a[3]) / (b[3] - a[3]) or 0
  return a[1] + s * (b[1] - a[1]), a[2] + s * (b[2] - a[2])
end

function step(world, t)
  for v = 1, #routes do
    local x, y = position(v, t * minute)
    vans_pop:set("x", v, x)
    vans_pop:set("y", v, y)
  end
end
