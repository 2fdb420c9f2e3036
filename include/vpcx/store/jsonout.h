/*
 * jsonout: parts of vpcx's JSON documents printed one piece at a time, byte
 * for byte as printing the whole tree with snapshot_print_json() would, so a
 * writer holds one entry's tree at a time instead of the whole document's.
 *
 * Pretty output is cJSON_Print's re-indented with two spaces a level: a value
 * printed at depth d has its inner lines indented by d more levels, as if it
 * sat d levels deep in a larger document. Strings are sanitised as
 * snapshot_print_json() does (sanitize_json_add).
 */
#ifndef VPCX_STORE_JSONOUT_H
#define VPCX_STORE_JSONOUT_H

#include <stdbool.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "vpcx/model/inventory.h"

/* v as text at depth (see above); NULL when cJSON fails; caller frees. */
char *jsonout_value(const cJSON *v, bool pretty, int depth);

/*
 * Writes derived_to_json(inv) at depth as jsonout_value() would, building one
 * entry at a time (model/derived.h). False when a write fails.
 */
bool jsonout_write_derived(FILE *out, const struct inventory *inv, bool pretty, int depth);

#endif
