/*
 * fuzz_theme: theme files (themes/NAME.theme), parsed by theme_parse
 * (ui/theme.h; pure, no curses calls).
 *
 * Input: the file's text. After a parse, good or bad, every role's colours
 * are -1 or a valid colour number that maps into 8, 16 and 256 colours.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vpcx/core/status.h"
#include "vpcx/ui/theme.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_color(short c)
{
    if (c < -1 || c > 255)
        abort();
    static const int depths[] = {8, 16, 256};
    for (size_t i = 0; i < sizeof(depths) / sizeof(depths[0]); i++) {
        short m = theme_color_for(c, depths[i]);
        if (m < -1 || m >= depths[i])
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct theme t;
    theme_init_default(&t);
    struct vpcx_error err;
    vpcx_error_init(&err);
    enum vpcx_status st = theme_parse(&t, "fuzz", (const char *)data, size, &err);
    if (st != VPCX_OK && !err.message)
        abort();
    for (int r = 0; r < ROLE_COUNT; r++) {
        check_color(t.style[r].fg);
        check_color(t.style[r].bg);
        if (!theme_role_name((enum theme_role)r))
            abort();
    }
    vpcx_error_finish(&err);
    theme_finish(&t);
    return 0;
}
