/* `vpcx sso login`: the device sign-in of IAM Identity Center for a profile. */
#include "vpcx/aws/session.h"
#include "vpcx/aws/ssologin.h"
#include "vpcx/cli/commands.h"
#include "vpcx/cli/source.h"
#include "vpcx/core/sanitize.h"
#include "vpcx/core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void show_code(void *ud, const struct aws_sso_device_prompt *prompt)
{
    (void)ud;
    /* Service text reaches the terminal: escaped like every AWS string. */
    char *uri = sanitize_dup(prompt->verification_uri_complete ? prompt->verification_uri_complete
                                                               : prompt->verification_uri,
                             SANITIZE_ESCAPE);
    char *code = sanitize_dup(prompt->user_code, SANITIZE_ESCAPE);
    fprintf(stderr,
            "Open this page in a browser (on any device) and confirm the code:\n\n  %s\n\n"
            "  code: %s\n\nWaiting for the sign-in...\n",
            uri, code);
    free(uri);
    free(code);
}

static int sso_login(const struct cli_options *opts)
{
    struct aws_session_options so;
    source_session_options(opts, &so);
    struct aws_session s;
    struct vpcx_error err;
    vpcx_error_init(&err);
    struct aws_sso_profile p;
    memset(&p, 0, sizeof(p));
    struct http_engine *http = NULL;
    time_t expires = 0;
    enum vpcx_status st = aws_session_resolve(&s, &so, &err);
    if (st == VPCX_OK)
        st = aws_sso_session_load(&s.settings, so.env ? so.env : aws_env_default(),
                                  s.settings.profile.value ? s.settings.profile.value : "default",
                                  &p, &err);
    if (st == VPCX_OK) {
        const struct http_options hopts = {.ca_bundle = s.settings.ca_bundle.value,
                                           .allow_plain_http = opts->allow_http};
        http = http_engine_create(&hopts, &err);
        st = http ? VPCX_OK : err.status;
    }
    if (st == VPCX_OK)
        st = aws_sso_login_device(http, &p, show_code, NULL, &expires, &err);
    int code = VPCX_EXIT_OK;
    if (st == VPCX_OK) {
        char *url = sanitize_dup(p.start_url, SANITIZE_ESCAPE);
        struct tm tm;
        char when[32];
        gmtime_r(&expires, &tm);
        strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
        fprintf(stderr, "Signed in to %s; the token is valid until %s.\n", url, when);
        free(url);
    } else {
        code = cli_fail(&err);
    }
    http_engine_destroy(http);
    aws_sso_profile_finish(&p);
    vpcx_error_finish(&err);
    aws_session_close(&s);
    return code;
}

int cmd_sso(const struct cli_options *opts)
{
    if (strcmp(opts->args[0], "login") != 0) {
        char *what = sanitize_dup(opts->args[0], SANITIZE_ESCAPE);
        fprintf(stderr, "vpcx: sso takes login, not '%s'\n", what);
        free(what);
        return VPCX_EXIT_USAGE;
    }
    return sso_login(opts);
}
