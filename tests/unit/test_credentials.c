#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "vpcx/aws/credentials.h"
#include "vpcx/aws/sso.h"
#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- fixtures: fake environment, temp HOME, fake STS ---- */

#define MAX_VARS 24

struct fixture {
    const char *names[MAX_VARS];
    const char *values[MAX_VARS];
    int nvars;
    struct aws_env env;
    char *dir, *config_path, *creds_path;
    struct aws_settings s;
    struct aws_credentials c;
    struct vpcx_error err;
    /* fake STS */
    int sts_calls;
    int sts_lifetime;      /* seconds until the issued credentials expire */
    const char *sts_blank; /* "akid", "secret" or "token": answer that field empty */
    char *last_source_akid;
    char *last_session_name;
    char *last_token_code;
    struct aws_sts_ops ops;
    struct aws_role_cache *cache; /* owned; ops.cache may be cleared */
    /* fake SSO portal: what the chain asked for */
    int sso_calls;
    char *sso_seen;
    /* fake HTTP fetches (web identity, container, IMDS) */
    int fetch_calls;
    enum vpcx_status fetch_fail; /* VPCX_OK: answer */
    struct aws_fetch_request last_fetch;
    char *fetch_str[8]; /* owned copies behind last_fetch */
};

static const char *keep_str(struct fixture *fx, int i, const char *v)
{
    free(fx->fetch_str[i]);
    fx->fetch_str[i] = v ? xstrdup(v) : NULL;
    return fx->fetch_str[i];
}

/* Answers "AKIDFETCH<kind>" keys, or fails with fetch_fail. */
static enum vpcx_status fake_fetch(void *ud, const struct aws_fetch_request *req,
                                   struct aws_credentials *out, struct vpcx_error *err)
{
    struct fixture *fx = ud;
    fx->fetch_calls++;
    fx->last_fetch = (struct aws_fetch_request){
        .kind = req->kind,
        .label = keep_str(fx, 0, req->label),
        .role_arn = keep_str(fx, 1, req->role_arn),
        .role_session_name = keep_str(fx, 2, req->role_session_name),
        .token_file = keep_str(fx, 3, req->token_file),
        .url = keep_str(fx, 4, req->url),
        .auth_token = keep_str(fx, 5, req->auth_token),
        .auth_token_file = keep_str(fx, 6, req->auth_token_file),
        .endpoint = keep_str(fx, 7, req->endpoint),
        .v1_disabled = req->v1_disabled,
    };
    if (fx->fetch_fail != VPCX_OK)
        return vpcx_error_set(err, fx->fetch_fail, "%s: the fake service is down", req->label);
    out->access_key_id = xasprintf("AKIDFETCH%d", (int)req->kind);
    out->secret_access_key = xstrdup("fetched-secret");
    out->session_token = xstrdup("fetched-token");
    out->expiration = time(NULL) + 3600;
    return VPCX_OK;
}

static const char *fake_get(void *ud, const char *name)
{
    struct fixture *fx = ud;
    for (int i = fx->nvars - 1; i >= 0; i--)
        if (strcmp(fx->names[i], name) == 0)
            return fx->values[i];
    return NULL;
}

static void env_set(struct fixture *fx, const char *name, const char *value)
{
    assert_true(fx->nvars < MAX_VARS);
    fx->names[fx->nvars] = name;
    fx->values[fx->nvars] = value;
    fx->nvars++;
}

static void write_file(const char *path, const char *text, mode_t mode)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
    chmod(path, mode);
}

/* The fake STS issues "ASIA<role name>.<source key id>" keys. */
static enum vpcx_status fake_assume_role(void *ud, const struct aws_credentials *source,
                                         const struct aws_assume_role_params *p, const char *region,
                                         struct aws_credentials *out, struct vpcx_error *err)
{
    struct fixture *fx = ud;
    (void)err;
    assert_string_equal(region, "eu-west-1");
    fx->sts_calls++;
    free(fx->last_source_akid);
    free(fx->last_session_name);
    free(fx->last_token_code);
    fx->last_source_akid = xstrdup(source->access_key_id);
    fx->last_session_name = xstrdup(p->role_session_name);
    fx->last_token_code = p->token_code ? xstrdup(p->token_code) : NULL;
    const char *role = strrchr(p->role_arn, '/');
    out->access_key_id =
        xasprintf("ASIA%s.%s", role ? role + 1 : p->role_arn, source->access_key_id);
    out->secret_access_key = xstrdup("assumed-secret");
    out->session_token = xstrdup("assumed-token");
    out->expiration = time(NULL) + fx->sts_lifetime;
    char **blank = !fx->sts_blank                         ? NULL
                   : strcmp(fx->sts_blank, "akid") == 0   ? &out->access_key_id
                   : strcmp(fx->sts_blank, "secret") == 0 ? &out->secret_access_key
                                                          : &out->session_token;
    if (blank)
        **blank = '\0';
    return VPCX_OK;
}

/* The fake portal records the profile it was given and issues "ASIASSO" keys. */
static enum vpcx_status fake_sso(void *ud, const struct aws_sso_profile *p,
                                 struct aws_credentials *out, struct vpcx_error *err)
{
    struct fixture *fx = ud;
    (void)err;
    fx->sso_calls++;
    free(fx->sso_seen);
    fx->sso_seen =
        xasprintf("%s|%s|%s|%s|%s|%s|%s|%s|%s", p->profile, p->session ? p->session : "(legacy)",
                  p->start_url, p->region, p->account_id, p->role_name, p->cache_path,
                  p->oidc_endpoint, p->portal_endpoint);
    out->access_key_id = xstrdup("ASIASSO");
    out->secret_access_key = xstrdup("sso-secret");
    out->session_token = xstrdup("sso-token");
    out->expiration = time(NULL) + 3600;
    out->source = AWS_SRC_SSO;
    out->origin = xstrdup("sso: fake");
    return VPCX_OK;
}

static char *fake_prompt(void *ud, const char *serial)
{
    (void)ud;
    assert_string_equal(serial, "arn:aws:iam::111122223333:mfa/me");
    return xstrdup("123456");
}

static const char *config_text =
    "[default]\n"
    "region = eu-west-1\n"
    "[profile cfgkeys]\n"
    "aws_access_key_id = AKIDCONFIG\n"
    "aws_secret_access_key = config-secret\n"
    "[profile both]\n"
    "aws_access_key_id = AKIDCONFIGBOTH\n"
    "aws_secret_access_key = config-secret\n"
    "credential_process = @DIR@/good.sh\n"
    "[profile proc]\n"
    "credential_process = @DIR@/good.sh\n"
    "aws_access_key_id = AKIDCONFIGPROC\n"
    "aws_secret_access_key = config-secret\n"
    "[profile badjson]\ncredential_process = @DIR@/badjson.sh\n"
    "[profile exit3]\ncredential_process = @DIR@/exit3.sh\n"
    "[profile version2]\ncredential_process = @DIR@/version2.sh\n"
    "[profile leak]\ncredential_process = @DIR@/leak.sh\n"
    "[profile roleA]\nrole_arn = arn:aws:iam::111122223333:role/A\nsource_profile = roleB\n"
    "[profile roleB]\nrole_arn = arn:aws:iam::111122223333:role/B\nsource_profile = base\n"
    "role_session_name = bee\n"
    "[profile loop1]\nrole_arn = arn:aws:iam::1:role/L1\nsource_profile = loop2\n"
    "[profile loop2]\nrole_arn = arn:aws:iam::1:role/L2\nsource_profile = loop1\n"
    "[profile selfref]\nrole_arn = arn:aws:iam::1:role/Self\nsource_profile = selfref\n"
    "aws_access_key_id = AKIDSELF\naws_secret_access_key = self-secret\n"
    "[profile envrole]\nrole_arn = arn:aws:iam::1:role/Env\ncredential_source = Environment\n"
    "[profile imdsrole]\nrole_arn = arn:aws:iam::1:role/I\n"
    "credential_source = Ec2InstanceMetadata\n"
    "[profile ecsrole]\nrole_arn = arn:aws:iam::1:role/E\ncredential_source = EcsContainer\n"
    "[profile dangling]\nrole_arn = arn:aws:iam::1:role/D\nsource_profile = ghost\n"
    "[profile mfarole]\nrole_arn = arn:aws:iam::1:role/M\nsource_profile = base\n"
    "mfa_serial = arn:aws:iam::111122223333:mfa/me\n"
    "[profile ssoprof]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = R\n"
    "[sso-session corp]\nsso_start_url = https://x\nsso_region = eu-west-1\n"
    "[profile ssolegacy]\nsso_start_url = https://legacy\nsso_region = us-west-2\n"
    "sso_account_id = 2\nsso_role_name = L\n"
    "[profile ssohalf]\nsso_account_id = 3\nsso_session = corp\n"
    "[profile ssoclash]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = R\n"
    "sso_region = us-east-2\n"
    "[profile ssonosession]\nsso_session = gone\nsso_account_id = 1\nsso_role_name = R\n"
    "[profile ssosvc]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = R\n"
    "services = local\n"
    "[services local]\nsso =\n  endpoint_url = http://127.0.0.1:8\nsso-oidc =\n"
    "  endpoint_url = http://127.0.0.1:6\n"
    "[profile ssorole]\nrole_arn = arn:aws:iam::1:role/FromSso\nsource_profile = ssoprof\n"
    "[profile ssoandkeys]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = R\n"
    "aws_access_key_id = AKIDNOTUSED\naws_secret_access_key = s\n"
    "[profile webid]\nrole_arn = arn:aws:iam::1:role/W\nweb_identity_token_file = /tok\n"
    "[profile empty]\noutput = json\n"
    "[profile partial]\naws_access_key_id = AKIDPARTIAL\n"
    "[profile emptykey]\naws_access_key_id =\naws_secret_access_key = s\n"
    "[profile emptysecret]\naws_access_key_id = AKIDEMPTY\naws_secret_access_key =\n";

static const char *creds_text = "[default]\n"
                                "aws_access_key_id = AKIDDEFAULT\n"
                                "aws_secret_access_key = default-secret\n"
                                "[base]\n"
                                "aws_access_key_id = AKIDBASE\n"
                                "aws_secret_access_key = base-secret\n"
                                "aws_session_token = base-token\n"
                                "[both]\n"
                                "aws_access_key_id = AKIDCREDSBOTH\n"
                                "aws_secret_access_key = creds-secret\n";

static void write_script(struct fixture *fx, const char *name, const char *body)
{
    char *path = xasprintf("%s/%s", fx->dir, name);
    char *text = xasprintf("#!/bin/sh\n%s", body);
    write_file(path, text, 0700);
    free(text);
    free(path);
}

static int setup(void **state)
{
    struct fixture *fx = xcalloc(1, sizeof(*fx));
    const char *tmp = getenv("TMPDIR");
    fx->dir = xasprintf("%s/vpcx-test-creds-XXXXXX", tmp ? tmp : "/tmp");
    assert_non_null(mkdtemp(fx->dir));
    fx->config_path = xasprintf("%s/config", fx->dir);
    fx->creds_path = xasprintf("%s/credentials", fx->dir);
    const char *d = fx->dir;
    struct strbuf cfg = STRBUF_INIT;
    strbuf_init(&cfg, 0);
    for (const char *p = config_text; *p;) {
        const char *at = strstr(p, "@DIR@");
        size_t n = at ? (size_t)(at - p) : strlen(p);
        strbuf_add(&cfg, p, n);
        if (at)
            strbuf_addstr(&cfg, d);
        p += n + (at ? 5 : 0);
    }
    write_file(fx->config_path, cfg.buf, 0600);
    strbuf_release(&cfg);
    write_file(fx->creds_path, creds_text, 0600);
    write_script(fx, "good.sh",
                 "echo '{\"Version\": 1, \"AccessKeyId\": \"AKIDPROC\", \"SecretAccessKey\": "
                 "\"proc-secret\", \"SessionToken\": \"proc-token\", "
                 "\"Expiration\": \"2031-01-02T03:04:05Z\"}'\n");
    write_script(fx, "badjson.sh", "echo '{\"Version\": 1, \"AccessKeyId\": '\n");
    write_script(fx, "exit3.sh", "echo 'failing on purpose' >&2\nexit 3\n");
    write_script(fx, "version2.sh",
                 "echo '{\"Version\": 2, \"AccessKeyId\": \"A\", "
                 "\"SecretAccessKey\": \"S\"}'\n");
    write_script(fx, "leak.sh", "echo 'SuperSecretLeak123'\nexit 1\n");
    fx->env.get = fake_get;
    fx->env.ud = fx;
    env_set(fx, "AWS_CONFIG_FILE", fx->config_path);
    env_set(fx, "AWS_SHARED_CREDENTIALS_FILE", fx->creds_path);
    env_set(fx, "HOME", fx->dir);
    /* as on a machine that is not an instance; the IMDS tests turn it on */
    env_set(fx, "AWS_EC2_METADATA_DISABLED", "true");
    fx->sts_lifetime = 3600;
    fx->ops.assume_role = fake_assume_role;
    fx->ops.prompt_mfa = fake_prompt;
    fx->ops.sso_credentials = fake_sso;
    fx->ops.fetch = fake_fetch;
    fx->ops.ud = fx;
    fx->cache = aws_role_cache_create();
    fx->ops.cache = fx->cache;
    aws_settings_init(&fx->s);
    aws_credentials_init(&fx->c);
    vpcx_error_init(&fx->err);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    static const char *const files[] = {"config",     "credentials", "good.sh",
                                        "badjson.sh", "exit3.sh",    "version2.sh",
                                        "leak.sh",    "slow.sh",     "big.sh"};
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        char *p = xasprintf("%s/%s", fx->dir, files[i]);
        unlink(p);
        free(p);
    }
    rmdir(fx->dir);
    aws_role_cache_destroy(fx->cache);
    aws_settings_finish(&fx->s);
    aws_credentials_finish(&fx->c);
    vpcx_error_finish(&fx->err);
    free(fx->last_source_akid);
    free(fx->last_session_name);
    free(fx->last_token_code);
    free(fx->sso_seen);
    for (int i = 0; i < 8; i++)
        free(fx->fetch_str[i]);
    free(fx->dir);
    free(fx->config_path);
    free(fx->creds_path);
    free(fx);
    return 0;
}

/* Resolves settings for profile (NULL: none; explicit: as --profile) and then
 * the credentials. */
static enum vpcx_status resolve(struct fixture *fx, const char *profile, bool explicit)
{
    struct aws_options opts = {.region = "eu-west-1"};
    if (profile && explicit)
        opts.profile = profile;
    else if (profile)
        env_set(fx, "AWS_PROFILE", profile);
    aws_settings_finish(&fx->s);
    aws_credentials_finish(&fx->c);
    vpcx_error_finish(&fx->err);
    assert_int_equal(aws_settings_resolve(&opts, &fx->env, &fx->s, &fx->err), VPCX_OK);
    return aws_credentials_resolve(&fx->s, &fx->env, &fx->ops, &fx->c, &fx->err);
}

static void assert_contains(const char *hay, const char *needle)
{
    if (!hay || !strstr(hay, needle))
        fail_msg("'%s' does not contain '%s'", hay ? hay : "(null)", needle);
}

/* ---- environment ---- */

static void test_env_keys_win_over_aws_profile(void **state)
{
    struct fixture *fx = *state;
    env_set(fx, "AWS_ACCESS_KEY_ID", "AKIDENV");
    env_set(fx, "AWS_SECRET_ACCESS_KEY", "env-secret");
    env_set(fx, "AWS_SESSION_TOKEN", "session-token");
    env_set(fx, "AWS_CREDENTIAL_EXPIRATION", "2030-05-06T07:08:09.123+00:00");
    assert_int_equal(resolve(fx, "base", false), VPCX_OK);
    assert_string_equal(fx->c.access_key_id, "AKIDENV");
    assert_string_equal(fx->c.secret_access_key, "env-secret");
    assert_string_equal(fx->c.session_token, "session-token");
    assert_int_equal(fx->c.source, AWS_SRC_ENV);
    time_t want;
    assert_true(aws_parse_iso8601("2030-05-06T07:08:09Z", &want));
    assert_int_equal(fx->c.expiration, want);
    /* the legacy AWS_SECURITY_TOKEN is read first, as botocore does */
    env_set(fx, "AWS_SECURITY_TOKEN", "security-token");
    assert_int_equal(resolve(fx, NULL, false), VPCX_OK);
    assert_string_equal(fx->c.session_token, "security-token");
}

static void test_explicit_profile_skips_env(void **state)
{
    struct fixture *fx = *state;
    env_set(fx, "AWS_ACCESS_KEY_ID", "AKIDENV");
    env_set(fx, "AWS_SECRET_ACCESS_KEY", "env-secret");
    assert_int_equal(resolve(fx, "base", true), VPCX_OK);
    assert_string_equal(fx->c.access_key_id, "AKIDBASE");
    assert_string_equal(fx->c.session_token, "base-token");
    assert_int_equal(fx->c.source, AWS_SRC_CREDENTIALS);
    assert_contains(fx->c.origin, "[base]");
}

static void test_env_partial_and_bad_expiration(void **state)
{
    struct fixture *fx = *state;
    env_set(fx, "AWS_ACCESS_KEY_ID", "AKIDENV");
    assert_int_equal(resolve(fx, NULL, false), VPCX_ERR_CONFIG);
    assert_contains(fx->err.message, "AWS_SECRET_ACCESS_KEY");
    env_set(fx, "AWS_SECRET_ACCESS_KEY", "env-secret");
    env_set(fx, "AWS_CREDENTIAL_EXPIRATION", "tomorrow");
    assert_int_equal(resolve(fx, NULL, false), VPCX_ERR_CONFIG);
    assert_null(fx->c.access_key_id);
}

/* An empty variable is an unset one, as in the AWS CLI: an empty key ID is
 * no env source at all, an empty secret key makes the env keys partial. */
static void test_env_empty_keys(void **state)
{
    struct fixture *fx = *state;
    env_set(fx, "AWS_ACCESS_KEY_ID", "");
    env_set(fx, "AWS_SECRET_ACCESS_KEY", "env-secret");
    assert_int_equal(resolve(fx, NULL, false), VPCX_OK);
    assert_string_equal(fx->c.access_key_id, "AKIDDEFAULT");
    env_set(fx, "AWS_ACCESS_KEY_ID", "AKIDENV");
    env_set(fx, "AWS_SECRET_ACCESS_KEY", "");
    assert_int_equal(resolve(fx, NULL, false), VPCX_ERR_CONFIG);
    assert_contains(fx->err.message, "AWS_SECRET_ACCESS_KEY is unset or empty");
    assert_null(fx->c.access_key_id);
}

/* ---- files ---- */

static void test_file_order(void **state)
{
    struct fixture *fx = *state;
    /* credentials file beats credential_process and config keys */
    assert_int_equal(resolve(fx, "both", true), VPCX_OK);
    assert_string_equal(fx->c.access_key_id, "AKIDCREDSBOTH");
    assert_int_equal(fx->c.source, AWS_SRC_CREDENTIALS);
    /* credential_process beats config keys */
    assert_int_equal(resolve(fx, "proc", true), VPCX_OK);
    assert_string_equal(fx->c.access_key_id, "AKIDPROC");
    assert_int_equal(fx->c.source, AWS_SRC_PROCESS);
    /* config keys last */
    assert_int_equal(resolve(fx, "cfgkeys", true), VPCX_OK);
    assert_string_equal(fx->c.access_key_id, "AKIDCONFIG");
    assert_null(fx->c.session_token);
    assert_int_equal(fx->c.source, AWS_SRC_CONFIG);
    assert_contains(fx->c.origin, fx->config_path);
    /* default profile */
    assert_int_equal(resolve(fx, NULL, false), VPCX_OK);
    assert_string_equal(fx->c.access_key_id, "AKIDDEFAULT");
}

static void test_partial_file_keys(void **state)
{
    struct fixture *fx = *state;
    assert_int_equal(resolve(fx, "partial", true), VPCX_ERR_CONFIG);
    assert_contains(fx->err.message, "aws_secret_access_key");
}

static void test_empty_file_keys(void **state)
{
    struct fixture *fx = *state;
    assert_int_equal(resolve(fx, "emptykey", true), VPCX_ERR_CONFIG);
    assert_contains(fx->err.message, "aws_access_key_id is missing or empty");
    assert_int_equal(resolve(fx, "emptysecret", true), VPCX_ERR_CONFIG);
    assert_contains(fx->err.message, "aws_secret_access_key is missing or empty");
    assert_null(fx->c.access_key_id);
}

static void test_no_credentials(void **state)
{
    struct fixture *fx = *state;
    assert_int_equal(resolve(fx, "empty", true), VPCX_ERR_NO_CREDENTIALS);
    assert_contains(fx->err.message, "empty");
    assert_contains(fx->err.hint, "skipped: --profile was given");
    assert_contains(fx->err.hint, fx->creds_path);
    assert_contains(fx->err.hint, fx->config_path);
    assert_contains(fx->err.hint, "credential_process");
}

/* ---- credential_process ---- */

static void test_process_good(void **state)
{
    struct fixture *fx = *state;
    assert_int_equal(resolve(fx, "proc", true), VPCX_OK);
    assert_string_equal(fx->c.secret_access_key, "proc-secret");
    assert_string_equal(fx->c.session_token, "proc-token");
    time_t want;
    assert_true(aws_parse_iso8601("2031-01-02T03:04:05Z", &want));
    assert_int_equal(fx->c.expiration, want);
    assert_string_equal(fx->c.origin, "credential_process of profile proc");
}

static void expect_process_error(struct fixture *fx, const char *profile, const char *what)
{
    assert_int_equal(resolve(fx, profile, true), VPCX_ERR_CREDENTIAL_PROCESS);
    assert_contains(fx->err.message, profile);
    assert_contains(fx->err.message, what);
    assert_null(fx->c.access_key_id);
}

static void test_process_errors(void **state)
{
    struct fixture *fx = *state;
    expect_process_error(fx, "badjson", "not a JSON object");
    expect_process_error(fx, "exit3", "status 3");
    expect_process_error(fx, "version2", "Version");
}

static void test_process_never_leaks_stdout(void **state)
{
    struct fixture *fx = *state;
    expect_process_error(fx, "leak", "status 1");
    assert_null(strstr(fx->err.message, "SuperSecretLeak123"));
    assert_true(fx->err.hint == NULL || !strstr(fx->err.hint, "SuperSecretLeak123"));
}

static void test_process_limits(void **state)
{
    struct fixture *fx = *state;
    struct aws_credentials c;
    aws_credentials_init(&c);
    write_script(fx, "slow.sh", "sleep 5\n");
    char *slow = xasprintf("%s/slow.sh", fx->dir);
    time_t start = time(NULL);
    assert_int_equal(aws_credentials_from_process(slow, "slow", 300, 1024, &c, &fx->err),
                     VPCX_ERR_CREDENTIAL_PROCESS);
    assert_true(time(NULL) - start < 4);
    assert_contains(fx->err.message, "no answer");
    write_script(fx, "big.sh", "head -c 5000 /dev/zero | tr '\\0' x\n");
    char *big = xasprintf("%s/big.sh", fx->dir);
    assert_int_equal(aws_credentials_from_process(big, "big", 5000, 1024, &c, &fx->err),
                     VPCX_ERR_CREDENTIAL_PROCESS);
    assert_contains(fx->err.message, "larger than 1024");
    /* through /bin/sh -c: arguments and pipes work */
    assert_int_equal(aws_credentials_from_process(
                         "printf '%s' '{\"Version\":1,\"AccessKeyId\":\"A\",' | cat - /dev/null; "
                         "echo '\"SecretAccessKey\":\"S\"}'",
                         "inline", 5000, 1024, &c, &fx->err),
                     VPCX_OK);
    assert_string_equal(c.access_key_id, "A");
    assert_null(c.session_token);
    assert_int_equal(c.expiration, 0);
    aws_credentials_finish(&c);
    free(slow);
    free(big);
}

static void test_process_empty_keys(void **state)
{
    struct fixture *fx = *state;
    struct aws_credentials c;
    aws_credentials_init(&c);
    assert_int_equal(aws_credentials_from_process(
                         "echo '{\"Version\":1,\"AccessKeyId\":\"\",\"SecretAccessKey\":\"S\"}'",
                         "emptykey", 5000, 1024, &c, &fx->err),
                     VPCX_ERR_CREDENTIAL_PROCESS);
    assert_contains(fx->err.message, "emptykey: the output lacks AccessKeyId");
    assert_int_equal(aws_credentials_from_process(
                         "echo '{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"\"}'",
                         "emptysecret", 5000, 1024, &c, &fx->err),
                     VPCX_ERR_CREDENTIAL_PROCESS);
    assert_contains(fx->err.message, "emptysecret: the output lacks SecretAccessKey");
    assert_int_equal(aws_credentials_from_process(
                         "echo '{\"Version\":1,\"AccessKeyId\":7,\"SecretAccessKey\":\"S\"}'",
                         "numberkey", 5000, 1024, &c, &fx->err),
                     VPCX_ERR_CREDENTIAL_PROCESS);
    assert_null(c.access_key_id);
}

/* ---- assume role ---- */

static void test_assume_role_chain_and_cache(void **state)
{
    struct fixture *fx = *state;
    assert_int_equal(resolve(fx, "roleA", true), VPCX_OK);
    assert_int_equal(fx->sts_calls, 2); /* B with base's keys, then A with B's */
    assert_string_equal(fx->c.access_key_id, "ASIAA.ASIAB.AKIDBASE");
    assert_string_equal(fx->last_source_akid, "ASIAB.AKIDBASE");
    assert_int_equal(fx->c.source, AWS_SRC_ASSUME_ROLE);
    assert_contains(fx->c.origin, "role/A via profile roleB");
    assert_contains(fx->last_session_name, "botocore-session-");
    assert_false(aws_credentials_expired(&fx->c, time(NULL), 0));

    assert_int_equal(resolve(fx, "roleA", true), VPCX_OK);
    assert_int_equal(fx->sts_calls, 2); /* served from the cache */
    assert_string_equal(fx->c.access_key_id, "ASIAA.ASIAB.AKIDBASE");
    assert_int_equal(resolve(fx, "roleB", true), VPCX_OK);
    assert_int_equal(fx->sts_calls, 2);
    assert_string_equal(fx->c.access_key_id, "ASIAB.AKIDBASE");
}

static void test_assume_role_short_lived_not_cached(void **state)
{
    struct fixture *fx = *state;
    fx->sts_lifetime = 200; /* inside the 5-minute window */
    assert_int_equal(resolve(fx, "roleB", true), VPCX_OK);
    assert_int_equal(fx->sts_calls, 1);
    assert_string_equal(fx->last_session_name, "bee");
    assert_int_equal(resolve(fx, "roleB", true), VPCX_OK);
    assert_int_equal(fx->sts_calls, 2);
    fx->ops.cache = NULL; /* no cache at all: every resolution calls STS */
    fx->sts_lifetime = 3600;
    assert_int_equal(resolve(fx, "roleB", true), VPCX_OK);
    assert_int_equal(resolve(fx, "roleB", true), VPCX_OK);
    assert_int_equal(fx->sts_calls, 4);
}

static void test_assume_role_loop(void **state)
{
    struct fixture *fx = *state;
    assert_int_equal(resolve(fx, "loop1", true), VPCX_ERR_CONFIG);
    assert_contains(fx->err.message, "loop");
    assert_contains(fx->err.message, "loop1 -> loop2 -> loop1");
    assert_int_equal(fx->sts_calls, 0);
}

static void test_assume_role_self_reference(void **state)
{
    struct fixture *fx = *state;
    assert_int_equal(resolve(fx, "selfref", true), VPCX_OK);
    assert_int_equal(fx->sts_calls, 1);
    assert_string_equal(fx->last_source_akid, "AKIDSELF");
}

static void test_assume_role_environment_source(void **state)
{
    struct fixture *fx = *state;
    assert_int_equal(resolve(fx, "envrole", true), VPCX_ERR_NO_CREDENTIALS);
    env_set(fx, "AWS_ACCESS_KEY_ID", "AKIDENV");
    env_set(fx, "AWS_SECRET_ACCESS_KEY", "env-secret");
    /* --profile disables env keys for the chain, not for credential_source */
    assert_int_equal(resolve(fx, "envrole", true), VPCX_OK);
    assert_string_equal(fx->last_source_akid, "AKIDENV");
    assert_contains(fx->c.origin, "credential_source Environment");
}

static void test_assume_role_errors(void **state)
{
    struct fixture *fx = *state;
    assert_int_equal(resolve(fx, "dangling", true), VPCX_ERR_CONFIG);
    assert_contains(fx->err.message, "ghost");
    fx->ops.assume_role = NULL;
    assert_int_equal(resolve(fx, "roleB", true), VPCX_ERR_INTERNAL);
}

/* An answer with an empty field is refused, named, and never cached. */
static void test_assume_role_empty_answer(void **state)
{
    struct fixture *fx = *state;
    static const char *const fields[][2] = {
        {"akid", "access key ID"}, {"secret", "secret access key"}, {"token", "session token"}};
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        fx->sts_blank = fields[i][0];
        int calls = fx->sts_calls;
        assert_int_equal(resolve(fx, "roleB", true), VPCX_ERR_NO_CREDENTIALS);
        assert_int_equal(fx->sts_calls, calls + 1);
        assert_contains(fx->err.message, "partial credentials from assume role");
        assert_contains(fx->err.message, fields[i][1]);
        assert_null(fx->c.access_key_id);
    }
    fx->sts_blank = NULL;
    int calls = fx->sts_calls;
    assert_int_equal(resolve(fx, "roleB", true), VPCX_OK);
    assert_int_equal(fx->sts_calls, calls + 1); /* nothing was cached */
    assert_string_equal(fx->c.access_key_id, "ASIAB.AKIDBASE");
}

static void test_credentials_check(void **state)
{
    struct fixture *fx = *state;
    struct aws_credentials c;
    aws_credentials_init(&c);
    c.access_key_id = xstrdup("AKID");
    c.secret_access_key = xstrdup("S");
    assert_int_equal(aws_credentials_check(&c, &fx->err), VPCX_OK);
    c.session_token = xstrdup("");
    c.origin = xstrdup("somewhere");
    assert_int_equal(aws_credentials_check(&c, &fx->err), VPCX_ERR_NO_CREDENTIALS);
    assert_contains(fx->err.message, "partial credentials from somewhere: the session token");
    aws_credentials_finish(&c);
    assert_int_equal(aws_credentials_check(&c, &fx->err), VPCX_ERR_NO_CREDENTIALS);
    assert_contains(fx->err.message, "access key ID is missing or empty");
}

static void test_assume_role_mfa(void **state)
{
    struct fixture *fx = *state;
    assert_int_equal(resolve(fx, "mfarole", true), VPCX_OK);
    assert_string_equal(fx->last_token_code, "123456");
    fx->ops.prompt_mfa = NULL;
    fx->ops.cache = NULL;
    assert_int_equal(resolve(fx, "mfarole", true), VPCX_ERR_AUTH);
    assert_contains(fx->err.message, "MFA");
}

/* ---- unsupported sources ---- */

/* ---- web identity, container, instance metadata ---- */

static void test_web_identity_profile(void **state)
{
    struct fixture *fx = *state;
    /* role_arn with web_identity_token_file is web identity, not AssumeRole */
    assert_int_equal(resolve(fx, "webid", true), VPCX_OK);
    assert_int_equal(fx->sts_calls, 0);
    assert_int_equal(fx->last_fetch.kind, AWS_FETCH_WEB_IDENTITY);
    assert_string_equal(fx->last_fetch.token_file, "/tok");
    assert_string_equal(fx->last_fetch.role_arn, "arn:aws:iam::1:role/W");
    assert_contains(fx->last_fetch.role_session_name, "botocore-session-");
    assert_int_equal(fx->c.source, AWS_SRC_WEB_IDENTITY);
    assert_string_equal(fx->c.origin, "web identity arn:aws:iam::1:role/W (token file /tok)");
    /* --profile skips the environment's web identity settings */
    env_set(fx, "AWS_ROLE_ARN", "arn:aws:iam::1:role/FromEnv");
    assert_int_equal(resolve(fx, "webid", true), VPCX_OK);
    assert_string_equal(fx->last_fetch.role_arn, "arn:aws:iam::1:role/W");
    /* AWS_PROFILE does not: each environment variable beats the profile's key */
    assert_int_equal(resolve(fx, "webid", false), VPCX_OK);
    assert_string_equal(fx->last_fetch.role_arn, "arn:aws:iam::1:role/FromEnv");
    assert_string_equal(fx->last_fetch.token_file, "/tok");
}

static void test_web_identity_env(void **state)
{
    struct fixture *fx = *state;
    env_set(fx, "AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/token");
    /* a token file without a role is an error, not a fall-through */
    assert_int_equal(resolve(fx, NULL, false), VPCX_ERR_CONFIG);
    assert_contains(fx->err.message, "AWS_ROLE_ARN");
    env_set(fx, "AWS_ROLE_ARN", "arn:aws:iam::1:role/Ci");
    env_set(fx, "AWS_ROLE_SESSION_NAME", "run-7");
    /* before the credentials file's [default] keys */
    assert_int_equal(resolve(fx, NULL, false), VPCX_OK);
    assert_string_equal(fx->c.access_key_id, "AKIDFETCH0");
    assert_string_equal(fx->last_fetch.role_session_name, "run-7");
    assert_string_equal(fx->last_fetch.token_file, "/var/run/token");
    /* after the environment's keys */
    env_set(fx, "AWS_ACCESS_KEY_ID", "AKIDENV");
    env_set(fx, "AWS_SECRET_ACCESS_KEY", "env-secret");
    fx->fetch_calls = 0;
    assert_int_equal(resolve(fx, NULL, false), VPCX_OK);
    assert_string_equal(fx->c.access_key_id, "AKIDENV");
    assert_int_equal(fx->fetch_calls, 0);
}

static void test_container_source(void **state)
{
    struct fixture *fx = *state;
    env_set(fx, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/abc");
    /* after the credentials file: [default] has keys */
    assert_int_equal(resolve(fx, NULL, false), VPCX_OK);
    assert_string_equal(fx->c.access_key_id, "AKIDDEFAULT");
    assert_int_equal(fx->fetch_calls, 0);
    assert_int_equal(resolve(fx, "empty", true), VPCX_OK);
    assert_int_equal(fx->last_fetch.kind, AWS_FETCH_CONTAINER);
    assert_string_equal(fx->last_fetch.url, "http://169.254.170.2/v2/credentials/abc");
    assert_null(fx->last_fetch.auth_token);
    assert_int_equal(fx->c.source, AWS_SRC_CONTAINER);
    assert_string_equal(fx->c.origin,
                        "container credentials http://169.254.170.2/v2/credentials/abc");
    /* a failing endpoint is the error: no fall-through to the instance metadata */
    fx->fetch_fail = VPCX_ERR_AUTH;
    fx->fetch_calls = 0;
    assert_int_equal(resolve(fx, "empty", true), VPCX_ERR_AUTH);
    assert_int_equal(fx->fetch_calls, 1);
}

static void test_container_full_uri(void **state)
{
    struct fixture *fx = *state;
    env_set(fx, "AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://203.0.113.9/creds");
    assert_int_equal(resolve(fx, "empty", true), VPCX_ERR_CONFIG);
    assert_contains(fx->err.message, "not allowed");
    assert_int_equal(fx->fetch_calls, 0);
    env_set(fx, "AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://169.254.170.23/v1/credentials");
    env_set(fx, "AWS_CONTAINER_AUTHORIZATION_TOKEN", "env-token");
    assert_int_equal(resolve(fx, "empty", true), VPCX_OK);
    assert_string_equal(fx->last_fetch.url, "http://169.254.170.23/v1/credentials");
    assert_string_equal(fx->last_fetch.auth_token, "env-token");
    /* the token file wins over the token */
    env_set(fx, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "/var/run/pod-token");
    assert_int_equal(resolve(fx, "empty", true), VPCX_OK);
    assert_string_equal(fx->last_fetch.auth_token_file, "/var/run/pod-token");
    assert_null(fx->last_fetch.auth_token);
    /* RELATIVE_URI wins over FULL_URI */
    env_set(fx, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/rel");
    assert_int_equal(resolve(fx, "empty", true), VPCX_OK);
    assert_string_equal(fx->last_fetch.url, "http://169.254.170.2/rel");
}

static void test_imds_source(void **state)
{
    struct fixture *fx = *state;
    env_set(fx, "AWS_EC2_METADATA_DISABLED", "false");
    assert_int_equal(resolve(fx, "empty", true), VPCX_OK);
    assert_int_equal(fx->last_fetch.kind, AWS_FETCH_IMDS);
    assert_string_equal(fx->last_fetch.endpoint, "http://169.254.169.254");
    assert_false(fx->last_fetch.v1_disabled);
    assert_int_equal(fx->c.source, AWS_SRC_IMDS);
    env_set(fx, "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv6");
    env_set(fx, "AWS_EC2_METADATA_V1_DISABLED", "true");
    assert_int_equal(resolve(fx, "empty", true), VPCX_OK);
    assert_string_equal(fx->last_fetch.endpoint, "http://[fd00:ec2::254]");
    assert_true(fx->last_fetch.v1_disabled);
    /* not on an instance: "no credentials", with the reason in the hint */
    fx->fetch_fail = VPCX_ERR_NO_CREDENTIALS;
    assert_int_equal(resolve(fx, "empty", true), VPCX_ERR_NO_CREDENTIALS);
    assert_contains(fx->err.message, "no credentials found for profile empty");
    assert_contains(fx->err.hint, "the fake service is down");
    /* disabled: never asked */
    env_set(fx, "AWS_EC2_METADATA_DISABLED", "true");
    fx->fetch_calls = 0;
    assert_int_equal(resolve(fx, "empty", true), VPCX_ERR_NO_CREDENTIALS);
    assert_int_equal(fx->fetch_calls, 0);
    assert_contains(fx->err.hint, "AWS_EC2_METADATA_DISABLED");
    /* no HTTP client (ops without fetch): skipped too */
    fx->ops.fetch = NULL;
    assert_int_equal(resolve(fx, "empty", true), VPCX_ERR_NO_CREDENTIALS);
}

static void test_role_from_metadata_sources(void **state)
{
    struct fixture *fx = *state;
    env_set(fx, "AWS_EC2_METADATA_DISABLED", "false");
    assert_int_equal(resolve(fx, "imdsrole", true), VPCX_OK);
    assert_int_equal(fx->last_fetch.kind, AWS_FETCH_IMDS);
    assert_string_equal(fx->last_source_akid, "AKIDFETCH2");
    assert_int_equal(fx->c.source, AWS_SRC_ASSUME_ROLE);
    assert_contains(fx->c.origin, "credential_source Ec2InstanceMetadata");
    /* required here: the metadata's failure is the error */
    fx->fetch_fail = VPCX_ERR_NO_CREDENTIALS;
    aws_role_cache_clear(fx->cache);
    assert_int_equal(resolve(fx, "imdsrole", true), VPCX_ERR_NO_CREDENTIALS);
    assert_contains(fx->err.message, "the fake service is down");
    env_set(fx, "AWS_EC2_METADATA_DISABLED", "true");
    assert_int_equal(resolve(fx, "imdsrole", true), VPCX_ERR_NO_CREDENTIALS);
    assert_contains(fx->err.message, "AWS_EC2_METADATA_DISABLED");
    fx->fetch_fail = VPCX_OK;
    assert_int_equal(resolve(fx, "ecsrole", true), VPCX_ERR_NO_CREDENTIALS);
    assert_contains(fx->err.message, "EcsContainer");
    env_set(fx, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/task");
    assert_int_equal(resolve(fx, "ecsrole", true), VPCX_OK);
    assert_string_equal(fx->last_source_akid, "AKIDFETCH1");
}

/* ---- IAM Identity Center ---- */

static void expect_sso_seen(struct fixture *fx, const char *profile, const char *session,
                            const char *url, const char *region, const char *account,
                            const char *role, const char *key)
{
    char hex[41];
    aws_sso_sha1_hex(key, hex);
    char *want =
        xasprintf("%s|%s|%s|%s|%s|%s|%s/.aws/sso/cache/%s.json|"
                  "https://oidc.%s.amazonaws.com|https://portal.sso.%s.amazonaws.com",
                  profile, session, url, region, account, role, fx->dir, hex, region, region);
    assert_string_equal(fx->sso_seen, want);
    free(want);
}

static void test_sso_profiles(void **state)
{
    struct fixture *fx = *state;
    assert_int_equal(resolve(fx, "ssoprof", true), VPCX_OK);
    assert_int_equal(fx->c.source, AWS_SRC_SSO);
    assert_string_equal(fx->c.access_key_id, "ASIASSO");
    expect_sso_seen(fx, "ssoprof", "corp", "https://x", "eu-west-1", "1", "R", "corp");
    /* legacy: the token file is named after the start URL */
    assert_int_equal(resolve(fx, "ssolegacy", true), VPCX_OK);
    expect_sso_seen(fx, "ssolegacy", "(legacy)", "https://legacy", "us-west-2", "2", "L",
                    "https://legacy");
    /* SSO comes before the profile's static keys, as in botocore */
    assert_int_equal(resolve(fx, "ssoandkeys", true), VPCX_OK);
    assert_string_equal(fx->c.access_key_id, "ASIASSO");
    /* an SSO profile as the source of a role */
    assert_int_equal(resolve(fx, "ssorole", true), VPCX_OK);
    assert_string_equal(fx->last_source_akid, "ASIASSO");
    assert_int_equal(fx->sso_calls, 4);
}

static void test_sso_profile_errors(void **state)
{
    struct fixture *fx = *state;
    assert_int_equal(resolve(fx, "ssohalf", true), VPCX_ERR_CONFIG);
    assert_contains(fx->err.message, "missing required configuration: sso_role_name");
    assert_int_equal(resolve(fx, "ssoclash", true), VPCX_ERR_CONFIG);
    assert_contains(fx->err.message, "sso_region is inconsistent");
    assert_int_equal(resolve(fx, "ssonosession", true), VPCX_ERR_CONFIG);
    assert_contains(fx->err.message, "[sso-session gone]");
    assert_int_equal(fx->sso_calls, 0);
    fx->ops.sso_credentials = NULL;
    assert_int_equal(resolve(fx, "ssoprof", true), VPCX_ERR_INTERNAL);
    assert_contains(fx->err.message, "no SSO client");
}

/* The endpoint overrides reach the SSO calls; --endpoint-url does not. */
static void test_sso_endpoints(void **state)
{
    struct fixture *fx = *state;
    env_set(fx, "AWS_ENDPOINT_URL", "http://127.0.0.1:9");
    env_set(fx, "AWS_ENDPOINT_URL_SSO", "http://127.0.0.1:7");
    assert_int_equal(resolve(fx, "ssoprof", true), VPCX_OK);
    assert_non_null(strstr(fx->sso_seen, "|http://127.0.0.1:9|http://127.0.0.1:7"));
    /* the profile's [services] block, under the environment variables */
    assert_int_equal(resolve(fx, "ssosvc", true), VPCX_OK);
    assert_non_null(strstr(fx->sso_seen, "|http://127.0.0.1:9|http://127.0.0.1:7"));
    env_set(fx, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true");
    assert_int_equal(resolve(fx, "ssosvc", true), VPCX_OK);
    assert_non_null(strstr(fx->sso_seen, "|https://oidc.eu-west-1.amazonaws.com|"));
    env_set(fx, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "false");
    env_set(fx, "AWS_ENDPOINT_URL", "");
    env_set(fx, "AWS_ENDPOINT_URL_SSO", "");
    assert_int_equal(resolve(fx, "ssosvc", true), VPCX_OK);
    assert_non_null(strstr(fx->sso_seen, "|http://127.0.0.1:6|http://127.0.0.1:8"));
    env_set(fx, "AWS_ENDPOINT_URL_SSO", "ftp://x");
    assert_int_equal(resolve(fx, "ssoprof", true), VPCX_ERR_CONFIG);
    assert_contains(fx->err.message, "must start with http");
}

/* [DEFAULT] keys are inherited (botocore's RawConfigParser): keys in the
 * credentials file, and sso_* settings that make an SSO profile. */
static void test_default_section_inherited(void **state)
{
    struct fixture *fx = *state;
    char *config = xasprintf("%s/config-defaults", fx->dir);
    char *creds = xasprintf("%s/credentials-defaults", fx->dir);
    write_file(config,
               "[DEFAULT]\nsso_start_url = https://x\nsso_account_id = 1\n[profile center]\n",
               0600);
    write_file(creds,
               "[DEFAULT]\naws_access_key_id = AKIDINHERITED\n"
               "aws_secret_access_key = inherited-secret\n[plain]\n",
               0600);
    env_set(fx, "AWS_CONFIG_FILE", config);
    env_set(fx, "AWS_SHARED_CREDENTIALS_FILE", creds);
    assert_int_equal(resolve(fx, "center", true), VPCX_ERR_CONFIG);
    assert_contains(fx->err.message, "IAM Identity Center but is missing required configuration: "
                                     "sso_role_name, sso_region");
    assert_int_equal(resolve(fx, "plain", true), VPCX_OK);
    assert_string_equal(fx->c.access_key_id, "AKIDINHERITED");
    unlink(config);
    unlink(creds);
    free(config);
    free(creds);
}

/* ---- helpers ---- */

static void test_iso8601(void **state)
{
    (void)state;
    time_t t;
    assert_true(aws_parse_iso8601("1970-01-01T00:00:00Z", &t));
    assert_int_equal(t, 0);
    assert_true(aws_parse_iso8601("2026-11-26T13:00:00Z", &t));
    assert_int_equal(t, 1795698000);
    time_t u;
    assert_true(aws_parse_iso8601("2026-11-26T13:00:00+00:00", &u));
    assert_int_equal(u, t);
    assert_true(aws_parse_iso8601("2026-11-26T13:00:00.999Z", &u));
    assert_int_equal(u, t);
    assert_true(aws_parse_iso8601("2026-11-26T15:00:00+02:00", &u));
    assert_int_equal(u, t);
    assert_true(aws_parse_iso8601("2026-11-26T08:30:00-0430", &u));
    assert_int_equal(u, t);
    assert_true(aws_parse_iso8601("2026-11-26 13:00:00", &u));
    assert_int_equal(u, t);
    assert_false(aws_parse_iso8601("2026-11-26", &u));
    assert_false(aws_parse_iso8601("2026-13-26T13:00:00Z", &u));
    assert_false(aws_parse_iso8601("2026-11-26T13:00:00Zjunk", &u));
    assert_false(aws_parse_iso8601("2026-11-26T13:00:00.Z", &u));
    assert_false(aws_parse_iso8601("", &u));
}

static void test_expired_and_copy(void **state)
{
    (void)state;
    struct aws_credentials a, b;
    aws_credentials_init(&a);
    aws_credentials_init(&b);
    assert_false(aws_credentials_expired(&a, 1000000, 300)); /* no expiration */
    a.expiration = 1000;
    assert_true(aws_credentials_expired(&a, 1000, 0));
    assert_false(aws_credentials_expired(&a, 999, 0));
    assert_true(aws_credentials_expired(&a, 800, 300));
    a.access_key_id = xstrdup("AK");
    a.secret_access_key = xstrdup("SK");
    a.origin = xstrdup("here");
    aws_credentials_copy(&b, &a);
    assert_string_equal(b.secret_access_key, "SK");
    assert_null(b.session_token);
    assert_int_equal(b.expiration, 1000);
    aws_credentials_finish(&a);
    assert_null(a.secret_access_key);
    aws_credentials_finish(&b);
    aws_credentials_finish(NULL);
    aws_role_cache_destroy(NULL);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_env_keys_win_over_aws_profile),
        T(test_explicit_profile_skips_env),
        T(test_env_partial_and_bad_expiration),
        T(test_env_empty_keys),
        T(test_file_order),
        T(test_partial_file_keys),
        T(test_empty_file_keys),
        T(test_no_credentials),
        T(test_process_good),
        T(test_process_errors),
        T(test_process_never_leaks_stdout),
        T(test_process_limits),
        T(test_process_empty_keys),
        T(test_assume_role_chain_and_cache),
        T(test_assume_role_short_lived_not_cached),
        T(test_assume_role_loop),
        T(test_assume_role_self_reference),
        T(test_assume_role_environment_source),
        T(test_assume_role_errors),
        T(test_assume_role_empty_answer),
        T(test_credentials_check),
        T(test_assume_role_mfa),
        T(test_sso_profiles),
        T(test_sso_profile_errors),
        T(test_sso_endpoints),
        T(test_web_identity_profile),
        T(test_web_identity_env),
        T(test_container_source),
        T(test_container_full_uri),
        T(test_imds_source),
        T(test_role_from_metadata_sources),
        T(test_default_section_inherited),
        cmocka_unit_test(test_iso8601),
        cmocka_unit_test(test_expired_and_copy),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
