/* bench_view.c - viewer throughput, driven by scripts/bench-view (a benchmark, not a test).
 *
 *   bench_view [agents] [WxH] [frames]
 *
 * Builds a world of `agents` moving agents (x, y, vx, vy on a 1000 x 1000 torus) and prints:
 *   - frames/s drawing the world (agents, HUD, chart) and presenting it in a window,
 *     with the simulation paused and with one step per frame;
 *   - steps/s of the same simulation headless and with a hidden window (sl_view_run);
 *   - CPU time used by a paused window over two seconds.
 * The video driver and renderer come from the environment (the script runs it under Xvfb with
 * SDL_RENDER_DRIVER=software).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <SDL.h>

#include "swarmlab/recorder.h"
#include "swarmlab/view.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 + ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec * 1e-6;
}

typedef struct cols { int x, y, vx, vy; } cols;

static void move_chunk(sl_ctx *c)
{
    const cols *k = c->user;
    double *x = sl_pop_f64(c->pop, k->x), *y = sl_pop_f64(c->pop, k->y);
    double *vx = sl_pop_f64(c->pop, k->vx), *vy = sl_pop_f64(c->pop, k->vy);
    for (size_t i = c->begin; i < c->end; i++) {
        /* a slow turn so the picture changes */
        double a = 0.02, cx = vx[i], cy = vy[i];
        vx[i] = cx * cos(a) - cy * sin(a);
        vy[i] = cx * sin(a) + cy * cos(a);
        x[i] = fmod(x[i] + vx[i] + 1000.0, 1000.0);
        y[i] = fmod(y[i] + vy[i] + 1000.0, 1000.0);
    }
}

static sl_world *make_world(size_t n, cols *k)
{
    sl_error e;
    sl_world *w = sl_world_create(42);
    sl_world_set_plane(w, (sl_plane){ 1000, 1000, 1 });
    sl_pop *p = sl_world_add_pop(w, "agents", &e);
    k->x = sl_pop_add_column(p, "x", SL_F64, &e);
    k->y = sl_pop_add_column(p, "y", SL_F64, &e);
    k->vx = sl_pop_add_column(p, "vx", SL_F64, &e);
    k->vy = sl_pop_add_column(p, "vy", SL_F64, &e);
    sl_pop_spawn(p, n);
    for (size_t i = 0; i < n; i++) {
        sl_rng r = sl_rng_make(42, 1, i, 0);
        sl_pop_set(p, k->x, i, 1000 * sl_rng_uniform(&r));
        sl_pop_set(p, k->y, i, 1000 * sl_rng_uniform(&r));
        double a = 6.283185307179586 * sl_rng_uniform(&r);
        sl_pop_set(p, k->vx, i, 2 * cos(a));
        sl_pop_set(p, k->vy, i, 2 * sin(a));
    }
    sl_system_def def = { .name = "move", .pop = p, .run = move_chunk, .user = k };
    sl_world_add_system(w, &def, &e);
    sl_recorder *rec = sl_world_recorder(w);
    sl_recorder_add(rec, "mean_x", p, k->x, SL_REDUCE_MEAN, &e);
    sl_recorder_add(rec, "mean_vx", p, k->vx, SL_REDUCE_MEAN, &e);
    sl_recorder_sample(rec, w, 0, &e);
    return w;
}

typedef struct sim { sl_world *w; } sim;
static sl_world *s_world(void *u) { return ((sim *)u)->w; }
static sl_status s_step(void *u, int *stop, sl_error *e)
{
    *stop = 0;
    return sl_world_step(((sim *)u)->w, e);
}

static Uint32 push_quit(Uint32 interval, void *param)
{
    (void)interval; (void)param;
    SDL_Event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = SDL_QUIT;
    SDL_PushEvent(&ev);
    return 0;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)atol(argv[1]) : 100000;
    int W = 1280, H = 720;
    if (argc > 2 && sl_view_parse_size(argv[2], &W, &H) != 0) {
        fprintf(stderr, "bench_view: bad size '%s'\n", argv[2]);
        return 2;
    }
    long frames = argc > 3 ? atol(argv[3]) : 300;
    long steps = 200;
    sl_error e;
    sl_error_clear(&e);
    cols k;

    /* 2. frames/s in a shown window */
    sl_world *w = make_world(n, &k);
    double t0;
    sl_view_def vc = { .width = W, .height = H, .window = 1, .title = "bench" };
    sl_view *v = sl_view_create(w, &vc, &e);
    if (!v) { fprintf(stderr, "bench_view: %s\n", e.msg); sl_world_destroy(w); return 2; }
    const char *rname = "software (CPU canvas blitted to the window surface)";
    char vdrv[64];
    snprintf(vdrv, sizeof vdrv, "%s", SDL_GetCurrentVideoDriver() ? SDL_GetCurrentVideoDriver() : "?");
    for (int i = 0; i < 5; i++) sl_view_render(v, &e);   /* warm-up */
    t0 = now();
    for (long i = 0; i < frames; i++) {
        SDL_Event ev;
        while (SDL_PollEvent(&ev)) {}
        if (sl_view_render(v, &e) != SL_OK) { fprintf(stderr, "%s\n", e.msg); return 1; }
    }
    double draw_fps = frames / (now() - t0);
    sim s = { w };
    sl_view_sim vs = { .user = &s, .world = s_world, .step = s_step };
    sl_view_run_def ro = { .max_steps = -1, .max_frames = frames, .max_fps = -1 };
    t0 = now();
    if (sl_view_run(v, &vs, &ro, &e) != SL_OK) { fprintf(stderr, "%s\n", e.msg); return 1; }
    double run_fps = frames / (now() - t0);

    /* 3. paused window: CPU over two seconds */
    SDL_InitSubSystem(SDL_INIT_TIMER);
    ro.start_paused = 1;
    ro.max_frames = 0;
    SDL_TimerID tid = SDL_AddTimer(2000, push_quit, NULL);
    double c0 = cpu_seconds();
    t0 = now();
    sl_view_run(v, &vs, &ro, &e);
    double paused_wall = now() - t0, paused_cpu = cpu_seconds() - c0;
    SDL_RemoveTimer(tid);
    SDL_QuitSubSystem(SDL_INIT_TIMER);
    sl_view_destroy(v);
    sl_world_destroy(w);

    /* 4. steps/s headless and through a hidden window's loop, alternated three times (the
     * best of each is reported, so other load on the machine disturbs the comparison less) */
    double headless_sps = 0, hidden_sps = 0;
    long drawn = 0;
    vc.hidden = 1;
    for (int rep = 0; rep < 3; rep++) {
        w = make_world(n, &k);
        t0 = now();
        for (long i = 0; i < steps; i++) sl_world_step(w, &e);
        double r = steps / (now() - t0);
        if (r > headless_sps) headless_sps = r;
        sl_world_destroy(w);

        w = make_world(n, &k);
        v = sl_view_create(w, &vc, &e);
        if (!v) { fprintf(stderr, "bench_view: %s\n", e.msg); sl_world_destroy(w); return 2; }
        s.w = w;
        sl_view_run_def rh = { .max_steps = steps, .max_frames = 1, .max_fps = -1 };
        t0 = now();
        sl_view_run(v, &vs, &rh, &e);
        r = steps / (now() - t0);
        if (r > hidden_sps) hidden_sps = r;
        long f;
        sl_view_rates(v, NULL, NULL, &f, NULL);
        drawn += f;
        sl_view_destroy(v);
        sl_world_destroy(w);
    }

    printf("agents %zu, %dx%d, renderer: %s, video driver '%s'\n", n, W, H, rname,
           vdrv);
    printf("frames/s, simulation paused (draw + present):   %.1f\n", draw_fps);
    printf("frames/s, one simulation step per frame:        %.1f\n", run_fps);
    printf("steps/s headless (no viewer):                   %.1f\n", headless_sps);
    printf("steps/s with a hidden window:                   %.1f  (%.1f%% of headless, %ld frames drawn)\n",
           hidden_sps, 100.0 * hidden_sps / headless_sps, drawn);
    printf("paused window: %.3f s CPU over %.2f s wall (%.2f%%)\n", paused_cpu, paused_wall,
           100.0 * paused_cpu / paused_wall);
    return 0;
}
