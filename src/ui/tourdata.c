#include "vpcx/ui/tourdata.h"

#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

extern const unsigned char vpcx_tour_txt[];
extern const size_t vpcx_tour_txt_len;

static char *trimmed(const char *s, size_t n)
{
    while (n && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        n--;
    return xstrndup(s, n);
}

/* "key: value" with one of the known keys; false for text lines. */
static bool key_line(const char *line, size_t n, const char *key, char **value)
{
    size_t k = strlen(key);
    if (n <= k || strncmp(line, key, k) != 0 || line[k] != ':')
        return false;
    *value = trimmed(line + k + 1, n - k - 1);
    return true;
}

struct block {
    bool step; /* else an explain entry */
    struct strbuf text;
};

void tour_data_finish(struct tour_data *d)
{
    for (size_t i = 0; i < d->n_steps; i++) {
        struct tour_step *s = &d->steps[i];
        free(s->name);
        free(s->title);
        free(s->target);
        free(s->view);
        free(s->needs_view);
        free(s->text);
    }
    for (size_t i = 0; i < d->n_explain; i++) {
        free(d->explain[i].key);
        free(d->explain[i].doc);
        free(d->explain[i].text);
    }
    free(d->steps);
    free(d->explain);
    memset(d, 0, sizeof(*d));
}

static enum vpcx_status fail(struct tour_data *out, struct strbuf *text, unsigned line,
                             const char *why, struct vpcx_error *err)
{
    tour_data_finish(out);
    strbuf_release(text);
    return vpcx_error_set(err, VPCX_ERR_PARSE, "tour data line %u: %s", line, why);
}

/* Ends the open block: its text joined into one paragraph. */
static bool close_block(struct tour_data *out, bool in_step, bool open, struct strbuf *text)
{
    if (!open)
        return true;
    if (text->len == 0)
        return false;
    char *t = strbuf_detach(text, NULL);
    strbuf_init(text, 256);
    if (in_step)
        out->steps[out->n_steps - 1].text = t;
    else
        out->explain[out->n_explain - 1].text = t;
    return true;
}

enum vpcx_status tour_data_parse(const char *data, size_t len, struct tour_data *out,
                                 struct vpcx_error *err)
{
    memset(out, 0, sizeof(*out));
    struct strbuf text;
    strbuf_init(&text, 256);
    bool open = false, in_step = false;
    unsigned lineno = 0;
    for (size_t pos = 0; pos < len;) {
        const char *line = data + pos;
        const char *nl = memchr(line, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - line) : len - pos;
        pos += n + 1;
        lineno++;
        if (n == 0 || line[0] == '#')
            continue;
        if (line[0] == '@') {
            if (!close_block(out, in_step, open, &text))
                return fail(out, &text, lineno, "the block before has no text", err);
            if (n > 6 && strncmp(line, "@step ", 6) == 0) {
                in_step = true;
                out->steps = xreallocarray(out->steps, out->n_steps + 1, sizeof(*out->steps));
                memset(&out->steps[out->n_steps], 0, sizeof(*out->steps));
                out->steps[out->n_steps++].name = trimmed(line + 6, n - 6);
            } else if (n > 9 && strncmp(line, "@explain ", 9) == 0) {
                in_step = false;
                out->explain =
                    xreallocarray(out->explain, out->n_explain + 1, sizeof(*out->explain));
                memset(&out->explain[out->n_explain], 0, sizeof(*out->explain));
                out->explain[out->n_explain++].key = trimmed(line + 9, n - 9);
            } else {
                return fail(out, &text, lineno, "unknown block (expected @step or @explain)", err);
            }
            open = true;
            continue;
        }
        if (!open)
            return fail(out, &text, lineno, "text outside a block", err);
        char *v = NULL;
        if (in_step && text.len == 0) {
            struct tour_step *s = &out->steps[out->n_steps - 1];
            if (key_line(line, n, "title", &v)) {
                free(s->title);
                s->title = v;
                continue;
            }
            if (key_line(line, n, "target", &v)) {
                free(s->target);
                s->target = v;
                continue;
            }
            if (key_line(line, n, "view", &v)) {
                free(s->view);
                s->view = v;
                continue;
            }
            if (key_line(line, n, "needs", &v)) {
                bool ok = strncmp(v, "view ", 5) == 0;
                free(s->needs_view);
                s->needs_view = ok ? xstrdup(v + 5) : NULL;
                free(v);
                if (!ok)
                    return fail(out, &text, lineno, "needs: takes \"view NAME\"", err);
                continue;
            }
        } else if (!in_step && text.len == 0 && key_line(line, n, "doc", &v)) {
            free(out->explain[out->n_explain - 1].doc);
            out->explain[out->n_explain - 1].doc = v;
            continue;
        }
        char *t = trimmed(line, n);
        if (text.len)
            strbuf_addch(&text, ' ');
        strbuf_addstr(&text, t);
        free(t);
    }
    if (!close_block(out, in_step, open, &text))
        return fail(out, &text, lineno, "the last block has no text", err);
    strbuf_release(&text);
    for (size_t i = 0; i < out->n_steps; i++) {
        if (!out->steps[i].title || !out->steps[i].target) {
            char *why = xasprintf("step %s needs a title and a target", out->steps[i].name);
            tour_data_finish(out);
            enum vpcx_status st = vpcx_error_set(err, VPCX_ERR_PARSE, "tour data: %s", why);
            free(why);
            return st;
        }
    }
    return VPCX_OK;
}

const struct tour_data *tour_data_builtin(struct vpcx_error *err)
{
    static struct tour_data data;
    static bool parsed;
    if (!parsed) {
        struct vpcx_error local;
        vpcx_error_init(&local);
        enum vpcx_status st = tour_data_parse((const char *)vpcx_tour_txt, vpcx_tour_txt_len, &data,
                                              err ? err : &local);
        vpcx_error_finish(&local);
        if (st != VPCX_OK)
            return NULL;
        parsed = true;
    }
    return &data;
}

size_t tour_wrap(const char *text, int width, char (*lines)[256], size_t max)
{
    size_t n = 0;
    const char *p = text;
    if (width > 255)
        width = 255;
    while (*p) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        size_t take = strlen(p);
        if ((int)take > width) {
            take = (size_t)width;
            while (take > 0 && p[take] != ' ')
                take--;
            if (take == 0) /* a word longer than the line is cut */
                take = (size_t)width;
        }
        if (n < max) {
            memcpy(lines[n], p, take);
            lines[n][take] = '\0';
        }
        n++;
        p += take;
    }
    return n;
}

const struct tour_explain *tour_explain_find(const struct tour_data *d, const char *key)
{
    for (size_t i = 0; d && key && i < d->n_explain; i++)
        if (strcasecmp(d->explain[i].key, key) == 0)
            return &d->explain[i];
    return NULL;
}
