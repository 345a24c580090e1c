/* vrp_check - re-evaluates a routing solution file against its instance with the independent
 * checker and names every violated constraint.
 *
 *   vrp_check INSTANCE SOLUTION
 *
 * Prints one line per violation, then "valid|invalid vehicles=V distance=D cost=C unserved=U".
 * Exit status: 0 valid, 1 violations found, 2 unreadable input or bad usage. */
#include <stdio.h>

#include "swarmlab/vrp.h"

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: vrp_check INSTANCE SOLUTION\n");
        return 2;
    }
    sl_error e;
    sl_error_clear(&e);
    sl_vrp *v = sl_vrp_load(argv[1], &e);
    if (!v) {
        fprintf(stderr, "vrp_check: %s\n", e.msg);
        return 2;
    }
    double dist = 0, cost = 0;
    int veh = 0, un = 0;
    int n = sl_vrp_check_file(v, argv[2], stdout, &dist, &cost, &veh, &un, &e);
    sl_vrp_destroy(v);
    if (n < 0) {
        fprintf(stderr, "vrp_check: %s\n", e.msg);
        return 2;
    }
    printf("%s vehicles=%d distance=%.6f cost=%.6f unserved=%d violations=%d\n",
           n == 0 ? "valid" : "invalid", veh, dist, cost, un, n);
    return n == 0 ? 0 : 1;
}
