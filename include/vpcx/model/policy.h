/*
 * policy: analysis of a VPC endpoint's PolicyDocument (IAM policy language).
 *
 * Pure functions: a document string in, a report out; no I/O.
 *
 * policy_analyze() parses the document with cJSON and fills a report with:
 *   - pretty: the document re-printed with 2-space indentation, keys in the
 *     order given, one array item per line, no trailing newline. Strings keep
 *     JSON escaping and go further: C0/C1 controls, DEL, U+2028/2029 and bidi
 *     overrides/isolates are written as \uXXXX and invalid UTF-8 as \ufffd, so
 *     the text never holds a raw control character and is valid UTF-8.
 *   - findings: what a reviewer should know, each with a key, a severity and
 *     a plain-English explanation (the POLICY_FINDING_TABLE below), plus the
 *     statement index it concerns (-1: the whole policy) and a detail string
 *     (printable, already sanitised, may be NULL).
 *   - full_access: the policy means exactly AWS's default full-access policy
 *     (Allow, Principal "*", Action "*", Resource "*", no condition), however
 *     it is spelled: whitespace, key order, a string or a one-item array,
 *     Version 2008-10-17 / 2012-10-17 / absent, Sid and Id do not matter, nor
 *     does repeating the statement. A full-access policy gets the single
 *     finding FULL_ACCESS_DEFAULT rather than one per wildcard.
 *
 * Limits: AWS allows 20,480 characters (POLICY_MAX_CHARS, counted as UTF-8
 * code points, whitespace included); a longer document is refused with the
 * finding TOO_LARGE and no parse. Nesting deeper than cJSON's limit (1000)
 * is invalid JSON. Element names are case-sensitive as in IAM; action names
 * and condition keys are compared case-insensitively.
 *
 * Ownership: the report owns its strings; pair policy_analyze() with
 * policy_report_finish() whatever the result. The other functions return
 * heap memory the caller frees (free(NULL) being fine).
 */
#ifndef VPCX_MODEL_POLICY_H
#define VPCX_MODEL_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "vpcx/core/status.h"

/* AWS's limit on an endpoint policy, in characters. */
#define POLICY_MAX_CHARS 20480

enum policy_severity {
    POLICY_SEVERITY_INFO = 0,
    POLICY_SEVERITY_WARN = 1,
    POLICY_SEVERITY_CRITICAL = 2,
};

/* X(enum suffix, key, severity, explanation) */
#define POLICY_FINDING_TABLE(X)                                                                    \
    X(FULL_ACCESS_DEFAULT, "full-access-default", WARN,                                            \
      "This is AWS's default policy: any principal may perform any action on any resource "        \
      "through the endpoint. Access then rests on IAM and resource policies alone, including "     \
      "callers using credentials from other accounts.")                                            \
    X(PRINCIPAL_ANY_NO_CONDITION, "principal-any-no-condition", WARN,                              \
      "An Allow statement applies to every principal (\"*\") with no condition, so credentials "   \
      "from any AWS account can use the endpoint.")                                                \
    X(PRINCIPAL_ANY_WEAK_CONDITION, "principal-any-weak-condition", INFO,                          \
      "An Allow statement applies to every principal; its conditions do not limit the caller's "   \
      "account, organization or network.")                                                         \
    X(CONDITION_RESTRICTS, "condition-restricts", INFO,                                            \
      "An Allow statement is limited by a condition on the organization or account of the "        \
      "caller or of the resource, on the principal itself, or on the source VPC, endpoint or "     \
      "IP address.")                                                                               \
    X(ACTION_ANY, "action-any", WARN,                                                              \
      "An Allow statement permits every action (\"*\") of every service.")                         \
    X(ACTION_SERVICE_WILDCARD, "action-service-wildcard", INFO,                                    \
      "An Allow statement permits every action of a service (such as \"s3:*\").")                  \
    X(RESOURCE_ANY, "resource-any", INFO, "An Allow statement applies to every resource (\"*\").") \
    X(NOT_ACTION_ALLOW, "not-action-allow", WARN,                                                  \
      "An Allow statement uses NotAction: it permits every action except those listed, "           \
      "including actions added to services later.")                                                \
    X(NOT_PRINCIPAL_ALLOW, "not-principal-allow", CRITICAL,                                        \
      "An Allow statement uses NotPrincipal: it permits every principal except those listed.")     \
    X(NOT_RESOURCE_ALLOW, "not-resource-allow", WARN,                                              \
      "An Allow statement uses NotResource: it applies to every resource except those listed.")    \
    X(NO_STATEMENTS, "no-statements", WARN,                                                        \
      "The policy has no statements, so nothing is allowed through the endpoint.")                 \
    X(MALFORMED, "malformed", WARN,                                                                \
      "Part of the policy does not follow the IAM policy grammar; AWS would not accept it as "     \
      "written.")                                                                                  \
    X(INVALID_JSON, "invalid-json", CRITICAL,                                                      \
      "The policy document is not valid JSON, so it could not be analysed.")                       \
    X(TOO_LARGE, "too-large", CRITICAL,                                                            \
      "The policy document is longer than the 20,480 characters AWS allows; it was not "           \
      "analysed.")                                                                                 \
    X(MISSING, "missing", INFO,                                                                    \
      "The endpoint has no policy document (Gateway Load Balancer endpoints and services "         \
      "without endpoint policy support): the endpoint does not limit access.")

enum policy_finding_kind {
#define POLICY_FINDING_ENUM(name, key, sev, text) POLICY_##name,
    POLICY_FINDING_TABLE(POLICY_FINDING_ENUM)
#undef POLICY_FINDING_ENUM
        POLICY_FINDING_COUNT
};

struct policy_finding {
    enum policy_finding_kind kind;
    int statement; /* index into Statement (0 for a lone object), -1: whole policy */
    char *detail;  /* e.g. "Action \"s3:*\""; printable; may be NULL */
};

struct policy_report {
    bool valid;                      /* parsed as JSON (pretty is set) */
    bool full_access;                /* semantically AWS's default full-access policy */
    size_t statements;               /* number of statements seen */
    struct policy_finding *findings; /* in statement order, whole-policy ones first */
    size_t n;
    char *pretty; /* NULL unless valid */
};

/* Short stable key for JSON and tests, e.g. "action-any". "" when out of range. */
const char *policy_finding_key(enum policy_finding_kind kind);
/* One or two plain-English sentences. "" when out of range. */
const char *policy_finding_text(enum policy_finding_kind kind);
enum policy_severity policy_finding_severity(enum policy_finding_kind kind);
/* "info", "warn", "critical". */
const char *policy_severity_name(enum policy_severity severity);

/*
 * Analyses document (NULL or blank: MISSING). Always fills out. Returns
 * VPCX_OK when the document was analysed or is missing, VPCX_ERR_PARSE for
 * invalid JSON, VPCX_ERR_TOO_LARGE over the AWS limit.
 */
enum vpcx_status policy_analyze(const char *document, struct policy_report *out);
void policy_report_finish(struct policy_report *report);
/* The highest severity among the findings; INFO when there are none. */
enum policy_severity policy_report_severity(const struct policy_report *report);
/* True when the report holds a finding of kind. */
bool policy_report_has(const struct policy_report *report, enum policy_finding_kind kind);

/* The pretty form described above, or NULL for a missing, invalid or too large document. */
char *policy_pretty(const char *document);

/*
 * A line diff (LCS) of the default full-access policy against document, both
 * pretty-printed. Every output line ends in '\n' and starts with ' ' (in
 * both), '-' (only in the default) or '+' (only in the document). The default
 * is taken in whichever of AWS's two spellings gives fewer changed lines:
 * {"Statement":[{"Action":"*","Effect":"Allow","Principal":"*","Resource":"*"}]}
 * (interface endpoints, the documentation) or
 * {"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*",
 * "Resource":"*"}]} (gateway endpoints); ties go to the first. NULL when the
 * document is missing, invalid or too large. Work is bounded: past a few
 * million line pairs the diff degrades to all '-' then all '+'.
 */
char *policy_diff_full_access(const char *document);

/* Syntax classes for colouring pretty-printed JSON. */
enum policy_token {
    POLICY_TOKEN_KEY,     /* a string followed by ':' */
    POLICY_TOKEN_STRING,  /* other strings, quotes included */
    POLICY_TOKEN_NUMBER,  /* -12.5e3 */
    POLICY_TOKEN_LITERAL, /* true, false, null */
    POLICY_TOKEN_PUNCT,   /* { } [ ] , : one character each */
    POLICY_TOKEN_OTHER,   /* anything else (not produced for policy_pretty output) */
};

/* line: 0-based line number; start, len: bytes within that line. */
struct policy_span {
    unsigned line;
    unsigned start;
    unsigned len;
    enum policy_token kind;
};

/*
 * Splits text (normally a report's pretty) into spans, line by line, so a
 * viewer colours without parsing again. Every byte that is not a space, tab
 * or CR lies in exactly one span; spans never cross a line. Sets *out to a
 * heap array (caller frees; NULL when there are none) and returns its length.
 */
size_t policy_tokenize(const char *text, struct policy_span **out);

#endif
