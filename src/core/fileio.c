#include "vpcx/core/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static enum vpcx_status read_fd(int fd, const char *path, size_t max, struct strbuf *out,
                                struct vpcx_error *err)
{
    char chunk[16384];
    size_t start = out->len;
    enum vpcx_status st = VPCX_OK;
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            st = vpcx_error_set(err, VPCX_ERR_IO, "cannot read %s: %s", path, strerror(errno));
            break;
        }
        if (n == 0)
            break;
        if (out->len - start + (size_t)n > max) {
            st = vpcx_error_set(err, VPCX_ERR_TOO_LARGE, "%s is larger than %zu bytes", path, max);
            break;
        }
        strbuf_add(out, chunk, (size_t)n);
    }
    /* explicit_bzero is not in C11; a volatile write loop keeps the wipe. */
    volatile char *p = chunk;
    for (size_t i = 0; i < sizeof(chunk); i++)
        p[i] = 0;
    return st;
}

enum vpcx_status file_read_all(const char *path, size_t max, struct strbuf *out,
                               struct vpcx_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return vpcx_error_set(err, VPCX_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        close(fd);
        return vpcx_error_set(err, VPCX_ERR_IO, "%s is a directory", path);
    }
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (unsigned long long)st.st_size > max) {
        close(fd);
        return vpcx_error_set(err, VPCX_ERR_TOO_LARGE, "%s is larger than %zu bytes", path, max);
    }
    enum vpcx_status status = read_fd(fd, path, max, out, err);
    close(fd);
    return status;
}
