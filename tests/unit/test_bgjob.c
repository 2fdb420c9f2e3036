#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vpcx/core/bgjob.h"
#include "vpcx/core/xalloc.h"

struct work {
    int value;
    pid_t parent;
    long sleep_ms;
    int rc;
};

static void nap(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static double mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Reports what it saw, from another process. */
static enum vpcx_status report(void *ud, struct vpcx_error *note)
{
    struct work *w = ud;
    nap(w->sleep_ms);
    if (getpid() == w->parent)
        return vpcx_error_set(note, VPCX_ERR_INTERNAL, "ran in the parent");
    return vpcx_error_set(note, w->rc == 0 ? VPCX_OK : VPCX_ERR_TIMEOUT, "value %d in %s", w->value,
                          w->rc == 0 ? "a child" : "a busy child");
}

/* The child sees the data as it was at the start, the parent keeps going at once,
 * and the status and line come back. */
static void test_snapshot_and_result(void **state)
{
    (void)state;
    struct work w = {.value = 41, .parent = getpid(), .sleep_ms = 300};
    struct vpcx_error err, note;
    vpcx_error_init(&err);
    vpcx_error_init(&note);
    double t0 = mono_ms();
    struct bgjob *j = bgjob_start(report, &w, &err);
    assert_non_null(j);
    assert_true(mono_ms() - t0 < 200); /* the caller does not wait for the work */
    w.value = 99;                      /* after the fork: the child never sees it */
    enum vpcx_status st;
    assert_false(bgjob_collect(j, false, &st, &note));
    struct pollfd p = {.fd = bgjob_fd(j), .events = POLLIN};
    assert_int_equal(poll(&p, 1, 5000), 1);
    assert_true(bgjob_collect(j, false, &st, &note));
    assert_int_equal(st, VPCX_OK);
    assert_int_equal(note.status, VPCX_OK);
    assert_string_equal(note.message, "value 41 in a child");
    /* Collecting again gives the same. */
    assert_true(bgjob_collect(j, true, &st, &note));
    assert_string_equal(note.message, "value 41 in a child");
    bgjob_destroy(j);

    w.rc = 1;
    w.sleep_ms = 0;
    j = bgjob_start(report, &w, &err);
    assert_non_null(j);
    assert_true(bgjob_collect(j, true, &st, &note));
    assert_int_equal(st, VPCX_ERR_TIMEOUT);
    assert_int_equal(note.status, VPCX_ERR_TIMEOUT);
    assert_string_equal(note.message, "value 99 in a busy child");
    bgjob_destroy(j);
    vpcx_error_finish(&note);
    vpcx_error_finish(&err);
}

static enum vpcx_status crash(void *ud, struct vpcx_error *note)
{
    (void)ud;
    (void)note;
    raise(SIGKILL);
    return VPCX_OK;
}

static enum vpcx_status quiet(void *ud, struct vpcx_error *note)
{
    (void)ud;
    (void)note;
    /* A SIGINT meant for the parent (Ctrl-C) does not stop the work. */
    raise(SIGINT);
    return VPCX_OK;
}

static void on_int(int sig)
{
    (void)sig;
}

static void test_child_death_and_signals(void **state)
{
    (void)state;
    struct vpcx_error err, note;
    vpcx_error_init(&err);
    vpcx_error_init(&note);
    enum vpcx_status st;
    struct bgjob *j = bgjob_start(crash, NULL, &err);
    assert_non_null(j);
    assert_true(bgjob_collect(j, true, &st, &note));
    assert_int_equal(st, VPCX_ERR_INTERNAL);
    assert_non_null(strstr(note.message, "killed by signal 9"));
    bgjob_destroy(j);

    /* Even with a handler in the parent, the child ignores SIGINT. */
    struct sigaction sa, old;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_int;
    sigaction(SIGINT, &sa, &old);
    j = bgjob_start(quiet, NULL, &err);
    assert_non_null(j);
    assert_true(bgjob_collect(j, true, &st, &note));
    assert_int_equal(st, VPCX_OK);
    assert_null(note.message);
    bgjob_destroy(j);
    sigaction(SIGINT, &old, NULL);

    /* Destroying a running job waits for it. */
    struct work w = {.parent = getpid(), .sleep_ms = 200};
    j = bgjob_start(report, &w, &err);
    double t0 = mono_ms();
    bgjob_destroy(j);
    assert_true(mono_ms() - t0 >= 150);
    bgjob_destroy(NULL);
    vpcx_error_finish(&note);
    vpcx_error_finish(&err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_snapshot_and_result),
        cmocka_unit_test(test_child_death_and_signals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
