/* The help view: generated from the keymap's action table, so it is never stale. */
#include "vpcx/core/xalloc.h"
#include "vpcx/ui/app.h"
#include "vpcx/ui/views.h"

#include <stdlib.h>

#define KEYS_WIDTH 22

static const char *const commands[][2] = {
    {":vpc :subnet :vpce :eni", "jump to the next VPC, subnet, endpoint or ENI"},
    {":ip ADDRESS", "jump to the ENI holding a private IPv4 or IPv6 address (a list if several)"},
    {":ID", "jump to a resource by ID (vpc-, subnet-, eni-, vpce-, rtb-...)"},
    {":matrix :policy", "open the endpoint x AZ matrix, the endpoint policy"},
    {":save [FILE] :diff FILE", "save a snapshot; compare the inventory with one"},
    {":create :modify :delete", "endpoint forms (read-only unless --write; SIMULATED in --demo)"},
    {":export [FORMAT] [FILE]", "terraform, cloudformation, cfn-import or cli; no FILE: clipboard"},
    {":unmark", "clear the endpoints marked with Space"},
    {":tour [N]  :explain [TOPIC]", "the guided tour (n, p, q); what the selection is"},
    {":help  :q", "this help; quit"},
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))
/* Rows: title, actions, blank, title, commands, blank, config note. */
#define ROW_ACTIONS  1
#define ROW_COMMANDS (ROW_ACTIONS + (ACT_COUNT - 1) + 2)
#define ROW_COUNT    (ROW_COMMANDS + N_COMMANDS + 4)

static size_t help_rows(struct view *v)
{
    (void)v;
    return ROW_COUNT;
}

static void action_row(struct view *v, enum action a, struct ui_line *l)
{
    char *keys = keymap_keys_for(app_keymap(v->app), a);
    line_add(l, ROLE_NORMAL, "  ");
    line_add_fixed(l, *keys ? ROLE_ID : ROLE_DIM, *keys ? keys : "(unbound)", KEYS_WIDTH, 0);
    line_add(l, ROLE_NORMAL, " ");
    line_add_fixed(l, ROLE_LABEL, action_name(a), 14, 0);
    line_add(l, ROLE_NORMAL, " ");
    line_add(l, ROLE_VALUE, action_help(a));
    free(keys);
}

static void help_draw_row(struct view *v, size_t row, struct ui_line *l)
{
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
        line_add_fixed(l, ROLE_ID, commands[i][0], KEYS_WIDTH + 15, 0);
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
    }
}

static enum view_result help_key(struct view *v, enum action a, int key)
{
    (void)v;
    (void)key;
    if (a == ACT_QUIT || a == ACT_BACK || a == ACT_HELP)
        return VIEW_CLOSE;
    return VIEW_PASS;
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
};
