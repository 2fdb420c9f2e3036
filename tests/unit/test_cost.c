/*
 * cost: totals against hand computations, unknown regions, config overrides
 * and the data processing tiers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "vpcx/model/cost.h"
#include "vpcx/model/inventory.h"

static void put(struct inventory *inv, enum inv_type type, const char *json)
{
    cJSON *item = cJSON_Parse(json);
    if (!item)
        fail_msg("bad fixture: %s", json);
    assert_int_equal(inventory_put(inv, type, item), VPCX_OK);
}

/*
 * vpc-1: interface vpce-a with 3 ENIs, gateway vpce-s3; vpc-2: interface
 * vpce-b with 2 subnets and no ENI loaded, vpce-d deleted.
 */
static struct inventory *fixture(void)
{
    struct inventory *inv = inventory_create();
    put(inv, INV_ENDPOINT,
        "{\"VpcEndpointId\":\"vpce-a\",\"VpcId\":\"vpc-1\",\"VpcEndpointType\":\"Interface\","
        "\"State\":\"available\",\"NetworkInterfaceIds\":[\"eni-1\",\"eni-2\",\"eni-3\"]}");
    put(inv, INV_ENDPOINT,
        "{\"VpcEndpointId\":\"vpce-s3\",\"VpcId\":\"vpc-1\",\"VpcEndpointType\":\"Gateway\","
        "\"State\":\"available\"}");
    put(inv, INV_ENDPOINT,
        "{\"VpcEndpointId\":\"vpce-b\",\"VpcId\":\"vpc-2\",\"VpcEndpointType\":\"Interface\","
        "\"State\":\"pendingAcceptance\",\"SubnetIds\":[\"subnet-1\",\"subnet-2\"]}");
    put(inv, INV_ENDPOINT,
        "{\"VpcEndpointId\":\"vpce-d\",\"VpcId\":\"vpc-2\",\"VpcEndpointType\":\"Interface\","
        "\"State\":\"deleted\",\"NetworkInterfaceIds\":[\"eni-9\"]}");
    put(inv, INV_ENDPOINT,
        "{\"VpcEndpointId\":\"vpce-g\",\"VpcId\":\"vpc-2\",\"VpcEndpointType\":"
        "\"GatewayLoadBalancer\",\"State\":\"available\"}");
    return inv;
}

static void test_us_east_1_totals(void **state)
{
    (void)state;
    struct inventory *inv = fixture();
    struct cost_prices *p = cost_prices_create();
    struct cost_report r;
    cost_compute(inv, p, "111", "us-east-1", &r);
    assert_int_equal(r.n, 5);
    /* vpce-a: 3 ENIs x 730 h x $0.01 = $21.90; vpce-b (billed in any state): 2 x 730 x 0.01. */
    assert_string_equal(r.endpoints[0].endpoint->id, "vpce-a");
    assert_int_equal(r.endpoints[0].units, 3);
    assert_true(fabs(r.endpoints[0].monthly - 21.90) < 1e-9);
    assert_true(r.endpoints[0].per_gb);
    assert_int_equal(r.endpoints[1].basis, COST_FREE);
    assert_int_equal(r.n_vpcs, 2);
    assert_string_equal(r.vpcs[0].vpc_id, "vpc-1");
    assert_true(fabs(r.vpcs[0].total.monthly - 21.90) < 1e-9);
    assert_true(fabs(r.vpcs[1].total.monthly - 14.60) < 1e-9);
    /* The GWLB endpoint's hourly price is not in the bundled table. */
    assert_int_equal(r.vpcs[1].total.unknown, 1);
    assert_true(fabs(r.total.monthly - 36.50) < 1e-9);
    assert_int_equal(r.total.unknown, 1);
    cost_report_finish(&r);
    cost_prices_destroy(p);
    inventory_destroy(inv);
}

static void test_unknown_region_and_override(void **state)
{
    (void)state;
    struct inventory *inv = fixture();
    struct cost_prices *p = cost_prices_create();
    struct cost_report r;
    cost_compute(inv, p, "111", "eu-west-1", &r);
    assert_int_equal(r.endpoints[0].basis, COST_UNKNOWN);
    assert_true(r.total.monthly == 0);
    assert_int_equal(r.total.unknown, 3);
    cost_report_finish(&r);

    static const char cfg[] = "bind j down\n"
                              "price eu-west-1 interface-hour 0.011\n"
                              "price eu-west-1 gwlb-hour 0.0125\n";
    struct vpcx_error err;
    vpcx_error_init(&err);
    assert_int_equal(cost_prices_parse_config(p, "cfg", cfg, strlen(cfg), &err), VPCX_OK);
    cost_compute(inv, p, "111", "eu-west-1", &r);
    /* 5 ENIs x 730 x 0.011 = 40.15; GWLB 1 x 730 x 0.0125 = 9.125. */
    assert_true(fabs(r.total.monthly - (40.15 + 9.125)) < 1e-9);
    assert_int_equal(r.total.unknown, 0);
    cost_report_finish(&r);
    const char *src;
    double usd;
    assert_true(cost_price(p, "eu-west-1", COST_INTERFACE_HOUR, &usd, &src));
    assert_string_equal(src, "config");
    assert_true(cost_price(p, "us-east-1", COST_INTERFACE_HOUR, &usd, &src));
    assert_string_equal(src, COST_PRICE_SOURCE);

    static const char bad[] = "price eu-west-1 interface-hour cheap\n";
    assert_int_equal(cost_prices_parse_config(p, "cfg", bad, strlen(bad), &err), VPCX_ERR_USAGE);
    assert_non_null(strstr(err.message, "cfg, line 1"));
    static const char bad_kind[] = "price eu-west-1 per-az 0.01\n";
    assert_int_equal(cost_prices_parse_config(p, "cfg", bad_kind, strlen(bad_kind), &err),
                     VPCX_ERR_USAGE);
    static const char negative[] = "price eu-west-1 gb-tier1 -1\n";
    assert_int_equal(cost_prices_parse_config(p, "cfg", negative, strlen(negative), &err),
                     VPCX_ERR_USAGE);
    vpcx_error_finish(&err);
    cost_prices_destroy(p);
    inventory_destroy(inv);
}

static void test_data_processing_tiers(void **state)
{
    (void)state;
    struct cost_prices *p = cost_prices_create();
    double usd;
    const double pb = 1024.0 * 1024.0;
    assert_true(cost_data_processing(p, "us-east-1", 1000, &usd));
    assert_true(fabs(usd - 10.0) < 1e-9);
    /* 6 PB: 1 PB at 0.01, 4 PB at 0.006, 1 PB at 0.004. */
    assert_true(cost_data_processing(p, "us-east-1", 6 * pb, &usd));
    assert_true(fabs(usd - pb * (0.01 + 4 * 0.006 + 0.004)) < 1e-6);
    assert_false(cost_data_processing(p, "ap-south-1", 1000, &usd));
    cost_prices_destroy(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_us_east_1_totals),
        cmocka_unit_test(test_unknown_region_and_override),
        cmocka_unit_test(test_data_processing_tiers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
