/* aco_view.h - (private) the link between a world and the colony a viewer should draw.
 *
 * A small reference-counted record: the world holds one reference (attached under
 * SL_ACO_WORLD_KEY) and every Lua colony handle holds one. The handle owns its colony; the record
 * only points at the newest one, and the pointer is cleared when that colony is freed. Either
 * side may go first. */
#ifndef SWARMLAB_ACO_VIEW_H
#define SWARMLAB_ACO_VIEW_H

#include "swarmlab/aco.h"

typedef struct aco_view {
    int refs;
    sl_aco *current;
} aco_view;

/* The world's record (created and attached on first use) with one more reference for the
 * caller; NULL with e filled on failure. */
aco_view *slp_aco_view_acquire(sl_world *w, sl_error *e);
/* Drops the caller's reference; clears `current` first when it is c (c may be NULL). */
void slp_aco_view_release(aco_view *v, const sl_aco *c);

#ifdef SL_ACO_VIEW_LAYERS
/* Registers the pheromone and best-solution layers on w (aco_layers.c, viewer builds only);
 * called once per world, when its record is created. */
void slp_aco_view_add_layers(sl_world *w);
#endif

#endif
