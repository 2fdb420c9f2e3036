/*
 * The sign-in dialog: credentials expired and the chain could not renew them
 * because the IAM Identity Center token or the console session needs a new
 * sign-in. It says which command to run elsewhere; r refetches, which reloads
 * the credentials through the chain again (now reading the new token), with
 * no restart. args.id carries "message\nhint".
 */
#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"
#include "vpcx/ui/app.h"
#include "vpcx/ui/views.h"

#include <stdlib.h>
#include <string.h>

#define WRAP_COLS 76

struct login_priv {
    char **rows;
    size_t n;
};

static void add_row(struct login_priv *p, char *text)
{
    p->rows = xreallocarray(p->rows, p->n + 1, sizeof(*p->rows));
    p->rows[p->n++] = text;
}

/* Word-wraps text into rows of at most WRAP_COLS bytes after the indent. */
static void add_wrapped(struct login_priv *p, const char *indent, const char *text)
{
    while (*text) {
        size_t len = strlen(text), take = len;
        if (len > WRAP_COLS) {
            take = WRAP_COLS;
            while (take > 0 && text[take] != ' ')
                take--;
            if (take == 0)
                take = WRAP_COLS;
        }
        add_row(p, xasprintf("%s%.*s", indent, (int)take, text));
        text += take;
        while (*text == ' ')
            text++;
    }
}

static void login_open(struct view *v, const struct view_args *args)
{
    struct login_priv *p = v->priv;
    const char *all = args && args->id ? args->id : "";
    const char *nl = strchr(all, '\n');
    char *message = nl ? xstrndup(all, (size_t)(nl - all)) : xstrdup(all);
    const char *hint = nl ? nl + 1 : "";
    const char *command = strncmp(hint, "run: ", 5) == 0 ? hint + 5 : hint;
    add_row(p, xstrdup("The credentials expired and could not be renewed:"));
    add_wrapped(p, "  ", message);
    add_row(p, xstrdup(""));
    add_row(p, xstrdup("Sign in again from another terminal:"));
    add_wrapped(p, "    ", command);
    add_row(p, xstrdup(""));
    add_row(p, xstrdup("then press r here to retry with the new sign-in (no restart needed)."));
    add_row(p, xstrdup("q or Esc closes this; the explorer keeps the data it has."));
    free(message);
}

static void login_close(struct view *v)
{
    struct login_priv *p = v->priv;
    for (size_t i = 0; i < p->n; i++)
        free(p->rows[i]);
    free(p->rows);
}

static size_t login_rows(struct view *v)
{
    return ((struct login_priv *)v->priv)->n;
}

static void login_draw_row(struct view *v, size_t row, struct ui_line *l)
{
    struct login_priv *p = v->priv;
    bool command = row > 0 && strncmp(p->rows[row], "    ", 4) == 0;
    line_add(l, row == 0 ? ROLE_TITLE : command ? ROLE_ID : ROLE_NORMAL, p->rows[row]);
}

static enum view_result login_key(struct view *v, enum action a, int key)
{
    (void)key;
    if (a == ACT_REFRESH) {
        app_refresh(v->app);
        return VIEW_CLOSE;
    }
    if (a == ACT_QUIT || a == ACT_BACK)
        return VIEW_CLOSE;
    return VIEW_PASS;
}

static void login_title(struct view *v, struct ui_line *l)
{
    (void)v;
    line_add(l, ROLE_WARN, "Sign in again");
    line_add(l, ROLE_DIM, "  r: retry   q or Esc: close");
}

const struct view_ops login_view_ops = {
    .name = "login",
    .priv_size = sizeof(struct login_priv),
    .open = login_open,
    .close = login_close,
    .row_count = login_rows,
    .draw_row = login_draw_row,
    .key = login_key,
    .title = login_title,
};
