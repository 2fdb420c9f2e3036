/* The endpoint forms' data: tag and diff helpers, the choices and the service list. */
#include "form_internal.h"

#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"
#include "vpcx/model/ipusage.h"
#include "vpcx/ui/app.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

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

static void choices_add(struct choices *c, const char *id, const char *name, char *label,
                        const char *az, bool on)
{
    c->v = xreallocarray(c->v, c->n + 1, sizeof(*c->v));
    c->v[c->n++] = (struct choice){.id = xstrdup(id),
                                   .name = xstrdup(name ? name : ""),
                                   .label = label,
                                   .az = az ? xstrdup(az) : NULL,
                                   .on = on};
}

void form_choices_free(struct choices *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->v[i].id);
        free(c->v[i].name);
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

void form_choices_set(struct choices *c, const struct inv_ids *ids)
{
    for (size_t i = 0; i < c->n; i++)
        c->v[i].on = ids_has(ids, c->v[i].id);
}

/* The chosen IDs as a borrowed list (the array is allocated; free .v). */
struct inv_ids form_choices_ids(const struct choices *c, bool skip_disabled)
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
    form_choices_free(&f->subnets);
    struct inv_ids ids = inventory_vpc_subnets(inv, f->vpc_id);
    for (size_t i = 0; i < ids.n; i++) {
        const struct inv_resource *s = inventory_find(inv, INV_SUBNET, ids.v[i]);
        if (!s)
            continue;
        struct ip_usage u;
        ipusage_compute(inv, s, &u);
        char *label = xasprintf("%-10s %5llu free", s->subnet.az_name ? s->subnet.az_name : "?",
                                (unsigned long long)u.effective_free);
        bool on = f->start_subnet && strcmp(f->start_subnet, s->id) == 0;
        choices_add(&f->subnets, s->id, s->name, label, s->subnet.az_name, on);
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
    form_choices_free(out);
    for (size_t i = 0; i < inventory_count(inv, type); i++) {
        const struct inv_resource *r = inventory_at(inv, type, i);
        if (r->vpc_id && strcmp(r->vpc_id, f->vpc_id) == 0)
            choices_add(out, r->id, r->name, xstrdup(""), NULL, false);
    }
    if (out->n > 1)
        qsort(out->v, out->n, sizeof(*out->v), cmp_choice_id); /* a stable order */
}

void form_load_choices(struct form *f)
{
    const struct inventory *inv = app_inventory(f->app);
    if (!f->vpc_id)
        return;
    load_subnets(f, inv);
    load_vpc_items(f, inv, INV_SECURITY_GROUP, &f->groups);
    load_vpc_items(f, inv, INV_ROUTE_TABLE, &f->rtbs);
}

/* AZs the chosen service does not offer for the chosen type are disabled. */
void form_mark_offered(struct form *f)
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

unsigned form_service_kinds(const struct inventory *inv, const char *name)
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
    return vpc ? vpc->owner_id : NULL;
}

static const char *service_category(struct form *f, const struct inv_resource *s)
{
    const char *owner = s->owner_id;
    const char *name = s->service.service_name;
    if ((owner && strcmp(owner, "amazon") == 0) || strncmp(name, "com.amazonaws.", 14) == 0)
        return "AWS";
    const char *mine = vpc_owner(f);
    if (owner && mine && strcmp(owner, mine) == 0)
        return "own";
    return "partner";
}

void form_kinds_text(struct strbuf *sb, unsigned kinds)
{
    for (int k = INV_ENDPOINT_INTERFACE; k < INV_ENDPOINT_OTHER; k++)
        if (kinds & (1u << k))
            strbuf_addf(sb, "%s%s", sb->len ? "," : "", preflight_kind_text(k));
}

bool form_contains_nocase(const char *hay, const char *needle)
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
        ok = form_contains_nocase(name, w) || form_contains_nocase(cat, w) ||
             form_contains_nocase(kinds, w);
    free(copy);
    return ok;
}

void form_load_picks(struct form *f)
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
        form_kinds_text(&kinds, s->service.kinds);
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

enum inv_endpoint_kind form_first_kind(unsigned kinds)
{
    for (int k = INV_ENDPOINT_INTERFACE; k < INV_ENDPOINT_OTHER; k++)
        if (kinds & (1u << k))
            return (enum inv_endpoint_kind)k;
    return INV_ENDPOINT_INTERFACE;
}
