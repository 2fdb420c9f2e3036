/* `vpcx` with no subcommand: the explorer over the demo, a snapshot or AWS. */
#include "vpcx/aws/session.h"
#include "vpcx/cli/commands.h"
#include "vpcx/cli/source.h"
#include "vpcx/ui/app.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool parse_size(const char *s, int *cols, int *rows)
{
    char *end = NULL;
    long w = strtol(s, &end, 10);
    if (end == s || (*end != 'x' && *end != 'X'))
        return false;
    const char *h_start = end + 1;
    long h = strtol(h_start, &end, 10);
    if (end == h_start || *end || w < 1 || w > 1000 || h < 1 || h > 1000)
        return false;
    *cols = (int)w;
    *rows = (int)h;
    return true;
}

static int fail(const struct vpcx_error *err)
{
    char *line = vpcx_error_format(err);
    fprintf(stderr, "vpcx: %s\n", line);
    if (err->hint)
        fprintf(stderr, "vpcx:   %s\n", err->hint);
    free(line);
    return (int)vpcx_status_exit(err->status);
}

static void fill_headless(const struct cli_options *opts, struct app_options *ao)
{
    ao->headless = opts->headless != NULL;
    ao->keys_file = opts->keys;
    ao->screen_out = opts->screen_out;
    ao->every = opts->screen_every;
    ao->stats = opts->headless_stats;
    /* Tests must not depend on the runner's own config file. */
    ao->no_config = ao->headless && !getenv("VPCX_HEADLESS_CONFIG");
}

static int run_app(const struct app_options *ao)
{
    struct vpcx_error err;
    vpcx_error_init(&err);
    int rc = app_run(ao, &err);
    if (rc < 0 || err.status != VPCX_OK) {
        int code = fail(&err);
        vpcx_error_finish(&err);
        return rc < 0 ? (code ? code : 1) : rc;
    }
    vpcx_error_finish(&err);
    return rc;
}

static int explore_saved(const struct cli_options *opts, struct app_options *ao)
{
    struct source_result res;
    struct vpcx_error err;
    vpcx_error_init(&err);
    if (source_load(opts, &res, &err) != VPCX_OK) {
        int code = fail(&err);
        vpcx_error_finish(&err);
        source_result_finish(&res);
        return code;
    }
    ao->inv = res.inv;
    ao->account = res.meta.account;
    ao->region = res.meta.region;
    ao->endpoint = res.meta.endpoint;
    ao->profile = res.meta.profile;
    ao->source = opts->demo ? "demo" : "snapshot";
    int rc = run_app(ao);
    source_result_finish(&res);
    vpcx_error_finish(&err);
    return rc;
}

static int explore_aws(const struct cli_options *opts, struct app_options *ao)
{
    struct aws_session_options so;
    source_session_options(opts, &so);
    struct aws_session s;
    struct vpcx_error err;
    vpcx_error_init(&err);
    enum vpcx_status st = aws_session_resolve(&s, &so, &err);
    if (st == VPCX_OK)
        st = aws_session_connect(&s, &so, &err);
    if (st != VPCX_OK) {
        int code = fail(&err);
        aws_session_close(&s);
        vpcx_error_finish(&err);
        return code;
    }
    struct inventory *inv = inventory_create();
    ao->inv = inv;
    ao->client = s.client;
    ao->region = s.settings.region.value;
    ao->endpoint = s.settings.ec2_endpoint.value;
    ao->profile = s.settings.profile.value;
    ao->source = "aws";
    int rc = run_app(ao);
    inventory_destroy(inv);
    aws_session_close(&s);
    vpcx_error_finish(&err);
    return rc;
}

int cmd_explore(const struct cli_options *opts)
{
    setlocale(LC_ALL, "");
    struct app_options ao;
    memset(&ao, 0, sizeof(ao));
    ao.theme = opts->theme;
    ao.mouse = opts->mouse;
    ao.read_only = true; /* no write path exists yet */
    fill_headless(opts, &ao);
    if (opts->headless && !parse_size(opts->headless, &ao.cols, &ao.rows)) {
        fprintf(stderr, "vpcx: --headless takes a size like 120x40, not '%s'\n", opts->headless);
        return VPCX_EXIT_USAGE;
    }
    if (opts->demo || opts->snapshot)
        return explore_saved(opts, &ao);
    return explore_aws(opts, &ao);
}
