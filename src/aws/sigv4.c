#include "vpcx/aws/sigv4.h"

#include "vpcx/aws/query.h"
#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SIGV4_ALGORITHM       "AWS4-HMAC-SHA256"
#define SIGV4_DEFAULT_EXPIRES 3600u
#define SHA256_LEN            32
#define SHA256_HEX_LEN        64

/* ---- small helpers ---- */

static void hex_encode(const unsigned char *in, size_t len, char *out)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = hex[in[i] >> 4];
        out[2 * i + 1] = hex[in[i] & 0x0f];
    }
    out[2 * len] = '\0';
}

static bool sha256_hex(const void *data, size_t len, char out[SHA256_HEX_LEN + 1])
{
    unsigned char md[SHA256_LEN];
    unsigned int md_len = 0;
    if (!EVP_Digest(len ? data : "", len, md, &md_len, EVP_sha256(), NULL) || md_len != SHA256_LEN)
        return false;
    hex_encode(md, SHA256_LEN, out);
    return true;
}

static bool hmac_sha256(const void *key, size_t key_len, const char *data,
                        unsigned char out[SHA256_LEN])
{
    unsigned int out_len = 0;
    if (key_len > INT_MAX)
        return false;
    if (!HMAC(EVP_sha256(), key, (int)key_len, (const unsigned char *)data, strlen(data), out,
              &out_len))
        return false;
    return out_len == SHA256_LEN;
}

/* kSigning = HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service), "aws4_request") */
static bool sigv4_derive_key(const char *secret, const char *date, const char *region,
                             const char *service, unsigned char key[SHA256_LEN])
{
    size_t secret_len = strlen(secret);
    size_t k0_len = secret_len + 4;
    unsigned char *k0 = xmalloc(k0_len);
    unsigned char k1[SHA256_LEN], k2[SHA256_LEN], k3[SHA256_LEN];
    memcpy(k0, "AWS4", 4);
    memcpy(k0 + 4, secret, secret_len);
    bool ok = hmac_sha256(k0, k0_len, date, k1) && hmac_sha256(k1, SHA256_LEN, region, k2) &&
              hmac_sha256(k2, SHA256_LEN, service, k3) &&
              hmac_sha256(k3, SHA256_LEN, "aws4_request", key);
    OPENSSL_cleanse(k0, k0_len);
    free(k0);
    OPENSSL_cleanse(k1, sizeof(k1));
    OPENSSL_cleanse(k2, sizeof(k2));
    OPENSSL_cleanse(k3, sizeof(k3));
    return ok;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static bool has_text(const char *s)
{
    return s && *s;
}

/* ---- canonical headers ---- */

struct canon_header {
    char *name;  /* lowercase */
    char *value; /* trimmed, whitespace squeezed */
    size_t order;
};

struct header_list {
    struct canon_header *items;
    size_t n, alloc;
};

/* Trims and squeezes runs of whitespace (folded lines included) into one space. */
static char *header_value_canonical(const char *v)
{
    struct strbuf sb = STRBUF_INIT;
    strbuf_init(&sb, 0);
    bool pending_space = false;
    for (const char *p = v ? v : ""; *p; p++) {
        if (is_space(*p)) {
            pending_space = sb.len > 0;
            continue;
        }
        if (pending_space)
            strbuf_addch(&sb, ' ');
        pending_space = false;
        strbuf_addch(&sb, *p);
    }
    return strbuf_detach(&sb, NULL);
}

static void header_list_add(struct header_list *hl, const char *name, const char *value)
{
    if (hl->n == hl->alloc) {
        hl->alloc = hl->alloc ? hl->alloc * 2 : 8;
        hl->items = xreallocarray(hl->items, hl->alloc, sizeof(*hl->items));
    }
    struct canon_header *h = &hl->items[hl->n];
    h->name = xstrdup(name);
    for (char *p = h->name; *p; p++) {
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    }
    h->value = header_value_canonical(value);
    h->order = hl->n++;
}

static void header_list_finish(struct header_list *hl)
{
    for (size_t i = 0; i < hl->n; i++) {
        free(hl->items[i].name);
        OPENSSL_cleanse(hl->items[i].value, strlen(hl->items[i].value));
        free(hl->items[i].value);
    }
    free(hl->items);
}

static int header_cmp(const void *a, const void *b)
{
    const struct canon_header *x = a;
    const struct canon_header *y = b;
    int c = strcmp(x->name, y->name);
    if (c)
        return c;
    return x->order < y->order ? -1 : x->order > y->order;
}

static bool header_is_reserved(const char *name)
{
    static const char *const reserved[] = {"authorization", "x-amz-date", "x-amz-security-token",
                                           "x-amz-content-sha256"};
    for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
        if (strcasecmp(name, reserved[i]) == 0)
            return true;
    }
    return false;
}

/* Sorts hl and writes "name:v1,v2\n" lines and the ';'-joined names. */
static void headers_canonical(struct header_list *hl, struct strbuf *lines, struct strbuf *names)
{
    if (hl->n > 1) /* qsort(NULL, 0) is undefined */
        qsort(hl->items, hl->n, sizeof(*hl->items), header_cmp);
    for (size_t i = 0; i < hl->n; i++) {
        const struct canon_header *h = &hl->items[i];
        bool same_as_prev = i > 0 && strcmp(h->name, hl->items[i - 1].name) == 0;
        if (same_as_prev) {
            strbuf_addch(lines, ',');
            strbuf_addstr(lines, h->value);
            continue;
        }
        if (i > 0) {
            strbuf_addch(lines, '\n');
            strbuf_addch(names, ';');
        }
        strbuf_addstr(names, h->name);
        strbuf_addf(lines, "%s:%s", h->name, h->value);
    }
    if (hl->n)
        strbuf_addch(lines, '\n');
}

/* ---- canonical query ---- */

struct canon_param {
    char *key; /* encoded */
    char *value;
};

struct param_list {
    struct canon_param *items;
    size_t n, alloc;
};

static char *uri_encode_dup(const char *s, size_t len)
{
    struct strbuf sb = STRBUF_INIT;
    strbuf_init(&sb, len);
    aws_uri_encode(&sb, s, len, true);
    return strbuf_detach(&sb, NULL);
}

/* Decodes then re-encodes, so encoded and raw input canonicalise alike. */
static char *uri_reencode_dup(const char *s, size_t len)
{
    struct strbuf raw = STRBUF_INIT;
    strbuf_init(&raw, len);
    aws_uri_decode(&raw, s, len);
    char *out = uri_encode_dup(raw.buf, raw.len);
    strbuf_release(&raw);
    return out;
}

static void param_list_push(struct param_list *pl, char *key, char *value)
{
    if (pl->n == pl->alloc) {
        pl->alloc = pl->alloc ? pl->alloc * 2 : 16;
        pl->items = xreallocarray(pl->items, pl->alloc, sizeof(*pl->items));
    }
    pl->items[pl->n].key = key;
    pl->items[pl->n].value = value;
    pl->n++;
}

static void param_list_add(struct param_list *pl, const char *key, const char *value)
{
    param_list_push(pl, uri_encode_dup(key, strlen(key)), uri_encode_dup(value, strlen(value)));
}

static void param_list_add_raw_query(struct param_list *pl, const char *query)
{
    const char *p = query;
    while (p && *p) {
        const char *end = strchr(p, '&');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        size_t key_len = eq ? (size_t)(eq - p) : len;
        if (len > 0) {
            const char *val = eq ? eq + 1 : p + len;
            size_t val_len = len - key_len - (eq ? 1 : 0);
            param_list_push(pl, uri_reencode_dup(p, key_len), uri_reencode_dup(val, val_len));
        }
        p = end ? end + 1 : NULL;
    }
}

static int param_cmp(const void *a, const void *b)
{
    const struct canon_param *x = a;
    const struct canon_param *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : strcmp(x->value, y->value);
}

static void params_canonical(struct param_list *pl, struct strbuf *out)
{
    if (pl->n > 1)
        qsort(pl->items, pl->n, sizeof(*pl->items), param_cmp);
    for (size_t i = 0; i < pl->n; i++) {
        if (i)
            strbuf_addch(out, '&');
        strbuf_addf(out, "%s=%s", pl->items[i].key, pl->items[i].value);
    }
}

static void param_list_finish(struct param_list *pl)
{
    for (size_t i = 0; i < pl->n; i++) {
        free(pl->items[i].key);
        OPENSSL_cleanse(pl->items[i].value, strlen(pl->items[i].value));
        free(pl->items[i].value);
    }
    free(pl->items);
}

/* ---- canonical path ---- */

/* Removes empty, "." and ".." segments; keeps a trailing slash (botocore's rule). */
static void path_normalize(struct strbuf *out, const char *path)
{
    size_t path_len = strlen(path);
    const char *p = path;
    while (*p) {
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == 2 && p[0] == '.' && p[1] == '.') {
            size_t cut = out->len;
            while (cut > 0 && out->buf[cut - 1] != '/')
                cut--;
            strbuf_setlen(out, cut > 0 ? cut - 1 : 0);
        } else if (len > 0 && !(len == 1 && p[0] == '.')) {
            strbuf_addch(out, '/');
            strbuf_add(out, p, len);
        }
        p = end ? end + 1 : p + len;
    }
    if (out->len == 0 || path[path_len - 1] == '/')
        strbuf_addch(out, '/');
}

static void path_canonical(struct strbuf *out, const char *path, bool normalize)
{
    if (!has_text(path)) {
        strbuf_addch(out, '/');
        return;
    }
    if (!normalize) {
        aws_uri_encode(out, path, strlen(path), false);
        return;
    }
    struct strbuf norm = STRBUF_INIT;
    strbuf_init(&norm, 0);
    path_normalize(&norm, path);
    aws_uri_encode(out, norm.buf, norm.len, false);
    strbuf_release(&norm);
}

/* ---- signing ---- */

struct sign_ctx {
    const struct sigv4_request *req;
    const struct sigv4_credentials *creds;
    const struct sigv4_options *opt;
    bool presign;
    char date[9];
    char *scope;
    char payload_hash[SHA256_HEX_LEN + 1];
};

static bool token_is_signed(const struct sign_ctx *c)
{
    return has_text(c->creds->session_token) && !c->opt->omit_session_token;
}

static unsigned sign_expires(const struct sign_ctx *c)
{
    return c->opt->expires ? c->opt->expires : SIGV4_DEFAULT_EXPIRES;
}

static void collect_headers(const struct sign_ctx *c, struct sigv4_result *out,
                            struct header_list *hl)
{
    for (size_t i = 0; i < c->req->n_headers; i++) {
        const struct sigv4_header *h = &c->req->headers[i];
        if (h->name && !header_is_reserved(h->name))
            header_list_add(hl, h->name, h->value);
    }
    if (c->presign)
        return;
    header_list_add(hl, "x-amz-date", out->amz_date);
    if (token_is_signed(c))
        header_list_add(hl, "x-amz-security-token", c->creds->session_token);
    if (c->opt->sign_body)
        header_list_add(hl, "x-amz-content-sha256", c->payload_hash);
}

static char *credential_param(const struct sign_ctx *c)
{
    return xasprintf("%s/%s", c->creds->access_key_id, c->scope);
}

static void collect_params(const struct sign_ctx *c, const struct sigv4_result *out,
                           struct param_list *pl)
{
    param_list_add_raw_query(pl, c->req->query);
    if (!c->presign)
        return;
    char *credential = credential_param(c);
    char *expires = xasprintf("%u", sign_expires(c));
    param_list_add(pl, "X-Amz-Algorithm", SIGV4_ALGORITHM);
    param_list_add(pl, "X-Amz-Credential", credential);
    param_list_add(pl, "X-Amz-Date", out->amz_date);
    param_list_add(pl, "X-Amz-Expires", expires);
    if (token_is_signed(c))
        param_list_add(pl, "X-Amz-Security-Token", c->creds->session_token);
    param_list_add(pl, "X-Amz-SignedHeaders", out->signed_headers);
    free(credential);
    free(expires);
}

static void build_canonical_request(const struct sign_ctx *c, struct sigv4_result *out)
{
    struct header_list hl = {0};
    struct param_list pl = {0};
    struct strbuf lines = STRBUF_INIT, names = STRBUF_INIT, creq = STRBUF_INIT;
    strbuf_init(&lines, 0);
    strbuf_init(&names, 0);
    strbuf_init(&creq, 256);

    collect_headers(c, out, &hl);
    headers_canonical(&hl, &lines, &names);
    out->signed_headers = strbuf_detach(&names, NULL);

    strbuf_addf(&creq, "%s\n", c->req->method);
    path_canonical(&creq, c->req->path, c->opt->normalize_path);
    strbuf_addch(&creq, '\n');
    collect_params(c, out, &pl);
    params_canonical(&pl, &creq);
    strbuf_addch(&creq, '\n');
    strbuf_add(&creq, lines.buf, lines.len);
    strbuf_addf(&creq, "\n%s\n%s", out->signed_headers, c->payload_hash);
    out->canonical_request = strbuf_detach(&creq, NULL);

    OPENSSL_cleanse(lines.buf, lines.len);
    strbuf_release(&lines);
    header_list_finish(&hl);
    param_list_finish(&pl);
}

static enum vpcx_status compute_signature(const struct sign_ctx *c, struct sigv4_result *out)
{
    char creq_hash[SHA256_HEX_LEN + 1];
    if (!sha256_hex(out->canonical_request, strlen(out->canonical_request), creq_hash))
        return VPCX_ERR_INTERNAL;
    out->string_to_sign =
        xasprintf(SIGV4_ALGORITHM "\n%s\n%s\n%s", out->amz_date, c->scope, creq_hash);

    unsigned char key[SHA256_LEN];
    unsigned char sig[SHA256_LEN];
    bool ok = sigv4_derive_key(c->creds->secret_access_key, c->date, c->opt->region,
                               c->opt->service, key) &&
              hmac_sha256(key, SHA256_LEN, out->string_to_sign, sig);
    OPENSSL_cleanse(key, sizeof(key));
    if (!ok)
        return VPCX_ERR_INTERNAL;
    out->signature = xmalloc(2 * SHA256_LEN + 1);
    hex_encode(sig, SHA256_LEN, out->signature);
    return VPCX_OK;
}

/* Presigned parameters in the order the AWS suite's signed requests show. */
static char *presigned_query(const struct sign_ctx *c, const struct sigv4_result *out)
{
    struct strbuf sb = STRBUF_INIT;
    strbuf_init(&sb, 256);
    char *credential = credential_param(c);
    strbuf_addstr(&sb, "X-Amz-Algorithm=" SIGV4_ALGORITHM "&X-Amz-Credential=");
    aws_uri_encode(&sb, credential, strlen(credential), true);
    strbuf_addf(&sb, "&X-Amz-Date=%s&X-Amz-SignedHeaders=", out->amz_date);
    aws_uri_encode(&sb, out->signed_headers, strlen(out->signed_headers), true);
    strbuf_addf(&sb, "&X-Amz-Expires=%u", sign_expires(c));
    if (has_text(c->creds->session_token)) {
        strbuf_addstr(&sb, "&X-Amz-Security-Token=");
        aws_uri_encode(&sb, c->creds->session_token, strlen(c->creds->session_token), true);
    }
    strbuf_addf(&sb, "&X-Amz-Signature=%s", out->signature);
    free(credential);
    return strbuf_detach(&sb, NULL);
}

static void finish_outputs(const struct sign_ctx *c, struct sigv4_result *out)
{
    if (has_text(c->creds->session_token))
        out->security_token = xstrdup(c->creds->session_token);
    if (c->presign) {
        out->presigned_query = presigned_query(c, out);
        return;
    }
    if (c->opt->sign_body)
        out->content_sha256 = xstrdup(c->payload_hash);
    out->authorization =
        xasprintf(SIGV4_ALGORITHM " Credential=%s/%s, SignedHeaders=%s, "
                                  "Signature=%s",
                  c->creds->access_key_id, c->scope, out->signed_headers, out->signature);
}

static enum vpcx_status check_inputs(const struct sigv4_request *req,
                                     const struct sigv4_credentials *creds,
                                     const struct sigv4_options *opt)
{
    if (!req || !opt || !has_text(req->method) || !has_text(opt->region) || !has_text(opt->service))
        return VPCX_ERR_USAGE;
    if (!creds || !has_text(creds->access_key_id) || !has_text(creds->secret_access_key))
        return VPCX_ERR_NO_CREDENTIALS;
    if (req->n_headers && !req->headers)
        return VPCX_ERR_USAGE;
    return VPCX_OK;
}

static enum vpcx_status format_amz_date(time_t now, struct sigv4_result *out, char date[9])
{
    struct tm tm;
    char buf[sizeof("YYYYMMDDTHHMMSSZ")];
    if (!gmtime_r(&now, &tm) || strftime(buf, sizeof(buf), "%Y%m%dT%H%M%SZ", &tm) != 16)
        return VPCX_ERR_INTERNAL;
    out->amz_date = xstrdup(buf);
    memcpy(date, buf, 8);
    date[8] = '\0';
    return VPCX_OK;
}

static enum vpcx_status sigv4_run(const struct sigv4_request *req,
                                  const struct sigv4_credentials *creds,
                                  const struct sigv4_options *opt, bool presign,
                                  struct sigv4_result *out)
{
    memset(out, 0, sizeof(*out));
    enum vpcx_status st = check_inputs(req, creds, opt);
    if (st != VPCX_OK)
        return st;
    struct sign_ctx c = {.req = req, .creds = creds, .opt = opt, .presign = presign};
    st = format_amz_date(opt->now, out, c.date);
    if (st == VPCX_OK && !sha256_hex(req->body, req->body ? req->body_len : 0, c.payload_hash))
        st = VPCX_ERR_INTERNAL;
    if (st == VPCX_OK) {
        c.scope = xasprintf("%s/%s/%s/aws4_request", c.date, opt->region, opt->service);
        build_canonical_request(&c, out);
        st = compute_signature(&c, out);
    }
    if (st == VPCX_OK)
        finish_outputs(&c, out);
    free(c.scope);
    if (st != VPCX_OK)
        sigv4_result_finish(out);
    return st;
}

enum vpcx_status sigv4_sign(const struct sigv4_request *req, const struct sigv4_credentials *creds,
                            const struct sigv4_options *opt, struct sigv4_result *out)
{
    return sigv4_run(req, creds, opt, false, out);
}

enum vpcx_status sigv4_presign(const struct sigv4_request *req,
                               const struct sigv4_credentials *creds,
                               const struct sigv4_options *opt, struct sigv4_result *out)
{
    return sigv4_run(req, creds, opt, true, out);
}

static void wipe_free(char **s)
{
    if (*s) {
        OPENSSL_cleanse(*s, strlen(*s));
        free(*s);
        *s = NULL;
    }
}

void sigv4_result_finish(struct sigv4_result *res)
{
    if (!res)
        return;
    wipe_free(&res->amz_date);
    wipe_free(&res->authorization);
    wipe_free(&res->security_token);
    wipe_free(&res->content_sha256);
    wipe_free(&res->presigned_query);
    wipe_free(&res->signed_headers);
    wipe_free(&res->canonical_request);
    wipe_free(&res->string_to_sign);
    wipe_free(&res->signature);
}
