#include "vpcx/ui/listwidget.h"

#include "vpcx/core/xalloc.h"
#include "vpcx/ui/views.h"

#include <stdlib.h>
#include <string.h>

static const struct view_ops *const registry[] = {
#define VIEW(name) &name##_view_ops,
#include "vpcx/ui/views.def"
#undef VIEW
};

const struct view_ops *view_find(const char *name)
{
    for (size_t i = 0; i < sizeof(registry) / sizeof(registry[0]); i++)
        if (strcmp(registry[i]->name, name) == 0)
            return registry[i];
    return NULL;
}

struct view *view_create(const struct view_ops *ops, struct app *app, const struct view_args *args)
{
    struct view *v = xcalloc(1, sizeof(*v));
    v->ops = ops;
    v->app = app;
    v->priv = ops->priv_size ? xcalloc(1, ops->priv_size) : NULL;
    v->height = 1;
    if (args) {
        v->args = *args;
        v->args_id = args->id ? xstrdup(args->id) : NULL;
        v->args.id = v->args_id;
    }
    if (ops->open)
        ops->open(v, &v->args);
    return v;
}

void view_destroy(struct view *v)
{
    if (!v)
        return;
    if (v->ops->close)
        v->ops->close(v);
    free(v->priv);
    free(v->args_id);
    free(v);
}

bool view_selection(struct view *v, enum inv_type *type, const char **id)
{
    if (!v->ops->resource_at || v->cursor >= v->ops->row_count(v))
        return false;
    return v->ops->resource_at(v, v->cursor, type, id);
}

void list_clamp(struct view *v, int height)
{
    if (height < 1)
        height = 1;
    v->height = height;
    size_t n = v->ops->row_count(v);
    if (n == 0) {
        v->cursor = v->top = 0;
        return;
    }
    if (v->cursor >= n)
        v->cursor = n - 1;
    if (v->top > v->cursor)
        v->top = v->cursor;
    if (v->cursor >= v->top + (size_t)height)
        v->top = v->cursor - (size_t)height + 1;
    /* No empty space below the last row when the list could fill it. */
    if (v->top + (size_t)height > n)
        v->top = n > (size_t)height ? n - (size_t)height : 0;
}

void list_set_cursor(struct view *v, size_t row)
{
    size_t n = v->ops->row_count(v);
    v->cursor = n ? (row < n ? row : n - 1) : 0;
    /* Centre a jump that lands off screen; small moves just scroll. */
    size_t h = (size_t)(v->height > 0 ? v->height : 1);
    if (v->cursor < v->top || v->cursor >= v->top + h)
        v->top = v->cursor > h / 2 ? v->cursor - h / 2 : 0;
    list_clamp(v, v->height);
}

static void move_by(struct view *v, long delta)
{
    size_t n = v->ops->row_count(v);
    if (n == 0)
        return;
    if (delta < 0 && (size_t)-delta > v->cursor)
        v->cursor = 0;
    else if (delta > 0 && v->cursor + (size_t)delta >= n)
        v->cursor = n - 1;
    else
        v->cursor = (size_t)((long)v->cursor + delta);
    if (v->cursor < v->top)
        v->top = v->cursor;
    else if (v->cursor >= v->top + (size_t)v->height)
        v->top = v->cursor - (size_t)v->height + 1;
}

/* C-d and C-u: the cursor and the view move together by half a page, so the cursor
   keeps its place on screen (less, vim); at either end the cursor goes on alone. */
static void half_page(struct view *v, int dir)
{
    size_t n = v->ops->row_count(v), h = (size_t)(v->height > 0 ? v->height : 1);
    size_t half = h / 2 ? h / 2 : 1;
    if (n == 0)
        return;
    size_t max_top = n > h ? n - h : 0;
    if (dir > 0) {
        v->top = v->top + half < max_top ? v->top + half : max_top;
        v->cursor = v->cursor + half < n ? v->cursor + half : n - 1;
    } else {
        v->top = v->top > half ? v->top - half : 0;
        v->cursor = v->cursor > half ? v->cursor - half : 0;
    }
    if (v->cursor < v->top)
        v->cursor = v->top;
    else if (v->cursor >= v->top + h)
        v->cursor = v->top + h - 1;
}

enum view_result list_key(struct view *v, enum action a)
{
    size_t before = v->cursor, top = v->top;
    long page = v->height > 1 ? v->height - 1 : 1;
    switch (a) {
    case ACT_UP:
        move_by(v, -1);
        break;
    case ACT_DOWN:
        move_by(v, 1);
        break;
    case ACT_PAGE_UP:
        move_by(v, -page);
        break;
    case ACT_PAGE_DOWN:
        move_by(v, page);
        break;
    case ACT_HALF_UP:
    case ACT_HALF_DOWN:
        half_page(v, a == ACT_HALF_DOWN ? 1 : -1);
        break;
    case ACT_HOME:
        v->cursor = v->top = 0;
        break;
    case ACT_END: {
        size_t n = v->ops->row_count(v);
        move_by(v, (long)n);
        break;
    }
    default:
        return VIEW_PASS;
    }
    return before == v->cursor && top == v->top ? VIEW_HANDLED : VIEW_REDRAW;
}

bool list_click(struct view *v, int y)
{
    size_t row = v->top + (size_t)(y < 0 ? 0 : y);
    if (y < 0 || row >= v->ops->row_count(v))
        return false;
    v->cursor = row;
    return true;
}

void list_draw(WINDOW *w, struct view *v, int y, int x, int height, int width,
               const struct draw_palette *p, bool focused)
{
    list_clamp(v, height);
    v->width = width;
    size_t n = v->ops->row_count(v);
    struct ui_line line;
    line_init(&line);
    for (int i = 0; i < height; i++) {
        size_t row = v->top + (size_t)i;
        if (row >= n) {
            draw_blank(w, y + i, x, width, ROLE_NORMAL, p);
            continue;
        }
        line_reset(&line);
        v->ops->draw_row(v, row, &line);
        int override = row != v->cursor || v->ops->draws_cursor ? -1
                       : focused                                ? ROLE_SELECTED
                                                                : ROLE_SELECTED_INACTIVE;
        draw_line(w, y + i, x, width, &line, p, override);
    }
    line_finish(&line);
}
