/* view.h - drawing a world: a live SDL2 window, or PNG frames with no display.
 *
 * The viewer draws what it finds in the world, with no code from the scenario:
 *   - populations that have columns named x and y, as points, or as heading triangles when they
 *     also have vx,vy or heading (radians) and are small enough (<= 20000 agents), coloured by
 *     population or by a chosen column;
 *   - scalar fields as heatmaps, graphs whose nodes have positions as lines;
 *   - layers that modules register on the world (sl_view_add_layer, below);
 *   - the scenario's Lua `draw(d)` callback (d:line, d:circle, d:text, d:point, d:rect);
 *   - a HUD (step, steps/s, frames/s, metrics), a legend, a live chart of the recorder's metrics,
 *     the inspected agent's columns, sliders for tunable parameters, and a help overlay.
 * World coordinates have x to the right and y downward (the row order of fields) unless the
 * y axis is turned upward (sl_view_def.y_up, the Y key, --y-up).
 *
 * Everything is drawn into a CPU pixel buffer, then either uploaded to a window or written as
 * PNG, so a headless frame is pixel-for-pixel what the window shows (HUD timings aside).
 *
 * This header has two halves. The layer registry (sl_draw, sl_view_add_layer) is implemented in
 * this header on top of sl_world_attach, so a module can register drawing code without linking
 * the viewer or SDL; it costs nothing when no viewer runs. The viewer itself (sl_view_*) exists
 * only in builds with SWARMLAB_VIEW=ON (compile definition SWARMLAB_HAVE_VIEW).
 */
#ifndef SWARMLAB_VIEW_H
#define SWARMLAB_VIEW_H

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include "swarmlab/checkpoint.h"
#include "swarmlab/error.h"
#include "swarmlab/world.h"

/* ---------------------------------------------------------------------------------------------
 * Drawing interface given to layers (world coordinates; sizes in pixels unless said otherwise).
 * Colours are 0xRRGGBBAA; alpha < 0xff blends. */
typedef uint32_t sl_rgba;
typedef struct sl_draw sl_draw;
struct sl_draw {
    void *impl;
    void (*line)(sl_draw *d, double x0, double y0, double x1, double y1, sl_rgba c,
                 double width_px);
    /* r in world units; filled != 0 fills the disc */
    void (*circle)(sl_draw *d, double x, double y, double r, sl_rgba c, int filled);
    void (*point)(sl_draw *d, double x, double y, sl_rgba c, double size_px);
    void (*text)(sl_draw *d, double x, double y, const char *s, sl_rgba c);
    /* An nx x ny grid of values (row-major) covering [x0,x1) x [y0,y1), coloured with the
     * heat colour map from vmin (transparent) to vmax. */
    void (*heatmap)(sl_draw *d, double x0, double y0, double x1, double y1, int nx, int ny,
                    const double *v, double vmin, double vmax);
    double (*pixels_per_unit)(sl_draw *d);
};

/* Colour maps, so that module layers match the viewer's own: sl_view_ramp interpolates linearly
 * between n >= 2 RGB stops at t in [0,1] (clamped); sl_view_heat is the map of field heatmaps
 * (dark purple to pale yellow). */
static inline sl_rgba sl_view_ramp(const uint8_t (*stops)[3], int n, double t)
{
    if (!(t > 0)) t = 0;
    if (t > 1) t = 1;
    double p = t * (n - 1);
    int i = (int)p;
    if (i >= n - 1) i = n - 2;
    double f = p - i;
    unsigned c[3];
    for (int k = 0; k < 3; k++)
        c[k] = (unsigned)lround(stops[i][k] + f * (stops[i + 1][k] - stops[i][k]));
    return ((sl_rgba)c[0] << 24) | ((sl_rgba)c[1] << 16) | ((sl_rgba)c[2] << 8) | 0xffu;
}

static inline sl_rgba sl_view_heat(double t)
{
    static const uint8_t s[][3] = { { 20, 11, 52 },   { 100, 20, 110 }, { 188, 55, 84 },
                                    { 246, 125, 21 }, { 252, 200, 60 }, { 252, 255, 164 } };
    return sl_view_ramp(s, 6, t);
}

/* A layer: draw() is called every frame (serially, never during a step) with the world. bounds(),
 * optional, gives the extent of what the layer draws {xmin, ymin, xmax, ymax} and returns 1, so a
 * world without a plane is framed correctly; return 0 when there is nothing to frame. */
typedef struct sl_view_layer_def {
    const char *name;      /* shown in the legend; copied */
    sl_rgba swatch;        /* legend colour */
    void (*draw)(sl_draw *d, sl_world *w, void *user);
    int (*bounds)(sl_world *w, void *user, double out[4]);
    void *user;            /* stays the caller's; must live as long as the world */
    /* Optional credit that every picture showing this layer must carry (a data licence's
     * attribution, e.g. map data); drawn in the bottom-right corner of every frame, HUD or not,
     * while the layer is visible. Not copied: must live as long as the world. */
    const char *credit;
    /* Optional: the layer draws the populations whose names start with this prefix itself (a
     * model that mirrors its state into populations), so the viewer neither draws them as points
     * nor frames them. Not copied: must live as long as the world. */
    const char *pops;
} sl_view_layer_def;

#define SL_VIEW_LAYERS_KEY "swarmlab.view.layers"
#define SL_VIEW_MAX_LAYERS 32

typedef struct sl_view_layers {
    int n;
    sl_view_layer_def def[SL_VIEW_MAX_LAYERS];
    char name[SL_VIEW_MAX_LAYERS][48];
} sl_view_layers;

static inline void sl_view_layers_free_(void *p) { free(p); }

/* Registers a layer on the world (the world owns the registry). Fails with SL_ERR_RANGE when
 * SL_VIEW_MAX_LAYERS are registered or the name is empty, SL_ERR_NOMEM when out of memory. */
static inline sl_status sl_view_add_layer(sl_world *w, const sl_view_layer_def *def, sl_error *e)
{
    if (!def || !def->draw || !def->name || !def->name[0])
        return sl_error_set(e, SL_ERR_RANGE, "view layer: a name and a draw function are needed");
    sl_view_layers *L = (sl_view_layers *)sl_world_attached(w, SL_VIEW_LAYERS_KEY);
    if (!L) {
        L = (sl_view_layers *)calloc(1, sizeof *L);
        if (!L) return sl_error_set(e, SL_ERR_NOMEM, "view layer: out of memory");
        sl_status s = sl_world_attach(w, SL_VIEW_LAYERS_KEY, L, sl_view_layers_free_, e);
        if (s != SL_OK) { free(L); return s; }
        /* drawing only: nothing a checkpoint needs (setup registers the layers again) */
        s = sl_checkpoint_register(w, SL_VIEW_LAYERS_KEY, NULL, NULL, e);
        if (s != SL_OK) return s;
    }
    if (L->n >= SL_VIEW_MAX_LAYERS)
        return sl_error_set(e, SL_ERR_RANGE, "view layer '%s': more than %d layers", def->name,
                            SL_VIEW_MAX_LAYERS);
    L->def[L->n] = *def;
    size_t k = 0;
    for (; def->name[k] && k + 1 < sizeof L->name[0]; k++) L->name[L->n][k] = def->name[k];
    L->name[L->n][k] = '\0';
    L->def[L->n].name = L->name[L->n];
    L->n++;
    return SL_OK;
}

/* The world's registered layers, or NULL. */
static inline const sl_view_layers *sl_view_layers_of(const sl_world *w)
{
    return (const sl_view_layers *)sl_world_attached(w, SL_VIEW_LAYERS_KEY);
}

#ifdef SWARMLAB_HAVE_VIEW
/* ---------------------------------------------------------------------------------------------
 * The viewer (SWARMLAB_VIEW=ON builds only). */
typedef struct lua_State lua_State;
union SDL_Event;
typedef struct sl_view sl_view;

typedef struct sl_view_def {
    int width, height;     /* pixels; 0 means 1280 x 720 */
    int window;            /* 1: open a resizable SDL window; 0: headless (no display needed) */
    int hidden;            /* window created hidden (benchmarks) */
    const char *title;     /* window title / HUD heading; may be NULL */
    const char *font;      /* TrueType file; NULL: assets/fonts/DejaVuSans.ttf */
    int no_hud;            /* 1: draw the world only (no panels, chart or text overlays) */
    int y_up;              /* 1: world y grows upward on screen (maps, plots); default down */
} sl_view_def;

/* The defaults: 1280 x 720, headless, the HUD on, the bundled font, y down. */
sl_view_def sl_view_def_default(void);

/* Creates a viewer of world w (w may be NULL until sl_view_set_world). With window = 1 and no
 * usable display it fails with SL_ERR_STATE and a one-line message that says so. */
sl_view *sl_view_create(sl_world *w, const sl_view_def *cfg, sl_error *e);
void sl_view_destroy(sl_view *v);
/* Points the viewer at another world (after a restart); keeps camera, layers and colouring. */
void sl_view_set_world(sl_view *v, sl_world *w);
/* The Lua state whose global draw(d) is called each frame (NULL: none). */
void sl_view_set_lua(sl_view *v, lua_State *L);
/* Resets the camera to frame the whole world. */
void sl_view_fit(sl_view *v);

/* Draws one frame into the pixel buffer and, with a window, shows it. Fails (SL_ERR_LUA) when
 * the scenario's draw callback raises an error; the message names the file and line. */
sl_status sl_view_render(sl_view *v, sl_error *e);
/* Writes the last frame as PNG (to "<path>.part", renamed when complete). */
sl_status sl_view_save_png(sl_view *v, const char *path, sl_error *e);
/* The last frame's pixel at (x, y) as 0xRRGGBB (0 outside). */
uint32_t sl_view_pixel(const sl_view *v, int x, int y);
void sl_view_size(const sl_view *v, int *w, int *h);
void sl_view_world_to_screen(const sl_view *v, double wx, double wy, double *sx, double *sy);
void sl_view_screen_to_world(const sl_view *v, double sx, double sy, double *wx, double *wy);

/* Colours population `pop`'s agents by column `column` (NULL: one colour per population).
 * Returns SL_ERR_RANGE when there is no such population or column. */
sl_status sl_view_color_by(sl_view *v, const char *pop, const char *column, sl_error *e);

/* Input. Events are handled as documented in docs/viewer.md; returns 1 when the event changed
 * something that needs a redraw. */
int sl_view_handle_event(sl_view *v, const union SDL_Event *ev);

typedef struct sl_view_state {
    int paused;            /* space */
    int steps_per_frame;   /* + / - (1 .. 4096) */
    int step_once;         /* right arrow: steps requested (the window pauses) */
    int restart;           /* R: rebuild the scenario with the same seed */
    int quit;              /* window closed, Escape or Q */
    int help;              /* H */
    int hud_hidden;        /* Tab: panels (status, legend, chart, sliders) hidden */
    int y_up;              /* Y: world y grows upward on screen */
    double zoom;           /* 1 = whole world fits; wheel changes it */
    double center_x, center_y; /* world point at the centre of the canvas (drag pans) */
    char inspect_pop[64];  /* click: population of the inspected agent ("" = none) */
    uint64_t inspect_id;   /* its id (sl_id), followed across steps */
    char screenshot[512];  /* path of the last screenshot written by S ("" = none) */
} sl_view_state;

sl_view_state *sl_view_state_of(sl_view *v);
/* Layers in legend order (number key k toggles layer k); name and visibility. */
int sl_view_nlayers(const sl_view *v);
const char *sl_view_layer_name(const sl_view *v, int i);
int sl_view_layer_visible(const sl_view *v, int i);
void sl_view_set_layer_visible(sl_view *v, const char *name, int visible);
/* Sliders of the tunable parameters (after sl_view_run loaded them): count, and the track of
 * slider i (left end x, centre line y, width) in pixels, for automation and tests. */
int sl_view_nsliders(const sl_view *v);
int sl_view_slider_track(const sl_view *v, int i, int *x, int *y, int *w);
/* Directory where S writes screenshots (default "."); copied. */
void sl_view_set_screenshot_dir(sl_view *v, const char *dir);

/* ---- interactive runs ----
 * The simulation being watched, as callbacks, so the window loop does not depend on who owns the
 * world. world() may change after restart(). */
typedef struct sl_view_param {
    const char *name;
    double value, min, max;
    int integer;
} sl_view_param;

typedef struct sl_view_sim {
    void *user;
    sl_world *(*world)(void *user);
    lua_State *(*lua)(void *user);                          /* optional */
    sl_status (*step)(void *user, int *stop, sl_error *e);
    sl_status (*restart)(void *user, sl_error *e);          /* optional; same seed */
    int (*nparams)(void *user);                             /* optional: tunable parameters */
    int (*param)(void *user, int i, sl_view_param *out);
    /* Sets a tunable parameter (takes effect as the callee documents; the Lua host restarts with
     * the new value and the same seed). */
    sl_status (*set_param)(void *user, const char *name, double value, sl_error *e);
    /* Optional: called once when the run ends (max_steps reached or step asked to stop). */
    sl_status (*finish)(void *user, sl_error *e);
} sl_view_sim;

typedef struct sl_view_run_def {
    long long max_steps;   /* < 0: no limit (the sim's step may still stop) */
    long max_frames;       /* > 0: quit after this many frames (tests, benchmarks) */
    int start_paused;
    int max_fps;           /* 0: at most 60 frames/s; < 0: as many as possible (benchmarks) */
} sl_view_run_def;

/* The defaults: no step or frame limit, not paused, at most 60 frames/s. */
sl_view_run_def sl_view_run_def_default(void);

/* Runs the window loop until the window is closed (or max_frames). When the simulation stops or
 * reaches max_steps the window stays open, paused. A hidden or minimised window draws nothing
 * and a paused one sleeps waiting for input, so neither costs the simulation time. */
sl_status sl_view_run(sl_view *v, const sl_view_sim *sim, const sl_view_run_def *opts,
                      sl_error *e);

/* Frames per second and steps per second measured by the last sl_view_run (benchmarks), and
 * the frames drawn and steps taken since the viewer was created. */
void sl_view_rates(const sl_view *v, double *fps, double *sps, long *frames, long long *steps);

/* ---- headless frame sequences (swarmlab run --frames DIR --frame-every N --size WxH) ----
 * PNG files DIR/frame_<step, 6 digits>.png for every step that is a multiple of `every` (step 0
 * included), and DIR/final.png. DIR is created (with parents) when missing. No display needed. */
typedef struct sl_view_frames sl_view_frames;
typedef struct sl_view_frames_def {
    const char *dir;
    long every;            /* >= 1 */
    int width, height;     /* 0: 1280 x 720 */
    const char *title;
    int no_hud;
    int y_up;
} sl_view_frames_def;

sl_view_frames *sl_view_frames_open(sl_world *w, lua_State *L, const sl_view_frames_def *cfg,
                                    sl_error *e);
/* Writes a frame when the world's step count is a multiple of `every`; call it after setup and
 * after every step. w and L may differ from the previous call. */
sl_status sl_view_frames_capture(sl_view_frames *f, sl_world *w, lua_State *L, sl_error *e);
sl_status sl_view_frames_final(sl_view_frames *f, sl_world *w, lua_State *L, sl_error *e);
void sl_view_frames_close(sl_view_frames *f);
sl_view *sl_view_frames_view(sl_view_frames *f);

/* ---- a Lua scenario as the watched simulation ----
 * sl_view_host_sim_create copies cfg, creates the host and runs setup(); restart and slider
 * changes rebuild the host from the same configuration (same seed; a slider adds an override).
 * steps < 0: the scenario's default length (unlimited when it has none). It owns the host.
 * sl_view_host_sim_wrap watches a host the caller owns and finishes itself (no restart, no
 * finish callback, no slider changes). */
typedef struct sl_host sl_host;
typedef struct sl_host_def sl_host_def;
typedef struct sl_view_host_sim sl_view_host_sim;
sl_view_host_sim *sl_view_host_sim_create(const sl_host_def *cfg, long long steps,
                                          sl_error *e);
sl_view_host_sim *sl_view_host_sim_wrap(sl_host *h, long long steps);
void sl_view_host_sim_destroy(sl_view_host_sim *s);
sl_host *sl_view_host_sim_host(sl_view_host_sim *s);
long long sl_view_host_sim_steps(const sl_view_host_sim *s);   /* the run's length, -1 none */
void sl_view_host_sim_bind(sl_view_host_sim *s, sl_view_sim *out);

/* Parses "WxH" (16..16384 each); returns 0 on success, -1 otherwise. */
int sl_view_parse_size(const char *s, int *w, int *h);
#endif /* SWARMLAB_HAVE_VIEW */

#endif
