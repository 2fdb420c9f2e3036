/* The list widget's moves: C-d and C-u move the cursor and the view half a page together. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "vpcx/ui/listwidget.h"
#include "vpcx/ui/view.h"

static size_t n_rows = 100;

static size_t rows(struct view *v)
{
    (void)v;
    return n_rows;
}

static const struct view_ops ops = {.name = "test", .row_count = rows};

static void test_half_page(void **state)
{
    (void)state;
    struct view v = {.ops = &ops, .cursor = 5, .top = 0, .height = 20};
    assert_int_equal(list_key(&v, ACT_HALF_DOWN), VIEW_REDRAW);
    assert_int_equal(v.top, 10);
    assert_int_equal(v.cursor, 15); /* same place on screen */
    list_key(&v, ACT_HALF_UP);
    assert_int_equal(v.top, 0);
    assert_int_equal(v.cursor, 5);
    /* At the top the view cannot move: the cursor goes on alone. */
    list_key(&v, ACT_HALF_UP);
    assert_int_equal(v.cursor, 0);
    assert_int_equal(list_key(&v, ACT_HALF_UP), VIEW_HANDLED);
    /* Near the end the view stops at the last page; the cursor reaches the last row. */
    v.top = 75;
    v.cursor = 85;
    list_key(&v, ACT_HALF_DOWN);
    assert_int_equal(v.top, 80);
    assert_int_equal(v.cursor, 95);
    list_key(&v, ACT_HALF_DOWN);
    assert_int_equal(v.cursor, 99);
    assert_int_equal(v.top, 80);
    /* A list shorter than the screen: only the cursor moves. */
    n_rows = 7;
    struct view s = {.ops = &ops, .cursor = 0, .top = 0, .height = 20};
    list_key(&s, ACT_HALF_DOWN);
    assert_int_equal(s.top, 0);
    assert_int_equal(s.cursor, 6);
    n_rows = 100;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_half_page),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
