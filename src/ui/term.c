#include "vpcx/ui/term.h"

#include "vpcx/core/xalloc.h"
#include "vpcx/ui/draw.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <term.h>
#include <termios.h>
#include <unistd.h>

struct ui_term {
    SCREEN *screen;
    FILE *out, *in;
    bool headless;
    bool utf8;
    int colors;
    uint64_t bytes; /* headless sink */
    bool have_termios;
    struct termios saved;
};

/* Process-wide because signal handlers cannot take arguments. */
static int sig_pipe[2] = {-1, -1};
static volatile sig_atomic_t term_active;
static int restore_fd = -1;
static struct termios restore_modes;
static bool restore_modes_valid;
static char restore_seq[128];
static size_t restore_len;
static struct ui_term *open_term;

static const int quit_signals[] = {SIGINT, SIGTERM, SIGHUP};
static const int fatal_signals[] = {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL};

static void on_signal(int sig)
{
    int saved = errno;
    char c = sig == SIGWINCH ? 'W' : sig == SIGINT ? 'I' : sig == SIGTERM ? 'T' : 'H';
    if (sig_pipe[1] >= 0 && write(sig_pipe[1], &c, 1) < 0) {
        /* a full pipe already holds a wake-up */
    }
    errno = saved;
}

static void restore_now(void)
{
    if (!term_active)
        return;
    term_active = 0;
    if (restore_fd >= 0 && restore_len && write(restore_fd, restore_seq, restore_len) < 0) {
        /* nothing more can be done from here */
    }
    if (restore_modes_valid)
        tcsetattr(restore_fd, TCSAFLUSH, &restore_modes);
}

static void on_fatal(int sig)
{
    restore_now();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void on_exit_restore(void)
{
    if (open_term)
        term_close(open_term);
}

#define N_QUIT  (sizeof(quit_signals) / sizeof(quit_signals[0]))
#define N_FATAL (sizeof(fatal_signals) / sizeof(fatal_signals[0]))

/* What each signal did before term_open, put back by term_close (the CLI's own
 * handlers, say, for the time after the explorer). */
static struct sigaction saved_winch, saved_quit[N_QUIT], saved_fatal[N_FATAL];
static bool saved_fatal_valid;

static void install(int sig, void (*fn)(int), struct sigaction *old)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = fn;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(sig, &sa, old);
}

static void install_handlers(bool real)
{
    install(SIGWINCH, on_signal, &saved_winch);
    for (size_t i = 0; i < N_QUIT; i++)
        install(quit_signals[i], on_signal, &saved_quit[i]);
    saved_fatal_valid = real;
    if (!real)
        return;
    for (size_t i = 0; i < N_FATAL; i++)
        install(fatal_signals[i], on_fatal, &saved_fatal[i]);
}

static void reset_handlers(void)
{
    sigaction(SIGWINCH, &saved_winch, NULL);
    for (size_t i = 0; i < N_QUIT; i++)
        sigaction(quit_signals[i], &saved_quit[i], NULL);
    for (size_t i = 0; saved_fatal_valid && i < N_FATAL; i++)
        sigaction(fatal_signals[i], &saved_fatal[i], NULL);
    saved_fatal_valid = false;
}

static bool open_pipe(void)
{
    if (pipe(sig_pipe) != 0)
        return false;
    for (int i = 0; i < 2; i++) {
        fcntl(sig_pipe[i], F_SETFL, fcntl(sig_pipe[i], F_GETFL) | O_NONBLOCK);
        fcntl(sig_pipe[i], F_SETFD, FD_CLOEXEC);
    }
    return true;
}

static void close_pipe(void)
{
    for (int i = 0; i < 2; i++) {
        if (sig_pipe[i] >= 0)
            close(sig_pipe[i]);
        sig_pipe[i] = -1;
    }
}

static void add_cap(const char *cap, const char *fallback)
{
    const char *s = tigetstr((char *)(uintptr_t)cap);
    if (!s || s == (char *)-1)
        s = fallback;
    size_t n = strlen(s);
    if (restore_len + n < sizeof(restore_seq)) {
        memcpy(restore_seq + restore_len, s, n);
        restore_len += n;
    }
}

/* What a fatal signal writes: plain attributes, cursor on, main screen. */
static void prepare_restore(int fd)
{
    restore_len = 0;
    restore_fd = fd;
    add_cap("sgr0", "\033[m");
    add_cap("cnorm", "\033[?25h");
    add_cap("rmcup", "");
    add_cap("rmkx", "");
}

/* Bytes curses wrote to the headless sink since the last call; empties it. */
static uint64_t sink_take(struct ui_term *t)
{
    if (!t->out)
        return 0;
    fflush(t->out);
    off_t pos = lseek(fileno(t->out), 0, SEEK_CUR);
    if (pos <= 0)
        return 0;
    if (ftruncate(fileno(t->out), 0) != 0 || lseek(fileno(t->out), 0, SEEK_SET) != 0)
        return (uint64_t)pos;
    return (uint64_t)pos;
}

static int pick_colors(bool no_color)
{
    if (no_color || !has_colors())
        return 0;
    if (start_color() != OK)
        return 0;
    use_default_colors();
    return COLORS >= 256 ? 256 : COLORS >= 16 ? 16 : COLORS >= 8 ? 8 : 0;
}

static void setup_modes(struct ui_term *t, bool mouse)
{
    cbreak();
    noecho();
    nonl();
    intrflush(stdscr, FALSE);
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    set_escdelay(25);
    curs_set(0);
    leaveok(stdscr, TRUE);
    if (mouse) {
        mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_DOUBLE_CLICKED | BUTTON4_PRESSED |
                      BUTTON5_PRESSED,
                  NULL);
        mouseinterval(0);
    }
    (void)t;
}

static struct ui_term *open_headless(struct ui_term *t, const struct term_options *o,
                                     struct vpcx_error *err)
{
    /* curses writes with write(2) on the file's descriptor: a temporary file
       counts the bytes (its offset), emptied after each measurement. */
    t->out = tmpfile();
    t->in = fopen("/dev/null", "r");
    if (!t->out || !t->in) {
        vpcx_error_set(err, VPCX_ERR_IO, "cannot open the headless screen");
        return NULL;
    }
    t->screen = newterm("xterm-256color", t->out, t->in);
    if (!t->screen) {
        vpcx_error_set(err, VPCX_ERR_IO, "no terminfo entry for xterm-256color");
        return NULL;
    }
    resize_term(o->rows, o->cols);
    return t;
}

static struct ui_term *open_real(struct ui_term *t, struct vpcx_error *err)
{
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        vpcx_error_set(err, VPCX_ERR_USAGE, "the explorer needs a terminal (try 'vpcx dump')");
        return NULL;
    }
    t->have_termios = tcgetattr(STDOUT_FILENO, &t->saved) == 0;
    restore_modes = t->saved;
    restore_modes_valid = t->have_termios;
    t->out = stdout;
    t->in = stdin;
    t->screen = newterm(NULL, stdout, stdin);
    if (!t->screen) {
        vpcx_error_set(err, VPCX_ERR_USAGE, "unknown terminal type '%s'",
                       getenv("TERM") ? getenv("TERM") : "");
        return NULL;
    }
    prepare_restore(STDOUT_FILENO);
    term_active = 1;
    return t;
}

struct ui_term *term_open(const struct term_options *o, struct vpcx_error *err)
{
    if (open_term) {
        vpcx_error_set(err, VPCX_ERR_INTERNAL, "a terminal is already open");
        return NULL;
    }
    struct ui_term *t = xcalloc(1, sizeof(*t));
    t->headless = o->headless;
    if (!open_pipe()) {
        free(t);
        vpcx_error_set(err, VPCX_ERR_IO, "pipe: %s", strerror(errno));
        return NULL;
    }
    /* Ours before curses starts, so curses keeps its hands off these signals. */
    install_handlers(!o->headless);
    struct ui_term *ok = o->headless ? open_headless(t, o, err) : open_real(t, err);
    if (!ok) {
        if (t->screen) {
            endwin();
            delscreen(t->screen);
        }
        if (t->headless && t->out)
            fclose(t->out);
        if (t->headless && t->in)
            fclose(t->in);
        reset_handlers();
        close_pipe();
        free(t);
        return NULL;
    }
    open_term = t;
    static bool registered;
    if (!registered)
        registered = atexit(on_exit_restore) == 0;
    t->utf8 = draw_locale_utf8();
    t->colors = pick_colors(o->no_color);
    setup_modes(t, o->mouse && !o->headless);
    return t;
}

void term_close(struct ui_term *t)
{
    if (!t)
        return;
    if (t->screen) {
        curs_set(1);
        endwin();
        if (t->out)
            fflush(t->out);
        delscreen(t->screen);
    }
    term_active = 0;
    if (t->have_termios)
        tcsetattr(STDOUT_FILENO, TCSADRAIN, &t->saved);
    if (t->headless) {
        fclose(t->out);
        fclose(t->in);
    }
    reset_handlers();
    close_pipe();
    if (open_term == t)
        open_term = NULL;
    free(t);
}

int term_signal_fd(const struct ui_term *t)
{
    (void)t;
    return sig_pipe[0];
}

int term_input_fd(const struct ui_term *t)
{
    return t->headless ? -1 : STDIN_FILENO;
}

bool term_input_pending(const struct ui_term *t)
{
    struct pollfd p = {.fd = term_input_fd(t), .events = POLLIN};
    return p.fd >= 0 && poll(&p, 1, 0) > 0 && (p.revents & POLLIN);
}

unsigned term_take_signals(struct ui_term *t)
{
    (void)t;
    unsigned bits = 0;
    char buf[64];
    ssize_t n;
    while ((n = read(sig_pipe[0], buf, sizeof(buf))) > 0)
        for (ssize_t i = 0; i < n; i++)
            bits |= buf[i] == 'W'   ? TERM_SIG_RESIZE
                    : buf[i] == 'I' ? TERM_SIG_QUIT | TERM_SIG_INT
                    : buf[i] == 'T' ? TERM_SIG_QUIT | TERM_SIG_TERM
                                    : TERM_SIG_QUIT | TERM_SIG_HUP;
    return bits;
}

void term_resize(struct ui_term *t, int rows, int cols)
{
    if (!t->headless) {
        struct winsize ws;
        if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) != 0 || ws.ws_row == 0 || ws.ws_col == 0)
            return;
        rows = ws.ws_row;
        cols = ws.ws_col;
    }
    if (rows < 1 || cols < 1)
        return;
    resize_term(rows, cols);
    /* The terminal kept, cropped or reflowed the old frame as it saw fit: curses
       must not trust its copy of it, so the next update clears and repaints all. */
    clearok(curscr, TRUE);
}

int term_colors(const struct ui_term *t)
{
    return t->colors;
}

bool term_utf8(const struct ui_term *t)
{
    return t->utf8;
}

void term_write_raw(struct ui_term *t, const char *s, size_t len)
{
    fflush(t->out);
    if (t->headless) {
        t->bytes += len;
        return;
    }
    while (len) {
        ssize_t n = write(fileno(t->out), s, len);
        if (n <= 0 && errno != EINTR)
            return;
        if (n > 0) {
            s += n;
            len -= (size_t)n;
        }
    }
}

uint64_t term_bytes_written(struct ui_term *t)
{
    if (t->headless)
        t->bytes += sink_take(t);
    return t->bytes;
}
