/* sweep_journal.h - runs.csv, the append-only journal of a sweep: one line per finished run.
 *
 * Each row is appended with a single write() followed by fsync(), so after a crash or kill -9
 * the file holds every row that was reported finished plus at most one torn last line.
 * sl_journal_load() reads an existing journal, drops a torn last line (no newline) and rows
 * with the wrong number of fields, and returns the rest; the caller decides which rows still
 * stand (e.g. those whose run directory confirms them) and sl_journal_open() rewrites the file
 * with exactly those rows (temporary file + fsync + rename, so a kill during the rewrite leaves
 * the old journal intact) and keeps it open for appending.
 *
 * Ownership: a loaded row array belongs to the caller (sl_journal_rows_release()). The journal
 * owns its path and descriptor; sl_journal_close() releases them.
 */
#ifndef SWARMLAB_SWEEP_JOURNAL_H
#define SWARMLAB_SWEEP_JOURNAL_H

#include <stddef.h>
#include "swarmlab/error.h"
#include "sweep_csv.h"

typedef struct sl_journal {
    char *path;
    int fd;
    int ncols;
} sl_journal;

/* Reads path. A missing file gives zero rows (not an error). A file whose header differs from
 * `header` is refused with a message naming the first differing column. *dropped counts the
 * torn or malformed lines that were left out. */
sl_status sl_journal_load(const char *path, const char *const *header, int ncols,
                          sl_csv_row **rows, size_t *nrows, size_t *dropped, sl_error *e);
void sl_journal_rows_release(sl_csv_row *rows, size_t nrows);

/* Writes header + rows[keep[i] != 0] to path atomically and opens it for appending. keep may
 * be NULL (keep all). */
sl_status sl_journal_open(sl_journal *j, const char *path, const char *const *header, int ncols,
                          const sl_csv_row *rows, size_t nrows, const unsigned char *keep,
                          sl_error *e);
/* Appends one row of ncols fields and makes it durable. */
sl_status sl_journal_append(sl_journal *j, const char *const *fields, sl_error *e);
void sl_journal_close(sl_journal *j);

/* Writes `text` to path through "<path>.tmp", fsync and rename (for summary.csv and the like). */
sl_status sl_write_file_atomic(const char *path, const char *text, size_t len, sl_error *e);

#endif
