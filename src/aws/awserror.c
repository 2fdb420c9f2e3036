#include "vpcx/aws/awserror.h"

#include "vpcx/aws/shapes.h"
#include "vpcx/aws/xml.h"
#include "vpcx/core/sanitize.h"
#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define ENCODED_MARKER "Encoded authorization failure message:"

/* Codes by status. Throttling codes are botocore's retries/standard.py list. */
static const struct {
    const char *code;
    enum vpcx_status status;
} code_status[] = {
    {"Throttling", VPCX_ERR_THROTTLED},
    {"ThrottlingException", VPCX_ERR_THROTTLED},
    {"ThrottledException", VPCX_ERR_THROTTLED},
    {"RequestThrottledException", VPCX_ERR_THROTTLED},
    {"TooManyRequestsException", VPCX_ERR_THROTTLED},
    {"ProvisionedThroughputExceededException", VPCX_ERR_THROTTLED},
    {"TransactionInProgressException", VPCX_ERR_THROTTLED},
    {"RequestLimitExceeded", VPCX_ERR_THROTTLED},
    {"BandwidthLimitExceeded", VPCX_ERR_THROTTLED},
    {"LimitExceededException", VPCX_ERR_THROTTLED},
    {"RequestThrottled", VPCX_ERR_THROTTLED},
    {"SlowDown", VPCX_ERR_THROTTLED},
    {"PriorRequestNotComplete", VPCX_ERR_THROTTLED},
    {"EC2ThrottledException", VPCX_ERR_THROTTLED},
    {"AuthFailure", VPCX_ERR_AUTH},
    {"InvalidClientTokenId", VPCX_ERR_AUTH},
    {"SignatureDoesNotMatch", VPCX_ERR_AUTH},
    {"MissingAuthenticationToken", VPCX_ERR_AUTH},
    {"InvalidAccessKeyId", VPCX_ERR_AUTH},
    {"IncompleteSignature", VPCX_ERR_AUTH},
    {"UnrecognizedClientException", VPCX_ERR_AUTH},
    {"RequestExpired", VPCX_ERR_EXPIRED},
    {"ExpiredToken", VPCX_ERR_EXPIRED},
    {"ExpiredTokenException", VPCX_ERR_EXPIRED},
    {"RequestTimeTooSkewed", VPCX_ERR_EXPIRED},
    {"UnauthorizedOperation", VPCX_ERR_ACCESS_DENIED},
    {"AccessDenied", VPCX_ERR_ACCESS_DENIED},
    {"AccessDeniedException", VPCX_ERR_ACCESS_DENIED},
    {"DryRunOperation", VPCX_ERR_DRY_RUN_OK},
    {"InternalError", VPCX_ERR_SERVER},
    {"InternalFailure", VPCX_ERR_SERVER},
    {"ServerInternal", VPCX_ERR_SERVER},
    {"ServiceUnavailable", VPCX_ERR_SERVER},
    {"ServiceUnavailableException", VPCX_ERR_SERVER},
    {"Unavailable", VPCX_ERR_SERVER},
    {"InternalServerError", VPCX_ERR_SERVER},
};

/* What to do, by code first, then by status (code NULL). */
static const struct {
    const char *code;
    enum vpcx_status status;
    const char *hint;
} hints[] = {
    {"AuthFailure", VPCX_ERR_AUTH,
     "AWS refused the credentials: check the access key and secret of $PROFILE, and that "
     "this machine's clock is right"},
    {"InvalidClientTokenId", VPCX_ERR_AUTH,
     "AWS does not know this access key: check $PROFILE (a deleted or inactive key?)"},
    {"InvalidAccessKeyId", VPCX_ERR_AUTH,
     "AWS does not know this access key: check $PROFILE (a deleted or inactive key?)"},
    {"SignatureDoesNotMatch", VPCX_ERR_AUTH,
     "the secret key does not match the access key: check $PROFILE"},
    {"MissingAuthenticationToken", VPCX_ERR_AUTH,
     "the request was not signed: configure credentials for $PROFILE"},
    {"RequestExpired", VPCX_ERR_EXPIRED,
     "the machine clock is off by more than 5 minutes or the credentials expired: check the "
     "clock and refresh the credentials of $PROFILE"},
    {"RequestTimeTooSkewed", VPCX_ERR_EXPIRED,
     "the machine clock is off by more than 5 minutes: set it right"},
    {"ExpiredToken", VPCX_ERR_EXPIRED,
     "the session token has expired: refresh the credentials of $PROFILE (aws sso login, a "
     "new MFA session or a new assumed role)"},
    {"ExpiredTokenException", VPCX_ERR_EXPIRED,
     "the session token has expired: refresh the credentials of $PROFILE (aws sso login, a "
     "new MFA session or a new assumed role)"},
    {"UnauthorizedOperation", VPCX_ERR_ACCESS_DENIED,
     "the identity of $PROFILE lacks this IAM permission: ask for it or use another profile"},
    {"DryRunOperation", VPCX_ERR_DRY_RUN_OK, "the dry run passed: the request would be allowed"},
    {NULL, VPCX_ERR_AUTH, "check the credentials of $PROFILE"},
    {NULL, VPCX_ERR_EXPIRED, "refresh the credentials of $PROFILE and check the clock"},
    {NULL, VPCX_ERR_ACCESS_DENIED,
     "the identity of $PROFILE lacks this IAM permission: ask for it or use another profile"},
    {NULL, VPCX_ERR_THROTTLED,
     "AWS throttled the requests (retried $RETRIES times): lower the concurrency or try "
     "later"},
    {NULL, VPCX_ERR_SERVER, "AWS had a server error (retried $RETRIES times): try again later"},
    {NULL, VPCX_ERR_NOT_FOUND,
     "it does not exist in this account and region (or was just created: AWS is eventually "
     "consistent, try again shortly)"},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

enum vpcx_status aws_error_classify(const char *code, int http_status)
{
    if (code && *code) {
        for (size_t i = 0; i < COUNT(code_status); i++) {
            if (strcmp(code, code_status[i].code) == 0)
                return code_status[i].status;
        }
        if (has_suffix(code, ".NotFound") || strcmp(code, "NoSuchEntity") == 0)
            return VPCX_ERR_NOT_FOUND;
    }
    if (http_status >= 500)
        return VPCX_ERR_SERVER;
    if (http_status == 429)
        return VPCX_ERR_THROTTLED;
    return VPCX_ERR_AWS;
}

static const char *hint_for(const char *code, enum vpcx_status status)
{
    for (size_t i = 0; code && i < COUNT(hints); i++) {
        if (hints[i].code && strcmp(hints[i].code, code) == 0)
            return hints[i].hint;
    }
    for (size_t i = 0; i < COUNT(hints); i++) {
        if (!hints[i].code && hints[i].status == status)
            return hints[i].hint;
    }
    return NULL;
}

/* Replaces $PROFILE and $RETRIES in template. */
static char *hint_expand(const char *template, const struct aws_error_context *ctx)
{
    struct strbuf sb = STRBUF_INIT;
    strbuf_init(&sb, strlen(template) + 32);
    for (const char *s = template; *s;) {
        if (strncmp(s, "$PROFILE", 8) == 0) {
            if (ctx && ctx->profile)
                strbuf_addf(&sb, "profile '%s'", ctx->profile);
            else
                strbuf_addstr(&sb, "the profile in use");
            s += 8;
        } else if (strncmp(s, "$RETRIES", 8) == 0) {
            strbuf_addf(&sb, "%u", ctx ? ctx->retries : 0);
            s += 8;
        } else {
            strbuf_addch(&sb, *s++);
        }
    }
    return strbuf_detach(&sb, NULL);
}

/* The token after "Encoded authorization failure message:", or NULL. */
static char *encoded_message(const char *message)
{
    const char *m = message ? strstr(message, ENCODED_MARKER) : NULL;
    if (!m)
        return NULL;
    m += strlen(ENCODED_MARKER);
    m += strspn(m, " \t\r\n");
    size_t n = strcspn(m, " \t\r\n");
    /* AWS's token is base64url-like; anything else is not pasted into a shell command. */
    size_t safe = strspn(m, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
    return n && safe == n ? xstrndup(m, n) : NULL;
}

static void set_hint(struct vpcx_error *err, const char *code, const char *message,
                     const struct aws_error_context *ctx)
{
    char *encoded = encoded_message(message);
    if (encoded) {
        vpcx_error_set_hint(err,
                            "for the reason, run: aws sts decode-authorization-message "
                            "--encoded-message %s --query DecodedMessage --output text",
                            encoded);
        free(encoded);
        return;
    }
    const char *template = hint_for(code, err->status);
    if (!template)
        return;
    char *hint = hint_expand(template, ctx);
    vpcx_error_set_hint(err, "%s", hint);
    free(hint);
}

static char *dup_clean(const char *s)
{
    return s ? sanitize_dup(s, SANITIZE_ESCAPE) : NULL;
}

void aws_error_fill_ctx(struct vpcx_error *err, int http_status, const char *code,
                        const char *message, const char *request_id,
                        const struct aws_error_context *ctx)
{
    enum vpcx_status status = aws_error_classify(code, http_status);
    if (message && *message)
        vpcx_error_set(err, status, "%s", message);
    else if (code && *code)
        vpcx_error_set(err, status, "%s", code);
    else
        vpcx_error_set(err, status, "%s (HTTP %d)", vpcx_status_message(status), http_status);
    err->http_status = http_status;
    err->aws_code = dup_clean(code && *code ? code : NULL);
    err->request_id = dup_clean(request_id && *request_id ? request_id : NULL);
    set_hint(err, code, message, ctx);
}

void aws_error_fill(struct vpcx_error *err, int http_status, const char *code, const char *message,
                    const char *request_id)
{
    aws_error_fill_ctx(err, http_status, code, message, request_id, NULL);
}

void aws_error_fill_non_xml(struct vpcx_error *err, int http_status)
{
    enum vpcx_status status = aws_error_classify(NULL, http_status);
    vpcx_error_set(err, status, "HTTP %d with a non-XML body", http_status);
    err->http_status = http_status;
    vpcx_error_set_hint(err, "the answer did not come from the AWS API: check the endpoint URL "
                             "and any proxy in between");
}

/* Any shape will do: an error document is recognised before the shape is used. */
static const struct aws_shape *any_output(void)
{
    return aws_shape_output("ec2", "ModifyVpcEndpoint");
}

enum vpcx_status aws_error_from_body(struct vpcx_error *err, int http_status, const char *body,
                                     size_t len)
{
    struct awsxml_parser *p = awsxml_parser_create(any_output(), NULL, NULL, NULL);
    struct vpcx_error perr;
    vpcx_error_init(&perr);
    enum vpcx_status st = p ? awsxml_parser_feed(p, body, len, &perr) : VPCX_ERR_INTERNAL;
    if (st == VPCX_OK)
        st = awsxml_parser_finish(p, &perr);
    if (st == VPCX_OK && awsxml_parser_is_error(p))
        awsxml_parser_error(p, http_status, err);
    else
        aws_error_fill_non_xml(err, http_status);
    vpcx_error_finish(&perr);
    awsxml_parser_destroy(p);
    return err->status;
}
