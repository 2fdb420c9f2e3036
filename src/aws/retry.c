/* retry: AWS "standard" retry mode; see the header for the rules. */
#include "vpcx/aws/retry.h"

#include <stddef.h>
#include <string.h>

/* ec2-api.md section 5, standard mode throttle list. */
static const char *const throttle_codes[] = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "EC2ThrottledException",
    NULL,
};

/* Standard mode transient codes plus the EC2 5xx codes of section 4, which
 * are retried even if a proxy rewrote the status. */
static const char *const transient_codes[] = {
    "RequestTimeout",
    "RequestTimeoutException",
    "PriorRequestNotComplete",
    "InternalError",
    "ServerInternal",
    "InternalFailure",
    "ServiceUnavailable",
    "Unavailable",
    NULL,
};

/* aws-sdk-go credsExpiredCodes: reload credentials, re-sign, retry once. */
static const char *const expired_codes[] = {
    "RequestExpired",
    "ExpiredToken",
    "ExpiredTokenException",
    NULL,
};

static bool code_in(const char *code, const char *const *list)
{
    for (size_t i = 0; list[i]; i++) {
        if (strcmp(code, list[i]) == 0)
            return true;
    }
    return false;
}

static enum retry_kind classify_code(const char *code)
{
    if (!code || !*code)
        return RETRY_NO;
    if (code_in(code, expired_codes))
        return RETRY_REFRESH_CREDENTIALS;
    if (code_in(code, throttle_codes))
        return RETRY_THROTTLE;
    if (code_in(code, transient_codes))
        return RETRY_TRANSIENT;
    return RETRY_NO;
}

static enum retry_kind classify_transport(enum vpcx_status transport)
{
    switch (transport) {
    case VPCX_ERR_NETWORK:
    case VPCX_ERR_TIMEOUT:
    case VPCX_ERR_TRUNCATED:
        return RETRY_TRANSIENT;
    default:
        /* TLS verification, bad URLs, cancellation: retrying cannot help. */
        return RETRY_NO;
    }
}

enum retry_kind retry_classify(enum vpcx_status transport, int http_status, const char *aws_code)
{
    if (transport != VPCX_OK)
        return classify_transport(transport);
    enum retry_kind kind = classify_code(aws_code);
    if (kind != RETRY_NO)
        return kind;
    switch (http_status) {
    case 429:
        return RETRY_THROTTLE;
    case 500:
    case 502:
    case 503:
    case 504:
        return RETRY_TRANSIENT;
    default:
        return RETRY_NO;
    }
}

const char *retry_kind_name(enum retry_kind kind)
{
    switch (kind) {
    case RETRY_NO:
        return "no retry";
    case RETRY_THROTTLE:
        return "throttled";
    case RETRY_TRANSIENT:
        return "transient";
    case RETRY_REFRESH_CREDENTIALS:
        return "refresh credentials";
    }
    return "unknown";
}

void retry_quota_init(struct retry_quota *quota)
{
    quota->capacity = RETRY_QUOTA_INITIAL;
    quota->max_capacity = RETRY_QUOTA_INITIAL;
}

int retry_quota_cost(bool timeout_error)
{
    return timeout_error ? RETRY_COST_TIMEOUT : RETRY_COST;
}

bool retry_quota_acquire(struct retry_quota *quota, bool timeout_error)
{
    int cost = retry_quota_cost(timeout_error);
    if (quota->capacity < cost)
        return false;
    quota->capacity -= cost;
    return true;
}

void retry_quota_release_success(struct retry_quota *quota, int last_retry_cost)
{
    int refund = last_retry_cost > 0 ? last_retry_cost : RETRY_NO_RETRY_REFUND;
    quota->capacity += refund;
    if (quota->capacity > quota->max_capacity)
        quota->capacity = quota->max_capacity;
}

long retry_backoff_ms(int attempt, double random01)
{
    if (attempt < 1)
        attempt = 1;
    if (!(random01 > 0.0)) /* also catches NaN */
        random01 = 0.0;
    if (random01 > 1.0)
        random01 = 1.0;
    long cap = RETRY_MAX_BACKOFF_MS;
    if (attempt <= 15) /* 2^14 s is already past the cap; avoid overflow */
        cap = 1000L << (attempt - 1);
    if (cap > RETRY_MAX_BACKOFF_MS)
        cap = RETRY_MAX_BACKOFF_MS;
    return (long)(random01 * (double)cap);
}

void retry_state_init(struct retry_state *st, int max_attempts)
{
    st->attempt = 1;
    st->max_attempts = max_attempts < 1 ? RETRY_DEFAULT_ATTEMPTS : max_attempts;
    st->credentials_reloaded = false;
    st->last_cost = 0;
}

static enum retry_kind decide_refresh(struct retry_state *st, long *delay_ms)
{
    if (st->credentials_reloaded)
        return RETRY_NO;
    st->credentials_reloaded = true;
    *delay_ms = 0;
    return RETRY_REFRESH_CREDENTIALS;
}

enum retry_kind retry_decide(struct retry_state *st, struct retry_quota *quota,
                             enum vpcx_status transport, int http_status, const char *aws_code,
                             double random01, long *delay_ms)
{
    *delay_ms = 0;
    enum retry_kind kind = retry_classify(transport, http_status, aws_code);
    if (kind == RETRY_NO)
        return RETRY_NO;
    if (kind == RETRY_REFRESH_CREDENTIALS)
        return decide_refresh(st, delay_ms);
    if (st->attempt >= st->max_attempts)
        return RETRY_NO;
    bool timeout = transport == VPCX_ERR_TIMEOUT;
    if (!retry_quota_acquire(quota, timeout))
        return RETRY_NO;
    st->last_cost = retry_quota_cost(timeout);
    *delay_ms = retry_backoff_ms(st->attempt, random01);
    st->attempt++;
    return kind;
}

void retry_note_success(struct retry_state *st, struct retry_quota *quota)
{
    retry_quota_release_success(quota, st->last_cost);
}
