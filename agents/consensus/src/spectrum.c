/* spectrum.c - cyclic Jacobi eigenvalues, power iteration, consensus rates. */
#include "swarmlab/spectrum.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "swarmlab/rng.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y ? 1 : 0;
}

sl_status sl_sym_eigenvalues(int n, const double *A, double *eig, sl_error *e)
{
    size_t N = (size_t)n;
    double scale = 0.0;
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < N; j++) {
            double a = A[i * N + j], b = A[j * N + i];
            if (!isfinite(a))
                return sl_error_set(e, SL_ERR_RANGE, "eigenvalues: entry (%zu, %zu) is not finite",
                                    i, j);
            if (fabs(a - b) > 1e-12 * fmax(1.0, fmax(fabs(a), fabs(b))))
                return sl_error_set(e, SL_ERR_RANGE, "eigenvalues: matrix is not symmetric at (%zu, %zu)",
                                    i, j);
            if (fabs(a) > scale) scale = fabs(a);
        }
    double *a = malloc(N * N * sizeof *a);
    if (!a) return sl_error_set(e, SL_ERR_NOMEM, "eigenvalues: out of memory for n=%d", n);
    /* symmetrise exactly */
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < N; j++) a[i * N + j] = 0.5 * (A[i * N + j] + A[j * N + i]);
    for (int sweep = 0; sweep < 100; sweep++) {
        double off = 0.0;
        for (size_t i = 0; i < N; i++)
            for (size_t j = i + 1; j < N; j++) off += a[i * N + j] * a[i * N + j];
        if (off <= 1e-30 * (scale * scale + 1e-300) || off == 0.0) break;
        for (size_t p = 0; p < N; p++)
            for (size_t q = p + 1; q < N; q++) {
                double apq = a[p * N + q];
                if (apq == 0.0) continue;
                double app = a[p * N + p], aqq = a[q * N + q];
                double theta = (aqq - app) / (2.0 * apq);
                double t = (theta >= 0 ? 1.0 : -1.0) / (fabs(theta) + sqrt(theta * theta + 1.0));
                double c = 1.0 / sqrt(t * t + 1.0), s = t * c;
                for (size_t k = 0; k < N; k++) {
                    double akp = a[k * N + p], akq = a[k * N + q];
                    a[k * N + p] = c * akp - s * akq;
                    a[k * N + q] = s * akp + c * akq;
                }
                for (size_t k = 0; k < N; k++) {
                    double apk = a[p * N + k], aqk = a[q * N + k];
                    a[p * N + k] = c * apk - s * aqk;
                    a[q * N + k] = s * apk + c * aqk;
                }
                a[p * N + q] = a[q * N + p] = 0.0;
            }
    }
    for (size_t i = 0; i < N; i++) eig[i] = a[i * N + i];
    free(a);
    qsort(eig, N, sizeof *eig, cmp_double);
    return SL_OK;
}

double sl_power_norm(int n, sl_linop_fn op, void *user, double tol, int max_iter)
{
    size_t N = (size_t)n;
    double *x = malloc(N * sizeof *x), *y = malloc(N * sizeof *y), *z = malloc(N * sizeof *z);
    double est = 0.0;
    if (!x || !y || !z) goto done;
    sl_rng r = sl_rng_make(0x5eed5eedu, 0x70770001u, 0, 0);
    double nx = 0.0;
    for (size_t i = 0; i < N; i++) {
        x[i] = sl_rng_uniform(&r) - 0.5;
        nx += x[i] * x[i];
    }
    nx = sqrt(nx);
    if (nx == 0.0) goto done;
    for (size_t i = 0; i < N; i++) x[i] /= nx;
    double prev = -1.0;
    for (int it = 0; it < max_iter; it++) {
        op(x, y, user);
        op(y, z, user);
        /* Rayleigh quotient of op^2 = x.z (x has unit norm). */
        double rq = 0.0, nz = 0.0;
        for (size_t i = 0; i < N; i++) {
            rq += x[i] * z[i];
            nz += z[i] * z[i];
        }
        est = sqrt(fabs(rq));
        nz = sqrt(nz);
        if (nz == 0.0) {
            est = 0.0;
            break;
        }
        for (size_t i = 0; i < N; i++) x[i] = z[i] / nz;
        if (prev >= 0.0 && fabs(est - prev) <= tol * (est > 0 ? est : 1.0)) break;
        prev = est;
    }
done:
    free(x);
    free(y);
    free(z);
    return est;
}

/* Number of eigenvalues below x of the symmetric tridiagonal (a[0..m-1], b[0..m-2]) (Sturm). */
static int sturm_count(const double *a, const double *b, int m, double x)
{
    int cnt = 0;
    double d = 1.0;
    for (int i = 0; i < m; i++) {
        double bb = i > 0 ? b[i - 1] * b[i - 1] : 0.0;
        d = (a[i] - x) - (i > 0 ? bb / d : 0.0);
        if (d == 0.0) d = -1e-300;
        if (d < 0.0) cnt++;
    }
    return cnt;
}

/* Extreme eigenvalues of a symmetric tridiagonal matrix by bisection on the Sturm count. */
static void tri_extremes(const double *a, const double *b, int m, double *lo, double *hi)
{
    double gl = a[0], gh = a[0];
    for (int i = 0; i < m; i++) {
        double r = (i > 0 ? fabs(b[i - 1]) : 0.0) + (i + 1 < m ? fabs(b[i]) : 0.0);
        if (a[i] - r < gl) gl = a[i] - r;
        if (a[i] + r > gh) gh = a[i] + r;
    }
    double l = gl, h = gh;  /* smallest: count(x) >= 1 */
    for (int it = 0; it < 200 && h - l > 1e-15 * fmax(1.0, fabs(h)); it++) {
        double mid = 0.5 * (l + h);
        if (sturm_count(a, b, m, mid) >= 1) h = mid;
        else l = mid;
    }
    *lo = 0.5 * (l + h);
    l = gl;
    h = gh;  /* largest: count(x) >= m */
    for (int it = 0; it < 200 && h - l > 1e-15 * fmax(1.0, fabs(h)); it++) {
        double mid = 0.5 * (l + h);
        if (sturm_count(a, b, m, mid) >= m) h = mid;
        else l = mid;
    }
    *hi = 0.5 * (l + h);
}

int sl_lanczos_budget(int n)
{
    long cap = 8000000L / (n > 0 ? n : 1);
    long m = n < 2000 ? n : 2000;
    if (m > cap) m = cap;
    return m < 2 ? 2 : (int)m;
}

sl_status sl_lanczos_extremes(int n, sl_linop_fn op, void *user, int max_steps, double *lo,
                              double *hi, int *converged, sl_error *e)
{
    int conv = 0;
    size_t N = (size_t)n;
    int m = max_steps < n ? max_steps : n;
    if (m < 1) m = 1;
    double *Q = malloc((size_t)(m + 1) * N * sizeof *Q), *w = malloc(N * sizeof *w);
    double *a = malloc((size_t)m * sizeof *a), *b = malloc((size_t)m * sizeof *b);
    if (!Q || !w || !a || !b) {
        free(Q);
        free(w);
        free(a);
        free(b);
        return sl_error_set(e, SL_ERR_NOMEM, "lanczos: out of memory for %d steps of %d", m, n);
    }
    sl_rng r = sl_rng_make(0x5eed5eedu, 0x70770002u, 0, 0);
    double nq = 0.0;
    for (size_t i = 0; i < N; i++) {
        Q[i] = sl_rng_uniform(&r) - 0.5;
        nq += Q[i] * Q[i];
    }
    nq = sqrt(nq);
    for (size_t i = 0; i < N; i++) Q[i] /= nq;
    double plo = NAN, phi = NAN;
    int steps = 0;
    *lo = *hi = 0.0;
    for (int j = 0; j < m; j++) {
        const double *q = Q + (size_t)j * N;
        op(q, w, user);
        double al = 0.0;
        for (size_t i = 0; i < N; i++) al += q[i] * w[i];
        a[j] = al;
        steps = j + 1;
        /* full reorthogonalisation, twice */
        for (int pass = 0; pass < 2; pass++)
            for (int k = 0; k <= j; k++) {
                const double *qk = Q + (size_t)k * N;
                double c = 0.0;
                for (size_t i = 0; i < N; i++) c += qk[i] * w[i];
                for (size_t i = 0; i < N; i++) w[i] -= c * qk[i];
            }
        double be = 0.0;
        for (size_t i = 0; i < N; i++) be += w[i] * w[i];
        be = sqrt(be);
        b[j] = be;
        int check = (j + 1) % 10 == 0 || j + 1 == m || be < 1e-12;
        if (check) {
            tri_extremes(a, b, j + 1, lo, hi);
            if (be < 1e-12 || j + 1 == n) {  /* invariant subspace: the Ritz values are exact */
                conv = 1;
                break;
            }
            if (fabs(*lo - plo) < 1e-13 && fabs(*hi - phi) < 1e-13) {
                conv = 1;
                break;
            }
            plo = *lo;
            phi = *hi;
        }
        double *qn = Q + (size_t)(j + 1) * N;
        for (size_t i = 0; i < N; i++) qn[i] = w[i] / be;
    }
    (void)steps;
    if (converged) *converged = conv;
    free(Q);
    free(w);
    free(a);
    free(b);
    return SL_OK;
}

/* Operator (W - J) restricted to one component given by a node list. */
typedef struct block_op {
    const sl_mix *m;
    const int *nodes;   /* component members, ascending */
    const int *local;   /* global node -> local index, -1 elsewhere */
    int k;
} block_op;

static void block_apply(const double *x, double *y, void *user)
{
    const block_op *b = user;
    double mean = 0.0;
    for (int a = 0; a < b->k; a++) mean += x[a];
    mean /= b->k;
    for (int a = 0; a < b->k; a++) {
        int i = b->nodes[a];
        double s = b->m->self[i] * x[a];
        for (uint32_t p = b->m->row[i]; p < b->m->row[i + 1]; p++) {
            int l = b->local[b->m->col[p]];
            if (l >= 0) s += b->m->w[p] * x[l];
        }
        y[a] = s - mean;
    }
}

sl_status sl_mix_slem(const sl_mix *m, const int *comp, int k, int method, double *slem, sl_error *e)
{
    int n = m->n;
    if (!sl_mix_is_symmetric(m))
        return sl_error_set(e, SL_ERR_RANGE, "rate: W is not symmetric; the SLEM bound needs symmetric weights");
    int *nodes = malloc((size_t)n * sizeof *nodes), *local = malloc((size_t)n * sizeof *local);
    double *dense = NULL, *eig = NULL;
    sl_status st = SL_OK;
    double best = 0.0;
    if (!nodes || !local) {
        st = sl_error_set(e, SL_ERR_NOMEM, "rate: out of memory");
        goto done;
    }
    for (int c = 0; c < k; c++) {
        int cnt = 0;
        for (int i = 0; i < n; i++) {
            local[i] = -1;
            if (comp[i] == c) {
                local[i] = cnt;
                nodes[cnt++] = i;
            }
        }
        if (cnt <= 1) continue;
        double r;
        block_op b = {m, nodes, local, cnt};
        if (method == 1) {
            r = sl_power_norm(cnt, block_apply, &b, 1e-13, 200000);
        } else if (method == 2) {
            double lo, hi;
            int conv;
            int budget = sl_lanczos_budget(cnt);
            st = sl_lanczos_extremes(cnt, block_apply, &b, budget, &lo, &hi, &conv, e);
            if (st != SL_OK) goto done;
            r = fmax(fabs(lo), fabs(hi));
            if (!conv) {
                st = sl_error_set(e, SL_ERR_RANGE,
                                  "rate: Lanczos did not converge in %d steps on a %d-node "
                                  "component (SLEM >= %.9g)", budget, cnt, r);
                goto done;
            }
        } else {
            size_t K = (size_t)cnt;
            free(dense);
            free(eig);
            dense = malloc(K * K * sizeof *dense);
            eig = malloc(K * sizeof *eig);
            if (!dense || !eig) {
                st = sl_error_set(e, SL_ERR_NOMEM, "rate: out of memory for a %d-node component", cnt);
                goto done;
            }
            /* dense (W - J) of the block, column by column through the operator */
            double *ei = calloc(K, sizeof *ei), *col = malloc(K * sizeof *col);
            if (!ei || !col) {
                free(ei);
                free(col);
                st = sl_error_set(e, SL_ERR_NOMEM, "rate: out of memory");
                goto done;
            }
            for (size_t j = 0; j < K; j++) {
                ei[j] = 1.0;
                block_apply(ei, col, &b);
                ei[j] = 0.0;
                for (size_t i = 0; i < K; i++) dense[i * K + j] = col[i];
            }
            free(ei);
            free(col);
            st = sl_sym_eigenvalues(cnt, dense, eig, e);
            if (st != SL_OK) goto done;
            r = fabs(eig[0]) > fabs(eig[K - 1]) ? fabs(eig[0]) : fabs(eig[K - 1]);
        }
        if (r > best) best = r;
    }
    *slem = best;
done:
    free(nodes);
    free(local);
    free(dense);
    free(eig);
    return st;
}

sl_status sl_mix_failure_rate(const sl_mix *m, const sl_graph *g, double q, double *rate,
                              sl_error *e)
{
    if (!(q >= 0.0 && q <= 1.0))
        return sl_error_set(e, SL_ERR_RANGE, "rate: failure probability must be in [0, 1], got %g", q);
    if (!sl_mix_is_symmetric(m))
        return sl_error_set(e, SL_ERR_RANGE, "rate: W is not symmetric");
    size_t n = (size_t)m->n;
    /* E[W_t] = W - q D with D = sum_e D_e, D_e = w_e (u_i - u_j)(u_i - u_j)^T;
     * E[W_t^2] = (E W_t)^2 + (q - q^2) sum_e D_e^2, and D_e^2 = 2 w_e D_e. */
    double *A = calloc(n * n, sizeof *A), *S = calloc(n * n, sizeof *S), *eig = malloc(n * sizeof *eig);
    sl_status st = SL_OK;
    if (!A || !S || !eig) {
        st = sl_error_set(e, SL_ERR_NOMEM, "rate: out of memory");
        goto done;
    }
    sl_mix_to_dense(m, A);
    for (size_t k = 0; k < g->ne; k++) {
        size_t i = (size_t)g->eu[k], j = (size_t)g->ev[k];
        double w = A[i * n + j];
        /* E W_t: failed weight moves to the diagonal */
        A[i * n + j] -= q * w;
        A[j * n + i] -= q * w;
        A[i * n + i] += q * w;
        A[j * n + j] += q * w;
        double c = (q - q * q) * 2.0 * w * w;
        S[i * n + i] += c;
        S[j * n + j] += c;
        S[i * n + j] -= c;
        S[j * n + i] -= c;
    }
    /* M = A^2 + S - J */
    double *M = malloc(n * n * sizeof *M);
    if (!M) {
        st = sl_error_set(e, SL_ERR_NOMEM, "rate: out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            double s = 0.0;
            for (size_t l = 0; l < n; l++) s += A[i * n + l] * A[l * n + j];
            M[i * n + j] = s + S[i * n + j] - 1.0 / (double)n;
        }
    st = sl_sym_eigenvalues((int)n, M, eig, e);
    if (st == SL_OK) *rate = sqrt(fabs(eig[n - 1]) > fabs(eig[0]) ? fabs(eig[n - 1]) : fabs(eig[0]));
    free(M);
done:
    free(A);
    free(S);
    free(eig);
    return st;
}
