/*
 * cachebin: the cache's binary form, written next to each JSON cache file
 * ("<name>.bin" beside "<name>.json") so the explorer paints without parsing
 * the JSON. The JSON stays the portable form and the fallback: a binary file
 * that is truncated, corrupt, from another format version, or not made from
 * the JSON file now beside it is refused with a one-line reason, and the
 * caller reads the JSON instead.
 *
 * Layout (little-endian, no pointers, so it can be read or mapped as is):
 *   header   64 bytes: magic "VPCXBIN\n", format version, snapshot format
 *            version, inventory type count, section count, the JSON file's
 *            size, inode and mtime when both were written, and the first 8
 *            bytes of the SHA-256 of the header and the section table
 *   table    40 bytes a section: kind, type, offset, length, item count, the
 *            first 8 bytes of the section's SHA-256
 *   sections META (JSON text: {"Metadata", "Errors"}), KEYS (member names),
 *            ITEMS (one per type: each item as varint length + a compact
 *            encoding of its JSON value, member names as KEYS indexes),
 *            VPCATTR (each VPC's DNS attributes). The writer puts VPCs, their
 *            attributes, subnets, AZs, endpoints and services first and ENIs
 *            last, so a staged load paints the tree before the ENIs are read.
 * The header's checksum and those of the sections the first paint needs are
 * verified when the file is opened, before any item reaches the inventory; a
 * section loaded later is verified before its first item (a failure then is
 * reported by cachebin_load_step like an item that does not decode). The
 * content is what the JSON holds (AWS's fields, never a credential).
 *
 * Loading gives the inventory the JSON file would give (the same items,
 * loaded types and VPC attributes, so a dump of either is the same bytes).
 * One thread; nothing here prints.
 */
#ifndef VPCX_STORE_CACHEBIN_H
#define VPCX_STORE_CACHEBIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "vpcx/core/status.h"
#include "vpcx/model/inventory.h"
#include "vpcx/store/snapshot.h"

/* Bumped whenever the layout or the item encoding changes: older files are refused. */
#define CACHEBIN_VERSION 1
#define CACHEBIN_SUFFIX  ".bin"

/* The JSON file a binary file stands for, as stat() gives it after its write. */
struct cachebin_stamp {
    uint64_t size, inode, mtime_sec;
    uint32_t mtime_nsec;
};

/* The stamp of the file at path; false when it cannot be read. */
bool cachebin_stamp_file(const char *path, struct cachebin_stamp *out);

/* Writes inv, meta and errors in the binary form to out, stamped with json. */
enum vpcx_status cachebin_write(FILE *out, const struct inventory *inv,
                                const struct snapshot_meta *meta, const cJSON *errors,
                                const struct cachebin_stamp *json, struct vpcx_error *err);

struct cachebin;

/*
 * Reads and checks the binary file at path (size bound SNAPSHOT_MAX_BYTES,
 * header, versions, section table, every checksum) and that it was written
 * with the JSON whose stamp is json (NULL: not checked). On failure *out is
 * NULL and err says why in one line naming the file.
 */
enum vpcx_status cachebin_open(const char *path, const struct cachebin_stamp *json,
                               struct cachebin **out, struct vpcx_error *err);
/* Same, from bytes in memory (copied); label names them in messages. */
enum vpcx_status cachebin_open_buffer(const void *data, size_t len, const char *label,
                                      const struct cachebin_stamp *json, struct cachebin **out,
                                      struct vpcx_error *err);
void cachebin_close(struct cachebin *cb);

/* Fills meta and hands over the Errors list (errors may be NULL). */
enum vpcx_status cachebin_read_meta(struct cachebin *cb, struct snapshot_meta *meta, cJSON **errors,
                                    struct vpcx_error *err);

/*
 * Loads the next items into inv, section by section in file order, until
 * max_usec of CPU-clock time has passed (0: no limit) or, when stop_at_deferred,
 * the first section holding the types loaded after the first paint (security
 * groups, ACLs, route tables, prefix lists, flow logs, ENIs) is reached.
 * Returns VPCX_OK and sets *done when every section is in; VPCX_ERR_PARSE
 * when a section's checksum fails or an item does not decode: inv then holds
 * what was loaded so far.
 */
enum vpcx_status cachebin_load_step(struct cachebin *cb, struct inventory *inv, long max_usec,
                                    bool stop_at_deferred, bool *done, struct vpcx_error *err);
/* Items loaded so far and in all. */
void cachebin_progress(const struct cachebin *cb, size_t *loaded, size_t *total);

#endif
