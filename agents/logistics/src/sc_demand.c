/* sc_demand.c - customer demand of each store and the order quantity of each site's policy.
 *
 * A store's draws come from its own random stream keyed by (demand seed, site id, product, step):
 * they do not depend on the store's index, on the other stores, or on anything the planners do. */
#include <math.h>
#include "sc_internal.h"

static sl_status hook_value(const sl_sc *sc, int i, const char *what, double v, double *out,
                            sl_error *e)
{
    if (!isfinite(v) || v < 0)
        return sl_error_set(e, SL_ERR_RANGE, "%s: site %lld: %s hook returned %g (a finite "
                            "number >= 0 is required)", sc->name, sc->site[i].id, what, v);
    *out = v;
    return SL_OK;
}

sl_status slp_sc_demand(sl_sc *sc, int i, int p, uint64_t step, double *units, sl_error *e)
{
    const sl_sc_site *s = &sc->site[i];
    if (s->demand.kind == SL_SC_DEMAND_HOOK) {
        sl_sc_site_state st = slp_sc_state(sc, i, p);
        double v = 0.0;
        sl_status r = sc->def.demand_fn(sc->def.hook_user, &st, &v, e);
        if (r != SL_OK)
            return r;
        if ((r = hook_value(sc, i, "demand", v, &v, e)) != SL_OK)
            return r;
        *units = floor(v + 0.5);
        return SL_OK;
    }
    if (s->demand.kind == SL_DEMAND_TABLE) {
        *units = sl_demand_draw(&s->demand, sc->dseed, (uint64_t)s->column, step);
        return SL_OK;
    }
    uint64_t key = (uint64_t)s->id * SL_SC_MAX_PROD + (uint64_t)p;
    *units = sl_demand_draw(&s->demand, sc->dseed, key, step);
    return SL_OK;
}

sl_status slp_sc_policy(sl_sc *sc, int i, int p, double *qty, sl_error *e)
{
    const sl_sc_site *s = &sc->site[i];
    size_t k = (size_t)i * (size_t)sc->P + (size_t)p;
    double q = 0.0;
    if (s->policy.kind == SL_SC_POLICY_NONE) {
        *qty = 0.0;
        return SL_OK;
    }
    if (s->policy.kind == SL_SC_POLICY_HOOK) {
        sl_sc_site_state st = slp_sc_state(sc, i, p);
        sl_status r = sc->def.policy_fn(sc->def.hook_user, &st, &q, e);
        if (r != SL_OK)
            return r;
        if ((r = hook_value(sc, i, "policy", q, &q, e)) != SL_OK)
            return r;
        q = ceil(q - 1e-9);
    } else {
        sc->vel[k] = sl_policy_velocity(&s->policy, sc->vel[k], sc->dem[k]);
        double backlog = s->kind == SL_SC_STORE ? sc->back[k] : sc->waiting[k];
        double pos = sc->inv[k] - backlog + sc->on_order[k];
        q = sl_policy_order(&s->policy, pos, sc->inv[k], sc->vel[k]);
    }
    if (isfinite(s->capacity)) { /* never order more than the site can hold */
        double room = floor(s->capacity - sc->inv[k] - sc->on_order[k]);
        if (q > room)
            q = room > 0 ? room : 0.0;
    }
    if (s->kind == SL_SC_PLANT && q > floor(s->rate))
        q = floor(s->rate); /* a plant makes at most `rate` units per step */
    *qty = q;
    return SL_OK;
}
