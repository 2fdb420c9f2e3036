/* The scope plan's pure pieces: lists, globs, the config's "set regions". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "vpcx/cli/cli.h"
#include "vpcx/cli/scopes.h"
#include "vpcx/sync/scopes.h"

static void test_split_list(void **state)
{
    (void)state;
    char **v = scope_split_list("us-east-1, eu-west-1,,us-east-1 ,ap-south-1");
    assert_string_equal(v[0], "us-east-1");
    assert_string_equal(v[1], "eu-west-1");
    assert_string_equal(v[2], "ap-south-1");
    assert_null(v[3]);
    scope_free_list(v);
    v = scope_split_list(",");
    assert_null(v[0]);
    scope_free_list(v);
}

/* :region refuses a name no partition's regionRegex (botocore partitions.json) matches. */
static void test_region_names(void **state)
{
    (void)state;
    const struct aws_session_options base = {.aws = {.region = "us-east-1"}};
    static const char *const known[] = {"eu-west-1",      "us-east-1",      "ap-southeast-2",
                                        "us-gov-west-1",  "cn-northwest-1", "eusc-de-east-1",
                                        "us-isob-east-1", "il-central-1",   "mx-central-1"};
    static const char *const unknown[] = {"mars-north-1", "us-east", "eu-west-1x", "EU-WEST-1",
                                          "eu--1",        "",        "us-east-1 ", "xx-west-1"};
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        struct vpcx_error err;
        vpcx_error_init(&err);
        assert_int_equal(scope_check_name(&base, NULL, known[i], &err), VPCX_OK);
        vpcx_error_finish(&err);
    }
    for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
        struct vpcx_error err;
        vpcx_error_init(&err);
        assert_int_equal(scope_check_name(&base, NULL, unknown[i], &err), VPCX_ERR_USAGE);
        assert_non_null(strstr(err.message, "unknown region"));
        vpcx_error_finish(&err);
    }
}

static void test_globs(void **state)
{
    (void)state;
    assert_true(scope_is_glob("prod-*"));
    assert_true(scope_is_glob("p?od"));
    assert_true(scope_is_glob("[pd]*"));
    assert_false(scope_is_glob("prod"));
    assert_true(scope_glob_match("prod-*", "prod-eu"));
    assert_false(scope_glob_match("prod-*", "dev-prod-eu"));
    assert_true(scope_glob_match("*-eu", "prod-eu"));
    assert_true(scope_glob_match("[pd]*", "dev"));
    assert_false(scope_glob_match("prod", "production"));
}

static void test_config_regions(void **state)
{
    (void)state;
    const char *text = "# regions\nset mouse on\nset regions us-east-1 eu-west-1,ap-south-1\n";
    char **regions = NULL;
    bool all = true;
    struct vpcx_error err;
    vpcx_error_init(&err);
    assert_int_equal(scope_config_regions(text, strlen(text), &regions, &all, &err), VPCX_OK);
    assert_false(all);
    assert_string_equal(regions[0], "us-east-1");
    assert_string_equal(regions[1], "eu-west-1");
    assert_string_equal(regions[2], "ap-south-1");
    assert_null(regions[3]);
    scope_free_list(regions);

    /* the last line wins; "all" means every enabled region */
    text = "set regions us-east-1\nset regions all\n";
    assert_int_equal(scope_config_regions(text, strlen(text), &regions, &all, &err), VPCX_OK);
    assert_true(all);
    assert_null(regions);

    text = "bind j down\n";
    assert_int_equal(scope_config_regions(text, strlen(text), &regions, &all, &err), VPCX_OK);
    assert_null(regions);
    assert_false(all);

    text = "set mouse on\nset regions\n";
    assert_int_equal(scope_config_regions(text, strlen(text), &regions, &all, &err),
                     VPCX_ERR_CONFIG);
    assert_non_null(strstr(err.message, "line 2"));
    vpcx_error_finish(&err);
}

static void test_plan_requested(void **state)
{
    (void)state;
    struct cli_options o;
    memset(&o, 0, sizeof(o));
    const char *cfg = "set regions us-east-1 eu-west-1\n";
    assert_false(scope_plan_requested(&o, NULL, 0));
    assert_true(scope_plan_requested(&o, cfg, strlen(cfg)));
    o.region = "us-east-1"; /* --region wins over the config */
    assert_false(scope_plan_requested(&o, cfg, strlen(cfg)));
    o.region = NULL;
    o.regions = "us-east-1";
    assert_true(scope_plan_requested(&o, NULL, 0));
}

/* Profiles x regions, in order, each pair once. */
static void test_plan_cross_product(void **state)
{
    (void)state;
    struct cli_options o;
    memset(&o, 0, sizeof(o));
    o.profiles = "a,b,a";
    o.regions = "r1,r2";
    struct scope_plan p;
    struct vpcx_error err;
    vpcx_error_init(&err);
    assert_int_equal(scope_plan_build(&o, NULL, 0, &p, &err), VPCX_OK);
    assert_int_equal(p.n, 4);
    const char *want[4][2] = {{"a", "r1"}, {"a", "r2"}, {"b", "r1"}, {"b", "r2"}};
    for (size_t i = 0; i < 4; i++) {
        assert_string_equal(p.profiles[i], want[i][0]);
        assert_string_equal(p.regions[i], want[i][1]);
        assert_null(p.failures[i]);
    }
    scope_plan_finish(&p);
    o.profiles = NULL;
    o.regions = " , ";
    assert_int_equal(scope_plan_build(&o, NULL, 0, &p, &err), VPCX_ERR_USAGE);
    vpcx_error_finish(&err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_list),         cmocka_unit_test(test_globs),
        cmocka_unit_test(test_config_regions),     cmocka_unit_test(test_plan_requested),
        cmocka_unit_test(test_plan_cross_product), cmocka_unit_test(test_region_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
