/* sweep_journal.c - the runs.csv journal: durable appends and recovery after a crash. */
#include "sweep_journal.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void sl_journal_rows_release(sl_csv_row *rows, size_t nrows)
{
    for (size_t i = 0; i < nrows; i++) sl_csv_row_release(&rows[i]);
    free(rows);
}

sl_status sl_journal_load(const char *path, const char *const *header, int ncols,
                          sl_csv_row **rows, size_t *nrows, size_t *dropped, sl_error *e)
{
    *rows = NULL;
    *nrows = 0;
    *dropped = 0;
    size_t len = 0;
    char *text = sl_read_file(path, &len);
    if (!text) {
        if (errno == ENOENT) return SL_OK;
        return sl_error_set(e, SL_ERR_IO, "%s: cannot read: %s", path, strerror(errno));
    }
    sl_status st = SL_OK;
    size_t cap = 0;
    size_t pos = 0;
    int line = 0;
    int have_header = 0;
    while (pos < len) {
        char *nl = memchr(text + pos, '\n', len - pos);
        line++;
        if (!nl) { /* torn last line */
            (*dropped)++;
            break;
        }
        size_t n = (size_t)(nl - (text + pos));
        sl_csv_row r = {0};
        int ok = sl_csv_split(text + pos, n, &r) == SL_OK;
        pos += n + 1;
        if (!have_header) {
            have_header = 1;
            if (!ok || r.n != ncols) {
                st = sl_error_set(e, SL_ERR_PARSE,
                                  "%s:1: header has %d columns, this sweep writes %d (a different "
                                  "grid or scenario? use another --out)",
                                  path, ok ? r.n : 0, ncols);
                sl_csv_row_release(&r);
                goto fail;
            }
            for (int i = 0; i < ncols; i++)
                if (strcmp(r.f[i], header[i]) != 0) {
                    st = sl_error_set(e, SL_ERR_PARSE,
                                      "%s:1: column %d is '%s', this sweep writes '%s' (a "
                                      "different grid or scenario? use another --out)",
                                      path, i + 1, r.f[i], header[i]);
                    sl_csv_row_release(&r);
                    goto fail;
                }
            sl_csv_row_release(&r);
            continue;
        }
        if (!ok || r.n != ncols) {
            sl_csv_row_release(&r);
            (*dropped)++;
            continue;
        }
        if (*nrows == cap) {
            size_t nc = cap ? cap * 2 : 64;
            sl_csv_row *nr = realloc(*rows, nc * sizeof *nr);
            if (!nr) {
                sl_csv_row_release(&r);
                st = sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", path);
                goto fail;
            }
            *rows = nr;
            cap = nc;
        }
        (*rows)[(*nrows)++] = r;
    }
    free(text);
    return SL_OK;
fail:
    free(text);
    sl_journal_rows_release(*rows, *nrows);
    *rows = NULL;
    *nrows = 0;
    return st;
}

static int write_all(int fd, const char *s, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, s, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        s += w;
        n -= (size_t)w;
    }
    return 0;
}

static void fsync_dir_of(const char *path)
{
    char *copy = strdup(path);
    if (!copy) return;
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(copy);
}

sl_status sl_write_file_atomic(const char *path, const char *text, size_t len, sl_error *e)
{
    size_t n = strlen(path) + 5;
    char *tmp = malloc(n);
    if (!tmp) return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", path);
    snprintf(tmp, n, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        sl_status st = sl_error_set(e, SL_ERR_IO, "%s: cannot write: %s", tmp, strerror(errno));
        free(tmp);
        return st;
    }
    if (write_all(fd, text, len) != 0 || fsync(fd) != 0) {
        sl_status st = sl_error_set(e, SL_ERR_IO, "%s: write failed: %s", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        free(tmp);
        return st;
    }
    close(fd);
    if (rename(tmp, path) != 0) {
        sl_status st = sl_error_set(e, SL_ERR_IO, "%s: cannot rename: %s", path, strerror(errno));
        unlink(tmp);
        free(tmp);
        return st;
    }
    free(tmp);
    fsync_dir_of(path);
    return SL_OK;
}

sl_status sl_journal_open(sl_journal *j, const char *path, const char *const *header, int ncols,
                          const sl_csv_row *rows, size_t nrows, const unsigned char *keep,
                          sl_error *e)
{
    j->fd = -1;
    j->ncols = ncols;
    j->path = strdup(path);
    if (!j->path) return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", path);
    /* assemble the file */
    char *text = sl_csv_format(header, ncols);
    size_t len = text ? strlen(text) : 0, cap = len + 1;
    for (size_t i = 0; text && i < nrows; i++) {
        if (keep && !keep[i]) continue;
        char *line = sl_csv_format((const char *const *)rows[i].f, rows[i].n);
        if (!line) {
            free(text);
            text = NULL;
            break;
        }
        size_t ln = strlen(line);
        if (len + ln + 1 > cap) {
            while (len + ln + 1 > cap) cap *= 2;
            char *nt = realloc(text, cap);
            if (!nt) {
                free(line);
                free(text);
                text = NULL;
                break;
            }
            text = nt;
        }
        memcpy(text + len, line, ln + 1);
        len += ln;
        free(line);
    }
    if (!text) {
        sl_journal_close(j);
        return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", path);
    }
    sl_status st = sl_write_file_atomic(path, text, len, e);
    free(text);
    if (st != SL_OK) {
        sl_journal_close(j);
        return st;
    }
    j->fd = open(path, O_WRONLY | O_APPEND);
    if (j->fd < 0) {
        st = sl_error_set(e, SL_ERR_IO, "%s: cannot open for appending: %s", path,
                          strerror(errno));
        sl_journal_close(j);
        return st;
    }
    return SL_OK;
}

sl_status sl_journal_append(sl_journal *j, const char *const *fields, sl_error *e)
{
    char *line = sl_csv_format(fields, j->ncols);
    if (!line) return sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", j->path);
    int rc = write_all(j->fd, line, strlen(line));
    free(line);
    if (rc != 0 || fsync(j->fd) != 0)
        return sl_error_set(e, SL_ERR_IO, "%s: append failed: %s", j->path, strerror(errno));
    return SL_OK;
}

void sl_journal_close(sl_journal *j)
{
    if (j->fd >= 0) close(j->fd);
    j->fd = -1;
    free(j->path);
    j->path = NULL;
}
