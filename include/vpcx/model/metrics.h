/*
 * metrics: CloudWatch PrivateLink endpoint metrics (namespace AWS/PrivateLinkEndpoints) as
 * plain data: the metrics and ranges vpcx shows, the time window and period of a range,
 * the series of one endpoint (and of each of its subnets) bucketed on that period, their
 * statistics and sparklines.
 *
 * A metrics_set covers one endpoint over one range. Scope 0 is the endpoint as a whole (the
 * dimension set VPC Id, VPC Endpoint Id, Endpoint Type, Service Name: CloudWatch matches
 * dimension sets exactly); scopes 1.. add Subnet Id, one per subnet of the endpoint. Each
 * scope has one series per metric, with one bucket per period of the window: NAN where
 * CloudWatch returned no datapoint. Query IDs ("s<scope>_<metric>") tie the GetMetricData
 * answers back to a series.
 *
 * Ownership: a set owns its strings and buckets; metrics_set_destroy(NULL) is a no-op.
 * Pure: no I/O, no clock (callers pass the time).
 */
#ifndef VPCX_MODEL_METRICS_H
#define VPCX_MODEL_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "vpcx/core/strbuf.h"

#define METRICS_NAMESPACE "AWS/PrivateLinkEndpoints"
/* GetMetricData takes at most 500 queries: 5 metrics x (the endpoint + up to 99 subnets). */
#define METRICS_MAX_SUBNETS 99

/* X(enum suffix, CloudWatch metric name, statistic, unit: "count" or "bytes") */
#define METRICS_TABLE(X)                                                                           \
    X(ACTIVE_CONNECTIONS, "ActiveConnections", "Average", "count")                                 \
    X(NEW_CONNECTIONS, "NewConnections", "Sum", "count")                                           \
    X(BYTES_PROCESSED, "BytesProcessed", "Sum", "bytes")                                           \
    X(PACKETS_DROPPED, "PacketsDropped", "Sum", "count")                                           \
    X(RST_PACKETS_RECEIVED, "RstPacketsReceived", "Sum", "count")

enum metrics_metric {
#define METRICS_ENUM(name, cw, stat, unit) METRIC_##name,
    METRICS_TABLE(METRICS_ENUM)
#undef METRICS_ENUM
        METRIC_COUNT
};

const char *metrics_metric_name(enum metrics_metric m); /* "BytesProcessed" */
const char *metrics_metric_stat(enum metrics_metric m); /* "Sum" */
bool metrics_metric_is_bytes(enum metrics_metric m);

/* The ranges a user can pick; the period gives 36 to 48 points a sparkline. */
enum metrics_range {
    METRICS_3H,  /* 5-minute periods */
    METRICS_24H, /* 30-minute periods */
    METRICS_7D,  /* 4-hour periods */
    METRICS_RANGE_COUNT
};

const char *metrics_range_name(enum metrics_range r); /* "3h" */
bool metrics_range_parse(const char *text, enum metrics_range *out);
long metrics_range_seconds(enum metrics_range r);
long metrics_range_period(enum metrics_range r);
/* The next range in the 3h -> 24h -> 7d -> 3h cycle. */
enum metrics_range metrics_range_next(enum metrics_range r);

struct metrics_series {
    double *values; /* n buckets, oldest first; NAN: no datapoint */
    size_t n;
    size_t points; /* datapoints placed */
    bool partial;  /* CloudWatch answered StatusCode PartialData for it */
};

struct metrics_scope {
    char *subnet_id; /* NULL for the endpoint as a whole */
    struct metrics_series series[METRIC_COUNT];
};

struct metrics_set {
    char *endpoint_id;
    enum metrics_range range;
    time_t start, end; /* [start, end), aligned on the period */
    long period;       /* seconds per bucket */
    struct metrics_scope *scopes;
    size_t n_scopes; /* 1 + subnets */
    bool partial;    /* some series is partial */
};

/* The window of range ending at the period boundary at or after now. */
void metrics_window(enum metrics_range range, time_t now, time_t *start, time_t *end, long *period);

/* A set with every bucket empty; at most METRICS_MAX_SUBNETS subnets are kept. */
struct metrics_set *metrics_set_create(const char *endpoint_id, enum metrics_range range,
                                       time_t now, const char *const *subnet_ids, size_t n_subnets);
void metrics_set_destroy(struct metrics_set *s);

/* The GetMetricData query ID of a series: "s0_m2"; caller frees. */
char *metrics_query_id(size_t scope, enum metrics_metric m);
/* Parses a query ID of this set; false for one it did not ask. */
bool metrics_parse_query_id(const struct metrics_set *s, const char *id, size_t *scope,
                            enum metrics_metric *m);

/* ISO 8601 UTC ("2026-12-04T10:15:00Z", fraction and +00:00 accepted) to seconds. */
bool metrics_parse_time(const char *text, time_t *out);
/* Writes "2026-12-04T10:15:00Z" to buf (at least 21 bytes). */
void metrics_format_time(time_t t, char *buf, size_t len);

/* Places one datapoint in its bucket (the same bucket twice keeps the later); false when
 * the timestamp is outside the window or the value is not finite. */
bool metrics_series_add(const struct metrics_set *s, struct metrics_series *series, time_t t,
                        double value);

struct metrics_stats {
    size_t count; /* buckets with a value */
    double min, max, last, sum;
};

/* Over the buckets with a value; false (stats zeroed) when there is none. */
bool metrics_series_stats(const struct metrics_series *series, struct metrics_stats *out);

/*
 * Appends a sparkline of width cells: one glyph per bucket, or per group of buckets (their
 * maximum) when there are more buckets than cells. Heights scale from 0 to the largest
 * value; a bucket without data is a blank. utf8: the eight block glyphs U+2581..U+2588, else
 * the ASCII ramp "_.-=+*#@".
 */
void metrics_sparkline(struct strbuf *out, const struct metrics_series *series, size_t width,
                       bool utf8);

/* A value for people: "1.2 MB" for bytes (powers of 1000), "3.4k" / "12" / "0.25" else. */
void metrics_format_value(struct strbuf *out, double v, bool bytes);

/*
 * {"VpcEndpointId", "Range", "Period", "StartTime", "EndTime", "Partial", "Scopes": [
 *   {"SubnetId"?, "Metrics": [{"MetricName", "Statistic", "Datapoints",
 *   "Min", "Max", "Last", "Sum", "Partial", "Timestamps": [...], "Values": [...]}]}]}
 * Timestamps and values list the buckets that have data.
 */
cJSON *metrics_set_to_json(const struct metrics_set *s);

#endif
