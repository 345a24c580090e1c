/* test_checkpoint_trust.c - checkpoints whose checksum is valid but whose content is crafted or
 * corrupt: a step beyond 2^63, files that are not regular files, a module section that fails
 * half way (the world, engine state and every module, must be left as it was), out-of-range bus
 * messages, the parameter record of version 2 files, and an empty bus written without
 * fwrite(NULL, ...) (UBSan in the sanitizer build). */
#include <check.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "swarmlab/bus.h"
#include "swarmlab/checkpoint.h"
#include "swarmlab/pop.h"
#include "swarmlab/world.h"

static char g_dir[64];

static void setup(void)
{
    snprintf(g_dir, sizeof g_dir, "/tmp/sl_ckpt_trust_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(g_dir));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    ck_assert_int_eq(system(cmd), 0);
}

static const char *path_of(const char *name)
{
    static char p[4][256];
    static int k;
    char *s = p[k++ % 4];
    snprintf(s, 256, "%s/%s", g_dir, name);
    return s;
}

/* ---- a small world with a module attachment "probe" (4 ints, each must be below 100) ---- */

typedef struct probe {
    int v[4];
} probe;

static sl_status probe_save(void *data, FILE *f, sl_error *e)
{
    (void)e;
    return fwrite(((probe *)data)->v, sizeof(int), 4, f) == 4 ? SL_OK : SL_ERR_IO;
}

/* Writes straight into the module's data and checks afterwards: a loader that fails half way. */
static sl_status probe_load(void *data, FILE *f, const char *path, sl_error *e)
{
    probe *p = data;
    for (int i = 0; i < 4; i++) {
        if (fread(&p->v[i], sizeof(int), 1, f) != 1)
            return sl_error_set(e, SL_ERR_PARSE, "%s: probe section too short", path);
        if (p->v[i] >= 100)
            return sl_error_set(e, SL_ERR_PARSE, "%s: probe value %d out of range", path, p->v[i]);
    }
    return SL_OK;
}

static void free_probe(void *p) { free(p); }

static sl_world *make_world(probe **pa, probe **pb)
{
    sl_error e;
    sl_world *w = sl_world_create(5);
    sl_pop *pop = sl_world_add_pop(w, "a", &e);
    ck_assert_ptr_nonnull(pop);
    ck_assert_int_eq(sl_pop_add_column(pop, "x", SL_F64, &e), 0);
    sl_pop_spawn(pop, 10);
    const char *names[2] = {"probe_a", "probe_b"};
    probe **out[2] = {pa, pb};
    for (int k = 0; k < 2; k++) {
        probe *p = calloc(1, sizeof *p);
        ck_assert_ptr_nonnull(p);
        ck_assert_int_eq(sl_world_attach(w, names[k], p, free_probe, &e), SL_OK);
        ck_assert_int_eq(sl_checkpoint_register(w, names[k], probe_save, probe_load, &e), SL_OK);
        *out[k] = p;
    }
    return w;
}

static void set_state(sl_world *w, probe *a, probe *b, double x, int va, int vb_last)
{
    sl_pop *pop = sl_world_pop_at(w, 0);
    for (size_t s = 0; s < sl_pop_count(pop); s++) sl_pop_set(pop, 0, s, x);
    for (int i = 0; i < 4; i++) {
        a->v[i] = va;
        b->v[i] = i == 3 ? vb_last : va;
    }
}

static uint64_t fnv1a(const unsigned char *b, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

static unsigned char *read_all(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)len);
    ck_assert_ptr_nonnull(b);
    ck_assert_uint_eq(fread(b, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    *n = (size_t)len;
    return b;
}

/* Writes b with its checksum recomputed: what a crafted file looks like. */
static void write_resealed(const char *path, unsigned char *b, size_t n)
{
    uint64_t sum = fnv1a(b + 32, n - 32);
    memcpy(b + 24, &sum, 8);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(b, 1, n, f), n);
    fclose(f);
}

START_TEST(step_beyond_int64_is_refused)
{
    probe *a, *b;
    sl_world *w = make_world(&a, &b);
    sl_error e;
    const char *p = path_of("w.bin");
    ck_assert_int_eq(sl_checkpoint_save(w, p, "x.lua", &e), SL_OK);
    size_t n;
    unsigned char *buf = read_all(p, &n);
    uint64_t step = (uint64_t)1 << 63;
    memcpy(buf + 32, &step, 8); /* the payload starts with the step */
    const char *q = path_of("crafted.bin");
    write_resealed(q, buf, n);
    sl_checkpoint_info info;
    ck_assert_int_eq(sl_checkpoint_peek(q, &info, &e), SL_ERR_PARSE);
    ck_assert_msg(strstr(e.msg, "step") && strstr(e.msg, "out of range"), "%s", e.msg);
    ck_assert_int_eq(sl_checkpoint_restore(w, q, NULL, &e), SL_ERR_PARSE);
    ck_assert_uint_eq(sl_world_step_count(w), 0);
    /* the largest valid step passes */
    step = (uint64_t)INT64_MAX;
    memcpy(buf + 32, &step, 8);
    write_resealed(q, buf, n);
    ck_assert_int_eq(sl_checkpoint_peek(q, &info, &e), SL_OK);
    ck_assert_uint_eq(info.step, (uint64_t)INT64_MAX);
    free(buf);
    sl_world_destroy(w);
}
END_TEST

START_TEST(only_regular_files_are_read)
{
    sl_error e;
    sl_checkpoint_info info;
    ck_assert_int_eq(sl_checkpoint_peek("/dev/zero", &info, &e), SL_ERR_IO);
    ck_assert_msg(strstr(e.msg, "/dev/zero: checkpoint is not a regular file"), "%s", e.msg);
    ck_assert_int_eq(sl_checkpoint_peek(g_dir, &info, &e), SL_ERR_IO);
    ck_assert_msg(strstr(e.msg, "not a regular file"), "%s", e.msg);
    /* a FIFO with no writer: refused at once, not waited on */
    const char *fifo = path_of("fifo");
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    ck_assert_int_eq(sl_checkpoint_peek(fifo, &info, &e), SL_ERR_IO);
    ck_assert_msg(strstr(e.msg, "not a regular file"), "%s", e.msg);
    ck_assert_int_eq(sl_checkpoint_peek(path_of("missing.bin"), &info, &e), SL_ERR_IO);
    ck_assert_msg(strstr(e.msg, "cannot open checkpoint"), "%s", e.msg);
}
END_TEST

/* A module section that fails after writing into its module: the engine's state and every
 * module (the one that failed and the ones loaded before it) are left as they were. */
START_TEST(corrupt_module_section_leaves_world_unchanged)
{
    probe *a, *b;
    sl_world *w = make_world(&a, &b);
    sl_error e;
    set_state(w, a, b, 1.0, 11, 200); /* probe_b's last value is out of range */
    const char *p = path_of("bad.bin");
    ck_assert_int_eq(sl_checkpoint_save(w, p, "x.lua", &e), SL_OK);
    set_state(w, a, b, 5.0, 7, 7);
    ck_assert_int_eq(sl_checkpoint_restore(w, p, NULL, &e), SL_ERR_PARSE);
    ck_assert_msg(strstr(e.msg, "probe value 200"), "%s", e.msg);
    sl_pop *pop = sl_world_pop_at(w, 0);
    for (size_t s = 0; s < sl_pop_count(pop); s++) ck_assert(sl_pop_get(pop, 0, s) == 5.0);
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(a->v[i], 7);
        ck_assert_int_eq(b->v[i], 7);
    }
    /* a good file restores everything */
    set_state(w, a, b, 2.0, 22, 33);
    ck_assert_int_eq(sl_checkpoint_save(w, p, "x.lua", &e), SL_OK);
    set_state(w, a, b, 5.0, 7, 7);
    ck_assert_int_eq(sl_checkpoint_restore(w, p, NULL, &e), SL_OK);
    ck_assert(sl_pop_get(pop, 0, 0) == 2.0);
    ck_assert_int_eq(a->v[0], 22);
    ck_assert_int_eq(b->v[3], 33);
    sl_world_destroy(w);
}
END_TEST

START_TEST(parameters_are_recorded)
{
    probe *a, *b;
    sl_world *w = make_world(&a, &b);
    sl_error e;
    const char *p = path_of("params.bin");
    ck_assert_int_eq(sl_checkpoint_set_params(w, "n=5\nlabel=walkers\n", &e), SL_OK);
    ck_assert_int_eq(sl_checkpoint_save(w, p, "x.lua", &e), SL_OK);
    sl_checkpoint_info info;
    ck_assert_int_eq(sl_checkpoint_peek(p, &info, &e), SL_OK);
    ck_assert_uint_eq(info.version, SL_CHECKPOINT_VERSION);
    ck_assert_str_eq(info.params, "n=5\nlabel=walkers\n");
    ck_assert_int_eq(sl_checkpoint_restore(w, p, &info, &e), SL_OK);
    /* more text than a checkpoint records is refused, not cut */
    char *big = malloc(SL_CHECKPOINT_PARAMS_MAX + 1);
    memset(big, 'x', SL_CHECKPOINT_PARAMS_MAX);
    big[SL_CHECKPOINT_PARAMS_MAX] = '\0';
    ck_assert_int_eq(sl_checkpoint_set_params(w, big, &e), SL_ERR_RANGE);
    free(big);
    sl_world_destroy(w);
}
END_TEST

/* ---- the message bus state ---- */

static size_t bus_bytes(sl_bus *b, char **mem)
{
    size_t len = 0;
    FILE *f = open_memstream(mem, &len);
    ck_assert_ptr_nonnull(f);
    sl_error e;
    ck_assert_int_eq(sl_bus_write(b, f, &e), SL_OK);
    fclose(f);
    return len;
}

static sl_status bus_read_bytes(const char *mem, size_t len, sl_error *e)
{
    sl_bus *b = sl_bus_create();
    FILE *f = fmemopen((void *)mem, len, "rb");
    ck_assert_ptr_nonnull(f);
    sl_status st = sl_bus_read(b, f, "bus.bin", e);
    fclose(f);
    sl_bus_destroy(b);
    return st;
}

START_TEST(bus_messages_are_checked)
{
    sl_bus *b = sl_bus_create();
    sl_error e;
    /* an empty bus: its lists have no arrays yet (no fwrite(NULL, ...)) */
    char *mem = NULL;
    size_t len = bus_bytes(b, &mem);
    ck_assert_int_eq(bus_read_bytes(mem, len, &e), SL_OK);
    free(mem);
    /* one delivered message */
    sl_msg m = sl_msg_to_pop(7, 0, 1, 1, 0);
    m.nd = 1;
    m.d[0] = 3.5;
    ck_assert_int_eq(sl_bus_send(b, 0, &m), SL_OK);
    ck_assert_int_eq(sl_bus_end_step(b, 0), SL_OK);
    ck_assert_uint_eq(sl_bus_get_state(b).ndelivered, 1);
    len = bus_bytes(b, &mem);
    ck_assert_int_eq(bus_read_bytes(mem, len, &e), SL_OK);
    size_t first = 8 + 5 * 8 + sizeof(sl_bus_stats) + 16; /* magic, header, stats, counts */
    ck_assert_uint_eq(len, first + sizeof(sl_msg));
    struct {
        size_t off;
        unsigned char value;
    } bad[] = {{offsetof(sl_msg, nd), 200},      /* more doubles than a message holds */
               {offsetof(sl_msg, nb), 255},      /* more bytes than a message holds */
               {offsetof(sl_msg, to_kind), 9},   /* no such addressing */
               {offsetof(sl_msg, seq), 99}};     /* a sequence number never handed out */
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        char *c = malloc(len);
        memcpy(c, mem, len);
        c[first + bad[k].off] = (char)bad[k].value;
        ck_assert_int_eq(bus_read_bytes(c, len, &e), SL_ERR_PARSE);
        ck_assert_msg(strstr(e.msg, "bus.bin: corrupt message bus state"), "%s", e.msg);
        free(c);
    }
    free(mem);
    sl_bus_destroy(b);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("checkpoint_trust");
    TCase *t = tcase_create("checkpoint_trust");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_add_test(t, step_beyond_int64_is_refused);
    tcase_add_test(t, only_regular_files_are_read);
    tcase_add_test(t, corrupt_module_section_leaves_world_unchanged);
    tcase_add_test(t, parameters_are_recorded);
    tcase_add_test(t, bus_messages_are_checked);
    suite_add_tcase(s, t);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
