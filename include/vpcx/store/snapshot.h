/*
 * snapshot: the inventory as the versioned JSON document `vpcx dump` writes,
 * and back. The same format serves dumps, saved snapshots, the bundled demo
 * and the cache.
 *
 * Document: {"Metadata": {...}, "Vpcs": [...], ... one list per inventory type
 * ..., "VpcAttributes": {vpc-id: {"EnableDnsSupport", "EnableDnsHostnames"}},
 * "Derived": {...}, "Errors": [...]}. Items are written exactly as the
 * inventory holds them (AWS's fields); Derived is recomputed on load, never
 * trusted from the file. Loading checks FormatVersion and every list's type
 * before anything reaches the inventory, so a bad file changes nothing.
 * Each list read marks its type loaded (inventory_type_loaded), except an
 * empty list of a type the Errors name (its fetch failed: unknown, not none)
 * and a list the file lacks (a type added after the file was written).
 *
 * Metadata.FetchedAtByType ({"Subnets": "2026-...Z", ...}) records when each
 * type was last fetched, for caches that keep a type's older data when its
 * refresh failed; a type absent from it was never fetched (or the file
 * predates the map: snapshot_meta_type_time() then falls back to FetchedAt).
 */
#ifndef VPCX_STORE_SNAPSHOT_H
#define VPCX_STORE_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "vpcx/core/status.h"
#include "vpcx/model/inventory.h"

#define SNAPSHOT_FORMAT_VERSION 1
/* Larger files are refused before they are read (a dump of 100,000 ENIs is
 * about 200 MB). */
#define SNAPSHOT_MAX_BYTES ((size_t)256 << 20)
/* Deeper JSON is refused before parsing (vpcx's own documents nest 8 levels). */
#define SNAPSHOT_MAX_DEPTH 64
/* The memory a parsed document may take: at most SNAPSHOT_MEMORY_RATIO times
 * its size plus SNAPSHOT_MEMORY_SLACK, and never over SNAPSHOT_MAX_MEMORY.
 * Real dumps take about 5 times their size; 2 MB of "[0,0,0..." would take
 * 50 times. Estimated before parsing as SNAPSHOT_VALUE_COST per JSON value
 * (a cJSON node, a member name's allocation) plus the text. */
#define SNAPSHOT_MAX_MEMORY   ((size_t)1536 << 20)
#define SNAPSHOT_MEMORY_RATIO 12
#define SNAPSHOT_MEMORY_SLACK ((size_t)16 << 20)
#define SNAPSHOT_VALUE_COST   96

struct snapshot_meta {
    int format_version;
    char *generator; /* "vpcx 0.1.0" */
    char *account;
    char *arn;
    char *region;
    char *endpoint;
    char *profile;
    char *source;                             /* "aws", "snapshot", "demo" */
    char *fetched_at;                         /* ISO 8601 UTC */
    char *fetched_at_by_type[INV_TYPE_COUNT]; /* NULL: not recorded */
};

void snapshot_meta_finish(struct snapshot_meta *meta);
/* Deep copy of src into dst (dst is overwritten, not finished). */
void snapshot_meta_copy(struct snapshot_meta *dst, const struct snapshot_meta *src);
/* When type was fetched: its own time, else FetchedAt, else NULL. */
const char *snapshot_meta_type_time(const struct snapshot_meta *meta, enum inv_type type);
/* Parses "2026-11-26T12:00:00Z" (what snapshot_format_time writes); false if malformed. */
bool snapshot_parse_time(const char *text, time_t *out);

/* True when a document's Errors (or cachebin's copy of them) name type: its fetch
 * failed, so an empty list of it means unknown, not none. */
bool snapshot_type_failed(const cJSON *doc, enum inv_type type);

/* The Metadata object as written ({"FormatVersion": 1, ...}); caller deletes. */
cJSON *snapshot_meta_json(const struct snapshot_meta *meta);
/* Fills meta from doc's "Metadata" member, refusing a missing one or another
 * FormatVersion (label names the source in the message). */
enum vpcx_status snapshot_meta_from_json(const cJSON *doc, const char *label,
                                         struct snapshot_meta *meta, struct vpcx_error *err);

/* Writes the document to out, item by item (no whole-document string). */
enum vpcx_status snapshot_write(FILE *out, const struct inventory *inv,
                                const struct snapshot_meta *meta, const cJSON *errors, bool pretty,
                                struct vpcx_error *err);

/*
 * Refuses, before any parsing, a JSON document that nests deeper than
 * SNAPSHOT_MAX_DEPTH or would take more memory than the limits above
 * (VPCX_ERR_TOO_LARGE, with a message naming the depth or the size, the
 * estimate and the limit). One pass over the text, no allocation.
 */
enum vpcx_status snapshot_check_json(const char *data, size_t len, const char *label,
                                     struct vpcx_error *err);

/*
 * Loads a document into inv (types present in the file replace what inv
 * had), fills meta and hands over the Errors list (*errors may be NULL to
 * drop it). label names the source in messages ("snapshot /tmp/x.json").
 * Runs snapshot_check_json first; a parse error names the byte where it
 * happened, and says "truncated?" only when that is the end of the text.
 * snapshot_load_file refuses a file over SNAPSHOT_MAX_BYTES from its size,
 * without reading it.
 */
enum vpcx_status snapshot_load_buffer(const char *data, size_t len, const char *label,
                                      struct inventory *inv, struct snapshot_meta *meta,
                                      cJSON **errors, struct vpcx_error *err);
enum vpcx_status snapshot_load_file(const char *path, struct inventory *inv,
                                    struct snapshot_meta *meta, cJSON **errors,
                                    struct vpcx_error *err);

/*
 * v as JSON text (cJSON_Print or, not pretty, cJSON_PrintUnformatted) with
 * every control, DEL, C1 and bidi control inside strings written as \uXXXX
 * (sanitize_json_add). Every JSON document vpcx prints or writes is made with
 * this. NULL when cJSON fails; caller frees.
 */
char *snapshot_print_json(const cJSON *v, bool pretty);

/* "2026-11-26T12:00:00Z" for t. */
char *snapshot_format_time(time_t t);

#endif
