#include "vpcx/cli/cli.h"
#include "vpcx/core/xalloc.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

/* Until the explorer takes the terminal (with handlers of its own, restored when it
 * leaves), an interrupt ends vpcx at once with the code a shell gives it: 130 for
 * SIGINT, 143 for SIGTERM, 129 for SIGHUP. */
static void on_quit_signal(int sig)
{
    _exit(128 + sig);
}

static void catch_quit_signals(void)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
        struct sigaction sa, old;
        /* Ignored by whoever started us (nohup, a background job): keep it so. */
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            continue;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_quit_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(sigs[i], &sa, NULL);
    }
}

int main(int argc, char **argv)
{
    xalloc_hook_cjson();
    catch_quit_signals();
    return cli_main(argc, argv);
}
