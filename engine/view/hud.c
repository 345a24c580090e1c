/* hud.c - what is drawn over the world: status, metrics, legend, chart, inspected agent,
 * parameter sliders, help overlay and the transient message line. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "swarmlab/lua_host.h"
#include "swarmlab/recorder.h"
#include "view_impl.h"

#define PANEL_BG 0x0d1117dcu
#define PANEL_EDGE 0x3a4250ffu
#define TEXT 0xe6edf3ffu
#define DIM 0x8b949effu
#define ACCENT 0x58a6ffffu
#define PAD 8
#define CHART_ROWS 1000

static const sl_rgba SERIES[] = { 0x58a6ffff, 0xf9c74fff, 0xff7b72ff, 0x7ee787ff };

static void panel(slp_view_canvas *c, int x, int y, int w, int h)
{
    slp_view_canvas_fill_rect(c, x, y, w, h, PANEL_BG);
    slp_view_canvas_rect(c, x, y, w, h, PANEL_EDGE);
}

static void fmt_num(char *buf, size_t n, double v)
{
    if (isnan(v)) snprintf(buf, n, "-");
    else if (v != 0 && (fabs(v) >= 1e6 || fabs(v) < 1e-3)) snprintf(buf, n, "%.4g", v);
    else if (v == floor(v) && fabs(v) < 1e15) snprintf(buf, n, "%.0f", v);
    else snprintf(buf, n, "%.4f", v);
}

/* Status, metrics and legend in one column on the left; returns its bottom. */
static int draw_status(sl_view *v, int x, int y)
{
    slp_view_canvas *c = &v->canvas;
    slp_view_font *f = v->font, *fs = v->font_small;
    int lh = slp_view_font_height(f) + 2, lhs = slp_view_font_height(fs) + 2;
    char line[256], num[64];
    sl_recorder *rec = v->world ? sl_world_recorder(v->world) : NULL;
    int nm = rec ? sl_recorder_nmetrics(rec) : 0;
    int shown = nm > 10 ? 10 : nm;
    int w = 300;
    int h = PAD + slp_view_font_height(v->font_big) + 4 + lh * (v->window_mode ? 2 : 1) + (shown ? lhs * (shown + 1) + 4 : 0) +
            lhs * (v->nlayers + 1) + 8 + (v->color_label[0] ? lhs + 14 : 0) + PAD;
    panel(c, x, y, w, h);
    int cy = y + PAD;
    slp_view_font_draw(v->font_big, c, x + PAD, cy, v->title, TEXT);
    cy += slp_view_font_height(v->font_big) + 4;
    unsigned long long step = v->world ? (unsigned long long)sl_world_step_count(v->world) : 0;
    if (v->show_timing)
        snprintf(line, sizeof line, "step %llu   %.0f steps/s   %.0f frames/s", step, v->sps,
                 v->fps);
    else
        snprintf(line, sizeof line, "step %llu", step);
    slp_view_font_draw(f, c, x + PAD, cy, line, TEXT);
    cy += lh;
    if (v->window_mode) {
        if (v->finished) snprintf(line, sizeof line, "finished   (R: restart)");
        else if (v->st.paused) snprintf(line, sizeof line, "paused   (space: run)");
        else snprintf(line, sizeof line, "running   %d step%s/frame", v->st.steps_per_frame,
                      v->st.steps_per_frame == 1 ? "" : "s");
        slp_view_font_draw(f, c, x + PAD, cy, line,
                     v->st.paused || v->finished ? 0xf9c74fffu : 0x7ee787ffu);
        cy += lh;
    }
    if (shown) {
        slp_view_font_draw(fs, c, x + PAD, cy, "metrics", DIM);
        cy += lhs;
        for (int m = 0; m < shown; m++) {
            fmt_num(num, sizeof num, sl_recorder_last(rec, m));
            slp_view_font_draw(fs, c, x + PAD + 4, cy, sl_recorder_name(rec, m), TEXT);
            slp_view_font_draw(fs, c, x + w - PAD - slp_view_font_width(fs, num), cy, num, TEXT);
            cy += lhs;
        }
        cy += 4;
    }
    slp_view_font_draw(fs, c, x + PAD, cy, "layers (number keys toggle)", DIM);
    cy += lhs;
    for (int i = 0; i < v->nlayers; i++) {
        slp_view_layer *l = &v->layers[i];
        sl_rgba tc = l->visible ? TEXT : 0x6e7681ffu;
        snprintf(line, sizeof line, "%d", i + 1);
        slp_view_font_draw(fs, c, x + PAD + 4, cy, i < 9 ? line : " ", DIM);
        int sw = slp_view_font_height(fs) - 6;
        if (l->visible) slp_view_canvas_fill_rect(c, x + PAD + 20, cy + 3, sw, sw, l->swatch);
        else slp_view_canvas_rect(c, x + PAD + 20, cy + 3, sw, sw, l->swatch);
        if (l->count && l->kind == VL_POP)
            snprintf(line, sizeof line, "%s  (%zu agents)", l->name, l->count);
        else
            snprintf(line, sizeof line, "%s%s", l->name, l->visible ? "" : "  (hidden)");
        slp_view_font_draw(fs, c, x + PAD + 26 + sw, cy, line, tc);
        cy += lhs;
    }
    if (v->color_label[0]) {
        cy += 4;
        snprintf(line, sizeof line, "colour: %s", v->color_label);
        slp_view_font_draw(fs, c, x + PAD, cy, line, DIM);
        cy += lhs;
        int bw = 150;
        for (int i = 0; i < bw; i++)
            slp_view_canvas_fill_rect(c, x + PAD + 40 + i, cy, 1, 10, slp_view_viridis(i / (double)(bw - 1)));
        fmt_num(num, sizeof num, v->color_lo);
        slp_view_font_draw(fs, c, x + PAD + 36 - slp_view_font_width(fs, num), cy - 3, num, TEXT);
        fmt_num(num, sizeof num, v->color_hi);
        slp_view_font_draw(fs, c, x + PAD + 44 + bw, cy - 3, num, TEXT);
        cy += 14;
    }
    return y + h;
}

/* One metric's curve in the box (x, y, w, h) over recorder rows r0..nr-1; sets lo, hi (NAN
 * when the metric has no finite value yet). */
static void metric_curve(slp_view_canvas *c, const sl_recorder *rec, int m, size_t r0, size_t nr, int x,
                         int y, int w, int h, sl_rgba col, double *lo_out, double *hi_out)
{
    double lo = INFINITY, hi = -INFINITY;
    for (size_t r = r0; r < nr; r++) {
        double val = sl_recorder_value(rec, r, m);
        if (!isfinite(val)) continue;
        if (val < lo) lo = val;
        if (val > hi) hi = val;
    }
    *lo_out = lo <= hi ? lo : NAN;
    *hi_out = lo <= hi ? hi : NAN;
    if (!(lo <= hi)) return;
    double span = hi - lo, mag = fmax(fabs(lo), fabs(hi));
    if (span <= 1e-9 * mag) {   /* rounding noise on a constant is not drawn as a curve */
        double mid = 0.5 * (lo + hi);
        span = mag > 0 ? 2e-9 * mag : 1;
        lo = mid - 0.5 * span;
    }
    double px = NAN, py = NAN;
    size_t nrow = nr - r0;
    for (size_t r = r0; r < nr; r++) {
        double val = sl_recorder_value(rec, r, m);
        double qx = x + 1 + (nrow > 1 ? (double)(r - r0) / (double)(nrow - 1) : 0.5) * (w - 3);
        double qy = y + h - 2 - (val - lo) / span * (h - 4);
        if (!isfinite(val)) { px = NAN; continue; }
        if (!isnan(px)) slp_view_canvas_line(c, px, py, qx, qy, 1.6, col);
        else slp_view_canvas_dot(c, qx, qy, 2, col);
        px = qx;
        py = qy;
    }
}

static void draw_chart(sl_view *v)
{
    sl_recorder *rec = v->world ? sl_world_recorder(v->world) : NULL;
    if (!rec) return;
    int nm = sl_recorder_nmetrics(rec);
    size_t nr = sl_recorder_nrows(rec);
    if (nm == 0 || nr == 0) return;
    slp_view_canvas *c = &v->canvas;
    slp_view_font *fs = v->font_small;
    int lhs = slp_view_font_height(fs) + 2;
    int ns = nm < 3 ? nm : 3;
    int w = 400, h = 120 + lhs * (ns + 1) + 2 * PAD;
    if (c->w < w + 340 || c->h < h + 40) return;   /* too small a window: no chart */
    int x = c->w - w - 10, y = c->h - h - 10;
    panel(c, x, y, w, h);
    size_t r0 = nr > CHART_ROWS ? nr - CHART_ROWS : 0;
    int px0 = x + PAD, pw = w - 2 * PAD, py0 = y + PAD + lhs, ph = 110;
    slp_view_canvas_rect(c, px0, py0, pw, ph, 0x30363dffu);
    char line[200], a[48], b[48], cur[48];
    for (int s = 0; s < ns; s++) {
        int m = (v->chart_first + s) % nm;
        double lo, hi;
        sl_rgba col = SERIES[s];
        metric_curve(c, rec, m, r0, nr, px0, py0, pw, ph, col, &lo, &hi);
        int ly = py0 + ph + 4 + s * lhs;
        slp_view_canvas_fill_rect(c, px0, ly + lhs / 2 - 1, 14, 3, col);
        fmt_num(a, sizeof a, lo);
        fmt_num(b, sizeof b, hi);
        fmt_num(cur, sizeof cur, sl_recorder_last(rec, m));
        snprintf(line, sizeof line, "%s = %s   [%s .. %s]", sl_recorder_name(rec, m), cur, a, b);
        slp_view_font_draw(fs, c, px0 + 20, ly, line, TEXT);
    }
    snprintf(line, sizeof line, "metrics, steps %llu-%llu   (G: next metrics)",
             (unsigned long long)sl_recorder_row_step(rec, r0),
             (unsigned long long)sl_recorder_row_step(rec, nr - 1));
    slp_view_font_draw(fs, c, px0, y + PAD - 2, line, DIM);
}

#define BOARD_MAX 9

/* The run's results (swarmlab.result) as a table of key and value, in columns. */
static int results_table(sl_view *v, int left)
{
    sl_host *h = v->L ? sl_lua_host(v->L) : NULL;
    int n = h ? sl_host_nresults(h) : 0;
    if (n == 0) return 0;
    slp_view_canvas *c = &v->canvas;
    slp_view_font *f = v->font_small;
    int lh = slp_view_font_height(f) + 4;
    int colw = 260, x0 = left + 16, y0 = 16;
    int per_col = (c->h - 2 * y0) / lh;
    if (per_col < 1) return 0;
    slp_view_font_draw(v->font, c, x0, y0, "results", ACCENT);
    y0 += slp_view_font_height(v->font) + 6;
    per_col = (c->h - y0 - 16) / lh;
    if (per_col < 1) return 1;
    for (int i = 0; i < n; i++) {
        int x = x0 + (i / per_col) * colw, y = y0 + (i % per_col) * lh;
        if (x + colw > c->w + colw / 2) break;
        const char *key, *str;
        double num;
        int is_number;
        sl_host_result(h, i, &key, &num, &str, &is_number);
        char val[64];
        if (is_number) fmt_num(val, sizeof val, num);
        else snprintf(val, sizeof val, "%s", str ? str : "");
        slp_view_font_draw(f, c, x, y, key, DIM);
        slp_view_font_draw(f, c, x + colw - 16 - slp_view_font_width(f, val), y, val, TEXT);
    }
    return 1;
}

/* The label under a metric's panel, shortened until it fits in w pixels. */
static void board_label(slp_view_font *f, slp_view_canvas *c, int x, int y, int w, const char *cur,
                        const char *lo, const char *hi, unsigned long long s0,
                        unsigned long long s1, int have)
{
    char line[200];
    if (!have) {
        slp_view_font_draw(f, c, x, y, "no value recorded yet", DIM);
        return;
    }
    snprintf(line, sizeof line, "now %s   [%s .. %s]   steps %llu-%llu", cur, lo, hi, s0, s1);
    if (slp_view_font_width(f, line) > w) snprintf(line, sizeof line, "now %s  [%s .. %s]", cur, lo, hi);
    if (slp_view_font_width(f, line) > w) snprintf(line, sizeof line, "%s", cur);
    slp_view_font_draw(f, c, x, y, line, DIM);
}

int slp_view_hud_metrics_board(sl_view *v)
{
    slp_view_canvas *c = &v->canvas;
    int left = !v->no_hud && !v->st.hud_hidden && c->w >= 900 ? 320 : 0;
    sl_recorder *rec = v->world ? sl_world_recorder(v->world) : NULL;
    int nm = rec ? sl_recorder_nmetrics(rec) : 0;
    if (nm == 0) return results_table(v, left);
    slp_view_font *fs = v->font_small;
    int lhs = slp_view_font_height(fs) + 2;
    int k = nm < BOARD_MAX ? nm : BOARD_MAX;
    int cols = 1;
    while (cols * cols < k) cols++;
    int rows = (k + cols - 1) / cols;
    int aw = c->w - left - 20, ah = c->h - 20;
    int cw = aw / cols, ch = ah / rows;
    if (cw < 60 || ch < 2 * lhs + 20) return 0;
    size_t nr = sl_recorder_nrows(rec);
    size_t r0 = nr > CHART_ROWS ? nr - CHART_ROWS : 0;
    char a[48], b[48], cur[48];
    for (int i = 0; i < k; i++) {
        int m = (v->chart_first + i) % nm;
        int x = left + 10 + (i % cols) * cw, y = 10 + (i / cols) * ch;
        int bx = x + 6, by = y + 6 + lhs, bw = cw - 12, bh = ch - 12 - 2 * lhs;
        slp_view_canvas_rect(c, bx, by, bw, bh, PANEL_EDGE);
        double lo = NAN, hi = NAN;
        if (nr > 0)
            metric_curve(c, rec, m, r0, nr, bx, by, bw, bh, SERIES[i % 4], &lo, &hi);
        slp_view_font_draw(fs, c, bx, y + 4, sl_recorder_name(rec, m), TEXT);
        fmt_num(a, sizeof a, lo);
        fmt_num(b, sizeof b, hi);
        fmt_num(cur, sizeof cur, nr > 0 ? sl_recorder_last(rec, m) : NAN);
        board_label(fs, c, bx, by + bh + 2, bw, cur, a, b,
                    nr > 0 ? (unsigned long long)sl_recorder_row_step(rec, r0) : 0,
                    nr > 0 ? (unsigned long long)sl_recorder_row_step(rec, nr - 1) : 0, nr > 0);
    }
    return 1;
}

/* ---- sliders (top right) ---- */
#define SL_W 280
#define SL_ROW 40

static void slider_geom(const sl_view *v, int i, int *x, int *y, int *w)
{
    int top = 10 + PAD + slp_view_font_height(v->font_small) + 4;
    *x = v->canvas.w - SL_W - 10 + PAD;
    *w = SL_W - 2 * PAD;
    *y = top + i * SL_ROW + slp_view_font_height(v->font_small) + 8;   /* the track's centre line */
}

int sl_view_nsliders(const sl_view *v)
{
    return v->nparams;
}

int sl_view_slider_track(const sl_view *v, int i, int *x, int *y, int *w)
{
    if (i < 0 || i >= v->nparams) return -1;
    slider_geom(v, i, x, y, w);
    return 0;
}

static int sliders_bottom(const sl_view *v)
{
    if (v->nparams == 0) return 0;
    return 10 + PAD + slp_view_font_height(v->font_small) + 4 + v->nparams * SL_ROW + PAD;
}

double slp_view_hud_slider_value_at(sl_view *v, int i, int mx)
{
    int x, y, w;
    slider_geom(v, i, &x, &y, &w);
    double t = (mx - x) / (double)w;
    if (t < 0) t = 0;
    if (t > 1) t = 1;
    const sl_view_param *p = &v->params[i];
    double val = p->min + t * (p->max - p->min);
    if (p->integer) return round(val);
    /* about three significant digits of the range: 0.1 steps for a 1..45 slider */
    double q = pow(10.0, floor(log10(p->max - p->min)) - 2);
    val = round(val / q) * q;
    return val < p->min ? p->min : (val > p->max ? p->max : val);
}

int slp_view_hud_slider_hit(sl_view *v, int mx, int my, double *value)
{
    if (v->st.hud_hidden || v->no_hud) return -1;
    for (int i = 0; i < v->nparams; i++) {
        int x, y, w;
        slider_geom(v, i, &x, &y, &w);
        if (mx >= x - 6 && mx <= x + w + 6 && my >= y - 9 && my <= y + 9) {
            *value = slp_view_hud_slider_value_at(v, i, mx);
            return i;
        }
    }
    return -1;
}

static void draw_sliders(sl_view *v)
{
    if (v->nparams == 0) return;
    slp_view_canvas *c = &v->canvas;
    slp_view_font *fs = v->font_small;
    int px = v->canvas.w - SL_W - 10;
    panel(c, px, 10, SL_W, sliders_bottom(v) - 10);
    slp_view_font_draw(fs, c, px + PAD, 10 + PAD, "parameters (drag; applies with a restart)", DIM);
    char line[160], num[48];
    for (int i = 0; i < v->nparams; i++) {
        const sl_view_param *p = &v->params[i];
        int x, y, w;
        slider_geom(v, i, &x, &y, &w);
        double val = (v->slider_active == i || v->param_pending == i) ? v->param_pending_value
                                                                        : p->value;
        fmt_num(num, sizeof num, val);
        snprintf(line, sizeof line, "%s = %s", p->name, num);
        slp_view_font_draw(fs, c, x, y - slp_view_font_height(fs) - 6, line, TEXT);
        slp_view_canvas_fill_rect(c, x, y - 2, w, 4, 0x30363dffu);
        double t = p->max > p->min ? (val - p->min) / (p->max - p->min) : 0;
        if (t < 0) t = 0;
        if (t > 1) t = 1;
        slp_view_canvas_fill_rect(c, x, y - 2, (int)(t * w), 4, ACCENT);
        slp_view_canvas_circle(c, x + t * w, y, 6, v->slider_active == i ? 0xffffffffu : ACCENT, 1);
    }
}

static void draw_inspect(sl_view *v)
{
    if (!v->st.inspect_pop[0] || !v->world) return;
    slp_view_canvas *c = &v->canvas;
    slp_view_font *fs = v->font_small;
    int lhs = slp_view_font_height(fs) + 2;
    sl_pop *p = sl_world_pop(v->world, v->st.inspect_pop);
    long slot = p ? sl_pop_slot(p, (sl_id)v->st.inspect_id) : -1;
    int nc = p ? sl_pop_ncolumns(p) : 0;
    if (nc > 30) nc = 30;
    int w = 280, h = 2 * PAD + lhs * (2 + (slot >= 0 ? nc : 1));
    int x = c->w - w - 10, y = 10 + (v->nparams ? sliders_bottom(v) : 0);
    panel(c, x, y, w, h);
    char line[200], num[48];
    snprintf(line, sizeof line, "%s  agent %u", v->st.inspect_pop,
             sl_id_index((sl_id)v->st.inspect_id));
    slp_view_font_draw(fs, c, x + PAD, y + PAD, line, ACCENT);
    snprintf(line, sizeof line, "slot %ld   id %llu   (Esc: close)", slot,
             (unsigned long long)v->st.inspect_id);
    slp_view_font_draw(fs, c, x + PAD, y + PAD + lhs, line, DIM);
    if (slot < 0) {
        slp_view_font_draw(fs, c, x + PAD, y + PAD + 2 * lhs, "this agent no longer exists", TEXT);
        return;
    }
    for (int k = 0; k < nc; k++) {
        int cy = y + PAD + (2 + k) * lhs;
        fmt_num(num, sizeof num, sl_pop_get(p, k, (size_t)slot));
        snprintf(line, sizeof line, "%s (%s)", sl_pop_column_name(p, k),
                 sl_type_name(sl_pop_column_type(p, k)));
        slp_view_font_draw(fs, c, x + PAD + 4, cy, line, TEXT);
        slp_view_font_draw(fs, c, x + w - PAD - slp_view_font_width(fs, num), cy, num, TEXT);
    }
    /* ring around the agent */
    int cx = sl_pop_column(p, "x"), cyc = sl_pop_column(p, "y");
    if (cx >= 0 && cyc >= 0) {
        double sx, sy;
        sl_view_world_to_screen(v, sl_pop_get(p, cx, (size_t)slot), sl_pop_get(p, cyc, (size_t)slot),
                                &sx, &sy);
        slp_view_canvas_circle(c, sx, sy, 11, 0xffffffffu, 0);
        slp_view_canvas_circle(c, sx, sy, 12, 0x000000a0u, 0);
    }
}

static const char *HELP[][2] = {
    { "space", "run / pause" },
    { "right arrow", "one step (while paused)" },
    { "+  /  -", "twice / half as many steps per frame" },
    { "mouse wheel", "zoom at the cursor" },
    { "drag", "pan" },
    { "F", "fit the whole world" },
    { "click", "inspect an agent (all its columns)" },
    { "C", "colour a population by its next column" },
    { "G", "chart the next metrics" },
    { "1 .. 9", "show / hide a layer" },
    { "R", "restart with the same seed" },
    { "S", "screenshot (PNG)" },
    { "Tab", "hide / show the panels" },
    { "Y", "world y axis up / down" },
    { "H", "this help" },
    { "Esc", "close help / inspection" },
    { "Q", "quit" },
};

static void draw_help(sl_view *v)
{
    slp_view_canvas *c = &v->canvas;
    slp_view_font *f = v->font;
    int n = (int)(sizeof HELP / sizeof HELP[0]);
    int lh = slp_view_font_height(f) + 4;
    int w = 460, h = 2 * PAD + slp_view_font_height(v->font_big) + 10 + n * lh + PAD;
    int x = (c->w - w) / 2, y = (c->h - h) / 2;
    slp_view_canvas_fill_rect(c, 0, 0, c->w, c->h, 0x00000070u);
    slp_view_canvas_fill_rect(c, x, y, w, h, 0x0d1117f0u);
    slp_view_canvas_rect(c, x, y, w, h, ACCENT);
    slp_view_font_draw(v->font_big, c, x + 2 * PAD, y + PAD, "Keys and mouse", TEXT);
    for (int i = 0; i < n; i++) {
        int cy = y + PAD + slp_view_font_height(v->font_big) + 10 + i * lh;
        slp_view_font_draw(f, c, x + 2 * PAD, cy, HELP[i][0], ACCENT);
        slp_view_font_draw(f, c, x + 2 * PAD + 130, cy, HELP[i][1], TEXT);
    }
}

void slp_view_hud_draw(sl_view *v)
{
    slp_view_canvas *c = &v->canvas;
    if (!v->st.hud_hidden) {
        draw_status(v, 10, 10);
        draw_sliders(v);
        if (!(v->fit_extent == 0 && !v->has_lua_draw)) draw_chart(v);   /* else the board */
    }
    draw_inspect(v);
    if (v->window_mode)
        slp_view_font_draw(v->font_small, c, 10, c->h - slp_view_font_height(v->font_small) - 6,
                     "H: help", DIM);
    if (v->message[0] && (!v->window_mode || SDL_TICKS_PASSED(v->message_until, SDL_GetTicks()) == 0)) {
        int tw = slp_view_font_width(v->font, v->message);
        int x = (c->w - tw) / 2, y = c->h - slp_view_font_height(v->font) - 16;
        slp_view_canvas_fill_rect(c, x - PAD, y - 4, tw + 2 * PAD, slp_view_font_height(v->font) + 8, PANEL_BG);
        slp_view_font_draw(v->font, c, x, y, v->message, TEXT);
    }
    if (v->st.help) draw_help(v);
}
