/* retry: AWS "standard" retry mode; see the header for the rules. */
#include "vpcx/aws/retry.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

bool retry_mode_parse(const char *name, enum retry_mode *out)
{
    if (!name || strcmp(name, "standard") == 0 || strcmp(name, "legacy") == 0) {
        *out = RETRY_MODE_STANDARD;
        return true;
    }
    if (strcmp(name, "adaptive") == 0) {
        *out = RETRY_MODE_ADAPTIVE;
        return true;
    }
    return false;
}

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

/* ---- jitter ---- */

/* splitmix64: spreads any seed, 0 included, over the whole state space. */
static uint64_t mix64(uint64_t z)
{
    z += 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

void retry_rng_seed(struct retry_rng *rng, uint64_t seed)
{
    rng->state = mix64(seed);
    if (!rng->state)
        rng->state = 0x9E3779B97F4A7C15ULL;
}

double retry_rng_next01(struct retry_rng *rng)
{
    uint64_t x = rng->state; /* xorshift64* */
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng->state = x;
    /* the top 53 bits, as a double in [0,1) */
    return (double)((x * 0x2545F4914F6CDD1DULL) >> 11) / 9007199254740992.0;
}

static bool read_urandom(void *buf, size_t len)
{
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    ssize_t n;
    do
        n = read(fd, buf, len);
    while (n < 0 && errno == EINTR);
    close(fd);
    return n == (ssize_t)len;
}

static uint64_t process_seed(void)
{
    uint64_t seed = 0;
    ssize_t n;
    do
        n = getrandom(&seed, sizeof(seed), GRND_NONBLOCK);
    while (n < 0 && errno == EINTR);
    if (n == (ssize_t)sizeof(seed) || read_urandom(&seed, sizeof(seed)))
        return seed;
    /* No kernel randomness: still differ per process and per start. */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)getpid() << 32 ^ (uint64_t)ts.tv_sec ^ (uint64_t)ts.tv_nsec << 16;
}

double retry_random01(void)
{
    /* Private to this file; reseeded in a forked child, which would otherwise
       repeat its parent's draws. */
    static struct retry_rng rng;
    static pid_t seeded_by;
    pid_t pid = getpid();
    if (!rng.state || seeded_by != pid) {
        retry_rng_seed(&rng, process_seed());
        seeded_by = pid;
    }
    return retry_rng_next01(&rng);
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
