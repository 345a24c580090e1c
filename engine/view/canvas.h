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

typedef struct sl_canvas {
    int w, h;
    uint32_t *px;     /* w*h pixels, 0xAARRGGBB, alpha always 255 */
} sl_canvas;

/* Allocates a w x h canvas; returns 0 on success, -1 when out of memory. */
int sl_canvas_init(sl_canvas *c, int w, int h);
void sl_canvas_release(sl_canvas *c);

void sl_canvas_clear(sl_canvas *c, uint32_t rgba);
/* Opaque (rgb) or blended pixel. */
void sl_canvas_blend(sl_canvas *c, int x, int y, uint32_t rgba);
void sl_canvas_fill_rect(sl_canvas *c, int x, int y, int w, int h, uint32_t rgba);
void sl_canvas_rect(sl_canvas *c, int x, int y, int w, int h, uint32_t rgba);
/* A square dot of side `size` pixels centred on (x, y). */
void sl_canvas_dot(sl_canvas *c, double x, double y, int size, uint32_t rgba);
/* Antialiased line of the given width in pixels (width <= 1.5: Wu's algorithm; wider: a quad). */
void sl_canvas_line(sl_canvas *c, double x0, double y0, double x1, double y1, double width,
                    uint32_t rgba);
void sl_canvas_triangle(sl_canvas *c, double x0, double y0, double x1, double y1, double x2,
                        double y2, uint32_t rgba);
void sl_canvas_circle(sl_canvas *c, double cx, double cy, double r, uint32_t rgba, int filled);
/* Blends an 8-bit coverage mask (mw x mh, row stride mw) tinted with rgba at (x, y). */
void sl_canvas_mask(sl_canvas *c, int x, int y, const uint8_t *mask, int mw, int mh,
                    uint32_t rgba);

#endif
