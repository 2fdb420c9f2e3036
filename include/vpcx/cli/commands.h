/*
 * commands: the non-interactive subcommands. Each returns a process exit code
 * (enum vpcx_exit) and reports its own errors on stderr.
 */
#ifndef VPCX_CLI_COMMANDS_H
#define VPCX_CLI_COMMANDS_H

#include "vpcx/cli/cli.h"

int cmd_dump(const struct cli_options *opts);
int cmd_whoami(const struct cli_options *opts);
/* `cache list|clear`, `snapshot save FILE`, `diff A B`. */
int cmd_cache(const struct cli_options *opts);
int cmd_snapshot(const struct cli_options *opts);
int cmd_diff(const struct cli_options *opts);
/* `export --format terraform|cloudformation|cfn-import|cli [--vpc ID] [--endpoint ID]`. */
int cmd_export(const struct cli_options *opts);
/* `sso login`: IAM Identity Center's device sign-in for --profile. */
int cmd_sso(const struct cli_options *opts);
/* `check`: health findings (text, json, sarif); exits 1 at --fail-on or above. */
int cmd_check(const struct cli_options *opts);
/* `cost`: what the endpoints cost a month (text, json, csv). */
int cmd_cost(const struct cli_options *opts);
/* `metrics vpce-ID [--since 3h|24h|7d]`: the endpoint's CloudWatch metrics (text, json). */
int cmd_metrics(const struct cli_options *opts);
/* The explorer: `vpcx` with no subcommand. */
int cmd_explore(const struct cli_options *opts);

#endif
