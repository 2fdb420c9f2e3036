/*
 * ssologin: signing in to IAM Identity Center with the OAuth device
 * authorization flow, as `aws sso login` does, for `vpcx sso login`.
 *
 * SSO-OIDC RegisterClient (a public client named "vpcx", with the session's
 * sso_registration_scopes, default sso:account:access, and the device-code
 * and refresh-token grants for an sso-session; a legacy profile registers
 * with no scopes), StartDeviceAuthorization for the start URL, then
 * CreateToken with the device code every `interval` seconds (slow_down adds
 * 5) until the user approves in a browser, refuses, or the code expires. The
 * token is written to the cache file the chain reads (aws/sso.h) with the
 * client registration, so it can be refreshed: temp file, rename, 0600, the
 * directory created 0700. Blocks, running the engine; for the command line.
 */
#ifndef VPCX_AWS_SSOLOGIN_H
#define VPCX_AWS_SSOLOGIN_H

#include "vpcx/aws/http.h"
#include "vpcx/aws/sso.h"
#include "vpcx/core/status.h"

/* What the user must open and confirm (strings from the service). */
struct aws_sso_device_prompt {
    const char *verification_uri;
    const char *verification_uri_complete; /* may be NULL */
    const char *user_code;
};

typedef void (*aws_sso_show_fn)(void *ud, const struct aws_sso_device_prompt *prompt);

/* Runs the flow for p (aws_sso_session_load); show is called once. On
 * success the token's expiry is in *expires_at. */
enum vpcx_status aws_sso_login_device(struct http_engine *http, const struct aws_sso_profile *p,
                                      aws_sso_show_fn show, void *ud, time_t *expires_at,
                                      struct vpcx_error *err);

#endif
