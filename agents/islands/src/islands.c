/* islands.c - ring migration of best solutions between solvers on MPI ranks. */
#include "swarmlab/islands.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "swarmlab/rng.h"

uint64_t sl_islands_seed(uint64_t seed, int rank) { return sl_seed_mix(seed, (uint64_t)rank); }

void sl_islands_result_release(sl_islands_result *r)
{
    free(r->history);
    r->history = NULL;
}

static int push_history(sl_islands_result *r, long long *cap, double v)
{
    if (r->iterations == *cap) {
        long long nc = *cap ? *cap * 2 : 256;
        double *h = realloc(r->history, (size_t)nc * sizeof *h);
        if (!h) return -1;
        r->history = h;
        *cap = nc;
    }
    r->history[r->iterations++] = v;
    return 0;
}

/* Global best over ranks and the lowest rank that has it. */
static void global_best(MPI_Comm comm, double mine, double *best, int *rank)
{
    struct {
        double v;
        int r;
    } in, out;
    MPI_Comm_rank(comm, &in.r);
    in.v = mine;
    MPI_Allreduce(&in, &out, 1, MPI_DOUBLE_INT, MPI_MINLOC, comm);
    *best = out.v;
    *rank = out.r;
}

sl_status sl_islands_aco(sl_aco *c, MPI_Comm comm, int every, sl_islands_result *res,
                         sl_error *e)
{
    memset(res, 0, sizeof *res);
    if (every < 1) return sl_error_set(e, SL_ERR_RANGE, "islands: exchange interval must be >= 1");
    int rank, size;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    int next = (rank + 1) % size, prev = (rank + size - 1) % size;
    const sl_instance *in = sl_aco_instance(c);
    int cap = 2 * in->n + 2; /* length word + the longest CVRP sequence */
    int *out = malloc((size_t)cap * sizeof *out), *got = malloc((size_t)cap * sizeof *got);
    if (!out || !got) {
        free(out);
        free(got);
        return sl_error_set(e, SL_ERR_NOMEM, "islands: out of memory");
    }
    long long hcap = 0, adopted = 0;
    sl_status st = SL_OK;
    for (;;) {
        int done = sl_aco_done(c), all_done;
        MPI_Allreduce(&done, &all_done, 1, MPI_INT, MPI_LAND, comm);
        if (all_done) break;
        if (!done) sl_aco_step(c, NULL); /* a colony's step cannot fail once it is created */
        double best;
        int who;
        global_best(comm, (double)sl_aco_best_cost(c), &best, &who);
        if (push_history(res, &hcap, best) != 0) {
            st = sl_error_set(e, SL_ERR_NOMEM, "islands: out of memory");
            break; /* every rank fails alike only on allocation; keep going would deadlock */
        }
        if (res->iterations % every == 0 && size > 1) {
            int len;
            const int *seq = sl_aco_best_sequence(c, &len);
            out[0] = len;
            memcpy(out + 1, seq, (size_t)len * sizeof *seq);
            MPI_Sendrecv(out, cap, MPI_INT, next, 17, got, cap, MPI_INT, prev, 17, comm,
                         MPI_STATUS_IGNORE);
            if (got[0] > 0 && got[0] < cap && sl_aco_offer(c, got + 1, got[0]) == 1) adopted++;
            res->exchanges++;
        }
    }
    free(out);
    free(got);
    MPI_Allreduce(&adopted, &res->adopted, 1, MPI_LONG_LONG, MPI_SUM, comm);
    global_best(comm, (double)sl_aco_best_cost(c), &res->best, &res->best_rank);
    return st;
}

sl_status sl_islands_pso(sl_pso *s, MPI_Comm comm, int every, sl_islands_result *res,
                         sl_error *e)
{
    memset(res, 0, sizeof *res);
    if (every < 1) return sl_error_set(e, SL_ERR_RANGE, "islands: exchange interval must be >= 1");
    int rank, size;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    int next = (rank + 1) % size, prev = (rank + size - 1) % size;
    int D = sl_pso_dim(s);
    double *out = malloc((size_t)(D + 1) * sizeof *out), *got = malloc((size_t)(D + 1) * sizeof *got);
    if (!out || !got) {
        free(out);
        free(got);
        return sl_error_set(e, SL_ERR_NOMEM, "islands: out of memory");
    }
    long long hcap = 0, adopted = 0;
    sl_status st = SL_OK;
    int done = 0, failed = 0;
    for (;;) {
        int all_done, any_failed;
        MPI_Allreduce(&done, &all_done, 1, MPI_INT, MPI_LAND, comm);
        MPI_Allreduce(&failed, &any_failed, 1, MPI_INT, MPI_LOR, comm);
        if (all_done || any_failed) break;
        if (!done) {
            if (sl_pso_step(s, e) != SL_OK) {
                st = e ? e->code : SL_ERR_STATE;
                failed = 1;
            }
            done = sl_pso_done(s);
        }
        double best;
        int who;
        global_best(comm, sl_pso_best_value(s), &best, &who);
        if (push_history(res, &hcap, best) != 0) {
            st = sl_error_set(e, SL_ERR_NOMEM, "islands: out of memory");
            failed = 1;
        }
        if (res->iterations % every == 0 && size > 1) {
            out[0] = sl_pso_best_value(s);
            memcpy(out + 1, sl_pso_best_x(s), (size_t)D * sizeof *out);
            MPI_Sendrecv(out, D + 1, MPI_DOUBLE, next, 18, got, D + 1, MPI_DOUBLE, prev, 18, comm,
                         MPI_STATUS_IGNORE);
            if (isfinite(got[0]) && sl_pso_offer(s, got + 1, got[0]) == 1) adopted++;
            res->exchanges++;
        }
    }
    free(out);
    free(got);
    MPI_Allreduce(&adopted, &res->adopted, 1, MPI_LONG_LONG, MPI_SUM, comm);
    global_best(comm, sl_pso_best_value(s), &res->best, &res->best_rank);
    return st;
}
