/*
 * The endpoint x availability zone matrix: the data (matrix.h, pure) and the
 * view that draws it over the full width (the screen's COLS), with h/l
 * scrolling the zone columns when even glyph cells do not fit.
 */
#include "vpcx/ui/matrix.h"

#include "vpcx/core/xalloc.h"
#include "vpcx/ui/app.h"
#include "vpcx/ui/listwidget.h"
#include "vpcx/ui/views.h"

#include <stdlib.h>
#include <string.h>

/* ---- the data ---- */

static void add_col(struct matrix *m, size_t *alloc, const char *zone_id, const char *zone_name)
{
    if (!zone_id || matrix_find_col(m, zone_id) < m->n_cols)
        return;
    if (m->n_cols == *alloc) {
        *alloc = *alloc ? *alloc * 2 : 8;
        m->cols = xreallocarray(m->cols, *alloc, sizeof(*m->cols));
    }
    m->cols[m->n_cols++] = (struct matrix_col){zone_id, zone_name};
}

static int col_cmp(const void *a, const void *b)
{
    const struct matrix_col *x = a, *y = b;
    const char *kx = x->zone_name ? x->zone_name : x->zone_id;
    const char *ky = y->zone_name ? y->zone_name : y->zone_id;
    int c = strcmp(kx, ky);
    return c ? c : strcmp(x->zone_id, y->zone_id);
}

static bool wanted_vpc(const char *want, const char *vpc_id)
{
    return !want || (vpc_id && strcmp(want, vpc_id) == 0);
}

/* Zones of the chosen VPC(s): their subnets' zones and every placement zone. */
static void collect_cols(struct matrix *m, const struct inventory *inv, const char *vpc_id)
{
    size_t alloc = 0;
    size_t n = inventory_count(inv, INV_SUBNET);
    for (size_t i = 0; i < n; i++) {
        const struct inv_resource *s = inventory_at(inv, INV_SUBNET, i);
        if (!wanted_vpc(vpc_id, s->vpc_id))
            continue;
        const struct inv_resource *az = inventory_subnet_az(inv, s->id);
        if (az && az->az.zone_id)
            add_col(m, &alloc, az->az.zone_id, az->az.zone_name);
        else
            add_col(m, &alloc, s->subnet.az_id ? s->subnet.az_id : s->subnet.az_name,
                    s->subnet.az_name);
    }
    n = inventory_count(inv, INV_ENDPOINT);
    for (size_t i = 0; i < n; i++) {
        const struct inv_resource *e = inventory_at(inv, INV_ENDPOINT, i);
        if (!wanted_vpc(vpc_id, e->vpc_id))
            continue;
        struct placement p;
        if (placement_compute(inv, e->id, &p) == VPCX_OK)
            for (size_t z = 0; z < p.n_azs; z++)
                add_col(m, &alloc, p.azs[z].zone_id, p.azs[z].zone_name);
        placement_finish(&p);
    }
    if (m->n_cols)
        qsort(m->cols, m->n_cols, sizeof(*m->cols), col_cmp);
}

static struct matrix_row *add_row(struct matrix *m, size_t *alloc)
{
    if (m->n_rows == *alloc) {
        *alloc = *alloc ? *alloc * 2 : 16;
        m->rows = xreallocarray(m->rows, *alloc, sizeof(*m->rows));
    }
    struct matrix_row *r = &m->rows[m->n_rows++];
    memset(r, 0, sizeof(*r));
    return r;
}

static void fill_cells(struct matrix *m, const struct inventory *inv, struct matrix_row *r)
{
    struct placement p;
    r->cells = xcalloc(m->n_cols ? m->n_cols : 1, sizeof(*r->cells));
    if (placement_compute(inv, r->id, &p) != VPCX_OK) {
        placement_finish(&p);
        return;
    }
    for (size_t z = 0; z < p.n_azs; z++) {
        size_t c = matrix_find_col(m, p.azs[z].zone_id);
        if (c == m->n_cols)
            continue;
        const struct placement_az *a = &p.azs[z];
        r->cells[c] = (struct matrix_cell){
            .in_vpc = true,
            .status = a->status,
            .eni_id = a->eni_id,
            .ip = a->ip,
            .eni_status = a->eni_status,
            .eni_count = a->eni_count,
        };
    }
    r->covered = p.covered;
    r->single_az = p.single_az;
    placement_finish(&p);
}

static void add_endpoint(struct matrix *m, size_t *alloc, const struct inventory *inv,
                         const struct inv_resource *e)
{
    struct matrix_row *r = add_row(m, alloc);
    r->kind = MATRIX_ROW_ENDPOINT;
    r->id = e->id;
    r->vpc_id = e->vpc_id;
    r->name = e->name;
    r->service = e->endpoint.service_name;
    r->gateway = e->endpoint.kind == INV_ENDPOINT_GATEWAY;
    r->route_tables = e->endpoint.route_table_ids;
    m->n_endpoints++;
    if (!r->gateway)
        fill_cells(m, inv, r);
}

static void add_vpc(struct matrix *m, size_t *alloc, const struct inventory *inv,
                    const char *vpc_id, bool group)
{
    struct inv_ids eps = inventory_vpc_endpoints(inv, vpc_id);
    if (group && eps.n == 0)
        return;
    if (group) {
        const struct inv_resource *v = inventory_find(inv, INV_VPC, vpc_id);
        struct matrix_row *r = add_row(m, alloc);
        r->kind = MATRIX_ROW_VPC;
        r->id = v ? v->id : vpc_id;
        r->vpc_id = r->id;
        r->name = v ? v->name : NULL;
    }
    for (size_t i = 0; i < eps.n; i++) {
        const struct inv_resource *e = inventory_find(inv, INV_ENDPOINT, eps.v[i]);
        if (e)
            add_endpoint(m, alloc, inv, e);
    }
}

void matrix_build(struct matrix *m, const struct inventory *inv, const char *vpc_id)
{
    memset(m, 0, sizeof(*m));
    collect_cols(m, inv, vpc_id);
    size_t alloc = 0;
    if (vpc_id) {
        const struct inv_resource *v = inventory_find(inv, INV_VPC, vpc_id);
        add_vpc(m, &alloc, inv, v ? v->id : vpc_id, false);
        return;
    }
    size_t n = inventory_count(inv, INV_VPC);
    for (size_t i = 0; i < n; i++)
        add_vpc(m, &alloc, inv, inventory_at(inv, INV_VPC, i)->id, true);
}

void matrix_finish(struct matrix *m)
{
    for (size_t i = 0; i < m->n_rows; i++)
        free(m->rows[i].cells);
    free(m->rows);
    free(m->cols);
    memset(m, 0, sizeof(*m));
}

size_t matrix_find_col(const struct matrix *m, const char *zone_id)
{
    for (size_t i = 0; i < m->n_cols; i++)
        if (strcmp(m->cols[i].zone_id, zone_id) == 0)
            return i;
    return m->n_cols;
}

/* ---- fitting and cell text ---- */

#define LABEL_MIN   26
#define LABEL_MAX   44
#define SCROLL_CELL 15 /* an IPv4 address, when columns scroll anyway */

static const int cell_styles[] = {22, 15, 8, 3};

void matrix_fit_columns(size_t n_cols, int width, size_t first_col, struct matrix_fit *out)
{
    memset(out, 0, sizeof(*out));
    out->label_w = width < LABEL_MAX ? width : LABEL_MAX;
    if (n_cols == 0 || width <= LABEL_MIN)
        return;
    for (size_t s = 0; s < sizeof(cell_styles) / sizeof(cell_styles[0]); s++) {
        long room = (long)width - (long)n_cols * (cell_styles[s] + 1);
        if (room >= LABEL_MIN) {
            out->cell_w = cell_styles[s];
            out->label_w = room < LABEL_MAX ? (int)room : LABEL_MAX;
            out->n_visible = n_cols;
            return;
        }
    }
    out->label_w = LABEL_MIN;
    out->cell_w = width - LABEL_MIN - 1 < SCROLL_CELL ? width - LABEL_MIN - 1 : SCROLL_CELL;
    size_t fit = (size_t)(width - LABEL_MIN) / (size_t)(out->cell_w + 1);
    out->n_visible = fit ? fit : 1;
    size_t max_first = n_cols - out->n_visible;
    out->first_col = first_col < max_first ? first_col : max_first;
}

static bool fits(const char *s, int width)
{
    return (int)strlen(s) <= width;
}

/* The longest ".octets" suffix of an address within max bytes, or NULL. */
static const char *ip_tail(const char *ip, size_t max)
{
    for (const char *p = ip; *p; p++)
        if ((*p == '.' || *p == ':') && strlen(p) <= max)
            return p;
    return NULL;
}

static enum theme_role eni_text(const struct matrix_cell *c, int width, const struct ui_glyphs *g,
                                struct strbuf *out)
{
    /* Endpoint ENIs report in-use on AWS and available on moto: both are healthy. */
    bool in_use = !c->eni_status || strcmp(c->eni_status, "in-use") == 0 ||
                  strcmp(c->eni_status, "available") == 0;
    enum theme_role role = in_use ? ROLE_CELL_ENI : ROLE_WARN;
    const char *ip = c->ip ? c->ip : c->eni_id ? c->eni_id : "ENI";
    strbuf_addstr(out, ip);
    if (c->eni_status && (int)(out->len + 1 + strlen(c->eni_status)) <= width)
        strbuf_addf(out, " %s", c->eni_status);
    if (c->eni_count > 1 && (int)out->len + 4 <= width)
        strbuf_addf(out, " +%zu", c->eni_count - 1);
    if (fits(out->buf, width))
        return role;
    strbuf_reset(out);
    strbuf_addstr(out, in_use ? g->ok : "!");
    const char *tail = ip_tail(ip, (size_t)(width > 2 ? width - 2 : 0));
    if (tail)
        strbuf_addf(out, " %s", tail);
    return role;
}

static void first_fitting(struct strbuf *out, int width, const char *const *choices, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (fits(choices[i], width) || i + 1 == n) {
            strbuf_addstr(out, choices[i]);
            return;
        }
}

enum theme_role matrix_cell_text(const struct matrix_cell *c, int width, const struct ui_glyphs *g,
                                 struct strbuf *out)
{
    strbuf_reset(out);
    if (!c->in_vpc)
        return ROLE_NORMAL;
    switch (c->status) {
    case PLACEMENT_ENI:
        return eni_text(c, width, g, out);
    case PLACEMENT_SUBNET_NO_ENI: {
        static const char *const no_eni[] = {"subnet, no ENI", "no ENI", "!"};
        first_fitting(out, width, no_eni, 3);
        return ROLE_WARN;
    }
    case PLACEMENT_SUPPORTED:
        strbuf_addstr(out, g->dot);
        return ROLE_CELL_EMPTY;
    case PLACEMENT_NOT_OFFERED:
        strbuf_addstr(out, g->fail);
        return ROLE_CELL_NOT_OFFERED;
    default:
        strbuf_addstr(out, "?");
        return ROLE_DIM;
    }
}

const char *matrix_service_short(const char *name)
{
    static const char prefix[] = "com.amazonaws.";
    if (!name || strncmp(name, prefix, sizeof(prefix) - 1) != 0)
        return name;
    const char *s = name + sizeof(prefix) - 1;
    if (strncmp(s, "vpce.", 5) == 0)
        s += 5;
    const char *dot = strchr(s, '.'); /* the region */
    return dot && dot[1] ? dot + 1 : s;
}

/* ---- the view ---- */

#define HEADER_ROWS 1
#define LEGEND_ROWS 4 /* blank, three legend lines */

struct matrixview {
    struct matrix m;
    const struct inventory *inv;
    size_t first_col;
    struct strbuf scratch;
};

static struct matrixview *mv(struct view *v)
{
    return v->priv;
}

static void fit_now(struct view *v, struct matrix_fit *fit)
{
    struct matrixview *p = mv(v);
    matrix_fit_columns(p->m.n_cols, COLS, p->first_col, fit);
    p->first_col = fit->first_col;
}

static size_t body_rows(const struct matrixview *p)
{
    return p->m.n_rows ? p->m.n_rows : 1;
}

static size_t matrix_rows(struct view *v)
{
    return HEADER_ROWS + body_rows(mv(v)) + LEGEND_ROWS;
}

/* First endpoint row, for the initial cursor. */
static size_t first_endpoint_row(const struct matrixview *p)
{
    for (size_t i = 0; i < p->m.n_rows; i++)
        if (p->m.rows[i].kind == MATRIX_ROW_ENDPOINT)
            return HEADER_ROWS + i;
    return HEADER_ROWS;
}

static void build(struct view *v)
{
    struct matrixview *p = mv(v);
    matrix_finish(&p->m);
    matrix_build(&p->m, p->inv, v->args.id);
}

static void matrix_open(struct view *v, const struct view_args *args)
{
    (void)args;
    struct matrixview *p = mv(v);
    p->inv = app_inventory(v->app);
    strbuf_init(&p->scratch, 64);
    build(v);
    v->cursor = first_endpoint_row(p);
}

static void matrix_close(struct view *v)
{
    struct matrixview *p = mv(v);
    matrix_finish(&p->m);
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
        const struct matrix_col *c = &p->m.cols[fit->first_col + i];
        const char *text = names ? (c->zone_name ? c->zone_name : "") : c->zone_id;
        line_add(l, ROLE_NORMAL, " ");
        size_t n = strlen(text), w = (size_t)fit->cell_w;
        if (names && n > w && w > 1) { /* the tail tells zones apart: "...east-1a" */
            struct strbuf *sb = &mv(v)->scratch;
            strbuf_reset(sb);
            strbuf_addf(sb, "%s%s", app_glyphs(v->app)->ellipsis, text + n - (w - 1));
            text = sb->buf;
        }
        line_add_fixed(l, names ? ROLE_DIM : ROLE_TITLE, text, fit->cell_w, 0);
    }
    if (fit->n_visible < p->m.n_cols)
        line_addf(l, ROLE_DIM, " %s%zu-%zu/%zu%s", fit->first_col ? "<" : " ", fit->first_col + 1,
                  fit->first_col + fit->n_visible, p->m.n_cols,
                  fit->first_col + fit->n_visible < p->m.n_cols ? ">" : " ");
}

static void header_row(struct view *v, struct ui_line *l, const struct matrix_fit *fit)
{
    const struct inventory *inv = mv(v)->inv;
    if (v->args.id) {
        const struct inv_resource *vpc = inventory_find(inv, INV_VPC, v->args.id);
        struct strbuf *sb = &mv(v)->scratch;
        strbuf_reset(sb);
        strbuf_addf(sb, "%s%s%s", v->args.id, vpc && vpc->name ? " " : "",
                    vpc && vpc->name ? vpc->name : "");
        line_add_fixed(l, ROLE_DIM, sb->buf, fit->label_w, 0);
    } else {
        line_add_fixed(l, ROLE_DIM, "all VPCs", fit->label_w, 0);
    }
    add_cells_header(v, l, fit, true);
}

static void endpoint_label(struct view *v, const struct matrix_row *r, struct ui_line *l, int width)
{
    bool warn = r->single_az && !r->gateway;
    line_add_fixed(l, ROLE_WARN, warn ? "!" : "", 2, 0);
    int rest = width - 2;
    int id_w = rest / 2 < 22 ? rest / 2 : 22;
    int svc_w = rest - id_w - 1;
    const char *svc = matrix_service_short(r->service);
    line_add_fixed(l, warn ? ROLE_WARN : ROLE_NAME, svc ? svc : "?", svc_w, 0);
    line_add(l, ROLE_NORMAL, " ");
    line_add_fixed(l, ROLE_ID, r->id, id_w, 0);
    (void)v;
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

static void endpoint_row(struct view *v, const struct matrix_row *r, struct ui_line *l,
                         const struct matrix_fit *fit)
{
    struct matrixview *p = mv(v);
    const struct ui_glyphs *g = app_glyphs(v->app);
    bool utf8 = strcmp(g->dot, "-") != 0;
    endpoint_label(v, r, l, fit->label_w);
    if (r->gateway) {
        gateway_cells(v, r, l);
        return;
    }
    for (size_t i = 0; i < fit->n_visible; i++) {
        const struct matrix_cell *c = &r->cells[fit->first_col + i];
        enum theme_role role = matrix_cell_text(c, fit->cell_w, g, &p->scratch);
        line_add(l, ROLE_NORMAL, " ");
        add_cell(l, role, p->scratch.buf, fit->cell_w, utf8);
    }
    int used = fit->label_w + (int)fit->n_visible * (fit->cell_w + 1);
    if (r->single_az && COLS - used >= 10)
        line_add(l, ROLE_WARN, " single AZ");
}

static void vpc_row(const struct matrix_row *r, struct ui_line *l)
{
    line_add(l, ROLE_TITLE, "VPC ");
    line_add(l, ROLE_ID, r->id);
    if (r->name) {
        line_add(l, ROLE_NORMAL, " ");
        line_add(l, ROLE_NAME, r->name);
    }
}

static void legend_row(struct view *v, size_t which, struct ui_line *l)
{
    const struct ui_glyphs *g = app_glyphs(v->app);
    line_add(l, ROLE_DIM, which == 0 ? "Legend: " : "        ");
    if (which == 0) {
        line_add(l, ROLE_CELL_ENI, "10.0.1.5 in-use");
        line_add(l, ROLE_DIM, " ENI (IP, state)   ");
        line_add(l, ROLE_WARN, "no ENI");
        line_add(l, ROLE_DIM, " subnet chosen, no ENI yet");
    } else if (which == 1) {
        line_add(l, ROLE_CELL_EMPTY, g->dot);
        line_add(l, ROLE_DIM, " offered, no ENI   ");
        line_add(l, ROLE_CELL_NOT_OFFERED, g->fail);
        line_add(l, ROLE_DIM, " not offered by the service   ");
        line_add(l, ROLE_WARN, "!");
        line_add(l, ROLE_DIM, " single AZ");
    } else {
        line_add(l, ROLE_DIM, "? service unknown   h/l scroll zones   Enter select   p policy");
    }
}

static void matrix_draw_row(struct view *v, size_t row, struct ui_line *l)
{
    struct matrixview *p = mv(v);
    struct matrix_fit fit;
    fit_now(v, &fit);
    size_t body = body_rows(p);
    if (row < HEADER_ROWS) {
        header_row(v, l, &fit);
    } else if (row < HEADER_ROWS + body && p->m.n_rows == 0) {
        line_add(l, ROLE_DIM, v->args.id ? "  no endpoints in this VPC" : "  no endpoints");
    } else if (row < HEADER_ROWS + body) {
        const struct matrix_row *r = &p->m.rows[row - HEADER_ROWS];
        if (r->kind == MATRIX_ROW_VPC)
            vpc_row(r, l);
        else
            endpoint_row(v, r, l, &fit);
    } else if (row > HEADER_ROWS + body) {
        legend_row(v, row - HEADER_ROWS - body - 1, l);
    }
}

static bool matrix_resource_at(struct view *v, size_t row, enum inv_type *type, const char **id)
{
    struct matrixview *p = mv(v);
    if (row < HEADER_ROWS || row - HEADER_ROWS >= p->m.n_rows)
        return false;
    const struct matrix_row *r = &p->m.rows[row - HEADER_ROWS];
    *type = r->kind == MATRIX_ROW_VPC ? INV_VPC : INV_ENDPOINT;
    *id = r->id;
    return true;
}

static enum view_result scroll_cols(struct view *v, bool right)
{
    struct matrixview *p = mv(v);
    struct matrix_fit fit;
    fit_now(v, &fit);
    if (fit.n_visible >= p->m.n_cols)
        return VIEW_HANDLED;
    size_t before = p->first_col;
    if (right)
        p->first_col++;
    else if (p->first_col)
        p->first_col--;
    fit_now(v, &fit);
    return before == p->first_col ? VIEW_HANDLED : VIEW_REDRAW;
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

static enum view_result matrix_key(struct view *v, enum action a, int key)
{
    (void)key;
    switch (a) {
    case ACT_LEFT:
    case ACT_RIGHT:
        return scroll_cols(v, a == ACT_RIGHT);
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
};
