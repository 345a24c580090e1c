/* spectrum.h - eigenvalues of small symmetric matrices, and the convergence rate of consensus.
 *
 * sl_sym_eigenvalues uses the cyclic Jacobi method (plane rotations until every off-diagonal
 * entry is negligible): O(n^3) per sweep, fine up to a few hundred nodes. sl_power_norm estimates
 * the largest eigenvalue modulus of a symmetric operator by power iteration on its square (slow
 * when the top of the spectrum is crowded); sl_lanczos_extremes finds both ends of the spectrum
 * of a large sparse operator in a few hundred operator products.
 *
 * The rate of x <- W x towards the average is the second-largest eigenvalue modulus (SLEM) of W:
 * for symmetric doubly stochastic W it equals the spectral norm of W - (1/n) 1 1^T. On a graph with
 * several components each component converges to its own average; the rate is the largest
 * component SLEM, computed here block by block.
 */
#ifndef SWARMLAB_SPECTRUM_H
#define SWARMLAB_SPECTRUM_H

#include "swarmlab/error.h"
#include "swarmlab/mixing.h"

/* Eigenvalues of the symmetric n x n row-major matrix A (not modified), ascending, into eig[n].
 * Fails (SL_ERR_RANGE) when A is not symmetric or not finite. */
sl_status sl_sym_eigenvalues(int n, const double *A, double *eig, sl_error *e);

/* Largest |eigenvalue| of a symmetric operator y = op(x) on R^n, by power iteration on op^2
 * started from a fixed pseudo-random vector, until the estimate changes by less than tol
 * (relative) or after max_iter products. */
typedef void (*sl_linop_fn)(const double *x, double *y, void *user);
double sl_power_norm(int n, sl_linop_fn op, void *user, double tol, int max_iter);

/* Smallest and largest eigenvalue of a symmetric operator on R^n by the Lanczos method with full
 * reorthogonalisation (at most max_steps steps, fewer when the extreme Ritz values move by less
 * than 1e-13 over 10 steps or the Krylov space is exhausted). *converged (may be NULL) tells
 * whether it stopped for one of those reasons; otherwise lo/hi are inner estimates (Ritz values
 * always lie inside the spectrum). Returns SL_ERR_NOMEM on allocation failure. */
sl_status sl_lanczos_extremes(int n, sl_linop_fn op, void *user, int max_steps, double *lo,
                              double *hi, int *converged, sl_error *e);
/* Lanczos steps allowed for an operator on R^n: min(n, 2000), fewer for large n so the basis
 * stays under 64 MB. */
int sl_lanczos_budget(int n);

/* Rate of consensus for symmetric W on the components given (comp[i] in 0..k-1):
 * max over components of the component's SLEM. method: 0 Jacobi, 1 power iteration, 2 Lanczos
 * (fails with SL_ERR_RANGE when it does not converge within sl_lanczos_budget steps).
 * A component of one node contributes 0. Returns SL_OK and *slem, or fills e. */
sl_status sl_mix_slem(const sl_mix *m, const int *comp, int k, int method, double *slem, sl_error *e);

/* Mean-square rate under independent symmetric link failures with probability q per edge and
 * round (weights of a failed link move to the diagonals): sqrt of the largest eigenvalue of
 * E[W_t^2] - (1/n) 1 1^T, connected graphs only (Jacobi). */
sl_status sl_mix_failure_rate(const sl_mix *m, const sl_graph *g, double q, double *rate,
                              sl_error *e);

#endif
