/* vrp_ls.c - local search for the rich VRP with constant-time move evaluation (see vrp_internal.h). */
#include "aco_clock.h"
#include "vrp_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define GAIN_EPS 1e-7

/* ---- time limit ---- */

int slp_vrp_deadline_passed(const slp_vrp_deadline *d)
{
    if (!d) return 0;
    if (d->wall_end > 0 && slp_aco_wall_now() >= d->wall_end) return 1;
    if (d->cpu_end > 0 && slp_aco_cpu_now() >= d->cpu_end) return 1;
    return 0;
}

int slp_vrp_ls_expired(slp_vrp_ls *L)
{
    if (L->expired) return 1;
    if (!L->deadline) return 0;
    long long now = L->evals + ++L->ticks;
    if (now < L->next_tick) return 0;
    L->next_tick = now + SLP_VRP_TICK;
    L->expired = slp_vrp_deadline_passed(L->deadline);
    return L->expired;
}

/* ---- shared context ---- */

static int cmp_pair(const void *a, const void *b)
{
    const double *x = a, *y = b;
    if (x[0] != y[0]) return x[0] < y[0] ? -1 : 1;
    return x[1] < y[1] ? -1 : x[1] > y[1];
}

int slp_vrp_ctx_init(slp_vrp_ctx *c, const sl_vrp *v, int k)
{
    memset(c, 0, sizeof *c);
    c->v = v;
    c->n = v->njobs;
    c->nveh = v->nveh;
    c->k = k < c->n - 1 ? k : c->n - 1;
    c->fleet_lb = sl_vrp_fleet_bound(v);
    if (c->k < 0) c->k = 0;
    int n = c->n, V = c->nveh;
    c->cand = malloc(((size_t)n * c->k + 1) * sizeof(int));
    c->fixed = malloc((size_t)V * sizeof(double));
    c->cd = malloc((size_t)V * sizeof(double));
    c->ct = malloc((size_t)V * sizeof(double));
    c->speed = malloc((size_t)V * sizeof(double));
    c->pen = malloc(((size_t)n + 1) * sizeof(double));
    c->jseg = malloc(((size_t)n + 1) * sizeof(sl_vrp_seg));
    c->dstart = malloc((size_t)V * sizeof(sl_vrp_seg));
    c->dend = malloc((size_t)V * sizeof(sl_vrp_seg));
    c->first_of_type = malloc((size_t)V * sizeof(int));
    c->sib_off = malloc(((size_t)v->ntypes + 1) * sizeof(int));
    c->sib = malloc(((size_t)v->ntypes * v->ntypes + 1) * sizeof(int));
    double *tmp = malloc(((size_t)n + 1) * 2 * sizeof(double));
    if (!c->cand || !c->fixed || !c->cd || !c->ct || !c->speed || !c->pen || !c->jseg ||
        !c->dstart || !c->dend || !c->first_of_type || !c->sib_off || !c->sib || !tmp) {
        free(tmp);
        slp_vrp_ctx_release(c);
        return -1;
    }
    /* neighbour lists by site distance (both directions), ties by index */
    for (int i = 0; i < n; i++) {
        int m = 0;
        for (int j = 0; j < n; j++) {
            if (j == i) continue;
            int a = v->jobs[i].site, b = v->jobs[j].site;
            tmp[2 * m] = fmin(sl_vrp_dist(v, a, b), sl_vrp_dist(v, b, a));
            tmp[2 * m + 1] = j;
            m++;
        }
        qsort(tmp, (size_t)m, 2 * sizeof(double), cmp_pair);
        for (int q = 0; q < c->k; q++) c->cand[(size_t)i * c->k + q] = (int)tmp[2 * q + 1];
    }
    free(tmp);
    double maxd = 0, maxt = 0, maxf = 0, maxcd = 0, maxct = 0;
    size_t nn = (size_t)v->nsites * v->nsites;
    for (size_t i = 0; i < nn; i++) {
        maxd = fmax(maxd, v->dist[i]);
        maxt = fmax(maxt, v->time[i]);
    }
    for (int t = 0; t < v->ntypes; t++) {
        maxf = fmax(maxf, v->types[t].fixed);
        maxcd = fmax(maxcd, v->types[t].cost_distance);
        maxct = fmax(maxct, v->types[t].cost_time);
    }
    double big_vehicle = 2.0 * (n + 1) * maxd + 1.0;
    double big_unserved = big_vehicle * 2.0 * (V + 1);
    int hier = v->objective == SL_VRP_HIERARCHICAL;
    if (!hier) big_unserved = 1e7 * (1 + maxf + maxcd * maxd + maxct * maxt);
    int prev_type = -1, first = 0;
    c->dist_only = 1;
    for (int q = 0; q < V; q++) {
        const sl_vrp_vtype *t = &v->types[v->vehicle_type[q]];
        c->fixed[q] = hier ? big_vehicle : t->fixed;
        c->cd[q] = hier ? 1.0 : t->cost_distance;
        c->ct[q] = hier ? 0.0 : t->cost_time;
        c->speed[q] = t->speed;
        if (c->ct[q] != 0) c->dist_only = 0;
        sl_vrp_seg_depot(v, q, 0, &c->dstart[q]);
        sl_vrp_seg_depot(v, q, 1, &c->dend[q]);
        if (v->vehicle_type[q] != prev_type) first = q, prev_type = v->vehicle_type[q];
        c->first_of_type[q] = first;
    }
    int ns = 0;
    for (int a = 0; a < v->ntypes; a++) {
        const sl_vrp_vtype *A = &v->types[a];
        c->sib_off[a] = ns;
        for (int b = 0; b < v->ntypes; b++) {
            const sl_vrp_vtype *B = &v->types[b];
            if (b != a && B->start == A->start && B->end == A->end && B->speed == A->speed &&
                B->shift_open == A->shift_open && B->shift_close == A->shift_close)
                c->sib[ns++] = b;
        }
    }
    c->sib_off[v->ntypes] = ns;
    for (int j = 0; j < n; j++) {
        c->pen[j] = (hier || v->jobs[j].penalty < 0) ? big_unserved : v->jobs[j].penalty;
        sl_vrp_seg_job(v, j, &c->jseg[j]);
    }
    return 0;
}

void slp_vrp_ctx_release(slp_vrp_ctx *c)
{
    free(c->cand);
    free(c->fixed);
    free(c->cd);
    free(c->ct);
    free(c->speed);
    free(c->pen);
    free(c->jseg);
    free(c->dstart);
    free(c->dend);
    free(c->first_of_type);
    free(c->sib_off);
    free(c->sib);
    memset(c, 0, sizeof *c);
}

/* ---- working solution ---- */

int slp_vrp_ls_init(slp_vrp_ls *L, const slp_vrp_ctx *c)
{
    memset(L, 0, sizeof *L);
    L->c = c;
    L->R = calloc((size_t)c->nveh, sizeof(slp_vrp_route));
    L->route_of = malloc(((size_t)c->n + 1) * sizeof(int));
    L->pos_of = malloc(((size_t)c->n + 1) * sizeof(int));
    L->tmp = malloc(((size_t)c->n + 4) * sizeof(int));
    L->tmp2 = malloc(((size_t)c->n + 4) * sizeof(int));
    L->seen = malloc(((size_t)c->n + 1) * sizeof(long long));
    L->etype = malloc(((size_t)c->v->ntypes + 1) * sizeof(int));
    if (!L->R || !L->route_of || !L->pos_of || !L->tmp || !L->tmp2 || !L->seen || !L->etype) {
        slp_vrp_ls_release(L);
        return -1;
    }
    for (int j = 0; j < c->n; j++) L->route_of[j] = -1, L->seen[j] = -1;
    for (int r = 0; r < c->nveh; r++) {
        L->R[r].fw = malloc(sizeof(sl_vrp_seg));
        L->R[r].bw = malloc(sizeof(sl_vrp_seg));
        L->R[r].open = malloc(sizeof(int));
        if (!L->R[r].fw || !L->R[r].bw || !L->R[r].open) {
            slp_vrp_ls_release(L);
            return -1;
        }
        L->R[r].fw[0] = c->dstart[r];
        sl_vrp_seg_empty(&L->R[r].bw[0]);
        L->R[r].open[0] = 0;
    }
    L->cost = 0;
    for (int j = 0; j < c->n; j++) L->cost += c->pen[j];
    return 0;
}

void slp_vrp_ls_release(slp_vrp_ls *L)
{
    if (L->R)
        for (int r = 0; r < L->c->nveh; r++) {
            free(L->R[r].jobs);
            free(L->R[r].fw);
            free(L->R[r].bw);
            free(L->R[r].open);
        }
    free(L->R);
    free(L->route_of);
    free(L->pos_of);
    free(L->tmp);
    free(L->tmp2);
    free(L->seen);
    free(L->etype);
    memset(L, 0, sizeof *L);
}

static int route_reserve(slp_vrp_route *R, int len)
{
    if (len + 1 <= R->cap) return 0;
    int nc = R->cap ? R->cap : 8;
    while (nc < len + 1) nc *= 2;
    int *j = realloc(R->jobs, (size_t)nc * sizeof(int));
    if (!j) return -1;
    R->jobs = j;
    sl_vrp_seg *f = realloc(R->fw, ((size_t)nc + 1) * sizeof(sl_vrp_seg));
    if (!f) return -1;
    R->fw = f;
    sl_vrp_seg *b = realloc(R->bw, ((size_t)nc + 1) * sizeof(sl_vrp_seg));
    if (!b) return -1;
    R->bw = b;
    int *o = realloc(R->open, ((size_t)nc + 1) * sizeof(int));
    if (!o) return -1;
    R->open = o;
    R->cap = nc;
    return 0;
}

/* Search cost of a complete depot-to-depot segment; sets *ok to feasibility. */
double slp_vrp_seg_cost(const slp_vrp_ctx *c, int veh, const sl_vrp_seg *s, int *ok)
{
    const sl_vrp_vtype *t = &c->v->types[c->v->vehicle_type[veh]];
    int f = s->tw <= SLP_VRP_FEAS_EPS && s->dur <= t->max_duration + SLP_VRP_FEAS_EPS &&
            s->dist <= t->max_distance + SLP_VRP_FEAS_EPS;
    for (int d = 0; f && d < c->v->ndim; d++)
        if (s->sload[d] + s->maxp[d] > t->capacity[d] + 1e-9) f = 0;
    *ok = f;
    return c->fixed[veh] + c->cd[veh] * s->dist + c->ct[veh] * s->dur;
}

/* Search cost of a route given as a job list, by simulation (windows with several intervals,
 * and the checks of test runs). */
double slp_vrp_sim_cost(const slp_vrp_ctx *c, int veh, const int *jobs, int len, int *ok)
{
    if (len == 0) {
        *ok = 1;
        return 0;
    }
    sl_vrp_route_kpi k;
    sl_vrp_evaluate_route(c->v, veh, jobs, len, &k);
    *ok = k.feasible;
    return c->fixed[veh] + c->cd[veh] * k.distance + c->ct[veh] * k.duration;
}

/* Recomputes the segments of route r whose contents changed: forward segments past its first
 * `keep_fw` jobs and backward segments before its last `keep_bw` jobs (the others still hold,
 * with the same values as a full rebuild), then the open shipments and the cost. */
static void rebuild(slp_vrp_ls *L, int r, int keep_fw, int keep_bw)
{
    const slp_vrp_ctx *c = L->c;
    slp_vrp_route *R = &L->R[r];
    double sp = c->speed[r];
    R->fw[0] = c->dstart[r];
    for (int k = keep_fw; k < R->len; k++) sl_vrp_seg_cat(c->v, sp, &R->fw[k], &c->jseg[R->jobs[k]], &R->fw[k + 1]);
    sl_vrp_seg_empty(&R->bw[R->len]);
    for (int k = R->len - keep_bw - 1; k >= 0; k--)
        sl_vrp_seg_cat(c->v, sp, &c->jseg[R->jobs[k]], &R->bw[k + 1], &R->bw[k]);
    int open = 0;
    R->open[0] = 0;
    for (int k = 0; k < R->len; k++) {
        const sl_vrp_job *J = &c->v->jobs[R->jobs[k]];
        if (J->kind == SL_VRP_SHIP_PICKUP) open++;
        else if (J->kind == SL_VRP_SHIP_DELIVERY && L->route_of[J->partner] == r &&
                 L->pos_of[J->partner] < k)
            open--;
        R->open[k + 1] = open;
    }
    if (R->len == 0) {
        R->cost = 0;
        return;
    }
    sl_vrp_seg s;
    sl_vrp_seg_cat(c->v, sp, &R->fw[R->len], &c->dend[r], &s);
    int ok;
    R->cost = s.multi ? slp_vrp_sim_cost(c, r, R->jobs, R->len, &ok) : slp_vrp_seg_cost(c, r, &s, &ok);
}

/* New contents for route r. The jobs the old and new contents share at the start and at the end
 * keep their segments (backward ones move with them), so a move pays only for what it changed. */
static int set_route(slp_vrp_ls *L, int r, const int *jobs, int len)
{
    slp_vrp_route *R = &L->R[r];
    int old = R->len;
    if (route_reserve(R, len) < 0) return -1;
    int lim = old < len ? old : len, pre = 0, suf = 0;
    while (pre < lim && R->jobs[pre] == jobs[pre]) pre++;
    while (suf < lim - pre && R->jobs[old - 1 - suf] == jobs[len - 1 - suf]) suf++;
    if (suf && old != len) memmove(R->bw + len - suf, R->bw + old - suf, (size_t)suf * sizeof(sl_vrp_seg));
    if (len && R->jobs != jobs) memmove(R->jobs, jobs, (size_t)len * sizeof(int));
    R->len = len;
    R->mod = ++L->clock;
    for (int k = 0; k < len; k++) {
        L->route_of[R->jobs[k]] = r;
        L->pos_of[R->jobs[k]] = k;
    }
    rebuild(L, r, pre, suf);
    return 0;
}

double slp_vrp_ls_recompute(slp_vrp_ls *L)
{
    double s = 0;
    for (int r = 0; r < L->c->nveh; r++) s += L->R[r].cost;
    for (int j = 0; j < L->c->n; j++)
        if (L->route_of[j] < 0) s += L->c->pen[j];
    L->cost = s;
    return s;
}

int slp_vrp_ls_load(slp_vrp_ls *L, const sl_vrp_sol *s)
{
    const slp_vrp_ctx *c = L->c;
    for (int j = 0; j < c->n; j++) L->route_of[j] = -1, L->seen[j] = -1;
    for (int r = 0; r < c->nveh; r++) {
        const int *jobs = s->jobs + s->start[r];
        int len = s->start[r + 1] - s->start[r];
        for (int k = 0; k < len; k++) {
            if (jobs[k] < 0 || jobs[k] >= c->n || L->route_of[jobs[k]] >= 0) return -1;
            L->route_of[jobs[k]] = r;
        }
    }
    for (int r = 0; r < c->nveh; r++)
        if (set_route(L, r, s->jobs + s->start[r], s->start[r + 1] - s->start[r]) < 0) return -1;
    for (int r = 0; r < c->nveh; r++) {
        slp_vrp_route *R = &L->R[r];
        if (!R->len) continue;
        int ok;
        slp_vrp_sim_cost(c, r, R->jobs, R->len, &ok);
        if (!ok) return -1;
        for (int k = 0; k < R->len; k++) {
            const sl_vrp_job *J = &c->v->jobs[R->jobs[k]];
            if (J->kind == SL_VRP_SHIP_PICKUP &&
                (L->route_of[J->partner] != r || L->pos_of[J->partner] < k))
                return -1;
            if (J->kind == SL_VRP_SHIP_DELIVERY && L->route_of[J->partner] != r) return -1;
        }
    }
    slp_vrp_ls_recompute(L);
    return 0;
}

int slp_vrp_ls_store(const slp_vrp_ls *L, sl_vrp_sol *s)
{
    for (int r = 0; r < L->c->nveh; r++)
        if (sl_vrp_sol_set_route(s, r, L->R[r].jobs, L->R[r].len) != SL_OK) return -1;
    return 0;
}

void slp_vrp_ls_copy(slp_vrp_ls *dst, const slp_vrp_ls *src)
{
    const slp_vrp_ctx *c = src->c;
    for (int r = 0; r < c->nveh; r++) {
        const slp_vrp_route *S = &src->R[r];
        slp_vrp_route *D = &dst->R[r];
        if (route_reserve(D, S->len) < 0) continue; /* keeps dst consistent but stale: rare OOM */
        D->len = S->len;
        if (S->len) memcpy(D->jobs, S->jobs, (size_t)S->len * sizeof(int));
        memcpy(D->fw, S->fw, ((size_t)S->len + 1) * sizeof(sl_vrp_seg));
        memcpy(D->bw, S->bw, ((size_t)S->len + 1) * sizeof(sl_vrp_seg));
        memcpy(D->open, S->open, ((size_t)S->len + 1) * sizeof(int));
        D->cost = S->cost;
    }
    memcpy(dst->route_of, src->route_of, (size_t)c->n * sizeof(int));
    memcpy(dst->pos_of, src->pos_of, (size_t)c->n * sizeof(int));
    dst->cost = src->cost;
    /* the search memory travels with the solution */
    for (int r = 0; r < c->nveh; r++) dst->R[r].mod = src->R[r].mod;
    memcpy(dst->seen, src->seen, (size_t)c->n * sizeof(long long));
    dst->clock = src->clock;
}

int slp_vrp_ls_used(const slp_vrp_ls *L)
{
    int u = 0;
    for (int r = 0; r < L->c->nveh; r++) u += L->R[r].len > 0;
    return u;
}

int slp_vrp_ls_unserved(const slp_vrp_ls *L)
{
    int u = 0;
    for (int j = 0; j < L->c->n; j++) u += L->route_of[j] < 0;
    return u;
}

/* ---- candidate routes as pieces of existing routes ---- */

static int piece_len(const slp_vrp_piece *p) { return p->r < 0 ? 1 : (p->b > p->a ? p->b - p->a : 0); }

static int build(const slp_vrp_ls *L, const slp_vrp_piece *p, int np, int *out)
{
    int len = 0;
    for (int i = 0; i < np; i++) {
        if (p[i].r < 0) {
            out[len++] = p[i].a;
            continue;
        }
        const int *J = L->R[p[i].r].jobs;
        if (p[i].rev)
            for (int k = p[i].b - 1; k >= p[i].a; k--) out[len++] = J[k];
        else
            for (int k = p[i].a; k < p[i].b; k++) out[len++] = J[k];
    }
    return len;
}

static void piece_seg(const slp_vrp_ls *L, int veh, const slp_vrp_piece *p, sl_vrp_seg *out)
{
    const slp_vrp_ctx *c = L->c;
    if (p->r < 0) {
        *out = c->jseg[p->a];
        return;
    }
    const slp_vrp_route *R = &L->R[p->r];
    if (!p->rev && p->b == R->len && c->speed[p->r] == c->speed[veh]) {
        *out = R->bw[p->a];
        return;
    }
    sl_vrp_seg_empty(out);
    double sp = c->speed[veh];
    if (p->rev)
        for (int k = p->b - 1; k >= p->a; k--) sl_vrp_seg_cat(c->v, sp, out, &c->jseg[R->jobs[k]], out);
    else
        for (int k = p->a; k < p->b; k++) sl_vrp_seg_cat(c->v, sp, out, &c->jseg[R->jobs[k]], out);
}

/* Cost of vehicle veh driving the pieces from distances alone (exact when c->dist_only; pieces
 * read forward). Internal distances of route pieces come from the forward segments. */
static double cheap_cost(const slp_vrp_ls *L, int veh, const slp_vrp_piece *p, int np)
{
    const slp_vrp_ctx *c = L->c;
    const sl_vrp *v = c->v;
    double d = 0;
    int last = c->dstart[veh].first, any = 0;
    for (int i = 0; i < np; i++) {
        int first, end;
        if (p[i].r < 0) {
            first = end = v->jobs[p[i].a].site;
        } else {
            if (p[i].b <= p[i].a) continue;
            const slp_vrp_route *R = &L->R[p[i].r];
            first = v->jobs[R->jobs[p[i].a]].site;
            end = v->jobs[R->jobs[p[i].b - 1]].site;
            d += R->fw[p[i].b].dist - R->fw[p[i].a + 1].dist;
        }
        d += sl_vrp_dist(v, last, first);
        last = end;
        any = 1;
    }
    if (!any) return 0;
    d += sl_vrp_dist(v, last, c->dend[veh].first);
    return c->fixed[veh] + c->cd[veh] * d;
}

/* 1 when the move cannot improve: both new routes priced from distances alone. */
static int screened(const slp_vrp_ls *L, int r1, const slp_vrp_piece *p1, int n1, int r2,
                    const slp_vrp_piece *p2, int n2)
{
    if (!L->c->dist_only) return 0;
    double old = L->R[r1].cost, now = cheap_cost(L, r1, p1, n1);
    if (r2 >= 0) old += L->R[r2].cost, now += cheap_cost(L, r2, p2, n2);
    return !(now - old < -GAIN_EPS);
}

/* Search cost of vehicle veh driving the pieces; *ok = feasibility. */
double slp_vrp_eval_pieces(slp_vrp_ls *L, int veh, const slp_vrp_piece *p, int np, int *ok)
{
    const slp_vrp_ctx *c = L->c;
    int total = 0;
    for (int i = 0; i < np; i++) total += piece_len(&p[i]);
    L->evals++;
    if (total == 0) {
        *ok = 1;
        return 0;
    }
    sl_vrp_seg s, x;
    int i0 = 0;
    if (p[0].r == veh && !p[0].rev && p[0].a == 0) {
        s = L->R[veh].fw[p[0].b];
        i0 = 1;
    } else {
        s = c->dstart[veh];
    }
    double sp = c->speed[veh];
    for (int i = i0; i < np; i++) {
        if (piece_len(&p[i]) == 0) continue;
        piece_seg(L, veh, &p[i], &x);
        sl_vrp_seg_cat(c->v, sp, &s, &x, &s);
    }
    sl_vrp_seg_cat(c->v, sp, &s, &c->dend[veh], &s);
    if (s.multi) {
        int n = build(L, p, np, L->tmp2);
        return slp_vrp_sim_cost(c, veh, L->tmp2, n, ok);
    }
    double cost = slp_vrp_seg_cost(c, veh, &s, ok);
    if (L->check) {
        int n = build(L, p, np, L->tmp2), ok2;
        double c2 = slp_vrp_sim_cost(c, veh, L->tmp2, n, &ok2);
        if (ok2 != *ok || (ok2 && fabs(c2 - cost) > 1e-6 * fmax(1.0, fabs(cost)))) L->check_fail++;
        int fwd = 1;
        for (int i = 0; i < np; i++) fwd &= !p[i].rev;
        if (c->dist_only && fwd && fabs(cheap_cost(L, veh, p, np) - cost) > 1e-6 * fmax(1.0, fabs(cost)))
            L->check_fail++;
    }
    return cost;
}

static void after_move(slp_vrp_ls *L)
{
    L->moves++;
    if (!L->check) return;
    sl_vrp_sol s;
    if (sl_vrp_sol_init(&s, L->c->nveh) != SL_OK) return;
    int missing = 0;
    if (slp_vrp_ls_store(L, &s) == 0) {
        int bad = sl_vrp_check_sol(L->c->v, &s, NULL, NULL, NULL, &missing);
        if (bad != missing) L->check_fail++;
    }
    sl_vrp_sol_release(&s);
    double before = L->cost;
    if (fabs(slp_vrp_ls_recompute(L) - before) > 1e-6 * fmax(1.0, fabs(before))) L->check_fail++;
}

/* Applies new contents for routes r1 and (when r2 >= 0) r2. */
static void apply2(slp_vrp_ls *L, int r1, const slp_vrp_piece *p1, int n1, int r2, const slp_vrp_piece *p2, int n2,
                   double delta)
{
    int len1 = build(L, p1, n1, L->tmp), len2 = r2 >= 0 ? build(L, p2, n2, L->tmp2) : 0;
    set_route(L, r1, L->tmp, len1);
    if (r2 >= 0) set_route(L, r2, L->tmp2, len2);
    L->cost += delta;
    after_move(L);
}

/* Every shipment half in R[r].jobs[a..b-1] has its partner inside too. */
static int closed(const slp_vrp_ls *L, int r, int a, int b)
{
    if (!L->c->v->has_pairs) return 1;
    const int *J = L->R[r].jobs;
    for (int k = a; k < b; k++) {
        int p = L->c->v->jobs[J[k]].partner;
        if (p >= 0 && (L->route_of[p] != r || L->pos_of[p] < a || L->pos_of[p] >= b)) return 0;
    }
    return 1;
}

/* Segment R[r][i..i+k-1] moved to position q of the same route keeps shipments in order. */
static int intra_order_ok(const slp_vrp_ls *L, int r, int i, int k, int q)
{
    if (!L->c->v->has_pairs) return 1;
    const int *J = L->R[r].jobs;
    for (int s = i; s < i + k; s++) {
        const sl_vrp_job *job = &L->c->v->jobs[J[s]];
        if (job->partner < 0) continue;
        int pp = L->pos_of[job->partner];
        if (pp >= i && pp < i + k) continue;
        if (q < i && job->kind == SL_VRP_SHIP_DELIVERY && pp >= q) return 0;
        if (q > i + k && job->kind == SL_VRP_SHIP_PICKUP && pp < q) return 0;
    }
    return 1;
}

int slp_vrp_first_empty(const slp_vrp_ls *L, int type_first)
{
    const sl_vrp *v = L->c->v;
    int t = v->vehicle_type[type_first];
    for (int q = type_first; q < v->nveh && v->vehicle_type[q] == t; q++)
        if (L->R[q].len == 0) return q;
    return -1;
}

/* ---- moves around one job ---- */

/* Prices vehicle r1 driving p1 and (when r2 >= 0) r2 driving p2, and applies both when the
 * search cost falls. */
static int try_apply(slp_vrp_ls *L, int r1, const slp_vrp_piece *p1, int n1, int r2, const slp_vrp_piece *p2, int n2)
{
    if (!L->accept_any && screened(L, r1, p1, n1, r2, p2, n2)) return 0;
    int ok;
    double now = slp_vrp_eval_pieces(L, r1, p1, n1, &ok), old = L->R[r1].cost;
    if (!ok) return 0;
    if (r2 >= 0) {
        now += slp_vrp_eval_pieces(L, r2, p2, n2, &ok);
        old += L->R[r2].cost;
        if (!ok) return 0;
    }
    if (!L->accept_any && !(now - old < -GAIN_EPS)) return 0;
    apply2(L, r1, p1, n1, r2, p2, n2, now - old);
    return 1;
}

static int try_relocate(slp_vrp_ls *L, int u, int w)
{
    int r1 = L->route_of[u], i = L->pos_of[u], r2 = L->route_of[w], j = L->pos_of[w];
    int la = L->R[r1].len, lb = L->R[r2].len;
    for (int k = 1; k <= 3 && i + k <= la; k++) {
        if (r1 != r2) {
            if (!closed(L, r1, i, i + k)) continue;
            slp_vrp_piece p1[2] = {{r1, 0, i, 0}, {r1, i + k, la, 0}};
            for (int q = j; q <= j + 1; q++) {
                slp_vrp_piece p2[3] = {{r2, 0, q, 0}, {r1, i, i + k, 0}, {r2, q, lb, 0}};
                if (try_apply(L, r1, p1, 2, r2, p2, 3)) return 1;
            }
            continue;
        }
        for (int q = j; q <= j + 1; q++) {
            if ((q >= i && q <= i + k) || !intra_order_ok(L, r1, i, k, q)) continue;
            slp_vrp_piece p[4];
            if (q < i) {
                p[0] = (slp_vrp_piece){r1, 0, q, 0};
                p[1] = (slp_vrp_piece){r1, i, i + k, 0};
                p[2] = (slp_vrp_piece){r1, q, i, 0};
                p[3] = (slp_vrp_piece){r1, i + k, la, 0};
            } else {
                p[0] = (slp_vrp_piece){r1, 0, i, 0};
                p[1] = (slp_vrp_piece){r1, i + k, q, 0};
                p[2] = (slp_vrp_piece){r1, i, i + k, 0};
                p[3] = (slp_vrp_piece){r1, q, la, 0};
            }
            if (try_apply(L, r1, p, 4, -1, NULL, 0)) return 1;
        }
    }
    return 0;
}

static int try_exchange(slp_vrp_ls *L, int u, int w)
{
    int r1 = L->route_of[u], i = L->pos_of[u], r2 = L->route_of[w], j = L->pos_of[w];
    if (r1 == r2) return 0;
    int la = L->R[r1].len, lb = L->R[r2].len;
    for (int k1 = 1; k1 <= 2 && i + k1 <= la; k1++) {
        if (!closed(L, r1, i, i + k1)) continue;
        for (int k2 = 1; k2 <= 2; k2++) {
            int qs[2] = {j + 1, j - k2};
            for (int t = 0; t < 2; t++) {
                int q = qs[t];
                if (q < 0 || q + k2 > lb || !closed(L, r2, q, q + k2)) continue;
                slp_vrp_piece p1[3] = {{r1, 0, i, 0}, {r2, q, q + k2, 0}, {r1, i + k1, la, 0}};
                slp_vrp_piece p2[3] = {{r2, 0, q, 0}, {r1, i, i + k1, 0}, {r2, q + k2, lb, 0}};
                if (try_apply(L, r1, p1, 3, r2, p2, 3)) return 1;
            }
        }
    }
    return 0;
}

static int try_2opt_star(slp_vrp_ls *L, int u, int w)
{
    int r1 = L->route_of[u], i = L->pos_of[u], r2 = L->route_of[w], j = L->pos_of[w];
    if (r1 == r2) return 0;
    slp_vrp_route *A = &L->R[r1], *B = &L->R[r2];
    /* u -> w: r1 = A[0..i] + B[j..], r2 = B[0..j-1] + A[i+1..] */
    if (A->open[i + 1] == 0 && B->open[j] == 0) {
        slp_vrp_piece p1[2] = {{r1, 0, i + 1, 0}, {r2, j, B->len, 0}};
        slp_vrp_piece p2[2] = {{r2, 0, j, 0}, {r1, i + 1, A->len, 0}};
        if (try_apply(L, r1, p1, 2, r2, p2, 2)) return 1;
    }
    /* w -> u: r1 = A[0..i-1] + B[j+1..], r2 = B[0..j] + A[i..] */
    if (A->open[i] == 0 && B->open[j + 1] == 0) {
        slp_vrp_piece p1[2] = {{r1, 0, i, 0}, {r2, j + 1, B->len, 0}};
        slp_vrp_piece p2[2] = {{r2, 0, j + 1, 0}, {r1, i, A->len, 0}};
        if (try_apply(L, r1, p1, 2, r2, p2, 2)) return 1;
    }
    return 0;
}

static int try_2opt(slp_vrp_ls *L, int u, int w)
{
    int r = L->route_of[u];
    if (r != L->route_of[w]) return 0;
    int a = L->pos_of[u], b = L->pos_of[w];
    if (a > b) {
        int t = a;
        a = b;
        b = t;
    }
    if (a + 1 >= b) return 0;
    slp_vrp_route *A = &L->R[r];
    if (L->c->v->has_pairs)
        for (int k = a + 1; k <= b; k++) {
            int p = L->c->v->jobs[A->jobs[k]].partner;
            if (p >= 0 && L->route_of[p] == r && L->pos_of[p] > a && L->pos_of[p] <= b) return 0;
        }
    slp_vrp_piece p[3] = {{r, 0, a + 1, 0}, {r, a + 1, b + 1, 1}, {r, b + 1, A->len, 0}};
    return try_apply(L, r, p, 3, -1, NULL, 0);
}

/* Moves a segment starting at u to an unused vehicle of each type. */
static int try_to_empty(slp_vrp_ls *L, int u)
{
    const sl_vrp *v = L->c->v;
    int r1 = L->route_of[u], i = L->pos_of[u];
    slp_vrp_route *A = &L->R[r1];
    for (int q = 0; q < v->nveh; q = q + v->types[v->vehicle_type[q]].count) {
        int e = slp_vrp_first_empty(L, q);
        if (e < 0) continue;
        for (int k = 1; k <= 3 && i + k <= A->len; k++) {
            if (!closed(L, r1, i, i + k)) continue;
            slp_vrp_piece p1[2] = {{r1, 0, i, 0}, {r1, i + k, A->len, 0}};
            slp_vrp_piece p2[1] = {{r1, i, i + k, 0}};
            if (try_apply(L, r1, p1, 2, e, p2, 1)) return 1;
        }
    }
    return 0;
}

/* Moves between u's route and a neighbour's route are tried again only when one of the two
 * routes changed since u's neighbourhood was last searched without success. */
static int try_job(slp_vrp_ls *L, int u)
{
    const slp_vrp_ctx *c = L->c;
    const int *nb = c->cand + (size_t)u * c->k;
    long long seen = L->seen[u];
    int fresh = L->R[L->route_of[u]].mod > seen;
    for (int t = 0; t < c->k; t++) {
        int w = nb[t];
        if (L->route_of[w] < 0 || L->route_of[u] < 0) continue;
        if (!fresh && L->R[L->route_of[w]].mod <= seen) continue;
        if (try_relocate(L, u, w) || try_exchange(L, u, w) || try_2opt_star(L, u, w) ||
            try_2opt(L, u, w))
            return 1;
    }
    if (fresh && try_to_empty(L, u)) return 1;
    L->seen[u] = L->clock;
    return 0;
}

/* ---- shipments ---- */

static void insert_pair_at(slp_vrp_ls *L, int r, int p, int d, int x, int y, double delta)
{
    slp_vrp_route *B = &L->R[r];
    slp_vrp_piece pc[5] = {{r, 0, x, 0}, {-1, p, 0, 0}, {r, x, y, 0}, {-1, d, 0, 0}, {r, y, B->len, 0}};
    apply2(L, r, pc, 5, -1, NULL, 0, delta);
}

static int try_pair(slp_vrp_ls *L, int p)
{
    const sl_vrp *v = L->c->v;
    int d = v->jobs[p].partner, r1 = L->route_of[p];
    if (r1 < 0 || L->route_of[d] != r1) return 0;
    int a = L->pos_of[p], b = L->pos_of[d];
    slp_vrp_route *A = &L->R[r1];
    slp_vrp_piece pr[3] = {{r1, 0, a, 0}, {r1, a + 1, b, 0}, {r1, b + 1, A->len, 0}};
    int ok;
    double c1 = slp_vrp_eval_pieces(L, r1, pr, 3, &ok);
    if (!ok) return 0;
    int rb, x, y;
    double inc = slp_vrp_best_pair(L, p, d, r1, &rb, &x, &y);
    if (rb < 0) return 0;
    double delta = c1 - A->cost + inc;
    if (!(delta < -GAIN_EPS)) return 0;
    /* remove from r1, then insert into rb (another route: its positions are unchanged) */
    double old = A->cost, pen = L->c->pen[p] + L->c->pen[d];
    int len1 = build(L, pr, 3, L->tmp);
    L->route_of[p] = L->route_of[d] = -1;
    set_route(L, r1, L->tmp, len1);
    L->cost += c1 - old + pen;
    insert_pair_at(L, rb, p, d, x, y, inc - pen);
    return 1;
}

/* ---- unserved jobs ---- */

static int insert_unserved(slp_vrp_ls *L)
{
    const sl_vrp *v = L->c->v;
    int any = 0;
    for (int u = 0; u < L->c->n && !slp_vrp_ls_expired(L); u++) {
        if (L->route_of[u] >= 0) continue;
        const sl_vrp_job *J = &v->jobs[u];
        if (J->kind == SL_VRP_SHIP_DELIVERY) continue; /* with its pickup */
        if (J->kind == SL_VRP_SHIP_PICKUP) {
            int d = J->partner, r, x, y;
            if (L->route_of[d] >= 0) continue;
            double inc = slp_vrp_best_pair(L, u, d, -1, &r, &x, &y);
            double pen = L->c->pen[u] + L->c->pen[d];
            if (r >= 0 && inc < pen - GAIN_EPS) {
                insert_pair_at(L, r, u, d, x, y, inc - pen);
                any = 1;
            }
            continue;
        }
        int r, q;
        double inc = slp_vrp_best_single(L, u, &r, &q);
        if (r >= 0 && inc < L->c->pen[u] - GAIN_EPS) {
            slp_vrp_route *B = &L->R[r];
            slp_vrp_piece pc[3] = {{r, 0, q, 0}, {-1, u, 0, 0}, {r, q, B->len, 0}};
            apply2(L, r, pc, 3, -1, NULL, 0, inc - L->c->pen[u]);
            any = 1;
        }
    }
    return any;
}

void slp_vrp_ls_insert_unserved(slp_vrp_ls *L) { insert_unserved(L); }

int slp_vrp_ls_insert_job(slp_vrp_ls *L, int u, int used_only)
{
    const sl_vrp_job *J = &L->c->v->jobs[u];
    int r, x, y, done = 0;
    L->used_only = used_only;
    if (J->kind == SL_VRP_SHIP_PICKUP) {
        double inc = slp_vrp_best_pair(L, u, J->partner, -1, &r, &x, &y);
        if (r >= 0) {
            insert_pair_at(L, r, u, J->partner, x, y, inc - L->c->pen[u] - L->c->pen[J->partner]);
            done = 1;
        }
    } else if (J->kind != SL_VRP_SHIP_DELIVERY) {
        double inc = slp_vrp_best_single(L, u, &r, &x);
        if (r >= 0) {
            slp_vrp_route *B = &L->R[r];
            slp_vrp_piece pc[3] = {{r, 0, x, 0}, {-1, u, 0, 0}, {r, x, B->len, 0}};
            apply2(L, r, pc, 3, -1, NULL, 0, inc - L->c->pen[u]);
            done = 1;
        }
    }
    L->used_only = 0;
    return done;
}

int slp_vrp_ls_insert_blink(slp_vrp_ls *L, int u, int used_only, sl_rng *rng, double blink)
{
    const sl_vrp_job *J = &L->c->v->jobs[u];
    if (J->partner >= 0) return slp_vrp_ls_insert_job(L, u, used_only); /* shipments: as pairs */
    int r, q, e;
    L->used_only = used_only;
    double inc = slp_vrp_best_single_blink(L, u, rng, blink, &r, &q, &e);
    L->used_only = 0;
    if (r < 0) return 0;
    slp_vrp_route *B = &L->R[r];
    slp_vrp_piece pc[3] = {{r, 0, q, 0}, {-1, u, 0, 0}, {r, q, B->len, 0}};
    if (e == r) {
        apply2(L, r, pc, 3, -1, NULL, 0, inc - L->c->pen[u]);
    } else { /* the route, with the job, moves to the empty vehicle e of another type */
        apply2(L, e, pc, 3, r, NULL, 0, inc - L->c->pen[u]);
        L->retyped++;
    }
    return 1;
}

void slp_vrp_ls_set_route(slp_vrp_ls *L, int r, const int *jobs, int len)
{
    for (int k = 0; k < L->R[r].len; k++) L->route_of[L->R[r].jobs[k]] = -1;
    set_route(L, r, jobs, len);
    slp_vrp_ls_recompute(L);
    after_move(L);
}

void slp_vrp_ls_perturb(slp_vrp_ls *L, sl_rng *rng, int count)
{
    const slp_vrp_ctx *c = L->c;
    if (c->k == 0 || c->n < 2) return;
    L->accept_any = 1;
    for (int t = 0; t < count; t++) {
        int u = (int)sl_rng_below(rng, (uint32_t)c->n);
        int w = c->cand[(size_t)u * c->k + sl_rng_below(rng, (uint32_t)c->k)];
        if (L->route_of[u] < 0 || L->route_of[w] < 0) continue;
        switch (sl_rng_below(rng, 3)) {
        case 0: try_relocate(L, u, w); break;
        case 1: try_exchange(L, u, w); break;
        default: try_2opt_star(L, u, w); break;
        }
    }
    L->accept_any = 0;
}

/* ---- a route to a vehicle of another type ---- */

static int try_vehicle(slp_vrp_ls *L, int r)
{
    const sl_vrp *v = L->c->v;
    slp_vrp_route *A = &L->R[r];
    if (A->len == 0 || v->ntypes < 2) return 0;
    for (int q = 0; q < v->nveh; q += v->types[v->vehicle_type[q]].count) {
        if (v->vehicle_type[q] == v->vehicle_type[r]) continue;
        int e = slp_vrp_first_empty(L, q);
        if (e < 0) continue;
        slp_vrp_piece p2[1] = {{r, 0, A->len, 0}};
        int ok;
        double c2 = slp_vrp_eval_pieces(L, e, p2, 1, &ok);
        double delta = c2 - A->cost;
        if (ok && delta < -GAIN_EPS) {
            int len = build(L, p2, 1, L->tmp2);
            int *keep = malloc(((size_t)len + 1) * sizeof(int));
            if (!keep) return 0;
            memcpy(keep, L->tmp2, (size_t)len * sizeof(int));
            set_route(L, r, NULL, 0);
            set_route(L, e, keep, len);
            free(keep);
            L->cost += delta;
            after_move(L);
            return 1;
        }
    }
    return 0;
}

void slp_vrp_ls_run(slp_vrp_ls *L)
{
    const sl_vrp *v = L->c->v;
    insert_unserved(L);
    for (int pass = 0; pass < 100000 && !slp_vrp_ls_expired(L); pass++) {
        int improved = 0;
        for (int u = 0; u < L->c->n && !slp_vrp_ls_expired(L); u++)
            while (L->route_of[u] >= 0 && try_job(L, u)) {
                improved = 1;
                if (slp_vrp_ls_expired(L)) break;
            }
        if (v->has_pairs)
            for (int p = 0; p < L->c->n && !slp_vrp_ls_expired(L); p++)
                if (v->jobs[p].kind == SL_VRP_SHIP_PICKUP && try_pair(L, p)) improved = 1;
        for (int r = 0; r < L->c->nveh && !slp_vrp_ls_expired(L); r++)
            if (try_vehicle(L, r)) improved = 1;
        if (insert_unserved(L)) improved = 1;
        if (!improved) break;
    }
    slp_vrp_ls_recompute(L);
}

/* ---- ruin ---- */

static int route_feasible(slp_vrp_ls *L, int r)
{
    const slp_vrp_ctx *c = L->c;
    slp_vrp_route *A = &L->R[r];
    if (A->len == 0) return 1;
    sl_vrp_seg s;
    sl_vrp_seg_cat(c->v, c->speed[r], &A->fw[A->len], &c->dend[r], &s);
    int ok;
    if (s.multi) slp_vrp_sim_cost(c, r, A->jobs, A->len, &ok);
    else slp_vrp_seg_cost(c, r, &s, &ok);
    return ok;
}

/* A route that would break a constraint without the jobs (with several windows a job may then
 * be reached in an earlier window, or the matrix breaks the triangle inequality) keeps them. */
static void remove_jobs(slp_vrp_ls *L, const char *gone)
{
    for (int r = 0; r < L->c->nveh; r++) {
        slp_vrp_route *A = &L->R[r];
        int m = 0, hit = 0, len = A->len;
        for (int k = 0; k < len; k++) {
            L->tmp2[k] = A->jobs[k];
            if (gone[A->jobs[k]]) {
                L->route_of[A->jobs[k]] = -1;
                hit = 1;
            } else {
                L->tmp[m++] = A->jobs[k];
            }
        }
        if (!hit) continue;
        set_route(L, r, L->tmp, m);
        if (!route_feasible(L, r)) set_route(L, r, L->tmp2, len);
    }
    slp_vrp_ls_recompute(L);
}

void slp_vrp_ls_ruin(slp_vrp_ls *L, sl_rng *rng, int seed, int count)
{
    const slp_vrp_ctx *c = L->c;
    int served = c->n - slp_vrp_ls_unserved(L);
    if (served == 0 || count <= 0) return;
    char *gone = calloc((size_t)c->n + 1, 1);
    if (!gone) return;
    if (seed < 0) {
        int pick = (int)sl_rng_below(rng, (uint32_t)served);
        for (int j = 0; j < c->n; j++)
            if (L->route_of[j] >= 0 && pick-- == 0) {
                seed = j;
                break;
            }
    }
    int removed = 0;
    const int *nb = c->cand + (size_t)seed * c->k;
    for (int t = -1; t < c->k && removed < count; t++) {
        int j = t < 0 ? seed : nb[t];
        if (L->route_of[j] < 0 || gone[j]) continue;
        gone[j] = 1;
        removed++;
        int p = c->v->jobs[j].partner;
        if (p >= 0 && !gone[p]) gone[p] = 1, removed++;
    }
    remove_jobs(L, gone);
    free(gone);
}

void slp_vrp_ls_remove(slp_vrp_ls *L, const char *gone) { remove_jobs(L, gone); }

void slp_vrp_ls_clear_route(slp_vrp_ls *L, int r)
{
    for (int k = 0; k < L->R[r].len; k++) L->route_of[L->R[r].jobs[k]] = -1;
    set_route(L, r, NULL, 0);
    slp_vrp_ls_recompute(L);
}
