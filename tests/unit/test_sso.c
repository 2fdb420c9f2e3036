#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "vpcx/aws/credinfo.h"
#include "vpcx/aws/login.h"
#include "vpcx/aws/sso.h"
#include "vpcx/core/xalloc.h"

#include "testutil.h"

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- a fake environment ---- */

struct fake_env {
    const char *names[8];
    const char *values[8];
    int n;
    struct aws_env env;
};

static const char *fake_get(void *ud, const char *name)
{
    struct fake_env *fe = ud;
    for (int i = fe->n - 1; i >= 0; i--)
        if (strcmp(fe->names[i], name) == 0)
            return fe->values[i];
    return NULL;
}

static void fake_env_init(struct fake_env *fe)
{
    memset(fe, 0, sizeof(*fe));
    fe->env.get = fake_get;
    fe->env.ud = fe;
}

static void fake_set(struct fake_env *fe, const char *name, const char *value)
{
    assert_true(fe->n < 8);
    fe->names[fe->n] = name;
    fe->values[fe->n] = value;
    fe->n++;
}

/* ---- cache file names ---- */

/* Expected digests from Python's hashlib, as botocore computes them. */
static void test_sha1_names(void **state)
{
    (void)state;
    char hex[41];
    aws_sso_sha1_hex("corp", hex);
    assert_string_equal(hex, "ee0bfd2552fbd840c02cc48b6e823320543c450f");
    aws_sso_sha1_hex("https://my-sso-portal.awsapps.com/start", hex);
    assert_string_equal(hex, "c7aaaf71fcc8777ae2475525ed049d39fe16c484");
    struct aws_sso_profile p = {.session = "corp", .start_url = "https://x"};
    assert_string_equal(aws_sso_profile_key(&p), "corp");
    p.session = NULL;
    assert_string_equal(aws_sso_profile_key(&p), "https://x");
}

static void test_login_cache_path(void **state)
{
    (void)state;
    struct fake_env fe;
    fake_env_init(&fe);
    assert_null(aws_login_cache_path(&fe.env, "x"));
    fake_set(&fe, "HOME", "/home/me");
    char *p = aws_login_cache_path(&fe.env, "arn:aws:iam::0123456789012:user/Admin");
    assert_string_equal(p, "/home/me/.aws/login/cache/"
                           "36db1d138ff460920374e4c3d8e01f53f9f73537e89c88d639f68393df0e2726.json");
    free(p);
    fake_set(&fe, "AWS_LOGIN_CACHE_DIRECTORY", "~/elsewhere");
    p = aws_login_cache_path(&fe.env, "arn:aws:iam::0123456789012:user/Admin");
    assert_string_equal(p, "/home/me/elsewhere/"
                           "36db1d138ff460920374e4c3d8e01f53f9f73537e89c88d639f68393df0e2726.json");
    free(p);
}

/* ---- token files ---- */

static const char *full_token =
    "{\"startUrl\": \"https://x\", \"region\": \"eu-west-1\", \"accessToken\": \"AT1\", "
    "\"expiresAt\": \"2026-11-26T13:00:00Z\", \"clientId\": \"cid\", \"clientSecret\": \"cs\", "
    "\"registrationExpiresAt\": \"2027-01-01T00:00:00Z\", \"refreshToken\": \"RT1\", "
    "\"other\": [1, 2]}";

static void test_token_parse(void **state)
{
    (void)state;
    struct aws_sso_token t;
    struct vpcx_error err;
    vpcx_error_init(&err);
    assert_int_equal(aws_sso_token_parse(full_token, strlen(full_token), "f", &t, &err), VPCX_OK);
    assert_string_equal(t.access_token, "AT1");
    assert_int_equal(t.expires_at, 1795698000);
    assert_string_equal(t.refresh_token, "RT1");
    assert_string_equal(t.client_id, "cid");
    assert_string_equal(t.client_secret, "cs");
    assert_true(aws_sso_token_refreshable(&t, 1795698000));
    /* the registration has expired: no refresh */
    assert_false(aws_sso_token_refreshable(&t, 1900000000));
    aws_sso_token_finish(&t);

    static const char *const bad[][2] = {
        {"[]", "not a JSON object"},
        {"{\"expiresAt\": \"2026-11-26T13:00:00Z\"}", "accessToken"},
        {"{\"accessToken\": \"A\"}", "expiresAt"},
        {"{\"accessToken\": \"A\", \"expiresAt\": \"soon\"}", "expiresAt"},
        {"{\"accessToken\": \"\", \"expiresAt\": \"2026-11-26T13:00:00Z\"}", "accessToken"},
        {"{\"accessToken\": \"A\", \"expiresAt\": \"2026-11-26T13:00:00Z\", "
         "\"registrationExpiresAt\": 5}",
         NULL},
        {"{\"accessToken\": \"A\", \"expiresAt\": \"2026-11-26T13:00:00Z\", "
         "\"registrationExpiresAt\": \"x\"}",
         "registrationExpiresAt"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        enum vpcx_status st = aws_sso_token_parse(bad[i][0], strlen(bad[i][0]), "f", &t, &err);
        if (!bad[i][1]) {
            /* a non-string registration time is absent: no refresh */
            assert_int_equal(st, VPCX_OK);
            assert_false(aws_sso_token_refreshable(&t, 0));
            aws_sso_token_finish(&t);
            continue;
        }
        assert_int_equal(st, VPCX_ERR_PARSE);
        assert_non_null(strstr(err.message, bad[i][1]));
        assert_null(t.doc);
    }
    /* no refresh token: not refreshable */
    const char *plain = "{\"accessToken\": \"A\", \"expiresAt\": \"2026-11-26T13:00:00Z\"}";
    assert_int_equal(aws_sso_token_parse(plain, strlen(plain), "f", &t, &err), VPCX_OK);
    assert_false(aws_sso_token_refreshable(&t, 0));
    aws_sso_token_finish(&t);
    vpcx_error_finish(&err);
}

static void test_token_apply_and_save(void **state)
{
    (void)state;
    struct aws_sso_token t;
    struct vpcx_error err;
    vpcx_error_init(&err);
    assert_int_equal(aws_sso_token_parse(full_token, strlen(full_token), "f", &t, &err), VPCX_OK);
    struct aws_sso_profile p = {.start_url = "https://x", .region = "eu-west-1"};
    cJSON *answer = cJSON_Parse("{\"accessToken\": \"AT2\", \"expiresIn\": 3600, "
                                "\"refreshToken\": \"RT2\", \"tokenType\": \"Bearer\"}");
    assert_int_equal(aws_sso_token_apply(&t, answer, &p, 1795698000, &err), VPCX_OK);
    cJSON_Delete(answer);
    assert_string_equal(t.access_token, "AT2");
    assert_string_equal(t.refresh_token, "RT2");
    assert_int_equal(t.expires_at, 1795698000 + 3600);

    const char *tmp = getenv("TMPDIR");
    char *dir = xasprintf("%s/vpcx-test-sso-XXXXXX", tmp ? tmp : "/tmp");
    assert_non_null(mkdtemp(dir));
    char *path = xasprintf("%s/token.json", dir);
    assert_int_equal(aws_sso_token_save(path, &t, &err), VPCX_OK);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    size_t len;
    char *text = test_read_file(path, &len);
    struct aws_sso_token back;
    assert_int_equal(aws_sso_token_parse(text, len, "f", &back, &err), VPCX_OK);
    assert_string_equal(back.access_token, "AT2");
    assert_string_equal(back.client_secret, "cs");
    assert_int_equal(back.expires_at, 1795698000 + 3600);
    assert_non_null(strstr(text, "\"expiresAt\":\"2026-11-26T14:00:00Z\""));
    assert_non_null(strstr(text, "\"other\":[1,2]"));
    aws_sso_token_finish(&back);
    free(text);
    /* only the file itself: no temp file left behind */
    DIR *d = opendir(dir);
    int entries = 0;
    for (struct dirent *e = readdir(d); e; e = readdir(d))
        entries += e->d_name[0] != '.';
    closedir(d);
    assert_int_equal(entries, 1);
    /* a directory that cannot be written to */
    char *bad = xasprintf("%s/missing/token.json", dir);
    assert_int_equal(aws_sso_token_save(bad, &t, &err), VPCX_ERR_IO);
    assert_non_null(strstr(err.message, bad));
    free(bad);

    /* an expiresIn no token has (a time_t overflow) is refused */
    answer = cJSON_Parse("{\"accessToken\": \"AT3\", \"expiresIn\": 1e300}");
    assert_int_equal(aws_sso_token_apply(&t, answer, &p, 0, &err), VPCX_ERR_PARSE);
    cJSON_Delete(answer);
    /* the answer may be the document itself */
    assert_int_equal(cJSON_AddNumberToObject(t.doc, "expiresIn", 60) != NULL, 1);
    assert_int_equal(aws_sso_token_apply(&t, t.doc, &p, 100, &err), VPCX_OK);
    assert_string_equal(t.access_token, "AT2");
    assert_int_equal(t.expires_at, 160);
    /* an answer without a token changes nothing */
    answer = cJSON_Parse("{\"expiresIn\": 3600}");
    assert_int_equal(aws_sso_token_apply(&t, answer, &p, 0, &err), VPCX_ERR_PARSE);
    cJSON_Delete(answer);
    assert_string_equal(t.access_token, "AT2");
    aws_sso_token_finish(&t);
    unlink(path);
    rmdir(dir);
    free(path);
    free(dir);
    vpcx_error_finish(&err);
}

static void test_login_needed_message(void **state)
{
    (void)state;
    struct vpcx_error err;
    vpcx_error_init(&err);
    struct aws_sso_profile p = {.profile = "dev", .session = "corp", .start_url = "https://x"};
    assert_int_equal(aws_sso_login_needed(&p, "no cached token", &err), VPCX_ERR_EXPIRED);
    assert_string_equal(err.message, "IAM Identity Center session corp: no cached token");
    assert_string_equal(err.hint,
                        "run: aws sso login --profile dev (or aws sso login --sso-session corp)");
    p.session = NULL;
    aws_sso_login_needed(&p, "expired", &err);
    assert_string_equal(err.hint, "run: aws sso login --profile dev");
    vpcx_error_finish(&err);
}

/* Only an authentication failure whose hint is a sign-in opens the dialog. */
static void test_needs_login(void **state)
{
    (void)state;
    struct vpcx_error err;
    vpcx_error_init(&err);
    assert_false(aws_error_needs_login(NULL));
    struct aws_sso_profile p = {.profile = "dev", .session = "corp", .start_url = "https://x"};
    aws_sso_login_needed(&p, "expired", &err);
    assert_true(aws_error_needs_login(&err));
    vpcx_error_set(&err, VPCX_ERR_EXPIRED, "console session expired");
    vpcx_error_set_hint(&err, "run: aws login --profile dev");
    assert_true(aws_error_needs_login(&err));
    vpcx_error_set(&err, VPCX_ERR_NETWORK, "connection refused");
    vpcx_error_set_hint(&err, "run: aws login --profile dev");
    assert_false(aws_error_needs_login(&err));
    vpcx_error_set(&err, VPCX_ERR_EXPIRED, "expired");
    vpcx_error_set_hint(&err, "run aws configure");
    assert_false(aws_error_needs_login(&err));
    vpcx_error_finish(&err);
}

/* ---- aws login sessions ---- */

static char *login_doc(const char *expires, const char *drop)
{
    return xasprintf("{\"accessToken\": {\"accessKeyId\": \"ASIALOGIN\", \"secretAccessKey\": "
                     "\"ls\", \"sessionToken\": \"lt\", \"accountId\": \"111122223333\", "
                     "\"expiresAt\": \"%s\"}, \"tokenType\": \"aws_sigv4\", %s\"refreshToken\": "
                     "\"r\", \"clientId\": \"c\"}",
                     expires, drop && strcmp(drop, "dpopKey") == 0 ? "" : "\"dpopKey\": \"k\", ");
}

static void test_login_parse(void **state)
{
    (void)state;
    struct aws_credentials c;
    aws_credentials_init(&c);
    struct vpcx_error err;
    vpcx_error_init(&err);
    char *doc = login_doc("2026-11-26T13:00:00Z", NULL);
    assert_int_equal(
        aws_login_parse(doc, strlen(doc), "f", "dev", "me", 1795697000, &c, NULL, &err), VPCX_OK);
    assert_string_equal(c.access_key_id, "ASIALOGIN");
    assert_string_equal(c.session_token, "lt");
    assert_int_equal(c.expiration, 1795698000);
    assert_int_equal(c.source, AWS_SRC_LOGIN);
    assert_string_equal(c.origin, "login: session me, account 111122223333");
    /* expired: the hint says aws login */
    assert_int_equal(
        aws_login_parse(doc, strlen(doc), "f", "dev", "me", 1795698000, &c, NULL, &err),
        VPCX_ERR_EXPIRED);
    assert_string_equal(err.hint, "run: aws login --profile dev");
    /* within 5 minutes of expiry, or expired: stale, for the chain to refresh */
    bool stale = false;
    assert_int_equal(
        aws_login_parse(doc, strlen(doc), "f", "dev", "me", 1795697000, &c, &stale, &err), VPCX_OK);
    assert_false(stale);
    assert_int_equal(
        aws_login_parse(doc, strlen(doc), "f", "dev", "me", 1795697800, &c, &stale, &err), VPCX_OK);
    assert_true(stale);
    assert_int_equal(
        aws_login_parse(doc, strlen(doc), "f", "dev", "me", 1795699000, &c, &stale, &err), VPCX_OK);
    assert_true(stale);
    free(doc);
    doc = login_doc("2026-11-26T13:00:00Z", "dpopKey");
    assert_int_equal(aws_login_parse(doc, strlen(doc), "f", "dev", "me", 0, &c, NULL, &err),
                     VPCX_ERR_NO_CREDENTIALS);
    assert_non_null(strstr(err.message, "lacks dpopKey"));
    free(doc);
    doc = login_doc("later", NULL);
    assert_int_equal(aws_login_parse(doc, strlen(doc), "f", "dev", "me", 0, &c, NULL, &err),
                     VPCX_ERR_PARSE);
    free(doc);
    assert_int_equal(aws_login_parse("{}", 2, "f", "dev", "me", 0, &c, NULL, &err),
                     VPCX_ERR_NO_CREDENTIALS);
    assert_non_null(strstr(err.message, "lacks accessToken"));
    aws_credentials_finish(&c);
    vpcx_error_finish(&err);
}

/* ---- the DPoP proof ---- */

static unsigned char *b64url_decode(const char *s, size_t len, int *out_len)
{
    char *std = xmalloc(len + 4);
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        std[n++] = s[i] == '-' ? '+' : s[i] == '_' ? '/' : s[i];
    while (n % 4)
        std[n++] = '=';
    unsigned char *out = xmalloc(n);
    int m = EVP_DecodeBlock(out, (unsigned char *)std, (int)n);
    for (size_t i = n; i > 0 && std[i - 1] == '='; i--)
        m--;
    free(std);
    *out_len = m;
    return out;
}

static cJSON *jwt_part(const char *start, const char *end)
{
    int n;
    unsigned char *raw = b64url_decode(start, (size_t)(end - start), &n);
    cJSON *doc = cJSON_ParseWithLength((const char *)raw, (size_t)n);
    free(raw);
    return doc;
}

/* The proof verifies with the key's public half: header, claims, ES256. */
static void test_dpop(void **state)
{
    (void)state;
    EVP_PKEY *key = EVP_EC_gen("P-256");
    assert_non_null(key);
    BIO *bio = BIO_new(BIO_s_mem());
    assert_true(PEM_write_bio_PrivateKey_traditional(bio, key, NULL, NULL, 0, NULL, NULL));
    char *pem_data;
    long pem_len = BIO_get_mem_data(bio, &pem_data);
    char *pem = xstrndup(pem_data, (size_t)pem_len);
    BIO_free(bio);
    assert_non_null(strstr(pem, "BEGIN EC PRIVATE KEY"));
    struct vpcx_error err;
    vpcx_error_init(&err);
    char *jwt = aws_login_dpop(pem, "https://us-east-1.signin.aws.amazon.com/v1/token", 1795698000,
                               "jti-1", &err);
    assert_non_null(jwt);
    char *dot1 = strchr(jwt, '.'), *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
    assert_non_null(dot2);
    cJSON *header = jwt_part(jwt, dot1), *claims = jwt_part(dot1 + 1, dot2);
    assert_string_equal(cJSON_GetObjectItem(header, "typ")->valuestring, "dpop+jwt");
    assert_string_equal(cJSON_GetObjectItem(header, "alg")->valuestring, "ES256");
    cJSON *jwk = cJSON_GetObjectItem(header, "jwk");
    assert_string_equal(cJSON_GetObjectItem(jwk, "crv")->valuestring, "P-256");
    assert_int_equal(strlen(cJSON_GetObjectItem(jwk, "x")->valuestring), 43);
    assert_string_equal(cJSON_GetObjectItem(claims, "htm")->valuestring, "POST");
    assert_string_equal(cJSON_GetObjectItem(claims, "htu")->valuestring,
                        "https://us-east-1.signin.aws.amazon.com/v1/token");
    assert_int_equal(cJSON_GetObjectItem(claims, "iat")->valuedouble, 1795698000);
    assert_string_equal(cJSON_GetObjectItem(claims, "jti")->valuestring, "jti-1");
    cJSON_Delete(header);
    cJSON_Delete(claims);
    /* r || s back to DER, verified over "header.claims" */
    int n;
    unsigned char *raw = b64url_decode(dot2 + 1, strlen(dot2 + 1), &n);
    assert_int_equal(n, 64);
    ECDSA_SIG *sig = ECDSA_SIG_new();
    ECDSA_SIG_set0(sig, BN_bin2bn(raw, 32, NULL), BN_bin2bn(raw + 32, 32, NULL));
    unsigned char *der = NULL;
    int der_len = i2d_ECDSA_SIG(sig, &der);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    assert_int_equal(EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, key), 1);
    assert_int_equal(
        EVP_DigestVerify(ctx, der, (size_t)der_len, (unsigned char *)jwt, (size_t)(dot2 - jwt)), 1);
    EVP_MD_CTX_free(ctx);
    OPENSSL_free(der);
    ECDSA_SIG_free(sig);
    free(raw);
    free(jwt);
    /* a key that is not P-256 is refused */
    assert_null(aws_login_dpop("-----BEGIN EC PRIVATE KEY-----\nAA==\n-----END EC PRIVATE "
                               "KEY-----\n",
                               "https://x/v1/token", 0, "j", &err));
    assert_non_null(strstr(err.message, "P-256"));
    free(pem);
    EVP_PKEY_free(key);
    vpcx_error_finish(&err);
}

/* ---- whoami's line ---- */

static void test_describe(void **state)
{
    (void)state;
    struct aws_credentials c;
    aws_credentials_init(&c);
    c.origin = xstrdup("sso: session corp, account 111122223333, role ReadOnly");
    c.expiration = 1000 + 52 * 60 + 30;
    char *line = aws_credentials_describe(&c, 1000);
    assert_string_equal(
        line, "sso: session corp, account 111122223333, role ReadOnly, expires in 52 min");
    free(line);
    c.expiration = 0;
    line = aws_credentials_describe(&c, 1000);
    assert_string_equal(line, "sso: session corp, account 111122223333, role ReadOnly");
    free(line);
    aws_credentials_finish(&c);
    static const struct {
        long long delta;
        const char *want;
    } cases[] = {
        {45, "expires in 45 s"},          {3 * 3600 + 300, "expires in 3 h 5 min"},
        {119 * 60, "expires in 119 min"}, {-30, "expired 30 s ago"},
        {-180, "expired 3 min ago"},      {0, "expired 0 s ago"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *s = aws_expiry_describe((time_t)(5000 + cases[i].delta), 5000);
        assert_string_equal(s, cases[i].want);
        free(s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha1_names),
        cmocka_unit_test(test_login_cache_path),
        cmocka_unit_test(test_token_parse),
        cmocka_unit_test(test_token_apply_and_save),
        cmocka_unit_test(test_login_needed_message),
        cmocka_unit_test(test_login_parse),
        cmocka_unit_test(test_describe),
        cmocka_unit_test(test_dpop),
        cmocka_unit_test(test_needs_login),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
