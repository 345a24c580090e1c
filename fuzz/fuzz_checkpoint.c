/* fuzz_checkpoint.c - checkpoint restore (sl_checkpoint_restore): the engine's sections and the
 * module sections of the scenario the harness is built for (SL_FUZZ_SCENARIO with the parameter
 * values SL_FUZZ_SETS, "name=value,..."). The input is the payload: the harness puts a valid
 * header with its checksum in front, so the fuzzer gets past the checksum to the section
 * readers. */
#include "fuzz_input.h"

#include <ftw.h>

#include "swarmlab/checkpoint.h"
#include "swarmlab/lua_host.h"

void sl_lua_open_modules(lua_State *L);

static sl_host *host;
static char out_dir[] = "/tmp/swarmlab-fuzz-checkpoint-XXXXXX";

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

/* The scenario's files (a scenario may write its own CSV files) go to a temporary directory,
 * removed at exit. */
static void remove_out_dir(void) { nftw(out_dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS); }

static uint64_t fnv1a(const uint8_t *b, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    static char sets[] = SL_FUZZ_SETS;
    const char *names[16], *values[16];
    int n = 0;
    char *save = NULL;
    for (char *kv = strtok_r(sets, ",", &save); kv && n < 16; kv = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(kv, '=');
        if (!eq) abort();
        *eq = '\0';
        names[n] = kv;
        values[n++] = eq + 1;
    }
    if (!mkdtemp(out_dir)) abort();
    atexit(remove_out_dir);
    sl_host_def cfg = {
        .scenario = SL_FUZZ_SCENARIO, .out_dir = out_dir, .seed = 1, .threads = 1, .quiet = 1,
        .nset = n,
        .set_names = names, .set_values = values, .open_modules = sl_lua_open_modules,
    };
    sl_error e;
    host = sl_host_create(&cfg, &e);
    if (!host || sl_host_setup(host, &e) != SL_OK) {
        fprintf(stderr, "fuzz_checkpoint: %s\n", e.msg);
        abort();
    }
    sl_host_set_steps(host, 3);
    for (int i = 0; i < 3; i++)
        if (sl_host_step(host, &e) != SL_OK) abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *b = malloc(32 + size);
    if (!b) abort();
    static const uint8_t magic[8] = {'S', 'L', 'C', 'K', 'P', 'T', '\r', '\n'};
    uint32_t version = SL_CHECKPOINT_VERSION, bom = 0x01020304u;
    uint64_t len = size, sum = fnv1a(data, size);
    memcpy(b, magic, 8);
    memcpy(b + 8, &version, 4);
    memcpy(b + 12, &bom, 4);
    memcpy(b + 16, &len, 8);
    memcpy(b + 24, &sum, 8);
    if (size) memcpy(b + 32, data, size);
    sl_error e;
    sl_checkpoint_info info;
    (void)sl_checkpoint_restore(sl_host_world(host), fuzz_file(0, b, 32 + size), &info, &e);
    free(b);
    return 0;
}
