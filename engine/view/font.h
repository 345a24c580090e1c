/* font.h - text on a canvas: printable ASCII glyphs rendered once with SDL2_ttf and cached as
 * coverage masks, then blended in any colour. Characters outside ASCII are drawn as '?'.
 * Ownership: slp_view_font_open returns a font freed by slp_view_font_close.
 */
#ifndef SL_VIEW_FONT_H
#define SL_VIEW_FONT_H

#include "canvas.h"

typedef struct slp_view_font slp_view_font;

/* Opens a TrueType font at a pixel size; NULL (with msg filled) when it cannot be read.
 * TTF_Init must have been called. */
slp_view_font *slp_view_font_open(const char *path, int px, char *msg, size_t msglen);
void slp_view_font_close(slp_view_font *f);
int slp_view_font_height(const slp_view_font *f);
int slp_view_font_width(const slp_view_font *f, const char *s);
/* Draws s with its top-left corner at (x, y); returns the width drawn. f may be NULL (no-op). */
int slp_view_font_draw(const slp_view_font *f, slp_view_canvas *c, int x, int y, const char *s, uint32_t rgba);

#endif
