/* app.c - the interactive window loop (sl_view_run) and headless frame sequences. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "view_impl.h"

#define HIDDEN_BATCH_MS 50    /* a hidden window polls input this often while stepping */
#define IDLE_WAIT_MS 250      /* a paused window sleeps on input at most this long */
#define STEP_BUDGET_MS 250    /* a frame stops stepping after this long, so input stays live */

static void load_params(sl_view *v, const sl_view_sim *sim)
{
    v->nparams = 0;
    if (!sim->nparams || !sim->param) return;
    int n = sim->nparams(sim->user);
    for (int i = 0; i < n && v->nparams < VIEW_MAX_PARAMS; i++) {
        sl_view_param p;
        if (!sim->param(sim->user, i, &p)) continue;
        snprintf(v->param_names[v->nparams], VL_NAME, "%s", p.name);
        p.name = v->param_names[v->nparams];
        v->params[v->nparams++] = p;
    }
}

static void attach(sl_view *v, const sl_view_sim *sim)
{
    sl_view_set_world(v, sim->world(sim->user));
    sl_view_set_lua(v, sim->lua ? sim->lua(sim->user) : NULL);
    load_params(v, sim);
    v->finished = 0;
    if (v->st.inspect_pop[0] && v->world) {
        sl_pop *p = sl_world_pop(v->world, v->st.inspect_pop);
        if (!p || sl_pop_slot(p, (sl_id)v->st.inspect_id) < 0) v->st.inspect_pop[0] = '\0';
    }
}

static int window_hidden(const sl_view *v)
{
    if (!v->win) return 0;
    Uint32 f = SDL_GetWindowFlags(v->win);
    return (f & (SDL_WINDOW_HIDDEN | SDL_WINDOW_MINIMIZED)) != 0;
}

sl_view_run_def sl_view_run_def_default(void)
{
    return (sl_view_run_def){.max_steps = -1};
}

sl_status sl_view_run(sl_view *v, const sl_view_sim *sim, const sl_view_run_def *opts_in,
                      sl_error *e)
{
    sl_view_run_def opts = sl_view_run_def_default();
    if (opts_in) opts = *opts_in;
    sl_view_state *st = &v->st;
    st->paused = opts.start_paused;
    st->quit = 0;
    attach(v, sim);
    long long done = 0;                 /* steps since the last (re)start */
    long frames0 = v->frames;
    uint32_t rate_t0 = SDL_GetTicks();
    long rate_frames = v->frames;
    long long rate_steps = v->steps;
    int dirty = 1;
    sl_status status = SL_OK;

    while (!st->quit) {
        uint32_t frame_t0 = SDL_GetTicks();
        if (opts.max_frames > 0) dirty = 1;   /* counted frames: never sleep on input */
        int hidden = window_hidden(v);
        int idle = (st->paused || v->finished) && !st->step_once && !st->restart &&
                   v->param_pending < 0;
        SDL_Event ev;
        if (idle && !dirty && v->win) {
            if (SDL_WaitEventTimeout(&ev, IDLE_WAIT_MS)) dirty |= sl_view_handle_event(v, &ev) | 1;
        }
        while (SDL_PollEvent(&ev)) dirty |= sl_view_handle_event(v, &ev);
        if (st->quit) break;

        if (v->param_pending >= 0 && sim->set_param) {
            int i = v->param_pending;
            v->param_pending = -1;
            if (sim->set_param(sim->user, v->params[i].name, v->param_pending_value, e) != SL_OK) {
                status = e ? e->code : SL_ERR_STATE;
                break;
            }
            attach(v, sim);
            slp_view_message(v, "%s set; restarted with the same seed", v->params[i].name);
            done = 0;
            dirty = 1;
        }
        if (st->restart) {
            st->restart = 0;
            if (sim->restart) {
                if (sim->restart(sim->user, e) != SL_OK) { status = e ? e->code : SL_ERR_STATE; break; }
                attach(v, sim);
                slp_view_message(v, "restarted with the same seed");
                done = 0;
            } else {
                slp_view_message(v, "this run cannot be restarted");
            }
            dirty = 1;
        }

        /* simulation */
        long long want = st->step_once ? st->step_once
                                       : (!st->paused && !v->finished ? st->steps_per_frame : 0);
        st->step_once = 0;
        uint32_t batch_t0 = SDL_GetTicks();
        for (long long k = 0; !v->finished && (k < want || (hidden && want > 0 && !st->paused &&
                                                  !SDL_TICKS_PASSED(SDL_GetTicks(),
                                                                    batch_t0 + HIDDEN_BATCH_MS)));
             k++) {
            if (opts.max_steps >= 0 && done >= opts.max_steps) { v->finished = 1; break; }
            int stop = 0;
            if (sim->step(sim->user, &stop, e) != SL_OK) { status = e ? e->code : SL_ERR_STATE; goto out; }
            done++;
            v->steps++;
            if (stop) v->finished = 1;
            if (SDL_TICKS_PASSED(SDL_GetTicks(), batch_t0 + STEP_BUDGET_MS)) break;
        }
        if (!v->finished && opts.max_steps >= 0 && done >= opts.max_steps) v->finished = 1;
        if (v->finished && want > 0) {
            if (sim->finish && sim->finish(sim->user, e) != SL_OK) { status = e ? e->code : SL_ERR_STATE; break; }
            slp_view_message(v, "finished after %lld steps (R: restart)", done);
        }
        if (want > 0) dirty = 1;

        uint32_t now = SDL_GetTicks();
        if (now - rate_t0 >= 500) {
            double dt = (now - rate_t0) / 1000.0;
            v->fps = (v->frames - rate_frames) / dt;
            v->sps = (double)(v->steps - rate_steps) / dt;
            rate_t0 = now;
            rate_frames = v->frames;
            rate_steps = v->steps;
        }
        if (!hidden && (dirty || SDL_TICKS_PASSED(now, v->message_until) == 0)) {
            if (sl_view_render(v, e) != SL_OK) { status = e ? e->code : SL_ERR_STATE; break; }
            dirty = 0;
            if (opts.max_frames > 0 && v->frames - frames0 >= opts.max_frames) break;
        } else if (hidden && opts.max_frames > 0 && v->finished) {
            break;   /* benchmarks of a hidden window end with the run */
        }
        if (opts.max_fps >= 0) {
            uint32_t budget = 1000u / (uint32_t)(opts.max_fps > 0 ? opts.max_fps : 60);
            uint32_t spent = SDL_GetTicks() - frame_t0;
            if (!hidden && spent < budget) SDL_Delay(budget - spent);
        }
    }
out:
    return status;
}

/* ---- headless frame sequences ---- */
struct sl_view_frames {
    sl_view *v;
    char *dir;
    long every;
};

static sl_status make_dirs(const char *dir, sl_error *e)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", dir);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return sl_error_set(e, SL_ERR_IO, "%s: cannot create directory: %s", buf, strerror(errno));
        *p = '/';
    }
    if (mkdir(buf, 0777) != 0 && errno != EEXIST)
        return sl_error_set(e, SL_ERR_IO, "%s: cannot create directory: %s", buf, strerror(errno));
    struct stat sb;
    if (stat(buf, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return sl_error_set(e, SL_ERR_IO, "%s: not a directory", buf);
    return SL_OK;
}

sl_view_frames *sl_view_frames_open(sl_world *w, lua_State *L, const sl_view_frames_def *cfg,
                                    sl_error *e)
{
    if (!cfg || !cfg->dir || !cfg->dir[0]) {
        sl_error_set(e, SL_ERR_USAGE, "--frames needs a directory");
        return NULL;
    }
    if (cfg->every < 1) {
        sl_error_set(e, SL_ERR_RANGE, "--frame-every must be >= 1 (got %ld)", cfg->every);
        return NULL;
    }
    if (make_dirs(cfg->dir, e) != SL_OK) return NULL;
    sl_view_frames *f = calloc(1, sizeof *f);
    if (!f) { sl_error_set(e, SL_ERR_NOMEM, "out of memory"); return NULL; }
    f->dir = strdup(cfg->dir);
    f->every = cfg->every;
    sl_view_def vc = { .width = cfg->width, .height = cfg->height, .window = 0,
                          .title = cfg->title, .no_hud = cfg->no_hud,
                          .y_up = cfg->y_up };
    f->v = f->dir ? sl_view_create(w, &vc, e) : NULL;
    if (!f->v) {
        if (!f->dir) sl_error_set(e, SL_ERR_NOMEM, "out of memory");
        sl_view_frames_close(f);
        return NULL;
    }
    sl_view_set_lua(f->v, L);
    return f;
}

static sl_status write_frame(sl_view_frames *f, const char *name, sl_error *e)
{
    sl_status s = sl_view_render(f->v, e);
    if (s != SL_OK) return s;
    size_t n = strlen(f->dir) + strlen(name) + 2;
    char *path = malloc(n);
    if (!path) return sl_error_set(e, SL_ERR_NOMEM, "out of memory");
    snprintf(path, n, "%s/%s", f->dir, name);
    s = sl_view_save_png(f->v, path, e);
    free(path);
    return s;
}

sl_status sl_view_frames_capture(sl_view_frames *f, sl_world *w, lua_State *L, sl_error *e)
{
    sl_view_set_world(f->v, w);
    sl_view_set_lua(f->v, L);
    uint64_t step = w ? sl_world_step_count(w) : 0;
    if (step % (uint64_t)f->every != 0) return SL_OK;
    char name[64];
    snprintf(name, sizeof name, "frame_%06llu.png", (unsigned long long)step);
    return write_frame(f, name, e);
}

sl_status sl_view_frames_final(sl_view_frames *f, sl_world *w, lua_State *L, sl_error *e)
{
    sl_view_set_world(f->v, w);
    sl_view_set_lua(f->v, L);
    return write_frame(f, "final.png", e);
}

void sl_view_frames_close(sl_view_frames *f)
{
    if (!f) return;
    sl_view_destroy(f->v);
    free(f->dir);
    free(f);
}

sl_view *sl_view_frames_view(sl_view_frames *f)
{
    return f->v;
}

int sl_view_parse_size(const char *s, int *w, int *h)
{
    if (!s) return -1;
    char *end;
    errno = 0;
    long a = strtol(s, &end, 10);
    if (end == s || (*end != 'x' && *end != 'X')) return -1;
    const char *s2 = end + 1;
    long b = strtol(s2, &end, 10);
    if (end == s2 || *end || errno) return -1;
    if (a < 16 || b < 16 || a > 16384 || b > 16384) return -1;
    *w = (int)a;
    *h = (int)b;
    return 0;
}
