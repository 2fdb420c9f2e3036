#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vpcx/model/derived.h"
#include "vpcx/store/jsonout.h"

/* Every Derived section has an entry; the ENI's ID carries a control and a bidi override,
   which keys must escape as values do. */
static const char *const full_items[][2] = {
    {"Vpcs", "{\"VpcId\":\"vpc-1\",\"CidrBlock\":\"10.0.0.0/16\"}"},
    {"Subnets", "{\"SubnetId\":\"subnet-1\",\"VpcId\":\"vpc-1\",\"CidrBlock\":\"10.0.1.0/28\","
                "\"AvailabilityZone\":\"us-east-1a\",\"AvailabilityZoneId\":\"use1-az1\","
                "\"AvailableIpAddressCount\":9}"},
    {"Subnets", "{\"SubnetId\":\"subnet-2\",\"VpcId\":\"vpc-1\",\"CidrBlock\":\"10.0.2.0/28\","
                "\"AvailabilityZone\":\"us-east-1b\",\"AvailabilityZoneId\":\"use1-az2\"}"},
    {"AvailabilityZones", "{\"ZoneName\":\"us-east-1a\",\"ZoneId\":\"use1-az1\"}"},
    {"AvailabilityZones", "{\"ZoneName\":\"us-east-1b\",\"ZoneId\":\"use1-az2\"}"},
    {"VpcEndpoints", "{\"VpcEndpointId\":\"vpce-1\",\"VpcEndpointType\":\"Interface\","
                     "\"VpcId\":\"vpc-1\",\"ServiceName\":\"com.amazonaws.us-east-1.ssm\","
                     "\"SubnetIds\":[\"subnet-1\"],\"NetworkInterfaceIds\":[\"eni-1\"]}"},
    {"VpcEndpointServices",
     "{\"ServiceId\":\"vpce-svc-1\",\"ServiceName\":"
     "\"com.amazonaws.us-east-1.ssm\",\"ServiceType\":[{\"ServiceType\":"
     "\"Interface\"}],\"AvailabilityZones\":[\"us-east-1a\",\"us-east-1b\"]}"},
    {"NetworkInterfaces", "{\"NetworkInterfaceId\":\"eni-1\",\"SubnetId\":\"subnet-1\","
                          "\"VpcId\":\"vpc-1\",\"PrivateIpAddress\":\"10.0.1.5\"}"},
    {"NetworkInterfaces", "{\"NetworkInterfaceId\":\"eni-\\u001b[2J\\u202e\",\"SubnetId\":"
                          "\"subnet-2\",\"VpcId\":\"vpc-1\",\"PrivateIpAddress\":\"10.0.2.5\","
                          "\"InterfaceType\":\"lambda\"}"},
};

static struct inventory *load(size_t n, const char *const items[][2])
{
    struct inventory *inv = inventory_create();
    for (size_t i = 0; i < n; i++) {
        enum inv_type t;
        assert_true(inventory_type_from_list_key(items[i][0], &t));
        assert_int_equal(inventory_put(inv, t, cJSON_Parse(items[i][1])), VPCX_OK);
    }
    return inv;
}

static char *streamed(const struct inventory *inv, bool pretty, int depth)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_true(jsonout_write_derived(f, inv, pretty, depth));
    fclose(f);
    return buf;
}

/* The streamed text is the whole tree's, pretty or not, at any depth. */
static void assert_same_as_tree(const struct inventory *inv)
{
    cJSON *tree = derived_to_json(inv);
    for (int pretty = 0; pretty < 2; pretty++) {
        for (int depth = 0; depth < 4; depth++) {
            char *want = jsonout_value(tree, pretty, depth);
            char *got = streamed(inv, pretty, depth);
            assert_string_equal(got, want);
            free(want);
            free(got);
        }
    }
    cJSON_Delete(tree);
}

static void test_every_section_filled(void **state)
{
    (void)state;
    struct inventory *inv = load(sizeof(full_items) / sizeof(full_items[0]), full_items);
    assert_int_equal(inventory_set_vpc_attribute(inv, "vpc-1", "enableDnsSupport", true), VPCX_OK);
    cJSON *tree = derived_to_json(inv);
    cJSON *section;
    cJSON_ArrayForEach(section, tree)
    {
        assert_non_null(section->child); /* the fixture reaches every section */
    }
    cJSON_Delete(tree);
    assert_same_as_tree(inv);
    char *text = streamed(inv, false, 0);
    assert_non_null(strstr(text, "\"eni-\\u001b[2J\\u202e\":{\"OwnerType\":\"Lambda\"}"));
    free(text);
    inventory_destroy(inv);
}

/* Empty objects print as cJSON prints them: "{\n" and the brace on its own line. */
static void test_empty_sections(void **state)
{
    (void)state;
    struct inventory *inv = load(2, &full_items[7]); /* two ENIs, nothing else */
    assert_same_as_tree(inv);
    inventory_destroy(inv);
    inv = inventory_create();
    assert_same_as_tree(inv);
    char *text = streamed(inv, false, 0);
    assert_string_equal(text, "{\"SubnetIpUsage\":{},\"EndpointPlacement\":{},\"EniOwners\":{},"
                              "\"VpcAttributes\":{},\"AzHeadroom\":{}}");
    free(text);
    inventory_destroy(inv);
}

static void test_failed_write_reported(void **state)
{
    (void)state;
    struct inventory *inv = load(sizeof(full_items) / sizeof(full_items[0]), full_items);
    FILE *f = fopen("/dev/full", "w");
    if (f == NULL) {
        inventory_destroy(inv);
        skip();
    }
    setvbuf(f, NULL, _IONBF, 0);
    assert_false(jsonout_write_derived(f, inv, true, 1));
    fclose(f);
    inventory_destroy(inv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_section_filled),
        cmocka_unit_test(test_empty_sections),
        cmocka_unit_test(test_failed_write_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
