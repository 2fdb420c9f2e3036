/* scopes: many profiles and regions on one engine; see the header. */
#include "vpcx/sync/scopes.h"

#include "vpcx/aws/xmlworker.h"

#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

struct scope_set {
    struct aws_session_options base;
    struct http_engine *http;
    struct xmlworker *parse_worker; /* one thread for every scope's bodies */
    struct scope **items;
    size_t n;
    scope_event_fn on_event;
    void *event_ud;
    long long max_age;
};

struct scope_set *scope_set_create(const struct aws_session_options *base, struct vpcx_error *err)
{
    /* One engine for every profile: --ca-bundle, else AWS_CA_BUNDLE, as a single scope has. */
    const char *ca =
        base->aws.ca_bundle ? base->aws.ca_bundle : aws_env_get(base->env, "AWS_CA_BUNDLE");
    const struct http_options hopts = {
        .ca_bundle = ca,
        .allow_plain_http = base->allow_http,
        .max_per_host = base->max_per_host,
        .max_total = base->max_total,
    };
    struct http_engine *http = http_engine_create(&hopts, err);
    if (!http)
        return NULL;
    struct scope_set *set = xcalloc(1, sizeof(*set));
    set->base = *base;
    set->http = http;
    set->max_age = 15 * 60;
    set->parse_worker = xmlworker_create_auto(http);
    return set;
}

static void scope_close(struct scope *sc)
{
    sts_identity_cancel(&sc->ident_call);
    fetch_destroy(sc->fetch);
    sc->fetch = NULL;
    if (sc->session_open)
        aws_session_close(&sc->session);
    sc->session_open = false;
}

static void scope_free(struct scope *sc)
{
    scope_close(sc);
    inventory_destroy(sc->inv);
    free(sc->profile);
    free(sc->region);
    free(sc->label);
    free(sc->account);
    free(sc->arn);
    free(sc->role_arn);
    free(sc->role_account);
    free(sc->account_label);
    free(sc->source);
    vpcx_error_finish(&sc->error);
    vpcx_error_finish(&sc->ident_error);
    free(sc);
}

void scope_set_destroy(struct scope_set *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->n; i++)
        scope_free(set->items[i]);
    free(set->items);
    xmlworker_destroy(set->parse_worker);
    http_engine_destroy(set->http);
    free(set);
}

struct http_engine *scope_set_http(const struct scope_set *set)
{
    return set->http;
}

const struct aws_session_options *scope_set_base(const struct scope_set *set)
{
    return &set->base;
}

/* partitions.json's regionRegex of each partition (aws, cn, eusc, iso*, us-gov). */
enum vpcx_status scope_check_name(const struct aws_session_options *base, const char *profile,
                                  const char *region, struct vpcx_error *err)
{
    if (region && !aws_region_name_known(region))
        return vpcx_error_set(err, VPCX_ERR_USAGE,
                              "unknown region '%s': AWS region names look like eu-west-1", region);
    if (!profile)
        return VPCX_OK;
    struct aws_options ao = base->aws;
    ao.profile = profile;
    ao.region = "us-east-1"; /* only the profile's presence matters here */
    struct aws_settings s;
    struct vpcx_error e;
    vpcx_error_init(&e);
    enum vpcx_status st = aws_settings_resolve(&ao, base->env, &s, &e);
    aws_settings_finish(&s);
    if (st == VPCX_ERR_PROFILE_NOT_FOUND) /* other problems show on the scope's row */
        vpcx_error_copy(err, &e);
    vpcx_error_finish(&e);
    return st == VPCX_ERR_PROFILE_NOT_FOUND ? st : VPCX_OK;
}

void scope_set_max_age(struct scope_set *set, long long seconds)
{
    set->max_age = seconds;
}

void scope_set_on_event(struct scope_set *set, scope_event_fn fn, void *ud)
{
    set->on_event = fn;
    set->event_ud = ud;
}

static bool same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static char *make_label(const struct scope *sc)
{
    const char *who = sc->role_account ? sc->role_account : sc->profile ? sc->profile : "default";
    return xasprintf("%s %s", who, sc->region ? sc->region : "(region)");
}

static struct scope *scope_new(struct scope_set *set, const char *profile, const char *region,
                               const char *role_arn, const char *account);

struct scope *scope_set_add(struct scope_set *set, const char *profile, const char *region)
{
    return scope_set_add_role(set, profile, region, NULL, NULL);
}

struct scope *scope_set_add_role(struct scope_set *set, const char *profile, const char *region,
                                 const char *role_arn, const char *account)
{
    for (size_t i = 0; i < set->n; i++)
        if (same(set->items[i]->profile, profile) && same(set->items[i]->region, region) &&
            same(set->items[i]->role_arn, role_arn) && !set->items[i]->source)
            return set->items[i];
    return scope_new(set, profile, region, role_arn, account);
}

static struct scope *scope_new(struct scope_set *set, const char *profile, const char *region,
                               const char *role_arn, const char *account)
{
    struct scope *sc = xcalloc(1, sizeof(*sc));
    sc->profile = profile ? xstrdup(profile) : NULL;
    sc->region = region ? xstrdup(region) : NULL;
    sc->role_arn = role_arn ? xstrdup(role_arn) : NULL;
    sc->role_account = account ? xstrdup(account) : NULL;
    sc->label = make_label(sc);
    sc->inv = inventory_create();
    sc->set = set;
    vpcx_error_init(&sc->error);
    vpcx_error_init(&sc->ident_error);
    set->items = xrealloc(set->items, (set->n + 1) * sizeof(*set->items));
    set->items[set->n++] = sc;
    return sc;
}

struct scope *scope_set_add_source(struct scope_set *set, const char *source, const char *account,
                                   const char *region, const char *profile, const char *role_arn,
                                   bool no_credentials)
{
    for (size_t i = 0; i < set->n; i++) {
        const struct scope *o = set->items[i];
        if (same(o->source, source) && same(o->account, account) && same(o->region, region))
            return set->items[i];
    }
    struct scope *sc = scope_new(set, profile, region, role_arn, account);
    sc->source = xstrdup(source);
    sc->account = xstrdup(account);
    sc->no_credentials = no_credentials;
    sc->ident_done = true; /* the source named the account */
    sc->state = SCOPE_DONE;
    sc->started = sc->finished = time(NULL);
    return sc;
}

size_t scope_set_count(const struct scope_set *set)
{
    return set->n;
}

struct scope *scope_set_get(const struct scope_set *set, size_t i)
{
    return i < set->n ? set->items[i] : NULL;
}

bool scope_set_remove(struct scope_set *set, struct scope *scope)
{
    for (size_t i = 0; i < set->n; i++) {
        if (set->items[i] != scope)
            continue;
        memmove(set->items + i, set->items + i + 1, (set->n - i - 1) * sizeof(*set->items));
        set->n--;
        scope_free(scope);
        return true;
    }
    return false;
}

static void emit(struct scope *sc)
{
    if (sc->set->on_event)
        sc->set->on_event(sc->set->event_ud, sc);
}

/* LOADING becomes DONE when the identity and every describe call answered. */
static bool scope_check_done(struct scope *sc)
{
    if (sc->state != SCOPE_LOADING || !sc->ident_done || (sc->fetch && fetch_running(sc->fetch)))
        return false;
    sc->state = SCOPE_DONE;
    sc->finished = time(NULL);
    sc->cache_owed = true;
    return true;
}

static void on_fetch_event(void *ud, int slot, enum fetch_state state)
{
    (void)slot;
    (void)state;
    struct scope *sc = ud;
    scope_check_done(sc);
    emit(sc);
}

static void identity_done(void *ud, const struct sts_identity *id, const struct vpcx_error *err)
{
    struct scope *sc = ud;
    sc->ident_done = true;
    if (!id) {
        vpcx_error_copy(&sc->ident_error, err);
    } else {
        free(sc->account);
        free(sc->arn);
        sc->account = xstrdup(id->account);
        sc->arn = id->arn ? xstrdup(id->arn) : NULL;
    }
    scope_check_done(sc);
    emit(sc);
}

enum vpcx_status scope_resolve(struct scope_set *set, struct scope *sc, struct vpcx_error *err)
{
    if (sc->session_open)
        return VPCX_OK;
    struct aws_session_options so = set->base;
    so.aws.profile = sc->profile;
    so.aws.region = sc->region;
    so.aws.assume_role_arn = sc->role_arn;
    so.shared_http = set->http;
    so.shared_parse_worker = set->parse_worker;
    enum vpcx_status st = aws_session_resolve(&sc->session, &so, err);
    if (st != VPCX_OK) { /* a later start resolves again and reports it */
        aws_session_close(&sc->session);
        return st;
    }
    sc->session_open = true; /* closed by scope_close */
    if (st == VPCX_OK && !sc->region && sc->session.settings.region.value) {
        sc->region = xstrdup(sc->session.settings.region.value);
        free(sc->label);
        sc->label = make_label(sc);
    }
    return st;
}

static enum vpcx_status scope_connect(struct scope_set *set, struct scope *sc)
{
    if (sc->session.client)
        return VPCX_OK;
    vpcx_error_finish(&sc->error);
    vpcx_error_init(&sc->error);
    enum vpcx_status st = scope_resolve(set, sc, &sc->error);
    if (st == VPCX_OK) {
        struct aws_session_options so = set->base;
        so.aws.profile = sc->profile;
        so.aws.region = sc->region;
        so.aws.assume_role_arn = sc->role_arn;
        so.shared_http = set->http;
        so.shared_parse_worker = set->parse_worker;
        st = aws_session_connect(&sc->session, &so, &sc->error);
    }
    if (st != VPCX_OK) {
        if (sc->error.status == VPCX_OK)
            vpcx_error_set(&sc->error, st, "%s", vpcx_status_message(st));
        scope_close(sc);
    }
    return st;
}

static void start_identity(struct scope *sc)
{
    sc->ident_done = false;
    vpcx_error_finish(&sc->ident_error);
    vpcx_error_init(&sc->ident_error);
    sts_identity_start(&sc->ident_call, sc->session.client, identity_done, sc);
}

/* The types no aggregator source gives: described for an opened scope. */
static const enum inv_type gap_types[] = {INV_AZ, INV_SERVICE, INV_PREFIX_LIST, INV_FLOW_LOG};

static void start_gaps(struct scope_set *set, struct scope *sc)
{
    sc->gaps_asked = true;
    if (sc->no_credentials || sc->state == SCOPE_LOADING)
        return;
    if (scope_connect(set, sc) != VPCX_OK) { /* the Config data stays; the row says why */
        emit(sc);
        return;
    }
    if (!sc->fetch) {
        const struct fetch_options fo = {.on_event = on_fetch_event, .ud = sc};
        sc->fetch = fetch_create(sc->session.client, sc->inv, &fo);
    }
    sc->started = time(NULL);
    fetch_start_vpc_attributes(sc->fetch);
    for (size_t i = 0; i < sizeof(gap_types) / sizeof(gap_types[0]); i++)
        fetch_start_type(sc->fetch, gap_types[i]);
    /* LOADING only now: a start's RUNNING event comes before its request is in flight. */
    sc->state = SCOPE_LOADING;
    emit(sc);
}

void scope_set_fill_gaps(struct scope_set *set, struct scope *sc)
{
    if (sc->source && !sc->gaps_asked)
        start_gaps(set, sc);
}

void scope_set_start(struct scope_set *set, struct scope *sc)
{
    if (sc->state == SCOPE_LOADING)
        return;
    if (sc->source) {
        start_gaps(set, sc);
        return;
    }
    sc->started = time(NULL);
    if (scope_connect(set, sc) != VPCX_OK) {
        sc->state = SCOPE_FAILED;
        emit(sc);
        return;
    }
    if (!sc->fetch) {
        const struct fetch_options fo = {.on_event = on_fetch_event, .ud = sc};
        sc->fetch = fetch_create(sc->session.client, sc->inv, &fo);
    }
    sc->state = SCOPE_LOADING;
    start_identity(sc);
    fetch_start_all(sc->fetch);
    emit(sc);
}

void scope_set_start_all(struct scope_set *set)
{
    for (size_t i = 0; i < set->n; i++)
        if (set->items[i]->state == SCOPE_IDLE)
            scope_set_start(set, set->items[i]);
}

bool scope_set_running(const struct scope_set *set)
{
    bool running = false;
    for (size_t i = 0; i < set->n; i++) {
        struct scope *sc = set->items[i];
        if (scope_check_done(sc))
            emit(sc);
        running = running || sc->state == SCOPE_LOADING;
    }
    return running;
}

void scope_set_wait(struct scope_set *set)
{
    while (scope_set_running(set)) {
        bool ready;
        if (http_engine_step(set->http, -1, 60000, &ready) != VPCX_OK)
            break;
    }
}

void scope_count_types(const struct scope *sc, unsigned *failed, unsigned *done)
{
    *failed = 0;
    *done = 0;
    if (!sc->fetch)
        return;
    for (int slot = 0; slot < FETCH_SLOTS; slot++) {
        const struct fetch_progress *p = fetch_get_progress(sc->fetch, slot);
        if (p->state == FETCH_FAILED)
            (*failed)++;
        else if (p->state == FETCH_DONE && slot != FETCH_VPC_ATTRIBUTES)
            (*done)++;
    }
}

bool scope_glob_match(const char *pattern, const char *name)
{
    return fnmatch(pattern, name, 0) == 0;
}

bool scope_is_glob(const char *pattern)
{
    return strpbrk(pattern, "*?[") != NULL;
}

static void copy_vpc_attributes(struct inventory *into, const struct inv_resource *r)
{
    if (r->vpc.dns_support != INV_UNKNOWN)
        inventory_set_vpc_attribute(into, r->id, "enableDnsSupport", r->vpc.dns_support == INV_YES);
    if (r->vpc.dns_hostnames != INV_UNKNOWN)
        inventory_set_vpc_attribute(into, r->id, "enableDnsHostnames",
                                    r->vpc.dns_hostnames == INV_YES);
}

void scope_set_merge(struct scope_set *set, struct inventory *into)
{
    for (int t = 0; t < INV_TYPE_COUNT; t++) {
        enum inv_type type = (enum inv_type)t;
        bool loaded = false;
        for (size_t k = 0; k < set->n; k++)
            loaded = loaded || inventory_type_loaded(set->items[k]->inv, type);
        if (!loaded) /* a type no scope has yet stays unloaded: checks on it stay silent */
            continue;
        inventory_begin(into, type);
        for (size_t k = 0; k < set->n; k++) {
            const struct inventory *inv = set->items[k]->inv;
            for (size_t i = 0; i < inventory_count(inv, type); i++)
                inventory_put(into, type, inventory_item(inv, inventory_at(inv, type, i)));
        }
        inventory_end(into, type);
    }
    for (size_t k = 0; k < set->n; k++) {
        const struct inventory *inv = set->items[k]->inv;
        for (size_t i = 0; i < inventory_count(inv, INV_VPC); i++)
            copy_vpc_attributes(into, inventory_at(inv, INV_VPC, i));
    }
}

struct scope *scope_set_vpc_scope(const struct scope_set *set, const char *vpc_id)
{
    /* The later scope wins, as in the merge. */
    for (size_t k = set->n; k-- > 0;)
        if (inventory_find(set->items[k]->inv, INV_VPC, vpc_id))
            return set->items[k];
    return NULL;
}

const char *scope_account_label(struct scope *sc)
{
    char *want = sc->account ? xstrdup(sc->account)
                 : sc->role_account
                     ? xstrdup(sc->role_account)
                     : xasprintf("profile %s", sc->profile ? sc->profile : "default");
    if (sc->account_label && strcmp(sc->account_label, want) == 0) {
        free(want);
    } else {
        free(sc->account_label);
        sc->account_label = want;
    }
    return sc->account_label;
}

static void add_age(struct strbuf *sb, time_t then, time_t now)
{
    long long s = now > then ? (long long)(now - then) : 0;
    if (s < 60)
        strbuf_addf(sb, "%llds ago", s);
    else if (s < 3600)
        strbuf_addf(sb, "%lldm ago", s / 60);
    else if (s < 86400)
        strbuf_addf(sb, "%lldh ago", s / 3600);
    else
        strbuf_addf(sb, "%lldd ago", s / 86400);
}

/* The first failed type's error, for the row of a scope that loaded with failures. */
static const struct vpcx_error *first_failure(const struct scope *sc, const char **type,
                                              unsigned *failed)
{
    const struct vpcx_error *e = NULL;
    *failed = 0;
    for (int slot = 0; sc->fetch && slot < FETCH_SLOTS; slot++) {
        const struct fetch_progress *p = fetch_get_progress(sc->fetch, slot);
        if (p->state != FETCH_FAILED)
            continue;
        (*failed)++;
        if (!e) {
            e = &p->error;
            *type = fetch_slot_name(slot);
        }
    }
    return e;
}

static void add_error(struct strbuf *sb, const struct vpcx_error *e)
{
    if (e->aws_code)
        strbuf_addf(sb, "%s: ", e->aws_code);
    strbuf_addstr(sb, e->message ? e->message : vpcx_status_message(e->status));
}

/* "cached 5m ago" (+ " (stale)"), for a scope shown from its cache. */
static void add_cached(struct strbuf *sb, const struct scope *sc, time_t now)
{
    if (!sc->cache_time) {
        strbuf_addstr(sb, "cached");
        return;
    }
    strbuf_addstr(sb, "cached ");
    add_age(sb, sc->cache_time, now);
    if (now - sc->cache_time > sc->set->max_age)
        strbuf_addstr(sb, " (stale)");
}

/* A source scope: its age, that it is Config's, and the state of the gap describes. */
static char *source_status_text(const struct scope *sc, time_t now)
{
    struct strbuf sb;
    strbuf_init(&sb, 64);
    if (sc->state == SCOPE_LOADING) {
        strbuf_addstr(&sb, "from Config; describing what it lacks");
        return strbuf_detach(&sb, NULL);
    }
    add_age(&sb, sc->finished, now);
    strbuf_addstr(&sb, ", from Config");
    const char *type = NULL;
    unsigned failed = 0;
    const struct vpcx_error *e =
        sc->error.status != VPCX_OK ? &sc->error : first_failure(sc, &type, &failed);
    if (sc->no_credentials) {
        strbuf_addstr(&sb, "; no credentials reach it");
    } else if (e) {
        strbuf_addstr(&sb, "; describe: ");
        add_error(&sb, e);
    }
    return strbuf_detach(&sb, NULL);
}

char *scope_status_text(const struct scope *sc, time_t now)
{
    if (sc->source)
        return source_status_text(sc, now);
    struct strbuf sb;
    strbuf_init(&sb, 64);
    unsigned failed = 0, done = 0;
    scope_count_types(sc, &failed, &done);
    const char *type = NULL;
    /* Data of the cache still shows: every type that failed (or has not landed) keeps it.
     * Nothing loaded (credentials, or every call failed): offline on the cache. */
    bool offline = sc->state == SCOPE_FAILED || (sc->state == SCOPE_DONE && failed && !done);
    if (sc->cached && (offline || sc->state == SCOPE_LOADING)) {
        strbuf_addstr(&sb, offline ? "offline, " : "");
        add_cached(&sb, sc, now);
        strbuf_addstr(&sb, offline ? ": " : ", ");
    }
    switch (sc->state) {
    case SCOPE_IDLE:
        strbuf_addstr(&sb, "not loaded");
        break;
    case SCOPE_LOADING:
        strbuf_addf(&sb, "loading %u/%d", done + failed, INV_TYPE_COUNT);
        break;
    case SCOPE_FAILED:
        add_error(&sb, &sc->error);
        break;
    case SCOPE_DONE: {
        const struct vpcx_error *e = first_failure(sc, &type, &failed);
        if (e && done == 0) {
            add_error(&sb, e);
            break;
        }
        add_age(&sb, sc->finished, now);
        if (e) {
            strbuf_addf(&sb, "; %u type%s failed, %s: ", failed, failed == 1 ? "" : "s", type);
            add_error(&sb, e);
            if (sc->cached) { /* those types show what the cache had */
                strbuf_addstr(&sb, "; kept ");
                add_cached(&sb, sc, now);
            }
        }
        break;
    }
    }
    return strbuf_detach(&sb, NULL);
}
