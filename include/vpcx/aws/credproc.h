/*
 * credproc: runs a credential_process helper without letting it near the
 * terminal: /bin/sh -c COMMAND with stdin from /dev/null (the helper sees
 * EOF, never the user's keys) and stdout and stderr on pipes. stdout (the
 * credentials, a secret) is bounded by max_output and never quoted. stderr is
 * kept up to CREDPROC_MAX_STDERR bytes and, when the helper fails, appended to
 * the error on one line, sanitised, with the values of SecretAccessKey and
 * SessionToken (and any secret the helper printed on stdout) redacted. A
 * helper still running after timeout_ms is killed with SIGKILL; botocore has
 * no such limit, vpcx uses AWS_PROCESS_TIMEOUT_MS (60 s).
 *
 * credproc_run blocks (start-up, before any screen): the helper stays in the
 * caller's process group, so it may still prompt on /dev/tty.
 * credproc_start runs it on an HTTP engine: its pipes join the engine's one
 * wait (http_engine_watch_fd), the timeout is an engine timer, and done runs
 * from a later http_engine_step(), never from inside credproc_start. That
 * helper gets a session of its own, so it can neither read nor draw on the
 * terminal the explorer owns, and a timeout kills its whole process group.
 */
#ifndef VPCX_AWS_CREDPROC_H
#define VPCX_AWS_CREDPROC_H

#include <stddef.h>

#include "vpcx/aws/http.h"
#include "vpcx/core/status.h"
#include "vpcx/core/strbuf.h"

#define CREDPROC_MAX_STDERR 2048

/* Blocks until the helper exits, fails or times out. out gets its stdout
 * (secret: the caller wipes it); on failure err says why, with its stderr. */
enum vpcx_status credproc_run(const char *command, const char *label, int timeout_ms,
                              size_t max_output, struct strbuf *out, struct vpcx_error *err);

/* status VPCX_OK: out holds the helper's stdout (wiped and freed after the
 * callback returns). Otherwise err says why and out is empty. */
typedef void (*credproc_done_fn)(void *ud, enum vpcx_status status, const struct strbuf *out,
                                 const struct vpcx_error *err);

struct credproc;

/* Starts the helper on engine; done runs exactly once unless cancelled, and
 * the credproc is freed after it returns. Never NULL. */
struct credproc *credproc_start(struct http_engine *engine, const char *command, const char *label,
                                int timeout_ms, size_t max_output, credproc_done_fn done, void *ud);
/* Kills the helper, releases everything; done is not called. NULL is a no-op. */
void credproc_cancel(struct credproc *p);

#endif
