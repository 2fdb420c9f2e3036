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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_text_unchanged),
        cmocka_unit_test(test_escape_sequences_made_visible),
        cmocka_unit_test(test_bidi_overrides_escaped),
        cmocka_unit_test(test_invalid_utf8_replaced),
        cmocka_unit_test(test_embedded_nul_with_length),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
