/*
 * xalloc: cJSON allocates through xmalloc, so running out of memory inside
 * cJSON aborts with vpcx's message instead of handing NULL to a caller.
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
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"

/* Under ASan an impossible malloc must return NULL, as glibc's does, for
   xmalloc to see the failure and report it. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "allocator_may_return_null=1";
}

/* Asks cJSON's allocator for more than any system gives, in a child. */
static void child_cjson_alloc_impossible(void)
{
    volatile size_t huge = SIZE_MAX;
    void *p = cJSON_malloc(huge);
    /* Only reached when cJSON bypassed xmalloc and returned NULL (or memory). */
    fprintf(stderr, "cJSON_malloc returned %s\n", p ? "memory" : "NULL");
    _exit(0);
}

/* Runs the child; returns its wait status and what it wrote to stderr. */
static int run_child(void (*fn)(void), struct strbuf *err)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        dup2(fds[1], STDERR_FILENO);
        close(fds[1]);
        fn();
        _exit(0);
    }
    close(fds[1]);
    char buf[512];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof(buf))) > 0)
        strbuf_add(err, buf, (size_t)n);
    close(fds[0]);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return status;
}

static void assert_aborts_with_message(void (*fn)(void))
{
    struct strbuf err = STRBUF_INIT;
    strbuf_init(&err, 0);
    int status = run_child(fn, &err);
    if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT)
        fail_msg("child did not abort (status %d); stderr: %s", status, err.buf);
    if (!strstr(err.buf, "vpcx: out of memory"))
        fail_msg("no out-of-memory message; stderr: %s", err.buf);
    strbuf_release(&err);
}

/* This test binary never calls xalloc_hook_cjson() itself before this test:
   the hooks come from start-up, as in every test and fuzzer. */
static void test_cjson_uses_xmalloc_from_start(void **state)
{
    (void)state;
    assert_aborts_with_message(child_cjson_alloc_impossible);
}

/* Installing again (as main does) keeps them. */
static void test_cjson_hook_idempotent(void **state)
{
    (void)state;
    xalloc_hook_cjson();
    xalloc_hook_cjson();
    assert_aborts_with_message(child_cjson_alloc_impossible);
}

/* With the hooks, cJSON has no realloc: printing grows its buffer by
   allocate-copy-free, and what it returns is freed with free(). */
static void test_cjson_works_through_hooks(void **state)
{
    (void)state;
    cJSON *arr = cJSON_CreateArray();
    for (int i = 0; i < 2000; i++)
        cJSON_AddItemToArray(arr, cJSON_CreateString("subnet-0123456789abcdef0"));
    char *text = cJSON_PrintUnformatted(arr);
    assert_non_null(text);
    cJSON *back = cJSON_Parse(text);
    assert_non_null(back);
    assert_int_equal(cJSON_GetArraySize(back), 2000);
    assert_string_equal(cJSON_GetArrayItem(back, 1999)->valuestring, "subnet-0123456789abcdef0");
    char *again = cJSON_Print(back);
    assert_non_null(again);
    free(again);
    free(text);
    cJSON_Delete(back);
    cJSON_Delete(arr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cjson_uses_xmalloc_from_start),
        cmocka_unit_test(test_cjson_hook_idempotent),
        cmocka_unit_test(test_cjson_works_through_hooks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
