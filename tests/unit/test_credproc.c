/*
 * credproc: a credential_process helper on an HTTP engine and blocking: stdin
 * is /dev/null, stdout is bounded, stderr is quoted sanitised and redacted on
 * failure, a hung helper is killed with its children, and the engine keeps
 * turning while it runs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vpcx/aws/credproc.h"
#include "vpcx/aws/http.h"
#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"

#include "testutil.h"

struct outcome {
    bool done;
    enum vpcx_status status;
    char *out;
    char *message;
    double at;
};

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void on_done(void *ud, enum vpcx_status status, const struct strbuf *out,
                    const struct vpcx_error *err)
{
    struct outcome *o = ud;
    o->done = true;
    o->status = status;
    o->out = xstrdup(strbuf_str(out));
    o->message = err && err->message ? xstrdup(err->message) : NULL;
    o->at = mono_s();
}

static void outcome_finish(struct outcome *o)
{
    free(o->out);
    free(o->message);
}

static struct http_engine *engine(void)
{
    struct http_engine *e = http_engine_create(NULL, NULL);
    assert_non_null(e);
    return e;
}

/* Runs command on a fresh engine until it answers. */
static void run_async(const char *command, int timeout_ms, size_t max, struct outcome *o)
{
    struct http_engine *e = engine();
    memset(o, 0, sizeof(*o));
    credproc_start(e, command, "helper", timeout_ms, max, on_done, o);
    assert_false(o->done); /* never answered from inside start */
    for (int i = 0; i < 10000 && !o->done; i++)
        http_engine_step(e, -1, 1000, NULL);
    assert_true(o->done);
    assert_true(http_engine_idle(e));
    http_engine_destroy(e);
}

static void test_stdout_collected_stdin_is_eof(void **state)
{
    struct outcome o;
    /* read succeeds only if stdin has a line: /dev/null has none */
    run_async("if read -r line; then echo \"got:$line\"; else echo eof; fi; echo noise >&2", 5000,
              1024, &o);
    assert_int_equal(o.status, VPCX_OK);
    assert_string_equal(o.out, "eof\n");
    outcome_finish(&o);
}

static void test_stderr_quoted_on_failure(void **state)
{
    struct outcome o;
    run_async("echo '{\"SecretAccessKey\": \"StdoutSecret123\"}'; "
              "printf 'line one\\n\\033[31mred\\033[0m StdoutSecret123\\n"
              "{\"SessionToken\" : \"StderrToken456\"}\\n' >&2; exit 3",
              5000, 1024, &o);
    assert_int_equal(o.status, VPCX_ERR_CREDENTIAL_PROCESS);
    assert_string_equal(o.out, "");
    assert_non_null(o.message);
    assert_non_null(strstr(o.message, "helper: exited with status 3"));
    assert_non_null(strstr(o.message, "line one"));
    assert_non_null(strstr(o.message, "red"));
    assert_null(strchr(o.message, '\033'));
    assert_null(strchr(o.message, '\n'));
    assert_null(strstr(o.message, "StdoutSecret123"));
    assert_null(strstr(o.message, "StderrToken456"));
    outcome_finish(&o);
}

static void test_stderr_bounded(void **state)
{
    struct outcome o;
    run_async("i=0; while [ $i -lt 400 ]; do echo 'stderr-stderr-stderr' >&2; "
              "i=$((i + 1)); done; exit 1",
              5000, 1024, &o);
    assert_int_equal(o.status, VPCX_ERR_CREDENTIAL_PROCESS);
    assert_true(strlen(o.message) < CREDPROC_MAX_STDERR + 200);
    assert_non_null(strstr(o.message, "[...]"));
    outcome_finish(&o);
}

static void test_output_too_big(void **state)
{
    struct outcome o;
    run_async("head -c 5000 /dev/zero | tr '\\0' x; sleep 30", 20000, 1024, &o);
    assert_int_equal(o.status, VPCX_ERR_CREDENTIAL_PROCESS);
    assert_non_null(strstr(o.message, "larger than 1024 bytes"));
    outcome_finish(&o);
}

static bool process_gone(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return true;
    char line[256] = "";
    if (!fgets(line, sizeof(line), f))
        line[0] = '\0';
    fclose(f);
    const char *end = strrchr(line, ')');
    return end && (end[2] == 'Z' || end[2] == 'X'); /* zombie: dead, not yet reaped */
}

/* A helper that hangs is killed at the timeout, with what it started. */
static void test_hung_helper_killed_with_its_children(void **state)
{
    char dir[] = "/tmp/vpcx-credproc-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *cmd = xasprintf("sleep 30 & echo $! > %s/pid; wait", dir);
    struct outcome o;
    double t0 = mono_s();
    run_async(cmd, 400, 1024, &o);
    assert_true(o.at - t0 < 5);
    assert_int_equal(o.status, VPCX_ERR_CREDENTIAL_PROCESS);
    assert_non_null(strstr(o.message, "no answer within"));
    char *pidfile = xasprintf("%s/pid", dir);
    char *text = test_read_file(pidfile, NULL);
    assert_non_null(text);
    pid_t child = (pid_t)strtol(text, NULL, 10);
    assert_true(child > 0);
    bool gone = false;
    for (int i = 0; i < 100 && !gone; i++) {
        gone = process_gone(child);
        if (!gone)
            usleep(20000);
    }
    if (!gone)
        kill(child, SIGKILL);
    assert_true(gone);
    unlink(pidfile);
    rmdir(dir);
    free(text);
    free(pidfile);
    free(cmd);
    outcome_finish(&o);
}

struct ticker {
    struct http_engine *engine;
    int ticks;
};

static void on_tick(void *ud)
{
    struct ticker *t = ud;
    t->ticks++;
    http_engine_add_timer(t->engine, 50, on_tick, t);
}

/* The engine turns while the helper sleeps. */
static void test_engine_turns_while_helper_runs(void **state)
{
    struct http_engine *e = engine();
    struct outcome o = {0};
    struct ticker t = {.engine = e};
    credproc_start(e, "sleep 1; echo done", "helper", 5000, 1024, on_done, &o);
    http_engine_add_timer(e, 50, on_tick, &t);
    while (!o.done)
        http_engine_step(e, -1, 1000, NULL);
    assert_int_equal(o.status, VPCX_OK);
    assert_string_equal(o.out, "done\n");
    assert_true(t.ticks >= 5);
    http_engine_destroy(e);
    outcome_finish(&o);
}

static void test_cancel_kills(void **state)
{
    struct http_engine *e = engine();
    struct outcome o = {0};
    struct credproc *p = credproc_start(e, "sleep 30", "helper", 60000, 1024, on_done, &o);
    http_engine_step(e, -1, 50, NULL);
    credproc_cancel(p);
    credproc_cancel(NULL);
    assert_true(http_engine_idle(e));
    assert_false(o.done);
    http_engine_destroy(e);
}

static void test_exit_status_reported(void **state)
{
    struct outcome o;
    run_async("exit 127", 5000, 1024, &o);
    assert_int_equal(o.status, VPCX_ERR_CREDENTIAL_PROCESS);
    assert_non_null(strstr(o.message, "status 127"));
    outcome_finish(&o);
}

static void test_blocking_run(void **state)
{
    struct strbuf out;
    strbuf_init(&out, 0);
    struct vpcx_error err;
    vpcx_error_init(&err);
    assert_int_equal(credproc_run("if read -r l; then echo got; else echo eof; fi", "helper", 5000,
                                  1024, &out, &err),
                     VPCX_OK);
    assert_string_equal(strbuf_str(&out), "eof\n");
    strbuf_reset(&out);
    assert_int_equal(credproc_run("echo oops >&2; exit 2", "helper", 5000, 1024, &out, &err),
                     VPCX_ERR_CREDENTIAL_PROCESS);
    assert_non_null(strstr(err.message, "status 2; its stderr: oops"));
    double t0 = mono_s();
    assert_int_equal(credproc_run("sleep 30", "helper", 300, 1024, &out, &err),
                     VPCX_ERR_CREDENTIAL_PROCESS);
    assert_true(mono_s() - t0 < 5);
    assert_non_null(strstr(err.message, "no answer within"));
    vpcx_error_finish(&err);
    strbuf_release(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stdout_collected_stdin_is_eof),
        cmocka_unit_test(test_stderr_quoted_on_failure),
        cmocka_unit_test(test_stderr_bounded),
        cmocka_unit_test(test_output_too_big),
        cmocka_unit_test(test_hung_helper_killed_with_its_children),
        cmocka_unit_test(test_engine_turns_while_helper_runs),
        cmocka_unit_test(test_cancel_kills),
        cmocka_unit_test(test_exit_status_reported),
        cmocka_unit_test(test_blocking_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
