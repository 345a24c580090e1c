/* roads_snap.c - sites to the nearest point of the network. Each segment of the geometry (one
 * edge per stretch of road) is sampled every SAMPLE_STEP metres or closer and the samples go into
 * the engine's uniform grid; a query looks at the samples within a growing radius and projects
 * the site on their segments, so the nearest segment is always found: a point of a segment is
 * never farther than SAMPLE_STEP / 2 from one of its samples. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "roads_internal.h"

#define SAMPLE_STEP 20.0

sl_status slp_roads_snap_index(sl_roads *r, sl_error *e)
{
    size_t m = r->g->m, ngp = r->goff[m];
    r->gedge = malloc((ngp + 1) * sizeof *r->gedge);
    if (!r->gedge) return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", r->file);
    double xmin = INFINITY, ymin = INFINITY, xmax = -INFINITY, ymax = -INFINITY;
    size_t ns = 0;
    for (size_t k = 0; k < m; k++) {
        for (uint32_t q = r->goff[k]; q < r->goff[k + 1]; q++) {
            r->gedge[q] = (uint32_t)k;
            xmin = fmin(xmin, r->gx[q]);
            xmax = fmax(xmax, r->gx[q]);
            ymin = fmin(ymin, r->gy[q]);
            ymax = fmax(ymax, r->gy[q]);
        }
        if (r->twin[k] >= 0 && (size_t)r->twin[k] < k) continue;
        for (uint32_t q = r->goff[k]; q + 1 < r->goff[k + 1]; q++)
            ns += 1 + (size_t)(hypot(r->gx[q + 1] - r->gx[q], r->gy[q + 1] - r->gy[q]) / SAMPLE_STEP);
    }
    r->sx = malloc((ns + 1) * sizeof *r->sx);
    r->sy = malloc((ns + 1) * sizeof *r->sy);
    r->sseg = malloc((ns + 1) * sizeof *r->sseg);
    if (!r->sx || !r->sy || !r->sseg) return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", r->file);
    r->xmin = xmin;
    r->ymin = ymin;
    r->sample_step = SAMPLE_STEP;
    size_t s = 0;
    for (size_t k = 0; k < m; k++) {
        if (r->twin[k] >= 0 && (size_t)r->twin[k] < k) continue;
        for (uint32_t q = r->goff[k]; q + 1 < r->goff[k + 1]; q++) {
            double dx = r->gx[q + 1] - r->gx[q], dy = r->gy[q + 1] - r->gy[q];
            size_t c = 1 + (size_t)(hypot(dx, dy) / SAMPLE_STEP);
            for (size_t i = 0; i < c; i++) {
                double f = ((double)i + 0.5) / (double)c;
                r->sx[s] = r->gx[q] + f * dx - xmin;
                r->sy[s] = r->gy[q] + f * dy - ymin;
                r->sseg[s] = q;
                s++;
            }
        }
    }
    r->nsamples = ns;
    double w = fmax(xmax - xmin, 1.0) * 1.0001, h = fmax(ymax - ymin, 1.0) * 1.0001;
    double cell = fmax(4 * SAMPLE_STEP, sqrt(w * h / (double)(ns + 1)));
    sl_status st = sl_grid_init(&r->grid, w, h, cell, 0, e);
    if (st == SL_OK) st = sl_grid_build(&r->grid, r->sx, r->sy, ns, e);
    return st;
}

typedef struct snap_q {
    const sl_roads *r;
    double x, y;           /* query, in the grid's frame */
    double best;           /* squared distance */
    uint32_t seg;
    double t;
    int found;
} snap_q;

static void visit(size_t j, double dx, double dy, double d2, void *user)
{
    (void)dx; (void)dy; (void)d2;
    snap_q *q = user;
    const sl_roads *r = q->r;
    uint32_t a = q->r->sseg[j];
    double ax = r->gx[a] - r->xmin, ay = r->gy[a] - r->ymin;
    double bx = r->gx[a + 1] - r->xmin, by = r->gy[a + 1] - r->ymin;
    double vx = bx - ax, vy = by - ay, L2 = vx * vx + vy * vy;
    double t = L2 > 0 ? ((q->x - ax) * vx + (q->y - ay) * vy) / L2 : 0;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    double px = ax + t * vx - q->x, py = ay + t * vy - q->y;
    double dd = px * px + py * py;
    if (!q->found || dd < q->best || (dd == q->best && a < q->seg)) {
        q->found = 1;
        q->best = dd;
        q->seg = a;
        q->t = t;
    }
}

sl_status sl_roads_snap(const sl_roads *r, double lon, double lat, const char *site,
                        sl_road_snap *out, sl_error *e)
{
    if (!site) site = "site";
    if (isnan(lon) || isnan(lat))
        return sl_error_set(e, SL_ERR_RANGE, "%s: the %s is not a number (NaN)", site,
                            isnan(lon) ? "longitude" : "latitude");
    if (!isfinite(lon) || !isfinite(lat) || lon < -180 || lon > 180 || lat < -90 || lat > 90)
        return sl_error_set(e, SL_ERR_RANGE, "%s: coordinates (%g, %g) are not a longitude in "
                            "[-180, 180] and a latitude in [-90, 90]", site, lon, lat);
    double lim = r->cfg.max_snap_m;
    /* a quick rejection of points far from the map (no grid arithmetic on huge numbers) */
    double clon = fmin(fmax(lon, r->info.lon_min), r->info.lon_max);
    double clat = fmin(fmax(lat, r->info.lat_min), r->info.lat_max);
    double away = sl_roads_haversine(lon, lat, clon, clat);
    if (away > lim)
        return sl_error_set(e, SL_ERR_RANGE, "%s: (%.6f, %.6f) is %.0f m outside the map %s "
                            "(limit %g m)", site, lon, lat, away, r->file, lim);
    double x, y;
    sl_roads_project(r, lon, lat, &x, &y);
    snap_q q = { r, x - r->xmin, y - r->ymin, 0, 0, 0, 0 };
    for (double rad = fmin(100.0, lim);; rad = fmin(rad * 4, lim)) {
        sl_grid_query(&r->grid, r->sx, r->sy, q.x, q.y, rad + r->sample_step / 2, (size_t)-1,
                      visit, &q);
        if ((q.found && q.best <= rad * rad) || rad >= lim) break;
    }
    if (!q.found || q.best > lim * lim)
        return sl_error_set(e, SL_ERR_RANGE, "%s: (%.6f, %.6f) is farther than %g m from every "
                            "road of %s", site, lon, lat, lim, r->file);
    uint32_t k = r->gedge[q.seg];
    /* position along the edge, by haversine length like the edge's own length */
    double before = 0, total = 0;
    for (uint32_t p = r->goff[k]; p + 1 < r->goff[k + 1]; p++) {
        double l = sl_roads_haversine(r->glon[p], r->glat[p], r->glon[p + 1], r->glat[p + 1]);
        if (p < q.seg) before += l;
        if (p == q.seg) before += q.t * l;
        total += l;
    }
    out->edge = (int)k;
    out->twin = r->twin[k];
    out->frac = total > 0 ? before / total : 0;
    if (out->frac > 1) out->frac = 1;
    out->lon = r->glon[q.seg] + q.t * (r->glon[q.seg + 1] - r->glon[q.seg]);
    out->lat = r->glat[q.seg] + q.t * (r->glat[q.seg + 1] - r->glat[q.seg]);
    out->dist_m = sl_roads_haversine(lon, lat, out->lon, out->lat);
    return SL_OK;
}
