/* sweep_csv.c - CSV records, key/value lists, and a small JSON reader for run manifests. */
#include "sweep_csv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sl_csv_row_release(sl_csv_row *r)
{
    for (int i = 0; i < r->n; i++) free(r->f[i]);
    free(r->f);
    r->f = NULL;
    r->n = 0;
}

typedef struct sbuf {
    char *s;
    size_t n, cap;
} sbuf;

static int sb_putc(sbuf *b, char c)
{
    if (b->n + 2 > b->cap) {
        size_t nc = b->cap ? b->cap * 2 : 64;
        char *ns = realloc(b->s, nc);
        if (!ns) return -1;
        b->s = ns;
        b->cap = nc;
    }
    b->s[b->n++] = c;
    b->s[b->n] = '\0';
    return 0;
}

static char *sb_take(sbuf *b)
{
    if (!b->s && sb_putc(b, 'x') == 0) b->s[b->n = 0] = '\0';
    char *s = b->s;
    b->s = NULL;
    b->n = b->cap = 0;
    return s;
}

static int row_push(sl_csv_row *r, char *s)
{
    if (!s) return -1;
    char **nf = realloc(r->f, (size_t)(r->n + 1) * sizeof *nf);
    if (!nf) {
        free(s);
        return -1;
    }
    r->f = nf;
    r->f[r->n++] = s;
    return 0;
}

sl_status sl_csv_split(const char *line, size_t len, sl_csv_row *out)
{
    out->n = 0;
    out->f = NULL;
    size_t i = 0;
    sbuf b = {0};
    for (;;) {
        if (i < len && line[i] == '"') {
            i++;
            for (;;) {
                if (i >= len) goto bad;
                if (line[i] == '"') {
                    if (i + 1 < len && line[i + 1] == '"') {
                        if (sb_putc(&b, '"')) goto bad;
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                if (sb_putc(&b, line[i++])) goto bad;
            }
            if (i < len && line[i] != ',') goto bad;
        } else {
            while (i < len && line[i] != ',') {
                if (line[i] == '"') goto bad;
                if (sb_putc(&b, line[i++])) goto bad;
            }
        }
        if (row_push(out, sb_take(&b)) != 0) goto bad;
        if (i >= len) break;
        i++; /* the comma */
    }
    return SL_OK;
bad:
    free(b.s);
    sl_csv_row_release(out);
    return SL_ERR_PARSE;
}

char *sl_csv_format(const char *const *fields, int n)
{
    sbuf b = {0};
    for (int k = 0; k < n; k++) {
        const char *s = fields[k] ? fields[k] : "";
        int quote = strpbrk(s, ",\"") != NULL;
        if (k && sb_putc(&b, ',')) goto bad;
        if (quote && sb_putc(&b, '"')) goto bad;
        for (; *s; s++) {
            char c = (*s == '\n' || *s == '\r') ? ' ' : *s;
            if (c == '"' && sb_putc(&b, '"')) goto bad;
            if (sb_putc(&b, c)) goto bad;
        }
        if (quote && sb_putc(&b, '"')) goto bad;
    }
    if (sb_putc(&b, '\n')) goto bad;
    return sb_take(&b);
bad:
    free(b.s);
    return NULL;
}

void sl_kvlist_release(sl_kvlist *l)
{
    for (int i = 0; i < l->n; i++) {
        free(l->kv[i].key);
        free(l->kv[i].value);
    }
    free(l->kv);
    l->kv = NULL;
    l->n = l->cap = 0;
}

int sl_kvlist_put(sl_kvlist *l, const char *key, const char *value)
{
    char *v = strdup(value);
    if (!v) return -1;
    for (int i = 0; i < l->n; i++)
        if (strcmp(l->kv[i].key, key) == 0) {
            free(l->kv[i].value);
            l->kv[i].value = v;
            return 0;
        }
    if (l->n == l->cap) {
        int nc = l->cap ? l->cap * 2 : 16;
        sl_kv *nk = realloc(l->kv, (size_t)nc * sizeof *nk);
        if (!nk) {
            free(v);
            return -1;
        }
        l->kv = nk;
        l->cap = nc;
    }
    char *k = strdup(key);
    if (!k) {
        free(v);
        return -1;
    }
    l->kv[l->n].key = k;
    l->kv[l->n].value = v;
    l->n++;
    return 0;
}

const char *sl_kvlist_get(const sl_kvlist *l, const char *key)
{
    for (int i = 0; i < l->n; i++)
        if (strcmp(l->kv[i].key, key) == 0) return l->kv[i].value;
    return NULL;
}

char *sl_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    sbuf b = {0};
    char chunk[8192];
    size_t got;
    int fail = 0;
    while (!fail && (got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (b.n + got + 1 > b.cap) {
            size_t nc = b.cap ? b.cap : 8192;
            while (nc < b.n + got + 1) nc *= 2;
            char *ns = realloc(b.s, nc);
            if (!ns) {
                fail = 1;
                break;
            }
            b.s = ns;
            b.cap = nc;
        }
        memcpy(b.s + b.n, chunk, got);
        b.n += got;
        b.s[b.n] = '\0';
    }
    if (ferror(f)) fail = 1;
    fclose(f);
    if (fail) {
        free(b.s);
        return NULL;
    }
    if (len) *len = b.n;
    return sb_take(&b);
}

/* ---- JSON ---- */

typedef struct jparser {
    const char *s, *end;
    const char *path;
    sl_kvlist *out;
    sl_error *e;
    int depth;
} jparser;

static sl_status jfail(jparser *p, const char *at, const char *what)
{
    int line = 1;
    for (const char *c = p->s; c < at && c < p->end; c++)
        if (*c == '\n') line++;
    return sl_error_set(p->e, SL_ERR_PARSE, "%s:%d: malformed JSON: %s", p->path, line, what);
}

static const char *jws(const jparser *p, const char *c)
{
    while (c < p->end && (*c == ' ' || *c == '\t' || *c == '\n' || *c == '\r')) c++;
    return c;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static sl_status jstring(jparser *p, const char **cp, char **out)
{
    const char *c = *cp;
    sbuf b = {0};
    if (c >= p->end || *c != '"') return jfail(p, c, "expected a string");
    c++;
    for (;;) {
        if (c >= p->end) {
            free(b.s);
            return jfail(p, c, "unterminated string");
        }
        char ch = *c++;
        if (ch == '"') break;
        if (ch == '\\') {
            if (c >= p->end) break;
            char esc = *c++;
            switch (esc) {
            case 'n': ch = '\n'; break;
            case 't': ch = '\t'; break;
            case 'r': ch = '\r'; break;
            case 'b': ch = '\b'; break;
            case 'f': ch = '\f'; break;
            case 'u': {
                int v = 0;
                for (int k = 0; k < 4; k++) {
                    int h = c < p->end ? hexval(*c) : -1;
                    if (h < 0) {
                        free(b.s);
                        return jfail(p, c, "bad \\u escape");
                    }
                    v = v * 16 + h;
                    c++;
                }
                /* UTF-8 for the BMP; surrogates are kept as '?' */
                if (v < 0x80) ch = (char)v;
                else if (v < 0x800) {
                    sb_putc(&b, (char)(0xC0 | (v >> 6)));
                    ch = (char)(0x80 | (v & 0x3F));
                } else if (v >= 0xD800 && v <= 0xDFFF) ch = '?';
                else {
                    sb_putc(&b, (char)(0xE0 | (v >> 12)));
                    sb_putc(&b, (char)(0x80 | ((v >> 6) & 0x3F)));
                    ch = (char)(0x80 | (v & 0x3F));
                }
                break;
            }
            default: ch = esc; break;
            }
        }
        if (sb_putc(&b, ch)) {
            free(b.s);
            return sl_error_set(p->e, SL_ERR_NOMEM, "%s: out of memory", p->path);
        }
    }
    *cp = c;
    *out = sb_take(&b);
    return *out ? SL_OK : sl_error_set(p->e, SL_ERR_NOMEM, "%s: out of memory", p->path);
}

static sl_status jvalue(jparser *p, const char **cp, const char *key, int store);

static sl_status jobject(jparser *p, const char **cp, const char *prefix, int store)
{
    const char *c = jws(p, *cp + 1);
    if (++p->depth > 64) return jfail(p, c, "nested too deeply");
    if (c < p->end && *c == '}') {
        *cp = c + 1;
        p->depth--;
        return SL_OK;
    }
    for (;;) {
        char *key = NULL;
        c = jws(p, c);
        sl_status st = jstring(p, &c, &key);
        if (st != SL_OK) return st;
        c = jws(p, c);
        if (c >= p->end || *c != ':') {
            free(key);
            return jfail(p, c, "expected ':'");
        }
        c = jws(p, c + 1);
        char *full = key;
        if (prefix) {
            full = malloc(strlen(prefix) + strlen(key) + 2);
            if (full) sprintf(full, "%s.%s", prefix, key);
            free(key);
            if (!full) return sl_error_set(p->e, SL_ERR_NOMEM, "%s: out of memory", p->path);
        }
        st = jvalue(p, &c, full, store);
        free(full);
        if (st != SL_OK) return st;
        c = jws(p, c);
        if (c < p->end && *c == ',') {
            c++;
            continue;
        }
        if (c < p->end && *c == '}') {
            *cp = c + 1;
            p->depth--;
            return SL_OK;
        }
        return jfail(p, c, "expected ',' or '}'");
    }
}

static sl_status jvalue(jparser *p, const char **cp, const char *key, int store)
{
    const char *c = jws(p, *cp);
    if (c >= p->end) return jfail(p, c, "unexpected end");
    if (*c == '{') {
        sl_status st = jobject(p, &c, key, store);
        *cp = c;
        return st;
    }
    if (*c == '[') {
        if (++p->depth > 64) return jfail(p, c, "nested too deeply");
        c = jws(p, c + 1);
        if (c < p->end && *c == ']') {
            *cp = c + 1;
            p->depth--;
            return SL_OK;
        }
        for (;;) {
            sl_status st = jvalue(p, &c, NULL, 0);
            if (st != SL_OK) return st;
            c = jws(p, c);
            if (c < p->end && *c == ',') {
                c++;
                continue;
            }
            if (c < p->end && *c == ']') {
                *cp = c + 1;
                p->depth--;
                return SL_OK;
            }
            return jfail(p, c, "expected ',' or ']'");
        }
    }
    if (*c == '"') {
        char *s = NULL;
        sl_status st = jstring(p, &c, &s);
        if (st != SL_OK) return st;
        if (store && key && sl_kvlist_put(p->out, key, s) != 0) st = SL_ERR_NOMEM;
        free(s);
        *cp = c;
        return st == SL_OK ? SL_OK : sl_error_set(p->e, st, "%s: out of memory", p->path);
    }
    const char *b = c;
    while (c < p->end && (*c == '-' || *c == '+' || *c == '.' || (*c >= '0' && *c <= '9') ||
                          (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z')))
        c++;
    if (c == b) return jfail(p, c, "unexpected character");
    size_t n = (size_t)(c - b);
    char word[128];
    if (n >= sizeof word) return jfail(p, b, "literal too long");
    memcpy(word, b, n);
    word[n] = '\0';
    if (!(strcmp(word, "true") == 0 || strcmp(word, "false") == 0 || strcmp(word, "null") == 0)) {
        char *end;
        errno = 0;
        (void)strtod(word, &end);
        if (*end) return jfail(p, b, "bad literal");
    }
    if (store && key && sl_kvlist_put(p->out, key, word) != 0)
        return sl_error_set(p->e, SL_ERR_NOMEM, "%s: out of memory", p->path);
    *cp = c;
    return SL_OK;
}

sl_status sl_json_read_flat(const char *path, sl_kvlist *out, sl_error *e)
{
    size_t len = 0;
    char *text = sl_read_file(path, &len);
    if (!text) return sl_error_set(e, SL_ERR_IO, "%s: cannot read: %s", path, strerror(errno));
    jparser p = {text, text + len, path, out, e, 0};
    const char *c = jws(&p, text);
    sl_status st;
    if (c >= p.end || *c != '{')
        st = jfail(&p, c, "expected an object");
    else {
        st = jobject(&p, &c, NULL, 1);
        if (st == SL_OK) {
            c = jws(&p, c);
            if (c != p.end) st = jfail(&p, c, "text after the object");
        }
    }
    free(text);
    return st;
}

sl_status sl_csv_read_last_row(const char *path, sl_kvlist *out, sl_error *e)
{
    size_t len = 0;
    char *text = sl_read_file(path, &len);
    if (!text) return sl_error_set(e, SL_ERR_IO, "%s: cannot read: %s", path, strerror(errno));
    /* header: first line; last row: last non-empty complete line after it */
    char *nl = memchr(text, '\n', len);
    size_t hlen = nl ? (size_t)(nl - text) : len;
    if (hlen && text[hlen - 1] == '\r') hlen--;
    sl_csv_row head = {0}, last = {0};
    sl_status st = SL_OK;
    if (hlen == 0 || sl_csv_split(text, hlen, &head) != SL_OK) {
        st = sl_error_set(e, SL_ERR_PARSE, "%s:1: missing or malformed header", path);
        goto done;
    }
    size_t end = len;
    int line_count = 1;
    for (size_t i = 0; i < len; i++)
        if (text[i] == '\n') line_count++;
    while (end > hlen + 1) {
        while (end > hlen + 1 && (text[end - 1] == '\n' || text[end - 1] == '\r')) {
            if (text[end - 1] == '\n') line_count--;
            end--;
        }
        if (end <= hlen + 1) break;
        size_t b = end;
        while (b > hlen + 1 && text[b - 1] != '\n') b--;
        if (sl_csv_split(text + b, end - b, &last) != SL_OK || last.n != head.n) {
            sl_csv_row_release(&last);
            st = sl_error_set(e, SL_ERR_PARSE, "%s:%d: row does not match the header", path,
                              line_count);
            goto done;
        }
        break;
    }
    for (int i = 0; i < last.n; i++)
        if (sl_kvlist_put(out, head.f[i], last.f[i]) != 0) {
            st = sl_error_set(e, SL_ERR_NOMEM, "%s: out of memory", path);
            break;
        }
done:
    sl_csv_row_release(&head);
    sl_csv_row_release(&last);
    free(text);
    return st;
}
