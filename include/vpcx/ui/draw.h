/*
 * draw: the one widget that turns ui_lines into curses cells.
 *
 * Every span is sanitised first (core/sanitize: control characters, escape
 * sequences and bidi overrides are shown as visible escapes in the "escaped"
 * role, never emitted), measured with wcwidth so wide CJK characters keep
 * columns aligned, then clipped to the width with an ellipsis. Fixed-width
 * spans are padded or cut. Outside a UTF-8 locale non-ASCII characters show
 * as '?' and the glyphs fall back to ASCII.
 *
 * The palette maps roles to curses attributes for 256, 16/8 or no colours;
 * build it once after start_color() (draw_palette_init).
 */
#ifndef VPCX_UI_DRAW_H
#define VPCX_UI_DRAW_H

#include <stdbool.h>
#include <stddef.h>

#include <curses.h>

#include "vpcx/ui/line.h"
#include "vpcx/ui/theme.h"

/* Characters that differ between UTF-8 and ASCII terminals. */
struct ui_glyphs {
    const char *ellipsis;
    const char *expanded, *collapsed, *leaf;
    const char *bar_full, *bar_endpoint, *bar_reserved, *bar_free;
    const char *vline, *hline;
    const char *ok, *fail, *dot, *arrow;
    const char *finding[3]; /* a finding's marker by severity: info, warning, error */
};

const struct ui_glyphs *draw_glyphs(bool utf8);
/* True when the current locale encodes UTF-8 (call after setlocale). */
bool draw_locale_utf8(void);

struct draw_palette {
    attr_t attr[ROLE_COUNT];
    bool utf8;
    int colors; /* 0 = none, 8, 16, 256 */
};

/*
 * Sets up colour pairs for the theme (needs start_color() when colors > 0).
 * colors: 0 for none (NO_COLOR or a terminal without colour), else COLORS.
 */
void draw_palette_init(struct draw_palette *p, const struct theme *t, int colors, bool utf8);

/*
 * Draws l at (y, x) over exactly width cells: clipped with an ellipsis or
 * padded with the line's fill role. override >= 0 draws every span in that
 * role (the cursor row), keeping escapes marked.
 */
void draw_line(WINDOW *w, int y, int x, int width, const struct ui_line *l,
               const struct draw_palette *p, int override);
/* Fills a row segment with spaces in role. */
void draw_blank(WINDOW *w, int y, int x, int width, enum theme_role role,
                const struct draw_palette *p);

/* Display width of len bytes of UTF-8 text as draw_line would show it. */
int draw_text_width(const char *s, size_t len, bool utf8);

#endif
