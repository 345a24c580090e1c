/* vrp_view.h - (private) the link between a world and the VRP model a viewer draws.
 *
 * A reference-counted record: the world holds one reference (attached under SL_VRP_WORLD_KEY,
 * with a viewer layer registered through sl_view_add_layer) and every Lua model handle holds one.
 * The record points at the newest model handle; the pointer is cleared when that handle is
 * collected. Either side may go first. */
#ifndef SWARMLAB_VRP_VIEW_H
#define SWARMLAB_VRP_VIEW_H

#include "swarmlab/vrp.h"
#include "swarmlab/world.h"

#define SL_VRP_WORLD_KEY "vrp"

typedef struct slp_vrp_view {
    int refs;
    const void *current;   /* a Lua model handle (vrp_lua.c) */
} slp_vrp_view;

slp_vrp_view *slp_vrp_view_acquire(sl_world *w, const void *handle, sl_error *e);
void slp_vrp_view_release(slp_vrp_view *v, const void *handle);

/* The model and its last plan (NULL when not solved) of a handle; in vrp_lua.c. */
const sl_vrp *slp_vrp_view_model(const void *handle, const sl_vrp_sol **plan);

#endif
