/* sweep_stats.c - replicate statistics for the sweep summary. */
#include "sweep_stats.h"

#include <math.h>

double sl_t975(int df)
{
    /* t_{0.975} for 1..30 degrees of freedom (standard table values). */
    static const double t[30] = {
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
        2.201,  2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
        2.080,  2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};
    if (df < 1) return NAN;
    if (df <= 30) return t[df - 1];
    /* Cornish-Fisher expansion around the normal quantile; error < 1e-3 for df > 30. */
    const double z = 1.959963984540054;
    double z3 = z * z * z, z5 = z3 * z * z, d = (double)df;
    return z + (z3 + z) / (4.0 * d) + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * d * d);
}

void sl_mean_ci95(const double *x, int n, double *mean, double *sd, double *half)
{
    *mean = *sd = *half = NAN;
    if (n <= 0) return;
    double s = 0.0;
    for (int i = 0; i < n; i++) s += x[i];
    double m = s / n;
    *mean = m;
    if (n < 2) return;
    double ss = 0.0;
    for (int i = 0; i < n; i++) ss += (x[i] - m) * (x[i] - m);
    *sd = sqrt(ss / (n - 1));
    *half = sl_t975(n - 1) * *sd / sqrt((double)n);
}
