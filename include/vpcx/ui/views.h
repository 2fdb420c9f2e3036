/*
 * views: the ops table of every view, generated from include/vpcx/ui/views.def, and
 * the few calls the app makes into particular views.
 */
#ifndef VPCX_UI_VIEWS_H
#define VPCX_UI_VIEWS_H

#include "vpcx/ui/tree.h"
#include "vpcx/ui/view.h"

#define VIEW(name) extern const struct view_ops name##_view_ops;
#include "vpcx/ui/views.def"
#undef VIEW

/* tree view */
struct tree *treeview_tree(struct view *v);
/* Moves the cursor to a resource; false when it has no place in the tree. */
bool treeview_reveal(struct view *v, enum inv_type type, const char *id);
/* Moves to the next row of a kind (revealing the first such resource if none shows). */
bool treeview_jump_kind(struct view *v, enum tree_kind kind);
/* Applies the filter; returns the number of matching nodes. */
size_t treeview_set_filter(struct view *v, const char *text);
/* Readies the tree for a filter (its index and nodes) as the prompt opens; keeps the cursor. */
void treeview_prepare_filter(struct view *v);

/* detail view */
void detail_show(struct view *v, enum inv_type type, const char *id);
/* What the detail shows; false when nothing. */
bool detail_current(struct view *v, enum inv_type *type, const char **id);

#endif
