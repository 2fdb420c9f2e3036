/*
 * sanitize: make untrusted text (tags, descriptions, policies, error messages)
 * safe to print. Every string from AWS passes through here before it reaches a
 * terminal or a log.
 *
 * Invalid UTF-8 bytes become U+FFFD. C0 and C1 control characters (ESC, BEL,
 * CR, 0x80-0x9F...) and DEL are never emitted raw: with SANITIZE_ESCAPE they are
 * shown as visible escapes ("\x1b", "\n"), with SANITIZE_SPACE they become a
 * single space. Bidi overrides and isolates (U+202A-202E, U+2066-2069) are shown
 * as "\u202e" so right-to-left text cannot reorder the rest of a line; so are
 * U+061C, U+200E/200F and the line and paragraph separators U+2028/2029.
 * With SANITIZE_KEEP_NEWLINE, '\n' and '\t' pass through (multi-line text such
 * as a policy document in a viewer that handles lines itself).
 */
#ifndef VPCX_CORE_SANITIZE_H
#define VPCX_CORE_SANITIZE_H

#include <stdbool.h>
#include <stddef.h>

#include "vpcx/core/strbuf.h"

enum sanitize_flags {
    SANITIZE_ESCAPE = 0,
    SANITIZE_SPACE = 1 << 0,
    SANITIZE_KEEP_NEWLINE = 1 << 1,
};

/* Appends the sanitised form of len bytes of s to out. */
void sanitize_add(struct strbuf *out, const char *s, size_t len, unsigned flags);
/* Returns a newly allocated sanitised copy of the NUL-terminated s. */
char *sanitize_dup(const char *s, unsigned flags);
/* True when s needs no change under flags (fast path for printing). */
bool sanitize_is_clean(const char *s, size_t len, unsigned flags);

/*
 * JSON text (as cJSON prints it) made safe to print: inside string literals every
 * code point the text form escapes (C0, DEL, C1, the bidi controls and separators
 * above) becomes \uXXXX (lower-case hex, as cJSON writes "\u001b") and each
 * invalid UTF-8 byte becomes \ufffd; all else is copied byte for byte, so a
 * document with none of these is unchanged. Every JSON document vpcx prints or
 * writes goes through here.
 */
void sanitize_json_add(struct strbuf *out, const char *json, size_t len);
char *sanitize_json_dup(const char *json);

#endif
