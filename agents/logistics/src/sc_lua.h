/* sc_lua.h - the parts of the supply chain's Lua binding shared by its files (not public). */
#ifndef SL_SC_LUA_H
#define SL_SC_LUA_H

#include <lua.h>
#include "swarmlab/lua_bind.h"
#include "swarmlab/supply_chain.h"

/* The fleet's Lua part (sc_fleet_lua.c): the bid function and the trace file name. */
typedef struct slp_sc_lua_fleet slp_sc_lua_fleet;
/* Reads o.fleets into d (no fleets: d->nvehicles = 0); raises Lua errors. Returns what must
 * live as long as the supply chain (freed by slp_sc_lua_fleet_free; NULL when nothing). */
slp_sc_lua_fleet *slp_sc_lua_fleets(const sl_lua_opts *o, sl_sc_def *d);
/* After sl_sc_create: opens the trace file if one was asked for. */
sl_status slp_sc_lua_fleet_start(slp_sc_lua_fleet *f, lua_State *L, sl_sc *sc, sl_error *e);
void slp_sc_lua_fleet_free(slp_sc_lua_fleet *f);
/* sc:routes() and sc:vehicles(): push their tables (see docs/logistics.md). */
int slp_sc_lua_routes(lua_State *L, const sl_sc *sc);
int slp_sc_lua_vehicles(lua_State *L, const sl_sc *sc);
/* sc:write_routes(name): routes.csv in the output directory (sl_sc_write_routes). */
int slp_sc_lua_write_routes(lua_State *L, const sl_sc *sc);
/* Registers swarmlab.supply_chain and its methods in the table on top of the stack. */
void slp_sc_lua_open(lua_State *L);

#endif
