/* vrp_lns.c - ruin and recreate with string removals and simulated-annealing acceptance on a
 * current plan (see vrp_internal.h). */
#include "vrp_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define AVG_REMOVED 10   /* mean jobs removed per step (fewer on small problems) */
#define MAX_STRING 10    /* longest string cut from one route */
#define BLINK 0.01       /* probability of skipping a place in the recreate */
#define T_START 3.0      /* temperatures as multiples of the mean cost per job of the best plan */
#define T_END 0.02       /* (the start hot enough to leave the plans that squeezing the fleet left) */
#define FIRST_CYCLE 2000 /* steps of the first cycle; each next one is twice as long */
#define ABSENT_MAX 3     /* jobs a current plan may leave out when the fleet is fixed */
#define ABSENT_ROUTE_JOBS 20 /* ... and only on plans with at least this many jobs per route */
#define PRICE_START 5.0  /* price of a job left out, in mean costs per job: at first, */
#define PRICE_MIN 0.5    /* and its range as it adapts */
#define PRICE_MAX 50.0
#define PRICE_PERIOD 100 /* steps between adaptations: the price rises by PRICE_STEP when the */
#define PRICE_STEP 1.3   /* current plan served every job in fewer than half of them, falls by it
                            above four in five */

int slp_vrp_lns_init(slp_vrp_lns *s, const slp_vrp_ctx *c)
{
    memset(s, 0, sizeof *s);
    s->gone = calloc((size_t)c->n + 1, 1);
    s->ruined = calloc((size_t)c->nveh + 1, 1);
    s->out = malloc(((size_t)c->n + 1) * sizeof(int));
    s->key = malloc(((size_t)c->n + 1) * 2 * sizeof(double));
    if (!s->gone || !s->ruined || !s->out || !s->key || slp_vrp_ls_init(&s->cur, c) < 0 ||
        slp_vrp_ls_init(&s->work, c) < 0) {
        slp_vrp_lns_release(s);
        return -1;
    }
    return 0;
}

void slp_vrp_lns_release(slp_vrp_lns *s)
{
    free(s->gone);
    free(s->ruined);
    free(s->out);
    free(s->key);
    if (s->cur.R) slp_vrp_ls_release(&s->cur);
    if (s->work.R) slp_vrp_ls_release(&s->work);
    memset(s, 0, sizeof *s);
}

/* Mean variable cost (without fixed vehicle costs and penalties) per served job. */
static double cost_scale(const slp_vrp_ls *L)
{
    const slp_vrp_ctx *c = L->c;
    double var = 0;
    int served = 0;
    for (int r = 0; r < c->nveh; r++)
        if (L->R[r].len > 0) {
            var += L->R[r].cost - c->fixed[r];
            served += L->R[r].len;
        }
    return served > 0 && var > 0 ? var / served : 1.0;
}

static void mark(slp_vrp_lns *s, const slp_vrp_ls *L, int j)
{
    s->gone[j] = 1;
    int p = L->c->v->jobs[j].partner;
    if (p >= 0) s->gone[p] = 1;
}

/* Cuts strings of consecutive jobs from a few routes near a random served job. */
static void ruin_strings(slp_vrp_lns *s, slp_vrp_ls *L, sl_rng *rng)
{
    const slp_vrp_ctx *c = L->c;
    int n = c->n, used = 0, served = 0;
    for (int r = 0; r < c->nveh; r++) {
        s->ruined[r] = 0;
        if (L->R[r].len > 0) used++, served += L->R[r].len;
    }
    memset(s->gone, 0, (size_t)n);
    if (served == 0) return;
    double avg = AVG_REMOVED < n / 5.0 ? AVG_REMOVED : fmax(1.0, n / 5.0);
    double lmax = fmin(MAX_STRING, (double)served / used);
    double ksmax = 4.0 * avg / (1.0 + lmax) - 1.0;
    int ks = (int)(sl_rng_uniform(rng) * ksmax) + 1;
    int pick = (int)sl_rng_below(rng, (uint32_t)served), seed = -1;
    for (int j = 0; j < n && seed < 0; j++)
        if (L->route_of[j] >= 0 && pick-- == 0) seed = j;
    const int *nb = c->cand + (size_t)seed * c->k;
    int done = 0;
    for (int t = -1; t < c->k && done < ks; t++) {
        int w = t < 0 ? seed : nb[t], r = L->route_of[w];
        if (r < 0 || s->ruined[r] || s->gone[w]) continue;
        const slp_vrp_route *R = &L->R[r];
        int cap = (int)fmin(lmax, R->len);
        int len = 1 + (int)sl_rng_below(rng, (uint32_t)cap);
        int first = L->pos_of[w] - (int)sl_rng_below(rng, (uint32_t)len);
        if (first < 0) first = 0;
        if (first + len > R->len) first = R->len - len;
        for (int k = first; k < first + len; k++) mark(s, L, R->jobs[k]);
        s->ruined[r] = 1;
        done++;
    }
    slp_vrp_ls_remove(L, s->gone);
}

static int cmp_key(const void *a, const void *b)
{
    const double *x = a, *y = b;
    if (x[0] != y[0]) return x[0] < y[0] ? -1 : 1;
    return x[1] < y[1] ? -1 : x[1] > y[1];
}

/* The unserved jobs (shipments by their pickup) in one of five orders; returns how many. */
static int recreate_order(slp_vrp_lns *s, const slp_vrp_ls *L, sl_rng *rng)
{
    const slp_vrp_ctx *c = L->c;
    const sl_vrp *v = c->v;
    int how = (int)sl_rng_below(rng, 13), m = 0;
    int depot = c->dstart[0].first;
    for (int j = 0; j < c->n; j++) {
        if (L->route_of[j] >= 0 || v->jobs[j].kind == SL_VRP_SHIP_DELIVERY) continue;
        const sl_vrp_job *J = &v->jobs[j];
        double k;
        if (how < 4) {
            k = sl_rng_uniform(rng);
        } else if (how < 8) {
            k = 0;
            for (int d = 0; d < v->ndim; d++) k -= J->demand[d];
        } else if (how < 10) {
            k = -sl_vrp_dist(v, depot, J->site);
        } else if (how < 11) {
            k = sl_vrp_dist(v, depot, J->site);
        } else {
            k = J->close[J->nwin - 1];
        }
        s->key[2 * m] = k;
        s->key[2 * m + 1] = j;
        m++;
    }
    qsort(s->key, (size_t)m, 2 * sizeof(double), cmp_key);
    for (int i = 0; i < m; i++) s->out[i] = (int)s->key[2 * i + 1];
    return m;
}

/* The cost of the routes (*absent: how many jobs are left out). */
static double route_costs(const slp_vrp_ls *L, int *absent)
{
    const slp_vrp_ctx *c = L->c;
    double x = 0;
    for (int r = 0; r < c->nveh; r++) x += L->R[r].cost;
    *absent = slp_vrp_ls_unserved(L);
    return x;
}

/* Every PRICE_PERIOD steps: a dearer absence when the current plan left more jobs out than the
 * best (base) in more than half of the steps, a cheaper one when it did so in fewer than one in
 * five. */
static void adapt_price(slp_vrp_lns *s, int base)
{
    if (slp_vrp_ls_unserved(&s->cur) <= base) s->served_steps++;
    if (++s->price_steps < PRICE_PERIOD) return;
    if (2 * s->served_steps < PRICE_PERIOD) s->price = fmin(PRICE_MAX, s->price * PRICE_STEP);
    else if (5 * s->served_steps > 4 * PRICE_PERIOD) s->price = fmax(PRICE_MIN, s->price / PRICE_STEP);
    s->served_steps = s->price_steps = 0;
}

static void restart(slp_vrp_lns *s, const slp_vrp_ls *best)
{
    slp_vrp_ls_copy(&s->cur, best);
    s->cur_known = 0;
    s->record = best->cost;
    s->cycle_start = s->steps;
}

int slp_vrp_lns_absences_apply(const slp_vrp_ls *best, int given_up)
{
    const slp_vrp_ctx *c = best->c;
    int used = slp_vrp_ls_used(best);
    if (used == 0 || (given_up == 0 && used > c->fleet_lb)) return 0; /* the fleet may shrink */
    return c->n - slp_vrp_ls_unserved(best) >= ABSENT_ROUTE_JOBS * used;
}

int slp_vrp_lns_run(slp_vrp_lns *s, const slp_vrp_ls *best, sl_rng *rng, long long budget,
                    slp_vrp_ls *found)
{
    const slp_vrp_ctx *c = best->c;
    if (c->n == 0 || c->k == 0) return 0;
    if (!s->active) {
        s->active = 1;
        s->cycle_len = FIRST_CYCLE;
        restart(s, best);
    } else if (best->cost < s->record - 1e-9 * fmax(1.0, fabs(s->record))) {
        restart(s, best);
    }
    double scale = cost_scale(best);
    double t0 = T_START * scale, t1 = T_END * scale;
    int absent_ok = s->used_only && s->absent_ok;
    if (s->price <= 0) s->price = PRICE_START;
    /* jobs the current plan may leave out beyond those the best leaves out (none when the
       fleet may still shrink: back to the best if it left some out before) */
    int base = slp_vrp_ls_unserved(best), most = base + (absent_ok ? ABSENT_MAX : 0);
    if (s->used_only && slp_vrp_ls_unserved(&s->cur) > most) restart(s, best);
    long long spent = 0;
    int ret = 0;
    while (spent < budget) {
        if (s->steps - s->cycle_start >= s->cycle_len) {
            s->cycle_len *= 2;
            restart(s, best);
        }
        if (slp_vrp_ls_expired(&s->cur) || slp_vrp_ls_expired(&s->work)) break;
        slp_vrp_ls *W = &s->work;
        double price = s->price * scale;
        if (absent_ok) adapt_price(s, base);
        long long e0 = W->evals;
        slp_vrp_ls_copy(W, &s->cur);
        ruin_strings(s, W, rng);
        int m = recreate_order(s, W, rng), ok = 1;
        for (int i = 0; i < m && ok; i++)
            if (!slp_vrp_ls_insert_blink(W, s->out[i], s->used_only, rng, BLINK) && s->used_only && !absent_ok) ok = 0;
        spent += W->evals - e0 + 4 * (long long)m + 16;
        double frac = (double)(s->steps - s->cycle_start) / (double)s->cycle_len;
        double T = t0 * pow(t1 / t0, frac);
        s->steps++;
        if (!ok || W->expired) continue;
        slp_vrp_ls_recompute(W);
        int aw = 0;
        double xw = W->cost, xc = s->cur.cost, rw = 0;
        if (absent_ok) {
            rw = route_costs(W, &aw);
            if (aw > most) continue;
            if (!s->cur_known) {
                s->cur_routes = route_costs(&s->cur, &s->cur_absent);
                s->cur_known = 1;
            }
            /* each plan: its route costs plus the price of the jobs it leaves out */
            xw = rw + price * aw;
            xc = s->cur_routes + price * s->cur_absent;
        }
        if (xw < xc - T * log(sl_rng_uniform_pos(rng))) {
            slp_vrp_ls tmp = s->cur;
            s->cur = s->work;
            s->work = tmp;
            s->accepted++;
            s->cur_routes = rw;
            s->cur_absent = aw;
            s->cur_known = absent_ok;
            if (aw > base) s->absent_accepted++;
            /* (the search cost prices a job left out above any fleet or distance change, so a
               plan leaving out more jobs than the best never sets a record) */
            if (s->cur.cost < s->record - 1e-9 * fmax(1.0, fabs(s->record))) {
                s->record = s->cur.cost;
                if (s->cur.cost < best->cost - 1e-9 * fmax(1.0, fabs(best->cost))) {
                    slp_vrp_ls_copy(found, &s->cur);
                    s->improved++;
                    ret = 1;
                }
            }
        }
    }
    return ret;
}
