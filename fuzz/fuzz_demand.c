/* fuzz_demand.c - the demand table CSV reader of the logistics module (sl_demand_load_csv). */
#include "fuzz_input.h"

#include "swarmlab/inventory.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sl_demand d;
    memset(&d, 0, sizeof d);
    sl_error e;
    if (sl_demand_load_csv(&d, fuzz_file(0, data, size), &e) == SL_OK) {
        (void)sl_demand_mean(&d, 3, 5);
        (void)sl_demand_draw(&d, 1, 2, 7);
    }
    sl_demand_release(&d);
    return 0;
}
