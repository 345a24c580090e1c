/* sc_trips.c - routes.csv: the fleet's trips (one per departure, recorded by sc_fleet.c) with
 * their stops and loads taken from the order ledger (vehicle and route number of each order). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sc_internal.h"

typedef struct trip_stop {
    int vehicle, route;
    uint64_t seq;       /* delivery number; stops not delivered yet sort last */
    size_t order;
} trip_stop;

static int cmp_stop(const void *a, const void *b)
{
    const trip_stop *x = a, *y = b;
    if (x->vehicle != y->vehicle)
        return x->vehicle < y->vehicle ? -1 : 1;
    if (x->route != y->route)
        return x->route < y->route ? -1 : 1;
    if (x->seq != y->seq)
        return x->seq < y->seq ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* Index of the first stop of (vehicle, route) in the sorted stops, or n. */
static size_t first_stop(const trip_stop *s, size_t n, int vehicle, int route)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s[mid].vehicle < vehicle || (s[mid].vehicle == vehicle && s[mid].route < route))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

sl_status sl_sc_write_routes(const sl_sc *sc, const char *path, sl_error *e)
{
    size_t n = 0;
    for (size_t i = 0; i < sc->norders; i++)
        n += sc->orders[i].vehicle >= 0 && sc->orders[i].route >= 1;
    trip_stop *s = malloc((n ? n : 1) * sizeof *s);
    if (!s)
        return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", path);
    n = 0;
    for (size_t i = 0; i < sc->norders; i++) {
        const slp_sc_order *o = &sc->orders[i];
        if (o->vehicle < 0 || o->route < 1)
            continue;
        s[n].vehicle = o->vehicle;
        s[n].route = o->route;
        s[n].seq = o->status == SLP_SC_DELIVERED ? o->fleet_t : SLP_SC_NEVER;
        s[n].order = i;
        n++;
    }
    qsort(s, n, sizeof *s, cmp_stop);
    char part[4096];
    if (snprintf(part, sizeof part, "%s.part", path) >= (int)sizeof part) {
        free(s);
        return sl_error_set(e, SL_ERR_IO, "%s: path too long", path);
    }
    FILE *f = fopen(part, "w");
    if (!f) {
        free(s);
        return sl_error_set(e, SL_ERR_IO, "%s: cannot write", path);
    }
    fputs("vehicle,type,depot,route,stops,load,distance,start,end\n", f);
    for (size_t t = 0; t < sc->ntrips; t++) {
        const slp_sc_trip *tr = &sc->trip[t];
        const sc_vehicle *v = &sc->veh[tr->vehicle];
        double dist = tr->end == SLP_SC_NEVER ? v->distance - tr->dist0 : tr->distance;
        fprintf(f, "%d,%s,%lld,%d,", tr->vehicle + 1,
                sc->fleet[v->fleet].def.types[v->type].name, sc->site[v->depot].id, tr->route);
        double load = 0.0;
        for (size_t k = first_stop(s, n, tr->vehicle, tr->route);
             k < n && s[k].vehicle == tr->vehicle && s[k].route == tr->route; k++) {
            const slp_sc_order *o = &sc->orders[s[k].order];
            fprintf(f, "%s%lld", load > 0.0 ? " " : "", sc->site[o->site].id);
            load += o->qty;
        }
        fprintf(f, ",%.17g,%.17g,%llu,", load, dist, (unsigned long long)tr->start);
        if (tr->end != SLP_SC_NEVER)
            fprintf(f, "%llu", (unsigned long long)tr->end);
        fputc('\n', f);
    }
    free(s);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad || rename(part, path) != 0) {
        remove(part);
        return sl_error_set(e, SL_ERR_IO, "%s: write failed", path);
    }
    return SL_OK;
}
