#include "vpcx/store/snapshot.h"

#include "vpcx/core/fileio.h"
#include "vpcx/core/sanitize.h"
#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"
#include "vpcx/store/jsonout.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void snapshot_meta_finish(struct snapshot_meta *meta)
{
    if (!meta)
        return;
    free(meta->generator);
    free(meta->account);
    free(meta->arn);
    free(meta->region);
    free(meta->endpoint);
    free(meta->profile);
    free(meta->source);
    free(meta->fetched_at);
    for (int t = 0; t < INV_TYPE_COUNT; t++)
        free(meta->fetched_at_by_type[t]);
    memset(meta, 0, sizeof(*meta));
}

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

void snapshot_meta_copy(struct snapshot_meta *dst, const struct snapshot_meta *src)
{
    dst->format_version = src->format_version;
    dst->generator = dup_or_null(src->generator);
    dst->account = dup_or_null(src->account);
    dst->arn = dup_or_null(src->arn);
    dst->region = dup_or_null(src->region);
    dst->endpoint = dup_or_null(src->endpoint);
    dst->profile = dup_or_null(src->profile);
    dst->source = dup_or_null(src->source);
    dst->fetched_at = dup_or_null(src->fetched_at);
    for (int t = 0; t < INV_TYPE_COUNT; t++)
        dst->fetched_at_by_type[t] = dup_or_null(src->fetched_at_by_type[t]);
}

const char *snapshot_meta_type_time(const struct snapshot_meta *meta, enum inv_type type)
{
    if (type >= 0 && type < INV_TYPE_COUNT && meta->fetched_at_by_type[type])
        return meta->fetched_at_by_type[type];
    return meta->fetched_at;
}

bool snapshot_parse_time(const char *text, time_t *out)
{
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    const char *end = text ? strptime(text, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;
    if (!end || (*end != 'Z' && *end != '\0') || (*end == 'Z' && end[1] != '\0'))
        return false;
    time_t t = timegm(&tm);
    if (t == (time_t)-1)
        return false;
    *out = t;
    return true;
}

char *snapshot_format_time(time_t t)
{
    struct tm tm;
    char buf[32];
    if (!gmtime_r(&t, &tm) || strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        return xstrdup("1970-01-01T00:00:00Z");
    return xstrdup(buf);
}

char *snapshot_print_json(const cJSON *v, bool pretty)
{
    char *raw = pretty ? cJSON_Print(v) : cJSON_PrintUnformatted(v);
    if (!raw)
        return NULL;
    /* cJSON leaves DEL, C1 and bidi controls raw inside strings. */
    char *safe = sanitize_json_dup(raw);
    free(raw);
    return safe;
}

static void add_string(cJSON *obj, const char *key, const char *value)
{
    if (value)
        cJSON_AddStringToObject(obj, key, value);
}

cJSON *snapshot_meta_json(const struct snapshot_meta *meta)
{
    cJSON *m = cJSON_CreateObject();
    cJSON_AddNumberToObject(m, "FormatVersion", SNAPSHOT_FORMAT_VERSION);
    add_string(m, "Generator", meta->generator);
    add_string(m, "Account", meta->account);
    add_string(m, "Arn", meta->arn);
    add_string(m, "Region", meta->region);
    add_string(m, "Endpoint", meta->endpoint);
    add_string(m, "Profile", meta->profile);
    add_string(m, "Source", meta->source);
    add_string(m, "FetchedAt", meta->fetched_at);
    cJSON *by_type = NULL;
    for (int t = 0; t < INV_TYPE_COUNT; t++) {
        if (!meta->fetched_at_by_type[t])
            continue;
        if (!by_type)
            by_type = cJSON_AddObjectToObject(m, "FetchedAtByType");
        cJSON_AddStringToObject(by_type, inventory_type_list_key((enum inv_type)t),
                                meta->fetched_at_by_type[t]);
    }
    return m;
}

static cJSON *vpc_attributes_json(const struct inventory *inv)
{
    cJSON *attrs = cJSON_CreateObject();
    size_t n = inventory_count(inv, INV_VPC);
    for (size_t i = 0; i < n; i++) {
        const struct inv_resource *vpc = inventory_at(inv, INV_VPC, i);
        if (vpc->vpc.dns_support == INV_UNKNOWN && vpc->vpc.dns_hostnames == INV_UNKNOWN)
            continue;
        cJSON *a = cJSON_AddObjectToObject(attrs, vpc->id);
        if (vpc->vpc.dns_support != INV_UNKNOWN)
            cJSON_AddBoolToObject(a, "EnableDnsSupport", vpc->vpc.dns_support == INV_YES);
        if (vpc->vpc.dns_hostnames != INV_UNKNOWN)
            cJSON_AddBoolToObject(a, "EnableDnsHostnames", vpc->vpc.dns_hostnames == INV_YES);
    }
    return attrs;
}

struct writer {
    FILE *out;
    bool pretty;
    bool first;
    bool failed;
};

static void w_puts(struct writer *w, const char *s)
{
    if (fputs(s, w->out) == EOF)
        w->failed = true;
}

static void w_key(struct writer *w, const char *key)
{
    w_puts(w, w->first ? (w->pretty ? "{\n  \"" : "{\"") : (w->pretty ? ",\n  \"" : ",\""));
    w_puts(w, key);
    w_puts(w, w->pretty ? "\": " : "\":");
    w->first = false;
}

/* Writes key: value and frees value. */
static void w_member(struct writer *w, const char *key, cJSON *value)
{
    w_key(w, key);
    char *s = jsonout_value(value, w->pretty, 1);
    w_puts(w, s ? s : "null");
    free(s);
    cJSON_Delete(value);
}

static void w_list(struct writer *w, const struct inventory *inv, enum inv_type type)
{
    w_key(w, inventory_type_list_key(type));
    size_t n = inventory_count(inv, type);
    if (n == 0) {
        w_puts(w, "[]");
        return;
    }
    w_puts(w, "[");
    for (size_t i = 0; i < n; i++) {
        const struct inv_resource *r = inventory_at(inv, type, i);
        if (i)
            w_puts(w, ",");
        if (w->pretty)
            w_puts(w, "\n    ");
        cJSON *item = inventory_item(inv, r);
        char *s = jsonout_value(item, w->pretty, 2);
        cJSON_Delete(item);
        w_puts(w, s ? s : "null");
        free(s);
    }
    w_puts(w, w->pretty ? "\n  ]" : "]");
}

enum vpcx_status snapshot_write(FILE *out, const struct inventory *inv,
                                const struct snapshot_meta *meta, const cJSON *errors, bool pretty,
                                struct vpcx_error *err)
{
    struct writer w = {.out = out, .pretty = pretty, .first = true};
    w_member(&w, "Metadata", snapshot_meta_json(meta));
    for (int t = 0; t < INV_TYPE_COUNT; t++)
        w_list(&w, inv, (enum inv_type)t);
    w_member(&w, "VpcAttributes", vpc_attributes_json(inv));
    w_key(&w, "Derived"); /* one entry at a time: the whole tree is 20 MB at 100,000 ENIs */
    if (!jsonout_write_derived(out, inv, pretty, 1))
        w.failed = true;
    w_member(&w, "Errors", errors ? cJSON_Duplicate(errors, true) : cJSON_CreateArray());
    w_puts(&w, pretty ? "\n}\n" : "}\n");
    if (fflush(out) != 0)
        w.failed = true;
    if (w.failed)
        return vpcx_error_set(err, VPCX_ERR_IO, "cannot write the output: %s", strerror(errno));
    return VPCX_OK;
}

static char *meta_string(const cJSON *m, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, key);
    return cJSON_IsString(v) ? xstrdup(v->valuestring) : NULL;
}

enum vpcx_status snapshot_meta_from_json(const cJSON *doc, const char *label,
                                         struct snapshot_meta *meta, struct vpcx_error *err)
{
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(doc, "Metadata");
    const cJSON *ver = cJSON_GetObjectItemCaseSensitive(m, "FormatVersion");
    if (!cJSON_IsObject(m) || !cJSON_IsNumber(ver))
        return vpcx_error_set(err, VPCX_ERR_PARSE,
                              "%s is not a vpcx dump: no Metadata.FormatVersion", label);
    if (ver->valuedouble != SNAPSHOT_FORMAT_VERSION)
        return vpcx_error_set(err, VPCX_ERR_PARSE,
                              "%s has format version %g; this vpcx reads version %d", label,
                              ver->valuedouble, SNAPSHOT_FORMAT_VERSION);
    meta->format_version = SNAPSHOT_FORMAT_VERSION;
    meta->generator = meta_string(m, "Generator");
    meta->account = meta_string(m, "Account");
    meta->arn = meta_string(m, "Arn");
    meta->region = meta_string(m, "Region");
    meta->endpoint = meta_string(m, "Endpoint");
    meta->profile = meta_string(m, "Profile");
    meta->source = meta_string(m, "Source");
    meta->fetched_at = meta_string(m, "FetchedAt");
    const cJSON *by_type = cJSON_GetObjectItemCaseSensitive(m, "FetchedAtByType");
    for (int t = 0; t < INV_TYPE_COUNT; t++)
        meta->fetched_at_by_type[t] =
            meta_string(by_type, inventory_type_list_key((enum inv_type)t));
    return VPCX_OK;
}

/* Every list must be an array of objects before anything is loaded. */
static enum vpcx_status check_lists(const cJSON *doc, const char *label, struct vpcx_error *err)
{
    for (int t = 0; t < INV_TYPE_COUNT; t++) {
        const char *key = inventory_type_list_key((enum inv_type)t);
        const cJSON *list = cJSON_GetObjectItemCaseSensitive(doc, key);
        if (!list)
            continue;
        if (!cJSON_IsArray(list))
            return vpcx_error_set(err, VPCX_ERR_PARSE, "%s: %s is not a list", label, key);
        const cJSON *item;
        size_t i = 0;
        cJSON_ArrayForEach(item, list)
        {
            const cJSON *id =
                cJSON_GetObjectItemCaseSensitive(item, inventory_type_id_field((enum inv_type)t));
            if (!cJSON_IsObject(item) || !cJSON_IsString(id) || !id->valuestring[0])
                return vpcx_error_set(err, VPCX_ERR_PARSE, "%s: %s[%zu] has no %s", label, key, i,
                                      inventory_type_id_field((enum inv_type)t));
            i++;
        }
    }
    return VPCX_OK;
}

bool snapshot_type_failed(const cJSON *doc, enum inv_type type)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(doc, "Errors"))
    {
        const char *t = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "Type"));
        if (t && strcmp(t, inventory_type_list_key(type)) == 0)
            return true;
    }
    return false;
}

static void load_lists(cJSON *doc, struct inventory *inv)
{
    for (int t = 0; t < INV_TYPE_COUNT; t++) {
        cJSON *list = cJSON_GetObjectItemCaseSensitive(doc, inventory_type_list_key(t));
        /* An empty list of a type that failed was never fetched: it stays not loaded, so
           that a rule does not read "none" where it means "unknown". */
        if (!list || (!list->child && snapshot_type_failed(doc, (enum inv_type)t)))
            continue;
        inventory_begin(inv, (enum inv_type)t);
        cJSON *item;
        while ((item = list->child) != NULL) {
            cJSON_DetachItemViaPointer(list, item);
            inventory_put(inv, (enum inv_type)t, item);
        }
        inventory_end(inv, (enum inv_type)t);
    }
}

static void load_vpc_attributes(const cJSON *doc, struct inventory *inv)
{
    static const struct {
        const char *json;
        const char *attribute;
    } names[] = {{"EnableDnsSupport", "enableDnsSupport"},
                 {"EnableDnsHostnames", "enableDnsHostnames"}};
    const cJSON *attrs = cJSON_GetObjectItemCaseSensitive(doc, "VpcAttributes");
    const cJSON *vpc;
    cJSON_ArrayForEach(vpc, attrs)
    {
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(vpc, names[i].json);
            if (cJSON_IsBool(v) && vpc->string)
                inventory_set_vpc_attribute(inv, vpc->string, names[i].attribute, cJSON_IsTrue(v));
        }
    }
}

/* What a pre-parse pass learns of a JSON text. */
struct json_shape {
    size_t values;   /* JSON values (cJSON nodes) the text holds, at most */
    size_t depth;    /* current nesting */
    size_t deep_at;  /* byte where nesting passed SNAPSHOT_MAX_DEPTH */
    uint64_t arrays; /* bit d: the container at depth d + 1 is an array */
    bool in_string, escaped, first_pending, too_deep;
};

static void shape_open(struct json_shape *sh, char c, size_t at)
{
    if (sh->depth >= SNAPSHOT_MAX_DEPTH) {
        sh->too_deep = true;
        sh->deep_at = at;
        return;
    }
    uint64_t bit = (uint64_t)1 << sh->depth;
    sh->arrays = c == '[' ? sh->arrays | bit : sh->arrays & ~bit;
    sh->depth++;
    sh->first_pending = c == '[';
}

/* Counts values as they begin: the document itself, an array's first item
 * and each one after a comma, an object member's value after its colon. */
static void shape_step(struct json_shape *sh, char c, size_t at)
{
    if (sh->in_string) {
        if (sh->escaped)
            sh->escaped = false;
        else if (c == '\\')
            sh->escaped = true;
        else if (c == '"')
            sh->in_string = false;
        return;
    }
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
        return;
    if (sh->first_pending && c != ']')
        sh->values++;
    sh->first_pending = false;
    bool in_array = sh->depth > 0 && (sh->arrays >> (sh->depth - 1)) & 1;
    if (c == '"')
        sh->in_string = true;
    else if (c == '[' || c == '{')
        shape_open(sh, c, at);
    else if ((c == ']' || c == '}') && sh->depth > 0)
        sh->depth--;
    else if (c == ':' || (c == ',' && in_array))
        sh->values++;
}

enum vpcx_status snapshot_check_json(const char *data, size_t len, const char *label,
                                     struct vpcx_error *err)
{
    struct json_shape sh = {.values = 1};
    for (size_t i = 0; i < len && !sh.too_deep; i++)
        shape_step(&sh, data[i], i);
    if (sh.too_deep)
        return vpcx_error_set(err, VPCX_ERR_TOO_LARGE,
                              "%s nests JSON more than %d levels deep (at byte %zu); refused",
                              label, SNAPSHOT_MAX_DEPTH, sh.deep_at);
    size_t limit = SNAPSHOT_MAX_MEMORY;
    if (len < (limit - SNAPSHOT_MEMORY_SLACK) / SNAPSHOT_MEMORY_RATIO)
        limit = len * SNAPSHOT_MEMORY_RATIO + SNAPSHOT_MEMORY_SLACK;
    size_t need = len;
    if (sh.values > (SIZE_MAX - len) / SNAPSHOT_VALUE_COST)
        need = SIZE_MAX;
    else
        need += sh.values * SNAPSHOT_VALUE_COST;
    if (need > limit)
        return vpcx_error_set(err, VPCX_ERR_TOO_LARGE,
                              "%s holds %zu JSON values in %zu bytes: parsing it would take "
                              "about %zu MiB of memory, over the %zu MiB limit; refused",
                              label, sh.values, len, need >> 20, limit >> 20);
    return VPCX_OK;
}

/* Names where the parse failed; "truncated?" only when it failed at the
 * last byte and the text ends inside an open string, array or object. */
static enum vpcx_status parse_error(const char *label, const char *data, size_t len,
                                    const char *end, struct vpcx_error *err)
{
    size_t at = end && end >= data ? (size_t)(end - data) : 0;
    struct json_shape sh = {.values = 1};
    for (size_t i = 0; i < len && !sh.too_deep; i++)
        shape_step(&sh, data[i], i);
    size_t last = len;
    while (last > 0 && (data[last - 1] == ' ' || data[last - 1] == '\n' || data[last - 1] == '\r' ||
                        data[last - 1] == '\t'))
        last--;
    if (at + 1 >= last && (sh.depth > 0 || sh.in_string))
        return vpcx_error_set(err, VPCX_ERR_PARSE,
                              "%s is not valid JSON: it ends (at byte %zu) inside an open %s "
                              "(truncated?)",
                              label, len, sh.in_string ? "string" : "array or object");
    return vpcx_error_set(err, VPCX_ERR_PARSE, "%s is not valid JSON (near byte %zu of %zu)", label,
                          at, len);
}

enum vpcx_status snapshot_load_buffer(const char *data, size_t len, const char *label,
                                      struct inventory *inv, struct snapshot_meta *meta,
                                      cJSON **errors, struct vpcx_error *err)
{
    if (errors)
        *errors = NULL;
    memset(meta, 0, sizeof(*meta));
    enum vpcx_status checked = snapshot_check_json(data, len, label, err);
    if (checked != VPCX_OK)
        return checked;
    const char *end = NULL;
    cJSON *doc = cJSON_ParseWithLengthOpts(data, len, &end, false);
    if (!doc)
        return parse_error(label, data, len, end, err);
    enum vpcx_status st =
        cJSON_IsObject(doc) ? snapshot_meta_from_json(doc, label, meta, err)
                            : vpcx_error_set(err, VPCX_ERR_PARSE, "%s is not a JSON object", label);
    if (st == VPCX_OK)
        st = check_lists(doc, label, err);
    if (st == VPCX_OK) {
        load_lists(doc, inv);
        load_vpc_attributes(doc, inv);
        cJSON *e = cJSON_GetObjectItemCaseSensitive(doc, "Errors");
        if (errors && cJSON_IsArray(e))
            *errors = cJSON_DetachItemViaPointer(doc, e);
    } else {
        snapshot_meta_finish(meta);
    }
    cJSON_Delete(doc);
    return st;
}

enum vpcx_status snapshot_load_file(const char *path, struct inventory *inv,
                                    struct snapshot_meta *meta, cJSON **errors,
                                    struct vpcx_error *err)
{
    struct stat sb;
    if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode) &&
        (unsigned long long)sb.st_size > SNAPSHOT_MAX_BYTES)
        return vpcx_error_set(err, VPCX_ERR_TOO_LARGE,
                              "snapshot %s is %lld bytes, over the %zu MiB limit; not read", path,
                              (long long)sb.st_size, SNAPSHOT_MAX_BYTES >> 20);
    struct strbuf data;
    strbuf_init(&data, 0);
    enum vpcx_status st = file_read_all(path, SNAPSHOT_MAX_BYTES, &data, err);
    if (st == VPCX_OK) {
        char *label = xasprintf("snapshot %s", path);
        st = snapshot_load_buffer(data.buf, data.len, label, inv, meta, errors, err);
        free(label);
    }
    strbuf_release(&data);
    return st;
}
