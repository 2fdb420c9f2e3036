/*
 * configitem: an AWS Config configuration item as the EC2 describe item vpcx's
 * inventory takes. Config records an EC2 resource's "configuration" as the
 * describe output in camelCase (networkInterfaceId, tagSet, groups[].groupId);
 * the conversion walks botocore's EC2 output shape (aws/shapes.h), so every
 * member is matched by its JSON or XML name case-insensitively and comes out
 * with the AWS CLI's name, in model order, with the shape's type:
 *   - numbers and booleans given as strings become numbers and booleans;
 *   - timestamps given as epoch milliseconds become ISO 8601 UTC
 *     ("2024-05-01T10:00:00.000Z", the form EC2 answers with);
 *   - nulls, and values whose JSON type cannot be the shape's, are dropped;
 *   - a list none of whose items fit is dropped (Config's security group rules
 *     carry ipRanges as plain strings beside ipv4Ranges of {cidrIp}: the latter
 *     becomes IpRanges, the one documented rename).
 * The item's ID field is set from resourceId when the configuration lacks it,
 * and its tags from the item's "tags" map when the configuration has none.
 * Pure: no I/O. The results are new trees the caller owns.
 */
#ifndef VPCX_AWS_CONFIGITEM_H
#define VPCX_AWS_CONFIGITEM_H

#include <cjson/cJSON.h>

#include "vpcx/aws/shapes.h"

/* The item shape of an EC2 describe operation ("DescribeVpcs" -> Vpc), or NULL. */
const struct aws_shape *configitem_shape(const char *operation);

/* configuration (an object) as a value of shape; NULL when nothing fits. */
cJSON *configitem_convert(const struct aws_shape *shape, const cJSON *configuration);

/*
 * One SelectAggregateResourceConfig result ({resourceId, accountId, awsRegion,
 * configuration (an object, or a JSON string), tags}) as a describe item of
 * shape (configitem_shape, looked up once a query), whose ID member is
 * id_field. NULL when the result has no configuration object or no ID.
 */
cJSON *configitem_to_describe(const struct aws_shape *shape, const char *id_field,
                              const cJSON *result);

#endif
