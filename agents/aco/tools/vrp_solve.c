/* vrp_solve - runs the VRP ant colony on one instance file (used by scripts/bench-vrp).
 *
 *   vrp_solve INSTANCE [options]     (vrp_solve --help lists them)
 *
 * Prints one line: name vehicles distance cost unserved cpu_seconds iterations feasible.
 * Exit status 2 on bad input, with one line naming the option or the file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "swarmlab/vrp_aco.h"

static const char HELP[] =
    "usage: vrp_solve INSTANCE [options]\n"
    "Solves one routing instance (Solomon/Homberger, Cordeau, Li & Lim, fleet size and mix, CVRPLIB)\n"
    "with the ant colony and prints: name vehicles distance cost unserved cpu_seconds iterations feasible\n"
    "\n"
    "  --objective vehicles|distance|file  vehicles first, then distance; distance only; or the\n"
    "                              file's own objective (default file)\n"
    "  --cpu S                     stop after S seconds of process CPU time\n"
    "  --time S                    stop after S seconds of wall time\n"
    "  --iterations N              stop after N iterations (default 100 when no limit is given)\n"
    "  --seed N                    random seed (default 1)\n"
    "  --threads T                 threads (results do not depend on it)\n"
    "  --ants N                    ants per iteration\n"
    "  --chains K                  annealing chains (results depend on it; 1..64)\n"
    "  --target-cost C             stop when the cost is at most C\n"
    "  --target-vehicles V --target-distance D   stop at V vehicles and distance at most D\n"
    "  --out FILE                  write the best plan (read back by vrp_check)\n"
    "  --convergence FILE          write the best plan's history (iteration,seconds,cost,vehicles,\n"
    "                              distance,unserved)\n"
    "  --help                      this text\n";

static int bad(const char *what, const char *arg)
{
    fprintf(stderr, "vrp_solve: %s%s (see vrp_solve --help)\n", what, arg);
    return 2;
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(HELP, stdout);
            return 0;
        }
    if (argc < 2 || argv[1][0] == '-') return bad("the first argument must be the instance file", "");
    sl_vrp_aco_def p;
    p = sl_vrp_aco_def_default();
    const char *obj = "file", *out = NULL, *conv = NULL;
    static const char *const numeric[] = {"--cpu", "--time", "--iterations", "--seed", "--threads", "--ants",
                                          "--chains", "--target-cost", "--target-vehicles", "--target-distance"};
    for (int i = 2; i < argc; i++) {
        const char *k = argv[i];
        int known = strcmp(k, "--objective") == 0 || strcmp(k, "--out") == 0 || strcmp(k, "--convergence") == 0;
        for (size_t j = 0; j < sizeof numeric / sizeof *numeric; j++) known |= strcmp(k, numeric[j]) == 0;
        if (!known) return bad("unknown option ", k);
        if (i + 1 >= argc) return bad("missing value after ", k);
        const char *val = argv[++i];
        if (strcmp(k, "--objective") == 0) {
            obj = val;
            continue;
        }
        if (strcmp(k, "--out") == 0 || strcmp(k, "--convergence") == 0) {
            *(k[2] == 'o' ? &out : &conv) = val;
            continue;
        }
        char *end;
        double x = strtod(val, &end);
        if (end == val || *end != 0) {
            fprintf(stderr, "vrp_solve: %s: '%s' is not a number (see vrp_solve --help)\n", k, val);
            return 2;
        }
        if (strcmp(k, "--cpu") == 0) p.cpu_time = x;
        else if (strcmp(k, "--time") == 0) p.wall_time = x;
        else if (strcmp(k, "--iterations") == 0) p.iterations = (long long)x;
        else if (strcmp(k, "--seed") == 0) p.seed = (uint64_t)x;
        else if (strcmp(k, "--threads") == 0) p.threads = (int)x;
        else if (strcmp(k, "--ants") == 0) p.ants = (int)x;
        else if (strcmp(k, "--chains") == 0) p.chains = (int)x;
        else if (strcmp(k, "--target-cost") == 0) p.target_cost = x;
        else if (strcmp(k, "--target-vehicles") == 0) p.target_vehicles = (int)x;
        else p.target_distance = x;
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
    else if (strcmp(obj, "file") != 0) {
        sl_vrp_destroy(v);
        return bad("--objective must be vehicles, distance or file, not ", obj);
    }
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
    if (conv && sl_vrp_aco_write_convergence(c, conv, &e) != SL_OK) {
        fprintf(stderr, "vrp_solve: %s\n", e.msg);
        rc = 2;
    }
    printf("%s %d %.4f %.4f %d %.3f %lld %d\n", v->name, k->vehicles, k->distance, k->cost,
           k->unserved, sl_vrp_aco_cpu_seconds(c), sl_vrp_aco_iterations(c), k->feasible);
    sl_vrp_aco_destroy(c);
    sl_vrp_destroy(v);
    return rc;
}
