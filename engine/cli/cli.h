/* cli.h - the `swarmlab` command: subcommand entry points and the reusable single run.
 *
 * A subcommand is `int fn(int argc, char **argv)` with argv[0] the subcommand's name; it returns
 * the process exit status (0 ok, 2 bad input or a failed run). main.c lists them in a table.
 *
 * sl_run_execute() runs one scenario to completion (INI, parameters, output directory, metrics,
 * manifest) and is what `swarmlab run` does after parsing its arguments; other subcommands
 * (sweeps) call it in-process with their own options. It keeps no global state.
 */
#ifndef SWARMLAB_CLI_H
#define SWARMLAB_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "swarmlab/error.h"

#define SL_CLI_PATH_MAX 4096

typedef struct sl_run_opts {
    const char *scenario;
    int has_steps;
    long long steps;
    int has_seed;
    uint64_t seed;
    int threads;             /* 0: not given (INI, then all cores) */
    const char *out_dir;     /* NULL: INI `out`, then results/<scenario name>-<seed> */
    const char *config;      /* INI file or NULL */
    int quiet;               /* 1: no progress, no log lines, no "results in" line */
    int unsafe;              /* 1: lift the Lua sandbox */
    long long lua_budget;    /* Lua instructions per callback; 0: the host's default */
    int nset;                /* --set name=value, in command-line order (owned copies) */
    char **set_names, **set_values;
    /* Options added by other subcommands (viewer, checkpoints) go here; see cmd_run.c. */
    long long checkpoint_every; /* > 0: write DIR/checkpoint.bin every N steps */
    const char *resume;         /* checkpoint file to continue from, or NULL */
    int check_params;           /* 1: stop after the scenario's top level (parameter check) */
    /* viewer (cmd_view.c): --view, --frames DIR, --frame-every N, --size WxH */
    int view;
    const char *frames_dir;
    long long frame_every;      /* 0: every step */
    int frame_w, frame_h;       /* 0: 1280x720 */
    int y_up;                   /* --y-up: world y grows upward on screen */
} sl_run_opts;

typedef struct sl_run_report {
    int status;                      /* exit status: 0 ok, 2 error */
    char error[SL_ERROR_MSG_MAX];    /* one line when status != 0 */
    char out_dir[SL_CLI_PATH_MAX];   /* where the results went ("" when none) */
    long long steps_done;
    double wall_seconds;
} sl_run_report;

void sl_run_opts_init(sl_run_opts *o);
void sl_run_opts_free(sl_run_opts *o);
/* Adds an override (copied); returns 0, or -1 when out of memory. */
int sl_run_opts_add_set(sl_run_opts *o, const char *name, const char *value);
/* Parses `run` arguments (argv[0] is "run"). Returns 0, 1 when --help was printed, or -1 with e
 * filled (one line). Strings in o point into argv, except the --set copies. */
int sl_run_parse_args(sl_run_opts *o, int argc, char **argv, sl_error *e);
/* Runs one scenario; prints progress and errors on stderr (unless quiet), fills rep when not
 * NULL, and returns the exit status. */
int sl_run_execute(const sl_run_opts *o, sl_run_report *rep);
/* `swarmlab run ...` as a function: parse + execute. */
int sl_cli_run_main(int argc, char **argv);

/* Subcommands. */
int sl_cmd_run(int argc, char **argv);
void sl_cmd_run_usage(FILE *f);
int sl_cmd_params(int argc, char **argv);
void sl_cmd_params_usage(FILE *f);
int sl_cmd_sweep(int argc, char **argv);
void sl_cmd_sweep_usage(FILE *f);

#endif
