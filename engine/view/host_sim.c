/* host_sim.c - a Lua scenario (sl_host) as the simulation watched by the window: step, restart
 * with the same seed, tunable parameters as sliders (a change restarts with the new value). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "swarmlab/lua_host.h"
#include "view_impl.h"

#define MAX_SET 256


struct sl_view_host_sim {
    sl_host *h;
    int owned;                 /* 0: wraps a host owned by the caller (no restart) */
    sl_host_def cfg;        /* deep copy */
    long long steps_arg, steps;
    int nset;
    char *names[MAX_SET], *values[MAX_SET], *sources[MAX_SET], *origins[MAX_SET];
    int finished;
};

static char *dup(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void free_cfg(sl_view_host_sim *s)
{
    free((char *)s->cfg.scenario);
    free((char *)s->cfg.out_dir);
    for (int i = 0; i < s->nset; i++) {
        free(s->names[i]);
        free(s->values[i]);
        free(s->sources[i]);
        free(s->origins[i]);
    }
    s->nset = 0;
}

static void point_cfg(sl_view_host_sim *s)
{
    s->cfg.nset = s->nset;
    s->cfg.set_names = (const char *const *)s->names;
    s->cfg.set_values = (const char *const *)s->values;
    s->cfg.set_sources = (const char *const *)s->sources;
    s->cfg.set_origins = (const char *const *)s->origins;
}

static int add_set(sl_view_host_sim *s, const char *name, const char *value, const char *source,
                   const char *origin)
{
    for (int i = 0; i < s->nset; i++)
        if (strcmp(s->names[i], name) == 0 && strcmp(s->origins[i], "slider") == 0) {
            char *nv = dup(value);
            if (!nv) return -1;
            free(s->values[i]);
            s->values[i] = nv;
            return 0;
        }
    if (s->nset >= MAX_SET) return -1;
    int i = s->nset;
    s->names[i] = dup(name);
    s->values[i] = dup(value);
    s->sources[i] = dup(source);
    s->origins[i] = dup(origin);
    s->nset++;
    point_cfg(s);
    return s->names[i] && s->values[i] && s->sources[i] && s->origins[i] ? 0 : -1;
}

static sl_status build(sl_view_host_sim *s, sl_error *e)
{
    s->h = sl_host_create(&s->cfg, e);
    if (!s->h) return e ? e->code : SL_ERR_LUA;
    s->steps = s->steps_arg >= 0 ? s->steps_arg : sl_host_default_steps(s->h);
    if (s->steps >= 0) sl_host_set_steps(s->h, s->steps);
    s->finished = 0;
    return sl_host_setup(s->h, e);
}

sl_view_host_sim *sl_view_host_sim_create(const sl_host_def *cfg, long long steps,
                                          sl_error *e)
{
    sl_view_host_sim *s = calloc(1, sizeof *s);
    if (!s) { sl_error_set(e, SL_ERR_NOMEM, "out of memory"); return NULL; }
    s->owned = 1;
    s->cfg = *cfg;
    s->cfg.scenario = dup(cfg->scenario);
    s->cfg.out_dir = dup(cfg->out_dir);
    s->steps_arg = steps;
    int ok = s->cfg.scenario != NULL && (!cfg->out_dir || s->cfg.out_dir) && cfg->nset <= MAX_SET;
    for (int i = 0; ok && i < cfg->nset; i++)
        ok = add_set(s, cfg->set_names[i], cfg->set_values[i],
                     cfg->set_sources && cfg->set_sources[i] ? cfg->set_sources[i] : "cli",
                     cfg->set_origins && cfg->set_origins[i] ? cfg->set_origins[i] : "--set") == 0;
    point_cfg(s);
    if (!ok) {
        sl_error_set(e, SL_ERR_NOMEM, "out of memory (or more than %d overrides)", MAX_SET);
        sl_view_host_sim_destroy(s);
        return NULL;
    }
    if (build(s, e) != SL_OK) {
        sl_view_host_sim_destroy(s);
        return NULL;
    }
    return s;
}

sl_view_host_sim *sl_view_host_sim_wrap(sl_host *h, long long steps)
{
    sl_view_host_sim *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->h = h;
    s->steps = steps;
    return s;
}

void sl_view_host_sim_destroy(sl_view_host_sim *s)
{
    if (!s) return;
    if (s->owned) {
        sl_host_destroy(s->h);
        free_cfg(s);
    }
    free(s);
}

sl_host *sl_view_host_sim_host(sl_view_host_sim *s) { return s->h; }
long long sl_view_host_sim_steps(const sl_view_host_sim *s) { return s->steps; }

static sl_world *cb_world(void *u) { return sl_host_world(((sl_view_host_sim *)u)->h); }
static lua_State *cb_lua(void *u) { return sl_host_lua(((sl_view_host_sim *)u)->h); }

static sl_status cb_step(void *u, int *stop, sl_error *e)
{
    sl_host *h = ((sl_view_host_sim *)u)->h;
    sl_status st = sl_host_step(h, e);
    *stop = sl_host_done(h);
    return st;
}

static sl_status cb_restart(void *u, sl_error *e)
{
    sl_view_host_sim *s = u;
    sl_host_destroy(s->h);
    s->h = NULL;
    return build(s, e);
}

static sl_status cb_finish(void *u, sl_error *e)
{
    sl_view_host_sim *s = u;
    if (s->finished) return SL_OK;
    s->finished = 1;
    return sl_host_finish(s->h, e);
}

static int cb_nparams(void *u)
{
    return sl_host_nparams(((sl_view_host_sim *)u)->h);
}

static int cb_param(void *u, int i, sl_view_param *out)
{
    sl_view_host_sim *s = u;
    double lo, hi;
    int integer;
    if (!sl_host_param_tunable(s->h, i, &lo, &hi, &integer)) return 0;
    const char *name, *value, *source;
    sl_host_param(s->h, i, &name, &value, &source);
    out->name = name;
    out->value = strtod(value, NULL);
    out->min = lo;
    out->max = hi;
    out->integer = integer;
    return 1;
}

static sl_status cb_set_param(void *u, const char *name, double value, sl_error *e)
{
    sl_view_host_sim *s = u;
    char text[64];
    if (value == floor(value) && fabs(value) < 1e15) snprintf(text, sizeof text, "%.0f", value);
    else snprintf(text, sizeof text, "%.17g", value);
    if (add_set(s, name, text, "cli", "slider") != 0)
        return sl_error_set(e, SL_ERR_NOMEM, "out of memory");
    return cb_restart(s, e);
}

void sl_view_host_sim_bind(sl_view_host_sim *s, sl_view_sim *out)
{
    memset(out, 0, sizeof *out);
    out->user = s;
    out->world = cb_world;
    out->lua = cb_lua;
    out->step = cb_step;
    if (s->owned) {   /* sliders restart the scenario: only for a host this object rebuilds */
        out->nparams = cb_nparams;
        out->param = cb_param;
        out->restart = cb_restart;
        out->set_param = cb_set_param;
        out->finish = cb_finish;
    }
}
