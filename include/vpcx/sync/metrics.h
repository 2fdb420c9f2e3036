/*
 * metrics (sync): fetching an endpoint's CloudWatch metrics, and the explorer's short-lived
 * cache of them.
 *
 * metrics_fetch() sends one GetMetricData for one endpoint and range (every metric of the
 * endpoint and of each of its subnets in the one request), following NextToken, on the
 * client's engine: it never blocks. done runs once, from inside http_engine_step(), with the
 * set (handed over) or the error (AccessDenied when the caller lacks
 * cloudwatch:GetMetricData). Throttling and transient errors are retried by the client.
 *
 * The cache keeps one entry per endpoint and range for METRICS_CACHE_TTL seconds, so going
 * back to an endpoint shows its metrics at once; a failure is kept as long, so a denied
 * permission is not asked again on every cursor move. It fetches only what it is asked for
 * (the endpoint the user opens), one endpoint at a time: asking for another cancels the
 * fetch of the previous one, which is then asked again if it is opened again.
 */
#ifndef VPCX_SYNC_METRICS_H
#define VPCX_SYNC_METRICS_H

#include <stdbool.h>
#include <time.h>

#include "vpcx/aws/client.h"
#include "vpcx/aws/cloudwatch.h"
#include "vpcx/core/status.h"
#include "vpcx/model/inventory.h"
#include "vpcx/model/metrics.h"

#define METRICS_CACHE_TTL     120 /* seconds */
#define METRICS_CACHE_ENTRIES 64
#define METRICS_MAX_PAGES     100

/* What GetMetricData needs to know about an endpoint (borrowed strings). */
struct metrics_target {
    struct cloudwatch_endpoint dims;
    const char *const *subnet_ids;
    size_t n_subnets;
};

/* From the inventory; false when the endpoint is unknown or has no PrivateLink metrics
 * (a gateway endpoint) or lacks a VPC, type or service. Valid while the inventory is. */
bool metrics_target_from_inventory(const struct inventory *inv, const char *endpoint_id,
                                   struct metrics_target *out);

/* set: the result, the callee's to keep or destroy (NULL on failure); err: NULL on success. */
typedef void (*metrics_done_fn)(void *ud, struct metrics_set *set, const struct vpcx_error *err);

struct metrics_call;

/* Starts the fetch; target is copied. done never runs from inside this function. */
struct metrics_call *metrics_fetch(struct aws_client *client, const struct metrics_target *target,
                                   enum metrics_range range, time_t now, metrics_done_fn done,
                                   void *ud);
/* Drops a call whose done has not run: done never runs. NULL is a no-op. */
void metrics_call_cancel(struct metrics_call *call);

enum metrics_state {
    METRICS_LOADING,
    METRICS_READY,
    METRICS_FAILED,
};

struct metrics_entry {
    char *endpoint_id;
    enum metrics_range range;
    enum metrics_state state;
    struct metrics_set *set;     /* READY */
    struct vpcx_error error;     /* FAILED */
    time_t fetched;              /* when asked for */
    struct metrics_call *call;   /* private: the fetch in flight */
    struct metrics_cache *cache; /* private: the owner */
};

struct metrics_cache;

/* on_change (may be NULL) runs when a fetch of the cache ends, from the engine's step. */
struct metrics_cache *metrics_cache_create(struct aws_client *client, void (*on_change)(void *ud),
                                           void *ud);
/* Cancels what is in flight. */
void metrics_cache_destroy(struct metrics_cache *c);
/*
 * The entry for the endpoint and range, starting a fetch when there is none younger than
 * METRICS_CACHE_TTL (and cancelling any other fetch in flight). NULL when the endpoint has
 * no metrics to fetch (see metrics_target_from_inventory). Valid until the next call.
 */
const struct metrics_entry *metrics_cache_want(struct metrics_cache *c, const struct inventory *inv,
                                               const char *endpoint_id, enum metrics_range range,
                                               time_t now);
/* The entry if there is one (any age, any state); never fetches. */
const struct metrics_entry *metrics_cache_peek(const struct metrics_cache *c,
                                               const char *endpoint_id, enum metrics_range range);
/* A fetch is in flight. */
bool metrics_cache_running(const struct metrics_cache *c);

#endif
