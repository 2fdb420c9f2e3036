/*
 * appscopes: the explorer over many accounts and regions (app_options.scopes).
 * The scopes load on one engine; each time one changes, their inventories are
 * merged into the app's one inventory, so the filter, :ip, the matrix and the
 * findings span them all, and the tree's top levels become account > region >
 * VPC with each scope's progress, age or error on its region row. :profile and
 * :region switch or add scopes while the explorer runs; started on one scope
 * (opts.scope_base), the first such command turns the explorer into a scope
 * set of its own: a switch shows the one new scope as a single scope shows
 * (no account and region levels), an add shows account > region > VPC.
 * Read-only: the endpoint forms need the one client of a single scope.
 */
#include "app_internal.h"

#include "vpcx/core/bgjob.h"
#include "vpcx/core/xalloc.h"
#include "vpcx/sync/mutate.h"
#include "vpcx/sync/scopecache.h"
#include "vpcx/sync/scopes.h"

#include <stdlib.h>
#include <string.h>

static size_t g_count(void *ud)
{
    return scope_set_count(ud);
}

static const char *g_account(void *ud, size_t i)
{
    return scope_account_label(scope_set_get(ud, i));
}

static const char *g_region(void *ud, size_t i)
{
    const struct scope *sc = scope_set_get(ud, i);
    return sc->region ? sc->region : "(no region)";
}

static size_t g_scope_of_vpc(void *ud, const char *vpc_id)
{
    const struct scope *sc = scope_set_vpc_scope(ud, vpc_id);
    for (size_t i = 0; sc && i < scope_set_count(ud); i++)
        if (scope_set_get(ud, i) == sc)
            return i;
    return (size_t)-1;
}

const struct tree_groups *app_tree_groups(struct app *a)
{
    if (!a->opts.scopes || a->scopes_flat)
        return NULL;
    a->groups = (struct tree_groups){
        .count = g_count,
        .account = g_account,
        .region = g_region,
        .scope_of_vpc = g_scope_of_vpc,
        .ud = a->opts.scopes,
    };
    return &a->groups;
}

char *app_scope_row(struct app *a, size_t i, enum theme_role *role)
{
    struct scope *sc = a->opts.scopes ? scope_set_get(a->opts.scopes, i) : NULL;
    if (!sc) {
        *role = ROLE_DIM;
        return xstrdup("");
    }
    unsigned failed, done;
    scope_count_types(sc, &failed, &done);
    *role = sc->state == SCOPE_FAILED || (sc->state == SCOPE_DONE && failed) ? ROLE_ERROR
            : sc->state == SCOPE_LOADING                                     ? ROLE_STATUS
                                                                             : ROLE_DIM;
    return scope_status_text(sc, time(NULL));
}

static void on_scope_event(void *ud, struct scope *sc)
{
    (void)sc;
    struct app *a = ud;
    a->scopes_dirty = true;
    a->dirty = true;
}

/* The tree's account > region levels follow the set: on from an add, off for a switch. */
static void sync_groups(struct app *a)
{
    const struct tree_groups *g = app_tree_groups(a);
    struct tree *t = a->tree ? treeview_tree(a->tree) : NULL;
    if (!t || (g != NULL) == tree_grouped(t))
        return;
    tree_set_groups(t, g);
}

/* A single scope switched to: the header names its account, region and profile. */
static void set_flat_title(struct app *a, struct scope *sc)
{
    const char *acct = sc->account ? sc->account : sc->role_account ? sc->role_account : "?";
    free(a->scope);
    a->scope = xasprintf("account %s  region %s", acct, sc->region ? sc->region : "?");
    /* Copies: the scope may be removed by the next :region while they are still read. */
    free(a->flat_region);
    free(a->flat_profile);
    a->flat_region = sc->region ? xstrdup(sc->region) : NULL;
    a->flat_profile = sc->profile ? xstrdup(sc->profile) : NULL;
    a->opts.region = a->flat_region;
    a->opts.profile = a->flat_profile;
}

static void set_title(struct app *a)
{
    struct scope_set *set = a->opts.scopes;
    if (a->scopes_flat && scope_set_count(set) != 1)
        a->scopes_flat = false;
    sync_groups(a);
    if (a->scopes_flat) {
        set_flat_title(a, scope_set_get(set, 0));
        return;
    }
    if (a->flat_region || a->flat_profile) { /* an add after a switch: no one region now */
        a->opts.region = a->opts.profile = NULL;
        free(a->flat_region);
        free(a->flat_profile);
        a->flat_region = a->flat_profile = NULL;
    }
    size_t n = scope_set_count(set), loaded = 0;
    for (size_t i = 0; i < n; i++)
        loaded += scope_set_get(set, i)->state == SCOPE_DONE;
    free(a->scope);
    a->scope = xasprintf("%zu account-region%s %s %zu loaded", n, n == 1 ? "" : "s", a->glyphs->dot,
                         loaded);
}

/* Scopes not started yet show their cache (if any) before their first load. */
static void read_caches(struct app *a)
{
    struct scope_set *set = a->opts.scopes;
    for (size_t i = 0; i < scope_set_count(set); i++)
        scope_cache_read(set, scope_set_get(set, i), a->opts.scope_cache_dir);
}

/* Each scope that finished a load writes its cache in a child; finished writes are
 * reaped here, a failure goes to the status line. */
static void write_caches(struct app *a)
{
    for (size_t i = 0; i < a->n_scope_jobs;) {
        enum vpcx_status st;
        struct vpcx_error note;
        vpcx_error_init(&note);
        if (!bgjob_collect(a->scope_jobs[i], false, &st, &note)) {
            vpcx_error_finish(&note);
            i++;
            continue;
        }
        if (note.status != VPCX_OK) {
            char *line = vpcx_error_format(&note);
            app_message(a, ROLE_WARN, "cache: %s", line);
            free(line);
        }
        vpcx_error_finish(&note);
        bgjob_destroy(a->scope_jobs[i]);
        a->scope_jobs[i] = a->scope_jobs[--a->n_scope_jobs];
    }
    struct scope_set *set = a->opts.scopes;
    for (size_t i = 0; i < scope_set_count(set); i++) {
        struct scope *sc = scope_set_get(set, i);
        if (!sc->cache_owed)
            continue;
        sc->cache_owed = false;
        struct vpcx_error err;
        vpcx_error_init(&err);
        struct bgjob *job = scope_cache_write(sc, a->opts.scope_cache_dir, &err);
        if (job) {
            a->scope_jobs =
                xreallocarray(a->scope_jobs, a->n_scope_jobs + 1, sizeof(*a->scope_jobs));
            a->scope_jobs[a->n_scope_jobs++] = job;
        } else if (err.status != VPCX_OK) {
            char *line = vpcx_error_format(&err);
            app_message(a, ROLE_WARN, "cache not updated: %s", line);
            free(line);
        }
        vpcx_error_finish(&err);
    }
}

void app_scopes_finish(struct app *a)
{
    for (size_t i = 0; i < a->n_scope_jobs; i++)
        bgjob_destroy(a->scope_jobs[i]); /* waits: a write is not cut short */
    free(a->scope_jobs);
    a->scope_jobs = NULL;
    a->n_scope_jobs = 0;
    scope_set_destroy(a->own_scopes);
    a->own_scopes = NULL;
}

void app_scopes_init(struct app *a)
{
    if (!a->opts.scopes)
        return;
    scope_set_max_age(a->opts.scopes, a->max_age);
    read_caches(a);
    scope_set_on_event(a->opts.scopes, on_scope_event, a);
    set_title(a);
    scope_set_start_all(a->opts.scopes);
    a->scopes_dirty = true;
}

bool app_scopes_sync(struct app *a)
{
    if (!a->opts.scopes)
        return false;
    bool running = scope_set_running(a->opts.scopes); /* notes scopes that just finished */
    (void)running;
    write_caches(a);
    if (!a->scopes_dirty)
        return false;
    a->scopes_dirty = false;
    scope_set_merge(a->opts.scopes, a->inv);
    set_title(a);
    a->dirty = true;
    return true;
}

bool app_scopes_busy(struct app *a)
{
    return a->opts.scopes &&
           (scope_set_running(a->opts.scopes) || !http_engine_idle(scope_set_http(a->opts.scopes)));
}

struct http_engine *app_scopes_http(struct app *a)
{
    return a->opts.scopes ? scope_set_http(a->opts.scopes) : NULL;
}

void app_scopes_refresh(struct app *a)
{
    struct scope_set *set = a->opts.scopes;
    for (size_t i = 0; i < scope_set_count(set); i++)
        scope_set_start(set, scope_set_get(set, i));
    app_message(a, ROLE_STATUS, "refreshing %zu account-regions", scope_set_count(set));
}

/* "loading 3/5 account-regions" or "5 account-regions loaded, 1 failed: eu-west-1 ...". */
void app_scopes_status(struct app *a, struct ui_line *l)
{
    struct scope_set *set = a->opts.scopes;
    if (a->scopes_flat && scope_set_count(set) == 1) {
        enum theme_role role;
        char *text = app_scope_row(a, 0, &role);
        line_addf(l, role == ROLE_DIM ? ROLE_STATUS : role, " %s", text);
        free(text);
        return;
    }
    size_t n = scope_set_count(set), loading = 0, failed = 0;
    const struct scope *first_bad = NULL;
    for (size_t i = 0; i < n; i++) {
        const struct scope *sc = scope_set_get(set, i);
        unsigned f, d;
        scope_count_types(sc, &f, &d);
        loading += sc->state == SCOPE_LOADING;
        if (sc->state == SCOPE_FAILED || (sc->state == SCOPE_DONE && f)) {
            failed++;
            first_bad = first_bad ? first_bad : sc;
        }
    }
    if (loading)
        line_addf(l, ROLE_STATUS, " loading %zu/%zu account-regions", n - loading, n);
    else
        line_addf(l, ROLE_STATUS, " %zu account-region%s loaded", n, n == 1 ? "" : "s");
    if (failed)
        line_addf(l, ROLE_ERROR, "; %zu with errors (first: %s)", failed, first_bad->label);
}

/* The distinct profiles (or regions) of the scopes, in order (NULL: the default);
 * borrowed; *n set. */
static const char **distinct(struct scope_set *set, bool regions, size_t *n)
{
    size_t count = scope_set_count(set), k = 0;
    const char **v = xcalloc(count + 1, sizeof(*v));
    for (size_t i = 0; i < count; i++) {
        const struct scope *sc = scope_set_get(set, i);
        const char *s = regions ? sc->region : sc->profile;
        bool seen = false;
        for (size_t j = 0; j < k; j++)
            seen = seen || (s && v[j] && strcmp(s, v[j]) == 0) || (!s && !v[j]);
        if (!seen)
            v[k++] = s;
    }
    *n = k;
    return v;
}

/* Started on one scope: the first :region or :profile makes a scope set of its own,
 * holding the one scope asked for (a switch) or the one shown and the new one (an add).
 * The single scope's fetch, cache writes and forms stop; its scopes go on read-only. */
static bool scopes_from_single(struct app *a, bool region, bool add, const char *name)
{
    const struct aws_session_options *base = a->opts.scope_base;
    struct vpcx_error err;
    vpcx_error_init(&err);
    struct scope_set *set = scope_set_create(base, &err);
    if (!set) {
        char *line = vpcx_error_format(&err);
        app_message(a, ROLE_ERROR, "%s", line);
        free(line);
        vpcx_error_finish(&err);
        return false;
    }
    /* The shown scope as vpcx was started: the profile given (else the default chain,
     * environment keys included) in the region shown. */
    const char *profile = base->aws.profile;
    if (add)
        scope_set_add(set, profile, a->opts.region);
    /* Switching profile keeps a region given on the command line, else takes the
     * profile's own, as `vpcx --profile NAME` would. */
    if (region)
        scope_set_add(set, profile, name);
    else
        scope_set_add(set, name, add ? a->opts.region : base->aws.region);
    bool writes = mutate_gate_mode(a->gate) == MUTATE_LIVE;
    while (a->n_stack) /* views over the panes (a form) may hold the old scope's gate */
        app_pop_view(a);
    app_single_stop(a);
    a->own_scopes = set;
    a->opts.scopes = set;
    a->scopes_flat = !add;
    a->opts.account = NULL;
    a->opts.region = NULL;
    a->opts.profile = NULL;
    app_scopes_init(a);
    if (writes)
        app_message(a, ROLE_WARN,
                    "writes need the account and region vpcx started with: "
                    "read-only now");
    return true;
}

/* :region NAME (switch), :region +NAME (add); :profile likewise. */
void app_scopes_command(struct app *a, const char *word, const char *arg)
{
    struct scope_set *set = a->opts.scopes;
    bool region = strcmp(word, "region") == 0;
    if (!set && !a->opts.scope_base) {
        if (a->opts.offline)
            app_message(a, ROLE_WARN,
                        "offline: the cache of one account and region is shown; "
                        "start vpcx online to switch %s",
                        region ? "regions" : "profiles");
        else
            app_message(a, ROLE_WARN, "%s: a saved inventory has no other %s",
                        a->opts.source ? a->opts.source : "this", region ? "regions" : "profiles");
        return;
    }
    const struct scope *first = set ? scope_set_get(set, 0) : NULL;
    if (first && first->source) { /* the aggregator decides the accounts and regions */
        app_message(a, ROLE_WARN, ":%s: the accounts and regions are those of %s", word,
                    first->source);
        return;
    }
    if (!arg || !*arg || (arg[0] == '+' && !arg[1])) {
        app_message(a, ROLE_WARN, "usage: :%s NAME (switch) or :%s +NAME (add)", word, word);
        return;
    }
    bool add = arg[0] == '+';
    const char *name = add ? arg + 1 : arg;
    struct vpcx_error err;
    vpcx_error_init(&err);
    const struct aws_session_options *base = set ? scope_set_base(set) : a->opts.scope_base;
    if (scope_check_name(base, region ? NULL : name, region ? name : NULL, &err) != VPCX_OK) {
        char *line = vpcx_error_format(&err);
        app_message(a, ROLE_ERROR, "%s", line);
        free(line);
        vpcx_error_finish(&err);
        return;
    }
    vpcx_error_finish(&err);
    if (!set) {
        if (scopes_from_single(a, region, add, name))
            app_message(a, ROLE_OK, "%s %s %s", add ? "added" : "switched to",
                        region ? "region" : "profile", name);
        return;
    }
    /* The other dimension stays: every account (profile, or --org-role account) in the new
     * region, or every region for the new profile. */
    size_t n_others = 0;
    const char **others = region ? NULL : distinct(set, true, &n_others);
    size_t before = scope_set_count(set);
    struct scope **keep = xcalloc(before + 1, sizeof(*keep));
    for (size_t i = 0; i < before; i++)
        keep[i] = scope_set_get(set, i);
    size_t wanted = region ? before : n_others;
    for (size_t i = 0; i < wanted || (i == 0 && wanted == 0); i++) {
        struct scope *sc;
        if (region && before) {
            const struct scope *was = scope_set_get(set, i); /* new ones go after */
            sc = scope_set_add_role(set, was->profile, name, was->role_arn, was->role_account);
        } else {
            sc = region ? scope_set_add(set, NULL, name)
                        : scope_set_add(set, name, n_others ? others[i] : NULL);
        }
        if (sc->state == SCOPE_IDLE) {
            scope_cache_read(set, sc, a->opts.scope_cache_dir);
            scope_set_start(set, sc);
        }
        for (size_t k = 0; k < before; k++)
            if (keep[k] == sc)
                keep[k] = NULL; /* asked for again: stays */
    }
    if (!add)
        for (size_t k = 0; k < before; k++)
            if (keep[k])
                scope_set_remove(set, keep[k]);
    free(keep);
    free(others);
    a->scopes_dirty = true;
    app_message(a, ROLE_OK, "%s %s: %zu account-region%s", add ? "added" : "switched to", name,
                scope_set_count(set), scope_set_count(set) == 1 ? "" : "s");
}

/* The scope of a resource's VPC (NULL: none, or a single scope). */
static struct scope *scope_of_resource(struct app *a, enum inv_type type, const char *id)
{
    if (!a || !a->opts.scopes || !id)
        return NULL;
    const struct inv_resource *r = inventory_find(a->inv, type, id);
    const char *vpc = type == INV_VPC ? id : r ? r->vpc_id : NULL;
    return vpc ? scope_set_vpc_scope(a->opts.scopes, vpc) : NULL;
}

void app_scopes_opened(struct app *a, enum inv_type type, const char *id)
{
    struct scope *sc = scope_of_resource(a, type, id);
    if (!sc || !sc->source || sc->gaps_asked)
        return;
    scope_set_fill_gaps(a->opts.scopes, sc);
    a->scopes_dirty = true;
    a->dirty = true;
}

const char *app_scopes_unknown_note(struct app *a, const char *vpc_id)
{
    const struct scope *sc = scope_of_resource(a, INV_VPC, vpc_id);
    if (!sc || !sc->source)
        return NULL;
    /* Described but not merged yet: the next merge shows it. */
    const struct inv_resource *own = inventory_find(sc->inv, INV_VPC, vpc_id);
    bool pending =
        own && (own->vpc.dns_support != INV_UNKNOWN || own->vpc.dns_hostnames != INV_UNKNOWN);
    return sc->state == SCOPE_LOADING || pending ? "loading" : "not from Config";
}
