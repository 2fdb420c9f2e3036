/* jsoncall: a signed JSON 1.1 POST; see the header. */
#include "vpcx/aws/jsoncall.h"

#include "vpcx/aws/sigv4.h"
#include "vpcx/core/clock.h"
#include "vpcx/core/json.h"
#include "vpcx/core/sanitize.h"
#include "vpcx/core/xalloc.h"

#include <cjson/cJSON.h>
#include <errno.h>
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

void json_retry_init(struct json_retry *r, const struct aws_session *s, int max_attempts)
{
    memset(r, 0, sizeof(*r));
    r->max_attempts = max_attempts > 0 ? max_attempts : s->settings.max_attempts_n;
    enum retry_mode mode = RETRY_MODE_STANDARD;
    retry_mode_parse(s->settings.retry_mode.value, &mode); /* checked by the settings */
    r->adaptive = mode == RETRY_MODE_ADAPTIVE;
    retry_quota_init(&r->quota);
    rate_limiter_init(&r->limiter, mono_s());
}

static void sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* Sends until the answer is final; VPCX_OK unless signing or the engine failed. */
static enum vpcx_status send_until_final(struct aws_session *s, struct json_retry *r,
                                         const struct json_call *c, const char *what,
                                         struct json_answer *out, int *tries,
                                         struct vpcx_error *err)
{
    struct retry_state rs;
    retry_state_init(&rs, r->max_attempts);
    for (;;) {
        for (long wait; r->adaptive && (wait = rate_limiter_acquire(&r->limiter, mono_s())) > 0;)
            sleep_ms(wait);
        json_answer_reset(out);
        r->attempts++;
        *tries = rs.attempt;
        enum vpcx_status st = json_call_send(s, c, what, out, err);
        if (st != VPCX_OK)
            return st;
        if (out->too_large)
            return VPCX_OK;
        bool ok = out->res.status == VPCX_OK && out->res.http_status == 200;
        char *code = out->res.status == VPCX_OK && !ok ? json_answer_code(out, NULL) : NULL;
        enum retry_kind kind =
            ok ? RETRY_NO : retry_classify(out->res.status, out->res.http_status, code);
        if (r->adaptive)
            rate_limiter_on_response(&r->limiter, mono_s(), kind == RETRY_THROTTLE);
        if (ok) {
            retry_note_success(&rs, &r->quota);
            return VPCX_OK;
        }
        long delay = 0;
        /* No credential reload: the series ends before credentials could expire. */
        if (kind != RETRY_REFRESH_CREDENTIALS)
            kind = retry_decide(&rs, &r->quota, out->res.status, out->res.http_status, code,
                                retry_random01(), &delay);
        free(code);
        if (kind == RETRY_NO || kind == RETRY_REFRESH_CREDENTIALS)
            return VPCX_OK;
        r->retries++;
        r->throttles += kind == RETRY_THROTTLE;
        sleep_ms(delay);
    }
}

enum vpcx_status json_call_retrying(struct aws_session *s, struct json_retry *r,
                                    const struct json_call *c, const char *what,
                                    struct json_answer *out, int *tries, struct vpcx_error *err)
{
    enum vpcx_status st = send_until_final(s, r, c, what, out, tries, err);
    if (st != VPCX_OK)
        return st;
    if (out->too_large)
        return vpcx_error_set(err, VPCX_ERR_TOO_LARGE, "%s: answer over %zu bytes", what,
                              c->max_body);
    if (out->res.status != VPCX_OK) {
        st = vpcx_error_set(err, out->res.status, "%s: %s", what,
                            out->error ? out->error : vpcx_status_message(out->res.status));
        json_retry_explain(r, *tries, what, err);
    }
    return st;
}

void json_retry_explain(const struct json_retry *r, int tries, const char *what,
                        struct vpcx_error *err)
{
    if (tries <= 1)
        return;
    const char *why = err->message ? err->message : vpcx_status_message(err->status);
    size_t n = strlen(what);
    if (strncmp(why, what, n) == 0 && strncmp(why + n, ": ", 2) == 0)
        why += n + 2;
    /* Only the message changes: the code, HTTP status, request ID and hint stay. */
    char *line = xasprintf("%s failed after %d attempts (%s mode): %s", what, tries,
                           r->adaptive ? "adaptive" : "standard", why);
    free(err->message);
    err->message = line; /* its parts were sanitised already */
}

char *json_answer_code(const struct json_answer *a, char **message)
{
    cJSON *doc = cJSON_ParseWithLength(a->body.buf ? a->body.buf : "", a->body.len);
    const char *type = json_get_str(doc, "__type");
    const char *msg = json_get_str(doc, "message");
    if (!msg)
        msg = json_get_str(doc, "Message");
    if (type && strchr(type, '#'))
        type = strchr(type, '#') + 1;
    char *code = type ? sanitize_dup(type, SANITIZE_SPACE) : NULL;
    if (message)
        *message = msg ? sanitize_dup(msg, SANITIZE_SPACE) : NULL;
    cJSON_Delete(doc);
    return code;
}
