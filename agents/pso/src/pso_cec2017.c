/* pso_cec2017.c - CEC-2017 bound-constrained F1..F10 with shift/rotation data read from files.
 *
 * Written from the competition's definitions; the official C code's behaviour is reproduced
 * where it departs from the technical report (documented in pso_functions.h and docs/pso.md).
 */
#include "swarmlab/pso_functions.h"
#include "swarmlab/fileio.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SL_PI 3.14159265358979323846

struct sl_cec2017 {
    int func, dim;
    double *shift;   /* dim */
    double *rot;     /* dim * dim, row-major */
};

/* Reads the first n numbers of a whitespace-separated text file. */
static sl_status read_numbers(const char *path, double *out, size_t n, sl_error *e)
{
    FILE *f = sl_fopen_regular(path, "CEC data file", e);
    if (!f) return e ? e->code : SL_ERR_IO;
    char tok[128];
    size_t i = 0;
    int line = 1;
    while (i < n) {
        int ch;
        while ((ch = fgetc(f)) != EOF && isspace(ch))
            if (ch == '\n') line++;
        if (ch == EOF) break;
        size_t len = 0;
        while (ch != EOF && !isspace(ch)) {
            if (len + 1 < sizeof tok) tok[len++] = (char)ch;
            ch = fgetc(f);
        }
        tok[len] = '\0';
        char *end = NULL;
        double v = strtod(tok, &end);
        if (end == tok || *end != '\0' || !isfinite(v)) {
            fclose(f);
            return sl_error_set(e, SL_ERR_PARSE, "%s:%d: expected a number, got '%s'", path, line,
                                tok);
        }
        out[i++] = v;
        if (ch == '\n') line++;
    }
    fclose(f);
    if (i < n)
        return sl_error_set(e, SL_ERR_PARSE, "%s:%d: expected %zu numbers, found %zu", path, line,
                            n, i);
    return SL_OK;
}

sl_cec2017 *sl_cec2017_load(const char *dir, int func, int dim, sl_error *e)
{
    if (func < 1 || func > 10) {
        sl_error_set(e, SL_ERR_RANGE, "cec2017: function %d not supported (1..10)", func);
        return NULL;
    }
    if (!(dim == 2 || dim == 10 || dim == 20 || dim == 30 || dim == 50 || dim == 100)) {
        sl_error_set(e, SL_ERR_RANGE, "cec2017: dimension %d not defined (2, 10, 20, 30, 50, 100)",
                     dim);
        return NULL;
    }
    if (!dir || !*dir) {
        sl_error_set(e, SL_ERR_RANGE, "cec2017: no data directory given");
        return NULL;
    }
    sl_cec2017 *c = calloc(1, sizeof *c);
    if (!c) {
        sl_error_set(e, SL_ERR_NOMEM, "cec2017: out of memory");
        return NULL;
    }
    c->func = func;
    c->dim = dim;
    c->shift = malloc(sizeof(double) * (size_t)dim);
    c->rot = malloc(sizeof(double) * (size_t)dim * (size_t)dim);
    if (!c->shift || !c->rot) {
        sl_cec2017_destroy(c);
        sl_error_set(e, SL_ERR_NOMEM, "cec2017: out of memory");
        return NULL;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/shift_data_%d.txt", dir, func);
    if (read_numbers(path, c->shift, (size_t)dim, e) != SL_OK) {
        sl_cec2017_destroy(c);
        return NULL;
    }
    snprintf(path, sizeof path, "%s/M_%d_D%d.txt", dir, func, dim);
    if (read_numbers(path, c->rot, (size_t)dim * (size_t)dim, e) != SL_OK) {
        sl_cec2017_destroy(c);
        return NULL;
    }
    return c;
}

void sl_cec2017_destroy(sl_cec2017 *c)
{
    if (!c) return;
    free(c->shift);
    free(c->rot);
    free(c);
}

int sl_cec2017_func(const sl_cec2017 *c) { return c->func; }
int sl_cec2017_dim(const sl_cec2017 *c) { return c->dim; }
double sl_cec2017_optimum(const sl_cec2017 *c) { return 100.0 * c->func; }
const double *sl_cec2017_shift(const sl_cec2017 *c) { return c->shift; }
const double *sl_cec2017_rotation(const sl_cec2017 *c) { return c->rot; }

/* y = (x - o) * rate; z = M y. */
static void shift_rotate(const sl_cec2017 *c, const double *x, double rate, double *y, double *z)
{
    int n = c->dim;
    for (int i = 0; i < n; i++) y[i] = (x[i] - c->shift[i]) * rate;
    for (int i = 0; i < n; i++) {
        const double *row = c->rot + (size_t)i * n;
        double s = 0.0;
        for (int j = 0; j < n; j++) s += row[j] * y[j];
        z[i] = s;
    }
}

static double rastrigin_sum(const double *z, int n)
{
    double f = 0.0;
    for (int i = 0; i < n; i++) f += z[i] * z[i] - 10.0 * cos(2.0 * SL_PI * z[i]) + 10.0;
    return f;
}

static double f_bent_cigar(const double *z, int n)
{
    double f = z[0] * z[0];
    for (int i = 1; i < n; i++) f += 1e6 * z[i] * z[i];
    return f;
}

static double f_sum_diff_pow(const double *z, int n)
{
    double f = 0.0;
    for (int i = 0; i < n; i++) f += pow(fabs(z[i]), (double)(i + 1));
    return f;
}

static double f_zakharov(const double *z, int n)
{
    double s1 = 0.0, s2 = 0.0;
    for (int i = 0; i < n; i++) {
        s1 += z[i] * z[i];
        s2 += 0.5 * (i + 1) * z[i];
    }
    double s22 = s2 * s2;
    return s1 + s22 + s22 * s22;
}

static double f_rosenbrock(double *z, int n)
{
    double f = 0.0;
    for (int i = 0; i < n; i++) z[i] += 1.0;
    for (int i = 0; i + 1 < n; i++) {
        double a = z[i] * z[i] - z[i + 1], b = z[i] - 1.0;
        f += 100.0 * a * a + b * b;
    }
    return f;
}

/* Schaffer F7 over consecutive pairs of the shifted, unrotated vector (as the official code). */
static double f_schaffer_f7(const double *y, int n)
{
    double f = 0.0;
    for (int i = 0; i + 1 < n; i++) {
        double s = sqrt(y[i] * y[i] + y[i + 1] * y[i + 1]);
        double t = sin(50.0 * pow(s, 0.2));
        double r = sqrt(s);
        f += r + r * t * t;
    }
    return f * f / (n - 1) / (n - 1);
}

static double f_lunacek(const sl_cec2017 *c, const double *x, double *y, double *z)
{
    int n = c->dim;
    const double mu0 = 2.5, d = 1.0;
    double s = 1.0 - 1.0 / (2.0 * sqrt(n + 20.0) - 8.2);
    double mu1 = -sqrt((mu0 * mu0 - d) / s);
    double t1 = 0.0, t2 = 0.0;
    for (int i = 0; i < n; i++) {
        double t = 2.0 * ((x[i] - c->shift[i]) * (10.0 / 100.0));
        if (c->shift[i] < 0.0) t = -t;
        y[i] = t;
        double a = (t + mu0) - mu0, b = (t + mu0) - mu1;
        t1 += a * a;
        t2 += b * b;
    }
    t2 = t2 * s + d * n;
    double cs = 0.0;
    for (int i = 0; i < n; i++) {
        const double *row = c->rot + (size_t)i * n;
        double v = 0.0;
        for (int j = 0; j < n; j++) v += row[j] * y[j];
        z[i] = v;
        cs += cos(2.0 * SL_PI * v);
    }
    return (t1 < t2 ? t1 : t2) + 10.0 * (n - cs);
}

/* Levy with w = 1 + (z - 1) / 4, as the official 2017 code (minimum at z = 1, not at z = 0). */
static double f_levy(const double *z, int n, double *w)
{
    for (int i = 0; i < n; i++) w[i] = 1.0 + (z[i] - 1.0) / 4.0;
    double s0 = sin(SL_PI * w[0]);
    double f = s0 * s0;
    for (int i = 0; i + 1 < n; i++) {
        double a = w[i] - 1.0, sn = sin(SL_PI * w[i] + 1.0);
        f += a * a * (1.0 + 10.0 * sn * sn);
    }
    double a = w[n - 1] - 1.0, sn = sin(2.0 * SL_PI * w[n - 1]);
    return f + a * a * (1.0 + sn * sn);
}

static double f_schwefel(double *z, int n)
{
    double f = 0.0;
    for (int i = 0; i < n; i++) {
        double v = z[i] + 4.209687462275036e+002;
        if (v > 500.0) {
            double m = 500.0 - fmod(v, 500.0);
            f -= m * sin(sqrt(m));
            double t = (v - 500.0) / 100.0;
            f += t * t / n;
        } else if (v < -500.0) {
            double m = fmod(fabs(v), 500.0);
            f -= (-500.0 + m) * sin(sqrt(500.0 - m));
            double t = (v + 500.0) / 100.0;
            f += t * t / n;
        } else {
            f -= v * sin(sqrt(fabs(v)));
        }
    }
    return f + 4.189828872724338e+002 * n;
}

double sl_cec2017_eval(const sl_cec2017 *c, const double *x)
{
    double y[SL_CEC2017_MAXDIM], z[SL_CEC2017_MAXDIM];
    int n = c->dim;
    double f = 0.0;
    switch (c->func) {
    case 1: shift_rotate(c, x, 1.0, y, z); f = f_bent_cigar(z, n); break;
    case 2: shift_rotate(c, x, 1.0, y, z); f = f_sum_diff_pow(z, n); break;
    case 3: shift_rotate(c, x, 1.0, y, z); f = f_zakharov(z, n); break;
    case 4: shift_rotate(c, x, 2.048 / 100.0, y, z); f = f_rosenbrock(z, n); break;
    case 5: shift_rotate(c, x, 5.12 / 100.0, y, z); f = rastrigin_sum(z, n); break;
    case 6: shift_rotate(c, x, 1.0, y, z); f = f_schaffer_f7(y, n); break;
    case 7: f = f_lunacek(c, x, y, z); break;
    case 8: shift_rotate(c, x, 5.12 / 100.0, y, z); f = rastrigin_sum(z, n); break;
    case 9: shift_rotate(c, x, 1.0, y, z); f = f_levy(z, n, y); break;
    case 10: shift_rotate(c, x, 1000.0 / 100.0, y, z); f = f_schwefel(z, n); break;
    default: return NAN;
    }
    return f + 100.0 * c->func;
}
