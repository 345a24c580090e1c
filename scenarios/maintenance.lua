-- maintenance.lua - predictive maintenance: machines watch their sensors and hand over their jobs.
--
--   swarmlab run scenarios/maintenance.lua --out results/maintenance
--   swarmlab run scenarios/maintenance.lua --set window=10 --set machines=20 --out results/m20
--
-- One step is one minute. Every machine has a vibration (mm/s) and a temperature (deg C) sensor.
-- Some machines wear: their readings drift up with wear, plus sensor noise drawn from the
-- counter-based RNG (keyed by seed, machine and minute). When BOTH readings have been above their
-- thresholds for `window` consecutive minutes (5 by default), the machine raises an alert, goes
-- down for maintenance, and re-negotiates every job in its queue with the other machines by
-- contract net over the message bus: it calls for proposals, each healthy machine bids the work
-- already waiting in its queue plus the job (or refuses when its queue is full or it is itself in
-- alert), and the job goes to the lowest bid. A job whose conversation ends without a winner is
-- announced again a minute later. Repaired machines come back with no wear.
--
-- Recorded per minute: alerts raised, machines down, jobs waiting, jobs done, negotiation
-- messages. Results: alerts, jobs re-negotiated and their outcomes, jobs done, mean queue.
local sl = swarmlab

local n_machines = sl.param("machines", 12, "number of machines", {min = 2, integer = true})
local wearing    = sl.param("wearing", 0.34, "share of machines that wear", {min = 0, max = 1})
local wear_rate  = sl.param("wear_rate", 0.004, "wear added per minute on a wearing machine", {min = 0})
local vib_limit  = sl.param("vibration_limit", 7.1, "vibration threshold (mm/s)", {min = 0})
local temp_limit = sl.param("temperature_limit", 80, "temperature threshold (deg C)")
local window     = sl.param("window", 5, "minutes both readings must stay above the thresholds",
                            {min = 1, integer = true})
local repair     = sl.param("repair", 45, "minutes a machine is down for maintenance", {min = 1, integer = true})
local arrivals   = sl.param("arrivals", 0.9, "new jobs per minute (Poisson)", {min = 0})
local job_work   = sl.param("job_work", 12, "minutes of work per job (mean)", {min = 1})
local max_queue  = sl.param("max_queue", 120, "work a machine accepts in its queue (minutes)", {min = 1})
sl.steps(600)

local machines, cn
local queue = {}        -- queue[m] = list of jobs {id, work}
local pending = {}      -- jobs waiting to be (re-)announced: {job, from}
local in_talks = {}     -- conversation id -> job
local next_job = 0
local stats = {alerts = 0, renegotiated = 0, moved = 0, unplaced = 0, jobs_done = 0,
               queue_sum = 0}

local function backlog(m)
  local w = 0
  for _, j in ipairs(queue[m]) do w = w + j.work end
  return w
end

local function new_job(rng)
  next_job = next_job + 1
  return {id = next_job, work = math.max(1, math.floor(rng:exponential(1 / job_work) + 0.5))}
end

function setup(world)
  machines = world:population{name = "machines", columns = {
    vibration = "f64", temperature = "f64", wear = "f64", wears = "u8", above = "i32",
    alert = "u8", down = "i32", queue = "f64"}}
  machines:spawn(n_machines)
  local pick = sl.rng(1, 0, 0)
  for m = 1, n_machines do
    queue[m] = {}
    machines:set("wears", m, pick:uniform() < wearing and 1 or 0)
    machines:set("wear", m, pick:uniform() * 0.5)     -- machines start at different ages
  end
  world:record{name = "alerts", reduce = "value"}
  world:record{name = "down", pop = machines, column = "alert", reduce = "sum"}
  world:record{name = "work_waiting", pop = machines, column = "queue", reduce = "sum"}
  world:record{name = "jobs_done", reduce = "value"}
  world:record{name = "max_vibration", pop = machines, column = "vibration", reduce = "max"}
  sl.record("alerts", 0)
  sl.record("jobs_done", 0)

  cn = sl.contract_net{
    deadline = 2,
    trace = "maintenance_messages.csv",
    bid = function(conv, bidder)
      local m = bidder.slot
      if machines:get("alert", m) ~= 0 then return nil end
      local load = backlog(m) + conv.data[1]
      if load > max_queue then return nil end
      return load
    end,
    exec = function(conv, winner)
      local job = in_talks[conv.id]
      if machines:get("alert", winner.slot) ~= 0 then return false end  -- broke down meanwhile
      table.insert(queue[winner.slot], job)
      return true
    end,
    on_close = function(conv)
      local job = in_talks[conv.id]
      in_talks[conv.id] = nil
      if conv.state == "done" then
        stats.moved = stats.moved + 1
      else
        stats.unplaced = stats.unplaced + 1
        table.insert(pending, {job = job, from = conv.manager.slot})
      end
    end,
  }
end

local function announce_pending()
  local still = {}
  for _, p in ipairs(pending) do
    local bidders = {}
    for m = 1, n_machines do
      if m ~= p.from and machines:get("alert", m) == 0 then
        bidders[#bidders + 1] = {pop = machines, slot = m}
      end
    end
    if #bidders == 0 then
      still[#still + 1] = p
    else
      local id = cn:announce{manager = {pop = machines, slot = p.from}, bidders = bidders,
                             item = p.job.id, data = {p.job.work}}
      in_talks[id] = p.job
    end
  end
  pending = still
end

function step(world, t)
  local alerts = 0
  -- New jobs go to the machine with the least work (a simple dispatcher).
  local arr = sl.rng(2, 0, t)
  for _ = 1, arr:poisson(arrivals) do
    local best, bw = nil, math.huge
    for m = 1, n_machines do
      if machines:get("alert", m) == 0 and backlog(m) < bw then best, bw = m, backlog(m) end
    end
    if best then table.insert(queue[best], new_job(arr)) end
  end
  for m = 1, n_machines do
    local rng = sl.rng(3, m, t)
    if machines:get("alert", m) ~= 0 then
      local left = machines:get("down", m) - 1
      machines:set("down", m, left)
      if left <= 0 then                       -- repaired
        machines:set("alert", m, 0)
        machines:set("wear", m, 0)
        machines:set("above", m, 0)
      end
    else
      -- work on the first job
      local q = queue[m]
      if #q > 0 then
        q[1].work = q[1].work - 1
        if q[1].work <= 0 then
          table.remove(q, 1)
          stats.jobs_done = stats.jobs_done + 1
        end
      end
      local wear = machines:get("wear", m) + (machines:get("wears", m) ~= 0 and wear_rate or 0)
      machines:set("wear", m, wear)
    end
    local wear = machines:get("wear", m)
    local vib = 2.0 + 7.0 * wear + rng:normal(0, 0.35)
    local temp = 55 + 35 * wear + rng:normal(0, 1.5)
    machines:set("vibration", m, vib)
    machines:set("temperature", m, temp)
    if machines:get("alert", m) == 0 then
      local above = (vib > vib_limit and temp > temp_limit) and machines:get("above", m) + 1 or 0
      machines:set("above", m, above)
      if above >= window then
        -- Alert: down for maintenance; every queued job is negotiated away.
        alerts = alerts + 1
        stats.alerts = stats.alerts + 1
        machines:set("alert", m, 1)
        machines:set("down", m, repair)
        for _, job in ipairs(queue[m]) do
          pending[#pending + 1] = {job = job, from = m}
          stats.renegotiated = stats.renegotiated + 1
        end
        queue[m] = {}
      end
    end
  end
  announce_pending()
  local waiting = 0
  for m = 1, n_machines do
    machines:set("queue", m, backlog(m))
    waiting = waiting + backlog(m)
  end
  stats.queue_sum = stats.queue_sum + waiting
  sl.record("alerts", alerts)
  sl.record("jobs_done", stats.jobs_done)
end

function finish(world)
  cn:finish()
  local c = cn:counts()
  sl.result("alerts", stats.alerts)
  sl.result("jobs_renegotiated", stats.renegotiated)
  sl.result("jobs_moved", stats.moved)
  sl.result("conversations_unplaced", stats.unplaced)
  sl.result("jobs_done", stats.jobs_done)
  sl.result("mean_work_waiting", stats.queue_sum / math.max(1, world:step_count()))
  sl.result("cn_messages", c.messages)
  sl.result("cn_anomalies", c.anomalies)
  sl.log(string.format("%d alerts, %d jobs re-negotiated (%d moved, %d conversations without a " ..
                       "winner), %d jobs done, %d contract net messages",
                       stats.alerts, stats.renegotiated, stats.moved, stats.unplaced,
                       stats.jobs_done, c.messages))
end
