/* fuzz_cec.c - the CEC-2017 data reader (sl_cec2017_load): the input's first byte picks the
 * function and dimension, the rest up to a '|' is the shift vector file and after it the rotation
 * matrix file. */
#include "fuzz_input.h"

#include <sys/stat.h>

#include "swarmlab/pso_functions.h"

static char dir[64];

static void put(const char *name, const uint8_t *data, size_t size)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f) abort();
    if (size && fwrite(data, 1, size, f) != size) abort();
    fclose(f);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    snprintf(dir, sizeof dir, "/tmp/swarmlab-fuzz-cec-%d", (int)getpid());
    mkdir(dir, 0700);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int dims[] = {2, 10, 20, 30, 50, 100};
    if (size < 1) return 0;
    int func = 1 + data[0] % 10, dim = dims[(data[0] / 10) % 6];
    const uint8_t *rest = data + 1, *bar = memchr(rest, '|', size - 1);
    size_t n1 = bar ? (size_t)(bar - rest) : size - 1;
    char shift[64], rot[64];
    snprintf(shift, sizeof shift, "shift_data_%d.txt", func);
    snprintf(rot, sizeof rot, "M_%d_D%d.txt", func, dim);
    put(shift, rest, n1);
    put(rot, bar ? bar + 1 : rest, bar ? size - 1 - n1 - 1 : 0);
    sl_error e;
    sl_cec2017 *c = sl_cec2017_load(dir, func, dim, &e);
    if (c) {
        double x[SL_CEC2017_MAXDIM] = {0};
        (void)sl_cec2017_eval(c, x);
    }
    sl_cec2017_destroy(c);
    return 0;
}
