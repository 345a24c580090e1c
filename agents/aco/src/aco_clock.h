/* aco_clock.h - (private) wall-clock and process CPU-time readings of the colonies. */
#ifndef SWARMLAB_ACO_CLOCK_H
#define SWARMLAB_ACO_CLOCK_H

#include <time.h>

static inline double slp_aco_wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static inline double slp_aco_cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

#endif
