/* jsonout: JSON printed a piece at a time, the same bytes as the whole tree printed. */
#include "vpcx/store/jsonout.h"

#include "vpcx/core/strbuf.h"
#include "vpcx/model/derived.h"
#include "vpcx/store/snapshot.h"

#include <stdlib.h>
#include <string.h>

char *jsonout_value(const cJSON *v, bool pretty, int depth)
{
    char *raw = snapshot_print_json(v, pretty);
    if (!raw)
        return NULL;
    if (!pretty)
        return raw;
    struct strbuf sb;
    strbuf_init(&sb, strlen(raw) + 64);
    bool line_start = false;
    for (const char *p = raw; *p; p++) {
        if (line_start && *p == '\t') {
            strbuf_addstr(&sb, "  ");
            continue;
        }
        if (line_start) {
            for (int i = 0; i < depth; i++)
                strbuf_addstr(&sb, "  ");
            line_start = false;
        }
        strbuf_addch(&sb, *p);
        if (*p == '\n')
            line_start = true;
    }
    free(raw);
    return strbuf_detach(&sb, NULL);
}

/*
 * An object whose members are written as they come. cJSON_Print lays one out
 * as "{\n", members at depth + 1 joined by ",\n", then "\n" (when there was a
 * member) and the closing brace at depth; "key":<TAB>value in each member.
 */
struct objout {
    FILE *out;
    bool pretty;
    int depth;
    size_t n;
    bool failed;
};

static void o_puts(struct objout *o, const char *s)
{
    if (fputs(s, o->out) == EOF)
        o->failed = true;
}

static void o_indent(struct objout *o, int depth)
{
    for (int i = 0; i < depth; i++)
        o_puts(o, "  ");
}

static void o_begin(struct objout *o, FILE *out, bool pretty, int depth)
{
    *o = (struct objout){.out = out, .pretty = pretty, .depth = depth};
    o_puts(o, pretty ? "{\n" : "{");
}

/* Writes the member's key; its value follows at depth + 1. */
static void o_key(struct objout *o, const char *key)
{
    if (o->n++ > 0)
        o_puts(o, o->pretty ? ",\n" : ",");
    if (o->pretty)
        o_indent(o, o->depth + 1);
    /* The key is AWS's text (an ID): escaped and sanitised like any string. */
    cJSON *k = cJSON_CreateStringReference(key);
    char *text = snapshot_print_json(k, false);
    cJSON_Delete(k);
    o_puts(o, text ? text : "\"\"");
    free(text);
    o_puts(o, o->pretty ? ":\t" : ":");
}

static void o_member(struct objout *o, const char *key, const cJSON *value)
{
    o_key(o, key);
    char *text = jsonout_value(value, o->pretty, o->depth + 1);
    o_puts(o, text ? text : "null");
    free(text);
}

static void o_end(struct objout *o)
{
    if (o->pretty) {
        if (o->n > 0)
            o_puts(o, "\n");
        o_indent(o, o->depth);
    }
    o_puts(o, "}");
}

static bool write_section(FILE *out, const struct inventory *inv, enum derived_section section,
                          bool pretty, int depth)
{
    struct objout o;
    o_begin(&o, out, pretty, depth);
    size_t n = derived_section_size(inv, section);
    for (size_t i = 0; i < n && !o.failed; i++) {
        const char *key;
        cJSON *v = derived_entry(inv, section, i, &key);
        if (v != NULL)
            o_member(&o, key, v);
        cJSON_Delete(v);
    }
    o_end(&o);
    return !o.failed;
}

bool jsonout_write_derived(FILE *out, const struct inventory *inv, bool pretty, int depth)
{
    struct objout root;
    o_begin(&root, out, pretty, depth);
    for (int s = 0; s < DERIVED_SECTION_COUNT && !root.failed; s++) {
        o_key(&root, derived_section_name((enum derived_section)s));
        if (!write_section(out, inv, (enum derived_section)s, pretty, depth + 1))
            root.failed = true;
    }
    o_end(&root);
    return !root.failed;
}
