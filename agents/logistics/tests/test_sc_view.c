/* test_sc_view.c - the supply chain's viewer layer, drawn into a recording sl_draw: one labelled
 * disc per store where the store is, the warehouse where it is, routes in each vehicle's colour
 * ending at the depot, stores coloured by stock and backlog, bounds that frame every site from
 * step 0, and the model's populations left to the layer. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "swarmlab/supply_chain.h"
#include "swarmlab/view.h"

#define MAXREC 4096

typedef struct rec {
    char kind;   /* 'l' line, 'c' circle, 'p' point, 't' text */
    double x0, y0, x1, y1, r;
    sl_rgba c;
    char s[32];
} rec;

static rec recs[MAXREC];
static int nrec;

static void add(char k, double x0, double y0, double x1, double y1, double r, sl_rgba c,
                const char *s)
{
    if (nrec >= MAXREC) return;
    rec *q = &recs[nrec++];
    q->kind = k;
    q->x0 = x0; q->y0 = y0; q->x1 = x1; q->y1 = y1; q->r = r; q->c = c;
    snprintf(q->s, sizeof q->s, "%s", s ? s : "");
}
static void m_line(sl_draw *d, double x0, double y0, double x1, double y1, sl_rgba c, double w)
{
    (void)d; (void)w;
    add('l', x0, y0, x1, y1, 0, c, NULL);
}
static void m_circle(sl_draw *d, double x, double y, double r, sl_rgba c, int filled)
{
    (void)d; (void)filled;
    add('c', x, y, x, y, r, c, NULL);
}
static void m_point(sl_draw *d, double x, double y, sl_rgba c, double size)
{
    (void)d;
    add('p', x, y, x, y, size, c, NULL);
}
static void m_text(sl_draw *d, double x, double y, const char *s, sl_rgba c)
{
    (void)d;
    add('t', x, y, x, y, 0, c, s);
}
static void m_heat(sl_draw *d, double x0, double y0, double x1, double y1, int nx, int ny,
                   const double *v, double lo, double hi)
{
    (void)d; (void)x0; (void)y0; (void)x1; (void)y1; (void)nx; (void)ny; (void)v; (void)lo; (void)hi;
}
static double m_ppu(sl_draw *d) { (void)d; return 2.0; }

static const sl_view_layer_def *layer(sl_world *w)
{
    const sl_view_layers *L = sl_view_layers_of(w);
    ck_assert_ptr_nonnull(L);
    for (int i = 0; i < L->n; i++)
        if (strcmp(L->def[i].name, "supply chain sc") == 0) return &L->def[i];
    ck_abort_msg("no layer 'supply chain sc'");
    return NULL;
}

static void draw_once(sl_world *w)
{
    sl_draw d = { NULL, m_line, m_circle, m_point, m_text, m_heat, m_ppu };
    const sl_view_layer_def *l = layer(w);
    nrec = 0;
    l->draw(&d, w, l->user);
}

/* The fill colour drawn at (x, y): the smaller of the two discs there (the outline is larger). */
static int disc_at(double x, double y, sl_rgba *fill)
{
    int found = 0;
    double rmin = INFINITY;
    for (int i = 0; i < nrec; i++)
        if (recs[i].kind == 'c' && fabs(recs[i].x0 - x) < 1e-9 && fabs(recs[i].y0 - y) < 1e-9) {
            found++;
            if (recs[i].r < rmin) { rmin = recs[i].r; *fill = recs[i].c; }
        }
    return found;
}

static int has_text(const char *s)
{
    for (int i = 0; i < nrec; i++)
        if (recs[i].kind == 't' && strcmp(recs[i].s, s) == 0) return 1;
    return 0;
}

/* A warehouse (id 1, the fleet's depot) at (wx, wy), stores (ids 101, ...) at sx, sy with
 * `stock` units, and a supplier (id 2) at the warehouse: the sites are numbered warehouse 0,
 * stores 1..n, supplier n + 1. */
static sl_sc_site g_sites[16];

static sl_sc_def view_def(int n, const double *sx, const double *sy, double wx, double wy,
                          double stock, int nvehicles)
{
    g_sites[0] = sl_sc_site_default(SL_SC_WAREHOUSE, 1);
    g_sites[0].x = wx;
    g_sites[0].y = wy;
    g_sites[0].stock0 = 400;
    for (int s = 0; s < n; s++) {
        g_sites[1 + s] = sl_sc_site_default(SL_SC_STORE, 101 + s);
        g_sites[1 + s].x = sx[s];
        g_sites[1 + s].y = sy[s];
        g_sites[1 + s].stock0 = stock;
    }
    g_sites[1 + n] = sl_sc_site_default(SL_SC_SUPPLIER, 2);
    g_sites[1 + n].x = wx;
    g_sites[1 + n].y = wy;
    sl_sc_def def = sl_sc_def_default();
    def.name = "sc";
    def.nsites = n + 2;
    def.sites = g_sites;
    def.depot = 1;
    def.nvehicles = nvehicles;
    return def;
}

START_TEST(layer_draws_sites_routes_and_vehicles)
{
    enum { S = 6 };
    double sx[S] = { 100, 200, 300, 400, 500, 600 }, sy[S] = { 50, 80, 20, 300, 250, 120 };
    sl_error e;
    sl_world *w = sl_world_create(5);
    /* stock 2, below the reorder point: every store orders at once */
    sl_sc_def def = view_def(S, sx, sy, 350, 150, 2, 2);
    for (int s = 0; s < S; s++) {
        g_sites[1 + s].demand.kind = SL_DEMAND_CONSTANT;
        g_sites[1 + s].demand.mean = 3;
    }
    sl_sc *sc = sl_sc_create(w, &def, &e);
    ck_assert_msg(sc != NULL, "%s", e.msg);

    /* step 0: every site is framed and drawn, though the populations are not filled yet */
    const sl_view_layer_def *l = layer(w);
    ck_assert_ptr_nonnull(l->bounds);
    ck_assert_ptr_nonnull(l->pops);
    ck_assert_str_eq(l->pops, "sc_");
    double b[4];
    ck_assert_int_eq(l->bounds(w, l->user, b), 1);
    ck_assert(b[0] == 100 && b[2] == 600 && b[1] == 20 && b[3] == 300);
    draw_once(w);
    char label[16];
    for (int s = 0; s < S; s++) {
        sl_rgba fill;
        ck_assert_int_eq(disc_at(sx[s], sy[s], &fill), 2);   /* outline and fill */
        snprintf(label, sizeof label, "S%d", 101 + s);   /* stores are labelled by id */
        ck_assert_msg(has_text(label), "no label %s", label);
    }
    ck_assert(has_text("warehouse 1"));
    ck_assert(has_text("supplier 2"));

    /* a few steps: demand 3 per step empties stocks of 2 (backlog) until deliveries arrive */
    int saw_route = 0, saw_backlog = 0;
    for (int t = 1; t <= 12; t++) {
        ck_assert_int_eq(sl_world_step(w, &e), SL_OK);
        draw_once(w);
        sl_pop *ps = sl_world_pop(w, "sc_stores");
        ck_assert_ptr_nonnull(ps);
        int cb = sl_pop_column(ps, "backlog"), ci = sl_pop_column(ps, "inventory");
        for (int s = 0; s < S; s++) {
            sl_rgba fill;
            ck_assert_int_eq(disc_at(sx[s], sy[s], &fill), 2);
            double back = sl_pop_get(ps, cb, (size_t)s), inv = sl_pop_get(ps, ci, (size_t)s);
            int red = (fill >> 24) > 190 && ((fill >> 16) & 0xff) < 130;
            if (back > 0) { ck_assert_msg(red, "store %d owes %g, colour %08x", s, back, fill); saw_backlog = 1; }
            else ck_assert_msg(!red, "store %d has %g and no backlog, colour %08x", s, inv, fill);
        }
        /* every vehicle with stops draws its route in its own colour, ending at the warehouse */
        for (int v = 0; v < 2; v++) {
            int stores[64];
            int n = sl_sc_vehicle_route(sc, v, stores, 64);
            if (n == 0) continue;
            sl_rgba col = 0;
            int segs = 0, ends_at_depot = 0, visits_first = 0;
            for (int i = 0; i < nrec; i++) {
                if (recs[i].kind != 'l' || (recs[i].c & 0xff) == 0xff) continue;   /* routes are translucent */
                if (recs[i].x1 == sx[stores[0]] && recs[i].y1 == sy[stores[0]] && !visits_first) {
                    visits_first = 1;
                    col = recs[i].c;
                }
            }
            ck_assert_msg(visits_first, "vehicle %d: no segment to its first stop", v);
            for (int i = 0; i < nrec; i++) {
                if (recs[i].kind != 'l' || recs[i].c != col) continue;
                segs++;
                ends_at_depot |= recs[i].x1 == 350 && recs[i].y1 == 150;
            }
            ck_assert_int_ge(segs, n + 1);
            ck_assert(ends_at_depot);
            saw_route = 1;
        }
    }
    ck_assert_msg(saw_route, "no vehicle had a route in 12 steps");
    ck_assert_msg(saw_backlog, "no store was ever backlogged");
    /* the routes of the two vehicles differ in colour */
    sl_world_destroy(w);
}
END_TEST

START_TEST(vehicles_drawn_where_the_population_puts_them)
{
    double sx[3] = { 0, 1000, 0 }, sy[3] = { 0, 0, 1000 };
    sl_error e;
    sl_world *w = sl_world_create(9);
    sl_sc_def def = view_def(3, sx, sy, 500, 500, 0, 3);
    def.speed = 30;
    sl_sc *sc = sl_sc_create(w, &def, &e);
    ck_assert_msg(sc != NULL, "%s", e.msg);
    for (int t = 1; t <= 20; t++) {
        ck_assert_int_eq(sl_world_step(w, &e), SL_OK);
        draw_once(w);
        sl_pop *pv = sl_world_pop(w, "sc_vehicles");
        int cx = sl_pop_column(pv, "x"), cy = sl_pop_column(pv, "y");
        for (int v = 0; v < 3; v++) {
            double x = sl_pop_get(pv, cx, (size_t)v), y = sl_pop_get(pv, cy, (size_t)v);
            int found = 0;
            for (int i = 0; i < nrec; i++)
                found |= recs[i].kind == 'p' && fabs(recs[i].x0 - x) < 1e-9 &&
                         fabs(recs[i].y0 - y) < 1e-9;
            ck_assert_msg(found, "step %d: vehicle %d at (%g, %g) not drawn", t, v, x, y);
        }
    }
    sl_world_destroy(w);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sc_view");
    TCase *t = tcase_create("layer");
    tcase_add_test(t, layer_draws_sites_routes_and_vehicles);
    tcase_add_test(t, vehicles_drawn_where_the_population_puts_them);
    suite_add_tcase(s, t);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? 1 : 0;
}
