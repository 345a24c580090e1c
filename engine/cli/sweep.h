/* sweep.h - the experiment a `swarmlab sweep` runs, shared by the command, the run executor and
 * the MPI distribution.
 *
 * A sweep is a grid of parameter points times a number of replicates. Run i (0-based) is point
 * i / replicates, replicate i % replicates, and gets the seed sl_seed_mix(base_seed, i): a
 * function of the base seed and the run index only, never of the worker, job or rank that runs
 * it. Each run is a child process `swarmlab run SCENARIO --out DIR/runs/<id> --seed S --set ...`,
 * so a run that crashes is recorded and the sweep goes on.
 *
 * Ownership: sl_sweep_release() releases everything the struct points to.
 */
#ifndef SWARMLAB_SWEEP_H
#define SWARMLAB_SWEEP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "swarmlab/error.h"
#include "swarmlab/rng.h"
#include "sweep_csv.h"
#include "sweep_grid.h"

/* Longest output directory: a run's directory DIR/runs/<id> and its files must fit a path. */
#define SL_SWEEP_OUT_MAX 4000

typedef struct sl_sweep {
    /* the experiment */
    char *scenario;
    char *out;
    sl_sweep_grid grid;
    int nfixed;                 /* --set / [set]: the same for every run */
    char **fixed_names, **fixed_values;
    long long replicates;       /* >= 1 */
    int jobs;                   /* concurrent runs in this process (>= 1) */
    uint64_t base_seed;
    long long steps;            /* -1: the scenario's default */
    int threads;                /* threads per run; 0: cores / jobs */
    int stop_on_error, quiet, unsafe;
    long long lua_memory;    /* --lua-memory passed to every run (0: not given) */
    double run_timeout;         /* seconds a run may take (0: no limit); then it is stopped and
                                 * recorded with status "timeout" */
    double call_time_limit;     /* --call-time-limit passed to every run (0: not given); a run
                                 * that ends with manifest status "timeout" is recorded so */
    /* derived */
    size_t npoints, nruns;
    int id_width;
    char exe[4096];             /* this executable, to start runs */
    /* runs.csv columns: run, point, replicate, params..., seed, status, error, wall_seconds,
     * steps, metrics..., results... */
    int ncols;
    char **cols;
    int nparams;                /* swept parameters first, then the scenario's others */
    char **params;
    int nmetrics;               /* last row of metrics.csv */
    char **metrics;
    int nresults;               /* swarmlab.result() keys of manifest.json */
    char **results;
    int col_seed, col_status, col_error, col_wall, col_steps;
} sl_sweep;

void sl_sweep_release(sl_sweep *s);

/* Run id ("0007"), the run's directory and the planned value of a swept parameter. */
void sl_sweep_run_id(const sl_sweep *s, size_t run, char *buf, size_t n);
uint64_t sl_sweep_seed(const sl_sweep *s, size_t run);

/* Builds the argument vector of `swarmlab run` for run `run` with output dir `dir`, `steps`
 * (-1: the sweep's) and the parameter values of point `point`; check_params = 1 adds
 * --check-params (load and check the parameters only). Free with sl_sweep_argv_release. */
char **sl_sweep_argv(const sl_sweep *s, size_t point, uint64_t seed, const char *dir,
                     long long steps, int check_params);
void sl_sweep_argv_release(char **argv);

/* Starts a child process running argv with stderr to stderr_path and stdout to /dev/null.
 * The child dies with its parent (so a killed sweep leaves no orphan writing to DIR). */
pid_t sl_sweep_spawn(const sl_sweep *s, char **argv, const char *stderr_path, sl_error *e);

/* Prepares DIR/runs/<id> (removing leftovers of an unfinished attempt) and starts run `run`. */
pid_t sl_sweep_start_run(const sl_sweep *s, size_t run, sl_error *e);

/* A run's child process as the sweep watches it. */
typedef struct sl_run_child {
    pid_t pid;                  /* 0: no child */
    size_t run;
    double t0;                  /* start (sl_monotonic_seconds) */
    double term_at;             /* when SIGTERM was sent, 0: not yet */
    int timed_out;              /* stopped for exceeding s->run_timeout */
} sl_run_child;

/* Seconds a stopped run gets to write its "interrupted" manifest before SIGKILL. */
#define SL_SWEEP_KILL_GRACE 5.0

/* Enforces s->run_timeout on a running child at time now: SIGTERM once it is over the limit
 * (the run stops after its step and writes an "interrupted" manifest), SIGKILL when it is still
 * there SL_SWEEP_KILL_GRACE seconds later. */
void sl_sweep_watch(const sl_sweep *s, sl_run_child *c, double now);
/* Stops a child the same way (SIGTERM, SIGKILL after the grace) and reaps it. */
void sl_sweep_stop_child(sl_run_child *c);

/* The runs.csv row of a finished run: ncols malloc'ed strings (free with sl_sweep_row_release).
 * wstatus is the child's wait status; wall its wall-clock seconds; timed_out: the sweep stopped
 * it for exceeding s->run_timeout (status "timeout"). */
char **sl_sweep_finish_run(const sl_sweep *s, size_t run, int wstatus, double wall, int timed_out);
/* Whether a row's error says the disk is full (the sweep then stops instead of going on). */
int sl_sweep_row_disk_full(const sl_sweep *s, char **row);
void sl_sweep_row_release(const sl_sweep *s, char **row);

/* The swarmlab.result() keys of a flattened manifest, in file order (malloc'ed array of
 * malloc'ed strings); returns their number or -1. */
int sl_sweep_manifest_results(const sl_kvlist *m, char ***out);

/* Removes a directory tree (no error when absent). */
int sl_remove_tree(const char *path);

/* ---- the sweep's bookkeeping (cmd_sweep.c), shared with the MPI driver ---- */
typedef struct sl_sweep_state {
    sl_sweep *s;
    int journal_open;
    void *journal;              /* sl_journal */
    sl_csv_row *rows;           /* every row of runs.csv (kept from before + new) */
    size_t nrows, caprows;
    size_t *pending;            /* runs still to do, in index order */
    size_t npending;
    size_t done_before, done, failed, failed_before;
    double wall_sum;            /* wall seconds of the runs finished in this process */
    size_t wall_n;
    const sl_run_child *kids;   /* the running children, for the ETA (NULL: none known) */
    int nkids;
    int stopping;               /* --stop-on-error hit: start nothing new */
    double t0, last_print;
    int tty, drawn, last_decile;
    size_t last_done;
    int lock_fd;
} sl_sweep_state;

/* Everything before the first run: output dir and lock, experiment file, dry runs that check
 * the grid against the scenario and give the columns, journal recovery, the list of pending
 * runs. Returns 0, or the exit status after printing one error line. */
int sl_sweep_prepare(sl_sweep_state *st, sl_sweep *s);
/* Columns of runs.csv from s->params/metrics/results (fills s->cols). */
int sl_sweep_build_columns(sl_sweep *s);

/* sweep_check.c. A directory that already holds runs must belong to the same experiment
 * (DIR/sweep.json; write = 1 records it). Then every grid value is tried: the first point runs
 * with --steps 0 in DIR/.check/0 (whose files give the columns, see
 * sl_sweep_columns_from_check), the other values with --check-params. Each returns 0 or the exit
 * status after printing one line. */
int sl_sweep_check_experiment(const sl_sweep *s, int write);
int sl_sweep_run_checks(sl_sweep *s, char *first_dir, size_t dirn);
int sl_sweep_columns_from_check(sl_sweep *s, const char *dir);
/* sweep_eta.c: seconds until the sweep ends at time now (sl_monotonic_seconds), or -1 while
 * no run has finished. Runs under way count: one that has taken t seconds is expected to need at
 * least t more, capped by the run time limit. */
double sl_sweep_eta(const sl_sweep_state *st, double now);
/* sweep_summary.c: writes DIR/summary.csv from st->rows; 0 or -1 (message printed). */
int sl_sweep_write_summary(sl_sweep_state *st);
/* Appends a finished run's row (takes ownership of row) and updates the progress line.
 * Returns 0, or 2 when the journal cannot be written. */
int sl_sweep_record(sl_sweep_state *st, size_t run, char **row);
/* summary.csv, final message; returns the exit status (0 all ok, 1 some failed). */
int sl_sweep_conclude(sl_sweep_state *st);
void sl_sweep_state_release(sl_sweep_state *st);
/* Set by SIGINT/SIGTERM while a sweep runs. */
int sl_sweep_interrupted(void);

/* MPI: whether the environment says this process is one of several ranks (mpirun sets
 * OMPI_COMM_WORLD_SIZE). sl_sweep_mpi_main runs the whole sweep over the ranks; it refuses with
 * one line when MPI starts fewer ranks than announced or the build has no MPI support. */
int sl_sweep_mpi_launched(void);
int sl_sweep_mpi_main(sl_sweep *s, int argc, char **argv);

#endif
