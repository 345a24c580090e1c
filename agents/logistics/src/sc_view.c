/* sc_view.c - the supply chain seen in the viewer: sites by kind with labels, stores coloured by
 * stock or backlog, each vehicle's remaining route in its own colour, vehicles where they are.
 *
 * The drawing reads the model through the few accessors in the first part of this file (what a
 * site is and where, a store's stock and backlog, where a vehicle is and which sites it still
 * visits), so that the drawing part does not depend on how the model keeps its state. */
#include "sc_view.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sc_internal.h"
#include "swarmlab/checkpoint.h"
#include "swarmlab/view.h"

/* ---- what the layer reads from the model ---- */

/* Sites, numbered as the model's nodes; kind is sl_sc_kind (supplier .. store). */
static int nsites(const sl_sc *sc) { return sc->N; }
static int site_kind_of(const sl_sc *sc, int i) { return sc->site[i].kind; }
static long long site_id(const sl_sc *sc, int i) { return sc->site[i].id; }
static double site_x(const sl_sc *sc, int i) { return sc->nx[i]; }
static double site_y(const sl_sc *sc, int i) { return sc->ny[i]; }

/* Units on hand and backlogged at a site, summed over products. */
static void site_stock(const sl_sc *sc, int site, double *stock, double *backlog)
{
    *stock = *backlog = 0;
    for (int p = 0; p < sc->P; p++) {
        size_t k = (size_t)site * (size_t)sc->P + (size_t)p;
        *stock += sc->inv[k];
        *backlog += sc->back[k];
    }
}

/* A site's reference stock for the colour: its order-up-to level (or base-stock level) summed
 * over products; 0 when its policy has none. */
static double site_reference(const sl_sc *sc, int site)
{
    double S = sc->site[site].policy.S;
    return S > 0 && isfinite(S) ? S * sc->P : 0.0;
}

static int nvehicles(const sl_sc *sc) { return sc->V; }

/* Where vehicle v is: interpolated on the leg it drives, at its depot otherwise. */
static void vehicle_at(const sl_sc *sc, int v, double *x, double *y)
{
    slp_sc_vehicle_xy(sc, v, x, y);
}

/* The sites vehicle v still visits, in order, ending with its depot (a next trip planned while
 * under way starts after a stop at the depot); returns the count. */
static int vehicle_route(const sl_sc *sc, int v, int *sites, int max)
{
    const sc_vehicle *veh = &sc->veh[v];
    int n = 0, cur = veh->nstops - veh->nnext;
    for (int k = 0; k < veh->nstops && n < max - 2; k++) { /* max >= nstops + 2 */
        if (k == cur && k > 0)
            sites[n++] = veh->depot;
        sites[n++] = sc->orders[veh->stops[k]].site;
    }
    if (n > 0 || veh->state != VEH_DEPOT) sites[n++] = veh->depot;
    return n;
}

/* ---- the layer ---- */

typedef struct sc_view {
    sl_sc *sc;
    char pops[160];   /* "<name>_": the model's populations, drawn here */
    char name[48];
    int *route;       /* scratch: one vehicle's sites */
    int cap;
} sc_view;

static void sc_view_free(void *p)
{
    sc_view *v = p;
    if (!v) return;
    free(v->route);
    free(v);
}

static int bounds(sl_world *w, void *user, double out[4])
{
    (void)w;
    const sl_sc *sc = ((const sc_view *)user)->sc;
    int have = 0;
    for (int i = 0; i < nsites(sc); i++) {
        double x = site_x(sc, i), y = site_y(sc, i);
        if (!isfinite(x) || !isfinite(y)) continue;
        if (!have) { out[0] = out[2] = x; out[1] = out[3] = y; have = 1; continue; }
        out[0] = fmin(out[0], x);
        out[1] = fmin(out[1], y);
        out[2] = fmax(out[2], x);
        out[3] = fmax(out[3], y);
    }
    return have;
}

/* Vehicle colours: distinct hues, a little transparent for routes. */
static sl_rgba vehicle_color(int v, unsigned alpha)
{
    static const sl_rgba hue[] = { 0x4c8df600u, 0xf3722c00u, 0xb388eb00u, 0x4cc9f000u,
                                   0xd16ba500u, 0xf9c74f00u, 0x43aa8b00u, 0xff9f1c00u,
                                   0x9b5de500u, 0x00bbf900u, 0xf1512000u, 0x8ac92600u };
    return hue[v % (int)(sizeof hue / sizeof hue[0])] | alpha;
}

#define C_WAREHOUSE 0xf2f2f2ffu
#define C_LABEL 0xe6edf3ffu
#define C_OUTLINE 0x0b0e13ffu

/* Stock from empty (amber) to the reference level (green); backlog in red, darker with more. */
static sl_rgba store_color(double stock, double backlog, double ref)
{
    static const uint8_t stock_ramp[][3] = { { 240, 160, 40 }, { 200, 200, 70 }, { 70, 190, 90 } };
    static const uint8_t back_ramp[][3] = { { 255, 120, 110 }, { 200, 30, 40 } };
    if (backlog > 0) return sl_view_ramp(back_ramp, 2, backlog / ref);
    return sl_view_ramp(stock_ramp, 3, stock / ref);
}

/* "S12" for store 12, "warehouse 1", "cross-dock 3", "plant 2", "supplier 5". */
static void site_label(sl_draw *d, const sl_sc *sc, int i, double x, double y)
{
    char text[48];
    int kind = site_kind_of(sc, i);
    if (kind == SL_SC_STORE) snprintf(text, sizeof text, "S%lld", site_id(sc, i));
    else snprintf(text, sizeof text, "%s %lld", kind == SL_SC_CROSSDOCK ? "cross-dock" :
                                                 sl_sc_kind_name(kind), site_id(sc, i));
    d->text(d, x, y, text, C_LABEL);
}

/* The sites that are not stores, by shape: a warehouse is a ringed square, a cross-dock a
 * diamond, a plant a filled square, a supplier a triangle; the centre dot shows the stock's
 * colour as for stores. */
static void draw_depot_site(sl_draw *d, int kind, double x, double y, double px, sl_rgba fill)
{
    double r = 9 * px;
    d->circle(d, x, y, r + 2 * px, C_OUTLINE, 1);
    if (kind == SL_SC_WAREHOUSE || kind == SL_SC_PLANT) {
        for (int k = -1; k <= 1; k += 2) {
            d->line(d, x - r, y + k * r, x + r, y + k * r, C_WAREHOUSE, 2.0);
            d->line(d, x + k * r, y - r, x + k * r, y + r, C_WAREHOUSE, 2.0);
        }
        if (kind == SL_SC_PLANT)
            for (double t = -r + 2 * px; t < r - 1.5 * px; t += 2 * px)
                d->line(d, x - r, y + t, x + r, y + t, C_WAREHOUSE, 1.0);
    } else if (kind == SL_SC_CROSSDOCK) {
        double q = r * 1.3;
        d->line(d, x - q, y, x, y - q, C_WAREHOUSE, 2.0);
        d->line(d, x, y - q, x + q, y, C_WAREHOUSE, 2.0);
        d->line(d, x + q, y, x, y + q, C_WAREHOUSE, 2.0);
        d->line(d, x, y + q, x - q, y, C_WAREHOUSE, 2.0);
    } else {   /* supplier */
        double h = r * 1.2;
        d->line(d, x - h, y + r, x + h, y + r, C_WAREHOUSE, 2.0);
        d->line(d, x + h, y + r, x, y - h, C_WAREHOUSE, 2.0);
        d->line(d, x, y - h, x - h, y + r, C_WAREHOUSE, 2.0);
    }
    d->point(d, x, y, fill, 6);
}

static void draw(sl_draw *d, sl_world *w, void *user)
{
    (void)w;
    sc_view *sv = user;
    const sl_sc *sc = sv->sc;
    double ppu = d->pixels_per_unit(d);
    double px = ppu > 0 ? 1.0 / ppu : 1.0;   /* one pixel in world units */
    int ns = nsites(sc), nv = nvehicles(sc);

    /* routes under everything else */
    int need = 2; /* the longest plan: its stops, the depot between two trips, the depot */
    for (int v = 0; v < nv; v++)
        if (sc->veh[v].nstops + 2 > need)
            need = sc->veh[v].nstops + 2;
    if (sv->cap < need) {
        int *r = realloc(sv->route, (size_t)need * sizeof *r);
        if (!r) return;
        sv->route = r;
        sv->cap = need;
    }
    for (int v = 0; v < nv; v++) {
        int n = vehicle_route(sc, v, sv->route, sv->cap);
        double x, y;
        vehicle_at(sc, v, &x, &y);
        sl_rgba c = vehicle_color(v, 0xb0u);
        for (int k = 0; k < n; k++) {
            double nx = site_x(sc, sv->route[k]), ny = site_y(sc, sv->route[k]);
            d->line(d, x, y, nx, ny, c, 2.0);
            x = nx;
            y = ny;
        }
    }

    /* sites: stores as discs coloured by stock or backlog, the other kinds by shape */
    double ref_all = 0;
    for (int i = 0; i < ns; i++) ref_all = fmax(ref_all, site_reference(sc, i));
    int nstores = 0;
    for (int i = 0; i < ns; i++) nstores += site_kind_of(sc, i) == SL_SC_STORE;
    int labels = nstores <= 80 || ppu * 40 > 1;
    for (int i = 0; i < ns; i++) {
        double x = site_x(sc, i), y = site_y(sc, i);
        double stock, backlog, ref = site_reference(sc, i);
        site_stock(sc, i, &stock, &backlog);
        if (!(ref > 0)) ref = ref_all > 0 ? ref_all : 1.0;
        int kind = site_kind_of(sc, i);
        if (kind == SL_SC_STORE) {
            d->circle(d, x, y, 6 * px, C_OUTLINE, 1);
            d->circle(d, x, y, 5 * px, store_color(stock, backlog, ref), 1);
            if (labels) site_label(d, sc, i, x + 8 * px, y - 6 * px);
        } else {
            draw_depot_site(d, kind, x, y, px, store_color(stock, backlog, ref));
            site_label(d, sc, i, x + 13 * px, y - 8 * px);
        }
    }

    /* vehicles on top, in their route's colour */
    for (int v = 0; v < nv; v++) {
        double x, y;
        vehicle_at(sc, v, &x, &y);
        d->point(d, x, y, C_OUTLINE, 10);
        d->point(d, x, y, vehicle_color(v, 0xffu), 7);
    }
}

sl_status slp_sc_view_add(sl_world *w, sl_sc *sc, sl_error *e)
{
    sc_view *v = calloc(1, sizeof *v);
    if (!v) return sl_error_set(e, SL_ERR_NOMEM, "supply chain view: out of memory");
    v->sc = sc;
    snprintf(v->pops, sizeof v->pops, "%s_", sl_sc_name(sc));
    snprintf(v->name, sizeof v->name, "supply chain %s", sl_sc_name(sc));
    char key[200];
    snprintf(key, sizeof key, "supply_chain_view:%s", sl_sc_name(sc));
    sl_status s = sl_world_attach(w, key, v, sc_view_free, e);
    if (s != SL_OK) {
        sc_view_free(v);
        return s;
    }
    /* no run-time state: sl_sc_create makes the layer again on a restore */
    s = sl_checkpoint_register(w, key, NULL, NULL, e);
    if (s != SL_OK) return s;
    sl_view_layer_def def = { .name = v->name, .swatch = C_WAREHOUSE, .draw = draw,
                              .bounds = bounds, .user = v, .pops = v->pops };
    return sl_view_add_layer(w, &def, e);
}
