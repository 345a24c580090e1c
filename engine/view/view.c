/* view.c - the viewer object: window or headless canvas, camera, frame rendering, PNG output
 * and input handling (see swarmlab/view.h). */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <SDL_image.h>
#include <SDL_ttf.h>

#include "view_impl.h"

#define FONT_FILE "fonts/DejaVuSans.ttf"
#define BACKGROUND 0x0b0e13ffu
#define PLANE_BG 0x131922ffu
#define PLANE_EDGE 0x2d3642ffu
#define HUD_LEFT 320          /* the world is framed to the right of the status panel */

void slp_view_message(sl_view *v, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->message, sizeof v->message, fmt, ap);
    va_end(ap);
    v->message_until = SDL_GetTicks() + 2500;
}

static int file_exists(const char *p)
{
    return p && access(p, R_OK) == 0;
}

/* The data files (assets/ of the source tree, share/swarmlab once installed) are looked for in
 * $SWARMLAB_DATA_DIR, then in ../share/swarmlab next to the running program (an installed
 * prefix), then in $SWARMLAB_SOURCE_DIR/assets (the test suites), then in assets/ under the
 * working directory (a source tree); no path is built in. */
static const char *find_font(const sl_view_def *cfg, char *buf, size_t n)
{
    if (cfg->font) return cfg->font;
    const char *env = getenv("SWARMLAB_DATA_DIR");
    if (env && *env) {
        snprintf(buf, n, "%s/" FONT_FILE, env);
        if (file_exists(buf)) return buf;
    }
    char exe[4096];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) {
        exe[len] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            int k = snprintf(buf, n, "%s/../share/swarmlab/" FONT_FILE, exe);
            if (k > 0 && (size_t)k < n && file_exists(buf)) return buf;
        }
    }
    const char *src = getenv("SWARMLAB_SOURCE_DIR");
    if (src && *src) {
        snprintf(buf, n, "%s/assets/" FONT_FILE, src);
        if (file_exists(buf)) return buf;
    }
    snprintf(buf, n, "assets/" FONT_FILE);
    if (file_exists(buf)) return buf;
    snprintf(buf, n, "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf");
    if (file_exists(buf)) return buf;
    snprintf(buf, n, "assets/" FONT_FILE);
    return buf;   /* reported as missing by the caller */
}

static void area_origin(const sl_view *v, double *ox, double *oy)
{
    int left = v->canvas.w >= 900 && !v->no_hud ? HUD_LEFT : 0;
    *ox = 0.5 * (left + v->canvas.w);
    *oy = 0.5 * v->canvas.h;
}

void sl_view_world_to_screen(const sl_view *v, double wx, double wy, double *sx, double *sy)
{
    double ox, oy;
    area_origin(v, &ox, &oy);
    *sx = (wx - v->st.center_x) * v->scale + ox;
    *sy = (v->st.y_up ? -1 : 1) * (wy - v->st.center_y) * v->scale + oy;
}

void sl_view_screen_to_world(const sl_view *v, double sx, double sy, double *wx, double *wy)
{
    double ox, oy;
    area_origin(v, &ox, &oy);
    *wx = (sx - ox) / v->scale + v->st.center_x;
    *wy = (v->st.y_up ? -1 : 1) * (sy - oy) / v->scale + v->st.center_y;
}

static int compute_fit(sl_view *v)
{
    int extent = slp_view_world_bounds(v, v->bounds);
    int left = v->canvas.w >= 900 && !v->no_hud ? HUD_LEFT : 0;
    double aw = v->canvas.w - left - 40, ah = v->canvas.h - 40;
    if (aw < 10) aw = 10;
    if (ah < 10) ah = 10;
    double bw = v->bounds[2] - v->bounds[0], bh = v->bounds[3] - v->bounds[1];
    v->fit_scale = fmin(aw / bw, ah / bh);
    if (!(v->fit_scale > 0) || !isfinite(v->fit_scale)) v->fit_scale = 1;
    return extent;
}

void sl_view_fit(sl_view *v)
{
    slp_view_refresh(v);
    v->fit_extent = compute_fit(v);
    v->user_camera = 0;
    v->st.center_x = 0.5 * (v->bounds[0] + v->bounds[2]);
    v->st.center_y = 0.5 * (v->bounds[1] + v->bounds[3]);
    v->st.zoom = 1;
    v->scale = v->fit_scale;
    v->camera_set = 1;
}

/* The canvas wrapped as a surface (no copy), for blitting to the window. */
static sl_status wrap_canvas(sl_view *v, sl_error *e)
{
    if (v->frame) SDL_FreeSurface(v->frame);
    v->frame = SDL_CreateRGBSurfaceWithFormatFrom(v->canvas.px, v->canvas.w, v->canvas.h, 32,
                                                  v->canvas.w * 4, SDL_PIXELFORMAT_ARGB8888);
    if (!v->frame) return sl_error_set(e, SL_ERR_NOMEM, "view: %s", SDL_GetError());
    SDL_SetSurfaceBlendMode(v->frame, SDL_BLENDMODE_NONE);   /* a plain copy */
    return SL_OK;
}

static sl_status resize(sl_view *v, int w, int h, sl_error *e)
{
    if (w < 64) w = 64;
    if (h < 64) h = 64;
    if (w == v->canvas.w && h == v->canvas.h) return SL_OK;
    slp_view_canvas nc;
    if (slp_view_canvas_init(&nc, w, h) != 0) return sl_error_set(e, SL_ERR_NOMEM, "view: out of memory");
    slp_view_canvas_release(&v->canvas);
    v->canvas = nc;
    if (v->camera_set) {
        compute_fit(v);
        v->scale = v->fit_scale * v->st.zoom;
    }
    if (v->win) return wrap_canvas(v, e);
    return SL_OK;
}

sl_view_def sl_view_def_default(void)
{
    return (sl_view_def){.width = 1280, .height = 720};
}

sl_view *sl_view_create(sl_world *w, const sl_view_def *cfg_in, sl_error *e)
{
    sl_view_def cfg = sl_view_def_default();
    if (cfg_in) cfg = *cfg_in;
    if (cfg.width <= 0) cfg.width = 1280;
    if (cfg.height <= 0) cfg.height = 720;
    if (cfg.width > 16384 || cfg.height > 16384) {
        sl_error_set(e, SL_ERR_RANGE, "view: size %dx%d is too large (at most 16384x16384)",
                     cfg.width, cfg.height);
        return NULL;
    }
    sl_view *v = calloc(1, sizeof *v);
    if (!v) { sl_error_set(e, SL_ERR_NOMEM, "view: out of memory"); return NULL; }
    v->world = w;
    v->window_mode = cfg.window;
    v->show_timing = cfg.window;
    v->no_hud = cfg.no_hud;
    v->st.y_up = cfg.y_up;
    v->slider_active = -1;
    v->param_pending = -1;
    v->st.steps_per_frame = 1;
    v->st.zoom = 1;
    snprintf(v->title, sizeof v->title, "%s", cfg.title ? cfg.title : "swarmlab");
    snprintf(v->screenshot_dir, sizeof v->screenshot_dir, ".");
    if (slp_view_canvas_init(&v->canvas, cfg.width, cfg.height) != 0) {
        sl_error_set(e, SL_ERR_NOMEM, "view: out of memory");
        sl_view_destroy(v);
        return NULL;
    }
    if (cfg.window) {
        /* Without a display SDL would fall back to its invisible offscreen driver: a window
         * nobody sees. Only a driver asked for by name (SDL_VIDEODRIVER) may be one of those. */
        const char *req = getenv("SDL_VIDEODRIVER");
        int asked = req && *req;
        if (!asked && !getenv("DISPLAY") && !getenv("WAYLAND_DISPLAY")) {
            sl_error_set(e, SL_ERR_STATE,
                         "cannot open a window: no display available (DISPLAY and "
                         "WAYLAND_DISPLAY are not set); use 'swarmlab run --frames DIR' for "
                         "images without a display");
            sl_view_destroy(v);
            return NULL;
        }
        if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0) {
            sl_error_set(e, SL_ERR_STATE,
                         "cannot open a window: no display available (%s); "
                         "use 'swarmlab run --frames DIR' for images without a display",
                         SDL_GetError());
            sl_view_destroy(v);
            return NULL;
        }
        v->sdl_video = 1;
        const char *drv = SDL_GetCurrentVideoDriver();
        if (!asked && drv && (strcmp(drv, "offscreen") == 0 || strcmp(drv, "dummy") == 0)) {
            sl_error_set(e, SL_ERR_STATE,
                         "cannot open a window: no display available (only SDL's %s driver "
                         "started); use 'swarmlab run --frames DIR' for images without a display",
                         drv);
            sl_view_destroy(v);
            return NULL;
        }
        Uint32 flags = SDL_WINDOW_RESIZABLE | (cfg.hidden ? SDL_WINDOW_HIDDEN : SDL_WINDOW_SHOWN);
        v->win = SDL_CreateWindow(v->title, SDL_WINDOWPOS_UNDEFINED, SDL_WINDOWPOS_UNDEFINED,
                                  cfg.width, cfg.height, flags);
        if (!v->win) {
            sl_error_set(e, SL_ERR_STATE, "cannot open a window: %s", SDL_GetError());
            sl_view_destroy(v);
            return NULL;
        }
        /* frames are drawn on the CPU and copied to the window's framebuffer surface (SDL's
         * software path): no GPU renderer is needed */
        if (!SDL_GetWindowSurface(v->win)) {
            sl_error_set(e, SL_ERR_STATE, "cannot draw into the window: %s", SDL_GetError());
            sl_view_destroy(v);
            return NULL;
        }
        if (wrap_canvas(v, e) != SL_OK) { sl_view_destroy(v); return NULL; }
    }
    if (TTF_Init() != 0) {
        sl_error_set(e, SL_ERR_STATE, "view: cannot initialise fonts: %s", TTF_GetError());
        sl_view_destroy(v);
        return NULL;
    }
    v->sdl_ttf = 1;
    char buf[1024], msg[600];
    const char *fp = find_font(&cfg, buf, sizeof buf);
    v->font = slp_view_font_open(fp, 15, msg, sizeof msg);
    if (v->font) v->font_small = slp_view_font_open(fp, 13, msg, sizeof msg);
    if (v->font_small) v->font_big = slp_view_font_open(fp, 18, msg, sizeof msg);
    if (!v->font_big) {
        sl_error_set(e, SL_ERR_IO, "%s", msg);
        sl_view_destroy(v);
        return NULL;
    }
    return v;
}

void sl_view_destroy(sl_view *v)
{
    if (!v) return;
    slp_view_font_close(v->font);
    slp_view_font_close(v->font_small);
    slp_view_font_close(v->font_big);
    if (v->sdl_ttf) TTF_Quit();
    if (v->frame) SDL_FreeSurface(v->frame);
    if (v->win) SDL_DestroyWindow(v->win);
    if (v->sdl_video) SDL_QuitSubSystem(SDL_INIT_VIDEO);
    slp_view_canvas_release(&v->canvas);
    free(v);
}

void sl_view_set_world(sl_view *v, sl_world *w)
{
    if (w == v->world) return;   /* the camera stays where the user (or the first fit) put it */
    v->world = w;
    if (!v->camera_set) return;
    /* keep the camera unless the new world has other bounds */
    double old[4];
    memcpy(old, v->bounds, sizeof old);
    compute_fit(v);
    if (memcmp(old, v->bounds, sizeof old) != 0) v->camera_set = 0;
}

void sl_view_set_lua(sl_view *v, lua_State *L)
{
    v->L = L;
}

void sl_view_set_screenshot_dir(sl_view *v, const char *dir)
{
    snprintf(v->screenshot_dir, sizeof v->screenshot_dir, "%s", dir ? dir : ".");
}

sl_view_state *sl_view_state_of(sl_view *v)
{
    return &v->st;
}

void sl_view_size(const sl_view *v, int *w, int *h)
{
    *w = v->canvas.w;
    *h = v->canvas.h;
}

int sl_view_nlayers(const sl_view *v) { return v->nlayers; }
const char *sl_view_layer_name(const sl_view *v, int i)
{
    return i >= 0 && i < v->nlayers ? v->layers[i].name : NULL;
}
int sl_view_layer_visible(const sl_view *v, int i)
{
    return i >= 0 && i < v->nlayers ? v->layers[i].visible : 0;
}

void sl_view_set_layer_visible(sl_view *v, const char *name, int visible)
{
    int at = -1;
    for (int i = 0; i < v->nhidden; i++)
        if (strcmp(v->hidden[i], name) == 0) at = i;
    if (visible && at >= 0) {
        memmove(&v->hidden[at], &v->hidden[at + 1], (size_t)(v->nhidden - at - 1) * VL_NAME);
        v->nhidden--;
    } else if (!visible && at < 0 && v->nhidden < VL_MAX) {
        snprintf(v->hidden[v->nhidden++], VL_NAME, "%s", name);
    }
    for (int i = 0; i < v->nlayers; i++)
        if (strcmp(v->layers[i].name, name) == 0) v->layers[i].visible = visible;
}

void sl_view_rates(const sl_view *v, double *fps, double *sps, long *frames, long long *steps)
{
    if (fps) *fps = v->fps;
    if (sps) *sps = v->sps;
    if (frames) *frames = v->frames;
    if (steps) *steps = v->steps;
}

uint32_t sl_view_pixel(const sl_view *v, int x, int y)
{
    if (x < 0 || y < 0 || x >= v->canvas.w || y >= v->canvas.h) return 0;
    return v->canvas.px[(size_t)y * v->canvas.w + x] & 0xffffffu;
}

/* Credits of the visible registered layers (data attributions), one line each, bottom right,
 * on every frame whether or not the HUD is shown. */
static void draw_credits(sl_view *v)
{
    const sl_view_layers *reg = v->world ? sl_view_layers_of(v->world) : NULL;
    slp_view_font *f = v->font_small ? v->font_small : v->font;
    if (!reg || !f) return;
    int y = v->canvas.h - 4;
    for (int i = v->nlayers - 1; i >= 0; i--) {
        const slp_view_layer *l = &v->layers[i];
        if (l->kind != VL_PROVIDER || !l->visible || l->index >= reg->n) continue;
        const char *credit = reg->def[l->index].credit;
        if (!credit || !credit[0]) continue;
        /* the same credit once, even when several layers carry it */
        int dup = 0;
        for (int j = i + 1; j < v->nlayers && !dup; j++) {
            const slp_view_layer *o = &v->layers[j];
            dup = o->kind == VL_PROVIDER && o->visible && o->index < reg->n &&
                  reg->def[o->index].credit && strcmp(reg->def[o->index].credit, credit) == 0;
        }
        if (dup) continue;
        int w = slp_view_font_width(f, credit), h = slp_view_font_height(f);
        y -= h + 2;
        slp_view_canvas_fill_rect(&v->canvas, v->canvas.w - w - 10, y - 1, w + 8, h + 2, 0x000000b0u);
        slp_view_font_draw(f, &v->canvas, v->canvas.w - w - 6, y, credit, 0xe6edf3ffu);
    }
}

sl_status sl_view_render(sl_view *v, sl_error *e)
{
    slp_view_refresh(v);
    /* a first frame with nothing to frame (agents not placed yet, all on one point) would keep
     * its camera for the whole run: fit again until the world has an extent */
    if (!v->camera_set || (v->fit_extent < 2 && !v->user_camera)) sl_view_fit(v);
    else v->scale = v->fit_scale * v->st.zoom;
    slp_view_canvas *c = &v->canvas;
    slp_view_canvas_clear(c, BACKGROUND);
    sl_draw d;
    slp_view_draw_init(v, &d);
    if (v->world) {
        const sl_plane *pl = sl_world_plane(v->world);
        if (pl && pl->width > 0 && pl->height > 0) {
            double x0, y0, x1, y1;
            sl_view_world_to_screen(v, 0, 0, &x0, &y0);
            sl_view_world_to_screen(v, pl->width, pl->height, &x1, &y1);
            if (fabs(x0) < 1e7 && fabs(y0) < 1e7 && fabs(x1) < 1e7 && fabs(y1) < 1e7) {
                int ix = (int)lround(fmin(x0, x1)), iy = (int)lround(fmin(y0, y1));
                int iw = (int)lround(fmax(x0, x1)) - ix, ih = (int)lround(fmax(y0, y1)) - iy;
                slp_view_canvas_fill_rect(c, ix, iy, iw, ih, PLANE_BG);
                slp_view_canvas_rect(c, ix - 1, iy - 1, iw + 2, ih + 2, PLANE_EDGE);
            }
        }
        slp_view_draw_world(v, &d);
        if (v->fit_extent == 0 && !v->has_lua_draw) slp_view_hud_metrics_board(v);
        for (int i = 0; i < v->nlayers; i++) {
            if (v->layers[i].kind != VL_LUA || !v->layers[i].visible) continue;
            if (slp_view_lua_call_draw(v->L, &d, e) != SL_OK) return e ? e->code : SL_ERR_LUA;
        }
    }
    if (!v->no_hud) slp_view_hud_draw(v);
    draw_credits(v);
    v->frames++;
    if (v->win) {
        SDL_Surface *ws = SDL_GetWindowSurface(v->win);   /* renewed after a resize */
        if (!ws) return sl_error_set(e, SL_ERR_STATE, "view: window surface: %s", SDL_GetError());
        if (SDL_BlitSurface(v->frame, NULL, ws, NULL) != 0 || SDL_UpdateWindowSurface(v->win) != 0)
            return sl_error_set(e, SL_ERR_STATE, "view: cannot show the frame: %s", SDL_GetError());
    }
    return SL_OK;
}

sl_status sl_view_save_png(sl_view *v, const char *path, sl_error *e)
{
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormatFrom(v->canvas.px, v->canvas.w, v->canvas.h,
                                                        32, v->canvas.w * 4,
                                                        SDL_PIXELFORMAT_ARGB8888);
    if (!s) return sl_error_set(e, SL_ERR_NOMEM, "%s: %s", path, SDL_GetError());
    size_t n = strlen(path) + 8;
    char *tmp = malloc(n);
    if (!tmp) { SDL_FreeSurface(s); return sl_error_set(e, SL_ERR_NOMEM, "out of memory"); }
    snprintf(tmp, n, "%s.part", path);
    int rc = IMG_SavePNG(s, tmp);
    SDL_FreeSurface(s);
    if (rc != 0) {
        sl_error_set(e, SL_ERR_IO, "%s: cannot write PNG: %s", path, IMG_GetError());
        remove(tmp);
        free(tmp);
        return SL_ERR_IO;
    }
    if (rename(tmp, path) != 0) {
        sl_error_set(e, SL_ERR_IO, "%s: %s", path, strerror(errno));
        remove(tmp);
        free(tmp);
        return SL_ERR_IO;
    }
    free(tmp);
    return SL_OK;
}

static void screenshot(sl_view *v)
{
    char path[sizeof v->st.screenshot];
    unsigned long long step = v->world ? (unsigned long long)sl_world_step_count(v->world) : 0;
    for (int k = 0; k < 1000; k++) {
        snprintf(path, sizeof path, "%s/swarmlab-step%06llu%s%.0d.png", v->screenshot_dir, step,
                 k ? "-" : "", k);
        if (access(path, F_OK) != 0) break;
    }
    sl_error e;
    sl_error_clear(&e);
    if (sl_view_save_png(v, path, &e) == SL_OK) {
        snprintf(v->st.screenshot, sizeof v->st.screenshot, "%s", path);
        slp_view_message(v, "screenshot: %s", path);
    } else {
        slp_view_message(v, "%s", e.msg);
    }
}

static void zoom_at(sl_view *v, double sx, double sy, double factor)
{
    double wx, wy;
    if (!v->camera_set) sl_view_fit(v);
    v->user_camera = 1;
    sl_view_screen_to_world(v, sx, sy, &wx, &wy);
    double z = v->st.zoom * factor;
    if (z < 0.05) z = 0.05;
    if (z > 5000) z = 5000;
    v->st.zoom = z;
    v->scale = v->fit_scale * z;
    /* keep (wx, wy) under the cursor */
    double ox, oy;
    area_origin(v, &ox, &oy);
    v->st.center_x = wx - (sx - ox) / v->scale;
    v->st.center_y = wy - (v->st.y_up ? -1 : 1) * (sy - oy) / v->scale;
}

static void toggle_layer(sl_view *v, int i)
{
    if (i < 0 || i >= v->nlayers) return;
    sl_view_set_layer_visible(v, v->layers[i].name, !v->layers[i].visible);
    slp_view_message(v, "%s %s", v->layers[i].name, v->layers[i].visible ? "shown" : "hidden");
}

static int handle_key(sl_view *v, SDL_Keycode k)
{
    sl_view_state *st = &v->st;
    switch (k) {
    case SDLK_SPACE: st->paused = !st->paused; return 1;
    case SDLK_RIGHT: st->paused = 1; st->step_once++; return 1;
    case SDLK_PLUS: case SDLK_KP_PLUS: case SDLK_EQUALS:
        if (st->steps_per_frame < 4096) st->steps_per_frame *= 2;
        return 1;
    case SDLK_MINUS: case SDLK_KP_MINUS:
        if (st->steps_per_frame > 1) st->steps_per_frame /= 2;
        return 1;
    case SDLK_r: st->restart = 1; return 1;
    case SDLK_s: screenshot(v); return 1;
    case SDLK_h: st->help = !st->help; return 1;
    case SDLK_TAB: st->hud_hidden = !st->hud_hidden; return 1;
    case SDLK_y:
        st->y_up = !st->y_up;
        slp_view_message(v, "y axis %s", st->y_up ? "up" : "down");
        return 1;
    case SDLK_f: sl_view_fit(v); return 1;
    case SDLK_c: slp_view_cycle_color(v); return 1;
    case SDLK_g: v->chart_first++; return 1;
    case SDLK_q: st->quit = 1; return 1;
    case SDLK_ESCAPE:
        if (st->help) st->help = 0;
        else st->inspect_pop[0] = '\0';
        return 1;
    default:
        if (k >= SDLK_1 && k <= SDLK_9) { toggle_layer(v, (int)(k - SDLK_1)); return 1; }
        if (k >= SDLK_KP_1 && k <= SDLK_KP_9) { toggle_layer(v, (int)(k - SDLK_KP_1)); return 1; }
        return 0;
    }
}

int sl_view_handle_event(sl_view *v, const union SDL_Event *ev)
{
    sl_view_state *st = &v->st;
    switch (ev->type) {
    case SDL_QUIT:
        st->quit = 1;
        return 1;
    case SDL_WINDOWEVENT:
        if (ev->window.event == SDL_WINDOWEVENT_CLOSE) st->quit = 1;
        else if (ev->window.event == SDL_WINDOWEVENT_SIZE_CHANGED ||
                 ev->window.event == SDL_WINDOWEVENT_RESIZED)
            resize(v, ev->window.data1, ev->window.data2, NULL);
        return 1;
    case SDL_KEYDOWN:
        return handle_key(v, ev->key.keysym.sym);
    case SDL_MOUSEWHEEL: {
        double f = pow(1.2, ev->wheel.preciseY != 0 ? ev->wheel.preciseY : ev->wheel.y);
        zoom_at(v, ev->wheel.mouseX, ev->wheel.mouseY, f);
        return 1;
    }
    case SDL_MOUSEBUTTONDOWN:
        if (ev->button.button != SDL_BUTTON_LEFT) return 0;
        {
            double val;
            int s = slp_view_hud_slider_hit(v, ev->button.x, ev->button.y, &val);
            if (s >= 0) {
                v->slider_active = s;
                v->param_pending_value = val;
                return 1;
            }
        }
        v->mouse_down = 1;
        v->dragged = 0;
        v->mouse_x0 = ev->button.x;
        v->mouse_y0 = ev->button.y;
        v->drag_cx = st->center_x;
        v->drag_cy = st->center_y;
        return 0;
    case SDL_MOUSEMOTION:
        if (v->slider_active >= 0) {
            v->param_pending_value = slp_view_hud_slider_value_at(v, v->slider_active, ev->motion.x);
            return 1;
        }
        if (!v->mouse_down) return 0;
        {
            int dx = ev->motion.x - v->mouse_x0, dy = ev->motion.y - v->mouse_y0;
            if (!v->dragged && dx * dx + dy * dy <= 9) return 0;
            v->dragged = 1;
            if (!v->camera_set) sl_view_fit(v);
            v->user_camera = 1;
            st->center_x = v->drag_cx - dx / v->scale;
            st->center_y = v->drag_cy - (st->y_up ? -1 : 1) * dy / v->scale;
        }
        return 1;
    case SDL_MOUSEBUTTONUP:
        if (ev->button.button != SDL_BUTTON_LEFT) return 0;
        if (v->slider_active >= 0) {
            v->param_pending = v->slider_active;
            v->slider_active = -1;
            return 1;
        }
        if (!v->mouse_down) return 0;
        v->mouse_down = 0;
        if (!v->dragged) {
            uint64_t id = 0;
            char pop[sizeof st->inspect_pop];
            if (slp_view_pick(v, ev->button.x, ev->button.y, pop, sizeof pop, &id)) {
                snprintf(st->inspect_pop, sizeof st->inspect_pop, "%s", pop);
                st->inspect_id = id;
            } else {
                st->inspect_pop[0] = '\0';
                st->inspect_id = 0;
            }
        }
        return 1;
    default:
        return 0;
    }
}
