/*
 * fileio: reading a whole file with a size bound, and the messages that go
 * with failing to. Used for every file vpcx reads (AWS config, snapshots,
 * caches, themes), so each reports a directory, a missing file or an
 * oversized one the same way.
 */
#ifndef VPCX_CORE_FILEIO_H
#define VPCX_CORE_FILEIO_H

#include <stddef.h>

#include "vpcx/core/status.h"
#include "vpcx/core/strbuf.h"

/*
 * Appends the contents of path to out. Fails with VPCX_ERR_IO (cannot open or
 * read, or a directory) or VPCX_ERR_TOO_LARGE (more than max bytes), naming
 * the file. The read buffer is wiped after use, as files may hold secrets.
 */
enum vpcx_status file_read_all(const char *path, size_t max, struct strbuf *out,
                               struct vpcx_error *err);

#endif
