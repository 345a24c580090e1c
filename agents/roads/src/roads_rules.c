/* roads_rules.c - which ways a car may use, in which direction and how fast (tags to rules);
 * default speeds; distances on the sphere and the local planar projection. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "roads_internal.h"

#define EARTH_R 6371008.8
#define DEG (M_PI / 180.0)

static const char *const class_names[SL_ROAD_NCLASSES] = {
    "motorway", "trunk", "primary", "secondary", "tertiary",
    "unclassified", "residential", "living_street", "service",
};

const char *sl_road_class_name(int cls)
{
    return cls >= 0 && cls < SL_ROAD_NCLASSES ? class_names[cls] : "?";
}

sl_roads_def sl_roads_def_default(void)
{
    sl_roads_def d;
    sl_roads_def *cfg = &d;
    static const double speed[SL_ROAD_NCLASSES] = { 90, 70, 50, 45, 40, 30, 25, 10, 15 };
    static const double link[SL_ROAD_NCLASSES] = { 45, 40, 30, 30, 25, 30, 25, 10, 15 };
    memset(cfg, 0, sizeof *cfg);
    for (int i = 0; i < SL_ROAD_NCLASSES; i++) {
        cfg->speed_kmh[i] = speed[i];
        cfg->link_speed_kmh[i] = link[i];
    }
    cfg->max_snap_m = 1000;
    return d;
}

static const char *tag(int n, const char *const *k, const char *const *v, const char *key)
{
    for (int i = 0; i < n; i++)
        if (strcmp(k[i], key) == 0) return v[i];
    return NULL;
}

static int in_list(const char *s, const char *const *list)
{
    for (int i = 0; list[i]; i++)
        if (strcmp(s, list[i]) == 0) return 1;
    return 0;
}

/* maxspeed in km/h, or 0 when absent or not understood (the class default applies). */
static double parse_maxspeed(const char *s)
{
    if (!s || !*s) return 0;
    if (strcmp(s, "walk") == 0) return 6;
    if (strcmp(s, "none") == 0 || strcmp(s, "signals") == 0) return 0;
    const char *colon = strchr(s, ':');
    if (colon && !(colon[1] >= '0' && colon[1] <= '9')) {
        /* implicit limits: "FR:urban", "DE:rural", "GB:nsl_single", "DE:zone30" */
        const char *k = colon + 1;
        if (strcmp(k, "urban") == 0) return 50;
        if (strcmp(k, "rural") == 0) return 90;
        if (strcmp(k, "motorway") == 0) return 130;
        if (strcmp(k, "living_street") == 0) return 20;
        if (strncmp(k, "zone", 4) == 0) s = k + 4 + (k[4] == ':');
        else return 0;
    } else if (colon) {
        s = colon + 1;
    }
    char *end;
    double v = strtod(s, &end);
    if (end == s || !isfinite(v) || v <= 0) return 0;
    while (*end == ' ') end++;
    if (strncmp(end, "mph", 3) == 0) v *= 1.609344;
    else if (strncmp(end, "knots", 5) == 0) v *= 1.852;
    return v > 200 ? 200 : v;
}

int sl_roads_way_rule(const sl_roads_def *cfg, int n, const char *const *k,
                      const char *const *v, int *cls, int *dir, double *kmh)
{
    static const char *const classes[][2] = {
        { "motorway", "" }, { "trunk", "" }, { "primary", "" }, { "secondary", "" },
        { "tertiary", "" }, { "unclassified", "road" }, { "residential", "" },
        { "living_street", "" }, { "service", "" },
    };
    static const char *const denied[] = { "no", "private", "agricultural", "forestry",
                                          "emergency", "military", "discouraged", NULL };
    const char *hw = tag(n, k, v, "highway");
    if (!hw) return 0;
    int c = -1, is_link = 0;
    size_t len = strlen(hw);
    if (len > 5 && strcmp(hw + len - 5, "_link") == 0) is_link = 1;
    for (int i = 0; i < SL_ROAD_NCLASSES && c < 0; i++) {
        size_t cl = strlen(classes[i][0]);
        if ((len == cl + (is_link ? 5u : 0u) && strncmp(hw, classes[i][0], cl) == 0) ||
            (!is_link && classes[i][1][0] && strcmp(hw, classes[i][1]) == 0))
            c = i;
    }
    if (c < 0 || (is_link && c > SL_ROAD_TERTIARY)) return 0;
    const char *area = tag(n, k, v, "area");
    if (area && strcmp(area, "yes") == 0) return 0;
    /* the most specific access tag decides */
    static const char *const access_keys[] = { "motorcar", "motor_vehicle", "vehicle", "access" };
    for (int i = 0; i < 4; i++) {
        const char *a = tag(n, k, v, access_keys[i]);
        if (a) {
            if (in_list(a, denied)) return 0;
            break;
        }
    }
    int d = 0;
    const char *ow = tag(n, k, v, "oneway");
    const char *junction = tag(n, k, v, "junction");
    if (ow && (!strcmp(ow, "yes") || !strcmp(ow, "true") || !strcmp(ow, "1"))) d = 1;
    else if (ow && (!strcmp(ow, "-1") || !strcmp(ow, "reverse"))) d = -1;
    else if (ow && (!strcmp(ow, "reversible") || !strcmp(ow, "alternating"))) return 0;
    else if (ow && (!strcmp(ow, "no") || !strcmp(ow, "false") || !strcmp(ow, "0"))) d = 0;
    else if (junction && (!strcmp(junction, "roundabout") || !strcmp(junction, "circular"))) d = 1;
    else if (c == SL_ROAD_MOTORWAY) d = 1;
    double s = parse_maxspeed(tag(n, k, v, "maxspeed"));
    if (s <= 0) s = is_link ? cfg->link_speed_kmh[c] : cfg->speed_kmh[c];
    *cls = c;
    *dir = d;
    *kmh = s;
    return 1;
}

double sl_roads_haversine(double lon1, double lat1, double lon2, double lat2)
{
    double p1 = lat1 * DEG, p2 = lat2 * DEG;
    double sp = sin((p2 - p1) / 2), sl = sin((lon2 - lon1) * DEG / 2);
    double h = sp * sp + cos(p1) * cos(p2) * sl * sl;
    return 2 * EARTH_R * asin(sqrt(h < 1 ? h : 1));
}

void sl_roads_project(const sl_roads *r, double lon, double lat, double *x, double *y)
{
    *x = EARTH_R * (lon - r->info.lon0) * DEG * r->coslat0;
    *y = EARTH_R * (r->info.lat0 - lat) * DEG;
}

void sl_roads_unproject(const sl_roads *r, double x, double y, double *lon, double *lat)
{
    *lon = r->info.lon0 + x / (EARTH_R * DEG * r->coslat0);
    *lat = r->info.lat0 - y / (EARTH_R * DEG);
}
