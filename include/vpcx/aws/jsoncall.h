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
#include "vpcx/aws/ratelimit.h"
#include "vpcx/aws/retry.h"
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

/* The retry policy of the session's EC2 client for one series of calls (a listing, a
 * query): the same attempts and mode, a quota and (adaptive) a rate limiter of its own,
 * as botocore gives each client. */
struct json_retry {
    int max_attempts;
    bool adaptive;
    struct retry_quota quota;
    struct rate_limiter limiter;
    unsigned attempts, retries, throttles; /* over the series */
};

/* max_attempts < 1: the session's. */
void json_retry_init(struct json_retry *r, const struct aws_session *s, int max_attempts);

/* Sends c until its answer is final: a 200 within max_body, or a failure the policy does
 * not retry (throttling, 5xx and dropped connections are, while attempts and quota last).
 * The backoff sleeps: these calls block, before any screen. The last answer is in out and
 * *tries says how many attempts it took. VPCX_OK when an HTTP answer came within max_body
 * (the caller reads its status); else err says why: signing, the engine, the size, or the
 * connection (with the attempts, as json_retry_explain says them). */
enum vpcx_status json_call_retrying(struct aws_session *s, struct json_retry *r,
                                    const struct json_call *c, const char *what,
                                    struct json_answer *out, int *tries, struct vpcx_error *err);

/* After a final failure the caller read from the answer, that took tries > 1 attempts:
 * err says so, "WHAT failed after N
 * attempts (standard mode): WHY", keeping its code and HTTP status. */
void json_retry_explain(const struct json_retry *r, int tries, const char *what,
                        struct vpcx_error *err);

/* The error code of a JSON 1.1 answer ("__type" after any "namespace#") and its message
 * ("message" or "Message"), sanitised; heap or NULL. */
char *json_answer_code(const struct json_answer *a, char **message);

#endif
