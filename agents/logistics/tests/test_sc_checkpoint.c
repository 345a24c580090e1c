/* test_sc_checkpoint.c - a supply chain checkpoint whose checksum is valid but whose section holds
 * an index out of range (a vehicle at a node that does not exist, an order of a store that does
 * not exist, a stop that is not an order, a contract-net conversation pointing past its bidders)
 * is refused with one line, and the world it was to be restored into is left exactly as it was
 * and keeps running. Reads the supply chain's internal state (sc_internal.h) to craft the files:
 * the section is saved from a deliberately damaged state, so the file's checksum is right. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../src/sc_internal.h"
#include "swarmlab/checkpoint.h"
#include "swarmlab/rng.h"
#include "swarmlab/world.h"
#include "sc_testnet.h"

#define NS 20

static double g_x[NS], g_y[NS];

static sl_sc_def def_for(int mode)
{
    for (int s = 0; s < NS; s++) {
        sl_rng r = sl_rng_make(5, 1, (uint64_t)s, 0);
        g_x[s] = sl_rng_uniform(&r) * 100.0;
        g_y[s] = sl_rng_uniform(&r) * 100.0;
    }
    static sc_testnet net;
    sc_testnet_make(&net, NS, g_x, g_y, NULL, 0);
    return sc_testnet_def(&net, "sc", mode, 31, 4);
}

static sl_world *world_at(int mode, int steps, sl_sc **out)
{
    sl_world *w = sl_world_create(31);
    sl_error e;
    sl_sc_def d = def_for(mode);
    *out = sl_sc_create(w, &d, &e);
    ck_assert_msg(*out != NULL, "%s", e.msg);
    for (int t = 0; t < steps; t++) ck_assert_msg(sl_world_step(w, &e) == SL_OK, "%s", e.msg);
    return w;
}

/* The supply chain's own serialisation of its state (to compare before and after). */
static char *sc_bytes(sl_sc *sc, size_t *n)
{
    char *mem = NULL;
    FILE *f = open_memstream(&mem, n);
    sl_error e;
    ck_assert_int_eq(slp_sc_checkpoint_save(sc, f, &e), SL_OK);
    fclose(f);
    return mem;
}

typedef void (*damage_fn)(sl_sc *sc, void **undo);

static void bad_vehicle_loc(sl_sc *sc, void **undo)
{
    (void)undo;
    sc->veh[1].loc = sc->N + 5;
}
static void bad_vehicle_target(sl_sc *sc, void **undo)
{
    (void)undo;
    sc->veh[0].target = -3;
}
static void bad_order_store(sl_sc *sc, void **undo)
{
    (void)undo;
    ck_assert_uint_gt(sc->norders, 0);
    sc->orders[0].site = sc->N;
}
static void bad_order_vehicle(sl_sc *sc, void **undo)
{
    (void)undo;
    sc->orders[sc->norders - 1].vehicle = sc->V + 1;
}
static void bad_stop(sl_sc *sc, void **undo)
{
    /* give vehicle 2 a stop that is not an order (room for it first) */
    sc_vehicle *v = &sc->veh[2];
    ck_assert(slp_sc_stops_grow(v, v->nstops + 1));
    v->stops[v->nstops++] = (int)sc->norders + 7;
    *undo = v;
}
static void bad_quantity(sl_sc *sc, void **undo)
{
    (void)undo;
    sc->inv[3] = NAN;
}

START_TEST(out_of_range_sections_are_refused)
{
    static const struct {
        const char *what;
        damage_fn damage;
        const char *want;
    } cases[] = {
        {"vehicle loc", bad_vehicle_loc, "node that does not exist"},
        {"vehicle target", bad_vehicle_target, "node that does not exist"},
        {"order site", bad_order_store, "site, product, status or vehicle"},
        {"order vehicle", bad_order_vehicle, "site, product, status or vehicle"},
        {"stop", bad_stop, "stop is not an order"},
        {"quantity", bad_quantity, "not finite"},
    };
    char path[64];
    snprintf(path, sizeof path, "/tmp/sl_sc_ckpt_%d.bin", (int)getpid());
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        for (int mode = 0; mode < 2; mode++) {
            sl_error e;
            sl_sc *src;
            sl_world *a = world_at(mode, 60, &src);
            void *undo = NULL;
            cases[k].damage(src, &undo);
            ck_assert_int_eq(sl_checkpoint_save(a, path, "sc", &e), SL_OK);
            if (undo) ((sc_vehicle *)undo)->nstops--;
            sl_world_destroy(a);

            /* a world of the same layout at another step: refused, and unchanged */
            sl_sc *dst;
            sl_world *b = world_at(mode, 25, &dst);
            uint64_t hash = sl_world_hash(b), step = sl_world_step_count(b);
            size_t n0, n1;
            char *before = sc_bytes(dst, &n0);
            ck_assert_int_eq(sl_checkpoint_restore(b, path, NULL, &e), SL_ERR_PARSE);
            ck_assert_msg(strstr(e.msg, path) && strstr(e.msg, cases[k].want), "%s (mode %d): %s",
                          cases[k].what, mode, e.msg);
            char *after = sc_bytes(dst, &n1);
            ck_assert_msg(n0 == n1 && memcmp(before, after, n0) == 0,
                          "%s (mode %d): the supply chain changed", cases[k].what, mode);
            ck_assert_uint_eq(sl_world_hash(b), hash);
            ck_assert_uint_eq(sl_world_step_count(b), step);
            free(before);
            free(after);
            /* and it runs on */
            for (int t = 0; t < 20; t++)
                ck_assert_msg(sl_world_step(b, &e) == SL_OK, "%s", e.msg);
            sl_world_destroy(b);
        }
    }
    unlink(path);
}
END_TEST

START_TEST(contract_net_indices_are_checked)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/sl_sc_cnet_%d.bin", (int)getpid());
    sl_error e;
    sl_sc *src;
    sl_world *a = world_at(SL_SC_CONTRACT_NET, 60, &src);
    ck_assert_ptr_nonnull(src->cnet);
    ck_assert_int_eq(sl_checkpoint_save(a, path, "sc", &e), SL_OK);
    /* find the first conversation in the file by its id and push its bidders past the end */
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)n);
    ck_assert_uint_eq(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    const sl_cn_conv *c0 = sl_cnet_conv(src->cnet, 1);
    ck_assert_ptr_nonnull(c0);
    long at = -1;
    for (long i = 32; i + (long)sizeof *c0 <= n && at < 0; i++)
        if (memcmp(b + i, c0, sizeof *c0) == 0) at = i;
    ck_assert_msg(at >= 0, "conversation 1 not found in the file");
    sl_cn_conv c = *c0;
    c.first_bidder = (size_t)1 << 40;
    memcpy(b + at, &c, sizeof c);
    uint64_t h = 0xcbf29ce484222325ull;
    for (long i = 32; i < n; i++) {
        h ^= b[i];
        h *= 0x100000001b3ull;
    }
    memcpy(b + 24, &h, 8);
    f = fopen(path, "wb");
    ck_assert_uint_eq(fwrite(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    free(b);
    sl_world_destroy(a);

    sl_sc *dst;
    sl_world *w = world_at(SL_SC_CONTRACT_NET, 25, &dst);
    size_t n0, n1;
    char *before = sc_bytes(dst, &n0);
    ck_assert_int_eq(sl_checkpoint_restore(w, path, NULL, &e), SL_ERR_PARSE);
    ck_assert_msg(strstr(e.msg, "corrupt contract net section (conversation 1)"), "%s", e.msg);
    char *after = sc_bytes(dst, &n1);
    ck_assert(n0 == n1 && memcmp(before, after, n0) == 0);
    free(before);
    free(after);
    for (int t = 0; t < 20; t++) ck_assert_msg(sl_world_step(w, &e) == SL_OK, "%s", e.msg);
    sl_world_destroy(w);
    unlink(path);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sc_checkpoint");
    TCase *t = tcase_create("sc_checkpoint");
    tcase_set_timeout(t, 120);
    tcase_add_test(t, out_of_range_sections_are_refused);
    tcase_add_test(t, contract_net_indices_are_checked);
    suite_add_tcase(s, t);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
