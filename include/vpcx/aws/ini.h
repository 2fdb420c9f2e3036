/*
 * ini: the INI dialect of ~/.aws/config and ~/.aws/credentials, read the way
 * botocore reads it (Python's RawConfigParser plus botocore's configloader).
 *
 * - "[name]" starts a section; the name is everything between the first '['
 *   and the last ']', kept as written (case and inner spaces included).
 * - "key = value" or "key: value" (first '=' or ':' splits); the key is
 *   lowercased (RawConfigParser's optionxform), the value trimmed. There are
 *   no inline comments: "a = b # c" has the value "b # c".
 * - Lines whose first non-blank character is '#' or ';' are comments.
 * - A line indented deeper than its key continues that key's value. When the
 *   key's own value is empty ("ec2 =") the indented lines form a nested block
 *   of "subkey = value" pairs (sub-keys keep their case; the last one wins).
 *   Otherwise the lines are joined with '\n' into one multi-line value.
 * - "[DEFAULT]" holds keys inherited by every other section (as botocore's
 *   RawConfigParser does; a section's own key wins). They are found by
 *   lookup, not copied, so a file's memory stays linear in its size.
 * - A section or a key given twice, a key outside any section, a line that is
 *   neither, or a nested line without '=' is an error naming file and line.
 *   The line's text is never quoted: it may hold a secret key.
 * - CRLF and CR line ends are accepted; NUL bytes are refused; input over
 *   INI_MAX_BYTES is refused with VPCX_ERR_TOO_LARGE.
 *
 * Sections, keys and sub-keys are found through hash indexes, so parsing and
 * lookups cost a bounded number of comparisons per key.
 *
 * Parsing is pure (ini_parse_buffer); ini_parse_file only adds the read.
 */
#ifndef VPCX_AWS_INI_H
#define VPCX_AWS_INI_H

#include <stdbool.h>
#include <stddef.h>

#include "vpcx/core/status.h"

#define INI_MAX_BYTES (1024u * 1024u)

/* A hash index from key to position in an array (maintained by ini.c). */
struct ini_index {
    size_t *slots; /* position + 1; 0 is an empty slot */
    size_t cap;    /* 0 or a power of two */
};

struct ini_pair {
    char *key;
    char *value;
};

struct ini_entry {
    char *key;            /* lowercased */
    char *value;          /* NULL for a nested block */
    struct ini_pair *sub; /* nested block, in file order (owned) */
    size_t nsub;
    bool nested;
    unsigned line; /* where the key was written */
    struct ini_index sub_index;
};

/* entries holds only the keys written in the section; lookups fall back to
 * defaults ([DEFAULT], shared, not copied). */
struct ini_section {
    char *name;
    struct ini_entry *entries;
    size_t nentries;
    unsigned line;
    struct ini_index index;
    const struct ini_section *defaults; /* NULL when there is no [DEFAULT] */
};

struct ini_file {
    char *name; /* file name used in messages (owned) */
    struct ini_section *sections;
    size_t nsections;
    struct ini_index section_index;
    struct ini_section *defaults; /* [DEFAULT] (owned), or NULL */
};

void ini_file_init(struct ini_file *ini);
void ini_file_finish(struct ini_file *ini);

/* Parses len bytes of buf; name is used in error messages. On failure ini is
 * left empty (still needs ini_file_finish). */
enum vpcx_status ini_parse_buffer(struct ini_file *ini, const char *name, const char *buf,
                                  size_t len, struct vpcx_error *err);
/* Reads and parses path. A missing path (or one that is not a regular file)
 * is not an error: *found is set false and ini is left empty. */
enum vpcx_status ini_parse_file(struct ini_file *ini, const char *path, bool *found,
                                struct vpcx_error *err);

/* The section called exactly name, or NULL. */
const struct ini_section *ini_file_section(const struct ini_file *ini, const char *name);
/* The entry for key (lowercase), the section's own or inherited from
 * [DEFAULT], or NULL. sec may be NULL. */
const struct ini_entry *ini_section_entry(const struct ini_section *sec, const char *key);
/* The plain value of key, or NULL when absent or a nested block. */
const char *ini_section_get(const struct ini_section *sec, const char *key);
/* Every key of sec, its own then the inherited ones it does not override:
 * start with *pos = 0; NULL at the end. sec may be NULL. */
const struct ini_entry *ini_section_each(const struct ini_section *sec, size_t *pos);
/* A nested block's sub-key value, or NULL. e may be NULL. */
const char *ini_entry_sub(const struct ini_entry *e, const char *subkey);

/* Key and section-name comparisons made so far by parsing and lookups: lets
 * the tests check that cost grows linearly with the input. */
size_t ini_key_compares(void);

#endif
