/* font.c - cached glyph masks of printable ASCII and Latin-1 (U+00A0..U+00FF, e.g. the "\u00a9"
 * of map credits) from SDL2_ttf (see font.h). Text is UTF-8; other characters are drawn as '?'. */
#include "font.h"

#include <SDL.h>
#include <SDL_ttf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIRST 32
#define LAST 255
#define ASCII_LAST 126
#define LATIN1_FIRST 160
#define NGLYPH (LAST - FIRST + 1)

typedef struct glyph {
    uint8_t *mask;   /* w x h coverage */
    int w, h;
    int advance;
} glyph;

struct slp_view_font {
    int height;
    glyph g[NGLYPH];
};

static int load_glyph(TTF_Font *tf, int ch, glyph *out)
{
    SDL_Color white = { 255, 255, 255, 255 };
    int minx, maxx, miny, maxy, adv;
    if (TTF_GlyphMetrics(tf, (Uint16)ch, &minx, &maxx, &miny, &maxy, &adv) != 0) return -1;
    out->advance = adv;
    if (ch == ' ') return 0;
    SDL_Surface *s = TTF_RenderGlyph_Blended(tf, (Uint16)ch, white);
    if (!s) return -1;
    SDL_Surface *a = SDL_ConvertSurfaceFormat(s, SDL_PIXELFORMAT_ARGB8888, 0);
    SDL_FreeSurface(s);
    if (!a) return -1;
    out->w = a->w;
    out->h = a->h;
    out->mask = malloc((size_t)a->w * (size_t)a->h);
    if (!out->mask) { SDL_FreeSurface(a); return -1; }
    if (SDL_MUSTLOCK(a)) SDL_LockSurface(a);
    for (int y = 0; y < a->h; y++) {
        const uint32_t *row = (const uint32_t *)((const uint8_t *)a->pixels + (size_t)y * a->pitch);
        for (int x = 0; x < a->w; x++) out->mask[(size_t)y * a->w + x] = (uint8_t)(row[x] >> 24);
    }
    if (SDL_MUSTLOCK(a)) SDL_UnlockSurface(a);
    SDL_FreeSurface(a);
    return 0;
}

slp_view_font *slp_view_font_open(const char *path, int px, char *msg, size_t msglen)
{
    TTF_Font *tf = TTF_OpenFont(path, px);
    if (!tf) {
        snprintf(msg, msglen, "%s: cannot open font: %s", path, TTF_GetError());
        return NULL;
    }
    slp_view_font *f = calloc(1, sizeof *f);
    if (!f) { TTF_CloseFont(tf); snprintf(msg, msglen, "out of memory"); return NULL; }
    f->height = TTF_FontHeight(tf);
    for (int ch = FIRST; ch <= LAST; ch++) {
        if (ch > ASCII_LAST && ch < LATIN1_FIRST) continue;
        /* a font without some Latin-1 glyph still serves: those are drawn as '?' */
        if (ch >= LATIN1_FIRST) {
            glyph *g = &f->g[ch - FIRST];
            if (!TTF_GlyphIsProvided(tf, (Uint16)ch) || load_glyph(tf, ch, g) != 0) {
                free(g->mask);
                memset(g, 0, sizeof *g);
            }
            continue;
        }
        if (load_glyph(tf, ch, &f->g[ch - FIRST]) != 0) {
            snprintf(msg, msglen, "%s: cannot render glyph %d: %s", path, ch, TTF_GetError());
            TTF_CloseFont(tf);
            slp_view_font_close(f);
            return NULL;
        }
    }
    TTF_CloseFont(tf);
    return f;
}

void slp_view_font_close(slp_view_font *f)
{
    if (!f) return;
    for (int i = 0; i < NGLYPH; i++) free(f->g[i].mask);
    free(f);
}

int slp_view_font_height(const slp_view_font *f)
{
    return f ? f->height : 0;
}

static const glyph *glyph_of(const slp_view_font *f, unsigned cp)
{
    if (cp < FIRST || cp > LAST || (cp > ASCII_LAST && cp < LATIN1_FIRST) ||
        (cp >= LATIN1_FIRST && f->g[cp - FIRST].advance == 0))
        cp = '?';
    return &f->g[cp - FIRST];
}

/* The next character of UTF-8 text: its code point (0xfffd for anything malformed) and the
 * number of bytes it takes. */
static unsigned next_cp(const char *s, int *len)
{
    const unsigned char *u = (const unsigned char *)s;
    if (u[0] < 0x80) { *len = 1; return u[0]; }
    if ((u[0] & 0xe0) == 0xc0 && (u[1] & 0xc0) == 0x80) {
        *len = 2;
        return ((unsigned)(u[0] & 0x1f) << 6) | (u[1] & 0x3f);
    }
    int n = 1;
    while (u[n] && (u[n] & 0xc0) == 0x80) n++;
    *len = n;
    return 0xfffd;
}

int slp_view_font_width(const slp_view_font *f, const char *s)
{
    if (!f || !s) return 0;
    int w = 0, len;
    for (; *s; s += len) w += glyph_of(f, next_cp(s, &len))->advance;
    return w;
}

int slp_view_font_draw(const slp_view_font *f, slp_view_canvas *c, int x, int y, const char *s, uint32_t rgba)
{
    if (!f || !s) return 0;
    int x0 = x, len;
    for (; *s; s += len) {
        const glyph *g = glyph_of(f, next_cp(s, &len));
        if (g->mask) slp_view_canvas_mask(c, x, y, g->mask, g->w, g->h, rgba);
        x += g->advance;
    }
    return x - x0;
}
