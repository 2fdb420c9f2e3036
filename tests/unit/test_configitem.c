/* configitem and configsvc: AWS Config's camelCase items as EC2 describe items, and the
 * SelectAggregateResourceConfig answer as the botocore model (config 2014-11-12) has it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vpcx/aws/configitem.h"
#include "vpcx/aws/configsvc.h"
#include "vpcx/sync/aggregator.h"

static cJSON *convert(const char *operation, const char *config_json)
{
    cJSON *in = cJSON_Parse(config_json);
    assert_non_null(in);
    cJSON *out = configitem_convert(configitem_shape(operation), in);
    cJSON_Delete(in);
    assert_non_null(out);
    return out;
}

static const cJSON *at(const cJSON *o, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof(buf), "%s", path);
    char *save = NULL;
    for (char *k = strtok_r(buf, ".", &save); k && o; k = strtok_r(NULL, ".", &save))
        o = k[0] >= '0' && k[0] <= '9' ? cJSON_GetArrayItem(o, (int)strtol(k, NULL, 10))
                                       : cJSON_GetObjectItemCaseSensitive(o, k);
    return o;
}

static void assert_str(const cJSON *o, const char *path, const char *want)
{
    const cJSON *v = at(o, path);
    assert_true(cJSON_IsString(v));
    assert_string_equal(v->valuestring, want);
}

/* An ENI as Config records it: names by case, types by the shape, timestamps as EC2's. */
static void test_network_interface(void **state)
{
    (void)state;
    cJSON *eni = convert("DescribeNetworkInterfaces",
                         "{\"networkInterfaceId\":\"eni-1\",\"subnetId\":\"subnet-1\","
                         "\"tagSet\":[{\"key\":\"Name\",\"value\":\"web\"}],"
                         "\"groups\":[{\"groupId\":\"sg-1\",\"groupName\":\"default\"}],"
                         "\"privateIpAddresses\":[{\"privateIpAddress\":\"10.0.0.5\","
                         "\"primary\":\"true\"}],"
                         "\"requesterManaged\":false,\"sourceDestCheck\":\"false\","
                         "\"attachment\":{\"attachTime\":1700000000123,\"deviceIndex\":\"1\","
                         "\"instanceId\":\"i-1\"},"
                         "\"ipv6Address\":null,\"notInTheModel\":\"x\"}");
    assert_str(eni, "NetworkInterfaceId", "eni-1");
    assert_str(eni, "TagSet.0.Key", "Name");
    assert_str(eni, "TagSet.0.Value", "web");
    assert_str(eni, "Groups.0.GroupId", "sg-1");
    assert_str(eni, "PrivateIpAddresses.0.PrivateIpAddress", "10.0.0.5");
    assert_true(cJSON_IsTrue(at(eni, "PrivateIpAddresses.0.Primary")));
    assert_true(cJSON_IsFalse(at(eni, "RequesterManaged")));
    assert_true(cJSON_IsFalse(at(eni, "SourceDestCheck")));
    assert_str(eni, "Attachment.AttachTime", "2023-11-14T22:13:20.123Z");
    assert_true(cJSON_IsNumber(at(eni, "Attachment.DeviceIndex")));
    assert_int_equal(at(eni, "Attachment.DeviceIndex")->valueint, 1);
    assert_null(at(eni, "Ipv6Address"));
    assert_null(at(eni, "notInTheModel"));
    assert_null(at(eni, "NotInTheModel"));
    /* Members come out in the model's order, as the XML parser writes them. */
    const struct aws_shape *shape = configitem_shape("DescribeNetworkInterfaces");
    unsigned last = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, eni)
    {
        const struct aws_member *m = aws_shape_find_json(shape, c->string);
        assert_non_null(m);
        unsigned idx = aws_shape_member_index(shape, m);
        assert_true(idx >= last);
        last = idx;
    }
    cJSON_Delete(eni);
}

/* Security group rules: Config's ipRanges are bare strings; ipv4Ranges become IpRanges. */
static void test_security_group_ranges(void **state)
{
    (void)state;
    cJSON *sg = convert("DescribeSecurityGroups",
                        "{\"groupId\":\"sg-1\",\"ipPermissions\":[{\"ipProtocol\":\"tcp\","
                        "\"fromPort\":443,\"toPort\":\"443\",\"ipRanges\":[\"10.0.0.0/8\"],"
                        "\"ipv4Ranges\":[{\"cidrIp\":\"10.0.0.0/8\",\"description\":\"in\"}],"
                        "\"userIdGroupPairs\":[],\"prefixListIds\":[]}]}");
    assert_str(sg, "IpPermissions.0.IpRanges.0.CidrIp", "10.0.0.0/8");
    assert_str(sg, "IpPermissions.0.IpRanges.0.Description", "in");
    assert_int_equal(cJSON_GetArraySize(at(sg, "IpPermissions.0.IpRanges")), 1);
    assert_int_equal(at(sg, "IpPermissions.0.ToPort")->valueint, 443);
    assert_true(cJSON_IsArray(at(sg, "IpPermissions.0.UserIdGroupPairs")));
    cJSON_Delete(sg);
}

/* A whole result: configuration as a JSON string, the ID from resourceId, tags from the map. */
static void test_result_to_describe(void **state)
{
    (void)state;
    cJSON *r = cJSON_Parse("{\"resourceId\":\"vpc-9\",\"accountId\":\"111122223333\","
                           "\"awsRegion\":\"eu-west-1\",\"tags\":{\"Name\":\"core\"},"
                           "\"configuration\":\"{\\\"cidrBlock\\\":\\\"10.0.0.0/16\\\","
                           "\\\"isDefault\\\":false,\\\"state\\\":\\\"available\\\"}\"}");
    cJSON *vpc = configitem_to_describe(configitem_shape("DescribeVpcs"), "VpcId", r);
    assert_non_null(vpc);
    assert_str(vpc, "VpcId", "vpc-9");
    assert_str(vpc, "CidrBlock", "10.0.0.0/16");
    assert_true(cJSON_IsFalse(at(vpc, "IsDefault")));
    assert_str(vpc, "Tags.0.Key", "Name");
    assert_str(vpc, "Tags.0.Value", "core");
    cJSON_Delete(vpc);
    cJSON_Delete(r);
    /* no configuration, or no ID anywhere: nothing */
    r = cJSON_Parse("{\"resourceId\":\"vpc-9\"}");
    assert_null(configitem_to_describe(configitem_shape("DescribeVpcs"), "VpcId", r));
    cJSON_Delete(r);
    r = cJSON_Parse("{\"configuration\":{\"cidrBlock\":\"10.0.0.0/16\"}}");
    assert_null(configitem_to_describe(configitem_shape("DescribeVpcs"), "VpcId", r));
    cJSON_Delete(r);
}

static enum vpcx_status count_result(void *ud, const cJSON *result, struct vpcx_error *err)
{
    (void)err;
    int *n = ud;
    if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(result, "resourceId")))
        (*n)++;
    return VPCX_OK;
}

/* The answer: Results are JSON documents in strings; NextToken continues. */
static void test_select_page(void **state)
{
    (void)state;
    const char *page = "{\"Results\":[\"{\\\"resourceId\\\":\\\"vpc-1\\\"}\","
                       "\"{\\\"resourceId\\\":\\\"vpc-2\\\"}\"],"
                       "\"QueryInfo\":{\"SelectFields\":[{\"Name\":\"resourceId\"}]},"
                       "\"NextToken\":\"t2\"}";
    int n = 0;
    char *next = NULL;
    struct vpcx_error err;
    vpcx_error_init(&err);
    assert_int_equal(config_parse_select_page(page, strlen(page), count_result, &n, &next, &err),
                     VPCX_OK);
    assert_int_equal(n, 2);
    assert_string_equal(next, "t2");
    free(next);
    const char *last = "{\"Results\":[]}";
    assert_int_equal(config_parse_select_page(last, strlen(last), count_result, &n, &next, &err),
                     VPCX_OK);
    assert_null(next);
    const char *bad[] = {"[]", "{\"Results\":{}}", "{\"Results\":[\"not json\"]}",
                         "{\"Results\":[7]}"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        vpcx_error_finish(&err);
        vpcx_error_init(&err);
        assert_int_equal(
            config_parse_select_page(bad[i], strlen(bad[i]), count_result, &n, &next, &err),
            VPCX_ERR_PARSE);
        assert_null(next);
    }
    vpcx_error_finish(&err);
}

static void test_resource_types(void **state)
{
    (void)state;
    enum inv_type t;
    assert_true(aggregator_inv_type("AWS::EC2::NetworkInterface", &t));
    assert_int_equal(t, INV_ENI);
    assert_true(aggregator_inv_type("AWS::EC2::NetworkAcl", &t));
    assert_int_equal(t, INV_NETWORK_ACL);
    assert_false(aggregator_inv_type("AWS::EC2::Instance", &t));
    char *s = aggregator_source_name("org-wide");
    assert_string_equal(s, "config-aggregator org-wide");
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_network_interface),  cmocka_unit_test(test_security_group_ranges),
        cmocka_unit_test(test_result_to_describe), cmocka_unit_test(test_select_page),
        cmocka_unit_test(test_resource_types),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
