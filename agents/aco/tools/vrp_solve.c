/* vrp_solve - runs the VRP ant colony on one instance file (used by scripts/bench-vrp).
 *
 *   vrp_solve INSTANCE [--objective vehicles|distance|file] [--cpu S] [--time S]
 *             [--iterations N] [--seed N] [--threads T] [--ants N] [--chains K] [--target-cost C]
 *             [--target-vehicles V --target-distance D] [--out FILE]
 *
 * Prints one line: name vehicles distance cost unserved cpu_seconds iterations feasible.
 * Exit status 2 on bad input. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "swarmlab/vrp_aco.h"

static int usage(void)
{
    fprintf(stderr, "usage: vrp_solve INSTANCE [--objective vehicles|distance|file] [--cpu S] "
                    "[--time S] [--iterations N] [--seed N] [--threads T] [--ants N] [--chains K] [--target-cost C] "
                    "[--target-vehicles V --target-distance D] [--out FILE]\n");
    return 2;
}

int main(int argc, char **argv)
{
    if (argc < 2) return usage();
    sl_vrp_aco_def p;
    p = sl_vrp_aco_def_default();
    const char *obj = "file", *out = NULL;
    for (int i = 2; i < argc; i++) {
        if (i + 1 >= argc) return usage();
        const char *k = argv[i], *val = argv[++i];
        char *end;
        double x = strtod(val, &end);
        int num = *end == 0;
        if (strcmp(k, "--objective") == 0) obj = val;
        else if (strcmp(k, "--out") == 0) out = val;
        else if (!num) return usage();
        else if (strcmp(k, "--cpu") == 0) p.cpu_time = x;
        else if (strcmp(k, "--time") == 0) p.wall_time = x;
        else if (strcmp(k, "--iterations") == 0) p.iterations = (long long)x;
        else if (strcmp(k, "--seed") == 0) p.seed = (uint64_t)x;
        else if (strcmp(k, "--threads") == 0) p.threads = (int)x;
        else if (strcmp(k, "--ants") == 0) p.ants = (int)x;
        else if (strcmp(k, "--chains") == 0) p.chains = (int)x;
        else if (strcmp(k, "--target-cost") == 0) p.target_cost = x;
        else if (strcmp(k, "--target-vehicles") == 0) p.target_vehicles = (int)x;
        else if (strcmp(k, "--target-distance") == 0) p.target_distance = x;
        else return usage();
    }
    if (p.cpu_time == 0 && p.wall_time == 0 && p.iterations == 0) p.iterations = 100;
    sl_error e;
    sl_error_clear(&e);
    sl_vrp *v = sl_vrp_load(argv[1], &e);
    if (!v) {
        fprintf(stderr, "vrp_solve: %s\n", e.msg);
        return 2;
    }
    if (strcmp(obj, "vehicles") == 0) v->objective = SL_VRP_HIERARCHICAL;
    else if (strcmp(obj, "distance") == 0) v->objective = SL_VRP_WEIGHTED;
    else if (strcmp(obj, "file") != 0) return usage();
    sl_vrp_aco *c = sl_vrp_aco_create(&p, v, &e);
    if (!c) {
        fprintf(stderr, "vrp_solve: %s\n", e.msg);
        sl_vrp_destroy(v);
        return 2;
    }
    sl_vrp_aco_run(c, NULL);
    const sl_vrp_kpi *k = sl_vrp_aco_best_kpi(c);
    int rc = 0;
    if (out && sl_vrp_sol_write(out, v, sl_vrp_aco_best(c), &e) != SL_OK) {
        fprintf(stderr, "vrp_solve: %s\n", e.msg);
        rc = 2;
    }
    printf("%s %d %.4f %.4f %d %.3f %lld %d\n", v->name, k->vehicles, k->distance, k->cost,
           k->unserved, sl_vrp_aco_cpu_seconds(c), sl_vrp_aco_iterations(c), k->feasible);
    sl_vrp_aco_destroy(c);
    sl_vrp_destroy(v);
    return rc;
}
