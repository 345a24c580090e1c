/* draw.c - the sl_draw interface (world coordinates) implemented on the viewer's canvas. */
#include <math.h>
#include <stdlib.h>

#include "view_impl.h"

static sl_view *V(sl_draw *d) { return (sl_view *)d->impl; }

static void d_line(sl_draw *d, double x0, double y0, double x1, double y1, sl_rgba c, double w)
{
    sl_view *v = V(d);
    double a, b, p, q;
    sl_view_world_to_screen(v, x0, y0, &a, &b);
    sl_view_world_to_screen(v, x1, y1, &p, &q);
    slp_view_canvas_line(&v->canvas, a, b, p, q, w > 0 ? w : 1, c);
}

static void d_circle(sl_draw *d, double x, double y, double r, sl_rgba c, int filled)
{
    sl_view *v = V(d);
    double a, b;
    sl_view_world_to_screen(v, x, y, &a, &b);
    slp_view_canvas_circle(&v->canvas, a, b, r * v->scale, c, filled);
}

static void d_point(sl_draw *d, double x, double y, sl_rgba c, double size)
{
    sl_view *v = V(d);
    double a, b;
    sl_view_world_to_screen(v, x, y, &a, &b);
    if (size > 2.5) slp_view_canvas_circle(&v->canvas, a, b, 0.5 * size, c, 1);
    else slp_view_canvas_dot(&v->canvas, a, b, size < 1.5 ? 1 : 2, c);
}

static void d_text(sl_draw *d, double x, double y, const char *s, sl_rgba c)
{
    sl_view *v = V(d);
    double a, b;
    sl_view_world_to_screen(v, x, y, &a, &b);
    if (!(fabs(a) < 1e6 && fabs(b) < 1e6)) return;
    slp_view_font_draw(v->font_small, &v->canvas, (int)lround(a), (int)lround(b), s, c);
}

static void d_heatmap(sl_draw *d, double x0, double y0, double x1, double y1, int nx, int ny,
                      const double *val, double vmin, double vmax)
{
    sl_view *v = V(d);
    slp_view_canvas *cv = &v->canvas;
    if (nx <= 0 || ny <= 0 || !(x1 > x0) || !(y1 > y0) || !(vmax > vmin)) return;
    double sx0, sy0, sx1, sy1;
    sl_view_world_to_screen(v, x0, y0, &sx0, &sy0);
    sl_view_world_to_screen(v, x1, y1, &sx1, &sy1);
    /* either orientation of the y axis: j below runs from the y0 edge to the y1 edge */
    int px0 = (int)fmax(0, ceil(fmin(sx0, sx1) - 0.5)), px1 = (int)fmin(cv->w, ceil(fmax(sx0, sx1) - 0.5));
    int py0 = (int)fmax(0, ceil(fmin(sy0, sy1) - 0.5)), py1 = (int)fmin(cv->h, ceil(fmax(sy0, sy1) - 0.5));
    if (px0 >= px1 || py0 >= py1) return;
    int *colx = malloc(sizeof(int) * (size_t)(px1 - px0));
    if (!colx) return;
    for (int x = px0; x < px1; x++) {
        int i = (int)floor((x + 0.5 - sx0) / (sx1 - sx0) * nx);
        colx[x - px0] = i < 0 ? 0 : (i >= nx ? nx - 1 : i);
    }
    sl_rgba lut[256];
    for (int k = 0; k < 256; k++) {
        double t = k / 255.0;
        sl_rgba c = sl_view_heat(t);
        unsigned a = (unsigned)lround(255.0 * fmin(1.0, 0.15 + 1.6 * t));
        lut[k] = (c & 0xffffff00u) | (k == 0 ? 0u : a);
    }
    double inv = 255.0 / (vmax - vmin);
    for (int y = py0; y < py1; y++) {
        int j = (int)floor((y + 0.5 - sy0) / (sy1 - sy0) * ny);
        if (j < 0) j = 0;
        if (j >= ny) j = ny - 1;
        const double *row = val + (size_t)j * nx;
        for (int x = px0; x < px1; x++) {
            double t = (row[colx[x - px0]] - vmin) * inv;
            if (!(t > 0)) continue;
            int k = t >= 255 ? 255 : (int)t;
            if (k == 0) k = 1;
            slp_view_canvas_blend(cv, x, y, lut[k]);
        }
    }
    free(colx);
}

static double d_ppu(sl_draw *d)
{
    return V(d)->scale;
}

void slp_view_draw_init(sl_view *v, sl_draw *d)
{
    d->impl = v;
    d->line = d_line;
    d->circle = d_circle;
    d->point = d_point;
    d->text = d_text;
    d->heatmap = d_heatmap;
    d->pixels_per_unit = d_ppu;
}
