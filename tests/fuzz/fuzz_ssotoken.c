/*
 * fuzz_ssotoken: the token files other programs write and vpcx reads: the
 * IAM Identity Center cache (aws_sso_token_parse, then a refresh answer
 * applied to it) and the `aws login` cache (aws_login_parse).
 *
 * Input: the file's text, read as both. A parsed token always has an access
 * token; parsed login credentials always have both keys.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vpcx/aws/login.h"
#include "vpcx/aws/sso.h"
#include "vpcx/core/status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    struct vpcx_error err;
    vpcx_error_init(&err);
    struct aws_sso_token t;
    if (aws_sso_token_parse(text, size, "fuzz", &t, &err) == VPCX_OK) {
        if (!t.access_token || !t.doc)
            abort();
        (void)aws_sso_token_refreshable(&t, 0);
        /* the same document as a CreateToken answer */
        struct aws_sso_profile p = {.start_url = "https://x", .region = "eu-west-1"};
        if (aws_sso_token_apply(&t, t.doc, &p, 0, &err) == VPCX_OK && !t.access_token)
            abort();
        aws_sso_token_finish(&t);
    }
    struct aws_credentials c;
    aws_credentials_init(&c);
    bool stale;
    if (aws_login_parse(text, size, "fuzz", "p", "s", 0, &c, &stale, &err) == VPCX_OK &&
        (!c.access_key_id || !c.secret_access_key))
        abort();
    aws_credentials_finish(&c);
    vpcx_error_finish(&err);
    return 0;
}
