/*
 * fuzz_uiconfig: the explorer's config file (~/.config/vpcx/config), parsed by
 * keymap_parse_config (ui/keymap.h; pure, no curses calls).
 *
 * Input: the file's text. Whatever it holds, every action keeps a printable
 * key list and every bound key resolves to a known action.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vpcx/core/status.h"
#include "vpcx/ui/keymap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_keymap(const struct keymap *km)
{
    for (int a = 0; a < ACT_COUNT; a++) {
        char *keys = keymap_keys_for(km, (enum action)a);
        if (!keys)
            abort();
        free(keys);
        if (!action_name((enum action)a))
            abort();
    }
    for (int key = 0; key < 600; key++) {
        enum action a = keymap_lookup(km, key);
        if ((int)a < 0 || (int)a >= ACT_COUNT)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct keymap *km = keymap_create();
    struct ui_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    struct vpcx_error err;
    vpcx_error_init(&err);
    enum vpcx_status st = keymap_parse_config(km, &cfg, "fuzz", (const char *)data, size, &err);
    if (st != VPCX_OK && !err.message)
        abort(); /* a refusal says why */
    check_keymap(km);
    (void)ui_config_profile_writes(&cfg, NULL);
    (void)ui_config_profile_writes(&cfg, "prod");
    vpcx_error_finish(&err);
    ui_config_finish(&cfg);
    keymap_destroy(km);
    return 0;
}
