/* fileio.c - regular-file inputs and durable result files (see fileio.h). */
#include "swarmlab/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

FILE *sl_fopen_regular(const char *path, const char *what, sl_error *e)
{
    /* O_NONBLOCK: opening a FIFO with no writer must not hang before the check below */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        sl_error_set(e, SL_ERR_IO, "%s: cannot open %s: %s", path, what, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        sl_error_set(e, SL_ERR_IO, "%s: %s is not a regular file", path, what);
        return NULL;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0) fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        sl_error_set(e, SL_ERR_NOMEM, "%s: cannot open %s: %s", path, what, strerror(errno));
        close(fd);
    }
    return f;
}

int sl_fsync_parent_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir;
    if (!slash) dir = strdup(".");
    else if (slash == path) dir = strdup("/");
    else dir = strndup(path, (size_t)(slash - path));
    if (!dir) return -1;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(dir);
    if (fd < 0) return -1;
    int rc = fsync(fd);
    /* some file systems cannot sync a directory; that is not a lost write */
    if (rc != 0 && (errno == EINVAL || errno == EROFS)) rc = 0;
    int err = errno;
    close(fd);
    errno = err;
    return rc;
}

sl_status sl_file_commit(FILE *f, const char *tmp_path, const char *path, sl_error *e)
{
    sl_status st = SL_OK;
    int err = 0;
    errno = 0;
    if (fflush(f) != 0) err = errno ? errno : EIO;
    else if (ferror(f)) err = EIO; /* an earlier write failed; its errno is gone */
    else if (fsync(fileno(f)) != 0 && errno != EINVAL && errno != EROFS) err = errno;
    errno = 0;
    if (fclose(f) != 0 && !err) err = errno ? errno : EIO;
    if (err) {
        st = sl_error_set(e, SL_ERR_IO, "%s: write failed: %s", tmp_path, strerror(err));
    } else if (rename(tmp_path, path) != 0) {
        st = sl_error_set(e, SL_ERR_IO, "%s: cannot rename to %s: %s", tmp_path, path,
                          strerror(errno));
    } else if (sl_fsync_parent_dir(path) != 0) {
        return sl_error_set(e, SL_ERR_IO, "%s: cannot sync its directory: %s", path,
                            strerror(errno));
    }
    if (st != SL_OK) remove(tmp_path);
    return st;
}
