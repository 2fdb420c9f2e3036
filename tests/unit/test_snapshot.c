#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"
#include "vpcx/store/snapshot.h"

static const char *const fixture_items[][2] = {
    {"Vpcs", "{\"VpcId\":\"vpc-1\",\"CidrBlock\":\"10.0.0.0/16\",\"IsDefault\":false,"
             "\"Tags\":[{\"Key\":\"Name\",\"Value\":\"prod \\u001b[31m\"}]}"},
    {"Subnets", "{\"SubnetId\":\"subnet-1\",\"VpcId\":\"vpc-1\",\"CidrBlock\":\"10.0.1.0/28\","
                "\"AvailabilityZone\":\"us-east-1a\",\"AvailabilityZoneId\":\"use1-az1\","
                "\"AvailableIpAddressCount\":9,\"Unknown\":{\"Kept\":[1,2.5,null]}}"},
    {"AvailabilityZones", "{\"ZoneName\":\"us-east-1a\",\"ZoneId\":\"use1-az1\"}"},
    {"VpcEndpoints", "{\"VpcEndpointId\":\"vpce-1\",\"VpcEndpointType\":\"Interface\","
                     "\"VpcId\":\"vpc-1\",\"ServiceName\":\"com.amazonaws.us-east-1.ssm\","
                     "\"SubnetIds\":[\"subnet-1\"],\"NetworkInterfaceIds\":[\"eni-1\"],"
                     "\"PrivateDnsEnabled\":true,\"PolicyDocument\":\"{\\n  \\\"a\\\": 1\\n}\"}"},
    {"NetworkInterfaces", "{\"NetworkInterfaceId\":\"eni-1\",\"SubnetId\":\"subnet-1\","
                          "\"VpcId\":\"vpc-1\",\"PrivateIpAddress\":\"10.0.1.5\","
                          "\"PrivateIpAddresses\":[{\"PrivateIpAddress\":\"10.0.1.5\","
                          "\"Primary\":true}]}"},
};

static struct inventory *fixture(void)
{
    struct inventory *inv = inventory_create();
    for (size_t i = 0; i < sizeof(fixture_items) / sizeof(fixture_items[0]); i++) {
        enum inv_type t;
        assert_true(inventory_type_from_list_key(fixture_items[i][0], &t));
        assert_int_equal(inventory_put(inv, t, cJSON_Parse(fixture_items[i][1])), VPCX_OK);
    }
    assert_int_equal(inventory_set_vpc_attribute(inv, "vpc-1", "enableDnsSupport", true), VPCX_OK);
    assert_int_equal(inventory_set_vpc_attribute(inv, "vpc-1", "enableDnsHostnames", false),
                     VPCX_OK);
    return inv;
}

static char *write_to_string(const struct inventory *inv, bool pretty, size_t *len)
{
    struct snapshot_meta meta = {.account = "111122223333",
                                 .region = "us-east-1",
                                 .source = "aws",
                                 .fetched_at = "2026-11-26T12:00:00Z"};
    cJSON *errors = cJSON_Parse("[{\"Type\":\"PrefixLists\",\"Code\":\"Throttling\"}]");
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    struct vpcx_error err;
    vpcx_error_init(&err);
    assert_int_equal(snapshot_write(f, inv, &meta, errors, pretty, &err), VPCX_OK);
    fclose(f);
    cJSON_Delete(errors);
    return buf;
}

static void assert_same_inventory(const struct inventory *a, const struct inventory *b)
{
    for (int t = 0; t < INV_TYPE_COUNT; t++) {
        assert_int_equal(inventory_count(a, t), inventory_count(b, t));
        for (size_t i = 0; i < inventory_count(a, t); i++) {
            const struct inv_resource *ra = inventory_at(a, t, i);
            const struct inv_resource *rb = inventory_at(b, t, i);
            assert_string_equal(ra->id, rb->id);
            cJSON *ja = inventory_item(a, ra);
            cJSON *jb = inventory_item(b, rb);
            assert_true(cJSON_Compare(ja, jb, true));
            cJSON_Delete(ja);
            cJSON_Delete(jb);
        }
    }
    const struct inv_resource *va = inventory_find(a, INV_VPC, "vpc-1");
    const struct inv_resource *vb = inventory_find(b, INV_VPC, "vpc-1");
    assert_int_equal(va->vpc.dns_support, vb->vpc.dns_support);
    assert_int_equal(va->vpc.dns_hostnames, vb->vpc.dns_hostnames);
}

static void round_trip(bool pretty)
{
    struct inventory *inv = fixture();
    size_t len;
    char *text = write_to_string(inv, pretty, &len);
    /* The output is one valid JSON document. */
    cJSON *doc = cJSON_Parse(text);
    assert_non_null(doc);
    assert_non_null(cJSON_GetObjectItem(doc, "Derived"));
    cJSON_Delete(doc);

    struct inventory *back = inventory_create();
    struct snapshot_meta meta;
    cJSON *errors = NULL;
    struct vpcx_error err;
    vpcx_error_init(&err);
    assert_int_equal(snapshot_load_buffer(text, len, "test", back, &meta, &errors, &err), VPCX_OK);
    assert_same_inventory(inv, back);
    assert_string_equal(meta.account, "111122223333");
    assert_string_equal(meta.fetched_at, "2026-11-26T12:00:00Z");
    assert_int_equal(cJSON_GetArraySize(errors), 1);

    /* Writing what was loaded gives the same bytes again. */
    size_t len2;
    char *text2 = write_to_string(back, pretty, &len2);
    assert_int_equal(len, len2);
    assert_memory_equal(text, text2, len);

    free(text);
    free(text2);
    cJSON_Delete(errors);
    snapshot_meta_finish(&meta);
    inventory_destroy(inv);
    inventory_destroy(back);
}

static void test_round_trip_pretty(void **state)
{
    round_trip(true);
}

static void test_round_trip_compact(void **state)
{
    round_trip(false);
}

static void expect_refused(const char *doc, enum vpcx_status want, const char *fragment)
{
    struct inventory *inv = fixture();
    struct snapshot_meta meta;
    struct vpcx_error err;
    vpcx_error_init(&err);
    cJSON *errors = NULL;
    assert_int_equal(snapshot_load_buffer(doc, strlen(doc), "snap", inv, &meta, &errors, &err),
                     want);
    assert_non_null(err.message);
    if (!strstr(err.message, fragment))
        fail_msg("message '%s' lacks '%s'", err.message, fragment);
    /* A refused file changes nothing. */
    assert_int_equal(inventory_count(inv, INV_VPC), 1);
    assert_int_equal(inventory_count(inv, INV_SUBNET), 1);
    assert_null(errors);
    vpcx_error_finish(&err);
    inventory_destroy(inv);
}

static void test_bad_documents_refused(void **state)
{
    expect_refused("", VPCX_ERR_PARSE, "not valid JSON");
    expect_refused("{\"Metadata\":{\"FormatVersion\":1},\"Vpcs\":[", VPCX_ERR_PARSE,
                   "not valid JSON");
    expect_refused("[1,2]", VPCX_ERR_PARSE, "not a JSON object");
    expect_refused("{\"Vpcs\":[]}", VPCX_ERR_PARSE, "not a vpcx dump");
    expect_refused("{\"Metadata\":{\"FormatVersion\":2}}", VPCX_ERR_PARSE, "format version 2");
    expect_refused("{\"Metadata\":{\"FormatVersion\":1},\"Subnets\":{}}", VPCX_ERR_PARSE,
                   "Subnets is not a list");
    expect_refused("{\"Metadata\":{\"FormatVersion\":1},\"Vpcs\":[{\"VpcId\":\"vpc-2\"},"
                   "{\"CidrBlock\":\"x\"}]}",
                   VPCX_ERR_PARSE, "Vpcs[1] has no VpcId");
}

static void test_files(void **state)
{
    struct inventory *inv = inventory_create();
    struct snapshot_meta meta;
    struct vpcx_error err;
    vpcx_error_init(&err);
    assert_int_equal(snapshot_load_file("/nonexistent/x.json", inv, &meta, NULL, &err),
                     VPCX_ERR_IO);
    assert_non_null(strstr(err.message, "/nonexistent/x.json"));
    assert_int_equal(snapshot_load_file("/tmp", inv, &meta, NULL, &err), VPCX_ERR_IO);
    assert_non_null(strstr(err.message, "directory"));

    char path[] = "/tmp/vpcx-snapXXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    struct inventory *src = fixture();
    FILE *f = fdopen(fd, "w");
    struct snapshot_meta m = {.region = "eu-west-1"};
    assert_int_equal(snapshot_write(f, src, &m, NULL, true, &err), VPCX_OK);
    fclose(f);
    assert_int_equal(snapshot_load_file(path, inv, &meta, NULL, &err), VPCX_OK);
    assert_same_inventory(src, inv);
    assert_string_equal(meta.region, "eu-west-1");
    snapshot_meta_finish(&meta);
    unlink(path);
    vpcx_error_finish(&err);
    inventory_destroy(src);
    inventory_destroy(inv);
}

static void test_fetched_at_by_type(void **state)
{
    struct inventory *inv = fixture();
    struct snapshot_meta meta = {.fetched_at = "2026-11-26T12:00:00Z"};
    meta.fetched_at_by_type[INV_SUBNET] = "2026-11-26T11:00:00Z";
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    struct vpcx_error err;
    vpcx_error_init(&err);
    assert_int_equal(snapshot_write(f, inv, &meta, NULL, false, &err), VPCX_OK);
    fclose(f);
    assert_non_null(strstr(buf, "\"FetchedAtByType\":{\"Subnets\":\"2026-11-26T11:00:00Z\"}"));

    struct inventory *back = inventory_create();
    struct snapshot_meta m2;
    assert_int_equal(snapshot_load_buffer(buf, len, "t", back, &m2, NULL, &err), VPCX_OK);
    assert_string_equal(m2.fetched_at_by_type[INV_SUBNET], "2026-11-26T11:00:00Z");
    assert_null(m2.fetched_at_by_type[INV_VPC]);
    assert_string_equal(snapshot_meta_type_time(&m2, INV_SUBNET), "2026-11-26T11:00:00Z");
    assert_string_equal(snapshot_meta_type_time(&m2, INV_VPC), "2026-11-26T12:00:00Z");
    struct snapshot_meta m3;
    snapshot_meta_copy(&m3, &m2);
    assert_string_equal(m3.fetched_at_by_type[INV_SUBNET], "2026-11-26T11:00:00Z");
    assert_true(m3.fetched_at_by_type[INV_SUBNET] != m2.fetched_at_by_type[INV_SUBNET]);
    snapshot_meta_finish(&m3);
    snapshot_meta_finish(&m2);
    free(buf);
    inventory_destroy(back);
    inventory_destroy(inv);
    vpcx_error_finish(&err);
}

/* A dump whose member X holds `levels` nested arrays; caller frees. */
static char *nested_doc(int levels)
{
    struct strbuf sb;
    strbuf_init(&sb, 0);
    strbuf_addstr(&sb, "{\"Metadata\":{\"FormatVersion\":1},\"X\":");
    for (int i = 0; i < levels; i++)
        strbuf_addch(&sb, '[');
    for (int i = 0; i < levels; i++)
        strbuf_addch(&sb, ']');
    strbuf_addch(&sb, '}');
    return strbuf_detach(&sb, NULL);
}

/* Refusals name their cause: nesting depth, memory, where the JSON breaks. */
static void test_limits_named(void **state)
{
    char *deep = nested_doc(100);
    expect_refused(deep, VPCX_ERR_TOO_LARGE, "more than 64 levels deep (at byte 99)");
    free(deep);
    deep = nested_doc(5000); /* past cJSON's own limit: not "truncated?" */
    expect_refused(deep, VPCX_ERR_TOO_LARGE, "levels deep");
    free(deep);
    char *ok = nested_doc(63); /* 64 levels with the document's own */
    struct inventory *inv = inventory_create();
    struct snapshot_meta meta;
    struct vpcx_error err;
    vpcx_error_init(&err);
    assert_int_equal(snapshot_load_buffer(ok, strlen(ok), "t", inv, &meta, NULL, &err), VPCX_OK);
    snapshot_meta_finish(&meta);
    inventory_destroy(inv);
    vpcx_error_finish(&err);
    free(ok);

    /* 8 MB of zeros would take ~380 MiB as cJSON nodes. */
    struct strbuf sb;
    strbuf_init(&sb, 0);
    strbuf_addstr(&sb, "{\"Metadata\":{\"FormatVersion\":1},\"X\":[0");
    for (int i = 0; i < 4000000; i++)
        strbuf_addstr(&sb, ",0");
    strbuf_addstr(&sb, "]}");
    expect_refused(sb.buf, VPCX_ERR_TOO_LARGE, "4000005 JSON values in 8000040 bytes");
    expect_refused(sb.buf, VPCX_ERR_TOO_LARGE, "MiB limit");
    strbuf_release(&sb);

    expect_refused("{\"Metadata\":{\"FormatVersion\":1},\"Vpcs\":[", VPCX_ERR_PARSE, "truncated?");
    expect_refused("{\"Metadata\":{\"FormatVersion\":1},\"Vpcs\":[},\"A\":1}", VPCX_ERR_PARSE,
                   "near byte 40 of 48");
}

/* A file over the size limit is refused from its size, unread (sparse). */
static void test_oversized_file_not_read(void **state)
{
    const char *tmp = getenv("TMPDIR");
    char *path = xasprintf("%s/vpcx-test-snapshot-%ld.json", tmp ? tmp : "/tmp", (long)getpid());
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fclose(f);
    /* 300 MiB: over the limit, under the 2 GiB the limit once was. */
    assert_int_equal(truncate(path, (off_t)300 << 20), 0);
    struct inventory *inv = inventory_create();
    struct snapshot_meta meta;
    struct vpcx_error err;
    vpcx_error_init(&err);
    assert_int_equal(snapshot_load_file(path, inv, &meta, NULL, &err), VPCX_ERR_TOO_LARGE);
    assert_non_null(strstr(err.message, path));
    assert_non_null(strstr(err.message, "314572800 bytes, over the 256 MiB limit"));
    unlink(path);
    free(path);
    vpcx_error_finish(&err);
    inventory_destroy(inv);
}

/* A type the Errors name stays not loaded when its list is empty; a list it has, or another
 * type's empty list, is loaded; a list the file lacks is not. */
static void test_failed_type_not_loaded(void **state)
{
    (void)state;
    static const char doc[] =
        "{\"Metadata\":{\"FormatVersion\":1},\"Vpcs\":[],\"FlowLogs\":[],"
        "\"NetworkAcls\":[{\"NetworkAclId\":\"acl-1\"}],\"Errors\":[{\"Type\":\"FlowLogs\","
        "\"Code\":\"UnauthorizedOperation\"},{\"Type\":\"NetworkAcls\",\"Code\":\"Throttling\"}]}";
    struct inventory *inv = inventory_create();
    struct snapshot_meta meta;
    struct vpcx_error err;
    vpcx_error_init(&err);
    assert_int_equal(snapshot_load_buffer(doc, strlen(doc), "t", inv, &meta, NULL, &err), VPCX_OK);
    assert_false(inventory_type_loaded(inv, INV_FLOW_LOG));
    assert_true(inventory_type_loaded(inv, INV_NETWORK_ACL)); /* old data kept */
    assert_true(inventory_type_loaded(inv, INV_VPC));
    assert_false(inventory_type_loaded(inv, INV_SUBNET));
    snapshot_meta_finish(&meta);
    vpcx_error_finish(&err);
    inventory_destroy(inv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_pretty),
        cmocka_unit_test(test_round_trip_compact),
        cmocka_unit_test(test_bad_documents_refused),
        cmocka_unit_test(test_files),
        cmocka_unit_test(test_failed_type_not_loaded),
        cmocka_unit_test(test_fetched_at_by_type),
        cmocka_unit_test(test_limits_named),
        cmocka_unit_test(test_oversized_file_not_read),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
