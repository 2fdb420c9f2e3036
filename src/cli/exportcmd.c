#include "vpcx/cli/commands.h"

#include "vpcx/cli/source.h"
#include "vpcx/model/export.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int cmd_export(const struct cli_options *opts)
{
    enum export_format format = EXPORT_TERRAFORM;
    if (opts->format_arg)
        export_format_parse(opts->format_arg, &format); /* checked by cli_parse */
    struct source_result res;
    int code = source_load_or_report(opts, &res);
    if (code != VPCX_EXIT_OK)
        return code;
    struct vpcx_error err;
    vpcx_error_init(&err);
    struct inv_ids sel = {0};
    if (!inventory_type_loaded(res.inv, INV_ENDPOINT)) {
        /* Half an export would drop endpoints from code that then deletes them. */
        vpcx_error_set(
            &err, source_exit_code(&res) == VPCX_EXIT_AUTH ? VPCX_ERR_ACCESS_DENIED : VPCX_ERR_AWS,
            "the VPC endpoints could not be read, so nothing is exported");
        code = cli_fail(&err);
    } else if (export_select(res.inv, opts->vpcs, opts->n_vpcs, opts->endpoints, opts->n_endpoints,
                             &sel, &err) != VPCX_OK) {
        code = cli_fail(&err);
    } else {
        struct strbuf text;
        strbuf_init(&text, 4096);
        export_write(res.inv, &sel, format, res.meta.region, &text);
        code = cli_write_file(opts->output, text.buf, text.len);
        if (code == VPCX_EXIT_OK && opts->output)
            fprintf(stderr, "vpcx: exported %zu endpoint%s to %s\n", sel.n, sel.n == 1 ? "" : "s",
                    opts->output);
        strbuf_release(&text);
    }
    free(sel.v);
    vpcx_error_finish(&err);
    source_result_finish(&res);
    return code;
}
