/* fuzz_vrp.c - the VRP instance readers (sl_vrp_load: Solomon / Homberger, Cordeau, Li & Lim,
 * fleet size and mix, CVRPLIB; the format is taken from the content). */
#include "fuzz_input.h"

#include "swarmlab/vrp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sl_error e;
    sl_vrp *v = sl_vrp_load(fuzz_file(0, data, size), &e);
    sl_vrp_destroy(v);
    return 0;
}
