/* fuzz_run_ini.c - the INI run configuration reader (sl_run_ini_load). */
#include "fuzz_input.h"

#include "run_ini.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sl_run_ini c;
    sl_error e;
    memset(&c, 0, sizeof c);
    (void)sl_run_ini_load(&c, fuzz_file(0, data, size), &e);
    sl_run_ini_release(&c);
    return 0;
}
