/* pause: the infra process of a pod sandbox.
 *
 *   pause        waits for a signal, forever
 *   pause -v     prints its version and exits
 *
 * It holds the pod's namespaces open. When the pod shares one PID namespace it is that
 * namespace's PID 1: orphans are re-parented to it, so it reaps every child that exits
 * (SIGCHLD). SIGINT and SIGTERM end it with status 0 (as PID 1 of a namespace, a signal
 * without a handler would be ignored). Built static (-static -Os -s) and linked with nothing
 * of crio's, so it runs in any image. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CRIO_VERSION
#define CRIO_VERSION "unknown"
#endif

static void on_stop(int sig) {
        (void) sig;
        _exit(0);
}

static void on_child(int sig) {
        (void) sig;
        int saved = errno;
        while (waitpid(-1, NULL, WNOHANG) > 0)
                ;
        errno = saved;
}

static int handle(int sig, void (*fn)(int), int flags) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = fn;
        sa.sa_flags = flags;
        sigfillset(&sa.sa_mask);
        return sigaction(sig, &sa, NULL);
}

int main(int argc, char **argv) {
        if (argc == 2 && strcmp(argv[1], "-v") == 0) {
                printf("pause (crio) %s\n", CRIO_VERSION);
                return 0;
        }
        if (argc > 1) {
                fputs("usage: pause [-v]\n", stderr);
                return 2;
        }
        if (handle(SIGINT, on_stop, 0) < 0 || handle(SIGTERM, on_stop, 0) < 0 ||
            handle(SIGCHLD, on_child, SA_NOCLDSTOP | SA_RESTART) < 0) {
                perror("pause: sigaction");
                return 1;
        }
        /* Signals blocked by whoever started us would never arrive. */
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        /* Children that exited before the handler was in place. */
        on_child(SIGCHLD);
        for (;;)
                pause();
}
