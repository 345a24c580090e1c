/* sweep_exec.c - one run of a sweep as a child process, and its row of runs.csv. */
#define _GNU_SOURCE
#include "sweep.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"
#include "sweep_csv.h"

static void free_strv(char **v, int n)
{
    if (!v) return;
    for (int i = 0; i < n; i++) free(v[i]);
    free(v);
}

void sl_sweep_release(sl_sweep *s)
{
    free(s->scenario);
    free(s->out);
    sl_sweep_grid_release(&s->grid);
    free_strv(s->fixed_names, s->nfixed);
    free_strv(s->fixed_values, s->nfixed);
    free_strv(s->cols, s->ncols);
    free_strv(s->params, s->nparams);
    free_strv(s->metrics, s->nmetrics);
    free_strv(s->results, s->nresults);
    memset(s, 0, sizeof *s);
}

void sl_sweep_run_id(const sl_sweep *s, size_t run, char *buf, size_t n)
{
    snprintf(buf, n, "%0*zu", s->id_width, run);
}

uint64_t sl_sweep_seed(const sl_sweep *s, size_t run) { return sl_seed_mix(s->base_seed, run); }

static int push(char ***v, int *n, int *cap, const char *s)
{
    if (*n + 2 > *cap) {
        int nc = *cap ? *cap * 2 : 32;
        char **nv = realloc(*v, (size_t)nc * sizeof *nv);
        if (!nv) return -1;
        *v = nv;
        *cap = nc;
    }
    char *c = strdup(s);
    if (!c) return -1;
    (*v)[(*n)++] = c;
    (*v)[*n] = NULL;
    return 0;
}

char **sl_sweep_argv(const sl_sweep *s, size_t point, uint64_t seed, const char *dir,
                     long long steps, int check_params)
{
    char **v = NULL;
    int n = 0, cap = 0, bad = 0;
    char buf[64];
    bad |= push(&v, &n, &cap, s->exe);
    bad |= push(&v, &n, &cap, "run");
    bad |= push(&v, &n, &cap, s->scenario);
    bad |= push(&v, &n, &cap, "--out");
    bad |= push(&v, &n, &cap, dir);
    bad |= push(&v, &n, &cap, "--seed");
    snprintf(buf, sizeof buf, "%llu", (unsigned long long)seed);
    bad |= push(&v, &n, &cap, buf);
    bad |= push(&v, &n, &cap, "--quiet");
    if (steps < 0) steps = s->steps;
    if (steps >= 0) {
        bad |= push(&v, &n, &cap, "--steps");
        snprintf(buf, sizeof buf, "%lld", steps);
        bad |= push(&v, &n, &cap, buf);
    }
    int threads = s->threads;
    if (threads <= 0) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        threads = cores > s->jobs ? (int)(cores / s->jobs) : 1;
    }
    bad |= push(&v, &n, &cap, "--threads");
    snprintf(buf, sizeof buf, "%d", threads);
    bad |= push(&v, &n, &cap, buf);
    if (s->unsafe) bad |= push(&v, &n, &cap, "--unsafe");
    if (s->lua_memory > 0) {
        bad |= push(&v, &n, &cap, "--lua-memory");
        snprintf(buf, sizeof buf, "%lld", s->lua_memory);
        bad |= push(&v, &n, &cap, buf);
    }
    if (s->call_time_limit > 0) {
        bad |= push(&v, &n, &cap, "--call-time-limit");
        snprintf(buf, sizeof buf, "%.17g", s->call_time_limit);
        bad |= push(&v, &n, &cap, buf);
    }
    if (check_params) bad |= push(&v, &n, &cap, "--check-params");
    for (int i = 0; i < s->nfixed; i++) {
        char *kv = malloc(strlen(s->fixed_names[i]) + strlen(s->fixed_values[i]) + 2);
        if (!kv) {
            bad = 1;
            break;
        }
        sprintf(kv, "%s=%s", s->fixed_names[i], s->fixed_values[i]);
        bad |= push(&v, &n, &cap, "--set");
        bad |= push(&v, &n, &cap, kv);
        free(kv);
    }
    for (int a = 0; a < s->grid.naxes; a++) {
        const char *val = sl_sweep_grid_value(&s->grid, point, a);
        char *kv = malloc(strlen(s->grid.axes[a].name) + strlen(val) + 2);
        if (!kv) {
            bad = 1;
            break;
        }
        sprintf(kv, "%s=%s", s->grid.axes[a].name, val);
        bad |= push(&v, &n, &cap, "--set");
        bad |= push(&v, &n, &cap, kv);
        free(kv);
    }
    if (bad) {
        sl_sweep_argv_release(v);
        return NULL;
    }
    return v;
}

void sl_sweep_argv_release(char **argv)
{
    if (!argv) return;
    for (char **p = argv; *p; p++) free(*p);
    free(argv);
}

pid_t sl_sweep_spawn(const sl_sweep *s, char **argv, const char *stderr_path, sl_error *e)
{
    int errfd = open(stderr_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (errfd < 0) {
        sl_error_set(e, SL_ERR_IO, "%s: cannot write: %s", stderr_path, strerror(errno));
        return -1;
    }
    pid_t parent = getpid();
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(errfd);
        sl_error_set(e, SL_ERR_IO, "cannot start a run: fork: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(127);
        int nul = open("/dev/null", O_RDWR);
        if (nul >= 0) {
            dup2(nul, 0);
            dup2(nul, 1);
        }
        dup2(errfd, 2);
        setenv("OMP_WAIT_POLICY", "passive", 0);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        execv(s->exe, argv);
        dprintf(2, "swarmlab sweep: cannot execute %s: %s\n", s->exe, strerror(errno));
        _exit(127);
    }
    close(errfd);
    return pid;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path) == 0 || errno == ENOENT ? 0 : -1;
}

int sl_remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0) return errno == ENOENT ? 0 : -1;
    return nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void run_dir(const sl_sweep *s, size_t run, char *buf, size_t n)
{
    char id[32];
    sl_sweep_run_id(s, run, id, sizeof id);
    snprintf(buf, n, "%s/runs/%s", s->out, id);
}

pid_t sl_sweep_start_run(const sl_sweep *s, size_t run, sl_error *e)
{
    char dir[4200], errpath[4300];
    run_dir(s, run, dir, sizeof dir);
    if (sl_remove_tree(dir) != 0 || mkdir(dir, 0755) != 0) {
        sl_error_set(e, SL_ERR_IO, "%s: cannot create: %s", dir, strerror(errno));
        return -1;
    }
    snprintf(errpath, sizeof errpath, "%s/stderr.log", dir);
    size_t point = run / (size_t)s->replicates;
    char **argv = sl_sweep_argv(s, point, sl_sweep_seed(s, run), dir, -1, 0);
    if (!argv) {
        sl_error_set(e, SL_ERR_NOMEM, "out of memory");
        return -1;
    }
    pid_t pid = sl_sweep_spawn(s, argv, errpath, e);
    sl_sweep_argv_release(argv);
    return pid;
}

/* Last non-empty line of a file (for error messages), or an empty string. */
static void last_line(const char *path, char *buf, size_t n)
{
    buf[0] = '\0';
    size_t len = 0;
    char *t = sl_read_file(path, &len);
    if (!t) return;
    while (len > 0 && (t[len - 1] == '\n' || t[len - 1] == '\r' || t[len - 1] == ' ')) len--;
    size_t b = len;
    while (b > 0 && t[b - 1] != '\n') b--;
    size_t k = len - b < n - 1 ? len - b : n - 1;
    memcpy(buf, t + b, k);
    buf[k] = '\0';
    free(t);
}

static int is_manifest_key(const char *k)
{
    static const char *const known[] = {"status", "error", "scenario", "scenario_sha256", "version",
                                        "seed", "threads", "steps", "steps_planned",
                                        "start_time", "wall_seconds", "out", NULL};
    for (int i = 0; known[i]; i++)
        if (strcmp(k, known[i]) == 0) return 1;
    return strncmp(k, "params.", 7) == 0;
}

/* Result keys of a manifest (swarmlab.result), in file order; for the header of runs.csv. */
int sl_sweep_manifest_results(const sl_kvlist *m, char ***out)
{
    int n = 0;
    *out = calloc((size_t)m->n + 1, sizeof **out);
    if (!*out) return -1;
    for (int i = 0; i < m->n; i++)
        if (!is_manifest_key(m->kv[i].key)) (*out)[n++] = strdup(m->kv[i].key);
    return n;
}

void sl_sweep_watch(const sl_sweep *s, sl_run_child *c, double now)
{
    if (c->pid <= 0) return;
    if (!c->term_at && s->run_timeout > 0 && now - c->t0 > s->run_timeout) {
        c->timed_out = 1;
        c->term_at = now;
        kill(c->pid, SIGTERM);
    } else if (c->term_at && now - c->term_at > SL_SWEEP_KILL_GRACE) {
        kill(c->pid, SIGKILL);
    }
}

void sl_sweep_stop_child(sl_run_child *c)
{
    if (c->pid <= 0) return;
    kill(c->pid, SIGTERM);
    double t0 = sl_monotonic_seconds();
    int killed = 0;
    for (;;) {
        pid_t r = waitpid(c->pid, NULL, WNOHANG);
        if (r == c->pid || (r < 0 && errno != EINTR)) break;
        if (!killed && sl_monotonic_seconds() - t0 > SL_SWEEP_KILL_GRACE) {
            kill(c->pid, SIGKILL);
            killed = 1;
        }
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    c->pid = 0;
}

/* Whether the file system holding dir has (almost) no space left: a run that failed without a
 * manifest there could not write one. */
static int disk_full(const char *dir)
{
    struct statvfs v;
    return statvfs(dir, &v) == 0 && (double)v.f_bavail * (double)v.f_frsize < 64.0 * 1024;
}

int sl_sweep_row_disk_full(const sl_sweep *s, char **row)
{
    return strcmp(row[s->col_status], "ok") != 0 && strstr(row[s->col_error], strerror(ENOSPC));
}

char **sl_sweep_finish_run(const sl_sweep *s, size_t run, int wstatus, double wall, int timed_out)
{
    char **row = calloc((size_t)s->ncols, sizeof *row);
    if (!row) return NULL;
    char dir[4200], path[4300], buf[1200], id[32];
    run_dir(s, run, dir, sizeof dir);
    sl_sweep_run_id(s, run, id, sizeof id);
    size_t point = run / (size_t)s->replicates;
    sl_kvlist man = {0}, last = {0};
    sl_error e;
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    int have_manifest = access(path, F_OK) == 0 && sl_json_read_flat(path, &man, &e) == SL_OK;
    snprintf(path, sizeof path, "%s/metrics.csv", dir);
    if (access(path, F_OK) == 0) sl_csv_read_last_row(path, &last, &e);
    snprintf(path, sizeof path, "%s/stderr.log", dir);
    char errline[1024];
    last_line(path, errline, sizeof errline);

    const char *status, *error = "";
    char msg[1200];
    const char *mstatus = have_manifest ? sl_kvlist_get(&man, "status") : NULL;
    if (timed_out) {
        status = "timeout";
        snprintf(msg, sizeof msg, "stopped after the run time limit of %g s (--run-timeout)%s",
                 s->run_timeout, WIFSIGNALED(wstatus) ? "; killed" : "");
        error = msg;
    } else if (WIFSIGNALED(wstatus)) {
        status = "crashed";
        snprintf(msg, sizeof msg, "killed by signal %d (%s)%s%s", WTERMSIG(wstatus),
                 strsignal(WTERMSIG(wstatus)), errline[0] ? ": " : "", errline);
        error = msg;
    } else if (mstatus && strcmp(mstatus, "ok") == 0 && WEXITSTATUS(wstatus) == 0) {
        status = "ok";
    } else if (mstatus && strcmp(mstatus, "timeout") == 0) {
        status = "timeout"; /* the run's own --call-time-limit */
        error = sl_kvlist_get(&man, "error");
        if (!error) error = "";
    } else {
        status = "error";
        const char *merr = have_manifest ? sl_kvlist_get(&man, "error") : NULL;
        if (merr && *merr) error = merr;
        else if (!have_manifest && disk_full(dir)) {
            snprintf(msg, sizeof msg, "the run could not write its results (%s)",
                     strerror(ENOSPC));
            error = msg;
        }
        else if (errline[0]) error = errline;
        else {
            snprintf(msg, sizeof msg, "exit status %d%s", WEXITSTATUS(wstatus),
                     have_manifest ? "" : ", no manifest.json");
            error = msg;
        }
    }

    int c = 0;
    row[c++] = strdup(id);
    snprintf(buf, sizeof buf, "%zu", point);
    row[c++] = strdup(buf);
    snprintf(buf, sizeof buf, "%zu", run % (size_t)s->replicates);
    row[c++] = strdup(buf);
    for (int p = 0; p < s->nparams; p++) {
        char key[600];
        snprintf(key, sizeof key, "params.%s.value", s->params[p]);
        const char *v = have_manifest ? sl_kvlist_get(&man, key) : NULL;
        int a = sl_sweep_grid_find(&s->grid, s->params[p]);
        if (!v && a >= 0) v = sl_sweep_grid_value(&s->grid, point, a);
        for (int f = 0; !v && f < s->nfixed; f++)
            if (strcmp(s->fixed_names[f], s->params[p]) == 0) v = s->fixed_values[f];
        row[c++] = strdup(v ? v : "");
    }
    snprintf(buf, sizeof buf, "%llu", (unsigned long long)sl_sweep_seed(s, run));
    row[c++] = strdup(buf);
    row[c++] = strdup(status);
    row[c++] = strdup(error);
    snprintf(buf, sizeof buf, "%.3f", wall);
    row[c++] = strdup(buf);
    const char *steps = have_manifest ? sl_kvlist_get(&man, "steps") : NULL;
    row[c++] = strdup(steps ? steps : "");
    for (int m = 0; m < s->nmetrics; m++) {
        const char *v = sl_kvlist_get(&last, s->metrics[m]);
        row[c++] = strdup(v ? v : "");
    }
    for (int r = 0; r < s->nresults; r++) {
        const char *v = have_manifest ? sl_kvlist_get(&man, s->results[r]) : NULL;
        row[c++] = strdup(v ? v : "");
    }
    sl_kvlist_release(&man);
    sl_kvlist_release(&last);
    for (int i = 0; i < s->ncols; i++)
        if (!row[i]) {
            sl_sweep_row_release(s, row);
            return NULL;
        }
    return row;
}

void sl_sweep_row_release(const sl_sweep *s, char **row)
{
    free_strv(row, s->ncols);
}
