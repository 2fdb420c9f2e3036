/*
 * testutil: where test data lives and reading it, shared by the C tests.
 * VPCX_TESTDATA (the shared EC2/SigV4 samples) and VPCX_SRCDIR (the source
 * tree) are set by meson; the fallbacks serve a test run by hand.
 */
#ifndef VPCX_TESTUTIL_H
#define VPCX_TESTUTIL_H

#include <stdlib.h>

#include "vpcx/core/fileio.h"
#include "vpcx/core/strbuf.h"

static inline const char *testdata_dir(void)
{
    const char *d = getenv("VPCX_TESTDATA");
    return d && *d ? d : "../shared/testdata";
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

#endif
