/*
 * cli: the command line. Parses global options and the subcommand, prints
 * --help, and dispatches. Only this layer may exit the process; every other
 * layer returns a status.
 */
#ifndef VPCX_CLI_CLI_H
#define VPCX_CLI_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "vpcx/core/status.h"

enum cli_command {
    CLI_CMD_NONE,
    CLI_CMD_DUMP,
    CLI_CMD_WHOAMI,
    CLI_CMD_CACHE,
    CLI_CMD_SNAPSHOT,
    CLI_CMD_DIFF,
    CLI_CMD_EXPORT,
    CLI_CMD_SSO,
    CLI_CMD_CHECK,
    CLI_CMD_COST,
    CLI_CMD_METRICS,
    CLI_CMD_HELP,
    CLI_CMD_VERSION,
};

enum cli_format {
    CLI_FORMAT_JSON,
    CLI_FORMAT_TEXT,
};

/* How many --vpc and --endpoint an export takes. */
#define CLI_MAX_SELECT 256

struct cli_options {
    enum cli_command command;
    enum cli_format format;
    bool format_given;
    const char *format_arg; /* --format as given: export reads its own formats */
    const char *profile;
    const char *region;
    const char *endpoint_url;
    const char *ca_bundle;
    const char *snapshot; /* read this dump file instead of calling AWS */
    const char *output;   /* write to this file instead of stdout */
    bool demo;            /* read the bundled demo inventory */
    bool allow_http;      /* plain http to a non-loopback endpoint */
    int max_attempts;     /* 0 = from configuration */
    int concurrency;      /* 0 = default */
    /* Many scopes (cli/scopes.h): comma-separated lists as given. */
    const char *regions;  /* --regions R1,R2 */
    bool all_regions;     /* --all-regions */
    const char *profiles; /* --profiles P1,'prod-*' */
    const char *org_role; /* --org-role ROLE: every active account of the organization */
    bool pretty;          /* indent JSON (default when stdout is a terminal) */
    bool pretty_given;
    /* The cache. */
    bool no_cache;     /* neither read nor write the cache */
    bool offline;      /* read the cache only; never touch the network */
    long long max_age; /* seconds a cache stays fresh; -1 = not given */
    /* Words after the command: `cache list`, `snapshot save FILE`, `diff A B`. */
    const char *args[3];
    int nargs;
    /* The explorer (no subcommand). */
    const char *theme;      /* --theme NAME */
    bool mouse;             /* --mouse */
    const char *headless;   /* --headless WxH: a virtual screen, no terminal */
    const char *keys;       /* --keys FILE: key script for --headless */
    const char *screen_out; /* --screen-out FILE: where --headless writes screens */
    bool screen_every;      /* --screen-every: a screen after every key */
    bool headless_stats;    /* --headless-stats: bytes and time per key on stderr */
    bool write;             /* --write: enable endpoint create/modify/delete */
    /* export: --vpc ID and --endpoint ID, each repeatable. */
    const char *vpcs[CLI_MAX_SELECT];
    size_t n_vpcs;
    const char *endpoints[CLI_MAX_SELECT];
    size_t n_endpoints;
    int tour_step; /* --tour (1) or --tour-step N; 0: no tour */
    /* check: --rule ID and --skip ID (repeatable), --fail-on, --list-rules, --show-ignored. */
    const char *rules[CLI_MAX_SELECT];
    size_t n_rules;
    const char *skips[CLI_MAX_SELECT];
    size_t n_skips;
    const char *fail_on;
    bool list_rules;
    bool show_ignored;
    /* metrics: --since 3h|24h|7d; check and cost: --metrics fetches CloudWatch metrics. */
    const char *since;
    bool metrics;
    /* --source config-aggregator NAME: every account and region of an AWS Config aggregator. */
    const char *config_aggregator;
};

/*
 * Parses argv into opts. On a usage error returns VPCX_ERR_USAGE with err set
 * (the message names the offending argument).
 */
enum vpcx_status cli_parse(int argc, char **argv, struct cli_options *opts, struct vpcx_error *err);
void cli_print_help(FILE *out);
/* Runs the program; returns the process exit code. */
int cli_main(int argc, char **argv);

/* Prints "vpcx: [what: ]message (code, HTTP n, request ID)" and the hint on stderr. */
void cli_report(const char *what, const struct vpcx_error *err);
/* cli_report, then the exit code for err's status (never 0). */
int cli_fail(const struct vpcx_error *err);
/* Writes buf to path (stdout when NULL); VPCX_EXIT_OK, else the error said on stderr and
   VPCX_EXIT_ERROR. */
int cli_write_file(const char *path, const char *buf, size_t len);

#endif
