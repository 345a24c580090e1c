/* pso_functions.h - benchmark objectives: classic test functions and CEC-2017 F1-F10.
 *
 * Classic functions take (x, dim) and are pure (thread-safe). Their default search ranges are
 * those used by the SPSO-2011 reference code's test problems; all have optimum value 0.
 *
 * CEC-2017 bound-constrained F1..F10 read their shift vector (shift_data_<k>.txt) and rotation
 * matrix (M_<k>_D<dim>.txt) from a directory named by the user. The definitions reproduce the
 * official competition C code, including its known quirks (see docs/pso.md): F6 ignores the
 * rotation, F8 applies no rounding (so it equals a shifted, rotated Rastrigin), and F9 (Levy) is
 * not at its minimum at the shift vector (f(o) - 900 = 1.4413 at D = 10, 3.2565 at D = 30). The
 * search range is [-100, 100]^dim and f* = 100 k. Evaluation is thread-safe (no shared scratch).
 */
#ifndef SWARMLAB_PSO_FUNCTIONS_H
#define SWARMLAB_PSO_FUNCTIONS_H

#include "swarmlab/error.h"

typedef double (*sl_testfn_fn)(const double *x, int dim);

typedef struct sl_testfn {
    const char *name;     /* "sphere", "rosenbrock", "rastrigin", "griewank", "ackley", "schwefel" */
    sl_testfn_fn f;
    double lower, upper;  /* default search range (same in every coordinate) */
    double optimum;       /* f* */
    double argmin;        /* x* = (argmin, ..., argmin) */
} sl_testfn;

double sl_testfn_sphere(const double *x, int dim);
double sl_testfn_rosenbrock(const double *x, int dim);
double sl_testfn_rastrigin(const double *x, int dim);
double sl_testfn_griewank(const double *x, int dim);
double sl_testfn_ackley(const double *x, int dim);
double sl_testfn_schwefel(const double *x, int dim);   /* Schwefel 2.26, shifted to f* = 0 */

/* Looks a function up by name (case-sensitive); NULL when unknown. */
const sl_testfn *sl_testfn_find(const char *name);
/* The table of all classic functions; *n receives its length. */
const sl_testfn *sl_testfn_all(int *n);

/* ---- CEC-2017 ---- */
#define SL_CEC2017_MAXDIM 100

typedef struct sl_cec2017 sl_cec2017;

/* Loads F<func> (1..10) at dimension dim (2, 10, 20, 30, 50 or 100; the data must exist) from
 * dir. Errors: SL_ERR_RANGE (func/dim), SL_ERR_IO (missing file, named), SL_ERR_PARSE (a file
 * too short or with a non-number; names the file and the value's position). */
sl_cec2017 *sl_cec2017_load(const char *dir, int func, int dim, sl_error *e);
void sl_cec2017_destroy(sl_cec2017 *c);
double sl_cec2017_eval(const sl_cec2017 *c, const double *x);
int sl_cec2017_func(const sl_cec2017 *c);
int sl_cec2017_dim(const sl_cec2017 *c);
double sl_cec2017_optimum(const sl_cec2017 *c);          /* 100 * func */
const double *sl_cec2017_shift(const sl_cec2017 *c);     /* dim values */
const double *sl_cec2017_rotation(const sl_cec2017 *c);  /* dim x dim, row-major */

#endif
