/* fuzz_sweep_ini.c - the sweep INI reader (sl_sweep_ini_load), then the grid it declares. */
#include "fuzz_input.h"

#include "sweep.h"
#include "sweep_ini.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sl_sweep s;
    sl_sweep_ini got;
    sl_error e;
    memset(&s, 0, sizeof s);
    memset(&got, 0, sizeof got);
    if (sl_sweep_ini_load(&s, &got, fuzz_file(0, data, size), &e) == SL_OK) {
        size_t points = 1;
        for (int a = 0; a < s.grid.naxes && points < 1000000; a++)
            points *= (size_t)s.grid.axes[a].nvalues;
        for (int a = 0; a < s.grid.naxes && points > 0; a++)
            (void)sl_sweep_grid_value(&s.grid, points - 1, a);
    }
    sl_sweep_release(&s);
    return 0;
}
