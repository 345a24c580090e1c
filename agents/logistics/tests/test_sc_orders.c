/* test_sc_orders.c - the order ledger: every step the READY orders hold exactly the depot's
 * reserved units and are listed once by slp_sc_ready_orders, orders in transit are on vehicles,
 * delivered quantities add up to the KPIs, times are in order, and the ledger refuses to dispatch
 * or deliver an order in the wrong state. Reads the supply chain's internal state. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../src/sc_internal.h"
#include "swarmlab/rng.h"
#include "swarmlab/world.h"
#include "sc_testnet.h"

#define NS 25

static void check_ledger(const sl_sc *sc, int step)
{
    double ready[SL_SC_MAX_PROD] = {0}, transit[SL_SC_MAX_PROD] = {0}, delivered = 0.0;
    size_t nready = 0;
    for (size_t i = 0; i < sc->norders; i++) {
        const slp_sc_order *o = &sc->orders[i];
        ck_assert_uint_eq(o->id, i + 1);
        ck_assert(o->qty > 0 && o->qty == floor(o->qty));
        ck_assert(o->promised > o->created);
        switch (o->status) {
        case SLP_SC_READY:
            ready[o->product] += o->qty;
            nready++;
            ck_assert(o->ready >= o->pick_after && o->ready != SLP_SC_NEVER);
            break;
        case SLP_SC_TRANSIT:
            transit[o->product] += o->qty;
            ck_assert(o->dispatched >= o->ready);
            /* by vehicle (a route of a vehicle) or shipped directly */
            ck_assert(slp_sc_by_vehicle(sc, o) ? o->vehicle >= 0 && o->route >= 1
                                               : o->vehicle == -1);
            break;
        case SLP_SC_DELIVERED:
            delivered += o->qty;
            ck_assert(o->delivered >= o->dispatched && o->dispatched >= o->ready &&
                      o->ready >= o->created);
            break;
        default:
            ck_assert(o->status == SLP_SC_SENT || o->status == SLP_SC_OPEN);
            ck_assert(o->ready == SLP_SC_NEVER);
        }
    }
    for (int p = 0; p < sc->P; p++) {
        double reserved = 0.0;
        for (int i = 0; i < sc->N; i++)
            reserved += sc->reserved[(size_t)i * (size_t)sc->P + (size_t)p];
        ck_assert_msg(fabs(ready[p] - reserved) < 1e-6, "step %d: ready %g reserved %g",
                      step, ready[p], reserved);
        /* vehicles carry the orders in transit plus their float */
        ck_assert_msg(transit[p] <= sc->transit[p] + 1e-6, "step %d: transit %g > %g", step,
                      transit[p], sc->transit[p]);
    }
    ck_assert_msg(fabs(delivered - sc->tot.delivered) < 1e-6, "step %d: ledger %g, KPI %g", step,
                  delivered, sc->tot.delivered);
    size_t *list = malloc((nready + 1) * sizeof *list);
    ck_assert_uint_eq(slp_sc_ready_orders(sc, 0, list, nready + 1), nready);
    for (size_t k = 0; k < nready; k++) {
        ck_assert_int_eq(sc->orders[list[k]].status, SLP_SC_READY);
        if (k > 0)
            ck_assert(list[k] > list[k - 1]); /* id order, each once */
    }
    free(list);
}

START_TEST(test_ledger_every_step)
{
    double x[NS], y[NS];
    for (int s = 0; s < NS; s++) {
        sl_rng r = sl_rng_make(5, 1, (uint64_t)s, 0);
        x[s] = sl_rng_uniform(&r) * 100.0;
        y[s] = sl_rng_uniform(&r) * 100.0;
    }
    for (int mode = 0; mode < 2; mode++) {
        static sc_testnet net;
        sc_testnet_make(&net, NS, x, y, NULL, 0);
        sl_sc_def d = sc_testnet_def(&net, "ledger", mode, 31, 3); /* tight: orders wait READY */
        d.nprod = 2;
        sl_world *w = sl_world_create(d.seed);
        sl_error e;
        sl_sc *sc = sl_sc_create(w, &d, &e);
        ck_assert_msg(sc != NULL, "%s", e.msg);
        size_t max_ready = 0;
        for (int t = 0; t < 150; t++) {
            ck_assert_msg(sl_world_step(w, &e) == SL_OK, "%s", e.msg);
            check_ledger(sc, t);
            size_t n = slp_sc_ready_orders(sc, 0, NULL, 0);
            max_ready = n > max_ready ? n : max_ready;
        }
        ck_assert(sc->tot.delivered > 0);
        ck_assert(max_ready > 0);
        /* wrong states are refused with the order named */
        size_t delivered = sc->norders;
        for (size_t i = 0; i < sc->norders; i++)
            if (sc->orders[i].status == SLP_SC_DELIVERED) {
                delivered = i;
                break;
            }
        ck_assert(delivered < sc->norders);
        ck_assert_int_eq(slp_sc_order_dispatched(sc, delivered, 0, 1, 150, &e), SL_ERR_STATE);
        ck_assert_int_eq(slp_sc_order_delivered(sc, delivered, 150, &e), SL_ERR_STATE);
        ck_assert(strstr(e.msg, "not in transit") != NULL);
        ck_assert_int_eq(slp_sc_order_dispatched(sc, sc->norders, 0, 1, 150, &e), SL_ERR_STATE);
        sl_world_destroy(w);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sc_orders");
    TCase *tc = tcase_create("ledger");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_ledger_every_step);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
