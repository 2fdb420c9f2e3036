/*
 * scopecache: the cache of each scope of a scope set (sync/scopes.h), as one
 * account and region has it (store/cache.h): the explorer over many scopes
 * reads a scope's cache before its first fetch, so its data shows at once
 * (and stays when the scope cannot be reached), and writes the types each
 * load fetched whole. Scopes of --org-role accounts are not cached: the cache
 * is keyed by profile, region and endpoint, which those accounts share.
 *
 * dir: the cache directory (store/cache.h's cache_dir); NULL turns both off.
 * One thread; the write runs in a child (core/bgjob.h).
 */
#ifndef VPCX_SYNC_SCOPECACHE_H
#define VPCX_SYNC_SCOPECACHE_H

#include <stdbool.h>

#include "vpcx/core/bgjob.h"
#include "vpcx/core/status.h"
#include "vpcx/sync/scopes.h"

/* True when the scope has a cache key of its own (not an --org-role account). */
bool scope_cache_applies(const struct scope *scope);
/*
 * Before the scope's first start: resolves its settings (no network call) and
 * loads its cache into scope->inv, setting scope->cache_time (the oldest type's
 * time). False when there is none; a cache that cannot be read is ignored.
 */
bool scope_cache_read(struct scope_set *set, struct scope *scope, const char *dir);
/*
 * After a load ended (SCOPE_DONE): the types fetched whole go to the scope's
 * cache in a child, the others keep theirs. NULL when nothing is to be written
 * (or the child could not start: err set).
 */
struct bgjob *scope_cache_write(struct scope *scope, const char *dir, struct vpcx_error *err);

#endif
