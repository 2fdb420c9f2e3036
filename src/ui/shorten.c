#include "vpcx/ui/shorten.h"

#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"

#include <stdbool.h>
#include <string.h>

static bool is_cont(char c)
{
    return ((unsigned char)c & 0xC0) == 0x80;
}

static size_t cp_count(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += !is_cont(*s);
    return n;
}

/* Bytes taken by the first k code points of s. */
static size_t head_bytes(const char *s, size_t k)
{
    size_t i = 0;
    while (s[i] && k) {
        i++;
        while (s[i] && is_cont(s[i]))
            i++;
        k--;
    }
    return i;
}

/* Byte offset where the last k code points of s start. */
static size_t tail_start(const char *s, size_t k)
{
    size_t i = strlen(s);
    while (i > 0 && k) {
        i--;
        while (i > 0 && is_cont(s[i]))
            i--;
        k--;
    }
    return i;
}

/* True when other could be read as head…tail (bytes of name). */
static bool matches(const char *other, const char *name, size_t hb, size_t tb)
{
    size_t ol = strlen(other), nl = strlen(name);
    if (ol < hb + tb)
        return false;
    return strncmp(other, name, hb) == 0 && memcmp(other + ol - tb, name + nl - tb, tb) == 0;
}

static bool unambiguous(const char *const *names, size_t n, size_t which, size_t hb, size_t tb)
{
    const char *name = names[which] ? names[which] : "";
    for (size_t j = 0; j < n; j++) {
        const char *o = names[j] ? names[j] : "";
        if (j != which && strcmp(o, name) != 0 && matches(o, name, hb, tb))
            return false;
    }
    return true;
}

static char *build(const char *name, size_t hb, size_t tb, const char *ellipsis)
{
    struct strbuf sb;
    strbuf_init(&sb, hb + tb + 4);
    strbuf_add(&sb, name, hb);
    strbuf_addstr(&sb, ellipsis);
    strbuf_addstr(&sb, name + strlen(name) - tb);
    return strbuf_detach(&sb, NULL);
}

char *shorten_one(const char *const *names, size_t n, size_t which, int width, const char *ellipsis)
{
    const char *name = names[which] ? names[which] : "";
    if (width < 1)
        return xstrdup("");
    size_t len = cp_count(name), w = (size_t)width;
    if (len <= w)
        return xstrdup(name);
    if (w == 1)
        return xstrdup(ellipsis);
    /* head + ellipsis + tail = w code points; the tail grows until unambiguous. */
    size_t room = w - 1;
    for (size_t t = 0; t < room; t++) {
        size_t hb = head_bytes(name, room - t);
        size_t tb = strlen(name) - tail_start(name, t);
        if (unambiguous(names, n, which, hb, tb))
            return build(name, hb, tb, ellipsis);
    }
    return build(name, head_bytes(name, room), 0, ellipsis);
}

void shorten_names(const char *const *names, size_t n, int width, const char *ellipsis, char **out)
{
    for (size_t i = 0; i < n; i++)
        out[i] = shorten_one(names, n, i, width, ellipsis);
}
