-- cnet_bad_choose.lua - an award rule returning a position outside the proposals must stop the
-- run with a one-line error naming the function's line.
local sl = swarmlab
sl.steps(5)
function setup(world)
  local p = world:population{name = "b", columns = {x = "f64"}}
  p:spawn(2)
  local cn = sl.contract_net{bid = function() return 1, 2 end,
                             choose = function(conv, proposals) return #proposals + 1 end}
  cn:announce{manager = {pop = p, slot = 1}, bidders = p}
end
