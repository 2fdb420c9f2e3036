/*
 * SigV4 against the vectors in $VPCX_TESTDATA/sigv4: the AWS suite (v4/, header
 * and presigned forms) and botocore-signed EC2/STS requests (generated-ec2/).
 * Every case folder is read at run time; request.txt is parsed here, signed,
 * and every expected file is compared byte for byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "vpcx/aws/sigv4.h"
#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"

#include "testutil.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* ---- files ---- */

static char *case_file_read(const char *dir, const char *name, size_t *len)
{
    char *path = xasprintf("%s/%s", dir, name);
    char *text = test_read_file(path, len);
    free(path);
    return text;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Subdirectories of dir holding a context.json, sorted; returns the count. */
static size_t case_dirs_list(const char *dir, char ***out)
{
    DIR *d = opendir(dir);
    size_t n = 0;
    *out = NULL;
    if (!d)
        return 0;
    for (struct dirent *e = readdir(d); e; e = readdir(d)) {
        if (e->d_name[0] == '.')
            continue;
        char *ctx = xasprintf("%s/%s/context.json", dir, e->d_name);
        struct stat st;
        if (stat(ctx, &st) == 0) {
            *out = xreallocarray(*out, n + 1, sizeof(**out));
            (*out)[n++] = xasprintf("%s/%s", dir, e->d_name);
        }
        free(ctx);
    }
    closedir(d);
    qsort(*out, n, sizeof(**out), name_cmp);
    return n;
}

/* ---- request.txt ---- */

struct parsed_request {
    char *method, *target, *version, *path, *query;
    char **names, **values;
    size_t n_headers;
    char *body;
    size_t body_len;
};

static void parsed_request_finish(struct parsed_request *r)
{
    for (size_t i = 0; i < r->n_headers; i++) {
        free(r->names[i]);
        free(r->values[i]);
    }
    free(r->names);
    free(r->values);
    free(r->method);
    free(r->target);
    free(r->version);
    free(r->path);
    free(r->query);
    free(r->body);
}

static bool request_line_parse(struct parsed_request *r, const char *line, size_t len)
{
    const char *sp1 = memchr(line, ' ', len);
    const char *sp2 = line + len;
    while (sp2 > line && sp2[-1] != ' ')
        sp2--;
    if (!sp1 || sp2 <= sp1 + 1)
        return false;
    r->method = xstrndup(line, (size_t)(sp1 - line));
    r->target = xstrndup(sp1 + 1, (size_t)(sp2 - 1 - (sp1 + 1)));
    r->version = xstrndup(sp2, (size_t)(line + len - sp2));
    char *q = strchr(r->target, '?');
    r->path = q ? xstrndup(r->target, (size_t)(q - r->target)) : xstrdup(r->target);
    r->query = q ? xstrdup(q + 1) : NULL;
    return true;
}

/* A folded line stays in the value after '\n', so printing name:value restores it. */
static bool header_line_parse(struct parsed_request *r, const char *line, size_t len)
{
    if (line[0] == ' ' || line[0] == '\t') {
        if (!r->n_headers)
            return false;
        char **v = &r->values[r->n_headers - 1];
        char *joined = xasprintf("%s\n%.*s", *v, (int)len, line);
        free(*v);
        *v = joined;
        return true;
    }
    const char *colon = memchr(line, ':', len);
    if (!colon)
        return false;
    r->names = xreallocarray(r->names, r->n_headers + 1, sizeof(char *));
    r->values = xreallocarray(r->values, r->n_headers + 1, sizeof(char *));
    r->names[r->n_headers] = xstrndup(line, (size_t)(colon - line));
    r->values[r->n_headers] = xstrndup(colon + 1, (size_t)(line + len - colon - 1));
    r->n_headers++;
    return true;
}

static bool request_parse(const char *text, size_t len, struct parsed_request *r)
{
    memset(r, 0, sizeof(*r));
    const char *p = text;
    const char *end = text + len;
    bool first = true;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t line_len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        const char *next = nl ? nl + 1 : end;
        if (!first && line_len == 0) {
            p = next;
            break;
        }
        bool ok = first ? request_line_parse(r, p, line_len) : header_line_parse(r, p, line_len);
        if (!ok)
            return false;
        first = false;
        p = next;
    }
    r->body_len = (size_t)(end - p);
    r->body = xstrndup(p, r->body_len);
    return !first;
}

/* ---- context.json ---- */

struct case_context {
    char *akid, *secret, *token, *region, *service, *signed_headers;
    time_t now;
    bool normalize, sign_body, omit_token;
    unsigned expires;
};

static char *json_str(const cJSON *obj, const char *key)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(item) ? xstrdup(item->valuestring) : NULL;
}

static bool json_bool(const cJSON *obj, const char *key, bool dflt)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsBool(item) ? cJSON_IsTrue(item) : dflt;
}

static bool timestamp_parse(const char *s, time_t *out)
{
    struct tm tm = {0};
    if (!s || sscanf(s, "%d-%d-%dT%d:%d:%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                     &tm.tm_min, &tm.tm_sec) != 6)
        return false;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    *out = timegm(&tm);
    return true;
}

static bool context_load(const char *dir, struct case_context *c)
{
    memset(c, 0, sizeof(*c));
    char *text = case_file_read(dir, "context.json", NULL);
    cJSON *root = text ? cJSON_Parse(text) : NULL;
    free(text);
    if (!root)
        return false;
    const cJSON *cred = cJSON_GetObjectItemCaseSensitive(root, "credentials");
    c->akid = json_str(cred, "access_key_id");
    c->secret = json_str(cred, "secret_access_key");
    c->token = json_str(cred, "token");
    c->region = json_str(root, "region");
    c->service = json_str(root, "service");
    c->signed_headers = json_str(root, "signed_headers");
    c->normalize = json_bool(root, "normalize", true);
    c->sign_body = json_bool(root, "sign_body", false);
    c->omit_token = json_bool(root, "omit_session_token", false);
    const cJSON *exp = cJSON_GetObjectItemCaseSensitive(root, "expiration_in_seconds");
    c->expires = cJSON_IsNumber(exp) ? (unsigned)exp->valuedouble : 0;
    char *ts = json_str(root, "timestamp");
    bool ok = timestamp_parse(ts, &c->now) && c->akid && c->secret && c->region && c->service;
    free(ts);
    cJSON_Delete(root);
    return ok;
}

static void context_finish(struct case_context *c)
{
    free(c->akid);
    free(c->secret);
    free(c->token);
    free(c->region);
    free(c->service);
    free(c->signed_headers);
}

/* ---- one case ---- */

struct suite {
    const char *subdir;
    const char *header_prefix; /* "header-" (AWS suite) or "" (generated-ec2) */
    bool token_before_date;    /* order of added headers in signed-request.txt */
    bool presign;              /* also check the query-* files */
};

/* Compares after removing one trailing newline from each side (see README). */
static bool text_matches(const char *dir, const char *name, const char *actual, size_t actual_len)
{
    size_t exp_len = 0;
    char *expected = case_file_read(dir, name, &exp_len);
    if (!expected) {
        fprintf(stderr, "%s/%s: missing\n", dir, name);
        return false;
    }
    if (exp_len && expected[exp_len - 1] == '\n')
        exp_len--;
    if (actual_len && actual[actual_len - 1] == '\n')
        actual_len--;
    size_t i = 0;
    while (i < exp_len && i < actual_len && expected[i] == actual[i])
        i++;
    bool same = i == exp_len && i == actual_len;
    if (!same)
        fprintf(stderr, "%s/%s: differs at byte %zu (expected %zu bytes, got %zu)\n", dir, name, i,
                exp_len, actual_len);
    free(expected);
    return same;
}

static bool header_selected(const struct case_context *c, const char *name)
{
    if (!c->signed_headers)
        return true;
    size_t len = strlen(name);
    const char *p = c->signed_headers;
    while (*p) {
        const char *semi = strchr(p, ';');
        size_t n = semi ? (size_t)(semi - p) : strlen(p);
        if (n == len && strncasecmp(p, name, n) == 0)
            return true;
        p += n + (semi ? 1 : 0);
    }
    return false;
}

static void request_headers_select(const struct parsed_request *r, const struct case_context *c,
                                   struct sigv4_header *out, size_t *n)
{
    *n = 0;
    for (size_t i = 0; i < r->n_headers; i++) {
        if (!header_selected(c, r->names[i]))
            continue;
        out[*n].name = r->names[i];
        out[*n].value = r->values[i];
        (*n)++;
    }
}

static void original_headers_add(struct strbuf *sb, const struct parsed_request *r)
{
    for (size_t i = 0; i < r->n_headers; i++)
        strbuf_addf(sb, "%s:%s\n", r->names[i], r->values[i]);
}

static void signed_request_compose(struct strbuf *sb, const struct parsed_request *r,
                                   const struct sigv4_result *res, bool token_before_date)
{
    strbuf_addf(sb, "%s %s %s\n", r->method, r->target, r->version);
    original_headers_add(sb, r);
    if (res->security_token && token_before_date)
        strbuf_addf(sb, "X-Amz-Security-Token:%s\n", res->security_token);
    strbuf_addf(sb, "X-Amz-Date:%s\n", res->amz_date);
    if (res->security_token && !token_before_date)
        strbuf_addf(sb, "X-Amz-Security-Token:%s\n", res->security_token);
    if (res->content_sha256)
        strbuf_addf(sb, "x-amz-content-sha256:%s\n", res->content_sha256);
    strbuf_addf(sb, "Authorization:%s\n\n", res->authorization);
    strbuf_add(sb, r->body, r->body_len);
}

static void presigned_request_compose(struct strbuf *sb, const struct parsed_request *r,
                                      const struct sigv4_result *res)
{
    strbuf_addf(sb, "%s %s?", r->method, r->path);
    if (r->query && *r->query)
        strbuf_addf(sb, "%s&", r->query);
    strbuf_addf(sb, "%s %s\n", res->presigned_query, r->version);
    original_headers_add(sb, r);
    strbuf_addch(sb, '\n');
    strbuf_add(sb, r->body, r->body_len);
}

static bool results_match(const char *dir, const char *prefix, const struct sigv4_result *res,
                          const struct strbuf *signed_req)
{
    char *f_creq = xasprintf("%scanonical-request.txt", prefix);
    char *f_sts = xasprintf("%sstring-to-sign.txt", prefix);
    char *f_sig = xasprintf("%ssignature.txt", prefix);
    char *f_req = xasprintf("%ssigned-request.txt", prefix);
    bool ok = text_matches(dir, f_creq, res->canonical_request, strlen(res->canonical_request));
    ok = text_matches(dir, f_sts, res->string_to_sign, strlen(res->string_to_sign)) && ok;
    ok = text_matches(dir, f_sig, res->signature, strlen(res->signature)) && ok;
    ok = text_matches(dir, f_req, signed_req->buf, signed_req->len) && ok;
    free(f_creq);
    free(f_sts);
    free(f_sig);
    free(f_req);
    return ok;
}

static bool case_run_form(const char *dir, const struct suite *s, const struct case_context *c,
                          const struct parsed_request *r, bool presign)
{
    struct sigv4_header *hdrs = xcalloc(r->n_headers + 1, sizeof(*hdrs));
    struct sigv4_request req = {.method = r->method,
                                .path = r->path,
                                .query = r->query,
                                .headers = hdrs,
                                .body = r->body,
                                .body_len = r->body_len};
    request_headers_select(r, c, hdrs, &req.n_headers);
    struct sigv4_credentials creds = {c->akid, c->secret, c->token};
    struct sigv4_options opt = {.region = c->region,
                                .service = c->service,
                                .now = c->now,
                                .normalize_path = c->normalize,
                                .sign_body = c->sign_body,
                                .omit_session_token = c->omit_token,
                                .expires = c->expires};
    struct sigv4_result res;
    enum vpcx_status st =
        presign ? sigv4_presign(&req, &creds, &opt, &res) : sigv4_sign(&req, &creds, &opt, &res);
    bool ok = st == VPCX_OK;
    if (ok) {
        struct strbuf sb = STRBUF_INIT;
        strbuf_init(&sb, 1024);
        if (presign)
            presigned_request_compose(&sb, r, &res);
        else
            signed_request_compose(&sb, r, &res, s->token_before_date);
        ok = results_match(dir, presign ? "query-" : s->header_prefix, &res, &sb);
        if (!presign && c->signed_headers && strcmp(c->signed_headers, res.signed_headers) != 0) {
            fprintf(stderr, "%s: signed headers %s\n", dir, res.signed_headers);
            ok = false;
        }
        strbuf_release(&sb);
    } else {
        fprintf(stderr, "%s: status %s\n", dir, vpcx_status_name(st));
    }
    sigv4_result_finish(&res);
    free(hdrs);
    return ok;
}

static bool case_run(const char *dir, const struct suite *s)
{
    struct case_context c;
    struct parsed_request r;
    size_t len = 0;
    char *text = case_file_read(dir, "request.txt", &len);
    bool ok = context_load(dir, &c) && text && request_parse(text, len, &r);
    free(text);
    if (!ok) {
        fprintf(stderr, "%s: cannot load the case\n", dir);
        context_finish(&c);
        return false;
    }
    ok = case_run_form(dir, s, &c, &r, false);
    if (s->presign)
        ok = case_run_form(dir, s, &c, &r, true) && ok;
    parsed_request_finish(&r);
    context_finish(&c);
    return ok;
}

static void suite_run(const struct suite *s)
{
    char *root = xasprintf("%s/sigv4/%s", testdata_dir(), s->subdir);
    char **dirs;
    size_t n = case_dirs_list(root, &dirs);
    size_t failed = 0;
    for (size_t i = 0; i < n; i++) {
        if (!case_run(dirs[i], s))
            failed++;
        free(dirs[i]);
    }
    free(dirs);
    print_message("%s: %zu cases, %zu failed\n", root, n, failed);
    free(root);
    assert_true(n > 0);
    assert_int_equal(failed, 0);
}

static void test_aws_suite(void **state)
{
    (void)state;
    const struct suite s = {
        .subdir = "v4", .header_prefix = "header-", .token_before_date = true, .presign = true};
    suite_run(&s);
}

static void test_generated_ec2(void **state)
{
    (void)state;
    const struct suite s = {
        .subdir = "generated-ec2", .header_prefix = "", .token_before_date = false};
    suite_run(&s);
}

/* ---- properties and odd input ---- */

static const struct sigv4_credentials test_creds = {
    "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", NULL};

static struct sigv4_options test_options(void)
{
    struct sigv4_options opt = {
        .region = "us-east-1", .service = "ec2", .now = 1440938160, .normalize_path = true};
    return opt;
}

static void sign_ok(const struct sigv4_request *req, const struct sigv4_options *opt)
{
    struct sigv4_result res;
    assert_int_equal(sigv4_sign(req, &test_creds, opt, &res), VPCX_OK);
    assert_int_equal(strlen(res.signature), 64);
    assert_non_null(strstr(res.authorization, res.signature));
    sigv4_result_finish(&res);
    assert_int_equal(sigv4_presign(req, &test_creds, opt, &res), VPCX_OK);
    assert_non_null(res.presigned_query);
    sigv4_result_finish(&res);
}

static void test_odd_input(void **state)
{
    (void)state;
    struct sigv4_options opt = test_options();
    const struct sigv4_header odd[] = {
        {"Host", "h"}, {"X-Blank", "   "}, {"", ""}, {"X-Null", NULL}, {"X-Tab", "\t a \t\n b "}};
    static const char *const paths[] = {NULL,   "",      "/",  "..",   "/../..",
                                        "////", "a/./b", "/%", "/\xff"};
    static const char *const queries[] = {NULL, "",  "&",         "&&=&",  "=",
                                          "a",  "%", "%zz=%E1%8", "a=b=c", "+=+&a=%20"};
    for (size_t p = 0; p < sizeof(paths) / sizeof(paths[0]); p++) {
        for (size_t q = 0; q < sizeof(queries) / sizeof(queries[0]); q++) {
            struct sigv4_request req = {.method = "GET",
                                        .path = paths[p],
                                        .query = queries[q],
                                        .headers = odd,
                                        .n_headers = 5};
            opt.normalize_path = (p + q) % 2 == 0;
            opt.sign_body = q % 3 == 0;
            sign_ok(&req, &opt);
        }
    }
    struct sigv4_request empty = {.method = "POST"};
    sign_ok(&empty, &opt);
}

static void test_header_value_only_spaces(void **state)
{
    (void)state;
    const struct sigv4_header h[] = {{"Host", "example.com"}, {"X-Blank", "    "}};
    struct sigv4_request req = {.method = "GET", .path = "/", .headers = h, .n_headers = 2};
    struct sigv4_options opt = test_options();
    struct sigv4_result res;
    assert_int_equal(sigv4_sign(&req, &test_creds, &opt, &res), VPCX_OK);
    assert_non_null(strstr(res.canonical_request, "\nx-blank:\n"));
    assert_string_equal(res.signed_headers, "host;x-amz-date;x-blank");
    sigv4_result_finish(&res);
}

/* A pseudo-random byte soup for path, query and header value must never crash. */
static void test_random_input(void **state)
{
    (void)state;
    uint32_t seed = 12345;
    struct sigv4_options opt = test_options();
    for (int round = 0; round < 300; round++) {
        char buf[3][40];
        for (int f = 0; f < 3; f++) {
            size_t len = (seed >> 8) % sizeof(buf[f]);
            for (size_t i = 0; i < len; i++) {
                seed = seed * 1103515245u + 12345u;
                buf[f][i] = (char)(1 + (seed >> 16) % 255);
            }
            buf[f][len] = '\0';
            seed = seed * 1103515245u + 12345u;
        }
        const struct sigv4_header h[] = {{"Host", buf[2]}, {buf[2], buf[1]}};
        struct sigv4_request req = {.method = "POST",
                                    .path = buf[0],
                                    .query = buf[1],
                                    .headers = h,
                                    .n_headers = 2,
                                    .body = buf[2],
                                    .body_len = strlen(buf[2])};
        opt.normalize_path = round % 2;
        sign_ok(&req, &opt);
    }
}

/* Path normalisation beyond the suite: the second line of the canonical request. */
static void check_path(const char *path, bool normalize, const char *want)
{
    const struct sigv4_header h[] = {{"Host", "example.com"}};
    struct sigv4_request req = {.method = "GET", .path = path, .headers = h, .n_headers = 1};
    struct sigv4_options opt = test_options();
    opt.normalize_path = normalize;
    struct sigv4_result res;
    assert_int_equal(sigv4_sign(&req, &test_creds, &opt, &res), VPCX_OK);
    char *line = xasprintf("GET\n%s\n", want);
    assert_memory_equal(res.canonical_request, line, strlen(line));
    free(line);
    sigv4_result_finish(&res);
}

static void test_path_normalization(void **state)
{
    (void)state;
    check_path("/a/b/../c/", true, "/a/c/");
    check_path("/a/./b/..", true, "/a");
    check_path("/../../x", true, "/x");
    check_path("a//b", true, "/a/b");
    check_path("/a%20b", true, "/a%2520b");
    check_path("/a/b+c~", false, "/a/b%2Bc~");
    check_path(NULL, false, "/");
}

static void test_errors(void **state)
{
    (void)state;
    struct sigv4_request req = {.method = "POST", .path = "/"};
    struct sigv4_options opt = test_options();
    struct sigv4_result res;
    struct sigv4_credentials no_secret = {"AKIDEXAMPLE", "", NULL};
    assert_int_equal(sigv4_sign(&req, &no_secret, &opt, &res), VPCX_ERR_NO_CREDENTIALS);
    assert_null(res.authorization);
    assert_int_equal(sigv4_sign(&req, NULL, &opt, &res), VPCX_ERR_NO_CREDENTIALS);
    opt.region = NULL;
    assert_int_equal(sigv4_sign(&req, &test_creds, &opt, &res), VPCX_ERR_USAGE);
    assert_null(res.signature);
    opt = test_options();
    req.method = NULL;
    assert_int_equal(sigv4_sign(&req, &test_creds, &opt, &res), VPCX_ERR_USAGE);
    sigv4_result_finish(&res);
    sigv4_result_finish(NULL);
}

static void test_time_and_reserved_headers(void **state)
{
    (void)state;
    const struct sigv4_header plain[] = {{"Host", "ec2.us-east-1.amazonaws.com"}};
    const struct sigv4_header extra[] = {{"Host", "ec2.us-east-1.amazonaws.com"},
                                         {"X-Amz-Date", "19700101T000000Z"},
                                         {"authorization", "bogus"}};
    struct sigv4_request a = {.method = "POST", .path = "/", .headers = plain, .n_headers = 1};
    struct sigv4_request b = a;
    b.headers = extra;
    b.n_headers = 3;
    struct sigv4_options opt = test_options();
    struct sigv4_result ra, rb, rc;
    assert_int_equal(sigv4_sign(&a, &test_creds, &opt, &ra), VPCX_OK);
    assert_int_equal(sigv4_sign(&b, &test_creds, &opt, &rb), VPCX_OK);
    assert_string_equal(ra.signature, rb.signature);
    assert_string_equal(ra.amz_date, "20150830T123600Z");
    opt.now += 1;
    assert_int_equal(sigv4_sign(&a, &test_creds, &opt, &rc), VPCX_OK);
    assert_string_equal(rc.amz_date, "20150830T123601Z");
    assert_string_not_equal(ra.signature, rc.signature);
    sigv4_result_finish(&ra);
    sigv4_result_finish(&rb);
    sigv4_result_finish(&rc);
}

static void test_session_token_omitted(void **state)
{
    (void)state;
    const struct sigv4_header h[] = {{"Host", "sts.amazonaws.com"}};
    struct sigv4_request req = {.method = "POST", .path = "/", .headers = h, .n_headers = 1};
    struct sigv4_credentials creds = test_creds;
    creds.session_token = "TOKEN";
    struct sigv4_options opt = test_options();
    opt.omit_session_token = true;
    struct sigv4_result res;
    assert_int_equal(sigv4_sign(&req, &creds, &opt, &res), VPCX_OK);
    assert_string_equal(res.security_token, "TOKEN");
    assert_string_equal(res.signed_headers, "host;x-amz-date");
    assert_null(strstr(res.canonical_request, "TOKEN"));
    sigv4_result_finish(&res);
    opt.omit_session_token = false;
    assert_int_equal(sigv4_sign(&req, &creds, &opt, &res), VPCX_OK);
    assert_string_equal(res.signed_headers, "host;x-amz-date;x-amz-security-token");
    sigv4_result_finish(&res);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_aws_suite),
        cmocka_unit_test(test_generated_ec2),
        cmocka_unit_test(test_odd_input),
        cmocka_unit_test(test_header_value_only_spaces),
        cmocka_unit_test(test_random_input),
        cmocka_unit_test(test_path_normalization),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_time_and_reserved_headers),
        cmocka_unit_test(test_session_token_omitted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
