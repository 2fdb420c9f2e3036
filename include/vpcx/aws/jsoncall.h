/*
 * jsoncall: one SigV4-signed POST of AWS's JSON 1.1 protocol (X-Amz-Target, a JSON
 * body), the way Organizations and AWS Config are called: blocking on the engine,
 * before any screen, the answer kept whole up to a size cap.
 */
#ifndef VPCX_AWS_JSONCALL_H
#define VPCX_AWS_JSONCALL_H

#include <stdbool.h>
#include <stddef.h>

#include "vpcx/aws/http.h"
#include "vpcx/aws/session.h"
#include "vpcx/core/status.h"
#include "vpcx/core/strbuf.h"

struct json_call {
    const char *url;
    const char *host;    /* the Host header the signature covers */
    const char *target;  /* "AWSOrganizationsV20161128.ListAccounts" */
    const char *service; /* signing name: "organizations" */
    const char *region;  /* signing region */
    const char *body;
    size_t max_body; /* a longer answer is cut off and marked too_large */
};

struct json_answer {
    struct strbuf body;
    bool too_large;
    struct http_result res; /* res.error is NULL: the text is in error */
    char *error;
};

void json_answer_init(struct json_answer *a);
/* Empties a for the next attempt. */
void json_answer_reset(struct json_answer *a);
void json_answer_finish(struct json_answer *a);

/* Sends c with the session's credentials and waits; the answer, whatever its status, is in
 * out. VPCX_OK when the call finished (check out->res and out->too_large), else signing or
 * the engine failed and err says so, prefixed with what. */
enum vpcx_status json_call_send(struct aws_session *s, const struct json_call *c, const char *what,
                                struct json_answer *out, struct vpcx_error *err);

/* The error code of a JSON 1.1 answer ("__type" after any "namespace#") and its message
 * ("message" or "Message"), sanitised; heap or NULL. */
char *json_answer_code(const struct json_answer *a, char **message);

#endif
