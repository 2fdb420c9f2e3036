#include "vpcx/ui/line.h"

#include "vpcx/core/xalloc.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void line_init(struct ui_line *l)
{
    memset(l, 0, sizeof(*l));
    strbuf_init(&l->text, 128);
    l->fill = ROLE_NORMAL;
}

void line_finish(struct ui_line *l)
{
    if (!l)
        return;
    strbuf_release(&l->text);
    free(l->spans);
    l->spans = NULL;
    l->n = l->alloc = 0;
}

void line_reset(struct ui_line *l)
{
    strbuf_reset(&l->text);
    l->n = 0;
    l->fill = ROLE_NORMAL;
    l->indent = 0;
}

static struct line_span *push_span(struct ui_line *l, enum theme_role role, size_t offset)
{
    if (l->n == l->alloc) {
        l->alloc = l->alloc ? l->alloc * 2 : 8;
        l->spans = xreallocarray(l->spans, l->alloc, sizeof(*l->spans));
    }
    struct line_span *s = &l->spans[l->n++];
    memset(s, 0, sizeof(*s));
    s->role = role;
    s->offset = offset;
    s->len = l->text.len - offset;
    return s;
}

void line_addn(struct ui_line *l, enum theme_role role, const char *text, size_t len)
{
    size_t off = l->text.len;
    strbuf_add(&l->text, text, len);
    push_span(l, role, off);
}

void line_add(struct ui_line *l, enum theme_role role, const char *text)
{
    line_addn(l, role, text ? text : "", text ? strlen(text) : 0);
}

void line_addf(struct ui_line *l, enum theme_role role, const char *fmt, ...)
{
    size_t off = l->text.len;
    va_list ap;
    va_start(ap, fmt);
    strbuf_vaddf(&l->text, fmt, ap);
    va_end(ap);
    push_span(l, role, off);
}

void line_add_fixed(struct ui_line *l, enum theme_role role, const char *text, int width,
                    int align_right)
{
    line_add(l, role, text);
    l->spans[l->n - 1].width = width;
    l->spans[l->n - 1].align_right = align_right;
}

char *line_plain(const struct ui_line *l)
{
    struct strbuf sb;
    strbuf_init(&sb, l->text.len + 1);
    for (size_t i = 0; i < l->n; i++)
        strbuf_add(&sb, l->text.buf + l->spans[i].offset, l->spans[i].len);
    return strbuf_detach(&sb, NULL);
}
