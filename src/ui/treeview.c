/* The tree view: the inventory as a navigable tree (model in tree.c). */
#include "vpcx/core/xalloc.h"
#include "vpcx/model/ipusage.h"
#include "vpcx/model/netinfo.h"
#include "vpcx/model/checkindex.h"
#include "vpcx/model/cost.h"
#include "vpcx/ui/app.h"
#include "vpcx/ui/listwidget.h"
#include "vpcx/ui/views.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define BAR_CELLS 10

struct treeview {
    struct tree *tree;
};

static struct treeview *tv(struct view *v)
{
    return v->priv;
}

static const struct inventory *inv_of(struct view *v)
{
    return app_inventory(v->app);
}

static void tree_open(struct view *v, const struct view_args *args)
{
    (void)args;
    tv(v)->tree = tree_create(inv_of(v));
    const struct tree_groups *groups = app_tree_groups(v->app);
    if (groups) /* many accounts and regions: account > region > VPC */
        tree_set_groups(tv(v)->tree, groups);
}

/* Many scopes: an account row, and a region row with its scope's state. */
static void row_group(struct view *v, struct tree_node *n, struct ui_line *l)
{
    struct tree *t = tv(v)->tree;
    line_add(l, ROLE_TITLE, n->kind == TREE_ACCOUNT ? "account " : "");
    line_add(l, n->kind == TREE_ACCOUNT ? ROLE_ID : ROLE_TITLE, n->id);
    if (n->kind == TREE_ACCOUNT)
        return;
    size_t vpcs = tree_child_count(t, n);
    line_addf(l, ROLE_COUNTER, " (%zu VPC%s)", vpcs, vpcs == 1 ? "" : "s");
    enum theme_role role;
    char *text = app_scope_row(v->app, tree_node_scope(t, n), &role);
    line_addf(l, role, "  %s", text);
    free(text);
}

static void tree_close(struct view *v)
{
    tree_destroy(tv(v)->tree);
}

static size_t tree_rows(struct view *v)
{
    return tree_row_count(tv(v)->tree);
}

static void add_marker(struct view *v, struct tree_node *n, struct ui_line *l)
{
    const struct ui_glyphs *g = app_glyphs(v->app);
    bool has = n->built ? n->n_child > 0 : tree_child_count(tv(v)->tree, n) > 0;
    line_add(l, ROLE_DIM, !has ? g->leaf : n->expanded ? g->expanded : g->collapsed);
    if (n->kind == TREE_ENDPOINT && n->id && app_is_marked(v->app, n->id))
        line_add(l, ROLE_FILTER, "*"); /* marked for an export */
    else
        line_add(l, ROLE_NORMAL, " ");
}

static void add_count(struct view *v, struct tree_node *n, struct ui_line *l, const char *what)
{
    if (n->expanded)
        return;
    size_t c = tree_child_count(tv(v)->tree, n);
    if (c)
        line_addf(l, ROLE_COUNTER, " (%zu%s%s%s)", c, what ? " " : "", what ? what : "",
                  what && c != 1 ? "s" : "");
}

static enum theme_role id_role(struct tree_node *n)
{
    return tree_node_matches(n) ? ROLE_FILTER : ROLE_ID;
}

static void add_name(struct ui_line *l, const char *name)
{
    if (name && *name) {
        line_add(l, ROLE_NORMAL, " ");
        line_add(l, ROLE_NAME, name);
    }
}

/* The worst finding about the resource as " <glyph>" in its severity's colour; with slot,
   blank when there is none, so the columns after it line up. */
static void add_finding_mark(struct view *v, enum inv_type type, const char *id, struct ui_line *l,
                             bool slot)
{
    enum check_severity worst;
    if (app_resource_worst(v->app, type, id, &worst)) {
        line_add(l, ROLE_NORMAL, " ");
        line_add(l, app_severity_role(worst), app_severity_glyph(v->app, worst));
    } else if (slot) {
        line_add(l, ROLE_NORMAL, "  ");
    }
}

static void row_vpc(struct view *v, struct tree_node *n, struct ui_line *l)
{
    const struct inv_resource *r = inventory_find(inv_of(v), INV_VPC, n->id);
    line_add(l, id_role(n), n->id);
    enum check_severity worst;
    if (checkindex_vpc_worst(app_check_index(v->app), n->id, &worst)) {
        line_add(l, ROLE_NORMAL, " ");
        line_add(l, app_severity_role(worst), app_severity_glyph(v->app, worst));
    }
    if (!r)
        return;
    if (r->vpc.cidr_text)
        line_addf(l, ROLE_VALUE, " %s", r->vpc.cidr_text);
    add_name(l, r->name);
    if (r->vpc.is_default)
        line_add(l, ROLE_DIM, " default");
    add_count(v, n, l, NULL);
}

static void row_az(struct view *v, struct tree_node *n, struct ui_line *l)
{
    const struct az_headroom *h = tree_az_headroom(tv(v)->tree, n);
    const char *name = h && h->zone_name ? h->zone_name : n->id;
    line_add(l, tree_node_matches(n) ? ROLE_FILTER : ROLE_NAME, name);
    if (strcmp(name, n->id) != 0)
        line_addf(l, ROLE_ID, " (%s)", n->id);
    if (h)
        line_addf(l, ROLE_DIM, "  headroom %" PRIu64 " free of %" PRIu64 " in %zu subnet%s",
                  h->free, h->usable, h->subnets, h->subnets == 1 ? "" : "s");
    add_count(v, n, l, NULL);
}

static enum theme_role level_role(enum ip_level level)
{
    return level == IP_LEVEL_CRITICAL ? ROLE_BAR_CRITICAL
           : level == IP_LEVEL_WARN   ? ROLE_BAR_WARN
                                      : ROLE_BAR_USED;
}

static void add_cells(struct ui_line *l, enum theme_role role, const char *glyph, int n)
{
    for (int i = 0; i < n; i++)
        line_add(l, role, glyph);
}

/* [endpoint|other used|free]: the filled length is the used fraction (ipusage_bar). */
static void add_bar(struct view *v, const struct ip_usage *u, struct ui_line *l)
{
    const struct ui_glyphs *g = app_glyphs(v->app);
    struct ip_bar b;
    ipusage_bar(u, BAR_CELLS, &b);
    add_cells(l, ROLE_BAR_ENDPOINT, g->bar_endpoint, b.endpoint);
    add_cells(l, level_role(ipusage_level(u)), g->bar_full, b.other);
    add_cells(l, ROLE_BAR_FREE, g->bar_free, b.free);
}

static void row_subnet(struct view *v, struct tree_node *n, struct ui_line *l)
{
    const struct inv_resource *r = inventory_find(inv_of(v), INV_SUBNET, n->id);
    const struct ip_usage *u = tree_subnet_usage(tv(v)->tree, n);
    if (u && u->has_cidr) {
        add_bar(v, u, l);
        enum ip_level level = ipusage_level(u);
        enum theme_role role = level == IP_LEVEL_CRITICAL ? ROLE_CRITICAL
                               : level == IP_LEVEL_WARN   ? ROLE_WARN
                                                          : ROLE_OK;
        line_addf(l, role, " %3.0f%% ", ipusage_percent_used(u));
    }
    line_add(l, id_role(n), n->id);
    add_finding_mark(v, INV_SUBNET, n->id, l, false);
    if (!r)
        return;
    add_name(l, r->name); /* before the long fields, so it survives a narrow pane */
    if (r->subnet.cidr_text)
        line_addf(l, ROLE_VALUE, " %s", r->subnet.cidr_text);
    if (u && u->has_cidr)
        line_addf(l, ROLE_DIM, " %" PRIu64 " free", u->effective_free);
    add_count(v, n, l, NULL);
}

static void row_eni(struct view *v, struct tree_node *n, struct ui_line *l)
{
    const struct inventory *inv = inv_of(v);
    const struct inv_resource *r = inventory_find(inv, INV_ENI, n->id);
    line_add(l, id_role(n), n->id);
    add_finding_mark(v, INV_ENI, n->id, l, false);
    if (!r)
        return;
    line_add(l, ROLE_NORMAL, " ");
    line_add_fixed(l, ROLE_VALUE, r->eni.primary_ip ? r->eni.primary_ip : "-", 15, 0);
    const char *ep = inventory_eni_endpoint(inv, n->id, NULL);
    if (ep && n->parent->kind != TREE_ENDPOINT) {
        line_add(l, ROLE_LABEL, " endpoint ");
        line_add(l, ROLE_LINK, ep);
    } else if (!ep) {
        line_addf(l, ROLE_LABEL, " %s", ipusage_owner_name(ipusage_classify_eni(inv, r)));
    }
    if (r->state && strcmp(r->state, "in-use") != 0)
        line_addf(l, ROLE_WARN, " %s", r->state);
    add_name(l, r->name);
}

/* Cells the row takes as drawn: the tree guides, then every span. */
static int line_cells(const struct ui_line *l)
{
    int w = l->indent * 2;
    for (size_t i = 0; i < l->n; i++) {
        const struct line_span *s = &l->spans[i];
        w += s->width ? s->width : draw_text_width(l->text.buf + s->offset, s->len, true);
    }
    return w;
}

/* The monthly cost, right-aligned at the pane's edge; left out when the row has no room
   for it, so it is the first thing a narrow pane drops. */
static void add_cost(struct view *v, const struct inv_resource *r, struct ui_line *l)
{
    if (r->endpoint.kind != INV_ENDPOINT_INTERFACE && r->endpoint.kind != INV_ENDPOINT_GWLB)
        return;
    struct endpoint_cost c;
    cost_endpoint(inv_of(v), app_prices(v->app), app_region(v->app), r, &c);
    struct strbuf sb;
    strbuf_init(&sb, 16);
    app_cost_add(&sb, &c);
    int room = v->width - line_cells(l) - 2; /* two cells between the row and the cost */
    if (sb.len && room >= (int)sb.len) {
        line_add(l, ROLE_NORMAL, "  ");
        line_add_fixed(l, c.basis == COST_HOURLY ? ROLE_VALUE : ROLE_DIM, sb.buf, room, 1);
    }
    strbuf_release(&sb);
}

static void row_endpoint(struct view *v, struct tree_node *n, struct ui_line *l)
{
    const struct inv_resource *r = inventory_find(inv_of(v), INV_ENDPOINT, n->id);
    if (n->parent->kind == TREE_SUBNET)
        line_add(l, ROLE_LABEL, "endpoint ");
    line_add(l, id_role(n), n->id);
    if (!r)
        return;
    add_finding_mark(v, INV_ENDPOINT, n->id, l, true);
    char *svc = netinfo_short_service(r->endpoint.service_name, r->endpoint.kind);
    line_addf(l, ROLE_VALUE, " %s", svc);
    free(svc);
    add_name(l, r->name);
    if (r->state && strcmp(r->state, "available") != 0)
        line_addf(l, ROLE_WARN, " %s", r->state);
    add_count(v, n, l, "ENI");
    add_cost(v, r, l);
}

static void row_route_table(struct view *v, struct tree_node *n, struct ui_line *l)
{
    const struct inv_resource *r = inventory_find(inv_of(v), INV_ROUTE_TABLE, n->id);
    line_add(l, id_role(n), n->id);
    add_finding_mark(v, INV_ROUTE_TABLE, n->id, l, false);
    if (r) {
        /* Route tables are few and only visible rows are drawn: decode. */
        cJSON *item = inventory_item(inv_of(v), r);
        const cJSON *a;
        bool main_table = false;
        cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(item, "Associations"))
        {
            main_table |= cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(a, "Main"));
        }
        cJSON_Delete(item);
        if (main_table)
            line_add(l, ROLE_DIM, " main");
        add_name(l, r->name);
    }
    add_count(v, n, l, "gateway endpoint");
}

static void tree_draw_row(struct view *v, size_t row, struct ui_line *l)
{
    struct tree_node *n = tree_row(tv(v)->tree, row);
    if (!n)
        return;
    l->indent = (int)n->depth;
    add_marker(v, n, l);
    switch (n->kind) {
    case TREE_ROOT:
        line_add(l, ROLE_TITLE, app_scope(v->app));
        line_addf(l, ROLE_COUNTER, " (%zu VPCs)", inventory_count(inv_of(v), INV_VPC));
        break;
    case TREE_VPC:
        row_vpc(v, n, l);
        break;
    case TREE_AZ:
        row_az(v, n, l);
        break;
    case TREE_SUBNET:
        row_subnet(v, n, l);
        break;
    case TREE_ENI:
        row_eni(v, n, l);
        break;
    case TREE_ENDPOINT:
        row_endpoint(v, n, l);
        break;
    case TREE_ENDPOINTS:
        line_add(l, ROLE_TITLE, "Endpoints");
        line_addf(l, ROLE_COUNTER, " (%zu)", tree_child_count(tv(v)->tree, n));
        break;
    case TREE_ROUTE_TABLES:
        line_add(l, ROLE_TITLE, "Route tables");
        line_addf(l, ROLE_COUNTER, " (%zu)", tree_child_count(tv(v)->tree, n));
        break;
    case TREE_ROUTE_TABLE:
        row_route_table(v, n, l);
        break;
    case TREE_ACCOUNT:
    case TREE_REGION:
        row_group(v, n, l);
        break;
    }
}

static bool tree_resource_at(struct view *v, size_t row, enum inv_type *type, const char **id)
{
    struct tree_node *n = tree_row(tv(v)->tree, row);
    return n && tree_node_resource(n, type, id);
}

static enum view_result go_parent(struct view *v)
{
    size_t p = tree_parent_row(tv(v)->tree, v->cursor);
    if (p == TREE_NO_ROW)
        return VIEW_HANDLED;
    list_set_cursor(v, p);
    return VIEW_REDRAW;
}

static enum view_result tree_key(struct view *v, enum action a, int key)
{
    (void)key;
    struct tree *t = tv(v)->tree;
    switch (a) {
    case ACT_RIGHT:
        if (tree_expand(t, v->cursor))
            return VIEW_REDRAW;
        return list_key(v, ACT_DOWN);
    case ACT_LEFT:
        if (tree_collapse(t, v->cursor))
            return VIEW_REDRAW;
        return go_parent(v);
    case ACT_TOGGLE:
        return tree_toggle(t, v->cursor) ? VIEW_REDRAW : VIEW_HANDLED;
    case ACT_ENTER: {
        struct tree_node *n = tree_row(t, v->cursor);
        if (n && !n->expanded && tree_expand(t, v->cursor))
            return VIEW_REDRAW;
        return VIEW_PASS; /* the app moves focus to the detail */
    }
    case ACT_PARENT:
        return go_parent(v);
    case ACT_EXPAND_ALL:
        return tree_expand_all(t, v->cursor) ? VIEW_REDRAW : VIEW_HANDLED;
    case ACT_COLLAPSE_ALL: {
        struct tree_node *n = tree_row(t, v->cursor);
        char *k = n ? tree_node_key(n) : NULL;
        tree_collapse_all(t);
        /* Keep the cursor on the nearest ancestor still shown. */
        size_t row = TREE_NO_ROW;
        while (k && row == TREE_NO_ROW) {
            row = tree_row_of_key(t, k);
            char *slash = strrchr(k, '/');
            if (row == TREE_NO_ROW && !slash)
                row = 0;
            else if (slash)
                *slash = '\0';
        }
        free(k);
        list_set_cursor(v, row == TREE_NO_ROW ? 0 : row);
        return VIEW_REDRAW;
    }
    default:
        return VIEW_PASS;
    }
}

/* Puts the cursor back on the node with key, or the nearest ancestor shown. */
static void restore_cursor(struct view *v, char *key, enum inv_type type, const char *id,
                           bool has_resource)
{
    struct tree *t = tv(v)->tree;
    size_t row = key ? tree_row_of_key(t, key) : TREE_NO_ROW;
    if (row == TREE_NO_ROW && has_resource && !tree_filter(t))
        row = tree_reveal(t, type, id, NULL);
    while (row == TREE_NO_ROW && key) {
        char *slash = strrchr(key, '/');
        if (!slash)
            break;
        *slash = '\0';
        row = tree_row_of_key(t, key);
    }
    list_set_cursor(v, row == TREE_NO_ROW ? 0 : row);
}

struct cursor_memo {
    char *key;
    enum inv_type type;
    char *id;
    bool has;
};

static void memo_take(struct view *v, struct cursor_memo *m)
{
    memset(m, 0, sizeof(*m));
    struct tree_node *n = tree_row(tv(v)->tree, v->cursor);
    if (!n)
        return;
    m->key = tree_node_key(n);
    const char *id;
    m->has = tree_node_resource(n, &m->type, &id);
    m->id = m->has ? xstrdup(id) : NULL;
}

static void memo_restore(struct view *v, struct cursor_memo *m)
{
    restore_cursor(v, m->key, m->type, m->id, m->has);
    free(m->key);
    free(m->id);
}

static void tree_refresh(struct view *v)
{
    struct cursor_memo m;
    memo_take(v, &m);
    tree_rebuild(tv(v)->tree);
    memo_restore(v, &m);
}

size_t treeview_set_filter(struct view *v, const char *text)
{
    struct cursor_memo m;
    memo_take(v, &m);
    size_t matches = tree_set_filter(tv(v)->tree, text);
    memo_restore(v, &m);
    /* Land on the first match when the old row is filtered away. */
    struct tree_node *n = tree_row(tv(v)->tree, v->cursor);
    if (text && *text && (!n || !tree_node_matches(n))) {
        for (size_t r = 0; r < tree_row_count(tv(v)->tree); r++) {
            if (tree_node_matches(tree_row(tv(v)->tree, r))) {
                list_set_cursor(v, r);
                break;
            }
        }
    }
    return matches;
}

void treeview_prepare_filter(struct view *v)
{
    /* It rebuilds the tree when the inventory changed since the last paint. */
    struct cursor_memo m;
    memo_take(v, &m);
    tree_prepare_filter(tv(v)->tree);
    memo_restore(v, &m);
}

static void tree_filter_op(struct view *v, const char *text)
{
    treeview_set_filter(v, text);
}

static void tree_title(struct view *v, struct ui_line *l)
{
    line_add(l, ROLE_TITLE, "Tree");
    const char *f = tree_filter(tv(v)->tree);
    if (f) {
        line_add(l, ROLE_DIM, "  filter ");
        line_add(l, ROLE_FILTER, f);
    }
    line_addf(l, ROLE_DIM, "  %zu/%zu", tree_rows(v) ? v->cursor + 1 : 0, tree_rows(v));
}

struct tree *treeview_tree(struct view *v)
{
    return tv(v)->tree;
}

bool treeview_reveal(struct view *v, enum inv_type type, const char *id)
{
    struct tree_node *cur = tree_row(tv(v)->tree, v->cursor);
    char *near = cur && tree_node_vpc(cur) ? xstrdup(tree_node_vpc(cur)) : NULL;
    size_t row = tree_reveal(tv(v)->tree, type, id, near);
    free(near);
    if (row == TREE_NO_ROW)
        return false;
    list_set_cursor(v, row);
    return true;
}

bool treeview_jump_kind(struct view *v, enum tree_kind kind)
{
    struct tree *t = tv(v)->tree;
    size_t row = tree_next_of_kind(t, kind, v->cursor + 1);
    if (row != TREE_NO_ROW) {
        list_set_cursor(v, row);
        return true;
    }
    static const struct {
        enum tree_kind kind;
        enum inv_type type;
    } map[] = {{TREE_VPC, INV_VPC},
               {TREE_SUBNET, INV_SUBNET},
               {TREE_ENI, INV_ENI},
               {TREE_ENDPOINT, INV_ENDPOINT}};
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        if (map[i].kind != kind)
            continue;
        const struct inv_resource *r = inventory_at(inv_of(v), map[i].type, 0);
        return r && treeview_reveal(v, map[i].type, r->id);
    }
    return false;
}

const struct view_ops tree_view_ops = {
    .name = "tree",
    .priv_size = sizeof(struct treeview),
    .open = tree_open,
    .close = tree_close,
    .row_count = tree_rows,
    .draw_row = tree_draw_row,
    .key = tree_key,
    .resource_at = tree_resource_at,
    .reload = tree_refresh,
    .filter = tree_filter_op,
    .title = tree_title,
};
