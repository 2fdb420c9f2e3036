#include "vpcx/core/strbuf.h"

#include "vpcx/core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char strbuf_empty[1];

void strbuf_init(struct strbuf *sb, size_t hint)
{
    sb->buf = strbuf_empty;
    sb->len = 0;
    sb->alloc = 0;
    if (hint)
        strbuf_grow(sb, hint);
}

void strbuf_release(struct strbuf *sb)
{
    if (sb->alloc)
        free(sb->buf);
    strbuf_init(sb, 0);
}

void strbuf_reset(struct strbuf *sb)
{
    strbuf_setlen(sb, 0);
}

char *strbuf_detach(struct strbuf *sb, size_t *len)
{
    char *p;
    if (len)
        *len = sb->len;
    p = sb->alloc ? sb->buf : xstrdup("");
    strbuf_init(sb, 0);
    return p;
}

void strbuf_grow(struct strbuf *sb, size_t extra)
{
    if (sb->len + extra + 1 <= sb->alloc)
        return;
    if (extra > (size_t)-1 / 2 - sb->len)
        xmalloc((size_t)-1); /* aborts */
    size_t want = sb->len + extra + 1;
    size_t alloc = sb->alloc ? sb->alloc : 64;
    while (alloc < want)
        alloc *= 2;
    char *old = sb->alloc ? sb->buf : NULL;
    sb->buf = xrealloc(old, alloc);
    if (!old)
        sb->buf[0] = '\0';
    sb->alloc = alloc;
}

void strbuf_add(struct strbuf *sb, const void *data, size_t len)
{
    if (!len)
        return;
    strbuf_grow(sb, len);
    memcpy(sb->buf + sb->len, data, len);
    sb->len += len;
    sb->buf[sb->len] = '\0';
}

bool strbuf_add_bounded(struct strbuf *sb, const void *data, size_t len, size_t max)
{
    if (len > max || sb->len > max - len)
        return false;
    strbuf_add(sb, data, len);
    return true;
}

void strbuf_addstr(struct strbuf *sb, const char *s)
{
    strbuf_add(sb, s, strlen(s));
}

void strbuf_addch(struct strbuf *sb, char c)
{
    strbuf_add(sb, &c, 1);
}

void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n <= 0)
        return;
    strbuf_grow(sb, (size_t)n);
    vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
    sb->len += (size_t)n;
}

void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    strbuf_vaddf(sb, fmt, ap);
    va_end(ap);
}

void strbuf_setlen(struct strbuf *sb, size_t len)
{
    if (len >= sb->len)
        return;
    sb->len = len;
    sb->buf[len] = '\0';
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

void strbuf_trim(struct strbuf *sb)
{
    size_t start = 0;
    while (start < sb->len && is_space(sb->buf[start]))
        start++;
    size_t end = sb->len;
    while (end > start && is_space(sb->buf[end - 1]))
        end--;
    if (start)
        memmove(sb->buf, sb->buf + start, end - start);
    strbuf_setlen(sb, end - start);
}

const char *strbuf_str(const struct strbuf *sb)
{
    return sb->buf;
}
