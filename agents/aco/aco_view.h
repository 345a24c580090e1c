/* aco_view.h - (private) the list of colonies a world owns, behind sl_aco_world_colony. */
#ifndef SWARMLAB_ACO_VIEW_H
#define SWARMLAB_ACO_VIEW_H

#include "swarmlab/aco.h"

typedef struct aco_owned {
    sl_aco_colony *colony;
    sl_instance *instance;
} aco_owned;

/* Attached to a world under SL_ACO_WORLD_KEY; freed with the world. */
typedef struct aco_world_list {
    aco_owned *items;
    int n, cap;
    sl_aco_colony *current;   /* the colony a viewer should draw */
} aco_world_list;

/* Hands colony and instance to the world (created on first use) and makes the colony current.
 * On failure nothing is transferred and e is filled. */
sl_status aco_world_adopt(sl_world *w, sl_aco_colony *c, sl_instance *in, sl_error *e);

#endif
