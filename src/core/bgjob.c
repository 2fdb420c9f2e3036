#include "vpcx/core/bgjob.h"

#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* The line is cut here, so the whole report is one write of less than PIPE_BUF
 * bytes: atomic, and never blocking the child. */
#define NOTE_MAX 2048

/* What the child writes: this header, then len bytes of text. */
struct report {
    int32_t status;
    uint32_t len;
};

struct bgjob {
    pid_t pid; /* 0 once reaped */
    int fd;    /* read end, open until bgjob_destroy */
    struct strbuf got;
    bool done;
    enum vpcx_status status;
    char *line;
};

/* Everything the parent had a handler for, back to the default: the child must
 * never run the parent's handlers (they write to the terminal or its pipes). */
static void child_signals(void)
{
    static const int dfl[] = {SIGTERM, SIGQUIT, SIGWINCH, SIGTSTP, SIGPIPE, SIGCHLD,
                              SIGALRM, SIGSEGV, SIGABRT,  SIGBUS,  SIGFPE,  SIGILL};
    for (size_t i = 0; i < sizeof(dfl) / sizeof(dfl[0]); i++)
        signal(dfl[i], SIG_DFL);
    signal(SIGINT, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

static void write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        p += n;
        len -= (size_t)n;
    }
}

static _Noreturn void child_run(int fd, bgjob_fn fn, void *ud)
{
    child_signals();
    struct vpcx_error note;
    vpcx_error_init(&note);
    enum vpcx_status st = fn(ud, &note);
    char *line = note.message ? vpcx_error_format(&note) : NULL;
    size_t len = line ? strlen(line) : 0;
    if (len > NOTE_MAX)
        len = NOTE_MAX;
    const struct report r = {.status = (int32_t)st, .len = (uint32_t)len};
    /* One write of at most PIPE_BUF bytes: the parent sees all of it or none. */
    char buf[sizeof(r) + NOTE_MAX];
    memcpy(buf, &r, sizeof(r));
    if (len)
        memcpy(buf + sizeof(r), line, len);
    write_all(fd, buf, sizeof(r) + len);
    _exit(0);
}

struct bgjob *bgjob_start(bgjob_fn fn, void *ud, struct vpcx_error *err)
{
    int p[2];
    if (pipe(p) != 0) {
        vpcx_error_set(err, VPCX_ERR_IO, "cannot start a background job: pipe: %s",
                       strerror(errno));
        return NULL;
    }
    /* Neither end may leak into a program the parent or the child runs later. */
    fcntl(p[0], F_SETFD, FD_CLOEXEC);
    fcntl(p[1], F_SETFD, FD_CLOEXEC);
    pid_t pid = fork();
    if (pid < 0) {
        vpcx_error_set(err, VPCX_ERR_IO, "cannot start a background job: fork: %s",
                       strerror(errno));
        close(p[0]);
        close(p[1]);
        return NULL;
    }
    if (pid == 0) {
        close(p[0]);
        child_run(p[1], fn, ud);
    }
    close(p[1]);
    fcntl(p[0], F_SETFL, fcntl(p[0], F_GETFL) | O_NONBLOCK);
    struct bgjob *j = xcalloc(1, sizeof(*j));
    j->pid = pid;
    j->fd = p[0];
    strbuf_init(&j->got, sizeof(struct report) + 64);
    return j;
}

int bgjob_fd(const struct bgjob *job)
{
    return job->fd;
}

/* The child's whole report is in: all it has left to do is _exit. */
static bool report_complete(const struct bgjob *j)
{
    struct report r;
    if (j->got.len < sizeof(r))
        return false;
    memcpy(&r, j->got.buf, sizeof(r));
    return j->got.len - sizeof(r) >= (r.len < NOTE_MAX ? r.len : NOTE_MAX);
}

/* Reads what is there; true at end of file or once the report is complete. */
static bool drain(struct bgjob *j)
{
    char buf[512];
    for (;;) {
        ssize_t n = read(j->fd, buf, sizeof(buf));
        if (n > 0) {
            if (j->got.len < sizeof(struct report) + NOTE_MAX)
                strbuf_add(&j->got, buf, (size_t)n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        return n == 0 || report_complete(j) || (errno != EAGAIN && errno != EWOULDBLOCK);
    }
}

static void wait_readable(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    while (poll(&p, 1, -1) < 0 && errno == EINTR) {
    }
}

/* The child's report, or why there is none. */
static void finish(struct bgjob *j, int wstatus)
{
    struct report r;
    if (j->got.len >= sizeof(r)) {
        memcpy(&r, j->got.buf, sizeof(r));
        size_t len = j->got.len - sizeof(r);
        j->status = r.status >= 0 && r.status < VPCX_STATUS_COUNT ? (enum vpcx_status)r.status
                                                                  : VPCX_ERR_INTERNAL;
        if (len > r.len)
            len = r.len;
        j->line = len ? xstrndup(j->got.buf + sizeof(r), len) : NULL;
    } else {
        j->status = VPCX_ERR_INTERNAL;
        if (WIFSIGNALED(wstatus))
            j->line = xasprintf("the background job was killed by signal %d", WTERMSIG(wstatus));
        else
            j->line = xstrdup("the background job ended without a result");
    }
    j->done = true;
}

bool bgjob_collect(struct bgjob *job, bool block, enum vpcx_status *status, struct vpcx_error *note)
{
    while (!job->done) {
        if (block)
            wait_readable(job->fd);
        if (!drain(job)) {
            if (!block)
                return false;
            continue;
        }
        /* The child has exited or is about to. */
        int ws = 0;
        while (waitpid(job->pid, &ws, 0) < 0 && errno == EINTR) {
        }
        job->pid = 0;
        finish(job, ws);
    }
    *status = job->status;
    if (note) {
        vpcx_error_finish(note);
        vpcx_error_init(note);
        if (job->line)
            vpcx_error_set(note, job->status, "%s", job->line);
    }
    return true;
}

void bgjob_destroy(struct bgjob *job)
{
    if (!job)
        return;
    enum vpcx_status st;
    bgjob_collect(job, true, &st, NULL);
    close(job->fd);
    strbuf_release(&job->got);
    free(job->line);
    free(job);
}
