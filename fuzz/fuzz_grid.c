/* fuzz_grid.c - grid specifications of --grid (sl_sweep_grid_add): NAME=V1,V2 or START:STOP:STEP.
 * Each line of the input is one --grid option. */
#include "fuzz_input.h"

#include "sweep_grid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_string(data, size);
    sl_sweep_grid g;
    memset(&g, 0, sizeof g);
    sl_error e;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
        if (sl_sweep_grid_add(&g, line, "--grid", &e) != SL_OK) break;
    for (int a = 0; a < g.naxes; a++) {
        (void)sl_sweep_grid_find(&g, g.axes[a].name);
        (void)sl_sweep_grid_value(&g, 0, a);
    }
    sl_sweep_grid_release(&g);
    free(text);
    return 0;
}
