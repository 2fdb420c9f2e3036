/* organizations: the ListAccounts answer as the botocore model documents it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"
#include "vpcx/aws/organizations.h"

static enum vpcx_status parse(const char *json, struct org_accounts *out, char **next,
                              struct vpcx_error *err)
{
    return org_parse_list_accounts(json, strlen(json), out, next, err);
}

/* The model's own example (examples-1.json of organizations 2016-11-28). */
static void test_documented_example(void **state)
{
    (void)state;
    char path[4096];
    snprintf(path, sizeof(path), "%s/organizations/list-accounts-example.json", testdata_dir());
    size_t len;
    char *body = test_read_file(path, &len);
    assert_non_null(body);
    struct org_accounts a = {0};
    char *next = (char *)"unset";
    struct vpcx_error err;
    vpcx_error_init(&err);
    assert_int_equal(org_parse_list_accounts(body, len, &a, &next, &err), VPCX_OK);
    assert_null(next);
    assert_int_equal(a.n, 4);
    assert_string_equal(a.items[0].id, "111111111111");
    assert_string_equal(a.items[0].name, "Master Account");
    assert_string_equal(a.items[3].id, "444444444444");
    org_accounts_finish(&a);
    vpcx_error_finish(&err);
    free(body);
}

/* State wins over the retiring Status; only ACTIVE accounts are kept; pages append. */
static void test_state_status_and_pages(void **state)
{
    (void)state;
    struct org_accounts a = {0};
    char *next = NULL;
    struct vpcx_error err;
    vpcx_error_init(&err);
    assert_int_equal(parse("{\"Accounts\":["
                           "{\"Id\":\"222222222222\",\"Name\":\"a\",\"Status\":\"ACTIVE\"},"
                           "{\"Id\":\"333333333333\",\"Status\":\"SUSPENDED\"},"
                           "{\"Id\":\"444444444444\",\"Status\":\"ACTIVE\",\"State\":\"CLOSED\"},"
                           "{\"Id\":\"555555555555\",\"State\":\"ACTIVE\"},"
                           "{\"Id\":\"666666666666\",\"State\":\"PENDING_ACTIVATION\"},"
                           "{\"Id\":\"777777777777\"}],"
                           "\"NextToken\":\"tok-1\"}",
                           &a, &next, &err),
                     VPCX_OK);
    assert_string_equal(next, "tok-1");
    free(next);
    assert_int_equal(a.n, 2);
    assert_string_equal(a.items[0].id, "222222222222");
    assert_string_equal(a.items[1].id, "555555555555");
    assert_string_equal(a.items[1].name, "");
    /* the last page: no NextToken (or null), appended to what was there */
    assert_int_equal(parse("{\"Accounts\":[{\"Id\":\"888888888888\",\"State\":\"ACTIVE\","
                           "\"Name\":\"evil\\u001b[2Jname\"}],\"NextToken\":null}",
                           &a, &next, &err),
                     VPCX_OK);
    assert_null(next);
    assert_int_equal(a.n, 3);
    assert_null(strchr(a.items[2].name, '\x1b')); /* names are sanitised */
    org_accounts_finish(&a);
    assert_int_equal(a.n, 0);
    vpcx_error_finish(&err);
}

static void test_malformed(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "[]",
        "not json",
        "{\"Accounts\":{}}",
        "{\"Accounts\":[{\"State\":\"ACTIVE\"}]}",
        "{\"Accounts\":[{\"Id\":\"12345\",\"State\":\"ACTIVE\"}]}",
        "{\"Accounts\":[{\"Id\":\"12345678901x\",\"State\":\"ACTIVE\"}]}",
        "{\"Accounts\":[{\"Id\":\"../12345678901\",\"State\":\"ACTIVE\"}]}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct org_accounts a = {0};
        char *next = NULL;
        struct vpcx_error err;
        vpcx_error_init(&err);
        assert_int_equal(parse(bad[i], &a, &next, &err), VPCX_ERR_PARSE);
        assert_null(next);
        org_accounts_finish(&a);
        vpcx_error_finish(&err);
    }
    /* no Accounts at all is an empty page */
    struct org_accounts a = {0};
    char *next = NULL;
    struct vpcx_error err;
    vpcx_error_init(&err);
    assert_int_equal(parse("{}", &a, &next, &err), VPCX_OK);
    assert_int_equal(a.n, 0);
    vpcx_error_finish(&err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_documented_example),
        cmocka_unit_test(test_state_status_and_pages),
        cmocka_unit_test(test_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
