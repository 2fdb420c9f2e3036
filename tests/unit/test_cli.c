#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "vpcx/cli/cli.h"

#define ARGV(...)                                                                                  \
    (char *[])                                                                                     \
    {                                                                                              \
        "vpcx", __VA_ARGS__, NULL                                                                  \
    }

static enum vpcx_status parse(char **argv, struct cli_options *o, struct vpcx_error *e)
{
    int argc = 0;
    while (argv[argc])
        argc++;
    vpcx_error_init(e);
    return cli_parse(argc, argv, o, e);
}

static void test_dump_with_global_options_anywhere(void **state)
{
    struct cli_options o;
    struct vpcx_error e;
    char **argv = ARGV("--profile", "dev", "dump", "--region", "eu-west-1", "--format=text",
                       "--endpoint-url", "http://127.0.0.1:5000", "-o", "out.txt");
    assert_int_equal(parse(argv, &o, &e), VPCX_OK);
    assert_int_equal(o.command, CLI_CMD_DUMP);
    assert_string_equal(o.profile, "dev");
    assert_string_equal(o.region, "eu-west-1");
    assert_string_equal(o.endpoint_url, "http://127.0.0.1:5000");
    assert_int_equal(o.format, CLI_FORMAT_TEXT);
    assert_string_equal(o.output, "out.txt");
    assert_false(o.pretty); /* output to a file: compact unless asked */
}

static void expect_usage(char **argv, const char *fragment)
{
    struct cli_options o;
    struct vpcx_error e;
    assert_int_equal(parse(argv, &o, &e), VPCX_ERR_USAGE);
    assert_non_null(e.message);
    if (!strstr(e.message, fragment))
        fail_msg("'%s' lacks '%s'", e.message, fragment);
    vpcx_error_finish(&e);
}

static void test_usage_errors_name_the_argument(void **state)
{
    expect_usage(ARGV("dump", "--format", "yaml"), "yaml");
    expect_usage(ARGV("dump", "--bogus"), "--bogus");
    expect_usage(ARGV("frobnicate"), "frobnicate");
    expect_usage(ARGV("dump", "--region"), "--region");
    expect_usage(ARGV("dump", "--max-attempts", "0"), "--max-attempts");
    expect_usage(ARGV("dump", "--concurrency", "12x"), "12x");
    expect_usage(ARGV("check", "--regions", "us-east-1,eu-west-1"), "dump and the explorer");
    expect_usage(ARGV("dump", "--region", "us-east-1", "--regions", "eu-west-1"), "exclude");
    expect_usage(ARGV("dump", "--profile", "a", "--profiles", "b"), "exclude");
    expect_usage(ARGV("--demo", "--all-regions"), "--demo");
    expect_usage(ARGV("dump", "--org-role", "R", "--profiles", "b"), "--org-role and --profiles");
    expect_usage(ARGV("dump", "--org-role", "R", "--offline"), "--offline");
    expect_usage(ARGV("check", "--org-role", "R"), "dump and the explorer");
    expect_usage(ARGV("dump", "--org-role", "a:b"), "role name");
    expect_usage(ARGV("dump", "--org-role", "/Role"), "role name");
    expect_usage(ARGV("dump", "--org-role", ""), "role name");
    expect_usage(ARGV("dump", "whoami"), "whoami");
    expect_usage(ARGV("dump", "--demo", "--snapshot", "x.json"), "cannot be combined");
}

static void test_org_role(void **state)
{
    (void)state;
    struct cli_options o;
    struct vpcx_error e;
    assert_int_equal(parse(ARGV("dump", "--org-role", "team/Org.Access_Role", "--regions",
                                "us-east-1,eu-west-1"),
                           &o, &e),
                     VPCX_OK);
    assert_string_equal(o.org_role, "team/Org.Access_Role");
    vpcx_error_finish(&e);
}

static void test_metrics_options(void **state)
{
    struct cli_options o;
    struct vpcx_error e;
    assert_int_equal(parse(ARGV("metrics", "vpce-1", "--since", "24h", "--format", "json"), &o, &e),
                     VPCX_OK);
    assert_int_equal(o.command, CLI_CMD_METRICS);
    assert_string_equal(o.args[0], "vpce-1");
    assert_string_equal(o.since, "24h");
    assert_string_equal(o.format_arg, "json");
    assert_int_equal(parse(ARGV("check", "--metrics"), &o, &e), VPCX_OK);
    assert_true(o.metrics);
    assert_int_equal(parse(ARGV("cost", "--metrics", "--format", "csv"), &o, &e), VPCX_OK);
    expect_usage(ARGV("metrics"), "needs 1 more argument");
    expect_usage(ARGV("metrics", "vpce-1", "--since", "1h"), "'1h'");
    expect_usage(ARGV("metrics", "vpce-1", "--format", "csv"), "text or json");
    expect_usage(ARGV("dump", "--since", "3h"), "--since");
    expect_usage(ARGV("dump", "--metrics"), "--metrics");
    expect_usage(ARGV("check", "--metrics", "--offline"), "--offline");
}

static void test_help_version_and_numbers(void **state)
{
    struct cli_options o;
    struct vpcx_error e;
    assert_int_equal(parse(ARGV("--help"), &o, &e), VPCX_OK);
    assert_int_equal(o.command, CLI_CMD_HELP);
    assert_int_equal(parse(ARGV("version"), &o, &e), VPCX_OK);
    assert_int_equal(o.command, CLI_CMD_VERSION);
    assert_int_equal(parse(ARGV("dump", "--max-attempts", "5", "--compact"), &o, &e), VPCX_OK);
    assert_int_equal(o.max_attempts, 5);
    assert_false(o.pretty);
    assert_int_equal(parse(ARGV("dump", "--pretty"), &o, &e), VPCX_OK);
    assert_true(o.pretty);
    assert_int_equal(parse(ARGV(NULL), &o, &e), VPCX_OK);
    assert_int_equal(o.command, CLI_CMD_NONE);
}

/* --help is wrapped to 80 columns and names what the parser takes. */
static void test_help_fits_80_columns(void **state)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    cli_print_help(out);
    fclose(out);
    assert_true(len > 1000);
    for (const char *line = text; *line;) {
        size_t n = strcspn(line, "\n");
        if (n > 79 || (n > 0 && line[n - 1] == ' '))
            fail_msg("help line of %zu columns: '%.*s'", n, (int)n, line);
        line += n + (line[n] == '\n');
    }
    static const char *const named[] = {"  -h, --help", "  --version", "  --screen-every",
                                        "  snapshot save FILE", "  129, 130, 143"};
    for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++)
        if (!strstr(text, named[i]))
            fail_msg("--help does not name '%s'", named[i]);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dump_with_global_options_anywhere),
        cmocka_unit_test(test_usage_errors_name_the_argument),
        cmocka_unit_test(test_org_role),
        cmocka_unit_test(test_metrics_options),
        cmocka_unit_test(test_help_version_and_numbers),
        cmocka_unit_test(test_help_fits_80_columns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
