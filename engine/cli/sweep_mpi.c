/* sweep_mpi.c - a sweep spread over MPI ranks: rank 0 keeps the journal and hands out runs, one
 * at a time, to whichever rank asks; ranks 1..K-1 run them as child processes and send back the
 * row. Seeds depend on the run index only, so the rows equal those of a single-process sweep
 * (apart from their order and the wall-clock column). Compiled to stubs without SWARMLAB_MPI.
 */
#include "sweep.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The rank count the launcher announced (mpirun sets OMPI_COMM_WORLD_SIZE, other launchers
 * PMI_SIZE), or 0 when there is none. */
static long launcher_size(void)
{
    const char *size = getenv("OMPI_COMM_WORLD_SIZE");
    if (!size) size = getenv("PMI_SIZE");
    return size ? atol(size) : 0;
}

int sl_sweep_mpi_launched(void) { return launcher_size() > 1; }

#ifdef SWARMLAB_HAVE_MPI
#include <errno.h>
#include <mpi.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"

/* READY: a worker asks for work (after a run it could not do, with the reason as text);
 * WORK/STOP: rank 0's answers; RESULT: a run's row; ABORT: rank 0 stops the sweep (a full disk,
 * a failed rank): a worker stops the run under way (not recorded: it is done again on resume)
 * and asks again, to be told STOP. */
enum { TAG_READY = 1, TAG_WORK, TAG_STOP, TAG_RESULT, TAG_ABORT };


/* The three column lists as one text: params, metrics, results, one CSV line each. */
static char *columns_text(const sl_sweep *s)
{
    char *a = sl_csv_format((const char *const *)s->params, s->nparams);
    char *b = sl_csv_format((const char *const *)s->metrics, s->nmetrics);
    char *c = sl_csv_format((const char *const *)s->results, s->nresults);
    char *t = NULL;
    if (a && b && c && (t = malloc(strlen(a) + strlen(b) + strlen(c) + 1)))
        sprintf(t, "%s%s%s", a, b, c);
    free(a);
    free(b);
    free(c);
    return t;
}

static int take_list(const char **p, char ***out, int *n)
{
    const char *nl = strchr(*p, '\n');
    if (!nl) return -1;
    sl_csv_row r = {0};
    if (nl > *p && sl_csv_split(*p, (size_t)(nl - *p), &r) != SL_OK) return -1;
    *out = r.f;
    *n = r.n;
    *p = nl + 1;
    return 0;
}

static int columns_from_text(sl_sweep *s, const char *t)
{
    if (take_list(&t, &s->params, &s->nparams) || take_list(&t, &s->metrics, &s->nmetrics) ||
        take_list(&t, &s->results, &s->nresults))
        return -1;
    return sl_sweep_build_columns(s);
}

static void bcast_text(char **t, int root_rank_has)
{
    int len = root_rank_has && *t ? (int)strlen(*t) + 1 : 0;
    MPI_Bcast(&len, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (len == 0) return;
    if (!root_rank_has) *t = malloc((size_t)len);
    MPI_Bcast(*t, len, MPI_CHAR, 0, MPI_COMM_WORLD);
}

static void nap(void)
{
    struct timespec ts = {0, 5 * 1000 * 1000};
    nanosleep(&ts, NULL);
}

static int coordinator(sl_sweep *s, int size)
{
    sl_sweep_state st;
    int rc = sl_sweep_prepare(&st, s);
    char *cols = rc == 0 ? columns_text(s) : NULL;
    bcast_text(&cols, 1);
    free(cols);
    if (rc != 0) {
        sl_sweep_state_release(&st);
        return rc;
    }
    size_t next = 0;
    int active = size - 1, aborted = 0;
    char *buf = NULL;
    char *busy = calloc((size_t)size, 1); /* busy[r]: rank r has a run */
    if (!busy) {
        fprintf(stderr, "swarmlab sweep: out of memory\n");
        rc = 2;
    }
    while (active > 0) {
        int flag = 0;
        MPI_Status ms;
        MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &ms);
        if (!flag) {
            nap();
            continue;
        }
        int len;
        MPI_Get_count(&ms, MPI_CHAR, &len);
        free(buf);
        buf = malloc((size_t)len + 1);
        MPI_Recv(buf, len, MPI_CHAR, ms.MPI_SOURCE, ms.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        buf[len] = '\0';
        if (busy) busy[ms.MPI_SOURCE] = 0;
        if (ms.MPI_TAG == TAG_READY && len > 0 && rc == 0) {
            /* the rank could not start its run (it cannot create the run's directory on a
             * full disk): it would fail every run the same way */
            fprintf(stderr, "swarmlab sweep: rank %d: %s; stopping: run the same command again "
                    "to resume\n", ms.MPI_SOURCE, buf);
            rc = 2;
        }
        if (ms.MPI_TAG == TAG_RESULT && !sl_sweep_interrupted()) {
            /* "run\n" + one CSV record */
            char *nl = strchr(buf, '\n');
            unsigned long long run = strtoull(buf, NULL, 10);
            sl_csv_row r = {0};
            size_t rl = nl ? strlen(nl + 1) : 0;
            if (rl && nl[rl] == '\n') rl--;
            if (!nl || sl_csv_split(nl + 1, rl, &r) != SL_OK || r.n != s->ncols) {
                fprintf(stderr, "swarmlab sweep: malformed result from rank %d\n", ms.MPI_SOURCE);
                sl_csv_row_release(&r);
                rc = 2;
            } else if (rc == 0 && sl_sweep_row_disk_full(s, r.f)) {
                fprintf(stderr, "swarmlab sweep: the disk is full (run %s: %s); stopping: free "
                        "space and run the same command again to resume\n", r.f[0],
                        r.f[s->col_error]);
                sl_csv_row_release(&r);
                rc = 2;
            } else if (rc == 0) {
                rc = sl_sweep_record(&st, (size_t)run, r.f);
            } else {
                sl_csv_row_release(&r);
            }
        }
        if (rc != 0 && !aborted && busy) {
            /* every rank stops the run it has now, instead of finishing it on a disk that
             * cannot hold its results */
            unsigned long long none = 0;
            for (int r = 1; r < size; r++)
                if (busy[r]) MPI_Send(&none, 1, MPI_UNSIGNED_LONG_LONG, r, TAG_ABORT, MPI_COMM_WORLD);
            aborted = 1;
        }
        if (rc == 0 && !sl_sweep_interrupted() && !st.stopping && next < st.npending) {
            unsigned long long run = st.pending[next++];
            MPI_Send(&run, 1, MPI_UNSIGNED_LONG_LONG, ms.MPI_SOURCE, TAG_WORK, MPI_COMM_WORLD);
            if (busy) busy[ms.MPI_SOURCE] = 1;
        } else {
            unsigned long long none = 0;
            MPI_Send(&none, 1, MPI_UNSIGNED_LONG_LONG, ms.MPI_SOURCE, TAG_STOP, MPI_COMM_WORLD);
            active--;
        }
    }
    free(buf);
    free(busy);
    if (rc == 0 && sl_sweep_interrupted()) {
        fprintf(stderr, "swarmlab sweep: interrupted; run the same command again to resume\n");
        rc = 130;
    }
    if (rc == 0) rc = sl_sweep_conclude(&st);
    sl_sweep_state_release(&st);
    return rc;
}

static int worker(sl_sweep *s)
{
    char *cols = NULL;
    bcast_text(&cols, 0);
    if (!cols) return 2; /* rank 0 failed and said why */
    int rc = columns_from_text(s, cols) == 0 ? 0 : 2;
    free(cols);
    char *msg = NULL;
    int len = 0;
    MPI_Send("", 0, MPI_CHAR, 0, TAG_READY, MPI_COMM_WORLD);
    for (;;) {
        unsigned long long run;
        MPI_Status ms;
        int flag = 0;
        while (!flag) { /* poll, so a waiting rank does not spin a core */
            MPI_Iprobe(0, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &ms);
            if (!flag) nap();
        }
        MPI_Recv(&run, 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_ANY_TAG, MPI_COMM_WORLD, &ms);
        if (ms.MPI_TAG == TAG_ABORT) continue; /* crossed our last message; STOP follows */
        if (ms.MPI_TAG != TAG_WORK) break;
        sl_error e;
        char **row = NULL;
        double t0 = sl_monotonic_seconds();
        pid_t pid = rc == 0 ? sl_sweep_start_run(s, (size_t)run, &e) : -1;
        int ws = 0, aborted = 0;
        const char *failure = NULL;
        if (pid > 0) {
            sl_run_child kid = {.pid = pid, .run = (size_t)run, .t0 = t0};
            for (;;) { /* poll: the run time limit and rank 0's ABORT are enforced meanwhile */
                pid_t r = waitpid(pid, &ws, WNOHANG);
                if (r == pid || (r < 0 && errno != EINTR)) break;
                sl_sweep_watch(s, &kid, sl_monotonic_seconds());
                int abort_flag = 0;
                MPI_Iprobe(0, TAG_ABORT, MPI_COMM_WORLD, &abort_flag, MPI_STATUS_IGNORE);
                if (abort_flag) {
                    unsigned long long none;
                    MPI_Recv(&none, 1, MPI_UNSIGNED_LONG_LONG, 0, TAG_ABORT, MPI_COMM_WORLD,
                             MPI_STATUS_IGNORE);
                    sl_sweep_stop_child(&kid);
                    aborted = 1;
                    break;
                }
                nap();
            }
            if (!aborted)
                row = sl_sweep_finish_run(s, (size_t)run, ws, sl_monotonic_seconds() - t0,
                                          kid.timed_out);
        } else if (rc == 0) {
            failure = e.msg; /* rank 0 says it and stops the sweep */
        }
        char *line = row ? sl_csv_format((const char *const *)row, s->ncols) : NULL;
        if (row) sl_sweep_row_release(s, row);
        free(msg);
        msg = NULL;
        if (line) {
            msg = malloc(strlen(line) + 32);
            if (msg) sprintf(msg, "%llu\n%s", run, line);
            free(line);
        }
        if (!msg && failure) msg = strdup(failure);
        len = msg ? (int)strlen(msg) : 0;
        MPI_Send(msg ? msg : "", len, MPI_CHAR, 0, msg && !failure ? TAG_RESULT : TAG_READY,
                 MPI_COMM_WORLD);
    }
    free(msg);
    return rc;
}

int sl_sweep_mpi_main(sl_sweep *s, int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int rc;
    if (size < 2) {
        /* the environment promised ranks that MPI did not start (the variables were set by
         * hand or inherited from another job) */
        fprintf(stderr, "swarmlab sweep: the environment announces %ld MPI ranks "
                "(OMPI_COMM_WORLD_SIZE/PMI_SIZE) but MPI started %d; start the sweep with "
                "mpirun -n N, or unset the variable for a sweep on this machine\n",
                launcher_size(), size);
        rc = 2;
    }
    else if (rank == 0) rc = coordinator(s, size);
    else {
        s->quiet = 1;
        /* threads per run: the node's cores shared by the ranks on it */
        const char *local = getenv("OMPI_COMM_WORLD_LOCAL_SIZE");
        long cores = sysconf(_SC_NPROCESSORS_ONLN), nlocal = local ? atol(local) : 1;
        if (s->threads <= 0) s->threads = nlocal > 0 && cores > nlocal ? (int)(cores / nlocal) : 1;
        rc = worker(s);
    }
    MPI_Finalize();
    return rc;
}

#else

int sl_sweep_mpi_main(sl_sweep *s, int argc, char **argv)
{
    (void)s;
    (void)argc;
    (void)argv;
    fprintf(stderr, "swarmlab sweep: started as one of %ld MPI ranks (OMPI_COMM_WORLD_SIZE/"
            "PMI_SIZE), but this build has no MPI support (configure with -DSWARMLAB_MPI=ON), "
            "or unset the variable for a sweep on this machine\n", launcher_size());
    return 2;
}

#endif
