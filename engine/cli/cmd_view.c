/* cmd_view.c - `swarmlab view SCENARIO.lua` (a window on a scenario, restartable) and the
 * viewer options of `swarmlab run` (see cmd_view.h). */
#include "cmd_view.h"

#include <errno.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "args.h"
#include "run_ini.h"

#ifdef SWARMLAB_HAVE_VIEW
#include "swarmlab/view.h"
#endif

#define NO_VIEWER "this swarmlab was built without the viewer (configure with -DSWARMLAB_VIEW=ON " \
                  "and the SDL2, SDL2_image and SDL2_ttf development packages)"

void sl_cmd_view_usage(FILE *f)
{
    fputs("usage: swarmlab view SCENARIO.lua [options]\n"
          "\n"
          "Runs a scenario in a window: populations, fields, graphs and the scenario's draw(d),\n"
          "with a HUD, a metrics chart and sliders for parameters declared tunable.\n"
          "Keys: space run/pause, right arrow step, +/- speed, wheel zoom, drag pan, click\n"
          "inspect, C colour column, G chart, 1-9 layers, R restart, S screenshot, Y y axis,\n"
          "Tab panels, H help, Q quit.\n"
          "\n"
          "options:\n"
          "  --steps N          length of the run (default: the scenario's; the window stays open)\n"
          "  --seed S           root seed (default 1); R restarts with the same seed\n"
          "  --threads T        worker threads (default: all cores)\n"
          "  --set NAME=VALUE   set a scenario parameter (repeatable)\n"
          "  --config FILE.ini  run settings ([run]) and parameter defaults ([params])\n"
          "  --out DIR          output directory for files the scenario writes\n"
          "                     (default: results/view-<scenario>-<seed>)\n"
          "  --size WxH         window size (default 1280x720)\n"
          "  --paused           start paused\n"
          "  --y-up             draw the world's y axis upward (Y toggles)\n"
          "  --screenshots DIR  where S writes PNG screenshots (default: .)\n"
          "  --max-frames N     close after N frames (scripts and tests)\n"
          "  --unsafe, --lua-budget N, --lua-memory SIZE, --quiet   as for 'swarmlab run'\n"
          "\n"
          "Needs a display; without one it fails with exit status 2 (use 'swarmlab run\n"
          "--frames DIR' for images). Exit status: 0 ok, 2 bad input or a scenario error.\n",
          f);
}

/* ---- `run` options ---- */

static int opt_match(const char *arg, const char *name, const char **inline_value)
{
    size_t n = strlen(name);
    if (strncmp(arg, name, n) != 0) return 0;
    if (arg[n] == '\0') { *inline_value = NULL; return 1; }
    if (arg[n] == '=') { *inline_value = arg + n + 1; return 1; }
    return 0;
}

static const char *take_value(int argc, char **argv, int *i, const char *name,
                              const char *inline_value, sl_error *e)
{
    if (inline_value) return inline_value;
    if (*i + 1 >= argc || strncmp(argv[*i + 1], "--", 2) == 0) {
        sl_error_set(e, SL_ERR_USAGE, "option '%s' needs a value", name);
        return NULL;
    }
    return argv[++*i];
}

int sl_run_viewer_parse(sl_run_args *o, int argc, char **argv, int *i, sl_error *e)
{
    const char *a = argv[*i], *iv = NULL, *v;
    if (strcmp(a, "--view") == 0) {
#ifndef SWARMLAB_HAVE_VIEW
        sl_error_set(e, SL_ERR_USAGE, "--view: %s", NO_VIEWER);
        return -1;
#endif
        o->view = 1;
        return 1;
    }
    if (strcmp(a, "--y-up") == 0) {
#ifndef SWARMLAB_HAVE_VIEW
        sl_error_set(e, SL_ERR_USAGE, "--y-up: %s", NO_VIEWER);
        return -1;
#endif
        o->y_up = 1;
        return 1;
    }
    if (strcmp(a, "--no-hud") == 0) {
#ifndef SWARMLAB_HAVE_VIEW
        sl_error_set(e, SL_ERR_USAGE, "--no-hud: %s", NO_VIEWER);
        return -1;
#endif
        o->no_hud = 1;
        return 1;
    }
    if (opt_match(a, "--frames", &iv)) {
#ifndef SWARMLAB_HAVE_VIEW
        sl_error_set(e, SL_ERR_USAGE, "--frames: %s", NO_VIEWER);
        return -1;
#endif
        if (!(v = take_value(argc, argv, i, "--frames", iv, e))) return -1;
        if (!*v) { sl_error_set(e, SL_ERR_USAGE, "--frames: empty directory name"); return -1; }
        o->frames_dir = v;
        return 1;
    }
    if (opt_match(a, "--frame-every", &iv)) {
#ifndef SWARMLAB_HAVE_VIEW
        sl_error_set(e, SL_ERR_USAGE, "--frame-every: %s", NO_VIEWER);
        return -1;
#endif
        long long ll;
        if (!(v = take_value(argc, argv, i, "--frame-every", iv, e))) return -1;
        if (sl_parse_ll(v, &ll) != 0 || ll < 1 || ll > 1000000000LL) {
            sl_error_set(e, SL_ERR_USAGE, "--frame-every: expected an integer >= 1, got '%s'", v);
            return -1;
        }
        o->frame_every = ll;
        return 1;
    }
    if (opt_match(a, "--size", &iv)) {
#ifndef SWARMLAB_HAVE_VIEW
        sl_error_set(e, SL_ERR_USAGE, "--size: %s", NO_VIEWER);
        return -1;
#else
        if (!(v = take_value(argc, argv, i, "--size", iv, e))) return -1;
        if (sl_view_parse_size(v, &o->frame_w, &o->frame_h) != 0) {
            sl_error_set(e, SL_ERR_USAGE, "--size: expected WxH with 16..16384 each, got '%s'", v);
            return -1;
        }
        return 1;
#endif
    }
    return 0;
}

#ifndef SWARMLAB_HAVE_VIEW

sl_status sl_run_viewer_open(sl_run_viewer **out, const sl_run_args *o, sl_host *h, sl_error *e)
{
    (void)o; (void)h; (void)e;
    *out = NULL;
    return SL_OK;
}
sl_status sl_run_viewer_after_step(sl_run_viewer *rv, sl_host *h, sl_error *e)
{
    (void)rv; (void)h; (void)e;
    return SL_OK;
}
int sl_run_viewer_has_window(const sl_run_viewer *rv) { (void)rv; return 0; }
sl_status sl_run_viewer_loop(sl_run_viewer *rv, sl_host *h, long long steps, sl_run_step_fn step,
                             void *user, sl_error *e)
{
    (void)rv; (void)h; (void)steps; (void)step; (void)user;
    return sl_error_set(e, SL_ERR_USAGE, "%s", NO_VIEWER);
}
sl_status sl_run_viewer_final(sl_run_viewer *rv, sl_host *h, sl_error *e)
{
    (void)rv; (void)h; (void)e;
    return SL_OK;
}
void sl_run_viewer_close(sl_run_viewer *rv) { (void)rv; }

int sl_cmd_view(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            sl_cmd_view_usage(stdout);
            return 0;
        }
    fprintf(stderr, "swarmlab view: %s\n", NO_VIEWER);
    return 2;
}

#else /* SWARMLAB_HAVE_VIEW */

struct sl_run_viewer {
    sl_view *window;
    sl_view_frames *frames;
    sl_view_host_sim *sim;    /* wraps the run's host for the window loop */
};

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

sl_status sl_run_viewer_open(sl_run_viewer **out, const sl_run_args *o, sl_host *h, sl_error *e)
{
    *out = NULL;
    if (!o->view && !o->frames_dir) {
        if (o->frame_every > 0 || o->frame_w > 0 || o->y_up || o->no_hud)
            return sl_error_set(e, SL_ERR_USAGE, "--frame-every, --size, --y-up and --no-hud need "
                                "--frames DIR or --view");
        return SL_OK;
    }
    sl_run_viewer *rv = calloc(1, sizeof *rv);
    if (!rv) return sl_error_set(e, SL_ERR_NOMEM, "out of memory");
    *out = rv;
    sl_world *w = sl_host_world(h);
    lua_State *L = sl_host_lua(h);
    if (o->frames_dir) {
        sl_view_frames_def fc = { .dir = o->frames_dir,
                                     .every = o->frame_every > 0 ? (long)o->frame_every : 1,
                                     .width = o->frame_w, .height = o->frame_h,
                                     .title = base_name(o->scenario), .y_up = o->y_up,
                                     .no_hud = o->no_hud };
        rv->frames = sl_view_frames_open(w, L, &fc, e);
        if (!rv->frames) return e->code;
        sl_status st = sl_view_frames_capture(rv->frames, w, L, e);
        if (st != SL_OK) return st;
    }
    if (o->view) {
        sl_view_def vc = { .width = o->frame_w, .height = o->frame_h, .window = 1,
                           .title = base_name(o->scenario), .y_up = o->y_up,
                           .no_hud = o->no_hud };
        rv->window = sl_view_create(w, &vc, e);
        if (!rv->window) return e->code;
        sl_view_set_lua(rv->window, L);
    }
    return SL_OK;
}

sl_status sl_run_viewer_after_step(sl_run_viewer *rv, sl_host *h, sl_error *e)
{
    if (!rv || !rv->frames) return SL_OK;
    return sl_view_frames_capture(rv->frames, sl_host_world(h), sl_host_lua(h), e);
}

int sl_run_viewer_has_window(const sl_run_viewer *rv)
{
    return rv && rv->window;
}

typedef struct loop_sim {
    sl_host *h;
    sl_run_step_fn step;
    void *user;
} loop_sim;

static sl_world *ls_world(void *u) { return sl_host_world(((loop_sim *)u)->h); }
static lua_State *ls_lua(void *u) { return sl_host_lua(((loop_sim *)u)->h); }
static sl_status ls_step(void *u, int *stop, sl_error *e)
{
    loop_sim *s = u;
    return s->step(s->user, stop, e);
}

sl_status sl_run_viewer_loop(sl_run_viewer *rv, sl_host *h, long long steps, sl_run_step_fn step,
                             void *user, sl_error *e)
{
    loop_sim s = { h, step, user };
    sl_view_sim sim = { .user = &s, .world = ls_world, .lua = ls_lua, .step = ls_step };
    sl_view_run_def ro = { .max_steps = steps };
    return sl_view_run(rv->window, &sim, &ro, e);
}

sl_status sl_run_viewer_final(sl_run_viewer *rv, sl_host *h, sl_error *e)
{
    if (!rv || !rv->frames) return SL_OK;
    return sl_view_frames_final(rv->frames, sl_host_world(h), sl_host_lua(h), e);
}

void sl_run_viewer_close(sl_run_viewer *rv)
{
    if (!rv) return;
    sl_view_frames_close(rv->frames);
    sl_view_destroy(rv->window);
    free(rv);
}

/* ---- swarmlab view ---- */

typedef struct view_args {
    int width, height, paused;
    long max_frames;
    const char *screenshots;
} view_args;

/* Takes the options only `view` has out of argv; the rest is parsed like `run`'s. */
static int split_args(int argc, char **argv, view_args *va, char **rest, int *nrest, sl_error *e)
{
    *nrest = 0;
    rest[(*nrest)++] = argv[0];
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *iv = NULL, *v;
        long long ll;
        if (strcmp(a, "--paused") == 0) {
            va->paused = 1;
        } else if (opt_match(a, "--size", &iv)) {
            if (!(v = take_value(argc, argv, &i, "--size", iv, e))) return -1;
            if (sl_view_parse_size(v, &va->width, &va->height) != 0) {
                sl_error_set(e, SL_ERR_USAGE, "--size: expected WxH with 16..16384 each, got '%s'", v);
                return -1;
            }
        } else if (opt_match(a, "--max-frames", &iv)) {
            if (!(v = take_value(argc, argv, &i, "--max-frames", iv, e))) return -1;
            if (sl_parse_ll(v, &ll) != 0 || ll < 1 || ll > 1000000000LL) {
                sl_error_set(e, SL_ERR_USAGE, "--max-frames: expected an integer >= 1, got '%s'", v);
                return -1;
            }
            va->max_frames = (long)ll;
        } else if (opt_match(a, "--screenshots", &iv)) {
            if (!(v = take_value(argc, argv, &i, "--screenshots", iv, e))) return -1;
            va->screenshots = v;
        } else if (strcmp(a, "--view") == 0 || opt_match(a, "--frames", &iv) ||
                   opt_match(a, "--frame-every", &iv)) {
            sl_error_set(e, SL_ERR_USAGE, "%s is an option of 'swarmlab run', not 'view'", a);
            return -1;
        } else {
            rest[(*nrest)++] = argv[i];
        }
    }
    return 0;
}

/* mkdir -p; a message naming the directory on failure. */
static sl_status make_dirs(const char *dir, sl_error *e)
{
    char buf[1024];
    if (snprintf(buf, sizeof buf, "%s", dir) >= (int)sizeof buf)
        return sl_error_set(e, SL_ERR_IO, "%s: output directory name too long", dir);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return sl_error_set(e, SL_ERR_IO, "cannot create output directory '%s': %s", buf,
                                strerror(errno));
        *p = '/';
    }
    struct stat sb;
    if ((mkdir(buf, 0777) != 0 && errno != EEXIST) || stat(buf, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return sl_error_set(e, SL_ERR_IO, "cannot create output directory '%s': %s", buf,
                            strerror(errno ? errno : ENOTDIR));
    return SL_OK;
}

static int view_fail(const char *msg, sl_host *h)
{
    fprintf(stderr, "swarmlab view: %s\n", msg);
    const char *tb = h ? sl_host_traceback(h) : "";
    if (*tb) fprintf(stderr, "%s\n", tb);
    return 2;
}

int sl_cmd_view(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            sl_cmd_view_usage(stdout);
            return 0;
        }
    sl_error e;
    sl_error_clear(&e);
    view_args va = { 0 };
    char **rest = calloc((size_t)argc + 1, sizeof *rest);
    if (!rest) return view_fail("out of memory", NULL);
    int nrest;
    sl_run_args o;
    sl_run_args_init(&o);
    sl_run_ini ini;
    memset(&ini, 0, sizeof ini);
    sl_view *v = NULL;
    sl_view_host_sim *hs = NULL;
    sl_run_overrides ov = { 0 };
    int rc = 2;

    if (split_args(argc, argv, &va, rest, &nrest, &e) != 0 ||
        sl_run_parse_args(&o, nrest, rest, &e) < 0) {
        fprintf(stderr, "swarmlab view: %s\n", e.msg);
        goto out;
    }
    if (o.config && sl_run_ini_load(&ini, o.config, &e) != SL_OK) {
        view_fail(e.msg, NULL);
        goto out;
    }
    /* a missing scenario is reported as such, whether or not there is a display */
    struct stat sst;
    int serr = stat(o.scenario, &sst) != 0 ? errno : 0;
    if (serr || !S_ISREG(sst.st_mode)) {
        sl_error_set(&e, SL_ERR_IO, "%s: cannot open scenario: %s", o.scenario,
                     serr ? strerror(serr) : "not a regular file");
        view_fail(e.msg, NULL);
        goto out;
    }
    /* the window first: without a display nothing else is worth doing */
    sl_view_def vc = { .width = va.width, .height = va.height, .window = 1,
                          .title = base_name(o.scenario), .y_up = o.y_up };
    v = sl_view_create(NULL, &vc, &e);
    if (!v) { view_fail(e.msg, NULL); goto out; }
    if (va.screenshots) sl_view_set_screenshot_dir(v, va.screenshots);

    uint64_t seed = o.has_seed ? o.seed : ini.has_seed ? ini.seed : 1;
    const char *out_dir = o.out_dir ? o.out_dir : ini.out;
    char def_out[1024];
    if (!out_dir) {
        /* files the scenario writes (best tours, convergence) go next to run's results */
        const char *b = base_name(o.scenario);
        size_t len = strlen(b);
        if (len > 4 && strcmp(b + len - 4, ".lua") == 0) len -= 4;
        snprintf(def_out, sizeof def_out, "results/view-%.*s-%llu", (int)len, b,
                 (unsigned long long)seed);
        out_dir = def_out;
    }
    if (make_dirs(out_dir, &e) != SL_OK) {
        view_fail(e.msg, NULL);
        goto out;
    }
    if (sl_run_overrides_merge(&ov, &ini, o.nset, o.set_names, o.set_values, &e) != SL_OK) {
        view_fail(e.msg, NULL);
        goto out;
    }
    int threads = o.threads > 0 ? o.threads : ini.has_threads ? ini.threads : omp_get_max_threads();
    sl_host_def cfg = {
        .scenario = o.scenario,
        .out_dir = out_dir,
        .seed = seed,
        .threads = threads < 1 ? 1 : threads,
        .unsafe = o.unsafe,
        .instr_budget = o.lua_budget,
        .lua_memory = o.lua_memory,
        .nset = ov.n,
        .set_names = ov.names,
        .set_values = ov.values,
        .set_sources = ov.sources,
        .set_origins = ov.origins,
        .quiet = o.quiet || (ini.has_quiet && ini.quiet),
        .open_modules = sl_lua_open_modules,
    };
    long long steps = o.has_steps ? o.steps : ini.has_steps ? ini.steps : -1;
    hs = sl_view_host_sim_create(&cfg, steps, &e);
    if (!hs) { view_fail(e.msg, NULL); goto out; }
    sl_view_sim sim;
    sl_view_host_sim_bind(hs, &sim);
    sl_view_run_def ro = { .max_steps = sl_view_host_sim_steps(hs), .max_frames = va.max_frames,
                            .start_paused = va.paused };
    if (sl_view_run(v, &sim, &ro, &e) != SL_OK) {
        view_fail(e.msg, sl_view_host_sim_host(hs));
        goto out;
    }
    rc = 0;
out:
    sl_view_host_sim_destroy(hs);
    sl_view_destroy(v);
    sl_run_overrides_release(&ov);
    sl_run_ini_release(&ini);
    sl_run_args_release(&o);
    free(rest);
    return rc;
}

#endif /* SWARMLAB_HAVE_VIEW */
