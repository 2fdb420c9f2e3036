/* The endpoint forms' rows: the fields, the picker, the preview and the progress. */
#include "form_internal.h"

#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"
#include "vpcx/model/policy.h"
#include "vpcx/sync/mutate.h"
#include "vpcx/ui/app.h"
#include "vpcx/ui/clifmt.h"
#include "vpcx/ui/listwidget.h"
#include "vpcx/ui/shorten.h"

#include <stdlib.h>
#include <string.h>

/* ---- rows ---- */

static struct ui_line *row_add(struct form *f, enum row_kind kind, size_t index)
{
    if (f->n_rows == f->alloc) {
        f->alloc = f->alloc ? f->alloc * 2 : 64;
        f->rows = xreallocarray(f->rows, f->alloc, sizeof(*f->rows));
    }
    struct row *r = &f->rows[f->n_rows++];
    r->kind = kind;
    r->index = index;
    line_init(&r->line);
    return &r->line;
}

void form_rows_clear(struct form *f)
{
    for (size_t i = 0; i < f->n_rows; i++)
        line_finish(&f->rows[i].line);
    f->n_rows = 0;
}

static size_t wrap_width(const char *prefix)
{
    int w = COLS - (int)strlen(prefix) - 2;
    return w > 20 ? (size_t)w : 20;
}

/* Text wrapped at spaces into display rows, the first with prefix. */
static void text_rows(struct form *f, enum theme_role role, const char *prefix, const char *text)
{
    size_t width = wrap_width(prefix);
    const char *p = text ? text : "";
    bool first = true;
    do {
        size_t n = strcspn(p, "\n");
        if (n > width) {
            size_t cut = width;
            while (cut > width / 2 && p[cut] != ' ')
                cut--;
            n = p[cut] == ' ' ? cut : width;
        }
        struct ui_line *l = row_add(f, R_TEXT, 0);
        line_add(l, ROLE_NORMAL, first ? prefix : "");
        if (!first)
            line_addf(l, ROLE_NORMAL, "%*s", (int)strlen(prefix), "");
        line_addn(l, role, p, n);
        p += n;
        while (*p == ' ' || *p == '\n')
            p++;
        first = false;
    } while (*p);
}

static void blank_row(struct form *f)
{
    row_add(f, R_TEXT, 0);
}

static void field(struct form *f, enum row_kind kind, size_t index, const char *label,
                  enum theme_role role, const char *value)
{
    struct ui_line *l = row_add(f, kind, index);
    line_add(l, ROLE_NORMAL, "  ");
    line_add_fixed(l, ROLE_LABEL, label, LABEL_W, 0);
    line_add(l, role, value);
}

static const char *check(bool on)
{
    return on ? "[x] " : "[ ] ";
}

static void mode_banner(struct form *f)
{
    enum mutate_mode mode = mutate_gate_mode(app_gate(f->app));
    struct ui_line *l = row_add(f, R_TEXT, 0);
    if (mode == MUTATE_SIMULATED)
        line_add(l, ROLE_WARN,
                 "SIMULATED: changes apply to the local inventory only; nothing "
                 "is sent to AWS");
    else if (mode == MUTATE_LIVE)
        line_addf(l, ROLE_CRITICAL, "WRITE: changes are sent to AWS (enabled by %s)",
                  mutate_gate_reason(app_gate(f->app)));
    else
        line_add(l, ROLE_DIM,
                 "read-only: the form can be filled in, but submitting is refused "
                 "(start vpcx with --write to send changes)");
}

static void error_rows(struct form *f)
{
    if (!f->error)
        return;
    text_rows(f, ROLE_ERROR, "error: ", f->error);
    if (f->hint)
        text_rows(f, ROLE_WARN, "hint:  ", f->hint);
}

/* Column widths for a list of choices: names first (they are what people read), then the
   label, then the ID; names and IDs shortened as sets so that none looks like another. */
struct choice_cols {
    int name_w, label_w, id_w;
    char **names, **ids;
};

static int max_len(const struct choices *c, bool names)
{
    int w = 0;
    for (size_t i = 0; i < c->n; i++) {
        int n = (int)strlen(names ? c->v[i].name : c->v[i].label);
        w = n > w ? n : w;
    }
    return w;
}

static void choice_cols_init(struct form *f, struct choice_cols *k, const struct choices *c)
{
    int room = COLS - 2 - LABEL_W - 4 - 1;
    k->label_w = max_len(c, false);
    int longest_id = 0;
    for (size_t i = 0; i < c->n; i++)
        longest_id = (int)strlen(c->v[i].id) > longest_id ? (int)strlen(c->v[i].id) : longest_id;
    int name = max_len(c, true);
    k->name_w = name < 24 ? name : 24;
    int gaps = (k->name_w ? 2 : 0) + (k->label_w ? 2 : 0);
    /* Narrow: the ID gives way first (down to 12), then the name (down to 8). */
    k->id_w = room - k->name_w - k->label_w - gaps;
    if (k->id_w < 12 && k->name_w > 8) {
        int take = 12 - k->id_w < k->name_w - 8 ? 12 - k->id_w : k->name_w - 8;
        k->name_w -= take;
        k->id_w += take;
    }
    if (k->id_w > longest_id)
        k->id_w = longest_id;
    if (k->id_w < 4)
        k->id_w = 4;
    const char **names = xcalloc(c->n + 1, sizeof(*names)), **ids = xcalloc(c->n + 1, sizeof(*ids));
    for (size_t i = 0; i < c->n; i++) {
        names[i] = c->v[i].name;
        ids[i] = c->v[i].id;
    }
    k->names = xcalloc(c->n + 1, sizeof(*k->names));
    k->ids = xcalloc(c->n + 1, sizeof(*k->ids));
    shorten_names(names, c->n, k->name_w, app_glyphs(f->app)->ellipsis, k->names);
    shorten_names(ids, c->n, k->id_w, app_glyphs(f->app)->ellipsis, k->ids);
    free(names);
    free(ids);
}

static void choice_cols_finish(struct choice_cols *k, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(k->names[i]);
        free(k->ids[i]);
    }
    free(k->names);
    free(k->ids);
}

static void choice_rows(struct form *f, enum row_kind kind, const char *label,
                        const struct choices *c, const char *none)
{
    if (!c->n) {
        field(f, R_TEXT, 0, label, ROLE_DIM, none);
        return;
    }
    struct choice_cols k;
    choice_cols_init(f, &k, c);
    for (size_t i = 0; i < c->n; i++) {
        const struct choice *ch = &c->v[i];
        struct ui_line *l = row_add(f, kind, i);
        line_add(l, ROLE_NORMAL, "  ");
        line_add_fixed(l, ROLE_LABEL, i == 0 ? label : "", LABEL_W, 0);
        line_add(l, ch->disabled ? ROLE_DIM : ROLE_VALUE, ch->disabled ? "[-] " : check(ch->on));
        if (k.name_w) {
            line_add_fixed(l, ch->disabled ? ROLE_DIM : ROLE_NAME, k.names[i], k.name_w, 0);
            line_add(l, ROLE_NORMAL, "  ");
        }
        if (k.label_w) {
            line_add_fixed(l, ROLE_DIM, ch->label, k.label_w, 0);
            line_add(l, ROLE_NORMAL, "  ");
        }
        line_add(l, ch->disabled ? ROLE_DIM : ROLE_ID, k.ids[i]);
        if (ch->disabled)
            line_add(l, ROLE_DIM, "  (zone not offered by the service)");
    }
    choice_cols_finish(&k, c->n);
}

static void text_field(struct form *f, enum row_kind kind, const char *label, struct strbuf *sb,
                       const char *empty)
{
    struct ui_line *l = row_add(f, kind, 0);
    line_add(l, ROLE_NORMAL, "  ");
    line_add_fixed(l, ROLE_LABEL, label, LABEL_W, 0);
    if (f->editing == sb) {
        line_add(l, ROLE_FILTER, sb->buf);
        line_add(l, ROLE_SELECTED, " ");
        line_add(l, ROLE_DIM, "  Enter: done  Esc: undo");
    } else if (sb->len) {
        /* One row: a document from $EDITOR is shown compact (newlines would be escaped). */
        cJSON *doc = sb == &f->policy ? cJSON_Parse(sb->buf) : NULL;
        char *compact = doc ? cJSON_PrintUnformatted(doc) : NULL;
        line_add(l, ROLE_VALUE, compact ? compact : sb->buf);
        cJSON_free(compact);
        cJSON_Delete(doc);
    } else {
        line_add(l, ROLE_DIM, empty);
    }
}

static void policy_rows(struct form *f)
{
    field(f, R_POLICY_MODE, 0, "Policy", ROLE_VALUE,
          f->custom_policy ? "custom  (Space: full access)"
                           : "full access, AWS's default  (Space: custom)");
    if (f->custom_policy)
        text_field(f, R_POLICY_TEXT, "  document", &f->policy, "(empty: Enter edits, E: $EDITOR)");
}

/* The warnings and notes; the errors that block are under the submit button. */
static void finding_rows(struct form *f)
{
    size_t n = 0;
    for (size_t i = 0; i < f->report.n; i++)
        n += f->report.v[i].severity != PREFLIGHT_ERROR;
    if (!n)
        return;
    blank_row(f);
    struct ui_line *l = row_add(f, R_TEXT, 0);
    line_add(l, ROLE_TITLE, "Pre-flight checks");
    for (size_t i = 0; i < f->report.n; i++) {
        const struct preflight_finding *x = &f->report.v[i];
        if (x->severity == PREFLIGHT_ERROR)
            continue;
        enum theme_role role = x->severity == PREFLIGHT_WARNING ? ROLE_WARN : ROLE_DIM;
        char *prefix = xasprintf("  %-8s ", preflight_severity_name(x->severity));
        text_rows(f, role, prefix, x->text);
        free(prefix);
    }
}

static size_t blocking_count(struct form *f, char **local)
{
    *local = form_local_problem(f);
    size_t n = *local ? 1 : 0;
    for (size_t i = 0; i < f->report.n; i++)
        n += f->report.v[i].severity == PREFLIGHT_ERROR;
    return n;
}

/* The button, and right under it what blocks it: seen with the button, even at 80x24. */
static void submit_row(struct form *f)
{
    char *local;
    size_t n = blocking_count(f, &local);
    blank_row(f);
    struct ui_line *l = row_add(f, R_SUBMIT, 0);
    line_add(l, ROLE_NORMAL, "  ");
    line_add(l, n ? ROLE_DIM : ROLE_OK, "[ Check and preview ]");
    if (n)
        line_addf(l, ROLE_ERROR, "  blocked by %zu error%s:", n, n == 1 ? "" : "s");
    else
        line_add(l, ROLE_DIM, "  Enter: DryRun, then the command to confirm");
    if (local)
        text_rows(f, ROLE_ERROR, "    error  ", local);
    free(local);
    for (size_t i = 0; i < f->report.n; i++)
        if (f->report.v[i].severity == PREFLIGHT_ERROR)
            text_rows(f, ROLE_ERROR, "    error  ", f->report.v[i].text);
}

void form_reveal_below(struct view *v)
{
    struct form *f = fm(v);
    size_t h = (size_t)(v->height > 0 ? v->height : 1), end = v->cursor + 1;
    while (end < f->n_rows && f->rows[end].kind == R_TEXT && f->rows[end].line.n)
        end++;
    if (end > v->top + h)
        v->top = end - h;
    if (v->top > v->cursor)
        v->top = v->cursor;
}

static void create_rows(struct form *f)
{
    field(f, R_VPC, 0, "VPC", ROLE_ID, f->vpc_id ? f->vpc_id : "(no VPC in the inventory)");
    field(f, R_SERVICE, 0, "Service", f->service ? ROLE_NAME : ROLE_DIM,
          f->service ? f->service : "(Enter to choose)");
    struct strbuf sb;
    strbuf_init(&sb, 64);
    strbuf_addstr(&sb, preflight_kind_text(f->type));
    unsigned kinds = f->service ? form_service_kinds(app_inventory(f->app), f->service) : 0;
    if (kinds & (kinds - 1))
        strbuf_addstr(&sb, "  (Space: next type the service offers)");
    field(f, R_TYPE, 0, "Type", ROLE_VALUE, sb.buf);
    strbuf_release(&sb);
}

static void fields_rows(struct form *f)
{
    bool gw = f->type == INV_ENDPOINT_GATEWAY;
    if (!gw)
        choice_rows(f, R_SUBNET, "Subnets", &f->subnets, "(no subnets in this VPC)");
    if (is_interface(f))
        choice_rows(f, R_GROUP, "Security groups", &f->groups, "(no security groups)");
    if (gw)
        choice_rows(f, R_RTB, "Route tables", &f->rtbs, "(no route tables)");
    if (is_interface(f)) {
        struct ui_line *l = row_add(f, R_DNS, 0);
        line_add(l, ROLE_NORMAL, "  ");
        line_add_fixed(l, ROLE_LABEL, "Private DNS", LABEL_W, 0);
        line_add(l, ROLE_VALUE, check(f->private_dns));
        line_add(l, ROLE_DIM, "enabled");
    }
    if (f->kind == FORM_CREATE && !gw)
        field(f, R_IPTYPE, 0, "IP address type", ROLE_VALUE,
              ip_types[f->ip_type] ? ip_types[f->ip_type] : "(AWS's default)");
    policy_rows(f);
    if (f->kind == FORM_CREATE) {
        text_field(f, R_NAME, "Name", &f->name, "(none)");
        text_field(f, R_TAGS, "Other tags", &f->tags, "(none: KEY=VALUE, KEY2=VALUE2)");
    }
}

static void edit_rows(struct form *f)
{
    mode_banner(f);
    error_rows(f);
    blank_row(f);
    if (f->kind == FORM_CREATE)
        create_rows(f);
    else
        field(f, R_TEXT, 0, "Endpoint", ROLE_ID, f->endpoint_id);
    if (f->kind == FORM_MODIFY) {
        field(f, R_TEXT, 0, "Service", ROLE_NAME, f->service ? f->service : "?");
        field(f, R_TEXT, 0, "Type", ROLE_VALUE, preflight_kind_text(f->type));
    }
    fields_rows(f);
    submit_row(f);
    finding_rows(f);
}

static void delete_rows(struct form *f)
{
    mode_banner(f);
    error_rows(f);
    blank_row(f);
    field(f, R_TEXT, 0, "Endpoint", ROLE_ID, f->endpoint_id);
    field(f, R_TEXT, 0, "Service", ROLE_NAME, f->service ? f->service : "?");
    field(f, R_TEXT, 0, "Type", ROLE_VALUE, preflight_kind_text(f->type));
    const struct inv_resource *r =
        inventory_find(app_inventory(f->app), INV_ENDPOINT, f->endpoint_id);
    field(f, R_TEXT, 0, "State", ROLE_VALUE, r && r->state ? r->state : "?");
    blank_row(f);
    text_rows(f, ROLE_WARN, "  ",
              "Deleting removes the endpoint and its network interfaces. Type the endpoint ID "
              "below exactly, then Enter. Esc cancels.");
    struct ui_line *l = row_add(f, R_TYPED_ID, 0);
    line_add(l, ROLE_NORMAL, "  ");
    line_add_fixed(l, ROLE_LABEL, "Endpoint ID", LABEL_W, 0);
    line_add(l, ROLE_FILTER, f->typed.buf);
    line_add(l, ROLE_SELECTED, " ");
}

static void pick_rows(struct form *f)
{
    struct ui_line *l = row_add(f, R_TEXT, 0);
    line_add(l, ROLE_TITLE, "Choose a service  ");
    line_addf(l, ROLE_DIM, "type to filter, Tab: %s services, Up/Down, Enter: choose, Esc: back",
              categories[f->category]);
    l = row_add(f, R_TEXT, 0);
    line_add(l, ROLE_PROMPT, "filter: ");
    line_add(l, ROLE_FILTER, f->filter.buf);
    line_add(l, ROLE_SELECTED, " ");
    line_addf(l, ROLE_DIM, "  %zu service%s", f->n_picks, f->n_picks == 1 ? "" : "s");
    for (size_t i = 0; i < f->n_picks; i++) {
        l = row_add(f, R_PICK, i);
        struct strbuf sb;
        strbuf_init(&sb, 32);
        form_kinds_text(&sb, f->picks[i].kinds);
        line_add(l, ROLE_NORMAL, "  ");
        line_add_fixed(l, ROLE_DIM, f->picks[i].category, 9, 0);
        line_add_fixed(l, ROLE_VALUE, sb.buf, 22, 0);
        line_add(l, ROLE_NAME, f->picks[i].name);
        strbuf_release(&sb);
    }
}

static void list_rows(struct form *f, const char *label, const struct preflight_strv *sv,
                      enum theme_role role)
{
    for (size_t i = 0; i < sv->n; i++)
        field(f, R_TEXT, 0, i ? "" : label, role, sv->v[i]);
}

static void diff_rows(struct form *f, const char *diff)
{
    const char *p = diff;
    while (p && *p) {
        size_t n = strcspn(p, "\n");
        struct ui_line *l = row_add(f, R_TEXT, 0);
        enum theme_role role = *p == '+' ? ROLE_DIFF_ADD : *p == '-' ? ROLE_DIFF_DEL : ROLE_DIM;
        line_add(l, ROLE_NORMAL, "    ");
        line_addn(l, role, p, n);
        p += n + (p[n] == '\n');
    }
}

const char *form_current_policy(const cJSON *ep)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ep, "PolicyDocument"));
}

static void policy_change_rows(struct form *f, const struct endpoint_delta *d)
{
    if (!d->policy_changed)
        return;
    const cJSON *fresh = mutate_op_result(f->op);
    const char *before = form_current_policy(fresh ? fresh : f->base);
    char *a = before ? policy_pretty(before) : NULL;
    char *b = d->policy_document ? policy_pretty(d->policy_document) : NULL;
    field(f, R_TEXT, 0, "Policy", ROLE_VALUE,
          d->reset_policy ? "reset to AWS's default full access" : "changed:");
    char *diff =
        form_line_diff(a ? a : "(default full access)\n", b ? b : "(default full access)\n");
    diff_rows(f, diff);
    free(diff);
    free(a);
    free(b);
}

static void delta_rows(struct form *f)
{
    const struct endpoint_delta *d = mutate_op_delta(f->op);
    if (!d)
        return;
    if (endpoint_delta_empty(d))
        text_rows(f, ROLE_WARN, "  ", "No change: the endpoint already looks like this.");
    list_rows(f, "Add subnets", &d->add_subnets, ROLE_DIFF_ADD);
    list_rows(f, "Remove subnets", &d->remove_subnets, ROLE_DIFF_DEL);
    list_rows(f, "Add groups", &d->add_groups, ROLE_DIFF_ADD);
    list_rows(f, "Remove groups", &d->remove_groups, ROLE_DIFF_DEL);
    list_rows(f, "Add route tables", &d->add_route_tables, ROLE_DIFF_ADD);
    list_rows(f, "Remove rtbs", &d->remove_route_tables, ROLE_DIFF_DEL);
    if (d->private_dns_changed)
        field(f, R_TEXT, 0, "Private DNS", ROLE_VALUE, d->private_dns ? "on" : "off");
    policy_change_rows(f, d);
}

static void create_summary_rows(struct form *f)
{
    struct spec_buf b;
    form_spec_build(f, &b);
    field(f, R_TEXT, 0, "Create", ROLE_VALUE, preflight_kind_text(f->type));
    field(f, R_TEXT, 0, "Service", ROLE_NAME, f->service);
    field(f, R_TEXT, 0, "VPC", ROLE_ID, f->vpc_id);
    for (size_t i = 0; i < b.spec.subnet_ids.n; i++)
        field(f, R_TEXT, 0, i ? "" : "Subnets", ROLE_ID, b.spec.subnet_ids.v[i]);
    for (size_t i = 0; i < b.spec.group_ids.n; i++)
        field(f, R_TEXT, 0, i ? "" : "Security groups", ROLE_ID, b.spec.group_ids.v[i]);
    for (size_t i = 0; i < b.spec.route_table_ids.n; i++)
        field(f, R_TEXT, 0, i ? "" : "Route tables", ROLE_ID, b.spec.route_table_ids.v[i]);
    field(f, R_TEXT, 0, "Policy", ROLE_VALUE, f->custom_policy ? "custom" : "full access");
    form_spec_free(&b);
}

char *form_preview_command(const struct form *f)
{
    const char *cli = mutate_op_cli(f->op);
    if (!cli)
        return NULL;
    struct strbuf sb;
    strbuf_init(&sb, strlen(cli) + 64);
    clifmt_continued(cli, COLS - 4, &sb);
    return strbuf_detach(&sb, NULL);
}

/* The command a line per row as it will paste; a line wider than the screen (a policy)
   wraps on screen only, its rows indented under it. */
static void command_rows(struct form *f)
{
    char *text = form_preview_command(f);
    const char *p = text ? text : "?";
    size_t width = COLS > 24 ? (size_t)COLS - 6 : 18;
    while (*p) {
        size_t n = strcspn(p, "\n");
        /* Cut at bytes that start a character; later pieces indented past the options. */
        for (size_t done = 0, first = 1; done < n || first; first = 0) {
            size_t room = first ? width : width - 6, take = n - done;
            if (take > room) {
                take = room;
                while (take > 1 && ((unsigned char)p[done + take] & 0xC0) == 0x80)
                    take--;
            }
            struct ui_line *l = row_add(f, R_TEXT, 0);
            line_add(l, ROLE_NORMAL, first ? "    " : "          ");
            line_addn(l, ROLE_VALUE, p + done, take);
            done += take;
        }
        p += n + (p[n] == '\n');
    }
    free(text);
}

static void confirm_rows(struct form *f)
{
    mode_banner(f);
    blank_row(f);
    struct ui_line *l = row_add(f, R_TEXT, 0);
    line_add(l, ROLE_TITLE, "Preview");
    if (mutate_op_simulated(f->op))
        line_add(l, ROLE_WARN, "  SIMULATED: nothing will be sent to AWS");
    else if (mutate_op_dry_run_passed(f->op))
        line_add(l, ROLE_OK, "  DryRun passed: you have permission for this call");
    blank_row(f);
    text_rows(f, ROLE_DIM, "  ", "The equivalent AWS CLI command (y copies it, ready to paste):");
    command_rows(f);
    blank_row(f);
    l = row_add(f, R_SEND, 0);
    line_add(l, ROLE_NORMAL, "  ");
    line_add(l, ROLE_CRITICAL, mutate_op_simulated(f->op) ? "[ Apply (simulated) ]" : "[ Send ]");
    line_add(l, ROLE_NORMAL, "  ");
    line_add(l, ROLE_DIM, "Enter: send  y: copy the command  q: back, nothing sent");
    blank_row(f);
    if (f->kind == FORM_CREATE)
        create_summary_rows(f);
    else if (f->kind == FORM_MODIFY)
        delta_rows(f);
    else
        field(f, R_TEXT, 0, "Delete", ROLE_ID, f->endpoint_id);
}

static void busy_rows(struct form *f)
{
    mode_banner(f);
    blank_row(f);
    struct ui_line *l = row_add(f, R_TEXT, 0);
    enum mutate_phase ph = mutate_op_phase(f->op);
    line_addf(l, ROLE_TITLE, "%s",
              ph == MUTATE_PHASE_CHECKING  ? "Checking (fresh read, DryRun)..."
              : ph == MUTATE_PHASE_SENDING ? "Sending..."
              : ph == MUTATE_PHASE_POLLING ? "Waiting for the endpoint to leave pending..."
                                           : mutate_phase_name(ph));
    text_rows(f, ROLE_VALUE, "  ", mutate_op_message(f->op));
}

static void done_rows(struct form *f)
{
    mode_banner(f);
    blank_row(f);
    struct ui_line *l = row_add(f, R_TEXT, 0);
    line_add(l, ROLE_OK, "Done");
    text_rows(f, ROLE_VALUE, "  ", mutate_op_message(f->op));
    if (mutate_op_endpoint_id(f->op))
        field(f, R_TEXT, 0, "Endpoint", ROLE_ID, mutate_op_endpoint_id(f->op));
    blank_row(f);
    text_rows(f, ROLE_DIM, "  ", "q, Esc or Enter: close");
}

static void version_rows(struct form *f, const char *title, const cJSON *ep)
{
    struct ui_line *l = row_add(f, R_TEXT, 0);
    line_add(l, ROLE_TITLE, title);
    static const char *const lists[] = {"SubnetIds", "RouteTableIds"};
    for (size_t k = 0; k < 2; k++) {
        const cJSON *arr = cJSON_GetObjectItemCaseSensitive(ep, lists[k]);
        struct strbuf sb;
        strbuf_init(&sb, 64);
        const cJSON *it;
        cJSON_ArrayForEach(it, arr) strbuf_addf(&sb, "%s ", cJSON_GetStringValue(it));
        field(f, R_TEXT, 0, lists[k], ROLE_ID, sb.len ? sb.buf : "-");
        strbuf_release(&sb);
    }
    struct strbuf sb;
    strbuf_init(&sb, 64);
    const cJSON *g;
    cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(ep, "Groups"))
        strbuf_addf(&sb, "%s ", cJSON_GetStringValue(cJSON_GetObjectItem(g, "GroupId")));
    field(f, R_TEXT, 0, "Groups", ROLE_ID, sb.len ? sb.buf : "-");
    strbuf_release(&sb);
    field(f, R_TEXT, 0, "PrivateDnsEnabled", ROLE_VALUE,
          cJSON_IsTrue(cJSON_GetObjectItem(ep, "PrivateDnsEnabled")) ? "true" : "false");
}

static void conflict_rows(struct form *f)
{
    mode_banner(f);
    blank_row(f);
    text_rows(f, ROLE_ERROR,
              "conflict: ", "the endpoint changed since the form opened; nothing was sent.");
    const cJSON *base = NULL, *cur = NULL;
    mutate_op_conflict(f->op, &base, &cur);
    blank_row(f);
    version_rows(f, "When the form opened", base);
    blank_row(f);
    version_rows(f, "In AWS now", cur);
    const char *pa = form_current_policy(base), *pb = form_current_policy(cur);
    if (!preflight_policy_equal(pa, pb)) {
        char *a = pa ? policy_pretty(pa) : NULL, *b = pb ? policy_pretty(pb) : NULL;
        char *diff = form_line_diff(a ? a : "", b ? b : "");
        field(f, R_TEXT, 0, "Policy", ROLE_VALUE, "changed (then -> now):");
        diff_rows(f, diff);
        free(diff);
        free(a);
        free(b);
    }
    blank_row(f);
    text_rows(f, ROLE_DIM, "  ", "r: reload the form from AWS's version   q or Esc: cancel");
}

static void rebuild(struct form *f)
{
    form_rows_clear(f);
    switch (f->stage) {
    case STAGE_PICK:
        pick_rows(f);
        break;
    case STAGE_BUSY:
        busy_rows(f);
        break;
    case STAGE_CONFIRM:
        confirm_rows(f);
        break;
    case STAGE_DONE:
        done_rows(f);
        break;
    case STAGE_CONFLICT:
        conflict_rows(f);
        break;
    default:
        if (f->kind == FORM_DELETE)
            delete_rows(f);
        else
            edit_rows(f);
    }
}

void form_refresh(struct view *v)
{
    struct form *f = fm(v);
    if (f->stage == STAGE_EDIT || f->stage == STAGE_TEXT)
        form_run_preflight(f);
    rebuild(f);
    list_clamp(v, v->height);
}
