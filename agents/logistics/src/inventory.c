/* inventory.c - demand processes (constant, Poisson, seasonal, CSV table) and order policies. */
#include "swarmlab/inventory.h"
#include "swarmlab/fileio.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "swarmlab/rng.h"

int sl_demand_kind_parse(const char *s)
{
    if (!strcmp(s, "constant")) return SL_DEMAND_CONSTANT;
    if (!strcmp(s, "poisson")) return SL_DEMAND_POISSON;
    if (!strcmp(s, "seasonal")) return SL_DEMAND_SEASONAL;
    if (!strcmp(s, "csv")) return SL_DEMAND_TABLE;
    return -1;
}

sl_status sl_demand_check(const sl_demand *d, sl_error *e)
{
    if (d->kind < SL_DEMAND_CONSTANT || d->kind > SL_DEMAND_TABLE)
        return sl_error_set(e, SL_ERR_RANGE, "demand: unknown process %d", d->kind);
    if (d->kind == SL_DEMAND_TABLE)
        return d->table && d->rows > 0 ? SL_OK
                                       : sl_error_set(e, SL_ERR_RANGE, "demand: empty table");
    if (!(d->mean >= 0.0) || !isfinite(d->mean))
        return sl_error_set(e, SL_ERR_RANGE, "demand: mean %g must be a number >= 0", d->mean);
    if (d->kind == SL_DEMAND_SEASONAL) {
        if (!(d->amplitude >= 0.0 && d->amplitude <= 1.0))
            return sl_error_set(e, SL_ERR_RANGE, "demand: seasonal amplitude %g outside [0, 1]",
                                d->amplitude);
        if (!(d->period > 0.0) || !isfinite(d->period))
            return sl_error_set(e, SL_ERR_RANGE, "demand: seasonal period %g must be > 0",
                                d->period);
        if (!isfinite(d->phase))
            return sl_error_set(e, SL_ERR_RANGE, "demand: seasonal phase must be finite");
    }
    return SL_OK;
}

void sl_demand_release(sl_demand *d)
{
    free(d->table);
    d->table = NULL;
    d->rows = 0;
    d->cols = 0;
}

sl_status sl_demand_load_csv(sl_demand *d, const char *path, sl_error *e)
{
    FILE *f = sl_fopen_regular(path, "demand table", e);
    if (!f) return e ? e->code : SL_ERR_IO;
    char line[8192];
    double *vals = NULL;
    size_t n = 0, cap = 0, rows = 0;
    int cols = -1, lineno = 0;
    sl_status st = SL_OK;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *p = line;
        while (isspace((unsigned char)*p))
            p++;
        if (*p == 0 || *p == '#')
            continue;
        if (rows == 0 && cols < 0 && (isalpha((unsigned char)*p) || *p == '"')) {
            continue; /* header */
        }
        int c = 0;
        for (;;) {
            errno = 0;
            char *end;
            double v = strtod(p, &end);
            if (end == p || errno) {
                st = sl_error_set(e, SL_ERR_PARSE, "%s:%d: expected a number in column %d", path,
                                  lineno, c + 1);
                goto done;
            }
            if (!(v >= 0.0) || !isfinite(v)) {
                st = sl_error_set(e, SL_ERR_RANGE, "%s:%d: negative or invalid demand %g", path,
                                  lineno, v);
                goto done;
            }
            if (n == cap) {
                cap = cap ? cap * 2 : 256;
                double *nv = realloc(vals, cap * sizeof *nv);
                if (!nv) {
                    st = sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", path);
                    goto done;
                }
                vals = nv;
            }
            vals[n++] = v;
            c++;
            p = end;
            while (*p == ' ' || *p == '\t')
                p++;
            if (*p == ',') {
                p++;
                continue;
            }
            while (isspace((unsigned char)*p))
                p++;
            if (*p != 0) {
                st = sl_error_set(e, SL_ERR_PARSE, "%s:%d: unexpected text '%.20s'", path,
                                  lineno, p);
                goto done;
            }
            break;
        }
        if (cols < 0)
            cols = c;
        else if (c != cols) {
            st = sl_error_set(e, SL_ERR_PARSE, "%s:%d: %d columns, expected %d", path, lineno, c,
                              cols);
            goto done;
        }
        rows++;
    }
    if (rows == 0)
        st = sl_error_set(e, SL_ERR_PARSE, "%s: no demand rows", path);
done:
    fclose(f);
    if (st != SL_OK) {
        free(vals);
        return st;
    }
    free(d->table);
    d->kind = SL_DEMAND_TABLE;
    d->table = vals;
    d->rows = rows;
    d->cols = cols;
    return SL_OK;
}

double sl_demand_mean(const sl_demand *d, uint64_t entity, uint64_t step)
{
    switch (d->kind) {
    case SL_DEMAND_SEASONAL: {
        double m = d->mean * (1.0 + d->amplitude * sin(2.0 * M_PI * ((double)step + d->phase) /
                                                      d->period));
        return m > 0.0 ? m : 0.0;
    }
    case SL_DEMAND_TABLE: {
        size_t r = (size_t)(step % d->rows);
        size_t c = d->cols == 1 ? 0 : (size_t)(entity % (uint64_t)d->cols);
        return d->table[r * (size_t)d->cols + c];
    }
    default:
        return d->mean;
    }
}

double sl_demand_draw(const sl_demand *d, uint64_t seed, uint64_t entity, uint64_t step)
{
    double m = sl_demand_mean(d, entity, step);
    if (d->kind == SL_DEMAND_CONSTANT || d->kind == SL_DEMAND_TABLE)
        return floor(m + 0.5);
    sl_rng r = sl_rng_make(seed, SL_STREAM_DEMAND, entity, step);
    return (double)sl_rng_poisson(&r, m);
}

int sl_policy_kind_parse(const char *s)
{
    if (!strcmp(s, "sS") || !strcmp(s, "s_S")) return SL_POLICY_SS;
    if (!strcmp(s, "base_stock") || !strcmp(s, "order_up_to")) return SL_POLICY_BASE_STOCK;
    if (!strcmp(s, "velocity")) return SL_POLICY_VELOCITY;
    return -1;
}

sl_status sl_policy_check(const sl_policy *p, sl_error *e)
{
    switch (p->kind) {
    case SL_POLICY_SS:
        if (!(p->s >= 0.0) || !(p->S > p->s) || !isfinite(p->S))
            return sl_error_set(e, SL_ERR_RANGE, "policy (s, S): need 0 <= s < S (s = %g, S = %g)",
                                p->s, p->S);
        return SL_OK;
    case SL_POLICY_BASE_STOCK:
        if (!(p->S >= 0.0) || !isfinite(p->S))
            return sl_error_set(e, SL_ERR_RANGE, "policy base_stock: S = %g must be >= 0", p->S);
        return SL_OK;
    case SL_POLICY_VELOCITY:
        if (!(p->factor > 0.0) || !(p->cover >= 0.0) || !(p->alpha > 0.0 && p->alpha <= 1.0))
            return sl_error_set(e, SL_ERR_RANGE, "policy velocity: need factor > 0 (%g), cover "
                                ">= 0 (%g), alpha in (0, 1] (%g)", p->factor, p->cover, p->alpha);
        return SL_OK;
    default:
        return sl_error_set(e, SL_ERR_RANGE, "unknown policy %d", p->kind);
    }
}

double sl_policy_order(const sl_policy *p, double position, double on_hand, double velocity)
{
    double q = 0.0;
    switch (p->kind) {
    case SL_POLICY_SS:
        if (position <= p->s)
            q = p->S - position;
        break;
    case SL_POLICY_BASE_STOCK:
        q = p->S - position;
        break;
    case SL_POLICY_VELOCITY:
        if (on_hand < velocity * p->factor)
            q = velocity * (p->factor + p->cover) - position;
        break;
    }
    return q > 0.0 ? ceil(q - 1e-9) : 0.0;
}

double sl_policy_velocity(const sl_policy *p, double velocity, double sales)
{
    double a = p->alpha > 0.0 ? p->alpha : 0.2;
    return a * sales + (1.0 - a) * velocity;
}

double sl_variance(const double *x, size_t n)
{
    if (n < 2)
        return 0.0;
    double m = 0.0;
    for (size_t i = 0; i < n; i++)
        m += x[i];
    m /= (double)n;
    double v = 0.0;
    for (size_t i = 0; i < n; i++)
        v += (x[i] - m) * (x[i] - m);
    return v / (double)n;
}
