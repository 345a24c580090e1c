/* progress.c - progress bar (terminal) or periodic lines (otherwise) on stderr. */
#include "progress.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

double sl_monotonic_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void sl_progress_start(sl_progress *p, FILE *out, long long total, int quiet)
{
    memset(p, 0, sizeof *p);
    p->out = out;
    p->total = total;
    p->t0 = p->last = sl_monotonic_seconds();
    const char *d = getenv("SWARMLAB_PROGRESS_DELAY");
    p->delay = d && *d ? atof(d) : 1.0;
    if (quiet || !out) p->mode = SL_PROGRESS_OFF;
    else p->mode = isatty(fileno(out)) ? SL_PROGRESS_TTY : SL_PROGRESS_LINES;
}

static void format_duration(double s, char *buf, size_t n)
{
    if (!(s >= 0) || s > 359999) {
        snprintf(buf, n, "--:--");
        return;
    }
    long t = (long)(s + 0.5);
    if (t >= 3600) snprintf(buf, n, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else snprintf(buf, n, "%ld:%02ld", t / 60, t % 60);
}

static void draw_bar(sl_progress *p, long long done, double now)
{
    double el = now - p->t0;
    double rate = el > 0 ? (double)done / el : 0;
    double frac = p->total > 0 ? (double)done / (double)p->total : 1;
    char bar[31], eta[32];
    int fill = (int)(frac * 30);
    for (int i = 0; i < 30; i++) bar[i] = i < fill ? '#' : '.';
    bar[30] = '\0';
    format_duration(rate > 0 ? (double)(p->total - done) / rate : -1, eta, sizeof eta);
    fprintf(p->out, "\r[%s] %lld/%lld steps  %.1f steps/s  ETA %s\033[K", bar, done, p->total,
            rate, eta);
    fflush(p->out);
    p->drawn = 1;
}

void sl_progress_update(sl_progress *p, long long done)
{
    if (p->mode == SL_PROGRESS_OFF) return;
    double now = sl_monotonic_seconds();
    if (now - p->t0 < p->delay) return;
    if (p->mode == SL_PROGRESS_TTY) {
        if (now - p->last >= 0.1 || done == p->total) {
            draw_bar(p, done, now);
            p->last = now;
        }
        return;
    }
    int decile = p->total > 0 ? (int)(10 * done / p->total) : 10;
    if (decile > p->last_decile || now - p->last >= 10.0) {
        double el = now - p->t0;
        double rate = el > 0 ? (double)done / el : 0;
        char eta[32];
        format_duration(rate > 0 ? (double)(p->total - done) / rate : -1, eta, sizeof eta);
        fprintf(p->out, "step %lld/%lld (%d%%)  %.1f steps/s  ETA %s\n", done, p->total,
                p->total > 0 ? (int)(100 * done / p->total) : 100, rate, eta);
        fflush(p->out);
        p->last_decile = decile;
        p->last = now;
    }
}

void sl_progress_end(sl_progress *p, long long done, int ok)
{
    if (p->mode == SL_PROGRESS_OFF) return;
    double el = sl_monotonic_seconds() - p->t0;
    if (p->mode == SL_PROGRESS_TTY && p->drawn) {
        fputs(ok ? "\r\033[K" : "\n", p->out);
        p->drawn = 0;
    }
    if (ok)
        fprintf(p->out, "%lld steps in %.2f s (%.1f steps/s)\n", done, el,
                el > 0 ? (double)done / el : 0.0);
    fflush(p->out);
}

void sl_progress_print(sl_progress *p, const char *line)
{
    if (p->mode == SL_PROGRESS_TTY && p->drawn) {
        fputs("\r\033[K", p->out);
        p->drawn = 0;
    }
    fprintf(p->out ? p->out : stderr, "%s\n", line);
}
