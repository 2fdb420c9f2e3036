/*
 * json: reading members of cJSON objects that came from outside (AWS answers,
 * files), where any member may be missing or of another type.
 */
#ifndef VPCX_CORE_JSON_H
#define VPCX_CORE_JSON_H

#include <cjson/cJSON.h>

/* obj's member key when it is a string (obj may be NULL or not an object), else NULL. */
const char *json_get_str(const cJSON *obj, const char *key);
/* The same, and NULL for an empty string too. */
const char *json_get_text(const cJSON *obj, const char *key);

#endif
