/* layers.c - what the viewer draws from a world: populations, fields, graphs, module layers and
 * the scenario's draw callback; framing (bounds), picking and colouring by a column. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "swarmlab/field.h"
#include "swarmlab/graph.h"
#include "view_impl.h"

#define GRAPH_MAX_EDGES 400000

/* ---- colour maps (sl_view_ramp, sl_view_heat: view.h) ---- */
sl_rgba slp_view_viridis(double t)
{
    static const uint8_t s[][3] = { { 68, 1, 84 },    { 65, 68, 135 },  { 42, 120, 142 },
                                    { 34, 168, 132 }, { 122, 209, 81 }, { 253, 231, 37 } };
    return sl_view_ramp(s, 6, t);
}

static const sl_rgba POP_COLORS[] = { 0x4cc9f0ff, 0xf9c74fff, 0xf94144ff, 0x90be6dff,
                                      0xf3722cff, 0xb388ebff, 0x43aa8bff, 0xff8fabff };
static const sl_rgba CATEGORY[] = { 0x4e79a7ff, 0xf28e2bff, 0xe15759ff, 0x76b7b2ff,
                                    0x59a14fff, 0xedc948ff, 0xb07aa1ff, 0xff9da7ff,
                                    0x9c755fff, 0xbab0acff, 0x86bcb6ff, 0xd4a6c8ff };

sl_rgba slp_view_pop_color(int i)
{
    return POP_COLORS[i % (int)(sizeof POP_COLORS / sizeof POP_COLORS[0])];
}

/* ---- column access ---- */
typedef struct colref {
    const void *p;
    sl_type t;
} colref;

static int colref_get(const sl_pop *p, const char *name, colref *out)
{
    int c = sl_pop_column(p, name);
    if (c < 0) return 0;
    out->p = sl_pop_cdata(p, c);
    out->t = sl_pop_column_type(p, c);
    return 1;
}

static inline double colval(colref c, size_t i)
{
    switch (c.t) {
    case SL_F64: return ((const double *)c.p)[i];
    case SL_F32: return ((const float *)c.p)[i];
    case SL_I64: return (double)((const int64_t *)c.p)[i];
    case SL_I32: return ((const int32_t *)c.p)[i];
    case SL_U8: return ((const uint8_t *)c.p)[i];
    }
    return NAN;
}

static int pop_drawable(const sl_pop *p)
{
    return sl_pop_column(p, "x") >= 0 && sl_pop_column(p, "y") >= 0;
}

static int graph_has_positions(const sl_graph *g)
{
    if (!g || !g->x || !g->y) return 0;
    for (int i = 0; i < g->n; i++)
        if (g->x[i] != 0 || g->y[i] != 0) return 1;
    return 0;
}

/* A population that a registered layer draws itself (sl_view_layer_def.pops). */
static int drawn_by_layer(const sl_world *w, const sl_pop *p)
{
    const sl_view_layers *reg = sl_view_layers_of(w);
    const char *name = sl_pop_name(p);
    for (int i = 0; reg && i < reg->n; i++) {
        const char *pre = reg->def[i].pops;
        if (pre && pre[0] && strncmp(name, pre, strlen(pre)) == 0) return 1;
    }
    return 0;
}

static int is_hidden(const sl_view *v, const char *name)
{
    for (int i = 0; i < v->nhidden; i++)
        if (strcmp(v->hidden[i], name) == 0) return 1;
    return 0;
}

static void add_layer(sl_view *v, const char *name, slp_view_layer_kind kind, int index, sl_rgba swatch,
                      size_t count)
{
    if (v->nlayers >= VL_MAX) return;
    slp_view_layer *l = &v->layers[v->nlayers++];
    snprintf(l->name, sizeof l->name, "%s", name);
    l->kind = kind;
    l->index = index;
    l->swatch = swatch;
    l->count = count;
    l->visible = !is_hidden(v, l->name);
}

void slp_view_refresh(sl_view *v)
{
    v->nlayers = 0;
    sl_world *w = v->world;
    if (!w) return;
    char name[VL_NAME];
    for (int i = 0; i < sl_world_nfields(w); i++) {
        sl_field *f = sl_world_field_at(w, i);
        snprintf(name, sizeof name, "field %s", sl_world_field_name(w, i));
        add_layer(v, name, VL_FIELD, i, sl_view_heat(0.75), (size_t)f->nx * (size_t)f->ny);
    }
    for (int i = 0; i < sl_world_ngraphs(w); i++) {
        sl_graph *g = sl_world_graph_at(w, i);
        if (!graph_has_positions(g)) continue;
        snprintf(name, sizeof name, "graph %s", sl_world_graph_name(w, i));
        add_layer(v, name, VL_GRAPH, i, 0x8aa2c8ff, g->m);
    }
    const sl_view_layers *reg = sl_view_layers_of(w);
    for (int i = 0; reg && i < reg->n; i++)
        add_layer(v, reg->def[i].name, VL_PROVIDER, i, reg->def[i].swatch ? reg->def[i].swatch
                                                                          : 0xccccccff, 0);
    for (int i = 0; i < sl_world_npops(w); i++) {
        sl_pop *p = sl_world_pop_at(w, i);
        if (!pop_drawable(p) || drawn_by_layer(w, p)) continue;
        add_layer(v, sl_pop_name(p), VL_POP, i, slp_view_pop_color(i), sl_pop_count(p));
    }
    v->has_lua_draw = v->L && slp_view_lua_has_draw(v->L);
    if (v->has_lua_draw) add_layer(v, "scenario draw()", VL_LUA, 0, 0xffffffff, 0);
}

static void grow(double b[4], int *have, double x, double y)
{
    if (!isfinite(x) || !isfinite(y)) return;
    if (!*have) { b[0] = b[2] = x; b[1] = b[3] = y; *have = 1; return; }
    if (x < b[0]) b[0] = x;
    if (x > b[2]) b[2] = x;
    if (y < b[1]) b[1] = y;
    if (y > b[3]) b[3] = y;
}

/* The extent of what the world has to show: 2 with a real extent (a plane, or things spread
 * over an area or a line), 1 when everything sits on one point (b is a unit box around it), 0
 * when there is nothing to frame (b is the unit square). */
int slp_view_world_bounds(sl_view *v, double b[4])
{
    sl_world *w = v->world;
    int have = 0;
    b[0] = b[1] = 0;
    b[2] = b[3] = 1;
    if (!w) return 0;
    const sl_plane *pl = sl_world_plane(w);
    if (pl && pl->width > 0 && pl->height > 0) {
        b[0] = 0; b[1] = 0; b[2] = pl->width; b[3] = pl->height;
        return 2;
    }
    for (int i = 0; i < sl_world_nfields(w); i++) {
        sl_field *f = sl_world_field_at(w, i);
        grow(b, &have, 0, 0);
        grow(b, &have, f->nx * f->cell, f->ny * f->cell);
    }
    for (int i = 0; i < sl_world_ngraphs(w); i++) {
        sl_graph *g = sl_world_graph_at(w, i);
        if (!graph_has_positions(g)) continue;
        for (int k = 0; k < g->n; k++) grow(b, &have, g->x[k], g->y[k]);
    }
    const sl_view_layers *reg = sl_view_layers_of(w);
    for (int i = 0; reg && i < reg->n; i++) {
        double lb[4];
        if (reg->def[i].bounds && reg->def[i].bounds(w, reg->def[i].user, lb)) {
            grow(b, &have, lb[0], lb[1]);
            grow(b, &have, lb[2], lb[3]);
        }
    }
    for (int i = 0; i < sl_world_npops(w); i++) {
        sl_pop *p = sl_world_pop_at(w, i);
        colref cx, cy;
        if (!colref_get(p, "x", &cx) || !colref_get(p, "y", &cy) || drawn_by_layer(w, p)) continue;
        size_t n = sl_pop_count(p);
        for (size_t k = 0; k < n; k++) grow(b, &have, colval(cx, k), colval(cy, k));
    }
    if (!have) return 0;
    double ext = fmax(b[2] - b[0], b[3] - b[1]);
    int point = !(ext > 0);   /* everything sits on one point: a frame of no real extent */
    if (point) ext = 1;
    if (b[2] - b[0] < 1e-9 * ext + 1e-12) { b[0] -= 0.5 * ext; b[2] += 0.5 * ext; }
    if (b[3] - b[1] < 1e-9 * ext + 1e-12) { b[1] -= 0.5 * ext; b[3] += 0.5 * ext; }
    return point ? 1 : 2;
}

/* ---- colouring ---- */
const char *slp_view_color_column(const sl_view *v, const char *pop)
{
    for (int i = 0; i < v->ncolorby; i++)
        if (strcmp(v->colorby[i].pop, pop) == 0) return v->colorby[i].col[0] ? v->colorby[i].col : NULL;
    return NULL;
}

static slp_view_colorby *colorby_slot(sl_view *v, const char *pop)
{
    for (int i = 0; i < v->ncolorby; i++)
        if (strcmp(v->colorby[i].pop, pop) == 0) return &v->colorby[i];
    if (v->ncolorby >= (int)(sizeof v->colorby / sizeof v->colorby[0])) return NULL;
    slp_view_colorby *c = &v->colorby[v->ncolorby++];
    snprintf(c->pop, sizeof c->pop, "%s", pop);
    c->col[0] = '\0';
    return c;
}

sl_status sl_view_color_by(sl_view *v, const char *pop, const char *column, sl_error *e)
{
    sl_pop *p = v->world ? sl_world_pop(v->world, pop) : NULL;
    if (!p) return sl_error_set(e, SL_ERR_RANGE, "view: no population '%s'", pop);
    if (column && sl_pop_column(p, column) < 0)
        return sl_error_set(e, SL_ERR_RANGE, "view: population '%s' has no column '%s'", pop,
                            column);
    slp_view_colorby *c = colorby_slot(v, pop);
    if (!c) return sl_error_set(e, SL_ERR_RANGE, "view: too many coloured populations");
    snprintf(c->col, sizeof c->col, "%s", column ? column : "");
    return SL_OK;
}

void slp_view_cycle_color(sl_view *v)
{
    if (!v->world) return;
    sl_pop *p = v->st.inspect_pop[0] ? sl_world_pop(v->world, v->st.inspect_pop) : NULL;
    for (int i = 0; !p && i < v->nlayers; i++)
        if (v->layers[i].kind == VL_POP && v->layers[i].visible)
            p = sl_world_pop_at(v->world, v->layers[i].index);
    if (!p) return;
    const char *cur = slp_view_color_column(v, sl_pop_name(p));
    int nc = sl_pop_ncolumns(p), start = cur ? sl_pop_column(p, cur) + 1 : 0;
    const char *next = NULL;
    for (int c = start; c < nc; c++) {
        const char *n = sl_pop_column_name(p, c);
        if (strcmp(n, "x") == 0 || strcmp(n, "y") == 0) continue;
        next = n;
        break;
    }
    sl_view_color_by(v, sl_pop_name(p), next, NULL);
    slp_view_message(v, "colour %s by %s", sl_pop_name(p), next ? next : "population");
}

/* ---- drawing ---- */
static void draw_pop(sl_view *v, sl_pop *p, int pi)
{
    colref cx, cy, cvx = { 0 }, cvy = { 0 }, ch = { 0 }, cc = { 0 };
    if (!colref_get(p, "x", &cx) || !colref_get(p, "y", &cy)) return;
    size_t n = sl_pop_count(p);
    if (n == 0) return;
    int has_v = colref_get(p, "vx", &cvx) && colref_get(p, "vy", &cvy);
    int has_h = !has_v && (colref_get(p, "heading", &ch) || colref_get(p, "angle", &ch) ||
                           colref_get(p, "theta", &ch));
    const char *colname = slp_view_color_column(v, sl_pop_name(p));
    int has_c = colname && colref_get(p, colname, &cc);
    double lo = 0, hi = 1;
    int categorical = 0;
    if (has_c) {
        lo = INFINITY; hi = -INFINITY;
        for (size_t i = 0; i < n; i++) {
            double val = colval(cc, i);
            if (val < lo) lo = val;
            if (val > hi) hi = val;
        }
        if (!(hi >= lo)) { lo = 0; hi = 1; }
        categorical = cc.t != SL_F64 && cc.t != SL_F32 && hi - lo <= 11;
        if (!v->color_label[0]) {
            v->color_lo = lo;
            v->color_hi = hi;
            snprintf(v->color_label, sizeof v->color_label, "%s.%s%s", sl_pop_name(p), colname,
                     categorical ? " (categories)" : "");
        }
    }
    sl_rgba base = slp_view_pop_color(pi);
    double span = hi > lo ? hi - lo : 1;
    int tri = (has_v || has_h) && n <= TRIANGLE_MAX_AGENTS;
    int size = n <= 2000 ? 5 : (n <= 20000 ? 3 : 2);
    double len = fmin(20.0, fmax(9.0, 9.0 * sqrt(v->st.zoom)));
    slp_view_canvas *cv = &v->canvas;
    double W2, H2, s = v->scale;
    double cxw = v->st.center_x, cyw = v->st.center_y;
    sl_view_world_to_screen(v, cxw, cyw, &W2, &H2);   /* where the camera centre is drawn */
    double ys = v->st.y_up ? -1 : 1;                   /* world y up: screen y reversed */
    for (size_t i = 0; i < n; i++) {
        double sx = (colval(cx, i) - cxw) * s + W2, sy = ys * (colval(cy, i) - cyw) * s + H2;
        if (!(sx > -20 && sx < cv->w + 20 && sy > -20 && sy < cv->h + 20)) continue;
        sl_rgba col = base;
        if (has_c) {
            double val = colval(cc, i);
            if (categorical) {
                long k = lround(val - lo);
                col = CATEGORY[(k < 0 ? 0 : k) % (long)(sizeof CATEGORY / sizeof CATEGORY[0])];
            } else {
                col = slp_view_viridis((val - lo) / span);
            }
        }
        if (tri) {
            double hx, hy;
            if (has_v) {
                hx = colval(cvx, i);
                hy = colval(cvy, i);
                double m = sqrt(hx * hx + hy * hy);
                if (m > 0) { hx /= m; hy /= m; } else { hx = 1; hy = 0; }
            } else {
                double a = colval(ch, i);
                hx = cos(a);
                hy = sin(a);
            }
            hy *= ys;
            double tx = sx + hx * 0.6 * len, ty = sy + hy * 0.6 * len;
            double bx = sx - hx * 0.4 * len, by = sy - hy * 0.4 * len;
            double wx = -hy * 0.3 * len, wy = hx * 0.3 * len;
            slp_view_canvas_triangle(cv, tx, ty, bx + wx, by + wy, bx - wx, by - wy, col);
        } else if (size >= 5) {
            slp_view_canvas_circle(cv, sx, sy, 2.5, col, 1);
        } else {
            slp_view_canvas_dot(cv, sx, sy, size, col);
        }
    }
}

static void draw_graph(sl_view *v, sl_draw *d, sl_graph *g)
{
    if (g->m <= GRAPH_MAX_EDGES) {
        if (g->finalized) {
            for (int u = 0; u < g->n; u++)
                for (uint32_t k = g->row[u]; k < g->row[u + 1]; k++) {
                    int t = (int)g->col[k];
                    if (t < u && !isnan(sl_graph_weight(g, t, u))) continue; /* drawn from t */
                    d->line(d, g->x[u], g->y[u], g->x[t], g->y[t], 0x8aa2c880, 1);
                }
        } else {
            for (size_t k = 0; k < g->m && g->esrc; k++) {
                int u = (int)g->esrc[k], t = (int)g->edst[k];
                if (u < 0 || t < 0 || u >= g->n || t >= g->n) continue;
                d->line(d, g->x[u], g->y[u], g->x[t], g->y[t], 0x8aa2c880, 1);
            }
        }
    }
    int r = g->n <= 2000 ? 3 : 1;
    for (int u = 0; u < g->n; u++) {
        double sx, sy;
        sl_view_world_to_screen(v, g->x[u], g->y[u], &sx, &sy);
        if (r > 1) slp_view_canvas_circle(&v->canvas, sx, sy, r, 0xd0dcf0ff, 1);
        else slp_view_canvas_dot(&v->canvas, sx, sy, 2, 0xd0dcf0ff);
    }
}

void slp_view_draw_world(sl_view *v, sl_draw *d)
{
    sl_world *w = v->world;
    if (!w) return;
    v->color_label[0] = '\0';
    const sl_view_layers *reg = sl_view_layers_of(w);
    for (int i = 0; i < v->nlayers; i++) {
        slp_view_layer *l = &v->layers[i];
        if (!l->visible || l->kind == VL_LUA) continue;
        if (l->kind == VL_FIELD) {
            sl_field *f = sl_world_field_at(w, l->index);
            double lo = 0, hi = sl_field_max(f);
            size_t nc = (size_t)f->nx * (size_t)f->ny;
            for (size_t k = 0; k < nc; k++)
                if (f->v[k] < lo) lo = f->v[k];
            d->heatmap(d, 0, 0, f->nx * f->cell, f->ny * f->cell, f->nx, f->ny, f->v, lo, hi);
        } else if (l->kind == VL_GRAPH) {
            draw_graph(v, d, sl_world_graph_at(w, l->index));
        } else if (l->kind == VL_PROVIDER && reg && l->index < reg->n) {
            reg->def[l->index].draw(d, w, reg->def[l->index].user);
        }
    }
    for (int i = 0; i < v->nlayers; i++) {
        slp_view_layer *l = &v->layers[i];
        if (l->visible && l->kind == VL_POP) draw_pop(v, sl_world_pop_at(w, l->index), l->index);
    }
}

int slp_view_pick(sl_view *v, double sx, double sy, char *pop, size_t poplen, uint64_t *id)
{
    double best = 10.0 * 10.0;
    int found = 0;
    if (!v->world) return 0;
    for (int li = 0; li < v->nlayers; li++) {
        slp_view_layer *l = &v->layers[li];
        if (!l->visible || l->kind != VL_POP) continue;
        sl_pop *p = sl_world_pop_at(v->world, l->index);
        colref cx, cy;
        if (!colref_get(p, "x", &cx) || !colref_get(p, "y", &cy)) continue;
        size_t n = sl_pop_count(p);
        for (size_t i = 0; i < n; i++) {
            double px, py;
            sl_view_world_to_screen(v, colval(cx, i), colval(cy, i), &px, &py);
            double d2 = (px - sx) * (px - sx) + (py - sy) * (py - sy);
            if (d2 <= best) {
                best = d2;
                found = 1;
                snprintf(pop, poplen, "%s", sl_pop_name(p));
                *id = sl_pop_id(p, i);
            }
        }
    }
    return found;
}
