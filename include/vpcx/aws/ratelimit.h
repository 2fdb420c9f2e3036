/*
 * ratelimit: the client-side rate limiter of the AWS SDKs' "adaptive" retry
 * mode (botocore retries/adaptive.py, bucket.py, throttling.py), as pure code:
 * every function takes the time (seconds, any monotonic origin) as a
 * parameter, so tests drive it with a fake clock; nothing sleeps.
 *
 * One limiter per client (one account and region). It stays off until the
 * first throttling answer; from then every attempt takes one token from a
 * bucket refilled at the allowed rate. The rate follows CUBIC (as TCP's
 * congestion control): on a throttle it drops to 0.7 x the rate measured
 * when the throttle came and remembers that rate as the ceiling; each success
 * after that grows it along 0.4 x (t - K)^3 + ceiling, K being the time the
 * curve takes to climb back to the ceiling, so it probes past it slowly, then
 * faster. The allowed rate never exceeds twice the measured send rate, and
 * the bucket never fills slower than 0.5 tokens a second.
 *
 * The measured rate is the requests per half second, smoothed (0.8 new,
 * 0.2 old) each time a half-second boundary passes.
 *
 * One thread; no allocation.
 */
#ifndef VPCX_AWS_RATELIMIT_H
#define VPCX_AWS_RATELIMIT_H

#include <stdbool.h>

#define RATELIMIT_MIN_RATE   0.5 /* tokens per second, at the least */
#define RATELIMIT_BETA       0.7 /* the rate kept after a throttle */
#define RATELIMIT_SCALE      0.4 /* CUBIC's C */
#define RATELIMIT_SMOOTHING  0.8
#define RATELIMIT_BUCKET_S   0.5 /* width of the measuring window */
#define RATELIMIT_MAX_ADJUST 2.0 /* allowed rate <= this x measured rate */

struct rate_limiter {
    bool enabled; /* a throttle was seen: attempts take tokens */
    /* token bucket */
    double fill_rate;    /* tokens per second (the allowed send rate) */
    double max_capacity; /* tokens it can hold */
    double capacity;     /* tokens in it now */
    double last_refill;  /* time of the last refill; < 0 before the first */
    /* measured send rate */
    double measured_rate;
    double last_bucket; /* start of the current measuring window */
    unsigned count;     /* answers in it */
    /* CUBIC */
    double w_max;     /* the rate when the last throttle came */
    double k;         /* seconds from a throttle until the curve is back at w_max */
    double last_fail; /* time of the last throttle */
};

/* A limiter that is off, its clock starting at now. */
void rate_limiter_init(struct rate_limiter *rl, double now);
/*
 * Before an attempt: 0 when it may go (a token was taken, or the limiter is
 * off), else the milliseconds (>= 1) until a token is there; ask again then.
 */
long rate_limiter_acquire(struct rate_limiter *rl, double now);
/* After each answer (any attempt that reached the network): throttled when
 * AWS said so (retry.h's RETRY_THROTTLE). */
void rate_limiter_on_response(struct rate_limiter *rl, double now, bool throttled);
/* The allowed rate (requests per second) while enabled. */
double rate_limiter_rate(const struct rate_limiter *rl);

/* CUBIC, exposed for tests: the rate at time now after the last throttle. */
double rate_limiter_cubic_success(const struct rate_limiter *rl, double now);

#endif
