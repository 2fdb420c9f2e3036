/*
 * The IP holders view (":ip ADDRESS" when several ENIs hold the address, as
 * overlapping CIDRs in different VPCs allow): one row per ENI with its VPC,
 * subnet, the address and who uses it; Enter shows the ENI. The holders are
 * looked up again when a refresh lands.
 */
#include "vpcx/core/xalloc.h"
#include "vpcx/model/inventory.h"
#include "vpcx/model/ipusage.h"
#include "vpcx/ui/app.h"
#include "vpcx/ui/listwidget.h"
#include "vpcx/ui/views.h"

#include <stdlib.h>
#include <string.h>

#define HEADER_ROWS 1
#define ENI_W       23
#define VPC_W       35
#define SUBNET_W    26
#define MIN_NAME_W  4 /* a Name tag cut shorter than this says nothing */

struct ipview {
    char **eni_ids; /* IDs, not pointers: they survive a refresh */
    size_t n;
};

static struct ipview *ipv(struct view *v)
{
    return v->priv;
}

/* The address shown (args.id); "" when opened without one, which lists nothing. */
static const char *ip_text(struct view *v)
{
    return v->args.id ? v->args.id : "";
}

static void holders_clear(struct ipview *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->eni_ids[i]);
    free(p->eni_ids);
    p->eni_ids = NULL;
    p->n = 0;
}

static void holders_load(struct view *v)
{
    struct ipview *p = ipv(v);
    holders_clear(p);
    const struct inv_resource **enis = NULL;
    p->n = inventory_find_enis_by_ip(app_inventory(v->app), ip_text(v), &enis);
    p->eni_ids = xcalloc(p->n ? p->n : 1, sizeof(*p->eni_ids));
    for (size_t i = 0; i < p->n; i++)
        p->eni_ids[i] = xstrdup(enis[i]->id);
    free(enis);
}

static void ip_open(struct view *v, const struct view_args *args)
{
    (void)args;
    holders_load(v);
    v->cursor = HEADER_ROWS;
}

static void ip_close(struct view *v)
{
    holders_clear(ipv(v));
}

static size_t ip_rows(struct view *v)
{
    return HEADER_ROWS + (ipv(v)->n ? ipv(v)->n : 1);
}

/* "vpc-0abc prod": the ID, then the Name tag when there is one. */
static void add_named(struct ui_line *l, const struct inventory *inv, enum inv_type type,
                      const char *id, int width)
{
    const struct inv_resource *r = id ? inventory_find(inv, type, id) : NULL;
    int id_w = id ? (int)strlen(id) + 1 : 2;
    if (!r || !r->name || !*r->name || width - id_w < MIN_NAME_W) {
        line_add_fixed(l, ROLE_ID, id ? id : "?", width, 0);
        return;
    }
    line_add_fixed(l, ROLE_ID, id, id_w, 0);
    line_add_fixed(l, ROLE_NAME, r->name, width - id_w, 0);
}

/* Who uses the ENI: its endpoint, else its owner class and description. */
static void add_owner(struct ui_line *l, const struct inventory *inv, const struct inv_resource *e)
{
    line_add(l, ROLE_VALUE, ipusage_owner_name(ipusage_classify_eni(inv, e)));
    const char *endpoint = inventory_eni_endpoint(inv, e->id, NULL);
    if (endpoint) {
        line_add(l, ROLE_NORMAL, " ");
        line_add(l, ROLE_ID, endpoint);
    } else if (e->eni.description && *e->eni.description) {
        line_add(l, ROLE_NORMAL, " ");
        line_add(l, ROLE_DIM, e->eni.description);
    }
}

static void header_row(struct view *v, struct ui_line *l)
{
    int ip_w = (int)strlen(ip_text(v)) + 2;
    line_add_fixed(l, ROLE_LABEL, "Network interface", ENI_W, 0);
    line_add_fixed(l, ROLE_LABEL, "VPC", VPC_W, 0);
    line_add_fixed(l, ROLE_LABEL, "Subnet", SUBNET_W, 0);
    line_add_fixed(l, ROLE_LABEL, "IP", ip_w, 0);
    line_add(l, ROLE_LABEL, "Owner / description");
}

static void ip_draw_row(struct view *v, size_t row, struct ui_line *l)
{
    struct ipview *p = ipv(v);
    if (row < HEADER_ROWS) {
        header_row(v, l);
        return;
    }
    const struct inventory *inv = app_inventory(v->app);
    const struct inv_resource *e =
        p->n ? inventory_find(inv, INV_ENI, p->eni_ids[row - HEADER_ROWS]) : NULL;
    if (!e) {
        line_addf(l, ROLE_WARN, "no network interface holds %s now", ip_text(v));
        return;
    }
    line_add_fixed(l, ROLE_ID, e->id, ENI_W, 0);
    add_named(l, inv, INV_VPC, e->vpc_id, VPC_W);
    add_named(l, inv, INV_SUBNET, e->eni.subnet_id, SUBNET_W);
    line_add_fixed(l, ROLE_VALUE, ip_text(v), (int)strlen(ip_text(v)) + 2, 0);
    add_owner(l, inv, e);
}

static bool ip_resource_at(struct view *v, size_t row, enum inv_type *type, const char **id)
{
    struct ipview *p = ipv(v);
    if (row < HEADER_ROWS || row - HEADER_ROWS >= p->n)
        return false;
    *type = INV_ENI;
    *id = p->eni_ids[row - HEADER_ROWS];
    return true;
}

/* Enter shows the ENI in the tree (or the detail when the tree has no place for it). */
static enum view_result ip_follow(struct view *v)
{
    enum inv_type type;
    const char *id;
    if (!ip_resource_at(v, v->cursor, &type, &id))
        return VIEW_HANDLED;
    app_go_to(v->app, type, id); /* closes this view */
    return VIEW_HANDLED;
}

static enum view_result ip_key(struct view *v, enum action a, int key)
{
    (void)key;
    if (a == ACT_QUIT || a == ACT_BACK)
        return VIEW_CLOSE;
    if (a == ACT_ENTER)
        return ip_follow(v);
    return VIEW_PASS;
}

static void ip_reload(struct view *v)
{
    enum inv_type type;
    const char *id;
    char *keep = ip_resource_at(v, v->cursor, &type, &id) ? xstrdup(id) : NULL;
    holders_load(v);
    struct ipview *p = ipv(v);
    for (size_t i = 0; keep && i < p->n; i++)
        if (strcmp(p->eni_ids[i], keep) == 0)
            v->cursor = HEADER_ROWS + i;
    free(keep);
    list_clamp(v, v->height);
}

static void ip_title(struct view *v, struct ui_line *l)
{
    size_t n = ipv(v)->n;
    line_add(l, ROLE_TITLE, "IP ");
    line_add(l, ROLE_VALUE, ip_text(v));
    line_addf(l, ROLE_COUNTER, "  held by %zu network interface%s", n, n == 1 ? "" : "s");
    line_add(l, ROLE_DIM, "  Enter: show  q/Esc: close");
}

const struct view_ops ip_view_ops = {
    .name = "ip",
    .priv_size = sizeof(struct ipview),
    .open = ip_open,
    .close = ip_close,
    .row_count = ip_rows,
    .draw_row = ip_draw_row,
    .key = ip_key,
    .resource_at = ip_resource_at,
    .reload = ip_reload,
    .title = ip_title,
};
