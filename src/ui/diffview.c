/*
 * The diff view (":diff FILE"): what changed from a snapshot file to the
 * inventory on screen: added, removed and changed resources with their
 * changed fields (model/diff.h's report as text, one row per line). The
 * comparison is redone when a refresh lands, so the view stays current.
 */
#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"
#include "vpcx/model/diff.h"
#include "vpcx/store/snapshot.h"
#include "vpcx/ui/app.h"
#include "vpcx/ui/views.h"

#include <stdlib.h>
#include <string.h>

struct diff_row {
    char *text;
    enum theme_role role;
    int type; /* enum inv_type of the resource on this row, -1 for none */
    char *id; /* the resource, for copy and Enter; NULL for none */
};

struct diffview {
    struct inventory *old; /* the snapshot file; NULL when it could not be read */
    char *error;
    struct diff_row *rows;
    size_t n, alloc;
    size_t count; /* resources added, removed or changed */
};

static struct diffview *priv(struct view *v)
{
    return v->priv;
}

static void rows_clear(struct diffview *d)
{
    for (size_t i = 0; i < d->n; i++) {
        free(d->rows[i].text);
        free(d->rows[i].id);
    }
    d->n = 0;
}

static struct diff_row *row_push(struct diffview *d, const char *text, size_t len,
                                 enum theme_role role)
{
    if (d->n == d->alloc) {
        d->alloc = d->alloc ? d->alloc * 2 : 64;
        d->rows = xrealloc(d->rows, d->alloc * sizeof(*d->rows));
    }
    struct diff_row *r = &d->rows[d->n++];
    r->text = xstrndup(text, len);
    r->role = role;
    r->type = -1;
    r->id = NULL;
    return r;
}

/* "Subnets: 1 added, ..." names the type of the rows below it. */
static int heading_type(const char *line, size_t len)
{
    for (int t = 0; t < INV_TYPE_COUNT; t++) {
        const char *key = inventory_type_list_key((enum inv_type)t);
        size_t k = strlen(key);
        if (len > k && strncmp(line, key, k) == 0 && line[k] == ':')
            return t;
    }
    return -1;
}

static enum theme_role mark_role(char mark)
{
    if (mark == '+')
        return ROLE_DIFF_ADD;
    if (mark == '-')
        return ROLE_DIFF_DEL;
    return ROLE_WARN;
}

/* One line of diff_report_text: a heading, "  + id (name)", or a field line. */
static void add_line(struct diffview *d, const char *line, size_t len, int *type)
{
    if (len > 4 && line[0] == ' ' && line[1] == ' ' && strchr("+-~", line[2]) && line[3] == ' ') {
        struct diff_row *r = row_push(d, line, len, mark_role(line[2]));
        size_t id_len = strcspn(line + 4, " :");
        r->type = *type;
        r->id = *type >= 0 ? xstrndup(line + 4, id_len) : NULL;
        return;
    }
    if (len && line[0] != ' ') {
        *type = heading_type(line, len);
        row_push(d, line, len, *type >= 0 ? ROLE_TITLE : ROLE_OK);
        return;
    }
    row_push(d, line, len, ROLE_VALUE);
}

static void diff_compute(struct view *v)
{
    struct diffview *d = priv(v);
    rows_clear(d);
    if (!d->old) {
        row_push(d, d->error, strlen(d->error), ROLE_ERROR);
        return;
    }
    cJSON *report = diff_inventories(d->old, app_inventory(v->app));
    d->count = diff_report_count(report);
    struct strbuf text;
    strbuf_init(&text, 4096);
    diff_report_text(report, &text);
    cJSON_Delete(report);
    int type = -1;
    const char *p = text.buf;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        add_line(d, p, len, &type);
        p += len + (nl ? 1 : 0);
    }
    strbuf_release(&text);
    if (v->cursor >= d->n)
        v->cursor = d->n ? d->n - 1 : 0;
}

static void diff_open(struct view *v, const struct view_args *args)
{
    struct diffview *d = priv(v);
    const char *path = args && args->id ? args->id : "";
    struct inventory *old = inventory_create();
    struct snapshot_meta meta;
    struct vpcx_error err;
    vpcx_error_init(&err);
    if (snapshot_load_file(path, old, &meta, NULL, &err) == VPCX_OK) {
        d->old = old;
        snapshot_meta_finish(&meta);
    } else {
        inventory_destroy(old);
        d->error = vpcx_error_format(&err);
        app_message(v->app, ROLE_ERROR, "%s", d->error);
    }
    vpcx_error_finish(&err);
    diff_compute(v);
}

static void diff_close(struct view *v)
{
    struct diffview *d = priv(v);
    rows_clear(d);
    free(d->rows);
    free(d->error);
    inventory_destroy(d->old);
}

static size_t diff_rows(struct view *v)
{
    return priv(v)->n;
}

static void diff_draw_row(struct view *v, size_t row, struct ui_line *l)
{
    const struct diff_row *r = &priv(v)->rows[row];
    line_add(l, r->role, r->text);
}

static bool diff_resource_at(struct view *v, size_t row, enum inv_type *type, const char **id)
{
    struct diffview *d = priv(v);
    if (row >= d->n || d->rows[row].type < 0 || !d->rows[row].id)
        return false;
    *type = (enum inv_type)d->rows[row].type;
    *id = d->rows[row].id;
    return true;
}

/* Enter shows the resource in the tree; a removed one exists only in the file. */
static enum view_result diff_follow(struct view *v)
{
    enum inv_type type;
    const char *id;
    if (!diff_resource_at(v, v->cursor, &type, &id))
        return VIEW_HANDLED;
    if (!inventory_find(app_inventory(v->app), type, id)) {
        app_message(v->app, ROLE_WARN, "%s is only in the snapshot file", id);
        return VIEW_REDRAW;
    }
    app_go_to(v->app, type, id); /* closes this view */
    return VIEW_HANDLED;
}

static enum view_result diff_key(struct view *v, enum action a, int key)
{
    (void)key;
    if (a == ACT_QUIT || a == ACT_BACK)
        return VIEW_CLOSE;
    if (a == ACT_ENTER)
        return diff_follow(v);
    return VIEW_PASS;
}

static void diff_title(struct view *v, struct ui_line *l)
{
    struct diffview *d = priv(v);
    line_add(l, ROLE_TITLE, "Diff ");
    line_add(l, ROLE_NAME, v->args_id ? v->args_id : "?");
    line_add(l, ROLE_TITLE, " -> now");
    if (d->old)
        line_addf(l, ROLE_COUNTER, "  %zu resource%s", d->count,
                  d->count == 1 ? " differs" : "s differ");
    line_add(l, ROLE_DIM, "  Enter: show  q/Esc: close");
}

const struct view_ops diff_view_ops = {
    .name = "diff",
    .priv_size = sizeof(struct diffview),
    .open = diff_open,
    .close = diff_close,
    .row_count = diff_rows,
    .draw_row = diff_draw_row,
    .key = diff_key,
    .resource_at = diff_resource_at,
    .reload = diff_compute,
    .title = diff_title,
};
