/* The endpoint forms: create, modify and delete, all through sync/mutate's one gate. */
#include "form_internal.h"

#include "app_internal.h"

#include "vpcx/core/fileio.h"
#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"
#include "vpcx/model/ipusage.h"
#include "vpcx/model/policy.h"
#include "vpcx/sync/mutate.h"
#include "vpcx/ui/app.h"
#include "vpcx/ui/listwidget.h"
#include "vpcx/ui/views.h"

#include <curses.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- prefill ---- */

/* The strings of a JSON array (or one field of each object); borrowed, free .v. */
static struct inv_ids ids_of(const cJSON *arr, const char *field)
{
    struct inv_ids ids = {xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof(char *)), 0};
    const cJSON *it;
    cJSON_ArrayForEach(it, arr)
    {
        const char *id = cJSON_GetStringValue(field ? cJSON_GetObjectItem(it, field) : it);
        if (id)
            ids.v[ids.n++] = id;
    }
    return ids;
}

static void prefill_endpoint(struct form *f, const cJSON *ep)
{
    const struct inventory *inv = app_inventory(f->app);
    const struct inv_resource *r = inventory_find(inv, INV_ENDPOINT, f->endpoint_id);
    cJSON_Delete(f->base);
    f->base = ep ? cJSON_Duplicate(ep, true) : inventory_item(inv, r);
    if (!r)
        return;
    free(f->vpc_id);
    free(f->service);
    f->vpc_id = r->vpc_id ? xstrdup(r->vpc_id) : NULL;
    f->service = r->endpoint.service_name ? xstrdup(r->endpoint.service_name) : NULL;
    f->type = r->endpoint.kind;
    form_load_choices(f);
    const cJSON *src = f->base;
    /* The version the form starts from: the base, which may be fresher than r. */
    struct inv_ids subnets = ids_of(cJSON_GetObjectItem(src, "SubnetIds"), NULL);
    struct inv_ids groups = ids_of(cJSON_GetObjectItem(src, "Groups"), "GroupId");
    struct inv_ids rtbs = ids_of(cJSON_GetObjectItem(src, "RouteTableIds"), NULL);
    form_choices_set(&f->subnets, &subnets);
    form_choices_set(&f->groups, &groups);
    form_choices_set(&f->rtbs, &rtbs);
    free(subnets.v);
    free(groups.v);
    free(rtbs.v);
    f->private_dns = cJSON_IsTrue(cJSON_GetObjectItem(src, "PrivateDnsEnabled"));
    const char *pol = form_current_policy(src);
    strbuf_reset(&f->policy);
    f->custom_policy = pol && !preflight_policy_equal(pol, NULL);
    if (f->custom_policy)
        strbuf_addstr(&f->policy, pol);
}

static void pick_vpc(struct form *f, const struct view_args *args)
{
    const struct inventory *inv = app_inventory(f->app);
    const struct inv_resource *r =
        args && args->id ? inventory_find(inv, args->type, args->id) : NULL;
    if (r && args->type == INV_SUBNET)
        f->start_subnet = xstrdup(r->id);
    if (r && r->type == INV_VPC)
        f->vpc_id = xstrdup(r->id);
    else if (r && r->vpc_id)
        f->vpc_id = xstrdup(r->vpc_id);
    else if (inventory_count(inv, INV_VPC))
        f->vpc_id = xstrdup(inventory_at(inv, INV_VPC, 0)->id);
}

/* ---- open / close ---- */

static void cursor_to(struct view *v, enum row_kind kind);

static void form_open_kind(struct view *v, const struct view_args *args, enum form_kind kind)
{
    struct form *f = fm(v);
    f->kind = kind;
    f->app = v->app;
    f->private_dns = true;
    strbuf_init(&f->policy, 64);
    strbuf_init(&f->name, 32);
    strbuf_init(&f->tags, 32);
    strbuf_init(&f->typed, 32);
    strbuf_init(&f->filter, 32);
    preflight_report_init(&f->report);
    if (kind == FORM_CREATE) {
        pick_vpc(f, args);
        form_load_choices(f);
    } else {
        f->endpoint_id = xstrdup(args && args->id ? args->id : "");
        prefill_endpoint(f, NULL);
    }
    form_refresh(v);
    cursor_to(v, kind == FORM_DELETE ? R_TYPED_ID : kind == FORM_CREATE ? R_SERVICE : R_SUBNET);
}

static void create_open(struct view *v, const struct view_args *args)
{
    form_open_kind(v, args, FORM_CREATE);
}

static void modify_open(struct view *v, const struct view_args *args)
{
    form_open_kind(v, args, FORM_MODIFY);
}

static void delete_open(struct view *v, const struct view_args *args)
{
    form_open_kind(v, args, FORM_DELETE);
}

static void form_close(struct view *v)
{
    struct form *f = fm(v);
    form_drop_op(f);
    form_rows_clear(f);
    free(f->rows);
    form_choices_free(&f->subnets);
    form_choices_free(&f->groups);
    form_choices_free(&f->rtbs);
    strbuf_release(&f->policy);
    strbuf_release(&f->name);
    strbuf_release(&f->tags);
    strbuf_release(&f->typed);
    strbuf_release(&f->filter);
    preflight_report_finish(&f->report);
    form_tags_finish(&f->parsed);
    cJSON_Delete(f->base);
    free(f->vpc_id);
    free(f->service);
    free(f->endpoint_id);
    free(f->start_subnet);
    free(f->saved);
    free(f->picks);
    free(f->error);
    free(f->hint);
}

/* ---- keys ---- */

static bool printable(int key)
{
    return key >= 32 && key < 256 && key != 127;
}

static bool is_backspace(int key)
{
    return key == KEY_BACKSPACE || key == 127 || key == 8;
}

static bool is_enter(int key)
{
    return key == '\n' || key == '\r' || key == KEY_ENTER;
}

static void text_key(struct strbuf *sb, int key)
{
    if (is_backspace(key)) {
        size_t n = sb->len;
        while (n > 0 && ((unsigned char)sb->buf[n - 1] & 0xC0) == 0x80)
            n--;
        strbuf_setlen(sb, n > 0 ? n - 1 : 0);
    } else if (key == 21) {
        strbuf_reset(sb);
    } else if (printable(key)) {
        strbuf_addch(sb, (char)key);
    }
}

static void start_text(struct form *f, struct strbuf *sb)
{
    free(f->saved);
    f->saved = xstrdup(sb->buf);
    f->editing = sb;
    f->stage = STAGE_TEXT;
}

static enum view_result editing_key(struct view *v, int key)
{
    struct form *f = fm(v);
    if (key == 27) {
        strbuf_reset(f->editing);
        strbuf_addstr(f->editing, f->saved);
    }
    if (key == 27 || is_enter(key)) {
        f->editing = NULL;
        f->stage = STAGE_EDIT;
    } else {
        text_key(f->editing, key);
    }
    form_refresh(v);
    return VIEW_REDRAW;
}

static void choose_service(struct form *f, const struct pick *p)
{
    free(f->service);
    f->service = xstrdup(p->name);
    /* The row chosen says the type: S3 has a Gateway row and an Interface row. */
    if (!(p->kinds & (1u << f->type)))
        f->type = form_first_kind(p->kinds);
    /* A type named in the filter wins when the service offers it. */
    for (int k = INV_ENDPOINT_GWLB; k >= INV_ENDPOINT_INTERFACE; k--)
        if ((p->kinds & (1u << k)) && form_contains_nocase(f->filter.buf, preflight_kind_text(k)) &&
            (k != INV_ENDPOINT_GATEWAY || !form_contains_nocase(f->filter.buf, "loadbalancer")))
            f->type = (enum inv_endpoint_kind)k;
    form_mark_offered(f);
}

static enum view_result pick_key(struct view *v, enum action a, int key)
{
    struct form *f = fm(v);
    const struct row *r = v->cursor < f->n_rows ? &f->rows[v->cursor] : NULL;
    if (key == 27) {
        f->stage = STAGE_EDIT;
    } else if (is_enter(key)) {
        if (!r || r->kind != R_PICK)
            return VIEW_HANDLED;
        choose_service(f, &f->picks[r->index]);
        f->stage = STAGE_EDIT;
    } else if (key == '\t') {
        f->category = (f->category + 1) % 4;
        form_load_picks(f);
    } else if (printable(key) || is_backspace(key) || key == 21) {
        text_key(&f->filter, key);
        form_load_picks(f);
        v->cursor = f->n_picks ? 2 : 0;
    } else {
        return a == ACT_UP || a == ACT_DOWN || a == ACT_PAGE_UP || a == ACT_PAGE_DOWN ||
                       a == ACT_HALF_UP || a == ACT_HALF_DOWN || a == ACT_HOME || a == ACT_END
                   ? VIEW_PASS
                   : VIEW_HANDLED;
    }
    if (f->stage == STAGE_EDIT) {
        v->cursor = 0;
        for (size_t i = 0; i < f->n_rows; i++)
            if (f->rows[i].kind == R_SERVICE)
                v->cursor = i;
    }
    form_refresh(v);
    if (f->stage == STAGE_EDIT)
        for (size_t i = 0; i < f->n_rows; i++)
            if (f->rows[i].kind == R_SERVICE)
                list_set_cursor(v, i);
    return VIEW_REDRAW;
}

static void toggle_subnet(struct form *f, size_t i)
{
    struct choice *c = &f->subnets.v[i];
    if (c->disabled)
        return;
    c->on = !c->on;
    if (f->type == INV_ENDPOINT_GWLB && c->on)
        for (size_t k = 0; k < f->subnets.n; k++)
            f->subnets.v[k].on = k == i;
    for (size_t k = 0; c->on && k < f->subnets.n; k++)
        if (k != i && c->az && f->subnets.v[k].az && strcmp(c->az, f->subnets.v[k].az) == 0)
            f->subnets.v[k].on = false; /* one subnet per zone */
}

static void next_type(struct form *f)
{
    unsigned kinds = f->service ? form_service_kinds(app_inventory(f->app), f->service) : 0;
    for (int step = 1; step <= 3; step++) {
        int k = ((int)f->type + step) % 3;
        if (!kinds || (kinds & (1u << k))) {
            f->type = (enum inv_endpoint_kind)k;
            break;
        }
    }
    form_mark_offered(f);
}

static void next_vpc(struct form *f)
{
    const struct inventory *inv = app_inventory(f->app);
    size_t n = inventory_count(inv, INV_VPC);
    for (size_t i = 0; i < n; i++) {
        if (f->vpc_id && strcmp(inventory_at(inv, INV_VPC, i)->id, f->vpc_id) == 0) {
            free(f->vpc_id);
            f->vpc_id = xstrdup(inventory_at(inv, INV_VPC, (i + 1) % n)->id);
            free(f->start_subnet);
            f->start_subnet = NULL;
            form_load_choices(f);
            form_mark_offered(f);
            return;
        }
    }
}

/* Writes the policy to a file, runs $EDITOR on it with the terminal given back, reads it. */
static void run_editor(struct form *f)
{
    if (app_headless(f->app)) {
        app_message(f->app, ROLE_WARN, "no $EDITOR in headless mode: Enter edits inline");
        return;
    }
    char path[] = "/tmp/vpcx-policy-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) {
        app_message(f->app, ROLE_ERROR, "cannot make a temporary file for $EDITOR");
        return;
    }
    FILE *out = fdopen(fd, "w");
    if (!out) {
        close(fd);
        unlink(path);
        app_message(f->app, ROLE_ERROR, "cannot write a temporary file for $EDITOR");
        return;
    }
    char *pretty = f->policy.len ? policy_pretty(f->policy.buf) : NULL;
    /* A full disk or a size limit shows at fputs or only at fclose's flush: either
       way the file is short, and the editor must not open it as the policy. */
    int failed = fputs(pretty ? pretty : f->policy.buf, out) == EOF ? (errno ? errno : EIO) : 0;
    if (fclose(out) != 0 && !failed)
        failed = errno ? errno : EIO;
    free(pretty);
    if (failed) {
        unlink(path);
        app_message(f->app, ROLE_ERROR, "cannot write the policy for $EDITOR to %s: %s", path,
                    strerror(failed));
        return;
    }
    const char *ed = getenv("VISUAL") && *getenv("VISUAL") ? getenv("VISUAL") : getenv("EDITOR");
    struct strbuf cmd;
    strbuf_init(&cmd, 64);
    strbuf_addf(&cmd, "%s ", ed && *ed ? ed : "vi");
    mutate_shell_quote(&cmd, path);
    def_prog_mode();
    endwin();
    int rc = system(cmd.buf);
    reset_prog_mode();
    clearok(curscr, TRUE);
    refresh();
    strbuf_release(&cmd);
    /* A policy is at most 20,480 characters; the bound leaves room for multi-byte text. */
    struct strbuf edited = STRBUF_INIT;
    strbuf_init(&edited, 0);
    struct vpcx_error err;
    vpcx_error_init(&err);
    if (rc == 0 && file_read_all(path, 4 * 20480, &edited, &err) == VPCX_OK) {
        strbuf_trim(&edited);
        strbuf_reset(&f->policy);
        strbuf_add(&f->policy, edited.buf, edited.len);
    } else {
        app_message(f->app, ROLE_WARN, "the editor failed: the policy is unchanged%s%s",
                    err.message ? ": " : "", err.message ? err.message : "");
    }
    vpcx_error_finish(&err);
    strbuf_release(&edited);
    unlink(path);
    app_redraw(f->app);
}

static struct choices *row_choices(struct form *f, enum row_kind kind)
{
    return kind == R_GROUP ? &f->groups : kind == R_RTB ? &f->rtbs : NULL;
}

/* Space or Enter on a field. */
static void activate(struct view *v, const struct row *r, bool enter)
{
    struct form *f = fm(v);
    switch (r->kind) {
    case R_VPC:
        next_vpc(f);
        break;
    case R_SERVICE:
        f->stage = STAGE_PICK;
        form_load_picks(f);
        v->cursor = f->n_picks ? 2 : 0;
        v->top = 0;
        break;
    case R_TYPE:
        next_type(f);
        break;
    case R_SUBNET:
        toggle_subnet(f, r->index);
        break;
    case R_GROUP:
    case R_RTB:
        row_choices(f, r->kind)->v[r->index].on = !row_choices(f, r->kind)->v[r->index].on;
        break;
    case R_DNS:
        f->private_dns = !f->private_dns;
        break;
    case R_IPTYPE:
        f->ip_type = (f->ip_type + 1) % N_IP_TYPES;
        break;
    case R_POLICY_MODE:
        f->custom_policy = !f->custom_policy;
        break;
    case R_POLICY_TEXT:
        start_text(f, &f->policy);
        break;
    case R_NAME:
        start_text(f, &f->name);
        break;
    case R_TAGS:
        start_text(f, &f->tags);
        break;
    case R_SUBMIT:
        if (enter)
            form_submit(v);
        return;
    default:
        return;
    }
}

static bool selectable(const struct row *r)
{
    return r->kind != R_TEXT;
}

/* Up and Down go from field to field; past the last one the list scrolls. */
static void step_field(struct view *v, int dir)
{
    struct form *f = fm(v);
    size_t i = v->cursor;
    while (dir < 0 ? i > 0 : i + 1 < f->n_rows) {
        i = dir < 0 ? i - 1 : i + 1;
        if (selectable(&f->rows[i])) {
            list_set_cursor(v, i);
            return;
        }
    }
    list_key(v, dir < 0 ? ACT_UP : ACT_DOWN);
}

/* The cursor on the first row of kind (or the first field). */
static void cursor_to(struct view *v, enum row_kind kind)
{
    struct form *f = fm(v);
    size_t first = f->n_rows;
    for (size_t i = 0; i < f->n_rows; i++) {
        if (f->rows[i].kind == kind) {
            list_set_cursor(v, i);
            return;
        }
        if (first == f->n_rows && selectable(&f->rows[i]))
            first = i;
    }
    list_set_cursor(v, first < f->n_rows ? first : 0);
}

/* On the submit button: its errors show under it. */
static void reveal_if_submit(struct view *v)
{
    struct form *f = fm(v);
    if (f->stage == STAGE_EDIT && v->cursor < f->n_rows && f->rows[v->cursor].kind == R_SUBMIT)
        form_reveal_below(v);
}

static enum view_result edit_key(struct view *v, enum action a, int key)
{
    struct form *f = fm(v);
    const struct row *r = v->cursor < f->n_rows ? &f->rows[v->cursor] : NULL;
    if (a == ACT_QUIT || a == ACT_BACK)
        return VIEW_CLOSE;
    if (key == ' ' || is_enter(key)) {
        if (r)
            activate(v, r, is_enter(key));
    } else if (key == 'E' && r && (r->kind == R_POLICY_TEXT || r->kind == R_POLICY_MODE)) {
        f->custom_policy = true;
        run_editor(f);
    } else if (key == 's') {
        form_submit(v);
        if (f->stage == STAGE_EDIT)
            cursor_to(v, R_SUBMIT); /* refused: show why, beside the button */
    } else if (a == ACT_UP || a == ACT_DOWN) {
        step_field(v, a == ACT_UP ? -1 : 1);
    } else {
        return list_key(v, a) == VIEW_PASS ? VIEW_HANDLED : VIEW_REDRAW;
    }
    if (f->stage == STAGE_EDIT || f->stage == STAGE_TEXT || f->stage == STAGE_PICK)
        form_refresh(v);
    reveal_if_submit(v);
    return VIEW_REDRAW;
}

static enum view_result delete_key(struct view *v, int key)
{
    struct form *f = fm(v);
    if (key == 27)
        return VIEW_CLOSE;
    if (is_enter(key))
        form_submit(v);
    else
        text_key(&f->typed, key);
    form_refresh(v);
    for (size_t i = 0; f->stage == STAGE_EDIT && i < f->n_rows; i++)
        if (f->rows[i].kind == R_TYPED_ID)
            list_set_cursor(v, i);
    return VIEW_REDRAW;
}

static bool is_move(enum action a)
{
    return a == ACT_UP || a == ACT_DOWN || a == ACT_PAGE_UP || a == ACT_PAGE_DOWN ||
           a == ACT_HALF_UP || a == ACT_HALF_DOWN || a == ACT_HOME || a == ACT_END;
}

static void back_to_form(struct view *v, const char *why)
{
    struct form *f = fm(v);
    form_drop_op(f);
    f->stage = STAGE_EDIT;
    v->cursor = v->top = 0;
    form_refresh(v);
    app_message(f->app, ROLE_WARN, "%s", why);
}

/* y in the preview: the whole command, continuations included, so a paste runs. */
static void copy_command(struct form *f)
{
    char *text = form_preview_command(f);
    if (!text) {
        app_message(f->app, ROLE_WARN, "no command to copy yet");
    } else if (app_clipboard(f->app, text)) {
        size_t lines = 1;
        for (const char *p = text; *p; p++)
            lines += *p == '\n';
        app_message(f->app, ROLE_OK, "copied the aws command (%zu line%s, OSC 52)", lines,
                    lines == 1 ? "" : "s");
    } else {
        app_message(f->app, ROLE_WARN, "the command is too large for the clipboard");
    }
    free(text);
}

static enum view_result confirm_key(struct view *v, enum action a, int key)
{
    struct form *f = fm(v);
    const struct row *r = v->cursor < f->n_rows ? &f->rows[v->cursor] : NULL;
    if (is_move(a))
        return VIEW_PASS;
    if (key == 'y') {
        copy_command(f);
        return VIEW_HANDLED;
    }
    if (is_enter(key) && r && r->kind == R_SEND) {
        f->stage = STAGE_BUSY;
        v->cursor = v->top = 0;
        form_refresh(v);
        mutate_op_confirm(f->op); /* events move the stage on */
        return VIEW_REDRAW;
    }
    back_to_form(v, "cancelled: nothing was sent");
    return VIEW_REDRAW;
}

static enum view_result conflict_key(struct view *v, enum action a, int key)
{
    struct form *f = fm(v);
    if (is_move(a))
        return VIEW_PASS;
    if (key != 'r')
        return a == ACT_QUIT || a == ACT_BACK ? VIEW_CLOSE : VIEW_HANDLED;
    const cJSON *base = NULL, *cur = NULL;
    mutate_op_conflict(f->op, &base, &cur);
    cJSON *copy = cur ? cJSON_Duplicate(cur, true) : NULL;
    form_drop_op(f);
    prefill_endpoint(f, copy);
    cJSON_Delete(copy);
    back_to_form(v, "reloaded from AWS's current version: review and submit again");
    return VIEW_REDRAW;
}

static enum view_result form_key(struct view *v, enum action a, int key)
{
    struct form *f = fm(v);
    switch (f->stage) {
    case STAGE_TEXT:
        return editing_key(v, key);
    case STAGE_PICK:
        return pick_key(v, a, key);
    case STAGE_CONFIRM:
        return confirm_key(v, a, key);
    case STAGE_CONFLICT:
        return conflict_key(v, a, key);
    case STAGE_BUSY:
        if (is_move(a))
            return VIEW_PASS;
        if ((a == ACT_QUIT || a == ACT_BACK) && mutate_op_phase(f->op) != MUTATE_PHASE_SENDING)
            return VIEW_CLOSE;
        return VIEW_HANDLED;
    case STAGE_DONE:
        if (is_move(a))
            return VIEW_PASS;
        return a == ACT_QUIT || a == ACT_BACK || is_enter(key) ? VIEW_CLOSE : VIEW_HANDLED;
    default:
        return f->kind == FORM_DELETE ? delete_key(v, key) : edit_key(v, a, key);
    }
}

/* ---- the matrix's what-ifs ---- */

static uint64_t subnet_free(const struct inventory *inv, const char *subnet_id)
{
    const struct inv_resource *s = inventory_find(inv, INV_SUBNET, subnet_id);
    if (!s)
        return 0;
    struct ip_usage u;
    ipusage_compute(inv, s, &u);
    return u.effective_free;
}

static void preset_add(struct form *f, const char *zone)
{
    const struct inventory *inv = app_inventory(f->app);
    size_t best = f->subnets.n;
    uint64_t most = 0;
    for (size_t i = 0; i < f->subnets.n; i++) {
        const struct choice *c = &f->subnets.v[i];
        if (c->disabled || !c->az || strcmp(c->az, zone) != 0)
            continue;
        uint64_t n = subnet_free(inv, c->id);
        if (best == f->subnets.n || n > most) {
            best = i;
            most = n;
        }
    }
    if (best < f->subnets.n && !f->subnets.v[best].on)
        toggle_subnet(f, best);
}

void form_preset_zones(struct view *v, const char *const *add, size_t n_add,
                       const char *const *remove, size_t n_remove)
{
    struct form *f = fm(v);
    for (size_t k = 0; k < n_remove; k++)
        for (size_t i = 0; i < f->subnets.n; i++)
            if (f->subnets.v[i].az && strcmp(f->subnets.v[i].az, remove[k]) == 0)
                f->subnets.v[i].on = false;
    for (size_t k = 0; k < n_add; k++)
        preset_add(f, add[k]);
    form_refresh(v);
    cursor_to(v, R_SUBMIT);
    form_reveal_below(v);
}

/* ---- view plumbing ---- */

static size_t form_rows(struct view *v)
{
    return fm(v)->n_rows;
}

static void form_draw_row(struct view *v, size_t row, struct ui_line *l)
{
    struct form *f = fm(v);
    if (row >= f->n_rows)
        return;
    const struct ui_line *src = &f->rows[row].line;
    for (size_t i = 0; i < src->n; i++)
        line_addn(l, src->spans[i].role, src->text.buf + src->spans[i].offset, src->spans[i].len);
    for (size_t i = 0; i < src->n && i < l->n; i++) {
        l->spans[i].width = src->spans[i].width;
        l->spans[i].align_right = src->spans[i].align_right;
    }
    /* A visible marker on the field, so the text dump shows it too. */
    if (row == v->cursor && selectable(&f->rows[row]) && l->n && l->spans[0].len >= 1 &&
        l->text.buf[l->spans[0].offset] == ' ')
        l->text.buf[l->spans[0].offset] = '>';
}

static bool form_resource_at(struct view *v, size_t row, enum inv_type *type, const char **id)
{
    struct form *f = fm(v);
    const struct row *r = row < f->n_rows ? &f->rows[row] : NULL;
    struct choices *c = !r ? NULL : r->kind == R_SUBNET ? &f->subnets : row_choices(f, r->kind);
    if (c && r->index < c->n) {
        *type = r->kind == R_SUBNET  ? INV_SUBNET
                : r->kind == R_GROUP ? INV_SECURITY_GROUP
                                     : INV_ROUTE_TABLE;
        *id = c->v[r->index].id;
        return true;
    }
    if (f->endpoint_id && *f->endpoint_id) {
        *type = INV_ENDPOINT;
        *id = f->endpoint_id;
        return true;
    }
    return false;
}

static void form_reload(struct view *v)
{
    struct form *f = fm(v);
    if (f->stage == STAGE_PICK)
        form_load_picks(f);
    form_refresh(v);
}

static void form_title(struct view *v, struct ui_line *l)
{
    struct form *f = fm(v);
    static const char *const titles[] = {"Create VPC endpoint", "Modify VPC endpoint",
                                         "Delete VPC endpoint"};
    line_add(l, ROLE_TITLE, titles[f->kind]);
    if (f->endpoint_id) {
        line_add(l, ROLE_NORMAL, " ");
        line_add(l, ROLE_ID, f->endpoint_id);
    }
    enum mutate_mode mode = mutate_gate_mode(app_gate(f->app));
    line_add(l,
             mode == MUTATE_SIMULATED ? ROLE_WARN
             : mode == MUTATE_LIVE    ? ROLE_CRITICAL
                                      : ROLE_DIM,
             mode == MUTATE_SIMULATED ? "  [SIMULATED]"
             : mode == MUTATE_LIVE    ? "  [WRITE]"
                                      : "  [read-only]");
    line_add(l, ROLE_DIM,
             f->kind == FORM_DELETE ? "  type the ID, Enter: check  Esc: cancel"
                                    : "  Space/Enter: change  s: check and preview  q: cancel");
}

#define FORM_OPS(kind_name)                                                                        \
    const struct view_ops kind_name##_view_ops = {                                                 \
        .name = #kind_name,                                                                        \
        .priv_size = sizeof(struct form),                                                          \
        .open = kind_name##_open,                                                                  \
        .close = form_close,                                                                       \
        .row_count = form_rows,                                                                    \
        .draw_row = form_draw_row,                                                                 \
        .key = form_key,                                                                           \
        .resource_at = form_resource_at,                                                           \
        .reload = form_reload,                                                                     \
        .title = form_title,                                                                       \
    };

FORM_OPS(create)
FORM_OPS(modify)
FORM_OPS(delete)
