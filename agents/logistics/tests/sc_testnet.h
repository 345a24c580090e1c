/* sc_testnet.h - the network most supply-chain tests use: a supplier (id 1), a warehouse (id 2,
 * the fleet's depot, at (50, 50) or on a road node) and stores (ids 101, 102, ...) at given plane
 * positions or road nodes. Stock 400 at the warehouse (base-stock 600, lead 1), 12 at stores
 * ((s, S) = (6, 20), Poisson demand 1). */
#ifndef SC_TESTNET_H
#define SC_TESTNET_H

#include "swarmlab/supply_chain.h"

#define SC_TESTNET_MAX 64

typedef struct sc_testnet {
    sl_sc_site site[2 + SC_TESTNET_MAX];
    int n;
} sc_testnet;

/* nodes == NULL: plane positions x, y; else road nodes (0-based) with the warehouse on wh_node. */
static inline void sc_testnet_make(sc_testnet *t, int ns, const double *x, const double *y,
                                   const int *nodes, int wh_node)
{
    t->n = 2 + ns;
    t->site[0] = sl_sc_site_default(SL_SC_SUPPLIER, 1);
    t->site[0].lead = 2;
    t->site[0].ship_time = 2;
    t->site[1] = sl_sc_site_default(SL_SC_WAREHOUSE, 2);
    t->site[1].x = t->site[1].y = 50;
    t->site[1].node = wh_node;
    t->site[1].stock0 = 400;
    t->site[1].lead = 1;
    t->site[1].source_kind = SL_SC_SOURCE_FIXED;
    t->site[1].source = 1;
    t->site[0].node = wh_node;
    for (int s = 0; s < ns; s++) {
        sl_sc_site *st = &t->site[2 + s];
        *st = sl_sc_site_default(SL_SC_STORE, 101 + s);
        st->stock0 = 12;
        st->source_kind = SL_SC_SOURCE_FIXED;
        st->source = 2;
        if (nodes)
            st->node = nodes[s];
        else {
            st->x = x[s];
            st->y = y[s];
        }
    }
}

static inline sl_sc_def sc_testnet_def(const sc_testnet *t, const char *name, int mode,
                                       uint64_t seed, int nvehicles)
{
    sl_sc_def d = sl_sc_def_default();
    d.name = name;
    d.mode = mode;
    d.seed = seed;
    d.nsites = t->n;
    d.sites = t->site;
    d.depot = 2;
    d.nvehicles = nvehicles;
    return d;
}

/* Sets a field of every store. */
#define SC_TESTNET_STORES(t, field, value)                                                         \
    do {                                                                                          \
        for (int i_ = 2; i_ < (t)->n; i_++)                                                       \
            (t)->site[i_].field = (value);                                                        \
    } while (0)

#endif
