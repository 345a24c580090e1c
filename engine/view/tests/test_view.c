/* test_view.c - the viewer: pixels where agents, fields, graphs and layers are; PNG output;
 * input events changing the documented state; the window loop; the Lua draw callback;
 * headless frame sequences. Runs with SDL_VIDEODRIVER=dummy (set by CMake). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <SDL.h>
#include <SDL_image.h>
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "swarmlab/field.h"
#include "swarmlab/graph.h"
#include "swarmlab/lua_host.h"
#include "swarmlab/recorder.h"
#include "swarmlab/view.h"
#include "check_skip.h"

#define POP0 0x4cc9f0u      /* first population colour */
#define PLANE 0x131922u     /* plane background */
#define BACK 0x0b0e13u      /* outside the plane */

static char tmpdir[256];

static void make_tmp(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/sl_test_view_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void rm_tmp(void)
{
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
}

/* A 100 x 100 plane with agents at given positions; columns x, y, group (i32), energy (f64). */
static sl_world *world_with(const double *xy, int n)
{
    sl_error e;
    sl_world *w = sl_world_create(7);
    sl_world_set_plane(w, (sl_plane){ 100, 100, 0 });
    sl_pop *p = sl_world_add_pop(w, "agents", &e);
    ck_assert_ptr_nonnull(p);
    int cx = sl_pop_add_column(p, "x", SL_F64, &e);
    int cy = sl_pop_add_column(p, "y", SL_F64, &e);
    int cg = sl_pop_add_column(p, "group", SL_I32, &e);
    int ce = sl_pop_add_column(p, "energy", SL_F64, &e);
    sl_pop_spawn(p, (size_t)n);
    for (int i = 0; i < n; i++) {
        sl_pop_set(p, cx, (size_t)i, xy[2 * i]);
        sl_pop_set(p, cy, (size_t)i, xy[2 * i + 1]);
        sl_pop_set(p, cg, (size_t)i, i % 2);
        sl_pop_set(p, ce, (size_t)i, 10.0 * i + 0.5);
    }
    return w;
}

static sl_view *headless(sl_world *w, int W, int H, int hud)
{
    sl_error e;
    sl_view_def c = { .width = W, .height = H, .window = 0, .no_hud = !hud };
    sl_view *v = sl_view_create(w, &c, &e);
    ck_assert_msg(v != NULL, "%s", e.msg);
    return v;
}

static uint32_t px_at_world(sl_view *v, double x, double y)
{
    double sx, sy;
    sl_view_world_to_screen(v, x, y, &sx, &sy);
    return sl_view_pixel(v, (int)floor(sx), (int)floor(sy));
}

START_TEST(agents_drawn_where_they_are)
{
    double xy[] = { 10, 10, 50, 50, 90, 20 };
    sl_world *w = world_with(xy, 3);
    sl_view *v = headless(w, 400, 300, 0);
    sl_error e;
    ck_assert_int_eq(sl_view_render(v, &e), SL_OK);
    for (int i = 0; i < 3; i++)
        ck_assert_uint_eq(px_at_world(v, xy[2 * i], xy[2 * i + 1]), POP0);
    /* an empty place on the plane, and outside the plane */
    ck_assert_uint_eq(px_at_world(v, 30, 80), PLANE);
    ck_assert_uint_eq(sl_view_pixel(v, 1, 1), BACK);
    /* the whole 100x100 plane fits: corners map inside the canvas */
    double sx, sy;
    sl_view_world_to_screen(v, 0, 0, &sx, &sy);
    ck_assert(sx >= 0 && sy >= 0);
    sl_view_world_to_screen(v, 100, 100, &sx, &sy);
    ck_assert(sx <= 400 && sy <= 300);
    /* moving an agent moves its pixels */
    sl_pop *p = sl_world_pop(w, "agents");
    sl_pop_set(p, sl_pop_column(p, "x"), 1, 70);
    ck_assert_int_eq(sl_view_render(v, &e), SL_OK);
    ck_assert_uint_eq(px_at_world(v, 50, 50), PLANE);
    ck_assert_uint_eq(px_at_world(v, 70, 50), POP0);
    /* y axis upward: (10, 10) is drawn below the centre, and still where the transform says */
    sl_view_state_of(v)->y_up = 1;
    ck_assert_int_eq(sl_view_render(v, &e), SL_OK);
    double sx0, sy0, sxc, syc;
    sl_view_world_to_screen(v, 10, 10, &sx0, &sy0);
    sl_view_world_to_screen(v, 50, 50, &sxc, &syc);
    ck_assert(sy0 > syc);
    ck_assert_uint_eq(px_at_world(v, 10, 10), POP0);
    ck_assert_uint_eq(px_at_world(v, 30, 80), PLANE);
    double wx, wy;
    sl_view_screen_to_world(v, sx0, sy0, &wx, &wy);
    ck_assert(fabs(wx - 10) < 1e-9 && fabs(wy - 10) < 1e-9);
    sl_view_destroy(v);
    sl_world_destroy(w);
}
END_TEST

START_TEST(color_by_column)
{
    double xy[] = { 20, 20, 80, 80 };
    sl_world *w = world_with(xy, 2);
    sl_view *v = headless(w, 400, 300, 0);
    sl_error e;
    ck_assert_int_eq(sl_view_color_by(v, "agents", "group", &e), SL_OK);
    ck_assert_int_eq(sl_view_render(v, &e), SL_OK);
    uint32_t a = px_at_world(v, 20, 20), b = px_at_world(v, 80, 80);
    ck_assert_uint_ne(a, b);
    ck_assert_uint_ne(a, POP0);
    /* continuous column: low and high ends of the colour map */
    ck_assert_int_eq(sl_view_color_by(v, "agents", "energy", &e), SL_OK);
    ck_assert_int_eq(sl_view_render(v, &e), SL_OK);
    ck_assert_uint_eq(px_at_world(v, 20, 20), 0x440154u);   /* lowest */
    ck_assert_uint_eq(px_at_world(v, 80, 80), 0xfde725u);   /* highest */
    ck_assert_int_eq(sl_view_color_by(v, "agents", "nope", &e), SL_ERR_RANGE);
    ck_assert_int_eq(sl_view_color_by(v, "ghosts", NULL, &e), SL_ERR_RANGE);
    sl_view_destroy(v);
    sl_world_destroy(w);
}
END_TEST

START_TEST(field_and_graph_layers)
{
    sl_error e;
    sl_world *w = sl_world_create(1);
    sl_field *f = sl_world_add_field(w, "pheromone", 10, 10, 10.0, 0, &e);
    ck_assert_ptr_nonnull(f);
    sl_field_deposit(f, 15, 15, 5.0);   /* cell (1,1) */
    sl_graph *g = sl_world_add_graph(w, "roads", 2, &e);
    ck_assert_ptr_nonnull(g);
    g->x[0] = 10; g->y[0] = 90; g->x[1] = 90; g->y[1] = 90;
    ck_assert_int_eq(sl_graph_add_edge(g, 0, 1, 1.0, 1, &e), SL_OK);
    ck_assert_int_eq(sl_graph_finalize(g, &e), SL_OK);
    sl_view *v = headless(w, 400, 300, 0);
    ck_assert_int_eq(sl_view_render(v, &e), SL_OK);
    ck_assert_int_eq(sl_view_nlayers(v), 2);
    uint32_t hot = px_at_world(v, 15, 15), cold = px_at_world(v, 55, 35);
    ck_assert_uint_ne(hot, BACK);
    ck_assert_uint_eq(cold, BACK);                  /* zero cells are transparent */
    ck_assert_uint_ne(px_at_world(v, 50, 90), BACK); /* on the edge */
    /* the same with the y axis upward */
    sl_view_state_of(v)->y_up = 1;
    ck_assert_int_eq(sl_view_render(v, &e), SL_OK);
    ck_assert_uint_eq(px_at_world(v, 15, 15), hot);
    ck_assert_uint_eq(px_at_world(v, 55, 35), BACK);
    ck_assert_uint_ne(px_at_world(v, 50, 90), BACK);
    sl_view_state_of(v)->y_up = 0;
    /* hide the field with its number key equivalent: layer 1 */
    sl_view_set_layer_visible(v, sl_view_layer_name(v, 0), 0);
    ck_assert_int_eq(sl_view_render(v, &e), SL_OK);
    ck_assert_uint_eq(px_at_world(v, 15, 15), BACK);
    sl_view_destroy(v);
    sl_world_destroy(w);
}
END_TEST

static int provider_calls;
static void provider_draw(sl_draw *d, sl_world *w, void *user)
{
    (void)w;
    provider_calls++;
    const double *pt = user;
    d->circle(d, pt[0], pt[1], 5, 0xff0000ff, 1);
}

static int provider_bounds(sl_world *w, void *user, double out[4])
{
    (void)w; (void)user;
    out[0] = 0; out[1] = 0; out[2] = 200; out[3] = 100;
    return 1;
}

START_TEST(module_layer)
{
    sl_error e;
    sl_world *w = sl_world_create(1);
    static double pt[2] = { 150, 50 };
    sl_view_layer_def def = { .name = "best tour", .swatch = 0xff0000ff, .draw = provider_draw,
                              .bounds = provider_bounds, .user = pt };
    ck_assert_int_eq(sl_view_add_layer(w, &def, &e), SL_OK);
    sl_view_layer_def bad = { .name = "", .draw = provider_draw };
    ck_assert_int_eq(sl_view_add_layer(w, &bad, &e), SL_ERR_RANGE);
    sl_view *v = headless(w, 400, 300, 0);
    provider_calls = 0;
    ck_assert_int_eq(sl_view_render(v, &e), SL_OK);
    ck_assert_int_eq(provider_calls, 1);
    ck_assert_str_eq(sl_view_layer_name(v, 0), "best tour");
    ck_assert_uint_eq(px_at_world(v, 150, 50), 0xff0000u);
    /* framed by the layer's bounds: (200, 100) is inside the canvas */
    double sx, sy;
    sl_view_world_to_screen(v, 200, 100, &sx, &sy);
    ck_assert(sx <= 400 && sy <= 300 && sx > 300);
    sl_view_set_layer_visible(v, "best tour", 0);
    ck_assert_int_eq(sl_view_render(v, &e), SL_OK);
    ck_assert_int_eq(provider_calls, 1);
    sl_view_destroy(v);
    sl_world_destroy(w);
}
END_TEST

/* bright pixels in the bottom-right corner (where credits go) */
static int corner_text_pixels(sl_view *v, int W, int H)
{
    int n = 0;
    for (int y = H - 24; y < H; y++)
        for (int x = W - 220; x < W; x++) {
            uint32_t p = sl_view_pixel(v, x, y);
            if (((p >> 16) & 0xff) > 0xa0 && ((p >> 8) & 0xff) > 0xa0 && (p & 0xff) > 0xa0) n++;
        }
    return n;
}

START_TEST(layer_credit_on_every_frame)
{
    sl_error e;
    sl_world *w = sl_world_create(1);
    static double pt[2] = { 50, 50 };
    sl_view_layer_def def = { .name = "map", .draw = provider_draw, .bounds = provider_bounds,
                              .user = pt, .credit = "\xc2\xa9 Map makers" };
    ck_assert_int_eq(sl_view_add_layer(w, &def, &e), SL_OK);
    for (int hud = 0; hud < 2; hud++) {
        sl_view *v = headless(w, 400, 300, hud);
        ck_assert_int_eq(sl_view_render(v, &e), SL_OK);
        ck_assert_int_gt(corner_text_pixels(v, 400, 300), 20);
        /* a hidden layer's credit goes with it */
        sl_view_set_layer_visible(v, "map", 0);
        ck_assert_int_eq(sl_view_render(v, &e), SL_OK);
        ck_assert_int_eq(corner_text_pixels(v, 400, 300), 0);
        sl_view_destroy(v);
    }
    sl_world_destroy(w);
}
END_TEST

START_TEST(png_screenshot_decodes)
{
    double xy[] = { 50, 50 };
    sl_world *w = world_with(xy, 1);
    sl_view *v = headless(w, 320, 200, 1);
    sl_error e;
    sl_recorder *rec = sl_world_recorder(w);
    sl_pop *p = sl_world_pop(w, "agents");
    ck_assert_int_ge(sl_recorder_add(rec, "mean_x", p, sl_pop_column(p, "x"), SL_REDUCE_MEAN, &e), 0);
    ck_assert_int_eq(sl_recorder_sample(rec, w, 0, &e), SL_OK);
    ck_assert_int_eq(sl_view_render(v, &e), SL_OK);
    make_tmp();
    char path[400];
    snprintf(path, sizeof path, "%s/shot.png", tmpdir);
    ck_assert_int_eq(sl_view_save_png(v, path, &e), SL_OK);
    SDL_Surface *s = IMG_Load(path);
    ck_assert_msg(s != NULL, "%s", IMG_GetError());
    ck_assert_int_eq(s->w, 320);
    ck_assert_int_eq(s->h, 200);
    SDL_Surface *c = SDL_ConvertSurfaceFormat(s, SDL_PIXELFORMAT_ARGB8888, 0);
    for (int y = 0; y < 200; y += 7)
        for (int x = 0; x < 320; x += 5) {
            uint32_t pix = ((uint32_t *)((uint8_t *)c->pixels + y * c->pitch))[x] & 0xffffff;
            ck_assert_uint_eq(pix, sl_view_pixel(v, x, y));
        }
    SDL_FreeSurface(c);
    SDL_FreeSurface(s);
    /* an unwritable path fails with a message naming it, and leaves nothing */
    ck_assert_int_eq(sl_view_save_png(v, "/nonexistent-dir/x.png", &e), SL_ERR_IO);
    ck_assert_ptr_nonnull(strstr(e.msg, "/nonexistent-dir/x.png"));
    rm_tmp();
    sl_view_destroy(v);
    sl_world_destroy(w);
}
END_TEST

static SDL_Event key(SDL_Keycode k)
{
    SDL_Event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = SDL_KEYDOWN;
    ev.key.keysym.sym = k;
    return ev;
}

static SDL_Event mouse(Uint32 type, int x, int y)
{
    SDL_Event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = type;
    if (type == SDL_MOUSEMOTION) { ev.motion.x = x; ev.motion.y = y; }
    else { ev.button.x = x; ev.button.y = y; ev.button.button = SDL_BUTTON_LEFT; }
    return ev;
}

static sl_view *windowed(sl_world *w, int W, int H)
{
    sl_error e;
    sl_view_def c = { .width = W, .height = H, .window = 1, .title = "test" };
    sl_view *v = sl_view_create(w, &c, &e);
    ck_assert_msg(v != NULL, "%s", e.msg);
    return v;
}

START_TEST(events_change_state)
{
    double xy[] = { 30, 40, 70, 60 };
    sl_world *w = world_with(xy, 2);
    sl_view *v = windowed(w, 640, 480);
    sl_error e;
    ck_assert_int_eq(sl_view_render(v, &e), SL_OK);
    sl_view_state *st = sl_view_state_of(v);
    SDL_Event ev;

    ck_assert_int_eq(st->paused, 0);
    ev = key(SDLK_SPACE); sl_view_handle_event(v, &ev);
    ck_assert_int_eq(st->paused, 1);
    ev = key(SDLK_SPACE); sl_view_handle_event(v, &ev);
    ck_assert_int_eq(st->paused, 0);
    ev = key(SDLK_RIGHT); sl_view_handle_event(v, &ev);
    ck_assert_int_eq(st->paused, 1);
    ck_assert_int_eq(st->step_once, 1);
    ck_assert_int_eq(st->steps_per_frame, 1);
    ev = key(SDLK_PLUS); sl_view_handle_event(v, &ev);
    ev = key(SDLK_EQUALS); sl_view_handle_event(v, &ev);
    ck_assert_int_eq(st->steps_per_frame, 4);
    ev = key(SDLK_MINUS); sl_view_handle_event(v, &ev);
    ck_assert_int_eq(st->steps_per_frame, 2);
    ev = key(SDLK_h); sl_view_handle_event(v, &ev);
    ck_assert_int_eq(st->help, 1);
    ev = key(SDLK_ESCAPE); sl_view_handle_event(v, &ev);
    ck_assert_int_eq(st->help, 0);
    ev = key(SDLK_r); sl_view_handle_event(v, &ev);
    ck_assert_int_eq(st->restart, 1);

    /* wheel zoom keeps the world point under the cursor */
    double wx0, wy0, wx1, wy1, sx, sy;
    sl_view_world_to_screen(v, 30, 40, &sx, &sy);
    sl_view_screen_to_world(v, sx, sy, &wx0, &wy0);
    memset(&ev, 0, sizeof ev);
    ev.type = SDL_MOUSEWHEEL;
    ev.wheel.y = 3;
    ev.wheel.mouseX = (int)sx;
    ev.wheel.mouseY = (int)sy;
    sl_view_handle_event(v, &ev);
    ck_assert(st->zoom > 1.5);
    sl_view_screen_to_world(v, (int)sx, (int)sy, &wx1, &wy1);
    ck_assert(fabs(wx1 - (int)sx * 0 - wx1) < 1e-9);
    double ax, ay;
    sl_view_world_to_screen(v, wx1, wy1, &ax, &ay);
    ck_assert(fabs(ax - (int)sx) < 1e-6 && fabs(ay - (int)sy) < 1e-6);
    ck_assert(fabs(wx1 - wx0) < 1.0 && fabs(wy1 - wy0) < 1.0);

    /* click on the second agent inspects it; click on nothing clears */
    ck_assert_int_eq(sl_view_render(v, &e), SL_OK);
    sl_view_world_to_screen(v, 70, 60, &sx, &sy);
    ev = mouse(SDL_MOUSEBUTTONDOWN, (int)sx, (int)sy); sl_view_handle_event(v, &ev);
    ev = mouse(SDL_MOUSEBUTTONUP, (int)sx, (int)sy); sl_view_handle_event(v, &ev);
    ck_assert_str_eq(st->inspect_pop, "agents");
    sl_pop *p = sl_world_pop(w, "agents");
    ck_assert_uint_eq(st->inspect_id, sl_pop_id(p, 1));
    ck_assert_int_eq(sl_view_render(v, &e), SL_OK);   /* draws the inspection panel */

    /* drag pans: the world point under the mouse follows it */
    double cx0 = st->center_x;
    ev = mouse(SDL_MOUSEBUTTONDOWN, 300, 200); sl_view_handle_event(v, &ev);
    ev = mouse(SDL_MOUSEMOTION, 340, 200); sl_view_handle_event(v, &ev);
    ev = mouse(SDL_MOUSEBUTTONUP, 340, 200); sl_view_handle_event(v, &ev);
    ck_assert(st->center_x < cx0);
    ck_assert_str_eq(st->inspect_pop, "agents");     /* a drag is not a click */
    ev = mouse(SDL_MOUSEBUTTONDOWN, 2, 470); sl_view_handle_event(v, &ev);
    ev = mouse(SDL_MOUSEBUTTONUP, 2, 470); sl_view_handle_event(v, &ev);
    ck_assert_str_eq(st->inspect_pop, "");

    /* F fits again */
    ev = key(SDLK_f); sl_view_handle_event(v, &ev);
    ck_assert(fabs(st->zoom - 1) < 1e-12);

    /* number key 1 toggles the first layer (the population) */
    ck_assert_int_eq(sl_view_layer_visible(v, 0), 1);
    ev = key(SDLK_1); sl_view_handle_event(v, &ev);
    ck_assert_int_eq(sl_view_layer_visible(v, 0), 0);
    ck_assert_int_eq(sl_view_render(v, &e), SL_OK);
    double px, py;
    sl_view_world_to_screen(v, 30, 40, &px, &py);
    ck_assert_uint_eq(sl_view_pixel(v, (int)px, (int)py), PLANE);
    ev = key(SDLK_1); sl_view_handle_event(v, &ev);
    ck_assert_int_eq(sl_view_layer_visible(v, 0), 1);

    /* S writes a screenshot into the screenshot directory */
    make_tmp();
    sl_view_set_screenshot_dir(v, tmpdir);
    ev = key(SDLK_s); sl_view_handle_event(v, &ev);
    ck_assert_ptr_nonnull(strstr(st->screenshot, tmpdir));
    SDL_Surface *s = IMG_Load(st->screenshot);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(s->w, 640);
    ck_assert_int_eq(s->h, 480);
    SDL_FreeSurface(s);
    rm_tmp();

    /* resizing the window resizes the canvas */
    memset(&ev, 0, sizeof ev);
    ev.type = SDL_WINDOWEVENT;
    ev.window.event = SDL_WINDOWEVENT_SIZE_CHANGED;
    ev.window.data1 = 800;
    ev.window.data2 = 500;
    sl_view_handle_event(v, &ev);
    ck_assert_int_eq(sl_view_render(v, &e), SL_OK);
    int W, H;
    sl_view_size(v, &W, &H);
    ck_assert_int_eq(W, 800);
    ck_assert_int_eq(H, 500);

    ev = key(SDLK_q); sl_view_handle_event(v, &ev);
    ck_assert_int_eq(st->quit, 1);
    sl_view_destroy(v);
    sl_world_destroy(w);
}
END_TEST

/* ---- the window loop over a C simulation ---- */
typedef struct tsim {
    sl_world *w;
    int steps, restarts, finishes;
} tsim;

static sl_world *t_world(void *u) { return ((tsim *)u)->w; }
static sl_status t_step(void *u, int *stop, sl_error *e)
{
    tsim *s = u;
    s->steps++;
    *stop = 0;
    return sl_world_step(s->w, e);
}
static sl_status t_restart(void *u, sl_error *e)
{
    (void)e;
    tsim *s = u;
    s->restarts++;
    sl_world_set_step_count(s->w, 0);
    return SL_OK;
}
static sl_status t_finish(void *u, sl_error *e)
{
    (void)e;
    ((tsim *)u)->finishes++;
    return SL_OK;
}

static void push(SDL_Event ev)
{
    ck_assert_int_eq(SDL_PushEvent(&ev), 1);
}

START_TEST(run_loop_pause_step_restart)
{
    double xy[] = { 50, 50 };
    sl_world *w = world_with(xy, 1);
    sl_view *v = windowed(w, 320, 240);
    tsim s = { .w = w };
    sl_view_sim sim = { .user = &s, .world = t_world, .step = t_step, .restart = t_restart,
                        .finish = t_finish };
    sl_error e;
    /* paused: two right-arrow presses take exactly two steps */
    sl_view_run_def o = { .max_steps = -1, .max_frames = 3, .start_paused = 1, .max_fps = -1 };
    push(key(SDLK_RIGHT));
    push(key(SDLK_RIGHT));
    ck_assert_int_eq(sl_view_run(v, &sim, &o, &e), SL_OK);
    ck_assert_int_eq(s.steps, 2);
    ck_assert_uint_eq(sl_world_step_count(w), 2);
    /* running with 4 steps per frame for 5 frames */
    sl_view_state *st = sl_view_state_of(v);
    st->steps_per_frame = 4;
    sl_view_run_def o2 = { .max_steps = -1, .max_frames = 5, .max_fps = -1 };
    ck_assert_int_eq(sl_view_run(v, &sim, &o2, &e), SL_OK);
    ck_assert_int_eq(s.steps, 2 + 20);
    /* R restarts (the callback runs) */
    push(key(SDLK_r));
    o2.max_frames = 1;
    o2.start_paused = 1;
    ck_assert_int_eq(sl_view_run(v, &sim, &o2, &e), SL_OK);
    ck_assert_int_eq(s.restarts, 1);
    ck_assert_uint_eq(sl_world_step_count(w), 0);
    /* a run of at most 6 steps stops there, finishes once and stays open */
    s.steps = 0;
    sl_view_run_def o3 = { .max_steps = 6, .max_frames = 10, .max_fps = -1 };
    st->steps_per_frame = 4;
    ck_assert_int_eq(sl_view_run(v, &sim, &o3, &e), SL_OK);
    ck_assert_int_eq(s.steps, 6);
    ck_assert_int_eq(s.finishes, 1);
    /* closing the window ends the loop */
    SDL_Event q;
    memset(&q, 0, sizeof q);
    q.type = SDL_QUIT;
    push(q);
    sl_view_run_def o4 = { .max_steps = -1, .max_frames = 1000, .max_fps = -1 };
    ck_assert_int_eq(sl_view_run(v, &sim, &o4, &e), SL_OK);
    ck_assert_int_eq(st->quit, 1);
    sl_view_destroy(v);
    sl_world_destroy(w);
}
END_TEST

START_TEST(lua_draw_callback)
{
    sl_world *w = sl_world_create(1);
    sl_world_set_plane(w, (sl_plane){ 100, 100, 0 });
    lua_State *L = luaL_newstate();
    *(void **)lua_getextraspace(L) = NULL;   /* not a host's state */
    luaL_openlibs(L);
    const char *src =
        "function draw(d)\n"
        "  d:circle(50, 50, 6, '#ff0000', true)\n"
        "  d:line(10, 90, 90, 90, {0, 255, 0}, 3)\n"
        "  d:text(5, 5, 'hello')\n"
        "  kept = d\n"
        "end\n";
    ck_assert_int_eq(luaL_loadbuffer(L, src, strlen(src), "@scen.lua"), LUA_OK);
    ck_assert_int_eq(lua_pcall(L, 0, 0, 0), LUA_OK);
    sl_view *v = headless(w, 400, 300, 0);
    sl_view_set_lua(v, L);
    sl_error e;
    sl_error_clear(&e);
    ck_assert_msg(sl_view_render(v, &e) == SL_OK, "%s", e.msg);
    ck_assert_int_eq(sl_view_nlayers(v), 1);
    ck_assert_uint_eq(px_at_world(v, 50, 50), 0xff0000u);
    ck_assert_uint_eq(px_at_world(v, 50, 90), 0x00ff00u);
    /* the draw object cannot be used after the call */
    const char *late = "kept:line(0, 0, 1, 1)";
    ck_assert_int_eq(luaL_loadstring(L, late), LUA_OK);
    ck_assert_int_ne(lua_pcall(L, 0, 0, 0), LUA_OK);
    ck_assert_ptr_nonnull(strstr(lua_tostring(L, -1), "only valid inside draw"));
    lua_pop(L, 1);
    /* an error in draw is reported with the file and line */
    const char *bad = "function draw(d)\n  d:circle(1, 2)\nend\n";
    ck_assert_int_eq(luaL_loadbuffer(L, bad, strlen(bad), "@scen.lua"), LUA_OK);
    ck_assert_int_eq(lua_pcall(L, 0, 0, 0), LUA_OK);
    ck_assert_int_eq(sl_view_render(v, &e), SL_ERR_LUA);
    ck_assert_msg(strstr(e.msg, "scen.lua:2:") != NULL, "%s", e.msg);
    ck_assert_ptr_null(strchr(e.msg, '\n'));
    const char *badc = "function draw(d) d:line(0, 0, 1, 1, 'chartreuse-ish') end";
    ck_assert_int_eq(luaL_loadstring(L, badc), LUA_OK);
    ck_assert_int_eq(lua_pcall(L, 0, 0, 0), LUA_OK);
    ck_assert_int_eq(sl_view_render(v, &e), SL_ERR_LUA);
    ck_assert_msg(strstr(e.msg, "unknown colour") != NULL, "%s", e.msg);
    sl_view_destroy(v);
    lua_close(L);
    sl_world_destroy(w);
}
END_TEST


static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

START_TEST(lua_scenario_sim)
{
    make_tmp();
    char scen[400];
    snprintf(scen, sizeof scen, "%s/scen.lua", tmpdir);
    write_file(scen,
               "local n = swarmlab.param('n', 5, 'agents', {min = 1, max = 50, integer = true,\n"
               "                         tunable = true})\n"
               "local speed = swarmlab.param('speed', 1.5, 'speed', {min = 0, max = 3})\n"
               "swarmlab.steps(10)\n"
               "local pop\n"
               "function setup(world)\n"
               "  world:plane{width = 100, height = 100}\n"
               "  pop = world:population{name = 'a', n = n, columns = {x = 'f64', y = 'f64'}}\n"
               "  for i = 1, n do pop:set('x', i, 10 * i) pop:set('y', i, 50) end\n"
               "end\n"
               "function step(world, t) pop:set('x', 1, pop:get('x', 1) + speed) end\n"
               "function draw(d)\n"
               "  d:circle(50, 90, 3, '#ff00ff', true)\n"
               "  if pop:get('x', 1) > 14 then error('too far') end\n"
               "end\n");
    sl_host_def cfg = { .scenario = scen, .seed = 3, .threads = 1, .quiet = 1 };
    sl_error e;
    sl_view_host_sim *hs = sl_view_host_sim_create(&cfg, -1, &e);
    ck_assert_msg(hs != NULL, "%s", e.msg);
    ck_assert_int_eq(sl_view_host_sim_steps(hs), 10);
    sl_view_sim sim;
    sl_view_host_sim_bind(hs, &sim);
    /* only the tunable parameter becomes a slider */
    int n = sim.nparams(sim.user), tun = 0;
    sl_view_param p;
    for (int i = 0; i < n; i++)
        if (sim.param(sim.user, i, &p)) {
            tun++;
            ck_assert_str_eq(p.name, "n");
            ck_assert(p.value == 5 && p.min == 1 && p.max == 50 && p.integer);
        }
    ck_assert_int_eq(tun, 1);
    sl_world *w = sim.world(sim.user);
    ck_assert_uint_eq(sl_pop_count(sl_world_pop(w, "a")), 5);
    /* draw() runs through the host */
    sl_view *v = headless(w, 400, 300, 0);
    sl_view_set_lua(v, sim.lua(sim.user));
    ck_assert_msg(sl_view_render(v, &e) == SL_OK, "%s", e.msg);
    ck_assert_uint_eq(px_at_world(v, 50, 90), 0xff00ffu);
    /* a slider change restarts with the new value and the same seed */
    ck_assert_int_eq(sim.set_param(sim.user, "n", 8, &e), SL_OK);
    w = sim.world(sim.user);
    ck_assert_uint_eq(sl_pop_count(sl_world_pop(w, "a")), 8);
    ck_assert_uint_eq(sl_world_seed(w), 3);
    /* steps, then a draw error names the scenario line */
    int stop = 0;
    for (int i = 0; i < 4; i++) ck_assert_int_eq(sim.step(sim.user, &stop, &e), SL_OK);
    ck_assert_uint_eq(sl_world_step_count(w), 4);
    sl_view_set_world(v, w);
    sl_view_set_lua(v, sim.lua(sim.user));
    ck_assert_int_eq(sl_view_render(v, &e), SL_ERR_LUA);
    ck_assert_msg(strstr(e.msg, "scen.lua:14:") && strstr(e.msg, "too far"), "%s", e.msg);
    /* restart: back to step 0, same size */
    ck_assert_int_eq(sim.restart(sim.user, &e), SL_OK);
    w = sim.world(sim.user);
    ck_assert_uint_eq(sl_world_step_count(w), 0);
    ck_assert_uint_eq(sl_pop_count(sl_world_pop(w, "a")), 8);
    ck_assert_int_eq(sim.finish(sim.user, &e), SL_OK);
    sl_view_destroy(v);
    /* in a window, dragging the slider of n to its right end restarts with n = 50 */
    v = windowed(NULL, 800, 500);
    sl_view_run_def ro = { .max_steps = -1, .max_frames = 1, .start_paused = 1, .max_fps = -1 };
    ck_assert_int_eq(sl_view_run(v, &sim, &ro, &e), SL_OK);
    ck_assert_int_eq(sl_view_nsliders(v), 1);
    int sx, sy, sw;
    ck_assert_int_eq(sl_view_slider_track(v, 0, &sx, &sy, &sw), 0);
    push(mouse(SDL_MOUSEBUTTONDOWN, sx + sw / 2, sy));
    push(mouse(SDL_MOUSEMOTION, sx + sw + 30, sy));
    push(mouse(SDL_MOUSEBUTTONUP, sx + sw + 30, sy));
    ro.max_frames = 2;
    ck_assert_int_eq(sl_view_run(v, &sim, &ro, &e), SL_OK);
    w = sim.world(sim.user);
    ck_assert_uint_eq(sl_pop_count(sl_world_pop(w, "a")), 50);
    ck_assert_uint_eq(sl_world_step_count(w), 0);
    sl_view_destroy(v);
    sl_view_host_sim_destroy(hs);
    /* a broken scenario fails to load with its line */
    write_file(scen, "swarmlab.steps(1)\nlocal x = nil + 1\n");
    ck_assert_ptr_null(sl_view_host_sim_create(&cfg, -1, &e));
    ck_assert_msg(strstr(e.msg, "scen.lua:2:") != NULL, "%s", e.msg);
    rm_tmp();
}
END_TEST


/* ---- the command line ---- */
static int run_cmd(const char *cmd, char *err, size_t errlen)
{
    char full[2048];
    snprintf(full, sizeof full, "%s 2>%s/stderr.txt >/dev/null", cmd, tmpdir);
    int rc = system(full);
    snprintf(full, sizeof full, "%s/stderr.txt", tmpdir);
    FILE *f = fopen(full, "r");
    err[0] = '\0';
    if (f) {
        size_t n = fread(err, 1, errlen - 1, f);
        err[n] = '\0';
        fclose(f);
    }
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++) n += *s == '\n';
    return n;
}

START_TEST(cli_view_and_frames)
{
    const char *exe = getenv("SWARMLAB_EXE");
    if (!exe || access(exe, X_OK) != 0) sl_skip("swarmlab binary not built");
    make_tmp();
    char p[600];
    char scen[400], cmd[1600], err[4096];
    snprintf(scen, sizeof scen, "%s/dots.lua", tmpdir);
    write_file(scen,
               "local n = swarmlab.param('n', 20, 'agents', {min = 1, max = 100, integer = true,\n"
               "                         tunable = true})\n"
               "swarmlab.steps(6)\n"
               "local pop\n"
               "function setup(world)\n"
               "  world:plane{width = 50, height = 50}\n"
               "  pop = world:population{name = 'dots', n = n, columns = {x = 'f64', y = 'f64'}}\n"
               "  for i = 1, n do pop:set('x', i, 2 * i) pop:set('y', i, 25) end\n"
               "  world:record{name = 'mean_x', pop = pop, column = 'x', reduce = 'mean'}\n"
               "end\n"
               "function step(world, t) pop:set('y', 1, 25 + t) end\n"
               "function draw(d) d:circle(25, 40, 2, 'red', true) end\n");
    /* no display: one line, exit 2. (Xlib allocates while failing to open the display and SDL
     * unloads it before exit, so LeakSanitizer cannot name those allocations: leak checking is
     * off for this one child process.) */
    snprintf(cmd, sizeof cmd, "env -u DISPLAY -u WAYLAND_DISPLAY SDL_VIDEODRIVER=x11 "
             "ASAN_OPTIONS=detect_leaks=0 '%s' view '%s'", exe, scen);
    ck_assert_int_eq(run_cmd(cmd, err, sizeof err), 2);
    ck_assert_msg(strstr(err, "no display") != NULL, "%s", err);
    ck_assert_int_eq(count_lines(err), 1);
    /* no display and no driver asked for: SDL would fall back to an invisible window */
    snprintf(cmd, sizeof cmd, "env -u DISPLAY -u WAYLAND_DISPLAY -u SDL_VIDEODRIVER '%s' view '%s'",
             exe, scen);
    ck_assert_int_eq(run_cmd(cmd, err, sizeof err), 2);
    ck_assert_msg(strstr(err, "no display") != NULL, "%s", err);
    ck_assert_int_eq(count_lines(err), 1);
    snprintf(cmd, sizeof cmd, "env -u DISPLAY -u WAYLAND_DISPLAY -u SDL_VIDEODRIVER '%s' run '%s' "
             "--view --out '%s/nv' --quiet", exe, scen, tmpdir);
    ck_assert_int_eq(run_cmd(cmd, err, sizeof err), 2);
    ck_assert_msg(strstr(err, "no display") != NULL, "%s", err);
    /* dummy driver: a few frames, then exit 0 */
    snprintf(cmd, sizeof cmd, "SDL_VIDEODRIVER=dummy '%s' view '%s' --max-frames 4 --size 320x200 "
             "--out '%s/vout'", exe, scen, tmpdir);
    ck_assert_msg(run_cmd(cmd, err, sizeof err) == 0, "%s", err);
    snprintf(p, sizeof p, "%s/vout", tmpdir);
    ck_assert_int_eq(access(p, F_OK), 0);
    /* bad options */
    snprintf(cmd, sizeof cmd, "SDL_VIDEODRIVER=dummy '%s' view '%s' --size 12", exe, scen);
    ck_assert_int_eq(run_cmd(cmd, err, sizeof err), 2);
    ck_assert_ptr_nonnull(strstr(err, "--size"));
    snprintf(cmd, sizeof cmd, "'%s' run '%s' --frame-every 0 --frames x", exe, scen);
    ck_assert_int_eq(run_cmd(cmd, err, sizeof err), 2);
    ck_assert_ptr_nonnull(strstr(err, "--frame-every"));
    /* headless frames from `run`, no display needed */
    snprintf(cmd, sizeof cmd,
             "env -u DISPLAY SDL_VIDEODRIVER=x11 '%s' run '%s' --out '%s/out' --frames '%s/fr' "
             "--frame-every 3 --size 300x200 --quiet", exe, scen, tmpdir, tmpdir);
    ck_assert_msg(run_cmd(cmd, err, sizeof err) == 0, "%s", err);
    const char *want[] = { "frame_000000.png", "frame_000003.png", "frame_000006.png", "final.png" };
    for (int i = 0; i < 4; i++) {
        char p[600];
        snprintf(p, sizeof p, "%s/fr/%s", tmpdir, want[i]);
        SDL_Surface *s = IMG_Load(p);
        ck_assert_msg(s != NULL, "%s: %s", p, IMG_GetError());
        ck_assert_int_eq(s->w, 300);
        ck_assert_int_eq(s->h, 200);
        SDL_FreeSurface(s);
    }
    snprintf(p, sizeof p, "%s/out/manifest.json", tmpdir);
    ck_assert_int_eq(access(p, F_OK), 0);
    /* a run watched in a window (dummy driver): SDL turns SIGTERM into a window close; the run
     * then completes and writes its results */
    snprintf(cmd, sizeof cmd,
             "SDL_VIDEODRIVER=dummy '%s' run '%s' --view --out '%s/out2' --size 320x200 --quiet "
             "& pid=$!; for i in $(seq 100); do [ -e '%s/out2/metrics.csv.part' ] && break; "
             "sleep 0.2; done; sleep 1; kill -TERM $pid; wait $pid", exe, scen, tmpdir, tmpdir);
    ck_assert_msg(run_cmd(cmd, err, sizeof err) == 0, "%s", err);
    snprintf(p, sizeof p, "%s/out2/manifest.json", tmpdir);
    FILE *mf = fopen(p, "r");
    ck_assert_ptr_nonnull(mf);
    char man[8192];
    size_t mn = fread(man, 1, sizeof man - 1, mf);
    man[mn] = '\0';
    fclose(mf);
    ck_assert_msg(strstr(man, "\"ok\"") != NULL, "%s", man);
    rm_tmp();
}
END_TEST


/* Pixels of exactly colour rgb in a PNG file (-1 when it cannot be read). */
static long count_color(const char *path, uint32_t rgb, long *other)
{
    SDL_Surface *s = IMG_Load(path);
    if (!s) return -1;
    SDL_Surface *c = SDL_ConvertSurfaceFormat(s, SDL_PIXELFORMAT_ARGB8888, 0);
    SDL_FreeSurface(s);
    if (!c) return -1;
    long n = 0, o = 0;
    for (int y = 0; y < c->h; y++)
        for (int x = 0; x < c->w; x++) {
            uint32_t p = ((uint32_t *)((uint8_t *)c->pixels + y * c->pitch))[x] & 0xffffff;
            if (p == rgb) n++;
            else if (p != BACK && p != PLANE) o++;
        }
    SDL_FreeSurface(c);
    if (other) *other = o;
    return n;
}

START_TEST(cli_solver_layers)
{
    const char *exe = getenv("SWARMLAB_EXE");
    if (!exe || access(exe, X_OK) != 0) sl_skip("swarmlab binary not built");
    ck_assert_int_eq(access("scenarios/tsp.lua", R_OK), 0);
    ck_assert_int_eq(access("scenarios/pso_bench.lua", R_OK), 0);
    make_tmp();
    char cmd[1600], err[4096], png[600];
    /* ACO: the best tour is drawn in its colour, with the frame framed on the cities */
    snprintf(cmd, sizeof cmd,
             "'%s' run scenarios/tsp.lua --set stepping=true --steps 5 --out '%s/tsp' "
             "--frames '%s/tsp/fr' --frame-every 5 --size 400x300 --quiet", exe, tmpdir, tmpdir);
    ck_assert_msg(run_cmd(cmd, err, sizeof err) == 0, "%s", err);
    snprintf(png, sizeof png, "%s/tsp/fr/final.png", tmpdir);
    long green = count_color(png, 0x7ee787u, NULL);
    ck_assert_msg(green > 600, "best-tour pixels: %ld", green);   /* legend swatch: < 100 */
    /* PSO: the landscape fills the search box (most of the picture is neither background nor
     * plane), the particles are drawn in their population's colour */
    snprintf(cmd, sizeof cmd,
             "'%s' run scenarios/pso_bench.lua --set stepping=true --set dim=2 --steps 3 "
             "--out '%s/pso' --frames '%s/pso/fr' --frame-every 3 --size 400x300 --quiet",
             exe, tmpdir, tmpdir);
    ck_assert_msg(run_cmd(cmd, err, sizeof err) == 0, "%s", err);
    snprintf(png, sizeof png, "%s/pso/fr/final.png", tmpdir);
    long other = 0, cyan = count_color(png, POP0, &other);
    ck_assert_msg(cyan > 20, "particle pixels: %ld", cyan);
    ck_assert_msg(other > 400 * 300 / 3, "landscape pixels: %ld", other);
    rm_tmp();
}
END_TEST

START_TEST(headless_frames)
{
    double xy[] = { 20, 20, 60, 70 };
    sl_world *w = world_with(xy, 2);
    make_tmp();
    char dir[400];
    snprintf(dir, sizeof dir, "%s/a/frames", tmpdir);
    sl_error e;
    sl_view_frames_def fc = { .dir = dir, .every = 2, .width = 200, .height = 120 };
    sl_view_frames *f = sl_view_frames_open(w, NULL, &fc, &e);
    ck_assert_msg(f != NULL, "%s", e.msg);
    ck_assert_int_eq(sl_view_frames_capture(f, w, NULL, &e), SL_OK);
    for (int i = 0; i < 5; i++) {
        ck_assert_int_eq(sl_world_step(w, &e), SL_OK);
        ck_assert_int_eq(sl_view_frames_capture(f, w, NULL, &e), SL_OK);
    }
    ck_assert_int_eq(sl_view_frames_final(f, w, NULL, &e), SL_OK);
    sl_view_frames_close(f);
    const char *want[] = { "frame_000000.png", "frame_000002.png", "frame_000004.png",
                           "final.png" };
    for (int i = 0; i < 4; i++) {
        char p[600];
        snprintf(p, sizeof p, "%s/%s", dir, want[i]);
        SDL_Surface *s = IMG_Load(p);
        ck_assert_msg(s != NULL, "%s: %s", p, IMG_GetError());
        ck_assert_int_eq(s->w, 200);
        ck_assert_int_eq(s->h, 120);
        SDL_FreeSurface(s);
    }
    char p[600];
    snprintf(p, sizeof p, "%s/frame_000001.png", dir);
    ck_assert_int_ne(access(p, F_OK), 0);
    snprintf(p, sizeof p, "%s/final.png.part", dir);
    ck_assert_int_ne(access(p, F_OK), 0);
    fc.every = 0;
    ck_assert_ptr_null(sl_view_frames_open(w, NULL, &fc, &e));
    ck_assert_int_eq(e.code, SL_ERR_RANGE);
    rm_tmp();
    sl_world_destroy(w);
}
END_TEST

/* Agents that all sit on one point in the first frame (not placed yet) must not fix the camera
 * for the rest of the run: once they spread, the next frame frames them all. */
START_TEST(camera_refits_after_empty_first_frame)
{
    sl_error e;
    sl_world *w = sl_world_create(3);   /* no plane: the frame is what exists */
    sl_pop *p = sl_world_add_pop(w, "agents", &e);
    int cx = sl_pop_add_column(p, "x", SL_F64, &e), cy = sl_pop_add_column(p, "y", SL_F64, &e);
    sl_pop_spawn(p, 4);
    sl_view *v = headless(w, 320, 240, 0);
    ck_assert_int_eq(sl_view_render(v, &e), SL_OK);   /* all four at (0, 0) */
    const double xy[4][2] = { { 1000, 1000 }, { 3000, 1000 }, { 1000, 2000 }, { 3000, 2000 } };
    for (int i = 0; i < 4; i++) {
        sl_pop_set(p, cx, (size_t)i, xy[i][0]);
        sl_pop_set(p, cy, (size_t)i, xy[i][1]);
    }
    ck_assert_int_eq(sl_view_render(v, &e), SL_OK);
    for (int i = 0; i < 4; i++) {
        double sx, sy;
        sl_view_world_to_screen(v, xy[i][0], xy[i][1], &sx, &sy);
        ck_assert_msg(sx >= 0 && sx < 320 && sy >= 0 && sy < 240, "agent %d at (%g, %g) px", i,
                      sx, sy);
        ck_assert_uint_eq(px_at_world(v, xy[i][0], xy[i][1]), POP0);
    }
    /* a camera the user moved stays where it is: zoom in, then spread the agents further */
    SDL_Event ev = { 0 };
    ev.type = SDL_MOUSEWHEEL;
    ev.wheel.y = 3;
    sl_view_handle_event(v, &ev);
    double zoom = sl_view_state_of(v)->zoom;
    ck_assert(zoom != 1);
    sl_pop_set(p, cx, 0, -50000);
    ck_assert_int_eq(sl_view_render(v, &e), SL_OK);
    ck_assert(sl_view_state_of(v)->zoom == zoom);
    sl_view_destroy(v);
    sl_world_destroy(w);
}
END_TEST

/* A world with nothing to frame and no draw(d) shows its metrics over time instead of an empty
 * canvas; with no metrics and no results it stays empty. */
START_TEST(metrics_board_without_anything_to_frame)
{
    sl_error e;
    sl_world *w = sl_world_create(3);
    sl_view *v = headless(w, 400, 300, 0);
    ck_assert_int_eq(sl_view_render(v, &e), SL_OK);
    int drawn = 0;
    for (int y = 0; y < 300; y++)
        for (int x = 0; x < 400; x++) drawn += sl_view_pixel(v, x, y) != BACK;
    ck_assert_int_eq(drawn, 0);
    sl_recorder *rec = sl_world_recorder(w);
    int m = sl_recorder_add(rec, "score", NULL, -1, SL_REDUCE_VALUE, &e);
    ck_assert_int_ge(m, 0);
    for (int s = 0; s < 20; s++) {
        sl_recorder_set(rec, m, s * s);
        ck_assert_int_eq(sl_world_step(w, &e), SL_OK);
    }
    ck_assert_int_eq(sl_view_render(v, &e), SL_OK);
    drawn = 0;
    for (int y = 0; y < 300; y++)
        for (int x = 0; x < 400; x++) drawn += sl_view_pixel(v, x, y) != BACK;
    ck_assert_int_gt(drawn, 300);
    sl_view_destroy(v);
    sl_world_destroy(w);
}
END_TEST

START_TEST(parse_size)
{
    int w = 0, h = 0;
    ck_assert_int_eq(sl_view_parse_size("640x480", &w, &h), 0);
    ck_assert_int_eq(w, 640);
    ck_assert_int_eq(h, 480);
    ck_assert_int_eq(sl_view_parse_size("640", &w, &h), -1);
    ck_assert_int_eq(sl_view_parse_size("640x", &w, &h), -1);
    ck_assert_int_eq(sl_view_parse_size("0x480", &w, &h), -1);
    ck_assert_int_eq(sl_view_parse_size("99999x480", &w, &h), -1);
    ck_assert_int_eq(sl_view_parse_size("64x48junk", &w, &h), -1);
}
END_TEST

START_TEST(no_display_fails_cleanly)
{
    /* a window with a video driver that cannot open: an error, not a crash */
    char *old = getenv("SDL_VIDEODRIVER") ? strdup(getenv("SDL_VIDEODRIVER")) : NULL;
    char *disp = getenv("DISPLAY") ? strdup(getenv("DISPLAY")) : NULL;
    /* a driver that does not exist behaves like a machine without a display (the x11 case
     * runs in a child process in cli_view_and_frames) */
    setenv("SDL_VIDEODRIVER", "nodisplay", 1);
    unsetenv("DISPLAY");
    sl_error e;
    sl_view_def c = { .window = 1 };
    sl_view *v = sl_view_create(NULL, &c, &e);
    ck_assert_ptr_null(v);
    ck_assert_int_eq(e.code, SL_ERR_STATE);
    ck_assert_msg(strstr(e.msg, "no display") != NULL, "%s", e.msg);
    ck_assert_ptr_null(strchr(e.msg, '\n'));
    if (old) setenv("SDL_VIDEODRIVER", old, 1);
    else unsetenv("SDL_VIDEODRIVER");
    if (disp) setenv("DISPLAY", disp, 1);
    free(old);
    free(disp);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("view");
    TCase *t = tcase_create("view");
    tcase_set_timeout(t, 60);
    tcase_add_test(t, agents_drawn_where_they_are);
    tcase_add_test(t, color_by_column);
    tcase_add_test(t, field_and_graph_layers);
    tcase_add_test(t, module_layer);
    tcase_add_test(t, layer_credit_on_every_frame);
    tcase_add_test(t, png_screenshot_decodes);
    tcase_add_test(t, events_change_state);
    tcase_add_test(t, run_loop_pause_step_restart);
    tcase_add_test(t, lua_draw_callback);
    tcase_add_test(t, lua_scenario_sim);
    tcase_add_test(t, headless_frames);
    tcase_add_test(t, camera_refits_after_empty_first_frame);
    tcase_add_test(t, metrics_board_without_anything_to_frame);
    tcase_add_test(t, parse_size);
    tcase_add_test(t, no_display_fails_cleanly);
    suite_add_tcase(s, t);
    t = sl_needs_case(s, "cli", 60);
    tcase_add_test(t, cli_view_and_frames);
    tcase_add_test(t, cli_solver_layers);
    return s;
}

int main(void)
{
    SRunner *r = srunner_create(suite());
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
