/* progress.h - run progress on stderr.
 *
 * On a terminal: one redrawn line with a bar, steps done, rate (steps/s) and ETA, at most ten
 * times a second. Otherwise (a pipe, a log file): a plain line at every 10% of the run and at
 * least every 10 seconds. Nothing when quiet.
 */
#ifndef SWARMLAB_CLI_PROGRESS_H
#define SWARMLAB_CLI_PROGRESS_H

#include <stdio.h>

typedef enum sl_progress_mode { SL_PROGRESS_OFF, SL_PROGRESS_TTY, SL_PROGRESS_LINES } sl_progress_mode;

typedef struct sl_progress {
    sl_progress_mode mode;
    FILE *out;
    long long total;
    double t0, last;     /* start and last print (seconds, monotonic) */
    int last_decile;
    int drawn;           /* a bar is on the terminal line */
    double delay;        /* nothing is shown before the run is this old (seconds) */
} sl_progress;

/* Picks the mode from quiet and whether `out` is a terminal. Short runs stay silent: progress
 * appears once a run has taken 1 s (SWARMLAB_PROGRESS_DELAY=seconds changes that). */
void sl_progress_start(sl_progress *p, FILE *out, long long total, int quiet);
void sl_progress_update(sl_progress *p, long long done);
/* Final line ("100 steps in 1.2 s (83 steps/s)"); ok = 0 just ends the bar line. */
void sl_progress_end(sl_progress *p, long long done, int ok);
/* Prints a line of text above the bar (scenario log lines). */
void sl_progress_print(sl_progress *p, const char *line);

double sl_monotonic_seconds(void);

#endif
