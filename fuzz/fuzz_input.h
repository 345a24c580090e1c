/* fuzz_input.h - the input of a libFuzzer harness as a file, for readers that take a path.
 *
 * The bytes go to an in-memory file (memfd) named by /proc/self/fd/N, rewritten for every input,
 * so the harnesses touch no disk. Header-only: each harness is its own program. */
#ifndef SWARMLAB_FUZZ_INPUT_H
#define SWARMLAB_FUZZ_INPUT_H

#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Path of a file holding data[0..size) (slot 0..3 for harnesses needing several files). */
static __attribute__((unused)) const char *fuzz_file(int slot, const uint8_t *data, size_t size)
{
    static int fds[4] = {-1, -1, -1, -1};
    static char paths[4][64];
    if (fds[slot] < 0) {
        fds[slot] = memfd_create("swarmlab-fuzz", 0);
        if (fds[slot] < 0) abort();
        snprintf(paths[slot], sizeof paths[slot], "/proc/self/fd/%d", fds[slot]);
    }
    if (ftruncate(fds[slot], 0) != 0) abort();
    size_t done = 0;
    while (done < size) {
        ssize_t n = pwrite(fds[slot], data + done, size - done, (off_t)done);
        if (n <= 0) abort();
        done += (size_t)n;
    }
    return paths[slot];
}

/* data as a NUL-terminated string (caller frees). */
static __attribute__((unused)) char *fuzz_string(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s) abort();
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

#endif
