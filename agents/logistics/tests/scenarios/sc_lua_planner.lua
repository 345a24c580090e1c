-- sc_lua_planner.lua - a supply chain planned by a Lua function, end to end: the planner sends
-- every vehicle at the depot out with the open orders nearest to it that fit (first fit by
-- order age); sc:routes() and sc:vehicles() agree with what it planned; units are conserved on
-- every step; the run delivers. BAD = "dup" | "capacity" | "busy" | "unknown" | "type" makes
-- the planner answer wrongly (the run must stop with a one-line error naming the field).
local sl = swarmlab
local bad = sl.param("bad", "", "wrong answer to give")
sl.steps(150)
local sc
local calls, planned = 0, 0

local function planner(orders, vehicles)
  calls = calls + 1
  local routes, taken = {}, {}
  for v, veh in ipairs(vehicles) do
    if veh.state == "depot" or bad == "busy" then
      local route, load = {}, 0
      for _, o in ipairs(orders) do
        if not taken[o.id] and (load + o.qty <= veh.capacity or bad == "capacity") then
          route[#route + 1], taken[o.id], load = o.id, true, load + o.qty
        end
      end
      if #route > 0 then routes[v] = route; planned = planned + #route end
    end
  end
  if bad == "dup" and routes[1] and routes[1][1] then table.insert(routes[1], routes[1][1]) end
  if bad == "unknown" and next(routes) then routes[next(routes)][1] = 999999 end
  if bad == "type" and next(routes) then routes[next(routes)][1] = "seven" end
  return routes
end

function setup(world)
  sc = sl.supply_chain(world, {name = "lp",
    sites = {{id = 1, kind = "supplier", x = 0, y = 0},
             {id = 2, kind = "warehouse", x = 50, y = 50, stock = 400, source = 1,
              policy = {kind = "base_stock", S = 600}}},
    stores = {count = 20, first_id = 101, width = 100, height = 100, source = 2},
    fleets = {{depot = 2, planner = planner, vehicles = 3, capacity = 60, plan_period = 2}}})
end

function step(world, t)
  local c = sc:conservation()
  local held, entered = c.held, c.entered
  assert(math.abs(held - entered) < 1e-6, "units not conserved at step " .. t)
  local r, v = sc:routes(), sc:vehicles()
  assert(#r == 3 and #v == 3, "one route and one vehicle record per vehicle")
  for i = 1, 3 do
    assert(r[i].vehicle == i and r[i].state == v[i].state, "routes and vehicles disagree")
    assert(#r[i].orders == v[i].stops, "route " .. i .. " has " .. #r[i].orders .. " orders")
    assert(v[i].load <= v[i].capacity + 1e-9, "vehicle " .. i .. " over capacity")
  end
end

function finish(world)
  sc:finish()
  local k = sc:kpis()
  assert(calls >= 70, "planner called " .. calls .. " times")
  assert(planned > 0 and k.delivered > 0 and k.orders > 20, "nothing delivered")
  sc:write_routes("routes.csv")
  sl.result("lua_planner_delivered", k.delivered)
  sl.result("lua_planner_fill_rate", k.fill_rate)
end
