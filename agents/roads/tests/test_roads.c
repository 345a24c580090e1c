/* test_roads.c - the road network on a small hand-made town (tests/data/town.osm, drawn in its
 * header): tag rules, one-way streets, a private road, speeds by class, the largest component,
 * snapping, matrices against a plain Dijkstra, threads, routes, CSV, and bad input. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "roads_ref.h"
#include "swarmlab/roads.h"
#include "swarmlab/view.h"

#define TOWN "agents/roads/tests/data/town.osm"
#define KMH(v) ((v) / 3.6)

static double hv(double x1, double y1, double x2, double y2)
{
    return sl_roads_haversine(x1 * 1e-3, y1 * 1e-3, x2 * 1e-3, y2 * 1e-3);
}

static sl_roads *town(void)
{
    sl_error e;
    sl_roads *r = sl_roads_create(NULL, TOWN, &e);
    if (!r) fprintf(stderr, "%s\n", e.msg);
    ck_assert_ptr_nonnull(r);
    return r;
}

/* a site at (x, y) town units */
static sl_road_snap at(const sl_roads *r, double x, double y)
{
    sl_road_snap s;
    sl_error e;
    ck_assert_int_eq(sl_roads_snap(r, x * 1e-3, y * 1e-3, "site", &s, &e), SL_OK);
    return s;
}

static int rule(const char *const *kv, int n, int *cls, int *dir, double *kmh)
{
    sl_roads_def cfg = sl_roads_def_default();
    const char *k[16], *v[16];
    for (int i = 0; i < n; i++) {
        k[i] = kv[2 * i];
        v[i] = kv[2 * i + 1];
    }
    return sl_roads_way_rule(&cfg, n, k, v, cls, dir, kmh);
}

START_TEST(test_rules)
{
    int c, d;
    double s;
    sl_roads_def cfg = sl_roads_def_default();
    const char *mw[] = { "highway", "motorway" };
    ck_assert(rule(mw, 1, &c, &d, &s));
    ck_assert_int_eq(c, SL_ROAD_MOTORWAY);
    ck_assert_int_eq(d, 1);
    ck_assert_double_eq(s, cfg.speed_kmh[SL_ROAD_MOTORWAY]);
    const char *mw2[] = { "highway", "motorway", "oneway", "no" };
    ck_assert(rule(mw2, 2, &c, &d, &s) && d == 0);
    const char *ra[] = { "highway", "primary", "junction", "roundabout" };
    ck_assert(rule(ra, 2, &c, &d, &s) && d == 1 && c == SL_ROAD_PRIMARY);
    const char *rev[] = { "highway", "residential", "oneway", "-1" };
    ck_assert(rule(rev, 2, &c, &d, &s) && d == -1);
    const char *link[] = { "highway", "primary_link" };
    ck_assert(rule(link, 1, &c, &d, &s) && c == SL_ROAD_PRIMARY);
    ck_assert_double_eq(s, cfg.link_speed_kmh[SL_ROAD_PRIMARY]);
    const char *mph[] = { "highway", "tertiary", "maxspeed", "30 mph" };
    ck_assert(rule(mph, 2, &c, &d, &s));
    ck_assert_double_eq_tol(s, 30 * 1.609344, 1e-9);
    const char *urban[] = { "highway", "secondary", "maxspeed", "FR:urban" };
    ck_assert(rule(urban, 2, &c, &d, &s) && s == 50);
    const char *zone[] = { "highway", "residential", "maxspeed", "DE:zone30" };
    ck_assert(rule(zone, 2, &c, &d, &s) && s == 30);
    const char *junk[] = { "highway", "residential", "maxspeed", "fast" };
    ck_assert(rule(junk, 2, &c, &d, &s) && s == cfg.speed_kmh[SL_ROAD_RESIDENTIAL]);
    const char *road[] = { "highway", "road" };
    ck_assert(rule(road, 1, &c, &d, &s) && c == SL_ROAD_UNCLASSIFIED);
    /* access: the most specific tag wins */
    const char *priv[] = { "highway", "service", "access", "private" };
    ck_assert(!rule(priv, 2, &c, &d, &s));
    const char *mvno[] = { "highway", "residential", "motor_vehicle", "no" };
    ck_assert(!rule(mvno, 2, &c, &d, &s));
    const char *yes[] = { "highway", "residential", "access", "no", "motor_vehicle", "yes" };
    ck_assert(rule(yes, 3, &c, &d, &s));
    const char *dest[] = { "highway", "residential", "access", "destination" };
    ck_assert(rule(dest, 2, &c, &d, &s));
    const char *carno[] = { "highway", "residential", "motor_vehicle", "yes", "motorcar", "no" };
    ck_assert(!rule(carno, 3, &c, &d, &s));
    const char *const notcar[][4] = {
        { "highway", "footway" }, { "highway", "track" }, { "highway", "cycleway" },
        { "highway", "pedestrian" }, { "highway", "service_link" }, { "building", "yes" },
        { "highway", "residential", "area", "yes" },
        { "highway", "residential", "oneway", "reversible" },
    };
    for (size_t i = 0; i < sizeof notcar / sizeof notcar[0]; i++)
        ck_assert_msg(!rule(notcar[i], notcar[i][2] ? 2 : 1, &c, &d, &s), "case %zu", i);
}
END_TEST

START_TEST(test_town_graph)
{
    sl_roads *r = town();
    const sl_roads_info *in = sl_roads_info_of(r);
    ck_assert_int_eq(in->drivable_ways, 8);          /* footway and private service left out */
    /* A C D E F K and M (second D-E stretch); B is no junction once the private road is gone */
    ck_assert_int_eq(in->nodes, 7);
    ck_assert_int_eq(in->edges, 16);
    ck_assert_int_eq(in->nodes_dropped, 2);          /* G-H, not connected */
    ck_assert_int_eq(in->edges_dropped, 2);
    ck_assert_int_eq(in->components, 2);
    const sl_graph *g = sl_roads_graph(r);
    ck_assert_int_eq(g->n, 7);
    ck_assert_uint_eq(g->m, 16);
    /* speeds by class: time = length / the class speed (primary tagged 50 km/h) */
    const double *t = sl_roads_edge_time(r);
    const uint8_t *cls = sl_roads_edge_class(r);
    int seen[SL_ROAD_NCLASSES] = {0};
    for (size_t k = 0; k < g->m; k++) {
        double kmh = cls[k] == SL_ROAD_PRIMARY ? 50 : cls[k] == SL_ROAD_RESIDENTIAL ? 25
                   : cls[k] == SL_ROAD_TERTIARY ? 40 : cls[k] == SL_ROAD_LIVING_STREET ? 10
                   : cls[k] == SL_ROAD_UNCLASSIFIED ? 30 : -1;
        ck_assert_msg(kmh > 0, "edge %zu of class %s", k, sl_road_class_name(cls[k]));
        ck_assert_double_eq_tol(t[k], g->w[k] / KMH(kmh), 1e-9);
        seen[cls[k]]++;
    }
    ck_assert_int_eq(seen[SL_ROAD_SERVICE], 0);
    ck_assert_int_eq(seen[SL_ROAD_TERTIARY], 1);     /* C->F one way */
    ck_assert_int_eq(seen[SL_ROAD_PRIMARY], 2);
    ck_assert_int_eq(seen[SL_ROAD_LIVING_STREET], 2);
    ck_assert_int_eq(seen[SL_ROAD_UNCLASSIFIED], 4);
    ck_assert_int_eq(seen[SL_ROAD_RESIDENTIAL], 7);  /* A-D, D-E, E-F both ways, K->E */
    /* geometry: the bent A-D road keeps its bend, and the length follows it */
    const uint32_t *off = sl_roads_geom_offsets(r);
    double adlen = hv(0, 0, -0.2, 0.5) + hv(-0.2, 0.5, 0, 1);
    int bends = 0;
    for (size_t k = 0; k < g->m; k++)
        if (off[k + 1] - off[k] == 3 && cls[k] == SL_ROAD_RESIDENTIAL) {
            ck_assert_double_eq_tol(g->w[k], adlen, 1e-9);
            bends++;
        }
    ck_assert_int_eq(bends, 2);
    ck_assert_double_eq_tol(in->lon0, 0.0009, 1e-12);
    ck_assert_double_eq_tol(in->lat0, 0.001, 1e-12);
    sl_roads_destroy(r);
}
END_TEST

START_TEST(test_town_paths_by_hand)
{
    sl_roads *r = town();
    sl_road_snap s[4] = { at(r, 0, 0), at(r, 2, 1), at(r, 1, 1), at(r, 1, 2) };  /* A F E K */
    double T[16], D[16];
    sl_error e;
    ck_assert_int_eq(sl_roads_matrix(r, s, 4, SL_ROAD_TIME, 1, T, &e), SL_OK);
    ck_assert_int_eq(sl_roads_matrix(r, s, 4, SL_ROAD_DISTANCE, 1, D, &e), SL_OK);
    double ab = hv(0, 0, 1, 0), bc = hv(1, 0, 2, 0), cf = hv(2, 0, 2, 1), ef = hv(1, 1, 2, 1);
    double de = hv(0, 1, 1, 1), ad = hv(0, 0, -0.2, 0.5) + hv(-0.2, 0.5, 0, 1);
    double fk = hv(2, 1, 1, 2), ke = hv(1, 2, 1, 1);
    /* A -> F: along Main Street, then the one-way C->F */
    ck_assert_double_eq_tol(T[0 * 4 + 1], (ab + bc) / KMH(50) + cf / KMH(40), 1e-9);
    ck_assert_double_eq_tol(D[0 * 4 + 1], ab + bc + cf, 1e-9);
    /* F -> A: C->F is one-way and the private B-E (50 km/h, faster) is not used */
    ck_assert_double_eq_tol(T[1 * 4 + 0], (ef + de + ad) / KMH(25), 1e-9);
    ck_assert_double_eq_tol(D[1 * 4 + 0], ef + de + ad, 1e-9);
    /* E -> K: the one-way K->E (oneway=-1) forces the way round by F */
    ck_assert_double_eq_tol(T[2 * 4 + 3], ef / KMH(25) + fk / KMH(10), 1e-9);
    ck_assert_double_eq_tol(T[3 * 4 + 2], ke / KMH(25), 1e-9);
    for (int i = 0; i < 4; i++) {
        ck_assert_double_eq(T[i * 5], 0);
        ck_assert_double_eq(D[i * 5], 0);
    }
    /* a site half way along B-C to one half way along E-F */
    sl_road_snap m[2] = { at(r, 1.5, 0.1), at(r, 1.5, 0.9) };
    ck_assert_int_eq(sl_roads_matrix(r, m, 2, SL_ROAD_DISTANCE, 1, D, &e), SL_OK);
    ck_assert_double_eq_tol(D[1], bc / 2 + cf + ef / 2, 1e-6);
    ck_assert_double_eq_tol(D[2], ef / 2 + de + ad + ab + bc / 2, 1e-6);
    sl_roads_destroy(r);
}
END_TEST

START_TEST(test_snap)
{
    sl_roads *r = town();
    const sl_graph *g = sl_roads_graph(r);
    const uint32_t *src = sl_roads_edge_source(r);
    sl_road_snap s = at(r, 1.5, 0.1);
    double ac = hv(0, 0, 1, 0) + hv(1, 0, 2, 0);
    ck_assert_double_eq_tol(s.dist_m, hv(1.5, 0.1, 1.5, 0), 1e-6);
    ck_assert_double_eq_tol(s.lon, 0.0015, 1e-12);
    ck_assert_double_eq_tol(s.lat, 0.0, 1e-12);
    /* A-B-C is one edge (B is no junction): the site is three quarters along from A */
    ck_assert_int_ge(s.twin, 0);   /* Main Street is two-way */
    ck_assert_double_eq_tol(g->w[s.edge], ac, 1e-9);
    ck_assert_double_eq_tol(src[s.edge] < g->col[s.edge] ? s.frac : 1 - s.frac, 0.75, 1e-9);
    /* the edge's ends are A and C */
    double ux = g->x[src[s.edge]], vx = g->x[g->col[s.edge]];
    double bx, cx, y;
    sl_roads_project(r, 0.0, 0, &bx, &y);
    sl_roads_project(r, 0.002, 0, &cx, &y);
    ck_assert(fmin(ux, vx) == fmin(bx, cx) && fmax(ux, vx) == fmax(bx, cx));
    /* nearest of several candidates: closer to the bent A-S-D road than to Main Street */
    s = at(r, -0.15, 0.3);
    ck_assert_double_eq_tol(g->w[s.edge], hv(0, 0, -0.2, 0.5) + hv(-0.2, 0.5, 0, 1), 1e-9);
    ck_assert(s.dist_m < hv(-0.15, 0.3, -0.15, 0));
    /* a point on the dropped G-H piece snaps to the kept network, far away */
    s = at(r, 5.5, 5);
    ck_assert(s.dist_m > 400);
    /* projection round trip */
    double x, lon, lat;
    sl_roads_project(r, 0.0012, 0.0017, &x, &y);
    sl_roads_unproject(r, x, y, &lon, &lat);
    ck_assert_double_eq_tol(lon, 0.0012, 1e-12);
    ck_assert_double_eq_tol(lat, 0.0017, 1e-12);
    ck_assert(y < 0);   /* north of the centre is up (y grows southward) */
    sl_roads_destroy(r);
}
END_TEST

/* sites spread over the town, two of them on the same stretch */
static int town_sites(const sl_roads *r, sl_road_snap *s)
{
    static const double xy[][2] = {
        { 0, 0 }, { 2, 1 }, { 1, 1 }, { 1, 2 }, { 1.5, 0.1 }, { 1.2, -0.1 }, { 1.8, 0.05 },
        { 0.3, 1.3 }, { -0.1, 0.7 }, { 1.6, 1.5 }, { 2.1, 0.4 }, { 0.5, 1.05 }, { 1.4, 1.9 },
    };
    int n = (int)(sizeof xy / sizeof xy[0]);
    for (int i = 0; i < n; i++) s[i] = at(r, xy[i][0], xy[i][1]);
    return n;
}

START_TEST(test_matrix_reference)
{
    sl_roads *r = town();
    sl_road_snap s[16];
    int n = town_sites(r, s);
    double M[256], R[256];
    sl_error e;
    for (int metric = 0; metric < 2; metric++) {
        ck_assert_int_eq(sl_roads_matrix(r, s, n, metric, 1, M, &e), SL_OK);
        ref_matrix(r, s, n, metric, R);
        for (int i = 0; i < n * n; i++)
            ck_assert_msg(fabs(M[i] - R[i]) <= 1e-9 * fmax(1, R[i]), "metric %d, %d->%d: %g vs %g",
                          metric, i / n, i % n, M[i], R[i]);
    }
    /* symmetric where the roads are: A and B are on two-way Main Street; A and F are not */
    ck_assert_int_eq(sl_roads_matrix(r, s, n, SL_ROAD_TIME, 1, M, &e), SL_OK);
    ck_assert_double_eq_tol(M[0 * n + 5], M[5 * n + 0], 1e-9);
    ck_assert_double_eq_tol(M[4 * n + 6], M[6 * n + 4], 1e-9);
    ck_assert(M[0 * n + 1] < M[1 * n + 0] - 1);
    ck_assert(M[2 * n + 3] > M[3 * n + 2] + 1);
    sl_roads_destroy(r);
}
END_TEST

START_TEST(test_threads_identical)
{
    sl_roads *r = town();
    sl_road_snap s[16];
    int n = town_sites(r, s);
    double a[256], b[256], c[256];
    sl_error e;
    ck_assert_int_eq(sl_roads_matrix(r, s, n, SL_ROAD_TIME, 1, a, &e), SL_OK);
    ck_assert_int_eq(sl_roads_matrix(r, s, n, SL_ROAD_TIME, 2, b, &e), SL_OK);
    ck_assert_int_eq(sl_roads_matrix(r, s, n, SL_ROAD_TIME, 3, c, &e), SL_OK);
    ck_assert_int_eq(memcmp(a, b, sizeof(double) * (size_t)(n * n)), 0);
    ck_assert_int_eq(memcmp(a, c, sizeof(double) * (size_t)(n * n)), 0);
    sl_roads_destroy(r);
}
END_TEST

START_TEST(test_route)
{
    sl_roads *r = town();
    sl_road_snap a = at(r, 0, 0), f = at(r, 2, 1);
    sl_road_path p;
    sl_error e;
    ck_assert_int_eq(sl_roads_route(r, &a, &f, SL_ROAD_TIME, &p, &e), SL_OK);
    static const double want[][2] = { { 0, 0 }, { 1, 0 }, { 2, 0 }, { 2, 1 } };
    ck_assert_int_eq(p.n, 4);
    for (int i = 0; i < 4; i++) {
        ck_assert_double_eq_tol(p.lon[i], want[i][0] * 1e-3, 1e-12);
        ck_assert_double_eq_tol(p.lat[i], want[i][1] * 1e-3, 1e-12);
    }
    double T;
    sl_road_snap two[2] = { a, f };
    double M[4];
    ck_assert_int_eq(sl_roads_matrix(r, two, 2, SL_ROAD_TIME, 1, M, &e), SL_OK);
    T = M[1];
    ck_assert_double_eq_tol(p.time_s, T, 1e-9);
    ck_assert_double_eq_tol(p.dist_m, hv(0, 0, 2, 0) + hv(2, 0, 2, 1), 1e-6);
    sl_road_path_release(&p);
    /* back: round by E, D and the bend at S */
    ck_assert_int_eq(sl_roads_route(r, &f, &a, SL_ROAD_TIME, &p, &e), SL_OK);
    ck_assert_int_eq(p.n, 5);
    ck_assert_double_eq_tol(p.lon[3], -0.0002, 1e-12);
    ck_assert_double_eq_tol(p.time_s, M[2], 1e-9);
    sl_road_path_release(&p);
    /* within one stretch: from 1.2 to 1.8 along Main Street */
    sl_road_snap x = at(r, 1.2, 0), y = at(r, 1.8, 0);
    ck_assert_int_eq(sl_roads_route(r, &y, &x, SL_ROAD_DISTANCE, &p, &e), SL_OK);
    ck_assert_int_eq(p.n, 2);
    ck_assert_double_eq_tol(p.dist_m, hv(1.2, 0, 1.8, 0), 1e-6);
    sl_road_path_release(&p);
    sl_roads_destroy(r);
}
END_TEST

START_TEST(test_csv)
{
    char dir[] = "/tmp/swarmlab-roads-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/m.csv", dir);
    const char *names[] = { "depot", "store, \"north\"" };
    double m[4] = { 0, 12.5, 13.25, 0 };
    sl_error e;
    ck_assert_int_eq(sl_roads_write_csv(path, 2, names, m, &e), SL_OK);
    FILE *f = fopen(path, "r");
    char buf[512] = {0};
    size_t got = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[got] = 0;
    ck_assert_str_eq(buf, "from,depot,\"store, \"\"north\"\"\"\ndepot,0,12.5\n"
                          "\"store, \"\"north\"\"\",13.25,0\n");
    remove(path);
    snprintf(path, sizeof path, "%s/no/such/dir/m.csv", dir);
    ck_assert_int_eq(sl_roads_write_csv(path, 2, NULL, m, &e), SL_ERR_IO);
    ck_assert_ptr_nonnull(strstr(e.msg, path));
    rmdir(dir);
}
END_TEST

START_TEST(test_show_layers)
{
    sl_roads *r = town();
    sl_world *w = sl_world_create(1);
    sl_road_snap a = at(r, 0, 0), f = at(r, 2, 1);
    sl_road_path p;
    sl_error e;
    ck_assert_int_eq(sl_roads_route(r, &a, &f, SL_ROAD_TIME, &p, &e), SL_OK);
    const sl_road_path *routes[1] = { &p };
    double lon[2] = { a.lon, f.lon }, lat[2] = { a.lat, f.lat };
    int kind[2] = { 1, 0 };
    ck_assert_int_eq(sl_roads_show(w, r, 2, lon, lat, kind, 1, routes, &e), SL_OK);
    ck_assert_int_eq(sl_roads_show(w, r, 2, lon, lat, NULL, 0, NULL, &e), SL_OK);  /* replaces */
    const sl_view_layers *L = sl_view_layers_of(w);
    ck_assert_ptr_nonnull(L);
    ck_assert_int_eq(L->n, 3);   /* registered once */
    for (int i = 0; i < L->n; i++) {
        ck_assert_str_eq(L->def[i].credit, "\xc2\xa9 OpenStreetMap contributors");
        double b[4];
        ck_assert(L->def[i].bounds(w, L->def[i].user, b));
        ck_assert(b[0] < b[2] && b[1] < b[3]);
    }
    /* another network cannot take over the same world's layers */
    sl_roads *r2 = town();
    ck_assert_int_eq(sl_roads_show(w, r2, 0, NULL, NULL, NULL, 0, NULL, &e), SL_ERR_STATE);
    sl_road_path_release(&p);
    sl_world_destroy(w);
    sl_roads_destroy(r2);
    sl_roads_destroy(r);
}
END_TEST

static void expect_load_error(const char *path, const char *needle)
{
    sl_error e;
    sl_roads *r = sl_roads_create(NULL, path, &e);
    ck_assert_ptr_null(r);
    ck_assert_msg(strstr(e.msg, path) != NULL, "message '%s' does not name %s", e.msg, path);
    ck_assert_msg(!strchr(e.msg, '\n'), "message '%s' is not one line", e.msg);
    if (needle) ck_assert_msg(strstr(e.msg, needle) != NULL, "message '%s' lacks '%s'", e.msg, needle);
}

static void write_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, n, f), n);
    fclose(f);
}

START_TEST(test_bad_files)
{
    char dir[] = "/tmp/swarmlab-roads-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char p[256];
    expect_load_error("/nonexistent/map.osm.pbf", NULL);
    /* devices and directories are refused before anything reads them */
    expect_load_error("/dev/zero", "not a regular file");
    expect_load_error("/tmp", "not a regular file");
    /* truncated XML: the first half of the town */
    FILE *f = fopen(TOWN, "rb");
    char buf[8192];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    snprintf(p, sizeof p, "%s/half.osm", dir);
    write_file(p, buf, n / 2);
    expect_load_error(p, "not valid OSM XML");
    snprintf(p, sizeof p, "%s/text.osm", dir);
    write_file(p, "hello, this is not a map\n", 25);
    expect_load_error(p, ":1: not valid OSM XML");
    snprintf(p, sizeof p, "%s/gpx.osm", dir);
    write_file(p, "<gpx><trk/></gpx>", 17);
    expect_load_error(p, "not an OpenStreetMap file");
    snprintf(p, sizeof p, "%s/garbage.osm.pbf", dir);
    unsigned char junk[4096];
    for (size_t i = 0; i < sizeof junk; i++) junk[i] = (unsigned char)(i * 2654435761u >> 13);
    write_file(p, junk, sizeof junk);
    expect_load_error(p, NULL);
    snprintf(p, sizeof p, "%s/empty.osm.pbf", dir);
    write_file(p, "", 0);
    expect_load_error(p, NULL);
    snprintf(p, sizeof p, "%s/map.txt", dir);
    write_file(p, buf, n);
    expect_load_error(p, ".osm or .pbf");
    /* valid OSM without roads a car may use */
    snprintf(p, sizeof p, "%s/paths.osm", dir);
    const char *paths = "<?xml version=\"1.0\"?><osm version=\"0.6\">"
        "<node id=\"1\" lat=\"0\" lon=\"0\"/><node id=\"2\" lat=\"0\" lon=\"0.001\"/>"
        "<way id=\"5\"><nd ref=\"1\"/><nd ref=\"2\"/><tag k=\"highway\" v=\"footway\"/></way></osm>";
    write_file(p, paths, strlen(paths));
    expect_load_error(p, "no drivable roads");
    /* one one-way street: nothing a car can leave and come back to */
    snprintf(p, sizeof p, "%s/oneway.osm", dir);
    const char *ow = "<?xml version=\"1.0\"?><osm version=\"0.6\">"
        "<node id=\"1\" lat=\"0\" lon=\"0\"/><node id=\"2\" lat=\"0\" lon=\"0.001\"/>"
        "<way id=\"5\"><nd ref=\"1\"/><nd ref=\"2\"/><tag k=\"highway\" v=\"primary\"/>"
        "<tag k=\"oneway\" v=\"yes\"/></way></osm>";
    write_file(p, ow, strlen(ow));
    expect_load_error(p, "only one-way dead ends");
    /* the same in PBF */
    expect_load_error("agents/roads/tests/data/footpaths.osm.pbf", "no drivable roads");
    /* a truncated PBF */
    f = fopen("agents/roads/tests/data/footpaths.osm.pbf", "rb");
    ck_assert_ptr_nonnull(f);
    n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    snprintf(p, sizeof p, "%s/cut.osm.pbf", dir);
    write_file(p, buf, n - 7);
    expect_load_error(p, NULL);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
    /* bad configuration */
    sl_roads_def cfg = sl_roads_def_default();
    cfg.speed_kmh[SL_ROAD_SERVICE] = 0;
    sl_error e;
    ck_assert_ptr_null(sl_roads_create(&cfg, TOWN, &e));
    ck_assert_ptr_nonnull(strstr(e.msg, "service"));
}
END_TEST

START_TEST(test_bad_sites)
{
    sl_roads *r = town();
    sl_road_snap s;
    sl_error e;
    ck_assert_int_eq(sl_roads_snap(r, NAN, 0, "store 7", &s, &e), SL_ERR_RANGE);
    ck_assert_ptr_nonnull(strstr(e.msg, "store 7"));
    ck_assert_int_eq(sl_roads_snap(r, 0, INFINITY, "store 8", &s, &e), SL_ERR_RANGE);
    ck_assert_int_eq(sl_roads_snap(r, 0, 95, "store 9", &s, &e), SL_ERR_RANGE);
    ck_assert_ptr_nonnull(strstr(e.msg, "store 9"));
    ck_assert_int_eq(sl_roads_snap(r, 10, 10, "depot", &s, &e), SL_ERR_RANGE);
    ck_assert_ptr_nonnull(strstr(e.msg, "depot"));
    ck_assert_ptr_nonnull(strstr(e.msg, "outside the map"));
    ck_assert_int_eq(sl_roads_snap(r, 1e300, -1e300, "huge", &s, &e), SL_ERR_RANGE);
    sl_roads_destroy(r);
    /* a tighter limit turns the far-off point on the dropped piece into an error */
    sl_roads_def cfg = sl_roads_def_default();
    cfg.max_snap_m = 200;
    r = sl_roads_create(&cfg, TOWN, &e);
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(sl_roads_snap(r, 0.0055, 0.005, "kiosk", &s, &e), SL_ERR_RANGE);
    ck_assert_ptr_nonnull(strstr(e.msg, "kiosk"));
    ck_assert_ptr_nonnull(strstr(e.msg, "200 m"));
    /* a site that did not come from this network */
    s = at(r, 1, 0);
    s.edge = 1000;
    double m[4];
    sl_road_snap two[2] = { at(r, 0, 0), s };
    ck_assert_int_eq(sl_roads_matrix(r, two, 2, SL_ROAD_TIME, 1, m, &e), SL_ERR_RANGE);
    ck_assert_ptr_nonnull(strstr(e.msg, "site 2"));
    sl_roads_destroy(r);
}
END_TEST

int main(void)
{
    sl_error e;
    sl_roads *probe = sl_roads_create(NULL, TOWN, &e);
    Suite *s = suite_create("roads");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_rules);
    tcase_add_test(tc, test_csv);
    int have_osm = probe != NULL || !strstr(e.msg, "without OpenStreetMap support");
    if (have_osm) {
        tcase_add_test(tc, test_town_graph);
        tcase_add_test(tc, test_town_paths_by_hand);
        tcase_add_test(tc, test_snap);
        tcase_add_test(tc, test_matrix_reference);
        tcase_add_test(tc, test_threads_identical);
        tcase_add_test(tc, test_route);
        tcase_add_test(tc, test_bad_files);
        tcase_add_test(tc, test_bad_sites);
        tcase_add_test(tc, test_show_layers);
    }
    sl_roads_destroy(probe);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    if (failed) return EXIT_FAILURE;
    if (!have_osm) {
        printf("roads: built without OpenStreetMap support; the map tests were skipped\n");
        return 77;
    }
    return EXIT_SUCCESS;
}
