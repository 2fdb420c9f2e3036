#include "vpcx/ui/clifmt.h"

#include "vpcx/core/xalloc.h"

#include <stdlib.h>
#include <string.h>

static bool blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n';
}

static void push(char ***words, size_t *n, size_t *alloc, const char *s, size_t len)
{
    if (*n == *alloc) {
        *alloc = *alloc ? *alloc * 2 : 16;
        *words = xreallocarray(*words, *alloc, sizeof(**words));
    }
    (*words)[(*n)++] = xstrndup(s, len);
}

bool clifmt_split(const char *cmd, char ***words, size_t *n)
{
    size_t alloc = 0;
    *words = NULL;
    *n = 0;
    const char *p = cmd;
    while (*p) {
        while (blank(*p))
            p++;
        if (!*p)
            break;
        const char *start = p;
        while (*p && !blank(*p)) {
            if (*p == '\'') {
                const char *close = strchr(p + 1, '\'');
                if (!close)
                    goto unterminated;
                p = close + 1;
            } else if (*p == '\\' && p[1]) {
                p += 2;
            } else {
                p++;
            }
        }
        push(words, n, &alloc, start, (size_t)(p - start));
    }
    return true;
unterminated:
    for (size_t i = 0; i < *n; i++)
        free((*words)[i]);
    free(*words);
    *words = NULL;
    *n = 0;
    return false;
}

static bool is_option(const char *w)
{
    return w[0] == '-' && w[1] == '-';
}

/* Appends one --option group: on one line when it fits, else a value per line. */
static void add_group(struct strbuf *out, char **w, size_t from, size_t to, int width)
{
    size_t len = 2;
    for (size_t i = from; i < to; i++)
        len += strlen(w[i]) + (i > from);
    strbuf_addstr(out, " \\\n  ");
    strbuf_addstr(out, w[from]);
    bool one_line = len + 2 <= (size_t)(width > 0 ? width : 0) || to - from <= 2;
    for (size_t i = from + 1; i < to; i++) {
        strbuf_addstr(out, one_line ? " " : " \\\n    ");
        strbuf_addstr(out, w[i]);
    }
}

void clifmt_continued(const char *cmd, int width, struct strbuf *out)
{
    char **w;
    size_t n;
    if (!clifmt_split(cmd, &w, &n) || n == 0) {
        strbuf_addstr(out, cmd); /* not ours to rearrange: shown as given */
        free(w);
        return;
    }
    size_t i = 0;
    for (; i < n && !is_option(w[i]); i++) /* aws ec2 create-vpc-endpoint */
        strbuf_addf(out, "%s%s", i ? " " : "", w[i]);
    while (i < n) {
        size_t end = i + 1;
        while (end < n && !is_option(w[end]))
            end++;
        add_group(out, w, i, end, width);
        i = end;
    }
    for (size_t k = 0; k < n; k++)
        free(w[k]);
    free(w);
}
