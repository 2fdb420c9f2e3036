/*
 * credfetch: the credential sources fetched over HTTP (web identity,
 * container, instance metadata) on the shared engine, without blocking.
 *
 * credfetch_start dispatches an aws_fetch_request to webid, container or
 * imds; done runs once, from a later http_engine_step() (never from inside
 * start), with the credentials (origin set) or the error. credfetch_run
 * steps the engine until done (start-up paths, before any screen).
 *
 * The small pieces they share live here too: a bounded GET/PUT that keeps
 * the body (wiped when freed: it may hold keys) and the JSON credentials
 * document the container and instance metadata services answer.
 */
#ifndef VPCX_AWS_CREDFETCH_H
#define VPCX_AWS_CREDFETCH_H

#include <stddef.h>

#include "vpcx/aws/credentials.h"
#include "vpcx/aws/http.h"
#include "vpcx/aws/sts.h"
#include "vpcx/core/status.h"

/* A metadata answer larger than this is refused (real ones are ~2 KiB). */
#define CREDFETCH_MAX_BODY (64 * 1024)

/* creds and err live only during the callback. */
typedef void (*credfetch_done_fn)(void *ud, enum vpcx_status status,
                                  const struct aws_credentials *creds,
                                  const struct vpcx_error *err);

struct credfetch;
struct credfetch *credfetch_start(const struct sts_assume_ctx *ctx,
                                  const struct aws_fetch_request *req, credfetch_done_fn done,
                                  void *ud);
/* done is not called. NULL is a no-op. */
void credfetch_cancel(struct credfetch *f);
/* Blocks (stepping ctx->http) until the fetch is done. */
enum vpcx_status credfetch_run(const struct sts_assume_ctx *ctx,
                               const struct aws_fetch_request *req, struct aws_credentials *out,
                               struct vpcx_error *err);

/*
 * The container and instance metadata credentials document:
 * {"AccessKeyId","SecretAccessKey","Token","Expiration"} (IMDS adds
 * "Code":"Success"; the container service may answer {"code","message"}).
 * Fills out's keys and expiration; a missing or empty field, an Expiration
 * that is not ISO 8601 or a Code other than Success is VPCX_ERR_PARSE
 * naming label and the field, never a value.
 */
enum vpcx_status credfetch_parse_json(const char *body, size_t len, const char *label,
                                      struct aws_credentials *out, struct vpcx_error *err);

/* ---- one bounded request that keeps its body ---- */

struct fetch_http_result {
    enum vpcx_status status; /* transport: VPCX_OK when a whole answer arrived */
    int http_status;
    const char *error; /* transport error text, else NULL */
    const char *body;  /* NUL-terminated; wiped after the callback */
    size_t len;
};
typedef void (*fetch_http_fn)(void *ud, const struct fetch_http_result *res);

struct fetch_http;
/* req's on_data, on_done and ud are replaced. A body over max bytes aborts
 * the transfer (status VPCX_ERR_TOO_LARGE). fn runs once unless cancelled. */
struct fetch_http *fetch_http_start(struct http_engine *engine, const struct http_request *req,
                                    size_t max, fetch_http_fn fn, void *ud);
void fetch_http_cancel(struct fetch_http *f);

/* Reads a token file (at most max bytes, surrounding whitespace dropped).
 * Heap string (a secret: wipe it) or NULL with err naming what and path. */
char *credfetch_read_token(const char *path, const char *what, size_t max, struct vpcx_error *err);

#endif
