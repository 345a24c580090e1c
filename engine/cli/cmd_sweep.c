/* cmd_sweep.c - `swarmlab sweep`: a grid of parameter points x replicates, each run a child
 * process, journaled in DIR/runs.csv so that a killed sweep resumes where it stopped.
 *
 * Flow: parse options (and an experiment INI) -> sl_sweep_prepare (output dir + lock,
 * DIR/sweep.json identifying the experiment, dry runs of the scenario with --steps 0 that check
 * every grid value and give the columns, journal recovery) -> run the pending runs, up to --jobs
 * at once (or over MPI ranks) -> sl_sweep_conclude (DIR/summary.csv).
 *
 * Resume rule: a row of runs.csv stands when it is complete and the run's manifest.json confirms
 * its status (ok or error); rows of crashed runs stand as written. Every other run is redone from
 * scratch, its directory wiped first. The journal is rewritten with exactly the standing rows
 * (atomically), so a torn last line or a row whose run directory was lost never survives, and no
 * run can get two rows.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "args.h"
#include "progress.h"
#include "run_ini.h"
#include "sweep.h"
#include "sweep_csv.h"
#include "sweep_ini.h"
#include "sweep_journal.h"

int sl_sweep_add_fixed(sl_sweep *s, const char *name, const char *value); /* sweep_ini.c */

static volatile sig_atomic_t g_interrupted; /* set by the signal handler only */

static void on_signal(int sig)
{
    (void)sig;
    g_interrupted = 1;
}

int sl_sweep_interrupted(void) { return g_interrupted != 0; }

void sl_cmd_sweep_usage(FILE *f)
{
    fputs("usage: swarmlab sweep SCENARIO.lua --grid NAME=SPEC ... --out DIR [options]\n"
          "       swarmlab sweep EXPERIMENT.ini [options]\n"
          "\n"
          "Runs a scenario for every point of a parameter grid, several replicates each, and\n"
          "writes DIR/runs.csv (one row per run, appended as runs finish), DIR/runs/<id>/\n"
          "(each run's metrics.csv and manifest.json) and DIR/summary.csv (mean and 95% CI per\n"
          "grid point). Re-running the same command resumes an interrupted sweep.\n"
          "\n"
          "options:\n"
          "  --grid NAME=V1,V2,...      sweep a parameter over listed values (repeatable)\n"
          "  --grid NAME=START:STOP:STEP   ... or over a range (STOP included)\n"
          "  --replicates R             runs per grid point, >= 1 (default 1)\n"
          "  --jobs J                   runs at the same time (default 1)\n"
          "  --threads T                threads per run (default: cores / jobs)\n"
          "  --base-seed S              run i gets seed mix(S, i) (default 1)\n"
          "  --steps N                  steps per run (default: the scenario's)\n"
          "  --set NAME=VALUE           a parameter fixed for every run (repeatable)\n"
          "  --out DIR                  output directory (required, or `out` in the INI file)\n"
          "  --stop-on-error            start no new run after a failed one\n"
          "  --run-timeout SECONDS      stop a run that takes longer; it is recorded with\n"
          "                             status timeout (and not redone on resume)\n"
          "  --quiet                    no progress line\n"
          "  --unsafe                   lift the Lua sandbox in the runs\n"
          "  --lua-memory SIZE          memory each run's Lua state may hold (see 'swarmlab run')\n"
          "  --call-time-limit S        wall seconds for each callback or step of a run (see\n"
          "                             'swarmlab run'); a run over it has status timeout\n"
          "  --help                     this text\n"
          "\n"
          "Under mpirun (builds with -DSWARMLAB_MPI=ON), rank 0 hands runs to the other ranks.\n"
          "Exit status: 0 all runs ok, 1 some runs failed (recorded in runs.csv), 2 bad input,\n"
          "130 interrupted (re-run to resume).\n",
          f);
}

/* ---- options ---- */

static const char *opt_value(int argc, char **argv, int *i, const char *name, sl_error *e)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (a[n] == '=') return a + n + 1;
    if (*i + 1 >= argc) {
        sl_error_set(e, SL_ERR_USAGE, "option '%s' needs a value", name);
        return NULL;
    }
    return argv[++*i];
}

static int opt_is(const char *a, const char *name)
{
    size_t n = strlen(name);
    return strncmp(a, name, n) == 0 && (a[n] == '\0' || a[n] == '=');
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

typedef struct cli_opts {
    const char *positional;
    sl_sweep_grid grid;
    int nset;
    const char **set_names, **set_values;
    int has_replicates, has_jobs, has_seed, has_steps, has_threads;
    long long replicates, steps;
    int jobs, threads;
    uint64_t seed;
    const char *out;
    int stop_on_error, quiet, unsafe;
    long long lua_memory;
    double run_timeout, call_time_limit;
} cli_opts;

static void cli_opts_free(cli_opts *o)
{
    sl_sweep_grid_release(&o->grid);
    for (int i = 0; i < o->nset; i++) free((char *)o->set_names[i]);
    free(o->set_names);
    free(o->set_values);
}

/* Returns 0, 1 after --help, -1 with e filled. */
static int parse_args(cli_opts *o, int argc, char **argv, sl_error *e)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        long long ll;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            sl_cmd_sweep_usage(stdout);
            return 1;
        } else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
            o->quiet = 1;
        } else if (strcmp(a, "--unsafe") == 0) {
            o->unsafe = 1;
        } else if (strcmp(a, "--stop-on-error") == 0) {
            o->stop_on_error = 1;
        } else if (opt_is(a, "--lua-memory")) {
            if (!(v = opt_value(argc, argv, &i, "--lua-memory", e))) return -1;
            if (sl_parse_bytes(v, &ll) != 0 || ll < (1 << 20)) {
                sl_error_set(e, SL_ERR_USAGE,
                             "--lua-memory: expected a size of at least 1M (bytes, or with K, M or "
                             "G), got '%s'", v);
                return -1;
            }
            o->lua_memory = ll;
        } else if (opt_is(a, "--grid")) {
            if (!(v = opt_value(argc, argv, &i, "--grid", e))) return -1;
            if (sl_sweep_grid_add(&o->grid, v, "--grid", e) != SL_OK) return -1;
        } else if (opt_is(a, "--replicates")) {
            if (!(v = opt_value(argc, argv, &i, "--replicates", e))) return -1;
            if (sl_parse_ll(v, &ll) != 0 || ll < 1 || ll > SL_SWEEP_MAX_POINTS) {
                sl_error_set(e, SL_ERR_USAGE, "--replicates: expected an integer in 1..%d, got '%s'",
                             SL_SWEEP_MAX_POINTS, v);
                return -1;
            }
            o->replicates = ll;
            o->has_replicates = 1;
        } else if (opt_is(a, "--jobs") || opt_is(a, "-j")) {
            if (!(v = opt_value(argc, argv, &i, a[1] == 'j' ? "-j" : "--jobs", e))) return -1;
            if (sl_parse_ll(v, &ll) != 0 || ll < 1 || ll > 1024) {
                sl_error_set(e, SL_ERR_USAGE, "--jobs: expected an integer in 1..1024, got '%s'", v);
                return -1;
            }
            o->jobs = (int)ll;
            o->has_jobs = 1;
        } else if (opt_is(a, "--threads")) {
            if (!(v = opt_value(argc, argv, &i, "--threads", e))) return -1;
            if (sl_parse_ll(v, &ll) != 0 || ll < 1 || ll > 1024) {
                sl_error_set(e, SL_ERR_USAGE, "--threads: expected an integer in 1..1024, got '%s'", v);
                return -1;
            }
            o->threads = (int)ll;
            o->has_threads = 1;
        } else if (opt_is(a, "--steps")) {
            if (!(v = opt_value(argc, argv, &i, "--steps", e))) return -1;
            if (sl_parse_ll(v, &ll) != 0 || ll < 0) {
                sl_error_set(e, SL_ERR_USAGE, "--steps: expected an integer >= 0, got '%s'", v);
                return -1;
            }
            o->steps = ll;
            o->has_steps = 1;
        } else if (opt_is(a, "--base-seed") || opt_is(a, "--seed")) {
            const char *name = opt_is(a, "--seed") ? "--seed" : "--base-seed";
            if (!(v = opt_value(argc, argv, &i, name, e))) return -1;
            if (sl_parse_u64(v, &o->seed) != 0) {
                sl_error_set(e, SL_ERR_USAGE, "%s: expected an unsigned 64-bit integer, got '%s'",
                             name, v);
                return -1;
            }
            o->has_seed = 1;
        } else if (opt_is(a, "--run-timeout") || opt_is(a, "--call-time-limit")) {
            const char *name = a[2] == 'r' ? "--run-timeout" : "--call-time-limit";
            if (!(v = opt_value(argc, argv, &i, name, e))) return -1;
            char *end;
            double t = strtod(v, &end);
            if (end == v || *end || !(t > 0) || t > (a[2] == 'r' ? 1e9 : 1e8)) {
                sl_error_set(e, SL_ERR_USAGE, "%s: expected seconds > 0, got '%s'", name, v);
                return -1;
            }
            if (a[2] == 'r') o->run_timeout = t;
            else o->call_time_limit = t;
        } else if (opt_is(a, "--out")) {
            if (!(v = opt_value(argc, argv, &i, "--out", e))) return -1;
            if (!*v) {
                sl_error_set(e, SL_ERR_USAGE, "--out: empty directory name");
                return -1;
            }
            o->out = v;
        } else if (opt_is(a, "--set")) {
            if (!(v = opt_value(argc, argv, &i, "--set", e))) return -1;
            char *name;
            const char *value;
            if (sl_run_split_set(v, &name, &value, e) != SL_OK) return -1;
            const char **nn = realloc(o->set_names, (size_t)(o->nset + 1) * sizeof *nn);
            if (nn) o->set_names = nn;
            const char **nv = realloc(o->set_values, (size_t)(o->nset + 1) * sizeof *nv);
            if (nv) o->set_values = nv;
            if (!nn || !nv) {
                free(name);
                sl_error_set(e, SL_ERR_NOMEM, "out of memory");
                return -1;
            }
            o->set_names[o->nset] = name;
            o->set_values[o->nset++] = value;
        } else if (a[0] == '-' && a[1] != '\0') {
            sl_error_set(e, SL_ERR_USAGE, "unknown option '%s' (see 'swarmlab sweep --help')", a);
            return -1;
        } else if (!o->positional) {
            o->positional = a;
        } else {
            sl_error_set(e, SL_ERR_USAGE, "unexpected argument '%s' (one scenario or experiment file)", a);
            return -1;
        }
    }
    if (!o->positional) {
        sl_error_set(e, SL_ERR_USAGE, "no scenario given (usage: swarmlab sweep SCENARIO.lua --grid "
                                      "NAME=SPEC --out DIR; see --help)");
        return -1;
    }
    return 0;
}

/* Builds the experiment from the INI file (if any) and the command line. */
static int build_sweep(sl_sweep *s, cli_opts *o, sl_error *e)
{
    memset(s, 0, sizeof *s);
    sl_sweep_grid_init(&s->grid);
    s->replicates = 1;
    s->jobs = 1;
    s->base_seed = 1;
    s->steps = -1;
    sl_sweep_ini got = {0};
    if (ends_with(o->positional, ".ini")) {
        if (sl_sweep_ini_load(s, &got, o->positional, e) != SL_OK) return -1;
    } else if (!(s->scenario = strdup(o->positional))) {
        sl_error_set(e, SL_ERR_NOMEM, "out of memory");
        return -1;
    }
    /* command-line axes replace the file's axes of the same name */
    for (int a = 0; a < o->grid.naxes; a++) {
        int k = sl_sweep_grid_find(&s->grid, o->grid.axes[a].name);
        if (k >= 0) {
            sl_grid_axis tmp = s->grid.axes[k];
            s->grid.axes[k] = o->grid.axes[a];
            o->grid.axes[a] = tmp;
        } else {
            sl_grid_axis *na = realloc(s->grid.axes, (size_t)(s->grid.naxes + 1) * sizeof *na);
            if (!na) {
                sl_error_set(e, SL_ERR_NOMEM, "out of memory");
                return -1;
            }
            s->grid.axes = na;
            s->grid.axes[s->grid.naxes++] = o->grid.axes[a];
            memset(&o->grid.axes[a], 0, sizeof o->grid.axes[a]);
        }
    }
    for (int i = 0; i < o->nset; i++) {
        if (sl_sweep_grid_find(&s->grid, o->set_names[i]) >= 0) {
            sl_error_set(e, SL_ERR_USAGE, "--set %s: the parameter is also swept (--grid)",
                         o->set_names[i]);
            return -1;
        }
        if (sl_sweep_add_fixed(s, o->set_names[i], o->set_values[i]) != 0) {
            sl_error_set(e, SL_ERR_NOMEM, "out of memory");
            return -1;
        }
    }
    for (int i = 0; i < s->nfixed; i++)
        if (sl_sweep_grid_find(&s->grid, s->fixed_names[i]) >= 0) {
            sl_error_set(e, SL_ERR_USAGE, "parameter '%s' is both fixed ([set]) and swept ([grid])",
                         s->fixed_names[i]);
            return -1;
        }
    if (o->has_replicates) s->replicates = o->replicates;
    if (o->has_jobs) s->jobs = o->jobs;
    if (o->has_seed) s->base_seed = o->seed;
    if (o->has_steps) s->steps = o->steps;
    if (o->has_threads) s->threads = o->threads;
    if (o->run_timeout > 0) s->run_timeout = o->run_timeout;
    s->stop_on_error |= o->stop_on_error;
    s->quiet = o->quiet;
    s->unsafe = o->unsafe;
    s->lua_memory = o->lua_memory;
    s->call_time_limit = o->call_time_limit;
    if (o->out) {
        free(s->out);
        if (!(s->out = strdup(o->out))) {
            sl_error_set(e, SL_ERR_NOMEM, "out of memory");
            return -1;
        }
    }
    if (!s->out) {
        sl_error_set(e, SL_ERR_USAGE, "no output directory (--out DIR)");
        return -1;
    }
    size_t len = strlen(s->out);
    while (len > 1 && s->out[len - 1] == '/') s->out[--len] = '\0';
    if (len > SL_SWEEP_OUT_MAX) {
        sl_error_set(e, SL_ERR_USAGE, "output directory name too long (%zu bytes, at most %d)",
                     len, SL_SWEEP_OUT_MAX);
        return -1;
    }
    s->npoints = sl_sweep_grid_points(&s->grid);
    if (s->npoints > SL_SWEEP_MAX_POINTS ||
        (size_t)s->replicates > SL_SWEEP_MAX_POINTS / s->npoints) {
        sl_error_set(e, SL_ERR_RANGE, "the sweep has more than %d runs", SL_SWEEP_MAX_POINTS);
        return -1;
    }
    s->nruns = s->npoints * (size_t)s->replicates;
    s->id_width = 4;
    for (size_t k = 10000; k <= s->nruns - 1 && s->id_width < 12; k *= 10) s->id_width++;
    ssize_t n = readlink("/proc/self/exe", s->exe, sizeof s->exe - 1);
    if (n <= 0) {
        sl_error_set(e, SL_ERR_IO, "cannot find the swarmlab executable: %s", strerror(errno));
        return -1;
    }
    s->exe[n] = '\0';
    struct stat st;
    if (stat(s->scenario, &st) != 0 || !S_ISREG(st.st_mode)) {
        sl_error_set(e, SL_ERR_IO, "%s: cannot open scenario: %s", s->scenario,
                     errno ? strerror(errno) : "not a regular file");
        return -1;
    }
    return 0;
}

/* ---- output directory ---- */

static int mkdir_p(const char *path)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s", path) >= (int)sizeof tmp) return -1;
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(tmp, 0777) != 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    return mkdir(tmp, 0777) != 0 && errno != EEXIST ? -1 : 0;
}

/* ---- journal and resume ---- */

static int row_push(sl_sweep_state *st, sl_csv_row r)
{
    if (st->nrows == st->caprows) {
        size_t nc = st->caprows ? st->caprows * 2 : 64;
        sl_csv_row *nr = realloc(st->rows, nc * sizeof *nr);
        if (!nr) return -1;
        st->rows = nr;
        st->caprows = nc;
    }
    st->rows[st->nrows++] = r;
    return 0;
}

static int recover_journal(sl_sweep_state *st)
{
    sl_sweep *s = st->s;
    char path[4200];
    snprintf(path, sizeof path, "%s/runs.csv", s->out);
    sl_csv_row *rows;
    size_t nrows, dropped;
    sl_error e;
    if (sl_journal_load(path, (const char *const *)s->cols, s->ncols, &rows, &nrows, &dropped,
                        &e) != SL_OK) {
        fprintf(stderr, "swarmlab sweep: %s\n", e.msg);
        return 2;
    }
    unsigned char *keep = calloc(nrows ? nrows : 1, 1);
    unsigned char *have = calloc(s->nruns, 1);
    if (!keep || !have) {
        free(keep);
        free(have);
        sl_journal_rows_release(rows, nrows);
        fprintf(stderr, "swarmlab sweep: out of memory\n");
        return 2;
    }
    size_t redo = 0;
    for (size_t i = 0; i < nrows; i++) {
        const sl_csv_row *r = &rows[i];
        long long run;
        char id[32], seed[32], dir[4300];
        if (sl_parse_ll(r->f[0], &run) != 0 || run < 0 || (size_t)run >= s->nruns) continue;
        sl_sweep_run_id(s, (size_t)run, id, sizeof id);
        snprintf(seed, sizeof seed, "%llu", (unsigned long long)sl_sweep_seed(s, (size_t)run));
        if (strcmp(id, r->f[0]) != 0 || strcmp(seed, r->f[s->col_seed]) != 0 || have[run]) continue;
        const char *status = r->f[s->col_status];
        /* crashed and timed-out runs have no manifest to confirm them: they stand as written */
        int ok = strcmp(status, "crashed") == 0 || strcmp(status, "timeout") == 0;
        if (!ok) {
            sl_kvlist man = {0};
            snprintf(dir, sizeof dir, "%s/runs/%s/manifest.json", s->out, id);
            if (access(dir, F_OK) == 0 && sl_json_read_flat(dir, &man, &e) == SL_OK) {
                const char *ms = sl_kvlist_get(&man, "status");
                ok = ms && strcmp(ms, status) == 0;
            }
            sl_kvlist_release(&man);
        }
        if (ok) {
            keep[i] = 1;
            have[run] = 1;
        } else {
            redo++;
        }
    }
    sl_journal *j = calloc(1, sizeof *j);
    int rc = 0;
    if (!j || sl_journal_open(j, path, (const char *const *)s->cols, s->ncols, rows, nrows, keep,
                              &e) != SL_OK) {
        fprintf(stderr, "swarmlab sweep: %s\n", j ? e.msg : "out of memory");
        free(j);
        rc = 2;
    } else {
        st->journal = j;
        st->journal_open = 1;
    }
    for (size_t i = 0; i < nrows; i++) {
        if (rc == 0 && keep[i]) {
            if (strcmp(rows[i].f[s->col_status], "ok") != 0) st->failed_before++;
            if (row_push(st, rows[i]) == 0) continue;
            rc = 2;
        }
        sl_csv_row_release(&rows[i]);
    }
    free(rows);
    st->done_before = st->nrows;
    st->pending = malloc((s->nruns ? s->nruns : 1) * sizeof *st->pending);
    if (!st->pending) rc = 2;
    for (size_t r = 0; rc == 0 && r < s->nruns; r++)
        if (!have[r]) st->pending[st->npending++] = r;
    if (rc == 0 && (st->done_before || dropped || redo) && !s->quiet)
        fprintf(stderr, "swarmlab sweep: resuming: %zu of %zu runs done%s%s\n", st->done_before,
                s->nruns, dropped ? ", a torn or malformed journal line dropped" : "",
                redo ? ", unconfirmed rows dropped (those runs are redone)" : "");
    free(keep);
    free(have);
    return rc;
}

int sl_sweep_prepare(sl_sweep_state *st, sl_sweep *s)
{
    memset(st, 0, sizeof *st);
    st->s = s;
    st->lock_fd = -1;
    st->t0 = sl_monotonic_seconds();
    st->tty = isatty(2);
    char path[4200];
    snprintf(path, sizeof path, "%s/runs", s->out);
    if (mkdir_p(path) != 0) {
        fprintf(stderr, "swarmlab sweep: cannot create %s: %s\n", path, strerror(errno));
        return 2;
    }
    snprintf(path, sizeof path, "%s/.lock", s->out);
    st->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (st->lock_fd < 0 || flock(st->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        fprintf(stderr, "swarmlab sweep: %s: %s\n", s->out,
                st->lock_fd < 0 ? strerror(errno) : "another sweep is running in this directory");
        return 2;
    }
    int rc = sl_sweep_check_experiment(s, 0);
    char first[4300];
    if (rc == 0) rc = sl_sweep_run_checks(s, first, sizeof first);
    if (rc == 0) rc = sl_sweep_columns_from_check(s, first);
    snprintf(path, sizeof path, "%s/.check", s->out);
    sl_remove_tree(path);
    if (rc == 0) rc = sl_sweep_check_experiment(s, 1);
    if (rc == 0) rc = recover_journal(st);
    return rc;
}

/* ---- progress ---- */

static void progress(sl_sweep_state *st, int final)
{
    const sl_sweep *s = st->s;
    if (s->quiet) return;
    double now = sl_monotonic_seconds();
    size_t total = s->nruns, done = st->done_before + st->done;
    size_t failed = st->failed_before + st->failed;
    char eta[32] = "--";
    double left = sl_sweep_eta(st, now);
    if (left >= 0)
        snprintf(eta, sizeof eta, "%d:%02d:%02d", (int)(left / 3600), (int)fmod(left / 60, 60),
                 (int)fmod(left, 60));
    if (st->tty) {
        if (!final && now - st->last_print < 0.2) return;
        int w = 30, fill = total ? (int)((double)w * (double)done / (double)total) : w;
        char bar[64];
        for (int i = 0; i < w; i++) bar[i] = i < fill ? '#' : '.';
        bar[w] = '\0';
        fprintf(stderr, "\r[%s] %zu/%zu runs, %zu failed, ETA %s ", bar, done, total, failed, eta);
        if (final) fputc('\n', stderr);
        st->drawn = !final;
    } else {
        int decile = total ? (int)(10 * done / total) : 10;
        if (!final && decile == st->last_decile && now - st->last_print < 10.0) return;
        if (final && st->last_print > 0 && done == st->last_done) return;
        st->last_done = done;
        st->last_decile = decile;
        fprintf(stderr, "sweep: %zu/%zu runs, %zu failed, ETA %s\n", done, total, failed, eta);
    }
    fflush(stderr);
    st->last_print = now;
}

int sl_sweep_record(sl_sweep_state *st, size_t run, char **row)
{
    sl_sweep *s = st->s;
    sl_error e;
    int rc = 0;
    if (sl_journal_append(st->journal, (const char *const *)row, &e) != SL_OK) {
        fprintf(stderr, "%sswarmlab sweep: %s\n", st->drawn ? "\r\033[K" : "", e.msg);
        rc = 2;
    }
    int failed = strcmp(row[s->col_status], "ok") != 0;
    double wall = atof(row[s->col_wall]);
    if (wall > 0) {
        st->wall_sum += wall;
        st->wall_n++;
    }
    if (failed) {
        st->failed++;
        if (s->stop_on_error) st->stopping = 1;
        if (!s->quiet) {
            fprintf(stderr, "%sswarmlab sweep: run %s %s: %s\n", st->drawn ? "\r\033[K" : "", row[0],
                    row[s->col_status], row[s->col_error]);
            st->drawn = 0;
        }
    }
    (void)run;
    sl_csv_row r = {s->ncols, row};
    if (row_push(st, r) != 0) {
        sl_sweep_row_release(s, row);
        rc = 2;
    }
    st->done++;
    progress(st, 0);
    return rc;
}

int sl_sweep_conclude(sl_sweep_state *st)
{
    sl_sweep *s = st->s;
    progress(st, 1);
    size_t done = st->nrows, failed = st->failed + st->failed_before;
    int rc = sl_sweep_write_summary(st) == 0 ? 0 : 2;
    if (!s->quiet || rc != 0 || done < s->nruns)
        printf("sweep: %zu of %zu runs done (%zu ok, %zu failed); %s/runs.csv, %s/summary.csv\n",
               done, s->nruns, done - failed, failed, s->out, s->out);
    fflush(stdout);
    if (rc) return rc;
    if (done < s->nruns && st->stopping)
        fprintf(stderr, "swarmlab sweep: stopped after a failed run (--stop-on-error); re-run to "
                        "continue\n");
    return failed || done < s->nruns ? 1 : 0;
}

void sl_sweep_state_release(sl_sweep_state *st)
{
    if (st->journal_open) sl_journal_close(st->journal);
    free(st->journal);
    for (size_t i = 0; i < st->nrows; i++) sl_csv_row_release(&st->rows[i]);
    free(st->rows);
    free(st->pending);
    if (st->lock_fd >= 0) close(st->lock_fd);
    memset(st, 0, sizeof *st);
}

/* ---- local execution: up to --jobs child processes ---- */

/* A failed run whose error says the disk is full: no row (the run is redone on resume), the
 * sweep stops with one line instead of starting runs that cannot write either. */
static int disk_full(sl_sweep_state *st, size_t run, char **row)
{
    sl_sweep *s = st->s;
    if (!sl_sweep_row_disk_full(s, row)) return 0;
    char id[32];
    sl_sweep_run_id(s, run, id, sizeof id);
    fprintf(stderr, "%sswarmlab sweep: the disk is full (run %s: %s); stopping: free space and "
            "run the same command again to resume\n", st->drawn ? "\r\033[K" : "", id,
            row[s->col_error]);
    st->drawn = 0;
    sl_sweep_row_release(s, row);
    return 1;
}

static int run_local(sl_sweep_state *st)
{
    sl_sweep *s = st->s;
    sl_run_child *kids = calloc((size_t)s->jobs, sizeof *kids);
    if (!kids) return 2;
    st->kids = kids;
    st->nkids = s->jobs;
    size_t next = 0;
    int running = 0, rc = 0;
    progress(st, 0);
    while (rc == 0) {
        while (!g_interrupted && !st->stopping && running < s->jobs && next < st->npending) {
            int k = 0;
            while (kids[k].pid) k++;
            sl_error e;
            size_t run = st->pending[next];
            pid_t pid = sl_sweep_start_run(s, run, &e);
            if (pid < 0) {
                fprintf(stderr, "%sswarmlab sweep: %s\n", st->drawn ? "\r\033[K" : "", e.msg);
                rc = 2;
                break;
            }
            kids[k] = (sl_run_child){.pid = pid, .run = run, .t0 = sl_monotonic_seconds()};
            running++;
            next++;
        }
        if (running == 0 || g_interrupted || rc) break;
        int ws;
        pid_t pid = waitpid(-1, &ws, WNOHANG);
        if (pid == 0 || (pid < 0 && errno == EINTR)) {
            struct timespec ts = {0, 50 * 1000 * 1000};
            nanosleep(&ts, NULL);
            double now = sl_monotonic_seconds();
            for (int k = 0; k < s->jobs; k++) sl_sweep_watch(s, &kids[k], now);
            progress(st, 0);
            continue;
        }
        if (pid < 0) break;
        if (g_interrupted) break; /* a run that ends in the interrupt is not recorded */
        for (int k = 0; k < s->jobs; k++) {
            if (kids[k].pid != pid) continue;
            double wall = sl_monotonic_seconds() - kids[k].t0;
            char **row = sl_sweep_finish_run(s, kids[k].run, ws, wall, kids[k].timed_out);
            kids[k].pid = 0;
            running--;
            if (!row) {
                rc = 2;
                break;
            }
            if (disk_full(st, kids[k].run, row)) {
                rc = 2;
                break;
            }
            rc = sl_sweep_record(st, kids[k].run, row);
        }
    }
    /* interrupted or failing: stop the runs still going (they are redone on resume) */
    for (int k = 0; k < s->jobs; k++) sl_sweep_stop_child(&kids[k]);
    st->kids = NULL;
    st->nkids = 0;
    free(kids);
    if (g_interrupted) {
        if (st->drawn) fputc('\n', stderr);
        fprintf(stderr, "swarmlab sweep: interrupted after %zu of %zu runs; run the same command "
                        "again to resume\n", st->done_before + st->done, s->nruns);
        return 130;
    }
    return rc;
}

int sl_cmd_sweep(int argc, char **argv)
{
    cli_opts o;
    memset(&o, 0, sizeof o);
    sl_sweep_grid_init(&o.grid);
    sl_error e;
    sl_error_clear(&e);
    int rc = parse_args(&o, argc, argv, &e);
    sl_sweep s;
    memset(&s, 0, sizeof s);
    if (rc == 0 && build_sweep(&s, &o, &e) != 0) rc = -1;
    cli_opts_free(&o);
    if (rc != 0) {
        if (rc < 0) fprintf(stderr, "swarmlab sweep: %s\n", e.msg);
        sl_sweep_release(&s);
        return rc < 0 ? 2 : 0;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    if (sl_sweep_mpi_launched()) {
        rc = sl_sweep_mpi_main(&s, argc, argv);
    } else {
        sl_sweep_state st;
        rc = sl_sweep_prepare(&st, &s);
        if (rc == 0) rc = run_local(&st);
        if (rc == 0) rc = sl_sweep_conclude(&st);
        sl_sweep_state_release(&st);
    }
    sl_sweep_release(&s);
    return rc;
}
