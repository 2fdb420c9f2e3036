/*
 * view: every screen of the explorer is a view object (tig's view_ops): a
 * table of named operations filled with designated initialisers at the end of
 * each view's file, and private state sized by the table. Views supply rows
 * as ui_lines; one list widget scrolls, draws only the visible rows and keeps
 * the cursor, so 100,000 rows cost what 50 do.
 */
#ifndef VPCX_UI_VIEW_H
#define VPCX_UI_VIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "vpcx/model/inventory.h"
#include "vpcx/ui/keymap.h"
#include "vpcx/ui/line.h"

struct app;

/* What a view answers to an action (bit flags, htop's HandlerResult). */
enum view_result {
    VIEW_PASS = 0,         /* not mine: the global handler gets it */
    VIEW_HANDLED = 1 << 0, /* done, nothing changed on screen */
    VIEW_REDRAW = 1 << 1,  /* rows changed: redraw */
    VIEW_CLOSE = 1 << 2,   /* pop this view */
};

/* What to show: a resource (detail, policy, matrix of a VPC) or nothing. */
struct view_args {
    enum inv_type type;
    const char *id; /* NULL = the whole inventory */
};

struct view;

struct view_ops {
    const char *name; /* "tree", "detail", "matrix", "policy", "help" */
    size_t priv_size;
    void (*open)(struct view *v, const struct view_args *args);
    void (*close)(struct view *v);
    size_t (*row_count)(struct view *v);
    void (*draw_row)(struct view *v, size_t row, struct ui_line *line);
    enum view_result (*key)(struct view *v, enum action action, int key);
    /* The resource at a row, for the detail pane, copy and links; false when none. */
    bool (*resource_at)(struct view *v, size_t row, enum inv_type *type, const char **id);
    /* The inventory changed (a fetch landed): rebuild rows, keep the cursor on the same ID. */
    void (*reload)(struct view *v);
    /* Narrow rows to those matching text ("" clears); may be NULL. */
    void (*filter)(struct view *v, const char *text);
    void (*title)(struct view *v, struct ui_line *line);
    /* The view marks its cursor row itself (the matrix keeps its cells' colours and
       marks the row label; help has no cursor): the widget does not repaint the row. */
    bool draws_cursor;
    /* A panel under the rows (the selected row in full), drawn by the app; may be NULL.
       Fills up to max of the lines given (initialised), at most width cells each;
       returns how many it used. */
    size_t (*panel)(struct view *v, struct ui_line *lines, size_t max, int width);
};

struct view {
    const struct view_ops *ops;
    struct app *app;
    void *priv;
    size_t cursor; /* selected row */
    size_t top;    /* first visible row */
    int height;    /* rows shown at the last draw (for paging) */
    int width;     /* cells of a row at the last draw (columns dropped when narrow) */
    struct view_args args;
    char *args_id; /* owned copy of args.id */
};

/*
 * Registry: every view's ops table is listed once in include/vpcx/ui/views.def
 * (VIEW(name) for a table named name_view_ops). Adding a view is one file
 * plus one line there (and its module name in src/meson.build's ui layer).
 */
const struct view_ops *view_find(const char *name);
/* Allocates the view and its private state, then calls open. */
struct view *view_create(const struct view_ops *ops, struct app *app, const struct view_args *args);
void view_destroy(struct view *v); /* calls close; NULL is a no-op */
/* The resource at the cursor (false when the view has none there). */
bool view_selection(struct view *v, enum inv_type *type, const char **id);

#endif
