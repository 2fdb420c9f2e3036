/*
 * scopes: many accounts and regions at once. A scope is one profile in one
 * region: its own session (settings, credentials chain, client with its own
 * retry quota and adaptive limiter), its own inventory, fetch and errors. All
 * scopes share one HTTP engine, so they run on one blocking wait under the
 * engine's caps (in all and per host).
 *
 * scope_set_start() resolves a scope's settings and credentials (the same
 * chain as one account: an assume-role profile calls STS on the shared engine
 * then), asks STS who it is and starts every describe call. A scope whose
 * settings or credentials fail is FAILED at once with the reason in ->error;
 * the others go on. Everything else happens inside http_engine_step() of
 * scope_set_http(); on_event (may be NULL) tells the caller a scope changed.
 *
 * Ownership: the set owns its scopes, their sessions, inventories and fetches.
 * One thread.
 */
#ifndef VPCX_SYNC_SCOPES_H
#define VPCX_SYNC_SCOPES_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "vpcx/aws/session.h"
#include "vpcx/aws/sts.h"
#include "vpcx/core/status.h"
#include "vpcx/model/inventory.h"
#include "vpcx/sync/fetch.h"

enum scope_state {
    SCOPE_IDLE,    /* added, not started */
    SCOPE_LOADING, /* identity or describe calls in flight */
    SCOPE_DONE,    /* every call answered (some types may have failed) */
    SCOPE_FAILED,  /* settings or credentials failed: nothing was fetched */
};

struct scope {
    char *profile; /* NULL: the default chain (AWS_PROFILE, "default") */
    char *region;  /* NULL: the profile's region */
    char *label;   /* "profile region" for messages */
    /* --org-role: the role assumed with the profile's credentials, else NULL */
    char *role_arn;
    char *role_account; /* that role's account ID, for the label */
    enum scope_state state;
    struct vpcx_error error; /* SCOPE_FAILED: why */
    struct aws_session session;
    bool session_open;
    struct inventory *inv; /* owned, never NULL */
    struct fetch *fetch;   /* NULL until started */
    /* GetCallerIdentity */
    bool ident_done;
    char *account, *arn;
    struct vpcx_error ident_error;
    struct sts_identity_call ident_call;
    time_t started;        /* wall clock of the last start */
    struct scope_set *set; /* private: the set it belongs to */
    char *account_label;   /* private: scope_account_label() */
    time_t finished;       /* wall clock when it last became DONE */
    /* sync/scopecache.h: inv was loaded from the cache; its oldest type's time (0: unknown) */
    bool cached;
    time_t cache_time;
    bool cache_owed; /* became DONE since the caller last cleared it: a cache write is due */
    /* A scope read from an AWS Config aggregator (sync/aggregator.h): where its
     * inventory came from ("config-aggregator NAME"), else NULL. Starting it fetches
     * only what Config lacks (the VPC DNS attributes, AZs, endpoint services, prefix
     * lists, flow logs), and only when credentials reach its account. */
    char *source;
    bool no_credentials; /* source scope: no profile or --org-role reaches the account */
    bool gaps_asked;     /* source scope: the describe calls for the gaps were started */
};

struct scope_set;

typedef void (*scope_event_fn)(void *ud, struct scope *scope);

/*
 * base: the options every scope shares (endpoint URL, CA bundle, retries,
 * MFA prompt); its profile and region are replaced per scope. The engine is
 * created with max_total and max_per_host from base. NULL with err set when
 * the engine cannot be made.
 */
struct scope_set *scope_set_create(const struct aws_session_options *base, struct vpcx_error *err);
void scope_set_destroy(struct scope_set *set);
struct http_engine *scope_set_http(const struct scope_set *set);
/* The options the set was created with. */
const struct aws_session_options *scope_set_base(const struct scope_set *set);
/*
 * Checks names asked for at run time (:profile, :region) before a scope is made of
 * them; either may be NULL. VPCX_ERR_PROFILE_NOT_FOUND for a profile neither
 * AWS file has (the message lists those they have), VPCX_ERR_USAGE for a region
 * name no AWS partition has (botocore's partitions.json region patterns).
 */
enum vpcx_status scope_check_name(const struct aws_session_options *base, const char *profile,
                                  const char *region, struct vpcx_error *err);
void scope_set_on_event(struct scope_set *set, scope_event_fn fn, void *ud);
/* Cached data older than this many seconds is called stale (default 15 minutes). */
void scope_set_max_age(struct scope_set *set, long long seconds);

/* Adds profile x region (either may be NULL), or returns the one already there. */
struct scope *scope_set_add(struct scope_set *set, const char *profile, const char *region);
/* The same with the profile's credentials assuming role_arn (NULL: none); the label
   names account (the role's account ID) instead of the profile. */
struct scope *scope_set_add_role(struct scope_set *set, const char *profile, const char *region,
                                 const char *role_arn, const char *account);
/* A scope whose inventory the caller fills (source, account and region identify it):
   DONE at once, never described as a whole. role_arn and no_credentials as above. */
struct scope *scope_set_add_source(struct scope_set *set, const char *source, const char *account,
                                   const char *region, const char *profile, const char *role_arn,
                                   bool no_credentials);
size_t scope_set_count(const struct scope_set *set);
struct scope *scope_set_get(const struct scope_set *set, size_t i);
/* Drops a scope (its calls in flight are cancelled); false when it is not in the set.
 * Never from inside one of its callbacks. */
bool scope_set_remove(struct scope_set *set, struct scope *scope);

/* Starts (or restarts) a scope; see above. */
void scope_set_start(struct scope_set *set, struct scope *scope);
/* A source scope opened by the user: starts the describe calls for what its source
 * lacks, once (scope_set_start() asks again); no-op for other scopes. */
void scope_set_fill_gaps(struct scope_set *set, struct scope *scope);
/* Starts every scope not started yet. */
void scope_set_start_all(struct scope_set *set);
/* Resolves a scope's settings only (no credentials, no call): for the cache. */
enum vpcx_status scope_resolve(struct scope_set *set, struct scope *scope, struct vpcx_error *err);
/* True while any scope is loading. */
bool scope_set_running(const struct scope_set *set);
/* Runs the engine until no scope is loading. */
void scope_set_wait(struct scope_set *set);

/*
 * Rebuilds into (replacing every type) from the scopes' inventories, so one
 * view spans them all: filters, IP lookups, the matrix and the findings.
 * AWS IDs are unique across accounts and regions; an ID seen twice keeps the
 * later scope's item.
 */
void scope_set_merge(struct scope_set *set, struct inventory *into);
/* The scope whose inventory holds the VPC; NULL when none does. */
struct scope *scope_set_vpc_scope(const struct scope_set *set, const char *vpc_id);
/* The account a scope shows under: its account ID, or "profile NAME" before
 * (or without) one. Valid until the scope changes. */
const char *scope_account_label(struct scope *scope);
/* One line on the scope's state: "loading 4/10", "3m ago", or the error; a
 * scope shown from its cache (scope->cached) says so until a load replaced
 * every type: "cached 2h ago (stale), loading 4/10", or "offline, cached 5m
 * ago: <error>" when it could not be loaded. Stale past the set's max age.
 * Caller frees. now: the wall clock. */
char *scope_status_text(const struct scope *scope, time_t now);

/* Describe types of a scope that failed, and that succeeded, so far. */
void scope_count_types(const struct scope *scope, unsigned *failed, unsigned *done);

/* Shell-style match of name against pattern (fnmatch, no flags). */
bool scope_glob_match(const char *pattern, const char *name);
/* True when pattern holds a glob character (*, ?, [). */
bool scope_is_glob(const char *pattern);

#endif
