/* ratelimit: adaptive retry mode's token bucket and CUBIC rate; see the header. */
#include "vpcx/aws/ratelimit.h"

#include <math.h>

static void bucket_refill(struct rate_limiter *rl, double now)
{
    if (rl->last_refill < 0) {
        rl->last_refill = now;
        return;
    }
    double elapsed = now - rl->last_refill;
    if (elapsed > 0) {
        rl->capacity += elapsed * rl->fill_rate;
        if (rl->capacity > rl->max_capacity)
            rl->capacity = rl->max_capacity;
    }
    rl->last_refill = now;
}

/* The bucket's rate; a rate under one token a second still holds one token. */
static void bucket_set_rate(struct rate_limiter *rl, double rate, double now)
{
    bucket_refill(rl, now);
    rl->fill_rate = rate > RATELIMIT_MIN_RATE ? rate : RATELIMIT_MIN_RATE;
    rl->max_capacity = rate >= 1.0 ? rate : 1.0;
    if (rl->capacity > rl->max_capacity)
        rl->capacity = rl->max_capacity;
}

static double cubic_zero_point(double w_max)
{
    return cbrt(w_max * (1.0 - RATELIMIT_BETA) / RATELIMIT_SCALE);
}

void rate_limiter_init(struct rate_limiter *rl, double now)
{
    *rl = (struct rate_limiter){
        .last_refill = -1.0,
        .last_bucket = floor(now),
        .w_max = 0.0,
        .k = cubic_zero_point(0.0),
        .last_fail = now,
    };
    bucket_set_rate(rl, 1.0, now);
}

long rate_limiter_acquire(struct rate_limiter *rl, double now)
{
    if (!rl->enabled)
        return 0;
    bucket_refill(rl, now);
    if (rl->capacity >= 1.0) {
        rl->capacity -= 1.0;
        return 0;
    }
    double wait_s = (1.0 - rl->capacity) / rl->fill_rate;
    long ms = (long)ceil(wait_s * 1000.0);
    return ms < 1 ? 1 : ms;
}

/* Answers per second, smoothed, updated when a half-second window closes. */
static double measure(struct rate_limiter *rl, double now)
{
    double bucket = floor(now / RATELIMIT_BUCKET_S) * RATELIMIT_BUCKET_S;
    rl->count++;
    if (bucket > rl->last_bucket) {
        double current = rl->count / (bucket - rl->last_bucket);
        rl->measured_rate =
            current * RATELIMIT_SMOOTHING + rl->measured_rate * (1.0 - RATELIMIT_SMOOTHING);
        rl->count = 0;
        rl->last_bucket = bucket;
    }
    return rl->measured_rate;
}

double rate_limiter_cubic_success(const struct rate_limiter *rl, double now)
{
    double dt = now - rl->last_fail - rl->k;
    return RATELIMIT_SCALE * dt * dt * dt + rl->w_max;
}

static double cubic_throttled(struct rate_limiter *rl, double rate, double now)
{
    rl->w_max = rate;
    rl->k = cubic_zero_point(rate);
    rl->last_fail = now;
    return rate * RATELIMIT_BETA;
}

void rate_limiter_on_response(struct rate_limiter *rl, double now, bool throttled)
{
    double measured = measure(rl, now);
    double rate;
    if (!throttled) {
        rate = rate_limiter_cubic_success(rl, now);
    } else {
        double base = measured;
        if (rl->enabled && rl->fill_rate < base)
            base = rl->fill_rate;
        rate = cubic_throttled(rl, base, now);
        rl->enabled = true;
    }
    double ceiling = RATELIMIT_MAX_ADJUST * measured;
    bucket_set_rate(rl, rate < ceiling ? rate : ceiling, now);
}

double rate_limiter_rate(const struct rate_limiter *rl)
{
    return rl->fill_rate;
}
