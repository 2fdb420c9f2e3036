/* The prompt: the '/' filter and the ':' command line, and the commands it runs. */
#include "app_internal.h"

#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"
#include "vpcx/model/cidr.h"
#include "vpcx/model/inventory.h"
#include "vpcx/model/ipusage.h"
#include "vpcx/model/netinfo.h"
#include "vpcx/store/snapfile.h"
#include "vpcx/ui/views.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- prompt and commands ---- */

void app_prompt_start(struct app *a, char kind)
{
    struct prompt *p = &a->prompt;
    p->active = true;
    p->kind = kind;
    strbuf_reset(&p->text);
    free(p->saved_filter);
    p->saved_filter = NULL;
    if (kind == '/') {
        const char *f = tree_filter(treeview_tree(a->tree));
        p->saved_filter = f ? xstrdup(f) : NULL;
        if (f)
            strbuf_addstr(&p->text, f);
        treeview_prepare_filter(a->tree);
        a->focus = FOCUS_TREE;
        while (a->n_stack)
            app_pop_view(a);
    }
    a->dirty = true;
}

void app_apply_filter(struct app *a, const char *text)
{
    size_t n = treeview_set_filter(a->tree, text);
    a->pinned = false;
    app_sync_detail(a);
    if (text && *text)
        app_message(a, n ? ROLE_OK : ROLE_WARN, "%zu match%s", n, n == 1 ? "" : "es");
    else
        strbuf_reset(&a->message);
}

/* ---- :ip ---- */

/* The ENIs' first load is under way: an answer now could miss the holder. */
static bool enis_loading(struct app *a)
{
    if (app_cache_loading(a) && !inventory_type_loaded(a->inv, INV_ENI))
        return true; /* still coming from the cache */
    return a->fetch && fetch_get_progress(a->fetch, INV_ENI)->state == FETCH_RUNNING &&
           !inventory_type_loaded(a->inv, INV_ENI);
}

/* " subnet-a, subnet-b (network address)" for the places reserved as kind; the count. */
static size_t add_reserved(struct strbuf *sb, const struct ip_place *places, size_t n,
                           enum ip_reserved kind, enum ip_family family)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (places[i].reserved != kind)
            continue;
        strbuf_addstr(sb, k++ ? ", " : " ");
        strbuf_addstr(sb, places[i].subnet->id);
    }
    if (k)
        strbuf_addf(sb, " (%s)", ipusage_reserved_name(kind, family));
    return k;
}

/* Nobody holds ip: where AWS reserves it, where it is free, or that no subnet has it. */
static void explain_unheld(struct app *a, const char *ip, const struct ip_addr *addr)
{
    struct ip_place *places = NULL;
    size_t n = ipusage_find_subnets(a->inv, addr, &places);
    if (n == 0) {
        app_message(a, ROLE_WARN, "no network interface holds %s, and no subnet contains it", ip);
        return;
    }
    struct strbuf sb;
    strbuf_init(&sb, 128);
    size_t reserved = 0, free_in = 0;
    for (int kind = IP_RESERVED_NETWORK; kind <= IP_RESERVED_BROADCAST; kind++) {
        size_t before = sb.len;
        strbuf_addstr(&sb, reserved ? ";" : " is reserved by AWS in");
        size_t k = add_reserved(&sb, places, n, (enum ip_reserved)kind, addr->family);
        if (!k)
            strbuf_setlen(&sb, before);
        reserved += k;
    }
    for (size_t i = 0; i < n; i++) {
        if (places[i].reserved != IP_RESERVED_NONE)
            continue;
        strbuf_addstr(&sb, free_in++ ? ", " : reserved ? "; free in " : " is free in ");
        strbuf_addstr(&sb, places[i].subnet->id);
    }
    if (free_in && !reserved)
        strbuf_addstr(&sb, ": no network interface holds it");
    app_message(a, reserved ? ROLE_WARN : ROLE_OK, "%s%s", ip, sb.buf);
    strbuf_release(&sb);
    free(places);
}

static void show_holder(struct app *a, const char *ip, const char *eni_id)
{
    if (app_go_to(a, INV_ENI, eni_id))
        app_message(a, ROLE_OK, "%s is on %s", ip, eni_id);
}

/* Answers :ip for a valid address with the ENIs loaded. */
static void answer_ip(struct app *a, const struct ip_addr *addr)
{
    char *ip = ip_addr_to_string(addr);
    const struct inv_resource **holders = NULL;
    size_t n = inventory_find_enis_by_ip(a->inv, ip, &holders);
    if (n == 1) {
        show_holder(a, ip, holders[0]->id);
    } else if (n > 1) {
        const struct view_args args = {.type = INV_ENI, .id = ip};
        app_open_view(a, "ip", &args);
        app_message(a, ROLE_OK, "%s is held by %zu network interfaces", ip, n);
    } else if (!inventory_type_loaded(a->inv, INV_ENI) && a->fetch &&
               fetch_get_progress(a->fetch, INV_ENI)->state == FETCH_FAILED) {
        app_message(a, ROLE_ERROR, "ENIs could not be loaded: cannot tell who holds %s", ip);
    } else {
        explain_unheld(a, ip, addr);
    }
    free(holders);
    free(ip);
}

static void run_ip(struct app *a, const char *text)
{
    struct ip_addr addr;
    if (!ip_addr_parse(text, &addr)) {
        app_message(a, ROLE_WARN, "not an IP address: %s", text);
        return;
    }
    free(a->pending_ip);
    a->pending_ip = NULL;
    if (enis_loading(a)) {
        a->pending_ip = ip_addr_to_string(&addr);
        app_message(a, ROLE_WARN, "ENIs still loading; will answer :ip %s when they land",
                    a->pending_ip);
        return;
    }
    answer_ip(a, &addr);
}

void app_ip_pending(struct app *a)
{
    if (!a->pending_ip || enis_loading(a))
        return;
    struct ip_addr addr;
    bool ok = ip_addr_parse(a->pending_ip, &addr);
    free(a->pending_ip);
    a->pending_ip = NULL;
    if (ok)
        answer_ip(a, &addr);
}

static bool jump_id(struct app *a, const char *id)
{
    for (int t = 0; t < INV_TYPE_COUNT; t++) {
        if (!inventory_find(a->inv, (enum inv_type)t, id))
            continue;
        app_go_to(a, (enum inv_type)t, id);
        return true;
    }
    return false;
}

static void run_kind(struct app *a, enum tree_kind kind, const char *what)
{
    while (a->n_stack)
        app_pop_view(a);
    a->focus = FOCUS_TREE;
    a->pinned = false;
    if (!treeview_jump_kind(a->tree, kind))
        app_message(a, ROLE_WARN, "no %s in the inventory", what);
    app_sync_detail(a);
}

/* The subnet of the selection: the subnet itself, an ENI's, an endpoint's first. */
static const char *selected_subnet(struct app *a, const struct inv_resource *r)
{
    if (!r)
        return NULL;
    if (r->type == INV_SUBNET)
        return r->id;
    if (r->type == INV_ENI)
        return r->eni.subnet_id;
    if (r->type == INV_ENDPOINT && r->endpoint.subnet_ids.n)
        return r->endpoint.subnet_ids.v[0];
    (void)a;
    return NULL;
}

/* The first security group of an endpoint or ENI (a copy), or NULL. */
static char *selected_group(const struct inventory *inv, const struct inv_resource *r)
{
    if (r && r->type == INV_ENDPOINT && r->endpoint.group_ids.n)
        return xstrdup(r->endpoint.group_ids.v[0]);
    char *id = NULL;
    if (r && r->type == INV_ENI) {
        cJSON *item = inventory_item(inv, r);
        const cJSON *g = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(item, "Groups"), 0);
        const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(g, "GroupId"));
        id = v ? xstrdup(v) : NULL;
        cJSON_Delete(item);
    }
    return id;
}

/*
 * :sg, :acl, :rtb: the group, NACL or route table named by arg, else the one
 * of the selection (an endpoint's or ENI's first group; a subnet's NACL and
 * route table, an ENI's or endpoint's subnet's).
 */
static void run_network(struct app *a, enum inv_type type, const char *arg)
{
    const char *what = inventory_type_name(type);
    if (arg) {
        if (inventory_find(a->inv, type, arg))
            app_go_to(a, type, arg);
        else
            app_message(a, ROLE_WARN, "no %s %s in the inventory", what, arg);
        return;
    }
    enum inv_type st;
    const char *sid;
    const struct inv_resource *sel = NULL;
    if (view_selection(app_focused_view(a), &st, &sid) || view_selection(a->tree, &st, &sid))
        sel = inventory_find(a->inv, st, sid);
    const char *id = NULL;
    char *group = NULL;
    const struct inv_resource *r = NULL;
    if (sel && sel->type == type)
        id = sel->id;
    else if (type == INV_SECURITY_GROUP)
        id = group = selected_group(a->inv, sel);
    else if (type == INV_NETWORK_ACL)
        r = netinfo_subnet_acl(a->inv, selected_subnet(a, sel));
    else if (type == INV_ROUTE_TABLE && sel && sel->type == INV_ENDPOINT &&
             sel->endpoint.route_table_ids.n)
        id = sel->endpoint.route_table_ids.v[0];
    else if (type == INV_ROUTE_TABLE)
        r = netinfo_subnet_route_table(a->inv, selected_subnet(a, sel), NULL);
    if (r)
        id = r->id;
    if (!id) {
        app_message(a, ROLE_WARN, "select %s to see its %s, or give an ID",
                    type == INV_SECURITY_GROUP ? "an endpoint or ENI" : "a subnet, ENI or endpoint",
                    what);
        return;
    }
    app_go_to(a, type, id);
    free(group);
}

/* Replaces *field with value when value is set. */
static void meta_set(char **field, const char *value)
{
    if (!value)
        return;
    free(*field);
    *field = xstrdup(value);
}

/* When the loaded inventory says type t was fetched; 0 when it does not say. */
static time_t loaded_time(const struct snapshot_meta *m, enum inv_type t)
{
    time_t v = 0;
    if (!m || !snapshot_parse_time(snapshot_meta_type_time(m, t), &v))
        return 0;
    return v;
}

/*
 * The snapshot's metadata: the loaded inventory's own (demo, snapshot, cache),
 * with the identity and the times of what was fetched since. FetchedAt stays
 * the data's time, never the time of the save.
 */
static void snapshot_meta_of(struct app *a, struct snapshot_meta *m)
{
    const struct app_options *o = &a->opts;
    memset(m, 0, sizeof(*m));
    if (o->loaded_meta)
        snapshot_meta_copy(m, o->loaded_meta);
    m->format_version = SNAPSHOT_FORMAT_VERSION;
    if (!m->generator)
        m->generator = xstrdup("vpcx " VPCX_VERSION);
    if (!m->account)
        meta_set(&m->account, o->account);
    meta_set(&m->account, a->account); /* GetCallerIdentity's, this session */
    meta_set(&m->arn, a->arn);
    meta_set(&m->region, o->region);
    meta_set(&m->endpoint, o->endpoint);
    meta_set(&m->profile, o->profile);
    if (!m->source)
        m->source = xstrdup(o->source ? o->source : "aws");
    time_t oldest = 0;
    bool refreshed = false;
    for (int t = 0; t < INV_TYPE_COUNT; t++) {
        time_t when = a->type_time[t];
        if (!when)
            continue;
        if (!oldest || when < oldest)
            oldest = when;
        if (when == loaded_time(o->loaded_meta, (enum inv_type)t))
            continue;
        refreshed = true;
        free(m->fetched_at_by_type[t]);
        m->fetched_at_by_type[t] = snapshot_format_time(when);
    }
    if (refreshed || !m->fetched_at) {
        free(m->fetched_at);
        m->fetched_at = oldest ? snapshot_format_time(oldest) : NULL;
    }
}

static char *default_snapshot_name(struct app *a)
{
    const char *acct = a->opts.account ? a->opts.account : a->account;
    return snapfile_default_name(acct, a->opts.region, time(NULL));
}

static void save_snapshot(struct app *a, const char *path)
{
    char *name = path ? xstrdup(path) : default_snapshot_name(a);
    struct snapshot_meta meta;
    snapshot_meta_of(a, &meta);
    struct vpcx_error err;
    vpcx_error_init(&err);
    if (snapfile_save(name, a->inv, &meta, NULL, &err) == VPCX_OK) {
        app_message(a, ROLE_OK, "saved a snapshot to %s", name);
    } else {
        char *line = vpcx_error_format(&err);
        app_message(a, ROLE_ERROR, "%s", line);
        free(line);
    }
    vpcx_error_finish(&err);
    snapshot_meta_finish(&meta);
    free(name);
}

/* The save key: the command line, ready with a default name to edit or accept. */
void app_save_prompt(struct app *a)
{
    char *name = default_snapshot_name(a);
    app_prompt_start(a, ':');
    strbuf_addf(&a->prompt.text, "save %s", name);
    free(name);
}

static void open_diff(struct app *a, const char *path)
{
    if (!path) {
        app_message(a, ROLE_WARN, "usage: :diff SNAPSHOT-FILE");
        return;
    }
    const struct view_args args = {.type = INV_VPC, .id = path};
    if (!app_open_view(a, "diff", &args))
        app_message(a, ROLE_WARN, "the diff view is not part of this build");
}

/* The rest of the command line after :explain, spaces kept ("VPC endpoint.Policy"). */
static const char *explain_topic(char *first, char *rest)
{
    if (first && rest && *rest)
        first[strlen(first)] = ' '; /* undo the tokenizer's cut */
    return first;
}

static void run_command(struct app *a, char *cmd)
{
    char *save = NULL;
    char *word = strtok_r(cmd, " \t", &save);
    char *arg = strtok_r(NULL, " \t", &save);
    if (!word)
        return;
    if (strcmp(word, "q") == 0 || strcmp(word, "quit") == 0)
        a->quit = true;
    else if (strcmp(word, "help") == 0)
        app_open_view(a, "help", NULL);
    else if (strcmp(word, "vpc") == 0 || strcmp(word, "vpcs") == 0)
        run_kind(a, TREE_VPC, "VPC");
    else if (strcmp(word, "subnet") == 0 || strcmp(word, "subnets") == 0)
        run_kind(a, TREE_SUBNET, "subnet");
    else if (strcmp(word, "vpce") == 0 || strcmp(word, "endpoint") == 0 ||
             strcmp(word, "endpoints") == 0)
        run_kind(a, TREE_ENDPOINT, "endpoint");
    else if (strcmp(word, "eni") == 0 || strcmp(word, "enis") == 0)
        run_kind(a, TREE_ENI, "network interface");
    else if (strcmp(word, "sg") == 0)
        run_network(a, INV_SECURITY_GROUP, arg);
    else if (strcmp(word, "acl") == 0 || strcmp(word, "nacl") == 0)
        run_network(a, INV_NETWORK_ACL, arg);
    else if (strcmp(word, "rtb") == 0)
        run_network(a, INV_ROUTE_TABLE, arg);
    else if (strcmp(word, "az") == 0)
        run_kind(a, TREE_AZ, "availability zone");
    else if (strcmp(word, "check") == 0 || strcmp(word, "findings") == 0)
        app_open_view(a, "findings", NULL);
    else if (strcmp(word, "matrix") == 0 || strcmp(word, "policy") == 0)
        app_open_named(a, word);
    else if (strcmp(word, "create") == 0 || strcmp(word, "modify") == 0 ||
             strcmp(word, "delete") == 0)
        app_open_form(a, word);
    else if (strcmp(word, "save") == 0 || strcmp(word, "w") == 0)
        save_snapshot(a, arg);
    else if (strcmp(word, "diff") == 0)
        open_diff(a, arg);
    else if (strcmp(word, "export") == 0)
        app_export_run(a, arg, strtok_r(NULL, " \t", &save));
    else if (strcmp(word, "unmark") == 0)
        app_marks_clear(a);
    else if (strcmp(word, "tour") == 0)
        app_tour_start(a, arg ? (int)strtol(arg, NULL, 10) : 1);
    else if (strcmp(word, "explain") == 0)
        app_explain(a, explain_topic(arg, save));
    else if (strcmp(word, "profile") == 0 || strcmp(word, "region") == 0)
        app_scopes_command(a, word, arg);
    else if (strcmp(word, "ip") == 0 && arg)
        run_ip(a, arg);
    else if (strcmp(word, "ip") == 0)
        app_message(a, ROLE_WARN, "usage: :ip ADDRESS");
    else if (!jump_id(a, word))
        app_message(a, ROLE_ERROR, "unknown command or ID: %s (see ?)", word);
}

static void prompt_finish(struct app *a, bool accept)
{
    struct prompt *p = &a->prompt;
    p->active = false;
    a->dirty = true;
    if (p->kind == '/') {
        if (!accept)
            app_apply_filter(a, p->saved_filter);
        return;
    }
    if (accept) {
        char *cmd = xstrdup(p->text.buf);
        strbuf_reset(&a->message);
        run_command(a, cmd);
        free(cmd);
    }
}

static void prompt_backspace(struct prompt *p)
{
    size_t n = p->text.len;
    while (n > 0 && ((unsigned char)p->text.buf[n - 1] & 0xC0) == 0x80)
        n--;
    strbuf_setlen(&p->text, n > 0 ? n - 1 : 0);
}

void app_prompt_key(struct app *a, int key)
{
    struct prompt *p = &a->prompt;
    if (key == 27) {
        prompt_finish(a, false);
        return;
    }
    if (key == '\n' || key == '\r' || key == KEY_ENTER) {
        prompt_finish(a, true);
        return;
    }
    size_t before = p->text.len;
    if (key == KEY_BACKSPACE || key == 127 || key == 8)
        prompt_backspace(p);
    else if (key == 21) /* C-u */
        strbuf_reset(&p->text);
    else if (key >= 32 && key < 256 && key != 127)
        strbuf_addch(&p->text, (char)key);
    else
        return;
    a->dirty = true;
    if (p->kind == '/' && p->text.len != before)
        app_apply_filter(a, p->text.buf);
    if (p->kind == '/' && p->text.len == 0 && before == 0)
        prompt_finish(a, false);
}
static bool selection_of(struct app *a, enum inv_type want, char **out)
{
    enum inv_type type;
    const char *id;
    *out = NULL;
    if (view_selection(app_focused_view(a), &type, &id) && type == want) {
        *out = xstrdup(id);
        return true;
    }
    if (want == INV_VPC && view_selection(a->tree, &type, &id)) {
        const struct inv_resource *r = inventory_find(a->inv, type, id);
        if (r && r->vpc_id)
            *out = xstrdup(r->vpc_id);
        else if (type == INV_VPC)
            *out = xstrdup(id);
    }
    return *out != NULL;
}

void app_open_named(struct app *a, const char *name)
{
    bool matrix = strcmp(name, "matrix") == 0;
    char *id = NULL;
    enum inv_type type = matrix ? INV_VPC : INV_ENDPOINT;
    if (!selection_of(a, type, &id) && !matrix) {
        app_message(a, ROLE_WARN, "select an endpoint to see its policy");
        return;
    }
    struct view_args args = {.type = type, .id = id};
    if (!app_open_view(a, name, &args))
        app_message(a, ROLE_WARN, "the %s view is not part of this build yet", name);
    free(id);
}

/* The forms: create from the selected VPC or subnet (or the first VPC), modify and
 * delete the selected endpoint. The form itself asks the gate on submit. */
void app_open_form(struct app *a, const char *name)
{
    bool create = strcmp(name, "create") == 0;
    enum inv_type type = INV_ENDPOINT;
    const char *id = NULL;
    char *copy = NULL;
    if (create) {
        type = INV_VPC;
        if (view_selection(app_focused_view(a), &type, &id) && type == INV_SUBNET) {
            copy = xstrdup(id);
        } else {
            type = INV_VPC;
            selection_of(a, INV_VPC, &copy);
        }
    } else if (!selection_of(a, INV_ENDPOINT, &copy)) {
        app_message(a, ROLE_WARN, "select an endpoint to %s it", name);
        return;
    }
    struct view_args args = {.type = type, .id = copy};
    if (!app_open_view(a, name, &args))
        app_message(a, ROLE_WARN, "the %s form is not part of this build", name);
    free(copy);
}
