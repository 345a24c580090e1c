-- lua_bindings.lua - every Lua binding, listed from the running host: each function of the
-- `swarmlab` table and each method of each module type (metatables named "swarmlab.*").
--  1. Strict options: every binding either appears in `cases` (called with a misspelt key, it must
--     fail with "unknown option 'KEY' in TABLE; did you mean 'NEAR'?") or in `no_options`.
--     A new binding in neither list fails the test, so it cannot ship without coverage.
--  2. Editor support: every binding has a LuaLS annotation in assets/lua/swarmlab.lua (functions
--     as `function swarmlab.x(`, methods as `function Var:m(` after `-- metatable: NAME` and
--     `local Var = {}`), and each option table checked here is an annotated class with the field.
--  3. Every option table of the sources: each call of sl_lua_opts_open/_open_opt/_sub/_elem in
--     engine/ and agents/ must have met one of the misspelt keys below (the toolkit records the
--     call site of every option table that had an unknown key).
--  4. Every entry of every luaL_Reg array of the sources is annotated, bindings that only some
--     hosts have included (the viewer's draw object).
-- Run by CTest as `swarmlab run tests/lua_bindings.lua --unsafe` (it reads the registry, the
-- sources and the annotation file); it raises an error listing every failure.
local sl = swarmlab
sl.steps(0)

local root = debug.getinfo(1, "S").source:match("^@(.*)/tests/[^/]*$") or "."
local failures = {}
local function fail(fmt, ...) failures[#failures + 1] = string.format(fmt, ...) end

-- ---- the bindings the host has ----

local bindings = {}
local function walk(t, path, seen)
  for k, v in pairs(t) do
    if type(v) == "function" then bindings[#bindings + 1] = path .. "." .. k
    elseif type(v) == "table" and not seen[v] then seen[v] = true; walk(v, path .. "." .. k, seen) end
  end
end
walk(sl, "swarmlab", {})
for name, mt in pairs(debug.getregistry()) do
  if type(name) == "string" and name:find("^swarmlab%.") and type(mt) == "table"
      and mt.__name == name and type(mt.__index) == "table" then
    for m, f in pairs(mt.__index) do
      if type(f) == "function" then bindings[#bindings + 1] = name .. ":" .. m end
    end
  end
end
table.sort(bindings)

-- ---- bindings without an option table ----

local no_options = {}
for _, b in ipairs({
  "swarmlab.boids.defaults", "swarmlab.boids.spawn", "swarmlab.input", "swarmlab.log",
  "swarmlab.output", "swarmlab.record", "swarmlab.result", "swarmlab.rng", "swarmlab.seed",
  "swarmlab.steps", "swarmlab.stop", "swarmlab.threads", "swarmlab.world",
  "swarmlab.aco_solver:attach", "swarmlab.aco_solver:best", "swarmlab.aco_solver:done",
  "swarmlab.aco_solver:iterations", "swarmlab.aco_solver:pheromone", "swarmlab.aco_solver:result",
  "swarmlab.aco_solver:run", "swarmlab.aco_solver:step", "swarmlab.aco_solver:write",
  "swarmlab.aco_solver:write_convergence",
  "swarmlab.vrp_model:check", "swarmlab.vrp_model:info", "swarmlab.vrp_model:result",
  "swarmlab.vrp_model:write", "swarmlab.vrp_model:write_convergence",
  "swarmlab.consensus:components", "swarmlab.consensus:disagreement", "swarmlab.consensus:done",
  "swarmlab.consensus:empirical_rate", "swarmlab.consensus:initial_disagreement",
  "swarmlab.consensus:initial_mean", "swarmlab.consensus:iterations", "swarmlab.consensus:mean",
  "swarmlab.consensus:theory_rate", "swarmlab.consensus:traffic", "swarmlab.consensus:value",
  "swarmlab.contract_net:conv", "swarmlab.contract_net:counts", "swarmlab.contract_net:finish",
  "swarmlab.dgd:info", "swarmlab.fedavg:gd_diff", "swarmlab.fedavg:info", "swarmlab.fedavg:rounds",
  "swarmlab.fedavg:sizes",
  "swarmlab.field:at", "swarmlab.field:deposit", "swarmlab.field:diffuse", "swarmlab.field:evaporate",
  "swarmlab.field:fill", "swarmlab.field:get", "swarmlab.field:max", "swarmlab.field:set",
  "swarmlab.field:size", "swarmlab.field:sum",
  "swarmlab.graph:add_edge", "swarmlab.graph:degree", "swarmlab.graph:edges",
  "swarmlab.graph:neighbours", "swarmlab.graph:nodes", "swarmlab.graph:position",
  "swarmlab.graph:shortest_paths", "swarmlab.graph:weight",
  "swarmlab.plane:size", "swarmlab.plane:toroidal",
  "swarmlab.pop:add_column", "swarmlab.pop:columns", "swarmlab.pop:commit", "swarmlab.pop:count",
  "swarmlab.pop:get", "swarmlab.pop:has_column", "swarmlab.pop:id", "swarmlab.pop:kill",
  "swarmlab.pop:name", "swarmlab.pop:reduce", "swarmlab.pop:set", "swarmlab.pop:slot",
  "swarmlab.pop:spawn",
  "swarmlab.pso_solver:attach", "swarmlab.pso_solver:done", "swarmlab.pso_solver:positions",
  "swarmlab.pso_solver:result", "swarmlab.pso_solver:run", "swarmlab.pso_solver:step",
  "swarmlab.pso_solver:write_convergence",
  "swarmlab.record:last", "swarmlab.record:name", "swarmlab.record:set",
  "swarmlab.rng:exponential", "swarmlab.rng:int", "swarmlab.rng:normal", "swarmlab.rng:poisson",
  "swarmlab.rng:range", "swarmlab.rng:uniform",
  "swarmlab.supply_chain:site", "swarmlab.supply_chain:write_orders",
  "swarmlab.roads:info", "swarmlab.roads:node", "swarmlab.roads:project", "swarmlab.roads:snap",
  "swarmlab.roads:unproject",
  "swarmlab.supply_chain:conservation", "swarmlab.supply_chain:finish", "swarmlab.supply_chain:kpis",
  "swarmlab.supply_chain:name", "swarmlab.supply_chain:routes", "swarmlab.supply_chain:step_kpis",
  "swarmlab.supply_chain:vehicles", "swarmlab.supply_chain:write_routes",
  "swarmlab.world:dt", "swarmlab.world:hash", "swarmlab.world:pop", "swarmlab.world:record_every",
  "swarmlab.world:seed", "swarmlab.world:step_count", "swarmlab.world:threads",
}) do no_options[b] = true end

-- ---- the misspelt-key cases ----
-- binding -> {call = function(world) ... end, table = shown name, key = misspelt, near = valid,
--             class = LuaLS class of the option table}

local TSP = root .. "/assets/instances/rand12.tsp"
local TOWN = root .. "/agents/roads/tests/data/town.osm"
local function f() return 1 end
local SC_SITES = {{id = 1, kind = "supplier", x = 0, y = 0}, {id = 2, kind = "warehouse", x = 5, y = 5}}

local cases = {
  ["swarmlab.param"] = {table = "the options of parameter 'zz'", key = "mni", near = "min",
    class = "swarmlab.ParamOptions", call = function() sl.param("zz", 1, "", {mni = 0}) end},
  ["swarmlab.aco"] = {table = "swarmlab.aco{...}", key = "itrations", near = "iterations",
    class = "swarmlab.AcoOptions", call = function() sl.aco{instance = TSP, itrations = 5} end},
  ["swarmlab.aco_solver"] = {table = "swarmlab.aco_solver{...}", key = "variamt", near = "variant",
    class = "swarmlab.AcoOptions", call = function() sl.aco_solver{instance = TSP, variamt = "as"} end},
  ["swarmlab.pso"] = {table = "swarmlab.pso{...}", key = "fse", near = "fes",
    class = "swarmlab.PsoOptions",
    call = function() sl.pso{objective = "sphere", dim = 2, fse = 100} end},
  ["swarmlab.pso_solver"] = {table = "swarmlab.pso_solver{...}", key = "swram", near = "swarm",
    class = "swarmlab.PsoOptions",
    call = function() sl.pso_solver{objective = "sphere", dim = 2, swram = 10} end},
  ["swarmlab.boids.attach"] = {table = "swarmlab.boids.attach(pop, {...})", key = "radus",
    near = "radius", class = "swarmlab.BoidsParams",
    call = function(w) sl.boids.attach(w:population{name = "zz_birds"}, {radus = 3}) end},
  ["swarmlab.consensus"] = {table = "swarmlab.consensus{...}", key = "swiching", near = "switching",
    class = "swarmlab.ConsensusOptions", call = function() sl.consensus{n = 4, swiching = "none"} end},
  ["swarmlab.fedavg"] = {table = "swarmlab.fedavg{...}", key = "clints", near = "clients",
    class = "swarmlab.FedavgOptions", call = function() sl.fedavg{clints = 3} end},
  ["swarmlab.dgd"] = {table = "swarmlab.dgd{...}", key = "workrs", near = "workers",
    class = "swarmlab.DgdOptions", call = function() sl.dgd{workrs = 3} end},
  ["swarmlab.contract_net"] = {table = "swarmlab.contract_net{...}", key = "deadlin",
    near = "deadline", class = "swarmlab.ContractNetOptions",
    call = function() sl.contract_net{bid = f, deadlin = 2} end},
  ["swarmlab.auction"] = {table = "swarmlab.auction{...}", key = "methd", near = "method",
    class = "swarmlab.AuctionOptions",
    call = function() sl.auction{methd = "sequential", agents = {{0, 0}}, tasks = {{1, 1}}} end},
  ["swarmlab.beer_game"] = {table = "swarmlab.beer_game{...}", key = "weks", near = "weeks",
    class = "swarmlab.BeerGameOptions", call = function() sl.beer_game{policy = f, weks = 3} end},
  ["swarmlab.supply_chain"] = {table = "swarmlab.supply_chain{...}", key = "stors",
    near = "stores", class = "swarmlab.SupplyChainOptions",
    call = function(w) sl.supply_chain(w, {stors = {count = 3}}) end},
  ["swarmlab.supply_chain:orders"] = {table = "supply_chain:orders{...}", key = "opne",
    near = "open", class = "swarmlab.OrdersFilter",
    call = function(w) sl.supply_chain(w, {name = "ord", sites = SC_SITES,
                                           stores = {count = 2}}):orders{opne = true} end},
  ["swarmlab.vrp"] = {table = "swarmlab.vrp{...}", key = "vehicels", near = "vehicles",
    class = "swarmlab.VrpOptions",
    call = function() sl.vrp{sites = {{0, 0}}, jobs = {}, vehicels = {}} end},
  ["swarmlab.vrp_model:solve"] = {table = "vrp:solve{...}", key = "iteratons", near = "iterations",
    class = "swarmlab.VrpSolveOptions",
    call = function() sl.vrp{sites = {{0, 0}, {1, 1}}, jobs = {{site = 2}}, vehicles = {{}}}:solve{iteratons = 1} end},
  ["swarmlab.roads"] = {table = "swarmlab.roads{...}", key = "fle", near = "file",
    class = "swarmlab.RoadsOptions", call = function() sl.roads{fle = TOWN} end},
  ["swarmlab.world:population"] = {table = "world:population{...}", key = "nme", near = "name",
    class = "swarmlab.PopulationSpec", call = function(w) w:population{nme = "zz"} end},
  ["swarmlab.world:record"] = {table = "world:record{...}", key = "redce", near = "reduce",
    class = "swarmlab.RecordSpec", call = function(w) w:record{name = "zz", redce = "sum"} end},
  ["swarmlab.world:field"] = {table = "world:field{...}", key = "cel", near = "cell",
    class = "swarmlab.FieldSpec", call = function(w) w:field{name = "zz", nx = 2, ny = 2, cel = 1} end},
  ["swarmlab.world:graph"] = {table = "world:graph{...}", key = "nodse", near = "nodes",
    class = "swarmlab.GraphSpec", call = function(w) w:graph{name = "zz", nodse = 3} end},
  ["swarmlab.world:plane"] = {table = "world:plane{...}", key = "widht", near = "width",
    class = "swarmlab.PlaneSpec", call = function(w) w:plane{widht = 3, height = 3} end},
  ["swarmlab.contract_net:announce"] = {table = "cn:announce{...}", key = "manger", near = "manager",
    class = "swarmlab.AnnounceSpec",
    call = function() sl.contract_net{bid = f}:announce{manger = {pop = 0, id = 1}} end},
  ["swarmlab.roads:matrix"] = {table = "net:matrix(points, {...})", key = "metrc", near = "metric",
    class = "swarmlab.RoadsMatrixOptions",
    call = function() sl.roads{file = TOWN}:matrix({{0, 0}, {1, 1}}, {metrc = "time"}) end},
  ["swarmlab.roads:route"] = {table = "net:route(a, b, {...})", key = "metrc", near = "metric",
    class = "swarmlab.RoadsRouteOptions",
    call = function() sl.roads{file = TOWN}:route({0, 0}, {1, 1}, {metrc = "time"}) end},
  ["swarmlab.roads:graph"] = {table = "net:graph(world, {...})", key = "metrc", near = "metric",
    class = "swarmlab.RoadsGraphOptions",
    call = function(w) sl.roads{file = TOWN}:graph(w, {metrc = "time"}) end},
  ["swarmlab.roads:sample"] = {table = "net:sample(n, {...})", key = "sed", near = "seed",
    class = "swarmlab.RoadsSampleOptions",
    call = function() sl.roads{file = TOWN}:sample(3, {sed = 1}) end},
  ["swarmlab.roads:show"] = {table = "net:show{...}", key = "sits", near = "sites",
    class = "swarmlab.RoadsShowOptions", call = function() sl.roads{file = TOWN}:show{sits = {}} end},
}

-- nested option tables: not bindings of their own, checked the same way
local nested = {
  {table = "swarmlab.supply_chain{...}.stores.demand", key = "men", near = "mean",
   class = "swarmlab.DemandOptions",
   call = function(w) sl.supply_chain(w, {sites = SC_SITES, stores = {count = 3, demand = {men = 3}}}) end},
  {table = "swarmlab.supply_chain{...}.stores.policy", key = "kidn", near = "kind",
   class = "swarmlab.PolicyOptions",
   call = function(w) sl.supply_chain(w, {sites = SC_SITES, stores = {count = 3, policy = {kidn = "sS"}}}) end},
  {table = "swarmlab.supply_chain{...}.stores", key = "cuont", near = "count",
   class = "swarmlab.StoresOptions",
   call = function(w) sl.supply_chain(w, {sites = SC_SITES, stores = {cuont = 3}}) end},
  {table = "swarmlab.supply_chain{...}.sites[2]", key = "capacty", near = "capacity",
   class = "swarmlab.SiteOptions",
   call = function(w) sl.supply_chain(w, {sites = {SC_SITES[1], {id = 2, kind = "warehouse",
                                           x = 1, y = 1, capacty = 5}}}) end},
  {table = "swarmlab.supply_chain{...}.sites[2].policy", key = "kidn", near = "kind",
   class = "swarmlab.PolicyOptions",
   call = function(w) sl.supply_chain(w, {sites = {SC_SITES[1], {id = 2, kind = "warehouse",
                                           x = 1, y = 1, policy = {kidn = "sS"}}}}) end},
  {table = "swarmlab.supply_chain{...}.sites[3].demand", key = "perod", near = "period",
   class = "swarmlab.DemandOptions",
   call = function(w) sl.supply_chain(w, {sites = {SC_SITES[1], SC_SITES[2], {id = 3,
     kind = "store", x = 2, y = 2, demand = {kind = "seasonal", perod = 7}}}}) end},
  {table = "swarmlab.supply_chain{...}.fleets[1]", key = "capacty", near = "capacity",
   class = "swarmlab.FleetOptions",
   call = function(w) sl.supply_chain(w, {sites = SC_SITES, stores = {count = 2},
                                          fleets = {{depot = 2, capacty = 5}}}) end},
  {table = "swarmlab.supply_chain{...}.fleets[1].types[2]", key = "cost_per_distanse",
   near = "cost_per_distance", class = "swarmlab.VehicleTypeOptions",
   call = function(w) sl.supply_chain(w, {sites = SC_SITES, stores = {count = 2},
     fleets = {{depot = 2, types = {{count = 1}, {count = 2, cost_per_distanse = 1}}}}}) end},
  {table = "swarmlab.roads{...}.speeds", key = "primry", near = "primary",
   class = "swarmlab.RoadSpeeds",
   call = function() sl.roads{file = TOWN, speeds = {primry = 50}} end},
  {table = "swarmlab.roads{...}.link_speeds", key = "motorwya", near = "motorway",
   class = "swarmlab.RoadSpeeds",
   call = function() sl.roads{file = TOWN, link_speeds = {motorwya = 60}} end},
  {table = "swarmlab.vrp{...}.sites[2]", key = "yy", near = "y", class = "swarmlab.VrpSite",
   call = function() sl.vrp{sites = {{0, 0}, {x = 1, yy = 1}}, jobs = {}, vehicles = {{}}} end},
  {table = "swarmlab.vrp{...}.matrix", key = "tme", near = "time", class = "swarmlab.VrpMatrix",
   call = function()
     sl.vrp{sites = {{0, 0}, {1, 1}}, matrix = {distance = {{0, 1}, {1, 0}}, tme = {{0, 1}, {1, 0}}},
            jobs = {}, vehicles = {{}}}
   end},
  {table = "swarmlab.vrp{...}.jobs[1]", key = "demnd", near = "demand", class = "swarmlab.VrpJob",
   call = function() sl.vrp{sites = {{0, 0}, {1, 1}}, jobs = {{site = 2, demnd = 1}}, vehicles = {{}}} end},
  {table = "swarmlab.vrp{...}.vehicles[1]", key = "cuont", near = "count",
   class = "swarmlab.VrpVehicle",
   call = function() sl.vrp{sites = {{0, 0}, {1, 1}}, jobs = {{site = 2}}, vehicles = {{cuont = 1}}} end},
  -- with an instance file only 'objective' may follow; a misspelling of it is caught by the full
  -- table first, so this one names a valid key of the other form and lists what is allowed
  {table = "swarmlab.vrp{...} with 'instance'", key = "name", near = "objective",
   class = "swarmlab.VrpOptions",
   message = "unknown option 'name' in swarmlab.vrp{...} with 'instance' (valid: instance, objective)",
   call = function() sl.vrp{instance = root .. "/assets/instances/small16.vrp", name = "x"} end},
  {table = "swarmlab.pso{...}.constraints", key = "methd", near = "method",
   class = "swarmlab.PsoConstraints",
   call = function() sl.pso{objective = "sphere", dim = 2, constraints = {g = f, methd = "deb"}} end},
}

-- 3. Values are read by the binding toolkit too: a value out of range or not one of the names
--    names the table and the option (one case per converted binding).
local ranges = {
  {call = function() sl.pso{objective = "sphere", dim = 2, c = 0} end,
   want = "swarmlab.pso{...}: option 'c' must be in (0, inf) (got 0)"},
  {call = function(w) sl.boids.attach(w:population{name = "zz_birds_r"}, {radius = 0}) end,
   want = "swarmlab.boids.attach(pop, {...}): option 'radius' must be in (0, inf) (got 0)"},
  {call = function() sl.consensus{n = 4, link_fail = 1} end,
   want = "swarmlab.consensus{...}: option 'link_fail' must be in [0, 1) (got 1)"},
  {call = function() sl.consensus{n = 4, graph = "rign"} end,
   want = "swarmlab.consensus{...}: option 'graph' must be one of 'ring', 'path', 'star', 'complete', 'grid', 'rgg' (got 'rign'; did you mean 'ring'?)"},
  {call = function() sl.fedavg{dropout = 1} end,
   want = "swarmlab.fedavg{...}: option 'dropout' must be in [0, 1) (got 1)"},
  {call = function() sl.dgd{mode = "asnyc"} end,
   want = "swarmlab.dgd{...}: option 'mode' must be one of 'sync', 'async' (got 'asnyc'; did you mean 'async'?)"},
  {call = function(w) w:field{name = "zz_r", nx = 0, ny = 2} end,
   want = "world:field{...}: option 'nx' must be an integer in [1, 1000000000] (got 0)"},
  {call = function() sl.vrp{sites = {{0, 0}, {1, 1}}, jobs = {{site = 2, service = -1}}, vehicles = {{}}} end,
   want = "swarmlab.vrp{...}.jobs[1]: option 'service' must be in [0, 1000000000000] (got -1)"},
  {call = function() sl.vrp{sites = {{0, 0}, {1, 1}}, jobs = {{site = 2}}, vehicles = {{}}}:solve{rho = 0} end,
   want = "vrp:solve{...}: option 'rho' must be in (0, 1] (got 0)"},
  {call = function() sl.vrp{sites = {{0, 0}, {1, 1}}, jobs = {{site = 2}}, vehicles = {{}}}:solve{chains = 0} end,
   want = "vrp:solve{...}: option 'chains' must be an integer in [1, 64] (got 0)"},
}

-- ---- the annotation file ----

local annotated, classes = {}, {}
do
  local fh = assert(io.open(root .. "/assets/lua/swarmlab.lua"))
  local pending, vars, class = nil, {}, nil
  for line in fh:lines() do
    local mt = line:match("^%-%- metatable: ([%w_%.]+)")
    if mt then pending = mt end
    local var = line:match("^local (%w+) = {}")
    if var and pending then vars[var] = pending; pending = nil end
    local fn = line:match("^function ([%w_%.]+)%(")
    if fn then annotated[fn] = true end
    local v, m = line:match("^function (%w+):([%w_]+)%(")
    if v and vars[v] then annotated[vars[v] .. ":" .. m] = true end
    local c = line:match("^%-%-%-@class ([%w_%.]+)")
    if c then class = c; classes[c] = classes[c] or {}
    elseif class and line:match("^%-%-%-@field") then
      classes[class][line:match("^%-%-%-@field ([%w_]+)")] = true
    elseif not line:match("^%-%-%-") then class = nil end
  end
  fh:close()
end

-- ---- checks ----

local function check_case(name, c, world)
  local ok, msg = pcall(c.call, world)
  local want = c.message or
    string.format("unknown option '%s' in %s; did you mean '%s'?", c.key, c.table, c.near)
  if ok then fail("%s: a misspelt key '%s' was accepted", name, c.key)
  elseif not tostring(msg):find(want, 1, true) then
    fail("%s: expected \"%s\", got \"%s\"", name, want, tostring(msg))
  end
  if not classes[c.class] then fail("%s: no annotation class %s", name, c.class)
  elseif not classes[c.class][c.near] then
    fail("%s: annotation class %s has no field '%s'", name, c.class, c.near)
  end
end

-- ---- every option table of the sources was reached by a misspelt key ----
-- The toolkit records the C call site (file:line) of each option table in which it met an unknown
-- key (registry table swarmlab.option_sites). Every call of sl_lua_opts_open, _open_opt, _sub and
-- _elem in engine/ and agents/ must have been reached by one of the cases above.

local function relpath(p) return p:match("(engine/.+)$") or p:match("(agents/.+)$") or p end

function check_sites()
  local hits = {}
  for k in pairs(debug.getregistry()["swarmlab.option_sites"] or {}) do
    local file, line = k:match("^(.*):(%d+)$")
    if file then
      local f = relpath(file)
      hits[f] = hits[f] or {}
      hits[f][tonumber(line)] = true
    end
  end
  local grep = io.popen("cd '" .. root .. "' && grep -rn -E " ..
    "'sl_lua_opts_(open|open_opt|sub|elem)[(]' --include=*.c engine agents")
  local nsites = 0
  for hit in grep:lines() do
    local file, line = hit:match("^([^:]+):(%d+):")
    line = tonumber(line)
    if file and file ~= "engine/lua/bind.c" and not file:find("/tests/")
        and not hit:find("#define", 1, true) then
      -- the call may span lines: it ends at the first line with ';' or '{'
      local last, n = line, 0
      for text in io.lines(root .. "/" .. file) do
        n = n + 1
        if n >= line and (text:find("[;{]") or n >= line + 6) then last = n; break end
      end
      local covered = false
      for l = line, last do covered = covered or (hits[file] and hits[file][l]) end
      if not covered then
        fail("%s:%d: an option table that no misspelt-key case reaches (tests/lua_bindings.lua)",
             file, line)
      end
      nsites = nsites + 1
    end
  end
  grep:close()
  if nsites < 20 then fail("only %d option-table call sites found in the sources", nsites) end
end

-- ---- every luaL_Reg entry of the sources is annotated ----
-- Some bindings exist only in some hosts (the viewer's draw object): the sources are read too.
-- Each `luaL_Reg NAME[] = {...}` array is matched to what it fills: the class of an
-- sl_lua_class / make_type call, or of the luaL_newmetatable before a luaL_newlib whose table
-- becomes __index; the table swarmlab.X when luaL_newlib is followed by lua_setfield(L, -2, "X");
-- else the swarmlab table itself.

function check_regs()
  local global = {}   -- class names defined in headers
  local hdr = io.popen("cd '" .. root .. "' && grep -rh '#define.*\"swarmlab' --include=*.h engine agents")
  for line in hdr:lines() do
    local m, v = line:match('#define%s+([%w_]+)%s+"(swarmlab[%w_%.]*)"')
    if m then global[m] = v end
  end
  hdr:close()
  local list = io.popen("cd '" .. root .. "' && grep -rl 'luaL_Reg' --include=*.c engine agents")
  local nregs = 0
  for file in list:lines() do
    if file ~= "engine/lua/bind.c" and not file:find("/tests/") then
      local fh = assert(io.open(root .. "/" .. file))
      local text = fh:read("a")
      fh:close()
      local macro = setmetatable({}, {__index = global})
      for m, v in text:gmatch('#define%s+([%w_]+)%s+"(swarmlab[%w_%.]*)"') do macro[m] = v end
      local function resolve(arg)
        return arg:match('^"(.*)"$') or macro[arg]
      end
      for ident, body in text:gmatch("luaL_Reg%s+([%w_]+)%[%]%s*=%s*(%b{})") do
        local owner, method
        local a = text:match("sl_lua_class%(%s*L%s*,%s*([%w_\"%.]+)%s*,%s*" .. ident .. "%s*,")
               or text:match("make_type%(%s*L%s*,%s*([%w_\"%.]+)%s*,%s*" .. ident .. "%s*,")
        if a then owner, method = resolve(a), true
        else
          local at = text:find("luaL_newlib%(%s*L%s*,%s*" .. ident .. "%s*%)")
          if at then
            local after = text:sub(at):match("^luaL_newlib%b();%s*lua_setfield%(%s*L%s*,%s*%-2%s*,%s*\"([%w_]+)\"%)")
            if after == "__index" then
              local before = text:sub(1, at)
              local mt
              for x in before:gmatch("luaL_newmetatable%(%s*L%s*,%s*([%w_\"%.]+)%s*%)") do mt = x end
              owner, method = mt and resolve(mt), true
            elseif after then owner, method = "swarmlab." .. after, false
            else owner, method = "swarmlab", false end
          end
        end
        if not owner then
          fail("%s: cannot tell which class or table luaL_Reg %s fills (tests/lua_bindings.lua)",
               file, ident)
        else
          for name in body:gmatch('{%s*"([%w_]+)"%s*,') do
            local b = owner .. (method and ":" or ".") .. name
            nregs = nregs + 1
            if not annotated[b] then
              fail("%s: %s (luaL_Reg %s) has no annotation in assets/lua/swarmlab.lua", file, b,
                   ident)
            end
          end
        end
      end
    end
  end
  list:close()
  if nregs < 50 then fail("only %d luaL_Reg entries found in the sources", nregs) end
end

function setup(world)
  local n = 0
  for _, b in ipairs(bindings) do
    local c = cases[b]
    if c then check_case(b, c, world); n = n + 1
    elseif not no_options[b] then
      fail("%s: no misspelt-key case and not listed as taking no options (tests/lua_bindings.lua)", b)
    end
    if not annotated[b] then fail("%s: no annotation in assets/lua/swarmlab.lua", b) end
  end
  for b in pairs(cases) do
    local found = false
    for _, x in ipairs(bindings) do found = found or x == b end
    if not found then fail("%s: listed in cases but the host has no such binding", b) end
  end
  for i, c in ipairs(nested) do check_case("nested " .. i, c, world) end
  check_sites()
  check_regs()
  for i, c in ipairs(ranges) do
    local ok, msg = pcall(c.call, world)
    if ok then fail("range %d: accepted", i)
    elseif not tostring(msg):find(c.want, 1, true) then
      fail("range %d: expected \"%s\", got \"%s\"", i, c.want, tostring(msg))
    end
  end
  for _, m in ipairs(failures) do sl.log("FAIL " .. m) end
  if #failures > 0 then error(#failures .. " binding checks failed (listed above)") end
  sl.result("bindings", #bindings)
  sl.result("option_cases", n + #nested)
  sl.log(string.format("%d bindings, %d option tables checked", #bindings, n + #nested))
end
