/* error.h - status codes and the error record filled by functions that can fail on user input.
 *
 * Convention: a function that can fail because of user input (a file, a parameter, a script)
 * returns sl_status and, when it fails, fills an sl_error whose message is one line that names
 * the file and line where there is one ("instances/x.tsp:12: expected a number, got 'abc'").
 * Programming errors (a NULL world, an out-of-range slot) are caught by assert().
 */
#ifndef SWARMLAB_ERROR_H
#define SWARMLAB_ERROR_H

#include <stddef.h>

typedef enum sl_status {
    SL_OK = 0,
    SL_ERR_IO,      /* a file could not be opened, read or written */
    SL_ERR_PARSE,   /* malformed input: instance, INI, CSV, checkpoint */
    SL_ERR_RANGE,   /* a parameter outside its valid range, NaN, negative count */
    SL_ERR_NOMEM,   /* allocation failed */
    SL_ERR_LUA,     /* a scenario script raised an error */
    SL_ERR_STATE,   /* an operation not valid in the current state */
    SL_ERR_USAGE    /* bad command-line usage */
} sl_status;

#define SL_ERROR_MSG_MAX 1024

typedef struct sl_error {
    sl_status code;
    char msg[SL_ERROR_MSG_MAX];
} sl_error;

/* Fills e (when not NULL) with code and a printf-style message; returns code. */
sl_status sl_error_set(sl_error *e, sl_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Resets e to SL_OK with an empty message. */
void sl_error_clear(sl_error *e);

/* Short name of a status code ("io", "parse", ...). */
const char *sl_status_name(sl_status s);

#endif
