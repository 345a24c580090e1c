/* roads.h - drivable road networks read from OpenStreetMap (.osm.pbf and .osm XML), snapping of
 * sites to the roads, and shortest distance / travel-time matrices.
 *
 * Model (docs/roads.md): every way with a drivable highway=* value becomes edges between its
 * graph nodes (ends of ways and nodes shared by two or more ways); the points in between are kept
 * as the edge's geometry. Directions follow oneway (yes/true/1, -1/reverse, roundabouts and
 * motorways are one-way by default); access=no/private, vehicle=, motor_vehicle= and motorcar=
 * remove a way (the most specific tag wins). An edge's length is the haversine length along its
 * geometry; its travel time is the length at maxspeed where tagged, else at the default speed
 * of its road class. Only the largest strongly connected component is kept, so every site can
 * reach every other; what was dropped is counted in sl_roads_info.
 *
 * The network is stored in the engine's compressed-row graph (graph.h): node positions are the
 * local planar projection (metres east and south of the map centre, see sl_roads_project), edge
 * weights are lengths in metres. Per-edge attributes are in the same (CSR) order.
 *
 * Errors name the file or the site in one line. Reading needs libreadosm; a build without it
 * (SWARMLAB_OSM=OFF) fails in sl_roads_create with "built without OpenStreetMap support".
 * Ownership: sl_roads_create returns an object freed with sl_roads_destroy; everything it hands out
 * stays valid until then. All queries are read-only and may run from several threads at once.
 */
#ifndef SWARMLAB_ROADS_H
#define SWARMLAB_ROADS_H

#include <stddef.h>
#include <stdint.h>
#include "swarmlab/error.h"
#include "swarmlab/graph.h"
#include "swarmlab/world.h"

/* Road classes, from the fastest; the _link ramps share their road's class. */
typedef enum sl_road_class {
    SL_ROAD_MOTORWAY = 0,
    SL_ROAD_TRUNK,
    SL_ROAD_PRIMARY,
    SL_ROAD_SECONDARY,
    SL_ROAD_TERTIARY,
    SL_ROAD_UNCLASSIFIED,
    SL_ROAD_RESIDENTIAL,
    SL_ROAD_LIVING_STREET,
    SL_ROAD_SERVICE,
    SL_ROAD_NCLASSES
} sl_road_class;

/* Name of a class ("motorway", ...). */
const char *sl_road_class_name(int cls);

typedef struct sl_roads_def {
    /* free-flow speed in km/h of each class where no maxspeed is tagged */
    double speed_kmh[SL_ROAD_NCLASSES];
    /* the _link ramps of motorway .. tertiary, where no maxspeed is tagged */
    double link_speed_kmh[SL_ROAD_NCLASSES];
    /* sites farther than this from every road (metres) are an error */
    double max_snap_m;
} sl_roads_def;

/* The documented defaults (docs/roads.md). */
sl_roads_def sl_roads_def_default(void);

/* Direction and speed of one way, from its tags (keys[i] = vals[i]). Returns 1 when the way is
 * drivable; then *cls is its class, *dir is 1 (one-way along the way), -1 (one-way against it)
 * or 0 (both directions) and *kmh its speed. Returns 0 for anything a car may not use. */
int sl_roads_way_rule(const sl_roads_def *cfg, int ntags, const char *const *keys,
                      const char *const *vals, int *cls, int *dir, double *kmh);

typedef struct sl_roads_info {
    const char *file;       /* as given to sl_roads_create */
    long long osm_nodes, osm_ways;  /* read from the file */
    long long drivable_ways;
    int nodes, edges;       /* kept (directed edges) */
    int nodes_dropped, edges_dropped;  /* outside the largest strongly connected component */
    int components;         /* strongly connected components before the cut */
    double km;              /* length of kept roads, km (each direction once) */
    double lon_min, lat_min, lon_max, lat_max;  /* bounding box of the kept roads */
    double lon0, lat0;      /* centre of the projection */
    double seconds;         /* time to read and build */
} sl_roads_info;

typedef struct sl_roads sl_roads;

/* Reads an .osm or .osm.pbf file and builds the network (def NULL: defaults). Fails (NULL) with a
 * one-line message naming the file for a missing, truncated or non-OSM file, for one with no
 * drivable roads, and naming the field for an out-of-range def. */
sl_roads *sl_roads_create(const sl_roads_def *def, const char *path, sl_error *e);
void sl_roads_destroy(sl_roads *r);

const sl_roads_info *sl_roads_info_of(const sl_roads *r);
const sl_graph *sl_roads_graph(const sl_roads *r);   /* w[] = length in metres */
const double *sl_roads_edge_time(const sl_roads *r);     /* seconds, CSR order */
const uint8_t *sl_roads_edge_class(const sl_roads *r);   /* sl_road_class, CSR order */
/* The opposite edge made from the same stretch of road (two-way roads), or -1. */
const int32_t *sl_roads_edge_twin(const sl_roads *r);
/* Geometry of edge k: points off[k] .. off[k+1]-1 of lon/lat and of the planar x/y (both ends
 * included). */
const uint32_t *sl_roads_geom_offsets(const sl_roads *r);
const double *sl_roads_geom_lon(const sl_roads *r);
const double *sl_roads_geom_lat(const sl_roads *r);
const double *sl_roads_geom_x(const sl_roads *r);
const double *sl_roads_geom_y(const sl_roads *r);
/* Source node of each edge (CSR order). */
const uint32_t *sl_roads_edge_source(const sl_roads *r);

/* Great-circle distance in metres (haversine, mean Earth radius 6371008.8 m). */
double sl_roads_haversine(double lon1, double lat1, double lon2, double lat2);
/* Local planar frame: x metres east, y metres south of the map centre (equirectangular at the
 * centre's latitude; y grows downward like the viewer's default). */
void sl_roads_project(const sl_roads *r, double lon, double lat, double *x, double *y);
void sl_roads_unproject(const sl_roads *r, double x, double y, double *lon, double *lat);

/* A site placed on the network: on edge `edge` (u -> v) at fraction `frac` of its length from u.
 * `twin` is the opposite edge when the road is two-way. */
typedef struct sl_road_snap {
    int edge, twin;
    double frac;
    double lon, lat;        /* the snapped point */
    double dist_m;          /* from the given coordinates to the snapped point */
} sl_road_snap;

/* Snaps (lon, lat) to the nearest point of any road (the projection on the nearest edge). Fails
 * (SL_ERR_RANGE) with a message naming `site` for NaN or out-of-range coordinates and for a point
 * farther than cfg.max_snap_m from every road. */
sl_status sl_roads_snap(const sl_roads *r, double lon, double lat, const char *site,
                        sl_road_snap *out, sl_error *e);

typedef enum sl_road_metric { SL_ROAD_TIME = 0, SL_ROAD_DISTANCE = 1 } sl_road_metric;

/* n x n matrix (row-major, out[i*n+j] from site i to site j) of fastest travel times (s) or
 * shortest distances (m): one Dijkstra per source with a binary heap, sources in parallel on
 * `threads` OpenMP threads; the result does not depend on the number of threads. */
sl_status sl_roads_matrix(const sl_roads *r, const sl_road_snap *sites, int n,
                          sl_road_metric metric, int threads, double *out, sl_error *e);

/* A route along the roads: the polyline from site a to site b (lon/lat), with its length and
 * travel time. The path owns its arrays: sl_road_path_release frees them. */
typedef struct sl_road_path {
    int n;
    double *lon, *lat;
    double dist_m, time_s;
} sl_road_path;
sl_status sl_roads_route(const sl_roads *r, const sl_road_snap *a, const sl_road_snap *b,
                         sl_road_metric metric, sl_road_path *out, sl_error *e);
void sl_road_path_release(sl_road_path *p);

/* Writes an n x n matrix as CSV: a header "from,<name 1>,...", then one row per site. names may
 * be NULL (sites are numbered from 1). Written to "<path>.part" and renamed when complete. */
sl_status sl_roads_write_csv(const char *path, int n, const char *const *names,
                             const double *m, sl_error *e);

/* ---- drawing (the viewer's layer registry, view.h; nothing is drawn without a viewer) ----
 * sl_roads_show registers on world w, once, the layers "roads" (the network, coloured and sized
 * by class), "road routes" and "road sites", each credited "© OpenStreetMap contributors"
 * (SL_ROADS_CREDIT), and sets what they draw: the sites (lon/lat; kind 1 = depot, drawn larger;
 * kind may be NULL) and routes as road paths. Calling it again replaces sites and routes. The
 * network r must outlive the world; the world owns what this copies. */
#define SL_ROADS_CREDIT "\xc2\xa9 OpenStreetMap contributors"
sl_status sl_roads_show(sl_world *w, const sl_roads *r, int nsites, const double *lon,
                        const double *lat, const int *kind, int nroutes,
                        const sl_road_path *const *routes, sl_error *e);

#endif
