/* sc_timing.c - the fleets' clock: time of day, vehicle shifts, store delivery windows and service
 * times, and the timing of a route by simulation.
 *
 * Time is counted in steps, as real numbers: a vehicle that leaves at step t drives during
 * (t, t + 1] in step t + 1, so it reaches a stop at distance d at time t + d / speed. A day is
 * `steps_per_day` steps (sl_sc_def; 1 by default); the time of day of t is t mod steps_per_day.
 * A store's window {open, close} and a vehicle type's shift {start, end} are times of day with
 * 0 <= open < close <= steps_per_day (none: both 0).
 *
 * At a store a vehicle arriving at time a on a day that starts at D waits until D + open when it
 * is early, then serves for the store's service_time; the order is delivered when the service
 * ends. A vehicle arriving after D + close serves at once and the order records how late it was
 * (arrival - (D + close)); the planners never plan that (routes with a late stop are
 * infeasible). A vehicle leaves its depot only at a step inside its shift, and only with a route
 * that brings it back by the end of that day's shift. */
#include <math.h>
#include "sc_internal.h"

double slp_sc_day_start(const sl_sc *sc, double t)
{
    double d = (double)sc->spd;
    return floor(t / d) * d;
}

double slp_sc_service_start(const sl_sc *sc, int site, double a, double *late)
{
    const sl_sc_site *s = &sc->site[site];
    *late = 0.0;
    if (!(s->window_close > s->window_open))
        return a;
    double day = slp_sc_day_start(sc, a), tod = a - day;
    if (tod < s->window_open)
        return day + s->window_open;
    if (tod > s->window_close)
        *late = tod - s->window_close;
    return a;
}

int slp_sc_has_shift(const sc_vehicle *v)
{
    return v->shift_end > v->shift_start;
}

uint64_t slp_sc_shift_step(const sl_sc *sc, const sc_vehicle *v, uint64_t s)
{
    if (!slp_sc_has_shift(v))
        return s;
    double t = (double)s, day = slp_sc_day_start(sc, t), tod = t - day;
    if (tod >= v->shift_start && tod < v->shift_end)
        return s;
    double next = tod < v->shift_start ? day + v->shift_start
                                       : day + (double)sc->spd + v->shift_start;
    return (uint64_t)ceil(next - 1e-9);
}

double slp_sc_shift_limit(const sl_sc *sc, const sc_vehicle *v, uint64_t dep)
{
    if (!slp_sc_has_shift(v) || sc->no_shift_limit)
        return INFINITY;
    return slp_sc_day_start(sc, (double)dep) + v->shift_end;
}

/* One stop of a route being timed: the vehicle at `node` at time *t drives to site x, waits and
 * serves; returns 0 when the stop would be late. */
static int visit(const sl_sc *sc, const sc_vehicle *v, int *node, double *t, int x, int windows)
{
    double late;
    *t += slp_sc_dist(sc, *node, x) / v->speed;
    *t = slp_sc_service_start(sc, x, *t, &late) + sc->site[x].service_time;
    *node = x;
    return !windows || late <= 1e-9;
}

double slp_sc_route_end(const sl_sc *sc, const sc_vehicle *v, int from, double t,
                        const int *stops, int n, int x, int pos, double limit, int windows)
{
    int node = from;
    for (int k = 0; k <= n; k++) {
        if (k == pos && x >= 0 && !visit(sc, v, &node, &t, sc->orders[x].site, windows))
            return INFINITY;
        if (k < n && !visit(sc, v, &node, &t, sc->orders[stops[k]].site, windows))
            return INFINITY;
    }
    t += slp_sc_dist(sc, node, v->depot) / v->speed;
    return t <= limit + 1e-9 ? t : INFINITY;
}

uint64_t slp_sc_planned_departure(const sl_sc *sc, const sc_vehicle *v, uint64_t now)
{
    uint64_t first = v->nstops > 0 ? v->first_commit : now;
    uint64_t tw = first + (uint64_t)sc->fleet[v->fleet].def.dispatch_wait;
    return slp_sc_shift_step(sc, v, tw > now ? tw : now);
}

void slp_sc_next_free(const sl_sc *sc, const sc_vehicle *v, double now, int *node, double *t)
{
    if (v->state == VEH_RETURNING) {
        *node = v->depot;
        *t = now + (slp_sc_dist(sc, v->loc, v->target) - v->progress) / v->speed;
        return;
    }
    *node = v->target;
    if (v->busy > 0.0) {
        *t = now + v->busy;
        return;
    }
    double late;
    double a = now + (slp_sc_dist(sc, v->loc, v->target) - v->progress) / v->speed;
    *t = slp_sc_service_start(sc, v->target, a, &late) + sc->site[v->target].service_time;
}

double slp_sc_trip_end(const sl_sc *sc, const sc_vehicle *v, double now)
{
    int node;
    double t;
    slp_sc_next_free(sc, v, now, &node, &t);
    if (node == v->depot)
        return t;
    int cur = v->nstops - v->nnext;
    return slp_sc_route_end(sc, v, node, t, v->stops + 1, cur - 1, -1, 0, INFINITY, 0);
}

uint64_t slp_sc_next_departure(const sl_sc *sc, const sc_vehicle *v, double back, uint64_t now)
{
    uint64_t b = (uint64_t)ceil(back - 1e-9);
    uint64_t first = v->nnext > 0 ? v->next_first : now;
    uint64_t tw = first + (uint64_t)sc->fleet[v->fleet].def.dispatch_wait;
    if (tw < b)
        tw = b;
    return slp_sc_shift_step(sc, v, tw > now ? tw : now);
}

int slp_sc_plan_fits(const sl_sc *sc, int vi, const int *stops, int n, uint64_t now,
                     int windows)
{
    const sc_vehicle *v = &sc->veh[vi];
    if (!sc->timed || n == 0)
        return 1;
    uint64_t dep = slp_sc_planned_departure(sc, v, now);
    return isfinite(slp_sc_route_end(sc, v, v->depot, (double)dep, stops, n, -1, 0,
                                     slp_sc_shift_limit(sc, v, dep), windows));
}
