/* vrp_insert.c - insertion pricing of the rich VRP local search (see vrp_internal.h): the cheapest
 * feasible place of a single job, or of a shipment's pickup and delivery, in the routes of a
 * working solution. Places are priced from the routes' forward and backward segments; without a
 * cost per time a place is first priced from distances alone and its segments are joined only
 * when it could beat the best place so far. Nothing here changes the solution. */
#include "vrp_internal.h"

#include <math.h>

/* Empty routes are tried only for the first unused vehicle of each type (the others are the
 * same), and not at all with used_only. */
static int route_skipped(const slp_vrp_ls *L, int r)
{
    return L->R[r].len == 0 && (L->used_only || slp_vrp_first_empty(L, L->c->first_of_type[r]) != r);
}

double slp_vrp_best_single(slp_vrp_ls *L, int u, int *rb, int *qb)
{
    const slp_vrp_ctx *c = L->c;
    double best = INFINITY;
    *rb = -1;
    for (int r = 0; r < c->nveh; r++) {
        slp_vrp_route *B = &L->R[r];
        if (route_skipped(L, r)) continue;
        for (int q = 0; q <= B->len; q++) {
            slp_vrp_piece pc[3] = {{r, 0, q, 0}, {-1, u, 0, 0}, {r, q, B->len, 0}};
            int ok;
            double cost = slp_vrp_eval_pieces(L, r, pc, 3, &ok);
            if (!ok) continue;
            double inc = cost - B->cost;
            if (inc < best - 1e-12) {
                best = inc;
                *rb = r;
                *qb = q;
            }
        }
    }
    return best;
}

/* What slp_vrp_eval_pieces returns for the pieces {prefix of route r up to q, job u, the rest of
 * r} on vehicle r, joining segments in place and stopping at the first broken time window
 * (lateness never falls along a route): the recreate's hot path. Windows with several intervals
 * go through slp_vrp_eval_pieces. Test runs compare the two on every call. */
static double insert_price_fast(slp_vrp_ls *L, int r, int q, int u, int *ok, sl_vrp_seg *out)
{
    const slp_vrp_ctx *c = L->c;
    const sl_vrp *v = c->v;
    const slp_vrp_route *B = &L->R[r];
    sl_vrp_seg s = B->fw[q];
    double sp = c->speed[r];
    *ok = 0;
    sl_vrp_seg_append(v, sp, &s, &c->jseg[u]);
    if (!(s.tw <= SLP_VRP_FEAS_EPS)) return INFINITY;
    if (q < B->len) {
        sl_vrp_seg_append(v, sp, &s, &B->bw[q]);
        if (!(s.tw <= SLP_VRP_FEAS_EPS)) return INFINITY;
    }
    sl_vrp_seg_append(v, sp, &s, &c->dend[r]);
    if (out) *out = s;
    return slp_vrp_seg_cost(c, r, &s, ok);
}

static double insert_price(slp_vrp_ls *L, int r, int q, int u, int *ok)
{
    const slp_vrp_ctx *c = L->c;
    const slp_vrp_route *B = &L->R[r];
    if (c->jseg[u].multi || B->fw[B->len].multi || c->dend[r].multi || L->check) {
        slp_vrp_piece pc[3] = {{r, 0, q, 0}, {-1, u, 0, 0}, {r, q, B->len, 0}};
        double cost = slp_vrp_eval_pieces(L, r, pc, 3, ok);
        if (L->check && !(c->jseg[u].multi || B->fw[B->len].multi || c->dend[r].multi)) {
            int ok2;
            double c2 = insert_price_fast(L, r, q, u, &ok2, NULL);
            if (ok2 != *ok || (*ok && c2 != cost)) L->check_fail++;
        }
        return cost;
    }
    L->evals++;
    return insert_price_fast(L, r, q, u, ok, NULL);
}

/* Per vehicle type, the first empty vehicle of it (-1: none), in L->etype. */
static void empty_of_type(slp_vrp_ls *L)
{
    const sl_vrp *v = L->c->v;
    for (int t = 0; t < v->ntypes; t++) L->etype[t] = -1;
    for (int q = 0; q < v->nveh; q++)
        if (L->R[q].len == 0 && L->etype[v->vehicle_type[q]] < 0) L->etype[v->vehicle_type[q]] = q;
}

/* Places priced before the next skipped one when each is skipped with probability p (geometric;
 * one draw per skip instead of one per place). */
static long long blink_gap(sl_rng *rng, double p)
{
    if (p >= 1) return 0;
    double g = floor(log(sl_rng_uniform_pos(rng)) / log1p(-p));
    return g < 1e15 ? (long long)g : (long long)1e15;
}

double slp_vrp_best_single_blink(slp_vrp_ls *L, int u, sl_rng *rng, double blink, int *rb, int *qb,
                                 int *eb)
{
    long long skip = blink > 0 ? blink_gap(rng, blink) : 0;
    const slp_vrp_ctx *c = L->c;
    const sl_vrp *v = c->v;
    int su = v->jobs[u].site;
    /* a route may move to an empty vehicle of a sibling type as it takes the job */
    int flex = !L->used_only && c->sib_off[v->ntypes] > 0;
    if (flex) empty_of_type(L);
    double best = INFINITY;
    *rb = -1;
    for (int r = 0; r < c->nveh; r++) {
        slp_vrp_route *B = &L->R[r];
        if (route_skipped(L, r)) continue;
        double base = B->len == 0 ? c->fixed[r] : 0;
        int t = v->vehicle_type[r], s0 = c->sib_off[t], s1 = c->sib_off[t + 1];
        int sib = flex && B->len > 0 && s1 > s0 && !(c->jseg[u].multi || B->fw[B->len].multi || c->dend[r].multi);
        /* the route's distance (for the screen of sibling vehicles) */
        double dr = sib && c->dist_only ? B->fw[B->len].dist + sl_vrp_dist(v, B->fw[B->len].last, c->dend[r].first) : 0;
        for (int q = 0; q <= B->len; q++) {
            if (blink > 0 && skip-- == 0) {
                skip = blink_gap(rng, blink);
                continue;
            }
            double cheap = 0, dd = 0;
            if (c->dist_only) {
                int a = q == 0 ? c->dstart[r].first : v->jobs[B->jobs[q - 1]].site;
                int b = q == B->len ? c->dend[r].first : v->jobs[B->jobs[q]].site;
                dd = sl_vrp_dist(v, a, su) + sl_vrp_dist(v, su, b) - (B->len ? sl_vrp_dist(v, a, b) : 0);
                cheap = base + c->cd[r] * dd;
                double low = cheap;
                for (int i = s0; sib && i < s1; i++) {
                    int e = L->etype[c->sib[i]];
                    if (e >= 0) low = fmin(low, c->fixed[e] + c->cd[e] * (dr + dd) - B->cost);
                }
                if (!(low < best - 1e-12) && !L->check && !L->no_screen) continue;
            }
            int ok;
            sl_vrp_seg s;
            s.tw = INFINITY; /* stays so when a window breaks before the segment is complete */
            double cost;
            if (sib && !L->check) {
                L->evals++;
                cost = insert_price_fast(L, r, q, u, &ok, &s);
            } else {
                cost = insert_price(L, r, q, u, &ok);
                if (sib) {
                    int ok2;
                    insert_price_fast(L, r, q, u, &ok2, &s);
                }
            }
            if (ok) {
                double inc = cost - B->cost;
                /* test runs: the distance screen agrees with the full price */
                if (L->check && c->dist_only && fabs(cheap - inc) > 1e-6 * fmax(1.0, fabs(cost))) L->check_fail++;
                if (inc < best - 1e-12) {
                    best = inc;
                    *rb = r;
                    *qb = q;
                    *eb = r;
                }
            }
            if (!sib || !(s.tw <= SLP_VRP_FEAS_EPS)) continue;
            /* the same route with the job on an empty vehicle of each sibling type: the same
               segment, that vehicle's capacity, limits and costs */
            for (int i = s0; i < s1; i++) {
                int e = L->etype[c->sib[i]], ok3;
                if (e < 0) continue;
                double ce = slp_vrp_seg_cost(c, e, &s, &ok3);
                if (L->check) { /* the full price (its segments joined in another order) */
                    slp_vrp_piece pc[3] = {{r, 0, q, 0}, {-1, u, 0, 0}, {r, q, B->len, 0}};
                    int ok4;
                    double c4 = slp_vrp_eval_pieces(L, e, pc, 3, &ok4);
                    if (ok4 != ok3 || (ok3 && fabs(c4 - ce) > 1e-9 * fmax(1.0, fabs(ce)))) L->check_fail++;
                    /* and the distance screen of sibling vehicles agrees with it */
                    if (ok3 && c->dist_only && fabs(c->fixed[e] + c->cd[e] * (dr + dd) - ce) > 1e-6 * fmax(1.0, fabs(ce)))
                        L->check_fail++;
                }
                if (!ok3) continue;
                double inc = ce - B->cost;
                if (inc < best - 1e-12) {
                    best = inc;
                    *rb = r;
                    *qb = q;
                    *eb = e;
                }
            }
        }
    }
    return best;
}

double slp_vrp_best_pair_in(slp_vrp_ls *L, int r, int p, int d, int *xa, int *ya)
{
    const slp_vrp_ctx *c = L->c;
    const sl_vrp *v = c->v;
    slp_vrp_route *B = &L->R[r];
    double best = INFINITY, sp = c->speed[r];
    /* without costs per time and windows of several intervals, a place is priced from distances
       first and its segments are joined only when it could beat the best so far */
    int screen = c->dist_only && !L->check && !L->no_screen && !c->jseg[p].multi && !c->jseg[d].multi &&
                 !B->fw[B->len].multi && !c->dend[r].multi;
    int sp_site = v->jobs[p].site, sd = v->jobs[d].site;
    for (int x = 0; x <= B->len; x++) {
        sl_vrp_seg head, mid;
        sl_vrp_seg_cat(v, sp, &B->fw[x], &c->jseg[p], &head);
        if (head.tw > SLP_VRP_FEAS_EPS) continue;
        sl_vrp_seg_empty(&mid);
        int ax = x == 0 ? c->dstart[r].first : v->jobs[B->jobs[x - 1]].site;
        int bx = x == B->len ? c->dend[r].first : v->jobs[B->jobs[x]].site;
        double gain_p = sl_vrp_dist(v, ax, sp_site) + sl_vrp_dist(v, sp_site, bx) - sl_vrp_dist(v, ax, bx);
        int last = B->len ? v->jobs[B->jobs[B->len - 1]].site : c->dstart[r].first;
        double base = B->fw[B->len].dist + sl_vrp_dist(v, last, c->dend[r].first);
        sl_vrp_seg hm = head; /* the head and the jobs after it, one at a time */
        for (int y = x; y <= B->len; y++) {
            int ok;
            double cost;
            if (screen) {
                if (y > x) sl_vrp_seg_append(v, sp, &hm, &c->jseg[B->jobs[y - 1]]);
                if (hm.tw > SLP_VRP_FEAS_EPS) break;
                double dd;
                if (y == x) {
                    dd = sl_vrp_dist(v, ax, sp_site) + sl_vrp_dist(v, sp_site, sd) + sl_vrp_dist(v, sd, bx) -
                         sl_vrp_dist(v, ax, bx);
                } else {
                    int ay = v->jobs[B->jobs[y - 1]].site;
                    int by = y == B->len ? c->dend[r].first : v->jobs[B->jobs[y]].site;
                    dd = gain_p + sl_vrp_dist(v, ay, sd) + sl_vrp_dist(v, sd, by) - sl_vrp_dist(v, ay, by);
                }
                double cheap = c->fixed[r] + c->cd[r] * (base + dd);
                if (cheap > best + 1e-9 * fmax(1.0, fabs(best))) continue;
                L->evals++;
                sl_vrp_seg s = hm;
                sl_vrp_seg_append(v, sp, &s, &c->jseg[d]);
                sl_vrp_seg_append(v, sp, &s, &B->bw[y]);
                sl_vrp_seg_append(v, sp, &s, &c->dend[r]);
                cost = slp_vrp_seg_cost(c, r, &s, &ok);
            } else {
                if (y > x) sl_vrp_seg_cat(v, sp, &mid, &c->jseg[B->jobs[y - 1]], &mid);
                sl_vrp_seg s;
                sl_vrp_seg_cat(v, sp, &head, &mid, &s);
                if (s.tw > SLP_VRP_FEAS_EPS) break;
                sl_vrp_seg_cat(v, sp, &s, &c->jseg[d], &s);
                sl_vrp_seg_cat(v, sp, &s, &B->bw[y], &s);
                sl_vrp_seg_cat(v, sp, &s, &c->dend[r], &s);
                L->evals++;
                if (s.multi || L->check) {
                    slp_vrp_piece pc[5] = {{r, 0, x, 0}, {-1, p, 0, 0}, {r, x, y, 0}, {-1, d, 0, 0},
                                           {r, y, B->len, 0}};
                    cost = slp_vrp_eval_pieces(L, r, pc, 5, &ok);
                } else {
                    cost = slp_vrp_seg_cost(c, r, &s, &ok);
                }
            }
            if (ok && cost < best - 1e-12) {
                best = cost;
                *xa = x;
                *ya = y;
            }
        }
    }
    return best;
}

double slp_vrp_best_pair(slp_vrp_ls *L, int p, int d, int skip, int *rb, int *xb, int *yb)
{
    const sl_vrp *v = L->c->v;
    double best = INFINITY;
    *rb = -1;
    for (int r = 0; r < v->nveh; r++) {
        if (r == skip || route_skipped(L, r)) continue;
        int x, y;
        double c = slp_vrp_best_pair_in(L, r, p, d, &x, &y);
        if (c == INFINITY) continue;
        double inc = c - L->R[r].cost;
        if (inc < best - 1e-12) {
            best = inc;
            *rb = r;
            *xb = x;
            *yb = y;
        }
    }
    return best;
}
