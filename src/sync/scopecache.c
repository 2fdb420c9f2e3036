/* scopecache: each scope's own cache file; see the header. */
#include "vpcx/sync/scopecache.h"

#include "vpcx/core/xalloc.h"
#include "vpcx/store/cache.h"
#include "vpcx/store/snapshot.h"

#include <stdlib.h>
#include <string.h>

#ifndef VPCX_VERSION
#define VPCX_VERSION "0.1.0"
#endif

bool scope_cache_applies(const struct scope *sc)
{
    return sc->role_arn == NULL;
}

static void key_of(struct cache_key *key, const struct scope *sc)
{
    const struct aws_settings *s = &sc->session.settings;
    memset(key, 0, sizeof(*key));
    key->profile = s->profile.value;
    key->region = s->region.value;
    key->endpoint = s->ec2_endpoint.value;
}

bool scope_cache_read(struct scope_set *set, struct scope *sc, const char *dir)
{
    if (!dir || !scope_cache_applies(sc) || sc->state != SCOPE_IDLE)
        return false;
    struct vpcx_error err;
    vpcx_error_init(&err);
    char *path = NULL;
    struct snapshot_meta meta;
    memset(&meta, 0, sizeof(meta));
    struct cache_key key;
    enum vpcx_status st = scope_resolve(set, sc, &err);
    if (st == VPCX_OK) {
        key_of(&key, sc);
        st = cache_find(dir, &key, &path, &err);
    }
    if (st == VPCX_OK)
        st = cache_load(path, sc->inv, &meta, NULL, &err);
    if (st == VPCX_OK) {
        const char *oldest = cache_oldest_time(&meta, (1u << INV_TYPE_COUNT) - 1);
        time_t t = 0;
        sc->cache_time = oldest && snapshot_parse_time(oldest, &t) ? t : 0;
        sc->cached = true;
        if (!sc->account && meta.account)
            sc->account = xstrdup(meta.account);
    }
    snapshot_meta_finish(&meta);
    free(path);
    vpcx_error_finish(&err);
    return st == VPCX_OK;
}

/* The types of the last load that came back whole. */
static unsigned fetched_types(const struct scope *sc)
{
    unsigned mask = 0;
    for (int t = 0; sc->fetch && t < INV_TYPE_COUNT; t++)
        if (fetch_get_progress(sc->fetch, t)->state == FETCH_DONE)
            mask |= 1u << (unsigned)t;
    return mask;
}

static cJSON *load_errors(const struct scope *sc)
{
    cJSON *list = cJSON_CreateArray();
    for (int slot = 0; sc->fetch && slot < FETCH_SLOTS; slot++) {
        const struct fetch_progress *p = fetch_get_progress(sc->fetch, slot);
        if (p->state != FETCH_FAILED)
            continue;
        cJSON *item = cJSON_CreateObject();
        cJSON_AddStringToObject(item, "Type", fetch_slot_name(slot));
        if (p->operation)
            cJSON_AddStringToObject(item, "Operation", p->operation);
        cJSON_AddStringToObject(item, "Status", vpcx_status_name(p->error.status));
        if (p->error.aws_code)
            cJSON_AddStringToObject(item, "Code", p->error.aws_code);
        cJSON_AddStringToObject(item, "Message",
                                p->error.message ? p->error.message
                                                 : vpcx_status_message(p->error.status));
        cJSON_AddItemToArray(list, item);
    }
    return list;
}

struct write_job {
    const struct scope *sc;
    const char *dir;
    unsigned fetched;
};

/* In the child: a snapshot of the parent, so the scope is read as it was. */
static enum vpcx_status write_in_child(void *ud, struct vpcx_error *note)
{
    const struct write_job *j = ud;
    const struct scope *sc = j->sc;
    const struct aws_settings *s = &sc->session.settings;
    struct snapshot_meta m;
    memset(&m, 0, sizeof(m));
    m.format_version = SNAPSHOT_FORMAT_VERSION;
    m.generator = xstrdup("vpcx " VPCX_VERSION);
    m.account = sc->account ? xstrdup(sc->account) : NULL;
    m.arn = sc->arn ? xstrdup(sc->arn) : NULL;
    m.region = s->region.value ? xstrdup(s->region.value) : NULL;
    m.endpoint = s->ec2_endpoint.value ? xstrdup(s->ec2_endpoint.value) : NULL;
    m.profile = s->profile.value ? xstrdup(s->profile.value) : NULL;
    m.source = xstrdup("aws");
    m.fetched_at = snapshot_format_time(sc->started);
    for (int t = 0; t < INV_TYPE_COUNT; t++)
        if (j->fetched & (1u << (unsigned)t))
            m.fetched_at_by_type[t] = xstrdup(m.fetched_at);
    cJSON *errors = load_errors(sc);
    struct vpcx_error warning;
    vpcx_error_init(&warning);
    enum vpcx_status st =
        cache_update(j->dir, sc->inv, &m, errors, j->fetched, NULL, &warning, note);
    if (st == VPCX_OK && warning.status != VPCX_OK)
        vpcx_error_copy(note, &warning);
    vpcx_error_finish(&warning);
    cJSON_Delete(errors);
    snapshot_meta_finish(&m);
    return st;
}

struct bgjob *scope_cache_write(struct scope *sc, const char *dir, struct vpcx_error *err)
{
    if (!dir || !scope_cache_applies(sc) || sc->state != SCOPE_DONE || !sc->session_open)
        return NULL;
    struct write_job j = {.sc = sc, .dir = dir, .fetched = fetched_types(sc)};
    if (!j.fetched)
        return NULL;
    /* The child gets its own copy of j (fork), so j may go out of scope here. */
    return bgjob_start(write_in_child, &j, err);
}
