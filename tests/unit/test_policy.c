#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"
#include "vpcx/model/policy.h"

/* ---- helpers ---- */

static size_t count_kind(const struct policy_report *r, enum policy_finding_kind kind)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++)
        n += r->findings[i].kind == kind;
    return n;
}

static const struct policy_finding *find_kind(const struct policy_report *r,
                                              enum policy_finding_kind kind)
{
    for (size_t i = 0; i < r->n; i++) {
        if (r->findings[i].kind == kind)
            return &r->findings[i];
    }
    return NULL;
}

/* The finding of kind; fails the test (and returns a blank one) when there is none. */
static const struct policy_finding *must_find(const struct policy_report *r,
                                              enum policy_finding_kind kind)
{
    static struct policy_finding none = {.kind = POLICY_FINDING_COUNT, .statement = -2};
    const struct policy_finding *f = find_kind(r, kind);
    if (!f || !f->detail) {
        fail_msg("no %s finding with a detail", policy_finding_key(kind));
        none.detail = none.detail ? none.detail : xstrdup("");
        return &none;
    }
    return f;
}

static void print_report(const char *doc, const struct policy_report *r)
{
    print_message("document: %s\n", doc ? doc : "(null)");
    for (size_t i = 0; i < r->n; i++)
        print_message("  finding %s stmt %d: %s\n", policy_finding_key(r->findings[i].kind),
                      r->findings[i].statement, r->findings[i].detail ? r->findings[i].detail : "");
}

/* Analyses doc, expects VPCX_OK and a valid report. */
static void analyze_ok(const char *doc, struct policy_report *r)
{
    enum vpcx_status st = policy_analyze(doc, r);
    if (st != VPCX_OK || !r->valid) {
        print_report(doc, r);
        fail_msg("policy_analyze: status %s, valid %d", vpcx_status_name(st), r->valid);
    }
    assert_non_null(r->pretty);
}

static void expect_only(const char *doc, const enum policy_finding_kind *kinds, size_t n)
{
    struct policy_report r;
    analyze_ok(doc, &r);
    bool ok = r.n == n;
    for (size_t i = 0; ok && i < n; i++)
        ok = r.findings[i].kind == kinds[i];
    if (!ok) {
        print_report(doc, &r);
        fail_msg("unexpected findings (%zu, expected %zu)", r.n, n);
    }
    policy_report_finish(&r);
}

/* True when s is valid UTF-8 holding no C0, DEL or C1 control other than '\n'. */
static bool text_is_clean(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        if (*p == '\n') {
            p++;
        } else if (*p < 0x20 || *p == 0x7f) {
            return false;
        } else if (*p < 0x80) {
            p++;
        } else if (*p >= 0xc2 && *p <= 0xdf) {
            if ((p[1] & 0xc0) != 0x80)
                return false;
            if (*p == 0xc2 && p[1] <= 0x9f) /* U+0080..U+009F */
                return false;
            p += 2;
        } else if (*p >= 0xe0 && *p <= 0xef) {
            if ((p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
                return false;
            p += 3;
        } else if (*p >= 0xf0 && *p <= 0xf4) {
            if ((p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 || (p[3] & 0xc0) != 0x80)
                return false;
            p += 4;
        } else {
            return false;
        }
    }
    return true;
}

/* ---- the finding table ---- */

static void test_finding_table(void **state)
{
    for (int k = 0; k < POLICY_FINDING_COUNT; k++) {
        const char *key = policy_finding_key((enum policy_finding_kind)k);
        assert_true(strlen(key) > 0);
        assert_true(strlen(policy_finding_text((enum policy_finding_kind)k)) > 20);
        for (int j = 0; j < k; j++)
            assert_string_not_equal(key, policy_finding_key((enum policy_finding_kind)j));
    }
    assert_string_equal(policy_finding_key(POLICY_ACTION_ANY), "action-any");
    assert_int_equal(policy_finding_severity(POLICY_ACTION_SERVICE_WILDCARD), POLICY_SEVERITY_INFO);
    assert_int_equal(policy_finding_severity(POLICY_PRINCIPAL_ANY_NO_CONDITION),
                     POLICY_SEVERITY_WARN);
    assert_int_equal(policy_finding_severity(POLICY_INVALID_JSON), POLICY_SEVERITY_CRITICAL);
    assert_string_equal(policy_finding_key(POLICY_FINDING_COUNT), "");
    assert_string_equal(policy_severity_name(POLICY_SEVERITY_CRITICAL), "critical");
}

/* ---- the default full-access policy ---- */

static const char *const full_access_docs[] = {
    /* moto */
    "{\"Version\": \"2008-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": \"*\", "
    "\"Action\": \"*\", \"Resource\": \"*\"}]}",
    /* AWS documentation */
    "{ \"Statement\": [ { \"Action\": \"*\", \"Effect\": \"Allow\", \"Principal\": \"*\", "
    "\"Resource\": \"*\" } ] }",
    /* as DescribeVpcEndpoints returns it for interface endpoints */
    "{\n  \"Statement\": [\n    {\n      \"Action\": \"*\", \n      \"Effect\": \"Allow\", \n"
    "      \"Principal\": \"*\", \n      \"Resource\": \"*\"\n    }\n  ]\n}",
    /* Version 2012-10-17, arrays, {"AWS": "*"}, a Sid and an Id */
    "{\"Version\":\"2012-10-17\",\"Id\":\"p1\",\"Statement\":[{\"Sid\":\"all\","
    "\"Effect\":\"Allow\",\"Principal\":{\"AWS\":[\"*\"]},\"Action\":[\"*\"],"
    "\"Resource\":[\"*\"]}]}",
    /* Statement as a lone object, tabs and CRLF, an empty Condition */
    "\t{\r\n\"Statement\"\t:\r\n{\"Resource\":\"*\",\"Condition\":{},\"Action\":\"*\","
    "\"Principal\":{\"AWS\":\"*\"},\"Effect\":\"Allow\"}}\r\n",
    /* the statement said twice */
    "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"*\",\"Resource\":\"*\"}"
    ","
    "{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":[\"*\"],\"Resource\":\"*\"}]}",
};

static void test_full_access_spellings(void **state)
{
    for (size_t i = 0; i < sizeof(full_access_docs) / sizeof(full_access_docs[0]); i++) {
        struct policy_report r;
        analyze_ok(full_access_docs[i], &r);
        if (!r.full_access || r.n != 1) {
            print_report(full_access_docs[i], &r);
            fail_msg("spelling %zu not recognised as the default", i);
        }
        assert_int_equal(r.findings[0].kind, POLICY_FULL_ACCESS_DEFAULT);
        assert_int_equal(r.findings[0].statement, -1);
        assert_int_equal(policy_report_severity(&r), POLICY_SEVERITY_WARN);
        assert_true(r.statements >= 1);
        policy_report_finish(&r);
    }
}

static const char *const near_misses[] = {
    "{\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"*\",\"Resource\":\"*\"}]"
    "}",
    "{\"Statement\":[{\"Effect\":\"allow\",\"Principal\":\"*\",\"Action\":\"*\",\"Resource\":\"*\"}"
    "]}",
    "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:*\","
    "\"Resource\":\"*\"}]}",
    "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"*\","
    "\"Resource\":\"arn:aws:s3:::b/*\"}]}",
    "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::123456789012:"
    "root\"},"
    "\"Action\":\"*\",\"Resource\":\"*\"}]}",
    "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"*\",\"Resource\":\"*\","
    "\"Condition\":{\"StringEquals\":{\"aws:PrincipalOrgID\":\"o-abc123\"}}}]}",
    "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"*\",\"Resource\":\"*\"}"
    ","
    "{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:DeleteBucket\",\"Resource\":\"*\"}]}",
    "{\"Version\":\"2020-01-01\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\","
    "\"Action\":\"*\",\"Resource\":\"*\"}]}",
    "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"NotAction\":\"s3:Put*\","
    "\"Resource\":\"*\"}]}",
    "{\"Statement\":[]}",
};

static void test_not_full_access(void **state)
{
    for (size_t i = 0; i < sizeof(near_misses) / sizeof(near_misses[0]); i++) {
        struct policy_report r;
        analyze_ok(near_misses[i], &r);
        if (r.full_access || count_kind(&r, POLICY_FULL_ACCESS_DEFAULT)) {
            print_report(near_misses[i], &r);
            fail_msg("near miss %zu taken for the default", i);
        }
        policy_report_finish(&r);
    }
}

/* ---- statements ---- */

static void test_org_condition(void **state)
{
    static const char doc[] =
        "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\","
        "\"Resource\":\"arn:aws:s3:::bucket/*\",\"Condition\":{\"StringEquals\":"
        "{\"aws:PrincipalOrgID\":[\"o-abc123\"]}}}]}";
    const enum policy_finding_kind expected[] = {POLICY_CONDITION_RESTRICTS};
    expect_only(doc, expected, 1);

    struct policy_report r;
    analyze_ok(doc, &r);
    assert_false(policy_report_has(&r, POLICY_PRINCIPAL_ANY_NO_CONDITION));
    assert_int_equal(r.findings[0].statement, 0);
    assert_string_equal(r.findings[0].detail, "aws:PrincipalOrgID (StringEquals)");
    assert_int_equal(policy_report_severity(&r), POLICY_SEVERITY_INFO);
    policy_report_finish(&r);

    /* Condition keys are case-insensitive; SourceVpce restricts as well. */
    static const char vpce[] =
        "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},\"Action\":"
        "\"sqs:SendMessage\",\"Resource\":\"arn:aws:sqs:us-east-1:123456789012:q\","
        "\"Condition\":{\"StringEqualsIfExists\":{\"AWS:SOURCEVPCE\":\"vpce-1\"}}}}";
    expect_only(vpce, expected, 1);
}

static void test_weak_condition(void **state)
{
    /* A condition that names no caller, or negates one, leaves every principal in. */
    static const char secure[] =
        "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\","
        "\"Resource\":\"arn:aws:s3:::b/*\",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":"
        "true}}}]}";
    static const char negated[] =
        "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\","
        "\"Resource\":\"arn:aws:s3:::b/*\",\"Condition\":{\"StringNotEquals\":"
        "{\"aws:PrincipalOrgID\":\"o-abc123\"}}}]}";
    const enum policy_finding_kind expected[] = {POLICY_PRINCIPAL_ANY_WEAK_CONDITION};
    expect_only(secure, expected, 1);
    expect_only(negated, expected, 1);
}

static void test_specific_grants(void **state)
{
    static const char doc[] =
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"read\",\"Effect\":\"Allow\","
        "\"Principal\":{\"AWS\":\"arn:aws:iam::123456789012:role/app\"},\"Action\":"
        "[\"s3:GetObject\",\"s3:ListBucket\"],\"Resource\":[\"arn:aws:s3:::bucket\","
        "\"arn:aws:s3:::bucket/*\"]}]}";
    struct policy_report r;
    analyze_ok(doc, &r);
    if (r.n != 0)
        print_report(doc, &r);
    assert_int_equal(r.n, 0);
    assert_false(r.full_access);
    assert_int_equal(r.statements, 1);
    assert_int_equal(policy_report_severity(&r), POLICY_SEVERITY_INFO);
    policy_report_finish(&r);

    /* The same with Principal "*" and no condition: that alone is reported. */
    static const char any[] =
        "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\","
        "\"Resource\":\"arn:aws:s3:::bucket/*\"}]}";
    const enum policy_finding_kind expected[] = {POLICY_PRINCIPAL_ANY_NO_CONDITION};
    expect_only(any, expected, 1);
}

static void test_wildcards(void **state)
{
    static const char doc[] =
        "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::1:root\"},"
        "\"Action\":[\"s3:*\",\"ec2:Describe*\",\"SQS:*\"],\"Resource\":\"*\"},"
        "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::1:root\"},"
        "\"Action\":[\"s3:GetObject\",\"*\"],\"Resource\":\"arn:aws:s3:::b\"},"
        "{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"*\",\"Resource\":\"*\"}]}";
    const enum policy_finding_kind expected[] = {POLICY_ACTION_SERVICE_WILDCARD,
                                                 POLICY_RESOURCE_ANY, POLICY_ACTION_ANY};
    expect_only(doc, expected, 3);

    struct policy_report r;
    analyze_ok(doc, &r);
    assert_int_equal(r.statements, 3);
    assert_int_equal(r.findings[0].statement, 0);
    assert_string_equal(r.findings[0].detail, "Action \"s3:*\", \"SQS:*\"");
    assert_string_equal(r.findings[1].detail, "Resource \"*\"");
    assert_int_equal(r.findings[2].statement, 1);
    assert_string_equal(r.findings[2].detail, "Action \"*\"");
    policy_report_finish(&r);
}

static void test_not_elements(void **state)
{
    static const char doc[] =
        "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::1:root\"},"
        "\"NotAction\":[\"s3:DeleteObject\",\"s3:DeleteBucket\"],"
        "\"NotResource\":\"arn:aws:s3:::secret/*\"},"
        "{\"Effect\":\"Allow\",\"NotPrincipal\":{\"AWS\":\"arn:aws:iam::1:user/x\"},"
        "\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/*\"},"
        "{\"Effect\":\"Deny\",\"Principal\":\"*\",\"NotAction\":\"s3:Get*\",\"Resource\":\"*\"}]}";
    const enum policy_finding_kind expected[] = {POLICY_NOT_ACTION_ALLOW, POLICY_NOT_RESOURCE_ALLOW,
                                                 POLICY_NOT_PRINCIPAL_ALLOW};
    expect_only(doc, expected, 3);

    struct policy_report r;
    analyze_ok(doc, &r);
    assert_string_equal(r.findings[0].detail, "NotAction \"s3:DeleteObject\", \"s3:DeleteBucket\"");
    assert_int_equal(r.findings[2].statement, 1);
    assert_int_equal(policy_report_severity(&r), POLICY_SEVERITY_CRITICAL);
    policy_report_finish(&r);
}

static void test_malformed(void **state)
{
    static const char *const docs[] = {
        /* a non-string action */
        "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::1:root\"},"
        "\"Action\":[\"s3:GetObject\",5],\"Resource\":\"arn:aws:s3:::b\"}]}",
        /* no Effect */
        "{\"Statement\":[{\"Principal\":{\"AWS\":\"arn:aws:iam::1:root\"},"
        "\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b\"}]}",
        /* Effect in the wrong case */
        "{\"Statement\":[{\"Effect\":\"allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::1:root\"},"
        "\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b\"}]}",
        /* no Principal */
        "{\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"s3:GetObject\","
        "\"Resource\":\"arn:aws:s3:::b\"}]}",
        /* an unknown element */
        "{\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\","
        "\"Resource\":\"arn:aws:s3:::b\",\"Actions\":\"x\"}]}",
        /* a statement that is not an object */
        "{\"Statement\":[\"Allow everything\"]}",
        /* a document that is not an object */
        "[{\"Effect\":\"Allow\"}]",
        /* a bad Condition */
        "{\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\","
        "\"Resource\":\"arn:aws:s3:::b\",\"Condition\":{\"StringEquals\":\"x\"}}]}",
        /* Principal "AWS" without the object */
        "{\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":\"AWS\",\"Action\":\"s3:GetObject\","
        "\"Resource\":\"arn:aws:s3:::b\"}]}",
    };
    for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
        struct policy_report r;
        analyze_ok(docs[i], &r);
        const struct policy_finding *f = find_kind(&r, POLICY_MALFORMED);
        if (!f || !f->detail) {
            print_report(docs[i], &r);
            fail_msg("document %zu: no malformed finding", i);
        }
        policy_report_finish(&r);
    }
    struct policy_report r;
    analyze_ok(docs[0], &r);
    assert_string_equal(must_find(&r, POLICY_MALFORMED)->detail,
                        "Action must be a string or an array of strings");
    policy_report_finish(&r);
    analyze_ok(docs[2], &r);
    assert_string_equal(must_find(&r, POLICY_MALFORMED)->detail,
                        "Effect must be \"Allow\" or \"Deny\", not \"allow\"");
    policy_report_finish(&r);
}

/* ---- what cannot be analysed ---- */

static void test_invalid_json(void **state)
{
    static const char *const docs[] = {
        "{", "{\"Statement\": [}", "{} x", "[1,]", "{\"a\":\"\\x\"}", "nul", "{\"a\":\"\\ud800\"}",
    };
    for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
        struct policy_report r;
        assert_int_equal(policy_analyze(docs[i], &r), VPCX_ERR_PARSE);
        assert_false(r.valid);
        assert_null(r.pretty);
        assert_int_equal(r.n, 1);
        assert_int_equal(r.findings[0].kind, POLICY_INVALID_JSON);
        assert_non_null(r.findings[0].detail);
        policy_report_finish(&r);
        assert_null(policy_pretty(docs[i]));
        assert_null(policy_diff_full_access(docs[i]));
    }
    struct policy_report r;
    assert_int_equal(policy_analyze("{\n  \"Statement\": [\n    x\n  ]\n}", &r), VPCX_ERR_PARSE);
    assert_string_equal(r.findings[0].detail, "syntax error at line 3, column 5");
    assert_int_equal(policy_report_severity(&r), POLICY_SEVERITY_CRITICAL);
    policy_report_finish(&r);
}

static void test_missing_and_empty(void **state)
{
    static const char *const missing[] = {NULL, "", " \n\t"};
    for (size_t i = 0; i < sizeof(missing) / sizeof(missing[0]); i++) {
        struct policy_report r;
        assert_int_equal(policy_analyze(missing[i], &r), VPCX_OK);
        assert_false(r.valid);
        assert_int_equal(r.n, 1);
        assert_int_equal(r.findings[0].kind, POLICY_MISSING);
        policy_report_finish(&r);
    }
    const enum policy_finding_kind none[] = {POLICY_NO_STATEMENTS};
    expect_only("{}", none, 1);
    expect_only("{\"Version\":\"2012-10-17\",\"Statement\":[]}", none, 1);
    struct policy_report r;
    analyze_ok("{}", &r);
    assert_string_equal(r.pretty, "{}");
    assert_int_equal(r.statements, 0);
    policy_report_finish(&r);
}

/* A full-access document padded with spaces to exactly len bytes. */
static char *padded_document(size_t len)
{
    static const char base[] = "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\","
                               "\"Action\":\"*\",\"Resource\":\"*\"}]}";
    char *doc = xmalloc(len + 1);
    memset(doc, ' ', len);
    memcpy(doc, base, sizeof(base) - 1);
    doc[len] = '\0';
    return doc;
}

static void test_size_limit(void **state)
{
    struct policy_report r;
    char *doc = padded_document(POLICY_MAX_CHARS);
    assert_int_equal(policy_analyze(doc, &r), VPCX_OK);
    assert_true(r.full_access);
    policy_report_finish(&r);
    free(doc);

    doc = padded_document(POLICY_MAX_CHARS + 1);
    assert_int_equal(policy_analyze(doc, &r), VPCX_ERR_TOO_LARGE);
    assert_false(r.valid);
    assert_null(r.pretty);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.findings[0].kind, POLICY_TOO_LARGE);
    assert_string_equal(r.findings[0].detail, "20481 characters; the limit is 20480");
    policy_report_finish(&r);
    assert_null(policy_diff_full_access(doc));
    free(doc);

    /* A megabyte is refused as quickly. */
    doc = padded_document(1 << 20);
    assert_int_equal(policy_analyze(doc, &r), VPCX_ERR_TOO_LARGE);
    policy_report_finish(&r);
    free(doc);

    /* AWS counts characters, not bytes: 15,000 two-byte characters fit. */
    struct strbuf sb = STRBUF_INIT;
    strbuf_init(&sb, 0);
    strbuf_addstr(&sb, "{\"Statement\":[{\"Sid\":\"");
    for (int i = 0; i < 15000; i++)
        strbuf_addstr(&sb, "\xc3\xa9");
    strbuf_addstr(&sb, "\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"*\"}]}");
    assert_true(sb.len > POLICY_MAX_CHARS);
    analyze_ok(sb.buf, &r);
    assert_int_equal(r.n, 0);
    policy_report_finish(&r);
    strbuf_release(&sb);
}

static void test_deep_nesting(void **state)
{
    struct strbuf sb = STRBUF_INIT;
    struct policy_report r;
    strbuf_init(&sb, 0);
    /* Past cJSON's nesting limit: refused as invalid, no stack exhaustion. */
    for (int i = 0; i < 5000; i++)
        strbuf_addch(&sb, '[');
    for (int i = 0; i < 5000; i++)
        strbuf_addch(&sb, ']');
    assert_int_equal(policy_analyze(sb.buf, &r), VPCX_ERR_PARSE);
    policy_report_finish(&r);

    /* Deep but within the limit, inside a statement: analysed and printed. */
    strbuf_reset(&sb);
    strbuf_addstr(&sb, "{\"Statement\":{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"*\","
                       "\"Condition\":");
    for (int i = 0; i < 500; i++)
        strbuf_addstr(&sb, "{\"a\":");
    strbuf_addstr(&sb, "1");
    for (int i = 0; i < 500; i++)
        strbuf_addch(&sb, '}');
    strbuf_addstr(&sb, "}}");
    analyze_ok(sb.buf, &r);
    assert_true(policy_report_has(&r, POLICY_MALFORMED));
    assert_true(text_is_clean(r.pretty));
    policy_report_finish(&r);
    strbuf_release(&sb);
}

/* ---- pretty printing ---- */

static void test_pretty_exact(void **state)
{
    struct policy_report r;
    analyze_ok("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":"
               "\"*\",\"Action\":[\"s3:Put*\",\"s3:Delete*\"],\"Resource\":[],\"Condition\":{"
               "\"NumericLessThan\":{\"s3:max-keys\":10.5}},\"X\":[true,false,null,{},-3]}]}",
               &r);
    assert_string_equal(r.pretty, "{\n"
                                  "  \"Version\": \"2012-10-17\",\n"
                                  "  \"Statement\": [\n"
                                  "    {\n"
                                  "      \"Effect\": \"Deny\",\n"
                                  "      \"Principal\": \"*\",\n"
                                  "      \"Action\": [\n"
                                  "        \"s3:Put*\",\n"
                                  "        \"s3:Delete*\"\n"
                                  "      ],\n"
                                  "      \"Resource\": [],\n"
                                  "      \"Condition\": {\n"
                                  "        \"NumericLessThan\": {\n"
                                  "          \"s3:max-keys\": 10.5\n"
                                  "        }\n"
                                  "      },\n"
                                  "      \"X\": [\n"
                                  "        true,\n"
                                  "        false,\n"
                                  "        null,\n"
                                  "        {},\n"
                                  "        -3\n"
                                  "      ]\n"
                                  "    }\n"
                                  "  ]\n"
                                  "}");
    policy_report_finish(&r);
}

static void test_pretty_escapes(void **state)
{
    /* ESC, newline, DEL, a C1 control, RLO, LS, quotes and backslashes, kept UTF-8. */
    static const char doc[] = "{\"Statement\":[],\"Sid\\u001b\":"
                              "\"\\u001b[31mred\\n\\u007f\\u0085\\u202e\\u2028 \\\"q\\\" \\\\ "
                              "caf\\u00e9 \xe2\x82\xac \\u0001\"}";
    char *pretty = policy_pretty(doc);
    assert_non_null(pretty);
    assert_true(text_is_clean(pretty));
    assert_string_equal(pretty, "{\n  \"Statement\": [],\n  \"Sid\\u001b\": "
                                "\"\\u001b[31mred\\n\\u007f\\u0085\\u202e\\u2028 \\\"q\\\" \\\\ "
                                "caf\xc3\xa9 \xe2\x82\xac \\u0001\"\n}");
    /* The escaped text still means the same string. */
    cJSON *a = cJSON_Parse(doc), *b = cJSON_Parse(pretty);
    assert_non_null(b);
    assert_true(cJSON_Compare(a, b, 1));
    cJSON_Delete(a);
    cJSON_Delete(b);
    free(pretty);

    /* Raw control bytes and invalid UTF-8 in the input never reach the output raw. */
    static const char raw[] = "{\"k\":\"a\x1b]0;t\x07\tb\xff\xc3(\xc2\x9b\xed\xa0\x80z\"}";
    pretty = policy_pretty(raw);
    assert_non_null(pretty);
    assert_true(text_is_clean(pretty));
    assert_string_equal(
        pretty, "{\n  \"k\": "
                "\"a\\u001b]0;t\\u0007\\tb\\ufffd\\ufffd(\\u009b\\ufffd\\ufffd\\ufffdz\"\n}");
    free(pretty);

    /* Details are sanitised too. */
    struct policy_report r;
    analyze_ok("{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"a\"},"
               "\"NotAction\":\"\\u001b[2J\",\"Resource\":\"r\"}]}",
               &r);
    const struct policy_finding *f = must_find(&r, POLICY_NOT_ACTION_ALLOW);
    assert_true(text_is_clean(f->detail));
    assert_null(strchr(f->detail, '\x1b'));
    policy_report_finish(&r);
}

/* ---- diff ---- */

static void test_diff_exact(void **state)
{
    char *diff = policy_diff_full_access(
        "{\"Statement\":[{\"Action\":\"s3:GetObject\",\"Effect\":\"Allow\",\"Principal\":\"*\","
        "\"Resource\":\"*\"}]}");
    assert_non_null(diff);
    assert_string_equal(diff, " {\n"
                              "   \"Statement\": [\n"
                              "     {\n"
                              "-      \"Action\": \"*\",\n"
                              "+      \"Action\": \"s3:GetObject\",\n"
                              "       \"Effect\": \"Allow\",\n"
                              "       \"Principal\": \"*\",\n"
                              "       \"Resource\": \"*\"\n"
                              "     }\n"
                              "   ]\n"
                              " }\n");
    free(diff);

    /* Against the gateway spelling: a Condition added, the last line's comma changes. */
    diff = policy_diff_full_access(
        "{\"Version\":\"2008-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\","
        "\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":"
        "\"true\"}}}]}");
    assert_non_null(diff);
    assert_string_equal(diff, " {\n"
                              "   \"Version\": \"2008-10-17\",\n"
                              "   \"Statement\": [\n"
                              "     {\n"
                              "       \"Effect\": \"Allow\",\n"
                              "       \"Principal\": \"*\",\n"
                              "       \"Action\": \"*\",\n"
                              "-      \"Resource\": \"*\"\n"
                              "+      \"Resource\": \"*\",\n"
                              "+      \"Condition\": {\n"
                              "+        \"Bool\": {\n"
                              "+          \"aws:SecureTransport\": \"true\"\n"
                              "+        }\n"
                              "+      }\n"
                              "     }\n"
                              "   ]\n"
                              " }\n");
    free(diff);

    /* The default itself: every line in common. */
    for (size_t i = 0; i < sizeof(full_access_docs) / sizeof(full_access_docs[0]); i++) {
        if (i == 3 || i == 4 || i == 5)
            continue; /* spelled differently on purpose */
        diff = policy_diff_full_access(full_access_docs[i]);
        assert_non_null(diff);
        for (const char *line = diff; *line; line = strchr(line, '\n') + 1)
            assert_int_equal(*line, ' ');
        free(diff);
    }
    assert_null(policy_diff_full_access(NULL));
}

static void test_diff_large(void **state)
{
    /* A long document still diffs, every input line accounted for. */
    struct strbuf sb = STRBUF_INIT;
    strbuf_init(&sb, 0);
    strbuf_addstr(&sb, "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":[");
    for (int i = 0; i < 1500; i++)
        strbuf_addf(&sb, "%s\"s3:A%d\"", i ? "," : "", i);
    strbuf_addstr(&sb, "],\"Resource\":\"*\"}]}");
    char *diff = policy_diff_full_access(sb.buf);
    assert_non_null(diff);
    size_t plus = 0, lines = 0;
    for (const char *line = diff; *line; line = strchr(line, '\n') + 1) {
        lines++;
        plus += *line == '+';
    }
    assert_true(plus >= 1500);
    assert_true(lines >= 1508);
    free(diff);
    strbuf_release(&sb);
}

/* ---- tokenizer ---- */

/* Every non-blank byte of text is in exactly one span, a blank in at most one (inside a
 * string); no span crosses a line. */
static void assert_spans_cover(const char *text, const struct policy_span *spans, size_t n)
{
    size_t len = strlen(text);
    unsigned char *hits = xcalloc(len + 1, 1);
    size_t nlines = 1;
    for (size_t i = 0; i < len; i++)
        nlines += text[i] == '\n';
    const char **starts = xcalloc(nlines, sizeof(*starts));
    size_t li = 0;
    starts[li++] = text;
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '\n')
            starts[li++] = text + i + 1;
    }
    for (size_t s = 0; s < n; s++) {
        assert_true(spans[s].line < nlines);
        assert_true(spans[s].len > 0);
        const char *p = starts[spans[s].line] + spans[s].start;
        for (unsigned k = 0; k < spans[s].len; k++) {
            assert_true(p[k] != '\n' && p[k] != '\0');
            hits[(size_t)(p - text) + k]++;
        }
    }
    for (size_t i = 0; i < len; i++) {
        bool blank = text[i] == ' ' || text[i] == '\n' || text[i] == '\t' || text[i] == '\r';
        if (blank ? hits[i] > 1 : hits[i] != 1)
            fail_msg("byte %zu ('%c') covered %d times", i, text[i], hits[i]);
    }
    free(starts);
    free(hits);
}

static const struct policy_span *span_at(const struct policy_span *spans, size_t n, unsigned line,
                                         unsigned start)
{
    static const struct policy_span none = {.kind = POLICY_TOKEN_OTHER};
    for (size_t i = 0; i < n; i++) {
        if (spans[i].line == line && spans[i].start == start)
            return &spans[i];
    }
    fail_msg("no span at line %u, byte %u", line, start);
    return &none;
}

static void test_tokenizer(void **state)
{
    char *pretty = policy_pretty(
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":"
        "{\"AWS\":[\"arn:aws:iam::1:root\"]},\"Action\":\"s3:GetObject\",\"Resource\":\"*\","
        "\"Condition\":{\"NumericLessThan\":{\"s3:max-keys\":-1.5e3},\"Bool\":{\"k\":[true,"
        "false,null]},\"StringLike\":{\"q\\\"uote: \\\\\":\"a: "
        "\\\"b\\\"\\n{}\"}},\"E\":[{},[]]}]}");
    assert_non_null(pretty);
    struct policy_span *spans;
    size_t n = policy_tokenize(pretty, &spans);
    assert_true(n > 30);
    assert_spans_cover(pretty, spans, n);

    /* Line 0 is "{"; line 1 is '  "Version": "2012-10-17",'. */
    const struct policy_span *s = span_at(spans, n, 0, 0);
    assert_int_equal(s->kind, POLICY_TOKEN_PUNCT);
    s = span_at(spans, n, 1, 2);
    assert_int_equal(s->kind, POLICY_TOKEN_KEY);
    assert_int_equal(s->len, strlen("\"Version\""));
    assert_int_equal(span_at(spans, n, 1, 11)->kind, POLICY_TOKEN_PUNCT);
    assert_int_equal(span_at(spans, n, 1, 13)->kind, POLICY_TOKEN_STRING);
    size_t kinds[POLICY_TOKEN_OTHER + 1] = {0};
    for (size_t i = 0; i < n; i++)
        kinds[spans[i].kind]++;
    assert_int_equal(kinds[POLICY_TOKEN_NUMBER], 1);
    assert_int_equal(kinds[POLICY_TOKEN_LITERAL], 3);
    assert_int_equal(kinds[POLICY_TOKEN_OTHER], 0);
    /* A key holding an escaped quote and a colon is still one key span. */
    const char *kq = strstr(pretty, "\"q\\\"uote");
    assert_non_null(kq);
    bool found = false;
    for (size_t i = 0; i < n; i++) {
        if (spans[i].kind == POLICY_TOKEN_KEY && spans[i].len == strlen("\"q\\\"uote: \\\\\""))
            found = true;
    }
    assert_true(found);
    free(spans);
    free(pretty);
}

static void test_tokenizer_hostile(void **state)
{
    static const char *const texts[] = {
        "",     "   \n\n", "\"unterminated\n{x",         "abc def\t:[1,2]\"\\", "\"a\\\"",
        "-\n-", "\"\\",    "tru falsey null nullx 12ab",
    };
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        struct policy_span *spans;
        size_t n = policy_tokenize(texts[i], &spans);
        assert_spans_cover(texts[i], spans, n);
        free(spans);
    }
    struct policy_span dummy;
    struct policy_span *spans = &dummy;
    assert_int_equal(policy_tokenize(NULL, &spans), 0);
    assert_null(spans);
}

static void test_finish_is_idempotent(void **state)
{
    struct policy_report r;
    analyze_ok(full_access_docs[0], &r);
    policy_report_finish(&r);
    policy_report_finish(&r);
    policy_report_finish(NULL);
    assert_int_equal(r.n, 0);
    assert_null(r.pretty);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_finding_table),     cmocka_unit_test(test_full_access_spellings),
        cmocka_unit_test(test_not_full_access),   cmocka_unit_test(test_org_condition),
        cmocka_unit_test(test_weak_condition),    cmocka_unit_test(test_specific_grants),
        cmocka_unit_test(test_wildcards),         cmocka_unit_test(test_not_elements),
        cmocka_unit_test(test_malformed),         cmocka_unit_test(test_invalid_json),
        cmocka_unit_test(test_missing_and_empty), cmocka_unit_test(test_size_limit),
        cmocka_unit_test(test_deep_nesting),      cmocka_unit_test(test_pretty_exact),
        cmocka_unit_test(test_pretty_escapes),    cmocka_unit_test(test_diff_exact),
        cmocka_unit_test(test_diff_large),        cmocka_unit_test(test_tokenizer),
        cmocka_unit_test(test_tokenizer_hostile), cmocka_unit_test(test_finish_is_idempotent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
