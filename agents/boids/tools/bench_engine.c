/* bench_engine.c - flocking throughput and memory per agent (prints figures; not a test).
 *
 *   swarmlab-bench-engine --n 100000 --density 0.02 --radius 5 --threads 2 [--steps S]
 *
 * Prints one line: n, density, radius, threads, steps, seconds, agent-steps/s, bytes/agent
 * (population + flocking system + grid), peak RSS/agent. Steps default to about 2e7 agent-steps. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "swarmlab/boids.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    long n = 10000, steps = 0, threads = 1;
    double density = 0.02, radius = 5;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--n")) n = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--density")) density = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--radius")) radius = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--threads")) threads = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--steps")) steps = atol(argv[i + 1]);
        else {
            fprintf(stderr, "swarmlab-bench-engine: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    if (n < 1 || !(density > 0) || !(radius > 0) || threads < 1) {
        fprintf(stderr, "swarmlab-bench-engine: need n >= 1, density > 0, radius > 0, threads >= 1\n");
        return 2;
    }
    if (steps <= 0) steps = (long)fmax(5, fmin(500, 2e7 / n));
    sl_error e;
    sl_error_clear(&e);
    sl_world *w = sl_world_create(42);
    sl_world_set_threads(w, (int)threads);
    sl_pop *pop = sl_world_add_pop(w, "birds", &e);
    sl_boids_def p = sl_boids_def_default();
    p.width = p.height = sqrt((double)n / density);
    p.radius = radius;
    if (sl_boids_attach(w, pop, &p, &e) != SL_OK || sl_boids_spawn(w, pop, (size_t)n, &e) != SL_OK) {
        fprintf(stderr, "swarmlab-bench-engine: %s\n", e.msg);
        return 2;
    }
    for (int i = 0; i < 3; i++) sl_world_step(w, &e); /* warm-up: sorts the birds by cell */
    double t0 = now();
    for (long i = 0; i < steps; i++) {
        if (sl_world_step(w, &e) != SL_OK) {
            fprintf(stderr, "swarmlab-bench-engine: %s\n", e.msg);
            return 2;
        }
    }
    double dt = now() - t0;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    size_t bytes = sl_pop_bytes(pop) + sl_boids_bytes(w, pop);
    printf("n=%ld density=%g radius=%g threads=%ld steps=%ld seconds=%.3f agent_steps_per_s=%.0f "
           "bytes_per_agent=%.1f peak_rss_per_agent=%.1f\n",
           n, density, radius, threads, steps, dt, (double)n * steps / dt, (double)bytes / n,
           ru.ru_maxrss * 1024.0 / n);
    sl_world_destroy(w);
    return 0;
}
