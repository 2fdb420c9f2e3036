#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vpcx/aws/retry.h"

struct code_case {
    const char *code;
    int http_status;
    enum retry_kind want;
};

/* Every code of ec2-api.md sections 4 and 5, with the status AWS sends. */
static const struct code_case code_cases[] = {
    /* standard-mode throttle list */
    {"Throttling", 400, RETRY_THROTTLE},
    {"ThrottlingException", 400, RETRY_THROTTLE},
    {"ThrottledException", 400, RETRY_THROTTLE},
    {"RequestThrottledException", 400, RETRY_THROTTLE},
    {"TooManyRequestsException", 400, RETRY_THROTTLE},
    {"ProvisionedThroughputExceededException", 400, RETRY_THROTTLE},
    {"TransactionInProgressException", 400, RETRY_THROTTLE},
    {"RequestLimitExceeded", 503, RETRY_THROTTLE},
    {"RequestLimitExceeded", 400, RETRY_THROTTLE},
    {"BandwidthLimitExceeded", 400, RETRY_THROTTLE},
    {"LimitExceededException", 400, RETRY_THROTTLE},
    {"RequestThrottled", 400, RETRY_THROTTLE},
    {"SlowDown", 503, RETRY_THROTTLE},
    {"EC2ThrottledException", 400, RETRY_THROTTLE},
    /* transient codes */
    {"RequestTimeout", 400, RETRY_TRANSIENT},
    {"RequestTimeoutException", 400, RETRY_TRANSIENT},
    {"PriorRequestNotComplete", 400, RETRY_TRANSIENT},
    {"InternalError", 500, RETRY_TRANSIENT},
    {"ServerInternal", 500, RETRY_TRANSIENT},
    {"InternalFailure", 500, RETRY_TRANSIENT},
    {"ServiceUnavailable", 503, RETRY_TRANSIENT},
    {"Unavailable", 503, RETRY_TRANSIENT},
    /* expired: reload credentials once */
    {"RequestExpired", 400, RETRY_REFRESH_CREDENTIALS},
    {"ExpiredToken", 400, RETRY_REFRESH_CREDENTIALS},
    {"ExpiredTokenException", 400, RETRY_REFRESH_CREDENTIALS},
    /* never retried */
    {"DryRunOperation", 412, RETRY_NO},
    {"UnauthorizedOperation", 403, RETRY_NO},
    {"AuthFailure", 401, RETRY_NO},
    {"InvalidClientTokenId", 403, RETRY_NO},
    {"SignatureDoesNotMatch", 403, RETRY_NO},
    {"MissingAuthenticationToken", 403, RETRY_NO},
    {"InvalidVpcEndpointId.NotFound", 400, RETRY_NO},
    {"InvalidVpcEndpointId.Malformed", 400, RETRY_NO},
    {"InvalidVpcID.NotFound", 400, RETRY_NO},
    {"InvalidParameterValue", 400, RETRY_NO},
    {"MissingParameter", 400, RETRY_NO},
    {"InvalidPaginationToken", 400, RETRY_NO},
    {"IdempotentParameterMismatch", 400, RETRY_NO},
    {"VpcEndpointLimitExceeded", 400, RETRY_NO},
    {"DuplicateSubnetsInSameZone", 400, RETRY_NO},
    /* case matters: AWS codes are exact */
    {"throttling", 400, RETRY_NO},
};

static void test_classify_codes(void **state)
{
    for (size_t i = 0; i < sizeof code_cases / sizeof code_cases[0]; i++) {
        const struct code_case *c = &code_cases[i];
        enum retry_kind got = retry_classify(VPCX_OK, c->http_status, c->code);
        if (got != c->want)
            fail_msg("%s (HTTP %d): got %s, want %s", c->code, c->http_status, retry_kind_name(got),
                     retry_kind_name(c->want));
    }
}

static void test_classify_status_and_transport(void **state)
{
    assert_int_equal(retry_classify(VPCX_OK, 500, NULL), RETRY_TRANSIENT);
    assert_int_equal(retry_classify(VPCX_OK, 502, ""), RETRY_TRANSIENT);
    assert_int_equal(retry_classify(VPCX_OK, 503, NULL), RETRY_TRANSIENT);
    assert_int_equal(retry_classify(VPCX_OK, 504, NULL), RETRY_TRANSIENT);
    assert_int_equal(retry_classify(VPCX_OK, 429, NULL), RETRY_THROTTLE);
    assert_int_equal(retry_classify(VPCX_OK, 501, NULL), RETRY_NO);
    assert_int_equal(retry_classify(VPCX_OK, 400, NULL), RETRY_NO);
    assert_int_equal(retry_classify(VPCX_OK, 403, NULL), RETRY_NO);
    assert_int_equal(retry_classify(VPCX_OK, 404, "Whatever"), RETRY_NO);
    assert_int_equal(retry_classify(VPCX_OK, 200, NULL), RETRY_NO);
    /* an auth code on a 5xx is still a server error */
    assert_int_equal(retry_classify(VPCX_OK, 503, "AuthFailure"), RETRY_TRANSIENT);

    assert_int_equal(retry_classify(VPCX_ERR_NETWORK, 0, NULL), RETRY_TRANSIENT);
    assert_int_equal(retry_classify(VPCX_ERR_TIMEOUT, 0, NULL), RETRY_TRANSIENT);
    assert_int_equal(retry_classify(VPCX_ERR_TRUNCATED, 200, NULL), RETRY_TRANSIENT);
    assert_int_equal(retry_classify(VPCX_ERR_TLS, 0, NULL), RETRY_NO);
    assert_int_equal(retry_classify(VPCX_ERR_CANCELLED, 0, NULL), RETRY_NO);
    assert_int_equal(retry_classify(VPCX_ERR_CONFIG, 0, NULL), RETRY_NO);
}

static void test_backoff_bounds(void **state)
{
    for (int attempt = 1; attempt <= 10; attempt++) {
        long cap = 1000L << (attempt - 1);
        if (cap > 20000)
            cap = 20000;
        assert_int_equal(retry_backoff_ms(attempt, 0.0), 0);
        long high = retry_backoff_ms(attempt, 0.999999);
        assert_true(high <= cap);
        assert_true(high >= cap - 1);
        long mid = retry_backoff_ms(attempt, 0.5);
        assert_int_equal(mid, cap / 2);
    }
    assert_int_equal(retry_backoff_ms(1, 1.0), 1000);
    assert_int_equal(retry_backoff_ms(5, 1.0), 16000);
    assert_int_equal(retry_backoff_ms(6, 1.0), 20000);
    assert_int_equal(retry_backoff_ms(1000, 1.0), 20000);
    assert_int_equal(retry_backoff_ms(0, 1.0), 1000);
    assert_int_equal(retry_backoff_ms(3, -1.0), 0);
    assert_int_equal(retry_backoff_ms(3, 7.0), 4000);
}

static void test_quota_exhaustion_and_refund(void **state)
{
    struct retry_quota q;
    retry_quota_init(&q);
    assert_int_equal(q.capacity, 500);
    int taken = 0;
    while (retry_quota_acquire(&q, false))
        taken++;
    assert_int_equal(taken, 100);
    assert_int_equal(q.capacity, 0);
    assert_false(retry_quota_acquire(&q, true));

    retry_quota_release_success(&q, 0); /* success with no retry: +1 */
    assert_int_equal(q.capacity, 1);
    assert_false(retry_quota_acquire(&q, false));
    retry_quota_release_success(&q, RETRY_COST_TIMEOUT); /* refund of a timeout retry */
    assert_int_equal(q.capacity, 11);
    assert_true(retry_quota_acquire(&q, true));
    assert_int_equal(q.capacity, 1);

    retry_quota_init(&q);
    retry_quota_release_success(&q, 0);
    assert_int_equal(q.capacity, 500); /* never above the initial capacity */
    int timeouts = 0;
    while (retry_quota_acquire(&q, true))
        timeouts++;
    assert_int_equal(timeouts, 50);
}

static void test_decide_attempts(void **state)
{
    struct retry_quota q;
    struct retry_state st;
    long delay = -1;
    retry_quota_init(&q);
    retry_state_init(&st, 3);

    assert_int_equal(retry_decide(&st, &q, VPCX_OK, 503, "RequestLimitExceeded", 1.0, &delay),
                     RETRY_THROTTLE);
    assert_int_equal(delay, 1000);
    assert_int_equal(st.attempt, 2);
    assert_int_equal(q.capacity, 495);
    assert_int_equal(retry_decide(&st, &q, VPCX_ERR_TIMEOUT, 0, NULL, 0.5, &delay),
                     RETRY_TRANSIENT);
    assert_int_equal(delay, 1000);
    assert_int_equal(q.capacity, 485);
    /* third attempt failed: 3 attempts in all, give up */
    assert_int_equal(retry_decide(&st, &q, VPCX_OK, 500, NULL, 0.5, &delay), RETRY_NO);
    assert_int_equal(q.capacity, 485);
    retry_note_success(&st, &q); /* (a success would refund the last cost) */
    assert_int_equal(q.capacity, 495);

    retry_state_init(&st, 0);
    assert_int_equal(st.max_attempts, RETRY_DEFAULT_ATTEMPTS);
    assert_int_equal(retry_decide(&st, &q, VPCX_OK, 403, "AuthFailure", 0.5, &delay), RETRY_NO);
    assert_int_equal(q.capacity, 495);
    retry_note_success(&st, &q);
    assert_int_equal(q.capacity, 496);
}

static void test_decide_refresh_once(void **state)
{
    struct retry_quota q;
    struct retry_state st;
    long delay = -1;
    retry_quota_init(&q);
    retry_state_init(&st, 1); /* no ordinary retries at all */

    assert_int_equal(retry_decide(&st, &q, VPCX_OK, 400, "RequestExpired", 0.9, &delay),
                     RETRY_REFRESH_CREDENTIALS);
    assert_int_equal(delay, 0);
    assert_int_equal(q.capacity, 500);
    assert_true(st.credentials_reloaded);
    assert_int_equal(retry_decide(&st, &q, VPCX_OK, 400, "ExpiredToken", 0.9, &delay), RETRY_NO);
    assert_int_equal(retry_decide(&st, &q, VPCX_OK, 503, NULL, 0.9, &delay), RETRY_NO);
}

static void test_decide_quota_empty(void **state)
{
    struct retry_quota q;
    struct retry_state st;
    long delay = -1;
    retry_quota_init(&q);
    q.capacity = 7;
    retry_state_init(&st, 5);
    assert_int_equal(retry_decide(&st, &q, VPCX_ERR_TIMEOUT, 0, NULL, 0.5, &delay), RETRY_NO);
    assert_int_equal(q.capacity, 7);
    assert_int_equal(retry_decide(&st, &q, VPCX_ERR_NETWORK, 0, NULL, 0.5, &delay),
                     RETRY_TRANSIENT);
    assert_int_equal(q.capacity, 2);
    assert_int_equal(retry_decide(&st, &q, VPCX_ERR_NETWORK, 0, NULL, 0.5, &delay), RETRY_NO);
}

#define DRAWS 8

static void test_rng_seeds(void **state)
{
    (void)state;
    struct retry_rng a, b, c;
    retry_rng_seed(&a, 1);
    retry_rng_seed(&b, 2);
    retry_rng_seed(&c, 1);
    int same_ab = 0;
    for (int i = 0; i < DRAWS; i++) {
        double x = retry_rng_next01(&a), y = retry_rng_next01(&b);
        assert_true(x >= 0.0 && x < 1.0);
        assert_true(y >= 0.0 && y < 1.0);
        same_ab += x == y;
        assert_true(x == retry_rng_next01(&c)); /* a seed replays */
    }
    assert_int_equal(same_ab, 0);
    /* seed 0 is not a stuck generator */
    struct retry_rng z;
    retry_rng_seed(&z, 0);
    double first = retry_rng_next01(&z);
    assert_true(first != retry_rng_next01(&z));
}

/* A child's first DRAWS draws of retry_random01(), through a pipe. */
static void child_draws(double out[DRAWS])
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        double d[DRAWS];
        for (int i = 0; i < DRAWS; i++)
            d[i] = retry_random01();
        _exit(write(fds[1], d, sizeof d) == (ssize_t)sizeof d ? 0 : 1);
    }
    close(fds[1]);
    size_t got = 0;
    while (got < sizeof(double) * DRAWS) {
        ssize_t n = read(fds[0], (char *)out + got, sizeof(double) * DRAWS - got);
        assert_true(n > 0);
        got += (size_t)n;
    }
    close(fds[0]);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* Processes retrying together must not all back off by the same delays. */
static void test_random01_differs_per_process(void **state)
{
    (void)state;
    double parent = retry_random01(); /* seeds this process first: children must not copy it */
    assert_true(parent >= 0.0 && parent < 1.0);
    double one[DRAWS], two[DRAWS], mine[DRAWS];
    child_draws(one);
    child_draws(two);
    for (int i = 0; i < DRAWS; i++)
        mine[i] = retry_random01();
    assert_true(memcmp(one, two, sizeof one) != 0);
    assert_true(memcmp(one, mine, sizeof one) != 0);
    assert_true(memcmp(two, mine, sizeof two) != 0);
    for (int i = 0; i < DRAWS; i++)
        assert_true(one[i] >= 0.0 && one[i] < 1.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classify_codes),
        cmocka_unit_test(test_classify_status_and_transport),
        cmocka_unit_test(test_backoff_bounds),
        cmocka_unit_test(test_quota_exhaustion_and_refund),
        cmocka_unit_test(test_decide_attempts),
        cmocka_unit_test(test_decide_refresh_once),
        cmocka_unit_test(test_decide_quota_empty),
        cmocka_unit_test(test_rng_seeds),
        cmocka_unit_test(test_random01_differs_per_process),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
