/*
 * aggsource: --source config-aggregator NAME for dump and the explorer. The
 * caller's session (its profile and region: the aggregator's region) asks STS
 * who it is and runs the aggregator's queries (sync/aggregator.h) into a scope
 * set, one scope per account x region Config has resources in. The dump
 * always prints {"Inventories": [...]}, each element's Metadata saying
 * "Source": "config-aggregator NAME"; a type Config could not give is an error
 * of every scope (exit 5), an aggregator that cannot be read fails the command.
 */
#ifndef VPCX_CLI_AGGSOURCE_H
#define VPCX_CLI_AGGSOURCE_H

#include "vpcx/cli/cli.h"

struct aws_session_options;
struct scope_set;

/* The scope set loaded from the aggregator (on an engine of so); NULL with the error
 * reported on stderr and *code the exit code. */
struct scope_set *aggsource_open(const struct cli_options *opts,
                                 const struct aws_session_options *so, int *code);

/* `vpcx dump --source config-aggregator NAME`; returns the exit code. */
int aggsource_dump(const struct cli_options *opts);

#endif
