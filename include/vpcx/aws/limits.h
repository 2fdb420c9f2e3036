/*
 * limits: the most vpcx takes from one AWS response. Past a cap the call
 * fails with VPCX_ERR_TOO_LARGE and a message naming the cap and the
 * operation, so a hostile or broken endpoint cannot grow the process without
 * bound (a 2.6 MB gzip answer can decompress to hundreds of MB). The failure
 * is not retried; the fetch of that type fails and keeps its last good data.
 *
 * The defaults sit far above anything real EC2 sends. The paged Describe
 * calls vpcx makes accept MaxResults of at most 1000 (100 for
 * DescribeRouteTables; botocore's ec2 model, 2016-11-15), and the one
 * unpaged list, DescribeAvailabilityZones, has a few dozen items:
 *   - AWS_MAX_PAGE_ITEMS: items of the streamed list in one response, ten
 *     times the largest page EC2 hands out;
 *   - AWS_MAX_ITEM_BYTES: XML of one item (element names and text); the
 *     largest real items (a route table of 1000 routes, a security group of
 *     120 rules with descriptions, an endpoint with a 20 KB policy) stay under
 *     a fifth of it;
 *   - AWS_MAX_BODY_BYTES: the body after gzip decoding; a full page of 1000
 *     ENIs is about 3 MB, 1000 route tables of 100 routes about 20 MB.
 */
#ifndef VPCX_AWS_LIMITS_H
#define VPCX_AWS_LIMITS_H

#define AWS_MAX_PAGE_ITEMS 10000
#define AWS_MAX_ITEM_BYTES (1024 * 1024)
#define AWS_MAX_BODY_BYTES (256ULL * 1024 * 1024)

#endif
