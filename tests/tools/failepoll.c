/* LD_PRELOAD shim for the TUI tests: epoll_ctl(EPOLL_CTL_ADD) fails with ENOMEM once
 * $VPCX_TEST_EPOLL_ADD_OK adds (default 0) have succeeded, as a kernel short of memory or
 * at its max_user_watches limit would answer. Other operations go to the kernel. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <unistd.h>

int epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev)
{
    static long adds;
    if (op == EPOLL_CTL_ADD) {
        const char *ok = getenv("VPCX_TEST_EPOLL_ADD_OK");
        long allowed = ok ? strtol(ok, NULL, 10) : 0;
        if (adds >= allowed) {
            errno = ENOMEM;
            return -1;
        }
        adds++;
    }
    return (int)syscall(SYS_epoll_ctl, epfd, op, fd, ev);
}
