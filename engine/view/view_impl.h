/* view_impl.h - the viewer's internal state, shared by its source files (not installed). */
#ifndef SL_VIEW_IMPL_H
#define SL_VIEW_IMPL_H

#include <SDL.h>
#include <stdint.h>

#include "swarmlab/view.h"
#include "canvas.h"
#include "font.h"

#define VL_MAX 64            /* layers listed in the legend */
#define VL_NAME 64
#define VIEW_MAX_PARAMS 12
#define TRIANGLE_MAX_AGENTS 20000

typedef enum slp_view_layer_kind { VL_POP = 0, VL_FIELD, VL_GRAPH, VL_PROVIDER, VL_LUA } slp_view_layer_kind;

typedef struct slp_view_layer {
    char name[VL_NAME];
    slp_view_layer_kind kind;
    int index;           /* population / field / graph / provider index in the world */
    int visible;
    sl_rgba swatch;
    size_t count;        /* agents, cells or edges (legend) */
} slp_view_layer;

typedef struct slp_view_colorby {
    char pop[VL_NAME];
    char col[VL_NAME];   /* "" = population colour */
} slp_view_colorby;

struct sl_view {
    sl_world *world;
    lua_State *L;
    int has_lua_draw;

    int window_mode, hidden_start;
    SDL_Window *win;
    SDL_Surface *frame;      /* the canvas as an SDL surface (blitted to the window surface) */
    int sdl_video, sdl_ttf;

    slp_view_canvas canvas;
    slp_view_font *font, *font_small, *font_big;
    char title[128];

    sl_view_state st;
    int camera_set;          /* 0: fit on next render */
    int fit_extent;          /* what the last fit found (slp_view_world_bounds): below 2 (nothing,
                                or one point) the camera is fitted again at each render until
                                the world has an extent, unless the user zooms or pans */
    int user_camera;         /* the user zoomed or panned since the last fit */
    double scale;            /* pixels per world unit (zoom 1 = fit_scale) */
    double fit_scale;
    double bounds[4];

    slp_view_layer layers[VL_MAX];
    int nlayers;
    char hidden[VL_MAX][VL_NAME];
    int nhidden;
    slp_view_colorby colorby[16];
    int ncolorby;
    double color_lo, color_hi; /* range of the colouring column of the first coloured pop */
    char color_label[2 * VL_NAME];

    /* mouse */
    int mouse_down, mouse_x0, mouse_y0, dragged;
    double drag_cx, drag_cy;
    int slider_active;       /* index of the slider being dragged, -1 none */

    /* sliders (from the simulation) */
    sl_view_param params[VIEW_MAX_PARAMS];
    char param_names[VIEW_MAX_PARAMS][VL_NAME];
    int nparams;
    int param_pending;       /* index of a slider whose value should be applied, -1 none */
    double param_pending_value;

    int chart_first;         /* first metric shown in the chart (G cycles) */
    int no_hud;
    int show_timing;         /* 1 in a window: steps/s and frames/s in the HUD */
    int finished;            /* the simulation has stopped */
    double fps, sps;
    long frames;
    long long steps;
    char screenshot_dir[400];
    char message[256];       /* transient status line (screenshot written, errors) */
    uint32_t message_until;  /* SDL ticks */
};

/* layers.c */
void slp_view_refresh(sl_view *v);                /* rebuilds the layer list from the world */
int slp_view_world_bounds(sl_view *v, double out[4]); /* 0 nothing, 1 one point, 2 an extent */
void slp_view_draw_world(sl_view *v, sl_draw *d);
int slp_view_pick(sl_view *v, double sx, double sy, char *pop, size_t poplen, uint64_t *id);
void slp_view_cycle_color(sl_view *v);
const char *slp_view_color_column(const sl_view *v, const char *pop);
sl_rgba slp_view_pop_color(int i);

/* colormap (layers.c) */
sl_rgba slp_view_viridis(double t);               /* t in [0,1] */

/* hud.c */
void slp_view_hud_draw(sl_view *v);
/* A world with nothing to frame (no plane, field, positioned graph, layer bounds or positioned
 * agents) and no draw(d): its metrics over time, one panel per metric, fill the canvas. Returns 1
 * when it drew something. */
int slp_view_hud_metrics_board(sl_view *v);
int slp_view_hud_slider_hit(sl_view *v, int x, int y, double *value); /* slider index under (x,y) or -1 */
double slp_view_hud_slider_value_at(sl_view *v, int slider, int x);

/* draw.c: the sl_draw implementation over the canvas */
void slp_view_draw_init(sl_view *v, sl_draw *d);

/* lua_draw.c */
int slp_view_lua_has_draw(lua_State *L);
sl_status slp_view_lua_call_draw(lua_State *L, sl_draw *d, sl_error *e);

void slp_view_message(sl_view *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
