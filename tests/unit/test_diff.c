#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vpcx/core/strbuf.h"
#include "vpcx/model/diff.h"

/* Builds an inventory from {"Subnets": [...], ...}. */
static struct inventory *inv_from(const char *json)
{
    struct inventory *inv = inventory_create();
    cJSON *doc = cJSON_Parse(json);
    assert_non_null(doc);
    cJSON *list;
    cJSON_ArrayForEach(list, doc)
    {
        enum inv_type t;
        assert_true(inventory_type_from_list_key(list->string, &t));
        cJSON *item;
        cJSON_ArrayForEach(item, list)
        {
            assert_int_equal(inventory_put(inv, t, cJSON_Duplicate(item, true)), VPCX_OK);
        }
    }
    cJSON_Delete(doc);
    return inv;
}

static cJSON *diff_json(const char *a, const char *b)
{
    struct inventory *ia = inv_from(a);
    struct inventory *ib = inv_from(b);
    cJSON *r = diff_inventories(ia, ib);
    inventory_destroy(ia);
    inventory_destroy(ib);
    return r;
}

static const cJSON *changed_item(const cJSON *r, const char *type, const char *id)
{
    const cJSON *it;
    cJSON_ArrayForEach(
        it,
        cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(r, "Types"), type), "Changed"))
    {
        if (strcmp(cJSON_GetObjectItem(it, "Id")->valuestring, id) == 0)
            return it;
    }
    return NULL;
}

static const cJSON *change_at(const cJSON *item, const char *path)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(item, "Changes"))
    {
        if (strcmp(cJSON_GetObjectItem(c, "Path")->valuestring, path) == 0)
            return c;
    }
    return NULL;
}

static bool has_note(const cJSON *item, const char *note)
{
    const cJSON *n;
    cJSON_ArrayForEach(n, cJSON_GetObjectItem(item, "Notes"))
    {
        if (strcmp(n->valuestring, note) == 0)
            return true;
    }
    return false;
}

static char *text_of(const cJSON *r)
{
    struct strbuf sb;
    strbuf_init(&sb, 0);
    diff_report_text(r, &sb);
    return strbuf_detach(&sb, NULL);
}

static void test_identical_is_empty(void **state)
{
    const char *a = "{\"Subnets\":[{\"SubnetId\":\"subnet-1\",\"AvailableIpAddressCount\":5,"
                    "\"Tags\":[{\"Key\":\"A\",\"Value\":\"1\"},{\"Key\":\"B\",\"Value\":\"2\"}]}]}";
    /* Same data, other key order and tag order. */
    const char *b = "{\"Subnets\":[{\"Tags\":[{\"Key\":\"B\",\"Value\":\"2\"},{\"Value\":\"1\","
                    "\"Key\":\"A\"}],\"AvailableIpAddressCount\":5,\"SubnetId\":\"subnet-1\"}]}";
    cJSON *r = diff_json(a, b);
    assert_int_equal(diff_report_count(r), 0);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(r, "Types")), 0);
    char *text = text_of(r);
    assert_string_equal(text, "No differences.\n");
    free(text);
    cJSON_Delete(r);
}

static void test_added_removed_changed(void **state)
{
    const char *a = "{\"Vpcs\":[{\"VpcId\":\"vpc-1\",\"State\":\"pending\"},"
                    "{\"VpcId\":\"vpc-2\",\"Tags\":[{\"Key\":\"Name\",\"Value\":\"old\"}]}]}";
    const char *b = "{\"Vpcs\":[{\"VpcId\":\"vpc-1\",\"State\":\"available\"},"
                    "{\"VpcId\":\"vpc-3\",\"Tags\":[{\"Key\":\"Name\",\"Value\":\"new\"}]}]}";
    cJSON *r = diff_json(a, b);
    assert_int_equal(cJSON_GetObjectItem(r, "Added")->valueint, 1);
    assert_int_equal(cJSON_GetObjectItem(r, "Removed")->valueint, 1);
    assert_int_equal(cJSON_GetObjectItem(r, "Changed")->valueint, 1);
    assert_int_equal(diff_report_count(r), 3);
    const cJSON *vpcs = cJSON_GetObjectItem(cJSON_GetObjectItem(r, "Types"), "Vpcs");
    assert_string_equal(
        cJSON_GetArrayItem(cJSON_GetObjectItem(vpcs, "Added"), 0)->child->valuestring, "vpc-3");
    assert_string_equal(
        cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(vpcs, "Added"), 0), "Name")
            ->valuestring,
        "new");
    assert_string_equal(
        cJSON_GetArrayItem(cJSON_GetObjectItem(vpcs, "Removed"), 0)->child->valuestring, "vpc-2");
    const cJSON *v1 = changed_item(r, "Vpcs", "vpc-1");
    assert_non_null(v1);
    const cJSON *c = change_at(v1, "State");
    assert_non_null(c);
    assert_string_equal(cJSON_GetObjectItem(c, "Old")->valuestring, "pending");
    assert_string_equal(cJSON_GetObjectItem(c, "New")->valuestring, "available");
    assert_true(has_note(v1, "state pending -> available"));
    char *text = text_of(r);
    assert_non_null(strstr(text, "Vpcs: 1 added, 1 removed, 1 changed\n"));
    assert_non_null(strstr(text, "  + vpc-3 (new)\n"));
    assert_non_null(strstr(text, "  - vpc-2 (old)\n"));
    assert_non_null(strstr(text, "  ~ vpc-1: state pending -> available\n"));
    assert_non_null(strstr(text, "      State: \"pending\" -> \"available\"\n"));
    free(text);
    cJSON_Delete(r);
}

static void test_tag_set_changes(void **state)
{
    const char *a = "{\"Subnets\":[{\"SubnetId\":\"subnet-1\",\"Tags\":[{\"Key\":\"Env\","
                    "\"Value\":\"dev\"},{\"Key\":\"Gone\",\"Value\":\"x\"}]}]}";
    const char *b = "{\"Subnets\":[{\"SubnetId\":\"subnet-1\",\"Tags\":[{\"Key\":\"Team\","
                    "\"Value\":\"net\"},{\"Key\":\"Env\",\"Value\":\"prod\"}]}]}";
    cJSON *r = diff_json(a, b);
    const cJSON *s = changed_item(r, "Subnets", "subnet-1");
    assert_non_null(s);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(s, "Changes")), 3);
    const cJSON *env = change_at(s, "Tags[Key=Env].Value");
    assert_non_null(env);
    assert_string_equal(cJSON_GetObjectItem(env, "New")->valuestring, "prod");
    const cJSON *gone = change_at(s, "Tags[Key=Gone]");
    assert_non_null(gone);
    assert_null(cJSON_GetObjectItem(gone, "New"));
    const cJSON *team = change_at(s, "Tags[Key=Team]");
    assert_non_null(team);
    assert_null(cJSON_GetObjectItem(team, "Old"));
    /* Fields come in sorted key order: Env, Gone, Team. */
    assert_string_equal(
        cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(s, "Changes"), 0), "Path")
            ->valuestring,
        "Tags[Key=Env].Value");
    cJSON_Delete(r);
}

static const char *endpoint_a =
    "{\"VpcEndpoints\":[{\"VpcEndpointId\":\"vpce-1\",\"State\":\"available\","
    "\"SubnetIds\":[\"subnet-1\",\"subnet-2\"],\"NetworkInterfaceIds\":[\"eni-1\",\"eni-2\"],"
    "\"PrivateDnsEnabled\":true,\"Groups\":[{\"GroupId\":\"sg-1\",\"GroupName\":\"a\"}],"
    "\"PolicyDocument\":\"{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[{\\\"Effect\\\":"
    "\\\"Allow\\\",\\\"Principal\\\":\\\"*\\\",\\\"Action\\\":\\\"*\\\",\\\"Resource\\\":\\\"*\\\"}"
    "]}\"}]}";

static void test_endpoint_gains_subnet(void **state)
{
    /* Subnet order differs too: only the set counts. */
    const char *b = "{\"VpcEndpoints\":[{\"VpcEndpointId\":\"vpce-1\",\"State\":\"available\","
                    "\"SubnetIds\":[\"subnet-3\",\"subnet-2\",\"subnet-1\"],"
                    "\"NetworkInterfaceIds\":[\"eni-2\"],\"PrivateDnsEnabled\":false,"
                    "\"Groups\":[{\"GroupId\":\"sg-1\",\"GroupName\":\"a\"},{\"GroupId\":\"sg-2\","
                    "\"GroupName\":\"b\"}],"
                    "\"PolicyDocument\":\"{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[{"
                    "\\\"Effect\\\":"
                    "\\\"Allow\\\",\\\"Principal\\\":\\\"*\\\",\\\"Action\\\":\\\"*\\\","
                    "\\\"Resource\\\":\\\"*\\\"}]}\"}]}";
    cJSON *r = diff_json(endpoint_a, b);
    const cJSON *e = changed_item(r, "VpcEndpoints", "vpce-1");
    assert_non_null(e);
    const cJSON *subnets = change_at(e, "SubnetIds");
    assert_non_null(subnets);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(subnets, "Added")), 1);
    assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(subnets, "Added"), 0)->valuestring,
                        "subnet-3");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(subnets, "Removed")), 0);
    assert_true(has_note(e, "gained subnet subnet-3"));
    assert_true(has_note(e, "lost ENI eni-1"));
    assert_true(has_note(e, "gained security group sg-2"));
    assert_true(has_note(e, "private DNS disabled"));
    assert_false(has_note(e, "policy changed"));
    char *text = text_of(r);
    assert_non_null(strstr(text, "      SubnetIds: +subnet-3\n"));
    assert_non_null(strstr(text, "      NetworkInterfaceIds: -eni-1\n"));
    free(text);
    cJSON_Delete(r);
}

static void test_endpoint_rows_name_service_and_name(void **state)
{
    const char *b =
        "{\"VpcEndpoints\":[{\"VpcEndpointId\":\"vpce-2\",\"VpcEndpointType\":\"Interface\","
        "\"ServiceName\":\"com.amazonaws.us-east-1.ecr.dkr\",\"Tags\":[{\"Key\":\"Name\","
        "\"Value\":\"prod-ecr\"}]},{\"VpcEndpointId\":\"vpce-3\",\"VpcEndpointType\":"
        "\"Gateway\",\"ServiceName\":\"com.amazonaws.us-east-1.s3\"}]}";
    cJSON *r = diff_json("{\"VpcEndpoints\":[]}", b);
    const cJSON *added = cJSON_GetObjectItem(
        cJSON_GetObjectItem(cJSON_GetObjectItem(r, "Types"), "VpcEndpoints"), "Added");
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(added, 0), "Service")->valuestring,
                        "ecr.dkr");
    char *text = text_of(r);
    assert_non_null(strstr(text, "  + vpce-2 (ecr.dkr, prod-ecr)\n"));
    assert_non_null(strstr(text, "  + vpce-3 (s3 (gateway))\n"));
    free(text);
    cJSON_Delete(r);
}

static void test_policy_whitespace_is_no_change(void **state)
{
    /* Same policy, pretty-printed and with keys reordered. */
    const char *b =
        "{\"VpcEndpoints\":[{\"VpcEndpointId\":\"vpce-1\",\"State\":\"available\","
        "\"SubnetIds\":[\"subnet-1\",\"subnet-2\"],\"NetworkInterfaceIds\":[\"eni-1\",\"eni-2\"],"
        "\"PrivateDnsEnabled\":true,\"Groups\":[{\"GroupId\":\"sg-1\",\"GroupName\":\"a\"}],"
        "\"PolicyDocument\":\"{\\n  \\\"Statement\\\": [\\n    {\\\"Resource\\\": \\\"*\\\", "
        "\\\"Effect\\\": \\\"Allow\\\",\\n \\\"Principal\\\": \\\"*\\\", \\\"Action\\\": \\\"*\\\"}"
        "\\n  ],\\n  \\\"Version\\\": \\\"2012-10-17\\\"\\n}\\n\"}]}";
    cJSON *r = diff_json(endpoint_a, b);
    assert_int_equal(diff_report_count(r), 0);
    cJSON_Delete(r);

    /* A real change inside the policy is reported with a path into it. */
    const char *c =
        "{\"VpcEndpoints\":[{\"VpcEndpointId\":\"vpce-1\",\"State\":\"available\","
        "\"SubnetIds\":[\"subnet-1\",\"subnet-2\"],\"NetworkInterfaceIds\":[\"eni-1\",\"eni-2\"],"
        "\"PrivateDnsEnabled\":true,\"Groups\":[{\"GroupId\":\"sg-1\",\"GroupName\":\"a\"}],"
        "\"PolicyDocument\":\"{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[{"
        "\\\"Effect\\\":"
        "\\\"Deny\\\",\\\"Principal\\\":\\\"*\\\",\\\"Action\\\":\\\"*\\\",\\\"Resource\\\":\\\"*"
        "\\\"}]}\"}]}";
    r = diff_json(endpoint_a, c);
    const cJSON *e = changed_item(r, "VpcEndpoints", "vpce-1");
    assert_non_null(e);
    const cJSON *ch = change_at(e, "PolicyDocument.Statement[0].Effect");
    assert_non_null(ch);
    assert_string_equal(cJSON_GetObjectItem(ch, "Old")->valuestring, "Allow");
    assert_string_equal(cJSON_GetObjectItem(ch, "New")->valuestring, "Deny");
    assert_true(has_note(e, "policy changed"));
    cJSON_Delete(r);
}

static void test_subnet_loses_free_ips(void **state)
{
    const char *a = "{\"Subnets\":[{\"SubnetId\":\"subnet-1\",\"AvailableIpAddressCount\":250}]}";
    const char *b = "{\"Subnets\":[{\"SubnetId\":\"subnet-1\",\"AvailableIpAddressCount\":50}]}";
    cJSON *r = diff_json(a, b);
    const cJSON *s = changed_item(r, "Subnets", "subnet-1");
    assert_non_null(s);
    assert_true(has_note(s, "lost 200 free IP addresses (250 -> 50)"));
    const cJSON *c = change_at(s, "AvailableIpAddressCount");
    assert_int_equal(cJSON_GetObjectItem(c, "Old")->valueint, 250);
    assert_int_equal(cJSON_GetObjectItem(c, "New")->valueint, 50);
    cJSON_Delete(r);
    r = diff_json(b, a);
    assert_true(has_note(changed_item(r, "Subnets", "subnet-1"),
                         "gained 200 free IP addresses (50 -> 250)"));
    cJSON_Delete(r);
}

static void test_vpc_attributes_and_text_sanitised(void **state)
{
    struct inventory *a = inv_from("{\"Vpcs\":[{\"VpcId\":\"vpc-1\",\"Tags\":[{\"Key\":\"Name\","
                                   "\"Value\":\"evil\\u001b[31m\\u202e\"}]}]}");
    struct inventory *b = inv_from("{\"Vpcs\":[{\"VpcId\":\"vpc-1\",\"Tags\":[{\"Key\":\"Name\","
                                   "\"Value\":\"evil\\u001b[32m\"}]}]}");
    assert_int_equal(inventory_set_vpc_attribute(a, "vpc-1", "enableDnsSupport", true), VPCX_OK);
    assert_int_equal(inventory_set_vpc_attribute(b, "vpc-1", "enableDnsSupport", false), VPCX_OK);
    cJSON *r = diff_inventories(a, b);
    const cJSON *v = changed_item(r, "Vpcs", "vpc-1");
    assert_non_null(change_at(v, "VpcAttributes.EnableDnsSupport"));
    assert_true(has_note(v, "EnableDnsSupport disabled"));
    char *text = text_of(r);
    assert_null(strchr(text, '\x1b'));
    assert_null(strstr(text, "\xe2\x80\xae")); /* U+202E never raw */
    free(text);
    /* The same inputs give the same bytes. */
    cJSON *r2 = diff_inventories(a, b);
    char *j1 = cJSON_PrintUnformatted(r), *j2 = cJSON_PrintUnformatted(r2);
    assert_string_equal(j1, j2);
    free(j1);
    free(j2);
    cJSON_Delete(r2);
    cJSON_Delete(r);
    inventory_destroy(a);
    inventory_destroy(b);
}

static void test_arrays_by_position(void **state)
{
    cJSON *a = cJSON_Parse("{\"IpPermissions\":[{\"IpProtocol\":\"tcp\",\"FromPort\":443},"
                           "{\"IpProtocol\":\"udp\"}],\"Long\":[1,2]}");
    cJSON *b = cJSON_Parse("{\"IpPermissions\":[{\"IpProtocol\":\"tcp\",\"FromPort\":80},"
                           "{\"IpProtocol\":\"udp\"}],\"Long\":[1,2,3]}");
    cJSON *ch = diff_items(a, b);
    assert_int_equal(cJSON_GetArraySize(ch), 2);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(ch, 0), "Path")->valuestring,
                        "IpPermissions[0].FromPort");
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(ch, 1), "Path")->valuestring,
                        "Long");
    cJSON_Delete(ch);
    cJSON_Delete(a);
    cJSON_Delete(b);
}

/* An item with n subnet IDs, n tags, n keys and n positional entries; with
 * `changed`, one of each differs. */
static cJSON *big_item(int n, int big_ids, bool changed)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *ids = cJSON_AddArrayToObject(o, "SubnetIds");
    cJSON *tags = cJSON_AddArrayToObject(o, "Tags");
    cJSON *wide = cJSON_AddObjectToObject(o, "Wide");
    cJSON *pos = cJSON_AddArrayToObject(o, "Pos");
    char buf[64];
    for (int i = 0; i < big_ids; i++) {
        snprintf(buf, sizeof(buf), "subnet-%08d", changed && i == 0 ? big_ids : i);
        cJSON_AddItemToArray(ids, cJSON_CreateString(buf));
    }
    for (int i = 0; i < n; i++) {
        cJSON *t = cJSON_CreateObject();
        snprintf(buf, sizeof(buf), "key-%d", i);
        cJSON_AddStringToObject(t, "Key", buf);
        cJSON_AddStringToObject(t, "Value", changed && i == 5 ? "new" : "old");
        cJSON_AddItemToArray(tags, t);
        snprintf(buf, sizeof(buf), "field-%d", i);
        cJSON_AddNumberToObject(wide, buf, changed && i == 7 ? -1 : i);
        cJSON *p = cJSON_CreateObject();
        cJSON_AddNumberToObject(p, "X", changed && i == 3 ? -1 : i);
        cJSON_AddItemToArray(pos, p);
    }
    return o;
}

/* Large arrays and objects are matched by sorting, not by scanning the other
 * side for every element: 100k subnet IDs and 20k tags, keys and positional
 * items, with the comparisons counted. */
static void test_large_arrays_cost(void **state)
{
    (void)state;
    enum { N = 20000, IDS = 100000 };
    cJSON *a = big_item(N, IDS, false);
    cJSON *b = big_item(N, IDS, true);
    size_t before = diff_compare_count();
    cJSON *ch = diff_items(a, b);
    size_t cost = diff_compare_count() - before;
    assert_int_equal(cJSON_GetArraySize(ch), 4);
    cJSON *item = cJSON_CreateObject();
    cJSON_AddItemToObject(item, "Changes", ch);
    const cJSON *ids = change_at(item, "SubnetIds");
    assert_non_null(ids);
    assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(ids, "Added"), 0)->valuestring,
                        "subnet-00100000");
    assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(ids, "Removed"), 0)->valuestring,
                        "subnet-00000000");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(ids, "Added")), 1);
    assert_non_null(change_at(item, "Tags[Key=key-5].Value"));
    assert_non_null(change_at(item, "Wide.field-7"));
    assert_non_null(change_at(item, "Pos[3].X"));
    /* n log n: about 17 comparisons per ID to sort 2 x 100k IDs; a scan of
     * the other side would be 10^10. */
    assert_true(cost < 64 * (size_t)(IDS + 4 * N));
    cJSON_Delete(item);
    cJSON_Delete(a);
    cJSON_Delete(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identical_is_empty),
        cmocka_unit_test(test_added_removed_changed),
        cmocka_unit_test(test_tag_set_changes),
        cmocka_unit_test(test_endpoint_gains_subnet),
        cmocka_unit_test(test_endpoint_rows_name_service_and_name),
        cmocka_unit_test(test_policy_whitespace_is_no_change),
        cmocka_unit_test(test_subnet_loses_free_ips),
        cmocka_unit_test(test_vpc_attributes_and_text_sanitised),
        cmocka_unit_test(test_arrays_by_position),
        cmocka_unit_test(test_large_arrays_cost),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
