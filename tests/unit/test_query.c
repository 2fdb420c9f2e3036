/*
 * Query encoding: percent-encoding, list and filter keys, set/replace, and the
 * bodies of the botocore-generated EC2/STS requests in
 * $VPCX_TESTDATA/sigv4/generated-ec2 rebuilt from their parameters.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "vpcx/aws/query.h"
#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"

#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void check_encode(const char *in, bool encode_slash, const char *want)
{
    struct strbuf sb = STRBUF_INIT;
    strbuf_init(&sb, 0);
    aws_uri_encode(&sb, in, strlen(in), encode_slash);
    assert_string_equal(sb.buf, want);
    strbuf_release(&sb);
}

static void check_decode(const char *in, const char *want)
{
    struct strbuf sb = STRBUF_INIT;
    strbuf_init(&sb, 0);
    aws_uri_decode(&sb, in, strlen(in));
    assert_string_equal(sb.buf, want);
    strbuf_release(&sb);
}

static void test_uri_encode(void **state)
{
    (void)state;
    check_encode("", true, "");
    check_encode("a b", true, "a%20b");
    check_encode("a+b", true, "a%2Bb");
    check_encode("a/b", true, "a%2Fb");
    check_encode("a/b", false, "a/b");
    check_encode("-_.~", true, "-_.~");
    check_encode("AZaz09", true, "AZaz09");
    check_encode("*", true, "%2A");
    check_encode("=&:;,?#%", true, "%3D%26%3A%3B%2C%3F%23%25");
    check_encode("\xce\xb1", true, "%CE%B1");        /* α */
    check_encode("\xe1\x88\xb4", true, "%E1%88%B4"); /* ሴ */
    check_encode("\x7f\x01\xff", true, "%7F%01%FF");

    struct strbuf sb = STRBUF_INIT;
    strbuf_init(&sb, 0);
    aws_uri_encode(&sb, "a\0b", 3, true);
    assert_string_equal(sb.buf, "a%00b");
    strbuf_release(&sb);
}

static void test_uri_decode(void **state)
{
    (void)state;
    check_decode("%E1%88%B4", "\xe1\x88\xb4");
    check_decode("a%20b%2fc", "a b/c");
    check_decode("a+b", "a+b");
    check_decode("%", "%");
    check_decode("%4", "%4");
    check_decode("%zz%4g", "%zz%4g");
    check_decode("x%41", "xA");
}

/* decode(encode(s)) == s for every byte value, and the encoding is unreserved-only. */
static void test_uri_roundtrip(void **state)
{
    (void)state;
    char all[256];
    for (int i = 0; i < 256; i++)
        all[i] = (char)i;
    struct strbuf enc = STRBUF_INIT, dec = STRBUF_INIT;
    strbuf_init(&enc, 0);
    strbuf_init(&dec, 0);
    aws_uri_encode(&enc, all, sizeof(all), true);
    assert_null(strpbrk(enc.buf, " +/=&"));
    aws_uri_decode(&dec, enc.buf, enc.len);
    assert_int_equal(dec.len, sizeof(all));
    assert_memory_equal(dec.buf, all, sizeof(all));
    strbuf_release(&enc);
    strbuf_release(&dec);
}

static void test_basic_and_types(void **state)
{
    (void)state;
    struct aws_query q;
    aws_query_init(&q, "DescribeVpcs", "2016-11-15");
    assert_string_equal(aws_query_encode(&q), "Action=DescribeVpcs&Version=2016-11-15");
    aws_query_add(&q, "Skipped", NULL);
    aws_query_add_bool(&q, "DryRun", true);
    aws_query_add_bool(&q, "PrivateDnsEnabled", false);
    aws_query_add_int(&q, "MaxResults", 1000);
    aws_query_add_int(&q, "Neg", -9000000000LL);
    assert_string_equal(aws_query_encode(&q),
                        "Action=DescribeVpcs&Version=2016-11-15&DryRun=true&PrivateDnsEnabled=false"
                        "&MaxResults=1000&Neg=-9000000000");
    assert_null(aws_query_get(&q, "Skipped"));
    assert_string_equal(aws_query_get(&q, "MaxResults"), "1000");
    aws_query_finish(&q);

    aws_query_init(&q, NULL, NULL);
    assert_string_equal(aws_query_encode(&q), "");
    aws_query_add(&q, "Key with space", "a b+c/d~e*");
    assert_string_equal(aws_query_encode(&q), "Key%20with%20space=a%20b%2Bc%2Fd~e%2A");
    aws_query_finish(&q);
}

static void test_lists_and_filters(void **state)
{
    (void)state;
    struct aws_query q;
    aws_query_init(&q, "DescribeSubnets", "2016-11-15");
    const char *const vpcs[] = {"vpc-a", "vpc-b"};
    const char *const zone[] = {"us-east-1a"};
    const char *const subnets[] = {"subnet-1", "subnet-2", "subnet-3"};
    assert_int_equal(aws_query_add_filter(&q, "vpc-id", vpcs, 2), 1);
    assert_int_equal(aws_query_add_filter(&q, "availability-zone", zone, 1), 2);
    aws_query_add_list(&q, "SubnetId", subnets, 3);
    aws_query_add_list(&q, "Empty", NULL, 0);
    assert_string_equal(aws_query_encode(&q),
                        "Action=DescribeSubnets&Version=2016-11-15"
                        "&Filter.1.Name=vpc-id&Filter.1.Value.1=vpc-a&Filter.1.Value.2=vpc-b"
                        "&Filter.2.Name=availability-zone&Filter.2.Value.1=us-east-1a"
                        "&SubnetId.1=subnet-1&SubnetId.2=subnet-2&SubnetId.3=subnet-3");
    assert_string_equal(aws_query_get(&q, "Filter.2.Value.1"), "us-east-1a");
    aws_query_finish(&q);
}

static void test_nested_keys(void **state)
{
    (void)state;
    struct aws_query q;
    aws_query_init(&q, "CreateVpcEndpoint", "2016-11-15");
    aws_query_add(&q, "TagSpecification.1.ResourceType", "vpc-endpoint");
    for (size_t i = 1; i <= 2; i++) {
        aws_query_add_keyf(&q, i == 1 ? "Name" : "team", "TagSpecification.%d.Tag.%zu.Key", 1, i);
        aws_query_add_keyf(&q, i == 1 ? "my endpoint" : "net/ops",
                           "TagSpecification.%d.Tag.%zu.Value", 1, i);
    }
    aws_query_add_keyf(&q, NULL, "Ignored.%d", 1);
    aws_query_add(&q, "DnsOptions.DnsRecordIpType", "ipv4");
    const char *const arns[] = {"arn:aws:iam::aws:policy/ReadOnlyAccess"};
    aws_query_add_list(&q, "PolicyArns.member", arns, 1);
    assert_string_equal(aws_query_encode(&q),
                        "Action=CreateVpcEndpoint&Version=2016-11-15"
                        "&TagSpecification.1.ResourceType=vpc-endpoint"
                        "&TagSpecification.1.Tag.1.Key=Name"
                        "&TagSpecification.1.Tag.1.Value=my%20endpoint"
                        "&TagSpecification.1.Tag.2.Key=team"
                        "&TagSpecification.1.Tag.2.Value=net%2Fops"
                        "&DnsOptions.DnsRecordIpType=ipv4"
                        "&PolicyArns.member.1=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FReadOnlyAccess");
    aws_query_finish(&q);
}

static void test_set_replace_remove(void **state)
{
    (void)state;
    struct aws_query q;
    aws_query_init(&q, "DescribeVpcEndpoints", "2016-11-15");
    aws_query_add(&q, "MaxResults", "5");
    aws_query_set(&q, "NextToken", "tok1");
    assert_string_equal(
        aws_query_encode(&q),
        "Action=DescribeVpcEndpoints&Version=2016-11-15&MaxResults=5&NextToken=tok1");
    aws_query_set(&q, "NextToken", "a+b/c==");
    aws_query_set(&q, "MaxResults", "6");
    assert_string_equal(
        aws_query_encode(&q),
        "Action=DescribeVpcEndpoints&Version=2016-11-15&MaxResults=6&NextToken=a%2Bb%2Fc%3D%3D");
    assert_string_equal(aws_query_get(&q, "NextToken"), "a+b/c==");
    aws_query_set(&q, "NextToken", NULL);
    assert_null(aws_query_get(&q, "NextToken"));
    aws_query_add(&q, "Dup", "1");
    aws_query_add(&q, "Dup", "2");
    assert_string_equal(aws_query_get(&q, "Dup"), "1");
    assert_int_equal(aws_query_remove(&q, "Dup"), 2);
    assert_int_equal(aws_query_remove(&q, "Dup"), 0);
    assert_string_equal(aws_query_encode(&q),
                        "Action=DescribeVpcEndpoints&Version=2016-11-15&MaxResults=6");
    aws_query_finish(&q);
}

/* ---- generated-ec2 bodies ---- */

static char *request_file_read(const char *case_name)
{
    char *path = xasprintf("%s/sigv4/generated-ec2/%s/request.txt", testdata_dir(), case_name);
    char *text = test_read_file(path, NULL);
    free(path);
    assert_non_null(text);
    return text;
}

static void check_body(const char *case_name, struct aws_query *q)
{
    char *text = request_file_read(case_name);
    const char *blank = strstr(text, "\n\n");
    assert_non_null(blank);
    assert_string_equal(aws_query_encode(q), blank + 2);
    free(text);
}

static void test_generated_describe_subnets(void **state)
{
    (void)state;
    struct aws_query q;
    aws_query_init(&q, "DescribeSubnets", "2016-11-15");
    const char *const vpc[] = {"vpc-0a1b2c3d4e5f67890"};
    const char *const name[] = {"web tier/\xce\xb1"};
    aws_query_add_filter(&q, "vpc-id", vpc, 1);
    aws_query_add_filter(&q, "tag:Name", name, 1);
    aws_query_add_int(&q, "MaxResults", 100);
    aws_query_set(&q, "NextToken", "eyJ2IjoiMiIsImMiOiJhYmMrL2RlZj0ifQ==");
    check_body("ec2-describe-subnets-filters-session-token", &q);
    aws_query_finish(&q);
}

static void test_generated_create_endpoint(void **state)
{
    (void)state;
    struct aws_query q;
    aws_query_init(&q, "CreateVpcEndpoint", "2016-11-15");
    const char *const subnets[] = {"subnet-0aaaaaaaaaaaaaaa1", "subnet-0bbbbbbbbbbbbbbb2"};
    const char *const sgs[] = {"sg-0ccccccccccccccc3"};
    aws_query_add(&q, "VpcId", "vpc-0a1b2c3d4e5f67890");
    aws_query_add(&q, "VpcEndpointType", "Interface");
    aws_query_add(&q, "ServiceName", "com.amazonaws.us-west-2.ssm");
    aws_query_add_list(&q, "SubnetId", subnets, 2);
    aws_query_add_list(&q, "SecurityGroupId", sgs, 1);
    aws_query_add_bool(&q, "PrivateDnsEnabled", true);
    aws_query_add(&q, "ClientToken", "550e8400-e29b-41d4-a716-446655440000");
    aws_query_add_bool(&q, "DryRun", true);
    check_body("ec2-create-vpc-endpoint-dryrun", &q);
    aws_query_finish(&q);
}

static void test_generated_simple(void **state)
{
    (void)state;
    struct aws_query q;
    aws_query_init(&q, "DescribeVpcs", "2016-11-15");
    check_body("ec2-describe-vpcs", &q);
    check_body("ec2-cn-north-1", &q);
    aws_query_finish(&q);
    aws_query_init(&q, "GetCallerIdentity", "2011-06-15");
    check_body("sts-get-caller-identity", &q);
    aws_query_finish(&q);
}

/* The GET case carries the parameters in the URL, Version first. */
static void test_generated_get_query(void **state)
{
    (void)state;
    struct aws_query q;
    aws_query_init(&q, NULL, "2016-11-15");
    aws_query_add(&q, "Action", "DescribeAvailabilityZones");
    const char *const type[] = {"availability-zone"};
    aws_query_add_filter(&q, "zone-type", type, 1);
    char *text = request_file_read("ec2-describe-availability-zones-get");
    char *want = xasprintf("GET /?%s HTTP/1.1\n", aws_query_encode(&q));
    assert_memory_equal(text, want, strlen(want));
    free(want);
    free(text);
    aws_query_finish(&q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uri_encode),
        cmocka_unit_test(test_uri_decode),
        cmocka_unit_test(test_uri_roundtrip),
        cmocka_unit_test(test_basic_and_types),
        cmocka_unit_test(test_lists_and_filters),
        cmocka_unit_test(test_nested_keys),
        cmocka_unit_test(test_set_replace_remove),
        cmocka_unit_test(test_generated_describe_subnets),
        cmocka_unit_test(test_generated_create_endpoint),
        cmocka_unit_test(test_generated_simple),
        cmocka_unit_test(test_generated_get_query),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
