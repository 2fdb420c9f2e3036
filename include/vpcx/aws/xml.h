/*
 * xml: streaming EC2/STS response XML -> cJSON, driven by the botocore output shape.
 *
 * Bytes are fed as they arrive (libxml2 push parser, SAX2); the body is never buffered
 * whole. The JSON has the names and types the AWS CLI prints for the operation, and
 * matches botocore's parser (tests/data/xml-expected/ is botocore's own output):
 *   - a member is read from its XML element (locationName), in any order; unknown elements
 *     and their subtrees are skipped; the first of repeated elements wins;
 *   - every child element of a list's element is an item; <tagSet/> gives [] and an absent
 *     list is absent; an empty structure element gives {};
 *   - strings are kept exactly (policy documents keep their newlines), except members the
 *     table marks AWS_MEMBER_COMPACT (STS credentials), whose whitespace is removed;
 *   - booleans, numbers, timestamps and blobs are trimmed first; "true" is true, any other
 *     text false (botocore); timestamps and blobs stay the wire string (AWS CLI v1);
 *   - an integer/long/double that does not parse (or is out of range) is kept as a JSON
 *     string rather than failing the whole response (botocore would raise): callers that
 *     check cJSON_IsNumber() treat it as missing, and `dump` still shows what AWS sent;
 *   - the members of a structure come out in model order (as the AWS CLI prints them).
 * Values above 2^53 lose precision (cJSON numbers are doubles).
 *
 * Robustness: raw bytes XML forbids (0x00-0x08, 0x0B, 0x0C, 0x0E-0x1F; moto sends them in
 * tag values) and character references to code points XML forbids (&#x1b;) are dropped
 * before libxml2 sees them, so only those characters are lost (the rewrite does not look
 * at CDATA or comment boundaries, where such text is rare). A DOCTYPE is refused (no
 * entities, no XXE); the network is never used. A text node over 1 MiB or nesting deeper
 * than 64 fails with VPCX_ERR_TOO_LARGE, as do a streamed list of more than
 * AWS_MAX_PAGE_ITEMS items and one item of more than AWS_MAX_ITEM_BYTES (its element names
 * and text, skipped elements included; see aws/limits.h): the message names the list and
 * the cap. Malformed XML fails with VPCX_ERR_PARSE and
 * libxml2's line and column; finish() before the root element closed gives
 * VPCX_ERR_TRUNCATED. A root element that is not "...Response" (e.g. <html>) is
 * VPCX_ERR_PARSE. Errors are sticky: later feed/finish calls return the same status.
 *
 * Error documents (root <Response> for EC2, <ErrorResponse> for STS) are recognised: feed
 * and finish return VPCX_OK, awsxml_parser_is_error() is true and awsxml_parser_error()
 * turns code, message and request ID into a struct vpcx_error (see aws/awserror.h).
 */
#ifndef VPCX_AWS_XML_H
#define VPCX_AWS_XML_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "vpcx/aws/shapes.h"
#include "vpcx/core/status.h"

#define AWSXML_MAX_DEPTH 64
#define AWSXML_MAX_TEXT  (1024 * 1024)

struct awsxml_parser;

/* Receives one finished item of the streamed list; ownership passes to the callee. */
typedef void (*awsxml_item_fn)(void *ud, cJSON *item);

/*
 * output: from aws_shape_output(). item_list: JSON name of a list member of the output
 * whose items go to fn one by one as each closes (e.g. "NetworkInterfaces"); the result
 * then holds that member as [] when the element was present. NULL: keep everything.
 * Returns NULL when output is NULL or item_list is not a list member of output.
 */
struct awsxml_parser *awsxml_parser_create(const struct aws_shape *output, const char *item_list,
                                           awsxml_item_fn fn, void *ud);
enum vpcx_status awsxml_parser_feed(struct awsxml_parser *p, const char *data, size_t len,
                                    struct vpcx_error *err);
/* Ends the input; detects a truncated document. */
enum vpcx_status awsxml_parser_finish(struct awsxml_parser *p, struct vpcx_error *err);
/* The top-level object (NextToken, the fields not streamed); caller owns. NULL before a
 * successful finish(), for an error document, or when already taken. */
cJSON *awsxml_parser_take_result(struct awsxml_parser *p);
/* The root was an AWS error document. */
bool awsxml_parser_is_error(const struct awsxml_parser *p);
/* Request ID (not sanitised) of a success (requestId, ResponseMetadata/RequestId) or
 * error document. */
const char *awsxml_parser_request_id(const struct awsxml_parser *p);
/* Error document fields as sent (not sanitised), NULL when absent. type: STS's
 * Sender/Receiver. */
const char *awsxml_parser_error_code(const struct awsxml_parser *p);
const char *awsxml_parser_error_message(const struct awsxml_parser *p);
const char *awsxml_parser_error_type(const struct awsxml_parser *p);
/* Fills out from the error document with aws_error_fill(); returns out->status. */
enum vpcx_status awsxml_parser_error(const struct awsxml_parser *p, int http_status,
                                     struct vpcx_error *out);
void awsxml_parser_destroy(struct awsxml_parser *p);

/* Quiets libxml2's generic error channel (per thread) on a thread that parses
   with parsers made elsewhere; awsxml_parser_create() does it for its own thread. */
void awsxml_thread_init(void);

#endif
