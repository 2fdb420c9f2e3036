/*
 * client: signed AWS Query calls (EC2, STS and CloudWatch) with retries, on the shared
 * HTTP engine.
 *
 * A call encodes its parameters once, then for each attempt signs the body
 * with the current credentials (SigV4, the time read at that moment), streams
 * the response body into an XML parser as it arrives, and classifies the
 * outcome. Retries follow the AWS "standard" mode: full-jitter backoff on a
 * timer of the engine (never a sleep), a shared retry quota, throttle and
 * transient errors retried, expired credentials reloaded once (see below). Items of the
 * streamed top-level list go to the caller's on_item one by one as each is
 * parsed, so a page is never held whole; an attempt that fails half-way may
 * have delivered some of its items, and a retry delivers them again (callers
 * key items by ID). Without on_item they are collected per attempt and handed
 * over only when the attempt succeeds.
 *
 * Caps (aws/limits.h): a body over AWS_MAX_BODY_BYTES once decoded, a page
 * over AWS_MAX_PAGE_ITEMS items or an item over AWS_MAX_ITEM_BYTES ends the
 * transfer at once and fails the call with VPCX_ERR_TOO_LARGE, "<Operation>:
 * <which cap>"; it is not retried.
 *
 * Expired credentials: a call answered RequestExpired, ExpiredToken or
 * ExpiredTokenException parks, and the first one asks the reloader for new
 * credentials; calls that expire meanwhile, and calls started meanwhile, park
 * on the same reload. The reload runs off the loop (the reloader answers
 * later with aws_client_reloaded()); then every parked call is re-signed and
 * sent again, or, if the reload failed, fails with the reload's error. A call
 * signed with credentials older than the current ones is re-signed without a
 * new reload.
 *
 * Ahead of expiry (botocore's RefreshableCredentials): a call started within
 * AWS_REFRESH_ADVISORY_S of the credentials' expiration starts a reload and
 * goes on with the current keys (a failed reload keeps them and is tried
 * again a minute later); a call started within AWS_REFRESH_MANDATORY_S parks
 * on the reload like an expired one.
 *
 * Everything the caller sees runs on its thread, inside http_engine_step(); with a
 * parse worker only the parse itself runs on the worker's thread, and a body
 * arrives no faster than the worker parses it (the transfer is held meanwhile).
 */
#ifndef VPCX_AWS_CLIENT_H
#define VPCX_AWS_CLIENT_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "vpcx/aws/credentials.h"
#include "vpcx/aws/http.h"
#include "vpcx/aws/query.h"
#include "vpcx/aws/retry.h"
#include "vpcx/aws/xmlworker.h"
#include "vpcx/core/status.h"

enum aws_service {
    AWS_SERVICE_EC2,
    AWS_SERVICE_STS,
    AWS_SERVICE_MONITORING, /* CloudWatch: signed as "monitoring", Query API 2010-08-01 */
    AWS_SERVICE_COUNT,
};

struct aws_client;

/*
 * Reloads the client's credentials without blocking: start returns at once
 * and the result arrives through aws_client_reloaded(client, ...) from a
 * later engine step (answering from inside start is allowed too). At most
 * one reload per client runs at a time. cancel (may be NULL) abandons a
 * started reload that has not answered: the client is being destroyed.
 */
struct aws_reloader {
    void (*start)(void *ud, struct aws_client *client);
    void (*cancel)(void *ud);
    void *ud;
};

struct aws_client_config {
    const char *region;
    const char *ec2_endpoint; /* base URL, e.g. https://ec2.us-east-1.amazonaws.com */
    const char *sts_endpoint;
    const char *monitoring_endpoint;           /* CloudWatch; NULL: its calls fail with a bad URL */
    int max_attempts;                          /* attempts per call, retries included; 0 = 3 */
    const struct aws_credentials *credentials; /* copied */
    struct aws_reloader reloader;              /* start NULL: no reload */
    /* adaptive: every attempt waits for the client's rate limiter
     * (aws/ratelimit.h) once AWS has throttled one of its calls. */
    enum retry_mode retry_mode;
    /* Monotonic seconds for the limiter; NULL = CLOCK_MONOTONIC. */
    double (*now)(void *ud);
    void *now_ud;
    /* Random source for backoff jitter in [0,1); NULL = retry_random01(). */
    double (*random01)(void *ud);
    void *random_ud;
    /* Parses response bodies off the engine's thread (aws/xmlworker.h); shared,
     * never destroyed by the client. NULL: parsed inline as they arrive. */
    struct xmlworker *parse_worker;
};

struct aws_client *aws_client_create(struct http_engine *http, const struct aws_client_config *cfg);
void aws_client_destroy(struct aws_client *client);
struct http_engine *aws_client_http(const struct aws_client *client);
const char *aws_client_region(const struct aws_client *client);
/* When the credentials in use expire; 0 = no expiry. */
time_t aws_client_expiration(const struct aws_client *client);
const char *aws_client_endpoint(const struct aws_client *client, enum aws_service service);

/* What a finished call hands to its callback. */
struct aws_call_result {
    enum vpcx_status status;        /* VPCX_OK or the final error */
    const struct vpcx_error *error; /* details when status != VPCX_OK */
    cJSON *result;                  /* top-level output object; callee may detach from it */
    cJSON *items; /* array of the streamed list's items (NULL with on_item); callee may detach */
    unsigned items_seen; /* items of the streamed list in the successful attempt */
    int attempts;        /* attempts made, 1 when no retry */
    int http_status;
};

typedef void (*aws_call_done_fn)(void *ud, struct aws_call_result *res);
/* One item of the streamed list, as soon as it is parsed; the callee owns it. */
typedef void (*aws_call_item_fn)(void *ud, cJSON *item);

struct aws_call_params {
    enum aws_service service;
    const char *operation;   /* "DescribeSubnets" */
    struct aws_query *query; /* encoded at submit; the caller keeps ownership */
    const char *item_list;   /* JSON key of the list to stream out, or NULL */
    /* With item_list: receives each item as it is parsed (from inside the
       engine's step, like done; it must not submit or cancel calls). */
    aws_call_item_fn on_item;
    aws_call_done_fn done; /* called exactly once */
    void *ud;
    /* A repeat could apply the change twice: retry only answers that prove the
       request was not processed (throttling, expired credentials), never a lost
       connection, a timeout or a 5xx. */
    bool not_idempotent;
    /* Sent without a signature and never parked on a reload: STS
       AssumeRoleWithWebIdentity, whose proof is the token in the body. */
    bool unsigned_call;
};

/*
 * Starts a call; done runs from a later http_engine_step(), never from inside
 * this function, whatever fails (a bad URL, no output shape for the operation,
 * credentials that cannot sign). Returns a call id.
 */
uint64_t aws_client_call(struct aws_client *client, const struct aws_call_params *params);
/*
 * Drops a call that has not finished: its done never runs, and its ud stays the
 * caller's to free. A finished or unknown id (done already ran, or is running)
 * is ignored. aws_client_destroy() drops every call still out this way.
 */
void aws_client_cancel(struct aws_client *client, uint64_t id);

/*
 * Runs the engine until this one call is done (for start-up paths such as
 * whoami and AssumeRole). result and items are handed to the caller (may be
 * NULL to drop them).
 */
enum vpcx_status aws_client_call_sync(struct aws_client *client, enum aws_service service,
                                      const char *operation, struct aws_query *query,
                                      cJSON **result, struct vpcx_error *err);

/* The answer to aws_reloader.start: status VPCX_OK with fresh credentials
 * (copied), or the reason the reload failed (err, copied; may be NULL). */
void aws_client_reloaded(struct aws_client *client, enum vpcx_status status,
                         const struct aws_credentials *fresh, const struct vpcx_error *err);

/* Calls made, retries made, credential reloads started and bytes received
 * since creation; calls started and not finished (live), and the most at once. */
struct aws_client_stats {
    unsigned long calls, attempts, retries, throttled, reloads;
    unsigned long paced; /* attempts the adaptive limiter held back */
    unsigned long live, live_peak;
    unsigned long long bytes;
};
void aws_client_get_stats(const struct aws_client *client, struct aws_client_stats *out);

#endif
