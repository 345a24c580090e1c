/* core.c - an outside program that uses only the installed engine library (swarmlab::core):
 * a world stepped a few times, a generated graph and a shortest path, one random draw. It prints
 * what tests/install/run compares against known values. */
#include <stdio.h>

#include <swarmlab/graph.h>
#include <swarmlab/rng.h>
#include <swarmlab/world.h>

int main(void)
{
    sl_error e;
    sl_world *w = sl_world_create(42);
    if (!w) return 1;
    for (int i = 0; i < 3; i++)
        if (sl_world_step(w, &e) != SL_OK) {
            fprintf(stderr, "core: %s\n", e.msg);
            return 1;
        }
    sl_graph_spec ring = {"ring", 10, 0, 0, 0};
    sl_graph *g = sl_graph_make(&ring, &e);
    double dist[10];
    if (!g || sl_graph_dijkstra(g, 0, dist, NULL, &e) != SL_OK) {
        fprintf(stderr, "core: %s\n", e.msg);
        return 1;
    }
    sl_rng r = sl_rng_make(7, 1, 2, 3);
    printf("steps %llu edges %zu dist %.1f rng %.17g\n",
           (unsigned long long)sl_world_step_count(w), g->ne, dist[5], sl_rng_uniform(&r));
    sl_graph_destroy(g);
    sl_world_destroy(w);
    return 0;
}
