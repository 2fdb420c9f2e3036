#include "vpcx/store/cache.h"

#include "vpcx/core/fileio.h"
#include "vpcx/core/json.h"
#include "vpcx/store/cachebin.h"
#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#define INDEX_VERSION   1
#define INDEX_MAX_BYTES ((size_t)16 << 20)
#define LOCK_NAME       ".lock"
#define TEMP_PREFIX     ".tmp-"

/* ---- directory ---------------------------------------------------------- */

enum vpcx_status cache_dir(char **out, const char *xdg_cache_home, const char *home,
                           struct vpcx_error *err)
{
    /* The XDG spec says a relative value is invalid and must be ignored. */
    if (xdg_cache_home && xdg_cache_home[0] == '/') {
        *out = xasprintf("%s/vpcx", xdg_cache_home);
        return VPCX_OK;
    }
    if (!home || !home[0])
        return vpcx_error_set(err, VPCX_ERR_CONFIG,
                              "no cache directory: neither XDG_CACHE_HOME nor HOME is set");
    *out = xasprintf("%s/.cache/vpcx", home);
    return VPCX_OK;
}

static enum vpcx_status make_dirs(const char *dir, struct vpcx_error *err)
{
    char *copy = xstrdup(dir);
    enum vpcx_status st = VPCX_OK;
    for (char *p = copy + 1; st == VPCX_OK; p++) {
        bool last = (*p == '\0');
        if (*p != '/' && !last)
            continue;
        *p = '\0';
        if (mkdir(copy, 0700) != 0 && errno != EEXIST)
            st = vpcx_error_set(err, VPCX_ERR_IO, "cannot create the cache directory %s: %s", copy,
                                strerror(errno));
        if (last)
            break;
        *p = '/';
    }
    free(copy);
    return st;
}

enum vpcx_status cache_dir_prepare(const char *dir, struct vpcx_error *err)
{
    enum vpcx_status st = make_dirs(dir, err);
    if (st != VPCX_OK)
        return st;
    struct stat sb;
    if (stat(dir, &sb) != 0)
        return vpcx_error_set(err, VPCX_ERR_IO, "cannot use the cache directory %s: %s", dir,
                              strerror(errno));
    if (!S_ISDIR(sb.st_mode))
        return vpcx_error_set(err, VPCX_ERR_IO, "the cache path %s is not a directory", dir);
    if (sb.st_uid != geteuid())
        return vpcx_error_set(err, VPCX_ERR_IO,
                              "the cache directory %s belongs to another user (uid %ld)", dir,
                              (long)sb.st_uid);
    /* Inventories describe an account's network: keep them private. */
    if ((sb.st_mode & 077) != 0 && chmod(dir, 0700) != 0)
        return vpcx_error_set(err, VPCX_ERR_IO, "cannot restrict %s to mode 0700: %s", dir,
                              strerror(errno));
    return VPCX_OK;
}

/* ---- names -------------------------------------------------------------- */

static char *norm_endpoint(const char *endpoint)
{
    char *s = xstrdup(endpoint ? endpoint : "");
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == '/')
        s[--n] = '\0';
    return s;
}

static void add_safe(struct strbuf *sb, const char *s, const char *fallback)
{
    if (!s || !*s)
        s = fallback;
    for (size_t i = 0; s[i] && i < 64; i++) {
        char c = s[i];
        bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        strbuf_addch(sb, ok ? c : '_');
    }
}

/* Region names keep their dashes; anything else unusual becomes '_'. */
static void add_safe_region(struct strbuf *sb, const char *s)
{
    if (!s || !*s)
        s = "noregion";
    for (size_t i = 0; s[i] && i < 64; i++) {
        char c = s[i];
        bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '-';
        strbuf_addch(sb, ok ? c : '_');
    }
}

char *cache_file_name(const char *account, const char *region, const char *endpoint)
{
    char *url = norm_endpoint(endpoint);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    if (!EVP_Digest(url, strlen(url), md, &md_len, EVP_sha256(), NULL))
        md_len = 0;
    free(url);
    struct strbuf sb;
    strbuf_init(&sb, 64);
    add_safe(&sb, account, "unknown");
    strbuf_addch(&sb, '-');
    add_safe_region(&sb, region);
    strbuf_addch(&sb, '-');
    for (unsigned i = 0; i < 6 && i < md_len; i++)
        strbuf_addf(&sb, "%02x", md[i]);
    strbuf_addstr(&sb, ".json");
    return strbuf_detach(&sb, NULL);
}

static bool is_data_file(const char *name)
{
    size_t n = strlen(name);
    return name[0] != '.' && n > 5 && strcmp(name + n - 5, ".json") == 0 &&
           strcmp(name, CACHE_INDEX_NAME) != 0;
}

static bool is_bin_file(const char *name)
{
    size_t n = strlen(name), k = strlen(CACHEBIN_SUFFIX);
    return name[0] != '.' && n > k && strcmp(name + n - k, CACHEBIN_SUFFIX) == 0;
}

char *cache_bin_path(const char *json_path)
{
    size_t n = strlen(json_path);
    if (n > 5 && strcmp(json_path + n - 5, ".json") == 0)
        n -= 5;
    return xasprintf("%.*s%s", (int)n, json_path, CACHEBIN_SUFFIX);
}

/* ---- lock and atomic write ---------------------------------------------- */

static long elapsed_ms(const struct timespec *since)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long)(now.tv_sec - since->tv_sec) * 1000 + (now.tv_nsec - since->tv_nsec) / 1000000;
}

/* Takes the lock, waiting CACHE_LOCK_WAIT_MS at most: a process that holds it
 * longer (stuck, or stopped in a debugger) must not hang this one. */
static enum vpcx_status lock_dir(const char *dir, int *out, struct vpcx_error *err)
{
    *out = -1;
    char *path = xasprintf("%s/%s", dir, LOCK_NAME);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    enum vpcx_status st = VPCX_OK;
    if (fd < 0)
        st = vpcx_error_set(err, VPCX_ERR_IO, "cannot open the cache lock %s: %s", path,
                            strerror(errno));
    free(path);
    if (fd < 0)
        return st;
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    long nap_ms = 1;
    int e = flock(fd, LOCK_EX | LOCK_NB) == 0 ? 0 : errno;
    while (e == EWOULDBLOCK || e == EINTR) {
        long left = CACHE_LOCK_WAIT_MS - elapsed_ms(&start);
        if (left <= 0)
            break;
        /* Short naps: the lock is free only between another writer's saves. */
        nap_ms = nap_ms * 2 > 8 ? 8 : nap_ms * 2;
        long nap = nap_ms < left ? nap_ms : left;
        struct timespec ts = {nap / 1000, (nap % 1000) * 1000000L};
        nanosleep(&ts, NULL);
        e = flock(fd, LOCK_EX | LOCK_NB) == 0 ? 0 : errno;
    }
    if (e == EWOULDBLOCK || e == EINTR)
        st = vpcx_error_set(err, VPCX_ERR_TIMEOUT,
                            "the cache is locked by another process (waited %d s)",
                            CACHE_LOCK_WAIT_MS / 1000);
    else if (e != 0)
        st = vpcx_error_set(err, VPCX_ERR_IO, "cannot lock the cache in %s: %s", dir, strerror(e));
    if (st != VPCX_OK) {
        close(fd);
        return st;
    }
    *out = fd;
    return VPCX_OK;
}

static void unlock_dir(int fd)
{
    if (fd >= 0)
        close(fd); /* closing releases the flock */
}

typedef enum vpcx_status (*write_fn)(FILE *out, const void *ud, struct vpcx_error *err);

static void sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

static enum vpcx_status finish_temp(FILE *f, const char *tmp, struct vpcx_error *err)
{
    bool ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
    int saved = errno;
    ok = (fclose(f) == 0) && ok;
    if (!ok)
        return vpcx_error_set(err, VPCX_ERR_IO, "cannot write %s: %s", tmp,
                              strerror(saved ? saved : errno));
    return VPCX_OK;
}

/* Writes dir/name through a temp file and a rename, so readers never see half. */
static enum vpcx_status write_atomic(const char *dir, const char *name, write_fn fn, const void *ud,
                                     struct vpcx_error *err)
{
    char *tmp = xasprintf("%s/" TEMP_PREFIX "%s-XXXXXX", dir, name);
    char *path = xasprintf("%s/%s", dir, name);
    enum vpcx_status st = VPCX_OK;
    int fd = mkstemp(tmp);
    FILE *f = NULL;
    if (fd < 0 || fchmod(fd, 0600) != 0)
        st = vpcx_error_set(err, VPCX_ERR_IO, "cannot create a temp file in %s: %s", dir,
                            strerror(errno));
    if (st == VPCX_OK) {
        f = fdopen(fd, "w");
        if (!f)
            st = vpcx_error_set(err, VPCX_ERR_IO, "cannot open %s: %s", tmp, strerror(errno));
        else
            fd = -1;
    }
    if (st == VPCX_OK)
        st = fn(f, ud, err);
    if (f) {
        enum vpcx_status fin = finish_temp(f, tmp, st == VPCX_OK ? err : NULL);
        st = st == VPCX_OK ? fin : st;
    }
    if (fd >= 0)
        close(fd);
    if (st == VPCX_OK && rename(tmp, path) != 0)
        st = vpcx_error_set(err, VPCX_ERR_IO, "cannot replace %s: %s", path, strerror(errno));
    if (st != VPCX_OK)
        unlink(tmp);
    else
        sync_dir(dir);
    free(tmp);
    free(path);
    return st;
}

/* ---- index -------------------------------------------------------------- */

static bool str_eq(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

/* The index's entries array; a missing or bad index is empty (reason in err). */
static cJSON *index_read(const char *dir, struct vpcx_error *err)
{
    char *path = xasprintf("%s/%s", dir, CACHE_INDEX_NAME);
    struct strbuf data;
    strbuf_init(&data, 0);
    struct vpcx_error local;
    vpcx_error_init(&local);
    cJSON *doc = NULL;
    struct stat sb;
    bool exists = stat(path, &sb) == 0;
    /* Bounded like a cache file: depth and parse memory checked first. */
    if (exists && file_read_all(path, INDEX_MAX_BYTES, &data, &local) == VPCX_OK &&
        snapshot_check_json(data.buf, data.len, path, &local) == VPCX_OK)
        doc = cJSON_ParseWithLength(data.buf, data.len);
    else if (exists && err)
        vpcx_error_copy(err, &local);
    cJSON *entries = cJSON_DetachItemFromObjectCaseSensitive(doc, "Entries");
    if (exists && local.status == VPCX_OK && !cJSON_IsArray(entries) && err)
        vpcx_error_set(err, VPCX_ERR_PARSE, "the cache index %s is corrupt; ignored", path);
    if (!cJSON_IsArray(entries)) {
        cJSON_Delete(entries);
        entries = cJSON_CreateArray();
    }
    cJSON_Delete(doc);
    vpcx_error_finish(&local);
    strbuf_release(&data);
    free(path);
    return entries;
}

static enum vpcx_status write_index_doc(FILE *out, const void *ud, struct vpcx_error *err)
{
    char *text = snapshot_print_json(ud, true);
    bool ok = text && fputs(text, out) != EOF && fputc('\n', out) != EOF;
    free(text);
    return ok ? VPCX_OK : vpcx_error_set(err, VPCX_ERR_IO, "cannot write the cache index");
}

static int entry_cmp(const void *a, const void *b)
{
    const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
    static const char *const keys[] = {"Profile", "Region", "Endpoint"};
    for (size_t i = 0; i < 3; i++) {
        int c = strcmp(json_get_str(x, keys[i]) ? json_get_str(x, keys[i]) : "",
                       json_get_str(y, keys[i]) ? json_get_str(y, keys[i]) : "");
        if (c)
            return c;
    }
    return 0;
}

/* Writes entries (sorted, for stable files) as the index; consumes entries. */
static enum vpcx_status index_write(const char *dir, cJSON *entries, struct vpcx_error *err)
{
    size_t n = (size_t)cJSON_GetArraySize(entries);
    cJSON **v = xcalloc(n ? n : 1, sizeof(*v));
    for (size_t i = 0; i < n; i++)
        v[i] = cJSON_DetachItemFromArray(entries, 0);
    qsort(v, n, sizeof(*v), entry_cmp);
    for (size_t i = 0; i < n; i++)
        cJSON_AddItemToArray(entries, v[i]);
    free(v);
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddNumberToObject(doc, "FormatVersion", INDEX_VERSION);
    cJSON_AddItemToObject(doc, "Entries", entries);
    enum vpcx_status st = write_atomic(dir, CACHE_INDEX_NAME, write_index_doc, doc, err);
    cJSON_Delete(doc);
    return st;
}

static cJSON *index_lookup(const cJSON *entries, const char *profile, const char *region,
                           const char *endpoint)
{
    char *url = norm_endpoint(endpoint);
    cJSON *e, *found = NULL;
    cJSON_ArrayForEach(e, entries)
    {
        if (str_eq(json_get_str(e, "Profile"), profile) &&
            str_eq(json_get_str(e, "Region"), region) && str_eq(json_get_str(e, "Endpoint"), url) &&
            json_get_str(e, "Account") && json_get_str(e, "File")) {
            found = e;
            break;
        }
    }
    free(url);
    return found;
}

static void set_string(cJSON *obj, const char *key, const char *value)
{
    cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
    cJSON_AddStringToObject(obj, key, value ? value : "");
}

static void index_put(cJSON *entries, const struct snapshot_meta *meta, const char *account,
                      const char *file)
{
    cJSON *e = index_lookup(entries, meta->profile, meta->region, meta->endpoint);
    if (!e) {
        e = cJSON_CreateObject();
        cJSON_AddItemToArray(entries, e);
    }
    char *url = norm_endpoint(meta->endpoint);
    set_string(e, "Profile", meta->profile);
    set_string(e, "Region", meta->region);
    set_string(e, "Endpoint", url);
    set_string(e, "Account", account);
    set_string(e, "File", file);
    set_string(e, "FetchedAt", meta->fetched_at);
    free(url);
}

/* ---- find and load ------------------------------------------------------ */

static char *account_from_index(const char *dir, const char *profile, const char *region,
                                const char *endpoint)
{
    cJSON *entries = index_read(dir, NULL);
    const cJSON *e = index_lookup(entries, profile, region, endpoint);
    char *account = e ? xstrdup(json_get_str(e, "Account")) : NULL;
    cJSON_Delete(entries);
    return account;
}

enum vpcx_status cache_find(const char *dir, const struct cache_key *key, char **path,
                            struct vpcx_error *err)
{
    *path = NULL;
    char *account = key->account
                        ? xstrdup(key->account)
                        : account_from_index(dir, key->profile, key->region, key->endpoint);
    if (!account)
        return vpcx_error_set(
            err, VPCX_ERR_NOT_FOUND, "no cache for profile %s, region %s, endpoint %s in %s",
            key->profile ? key->profile : "(none)", key->region ? key->region : "(none)",
            key->endpoint ? key->endpoint : "(default)", dir);
    char *name = cache_file_name(account, key->region, key->endpoint);
    char *p = xasprintf("%s/%s", dir, name);
    free(name);
    free(account);
    struct stat sb;
    if (lstat(p, &sb) != 0) {
        enum vpcx_status st =
            vpcx_error_set(err, VPCX_ERR_NOT_FOUND, "no cache file %s: %s", p, strerror(errno));
        free(p);
        return st;
    }
    *path = p;
    return VPCX_OK;
}

static enum vpcx_status check_file(const char *path, struct vpcx_error *err)
{
    struct stat sb;
    if (lstat(path, &sb) != 0)
        return vpcx_error_set(err, VPCX_ERR_IO, "cache file %s: %s", path, strerror(errno));
    if (!S_ISREG(sb.st_mode))
        return vpcx_error_set(err, VPCX_ERR_IO, "cache file %s is not a regular file; ignored",
                              path);
    if (sb.st_size == 0)
        return vpcx_error_set(err, VPCX_ERR_PARSE, "cache file %s is empty; ignored", path);
    if ((unsigned long long)sb.st_size > SNAPSHOT_MAX_BYTES)
        return vpcx_error_set(err, VPCX_ERR_TOO_LARGE,
                              "cache file %s is %lld bytes, over the %zu MiB limit; ignored", path,
                              (long long)sb.st_size, SNAPSHOT_MAX_BYTES >> 20);
    return VPCX_OK;
}

static enum vpcx_status load_json(const char *path, struct inventory *inv,
                                  struct snapshot_meta *meta, cJSON **errors,
                                  struct vpcx_error *err)
{
    struct strbuf data;
    strbuf_init(&data, 0);
    enum vpcx_status st = file_read_all(path, SNAPSHOT_MAX_BYTES, &data, err);
    if (st == VPCX_OK) {
        char *label = xasprintf("cache file %s", path);
        st = snapshot_load_buffer(data.buf, data.len, label, inv, meta, errors, err);
        free(label);
    }
    strbuf_release(&data);
    return st;
}

struct cache_loader {
    char *path;           /* the JSON file */
    struct cachebin *bin; /* NULL: loaded (from the JSON, or the binary form is all in) */
};

/* After the binary form failed part way: empty what it put, then the JSON, whole. */
static enum vpcx_status fall_back(struct cache_loader *l, struct inventory *inv,
                                  struct vpcx_error *err)
{
    cachebin_close(l->bin);
    l->bin = NULL;
    inventory_clear(inv);
    struct snapshot_meta meta = {0};
    enum vpcx_status st = load_json(l->path, inv, &meta, NULL, err);
    snapshot_meta_finish(&meta);
    return st;
}

/* Opens the binary form beside path when it stands for the JSON there, and loads
 * its first types; NULL (reason in note unless there is none) when unusable. */
static struct cachebin *open_bin(const char *path, struct inventory *inv,
                                 struct snapshot_meta *meta, cJSON **errors,
                                 struct vpcx_error *note)
{
    struct cachebin_stamp stamp;
    if (!cachebin_stamp_file(path, &stamp))
        return NULL;
    char *bin_path = cache_bin_path(path);
    struct cachebin *cb = NULL;
    struct vpcx_error e;
    vpcx_error_init(&e);
    enum vpcx_status st = cachebin_open(bin_path, &stamp, &cb, &e);
    if (st == VPCX_OK)
        st = cachebin_read_meta(cb, meta, errors, &e);
    bool done;
    if (st == VPCX_OK && (st = cachebin_load_step(cb, inv, 0, true, &done, &e)) != VPCX_OK) {
        inventory_clear(inv); /* nothing else reached inv: it only held what this load put */
    }
    if (st != VPCX_OK) {
        if (st != VPCX_ERR_NOT_FOUND && note)
            vpcx_error_set(note, st, "%s; read the JSON instead", e.message ? e.message : "?");
        cachebin_close(cb);
        cb = NULL;
        snapshot_meta_finish(meta);
        if (errors) {
            cJSON_Delete(*errors);
            *errors = NULL;
        }
    }
    vpcx_error_finish(&e);
    free(bin_path);
    return cb;
}

enum vpcx_status cache_load_begin(const char *path, struct inventory *inv,
                                  struct snapshot_meta *meta, cJSON **errors,
                                  struct cache_loader **out, struct vpcx_error *note,
                                  struct vpcx_error *err)
{
    *out = NULL;
    if (errors)
        *errors = NULL;
    memset(meta, 0, sizeof(*meta));
    enum vpcx_status st = check_file(path, err);
    if (st != VPCX_OK)
        return st;
    struct cachebin *cb = open_bin(path, inv, meta, errors, note);
    if (!cb) {
        st = load_json(path, inv, meta, errors, err);
        if (st != VPCX_OK)
            return st;
    }
    struct cache_loader *l = xcalloc(1, sizeof(*l));
    l->path = xstrdup(path);
    l->bin = cb;
    *out = l;
    return VPCX_OK;
}

enum vpcx_status cache_load_step(struct cache_loader *l, struct inventory *inv, long max_usec,
                                 bool *done, struct vpcx_error *note)
{
    *done = true;
    if (!l->bin)
        return VPCX_OK;
    struct vpcx_error e;
    vpcx_error_init(&e);
    bool all;
    enum vpcx_status st = cachebin_load_step(l->bin, inv, max_usec, false, &all, &e);
    if (st != VPCX_OK) {
        if (note)
            vpcx_error_set(note, st, "%s; read the JSON instead", e.message ? e.message : "?");
        vpcx_error_finish(&e);
        vpcx_error_init(&e);
        st = fall_back(l, inv, &e);
        if (st != VPCX_OK && note)
            vpcx_error_copy(note, &e);
        vpcx_error_finish(&e);
        return st;
    }
    vpcx_error_finish(&e);
    if (all) {
        cachebin_close(l->bin);
        l->bin = NULL;
    }
    *done = all;
    return VPCX_OK;
}

bool cache_loader_busy(const struct cache_loader *l)
{
    return l && l->bin;
}

void cache_loader_progress(const struct cache_loader *l, size_t *loaded, size_t *total)
{
    *loaded = *total = 0;
    if (l && l->bin)
        cachebin_progress(l->bin, loaded, total);
}

void cache_loader_destroy(struct cache_loader *l)
{
    if (!l)
        return;
    cachebin_close(l->bin);
    free(l->path);
    free(l);
}

enum vpcx_status cache_load_noted(const char *path, struct inventory *inv,
                                  struct snapshot_meta *meta, cJSON **errors,
                                  struct vpcx_error *note, struct vpcx_error *err)
{
    struct cache_loader *l;
    enum vpcx_status st = cache_load_begin(path, inv, meta, errors, &l, note, err);
    struct vpcx_error step_note;
    vpcx_error_init(&step_note);
    bool done = false;
    while (st == VPCX_OK && !done)
        st = cache_load_step(l, inv, 0, &done, &step_note);
    if (st != VPCX_OK && l) {
        /* The JSON failed after the binary form did: the caller sees that error. */
        vpcx_error_copy(err, &step_note);
        snapshot_meta_finish(meta);
        if (errors) {
            cJSON_Delete(*errors);
            *errors = NULL;
        }
    } else if (step_note.status != VPCX_OK && note) {
        vpcx_error_copy(note, &step_note);
    }
    vpcx_error_finish(&step_note);
    cache_loader_destroy(l);
    return st;
}

enum vpcx_status cache_load(const char *path, struct inventory *inv, struct snapshot_meta *meta,
                            cJSON **errors, struct vpcx_error *err)
{
    return cache_load_noted(path, inv, meta, errors, NULL, err);
}

/* ---- save, merge, update ------------------------------------------------ */

struct snapshot_job {
    const struct inventory *inv;
    const struct snapshot_meta *meta;
    const cJSON *errors;
    struct cachebin_stamp stamp; /* the binary form's JSON */
};

static enum vpcx_status write_snapshot_job(FILE *out, const void *ud, struct vpcx_error *err)
{
    const struct snapshot_job *job = ud;
    return snapshot_write(out, job->inv, job->meta, job->errors, false, err);
}

static enum vpcx_status write_bin_job(FILE *out, const void *ud, struct vpcx_error *err)
{
    const struct snapshot_job *job = ud;
    return cachebin_write(out, job->inv, job->meta, job->errors, &job->stamp, err);
}

/* The binary form beside the JSON just written, stamped with it. It only speeds up
 * the next load: when it cannot be written, none is left (a stale one would be
 * refused by its stamp anyway). */
static void save_bin(const char *dir, const char *json_name, const struct snapshot_job *job)
{
    char *json_path = xasprintf("%s/%s", dir, json_name);
    char *bin_path = cache_bin_path(json_path);
    struct snapshot_job bj = *job;
    struct vpcx_error e;
    vpcx_error_init(&e);
    if (!cachebin_stamp_file(json_path, &bj.stamp) ||
        write_atomic(dir, strrchr(bin_path, '/') + 1, write_bin_job, &bj, &e) != VPCX_OK)
        unlink(bin_path);
    vpcx_error_finish(&e);
    free(bin_path);
    free(json_path);
}

/* cache_save with the lock held. */
static enum vpcx_status save_locked(const char *dir, const struct inventory *inv,
                                    const struct snapshot_meta *meta, const cJSON *errors,
                                    char **path_out, struct vpcx_error *err)
{
    struct snapshot_meta m;
    snapshot_meta_copy(&m, meta);
    if (!m.account)
        m.account = account_from_index(dir, m.profile, m.region, m.endpoint);
    if (!m.account) {
        snapshot_meta_finish(&m);
        return vpcx_error_set(err, VPCX_ERR_NOT_FOUND,
                              "not cached: the account is unknown and no earlier cache exists "
                              "for this profile, region and endpoint");
    }
    char *name = cache_file_name(m.account, m.region, m.endpoint);
    const struct snapshot_job job = {.inv = inv, .meta = &m, .errors = errors};
    enum vpcx_status st = write_atomic(dir, name, write_snapshot_job, &job, err);
    if (st == VPCX_OK)
        save_bin(dir, name, &job);
    if (st == VPCX_OK) {
        cJSON *entries = index_read(dir, NULL);
        index_put(entries, &m, m.account, name);
        st = index_write(dir, entries, err);
    }
    if (st == VPCX_OK && path_out)
        *path_out = xasprintf("%s/%s", dir, name);
    free(name);
    snapshot_meta_finish(&m);
    return st;
}

enum vpcx_status cache_save(const char *dir, const struct inventory *inv,
                            const struct snapshot_meta *meta, const cJSON *errors, char **path_out,
                            struct vpcx_error *err)
{
    if (path_out)
        *path_out = NULL;
    enum vpcx_status st = cache_dir_prepare(dir, err);
    if (st != VPCX_OK)
        return st;
    int lock;
    st = lock_dir(dir, &lock, err);
    if (st != VPCX_OK)
        return st;
    st = save_locked(dir, inv, meta, errors, path_out, err);
    unlock_dir(lock);
    return st;
}

static void copy_type(struct inventory *dst, const struct inventory *src, enum inv_type t)
{
    inventory_begin(dst, t);
    size_t n = src ? inventory_count(src, t) : 0;
    for (size_t i = 0; i < n; i++)
        inventory_put(dst, t, inventory_item(src, inventory_at(src, t, i)));
    inventory_end(dst, t);
}

static enum inv_tristate vpc_attr(const struct inventory *inv, const char *id, bool support)
{
    const struct inv_resource *r = inv ? inventory_find(inv, INV_VPC, id) : NULL;
    if (!r)
        return INV_UNKNOWN;
    return support ? r->vpc.dns_support : r->vpc.dns_hostnames;
}

/* DNS attributes from the VPCs' source, an unknown filled from the other one. */
static void copy_vpc_attrs(struct inventory *dst, const struct inventory *first,
                           const struct inventory *second)
{
    size_t n = inventory_count(dst, INV_VPC);
    char **ids = xcalloc(n ? n : 1, sizeof(*ids));
    for (size_t i = 0; i < n; i++)
        ids[i] = xstrdup(inventory_at(dst, INV_VPC, i)->id);
    for (size_t i = 0; i < n; i++) {
        for (int k = 0; k < 2; k++) {
            enum inv_tristate v = vpc_attr(first, ids[i], k == 0);
            if (v == INV_UNKNOWN)
                v = vpc_attr(second, ids[i], k == 0);
            if (v != INV_UNKNOWN)
                inventory_set_vpc_attribute(
                    dst, ids[i], k == 0 ? "enableDnsSupport" : "enableDnsHostnames", v == INV_YES);
        }
        free(ids[i]);
    }
    free(ids);
}

/* The merged metadata: fresh's, with each type's time from where its items come. */
static void merge_meta(const struct snapshot_meta *fresh_meta, unsigned fetched,
                       const struct inventory *prev, const struct snapshot_meta *prev_meta,
                       struct snapshot_meta *out_meta)
{
    snapshot_meta_copy(out_meta, fresh_meta);
    for (int t = 0; t < INV_TYPE_COUNT; t++) {
        bool got = (fetched & CACHE_TYPE_BIT(t)) != 0;
        free(out_meta->fetched_at_by_type[t]);
        out_meta->fetched_at_by_type[t] = NULL;
        const char *when = NULL;
        if (got)
            when = fresh_meta->fetched_at;
        else if (prev && prev_meta)
            when = snapshot_meta_type_time(prev_meta, (enum inv_type)t);
        out_meta->fetched_at_by_type[t] = when ? xstrdup(when) : NULL;
    }
    if (!out_meta->account && prev_meta && prev_meta->account)
        out_meta->account = xstrdup(prev_meta->account);
}

struct inventory *cache_merge(const struct inventory *fresh, const struct snapshot_meta *fresh_meta,
                              unsigned fetched, const struct inventory *prev,
                              const struct snapshot_meta *prev_meta, struct snapshot_meta *out_meta)
{
    struct inventory *out = inventory_create();
    merge_meta(fresh_meta, fetched, prev, prev_meta, out_meta);
    for (int t = 0; t < INV_TYPE_COUNT; t++) {
        bool got = (fetched & CACHE_TYPE_BIT(t)) != 0;
        copy_type(out, got || !prev ? fresh : prev, (enum inv_type)t);
    }
    bool vpcs_fresh = (fetched & CACHE_TYPE_BIT(INV_VPC)) || !prev;
    copy_vpc_attrs(out, vpcs_fresh ? fresh : prev, vpcs_fresh ? prev : fresh);
    return out;
}

/* Loads the previous cache for meta's key; NULL when there is none or it is bad. */
static struct inventory *load_previous(const char *dir, const struct snapshot_meta *meta,
                                       struct snapshot_meta *prev_meta, struct vpcx_error *warning)
{
    memset(prev_meta, 0, sizeof(*prev_meta));
    const struct cache_key key = {.profile = meta->profile,
                                  .region = meta->region,
                                  .endpoint = meta->endpoint,
                                  .account = meta->account};
    struct vpcx_error e;
    vpcx_error_init(&e);
    char *path = NULL;
    struct inventory *prev = NULL;
    if (cache_find(dir, &key, &path, &e) == VPCX_OK) {
        prev = inventory_create();
        if (cache_load(path, prev, prev_meta, NULL, &e) != VPCX_OK) {
            if (warning)
                vpcx_error_copy(warning, &e);
            inventory_destroy(prev);
            prev = NULL;
        }
    }
    free(path);
    vpcx_error_finish(&e);
    return prev;
}

enum vpcx_status cache_update(const char *dir, const struct inventory *fresh,
                              const struct snapshot_meta *meta, const cJSON *errors,
                              unsigned fetched, char **path_out, struct vpcx_error *warning,
                              struct vpcx_error *err)
{
    if (path_out)
        *path_out = NULL;
    fetched &= CACHE_ALL_TYPES;
    if (fetched == 0)
        return VPCX_OK;
    enum vpcx_status st = cache_dir_prepare(dir, err);
    if (st != VPCX_OK)
        return st;
    int lock;
    st = lock_dir(dir, &lock, err);
    if (st != VPCX_OK)
        return st;
    struct snapshot_meta prev_meta = {0};
    struct inventory *prev =
        fetched == CACHE_ALL_TYPES ? NULL : load_previous(dir, meta, &prev_meta, warning);
    struct snapshot_meta out_meta = {0};
    /* Without a previous cache every type comes from fresh: write it, not a copy of it
       (a copy doubles the inventory's memory at the end of a refresh). */
    struct inventory *merged = NULL;
    if (prev)
        merged = cache_merge(fresh, meta, fetched, prev, &prev_meta, &out_meta);
    else
        merge_meta(meta, fetched, NULL, NULL, &out_meta);
    st = save_locked(dir, merged ? merged : fresh, &out_meta, errors, path_out, err);
    unlock_dir(lock);
    inventory_destroy(merged);
    inventory_destroy(prev);
    snapshot_meta_finish(&out_meta);
    snapshot_meta_finish(&prev_meta);
    return st;
}

/* ---- age ---------------------------------------------------------------- */

long long cache_age(const char *fetched_at, time_t now)
{
    time_t t;
    if (!fetched_at || !snapshot_parse_time(fetched_at, &t))
        return -1;
    return now > t ? (long long)(now - t) : 0;
}

bool cache_is_stale(const char *fetched_at, time_t now, long long max_age)
{
    long long age = cache_age(fetched_at, now);
    return age < 0 || age > max_age;
}

const char *cache_oldest_time(const struct snapshot_meta *meta, unsigned mask)
{
    const char *oldest = NULL;
    time_t oldest_t = 0;
    for (int t = 0; t < INV_TYPE_COUNT; t++) {
        const char *when =
            (mask & CACHE_TYPE_BIT(t)) ? snapshot_meta_type_time(meta, (enum inv_type)t) : NULL;
        time_t v;
        if (when && snapshot_parse_time(when, &v) && (!oldest || v < oldest_t)) {
            oldest = when;
            oldest_t = v;
        }
    }
    return oldest;
}

/* ---- list and clear ----------------------------------------------------- */

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names in dir for which keep() holds; NULL list when dir is absent. */
static enum vpcx_status read_names(const char *dir, bool (*keep)(const char *), char ***out,
                                   size_t *n, struct vpcx_error *err)
{
    *out = NULL;
    *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return errno == ENOENT
                   ? VPCX_OK
                   : vpcx_error_set(err, VPCX_ERR_IO, "cannot read %s: %s", dir, strerror(errno));
    struct dirent *de;
    size_t alloc = 0;
    while ((de = readdir(d)) != NULL) {
        if (!keep(de->d_name))
            continue;
        if (*n == alloc) {
            alloc = alloc ? alloc * 2 : 16;
            *out = xreallocarray(*out, alloc, sizeof(**out));
        }
        (*out)[(*n)++] = xstrdup(de->d_name);
    }
    closedir(d);
    if (*n)
        qsort(*out, *n, sizeof(**out), name_cmp);
    return VPCX_OK;
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

static char *dup_opt(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

static void entry_from_index(struct cache_entry *e, const cJSON *entries)
{
    const cJSON *ie;
    cJSON_ArrayForEach(ie, entries)
    {
        if (!str_eq(json_get_str(ie, "File"), e->file))
            continue;
        if (!e->account) {
            e->account = dup_opt(json_get_str(ie, "Account"));
            e->region = dup_opt(json_get_str(ie, "Region"));
            e->endpoint = dup_opt(json_get_str(ie, "Endpoint"));
        }
        const char *when = json_get_str(ie, "FetchedAt");
        if (when && (!e->fetched_at || strcmp(when, e->fetched_at) > 0)) {
            free(e->fetched_at);
            e->fetched_at = xstrdup(when);
        }
        e->profiles = xreallocarray(e->profiles, e->n_profiles + 1, sizeof(*e->profiles));
        e->profiles[e->n_profiles++] =
            xstrdup(json_get_str(ie, "Profile") ? json_get_str(ie, "Profile") : "");
    }
    if (e->n_profiles > 1)
        qsort(e->profiles, e->n_profiles, sizeof(*e->profiles), name_cmp);
}

/* A file the index does not know: its own Metadata, or why it is unusable. */
static void entry_from_file(struct cache_entry *e)
{
    struct inventory *inv = inventory_create();
    struct snapshot_meta meta = {0};
    struct vpcx_error err;
    vpcx_error_init(&err);
    if (cache_load(e->path, inv, &meta, NULL, &err) == VPCX_OK) {
        e->account = dup_opt(meta.account);
        e->region = dup_opt(meta.region);
        e->endpoint = dup_opt(meta.endpoint);
        e->fetched_at = dup_opt(meta.fetched_at);
        snapshot_meta_finish(&meta);
    } else {
        e->problem = err.message ? xstrdup(err.message) : xstrdup("unusable");
    }
    vpcx_error_finish(&err);
    inventory_destroy(inv);
}

/* The binary form beside the file: its size, and why it would not be used. */
static void entry_bin(struct cache_entry *e)
{
    char *bin = cache_bin_path(e->path);
    struct stat sb;
    e->bin_size = lstat(bin, &sb) == 0 ? (long long)sb.st_size : -1;
    struct cachebin_stamp stamp;
    if (e->bin_size >= 0 && !e->problem && cachebin_stamp_file(e->path, &stamp)) {
        struct cachebin *cb = NULL;
        struct vpcx_error err;
        vpcx_error_init(&err);
        if (cachebin_open(bin, &stamp, &cb, &err) != VPCX_OK)
            e->bin_problem = xstrdup(err.message ? err.message : "unusable");
        cachebin_close(cb);
        vpcx_error_finish(&err);
    }
    free(bin);
}

enum vpcx_status cache_list(const char *dir, time_t now, struct cache_listing *out,
                            struct vpcx_error *err)
{
    memset(out, 0, sizeof(*out));
    char **names;
    size_t n;
    enum vpcx_status st = read_names(dir, is_data_file, &names, &n, err);
    if (st != VPCX_OK)
        return st;
    cJSON *entries = index_read(dir, NULL);
    out->v = xcalloc(n ? n : 1, sizeof(*out->v));
    for (size_t i = 0; i < n; i++) {
        struct cache_entry *e = &out->v[out->n++];
        e->file = xstrdup(names[i]);
        e->path = xasprintf("%s/%s", dir, names[i]);
        struct stat sb;
        e->size = lstat(e->path, &sb) == 0 ? (long long)sb.st_size : -1;
        entry_from_index(e, entries);
        if (e->n_profiles == 0)
            entry_from_file(e);
        else if (!e->problem && check_file(e->path, NULL) != VPCX_OK)
            e->problem = xstrdup("not a usable file (empty, oversized or not regular)");
        e->age = cache_age(e->fetched_at, now);
        entry_bin(e);
    }
    cJSON_Delete(entries);
    free_names(names, n);
    return VPCX_OK;
}

void cache_listing_finish(struct cache_listing *list)
{
    for (size_t i = 0; list && i < list->n; i++) {
        struct cache_entry *e = &list->v[i];
        free(e->file);
        free(e->path);
        free(e->account);
        free(e->region);
        free(e->endpoint);
        for (size_t k = 0; k < e->n_profiles; k++)
            free(e->profiles[k]);
        free(e->profiles);
        free(e->fetched_at);
        free(e->problem);
        free(e->bin_problem);
    }
    if (list) {
        free(list->v);
        memset(list, 0, sizeof(*list));
    }
}

static bool is_temp_file(const char *name)
{
    return strncmp(name, TEMP_PREFIX, strlen(TEMP_PREFIX)) == 0;
}

/* Account and region from "<account>-<region>-<hash>.json". */
static bool name_matches(const char *name, const struct cache_filter *f)
{
    const char *dash = strchr(name, '-');
    const char *last = strrchr(name, '-');
    if (!dash || last == dash)
        return !f->account && !f->region;
    if (f->account && (strlen(f->account) != (size_t)(dash - name) ||
                       strncmp(name, f->account, (size_t)(dash - name)) != 0))
        return false;
    if (f->region && (strlen(f->region) != (size_t)(last - dash - 1) ||
                      strncmp(dash + 1, f->region, (size_t)(last - dash - 1)) != 0))
        return false;
    return true;
}

static bool profile_maps_to(const cJSON *entries, const char *profile, const char *file)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, entries)
    {
        if (str_eq(json_get_str(e, "Profile"), profile) && str_eq(json_get_str(e, "File"), file))
            return true;
    }
    return false;
}

/* Drops index entries whose file is gone. */
static void index_prune(const char *dir, cJSON *entries)
{
    cJSON *e = entries->child;
    while (e) {
        cJSON *next = e->next;
        char *path =
            xasprintf("%s/%s", dir, json_get_str(e, "File") ? json_get_str(e, "File") : "");
        struct stat sb;
        if (!json_get_str(e, "File") || lstat(path, &sb) != 0)
            cJSON_Delete(cJSON_DetachItemViaPointer(entries, e));
        free(path);
        e = next;
    }
}

static bool keep_any(const char *name)
{
    return is_data_file(name) || is_bin_file(name) || is_temp_file(name);
}

static char *json_name_of(const char *bin_name)
{
    size_t n = strlen(bin_name) - strlen(CACHEBIN_SUFFIX);
    return xasprintf("%.*s.json", (int)n, bin_name);
}

static enum vpcx_status clear_locked(const char *dir, const struct cache_filter *filter,
                                     size_t *removed, struct vpcx_error *err)
{
    char **names;
    size_t n;
    enum vpcx_status st = read_names(dir, keep_any, &names, &n, err);
    cJSON *entries = index_read(dir, NULL);
    for (size_t i = 0; st == VPCX_OK && i < n; i++) {
        bool data = is_data_file(names[i]);
        /* A binary form goes with its JSON file (the index and the profiles name that). */
        char *json = is_bin_file(names[i]) ? json_name_of(names[i]) : NULL;
        const char *file = json ? json : names[i];
        bool match = filter
                         ? (data || json) && name_matches(file, filter) &&
                               (!filter->profile || profile_maps_to(entries, filter->profile, file))
                         : true;
        free(json);
        if (!match)
            continue;
        char *path = xasprintf("%s/%s", dir, names[i]);
        if (unlink(path) != 0 && errno != ENOENT)
            st = vpcx_error_set(err, VPCX_ERR_IO, "cannot remove %s: %s", path, strerror(errno));
        else if (data && removed)
            (*removed)++;
        free(path);
    }
    if (st == VPCX_OK) {
        index_prune(dir, entries);
        st = index_write(dir, entries, err);
        entries = NULL;
    }
    cJSON_Delete(entries);
    free_names(names, n);
    return st;
}

enum vpcx_status cache_clear(const char *dir, const struct cache_filter *filter, size_t *removed,
                             struct vpcx_error *err)
{
    if (removed)
        *removed = 0;
    struct stat sb;
    if (stat(dir, &sb) != 0 && errno == ENOENT)
        return VPCX_OK;
    int lock;
    enum vpcx_status st = lock_dir(dir, &lock, err);
    if (st != VPCX_OK)
        return st;
    st = clear_locked(dir, filter, removed, err);
    unlock_dir(lock);
    return st;
}

void cache_format_age(struct strbuf *sb, long long age)
{
    if (age < 0)
        strbuf_addstr(sb, "?");
    else if (age < 120)
        strbuf_addf(sb, "%llds", age);
    else if (age < 7200)
        strbuf_addf(sb, "%lldm", age / 60);
    else if (age < 172800)
        strbuf_addf(sb, "%lldh", age / 3600);
    else
        strbuf_addf(sb, "%lldd", age / 86400);
}
