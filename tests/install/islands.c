/* islands.c - an outside MPI program that uses the installed island module (swarmlab::islands,
 * which links MPI): one ant colony per rank on 12 cities on a circle (the optimal tour is the
 * polygon, 624 after EUC_2D rounding), exchanging best tours along the ring every 5 iterations.
 * Rank 0 prints what tests/install/run checks. */
#include <math.h>
#include <stdio.h>

#include <swarmlab/islands.h>
#include <swarmlab/routing.h>

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int rank = 0, size = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    const double pi = 3.14159265358979323846;
    double x[12], y[12];
    for (int i = 0; i < 12; i++) {
        x[i] = 100.0 * cos(2.0 * pi * i / 12.0);
        y[i] = 100.0 * sin(2.0 * pi * i / 12.0);
    }
    sl_error e;
    sl_instance *in = sl_instance_from_coords("circle12", 12, x, y, SL_EW_EUC_2D);
    sl_aco_def def = sl_aco_def_default();
    def.variant = SL_ACO_MMAS;
    def.iterations = 30;
    def.seed = sl_islands_seed(1, rank);
    def.threads = 1;
    sl_aco *c = in ? sl_aco_create(in, &def, &e) : NULL;
    sl_islands_result res;
    if (!c || sl_islands_aco(c, MPI_COMM_WORLD, 5, &res, &e) != SL_OK) {
        fprintf(stderr, "islands: rank %d: %s\n", rank, in ? e.msg : "no instance");
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    if (rank == 0)
        printf("islands ranks %d best %.0f exchanges %lld\n", size, res.best, res.exchanges);
    sl_islands_result_release(&res);
    sl_aco_destroy(c);
    sl_instance_destroy(in);
    MPI_Finalize();
    return 0;
}
