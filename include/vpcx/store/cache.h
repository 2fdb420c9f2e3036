/*
 * cache: the last inventory seen per account, region and endpoint, on disk,
 * so vpcx paints at once, works offline and survives expired credentials.
 *
 * Layout: $XDG_CACHE_HOME/vpcx/ (default ~/.cache/vpcx/), mode 0700, owned by
 * the user (a wider mode is tightened; another owner is refused). One file per
 * account, region and endpoint URL, "<account>-<region>-<sha256(url)[:12]>.json",
 * mode 0600, in exactly the format `vpcx dump` writes (store/snapshot.h), with
 * Metadata.FetchedAtByType giving each type's age, and beside it the same
 * content in binary form, "<...>.bin" (store/cachebin.h), which loads without
 * a JSON parse; the JSON stays the portable form and the fallback. index.json maps (profile,
 * region, endpoint URL) to the account and file, so offline mode finds the
 * file from the settings alone, with no network call.
 *
 * Safety: files are written to a temp file in the same directory, fsynced and
 * renamed over the target (then the directory is fsynced), so a reader sees the
 * old or the new file, never half of one. Every save and update holds an flock
 * on ".lock" for its read-modify-write of the index (and, in cache_update, of
 * the data file), so concurrent vpcx processes neither corrupt nor lose
 * updates. The dump format holds no secret, so neither does the cache.
 *
 * Reading: a corrupt, truncated, empty, oversized, foreign-version, unreadable
 * or non-regular file is refused with a specific message naming it; callers
 * report it and go on without the cache. Nothing here prints.
 */
#ifndef VPCX_STORE_CACHE_H
#define VPCX_STORE_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "vpcx/core/status.h"
#include "vpcx/core/strbuf.h"
#include "vpcx/model/inventory.h"
#include "vpcx/store/snapshot.h"

#define CACHE_INDEX_NAME "index.json"
/* The bit of an enum inv_type in a mask of types (cache_merge, cache_update). */
#define CACHE_TYPE_BIT(t) (1u << (unsigned)(t))
#define CACHE_ALL_TYPES   ((1u << INV_TYPE_COUNT) - 1u)
/* Save, update and clear wait this long at most for another process's lock, then
 * give up with VPCX_ERR_TIMEOUT, writing nothing: the caller may try again later. */
#define CACHE_LOCK_WAIT_MS 2000

/* Which cache: borrowed strings; NULL profile matches "" (no profile). */
struct cache_key {
    const char *profile;
    const char *region;
    const char *endpoint; /* the EC2 endpoint URL */
    const char *account;  /* optional: when known, the file is found by name */
};

/* $XDG_CACHE_HOME/vpcx (when absolute), else $HOME/.cache/vpcx, given the two
 * variables' values (NULL or "" when unset): the caller reads the environment.
 * VPCX_ERR_CONFIG when neither is usable. Creates nothing. */
enum vpcx_status cache_dir(char **out, const char *xdg_cache_home, const char *home,
                           struct vpcx_error *err);
/* Creates dir (and missing parents) with mode 0700, tightens a wider mode,
 * refuses a non-directory or one owned by another user. */
enum vpcx_status cache_dir_prepare(const char *dir, struct vpcx_error *err);

/* "<account>-<region>-<sha256(endpoint)[:12]>.json" (unsafe characters become '_'). */
char *cache_file_name(const char *account, const char *region, const char *endpoint);

/*
 * Finds the cache file for key: by name when key->account is set, else through
 * the index. VPCX_ERR_NOT_FOUND when there is none (a normal first run), with
 * a message saying why; *path is set (caller frees) only on VPCX_OK.
 */
enum vpcx_status cache_find(const char *dir, const struct cache_key *key, char **path,
                            struct vpcx_error *err);

/*
 * Loads a cache file into inv like snapshot_load_file, but first refuses what
 * must not be parsed (not a regular file, empty, over SNAPSHOT_MAX_BYTES) with
 * its own message. On failure inv and *errors are unchanged/NULL.
 */
enum vpcx_status cache_load(const char *path, struct inventory *inv, struct snapshot_meta *meta,
                            cJSON **errors, struct vpcx_error *err);

/* The binary form's path beside a cache file: "x.json" -> "x.bin" (store/cachebin.h). */
char *cache_bin_path(const char *json_path);

/*
 * cache_load, and *note (may be NULL) says why the binary form beside path
 * was not used when it exists but is refused (truncated, corrupt, another
 * version, not written with this JSON): the JSON was read instead.
 */
enum vpcx_status cache_load_noted(const char *path, struct inventory *inv,
                                  struct snapshot_meta *meta, cJSON **errors,
                                  struct vpcx_error *note, struct vpcx_error *err);

/*
 * A staged load, for a first paint before the whole cache is in. From the
 * binary form: cache_load_begin loads the metadata and the types the tree
 * shows first (VPCs, subnets, AZs, endpoints, services); each
 * cache_load_step adds the rest for about max_usec (0: all), ENIs last; the
 * types still to come are not loaded (inventory_type_loaded) until their
 * turn. Without a usable binary form (reason in *note) begin reads the JSON
 * whole and the loader has nothing left to do. A step whose items do not
 * decode empties inv, reads the JSON whole, and says so in *note. *done is
 * set once everything is in. Destroy the loader at any point (the rest is
 * then never loaded).
 */
struct cache_loader;
enum vpcx_status cache_load_begin(const char *path, struct inventory *inv,
                                  struct snapshot_meta *meta, cJSON **errors,
                                  struct cache_loader **out, struct vpcx_error *note,
                                  struct vpcx_error *err);
enum vpcx_status cache_load_step(struct cache_loader *l, struct inventory *inv, long max_usec,
                                 bool *done, struct vpcx_error *note);
/* True while items remain to be loaded (NULL: false). */
bool cache_loader_busy(const struct cache_loader *l);
/* Items loaded and in all, while busy. */
void cache_loader_progress(const struct cache_loader *l, size_t *loaded, size_t *total);
void cache_loader_destroy(struct cache_loader *l);

/*
 * Writes inv as the cache of meta's account, region and endpoint (meta->account
 * NULL: the account the index gives for meta's profile/region/endpoint) and
 * records meta->profile in the index. *path_out (may be NULL) gets the file.
 * Writes meta as given: use cache_update to keep older data of failed types.
 */
enum vpcx_status cache_save(const char *dir, const struct inventory *inv,
                            const struct snapshot_meta *meta, const cJSON *errors, char **path_out,
                            struct vpcx_error *err);

/*
 * What to write after a refresh (stale-while-revalidate), as a new inventory:
 * each type in the fetched mask comes from fresh with time fresh_meta->fetched_at;
 * each other type comes from prev with prev's time for it (when prev is NULL,
 * from fresh with no time). VPC DNS attributes follow their VPCs, a fresh
 * unknown falling back to prev. out_meta is fresh_meta plus the per-type
 * times (and prev's account when fresh has none); finish it.
 */
struct inventory *cache_merge(const struct inventory *fresh, const struct snapshot_meta *fresh_meta,
                              unsigned fetched, const struct inventory *prev,
                              const struct snapshot_meta *prev_meta,
                              struct snapshot_meta *out_meta);

/*
 * The one call after every fetch: under the lock, loads the previous cache of
 * meta's key (a bad one is ignored and described in *warning, which may be
 * NULL), merges (cache_merge) and saves. Does nothing (VPCX_OK, *path_out NULL)
 * when fetched is 0. errors is the fresh fetch's Errors list.
 */
enum vpcx_status cache_update(const char *dir, const struct inventory *fresh,
                              const struct snapshot_meta *meta, const cJSON *errors,
                              unsigned fetched, char **path_out, struct vpcx_error *warning,
                              struct vpcx_error *err);

/* Seconds since fetched_at (0 when in the future), -1 when missing or malformed. */
long long cache_age(const char *fetched_at, time_t now);
/* True when older than max_age seconds, or of unknown age. */
bool cache_is_stale(const char *fetched_at, time_t now, long long max_age);
/* "45s", "12m", "3h", "2d", or "?" for an unknown (negative) age. */
void cache_format_age(struct strbuf *sb, long long age);
/* The oldest per-type time of meta over the types in mask (NULL: none known). */
const char *cache_oldest_time(const struct snapshot_meta *meta, unsigned mask);

/* One cache file, for `vpcx cache list`. */
struct cache_entry {
    char *file; /* name in the directory */
    char *path;
    char *account, *region, *endpoint; /* may be NULL */
    char **profiles;                   /* profiles the index maps to it, sorted */
    size_t n_profiles;
    char *fetched_at;   /* may be NULL */
    long long age;      /* seconds, -1 when unknown */
    long long size;     /* bytes */
    char *problem;      /* why the file is unusable, else NULL */
    long long bin_size; /* its binary form's bytes, -1 when there is none */
    char *bin_problem;  /* why that binary form would not be used, else NULL */
};

struct cache_listing {
    struct cache_entry *v;
    size_t n;
};

/* Lists the cache files sorted by name; an absent dir is an empty list. */
enum vpcx_status cache_list(const char *dir, time_t now, struct cache_listing *out,
                            struct vpcx_error *err);
void cache_listing_finish(struct cache_listing *list);

/* NULL fields match anything. */
struct cache_filter {
    const char *account;
    const char *region;
    const char *profile; /* files the index maps this profile to */
};

/* Removes matching files, their binary forms and their index entries (filter
 * NULL: everything, including left-over temp files). *removed (may be NULL)
 * counts data files (a JSON file and its binary form count once). */
enum vpcx_status cache_clear(const char *dir, const struct cache_filter *filter, size_t *removed,
                             struct vpcx_error *err);

#endif
