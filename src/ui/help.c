/* The help view: generated from the keymap's action table, so it is never stale. */
#include "vpcx/core/xalloc.h"
#include "vpcx/model/ipusage.h"
#include "vpcx/ui/app.h"
#include "vpcx/ui/views.h"

#include <inttypes.h>
#include <stdlib.h>

/* The keys column; narrower below 100 columns so the descriptions fit at 80. */
static int keys_width(void)
{
    return COLS < 100 ? 13 : 22;
}

static const char *const commands[][2] = {
    {":vpc :subnet :vpce :eni", "jump to the next VPC, subnet, endpoint or ENI"},
    {":ip ADDRESS", "jump to the ENI holding a private IPv4 or IPv6 address (a list if several)"},
    {":sg :acl :rtb [ID]",
     "a security group, network ACL or route table: by ID, else the selection's"},
    {":ID", "jump to a resource by ID (vpc-, subnet-, eni-, vpce-, sg-, acl-, rtb-...)"},
    {":matrix :policy", "open the endpoint x AZ matrix, the endpoint policy"},
    {":check", "the findings of the checks by severity (also !); i shows ignored ones"},
    {":region [+]NAME :profile [+]NAME",
     "with several accounts or regions: switch to NAME, or add it (+)"},
    {":save [FILE] :diff FILE", "save a snapshot; compare the inventory with one"},
    {":create :modify :delete", "endpoint forms (read-only unless --write; SIMULATED in --demo)"},
    {":export [FORMAT] [FILE]", "terraform, cloudformation, cfn-import or cli; no FILE: clipboard"},
    {":unmark", "clear the endpoints marked with Space"},
    {":tour [N]  :explain [TOPIC]", "the guided tour (n, p, q); what the selection is"},
    {":help  :q", "this help; quit"},
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))
/* Rows: title, actions, blank, title, commands, blank, config note, blank, legend. */
#define ROW_ACTIONS  1
#define ROW_COMMANDS (ROW_ACTIONS + (ACT_COUNT - 1) + 2)
#define ROW_LEGEND   (ROW_COMMANDS + N_COMMANDS + 5)
#define N_LEGEND     10
#define ROW_COUNT    (ROW_LEGEND + N_LEGEND)

/* Addresses of every subnet: [0] endpoints, [1] other owners, [2] free. */
static void address_totals(struct view *v, uint64_t out[3])
{
    const struct inventory *inv = app_inventory(v->app);
    out[0] = out[1] = out[2] = 0;
    for (size_t i = 0; i < inventory_count(inv, INV_SUBNET); i++) {
        struct ip_usage u;
        ipusage_compute(inv, inventory_at(inv, INV_SUBNET, i), &u);
        if (!u.has_cidr)
            continue;
        uint64_t used = u.usable - u.effective_free;
        uint64_t ep = u.by_owner[IP_OWNER_ENDPOINT] < used ? u.by_owner[IP_OWNER_ENDPOINT] : used;
        out[0] += ep;
        out[1] += used - ep;
        out[2] += u.effective_free;
    }
}

static void legend_row(struct view *v, size_t i, struct ui_line *l)
{
    const struct ui_glyphs *g = app_glyphs(v->app);
    uint64_t t[3];
    line_add(l, ROLE_NORMAL, "  ");
    switch (i) {
    case 0:
        line_add(l, ROLE_TITLE, "Legend: subnet IP bars (filled = share of usable addresses used)");
        break;
    case 1:
        address_totals(v, t);
        line_add(l, ROLE_BAR_ENDPOINT, g->bar_endpoint);
        line_addf(l, ROLE_VALUE, " VPC endpoint ENIs   %" PRIu64 " addresses", t[0]);
        break;
    case 2:
        address_totals(v, t);
        line_add(l, ROLE_BAR_USED, g->bar_full);
        line_add(l, ROLE_BAR_WARN, g->bar_full);
        line_add(l, ROLE_BAR_CRITICAL, g->bar_full);
        line_addf(l, ROLE_VALUE, " other owners      %" PRIu64 " addresses", t[1]);
        break;
    case 3:
        address_totals(v, t);
        line_add(l, ROLE_BAR_FREE, g->bar_free);
        line_addf(l, ROLE_VALUE, " free                %" PRIu64 " addresses", t[2]);
        break;
    case 4:
        line_addf(
            l, ROLE_DIM,
            "colour: ok under %.0f%%, warn from %.0f%%, critical from %.0f%% or under %d free;",
            IPUSAGE_WARN_PERCENT, IPUSAGE_WARN_PERCENT, IPUSAGE_CRITICAL_PERCENT,
            IPUSAGE_CRITICAL_FREE);
        break;
    case 5:
        line_add(l, ROLE_DIM, "any use fills one cell, 3% at most one of ten; only 100% fills all");
        break;
    case 6:
        line_add(l, ROLE_FINDING_ERROR, app_severity_glyph(v->app, CHECK_ERROR));
        line_add(l, ROLE_NORMAL, " ");
        line_add(l, ROLE_FINDING_WARNING, app_severity_glyph(v->app, CHECK_WARNING));
        line_add(l, ROLE_NORMAL, " ");
        line_add(l, ROLE_FINDING_INFO, app_severity_glyph(v->app, CHECK_INFO));
        line_add(l, ROLE_VALUE, " after an ID: its worst finding (error, warning, info); ! lists");
        break;
    case 7:
        line_add(l, ROLE_VALUE, "      them; on a VPC row, the worst finding inside the VPC");
        break;
    case 8:
        line_add(l, ROLE_VALUE,
                 "$21.90/mo on an endpoint row: ENIs x 730 h x the hourly price, + per-GB");
        break;
    case 9:
        line_add(l, ROLE_DIM,
                 "          (interface and GWLB endpoints; left out when the pane is narrow)");
        break;
    }
}

static size_t help_rows(struct view *v)
{
    (void)v;
    return ROW_COUNT;
}

static void action_row(struct view *v, enum action a, struct ui_line *l)
{
    char *keys = keymap_keys_for(app_keymap(v->app), a);
    line_add(l, ROLE_NORMAL, "  ");
    line_add_fixed(l, *keys ? ROLE_ID : ROLE_DIM, *keys ? keys : "(unbound)", keys_width(), 0);
    line_add(l, ROLE_NORMAL, " ");
    line_add_fixed(l, ROLE_LABEL, action_name(a), 14, 0);
    line_add(l, ROLE_NORMAL, " ");
    line_add(l, ROLE_VALUE, action_help(a));
    free(keys);
}

/* The last row on screen says there is more, as less does; the row it covers shows
   once the view scrolls. */
static bool more_row(struct view *v, size_t row, struct ui_line *l)
{
    size_t h = (size_t)(v->height > 1 ? v->height : 0);
    if (!h || row != v->top + h - 1 || row + 1 >= ROW_COUNT)
        return false;
    line_addf(l, ROLE_STATUS, "-- more: rows %zu-%zu of %zu  j/k, C-d/C-u, PgDn/PgUp, G --",
              v->top + 1, row, (size_t)ROW_COUNT);
    return true;
}

static void help_draw_row(struct view *v, size_t row, struct ui_line *l)
{
    if (more_row(v, row, l))
        return;
    if (row == 0) {
        line_add(l, ROLE_TITLE, "Keys (remap with 'bind KEY ACTION' in ~/.config/vpcx/config)");
    } else if (row < ROW_ACTIONS + ACT_COUNT - 1) {
        action_row(v, (enum action)(row - ROW_ACTIONS + 1), l);
    } else if (row < ROW_COMMANDS - 1) {
        return; /* the blank row between the sections */
    } else if (row == ROW_COMMANDS - 1) {
        line_add(l, ROLE_TITLE, "Commands (after :)");
    } else if (row < ROW_COMMANDS + N_COMMANDS) {
        size_t i = row - ROW_COMMANDS;
        line_add(l, ROLE_NORMAL, "  ");
        line_add_fixed(l, ROLE_ID, commands[i][0], keys_width() + 15, 0);
        line_add(l, ROLE_NORMAL, " ");
        line_add(l, ROLE_VALUE, commands[i][1]);
    } else if (row == ROW_COMMANDS + N_COMMANDS + 1) {
        line_add(l, ROLE_TITLE, "Config");
    } else if (row == ROW_COMMANDS + N_COMMANDS + 2) {
        line_add(
            l, ROLE_DIM,
            "  set mouse on | set theme NAME | set max-age 15m | bind KEY ACTION | unbind KEY");
    } else if (row == ROW_COMMANDS + N_COMMANDS + 3) {
        line_add(l, ROLE_DIM,
                 "  profile NAME write true   enable endpoint create/modify/delete for a profile");
    } else if (row >= ROW_LEGEND) {
        legend_row(v, row - ROW_LEGEND, l);
    }
}

/* Help has no cursor: the moves scroll the text (the cursor rides on the top row). */
static enum view_result help_key(struct view *v, enum action a, int key)
{
    (void)key;
    if (a == ACT_QUIT || a == ACT_BACK || a == ACT_HELP)
        return VIEW_CLOSE;
    size_t h = (size_t)(v->height > 0 ? v->height : 1), top = v->top;
    size_t max_top = ROW_COUNT > h ? ROW_COUNT - h : 0;
    size_t step = a == ACT_UP || a == ACT_DOWN             ? 1
                  : a == ACT_HALF_UP || a == ACT_HALF_DOWN ? (h / 2 ? h / 2 : 1)
                  : a == ACT_PAGE_UP || a == ACT_PAGE_DOWN ? (h > 2 ? h - 2 : 1)
                                                           : 0;
    if (a == ACT_HOME)
        v->top = 0;
    else if (a == ACT_END)
        v->top = max_top;
    else if (step && (a == ACT_DOWN || a == ACT_HALF_DOWN || a == ACT_PAGE_DOWN))
        v->top = v->top + step < max_top ? v->top + step : max_top;
    else if (step)
        v->top = v->top > step ? v->top - step : 0;
    else
        return VIEW_PASS;
    v->cursor = v->top;
    return v->top == top ? VIEW_HANDLED : VIEW_REDRAW;
}

static void help_title(struct view *v, struct ui_line *l)
{
    (void)v;
    line_add(l, ROLE_TITLE, "Help");
    line_add(l, ROLE_DIM, "  q or Esc to close");
}

const struct view_ops help_view_ops = {
    .name = "help",
    .row_count = help_rows,
    .draw_row = help_draw_row,
    .key = help_key,
    .title = help_title,
    .draws_cursor = true,
};
