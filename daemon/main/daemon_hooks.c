// SPDX-License-Identifier: ISC
/* Forbidden calls made on request, for the sandbox tests; see daemon_hooks.h. */
#include "daemon/main/daemon_hooks.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon/common/log.h"

static int hook_dirfd = -1;

static void call_exec(void)
{
    char *argv[] = {"/bin/true", NULL}, *envp[] = {NULL};
    execve(argv[0], argv, envp);
}

static void call_kill(void)
{
    kill(getppid(), 0);
}

static void call_pidfd_open(void)
{
    syscall(SYS_pidfd_open, getppid(), 0);
}

static void call_socket_unix(void)
{
    socket(AF_UNIX, SOCK_STREAM, 0);
}

static void call_socket_udp(void)
{
    socket(AF_INET, SOCK_DGRAM, 0);
}

static void call_socketpair(void)
{
    int sv[2];
    socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv);
}

/* An abstract AF_UNIX address, from descriptor 0 (not a client socket). */
static void call_connect_unix(void)
{
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    memcpy(sun.sun_path, "\0tsyncd-hook", 12);
    connect(STDIN_FILENO, (struct sockaddr *)&sun, sizeof(sun));
}

static void call_bind(void)
{
    struct sockaddr_in sin = {.sin_family = AF_INET};
    bind(STDIN_FILENO, (struct sockaddr *)&sin, sizeof(sin));
}

static void call_listen(void)
{
    listen(STDIN_FILENO, 1);
}

static void call_accept(void)
{
    accept4(STDIN_FILENO, NULL, NULL, 0);
}

static void call_open_read(void)
{
    openat(AT_FDCWD, "/etc/passwd", O_RDONLY | O_CLOEXEC);
}

static void call_open_write(void)
{
    openat(AT_FDCWD, "/tsyncd-hook-no-such-dir/x", O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
}

/* In the drift directory, but not the temporary file's flags (read, following links). */
static void call_open_dirfd_read(void)
{
    openat(hook_dirfd, "tsyncd-hook", O_RDONLY | O_CLOEXEC);
}

static void call_rename(void)
{
    renameat(AT_FDCWD, "tsyncd-hook-a", AT_FDCWD, "tsyncd-hook-b");
}

static void call_unlink(void)
{
    unlinkat(AT_FDCWD, "tsyncd-hook", 0);
}

/* The drift directory is outside the chroot: fchdir there would leave it. */
static void call_fchdir(void)
{
    fchdir(hook_dirfd);
}

static void call_setuid(void)
{
    setuid(0);
}

static void call_ptrace(void)
{
    ptrace(PTRACE_TRACEME, 0, NULL, NULL);
}

static void call_reboot(void)
{
    syscall(SYS_reboot, 0, 0, 0, NULL);
}

static const struct {
    const char *name;
    void (*call)(void);
} calls[] = {
    {"reboot", call_reboot},
    {"exec", call_exec},
    {"kill", call_kill},
    {"pidfd_open", call_pidfd_open},
    {"socket_unix", call_socket_unix},
    {"socket_udp", call_socket_udp},
    {"socketpair", call_socketpair},
    {"connect_unix", call_connect_unix},
    {"bind", call_bind},
    {"listen", call_listen},
    {"accept", call_accept},
    {"open_read", call_open_read},
    {"open_write", call_open_write},
    {"open_dirfd_read", call_open_dirfd_read},
    {"rename", call_rename},
    {"unlink", call_unlink},
    {"fchdir", call_fchdir},
    {"setuid", call_setuid},
    {"ptrace", call_ptrace},
};

#define N_CALLS (int)(sizeof(calls) / sizeof(calls[0]))

bool daemon_hooks_enabled(void)
{
    static int enabled = -1;

    if (enabled < 0) {
        const char *v = getenv("TSYNCD_TEST_HOOKS");
        enabled = v != NULL && strcmp(v, "1") == 0;
    }
    return enabled;
}

static void on_hook_signal(int sig)
{
    int k = sig - SIGRTMIN;

    if (k >= 0 && k < N_CALLS)
        calls[k].call();
}

void daemon_hooks_arm(int dirfd)
{
    struct sigaction sa = {.sa_handler = on_hook_signal};

    if (!daemon_hooks_enabled())
        return;
    hook_dirfd = dirfd;
    for (int k = 0; k < N_CALLS && SIGRTMIN + k <= SIGRTMAX; k++)
        sigaction(SIGRTMIN + k, &sa, NULL);
}

void daemon_hooks_log_table(void)
{
    char line[LOG_LINE_MAX];
    size_t len = 0;

    if (!daemon_hooks_enabled())
        return;
    len += (size_t)snprintf(line, sizeof(line), "test hooks: forbidden calls on signal");
    for (int k = 0; k < N_CALLS && len < sizeof(line); k++)
        len +=
            (size_t)snprintf(line + len, sizeof(line) - len, " %d=%s", SIGRTMIN + k, calls[k].name);
    log_notice("%s", line);
}
