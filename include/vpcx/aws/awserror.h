/*
 * awserror: AWS error responses -> struct vpcx_error with a status and a hint.
 *
 * Documents: EC2 <Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/>,
 * STS <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/>. The streaming
 * parser (aws/xml.h) recognises both; aws_error_from_body() is the one-shot form for a
 * non-2xx body already in memory (error bodies are small).
 *
 * Classification is by error code first (the same code comes with different HTTP
 * statuses), then by HTTP status. Hints say what to do; they come from one table keyed by
 * code, with a fallback per status. "$PROFILE" and "$RETRIES" in a hint are replaced from
 * the optional context.
 */
#ifndef VPCX_AWS_AWSERROR_H
#define VPCX_AWS_AWSERROR_H

#include <stddef.h>

#include "vpcx/core/status.h"

struct aws_error_context {
    const char *profile; /* NULL: "the profile in use" */
    unsigned retries;    /* attempts made before giving up (throttling, 5xx) */
};

/* code may be NULL (no error document). */
enum vpcx_status aws_error_classify(const char *code, int http_status);
/* Sets status, http_status, aws_code, message, request_id (all sanitised) and the hint.
 * Any string may be NULL. */
void aws_error_fill(struct vpcx_error *err, int http_status, const char *code, const char *message,
                    const char *request_id);
void aws_error_fill_ctx(struct vpcx_error *err, int http_status, const char *code,
                        const char *message, const char *request_id,
                        const struct aws_error_context *ctx);
/* A body that is not an AWS error document: "HTTP 500 with a non-XML body". */
void aws_error_fill_non_xml(struct vpcx_error *err, int http_status);
/* Parses a whole non-2xx body (EC2 or STS error document, or anything else) into err.
 * Returns err->status. */
enum vpcx_status aws_error_from_body(struct vpcx_error *err, int http_status, const char *body,
                                     size_t len);

#endif
