/* json.h - the few JSON writing helpers the manifest needs. */
#ifndef SWARMLAB_CLI_JSON_H
#define SWARMLAB_CLI_JSON_H

#include <stdio.h>

/* Writes s as a JSON string literal (quotes, escapes, control characters as \u00XX). Bytes that
 * are not valid UTF-8 are written as U+FFFD, so the output is valid JSON for any input. */
void sl_json_string(FILE *f, const char *s);
/* Writes v as a JSON number with 17 significant digits (integers without a fraction);
 * NaN and infinities, which JSON cannot hold, are written as null. */
void sl_json_number(FILE *f, double v);

#endif
