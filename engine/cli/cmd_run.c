/* cmd_run.c - `swarmlab run SCENARIO.lua`: one scenario, headless, results on disk.
 *
 * Flow of sl_run_execute() (each stage a function below, all sharing a run_ctx):
 *   resolve_settings   INI file, seed, threads, quiet (command line beats INI beats defaults)
 *   check_scenario     the file is readable; its SHA-256 for the manifest
 *   prepare_output     create DIR, check it is writable, remove a previous run's final files
 *   load_scenario      Lua host: top level, parameters (INI + --set), step count
 *   setup + open_metrics   setup(world), then DIR/metrics.csv.part with the rows so far
 *   step_loop          world step + step(world, t) per step, progress on stderr
 *   complete / fail    finish(world), metrics.csv renamed, manifest.json status ok; or on any
 *                      error: metrics left as .part, manifest.json with status "error", exit 2
 *
 * Where other features plug in (keep each addition small):
 *   - new flags: a field in sl_run_args (cli.h) and a case in sl_run_parse_args + usage text;
 *   - viewer (--view, --frames DIR, --frame-every N, --size WxH): open the view after
 *     open_metrics, call it from step_loop after each step (see "per-step hooks"), close it in
 *     run_cleanup;
 *   - checkpoints (--resume FILE): restore the world after setup, before open_metrics;
 *     (--checkpoint-every N): write from step_loop's per-step hooks;
 *   - sweeps: call sl_run_execute() with filled sl_run_args (quiet = 1) and read sl_run_report.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <omp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "swarmlab/checkpoint.h"
#include "swarmlab/lua_host.h"
#include "swarmlab/recorder.h"
#include "swarmlab/world.h"

#include "args.h"
#include "cmd_view.h"
#include "manifest.h"
#include "progress.h"
#include "run_ini.h"
#include "sha256.h"

#ifndef SWARMLAB_VERSION
#define SWARMLAB_VERSION "0"
#endif

#define MAX_THREADS 1024

/* ---- options ---- */

void sl_run_args_init(sl_run_args *o)
{
    memset(o, 0, sizeof *o);
}

void sl_run_args_release(sl_run_args *o)
{
    for (int i = 0; i < o->nset; i++) {
        free(o->set_names[i]);
        free(o->set_values[i]);
    }
    free(o->set_names);
    free(o->set_values);
    o->set_names = o->set_values = NULL;
    o->nset = 0;
}

int sl_run_args_add_set(sl_run_args *o, const char *name, const char *value)
{
    char **n = realloc(o->set_names, (size_t)(o->nset + 1) * sizeof *n);
    if (!n) return -1;
    o->set_names = n;
    char **v = realloc(o->set_values, (size_t)(o->nset + 1) * sizeof *v);
    if (!v) return -1;
    o->set_values = v;
    n[o->nset] = strdup(name);
    v[o->nset] = strdup(value);
    if (!n[o->nset] || !v[o->nset]) {
        free(n[o->nset]);
        free(v[o->nset]);
        return -1;
    }
    o->nset++;
    return 0;
}

void sl_cmd_run_usage(FILE *f)
{
    fputs("usage: swarmlab run SCENARIO.lua [options]\n"
          "\n"
          "Runs a scenario headless and writes DIR/metrics.csv and DIR/manifest.json.\n"
          "\n"
          "options:\n"
          "  --steps N          number of steps (default: the scenario's swarmlab.steps)\n"
          "  --seed S           root seed, unsigned 64-bit (default 1)\n"
          "  --threads T        worker threads, >= 1 (default: all cores)\n"
          "  --out DIR          output directory (default: results/<scenario>-<seed>)\n"
          "  --set NAME=VALUE   set a scenario parameter (repeatable)\n"
          "  --config FILE.ini  run settings ([run]) and parameter defaults ([params])\n"
          "  --quiet            no progress or log lines\n"
          "  --unsafe           lift the Lua sandbox (shell, writes anywhere, binary chunks)\n"
          "  --lua-budget N     Lua instructions allowed per callback (default 2000000000)\n"
          "  --lua-memory SIZE  memory the Lua state may hold, e.g. 512M or 2G (default: a\n"
          "                     quarter of the machine's memory)\n"
          "  --time-limit S     wall seconds the scenario may take (default: no limit)\n"
          "  --call-time-limit S  wall seconds for each callback, and each step with all\n"
          "                     its callbacks (default: no limit)\n"
          "                     Either ends the run with manifest status \"timeout\"; a C call\n"
          "                     that cannot stop (a pattern match) gets 5 s more, then the\n"
          "                     process writes that manifest and exits\n"
          "  --checkpoint-every N   write DIR/checkpoint.bin every N steps\n"
          "  --check-params     load the scenario and check its parameters, then stop\n"
          "  --resume FILE      continue from a checkpoint (--steps is the total; a --seed\n"
          "                     other than the checkpoint's branches the run)\n"
          "  --view             watch the run in a window (stays open at the end)\n"
          "  --frames DIR       write PNG frames DIR/frame_<step>.png and DIR/final.png\n"
          "  --frame-every N    a frame every N steps (default 1)\n"
          "  --size WxH         window / frame size (default 1280x720)\n"
          "  --y-up             draw the world's y axis upward (maps, plots)\n"
          "  --no-hud           frames show the world only (no panels, chart or text)\n"
          "  --help             this text\n"
          "\n"
          "Precedence: command line, then the INI file, then the scenario's defaults.\n"
          "Exit status: 0 ok, 2 bad input or a failed run (manifest status \"error\"),\n"
          "130/143 stopped by SIGINT/SIGTERM after the step under way (manifest status\n"
          "\"interrupted\", metrics left in DIR/metrics.csv.part); a time limit exits 2 with\n"
          "manifest status \"timeout\".\n",
          f);
}

/* Value of an option given as "--name value" or "--name=value"; advances *i. */
static const char *option_value(int argc, char **argv, int *i, const char *arg, size_t namelen,
                                sl_error *e)
{
    if (arg[namelen] == '=') return arg + namelen + 1;
    if (*i + 1 >= argc || strncmp(argv[*i + 1], "--", 2) == 0) {
        sl_error_set(e, SL_ERR_USAGE, "option '%.*s' needs a value", (int)namelen, arg);
        return NULL;
    }
    return argv[++*i];
}

static int opt_is(const char *arg, const char *name, size_t *len)
{
    size_t n = strlen(name);
    if (strncmp(arg, name, n) != 0 || (arg[n] != '\0' && arg[n] != '=')) return 0;
    *len = n;
    return 1;
}

int sl_run_parse_args(sl_run_args *o, int argc, char **argv, sl_error *e)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        size_t n;
        long long ll;
        int vr;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            sl_cmd_run_usage(stdout);
            return 1;
        } else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
            o->quiet = 1;
        } else if (strcmp(a, "--unsafe") == 0) {
            o->unsafe = 1;
        } else if (strcmp(a, "--check-params") == 0) {
            o->check_params = 1;
        } else if (opt_is(a, "--steps", &n)) {
            if (!(v = option_value(argc, argv, &i, a, n, e))) return -1;
            if (sl_parse_ll(v, &ll) != 0 || ll < 0) {
                sl_error_set(e, SL_ERR_USAGE, "--steps: expected an integer >= 0, got '%s'", v);
                return -1;
            }
            o->has_steps = 1;
            o->steps = ll;
        } else if (opt_is(a, "--seed", &n)) {
            if (!(v = option_value(argc, argv, &i, a, n, e))) return -1;
            if (sl_parse_u64(v, &o->seed) != 0) {
                sl_error_set(e, SL_ERR_USAGE,
                             "--seed: expected an unsigned 64-bit integer, got '%s'", v);
                return -1;
            }
            o->has_seed = 1;
        } else if (opt_is(a, "--threads", &n)) {
            if (!(v = option_value(argc, argv, &i, a, n, e))) return -1;
            if (sl_parse_ll(v, &ll) != 0 || ll < 1 || ll > MAX_THREADS) {
                sl_error_set(e, SL_ERR_USAGE, "--threads: expected an integer in 1..%d, got '%s'",
                             MAX_THREADS, v);
                return -1;
            }
            o->threads = (int)ll;
        } else if (opt_is(a, "--out", &n)) {
            if (!(v = option_value(argc, argv, &i, a, n, e))) return -1;
            if (!*v) {
                sl_error_set(e, SL_ERR_USAGE, "--out: empty directory name");
                return -1;
            }
            o->out_dir = v;
        } else if (opt_is(a, "--config", &n)) {
            if (!(v = option_value(argc, argv, &i, a, n, e))) return -1;
            o->config = v;
        } else if (opt_is(a, "--lua-budget", &n)) {
            if (!(v = option_value(argc, argv, &i, a, n, e))) return -1;
            if (sl_parse_ll(v, &ll) != 0 || ll < 1) {
                sl_error_set(e, SL_ERR_USAGE, "--lua-budget: expected an integer >= 1, got '%s'", v);
                return -1;
            }
            o->lua_budget = ll;
        } else if (opt_is(a, "--lua-memory", &n)) {
            if (!(v = option_value(argc, argv, &i, a, n, e))) return -1;
            if (sl_parse_bytes(v, &ll) != 0 || ll < (1 << 20)) {
                sl_error_set(e, SL_ERR_USAGE,
                             "--lua-memory: expected a size of at least 1M (bytes, or with K, M or "
                             "G), got '%s'", v);
                return -1;
            }
            o->lua_memory = ll;
        } else if (opt_is(a, "--time-limit", &n) || opt_is(a, "--call-time-limit", &n)) {
            int call = a[2] == 'c';
            if (!(v = option_value(argc, argv, &i, a, n, e))) return -1;
            char *end;
            double d = strtod(v, &end);
            if (end == v || *end || !(d > 0 && d <= 1e8)) {
                sl_error_set(e, SL_ERR_USAGE, "%s: expected seconds > 0 (at most 1e8), got '%s'",
                             call ? "--call-time-limit" : "--time-limit", v);
                return -1;
            }
            if (call) o->call_time_limit = d;
            else o->time_limit = d;
        } else if (opt_is(a, "--checkpoint-every", &n)) {
            if (!(v = option_value(argc, argv, &i, a, n, e))) return -1;
            if (sl_parse_ll(v, &ll) != 0 || ll < 1) {
                sl_error_set(e, SL_ERR_USAGE, "--checkpoint-every: expected an integer >= 1, got '%s'", v);
                return -1;
            }
            o->checkpoint_every = ll;
        } else if (opt_is(a, "--resume", &n)) {
            if (!(v = option_value(argc, argv, &i, a, n, e))) return -1;
            o->resume = v;
        } else if (opt_is(a, "--set", &n)) {
            if (!(v = option_value(argc, argv, &i, a, n, e))) return -1;
            char *name;
            const char *value;
            if (sl_run_split_set(v, &name, &value, e) != SL_OK) return -1;
            int added = sl_run_args_add_set(o, name, value);
            free(name);
            if (added != 0) {
                sl_error_set(e, SL_ERR_NOMEM, "out of memory");
                return -1;
            }
        } else if ((vr = sl_run_viewer_parse(o, argc, argv, &i, e)) != 0) {
            if (vr < 0) return -1;       /* viewer options: cmd_view.c */
        } else if (a[0] == '-' && a[1] != '\0') {
            sl_error_set(e, SL_ERR_USAGE, "unknown option '%s' (see 'swarmlab run --help')", a);
            return -1;
        } else if (!o->scenario) {
            o->scenario = a;
        } else {
            sl_error_set(e, SL_ERR_USAGE, "unexpected argument '%s' (one scenario per run)", a);
            return -1;
        }
    }
    if (!o->scenario) {
        sl_error_set(e, SL_ERR_USAGE, "no scenario given (usage: swarmlab run SCENARIO.lua "
                                      "[options]; see --help)");
        return -1;
    }
    return 0;
}

/* ---- the run ---- */

/* What the process writes when a time limit ran out and the scenario is stuck in a C call that
 * cannot be interrupted: the manifest (status "timeout") and a line for stderr, per limit,
 * formatted ahead so the watchdog thread needs async-signal-safe calls only. */
typedef struct stuck_exit {
    char *text[2];           /* manifest text per limit (run, call); NULL: none */
    size_t len[2], steps_at[2], wall_at[2];
    char line[2][640];
} stuck_exit;

typedef struct run_ctx {
    const sl_run_args *o;
    sl_run_ini ini;
    uint64_t seed;
    int threads, quiet;
    long long steps;         /* planned, -1 until known */
    long long steps_done;
    char out_dir[SL_CLI_PATH_MAX];
    int have_out;            /* the output directory exists and is ours to write */
    int lock_fd;             /* DIR/.lock, held for the whole run (-1: none) */
    char metrics_path[SL_CLI_PATH_MAX + 32];
    char manifest_path[SL_CLI_PATH_MAX + 32];
    char sha[65];
    int have_sha;
    char start_time[32];
    double t0;
    sl_host *host;
    sl_run_viewer *viewer;   /* window and/or PNG frames (NULL without --view/--frames) */
    int csv_open;
    sl_progress prog;
    sl_checkpoint_info ckpt;   /* the checkpoint resumed from (o->resume) */
    char ckpt_path[SL_CLI_PATH_MAX + 32];
    sl_run_overrides over;   /* handed to the host: INI entries first, then --set */
    sl_error err;
    /* the end after a time limit when the scenario is stuck in C (on_stuck, another thread) */
    stuck_exit *stuck[2];    /* before and after the scenario loaded (NULL: not formatted) */
    _Atomic(stuck_exit *) stuck_now;
    atomic_llong steps_now;  /* steps_done, for that manifest */
    atomic_int claimed;      /* 1: the final manifest is being written (by either thread) */
    int final_failed;        /* the main thread's final manifest says the run failed */
} run_ctx;

/* SIGINT/SIGTERM during a run: the signal that asked it to stop (0: none). The run stops after
 * the step under way and writes an "interrupted" manifest; a second signal ends the process. */
static volatile sig_atomic_t g_stop_signal;

static void on_stop_signal(int sig) { g_stop_signal = sig; }

static sl_status interrupted(run_ctx *c)
{
    return sl_error_set(&c->err, SL_ERR_STATE, "interrupted by %s after %lld of %lld steps",
                        g_stop_signal == SIGINT ? "SIGINT" : "SIGTERM", c->steps_done, c->steps);
}

static void on_log(void *user, const char *line)
{
    run_ctx *c = user;
    if (!c->quiet) sl_progress_print(&c->prog, line);
}

static sl_status resolve_settings(run_ctx *c)
{
    const sl_run_args *o = c->o;
    if (o->config && sl_run_ini_load(&c->ini, o->config, &c->err) != SL_OK) return c->err.code;
    c->seed = o->has_seed ? o->seed : c->ini.has_seed ? c->ini.seed : 1;
    /* a resumed run keeps the checkpoint's seed unless one is given (branching) */
    if (o->resume) {
        if (sl_checkpoint_peek(o->resume, &c->ckpt, &c->err) != SL_OK) return c->err.code;
        if (!o->has_seed) c->seed = c->ckpt.seed;
    }
    c->threads = o->threads > 0 ? o->threads : c->ini.has_threads ? c->ini.threads
                                                                    : omp_get_max_threads();
    if (c->threads < 1) c->threads = 1;
    c->quiet = o->quiet || (c->ini.has_quiet && c->ini.quiet);
    c->steps = o->has_steps ? o->steps : c->ini.has_steps ? c->ini.steps : -1;

    return sl_run_overrides_merge(&c->over, &c->ini, o->nset, o->set_names, o->set_values,
                                  &c->err);
}

static sl_status check_scenario(run_ctx *c)
{
    struct stat st;
    const char *path = c->o->scenario;
    if (stat(path, &st) != 0)
        return sl_error_set(&c->err, SL_ERR_IO, "%s: cannot open scenario: %s", path,
                            strerror(errno));
    if (!S_ISREG(st.st_mode))
        return sl_error_set(&c->err, SL_ERR_IO, "%s: not a regular file", path);
    if (sl_sha256_file(path, c->sha) != 0)
        return sl_error_set(&c->err, SL_ERR_IO, "%s: cannot read scenario: %s", path,
                            strerror(errno));
    c->have_sha = 1;
    return SL_OK;
}

/* Default output directory: results/<scenario file name without .lua>-<seed>; -1 when too long. */
static int default_out_dir(run_ctx *c)
{
    const char *base = strrchr(c->o->scenario, '/');
    base = base ? base + 1 : c->o->scenario;
    size_t len = strlen(base);
    if (len > 4 && strcmp(base + len - 4, ".lua") == 0) len -= 4;
    return snprintf(c->out_dir, sizeof c->out_dir, "results/%.*s-%llu", (int)len, base,
                    (unsigned long long)c->seed) < (int)sizeof c->out_dir ? 0 : -1;
}

static int mkdir_p(const char *path)
{
    char tmp[SL_CLI_PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s", path) >= (int)sizeof tmp) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(tmp, 0777) != 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    if (mkdir(tmp, 0777) != 0 && errno != EEXIST) return -1;
    struct stat st;
    if (stat(tmp, &st) != 0) return -1;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

/* Longest output directory: its files' names (".../manifest.json.part") must fit a path. */
#define OUT_DIR_MAX (SL_CLI_PATH_MAX - 32)

/* Takes DIR/.lock for the run: a second run, or a run into the directory of a running sweep
 * (which holds the same lock), is refused instead of mixing its results with ours. */
static sl_status lock_output(run_ctx *c)
{
    char path[SL_CLI_PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/.lock", c->out_dir);
    c->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (c->lock_fd < 0)
        return sl_error_set(&c->err, SL_ERR_IO, "cannot write to output directory '%s': %s",
                            c->out_dir, strerror(errno));
    if (flock(c->lock_fd, LOCK_EX | LOCK_NB) != 0)
        return sl_error_set(&c->err, SL_ERR_IO, "output directory '%s' is in use by another run "
                            "or sweep; choose another --out", c->out_dir);
    return SL_OK;
}

static sl_status prepare_output(run_ctx *c)
{
    const char *dir = c->o->out_dir ? c->o->out_dir : c->ini.out;
    if (dir && strlen(dir) > OUT_DIR_MAX)
        return sl_error_set(&c->err, SL_ERR_USAGE, "output directory name too long (%zu bytes, "
                            "at most %d)", strlen(dir), OUT_DIR_MAX);
    if (dir) snprintf(c->out_dir, sizeof c->out_dir, "%s", dir);
    else if (default_out_dir(c) != 0 || strlen(c->out_dir) > OUT_DIR_MAX)
        return sl_error_set(&c->err, SL_ERR_USAGE, "%s: scenario name too long for the default "
                            "output directory; pass --out DIR", c->o->scenario);
    size_t len = strlen(c->out_dir);
    while (len > 1 && c->out_dir[len - 1] == '/') c->out_dir[--len] = '\0';
    if (mkdir_p(c->out_dir) != 0 || access(c->out_dir, W_OK | X_OK) != 0)
        return sl_error_set(&c->err, SL_ERR_IO, "cannot write to output directory '%s': %s",
                            c->out_dir, strerror(errno));
    sl_status st = lock_output(c);
    if (st != SL_OK) return st;
    snprintf(c->metrics_path, sizeof c->metrics_path, "%s/metrics.csv", c->out_dir);
    snprintf(c->manifest_path, sizeof c->manifest_path, "%s/manifest.json", c->out_dir);
    snprintf(c->ckpt_path, sizeof c->ckpt_path, "%s/checkpoint.bin", c->out_dir);
    /* a previous run's results must not pass for this run's */
    if ((remove(c->manifest_path) != 0 && errno != ENOENT) ||
        (remove(c->metrics_path) != 0 && errno != ENOENT))
        return sl_error_set(&c->err, SL_ERR_IO, "cannot replace previous results in '%s': %s",
                            c->out_dir, strerror(errno));
    c->have_out = 1;
    return SL_OK;
}

/* ---- a time limit with the scenario stuck in C ---- */

static void fill_manifest(run_ctx *c, sl_manifest *m, const char *error);

/* Formats what on_stuck writes, with what is known now (slot 0: before the scenario loaded, no
 * parameters; 1: after). Earlier texts stay allocated until the run ends, since the watchdog
 * thread may be reading one. */
static void prepare_stuck(run_ctx *c, int slot)
{
    const sl_run_args *o = c->o;
    if (o->time_limit <= 0 && o->call_time_limit <= 0) return;
    stuck_exit *x = calloc(1, sizeof *x);
    if (!x) return;
    for (int k = 0; k < 2; k++) {
        char what[200], error[600];
        sl_limit_message(k ? SL_LIMIT_CALL : SL_LIMIT_RUN, o->time_limit, o->call_time_limit,
                         what, sizeof what);
        snprintf(error, sizeof error, "%s; %s", what, SL_WATCHDOG_STUCK);
        snprintf(x->line[k], sizeof x->line[k], "swarmlab: error: %s\n", error);
        if (!c->have_out) continue;
        sl_manifest m;
        fill_manifest(c, &m, error);
        m.status = "timeout";
        x->text[k] = sl_manifest_text(&m, &x->len[k], &x->steps_at[k], &x->wall_at[k]);
    }
    c->stuck[slot] = x;
    atomic_store(&c->stuck_now, x);
}

static void free_stuck(run_ctx *c)
{
    for (int i = 0; i < 2; i++) {
        if (!c->stuck[i]) continue;
        free(c->stuck[i]->text[0]);
        free(c->stuck[i]->text[1]);
        free(c->stuck[i]);
        c->stuck[i] = NULL;
    }
}

static void write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w <= 0) return;
        p += w;
        n -= (size_t)w;
    }
}

/* On the watchdog thread, `grace` seconds after a time limit ran out with the scenario still
 * running: the "timeout" manifest and one line on stderr, with async-signal-safe calls only;
 * returns 1 (the host then ends the process). When the main thread already writes its own
 * final manifest, only ends the process if that manifest is a failure. */
static int on_stuck(void *user, int which)
{
    run_ctx *c = user;
    if (atomic_exchange(&c->claimed, 1)) return c->final_failed;
    stuck_exit *x = atomic_load(&c->stuck_now);
    int k = which == SL_LIMIT_CALL;
    if (x && x->text[k]) {
        char part[sizeof c->manifest_path + 8];
        size_t n = strlen(c->manifest_path);
        memcpy(part, c->manifest_path, n);
        memcpy(part + n, ".part", 6);
        sl_manifest_patch(x->text[k], x->steps_at[k], x->wall_at[k], atomic_load(&c->steps_now),
                          sl_monotonic_seconds() - c->t0);
        int fd = open(part, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd >= 0) {
            write_all(fd, x->text[k], x->len[k]);
            int synced = fsync(fd) == 0;
            if (close(fd) == 0 && synced) rename(part, c->manifest_path);
        }
    }
    const char *line = x ? x->line[k] : "swarmlab: error: time limit exceeded\n";
    write_all(2, line, strlen(line));
    return 1;
}

static sl_status load_scenario(run_ctx *c)
{
    sl_host_def cfg = {
        .scenario = c->o->scenario,
        .out_dir = c->out_dir,
        .seed = c->seed,
        .threads = c->threads,
        .unsafe = c->o->unsafe,
        .instr_budget = c->o->lua_budget,
        .lua_memory = c->o->lua_memory,
        .time_limit = c->o->time_limit,
        .call_time_limit = c->o->call_time_limit,
        .on_stuck = on_stuck,
        .stuck_user = c,
        .nset = c->over.n,
        .set_names = c->over.names,
        .set_values = c->over.values,
        .set_sources = c->over.sources,
        .set_origins = c->over.origins,
        .quiet = c->quiet,
        .log_fn = on_log,
        .log_user = c,
        .open_modules = sl_lua_open_modules,
    };
    prepare_stuck(c, 0);
    c->host = sl_host_create(&cfg, &c->err);
    if (!c->host) return c->err.code;
    if (c->steps < 0) c->steps = sl_host_default_steps(c->host);
    if (c->steps < 0)
        return sl_error_set(&c->err, SL_ERR_USAGE, "%s: no step count: the scenario does not call "
                            "swarmlab.steps(n); pass --steps N", c->o->scenario);
    sl_host_set_steps(c->host, c->steps);
    prepare_stuck(c, 1);
    return SL_OK;
}

/* --resume: setup() has rebuilt the world's layout; now its state comes from the file. */
/* The run's parameters as "name=value" lines, in declaration order, for checkpoints; the step
 * count (a parameter named "steps") is left out: a resume may extend the run. */
static char *params_text(const sl_host *h)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return NULL;
    for (int i = 0; i < sl_host_nparams(h); i++) {
        const char *name, *value, *source;
        sl_host_param(h, i, &name, &value, &source);
        if (strcmp(name, "steps") != 0) fprintf(f, "%s=%s\n", name, value);
    }
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* The value of name in params text (a pointer to its line's value, length in *n), or NULL. */
static const char *param_in(const char *text, const char *name, size_t *n)
{
    size_t k = strlen(name);
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t ll = nl ? (size_t)(nl - p) : strlen(p);
        if (ll > k && strncmp(p, name, k) == 0 && p[k] == '=') {
            *n = ll - k - 1;
            return p + k + 1;
        }
        p += ll + (nl ? 1 : 0);
    }
    return NULL;
}

/* A resumed run must have the parameters the checkpoint was made with: the world's state came
 * from them, and the manifest would otherwise show values the results do not stem from. */
static sl_status check_resume_params(run_ctx *c, const char *mine)
{
    if (c->ckpt.version < 2) return SL_OK; /* version 1 files did not record them */
    const char *theirs = c->ckpt.params;
    if (strcmp(mine, theirs) == 0) return SL_OK;
    const char *a = mine, *b = theirs;
    for (int pass = 0; pass < 2; pass++) {
        for (const char *p = a; *p;) {
            const char *eq = strchr(p, '='), *nl = strchr(p, '\n');
            if (!eq || !nl || eq > nl) break;
            char name[256];
            size_t k = (size_t)(eq - p) < sizeof name - 1 ? (size_t)(eq - p) : sizeof name - 1;
            memcpy(name, p, k);
            name[k] = '\0';
            size_t n = 0, m = (size_t)(nl - eq - 1);
            const char *v = param_in(b, name, &n);
            if (!v || n != m || memcmp(v, eq + 1, m) != 0) {
                const char *mv = pass ? v : eq + 1, *cv = pass ? eq + 1 : v;
                int ml = (int)(pass ? n : m), cl = (int)(pass ? m : n);
                return sl_error_set(&c->err, SL_ERR_USAGE, "%s: the checkpoint was made with "
                                    "%s=%.*s, this run has %s=%.*s; resume with the checkpoint's "
                                    "parameters", c->o->resume, name, cv ? cl : 9,
                                    cv ? cv : "(nothing)", name, mv ? ml : 9,
                                    mv ? mv : "(nothing)");
            }
            p = nl + 1;
        }
        a = theirs;
        b = mine;
    }
    return sl_error_set(&c->err, SL_ERR_USAGE, "%s: the checkpoint was made with other "
                        "parameters", c->o->resume);
}

static sl_status restore_checkpoint(run_ctx *c)
{
    /* a scenario whose modules cannot save their state is refused before it runs */
    if ((c->o->checkpoint_every > 0 || c->o->resume) &&
        sl_checkpoint_supported(sl_host_world(c->host), &c->err) != SL_OK)
        return c->err.code;
    if (!c->o->checkpoint_every && !c->o->resume) return SL_OK;
    /* the run's parameters go into its checkpoints; a resume must match them */
    char *mine = params_text(c->host);
    if (!mine) return sl_error_set(&c->err, SL_ERR_NOMEM, "out of memory");
    sl_status st = sl_checkpoint_set_params(sl_host_world(c->host), mine, &c->err);
    if (st == SL_OK && c->o->resume) {
        if (c->steps >= 0 && (long long)c->ckpt.step > c->steps)
            st = sl_error_set(&c->err, SL_ERR_RANGE, "%s: checkpoint is at step %llu, beyond "
                              "the run's %lld steps", c->o->resume,
                              (unsigned long long)c->ckpt.step, c->steps);
        /* the layout check first (another scenario is named as such), then the parameters;
         * a refused run never steps, so the restored world goes unused */
        if (st == SL_OK)
            st = sl_checkpoint_restore(sl_host_world(c->host), c->o->resume, &c->ckpt, &c->err);
        if (st == SL_OK) st = check_resume_params(c, mine);
        if (st == SL_OK) c->steps_done = (long long)c->ckpt.step;
    }
    free(mine);
    return st;
}

static sl_status open_metrics(run_ctx *c)
{
    sl_status st = sl_recorder_open_csv(sl_world_recorder(sl_host_world(c->host)),
                                        c->metrics_path, &c->err);
    if (st == SL_OK) c->csv_open = 1;
    return st;
}

/* Per-step hooks: things that happen after each completed step (viewer frames, checkpoints)
 * go here. Return non-OK with c->err filled to abort the run. */
static sl_status after_step(run_ctx *c)
{
    atomic_store(&c->steps_now, c->steps_done);
    sl_progress_update(&c->prog, c->steps_done);
    if (c->o->checkpoint_every > 0 && c->steps_done % c->o->checkpoint_every == 0)
        return sl_checkpoint_save(sl_host_world(c->host), c->ckpt_path, c->o->scenario, &c->err);
    return sl_run_viewer_after_step(c->viewer, c->host, &c->err);
}

/* One step of the window loop (--view): the same as an iteration of step_loop. */
static sl_status window_step(void *user, int *stop, sl_error *e)
{
    run_ctx *c = user;
    sl_status st = sl_host_step(c->host, e);
    if (st != SL_OK) return st;
    *stop = sl_host_done(c->host);
    c->steps_done++;
    st = after_step(c);
    if (st == SL_OK && g_stop_signal) st = interrupted(c);
    if (st != SL_OK && e != &c->err) *e = c->err;
    return st;
}

static sl_status step_loop(run_ctx *c)
{
    sl_progress_start(&c->prog, stderr, c->steps, c->quiet);
    if (g_stop_signal) return interrupted(c);
    if (sl_run_viewer_has_window(c->viewer))
        return sl_run_viewer_loop(c->viewer, c->host, c->steps - c->steps_done, window_step, c,
                                  &c->err);
    for (long long t = c->steps_done; t < c->steps; t++) {
        sl_status st = sl_host_step(c->host, &c->err);
        if (st != SL_OK) return st;
        c->steps_done++;
        if ((st = after_step(c)) != SL_OK) return st;
        if (sl_host_done(c->host)) break;
        if (g_stop_signal) return interrupted(c);
    }
    return SL_OK;
}

static void fill_manifest(run_ctx *c, sl_manifest *m, const char *error)
{
    memset(m, 0, sizeof *m);
    m->scenario = c->o->scenario;
    m->scenario_sha256 = c->have_sha ? c->sha : NULL;
    m->version = SWARMLAB_VERSION;
    m->start_time = c->start_time;
    m->seed = c->seed;
    m->threads = c->threads;
    m->steps = c->steps_done;
    m->steps_planned = c->steps;
    m->wall_seconds = sl_monotonic_seconds() - c->t0;
    m->error = error;
    m->host = c->host;
}

static sl_status complete(run_ctx *c)
{
    sl_status st = sl_host_finish(c->host, &c->err);
    if (st != SL_OK) return st;
    if ((st = sl_run_viewer_final(c->viewer, c->host, &c->err)) != SL_OK) return st;
    /* the script's finalizers run now, under its limits, before the manifest says "ok" */
    if ((st = sl_host_close_script(c->host, &c->err)) != SL_OK) return st;
    if (atomic_exchange(&c->claimed, 1)) for (;;) pause(); /* the watchdog ends the process */
    st = sl_recorder_close_csv(sl_world_recorder(sl_host_world(c->host)), 1, &c->err);
    c->csv_open = 0;
    if (st != SL_OK) return st;
    sl_manifest m;
    fill_manifest(c, &m, NULL);
    return sl_manifest_write(c->manifest_path, &m, &c->err);
}

/* After an error: metrics stay as .part, the manifest records the error. */
static void fail(run_ctx *c)
{
    if (c->csv_open) {
        sl_error ignored;
        sl_recorder_close_csv(sl_world_recorder(sl_host_world(c->host)), 0, &ignored);
        c->csv_open = 0;
    }
    if (c->have_out) {
        sl_manifest m;
        sl_error e2;
        c->final_failed = 1;
        if (atomic_exchange(&c->claimed, 1)) for (;;) pause(); /* the watchdog ends the process */
        fill_manifest(c, &m, c->err.msg);
        if (g_stop_signal) m.status = "interrupted";
        if (c->host && sl_host_timed_out(c->host)) m.status = "timeout";
        if (sl_manifest_write(c->manifest_path, &m, &e2) != SL_OK && !c->quiet)
            fprintf(stderr, "swarmlab: also: %s\n", e2.msg);
    }
}

static void run_cleanup(run_ctx *c)
{
    sl_run_viewer_close(c->viewer);
    c->viewer = NULL;
    sl_host_destroy(c->host);
    c->host = NULL;
    if (c->lock_fd >= 0) close(c->lock_fd);
    c->lock_fd = -1;
    sl_run_ini_release(&c->ini);
    sl_run_overrides_release(&c->over);
    free_stuck(c); /* the watchdog stopped with the host */
}

int sl_run_execute(const sl_run_args *o, sl_run_report *rep)
{
    run_ctx c;
    memset(&c, 0, sizeof c);
    c.o = o;
    c.steps = -1;
    c.lock_fd = -1;
    sl_error_clear(&c.err);
    c.t0 = sl_monotonic_seconds();
    sl_utc_now_iso8601(c.start_time, sizeof c.start_time);

    sl_status st = resolve_settings(&c);
    if (st == SL_OK) st = check_scenario(&c);
    if (st == SL_OK) st = prepare_output(&c);
    if (st == SL_OK) st = load_scenario(&c);
    if (st == SL_OK && o->check_params) { /* parameters are fine: nothing more to do */
        run_cleanup(&c);
        return 0;
    }
    if (st == SL_OK) st = sl_host_setup(c.host, &c.err);
    if (st == SL_OK) st = restore_checkpoint(&c);
    if (st == SL_OK) st = open_metrics(&c);
    if (st == SL_OK) st = sl_run_viewer_open(&c.viewer, o, c.host, &c.err);
    if (st == SL_OK) st = step_loop(&c);
    if (st == SL_OK) st = complete(&c);
    int ok = st == SL_OK;
    sl_progress_end(&c.prog, c.steps_done, ok);
    int rc = ok ? 0 : g_stop_signal ? 128 + g_stop_signal : 2;
    if (!ok) {
        if (c.err.msg[0] == '\0') sl_error_set(&c.err, st, "run failed (%s)", sl_status_name(st));
        fail(&c);
        fprintf(stderr, "swarmlab: error: %s\n", c.err.msg);
        const char *tb = c.host ? sl_host_traceback(c.host) : "";
        if (st == SL_ERR_LUA && *tb) fprintf(stderr, "%s\n", tb);
    } else if (!c.quiet) {
        printf("results in %s\n", c.out_dir);
        fflush(stdout);
    }
    if (rep) {
        rep->status = rc;
        snprintf(rep->error, sizeof rep->error, "%s", ok ? "" : c.err.msg);
        snprintf(rep->out_dir, sizeof rep->out_dir, "%s", c.have_out ? c.out_dir : "");
        rep->steps_done = c.steps_done;
        rep->wall_seconds = sl_monotonic_seconds() - c.t0;
    }
    run_cleanup(&c);
    return rc;
}

int sl_cli_run_main(int argc, char **argv)
{
    sl_run_args o;
    sl_error e;
    sl_error_clear(&e);
    sl_run_args_init(&o);
    int rc = sl_run_parse_args(&o, argc, argv, &e);
    if (rc != 0) {
        if (rc < 0) fprintf(stderr, "swarmlab run: %s\n", e.msg);
        sl_run_args_release(&o);
        return rc < 0 ? 2 : 0;
    }
    /* first SIGINT/SIGTERM: finish the step, write an "interrupted" manifest; a second one
     * (SA_RESETHAND) ends the process at once. A run in a window leaves the signals to SDL,
     * which turns them into a window close (the run then ends as when the window is closed). */
    if (!o.view) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_stop_signal;
        sa.sa_flags = SA_RESETHAND;
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
    }
    rc = sl_run_execute(&o, NULL);
    sl_run_args_release(&o);
    return rc;
}

int sl_cmd_run(int argc, char **argv)
{
    return sl_cli_run_main(argc, argv);
}
