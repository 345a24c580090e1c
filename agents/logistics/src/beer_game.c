/* beer_game.c - the Beer Distribution Game engine and two ordering rules. */
#include "swarmlab/beer_game.h"

#include <math.h>
#include <string.h>
#include "swarmlab/inventory.h"

sl_beer_def sl_beer_def_default(void)
{
    sl_beer_def d = {36, 4, 0.5, 1.0, 4.0, 8.0, 5};
    return d;
}

static const char *stage_name[SL_BEER_STAGES] = {"retailer", "wholesaler", "distributor",
                                                 "factory"};

sl_status sl_beer_play(const sl_beer_def *def, sl_beer_policy_fn policy, void *user,
                       sl_beer_result *r, sl_error *e)
{
    if (def->weeks < 1 || def->weeks > SL_BEER_MAX_WEEKS)
        return sl_error_set(e, SL_ERR_RANGE, "beer game: weeks = %d outside 1..%d", def->weeks,
                            SL_BEER_MAX_WEEKS);
    if (!(def->holding_cost >= 0) || !(def->backlog_cost >= 0))
        return sl_error_set(e, SL_ERR_RANGE, "beer game: costs must be >= 0");
    if (!(def->demand_before >= 0) || !(def->demand_after >= 0))
        return sl_error_set(e, SL_ERR_RANGE, "beer game: negative customer demand");
    if (def->forced_weeks < 0)
        return sl_error_set(e, SL_ERR_RANGE, "beer game: forced_weeks must be >= 0");
    memset(r, 0, sizeof *r);
    r->weeks = def->weeks;
    enum { N = SL_BEER_STAGES };
    double inv[N], back[N], slot[N][2], order_in[N], slip[N], received[N], shipped[N], incoming[N];
    for (int i = 0; i < N; i++) {
        inv[i] = 12;
        back[i] = 0;
        slot[i][0] = slot[i][1] = 4;
        order_in[i] = 4;
        slip[i] = 4;
    }
    for (int w = 0; w < def->weeks; w++) {
        int week = w + 1;
        double demand = week < def->step_week ? def->demand_before : def->demand_after;
        r->demand[w] = demand;
        for (int i = 0; i < N; i++) { /* 1. receive */
            received[i] = slot[i][0];
            inv[i] += slot[i][0];
            slot[i][0] = slot[i][1];
            slot[i][1] = 0;
        }
        order_in[0] = demand;
        for (int i = 0; i < N; i++) { /* 2. fill */
            incoming[i] = order_in[i];
            double need = back[i] + order_in[i];
            double ship = inv[i] < need ? inv[i] : need;
            inv[i] -= ship;
            back[i] = need - ship;
            shipped[i] = ship;
            if (i > 0)
                slot[i - 1][1] += ship;
        }
        for (int i = 0; i < N; i++) { /* 3. cost */
            double c = def->holding_cost * inv[i] + def->backlog_cost * back[i];
            r->stage_cost[i] += c;
            r->total_cost += c;
            r->inventory[w][i] = inv[i];
            r->backlog[w][i] = back[i];
        }
        for (int i = 0; i < N - 1; i++) /* 4. order slips */
            order_in[i + 1] = slip[i];
        slot[N - 1][1] += slip[N - 1];
        for (int i = 0; i < N; i++) { /* 5. orders */
            double o = 4.0;
            if (week > def->forced_weeks) {
                sl_beer_view v;
                v.stage = i;
                v.week = week;
                v.inventory = inv[i];
                v.backlog = back[i];
                v.incoming = incoming[i];
                v.received = received[i];
                v.shipped = shipped[i];
                v.supply_line = slot[i][0] + slot[i][1] + (i < N - 1 ? order_in[i + 1] +
                                                                       back[i + 1] : 0.0);
                v.last_order = slip[i];
                sl_status s = policy(user, &v, &o, e);
                if (s != SL_OK)
                    return s;
                if (!(o >= 0.0) || !isfinite(o))
                    return sl_error_set(e, SL_ERR_RANGE, "beer game: order %g of the %s in week "
                                        "%d (orders must be finite and >= 0)", o, stage_name[i],
                                        week);
            }
            slip[i] = o;
            r->order[w][i] = o;
        }
    }
    return SL_OK;
}

sl_status sl_beer_order_up_to(void *levels, const sl_beer_view *v, double *order, sl_error *e)
{
    (void)e;
    const double *lv = levels;
    double pos = v->inventory - v->backlog + v->supply_line;
    double o = lv[v->stage] - pos;
    *order = o > 0.0 ? o : 0.0;
    return SL_OK;
}

sl_beer_sterman sl_beer_sterman_default(void)
{
    sl_beer_sterman p = {0.36, 0.26, 0.34, 17.0, {4.0, 4.0, 4.0, 4.0}};
    return p;
}

sl_status sl_beer_sterman_order(void *params, const sl_beer_view *v, double *order, sl_error *e)
{
    (void)e;
    sl_beer_sterman *p = params;
    double *L = &p->expected[v->stage];
    *L = p->theta * v->incoming + (1.0 - p->theta) * *L;
    double o = *L + p->alpha * (p->Q - (v->inventory - v->backlog) - p->beta * v->supply_line);
    *order = o > 0.0 ? o : 0.0;
    return SL_OK;
}

double sl_beer_bullwhip(const sl_beer_result *r, int stage, int from)
{
    double o[SL_BEER_MAX_WEEKS], d[SL_BEER_MAX_WEEKS];
    int n = 0;
    for (int w = from < 0 ? 0 : from; w < r->weeks; w++, n++) {
        o[n] = r->order[w][stage];
        d[n] = r->demand[w];
    }
    double vd = sl_variance(d, (size_t)n);
    return vd > 0.0 ? sl_variance(o, (size_t)n) / vd : NAN;
}
