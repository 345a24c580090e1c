/* roads_internal.h - what the reader hands to the builder, and the network's private layout. */
#ifndef SWARMLAB_ROADS_INTERNAL_H
#define SWARMLAB_ROADS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "swarmlab/grid.h"
#include "swarmlab/roads.h"

/* OSM nodes and drivable ways as read, before any graph is made. */
typedef struct slp_roads_node {
    long long id;
    double lon, lat;
    size_t seq;            /* position in the file (ties between repeated ids) */
} slp_roads_node;

typedef struct slp_roads_raw {
    slp_roads_node *node;
    size_t nn, ncap;
    long long *ref;        /* node ids of all kept ways, one after the other */
    size_t nref, refcap;
    size_t *way_off;       /* nw + 1 offsets into ref */
    int8_t *way_dir;       /* 1 along, -1 against, 0 both */
    uint8_t *way_cls;
    double *way_kmh;
    size_t nw, wcap;
    long long osm_ways;
    int oom;
    const sl_roads_def *cfg;
} slp_roads_raw;

void slp_roads_raw_release(slp_roads_raw *raw);
/* Appends a node / a drivable way (sets raw->oom on allocation failure). */
void slp_roads_raw_add_node(slp_roads_raw *raw, long long id, double lon, double lat);
void slp_roads_raw_add_way(slp_roads_raw *raw, const long long *refs, int nrefs, int cls, int dir, double kmh);
/* Fills raw from the file (roads_read.c; fails when built without libreadosm). */
sl_status slp_roads_read_file(const char *path, slp_roads_raw *raw, sl_error *e);

struct sl_roads {
    sl_roads_def cfg;
    sl_roads_info info;
    char *file;
    sl_graph *g;           /* w = length in metres; x, y = planar position */
    double *time_s;        /* per edge, CSR order */
    uint8_t *cls;
    int32_t *twin;
    uint32_t *src;
    uint32_t *goff;        /* m + 1 */
    double *glon, *glat, *gx, *gy;
    double coslat0;
    /* snapping: sample points along the segments of one edge of each road stretch */
    sl_grid grid;
    double *sx, *sy;       /* samples, shifted so the grid's plane starts at 0 */
    uint32_t *sseg;        /* segment (index of its first geometry point) of each sample */
    uint32_t *gedge;       /* edge of each geometry point (segment start) */
    size_t nsamples;
    double xmin, ymin, sample_step;
};

/* Builds the network from what was read (roads_build.c). */
sl_status slp_roads_build(sl_roads *r, slp_roads_raw *raw, sl_error *e);
/* Makes the snapping index (roads_snap.c). */
sl_status slp_roads_snap_index(sl_roads *r, sl_error *e);

#endif
