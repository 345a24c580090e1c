/* colony.c - the ant colony: parameters, construction, local search, pheromone update, stopping. */
#include "aco_clock.h"
#include "swarmlab/aco.h"
#include "aco_view.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The CVRP kicks' annealing: the temperature falls geometrically with the run's progress from
 * `anneal` mean edge lengths of the best-so-far to KICK_T_END times that (see kick_walk). */
#define KICK_T_END 0.01

typedef struct ant {
    int *seq;
    int len;
    long long cost;
    char pad[40];                 /* one cache line per ant: ants are written by many threads */
} ant;

typedef struct scratch {          /* one per thread; never influences results */
    char *visited;
    double *w;
    sl_tsp_ls *tls;
    sl_cvrp_ls *cls;
    sl_routes routes;
    char pad[64];                 /* keeps threads' scratch off each other's cache lines */
} scratch;

struct sl_aco {
    const sl_instance *in;
    sl_aco_def p;
    int n, cvrp, k, kls;          /* k: construction list length, kls: local search */
    int *cand;                    /* n * kmax nearest neighbours */
    int kmax;
    double *tau;                  /* n * n */
    double *heur_nn, *total_nn;   /* n * k: eta^beta (times savings^gamma), tau^alpha * that */
    double tau0, tau_min, tau_max;
    ant *ants;
    int *order;                   /* ants sorted by cost */
    scratch *scr;
    int nthreads;
    int *best_seq, best_len;
    long long best_cost, restart_best_cost;
    int *restart_seq, restart_len;
    sl_cvrp_rr *rr;               /* CVRP kicks: ruin and recreate (serial, after the ants) */
    sl_routes walk;               /* the kicks' current solution (empty until the first kick) */
    long long walk_cost;
    long long iter, restart_iter, restart_found_iter, found_iter;
    int u_gb;
    double t_start_wall, t_start_cpu, time_best, cpu_best;
    sl_aco_record *hist;
    int nhist, cap_hist;
    int trivial, done;
    /* ACS: the ants walk in lock-step (see construct_acs) */
    char *acs_visited;           /* ants * n */
    sl_rng *acs_rng;
    int *acs_cur;
    long long *acs_load;
    int *acs_left;
};


/* ---- parameters ---- */

sl_aco_def sl_aco_def_default(void)
{
    sl_aco_def d;
    sl_aco_def *p = &d;
    memset(p, 0, sizeof *p);
    p->variant = SL_ACO_MMAS;
    p->ants = -1;
    p->alpha = p->beta = p->rho = p->q0 = p->xi = p->pbest = p->gamma = -1.0;
    p->ranks = -1;
    p->nn_ants = p->nn_ls = -1;
    p->ls = SL_LS_NONE;
    p->ls_ants = 0;
    p->kicks = -1;
    p->anneal = -1.0;
    p->iterations = 0;
    p->wall_time = p->cpu_time = 0.0;
    p->target = -1;
    p->threads = 1;
    p->seed = 1;
    return d;
}

int sl_aco_variant_parse(const char *s)
{
    static const char *names[] = {"as", "acs", "mmas", "ras"};
    for (int i = 0; i < 4; i++)
        if (strcmp(s, names[i]) == 0) return i;
    return -1;
}

const char *sl_aco_variant_name(sl_aco_variant v)
{
    static const char *names[] = {"as", "acs", "mmas", "ras"};
    return (unsigned)v < 4 ? names[v] : "?";
}

/* Published defaults (Dorigo & Stuetzle 2004; with local search as in ACOTSP 1.03). */
static void fill_defaults(sl_aco_def *p, int n, int cvrp)
{
    int ls = p->ls != SL_LS_NONE;
    int m;
    double rho;
    switch (p->variant) {
    case SL_ACO_ACS: m = 10; rho = 0.1; break;
    case SL_ACO_MMAS: m = ls ? 25 : n; rho = ls ? 0.2 : 0.02; break;
    case SL_ACO_RAS: m = ls ? 25 : n; rho = 0.1; break;
    default: m = ls ? 25 : n; rho = 0.5; break;
    }
    /* a CVRP with local search spends most of its time on the kicks: few ants, many kicks */
    if (cvrp && ls && p->variant != SL_ACO_ACS) m = 5;
    if (p->ants <= 0) p->ants = m;
    if (p->rho < 0) p->rho = rho;
    if (p->alpha < 0) p->alpha = 1.0;
    if (p->beta < 0) p->beta = 2.0;
    if (p->q0 < 0) p->q0 = p->variant == SL_ACO_ACS ? (ls ? 0.98 : 0.9) : 0.0;
    if (p->xi < 0) p->xi = 0.1;
    if (p->ranks <= 0) p->ranks = 6;
    if (p->pbest < 0) p->pbest = 0.05;
    if (p->gamma < 0) p->gamma = 1.0;
    if (p->nn_ants <= 0) p->nn_ants = 20;
    if (p->nn_ls <= 0) p->nn_ls = 20;
    if (p->threads < 1) p->threads = 1;
    if (p->kicks < 0) p->kicks = 1000;
    if (p->anneal < 0) p->anneal = 1.5;
}

static sl_status check_params(const sl_aco_def *p, sl_error *e)
{
#define BAD(cond, ...) if (cond) return sl_error_set(e, SL_ERR_RANGE, __VA_ARGS__)
    BAD((unsigned)p->variant > SL_ACO_RAS, "variant must be as, acs, mmas or ras");
    BAD(p->ants < 1 || p->ants > 100000, "ants must be in 1..100000 (got %d)", p->ants);
    BAD(!(p->alpha >= 0 && p->alpha <= 20), "alpha must be in [0, 20] (got %g)", p->alpha);
    BAD(!(p->beta >= 0 && p->beta <= 20), "beta must be in [0, 20] (got %g)", p->beta);
    BAD(!(p->rho > 0 && p->rho <= 1), "rho must be in (0, 1] (got %g)", p->rho);
    BAD(!(p->q0 >= 0 && p->q0 <= 1), "q0 must be in [0, 1] (got %g)", p->q0);
    BAD(!(p->xi > 0 && p->xi <= 1), "xi must be in (0, 1] (got %g)", p->xi);
    BAD(!(p->pbest > 0 && p->pbest < 1), "pbest must be in (0, 1) (got %g)", p->pbest);
    BAD(!(p->gamma >= 0 && p->gamma <= 20), "gamma must be in [0, 20] (got %g)", p->gamma);
    BAD(p->ranks < 2 || p->ranks > 1000, "ranks must be in 2..1000 (got %d)", p->ranks);
    BAD((unsigned)p->ls > SL_LS_3OPT, "unknown local search");
    BAD(p->ls_ants < 0, "ls_ants must be >= 0");
    BAD(p->kicks > 100000, "kicks must be in 0..100000 (got %d)", p->kicks);
    BAD(!(p->anneal >= 0 && p->anneal <= 100), "anneal must be in [0, 100] (got %g)", p->anneal);
    BAD(p->iterations < 0, "iterations must be >= 0");
    BAD(!(p->wall_time >= 0) || !isfinite(p->wall_time), "time must be a number >= 0");
    BAD(!(p->cpu_time >= 0) || !isfinite(p->cpu_time), "cpu_time must be a number >= 0");
    BAD(p->threads > 1024, "threads must be in 1..1024");
    BAD(p->iterations == 0 && p->wall_time == 0 && p->cpu_time == 0,
        "no stopping criterion: set iterations, time or cpu_time");
#undef BAD
    return SL_OK;
}

/* ---- helpers ---- */

static inline double powx(double x, double e)
{
    if (e == 1.0) return x;
    if (e == 2.0) return x * x;
    if (e == 0.0) return 1.0;
    return pow(x, e);
}

static double heuristic(const sl_aco *c, int i, int j)
{
    const sl_instance *in = c->in;
    double h = powx(1.0 / ((double)sl_dist(in, i, j) + 0.1), c->p.beta);
    if (c->cvrp && i != in->depot && j != in->depot) {
        double s = (double)sl_dist(in, i, in->depot) + sl_dist(in, in->depot, j) - sl_dist(in, i, j);
        if (s < 0) s = 0;
        h *= powx(1.0 + s, c->p.gamma);
    }
    return h;
}

static inline double *tau_at(sl_aco *c, int i, int j)
{
    return &c->tau[(size_t)i * (size_t)c->n + (size_t)j];
}

static void deposit(sl_aco *c, const int *seq, int len, double amount)
{
    for (int i = 0; i < len; i++) {
        int a = seq[i], b = seq[i + 1 == len ? 0 : i + 1];
        if (a == b) continue;
        *tau_at(c, a, b) += amount;
        *tau_at(c, b, a) = *tau_at(c, a, b);
    }
}

static void compute_total(sl_aco *c)
{
    int n = c->n, k = c->k, kmax = c->kmax;
    #pragma omp parallel for num_threads(c->nthreads) schedule(static)
    for (int i = 0; i < n; i++)
        for (int q = 0; q < k; q++) {
            int j = c->cand[(size_t)i * kmax + q];
            c->total_nn[(size_t)i * k + q] = powx(*tau_at(c, i, j), c->p.alpha) *
                                             c->heur_nn[(size_t)i * k + q];
        }
}

/* Nearest-neighbour solution (greedy, capacity-aware for the CVRP) from node 0 / the depot. */
static long long greedy_cost(sl_aco *c, int *seq, int *len)
{
    const sl_instance *in = c->in;
    int n = c->n;
    char *vis = c->scr[0].visited;
    memset(vis, 0, (size_t)n);
    int cur = c->cvrp ? in->depot : 0, m = 0, left = n - 1;
    long long load = 0;
    vis[cur] = 1;
    seq[m++] = cur;
    while (left > 0) {
        int best = -1;
        for (int j = 0; j < n; j++) {
            if (vis[j]) continue;
            if (c->cvrp && load + in->demand[j] > in->capacity) continue;
            if (best < 0 || sl_dist(in, cur, j) < sl_dist(in, cur, best)) best = j;
        }
        if (best < 0) { cur = in->depot; load = 0; seq[m++] = cur; continue; }
        vis[best] = 1;
        seq[m++] = best;
        cur = best;
        if (c->cvrp) load += in->demand[best];
        left--;
    }
    *len = m;
    long long s = 0;
    for (int i = 0; i < m; i++) s += sl_dist(in, seq[i], seq[(i + 1) % m]);
    return s;
}

static void trivial_solution(sl_aco *c)
{
    /* n <= 3 (TSP): every tour is optimal. CVRP without customers: cost 0. */
    int m = 0;
    if (c->cvrp) {
        c->best_seq[m++] = c->in->depot;
        for (int i = 0; i < c->n; i++)
            if (i != c->in->depot) { c->best_seq[m++] = i; c->best_seq[m++] = c->in->depot; }
        if (m > 1) m--;
    } else {
        for (int i = 0; i < c->n; i++) c->best_seq[m++] = i;
    }
    c->best_len = m;
    long long s = 0;
    for (int i = 0; i < m; i++) s += sl_dist(c->in, c->best_seq[i], c->best_seq[(i + 1) % m]);
    c->best_cost = s;
}

/* ---- lifecycle ---- */

void sl_aco_destroy(sl_aco *c)
{
    if (!c) return;
    if (c->ants)
        for (int a = 0; a < c->p.ants; a++) free(c->ants[a].seq);
    free(c->ants);
    if (c->scr)
        for (int t = 0; t < c->nthreads; t++) {
            free(c->scr[t].visited);
            free(c->scr[t].w);
            sl_tsp_ls_destroy(c->scr[t].tls);
            sl_cvrp_ls_destroy(c->scr[t].cls);
            sl_routes_release(&c->scr[t].routes);
        }
    free(c->scr);
    free(c->order);
    free(c->cand);
    free(c->tau);
    free(c->heur_nn);
    free(c->total_nn);
    free(c->best_seq);
    free(c->restart_seq);
    free(c->hist);
    sl_cvrp_rr_destroy(c->rr);
    sl_routes_release(&c->walk);
    free(c->acs_visited);
    free(c->acs_rng);
    free(c->acs_cur);
    free(c->acs_load);
    free(c->acs_left);
    free(c);
}

sl_aco *sl_aco_create(const sl_instance *in, const sl_aco_def *params, sl_error *e)
{
    sl_aco_def p = *params;
    fill_defaults(&p, in->n, in->problem == SL_PROB_CVRP);
    if (check_params(&p, e) != SL_OK) return NULL;
    if (in->n > SL_ACO_MAX_NODES) {
        sl_error_set(e, SL_ERR_RANGE, "%s: %d nodes exceed the colony limit of %d (dense "
                     "pheromone matrix)", in->name, in->n, SL_ACO_MAX_NODES);
        return NULL;
    }
    sl_aco *c = calloc(1, sizeof *c);
    if (!c) { sl_error_set(e, SL_ERR_NOMEM, "out of memory"); return NULL; }
    c->in = in;
    c->p = p;
    c->n = in->n;
    c->cvrp = in->problem == SL_PROB_CVRP;
    c->nthreads = p.threads;
    c->t_start_wall = slp_aco_wall_now();
    c->t_start_cpu = slp_aco_cpu_now();
    int n = c->n, seqcap = c->cvrp ? 2 * n + 1 : n;
    c->best_seq = malloc((size_t)seqcap * sizeof(int));
    c->restart_seq = malloc((size_t)seqcap * sizeof(int));
    c->scr = calloc((size_t)c->nthreads, sizeof *c->scr);
    sl_routes_init(&c->walk);
    if (!c->best_seq || !c->restart_seq || !c->scr) goto oom;
    c->trivial = c->cvrp ? n <= 2 : n <= 3;
    if (c->trivial) {
        trivial_solution(c);
        c->done = 1;
        return c;
    }
    c->k = p.nn_ants < n - 1 ? p.nn_ants : n - 1;
    c->kls = p.nn_ls < n - 1 ? p.nn_ls : n - 1;
    c->kmax = c->k > c->kls ? c->k : c->kls;
    c->cand = sl_candidates_build(in, c->kmax, c->nthreads);
    c->tau = malloc((size_t)n * (size_t)n * sizeof *c->tau);
    c->heur_nn = malloc((size_t)n * (size_t)c->k * sizeof *c->heur_nn);
    c->total_nn = malloc((size_t)n * (size_t)c->k * sizeof *c->total_nn);
    c->ants = calloc((size_t)p.ants, sizeof *c->ants);
    c->order = malloc((size_t)p.ants * sizeof *c->order);
    if (!c->cand || !c->tau || !c->heur_nn || !c->total_nn || !c->ants || !c->order) goto oom;
    for (int a = 0; a < p.ants; a++)
        if (!(c->ants[a].seq = malloc((size_t)seqcap * sizeof(int)))) goto oom;
    if (p.variant == SL_ACO_ACS) {
        c->acs_visited = malloc((size_t)p.ants * (size_t)n);
        c->acs_rng = malloc((size_t)p.ants * sizeof *c->acs_rng);
        c->acs_cur = malloc((size_t)p.ants * sizeof *c->acs_cur);
        c->acs_load = malloc((size_t)p.ants * sizeof *c->acs_load);
        c->acs_left = malloc((size_t)p.ants * sizeof *c->acs_left);
        if (!c->acs_visited || !c->acs_rng || !c->acs_cur || !c->acs_load || !c->acs_left)
            goto oom;
    }
    for (int t = 0; t < c->nthreads; t++) {
        scratch *s = &c->scr[t];
        s->visited = malloc((size_t)n);
        s->w = malloc((size_t)c->k * sizeof *s->w);
        sl_routes_init(&s->routes);
        if (!s->visited || !s->w) goto oom;
        if (p.ls != SL_LS_NONE) {
            if (c->cvrp) s->cls = sl_cvrp_ls_create(in, c->cand, c->kmax);
            else s->tls = sl_tsp_ls_create(in, c->cand, c->kmax);
            if (!s->cls && !s->tls) goto oom;
        }
    }
    if (c->cvrp && p.ls != SL_LS_NONE && p.kicks > 0 && !(c->rr = sl_cvrp_rr_create(in, NULL)))
        goto oom;
    for (int i = 0; i < n; i++)
        for (int q = 0; q < c->k; q++)
            c->heur_nn[(size_t)i * c->k + q] = heuristic(c, i, c->cand[(size_t)i * c->kmax + q]);
    /* initial trail from the greedy solution's cost */
    long long cnn = greedy_cost(c, c->best_seq, &c->best_len);
    if (cnn <= 0) cnn = 1;
    c->best_cost = cnn;    /* the greedy solution is the first best-so-far */
    c->time_best = 0.0;
    double m = p.ants;
    switch (p.variant) {
    case SL_ACO_AS: c->tau0 = m / (double)cnn; break;
    case SL_ACO_ACS: c->tau0 = 1.0 / ((double)n * (double)cnn); break;
    case SL_ACO_RAS: c->tau0 = 0.5 * p.ranks * (p.ranks - 1) / (p.rho * (double)cnn); break;
    case SL_ACO_MMAS: c->tau0 = 1.0 / (p.rho * (double)cnn); break;
    }
    c->tau_max = c->tau0;
    c->tau_min = 0.0;
    for (size_t i = 0; i < (size_t)n * (size_t)n; i++) c->tau[i] = c->tau0;
    c->restart_best_cost = -1;
    c->u_gb = 25;
    compute_total(c);
    return c;
oom:
    sl_aco_destroy(c);
    sl_error_set(e, SL_ERR_NOMEM, "out of memory building the colony for %s", in->name);
    return NULL;
}

/* ---- construction ---- */

/* Chooses the next node from `cur`; returns -1 when no feasible node is left (CVRP: go home). */
static int choose_next(sl_aco *c, scratch *s, sl_rng *r, int cur, long long load)
{
    const sl_instance *in = c->in;
    const int *cl = c->cand + (size_t)cur * c->kmax;
    const double *tot = c->total_nn + (size_t)cur * c->k;
    int k = c->k;
    double sum = 0.0;
    int best_q = -1;
    for (int q = 0; q < k; q++) {
        int j = cl[q];
        double w = 0.0;
        if (!s->visited[j] && !(c->cvrp && load + in->demand[j] > in->capacity)) {
            w = tot[q];
            if (best_q < 0 || w > s->w[best_q]) best_q = q;
        }
        s->w[q] = w;
        sum += w;
    }
    double q0draw = c->p.q0 > 0 ? sl_rng_uniform(r) : 1.0;
    if (best_q >= 0 && q0draw < c->p.q0) return cl[best_q];
    if (sum > 0.0) {
        double u = sl_rng_uniform(r) * sum, acc = 0.0;
        int last = -1;
        for (int q = 0; q < k; q++) {
            if (s->w[q] <= 0) continue;
            last = q;
            acc += s->w[q];
            if (u < acc) return cl[q];
        }
        return cl[last];
    }
    if (best_q >= 0) return cl[best_q]; /* feasible candidates, all with zero weight */
    /* every candidate is used or infeasible: the best of all remaining nodes */
    int best = -1;
    double bw = -1.0;
    for (int j = 0; j < c->n; j++) {
        if (s->visited[j] || (c->cvrp && load + in->demand[j] > in->capacity)) continue;
        double w = powx(*tau_at(c, cur, j), c->p.alpha) * heuristic(c, cur, j);
        if (w > bw) { bw = w; best = j; }
    }
    return best;
}

static void construct(sl_aco *c, scratch *s, int a)
{
    const sl_instance *in = c->in;
    ant *an = &c->ants[a];
    sl_rng r = sl_rng_make(c->p.seed, SL_ACO_STREAM, (uint64_t)a, (uint64_t)c->iter);
    int n = c->n, m = 0;
    memset(s->visited, 0, (size_t)n);
    if (c->cvrp) {
        int dep = in->depot, cur = dep, left = n - 1;
        long long load = 0;
        s->visited[dep] = 1;
        an->seq[m++] = dep;
        while (left > 0) {
            int nx = choose_next(c, s, &r, cur, load);
            if (nx < 0 || nx == dep) {
                cur = dep;
                load = 0;
                an->seq[m++] = dep;
                continue;
            }
            s->visited[nx] = 1;
            an->seq[m++] = nx;
            load += in->demand[nx];
            cur = nx;
            left--;
        }
    } else {
        int cur = (int)sl_rng_below(&r, (uint32_t)n);
        s->visited[cur] = 1;
        an->seq[m++] = cur;
        for (int step = 1; step < n; step++) {
            int nx = choose_next(c, s, &r, cur, 0);
            s->visited[nx] = 1;
            an->seq[m++] = nx;
            cur = nx;
        }
    }
    an->len = m;
}

/* ACS local update on edge (u, v), keeping the candidate-list products in step. */
static void acs_local_update(sl_aco *c, int u, int v)
{
    if (u == v) return;
    double t = (1.0 - c->p.xi) * *tau_at(c, u, v) + c->p.xi * c->tau0;
    *tau_at(c, u, v) = t;
    *tau_at(c, v, u) = t;
    for (int side = 0; side < 2; side++) {
        int a = side ? v : u, b = side ? u : v;
        const int *cl = c->cand + (size_t)a * c->kmax;
        for (int q = 0; q < c->k; q++)
            if (cl[q] == b) {
                c->total_nn[(size_t)a * c->k + q] = powx(t, c->p.alpha) *
                                                    c->heur_nn[(size_t)a * c->k + q];
                break;
            }
    }
}

/* ACS construction: the ants move in lock-step, one step each in ant order, and each move's local
 * pheromone update is applied at once, as in the original ACS. Each ant keeps its own random
 * stream (seed, ant, iteration); serial, since the steps are too short to share out. */
static void construct_acs(sl_aco *c)
{
    const sl_instance *in = c->in;
    int n = c->n, m = c->p.ants, dep = in->depot;
    scratch view = c->scr[0];
    for (int a = 0; a < m; a++) {
        ant *an = &c->ants[a];
        char *vis = c->acs_visited + (size_t)a * n;
        memset(vis, 0, (size_t)n);
        c->acs_rng[a] = sl_rng_make(c->p.seed, SL_ACO_STREAM, (uint64_t)a, (uint64_t)c->iter);
        int start = c->cvrp ? dep : (int)sl_rng_below(&c->acs_rng[a], (uint32_t)n);
        vis[start] = 1;
        an->seq[0] = start;
        an->len = 1;
        c->acs_cur[a] = start;
        c->acs_load[a] = 0;
        c->acs_left[a] = n - 1;
    }
    for (int active = 1; active;) {
        active = 0;
        for (int a = 0; a < m; a++) {
            if (c->acs_left[a] == 0) continue;
            ant *an = &c->ants[a];
            view.visited = c->acs_visited + (size_t)a * n;
            int cur = c->acs_cur[a];
            int nx = choose_next(c, &view, &c->acs_rng[a], cur, c->acs_load[a]);
            if (c->cvrp && (nx < 0 || nx == dep)) {
                nx = dep;
                c->acs_load[a] = 0;
            } else {
                view.visited[nx] = 1;
                c->acs_left[a]--;
                if (c->cvrp) c->acs_load[a] += in->demand[nx];
            }
            an->seq[an->len++] = nx;
            c->acs_cur[a] = nx;
            acs_local_update(c, cur, nx); /* seen by the ants after this one */
            active = 1;
        }
        if (!active) break;
    }
    for (int a = 0; a < m; a++) { /* closing edges */
        const ant *an = &c->ants[a];
        acs_local_update(c, an->seq[an->len - 1], an->seq[0]);
    }
}

static long long seq_cost(const sl_aco *c, const int *seq, int len)
{
    long long s = 0;
    for (int i = 0; i < len; i++) s += sl_dist(c->in, seq[i], seq[i + 1 == len ? 0 : i + 1]);
    return s;
}

static void improve(sl_aco *c, scratch *s, ant *an)
{
    if (!c->cvrp) {
        sl_tsp_ls_run(s->tls, c->p.ls, an->seq, 0);
        return;
    }
    if (sl_routes_from_sequence(&s->routes, c->in, an->seq, an->len) != SL_OK) return;
    sl_cvrp_ls_run(s->cls, &s->routes, 0);
    int m = 0, dep = c->in->depot;
    for (int rr = 0; rr < s->routes.nroutes; rr++) {
        an->seq[m++] = dep;
        for (int i = s->routes.start[rr]; i < s->routes.start[rr + 1]; i++)
            an->seq[m++] = s->routes.nodes[i];
    }
    an->len = m;
}

static int by_cost(const void *x, const void *y, void *ctx)
{
    const ant *ants = ctx;
    int a = *(const int *)x, b = *(const int *)y;
    if (ants[a].cost != ants[b].cost) return ants[a].cost < ants[b].cost ? -1 : 1;
    return a - b;
}

/* Insertion sort by (cost, index): deterministic and fine for colony sizes. */
static void sort_ants(sl_aco *c)
{
    int m = c->p.ants;
    for (int i = 0; i < m; i++) c->order[i] = i;
    for (int i = 1; i < m; i++) {
        int x = c->order[i], j = i - 1;
        while (j >= 0 && by_cost(&c->order[j], &x, c->ants) > 0) {
            c->order[j + 1] = c->order[j];
            j--;
        }
        c->order[j + 1] = x;
    }
}

/* ---- pheromone update ---- */

static void evaporate(sl_aco *c, double keep)
{
    size_t nn = (size_t)c->n * (size_t)c->n;
    #pragma omp parallel for num_threads(c->nthreads) schedule(static)
    for (long long i = 0; i < (long long)nn; i++) c->tau[i] *= keep;
}

static void clamp_trails(sl_aco *c)
{
    size_t nn = (size_t)c->n * (size_t)c->n;
    double lo = c->tau_min, hi = c->tau_max;
    #pragma omp parallel for num_threads(c->nthreads) schedule(static)
    for (long long i = 0; i < (long long)nn; i++) {
        double v = c->tau[i];
        c->tau[i] = v < lo ? lo : (v > hi ? hi : v);
    }
}

static void mmas_limits(sl_aco *c)
{
    c->tau_max = 1.0 / (c->p.rho * (double)c->best_cost);
    if (c->p.ls != SL_LS_NONE) {
        c->tau_min = c->tau_max / (2.0 * c->n);
    } else {
        double pr = pow(c->p.pbest, 1.0 / c->n), avg = c->n / 2.0;
        c->tau_min = c->tau_max * (1.0 - pr) / ((avg - 1.0) * pr);
        if (c->tau_min > c->tau_max) c->tau_min = c->tau_max;
    }
}

static double branching_factor(const sl_aco *c)
{
    const double lambda = 0.05;
    double total = 0.0;
    for (int i = 0; i < c->n; i++) {
        const int *cl = c->cand + (size_t)i * c->kmax;
        double lo = 1e300, hi = -1e300;
        for (int q = 0; q < c->k; q++) {
            double v = c->tau[(size_t)i * c->n + cl[q]];
            if (v < lo) lo = v;
            if (v > hi) hi = v;
        }
        double cut = lo + lambda * (hi - lo);
        for (int q = 0; q < c->k; q++)
            if (c->tau[(size_t)i * c->n + cl[q]] >= cut) total += 1.0;
    }
    return total / (2.0 * c->n);
}

static void update_pheromone(sl_aco *c, const ant *ib)
{
    sl_aco_def *p = &c->p;
    switch (p->variant) {
    case SL_ACO_AS:
        evaporate(c, 1.0 - p->rho);
        for (int a = 0; a < p->ants; a++)
            deposit(c, c->ants[a].seq, c->ants[a].len, 1.0 / (double)c->ants[a].cost);
        break;
    case SL_ACO_RAS: {
        evaporate(c, 1.0 - p->rho);
        int w = p->ranks;
        for (int r = 0; r < w - 1 && r < p->ants; r++) {
            const ant *an = &c->ants[c->order[r]];
            deposit(c, an->seq, an->len, (double)(w - 1 - r) / (double)an->cost);
        }
        deposit(c, c->best_seq, c->best_len, (double)w / (double)c->best_cost);
        break;
    }
    case SL_ACO_ACS: {
        /* the local updates happened during construction; global update on the best-so-far */
        double add = p->rho / (double)c->best_cost;
        for (int i = 0; i < c->best_len; i++) {
            int u = c->best_seq[i], v = c->best_seq[i + 1 == c->best_len ? 0 : i + 1];
            if (u == v) continue;
            double t = (1.0 - p->rho) * *tau_at(c, u, v) + add;
            *tau_at(c, u, v) = t;
            *tau_at(c, v, u) = t;
        }
        break;
    }
    case SL_ACO_MMAS: {
        evaporate(c, 1.0 - p->rho);
        long long it = c->iter + 1;
        if (it % c->u_gb) {
            deposit(c, ib->seq, ib->len, 1.0 / (double)ib->cost);
        } else if (c->u_gb == 1 && it - c->restart_found_iter > 50) {
            deposit(c, c->best_seq, c->best_len, 1.0 / (double)c->best_cost);
        } else {
            deposit(c, c->restart_seq, c->restart_len, 1.0 / (double)c->restart_best_cost);
        }
        if (p->ls != SL_LS_NONE) {
            long long since = it - c->restart_iter;
            c->u_gb = since < 25 ? 25 : since < 75 ? 5 : since < 125 ? 3 : since < 250 ? 2 : 1;
        } else {
            c->u_gb = 25;
        }
        clamp_trails(c);
        break;
    }
    }
}

/* ---- iteration ---- */

/* Writes route set r as the best-so-far giant tour; found != 0 records it as a new best. */
static void set_best_routes(sl_aco *c, const sl_routes *r, long long cost, int found)
{
    int m = 0, dep = c->in->depot;
    for (int q = 0; q < r->nroutes; q++) {
        c->best_seq[m++] = dep;
        for (int i = r->start[q]; i < r->start[q + 1]; i++) c->best_seq[m++] = r->nodes[i];
    }
    c->best_len = m;
    c->best_cost = cost;
    if (!found) return;
    c->found_iter = c->iter + 1;
    c->time_best = slp_aco_wall_now() - c->t_start_wall;
    c->cpu_best = slp_aco_cpu_now() - c->t_start_cpu;
}

/* How far the run has gone towards its limit, in [0, 1]: the largest of the fractions of the
 * iteration, CPU-time and wall-time limits that are set. An iteration limit alone makes it (and
 * everything that depends on it) reproducible; a time limit makes it depend on the machine. */
static double run_progress(const sl_aco *c)
{
    const sl_aco_def *p = &c->p;
    double f = 0.0;
    if (p->iterations > 0) f = (double)c->iter / (double)p->iterations;
    if (p->cpu_time > 0) {
        double t = (slp_aco_cpu_now() - c->t_start_cpu) / p->cpu_time;
        if (t > f) f = t;
    }
    if (p->wall_time > 0) {
        double t = (slp_aco_wall_now() - c->t_start_wall) / p->wall_time;
        if (t > f) f = t;
    }
    return f < 0.0 ? 0.0 : f > 1.0 ? 1.0 : f;
}

/* CVRP: an annealing walk of ruin-and-recreate kicks. The walk starts from the best-so-far and
 * goes back to it whenever the ants found a better one. Each kick cuts strings of customers out
 * of the walk's current solution and puts them back (sl_cvrp_rr_apply), runs the route local
 * search, and the result replaces the current solution when its cost is below
 * current - T ln(u), u uniform in (0, 1]: worse solutions are taken with a probability that
 * shrinks as T falls with the run's progress (run_progress, read once per iteration) from
 * `anneal` to KICK_T_END x `anneal` mean edge lengths of the best-so-far (anneal = 0: only
 * solutions no worse than the current one). A cheaper solution than the best-so-far becomes
 * the best-so-far. Serial, on thread 0's scratch, random numbers keyed by (seed, kick,
 * iteration): the same for any thread count. Returns 1 when the best-so-far cost fell. */
static int kick_walk(sl_aco *c, int ants_improved)
{
    scratch *s = &c->scr[0];
    const sl_instance *in = c->in;
    int improved = 0;
    if (c->walk.nroutes == 0 || ants_improved) {
        if (sl_routes_from_sequence(&c->walk, in, c->best_seq, c->best_len) != SL_OK) return 0;
        c->walk_cost = c->best_cost;
    }
    double edge = (double)c->best_cost / (double)(c->n - 1 + c->walk.nroutes);
    double t = c->p.anneal * edge * pow(KICK_T_END, run_progress(c));
    for (int r = 0; r < c->p.kicks; r++) {
        sl_rng g = sl_rng_make(c->p.seed, SL_ACO_KICK_STREAM, (uint64_t)r, (uint64_t)c->iter);
        if (sl_cvrp_rr_apply(c->rr, &c->walk, &s->routes, &g) < 0) return improved; /* no memory */
        const int *changed;
        int nchanged = sl_cvrp_rr_last_changed(c->rr, &changed);
        sl_cvrp_ls_run_from(s->cls, &s->routes, changed, nchanged, 0);
        long long cost = sl_routes_cost(in, &s->routes);
        if ((double)cost >= (double)c->walk_cost - t * log(sl_rng_uniform_pos(&g))) continue;
        sl_routes tmp = c->walk;
        c->walk = s->routes;
        s->routes = tmp;
        c->walk_cost = cost;
        if (cost < c->best_cost) {
            set_best_routes(c, &c->walk, cost, 1);
            improved = 1;
        }
    }
    return improved;
}

static void record(sl_aco *c, long long ib_cost, double bf)
{
    if (c->nhist == c->cap_hist) {
        int nc = c->cap_hist ? c->cap_hist * 2 : 256;
        sl_aco_record *nh = realloc(c->hist, (size_t)nc * sizeof *nh);
        if (!nh) return; /* the record is best effort; the search goes on */
        c->hist = nh;
        c->cap_hist = nc;
    }
    sl_aco_record *r = &c->hist[c->nhist++];
    r->iteration = c->iter;
    r->seconds = slp_aco_wall_now() - c->t_start_wall;
    r->best = c->best_cost;
    r->iter_best = ib_cost;
    r->branching = bf;
}

static void check_done(sl_aco *c)
{
    const sl_aco_def *p = &c->p;
    if (p->iterations > 0 && c->iter >= p->iterations) c->done = 1;
    if (p->target >= 0 && c->best_cost <= p->target) c->done = 1;
    if (p->wall_time > 0 && slp_aco_wall_now() - c->t_start_wall >= p->wall_time) c->done = 1;
    if (p->cpu_time > 0 && slp_aco_cpu_now() - c->t_start_cpu >= p->cpu_time) c->done = 1;
}

sl_status sl_aco_step(sl_aco *c, sl_error *e)
{
    (void)e;
    if (c->trivial || c->done) return SL_OK;
    int m = c->p.ants;
    int ls_all = c->p.ls != SL_LS_NONE && (c->p.ls_ants <= 0 || c->p.ls_ants >= m);
    int acs = c->p.variant == SL_ACO_ACS;
    if (acs) construct_acs(c);
    #pragma omp parallel for num_threads(c->nthreads) schedule(dynamic, 1)
    for (int a = 0; a < m; a++) {
        scratch *s = &c->scr[omp_get_thread_num()];
        if (!acs) construct(c, s, a);
        if (ls_all) improve(c, s, &c->ants[a]);
        c->ants[a].cost = seq_cost(c, c->ants[a].seq, c->ants[a].len);
    }
    if (c->p.ls != SL_LS_NONE && !ls_all) { /* only the best ls_ants ants */
        sort_ants(c);
        int lm = c->p.ls_ants;
        #pragma omp parallel for num_threads(c->nthreads) schedule(dynamic, 1)
        for (int r = 0; r < lm; r++) {
            ant *an = &c->ants[c->order[r]];
            improve(c, &c->scr[omp_get_thread_num()], an);
            an->cost = seq_cost(c, an->seq, an->len);
        }
    }
    sort_ants(c);
    const ant *ib = &c->ants[c->order[0]];
    int ants_improved = ib->cost < c->best_cost;
    if (ants_improved) {
        c->best_cost = ib->cost;
        c->best_len = ib->len;
        memcpy(c->best_seq, ib->seq, (size_t)ib->len * sizeof(int));
        c->found_iter = c->iter + 1;
        c->time_best = slp_aco_wall_now() - c->t_start_wall;
        c->cpu_best = slp_aco_cpu_now() - c->t_start_cpu;
        if (c->p.variant == SL_ACO_MMAS) mmas_limits(c);
    }
    if (c->rr && kick_walk(c, ants_improved) && c->p.variant == SL_ACO_MMAS) mmas_limits(c);
    if (c->restart_best_cost < 0 || ib->cost < c->restart_best_cost) {
        c->restart_best_cost = ib->cost;
        c->restart_len = ib->len;
        memcpy(c->restart_seq, ib->seq, (size_t)ib->len * sizeof(int));
        c->restart_found_iter = c->iter + 1;
    }
    if (c->iter == 0 && c->p.variant == SL_ACO_MMAS) mmas_limits(c);
    update_pheromone(c, ib);
    c->iter++;
    double bf = branching_factor(c);
    if (c->p.variant == SL_ACO_MMAS && c->iter % 100 == 0 && bf < 1.00001 &&
        c->iter - c->restart_found_iter > 250) {
        /* stagnation: re-initialise the trails to the upper limit */
        for (size_t i = 0; i < (size_t)c->n * (size_t)c->n; i++) c->tau[i] = c->tau_max;
        c->restart_best_cost = -1;
        c->restart_iter = c->iter;
        c->u_gb = 25;
    }
    compute_total(c);
    record(c, ib->cost, bf);
    check_done(c);
    return SL_OK;
}

bool sl_aco_done(const sl_aco *c) { return c->done; }

sl_status sl_aco_run(sl_aco *c, sl_error *e)
{
    while (!c->done) {
        sl_status st = sl_aco_step(c, e);
        if (st != SL_OK) return st;
    }
    return SL_OK;
}

/* ---- accessors ---- */

const sl_aco_def *sl_aco_def_used(const sl_aco *c) { return &c->p; }
const sl_instance *sl_aco_instance(const sl_aco *c) { return c->in; }
long long sl_aco_iterations(const sl_aco *c) { return c->iter; }
double sl_aco_seconds(const sl_aco *c) { return slp_aco_wall_now() - c->t_start_wall; }
double sl_aco_time_to_best(const sl_aco *c) { return c->time_best; }
double sl_aco_cpu_time_to_best(const sl_aco *c) { return c->cpu_best; }
long long sl_aco_best_cost(const sl_aco *c) { return c->best_cost; }

const int *sl_aco_best_sequence(const sl_aco *c, int *len)
{
    if (len) *len = c->best_len;
    return c->best_seq;
}

sl_status sl_aco_best_routes(const sl_aco *c, sl_routes *r)
{
    return sl_routes_from_sequence(r, c->in, c->best_seq, c->best_len);
}

const double *sl_aco_pheromone(const sl_aco *c) { return c->tau; }

const sl_aco_record *sl_aco_history(const sl_aco *c, int *count)
{
    if (count) *count = c->nhist;
    return c->hist;
}

sl_status sl_aco_write_convergence(const sl_aco *c, const char *path, sl_error *e)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) return sl_error_set(e, SL_ERR_IO, "%s: cannot write", path);
    fprintf(f, "iteration,seconds,best,iteration_best,branching\n");
    for (int i = 0; i < c->nhist; i++) {
        const sl_aco_record *r = &c->hist[i];
        fprintf(f, "%lld,%.6f,%lld,%lld,%.5f\n", r->iteration, r->seconds, r->best, r->iter_best,
                r->branching);
    }
    int bad = ferror(f);
    if (fclose(f) != 0) bad = 1;
    if (bad || rename(tmp, path) != 0) {
        remove(tmp);
        return sl_error_set(e, SL_ERR_IO, "%s: write failed", path);
    }
    return SL_OK;
}

int sl_aco_offer(sl_aco *c, const int *seq, int len)
{
    int n = c->n, cap = c->cvrp ? 2 * n + 1 : n;
    if (c->trivial || !seq || len < 1 || len > cap) return -1;
    char *seen = calloc((size_t)n, 1);
    if (!seen) return -1;
    int bad = 0, visits = 0;
    for (int i = 0; i < len && !bad; i++) {
        int v = seq[i];
        if (v < 0 || v >= n) bad = 1;
        else if (c->cvrp && v == c->in->depot) continue;
        else if (seen[v]) bad = 1;
        else {
            seen[v] = 1;
            visits++;
        }
    }
    free(seen);
    if (bad || visits != (c->cvrp ? n - 1 : n)) return -1;
    if (c->cvrp) {
        sl_routes r;
        sl_routes_init(&r);
        int ok = sl_routes_from_sequence(&r, c->in, seq, len) == SL_OK &&
                 sl_routes_check(c->in, &r, NULL) == SL_OK; /* loads within capacity */
        sl_routes_release(&r);
        if (!ok) return -1;
    }
    long long cost = seq_cost(c, seq, len);
    if (cost >= c->best_cost) return 0;
    c->best_cost = cost;
    c->best_len = len;
    memcpy(c->best_seq, seq, (size_t)len * sizeof(int));
    c->found_iter = c->iter;
    c->time_best = slp_aco_wall_now() - c->t_start_wall;
    c->cpu_best = slp_aco_cpu_now() - c->t_start_cpu;
    if (c->p.variant == SL_ACO_MMAS && c->iter > 0) mmas_limits(c);
    return 1;
}
