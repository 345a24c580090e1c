-- sc_two_fleets.lua - two fleets at two warehouses from Lua: a planner function at depot 2 (it
-- sees only its own fleet's two vehicles and the orders of its depot), central planning with two
-- vehicle types at depot 3; sc:vehicles() and sc:routes() name each vehicle's fleet and depot, a
-- vehicle waiting is at its own depot, units are conserved, both fleets deliver. The clock: a day
-- of 12 steps, stores with a delivery window {2, 11} and a service time, the central fleet's
-- types with shifts: its vehicles are never away outside their shift and never late at a
-- store. BAD = "dup" | "unknown" | "store" gives the second fleet a depot that must be refused
-- in one line; BAD = "window" a window beyond the day.
local sl = swarmlab
local bad = sl.param("bad", "", "wrong depot to give the second fleet")
sl.steps(160)
local sc
local calls = 0

local function planner(orders, vehicles)
  calls = calls + 1
  assert(#vehicles == 2, "the planner sees " .. #vehicles .. " vehicles, not its fleet's 2")
  local routes, taken = {}, {}
  for v, veh in ipairs(vehicles) do
    assert(veh.vehicle == v and veh.type == "vehicle", "vehicle " .. v .. " numbered " ..
           veh.vehicle .. ", type " .. tostring(veh.type))
    if veh.state == "depot" then
      local route, load = {}, 0
      for _, o in ipairs(orders) do
        if not taken[o.id] and load + o.qty <= veh.capacity then
          route[#route + 1], taken[o.id], load = o.id, true, load + o.qty
        end
      end
      if #route > 0 then routes[v] = route end
    end
  end
  return routes
end

local depot2 = ({dup = 2, unknown = 77, store = 101})[bad] or 3

function setup(world)
  sc = sl.supply_chain(world, {name = "two",
    sites = {{id = 1, kind = "supplier", x = 0, y = 0},
             {id = 2, kind = "warehouse", x = 20, y = 50, stock = 300, source = 1,
              policy = {kind = "base_stock", S = 500}},
             {id = 3, kind = "warehouse", x = 80, y = 50, stock = 300, source = 1,
              policy = {kind = "base_stock", S = 500}}},
    steps_per_day = 12,
    stores = {count = 24, first_id = 101, width = 100, height = 100, source = "nearest",
              window = {2, bad == "window" and 13 or 11}, service_time = 0.2},
    fleets = {{depot = 2, planner = planner, vehicles = 2, capacity = 60, speed = 30},
              {depot = depot2, planner = "central",
               types = {{name = "van", count = 2, capacity = 40, speed = 40, shift = {1, 10}},
                        {name = "truck", count = 1, capacity = 120, speed = 20, shift = {2, 11},
                         fixed_cost = 5, cost_per_distance = 0.02}}}}})
end

local at = {}

function step(world, t)
  local c = sc:conservation()
  local held, entered = c.held, c.entered
  assert(math.abs(held - entered) < 1e-6, "units not conserved at step " .. t)
  local v, r = sc:vehicles(), sc:routes()
  assert(#v == 5 and #r == 5, "5 vehicles in all")
  for i, veh in ipairs(v) do
    local fleet, depot = i <= 2 and 1 or 2, i <= 2 and 2 or 3
    assert(veh.vehicle == i and veh.fleet == fleet and veh.depot == depot,
           "vehicle " .. i .. ": fleet " .. veh.fleet .. ", depot " .. veh.depot)
    assert(r[i].fleet == fleet and r[i].depot == depot, "route " .. i .. " names another depot")
    assert(veh.type == (i <= 2 and "vehicle" or i <= 4 and "van" or "truck"), veh.type)
    if veh.state == "depot" then
      local s = sc:site(depot)
      assert(veh.x == s.x and veh.y == s.y, "vehicle " .. i .. " waits away from its depot")
    else
      at[depot] = (at[depot] or 0) + 1
      if depot == 3 then -- out at the end of step t: away during (t - 1, t]
        local shift, tod = veh.type == "van" and {1, 10} or {2, 11}, t % 12
        assert(tod >= shift[1] and tod - 1 < shift[2],
               "vehicle " .. i .. " away at step " .. t .. ", outside its shift")
      end
    end
    assert(veh.load <= veh.capacity + 1e-9, "vehicle " .. i .. " over capacity")
  end
end

function finish(world)
  sc:finish()
  local k = sc:kpis()
  assert(calls > 100, "planner called " .. calls .. " times")
  assert((at[2] or 0) > 0 and (at[3] or 0) > 0, "a fleet never left its depot")
  local by_depot = {}
  for _, o in ipairs(sc:orders{}) do
    if o.vehicle then
      local veh = sc:vehicles()[o.vehicle]
      assert(veh.depot == o.depot, "order " .. o.id .. " of depot " .. o.depot ..
             " on a vehicle of depot " .. veh.depot)
      by_depot[o.depot] = (by_depot[o.depot] or 0) + 1
      if o.status == "delivered" then
        assert(o.arrival and o.wait >= 0, "order " .. o.id .. " has no arrival")
        assert(o.depot ~= 3 or o.window_late == 0, "order " .. o.id .. " late at its store")
      end
    end
  end
  assert((by_depot[2] or 0) > 10 and (by_depot[3] or 0) > 10, "both fleets deliver")
  sl.result("two_fleets_delivered", k.delivered)
end
