#include "vpcx/store/snapfile.h"

#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static enum vpcx_status write_error(const char *path, struct vpcx_error *err)
{
    return vpcx_error_set(err, VPCX_ERR_IO, "cannot write %s: %s", path, strerror(errno));
}

enum vpcx_status snapfile_save(const char *path, const struct inventory *inv,
                               const struct snapshot_meta *meta, const cJSON *errors,
                               struct vpcx_error *err)
{
    char *tmp = xasprintf("%s.tmp-XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        enum vpcx_status st = write_error(path, err);
        free(tmp);
        return st;
    }
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    FILE *f = fdopen(fd, "w");
    if (!f) {
        enum vpcx_status st = write_error(path, err);
        close(fd);
        unlink(tmp);
        free(tmp);
        return st;
    }
    enum vpcx_status st = snapshot_write(f, inv, meta, errors, true, err);
    if ((fflush(f) != 0 || fsync(fd) != 0) && st == VPCX_OK)
        st = write_error(path, err);
    if (fclose(f) != 0 && st == VPCX_OK)
        st = write_error(path, err);
    if (st == VPCX_OK && rename(tmp, path) != 0)
        st = write_error(path, err);
    if (st != VPCX_OK)
        unlink(tmp);
    free(tmp);
    return st;
}

static void add_safe(struct strbuf *sb, const char *s)
{
    if (!s || !*s)
        s = "unknown";
    for (; *s; s++) {
        char c = *s;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '.';
        strbuf_addch(sb, ok ? c : '_');
    }
}

char *snapfile_default_name(const char *account, const char *region, time_t t)
{
    struct strbuf sb;
    strbuf_init(&sb, 64);
    strbuf_addstr(&sb, "vpcx-");
    add_safe(&sb, account);
    strbuf_addch(&sb, '-');
    add_safe(&sb, region);
    struct tm tm;
    gmtime_r(&t, &tm);
    char stamp[32];
    strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
    strbuf_addf(&sb, "-%s.json", stamp);
    return strbuf_detach(&sb, NULL);
}
