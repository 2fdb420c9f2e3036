/* jsoncall: a signed JSON 1.1 POST; see the header. */
#include "vpcx/aws/jsoncall.h"

#include "vpcx/aws/sigv4.h"
#include "vpcx/core/sanitize.h"
#include "vpcx/core/xalloc.h"

#include <cjson/cJSON.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define JSON_CONTENT_TYPE "application/x-amz-json-1.1"

void json_answer_init(struct json_answer *a)
{
    memset(a, 0, sizeof(*a));
    strbuf_init(&a->body, 0);
}

void json_answer_finish(struct json_answer *a)
{
    strbuf_release(&a->body);
    free(a->error);
    memset(a, 0, sizeof(*a));
}

void json_answer_reset(struct json_answer *a)
{
    json_answer_finish(a);
    json_answer_init(a);
}

struct receive {
    struct json_answer *a;
    size_t max;
};

static bool on_data(void *ud, const char *data, size_t len, int http_status)
{
    (void)http_status;
    struct receive *r = ud;
    if (r->a->body.len + len > r->max) {
        r->a->too_large = true;
        return false;
    }
    strbuf_add(&r->a->body, data, len);
    return true;
}

static void on_done(void *ud, const struct http_result *res)
{
    struct receive *r = ud;
    r->a->res = *res;
    r->a->error = res->error ? xstrdup(res->error) : NULL;
    r->a->res.error = NULL;
}

static void free_header_list(char **h)
{
    for (size_t i = 0; h && h[i]; i++) {
        OPENSSL_cleanse(h[i], strlen(h[i])); /* Authorization and the token */
        free(h[i]);
    }
    free(h);
}

enum vpcx_status json_call_send(struct aws_session *s, const struct json_call *c, const char *what,
                                struct json_answer *out, struct vpcx_error *err)
{
    const struct sigv4_header hs[] = {
        {"content-type", JSON_CONTENT_TYPE},
        {"host", c->host},
        {"x-amz-target", c->target},
    };
    size_t body_len = strlen(c->body);
    const struct sigv4_request req = {.method = "POST",
                                      .path = "/",
                                      .headers = hs,
                                      .n_headers = 3,
                                      .body = c->body,
                                      .body_len = body_len};
    const struct sigv4_credentials creds = {
        .access_key_id = s->credentials.access_key_id,
        .secret_access_key = s->credentials.secret_access_key,
        .session_token = s->credentials.session_token,
    };
    const struct sigv4_options opt = {
        .region = c->region, .service = c->service, .now = time(NULL), .normalize_path = true};
    struct sigv4_result sig;
    enum vpcx_status st = sigv4_sign(&req, &creds, &opt, &sig);
    if (st != VPCX_OK) {
        sigv4_result_finish(&sig);
        return vpcx_error_set(err, st, "%s: cannot sign the request", what);
    }
    char **h = xcalloc(6, sizeof(*h));
    size_t n = 0;
    h[n++] = xstrdup("Content-Type: " JSON_CONTENT_TYPE);
    h[n++] = xasprintf("X-Amz-Target: %s", c->target);
    h[n++] = xasprintf("X-Amz-Date: %s", sig.amz_date);
    h[n++] = xasprintf("Authorization: %s", sig.authorization);
    if (sig.security_token)
        h[n++] = xasprintf("X-Amz-Security-Token: %s", sig.security_token);
    sigv4_result_finish(&sig);
    struct receive r = {.a = out, .max = c->max_body};
    const struct http_request hr = {.method = "POST",
                                    .url = c->url,
                                    .headers = (const char *const *)h,
                                    .body = c->body,
                                    .body_len = body_len,
                                    .on_data = on_data,
                                    .on_done = on_done,
                                    .ud = &r};
    uint64_t id = http_engine_submit(s->http, &hr);
    st = http_engine_wait(s->http, id);
    free_header_list(h);
    if (st != VPCX_OK)
        return vpcx_error_set(err, st, "%s: the call did not finish", what);
    return VPCX_OK;
}

static const char *str_item(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

char *json_answer_code(const struct json_answer *a, char **message)
{
    cJSON *doc = cJSON_ParseWithLength(a->body.buf ? a->body.buf : "", a->body.len);
    const char *type = str_item(doc, "__type");
    const char *msg = str_item(doc, "message");
    if (!msg)
        msg = str_item(doc, "Message");
    if (type && strchr(type, '#'))
        type = strchr(type, '#') + 1;
    char *code = type ? sanitize_dup(type, SANITIZE_SPACE) : NULL;
    if (message)
        *message = msg ? sanitize_dup(msg, SANITIZE_SPACE) : NULL;
    cJSON_Delete(doc);
    return code;
}
