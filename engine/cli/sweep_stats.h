/* sweep_stats.h - mean and 95% confidence interval of replicate results (Student's t). */
#ifndef SWARMLAB_SWEEP_STATS_H
#define SWARMLAB_SWEEP_STATS_H

/* Two-sided 97.5% quantile of Student's t with df degrees of freedom (df >= 1). */
double sl_t975(int df);

/* Mean, sample standard deviation and the half width of the 95% CI of the mean of n values.
 * n == 0 gives NaN for all; n == 1 gives sd and half width NaN. The sum runs in index order. */
void sl_mean_ci95(const double *x, int n, double *mean, double *sd, double *half);

#endif
