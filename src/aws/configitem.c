/* configitem: Config's camelCase configuration as the EC2 describe item; see the header. */
#include "vpcx/aws/configitem.h"

#include "vpcx/core/xalloc.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Config's names that are not a case of the shape's: {config name, shape's JSON name}. */
static const struct {
    const char *config;
    const char *json;
} renames[] = {
    {"ipv4Ranges", "IpRanges"}, /* IpPermission: ipRanges holds bare CIDR strings */
};

const struct aws_shape *configitem_shape(const char *operation)
{
    const struct aws_operation *op = aws_operation_find("ec2", operation);
    if (!op || !op->item_list)
        return NULL;
    const struct aws_shape *out = aws_shape_get(op->output);
    const struct aws_member *m = aws_shape_find_json(out, op->item_list);
    return m ? aws_shape_list_item(aws_shape_get(m->shape)) : NULL;
}

static const struct aws_member *find_member(const struct aws_shape *shape, const char *key)
{
    for (size_t i = 0; i < sizeof(renames) / sizeof(renames[0]); i++)
        if (strcmp(key, renames[i].config) == 0)
            return aws_shape_find_json(shape, renames[i].json);
    for (unsigned i = 0; i < shape->member_count; i++) {
        const struct aws_member *m = aws_shape_member(shape, i);
        if (strcasecmp(m->json_name, key) == 0 ||
            (m->xml_name && strcasecmp(m->xml_name, key) == 0))
            return m;
    }
    return NULL;
}

static cJSON *convert_structure(const struct aws_shape *shape, const cJSON *v)
{
    if (!cJSON_IsObject(v))
        return NULL;
    cJSON **slots = xcalloc(shape->member_count ? shape->member_count : 1, sizeof(*slots));
    const cJSON *c;
    cJSON_ArrayForEach(c, v)
    {
        const struct aws_member *m = find_member(shape, c->string);
        if (!m)
            continue;
        cJSON *value = configitem_convert(aws_shape_get(m->shape), c);
        unsigned at = aws_shape_member_index(shape, m);
        if (!value)
            continue;
        cJSON_Delete(slots[at]); /* a later, fitting value wins (ipv4Ranges over ipRanges) */
        slots[at] = value;
    }
    cJSON *out = cJSON_CreateObject();
    for (unsigned i = 0; i < shape->member_count; i++)
        if (slots[i])
            cJSON_AddItemToObject(out, aws_shape_member(shape, i)->json_name, slots[i]);
    free(slots);
    return out;
}

static cJSON *convert_list(const struct aws_shape *shape, const cJSON *v)
{
    if (!cJSON_IsArray(v))
        return NULL;
    const struct aws_shape *item = aws_shape_list_item(shape);
    cJSON *out = cJSON_CreateArray();
    size_t given = 0, kept = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, v)
    {
        given++;
        cJSON *x = item ? configitem_convert(item, c) : NULL;
        if (x) {
            cJSON_AddItemToArray(out, x);
            kept++;
        }
    }
    if (given && !kept) { /* nothing fitted: another member carries these */
        cJSON_Delete(out);
        return NULL;
    }
    return out;
}

static cJSON *convert_number(const cJSON *v, bool integer)
{
    double d;
    if (cJSON_IsNumber(v)) {
        d = v->valuedouble;
    } else if (cJSON_IsString(v) && *v->valuestring) {
        char *end = NULL;
        d = strtod(v->valuestring, &end);
        if (*end)
            return NULL;
    } else {
        return NULL;
    }
    if (integer && d != floor(d))
        return NULL;
    return cJSON_CreateNumber(d);
}

static cJSON *convert_bool(const cJSON *v)
{
    if (cJSON_IsBool(v))
        return cJSON_CreateBool(cJSON_IsTrue(v));
    if (cJSON_IsString(v) &&
        (strcmp(v->valuestring, "true") == 0 || strcmp(v->valuestring, "false") == 0))
        return cJSON_CreateBool(v->valuestring[0] == 't');
    return NULL;
}

/* Epoch milliseconds (Config's JSON for a Date) as EC2's ISO 8601 form. */
static cJSON *convert_timestamp(const cJSON *v)
{
    if (cJSON_IsString(v))
        return cJSON_CreateString(v->valuestring);
    if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 253402300799000.0)
        return NULL;
    long long ms = (long long)v->valuedouble;
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    if (!gmtime_r(&secs, &tm))
        return NULL;
    char buf[96];
    snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms % 1000));
    return cJSON_CreateString(buf);
}

static cJSON *convert_string(const cJSON *v)
{
    if (cJSON_IsString(v))
        return cJSON_CreateString(v->valuestring);
    if (cJSON_IsBool(v))
        return cJSON_CreateString(cJSON_IsTrue(v) ? "true" : "false");
    if (cJSON_IsNumber(v)) {
        char buf[64];
        if (v->valuedouble == floor(v->valuedouble) && fabs(v->valuedouble) < 1e15)
            snprintf(buf, sizeof(buf), "%.0f", v->valuedouble);
        else
            snprintf(buf, sizeof(buf), "%.17g", v->valuedouble);
        return cJSON_CreateString(buf);
    }
    return NULL;
}

cJSON *configitem_convert(const struct aws_shape *shape, const cJSON *v)
{
    if (!shape || !v || cJSON_IsNull(v))
        return NULL;
    switch ((enum aws_shape_type)shape->type) {
    case AWS_SHAPE_STRUCTURE:
        return convert_structure(shape, v);
    case AWS_SHAPE_LIST:
        return convert_list(shape, v);
    case AWS_SHAPE_BOOLEAN:
        return convert_bool(v);
    case AWS_SHAPE_INTEGER:
    case AWS_SHAPE_LONG:
        return convert_number(v, true);
    case AWS_SHAPE_DOUBLE:
    case AWS_SHAPE_FLOAT:
        return convert_number(v, false);
    case AWS_SHAPE_TIMESTAMP:
        return convert_timestamp(v);
    case AWS_SHAPE_STRING:
    case AWS_SHAPE_BLOB:
        return convert_string(v);
    case AWS_SHAPE_MAP:
        break;
    }
    return NULL;
}

/* The item's "tags" map ({"Name": "web"}) as [{"Key", "Value"}]. */
static cJSON *tags_from_map(const cJSON *map)
{
    cJSON *out = cJSON_CreateArray();
    const cJSON *t;
    cJSON_ArrayForEach(t, map)
    {
        if (!cJSON_IsString(t))
            continue;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "Key", t->string);
        cJSON_AddStringToObject(o, "Value", t->valuestring);
        cJSON_AddItemToArray(out, o);
    }
    return out;
}

cJSON *configitem_to_describe(const struct aws_shape *shape, const char *id_field,
                              const cJSON *result)
{
    const cJSON *conf = cJSON_GetObjectItemCaseSensitive(result, "configuration");
    cJSON *parsed = cJSON_IsString(conf) ? cJSON_Parse(conf->valuestring) : NULL;
    if (parsed)
        conf = parsed;
    cJSON *item = shape && cJSON_IsObject(conf) ? configitem_convert(shape, conf) : NULL;
    cJSON_Delete(parsed);
    if (!item)
        return NULL;
    const cJSON *rid = cJSON_GetObjectItemCaseSensitive(result, "resourceId");
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(item, id_field);
    if (!cJSON_IsString(id) && cJSON_IsString(rid) && *rid->valuestring) {
        cJSON_DeleteItemFromObjectCaseSensitive(item, id_field);
        cJSON_AddStringToObject(item, id_field, rid->valuestring);
    }
    id = cJSON_GetObjectItemCaseSensitive(item, id_field);
    if (!cJSON_IsString(id) || !*id->valuestring) {
        cJSON_Delete(item);
        return NULL;
    }
    const cJSON *map = cJSON_GetObjectItemCaseSensitive(result, "tags");
    if (cJSON_IsObject(map) && cJSON_GetArraySize(map) > 0 && !cJSON_HasObjectItem(item, "Tags") &&
        !cJSON_HasObjectItem(item, "TagSet")) {
        const struct aws_member *m = aws_shape_find_json(shape, "Tags");
        if (!m)
            m = aws_shape_find_json(shape, "TagSet");
        if (m)
            cJSON_AddItemToObject(item, m->json_name, tags_from_map(map));
    }
    return item;
}
