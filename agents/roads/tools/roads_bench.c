/* roads_bench.c - figures for scripts/bench-roads: time to read and build a network, what was kept
 * and dropped, an n x n travel-time matrix on 1 and 2 threads (checked equal), peak memory.
 *   roads_bench FILE.osm.pbf [SITES] [REPEATS] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "swarmlab/roads.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 4) {
        fprintf(stderr, "usage: roads_bench FILE.osm.pbf [SITES] [REPEATS]\n");
        return 2;
    }
    int n = argc > 2 ? atoi(argv[2]) : 1000, reps = argc > 3 ? atoi(argv[3]) : 3;
    if (n < 2 || n > 20000 || reps < 1 || reps > 99) {
        fprintf(stderr, "roads_bench: SITES must be 2..20000 and REPEATS 1..99\n");
        return 2;
    }
    sl_error e;
    double loads[99], cpus[99];
    sl_roads *r = NULL;
    for (int k = 0; k < reps; k++) {
        sl_roads_destroy(r);
        double t0 = now_s(), c0 = cpu_s();
        r = sl_roads_create(NULL, argv[1], &e);
        loads[k] = now_s() - t0;
        cpus[k] = cpu_s() - c0;
        if (!r) {
            fprintf(stderr, "%s\n", e.msg);
            return 1;
        }
    }
    qsort(loads, (size_t)reps, sizeof *loads, cmp_d);
    qsort(cpus, (size_t)reps, sizeof *cpus, cmp_d);
    const sl_roads_info *in = sl_roads_info_of(r);
    printf("file            %s\n", argv[1]);
    printf("read+build      %.3f s wall, %.3f s CPU (medians of %d)\n", loads[reps / 2],
           cpus[reps / 2], reps);
    printf("osm             %lld nodes, %lld ways, %lld drivable\n", in->osm_nodes, in->osm_ways,
           in->drivable_ways);
    printf("kept            %d nodes, %d edges, %.1f km of road\n", in->nodes, in->edges, in->km);
    printf("dropped         %d nodes, %d edges (%d strongly connected components)\n",
           in->nodes_dropped, in->edges_dropped, in->components);
    /* sites: fixed low-discrepancy points of the box that snap within 200 m */
    sl_road_snap *s = malloc((size_t)n * sizeof *s);
    int got = 0;
    double t0 = now_s();
    for (unsigned k = 0; got < n && k < 50u * (unsigned)n; k++) {
        double u = fmod(k * 0.6180339887498949, 1.0), v = fmod(k * 0.7548776662466927, 1.0);
        double lon = in->lon_min + u * (in->lon_max - in->lon_min);
        double lat = in->lat_min + v * (in->lat_max - in->lat_min);
        if (sl_roads_snap(r, lon, lat, "site", &s[got], &e) == SL_OK && s[got].dist_m < 200) got++;
    }
    double tsnap = now_s() - t0;
    printf("snap            %d sites in %.3f s\n", got, tsnap);
    double *m1 = malloc((size_t)got * got * sizeof *m1), *m2 = malloc((size_t)got * got * sizeof *m2);
    for (int threads = 1; threads <= 2; threads++) {
        double ts[99], cs[99];
        for (int k = 0; k < reps; k++) {
            t0 = now_s();
            double c0 = cpu_s();
            if (sl_roads_matrix(r, s, got, SL_ROAD_TIME, threads, threads == 1 ? m1 : m2, &e) != SL_OK) {
                fprintf(stderr, "%s\n", e.msg);
                return 1;
            }
            ts[k] = now_s() - t0;
            cs[k] = cpu_s() - c0;
        }
        qsort(ts, (size_t)reps, sizeof *ts, cmp_d);
        qsort(cs, (size_t)reps, sizeof *cs, cmp_d);
        printf("matrix %dx%d  %.3f s wall, %.3f s CPU on %d thread%s (medians of %d)\n", got, got,
               ts[reps / 2], cs[reps / 2], threads, threads > 1 ? "s" : "", reps);
    }
    int same = memcmp(m1, m2, (size_t)got * got * sizeof *m1) == 0;
    printf("1 vs 2 threads  %s\n", same ? "identical" : "DIFFERENT");
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("peak memory     %.1f MiB (resident, whole process)\n", ru.ru_maxrss / 1024.0);
    free(m1);
    free(m2);
    free(s);
    sl_roads_destroy(r);
    return same ? 0 : 1;
}
