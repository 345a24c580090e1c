/* roads.c - loading a road network (read, build, index) and its accessors. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "roads_internal.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

sl_roads *sl_roads_create(const sl_roads_def *cfg, const char *path, sl_error *e)
{
    double t0 = now_s();
    sl_roads *r = calloc(1, sizeof *r);
    if (!r || !(r->file = strdup(path ? path : ""))) {
        free(r);
        sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", path ? path : "roads");
        return NULL;
    }
    if (cfg) r->cfg = *cfg;
    else r->cfg = sl_roads_def_default();
    r->info.file = r->file;
    if (!(r->cfg.max_snap_m > 0) || !(r->cfg.max_snap_m < 1e7)) {
        sl_error_set(e, SL_ERR_RANGE, "%s: max_snap_m must be a positive number of metres below 10000 km, got %g",
                     r->file, r->cfg.max_snap_m);
        goto fail;
    }
    for (int c = 0; c < SL_ROAD_NCLASSES; c++)
        if (!(r->cfg.speed_kmh[c] > 0 && r->cfg.speed_kmh[c] <= 1000) ||
            !(r->cfg.link_speed_kmh[c] > 0 && r->cfg.link_speed_kmh[c] <= 1000)) {
            sl_error_set(e, SL_ERR_RANGE, "%s: speed_kmh and link_speed_kmh[%s] must be in "
                         "(0, 1000] km/h", r->file, sl_road_class_name(c));
            goto fail;
        }
    slp_roads_raw raw = { .cfg = &r->cfg };
    sl_status st = slp_roads_read_file(r->file, &raw, e);
    if (st == SL_OK) st = slp_roads_build(r, &raw, e);
    slp_roads_raw_release(&raw);
    if (st == SL_OK) st = slp_roads_snap_index(r, e);
    if (st != SL_OK) goto fail;
    r->info.seconds = now_s() - t0;
    return r;
fail:
    sl_roads_destroy(r);
    return NULL;
}

void sl_roads_destroy(sl_roads *r)
{
    if (!r) return;
    sl_graph_destroy(r->g);
    free(r->time_s);
    free(r->cls);
    free(r->twin);
    free(r->src);
    free(r->goff);
    free(r->glon);
    free(r->glat);
    free(r->gx);
    free(r->gy);
    sl_grid_release(&r->grid);
    free(r->sx);
    free(r->sy);
    free(r->sseg);
    free(r->gedge);
    free(r->file);
    free(r);
}

const sl_roads_info *sl_roads_info_of(const sl_roads *r) { return &r->info; }
const sl_graph *sl_roads_graph(const sl_roads *r) { return r->g; }
const double *sl_roads_edge_time(const sl_roads *r) { return r->time_s; }
const uint8_t *sl_roads_edge_class(const sl_roads *r) { return r->cls; }
const int32_t *sl_roads_edge_twin(const sl_roads *r) { return r->twin; }
const uint32_t *sl_roads_edge_source(const sl_roads *r) { return r->src; }
const uint32_t *sl_roads_geom_offsets(const sl_roads *r) { return r->goff; }
const double *sl_roads_geom_lon(const sl_roads *r) { return r->glon; }
const double *sl_roads_geom_lat(const sl_roads *r) { return r->glat; }
const double *sl_roads_geom_x(const sl_roads *r) { return r->gx; }
const double *sl_roads_geom_y(const sl_roads *r) { return r->gy; }
