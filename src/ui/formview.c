/* The endpoint forms: create, modify and delete, all through sync/mutate's one gate. */
#include "vpcx/ui/form.h"

#include "vpcx/core/fileio.h"
#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"
#include "vpcx/model/ipusage.h"
#include "vpcx/model/policy.h"
#include "vpcx/sync/mutate.h"
#include "vpcx/ui/app.h"
#include "vpcx/ui/listwidget.h"
#include "vpcx/ui/views.h"

#include <ctype.h>
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LABEL_W 18

enum form_kind { FORM_CREATE, FORM_MODIFY, FORM_DELETE };

enum stage {
    STAGE_EDIT,     /* moving over the fields */
    STAGE_TEXT,     /* typing into a text field */
    STAGE_PICK,     /* the service picker */
    STAGE_BUSY,     /* check, send or poll in progress */
    STAGE_CONFIRM,  /* the preview: y sends */
    STAGE_DONE,     /* finished */
    STAGE_CONFLICT, /* a modify found the endpoint changed */
};

enum row_kind {
    R_TEXT, /* display only */
    R_VPC,
    R_SERVICE,
    R_TYPE,
    R_SUBNET,
    R_GROUP,
    R_RTB,
    R_DNS,
    R_IPTYPE,
    R_POLICY_MODE,
    R_POLICY_TEXT,
    R_NAME,
    R_TAGS,
    R_TYPED_ID,
    R_SUBMIT,
    R_SEND,
    R_PICK,
};

struct row {
    enum row_kind kind;
    size_t index;
    struct ui_line line;
};

struct choice {
    char *id;
    char *label;
    char *az; /* subnets */
    bool on;
    bool disabled;
};

struct choices {
    struct choice *v;
    size_t n;
};

struct pick {
    const char *name; /* borrowed from the inventory; rebuilt on reload */
    unsigned kinds;
    const char *category;
};

static const char *const ip_types[] = {NULL, "ipv4", "dualstack", "ipv6"};
#define N_IP_TYPES 4

struct form {
    enum form_kind kind;
    enum stage stage;
    struct app *app;
    char *vpc_id;
    char *service;
    enum inv_endpoint_kind type;
    struct choices subnets, groups, rtbs;
    bool private_dns;
    int ip_type;
    bool custom_policy;
    struct strbuf policy, name, tags, typed;
    char *endpoint_id;
    cJSON *base; /* modify: the endpoint the form started from */
    char *start_subnet;
    /* Text field being edited and its value before, for Esc. */
    struct strbuf *editing;
    char *saved;
    /* Picker. */
    struct strbuf filter;
    int category; /* 0 all, 1 AWS, 2 partner, 3 own */
    struct pick *picks;
    size_t n_picks;
    /* Check and send. */
    struct preflight_report report;
    struct mutate_op *op;
    char *error, *hint;
    struct form_tags parsed;
    /* Rows. */
    struct row *rows;
    size_t n_rows, alloc;
};

static struct form *fm(struct view *v)
{
    return v->priv;
}

/* ---- pure helpers ---- */

static char *trim_dup(const char *s, size_t n)
{
    while (n && isspace((unsigned char)*s))
        s++, n--;
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    return xstrndup(s, n);
}

void form_tags_finish(struct form_tags *t)
{
    for (size_t i = 0; i < 2 * t->n; i++)
        free(t->strs[i]);
    free(t->strs);
    free(t->v);
    t->v = NULL;
    t->strs = NULL;
    t->n = 0;
}

bool form_parse_tags(const char *text, struct form_tags *out, char **bad)
{
    out->v = NULL;
    out->strs = NULL;
    out->n = 0;
    *bad = NULL;
    const char *p = text ? text : "";
    while (*p) {
        size_t len = strcspn(p, ",");
        char *piece = trim_dup(p, len);
        p += len + (p[len] == ',');
        if (!*piece) {
            free(piece);
            continue;
        }
        char *eq = strchr(piece, '=');
        if (!eq || eq == piece) {
            *bad = piece;
            form_tags_finish(out);
            return false;
        }
        out->strs = xreallocarray(out->strs, 2 * out->n + 2, sizeof(*out->strs));
        out->strs[2 * out->n] = trim_dup(piece, (size_t)(eq - piece));
        out->strs[2 * out->n + 1] = trim_dup(eq + 1, strlen(eq + 1));
        out->n++;
        free(piece);
    }
    out->v = xcalloc(out->n + 1, sizeof(*out->v));
    for (size_t i = 0; i < out->n; i++)
        out->v[i] = (struct endpoint_tag){out->strs[2 * i], out->strs[2 * i + 1]};
    return true;
}

struct text_lines {
    const char **v;
    size_t *len;
    size_t n;
};

static void split_lines(const char *s, struct text_lines *out)
{
    out->v = NULL;
    out->len = NULL;
    out->n = 0;
    while (s && *s) {
        size_t len = strcspn(s, "\n");
        out->v = xreallocarray(out->v, out->n + 1, sizeof(*out->v));
        out->len = xreallocarray(out->len, out->n + 1, sizeof(*out->len));
        out->v[out->n] = s;
        out->len[out->n++] = len;
        s += len + (s[len] == '\n');
    }
}

static bool same_line(const struct text_lines *a, size_t i, const struct text_lines *b, size_t j)
{
    return a->len[i] == b->len[j] && memcmp(a->v[i], b->v[j], a->len[i]) == 0;
}

static void diff_emit(struct strbuf *out, char mark, const char *s, size_t len)
{
    strbuf_addch(out, mark);
    strbuf_add(out, s, len);
    strbuf_addch(out, '\n');
}

char *form_line_diff(const char *a, const char *b)
{
    struct text_lines la, lb;
    split_lines(a, &la);
    split_lines(b, &lb);
    size_t w = lb.n + 1;
    size_t *t = xcalloc((la.n + 1) * w, sizeof(*t));
    for (size_t i = la.n; i-- > 0;)
        for (size_t j = lb.n; j-- > 0;)
            t[i * w + j] = same_line(&la, i, &lb, j)                ? t[(i + 1) * w + j + 1] + 1
                           : t[(i + 1) * w + j] >= t[i * w + j + 1] ? t[(i + 1) * w + j]
                                                                    : t[i * w + j + 1];
    struct strbuf out;
    strbuf_init(&out, 256);
    size_t i = 0, j = 0;
    while (i < la.n || j < lb.n) {
        if (i < la.n && j < lb.n && same_line(&la, i, &lb, j)) {
            diff_emit(&out, ' ', la.v[i], la.len[i]);
            i++, j++;
        } else if (j < lb.n && (i == la.n || t[i * w + j + 1] >= t[(i + 1) * w + j])) {
            diff_emit(&out, '+', lb.v[j], lb.len[j]);
            j++;
        } else {
            diff_emit(&out, '-', la.v[i], la.len[i]);
            i++;
        }
    }
    free(t);
    free(la.v);
    free(la.len);
    free(lb.v);
    free(lb.len);
    return strbuf_detach(&out, NULL);
}

/* ---- choices ---- */

static void choices_add(struct choices *c, const char *id, char *label, const char *az, bool on)
{
    c->v = xreallocarray(c->v, c->n + 1, sizeof(*c->v));
    c->v[c->n++] =
        (struct choice){.id = xstrdup(id), .label = label, .az = az ? xstrdup(az) : NULL, .on = on};
}

static void choices_free(struct choices *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->v[i].id);
        free(c->v[i].label);
        free(c->v[i].az);
    }
    free(c->v);
    c->v = NULL;
    c->n = 0;
}

static bool ids_has(const struct inv_ids *ids, const char *id)
{
    for (size_t i = 0; ids && i < ids->n; i++)
        if (strcmp(ids->v[i], id) == 0)
            return true;
    return false;
}

static void choices_set(struct choices *c, const struct inv_ids *ids)
{
    for (size_t i = 0; i < c->n; i++)
        c->v[i].on = ids_has(ids, c->v[i].id);
}

/* The chosen IDs as a borrowed list (the array is allocated; free .v). */
static struct inv_ids choices_ids(const struct choices *c, bool skip_disabled)
{
    struct inv_ids ids = {xcalloc(c->n + 1, sizeof(char *)), 0};
    for (size_t i = 0; i < c->n; i++)
        if (c->v[i].on && !(skip_disabled && c->v[i].disabled))
            ids.v[ids.n++] = c->v[i].id;
    return ids;
}

static int cmp_subnet(const void *x, const void *y)
{
    const struct choice *a = x, *b = y;
    int c = strcmp(a->az ? a->az : "", b->az ? b->az : "");
    return c ? c : strcmp(a->id, b->id);
}

static void load_subnets(struct form *f, const struct inventory *inv)
{
    choices_free(&f->subnets);
    struct inv_ids ids = inventory_vpc_subnets(inv, f->vpc_id);
    for (size_t i = 0; i < ids.n; i++) {
        const struct inv_resource *s = inventory_find(inv, INV_SUBNET, ids.v[i]);
        if (!s)
            continue;
        struct ip_usage u;
        ipusage_compute(inv, s, &u);
        char *label = xasprintf("%-8s free %-5llu %s", s->subnet.az_name ? s->subnet.az_name : "?",
                                (unsigned long long)u.effective_free, s->name ? s->name : "");
        bool on = f->start_subnet && strcmp(f->start_subnet, s->id) == 0;
        choices_add(&f->subnets, s->id, label, s->subnet.az_name, on);
    }
    if (f->subnets.n > 1)
        qsort(f->subnets.v, f->subnets.n, sizeof(*f->subnets.v), cmp_subnet);
}

static int cmp_choice_id(const void *x, const void *y)
{
    return strcmp(((const struct choice *)x)->id, ((const struct choice *)y)->id);
}

static void load_vpc_items(struct form *f, const struct inventory *inv, enum inv_type type,
                           struct choices *out)
{
    choices_free(out);
    for (size_t i = 0; i < inventory_count(inv, type); i++) {
        const struct inv_resource *r = inventory_at(inv, type, i);
        if (r->vpc_id && strcmp(r->vpc_id, f->vpc_id) == 0)
            choices_add(out, r->id, xstrdup(r->name ? r->name : ""), NULL, false);
    }
    if (out->n > 1)
        qsort(out->v, out->n, sizeof(*out->v), cmp_choice_id); /* a stable order */
}

static void load_choices(struct form *f)
{
    const struct inventory *inv = app_inventory(f->app);
    if (!f->vpc_id)
        return;
    load_subnets(f, inv);
    load_vpc_items(f, inv, INV_SECURITY_GROUP, &f->groups);
    load_vpc_items(f, inv, INV_ROUTE_TABLE, &f->rtbs);
}

/* AZs the chosen service does not offer for the chosen type are disabled. */
static void mark_offered(struct form *f)
{
    const struct inventory *inv = app_inventory(f->app);
    const struct inv_resource *svc =
        f->service ? inventory_find_service(inv, f->service, f->type) : NULL;
    for (size_t i = 0; i < f->subnets.n; i++) {
        struct choice *c = &f->subnets.v[i];
        c->disabled =
            svc && svc->service.az_names.n && c->az && !ids_has(&svc->service.az_names, c->az);
        if (c->disabled)
            c->on = false;
    }
}

/* ---- the service list ---- */

static unsigned service_kinds(const struct inventory *inv, const char *name)
{
    unsigned kinds = 0;
    for (size_t i = 0; i < inventory_count(inv, INV_SERVICE); i++) {
        const struct inv_resource *s = inventory_at(inv, INV_SERVICE, i);
        if (s->service.service_name && strcmp(s->service.service_name, name) == 0)
            kinds |= s->service.kinds;
    }
    return kinds;
}

static const char *vpc_owner(struct form *f)
{
    const struct inv_resource *vpc = inventory_find(app_inventory(f->app), INV_VPC, f->vpc_id);
    return vpc ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(vpc->json, "OwnerId"))
               : NULL;
}

static const char *service_category(struct form *f, const struct inv_resource *s)
{
    const char *owner = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s->json, "Owner"));
    const char *name = s->service.service_name;
    if ((owner && strcmp(owner, "amazon") == 0) || strncmp(name, "com.amazonaws.", 14) == 0)
        return "AWS";
    const char *mine = vpc_owner(f);
    if (owner && mine && strcmp(owner, mine) == 0)
        return "own";
    return "partner";
}

static void kinds_text(struct strbuf *sb, unsigned kinds)
{
    for (int k = INV_ENDPOINT_INTERFACE; k < INV_ENDPOINT_OTHER; k++)
        if (kinds & (1u << k))
            strbuf_addf(sb, "%s%s", sb->len ? "," : "", preflight_kind_text(k));
}

static const char *const categories[] = {"all", "AWS", "partner", "own"};

static bool contains_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return true;
    return !*needle;
}

static int cmp_pick(const void *x, const void *y)
{
    const struct pick *a = x, *b = y;
    int c = strcmp(a->name, b->name);
    return c ? c : (a->kinds > b->kinds) - (a->kinds < b->kinds);
}

/* Every word of the filter is in the name, the category or the types ("s3 gateway"). */
static bool pick_matches(const char *filter, const char *name, const char *cat, const char *kinds)
{
    char *copy = xstrdup(filter), *save = NULL;
    bool ok = true;
    for (char *w = strtok_r(copy, " ", &save); w && ok; w = strtok_r(NULL, " ", &save))
        ok = contains_nocase(name, w) || contains_nocase(cat, w) || contains_nocase(kinds, w);
    free(copy);
    return ok;
}

static void load_picks(struct form *f)
{
    const struct inventory *inv = app_inventory(f->app);
    free(f->picks);
    f->picks = NULL;
    f->n_picks = 0;
    for (size_t i = 0; i < inventory_count(inv, INV_SERVICE); i++) {
        const struct inv_resource *s = inventory_at(inv, INV_SERVICE, i);
        if (!s->service.service_name)
            continue;
        const char *cat = service_category(f, s);
        if (f->category && strcmp(cat, categories[f->category]) != 0)
            continue;
        struct strbuf kinds;
        strbuf_init(&kinds, 32);
        kinds_text(&kinds, s->service.kinds);
        bool match = pick_matches(f->filter.buf, s->service.service_name, cat, kinds.buf);
        strbuf_release(&kinds);
        if (!match)
            continue;
        f->picks = xreallocarray(f->picks, f->n_picks + 1, sizeof(*f->picks));
        f->picks[f->n_picks++] = (struct pick){
            .name = s->service.service_name, .kinds = s->service.kinds, .category = cat};
    }
    if (f->n_picks > 1)
        qsort(f->picks, f->n_picks, sizeof(*f->picks), cmp_pick);
}

static enum inv_endpoint_kind first_kind(unsigned kinds)
{
    for (int k = INV_ENDPOINT_INTERFACE; k < INV_ENDPOINT_OTHER; k++)
        if (kinds & (1u << k))
            return (enum inv_endpoint_kind)k;
    return INV_ENDPOINT_INTERFACE;
}

/* ---- the request ---- */

struct spec_buf {
    struct endpoint_spec spec;
    struct inv_ids subnets, groups, rtbs;
    struct endpoint_tag *tags;
};

static bool is_interface(const struct form *f)
{
    return f->type == INV_ENDPOINT_INTERFACE;
}

static void spec_build(struct form *f, struct spec_buf *b)
{
    memset(b, 0, sizeof(*b));
    bool gw = f->type == INV_ENDPOINT_GATEWAY;
    b->subnets = choices_ids(&f->subnets, true);
    b->groups = choices_ids(&f->groups, false);
    b->rtbs = choices_ids(&f->rtbs, false);
    struct endpoint_spec *s = &b->spec;
    s->vpc_id = f->vpc_id;
    s->service_name = f->service;
    s->kind = f->type;
    if (!gw)
        s->subnet_ids = b->subnets;
    if (is_interface(f))
        s->group_ids = b->groups;
    if (gw)
        s->route_table_ids = b->rtbs;
    s->private_dns = is_interface(f) ? (f->private_dns ? INV_YES : INV_NO) : INV_UNKNOWN;
    s->policy = f->custom_policy ? f->policy.buf : NULL;
    s->ip_address_type = f->kind == FORM_CREATE && !gw ? ip_types[f->ip_type] : NULL;
    form_tags_finish(&f->parsed);
    char *bad = NULL;
    if (f->kind == FORM_CREATE && form_parse_tags(f->tags.buf, &f->parsed, &bad)) {
        size_t n = f->parsed.n + (f->name.len ? 1 : 0);
        b->tags = xcalloc(n + 1, sizeof(*b->tags));
        if (f->name.len)
            b->tags[0] = (struct endpoint_tag){"Name", f->name.buf};
        memcpy(b->tags + (f->name.len ? 1 : 0), f->parsed.v, f->parsed.n * sizeof(*b->tags));
        s->tags = b->tags;
        s->n_tags = n;
    }
    free(bad);
}

static void spec_free(struct spec_buf *b)
{
    free(b->subnets.v);
    free(b->groups.v);
    free(b->rtbs.v);
    free(b->tags);
}

/* Problems the form itself finds, before pre-flight: JSON and tags. */
static char *local_problem(struct form *f)
{
    if (f->kind == FORM_DELETE)
        return NULL;
    if (f->custom_policy && !preflight_report_find(&f->report, PREFLIGHT_POLICY_INVALID)) {
        cJSON *doc = cJSON_Parse(f->policy.buf);
        bool ok = cJSON_IsObject(doc);
        cJSON_Delete(doc);
        if (!ok)
            return xstrdup("the custom policy is not a valid JSON object: fix it (Enter edits, "
                           "E opens $EDITOR) or switch back to full access");
    }
    if (f->kind == FORM_CREATE) {
        struct form_tags t;
        char *bad = NULL;
        if (!form_parse_tags(f->tags.buf, &t, &bad)) {
            char *msg = xasprintf("tag '%s' needs the form KEY=VALUE", bad);
            free(bad);
            return msg;
        }
        form_tags_finish(&t);
        if (!f->service)
            return xstrdup("choose a service first (Enter on the Service row)");
    }
    return NULL;
}

static void run_preflight(struct form *f)
{
    preflight_report_finish(&f->report);
    preflight_report_init(&f->report);
    if (f->kind == FORM_DELETE || (f->kind == FORM_CREATE && !f->service))
        return;
    struct spec_buf b;
    spec_build(f, &b);
    const struct inventory *inv = app_inventory(f->app);
    if (f->kind == FORM_CREATE)
        preflight_check_create(inv, &b.spec, &f->report);
    else
        preflight_check_modify(inv, f->endpoint_id, &b.spec, &f->report);
    spec_free(&b);
}

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

static void rows_clear(struct form *f)
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

static void choice_rows(struct form *f, enum row_kind kind, const char *label,
                        const struct choices *c, const char *none)
{
    if (!c->n) {
        field(f, R_TEXT, 0, label, ROLE_DIM, none);
        return;
    }
    for (size_t i = 0; i < c->n; i++) {
        const struct choice *ch = &c->v[i];
        struct ui_line *l = row_add(f, kind, i);
        line_add(l, ROLE_NORMAL, "  ");
        line_add_fixed(l, ROLE_LABEL, i == 0 ? label : "", LABEL_W, 0);
        line_add(l, ch->disabled ? ROLE_DIM : ROLE_VALUE, ch->disabled ? "[-] " : check(ch->on));
        line_add(l, ch->disabled ? ROLE_DIM : ROLE_ID, ch->id);
        line_add(l, ROLE_NORMAL, "  ");
        line_add(l, ROLE_DIM, ch->label);
        if (ch->disabled)
            line_add(l, ROLE_DIM, "  (zone not offered by the service)");
    }
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

static void finding_rows(struct form *f)
{
    char *local = local_problem(f);
    if (!local && !f->report.n)
        return;
    blank_row(f);
    struct ui_line *l = row_add(f, R_TEXT, 0);
    line_add(l, ROLE_TITLE, "Pre-flight checks");
    if (local)
        text_rows(f, ROLE_ERROR, "  error    ", local);
    free(local);
    for (size_t i = 0; i < f->report.n; i++) {
        const struct preflight_finding *x = &f->report.v[i];
        enum theme_role role = x->severity == PREFLIGHT_ERROR     ? ROLE_ERROR
                               : x->severity == PREFLIGHT_WARNING ? ROLE_WARN
                                                                  : ROLE_DIM;
        char *prefix = xasprintf("  %-8s ", preflight_severity_name(x->severity));
        text_rows(f, role, prefix, x->text);
        free(prefix);
    }
}

static bool blocked(struct form *f)
{
    char *local = local_problem(f);
    bool b = local || preflight_report_blocks(&f->report);
    free(local);
    return b;
}

static void submit_row(struct form *f)
{
    blank_row(f);
    struct ui_line *l = row_add(f, R_SUBMIT, 0);
    line_add(l, ROLE_NORMAL, "  ");
    line_add(l, blocked(f) ? ROLE_DIM : ROLE_OK, "[ Check and preview ]");
    line_add(l, ROLE_DIM,
             blocked(f) ? "  fix the errors below first"
                        : "  Enter: DryRun, then the command to confirm");
}

static void create_rows(struct form *f)
{
    field(f, R_VPC, 0, "VPC", ROLE_ID, f->vpc_id ? f->vpc_id : "(no VPC in the inventory)");
    field(f, R_SERVICE, 0, "Service", f->service ? ROLE_NAME : ROLE_DIM,
          f->service ? f->service : "(Enter to choose)");
    struct strbuf sb;
    strbuf_init(&sb, 64);
    strbuf_addstr(&sb, preflight_kind_text(f->type));
    unsigned kinds = f->service ? service_kinds(app_inventory(f->app), f->service) : 0;
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
        kinds_text(&sb, f->picks[i].kinds);
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

static const char *current_policy(const cJSON *ep)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ep, "PolicyDocument"));
}

static void policy_change_rows(struct form *f, const struct endpoint_delta *d)
{
    if (!d->policy_changed)
        return;
    const cJSON *fresh = mutate_op_result(f->op);
    const char *before = current_policy(fresh ? fresh : f->base);
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
    spec_build(f, &b);
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
    spec_free(&b);
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
    text_rows(f, ROLE_DIM, "  ", "The equivalent AWS CLI command:");
    text_rows(f, ROLE_VALUE, "    ", mutate_op_cli(f->op) ? mutate_op_cli(f->op) : "?");
    blank_row(f);
    if (f->kind == FORM_CREATE)
        create_summary_rows(f);
    else if (f->kind == FORM_MODIFY)
        delta_rows(f);
    else
        field(f, R_TEXT, 0, "Delete", ROLE_ID, f->endpoint_id);
    blank_row(f);
    l = row_add(f, R_SEND, 0);
    line_add(l, ROLE_NORMAL, "  ");
    line_add(l, ROLE_CRITICAL, mutate_op_simulated(f->op) ? "[ Apply (simulated) ]" : "[ Send ]");
    line_add(l, ROLE_NORMAL, "  ");
    line_add(l, ROLE_DIM,
             "y (or Enter here): send   any other key: back to the form, nothing sent");
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
    const char *pa = current_policy(base), *pb = current_policy(cur);
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
    rows_clear(f);
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

static void refresh_form(struct view *v)
{
    struct form *f = fm(v);
    if (f->stage == STAGE_EDIT || f->stage == STAGE_TEXT)
        run_preflight(f);
    rebuild(f);
    list_clamp(v, v->height);
}

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
    if (!ep && r)
        ep = r->json;
    cJSON_Delete(f->base);
    f->base = ep ? cJSON_Duplicate(ep, true) : NULL;
    if (!r)
        return;
    free(f->vpc_id);
    free(f->service);
    f->vpc_id = r->vpc_id ? xstrdup(r->vpc_id) : NULL;
    f->service = r->endpoint.service_name ? xstrdup(r->endpoint.service_name) : NULL;
    f->type = r->endpoint.kind;
    load_choices(f);
    const cJSON *src = f->base;
    /* The version the form starts from: the base, which may be fresher than r. */
    struct inv_ids subnets = ids_of(cJSON_GetObjectItem(src, "SubnetIds"), NULL);
    struct inv_ids groups = ids_of(cJSON_GetObjectItem(src, "Groups"), "GroupId");
    struct inv_ids rtbs = ids_of(cJSON_GetObjectItem(src, "RouteTableIds"), NULL);
    choices_set(&f->subnets, &subnets);
    choices_set(&f->groups, &groups);
    choices_set(&f->rtbs, &rtbs);
    free(subnets.v);
    free(groups.v);
    free(rtbs.v);
    f->private_dns = cJSON_IsTrue(cJSON_GetObjectItem(src, "PrivateDnsEnabled"));
    const char *pol = current_policy(src);
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
        load_choices(f);
    } else {
        f->endpoint_id = xstrdup(args && args->id ? args->id : "");
        prefill_endpoint(f, NULL);
    }
    refresh_form(v);
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

static void drop_op(struct form *f)
{
    mutate_op_destroy(f->op);
    f->op = NULL;
}

static void form_close(struct view *v)
{
    struct form *f = fm(v);
    drop_op(f);
    rows_clear(f);
    free(f->rows);
    choices_free(&f->subnets);
    choices_free(&f->groups);
    choices_free(&f->rtbs);
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

/* ---- submit ---- */

static void set_error(struct form *f, const char *msg, const char *hint)
{
    free(f->error);
    free(f->hint);
    f->error = msg ? xstrdup(msg) : NULL;
    f->hint = hint ? xstrdup(hint) : NULL;
}

static void after_done(struct form *f)
{
    if (mutate_op_simulated(f->op))
        return;
    /* The endpoint's ENIs take addresses in its subnets. */
    app_refetch(f->app, INV_ENI);
    app_refetch(f->app, INV_SUBNET);
}

static void op_event(void *ud, struct mutate_op *op)
{
    struct view *v = ud;
    struct form *f = fm(v);
    (void)op;
    switch (mutate_op_phase(f->op)) {
    case MUTATE_PHASE_READY:
        f->stage = STAGE_CONFIRM;
        break;
    case MUTATE_PHASE_DONE:
        f->stage = STAGE_DONE;
        after_done(f);
        app_message(f->app, ROLE_OK, "%s", mutate_op_message(f->op));
        break;
    case MUTATE_PHASE_FAILED: {
        const struct vpcx_error *e = mutate_op_error(f->op);
        set_error(f, mutate_op_message(f->op), e->hint);
        f->stage = STAGE_EDIT;
        app_message(f->app, ROLE_ERROR, "%s", mutate_op_message(f->op));
        break;
    }
    case MUTATE_PHASE_CONFLICT:
        f->stage = STAGE_CONFLICT;
        break;
    default:
        f->stage = STAGE_BUSY;
    }
    v->cursor = v->top = 0;
    refresh_form(v);
    app_redraw(f->app);
}

static void submit(struct view *v)
{
    struct form *f = fm(v);
    char *local = local_problem(f);
    if (local || (f->kind != FORM_DELETE && preflight_report_blocks(&f->report))) {
        app_message(f->app, ROLE_ERROR, "%s",
                    local ? local : "the pre-flight checks found errors: nothing was sent");
        free(local);
        return;
    }
    drop_op(f);
    set_error(f, NULL, NULL);
    struct spec_buf b;
    spec_build(f, &b);
    const struct mutate_request req = {
        .kind = f->kind == FORM_CREATE   ? MUTATE_CREATE
                : f->kind == FORM_MODIFY ? MUTATE_MODIFY
                                         : MUTATE_DELETE,
        .spec = b.spec,
        .endpoint_id = f->endpoint_id,
        .base = f->base,
        .typed_id = f->typed.buf,
    };
    const struct mutate_options opts = {.poll_first_ms = 1000, .on_event = op_event, .ud = v};
    struct vpcx_error err;
    vpcx_error_init(&err);
    f->op = mutate_op_create(app_gate(f->app), app_client(f->app), app_inventory_rw(f->app), &req,
                             &opts, &err);
    spec_free(&b);
    if (!f->op) {
        set_error(f, err.message ? err.message : vpcx_status_message(err.status), err.hint);
        app_message(f->app, ROLE_ERROR, "%s", f->error);
        vpcx_error_finish(&err);
        refresh_form(v);
        return;
    }
    vpcx_error_finish(&err);
    f->stage = STAGE_BUSY;
    v->cursor = v->top = 0;
    refresh_form(v);
    mutate_op_check(f->op); /* events move the stage on */
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
    refresh_form(v);
    return VIEW_REDRAW;
}

static void choose_service(struct form *f, const struct pick *p)
{
    free(f->service);
    f->service = xstrdup(p->name);
    /* The row chosen says the type: S3 has a Gateway row and an Interface row. */
    if (!(p->kinds & (1u << f->type)))
        f->type = first_kind(p->kinds);
    /* A type named in the filter wins when the service offers it. */
    for (int k = INV_ENDPOINT_GWLB; k >= INV_ENDPOINT_INTERFACE; k--)
        if ((p->kinds & (1u << k)) && contains_nocase(f->filter.buf, preflight_kind_text(k)) &&
            (k != INV_ENDPOINT_GATEWAY || !contains_nocase(f->filter.buf, "loadbalancer")))
            f->type = (enum inv_endpoint_kind)k;
    mark_offered(f);
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
        load_picks(f);
    } else if (printable(key) || is_backspace(key) || key == 21) {
        text_key(&f->filter, key);
        load_picks(f);
        v->cursor = f->n_picks ? 2 : 0;
    } else {
        return a == ACT_UP || a == ACT_DOWN || a == ACT_PAGE_UP || a == ACT_PAGE_DOWN ||
                       a == ACT_HOME || a == ACT_END
                   ? VIEW_PASS
                   : VIEW_HANDLED;
    }
    if (f->stage == STAGE_EDIT) {
        v->cursor = 0;
        for (size_t i = 0; i < f->n_rows; i++)
            if (f->rows[i].kind == R_SERVICE)
                v->cursor = i;
    }
    refresh_form(v);
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
    unsigned kinds = f->service ? service_kinds(app_inventory(f->app), f->service) : 0;
    for (int step = 1; step <= 3; step++) {
        int k = ((int)f->type + step) % 3;
        if (!kinds || (kinds & (1u << k))) {
            f->type = (enum inv_endpoint_kind)k;
            break;
        }
    }
    mark_offered(f);
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
            load_choices(f);
            mark_offered(f);
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
    fputs(pretty ? pretty : f->policy.buf, out);
    free(pretty);
    fclose(out);
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
        load_picks(f);
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
            submit(v);
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
        submit(v);
    } else if (a == ACT_UP || a == ACT_DOWN) {
        step_field(v, a == ACT_UP ? -1 : 1);
    } else {
        return list_key(v, a) == VIEW_PASS ? VIEW_HANDLED : VIEW_REDRAW;
    }
    if (f->stage == STAGE_EDIT || f->stage == STAGE_TEXT || f->stage == STAGE_PICK)
        refresh_form(v);
    return VIEW_REDRAW;
}

static enum view_result delete_key(struct view *v, int key)
{
    struct form *f = fm(v);
    if (key == 27)
        return VIEW_CLOSE;
    if (is_enter(key))
        submit(v);
    else
        text_key(&f->typed, key);
    refresh_form(v);
    for (size_t i = 0; f->stage == STAGE_EDIT && i < f->n_rows; i++)
        if (f->rows[i].kind == R_TYPED_ID)
            list_set_cursor(v, i);
    return VIEW_REDRAW;
}

static bool is_move(enum action a)
{
    return a == ACT_UP || a == ACT_DOWN || a == ACT_PAGE_UP || a == ACT_PAGE_DOWN ||
           a == ACT_HOME || a == ACT_END;
}

static void back_to_form(struct view *v, const char *why)
{
    struct form *f = fm(v);
    drop_op(f);
    f->stage = STAGE_EDIT;
    v->cursor = v->top = 0;
    refresh_form(v);
    app_message(f->app, ROLE_WARN, "%s", why);
}

static enum view_result confirm_key(struct view *v, enum action a, int key)
{
    struct form *f = fm(v);
    const struct row *r = v->cursor < f->n_rows ? &f->rows[v->cursor] : NULL;
    if (is_move(a))
        return VIEW_PASS;
    if (key == 'y' || (is_enter(key) && r && r->kind == R_SEND)) {
        f->stage = STAGE_BUSY;
        v->cursor = v->top = 0;
        refresh_form(v);
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
    drop_op(f);
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
        load_picks(f);
    refresh_form(v);
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
