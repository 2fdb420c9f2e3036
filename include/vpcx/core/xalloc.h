/*
 * xalloc: allocation that never returns NULL.
 *
 * Allocation failure is not recoverable in an interactive tool that holds an
 * inventory in memory, so every allocation goes through this family, which
 * prints one line and aborts when the system refuses memory (htop's approach).
 */
#ifndef VPCX_CORE_XALLOC_H
#define VPCX_CORE_XALLOC_H

#include <stdarg.h>
#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
/* Grows an array of nmemb items of size bytes, checking the multiplication. */
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *s);
/* Copies at most n bytes of s and always terminates the copy. */
char *xstrndup(const char *s, size_t n);
/* Returns a newly allocated formatted string. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/*
 * Routes cJSON's allocations through xmalloc, so a parse, build or print that
 * runs out of memory aborts with the message above instead of returning NULL.
 * Idempotent. main calls it first; a constructor calls it in every other
 * program that links this module (tests, fuzzers, benchmarks).
 */
void xalloc_hook_cjson(void);

#endif
