/*
 * The endpoint x availability zone matrix as data (matrix.h): rows and cells
 * from the inventory, the IP tails, how columns fit, cell text and what-ifs.
 * Pure: no curses calls.
 */
#include "vpcx/ui/matrix.h"

#include "vpcx/core/xalloc.h"
#include "vpcx/ui/draw.h"

#include <stdlib.h>
#include <string.h>

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

/* ---- IP tails ---- */

struct addrs {
    const char **v;
    size_t n, alloc;
};

static void addrs_add(struct addrs *a, const char *ip)
{
    if (!ip || !*ip)
        return;
    if (a->n == a->alloc) {
        a->alloc = a->alloc ? a->alloc * 2 : 64;
        a->v = xreallocarray(a->v, a->alloc, sizeof(*a->v));
    }
    a->v[a->n++] = ip;
}

/* Every private address of the ENIs in the matrix's VPCs (all VPCs when vpc_id is NULL). */
static void collect_addrs(struct addrs *a, const struct inventory *inv, const char *vpc_id)
{
    size_t n = inventory_count(inv, INV_ENI);
    for (size_t i = 0; i < n; i++) {
        const struct inv_resource *e = inventory_at(inv, INV_ENI, i);
        if (!wanted_vpc(vpc_id, e->vpc_id))
            continue;
        addrs_add(a, e->eni.primary_ip);
        for (size_t k = 0; k < e->eni.ipv4.n; k++)
            addrs_add(a, e->eni.ipv4.v[k]);
        for (size_t k = 0; k < e->eni.ipv6.n; k++)
            addrs_add(a, e->eni.ipv6.v[k]);
    }
}

static bool ends_with(const char *s, const char *tail, size_t tail_len)
{
    size_t n = strlen(s);
    return n >= tail_len && memcmp(s + n - tail_len, tail, tail_len) == 0;
}

/* The shortest suffix of ip starting at a separator that no other address ends with. */
static const char *unique_tail(const char *ip, const struct addrs *a)
{
    size_t len = strlen(ip);
    for (size_t i = len; i-- > 0;) {
        if (ip[i] != '.' && ip[i] != ':')
            continue;
        bool clash = false;
        for (size_t k = 0; k < a->n && !clash; k++)
            clash = strcmp(a->v[k], ip) != 0 && ends_with(a->v[k], ip + i, len - i);
        if (!clash)
            return ip + i;
    }
    return ip;
}

static void set_tails(struct matrix *m, const struct inventory *inv, const char *vpc_id)
{
    struct addrs a = {0};
    collect_addrs(&a, inv, vpc_id);
    for (size_t r = 0; r < m->n_rows; r++)
        for (size_t c = 0; m->rows[r].cells && c < m->n_cols; c++) {
            struct matrix_cell *cell = &m->rows[r].cells[c];
            if (cell->ip)
                cell->tail = unique_tail(cell->ip, &a);
        }
    free(a.v);
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
    r->id = xstrdup(e->id);
    r->vpc_id = e->vpc_id;
    r->name = e->name;
    r->service = e->endpoint.service_name;
    r->gateway = e->endpoint.kind == INV_ENDPOINT_GATEWAY;
    r->gwlb = e->endpoint.kind == INV_ENDPOINT_GWLB;
    r->endpoint = e;
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
        r->id = xstrdup(v ? v->id : vpc_id);
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
    } else {
        size_t n = inventory_count(inv, INV_VPC);
        for (size_t i = 0; i < n; i++)
            add_vpc(m, &alloc, inv, inventory_at(inv, INV_VPC, i)->id, true);
    }
    set_tails(m, inv, vpc_id);
}

void matrix_finish(struct matrix *m)
{
    for (size_t i = 0; i < m->n_rows; i++) {
        free(m->rows[i].cells);
        free(m->rows[i].id);
    }
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

void matrix_fit_columns(size_t n_cols, int width, int cost_w, int min_cell, size_t first_col,
                        struct matrix_fit *out)
{
    memset(out, 0, sizeof(*out));
    out->cost_w = cost_w;
    int room = width - cost_w;
    out->label_w = room < MATRIX_LABEL_MAX ? (room > 0 ? room : 0) : MATRIX_LABEL_MAX;
    if (n_cols == 0 || room <= MATRIX_LABEL_MIN)
        return;
    long cell = (room - MATRIX_LABEL_MIN) / (long)n_cols - 1;
    if (cell >= min_cell) {
        out->cell_w = cell < MATRIX_CELL_MAX ? (int)cell : MATRIX_CELL_MAX;
        long label = room - (long)n_cols * (out->cell_w + 1);
        out->label_w = label < MATRIX_LABEL_MAX ? (int)label : MATRIX_LABEL_MAX;
        out->n_visible = n_cols;
        return;
    }
    /* Scrolling: the narrowest cells that still name every ENI, so most zones show. */
    out->label_w = MATRIX_LABEL_MIN;
    int most = room - MATRIX_LABEL_MIN - 1;
    out->cell_w = min_cell < most ? min_cell : most > 1 ? most : 1;
    size_t fit = (size_t)((room - MATRIX_LABEL_MIN) / (out->cell_w + 1));
    out->n_visible = fit ? (fit < n_cols ? fit : n_cols) : 1;
    size_t max_first = n_cols - out->n_visible;
    out->first_col = first_col < max_first ? first_col : max_first;
}

static int cp_width(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* "✓ …82.51": glyph, space, ellipsis and the tail without its separator. */
static int tail_width(const struct matrix_cell *c)
{
    if (!c->tail)
        return 3;
    if (c->tail == c->ip)
        return 2 + cp_width(c->ip);
    return 3 + cp_width(c->tail + 1);
}

int matrix_min_cell_width(const struct matrix *m)
{
    int w = 6; /* "no ENI", "+add" */
    for (size_t r = 0; r < m->n_rows; r++)
        for (size_t c = 0; m->rows[r].cells && c < m->n_cols; c++) {
            const struct matrix_cell *cell = &m->rows[r].cells[c];
            if (cell->in_vpc && cell->status == PLACEMENT_ENI) {
                int t = tail_width(cell) + (cell->eni_count > 1 ? 3 : 0);
                w = t > w ? t : w;
            }
        }
    return w;
}

static bool fits(const char *s, int width)
{
    return cp_width(s) <= width;
}

static bool eni_in_use(const struct matrix_cell *c)
{
    /* Endpoint ENIs report in-use on AWS and available on moto: both are healthy. */
    return !c->eni_status || strcmp(c->eni_status, "in-use") == 0 ||
           strcmp(c->eni_status, "available") == 0;
}

static enum theme_role eni_text(const struct matrix_cell *c, int width, const struct ui_glyphs *g,
                                struct strbuf *out)
{
    bool in_use = eni_in_use(c);
    enum theme_role role = in_use ? ROLE_CELL_ENI : ROLE_WARN;
    const char *ip = c->ip ? c->ip : c->eni_id ? c->eni_id : "ENI";
    bool state = c->eni_status && cp_width(ip) + 1 + (int)strlen(c->eni_status) <= width;
    if (!in_use && !state)
        strbuf_addstr(out, "! ");
    strbuf_addstr(out, ip);
    if (state)
        strbuf_addf(out, " %s", c->eni_status);
    if (c->eni_count > 1)
        strbuf_addf(out, " +%zu", c->eni_count - 1);
    if (fits(out->buf, width))
        return role;
    strbuf_reset(out);
    strbuf_addstr(out, in_use ? g->ok : "!");
    if (c->tail && c->tail != c->ip)
        strbuf_addf(out, " %s%s", g->ellipsis, c->tail + 1);
    else if (c->ip)
        strbuf_addf(out, " %s", c->ip);
    if (c->eni_count > 1)
        strbuf_addf(out, " +%zu", c->eni_count - 1);
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
        static const char *const no_eni[] = {"subnet, no ENI", "no ENI"};
        first_fitting(out, width, no_eni, 2);
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

/* ---- what-ifs ---- */

static size_t whatif_index(const struct matrix_whatifs *w, const char *endpoint_id,
                           const char *zone_id)
{
    for (size_t i = 0; i < w->n; i++)
        if (strcmp(w->v[i].endpoint_id, endpoint_id) == 0 && strcmp(w->v[i].zone_id, zone_id) == 0)
            return i;
    return w->n;
}

const struct matrix_whatif *matrix_whatif_find(const struct matrix_whatifs *w,
                                               const char *endpoint_id, const char *zone_id)
{
    size_t i = whatif_index(w, endpoint_id, zone_id);
    return i < w->n ? &w->v[i] : NULL;
}

static void whatif_drop(struct matrix_whatifs *w, size_t i)
{
    free(w->v[i].endpoint_id);
    free(w->v[i].zone_id);
    memmove(w->v + i, w->v + i + 1, (w->n - i - 1) * sizeof(*w->v));
    w->n--;
}

enum matrix_toggle matrix_whatif_toggle(struct matrix_whatifs *w, const struct matrix *m,
                                        const struct matrix_row *r, size_t col)
{
    if (r->kind != MATRIX_ROW_ENDPOINT || r->gateway || !r->cells || col >= m->n_cols)
        return MATRIX_TOGGLE_NO_CELL;
    if (r->gwlb)
        return MATRIX_TOGGLE_GWLB;
    const struct matrix_cell *c = &r->cells[col];
    const char *zone = m->cols[col].zone_id;
    size_t i = whatif_index(w, r->id, zone);
    if (i < w->n) {
        whatif_drop(w, i);
        return MATRIX_TOGGLE_CLEARED;
    }
    if (!c->in_vpc)
        return MATRIX_TOGGLE_NO_SUBNET;
    if (c->status == PLACEMENT_NOT_OFFERED)
        return MATRIX_TOGGLE_NOT_OFFERED;
    if (c->status == PLACEMENT_SUBNET_NO_ENI)
        return MATRIX_TOGGLE_PENDING;
    bool add = c->status != PLACEMENT_ENI;
    w->v = xreallocarray(w->v, w->n + 1, sizeof(*w->v));
    w->v[w->n++] = (struct matrix_whatif){xstrdup(r->id), xstrdup(zone), add};
    return add ? MATRIX_TOGGLE_ADDED : MATRIX_TOGGLE_REMOVED;
}

long matrix_whatif_delta(const struct matrix_whatifs *w, const char *endpoint_id)
{
    long d = 0;
    for (size_t i = 0; i < w->n; i++)
        if (!endpoint_id || strcmp(w->v[i].endpoint_id, endpoint_id) == 0)
            d += w->v[i].add ? 1 : -1;
    return d;
}

static bool whatif_backed(const struct matrix_whatif *x, const struct matrix *m)
{
    size_t col = matrix_find_col(m, x->zone_id);
    for (size_t r = 0; col < m->n_cols && r < m->n_rows; r++) {
        const struct matrix_row *row = &m->rows[r];
        if (row->kind != MATRIX_ROW_ENDPOINT || !row->cells || strcmp(row->id, x->endpoint_id))
            continue;
        const struct matrix_cell *c = &row->cells[col];
        if (!c->in_vpc || c->status == PLACEMENT_NOT_OFFERED ||
            c->status == PLACEMENT_SUBNET_NO_ENI)
            return false;
        return x->add == (c->status != PLACEMENT_ENI);
    }
    return false;
}

void matrix_whatif_prune(struct matrix_whatifs *w, const struct matrix *m)
{
    for (size_t i = w->n; i-- > 0;)
        if (!whatif_backed(&w->v[i], m))
            whatif_drop(w, i);
}

void matrix_whatifs_clear(struct matrix_whatifs *w)
{
    while (w->n)
        whatif_drop(w, w->n - 1);
    free(w->v);
    w->v = NULL;
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
