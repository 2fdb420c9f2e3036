/*
 * strbuf: a growable, always NUL-terminated byte buffer (after git's strbuf).
 *
 * An initialised strbuf owns its storage; strbuf_release() frees it and leaves
 * the buffer empty and reusable. buf is never NULL after init, so it can be
 * printed at once. Bytes may include NUL: len is the truth, not strlen.
 */
#ifndef VPCX_CORE_STRBUF_H
#define VPCX_CORE_STRBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct strbuf {
    char *buf;
    size_t len;
    size_t alloc;
};

#define STRBUF_INIT                                                                                \
    {                                                                                              \
        0                                                                                          \
    }

void strbuf_init(struct strbuf *sb, size_t hint);
void strbuf_release(struct strbuf *sb);
/* Empties the buffer and keeps its storage. */
void strbuf_reset(struct strbuf *sb);
/* Hands the storage to the caller (who frees it) and re-initialises sb. */
char *strbuf_detach(struct strbuf *sb, size_t *len);
void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_addstr(struct strbuf *sb, const char *s);
/* Appends len bytes unless sb would then hold more than max; false (sb unchanged) then.
   For answers read into memory with a cap. */
bool strbuf_add_bounded(struct strbuf *sb, const void *data, size_t len, size_t max);
void strbuf_addch(struct strbuf *sb, char c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Shortens the buffer to len bytes (no-op when already shorter). */
void strbuf_setlen(struct strbuf *sb, size_t len);
/* Removes leading and trailing ASCII whitespace. */
void strbuf_trim(struct strbuf *sb);
/* Returns the buffer's string, valid until the next change (never NULL). */
const char *strbuf_str(const struct strbuf *sb);

#endif
