---@meta
-- Type annotations of the swarmlab scenario API for the Lua language server (LuaLS).
-- Not loaded at run time: the host provides these in C. Reference: docs/lua-api.md.

---@class swarmlab.ParamOptions
---@field min? number lowest allowed value (number parameters)
---@field max? number highest allowed value (number parameters)
---@field integer? boolean the value must be an integer
---@field choices? (string|number|boolean)[] the allowed values
---@field tunable? boolean hint for interactive front ends (sliders)

-- metatable: swarmlab.rng
---@class swarmlab.Rng
local Rng = {}
---@return number u uniform in [0, 1)
function Rng:uniform() end
---@param lo number
---@param hi number
---@return number
function Rng:range(lo, hi) end
---@param n integer
---@return integer k uniform in 1..n
function Rng:int(n) end
---@param mean? number default 0
---@param sd? number default 1
---@return number
function Rng:normal(mean, sd) end
---@param rate number
---@return number
function Rng:exponential(rate) end
---@param lambda number
---@return integer
function Rng:poisson(lambda) end

---@alias swarmlab.ColumnType "f64"|"f32"|"i64"|"i32"|"u8"
---@alias swarmlab.Reduce "sum"|"mean"|"min"|"max"|"count"|"value"

-- metatable: swarmlab.pop
---@class swarmlab.Pop
local Pop = {}
---@return integer
function Pop:count() end
---@return string
function Pop:name() end
---@param column string
---@param slot integer 1-based
---@return number
function Pop:get(column, slot) end
---@param column string
---@param slot integer 1-based
---@param value number
function Pop:set(column, slot, value) end
---@param n? integer default 1
---@return integer first the first new slot
function Pop:spawn(n) end
---@param slot integer marked now, removed when the callback returns or at commit()
function Pop:kill(slot) end
---@return integer change in count
function Pop:commit() end
---@param slot integer
---@return integer id stable handle
function Pop:id(slot) end
---@param id integer
---@return integer|nil slot nil when the agent is dead
function Pop:slot(id) end
---@return string[]
function Pop:columns() end
---@param name string
---@return boolean
function Pop:has_column(name) end
---@param name string
---@param type? swarmlab.ColumnType default "f64"
function Pop:add_column(name, type) end
---@param column string
---@param how? "sum"|"mean"|"min"|"max"|"count" default "sum"
---@return number
function Pop:reduce(column, how) end

-- metatable: swarmlab.record
---@class swarmlab.Record
local Record = {}
---@param value number
function Record:set(value) end
---@return number latest sampled value (NaN before the first sample)
function Record:last() end
---@return string
function Record:name() end

-- metatable: swarmlab.field
---@class swarmlab.Field
local Field = {}
---@return number
function Field:at(x, y) end
---@param x number
---@param y number
---@param amount number
function Field:deposit(x, y, amount) end
---@param ix integer 1-based
---@param iy integer 1-based
---@return number
function Field:get(ix, iy) end
---@param ix integer
---@param iy integer
---@param value number
function Field:set(ix, iy, value) end
---@param value number
function Field:fill(value) end
---@param rho number in [0, 1]
function Field:evaporate(rho) end
---@param rate number in [0, 1]
function Field:diffuse(rate) end
---@return number
function Field:sum() end
---@return number
function Field:max() end
---@return {nx: integer, ny: integer, cell: number}
function Field:size() end

-- metatable: swarmlab.graph
---@class swarmlab.Graph
local Graph = {}
---@param u integer 1-based
---@param v integer 1-based
---@param w? number default 1
---@param undirected? boolean default true
function Graph:add_edge(u, v, w, undirected) end
---@return number|nil
function Graph:weight(u, v) end
---@return integer
function Graph:degree(u) end
---@return integer[]
function Graph:neighbours(u) end
---@return integer
function Graph:nodes() end
---@return integer directed edges
function Graph:edges() end
---@param u integer
---@param x? number
---@param y? number
---@return {x: number, y: number}|nil position when called with u only
function Graph:position(u, x, y) end
---@param src integer
---@return number[] dist math.huge when unreachable
function Graph:shortest_paths(src) end

-- metatable: swarmlab.plane
---@class swarmlab.Plane
local Plane = {}
---@return {width: number, height: number}
function Plane:size() end
---@return boolean
function Plane:toroidal() end

---@class swarmlab.PopulationSpec
---@field name string
---@field n? integer agents to create (default 0)
---@field columns? table<string, swarmlab.ColumnType>|string[]

---@class swarmlab.RecordSpec
---@field name string
---@field reduce swarmlab.Reduce
---@field pop? swarmlab.Pop|string
---@field column? string

---@class swarmlab.FieldSpec
---@field name string
---@field nx integer
---@field ny integer
---@field cell? number default 1
---@field toroidal? boolean default false

---@class swarmlab.GraphSpec
---@field name string
---@field nodes integer

---@class swarmlab.PlaneSpec
---@field width number
---@field height number
---@field toroidal? boolean default false

-- metatable: swarmlab.world
---@class swarmlab.World
local World = {}
---@param spec swarmlab.PopulationSpec
---@return swarmlab.Pop
function World:population(spec) end
---@param name string
---@return swarmlab.Pop|nil
function World:pop(name) end
---@param spec swarmlab.RecordSpec
---@return swarmlab.Record
function World:record(spec) end
---@param n integer
function World:record_every(n) end
---@param spec swarmlab.FieldSpec
---@return swarmlab.Field
function World:field(spec) end
---@param spec swarmlab.GraphSpec
---@return swarmlab.Graph
function World:graph(spec) end
---@param spec? swarmlab.PlaneSpec
---@return swarmlab.Plane|nil
function World:plane(spec) end
---@return integer steps completed
function World:step_count() end
---@return integer
function World:seed() end
---@return integer
function World:threads() end
---@param dt? number
---@return number
function World:dt(dt) end
---@return string hex digest of populations and fields
function World:hash() end

---@class swarmlab
swarmlab = {}

---@type string
swarmlab.version = ""

---Declares a parameter; returns its value (default, INI [params] or --set).
---@generic T: number|string|boolean
---@param name string
---@param default T
---@param doc? string
---@param options? swarmlab.ParamOptions
---@return T
function swarmlab.param(name, default, doc, options) end

---Sets the default step count (when given) and returns the run's step count.
---@param n? integer
---@return integer|nil
function swarmlab.steps(n) end

---@return integer
function swarmlab.seed() end

---@return integer
function swarmlab.threads() end

---Ends the run after the current step.
function swarmlab.stop() end

---@return swarmlab.World
function swarmlab.world() end

---Stores a value written at the top level of manifest.json.
---@param key string
---@param value number|string|boolean
function swarmlab.result(key, value) end

---Path of a file inside the run's output directory.
---@param name string relative, without '..'
---@return string
function swarmlab.output(name) end

---Resolves a data file (working directory, then the scenario's folder).
---@param path string
---@return string|nil path
---@return string|nil message
function swarmlab.input(path) end

---Sets a value metric for the current step.
---@param name string
---@param value number
function swarmlab.record(name, value) end

---One line on stderr (nothing with --quiet).
---@param ... any
function swarmlab.log(...) end

---Counter-based random numbers keyed by (seed, stream, id, step).
---@param stream integer
---@param id integer
---@param step? integer default: the world's step count
---@return swarmlab.Rng
function swarmlab.rng(stream, id, step) end

---@class swarmlab.BoidsParams
---@field width? number
---@field height? number
---@field radius? number
---@field speed? number
---@field cohere? number
---@field separation? number
---@field separate? number
---@field match? number

swarmlab.boids = {}
---@param pop swarmlab.Pop
---@param params? swarmlab.BoidsParams
function swarmlab.boids.attach(pop, params) end
---@param pop swarmlab.Pop
---@param n integer
function swarmlab.boids.spawn(pop, n) end
---@return swarmlab.BoidsParams
function swarmlab.boids.defaults() end

---Speeds in km/h by road class (used where a way has no maxspeed tag).
---@class swarmlab.RoadSpeeds
---@field motorway? number
---@field trunk? number
---@field primary? number
---@field secondary? number
---@field tertiary? number
---@field unclassified? number
---@field residential? number
---@field living_street? number
---@field service? number

---@class swarmlab.RoadsOptions
---@field file string an .osm.pbf or .osm file (OpenStreetMap; credit "© OpenStreetMap contributors")
---@field max_snap? number farthest a point may be from every road, metres (default 1000)
---@field speeds? swarmlab.RoadSpeeds default speeds by class
---@field link_speeds? swarmlab.RoadSpeeds default speeds of the _link ramps (motorway .. tertiary)

---A point: {lon, lat} or {lon = , lat = , name = } (the name appears in errors).
---@alias swarmlab.LonLat number[]|{lon: number, lat: number, name?: string}

---@class swarmlab.RoadsInfo
---@field file string
---@field nodes integer
---@field edges integer directed edges kept
---@field nodes_dropped integer outside the largest strongly connected component
---@field edges_dropped integer
---@field components integer strongly connected components before the cut
---@field osm_nodes integer
---@field osm_ways integer
---@field drivable_ways integer
---@field km number length of road kept (each direction once)
---@field seconds number time to read and build
---@field lon_min number
---@field lat_min number
---@field lon_max number
---@field lat_max number
---@field lon0 number centre of the planar projection
---@field lat0 number
---@field max_snap number
---@field attribution string "© OpenStreetMap contributors"

---@class swarmlab.RoadSnap
---@field lon number the point on the road
---@field lat number
---@field distance number metres from the given point
---@field x number planar position, metres east of the map centre
---@field y number metres south of the map centre

---@class swarmlab.RoadPath
---@field distance number metres
---@field time number seconds
---@field lon number[]
---@field lat number[]
---@field x number[]
---@field y number[]

---@class swarmlab.RoadsMatrixOptions
---@field metric? "time"|"distance" default "time" (seconds; or metres)
---@field threads? integer default: the run's threads
---@field csv? string also write the matrix to this file of the output directory

---@class swarmlab.RoadsShowOptions
---@field sites? swarmlab.LonLat[] drawn as dots (snapped to the roads)
---@field depots? integer[] site numbers drawn as depots
---@field routes? integer[][] lists of site numbers, drawn along the roads
---@field metric? "time"|"distance" which path joins two sites (default "time")

---A drivable road network read from OpenStreetMap (owned by the world).
---@class swarmlab.RoadsRouteOptions
---@field metric? "time"|"distance"

---@class swarmlab.RoadsGraphOptions
---@field name? string the world graph's name (default "roads")
---@field metric? "time"|"distance" edge weights in seconds (default) or metres

---@class swarmlab.RoadsSampleOptions
---@field seed? integer

-- metatable: swarmlab.roads
---@class swarmlab.Roads
local Roads = {}
---@return swarmlab.RoadsInfo
function Roads:info() end
---@param lon number
---@param lat number
---@return swarmlab.RoadSnap
function Roads:snap(lon, lat) end
---@param points swarmlab.LonLat[]
---@param options? swarmlab.RoadsMatrixOptions
---@return number[][] m m[i][j] from point i to point j
function Roads:matrix(points, options) end
---@param a swarmlab.LonLat
---@param b swarmlab.LonLat
---@param options? swarmlab.RoadsRouteOptions
---@return swarmlab.RoadPath
function Roads:route(a, b, options) end
---@param lon number
---@param lat number
---@return {x: number, y: number}
function Roads:project(lon, lat) end
---@param x number
---@param y number
---@return {lon: number, lat: number}
function Roads:unproject(x, y) end
---@param n integer
---@param options? swarmlab.RoadsSampleOptions
---@return {lon: number, lat: number}[] points uniform along the roads
function Roads:sample(n, options) end
---@param options swarmlab.RoadsShowOptions
function Roads:show(options) end
---The network as a graph of the world: node positions in the planar frame, weights in seconds
---(metric "time", the default) or metres.
---@param world swarmlab.World
---@param options? swarmlab.RoadsGraphOptions
---@return swarmlab.Graph
function Roads:graph(world, options) end
---The graph node (1-based, as in Roads:graph) nearest along the road to the point.
---@param lon number
---@param lat number
---@return integer
function Roads:node(lon, lat) end

---Reads an OpenStreetMap file into a drivable road network.
---@param options swarmlab.RoadsOptions
---@return swarmlab.Roads
function swarmlab.roads(options) end

-- ---- ant colony optimisation (docs/aco.md) ----

---@class swarmlab.AcoOptions
---@field instance string TSPLIB .tsp or CVRPLIB .vrp file (required)
---@field variant? "as"|"acs"|"mmas"|"ras" default "mmas"
---@field ants? integer ants per iteration (default: the variant's)
---@field alpha? number pheromone exponent
---@field beta? number heuristic exponent
---@field rho? number evaporation
---@field q0? number ACS exploitation probability
---@field xi? number ACS local evaporation
---@field ranks? integer rank-based AS: weight of the best-so-far
---@field pbest? number MMAS lower trail limit
---@field gamma? number CVRP savings exponent
---@field nn? integer candidate list length
---@field local_search? "none"|"2opt"|"oropt"|"3opt" default "none"
---@field ls_ants? integer local search on the best k ants only (0: all)
---@field kicks? integer CVRP: perturbation rounds on the best-so-far per iteration
---@field time? number wall-clock limit in seconds
---@field cpu_time? number process CPU-time limit in seconds
---@field iterations? integer iteration limit
---@field target? integer stop at this cost
---@field threads? integer default: the world's
---@field seed? integer default: the world's seed

---@class swarmlab.AcoResult
---@field tour? integer[] TSP: 1-based nodes
---@field routes? integer[][] CVRP: customer numbers per route
---@field length? integer TSP tour length
---@field cost? integer CVRP cost
---@field iterations integer
---@field seconds number
---@field time_to_best number
---@field history table[] {iteration, seconds, best, iteration_best, branching} per iteration

-- metatable: swarmlab.aco_solver
---@class swarmlab.AcoSolver
local AcoSolver = {}
---Up to n iterations (default 1); returns done().
---@param n? integer
---@return boolean done
function AcoSolver:step(n) end
---Iterates until a stopping criterion holds.
---@return swarmlab.AcoResult
function AcoSolver:run() end
---@return boolean
function AcoSolver:done() end
---@return swarmlab.AcoResult
function AcoSolver:result() end
---@return {tour?: integer[], length?: integer, routes?: integer[][], cost?: integer}
function AcoSolver:best() end
---@return integer
function AcoSolver:iterations() end
---@param i integer
---@param j integer
---@return number
function AcoSolver:pheromone(i, j) end
---A world system: one iteration per world step.
function AcoSolver:attach() end
---Best tour (.tour) or CVRPLIB solution (.sol) in the output directory.
---@param name string
function AcoSolver:write(name) end
---@param name string
function AcoSolver:write_convergence(name) end

---Runs a colony to its stopping criterion.
---@param options swarmlab.AcoOptions
---@return swarmlab.AcoResult
function swarmlab.aco(options) end
---@param options swarmlab.AcoOptions
---@return swarmlab.AcoSolver
function swarmlab.aco_solver(options) end

-- ---- particle swarm optimisation (docs/pso.md) ----

---@class swarmlab.PsoConstraints
---@field g? fun(x: number[]): number|fun(x: number[]): number[] inequalities g(x) <= 0
---@field h? fun(x: number[]): number|fun(x: number[]): number[] equalities h(x) = 0
---@field method? "deb"|"penalty" default "deb"
---@field tol? number equality tolerance
---@field tol_start? number shrinking equality tolerance
---@field penalty? number penalty coefficient

---@class swarmlab.PsoOptions
---@field objective string|fun(x: number[]): number a test function name, "cec1".."cec10", or a function
---@field dim integer
---@field lower? number|number[]
---@field upper? number|number[]
---@field step? number|number[] quantum per coordinate
---@field integer? boolean|integer[] integer coordinates
---@field cec_dir? string CEC-2017 input_data folder
---@field optimum? number
---@field variant? "spso2011"|"inertia"|"ldw"|"constriction"
---@field topology? "default"|"adaptive"|"global"|"ring"|"von_neumann"
---@field bounds? "default"|"confine"|"clamp"|"reflect"|"random"|"damp"
---@field swarm? integer
---@field informants? integer
---@field ring_radius? integer
---@field links? "probability"|"k_draws"
---@field sphere? "radius"|"volume"
---@field async? boolean
---@field permute? boolean
---@field w? number
---@field c? number
---@field c1? number
---@field c2? number
---@field chi? number
---@field w_start? number
---@field w_end? number
---@field vmax? number
---@field fes? integer evaluation budget
---@field target? number
---@field time? number
---@field stagnation? integer
---@field stagnation_tol? number
---@field seed? integer
---@field threads? integer
---@field constraints? swarmlab.PsoConstraints|function[]
---@field convergence? string CSV written in the output directory

---@class swarmlab.PsoResult
---@field x number[]
---@field value number
---@field error number
---@field violation number
---@field feasible boolean
---@field fes integer
---@field iterations integer
---@field stop string
---@field history table[]

-- metatable: swarmlab.pso_solver
---@class swarmlab.PsoSolver
local PsoSolver = {}
---One iteration; returns done().
---@return boolean done
function PsoSolver:step() end
---@return swarmlab.PsoResult
function PsoSolver:run() end
---@return boolean
function PsoSolver:done() end
---@return swarmlab.PsoResult
function PsoSolver:result() end
---@return number[][]
function PsoSolver:positions() end
---A population mirroring the swarm, stepped by the world.
---@param world? swarmlab.World
---@param name? string default "particles"
---@return swarmlab.Pop
function PsoSolver:attach(world, name) end
---@param name string
function PsoSolver:write_convergence(name) end

---@param options swarmlab.PsoOptions
---@return swarmlab.PsoResult
function swarmlab.pso(options) end
---@param options swarmlab.PsoOptions
---@return swarmlab.PsoSolver
function swarmlab.pso_solver(options) end

-- ---- distributed AI (docs/distributed-ai.md) ----

---@class swarmlab.ConsensusOptions
---@field graph? "ring"|"path"|"star"|"complete"|"grid"|"rgg"
---@field n? integer
---@field rows? integer
---@field radius? number
---@field seed? integer
---@field weights? "metropolis"|"laplacian"|number[][]
---@field eps? number Laplacian step in [0, 1]; 0 picks 1 / (max degree + 1)
---@field tol? number
---@field link_fail? number
---@field msg_loss? number
---@field switching? "none"|"split"|"rgg"
---@field topologies? integer
---@field period? integer
---@field x0? number[]
---@field init? "index"|"random"|"spike"
---@field pop? string

-- metatable: swarmlab.consensus
---@class swarmlab.Consensus
local Consensus = {}
---@return boolean
function Consensus:done() end
---@return integer
function Consensus:iterations() end
---@return number
function Consensus:disagreement() end
---@return number
function Consensus:initial_disagreement() end
---@return number
function Consensus:mean() end
---@return number
function Consensus:initial_mean() end
---@return integer
function Consensus:components() end
---@return number
function Consensus:empirical_rate() end
---@return {rate: number|nil, kind: string|nil, reason: string|nil} rate and kind, or why there is none
function Consensus:theory_rate() end
---@param i integer
---@return number
function Consensus:value(i) end
---@return table
function Consensus:traffic() end

---@param options swarmlab.ConsensusOptions
---@return swarmlab.Consensus
function swarmlab.consensus(options) end

---@class swarmlab.FedavgOptions
---@field samples? integer
---@field features? integer
---@field test? integer
---@field clients? integer
---@field iid? boolean
---@field min_size? integer
---@field skew? number
---@field seed? integer
---@field frac? number
---@field epochs? integer
---@field batch? integer
---@field lr? number
---@field l2? number
---@field dropout? number
---@field weighting? string
---@field loss? number
---@field server? string
---@field pop? string
---@field target? number

-- metatable: swarmlab.fedavg
---@class swarmlab.Fedavg
local Fedavg = {}
---@return integer
function Fedavg:rounds() end
---@return table
function Fedavg:info() end
---@return number
function Fedavg:gd_diff() end
---@return integer[]
function Fedavg:sizes() end

---@param options swarmlab.FedavgOptions
---@return swarmlab.Fedavg
function swarmlab.fedavg(options) end

---@class swarmlab.DgdOptions
---@field samples? integer
---@field features? integer
---@field test? integer
---@field workers? integer
---@field iid? boolean
---@field min_size? integer
---@field skew? number
---@field seed? integer
---@field mode? string "sync" or "async"
---@field staleness? integer
---@field lr? number
---@field l2? number
---@field delay? integer
---@field jitter? integer
---@field slow? integer
---@field slow_delay? integer
---@field loss? number
---@field timeout? integer
---@field coordinator? string
---@field pop? string
---@field target_loss? number

-- metatable: swarmlab.dgd
---@class swarmlab.Dgd
local Dgd = {}
---@return table
function Dgd:info() end

---@param options swarmlab.DgdOptions
---@return swarmlab.Dgd
function swarmlab.dgd(options) end

-- ---- negotiation ----

---@class swarmlab.Agent
---@field pop integer
---@field id integer

---@class swarmlab.ContractNetOptions
---@field bid fun(conv: table, bidder: swarmlab.Agent): number|nil|false, number? cost (nil/false refuses) and an optional aux number (e.g. spare capacity)
---@field choose? fun(conv: table, proposals: {bidder: swarmlab.Agent, cost: number, aux: number}[]): integer|nil award rule: position of the winner in proposals, or nil for none
---@field exec? fun(conv: table, winner: swarmlab.Agent): boolean
---@field on_close? fun(conv: table)
---@field retry? integer steps after which an unplaced task is announced again (0: never)
---@field deadline? integer
---@field result_timeout? integer
---@field trace? string CSV in the output directory
---@field record? string metric prefix for bus counters
---@field loss? number
---@field delay? integer
---@field jitter? integer

---@class swarmlab.AnnounceSpec
---@field manager swarmlab.Agent
---@field bidders swarmlab.Agent[]|swarmlab.Pop
---@field item? integer
---@field data? number[]

-- metatable: swarmlab.contract_net
---@class swarmlab.ContractNet
local ContractNet = {}
---@param spec swarmlab.AnnounceSpec
---@return integer conversation id
function ContractNet:announce(spec) end
---@param id integer
---@return table
function ContractNet:conv(id) end
---@return table
function ContractNet:counts() end
function ContractNet:finish() end

---@param options swarmlab.ContractNetOptions
---@return swarmlab.ContractNet
function swarmlab.contract_net(options) end

---@class swarmlab.AuctionOptions
---@field method? "sequential"|"parallel"|"cbba"|"optimum"
---@field agents number[][] {x, y} per agent
---@field tasks number[][] {x, y} per task
---@field return_home? boolean

---@param options swarmlab.AuctionOptions
---@return table
function swarmlab.auction(options) end

-- ---- logistics (docs/logistics.md) ----

---@class swarmlab.BeerGameOptions
---@field policy fun(view: table): number the order of a stage
---@field weeks? integer
---@field forced_weeks? integer
---@field holding_cost? number
---@field backlog_cost? number
---@field demand_before? number
---@field demand_after? number
---@field step_week? integer
---@field csv? string

---@param options swarmlab.BeerGameOptions
---@return table
function swarmlab.beer_game(options) end

---A built-in replenishment policy of a site (or give `policy` a function(state) -> units).
---@class swarmlab.PolicyOptions
---@field kind? "sS"|"base_stock"|"velocity"
---@field s? number
---@field S? number
---@field factor? number
---@field cover? number
---@field alpha? number

---A store's customer demand process (or give `demand` a function(state) -> units).
---@class swarmlab.DemandOptions
---@field kind? "constant"|"poisson"|"seasonal"|"csv"
---@field mean? number
---@field amplitude? number
---@field period? number
---@field phase? number
---@field file? string
---@field column? integer

---What a Lua policy, demand or source function receives about a site (one product).
---@class swarmlab.SiteState
---@field id integer
---@field kind string
---@field product integer
---@field step integer
---@field inventory number
---@field backlog number
---@field on_order number
---@field position number
---@field demand number
---@field capacity number

---One site of a supply chain.
---@class swarmlab.SiteOptions
---@field id integer
---@field kind "supplier"|"plant"|"warehouse"|"cross_dock"|"store"
---@field x? number
---@field y? number
---@field node? integer
---@field stock? number
---@field capacity? number
---@field holding_cost? number
---@field backlog_cost? number
---@field lost_cost? number
---@field lost_sales? boolean
---@field source? integer|"nearest"|fun(state: swarmlab.SiteState): integer
---@field lead? integer
---@field ship_time? integer
---@field rate? number
---@field transship? boolean
---@field policy? swarmlab.PolicyOptions|fun(state: swarmlab.SiteState): number
---@field demand? swarmlab.DemandOptions|fun(state: swarmlab.SiteState): number
---@field service_time? number store: steps a vehicle spends delivering there (default 0)
---@field window? number[] store: {open, close}, times of day (steps, 0..steps_per_day) between which deliveries start; early vehicles wait

---Many stores at once (ids first_id, first_id + 1, ...; positions drawn from the seed and id).
---@class swarmlab.StoresOptions
---@field count integer
---@field first_id? integer
---@field width? number
---@field height? number
---@field nodes? integer[]
---@field stock? number
---@field capacity? number
---@field holding_cost? number
---@field backlog_cost? number
---@field lost_cost? number
---@field lost_sales? boolean
---@field source? integer|"nearest"|fun(state: swarmlab.SiteState): integer
---@field lead? integer
---@field ship_time? integer
---@field rate? number
---@field transship? boolean
---@field policy? swarmlab.PolicyOptions|fun(state: swarmlab.SiteState): number
---@field demand? swarmlab.DemandOptions|fun(state: swarmlab.SiteState): number
---@field service_time? number store: steps a vehicle spends delivering there (default 0)
---@field window? number[] store: {open, close}, times of day (steps, 0..steps_per_day) between which deliveries start; early vehicles wait

---A vehicle type of a fleet: `count` vehicles alike.
---@class swarmlab.VehicleTypeOptions
---@field name? string routes.csv's type (default "type<k>")
---@field count? integer vehicles of this type (default 1)
---@field capacity? number units
---@field speed? number distance per step
---@field fixed_cost? number per departure
---@field cost_per_distance? number per unit of distance driven (default 0.01)
---@field cost_per_time? number per step away from the depot
---@field shift? number[] {start, end}: times of day (steps) its vehicles work; they leave only inside it and are back by its end

---A fleet serving from one depot (one fleet per depot; its vehicles start and end there).
---@class swarmlab.FleetOptions
---@field depot integer id of a warehouse or cross-dock
---@field types? swarmlab.VehicleTypeOptions[] the vehicles by type (or the flat fields below: one type)
---@field shift? number[] {start, end} of the single type given by the flat fields
---@field vehicles? integer
---@field capacity? number
---@field speed? number
---@field float? number
---@field dispatch_wait? integer
---@field planner? "contract_net"|"central"|"vrp"|fun(open_orders: {id: integer, site: integer, product: integer, qty: number, created: integer, promised: integer, vehicle: integer?}[], vehicles: {vehicle: integer, type: string, state: "depot"|"out"|"returning", x: number, y: number, capacity: number, load: number, stops: integer}[]): table<integer, integer[]> a planner function returns order ids per vehicle number of the fleet (1..n) at the depot
---@field plan_period? integer steps between plannings (central, vrp, planner function)
---@field trigger? "periodic"|"order" also plan when an order becomes ready
---@field vrp_iterations? integer ant-colony iterations per planning (planner "vrp")
---@field deadline? integer
---@field retry_wait? integer
---@field distance_cost? number
---@field loss? number
---@field delay? integer
---@field jitter? integer
---@field bid? function
---@field trace? string

---@class swarmlab.SupplyChainOptions
---@field name? string
---@field products? integer
---@field common_random_numbers? boolean
---@field warmup? integer
---@field promise? integer
---@field roads? swarmlab.Graph
---@field sites? swarmlab.SiteOptions[]
---@field stores? swarmlab.StoresOptions
---@field fleets? swarmlab.FleetOptions[]
---@field orders? string
---@field steps_per_day? integer the clock of shifts and windows: steps in a day (default 1)

---@class swarmlab.OrdersFilter
---@field open? boolean
---@field site? integer
---@field status? "sent"|"open"|"ready"|"transit"|"delivered"

-- metatable: swarmlab.supply_chain
---@class swarmlab.SupplyChain
local SupplyChain = {}
---@return table
function SupplyChain:kpis() end
---@return table
function SupplyChain:step_kpis() end
---Units accounted for and units that entered (of one product, or of all).
---@param product? integer
---@return {held: number, entered: number}
function SupplyChain:conservation(product) end
---The state of a site for one product (default 1), with x, y, echelon, reserved, source.
---@param id integer
---@param product? integer
---@return swarmlab.SiteState
function SupplyChain:site(id, product) end
---The orders of the ledger (all, or those matching the filter), as tables.
---@param filter? swarmlab.OrdersFilter
---@return table[]
function SupplyChain:orders(filter) end
---Writes the ledger as CSV into the run's output directory.
---@param name string
function SupplyChain:write_orders(name) end
function SupplyChain:finish() end
---@return string
function SupplyChain:name() end
---@return {vehicle: integer, fleet: integer, depot: integer, state: string, route: integer, orders: integer[], next: integer[], sites: integer[]}[]
function SupplyChain:routes() end
---@return {vehicle: integer, fleet: integer, depot: integer, type: string, state: string, x: number, y: number, load: number, capacity: number, speed: number, stops: integer, next_stops: integer, trips: integer, distance: number}[]
function SupplyChain:vehicles() end
---@param name string routes.csv in the output directory: vehicle,type,depot,route,stops,load,distance,start,end
function SupplyChain:write_routes(name) end

---@param world swarmlab.World
---@param options swarmlab.SupplyChainOptions
---@return swarmlab.SupplyChain
function swarmlab.supply_chain(world, options) end

---Called once after the top level ran (optional).
---@param world swarmlab.World
function setup(world) end

---Called after the C systems of step t, t = 1 for the first step (optional).
---@param world swarmlab.World
---@param t integer
---@return boolean|nil keep_going false stops the run
function step(world, t) end

---Called once at the end (optional).
---@param world swarmlab.World
function finish(world) end

---@class swarmlab.VrpResult
---@field cost number weighted objective
---@field vehicles integer
---@field distance number
---@field duration number
---@field waiting number
---@field lateness number
---@field penalty number penalties of unserved optional jobs
---@field feasible boolean
---@field unserved integer[] job numbers
---@field routes table[] {vehicle, type, jobs, distance, duration, waiting, lateness, departure, arrival, load, cost}
---@field iterations integer
---@field seconds number
---@field time_to_best number

---A site of swarmlab.vrp: {x = , y = } or {x, y}.
---@class swarmlab.VrpSite
---@field x number
---@field y number

---The matrices of swarmlab.vrp when distances and times differ (else an n x n table).
---@class swarmlab.VrpMatrix
---@field distance number[][]
---@field time? number[][]

---A job of swarmlab.vrp (see docs/vrp.md).
---@class swarmlab.VrpJob
---@field site integer
---@field demand? number|number[]
---@field service? number
---@field window? number[] {open, close}
---@field windows? number[][]
---@field penalty? number optional job: cost when unserved
---@field kind? string
---@field pickup? integer
---@field id? integer

---A vehicle type of swarmlab.vrp (see docs/vrp.md).
---@class swarmlab.VrpVehicle
---@field count? integer
---@field capacity? number|number[]
---@field fixed? number
---@field cost_distance? number
---@field cost_time? number
---@field speed? number
---@field start? integer
---@field end? integer
---@field shift? number[]
---@field max_duration? number
---@field max_distance? number
---@field name? string

---@class swarmlab.VrpOptions
---@field instance? string a Solomon, Cordeau, Li & Lim, fleet size and mix or CVRPLIB file
---@field sites? swarmlab.VrpSite[]|number[][]
---@field matrix? number[][]|swarmlab.VrpMatrix
---@field jobs? swarmlab.VrpJob[]
---@field vehicles? swarmlab.VrpVehicle[]
---@field dimensions? integer capacity dimensions (1..3)
---@field objective? string "weighted" or "hierarchical"
---@field name? string

---@class swarmlab.VrpSolveOptions
---@field time? number wall-clock seconds
---@field cpu_time? number process CPU seconds
---@field iterations? integer
---@field seed? integer
---@field threads? integer
---@field ants? integer
---@field kicks? integer
---@field chains? integer annealing chains run in parallel (1..64); with T threads, T chains
---@field alpha? number
---@field beta? number
---@field rho? number
---@field q0? number
---@field nn? integer
---@field local_search? boolean
---@field warm? boolean|swarmlab.VrpResult
---@field target_cost? number
---@field target_vehicles? integer
---@field target_distance? number

-- metatable: swarmlab.vrp_model
---@class swarmlab.VrpModel
local VrpModel = {}
---Runs the ant colony; options: time, cpu_time, iterations, seed, threads, ants, kicks, chains, alpha,
---beta, rho, q0, nn, local_search, warm (true or a result), target_cost, target_vehicles,
---target_distance.
---@param options? swarmlab.VrpSolveOptions
---@return swarmlab.VrpResult
function VrpModel:solve(options) end
---@return swarmlab.VrpResult
function VrpModel:result() end
---Writes the last plan as a solution file in the output directory.
---@param name string
function VrpModel:write(name) end
---@param name string
function VrpModel:write_convergence(name) end
---Re-reads a solution file with the independent checker.
---@param name string
---@return {violations: integer, text: string} text: one line per violation
function VrpModel:check(name) end
---@return table info {sites, jobs, vehicles, types, format, objective, name}
function VrpModel:info() end

---A vehicle routing model: {instance = FILE} or {sites, matrix, jobs, vehicles, dimensions,
---objective, name} (see docs/vrp.md).
---@param options swarmlab.VrpOptions
---@return swarmlab.VrpModel
function swarmlab.vrp(options) end

---A colour: "#rrggbb", "#rrggbbaa", "#rgb", a name (white, black, red, green, blue, yellow,
---orange, cyan, magenta, purple, grey) or {r, g, b [, a]} with 0..255.
---@alias swarmlab.Color string|integer[]

-- metatable: swarmlab.view.draw
---The viewer's drawing object given to the scenario's global `draw(d)` (valid only during that
---call); coordinates are world coordinates, sizes in pixels.
---@class swarmlab.Draw
local Draw = {}
---@param x0 number
---@param y0 number
---@param x1 number
---@param y1 number
---@param color? swarmlab.Color default white
---@param width? number pixels in (0, 100], default 1
function Draw:line(x0, y0, x1, y1, color, width) end
---@param x number
---@param y number
---@param r number radius in world units (>= 0)
---@param color? swarmlab.Color
---@param filled? boolean
function Draw:circle(x, y, r, color, filled) end
---@param x number
---@param y number
---@param color? swarmlab.Color
---@param size? number pixels in (0, 100], default 3
function Draw:point(x, y, color, size) end
---@param x0 number
---@param y0 number
---@param x1 number
---@param y1 number
---@param color? swarmlab.Color
---@param width? number pixels in (0, 100], default 1
function Draw:rect(x0, y0, x1, y1, color, width) end
---@param x number
---@param y number
---@param text any shown with tostring
---@param color? swarmlab.Color
function Draw:text(x, y, text, color) end
---@return number pixels per world unit
function Draw:scale() end
