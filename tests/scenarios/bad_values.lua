-- bad_values.lua - calls every binding of the `swarmlab` table and every method of the objects
-- they make with bad values: nil, NaN, infinities, huge and negative numbers, wrong types, and
-- tables whose __index or __len misbehave. Each call starts from a valid baseline and changes one
-- argument, or one field of an options table (one level down for nested tables and lists), or
-- makes a callback return a bad value. Every call must return or raise a clean error: a
-- non-empty one-line string. A crash, a sanitizer report or a hang fails the CTest test that runs
-- this file; a dirty error or a binding without a spec here fails finish() with the list.
--
--   swarmlab run tests/scenarios/bad_values.lua --unsafe --steps 3 --out DIR
--   swarmlab run tests/scenarios/bad_values.lua --unsafe --steps 1 --out DIR \
--       --frames DIR/frames --set expect_draw=true        -- the viewer's draw(d) methods too
--
-- --unsafe only lets the script read metatables (debug.getmetatable, the registry's list of
-- object types) to list the methods. `part` runs one group of bindings (a world holds at most 64
-- populations on its message bus, and a group's mutations make many; a world holds one federated
-- model): engine, pso, aco, negotiation, logistics, consensus, fedavg, dgd, roads, or all (the
-- last only for a quick look: later groups then meet a full world). Coverage is checked against every spec in
-- every part.

local expect_draw = swarmlab.param('expect_draw', false, 'fail unless draw(d) was exercised')
local part = swarmlab.param('part', 'all', 'group of bindings to call',
  {choices = {'all', 'engine', 'pso', 'aco', 'negotiation', 'logistics', 'consensus', 'fedavg',
              'dgd', 'roads', 'draw'}})
local town = swarmlab.param('town', 'agents/roads/tests/data/town.osm', 'OpenStreetMap file')
local sl = swarmlab
local calls, errors = 0, 0
local problems = {}
local covered = {}   -- "swarmlab.pso", "swarmlab.pso_solver:step", ...
local types = {}     -- metatable name -> methods table, for every object made

local function problem(label, what)
  if #problems < 200 then problems[#problems + 1] = label .. ': ' .. what end
end

local uniq = 0
local function name(prefix)
  uniq = uniq + 1
  return prefix .. uniq
end

-- ---- bad values ----

local BAD = {}
local function bad(label, v) BAD[#BAD + 1] = {label = label, v = v} end
local function len_is(v) return setmetatable({1, 2}, {__len = function() return v end}) end
bad('nil', nil)
bad('nan', 0 / 0)
bad('inf', 1 / 0)
bad('-inf', -1 / 0)
bad('1e308', 1e308)
bad('-1e308', -1e308)
bad('2^53', 2 ^ 53)
bad('maxinteger', math.maxinteger)
bad('mininteger', math.mininteger)
bad('-1', -1)
bad('0', 0)
bad('0.5', 0.5)
bad('-0.5', -0.5)
bad('empty string', '')
bad('string', 'x')
bad('long string', string.rep('y', 5000))
bad('path escape', '../../x')
bad('string with nul', 'a\0b')
bad('true', true)
bad('false', false)
bad('empty table', {})
bad('list', {1, 2, 3})
bad('nested', {{}, {1}, 'x', {0 / 0, 1 / 0}})
bad('function', function() return 1 end)
bad('raising function', function() error('raised by a bad value') end)
bad('thread', coroutine.create(print))
bad('__index raises', setmetatable({}, {__index = function() error('__index raised') end}))
bad('__index garbage', setmetatable({}, {__index = function(_, k)
  return type(k) == 'number' and {} or 'garbage' end}))
bad('__len raises', setmetatable({1, 2}, {__len = function() error('__len raised') end}))
bad('__len -1', len_is(-1))
bad('__len 2^40', len_is(2 ^ 40))
bad('__len maxinteger', len_is(math.maxinteger))
bad('__len 0.5', len_is(0.5))
bad('__len string', len_is('x'))
bad('other userdata', sl.rng(1, 1))

-- ---- calling ----

local function clean(label, ok, err)
  calls = calls + 1
  if ok then return end
  errors = errors + 1
  if type(err) ~= 'string' then
    problem(label, 'error object is a ' .. type(err))
  elseif err == '' then
    problem(label, 'empty error message')
  elseif err:find('\n') then
    problem(label, 'error on several lines: ' .. err:sub(1, 300))
  end
end

local function pack(...) return {n = select('#', ...), ...} end

local function copy(t)
  if type(t) ~= 'table' or getmetatable(t) then return t end
  local c = {}
  for k, v in pairs(t) do c[k] = copy(v) end
  return c
end

local function sorted_keys(t)
  local ks = {}
  for k in pairs(t) do if type(k) == 'string' then ks[#ks + 1] = k end end
  table.sort(ks)
  return ks
end

local function record_type(v)
  if type(v) ~= 'userdata' then return end
  local mt = debug.getmetatable(v)
  if type(mt) == 'table' and type(mt.__name) == 'string' and type(mt.__index) == 'table' then
    types[mt.__name] = mt.__index
  end
end

-- Runs spec: spec.call(args) with args from spec.args() (fresh each time). The baseline must
-- succeed; then each argument, each field of an options table and each entry one level down is
-- replaced by every bad value in turn.
local function group_of(label)
  local l = label:gsub('^swarmlab%.', '')
  for _, g in ipairs({{'pso', 'pso'}, {'aco', 'aco'}, {'vrp', 'aco'}, {'auction', 'negotiation'},
                      {'contract_net', 'negotiation'}, {'beer_game', 'logistics'},
                      {'supply_chain', 'logistics'}, {'consensus', 'consensus'},
                      {'fedavg', 'fedavg'}, {'dgd', 'dgd'}, {'roads', 'roads'}}) do
    if l:sub(1, #g[1]) == g[1] then return g[2] end
  end
  return 'engine'
end

local function selected(label)
  return part == 'all' or group_of(label) == part
end

local function exercise(label, spec)
  covered[label] = true
  if not selected(label) then return end
  local ok, r = pcall(function() return spec.call(spec.args()) end)
  if not ok and not spec.may_fail then problem(label, 'baseline failed: ' .. tostring(r)) end
  record_type(r)
  local base = spec.args()
  for i = 1, base.n + 1 do
    for _, b in ipairs(BAD) do
      local a = spec.args()
      a[i] = b.v
      a.n = math.max(a.n, i)
      clean(label .. ' arg ' .. i .. ' = ' .. b.label, pcall(spec.call, a))
    end
    local t = base[i]
    if type(t) == 'table' and not getmetatable(t) then
      local keys = sorted_keys(t)
      keys[#keys + 1] = 'no_such_option'
      for _, k in ipairs(keys) do
        for _, b in ipairs(BAD) do
          local a = spec.args()
          a[i][k] = b.v
          clean(label .. ' arg ' .. i .. '.' .. k .. ' = ' .. b.label, pcall(spec.call, a))
        end
        local sub = t[k]
        if type(sub) == 'table' and not getmetatable(sub) then
          local subkeys = sorted_keys(sub)
          if #sub > 0 then subkeys[#subkeys + 1] = 1 end
          for _, k2 in ipairs(subkeys) do
            for _, b in ipairs(BAD) do
              local a = spec.args()
              a[i][k][k2] = b.v
              clean(label .. ' arg ' .. i .. '.' .. k .. '.' .. tostring(k2) .. ' = ' .. b.label,
                    pcall(spec.call, a))
            end
          end
        end
      end
    end
  end
  -- callbacks returning bad values or raising
  for _, field in ipairs(spec.callbacks or {}) do
    for _, b in ipairs(BAD) do
      local a = spec.args()
      a[1][field] = function() return b.v end
      clean(label .. ' ' .. field .. ' returns ' .. b.label, pcall(spec.call, a))
    end
    local a = spec.args()
    a[1][field] = function() error({}) end
    clean(label .. ' ' .. field .. ' raises a table', pcall(spec.call, a))
  end
end

-- A method: obj() makes (or returns) the object; args() the arguments after self. Also called
-- with every bad value as self.
local function method(typename, m, obj, args)
  local label = typename .. ':' .. m
  covered[label] = true
  if not selected(label) then return end
  exercise(label, {
    args = function() return pack(args()) end,
    call = function(a) local o = obj() return o[m](o, table.unpack(a, 1, a.n)) end,
  })
  local f = obj()[m]
  for _, b in ipairs(BAD) do
    clean(label .. ' self = ' .. b.label, pcall(f, b.v))
  end
end

-- ---- files the bindings read ----

local function write(file, text)
  local path = sl.output(file)
  local f = assert(io.open(path, 'w'))
  f:write(text)
  f:close()
  return path
end

local tsp = write('tiny.tsp', table.concat({
  'NAME: tiny', 'TYPE: TSP', 'DIMENSION: 7', 'EDGE_WEIGHT_TYPE: EUC_2D', 'NODE_COORD_SECTION',
  '1 0 0', '2 10 0', '3 20 5', '4 15 15', '5 5 20', '6 -5 10', '7 3 7', 'EOF', ''}, '\n'))

-- ---- the swarmlab table ----

local W = sl.world()
local function specs_of_functions()
  local P = W:population{name = name('p'), n = 4, columns = {'x', 'y', 'vx', 'vy'}}
  sl.boids.attach(P, {width = 20, height = 20})
  W:record{name = 'metric', reduce = 'value'}
  local aco_opts = function()
    return {instance = tsp, variant = 'mmas', ants = 4, iterations = 3, time = 0.2, seed = 1}
  end
  local S = {}
  S['swarmlab.param'] = {args = function() return pack(name('p'), 1, 'doc',
    {min = 0, max = 10, integer = true}) end, call = function(a) return sl.param(table.unpack(a, 1, a.n)) end}
  S['swarmlab.steps'] = {args = function() return pack(3) end,
    call = function(a) return sl.steps(table.unpack(a, 1, a.n)) end}
  S['swarmlab.seed'] = {args = function() return pack() end, call = function(a) return sl.seed(table.unpack(a, 1, a.n)) end}
  S['swarmlab.threads'] = {args = function() return pack() end, call = function(a) return sl.threads(table.unpack(a, 1, a.n)) end}
  S['swarmlab.world'] = {args = function() return pack() end, call = function(a) return sl.world(table.unpack(a, 1, a.n)) end}
  S['swarmlab.result'] = {args = function() return pack(name('r'), 1) end,
    call = function(a) return sl.result(table.unpack(a, 1, a.n)) end}
  S['swarmlab.output'] = {args = function() return pack('file.txt') end,
    call = function(a) return sl.output(table.unpack(a, 1, a.n)) end}
  S['swarmlab.input'] = {args = function() return pack(tsp) end,
    call = function(a) return sl.input(table.unpack(a, 1, a.n)) end}
  S['swarmlab.record'] = {args = function() return pack('metric', 1) end,
    call = function(a) return sl.record(table.unpack(a, 1, a.n)) end}
  S['swarmlab.log'] = {args = function() return pack('line', 1) end,
    call = function(a) return sl.log(table.unpack(a, 1, a.n)) end}
  S['swarmlab.rng'] = {args = function() return pack(1, 2, 3) end,
    call = function(a) return sl.rng(table.unpack(a, 1, a.n)) end}
  S['swarmlab.aco'] = {args = function() return pack(aco_opts()) end,
    call = function(a) return sl.aco(table.unpack(a, 1, a.n)) end}
  S['swarmlab.aco_solver'] = {args = function() return pack(aco_opts()) end,
    call = function(a) return sl.aco_solver(table.unpack(a, 1, a.n)) end}
  S['swarmlab.vrp'] = {args = function() return pack({sites = {{0, 0}, {3, 4}, {x = 6, y = 8}},
      jobs = {{site = 2, demand = 1, window = {0, 100}, service = 1}, {site = 3, demand = {2}},
              {site = 2, kind = 'pickup'}, {site = 3, pickup = 3, windows = {{0, 50}, {60, 90}}}},
      vehicles = {{count = 2, capacity = 5, shift = {0, 200}, fixed = 1, ['end'] = false}}}) end,
    call = function(a) return sl.vrp(table.unpack(a, 1, a.n)) end}
  S['swarmlab.auction'] = {args = function() return pack({method = 'sequential',
      agents = {{0, 0}, {5, 5}}, tasks = {{1, 1}, {4, 4}, {9, 0}}, return_home = false}) end,
    call = function(a) return sl.auction(table.unpack(a, 1, a.n)) end}
  S['swarmlab.beer_game'] = {args = function() return pack({weeks = 6, forced_weeks = 2,
      holding_cost = 0.5, backlog_cost = 1, demand_before = 4, demand_after = 8, step_week = 3,
      policy = function(v) return v.incoming end}) end,
    call = function(a) return sl.beer_game(table.unpack(a, 1, a.n)) end, callbacks = {'policy'}}
  S['swarmlab.boids.attach'] = {args = function()
      return pack(W:population{name = name('b'), n = 3, columns = {'x', 'y', 'vx', 'vy'}},
        {width = 20, height = 20, radius = 2, speed = 1, cohere = 0.1, separation = 1,
         separate = 0.1, match = 0.1}) end,
    call = function(a) return sl.boids.attach(table.unpack(a, 1, a.n)) end}
  S['swarmlab.boids.spawn'] = {args = function() return pack(P, 2) end,
    call = function(a) return sl.boids.spawn(table.unpack(a, 1, a.n)) end}
  S['swarmlab.boids.defaults'] = {args = function() return pack() end,
    call = function(a) return sl.boids.defaults(table.unpack(a, 1, a.n)) end}
  S['swarmlab.consensus'] = {args = function() return pack({graph = 'ring', n = 6, rows = 0,
      radius = 0.5, seed = 1, weights = 'metropolis', eps = 0.1, tol = 1e-3, link_fail = 0,
      msg_loss = 0, switching = 'none', topologies = 1, period = 1, init = 'index',
      pop = name('c')}) end,
    call = function(a) return sl.consensus(table.unpack(a, 1, a.n)) end,
    may_fail = true} -- the world has its consensus already (made for the methods)
  S['swarmlab.fedavg'] = {args = function() return pack({samples = 60, features = 3, test = 20,
      clients = 3, iid = true, min_size = 5, skew = 0.5, seed = 1, frac = 1, epochs = 1,
      batch = 10, lr = 0.1, l2 = 0, dropout = 0, weighting = 'size', loss = 0,
      pop = name('f'), target = 0.9}) end,
    call = function(a) return sl.fedavg(table.unpack(a, 1, a.n)) end,
    may_fail = true} -- the world has its model already (made for the methods)
  S['swarmlab.dgd'] = {args = function() return pack({samples = 60, features = 3, test = 20,
      workers = 3, iid = true, min_size = 5, skew = 0.5, seed = 1, mode = 'sync', staleness = 2,
      lr = 0.1, l2 = 0, delay = 1, jitter = 0, slow = 0, slow_delay = 0, loss = 0, timeout = 5,
      pop = name('d'), target_loss = 0.1}) end,
    call = function(a) return sl.dgd(table.unpack(a, 1, a.n)) end,
    may_fail = true} -- the world has its model already (made for the methods)
  S['swarmlab.contract_net'] = {args = function() return pack({deadline = 2, result_timeout = 3,
      bid = function(conv, b) return 1 end, exec = function() return true end,
      on_close = function() end, loss = 0, delay = 0, jitter = 0, record = name('bus')}) end,
    call = function(a) return sl.contract_net(table.unpack(a, 1, a.n)) end}
  S['swarmlab.pso'] = {args = function() return pack({objective = 'sphere', dim = 2, swarm = 5,
      fes = 60, time = 2, lower = -1, upper = 1, variant = 'spso2011', topology = 'ring',
      bounds = 'reflect', seed = 1, threads = 1}) end,
    call = function(a) return sl.pso(table.unpack(a, 1, a.n)) end}
  S['swarmlab.pso (Lua objective, constraints)'] = {args = function() return pack({
      objective = function(x) return x[1] * x[1] + x[2] end, dim = 2, swarm = 4, fes = 40,
      lower = {-1, -1}, upper = {1, 1}, step = {0, 0.5}, integer = {1},
      constraints = {g = function(x) return x[1] - 0.5 end, h = {function(x) return x[2] end},
                     method = 'penalty', tol = 1e-3, tol_start = 0.1, penalty = 10}}) end,
    call = function(a) return sl.pso(table.unpack(a, 1, a.n)) end, callbacks = {'objective'}}
  S['swarmlab.pso_solver'] = {args = function() return pack({objective = 'rastrigin', dim = 3,
      swarm = 5, fes = 50, variant = 'inertia', w = 0.7, c1 = 1.4, c2 = 1.4, vmax = 1,
      stagnation = 5, stagnation_tol = 1e-9}) end,
    call = function(a) return sl.pso_solver(table.unpack(a, 1, a.n)) end}
  S['swarmlab.roads'] = {args = function() return pack({file = town, max_snap = 500,
      speeds = {residential = 30, primary = 50}, link_speeds = {primary = 40}}) end,
    call = function(a) return sl.roads(table.unpack(a, 1, a.n)) end}
  S['swarmlab.supply_chain'] = {args = function() return pack(W, {name = name('sc'),
      products = 1, common_random_numbers = true, warmup = 1, promise = 2,
      sites = {{id = 1, kind = 'supplier', x = 0, y = 0, lead = 1},
               {id = 2, kind = 'warehouse', x = 5, y = 5, stock = 20, source = 1, lead = 1,
                policy = {kind = 'base_stock', S = 30}}},
      stores = {count = 3, first_id = 10, width = 10, height = 10, source = 2, stock = 4,
                demand = {kind = 'poisson', mean = 1}, policy = {kind = 'sS', s = 2, S = 6}},
      fleets = {{depot = 2, planner = 'contract_net', vehicles = 1, capacity = 5, speed = 2,
                 deadline = 2, bid = function(info) return info.marginal end}}}) end,
    -- finished at once: a Lua function given as an option (demand, policy, source, bid) would
    -- otherwise be called by the world's steps, outside this check
    call = function(a)
      local sc = sl.supply_chain(table.unpack(a, 1, a.n))
      sc:finish()
      return sc
    end}
  return S
end

-- ---- methods ----

local function specs_of_methods()
  local M = {}
  local function add(typename, m, obj, args) M[#M + 1] = {typename, m, obj, args} end
  local function const(v) return function() return v end end
  local none = function() end

  local world = const(W)
  for _, m in ipairs({'dt', 'hash', 'seed', 'step_count', 'threads', 'plane'}) do
    add('swarmlab.world', m, world, none)
  end
  add('swarmlab.world', 'population', world, function() return {name = name('q'), n = 2,
    columns = {'x', kind = 'i32'}} end)
  add('swarmlab.world', 'pop', world, function() return 'metric_pop' end)
  add('swarmlab.world', 'record', world, function() return {name = name('m'), reduce = 'value'} end)
  add('swarmlab.world', 'record_every', world, function() return 1 end)
  add('swarmlab.world', 'field', world, function() return {name = name('f'), nx = 3, ny = 2,
    cell = 1, toroidal = true} end)
  add('swarmlab.world', 'graph', world, function() return {name = name('g'), nodes = 3} end)

  local pop = W:population{name = 'metric_pop', n = 5, columns = {'x', 'y'}}
  local p = const(pop)
  for _, m in ipairs({'count', 'name', 'columns', 'commit'}) do add('swarmlab.pop', m, p, none) end
  add('swarmlab.pop', 'get', p, function() return 'x', 1 end)
  add('swarmlab.pop', 'set', p, function() return 'x', 1, 2.5 end)
  add('swarmlab.pop', 'spawn', p, function() return 1 end)
  add('swarmlab.pop', 'kill', p, function() return 1 end)
  add('swarmlab.pop', 'id', p, function() return 1 end)
  add('swarmlab.pop', 'slot', p, function() return pop:id(1) end)
  add('swarmlab.pop', 'has_column', p, function() return 'x' end)
  add('swarmlab.pop', 'add_column', p, function() return name('c'), 'f64' end)
  add('swarmlab.pop', 'reduce', p, function() return 'x', 'sum' end)

  local field = W:field{name = 'metric_field', nx = 4, ny = 3}
  local f = const(field)
  for _, m in ipairs({'size', 'sum', 'max'}) do add('swarmlab.field', m, f, none) end
  add('swarmlab.field', 'at', f, function() return 1.5, 1.5 end)
  add('swarmlab.field', 'get', f, function() return 1, 1 end)
  add('swarmlab.field', 'set', f, function() return 1, 1, 2 end)
  add('swarmlab.field', 'deposit', f, function() return 1.5, 1.5, 1 end)
  add('swarmlab.field', 'fill', f, function() return 0.5 end)
  add('swarmlab.field', 'evaporate', f, function() return 0.1 end)
  add('swarmlab.field', 'diffuse', f, function() return 0.1 end)

  local graph = W:graph{name = 'metric_graph', nodes = 4}
  graph:add_edge(1, 2, 1)
  local g = const(graph)
  for _, m in ipairs({'nodes', 'edges'}) do add('swarmlab.graph', m, g, none) end
  add('swarmlab.graph', 'add_edge', g, function() return 2, 3, 1.5, true end)
  add('swarmlab.graph', 'weight', g, function() return 1, 2 end)
  add('swarmlab.graph', 'degree', g, function() return 1 end)
  add('swarmlab.graph', 'neighbours', g, function() return 1 end)
  add('swarmlab.graph', 'position', g, function() return 1 end)
  add('swarmlab.graph', 'shortest_paths', g, function() return 1 end)

  local plane = W:plane{width = 10, height = 10, toroidal = false}
  add('swarmlab.plane', 'size', const(plane), none)
  add('swarmlab.plane', 'toroidal', const(plane), none)

  local rec = W:record{name = 'metric_rec', reduce = 'value'}
  add('swarmlab.record', 'set', const(rec), function() return 1 end)
  add('swarmlab.record', 'last', const(rec), none)
  add('swarmlab.record', 'name', const(rec), none)

  local rng = const(sl.rng(3, 4))
  for _, m in ipairs({'uniform', 'normal'}) do add('swarmlab.rng', m, rng, none) end
  add('swarmlab.rng', 'range', rng, function() return 1, 2 end)
  add('swarmlab.rng', 'int', rng, function() return 1, 6 end)
  add('swarmlab.rng', 'exponential', rng, function() return 2 end)
  add('swarmlab.rng', 'poisson', rng, function() return 3 end)

  local solver = function() return sl.pso_solver{objective = 'sphere', dim = 3, swarm = 4,
    fes = 40} end
  for _, m in ipairs({'step', 'run', 'result', 'positions', 'done'}) do
    add('swarmlab.pso_solver', m, solver, none)
  end
  add('swarmlab.pso_solver', 'attach', solver, function() return W, name('s') end)
  add('swarmlab.pso_solver', 'write_convergence', solver, function() return 'conv.csv' end)

  local mgr = W:population{name = 'managers', n = 1}
  local bidders = W:population{name = 'bidders', n = 3}
  local cn = sl.contract_net{bid = function(conv, b) return b.slot end}
  local c = const(cn)
  add('swarmlab.contract_net', 'announce', c, function() return {manager = {pop = mgr, slot = 1},
    bidders = bidders, item = 3, data = {1, 2}} end)
  add('swarmlab.contract_net', 'conv', c, function() return 1 end)
  add('swarmlab.contract_net', 'counts', c, none)
  add('swarmlab.contract_net', 'finish', const(sl.contract_net{bid = print}), none)

  local sc = function() return sl.supply_chain(W, {name = name('chain'),
    sites = {{id = 1, kind = 'supplier', x = 0, y = 0}, {id = 2, kind = 'warehouse', x = 1, y = 1}},
    stores = {count = 2}}) end
  for _, m in ipairs({'kpis', 'step_kpis', 'conservation', 'finish', 'name', 'routes', 'vehicles'}) do
    add('swarmlab.supply_chain', m, sc, none)
  end
  add('swarmlab.supply_chain', 'site', sc, function() return 2, 1 end)
  add('swarmlab.supply_chain', 'orders', sc, function() return {open = true, site = 1000,
    status = 'ready'} end)
  add('swarmlab.supply_chain', 'write_orders', sc, const('orders_bad_values.csv'))
  add('swarmlab.supply_chain', 'write_routes', sc, const('routes_bad_values.csv'))

  local vm = function()
    local m = sl.vrp{sites = {{0, 0}, {3, 4}, {6, 8}}, jobs = {{site = 2, demand = 1}, {site = 3}},
                     vehicles = {{count = 2, capacity = 5}}}
    m:solve{iterations = 2}
    m:write('vrp.sol')
    return m
  end
  add('swarmlab.vrp_model', 'solve', vm, function() return {iterations = 2, time = 0.2, seed = 1,
    ants = 2, warm = true} end)
  for _, m in ipairs({'result', 'info'}) do add('swarmlab.vrp_model', m, vm, none) end
  add('swarmlab.vrp_model', 'write', vm, function() return 'vrp.sol' end)
  add('swarmlab.vrp_model', 'write_convergence', vm, function() return 'vrp.csv' end)
  add('swarmlab.vrp_model', 'check', vm, function() return 'vrp.sol' end)

  local colony = function() return sl.aco_solver{instance = tsp, ants = 3, iterations = 2} end
  for _, m in ipairs({'run', 'done', 'result', 'best', 'iterations'}) do
    add('swarmlab.aco_solver', m, colony, none)
  end
  add('swarmlab.aco_solver', 'step', colony, function() return 1 end)
  add('swarmlab.aco_solver', 'pheromone', colony, function() return 1, 2 end)
  add('swarmlab.aco_solver', 'write', colony, function() return 'best.tour' end)
  add('swarmlab.aco_solver', 'write_convergence', colony, function() return 'aco.csv' end)
  add('swarmlab.aco_solver', 'attach', colony, none)

  if selected('swarmlab.roads') then
    local net = sl.roads{file = town}
    local info = net:info()
    local lon, lat = (info.lon_min + info.lon_max) / 2, (info.lat_min + info.lat_max) / 2
    local pts = function() return {{info.lon_min, info.lat_min}, {lon, lat},
                                   {lon = info.lon_max, lat = info.lat_max}} end
    local r = const(net)
    add('swarmlab.roads', 'info', r, none)
    add('swarmlab.roads', 'snap', r, function() return lon, lat end)
    add('swarmlab.roads', 'project', r, function() return lon, lat end)
    add('swarmlab.roads', 'unproject', r, function() return 10, 20 end)
    add('swarmlab.roads', 'matrix', r, function() return pts(), {metric = 'time', threads = 1} end)
    add('swarmlab.roads', 'route', r, function() return {lon, lat}, {info.lon_min, info.lat_min},
      {metric = 'distance'} end)
    add('swarmlab.roads', 'sample', r, function() return 3, {seed = 1} end)
    add('swarmlab.roads', 'node', r, function() return lon, lat end)
    add('swarmlab.roads', 'graph', r, function() return W, {name = name('rg'), metric = 'time'} end)
    add('swarmlab.roads', 'show', r, function() return {sites = pts(), depots = {1},
      routes = {{1, 2, 3}}, metric = 'time'} end)
  else
    for _, m in ipairs({'info', 'snap', 'project', 'unproject', 'matrix', 'route', 'sample',
                        'show', 'node', 'graph'}) do covered['swarmlab.roads:' .. m] = true end
  end

  -- these objects are made only in their own part (a world holds one federated model)
  local function lazy(label, make)
    local o
    return function()
      if not o and selected(label) then o = make() end
      return o
    end
  end
  local cons = lazy('swarmlab.consensus', function() return sl.consensus{n = 5, pop = 'cons'} end)
  for _, m in ipairs({'done', 'iterations', 'disagreement', 'initial_disagreement', 'mean',
                      'initial_mean', 'components', 'empirical_rate', 'theory_rate', 'traffic'}) do
    add('swarmlab.consensus', m, cons, none)
  end
  add('swarmlab.consensus', 'value', cons, function() return 1 end)
  local fed = lazy('swarmlab.fedavg', function() return sl.fedavg{samples = 40, features = 2,
    test = 10, clients = 2, pop = 'fed'} end)
  for _, m in ipairs({'rounds', 'info', 'gd_diff', 'sizes'}) do add('swarmlab.fedavg', m, fed, none) end
  add('swarmlab.dgd', 'info', lazy('swarmlab.dgd', function() return sl.dgd{samples = 40,
    features = 2, test = 10, workers = 2, pop = 'dgd'} end), none)
  return M
end

-- ---- coverage ----

local function check_coverage(extra_types)
  local function walk(t, prefix, seen)
    for k, v in pairs(t) do
      local full = prefix .. tostring(k)
      if type(v) == 'function' then
        local found = covered[full]
        for c in pairs(covered) do
          if c:sub(1, #full + 2) == full .. ' (' then found = true end
        end
        if not found then problem(full, 'binding without a bad-values spec') end
      elseif type(v) == 'table' and not seen[v] then
        seen[v] = true
        walk(v, full .. '.', seen)
      end
    end
  end
  walk(sl, 'swarmlab.', {})
  for tname, mt in pairs(debug.getregistry()['swarmlab.classes'] or {}) do
    if type(mt) == 'table' and type(mt.__index) == 'table' then types[tname] = mt.__index end
  end
  for tname, methods in pairs(types) do
    if tname ~= 'swarmlab.view.draw' and tname ~= 'swarmlab.draw' or extra_types then
      for m, v in pairs(methods) do
        if type(v) == 'function' and not covered[tname .. ':' .. m] then
          problem(tname .. ':' .. m, 'method without a bad-values spec')
        end
      end
    end
  end
end

local function report(where)
  sl.result('bad_value_calls', calls)
  sl.result('bad_value_errors', errors)
  sl.log(string.format('bad values (%s): %d calls, %d clean errors, %d problems', where, calls,
                       errors, #problems))
  if #problems > 0 then
    error(#problems .. ' problems: ' .. table.concat(problems, ' | '), 0)
  end
end

function setup(world)
  local M = specs_of_methods() -- its objects first: the mutations below fill the world
  for _, m in ipairs(M) do
    if selected(m[1] .. ':' .. m[2]) then record_type(m[3]()) end
  end
  local S = specs_of_functions()
  local labels = sorted_keys(S)
  for _, label in ipairs(labels) do exercise(label, S[label]) end
  for _, m in ipairs(M) do
    if selected(m[1] .. ':' .. m[2]) then record_type(m[3]()) end
    method(m[1], m[2], m[3], m[4])
  end
  covered['swarmlab.stop'] = true
  if selected('swarmlab.stop') then exercise('swarmlab.stop', {args = function() return pack() end,
    call = function(a) return sl.stop(table.unpack(a, 1, a.n)) end}) end
  check_coverage(false)
  report('setup')
end

local drew = false
function draw(d)
  if drew or (part ~= 'all' and part ~= 'draw') then return end
  drew = true
  record_type(d)
  local function dm(m, args)
    local label = 'swarmlab.draw:' .. m
    covered[label] = true
    local base = {table.unpack(args)}
    clean(label .. ' baseline', pcall(d[m], d, table.unpack(base, 1, #args)))
    for i = 1, #args + 1 do
      for _, b in ipairs(BAD) do
        local a = {table.unpack(args)}
        a[i] = b.v
        clean(label .. ' arg ' .. i .. ' = ' .. b.label, pcall(d[m], d, table.unpack(a, 1, #args + 1)))
      end
    end
    for _, b in ipairs(BAD) do clean(label .. ' self = ' .. b.label, pcall(d[m], b.v)) end
  end
  dm('line', {0, 0, 5, 5, '#ff0000', 2})
  dm('circle', {1, 1, 2, 'red', true})
  dm('point', {1, 1, {0, 255, 0}, 3})
  dm('rect', {0, 0, 3, 3, 'blue', 1})
  dm('text', {1, 1, 'label', 'white'})
  dm('scale', {})
  check_coverage(true)
  report('draw')
end

function finish(world)
  if expect_draw and not drew then error('draw(d) was never called', 0) end
  report('finish')
end
