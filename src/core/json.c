/* json: see the header. */
#include "vpcx/core/json.h"

const char *json_get_str(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

const char *json_get_text(const cJSON *obj, const char *key)
{
    const char *s = json_get_str(obj, key);
    return s && *s ? s : NULL;
}
