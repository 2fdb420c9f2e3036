/*
 * headless: drives the explorer with a key script on a virtual screen and
 * writes the screen as text (tests, benchmarks, screenshots).
 *
 * Script lines:
 *   j | Down | Enter | C-d | Esc | Space ...   one key (a name keymap knows)
 *   :ip 10.0.1.5<Enter>                         text typed as is; <Name> is a key
 *   type TEXT                                   TEXT typed as is (no <> parsing)
 *   resize 60x20                                a new screen size
 *   snap                                        write the current screen now
 *   wait                                        run the network until the fetch and
 *                                               every other call (a mutation) ends,
 *                                               then the cache write it owes
 *   pause-file PATH                             create PATH.paused, then wait until
 *                                               PATH exists (tests change AWS meanwhile)
 *   # comment, blank lines                      ignored
 * The final screen is always written (to opts->screen_out, "-" or NULL for
 * stdout), unless SIGINT, SIGTERM or SIGHUP stopped the script. With opts->stats, one line per key
 * goes to stderr: the key, the bytes curses wrote for it and the microseconds it took (handling and
 * painting), then a summary.
 */
#ifndef VPCX_UI_HEADLESS_H
#define VPCX_UI_HEADLESS_H

#include "vpcx/core/status.h"
#include "vpcx/ui/app.h"

/* Returns the exit code (0, 1 when the script cannot be read, 128 + the signal
 * that stopped it). */
int headless_run(struct app *a, const struct app_options *opts, struct vpcx_error *err);

#endif
