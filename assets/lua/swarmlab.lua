---@meta
-- Type annotations of the swarmlab scenario API for the Lua language server (LuaLS).
-- Not loaded at run time: the host provides these in C. Reference: docs/lua-api.md.

---@class swarmlab.ParamOptions
---@field min? number lowest allowed value (number parameters)
---@field max? number highest allowed value (number parameters)
---@field integer? boolean the value must be an integer
---@field choices? (string|number|boolean)[] the allowed values
---@field tunable? boolean hint for interactive front ends (sliders)

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

---@class swarmlab.Record
local Record = {}
---@param value number
function Record:set(value) end
---@return number latest sampled value (NaN before the first sample)
function Record:last() end
---@return string
function Record:name() end

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
---@return integer nx, integer ny, number cell
function Field:size() end

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
---@return number x, number y
function Graph:position(u, x, y) end
---@param src integer
---@return number[] dist math.huge when unreachable
function Graph:shortest_paths(src) end

---@class swarmlab.Plane
local Plane = {}
---@return number width, number height
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
---@param spec {name: string, nodes: integer}
---@return swarmlab.Graph
function World:graph(spec) end
---@param spec? {width: number, height: number, toroidal?: boolean}
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
---@param options? {metric?: "time"|"distance"}
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
---@param options? {seed?: integer}
---@return {lon: number, lat: number}[] points uniform along the roads
function Roads:sample(n, options) end
---@param options swarmlab.RoadsShowOptions
function Roads:show(options) end
---The network as a graph of the world: node positions in the planar frame, weights in seconds
---(metric "time", the default) or metres.
---@param world swarmlab.World
---@param options? {name?: string, metric?: "time"|"distance"}
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
