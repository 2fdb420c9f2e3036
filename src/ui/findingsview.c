/*
 * The findings view (! or :check): the check engine's findings grouped by
 * severity, errors first, each row the rule, the resource (ID and Name) and
 * the title; a panel under the rows gives the selected finding's evidence and
 * fix. Enter jumps to the resource in the tree. Findings the config ignores
 * are hidden and counted; i shows them (marked, with the reason). The rows
 * follow the findings as they are recomputed while data lands.
 */
#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"
#include "vpcx/model/check.h"
#include "vpcx/ui/app.h"
#include "vpcx/ui/listwidget.h"
#include "vpcx/ui/views.h"

#include <stdlib.h>
#include <string.h>

#define RULE_W     26 /* the longest rule ID, private-dns-vpc-attributes */
#define ID_W       24 /* subnet-0123456789abcdef0 */
#define NAME_MAX_W 18
#define WIDE_W     110 /* from here the Name is a column */
#define GUTTER     10  /* the panel's labels: "Evidence", "Fix" */

struct frow {
    bool header;
    enum check_severity severity;
    size_t finding; /* report position (finding rows) */
};

struct findingsview {
    struct frow *rows;
    size_t n;
    bool show_ignored;
    int name_w; /* the Name column: the longest name shown, at most NAME_MAX_W */
};

static const char *const headings[] = {"Info", "Warnings", "Errors"};

static struct findingsview *fv(struct view *v)
{
    return v->priv;
}

static const struct check_finding *finding_of(struct view *v, size_t row)
{
    struct findingsview *p = fv(v);
    if (row >= p->n || p->rows[row].header)
        return NULL;
    return &app_check_report(v->app)->v[p->rows[row].finding];
}

static bool type_of(const char *resource_type, enum inv_type *out)
{
    static const struct {
        const char *name;
        enum inv_type type;
    } map[] = {{"VpcEndpoint", INV_ENDPOINT},
               {"Subnet", INV_SUBNET},
               {"Vpc", INV_VPC},
               {"NetworkInterface", INV_ENI},
               {"SecurityGroup", INV_SECURITY_GROUP},
               {"NetworkAcl", INV_NETWORK_ACL},
               {"RouteTable", INV_ROUTE_TABLE}};
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        if (strcmp(map[i].name, resource_type) == 0) {
            *out = map[i].type;
            return true;
        }
    }
    return false;
}

static const char *resource_name(struct view *v, const struct check_finding *f)
{
    enum inv_type type;
    if (!type_of(f->resource_type, &type))
        return NULL;
    const struct inv_resource *r = inventory_find(app_inventory(v->app), type, f->resource_id);
    return r ? r->name : NULL;
}

static void push(struct findingsview *p, struct frow row, size_t *alloc)
{
    if (p->n == *alloc) {
        *alloc = *alloc ? *alloc * 2 : 16;
        p->rows = xreallocarray(p->rows, *alloc, sizeof(*p->rows));
    }
    p->rows[p->n++] = row;
}

/* Rows: per severity, errors first, a heading then its findings in the engine's order. */
static void build(struct view *v)
{
    struct findingsview *p = fv(v);
    const struct check_report *r = app_check_report(v->app);
    size_t alloc = 0;
    free(p->rows);
    p->rows = NULL;
    p->n = 0;
    p->name_w = 0;
    for (int s = CHECK_ERROR; s >= CHECK_INFO; s--) {
        push(p, (struct frow){.header = true, .severity = (enum check_severity)s}, &alloc);
        for (size_t i = 0; i < r->n; i++) {
            const struct check_finding *f = &r->v[i];
            if ((int)f->severity != s || (f->ignored && !p->show_ignored))
                continue;
            push(p, (struct frow){.severity = f->severity, .finding = i}, &alloc);
            const char *name = resource_name(v, f);
            int w = name ? draw_text_width(name, strlen(name), true) : 0;
            if (w > p->name_w)
                p->name_w = w > NAME_MAX_W ? NAME_MAX_W : w;
        }
    }
}

/* The first finding row, so the cursor opens on something Enter can follow. */
static size_t first_finding(struct findingsview *p)
{
    for (size_t i = 0; i < p->n; i++)
        if (!p->rows[i].header)
            return i;
    return 0;
}

static void findings_open(struct view *v, const struct view_args *args)
{
    (void)args;
    build(v);
    v->cursor = first_finding(fv(v));
}

static void findings_close(struct view *v)
{
    free(fv(v)->rows);
}

static size_t findings_rows(struct view *v)
{
    return fv(v)->n;
}

static size_t shown_of(struct findingsview *p, enum check_severity s)
{
    size_t n = 0;
    for (size_t i = 0; i < p->n; i++)
        n += !p->rows[i].header && p->rows[i].severity == s;
    return n;
}

static void draw_heading(struct view *v, enum check_severity s, struct ui_line *l)
{
    size_t n = shown_of(fv(v), s);
    line_add(l, app_severity_role(s), app_severity_glyph(v->app, s));
    line_addf(l, ROLE_TITLE, " %s", headings[s]);
    line_addf(l, ROLE_COUNTER, " (%zu)", n);
    if (n == 0)
        line_add(l, ROLE_DIM, "  none");
}

static void findings_draw_row(struct view *v, size_t row, struct ui_line *l)
{
    struct findingsview *p = fv(v);
    if (row >= p->n)
        return;
    if (p->rows[row].header) {
        draw_heading(v, p->rows[row].severity, l);
        return;
    }
    const struct check_finding *f = finding_of(v, row);
    enum theme_role role = f->ignored ? ROLE_DIM : app_severity_role(f->severity);
    line_add(l, ROLE_NORMAL, "  ");
    line_add(l, role, app_severity_glyph(v->app, f->severity));
    line_add(l, ROLE_NORMAL, " ");
    line_add_fixed(l, f->ignored ? ROLE_DIM : ROLE_LABEL, f->rule_id, RULE_W, 0);
    line_add(l, ROLE_NORMAL, " ");
    line_add_fixed(l, ROLE_ID, f->resource_id, ID_W, 0);
    const char *name = resource_name(v, f);
    line_add(l, ROLE_NORMAL, " ");
    if (p->name_w && v->width >= WIDE_W) {
        line_add_fixed(l, ROLE_NAME, name ? name : "", p->name_w, 0);
        line_add(l, ROLE_NORMAL, " ");
    } else if (name && *name) { /* narrow: no column, so the title keeps some room */
        line_add(l, ROLE_NAME, name);
        line_add(l, ROLE_NORMAL, " ");
    }
    if (f->ignored)
        line_add(l, ROLE_DIM, "(ignored) ");
    line_add(l, f->ignored ? ROLE_DIM : ROLE_VALUE, f->title);
}

static bool findings_resource_at(struct view *v, size_t row, enum inv_type *type, const char **id)
{
    const struct check_finding *f = finding_of(v, row);
    if (!f || !type_of(f->resource_type, type))
        return false;
    *id = f->resource_id;
    return true;
}

/* Keeps the cursor on the same finding (rule and resource) across a rebuild. */
static void rebuild_keep(struct view *v)
{
    const struct check_finding *f = finding_of(v, v->cursor);
    char *rule = f ? xstrdup(f->rule_id) : NULL;
    char *res = f ? xstrdup(f->resource_id) : NULL;
    enum check_severity sev = v->cursor < fv(v)->n ? fv(v)->rows[v->cursor].severity : CHECK_ERROR;
    build(v);
    struct findingsview *p = fv(v);
    size_t at = first_finding(p);
    for (size_t i = 0; i < p->n; i++) {
        const struct check_finding *g = finding_of(v, i);
        if (rule ? g && strcmp(g->rule_id, rule) == 0 && strcmp(g->resource_id, res) == 0
                 : p->rows[i].header && p->rows[i].severity == sev) {
            at = i;
            break;
        }
    }
    free(rule);
    free(res);
    list_set_cursor(v, at);
}

static enum view_result findings_key(struct view *v, enum action a, int key)
{
    (void)key;
    switch (a) {
    case ACT_QUIT:
    case ACT_BACK:
    case ACT_FINDINGS:
        return VIEW_CLOSE;
    case ACT_IGNORED:
        fv(v)->show_ignored = !fv(v)->show_ignored;
        rebuild_keep(v);
        return VIEW_REDRAW;
    case ACT_ENTER:
    case ACT_RIGHT: {
        enum inv_type type;
        const char *id;
        if (!findings_resource_at(v, v->cursor, &type, &id))
            return VIEW_HANDLED;
        app_go_to(v->app, type, id); /* closes this view */
        return VIEW_HANDLED;
    }
    default:
        return VIEW_PASS;
    }
}

static void findings_reload(struct view *v)
{
    rebuild_keep(v);
}

static void findings_title(struct view *v, struct ui_line *l)
{
    const struct checkindex *ix = app_check_index(v->app);
    line_add(l, ROLE_TITLE, "Findings");
    line_addf(l, ROLE_DIM, "  %zu error%s, %zu warning%s, %zu info", ix->count[CHECK_ERROR],
              ix->count[CHECK_ERROR] == 1 ? "" : "s", ix->count[CHECK_WARNING],
              ix->count[CHECK_WARNING] == 1 ? "" : "s", ix->count[CHECK_INFO]);
    if (ix->ignored)
        line_addf(l, ROLE_DIM, ", %zu ignored (i %s)", ix->ignored,
                  fv(v)->show_ignored ? "hides" : "shows");
    line_add(l, ROLE_DIM, "  Enter: go to  q: back");
}

/* ---- the panel: the selected finding in full ---- */

struct panel {
    struct ui_line *lines;
    size_t max, n;
    int width;
};

static struct ui_line *panel_line(struct panel *pn)
{
    return pn->n < pn->max ? &pn->lines[pn->n++] : NULL;
}

/* text in lines of at most the panel's width less indent, split at spaces. */
static void panel_wrap(struct panel *pn, int indent, enum theme_role role, const char *text)
{
    size_t cap = pn->width - indent > 10 ? (size_t)(pn->width - indent) : 10;
    size_t len = strlen(text), at = 0;
    while (at < len) {
        size_t n = len - at;
        if (n > cap) {
            n = cap;
            while (n > 0 && text[at + n] != ' ')
                n--;
            if (n == 0)
                n = cap;
            while (n > 1 && ((unsigned char)text[at + n] & 0xc0) == 0x80)
                n--; /* never split a UTF-8 sequence */
        }
        struct ui_line *l = panel_line(pn);
        if (!l)
            return;
        line_addf(l, ROLE_NORMAL, "%*s", indent, "");
        line_addn(l, role, text + at, n);
        at += n;
        while (at < len && text[at] == ' ')
            at++;
    }
}

/* "  Fix       text..." with the text wrapped under itself. */
static void panel_labelled(struct panel *pn, const char *label, const char *text)
{
    size_t first = pn->n;
    panel_wrap(pn, 2 + GUTTER, ROLE_VALUE, text);
    if (first >= pn->n)
        return;
    /* Put the label over the first line's indent. */
    struct ui_line *l = &pn->lines[first];
    struct ui_line copy;
    line_init(&copy);
    line_add(&copy, ROLE_NORMAL, "  ");
    line_add_fixed(&copy, ROLE_LABEL, label, GUTTER, 0);
    for (size_t i = 1; i < l->n; i++)
        line_addn(&copy, l->spans[i].role, l->text.buf + l->spans[i].offset, l->spans[i].len);
    line_finish(l);
    *l = copy;
}

static void panel_head(struct view *v, struct panel *pn, const struct check_finding *f)
{
    struct ui_line *l = panel_line(pn);
    if (!l)
        return;
    enum theme_role role = app_severity_role(f->severity);
    line_add(l, role, app_severity_glyph(v->app, f->severity));
    line_addf(l, role, " %s", check_severity_name(f->severity));
    line_addf(l, ROLE_LABEL, "  %s  ", f->rule_id);
    line_addf(l, ROLE_DIM, "%s ", f->resource_type);
    line_add(l, ROLE_ID, f->resource_id);
    const char *name = resource_name(v, f);
    if (name) {
        line_add(l, ROLE_NORMAL, " ");
        line_add(l, ROLE_NAME, name);
    }
}

static size_t findings_panel(struct view *v, struct ui_line *lines, size_t max, int width)
{
    struct panel pn = {.lines = lines, .max = max, .width = width};
    const struct check_finding *f = finding_of(v, v->cursor);
    if (!f) {
        const struct check_report *r = app_check_report(v->app);
        panel_wrap(&pn, 0, ROLE_DIM,
                   r->n ? "Select a finding to see its evidence and fix."
                        : "No findings: every check passes on the data loaded.");
        return pn.n;
    }
    panel_head(v, &pn, f);
    panel_wrap(&pn, 2, ROLE_VALUE, f->title);
    if (f->ignored && f->ignore_reason) {
        char *why = xasprintf("Ignored by the config: %s", f->ignore_reason);
        panel_wrap(&pn, 2, ROLE_DIM, why);
        free(why);
    }
    for (size_t i = 0; i < f->n_evidence; i++)
        panel_labelled(&pn, i == 0 ? "Evidence" : "", f->evidence[i]);
    if (f->fix)
        panel_labelled(&pn, "Fix", f->fix);
    return pn.n;
}

const struct view_ops findings_view_ops = {
    .name = "findings",
    .priv_size = sizeof(struct findingsview),
    .open = findings_open,
    .close = findings_close,
    .row_count = findings_rows,
    .draw_row = findings_draw_row,
    .key = findings_key,
    .resource_at = findings_resource_at,
    .reload = findings_reload,
    .title = findings_title,
    .panel = findings_panel,
};
