/*
 * policy: endpoint policy analysis (see the header for the contract).
 */
#include "vpcx/model/policy.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "vpcx/core/sanitize.h"
#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"

/* Longest value quoted in a finding's detail, in bytes. */
#define DETAIL_VALUE_MAX 120
/* Values listed in one detail before "and N more". */
#define DETAIL_LIST_MAX 4
/* LCS table cells before the diff gives up on alignment (16 MB of uint32). */
#define DIFF_MAX_CELLS (4u * 1024u * 1024u)

struct finding_info {
    const char *key;
    enum policy_severity severity;
    const char *text;
};

static const struct finding_info finding_infos[] = {
#define POLICY_FINDING_INFO(name, key, sev, text) {key, POLICY_SEVERITY_##sev, text},
    POLICY_FINDING_TABLE(POLICY_FINDING_INFO)
#undef POLICY_FINDING_INFO
};

/* The two spellings AWS uses for the default policy. */
static const char *const full_access_spellings[] = {
    "{\"Statement\":[{\"Action\":\"*\",\"Effect\":\"Allow\",\"Principal\":\"*\","
    "\"Resource\":\"*\"}]}",
    "{\"Version\":\"2008-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\","
    "\"Action\":\"*\",\"Resource\":\"*\"}]}",
};

const char *policy_finding_key(enum policy_finding_kind kind)
{
    return (unsigned)kind < POLICY_FINDING_COUNT ? finding_infos[kind].key : "";
}

const char *policy_finding_text(enum policy_finding_kind kind)
{
    return (unsigned)kind < POLICY_FINDING_COUNT ? finding_infos[kind].text : "";
}

enum policy_severity policy_finding_severity(enum policy_finding_kind kind)
{
    return (unsigned)kind < POLICY_FINDING_COUNT ? finding_infos[kind].severity
                                                 : POLICY_SEVERITY_INFO;
}

const char *policy_severity_name(enum policy_severity severity)
{
    switch (severity) {
    case POLICY_SEVERITY_INFO:
        return "info";
    case POLICY_SEVERITY_WARN:
        return "warn";
    case POLICY_SEVERITY_CRITICAL:
        return "critical";
    }
    return "";
}

/* ---- UTF-8 and JSON text ---- */

/* Decodes one UTF-8 sequence of at most n bytes; returns its length, 0 when invalid. */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    size_t len;
    uint32_t min;
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if (s[0] >= 0xc2 && s[0] <= 0xdf) {
        len = 2, *cp = s[0] & 0x1fu, min = 0x80;
    } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
        len = 3, *cp = s[0] & 0x0fu, min = 0x800;
    } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        len = 4, *cp = s[0] & 0x07u, min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        *cp = (*cp << 6) | (s[i] & 0x3fu);
    }
    if (*cp < min || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
        return 0;
    return len;
}

/* Code points a terminal would act on rather than show. */
static bool must_escape(uint32_t cp)
{
    return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029 ||
           (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

static void json_add_code_point(struct strbuf *sb, uint32_t cp, const unsigned char *raw,
                                size_t len)
{
    switch (cp) {
    case '"':
        strbuf_addstr(sb, "\\\"");
        return;
    case '\\':
        strbuf_addstr(sb, "\\\\");
        return;
    case '\b':
        strbuf_addstr(sb, "\\b");
        return;
    case '\f':
        strbuf_addstr(sb, "\\f");
        return;
    case '\n':
        strbuf_addstr(sb, "\\n");
        return;
    case '\r':
        strbuf_addstr(sb, "\\r");
        return;
    case '\t':
        strbuf_addstr(sb, "\\t");
        return;
    default:
        break;
    }
    if (must_escape(cp))
        strbuf_addf(sb, "\\u%04x", (unsigned)cp);
    else
        strbuf_add(sb, raw, len);
}

static void json_add_string(struct strbuf *sb, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    strbuf_addch(sb, '"');
    for (size_t i = 0; i < n;) {
        uint32_t cp = 0;
        size_t len = utf8_decode(p + i, n - i, &cp);
        if (len == 0) {
            strbuf_addstr(sb, "\\ufffd");
            i++;
            continue;
        }
        json_add_code_point(sb, cp, p + i, len);
        i += len;
    }
    strbuf_addch(sb, '"');
}

/* Shortest of %.15g / %.17g that reads back exactly; '.' whatever the locale. */
static void json_add_number(struct strbuf *sb, double d)
{
    size_t mark = sb->len;
    if (!isfinite(d)) {
        strbuf_addstr(sb, "null");
        return;
    }
    if (d == floor(d) && fabs(d) < 1e15) {
        strbuf_addf(sb, "%.0f", d);
    } else {
        strbuf_addf(sb, "%.15g", d);
        if (strtod(sb->buf + mark, NULL) != d) {
            strbuf_setlen(sb, mark);
            strbuf_addf(sb, "%.17g", d);
        }
    }
    for (size_t i = mark; i < sb->len; i++) {
        if (sb->buf[i] == ',')
            sb->buf[i] = '.';
    }
}

static void add_indent(struct strbuf *sb, int depth)
{
    for (int i = 0; i < depth; i++)
        strbuf_addstr(sb, "  ");
}

static void pretty_value(struct strbuf *sb, const cJSON *v, int depth);

static void pretty_container(struct strbuf *sb, const cJSON *v, int depth, bool object)
{
    strbuf_addch(sb, object ? '{' : '[');
    if (!v->child) {
        strbuf_addch(sb, object ? '}' : ']');
        return;
    }
    for (const cJSON *c = v->child; c; c = c->next) {
        strbuf_addch(sb, '\n');
        add_indent(sb, depth + 1);
        if (object) {
            json_add_string(sb, c->string ? c->string : "");
            strbuf_addstr(sb, ": ");
        }
        pretty_value(sb, c, depth + 1);
        if (c->next)
            strbuf_addch(sb, ',');
    }
    strbuf_addch(sb, '\n');
    add_indent(sb, depth);
    strbuf_addch(sb, object ? '}' : ']');
}

static void pretty_value(struct strbuf *sb, const cJSON *v, int depth)
{
    if (cJSON_IsObject(v))
        pretty_container(sb, v, depth, true);
    else if (cJSON_IsArray(v))
        pretty_container(sb, v, depth, false);
    else if (cJSON_IsString(v))
        json_add_string(sb, v->valuestring ? v->valuestring : "");
    else if (cJSON_IsNumber(v))
        json_add_number(sb, v->valuedouble);
    else if (cJSON_IsTrue(v))
        strbuf_addstr(sb, "true");
    else if (cJSON_IsFalse(v))
        strbuf_addstr(sb, "false");
    else
        strbuf_addstr(sb, "null");
}

static char *pretty_print(const cJSON *root)
{
    struct strbuf sb = STRBUF_INIT;
    strbuf_init(&sb, 256);
    pretty_value(&sb, root, 0);
    return strbuf_detach(&sb, NULL);
}

/* ---- loading ---- */

enum load_result { LOAD_OK, LOAD_MISSING, LOAD_TOO_LARGE, LOAD_INVALID };

static bool is_blank(const char *s)
{
    for (; *s; s++) {
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return false;
    }
    return true;
}

/* UTF-8 code points, as AWS counts characters. */
static size_t count_chars(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (((unsigned char)s[i] & 0xc0) != 0x80)
            n++;
    }
    return n;
}

/* 1-based line and column (bytes) of offset in s. */
static void locate(const char *s, size_t offset, size_t *line, size_t *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < offset && s[i]; i++) {
        if (s[i] == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

/* Parses document into *root; *why gets a detail for TOO_LARGE and INVALID. */
static enum load_result load_document(const char *document, cJSON **root, char **why)
{
    *root = NULL;
    *why = NULL;
    if (!document || is_blank(document))
        return LOAD_MISSING;
    size_t len = strlen(document);
    size_t chars = count_chars(document, len);
    if (chars > POLICY_MAX_CHARS) {
        *why = xasprintf("%zu characters; the limit is %d", chars, POLICY_MAX_CHARS);
        return LOAD_TOO_LARGE;
    }
    const char *end = NULL;
    /* The length counts the terminator: cJSON checks for it when trailing text is refused. */
    *root = cJSON_ParseWithLengthOpts(document, len + 1, &end, 1);
    if (!*root) {
        size_t line, col;
        size_t at =
            end && end >= document && end <= document + len ? (size_t)(end - document) : len;
        locate(document, at, &line, &col);
        *why = xasprintf("syntax error at line %zu, column %zu", line, col);
        return LOAD_INVALID;
    }
    return LOAD_OK;
}

char *policy_pretty(const char *document)
{
    cJSON *root;
    char *why;
    if (load_document(document, &root, &why) != LOAD_OK) {
        free(why);
        return NULL;
    }
    char *pretty = pretty_print(root);
    cJSON_Delete(root);
    return pretty;
}

/* ---- findings ---- */

struct ctx {
    struct policy_report *r;
    size_t alloc;
};

static void add_finding(struct ctx *c, enum policy_finding_kind kind, int statement, char *detail)
{
    struct policy_report *r = c->r;
    if (r->n == c->alloc) {
        c->alloc = c->alloc ? 2 * c->alloc : 8;
        r->findings = xreallocarray(r->findings, c->alloc, sizeof(*r->findings));
    }
    r->findings[r->n].kind = kind;
    r->findings[r->n].statement = statement;
    r->findings[r->n].detail = detail;
    r->n++;
}

/* Appends "value" sanitised and cut to DETAIL_VALUE_MAX bytes on a character boundary. */
static void detail_add_value(struct strbuf *sb, const char *s)
{
    size_t len = strlen(s);
    bool cut = len > DETAIL_VALUE_MAX;
    if (cut) {
        len = DETAIL_VALUE_MAX;
        while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
            len--;
    }
    strbuf_addch(sb, '"');
    sanitize_add(sb, s, len, SANITIZE_ESCAPE);
    strbuf_addstr(sb, cut ? "...\"" : "\"");
}

static char *detail_printf_value(const char *prefix, const char *value, const char *suffix)
{
    struct strbuf sb = STRBUF_INIT;
    strbuf_init(&sb, 64);
    strbuf_addstr(&sb, prefix);
    detail_add_value(&sb, value);
    strbuf_addstr(&sb, suffix);
    return strbuf_detach(&sb, NULL);
}

static void add_malformed(struct ctx *c, int statement, const char *what)
{
    add_finding(c, POLICY_MALFORMED, statement, xstrdup(what));
}

static const cJSON *member(const cJSON *obj, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(obj, name);
}

typedef bool (*value_pred)(const char *s);

/* A string, or an array of strings. */
static bool is_string_list(const cJSON *v)
{
    if (cJSON_IsString(v))
        return v->valuestring != NULL;
    if (!cJSON_IsArray(v))
        return false;
    for (const cJSON *c = v->child; c; c = c->next) {
        if (!cJSON_IsString(c) || !c->valuestring)
            return false;
    }
    return true;
}

/* Number of strings in a string list that satisfy pred (all when pred is NULL). */
static size_t count_values(const cJSON *v, value_pred pred)
{
    size_t n = 0;
    if (cJSON_IsString(v))
        return v->valuestring && (!pred || pred(v->valuestring)) ? 1 : 0;
    if (!cJSON_IsArray(v))
        return 0;
    for (const cJSON *c = v->child; c; c = c->next) {
        if (cJSON_IsString(c) && c->valuestring && (!pred || pred(c->valuestring)))
            n++;
    }
    return n;
}

/* 'Name "a", "b" and 3 more' listing the values that satisfy pred. */
static char *detail_list(const char *name, const cJSON *v, value_pred pred)
{
    struct strbuf sb = STRBUF_INIT;
    size_t shown = 0, total = count_values(v, pred);
    const cJSON *c = cJSON_IsArray(v) ? v->child : v;
    strbuf_init(&sb, 64);
    strbuf_addstr(&sb, name);
    for (; c && shown < DETAIL_LIST_MAX; c = cJSON_IsArray(v) ? c->next : NULL) {
        if (!cJSON_IsString(c) || !c->valuestring || (pred && !pred(c->valuestring)))
            continue;
        strbuf_addstr(&sb, shown ? ", " : " ");
        detail_add_value(&sb, c->valuestring);
        shown++;
    }
    if (total > shown)
        strbuf_addf(&sb, " and %zu more", total - shown);
    return strbuf_detach(&sb, NULL);
}

static bool all_stars(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++) {
        if (*s != '*')
            return false;
    }
    return true;
}

static bool action_is_any(const char *s)
{
    return all_stars(s) || strcmp(s, "*:*") == 0;
}

/* "s3:*": every action of one named service. */
static bool action_is_service_wildcard(const char *s)
{
    const char *colon = strchr(s, ':');
    if (!colon || colon == s)
        return false;
    for (const char *p = s; p < colon; p++) {
        if (*p == '*' || *p == '?')
            return false;
    }
    return all_stars(colon + 1);
}

static bool principal_is_any(const cJSON *p)
{
    if (cJSON_IsString(p))
        return p->valuestring && all_stars(p->valuestring);
    if (!cJSON_IsObject(p))
        return false;
    const cJSON *aws = member(p, "AWS");
    return aws && count_values(aws, all_stars) > 0;
}

/* "*" or {"AWS"|"Service"|...: string or [strings]}. */
static bool principal_is_valid(const cJSON *p)
{
    if (cJSON_IsString(p))
        return p->valuestring && strcmp(p->valuestring, "*") == 0;
    if (!cJSON_IsObject(p) || !p->child)
        return false;
    for (const cJSON *c = p->child; c; c = c->next) {
        if (!is_string_list(c))
            return false;
    }
    return true;
}

/* Condition keys that tie a request to an organization, account, principal or network. */
static const char *const restricting_keys[] = {
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
    "aws:PrincipalAccount",
    "aws:PrincipalArn",
    "aws:PrincipalIsAWSService",
    "aws:PrincipalServiceName",
    "aws:userid",
    "aws:username",
    "aws:SourceVpc",
    "aws:SourceVpce",
    "aws:VpcSourceIp",
    "aws:SourceIp",
    "aws:SourceAccount",
    "aws:SourceArn",
    "aws:SourceOrgID",
    "aws:SourceOrgPaths",
    "aws:ResourceOrgID",
    "aws:ResourceOrgPaths",
    "aws:ResourceAccount",
};

static bool key_restricts(const char *key)
{
    static const char tag_prefix[] = "aws:PrincipalTag/";
    if (strncasecmp(key, tag_prefix, sizeof(tag_prefix) - 1) == 0)
        return true;
    for (size_t i = 0; i < sizeof(restricting_keys) / sizeof(restricting_keys[0]); i++) {
        if (strcasecmp(key, restricting_keys[i]) == 0)
            return true;
    }
    return false;
}

/* Negated operators and Null allow what they do not name, so they restrict nothing. */
static bool operator_restricts(const char *op)
{
    return strstr(op, "Not") == NULL && strncmp(op, "Null", 4) != 0;
}

static bool condition_value_valid(const cJSON *v)
{
    if (cJSON_IsString(v) || cJSON_IsNumber(v) || cJSON_IsBool(v))
        return true;
    if (!cJSON_IsArray(v))
        return false;
    for (const cJSON *c = v->child; c; c = c->next) {
        if (!cJSON_IsString(c) && !cJSON_IsNumber(c) && !cJSON_IsBool(c))
            return false;
    }
    return true;
}

/* {operator: {key: value or [values]}}; an empty object is allowed. */
static bool condition_is_valid(const cJSON *cond)
{
    if (!cJSON_IsObject(cond))
        return false;
    for (const cJSON *op = cond->child; op; op = op->next) {
        if (!cJSON_IsObject(op) || !op->child)
            return false;
        for (const cJSON *k = op->child; k; k = k->next) {
            if (!condition_value_valid(k))
                return false;
        }
    }
    return true;
}

static bool condition_is_empty(const cJSON *cond)
{
    return !cond || (cJSON_IsObject(cond) && !cond->child);
}

/* Lists the restricting keys as 'aws:PrincipalOrgID (StringEquals)'; empty when none. */
static void condition_restrictions(const cJSON *cond, struct strbuf *out)
{
    if (!cJSON_IsObject(cond))
        return;
    for (const cJSON *op = cond->child; op; op = op->next) {
        if (!cJSON_IsObject(op) || !op->string || !operator_restricts(op->string))
            continue;
        for (const cJSON *k = op->child; k; k = k->next) {
            if (!k->string || !key_restricts(k->string))
                continue;
            if (out->len)
                strbuf_addstr(out, ", ");
            sanitize_add(out, k->string, strlen(k->string), SANITIZE_ESCAPE);
            strbuf_addstr(out, " (");
            sanitize_add(out, op->string, strlen(op->string), SANITIZE_ESCAPE);
            strbuf_addch(out, ')');
        }
    }
}

/* ---- the default full-access policy ---- */

static bool version_is_known(const cJSON *v)
{
    return cJSON_IsString(v) && v->valuestring &&
           (strcmp(v->valuestring, "2012-10-17") == 0 || strcmp(v->valuestring, "2008-10-17") == 0);
}

static bool statement_is_full_access(const cJSON *st)
{
    if (!cJSON_IsObject(st))
        return false;
    for (const cJSON *m = st->child; m; m = m->next) {
        const char *k = m->string ? m->string : "";
        bool ok = strcmp(k, "Sid") == 0 || strcmp(k, "Effect") == 0 ||
                  strcmp(k, "Principal") == 0 || strcmp(k, "Action") == 0 ||
                  strcmp(k, "Resource") == 0 ||
                  (strcmp(k, "Condition") == 0 && condition_is_empty(m));
        if (!ok)
            return false;
    }
    const cJSON *effect = member(st, "Effect");
    const cJSON *principal = member(st, "Principal");
    const cJSON *action = member(st, "Action");
    const cJSON *resource = member(st, "Resource");
    return cJSON_IsString(effect) && effect->valuestring &&
           strcmp(effect->valuestring, "Allow") == 0 && principal &&
           principal_is_valid(principal) && principal_is_any(principal) && is_string_list(action) &&
           count_values(action, action_is_any) > 0 && is_string_list(resource) &&
           count_values(resource, all_stars) > 0;
}

/* Every statement grants everything to everyone, and nothing else is said. */
static bool document_is_full_access(const cJSON *root)
{
    if (!cJSON_IsObject(root))
        return false;
    for (const cJSON *m = root->child; m; m = m->next) {
        const char *k = m->string ? m->string : "";
        bool ok = (strcmp(k, "Version") == 0 && version_is_known(m)) ||
                  (strcmp(k, "Id") == 0 && cJSON_IsString(m)) || strcmp(k, "Statement") == 0;
        if (!ok)
            return false;
    }
    const cJSON *st = member(root, "Statement");
    if (cJSON_IsObject(st))
        return statement_is_full_access(st);
    if (!cJSON_IsArray(st) || !st->child)
        return false;
    for (const cJSON *c = st->child; c; c = c->next) {
        if (!statement_is_full_access(c))
            return false;
    }
    return true;
}

/* ---- statement grammar ---- */

static bool known_statement_element(const char *k)
{
    static const char *const names[] = {"Sid",          "Effect",      "Principal",
                                        "NotPrincipal", "Action",      "NotAction",
                                        "Resource",     "NotResource", "Condition"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(k, names[i]) == 0)
            return true;
    }
    return false;
}

/* One of a pair (Action/NotAction...) must be there, or may be (optional), not both. */
static void check_pair(struct ctx *c, const cJSON *st, int idx, const char *name,
                       const char *not_name, bool optional)
{
    const cJSON *a = member(st, name), *b = member(st, not_name);
    if (a && b) {
        add_finding(c, POLICY_MALFORMED, idx, xasprintf("both %s and %s", name, not_name));
    } else if (!a && !b && !optional) {
        add_finding(c, POLICY_MALFORMED, idx, xasprintf("%s is missing", name));
    }
}

static void check_string_list(struct ctx *c, const cJSON *st, int idx, const char *name)
{
    const cJSON *v = member(st, name);
    if (v && !is_string_list(v))
        add_finding(c, POLICY_MALFORMED, idx,
                    xasprintf("%s must be a string or an array of strings", name));
}

static void check_effect(struct ctx *c, const cJSON *st, int idx)
{
    const cJSON *effect = member(st, "Effect");
    if (!effect) {
        add_malformed(c, idx, "Effect is missing");
    } else if (!cJSON_IsString(effect) || !effect->valuestring) {
        add_malformed(c, idx, "Effect must be \"Allow\" or \"Deny\"");
    } else if (strcmp(effect->valuestring, "Allow") != 0 &&
               strcmp(effect->valuestring, "Deny") != 0) {
        add_finding(c, POLICY_MALFORMED, idx,
                    detail_printf_value("Effect must be \"Allow\" or \"Deny\", not ",
                                        effect->valuestring, ""));
    }
}

static void check_statement(struct ctx *c, const cJSON *st, int idx)
{
    for (const cJSON *m = st->child; m; m = m->next) {
        if (!m->string || !known_statement_element(m->string))
            add_finding(c, POLICY_MALFORMED, idx,
                        detail_printf_value("unknown element ", m->string ? m->string : "", ""));
    }
    check_effect(c, st, idx);
    check_pair(c, st, idx, "Principal", "NotPrincipal", false);
    check_pair(c, st, idx, "Action", "NotAction", false);
    check_pair(c, st, idx, "Resource", "NotResource", true);
    check_string_list(c, st, idx, "Action");
    check_string_list(c, st, idx, "NotAction");
    check_string_list(c, st, idx, "Resource");
    check_string_list(c, st, idx, "NotResource");
    const cJSON *p = member(st, "Principal");
    if (p && !principal_is_valid(p))
        add_malformed(c, idx, "Principal must be \"*\" or an object such as {\"AWS\": ...}");
    p = member(st, "NotPrincipal");
    if (p && !principal_is_valid(p))
        add_malformed(c, idx, "NotPrincipal must be an object such as {\"AWS\": ...}");
    const cJSON *cond = member(st, "Condition");
    if (cond && !condition_is_valid(cond))
        add_malformed(c, idx, "Condition must map operators to {key: value} objects");
}

/* ---- what an Allow statement grants ---- */

static void analyze_principal(struct ctx *c, const cJSON *st, int idx)
{
    const cJSON *principal = member(st, "Principal");
    const cJSON *cond = member(st, "Condition");
    struct strbuf keys = STRBUF_INIT;
    strbuf_init(&keys, 0);
    condition_restrictions(cond, &keys);
    if (member(st, "NotPrincipal"))
        add_finding(c, POLICY_NOT_PRINCIPAL_ALLOW, idx, NULL);
    if (principal && principal_is_any(principal)) {
        if (condition_is_empty(cond))
            add_finding(c, POLICY_PRINCIPAL_ANY_NO_CONDITION, idx, NULL);
        else if (!keys.len)
            add_finding(c, POLICY_PRINCIPAL_ANY_WEAK_CONDITION, idx, NULL);
    }
    if (keys.len)
        add_finding(c, POLICY_CONDITION_RESTRICTS, idx, strbuf_detach(&keys, NULL));
    strbuf_release(&keys);
}

static void analyze_action(struct ctx *c, const cJSON *st, int idx)
{
    const cJSON *action = member(st, "Action");
    const cJSON *not_action = member(st, "NotAction");
    if (action && count_values(action, action_is_any))
        add_finding(c, POLICY_ACTION_ANY, idx, detail_list("Action", action, action_is_any));
    else if (action && count_values(action, action_is_service_wildcard))
        add_finding(c, POLICY_ACTION_SERVICE_WILDCARD, idx,
                    detail_list("Action", action, action_is_service_wildcard));
    if (not_action)
        add_finding(c, POLICY_NOT_ACTION_ALLOW, idx, detail_list("NotAction", not_action, NULL));
}

static void analyze_resource(struct ctx *c, const cJSON *st, int idx)
{
    const cJSON *resource = member(st, "Resource");
    const cJSON *not_resource = member(st, "NotResource");
    if (resource && count_values(resource, all_stars))
        add_finding(c, POLICY_RESOURCE_ANY, idx, detail_list("Resource", resource, all_stars));
    else if (!resource && !not_resource)
        add_finding(c, POLICY_RESOURCE_ANY, idx, xstrdup("no Resource element"));
    if (not_resource)
        add_finding(c, POLICY_NOT_RESOURCE_ALLOW, idx,
                    detail_list("NotResource", not_resource, NULL));
}

static void analyze_statement(struct ctx *c, const cJSON *st, int idx)
{
    c->r->statements++;
    if (!cJSON_IsObject(st)) {
        add_malformed(c, idx, "the statement is not a JSON object");
        return;
    }
    check_statement(c, st, idx);
    const cJSON *effect = member(st, "Effect");
    if (!cJSON_IsString(effect) || !effect->valuestring ||
        strcmp(effect->valuestring, "Allow") != 0)
        return;
    analyze_principal(c, st, idx);
    analyze_action(c, st, idx);
    analyze_resource(c, st, idx);
}

static void check_root_elements(struct ctx *c, const cJSON *root)
{
    for (const cJSON *m = root->child; m; m = m->next) {
        const char *k = m->string ? m->string : "";
        if (strcmp(k, "Version") == 0) {
            if (!version_is_known(m))
                add_malformed(c, -1, "Version must be \"2012-10-17\" or \"2008-10-17\"");
        } else if (strcmp(k, "Id") == 0) {
            if (!cJSON_IsString(m))
                add_malformed(c, -1, "Id must be a string");
        } else if (strcmp(k, "Statement") != 0) {
            add_finding(c, POLICY_MALFORMED, -1, detail_printf_value("unknown element ", k, ""));
        }
    }
}

static void analyze_root(struct ctx *c, const cJSON *root)
{
    if (!cJSON_IsObject(root)) {
        add_malformed(c, -1, "the document is not a JSON object");
        return;
    }
    check_root_elements(c, root);
    const cJSON *st = member(root, "Statement");
    if (!st) {
        add_finding(c, POLICY_NO_STATEMENTS, -1, xstrdup("no Statement element"));
    } else if (cJSON_IsObject(st)) {
        analyze_statement(c, st, 0);
    } else if (!cJSON_IsArray(st)) {
        add_malformed(c, -1, "Statement must be an object or an array of objects");
    } else if (!st->child) {
        add_finding(c, POLICY_NO_STATEMENTS, -1, xstrdup("Statement is an empty array"));
    } else {
        int idx = 0;
        for (const cJSON *s = st->child; s; s = s->next)
            analyze_statement(c, s, idx++);
    }
}

static size_t count_statements(const cJSON *root)
{
    const cJSON *st = member(root, "Statement");
    return cJSON_IsArray(st) ? (size_t)cJSON_GetArraySize(st) : 1;
}

enum vpcx_status policy_analyze(const char *document, struct policy_report *out)
{
    struct ctx c = {.r = out, .alloc = 0};
    cJSON *root;
    char *why;
    memset(out, 0, sizeof(*out));
    switch (load_document(document, &root, &why)) {
    case LOAD_MISSING:
        add_finding(&c, POLICY_MISSING, -1, NULL);
        return VPCX_OK;
    case LOAD_TOO_LARGE:
        add_finding(&c, POLICY_TOO_LARGE, -1, why);
        return VPCX_ERR_TOO_LARGE;
    case LOAD_INVALID:
        add_finding(&c, POLICY_INVALID_JSON, -1, why);
        return VPCX_ERR_PARSE;
    case LOAD_OK:
        break;
    }
    out->valid = true;
    out->pretty = pretty_print(root);
    if (document_is_full_access(root)) {
        out->full_access = true;
        out->statements = count_statements(root);
        add_finding(&c, POLICY_FULL_ACCESS_DEFAULT, -1, NULL);
    } else {
        analyze_root(&c, root);
    }
    cJSON_Delete(root);
    return VPCX_OK;
}

void policy_report_finish(struct policy_report *report)
{
    if (!report)
        return;
    for (size_t i = 0; i < report->n; i++)
        free(report->findings[i].detail);
    free(report->findings);
    free(report->pretty);
    memset(report, 0, sizeof(*report));
}

enum policy_severity policy_report_severity(const struct policy_report *report)
{
    enum policy_severity max = POLICY_SEVERITY_INFO;
    for (size_t i = 0; i < report->n; i++) {
        enum policy_severity s = policy_finding_severity(report->findings[i].kind);
        if (s > max)
            max = s;
    }
    return max;
}

bool policy_report_has(const struct policy_report *report, enum policy_finding_kind kind)
{
    for (size_t i = 0; i < report->n; i++) {
        if (report->findings[i].kind == kind)
            return true;
    }
    return false;
}

/* ---- diff ---- */

struct lines {
    char *text; /* owned copy, '\n' replaced by NUL */
    const char **v;
    size_t n;
};

static void lines_split(const char *text, struct lines *out)
{
    size_t alloc = 16;
    out->text = xstrdup(text);
    out->v = xreallocarray(NULL, alloc, sizeof(*out->v));
    out->n = 0;
    char *p = out->text;
    for (;;) {
        if (out->n == alloc) {
            alloc *= 2;
            out->v = xreallocarray(out->v, alloc, sizeof(*out->v));
        }
        out->v[out->n++] = p;
        char *nl = strchr(p, '\n');
        if (!nl)
            break;
        *nl = '\0';
        p = nl + 1;
    }
}

static void lines_free(struct lines *l)
{
    free(l->text);
    free(l->v);
}

static void diff_emit(struct strbuf *out, char prefix, const char *line)
{
    strbuf_addch(out, prefix);
    strbuf_addstr(out, line);
    strbuf_addch(out, '\n');
}

/* Without room for the LCS table: everything removed, then everything added. */
static size_t diff_replace_all(const struct lines *a, const struct lines *b, struct strbuf *out)
{
    for (size_t i = 0; i < a->n; i++)
        diff_emit(out, '-', a->v[i]);
    for (size_t j = 0; j < b->n; j++)
        diff_emit(out, '+', b->v[j]);
    return a->n + b->n;
}

/* Appends the diff of a against b; returns the number of changed lines. */
static size_t diff_lines(const struct lines *a, const struct lines *b, struct strbuf *out)
{
    size_t w = b->n + 1, changed = 0;
    if ((a->n + 1) > DIFF_MAX_CELLS / w)
        return diff_replace_all(a, b, out);
    /* lcs[i * w + j]: longest common subsequence of a[i..] and b[j..]. */
    uint32_t *lcs = xcalloc((a->n + 1) * w, sizeof(*lcs));
    for (size_t i = a->n; i-- > 0;) {
        for (size_t j = b->n; j-- > 0;) {
            uint32_t down = lcs[(i + 1) * w + j], right = lcs[i * w + j + 1];
            lcs[i * w + j] = strcmp(a->v[i], b->v[j]) == 0 ? lcs[(i + 1) * w + j + 1] + 1
                             : down >= right               ? down
                                                           : right;
        }
    }
    size_t i = 0, j = 0;
    while (i < a->n || j < b->n) {
        if (i < a->n && j < b->n && strcmp(a->v[i], b->v[j]) == 0) {
            diff_emit(out, ' ', a->v[i++]);
            j++;
        } else if (j == b->n || (i < a->n && lcs[(i + 1) * w + j] >= lcs[i * w + j + 1])) {
            diff_emit(out, '-', a->v[i++]);
            changed++;
        } else {
            diff_emit(out, '+', b->v[j++]);
            changed++;
        }
    }
    free(lcs);
    return changed;
}

char *policy_diff_full_access(const char *document)
{
    char *pretty = policy_pretty(document);
    if (!pretty)
        return NULL;
    struct lines doc;
    struct strbuf best = STRBUF_INIT;
    size_t best_changed = SIZE_MAX;
    lines_split(pretty, &doc);
    free(pretty);
    for (size_t k = 0; k < sizeof(full_access_spellings) / sizeof(full_access_spellings[0]); k++) {
        char *ref_text = policy_pretty(full_access_spellings[k]);
        struct lines ref;
        struct strbuf sb = STRBUF_INIT;
        strbuf_init(&sb, 256);
        lines_split(ref_text, &ref);
        free(ref_text);
        size_t changed = diff_lines(&ref, &doc, &sb);
        lines_free(&ref);
        if (changed < best_changed) {
            strbuf_release(&best);
            best = sb;
            best_changed = changed;
        } else {
            strbuf_release(&sb);
        }
    }
    lines_free(&doc);
    return strbuf_detach(&best, NULL);
}

/* ---- tokenizer ---- */

static bool is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r';
}

static bool is_structural(char ch)
{
    return ch == '{' || ch == '}' || ch == '[' || ch == ']' || ch == ',' || ch == ':';
}

/* A quoted string up to its closing quote or the end of the line. */
static size_t scan_string(const char *p, enum policy_token *kind)
{
    size_t i = 1;
    while (p[i] && p[i] != '\n') {
        if (p[i] == '\\' && p[i + 1] && p[i + 1] != '\n') {
            i += 2;
        } else if (p[i] == '"') {
            i++;
            break;
        } else {
            i++;
        }
    }
    size_t k = i;
    while (is_space(p[k]))
        k++;
    *kind = p[k] == ':' ? POLICY_TOKEN_KEY : POLICY_TOKEN_STRING;
    return i;
}

/* A bare word: a number, true/false/null, or something else. */
static size_t scan_word(const char *p, enum policy_token *kind)
{
    size_t i = 0;
    while (p[i] && p[i] != '\n' && p[i] != '"' && !is_space(p[i]) && !is_structural(p[i]))
        i++;
    if (p[0] == '-' || (p[0] >= '0' && p[0] <= '9'))
        *kind = POLICY_TOKEN_NUMBER;
    else if ((i == 4 && (strncmp(p, "true", 4) == 0 || strncmp(p, "null", 4) == 0)) ||
             (i == 5 && strncmp(p, "false", 5) == 0))
        *kind = POLICY_TOKEN_LITERAL;
    else
        *kind = POLICY_TOKEN_OTHER;
    return i;
}

static size_t scan_token(const char *p, enum policy_token *kind)
{
    if (*p == '"')
        return scan_string(p, kind);
    if (is_structural(*p)) {
        *kind = POLICY_TOKEN_PUNCT;
        return 1;
    }
    return scan_word(p, kind);
}

size_t policy_tokenize(const char *text, struct policy_span **out)
{
    size_t n = 0, alloc = 0;
    unsigned line = 0;
    *out = NULL;
    if (!text)
        return 0;
    const char *line_start = text;
    for (const char *p = text; *p;) {
        if (*p == '\n') {
            line++;
            line_start = ++p;
            continue;
        }
        if (is_space(*p)) {
            p++;
            continue;
        }
        enum policy_token kind;
        size_t len = scan_token(p, &kind);
        if (n == alloc) {
            alloc = alloc ? 2 * alloc : 64;
            *out = xreallocarray(*out, alloc, sizeof(**out));
        }
        (*out)[n].line = line;
        (*out)[n].start = (unsigned)(p - line_start);
        (*out)[n].len = (unsigned)len;
        (*out)[n].kind = kind;
        n++;
        p += len;
    }
    return n;
}
