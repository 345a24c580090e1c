/* fuzz_vrp_solution.c - the VRP solution reader of the independent checker (sl_vrp_check_file)
 * against a small fixed VRPTW instance. */
#include "fuzz_input.h"

#include "swarmlab/vrp.h"

static sl_vrp *inst;

static const char instance[] =
    "FUZZ\n\nVEHICLE\nNUMBER     CAPACITY\n  3         50\n\nCUSTOMER\n"
    "CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME\n\n"
    "    0      40         50          0          0       1236          0\n"
    "    1      45         68         10          0        967         90\n"
    "    2      45         70         30          0        900         90\n"
    "    3      42         66         10          0        800         90\n"
    "    4      42         68         10          0        700         90\n"
    "    5      35         40         20          0       1100         90\n";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    sl_error e;
    inst = sl_vrp_load(fuzz_file(1, (const uint8_t *)instance, sizeof instance - 1), &e);
    if (!inst) {
        fprintf(stderr, "fuzz_vrp_solution: %s\n", e.msg);
        abort();
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sl_error e;
    double dist, cost;
    int veh, unserved;
    (void)sl_vrp_check_file(inst, fuzz_file(0, data, size), NULL, &dist, &cost, &veh, &unserved, &e);
    return 0;
}
