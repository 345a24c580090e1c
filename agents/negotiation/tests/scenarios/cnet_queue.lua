-- cnet_queue.lua - swarmlab.contract_net from Lua: bids with aux, an award rule, and a queue of
-- tasks nobody could take yet (retry). Fails (error) when the binding breaks one of them.
local sl = swarmlab
sl.steps(60)

local cn, bidders
local tasks = 12
local busy_until = 20          -- bidders refuse everything before this step
local placed = {}              -- item -> times done
local winners = {}             -- item -> slot of the winner

function setup(world)
  bidders = world:population{name = "bidders", columns = {x = "f64"}}
  bidders:spawn(3)
  local mgr = world:population{name = "manager", columns = {x = "f64"}}
  mgr:spawn(1)
  cn = sl.contract_net{
    retry = 3,
    bid = function(conv, b)
      if world:step_count() < busy_until then return nil end
      return 10 - b.slot, b.slot * 100      -- the cheapest is slot 3, the largest aux slot 3 too
    end,
    choose = function(conv, proposals)
      -- the proposal with the smallest aux: slot 1, although its cost is the highest
      local k, best = nil, math.huge
      for i, p in ipairs(proposals) do
        assert(p.cost == 10 - p.bidder.slot and p.aux == p.bidder.slot * 100, "proposal fields")
        if p.aux < best then k, best = i, p.aux end
      end
      return k
    end,
    on_close = function(conv)
      if conv.state == "done" then
        placed[conv.item] = (placed[conv.item] or 0) + 1
        winners[conv.item] = conv.winner.slot
      else
        assert(conv.requeued, "a task that was not placed must be queued again")
      end
    end,
  }
  for i = 1, tasks do
    cn:announce{manager = {pop = mgr, slot = 1}, bidders = bidders, item = i}
  end
end

function finish(world)
  cn:finish()
  local k = cn:counts()
  assert(k.reannounced > 0, "no task was announced again")
  assert(k.queued == 0 and k.open == 0, "tasks left over: " .. k.queued .. " queued")
  for i = 1, tasks do
    assert(placed[i] == 1, "task " .. i .. " placed " .. tostring(placed[i]) .. " times")
    assert(winners[i] == 1, "award rule ignored for task " .. i)
  end
  local last = cn:conv(k.done + k.no_bids)
  assert(last.attempt > 1 and last.origin < last.id, "attempt/origin not reported")
  sl.result("reannounced", k.reannounced)
end
