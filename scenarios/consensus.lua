-- consensus.lua - average consensus: every node of a graph repeats x_i <- sum_j W_ij x_j with
-- its neighbours' values, which travel as messages on the world's bus (one round per step).
--
--   swarmlab run scenarios/consensus.lua --set graph=ring --set n=10 --set tol=1e-6 --out results/cons
--   swarmlab run scenarios/consensus.lua --set graph=rgg --set n=200 --set radius=0.15 --out DIR
--   swarmlab run scenarios/consensus.lua --set graph=grid --set n=64 --set weights=laplacian --out DIR
--   swarmlab run scenarios/consensus.lua --set graph=ring --set n=32 --set switching=split --out DIR
--   swarmlab run scenarios/consensus.lua --set graph=ring --set n=20 --set link_fail=0.2 --out DIR
--   swarmlab run scenarios/consensus.lua --set graph=ring --set n=20 --set msg_loss=0.1 --out DIR
--
-- Node i starts at x_i = i (i = 0..n-1; init=random: uniform in [0, 1) from the seed; init=spike:
-- x_0 = n, the others 0). Step 0 sends the initial values; round k happens in
-- step k. The run stops after the first round with max_i |x_i - mean| <= tol * max_i |x_i(0) - mean|
-- (mean: the average of the node's connected component). The manifest gets:
--   iterations            rounds used (converged = 1) or done (converged = 0)
--   empirical_rate        (e_K / e_{K/2})^(1/(K - K/2)), e = 2-norm of the deviation from the mean
--   theoretical_rate      second-largest eigenvalue modulus of W (Jacobi), or the mean-square rate
--                         under link failures, or the per-round norm of a switching cycle;
--                         with msg_loss > 0 still the lossless value (rate_kind says which)
--   predicted_iterations  ceil(log(tol) / log(theoretical_rate))
--   mean_error            |final mean - initial mean| (0 up to rounding unless messages are lost)
--   messages, bytes, lost totals of the bus traffic; messages_per_round
-- metrics.csv has iteration, disagreement, rel_disagreement, mean, error2, messages, delivered,
-- lost and bytes for every step.
local sl = swarmlab

local graph     = sl.param("graph", "ring", "communication graph",
                           {choices = {"ring", "path", "star", "complete", "grid", "rgg"}})
local n         = sl.param("n", 10, "number of nodes", {integer = true})
local tol       = sl.param("tol", 1e-6, "relative disagreement at which to stop")
local weights   = sl.param("weights", "metropolis", "weight matrix",
                           {choices = {"metropolis", "laplacian"}})
local eps       = sl.param("eps", 0, "Laplacian step size (0: 1 / (max degree + 1))")
local radius    = sl.param("radius", 0.3, "rgg: link radius in the unit square")
local rows      = sl.param("rows", 0, "grid: rows (0: largest divisor of n <= sqrt(n))", {integer = true})
local link_fail = sl.param("link_fail", 0, "probability that a link is down in a round")
local msg_loss  = sl.param("msg_loss", 0, "probability that a message is lost")
local switching = sl.param("switching", "none", "switching topologies",
                           {choices = {"none", "split", "rgg"}})
local topos     = sl.param("topologies", 2, "switching: topologies in the cycle", {integer = true})
local period    = sl.param("period", 1, "switching: rounds per topology", {integer = true})
local init      = sl.param("init", "index", "initial values", {choices = {"index", "random", "spike"}})
local max_iter  = sl.param("max_iter", 100000, "round limit", {min = 1, integer = true})
sl.steps(max_iter + 1)

local cons

function setup(world)
  cons = sl.consensus{
    graph = graph, n = n, tol = tol, weights = weights, eps = eps, radius = radius, rows = rows,
    link_fail = link_fail, msg_loss = msg_loss, switching = switching, topologies = topos,
    period = period, init = init, seed = sl.seed(),
  }
end

function step(world, t)
  return not cons:done()
end

function finish(world)
  local k = cons:iterations()
  sl.result("iterations", k)
  sl.result("converged", cons:done() and 1 or 0)
  sl.result("components", cons:components())
  sl.result("final_disagreement", cons:disagreement())
  sl.result("mean_error", math.abs(cons:mean() - cons:initial_mean()))
  local emp = cons:empirical_rate()
  if emp == emp then sl.result("empirical_rate", emp) end
  local theory = cons:theory_rate()
  local rate, kind = theory.rate, theory.kind
  if rate then
    sl.result("theoretical_rate", rate)
    -- lost messages make W_t random and only row stochastic: the bound is the lossless one
    sl.result("rate_kind", msg_loss > 0 and kind .. " (lossless)" or kind)
    if rate > 0 and rate < 1 then
      sl.result("predicted_iterations", math.ceil(math.log(tol) / math.log(rate)))
    end
  else
    sl.log("no theoretical rate: " .. theory.reason)
  end
  local tr = cons:traffic()
  sl.result("messages", tr.messages)
  sl.result("bytes", tr.bytes)
  sl.result("lost", tr.lost)
  if k > 0 then sl.result("messages_per_round", tr.delivered / k + tr.lost / k) end
  local function fmt(v) return v and v == v and string.format("%.6g", v) or "-" end
  sl.log(string.format("%s n=%d: %d iterations (predicted %s), empirical rate %s, theoretical %s",
    graph, n, k, (rate and rate > 0 and rate < 1) and
      string.format("%d", math.ceil(math.log(tol) / math.log(rate))) or "-", fmt(emp), fmt(rate)))
end
