/* candidates.c - nearest-neighbour candidate lists (O(n k) memory). */
#include "swarmlab/routing.h"

#include <stdlib.h>

/* Inserts (d, j) into the sorted top list of length *len (capacity k); ties broken by index. */
static void top_insert(int *ids, int *ds, int *len, int k, int j, int d)
{
    int m = *len;
    if (m == k && (d > ds[m - 1] || (d == ds[m - 1] && j > ids[m - 1]))) return;
    if (m < k) m++;
    int p = m - 1;
    while (p > 0 && (ds[p - 1] > d || (ds[p - 1] == d && ids[p - 1] > j))) {
        ds[p] = ds[p - 1];
        ids[p] = ids[p - 1];
        p--;
    }
    ds[p] = d;
    ids[p] = j;
    *len = m;
}

int *sl_candidates_build(const sl_instance *in, int k, int threads)
{
    int n = in->n;
    if (k > n - 1) k = n - 1;
    if (k < 1) k = 1;
    int *cand = malloc((size_t)n * (size_t)k * sizeof *cand);
    if (!cand) return NULL;
    int failed = 0;
    if (threads < 1) threads = 1;
    #pragma omp parallel num_threads(threads) reduction(| : failed)
    {
        int *ds = malloc((size_t)k * sizeof *ds);
        if (!ds) failed = 1;
        #pragma omp for schedule(dynamic, 64)
        for (int i = 0; i < n; i++) {
            if (!ds) continue;
            int *ids = cand + (size_t)i * (size_t)k, len = 0;
            if (n == 1) { ids[0] = 0; continue; }
            for (int j = 0; j < n; j++)
                if (j != i) top_insert(ids, ds, &len, k, j, sl_dist(in, i, j));
        }
        free(ds);
    }
    if (failed) { free(cand); return NULL; }
    return cand;
}
