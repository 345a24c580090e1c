/* args.h - strict parsing of command-line and INI values (whole string, no trailing junk). */
#ifndef SWARMLAB_CLI_ARGS_H
#define SWARMLAB_CLI_ARGS_H

#include <stdint.h>

/* Decimal integer with optional sign; 0 on success, -1 otherwise. */
int sl_parse_ll(const char *s, long long *out);
/* Unsigned 64-bit integer: decimal, or hexadecimal with 0x; no sign. 0 on success, -1 otherwise. */
int sl_parse_u64(const char *s, uint64_t *out);
/* Memory size: a positive integer of bytes, or with a binary suffix K, M or G ("512M" =
 * 512 MiB). 0 on success, -1 otherwise (also when it overflows). */
int sl_parse_bytes(const char *s, long long *out);
/* Boolean: true/false, yes/no, on/off, 1/0 (any case). 0 on success, -1 otherwise. */
int sl_parse_bool(const char *s, int *out);

#endif
