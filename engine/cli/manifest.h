/* manifest.h - DIR/manifest.json: what ran, with which inputs, and how it ended.
 *
 * Written to "<path>.part", synced and renamed to path, so a crash never leaves a manifest that
 * looks complete. Strings are written as valid UTF-8 JSON whatever bytes they hold. The scenario's swarmlab.result() keys are written at the top level.
 */
#ifndef SWARMLAB_CLI_MANIFEST_H
#define SWARMLAB_CLI_MANIFEST_H

#include <stdint.h>

#include "swarmlab/error.h"
#include "swarmlab/lua_host.h"

typedef struct sl_manifest {
    const char *scenario;
    const char *scenario_sha256;  /* NULL when the file could not be read */
    const char *version;
    const char *start_time;       /* UTC ISO-8601 */
    uint64_t seed;
    int threads;
    long long steps;              /* steps completed */
    long long steps_planned;      /* -1 when not known yet */
    double wall_seconds;
    const char *error;            /* NULL: status "ok" */
    const char *status;           /* NULL: "ok" or "error" from `error`; else e.g. "interrupted" */
    const sl_host *host;          /* parameters and results; NULL when the scenario did not load */
} sl_manifest;

sl_status sl_manifest_write(const char *path, const sl_manifest *m, sl_error *e);
/* The manifest's text (malloc'ed, NULL when out of memory) with the values of "steps" and
 * "wall_seconds" written in SL_MANIFEST_FIELD columns (spaces after the number are valid JSON)
 * at *steps_at and *wall_at, so a text formatted ahead can be completed later without stdio
 * (sl_manifest_patch). */
#define SL_MANIFEST_FIELD 24
char *sl_manifest_text(const sl_manifest *m, size_t *len, size_t *steps_at, size_t *wall_at);
/* Writes steps and wall seconds into such a text; async-signal-safe. */
void sl_manifest_patch(char *text, size_t steps_at, size_t wall_at, long long steps,
                       double wall_seconds);

/* Current UTC time as "YYYY-MM-DDTHH:MM:SSZ" into buf (at least 21 bytes). */
void sl_utc_now_iso8601(char *buf, int n);

#endif
