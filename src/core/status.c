#include "vpcx/core/status.h"

#include "vpcx/core/sanitize.h"
#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"

#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    enum vpcx_exit exit;
    const char *message;
} status_info[] = {
#define VPCX_STATUS_INFO(name, cls, msg) {#name, VPCX_EXIT_##cls, msg},
    VPCX_STATUS_TABLE(VPCX_STATUS_INFO)
#undef VPCX_STATUS_INFO
};

const char *vpcx_status_message(enum vpcx_status status)
{
    if ((unsigned)status >= VPCX_STATUS_COUNT)
        return "unknown status";
    return status_info[status].message;
}

const char *vpcx_status_name(enum vpcx_status status)
{
    if ((unsigned)status >= VPCX_STATUS_COUNT)
        return "UNKNOWN";
    return status_info[status].name;
}

enum vpcx_exit vpcx_status_exit(enum vpcx_status status)
{
    if ((unsigned)status >= VPCX_STATUS_COUNT)
        return VPCX_EXIT_ERROR;
    return status_info[status].exit;
}

void vpcx_error_init(struct vpcx_error *err)
{
    memset(err, 0, sizeof(*err));
}

void vpcx_error_finish(struct vpcx_error *err)
{
    if (!err)
        return;
    free(err->aws_code);
    free(err->message);
    free(err->request_id);
    free(err->hint);
    vpcx_error_init(err);
}

enum vpcx_status vpcx_error_set(struct vpcx_error *err, enum vpcx_status status, const char *fmt,
                                ...)
{
    if (!err)
        return status;
    vpcx_error_finish(err);
    err->status = status;
    va_list ap;
    va_start(ap, fmt);
    char *raw = xvasprintf(fmt, ap);
    va_end(ap);
    err->message = sanitize_dup(raw, SANITIZE_ESCAPE);
    free(raw);
    return status;
}

void vpcx_error_set_hint(struct vpcx_error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *raw = xvasprintf(fmt, ap);
    va_end(ap);
    free(err->hint);
    err->hint = sanitize_dup(raw, SANITIZE_ESCAPE);
    free(raw);
}

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

void vpcx_error_copy(struct vpcx_error *dst, const struct vpcx_error *src)
{
    if (dst == src)
        return;
    vpcx_error_finish(dst);
    dst->status = src->status;
    dst->http_status = src->http_status;
    dst->aws_code = dup_or_null(src->aws_code);
    dst->message = dup_or_null(src->message);
    dst->request_id = dup_or_null(src->request_id);
    dst->hint = dup_or_null(src->hint);
}

char *vpcx_error_format(const struct vpcx_error *err)
{
    struct strbuf sb;
    strbuf_init(&sb, 128);
    strbuf_addstr(&sb, err->message ? err->message : vpcx_status_message(err->status));
    const char *sep = " (";
    if (err->aws_code) {
        strbuf_addf(&sb, "%s%s", sep, err->aws_code);
        sep = ", ";
    }
    if (err->http_status) {
        strbuf_addf(&sb, "%sHTTP %d", sep, err->http_status);
        sep = ", ";
    }
    if (err->request_id) {
        strbuf_addf(&sb, "%srequest ID %s", sep, err->request_id);
        sep = ", ";
    }
    if (strcmp(sep, " (") != 0)
        strbuf_addch(&sb, ')');
    return strbuf_detach(&sb, NULL);
}
