// SPDX-License-Identifier: ISC
/* Helpers of the sandbox tests (see test_sandbox_util.h). */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/unit/test_sandbox_util.h"

void run_child(child_fn fn, const void *arg, struct child_result *r)
{
    int p[2];
    assert_int_equal(pipe(p), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct rlimit no_core = {0, 0};
        setrlimit(RLIMIT_CORE, &no_core); /* SIGSYS would dump core */
        close(p[0]);
        _exit(fn(p[1], arg));
    }
    close(p[1]);
    size_t len = 0;
    ssize_t n;
    while ((n = read(p[0], r->out + len, sizeof r->out - 1 - len)) > 0)
        len += (size_t)n;
    r->out[len] = '\0';
    close(p[0]);
    assert_int_equal(waitpid(pid, &r->status, 0), pid);
}

void assert_exit_ok(const struct child_result *r)
{
    if (!WIFEXITED(r->status) || WEXITSTATUS(r->status) != 0)
        fail_msg("child: %s %d, output: %s", WIFEXITED(r->status) ? "exit" : "signal",
                 WIFEXITED(r->status) ? WEXITSTATUS(r->status) : WTERMSIG(r->status), r->out);
}

void assert_killed_by_sigsys(const struct child_result *r)
{
    if (!WIFSIGNALED(r->status) || WTERMSIG(r->status) != SIGSYS)
        fail_msg("child not killed by SIGSYS: %s %d, output: %s",
                 WIFEXITED(r->status) ? "exit" : "signal",
                 WIFEXITED(r->status) ? WEXITSTATUS(r->status) : WTERMSIG(r->status), r->out);
}

int install(int out_fd, enum sbx_role role, unsigned flags)
{
    char err[256];
    if (sbx_install_seccomp(role, flags, err, sizeof err) == 0)
        return 0;
    dprintf(out_fd, "install: %s", err);
    return -1;
}

int install_with(int out_fd, enum sbx_role role, const struct sbx_params *params)
{
    char err[256];
    if (sbx_install_seccomp_with(role, 0, params, err, sizeof err) == 0)
        return 0;
    dprintf(out_fd, "install: %s", err);
    return -1;
}

int udp_loopback_socket(void)
{
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (s >= 0 && bind(s, (struct sockaddr *)&a, sizeof a) < 0) {
        close(s);
        return -1;
    }
    return s;
}

int udp_round_trip_on(int s)
{
    struct sockaddr_in a;
    socklen_t alen = sizeof a;
    int on = 1;
    if (getsockname(s, (struct sockaddr *)&a, &alen) < 0 ||
        setsockopt(s, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) < 0)
        return 10;
    if (connect(s, (struct sockaddr *)&a, sizeof a) < 0) /* as a client socket is aimed */
        return 14;
    if (send(s, "ntp", 3, 0) != 3)
        return 11;
    struct pollfd pfd = {.fd = s, .events = POLLIN};
    char buf[16];
    if (poll(&pfd, 1, 1000) != 1 || recvfrom(s, buf, sizeof buf, 0, NULL, NULL) != 3)
        return 12;
    return 0;
}

int udp_loopback_round_trip(void)
{
    int s = udp_loopback_socket();
    if (s < 0)
        return 10;
    int rc = udp_round_trip_on(s);
    return close(s) == 0 ? rc : 13;
}
