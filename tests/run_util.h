/* run_util.h - helpers for suites that write scenario files and run the swarmlab binary.
 * Header-only (static functions): each suite is its own program. */
#ifndef SWARMLAB_TESTS_RUN_UTIL_H
#define SWARMLAB_TESTS_RUN_UTIL_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Whether s (may be NULL) contains sub. */
static __attribute__((unused)) int contains(const char *s, const char *sub)
{
    return s && strstr(s, sub) != NULL;
}

/* A fresh directory under /tmp; the caller frees the string and removes it with rm_tree. */
static __attribute__((unused)) char *tmp_dir(void)
{
    char *d = strdup("/tmp/swarmlab-test-XXXXXX");
    if (!d || !mkdtemp(d)) abort();
    return d;
}

static __attribute__((unused)) void rm_tree(const char *dir)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "warning: could not remove %s\n", dir);
}

/* Writes text to dir/name and returns the full path (static buffer rotation of 8). */
static __attribute__((unused)) const char *write_text(const char *dir, const char *name, const char *text)
{
    static char paths[8][4200];
    static int k;
    char *p = paths[k++ % 8];
    if (snprintf(p, 4200, "%s/%s", dir, name) >= 4200) abort();
    FILE *f = fopen(p, "w");
    if (!f) abort();
    fputs(text, f);
    fclose(f);
    return p;
}

/* Whole file as a string (caller frees), or NULL when it cannot be read. */
static __attribute__((unused)) char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (!s) abort();
    size_t got = fread(s, 1, (size_t)n, f);
    s[got] = '\0';
    fclose(f);
    return s;
}

static __attribute__((unused)) int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static __attribute__((unused)) const char *path_in(const char *dir, const char *name)
{
    static char paths[8][4200];
    static int k;
    char tmp[4200];
    if (snprintf(tmp, sizeof tmp, "%s/%s", dir, name) >= (int)sizeof tmp) abort();
    char *p = paths[k++ % 8];
    memcpy(p, tmp, sizeof tmp);
    return p;
}

/* Runs `$SWARMLAB_EXE <args>` through the shell with stdout/stderr captured in dir/stdout.txt and
 * dir/stderr.txt; returns the exit status (or -1). The binary must exist. */
static __attribute__((unused)) int run_swarmlab(const char *dir, const char *fmt, ...)
{
    const char *exe = getenv("SWARMLAB_EXE");
    if (!exe) exe = "build/swarmlab";
    char args[3000], cmd[8000];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(cmd, sizeof cmd, "'%s' %s >'%s/stdout.txt' 2>'%s/stderr.txt' </dev/null", exe, args,
             dir, dir);
    int rc = system(cmd);
    if (rc == -1 || !WIFEXITED(rc)) return -1;
    return WEXITSTATUS(rc);
}

/* Runs a shell command with stdout discarded and stderr in dir/stderr.txt, copied into err (up to
 * errn - 1 bytes) when err is not NULL. Returns the exit status, or 128 + signal. */
static __attribute__((unused)) int run_shell_v(const char *dir, char *err, size_t errn,
                                               const char *fmt, va_list ap)
{
    char cmd[8192], errfile[4200], full[12600];
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    snprintf(errfile, sizeof errfile, "%s/stderr.txt", dir);
    snprintf(full, sizeof full, "%s >/dev/null 2>%s", cmd, errfile);
    int st = system(full);
    if (err) {
        err[0] = '\0';
        FILE *f = fopen(errfile, "r");
        if (f) {
            size_t k = fread(err, 1, errn - 1, f);
            err[k] = '\0';
            fclose(f);
        }
    }
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* First line of dir/stderr.txt that starts with "swarmlab" (the error line), in buf. */
static __attribute__((unused)) const char *error_line(const char *dir, char *buf, size_t n)
{
    char *s = read_text(path_in(dir, "stderr.txt"));
    buf[0] = '\0';
    if (!s) return buf;
    for (char *line = strtok(s, "\n"); line; line = strtok(NULL, "\n")) {
        if (strncmp(line, "swarmlab", 8) == 0) {
            snprintf(buf, n, "%s", line);
            break;
        }
    }
    free(s);
    return buf;
}

/* Number of lines in dir/stderr.txt. */
static __attribute__((unused)) int stderr_lines(const char *dir)
{
    char *s = read_text(path_in(dir, "stderr.txt"));
    int n = 0;
    if (s)
        for (char *p = s; *p; p++) n += *p == '\n';
    free(s);
    return n;
}

#endif
