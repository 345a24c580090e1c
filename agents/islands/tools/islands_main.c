/* islands_main.c - `swarmlab-islands`: island-model ACO or PSO over MPI ranks.
 *
 *   mpirun -np K swarmlab-islands aco INSTANCE.tsp [--variant mmas] [--ants N] [--ls none]
 *                                 [--iterations N] [--every K] [--seed S] [--out DIR]
 *   mpirun -np K swarmlab-islands pso FUNCTION [--dim D] [--swarm S] [--fes N] [--every K]
 *                                 [--seed S] [--out DIR]
 *
 * Rank 0 prints one result line and writes DIR/convergence.csv (iteration, best: the global best
 * after each iteration) and DIR/result.json. Exit status 0, or 2 on bad input.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "swarmlab/islands.h"
#include "swarmlab/pso_functions.h"
#include "swarmlab/routing.h"

typedef struct opts {
    const char *kind, *target, *out, *variant, *ls;
    long long iterations, fes;
    int ants, every, dim, swarm;
    uint64_t seed;
} opts;

static int usage(int rank, const char *msg)
{
    if (rank == 0) {
        if (msg) fprintf(stderr, "swarmlab-islands: %s\n", msg);
        fputs("usage: mpirun -np K swarmlab-islands aco INSTANCE [--variant V] [--ants N] [--ls L]\n"
              "                      [--iterations N] [--every K] [--seed S] [--out DIR]\n"
              "       mpirun -np K swarmlab-islands pso FUNCTION [--dim D] [--swarm S] [--fes N]\n"
              "                      [--every K] [--seed S] [--out DIR]\n",
              msg ? stderr : stdout);
    }
    return msg ? 2 : 0;
}

static int parse(opts *o, int argc, char **argv, int rank)
{
    o->variant = "mmas";
    o->ls = "none";
    o->iterations = 200;
    o->every = 10;
    o->dim = 10;
    o->swarm = 40;
    o->seed = 1;
    int pos = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0) return usage(rank, NULL) ? 2 : 1;
        if (a[0] == '-' && a[1] == '-') {
            if (i + 1 >= argc) return usage(rank, "an option needs a value");
            const char *v = argv[++i];
            char *end;
            long long n = strtoll(v, &end, 10);
            int num_ok = *v && !*end;
            if (strcmp(a, "--variant") == 0) o->variant = v;
            else if (strcmp(a, "--ls") == 0) o->ls = v;
            else if (strcmp(a, "--out") == 0) o->out = v;
            else if (!num_ok) return usage(rank, "expected an integer value");
            else if (strcmp(a, "--iterations") == 0 && n >= 1) o->iterations = n;
            else if (strcmp(a, "--fes") == 0 && n >= 1) o->fes = n;
            else if (strcmp(a, "--ants") == 0 && n >= 1 && n <= 100000) o->ants = (int)n;
            else if (strcmp(a, "--every") == 0 && n >= 1 && n <= 1000000) o->every = (int)n;
            else if (strcmp(a, "--dim") == 0 && n >= 1 && n <= 1000) o->dim = (int)n;
            else if (strcmp(a, "--swarm") == 0 && n >= 1 && n <= 100000) o->swarm = (int)n;
            else if (strcmp(a, "--seed") == 0 && n >= 0) o->seed = (uint64_t)n;
            else return usage(rank, "unknown option or value out of range");
        } else if (pos == 0) {
            o->kind = a;
            pos++;
        } else if (pos == 1) {
            o->target = a;
            pos++;
        } else {
            return usage(rank, "too many arguments");
        }
    }
    if (!o->kind || !o->target) return usage(rank, "need a solver (aco|pso) and an instance or function");
    if (strcmp(o->kind, "aco") != 0 && strcmp(o->kind, "pso") != 0)
        return usage(rank, "the solver is aco or pso");
    return 0;
}

static sl_status sphere_like(void *user, const double *x, int dim, double *f, double *g, double *h,
                             sl_error *e)
{
    (void)g;
    (void)h;
    (void)e;
    *f = ((const sl_testfn *)user)->f(x, dim);
    return SL_OK;
}

static void write_outputs(const opts *o, const sl_islands_result *r, int size)
{
    printf("islands %s %s: %d ranks, every %d, best %.10g (rank %d), %lld iterations, %lld "
           "exchanges, %lld migrants adopted\n",
           o->kind, o->target, size, o->every, r->best, r->best_rank, r->iterations, r->exchanges,
           r->adopted);
    if (!o->out) return;
    mkdir(o->out, 0777);
    char path[4200];
    snprintf(path, sizeof path, "%s/convergence.csv", o->out);
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "swarmlab-islands: %s: %s\n", path, strerror(errno));
        return;
    }
    fputs("iteration,best\n", f);
    for (long long i = 0; i < r->iterations; i++) fprintf(f, "%lld,%.17g\n", i + 1, r->history[i]);
    fclose(f);
    snprintf(path, sizeof path, "%s/result.json", o->out);
    f = fopen(path, "w");
    if (!f) return;
    fprintf(f, "{\n  \"solver\": \"%s\",\n  \"ranks\": %d,\n  \"every\": %d,\n  \"seed\": %llu,\n"
               "  \"best\": %.17g,\n  \"best_rank\": %d,\n  \"iterations\": %lld,\n"
               "  \"exchanges\": %lld,\n  \"adopted\": %lld\n}\n",
            o->kind, size, o->every, (unsigned long long)o->seed, r->best, r->best_rank,
            r->iterations, r->exchanges, r->adopted);
    fclose(f);
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    opts o;
    memset(&o, 0, sizeof o);
    int rc = parse(&o, argc, argv, rank);
    sl_error e;
    sl_error_clear(&e);
    sl_islands_result res;
    memset(&res, 0, sizeof res);
    sl_status st = SL_OK;
    if (rc == 0 && strcmp(o.kind, "aco") == 0) {
        sl_instance *in = sl_instance_load(o.target, &e);
        sl_aco *c = NULL;
        if (in) {
            sl_aco_def p;
            p = sl_aco_def_default();
            int v = sl_aco_variant_parse(o.variant), l = sl_ls_kind_parse(o.ls);
            if (v < 0 || l < 0) {
                sl_error_set(&e, SL_ERR_RANGE, "unknown variant '%s' or local search '%s'", o.variant, o.ls);
            } else {
                p.variant = (sl_aco_variant)v;
                p.ls = (sl_ls_kind)l;
                if (o.ants) p.ants = o.ants;
                p.iterations = o.iterations;
                p.threads = 1;
                p.seed = sl_islands_seed(o.seed, rank);
                c = sl_aco_create(in, &p, &e);
            }
        }
        /* every rank loads the same input, so all fail or none does */
        if (c) st = sl_islands_aco(c, MPI_COMM_WORLD, o.every, &res, &e);
        else st = e.code ? e.code : SL_ERR_STATE;
        sl_aco_destroy(c);
        sl_instance_destroy(in);
    } else if (rc == 0) {
        const sl_testfn *fn = sl_testfn_find(o.target);
        if (!fn) {
            st = sl_error_set(&e, SL_ERR_RANGE, "unknown function '%s'", o.target);
        } else {
            sl_pso_def cfg = sl_pso_def_default(SL_PSO_SPSO2011, o.dim);
            double *lo = malloc((size_t)o.dim * sizeof *lo), *hi = malloc((size_t)o.dim * sizeof *hi);
            for (int d = 0; lo && hi && d < o.dim; d++) {
                lo[d] = fn->lower;
                hi[d] = fn->upper;
            }
            cfg.lower = lo;
            cfg.upper = hi;
            cfg.swarm = o.swarm;
            cfg.optimum = fn->optimum;
            if (o.fes) cfg.max_fes = o.fes;
            cfg.threads = 1;
            cfg.seed = sl_islands_seed(o.seed, rank);
            sl_pso_problem pb = {sphere_like, (void *)fn, 1};
            sl_pso *s = lo && hi ? sl_pso_create(&cfg, &pb, &e) : NULL;
            if (s) st = sl_islands_pso(s, MPI_COMM_WORLD, o.every, &res, &e);
            else st = e.code ? e.code : SL_ERR_NOMEM;
            sl_pso_destroy(s);
            free(lo);
            free(hi);
        }
    }
    if (rc == 0 && st != SL_OK) {
        if (rank == 0) fprintf(stderr, "swarmlab-islands: %s\n", e.msg);
        rc = 2;
    }
    if (rc == 0 && rank == 0) write_outputs(&o, &res, size);
    sl_islands_result_release(&res);
    MPI_Finalize();
    return rc == 1 ? 0 : rc;
}
