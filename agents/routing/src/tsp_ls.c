/* tsp_ls.c - TSP local search on an array tour: 2-opt, Or-opt and sequential 3-opt, each over
 * nearest-neighbour candidate lists with don't-look bits (a FIFO of nodes to re-examine).
 *
 * Every move is carried out as a sequence of 2-opt exchanges (make_2opt), each reversing the
 * shorter side of the tour, so no move costs more than O(n) and the usual cost is far less. */
#include "swarmlab/routing.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

struct sl_tsp_ls {
    const sl_instance *in;
    const int *cand;
    int k, n;
    int *t, *pos;
    int *queue;      /* circular FIFO of nodes whose don't-look bit is off */
    char *inq;
    int qhead, qcount;
    long long moves;
    int check, bad;
    long long cur_len;
};

sl_tsp_ls *sl_tsp_ls_create(const sl_instance *in, const int *cand, int k)
{
    /* cache-line aligned and padded: one object per thread, written in hot loops */
    void *mem = NULL;
    size_t size = (sizeof(*((sl_tsp_ls *)0)) + 63) / 64 * 64;
    if (posix_memalign(&mem, 64, size) != 0) return NULL;
    memset(mem, 0, size);
    sl_tsp_ls *ls = mem;
    ls->in = in;
    ls->cand = cand;
    ls->k = k;
    ls->n = in->n;
    ls->pos = malloc((size_t)in->n * sizeof *ls->pos);
    ls->queue = malloc((size_t)in->n * sizeof *ls->queue);
    ls->inq = malloc((size_t)in->n);
    if (!ls->pos || !ls->queue || !ls->inq) { sl_tsp_ls_destroy(ls); return NULL; }
    return ls;
}

void sl_tsp_ls_destroy(sl_tsp_ls *ls)
{
    if (!ls) return;
    free(ls->pos);
    free(ls->queue);
    free(ls->inq);
    free(ls);
}

long long sl_tsp_ls_moves(const sl_tsp_ls *ls) { return ls->moves; }

int sl_ls_kind_parse(const char *s)
{
    static const char *names[] = {"none", "2opt", "oropt", "3opt"};
    for (int i = 0; i < 4; i++)
        if (strcmp(s, names[i]) == 0) return i;
    return -1;
}

const char *sl_ls_kind_name(sl_ls_kind k)
{
    static const char *names[] = {"none", "2opt", "oropt", "3opt"};
    return (unsigned)k < 4 ? names[k] : "?";
}

#define D(a, b) sl_dist(ls->in, (a), (b))

static inline int succ(const sl_tsp_ls *ls, int x)
{
    int p = ls->pos[x] + 1;
    return ls->t[p == ls->n ? 0 : p];
}

static inline int pred(const sl_tsp_ls *ls, int x)
{
    int p = ls->pos[x];
    return ls->t[p == 0 ? ls->n - 1 : p - 1];
}

/* Successor / predecessor in orientation dir (0 forward, 1 backward). */
static inline int suc_d(const sl_tsp_ls *ls, int x, int dir)
{
    return dir ? pred(ls, x) : succ(ls, x);
}

static inline int pre_d(const sl_tsp_ls *ls, int x, int dir)
{
    return dir ? succ(ls, x) : pred(ls, x);
}

/* 1 when b lies on the forward path from a to c (inclusive). */
static inline int between(const sl_tsp_ls *ls, int a, int b, int c)
{
    int pa = ls->pos[a], pb = ls->pos[b], pc = ls->pos[c];
    if (pa <= pc) return pa <= pb && pb <= pc;
    return pb >= pa || pb <= pc;
}

static inline int between_d(const sl_tsp_ls *ls, int a, int b, int c, int dir)
{
    return dir ? between(ls, c, b, a) : between(ls, a, b, c);
}

/* Reverses the forward path a..b, or its complement when that is shorter (the same cycle). */
static void reverse_path(sl_tsp_ls *ls, int a, int b)
{
    int n = ls->n, i = ls->pos[a], j = ls->pos[b];
    int len = j - i;
    if (len < 0) len += n;
    len += 1;
    if (2 * len > n) { /* reverse the complement succ(b)..pred(a) */
        int ni = j + 1, nj = i - 1;
        i = ni == n ? 0 : ni;
        j = nj < 0 ? n - 1 : nj;
        len = n - len;
    }
    int *t = ls->t, *pos = ls->pos;
    for (int s = 0; s < len / 2; s++) {
        int u = t[i], v = t[j];
        t[i] = v;
        pos[v] = i;
        t[j] = u;
        pos[u] = j;
        if (++i == n) i = 0;
        if (--j < 0) j = n - 1;
    }
}

/* Removes edges (a,b) and (c,d), adds (a,c) and (b,d). Walking from a through b must reach c
 * and then d. b == c is a no-op. */
static void make_2opt(sl_tsp_ls *ls, int a, int b, int c, int d)
{
    if (b == c || a == d) return;
    if (succ(ls, a) == b) {
        assert(succ(ls, c) == d);
        reverse_path(ls, b, c);
    } else {
        assert(pred(ls, a) == b && pred(ls, c) == d);
        reverse_path(ls, c, b);
    }
}

static void push(sl_tsp_ls *ls, int x)
{
    if (ls->inq[x]) return;
    ls->inq[x] = 1;
    int tail = ls->qhead + ls->qcount;
    if (tail >= ls->n) tail -= ls->n;
    ls->queue[tail] = x;
    ls->qcount++;
}

static void applied(sl_tsp_ls *ls, long long gain, const int *nodes, int m)
{
    ls->moves++;
    for (int i = 0; i < m; i++) push(ls, nodes[i]);
    if (ls->check) {
        int ok = sl_tour_valid(ls->n, ls->t);
        long long len = sl_tour_length(ls->in, ls->t);
        if (!ok || len != ls->cur_len - gain || gain <= 0) ls->bad = 1;
        for (int i = 0; ok && i < ls->n; i++)
            if (ls->pos[ls->t[i]] != i) ls->bad = 1;
        ls->cur_len = len;
    }
}

/* ---- neighbourhoods; each returns the gain of the move it applied, or 0 ---- */

static long long try_2opt(sl_tsp_ls *ls, int t1)
{
    for (int dir = 0; dir < 2; dir++) {
        int t2 = suc_d(ls, t1, dir);
        int d12 = D(t1, t2);
        const int *cl = ls->cand + (size_t)t2 * (size_t)ls->k;
        for (int q = 0; q < ls->k; q++) {
            int t3 = cl[q];
            int g1 = d12 - D(t2, t3);
            if (g1 <= 0) break;
            int t4 = pre_d(ls, t3, dir);
            if (t3 == t1 || t4 == t2) continue;
            long long gain = (long long)g1 + D(t3, t4) - D(t4, t1);
            if (gain > 0) {
                make_2opt(ls, t1, t2, t4, t3);
                int nodes[4] = {t1, t2, t3, t4};
                applied(ls, gain, nodes, 4);
                return gain;
            }
        }
    }
    return 0;
}

static long long try_oropt(sl_tsp_ls *ls, int s1)
{
    int n = ls->n;
    for (int dir = 0; dir < 2; dir++) {
        int s2 = s1;
        for (int len = 1; len <= 3 && len + 3 <= n; len++) {
            if (len > 1) s2 = suc_d(ls, s2, dir);
            int p = pre_d(ls, s1, dir), nx = suc_d(ls, s2, dir);
            long long grem = (long long)D(p, s1) + D(s2, nx) - D(p, nx);
            if (grem <= 0) continue;
            for (int end = 0; end < 2; end++) {
                int ea = end ? s2 : s1, eb = end ? s1 : s2; /* ea joins c, eb joins e */
                const int *cl = ls->cand + (size_t)ea * (size_t)ls->k;
                for (int q = 0; q < ls->k; q++) {
                    int c = cl[q];
                    if (D(ea, c) >= grem) break;
                    if (between_d(ls, s1, c, s2, dir)) continue;
                    for (int side = 0; side < 2; side++) {
                        int e = side ? pre_d(ls, c, dir) : suc_d(ls, c, dir);
                        if (between_d(ls, s1, e, s2, dir)) continue;
                        long long gain = grem - D(c, ea) - D(eb, e) + D(c, e);
                        if (gain <= 0) continue;
                        /* side 0: e follows c in orientation dir (case A), else mirrored. */
                        if (side == 0) {
                            make_2opt(ls, p, s1, c, e);
                            make_2opt(ls, p, c, nx, s2);
                            if (ea == s1) make_2opt(ls, c, s2, s1, e);
                        } else {
                            make_2opt(ls, nx, s2, c, e);
                            make_2opt(ls, nx, c, p, s1);
                            if (ea == s2) make_2opt(ls, c, s1, s2, e);
                        }
                        int nodes[6] = {p, nx, s1, s2, c, e};
                        applied(ls, gain, nodes, 6);
                        return gain;
                    }
                }
            }
        }
    }
    return 0;
}

static long long try_3opt(sl_tsp_ls *ls, int t1)
{
    int k = ls->k;
    for (int dir = 0; dir < 2; dir++) {
        int t2 = suc_d(ls, t1, dir);
        int d12 = D(t1, t2);
        const int *c2 = ls->cand + (size_t)t2 * (size_t)k;
        for (int q = 0; q < k; q++) {
            int t3 = c2[q];
            long long g1 = d12 - D(t2, t3);
            if (g1 <= 0) break;
            if (t3 == t1 || t3 == suc_d(ls, t2, dir)) continue;
            for (int x4 = 1; x4 <= 2; x4++) {
                int t4 = x4 == 1 ? pre_d(ls, t3, dir) : suc_d(ls, t3, dir);
                if (t4 == t1 || t4 == t2) continue;
                long long g2 = g1 + D(t3, t4);
                if (x4 == 1 && g2 - D(t4, t1) > 0) {
                    long long gain = g2 - D(t4, t1);
                    make_2opt(ls, t1, t2, t4, t3);
                    int nodes[4] = {t1, t2, t3, t4};
                    applied(ls, gain, nodes, 4);
                    return gain;
                }
                const int *c4 = ls->cand + (size_t)t4 * (size_t)k;
                for (int r = 0; r < k; r++) {
                    int t5 = c4[r];
                    long long g3 = g2 - D(t4, t5);
                    if (g3 <= 0) break;
                    if (t5 == t3 || t5 == t1 || t5 == t2) continue;
                    if (x4 == 1) {
                        /* after the 2-opt t1 t4..t2 t3..: t6 is t5's predecessor there */
                        int t6 = between_d(ls, t2, t5, t4, dir) ? suc_d(ls, t5, dir)
                                                                 : pre_d(ls, t5, dir);
                        if (t6 == t1 || t6 == t4) continue;
                        long long gain = g3 + D(t5, t6) - D(t6, t1);
                        if (gain <= 0) continue;
                        make_2opt(ls, t1, t2, t4, t3);
                        make_2opt(ls, t1, t4, t6, t5);
                        int nodes[6] = {t1, t2, t3, t4, t5, t6};
                        applied(ls, gain, nodes, 6);
                        return gain;
                    }
                    if (!between_d(ls, t2, t5, t3, dir)) continue;
                    for (int side = 0; side < 2; side++) {
                        int t6 = side ? pre_d(ls, t5, dir) : suc_d(ls, t5, dir);
                        if (side == 1 && t5 == t2) continue;
                        long long gain = g3 + D(t5, t6) - D(t6, t1);
                        if (gain <= 0) continue;
                        if (side == 0) { /* t1 t6..t3 t2..t5 t4 */
                            make_2opt(ls, t1, t2, t5, t6);
                            make_2opt(ls, t1, t5, t3, t4);
                            make_2opt(ls, t1, t3, t6, t2);
                        } else {         /* t1 t6..t2 t3..t5 t4 */
                            make_2opt(ls, t1, t2, t6, t5);
                            make_2opt(ls, t2, t5, t3, t4);
                        }
                        int nodes[6] = {t1, t2, t3, t4, t5, t6};
                        applied(ls, gain, nodes, 6);
                        return gain;
                    }
                }
            }
        }
    }
    return 0;
}

long long sl_tsp_ls_run(sl_tsp_ls *ls, sl_ls_kind kind, int *t, int check)
{
    int n = ls->n;
    ls->moves = 0;
    if (kind == SL_LS_NONE || n < 5) return 0;
    ls->t = t;
    ls->check = check;
    ls->bad = 0;
    if (check) ls->cur_len = sl_tour_length(ls->in, t);
    for (int i = 0; i < n; i++) {
        ls->pos[t[i]] = i;
        ls->queue[i] = t[i];
        ls->inq[t[i]] = 1;
    }
    ls->qhead = 0;
    ls->qcount = n;
    long long total = 0;
    while (ls->qcount > 0) {
        int x = ls->queue[ls->qhead];
        if (++ls->qhead == n) ls->qhead = 0;
        ls->qcount--;
        ls->inq[x] = 0;
        long long g = try_2opt(ls, x);
        if (!g && kind >= SL_LS_OROPT) g = try_oropt(ls, x);
        if (!g && kind >= SL_LS_3OPT) g = try_3opt(ls, x);
        if (g) {
            total += g;
            push(ls, x);
        }
    }
    ls->t = NULL;
    return ls->bad ? -1 : total;
}
