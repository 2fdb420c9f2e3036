/* The adaptive retry mode's limiter, driven by a fake clock (times in seconds). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "vpcx/aws/ratelimit.h"

static void assert_near(double got, double want)
{
    if (fabs(got - want) > 1e-6)
        fail_msg("got %.9f, want %.9f", got, want);
}

/* Off until the first throttle: every attempt goes at once. */
static void test_off_until_throttled(void **state)
{
    (void)state;
    struct rate_limiter rl;
    rate_limiter_init(&rl, 100.0);
    for (int i = 0; i < 1000; i++) {
        assert_int_equal(rate_limiter_acquire(&rl, 100.0), 0);
        rate_limiter_on_response(&rl, 100.0 + i * 0.001, false);
    }
    assert_false(rl.enabled);
}

/* The measured rate: answers per half-second window, smoothed 0.8/0.2 (botocore's
 * RateClocker values for the same sequence). */
static void test_measured_rate(void **state)
{
    (void)state;
    struct rate_limiter rl;
    rate_limiter_init(&rl, 0.0);
    /* 10 answers in [0, 0.5): no window closed yet */
    for (int i = 0; i < 10; i++)
        rate_limiter_on_response(&rl, i * 0.05, false);
    assert_near(rl.measured_rate, 0.0);
    /* the 11th at 0.5 closes the window: 11 answers / 0.5 s = 22/s, x 0.8 */
    rate_limiter_on_response(&rl, 0.5, false);
    assert_near(rl.measured_rate, 17.6);
    /* one more at 1.0: 1 / 0.5 = 2/s; 2 x 0.8 + 17.6 x 0.2 */
    rate_limiter_on_response(&rl, 1.0, false);
    assert_near(rl.measured_rate, 1.6 + 3.52);
}

/* A throttle: the rate drops to 0.7 x the measured rate, and CUBIC climbs back to it
 * at K = cbrt(w_max x 0.3 / 0.4) seconds, then past it. */
static void test_throttle_and_cubic(void **state)
{
    (void)state;
    struct rate_limiter rl;
    rate_limiter_init(&rl, 0.0);
    for (int i = 0; i < 20; i++) /* 20 answers per second for 2 s */
        rate_limiter_on_response(&rl, i * 0.1, false);
    double measured = rl.measured_rate;
    assert_true(measured > 5.0);
    rate_limiter_on_response(&rl, 2.0, true);
    assert_true(rl.enabled);
    double w_max = rl.w_max;
    assert_near(rate_limiter_rate(&rl), w_max * RATELIMIT_BETA);
    assert_near(rl.k, cbrt(w_max * 0.3 / 0.4));
    assert_near(rl.last_fail, 2.0);
    /* at last_fail + K the curve is back at w_max; before, below; after, above */
    assert_near(rate_limiter_cubic_success(&rl, 2.0 + rl.k), w_max);
    assert_true(rate_limiter_cubic_success(&rl, 2.0 + rl.k / 2) < w_max);
    assert_true(rate_limiter_cubic_success(&rl, 2.0 + rl.k + 1.0) > w_max);
    assert_near(rate_limiter_cubic_success(&rl, 2.0 + rl.k + 2.0), w_max + 0.4 * 8.0);
}

/* Once on, the bucket hands out tokens at the allowed rate and says how long to wait. */
static void test_bucket_paces(void **state)
{
    (void)state;
    struct rate_limiter rl;
    rate_limiter_init(&rl, 0.0);
    rate_limiter_on_response(&rl, 0.0, true); /* measured 0: the rate floor applies */
    assert_true(rl.enabled);
    assert_near(rate_limiter_rate(&rl), RATELIMIT_MIN_RATE);
    /* the bucket starts empty: one token takes 1 / 0.5 s = 2 s */
    assert_int_equal(rate_limiter_acquire(&rl, 0.0), 2000);
    assert_int_equal(rate_limiter_acquire(&rl, 1.0), 1000);
    assert_int_equal(rate_limiter_acquire(&rl, 2.0), 0);
    /* taken: the next needs another 2 s */
    assert_int_equal(rate_limiter_acquire(&rl, 2.0), 2000);
    /* the bucket never holds more than one token at rates under 1/s */
    assert_int_equal(rate_limiter_acquire(&rl, 100.0), 0);
    assert_int_equal(rate_limiter_acquire(&rl, 100.0), 2000);
}

/* Successes raise the rate again along the curve, capped at twice the measured rate. */
static void test_recovers_after_throttle(void **state)
{
    (void)state;
    struct rate_limiter rl;
    rate_limiter_init(&rl, 0.0);
    double t = 0.0;
    for (int i = 0; i < 40; i++, t += 0.05) /* 20/s */
        rate_limiter_on_response(&rl, t, false);
    rate_limiter_on_response(&rl, t, true);
    double after_throttle = rate_limiter_rate(&rl);
    double w_max = rl.w_max;
    /* keep answering at 20/s without a throttle for 10 s */
    for (int i = 0; i < 200; i++) {
        t += 0.05;
        rate_limiter_on_response(&rl, t, false);
        assert_true(rate_limiter_rate(&rl) <= RATELIMIT_MAX_ADJUST * rl.measured_rate + 1e-9 ||
                    rate_limiter_rate(&rl) == RATELIMIT_MIN_RATE);
    }
    assert_true(rate_limiter_rate(&rl) > after_throttle);
    assert_true(rate_limiter_rate(&rl) > w_max);
}

/* A second throttle while on takes the smaller of the measured and allowed rates. */
static void test_throttle_uses_allowed_rate(void **state)
{
    (void)state;
    struct rate_limiter rl;
    rate_limiter_init(&rl, 0.0);
    double t = 0.0;
    for (int i = 0; i < 40; i++, t += 0.025) /* 40/s */
        rate_limiter_on_response(&rl, t, false);
    rate_limiter_on_response(&rl, t, true);
    double allowed = rate_limiter_rate(&rl);
    assert_true(allowed < rl.measured_rate);
    t += 0.01;
    rate_limiter_on_response(&rl, t, true);
    assert_near(rl.w_max, allowed);
    assert_near(rate_limiter_rate(&rl), allowed * RATELIMIT_BETA);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_off_until_throttled),
        cmocka_unit_test(test_measured_rate),
        cmocka_unit_test(test_throttle_and_cubic),
        cmocka_unit_test(test_bucket_paces),
        cmocka_unit_test(test_recovers_after_throttle),
        cmocka_unit_test(test_throttle_uses_allowed_rate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
