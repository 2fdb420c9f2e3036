/*
 * clifmt: the one-line `aws ec2 ...` command of a preview (sync/mutate's
 * mutate_render_cli, every argument shell-quoted) laid out for reading and
 * pasting: the command on the first line, each --option with its values on
 * a line of its own, lines joined by " \" continuations, so the text pasted
 * into a POSIX shell runs the same command as the one-line form.
 *
 * Words are never split: a quoted value (a policy, tags as JSON) stays whole
 * on its line even past width; a list of values longer than width goes on
 * continuation lines of its own. Pure: no curses.
 */
#ifndef VPCX_UI_CLIFMT_H
#define VPCX_UI_CLIFMT_H

#include <stdbool.h>
#include <stddef.h>

#include "vpcx/core/strbuf.h"

/*
 * The words of a shell command line as written (quotes kept): split at
 * unquoted blanks; '...' and \x are honoured. Returns the count and sets
 * *words (caller frees each and the array); false on an unterminated quote.
 */
bool clifmt_split(const char *cmd, char ***words, size_t *n);

/* The command laid out with " \" continuations, lines aimed at width columns. */
void clifmt_continued(const char *cmd, int width, struct strbuf *out);

#endif
