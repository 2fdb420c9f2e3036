/*
 * line: what a view hands to the drawing widget for one row: a sequence of
 * spans, each a piece of text with a semantic role. Views build lines; only
 * draw.c turns them into curses calls, so views stay testable and never touch
 * colours or escape sequences.
 *
 * Text may be untrusted (tags, descriptions, policies): the widget sanitises
 * every span before drawing and measures it with wcwidth, so a span may hold
 * anything. line_add copies the text.
 */
#ifndef VPCX_UI_LINE_H
#define VPCX_UI_LINE_H

#include <stddef.h>

#include "vpcx/core/strbuf.h"
#include "vpcx/ui/theme.h"

struct line_span {
    enum theme_role role;
    size_t offset, len; /* bytes in line->text */
    /* Cells this span must take: pad with spaces or cut to fit; 0 = natural width. */
    int width;
    /* Right-align within width (numbers). */
    int align_right;
};

struct ui_line {
    struct strbuf text;
    struct line_span *spans;
    size_t n, alloc;
    /* Role for the padding after the last span (selected rows fill the row). */
    enum theme_role fill;
    int indent; /* tree depth, drawn as guides by the widget */
};

void line_init(struct ui_line *l);
void line_finish(struct ui_line *l);
void line_reset(struct ui_line *l);
void line_add(struct ui_line *l, enum theme_role role, const char *text);
void line_addn(struct ui_line *l, enum theme_role role, const char *text, size_t len);
void line_addf(struct ui_line *l, enum theme_role role, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A span of fixed width (cut or padded), right-aligned when align_right. */
void line_add_fixed(struct ui_line *l, enum theme_role role, const char *text, int width,
                    int align_right);
/* Plain text of the line, for tests and the headless dump (caller frees). */
char *line_plain(const struct ui_line *l);

#endif
