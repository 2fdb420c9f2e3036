/*
 * listwidget: the one widget that scrolls a view's rows. It keeps the cursor
 * inside the rows and the window around the cursor, answers the movement
 * actions, and draws only the rows that fit (asking the view for each), so
 * the cost of a frame does not depend on how many rows the view has.
 */
#ifndef VPCX_UI_LISTWIDGET_H
#define VPCX_UI_LISTWIDGET_H

#include <stdbool.h>

#include "vpcx/ui/draw.h"
#include "vpcx/ui/view.h"

/* Keeps cursor and top valid for height visible rows. */
void list_clamp(struct view *v, int height);
/* Moves the cursor to row (clamped) and scrolls it into view. */
void list_set_cursor(struct view *v, size_t row);
/* up, down, page-up/down, first, last; VIEW_PASS for anything else. */
enum view_result list_key(struct view *v, enum action a);
/* Selects the row shown at offset y of the pane; false when there is none. */
bool list_click(struct view *v, int y);
/*
 * Draws the visible rows into (y, x, height, width). focused chooses the
 * cursor role (selected or selected-inactive). Rows past the end are blank.
 */
void list_draw(WINDOW *w, struct view *v, int y, int x, int height, int width,
               const struct draw_palette *p, bool focused);

#endif
