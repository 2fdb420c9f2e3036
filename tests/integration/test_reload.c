/*
 * Credential reload after an expiry answer, through a real session: moto
 * behind the fault proxy answers the first request of every action with
 * RequestExpired, and the profile's credential_process is a script that
 * counts its runs, records what it read on stdin and sleeps on a reload.
 * One reload must serve every expired call, the helper must see EOF on stdin,
 * the engine must keep turning while it sleeps, and a failing helper's stderr
 * must reach the calls' error, sanitised and without secrets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "vpcx/aws/client.h"
#include "vpcx/aws/http.h"
#include "vpcx/aws/session.h"
#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"

#include "testutil.h"

#define N_CALLS      6
#define RELOAD_SLEEP "3" /* seconds the helper sleeps on a reload */

static const char *const operations[N_CALLS] = {
    "DescribeVpcs",        "DescribeSubnets",     "DescribeSecurityGroups",
    "DescribeRouteTables", "DescribeNetworkAcls", "DescribeAvailabilityZones",
};

struct fixture {
    struct test_servers t;
    char dir[64];
    char *config_path;
    char *creds_path;
    struct aws_env env; /* the chain reads it again on every reload */
    char *imds_url;     /* AWS_EC2_METADATA_SERVICE_ENDPOINT when set */
};

/* The helper: counts runs, records stdin, sleeps and (mode fail) fails on a reload. */
static const char helper_script[] =
    "#!/bin/sh\n"
    "dir=\"$1\"; mode=\"$2\"\n"
    "n=$(cat \"$dir/count\" 2>/dev/null || echo 0); n=$((n + 1)); echo $n > \"$dir/count\"\n"
    "if IFS= read -r line; then echo \"got:$line\" >> \"$dir/stdin\"; "
    "else echo \"eof:$line\" >> \"$dir/stdin\"; fi\n"
    "if [ $n -gt 1 ]; then\n"
    "  sleep " RELOAD_SLEEP "\n"
    "  if [ \"$mode\" = fail ]; then\n"
    "    printf 'token service said: \\033[31mno\\033[0m\\n{\"SecretAccessKey\": "
    "\"LeakedSecretZ9\"}\\n' >&2\n"
    "    exit 4\n"
    "  fi\n"
    "  echo $n > \"$dir/finished\"\n"
    "fi\n"
    /* soon: expires inside the advisory window (12 min), due: inside the mandatory one */
    "left=0; [ \"$mode\" = soon ] && left=720; [ \"$mode\" = due ] && left=300\n"
    "extra=''; [ $left -gt 0 ] && "
    "extra=\", \\\"Expiration\\\": \\\"$(date -u -d \"@$(( $(date +%s) + left ))\" "
    "+%Y-%m-%dT%H:%M:%SZ)\\\"\"\n"
    "printf '{\"Version\": 1, \"AccessKeyId\": \"AKIDPROC%d\", \"SecretAccessKey\": "
    "\"proc-secret-%d\"%s}' $n $n \"$extra\"\n";

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* The keyboard, as far as a helper that inherits stdin could tell. */
static void stdin_with_keys(void)
{
    int p[2];
    if (pipe(p) != 0)
        return;
    fcntl(p[1], F_SETFD, FD_CLOEXEC);
    /* enough lines for every helper that would read one */
    for (int i = 0; i < 200; i++) {
        if (write(p[1], "typed-keys\n", 11) != 11)
            return;
    }
    dup2(p[0], STDIN_FILENO);
    close(p[0]);
    /* p[1] stays open here: a reader never sees EOF from this pipe */
}

static int setup(void **state)
{
    struct fixture *fx = xcalloc(1, sizeof(*fx));
    if (!test_servers_start(&fx->t, "reload", 7)) {
        free(fx);
        return -1;
    }
    snprintf(fx->dir, sizeof(fx->dir), "/tmp/vpcx-reload-home-XXXXXX");
    if (!mkdtemp(fx->dir))
        return -1;
    char *helper = xasprintf("%s/helper.sh", fx->dir);
    write_file(helper, helper_script);
    free(helper);
    fx->config_path = xasprintf("%s/config", fx->dir);
    fx->creds_path = xasprintf("%s/credentials", fx->dir);
    char *config =
        xasprintf("[profile proc]\ncredential_process = sh %s/helper.sh %s ok\n"
                  "region = us-east-1\n\n"
                  "[profile failing]\ncredential_process = sh %s/helper.sh %s fail\n"
                  "region = us-east-1\n\n"
                  "[profile soon]\ncredential_process = sh %s/helper.sh %s soon\n"
                  "region = us-east-1\n\n"
                  "[profile due]\ncredential_process = sh %s/helper.sh %s due\n"
                  "region = us-east-1\n\n"
                  "[profile instance]\nregion = us-east-1\n\n"
                  "[profile hop]\nrole_arn = arn:aws:iam::123456789012:role/Hop\n"
                  "source_profile = proc\n\n"
                  "[profile target]\n"
                  "role_arn = arn:aws:iam::123456789012:role/Explorer\n"
                  "source_profile = hop\nregion = us-east-1\n",
                  fx->dir, fx->dir, fx->dir, fx->dir, fx->dir, fx->dir, fx->dir, fx->dir);
    write_file(fx->config_path, config);
    free(config);
    write_file(fx->creds_path, "");
    stdin_with_keys();
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    if (!fx)
        return 0;
    test_servers_stop(&fx->t);
    /* the IMDS stand-in, if a failed test left it running */
    char *cmd = xasprintf("test -f %s/imds.pid && kill $(cat %s/imds.pid) 2>/dev/null; "
                          "rm -rf %s",
                          fx->dir, fx->dir, fx->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "teardown: %s failed\n", cmd);
    free(cmd);
    free(fx->config_path);
    free(fx->creds_path);
    free(fx);
    return 0;
}

static const char *fake_env_get(void *ud, const char *name)
{
    const struct fixture *fx = ud;
    if (strcmp(name, "AWS_CONFIG_FILE") == 0)
        return fx->config_path;
    if (strcmp(name, "AWS_SHARED_CREDENTIALS_FILE") == 0)
        return fx->creds_path;
    if (strcmp(name, "HOME") == 0)
        return fx->dir;
    if (strcmp(name, "AWS_EC2_METADATA_SERVICE_ENDPOINT") == 0)
        return fx->imds_url;
    if (strcmp(name, "AWS_EC2_METADATA_DISABLED") == 0)
        return fx->imds_url ? NULL : "true";
    return NULL;
}

static char *read_text(const struct fixture *fx, const char *name)
{
    char *path = xasprintf("%s/%s", fx->dir, name);
    char *text = test_read_file(path, NULL);
    free(path);
    return text ? text : xstrdup("");
}

static void reset_records(const struct fixture *fx)
{
    char *cmd = xasprintf("rm -f %s/count %s/stdin %s/finished", fx->dir, fx->dir, fx->dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
}

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- talking to the proxy ---- */

struct post_result {
    bool done;
    int status;
    double at;
    struct strbuf *body; /* may be NULL */
};

static bool post_data(void *ud, const char *data, size_t len, int http_status)
{
    struct post_result *p = ud;
    if (p->body)
        strbuf_add(p->body, data, len);
    return true;
}

static void post_done(void *ud, const struct http_result *r)
{
    struct post_result *p = ud;
    p->done = true;
    p->status = r->http_status;
    p->at = mono_s();
}

static uint64_t proxy_request(struct http_engine *h, const struct fixture *fx, const char *path,
                              const char *json, struct post_result *res)
{
    char *url = xasprintf("%s%s", fx->t.proxy_url, path);
    const char *headers[] = {"Content-Type: application/json", NULL};
    const struct http_request req = {
        .method = json ? "POST" : "GET",
        .url = url,
        .headers = headers,
        .body = json,
        .body_len = json ? strlen(json) : 0,
        .on_data = post_data,
        .on_done = post_done,
        .ud = res,
    };
    uint64_t id = http_engine_submit(h, &req);
    free(url);
    return id;
}

static void proxy_expire_first_requests(struct http_engine *h, const struct fixture *fx)
{
    struct strbuf json;
    strbuf_init(&json, 0);
    strbuf_addstr(&json, "{\"faults\": {");
    for (int i = 0; i < N_CALLS; i++)
        strbuf_addf(&json, "%s\"%s\": [{\"kind\": \"expired\", \"nth\": [1]}]", i ? ", " : "",
                    operations[i]);
    strbuf_addstr(&json, "}}");
    struct post_result res = {0};
    http_engine_wait(h, proxy_request(h, fx, "/_proxy/config", strbuf_str(&json), &res));
    assert_int_equal(res.status, 200);
    strbuf_release(&json);
}

/* How many requests for action the proxy has seen. */
static long proxy_count(struct http_engine *h, const struct fixture *fx, const char *action)
{
    struct strbuf body;
    strbuf_init(&body, 0);
    struct post_result res = {.body = &body};
    http_engine_wait(h, proxy_request(h, fx, "/_proxy/stats", NULL, &res));
    assert_int_equal(res.status, 200);
    cJSON *root = cJSON_ParseWithLength(body.buf, body.len);
    const cJSON *n = cJSON_GetObjectItem(cJSON_GetObjectItem(root, "requests"), action);
    long count = cJSON_IsNumber(n) ? (long)n->valuedouble : 0;
    cJSON_Delete(root);
    strbuf_release(&body);
    return count;
}

/* ---- the calls ---- */

struct call_slot {
    bool done;
    enum vpcx_status status;
    char *message;
    double at;
};

static void call_done(void *ud, struct aws_call_result *res)
{
    struct call_slot *c = ud;
    c->done = true;
    c->status = res->status;
    c->at = mono_s();
    if (res->error && res->error->message)
        c->message = xstrdup(res->error->message);
}

/* While the helper sleeps: a timer fires and starts a plain transfer. */
struct side_work {
    struct http_engine *http;
    const struct fixture *fx;
    double timer_at;
    struct post_result transfer;
};

static void side_timer(void *ud)
{
    struct side_work *w = ud;
    w->timer_at = mono_s();
    proxy_request(w->http, w->fx, "/_proxy/stats", NULL, &w->transfer);
}

static void session_open(struct fixture *fx, const char *profile, struct aws_session *s)
{
    fx->env = (struct aws_env){.get = fake_env_get, .ud = fx};
    const struct aws_session_options so = {
        .aws = {.profile = profile, .endpoint_url = fx->t.proxy_url},
        .env = &fx->env,
    };
    struct vpcx_error err;
    vpcx_error_init(&err);
    assert_int_equal(aws_session_resolve(s, &so, &err), VPCX_OK);
    if (aws_session_connect(s, &so, &err) != VPCX_OK)
        fail_msg("connect: %s", err.message ? err.message : "?");
    vpcx_error_finish(&err);
}

static bool all_done(const struct call_slot *slots)
{
    for (int i = 0; i < N_CALLS; i++) {
        if (!slots[i].done)
            return false;
    }
    return true;
}

/* Starts every call at once, plus the side work 300 ms later, and runs the
   engine until all calls are answered. Returns the first answer's time,
   counted from the start of the calls, as side's times are. */
static double run_expired_calls(struct aws_session *s, struct fixture *fx, struct call_slot *slots,
                                struct side_work *side)
{
    proxy_expire_first_requests(s->http, fx);
    side->http = s->http;
    side->fx = fx;
    for (int i = 0; i < N_CALLS; i++) {
        struct aws_query q;
        aws_query_init(&q, NULL, NULL);
        const struct aws_call_params p = {
            .service = AWS_SERVICE_EC2,
            .operation = operations[i],
            .query = &q,
            .done = call_done,
            .ud = &slots[i],
        };
        aws_client_call(s->client, &p);
        aws_query_finish(&q);
    }
    double start = mono_s();
    http_engine_add_timer(s->http, 300, side_timer, side);
    while (!all_done(slots) && mono_s() - start < 90) {
        bool ready;
        http_engine_step(s->http, -1, 1000, &ready);
    }
    while (!side->transfer.done && mono_s() - start < 90) {
        bool ready;
        http_engine_step(s->http, -1, 1000, &ready);
    }
    double first = 1e300;
    for (int i = 0; i < N_CALLS; i++) {
        if (slots[i].at < first)
            first = slots[i].at;
    }
    side->timer_at -= start;
    side->transfer.at -= start;
    return first - start;
}

static void slots_finish(struct call_slot *slots)
{
    for (int i = 0; i < N_CALLS; i++)
        free(slots[i].message);
}

static void assert_stdin_always_eof(const struct fixture *fx)
{
    char *seen = read_text(fx, "stdin");
    if (strstr(seen, "got:"))
        fail_msg("the helper read the caller's stdin:\n%s", seen);
    assert_non_null(strstr(seen, "eof:"));
    free(seen);
}

/* Opens a session on profile and runs the expired calls with the side work. */
struct run {
    struct aws_session s;
    struct call_slot slots[N_CALLS];
    struct side_work side;
    double first_answer;
};

static void run_profile(struct fixture *fx, const char *profile, struct run *r)
{
    memset(r, 0, sizeof(*r));
    reset_records(fx);
    session_open(fx, profile, &r->s);
    r->first_answer = run_expired_calls(&r->s, fx, r->slots, &r->side);
}

static void run_finish(struct run *r)
{
    slots_finish(r->slots);
    aws_session_close(&r->s);
}

static void test_one_reload_serves_every_expired_call(void **state)
{
    struct run r;
    run_profile(*state, "proc", &r);
    /* one run at start-up, one reload for all the expired calls */
    char *count = read_text(*state, "count");
    assert_int_equal(strtol(count, NULL, 10), 2);
    free(count);
    for (int i = 0; i < N_CALLS; i++) {
        if (r.slots[i].status != VPCX_OK)
            fail_msg("%s: %s", operations[i], r.slots[i].message ? r.slots[i].message : "?");
    }
    run_finish(&r);
}

static void test_helper_sees_eof_on_stdin(void **state)
{
    struct run r;
    run_profile(*state, "proc", &r);
    assert_stdin_always_eof(*state);
    run_finish(&r);
}

/* The loop turns while the helper sleeps: the 300 ms timer fires on time and
   a transfer it starts completes before any reloaded call answers. */
static void test_loop_turns_while_helper_sleeps(void **state)
{
    struct run r;
    run_profile(*state, "proc", &r);
    assert_true(r.side.transfer.done);
    assert_int_equal(r.side.transfer.status, 200);
    if (r.first_answer < 2.5 || r.side.timer_at > 1.5 || r.side.transfer.at >= r.first_answer)
        fail_msg("timer at %.2f s, its transfer done at %.2f s, first reloaded answer at %.2f s",
                 r.side.timer_at, r.side.transfer.at, r.first_answer);
    run_finish(&r);
}

/* A role chain on a credential_process: the reload runs the helper and both
   AssumeRole calls again, each on the engine, once for all the calls. */
static void test_role_chain_reloaded_once(void **state)
{
    struct fixture *fx = *state;
    struct run r;
    memset(&r, 0, sizeof(r));
    reset_records(fx);
    session_open(fx, "target", &r.s);
    r.first_answer = run_expired_calls(&r.s, fx, r.slots, &r.side);
    for (int i = 0; i < N_CALLS; i++) {
        if (r.slots[i].status != VPCX_OK)
            fail_msg("%s: %s", operations[i], r.slots[i].message ? r.slots[i].message : "?");
    }
    char *count = read_text(fx, "count");
    assert_int_equal(strtol(count, NULL, 10), 2);
    free(count);
    /* counted since the faults were set: the reload's calls only */
    assert_int_equal(proxy_count(r.s.http, fx, "AssumeRole"), 2);
    assert_true(r.side.timer_at < 1.5);
    run_finish(&r);
}

static void test_failed_reload_quotes_helper_stderr(void **state)
{
    struct run r;
    run_profile(*state, "failing", &r);
    for (int i = 0; i < N_CALLS; i++) {
        const char *m = r.slots[i].message ? r.slots[i].message : "";
        if (!strstr(m, "token service said:"))
            fail_msg("%s: the helper's stderr is missing: %s", operations[i], m);
        assert_int_equal(r.slots[i].status, VPCX_ERR_CREDENTIAL_PROCESS);
        assert_non_null(strstr(m, "exited with status 4"));
        assert_null(strchr(m, '\033'));
        assert_null(strstr(m, "LeakedSecretZ9"));
    }
    /* every call failed on the same one reload */
    char *count = read_text(*state, "count");
    assert_int_equal(strtol(count, NULL, 10), 2);
    free(count);
    run_finish(&r);
}

/* Starts the calls without faults and runs the engine until all are answered;
   finished_then: whether the reload had finished when the last one answered. */
static void run_plain_calls(struct aws_session *s, struct fixture *fx, struct call_slot *slots,
                            bool *finished_then)
{
    for (int i = 0; i < N_CALLS; i++) {
        struct aws_query q;
        aws_query_init(&q, NULL, NULL);
        const struct aws_call_params p = {
            .service = AWS_SERVICE_EC2,
            .operation = operations[i],
            .query = &q,
            .done = call_done,
            .ud = &slots[i],
        };
        aws_client_call(s->client, &p);
        aws_query_finish(&q);
    }
    double start = mono_s();
    while (!all_done(slots) && mono_s() - start < 90) {
        bool ready;
        http_engine_step(s->http, -1, 1000, &ready);
    }
    char *finished = read_text(fx, "finished");
    *finished_then = *finished != '\0';
    free(finished);
    /* let the reload end before the session closes */
    while (!http_engine_idle(s->http) && mono_s() - start < 90) {
        bool ready;
        http_engine_step(s->http, -1, 1000, &ready);
    }
}

/* Credentials inside the advisory window (15 min): one reload starts, and
   the calls go on with the current keys instead of waiting for it. */
static void test_refresh_ahead_does_not_hold_calls(void **state)
{
    struct fixture *fx = *state;
    struct aws_session s;
    struct call_slot slots[N_CALLS];
    memset(slots, 0, sizeof(slots));
    reset_records(fx);
    session_open(fx, "soon", &s);
    bool finished;
    run_plain_calls(&s, fx, slots, &finished);
    for (int i = 0; i < N_CALLS; i++) {
        if (slots[i].status != VPCX_OK)
            fail_msg("%s: %s", operations[i], slots[i].message ? slots[i].message : "?");
    }
    assert_false(finished);
    char *count = read_text(fx, "count");
    assert_int_equal(strtol(count, NULL, 10), 2);
    free(count);
    struct aws_client_stats st;
    aws_client_get_stats(s.client, &st);
    assert_int_equal(st.reloads, 1);
    slots_finish(slots);
    aws_session_close(&s);
}

/* Inside the mandatory window (10 min): every call waits for one reload. */
static void test_refresh_due_holds_calls(void **state)
{
    struct fixture *fx = *state;
    struct aws_session s;
    struct call_slot slots[N_CALLS];
    memset(slots, 0, sizeof(slots));
    reset_records(fx);
    session_open(fx, "due", &s);
    bool finished;
    run_plain_calls(&s, fx, slots, &finished);
    for (int i = 0; i < N_CALLS; i++) {
        if (slots[i].status != VPCX_OK)
            fail_msg("%s: %s", operations[i], slots[i].message ? slots[i].message : "?");
    }
    assert_true(finished);
    char *count = read_text(fx, "count");
    assert_int_equal(strtol(count, NULL, 10), 2);
    free(count);
    slots_finish(slots);
    aws_session_close(&s);
}

/* An instance role (the IMDS stand-in, answering its credentials after
   700 ms) reloaded on expired answers: one token + role + credentials round
   on the engine for every call, while a timer and a transfer of their own
   still run. */
static void test_instance_role_reloaded_on_the_engine(void **state)
{
    struct fixture *fx = *state;
    char *log = xasprintf("%s/imds.log", fx->dir);
    char *cmd = xasprintf("python3 %s/tests/tools/imds_standin.py --v2-only --delay-ms 700 "
                          "--log %s --pidfile %s/imds.pid",
                          test_srcdir(), log, fx->dir);
    fx->imds_url = test_run_for_line(cmd);
    free(cmd);
    assert_non_null(fx->imds_url);
    struct run r;
    memset(&r, 0, sizeof(r));
    reset_records(fx);
    session_open(fx, "instance", &r.s);
    assert_int_equal(r.s.credentials.source, AWS_SRC_IMDS);
    assert_string_equal(r.s.credentials.origin, "instance role web-bastion (IMDSv2)");
    r.first_answer = run_expired_calls(&r.s, fx, r.slots, &r.side);
    char *pid = read_text(fx, "imds.pid");
    cmd = xasprintf("kill %ld && rm %s/imds.pid", strtol(pid, NULL, 10), fx->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "%s failed\n", cmd);
    free(cmd);
    free(pid);
    free(fx->imds_url);
    fx->imds_url = NULL;
    for (int i = 0; i < N_CALLS; i++) {
        if (r.slots[i].status != VPCX_OK)
            fail_msg("%s: %s", operations[i], r.slots[i].message ? r.slots[i].message : "?");
    }
    char *text = test_read_file(log, NULL);
    assert_non_null(text);
    int puts_seen = 0;
    for (const char *p = strstr(text, "PUT /latest/api/token"); p;
         p = strstr(p + 1, "PUT /latest/api/token"))
        puts_seen++;
    assert_int_equal(puts_seen, 2); /* start-up and one reload */
    free(text);
    free(log);
    assert_true(r.side.transfer.done);
    assert_true(r.side.transfer.at < r.first_answer);
    run_finish(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_reload_serves_every_expired_call),
        cmocka_unit_test(test_helper_sees_eof_on_stdin),
        cmocka_unit_test(test_loop_turns_while_helper_sleeps),
        cmocka_unit_test(test_failed_reload_quotes_helper_stderr),
        cmocka_unit_test(test_role_chain_reloaded_once),
        cmocka_unit_test(test_refresh_ahead_does_not_hold_calls),
        cmocka_unit_test(test_refresh_due_holds_calls),
        cmocka_unit_test(test_instance_role_reloaded_on_the_engine),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
