/* sweep_grid.c - parsing of grid specs and enumeration of grid points. */
#include "sweep_grid.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sl_sweep_grid_init(sl_sweep_grid *g)
{
    g->naxes = 0;
    g->axes = NULL;
}

static void axis_free(sl_grid_axis *a)
{
    for (int i = 0; i < a->nvalues; i++) free(a->values[i]);
    free(a->values);
    free(a->name);
}

void sl_sweep_grid_release(sl_sweep_grid *g)
{
    for (int i = 0; i < g->naxes; i++) axis_free(&g->axes[i]);
    free(g->axes);
    g->axes = NULL;
    g->naxes = 0;
}

static int valid_name(const char *s)
{
    if (!(isalpha((unsigned char)*s) || *s == '_')) return 0;
    for (; *s; s++)
        if (!(isalnum((unsigned char)*s) || *s == '_')) return 0;
    return 1;
}

static char *trimmed_copy(const char *b, size_t n)
{
    while (n > 0 && isspace((unsigned char)*b)) { b++; n--; }
    while (n > 0 && isspace((unsigned char)b[n - 1])) n--;
    char *s = malloc(n + 1);
    if (!s) return NULL;
    memcpy(s, b, n);
    s[n] = '\0';
    return s;
}

static int push_value(sl_grid_axis *a, char *v, int *cap)
{
    if (a->nvalues == *cap) {
        int nc = *cap ? *cap * 2 : 8;
        char **nv = realloc(a->values, (size_t)nc * sizeof *nv);
        if (!nv) { free(v); return -1; }
        a->values = nv;
        *cap = nc;
    }
    a->values[a->nvalues++] = v;
    return 0;
}

static int parse_number(const char *s, double *out, int *is_int)
{
    char *t = trimmed_copy(s, strlen(s));
    if (!t || !*t) { free(t); return -1; }
    errno = 0;
    char *end;
    double v = strtod(t, &end);
    int ok = *end == '\0' && errno == 0 && isfinite(v);
    *is_int = ok && strpbrk(t, ".eEnN") == NULL;
    free(t);
    if (!ok) return -1;
    *out = v;
    return 0;
}

static sl_status parse_range(sl_grid_axis *a, const char *spec, const char *origin,
                             sl_error *e)
{
    const char *c1 = strchr(spec, ':');
    const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (!c2 || strchr(c2 + 1, ':'))
        return sl_error_set(e, SL_ERR_PARSE, "%s: %s=%s: a range is start:stop:step", origin,
                            a->name, spec);
    char part[3][128];
    const char *b[3] = {spec, c1 + 1, c2 + 1};
    size_t n[3] = {(size_t)(c1 - spec), (size_t)(c2 - c1 - 1), strlen(c2 + 1)};
    double v[3];
    int all_int = 1;
    static const char *what[3] = {"start", "stop", "step"};
    for (int i = 0; i < 3; i++) {
        int is_int = 0;
        if (n[i] >= sizeof part[i])
            return sl_error_set(e, SL_ERR_PARSE, "%s: %s: range %s longer than %zu characters",
                                origin, a->name, what[i], sizeof part[i] - 1);
        memcpy(part[i], b[i], n[i]);
        part[i][n[i]] = '\0';
        if (parse_number(part[i], &v[i], &is_int) != 0)
            return sl_error_set(e, SL_ERR_PARSE, "%s: %s=%s: %s '%s' is not a finite number",
                                origin, a->name, spec, what[i], part[i]);
        all_int &= is_int;
    }
    double start = v[0], stop = v[1], step = v[2];
    if (step == 0.0)
        return sl_error_set(e, SL_ERR_RANGE, "%s: %s=%s: step must not be 0", origin, a->name,
                            spec);
    if ((stop - start) / step < 0.0)
        return sl_error_set(e, SL_ERR_RANGE,
                            "%s: %s=%s: empty range (step %s goes away from stop %s)", origin,
                            a->name, spec, part[2], part[1]);
    double span = (stop - start) / step;
    /* A tolerance of 1e-9 steps keeps the stop value when rounding lands just short of it. */
    double count = floor(span + 1e-9) + 1.0;
    if (!(count <= SL_SWEEP_MAX_VALUES))
        return sl_error_set(e, SL_ERR_RANGE, "%s: %s=%s: more than %d values", origin, a->name,
                            spec, SL_SWEEP_MAX_VALUES);
    int cap = 0;
    for (long k = 0; k < (long)count; k++) {
        double x = start + (double)k * step;
        char buf[64];
        if (all_int)
            snprintf(buf, sizeof buf, "%.0f", x);
        else {
            snprintf(buf, sizeof buf, "%.15g", x);
            if (strcmp(buf, "-0") == 0) strcpy(buf, "0");
        }
        char *s = strdup(buf);
        if (!s || push_value(a, s, &cap) != 0)
            return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", origin);
    }
    return SL_OK;
}

static sl_status parse_list(sl_grid_axis *a, const char *spec, const char *origin, sl_error *e)
{
    int cap = 0;
    const char *p = spec;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        char *v = trimmed_copy(p, n);
        if (!v) return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", origin);
        if (!*v) {
            free(v);
            return sl_error_set(e, SL_ERR_PARSE, "%s: %s=%s: empty value in the list", origin,
                                a->name, spec);
        }
        for (int i = 0; i < a->nvalues; i++)
            if (strcmp(a->values[i], v) == 0) {
                sl_status st = sl_error_set(e, SL_ERR_PARSE, "%s: %s=%s: value '%s' is listed twice",
                                            origin, a->name, spec, v);
                free(v);
                return st;
            }
        if (a->nvalues >= SL_SWEEP_MAX_VALUES) {
            free(v);
            return sl_error_set(e, SL_ERR_RANGE, "%s: %s: more than %d values", origin, a->name,
                                SL_SWEEP_MAX_VALUES);
        }
        if (push_value(a, v, &cap) != 0)
            return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", origin);
        if (!comma) break;
        p = comma + 1;
    }
    return SL_OK;
}

sl_status sl_sweep_grid_add_kv(sl_sweep_grid *g, const char *name, const char *valuespec,
                               const char *origin, sl_error *e)
{
    char *nm = trimmed_copy(name, strlen(name));
    char *spec = trimmed_copy(valuespec, strlen(valuespec));
    sl_status st = SL_OK;
    sl_grid_axis a = {0};
    if (!nm || !spec) {
        st = sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", origin);
        goto fail;
    }
    if (!valid_name(nm)) {
        st = sl_error_set(e, SL_ERR_PARSE, "%s: '%s' is not a parameter name", origin, nm);
        goto fail;
    }
    if (sl_sweep_grid_find(g, nm) >= 0) {
        st = sl_error_set(e, SL_ERR_PARSE, "%s: parameter '%s' is swept twice", origin, nm);
        goto fail;
    }
    if (!*spec) {
        st = sl_error_set(e, SL_ERR_PARSE, "%s: %s=: empty list of values", origin, nm);
        goto fail;
    }
    a.name = nm;
    nm = NULL;
    st = strchr(spec, ':') ? parse_range(&a, spec, origin, e) : parse_list(&a, spec, origin, e);
    if (st != SL_OK) goto fail;
    sl_grid_axis *na = realloc(g->axes, (size_t)(g->naxes + 1) * sizeof *na);
    if (!na) {
        st = sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", origin);
        goto fail;
    }
    g->axes = na;
    g->axes[g->naxes++] = a;
    free(spec);
    return SL_OK;
fail:
    axis_free(&a);
    free(nm);
    free(spec);
    return st;
}

sl_status sl_sweep_grid_add(sl_sweep_grid *g, const char *spec, const char *origin, sl_error *e)
{
    const char *eq = strchr(spec, '=');
    if (!eq)
        return sl_error_set(e, SL_ERR_PARSE, "%s: '%s': expected name=v1,v2,... or name=start:stop:step",
                            origin, spec);
    char name[256];
    size_t n = (size_t)(eq - spec);
    if (n >= sizeof name)
        return sl_error_set(e, SL_ERR_PARSE, "%s: parameter name too long", origin);
    memcpy(name, spec, n);
    name[n] = '\0';
    return sl_sweep_grid_add_kv(g, name, eq + 1, origin, e);
}

size_t sl_sweep_grid_points(const sl_sweep_grid *g)
{
    size_t n = 1;
    for (int i = 0; i < g->naxes; i++) {
        size_t k = (size_t)g->axes[i].nvalues;
        if (n > SL_SWEEP_MAX_POINTS / k + 1) return SL_SWEEP_MAX_POINTS + 1; /* saturate */
        n *= k;
    }
    return n;
}

const char *sl_sweep_grid_value(const sl_sweep_grid *g, size_t point, int axis)
{
    /* last axis varies fastest */
    for (int i = g->naxes - 1; i > axis; i--) point /= (size_t)g->axes[i].nvalues;
    return g->axes[axis].values[point % (size_t)g->axes[axis].nvalues];
}

int sl_sweep_grid_find(const sl_sweep_grid *g, const char *name)
{
    for (int i = 0; i < g->naxes; i++)
        if (strcmp(g->axes[i].name, name) == 0) return i;
    return -1;
}
