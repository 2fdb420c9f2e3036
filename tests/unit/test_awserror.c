#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vpcx/aws/awserror.h"
#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"

#include "testutil.h"

static char *read_sample(const char *rel, size_t *len)
{
    char *path = xasprintf("%s/ec2-xml/%s", testdata_dir(), rel);
    char *text = test_read_file(path, len);
    free(path);
    return text;
}

static void test_classify(void **state)
{
    static const struct {
        const char *code;
        int http;
        enum vpcx_status want;
    } cases[] = {
        {"RequestLimitExceeded", 503, VPCX_ERR_THROTTLED},
        {"Throttling", 400, VPCX_ERR_THROTTLED},
        {"EC2ThrottledException", 400, VPCX_ERR_THROTTLED},
        {"AuthFailure", 401, VPCX_ERR_AUTH},
        {"InvalidClientTokenId", 403, VPCX_ERR_AUTH},
        {"SignatureDoesNotMatch", 403, VPCX_ERR_AUTH},
        {"MissingAuthenticationToken", 403, VPCX_ERR_AUTH},
        {"InvalidAccessKeyId", 403, VPCX_ERR_AUTH},
        {"RequestExpired", 400, VPCX_ERR_EXPIRED},
        {"ExpiredToken", 400, VPCX_ERR_EXPIRED},
        {"ExpiredTokenException", 400, VPCX_ERR_EXPIRED},
        {"UnauthorizedOperation", 403, VPCX_ERR_ACCESS_DENIED},
        {"AccessDenied", 403, VPCX_ERR_ACCESS_DENIED},
        {"DryRunOperation", 412, VPCX_ERR_DRY_RUN_OK},
        {"InvalidVpcEndpointId.NotFound", 400, VPCX_ERR_NOT_FOUND},
        {"InvalidVpcID.NotFound", 400, VPCX_ERR_NOT_FOUND},
        {"InternalError", 500, VPCX_ERR_SERVER},
        {"Unavailable", 503, VPCX_ERR_SERVER},
        {"InvalidParameterValue", 400, VPCX_ERR_AWS},
        {"NotFoundish", 400, VPCX_ERR_AWS},
        {"SomethingNew", 502, VPCX_ERR_SERVER},
        {NULL, 500, VPCX_ERR_SERVER},
        {"", 429, VPCX_ERR_THROTTLED},
        {NULL, 400, VPCX_ERR_AWS},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        enum vpcx_status got = aws_error_classify(cases[i].code, cases[i].http);
        if (got != cases[i].want)
            fail_msg("%s/%d: got %s", cases[i].code ? cases[i].code : "(null)", cases[i].http,
                     vpcx_status_name(got));
    }
}

static void test_fill_auth_hint(void **state)
{
    struct vpcx_error err;
    vpcx_error_init(&err);
    aws_error_fill(&err, 401, "AuthFailure", "AWS was not able to validate\x1b[2J", "req-1");
    assert_int_equal(err.status, VPCX_ERR_AUTH);
    assert_int_equal(err.http_status, 401);
    assert_string_equal(err.aws_code, "AuthFailure");
    assert_string_equal(err.request_id, "req-1");
    assert_string_equal(err.message, "AWS was not able to validate\\x1b[2J");
    assert_non_null(strstr(err.hint, "clock"));
    assert_non_null(strstr(err.hint, "the profile in use"));

    struct aws_error_context ctx = {.profile = "dev", .retries = 4};
    aws_error_fill_ctx(&err, 401, "AuthFailure", "x", NULL, &ctx);
    assert_non_null(strstr(err.hint, "profile 'dev'"));
    assert_null(err.request_id);

    aws_error_fill(&err, 400, "RequestExpired", "Request has expired.", NULL);
    assert_int_equal(err.status, VPCX_ERR_EXPIRED);
    assert_non_null(strstr(err.hint, "5 minutes"));

    aws_error_fill_ctx(&err, 503, "RequestLimitExceeded", "Request limit exceeded.", NULL, &ctx);
    assert_int_equal(err.status, VPCX_ERR_THROTTLED);
    assert_non_null(strstr(err.hint, "retried 4 times"));

    aws_error_fill(&err, 400, "InvalidVpcEndpointId.NotFound", "gone", NULL);
    assert_int_equal(err.status, VPCX_ERR_NOT_FOUND);
    assert_non_null(strstr(err.hint, "eventually consistent"));

    aws_error_fill(&err, 400, "InvalidParameterValue", NULL, NULL);
    assert_int_equal(err.status, VPCX_ERR_AWS);
    assert_string_equal(err.message, "InvalidParameterValue");
    assert_null(err.hint);
    vpcx_error_finish(&err);
}

static void test_fill_encoded_message(void **state)
{
    struct vpcx_error err;
    vpcx_error_init(&err);
    aws_error_fill(&err, 403, "UnauthorizedOperation",
                   "You are not authorized. Encoded authorization failure message: AbC-12_x", "r");
    assert_int_equal(err.status, VPCX_ERR_ACCESS_DENIED);
    assert_non_null(strstr(err.hint, "aws sts decode-authorization-message --encoded-message "
                                     "AbC-12_x"));
    aws_error_fill(&err, 403, "UnauthorizedOperation", "You are not authorized.", "r");
    assert_null(strstr(err.hint, "decode"));
    /* A token that is not base64url is never pasted into a shell command. */
    aws_error_fill(&err, 403, "UnauthorizedOperation",
                   "Encoded authorization failure message: $(curl${IFS}x|sh)", "r");
    assert_null(strstr(err.hint, "curl"));
    assert_non_null(strstr(err.hint, "permission"));
    vpcx_error_finish(&err);
}

static void check_body(const char *rel, int http, enum vpcx_status want, const char *code,
                       const char *request_id)
{
    size_t len = 0;
    char *body = read_sample(rel, &len);
    assert_non_null(body);
    struct vpcx_error err;
    vpcx_error_init(&err);
    assert_int_equal(aws_error_from_body(&err, http, body, len), want);
    assert_int_equal(err.status, want);
    assert_string_equal(err.aws_code, code);
    assert_string_equal(err.request_id, request_id);
    assert_non_null(err.message);
    assert_int_equal(err.http_status, http);
    vpcx_error_finish(&err);
    free(body);
}

static void test_from_body_samples(void **state)
{
    check_body("model-derived/error-auth-failure.xml", 401, VPCX_ERR_AUTH, "AuthFailure",
               "5e4d3c2b-1a09-4f8e-9d7c-6b5a49382716");
    check_body("model-derived/error-dry-run-operation.xml", 412, VPCX_ERR_DRY_RUN_OK,
               "DryRunOperation", "2d8a1c4e-3b5f-4a6d-9e7c-8f1a2b3c4d5e");
    check_body("model-derived/sts-error-expired-token.xml", 400, VPCX_ERR_EXPIRED, "ExpiredToken",
               "4fc0d3ee-efef-11e9-9282-3b7bffe54a9b");
    check_body("model-derived/error-request-limit-exceeded.xml", 503, VPCX_ERR_THROTTLED,
               "RequestLimitExceeded", "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d");
    check_body("model-derived/error-invalid-vpc-endpoint-id-not-found.xml", 400, VPCX_ERR_NOT_FOUND,
               "InvalidVpcEndpointId.NotFound", "c0ffee00-1234-4abc-8def-0123456789ab");
    check_body("model-derived/error-request-expired.xml", 400, VPCX_ERR_EXPIRED, "RequestExpired",
               "9a8b7c6d-5e4f-4321-8fed-cba987654321");
    check_body("model-derived/error-unauthorized-operation.xml", 403, VPCX_ERR_ACCESS_DENIED,
               "UnauthorizedOperation", "8f7e6d5c-4b3a-4291-8e7f-6d5c4b3a2918");
    check_body("api-reference/error-invalid-instance-id.xml", 400, VPCX_ERR_NOT_FOUND,
               "InvalidInstanceID.NotFound", "ea966190-f9aa-478e-9ede-example");
}

static void test_from_body_not_xml(void **state)
{
    static const char *const bodies[] = {
        "<html><body><h1>500 Internal Server Error</h1></body></html>",
        "<!DOCTYPE html><html><body>x</body></html>",
        "",
        "Internal Server Error",
        "<DescribeVpcsResponse></DescribeVpcsResponse>", /* XML, but no error in it */
    };
    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        struct vpcx_error err;
        vpcx_error_init(&err);
        assert_int_equal(aws_error_from_body(&err, 500, bodies[i], strlen(bodies[i])),
                         VPCX_ERR_SERVER);
        assert_string_equal(err.message, "HTTP 500 with a non-XML body");
        assert_null(err.aws_code);
        assert_non_null(err.hint);
        assert_int_equal(aws_error_from_body(&err, 400, bodies[i], strlen(bodies[i])),
                         VPCX_ERR_AWS);
        vpcx_error_finish(&err);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classify),
        cmocka_unit_test(test_fill_auth_hint),
        cmocka_unit_test(test_fill_encoded_message),
        cmocka_unit_test(test_from_body_samples),
        cmocka_unit_test(test_from_body_not_xml),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
