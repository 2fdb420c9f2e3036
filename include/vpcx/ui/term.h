/*
 * term: the terminal under curses, and getting it back.
 *
 * term_open() saves the tty modes, installs handlers for SIGINT, SIGTERM,
 * SIGHUP and SIGWINCH that only write a byte to a self-pipe (read in the
 * event loop's one wait), and handlers for fatal signals (SIGSEGV, SIGABRT,
 * SIGBUS, SIGFPE, SIGILL) that restore the terminal with async-signal-safe
 * writes before dying. atexit() restores too, so no path leaves the terminal
 * in the alternate screen with the cursor hidden.
 *
 * Headless mode draws into a virtual screen of a given size: curses writes to
 * a temporary file that only counts bytes (what the frames would cost over SSH).
 * Only one term may be open at a time (signal handlers are process-wide).
 */
#ifndef VPCX_UI_TERM_H
#define VPCX_UI_TERM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vpcx/core/status.h"

struct term_options {
    bool headless;
    int rows, cols; /* headless size */
    bool mouse;     /* report clicks and the wheel */
    bool no_color;  /* NO_COLOR, or a monochrome theme */
};

enum term_signal {
    TERM_SIG_NONE = 0,
    TERM_SIG_RESIZE = 1 << 0,
    TERM_SIG_QUIT = 1 << 1, /* any of the three below */
    TERM_SIG_INT = 1 << 2,
    TERM_SIG_TERM = 1 << 3,
    TERM_SIG_HUP = 1 << 4,
};

struct ui_term;

struct ui_term *term_open(const struct term_options *opts, struct vpcx_error *err);
/* Leaves curses and the alternate screen, restores modes and the handlers
 * that were in place before term_open. */
void term_close(struct ui_term *t);

/* Readable when a signal arrived; see term_take_signals. */
int term_signal_fd(const struct ui_term *t);
/* Keyboard input (-1 in headless mode). */
int term_input_fd(const struct ui_term *t);
/* Bytes of input wait to be read (always false headless). */
bool term_input_pending(const struct ui_term *t);
/* Drains the self-pipe: enum term_signal bits. */
unsigned term_take_signals(struct ui_term *t);
/* Applies the real window size after SIGWINCH (headless: the given size). */
void term_resize(struct ui_term *t, int rows, int cols);
/* 0 without colour, else the number of colours. */
int term_colors(const struct ui_term *t);
bool term_utf8(const struct ui_term *t);
/* Writes bytes straight to the terminal after curses output (OSC 52). */
void term_write_raw(struct ui_term *t, const char *s, size_t len);
/* Bytes curses has written so far (headless sink or real terminal). */
uint64_t term_bytes_written(struct ui_term *t);

#endif
