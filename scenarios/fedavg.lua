-- fedavg.lua - federated averaging: a coordinator agent and K client agents, each client holding
-- a private share of a synthetic logistic-regression data set, exchange models on the bus.
--
--   swarmlab run scenarios/fedavg.lua --out results/fedavg                        -- IID, C=0.1, E=5, B=10
--   swarmlab run scenarios/fedavg.lua --set iid=false --out DIR                   -- label-skewed clients
--   swarmlab run scenarios/fedavg.lua --set dropout=0.3 --set loss=0.1 --out DIR  -- unreliable clients
--   swarmlab run scenarios/fedavg.lua --set fedsgd=true --set rounds=100 --out DIR
--
-- Data: `samples` training and `test` test samples with `features` standard-normal features and
-- labels drawn from a logistic model; clients get unequal shares (log-normal sizes with spread
-- `skew`, at least min_size each), shuffled (iid=true) or sorted by their true logit (iid=false).
-- Round r: the coordinator picks max(1, round(frac K)) clients and sends them the model (step 2r);
-- each picked client that does not drop out trains `epochs` epochs of mini-batch gradient
-- descent (batch 0: full batch) and replies (step 2r+1); in step 2r+2 the coordinator averages
-- the replies with weights n_k / N (weighting=size) or equally (weighting=uniform).
-- fedsgd=true runs E=1, full batch, every client, no dropout or loss (whatever those parameters
-- say; the manifest's *_used results show what ran), and reports gd_diff, the largest difference
-- from centralised gradient descent on all the samples.
-- metrics.csv: round, selected, arrived, train_loss, test_loss, test_accuracy, messages, bytes
-- and lost (of the last round) every step. Manifest: final accuracy and losses, traffic totals,
-- rounds_to_target (first round with test accuracy >= target, -1 if never).
local sl = swarmlab

local samples  = sl.param("samples", 5000, "training samples", {min = 1, integer = true})
local features = sl.param("features", 10, "features per sample", {min = 1, max = 500, integer = true})
local test     = sl.param("test", 2000, "test samples", {min = 1, integer = true})
local clients  = sl.param("clients", 50, "number of clients K", {min = 1, integer = true})
local iid      = sl.param("iid", true, "shuffle samples before splitting (false: sort by logit)")
local skew     = sl.param("skew", 1.0, "spread of client sizes (0: equal)", {min = 0, max = 10})
local min_size = sl.param("min_size", 10, "smallest client", {min = 1, integer = true})
local frac     = sl.param("frac", 0.1, "fraction C of clients per round")
local epochs   = sl.param("epochs", 5, "local epochs E", {min = 1, integer = true})
local batch    = sl.param("batch", 10, "local batch size B (0: full batch)", {min = 0, integer = true})
local lr       = sl.param("lr", 0.05, "local learning rate")
local l2       = sl.param("l2", 0, "L2 penalty")
local dropout  = sl.param("dropout", 0, "probability that a picked client drops out")
local loss     = sl.param("loss", 0, "probability that a message is lost")
local weighting = sl.param("weighting", "size", "aggregation weights", {choices = {"size", "uniform"}})
local rounds   = sl.param("rounds", 50, "communication rounds", {min = 1, integer = true})
local target   = sl.param("target", 0.86, "test accuracy for rounds_to_target")
local fedsgd   = sl.param("fedsgd", false, "E=1, full batch, all clients: compare with gradient descent")
sl.steps(2 * rounds + 1)

if fedsgd then
  epochs, batch, frac, dropout, loss = 1, 0, 1.0, 0, 0
  sl.log("fedsgd: E=1, full batch, C=1, no dropout, no loss")
end

local fed  -- every counter lives in the module, so a run resumed from a checkpoint reports the same

function setup(world)
  fed = sl.fedavg{
    samples = samples, features = features, test = test, clients = clients, iid = iid,
    skew = skew, min_size = min_size, frac = frac, epochs = epochs, batch = batch, lr = lr,
    l2 = l2, dropout = dropout, loss = loss, weighting = weighting, target = target,
    seed = sl.seed(),
  }
end

function step(world, t)
  return fed:info().round < rounds
end

function finish(world)
  local info = fed:info()
  -- what actually ran (fedsgd=true replaces epochs, batch, frac, dropout and loss)
  sl.result("epochs_used", epochs)
  sl.result("batch_used", batch)
  sl.result("frac_used", frac)
  sl.result("dropout_used", dropout)
  sl.result("loss_used", loss)
  sl.result("rounds", info.round)
  sl.result("test_accuracy", info.test_accuracy)
  sl.result("test_loss", info.test_loss)
  sl.result("train_loss", info.train_loss)
  sl.result("rounds_to_target", info.rounds_to_target)
  sl.result("messages", info.total_messages)
  sl.result("bytes", info.total_bytes)
  sl.result("lost", info.total_lost)
  if info.round > 0 then sl.result("bytes_per_round", info.total_bytes / info.round) end
  local sizes = fed:sizes()
  local lo, hi = math.huge, 0
  for _, s in ipairs(sizes) do lo, hi = math.min(lo, s), math.max(hi, s) end
  sl.result("smallest_client", lo)
  sl.result("largest_client", hi)
  if fedsgd then sl.result("gd_diff", fed:gd_diff()) end
  sl.log(string.format("%d rounds: test accuracy %.4f, test loss %.4f, %d messages",
    info.round, info.test_accuracy, info.test_loss, info.total_messages))
end
