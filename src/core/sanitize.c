#include "vpcx/core/sanitize.h"

#include "vpcx/core/xalloc.h"

#include <stdint.h>
#include <string.h>

/* Decodes one UTF-8 sequence; returns its length, or 0 when invalid. */
static size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
    unsigned char c = s[0];
    size_t n;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        n = 2, v = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        n = 3, v = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        n = 4, v = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (n > len)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return n;
}

/* Bidi controls, and the line and paragraph separators some renderers break lines at. */
static bool is_bidi_control(uint32_t cp)
{
    return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E ||
           cp == 0x200F || cp == 0x061C || cp == 0x2028 || cp == 0x2029;
}

static bool is_control(uint32_t cp, unsigned flags)
{
    if ((flags & SANITIZE_KEEP_NEWLINE) && (cp == '\n' || cp == '\t'))
        return false;
    return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0);
}

static void add_escape(struct strbuf *out, uint32_t cp, unsigned flags)
{
    if (flags & SANITIZE_SPACE) {
        strbuf_addch(out, ' ');
        return;
    }
    switch (cp) {
    case '\n':
        strbuf_addstr(out, "\\n");
        return;
    case '\r':
        strbuf_addstr(out, "\\r");
        return;
    case '\t':
        strbuf_addstr(out, "\\t");
        return;
    default:
        break;
    }
    if (cp < 0x100)
        strbuf_addf(out, "\\x%02x", (unsigned)cp);
    else
        strbuf_addf(out, "\\u%04x", (unsigned)cp);
}

void sanitize_add(struct strbuf *out, const char *s, size_t len, unsigned flags)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        size_t n = utf8_decode(p + i, len - i, &cp);
        if (n == 0) {
            strbuf_addstr(out, "\xEF\xBF\xBD"); /* U+FFFD */
            i++;
            continue;
        }
        if (is_control(cp, flags) || is_bidi_control(cp))
            add_escape(out, cp, flags);
        else
            strbuf_add(out, p + i, n);
        i += n;
    }
}

bool sanitize_is_clean(const char *s, size_t len, unsigned flags)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        size_t n = utf8_decode(p + i, len - i, &cp);
        if (n == 0 || is_control(cp, flags) || is_bidi_control(cp))
            return false;
        i += n;
    }
    return true;
}

char *sanitize_dup(const char *s, unsigned flags)
{
    size_t len = strlen(s);
    if (sanitize_is_clean(s, len, flags))
        return xstrndup(s, len);
    struct strbuf sb;
    strbuf_init(&sb, len + 16);
    sanitize_add(&sb, s, len, flags);
    return strbuf_detach(&sb, NULL);
}

/* JSON: the string literal that starts at s[0] == '"', copied with unsafe code points
 * written as \uXXXX; returns the bytes consumed (through the closing quote). */
static size_t json_add_string(struct strbuf *out, const unsigned char *s, size_t len)
{
    size_t i = 1;
    strbuf_addch(out, '"');
    while (i < len && s[i] != '"') {
        if (s[i] == '\\') {
            /* An escape is ASCII: the backslash and the byte after it (\uXXXX's digits
             * follow as plain ASCII). */
            size_t n = i + 1 < len ? 2 : 1;
            strbuf_add(out, s + i, n);
            i += n;
            continue;
        }
        uint32_t cp;
        size_t n = utf8_decode(s + i, len - i, &cp);
        if (n == 0) {
            strbuf_addstr(out, "\\ufffd");
            i++;
        } else if (is_control(cp, 0) || is_bidi_control(cp)) {
            strbuf_addf(out, "\\u%04x", (unsigned)cp);
            i += n;
        } else {
            strbuf_add(out, s + i, n);
            i += n;
        }
    }
    if (i < len) {
        strbuf_addch(out, '"');
        i++;
    }
    return i;
}

void sanitize_json_add(struct strbuf *out, const char *json, size_t len)
{
    const unsigned char *p = (const unsigned char *)json;
    size_t i = 0;
    while (i < len) {
        size_t run = i;
        while (run < len && p[run] != '"')
            run++;
        strbuf_add(out, p + i, run - i); /* structure: ASCII as cJSON prints it */
        i = run;
        if (i < len)
            i += json_add_string(out, p + i, len - i);
    }
}

char *sanitize_json_dup(const char *json)
{
    size_t len = strlen(json);
    struct strbuf sb;
    strbuf_init(&sb, len + 32);
    sanitize_json_add(&sb, json, len);
    return strbuf_detach(&sb, NULL);
}
