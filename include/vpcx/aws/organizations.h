/*
 * organizations: the accounts of an AWS Organization (ListAccounts, a JSON 1.1
 * call signed for "organizations" in us-east-1 on its global endpoint), for
 * --org-role. Works with the management account's or a delegated
 * administrator's credentials. Only ACTIVE accounts are kept: State when the
 * answer has it (Status is being retired), else Status.
 */
#ifndef VPCX_AWS_ORGANIZATIONS_H
#define VPCX_AWS_ORGANIZATIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "vpcx/aws/session.h"
#include "vpcx/core/status.h"

struct org_account {
    char *id;   /* 12 digits, checked */
    char *name; /* sanitised; may be empty */
};

struct org_accounts {
    struct org_account *items;
    size_t n;
};

/*
 * Appends the ACTIVE accounts of one ListAccounts answer (len bytes of JSON)
 * to out; *next_token is the page's NextToken (heap) or NULL. An account ID
 * that is not 12 digits, or a body that is not the documented shape, is
 * VPCX_ERR_PARSE.
 */
enum vpcx_status org_parse_list_accounts(const char *body, size_t len, struct org_accounts *out,
                                         char **next_token, struct vpcx_error *err);

/* True for a 12-digit account ID. */
bool org_account_id_valid(const char *s);
/* The partition of arn:PARTITION:... into out (size bytes), "aws" when it cannot be read. */
void org_arn_partition(const char *arn, char *out, size_t size);
/* arn:PARTITION:iam::ACCOUNT:role/ROLE (heap); partition NULL: "aws". */
char *org_role_arn(const char *partition, const char *account, const char *role);

/* What a listing took: attempts sent, retries and the throttled answers among them. */
struct org_list_stats {
    unsigned attempts, retries, throttles;
};

/*
 * Lists every page with the connected session's credentials on its engine
 * (blocking). endpoint_url: the --endpoint-url override, or NULL for the
 * configured or global endpoint. Each page retries as the EC2 calls do
 * (aws/retry.h): throttling (TooManyRequestsException), HTTP 5xx and
 * connection errors, up to max_attempts attempts (0: the session's
 * max_attempts setting), backing off with full jitter under a retry quota of
 * its own; in the adaptive retry mode a rate limiter of its own paces the
 * attempts after a throttle. When the attempts run out the error says
 * "organizations:ListAccounts failed after N attempts". stats may be NULL.
 */
enum vpcx_status org_list_accounts(struct aws_session *s, const char *endpoint_url,
                                   int max_attempts, struct org_accounts *out,
                                   struct org_list_stats *stats, struct vpcx_error *err);

void org_accounts_finish(struct org_accounts *a);

#endif
