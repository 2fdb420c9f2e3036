/*
 * credproc: one child, two non-blocking pipes read into bounded buffers, a
 * deadline. The same state is driven by a poll() loop (credproc_run) or by
 * engine fd watches and timers (credproc_start).
 */
#define _GNU_SOURCE /* POSIX_SPAWN_SETSID */
#include "vpcx/aws/credproc.h"

#include "vpcx/core/clock.h"
#include "vpcx/core/sanitize.h"
#include "vpcx/core/xalloc.h"

#include <cjson/cJSON.h>
#include <openssl/crypto.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define REAP_POLL_MS 10

enum { PIPE_OUT, PIPE_ERR };

enum credproc_end {
    END_RUNNING,
    END_EXITED,
    END_TIMEOUT,
    END_TOO_BIG,
    END_READ_ERROR,
    END_SPAWN_ERROR,
};

struct credproc {
    struct http_engine *engine; /* NULL when driven by credproc_run */
    char *label;
    pid_t pid;
    bool own_group;
    int fd[2];
    uint64_t watch[2];
    uint64_t timer;
    long long deadline_ms;
    int timeout_ms;
    size_t max_output;
    struct strbuf out; /* secret */
    struct strbuf err_text;
    bool err_cut;
    enum credproc_end end;
    int spawn_errno;
    int wait_status;
    credproc_done_fn done;
    void *ud;
};

/* ---- spawning ---- */

/* Signals the helper should see as a fresh process would: the explorer
   blocks or ignores some of them for its own use. */
static void spawn_attr_init(posix_spawnattr_t *attr, bool own_session)
{
    static const int defaults[] = {SIGPIPE, SIGINT,  SIGTERM,  SIGQUIT, SIGHUP,  SIGCHLD, SIGTSTP,
                                   SIGTTIN, SIGTTOU, SIGWINCH, SIGALRM, SIGUSR1, SIGUSR2};
    sigset_t none, dfl;
    sigemptyset(&none);
    sigemptyset(&dfl);
    for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
        sigaddset(&dfl, defaults[i]);
    short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
    posix_spawnattr_init(attr);
    posix_spawnattr_setsigmask(attr, &none);
    posix_spawnattr_setsigdefault(attr, &dfl);
    if (own_session) {
#ifdef POSIX_SPAWN_SETSID
        flags |= POSIX_SPAWN_SETSID;
#else
        flags |= POSIX_SPAWN_SETPGROUP;
        posix_spawnattr_setpgroup(attr, 0);
#endif
    }
    posix_spawnattr_setflags(attr, flags);
}

static void close_pair(int fds[2])
{
    for (int i = 0; i < 2; i++) {
        if (fds[i] >= 0)
            close(fds[i]);
        fds[i] = -1;
    }
}

/* stdin /dev/null, stdout and stderr to pipes whose read ends stay here. */
static bool proc_spawn(struct credproc *p, const char *command)
{
    int out[2] = {-1, -1}, err[2] = {-1, -1};
    if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
        p->spawn_errno = errno;
        close_pair(out);
        close_pair(err);
        return false;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&fa, err[1], STDERR_FILENO);
    posix_spawnattr_t attr;
    spawn_attr_init(&attr, p->own_group);
    char sh[] = "sh", dash_c[] = "-c";
    char *cmd = xstrdup(command);
    char *argv[] = {sh, dash_c, cmd, NULL};
    int rc = posix_spawn(&p->pid, "/bin/sh", &fa, &attr, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    free(cmd);
    close(out[1]);
    close(err[1]);
    if (rc != 0) {
        p->spawn_errno = rc;
        close(out[0]);
        close(err[0]);
        return false;
    }
    p->fd[PIPE_OUT] = out[0];
    p->fd[PIPE_ERR] = err[0];
    for (int i = 0; i < 2; i++)
        fcntl(p->fd[i], F_SETFL, fcntl(p->fd[i], F_GETFL) | O_NONBLOCK);
    return true;
}

static struct credproc *proc_create(const char *command, const char *label, int timeout_ms,
                                    size_t max_output, bool own_group)
{
    struct credproc *p = xcalloc(1, sizeof(*p));
    p->label = xstrdup(label);
    p->fd[0] = p->fd[1] = -1;
    p->pid = -1;
    p->own_group = own_group;
    p->timeout_ms = timeout_ms;
    p->max_output = max_output;
    p->deadline_ms = mono_ms() + timeout_ms;
    strbuf_init(&p->out, 0);
    strbuf_init(&p->err_text, 0);
    if (!proc_spawn(p, command))
        p->end = END_SPAWN_ERROR;
    return p;
}

/* ---- reading ---- */

static void proc_close_pipe(struct credproc *p, int i)
{
    if (p->engine && p->watch[i])
        http_engine_cancel(p->engine, p->watch[i]);
    p->watch[i] = 0;
    if (p->fd[i] >= 0)
        close(p->fd[i]);
    p->fd[i] = -1;
}

static void proc_keep(struct credproc *p, int i, const char *data, size_t n)
{
    if (i == PIPE_OUT) {
        strbuf_add(&p->out, data, n);
        if (p->out.len > p->max_output)
            p->end = END_TOO_BIG;
        return;
    }
    size_t room = CREDPROC_MAX_STDERR - p->err_text.len;
    if (n > room)
        p->err_cut = true;
    strbuf_add(&p->err_text, data, n < room ? n : room);
}

/* Reads what pipe i holds now; closes it at EOF or on an error. */
static void proc_drain(struct credproc *p, int i)
{
    char chunk[4096];
    while (p->fd[i] >= 0 && p->end == END_RUNNING) {
        ssize_t n = read(p->fd[i], chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (n <= 0) {
            if (n < 0)
                p->end = END_READ_ERROR;
            proc_close_pipe(p, i);
            break;
        }
        proc_keep(p, i, chunk, (size_t)n);
    }
    OPENSSL_cleanse(chunk, sizeof(chunk));
}

/* ---- ending ---- */

static void proc_kill(struct credproc *p)
{
    if (p->pid <= 0)
        return;
    kill(p->own_group ? -p->pid : p->pid, SIGKILL);
    while (waitpid(p->pid, &p->wait_status, 0) < 0 && errno == EINTR)
        ;
    p->pid = -1;
}

/* True once the exited child is reaped (never blocks). */
static bool proc_reap(struct credproc *p)
{
    pid_t r;
    do
        r = waitpid(p->pid, &p->wait_status, WNOHANG);
    while (r < 0 && errno == EINTR);
    if (r == 0)
        return false;
    p->pid = -1;
    p->end = END_EXITED;
    return true;
}

static void proc_release(struct credproc *p)
{
    proc_kill(p);
    proc_close_pipe(p, PIPE_OUT);
    proc_close_pipe(p, PIPE_ERR);
    if (p->engine && p->timer)
        http_engine_cancel(p->engine, p->timer);
    if (p->out.alloc)
        OPENSSL_cleanse(p->out.buf, p->out.alloc);
    strbuf_release(&p->out);
    strbuf_release(&p->err_text);
    free(p->label);
    free(p);
}

/* Replaces every occurrence of needle (8 bytes or more) in text. */
static void redact_value(struct strbuf *text, const char *needle)
{
    size_t n = needle ? strlen(needle) : 0;
    if (n < 8)
        return;
    for (char *hit = strstr(text->buf, needle); hit; hit = strstr(hit, needle))
        memset(hit, '*', n);
}

/* Blanks the string value after each "SecretAccessKey" or "SessionToken" key. */
static void redact_json_keys(struct strbuf *text)
{
    static const char *const keys[] = {"\"SecretAccessKey\"", "\"SessionToken\""};
    for (size_t k = 0; k < 2; k++) {
        for (char *hit = strstr(text->buf, keys[k]); hit; hit = strstr(hit + 1, keys[k])) {
            char *v = hit + strlen(keys[k]);
            v += strspn(v, " \t\r\n");
            if (*v != ':')
                continue;
            v++;
            v += strspn(v, " \t\r\n");
            if (*v != '"')
                continue;
            for (v++; *v && *v != '"'; v++)
                *v = '*';
        }
    }
}

/* The helper's stderr as one sanitised line, with secrets it may echo hidden. */
static char *proc_stderr_line(struct credproc *p)
{
    struct strbuf *t = &p->err_text;
    strbuf_addstr(t, ""); /* NUL-terminated */
    strbuf_trim(t);
    if (!t->len)
        return NULL;
    redact_json_keys(t);
    cJSON *root = p->out.len ? cJSON_ParseWithLength(p->out.buf, p->out.len) : NULL;
    static const char *const secret_fields[] = {"SecretAccessKey", "SessionToken"};
    for (size_t i = 0; i < 2; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, secret_fields[i]);
        if (cJSON_IsString(v))
            redact_value(t, v->valuestring);
    }
    cJSON_Delete(root);
    struct strbuf line;
    strbuf_init(&line, t->len + 8);
    sanitize_add(&line, t->buf, t->len, SANITIZE_SPACE);
    if (p->err_cut)
        strbuf_addstr(&line, " [...]");
    return strbuf_detach(&line, NULL);
}

static enum vpcx_status proc_status(const struct credproc *p, struct vpcx_error *err)
{
    const char *l = p->label;
    int ws = p->wait_status;
    switch (p->end) {
    case END_SPAWN_ERROR:
        return vpcx_error_set(err, VPCX_ERR_CREDENTIAL_PROCESS, "%s: cannot run /bin/sh: %s", l,
                              strerror(p->spawn_errno));
    case END_TIMEOUT:
        return vpcx_error_set(err, VPCX_ERR_CREDENTIAL_PROCESS,
                              "%s: no answer within %d s (stopped)", l, p->timeout_ms / 1000);
    case END_TOO_BIG:
        return vpcx_error_set(err, VPCX_ERR_CREDENTIAL_PROCESS,
                              "%s: output is larger than %zu bytes", l, p->max_output);
    case END_READ_ERROR:
        return vpcx_error_set(err, VPCX_ERR_CREDENTIAL_PROCESS, "%s: cannot read its output", l);
    default:
        break;
    }
    if (WIFSIGNALED(ws))
        return vpcx_error_set(err, VPCX_ERR_CREDENTIAL_PROCESS, "%s: killed by signal %d", l,
                              WTERMSIG(ws));
    if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0)
        return vpcx_error_set(err, VPCX_ERR_CREDENTIAL_PROCESS, "%s: exited with status %d", l,
                              WIFEXITED(ws) ? WEXITSTATUS(ws) : -1);
    return VPCX_OK;
}

/* The outcome, with the helper's stderr appended to a failure. */
static enum vpcx_status proc_outcome(struct credproc *p, struct vpcx_error *err)
{
    enum vpcx_status st = proc_status(p, err);
    if (st == VPCX_OK)
        return st;
    char *line = proc_stderr_line(p);
    if (line && err) {
        char *msg = xasprintf("%s; its stderr: %s", err->message ? err->message : "", line);
        free(err->message);
        err->message = msg;
    }
    free(line);
    return st;
}

/* ---- blocking ---- */

static void run_wait(struct credproc *p)
{
    struct pollfd pfd[2];
    nfds_t n = 0;
    int which[2];
    for (int i = 0; i < 2; i++) {
        if (p->fd[i] < 0)
            continue;
        pfd[n] = (struct pollfd){.fd = p->fd[i], .events = POLLIN};
        which[n++] = i;
    }
    long long left = p->deadline_ms - mono_ms();
    int wait = n ? (int)left : (left < REAP_POLL_MS ? (int)left : REAP_POLL_MS);
    int pr = poll(n ? pfd : NULL, n, wait > 0 ? wait : 0);
    for (nfds_t k = 0; pr > 0 && k < n; k++) {
        if (pfd[k].revents)
            proc_drain(p, which[k]);
    }
}

enum vpcx_status credproc_run(const char *command, const char *label, int timeout_ms,
                              size_t max_output, struct strbuf *out, struct vpcx_error *err)
{
    struct credproc *p = proc_create(command, label, timeout_ms, max_output, false);
    while (p->end == END_RUNNING) {
        if (p->fd[PIPE_OUT] < 0 && p->fd[PIPE_ERR] < 0 && proc_reap(p))
            break;
        if (mono_ms() >= p->deadline_ms) {
            p->end = END_TIMEOUT;
            break;
        }
        run_wait(p);
    }
    enum vpcx_status st = proc_outcome(p, err);
    if (st == VPCX_OK)
        strbuf_add(out, p->out.buf, p->out.len);
    proc_release(p);
    return st;
}

/* ---- on the engine ---- */

static void proc_finish(struct credproc *p)
{
    struct vpcx_error err;
    vpcx_error_init(&err);
    proc_kill(p);
    enum vpcx_status st = proc_outcome(p, &err);
    struct strbuf none;
    strbuf_init(&none, 0);
    p->done(p->ud, st, st == VPCX_OK ? &p->out : &none, &err);
    strbuf_release(&none);
    vpcx_error_finish(&err);
    proc_release(p);
}

static void proc_on_timer(void *ud);

/* After output or EOF: finish, or wait for the exit without blocking. */
static void proc_advance(struct credproc *p)
{
    if (p->end != END_RUNNING || (p->fd[PIPE_OUT] < 0 && p->fd[PIPE_ERR] < 0 && proc_reap(p))) {
        proc_finish(p);
        return;
    }
    if (p->fd[PIPE_OUT] >= 0 || p->fd[PIPE_ERR] >= 0)
        return;
    /* Both pipes closed but the helper has not exited yet: look again soon. */
    if (p->timer)
        http_engine_cancel(p->engine, p->timer);
    long left = (long)(p->deadline_ms - mono_ms());
    p->timer = http_engine_add_timer(p->engine, left < REAP_POLL_MS ? left : REAP_POLL_MS,
                                     proc_on_timer, p);
}

static void proc_on_timer(void *ud)
{
    struct credproc *p = ud;
    p->timer = 0;
    if (p->end == END_RUNNING && mono_ms() >= p->deadline_ms &&
        !(p->fd[PIPE_OUT] < 0 && p->fd[PIPE_ERR] < 0 && proc_reap(p)))
        p->end = END_TIMEOUT;
    if (p->end == END_RUNNING && (p->fd[PIPE_OUT] >= 0 || p->fd[PIPE_ERR] >= 0)) {
        /* the deadline timer fired early (clock granularity): re-arm it */
        p->timer =
            http_engine_add_timer(p->engine, (long)(p->deadline_ms - mono_ms()), proc_on_timer, p);
        return;
    }
    proc_advance(p);
}

static void proc_on_stdout(void *ud)
{
    struct credproc *p = ud;
    proc_drain(p, PIPE_OUT);
    proc_advance(p);
}

static void proc_on_stderr(void *ud)
{
    struct credproc *p = ud;
    proc_drain(p, PIPE_ERR);
    proc_advance(p);
}

struct credproc *credproc_start(struct http_engine *engine, const char *command, const char *label,
                                int timeout_ms, size_t max_output, credproc_done_fn done, void *ud)
{
    struct credproc *p = proc_create(command, label, timeout_ms, max_output, true);
    p->engine = engine;
    p->done = done;
    p->ud = ud;
    if (p->end != END_RUNNING) {
        /* report from the engine, never from inside start */
        p->timer = http_engine_add_timer(engine, 0, proc_on_timer, p);
        return p;
    }
    p->watch[PIPE_OUT] = http_engine_watch_fd(engine, p->fd[PIPE_OUT], proc_on_stdout, p);
    p->watch[PIPE_ERR] = http_engine_watch_fd(engine, p->fd[PIPE_ERR], proc_on_stderr, p);
    p->timer = http_engine_add_timer(engine, timeout_ms, proc_on_timer, p);
    return p;
}

void credproc_cancel(struct credproc *p)
{
    if (p)
        proc_release(p);
}
