#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "vpcx/core/status.h"

static void test_table_complete(void **state)
{
    for (int s = 0; s < VPCX_STATUS_COUNT; s++) {
        assert_non_null(vpcx_status_message((enum vpcx_status)s));
        assert_true(strlen(vpcx_status_name((enum vpcx_status)s)) > 0);
    }
    assert_string_equal(vpcx_status_name(VPCX_ERR_THROTTLED), "ERR_THROTTLED");
    assert_string_equal(vpcx_status_message((enum vpcx_status)9999), "unknown status");
}

static void test_exit_classes(void **state)
{
    assert_int_equal(vpcx_status_exit(VPCX_OK), VPCX_EXIT_OK);
    assert_int_equal(vpcx_status_exit(VPCX_ERR_USAGE), VPCX_EXIT_USAGE);
    assert_int_equal(vpcx_status_exit(VPCX_ERR_PROFILE_NOT_FOUND), VPCX_EXIT_USAGE);
    assert_int_equal(vpcx_status_exit(VPCX_ERR_AUTH), VPCX_EXIT_AUTH);
    assert_int_equal(vpcx_status_exit(VPCX_ERR_EXPIRED), VPCX_EXIT_AUTH);
    assert_int_equal(vpcx_status_exit(VPCX_ERR_NETWORK), VPCX_EXIT_UNREACHABLE);
    assert_int_equal(vpcx_status_exit(VPCX_ERR_PARSE), VPCX_EXIT_ERROR);
}

static void test_error_format_and_sanitise(void **state)
{
    struct vpcx_error err;
    vpcx_error_init(&err);
    vpcx_error_set(&err, VPCX_ERR_AUTH, "key %s was refused\x1b[2J", "AKIDEXAMPLE");
    err.aws_code = strdup("AuthFailure");
    err.http_status = 401;
    err.request_id = strdup("req-1");
    char *line = vpcx_error_format(&err);
    assert_string_equal(
        line, "key AKIDEXAMPLE was refused\\x1b[2J (AuthFailure, HTTP 401, request ID req-1)");
    free(line);

    struct vpcx_error copy;
    vpcx_error_init(&copy);
    vpcx_error_copy(&copy, &err);
    assert_string_equal(copy.aws_code, "AuthFailure");
    vpcx_error_finish(&err);
    vpcx_error_finish(&copy);
    assert_null(err.message);

    vpcx_error_set(&err, VPCX_ERR_IO, "plain");
    line = vpcx_error_format(&err);
    assert_string_equal(line, "plain");
    free(line);
    vpcx_error_finish(&err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_complete),
        cmocka_unit_test(test_exit_classes),
        cmocka_unit_test(test_error_format_and_sanitise),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
