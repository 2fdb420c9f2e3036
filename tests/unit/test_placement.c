#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "vpcx/model/derived.h"
#include "vpcx/model/inventory.h"
#include "vpcx/model/placement.h"

static void put(struct inventory *inv, enum inv_type type, const char *json)
{
    cJSON *item = cJSON_Parse(json);
    if (item == NULL) {
        fail_msg("bad fixture: %s", json);
    }
    assert_int_equal(inventory_put(inv, type, item), VPCX_OK);
}

/* VPC with subnets in three AZs; the ssm service offers only a and b. */
static struct inventory *world(void)
{
    struct inventory *inv = inventory_create();
    put(inv, INV_VPC, "{\"VpcId\":\"vpc-a\",\"CidrBlock\":\"10.0.0.0/16\"}");
    put(inv, INV_AZ, "{\"ZoneName\":\"us-east-1a\",\"ZoneId\":\"use1-az6\"}");
    put(inv, INV_AZ, "{\"ZoneName\":\"us-east-1b\",\"ZoneId\":\"use1-az1\"}");
    put(inv, INV_AZ, "{\"ZoneName\":\"us-east-1e\",\"ZoneId\":\"use1-az3\"}");
    put(inv, INV_SUBNET,
        "{\"SubnetId\":\"subnet-a\",\"VpcId\":\"vpc-a\",\"CidrBlock\":\"10.0.1.0/24\","
        "\"AvailabilityZone\":\"us-east-1a\",\"AvailabilityZoneId\":\"use1-az6\"}");
    put(inv, INV_SUBNET,
        "{\"SubnetId\":\"subnet-b\",\"VpcId\":\"vpc-a\",\"CidrBlock\":\"10.0.2.0/24\","
        "\"AvailabilityZone\":\"us-east-1b\",\"AvailabilityZoneId\":\"use1-az1\"}");
    put(inv, INV_SUBNET, /* no zone ID: mapped through the AZ inventory */
        "{\"SubnetId\":\"subnet-e\",\"VpcId\":\"vpc-a\",\"CidrBlock\":\"10.0.3.0/24\","
        "\"AvailabilityZone\":\"us-east-1e\"}");
    put(inv, INV_SUBNET, /* another VPC's AZ must not appear */
        "{\"SubnetId\":\"subnet-z\",\"VpcId\":\"vpc-z\",\"CidrBlock\":\"10.0.3.0/24\","
        "\"AvailabilityZone\":\"us-east-1c\",\"AvailabilityZoneId\":\"use1-az2\"}");
    put(inv, INV_SERVICE,
        "{\"ServiceId\":\"vpce-svc-ssm\",\"ServiceName\":\"com.amazonaws.us-east-1.ssm\","
        "\"ServiceType\":[{\"ServiceType\":"
        "\"Interface\"}],\"AvailabilityZones\":[\"us-east-1a\",\"us-east-1b\"],"
        "\"PrivateDnsName\":\"ssm.us-east-1.amazonaws.com\"}");
    put(inv, INV_ENI,
        "{\"NetworkInterfaceId\":\"eni-a1\",\"SubnetId\":\"subnet-a\",\"VpcId\":\"vpc-a\","
        "\"Status\":\"in-use\",\"PrivateIpAddress\":\"10.0.1.44\"}");
    put(inv, INV_ENI,
        "{\"NetworkInterfaceId\":\"eni-b1\",\"SubnetId\":\"subnet-b\",\"VpcId\":\"vpc-a\","
        "\"Status\":\"in-use\",\"PrivateIpAddress\":\"10.0.2.55\"}");
    return inv;
}

static const struct placement_az *zone(const struct placement *p, const char *zone_id)
{
    for (size_t i = 0; i < p->n_azs; i++) {
        if (strcmp(p->azs[i].zone_id, zone_id) == 0) {
            return &p->azs[i];
        }
    }
    fail_msg("zone %s missing", zone_id);
    return NULL;
}

static void test_single_az_and_not_offered(void **state)
{
    struct inventory *inv = world();
    put(inv, INV_ENDPOINT,
        "{\"VpcEndpointId\":\"vpce-1\",\"VpcEndpointType\":\"Interface\",\"VpcId\":\"vpc-a\","
        "\"ServiceName\":\"com.amazonaws.us-east-1.ssm\",\"SubnetIds\":[\"subnet-a\"],"
        "\"NetworkInterfaceIds\":[\"eni-a1\"]}");
    struct placement p;
    assert_int_equal(placement_compute(inv, "vpce-1", &p), VPCX_OK);
    assert_true(p.applicable);
    assert_true(p.service_known);
    assert_int_equal(p.n_azs, 3);
    assert_int_equal(p.covered, 1);
    assert_true(p.single_az);
    /* sorted by zone name */
    assert_string_equal(p.azs[0].zone_name, "us-east-1a");
    assert_string_equal(p.azs[2].zone_name, "us-east-1e");

    const struct placement_az *a = zone(&p, "use1-az6");
    assert_int_equal(a->status, PLACEMENT_ENI);
    assert_string_equal(a->eni_id, "eni-a1");
    assert_string_equal(a->ip, "10.0.1.44");
    assert_string_equal(a->eni_status, "in-use");
    assert_string_equal(a->subnet_id, "subnet-a");
    assert_int_equal(a->eni_count, 1);
    assert_int_equal(zone(&p, "use1-az1")->status, PLACEMENT_SUPPORTED);
    const struct placement_az *e = zone(&p, "use1-az3");
    assert_int_equal(e->status, PLACEMENT_NOT_OFFERED);
    assert_string_equal(e->zone_name, "us-east-1e");
    assert_null(e->eni_id);

    cJSON *j = placement_to_json(&p);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "SingleAz")));
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(j, "ZonesCovered")->valueint, 1);
    const cJSON *zones = cJSON_GetObjectItemCaseSensitive(j, "Zones");
    assert_int_equal(cJSON_GetArraySize(zones), 3);
    assert_string_equal(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(zones, 2), "Status")->valuestring,
        "NotOffered");
    assert_string_equal(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(zones, 0), "PrivateIpAddress")
            ->valuestring,
        "10.0.1.44");
    cJSON_Delete(j);
    placement_finish(&p);
    inventory_destroy(inv);
}

static void test_two_azs(void **state)
{
    struct inventory *inv = world();
    put(inv, INV_ENDPOINT,
        "{\"VpcEndpointId\":\"vpce-2\",\"VpcEndpointType\":\"Interface\",\"VpcId\":\"vpc-a\","
        "\"ServiceName\":\"com.amazonaws.us-east-1.ssm\","
        "\"SubnetIds\":[\"subnet-a\",\"subnet-b\"],\"NetworkInterfaceIds\":[\"eni-b1\",\"eni-a1\"]"
        "}");
    struct placement p;
    assert_int_equal(placement_compute(inv, "vpce-2", &p), VPCX_OK);
    assert_int_equal(p.covered, 2);
    assert_false(p.single_az);
    assert_string_equal(zone(&p, "use1-az1")->ip, "10.0.2.55");
    assert_int_equal(zone(&p, "use1-az3")->status, PLACEMENT_NOT_OFFERED);
    placement_finish(&p);
    inventory_destroy(inv);
}

static void test_subnet_without_eni(void **state)
{
    struct inventory *inv = world();
    /* moto's ModifyVpcEndpoint adds subnet-b but creates no ENI */
    put(inv, INV_ENDPOINT,
        "{\"VpcEndpointId\":\"vpce-3\",\"VpcEndpointType\":\"Interface\",\"VpcId\":\"vpc-a\","
        "\"ServiceName\":\"com.amazonaws.us-east-1.ssm\","
        "\"SubnetIds\":[\"subnet-a\",\"subnet-b\"],\"NetworkInterfaceIds\":[\"eni-a1\"]}");
    struct placement p;
    assert_int_equal(placement_compute(inv, "vpce-3", &p), VPCX_OK);
    const struct placement_az *b = zone(&p, "use1-az1");
    assert_int_equal(b->status, PLACEMENT_SUBNET_NO_ENI);
    assert_string_equal(b->subnet_id, "subnet-b");
    assert_null(b->eni_id);
    assert_int_equal(p.covered, 1);
    placement_finish(&p);
    inventory_destroy(inv);
}

static void test_unknown_service(void **state)
{
    struct inventory *inv = world();
    put(inv, INV_ENDPOINT,
        "{\"VpcEndpointId\":\"vpce-4\",\"VpcEndpointType\":\"Interface\",\"VpcId\":\"vpc-a\","
        "\"ServiceName\":\"com.example.private\",\"NetworkInterfaceIds\":[\"eni-a1\"]}");
    struct placement p;
    assert_int_equal(placement_compute(inv, "vpce-4", &p), VPCX_OK);
    assert_false(p.service_known);
    assert_int_equal(zone(&p, "use1-az6")->status, PLACEMENT_ENI);
    assert_int_equal(zone(&p, "use1-az1")->status, PLACEMENT_UNKNOWN);
    assert_int_equal(zone(&p, "use1-az3")->status, PLACEMENT_UNKNOWN);
    assert_string_equal(placement_status_key(PLACEMENT_UNKNOWN), "Unknown");
    placement_finish(&p);
    inventory_destroy(inv);
}

static void test_gateway_and_missing(void **state)
{
    struct inventory *inv = world();
    put(inv, INV_ENDPOINT,
        "{\"VpcEndpointId\":\"vpce-gw\",\"VpcEndpointType\":\"Gateway\",\"VpcId\":\"vpc-a\","
        "\"ServiceName\":\"com.amazonaws.us-east-1.s3\",\"RouteTableIds\":[\"rtb-1\"],"
        "\"SubnetIds\":[],\"NetworkInterfaceIds\":[]}");
    struct placement p;
    assert_int_equal(placement_compute(inv, "vpce-gw", &p), VPCX_OK);
    assert_false(p.applicable);
    assert_int_equal(p.n_azs, 0);
    assert_int_equal(p.covered, 0);
    assert_false(p.single_az);
    placement_finish(&p);

    assert_int_equal(placement_compute(inv, "vpce-404", &p), VPCX_ERR_NOT_FOUND);
    placement_finish(&p);

    /* the derived export leaves gateway endpoints out */
    cJSON *d = derived_to_json(inv);
    const cJSON *place = cJSON_GetObjectItemCaseSensitive(d, "EndpointPlacement");
    assert_null(cJSON_GetObjectItemCaseSensitive(place, "vpce-gw"));
    cJSON_Delete(d);
    inventory_destroy(inv);
}

static void test_gwlb_endpoint(void **state)
{
    struct inventory *inv = world();
    put(inv, INV_ENDPOINT,
        "{\"VpcEndpointId\":\"vpce-gwlb\",\"VpcEndpointType\":\"GatewayLoadBalancer\","
        "\"VpcId\":\"vpc-a\",\"ServiceName\":\"com.amazonaws.vpce.us-east-1.vpce-svc-1\","
        "\"SubnetIds\":[\"subnet-b\"],\"NetworkInterfaceIds\":[\"eni-b1\"]}");
    struct placement p;
    assert_int_equal(placement_compute(inv, "vpce-gwlb", &p), VPCX_OK);
    assert_true(p.applicable);
    assert_true(p.single_az);
    assert_int_equal(zone(&p, "use1-az1")->status, PLACEMENT_ENI);
    placement_finish(&p);
    inventory_destroy(inv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_az_and_not_offered), cmocka_unit_test(test_two_azs),
        cmocka_unit_test(test_subnet_without_eni),        cmocka_unit_test(test_unknown_service),
        cmocka_unit_test(test_gateway_and_missing),       cmocka_unit_test(test_gwlb_endpoint),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
