/* fuzz_solution.c - TSP tour and CVRP route solution readers (sl_tour_read, sl_routes_read)
 * against a fixed 8-city instance. */
#include "fuzz_input.h"

#include "swarmlab/routing.h"

#define N 8

static sl_instance *tsp, *cvrp;

static sl_instance *make(void)
{
    double x[N], y[N];
    for (int i = 0; i < N; i++) {
        x[i] = (i * 37) % 100;
        y[i] = (i * 53) % 100;
    }
    return sl_instance_from_coords("fuzz", N, x, y, SL_EW_EUC_2D);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    sl_error e;
    int demand[N] = {0, 3, 4, 2, 5, 1, 6, 2};
    tsp = make();
    cvrp = make();
    if (!tsp || !cvrp || sl_instance_make_cvrp(cvrp, 10, demand, 0, &e) != SL_OK) abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_file(0, data, size);
    sl_error e;
    int tour[N];
    long long len;
    (void)sl_tour_read(path, tsp, tour, &len, &e);
    sl_routes r;
    sl_routes_init(&r);
    long long cost;
    if (sl_routes_read(path, cvrp, &r, &cost, &e) == SL_OK) (void)sl_routes_check(cvrp, &r, &e);
    sl_routes_release(&r);
    return 0;
}
