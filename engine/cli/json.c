/* json.c - JSON string and number formatting. */
#include "json.h"

#include <math.h>
#include <stdlib.h>

/* Length of the valid UTF-8 sequence at p (1..4), or 0 when the bytes there are not one
 * (stray continuation byte, overlong form, surrogate, above U+10FFFF, cut short). */
static int utf8_len(const unsigned char *p)
{
    unsigned c = p[0];
    int n;
    unsigned min, v;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) n = 2, min = 0x80, v = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF) n = 3, min = 0x800, v = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4) n = 4, min = 0x10000, v = c & 0x07;
    else return 0;
    for (int k = 1; k < n; k++) {
        if ((p[k] & 0xC0) != 0x80) return 0; /* also stops at the terminating NUL */
        v = (v << 6) | (p[k] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
    return n;
}

void sl_json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p;) {
        int n = 1;
        switch (*p) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        default:
            if (*p < 0x20) {
                fprintf(f, "\\u%04x", *p);
            } else if ((n = utf8_len(p)) > 0) {
                fwrite(p, 1, (size_t)n, f);
            } else {
                fputs("\\ufffd", f); /* a byte that is not UTF-8: the replacement character */
                n = 1;
            }
        }
        p += n;
    }
    fputc('"', f);
}

void sl_json_number(FILE *f, double v)
{
    if (!isfinite(v)) fputs("null", f);
    else if (v == floor(v) && fabs(v) < 9007199254740992.0) fprintf(f, "%.0f", v);
    else {
        /* the shortest form that reads back as the same double */
        char buf[40];
        for (int prec = 15; prec <= 17; prec++) {
            snprintf(buf, sizeof buf, "%.*g", prec, v);
            if (strtod(buf, NULL) == v) break;
        }
        fputs(buf, f);
    }
}
