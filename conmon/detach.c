/* Leaving the caller: see detach.h. */
#include "detach.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

int detach(CrioError *err) {
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
                return crio_error_set_errno(err, errno, "creating the readiness pipe");
        pid_t mid = fork();
        if (mid < 0)
                return crio_error_set_errno(err, errno, "forking");
        if (mid > 0) {
                /* the caller's child: wait for the monitor's word, then go */
                close(p[1]);
                char c = 0;
                ssize_t n;
                do
                        n = read(p[0], &c, 1);
                while (n < 0 && errno == EINTR);
                while (waitpid(mid, NULL, 0) < 0 && errno == EINTR)
                        ;
                _exit(n == 1 && c == 'R' ? 0 : 1);
        }
        close(p[0]);
        if (setsid() < 0)
                _exit(1);
        pid_t mon = fork();
        if (mon < 0)
                _exit(1);
        if (mon > 0)
                _exit(0);
        return p[1];
}

void detach_ready(int fd) {
        ssize_t n;
        do
                n = write(fd, "R", 1);
        while (n < 0 && errno == EINTR);
        close(fd);
}
