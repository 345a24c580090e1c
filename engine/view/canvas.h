/* canvas.h - a CPU pixel buffer (ARGB8888) and the primitives the viewer draws with.
 *
 * Everything the viewer shows is drawn here, whether it then goes to a window (one texture upload
 * per frame) or to a PNG file, so window and headless frames are pixel-identical. Colours given to
 * the primitives are 0xRRGGBBAA; alpha < 255 blends over what is there. All primitives clip to the
 * canvas and accept any coordinates (NaN and huge values are dropped, not drawn).
 */
#ifndef SL_VIEW_CANVAS_H
#define SL_VIEW_CANVAS_H

#include <stdint.h>
#include <stddef.h>

typedef struct slp_view_canvas {
    int w, h;
    uint32_t *px;     /* w*h pixels, 0xAARRGGBB, alpha always 255 */
} slp_view_canvas;

/* Allocates a w x h canvas; returns 0 on success, -1 when out of memory. */
int slp_view_canvas_init(slp_view_canvas *c, int w, int h);
void slp_view_canvas_release(slp_view_canvas *c);

void slp_view_canvas_clear(slp_view_canvas *c, uint32_t rgba);
/* Opaque (rgb) or blended pixel. */
void slp_view_canvas_blend(slp_view_canvas *c, int x, int y, uint32_t rgba);
void slp_view_canvas_fill_rect(slp_view_canvas *c, int x, int y, int w, int h, uint32_t rgba);
void slp_view_canvas_rect(slp_view_canvas *c, int x, int y, int w, int h, uint32_t rgba);
/* A square dot of side `size` pixels centred on (x, y). */
void slp_view_canvas_dot(slp_view_canvas *c, double x, double y, int size, uint32_t rgba);
/* Antialiased line of the given width in pixels (width <= 1.5: Wu's algorithm; wider: a quad). */
void slp_view_canvas_line(slp_view_canvas *c, double x0, double y0, double x1, double y1, double width,
                    uint32_t rgba);
void slp_view_canvas_triangle(slp_view_canvas *c, double x0, double y0, double x1, double y1, double x2,
                        double y2, uint32_t rgba);
void slp_view_canvas_circle(slp_view_canvas *c, double cx, double cy, double r, uint32_t rgba, int filled);
/* Blends an 8-bit coverage mask (mw x mh, row stride mw) tinted with rgba at (x, y). */
void slp_view_canvas_mask(slp_view_canvas *c, int x, int y, const uint8_t *mask, int mw, int mh,
                    uint32_t rgba);

#endif
