/* canvas.c - pixel primitives on an ARGB8888 buffer (see canvas.h). */
#include "canvas.h"

#include <math.h>
#include <stdlib.h>

#define COORD_LIMIT 1e7   /* coordinates beyond this are off any screen: dropped */

int slp_view_canvas_init(slp_view_canvas *c, int w, int h)
{
    c->w = w;
    c->h = h;
    c->px = malloc((size_t)w * (size_t)h * sizeof *c->px);
    return c->px ? 0 : -1;
}

void slp_view_canvas_release(slp_view_canvas *c)
{
    free(c->px);
    c->px = NULL;
    c->w = c->h = 0;
}

static inline uint32_t to_argb(uint32_t rgba)
{
    return 0xff000000u | (rgba >> 8);
}

static inline void blend_at(uint32_t *p, uint32_t rgba, unsigned cov)
{
    unsigned a = ((rgba & 0xffu) * cov + 127) / 255;
    if (a == 0) return;
    if (a >= 255) { *p = to_argb(rgba); return; }
    unsigned r = (rgba >> 24) & 0xff, g = (rgba >> 16) & 0xff, b = (rgba >> 8) & 0xff;
    uint32_t d = *p;
    unsigned dr = (d >> 16) & 0xff, dg = (d >> 8) & 0xff, db = d & 0xff;
    unsigned ia = 255 - a;
    dr = (r * a + dr * ia + 127) / 255;
    dg = (g * a + dg * ia + 127) / 255;
    db = (b * a + db * ia + 127) / 255;
    *p = 0xff000000u | (dr << 16) | (dg << 8) | db;
}

void slp_view_canvas_clear(slp_view_canvas *c, uint32_t rgba)
{
    uint32_t v = to_argb(rgba);
    size_t n = (size_t)c->w * (size_t)c->h;
    for (size_t i = 0; i < n; i++) c->px[i] = v;
}

void slp_view_canvas_blend(slp_view_canvas *c, int x, int y, uint32_t rgba)
{
    if (x < 0 || y < 0 || x >= c->w || y >= c->h) return;
    blend_at(&c->px[(size_t)y * c->w + x], rgba, 255);
}

void slp_view_canvas_fill_rect(slp_view_canvas *c, int x, int y, int w, int h, uint32_t rgba)
{
    int x0 = x < 0 ? 0 : x, y0 = y < 0 ? 0 : y;
    int x1 = x + w > c->w ? c->w : x + w, y1 = y + h > c->h ? c->h : y + h;
    if (x0 >= x1 || y0 >= y1) return;
    int opaque = (rgba & 0xff) == 0xff;
    uint32_t v = to_argb(rgba);
    for (int yy = y0; yy < y1; yy++) {
        uint32_t *row = c->px + (size_t)yy * c->w;
        if (opaque)
            for (int xx = x0; xx < x1; xx++) row[xx] = v;
        else
            for (int xx = x0; xx < x1; xx++) blend_at(&row[xx], rgba, 255);
    }
}

void slp_view_canvas_rect(slp_view_canvas *c, int x, int y, int w, int h, uint32_t rgba)
{
    if (w <= 0 || h <= 0) return;
    slp_view_canvas_fill_rect(c, x, y, w, 1, rgba);
    if (h > 1) slp_view_canvas_fill_rect(c, x, y + h - 1, w, 1, rgba);
    if (h > 2) {
        slp_view_canvas_fill_rect(c, x, y + 1, 1, h - 2, rgba);
        if (w > 1) slp_view_canvas_fill_rect(c, x + w - 1, y + 1, 1, h - 2, rgba);
    }
}

static int bad(double v)
{
    return !(v > -COORD_LIMIT && v < COORD_LIMIT);   /* also true for NaN */
}

void slp_view_canvas_dot(slp_view_canvas *c, double x, double y, int size, uint32_t rgba)
{
    if (bad(x) || bad(y)) return;
    if (size <= 1) {
        int ix = (int)floor(x), iy = (int)floor(y);
        if (ix < 0 || iy < 0 || ix >= c->w || iy >= c->h) return;
        uint32_t *p = &c->px[(size_t)iy * c->w + ix];
        if ((rgba & 0xff) == 0xff) *p = to_argb(rgba);
        else blend_at(p, rgba, 255);
        return;
    }
    int ix = (int)floor(x - 0.5 * size + 0.5), iy = (int)floor(y - 0.5 * size + 0.5);
    slp_view_canvas_fill_rect(c, ix, iy, size, size, rgba);
}

static inline void plot_cov(slp_view_canvas *c, int x, int y, uint32_t rgba, double cov)
{
    if (x < 0 || y < 0 || x >= c->w || y >= c->h) return;
    if (cov <= 0) return;
    if (cov > 1) cov = 1;
    blend_at(&c->px[(size_t)y * c->w + x], rgba, (unsigned)(cov * 255.0 + 0.5));
}

/* Liang-Barsky clip of a segment to [lo, hi] boxes; returns 0 when nothing is left. */
static int clip_segment(double *x0, double *y0, double *x1, double *y1, double xmin, double ymin,
                        double xmax, double ymax)
{
    double t0 = 0, t1 = 1, dx = *x1 - *x0, dy = *y1 - *y0;
    double p[4] = { -dx, dx, -dy, dy };
    double q[4] = { *x0 - xmin, xmax - *x0, *y0 - ymin, ymax - *y0 };
    for (int i = 0; i < 4; i++) {
        if (p[i] == 0) {
            if (q[i] < 0) return 0;
        } else {
            double t = q[i] / p[i];
            if (p[i] < 0) { if (t > t1) return 0; if (t > t0) t0 = t; }
            else { if (t < t0) return 0; if (t < t1) t1 = t; }
        }
    }
    double ax = *x0 + t0 * dx, ay = *y0 + t0 * dy;
    double bx = *x0 + t1 * dx, by = *y0 + t1 * dy;
    *x0 = ax; *y0 = ay; *x1 = bx; *y1 = by;
    return 1;
}

static void wu_line(slp_view_canvas *c, double x0, double y0, double x1, double y1, uint32_t rgba)
{
    int steep = fabs(y1 - y0) > fabs(x1 - x0);
    double t;
    if (steep) { t = x0; x0 = y0; y0 = t; t = x1; x1 = y1; y1 = t; }
    if (x0 > x1) { t = x0; x0 = x1; x1 = t; t = y0; y0 = y1; y1 = t; }
    double dx = x1 - x0, dy = y1 - y0;
    double grad = dx == 0 ? 1.0 : dy / dx;
    /* pixel centres at integer + 0.5 */
    x0 -= 0.5; y0 -= 0.5; x1 -= 0.5; y1 -= 0.5;
    int xa = (int)floor(x0 + 0.5), xb = (int)floor(x1 + 0.5);
    if (xb < xa) return;
    double y = y0 + grad * (xa - x0);
    double len_cov = 1.0;
    if (xa == xb) len_cov = dx < 1 ? (dx < 0.2 ? 0.2 : dx) : 1;
    for (int x = xa; x <= xb; x++, y += grad) {
        int iy = (int)floor(y);
        double f = y - iy;
        if (steep) {
            plot_cov(c, iy, x, rgba, (1 - f) * len_cov);
            plot_cov(c, iy + 1, x, rgba, f * len_cov);
        } else {
            plot_cov(c, x, iy, rgba, (1 - f) * len_cov);
            plot_cov(c, x, iy + 1, rgba, f * len_cov);
        }
    }
}

void slp_view_canvas_line(slp_view_canvas *c, double x0, double y0, double x1, double y1, double width,
                    uint32_t rgba)
{
    if (bad(x0) || bad(y0) || bad(x1) || bad(y1)) return;
    double m = width + 2;
    if (!clip_segment(&x0, &y0, &x1, &y1, -m, -m, c->w + m, c->h + m)) return;
    if (!(width > 1.5)) {
        wu_line(c, x0, y0, x1, y1, rgba);
        return;
    }
    double dx = x1 - x0, dy = y1 - y0, len = sqrt(dx * dx + dy * dy);
    if (len < 1e-9) {
        slp_view_canvas_circle(c, x0, y0, 0.5 * width, rgba, 1);
        return;
    }
    double nx = -dy / len * 0.5 * width, ny = dx / len * 0.5 * width;
    slp_view_canvas_triangle(c, x0 + nx, y0 + ny, x1 + nx, y1 + ny, x1 - nx, y1 - ny, rgba);
    slp_view_canvas_triangle(c, x0 + nx, y0 + ny, x1 - nx, y1 - ny, x0 - nx, y0 - ny, rgba);
}

/* Triangle fill by edge functions over the bounding box, sampling pixel centres; a top-left
 * rule makes shared edges (a quad split in two) cover each pixel exactly once. */
void slp_view_canvas_triangle(slp_view_canvas *c, double x0, double y0, double x1, double y1, double x2,
                        double y2, uint32_t rgba)
{
    if (bad(x0) || bad(y0) || bad(x1) || bad(y1) || bad(x2) || bad(y2)) return;
    double area = (x1 - x0) * (y2 - y0) - (y1 - y0) * (x2 - x0);
    if (area == 0) return;
    if (area < 0) { double t = x1; x1 = x2; x2 = t; t = y1; y1 = y2; y2 = t; }
    int bx0 = (int)floor(fmin(x0, fmin(x1, x2))), bx1 = (int)ceil(fmax(x0, fmax(x1, x2)));
    int by0 = (int)floor(fmin(y0, fmin(y1, y2))), by1 = (int)ceil(fmax(y0, fmax(y1, y2)));
    if (bx0 < 0) bx0 = 0;
    if (by0 < 0) by0 = 0;
    if (bx1 > c->w) bx1 = c->w;
    if (by1 > c->h) by1 = c->h;
    if (bx0 >= bx1 || by0 >= by1) return;
    double ex[3] = { x0, x1, x2 }, ey[3] = { y0, y1, y2 };
    int opaque = (rgba & 0xff) == 0xff;
    uint32_t v = to_argb(rgba);
    for (int y = by0; y < by1; y++) {
        double py = y + 0.5;
        uint32_t *row = c->px + (size_t)y * c->w;
        for (int x = bx0; x < bx1; x++) {
            double px = x + 0.5;
            int in = 1;
            for (int k = 0; k < 3 && in; k++) {
                int k2 = (k + 1) % 3;
                double ax = ex[k], ay = ey[k], bx = ex[k2], by = ey[k2];
                double e = (bx - ax) * (py - ay) - (by - ay) * (px - ax);
                if (e < 0) in = 0;
                else if (e == 0) {
                    /* top-left rule (y down, counter-clockwise on screen) */
                    int top = (ay == by) && (bx < ax);
                    int left = by > ay;
                    if (!(top || left)) in = 0;
                }
            }
            if (!in) continue;
            if (opaque) row[x] = v;
            else blend_at(&row[x], rgba, 255);
        }
    }
}

void slp_view_canvas_circle(slp_view_canvas *c, double cx, double cy, double r, uint32_t rgba, int filled)
{
    if (bad(cx) || bad(cy) || !(r >= 0) || r > COORD_LIMIT) return;
    if (r < 0.5) r = 0.5;
    int y0 = (int)floor(cy - r - 1), y1 = (int)ceil(cy + r + 1);
    int x0 = (int)floor(cx - r - 1), x1 = (int)ceil(cx + r + 1);
    if (y0 < 0) y0 = 0;
    if (x0 < 0) x0 = 0;
    if (y1 > c->h) y1 = c->h;
    if (x1 > c->w) x1 = c->w;
    if (x0 >= x1 || y0 >= y1) return;
    if (!filled && r > 4 * (c->w + c->h)) return;
    for (int y = y0; y < y1; y++) {
        double dy = y + 0.5 - cy;
        if (filled) {
            /* span with antialiased ends */
            double h2 = r * r - dy * dy;
            if (h2 < -r) continue;
            for (int x = x0; x < x1; x++) {
                double dx = x + 0.5 - cx;
                double d = sqrt(dx * dx + dy * dy);
                double cov = r + 0.5 - d;
                if (cov <= 0) continue;
                plot_cov(c, x, y, rgba, cov);
            }
        } else {
            /* skip the empty interior quickly */
            double inner = r - 1.5;
            int xa = x0, xb = x1;
            if (fabs(dy) < inner) {
                double half = sqrt(inner * inner - dy * dy);
                int ia = (int)ceil(cx - half), ib = (int)floor(cx + half);
                for (int x = xa; x < xb; x++) {
                    if (x >= ia && x < ib) { x = ib - 1; continue; }
                    double dx = x + 0.5 - cx;
                    plot_cov(c, x, y, rgba, 1.0 - fabs(sqrt(dx * dx + dy * dy) - r));
                }
            } else {
                for (int x = xa; x < xb; x++) {
                    double dx = x + 0.5 - cx;
                    plot_cov(c, x, y, rgba, 1.0 - fabs(sqrt(dx * dx + dy * dy) - r));
                }
            }
        }
    }
}

void slp_view_canvas_mask(slp_view_canvas *c, int x, int y, const uint8_t *mask, int mw, int mh,
                    uint32_t rgba)
{
    for (int j = 0; j < mh; j++) {
        int yy = y + j;
        if (yy < 0 || yy >= c->h) continue;
        uint32_t *row = c->px + (size_t)yy * c->w;
        const uint8_t *m = mask + (size_t)j * mw;
        for (int i = 0; i < mw; i++) {
            int xx = x + i;
            if (xx < 0 || xx >= c->w || m[i] == 0) continue;
            blend_at(&row[xx], rgba, m[i]);
        }
    }
}
