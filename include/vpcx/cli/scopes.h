/*
 * cli/scopes: which accounts and regions a command covers, from --profiles
 * (names and shell globs matched against the profiles of ~/.aws/config and
 * ~/.aws/credentials), --regions, --all-regions (DescribeRegions: the regions
 * opted in or needing no opt-in) and the config's "set regions R1 R2" or
 * "set regions all" (used when no region option is given). The plan is the
 * cross product profiles x regions, in the order given, each pair once.
 *
 * A plan of one scope runs exactly as a single account and region does; more
 * than one loads them at once (sync/scopes.h) and dumps
 * {"Inventories": [ ... ]}, one element per scope, each the single-scope
 * document with its own Metadata and Errors.
 */
#ifndef VPCX_CLI_SCOPES_H
#define VPCX_CLI_SCOPES_H

#include <stdbool.h>
#include <stddef.h>

#include "vpcx/cli/cli.h"
#include "vpcx/core/status.h"

struct aws_session_options;
struct scope_set;

struct scope_plan {
    char **profiles; /* per scope: a profile name, or NULL (the default chain) */
    char **regions;  /* per scope: a region, or NULL (the profile's) */
    /* A profile whose region list could not be had (--all-regions): the
     * reason, else NULL; the scope's region is NULL then. */
    char **failures;
    /* --org-role: per scope the role its profile's credentials assume (NULL for the
     * caller's own account) and that account's ID; both NULL without --org-role. */
    char **roles;
    char **accounts;
    size_t n;
};

/* True when the options or the config name scopes (a plan may still be one). */
bool scope_plan_requested(const struct cli_options *opts, const char *config_text,
                          size_t config_len);
/*
 * Builds the plan. VPCX_ERR_USAGE for a glob that matches no profile or an
 * empty list; VPCX_ERR_CONFIG for a bad "set regions" line. --all-regions
 * calls DescribeRegions once per profile (a failure becomes that profile's
 * failed scope). --org-role lists the organization's accounts with the
 * caller's credentials (a failure fails the command) and plans every ACTIVE
 * account x region: arn:PARTITION:iam::ACCOUNT:role/ROLE for the members, the
 * caller's own credentials for the caller's account.
 */
enum vpcx_status scope_plan_build(const struct cli_options *opts, const char *config_text,
                                  size_t config_len, struct scope_plan *plan,
                                  struct vpcx_error *err);
void scope_plan_finish(struct scope_plan *plan);

/* Splits "a,b, c" into a NULL-terminated heap array (empty words dropped). */
char **scope_split_list(const char *list);
void scope_free_list(char **list);
/*
 * The config's "set regions ..." (words or commas; the last line wins):
 * *regions a NULL-terminated heap list, or NULL when the config has none;
 * *all true for "set regions all".
 */
enum vpcx_status scope_config_regions(const char *text, size_t len, char ***regions, bool *all,
                                      struct vpcx_error *err);

enum scope_route {
    SCOPES_SINGLE, /* no scope option: one account and region as always */
    SCOPES_ONE,    /* the plan is one scope: *one names its profile and region */
    SCOPES_MANY,   /* *plan holds more than one (finish it) */
    SCOPES_ERROR,  /* reported on stderr; *code is the exit code */
};
/*
 * Decides how a command covers the options' scopes (reading the config for
 * "set regions"). *one is opts, with the scope's profile and region for
 * SCOPES_ONE; it points into *plan, so finish the plan after using it.
 */
enum scope_route scope_route(const struct cli_options *opts, struct cli_options *one,
                             struct scope_plan *plan, int *code);

/* A scope set of the plan's scopes, those the plan could not resolve marked failed; NULL
   with the error reported and *code the exit code. */
struct scope_set *scope_set_open(const struct aws_session_options *so,
                                 const struct scope_plan *plan, int *code);

/* Writes {"Inventories": [...]} (or the text outline) of n scopes' results to
 * --output or stdout; returns the exit code (0, 5 when some failed, else the worst). */
struct source_result;
int scope_write_results(const struct cli_options *opts, struct source_result *res, size_t n);

/* `vpcx dump` over a plan of more than one scope; returns the exit code. */
int scope_dump(const struct cli_options *opts, const struct scope_plan *plan);

#endif
