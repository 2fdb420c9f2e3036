/*
 * sigv4: AWS Signature Version 4 (AWS4-HMAC-SHA256) as a pure function.
 *
 * sigv4_sign() takes the request, the credentials, the region/service and the
 * time, and returns the values the caller must add to the request: the
 * X-Amz-Date header, X-Amz-Security-Token (when the credentials carry one),
 * x-amz-content-sha256 (with sign_body) and Authorization. It reads no clock,
 * no environment and no file, so it is tested on fixed vectors.
 *
 * Request contract:
 * - path is the unencoded URI path ("/" for EC2/STS; NULL or "" mean "/"); it
 *   is percent-encoded once (keeping '/'), after removing ".", ".." and empty
 *   segments when normalize_path is set.
 * - query is the raw query string without '?', or NULL; parameters are
 *   %XX-decoded, re-encoded (aws_uri_encode) and sorted, so both encoded and
 *   unencoded input give the same canonical form. A form POST passes NULL.
 * - headers are exactly the headers to SIGN, "host" included; send others
 *   (e.g. Content-Length) unsigned. Names are compared case-insensitively,
 *   repeated names are joined with ',' in order, values are trimmed and
 *   runs of whitespace (including folded line breaks) become one space.
 *   Authorization, X-Amz-Date, X-Amz-Security-Token and x-amz-content-sha256
 *   in headers are ignored: sigv4 adds them itself.
 * - body is hashed for the payload hash (NULL/0 is the empty body).
 *
 * Secrets: the secret key and every derived key live only in buffers that are
 * wiped with OPENSSL_cleanse before returning. The result's security_token and
 * canonical_request may contain the session token: never log them. The result
 * is wiped when finished.
 */
#ifndef VPCX_AWS_SIGV4_H
#define VPCX_AWS_SIGV4_H

#include "vpcx/core/status.h"

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct sigv4_header {
    const char *name;
    const char *value;
};

struct sigv4_request {
    const char *method; /* "POST" */
    const char *path;   /* unencoded URI path, e.g. "/" */
    const char *query;  /* raw query string without '?', or NULL */
    const struct sigv4_header *headers;
    size_t n_headers;
    const void *body;
    size_t body_len;
};

struct sigv4_credentials {
    const char *access_key_id;
    const char *secret_access_key;
    const char *session_token; /* NULL for long-term keys */
};

struct sigv4_options {
    const char *region;      /* the endpoint's region, e.g. "us-east-1" */
    const char *service;     /* "ec2", "sts" */
    time_t now;              /* signing time (UTC seconds) */
    bool normalize_path;     /* true for every service except S3 */
    bool sign_body;          /* add and sign x-amz-content-sha256 (header form only) */
    bool omit_session_token; /* send the token but leave it out of the signature */
    unsigned expires;        /* presigned URLs only: X-Amz-Expires in seconds */
};

/* Everything is owned; release with sigv4_result_finish. Unused fields are NULL. */
struct sigv4_result {
    char *amz_date;          /* "20150830T123600Z": the X-Amz-Date header value */
    char *authorization;     /* Authorization header value (header form) */
    char *security_token;    /* X-Amz-Security-Token header value, or NULL */
    char *content_sha256;    /* x-amz-content-sha256 value when sign_body */
    char *presigned_query;   /* presigned form: "X-Amz-Algorithm=...&X-Amz-Signature=..." */
    char *signed_headers;    /* "host;x-amz-date" */
    char *canonical_request; /* for tests and debugging */
    char *string_to_sign;
    char *signature; /* lowercase hex */
};

/*
 * Signs for the Authorization header. Returns VPCX_OK, VPCX_ERR_NO_CREDENTIALS
 * (no key id or secret), VPCX_ERR_USAGE (no method, region or service) or
 * VPCX_ERR_INTERNAL (time or crypto failure). out is always initialised.
 */
enum vpcx_status sigv4_sign(const struct sigv4_request *req, const struct sigv4_credentials *creds,
                            const struct sigv4_options *opt, struct sigv4_result *out);

/*
 * Signs as a presigned URL: out->presigned_query is to be appended to the
 * request's query (after '&' when it has one). No header is added; the payload
 * hash is the body's hash. Same statuses as sigv4_sign.
 */
enum vpcx_status sigv4_presign(const struct sigv4_request *req,
                               const struct sigv4_credentials *creds,
                               const struct sigv4_options *opt, struct sigv4_result *out);

/* Wipes and frees the result's strings and leaves it zeroed; NULL-safe. */
void sigv4_result_finish(struct sigv4_result *res);

#endif
