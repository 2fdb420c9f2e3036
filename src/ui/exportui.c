/*
 * Export from the explorer: Space marks endpoints on the tree, x opens the
 * command line with ":export terraform " for the marked endpoints (or the
 * selected endpoint, or the selected VPC's), and :export FORMAT [FILE] writes
 * them to FILE or, without one, to the terminal's clipboard (OSC 52).
 */
#include "app_internal.h"

#include "vpcx/core/xalloc.h"
#include "vpcx/model/export.h"
#include "vpcx/ui/listwidget.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

bool app_is_marked(struct app *a, const char *endpoint_id)
{
    return a->n_marks &&
           bsearch(&endpoint_id, a->marks, a->n_marks, sizeof(*a->marks), cmp_str) != NULL;
}

void app_marks_clear(struct app *a)
{
    for (size_t i = 0; i < a->n_marks; i++)
        free(a->marks[i]);
    free(a->marks);
    a->marks = NULL;
    a->n_marks = 0;
    a->dirty = true;
}

bool app_mark_selection(struct app *a)
{
    enum inv_type type;
    const char *id;
    if (!view_selection(a->tree, &type, &id) || type != INV_ENDPOINT)
        return false;
    char **hit = a->n_marks ? bsearch(&id, a->marks, a->n_marks, sizeof(*a->marks), cmp_str) : NULL;
    if (hit) {
        size_t i = (size_t)(hit - a->marks);
        free(a->marks[i]);
        memmove(a->marks + i, a->marks + i + 1, (a->n_marks - i - 1) * sizeof(*a->marks));
        a->n_marks--;
    } else {
        a->marks = xreallocarray(a->marks, a->n_marks + 1, sizeof(*a->marks));
        a->marks[a->n_marks++] = xstrdup(id);
        qsort(a->marks, a->n_marks, sizeof(*a->marks), cmp_str);
    }
    app_message(a, ROLE_OK, "%zu endpoint%s marked: x exports them, :unmark clears", a->n_marks,
                a->n_marks == 1 ? "" : "s");
    /* The next row, as Space moves on in tig and htop. */
    list_key(a->tree, ACT_DOWN);
    a->dirty = true;
    return true;
}

/* What x exports: the marks, else the selected endpoint, else the selected VPC's. */
static enum vpcx_status export_scope(struct app *a, struct inv_ids *sel, char **what,
                                     struct vpcx_error *err)
{
    const char *const *ids = NULL;
    const char *const *vpcs = NULL;
    size_t n_ids = 0, n_vpcs = 0;
    enum inv_type type;
    const char *id;
    if (a->n_marks) {
        ids = (const char *const *)a->marks;
        n_ids = a->n_marks;
        *what = xasprintf("%zu marked endpoint%s", n_ids, n_ids == 1 ? "" : "s");
    } else if (view_selection(app_focused_view(a), &type, &id) && type == INV_ENDPOINT) {
        ids = &id;
        n_ids = 1;
        *what = xstrdup(id);
    } else if (view_selection(a->tree, &type, &id) && type == INV_VPC) {
        vpcs = &id;
        n_vpcs = 1;
        *what = xasprintf("the endpoints of %s", id);
    } else {
        *what = NULL;
        return vpcx_error_set(err, VPCX_ERR_USAGE,
                              "select an endpoint or a VPC, or mark endpoints with Space");
    }
    enum vpcx_status st = export_select(a->inv, vpcs, n_vpcs, ids, n_ids, sel, err);
    if (st != VPCX_OK) {
        free(*what);
        *what = NULL;
    }
    return st;
}

void app_export_prompt(struct app *a)
{
    struct inv_ids sel;
    char *what = NULL;
    struct vpcx_error err;
    vpcx_error_init(&err);
    if (export_scope(a, &sel, &what, &err) != VPCX_OK) {
        app_message(a, ROLE_WARN, "%s", err.message);
        vpcx_error_finish(&err);
        return;
    }
    free(sel.v);
    app_prompt_start(a, ':');
    strbuf_addstr(&a->prompt.text, "export terraform ");
    app_message(a, ROLE_DIM,
                "export %s (terraform|cloudformation|cfn-import|cli) [FILE]; "
                "no FILE: the clipboard",
                what);
    free(what);
}

static bool write_file(const char *path, const struct strbuf *text, struct vpcx_error *err)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        vpcx_error_set(err, VPCX_ERR_IO, "cannot write %s: %s", path, strerror(errno));
        return false;
    }
    bool ok = fwrite(text->buf, 1, text->len, f) == text->len;
    if (fclose(f) != 0 || !ok) {
        vpcx_error_set(err, VPCX_ERR_IO, "cannot write %s: %s", path, strerror(errno));
        return false;
    }
    return true;
}

void app_export_run(struct app *a, const char *format, const char *file)
{
    enum export_format f = EXPORT_TERRAFORM;
    if (format && !export_format_parse(format, &f)) {
        app_message(a, ROLE_ERROR,
                    "usage: :export [terraform|cloudformation|cfn-import|cli] [FILE]");
        return;
    }
    struct inv_ids sel;
    char *what = NULL;
    struct vpcx_error err;
    vpcx_error_init(&err);
    if (export_scope(a, &sel, &what, &err) != VPCX_OK) {
        app_message(a, ROLE_WARN, "%s", err.message);
        vpcx_error_finish(&err);
        return;
    }
    struct strbuf text;
    strbuf_init(&text, 4096);
    export_write(a->inv, &sel, f, a->opts.region, &text);
    if (file) {
        if (write_file(file, &text, &err))
            app_message(a, ROLE_OK, "exported %s to %s", what, file);
        else
            app_message(a, ROLE_ERROR, "%s", err.message);
    } else if (app_clipboard(a, text.buf)) {
        app_message(a, ROLE_OK, "copied %s as %s (OSC 52, %zu bytes)", what,
                    format ? format : "terraform", text.len);
    } else {
        app_message(a, ROLE_WARN, "%s is %zu bytes, too large for the clipboard: give a file", what,
                    text.len);
    }
    strbuf_release(&text);
    vpcx_error_finish(&err);
    free(sel.v);
    free(what);
}
