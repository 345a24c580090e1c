-- dgd.lua - distributed gradient descent: a coordinator agent and K worker agents, each worker
-- holding one shard of a synthetic logistic-regression data set; models and gradients travel
-- on the bus, split into messages of 8 doubles.
--
--   swarmlab run scenarios/dgd.lua --out results/dgd-sync                          -- synchronous
--   swarmlab run scenarios/dgd.lua --set mode=async --set staleness=2 --out DIR
--   swarmlab run scenarios/dgd.lua --set slow=2 --set slow_delay=6 --set jitter=2 --out DIR
--   swarmlab run scenarios/dgd.lua --set mode=async --set slow=2 --set slow_delay=6 --set jitter=2 --out DIR
--   swarmlab run scenarios/dgd.lua --set loss=0.1 --out DIR
--
-- A worker answers a model with its shard's mean gradient after delay + U{0..jitter} steps (plus
-- slow_delay for the first `slow` workers). Synchronous: the coordinator waits for every
-- gradient of the current version (or `timeout` steps), steps w -= lr sum_k (n_k/N) g_k and
-- sends the new model. Asynchronous: each gradient is applied as it arrives with weight n_k/N;
-- a worker more than `staleness` gradients ahead of the slowest waits for its next model.
-- metrics.csv (every step): version, min_clock, train_loss, test_loss, test_accuracy,
-- mean_staleness, max_staleness, waiting, messages, bytes, lost. Manifest: the final values
-- (updates = the model version: synchronous steps or asynchronous gradients applied) and
-- steps_to_target (first step with train loss <= target_loss, -1 if never).
local sl = swarmlab

local samples  = sl.param("samples", 4000, "training samples", {min = 1, integer = true})
local features = sl.param("features", 10, "features per sample", {min = 1, max = 500, integer = true})
local test     = sl.param("test", 2000, "test samples", {min = 1, integer = true})
local workers  = sl.param("workers", 8, "number of workers K", {min = 1, integer = true})
local iid      = sl.param("iid", true, "shuffle samples before sharding")
local skew     = sl.param("skew", 0.5, "spread of shard sizes (0: equal)", {min = 0, max = 10})
local mode     = sl.param("mode", "sync", "synchronous or bounded-staleness asynchronous",
                          {choices = {"sync", "async"}})
local staleness = sl.param("staleness", 2, "async: allowed clock gap", {min = 0, integer = true})
local lr       = sl.param("lr", 0.5, "learning rate")
local delay    = sl.param("delay", 0, "compute steps per gradient", {min = 0, integer = true})
local jitter   = sl.param("jitter", 0, "extra compute steps, uniform 0..jitter", {min = 0, integer = true})
local slow     = sl.param("slow", 0, "number of straggling workers", {min = 0, integer = true})
local slow_delay = sl.param("slow_delay", 0, "extra steps of a straggler", {min = 0, integer = true})
local loss     = sl.param("loss", 0, "probability that a message is lost")
local timeout  = sl.param("timeout", 0, "steps before resending (0: automatic)", {min = 0, integer = true})
local steps    = sl.param("steps", 200, "steps to run", {min = 1, integer = true})
local target   = sl.param("target_loss", 0.4, "train loss for steps_to_target")
sl.steps(steps)

local dgd  -- every counter lives in the module, so a run resumed from a checkpoint reports the same

function setup(world)
  dgd = sl.dgd{
    samples = samples, features = features, test = test, workers = workers, iid = iid,
    skew = skew, mode = mode, staleness = staleness, lr = lr, delay = delay, jitter = jitter,
    slow = slow, slow_delay = slow_delay, loss = loss, timeout = timeout, target_loss = target,
    seed = sl.seed(),
  }
end

function finish(world)
  local info = dgd:info()
  sl.result("updates", info.version)
  for _, k in ipairs({"min_clock", "train_loss", "test_loss", "test_accuracy",
                      "mean_staleness", "max_staleness", "messages", "bytes", "lost"}) do
    sl.result(k, info[k])
  end
  sl.result("steps_to_target", info.steps_to_target)
  sl.log(string.format("%s: version %d, train loss %.5f, accuracy %.4f, %d messages",
    mode, info.version, info.train_loss, info.test_accuracy, info.messages))
end
