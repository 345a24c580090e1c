/* sweep_csv.h - one-line CSV records (RFC 4180 quoting) and key/value lists, for the sweep's
 * runs.csv journal, summary.csv and the files of finished runs (manifest.json, metrics.csv).
 *
 * Records never span lines: sl_csv_format() replaces CR/LF inside fields by spaces, so a
 * journal can be recovered line by line. Ownership: rows and lists own their strings; free
 * them with sl_csv_row_release() / sl_kvlist_release().
 */
#ifndef SWARMLAB_SWEEP_CSV_H
#define SWARMLAB_SWEEP_CSV_H

#include <stddef.h>
#include "swarmlab/error.h"

typedef struct sl_csv_row {
    int n;
    char **f;
} sl_csv_row;

void sl_csv_row_release(sl_csv_row *r);
/* Splits one line (without its newline) into fields. Fails (SL_ERR_PARSE) on an unterminated
 * quote or text after a closing quote. */
sl_status sl_csv_split(const char *line, size_t len, sl_csv_row *out);
/* Formats fields as one record ending in "\n"; returns a malloc'ed string or NULL. */
char *sl_csv_format(const char *const *fields, int n);

/* Ordered list of key/value texts. */
typedef struct sl_kv {
    char *key;
    char *value;
} sl_kv;
typedef struct sl_kvlist {
    int n, cap;
    sl_kv *kv;
} sl_kvlist;

void sl_kvlist_release(sl_kvlist *l);
int sl_kvlist_put(sl_kvlist *l, const char *key, const char *value); /* replaces; -1 on nomem */
const char *sl_kvlist_get(const sl_kvlist *l, const char *key);    /* NULL when absent */

/* Reads a JSON object; scalar members go to `out` as text (strings unescaped, numbers as
 * written, true/false/null as words); members of nested objects as "outer.inner"; arrays are
 * skipped. Errors name the file and line. */
sl_status sl_json_read_flat(const char *path, sl_kvlist *out, sl_error *e);

/* The header and the last data row of a CSV file as a key/value list (empty list for a file
 * with a header and no rows). */
sl_status sl_csv_read_last_row(const char *path, sl_kvlist *out, sl_error *e);

/* Reads a whole file into a NUL-terminated malloc'ed buffer (*len without the NUL). */
char *sl_read_file(const char *path, size_t *len);

#endif
