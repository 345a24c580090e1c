/* pso_functions.c - classic benchmark functions (pure, thread-safe). */
#include "swarmlab/pso_functions.h"

#include <math.h>
#include <string.h>

#define SL_PI 3.14159265358979323846
#define SL_E 2.71828182845904523536

double sl_testfn_sphere(const double *x, int dim)
{
    double s = 0.0;
    for (int i = 0; i < dim; i++) s += x[i] * x[i];
    return s;
}

double sl_testfn_rosenbrock(const double *x, int dim)
{
    double s = 0.0;
    for (int i = 0; i + 1 < dim; i++) {
        double a = x[i] * x[i] - x[i + 1], b = x[i] - 1.0;
        s += 100.0 * a * a + b * b;
    }
    return s;
}

double sl_testfn_rastrigin(const double *x, int dim)
{
    double s = 10.0 * dim;
    for (int i = 0; i < dim; i++) s += x[i] * x[i] - 10.0 * cos(2.0 * SL_PI * x[i]);
    return s;
}

double sl_testfn_griewank(const double *x, int dim)
{
    double s = 0.0, p = 1.0;
    for (int i = 0; i < dim; i++) {
        s += x[i] * x[i];
        p *= cos(x[i] / sqrt((double)(i + 1)));
    }
    return s / 4000.0 - p + 1.0;
}

double sl_testfn_ackley(const double *x, int dim)
{
    double sq = 0.0, cs = 0.0;
    for (int i = 0; i < dim; i++) {
        sq += x[i] * x[i];
        cs += cos(2.0 * SL_PI * x[i]);
    }
    double v = -20.0 * exp(-0.2 * sqrt(sq / dim)) - exp(cs / dim) + 20.0 + SL_E;
    return v < 0.0 ? 0.0 : v;  /* rounding can give -4e-16 at the optimum */
}

/* Schwefel 2.26 with the constant 418.9828872724338 * dim added so that f* is (almost) 0 at
 * x_i = 420.9687462275036; the residual there is below 1e-10 * dim. */
double sl_testfn_schwefel(const double *x, int dim)
{
    double s = 0.0;
    for (int i = 0; i < dim; i++) s += x[i] * sin(sqrt(fabs(x[i])));
    return 418.9828872724338 * dim - s;
}

static const sl_testfn table[] = {
    {"sphere", sl_testfn_sphere, -100.0, 100.0, 0.0, 0.0},
    {"rosenbrock", sl_testfn_rosenbrock, -30.0, 30.0, 0.0, 1.0},
    {"rastrigin", sl_testfn_rastrigin, -5.12, 5.12, 0.0, 0.0},
    {"griewank", sl_testfn_griewank, -600.0, 600.0, 0.0, 0.0},
    {"ackley", sl_testfn_ackley, -32.0, 32.0, 0.0, 0.0},
    {"schwefel", sl_testfn_schwefel, -500.0, 500.0, 0.0, 420.9687462275036},
};

const sl_testfn *sl_testfn_find(const char *name)
{
    if (!name) return NULL;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strcmp(table[i].name, name) == 0) return &table[i];
    return NULL;
}

const sl_testfn *sl_testfn_all(int *n)
{
    *n = (int)(sizeof table / sizeof table[0]);
    return table;
}
