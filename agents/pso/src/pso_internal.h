/* pso_internal.h - the solver's state, shared by pso.c, pso_topology.c and pso_move.c. */
#ifndef SWARMLAB_PSO_INTERNAL_H
#define SWARMLAB_PSO_INTERNAL_H

#include "swarmlab/pso.h"
#include "swarmlab/rng.h"

/* RNG streams of the solver (keyed with particle and iteration). */
enum {
    SL_PSO_STREAM_INIT = 0x50534f01u,
    SL_PSO_STREAM_MOVE = 0x50534f02u,
    SL_PSO_STREAM_TOPO = 0x50534f03u,
    SL_PSO_STREAM_ORDER = 0x50534f04u
};

/* Ziggurat tables for standard normal draws (pso_move.c). */
typedef struct slp_pso_zig {
    uint32_t kn[128];
    double wn[128], fn[128];
} slp_pso_zig;

struct sl_pso {
    sl_pso_def cfg;          /* arrays point at the copies below */
    sl_pso_problem pb;
    int D, S, active;           /* dim, swarm size, particles in use (<= S when budget < S) */
    double *lower, *upper, *quantum, *qlo, *qhi;
    double *x, *v, *p, *xprev;  /* S x D each, row-major */
    double *tmp;                /* S x D scratch of the moves */
    double *fx, *vx;            /* current objective and violation */
    double *fp, *vp;            /* personal best objective and violation */
    double *gh;                 /* S x (ng + nh) constraint values */
    double *hp;                 /* S x nh equality values of the personal bests */
    double *gvx, *gvp;          /* inequality part of the violation: current, personal best */
    double tol_now;             /* equality tolerance of the current iteration */
    unsigned char *nonfin;      /* last evaluation was non-finite */
    sl_status *status;          /* last evaluation's status */
    sl_error *errs;             /* last evaluation's error */
    unsigned char *links;       /* adaptive topology: links[m * S + s] = m informs s */
    int *inf;                   /* best informant of each particle for this iteration */
    int *order;                 /* particle order (async) */
    int gbest;
    double w_now;               /* inertia weight of the current iteration */
    long long fes, iter, nonfinite, target_fes;
    int initialised, done, redraw, stall;
    double t0;
    const char *reason;
    sl_pso_history_entry *hist;
    int nhist, caphist;
    slp_pso_zig zig;
};

double slp_pso_eq_excess(const sl_pso *s, const double *h);
int slp_pso_better(const sl_pso *s, double fa, double va, double fb, double vb);
void slp_pso_eval_particle(sl_pso *s, int i);
int slp_pso_record(sl_pso *s, int i, int first);

/* pso_topology.c */
void slp_pso_topology_update(sl_pso *s, int iter);
int slp_pso_informant(const sl_pso *s, int i);
void slp_pso_order(sl_pso *s, int iter);

/* pso_move.c */
void slp_pso_ziggurat_init(slp_pso_zig *z);
void slp_pso_init_particle(sl_pso *s, int i);
void slp_pso_move(sl_pso *s, int i, int iter);
double slp_pso_inertia_now(const sl_pso *s);

#endif
