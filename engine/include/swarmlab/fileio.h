/* fileio.h - opening input files safely and putting result files in place durably.
 *
 * Inputs: sl_fopen_regular() opens a file for reading only when it is a regular file, so a
 * device (/dev/zero), a FIFO or a directory named as an instance, checkpoint or configuration
 * file is refused with one line instead of being read without end.
 *
 * Results: a result file is written under a temporary name and committed with
 * sl_file_commit(): the data is flushed and synced to disk, the file renamed to its final name
 * and the directory synced, so after a crash or power loss the final name holds either nothing
 * or the complete file. Every write error (ENOSPC included) is reported, never hidden.
 */
#ifndef SWARMLAB_FILEIO_H
#define SWARMLAB_FILEIO_H

#include <stdio.h>
#include "swarmlab/error.h"

/* fopen(path, "rb") of a regular file. `what` names the file's role in the message ("instance",
 * "checkpoint"). Returns NULL with e filled ("PATH: cannot open WHAT: reason" or
 * "PATH: WHAT is not a regular file"). */
FILE *sl_fopen_regular(const char *path, const char *what, sl_error *e);

/* Flushes f, checks that every write succeeded, syncs and closes it (f is closed in every
 * case), renames tmp_path to path and syncs the directory of path. On failure tmp_path is
 * removed and e names the file and the reason. */
sl_status sl_file_commit(FILE *f, const char *tmp_path, const char *path, sl_error *e);

/* Syncs the directory that holds path (after a rename into it). 0 or -1 with errno. */
int sl_fsync_parent_dir(const char *path);

#endif
