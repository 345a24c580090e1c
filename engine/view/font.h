/* font.h - text on a canvas: printable ASCII glyphs rendered once with SDL2_ttf and cached as
 * coverage masks, then blended in any colour. Characters outside ASCII are drawn as '?'.
 * Ownership: sl_font_open returns a font freed by sl_font_close.
 */
#ifndef SL_VIEW_FONT_H
#define SL_VIEW_FONT_H

#include "canvas.h"

typedef struct sl_font sl_font;

/* Opens a TrueType font at a pixel size; NULL (with msg filled) when it cannot be read.
 * TTF_Init must have been called. */
sl_font *sl_font_open(const char *path, int px, char *msg, size_t msglen);
void sl_font_close(sl_font *f);
int sl_font_height(const sl_font *f);
int sl_font_width(const sl_font *f, const char *s);
/* Draws s with its top-left corner at (x, y); returns the width drawn. f may be NULL (no-op). */
int sl_font_draw(const sl_font *f, sl_canvas *c, int x, int y, const char *s, uint32_t rgba);

#endif
