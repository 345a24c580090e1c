/* field.c - scalar grid fields: deposit, evaporation, mass-conserving diffusion. */
#include "swarmlab/field.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

sl_field *sl_field_create(int nx, int ny, double cell, int toroidal, sl_error *e)
{
    if (nx < 1 || ny < 1 || (double)nx * ny > 1e9) {
        sl_error_set(e, SL_ERR_RANGE, "field: %d x %d cells is not a valid size", nx, ny);
        return NULL;
    }
    if (!(cell > 0) || !isfinite(cell)) {
        sl_error_set(e, SL_ERR_RANGE, "field: cell size %g must be positive", cell);
        return NULL;
    }
    sl_field *f = calloc(1, sizeof *f);
    if (!f) goto nomem;
    f->nx = nx;
    f->ny = ny;
    f->cell = cell;
    f->toroidal = toroidal ? 1 : 0;
    f->v = calloc((size_t)nx * ny, sizeof *f->v);
    f->scratch = calloc((size_t)nx * ny, sizeof *f->scratch);
    if (!f->v || !f->scratch) goto nomem;
    return f;
nomem:
    sl_field_destroy(f);
    sl_error_set(e, SL_ERR_NOMEM, "field: out of memory for %d x %d cells", nx, ny);
    return NULL;
}

void sl_field_destroy(sl_field *f)
{
    if (!f) return;
    free(f->v);
    free(f->scratch);
    free(f);
}

long sl_field_index(const sl_field *f, double x, double y)
{
    if (!isfinite(x) || !isfinite(y)) return -1;
    long cx = (long)floor(x / f->cell), cy = (long)floor(y / f->cell);
    if (f->toroidal) {
        cx %= f->nx;
        if (cx < 0) cx += f->nx;
        cy %= f->ny;
        if (cy < 0) cy += f->ny;
    } else if (cx < 0 || cy < 0 || cx >= f->nx || cy >= f->ny) {
        return -1;
    }
    return cy * f->nx + cx;
}

double sl_field_at(const sl_field *f, double x, double y)
{
    long i = sl_field_index(f, x, y);
    return i < 0 ? 0.0 : f->v[i];
}

void sl_field_deposit(sl_field *f, double x, double y, double amount)
{
    long i = sl_field_index(f, x, y);
    if (i >= 0) f->v[i] += amount;
}

void sl_field_fill(sl_field *f, double value)
{
    size_t n = (size_t)f->nx * f->ny;
    for (size_t i = 0; i < n; i++) f->v[i] = value;
}

void sl_field_evaporate(sl_field *f, double rho)
{
    const double keep = 1.0 - rho;
    const long n = (long)f->nx * f->ny;
#pragma omp parallel for schedule(static)
    for (long i = 0; i < n; i++) f->v[i] *= keep;
}

void sl_field_diffuse(sl_field *f, double rate)
{
    const int nx = f->nx, ny = f->ny;
    memcpy(f->scratch, f->v, (size_t)nx * ny * sizeof *f->v);
    const double *src = f->scratch;
    /* Each cell keeps (1 - rate) of its value and sends rate/8 to each of its 8 neighbours; in a
     * bounded field the shares of missing neighbours stay home. The new value of a cell is
     * gathered from its neighbours in a fixed order, so no thread writes another's cell. */
#pragma omp parallel for schedule(static)
    for (int y = 0; y < ny; y++) {
        for (int x = 0; x < nx; x++) {
            double self = src[(size_t)y * nx + x];
            double in = 0.0;
            int missing = 0;
            for (int dy = -1; dy <= 1; dy++) {
                for (int dx = -1; dx <= 1; dx++) {
                    if (!dx && !dy) continue;
                    int xx = x + dx, yy = y + dy;
                    if (f->toroidal) {
                        xx = (xx + nx) % nx;
                        yy = (yy + ny) % ny;
                    } else if (xx < 0 || yy < 0 || xx >= nx || yy >= ny) {
                        missing++;
                        continue;
                    }
                    in += src[(size_t)yy * nx + xx];
                }
            }
            double kept = self * (1.0 - rate) + self * rate * missing / 8.0;
            f->v[(size_t)y * nx + x] = kept + in * rate / 8.0;
        }
    }
}

double sl_field_sum(const sl_field *f)
{
    /* rows summed left to right, then rows in order: fixed regardless of threads */
    double total = 0.0;
    for (int y = 0; y < f->ny; y++) {
        double row = 0.0;
        for (int x = 0; x < f->nx; x++) row += f->v[(size_t)y * f->nx + x];
        total += row;
    }
    return total;
}

double sl_field_max(const sl_field *f)
{
    size_t n = (size_t)f->nx * f->ny;
    double m = f->v[0];
    for (size_t i = 1; i < n; i++)
        if (f->v[i] > m) m = f->v[i];
    return m;
}
