/*
 * snapfile: a snapshot written to a file the user names (`vpcx snapshot
 * save FILE`, the explorer's save key), atomically: a temp file beside it,
 * fsync, rename, so a reader never sees half a snapshot and a failed write
 * leaves the old file alone. Unlike the cache, a snapshot is meant to be
 * shared: it gets the user's usual mode (0666 & ~umask).
 */
#ifndef VPCX_STORE_SNAPFILE_H
#define VPCX_STORE_SNAPFILE_H

#include <time.h>

#include <cjson/cJSON.h>

#include "vpcx/core/status.h"
#include "vpcx/model/inventory.h"
#include "vpcx/store/snapshot.h"

/* Writes inv and meta (errors may be NULL) to path; err names the file on failure. */
enum vpcx_status snapfile_save(const char *path, const struct inventory *inv,
                               const struct snapshot_meta *meta, const cJSON *errors,
                               struct vpcx_error *err);

/* "vpcx-<account>-<region>-<YYYYmmddTHHMMSSZ>.json" for t ("unknown" for a NULL
 * part; unsafe characters become '_'); caller frees. */
char *snapfile_default_name(const char *account, const char *region, time_t t);

#endif
