/* vrp_view.c - viewer layer of the VRP model: depots, jobs coloured by time-window state
 * (early: the vehicle waits; on time; late; unserved) and one coloured polyline per vehicle. */
#include "vrp_view.h"

#include <math.h>
#include <stdlib.h>

#include "swarmlab/view.h"

void slp_vrp_view_release(slp_vrp_view *v, const void *handle)
{
    if (!v) return;
    if (handle && v->current == handle) v->current = NULL;
    if (--v->refs == 0) free(v);
}

static void world_drops(void *p)
{
    slp_vrp_view *v = p;
    v->current = NULL;
    slp_vrp_view_release(v, NULL);
}

static const sl_vrp *drawable(const slp_vrp_view *vv, const sl_vrp_sol **plan)
{
    if (!vv->current) return NULL;
    const sl_vrp *v = slp_vrp_view_model(vv->current, plan);
    if (!v->x || v->nsites == 0) return NULL;
    for (int i = 0; i < v->nsites; i++)
        if (!isfinite(v->x[i]) || !isfinite(v->y[i])) return NULL;
    return v;
}

static int bounds(sl_world *w, void *user, double out[4])
{
    (void)w;
    const sl_vrp_sol *plan;
    const sl_vrp *v = drawable(user, &plan);
    if (!v) return 0;
    out[0] = out[2] = v->x[0];
    out[1] = out[3] = v->y[0];
    for (int i = 1; i < v->nsites; i++) {
        out[0] = fmin(out[0], v->x[i]);
        out[2] = fmax(out[2], v->x[i]);
        out[1] = fmin(out[1], v->y[i]);
        out[3] = fmax(out[3], v->y[i]);
    }
    return 1;
}

#define C_EARLY 0x3a7bd5ffu
#define C_ONTIME 0x2e9e44ffu
#define C_LATE 0xd62728ffu
#define C_UNSERVED 0x9a9a9affu
#define C_DEPOT 0xf2f2f2ffu

static void draw(sl_draw *d, sl_world *w, void *user)
{
    (void)w;
    const sl_vrp_sol *plan;
    const sl_vrp *v = drawable(user, &plan);
    if (!v) return;
    static const sl_rgba palette[] = {0x1f77b4c0u, 0xff7f0ec0u, 0x9467bdc0u, 0x8c564bc0u,
                                      0xe377c2c0u, 0x17becfc0u, 0xbcbd22c0u, 0x7f7f7fc0u};
    double ppu = d->pixels_per_unit(d);
    double rad = ppu > 0 ? 5.0 / ppu : 1.0;
    char *state = calloc((size_t)v->njobs + 1, 1); /* 0 unserved, 1 early, 2 on time, 3 late */
    if (plan && state)
        for (int r = 0; r < plan->nveh; r++) {
            const sl_vrp_vtype *t = &v->types[v->vehicle_type[r]];
            int at = t->start;
            double now = t->shift_open;
            sl_rgba col = palette[r % 8];
            for (int i = plan->start[r]; i < plan->start[r + 1]; i++) {
                const sl_vrp_job *J = &v->jobs[plan->jobs[i]];
                if (at >= 0) d->line(d, v->x[at], v->y[at], v->x[J->site], v->y[J->site], col, 2.0);
                double arr = now + sl_vrp_time(v, at, J->site) / t->speed;
                int q = 0;
                while (q < J->nwin && J->close[q] < arr - 1e-7) q++;
                double begin = q < J->nwin ? fmax(arr, J->open[q]) : arr;
                state[plan->jobs[i]] = q == J->nwin ? 3 : (arr < J->open[q] ? 1 : 2);
                now = begin + J->service;
                at = J->site;
            }
            if (plan->start[r + 1] > plan->start[r] && t->end >= 0 && at >= 0)
                d->line(d, v->x[at], v->y[at], v->x[t->end], v->y[t->end], col, 2.0);
        }
    for (int j = 0; j < v->njobs; j++) {
        static const sl_rgba cs[] = {C_UNSERVED, C_EARLY, C_ONTIME, C_LATE};
        int s = v->jobs[j].site;
        d->point(d, v->x[s], v->y[s], cs[state ? state[j] : 0], 6.0);
    }
    for (int t = 0; t < v->ntypes; t++) {
        int s = v->types[t].start;
        if (s >= 0) d->circle(d, v->x[s], v->y[s], rad * 1.6, C_DEPOT, 1);
        s = v->types[t].end;
        if (s >= 0) d->circle(d, v->x[s], v->y[s], rad * 1.6, C_DEPOT, 0);
    }
    free(state);
}

slp_vrp_view *slp_vrp_view_acquire(sl_world *w, const void *handle, sl_error *e)
{
    slp_vrp_view *v = sl_world_attached(w, SL_VRP_WORLD_KEY);
    if (!v) {
        v = calloc(1, sizeof *v);
        if (!v) {
            sl_error_set(e, SL_ERR_NOMEM, "out of memory");
            return NULL;
        }
        v->refs = 1; /* the world's */
        if (sl_world_attach(w, SL_VRP_WORLD_KEY, v, world_drops, e) != SL_OK) {
            free(v);
            return NULL;
        }
        sl_view_layer_def def = {0};
        def.name = "vrp routes";
        def.swatch = 0x1f77b4ffu;
        def.draw = draw;
        def.bounds = bounds;
        def.user = v;
        sl_view_add_layer(w, &def, e); /* without a slot the model still works, undrawn */
    }
    v->refs++;
    v->current = handle;
    return v;
}
