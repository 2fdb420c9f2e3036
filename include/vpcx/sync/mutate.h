/*
 * mutate: the one write gate, and the create / modify / delete sequence of a
 * VPC endpoint, driven by callbacks on the client's HTTP engine.
 *
 * The gate: vpcx is read-only unless a gate is made in LIVE mode (from --write
 * or the profile's config) or SIMULATED mode (--demo, --snapshot). Its mode is
 * fixed at creation. CreateVpcEndpoint, ModifyVpcEndpoint and
 * DeleteVpcEndpoints are sent only from this file, only through an operation
 * made with a gate, and the sending function checks the gate again: a closed
 * gate refuses mutate_op_create() with VPCX_ERR_USAGE (until a dedicated
 * status exists) and nothing reaches the network.
 *
 * An operation (struct mutate_op) goes through these phases:
 *   NEW       made; for a create the query and the CLI command exist already.
 *   CHECKING  mutate_op_check(): a modify re-reads the endpoint
 *             (DescribeVpcEndpoints VpcEndpointId.1), compares it with the
 *             version the form started from (CONFLICT when it changed) and
 *             computes its Add/Remove delta from that fresh read; then the
 *             DryRun call. DryRunOperation -> READY; UnauthorizedOperation or
 *             any other error -> FAILED with AWS's message. A server that
 *             ignores DryRun and really does the call (moto) is caught: the
 *             result goes into the inventory and the operation FAILS rather
 *             than sending again; set skip_dry_run for such servers.
 *   READY     the user sees mutate_op_cli() and the delta, then confirms.
 *   SENDING   mutate_op_confirm(): a modify re-reads once more (CONFLICT if
 *             the endpoint changed since CHECKING); then the real call. A
 *             create carries a ClientToken (UUID v4) made once per operation,
 *             so the client's retries re-send the identical body and AWS
 *             creates at most one endpoint.
 *   POLLING   DescribeVpcEndpoints for the endpoint on a backoff timer until
 *             its state leaves pending / pendingAcceptance (create, modify)
 *             or it is deleted or gone (delete); each answer goes into the
 *             inventory at once. Gives up after poll_timeout_ms (FAILED,
 *             VPCX_ERR_TIMEOUT, saying the change may still complete).
 *   DONE, FAILED, CONFLICT   final. A failed or conflicting operation is
 *             dropped and a new one made (the form keeps what was typed).
 * In SIMULATED mode nothing is sent: check computes the delta from the
 * inventory, confirm hands the change to the gate's simulation (simulate.h),
 * which plays AWS's side on the inventory: ENIs with free addresses, pending
 * then available, deleting then gone. mutate_op_simulated() is true; the
 * items carry nothing AWS would not return.
 *
 * Callbacks: on_event runs after every phase change and every poll answer,
 * from http_engine_step() (or from check/confirm themselves for simulated
 * steps that need no network). It may destroy the operation.
 * Ownership: the request is deep-copied; the gate, client and inventory are
 * borrowed and must outlive the operation.
 */
#ifndef VPCX_SYNC_MUTATE_H
#define VPCX_SYNC_MUTATE_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "vpcx/aws/client.h"
#include "vpcx/aws/query.h"
#include "vpcx/core/status.h"
#include "vpcx/core/strbuf.h"
#include "vpcx/model/inventory.h"
#include "vpcx/model/preflight.h"

enum mutate_mode {
    MUTATE_READ_ONLY, /* the default: every mutation is refused */
    MUTATE_LIVE,      /* --write or the profile's config: calls go to AWS */
    MUTATE_SIMULATED, /* --demo / --snapshot: changes apply to the inventory only */
};

struct mutate_gate;

/* reason says where the mode came from ("--write", "profile prod"); may be NULL. */
struct mutate_gate *mutate_gate_create(enum mutate_mode mode, const char *reason);
void mutate_gate_destroy(struct mutate_gate *gate);
enum mutate_mode mutate_gate_mode(const struct mutate_gate *gate); /* READ_ONLY for NULL */
const char *mutate_gate_reason(const struct mutate_gate *gate);    /* "" when none */
/* For the header: "read-only", "WRITE" or "SIMULATED". */
const char *mutate_gate_label(const struct mutate_gate *gate);
/*
 * SIMULATED: the changes in progress settle on a timer the owner's event loop
 * keeps. timeout: ms until the next is due (-1: none); run_due: applies those
 * due, true when the inventory changed; busy: one is still pending.
 */
long mutate_gate_timeout_ms(const struct mutate_gate *gate);
bool mutate_gate_run_due(struct mutate_gate *gate);
bool mutate_gate_busy(const struct mutate_gate *gate);

enum mutate_kind {
    MUTATE_CREATE,
    MUTATE_MODIFY,
    MUTATE_DELETE,
};

/* X(enum suffix, name) */
#define MUTATE_PHASE_TABLE(X)                                                                      \
    X(NEW, "new")                                                                                  \
    X(CHECKING, "checking")                                                                        \
    X(READY, "ready")                                                                              \
    X(SENDING, "sending")                                                                          \
    X(POLLING, "polling")                                                                          \
    X(DONE, "done")                                                                                \
    X(FAILED, "failed")                                                                            \
    X(CONFLICT, "conflict")

enum mutate_phase {
#define MUTATE_PHASE_ENUM(name, text) MUTATE_PHASE_##name,
    MUTATE_PHASE_TABLE(MUTATE_PHASE_ENUM)
#undef MUTATE_PHASE_ENUM
};

const char *mutate_phase_name(enum mutate_phase phase);

struct mutate_request {
    enum mutate_kind kind;
    struct endpoint_spec spec; /* create: the endpoint; modify: the desired final state */
    const char *endpoint_id;   /* modify, delete */
    const cJSON *base;         /* modify: the endpoint item the form started from */
    const char *typed_id;      /* delete: the ID the user typed back; must match exactly */
};

struct mutate_op;
typedef void (*mutate_event_fn)(void *ud, struct mutate_op *op);

/* Zero fields take the defaults in brackets. */
struct mutate_options {
    bool skip_dry_run;    /* for servers that ignore DryRun (moto): go READY at once */
    long poll_first_ms;   /* first poll delay, doubled each time [2000] */
    long poll_max_ms;     /* cap of the delay [15000] */
    long poll_timeout_ms; /* give up polling after [600000] */
    mutate_event_fn on_event;
    void *ud;
};

/*
 * Makes an operation, or returns NULL and fills err: VPCX_ERR_USAGE when the
 * gate is closed (message says how to enable writes), when a delete's typed
 * ID does not match, when a modify has no base, or for an unknown endpoint
 * type; VPCX_ERR_INTERNAL when no random token could be made. client may be
 * NULL in SIMULATED mode. Nothing is sent.
 */
struct mutate_op *mutate_op_create(struct mutate_gate *gate, struct aws_client *client,
                                   struct inventory *inv, const struct mutate_request *req,
                                   const struct mutate_options *opts, struct vpcx_error *err);
/* Safe in every phase: a call in flight finishes into the void, timers are cancelled. */
void mutate_op_destroy(struct mutate_op *op);

/* NEW -> CHECKING. VPCX_ERR_USAGE in another phase. */
enum vpcx_status mutate_op_check(struct mutate_op *op);
/* READY -> SENDING: the real call. VPCX_ERR_USAGE in another phase. */
enum vpcx_status mutate_op_confirm(struct mutate_op *op);

enum mutate_kind mutate_op_kind(const struct mutate_op *op);
enum mutate_phase mutate_op_phase(const struct mutate_op *op);
/* DONE, FAILED or CONFLICT. */
bool mutate_op_finished(const struct mutate_op *op);
/* The error of a FAILED or CONFLICT operation (status VPCX_OK otherwise). */
const struct vpcx_error *mutate_op_error(const struct mutate_op *op);
/* One line for the status bar, e.g. "vpce-0abc available" or AWS's message. */
const char *mutate_op_message(const struct mutate_op *op);
/* The equivalent `aws ec2 ...` command, or NULL before the query exists (modify: after check). */
const char *mutate_op_cli(const struct mutate_op *op);
/* The endpoint acted on (a create's once AWS answered), or NULL. */
const char *mutate_op_endpoint_id(const struct mutate_op *op);
const char *mutate_op_client_token(const struct mutate_op *op); /* create only, else NULL */
/* True once DryRunOperation came back (false when skipped or simulated). */
bool mutate_op_dry_run_passed(const struct mutate_op *op);
bool mutate_op_simulated(const struct mutate_op *op);
/* A modify's delta, from the fresh read; NULL before check. */
const struct endpoint_delta *mutate_op_delta(const struct mutate_op *op);
/* The endpoint item as last described (after DONE: the final state), or NULL. */
const cJSON *mutate_op_result(const struct mutate_op *op);
/* CONFLICT: the version the form started from and the one AWS has now (borrowed). */
void mutate_op_conflict(const struct mutate_op *op, const cJSON **base, const cJSON **current);

/* ---- pure helpers, public for the forms and the tests ----------------------------------- */

#define MUTATE_TOKEN_LEN 36

/* A random UUID v4 from OpenSSL's RAND_bytes into out[37]; false when it failed. */
bool mutate_new_client_token(char out[MUTATE_TOKEN_LEN + 1]);
/* The CreateVpcEndpoint query (Action set, no Version, no DryRun); client_token may be NULL. */
void mutate_build_create_query(struct aws_query *q, const struct endpoint_spec *spec,
                               const char *client_token);
void mutate_build_modify_query(struct aws_query *q, const char *endpoint_id,
                               const struct endpoint_delta *delta);
void mutate_build_delete_query(struct aws_query *q, const char *endpoint_id);
/*
 * The AWS CLI command equivalent to q (Action, Version and DryRun left out),
 * every argument shell-quoted: "aws ec2 create-vpc-endpoint --region R
 * --vpc-id ... --subnet-ids a b ...". region may be NULL. Caller frees.
 */
char *mutate_render_cli(const struct aws_query *q, const char *region);
/* Appends s quoted for a POSIX shell: bare when safe, else in single quotes. */
void mutate_shell_quote(struct strbuf *out, const char *s);
/* True when the fields a form edits (subnets, groups, route tables, policy, private DNS)
 * are the same in both endpoint items; State and other fields are ignored. */
bool mutate_endpoint_same(const cJSON *a, const cJSON *b);

#endif
