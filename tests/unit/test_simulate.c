/*
 * simulate: a simulated create, modify and delete change the inventory as AWS
 * would, settling at the times given (no clock is read by these checks).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "vpcx/core/xalloc.h"
#include "vpcx/model/inventory.h"
#include "vpcx/sync/simulate.h"

#define SSM "com.amazonaws.us-east-1.ssm"
#define S3  "com.amazonaws.us-east-1.s3"

static void put(struct inventory *inv, enum inv_type type, const char *json)
{
    cJSON *item = cJSON_Parse(json);
    assert_non_null(item);
    assert_int_equal(inventory_put(inv, type, item), VPCX_OK);
}

static void put_eni(struct inventory *inv, const char *id, const char *subnet, const char *ip)
{
    char *j = xasprintf("{\"NetworkInterfaceId\":\"%s\",\"SubnetId\":\"%s\",\"VpcId\":\"vpc-1\","
                        "\"AvailabilityZone\":\"us-east-1a\",\"InterfaceType\":\"lambda\","
                        "\"PrivateIpAddress\":\"%s\",\"PrivateIpAddresses\":[{\"Primary\":true,"
                        "\"PrivateIpAddress\":\"%s\"}]}",
                        id, subnet, ip, ip);
    put(inv, INV_ENI, j);
    free(j);
}

static int setup(void **state)
{
    struct inventory *inv = inventory_create();
    put(inv, INV_VPC, "{\"VpcId\":\"vpc-1\",\"CidrBlock\":\"10.0.0.0/16\",\"OwnerId\":\"111\"}");
    put(inv, INV_AZ,
        "{\"ZoneName\":\"us-east-1a\",\"ZoneId\":\"use1-az6\",\"RegionName\":\"us-east-1\"}");
    put(inv, INV_AZ,
        "{\"ZoneName\":\"us-east-1b\",\"ZoneId\":\"use1-az1\",\"RegionName\":\"us-east-1\"}");
    /* /28: .0-.3 and .15 reserved; .4 and .6 held, so .5 is the first free address. */
    put(inv, INV_SUBNET,
        "{\"SubnetId\":\"subnet-a\",\"VpcId\":\"vpc-1\",\"AvailabilityZone\":\"us-east-1a\","
        "\"AvailabilityZoneId\":\"use1-az6\",\"CidrBlock\":\"10.0.1.0/28\","
        "\"AvailableIpAddressCount\":9}");
    put(inv, INV_SUBNET,
        "{\"SubnetId\":\"subnet-b\",\"VpcId\":\"vpc-1\",\"AvailabilityZone\":\"us-east-1b\","
        "\"AvailabilityZoneId\":\"use1-az1\",\"CidrBlock\":\"10.0.2.0/24\","
        "\"AvailableIpAddressCount\":251}");
    /* Full: 11 usable, 11 held. */
    put(inv, INV_SUBNET,
        "{\"SubnetId\":\"subnet-full\",\"VpcId\":\"vpc-1\",\"AvailabilityZone\":\"us-east-1b\","
        "\"CidrBlock\":\"10.0.3.0/28\",\"AvailableIpAddressCount\":0}");
    put_eni(inv, "eni-held4", "subnet-a", "10.0.1.4");
    put_eni(inv, "eni-held6", "subnet-a", "10.0.1.6");
    for (int i = 4; i < 15; i++) {
        char id[32], ip[32];
        snprintf(id, sizeof(id), "eni-full%d", i);
        snprintf(ip, sizeof(ip), "10.0.3.%d", i);
        put_eni(inv, id, "subnet-full", ip);
    }
    put(inv, INV_SERVICE,
        "{\"ServiceId\":\"vpce-svc-1\",\"ServiceName\":\"" SSM "\",\"ServiceType\":"
        "[{\"ServiceType\":\"Interface\"}],\"BaseEndpointDnsNames\":"
        "[\"ssm.us-east-1.vpce.amazonaws.com\"],\"PrivateDnsName\":\"ssm.us-east-1.amazonaws."
        "com\"}");
    put(inv, INV_PREFIX_LIST, "{\"PrefixListId\":\"pl-s3\",\"PrefixListName\":\"" S3 "\"}");
    put(inv, INV_ROUTE_TABLE,
        "{\"RouteTableId\":\"rtb-1\",\"VpcId\":\"vpc-1\",\"Routes\":[{\"DestinationCidrBlock\":"
        "\"10.0.0.0/16\",\"GatewayId\":\"local\"}]}");
    *state = inv;
    return 0;
}

static int teardown(void **state)
{
    inventory_destroy(*state);
    return 0;
}

static cJSON *item(struct inventory *inv, enum inv_type type, const char *id)
{
    cJSON *it = inventory_item(inv, inventory_find(inv, type, id));
    assert_non_null(it);
    return it;
}

static long long available(struct inventory *inv, const char *subnet)
{
    return inventory_find(inv, INV_SUBNET, subnet)->subnet.available;
}

static const char *eni_in(struct inventory *inv, const char *endpoint, const char *subnet)
{
    const struct inv_resource *ep = inventory_find(inv, INV_ENDPOINT, endpoint);
    for (size_t i = 0; ep && i < ep->endpoint.eni_ids.n; i++) {
        const struct inv_resource *e = inventory_find(inv, INV_ENI, ep->endpoint.eni_ids.v[i]);
        if (e && strcmp(e->eni.subnet_id, subnet) == 0)
            return e->id;
    }
    return NULL;
}

static cJSON *interface(const char *subnets)
{
    char *j =
        xasprintf("{\"VpcEndpointId\":\"vpce-0sim\",\"VpcEndpointType\":\"Interface\","
                  "\"VpcId\":\"vpc-1\",\"ServiceName\":\"" SSM "\",\"State\":\"available\","
                  "\"SubnetIds\":%s,\"Groups\":[{\"GroupId\":\"sg-1\",\"GroupName\":\"https\"}],"
                  "\"PrivateDnsEnabled\":true,\"RouteTableIds\":[]}",
                  subnets);
    cJSON *ep = cJSON_Parse(j);
    free(j);
    return ep;
}

static void test_create_settle_modify_delete(void **state)
{
    struct inventory *inv = *state;
    struct sim *s = sim_create();
    struct vpcx_error err;
    vpcx_error_init(&err);
    assert_int_equal(sim_timeout_ms(s, 0), -1);
    assert_false(sim_busy(s));

    assert_int_equal(sim_create_endpoint(s, inv, interface("[\"subnet-a\"]"), 1000, &err), VPCX_OK);
    const struct inv_resource *ep = inventory_find(inv, INV_ENDPOINT, "vpce-0sim");
    assert_string_equal(ep->state, "pending");
    const char *eni_id = eni_in(inv, "vpce-0sim", "subnet-a");
    assert_non_null(eni_id);
    cJSON *eni = item(inv, INV_ENI, eni_id);
    assert_string_equal(cJSON_GetObjectItem(eni, "PrivateIpAddress")->valuestring, "10.0.1.5");
    assert_string_equal(cJSON_GetObjectItem(eni, "InterfaceType")->valuestring, "vpc_endpoint");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(eni, "RequesterManaged")));
    assert_string_equal(cJSON_GetObjectItem(eni, "Description")->valuestring,
                        "VPC Endpoint Interface vpce-0sim");
    assert_string_equal(cJSON_GetObjectItem(eni, "AvailabilityZone")->valuestring, "us-east-1a");
    assert_string_equal(cJSON_GetObjectItem(eni, "PrivateDnsName")->valuestring,
                        "ip-10-0-1-5.ec2.internal");
    assert_string_equal(
        cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(eni, "Groups"), 0), "GroupId")
            ->valuestring,
        "sg-1");
    assert_int_equal(strlen(eni_id), 21);
    cJSON_Delete(eni);
    assert_int_equal(available(inv, "subnet-a"), 8);

    cJSON *e = item(inv, INV_ENDPOINT, "vpce-0sim");
    assert_null(cJSON_GetObjectItem(e, "VpcxSimulated"));
    assert_string_equal(cJSON_GetObjectItem(e, "OwnerId")->valuestring, "111");
    cJSON *dns = cJSON_GetObjectItem(e, "DnsEntries");
    assert_int_equal(cJSON_GetArraySize(dns), 3);
    const char *regional = cJSON_GetObjectItem(cJSON_GetArrayItem(dns, 0), "DnsName")->valuestring;
    assert_int_equal(strncmp(regional, "vpce-0sim-", 10), 0);
    assert_non_null(strstr(regional, ".ssm.us-east-1.vpce.amazonaws.com"));
    assert_non_null(strstr(cJSON_GetObjectItem(cJSON_GetArrayItem(dns, 1), "DnsName")->valuestring,
                           "-us-east-1a.ssm.us-east-1.vpce.amazonaws.com"));
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(dns, 2), "DnsName")->valuestring,
                        "ssm.us-east-1.amazonaws.com");
    cJSON_Delete(e);

    /* Not yet due, then due. */
    assert_int_equal(sim_timeout_ms(s, 1000), SIM_SETTLE_MS);
    assert_false(sim_run_due(s, 1000 + SIM_SETTLE_MS - 1));
    assert_string_equal(inventory_find(inv, INV_ENDPOINT, "vpce-0sim")->state, "pending");
    assert_true(sim_run_due(s, 1000 + SIM_SETTLE_MS));
    assert_string_equal(inventory_find(inv, INV_ENDPOINT, "vpce-0sim")->state, "available");
    assert_false(sim_busy(s));

    /* Modify: subnet-b added (its ENI now), subnet-a removed (its ENI when it settles). */
    char *old_eni = xstrdup(eni_id);
    assert_int_equal(sim_modify_endpoint(s, inv, interface("[\"subnet-b\"]"), 5000, &err), VPCX_OK);
    assert_string_equal(inventory_find(inv, INV_ENDPOINT, "vpce-0sim")->state, "pending");
    const char *b_eni = eni_in(inv, "vpce-0sim", "subnet-b");
    assert_non_null(b_eni);
    assert_string_equal(inventory_find(inv, INV_ENI, b_eni)->eni.primary_ip, "10.0.2.4");
    assert_int_equal(available(inv, "subnet-b"), 250);
    assert_non_null(inventory_find(inv, INV_ENI, old_eni));
    assert_true(sim_run_due(s, 5000 + SIM_SETTLE_MS));
    assert_null(inventory_find(inv, INV_ENI, old_eni));
    assert_int_equal(available(inv, "subnet-a"), 9);
    ep = inventory_find(inv, INV_ENDPOINT, "vpce-0sim");
    assert_string_equal(ep->state, "available");
    assert_int_equal(ep->endpoint.eni_ids.n, 1);
    free(old_eni);

    /* Delete: deleting, then gone with its ENI. */
    char *last = xstrdup(eni_in(inv, "vpce-0sim", "subnet-b"));
    assert_int_equal(sim_delete_endpoint(s, inv, "vpce-0sim", 9000, &err), VPCX_OK);
    assert_string_equal(inventory_find(inv, INV_ENDPOINT, "vpce-0sim")->state, "deleting");
    assert_non_null(inventory_find(inv, INV_ENI, last));
    assert_true(sim_run_due(s, 9000 + SIM_SETTLE_MS));
    assert_null(inventory_find(inv, INV_ENDPOINT, "vpce-0sim"));
    assert_null(inventory_find(inv, INV_ENI, last));
    assert_int_equal(available(inv, "subnet-b"), 251);
    assert_int_equal(sim_delete_endpoint(s, inv, "vpce-0sim", 9000, &err), VPCX_ERR_NOT_FOUND);
    free(last);
    vpcx_error_finish(&err);
    sim_destroy(s);
}

static void test_full_subnet_refused_whole(void **state)
{
    struct inventory *inv = *state;
    struct sim *s = sim_create();
    struct vpcx_error err;
    vpcx_error_init(&err);
    size_t enis = inventory_count(inv, INV_ENI);
    assert_int_equal(
        sim_create_endpoint(s, inv, interface("[\"subnet-b\",\"subnet-full\"]"), 0, &err),
        VPCX_ERR_AWS);
    assert_non_null(strstr(err.message, "subnet-full"));
    assert_null(inventory_find(inv, INV_ENDPOINT, "vpce-0sim"));
    assert_int_equal(inventory_count(inv, INV_ENI), enis); /* nothing half made */
    assert_int_equal(available(inv, "subnet-b"), 251);
    assert_false(sim_busy(s));
    vpcx_error_finish(&err);
    sim_destroy(s);
}

static void test_gateway_routes(void **state)
{
    struct inventory *inv = *state;
    struct sim *s = sim_create();
    struct vpcx_error err;
    vpcx_error_init(&err);
    cJSON *gw = cJSON_Parse("{\"VpcEndpointId\":\"vpce-0gw\",\"VpcEndpointType\":\"Gateway\","
                            "\"VpcId\":\"vpc-1\",\"ServiceName\":\"" S3 "\",\"RouteTableIds\":"
                            "[\"rtb-1\"],\"SubnetIds\":[],\"Groups\":[]}");
    assert_int_equal(sim_create_endpoint(s, inv, gw, 0, &err), VPCX_OK);
    const struct inv_resource *ep = inventory_find(inv, INV_ENDPOINT, "vpce-0gw");
    assert_int_equal(ep->endpoint.eni_ids.n, 0);
    cJSON *rtb = item(inv, INV_ROUTE_TABLE, "rtb-1");
    cJSON *r = cJSON_GetArrayItem(cJSON_GetObjectItem(rtb, "Routes"), 1);
    assert_string_equal(cJSON_GetObjectItem(r, "DestinationPrefixListId")->valuestring, "pl-s3");
    assert_string_equal(cJSON_GetObjectItem(r, "GatewayId")->valuestring, "vpce-0gw");
    cJSON_Delete(rtb);
    assert_int_equal(sim_delete_endpoint(s, inv, "vpce-0gw", 10, &err), VPCX_OK);
    assert_true(sim_run_due(s, 10 + SIM_SETTLE_MS));
    rtb = item(inv, INV_ROUTE_TABLE, "rtb-1");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(rtb, "Routes")), 1);
    cJSON_Delete(rtb);
    vpcx_error_finish(&err);
    sim_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create_settle_modify_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_full_subnet_refused_whole, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gateway_routes, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
