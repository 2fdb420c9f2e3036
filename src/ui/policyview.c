/*
 * The policy view: an endpoint's policy document pretty-printed with JSON
 * colours (policy_tokenize spans), its findings beside it on wide screens
 * (above it on narrow ones), and `d` to toggle a diff against AWS's default
 * full-access policy. Full-screen, so its width is the screen's (COLS).
 *
 * The document is untrusted: policy_pretty escapes controls already, and the
 * raw text of an invalid document is shown line by line through the widget,
 * which sanitises every span.
 */
#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"
#include "vpcx/model/policy.h"
#include "vpcx/ui/app.h"
#include "vpcx/ui/listwidget.h"
#include "vpcx/ui/views.h"

#include <stdlib.h>
#include <string.h>

#define WIDE_COLS   110 /* findings beside the document from here up */
#define SIDE_MAX    56
#define GUTTER      5    /* line numbers */
#define RAW_MAX     4000 /* lines of an invalid document shown */
#define SEPARATOR_W 3    /* " | " between document and findings */

struct lines {
    struct ui_line *v;
    size_t n, alloc;
};

struct policyview {
    const struct inventory *inv;
    char *document; /* copy of the endpoint's PolicyDocument, NULL when none */
    const char *service;
    bool gateway;
    bool diff;
    struct policy_report report;
    struct lines doc;      /* the document (or the diff) */
    struct lines findings; /* wrapped to find_w */
    int find_w;            /* width the findings were wrapped to; 0 = not yet */
    bool utf8;
};

static struct policyview *pv(struct view *v)
{
    return v->priv;
}

static struct ui_line *lines_add(struct lines *ls)
{
    if (ls->n == ls->alloc) {
        ls->alloc = ls->alloc ? ls->alloc * 2 : 32;
        ls->v = xreallocarray(ls->v, ls->alloc, sizeof(*ls->v));
    }
    struct ui_line *l = &ls->v[ls->n++];
    line_init(l);
    return l;
}

static void lines_clear(struct lines *ls)
{
    for (size_t i = 0; i < ls->n; i++)
        line_finish(&ls->v[i]);
    ls->n = 0;
}

static void lines_free(struct lines *ls)
{
    lines_clear(ls);
    free(ls->v);
    ls->v = NULL;
    ls->alloc = 0;
}

/* ---- the document ---- */

static enum theme_role token_role(enum policy_token t)
{
    switch (t) {
    case POLICY_TOKEN_KEY:
        return ROLE_JSON_KEY;
    case POLICY_TOKEN_STRING:
        return ROLE_JSON_STRING;
    case POLICY_TOKEN_NUMBER:
        return ROLE_JSON_NUMBER;
    case POLICY_TOKEN_LITERAL:
        return ROLE_JSON_LITERAL;
    case POLICY_TOKEN_PUNCT:
        return ROLE_JSON_PUNCT;
    default:
        return ROLE_NORMAL;
    }
}

static void gutter(struct ui_line *l, size_t number, char mark)
{
    if (number)
        line_addf(l, ROLE_DIM, "%4zu", number);
    else
        line_add(l, ROLE_DIM, "    ");
    line_addf(l, mark == '+' ? ROLE_DIFF_ADD : mark == '-' ? ROLE_DIFF_DEL : ROLE_DIM, "%c", mark);
}

/*
 * Appends text's lines to doc, coloured by spans. marks (may be NULL) gives
 * each line's diff mark: '+' and '-' lines take the diff roles whole.
 */
static void add_coloured(struct lines *doc, const char *text, const char *marks)
{
    struct policy_span *spans = NULL;
    size_t n_spans = policy_tokenize(text, &spans), s = 0;
    size_t n_marks = marks ? strlen(marks) : 0;
    const char *line = text;
    for (unsigned no = 0; *line || no == 0; no++) {
        const char *end = strchr(line, '\n');
        char mark = no < n_marks ? marks[no] : ' ';
        struct ui_line *l = lines_add(doc);
        gutter(l, marks ? 0 : no + 1, mark);
        size_t at = 0;
        for (; s < n_spans && spans[s].line == no; s++) {
            enum theme_role role = mark == '+'   ? ROLE_DIFF_ADD
                                   : mark == '-' ? ROLE_DIFF_DEL
                                                 : token_role(spans[s].kind);
            if (spans[s].start > at)
                line_addn(l, mark == ' ' ? ROLE_NORMAL : role, line + at, spans[s].start - at);
            line_addn(l, role, line + spans[s].start, spans[s].len);
            at = spans[s].start + spans[s].len;
        }
        if (!end)
            break;
        line = end + 1;
    }
    free(spans);
}

/* An invalid or oversized document: its raw lines, sanitised by the widget. */
static void add_raw(struct lines *doc, const char *text)
{
    const char *line = text;
    for (size_t no = 1; no <= RAW_MAX; no++) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        struct ui_line *l = lines_add(doc);
        gutter(l, no, ' ');
        line_addn(l, ROLE_NORMAL, line, len);
        if (!end)
            return;
        line = end + 1;
    }
    line_add(lines_add(doc), ROLE_DIM, "     ... (cut)");
}

/* The diff without its mark column, and the marks, for add_coloured. */
static void add_diff(struct lines *doc, const char *diff)
{
    struct strbuf body, marks;
    strbuf_init(&body, strlen(diff));
    strbuf_init(&marks, 64);
    const char *line = diff;
    while (*line) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        strbuf_addch(&marks, len ? line[0] : ' ');
        if (len > 1)
            strbuf_add(&body, line + 1, len - 1);
        if (!end)
            break;
        strbuf_addch(&body, '\n');
        line = end + 1;
    }
    if (body.len && body.buf[body.len - 1] == '\n')
        strbuf_setlen(&body, body.len - 1);
    add_coloured(doc, body.buf, marks.buf);
    strbuf_release(&body);
    strbuf_release(&marks);
}

static void build_doc(struct policyview *p)
{
    lines_clear(&p->doc);
    if (!p->document || !p->report.pretty) {
        if (p->document && !p->diff) {
            add_raw(&p->doc, p->document);
            return;
        }
        line_add(lines_add(&p->doc), ROLE_DIM,
                 !p->document ? "This endpoint has no policy document."
                              : "No diff: the document is not valid JSON or is too large.");
        return;
    }
    if (!p->diff) {
        add_coloured(&p->doc, p->report.pretty, NULL);
        return;
    }
    char *diff = policy_diff_full_access(p->document);
    if (diff)
        add_diff(&p->doc, diff);
    else
        line_add(lines_add(&p->doc), ROLE_DIM, "No diff available.");
    free(diff);
}

/* ---- findings ---- */

static enum theme_role severity_role(enum policy_severity s)
{
    return s == POLICY_SEVERITY_CRITICAL ? ROLE_CRITICAL
           : s == POLICY_SEVERITY_WARN   ? ROLE_WARN
                                         : ROLE_VALUE;
}

/* Bytes of s (a word) that fit in width cells, at a character boundary, at least one char. */
static size_t fit_bytes(const char *s, size_t len, int width, bool utf8)
{
    size_t n = len;
    while (n > 1 && draw_text_width(s, n, utf8) > width) {
        n--;
        while (n > 1 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    return n;
}

/* Word-wraps text into lines of at most width cells, each starting with indent spaces. */
static void wrap(struct lines *out, const char *text, enum theme_role role, int width, int indent,
                 bool utf8)
{
    int room = width - indent > 8 ? width - indent : 8;
    struct strbuf cur;
    strbuf_init(&cur, 80);
    const char *s = text;
    while (*s) {
        while (*s == ' ')
            s++;
        size_t wl = strcspn(s, " ");
        if (!wl)
            break;
        size_t take = wl;
        int ww = draw_text_width(s, wl, utf8);
        int cw = draw_text_width(cur.buf, cur.len, utf8);
        if (cur.len && cw + 1 + ww > room) {
            struct ui_line *l = lines_add(out);
            line_addf(l, ROLE_NORMAL, "%*s", indent, "");
            line_add(l, role, cur.buf);
            strbuf_reset(&cur);
        }
        if (ww > room)
            take = fit_bytes(s, wl, room, utf8);
        if (cur.len)
            strbuf_addch(&cur, ' ');
        strbuf_add(&cur, s, take);
        s += take;
    }
    if (cur.len) {
        struct ui_line *l = lines_add(out);
        line_addf(l, ROLE_NORMAL, "%*s", indent, "");
        line_add(l, role, cur.buf);
    }
    strbuf_release(&cur);
}

static void add_finding(struct policyview *p, const struct policy_finding *f, int width)
{
    enum policy_severity sev = policy_finding_severity(f->kind);
    struct ui_line *l = lines_add(&p->findings);
    line_addf(l, severity_role(sev), "%-9s", policy_severity_name(sev));
    line_add(l, ROLE_LABEL, policy_finding_key(f->kind));
    if (f->statement >= 0 || f->detail) {
        struct strbuf sb;
        strbuf_init(&sb, 64);
        if (f->statement >= 0)
            strbuf_addf(&sb, "statement %d%s", f->statement, f->detail ? ": " : "");
        if (f->detail)
            strbuf_addstr(&sb, f->detail);
        wrap(&p->findings, sb.buf, ROLE_VALUE, width, 2, p->utf8);
        strbuf_release(&sb);
    }
    wrap(&p->findings, policy_finding_text(f->kind), ROLE_NORMAL, width, 2, p->utf8);
    lines_add(&p->findings);
}

static void build_findings(struct policyview *p, int width)
{
    lines_clear(&p->findings);
    p->find_w = width;
    struct ui_line *l = lines_add(&p->findings);
    enum policy_severity top = policy_report_severity(&p->report);
    line_addf(l, ROLE_TITLE, "Findings (%zu)", p->report.n);
    if (p->report.n)
        line_addf(l, severity_role(top), "  highest: %s", policy_severity_name(top));
    if (p->report.valid) {
        l = lines_add(&p->findings);
        line_addf(l, ROLE_DIM, "%zu statement%s, full access: ", p->report.statements,
                  p->report.statements == 1 ? "" : "s");
        line_add(l, p->report.full_access ? ROLE_WARN : ROLE_OK,
                 p->report.full_access ? "yes" : "no");
    }
    lines_add(&p->findings);
    for (size_t i = 0; i < p->report.n; i++)
        add_finding(p, &p->report.findings[i], width);
    if (p->report.n == 0)
        line_add(lines_add(&p->findings), ROLE_OK, "nothing to report");
}

/* ---- layout ---- */

static bool wide(void)
{
    return COLS >= WIDE_COLS;
}

static int side_width(void)
{
    int w = COLS * 2 / 5;
    return w < SIDE_MAX ? w : SIDE_MAX;
}

static void ensure_layout(struct view *v)
{
    struct policyview *p = pv(v);
    int w = wide() ? side_width() : COLS;
    if (w != p->find_w)
        build_findings(p, w);
}

static size_t policy_rows(struct view *v)
{
    struct policyview *p = pv(v);
    ensure_layout(v);
    if (wide())
        return p->doc.n > p->findings.n ? p->doc.n : p->findings.n;
    return p->findings.n + 1 + p->doc.n;
}

/* Appends src's spans to dst within width cells (cut with an ellipsis), padded to width. */
static void append_clipped(struct ui_line *dst, const struct ui_line *src, int width, bool utf8)
{
    int used = 0;
    for (size_t i = 0; i < src->n && used < width; i++) {
        const struct line_span *s = &src->spans[i];
        const char *t = src->text.buf + s->offset;
        int w = s->width ? s->width : draw_text_width(t, s->len, utf8);
        if (used + w > width) {
            line_addn(dst, s->role, t, s->len);
            dst->spans[dst->n - 1].width = width - used;
            used = width;
            break;
        }
        line_addn(dst, s->role, t, s->len);
        dst->spans[dst->n - 1].width = s->width;
        used += w;
    }
    if (used < width)
        line_add_fixed(dst, ROLE_NORMAL, "", width - used, 0);
}

static void policy_draw_row(struct view *v, size_t row, struct ui_line *l)
{
    struct policyview *p = pv(v);
    ensure_layout(v);
    static const struct ui_line empty = {0};
    if (wide()) {
        int side = side_width();
        int doc_w = COLS - side - SEPARATOR_W;
        append_clipped(l, row < p->doc.n ? &p->doc.v[row] : &empty, doc_w, p->utf8);
        line_add(l, ROLE_NORMAL, " ");
        line_add(l, ROLE_BORDER, app_glyphs(v->app)->vline);
        line_add(l, ROLE_NORMAL, " ");
        if (row < p->findings.n)
            append_clipped(l, &p->findings.v[row], side, p->utf8);
        return;
    }
    if (row < p->findings.n) {
        append_clipped(l, &p->findings.v[row], COLS, p->utf8);
    } else if (row == p->findings.n) {
        line_add(l, ROLE_TITLE, p->diff ? "Diff against full access" : "Document");
    } else if (row - p->findings.n - 1 < p->doc.n) {
        append_clipped(l, &p->doc.v[row - p->findings.n - 1], COLS, p->utf8);
    }
}

/* ---- the view ---- */

static void load(struct view *v)
{
    struct policyview *p = pv(v);
    free(p->document);
    p->document = NULL;
    policy_report_finish(&p->report);
    const struct inv_resource *e =
        v->args.id ? inventory_find(p->inv, INV_ENDPOINT, v->args.id) : NULL;
    p->service = e ? e->endpoint.service_name : NULL;
    p->gateway = e && e->endpoint.kind == INV_ENDPOINT_GATEWAY;
    p->document = e && e->endpoint.policy ? xstrdup(e->endpoint.policy) : NULL;
    policy_analyze(p->document, &p->report);
    build_doc(p);
    p->find_w = 0;
}

static void policy_open(struct view *v, const struct view_args *args)
{
    (void)args;
    struct policyview *p = pv(v);
    p->inv = app_inventory(v->app);
    p->utf8 = strcmp(app_glyphs(v->app)->dot, "-") != 0;
    load(v);
}

static void policy_close(struct view *v)
{
    struct policyview *p = pv(v);
    free(p->document);
    policy_report_finish(&p->report);
    lines_free(&p->doc);
    lines_free(&p->findings);
}

static bool policy_resource_at(struct view *v, size_t row, enum inv_type *type, const char **id)
{
    (void)row;
    if (!v->args.id)
        return false;
    *type = INV_ENDPOINT;
    *id = v->args.id;
    return true;
}

static enum view_result policy_key(struct view *v, enum action a, int key)
{
    struct policyview *p = pv(v);
    if (a == ACT_POLICY)
        return VIEW_CLOSE;
    if (a == ACT_NONE && key == 'd') {
        p->diff = !p->diff;
        build_doc(p);
        v->cursor = v->top = 0;
        return VIEW_REDRAW;
    }
    if (a == ACT_ENTER || a == ACT_LEFT || a == ACT_RIGHT)
        return VIEW_HANDLED;
    return VIEW_PASS;
}

static void policy_reload(struct view *v)
{
    load(v);
    list_clamp(v, v->height);
}

static void policy_title(struct view *v, struct ui_line *l)
{
    struct policyview *p = pv(v);
    line_add(l, ROLE_TITLE, "Policy ");
    line_add(l, ROLE_ID, v->args.id ? v->args.id : "?");
    if (p->service) {
        line_add(l, ROLE_NORMAL, "  ");
        line_add(l, ROLE_NAME, p->service);
    }
    if (p->gateway)
        line_add(l, ROLE_DIM, " (gateway)");
    line_add(l, ROLE_DIM, p->diff ? "  d: document" : "  d: diff against full access");
}

const struct view_ops policy_view_ops = {
    .name = "policy",
    .priv_size = sizeof(struct policyview),
    .open = policy_open,
    .close = policy_close,
    .row_count = policy_rows,
    .draw_row = policy_draw_row,
    .key = policy_key,
    .resource_at = policy_resource_at,
    .reload = policy_reload,
    .title = policy_title,
};
