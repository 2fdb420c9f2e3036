#include "vpcx/ui/draw.h"

#include "vpcx/core/sanitize.h"
#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"

#include <langinfo.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

static const struct ui_glyphs utf8_glyphs = {
    .ellipsis = "\u2026",
    .expanded = "\u25be",
    .collapsed = "\u25b8",
    .leaf = " ",
    .bar_full = "\u2588",
    .bar_endpoint = "\u2593",
    .bar_reserved = "\u2592",
    .bar_free = "\u2591",
    .vline = "\u2502",
    .hline = "\u2500",
    .ok = "\u2713",
    .fail = "\u2717",
    .dot = "\u00b7",
    .arrow = "\u2192",
    .finding = {"\u25cf", "\u25b2", "\u2717"},
};

static const struct ui_glyphs ascii_glyphs = {
    .ellipsis = "~",
    .expanded = "-",
    .collapsed = "+",
    .leaf = " ",
    .bar_full = "#",
    .bar_endpoint = "E",
    .bar_reserved = "r",
    .bar_free = ".",
    .vline = "|",
    .hline = "-",
    .ok = "+",
    .fail = "x",
    .dot = "-",
    .arrow = ">",
    .finding = {"i", "!", "x"},
};

const struct ui_glyphs *draw_glyphs(bool utf8)
{
    return utf8 ? &utf8_glyphs : &ascii_glyphs;
}

bool draw_locale_utf8(void)
{
    const char *cs = nl_langinfo(CODESET);
    return cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

static attr_t theme_attrs(unsigned a)
{
    attr_t r = A_NORMAL;
    if (a & THEME_BOLD)
        r |= A_BOLD;
    if (a & THEME_UNDERLINE)
        r |= A_UNDERLINE;
    if (a & THEME_REVERSE)
        r |= A_REVERSE;
    if (a & THEME_DIM)
        r |= A_DIM;
    return r;
}

void draw_palette_init(struct draw_palette *p, const struct theme *t, int colors, bool utf8)
{
    memset(p, 0, sizeof(*p));
    p->utf8 = utf8;
    p->colors = colors;
    bool pairs = colors > 0 && COLOR_PAIRS > ROLE_COUNT;
    for (int r = 0; r < ROLE_COUNT; r++) {
        const struct theme_style *st = &t->style[r];
        if (!pairs) {
            p->attr[r] = theme_attrs(st->attrs | t->mono_attrs[r]);
            continue;
        }
        short fg = theme_color_for(st->fg, colors);
        short bg = theme_color_for(st->bg, colors);
        attr_t extra = A_NORMAL;
        if (colors < 16 && st->fg >= 8 && st->fg < 16) {
            fg = (short)(st->fg - 8);
            extra = A_BOLD;
        }
        init_pair((short)(r + 1), fg, bg);
        p->attr[r] = COLOR_PAIR(r + 1) | theme_attrs(st->attrs) | extra;
    }
}

/* One cell item: a character, its width and role. */
struct glyph {
    wchar_t ch;
    signed char width;
    unsigned char role;
};

struct glyphs {
    struct glyph *v;
    size_t n, alloc;
    int width;
};

static void glyph_push(struct glyphs *g, wchar_t ch, int width, enum theme_role role)
{
    if (g->n == g->alloc) {
        g->alloc = g->alloc ? g->alloc * 2 : 64;
        g->v = xreallocarray(g->v, g->alloc, sizeof(*g->v));
    }
    g->v[g->n++] = (struct glyph){ch, (signed char)width, (unsigned char)role};
    g->width += width;
}

/* Decodes one UTF-8 sequence; 0 when invalid (the caller shows the byte escaped). */
static size_t utf8_next(const unsigned char *s, size_t len, uint32_t *cp)
{
    unsigned c = s[0];
    size_t n = c < 0x80             ? 1
               : (c & 0xE0) == 0xC0 ? 2
               : (c & 0xF0) == 0xE0 ? 3
               : (c & 0xF8) == 0xF0 ? 4
                                    : 0;
    if (n == 0 || n > len)
        return 0;
    uint32_t v = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (v < min[n] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return n;
}

static void push_ascii(struct glyphs *g, const char *s, size_t len, enum theme_role role)
{
    for (size_t i = 0; i < len; i++)
        glyph_push(g, (wchar_t)(unsigned char)s[i], 1, role);
}

/* Shows the bytes as sanitize would escape them, in the escaped role. */
static void push_escaped(struct glyphs *g, const char *s, size_t len)
{
    struct strbuf sb;
    strbuf_init(&sb, 16);
    sanitize_add(&sb, s, len, SANITIZE_ESCAPE);
    bool ascii = true;
    for (size_t i = 0; i < sb.len; i++)
        ascii &= (unsigned char)sb.buf[i] < 0x80;
    /* Invalid bytes (sanitize's U+FFFD) are more useful shown as \xNN. */
    if (!ascii || (sb.len == len && memcmp(sb.buf, s, len) == 0)) {
        strbuf_reset(&sb);
        for (size_t i = 0; i < len; i++)
            strbuf_addf(&sb, "\\x%02x", (unsigned char)s[i]);
    }
    push_ascii(g, sb.buf, sb.len, ROLE_ESCAPED);
    strbuf_release(&sb);
}

static void push_text(struct glyphs *g, const char *s, size_t len, enum theme_role role, bool utf8)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        uint32_t cp = 0;
        size_t n = utf8_next(p + i, len - i, &cp);
        if (n == 0) {
            push_escaped(g, s + i, 1);
            i++;
            continue;
        }
        if (!sanitize_is_clean(s + i, n, SANITIZE_ESCAPE)) {
            push_escaped(g, s + i, n);
        } else if (cp < 0x80) {
            glyph_push(g, (wchar_t)cp, 1, role);
        } else if (!utf8) {
            glyph_push(g, L'?', 1, ROLE_ESCAPED);
        } else {
            int w = wcwidth((wchar_t)cp);
            if (w < 0)
                push_escaped(g, s + i, n);
            else
                glyph_push(g, (wchar_t)cp, w, role);
        }
        i += n;
    }
}

int draw_text_width(const char *s, size_t len, bool utf8)
{
    struct glyphs g = {0};
    push_text(&g, s, len, ROLE_NORMAL, utf8);
    free(g.v);
    return g.width;
}

static void push_ellipsis(struct glyphs *g, enum theme_role role, bool utf8)
{
    glyph_push(g, utf8 ? (wchar_t)0x2026 : L'~', 1, role);
}

/* Keeps the glyphs that fit in width cells, ending with an ellipsis when cut. */
static void clip(struct glyphs *g, size_t from, int width, bool utf8, enum theme_role role)
{
    int used = 0;
    for (size_t i = from; i < g->n; i++)
        used += g->v[i].width;
    if (used <= width)
        return;
    int room = width > 0 ? width - 1 : 0;
    int w = 0;
    size_t i = from;
    while (i < g->n && w + g->v[i].width <= room)
        w += g->v[i++].width;
    g->n = i;
    g->width -= used - w;
    if (width > 0)
        push_ellipsis(g, role, utf8);
}

static void push_span(struct glyphs *g, const struct ui_line *l, const struct line_span *sp,
                      bool utf8)
{
    size_t start = g->n;
    int before = g->width;
    push_text(g, l->text.buf + sp->offset, sp->len, sp->role, utf8);
    if (sp->width <= 0)
        return;
    clip(g, start, sp->width, utf8, sp->role);
    int have = g->width - before;
    if (have >= sp->width)
        return;
    int pad = sp->width - have;
    if (!sp->align_right) {
        for (int k = 0; k < pad; k++)
            glyph_push(g, L' ', 1, sp->role);
        return;
    }
    size_t n_old = g->n;
    for (int k = 0; k < pad; k++)
        glyph_push(g, L' ', 1, sp->role);
    memmove(g->v + start + pad, g->v + start, (n_old - start) * sizeof(*g->v));
    for (int k = 0; k < pad; k++)
        g->v[start + k] = (struct glyph){L' ', 1, (unsigned char)sp->role};
}

static void build_glyphs(struct glyphs *g, const struct ui_line *l, bool utf8)
{
    for (int k = 0; k < l->indent * 2; k++)
        glyph_push(g, L' ', 1, ROLE_NORMAL);
    for (size_t i = 0; i < l->n; i++)
        push_span(g, l, &l->spans[i], utf8);
}

static attr_t role_attr(const struct draw_palette *p, unsigned role, int override)
{
    if (override < 0)
        return p->attr[role];
    attr_t a = p->attr[override];
    if (role == ROLE_ESCAPED)
        a |= A_UNDERLINE;
    return a;
}

static void put_run(WINDOW *w, int y, int x, const wchar_t *buf, size_t n, attr_t a)
{
    if (n == 0)
        return;
    wattrset(w, (int)a);
    mvwaddnwstr(w, y, x, buf, (int)n);
}

static void emit(WINDOW *w, int y, int x, const struct glyphs *g, const struct draw_palette *p,
                 int override)
{
    wchar_t *buf = xcalloc(g->n + 1, sizeof(*buf));
    size_t n = 0;
    int col = x, run_x = x;
    attr_t cur = 0;
    for (size_t i = 0; i < g->n; i++) {
        attr_t a = role_attr(p, g->v[i].role, override);
        if (n && a != cur && g->v[i].width > 0) {
            put_run(w, y, run_x, buf, n, cur);
            n = 0;
            run_x = col;
        }
        if (n == 0)
            cur = a;
        buf[n++] = g->v[i].ch;
        col += g->v[i].width;
    }
    put_run(w, y, run_x, buf, n, cur);
    free(buf);
}

void draw_line(WINDOW *w, int y, int x, int width, const struct ui_line *l,
               const struct draw_palette *p, int override)
{
    if (width <= 0)
        return;
    struct glyphs g = {0};
    build_glyphs(&g, l, p->utf8);
    enum theme_role fill = override >= 0 ? (enum theme_role) override : l->fill;
    clip(&g, 0, width, p->utf8, g.n ? (enum theme_role)g.v[g.n - 1].role : fill);
    while (g.width < width)
        glyph_push(&g, L' ', 1, fill);
    emit(w, y, x, &g, p, override);
    free(g.v);
    wattrset(w, A_NORMAL);
}

void draw_blank(WINDOW *w, int y, int x, int width, enum theme_role role,
                const struct draw_palette *p)
{
    if (width <= 0)
        return;
    wattrset(w, (int)p->attr[role]);
    mvwhline(w, y, x, ' ', width);
    wattrset(w, A_NORMAL);
}
