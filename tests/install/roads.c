/* roads.c - an outside program that uses the installed road-network module (swarmlab::roads,
 * which links libreadosm): it reads the small town of agents/roads/tests/data (the path is its
 * argument), prints the size of the drivable network, and compares the shortest distance from A
 * (0, 0) to F (0.002, 0.001) - along Main Street, then the one-way C -> F - with the sum of its
 * great-circle legs. It prints what tests/install/run checks. */
#include <math.h>
#include <stdio.h>

#include <swarmlab/roads.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: outside_roads TOWN.osm\n");
        return 2;
    }
    sl_error e;
    sl_roads *r = sl_roads_create(NULL, argv[1], &e);
    if (!r) {
        fprintf(stderr, "roads: %s\n", e.msg);
        return 1;
    }
    const sl_roads_info *in = sl_roads_info_of(r);
    printf("roads nodes %d edges %d\n", in->nodes, in->edges);
    sl_road_snap s[2];
    double d[4];
    if (sl_roads_snap(r, 0.0, 0.0, "A", &s[0], &e) != SL_OK ||
        sl_roads_snap(r, 0.002, 0.001, "F", &s[1], &e) != SL_OK ||
        sl_roads_matrix(r, s, 2, SL_ROAD_DISTANCE, 2, d, &e) != SL_OK) {
        fprintf(stderr, "roads: %s\n", e.msg);
        sl_roads_destroy(r);
        return 1;
    }
    double legs = sl_roads_haversine(0, 0, 0.001, 0) + sl_roads_haversine(0.001, 0, 0.002, 0) +
                  sl_roads_haversine(0.002, 0, 0.002, 0.001);
    printf("A-F %.1f m, by hand: %s\n", d[1], fabs(d[1] - legs) < 1e-6 ? "yes" : "no");
    sl_roads_destroy(r);
    return 0;
}
