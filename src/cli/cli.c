#include "vpcx/cli/cli.h"

#include "vpcx/cli/commands.h"
#include "vpcx/core/duration.h"
#include "vpcx/core/xalloc.h"
#include "vpcx/model/export.h"
#include "vpcx/model/metrics.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef VPCX_VERSION
#define VPCX_VERSION "0.1.0"
#endif

enum {
    OPT_PROFILE = 256,
    OPT_REGION,
    OPT_ENDPOINT_URL,
    OPT_CA_BUNDLE,
    OPT_FORMAT,
    OPT_SNAPSHOT,
    OPT_DEMO,
    OPT_ALLOW_HTTP,
    OPT_MAX_ATTEMPTS,
    OPT_CONCURRENCY,
    OPT_PRETTY,
    OPT_COMPACT,
    OPT_VERSION,
    OPT_THEME,
    OPT_MOUSE,
    OPT_HEADLESS,
    OPT_KEYS,
    OPT_SCREEN_OUT,
    OPT_SCREEN_EVERY,
    OPT_HEADLESS_STATS,
    OPT_NO_CACHE,
    OPT_OFFLINE,
    OPT_MAX_AGE,
    OPT_WRITE,
    OPT_VPC,
    OPT_ENDPOINT,
    OPT_TOUR,
    OPT_TOUR_STEP,
    OPT_FAIL_ON,
    OPT_RULE,
    OPT_SKIP,
    OPT_LIST_RULES,
    OPT_SHOW_IGNORED,
    OPT_SINCE,
    OPT_METRICS,
    OPT_REGIONS,
    OPT_ALL_REGIONS,
    OPT_PROFILES,
    OPT_ORG_ROLE,
    OPT_SOURCE,
};

static const struct option long_options[] = {
    {"profile", required_argument, NULL, OPT_PROFILE},
    {"region", required_argument, NULL, OPT_REGION},
    {"endpoint-url", required_argument, NULL, OPT_ENDPOINT_URL},
    {"ca-bundle", required_argument, NULL, OPT_CA_BUNDLE},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"snapshot", required_argument, NULL, OPT_SNAPSHOT},
    {"output", required_argument, NULL, 'o'},
    {"demo", no_argument, NULL, OPT_DEMO},
    {"allow-http", no_argument, NULL, OPT_ALLOW_HTTP},
    {"max-attempts", required_argument, NULL, OPT_MAX_ATTEMPTS},
    {"concurrency", required_argument, NULL, OPT_CONCURRENCY},
    {"pretty", no_argument, NULL, OPT_PRETTY},
    {"compact", no_argument, NULL, OPT_COMPACT},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, OPT_VERSION},
    {"theme", required_argument, NULL, OPT_THEME},
    {"mouse", no_argument, NULL, OPT_MOUSE},
    {"headless", required_argument, NULL, OPT_HEADLESS},
    {"keys", required_argument, NULL, OPT_KEYS},
    {"screen-out", required_argument, NULL, OPT_SCREEN_OUT},
    {"screen-every", no_argument, NULL, OPT_SCREEN_EVERY},
    {"headless-stats", no_argument, NULL, OPT_HEADLESS_STATS},
    {"no-cache", no_argument, NULL, OPT_NO_CACHE},
    {"offline", no_argument, NULL, OPT_OFFLINE},
    {"max-age", required_argument, NULL, OPT_MAX_AGE},
    {"write", no_argument, NULL, OPT_WRITE},
    {"vpc", required_argument, NULL, OPT_VPC},
    {"endpoint", required_argument, NULL, OPT_ENDPOINT},
    {"tour", no_argument, NULL, OPT_TOUR},
    {"tour-step", required_argument, NULL, OPT_TOUR_STEP},
    {"fail-on", required_argument, NULL, OPT_FAIL_ON},
    {"rule", required_argument, NULL, OPT_RULE},
    {"skip", required_argument, NULL, OPT_SKIP},
    {"list-rules", no_argument, NULL, OPT_LIST_RULES},
    {"show-ignored", no_argument, NULL, OPT_SHOW_IGNORED},
    {"since", required_argument, NULL, OPT_SINCE},
    {"metrics", no_argument, NULL, OPT_METRICS},
    {"regions", required_argument, NULL, OPT_REGIONS},
    {"all-regions", no_argument, NULL, OPT_ALL_REGIONS},
    {"profiles", required_argument, NULL, OPT_PROFILES},
    {"org-role", required_argument, NULL, OPT_ORG_ROLE},
    {"source", required_argument, NULL, OPT_SOURCE},
    {NULL, 0, NULL, 0},
};

static const struct {
    const char *name;
    enum cli_command command;
    int min_args, max_args;
} commands[] = {
    {"dump", CLI_CMD_DUMP, 0, 0},       {"whoami", CLI_CMD_WHOAMI, 0, 0},
    {"cache", CLI_CMD_CACHE, 1, 1},     {"snapshot", CLI_CMD_SNAPSHOT, 2, 2},
    {"diff", CLI_CMD_DIFF, 2, 2},       {"export", CLI_CMD_EXPORT, 0, 0},
    {"sso", CLI_CMD_SSO, 1, 1},         {"check", CLI_CMD_CHECK, 0, 0},
    {"cost", CLI_CMD_COST, 0, 0},       {"help", CLI_CMD_HELP, 0, 0},
    {"version", CLI_CMD_VERSION, 0, 0}, {"metrics", CLI_CMD_METRICS, 1, 1},
};

/* --help from the table in usage.def; the man page is made from the same table. */
enum usage_kind { USAGE_K_SECTION, USAGE_K_GROUP, USAGE_K_PARA, USAGE_K_ITEM };

static const struct usage_entry {
    enum usage_kind kind;
    const char *term; /* a section's help heading; a group's title; an item's term */
    const char *text;
} usage_table[] = {
#define USAGE_SECTION(man, help) {USAGE_K_SECTION, help, man},
#define USAGE_GROUP(title)       {USAGE_K_GROUP, title, NULL},
#define USAGE_PARA(text)         {USAGE_K_PARA, NULL, text},
#define USAGE_ITEM(term, text)   {USAGE_K_ITEM, term, text},
#include "usage.def"
#undef USAGE_SECTION
#undef USAGE_GROUP
#undef USAGE_PARA
#undef USAGE_ITEM
};

enum { USAGE_WIDTH = 79, USAGE_MAX_COLUMN = 24 };

/* Writes text from column col (the cursor already there), wrapped at USAGE_WIDTH. */
static void usage_wrap(FILE *out, const char *text, int col)
{
    int at = col;
    const char *p = text;
    while (*p) {
        size_t word = strcspn(p, " ");
        if (at > col && at + 1 + (int)word > USAGE_WIDTH) {
            fprintf(out, "\n%*s", col, "");
            at = col;
        } else if (at > col) {
            fputc(' ', out);
            at++;
        }
        fwrite(p, 1, word, out);
        at += (int)word;
        p += word;
        while (*p == ' ')
            p++;
    }
    fputc('\n', out);
}

/* The column an item's text starts at: past the section's longest term, at most 24. */
static int usage_column(size_t i)
{
    size_t longest = 0;
    for (; i < sizeof(usage_table) / sizeof(usage_table[0]); i++) {
        if (usage_table[i].kind == USAGE_K_SECTION)
            break;
        if (usage_table[i].kind == USAGE_K_ITEM && strlen(usage_table[i].term) > longest)
            longest = strlen(usage_table[i].term);
    }
    return longest + 4 < USAGE_MAX_COLUMN ? (int)longest + 4 : USAGE_MAX_COLUMN;
}

void cli_print_help(FILE *out)
{
    bool shown = true;
    int col = USAGE_MAX_COLUMN;
    fputs("Usage: vpcx [OPTIONS] [COMMAND]\n", out);
    for (size_t i = 0; i < sizeof(usage_table) / sizeof(usage_table[0]); i++) {
        const struct usage_entry *u = &usage_table[i];
        switch (u->kind) {
        case USAGE_K_SECTION:
            shown = !u->term || *u->term; /* "" marks a man-only section */
            col = usage_column(i + 1);
            if (shown && u->term)
                fprintf(out, "\n%s:\n", u->term);
            break;
        case USAGE_K_GROUP:
            if (shown)
                fprintf(out, "\n%s:\n", u->term);
            break;
        case USAGE_K_PARA:
            if (shown) {
                if (usage_table[i - 1].kind != USAGE_K_PARA)
                    fputc('\n', out);
                usage_wrap(out, u->text, 0);
            }
            break;
        case USAGE_K_ITEM:
            if (!shown)
                break;
            fprintf(out, "  %s", u->term);
            if ((int)strlen(u->term) + 2 >= col - 1)
                fprintf(out, "\n%*s", col, "");
            else
                fprintf(out, "%*s", col - 2 - (int)strlen(u->term), "");
            usage_wrap(out, u->text, col);
            break;
        }
    }
}

/* An IAM role name (IAM's [\w+=,.@-]{1,64}), optionally after a path ("team/Role"). */
static bool org_role_valid(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 512 || s[0] == '/' || s[n - 1] == '/' || strstr(s, "//"))
        return false;
    const char *name = strrchr(s, '/');
    if (strlen(name ? name + 1 : s) > 64)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && !strchr("+=,.@_-/", s[i]))
            return false;
    return true;
}

/* Config's ConfigurationAggregatorName: [\w\-]{1,256}. */
static bool aggregator_name_valid(const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-')
            return false;
    return n > 0 && n <= 256;
}

/* --source config-aggregator NAME (or config-aggregator=NAME): takes NAME from argv. */
static enum vpcx_status parse_source(const char *arg, int argc, char **argv,
                                     struct cli_options *opts, struct vpcx_error *err)
{
    static const char kind[] = "config-aggregator";
    const char *name = NULL;
    if (strncmp(arg, kind, sizeof(kind) - 1) == 0 && arg[sizeof(kind) - 1] == '=')
        name = arg + sizeof(kind);
    else if (strcmp(arg, kind) == 0 && optind < argc)
        name = argv[optind++];
    if (!name)
        return vpcx_error_set(err, VPCX_ERR_USAGE,
                              "--source takes config-aggregator NAME (an AWS Config aggregator)");
    if (!aggregator_name_valid(name))
        return vpcx_error_set(err, VPCX_ERR_USAGE,
                              "--source config-aggregator: '%s' is not an aggregator name "
                              "(letters, digits, _ and -)",
                              name);
    opts->config_aggregator = name;
    return VPCX_OK;
}

static enum vpcx_status parse_int(const char *arg, const char *name, int min, int max, int *out,
                                  struct vpcx_error *err)
{
    char *end = NULL;
    long v = strtol(arg, &end, 10);
    if (!*arg || *end || v < min || v > max)
        return vpcx_error_set(err, VPCX_ERR_USAGE,
                              "%s takes a whole number from %d to %d, not '%s'", name, min, max,
                              arg);
    *out = (int)v;
    return VPCX_OK;
}

/* After the command word is known: export has formats of its own. */
static enum vpcx_status check_format(struct cli_options *opts, struct vpcx_error *err)
{
    const char *arg = opts->format_arg;
    if (!arg)
        return VPCX_OK;
    if (opts->command == CLI_CMD_EXPORT) {
        enum export_format f;
        if (!export_format_parse(arg, &f))
            return vpcx_error_set(err, VPCX_ERR_USAGE,
                                  "export --format takes terraform, cloudformation, cfn-import "
                                  "or cli, not '%s'",
                                  arg);
    } else if (opts->command == CLI_CMD_METRICS) {
        if (strcmp(arg, "text") != 0 && strcmp(arg, "json") != 0)
            return vpcx_error_set(err, VPCX_ERR_USAGE,
                                  "metrics --format takes text or json, not '%s'", arg);
    } else if (opts->command == CLI_CMD_CHECK || opts->command == CLI_CMD_COST) {
        const char *third = opts->command == CLI_CMD_CHECK ? "sarif" : "csv";
        if (strcmp(arg, "text") != 0 && strcmp(arg, "json") != 0 && strcmp(arg, third) != 0)
            return vpcx_error_set(err, VPCX_ERR_USAGE,
                                  "%s --format takes text, json or %s, not '%s'",
                                  opts->command == CLI_CMD_CHECK ? "check" : "cost", third, arg);
    } else if (strcmp(arg, "json") == 0) {
        opts->format = CLI_FORMAT_JSON;
    } else if (strcmp(arg, "text") == 0) {
        opts->format = CLI_FORMAT_TEXT;
    } else {
        return vpcx_error_set(err, VPCX_ERR_USAGE, "--format takes json or text, not '%s'", arg);
    }
    return VPCX_OK;
}

static enum vpcx_status add_select(const char *arg, const char *name, const char **v, size_t *n,
                                   struct vpcx_error *err)
{
    if (*n == CLI_MAX_SELECT)
        return vpcx_error_set(err, VPCX_ERR_USAGE, "%s is given more than %d times", name,
                              CLI_MAX_SELECT);
    v[(*n)++] = arg;
    return VPCX_OK;
}

static enum vpcx_status parse_explore_option(int c, const char *arg, struct cli_options *opts,
                                             struct vpcx_error *err);

static enum vpcx_status parse_check_option(int c, const char *arg, struct cli_options *opts,
                                           struct vpcx_error *err);

static enum vpcx_status parse_duration(const char *arg, long long *out, struct vpcx_error *err)
{
    if (!duration_parse(arg, out))
        return vpcx_error_set(err, VPCX_ERR_USAGE,
                              "--max-age takes a duration like 90s, 15m, 2h or 1d, not '%s'", arg);
    return VPCX_OK;
}

static enum vpcx_status parse_option(int c, const char *arg, struct cli_options *opts,
                                     struct vpcx_error *err)
{
    switch (c) {
    case OPT_PROFILE:
        opts->profile = arg;
        return VPCX_OK;
    case OPT_REGION:
        opts->region = arg;
        return VPCX_OK;
    case OPT_ENDPOINT_URL:
        opts->endpoint_url = arg;
        return VPCX_OK;
    case OPT_CA_BUNDLE:
        opts->ca_bundle = arg;
        return VPCX_OK;
    case OPT_FORMAT:
        opts->format_arg = arg;
        opts->format_given = true;
        return VPCX_OK;
    case OPT_VPC:
        return add_select(arg, "--vpc", opts->vpcs, &opts->n_vpcs, err);
    case OPT_ENDPOINT:
        return add_select(arg, "--endpoint", opts->endpoints, &opts->n_endpoints, err);
    case OPT_SNAPSHOT:
        opts->snapshot = arg;
        return VPCX_OK;
    case 'o':
        opts->output = arg;
        return VPCX_OK;
    case OPT_DEMO:
        opts->demo = true;
        return VPCX_OK;
    case OPT_ALLOW_HTTP:
        opts->allow_http = true;
        return VPCX_OK;
    case OPT_MAX_ATTEMPTS:
        return parse_int(arg, "--max-attempts", 1, 20, &opts->max_attempts, err);
    case OPT_CONCURRENCY:
        return parse_int(arg, "--concurrency", 1, 256, &opts->concurrency, err);
    case OPT_REGIONS:
        opts->regions = arg;
        return VPCX_OK;
    case OPT_ALL_REGIONS:
        opts->all_regions = true;
        return VPCX_OK;
    case OPT_PROFILES:
        opts->profiles = arg;
        return VPCX_OK;
    case OPT_ORG_ROLE:
        opts->org_role = arg;
        return org_role_valid(arg) ? VPCX_OK
                                   : vpcx_error_set(err, VPCX_ERR_USAGE,
                                                    "--org-role needs a role name (letters, "
                                                    "digits and +=,.@_- with an optional path)");
    case OPT_PRETTY:
    case OPT_COMPACT:
        opts->pretty = c == OPT_PRETTY;
        opts->pretty_given = true;
        return VPCX_OK;
    case 'h':
        opts->command = CLI_CMD_HELP;
        return VPCX_OK;
    case OPT_VERSION:
        opts->command = CLI_CMD_VERSION;
        return VPCX_OK;
    default:
        return parse_explore_option(c, arg, opts, err);
    }
}

static enum vpcx_status parse_explore_option(int c, const char *arg, struct cli_options *opts,
                                             struct vpcx_error *err)
{
    switch (c) {
    case OPT_THEME:
        opts->theme = arg;
        return VPCX_OK;
    case OPT_MOUSE:
        opts->mouse = true;
        return VPCX_OK;
    case OPT_HEADLESS:
        opts->headless = arg;
        return VPCX_OK;
    case OPT_KEYS:
        opts->keys = arg;
        return VPCX_OK;
    case OPT_SCREEN_OUT:
        opts->screen_out = arg;
        return VPCX_OK;
    case OPT_SCREEN_EVERY:
        opts->screen_every = true;
        return VPCX_OK;
    case OPT_HEADLESS_STATS:
        opts->headless_stats = true;
        return VPCX_OK;
    case OPT_NO_CACHE:
        opts->no_cache = true;
        return VPCX_OK;
    case OPT_OFFLINE:
        opts->offline = true;
        return VPCX_OK;
    case OPT_WRITE:
        opts->write = true;
        return VPCX_OK;
    case OPT_TOUR:
        opts->tour_step = opts->tour_step ? opts->tour_step : 1;
        return VPCX_OK;
    case OPT_TOUR_STEP:
        return parse_int(arg, "--tour-step", 1, 99, &opts->tour_step, err);
    case OPT_MAX_AGE:
        return parse_duration(arg, &opts->max_age, err);
    default:
        return parse_check_option(c, arg, opts, err);
    }
}

static enum vpcx_status parse_check_option(int c, const char *arg, struct cli_options *opts,
                                           struct vpcx_error *err)
{
    switch (c) {
    case OPT_FAIL_ON:
        if (strcmp(arg, "error") != 0 && strcmp(arg, "warning") != 0 && strcmp(arg, "info") != 0)
            return vpcx_error_set(err, VPCX_ERR_USAGE,
                                  "--fail-on takes error, warning or info, not '%s'", arg);
        opts->fail_on = arg;
        return VPCX_OK;
    case OPT_RULE:
        return add_select(arg, "--rule", opts->rules, &opts->n_rules, err);
    case OPT_SKIP:
        return add_select(arg, "--skip", opts->skips, &opts->n_skips, err);
    case OPT_LIST_RULES:
        opts->list_rules = true;
        return VPCX_OK;
    case OPT_SHOW_IGNORED:
        opts->show_ignored = true;
        return VPCX_OK;
    case OPT_SINCE: {
        enum metrics_range r;
        if (!metrics_range_parse(arg, &r))
            return vpcx_error_set(err, VPCX_ERR_USAGE, "--since takes 3h, 24h or 7d, not '%s'",
                                  arg);
        opts->since = arg;
        return VPCX_OK;
    }
    case OPT_METRICS:
        opts->metrics = true;
        return VPCX_OK;
    default:
        return vpcx_error_set(err, VPCX_ERR_USAGE, "unknown option (see vpcx --help)");
    }
}

/* The command word and the words it takes (`snapshot save FILE`, `diff A B`). */
static enum vpcx_status parse_words(char **words, int n, struct cli_options *opts,
                                    struct vpcx_error *err)
{
    if (n == 0)
        return VPCX_OK;
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(words[0], commands[i].name) != 0)
            continue;
        int nargs = n - 1;
        if (nargs > commands[i].max_args)
            return vpcx_error_set(err, VPCX_ERR_USAGE, "unexpected argument '%s'",
                                  words[commands[i].max_args + 1]);
        if (nargs < commands[i].min_args)
            return vpcx_error_set(
                err, VPCX_ERR_USAGE, "'%s' needs %d more argument%s (see vpcx --help)", words[0],
                commands[i].min_args - nargs, commands[i].min_args - nargs == 1 ? "" : "s");
        if (opts->command == CLI_CMD_NONE)
            opts->command = commands[i].command;
        for (int k = 0; k < nargs; k++)
            opts->args[k] = words[k + 1];
        opts->nargs = nargs;
        return VPCX_OK;
    }
    return vpcx_error_set(err, VPCX_ERR_USAGE, "unknown command '%s' (see vpcx --help)", words[0]);
}

enum vpcx_status cli_parse(int argc, char **argv, struct cli_options *opts, struct vpcx_error *err)
{
    memset(opts, 0, sizeof(*opts));
    opts->format = CLI_FORMAT_JSON;
    opts->max_age = -1;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":ho:", long_options, NULL)) != -1) {
        enum vpcx_status st;
        if (c == '?')
            return vpcx_error_set(err, VPCX_ERR_USAGE, "unknown option '%s' (see vpcx --help)",
                                  argv[optind - 1]);
        if (c == ':')
            return vpcx_error_set(err, VPCX_ERR_USAGE, "option '%s' needs a value",
                                  argv[optind - 1]);
        st = c == OPT_SOURCE ? parse_source(optarg, argc, argv, opts, err)
                             : parse_option(c, optarg, opts, err);
        if (st != VPCX_OK)
            return st;
    }
    enum vpcx_status st = parse_words(argv + optind, argc - optind, opts, err);
    if (st == VPCX_OK)
        st = check_format(opts, err);
    if (st != VPCX_OK)
        return st;
    if ((opts->n_vpcs || opts->n_endpoints) && opts->command != CLI_CMD_EXPORT)
        return vpcx_error_set(err, VPCX_ERR_USAGE,
                              "--vpc and --endpoint select what export writes");
    if ((opts->n_rules || opts->n_skips || opts->fail_on || opts->list_rules ||
         opts->show_ignored) &&
        opts->command != CLI_CMD_CHECK)
        return vpcx_error_set(err, VPCX_ERR_USAGE,
                              "--rule, --skip, --fail-on, --list-rules and --show-ignored are "
                              "options of check");
    if (opts->since && opts->command != CLI_CMD_METRICS)
        return vpcx_error_set(err, VPCX_ERR_USAGE, "--since is an option of metrics");
    if (opts->metrics && opts->command != CLI_CMD_CHECK && opts->command != CLI_CMD_COST)
        return vpcx_error_set(err, VPCX_ERR_USAGE, "--metrics is an option of check and cost");
    if (opts->metrics && (opts->demo || opts->snapshot || opts->offline))
        return vpcx_error_set(err, VPCX_ERR_USAGE,
                              "--metrics reads CloudWatch: not with --demo, --snapshot or "
                              "--offline");
    if (opts->config_aggregator && (opts->profiles || opts->regions || opts->all_regions ||
                                    opts->offline || opts->demo || opts->snapshot))
        return vpcx_error_set(err, VPCX_ERR_USAGE,
                              "--source config-aggregator reads every account and region the "
                              "aggregator has: not with --profiles, --regions, --all-regions, "
                              "--offline, --demo or --snapshot");
    if (opts->config_aggregator && opts->command != CLI_CMD_NONE && opts->command != CLI_CMD_DUMP &&
        opts->command != CLI_CMD_HELP && opts->command != CLI_CMD_VERSION)
        return vpcx_error_set(err, VPCX_ERR_USAGE,
                              "--source config-aggregator applies to dump and the explorer only");
    if (opts->org_role && opts->profiles)
        return vpcx_error_set(err, VPCX_ERR_USAGE, "--org-role and --profiles exclude each other");
    if (opts->org_role && opts->offline)
        return vpcx_error_set(err, VPCX_ERR_USAGE,
                              "--org-role lists the organization's accounts: not with --offline");
    if (opts->org_role && (opts->demo || opts->snapshot ||
                           (opts->command != CLI_CMD_NONE && opts->command != CLI_CMD_DUMP &&
                            opts->command != CLI_CMD_HELP && opts->command != CLI_CMD_VERSION)))
        return vpcx_error_set(err, VPCX_ERR_USAGE,
                              "--org-role reads AWS and applies to dump and the explorer only");
    if ((opts->regions || opts->all_regions || opts->profiles) && (opts->demo || opts->snapshot))
        return vpcx_error_set(err, VPCX_ERR_USAGE,
                              "--regions, --all-regions and --profiles read AWS, not --demo or "
                              "--snapshot");
    if ((opts->regions && (opts->region || opts->all_regions)) ||
        (opts->region && opts->all_regions))
        return vpcx_error_set(err, VPCX_ERR_USAGE,
                              "--region, --regions and --all-regions exclude each other");
    if ((opts->regions || opts->all_regions || opts->profiles) && opts->command != CLI_CMD_NONE &&
        opts->command != CLI_CMD_DUMP && opts->command != CLI_CMD_HELP &&
        opts->command != CLI_CMD_VERSION)
        return vpcx_error_set(err, VPCX_ERR_USAGE,
                              "--regions, --all-regions and --profiles apply to dump and the "
                              "explorer only");
    if (opts->profile && opts->profiles)
        return vpcx_error_set(err, VPCX_ERR_USAGE, "--profile and --profiles exclude each other");
    if (opts->demo && opts->snapshot)
        return vpcx_error_set(err, VPCX_ERR_USAGE, "--demo and --snapshot cannot be combined");
    if (opts->offline && opts->no_cache)
        return vpcx_error_set(
            err, VPCX_ERR_USAGE,
            "--offline reads the cache, so it cannot be combined with --no-cache");
    if (!opts->pretty_given)
        opts->pretty = isatty(STDOUT_FILENO) && !opts->output;
    return VPCX_OK;
}

void cli_report(const char *what, const struct vpcx_error *err)
{
    char *line = vpcx_error_format(err);
    if (what)
        fprintf(stderr, "vpcx: %s: %s\n", what, line);
    else
        fprintf(stderr, "vpcx: %s\n", line);
    if (err->hint)
        fprintf(stderr, "vpcx:   %s\n", err->hint);
    free(line);
}

int cli_fail(const struct vpcx_error *err)
{
    cli_report(NULL, err);
    int code = (int)vpcx_status_exit(err->status);
    return code == VPCX_EXIT_OK ? VPCX_EXIT_ERROR : code;
}

int cli_write_file(const char *path, const char *buf, size_t len)
{
    FILE *out = path ? fopen(path, "w") : stdout;
    if (!out) {
        fprintf(stderr, "vpcx: cannot write %s: %s\n", path, strerror(errno));
        return VPCX_EXIT_ERROR;
    }
    bool ok = fwrite(buf, 1, len, out) == len;
    ok = (path ? fclose(out) == 0 : fflush(out) == 0) && ok;
    if (!ok) {
        fprintf(stderr, "vpcx: cannot write %s: %s\n", path ? path : "standard output",
                strerror(errno));
        return VPCX_EXIT_ERROR;
    }
    return VPCX_EXIT_OK;
}

static int report_usage(const struct vpcx_error *err)
{
    fprintf(stderr, "vpcx: %s\n", err->message ? err->message : "invalid usage");
    return VPCX_EXIT_USAGE;
}

int cli_main(int argc, char **argv)
{
    struct cli_options opts;
    struct vpcx_error err;
    vpcx_error_init(&err);
    if (cli_parse(argc, argv, &opts, &err) != VPCX_OK) {
        int code = report_usage(&err);
        vpcx_error_finish(&err);
        return code;
    }
    switch (opts.command) {
    case CLI_CMD_HELP:
        cli_print_help(stdout);
        return VPCX_EXIT_OK;
    case CLI_CMD_VERSION:
        printf("vpcx %s\n", VPCX_VERSION);
        return VPCX_EXIT_OK;
    case CLI_CMD_DUMP:
        return cmd_dump(&opts);
    case CLI_CMD_WHOAMI:
        return cmd_whoami(&opts);
    case CLI_CMD_CACHE:
        return cmd_cache(&opts);
    case CLI_CMD_SNAPSHOT:
        return cmd_snapshot(&opts);
    case CLI_CMD_DIFF:
        return cmd_diff(&opts);
    case CLI_CMD_EXPORT:
        return cmd_export(&opts);
    case CLI_CMD_SSO:
        return cmd_sso(&opts);
    case CLI_CMD_CHECK:
        return cmd_check(&opts);
    case CLI_CMD_COST:
        return cmd_cost(&opts);
    case CLI_CMD_METRICS:
        return cmd_metrics(&opts);
    case CLI_CMD_NONE:
        break;
    }
    return cmd_explore(&opts);
}
