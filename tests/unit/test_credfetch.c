/* The pure pieces of the HTTP credential sources: the container URL rules,
 * the IMDS settings and role listing, the metadata credentials document, the
 * token file, and the refresh windows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "vpcx/aws/container.h"
#include "vpcx/aws/credfetch.h"
#include "vpcx/aws/imds.h"
#include "vpcx/core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct env {
    const char *names[8];
    const char *values[8];
    int n;
};

static const char *env_get(void *ud, const char *name)
{
    const struct env *e = ud;
    for (int i = e->n - 1; i >= 0; i--)
        if (strcmp(e->names[i], name) == 0)
            return e->values[i];
    return NULL;
}

static void env_set(struct env *e, const char *name, const char *value)
{
    assert_true(e->n < 8);
    e->names[e->n] = name;
    e->values[e->n++] = value;
}

static void test_container_url_allowed(void **state)
{
    (void)state;
    static const char *const ok[] = {
        "https://creds.example.com/v1",
        "http://127.0.0.1:8080/creds",
        "http://127.1.2.3/x",
        "http://localhost/x",
        "http://[::1]:9/x",
        "http://169.254.170.2/v2/credentials/id",
        "http://169.254.170.23/v1/credentials",
        "http://[fd00:ec2::23]/v1/credentials",
        "HTTPS://anything.internal/",
    };
    static const char *const refused[] = {
        "http://169.254.169.254/latest",
        "http://192.0.2.1/creds",
        "http://example.com/creds",
        "http://169.254.170.3/",
        "http://[fd00:ec2::24]/",
        "ftp://127.0.0.1/",
        "not a url",
        "http://127.0.0.1.example.com/",
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
        if (!container_url_allowed(ok[i]))
            fail_msg("refused: %s", ok[i]);
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
        if (container_url_allowed(refused[i]))
            fail_msg("allowed: %s", refused[i]);
}

static void test_container_url(void **state)
{
    (void)state;
    struct env e = {0};
    const struct aws_env env = {.get = env_get, .ud = &e};
    struct vpcx_error err;
    vpcx_error_init(&err);
    char *url = (char *)"unset";
    assert_int_equal(container_url(&env, &url, &err), VPCX_OK);
    assert_null(url);
    env_set(&e, "AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://203.0.113.5/creds");
    assert_int_equal(container_url(&env, &url, &err), VPCX_ERR_CONFIG);
    assert_null(url);
    assert_non_null(strstr(err.message, "203.0.113.5"));
    env_set(&e, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "v2/credentials/x");
    assert_int_equal(container_url(&env, &url, &err), VPCX_OK);
    assert_string_equal(url, "http://169.254.170.2/v2/credentials/x");
    free(url);
    env_set(&e, "VPCX_CONTAINER_CREDENTIALS_BASE", "http://127.0.0.1:4242");
    env_set(&e, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/y");
    assert_int_equal(container_url(&env, &url, &err), VPCX_OK);
    assert_string_equal(url, "http://127.0.0.1:4242/v2/y");
    free(url);
    vpcx_error_finish(&err);
}

static void test_imds_config(void **state)
{
    (void)state;
    struct env e = {0};
    const struct aws_env env = {.get = env_get, .ud = &e};
    struct imds_config c;
    struct vpcx_error err;
    vpcx_error_init(&err);
    assert_int_equal(imds_config_resolve(&env, NULL, &c, &err), VPCX_OK);
    assert_false(c.disabled);
    assert_false(c.v1_disabled);
    assert_string_equal(c.endpoint, "http://169.254.169.254");
    imds_config_finish(&c);
    env_set(&e, "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv6");
    env_set(&e, "AWS_EC2_METADATA_DISABLED", "TRUE");
    env_set(&e, "AWS_EC2_METADATA_V1_DISABLED", "true");
    assert_int_equal(imds_config_resolve(&env, NULL, &c, &err), VPCX_OK);
    assert_string_equal(c.endpoint, "http://[fd00:ec2::254]");
    assert_true(c.disabled);
    assert_true(c.v1_disabled);
    imds_config_finish(&c);
    /* an explicit endpoint wins over the mode; trailing slashes go */
    env_set(&e, "AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:1338//");
    assert_int_equal(imds_config_resolve(&env, NULL, &c, &err), VPCX_OK);
    assert_string_equal(c.endpoint, "http://127.0.0.1:1338");
    imds_config_finish(&c);
    env_set(&e, "AWS_EC2_METADATA_SERVICE_ENDPOINT", "169.254.169.254");
    assert_int_equal(imds_config_resolve(&env, NULL, &c, &err), VPCX_ERR_CONFIG);
    imds_config_finish(&c);
    env_set(&e, "AWS_EC2_METADATA_SERVICE_ENDPOINT", "");
    env_set(&e, "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv5");
    assert_int_equal(imds_config_resolve(&env, NULL, &c, &err), VPCX_ERR_CONFIG);
    assert_non_null(strstr(err.message, "IPv5"));
    imds_config_finish(&c);
    vpcx_error_finish(&err);
}

static void test_imds_role_name(void **state)
{
    (void)state;
    char *r = imds_role_name("web-bastion\n");
    assert_string_equal(r, "web-bastion");
    free(r);
    r = imds_role_name("  Role_1+=,.@-\r\nsecond\n");
    assert_string_equal(r, "Role_1+=,.@-");
    free(r);
    assert_null(imds_role_name(""));
    assert_null(imds_role_name("\n\n"));
    assert_null(imds_role_name("../../latest/user-data"));
    assert_null(imds_role_name("role?x=1"));
    assert_null(imds_role_name("role name"));
    char long_name[80];
    memset(long_name, 'a', sizeof(long_name) - 1);
    long_name[sizeof(long_name) - 1] = '\0';
    assert_null(imds_role_name(long_name));
}

static enum vpcx_status parse(const char *doc, struct aws_credentials *c, struct vpcx_error *err)
{
    aws_credentials_finish(c);
    vpcx_error_finish(err);
    return credfetch_parse_json(doc, strlen(doc), "instance role r (IMDSv2)", c, err);
}

static void test_parse_json(void **state)
{
    (void)state;
    struct aws_credentials c;
    aws_credentials_init(&c);
    struct vpcx_error err;
    vpcx_error_init(&err);
    assert_int_equal(parse("{\"Code\":\"Success\",\"Type\":\"AWS-HMAC\",\"AccessKeyId\":\"ASIA1\","
                           "\"SecretAccessKey\":\"SecretS3\",\"Token\":\"TokT\","
                           "\"Expiration\":\"2031-01-02T03:04:05Z\"}",
                           &c, &err),
                     VPCX_OK);
    assert_string_equal(c.access_key_id, "ASIA1");
    assert_string_equal(c.secret_access_key, "SecretS3");
    assert_string_equal(c.session_token, "TokT");
    assert_int_equal((long long)c.expiration, 1925089445LL);
    /* the container document has no Code */
    assert_int_equal(parse("{\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"S\",\"Token\":\"T\","
                           "\"Expiration\":\"2031-01-02T03:04:05+00:00\",\"RoleArn\":\"r\"}",
                           &c, &err),
                     VPCX_OK);
    assert_int_equal(parse("{\"Code\":\"Failure\",\"AccessKeyId\":\"A\"}", &c, &err),
                     VPCX_ERR_NO_CREDENTIALS);
    assert_non_null(strstr(err.message, "Failure"));
    assert_int_equal(parse("{\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"SecretLeak\","
                           "\"Expiration\":\"2031-01-02T03:04:05Z\"}",
                           &c, &err),
                     VPCX_ERR_PARSE);
    assert_non_null(strstr(err.message, "Token"));
    assert_null(strstr(err.message, "SecretLeak"));
    assert_int_equal(parse("{\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"S\",\"Token\":\"T\","
                           "\"Expiration\":\"soon\"}",
                           &c, &err),
                     VPCX_ERR_PARSE);
    assert_non_null(strstr(err.message, "Expiration"));
    assert_int_equal(parse("{\"code\":\"AccessDeniedException\",\"message\":\"bad \\u001b[31m"
                           "token\"}",
                           &c, &err),
                     VPCX_ERR_PARSE);
    assert_non_null(strstr(err.message, "bad"));
    assert_null(strchr(err.message, '\033'));
    assert_int_equal(parse("[1,2]", &c, &err), VPCX_ERR_PARSE);
    assert_int_equal(parse("", &c, &err), VPCX_ERR_PARSE);
    aws_credentials_finish(&c);
    vpcx_error_finish(&err);
}

static void test_read_token(void **state)
{
    (void)state;
    char path[] = "/tmp/vpcx-test-token-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "  tok-123\n", 10), 10);
    close(fd);
    struct vpcx_error err;
    vpcx_error_init(&err);
    char *t = credfetch_read_token(path, "the web identity token file", 64, &err);
    assert_string_equal(t, "tok-123");
    free(t);
    assert_null(credfetch_read_token(path, "the web identity token file", 4, &err));
    assert_int_equal(err.status, VPCX_ERR_TOO_LARGE);
    FILE *f = fopen(path, "w");
    fputs(" \n", f);
    fclose(f);
    assert_null(credfetch_read_token(path, "the web identity token file", 64, &err));
    assert_non_null(strstr(err.message, "empty"));
    unlink(path);
    assert_null(credfetch_read_token(path, "the web identity token file", 64, &err));
    assert_int_equal(err.status, VPCX_ERR_IO);
    assert_non_null(strstr(err.message, "web identity token file"));
    vpcx_error_finish(&err);
}

static void test_refresh_windows(void **state)
{
    (void)state;
    const time_t now = 1900000000;
    struct aws_credentials c;
    aws_credentials_init(&c);
    assert_int_equal(aws_credentials_refresh_due(&c, now), AWS_REFRESH_NONE); /* no expiry */
    c.expiration = now + 15 * 60 + 1;
    assert_int_equal(aws_credentials_refresh_due(&c, now), AWS_REFRESH_NONE);
    c.expiration = now + 15 * 60;
    assert_int_equal(aws_credentials_refresh_due(&c, now), AWS_REFRESH_ADVISORY);
    c.expiration = now + 10 * 60 + 1;
    assert_int_equal(aws_credentials_refresh_due(&c, now), AWS_REFRESH_ADVISORY);
    c.expiration = now + 10 * 60;
    assert_int_equal(aws_credentials_refresh_due(&c, now), AWS_REFRESH_MANDATORY);
    c.expiration = now - 5;
    assert_int_equal(aws_credentials_refresh_due(&c, now), AWS_REFRESH_MANDATORY);
}

static void check_left(long long seconds, const char *want)
{
    const time_t now = 1900000000;
    char *got = aws_format_time_left(now + (time_t)seconds, now);
    assert_string_equal(got, want);
    free(got);
}

static void test_time_left(void **state)
{
    (void)state;
    check_left(-1, "expired");
    check_left(0, "expired");
    check_left(40, "40 s");
    check_left(60, "1 min");
    check_left(14 * 60 + 59, "14 min");
    check_left(5 * 3600 + 12 * 60 + 30, "5 h 12 min");
    check_left(6 * 3600, "6 h");
    check_left(47 * 3600 + 59 * 60, "47 h 59 min");
    check_left(3 * 86400 + 5 * 3600, "3 d 5 h");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_container_url_allowed),
        cmocka_unit_test(test_container_url),
        cmocka_unit_test(test_imds_config),
        cmocka_unit_test(test_imds_role_name),
        cmocka_unit_test(test_parse_json),
        cmocka_unit_test(test_read_token),
        cmocka_unit_test(test_refresh_windows),
        cmocka_unit_test(test_time_left),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
