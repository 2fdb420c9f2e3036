/* The endpoint x AZ matrix as data: columns, cells, fitting and cell text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "vpcx/model/inventory.h"
#include "vpcx/ui/matrix.h"

static void put(struct inventory *inv, enum inv_type type, const char *json)
{
    cJSON *item = cJSON_Parse(json);
    if (item == NULL)
        fail_msg("bad fixture: %s", json);
    assert_int_equal(inventory_put(inv, type, item), VPCX_OK);
}

/* vpc-a: subnets in 1a, 1b, 1e; ssm offered in 1a and 1b only, one ENI in 1a. */
static struct inventory *world(void)
{
    struct inventory *inv = inventory_create();
    put(inv, INV_VPC, "{\"VpcId\":\"vpc-a\",\"CidrBlock\":\"10.0.0.0/16\"}");
    put(inv, INV_VPC, "{\"VpcId\":\"vpc-b\",\"CidrBlock\":\"10.1.0.0/16\"}");
    put(inv, INV_AZ, "{\"ZoneName\":\"us-east-1a\",\"ZoneId\":\"use1-az6\"}");
    put(inv, INV_AZ, "{\"ZoneName\":\"us-east-1b\",\"ZoneId\":\"use1-az1\"}");
    put(inv, INV_AZ, "{\"ZoneName\":\"us-east-1e\",\"ZoneId\":\"use1-az3\"}");
    put(inv, INV_AZ, "{\"ZoneName\":\"us-east-1c\",\"ZoneId\":\"use1-az2\"}");
    put(inv, INV_SUBNET,
        "{\"SubnetId\":\"subnet-a\",\"VpcId\":\"vpc-a\",\"CidrBlock\":\"10.0.1.0/24\","
        "\"AvailabilityZone\":\"us-east-1a\",\"AvailabilityZoneId\":\"use1-az6\"}");
    put(inv, INV_SUBNET,
        "{\"SubnetId\":\"subnet-b\",\"VpcId\":\"vpc-a\",\"CidrBlock\":\"10.0.2.0/24\","
        "\"AvailabilityZone\":\"us-east-1b\",\"AvailabilityZoneId\":\"use1-az1\"}");
    put(inv, INV_SUBNET,
        "{\"SubnetId\":\"subnet-e\",\"VpcId\":\"vpc-a\",\"CidrBlock\":\"10.0.3.0/24\","
        "\"AvailabilityZone\":\"us-east-1e\",\"AvailabilityZoneId\":\"use1-az3\"}");
    put(inv, INV_SUBNET,
        "{\"SubnetId\":\"subnet-c\",\"VpcId\":\"vpc-b\",\"CidrBlock\":\"10.1.3.0/24\","
        "\"AvailabilityZone\":\"us-east-1c\",\"AvailabilityZoneId\":\"use1-az2\"}");
    put(inv, INV_SERVICE,
        "{\"ServiceId\":\"vpce-svc-ssm\",\"ServiceName\":\"com.amazonaws.us-east-1.ssm\","
        "\"ServiceType\":[{\"ServiceType\":\"Interface\"}],"
        "\"AvailabilityZones\":[\"us-east-1a\",\"us-east-1b\"]}");
    put(inv, INV_ENI,
        "{\"NetworkInterfaceId\":\"eni-a1\",\"SubnetId\":\"subnet-a\",\"VpcId\":\"vpc-a\","
        "\"Status\":\"in-use\",\"PrivateIpAddress\":\"10.0.1.44\"}");
    put(inv, INV_ENDPOINT,
        "{\"VpcEndpointId\":\"vpce-ssm\",\"VpcEndpointType\":\"Interface\",\"VpcId\":\"vpc-a\","
        "\"ServiceName\":\"com.amazonaws.us-east-1.ssm\",\"SubnetIds\":[\"subnet-a\"],"
        "\"NetworkInterfaceIds\":[\"eni-a1\"]}");
    put(inv, INV_ENDPOINT,
        "{\"VpcEndpointId\":\"vpce-s3\",\"VpcEndpointType\":\"Gateway\",\"VpcId\":\"vpc-a\","
        "\"ServiceName\":\"com.amazonaws.us-east-1.s3\",\"RouteTableIds\":[\"rtb-1\",\"rtb-2\"]}");
    return inv;
}

static void test_one_vpc(void **state)
{
    (void)state;
    struct inventory *inv = world();
    struct matrix m;
    matrix_build(&m, inv, "vpc-a");
    /* vpc-b's zone is not a column; columns sorted by zone name. */
    assert_int_equal(m.n_cols, 3);
    assert_string_equal(m.cols[0].zone_id, "use1-az6");
    assert_string_equal(m.cols[1].zone_id, "use1-az1");
    assert_string_equal(m.cols[2].zone_id, "use1-az3");
    assert_string_equal(m.cols[2].zone_name, "us-east-1e");
    assert_int_equal(m.n_rows, 2);
    assert_int_equal(m.n_endpoints, 2);
    const struct matrix_row *gw = &m.rows[0], *ssm = &m.rows[1];
    assert_string_equal(gw->id, "vpce-s3");
    assert_true(gw->gateway);
    assert_null(gw->cells);
    assert_int_equal(gw->route_tables.n, 2);
    assert_string_equal(ssm->id, "vpce-ssm");
    assert_true(ssm->single_az);
    assert_int_equal(ssm->cells[0].status, PLACEMENT_ENI);
    assert_string_equal(ssm->cells[0].ip, "10.0.1.44");
    assert_int_equal(ssm->cells[1].status, PLACEMENT_SUPPORTED);
    assert_int_equal(ssm->cells[2].status, PLACEMENT_NOT_OFFERED);
    assert_int_equal(matrix_find_col(&m, "use1-az2"), m.n_cols);
    matrix_finish(&m);
    inventory_destroy(inv);
}

static void test_all_vpcs(void **state)
{
    (void)state;
    struct inventory *inv = world();
    struct matrix m;
    matrix_build(&m, inv, NULL);
    assert_int_equal(m.n_cols, 4); /* vpc-b's zone joins the union */
    /* vpc-b has no endpoints: no group. */
    assert_int_equal(m.n_rows, 3);
    assert_int_equal(m.rows[0].kind, MATRIX_ROW_VPC);
    assert_string_equal(m.rows[0].id, "vpc-a");
    size_t c = matrix_find_col(&m, "use1-az2");
    assert_true(c < m.n_cols);
    assert_false(m.rows[2].cells[c].in_vpc);
    matrix_finish(&m);
    inventory_destroy(inv);
}

static void test_fit(void **state)
{
    (void)state;
    struct matrix_fit f;
    matrix_fit_columns(3, 120, 10, 9, 0, &f);
    assert_int_equal(f.cell_w, MATRIX_CELL_MAX);
    assert_int_equal(f.n_visible, 3);
    assert_int_equal(f.cost_w, 10);
    assert_true(f.label_w + f.cost_w + 3 * (f.cell_w + 1) <= 120);
    matrix_fit_columns(3, 80, 10, 9, 0, &f);
    assert_int_equal(f.cell_w, 13);
    assert_int_equal(f.label_w + f.cost_w + 3 * (f.cell_w + 1), 80);
    /* Six zones at 80 columns do not fit cells of 9 beside the label: they scroll, as many
       as fit at the narrowest width that still names every ENI. */
    matrix_fit_columns(6, 80, 10, 9, 0, &f);
    assert_int_equal(f.cell_w, 9);
    assert_int_equal(f.n_visible, 4);
    assert_true(f.label_w >= MATRIX_LABEL_MIN);
    assert_true(f.label_w + f.cost_w + (int)f.n_visible * (f.cell_w + 1) <= 80);
    /* Too many zones: scroll, first column clamped. */
    matrix_fit_columns(20, 60, 0, 9, 99, &f);
    assert_true(f.n_visible < 20);
    assert_int_equal(f.first_col + f.n_visible, 20);
    assert_true(f.label_w + (int)f.n_visible * (f.cell_w + 1) <= 60);
}

static void test_cell_text(void **state)
{
    (void)state;
    const struct ui_glyphs *g = draw_glyphs(false);
    struct strbuf sb;
    strbuf_init(&sb, 32);
    const char *ip = "10.0.123.44";
    struct matrix_cell c = {.in_vpc = true,
                            .status = PLACEMENT_ENI,
                            .ip = ip,
                            .tail = ip + 8, /* ".44" */
                            .eni_status = "in-use",
                            .eni_count = 1};
    assert_int_equal(matrix_cell_text(&c, 22, g, &sb), ROLE_CELL_ENI);
    assert_string_equal(sb.buf, "10.0.123.44 in-use");
    matrix_cell_text(&c, 15, g, &sb);
    assert_string_equal(sb.buf, "10.0.123.44");
    /* Narrow: the glyph and the tail after an ellipsis, never a bare ".44". */
    matrix_cell_text(&c, 8, g, &sb);
    assert_string_equal(sb.buf, "+ ~44");
    c.tail = ip + 4; /* ".123.44": ".44" would be another address's too */
    matrix_cell_text(&c, 9, g, &sb);
    assert_string_equal(sb.buf, "+ ~123.44");
    c.eni_count = 3;
    matrix_cell_text(&c, 22, g, &sb);
    assert_string_equal(sb.buf, "10.0.123.44 in-use +2");
    c.eni_count = 1;
    c.eni_status = "detaching";
    assert_int_equal(matrix_cell_text(&c, 22, g, &sb), ROLE_WARN);
    assert_string_equal(sb.buf, "10.0.123.44 detaching");
    matrix_cell_text(&c, 15, g, &sb);
    assert_string_equal(sb.buf, "! 10.0.123.44");
    c.status = PLACEMENT_NOT_OFFERED;
    assert_int_equal(matrix_cell_text(&c, 8, g, &sb), ROLE_CELL_NOT_OFFERED);
    assert_string_equal(sb.buf, "x");
    c.status = PLACEMENT_SUPPORTED;
    assert_int_equal(matrix_cell_text(&c, 8, g, &sb), ROLE_CELL_EMPTY);
    c.status = PLACEMENT_SUBNET_NO_ENI;
    assert_int_equal(matrix_cell_text(&c, 8, g, &sb), ROLE_WARN);
    assert_string_equal(sb.buf, "no ENI");
    c.in_vpc = false;
    matrix_cell_text(&c, 8, g, &sb);
    assert_string_equal(sb.buf, "");
    strbuf_release(&sb);
}

/* Tails: the shortest run of last octets no other address of the VPC ends with. */
static void test_tails(void **state)
{
    (void)state;
    struct inventory *inv = world();
    /* Another ENI whose address ends in .44, and one ending in 144 (not ".44"). */
    put(inv, INV_ENI,
        "{\"NetworkInterfaceId\":\"eni-x\",\"SubnetId\":\"subnet-b\",\"VpcId\":\"vpc-a\","
        "\"PrivateIpAddress\":\"10.0.2.44\"}");
    put(inv, INV_ENI,
        "{\"NetworkInterfaceId\":\"eni-y\",\"SubnetId\":\"subnet-b\",\"VpcId\":\"vpc-a\","
        "\"PrivateIpAddress\":\"10.0.2.144\"}");
    struct matrix m;
    matrix_build(&m, inv, "vpc-a");
    const struct matrix_cell *c = &m.rows[1].cells[0];
    assert_string_equal(c->ip, "10.0.1.44");
    assert_string_equal(c->tail, ".1.44");
    assert_int_equal(matrix_min_cell_width(&m), 7); /* "+ ~1.44" */
    matrix_finish(&m);
    /* Alone in its VPC, the last octet is enough. */
    inventory_destroy(inv);
    inv = world();
    matrix_build(&m, inv, "vpc-a");
    assert_string_equal(m.rows[1].cells[0].tail, ".44");
    assert_int_equal(matrix_min_cell_width(&m), 6); /* "no ENI" is the widest then */
    matrix_finish(&m);
    inventory_destroy(inv);
}

static void test_whatifs(void **state)
{
    (void)state;
    struct inventory *inv = world();
    struct matrix m;
    matrix_build(&m, inv, "vpc-a");
    struct matrix_whatifs w = {0};
    const struct matrix_row *gw = &m.rows[0], *ssm = &m.rows[1];
    /* Columns: 1a (ENI), 1b (offered, empty), 1e (not offered). */
    assert_int_equal(matrix_whatif_toggle(&w, &m, gw, 0), MATRIX_TOGGLE_NO_CELL);
    assert_int_equal(matrix_whatif_toggle(&w, &m, ssm, 2), MATRIX_TOGGLE_NOT_OFFERED);
    assert_int_equal(matrix_whatif_toggle(&w, &m, ssm, 1), MATRIX_TOGGLE_ADDED);
    assert_int_equal(matrix_whatif_delta(&w, NULL), 1);
    assert_int_equal(matrix_whatif_toggle(&w, &m, ssm, 0), MATRIX_TOGGLE_REMOVED);
    assert_int_equal(matrix_whatif_delta(&w, "vpce-ssm"), 0);
    assert_int_equal(w.n, 2);
    const struct matrix_whatif *x = matrix_whatif_find(&w, "vpce-ssm", "use1-az1");
    assert_non_null(x);
    assert_true(x->add);
    /* Toggling again takes it back. */
    assert_int_equal(matrix_whatif_toggle(&w, &m, ssm, 0), MATRIX_TOGGLE_CLEARED);
    assert_int_equal(matrix_whatif_delta(&w, "vpce-ssm"), 1);
    assert_int_equal(matrix_whatif_delta(&w, "vpce-other"), 0);
    /* The ENI lands in 1b: the add is no longer a what-if. */
    matrix_finish(&m);
    put(inv, INV_ENI,
        "{\"NetworkInterfaceId\":\"eni-b1\",\"SubnetId\":\"subnet-b\",\"VpcId\":\"vpc-a\","
        "\"Status\":\"in-use\",\"PrivateIpAddress\":\"10.0.2.9\"}");
    put(inv, INV_ENDPOINT,
        "{\"VpcEndpointId\":\"vpce-ssm\",\"VpcEndpointType\":\"Interface\",\"VpcId\":\"vpc-a\","
        "\"ServiceName\":\"com.amazonaws.us-east-1.ssm\",\"SubnetIds\":[\"subnet-a\",\"subnet-b\"],"
        "\"NetworkInterfaceIds\":[\"eni-a1\",\"eni-b1\"]}");
    matrix_build(&m, inv, "vpc-a");
    matrix_whatif_prune(&w, &m);
    assert_int_equal(w.n, 0);
    matrix_whatifs_clear(&w);
    matrix_finish(&m);
    inventory_destroy(inv);
}

static void test_service_short(void **state)
{
    (void)state;
    assert_string_equal(matrix_service_short("com.amazonaws.us-east-1.ecr.api"), "ecr.api");
    assert_string_equal(matrix_service_short("com.amazonaws.vpce.eu-west-1.vpce-svc-0a"),
                        "vpce-svc-0a");
    assert_string_equal(matrix_service_short("custom.name"), "custom.name");
    assert_null(matrix_service_short(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_vpc),       cmocka_unit_test(test_all_vpcs),
        cmocka_unit_test(test_fit),           cmocka_unit_test(test_cell_text),
        cmocka_unit_test(test_tails),         cmocka_unit_test(test_whatifs),
        cmocka_unit_test(test_service_short),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
