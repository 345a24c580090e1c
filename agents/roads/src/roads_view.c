/* roads_view.c - layers that draw a road network, its sites and routes, registered on the world
 * through the viewer's layer registry (view.h), so this module needs no viewer to build. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "roads_internal.h"
#include "swarmlab/view.h"

#define OVERLAY_KEY "roads.view"

typedef struct overlay {
    const sl_roads *r;
    int nsites;
    double *sx, *sy;
    int *kind;
    int nroutes;
    size_t *roff;          /* nroutes + 1 offsets into rx, ry */
    double *rx, *ry;
} overlay;

static void overlay_clear(overlay *o)
{
    free(o->sx); free(o->sy); free(o->kind); free(o->roff); free(o->rx); free(o->ry);
    o->sx = o->sy = o->rx = o->ry = NULL;
    o->kind = NULL;
    o->roff = NULL;
    o->nsites = o->nroutes = 0;
}

static void overlay_free(void *p)
{
    overlay_clear(p);
    free(p);
}

/* colour and width in pixels by class, from motorway down */
static const sl_rgba class_color[SL_ROAD_NCLASSES] = {
    0xe8925aff, 0xf0a868ff, 0xf2cf6bff, 0xe9e28cff, 0xd8dccaff,
    0xa9b3bdff, 0x97a3afff, 0x7f8b96ff, 0x66717bff,
};
static const double class_width[SL_ROAD_NCLASSES] = { 3.5, 3.2, 2.8, 2.4, 2.0, 1.4, 1.3, 1.0, 0.8 };

static void draw_roads(sl_draw *d, sl_world *w, void *user)
{
    (void)user;
    const overlay *o = sl_world_attached(w, OVERLAY_KEY);
    if (!o) return;
    const sl_roads *r = o->r;
    /* minor roads first, so major ones are drawn over them */
    for (int c = SL_ROAD_NCLASSES - 1; c >= 0; c--)
        for (size_t k = 0; k < r->g->m; k++) {
            if (r->cls[k] != c || (r->twin[k] >= 0 && (size_t)r->twin[k] < k)) continue;
            for (uint32_t q = r->goff[k]; q + 1 < r->goff[k + 1]; q++)
                d->line(d, r->gx[q], r->gy[q], r->gx[q + 1], r->gy[q + 1], class_color[c],
                        class_width[c]);
        }
}

static const sl_rgba route_colors[] = {
    0x58a6ffff, 0xff7b72ff, 0x7ee787ff, 0xd2a8ffff, 0xffa657ff, 0x79c0ffff,
    0xf778baff, 0x56d4ddff, 0xe3b341ff, 0xa5d6ffff,
};

static void draw_routes(sl_draw *d, sl_world *w, void *user)
{
    (void)user;
    const overlay *o = sl_world_attached(w, OVERLAY_KEY);
    if (!o) return;
    size_t nc = sizeof route_colors / sizeof route_colors[0];
    for (int i = 0; i < o->nroutes; i++)
        for (size_t q = o->roff[i]; q + 1 < o->roff[i + 1]; q++)
            d->line(d, o->rx[q], o->ry[q], o->rx[q + 1], o->ry[q + 1], route_colors[i % nc], 3);
}

static void draw_sites(sl_draw *d, sl_world *w, void *user)
{
    (void)user;
    const overlay *o = sl_world_attached(w, OVERLAY_KEY);
    if (!o) return;
    for (int i = 0; i < o->nsites; i++)
        if (!o->kind || o->kind[i] != 1) d->point(d, o->sx[i], o->sy[i], 0xffffffffu, 5);
    for (int i = 0; i < o->nsites; i++)
        if (o->kind && o->kind[i] == 1) {
            double h = 7 / d->pixels_per_unit(d);
            for (int k = -1; k <= 1; k += 2) {
                d->line(d, o->sx[i] - h, o->sy[i] + k * h, o->sx[i] + h, o->sy[i] + k * h, 0xff4040ffu, 3);
                d->line(d, o->sx[i] + k * h, o->sy[i] - h, o->sx[i] + k * h, o->sy[i] + h, 0xff4040ffu, 3);
            }
        }
}

static int roads_bounds(sl_world *w, void *user, double b[4])
{
    (void)user;
    const overlay *o = sl_world_attached(w, OVERLAY_KEY);
    if (!o || o->r->g->m == 0) return 0;
    const sl_roads *r = o->r;
    size_t ng = r->goff[r->g->m];
    b[0] = b[2] = r->gx[0];
    b[1] = b[3] = r->gy[0];
    for (size_t q = 1; q < ng; q++) {
        b[0] = fmin(b[0], r->gx[q]);
        b[2] = fmax(b[2], r->gx[q]);
        b[1] = fmin(b[1], r->gy[q]);
        b[3] = fmax(b[3], r->gy[q]);
    }
    return 1;
}

sl_status sl_roads_show(sl_world *w, const sl_roads *r, int nsites, const double *lon,
                        const double *lat, const int *kind, int nroutes,
                        const sl_road_path *const *routes, sl_error *e)
{
    overlay *o = sl_world_attached(w, OVERLAY_KEY);
    if (o && o->r != r)
        return sl_error_set(e, SL_ERR_STATE, "%s: the world already shows another road network",
                            r->file);
    if (!o) {
        o = calloc(1, sizeof *o);
        if (!o) return sl_error_set(e, SL_ERR_NOMEM, "roads view: out of memory");
        o->r = r;
        sl_status st = sl_world_attach(w, OVERLAY_KEY, o, overlay_free, e);
        if (st != SL_OK) {
            free(o);
            return st;
        }
        sl_view_layer_def defs[3] = {
            { .name = "roads", .swatch = class_color[SL_ROAD_PRIMARY], .draw = draw_roads,
              .bounds = roads_bounds, .credit = SL_ROADS_CREDIT },
            { .name = "road routes", .swatch = route_colors[0], .draw = draw_routes,
              .bounds = roads_bounds, .credit = SL_ROADS_CREDIT },
            { .name = "road sites", .swatch = 0xffffffffu, .draw = draw_sites,
              .bounds = roads_bounds, .credit = SL_ROADS_CREDIT },
        };
        for (int i = 0; i < 3; i++) {
            st = sl_view_add_layer(w, &defs[i], e);
            if (st != SL_OK) return st;
        }
    }
    overlay_clear(o);
    size_t npts = 0;
    for (int i = 0; i < nroutes; i++) npts += (size_t)routes[i]->n;
    o->sx = malloc(((size_t)nsites + 1) * sizeof *o->sx);
    o->sy = malloc(((size_t)nsites + 1) * sizeof *o->sy);
    o->kind = malloc(((size_t)nsites + 1) * sizeof *o->kind);
    o->roff = malloc(((size_t)nroutes + 1) * sizeof *o->roff);
    o->rx = malloc((npts + 1) * sizeof *o->rx);
    o->ry = malloc((npts + 1) * sizeof *o->ry);
    if (!o->sx || !o->sy || !o->kind || !o->roff || !o->rx || !o->ry) {
        overlay_clear(o);
        return sl_error_set(e, SL_ERR_NOMEM, "roads view: out of memory");
    }
    for (int i = 0; i < nsites; i++) {
        sl_roads_project(r, lon[i], lat[i], &o->sx[i], &o->sy[i]);
        o->kind[i] = kind ? kind[i] : 0;
    }
    o->nsites = nsites;
    size_t at = 0;
    o->roff[0] = 0;
    for (int i = 0; i < nroutes; i++) {
        for (int q = 0; q < routes[i]->n; q++, at++)
            sl_roads_project(r, routes[i]->lon[q], routes[i]->lat[q], &o->rx[at], &o->ry[at]);
        o->roff[i + 1] = at;
    }
    o->nroutes = nroutes;
    return SL_OK;
}
