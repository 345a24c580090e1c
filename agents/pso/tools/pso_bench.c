/* pso_bench.c - runs the CEC protocol (R independent runs, a fixed FE budget) on one function and
 * prints mean / median / best / worst / std of the final error and evaluations per CPU-second.
 *
 * usage: pso_bench --func NAME [--dim D] [--runs R] [--fes N] [--variant V] [--topology T]
 *                  [--threads T] [--seed S] [--async] [--permute] [--k-draws] [--volume]
 *                  [--repeat K] [--cec-dir DIR] [--header]
 * --repeat K evaluates the objective K times per evaluation (to emulate an expensive one).
 * NAME is a classic function (sphere, rosenbrock, rastrigin, griewank, ackley, schwefel) or
 * cec1..cec10. --fes defaults to 10000 * D. Exit status 2 on bad usage.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "swarmlab/pso.h"
#include "swarmlab/pso_functions.h"

typedef struct bench_fn {
    const sl_testfn *tf;
    sl_cec2017 *cec;
    int repeat;   /* evaluate this many times (emulates an expensive objective) */
} bench_fn;

static sl_status eval(void *user, const double *x, int dim, double *f, double *g, double *h,
                      sl_error *e)
{
    (void)g; (void)h; (void)e;
    bench_fn *b = user;
    double v = 0.0;
    for (int k = 0; k < b->repeat; k++) {
        double t = b->cec ? sl_cec2017_eval(b->cec, x) : b->tf->f(x, dim);
        v = k == 0 ? t : (t < v ? t : v);   /* the same value, but not optimised away */
    }
    *f = v;
    return SL_OK;
}

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int usage(const char *msg)
{
    fprintf(stderr, "pso_bench: %s\n", msg);
    return 2;
}

int main(int argc, char **argv)
{
    const char *func = NULL, *variant = "spso2011", *topology = "default", *cec_dir = NULL;
    int repeat = 1;
    int dim = 30, runs = 25, threads = 1, async = 0, header = 0, kdraws = 0, volume = 0, permute = 0;
    long long fes = 0;
    unsigned long long seed = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--async") == 0) { async = 1; continue; }
        if (strcmp(a, "--header") == 0) { header = 1; continue; }
        if (strcmp(a, "--k-draws") == 0) { kdraws = 1; continue; }
        if (strcmp(a, "--volume") == 0) { volume = 1; continue; }
        if (strcmp(a, "--permute") == 0) { permute = 1; continue; }
        if (!v) return usage("option needs a value");
        i++;
        if (strcmp(a, "--func") == 0) func = v;
        else if (strcmp(a, "--repeat") == 0) repeat = atoi(v);
        else if (strcmp(a, "--dim") == 0) dim = atoi(v);
        else if (strcmp(a, "--runs") == 0) runs = atoi(v);
        else if (strcmp(a, "--fes") == 0) fes = atoll(v);
        else if (strcmp(a, "--variant") == 0) variant = v;
        else if (strcmp(a, "--topology") == 0) topology = v;
        else if (strcmp(a, "--threads") == 0) threads = atoi(v);
        else if (strcmp(a, "--seed") == 0) seed = strtoull(v, NULL, 10);
        else if (strcmp(a, "--cec-dir") == 0) cec_dir = v;
        else return usage("unknown option");
    }
    if (!func) return usage("--func is required");
    if (dim < 1 || runs < 1 || threads < 1 || repeat < 1)
        return usage("dim, runs, threads and repeat must be >= 1");
    int var = sl_pso_variant_parse(variant), topo = sl_pso_topology_parse(topology);
    if (var < 0 || topo < 0) return usage("unknown variant or topology");
    bench_fn b = {NULL, NULL, repeat};
    double lo = -100.0, hi = 100.0, opt = 0.0;
    if (strncmp(func, "cec", 3) == 0) {
        if (!cec_dir) return usage("cec functions need --cec-dir");
        sl_error e;
        b.cec = sl_cec2017_load(cec_dir, atoi(func + 3), dim, &e);
        if (!b.cec) {
            fprintf(stderr, "pso_bench: %s\n", e.msg);
            return 2;
        }
        opt = sl_cec2017_optimum(b.cec);
    } else {
        b.tf = sl_testfn_find(func);
        if (!b.tf) return usage("unknown function");
        lo = b.tf->lower;
        hi = b.tf->upper;
        opt = b.tf->optimum;
    }
    double *LO = malloc(sizeof(double) * dim), *HI = malloc(sizeof(double) * dim);
    double *err = malloc(sizeof(double) * runs);
    for (int d = 0; d < dim; d++) {
        LO[d] = lo;
        HI[d] = hi;
    }
    long long total = 0;
    double t0 = cpu_seconds();
    struct timespec w0, w1;
    clock_gettime(CLOCK_MONOTONIC, &w0);
    for (int r = 0; r < runs; r++) {
        sl_pso_def c = sl_pso_def_default((sl_pso_variant)var, dim);
        c.lower = LO;
        c.upper = HI;
        c.topology = (sl_pso_topology)topo;
        c.optimum = opt;
        if (fes > 0) c.max_fes = fes;
        c.seed = seed + (unsigned long long)r;
        c.threads = threads;
        c.async = async;
        c.links_k_draws = kdraws;
        c.sphere_volume = volume;
        c.permute = permute;
        sl_pso_problem pb = {eval, &b, 1};
        sl_error e;
        sl_pso *s = sl_pso_create(&c, &pb, &e);
        if (!s || sl_pso_run(s, &e) != SL_OK) {
            fprintf(stderr, "pso_bench: %s\n", e.msg);
            return 2;
        }
        err[r] = sl_pso_best_error(s);
        total += sl_pso_fes(s);
        sl_pso_destroy(s);
    }
    double cpu = cpu_seconds() - t0;
    clock_gettime(CLOCK_MONOTONIC, &w1);
    double wall = (double)(w1.tv_sec - w0.tv_sec) + 1e-9 * (double)(w1.tv_nsec - w0.tv_nsec);
    double mean = 0.0, sd = 0.0;
    for (int r = 0; r < runs; r++) mean += err[r];
    mean /= runs;
    for (int r = 0; r < runs; r++) sd += (err[r] - mean) * (err[r] - mean);
    sd = runs > 1 ? sqrt(sd / (runs - 1)) : 0.0;
    qsort(err, (size_t)runs, sizeof(double), cmp_double);
    double median = runs % 2 ? err[runs / 2] : 0.5 * (err[runs / 2 - 1] + err[runs / 2]);
    if (header)
        printf("%-11s %4s %-12s %5s %5s %10s %10s %10s %10s %10s %12s %12s\n", "function", "D",
               "variant", "thr", "runs", "mean", "median", "best", "worst", "std", "evals/cpu-s",
               "evals/wall-s");
    printf("%-11s %4d %-12s %5d %5d %10.3e %10.3e %10.3e %10.3e %10.3e %12.0f %12.0f\n", func, dim,
           async ? "spso2011-ref" : variant, threads, runs, mean, median, err[0], err[runs - 1], sd,
           (double)total / cpu, (double)total / wall);
    free(LO);
    free(HI);
    free(err);
    sl_cec2017_destroy(b.cec);
    return 0;
}
