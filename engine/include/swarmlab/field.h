/* field.h - scalar grid fields (pheromone, heat, demand density) over a plane.
 *
 * An nx x ny array of doubles covering [0, nx*cell) x [0, ny*cell). Deposit adds to the cell
 * under a point; evaporation multiplies every cell by (1 - rho); diffusion moves a fraction of each
 * cell's value to its 8 neighbours in equal parts (mass-conserving on a torus, and in a bounded
 * field too: shares that would leave the field stay in the source cell). Diffusion reads a copy,
 * so the result does not depend on traversal order or thread count.
 *
 * Ownership: the world owns fields made with sl_world_add_field; sl_field_create/sl_field_destroy
 * for standalone use.
 */
#ifndef SWARMLAB_FIELD_H
#define SWARMLAB_FIELD_H

#include <stddef.h>
#include "swarmlab/error.h"

struct sl_field {
    int nx, ny;
    double cell;
    int toroidal;
    double *v;        /* nx*ny values, row-major (y * nx + x) */
    double *scratch;  /* nx*ny, for diffusion */
};
typedef struct sl_field sl_field;

sl_field *sl_field_create(int nx, int ny, double cell, int toroidal, sl_error *e);
void sl_field_destroy(sl_field *f);

/* Cell index under a point, or -1 outside a bounded field (wrapped on a torus). */
long sl_field_index(const sl_field *f, double x, double y);
double sl_field_at(const sl_field *f, double x, double y);   /* 0 outside */
void sl_field_deposit(sl_field *f, double x, double y, double amount); /* serial */
void sl_field_fill(sl_field *f, double value);
void sl_field_evaporate(sl_field *f, double rho);             /* 0 <= rho <= 1 */
void sl_field_diffuse(sl_field *f, double rate);              /* 0 <= rate <= 1 */
double sl_field_sum(const sl_field *f);                       /* fixed-order sum */
double sl_field_max(const sl_field *f);

#endif
