#include "vpcx/cli/commands.h"

#include "vpcx/cli/aggsource.h"
#include "vpcx/cli/outline.h"
#include "vpcx/cli/scopes.h"
#include "vpcx/cli/source.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static enum vpcx_status write_output(const struct cli_options *opts, struct source_result *res,
                                     FILE *out, struct vpcx_error *err)
{
    if (opts->format == CLI_FORMAT_TEXT)
        return outline_write(out, res->inv, &res->meta, res->errors, err);
    return snapshot_write(out, res->inv, &res->meta, res->errors, opts->pretty, err);
}

static int dump_one(const struct cli_options *opts);

int cmd_dump(const struct cli_options *opts)
{
    struct cli_options one;
    struct scope_plan plan;
    int code;
    if (opts->config_aggregator)
        return aggsource_dump(opts);
    switch (scope_route(opts, &one, &plan, &code)) {
    case SCOPES_ERROR:
        return code;
    case SCOPES_MANY:
        code = scope_dump(opts, &plan);
        break;
    case SCOPES_SINGLE:
    case SCOPES_ONE:
        code = dump_one(&one);
        break;
    }
    scope_plan_finish(&plan);
    return code;
}

static int dump_one(const struct cli_options *opts)
{
    struct source_result res;
    int code = source_load_or_report(opts, &res);
    if (code != VPCX_EXIT_OK)
        return code;
    code = source_exit_code(&res);
    struct vpcx_error err;
    vpcx_error_init(&err);
    /* With nothing fetched there is nothing worth printing; stderr says why. */
    if (res.succeeded > 0) {
        FILE *out = stdout;
        if (opts->output) {
            out = fopen(opts->output, "w");
            if (!out) {
                fprintf(stderr, "vpcx: cannot write %s: %s\n", opts->output, strerror(errno));
                source_result_finish(&res);
                return VPCX_EXIT_ERROR;
            }
        }
        enum vpcx_status st = write_output(opts, &res, out, &err);
        if (out != stdout && fclose(out) != 0 && st == VPCX_OK)
            st = vpcx_error_set(&err, VPCX_ERR_IO, "cannot write %s: %s", opts->output,
                                strerror(errno));
        if (st != VPCX_OK) {
            cli_report(NULL, &err);
            code = VPCX_EXIT_ERROR;
        }
    }
    vpcx_error_finish(&err);
    source_result_finish(&res);
    return code;
}
