/* sweep_eta.c - how long a sweep still needs, counting the runs under way. */
#include "sweep.h"

/* Seconds until the sweep ends, or -1 when unknown. A run's expected length is the mean of the
 * runs finished so far; a running run that has taken t seconds is expected to need at least t
 * more (so one slow run shows in the ETA instead of hiding behind the fast ones), and never more
 * than what the run time limit leaves it. */
double sl_sweep_eta(const sl_sweep_state *st, double now)
{
    const sl_sweep *s = st->s;
    size_t total = s->nruns, done = st->done_before + st->done;
    if (done >= total) return 0;
    if (st->wall_n == 0) return -1;
    double avg = st->wall_sum / (double)st->wall_n;
    double work = 0, longest = 0;
    size_t running = 0;
    for (int k = 0; k < st->nkids; k++) {
        const sl_run_child *c = &st->kids[k];
        if (c->pid <= 0) continue;
        double t = now - c->t0, left = avg - t > t ? avg - t : t;
        if (s->run_timeout > 0 && left > s->run_timeout - t + SL_SWEEP_KILL_GRACE)
            left = s->run_timeout - t + SL_SWEEP_KILL_GRACE;
        if (left < 0) left = 0;
        work += left;
        if (left > longest) longest = left;
        running++;
    }
    size_t waiting = total - done > running ? total - done - running : 0;
    work += (double)waiting * avg;
    int jobs = s->jobs > 0 ? s->jobs : 1;
    double eta = work / jobs;
    return eta > longest ? eta : longest;
}
