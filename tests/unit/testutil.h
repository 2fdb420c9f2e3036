/*
 * testutil: where test data lives and reading it, shared by the C tests.
 * VPCX_TESTDATA (the shared EC2/SigV4 samples) and VPCX_SRCDIR (the source
 * tree) are set by meson; the fallbacks serve a test run by hand.
 */
#ifndef VPCX_TESTUTIL_H
#define VPCX_TESTUTIL_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vpcx/core/fileio.h"
#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"

static inline const char *testdata_dir(void)
{
    const char *d = getenv("VPCX_TESTDATA");
    return d && *d ? d : "tests/data";
}

static inline const char *test_srcdir(void)
{
    const char *d = getenv("VPCX_SRCDIR");
    return d && *d ? d : ".";
}

/* The whole file (NUL-terminated, *len bytes), or NULL when it cannot be read. */
static inline char *test_read_file(const char *path, size_t *len)
{
    struct strbuf sb = STRBUF_INIT;
    strbuf_init(&sb, 0);
    if (file_read_all(path, (size_t)1 << 30, &sb, NULL) != VPCX_OK) {
        strbuf_release(&sb);
        return NULL;
    }
    return strbuf_detach(&sb, len);
}

/* Runs a command and returns the first line it prints, or NULL when it fails. */
static inline char *test_run_for_line(const char *cmd)
{
    FILE *p = popen(cmd, "r");
    if (!p)
        return NULL;
    char line[512];
    char *out = NULL;
    if (fgets(line, sizeof(line), p)) {
        line[strcspn(line, "\r\n")] = '\0';
        out = xstrdup(line);
    }
    if (pclose(p) != 0) {
        free(out);
        return NULL;
    }
    return out;
}

/*
 * moto on a free loopback port and the AWS-like proxy in front of it, both
 * started by tests/tools and stopped by the pid files in dir.
 */
struct test_servers {
    char dir[64];
    char *moto_url;
    char *proxy_url;
};

static inline void test_servers_stop(struct test_servers *t);

/* Starts both; on failure stops whatever did start. */
static inline bool test_servers_start(struct test_servers *t, const char *name, int seed)
{
    snprintf(t->dir, sizeof(t->dir), "/tmp/vpcx-%s-XXXXXX", name);
    if (!mkdtemp(t->dir))
        return false;
    char *cmd = xasprintf("python3 %s/tests/tools/motoctl.py start --pidfile %s/moto.pid "
                          "--seed %d",
                          test_srcdir(), t->dir, seed);
    t->moto_url = test_run_for_line(cmd);
    free(cmd);
    if (!t->moto_url) {
        rmdir(t->dir);
        return false;
    }
    cmd = xasprintf("python3 %s/tests/tools/awsproxy.py start --upstream %s --pidfile "
                    "%s/proxy.pid",
                    test_srcdir(), t->moto_url, t->dir);
    t->proxy_url = test_run_for_line(cmd);
    free(cmd);
    if (!t->proxy_url) {
        test_servers_stop(t);
        return false;
    }
    return true;
}

static inline void test_servers_stop(struct test_servers *t)
{
    char *cmd = xasprintf("python3 %s/tests/tools/awsproxy.py stop --pidfile %s/proxy.pid; "
                          "python3 %s/tests/tools/motoctl.py stop --pidfile %s/moto.pid; "
                          "rmdir %s",
                          test_srcdir(), t->dir, test_srcdir(), t->dir, t->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "teardown: %s failed\n", cmd);
    free(cmd);
    free(t->moto_url);
    free(t->proxy_url);
    t->moto_url = t->proxy_url = NULL;
}

#endif
