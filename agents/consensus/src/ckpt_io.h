/* ckpt_io.h (internal) - raw reads and writes of module state for checkpoints.
 *
 * A module section starts with a 8-byte tag and the sizes it was saved with; load refuses a
 * section whose tag or sizes differ from the freshly set-up object. Values are written in the
 * host's layout (the checkpoint header already refuses files from other byte orders).
 */
#ifndef SL_CONSENSUS_CKPT_IO_H
#define SL_CONSENSUS_CKPT_IO_H

#include <stdio.h>
#include <string.h>
#include "swarmlab/error.h"

typedef struct ck_io {
    FILE *f;
    int ok;
} ck_io;

static inline void ck_put(ck_io *c, const void *p, size_t n)
{
    if (c->ok && n && fwrite(p, 1, n, c->f) != n) c->ok = 0;
}

static inline void ck_get(ck_io *c, void *p, size_t n)
{
    if (c->ok && n && fread(p, 1, n, c->f) != n) c->ok = 0;
}

/* Writes tag and sizes; load: checks them. Returns 0 on a mismatch. */
static inline void ck_put_head(ck_io *c, const char tag[8], long a, long b)
{
    ck_put(c, tag, 8);
    ck_put(c, &a, sizeof a);
    ck_put(c, &b, sizeof b);
}

static inline int ck_get_head(ck_io *c, const char tag[8], long a, long b)
{
    char t[8];
    long x = 0, y = 0;
    ck_get(c, t, 8);
    ck_get(c, &x, sizeof x);
    ck_get(c, &y, sizeof y);
    return c->ok && memcmp(t, tag, 8) == 0 && x == a && y == b;
}

#endif
