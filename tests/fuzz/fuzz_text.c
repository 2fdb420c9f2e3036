/*
 * fuzz_text: the small text parsers: sanitize_add (core/sanitize.h), aws_uri_decode
 * (aws/query.h) and aws_parse_iso8601 (aws/credentials.h).
 *
 * Input: byte 0 picks the function (low two bits) and the sanitize flags (next two bits);
 * the rest is the text. Properties checked: sanitised text is clean and never holds ESC or
 * other C0/C1 controls; sanitize_is_clean() text comes back unchanged; decoding what
 * aws_uri_encode() produced gives the original bytes, and decoding never grows the text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vpcx/aws/credentials.h"
#include "vpcx/aws/query.h"
#include "vpcx/core/sanitize.h"
#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool same_bytes(const struct strbuf *sb, const char *s, size_t len)
{
    return sb->len == len && (len == 0 || memcmp(sb->buf, s, len) == 0);
}

/* No raw C0 control (except \n and \t when kept) and no DEL reaches a terminal. */
static void check_no_controls(const struct strbuf *sb, unsigned flags)
{
    for (size_t i = 0; i < sb->len; i++) {
        unsigned char c = (unsigned char)sb->buf[i];
        bool kept = (flags & SANITIZE_KEEP_NEWLINE) && (c == '\n' || c == '\t');
        if ((c < 0x20 && !kept) || c == 0x7f)
            abort();
    }
}

static void fuzz_sanitize(const char *s, size_t len, unsigned flags)
{
    struct strbuf out = STRBUF_INIT;
    sanitize_add(&out, s, len, flags);
    check_no_controls(&out, flags);
    if (!sanitize_is_clean(out.buf, out.len, flags))
        abort(); /* sanitising is idempotent */
    if (sanitize_is_clean(s, len, flags) && !same_bytes(&out, s, len))
        abort();
    strbuf_release(&out);
    char *z = xstrndup(s, len);
    free(sanitize_dup(z, flags));
    free(z);
}

static void fuzz_uri(const char *s, size_t len)
{
    struct strbuf dec = STRBUF_INIT, enc = STRBUF_INIT, back = STRBUF_INIT;
    aws_uri_decode(&dec, s, len);
    if (dec.len > len)
        abort();
    aws_uri_encode(&enc, s, len, true);
    aws_uri_decode(&back, enc.buf, enc.len);
    if (!same_bytes(&back, s, len))
        abort();
    strbuf_release(&dec);
    strbuf_release(&enc);
    strbuf_release(&back);
}

static void fuzz_iso8601(const char *s, size_t len)
{
    char *z = xstrndup(s, len);
    time_t t = 0;
    (void)aws_parse_iso8601(z, &t);
    free(z);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *s = (const char *)data + 1;
    size_t len = size - 1;
    switch (data[0] & 3) {
    case 0:
    case 1:
        fuzz_sanitize(s, len, (data[0] >> 2) & 3);
        break;
    case 2:
        fuzz_uri(s, len);
        break;
    default:
        fuzz_iso8601(s, len);
        break;
    }
    return 0;
}
