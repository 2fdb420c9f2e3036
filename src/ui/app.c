#include "vpcx/ui/app.h"
#include "app_internal.h"

#include "vpcx/aws/http.h"
#include "vpcx/aws/sso.h"
#include "vpcx/core/bgjob.h"
#include "vpcx/core/clock.h"
#include "vpcx/core/sanitize.h"
#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"
#include "vpcx/model/cost.h"
#include "vpcx/store/cache.h"
#include "vpcx/store/snapfile.h"
#include "vpcx/sync/fetch.h"
#include "vpcx/ui/headless.h"
#include "vpcx/ui/listwidget.h"
#include "vpcx/ui/term.h"
#include "vpcx/ui/views.h"

#include <curses.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>
#ifdef __linux__
#include <sys/epoll.h>
#endif

/* ---- small accessors for views ---- */

const struct inventory *app_inventory(struct app *a)
{
    return a->inv;
}

const struct ui_glyphs *app_glyphs(struct app *a)
{
    return a->glyphs;
}

const struct keymap *app_keymap(struct app *a)
{
    return a->keymap;
}

const char *app_scope(struct app *a)
{
    return a->scope;
}

void app_message(struct app *a, enum theme_role role, const char *fmt, ...)
{
    strbuf_reset(&a->message);
    va_list ap;
    va_start(ap, fmt);
    strbuf_vaddf(&a->message, fmt, ap);
    va_end(ap);
    a->message_role = role;
    a->dirty = true;
}

struct mutate_gate *app_gate(struct app *a)
{
    return a->gate;
}

struct inventory *app_inventory_rw(struct app *a)
{
    return a->inv;
}

struct aws_client *app_client(struct app *a)
{
    return a->opts.client;
}

const char *app_region(struct app *a)
{
    return a->opts.region;
}

const struct cost_prices *app_cost_prices(struct app *a)
{
    if (!a->config.prices)
        a->config.prices = cost_prices_create();
    return a->config.prices;
}

bool app_headless(struct app *a)
{
    return a->opts.headless;
}

void app_redraw(struct app *a)
{
    a->dirty = true;
}

void app_refetch(struct app *a, enum inv_type type)
{
    if (a->fetch)
        fetch_start_type(a->fetch, type);
}

struct view *app_focused_view(struct app *a)
{
    if (a->n_stack)
        return a->stack[a->n_stack - 1];
    return a->focus == FOCUS_TREE ? a->tree : a->detail;
}

void app_pop_view(struct app *a)
{
    if (a->n_stack)
        view_destroy(a->stack[--a->n_stack]);
    a->dirty = true;
}

bool app_open_view(struct app *a, const char *name, const struct view_args *args)
{
    const struct view_ops *ops = view_find(name);
    if (!ops)
        return false;
    if (a->n_stack == STACK_MAX)
        app_pop_view(a);
    a->stack[a->n_stack++] = view_create(ops, a, args);
    a->dirty = true;
    return true;
}

/* The detail shows a resource; in a Config scope, asking for what Config lacks first, so
 * the detail says it is loading. */
static void detail_open(struct app *a, enum inv_type type, const char *id)
{
    app_scopes_opened(a, type, id);
    detail_show(a->detail, type, id);
}

/* The detail follows the tree's cursor unless it was pinned to a link. */
void app_sync_detail(struct app *a)
{
    if (a->pinned)
        return;
    enum inv_type type = INV_VPC, cur_type;
    const char *id = NULL, *cur_id;
    bool has = view_selection(a->tree, &type, &id);
    bool cur = detail_current(a->detail, &cur_type, &cur_id);
    if (has == cur && (!has || (type == cur_type && strcmp(id, cur_id) == 0)))
        return;
    char *copy = id ? xstrdup(id) : NULL;
    detail_open(a, type, copy);
    free(copy);
}

static bool keys_pending(struct app *a)
{
    return a->typeahead || term_input_pending(a->term);
}

/* The detail caught up with the tree, once the keys stop or before any other key. */
static void sync_deferred(struct app *a)
{
    if (!a->detail_deferred)
        return;
    a->detail_deferred = false;
    app_sync_detail(a);
    a->dirty = true;
}

bool app_reveal(struct app *a, enum inv_type type, const char *id)
{
    char *copy = xstrdup(id);
    bool ok = treeview_reveal(a->tree, type, copy);
    if (ok) {
        while (a->n_stack)
            app_pop_view(a);
        a->pinned = false;
        app_sync_detail(a);
    }
    free(copy);
    a->dirty = true;
    return ok;
}

void app_show_detail(struct app *a, enum inv_type type, const char *id)
{
    char *copy = xstrdup(id);
    while (a->n_stack)
        app_pop_view(a);
    detail_open(a, type, copy);
    free(copy);
    a->pinned = true;
    a->focus = FOCUS_DETAIL;
    a->dirty = true;
}

bool app_go_to(struct app *a, enum inv_type type, const char *id)
{
    char *copy = xstrdup(id); /* id may belong to a view that closes on the way */
    bool revealed = app_reveal(a, type, copy);
    if (!revealed)
        app_show_detail(a, type, copy);
    free(copy);
    return revealed;
}

/* ---- layout ---- */

static void compute_layout(struct app *a)
{
    struct layout *l = &a->layout;
    memset(l, 0, sizeof(*l));
    int rows = LINES, cols = COLS;
    l->too_small = rows < MIN_ROWS || cols < MIN_COLS;
    if (l->too_small)
        return;
    int body = rows - 2; /* minus header and status */
    l->full_title = (struct rect){1, 0, 1, cols};
    l->full = (struct rect){2, 0, body - 1, cols};
    l->stacked = cols < WIDE_COLS;
    if (!l->stacked) {
        int tw = cols * 11 / 20;
        l->sep_x = tw;
        l->tree_title = (struct rect){1, 0, 1, tw};
        l->tree = (struct rect){2, 0, body - 1, tw};
        l->detail_title = (struct rect){1, tw + 1, 1, cols - tw - 1};
        l->detail = (struct rect){2, tw + 1, body - 1, cols - tw - 1};
        return;
    }
    int th = (body - 2) / 2;
    int dh = body - 2 - th;
    l->tree_title = (struct rect){1, 0, 1, cols};
    l->tree = (struct rect){2, 0, th, cols};
    l->detail_title = (struct rect){2 + th, 0, 1, cols};
    l->detail = (struct rect){3 + th, 0, dh, cols};
}

/* ---- painting ---- */

static void paint_header(struct app *a)
{
    struct ui_line l;
    line_init(&l);
    l.fill = ROLE_HEADER;
    const struct app_options *o = &a->opts;
    line_add(&l, ROLE_HEADER, " vpcx ");
    const char *acct = o->account ? o->account : a->account;
    if (o->scopes)
        line_addf(&l, ROLE_HEADER, " %s", a->scope); /* the scopes' count */
    else
        line_addf(&l, ROLE_HEADER, " account %s  region %s", acct ? acct : "?",
                  o->region ? o->region : "?");
    if (o->profile)
        line_addf(&l, ROLE_HEADER, "  profile %s", o->profile);
    line_addf(&l, ROLE_HEADER, "  %s", mutate_gate_label(a->gate));
    if (o->offline)
        line_add(&l, ROLE_HEADER, "  OFFLINE");
    if (o->source && strcmp(o->source, "aws") != 0)
        line_addf(&l, ROLE_HEADER, "  [%s]", o->source);
    if (o->endpoint)
        line_addf(&l, ROLE_HEADER, "  %s", o->endpoint);
    /* Only a near expiry is news: refreshes normally keep it hours away. */
    time_t exp = o->client ? aws_client_expiration(o->client) : 0;
    time_t now = time(NULL);
    if (exp && exp - now < AWS_REFRESH_ADVISORY_S) {
        char *left = aws_format_time_left(exp, now);
        line_addf(&l, ROLE_WARN, exp > now ? "  credentials expire in %s" : "  credentials %s",
                  left);
        free(left);
    }
    draw_line(stdscr, 0, 0, COLS, &l, &a->palette, -1);
    line_finish(&l);
}

static void fetch_summary(struct app *a, struct ui_line *l)
{
    unsigned done = 0, running = 0, failed = 0, total = 0;
    struct strbuf busy, bad;
    strbuf_init(&busy, 64);
    strbuf_init(&bad, 64);
    for (int s = 0; s < FETCH_SLOTS; s++) {
        const struct fetch_progress *p = fetch_get_progress(a->fetch, s);
        if (p->state == FETCH_IDLE)
            continue;
        total++;
        if (p->state == FETCH_DONE)
            done++;
        if (p->state == FETCH_RUNNING) {
            running++;
            strbuf_addf(&busy, " %s(%u)", fetch_slot_name(s), p->items);
        }
        if (p->state == FETCH_FAILED) {
            failed++;
            strbuf_addf(&bad, " %s: %s", fetch_slot_name(s),
                        p->error.aws_code ? p->error.aws_code : vpcx_status_name(p->error.status));
        }
    }
    if (running)
        line_addf(l, ROLE_STATUS, " fetching %u/%u%s", done, total, busy.buf);
    else if (total)
        line_addf(l, ROLE_STATUS, " fetched %u/%u types", done, total);
    if (failed)
        line_addf(l, ROLE_ERROR, " %u failed:%s", failed, bad.buf);
    strbuf_release(&busy);
    strbuf_release(&bad);
}

/* Short labels, so the age of every type fits on one status line. */
static const char *const type_labels[INV_TYPE_COUNT] = {
    [INV_VPC] = "VPCs",           [INV_SUBNET] = "Subnets",    [INV_AZ] = "AZs",
    [INV_ENDPOINT] = "Endpoints", [INV_SERVICE] = "Services",  [INV_ENI] = "ENIs",
    [INV_SECURITY_GROUP] = "SGs", [INV_NETWORK_ACL] = "NACLs", [INV_ROUTE_TABLE] = "RTs",
    [INV_PREFIX_LIST] = "PLs",    [INV_FLOW_LOG] = "FLs",
};

static const char *slot_label(int slot)
{
    return slot < INV_TYPE_COUNT ? type_labels[slot] : "VPC DNS attributes";
}

static long long type_age(const struct app *a, int t, time_t now)
{
    if (!a->type_time[t])
        return -1;
    return now > a->type_time[t] ? (long long)(now - a->type_time[t]) : 0;
}

static bool type_stale(const struct app *a, int t, time_t now)
{
    long long age = type_age(a, t, now);
    return age < 0 || age > a->max_age;
}

static const char *failure_code(const struct fetch_progress *p)
{
    return p->error.aws_code ? p->error.aws_code : vpcx_status_name(p->error.status);
}

/* The failed slots when they all failed the same way (an outage), else 0. */
static int common_failure(struct app *a, const char **code, time_t *oldest)
{
    int n = 0;
    *code = NULL;
    *oldest = 0;
    for (int s = 0; a->fetch && s < FETCH_SLOTS; s++) {
        const struct fetch_progress *p = fetch_get_progress(a->fetch, s);
        if (p->state != FETCH_FAILED)
            continue;
        if (*code && strcmp(*code, failure_code(p)) != 0)
            return 0;
        *code = failure_code(p);
        if (s < INV_TYPE_COUNT && a->type_time[s] && (!*oldest || a->type_time[s] < *oldest))
            *oldest = a->type_time[s];
        n++;
    }
    return n;
}

static void add_data_age(struct strbuf *sb, time_t when, time_t now)
{
    if (!when)
        return;
    strbuf_addstr(sb, ", showing data from ");
    cache_format_age(sb, when < now ? (long long)(now - when) : 0);
    strbuf_addstr(sb, " ago");
}

/* "ENIs: refresh failed (RequestLimitExceeded), showing data from 2h ago";
 * one line for many types that failed alike. */
static void add_failures(struct app *a, struct ui_line *l, time_t now)
{
    struct strbuf sb;
    strbuf_init(&sb, 128);
    const char *code;
    time_t oldest;
    int alike = common_failure(a, &code, &oldest);
    if (alike > 2) {
        strbuf_addf(&sb, " refresh failed (%s) for %d types", code, alike);
        add_data_age(&sb, oldest, now);
        strbuf_addch(&sb, ';');
        line_add(l, ROLE_ERROR, sb.buf);
    }
    for (int s = 0; alike <= 2 && a->fetch && s < FETCH_SLOTS; s++) {
        const struct fetch_progress *p = fetch_get_progress(a->fetch, s);
        if (p->state != FETCH_FAILED)
            continue;
        strbuf_reset(&sb);
        strbuf_addf(&sb, " %s: refresh failed (%s)", slot_label(s), failure_code(p));
        add_data_age(&sb, s < INV_TYPE_COUNT ? a->type_time[s] : 0, now);
        strbuf_addch(&sb, ';');
        line_add(l, ROLE_ERROR, sb.buf);
    }
    strbuf_release(&sb);
}

/* "Subnets 3m ENIs 2h stale ...", or "all types 3m" when they agree. */
static void add_ages(struct app *a, struct ui_line *l, time_t now)
{
    struct strbuf sb, first;
    strbuf_init(&sb, 16);
    strbuf_init(&first, 16);
    bool same = true;
    for (int t = 0; t < INV_TYPE_COUNT; t++) {
        strbuf_reset(&sb);
        cache_format_age(&sb, type_age(a, t, now));
        if (type_stale(a, t, now))
            strbuf_addstr(&sb, " stale");
        if (t == 0)
            strbuf_addstr(&first, sb.buf);
        same = same && strcmp(first.buf, sb.buf) == 0;
    }
    if (same) {
        line_addf(l, type_stale(a, 0, now) ? ROLE_WARN : ROLE_STATUS, " all types %s", first.buf);
    } else {
        for (int t = 0; t < INV_TYPE_COUNT; t++) {
            strbuf_reset(&sb);
            cache_format_age(&sb, type_age(a, t, now));
            bool stale = type_stale(a, t, now);
            line_addf(l, stale ? ROLE_WARN : ROLE_STATUS, " %s %s%s", type_labels[t], sb.buf,
                      stale ? " stale" : "");
        }
    }
    strbuf_release(&sb);
    strbuf_release(&first);
}

static void status_text(struct app *a, struct ui_line *l)
{
    if (a->message.len) {
        line_addf(l, a->message_role, " %s", a->message.buf);
    } else if (a->opts.scopes) {
        app_scopes_status(a, l);
    } else if (app_cache_loading(a)) {
        app_cache_status(a, l);
    } else if (a->fetch && fetch_running(a->fetch)) {
        fetch_summary(a, l);
    } else if (a->show_ages) {
        time_t now = time(NULL);
        if (a->opts.offline_reason)
            line_addf(l, ROLE_ERROR, " %s;", a->opts.offline_reason);
        add_failures(a, l, now);
        add_ages(a, l, now);
    } else if (a->fetch) {
        fetch_summary(a, l);
    }
}

static void paint_status(struct app *a)
{
    struct ui_line l;
    line_init(&l);
    l.fill = ROLE_STATUS;
    if (a->prompt.active) {
        l.fill = ROLE_NORMAL;
        line_addf(&l, ROLE_PROMPT, "%c", a->prompt.kind);
        line_add(&l, ROLE_NORMAL, a->prompt.text.buf);
        line_add(&l, ROLE_SELECTED, " ");
        if (a->message.len && a->prompt.kind == ':') /* a hint for the command typed */
            line_addf(&l, ROLE_DIM, "   %s", a->message.buf);
        draw_line(stdscr, LINES - 1, 0, COLS, &l, &a->palette, -1);
        line_finish(&l);
        return;
    }
    struct ui_line left;
    line_init(&left);
    status_text(a, &left);
    int hints = (int)strlen(HINTS) + 1;
    int lw = COLS - hints > 0 ? COLS - hints : COLS;
    if ((int)left.text.len >= lw)
        lw = COLS; /* what the status says matters more than the hints */
    left.fill = ROLE_STATUS;
    draw_line(stdscr, LINES - 1, 0, lw, &left, &a->palette, -1);
    if (lw < COLS) {
        line_add(&l, ROLE_STATUS, HINTS " ");
        draw_line(stdscr, LINES - 1, lw, COLS - lw, &l, &a->palette, -1);
    }
    line_finish(&left);
    line_finish(&l);
}

static void paint_title(struct app *a, struct view *v, struct rect r, bool focused)
{
    struct ui_line l;
    line_init(&l);
    l.fill = ROLE_BORDER;
    line_add(&l, ROLE_BORDER, focused ? "\xe2\x96\x8c" : " ");
    if (!a->palette.utf8)
        line_reset(&l), line_add(&l, ROLE_BORDER, focused ? ">" : " ");
    if (v->ops->title)
        v->ops->title(v, &l);
    else
        line_add(&l, ROLE_TITLE, v->ops->name);
    l.fill = ROLE_BORDER;
    draw_line(stdscr, r.y, r.x, r.w, &l, &a->palette, -1);
    line_finish(&l);
}

static void paint_separator(struct app *a)
{
    const struct layout *l = &a->layout;
    if (l->stacked)
        return;
    struct ui_line line;
    line_init(&line);
    line_add(&line, ROLE_BORDER, a->glyphs->vline);
    for (int y = l->tree_title.y; y < l->tree.y + l->tree.h; y++)
        draw_line(stdscr, y, l->sep_x, 1, &line, &a->palette, -1);
    line_finish(&line);
}

static void paint_too_small(struct app *a)
{
    struct ui_line l;
    line_init(&l);
    for (int y = 0; y < LINES; y++) {
        line_reset(&l);
        if (y == LINES / 2)
            line_addf(&l, ROLE_WARN, "terminal too small: %dx%d, need %dx%d", COLS, LINES, MIN_COLS,
                      MIN_ROWS);
        else if (y == LINES / 2 + 1)
            line_add(&l, ROLE_DIM, "enlarge the window, or q to quit");
        draw_line(stdscr, y, 0, COLS, &l, &a->palette, -1);
    }
    line_finish(&l);
}

static void reload_stack(struct app *a)
{
    for (size_t i = 0; i < a->n_stack; i++)
        if (a->stack[i]->ops->reload)
            a->stack[i]->ops->reload(a->stack[i]);
}

/* Findings rerun on their own schedule (findings.c): the views that show them follow. */
static void reload_findings(struct app *a)
{
    if (!app_findings_update(a))
        return;
    a->detail->ops->reload(a->detail);
    reload_stack(a);
    a->dirty = true;
}

/* While pages land, the views are rebuilt at most this often (a page of items can land in
 * many small steps, and a rebuild at 100,000 ENIs costs tens of milliseconds). */
#define LOADING_REFRESH_MS 100

bool app_landing(struct app *a)
{
    return (a->fetch && fetch_running(a->fetch)) || (a->opts.scopes && app_scopes_busy(a)) ||
           app_cache_loading(a);
}

/* Milliseconds until a refresh held back by LOADING_REFRESH_MS is due; -1: none held. */
static long refresh_owed_ms(const struct app *a)
{
    if (!a->refresh_owed)
        return -1;
    long long left = a->refreshed_ms + LOADING_REFRESH_MS - mono_ms();
    return left > 0 ? (long)left : 0;
}

static void refresh_if_changed(struct app *a)
{
    app_scopes_sync(a);
    uint64_t g = inventory_generation(a->inv);
    if (g == a->generation) {
        reload_findings(a);
        return;
    }
    /* Views over the panes (matrix, forms) borrow the records' strings: they follow every
     * change, while the tree, the detail and the findings (which own copies) may wait. */
    bool stack_behind = a->stack_generation != g;
    a->stack_generation = g;
    long long now = mono_ms();
    if (app_landing(a) && now - a->refreshed_ms < LOADING_REFRESH_MS) {
        a->refresh_owed = true;
        if (stack_behind && a->n_stack) {
            reload_stack(a);
            a->dirty = true;
        }
        return;
    }
    a->refresh_owed = false;
    a->refreshed_ms = now;
    a->generation = g;
    app_findings_update(a);
    a->tree->ops->reload(a->tree);
    a->detail->ops->reload(a->detail);
    if (stack_behind)
        reload_stack(a);
    app_sync_detail(a);
    a->dirty = true;
}

/* A view with a panel: its rows above, a rule, then the panel (half the area on a small
   screen, two fifths on a tall one). */
static void paint_with_panel(struct app *a, struct view *v, struct rect r)
{
    int ph = r.h < 30 ? r.h / 2 : r.h * 2 / 5;
    int lh = r.h - ph - 1;
    list_draw(stdscr, v, r.y, r.x, lh, r.w, &a->palette, true);
    struct ui_line rule;
    line_init(&rule);
    for (int x = 0; x < r.w; x++)
        line_add(&rule, ROLE_BORDER, a->glyphs->hline);
    draw_line(stdscr, r.y + lh, r.x, r.w, &rule, &a->palette, -1);
    line_finish(&rule);
    struct ui_line *lines = xcalloc((size_t)ph, sizeof(*lines));
    for (int i = 0; i < ph; i++)
        line_init(&lines[i]);
    size_t n = v->ops->panel(v, lines, (size_t)ph, r.w);
    for (int i = 0; i < ph; i++) {
        if ((size_t)i < n)
            draw_line(stdscr, r.y + lh + 1 + i, r.x, r.w, &lines[i], &a->palette, -1);
        else
            draw_blank(stdscr, r.y + lh + 1 + i, r.x, r.w, ROLE_NORMAL, &a->palette);
        line_finish(&lines[i]);
    }
    free(lines);
}

static void paint_panes(struct app *a)
{
    const struct layout *l = &a->layout;
    if (a->n_stack) {
        struct view *v = a->stack[a->n_stack - 1];
        paint_title(a, v, l->full_title, true);
        if (v->ops->panel)
            paint_with_panel(a, v, l->full);
        else
            list_draw(stdscr, v, l->full.y, l->full.x, l->full.h, l->full.w, &a->palette, true);
        return;
    }
    bool tf = a->focus == FOCUS_TREE;
    paint_title(a, a->tree, l->tree_title, tf);
    list_draw(stdscr, a->tree, l->tree.y, l->tree.x, l->tree.h, l->tree.w, &a->palette, tf);
    paint_title(a, a->detail, l->detail_title, !tf);
    list_draw(stdscr, a->detail, l->detail.y, l->detail.x, l->detail.h, l->detail.w, &a->palette,
              !tf);
    paint_separator(a);
}

void app_paint(struct app *a)
{
    if (a->metrics_changed) {
        a->metrics_changed = false;
        a->detail->ops->reload(a->detail);
        a->dirty = true;
    }
    refresh_if_changed(a);
    app_ip_pending(a);
    if (a->detail_deferred && !keys_pending(a))
        sync_deferred(a);
    if (!a->dirty)
        return;
    compute_layout(a);
    if (a->layout.too_small) {
        paint_too_small(a);
    } else {
        paint_header(a);
        paint_panes(a);
        app_tour_paint(a);
        paint_status(a);
    }
    wnoutrefresh(stdscr);
    doupdate();
    a->dirty = false;
    if (a->pending_copy) {
        term_write_raw(a->term, a->pending_copy, strlen(a->pending_copy));
        free(a->pending_copy);
        a->pending_copy = NULL;
    }
}

/* ---- copy (OSC 52) ---- */

static char *base64(const char *s)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = strlen(s);
    struct strbuf sb;
    strbuf_init(&sb, (n + 2) / 3 * 4 + 1);
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned char)s[i] << 16;
        if (i + 1 < n)
            v |= (unsigned char)s[i + 1] << 8;
        if (i + 2 < n)
            v |= (unsigned char)s[i + 2];
        strbuf_addch(&sb, tab[(v >> 18) & 63]);
        strbuf_addch(&sb, tab[(v >> 12) & 63]);
        strbuf_addch(&sb, i + 1 < n ? tab[(v >> 6) & 63] : '=');
        strbuf_addch(&sb, i + 2 < n ? tab[v & 63] : '=');
    }
    return strbuf_detach(&sb, NULL);
}

static char *extra_text(struct app *a, enum inv_type type, const char *id)
{
    const struct inv_resource *r = inventory_find(a->inv, type, id);
    if (!r)
        return NULL;
    cJSON *item = inventory_item(a->inv, r);
    char *found = NULL;
    if (type == INV_ENDPOINT) {
        const cJSON *e =
            cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(item, "DnsEntries"), 0);
        const cJSON *dns = cJSON_GetObjectItemCaseSensitive(e, "DnsName");
        if (cJSON_IsString(dns))
            found = xstrdup(dns->valuestring);
    }
    static const char *const arn_fields[] = {"SubnetArn", "VpcArn", "Arn"};
    for (size_t i = 0; !found && i < sizeof(arn_fields) / sizeof(arn_fields[0]); i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(item, arn_fields[i]);
        if (cJSON_IsString(v))
            found = xstrdup(v->valuestring);
    }
    cJSON_Delete(item);
    if (found)
        return found;
    static const struct {
        enum inv_type type;
        const char *kind;
    } kinds[] = {{INV_VPC, "vpc"},
                 {INV_SUBNET, "subnet"},
                 {INV_ENI, "network-interface"},
                 {INV_ENDPOINT, "vpc-endpoint"},
                 {INV_SECURITY_GROUP, "security-group"},
                 {INV_ROUTE_TABLE, "route-table"}};
    const char *acct = r->owner_id ? r->owner_id : a->opts.account ? a->opts.account : a->account;
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (kinds[i].type == type && acct && a->opts.region)
            return xasprintf("arn:aws:ec2:%s:%s:%s/%s", a->opts.region, acct, kinds[i].kind, id);
    return NULL;
}

static void copy_selection(struct app *a, bool extra)
{
    enum inv_type type;
    const char *id;
    if (!view_selection(app_focused_view(a), &type, &id)) {
        app_message(a, ROLE_WARN, "nothing to copy here");
        return;
    }
    char *text = extra ? extra_text(a, type, id) : xstrdup(id);
    if (!text) {
        app_message(a, ROLE_WARN, "no ARN or DNS name for %s", id);
        return;
    }
    /* IDs, ARNs and DNS names hold no spaces, quotes or controls: anything that
       does came from a hostile answer and could run when pasted into a shell. */
    if (!sanitize_is_clean(text, strlen(text), 0) || strpbrk(text, " \t'\"`$;|&<>\\")) {
        app_message(a, ROLE_WARN, "not copied: the value holds characters an ID never has");
        free(text);
        return;
    }
    app_clipboard(a, text);
    app_message(a, ROLE_OK, "copied %s (OSC 52)", text);
    free(text);
}

bool app_clipboard(struct app *a, const char *text)
{
    if ((strlen(text) + 2) / 3 * 4 > APP_CLIPBOARD_MAX)
        return false;
    char *b64 = base64(text);
    free(a->pending_copy);
    a->pending_copy = xasprintf("\033]52;c;%s\a", b64);
    free(b64);
    return true;
}

/* ---- global actions ---- */

static void begin_refresh(struct app *a)
{
    a->login_asked = false;
    if (!a->refreshing) {
        a->refreshing = true;
        a->refreshed = 0;
        a->refresh_started = time(NULL);
    }
    fetch_start_all(a->fetch);
}

static void refresh_inventory(struct app *a)
{
    if (a->opts.scopes) {
        app_scopes_refresh(a);
        return;
    }
    if (!a->fetch && app_cache_loading(a) && !a->opts.offline) {
        app_message(a, ROLE_WARN, "the cache is still loading: the refresh starts when it is in");
        return;
    }
    if (!a->fetch && a->opts.offline) {
        app_message(a, ROLE_WARN, "offline: nothing is fetched%s%s",
                    a->opts.offline_reason ? ": " : "",
                    a->opts.offline_reason ? a->opts.offline_reason : "");
        return;
    }
    if (!a->fetch) {
        app_message(a, ROLE_WARN, "nothing to refresh: this is a %s",
                    a->opts.source ? a->opts.source : "saved inventory");
        return;
    }
    begin_refresh(a);
    strbuf_reset(&a->message);
}

void app_refresh(struct app *a)
{
    refresh_inventory(a);
}

static void back(struct app *a, bool quit_at_top)
{
    if (a->n_stack) {
        app_pop_view(a);
    } else if (a->focus == FOCUS_DETAIL) {
        a->focus = FOCUS_TREE;
        a->pinned = false;
        app_sync_detail(a);
    } else if (!quit_at_top && tree_filter(treeview_tree(a->tree))) {
        app_apply_filter(a, NULL);
    } else if (quit_at_top) {
        a->quit = true;
    }
    a->dirty = true;
}

static void global_action(struct app *a, enum action act)
{
    switch (act) {
    case ACT_QUIT:
        back(a, true);
        break;
    case ACT_BACK:
        back(a, false);
        break;
    case ACT_ENTER:
    case ACT_FOCUS:
        if (!a->n_stack)
            a->focus = act == ACT_ENTER || a->focus == FOCUS_TREE ? FOCUS_DETAIL : FOCUS_TREE;
        break;
    case ACT_LEFT:
        if (a->focus == FOCUS_DETAIL && !a->n_stack)
            back(a, false);
        break;
    case ACT_FILTER:
    case ACT_COMMAND:
        app_prompt_start(a, act == ACT_FILTER ? '/' : ':');
        break;
    case ACT_HELP:
        app_open_view(a, "help", NULL);
        break;
    case ACT_REFRESH:
        refresh_inventory(a);
        break;
    case ACT_COPY:
    case ACT_COPY_EXTRA:
        copy_selection(a, act == ACT_COPY_EXTRA);
        break;
    case ACT_MATRIX:
        app_open_named(a, "matrix");
        break;
    case ACT_POLICY:
        app_open_named(a, "policy");
        break;
    case ACT_SAVE:
        app_save_prompt(a);
        break;
    case ACT_CREATE:
        app_open_form(a, "create");
        break;
    case ACT_MODIFY:
        app_open_form(a, "modify");
        break;
    case ACT_DELETE:
        app_open_form(a, "delete");
        break;
    case ACT_REDRAW:
        clearok(curscr, TRUE);
        break;
    case ACT_EXPORT:
        app_export_prompt(a);
        break;
    case ACT_METRICS_RANGE:
        app_metrics_cycle(a);
        break;
    case ACT_FINDINGS:
        app_open_view(a, "findings", NULL);
        break;
    default:
        return;
    }
    a->dirty = true;
}

/* ---- mouse ---- */

static bool in_rect(struct rect r, int y, int x)
{
    return y >= r.y && y < r.y + r.h && x >= r.x && x < r.x + r.w;
}

static void mouse_event(struct app *a)
{
    MEVENT ev;
    if (getmouse(&ev) != OK)
        return;
    const struct layout *l = &a->layout;
    struct view *v = NULL;
    struct rect r = {0, 0, 0, 0};
    if (a->n_stack) {
        v = a->stack[a->n_stack - 1], r = l->full;
    } else if (in_rect(l->tree, ev.y, ev.x)) {
        v = a->tree, r = l->tree, a->focus = FOCUS_TREE;
    } else if (in_rect(l->detail, ev.y, ev.x)) {
        v = a->detail, r = l->detail, a->focus = FOCUS_DETAIL;
    }
    if (!v)
        return;
    if (ev.bstate & (BUTTON4_PRESSED | BUTTON5_PRESSED)) {
        enum action act = ev.bstate & BUTTON4_PRESSED ? ACT_UP : ACT_DOWN;
        for (int i = 0; i < 3; i++)
            list_key(v, act);
    } else if (v->ops->panel && ev.y - r.y >= v->height) {
        return; /* the panel under the rows: nothing to select there */
    } else if (list_click(v, ev.y - r.y) && (ev.bstate & BUTTON1_DOUBLE_CLICKED)) {
        app_handle_key(a, '\n');
    }
    a->dirty = true;
}

/* ---- keys ---- */

static void dispatch(struct app *a, enum action act, int key)
{
    struct view *v = app_focused_view(a);
    /* Space marks an endpoint row; on any other row it expands or collapses. */
    if (act == ACT_MARK && (v != a->tree || !app_mark_selection(a)))
        act = ACT_TOGGLE;
    else if (act == ACT_MARK)
        return;
    enum view_result r = v->ops->key ? v->ops->key(v, act, key) : VIEW_PASS;
    if (r & VIEW_CLOSE) {
        app_pop_view(a);
        return;
    }
    if (r == VIEW_PASS)
        r = list_key(v, act);
    if (r == VIEW_PASS)
        global_action(a, act);
    else
        a->dirty = true;
}

void app_set_typeahead(struct app *a, bool pending)
{
    a->typeahead = pending;
}

/* A row-by-row move in the tree: with keys queued behind it, the detail waits (as in
 * htop and tig, a held j costs the tree's two changed rows, not a new detail each). */
static bool defers_detail(struct app *a, int key)
{
    if (a->n_stack || a->focus != FOCUS_TREE || a->prompt.active || a->tour_step >= 0 ||
        a->explain || key == KEY_MOUSE)
        return false;
    enum action act = keymap_lookup(a->keymap, key);
    return act == ACT_UP || act == ACT_DOWN || act == ACT_PAGE_UP || act == ACT_PAGE_DOWN ||
           act == ACT_HALF_UP || act == ACT_HALF_DOWN || act == ACT_HOME || act == ACT_END;
}

bool app_handle_key(struct app *a, int key)
{
    refresh_if_changed(a);
    bool defer = defers_detail(a, key);
    if (!defer)
        sync_deferred(a);
    if (key == KEY_RESIZE) {
        a->dirty = true;
        return !a->quit;
    }
    if (key != ERR && a->message.len && !a->prompt.active) {
        strbuf_reset(&a->message);
        a->dirty = true;
    }
    compute_layout(a);
    if (a->layout.too_small) {
        enum action act = keymap_lookup(a->keymap, key);
        if (act == ACT_QUIT || key == 3)
            a->quit = true;
        return !a->quit;
    }
    if (a->prompt.active)
        app_prompt_key(a, key);
    else if ((a->tour_step >= 0 || a->explain) && app_tour_key(a, key))
        ; /* the tour's n, p and q; the explain box's close */
    else if (key == KEY_MOUSE)
        mouse_event(a);
    else
        dispatch(a, keymap_lookup(a->keymap, key), key);
    if (!a->n_stack && a->focus == FOCUS_TREE)
        a->pinned = false;
    if (defer && keys_pending(a))
        a->detail_deferred = true;
    else {
        a->detail_deferred = false;
        app_sync_detail(a);
    }
    return !a->quit;
}

/* The scroll position a fresh start at the new size would have: each list as
 * scrolled from the top just enough to show its cursor. */
static void rescroll(struct view *v)
{
    v->top = 0;
}

void app_resize(struct app *a, int rows, int cols)
{
    term_resize(a->term, rows, cols);
    /* Nothing of the old frame survives: what a paint leaves untouched is blank,
       as after a fresh start. */
    werase(stdscr);
    rescroll(a->tree);
    rescroll(a->detail);
    for (size_t i = 0; i < a->n_stack; i++)
        rescroll(a->stack[i]);
    compute_layout(a);
    a->metrics_changed = true; /* the sparklines fit the detail's new width */
    a->dirty = true;
}

uint64_t app_bytes_written(struct app *a)
{
    return term_bytes_written(a->term);
}

/* ---- setup ---- */

/* Once per refresh: a failure only a new sign-in elsewhere can fix opens the
 * sign-in dialog, whose retry reloads the credentials without a restart. */
static void ask_login(struct app *a, const struct vpcx_error *err)
{
    if (a->login_asked || !aws_error_needs_login(err))
        return;
    a->login_asked = true;
    char *text = xasprintf("%s\n%s", err->message ? err->message : "", err->hint);
    const struct view_args args = {.id = text};
    app_open_view(a, "login", &args);
    free(text);
}

static void fetch_event(void *ud, int slot, enum fetch_state state)
{
    struct app *a = ud;
    if (state == FETCH_FAILED)
        ask_login(a, &fetch_get_progress(a->fetch, slot)->error);
    if (state == FETCH_DONE && slot < INV_TYPE_COUNT) {
        /* The slot's own start: a refetch after a mutation is newer than the refresh. */
        a->type_time[slot] = fetch_get_progress(a->fetch, slot)->started;
        a->refreshed |= 1u << (unsigned)slot;
    }
    a->dirty = true;
}

/* A write to hand to on_refresh; refreshes that pile up merge into one. */
static void owe_write(struct app *a, unsigned fetched, time_t started)
{
    if (a->write_owed) {
        a->owed_fetched |= fetched;
        if (started < a->owed_started)
            a->owed_started = started;
        return;
    }
    a->write_owed = true;
    a->owed_fetched = fetched;
    a->owed_started = started;
}

/* Once every call of a refresh is back: owe its result to on_refresh (the cache
 * update), started by job_start_due after the next frame. */
static void check_refresh_end(struct app *a)
{
    if (!a->refreshing || fetch_running(a->fetch) || sts_identity_pending(&a->identity))
        return;
    a->refreshing = false;
    a->dirty = true;
    if (!a->opts.on_refresh || !a->refreshed)
        return;
    owe_write(a, a->refreshed, a->refresh_started);
    a->retry_at = 0; /* new data: try at once, even if the cache was busy a moment ago */
}

/* ---- the cache write, in a child ---- */

#define RETRY_FIRST_MS 5000L
#define RETRY_MAX_MS   (5L * 60 * 1000)
#define JOB_POLL_MS    100L /* how often an unwatched write is checked */

/* In the child: its copy of the app is the state when the write started. */
static enum vpcx_status job_run(void *ud, struct vpcx_error *note)
{
    struct app *a = ud;
    const struct app_refresh r = {
        .inv = a->inv,
        .fetch = a->fetch,
        .fetched = a->job_fetched,
        .started = a->job_started,
        .account = a->opts.account ? a->opts.account : a->account,
        .arn = a->arn                ? a->arn
               : a->opts.loaded_meta ? a->opts.loaded_meta->arn
                                     : NULL,
    };
    return a->opts.on_refresh(a->opts.refresh_ud, &r, note);
}

/* The loop's wait watches the running write's pipe. */
static void job_watch(struct app *a, bool on)
{
#ifdef __linux__
    if (a->wait_fd < 0 || !a->job)
        return;
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = bgjob_fd(a->job)};
    if (!on) {
        /* A failure here is harmless: closing the pipe drops it from the set. */
        (void)epoll_ctl(a->wait_fd, EPOLL_CTL_DEL, bgjob_fd(a->job), &ev);
        a->job_unwatched = false;
        return;
    }
    /* Unwatched, the write's end is found by polling (wait_once shortens its wait). */
    a->job_unwatched = epoll_ctl(a->wait_fd, EPOLL_CTL_ADD, bgjob_fd(a->job), &ev) != 0;
    if (a->job_unwatched)
        app_message(a, ROLE_WARN, "epoll: %s; the cache write is checked by polling",
                    strerror(errno));
#else
    (void)a;
    (void)on;
#endif
}

/* Starts the owed write once it is due and none runs. Called after a frame is
 * drawn, never from a paint: the fork is all the loop pays. */
static void job_start_due(struct app *a)
{
    if (!a->write_owed || a->job || (a->retry_at && mono_ms() < a->retry_at))
        return;
    a->job_fetched = a->owed_fetched;
    a->job_started = a->owed_started;
    a->write_owed = false;
    struct vpcx_error err;
    vpcx_error_init(&err);
    a->job = bgjob_start(job_run, a, &err);
    if (a->job)
        job_watch(a, true);
    else
        app_message(a, ROLE_WARN, "cache not updated: %s", err.message);
    vpcx_error_finish(&err);
}

static void job_report(struct app *a, enum vpcx_status st, const struct vpcx_error *note)
{
    const char *line = note->message ? note->message : vpcx_status_message(st);
    if (st == VPCX_ERR_TIMEOUT) {
        /* Busy: the data is still owed; back off so a stuck lock costs little. */
        owe_write(a, a->job_fetched, a->job_started);
        a->retry_ms = a->retry_ms ? a->retry_ms * 2 : RETRY_FIRST_MS;
        if (a->retry_ms > RETRY_MAX_MS)
            a->retry_ms = RETRY_MAX_MS;
        a->retry_at = mono_ms() + a->retry_ms;
        app_message(a, ROLE_WARN, "%s; trying again in %lds", line, a->retry_ms / 1000);
        return;
    }
    if (st == VPCX_OK)
        a->retry_ms = 0;
    if (st != VPCX_OK || note->message)
        app_message(a, ROLE_WARN, "%s", line);
}

/* Takes the running write's result if it is done (block: waits for it). */
static void job_collect(struct app *a, bool block)
{
    enum vpcx_status st;
    struct vpcx_error note;
    vpcx_error_init(&note);
    if (a->job && bgjob_collect(a->job, block, &st, &note)) {
        job_watch(a, false);
        bgjob_destroy(a->job);
        a->job = NULL;
        job_report(a, st, &note);
    }
    vpcx_error_finish(&note);
}

/* Milliseconds until a skipped write is due again, -1 when none waits. */
static long job_timeout(const struct app *a)
{
    if (!a->write_owed || a->job || !a->retry_at)
        return -1;
    long long left = a->retry_at - mono_ms();
    return left > 0 ? (long)left : 0;
}

/* Each type's time from the cache it was painted from. */
static void init_ages(struct app *a)
{
    const struct snapshot_meta *m = a->opts.cache_meta;
    a->max_age = a->opts.max_age >= 0    ? a->opts.max_age
                 : a->config.max_age_set ? a->config.max_age
                                         : APP_DEFAULT_MAX_AGE;
    a->show_ages = m || a->opts.client;
    for (int t = 0; m && t < INV_TYPE_COUNT; t++) {
        const char *when = snapshot_meta_type_time(m, (enum inv_type)t);
        time_t v;
        if (when && snapshot_parse_time(when, &v))
            a->type_time[t] = v;
    }
}

static void identity_done(void *ud, const struct sts_identity *id, const struct vpcx_error *err)
{
    struct app *a = ud;
    (void)err; /* the scope line keeps "account ?"; the fetch reports credential errors */
    if (id) {
        free(a->arn);
        a->arn = id->arn ? xstrdup(id->arn) : NULL;
        free(a->account);
        a->account = xstrdup(id->account);
        free(a->scope);
        a->scope = xasprintf("account %s %s %s", a->account, a->glyphs->dot,
                             a->opts.region ? a->opts.region : "?");
    }
    a->dirty = true;
}

static void start_network(struct app *a)
{
    if (!a->opts.client)
        return;
    const struct fetch_options fo = {.on_event = fetch_event, .ud = a};
    a->fetch = fetch_create(a->opts.client, a->inv, &fo);
    a->metrics = metrics_cache_create(a->opts.client, app_metrics_changed, a);
    begin_refresh(a);
    if (a->opts.account)
        return;
    sts_identity_start(&a->identity, a->opts.client, identity_done, a);
}

void app_single_stop(struct app *a)
{
    bgjob_destroy(a->job); /* a cache write under way ends first (its lock wait is bounded) */
    a->job = NULL;
    a->write_owed = false;
    a->refreshing = false;
    sts_identity_cancel(&a->identity);
    fetch_destroy(a->fetch); /* cancels its calls in flight */
    a->fetch = NULL;
    metrics_cache_destroy(a->metrics);
    a->metrics = NULL;
    a->opts.client = NULL;
    a->opts.on_refresh = NULL;
    a->opts.cache_meta = NULL;
    a->opts.loaded_meta = NULL;
    a->opts.cache_loader = NULL; /* the rest of the old scope's cache is not wanted */
    a->opts.offline = false;
    a->opts.offline_reason = NULL;
    a->opts.endpoint = NULL; /* the header would name the old scope's endpoint */
    memset(a->type_time, 0, sizeof(a->type_time));
    a->show_ages = false;
    free(a->account);
    a->account = NULL;
    free(a->arn);
    a->arn = NULL;
    mutate_gate_destroy(a->gate);
    a->gate = mutate_gate_create(MUTATE_READ_ONLY, NULL);
    inventory_clear(a->inv); /* nothing of the old scope stays on screen */
    a->dirty = true;
}

static enum vpcx_status load_settings(struct app *a, struct vpcx_error *err)
{
    a->keymap = keymap_create();
    if (!a->opts.no_config) {
        enum vpcx_status st = keymap_load_config(a->keymap, &a->config, err);
        if (st != VPCX_OK)
            return st;
    }
    enum mutate_mode mode = a->opts.write_mode;
    char *reason = a->opts.write_reason ? xstrdup(a->opts.write_reason) : NULL;
    if (mode == MUTATE_READ_ONLY && a->opts.client && a->opts.profile_credentials &&
        ui_config_profile_writes(&a->config, a->opts.profile)) {
        mode = MUTATE_LIVE;
        free(reason);
        reason = xasprintf("profile %s", a->opts.profile ? a->opts.profile : "default");
    }
    a->gate = mutate_gate_create(mode, reason);
    free(reason);
    const char *theme = a->opts.theme ? a->opts.theme : a->config.theme;
    return theme_load(&a->theme, theme, err);
}

static bool want_no_color(const struct app *a)
{
    const char *nc = getenv("NO_COLOR");
    return (nc && *nc) || (a->theme.name && strcmp(a->theme.name, "mono") == 0);
}

struct app *app_create(const struct app_options *opts, struct vpcx_error *err)
{
    struct app *a = xcalloc(1, sizeof(*a));
    a->opts = *opts;
    a->inv = opts->inv;
    a->wait_fd = -1;
    a->tour_step = -1;
    strbuf_init(&a->message, 128);
    strbuf_init(&a->prompt.text, 64);
    if (load_settings(a, err) != VPCX_OK) {
        app_destroy(a);
        return NULL;
    }
    struct term_options to = {
        .headless = opts->headless,
        .rows = opts->rows,
        .cols = opts->cols,
        .mouse = opts->mouse || (a->config.mouse_set && a->config.mouse),
        .no_color = want_no_color(a),
    };
    a->term = term_open(&to, err);
    if (!a->term) {
        app_destroy(a);
        return NULL;
    }
    draw_palette_init(&a->palette, &a->theme, term_colors(a->term), term_utf8(a->term));
    a->glyphs = draw_glyphs(a->palette.utf8);
    a->scope = xasprintf("account %s %s %s", opts->account ? opts->account : "?", a->glyphs->dot,
                         opts->region ? opts->region : "?");
    a->generation = a->stack_generation = inventory_generation(a->inv);
    app_findings_create(a);
    app_findings_update(a);
    a->tree = view_create(&tree_view_ops, a, NULL);
    a->detail = view_create(&detail_view_ops, a, NULL);
    app_sync_detail(a);
    init_ages(a);
    if (opts->start_message)
        app_message(a, ROLE_WARN, "%s", opts->start_message);
    if (!app_cache_loading(a))
        start_network(a);
    app_scopes_init(a);
    if (opts->tour_step > 0)
        app_tour_start(a, opts->tour_step);
    a->dirty = true;
    return a;
}

void app_destroy(struct app *a)
{
    if (!a)
        return;
    while (a->n_stack)
        app_pop_view(a);
    view_destroy(a->tree);
    view_destroy(a->detail);
    app_findings_destroy(a);
    term_close(a->term);
    /* A cache write under way finishes (its lock wait is bounded) before we go. */
    bgjob_destroy(a->job);
    if (a->fetch) {
        struct http_engine *h = aws_client_http(a->opts.client);
        /* Let calls in flight finish before their owner goes; not after a signal,
           which asks to stop now (the caller then never steps the engine again). */
        for (int i = 0; i < 200 && !a->exit_signal && !http_engine_idle(h); i++) {
            bool ready;
            http_engine_step(h, -1, 50, &ready);
        }
        fetch_destroy(a->fetch);
    }
    metrics_cache_destroy(a->metrics);
    sts_identity_cancel(&a->identity);
    mutate_gate_destroy(a->gate);
    keymap_destroy(a->keymap);
    ui_config_finish(&a->config);
    theme_finish(&a->theme);
    strbuf_release(&a->message);
    strbuf_release(&a->prompt.text);
    free(a->prompt.saved_filter);
    free(a->scope);
    free(a->flat_region);
    free(a->flat_profile);
    free(a->account);
    free(a->arn);
    free(a->pending_copy);
    free(a->pending_ip);
    app_marks_clear(a);
    app_scopes_finish(a);
    free(a);
}

/* ---- the loop ---- */

struct waiter {
    int fds[2];
    int epoll_fd; /* both fds behind one, for http_engine_step's single extra fd */
};

static void waiter_init(struct waiter *w, struct app *a)
{
    w->fds[0] = term_input_fd(a->term);
    w->fds[1] = term_signal_fd(a->term);
    w->epoll_fd = -1;
#ifdef __linux__
    w->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    for (int i = 0; i < 2 && w->epoll_fd >= 0; i++) {
        struct epoll_event ev = {.events = EPOLLIN, .data.fd = w->fds[i]};
        if (epoll_ctl(w->epoll_fd, EPOLL_CTL_ADD, w->fds[i], &ev) != 0) {
            /* A set missing the keyboard or the signals would hang the wait: go without. */
            app_message(a, ROLE_WARN, "epoll: %s; keys wait up to 1 s while loading",
                        strerror(errno));
            close(w->epoll_fd);
            w->epoll_fd = -1;
        }
    }
#endif
}

static void waiter_finish(struct waiter *w)
{
    if (w->epoll_fd >= 0)
        close(w->epoll_fd);
}

/* The one blocking wait: network, keyboard, signals and the cache write together. */
static void wait_once(struct app *a, struct waiter *w)
{
    /* Cache still loading: only look at the keys, then load the next slice. */
    long timeout = app_cache_loading(a) ? 0 : job_timeout(a);
    long sim = mutate_gate_timeout_ms(a->gate); /* a simulated change settling */
    if (sim >= 0 && (timeout < 0 || sim < timeout))
        timeout = sim;
    long checks = app_findings_timeout(a);
    if (checks >= 0 && (timeout < 0 || checks < timeout))
        timeout = checks;
    long owed = refresh_owed_ms(a);
    if (owed >= 0 && (timeout < 0 || owed < timeout))
        timeout = owed;
    if (app_scopes_busy(a)) {
        bool ready;
        int fd = w->epoll_fd >= 0 ? w->epoll_fd : w->fds[0];
        if (w->epoll_fd < 0 && (timeout < 0 || timeout > 1000))
            timeout = 1000;
        http_engine_step(app_scopes_http(a), fd, timeout, &ready);
        return;
    }
    if (a->opts.client &&
        ((a->fetch && fetch_running(a->fetch)) || sts_identity_pending(&a->identity) ||
         !http_engine_idle(aws_client_http(a->opts.client)))) {
        bool ready;
        int fd = w->epoll_fd >= 0 ? w->epoll_fd : w->fds[0];
        /* Without epoll a signal or the write's end is noticed at the next key or in a second. */
        if (w->epoll_fd < 0 && (timeout < 0 || timeout > 1000))
            timeout = 1000;
        if (a->job && a->job_unwatched && (timeout < 0 || timeout > JOB_POLL_MS))
            timeout = JOB_POLL_MS;
        http_engine_step(aws_client_http(a->opts.client), fd, timeout, &ready);
        return;
    }
    struct pollfd p[3] = {{.fd = w->fds[0], .events = POLLIN},
                          {.fd = w->fds[1], .events = POLLIN},
                          {.fd = a->job ? bgjob_fd(a->job) : -1, .events = POLLIN}};
    poll(p, 3, (int)timeout);
}

/* Lets simulated changes settle (headless "wait"), sleeping until each is due. */
static bool wait_simulated(struct app *a)
{
    long t;
    while ((t = mutate_gate_timeout_ms(a->gate)) >= 0) {
        if (app_check_signals(a))
            return false;
        if (t > 0)
            poll(NULL, 0, (int)t);
        mutate_gate_run_due(a->gate);
        refresh_if_changed(a);
    }
    return true;
}

/* Headless "wait" over many scopes: until every scope has answered. */
static bool wait_scopes(struct app *a, long max_ms)
{
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    while (app_scopes_busy(a)) {
        bool ready;
        if (app_check_signals(a))
            return false;
        http_engine_step(app_scopes_http(a), term_signal_fd(a->term), 100, &ready);
        refresh_if_changed(a);
        clock_gettime(CLOCK_MONOTONIC, &now);
        long ms = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
        if (ms > max_ms)
            return false;
    }
    refresh_if_changed(a);
    a->dirty = true;
    return true;
}

void app_finish_loading(struct app *a)
{
    if (app_cache_step(a, 0))
        start_network(a);
}

/* One iteration: the step's work (its wait excluded) plus the refresh after it. */
static void wait_note(struct app *a, const struct http_engine *h, double cpu0, double cpu1,
                      double refresh0)
{
    struct app_wait_stats *s = &a->wait_stats;
    struct http_engine_stats hs;
    http_engine_get_stats(h, &hs);
    double busy = hs.last_busy_usec + clock_usec(CLOCK_MONOTONIC) - refresh0;
    double cpu = clock_usec(CLOCK_THREAD_CPUTIME_ID) - cpu0;
    s->steps++;
    s->total_cpu_usec += cpu;
    if (busy > s->max_busy_usec)
        s->max_busy_usec = busy;
    if (hs.last_busy_usec > s->max_step_usec)
        s->max_step_usec = hs.last_busy_usec;
    if (cpu1 - cpu0 > s->max_step_cpu_usec)
        s->max_step_cpu_usec = cpu1 - cpu0;
    if (cpu > s->max_cpu_usec)
        s->max_cpu_usec = cpu;
}

void app_get_wait_stats(const struct app *a, struct app_wait_stats *out)
{
    *out = a->wait_stats;
}

bool app_wait_fetch(struct app *a, long max_ms)
{
    app_finish_loading(a);
    if (a->opts.scopes)
        return wait_scopes(a, max_ms);
    if (!a->opts.client)
        return wait_simulated(a);
    struct http_engine *h = aws_client_http(a->opts.client);
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    a->wait_stats = (struct app_wait_stats){0};
    while (fetch_running(a->fetch) || sts_identity_pending(&a->identity) || !http_engine_idle(h)) {
        bool ready;
        if (app_check_signals(a))
            return false;
        double c0 = clock_usec(CLOCK_THREAD_CPUTIME_ID);
        http_engine_step(h, term_signal_fd(a->term), 100, &ready);
        double r0 = clock_usec(CLOCK_MONOTONIC), c1 = clock_usec(CLOCK_THREAD_CPUTIME_ID);
        refresh_if_changed(a);
        if (a->opts.stats)
            wait_note(a, h, c0, c1, r0);
        clock_gettime(CLOCK_MONOTONIC, &now);
        long ms = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
        if (ms > max_ms)
            return false;
    }
    refresh_if_changed(a);
    a->dirty = true;
    check_refresh_end(a);
    job_start_due(a);
    job_collect(a, true);
    return true;
}

bool app_check_signals(struct app *a)
{
    unsigned sig = term_take_signals(a->term);
    if (sig & TERM_SIG_RESIZE)
        app_resize(a, 0, 0);
    if ((sig & TERM_SIG_QUIT) && !a->exit_signal)
        a->exit_signal = (sig & TERM_SIG_INT) ? SIGINT : (sig & TERM_SIG_TERM) ? SIGTERM : SIGHUP;
    if (sig & TERM_SIG_QUIT)
        a->quit = true;
    return a->exit_signal != 0;
}

int app_exit_code(const struct app *a)
{
    return a->exit_signal ? 128 + a->exit_signal : 0;
}

static void drain_keys(struct app *a)
{
    int ch;
    while (!a->quit && (ch = getch()) != ERR)
        app_handle_key(a, ch);
}

static int run_loop(struct app *a)
{
    struct waiter w;
    waiter_init(&w, a);
    a->wait_fd = w.epoll_fd;
    while (!a->quit) {
        check_refresh_end(a);
        job_collect(a, false);
        app_paint(a);
        job_start_due(a);
        wait_once(a, &w);
        if (app_cache_step(a, APP_CACHE_SLICE_USEC))
            start_network(a);
        if (mutate_gate_run_due(a->gate))
            refresh_if_changed(a);
        app_check_signals(a);
        drain_keys(a);
    }
    job_watch(a, false);
    a->wait_fd = -1;
    waiter_finish(&w);
    return app_exit_code(a);
}

int app_run(const struct app_options *opts, struct vpcx_error *err)
{
    struct app *a = app_create(opts, err);
    if (!a)
        return -1;
    int rc = opts->headless ? headless_run(a, opts, err) : run_loop(a);
    app_destroy(a);
    return rc;
}

void app_dump_screen(struct app *a, FILE *out)
{
    (void)a;
    struct strbuf row;
    strbuf_init(&row, 256);
    for (int y = 0; y < LINES; y++) {
        strbuf_reset(&row);
        for (int x = 0; x < COLS; x++) {
            cchar_t cc;
            wchar_t wc[CCHARW_MAX + 1];
            attr_t attrs;
            short pair;
            if (mvwin_wch(curscr, y, x, &cc) == ERR)
                break;
            getcchar(&cc, wc, &attrs, &pair, NULL);
            int width = wc[0] ? wcwidth(wc[0]) : 1;
            for (size_t k = 0; wc[k]; k++) {
                char mb[MB_LEN_MAX];
                mbstate_t st;
                memset(&st, 0, sizeof(st));
                size_t n = wcrtomb(mb, wc[k], &st);
                if (n != (size_t)-1)
                    strbuf_add(&row, mb, n);
            }
            if (!wc[0])
                strbuf_addch(&row, ' ');
            if (width == 2)
                x++;
        }
        while (row.len && row.buf[row.len - 1] == ' ')
            row.len--;
        row.buf[row.len] = '\0';
        fprintf(out, "%s\n", row.buf);
    }
    strbuf_release(&row);
}
