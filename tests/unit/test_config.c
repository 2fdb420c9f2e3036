#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "vpcx/aws/config.h"
#include "vpcx/core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- fixtures: a fake environment and files in a temp dir ---- */

#define MAX_VARS 24

struct fake_env {
    const char *names[MAX_VARS];
    const char *values[MAX_VARS];
    int n;
    char *dir;
    char *config_path;
    char *creds_path;
    struct aws_env env;
};

static const char *fake_get(void *ud, const char *name)
{
    struct fake_env *f = ud;
    for (int i = f->n - 1; i >= 0; i--)
        if (strcmp(f->names[i], name) == 0)
            return f->values[i];
    return NULL;
}

static void fake_set(struct fake_env *f, const char *name, const char *value)
{
    assert_true(f->n < MAX_VARS);
    f->names[f->n] = name;
    f->values[f->n] = value;
    f->n++;
}

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

/* A temp HOME with .aws/config and .aws/credentials (NULL text: no file). */
static struct fake_env *fake_create(const char *config, const char *creds)
{
    struct fake_env *f = xcalloc(1, sizeof(*f));
    const char *tmp = getenv("TMPDIR");
    f->dir = xasprintf("%s/vpcx-test-config-XXXXXX", tmp ? tmp : "/tmp");
    assert_non_null(mkdtemp(f->dir));
    char *aws = xasprintf("%s/.aws", f->dir);
    assert_int_equal(mkdir(aws, 0700), 0);
    free(aws);
    f->config_path = xasprintf("%s/.aws/config", f->dir);
    f->creds_path = xasprintf("%s/.aws/credentials", f->dir);
    if (config)
        write_file(f->config_path, config);
    if (creds)
        write_file(f->creds_path, creds);
    f->env.get = fake_get;
    f->env.ud = f;
    fake_set(f, "HOME", f->dir);
    return f;
}

static void fake_destroy(struct fake_env *f)
{
    unlink(f->config_path);
    unlink(f->creds_path);
    char *aws = xasprintf("%s/.aws", f->dir);
    rmdir(aws);
    free(aws);
    rmdir(f->dir);
    free(f->dir);
    free(f->config_path);
    free(f->creds_path);
    free(f);
}

static const char *base_config = "[default]\n"
                                 "region = eu-west-1\n"
                                 "[profile dev]\n"
                                 "region = us-east-2\n"
                                 "ca_bundle = /etc/dev-ca.pem\n"
                                 "max_attempts = 7\n"
                                 "retry_mode = adaptive\n"
                                 "[profile noregion]\n"
                                 "output = json\n"
                                 "[profile local]\n"
                                 "region = us-east-1\n"
                                 "services = emu\n"
                                 "endpoint_url = http://profile-global:1\n"
                                 "[profile global]\n"
                                 "region = us-east-1\n"
                                 "endpoint_url = http://profile-global:2\n"
                                 "[profile broken]\n"
                                 "region = us-east-1\n"
                                 "services = nosuch\n"
                                 "[profile fips]\n"
                                 "region = us-gov-west-1\n"
                                 "use_fips_endpoint = TRUE\n"
                                 "[services emu]\n"
                                 "ec2 =\n"
                                 "  endpoint_url = http://services-ec2:4566\n"
                                 "sts =\n"
                                 "  endpoint_url = http://services-sts:4566\n";

static const char *base_creds = "[default]\n"
                                "aws_access_key_id = AKIDDEFAULT\n"
                                "[dev]\n"
                                "region = ap-southeast-2\n"
                                "[credsonly]\n"
                                "aws_access_key_id = AKIDCREDS\n";

struct fixture {
    struct fake_env *f;
    struct aws_options opts;
    struct aws_settings s;
    struct vpcx_error err;
};

static int setup(void **state)
{
    struct fixture *fx = xcalloc(1, sizeof(*fx));
    fx->f = fake_create(base_config, base_creds);
    aws_settings_init(&fx->s);
    vpcx_error_init(&fx->err);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    aws_settings_finish(&fx->s);
    vpcx_error_finish(&fx->err);
    fake_destroy(fx->f);
    free(fx);
    return 0;
}

static enum vpcx_status resolve(struct fixture *fx)
{
    aws_settings_finish(&fx->s);
    vpcx_error_finish(&fx->err);
    return aws_settings_resolve(&fx->opts, &fx->f->env, &fx->s, &fx->err);
}

static void assert_contains(const char *hay, const char *needle)
{
    if (!hay || !strstr(hay, needle))
        fail_msg("'%s' does not contain '%s'", hay ? hay : "(null)", needle);
}

/* ---- profile ---- */

static void test_profile_order(void **state)
{
    struct fixture *fx = *state;
    assert_int_equal(resolve(fx), VPCX_OK);
    assert_string_equal(fx->s.profile.value, "default");
    assert_int_equal(fx->s.profile.source, AWS_SRC_DEFAULT);
    assert_false(fx->s.profile_explicit);
    assert_false(fx->s.profile_named);

    fake_set(fx->f, "AWS_DEFAULT_PROFILE", "global");
    assert_int_equal(resolve(fx), VPCX_OK);
    assert_string_equal(fx->s.profile.value, "global");

    fake_set(fx->f, "AWS_PROFILE", "dev");
    assert_int_equal(resolve(fx), VPCX_OK);
    assert_string_equal(fx->s.profile.value, "dev");
    assert_int_equal(fx->s.profile.source, AWS_SRC_ENV);
    assert_string_equal(fx->s.profile.origin, "env AWS_PROFILE");
    assert_false(fx->s.profile_explicit);
    assert_true(fx->s.profile_named);

    fx->opts.profile = "local";
    assert_int_equal(resolve(fx), VPCX_OK);
    assert_string_equal(fx->s.profile.value, "local");
    assert_int_equal(fx->s.profile.source, AWS_SRC_FLAG);
    assert_true(fx->s.profile_explicit);
}

static void test_profile_only_in_credentials(void **state)
{
    struct fixture *fx = *state;
    fx->opts.profile = "credsonly";
    fx->opts.region = "eu-central-1";
    assert_int_equal(resolve(fx), VPCX_OK);
    struct aws_profile_view v;
    assert_true(aws_settings_profile(&fx->s, "credsonly", &v));
    assert_null(v.config);
    assert_string_equal(aws_profile_get(&v, "aws_access_key_id"), "AKIDCREDS");
}

static void test_profile_not_found(void **state)
{
    struct fixture *fx = *state;
    fx->opts.profile = "nope";
    assert_int_equal(resolve(fx), VPCX_ERR_PROFILE_NOT_FOUND);
    assert_int_equal(fx->err.status, VPCX_ERR_PROFILE_NOT_FOUND);
    assert_contains(fx->err.message, "'nope'");
    assert_contains(fx->err.message, "default, dev, noregion, local, global, broken, fips, "
                                     "credsonly");
    assert_contains(fx->err.hint, "aws configure --profile nope");
    /* the same through AWS_PROFILE */
    fx->opts.profile = NULL;
    fake_set(fx->f, "AWS_PROFILE", "nope2");
    assert_int_equal(resolve(fx), VPCX_ERR_PROFILE_NOT_FOUND);
    assert_contains(fx->err.message, "env AWS_PROFILE");
}

static void test_default_profile_may_be_missing(void **state)
{
    (void)state;
    struct fake_env *f = fake_create(NULL, NULL);
    struct aws_settings s;
    struct vpcx_error err;
    vpcx_error_init(&err);
    struct aws_options opts = {.region = "us-east-1"};
    assert_int_equal(aws_settings_resolve(&opts, &f->env, &s, &err), VPCX_OK);
    assert_string_equal(s.profile.value, "default");
    aws_settings_finish(&s);
    /* but naming it explicitly requires it */
    opts.profile = "default";
    assert_int_equal(aws_settings_resolve(&opts, &f->env, &s, &err), VPCX_ERR_PROFILE_NOT_FOUND);
    assert_contains(err.message, "(none)");
    aws_settings_finish(&s);
    vpcx_error_finish(&err);
    fake_destroy(f);
}

/* ---- region ---- */

static void test_region_order(void **state)
{
    struct fixture *fx = *state;
    fx->opts.profile = "global";
    assert_int_equal(resolve(fx), VPCX_OK);
    assert_string_equal(fx->s.region.value, "us-east-1");
    assert_int_equal(fx->s.region.source, AWS_SRC_CONFIG);
    assert_contains(fx->s.region.origin, "profile global in ");
    assert_contains(fx->s.region.origin, fx->f->config_path);

    fake_set(fx->f, "AWS_DEFAULT_REGION", "sa-east-1");
    assert_int_equal(resolve(fx), VPCX_OK);
    assert_string_equal(fx->s.region.value, "sa-east-1");
    assert_string_equal(fx->s.region.origin, "env AWS_DEFAULT_REGION");

    fake_set(fx->f, "AWS_REGION", "ca-central-1");
    assert_int_equal(resolve(fx), VPCX_OK);
    assert_string_equal(fx->s.region.value, "ca-central-1");
    assert_string_equal(fx->s.region.origin, "env AWS_REGION");

    fx->opts.region = "af-south-1";
    assert_int_equal(resolve(fx), VPCX_OK);
    assert_string_equal(fx->s.region.value, "af-south-1");
    assert_int_equal(fx->s.region.source, AWS_SRC_FLAG);
}

static void test_region_credentials_file_overrides_config(void **state)
{
    struct fixture *fx = *state;
    fx->opts.profile = "dev";
    assert_int_equal(resolve(fx), VPCX_OK);
    assert_string_equal(fx->s.region.value, "ap-southeast-2");
    assert_int_equal(fx->s.region.source, AWS_SRC_CREDENTIALS);
    assert_contains(fx->s.region.origin, fx->f->creds_path);
}

static void test_region_empty_env_is_unset(void **state)
{
    struct fixture *fx = *state;
    fake_set(fx->f, "AWS_REGION", "");
    assert_int_equal(resolve(fx), VPCX_OK);
    assert_string_equal(fx->s.region.value, "eu-west-1");
}

static void test_region_missing(void **state)
{
    struct fixture *fx = *state;
    fx->opts.profile = "noregion";
    assert_int_equal(resolve(fx), VPCX_ERR_NO_REGION);
    assert_contains(fx->err.message, "noregion");
    assert_contains(fx->err.hint, "--region");
    assert_contains(fx->err.hint, "AWS_REGION");
    assert_contains(fx->err.hint, "AWS_DEFAULT_REGION");
    assert_contains(fx->err.hint, "region = ");
    assert_null(fx->s.region.value);
}

static void test_region_invalid(void **state)
{
    struct fixture *fx = *state;
    fx->opts.region = "us-east-1.evil.example/";
    assert_int_equal(resolve(fx), VPCX_ERR_CONFIG);
    assert_contains(fx->err.message, "invalid region");
}

/* ---- endpoints ---- */

static void test_endpoint_defaults(void **state)
{
    struct fixture *fx = *state;
    assert_int_equal(resolve(fx), VPCX_OK);
    assert_string_equal(fx->s.ec2_endpoint.value, "https://ec2.eu-west-1.amazonaws.com");
    assert_int_equal(fx->s.ec2_endpoint.source, AWS_SRC_DEFAULT);
    assert_string_equal(fx->s.sts_endpoint.value, "https://sts.eu-west-1.amazonaws.com");
    fx->opts.region = "cn-north-1";
    assert_int_equal(resolve(fx), VPCX_OK);
    assert_string_equal(fx->s.ec2_endpoint.value, "https://ec2.cn-north-1.amazonaws.com.cn");
    assert_string_equal(fx->s.sts_endpoint.value, "https://sts.cn-north-1.amazonaws.com.cn");
    /* region names: each partition's own pattern */
    const char *known[] = {"us-east-1",     "eu-central-2",   "il-central-1",   "cn-northwest-1",
                           "us-gov-west-1", "us-isob-east-1", "eusc-de-east-1", "mx-central-1"};
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        assert_true(aws_region_name_known(known[i]));
    const char *unknown[] = {"",           "us-east", "useast1",    "xx-east-1",
                             "eu-west-1a", "cn-1",    "us-east-1 ", "eu-west-1/x"};
    for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
        assert_false(aws_region_name_known(unknown[i]));
}

static void test_endpoint_variants(void **state)
{
    (void)state;
    /* the expected values were produced by botocore 1.43 */
    static const struct {
        const char *svc, *region;
        bool fips, dual;
        const char *url;
    } cases[] = {
        {"ec2", "us-east-1", false, true, "https://ec2.us-east-1.api.aws"},
        {"ec2", "us-east-1", true, false, "https://ec2-fips.us-east-1.amazonaws.com"},
        {"ec2", "us-east-1", true, true, "https://ec2-fips.us-east-1.api.aws"},
        {"sts", "eu-west-1", true, false, "https://sts-fips.eu-west-1.amazonaws.com"},
        {"ec2", "cn-north-1", false, true, "https://ec2.cn-north-1.api.amazonwebservices.com.cn"},
        {"ec2", "cn-north-1", true, false, "https://ec2-fips.cn-north-1.amazonaws.com.cn"},
        {"ec2", "us-gov-west-1", true, false, "https://ec2.us-gov-west-1.amazonaws.com"},
        {"sts", "us-gov-west-1", true, true, "https://sts-fips.us-gov-west-1.api.aws"},
        {"ec2", "us-iso-east-1", false, false, "https://ec2.us-iso-east-1.c2s.ic.gov"},
        {"ec2", "us-isob-east-1", true, false, "https://ec2-fips.us-isob-east-1.sc2s.sgov.gov"},
        {"sts", "eusc-de-east-1", false, true,
         "https://sts.eusc-de-east-1.api.amazonwebservices.eu"},
        {"ec2", "il-central-1", false, false, "https://ec2.il-central-1.amazonaws.com"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct vpcx_error err;
        vpcx_error_init(&err);
        char *url =
            aws_endpoint_default(cases[i].svc, cases[i].region, cases[i].fips, cases[i].dual, &err);
        assert_non_null(url);
        assert_string_equal(url, cases[i].url);
        free(url);
        vpcx_error_finish(&err);
    }
    struct vpcx_error err;
    vpcx_error_init(&err);
    assert_null(aws_endpoint_default("ec2", "us-isof-south-1", false, true, &err));
    assert_int_equal(err.status, VPCX_ERR_CONFIG);
    vpcx_error_finish(&err);
}

static void test_endpoint_fips_from_env_and_profile(void **state)
{
    struct fixture *fx = *state;
    fx->opts.profile = "fips"; /* use_fips_endpoint = TRUE, GovCloud */
    assert_int_equal(resolve(fx), VPCX_OK);
    assert_true(fx->s.use_fips);
    assert_string_equal(fx->s.ec2_endpoint.value, "https://ec2.us-gov-west-1.amazonaws.com");
    assert_contains(fx->s.ec2_endpoint.origin, "FIPS");
    fake_set(fx->f, "AWS_USE_FIPS_ENDPOINT", "false"); /* env decides over the profile */
    fake_set(fx->f, "AWS_USE_DUALSTACK_ENDPOINT", "true");
    assert_int_equal(resolve(fx), VPCX_OK);
    assert_false(fx->s.use_fips);
    assert_string_equal(fx->s.ec2_endpoint.value, "https://ec2.us-gov-west-1.api.aws");
}

static void test_endpoint_order(void **state)
{
    struct fixture *fx = *state;
    fx->opts.profile = "global";
    assert_int_equal(resolve(fx), VPCX_OK);
    assert_string_equal(fx->s.ec2_endpoint.value, "http://profile-global:2");
    assert_string_equal(fx->s.sts_endpoint.value, "http://profile-global:2");
    assert_int_equal(fx->s.ec2_endpoint.source, AWS_SRC_CONFIG);

    fx->opts.profile = "local"; /* services section beats the profile's endpoint_url */
    assert_int_equal(resolve(fx), VPCX_OK);
    assert_string_equal(fx->s.ec2_endpoint.value, "http://services-ec2:4566");
    assert_string_equal(fx->s.sts_endpoint.value, "http://services-sts:4566");
    assert_contains(fx->s.ec2_endpoint.origin, "[services emu] ec2.endpoint_url");

    fake_set(fx->f, "AWS_ENDPOINT_URL", "http://env-global:1");
    assert_int_equal(resolve(fx), VPCX_OK);
    assert_string_equal(fx->s.ec2_endpoint.value, "http://env-global:1");
    assert_string_equal(fx->s.sts_endpoint.value, "http://env-global:1");
    assert_string_equal(fx->s.ec2_endpoint.origin, "env AWS_ENDPOINT_URL");

    fake_set(fx->f, "AWS_ENDPOINT_URL_EC2", "http://env-ec2:1");
    assert_int_equal(resolve(fx), VPCX_OK);
    assert_string_equal(fx->s.ec2_endpoint.value, "http://env-ec2:1");
    assert_string_equal(fx->s.sts_endpoint.value, "http://env-global:1");

    fake_set(fx->f, "AWS_ENDPOINT_URL_STS", "https://env-sts:1");
    assert_int_equal(resolve(fx), VPCX_OK);
    assert_string_equal(fx->s.sts_endpoint.value, "https://env-sts:1");
    assert_string_equal(fx->s.sts_endpoint.origin, "env AWS_ENDPOINT_URL_STS");

    fx->opts.endpoint_url = "http://127.0.0.1:5000";
    assert_int_equal(resolve(fx), VPCX_OK);
    assert_string_equal(fx->s.ec2_endpoint.value, "http://127.0.0.1:5000");
    assert_string_equal(fx->s.sts_endpoint.value, "http://127.0.0.1:5000");
    assert_int_equal(fx->s.sts_endpoint.source, AWS_SRC_FLAG);
}

static void test_endpoint_ignore_configured(void **state)
{
    struct fixture *fx = *state;
    fx->opts.profile = "local";
    fake_set(fx->f, "AWS_ENDPOINT_URL", "http://env-global:1");
    fake_set(fx->f, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "True");
    assert_int_equal(resolve(fx), VPCX_OK);
    assert_string_equal(fx->s.ec2_endpoint.value, "https://ec2.us-east-1.amazonaws.com");
    assert_string_equal(fx->s.sts_endpoint.value, "https://sts.us-east-1.amazonaws.com");
    fx->opts.endpoint_url = "http://flag:1"; /* the flag is never ignored */
    assert_int_equal(resolve(fx), VPCX_OK);
    assert_string_equal(fx->s.ec2_endpoint.value, "http://flag:1");
}

static void test_endpoint_ignore_from_profile(void **state)
{
    (void)state;
    struct fake_env *f = fake_create("[default]\nregion = us-west-2\n"
                                     "endpoint_url = http://x:1\n"
                                     "ignore_configured_endpoint_urls = true\n",
                                     NULL);
    struct aws_settings s;
    struct vpcx_error err;
    vpcx_error_init(&err);
    assert_int_equal(aws_settings_resolve(NULL, &f->env, &s, &err), VPCX_OK);
    assert_string_equal(s.ec2_endpoint.value, "https://ec2.us-west-2.amazonaws.com");
    aws_settings_finish(&s);
    fake_set(f, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "false"); /* env beats profile */
    assert_int_equal(aws_settings_resolve(NULL, &f->env, &s, &err), VPCX_OK);
    assert_string_equal(s.ec2_endpoint.value, "http://x:1");
    aws_settings_finish(&s);
    vpcx_error_finish(&err);
    fake_destroy(f);
}

/* CloudWatch: host "monitoring", env AWS_ENDPOINT_URL_CLOUDWATCH, services key "cloudwatch". */
static void test_endpoint_cloudwatch(void **state)
{
    (void)state;
    struct fake_env *f = fake_create("[default]\nregion = eu-west-1\n"
                                     "[profile emu]\nregion = cn-north-1\nservices = emu\n"
                                     "[services emu]\ncloudwatch =\n"
                                     "  endpoint_url = http://services-cw:4566\n",
                                     NULL);
    struct aws_settings s;
    struct vpcx_error err;
    vpcx_error_init(&err);
    assert_int_equal(aws_settings_resolve(NULL, &f->env, &s, &err), VPCX_OK);
    assert_string_equal(s.monitoring_endpoint.value, "https://monitoring.eu-west-1.amazonaws.com");
    assert_int_equal(s.monitoring_endpoint.source, AWS_SRC_DEFAULT);
    aws_settings_finish(&s);
    const struct aws_options emu = {.profile = "emu"};
    assert_int_equal(aws_settings_resolve(&emu, &f->env, &s, &err), VPCX_OK);
    assert_string_equal(s.monitoring_endpoint.value, "http://services-cw:4566");
    assert_contains(s.monitoring_endpoint.origin, "cloudwatch.endpoint_url");
    assert_string_equal(s.ec2_endpoint.value, "https://ec2.cn-north-1.amazonaws.com.cn");
    aws_settings_finish(&s);
    fake_set(f, "AWS_ENDPOINT_URL_CLOUDWATCH", "http://env-cw:1");
    assert_int_equal(aws_settings_resolve(&emu, &f->env, &s, &err), VPCX_OK);
    assert_string_equal(s.monitoring_endpoint.value, "http://env-cw:1");
    assert_string_equal(s.monitoring_endpoint.origin, "env AWS_ENDPOINT_URL_CLOUDWATCH");
    aws_settings_finish(&s);
    const struct aws_options flag = {.endpoint_url = "http://127.0.0.1:5000"};
    assert_int_equal(aws_settings_resolve(&flag, &f->env, &s, &err), VPCX_OK);
    assert_string_equal(s.monitoring_endpoint.value, "http://127.0.0.1:5000");
    aws_settings_finish(&s);
    vpcx_error_finish(&err);
    fake_destroy(f);
}

static void test_endpoint_errors(void **state)
{
    struct fixture *fx = *state;
    fx->opts.profile = "broken";
    assert_int_equal(resolve(fx), VPCX_ERR_CONFIG);
    assert_contains(fx->err.message, "[services nosuch]");

    fx->opts.profile = "global";
    fake_set(fx->f, "AWS_USE_FIPS_ENDPOINT", "true");
    assert_int_equal(resolve(fx), VPCX_ERR_CONFIG);
    assert_contains(fx->err.message, "FIPS");

    fx->opts.profile = NULL;
    fx->opts.endpoint_url = "ftp://nope";
    fake_set(fx->f, "AWS_USE_FIPS_ENDPOINT", "false");
    assert_int_equal(resolve(fx), VPCX_ERR_CONFIG);
    assert_contains(fx->err.message, "http://");
}

/* ---- the rest ---- */

static void test_ca_bundle_and_retries(void **state)
{
    struct fixture *fx = *state;
    assert_int_equal(resolve(fx), VPCX_OK);
    assert_null(fx->s.ca_bundle.value);
    assert_int_equal(fx->s.ca_bundle.source, AWS_SRC_NONE);
    assert_int_equal(fx->s.max_attempts_n, 3);
    assert_int_equal(fx->s.max_attempts.source, AWS_SRC_DEFAULT);
    assert_string_equal(fx->s.retry_mode.value, "standard");

    fx->opts.profile = "dev";
    assert_int_equal(resolve(fx), VPCX_OK);
    assert_string_equal(fx->s.ca_bundle.value, "/etc/dev-ca.pem");
    assert_int_equal(fx->s.max_attempts_n, 7);
    assert_string_equal(fx->s.retry_mode.value, "adaptive");

    fake_set(fx->f, "AWS_CA_BUNDLE", "/env/ca.pem");
    fake_set(fx->f, "AWS_MAX_ATTEMPTS", "5");
    fake_set(fx->f, "AWS_RETRY_MODE", "legacy");
    assert_int_equal(resolve(fx), VPCX_OK);
    assert_string_equal(fx->s.ca_bundle.value, "/env/ca.pem");
    assert_int_equal(fx->s.max_attempts_n, 5);
    assert_string_equal(fx->s.retry_mode.origin, "env AWS_RETRY_MODE");

    fx->opts.ca_bundle = "/flag/ca.pem";
    assert_int_equal(resolve(fx), VPCX_OK);
    assert_string_equal(fx->s.ca_bundle.value, "/flag/ca.pem");

    fake_set(fx->f, "AWS_MAX_ATTEMPTS", "0");
    assert_int_equal(resolve(fx), VPCX_ERR_CONFIG);
    fake_set(fx->f, "AWS_MAX_ATTEMPTS", "3x");
    assert_int_equal(resolve(fx), VPCX_ERR_CONFIG);
    fake_set(fx->f, "AWS_MAX_ATTEMPTS", "2");
    fake_set(fx->f, "AWS_RETRY_MODE", "fast");
    assert_int_equal(resolve(fx), VPCX_ERR_CONFIG);
    assert_contains(fx->err.message, "fast");
}

static void test_file_env_overrides(void **state)
{
    struct fixture *fx = *state;
    char *alt = xasprintf("%s/alt-config", fx->f->dir);
    write_file(alt, "[profile alt]\nregion = me-south-1\n");
    char *tilde = xstrdup("~/alt-config");
    fake_set(fx->f, "AWS_CONFIG_FILE", tilde);
    fake_set(fx->f, "AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials");
    fx->opts.profile = "alt";
    assert_int_equal(resolve(fx), VPCX_OK);
    assert_string_equal(fx->s.config_path, alt);
    assert_string_equal(fx->s.region.value, "me-south-1");
    fx->opts.profile = "credsonly"; /* the default credentials file is no longer read */
    assert_int_equal(resolve(fx), VPCX_ERR_PROFILE_NOT_FOUND);
    unlink(alt);
    free(alt);
    free(tilde);
}

static void test_parse_error_is_reported(void **state)
{
    (void)state;
    struct fake_env *f = fake_create("[default]\nregion = us-east-1\noops\n", NULL);
    struct aws_settings s;
    struct vpcx_error err;
    vpcx_error_init(&err);
    assert_int_equal(aws_settings_resolve(NULL, &f->env, &s, &err), VPCX_ERR_CONFIG);
    char *where = xasprintf("%s:3:", f->config_path);
    assert_contains(err.message, where);
    free(where);
    aws_settings_finish(&s);
    vpcx_error_finish(&err);
    fake_destroy(f);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_profile_order),
        T(test_profile_only_in_credentials),
        T(test_profile_not_found),
        cmocka_unit_test(test_default_profile_may_be_missing),
        T(test_region_order),
        T(test_region_credentials_file_overrides_config),
        T(test_region_empty_env_is_unset),
        T(test_region_missing),
        T(test_region_invalid),
        T(test_endpoint_defaults),
        cmocka_unit_test(test_endpoint_variants),
        T(test_endpoint_fips_from_env_and_profile),
        T(test_endpoint_order),
        T(test_endpoint_ignore_configured),
        cmocka_unit_test(test_endpoint_ignore_from_profile),
        cmocka_unit_test(test_endpoint_cloudwatch),
        T(test_endpoint_errors),
        T(test_ca_bundle_and_retries),
        T(test_file_env_overrides),
        cmocka_unit_test(test_parse_error_is_reported),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
