/*
 * retry: the AWS "standard" retry mode (botocore retries/standard.py), as pure
 * code: no clock, no sleeping, no curl. The caller owns the timers.
 *
 * Classification: throttle codes and HTTP 429 are RETRY_THROTTLE; the
 * transient codes, HTTP 500/502/503/504 and connection errors, timeouts and
 * truncated bodies (transport status ERR_NETWORK, ERR_TIMEOUT, ERR_TRUNCATED)
 * are RETRY_TRANSIENT; RequestExpired, ExpiredToken and ExpiredTokenException
 * ask for a credential reload (once per request); everything else, including
 * TLS failures, auth errors and other 4xx client errors, is RETRY_NO.
 *
 * Quota (shared by all requests to one endpoint): 500 tokens at the start, a
 * retry costs 5 (10 after a timeout), a success refunds what its last retry
 * cost, or 1 when it needed no retry; never above the initial capacity.
 *
 * Backoff: full jitter, random01 * min(2^(attempt-1), 20) seconds, where
 * attempt is the 1-based number of the attempt that just failed.
 *
 * Typical use per request: retry_state_init(&st, 3); after each failed
 * attempt, kind = retry_decide(&st, quota, ..., rand01, &delay_ms); if kind
 * is RETRY_NO give up, else re-sign (reload credentials first for
 * RETRY_REFRESH_CREDENTIALS) and send again after delay_ms. On success call
 * retry_note_success(&st, quota). One thread; no allocation.
 *
 * Jitter: retry_random01() draws from a small generator (xorshift64*) seeded
 * from getrandom() on first use in each process and again after a fork, so
 * processes started together do not back off in step. struct retry_rng is the
 * same generator with an explicit seed, for tests and reproducible runs.
 */
#ifndef VPCX_AWS_RETRY_H
#define VPCX_AWS_RETRY_H

#include <stdbool.h>
#include <stdint.h>

#include "vpcx/core/status.h"

/*
 * Modes as botocore names them (retry_mode, AWS_RETRY_MODE). legacy is run as
 * standard. adaptive is standard plus a client-side rate limiter per client
 * (aws/ratelimit.h) that paces every attempt once AWS has throttled one.
 */
enum retry_mode {
    RETRY_MODE_STANDARD,
    RETRY_MODE_ADAPTIVE,
};

/* "standard", "legacy" or "adaptive" (NULL: standard); false for anything else. */
bool retry_mode_parse(const char *name, enum retry_mode *out);

enum retry_kind {
    RETRY_NO,
    RETRY_THROTTLE,
    RETRY_TRANSIENT,
    RETRY_REFRESH_CREDENTIALS,
};

#define RETRY_QUOTA_INITIAL    500
#define RETRY_COST             5
#define RETRY_COST_TIMEOUT     10
#define RETRY_NO_RETRY_REFUND  1
#define RETRY_MAX_BACKOFF_MS   20000L
#define RETRY_DEFAULT_ATTEMPTS 3

/*
 * transport: VPCX_OK when an HTTP response arrived (then http_status and
 * aws_code, which may be NULL, describe it), else the transport failure.
 */
enum retry_kind retry_classify(enum vpcx_status transport, int http_status, const char *aws_code);
const char *retry_kind_name(enum retry_kind kind);

struct retry_quota {
    int capacity;     /* tokens left */
    int max_capacity; /* refunds never exceed this */
};

void retry_quota_init(struct retry_quota *quota);
/* Cost of one retry after this kind of failure (5, or 10 after a timeout). */
int retry_quota_cost(bool timeout_error);
/* Takes the cost of one retry; false (and nothing taken) when too few are left. */
bool retry_quota_acquire(struct retry_quota *quota, bool timeout_error);
/* Gives back last_retry_cost after a success that needed retries, or 1 when
 * last_retry_cost is 0 (success at the first attempt). */
void retry_quota_release_success(struct retry_quota *quota, int last_retry_cost);

struct retry_rng {
    uint64_t state; /* never 0 */
};

/* Any seed works (0 included); equal seeds give equal sequences. */
void retry_rng_seed(struct retry_rng *rng, uint64_t seed);
/* The next number in [0,1). */
double retry_rng_next01(struct retry_rng *rng);
/* The next number in [0,1) from this process's own generator (see above). */
double retry_random01(void);

/* Full-jitter delay in ms for the retry after failed attempt (1-based). */
long retry_backoff_ms(int attempt, double random01);

struct retry_state {
    int attempt;               /* attempts made so far (1 after the first send) */
    int max_attempts;          /* all attempts, including the first */
    bool credentials_reloaded; /* the one credential reload was used */
    int last_cost;             /* quota taken by the latest retry, 0 if none */
};

/* max_attempts < 1 means RETRY_DEFAULT_ATTEMPTS. attempt starts at 1. */
void retry_state_init(struct retry_state *st, int max_attempts);
/*
 * After a failed attempt: returns RETRY_NO to give up, or the kind of retry
 * with *delay_ms set. A credential refresh is allowed once per request, costs
 * no quota, retries at once and does not count against max_attempts; other
 * retries need attempts left and quota and advance st->attempt.
 */
enum retry_kind retry_decide(struct retry_state *st, struct retry_quota *quota,
                             enum vpcx_status transport, int http_status, const char *aws_code,
                             double random01, long *delay_ms);
/* After a successful attempt (HTTP 2xx): refunds the quota. */
void retry_note_success(struct retry_state *st, struct retry_quota *quota);

#endif
