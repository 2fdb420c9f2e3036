/*
 * bgjob: one function run in a forked child, so slow work (a cache write that
 * waits for a lock, fsyncs) never holds up the caller's event loop.
 *
 * The child is a copy-on-write snapshot of the process taken by bgjob_start:
 * fn reads what it is given as it was at that moment, with no copy made, and
 * nothing it changes comes back but its status and one line of text, sent
 * through a pipe. The child starts with default signal handling, except that
 * it ignores SIGINT and SIGHUP (a Ctrl-C or a closed terminal meant for the
 * parent does not cut a write short), and ends with _exit, so the parent's
 * atexit handlers and stdio buffers never run twice.
 *
 * The parent waits on bgjob_fd() along with its other descriptors and calls
 * bgjob_collect() when it is readable (or to block until the child is done).
 */
#ifndef VPCX_CORE_BGJOB_H
#define VPCX_CORE_BGJOB_H

#include <stdbool.h>

#include "vpcx/core/status.h"

/* Runs in the child: returns its status; may fill note with a line to report
 * (the failure, or a warning beside VPCX_OK). */
typedef enum vpcx_status (*bgjob_fn)(void *ud, struct vpcx_error *note);

struct bgjob;

/* Forks and runs fn(ud) in the child; NULL (err filled) when pipe or fork fails. */
struct bgjob *bgjob_start(bgjob_fn fn, void *ud, struct vpcx_error *err);
/* Readable (end of file) once the child is done; open until bgjob_destroy. */
int bgjob_fd(const struct bgjob *job);
/*
 * False while the child runs (with block, waits for it first). Once it is done:
 * reaps it, sets *status to fn's status and note to its line (note's status is
 * *status, or VPCX_OK with no message when fn gave none), and returns true. A
 * child that died before reporting gives VPCX_ERR_INTERNAL naming the signal.
 * Collecting again returns the same result.
 */
bool bgjob_collect(struct bgjob *job, bool block, enum vpcx_status *status,
                   struct vpcx_error *note);
/* Waits for the child if it still runs, then frees. NULL is a no-op. */
void bgjob_destroy(struct bgjob *job);

#endif
