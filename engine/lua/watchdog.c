/* watchdog.c - the wall-clock limits of a scenario (--time-limit, --call-time-limit).
 *
 * A thread wakes every few milliseconds and compares the clock with the run's deadline and with
 * the start of the call under way (a callback outside a step, or a whole world step with its
 * callbacks). When a limit runs out it raises a flag: the instruction budget's count hook (every
 * few thousand VM instructions) and the deadline checks of module loops (sl_lua_check_deadline)
 * read it and end the script with an error that cannot be caught. C code that checks nothing (a
 * pattern match that backtracks) cannot be stopped that way: when the process is still running
 * `grace` seconds later, the thread calls the owner's on_stuck (which writes a failed manifest
 * with async-signal-safe calls only) and ends the process with _exit.
 */
#include "host_internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define POLL_NS (20 * 1000 * 1000LL)

struct slp_host_watchdog {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int quit;                    /* under mu */
    atomic_int expired;          /* SL_LIMIT_RUN or SL_LIMIT_CALL once a limit ran out */
    atomic_llong call_start;     /* monotonic ns of the call under way, 0 when none */
    long long run_deadline;      /* monotonic ns, 0: none */
    long long call_limit, grace; /* ns, 0: none */
    int (*on_stuck)(void *user, int which);
    void *user;
    char message[2][320];        /* one line per limit, formatted before the thread starts */
};

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* The process is stuck in C after its time ran out: the owner's on_stuck, else one line on
 * stderr; then the process ends. write(2) and _exit(2) only (async-signal-safe). */
static void stuck(slp_host_watchdog *wd, int which)
{
    if (wd->on_stuck) {
        if (!wd->on_stuck(wd->user, which)) return;
    } else {
        const char *m = wd->message[which == SL_LIMIT_CALL];
        ssize_t w = write(2, m, strlen(m));
        (void)w;
    }
    _exit(2);
}

static void *watch(void *arg)
{
    slp_host_watchdog *wd = arg;
    long long expired_at = 0;
    int done = 0;
    pthread_mutex_lock(&wd->mu);
    while (!wd->quit && !done) {
        long long now = now_ns();
        long long start = atomic_load(&wd->call_start);
        if (!expired_at) {
            int which = 0;
            if (wd->run_deadline && now > wd->run_deadline) which = SL_LIMIT_RUN;
            else if (wd->call_limit && start && now - start > wd->call_limit) which = SL_LIMIT_CALL;
            if (which) {
                atomic_store(&wd->expired, which);
                expired_at = now;
            }
        } else if (now - expired_at > wd->grace) {
            pthread_mutex_unlock(&wd->mu);
            stuck(wd, atomic_load(&wd->expired));
            pthread_mutex_lock(&wd->mu);
            done = 1; /* on_stuck chose to let the process go on (its results are written) */
        }
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        long long abs = (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec + POLL_NS;
        ts.tv_sec = (time_t)(abs / 1000000000LL);
        ts.tv_nsec = (long)(abs % 1000000000LL);
        if (!wd->quit && !done) pthread_cond_timedwait(&wd->cv, &wd->mu, &ts);
    }
    pthread_mutex_unlock(&wd->mu);
    return NULL;
}

sl_status slp_host_watchdog_start(slp_host_watchdog **out, const slp_host_watchdog_def *def, sl_error *e)
{
    *out = NULL;
    if (def->run_limit < 0 || def->call_limit < 0 || def->grace < 0 || !(def->run_limit < 1e9) ||
        !(def->call_limit < 1e9) || !(def->grace < 1e9))
        return sl_error_set(e, SL_ERR_RANGE, "time limits must be seconds in 0..1e9");
    if (def->run_limit == 0 && def->call_limit == 0) return SL_OK;
    slp_host_watchdog *wd = calloc(1, sizeof *wd);
    if (!wd) return sl_error_set(e, SL_ERR_NOMEM, "out of memory");
    long long now = now_ns();
    wd->run_deadline = def->run_limit > 0 ? now + (long long)(def->run_limit * 1e9) : 0;
    wd->call_limit = (long long)(def->call_limit * 1e9);
    wd->grace = (long long)(def->grace * 1e9);
    wd->on_stuck = def->on_stuck;
    wd->user = def->user;
    atomic_init(&wd->expired, 0);
    atomic_init(&wd->call_start, 0);
    for (int k = 0; k < 2; k++) {
        char what[120];
        sl_limit_message(k ? SL_LIMIT_CALL : SL_LIMIT_RUN, def->run_limit, def->call_limit,
                            what, sizeof what);
        snprintf(wd->message[k], sizeof wd->message[k], "swarmlab: error: %s; %s\n", what,
                 SL_WATCHDOG_STUCK);
    }
    pthread_mutex_init(&wd->mu, NULL);
    pthread_cond_init(&wd->cv, NULL);
    if (pthread_create(&wd->thread, NULL, watch, wd) != 0) {
        pthread_mutex_destroy(&wd->mu);
        pthread_cond_destroy(&wd->cv);
        free(wd);
        return sl_error_set(e, SL_ERR_NOMEM, "cannot start the time-limit thread");
    }
    *out = wd;
    return SL_OK;
}

const char *sl_limit_message(int which, double run_limit, double call_limit, char *buf, size_t n)
{
    if (which == SL_LIMIT_CALL)
        snprintf(buf, n, "call time limit of %g s exceeded (--call-time-limit)", call_limit);
    else
        snprintf(buf, n, "time limit of %g s exceeded (--time-limit)", run_limit);
    return buf;
}

void slp_host_watchdog_stop(slp_host_watchdog *wd)
{
    if (!wd) return;
    pthread_mutex_lock(&wd->mu);
    wd->quit = 1;
    pthread_cond_signal(&wd->cv);
    pthread_mutex_unlock(&wd->mu);
    pthread_join(wd->thread, NULL);
    pthread_mutex_destroy(&wd->mu);
    pthread_cond_destroy(&wd->cv);
    free(wd);
}

void slp_host_watchdog_enter(slp_host_watchdog *wd)
{
    if (wd) atomic_store(&wd->call_start, now_ns());
}

void slp_host_watchdog_leave(slp_host_watchdog *wd)
{
    if (wd) atomic_store(&wd->call_start, 0);
}

int slp_host_watchdog_expired(const slp_host_watchdog *wd)
{
    return wd ? atomic_load(&((slp_host_watchdog *)wd)->expired) : 0;
}
