/* sha256.h - SHA-256 (FIPS 180-4) of memory and files, for the run manifest. */
#ifndef SWARMLAB_CLI_SHA256_H
#define SWARMLAB_CLI_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct sl_sha256 {
    uint32_t h[8];
    uint64_t len;        /* bytes hashed so far */
    uint8_t buf[64];
    size_t nbuf;
} sl_sha256;

void sl_sha256_init(sl_sha256 *s);
void sl_sha256_update(sl_sha256 *s, const void *data, size_t n);
void sl_sha256_final(sl_sha256 *s, uint8_t out[32]);
/* Lower-case hex digest of n bytes into hex[65]. */
void sl_sha256_hex(const void *data, size_t n, char hex[65]);
/* Hex digest of a file's contents; returns 0, or -1 (errno set) when it cannot be read. */
int sl_sha256_file(const char *path, char hex[65]);

#endif
