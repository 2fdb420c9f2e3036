/* The preview's aws command with " \" continuations: same words as the one-line form. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vpcx/aws/query.h"
#include "vpcx/core/strbuf.h"
#include "vpcx/model/preflight.h"
#include "vpcx/sync/mutate.h"
#include "vpcx/ui/clifmt.h"

#define SSM "com.amazonaws.us-east-1.ssm"

static char *continued(const char *cmd, int width)
{
    struct strbuf sb;
    strbuf_init(&sb, 256);
    clifmt_continued(cmd, width, &sb);
    return strbuf_detach(&sb, NULL);
}

static void test_split(void **state)
{
    (void)state;
    char **w;
    size_t n;
    assert_true(clifmt_split("aws  ec2 --x 'a b'\\''c' d\\ e '' ", &w, &n));
    assert_int_equal(n, 6);
    assert_string_equal(w[3], "'a b'\\''c'");
    assert_string_equal(w[4], "d\\ e");
    assert_string_equal(w[5], "''");
    for (size_t i = 0; i < n; i++)
        free(w[i]);
    free(w);
    assert_false(clifmt_split("aws 'open", &w, &n));
    assert_null(w);
}

static void test_layout(void **state)
{
    (void)state;
    char *out = continued("aws ec2 modify-vpc-endpoint --vpc-endpoint-id vpce-1 --add-subnet-ids "
                          "subnet-a subnet-b --reset-policy",
                          80);
    assert_string_equal(out, "aws ec2 modify-vpc-endpoint \\\n"
                             "  --vpc-endpoint-id vpce-1 \\\n"
                             "  --add-subnet-ids subnet-a subnet-b \\\n"
                             "  --reset-policy");
    free(out);
    /* A list wider than the screen: one value per line. */
    out = continued("aws ec2 x --subnet-ids subnet-0123456789 subnet-0123456788", 30);
    assert_string_equal(out, "aws ec2 x \\\n"
                             "  --subnet-ids \\\n"
                             "    subnet-0123456789 \\\n"
                             "    subnet-0123456788");
    free(out);
    /* Not a command we can split: shown as given. */
    out = continued("aws 'broken", 80);
    assert_string_equal(out, "aws 'broken");
    free(out);
}

/* What bash makes of a command: its words, one per line, with "aws" as a function. */
static char *bash_words(const char *cmd)
{
    char path[] = "/tmp/vpcx-clifmt-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fprintf(f, "aws() { printf '<%%s>\\n' \"$@\"; }\n%s\n", cmd);
    fclose(f);
    char run[128];
    snprintf(run, sizeof(run), "bash -n %s && bash %s", path, path);
    FILE *p = popen(run, "r");
    assert_non_null(p);
    struct strbuf sb;
    strbuf_init(&sb, 1024);
    char buf[512];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
        strbuf_add(&sb, buf, n);
    assert_int_equal(pclose(p), 0);
    unlink(path);
    return strbuf_detach(&sb, NULL);
}

static void test_bash_runs_the_same_words(void **state)
{
    (void)state;
    const struct endpoint_tag tags[] = {{"Name", "it's $(mine) `x` \\ \"q\""}, {"team", "a b"}};
    const char *subnets[] = {"subnet-0a1b2c3d4e5f60718", "subnet-0a1b2c3d4e5f60719",
                             "subnet-0a1b2c3d4e5f6071a"};
    const char *groups[] = {"sg-0a1b2c3d4e5f60718"};
    struct endpoint_spec s = {
        .vpc_id = "vpc-1",
        .service_name = SSM,
        .kind = INV_ENDPOINT_INTERFACE,
        .subnet_ids = {subnets, 3},
        .group_ids = {groups, 1},
        .private_dns = INV_NO,
        .policy = "{\n  \"Statement\": [{\"Sid\": \"it's \\\"quoted\\\" $HOME\"}]\n}",
        .tags = tags,
        .n_tags = 2,
    };
    struct aws_query q;
    mutate_build_create_query(&q, &s, "11111111-2222-4333-8444-555555555555");
    char *one = mutate_render_cli(&q, "us-east-1");
    aws_query_finish(&q);
    char *want = bash_words(one);
    /* Nothing was expanded: the policy and the tags reach aws as written. */
    assert_non_null(strstr(want, "it's \\\"quoted\\\" $HOME"));
    assert_non_null(strstr(want, "it's $(mine) `x`"));
    for (int width = 20; width <= 120; width += 50) {
        char *multi = continued(one, width);
        assert_non_null(strstr(multi, " \\\n  --subnet-ids"));
        char *got = bash_words(multi);
        assert_string_equal(got, want);
        free(got);
        free(multi);
    }
    free(want);
    free(one);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_bash_runs_the_same_words),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
