#include "vpcx/aws/credinfo.h"

#include "vpcx/core/xalloc.h"

#include <stdlib.h>

char *aws_expiry_describe(time_t expiration, time_t now)
{
    if (expiration == 0)
        return xstrdup("no expiry");
    long long left = (long long)(expiration - now);
    if (left <= 0) {
        long long ago = -left;
        return ago < 60 ? xasprintf("expired %lld s ago", ago)
                        : xasprintf("expired %lld min ago", ago / 60);
    }
    if (left < 60)
        return xasprintf("expires in %lld s", left);
    if (left < 120 * 60)
        return xasprintf("expires in %lld min", left / 60);
    return xasprintf("expires in %lld h %lld min", left / 3600, left % 3600 / 60);
}

char *aws_credentials_describe(const struct aws_credentials *c, time_t now)
{
    const char *origin = c->origin ? c->origin : aws_source_name(c->source);
    if (c->expiration == 0)
        return xstrdup(origin);
    char *when = aws_expiry_describe(c->expiration, now);
    char *line = xasprintf("%s, %s", origin, when);
    free(when);
    return line;
}
