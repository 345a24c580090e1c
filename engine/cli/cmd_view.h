/* cmd_view.h - `swarmlab view SCENARIO.lua`, and the viewer options of `swarmlab run`:
 * --view (watch the run in a window), --frames DIR, --frame-every N, --size WxH (PNG frames with
 * no display). In a build without the viewer (SWARMLAB_VIEW=OFF) the command and the options
 * exist and fail with a one-line message and exit status 2.
 */
#ifndef SWARMLAB_CLI_CMD_VIEW_H
#define SWARMLAB_CLI_CMD_VIEW_H

#include <stdio.h>

#include "cli.h"
#include "swarmlab/lua_host.h"

int sl_cmd_view(int argc, char **argv);
void sl_cmd_view_usage(FILE *f);

/* ---- hooks for cmd_run.c ---- */
typedef struct sl_run_viewer sl_run_viewer;
typedef sl_status (*sl_run_step_fn)(void *user, int *stop, sl_error *e);

/* When argv[*i] is a viewer option, stores it in o (advancing *i past its value) and returns 1;
 * returns 0 for other arguments and -1 with e filled for a bad value or a build without the
 * viewer. */
int sl_run_viewer_parse(sl_run_args *o, int argc, char **argv, int *i, sl_error *e);
/* Opens the window and/or the frame writer the options ask for (nothing otherwise: *out = NULL)
 * and writes the frame of the current step. Call after setup. */
sl_status sl_run_viewer_open(sl_run_viewer **out, const sl_run_args *o, sl_host *h,
                             sl_error *e);
/* After each step: a frame when the step is a multiple of --frame-every. rv may be NULL. */
sl_status sl_run_viewer_after_step(sl_run_viewer *rv, sl_host *h, sl_error *e);
/* 1 when the run is watched in a window: then cmd_run hands its steps to sl_run_viewer_loop,
 * which calls step(user, ...) up to `steps` times and returns when the window is closed (closing
 * it early ends the run there, like a scenario that stops). */
int sl_run_viewer_has_window(const sl_run_viewer *rv);
sl_status sl_run_viewer_loop(sl_run_viewer *rv, sl_host *h, long long steps, sl_run_step_fn step,
                             void *user, sl_error *e);
/* At the end of a successful run: DIR/final.png. rv may be NULL. */
sl_status sl_run_viewer_final(sl_run_viewer *rv, sl_host *h, sl_error *e);
void sl_run_viewer_close(sl_run_viewer *rv);

#endif
