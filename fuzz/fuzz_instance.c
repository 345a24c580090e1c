/* fuzz_instance.c - TSPLIB / CVRPLIB instance reader (sl_instance_load). */
#include "fuzz_input.h"

#include "swarmlab/routing.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sl_error e;
    sl_instance *in = sl_instance_load(fuzz_file(0, data, size), &e);
    if (in && in->n > 1) (void)sl_dist(in, 0, in->n - 1);
    sl_instance_destroy(in);
    return 0;
}
