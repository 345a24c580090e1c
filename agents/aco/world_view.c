/* world_view.c - colonies owned by a world, for viewers and other modules. */
#include "aco_view.h"

#include <stdlib.h>

static void list_free(void *p)
{
    aco_world_list *l = p;
    for (int i = 0; i < l->n; i++) {
        sl_aco_destroy(l->items[i].colony);
        sl_instance_free(l->items[i].instance);
    }
    free(l->items);
    free(l);
}

sl_status aco_world_adopt(sl_world *w, sl_aco_colony *c, sl_instance *in, sl_error *e)
{
    aco_world_list *l = sl_world_attached(w, SL_ACO_WORLD_KEY);
    if (!l) {
        l = calloc(1, sizeof *l);
        if (!l) return sl_error_set(e, SL_ERR_NOMEM, "out of memory");
        sl_status st = sl_world_attach(w, SL_ACO_WORLD_KEY, l, list_free, e);
        if (st != SL_OK) { free(l); return st; }
    }
    if (l->n == l->cap) {
        int nc = l->cap ? 2 * l->cap : 4;
        aco_owned *ni = realloc(l->items, (size_t)nc * sizeof *ni);
        if (!ni) return sl_error_set(e, SL_ERR_NOMEM, "out of memory");
        l->items = ni;
        l->cap = nc;
    }
    l->items[l->n].colony = c;
    l->items[l->n].instance = in;
    l->n++;
    l->current = c;
    return SL_OK;
}

sl_aco_colony *sl_aco_world_colony(const sl_world *w)
{
    const aco_world_list *l = sl_world_attached(w, SL_ACO_WORLD_KEY);
    return l ? l->current : NULL;
}
