#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"

static void test_empty_is_printable(void **state)
{
    struct strbuf sb = STRBUF_INIT;
    strbuf_init(&sb, 0);
    assert_string_equal(strbuf_str(&sb), "");
    assert_int_equal(sb.len, 0);
    strbuf_release(&sb);
    strbuf_release(&sb); /* twice is harmless */
}

static void test_add_and_grow(void **state)
{
    struct strbuf sb;
    strbuf_init(&sb, 0);
    for (int i = 0; i < 1000; i++)
        strbuf_addch(&sb, (char)('a' + i % 26));
    assert_int_equal(sb.len, 1000);
    assert_int_equal(strlen(sb.buf), 1000);
    assert_true(sb.alloc > sb.len);
    assert_int_equal(sb.buf[26], 'a');
    strbuf_release(&sb);
}

static void test_addf_and_binary(void **state)
{
    struct strbuf sb;
    strbuf_init(&sb, 4);
    strbuf_addf(&sb, "%s-%d", "vpc", 42);
    strbuf_add(&sb, "\0x", 2);
    assert_int_equal(sb.len, 8);
    assert_memory_equal(sb.buf, "vpc-42\0x", 8);
    strbuf_release(&sb);
}

static void test_trim_reset_detach(void **state)
{
    struct strbuf sb;
    strbuf_init(&sb, 0);
    strbuf_addstr(&sb, " \t\n token \r\n");
    strbuf_trim(&sb);
    assert_string_equal(sb.buf, "token");
    strbuf_reset(&sb);
    assert_string_equal(sb.buf, "");
    strbuf_addstr(&sb, "kept");
    size_t len;
    char *p = strbuf_detach(&sb, &len);
    assert_string_equal(p, "kept");
    assert_int_equal(len, 4);
    assert_int_equal(sb.len, 0);
    free(p);
    p = strbuf_detach(&sb, NULL); /* detaching an empty buffer still gives a string */
    assert_string_equal(p, "");
    free(p);
}

static void test_add_bounded(void **state)
{
    (void)state;
    struct strbuf sb;
    strbuf_init(&sb, 0);
    assert_true(strbuf_add_bounded(&sb, "abcd", 4, 6));
    assert_false(strbuf_add_bounded(&sb, "efg", 3, 6)); /* 7 > 6: nothing added */
    assert_string_equal(sb.buf, "abcd");
    assert_true(strbuf_add_bounded(&sb, "ef", 2, 6));          /* exactly the cap */
    assert_false(strbuf_add_bounded(&sb, "x", (size_t)-1, 6)); /* no overflow */
    assert_int_equal(sb.len, 6);
    strbuf_release(&sb);
}

static void test_xalloc_helpers(void **state)
{
    char *s = xstrndup("abcdef", 3);
    assert_string_equal(s, "abc");
    free(s);
    s = xasprintf("%s/%04d", "x", 7);
    assert_string_equal(s, "x/0007");
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_is_printable), cmocka_unit_test(test_add_and_grow),
        cmocka_unit_test(test_addf_and_binary),    cmocka_unit_test(test_trim_reset_detach),
        cmocka_unit_test(test_add_bounded),        cmocka_unit_test(test_xalloc_helpers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
