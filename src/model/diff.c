#include "vpcx/model/diff.h"
#include "vpcx/model/netinfo.h"

#include "vpcx/core/sanitize.h"
#include "vpcx/core/xalloc.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Values longer than this are shortened in text output. */
#define TEXT_VALUE_MAX 160

/* String comparisons made so far: a cost measure for the tests. */
static size_t compares;

size_t diff_compare_count(void)
{
    return compares;
}

static int key_cmp(const char *a, const char *b)
{
    compares++;
    return strcmp(a, b);
}

/* ---- field changes ------------------------------------------------------ */

static void diff_value(cJSON *changes, struct strbuf *path, const char *key, const cJSON *a,
                       const cJSON *b);

static void add_value_change(cJSON *changes, const struct strbuf *path, const cJSON *a,
                             const cJSON *b)
{
    cJSON *c = cJSON_CreateObject();
    cJSON_AddStringToObject(c, "Path", strbuf_str(path));
    if (a)
        cJSON_AddItemToObject(c, "Old", cJSON_Duplicate(a, true));
    if (b)
        cJSON_AddItemToObject(c, "New", cJSON_Duplicate(b, true));
    cJSON_AddItemToArray(changes, c);
}

/* A child of an object or array under the string that identifies it; order
 * keeps sorting stable, so the first of equal keys stays first. */
struct keyed {
    const char *key;
    const cJSON *item;
    size_t order;
};

static int keyed_cmp(const void *x, const void *y)
{
    const struct keyed *a = x, *b = y;
    int c = key_cmp(a->key, b->key);
    if (c != 0)
        return c;
    return a->order < b->order ? -1 : a->order > b->order;
}

/* The children of v that have a key (key_of(child) not NULL), sorted by it. */
static struct keyed *sorted_children(const cJSON *v,
                                     const char *(*key_of)(const cJSON *, const char *),
                                     const char *arg, size_t *n)
{
    size_t cap = (size_t)cJSON_GetArraySize(v), k = 0;
    struct keyed *out = xcalloc(cap ? cap : 1, sizeof(*out));
    const cJSON *it;
    cJSON_ArrayForEach(it, v)
    {
        const char *key = key_of(it, arg);
        if (key) {
            out[k] = (struct keyed){key, it, k};
            k++;
        }
    }
    qsort(out, k, sizeof(*out), keyed_cmp);
    *n = k;
    return out;
}

/* The index after the run of entries equal to v[i]'s key. */
static size_t run_end(const struct keyed *v, size_t n, size_t i)
{
    size_t j = i + 1;
    while (j < n && key_cmp(v[j].key, v[i].key) == 0)
        j++;
    return j;
}

/* Calls each(key, a_item, b_item) for every distinct key of two sorted
 * lists, in key order, with the first item of each key (NULL when absent). */
struct merge_fn {
    void (*each)(void *ctx, const char *key, const cJSON *a, const cJSON *b);
    void *ctx;
};

static void merge_sorted(const struct keyed *a, size_t na, const struct keyed *b, size_t nb,
                         const struct merge_fn *fn)
{
    size_t i = 0, j = 0;
    while (i < na || j < nb) {
        int c = i >= na ? 1 : j >= nb ? -1 : key_cmp(a[i].key, b[j].key);
        const char *key = c <= 0 ? a[i].key : b[j].key;
        fn->each(fn->ctx, key, c <= 0 ? a[i].item : NULL, c >= 0 ? b[j].item : NULL);
        if (c <= 0)
            i = run_end(a, na, i);
        if (c >= 0)
            j = run_end(b, nb, j);
    }
}

static const char *member_name(const cJSON *it, const char *arg)
{
    (void)arg;
    return it->string;
}

static const char *string_value(const cJSON *it, const char *arg)
{
    (void)arg;
    return cJSON_IsString(it) ? it->valuestring : NULL;
}

static const char *item_key_value(const cJSON *item, const char *key)
{
    if (!cJSON_IsObject(item))
        return NULL;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(item, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

struct walk {
    cJSON *changes;
    struct strbuf *path;
    const char *array_key; /* keyed arrays: the identifying field */
    cJSON *added, *removed;
};

static void object_member(void *ctx, const char *key, const cJSON *a, const cJSON *b)
{
    struct walk *w = ctx;
    size_t base = w->path->len;
    if (base)
        strbuf_addch(w->path, '.');
    strbuf_addstr(w->path, key);
    diff_value(w->changes, w->path, key, a, b);
    strbuf_setlen(w->path, base);
}

/* Members are matched by name through both sorted member lists; of a name
 * given twice, the first counts (as cJSON's lookups do). */
static void diff_objects(cJSON *changes, struct strbuf *path, const cJSON *a, const cJSON *b)
{
    size_t na = 0, nb = 0;
    struct keyed *la = sorted_children(a, member_name, NULL, &na);
    struct keyed *lb = sorted_children(b, member_name, NULL, &nb);
    struct walk w = {.changes = changes, .path = path};
    struct merge_fn fn = {object_member, &w};
    merge_sorted(la, na, lb, nb, &fn);
    free(la);
    free(lb);
}

static bool all_strings(const cJSON *arr)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, arr)
    {
        if (!cJSON_IsString(it))
            return false;
    }
    return true;
}

static void set_member(void *ctx, const char *key, const cJSON *a, const cJSON *b)
{
    struct walk *w = ctx;
    if (a && !b)
        cJSON_AddItemToArray(w->removed, cJSON_CreateString(key));
    else if (b && !a)
        cJSON_AddItemToArray(w->added, cJSON_CreateString(key));
}

static void diff_string_sets(cJSON *changes, const struct strbuf *path, const cJSON *a,
                             const cJSON *b)
{
    size_t na = 0, nb = 0;
    struct keyed *la = sorted_children(a, string_value, NULL, &na);
    struct keyed *lb = sorted_children(b, string_value, NULL, &nb);
    struct walk w = {.added = cJSON_CreateArray(), .removed = cJSON_CreateArray()};
    struct merge_fn fn = {set_member, &w};
    merge_sorted(la, na, lb, nb, &fn);
    free(la);
    free(lb);
    if (cJSON_GetArraySize(w.added) == 0 && cJSON_GetArraySize(w.removed) == 0) {
        cJSON_Delete(w.added);
        cJSON_Delete(w.removed);
        return; /* same set, another order */
    }
    cJSON *c = cJSON_CreateObject();
    cJSON_AddStringToObject(c, "Path", strbuf_str(path));
    cJSON_AddItemToObject(c, "Added", w.added);
    cJSON_AddItemToObject(c, "Removed", w.removed);
    cJSON_AddItemToArray(changes, c);
}

/* Fields that identify an item within AWS's arrays of objects. */
static const char *const item_keys[] = {
    "Key",
    "GroupId",
    "AssociationId",
    "PrivateIpAddress",
    "Ipv6Address",
    "Ipv4Prefix",
    "Ipv6Prefix",
    "DnsName",
    "RouteTableAssociationId",
    "NetworkAclAssociationId",
    "NetworkInterfaceId",
    "SubnetId",
    "ZoneName",
    "Cidr",
};

/* arr's items sorted by key, or NULL unless every item is an object with a
 * distinct string key. */
static struct keyed *keyed_by(const cJSON *arr, const char *key, size_t *n)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, arr)
    {
        if (!item_key_value(it, key))
            return NULL; /* cheap check before sorting */
    }
    struct keyed *v = sorted_children(arr, item_key_value, key, n);
    for (size_t i = 1; i < *n; i++) {
        if (key_cmp(v[i - 1].key, v[i].key) == 0) {
            free(v);
            return NULL;
        }
    }
    return v;
}

static void keyed_member(void *ctx, const char *value, const cJSON *a, const cJSON *b)
{
    struct walk *w = ctx;
    size_t base = w->path->len;
    strbuf_addf(w->path, "[%s=%s]", w->array_key, value);
    diff_value(w->changes, w->path, NULL, a, b);
    strbuf_setlen(w->path, base);
}

/* Matches the items of a and b by a field that identifies them in both. */
static bool diff_keyed(cJSON *changes, struct strbuf *path, const cJSON *a, const cJSON *b)
{
    for (size_t k = 0; k < sizeof(item_keys) / sizeof(item_keys[0]); k++) {
        size_t na = 0, nb = 0;
        struct keyed *la = keyed_by(a, item_keys[k], &na);
        struct keyed *lb = la ? keyed_by(b, item_keys[k], &nb) : NULL;
        if (la && lb) {
            struct walk w = {.changes = changes, .path = path, .array_key = item_keys[k]};
            struct merge_fn fn = {keyed_member, &w};
            merge_sorted(la, na, lb, nb, &fn);
        }
        free(la);
        free(lb);
        if (la && lb)
            return true;
    }
    return false;
}

static void diff_arrays(cJSON *changes, struct strbuf *path, const cJSON *a, const cJSON *b)
{
    if (all_strings(a) && all_strings(b)) {
        diff_string_sets(changes, path, a, b);
        return;
    }
    if (diff_keyed(changes, path, a, b))
        return;
    if (cJSON_GetArraySize(a) != cJSON_GetArraySize(b)) {
        add_value_change(changes, path, a, b);
        return;
    }
    size_t base = path->len;
    int i = 0;
    for (const cJSON *x = a->child, *y = b->child; x && y; x = x->next, y = y->next, i++) {
        strbuf_addf(path, "[%d]", i);
        diff_value(changes, path, NULL, x, y);
        strbuf_setlen(path, base);
    }
}

/* Policies are compared as JSON documents, not text. */
static bool diff_policy(cJSON *changes, struct strbuf *path, const cJSON *a, const cJSON *b)
{
    cJSON *pa = cJSON_Parse(a->valuestring);
    cJSON *pb = cJSON_Parse(b->valuestring);
    bool parsed = pa && pb;
    if (parsed)
        diff_value(changes, path, NULL, pa, pb);
    cJSON_Delete(pa);
    cJSON_Delete(pb);
    return parsed;
}

static void diff_value(cJSON *changes, struct strbuf *path, const char *key, const cJSON *a,
                       const cJSON *b)
{
    /* Containers are walked, not compared whole first: cJSON_Compare looks
     * every member up by a scan, and at every level again. */
    if (!a || !b)
        add_value_change(changes, path, a, b);
    else if (cJSON_IsObject(a) && cJSON_IsObject(b))
        diff_objects(changes, path, a, b);
    else if (cJSON_IsArray(a) && cJSON_IsArray(b))
        diff_arrays(changes, path, a, b);
    else if (cJSON_Compare(a, b, true))
        return;
    else if (!(key && strcmp(key, "PolicyDocument") == 0 && cJSON_IsString(a) &&
               cJSON_IsString(b) && diff_policy(changes, path, a, b)))
        add_value_change(changes, path, a, b);
}

cJSON *diff_items(const cJSON *old_item, const cJSON *new_item)
{
    cJSON *changes = cJSON_CreateArray();
    struct strbuf path;
    strbuf_init(&path, 64);
    diff_value(changes, &path, NULL, old_item, new_item);
    strbuf_release(&path);
    return changes;
}

/* ---- notes -------------------------------------------------------------- */

static const struct {
    const char *path;
    const char *noun;
} set_nouns[] = {
    {"SubnetIds", "subnet"},
    {"NetworkInterfaceIds", "ENI"},
    {"RouteTableIds", "route table"},
    {"Groups[GroupId=", "security group"},
};

static void add_note(cJSON *notes, char *text)
{
    cJSON_AddItemToArray(notes, cJSON_CreateString(text));
    free(text);
}

static void note_set(cJSON *notes, const cJSON *c, const char *noun)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(c, "Added"))
        add_note(notes, xasprintf("gained %s %s", noun, it->valuestring));
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(c, "Removed"))
        add_note(notes, xasprintf("lost %s %s", noun, it->valuestring));
}

/* Groups[GroupId=sg-1] added or removed as a whole. */
static void note_keyed(cJSON *notes, const cJSON *c, const char *prefix, const char *noun)
{
    const char *p = cJSON_GetObjectItemCaseSensitive(c, "Path")->valuestring;
    size_t plen = strlen(prefix);
    const char *end = strchr(p + plen, ']');
    if (!end || end[1] != '\0')
        return;
    bool has_old = cJSON_GetObjectItemCaseSensitive(c, "Old") != NULL;
    bool has_new = cJSON_GetObjectItemCaseSensitive(c, "New") != NULL;
    if (has_old != has_new)
        add_note(notes, xasprintf("%s %s %.*s", has_new ? "gained" : "lost", noun,
                                  (int)(end - p - plen), p + plen));
}

static const char *scalar_text(const cJSON *v)
{
    return cJSON_IsString(v) ? v->valuestring : "(none)";
}

static void note_scalar(cJSON *notes, const char *path, const cJSON *old_v, const cJSON *new_v)
{
    if (strcmp(path, "State") == 0 || strcmp(path, "Status") == 0) {
        add_note(notes, xasprintf("state %s -> %s", scalar_text(old_v), scalar_text(new_v)));
    } else if (strcmp(path, "PrivateDnsEnabled") == 0 && cJSON_IsBool(new_v)) {
        add_note(notes, xasprintf("private DNS %s", cJSON_IsTrue(new_v) ? "enabled" : "disabled"));
    } else if (strcmp(path, "AvailableIpAddressCount") == 0 && cJSON_IsNumber(old_v) &&
               cJSON_IsNumber(new_v)) {
        double d = new_v->valuedouble - old_v->valuedouble;
        add_note(notes,
                 xasprintf("%s %.0f free IP addresses (%.0f -> %.0f)", d < 0 ? "lost" : "gained",
                           d < 0 ? -d : d, old_v->valuedouble, new_v->valuedouble));
    } else if (strncmp(path, "VpcAttributes.", 14) == 0 && cJSON_IsBool(new_v)) {
        add_note(notes,
                 xasprintf("%s %s", path + 14, cJSON_IsTrue(new_v) ? "enabled" : "disabled"));
    }
}

static cJSON *make_notes(const cJSON *changes)
{
    cJSON *notes = cJSON_CreateArray();
    bool policy = false;
    const cJSON *c;
    cJSON_ArrayForEach(c, changes)
    {
        const char *p = cJSON_GetObjectItemCaseSensitive(c, "Path")->valuestring;
        for (size_t i = 0; i < sizeof(set_nouns) / sizeof(set_nouns[0]); i++) {
            if (strcmp(p, set_nouns[i].path) == 0)
                note_set(notes, c, set_nouns[i].noun);
            else if (strchr(set_nouns[i].path, '=') &&
                     strncmp(p, set_nouns[i].path, strlen(set_nouns[i].path)) == 0)
                note_keyed(notes, c, set_nouns[i].path, set_nouns[i].noun);
        }
        if (!policy && strncmp(p, "PolicyDocument", 14) == 0 &&
            (p[14] == '\0' || p[14] == '.' || p[14] == '[')) {
            policy = true;
            add_note(notes, xstrdup("policy changed"));
        }
        note_scalar(notes, p, cJSON_GetObjectItemCaseSensitive(c, "Old"),
                    cJSON_GetObjectItemCaseSensitive(c, "New"));
    }
    return notes;
}

/* ---- resources ---------------------------------------------------------- */

static cJSON *resource_ref(const struct inv_resource *r)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "Id", r->id);
    if (r->type == INV_ENDPOINT && r->endpoint.service_name) {
        /* An endpoint is known by its service ("ssm", "s3 (gateway)") before its Name. */
        char *svc = netinfo_short_service(r->endpoint.service_name, r->endpoint.kind);
        cJSON_AddStringToObject(o, "Service", svc);
        free(svc);
    }
    if (r->name)
        cJSON_AddStringToObject(o, "Name", r->name);
    return o;
}

static void add_attr_change(cJSON *changes, const char *path, enum inv_tristate a,
                            enum inv_tristate b)
{
    if (a == b)
        return;
    cJSON *c = cJSON_CreateObject();
    cJSON_AddStringToObject(c, "Path", path);
    if (a != INV_UNKNOWN)
        cJSON_AddBoolToObject(c, "Old", a == INV_YES);
    if (b != INV_UNKNOWN)
        cJSON_AddBoolToObject(c, "New", b == INV_YES);
    cJSON_AddItemToArray(changes, c);
}

static cJSON *resource_changes(const struct inventory *ia, const struct inv_resource *a,
                               const struct inventory *ib, const struct inv_resource *b)
{
    cJSON *ja = inventory_item(ia, a);
    cJSON *jb = inventory_item(ib, b);
    cJSON *changes = diff_items(ja, jb);
    cJSON_Delete(ja);
    cJSON_Delete(jb);
    if (a->type == INV_VPC) {
        add_attr_change(changes, "VpcAttributes.EnableDnsSupport", a->vpc.dns_support,
                        b->vpc.dns_support);
        add_attr_change(changes, "VpcAttributes.EnableDnsHostnames", a->vpc.dns_hostnames,
                        b->vpc.dns_hostnames);
    }
    return changes;
}

struct type_diff {
    cJSON *added, *removed, *changed;
};

static void diff_pair(struct type_diff *td, const struct inventory *ia,
                      const struct inv_resource *a, const struct inventory *ib,
                      const struct inv_resource *b)
{
    cJSON *changes = resource_changes(ia, a, ib, b);
    if (cJSON_GetArraySize(changes) == 0) {
        cJSON_Delete(changes);
        return;
    }
    cJSON *o = resource_ref(b);
    cJSON_AddItemToObject(o, "Notes", make_notes(changes));
    cJSON_AddItemToObject(o, "Changes", changes);
    cJSON_AddItemToArray(td->changed, o);
}

/* Walks both ID-sorted lists together. */
static void diff_type(struct type_diff *td, const struct inventory *a, const struct inventory *b,
                      enum inv_type t)
{
    size_t i = 0, j = 0, na = inventory_count(a, t), nb = inventory_count(b, t);
    while (i < na || j < nb) {
        const struct inv_resource *ra = i < na ? inventory_at(a, t, i) : NULL;
        const struct inv_resource *rb = j < nb ? inventory_at(b, t, j) : NULL;
        if (ra && (!rb || strcmp(ra->id, rb->id) < 0)) {
            cJSON_AddItemToArray(td->removed, resource_ref(ra));
            i++;
        } else if (rb && (!ra || strcmp(ra->id, rb->id) > 0)) {
            cJSON_AddItemToArray(td->added, resource_ref(rb));
            j++;
        } else if (ra && rb) {
            diff_pair(td, a, ra, b, rb);
            i++;
            j++;
        } else {
            break; /* counts and items disagree: never loop */
        }
    }
}

static void add_count(cJSON *report, const char *key, int n)
{
    cJSON *v = cJSON_GetObjectItemCaseSensitive(report, key);
    cJSON_SetNumberValue(v, v->valuedouble + n);
}

cJSON *diff_inventories(const struct inventory *old_inv, const struct inventory *new_inv)
{
    cJSON *report = cJSON_CreateObject();
    cJSON_AddNumberToObject(report, "Added", 0);
    cJSON_AddNumberToObject(report, "Removed", 0);
    cJSON_AddNumberToObject(report, "Changed", 0);
    cJSON *types = cJSON_AddObjectToObject(report, "Types");
    for (int t = 0; t < INV_TYPE_COUNT; t++) {
        struct type_diff td = {cJSON_CreateArray(), cJSON_CreateArray(), cJSON_CreateArray()};
        diff_type(&td, old_inv, new_inv, (enum inv_type)t);
        int na = cJSON_GetArraySize(td.added), nr = cJSON_GetArraySize(td.removed),
            nc = cJSON_GetArraySize(td.changed);
        if (na + nr + nc == 0) {
            cJSON_Delete(td.added);
            cJSON_Delete(td.removed);
            cJSON_Delete(td.changed);
            continue;
        }
        cJSON *o = cJSON_AddObjectToObject(types, inventory_type_list_key((enum inv_type)t));
        cJSON_AddItemToObject(o, "Added", td.added);
        cJSON_AddItemToObject(o, "Removed", td.removed);
        cJSON_AddItemToObject(o, "Changed", td.changed);
        add_count(report, "Added", na);
        add_count(report, "Removed", nr);
        add_count(report, "Changed", nc);
    }
    return report;
}

size_t diff_report_count(const cJSON *report)
{
    size_t n = 0;
    static const char *const keys[] = {"Added", "Removed", "Changed"};
    for (size_t i = 0; i < 3; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(report, keys[i]);
        n += cJSON_IsNumber(v) && v->valuedouble > 0 ? (size_t)v->valuedouble : 0;
    }
    return n;
}

/* ---- text --------------------------------------------------------------- */

static void add_clean(struct strbuf *out, const char *s)
{
    sanitize_add(out, s, strlen(s), SANITIZE_ESCAPE);
}

/* A value as compact JSON, sanitised and cut at TEXT_VALUE_MAX bytes. */
static void add_value(struct strbuf *out, const cJSON *v)
{
    if (!v) {
        strbuf_addstr(out, "(none)");
        return;
    }
    char *s = cJSON_PrintUnformatted(v);
    size_t n = s ? strlen(s) : 0;
    bool cut = n > TEXT_VALUE_MAX;
    if (cut) {
        n = TEXT_VALUE_MAX;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--; /* do not split a UTF-8 sequence */
    }
    sanitize_add(out, s ? s : "?", n, SANITIZE_ESCAPE);
    if (cut)
        strbuf_addstr(out, "...");
    free(s);
}

static void add_ref(struct strbuf *out, char mark, const cJSON *ref)
{
    strbuf_addf(out, "  %c ", mark);
    add_clean(out, cJSON_GetObjectItemCaseSensitive(ref, "Id")->valuestring);
    const cJSON *svc = cJSON_GetObjectItemCaseSensitive(ref, "Service");
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(ref, "Name");
    if (cJSON_IsString(svc) || cJSON_IsString(name)) {
        strbuf_addstr(out, " (");
        if (cJSON_IsString(svc))
            add_clean(out, svc->valuestring);
        if (cJSON_IsString(svc) && cJSON_IsString(name))
            strbuf_addstr(out, ", ");
        if (cJSON_IsString(name))
            add_clean(out, name->valuestring);
        strbuf_addch(out, ')');
    }
}

static void add_id_list(struct strbuf *out, const cJSON *list, char mark)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, list)
    {
        strbuf_addf(out, " %c", mark);
        add_clean(out, it->valuestring);
    }
}

static void add_change_line(struct strbuf *out, const cJSON *c)
{
    strbuf_addstr(out, "      ");
    add_clean(out, cJSON_GetObjectItemCaseSensitive(c, "Path")->valuestring);
    strbuf_addch(out, ':');
    const cJSON *added = cJSON_GetObjectItemCaseSensitive(c, "Added");
    if (added) {
        add_id_list(out, added, '+');
        add_id_list(out, cJSON_GetObjectItemCaseSensitive(c, "Removed"), '-');
    } else {
        strbuf_addch(out, ' ');
        add_value(out, cJSON_GetObjectItemCaseSensitive(c, "Old"));
        strbuf_addstr(out, " -> ");
        add_value(out, cJSON_GetObjectItemCaseSensitive(c, "New"));
    }
    strbuf_addch(out, '\n');
}

static void add_changed(struct strbuf *out, const cJSON *o)
{
    add_ref(out, '~', o);
    const cJSON *note;
    bool first = true;
    cJSON_ArrayForEach(note, cJSON_GetObjectItemCaseSensitive(o, "Notes"))
    {
        strbuf_addstr(out, first ? ": " : "; ");
        add_clean(out, note->valuestring);
        first = false;
    }
    strbuf_addch(out, '\n');
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(o, "Changes")) add_change_line(out, c);
}

void diff_report_text(const cJSON *report, struct strbuf *out)
{
    const cJSON *type;
    cJSON_ArrayForEach(type, cJSON_GetObjectItemCaseSensitive(report, "Types"))
    {
        const cJSON *added = cJSON_GetObjectItemCaseSensitive(type, "Added");
        const cJSON *removed = cJSON_GetObjectItemCaseSensitive(type, "Removed");
        const cJSON *changed = cJSON_GetObjectItemCaseSensitive(type, "Changed");
        strbuf_addf(out, "%s: %d added, %d removed, %d changed\n", type->string,
                    cJSON_GetArraySize(added), cJSON_GetArraySize(removed),
                    cJSON_GetArraySize(changed));
        const cJSON *it;
        cJSON_ArrayForEach(it, added)
        {
            add_ref(out, '+', it);
            strbuf_addch(out, '\n');
        }
        cJSON_ArrayForEach(it, removed)
        {
            add_ref(out, '-', it);
            strbuf_addch(out, '\n');
        }
        cJSON_ArrayForEach(it, changed) add_changed(out, it);
    }
    if (diff_report_count(report) == 0)
        strbuf_addstr(out, "No differences.\n");
}
