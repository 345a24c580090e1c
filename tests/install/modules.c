/* modules.c - an outside program that uses two installed agent modules: the ant colony
 * (swarmlab::aco, which brings swarmlab::routing) on 12 cities on a circle, whose optimal tour is
 * the polygon (12 edges of 52 after EUC_2D rounding: 624), and the particle swarm
 * (swarmlab::pso) on the 5-dimensional sphere. It prints what tests/install/run checks. */
#include <math.h>
#include <stdio.h>

#include <swarmlab/aco.h>
#include <swarmlab/pso.h>
#include <swarmlab/pso_functions.h>
#include <swarmlab/routing.h>

static sl_status sphere(void *user, const double *x, int dim, double *f, double *g, double *h,
                        sl_error *e)
{
    (void)user; (void)g; (void)h; (void)e;
    *f = sl_testfn_sphere(x, dim);
    return SL_OK;
}

int main(void)
{
    sl_error e;
    const double pi = 3.14159265358979323846;
    double x[12], y[12];
    for (int i = 0; i < 12; i++) {
        x[i] = 100.0 * cos(2.0 * pi * i / 12.0);
        y[i] = 100.0 * sin(2.0 * pi * i / 12.0);
    }
    sl_instance *in = sl_instance_from_coords("circle12", 12, x, y, SL_EW_EUC_2D);
    sl_aco_def ad = sl_aco_def_default();
    ad.variant = SL_ACO_MMAS;
    ad.ls = SL_LS_2OPT;
    ad.iterations = 30;
    ad.seed = 1;
    ad.threads = 1;
    sl_aco *c = in ? sl_aco_create(in, &ad, &e) : NULL;
    if (!c || sl_aco_run(c, &e) != SL_OK) {
        fprintf(stderr, "modules: aco: %s\n", in ? e.msg : "no instance");
        return 1;
    }
    printf("aco best %lld iterations %lld\n", sl_aco_best_cost(c), sl_aco_iterations(c));
    sl_aco_destroy(c);
    sl_instance_destroy(in);

    double lo[5], hi[5];
    for (int d = 0; d < 5; d++) {
        lo[d] = -100.0;
        hi[d] = 100.0;
    }
    sl_pso_def pd = sl_pso_def_default(SL_PSO_SPSO2011, 5);
    pd.lower = lo;
    pd.upper = hi;
    pd.max_fes = 20000;
    pd.seed = 7;
    pd.threads = 1;
    sl_pso_problem pb = {sphere, NULL, 1};
    sl_pso *s = sl_pso_create(&pd, &pb, &e);
    if (!s || sl_pso_run(s, &e) != SL_OK) {
        fprintf(stderr, "modules: pso: %s\n", e.msg);
        return 1;
    }
    printf("pso fes %lld below 1e-6: %s\n", sl_pso_fes(s), sl_pso_best_value(s) < 1e-6 ? "yes" : "no");
    sl_pso_destroy(s);
    return 0;
}
