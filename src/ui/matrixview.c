/*
 * The endpoint x availability zone matrix view (the data: matrixdata.c). It
 * draws over the full width (the screen's COLS): a label, the monthly cost
 * and one cell per zone. h/l move a cell cursor across the zones (scrolling
 * them when they do not all fit), Space marks a what-if on the cell (an ENI
 * added or removed) and shows what it would change a month, X clears the
 * what-ifs, e hands them to the modify form. The cursor row keeps its cells'
 * colours: only the label and the cursor cell are drawn as selected.
 */
#include "vpcx/ui/matrix.h"

#include "app_internal.h"
#include "vpcx/core/xalloc.h"
#include "vpcx/model/cost.h"
#include "vpcx/ui/app.h"
#include "vpcx/ui/form.h"
#include "vpcx/ui/listwidget.h"
#include "vpcx/ui/shorten.h"
#include "vpcx/ui/views.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HEADER_ROWS      1
#define COST_W           10 /* " $1,234.56" */
#define WHATIF_CLEAR_KEY 'X'

struct matrixview {
    struct matrix m;
    const struct inventory *inv;
    size_t first_col, col; /* first visible column; the cursor's column */
    struct matrix_whatifs whatifs;
    double hourly; /* USD per interface endpoint AZ-hour, when priced */
    bool priced;
    /* Label texts shortened as a set (shorten.h), for the widths they were made for. */
    char **svc, **ids;
    int svc_w, id_w;
    struct strbuf scratch;
};

static struct matrixview *mv(struct view *v)
{
    return v->priv;
}

static void free_labels(struct matrixview *p)
{
    for (size_t i = 0; p->svc && i < p->m.n_rows; i++) {
        free(p->svc[i]);
        free(p->ids[i]);
    }
    free(p->svc);
    free(p->ids);
    p->svc = p->ids = NULL;
    p->svc_w = p->id_w = -1;
}

/* The endpoint rows' service names and IDs, each set shortened to its column. */
static void make_labels(struct view *v, int svc_w, int id_w)
{
    struct matrixview *p = mv(v);
    if (p->svc && p->svc_w == svc_w && p->id_w == id_w)
        return;
    free_labels(p);
    size_t n = p->m.n_rows;
    const char **svc = xcalloc(n + 1, sizeof(*svc)), **ids = xcalloc(n + 1, sizeof(*ids));
    for (size_t i = 0; i < n; i++) {
        const struct matrix_row *r = &p->m.rows[i];
        bool ep = r->kind == MATRIX_ROW_ENDPOINT;
        const char *s = ep ? matrix_service_short(r->service) : NULL;
        svc[i] = ep ? (s ? s : "?") : "";
        ids[i] = ep ? r->id : "";
    }
    p->svc = xcalloc(n + 1, sizeof(*p->svc));
    p->ids = xcalloc(n + 1, sizeof(*p->ids));
    const char *ell = app_glyphs(v->app)->ellipsis;
    shorten_names(svc, n, svc_w, ell, p->svc);
    shorten_names(ids, n, id_w, ell, p->ids);
    p->svc_w = svc_w;
    p->id_w = id_w;
    free(svc);
    free(ids);
}

static void fit_now(struct view *v, struct matrix_fit *fit)
{
    struct matrixview *p = mv(v);
    matrix_fit_columns(p->m.n_cols, COLS, COST_W, matrix_min_cell_width(&p->m), p->first_col, fit);
    /* Keep the cursor's column in view. */
    if (fit->n_visible && p->col < fit->first_col)
        fit->first_col = p->col;
    else if (fit->n_visible && p->col >= fit->first_col + fit->n_visible)
        fit->first_col = p->col - fit->n_visible + 1;
    p->first_col = fit->first_col;
}

static size_t body_rows(const struct matrixview *p)
{
    return p->m.n_rows ? p->m.n_rows : 1;
}

static const struct matrix_row *row_at(struct view *v, size_t row)
{
    struct matrixview *p = mv(v);
    if (row < HEADER_ROWS || row - HEADER_ROWS >= p->m.n_rows)
        return NULL;
    return &p->m.rows[row - HEADER_ROWS];
}

/* ---- money ---- */

static void add_money(struct strbuf *sb, double usd, bool sign)
{
    if (sign && (usd > 0.004 || usd < -0.004))
        strbuf_addch(sb, usd < 0 ? '-' : '+');
    else if (usd < -0.004)
        strbuf_addch(sb, '-');
    strbuf_addf(sb, "$%.2f", usd < 0 ? -usd : usd);
}

static double whatif_monthly(const struct matrixview *p, const char *endpoint_id)
{
    return (double)matrix_whatif_delta(&p->whatifs, endpoint_id) * p->hourly * COST_HOURS_PER_MONTH;
}

/* ---- the legend ---- */

struct legend_item {
    enum theme_role role;
    const char *sample; /* NULL: a line break */
    const char *text;
};

/* Samples made from the glyphs in use. */
struct legend_text {
    char tail[16], bad[16], rm[16];
    struct strbuf price;
};

/* The items; their text lives in t. */
static size_t legend_items(struct view *v, struct legend_item *out, struct legend_text *t)
{
    const struct ui_glyphs *g = app_glyphs(v->app);
    struct matrixview *p = mv(v);
    char *tail = t->tail, *bad = t->bad, *rm = t->rm;
    struct strbuf *price = &t->price;
    snprintf(tail, sizeof(t->tail), "%s %s1.5", g->ok, g->ellipsis);
    snprintf(bad, sizeof(t->bad), "! %s1.5", g->ellipsis);
    snprintf(rm, sizeof(t->rm), "-%s1.5", g->ellipsis);
    strbuf_reset(price);
    if (p->priced)
        strbuf_addf(price, "a month: ENIs x %d h x $%.4g/h (+ per-GB); gateway free",
                    COST_HOURS_PER_MONTH, p->hourly);
    else
        strbuf_addf(price, "a month (no price for %s: 'price REGION interface-hour USD')",
                    app_region(v->app) ? app_region(v->app) : "this region");
    size_t n = 0;
    out[n++] = (struct legend_item){ROLE_CELL_ENI, "10.0.1.5 in-use", "ENI: IP, state"};
    out[n++] = (struct legend_item){ROLE_CELL_ENI, tail,
                                    "ENI, its IP's last octets (no other address here ends so)"};
    out[n++] = (struct legend_item){ROLE_WARN, bad, "ENI not in use"};
    out[n++] = (struct legend_item){ROLE_CELL_ENI, "+1", "more ENIs in the zone"};
    out[n++] = (struct legend_item){ROLE_WARN, "no ENI", "subnet chosen, no ENI yet"};
    out[n++] = (struct legend_item){ROLE_CELL_EMPTY, g->dot, "offered, no ENI"};
    out[n++] = (struct legend_item){ROLE_CELL_NOT_OFFERED, g->fail, "not offered by the service"};
    out[n++] = (struct legend_item){ROLE_DIM, "(blank)", "no subnet of the VPC in the zone"};
    out[n++] = (struct legend_item){ROLE_DIM, "?", "service unknown"};
    out[n++] = (struct legend_item){ROLE_WARN, "!", "before a service: single AZ"};
    out[n++] = (struct legend_item){ROLE_VALUE, "$14.60", price->buf};
    out[n++] = (struct legend_item){ROLE_DIFF_ADD, "+add", "what-if: an ENI added"};
    out[n++] = (struct legend_item){ROLE_DIFF_DEL, rm, "what-if: the ENI removed"};
    out[n++] = (struct legend_item){ROLE_DIFF_ADD, "+$7.30", "what-if change a month"};
    out[n++] = (struct legend_item){ROLE_DIM, NULL, NULL};
    out[n++] = (struct legend_item){ROLE_ID, "Space", "what-if add/remove"};
    out[n++] = (struct legend_item){ROLE_ID, "X", "clear what-ifs"};
    out[n++] = (struct legend_item){ROLE_ID, "e", "modify form with them"};
    out[n++] = (struct legend_item){ROLE_ID, "h/l", "zones"};
    out[n++] = (struct legend_item){ROLE_ID, "Enter", "open"};
    out[n++] = (struct legend_item){ROLE_ID, "p", "policy"};
    return n;
}

#define LEGEND_MAX 24

/* Flows the legend into lines of width; fills l with line `which` (when l); returns the count. */
static size_t legend_flow(struct view *v, int width, size_t which, struct ui_line *l)
{
    struct legend_item items[LEGEND_MAX];
    struct legend_text text;
    strbuf_init(&text.price, 96);
    size_t n = legend_items(v, items, &text);
    bool utf8 = app_glyphs(v->app)->dot[0] != '-';
    size_t line = 0;
    int used = 0;
    for (size_t i = 0; i < n; i++) {
        if (!items[i].sample) {
            line += used > 0;
            used = 0;
            continue;
        }
        int w = draw_text_width(items[i].sample, strlen(items[i].sample), utf8) + 1 +
                (int)strlen(items[i].text);
        if (used > 0 && used + 3 + w > width) {
            line++;
            used = 0;
        }
        if (used == 0) {
            if (l && line == which)
                line_add(l, ROLE_DIM, line ? "        " : "Legend: ");
            used = 8;
        } else {
            if (l && line == which)
                line_add(l, ROLE_DIM, "   ");
            used += 3;
        }
        if (l && line == which) {
            line_add(l, items[i].role, items[i].sample);
            line_addf(l, ROLE_DIM, " %s", items[i].text);
        }
        used += w;
    }
    strbuf_release(&text.price);
    return line + (used > 0);
}

static bool has_summary(const struct matrixview *p)
{
    return p->whatifs.n > 0;
}

static size_t matrix_rows(struct view *v)
{
    struct matrixview *p = mv(v);
    return HEADER_ROWS + body_rows(p) + 1 + has_summary(p) + legend_flow(v, COLS, 0, NULL);
}

static void summary_row(struct view *v, struct ui_line *l)
{
    struct matrixview *p = mv(v);
    long add = 0, rm = 0;
    for (size_t i = 0; i < p->whatifs.n; i++)
        *(p->whatifs.v[i].add ? &add : &rm) += 1;
    line_add(l, ROLE_TITLE, "What-if: ");
    line_addf(l, ROLE_DIFF_ADD, "+%ld AZ", add);
    line_add(l, ROLE_DIM, " ");
    line_addf(l, ROLE_DIFF_DEL, "-%ld AZ", rm);
    struct strbuf *sb = &p->scratch;
    strbuf_reset(sb);
    if (p->priced) {
        add_money(sb, whatif_monthly(p, NULL), true);
        strbuf_addstr(sb, "/mo");
    } else {
        strbuf_addstr(sb, "price unknown");
    }
    line_add(l, ROLE_DIM, "  ");
    line_add(l, whatif_monthly(p, NULL) < 0 ? ROLE_DIFF_DEL : ROLE_DIFF_ADD, sb->buf);
    line_add(l, ROLE_DIM, "  nothing changed; e: modify form, X: clear");
}

/* ---- rows ---- */

static void build(struct view *v)
{
    struct matrixview *p = mv(v);
    free_labels(p);
    matrix_finish(&p->m);
    matrix_build(&p->m, p->inv, v->args.id);
    matrix_whatif_prune(&p->whatifs, &p->m);
    if (p->col >= p->m.n_cols)
        p->col = p->m.n_cols ? p->m.n_cols - 1 : 0;
}

/* First endpoint row, for the initial cursor. */
static size_t first_endpoint_row(const struct matrixview *p)
{
    for (size_t i = 0; i < p->m.n_rows; i++)
        if (p->m.rows[i].kind == MATRIX_ROW_ENDPOINT)
            return HEADER_ROWS + i;
    return HEADER_ROWS;
}

static void matrix_open(struct view *v, const struct view_args *args)
{
    (void)args;
    struct matrixview *p = mv(v);
    p->inv = app_inventory(v->app);
    p->svc_w = p->id_w = -1;
    strbuf_init(&p->scratch, 64);
    p->priced = cost_price(app_cost_prices(v->app), app_region(v->app), COST_INTERFACE_HOUR,
                           &p->hourly, NULL);
    build(v);
    v->cursor = first_endpoint_row(p);
}

static void matrix_close(struct view *v)
{
    struct matrixview *p = mv(v);
    free_labels(p);
    matrix_finish(&p->m);
    matrix_whatifs_clear(&p->whatifs);
    strbuf_release(&p->scratch);
}

/* A span of exactly width cells with text centred (glyphs) or left-aligned. */
static void add_cell(struct ui_line *l, enum theme_role role, const char *text, int width,
                     bool utf8)
{
    int w = draw_text_width(text, strlen(text), utf8);
    int pad = w < width && w <= 2 ? (width - w) / 2 : 0;
    if (pad)
        line_add_fixed(l, ROLE_NORMAL, "", pad, 0);
    line_add_fixed(l, role, text, width - pad, 0);
}

static void add_cells_header(struct view *v, struct ui_line *l, const struct matrix_fit *fit,
                             bool names)
{
    struct matrixview *p = mv(v);
    for (size_t i = 0; i < fit->n_visible; i++) {
        size_t col = fit->first_col + i;
        const struct matrix_col *c = &p->m.cols[col];
        const char *text = names ? (c->zone_name ? c->zone_name : "") : c->zone_id;
        line_add(l, ROLE_NORMAL, " ");
        size_t n = strlen(text), w = (size_t)fit->cell_w;
        if (names && n > w && w > 1) { /* the tail tells zones apart: "...east-1a" */
            struct strbuf *sb = &p->scratch;
            strbuf_reset(sb);
            strbuf_addf(sb, "%s%s", app_glyphs(v->app)->ellipsis, text + n - (w - 1));
            text = sb->buf;
        }
        enum theme_role role = col == p->col ? ROLE_TITLE : names ? ROLE_DIM : ROLE_BORDER;
        line_add_fixed(l, role, text, fit->cell_w, 0);
    }
}

static void header_row(struct view *v, struct ui_line *l, const struct matrix_fit *fit)
{
    struct matrixview *p = mv(v);
    struct strbuf *sb = &p->scratch;
    strbuf_reset(sb);
    const struct inv_resource *vpc =
        v->args.id ? inventory_find(p->inv, INV_VPC, v->args.id) : NULL;
    if (v->args.id)
        strbuf_addf(sb, "%s%s%s", v->args.id, vpc && vpc->name ? " " : "",
                    vpc && vpc->name ? vpc->name : "");
    else
        strbuf_addstr(sb, "all VPCs");
    char *label = xstrdup(sb->buf);
    strbuf_reset(sb);
    if (fit->n_visible < p->m.n_cols)
        strbuf_addf(sb, " %s%zu-%zu/%zu%s", fit->first_col ? "<" : " ", fit->first_col + 1,
                    fit->first_col + fit->n_visible, p->m.n_cols,
                    fit->first_col + fit->n_visible < p->m.n_cols ? ">" : " ");
    int scroll_w = (int)sb->len;
    line_add_fixed(l, ROLE_DIM, label, fit->label_w - scroll_w, 0);
    line_add(l, ROLE_TITLE, sb->buf);
    free(label);
    line_add_fixed(l, ROLE_DIM, "$/month", fit->cost_w, 1);
    add_cells_header(v, l, fit, true);
}

static void endpoint_label(struct view *v, size_t i, bool cursor, struct ui_line *l, int width)
{
    struct matrixview *p = mv(v);
    const struct matrix_row *r = &p->m.rows[i];
    bool warn = r->single_az && !r->gateway;
    int rest = width - 2;
    /* The ID goes when the label is narrow: the service and the cursor's detail say it. */
    int id_w = rest >= 20 ? (rest / 2 < 22 ? rest / 2 : 22) : 0;
    int svc_w = rest - id_w - (id_w ? 1 : 0);
    make_labels(v, svc_w, id_w);
    line_add_fixed(l, cursor ? ROLE_SELECTED : ROLE_WARN, warn ? "!" : "", 2, 0);
    line_add_fixed(l, cursor ? ROLE_SELECTED : warn ? ROLE_WARN : ROLE_NAME, p->svc[i], svc_w, 0);
    if (id_w) {
        line_add(l, cursor ? ROLE_SELECTED : ROLE_NORMAL, " ");
        line_add_fixed(l, cursor ? ROLE_SELECTED : ROLE_ID, p->ids[i], id_w, 0);
    }
}

static void cost_cell(struct view *v, const struct matrix_row *r, struct ui_line *l, int width)
{
    struct matrixview *p = mv(v);
    struct strbuf *sb = &p->scratch;
    strbuf_reset(sb);
    long d = matrix_whatif_delta(&p->whatifs, r->id);
    bool whatif = false;
    for (size_t i = 0; !whatif && i < p->whatifs.n; i++)
        whatif = strcmp(p->whatifs.v[i].endpoint_id, r->id) == 0;
    enum theme_role role = ROLE_VALUE;
    if (whatif && p->priced) {
        add_money(sb, whatif_monthly(p, r->id), true);
        role = d < 0 ? ROLE_DIFF_DEL : ROLE_DIFF_ADD;
    } else if (whatif) {
        strbuf_addf(sb, "%+ld AZ", d);
        role = d < 0 ? ROLE_DIFF_DEL : ROLE_DIFF_ADD;
    } else {
        struct endpoint_cost c;
        cost_endpoint(p->inv, app_cost_prices(v->app), app_region(v->app), r->endpoint, &c);
        if (c.basis == COST_HOURLY)
            add_money(sb, c.monthly, false);
        else
            strbuf_addstr(sb, c.basis == COST_FREE ? "free" : c.basis == COST_UNKNOWN ? "?" : "-");
        role = c.basis == COST_HOURLY ? ROLE_VALUE : ROLE_DIM;
    }
    line_add_fixed(l, role, sb->buf, width, 1);
}

static void gateway_cells(struct view *v, const struct matrix_row *r, struct ui_line *l)
{
    struct strbuf *sb = &mv(v)->scratch;
    strbuf_reset(sb);
    strbuf_addstr(sb, " gateway: route tables");
    for (size_t i = 0; i < r->route_tables.n; i++)
        strbuf_addf(sb, "%s %s", i ? "," : "", r->route_tables.v[i]);
    if (r->route_tables.n == 0)
        strbuf_addstr(sb, " (none)");
    line_add(l, ROLE_DIM, sb->buf);
}

/* The text and role of a cell, with its what-if over it. */
static enum theme_role cell_text(struct view *v, const struct matrix_row *r, size_t col, int width)
{
    struct matrixview *p = mv(v);
    const struct ui_glyphs *g = app_glyphs(v->app);
    const struct matrix_cell *c = &r->cells[col];
    const struct matrix_whatif *w = matrix_whatif_find(&p->whatifs, r->id, p->m.cols[col].zone_id);
    enum theme_role role = matrix_cell_text(c, width, g, &p->scratch);
    if (!w)
        return role;
    struct strbuf *sb = &p->scratch;
    if (w->add) {
        strbuf_reset(sb);
        strbuf_addstr(sb, width >= 10 ? "+add ENI" : "+add");
        return ROLE_DIFF_ADD;
    }
    strbuf_reset(sb);
    if (c->ip && (int)strlen(c->ip) + 1 <= width)
        strbuf_addf(sb, "-%s", c->ip);
    else if (c->tail && c->tail != c->ip)
        strbuf_addf(sb, "-%s%s", g->ellipsis, c->tail + 1);
    else
        strbuf_addf(sb, "-%s", c->ip ? c->ip : "ENI");
    return ROLE_DIFF_DEL;
}

static void endpoint_row(struct view *v, size_t i, bool cursor, struct ui_line *l,
                         const struct matrix_fit *fit)
{
    struct matrixview *p = mv(v);
    const struct matrix_row *r = &p->m.rows[i];
    bool utf8 = strcmp(app_glyphs(v->app)->dot, "-") != 0;
    endpoint_label(v, i, cursor, l, fit->label_w);
    cost_cell(v, r, l, fit->cost_w);
    if (r->gateway) {
        gateway_cells(v, r, l);
        return;
    }
    for (size_t k = 0; k < fit->n_visible; k++) {
        size_t col = fit->first_col + k;
        enum theme_role role = cell_text(v, r, col, fit->cell_w);
        line_add(l, ROLE_NORMAL, " ");
        add_cell(l, cursor && col == p->col ? ROLE_SELECTED : role, p->scratch.buf, fit->cell_w,
                 utf8);
    }
    int used = fit->label_w + fit->cost_w + (int)fit->n_visible * (fit->cell_w + 1);
    if (r->single_az && COLS - used >= 10)
        line_add(l, ROLE_WARN, " single AZ");
}

static void vpc_row(struct view *v, const struct matrix_row *r, bool cursor, struct ui_line *l,
                    const struct matrix_fit *fit)
{
    struct matrixview *p = mv(v);
    struct strbuf *sb = &p->scratch;
    strbuf_reset(sb);
    strbuf_addf(sb, "VPC %s%s%s", r->id, r->name ? " " : "", r->name ? r->name : "");
    line_add_fixed(l, cursor ? ROLE_SELECTED : ROLE_TITLE, sb->buf, fit->label_w, 0);
    /* The VPC's endpoints for a month, what-ifs left out. */
    double sum = 0;
    bool any = false;
    for (size_t i = 0; i < p->m.n_rows; i++) {
        const struct matrix_row *e = &p->m.rows[i];
        if (e->kind != MATRIX_ROW_ENDPOINT || !e->vpc_id || strcmp(e->vpc_id, r->id) != 0)
            continue;
        struct endpoint_cost c;
        cost_endpoint(p->inv, app_cost_prices(v->app), app_region(v->app), e->endpoint, &c);
        sum += c.basis == COST_HOURLY ? c.monthly : 0;
        any |= c.basis == COST_HOURLY;
    }
    strbuf_reset(sb);
    if (any)
        add_money(sb, sum, false);
    line_add_fixed(l, ROLE_VALUE, sb->buf, fit->cost_w, 1);
}

static void matrix_draw_row(struct view *v, size_t row, struct ui_line *l)
{
    struct matrixview *p = mv(v);
    struct matrix_fit fit;
    fit_now(v, &fit);
    size_t body = body_rows(p);
    bool cursor = row == v->cursor;
    if (row < HEADER_ROWS) {
        header_row(v, l, &fit);
    } else if (row < HEADER_ROWS + body && p->m.n_rows == 0) {
        line_add(l, cursor ? ROLE_SELECTED : ROLE_DIM,
                 v->args.id ? "  no endpoints in this VPC" : "  no endpoints");
    } else if (row < HEADER_ROWS + body) {
        const struct matrix_row *r = &p->m.rows[row - HEADER_ROWS];
        if (r->kind == MATRIX_ROW_VPC)
            vpc_row(v, r, cursor, l, &fit);
        else
            endpoint_row(v, row - HEADER_ROWS, cursor, l, &fit);
    } else if (row == HEADER_ROWS + body + 1 && has_summary(p)) {
        summary_row(v, l);
    } else if (row > HEADER_ROWS + body) {
        legend_flow(v, COLS, row - HEADER_ROWS - body - 1 - has_summary(p), l);
    }
}

static bool matrix_resource_at(struct view *v, size_t row, enum inv_type *type, const char **id)
{
    const struct matrix_row *r = row_at(v, row);
    if (!r)
        return false;
    *type = r->kind == MATRIX_ROW_VPC ? INV_VPC : INV_ENDPOINT;
    *id = r->id;
    return true;
}

/* ---- keys ---- */

static enum view_result move_col(struct view *v, bool right)
{
    struct matrixview *p = mv(v);
    size_t before = p->col;
    if (right && p->col + 1 < p->m.n_cols)
        p->col++;
    else if (!right && p->col > 0)
        p->col--;
    return before == p->col ? VIEW_HANDLED : VIEW_REDRAW;
}

static enum view_result select_row(struct view *v)
{
    enum inv_type type;
    const char *id;
    if (!matrix_resource_at(v, v->cursor, &type, &id))
        return VIEW_HANDLED;
    app_go_to(v->app, type, id); /* pops this view */
    return VIEW_REDRAW;
}

static void toggle_message(struct view *v, const struct matrix_row *r, size_t col,
                           enum matrix_toggle t)
{
    struct matrixview *p = mv(v);
    const struct matrix_col *c = col < p->m.n_cols ? &p->m.cols[col] : NULL;
    const char *zone = !c ? "" : c->zone_name ? c->zone_name : c->zone_id;
    const char *svc = r->service ? matrix_service_short(r->service) : r->id;
    struct strbuf sb;
    strbuf_init(&sb, 64);
    if (p->priced) {
        add_money(&sb, whatif_monthly(p, NULL), true);
        strbuf_addstr(&sb, "/mo in all");
    } else {
        strbuf_addf(&sb, "%+ld AZ in all, price unknown", matrix_whatif_delta(&p->whatifs, NULL));
    }
    switch (t) {
    case MATRIX_TOGGLE_ADDED:
    case MATRIX_TOGGLE_REMOVED:
    case MATRIX_TOGGLE_CLEARED:
        app_message(v->app, ROLE_OK, "what-if: %s %s %s: %s (nothing is changed)", svc,
                    t == MATRIX_TOGGLE_ADDED     ? "+ENI in"
                    : t == MATRIX_TOGGLE_REMOVED ? "-ENI in"
                                                 : "as is in",
                    zone, sb.buf);
        break;
    case MATRIX_TOGGLE_NO_CELL:
        app_message(v->app, ROLE_WARN, "what-if: choose a zone cell of an interface endpoint");
        break;
    case MATRIX_TOGGLE_GWLB:
        app_message(v->app, ROLE_WARN, "a Gateway Load Balancer endpoint has exactly one subnet");
        break;
    case MATRIX_TOGGLE_NO_SUBNET:
        app_message(v->app, ROLE_WARN, "the VPC has no subnet in %s", zone);
        break;
    case MATRIX_TOGGLE_NOT_OFFERED:
        app_message(v->app, ROLE_WARN, "%s is not offered in %s", svc, zone);
        break;
    case MATRIX_TOGGLE_PENDING:
        app_message(v->app, ROLE_WARN, "%s already has a subnet in %s (its ENI is not seen yet)",
                    svc, zone);
        break;
    }
    strbuf_release(&sb);
}

static enum view_result toggle_cell(struct view *v)
{
    struct matrixview *p = mv(v);
    const struct matrix_row *r = row_at(v, v->cursor);
    if (!r || p->m.n_cols == 0) {
        app_message(v->app, ROLE_WARN, "what-if: choose a zone cell of an interface endpoint");
        return VIEW_REDRAW;
    }
    enum matrix_toggle t = matrix_whatif_toggle(&p->whatifs, &p->m, r, p->col);
    toggle_message(v, r, p->col, t);
    return VIEW_REDRAW;
}

/* e with what-ifs on the cursor's endpoint: the modify form, its subnets set to match. */
static enum view_result hand_off(struct view *v)
{
    struct matrixview *p = mv(v);
    const struct matrix_row *r = row_at(v, v->cursor);
    size_t n = 0;
    for (size_t i = 0; r && i < p->whatifs.n; i++)
        n += strcmp(p->whatifs.v[i].endpoint_id, r->id) == 0;
    if (!n)
        return VIEW_PASS; /* the global action: the modify form as it is */
    const char **add = xcalloc(n, sizeof(*add)), **rm = xcalloc(n, sizeof(*rm));
    size_t n_add = 0, n_rm = 0;
    for (size_t i = 0; i < p->whatifs.n; i++) {
        const struct matrix_whatif *w = &p->whatifs.v[i];
        size_t col = matrix_find_col(&p->m, w->zone_id);
        if (strcmp(w->endpoint_id, r->id) != 0 || col == p->m.n_cols)
            continue;
        const char *zone = p->m.cols[col].zone_name ? p->m.cols[col].zone_name : w->zone_id;
        if (w->add)
            add[n_add++] = zone;
        else
            rm[n_rm++] = zone;
    }
    const struct view_args args = {INV_ENDPOINT, r->id};
    if (app_open_view(v->app, "modify", &args)) {
        struct view *form = app_focused_view(v->app);
        if (form->ops == &modify_view_ops)
            form_preset_zones(form, add, n_add, rm, n_rm);
        app_message(v->app, ROLE_OK,
                    "the what-ifs as subnets: s checks them (DryRun) and shows the command");
    }
    free(add);
    free(rm);
    return VIEW_REDRAW;
}

static enum view_result matrix_key(struct view *v, enum action a, int key)
{
    if (key == WHATIF_CLEAR_KEY) {
        size_t n = mv(v)->whatifs.n;
        matrix_whatifs_clear(&mv(v)->whatifs);
        app_message(v->app, ROLE_OK, "%zu what-if%s cleared", n, n == 1 ? "" : "s");
        return VIEW_REDRAW;
    }
    switch (a) {
    case ACT_LEFT:
    case ACT_RIGHT:
        return move_col(v, a == ACT_RIGHT);
    case ACT_TOGGLE:
    case ACT_MARK:
        return toggle_cell(v);
    case ACT_MODIFY:
        return hand_off(v);
    case ACT_ENTER:
        return select_row(v);
    case ACT_MATRIX:
        return VIEW_CLOSE;
    default:
        return VIEW_PASS;
    }
}

static void matrix_reload(struct view *v)
{
    struct matrixview *p = mv(v);
    enum inv_type type;
    const char *id;
    char *keep = matrix_resource_at(v, v->cursor, &type, &id) ? xstrdup(id) : NULL;
    build(v);
    for (size_t i = 0; keep && i < p->m.n_rows; i++)
        if (strcmp(p->m.rows[i].id, keep) == 0)
            v->cursor = HEADER_ROWS + i;
    free(keep);
    list_clamp(v, v->height);
}

static void matrix_title(struct view *v, struct ui_line *l)
{
    struct matrix_fit fit;
    fit_now(v, &fit);
    /* The border glyph took one column: keep the zone IDs over their cells. */
    struct strbuf *sb = &mv(v)->scratch;
    strbuf_reset(sb);
    bool utf8 = strcmp(app_glyphs(v->app)->dot, "-") != 0;
    strbuf_addf(sb, "Endpoints %s zones (%zu)", utf8 ? "\xc3\x97" : "x", mv(v)->m.n_endpoints);
    line_add_fixed(l, ROLE_TITLE, sb->buf, fit.label_w - 1, 0);
    line_add_fixed(l, ROLE_BORDER, "", fit.cost_w, 0);
    add_cells_header(v, l, &fit, false);
}

const struct view_ops matrix_view_ops = {
    .name = "matrix",
    .priv_size = sizeof(struct matrixview),
    .open = matrix_open,
    .close = matrix_close,
    .row_count = matrix_rows,
    .draw_row = matrix_draw_row,
    .key = matrix_key,
    .resource_at = matrix_resource_at,
    .reload = matrix_reload,
    .title = matrix_title,
    .draws_cursor = true,
};
