#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "vpcx/core/sanitize.h"

static void check(const char *in, unsigned flags, const char *want)
{
    char *out = sanitize_dup(in, flags);
    assert_string_equal(out, want);
    free(out);
}

static void test_plain_text_unchanged(void **state)
{
    check("vpc-0123 prod", SANITIZE_ESCAPE, "vpc-0123 prod");
    check("日本語 ok", SANITIZE_ESCAPE, "日本語 ok");
    assert_true(sanitize_is_clean("abc", 3, 0));
}

static void test_escape_sequences_made_visible(void **state)
{
    check("\x1b[31mred\x1b[0m", SANITIZE_ESCAPE, "\\x1b[31mred\\x1b[0m");
    check("bell\a", SANITIZE_ESCAPE, "bell\\x07");
    check("a\r\nb\tc", SANITIZE_ESCAPE, "a\\r\\nb\\tc");
    check("a\nb", SANITIZE_SPACE, "a b");
    check("a\nb\tc\x1b", SANITIZE_KEEP_NEWLINE, "a\nb\tc\\x1b");
    /* C1 control (CSI) encoded in UTF-8 */
    check("x\xc2\x9b"
          "2J",
          SANITIZE_ESCAPE, "x\\x9b2J");
    check("del\x7f", SANITIZE_ESCAPE, "del\\x7f");
}

static void test_bidi_overrides_escaped(void **state)
{
    check("abc\xe2\x80\xae"
          "cba",
          SANITIZE_ESCAPE, "abc\\u202ecba");
    check("\xe2\x81\xa6x", SANITIZE_ESCAPE, "\\u2066x");
    /* Hebrew letters themselves are fine */
    check("\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d", SANITIZE_ESCAPE, "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d");
}

static void test_invalid_utf8_replaced(void **state)
{
    check("a\xff"
          "b",
          SANITIZE_ESCAPE,
          "a\xef\xbf\xbd"
          "b");
    check("\xe2\x82", SANITIZE_ESCAPE, "\xef\xbf\xbd\xef\xbf\xbd");
    check("\xc0\xaf", SANITIZE_ESCAPE, "\xef\xbf\xbd\xef\xbf\xbd"); /* overlong '/' */
    check("\xed\xa0\x80", SANITIZE_ESCAPE, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"); /* surrogate */
    assert_false(sanitize_is_clean("\xff", 1, 0));
}

static void test_embedded_nul_with_length(void **state)
{
    struct strbuf sb;
    strbuf_init(&sb, 0);
    sanitize_add(&sb, "a\0b", 3, SANITIZE_ESCAPE);
    assert_string_equal(sb.buf, "a\\x00b");
    strbuf_release(&sb);
}

static void check_json(const char *in, const char *want)
{
    char *out = sanitize_json_dup(in);
    assert_string_equal(out, want);
    free(out);
}

static void test_json_valid_utf8_unchanged(void **state)
{
    const char *doc =
        "{\n\t\"Name\":\t\"日本語 \xd7\xa9\xd7\x9c \\\"q\\\" \\u001b\",\n\t\"N\":[1,true,null]\n}";
    check_json(doc, doc);
    check_json("", "");
    /* An emoji (4 bytes) and U+00A0 (just past C1) pass through. */
    check_json("[\"\xf0\x9f\x98\x80\xc2\xa0\"]", "[\"\xf0\x9f\x98\x80\xc2\xa0\"]");
}

static void test_json_controls_escaped(void **state)
{
    /* C0 left raw by a hand-made document, DEL, and C1 (U+009B is CSI). */
    check_json("[\"a\x01"
               "b\x1f\"]",
               "[\"a\\u0001b\\u001f\"]");
    check_json("[\"del\x7f\"]", "[\"del\\u007f\"]");
    check_json("[\"x\xc2\x80\xc2\x9b"
               "2J\xc2\x9f\"]",
               "[\"x\\u0080\\u009b2J\\u009f\"]");
}

static void test_json_bidi_and_separators_escaped(void **state)
{
    check_json("{\"k\xe2\x80\xae\":\"\xe2\x80\xaa\xe2\x80\xac\xe2\x81\xa6\xe2\x81\xa9\"}",
               "{\"k\\u202e\":\"\\u202a\\u202c\\u2066\\u2069\"}");
    check_json("[\"\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c\xe2\x80\xa8\xe2\x80\xa9\"]",
               "[\"\\u200e\\u200f\\u061c\\u2028\\u2029\"]");
}

static void test_json_escapes_not_reread(void **state)
{
    /* An escaped quote does not end the string; an escaped backslash does not escape it. */
    check_json("[\"a\\\"\x7f\",\"b\\\\\",\"\x7f\"]", "[\"a\\\"\\u007f\",\"b\\\\\",\"\\u007f\"]");
}

static void test_json_invalid_utf8_replaced(void **state)
{
    check_json("[\"a\xff"
               "b\"]",
               "[\"a\\ufffdb\"]");
    /* Truncated, overlong and surrogate sequences: one \ufffd per byte. */
    check_json("[\"\xe2\x82\"]", "[\"\\ufffd\\ufffd\"]");
    check_json("[\"\xc0\xaf\"]", "[\"\\ufffd\\ufffd\"]");
    check_json("[\"\xed\xa0\x80\"]", "[\"\\ufffd\\ufffd\\ufffd\"]");
    /* A document cut inside a string ends cleanly. */
    check_json("[\"abc\xc2", "[\"abc\\ufffd");
    check_json("[\"abc\\", "[\"abc\\");
}

static void test_text_separators_escaped(void **state)
{
    check("a\xe2\x80\xa8"
          "b\xe2\x80\xa9",
          SANITIZE_ESCAPE, "a\\u2028b\\u2029");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_text_unchanged),
        cmocka_unit_test(test_escape_sequences_made_visible),
        cmocka_unit_test(test_bidi_overrides_escaped),
        cmocka_unit_test(test_invalid_utf8_replaced),
        cmocka_unit_test(test_embedded_nul_with_length),
        cmocka_unit_test(test_json_valid_utf8_unchanged),
        cmocka_unit_test(test_json_controls_escaped),
        cmocka_unit_test(test_json_bidi_and_separators_escaped),
        cmocka_unit_test(test_json_escapes_not_reread),
        cmocka_unit_test(test_json_invalid_utf8_replaced),
        cmocka_unit_test(test_text_separators_escaped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
