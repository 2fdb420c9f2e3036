/*
 * fuzz_credchain: the settings and credential chain (aws/config.h,
 * aws/credentials.h) over hostile ~/.aws/config and ~/.aws/credentials files,
 * with no network: AssumeRole goes to a fake STS, IAM Identity Center to a
 * fake portal (the profile it is given must be complete), and nothing is
 * spawned.
 *
 * Input: "PROFILE\n" then the config file, a NUL byte, the credentials file
 * (no NUL: no credentials file). Every "process" (any case) is blanked first
 * so no key can be credential_process: a fuzzer must never run a command.
 * The files are written to a private temporary directory for each input.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vpcx/aws/config.h"
#include "vpcx/aws/credentials.h"
#include "vpcx/aws/sso.h"
#include "vpcx/core/status.h"
#include "vpcx/core/xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fake_env {
    const char *names[5];
    const char *values[5];
};

static const char *env_get(void *ud, const char *name)
{
    const struct fake_env *e = ud;
    for (size_t i = 0; i < 5; i++)
        if (e->names[i] && strcmp(e->names[i], name) == 0)
            return e->values[i];
    return NULL;
}

static enum vpcx_status fake_assume_role(void *ud, const struct aws_credentials *source,
                                         const struct aws_assume_role_params *params,
                                         const char *region, struct aws_credentials *out,
                                         struct vpcx_error *err)
{
    (void)ud;
    (void)region;
    (void)err;
    if (!source->access_key_id || !params->role_arn)
        abort();
    aws_credentials_finish(out);
    out->access_key_id = xstrdup("ASIAFUZZ");
    out->secret_access_key = xstrdup("secret");
    out->session_token = xstrdup("token");
    out->expiration = 4102444800; /* 2100 */
    return VPCX_OK;
}

static enum vpcx_status fake_sso(void *ud, const struct aws_sso_profile *p,
                                 struct aws_credentials *out, struct vpcx_error *err)
{
    (void)ud;
    (void)err;
    if (!p->profile || !p->start_url || !p->region || !p->account_id || !p->role_name ||
        !p->cache_path || !p->oidc_endpoint || !p->portal_endpoint)
        abort();
    aws_credentials_finish(out);
    out->access_key_id = xstrdup("ASIASSOFUZZ");
    out->secret_access_key = xstrdup("secret");
    out->session_token = xstrdup("token");
    out->expiration = 4102444800;
    return VPCX_OK;
}

static void blank_process(char *s, size_t n)
{
    static const char word[] = "process";
    for (size_t i = 0; i + sizeof(word) - 1 <= n; i++) {
        size_t k = 0;
        while (k < sizeof(word) - 1 && tolower((unsigned char)s[i + k]) == word[k])
            k++;
        if (k == sizeof(word) - 1)
            s[i] = '_';
    }
}

static int write_file(const char *path, const char *buf, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t put = fwrite(buf, 1, len, f);
    return fclose(f) == 0 && put == len ? 0 : -1;
}

static void resolve(struct fake_env *env)
{
    struct aws_env e = {env_get, env};
    struct aws_settings s;
    struct vpcx_error err;
    vpcx_error_init(&err);
    struct aws_credentials c;
    aws_credentials_init(&c);
    struct aws_options opts;
    memset(&opts, 0, sizeof(opts));
    opts.region = "eu-west-1";
    if (aws_settings_resolve(&opts, &e, &s, &err) == VPCX_OK) {
        struct aws_sts_ops ops = {.assume_role = fake_assume_role, .sso_credentials = fake_sso};
        enum vpcx_status st = aws_credentials_resolve(&s, &e, &ops, &c, &err);
        if (st == VPCX_OK && (!c.access_key_id || !c.secret_access_key))
            abort();
        if (st != VPCX_OK && !err.message)
            abort();
    }
    aws_credentials_finish(&c);
    aws_settings_finish(&s);
    vpcx_error_finish(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    blank_process(buf, size);
    char *nl = memchr(buf, '\n', size);
    char *config = nl ? nl + 1 : buf + size;
    if (nl)
        *nl = '\0';
    size_t rest = size - (size_t)(config - buf);
    char *nul = memchr(config, '\0', rest);
    size_t config_len = nul ? (size_t)(nul - config) : rest;

    char dir[] = "/tmp/vpcx-fuzz-cred-XXXXXX";
    if (!mkdtemp(dir)) {
        free(buf);
        return 0;
    }
    char config_path[64], creds_path[64];
    snprintf(config_path, sizeof(config_path), "%s/config", dir);
    snprintf(creds_path, sizeof(creds_path), "%s/credentials", dir);
    /* HOME is the private directory: SSO and login caches are looked for there. */
    struct fake_env env = {
        {"AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_PROFILE", "HOME"},
        {config_path, creds_path, nl && buf[0] ? buf : NULL, dir}};
    if (write_file(config_path, config, config_len) == 0 &&
        (!nul || write_file(creds_path, nul + 1, rest - config_len - 1) == 0))
        resolve(&env);
    unlink(config_path);
    unlink(creds_path);
    rmdir(dir);
    free(buf);
    return 0;
}
