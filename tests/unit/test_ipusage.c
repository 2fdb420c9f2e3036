#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "vpcx/core/xalloc.h"
#include "vpcx/model/inventory.h"
#include "vpcx/model/ipusage.h"

static void put(struct inventory *inv, enum inv_type type, const char *json)
{
    cJSON *item = cJSON_Parse(json);
    if (item == NULL) {
        fail_msg("bad fixture: %s", json);
    }
    assert_int_equal(inventory_put(inv, type, item), VPCX_OK);
}

/* An ENI in subnet with n consecutive addresses starting at base.x (x from first). */
static void put_eni(struct inventory *inv, const char *id, const char *subnet, const char *base,
                    int first, int n, const char *extra)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "NetworkInterfaceId", id);
    cJSON_AddStringToObject(o, "SubnetId", subnet);
    cJSON *ips = cJSON_AddArrayToObject(o, "PrivateIpAddresses");
    for (int i = 0; i < n; i++) {
        char *ip = xasprintf("%s.%d", base, first + i);
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "PrivateIpAddress", ip);
        cJSON_AddBoolToObject(e, "Primary", i == 0);
        cJSON_AddItemToArray(ips, e);
        if (i == 0) {
            cJSON_AddStringToObject(o, "PrivateIpAddress", ip);
        }
        free(ip);
    }
    if (extra != NULL) {
        cJSON *more = cJSON_Parse(extra);
        assert_non_null(more);
        while (more->child != NULL) {
            cJSON *c = cJSON_DetachItemViaPointer(more, more->child);
            cJSON_AddItemToObject(o, c->string, c);
        }
        cJSON_Delete(more);
    }
    assert_int_equal(inventory_put(inv, INV_ENI, o), VPCX_OK);
}

static struct ip_usage usage_of(const struct inventory *inv, const char *subnet_id)
{
    struct ip_usage u;
    const struct inv_resource *s = inventory_find(inv, INV_SUBNET, subnet_id);
    assert_non_null(s);
    ipusage_compute(inv, s, &u);
    return u;
}

static void test_small_subnet_nearly_full(void **state)
{
    struct inventory *inv = inventory_create();
    put(inv, INV_SUBNET,
        "{\"SubnetId\":\"subnet-28\",\"CidrBlock\":\"10.0.0.0/28\","
        "\"AvailableIpAddressCount\":2}");
    put_eni(inv, "eni-1", "subnet-28", "10.0.0", 4, 5, NULL);
    put_eni(inv, "eni-2", "subnet-28", "10.0.0", 9, 4, NULL);
    struct ip_usage u = usage_of(inv, "subnet-28");
    assert_true(u.has_cidr);
    assert_int_equal(u.total, 16);
    assert_int_equal(u.reserved, 5);
    assert_int_equal(u.usable, 11);
    assert_int_equal(u.used, 9);
    assert_int_equal(u.free, 2);
    assert_int_equal(u.eni_count, 2);
    assert_true(u.has_aws_available);
    assert_int_equal(u.unaccounted, 0);
    assert_int_equal(u.outside_cidr, 0);
    assert_int_equal(ipusage_level(&u), IP_LEVEL_CRITICAL);
    assert_true(ipusage_percent_used(&u) > 81.0 && ipusage_percent_used(&u) < 82.0);

    /* few addresses used, but a /28 has fewer than 8 free after 4: critical by count */
    put(inv, INV_SUBNET, "{\"SubnetId\":\"subnet-28b\",\"CidrBlock\":\"10.0.0.16/28\"}");
    put_eni(inv, "eni-3", "subnet-28b", "10.0.0", 20, 4, NULL);
    u = usage_of(inv, "subnet-28b");
    assert_int_equal(u.free, 7);
    assert_false(u.has_aws_available);
    assert_true(ipusage_percent_used(&u) < 80.0);
    assert_int_equal(ipusage_level(&u), IP_LEVEL_CRITICAL);
    inventory_destroy(inv);
}

static void test_big_subnet(void **state)
{
    struct inventory *inv = inventory_create();
    put(inv, INV_SUBNET,
        "{\"SubnetId\":\"subnet-16\",\"CidrBlock\":\"10.0.0.0/16\","
        "\"AvailableIpAddressCount\":65528}");
    put_eni(inv, "eni-1", "subnet-16", "10.0.7", 1, 3, NULL);
    struct ip_usage u = usage_of(inv, "subnet-16");
    assert_int_equal(u.total, 65536);
    assert_int_equal(u.usable, 65531);
    assert_int_equal(u.used, 3);
    assert_int_equal(u.free, 65528);
    assert_int_equal(u.unaccounted, 0);
    assert_int_equal(ipusage_level(&u), IP_LEVEL_OK);
    assert_true(ipusage_percent_used(&u) < 0.01);
    inventory_destroy(inv);
}

static void test_warn_level(void **state)
{
    struct inventory *inv = inventory_create();
    put(inv, INV_SUBNET, "{\"SubnetId\":\"subnet-24\",\"CidrBlock\":\"10.0.1.0/24\"}");
    put_eni(inv, "eni-1", "subnet-24", "10.0.1", 4, 200, NULL);
    struct ip_usage u = usage_of(inv, "subnet-24");
    assert_int_equal(u.free, 51);
    assert_int_equal(ipusage_level(&u), IP_LEVEL_OK); /* 79.7% */
    put_eni(inv, "eni-2", "subnet-24", "10.0.1", 204, 2, NULL);
    u = usage_of(inv, "subnet-24");
    assert_int_equal(ipusage_level(&u), IP_LEVEL_WARN); /* 80.5% */
    put_eni(inv, "eni-3", "subnet-24", "10.0.1", 206, 38, NULL);
    u = usage_of(inv, "subnet-24");
    assert_int_equal(u.free, 11);
    assert_int_equal(ipusage_level(&u), IP_LEVEL_CRITICAL); /* 95.6% */
    assert_string_equal(ipusage_level_key(IP_LEVEL_WARN), "Warn");
    inventory_destroy(inv);
}

static void test_reconciliation_mismatch(void **state)
{
    struct inventory *inv = inventory_create();
    put(inv, INV_SUBNET,
        "{\"SubnetId\":\"subnet-r\",\"CidrBlock\":\"10.0.1.0/24\","
        "\"AvailableIpAddressCount\":240}");
    put_eni(inv, "eni-1", "subnet-r", "10.0.1", 10, 3, NULL);
    struct ip_usage u = usage_of(inv, "subnet-r");
    assert_int_equal(u.usable, 251);
    assert_int_equal(u.used, 3);
    assert_int_equal(u.free, 248);
    assert_int_equal(u.aws_available, 240);
    assert_int_equal(u.unaccounted, 8); /* AWS sees 8 more in use than the ENIs explain */
    assert_int_equal(u.effective_free, 240);

    /* the other way: we count more than AWS (stale AvailableIpAddressCount) */
    put(inv, INV_SUBNET,
        "{\"SubnetId\":\"subnet-r\",\"CidrBlock\":\"10.0.1.0/24\","
        "\"AvailableIpAddressCount\":251}");
    u = usage_of(inv, "subnet-r");
    assert_int_equal(u.unaccounted, -3);
    assert_int_equal(u.effective_free, 248);

    cJSON *j = ipusage_to_json(&u);
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(j, "UnaccountedAddresses")->valueint, -3);
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(j, "AvailableIpAddressCount")->valueint, 251);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(j, "Level")->valuestring, "Ok");
    cJSON_Delete(j);
    inventory_destroy(inv);
}

static void test_owner_split(void **state)
{
    struct inventory *inv = inventory_create();
    put(inv, INV_SUBNET, "{\"SubnetId\":\"subnet-o\",\"CidrBlock\":\"10.0.1.0/24\"}");
    put(inv, INV_ENDPOINT,
        "{\"VpcEndpointId\":\"vpce-1\",\"VpcEndpointType\":\"Interface\","
        "\"NetworkInterfaceIds\":[\"eni-moto\"]}");
    /* moto: nothing on the ENI says endpoint; the endpoint's list does */
    put_eni(inv, "eni-moto", "subnet-o", "10.0.1", 10, 1,
            "{\"InterfaceType\":\"interface\",\"Description\":\"\",\"RequesterManaged\":false}");
    put_eni(inv, "eni-aws-vpce", "subnet-o", "10.0.1", 11, 1,
            "{\"InterfaceType\":\"vpc_endpoint\",\"RequesterManaged\":true,"
            "\"Description\":\"VPC Endpoint Interface vpce-2\"}");
    put_eni(inv, "eni-lambda", "subnet-o", "10.0.1", 12, 1, "{\"InterfaceType\":\"lambda\"}");
    put_eni(inv, "eni-lambda-old", "subnet-o", "10.0.1", 13, 1,
            "{\"InterfaceType\":\"interface\",\"Description\":\"AWS Lambda VPC ENI-fn-1\","
            "\"RequesterId\":\"AROAEXAMPLE:awslambda_123\"}");
    put_eni(inv, "eni-alb", "subnet-o", "10.0.1", 14, 1,
            "{\"InterfaceType\":\"interface\",\"Description\":\"ELB app/web/50dc6c495c0c9188\","
            "\"RequesterId\":\"amazon-elb\",\"RequesterManaged\":true}");
    put_eni(inv, "eni-nlb", "subnet-o", "10.0.1", 15, 1,
            "{\"InterfaceType\":\"network_load_balancer\"}");
    put_eni(inv, "eni-nat", "subnet-o", "10.0.1", 16, 1,
            "{\"InterfaceType\":\"natGateway\","
            "\"Description\":\"Interface for NAT Gateway nat-0abc\"}");
    put_eni(inv, "eni-eks", "subnet-o", "10.0.1", 17, 1,
            "{\"InterfaceType\":\"interface\",\"Description\":\"Amazon EKS prod\"}");
    put_eni(inv, "eni-efs", "subnet-o", "10.0.1", 18, 1,
            "{\"InterfaceType\":\"interface\","
            "\"Description\":\"EFS mount target for fs-1 (fsmt-1)\"}");
    put_eni(inv, "eni-ec2", "subnet-o", "10.0.1", 20, 3,
            "{\"InterfaceType\":\"interface\",\"Attachment\":{\"InstanceId\":\"i-1\"}}");
    put_eni(inv, "eni-free", "subnet-o", "10.0.1", 30, 1, "{\"Status\":\"available\"}");
    /* prefix delegation: a /28 counts 16 addresses */
    put_eni(inv, "eni-pd", "subnet-o", "10.0.1", 40, 1,
            "{\"Attachment\":{\"InstanceId\":\"i-2\"},"
            "\"Ipv4Prefixes\":[{\"Ipv4Prefix\":\"10.0.1.64/28\"}]}");

    struct ip_usage u = usage_of(inv, "subnet-o");
    assert_int_equal(u.by_owner[IP_OWNER_ENDPOINT], 2);
    assert_int_equal(u.by_owner[IP_OWNER_LAMBDA], 2);
    assert_int_equal(u.by_owner[IP_OWNER_ELB], 2);
    assert_int_equal(u.by_owner[IP_OWNER_NAT], 1);
    assert_int_equal(u.by_owner[IP_OWNER_EKS], 1);
    assert_int_equal(u.by_owner[IP_OWNER_EFS], 1);
    assert_int_equal(u.by_owner[IP_OWNER_INSTANCE], 3 + 17);
    assert_int_equal(u.by_owner[IP_OWNER_OTHER], 1);
    uint64_t sum = 0;
    for (int i = 0; i < IP_OWNER_COUNT; i++) {
        sum += u.by_owner[i];
    }
    assert_int_equal(sum, u.used);
    assert_int_equal(u.used, 2 + 2 + 2 + 1 + 1 + 1 + 20 + 1);
    assert_string_equal(ipusage_owner_key(IP_OWNER_NAT), "NatGateway");
    assert_string_equal(ipusage_owner_name(IP_OWNER_ENDPOINT), "VPC endpoint");

    cJSON *j = ipusage_to_json(&u);
    const cJSON *owners = cJSON_GetObjectItemCaseSensitive(j, "UsedByOwner");
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(owners, "Lambda")->valueint, 2);
    cJSON_Delete(j);
    inventory_destroy(inv);
}

static void test_moto_address_outside_subnet(void **state)
{
    struct inventory *inv = inventory_create();
    put(inv, INV_SUBNET,
        "{\"SubnetId\":\"subnet-m\",\"CidrBlock\":\"10.0.1.0/24\","
        "\"AvailableIpAddressCount\":250}");
    put_eni(inv, "eni-m", "subnet-m", "10.25.179", 179, 1, NULL);
    struct ip_usage u = usage_of(inv, "subnet-m");
    assert_int_equal(u.used, 1);
    assert_int_equal(u.outside_cidr, 1);
    assert_int_equal(u.unaccounted, 0);
    inventory_destroy(inv);
}

static void test_ipv6_subnets(void **state)
{
    struct inventory *inv = inventory_create();
    put(inv, INV_SUBNET,
        "{\"SubnetId\":\"subnet-v6only\",\"Ipv6Native\":true,"
        "\"Ipv6CidrBlockAssociationSet\":[{\"AssociationId\":\"a\","
        "\"Ipv6CidrBlock\":\"2600:1f18:4a2b:c301::/64\","
        "\"Ipv6CidrBlockState\":{\"State\":\"associated\"}}]}");
    put(inv, INV_ENI,
        "{\"NetworkInterfaceId\":\"eni-6\",\"SubnetId\":\"subnet-v6only\","
        "\"PrivateIpAddresses\":[],\"Ipv6Addresses\":[{\"Ipv6Address\":\"2600:1f18:4a2b:c301::5\"},"
        "{\"Ipv6Address\":\"2600:1f18:4a2b:c301::6\"}]}");
    const struct inv_resource *s = inventory_find(inv, INV_SUBNET, "subnet-v6only");
    assert_false(s->subnet.has_cidr);
    assert_int_equal(s->subnet.n_ipv6, 1);
    assert_int_equal(cidr_host_bits(&s->subnet.ipv6[0]), 64);
    struct ip_usage u = usage_of(inv, "subnet-v6only");
    assert_false(u.has_cidr);
    assert_int_equal(u.total, 0);
    assert_int_equal(u.used, 0);
    assert_int_equal(u.ipv6_used, 2);
    assert_int_equal(ipusage_level(&u), IP_LEVEL_OK);
    assert_true(ipusage_percent_used(&u) == 0.0);

    /* dual stack: IPv4 accounting is unchanged by the IPv6 block */
    put(inv, INV_SUBNET,
        "{\"SubnetId\":\"subnet-dual\",\"CidrBlock\":\"10.0.5.0/24\","
        "\"Ipv6CidrBlockAssociationSet\":[{\"Ipv6CidrBlock\":\"2600:1f18:4a2b:c305::/64\"}]}");
    put_eni(inv, "eni-d", "subnet-dual", "10.0.5", 9, 1,
            "{\"Ipv6Addresses\":[{\"Ipv6Address\":\"2600:1f18:4a2b:c305::9\"}]}");
    u = usage_of(inv, "subnet-dual");
    assert_int_equal(u.usable, 251);
    assert_int_equal(u.used, 1);
    assert_int_equal(u.ipv6_used, 1);
    inventory_destroy(inv);
}

static enum ip_reserved reserved_in(const char *block, const char *addr)
{
    struct cidr c;
    struct ip_addr a;
    assert_true(cidr_parse(block, &c, NULL));
    assert_true(ip_addr_parse(addr, &a));
    return ipusage_reserved_kind(&c, &a);
}

/* The first four and the last address of a block, named; everything else not reserved. */
static void test_reserved_kind(void **state)
{
    (void)state;
    assert_int_equal(reserved_in("10.0.3.0/24", "10.0.3.0"), IP_RESERVED_NETWORK);
    assert_int_equal(reserved_in("10.0.3.0/24", "10.0.3.1"), IP_RESERVED_ROUTER);
    assert_int_equal(reserved_in("10.0.3.0/24", "10.0.3.2"), IP_RESERVED_DNS);
    assert_int_equal(reserved_in("10.0.3.0/24", "10.0.3.3"), IP_RESERVED_FUTURE);
    assert_int_equal(reserved_in("10.0.3.0/24", "10.0.3.255"), IP_RESERVED_BROADCAST);
    assert_int_equal(reserved_in("10.0.3.0/24", "10.0.3.4"), IP_RESERVED_NONE);
    assert_int_equal(reserved_in("10.0.3.0/24", "10.0.3.254"), IP_RESERVED_NONE);
    assert_int_equal(reserved_in("10.0.3.0/24", "10.0.4.0"), IP_RESERVED_NONE);
    assert_int_equal(reserved_in("10.0.3.0/24", "2600:1f18::"), IP_RESERVED_NONE);
    /* wider than a byte of host bits: .1.0 and .0.2 are not the same as .0.0 and +2 */
    assert_int_equal(reserved_in("10.0.0.0/22", "10.0.0.2"), IP_RESERVED_DNS);
    assert_int_equal(reserved_in("10.0.0.0/22", "10.0.1.0"), IP_RESERVED_NONE);
    assert_int_equal(reserved_in("10.0.0.0/22", "10.0.1.2"), IP_RESERVED_NONE);
    assert_int_equal(reserved_in("10.0.0.0/22", "10.0.3.0"), IP_RESERVED_NONE);
    assert_int_equal(reserved_in("10.0.0.0/22", "10.0.3.255"), IP_RESERVED_BROADCAST);
    /* the smallest subnet AWS allows */
    assert_int_equal(reserved_in("10.0.3.16/28", "10.0.3.19"), IP_RESERVED_FUTURE);
    assert_int_equal(reserved_in("10.0.3.16/28", "10.0.3.20"), IP_RESERVED_NONE);
    assert_int_equal(reserved_in("10.0.3.16/28", "10.0.3.31"), IP_RESERVED_BROADCAST);
    /* IPv6: the same five positions */
    assert_int_equal(reserved_in("2600:1f18:abcd:100::/64", "2600:1f18:abcd:100::"),
                     IP_RESERVED_NETWORK);
    assert_int_equal(reserved_in("2600:1f18:abcd:100::/64", "2600:1f18:abcd:100::3"),
                     IP_RESERVED_FUTURE);
    assert_int_equal(reserved_in("2600:1f18:abcd:100::/64", "2600:1f18:abcd:100:1::3"),
                     IP_RESERVED_NONE);
    assert_int_equal(
        reserved_in("2600:1f18:abcd:100::/64", "2600:1f18:abcd:100:ffff:ffff:ffff:ffff"),
        IP_RESERVED_BROADCAST);

    assert_string_equal(ipusage_reserved_name(IP_RESERVED_NETWORK, IP_FAMILY_V4),
                        "network address");
    assert_string_equal(ipusage_reserved_name(IP_RESERVED_ROUTER, IP_FAMILY_V4),
                        "VPC router, base +1");
    assert_string_equal(ipusage_reserved_name(IP_RESERVED_DNS, IP_FAMILY_V4),
                        "Amazon DNS, base +2");
    assert_string_equal(ipusage_reserved_name(IP_RESERVED_FUTURE, IP_FAMILY_V4),
                        "future use, base +3");
    assert_string_equal(ipusage_reserved_name(IP_RESERVED_BROADCAST, IP_FAMILY_V4),
                        "broadcast address");
    assert_string_equal(ipusage_reserved_name(IP_RESERVED_BROADCAST, IP_FAMILY_V6), "last address");
}

/* Overlapping VPCs: every subnet whose block holds the address, each with its own verdict. */
static void test_find_subnets(void **state)
{
    (void)state;
    struct inventory *inv = inventory_create();
    put(inv, INV_SUBNET,
        "{\"SubnetId\":\"subnet-b\",\"VpcId\":\"vpc-2\",\"CidrBlock\":\"10.0.3.0/24\"}");
    put(inv, INV_SUBNET,
        "{\"SubnetId\":\"subnet-a\",\"VpcId\":\"vpc-1\",\"CidrBlock\":\"10.0.3.0/24\","
        "\"Ipv6CidrBlockAssociationSet\":[{\"Ipv6CidrBlock\":\"2600:1f18:abcd:100::/64\"}]}");
    put(inv, INV_SUBNET,
        "{\"SubnetId\":\"subnet-c\",\"VpcId\":\"vpc-3\",\"CidrBlock\":\"10.0.0.0/22\"}");
    put(inv, INV_SUBNET,
        "{\"SubnetId\":\"subnet-d\",\"VpcId\":\"vpc-3\",\"CidrBlock\":\"10.0.4.0/24\"}");

    struct ip_addr a;
    struct ip_place *p = NULL;
    assert_true(ip_addr_parse("10.0.3.0", &a));
    assert_int_equal(ipusage_find_subnets(inv, &a, &p), 3);
    assert_string_equal(p[0].subnet->id, "subnet-a");
    assert_int_equal(p[0].reserved, IP_RESERVED_NETWORK);
    assert_string_equal(p[1].subnet->id, "subnet-b");
    assert_int_equal(p[1].reserved, IP_RESERVED_NETWORK);
    assert_string_equal(p[2].subnet->id, "subnet-c");
    assert_int_equal(p[2].reserved, IP_RESERVED_NONE);
    free(p);

    assert_true(ip_addr_parse("10.0.4.255", &a));
    assert_int_equal(ipusage_find_subnets(inv, &a, &p), 1);
    assert_string_equal(p[0].subnet->id, "subnet-d");
    assert_int_equal(p[0].reserved, IP_RESERVED_BROADCAST);
    free(p);

    assert_true(ip_addr_parse("2600:1f18:abcd:100::2", &a));
    assert_int_equal(ipusage_find_subnets(inv, &a, &p), 1);
    assert_string_equal(p[0].subnet->id, "subnet-a");
    assert_int_equal(p[0].reserved, IP_RESERVED_DNS);
    assert_int_equal(cidr_host_bits(p[0].block), 64);
    free(p);

    assert_true(ip_addr_parse("192.0.2.1", &a));
    assert_int_equal(ipusage_find_subnets(inv, &a, &p), 0);
    assert_null(p);
    inventory_destroy(inv);
}

static void test_vpc_headroom(void **state)
{
    struct inventory *inv = inventory_create();
    put(inv, INV_VPC, "{\"VpcId\":\"vpc-a\",\"CidrBlock\":\"10.0.0.0/16\"}");
    put(inv, INV_AZ, "{\"ZoneId\":\"use1-az1\",\"ZoneName\":\"us-east-1b\"}");
    put(inv, INV_SUBNET,
        "{\"SubnetId\":\"subnet-1\",\"VpcId\":\"vpc-a\",\"CidrBlock\":\"10.0.1.0/24\","
        "\"AvailabilityZone\":\"us-east-1a\",\"AvailabilityZoneId\":\"use1-az6\"}");
    put(inv, INV_SUBNET,
        "{\"SubnetId\":\"subnet-2\",\"VpcId\":\"vpc-a\",\"CidrBlock\":\"10.0.2.0/28\","
        "\"AvailabilityZone\":\"us-east-1a\",\"AvailabilityZoneId\":\"use1-az6\"}");
    put(inv, INV_SUBNET,
        "{\"SubnetId\":\"subnet-3\",\"VpcId\":\"vpc-a\",\"CidrBlock\":\"10.0.3.0/26\","
        "\"AvailabilityZone\":\"us-east-1b\"}");
    put(inv, INV_SUBNET,
        "{\"SubnetId\":\"subnet-x\",\"VpcId\":\"vpc-other\",\"CidrBlock\":\"10.0.3.0/26\","
        "\"AvailabilityZone\":\"us-east-1c\"}");
    put_eni(inv, "eni-1", "subnet-1", "10.0.1", 10, 10, NULL);
    put_eni(inv, "eni-2", "subnet-3", "10.0.3", 10, 4, NULL);
    struct az_headroom *rows = NULL;
    size_t n = ipusage_vpc_headroom(inv, "vpc-a", &rows);
    assert_int_equal(n, 2);
    assert_string_equal(rows[0].zone_name, "us-east-1a");
    assert_string_equal(rows[0].zone_id, "use1-az6");
    assert_int_equal(rows[0].subnets, 2);
    assert_int_equal(rows[0].usable, 251 + 11);
    assert_int_equal(rows[0].used, 10);
    assert_int_equal(rows[0].free, 241 + 11);
    assert_string_equal(rows[0].roomiest_subnet_id, "subnet-1");
    assert_string_equal(rows[1].zone_id, "use1-az1"); /* from the AZ inventory, by name */
    assert_int_equal(rows[1].usable, 59);
    assert_int_equal(rows[1].free, 55);
    cJSON *j = ipusage_headroom_to_json(rows, n);
    assert_int_equal(cJSON_GetArraySize(j), 2);
    assert_string_equal(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(j, 1), "ZoneId")->valuestring,
        "use1-az1");
    cJSON_Delete(j);
    free(rows);
    assert_int_equal(ipusage_vpc_headroom(inv, "vpc-none", &rows), 0);
    free(rows);
    inventory_destroy(inv);
}

static struct ip_usage bar_usage(uint64_t usable, uint64_t used, uint64_t endpoint)
{
    struct ip_usage u;
    memset(&u, 0, sizeof(u));
    u.has_cidr = true;
    u.usable = usable;
    u.used = used;
    u.free = usable - used;
    u.effective_free = usable - used;
    u.by_owner[IP_OWNER_ENDPOINT] = endpoint;
    u.by_owner[IP_OWNER_OTHER] = used - endpoint;
    return u;
}

/* The filled length is the used fraction: 3% is one cell at most, 0% none. */
static void test_bar_is_proportional(void **state)
{
    (void)state;
    struct ip_bar b;
    struct ip_usage u = bar_usage(251, 0, 0);
    ipusage_bar(&u, 10, &b);
    assert_int_equal(b.endpoint + b.other, 0);
    assert_int_equal(b.free, 10);
    u = bar_usage(2043, 61, 2); /* 3% */
    ipusage_bar(&u, 10, &b);
    assert_int_equal(b.endpoint + b.other, 1);
    assert_int_equal(b.free, 9);
    u = bar_usage(251, 182, 2); /* 72.5% */
    ipusage_bar(&u, 10, &b);
    assert_int_equal(b.endpoint + b.other, 7);
    assert_int_equal(b.endpoint, 1); /* a small owner keeps one cell */
    assert_int_equal(b.free, 3);
    u = bar_usage(251, 250, 0); /* one free: never drawn full */
    ipusage_bar(&u, 10, &b);
    assert_int_equal(b.other, 9);
    u = bar_usage(11, 11, 6);
    ipusage_bar(&u, 10, &b);
    assert_int_equal(b.endpoint + b.other, 10);
    assert_int_equal(b.endpoint, 5);
    assert_int_equal(b.free, 0);
    u = bar_usage(100, 50, 50);
    ipusage_bar(&u, 20, &b);
    assert_int_equal(b.endpoint, 10);
    assert_int_equal(b.other, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bar_is_proportional),
        cmocka_unit_test(test_small_subnet_nearly_full),
        cmocka_unit_test(test_big_subnet),
        cmocka_unit_test(test_warn_level),
        cmocka_unit_test(test_reconciliation_mismatch),
        cmocka_unit_test(test_owner_split),
        cmocka_unit_test(test_moto_address_outside_subnet),
        cmocka_unit_test(test_ipv6_subnets),
        cmocka_unit_test(test_vpc_headroom),
        cmocka_unit_test(test_reserved_kind),
        cmocka_unit_test(test_find_subnets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
