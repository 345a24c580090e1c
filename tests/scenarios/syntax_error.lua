-- syntax_error.lua - fixture: a syntax error on line 4.
local sl = swarmlab
sl.steps(3)
local x = = 2
