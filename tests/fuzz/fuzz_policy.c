/*
 * fuzz_policy: the endpoint policy analyser (model/policy.h).
 *
 * Input: the PolicyDocument text (NUL bytes end it, as for a C string). The
 * target analyses it, pretty-prints it, diffs it against full access and
 * tokenizes the pretty form, checking the contracts the viewer relies on.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vpcx/model/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Spans lie inside their lines and never cross one. */
static void check_spans(const char *text)
{
    struct policy_span *spans = NULL;
    size_t n = policy_tokenize(text, &spans);
    size_t nlines = 1;
    for (const char *p = text; *p; p++)
        nlines += *p == '\n';
    for (size_t i = 0; i < n; i++) {
        if (spans[i].line >= nlines || spans[i].len == 0)
            abort();
    }
    free(spans);
}

static void check_report(const char *doc, const struct policy_report *r, enum vpcx_status st)
{
    if (r->valid != (r->pretty != NULL))
        abort();
    if (st == VPCX_OK && !r->valid && r->n == 0)
        abort(); /* a missing document is a finding too */
    for (size_t i = 0; i < r->n; i++) {
        if (policy_finding_key(r->findings[i].kind)[0] == '\0')
            abort();
        for (const char *d = r->findings[i].detail; d && *d; d++)
            if ((unsigned char)*d < 0x20 || *d == 0x7f)
                abort(); /* details are sanitised */
    }
    if (r->pretty) {
        for (const char *p = r->pretty; *p; p++)
            if ((unsigned char)*p < 0x20 && *p != '\n')
                abort(); /* no raw control character reaches the viewer */
        check_spans(r->pretty);
        /* Pretty-printing is stable from its second pass on (the first
         * turns invalid UTF-8 into \ufffd, which then prints as itself). */
        char *once = policy_pretty(r->pretty);
        char *again = once ? policy_pretty(once) : NULL;
        if (!once || !again || strcmp(again, once) != 0)
            abort();
        free(once);
        free(again);
    }
    char *diff = policy_diff_full_access(doc);
    free(diff);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *doc = malloc(size + 1);
    if (!doc)
        return 0;
    memcpy(doc, data, size);
    doc[size] = '\0';
    struct policy_report r;
    enum vpcx_status st = policy_analyze(doc, &r);
    check_report(doc, &r, st);
    policy_report_finish(&r);
    free(doc);
    return 0;
}
