/* Key names, default bindings, remapping from config text, help text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "vpcx/model/cost.h"
#include "vpcx/ui/keymap.h"

static void test_key_names(void **state)
{
    (void)state;
    assert_int_equal(keymap_parse_key("j"), 'j');
    assert_int_equal(keymap_parse_key("C-d"), 4);
    assert_int_equal(keymap_parse_key("c-U"), 21);
    assert_int_equal(keymap_parse_key("Down"), KEY_DOWN);
    assert_int_equal(keymap_parse_key("pgdn"), KEY_NPAGE);
    assert_int_equal(keymap_parse_key("Esc"), 27);
    assert_int_equal(keymap_parse_key("Enter"), '\n');
    assert_int_equal(keymap_parse_key("F5"), KEY_F(5));
    assert_int_equal(keymap_parse_key("F13"), -1);
    assert_int_equal(keymap_parse_key("C-"), -1);
    assert_int_equal(keymap_parse_key("nonsense"), -1);
    assert_int_equal(keymap_parse_key(""), -1);
    char *n = keymap_key_name(4);
    assert_string_equal(n, "C-d");
    free(n);
    n = keymap_key_name(KEY_NPAGE);
    assert_string_equal(n, "PgDn");
    free(n);
}

static void test_defaults(void **state)
{
    (void)state;
    struct keymap *km = keymap_create();
    assert_int_equal(keymap_lookup(km, 'j'), ACT_DOWN);
    assert_int_equal(keymap_lookup(km, KEY_DOWN), ACT_DOWN);
    assert_int_equal(keymap_lookup(km, '\r'), ACT_ENTER); /* nonl(): Enter arrives as CR */
    assert_int_equal(keymap_lookup(km, KEY_ENTER), ACT_ENTER);
    assert_int_equal(keymap_lookup(km, 127), ACT_PARENT);
    assert_int_equal(keymap_lookup(km, 'q'), ACT_QUIT);
    assert_int_equal(keymap_lookup(km, 27), ACT_BACK);
    assert_int_equal(keymap_lookup(km, '/'), ACT_FILTER);
    assert_int_equal(keymap_lookup(km, 'm'), ACT_MATRIX);
    assert_int_equal(keymap_lookup(km, 'Z'), ACT_NONE);
    assert_int_equal(keymap_lookup(km, -1), ACT_NONE);
    assert_int_equal(keymap_lookup(km, 100000), ACT_NONE);
    char *keys = keymap_keys_for(km, ACT_DOWN);
    assert_string_equal(keys, "j, Down");
    free(keys);
    keymap_destroy(km);
}

static void test_config(void **state)
{
    (void)state;
    struct keymap *km = keymap_create();
    struct ui_config cfg = {0};
    struct vpcx_error e;
    vpcx_error_init(&e);
    const char *text = "# my keys\nbind J down\nunbind j\nset mouse on\nset theme light\n"
                       "bind C-n page-down\nset max-age 2h\n"
                       /* read by vpcx check and cost; the explorer must not refuse them */
                       "ignore sg-no-https vpce-1 reached through a proxy\n"
                       "price eu-west-1 interface-hour 0.011\n";
    assert_int_equal(keymap_parse_config(km, &cfg, "cfg", text, strlen(text), &e), VPCX_OK);
    assert_int_equal(keymap_lookup(km, 'J'), ACT_DOWN);
    assert_int_equal(keymap_lookup(km, 'j'), ACT_NONE);
    assert_int_equal(keymap_lookup(km, 14), ACT_PAGE_DOWN);
    assert_true(cfg.mouse && cfg.mouse_set);
    assert_string_equal(cfg.theme, "light");
    assert_true(cfg.max_age_set);
    assert_int_equal(cfg.max_age, 7200);
    assert_int_equal(keymap_lookup(km, 'S'), ACT_SAVE);
    /* C-d and C-u scroll half a page, as in less and vim; C-f and C-b a whole one. */
    assert_int_equal(keymap_lookup(km, 4), ACT_HALF_DOWN);
    assert_int_equal(keymap_lookup(km, 21), ACT_HALF_UP);
    assert_int_equal(keymap_lookup(km, 6), ACT_PAGE_DOWN);
    /* The price line reaches the prices the matrix's cost column reads. */
    double usd = 0;
    assert_non_null(cfg.prices);
    assert_true(cost_price(cfg.prices, "eu-west-1", COST_INTERFACE_HOUR, &usd, NULL));
    assert_true(usd > 0.0109 && usd < 0.0111);
    char *keys = keymap_keys_for(km, ACT_DOWN);
    assert_string_equal(keys, "J, Down");
    free(keys);
    static const char *const bad[][2] = {
        {"bind x fly\n", "unknown action 'fly'"}, {"bind Hyper-x down\n", "unknown key"},
        {"set mouse maybe\n", "on or off"},       {"\n\nfrobnicate\n", "cfg, line 3"},
        {"set colour red\n", "unknown setting"},  {"set max-age soon\n", "duration"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        vpcx_error_finish(&e);
        vpcx_error_init(&e);
        assert_int_not_equal(keymap_parse_config(km, &cfg, "cfg", bad[i][0], strlen(bad[i][0]), &e),
                             VPCX_OK);
        assert_non_null(strstr(e.message, bad[i][1]));
    }
    enum action a;
    assert_true(action_from_name("copy-arn", &a) && a == ACT_COPY_EXTRA);
    assert_false(action_from_name("COPY", &a));
    assert_string_equal(action_name(ACT_HELP), "help");
    vpcx_error_finish(&e);
    ui_config_finish(&cfg);
    keymap_destroy(km);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_names),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
