/*
 * The AWS client's failures before anything is sent (credentials that cannot
 * sign, an operation without an output shape): they reach done from the
 * engine, never from inside aws_client_call(), so the call it returns from is
 * still alive; and calls dropped before they finish (aws_client_cancel, a
 * client destroyed with calls out). No server: the one socket here listens on
 * loopback and never answers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vpcx/aws/client.h"
#include "vpcx/aws/http.h"
#include "vpcx/core/xalloc.h"

/* Port 9 (discard) on loopback: refused at once if anything were sent. */
#define NOWHERE "http://127.0.0.1:9"

struct seen {
    bool in_call; /* inside aws_client_call() */
    int done;
    int done_inside_call;
    enum vpcx_status status;
    char *message;
};

static void on_done(void *ud, struct aws_call_result *res)
{
    struct seen *s = ud;
    s->done++;
    s->done_inside_call += s->in_call;
    s->status = res->status;
    free(s->message);
    s->message = res->error && res->error->message ? xstrdup(res->error->message) : NULL;
}

static struct aws_client *client_at(struct http_engine *e, const char *url, const char *akid,
                                    const char *secret)
{
    struct aws_credentials creds;
    aws_credentials_init(&creds);
    creds.access_key_id = akid ? xstrdup(akid) : NULL;
    creds.secret_access_key = secret ? xstrdup(secret) : NULL;
    const struct aws_client_config cfg = {
        .region = "us-east-1",
        .ec2_endpoint = url,
        .sts_endpoint = url,
        .max_attempts = 3,
        .credentials = &creds,
    };
    struct aws_client *c = aws_client_create(e, &cfg);
    aws_credentials_finish(&creds);
    return c;
}

static struct aws_client *client_with(struct http_engine *e, const char *akid, const char *secret)
{
    return client_at(e, NOWHERE, akid, secret);
}

static struct http_engine *engine(void)
{
    struct http_engine *e = http_engine_create(NULL, NULL);
    assert_non_null(e);
    return e;
}

/* A loopback socket that accepts connections (the kernel's backlog) and never
   answers: calls to it stay out until dropped. */
static int silent_server(char *url, size_t len)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(fd, 16), 0);
    socklen_t alen = sizeof(a);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
    snprintf(url, len, "http://127.0.0.1:%u", (unsigned)ntohs(a.sin_port));
    return fd;
}

static uint64_t start(struct aws_client *c, const char *operation, struct seen *s)
{
    struct aws_query q;
    aws_query_init(&q, NULL, NULL);
    const struct aws_call_params p = {
        .service = AWS_SERVICE_EC2,
        .operation = operation,
        .query = &q,
        .done = on_done,
        .ud = s,
    };
    uint64_t id = aws_client_call(c, &p);
    aws_query_finish(&q);
    return id;
}

static void run_for(struct http_engine *e, int steps)
{
    for (int i = 0; i < steps; i++)
        http_engine_step(e, -1, 20, NULL);
}

/* A signal ending a run once left every call in flight, its parser and
   buffers unreachable: cancelled calls are freed and never call back. */
static void test_cancel_drops_a_call_in_flight(void **state)
{
    (void)state;
    char url[64];
    int srv = silent_server(url, sizeof(url));
    struct http_engine *e = engine();
    struct aws_client *c = client_at(e, url, "AKIDTEST", "secret");
    struct seen a = {0}, b = {0};
    uint64_t ia = start(c, "DescribeVpcs", &a);
    uint64_t ib = start(c, "DescribeSubnets", &b);
    run_for(e, 5);
    assert_int_equal(a.done + b.done, 0);
    aws_client_cancel(c, ia);
    aws_client_cancel(c, ia); /* twice: the second is ignored */
    aws_client_cancel(c, 999999);
    run_for(e, 5);
    assert_int_equal(a.done, 0);
    assert_int_equal(b.done, 0);
    assert_false(http_engine_idle(e)); /* b is still out */
    aws_client_cancel(c, ib);
    assert_true(http_engine_idle(e));
    aws_client_destroy(c);
    http_engine_destroy(e);
    close(srv);
}

/* Destroying the client with calls out frees them (ASan's leak check is the
   judge); their done never runs. */
static void test_destroy_with_calls_out(void **state)
{
    (void)state;
    char url[64];
    int srv = silent_server(url, sizeof(url));
    struct http_engine *e = engine();
    struct aws_client *c = client_at(e, url, "AKIDTEST", "secret");
    struct seen a = {0}, b = {0};
    start(c, "DescribeVpcs", &a);
    start(c, "DescribeNothingAtAll", &b); /* fails later, from a timer */
    run_for(e, 2);
    aws_client_destroy(c);
    run_for(e, 5);
    assert_int_equal(a.done, 0);
    http_engine_destroy(e);
    free(b.message);
    close(srv);
}

/* Starts operation and runs the engine until its done ran (bounded). */
static void call_and_run(struct http_engine *e, struct aws_client *c, const char *operation,
                         const char *item_list, struct seen *s)
{
    struct aws_query q;
    aws_query_init(&q, NULL, NULL);
    const struct aws_call_params p = {
        .service = AWS_SERVICE_EC2,
        .operation = operation,
        .query = &q,
        .item_list = item_list,
        .done = on_done,
        .ud = s,
    };
    s->in_call = true;
    uint64_t id = aws_client_call(c, &p);
    s->in_call = false;
    aws_query_finish(&q);
    assert_true(id > 0);
    assert_int_equal(s->done_inside_call, 0);
    for (int i = 0; i < 100 && !s->done; i++)
        http_engine_step(e, -1, 100, NULL);
    assert_int_equal(s->done, 1);
}

/* An AssumeRole answer with <AccessKeyId/> once led here: a synchronous
   failure freed the call that aws_client_call() then read. */
static void test_empty_key_fails_through_the_engine(void **state)
{
    (void)state;
    static const char *const keys[][2] = {{"", "secret"}, {"AKIDTEST", ""}, {NULL, "secret"}};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        struct http_engine *e = engine();
        struct aws_client *c = client_with(e, keys[i][0], keys[i][1]);
        struct seen s = {0};
        call_and_run(e, c, "DescribeVpcs", NULL, &s);
        assert_int_equal(s.status, VPCX_ERR_NO_CREDENTIALS);
        assert_non_null(s.message);
        assert_non_null(strstr(s.message, "DescribeVpcs: cannot sign"));
        assert_non_null(strstr(s.message, "empty"));
        struct aws_client_stats st;
        aws_client_get_stats(c, &st);
        assert_int_equal(st.retries, 0);
        assert_int_equal(st.bytes, 0);
        free(s.message);
        aws_client_destroy(c);
        http_engine_destroy(e);
    }
}

static void test_no_output_shape_fails_through_the_engine(void **state)
{
    (void)state;
    struct http_engine *e = engine();
    struct aws_client *c = client_with(e, "AKIDTEST", "secret");
    struct seen s = {0};
    call_and_run(e, c, "DescribeNothingAtAll", NULL, &s);
    assert_int_equal(s.status, VPCX_ERR_INTERNAL);
    assert_non_null(strstr(s.message, "DescribeNothingAtAll: no response shape"));
    free(s.message);
    memset(&s, 0, sizeof(s));
    /* a known operation streaming a list it does not have */
    call_and_run(e, c, "DescribeVpcs", "NoSuchList", &s);
    assert_int_equal(s.status, VPCX_ERR_INTERNAL);
    assert_non_null(strstr(s.message, "NoSuchList"));
    free(s.message);
    aws_client_destroy(c);
    http_engine_destroy(e);
}

static void test_call_sync_reports_empty_key(void **state)
{
    (void)state;
    struct http_engine *e = engine();
    struct aws_client *c = client_with(e, "", "secret");
    struct aws_query q;
    aws_query_init(&q, NULL, NULL);
    struct vpcx_error err;
    vpcx_error_init(&err);
    cJSON *result = NULL;
    assert_int_equal(
        aws_client_call_sync(c, AWS_SERVICE_STS, "GetCallerIdentity", &q, &result, &err),
        VPCX_ERR_NO_CREDENTIALS);
    assert_null(result);
    assert_non_null(strstr(err.message, "access key ID or the secret access key is empty"));
    vpcx_error_finish(&err);
    aws_query_finish(&q);
    aws_client_destroy(c);
    http_engine_destroy(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_key_fails_through_the_engine),
        cmocka_unit_test(test_no_output_shape_fails_through_the_engine),
        cmocka_unit_test(test_call_sync_reports_empty_key),
        cmocka_unit_test(test_cancel_drops_a_call_in_flight),
        cmocka_unit_test(test_destroy_with_calls_out),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
