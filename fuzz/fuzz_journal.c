/* fuzz_journal.c - the sweep journal reader (sl_journal_load, runs.csv of a sweep). */
#include "fuzz_input.h"

#include "sweep_journal.h"

static const char *const header[] = {"run", "point", "replicate", "n", "seed", "status", "error",
                                     "wall_seconds", "steps", "best"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sl_csv_row *rows = NULL;
    size_t nrows = 0, dropped = 0;
    sl_error e;
    if (sl_journal_load(fuzz_file(0, data, size), header, 10, &rows, &nrows, &dropped, &e) == SL_OK)
        sl_journal_rows_release(rows, nrows);
    return 0;
}
