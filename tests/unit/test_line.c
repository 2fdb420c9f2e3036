/* Lines (spans with roles) and how the widget measures untrusted text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "vpcx/ui/draw.h"
#include "vpcx/ui/line.h"

static void test_spans(void **state)
{
    (void)state;
    struct ui_line l;
    line_init(&l);
    line_add(&l, ROLE_ID, "subnet-1");
    line_addf(&l, ROLE_COUNTER, " (%d)", 42);
    line_add_fixed(&l, ROLE_VALUE, "10.0.0.1", 15, 1);
    line_add(&l, ROLE_NAME, NULL);
    assert_int_equal(l.n, 4);
    assert_int_equal(l.spans[1].role, ROLE_COUNTER);
    assert_int_equal(l.spans[1].len, 5);
    assert_int_equal(l.spans[2].width, 15);
    assert_true(l.spans[2].align_right);
    assert_int_equal(l.spans[3].len, 0);
    char *plain = line_plain(&l);
    assert_string_equal(plain, "subnet-1 (42)10.0.0.1");
    free(plain);
    line_reset(&l);
    assert_int_equal(l.n, 0);
    line_add(&l, ROLE_NORMAL, "x");
    plain = line_plain(&l);
    assert_string_equal(plain, "x");
    free(plain);
    line_finish(&l);
}

static void test_widths(void **state)
{
    (void)state;
    if (!setlocale(LC_ALL, "C.UTF-8"))
        skip();
    assert_int_equal(draw_text_width("abc", 3, true), 3);
    /* Wide CJK: two cells each. */
    assert_int_equal(draw_text_width("\xe6\x9d\xb1\xe4\xba\xac", 6, true), 4);
    /* Hebrew: one cell each, in logical order. */
    assert_int_equal(draw_text_width("\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d", 8, true), 4);
    /* ESC shows as the four cells "\x1b"; BEL, CR too. */
    assert_int_equal(draw_text_width("\x1b[31m", 5, true), 4 + 4);
    assert_int_equal(draw_text_width("a\rb", 3, true), 4);
    /* A bidi override is shown as \u202e (6 cells), never emitted. */
    assert_int_equal(draw_text_width("\xe2\x80\xae", 3, true), 6);
    /* Invalid UTF-8 byte: escaped. */
    assert_int_equal(draw_text_width("\xff", 1, true), 4);
    /* Without UTF-8 every non-ASCII character is one '?'. */
    assert_int_equal(draw_text_width("\xe6\x9d\xb1", 3, false), 1);
    const struct ui_glyphs *g = draw_glyphs(false);
    assert_string_equal(g->expanded, "-");
    assert_string_equal(draw_glyphs(true)->ellipsis, "\xe2\x80\xa6");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spans),
        cmocka_unit_test(test_widths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
