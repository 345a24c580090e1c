/* sc_view.h - the supply chain's layer in the viewer (sc_view.c). */
#ifndef SL_SC_VIEW_H
#define SL_SC_VIEW_H

#include "swarmlab/supply_chain.h"

/* Registers the layer "supply chain <name>" on the world: sites drawn by kind with labels,
 * stores coloured by stock (amber to green) or backlog (red), each vehicle's remaining route in
 * its own colour and the vehicle where it is. The layer draws the supply chain's populations
 * itself, so the viewer does not draw them as plain points. The layer's state is attached to
 * the world (freed with it); the supply chain must live as long as the world. Costs nothing when
 * no viewer runs. Errors: out of memory, too many layers. */
sl_status slp_sc_view_add(sl_world *w, sl_sc *sc, sl_error *e);

#endif
