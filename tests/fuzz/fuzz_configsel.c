/*
 * fuzz_configsel: an AWS Config SelectAggregateResourceConfig answer (aws/configsvc.h)
 * and each of its results as an EC2 describe item (aws/configitem.h), for every type
 * --source config-aggregator reads.
 *
 * Input: the answer's bytes. Each result that parses is converted for each type; a
 * converted item must be an object whose ID member, when present, is a string.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vpcx/aws/configitem.h"
#include "vpcx/aws/configsvc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct {
    const char *operation, *id;
} types[] = {
    {"DescribeVpcs", "VpcId"},
    {"DescribeSubnets", "SubnetId"},
    {"DescribeVpcEndpoints", "VpcEndpointId"},
    {"DescribeNetworkInterfaces", "NetworkInterfaceId"},
    {"DescribeSecurityGroups", "GroupId"},
    {"DescribeRouteTables", "RouteTableId"},
    {"DescribeNetworkAcls", "NetworkAclId"},
};

static enum vpcx_status each(void *ud, const cJSON *result, struct vpcx_error *err)
{
    (void)ud;
    (void)err;
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        cJSON *item =
            configitem_to_describe(configitem_shape(types[i].operation), types[i].id, result);
        if (!item)
            continue;
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(item, types[i].id);
        if (!cJSON_IsObject(item) || !cJSON_IsString(id) || !*id->valuestring)
            abort();
        char *text = cJSON_PrintUnformatted(item);
        if (!text)
            abort();
        free(text);
        cJSON_Delete(item);
    }
    return VPCX_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *next = NULL;
    struct vpcx_error err;
    vpcx_error_init(&err);
    enum vpcx_status st =
        config_parse_select_page((const char *)data, size, each, NULL, &next, &err);
    if (st != VPCX_OK && next)
        abort(); /* a failed page never continues */
    free(next);
    vpcx_error_finish(&err);
    return 0;
}
