/* world_view.c - which colony of a world a viewer draws (see aco_view.h). */
#include "aco_view.h"

#include <stdlib.h>

void slp_aco_view_release(aco_view *v, const sl_aco *c)
{
    if (!v) return;
    if (c && v->current == c) v->current = NULL;
    if (--v->refs == 0) free(v);
}

static void world_drops(void *p)
{
    aco_view *v = p;
    v->current = NULL;
    slp_aco_view_release(v, NULL);
}

aco_view *slp_aco_view_acquire(sl_world *w, sl_error *e)
{
    aco_view *v = sl_world_attached(w, SL_ACO_WORLD_KEY);
    if (!v) {
        v = calloc(1, sizeof *v);
        if (!v) {
            sl_error_set(e, SL_ERR_NOMEM, "out of memory");
            return NULL;
        }
        v->refs = 1; /* the world's */
        if (sl_world_attach(w, SL_ACO_WORLD_KEY, v, world_drops, e) != SL_OK) {
            free(v);
            return NULL;
        }
#ifdef SL_ACO_VIEW_LAYERS
        slp_aco_view_add_layers(w);
#endif
    }
    v->refs++;
    return v;
}

sl_aco *sl_aco_world_colony(const sl_world *w)
{
    const aco_view *v = sl_world_attached(w, SL_ACO_WORLD_KEY);
    return v ? v->current : NULL;
}
