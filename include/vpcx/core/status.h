/*
 * status: every failure vpcx can report, in one table (after tig's STATUS_CODE_INFO).
 *
 * Functions return enum vpcx_status (or bool) and, where the caller needs more
 * than the code, fill a struct vpcx_error with the specific message, the AWS
 * error code and request ID. The exit code a script sees is derived from the
 * status class, so it is decided here and nowhere else.
 */
#ifndef VPCX_CORE_STATUS_H
#define VPCX_CORE_STATUS_H

#include <stdarg.h>
#include <stdbool.h>

/* Exit codes, documented in --help and the README. */
enum vpcx_exit {
    VPCX_EXIT_OK = 0,
    VPCX_EXIT_ERROR = 1,       /* anything not below (I/O, parse, internal) */
    VPCX_EXIT_USAGE = 2,       /* bad command line or configuration */
    VPCX_EXIT_AUTH = 3,        /* no credentials, bad or expired credentials, access denied */
    VPCX_EXIT_UNREACHABLE = 4, /* nothing could be fetched: network, endpoint, throttling */
    VPCX_EXIT_PARTIAL = 5,     /* some resource types failed; the rest is in the output */
};

/* X(name, exit class, message) */
#define VPCX_STATUS_TABLE(X)                                                                       \
    X(OK, OK, "success")                                                                           \
    X(ERR_USAGE, USAGE, "invalid usage")                                                           \
    X(ERR_CONFIG, USAGE, "invalid configuration")                                                  \
    X(ERR_PROFILE_NOT_FOUND, USAGE, "profile not found")                                           \
    X(ERR_NO_REGION, USAGE, "no region configured")                                                \
    X(ERR_NO_CREDENTIALS, AUTH, "no credentials found")                                            \
    X(ERR_CREDENTIAL_PROCESS, AUTH, "credential_process failed")                                   \
    X(ERR_AUTH, AUTH, "credentials were refused")                                                  \
    X(ERR_EXPIRED, AUTH, "credentials have expired")                                               \
    X(ERR_ACCESS_DENIED, AUTH, "not authorized")                                                   \
    X(ERR_NETWORK, UNREACHABLE, "network error")                                                   \
    X(ERR_TIMEOUT, UNREACHABLE, "request timed out")                                               \
    X(ERR_TLS, UNREACHABLE, "TLS error")                                                           \
    X(ERR_THROTTLED, UNREACHABLE, "request was throttled")                                         \
    X(ERR_SERVER, UNREACHABLE, "server error")                                                     \
    X(ERR_AWS, ERROR, "AWS returned an error")                                                     \
    X(ERR_NOT_FOUND, ERROR, "not found")                                                           \
    X(ERR_DRY_RUN_OK, OK, "dry run succeeded: the request would have been allowed")                \
    X(ERR_READ_ONLY, USAGE, "read-only: writes are not enabled")                                   \
    X(ERR_CONFLICT, ERROR, "changed since it was read")                                            \
    X(ERR_TRUNCATED, UNREACHABLE, "response was truncated")                                        \
    X(ERR_PARSE, ERROR, "could not parse")                                                         \
    X(ERR_IO, ERROR, "I/O error")                                                                  \
    X(ERR_TOO_LARGE, ERROR, "input too large")                                                     \
    X(ERR_CANCELLED, ERROR, "cancelled")                                                           \
    X(ERR_INTERNAL, ERROR, "internal error")

enum vpcx_status {
#define VPCX_STATUS_ENUM(name, cls, msg) VPCX_##name,
    VPCX_STATUS_TABLE(VPCX_STATUS_ENUM)
#undef VPCX_STATUS_ENUM
        VPCX_STATUS_COUNT
};

const char *vpcx_status_message(enum vpcx_status status);
/* The symbolic name, e.g. "ERR_THROTTLED" (for logs and JSON). */
const char *vpcx_status_name(enum vpcx_status status);
enum vpcx_exit vpcx_status_exit(enum vpcx_status status);

/*
 * A failure with its details. All strings are owned, sanitised of control
 * characters and may be NULL. Embed it and pair vpcx_error_init/_finish.
 */
struct vpcx_error {
    enum vpcx_status status;
    int http_status;  /* 0 when no HTTP response was seen */
    char *aws_code;   /* AWS error code, e.g. "AuthFailure" */
    char *message;    /* what went wrong, specific */
    char *request_id; /* AWS request ID, for support cases */
    char *hint;       /* what to do about it */
};

void vpcx_error_init(struct vpcx_error *err);
void vpcx_error_finish(struct vpcx_error *err);
/* Clears err and sets status and a formatted message. Returns status. */
enum vpcx_status vpcx_error_set(struct vpcx_error *err, enum vpcx_status status, const char *fmt,
                                ...) __attribute__((format(printf, 3, 4)));
void vpcx_error_set_hint(struct vpcx_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Deep copy of src into dst (dst is finished first). */
void vpcx_error_copy(struct vpcx_error *dst, const struct vpcx_error *src);
/* One line: "message (AwsCode, HTTP 403, request ID ...)"; caller frees. */
char *vpcx_error_format(const struct vpcx_error *err);

#endif
