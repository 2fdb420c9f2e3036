/*
 * export: escaping for HCL, YAML and the shell, resource names, the
 * selection, and what each format writes for an endpoint of each kind.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "vpcx/core/xalloc.h"
#include "vpcx/model/export.h"
#include "vpcx/model/inventory.h"

static char *hcl(const char *s)
{
    struct strbuf sb;
    strbuf_init(&sb, 64);
    export_hcl_string(&sb, s);
    return strbuf_detach(&sb, NULL);
}

static char *yaml(const char *s)
{
    struct strbuf sb;
    strbuf_init(&sb, 64);
    export_yaml_string(&sb, s);
    return strbuf_detach(&sb, NULL);
}

static char *shell(const char *s)
{
    struct strbuf sb;
    strbuf_init(&sb, 64);
    export_shell_quote(&sb, s);
    return strbuf_detach(&sb, NULL);
}

#define EXPECT(fn, in, want)                                                                       \
    do {                                                                                           \
        char *got = fn(in);                                                                        \
        assert_string_equal(got, want);                                                            \
        free(got);                                                                                 \
    } while (0)

static void test_hcl_string(void **state)
{
    (void)state;
    EXPECT(hcl, "prod-ssm", "\"prod-ssm\"");
    EXPECT(hcl, "say \"hi\" \\ back", "\"say \\\"hi\\\" \\\\ back\"");
    /* templates are literal text in the export */
    EXPECT(hcl, "${var.x} and %{ if }", "\"$${var.x} and %%{ if }\"");
    EXPECT(hcl, "$ alone, % alone, {}", "\"$ alone, % alone, {}\"");
    EXPECT(hcl, "a\nb\tc", "\"a\\nb\\tc\"");
    /* \b and \f are not HCL escapes */
    EXPECT(hcl, "bell\bform\f", "\"bell\\u0008form\\u000c\"");
    EXPECT(hcl, "\x1b[31mred", "\"\\u001b[31mred\"");
    EXPECT(hcl,
           "evil\xe2\x80\xae"
           "txt",
           "\"evil\\u202etxt\"");
    EXPECT(hcl, "caf\xc3\xa9", "\"caf\xc3\xa9\"");
    EXPECT(hcl, "\\${not a template", "\"\\\\$${not a template\"");
}

static void test_yaml_string(void **state)
{
    (void)state;
    EXPECT(yaml, "plain", "\"plain\"");
    EXPECT(yaml, "key: value # not a comment", "\"key: value # not a comment\"");
    EXPECT(yaml, "\x1b\xc2\x9b", "\"\\u001b\\u009b\"");
    EXPECT(yaml, "", "\"\"");
}

static void test_shell_quote(void **state)
{
    (void)state;
    EXPECT(shell, "vpc-0abc", "vpc-0abc");
    EXPECT(shell, "com.amazonaws.us-east-1.ssm", "com.amazonaws.us-east-1.ssm");
    EXPECT(shell, "", "''");
    EXPECT(shell, "two words", "'two words'");
    EXPECT(shell, "it's $HOME `x`", "'it'\\''s $HOME `x`'");
    EXPECT(shell, "{\"a\":1}", "'{\"a\":1}'");
    /* nothing invisible reaches the terminal or the shell's reader */
    EXPECT(shell, "red\x1b[31m", "$'red\\x1b[31m'");
    EXPECT(shell,
           "a\xe2\x80\xae"
           "b'c",
           "$'a\\xe2\\x80\\xaeb\\'c'");
    EXPECT(shell, "line\nnext", "$'line\\x0anext'");
}

static void test_tf_names(void **state)
{
    (void)state;
    char *n = export_tf_name("prod-ssm", "vpce-1");
    assert_string_equal(n, "prod-ssm");
    free(n);
    n = export_tf_name("Prod SSM / endpoint", "vpce-1");
    assert_string_equal(n, "prod_ssm_endpoint");
    free(n);
    n = export_tf_name("2nd", "vpce-1");
    assert_string_equal(n, "vpce_2nd");
    free(n);
    n = export_tf_name(NULL, "vpce-0abc");
    assert_string_equal(n, "vpce-0abc");
    free(n);
    n = export_tf_name("\xe2\x80\xae!!!", "vpce-9");
    assert_string_equal(n, "vpce-9");
    free(n);
    n = export_tf_name("ecr.dkr", "vpce-1");
    assert_string_equal(n, "ecr_dkr");
    free(n);
}

static void test_cfn_names(void **state)
{
    (void)state;
    char *n = export_cfn_name("prod-ssm", "vpce-1");
    assert_string_equal(n, "ProdSsm");
    free(n);
    n = export_cfn_name(NULL, "vpce-0abc");
    assert_string_equal(n, "Vpce0abc");
    free(n);
    n = export_cfn_name("1st endpoint", "vpce-1");
    assert_string_equal(n, "Endpoint1stEndpoint");
    free(n);
    n = export_cfn_name("!!!", "vpce-9");
    assert_string_equal(n, "Vpce9");
    free(n);
    n = export_cfn_name("caf\xc3\xa9 ssm", "vpce-1");
    assert_string_equal(n, "CafSsm");
    free(n);
}

static void put(struct inventory *inv, enum inv_type type, const char *json)
{
    cJSON *item = cJSON_Parse(json);
    if (!item)
        fail_msg("bad fixture: %s", json);
    assert_int_equal(inventory_put(inv, type, item), VPCX_OK);
}

static int setup(void **state)
{
    struct inventory *inv = inventory_create();
    put(inv, INV_VPC, "{\"VpcId\":\"vpc-1\",\"CidrBlock\":\"10.0.0.0/16\"}");
    put(inv, INV_VPC, "{\"VpcId\":\"vpc-2\",\"CidrBlock\":\"10.1.0.0/16\"}");
    put(inv, INV_ENDPOINT,
        "{\"VpcEndpointId\":\"vpce-a\",\"VpcId\":\"vpc-1\",\"VpcEndpointType\":\"Interface\","
        "\"ServiceName\":\"com.amazonaws.us-east-1.ssm\",\"SubnetIds\":[\"subnet-1\",\"subnet-2\"],"
        "\"Groups\":[{\"GroupId\":\"sg-1\"}],\"PrivateDnsEnabled\":true,"
        "\"IpAddressType\":\"ipv4\",\"DnsOptions\":{\"DnsRecordIpType\":\"ipv4\"},"
        "\"PolicyDocument\":\"{\\\"Statement\\\":[{\\\"Effect\\\":\\\"Allow\\\","
        "\\\"Principal\\\":\\\"*\\\",\\\"Action\\\":\\\"ssm:*\\\",\\\"Resource\\\":\\\"*\\\"}]}\","
        "\"Tags\":[{\"Key\":\"Name\",\"Value\":\"app\"},{\"Key\":\"aws:cloudformation:stack\","
        "\"Value\":\"s\"},{\"Key\":\"team\",\"Value\":\"${red}\"}]}");
    put(inv, INV_ENDPOINT,
        "{\"VpcEndpointId\":\"vpce-b\",\"VpcId\":\"vpc-1\",\"VpcEndpointType\":\"Interface\","
        "\"ServiceName\":\"com.amazonaws.us-east-1.kms\",\"SubnetIds\":[\"subnet-1\"],"
        "\"Groups\":[],\"PrivateDnsEnabled\":false,\"Tags\":[{\"Key\":\"Name\",\"Value\":\"app\"}]"
        "}");
    put(inv, INV_ENDPOINT,
        "{\"VpcEndpointId\":\"vpce-c\",\"VpcId\":\"vpc-2\",\"VpcEndpointType\":\"Gateway\","
        "\"ServiceName\":\"com.amazonaws.us-east-1.s3\",\"RouteTableIds\":[\"rtb-1\"],"
        "\"PrivateDnsEnabled\":false}");
    *state = inv;
    return 0;
}

static int teardown(void **state)
{
    inventory_destroy(*state);
    return 0;
}

static char *export_all(const struct inventory *inv, enum export_format f, const char *vpc)
{
    struct inv_ids sel;
    struct vpcx_error err;
    vpcx_error_init(&err);
    const char *vpcs[] = {vpc};
    assert_int_equal(export_select(inv, vpcs, vpc ? 1 : 0, NULL, 0, &sel, &err), VPCX_OK);
    struct strbuf sb;
    strbuf_init(&sb, 1024);
    export_write(inv, &sel, f, "us-east-1", &sb);
    free(sel.v);
    return strbuf_detach(&sb, NULL);
}

static void test_select(void **state)
{
    const struct inventory *inv = *state;
    struct inv_ids sel;
    struct vpcx_error err;
    vpcx_error_init(&err);
    assert_int_equal(export_select(inv, NULL, 0, NULL, 0, &sel, &err), VPCX_OK);
    assert_int_equal(sel.n, 3);
    free(sel.v);
    const char *vpcs[] = {"vpc-2"}, *eps[] = {"vpce-c", "vpce-a"};
    assert_int_equal(export_select(inv, vpcs, 1, eps, 2, &sel, &err), VPCX_OK);
    assert_int_equal(sel.n, 2); /* vpce-c once, though named twice */
    assert_string_equal(sel.v[0], "vpce-a");
    assert_string_equal(sel.v[1], "vpce-c");
    free(sel.v);
    const char *bad[] = {"vpc-9"};
    assert_int_equal(export_select(inv, bad, 1, NULL, 0, &sel, &err), VPCX_ERR_NOT_FOUND);
    assert_non_null(strstr(err.message, "vpc-9"));
    vpcx_error_finish(&err);
    const char *bad_ep[] = {"vpce-zz"};
    assert_int_equal(export_select(inv, NULL, 0, bad_ep, 1, &sel, &err), VPCX_ERR_NOT_FOUND);
    assert_non_null(strstr(err.message, "vpce-zz"));
    vpcx_error_finish(&err);
}

static void test_terraform(void **state)
{
    char *tf = export_all(*state, EXPORT_TERRAFORM, NULL);
    assert_non_null(strstr(tf, "import {\n  to = aws_vpc_endpoint.app\n  id = \"vpce-a\"\n}"));
    /* a second "app" gets its own name */
    assert_non_null(strstr(tf, "import {\n  to = aws_vpc_endpoint.app_2\n  id = \"vpce-b\"\n}"));
    assert_non_null(strstr(tf, "resource \"aws_vpc_endpoint\" \"vpce-c\" {"));
    assert_non_null(strstr(tf, "  subnet_ids          = [\"subnet-1\", \"subnet-2\"]\n"));
    assert_non_null(strstr(tf, "  security_group_ids  = []\n"));
    assert_non_null(strstr(tf, "  route_table_ids     = [\"rtb-1\"]\n"));
    assert_non_null(strstr(tf, "  dns_options {\n    dns_record_ip_type = \"ipv4\"\n  }\n"));
    assert_non_null(strstr(tf, "  policy = jsonencode({\n    \"Statement\" = [\n"));
    assert_non_null(strstr(tf, "\"Action\" = \"ssm:*\""));
    assert_non_null(strstr(tf, "    \"team\" = \"$${red}\"\n"));
    assert_null(strstr(tf, "aws:cloudformation")); /* reserved tags cannot be set */
    /* the gateway carries neither subnets, groups nor private DNS */
    const char *gw = strstr(tf, "\"vpce-c\" {");
    assert_non_null(gw);
    assert_null(strstr(gw, "subnet_ids"));
    assert_null(strstr(gw, "private_dns_enabled"));
    free(tf);
}

static void test_cloudformation(void **state)
{
    char *y = export_all(*state, EXPORT_CLOUDFORMATION, NULL);
    assert_non_null(strstr(y, "  App:\n    Type: AWS::EC2::VPCEndpoint\n"
                              "    DeletionPolicy: Retain\n"));
    assert_non_null(strstr(y, "  App2:\n"));
    assert_non_null(strstr(y, "      PolicyDocument:\n        Statement:\n"
                              "          - Effect: \"Allow\"\n"));
    assert_non_null(strstr(y, "      SecurityGroupIds: []\n"));
    assert_non_null(strstr(y, "        - Key: \"team\"\n          Value: \"${red}\"\n"));
    free(y);
    char *imp = export_all(*state, EXPORT_CFN_IMPORT, "vpc-1");
    cJSON *list = cJSON_Parse(imp);
    assert_int_equal(cJSON_GetArraySize(list), 2);
    cJSON *second = cJSON_GetArrayItem(list, 1);
    assert_string_equal(cJSON_GetObjectItem(second, "LogicalResourceId")->valuestring, "App2");
    assert_string_equal(
        cJSON_GetObjectItem(cJSON_GetObjectItem(second, "ResourceIdentifier"), "Id")->valuestring,
        "vpce-b");
    cJSON_Delete(list);
    free(imp);
}

static void test_cli(void **state)
{
    char *sh = export_all(*state, EXPORT_CLI, NULL);
    assert_non_null(strstr(sh, "aws ec2 create-vpc-endpoint \\\n    --region us-east-1 \\\n"
                               "    --vpc-id vpc-1 \\\n    --vpc-endpoint-type Interface \\\n"));
    assert_non_null(strstr(sh, "    --subnet-ids subnet-1 subnet-2 \\\n"));
    assert_non_null(strstr(sh, "    --no-private-dns-enabled"));
    assert_non_null(strstr(sh, "    --dns-options '{\"DnsRecordIpType\":\"ipv4\"}'"));
    assert_non_null(strstr(sh, "\"Key\":\"team\",\"Value\":\"${red}\""));
    assert_non_null(strstr(sh, "    --route-table-ids rtb-1"));
    free(sh);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hcl_string),
        cmocka_unit_test(test_yaml_string),
        cmocka_unit_test(test_shell_quote),
        cmocka_unit_test(test_tf_names),
        cmocka_unit_test(test_cfn_names),
        cmocka_unit_test_setup_teardown(test_select, setup, teardown),
        cmocka_unit_test_setup_teardown(test_terraform, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cloudformation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
