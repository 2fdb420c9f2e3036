#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "vpcx/aws/ini.h"
#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static enum vpcx_status parse(struct ini_file *ini, const char *text, struct vpcx_error *err)
{
    return ini_parse_buffer(ini, "test.ini", text, strlen(text), err);
}

static void test_basic_keys_and_comments(void **state)
{
    (void)state;
    struct ini_file ini = {0};
    struct vpcx_error err = {0};
    const char *text = "# leading comment\n"
                       "; another\n"
                       "\n"
                       "[default]\n"
                       "Region = eu-west-1  \n"
                       "  # indented comment\n"
                       "output: json\n"
                       "note = a # not a comment\n"
                       "empty =\n"
                       "eq = a=b\n"
                       "[profile dev]\n"
                       "region=us-east-1\n";
    assert_int_equal(parse(&ini, text, &err), VPCX_OK);
    assert_int_equal(ini.nsections, 2);
    const struct ini_section *d = ini_file_section(&ini, "default");
    assert_non_null(d);
    assert_string_equal(ini_section_get(d, "region"), "eu-west-1"); /* key lowercased */
    assert_null(ini_section_get(d, "Region"));
    assert_string_equal(ini_section_get(d, "output"), "json");
    assert_string_equal(ini_section_get(d, "note"), "a # not a comment");
    assert_string_equal(ini_section_get(d, "empty"), "");
    assert_string_equal(ini_section_get(d, "eq"), "a=b");
    assert_int_equal(ini_section_entry(d, "output")->line, 7);
    const struct ini_section *dev = ini_file_section(&ini, "profile dev");
    assert_string_equal(ini_section_get(dev, "region"), "us-east-1");
    assert_null(ini_file_section(&ini, "missing"));
    assert_null(ini_section_get(NULL, "region"));
    ini_file_finish(&ini);
    vpcx_error_finish(&err);
}

static void test_nested_services(void **state)
{
    (void)state;
    struct ini_file ini = {0};
    struct vpcx_error err = {0};
    const char *text = "[services local]\n"
                       "ec2 =\n"
                       "  endpoint_url = http://127.0.0.1:4566\n"
                       "\n"
                       "  # comment inside the block\n"
                       "  Other_Key = X = Y\n"
                       "sts =\n"
                       "    endpoint_url = http://127.0.0.1:5000\n"
                       "[next]\n"
                       "a = 1\n";
    assert_int_equal(parse(&ini, text, &err), VPCX_OK);
    const struct ini_section *s = ini_file_section(&ini, "services local");
    const struct ini_entry *ec2 = ini_section_entry(s, "ec2");
    assert_non_null(ec2);
    assert_true(ec2->nested);
    assert_null(ec2->value);
    assert_null(ini_section_get(s, "ec2"));
    assert_string_equal(ini_entry_sub(ec2, "endpoint_url"), "http://127.0.0.1:4566");
    /* sub-keys keep their case; the value is split at the first '=' */
    assert_string_equal(ini_entry_sub(ec2, "Other_Key"), "X = Y");
    assert_null(ini_entry_sub(ec2, "other_key"));
    assert_string_equal(ini_entry_sub(ini_section_entry(s, "sts"), "endpoint_url"),
                        "http://127.0.0.1:5000");
    assert_string_equal(ini_section_get(ini_file_section(&ini, "next"), "a"), "1");
    ini_file_finish(&ini);
    vpcx_error_finish(&err);
}

static void test_multiline_value(void **state)
{
    (void)state;
    struct ini_file ini = {0};
    struct vpcx_error err = {0};
    const char *text = "[a]\nkey = first\n  second\n\n   third\n\nnext = 2\n";
    assert_int_equal(parse(&ini, text, &err), VPCX_OK);
    const struct ini_section *a = ini_file_section(&ini, "a");
    assert_string_equal(ini_section_get(a, "key"), "first\nsecond\n\nthird");
    assert_string_equal(ini_section_get(a, "next"), "2");
    ini_file_finish(&ini);
    vpcx_error_finish(&err);
}

static void test_crlf_and_cr(void **state)
{
    (void)state;
    struct ini_file ini = {0};
    struct vpcx_error err = {0};
    assert_int_equal(parse(&ini, "[a]\r\nx = 1\r\nsvc =\r\n  endpoint_url = u\r\n", &err), VPCX_OK);
    const struct ini_section *a = ini_file_section(&ini, "a");
    assert_string_equal(ini_section_get(a, "x"), "1");
    assert_string_equal(ini_entry_sub(ini_section_entry(a, "svc"), "endpoint_url"), "u");
    assert_int_equal(parse(&ini, "[b]\ry = 2\r", &err), VPCX_OK);
    assert_string_equal(ini_section_get(ini_file_section(&ini, "b"), "y"), "2");
    ini_file_finish(&ini);
    vpcx_error_finish(&err);
}

static void expect_error(const char *text, enum vpcx_status want, const char *where)
{
    struct ini_file ini = {0};
    struct vpcx_error err = {0};
    assert_int_equal(parse(&ini, text, &err), want);
    assert_int_equal(err.status, want);
    assert_non_null(err.message);
    if (where && !strstr(err.message, where))
        fail_msg("message '%s' lacks '%s'", err.message, where);
    /* the offending text (maybe a secret) is never quoted */
    assert_null(strstr(err.message, "SECRETVALUE"));
    assert_int_equal(ini.nsections, 0);
    ini_file_finish(&ini);
    vpcx_error_finish(&err);
}

static void test_errors(void **state)
{
    (void)state;
    expect_error("key = SECRETVALUE\n", VPCX_ERR_CONFIG, "test.ini:1:");
    expect_error("[a]\nok = 1\nthis line is SECRETVALUE\n", VPCX_ERR_CONFIG, "test.ini:3:");
    expect_error("[a]\n= SECRETVALUE\n", VPCX_ERR_CONFIG, "test.ini:2:");
    expect_error("[a]\nx = 1\n[b]\n[a]\n", VPCX_ERR_CONFIG, "test.ini:4:");
    expect_error("[a]\nX = 1\nx = SECRETVALUE\n", VPCX_ERR_CONFIG, "test.ini:3:");
    expect_error("[a]\nec2 =\n  SECRETVALUE\n", VPCX_ERR_CONFIG, "test.ini:3:");
    expect_error("[]\n", VPCX_ERR_CONFIG, "test.ini:1:");
    expect_error("[a]\r\n\r\nbad\r\n", VPCX_ERR_CONFIG, "test.ini:3:");
    static const char nul[] = "[a]\nx = 1\0\n";
    struct ini_file ini;
    struct vpcx_error err;
    ini_file_init(&ini);
    vpcx_error_init(&err);
    assert_int_equal(ini_parse_buffer(&ini, "n.ini", nul, sizeof(nul) - 1, &err), VPCX_ERR_CONFIG);
    assert_non_null(strstr(err.message, "n.ini:2:"));
    ini_file_finish(&ini);
    vpcx_error_finish(&err);
}

static void test_defaults_and_headers(void **state)
{
    (void)state;
    struct ini_file ini = {0};
    struct vpcx_error err = {0};
    const char *text = "[DEFAULT]\nregion = eu-north-1\n"
                       "[one]\n"
                       "[two]\nregion = us-west-2\n"
                       "  [profile  x y ]  \nk = v\n";
    assert_int_equal(parse(&ini, text, &err), VPCX_OK);
    assert_null(ini_file_section(&ini, "DEFAULT"));
    assert_string_equal(ini_section_get(ini_file_section(&ini, "one"), "region"), "eu-north-1");
    /* an indented header right after a key continues the value (configparser) */
    const struct ini_section *two = ini_file_section(&ini, "two");
    assert_string_equal(ini_section_get(two, "region"), "us-west-2\n[profile  x y ]");
    assert_string_equal(ini_section_get(two, "k"), "v");
    assert_int_equal(parse(&ini, "[profile  x y ]\n", &err), VPCX_OK);
    assert_non_null(ini_file_section(&ini, "profile  x y "));
    ini_file_finish(&ini);
    vpcx_error_finish(&err);
}

static char *temp_path(const char *name)
{
    const char *tmp = getenv("TMPDIR");
    return xasprintf("%s/vpcx-test-ini-%ld-%s", tmp ? tmp : "/tmp", (long)getpid(), name);
}

static void test_files(void **state)
{
    (void)state;
    struct ini_file ini;
    struct vpcx_error err;
    bool found = true;
    ini_file_init(&ini);
    vpcx_error_init(&err);
    char *missing = temp_path("missing");
    assert_int_equal(ini_parse_file(&ini, missing, &found, &err), VPCX_OK);
    assert_false(found);

    char *small = temp_path("small");
    FILE *f = fopen(small, "w");
    assert_non_null(f);
    fputs("[default]\nregion = ap-south-1\n", f);
    fclose(f);
    assert_int_equal(ini_parse_file(&ini, small, &found, &err), VPCX_OK);
    assert_true(found);
    assert_string_equal(ini_section_get(ini_file_section(&ini, "default"), "region"), "ap-south-1");
    assert_string_equal(ini.name, small);

    char *huge = temp_path("huge");
    f = fopen(huge, "w");
    assert_non_null(f);
    fputs("[a]\n", f);
    for (size_t i = 0; i < INI_MAX_BYTES / 16 + 1; i++)
        fputs("# padding line!\n", f); /* 16 bytes */
    fclose(f);
    assert_int_equal(ini_parse_file(&ini, huge, &found, &err), VPCX_ERR_TOO_LARGE);
    assert_non_null(strstr(err.message, huge));

    char *big = xmalloc(INI_MAX_BYTES + 2);
    memset(big, '#', INI_MAX_BYTES + 1);
    assert_int_equal(ini_parse_buffer(&ini, "b", big, INI_MAX_BYTES + 1, &err), VPCX_ERR_TOO_LARGE);
    assert_int_equal(ini_parse_buffer(&ini, "b", big, INI_MAX_BYTES, &err), VPCX_OK);
    free(big);
    unlink(small);
    unlink(huge);
    free(missing);
    free(small);
    free(huge);
    ini_file_finish(&ini);
    vpcx_error_finish(&err);
}

/* Entries stored in the sections themselves (inherited ones not counted). */
static size_t stored_entries(const struct ini_file *ini)
{
    size_t n = 0;
    for (size_t i = 0; i < ini->nsections; i++)
        n += ini->sections[i].nentries;
    return n;
}

/* [DEFAULT] is inherited by lookup: a hostile file with many DEFAULT keys and
 * many sections must not store keys x sections entries. */
static void test_defaults_not_copied(void **state)
{
    (void)state;
    enum { NKEYS = 400, NSECTIONS = 500 };
    struct strbuf text;
    strbuf_init(&text, 0);
    strbuf_addstr(&text, "[DEFAULT]\n");
    for (int k = 0; k < NKEYS; k++)
        strbuf_addf(&text, "key%d = default%d\n", k, k);
    strbuf_addstr(&text, "s3 =\n  addressing_style = path\n");
    for (int s = 0; s < NSECTIONS; s++)
        strbuf_addf(&text, "[profile p%d]\nkey7 = own%d\n", s, s);
    struct ini_file ini = {0};
    struct vpcx_error err = {0};
    assert_int_equal(parse(&ini, text.buf, &err), VPCX_OK);
    assert_int_equal(ini.nsections, NSECTIONS);
    assert_int_equal(stored_entries(&ini), NSECTIONS); /* only each section's own key */
    const struct ini_section *p42 = ini_file_section(&ini, "profile p42");
    assert_string_equal(ini_section_get(p42, "key7"), "own42"); /* the section wins */
    assert_string_equal(ini_section_get(p42, "key8"), "default8");
    assert_string_equal(ini_section_get(p42, "key399"), "default399");
    assert_null(ini_section_get(p42, "key400"));
    assert_string_equal(ini_entry_sub(ini_section_entry(p42, "s3"), "addressing_style"), "path");
    assert_null(ini_file_section(&ini, "DEFAULT"));
    ini_file_finish(&ini);
    vpcx_error_finish(&err);
    strbuf_release(&text);
}

/* Parsing and looking up n keys, n sections and n nested sub-keys costs a
 * bounded number of key comparisons per key, not one per earlier key. */
static void test_lookup_cost_linear(void **state)
{
    (void)state;
    enum { N = 6000 };
    struct strbuf text;
    strbuf_init(&text, 0);
    strbuf_addstr(&text, "[big]\n");
    for (int k = 0; k < N; k++)
        strbuf_addf(&text, "key%d = v%d\n", k, k);
    strbuf_addstr(&text, "[services s]\nec2 =\n");
    for (int k = 0; k < N; k++)
        strbuf_addf(&text, "  sub%d = v%d\n", k, k);
    for (int s = 0; s < N; s++)
        strbuf_addf(&text, "[s%d]\n", s);
    struct ini_file ini = {0};
    struct vpcx_error err = {0};
    size_t before = ini_key_compares();
    assert_int_equal(parse(&ini, text.buf, &err), VPCX_OK);
    const struct ini_section *big = ini_file_section(&ini, "big");
    const struct ini_entry *ec2 = ini_section_entry(ini_file_section(&ini, "services s"), "ec2");
    for (int k = 0; k < N; k++) {
        char key[32], sec[32];
        snprintf(key, sizeof(key), "key%d", k);
        assert_non_null(ini_section_get(big, key));
        snprintf(key, sizeof(key), "sub%d", k);
        assert_non_null(ini_entry_sub(ec2, key));
        snprintf(sec, sizeof(sec), "s%d", k);
        assert_non_null(ini_file_section(&ini, sec));
    }
    size_t cost = ini_key_compares() - before;
    /* 3N keys parsed, 3N looked up: a few comparisons each, not N/2 each. */
    assert_true(cost < 6 * 4 * (size_t)N);
    ini_file_finish(&ini);
    vpcx_error_finish(&err);
    strbuf_release(&text);
}

/* configparser's rules: [DEFAULT] may repeat but its keys may not; a section
 * may redefine a DEFAULT key; iteration yields each key once. */
static void test_defaults_semantics(void **state)
{
    (void)state;
    struct ini_file ini = {0};
    struct vpcx_error err = {0};
    const char *text = "[DEFAULT]\na = 1\nsso_start_url = u\n"
                       "[p]\na = 2\nb = 3\n"
                       "[DEFAULT]\nc = 4\n";
    assert_int_equal(parse(&ini, text, &err), VPCX_OK);
    const struct ini_section *p = ini_file_section(&ini, "p");
    assert_string_equal(ini_section_get(p, "a"), "2");
    assert_string_equal(ini_section_get(p, "c"), "4");
    const char *seen[8];
    size_t n = 0, pos = 0;
    for (const struct ini_entry *e = ini_section_each(p, &pos); e; e = ini_section_each(p, &pos)) {
        assert_true(n < 8);
        seen[n++] = e->key;
    }
    assert_int_equal(n, 4);
    assert_string_equal(seen[0], "a");
    assert_string_equal(seen[1], "b");
    assert_string_equal(seen[2], "sso_start_url");
    assert_string_equal(seen[3], "c");
    expect_error("[DEFAULT]\na = 1\n[DEFAULT]\na = 2\n", VPCX_ERR_CONFIG, "test.ini:4:");
    ini_file_finish(&ini);
    vpcx_error_finish(&err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic_keys_and_comments),
        cmocka_unit_test(test_nested_services),
        cmocka_unit_test(test_multiline_value),
        cmocka_unit_test(test_crlf_and_cr),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_defaults_and_headers),
        cmocka_unit_test(test_files),
        cmocka_unit_test(test_defaults_not_copied),
        cmocka_unit_test(test_lookup_cost_linear),
        cmocka_unit_test(test_defaults_semantics),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
