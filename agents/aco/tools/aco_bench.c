/* aco_bench.c - runs one ACO configuration on one instance for several seeds and prints one
 * summary line: mean and best % excess over a known optimum, mean time to best, iterations.
 * Used by scripts/bench-aco.
 *
 *   aco_bench INSTANCE OPTIMUM VARIANT LS LIMIT SEEDS THREADS [cpu|wall|iters]
 *
 * cpu / wall: LIMIT seconds of process CPU / wall-clock time, stopping early at the optimum.
 * iters: LIMIT iterations, no early stop; the line then reports the mean wall seconds per run
 * (for thread scaling at equal work, since the search is identical for any thread count).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "swarmlab/aco.h"

int main(int argc, char **argv)
{
    if (argc < 8) {
        fprintf(stderr, "usage: aco_bench INSTANCE OPTIMUM VARIANT LS LIMIT SEEDS THREADS "
                        "[cpu|wall]\n");
        return 2;
    }
    sl_error e;
    sl_error_clear(&e);
    sl_instance *in = sl_instance_load(argv[1], &e);
    if (!in) { fprintf(stderr, "aco_bench: %s\n", e.msg); return 2; }
    double opt = atof(argv[2]), limit = atof(argv[5]);
    int seeds = atoi(argv[6]), threads = atoi(argv[7]);
    int use_cpu = argc < 9 || strcmp(argv[8], "cpu") == 0;
    int use_iters = argc >= 9 && strcmp(argv[8], "iters") == 0;
    int v = sl_aco_variant_parse(argv[3]), ls = sl_ls_kind_parse(argv[4]);
    if (v < 0 || ls < 0 || seeds < 1 || threads < 1 || !(limit > 0) || !(opt > 0)) {
        fprintf(stderr, "aco_bench: bad arguments\n");
        sl_instance_destroy(in);
        return 2;
    }
    double sum_ex = 0, best_ex = 1e300, sum_ttb = 0, sum_it = 0, sum_wall = 0;
    int hits = 0;
    for (int s = 1; s <= seeds; s++) {
        sl_aco_def p;
        p = sl_aco_def_default();
        p.variant = (sl_aco_variant)v;
        p.ls = (sl_ls_kind)ls;
        if (use_iters) p.iterations = (long long)limit;
        else if (use_cpu) p.cpu_time = limit;
        else p.wall_time = limit;
        p.threads = threads;
        p.seed = (uint64_t)s;
        p.target = use_iters ? -1 : (long long)opt;
        sl_aco *c = sl_aco_create(in, &p, &e);
        if (!c) { fprintf(stderr, "aco_bench: %s\n", e.msg); sl_instance_destroy(in); return 2; }
        sl_aco_run(c, NULL);
        double ex = 100.0 * ((double)sl_aco_best_cost(c) - opt) / opt;
        sum_ex += ex;
        if (ex < best_ex) best_ex = ex;
        if (sl_aco_best_cost(c) <= (long long)opt) hits++;
        sum_ttb += use_cpu ? sl_aco_cpu_time_to_best(c) : sl_aco_time_to_best(c);
        sum_it += (double)sl_aco_iterations(c);
        sum_wall += sl_aco_seconds(c);
        sl_aco_destroy(c);
    }
    if (use_iters) {
        printf("%-10s %-5s %-6s %2dT %6.0f iterations  mean %6.3f%%  best %6.3f%%  "
               "wall %7.3fs per run\n", in->name, argv[3], argv[4], threads, limit, sum_ex / seeds,
               best_ex, sum_wall / seeds);
        sl_instance_destroy(in);
        return 0;
    }
    printf("%-10s %-5s %-6s %2dT %-4s %6.2fs  mean %6.3f%%  best %6.3f%%  opt %2d/%-2d  "
           "ttb %7.3fs  iters %8.0f\n", in->name, argv[3], argv[4], threads, use_cpu ? "cpu" : "wall",
           limit, sum_ex / seeds, best_ex, hits, seeds, sum_ttb / seeds, sum_it / seeds);
    sl_instance_destroy(in);
    return 0;
}
