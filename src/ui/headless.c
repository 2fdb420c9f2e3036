#include "vpcx/ui/headless.h"

#include "vpcx/core/clock.h"
#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct run {
    struct app *app;
    FILE *out;
    bool every;
    bool stats;
    bool done; /* the app quit */
    unsigned keys;
    uint64_t bytes, move_bytes, move_keys;
    double usec, max_usec, move_usec;
    uint64_t *moves; /* bytes of each cursor move, for the median */
    size_t cap_moves;
};

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static bool is_move(int key)
{
    return key == 'j' || key == 'k' || key == KEY_UP || key == KEY_DOWN;
}

static void snap(struct run *r, const char *label)
{
    fprintf(r->out, "--- %s ---\n", label);
    app_dump_screen(r->app, r->out);
}

static void feed(struct run *r, int key)
{
    if (r->done)
        return;
    uint64_t b0 = app_bytes_written(r->app);
    double t0 = clock_usec(CLOCK_MONOTONIC), c0 = clock_usec(CLOCK_PROCESS_CPUTIME_ID);
    bool go_on = app_handle_key(r->app, key);
    app_paint(r->app);
    double dt = clock_usec(CLOCK_MONOTONIC) - t0, dc = clock_usec(CLOCK_PROCESS_CPUTIME_ID) - c0;
    uint64_t db = app_bytes_written(r->app) - b0;
    r->keys++;
    r->bytes += db;
    r->usec += dt;
    if (dt > r->max_usec)
        r->max_usec = dt;
    if (is_move(key)) {
        if (r->move_keys == r->cap_moves) {
            r->cap_moves = r->cap_moves ? r->cap_moves * 2 : 64;
            r->moves = xreallocarray(r->moves, r->cap_moves, sizeof(*r->moves));
        }
        r->moves[r->move_keys] = db;
        r->move_keys++;
        r->move_bytes += db;
        r->move_usec += dt;
    }
    char *name = keymap_key_name(key);
    if (r->stats)
        fprintf(stderr, "key %-10s bytes %6llu usec %8.0f cpu-usec %8.0f\n", name,
                (unsigned long long)db, dt, dc);
    if (r->every)
        snap(r, name);
    free(name);
    r->done = !go_on;
}

/* "text<Enter>more": literal characters, <Name> for named keys. The keys of one line
 * arrive together, as typed ahead: each but the last sees more input queued. */
static void feed_text(struct run *r, const char *s, bool angle)
{
    while (*s && !r->done) {
        const char *close = angle && *s == '<' ? strchr(s, '>') : NULL;
        if (close && close > s + 1) {
            char *name = xstrndup(s + 1, (size_t)(close - s - 1));
            int key = keymap_parse_key(name);
            free(name);
            if (key >= 0) {
                s = close + 1;
                app_set_typeahead(r->app, *s != '\0');
                feed(r, key);
                continue;
            }
        }
        int key = (unsigned char)*s++;
        app_set_typeahead(r->app, *s != '\0');
        feed(r, key);
    }
    app_set_typeahead(r->app, false);
}

/* Creates PATH.paused, then waits (60 s at most) until PATH exists: a test changes the
 * world while the explorer sits still, then lets it go on. */
static void pause_file(struct run *r, const char *path)
{
    char *flag = xasprintf("%s.paused", path);
    FILE *f = fopen(flag, "w");
    if (f)
        fclose(f);
    free(flag);
    for (int i = 0; i < 1200 && access(path, F_OK) != 0; i++) {
        if (app_check_signals(r->app))
            return;
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    if (access(path, F_OK) != 0)
        fprintf(stderr, "vpcx: headless: %s did not appear in 60 s\n", path);
}

static void run_line(struct run *r, char *line)
{
    size_t len = strlen(line);
    while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        line[--len] = '\0';
    if (len == 0 || line[0] == '#')
        return;
    int rows, cols;
    if (sscanf(line, "resize %dx%d", &cols, &rows) == 2) {
        app_resize(r->app, rows, cols);
        app_paint(r->app);
        return;
    }
    if (strcmp(line, "wait") == 0) {
        if (!app_wait_fetch(r->app, 60000) && !app_check_signals(r->app))
            fprintf(stderr, "vpcx: headless: the fetch did not finish in 60 s\n");
        if (r->stats) {
            struct app_wait_stats ws;
            app_get_wait_stats(r->app, &ws);
            fprintf(stderr,
                    "wait steps %lu main-busy-max-usec %.0f step-max-usec %.0f "
                    "step-cpu-max-usec %.0f main-cpu-max-usec %.0f main-cpu-total-usec %.0f\n",
                    ws.steps, ws.max_busy_usec, ws.max_step_usec, ws.max_step_cpu_usec,
                    ws.max_cpu_usec, ws.total_cpu_usec);
        }
        app_paint(r->app);
        return;
    }
    if (strncmp(line, "pause-file ", 11) == 0) {
        pause_file(r, line + 11);
        app_paint(r->app);
        return;
    }
    if (strcmp(line, "snap") == 0) {
        snap(r, "snap");
        return;
    }
    if (strncmp(line, "type ", 5) == 0) {
        feed_text(r, line + 5, false);
        return;
    }
    int key = keymap_parse_key(line);
    if (key >= 0)
        feed(r, key);
    else
        feed_text(r, line, true);
}

static void summary(struct run *r)
{
    fprintf(stderr, "keys %u bytes %llu mean-bytes %.0f mean-usec %.0f max-usec %.0f\n", r->keys,
            (unsigned long long)r->bytes, r->keys ? (double)r->bytes / r->keys : 0.0,
            r->keys ? r->usec / r->keys : 0.0, r->max_usec);
    if (r->move_keys) {
        qsort(r->moves, r->move_keys, sizeof(*r->moves), cmp_u64);
        fprintf(stderr, "cursor-move keys %llu mean-bytes %.0f median-bytes %llu mean-usec %.0f\n",
                (unsigned long long)r->move_keys, (double)r->move_bytes / r->move_keys,
                (unsigned long long)r->moves[r->move_keys / 2], r->move_usec / r->move_keys);
    }
}

/* The process's CPU time since exec, and the wall clock, so a benchmark can subtract
 * the time it started the process. */
static void print_first_paint(struct app *a)
{
    fprintf(stderr, "initial paint bytes %llu cpu-usec %.0f at-usec %.0f\n",
            (unsigned long long)app_bytes_written(a), clock_usec(CLOCK_PROCESS_CPUTIME_ID),
            clock_usec(CLOCK_REALTIME));
}

int headless_run(struct app *a, const struct app_options *o, struct vpcx_error *err)
{
    FILE *keys = NULL;
    if (o->keys_file) {
        keys = strcmp(o->keys_file, "-") == 0 ? stdin : fopen(o->keys_file, "r");
        if (!keys) {
            vpcx_error_set(err, VPCX_ERR_IO, "cannot read key script %s", o->keys_file);
            return 1;
        }
    }
    bool to_stdout = !o->screen_out || strcmp(o->screen_out, "-") == 0;
    FILE *out = to_stdout ? stdout : fopen(o->screen_out, "w");
    if (!out) {
        if (keys && keys != stdin)
            fclose(keys);
        vpcx_error_set(err, VPCX_ERR_IO, "cannot write %s", o->screen_out);
        return 1;
    }
    struct run r = {.app = a, .out = out, .every = o->every, .stats = o->stats};
    app_paint(a);
    if (o->stats)
        print_first_paint(a);
    /* The key script runs on the whole inventory: tests see the same screens either way. */
    if (o->cache_loader) {
        app_finish_loading(a);
        app_paint(a);
        if (o->stats)
            fprintf(stderr, "cache complete cpu-usec %.0f at-usec %.0f\n",
                    clock_usec(CLOCK_PROCESS_CPUTIME_ID), clock_usec(CLOCK_REALTIME));
    }
    char *line = NULL;
    size_t cap = 0;
    /* SIGINT, SIGTERM or SIGHUP stop the script between lines (and any wait). */
    while (keys && !r.done && !app_check_signals(a) && getline(&line, &cap, keys) > 0)
        run_line(&r, line);
    free(line);
    if (keys && keys != stdin)
        fclose(keys);
    bool interrupted = app_check_signals(a);
    if ((!o->every || !r.keys) && !interrupted)
        app_dump_screen(a, out);
    if (o->stats)
        summary(&r);
    free(r.moves);
    if (!to_stdout)
        fclose(out);
    else
        fflush(out);
    return app_exit_code(a);
}
