// SPDX-License-Identifier: ISC
/*
 * Unit tests: the seccomp allow-lists of the three roles. Every filter is installed in a forked
 * child so the test process stays unfiltered; forbidden calls must kill the child with SIGSYS.
 * Nothing here touches the clock: the only clock_adjtime call is a read (modes 0).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/ptp_clock.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timex.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "seccomp/sandbox.h"
#include "tests/unit/test_sandbox_util.h"

/* The drift file's temporary file (discipline/driftfile.h DRIFT_TEMP_OPEN_FLAGS). */
#define DRIFT_FLAGS (O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
/* ---- SBX_NET: allowed operations ---- */

/* The network child's filter with one client socket (connect allowed on it) and no control
 * socket. */
static int install_net_with_socket(int out_fd, int *s)
{
    *s = udp_loopback_socket();
    struct sbx_params p = {.connect_fds = s, .n_connect_fds = 1};
    return *s < 0 ? -1 : install_with(out_fd, SBX_NET, &p);
}

static int net_allowed(int out_fd, const void *arg)
{
    int s;
    if (install_net_with_socket(out_fd, &s) < 0)
        return 1;
    int rc = udp_round_trip_on(s);
    if (rc)
        return rc;
    struct timespec ts;
    if (clock_gettime(CLOCK_REALTIME, &ts) < 0 || clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
        return 20;
    char *big = malloc(4 << 20); /* mmap-backed */
    if (!big)
        return 21;
    memset(big, 1, 4 << 20);
    free(big);
#ifndef TSYNC_SANITIZERS /* sanitizer builds allow read-only opens (symbolising reports) */
    errno = 0;
    if (fopen("/etc/hosts", "r") != NULL || errno != EACCES) /* refused, not killed */
        return 22;
#endif
    struct ptp_sys_offset_extended req = {.n_samples = 1}; /* allowed: ENOTTY on a non-PHC fd */
    if (ioctl(STDIN_FILENO, PTP_SYS_OFFSET_EXTENDED, &req) == 0)
        return 24;
    dprintf(out_fd, "pid %d", (int)getpid());
    return 0;
}

static void test_net_allowed_operations(void **state)
{
    struct child_result r;
    run_child(net_allowed, NULL, &r);
    assert_exit_ok(&r);
    assert_non_null(strstr(r.out, "pid "));
}

/* exit() runs atexit handlers (and LeakSanitizer in sanitizer builds) under every filter. */
static int role_exit(int out_fd, const void *arg)
{
    if (install(out_fd, *(const enum sbx_role *)arg, 0) < 0)
        return 1;
    char *p = malloc(100);
    free(p);
    exit(0);
}

static void test_clean_exit_in_every_role(void **state)
{
    const enum sbx_role roles[] = {SBX_NET, SBX_RESOLVER, SBX_PARENT, SBX_NTSKE};
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
        struct child_result r;
        run_child(role_exit, &roles[i], &r);
        assert_exit_ok(&r);
    }
}

/* ---- SBX_NET: forbidden operations ---- */

enum forbidden {
    F_EXECVE,
    F_PTRACE,
    F_PACKET_SOCKET,
    F_NETLINK_SOCKET,
    F_UDP_SOCKET,  /* no socket after start-up */
    F_UNIX_SOCKET, /* ... so no AF_UNIX connect */
    F_SOCKETPAIR,
    F_CONNECT_OTHER_FD, /* connect only re-aims the client sockets */
    F_BIND,
    F_LISTEN,
    F_ACCEPT_OTHER_FD, /* accept only on the control socket */
    F_KILL_OTHER,
    F_EXEC_MEMORY,
    F_FORK,
    F_CLOCK_ADJTIME_READ,
    F_COUNT,
};

static int do_forbidden(enum forbidden what)
{
    struct timex tx = {.modes = 0};
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int sv[2];
    switch (what) {
    case F_UDP_SOCKET:
        socket(AF_INET, SOCK_DGRAM, 0);
        break;
    case F_UNIX_SOCKET:
        socket(AF_UNIX, SOCK_STREAM, 0);
        break;
    case F_SOCKETPAIR:
        socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
        break;
    case F_CONNECT_OTHER_FD:
        connect(STDIN_FILENO, (struct sockaddr *)&sin, sizeof sin);
        break;
    case F_BIND:
        bind(STDIN_FILENO, (struct sockaddr *)&sin, sizeof sin);
        break;
    case F_LISTEN:
        listen(STDIN_FILENO, 1);
        break;
    case F_ACCEPT_OTHER_FD:
        accept4(STDIN_FILENO, NULL, NULL, 0);
        break;
    case F_EXECVE:
        execl("/bin/true", "true", (char *)NULL);
        break;
    case F_PTRACE:
        ptrace(PTRACE_TRACEME, 0, NULL, NULL);
        break;
    case F_PACKET_SOCKET:
        socket(AF_PACKET, SOCK_RAW, 0);
        break;
    case F_NETLINK_SOCKET:
        socket(AF_NETLINK, SOCK_RAW, 0);
        break;
    case F_KILL_OTHER:
        kill(getppid(), 0);
        break;
    case F_EXEC_MEMORY:
        mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        break;
    case F_FORK:
        if (fork() == 0)
            _exit(0);
        break;
    case F_CLOCK_ADJTIME_READ: /* even reading: the network child has no business there */
        clock_adjtime(CLOCK_REALTIME, &tx);
        break;
    case F_COUNT:
        break;
    }
    return 100; /* survived: the filter let it through */
}

static int net_forbidden(int out_fd, const void *arg)
{
    const enum forbidden *what = arg;
    int s;
    if (install_net_with_socket(out_fd, &s) < 0)
        return 1;
    return do_forbidden(*what);
}

static void test_net_forbidden_calls_kill(void **state)
{
    for (enum forbidden f = 0; f < F_COUNT; f++) {
#ifdef TSYNC_SANITIZERS /* LeakSanitizer's tracer needs ptrace and clone */
        if (f == F_PTRACE || f == F_FORK)
            continue;
#endif
        struct child_result r;
        run_child(net_forbidden, &f, &r);
        assert_killed_by_sigsys(&r);
    }
}

/* SBX_NTSKE forbids the same (its TLS code must not reach anything beyond its sockets), and
 * files: opens fail with EACCES; a TCP socket of its own works, and connect and accept (its own
 * client sockets, the listener it is handed) are not bound to given descriptors. */
static int ntske_forbidden(int out_fd, const void *arg)
{
    const enum forbidden *what = arg;
    if (install(out_fd, SBX_NTSKE, 0) < 0)
        return 1;
    return do_forbidden(*what);
}

static void test_ntske_forbidden_calls_kill(void **state)
{
    for (enum forbidden f = 0; f < F_COUNT; f++) {
#ifdef TSYNC_SANITIZERS
        if (f == F_PTRACE || f == F_FORK)
            continue;
#endif
        if (f == F_CONNECT_OTHER_FD || f == F_ACCEPT_OTHER_FD)
            continue;
        struct child_result r;
        run_child(ntske_forbidden, &f, &r);
        assert_killed_by_sigsys(&r);
    }
}

static int ntske_allowed(int out_fd, const void *arg)
{
    (void)arg;
    if (install(out_fd, SBX_NTSKE, 0) < 0)
        return 1;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return 2;
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 || accept(fd, NULL, NULL) >= 0)
        return 4; /* port 0 refused, not listening: errors, not SIGSYS */
#ifndef TSYNC_SANITIZERS
    if (open("/etc/passwd", O_RDONLY) >= 0 || errno != EACCES)
        return 3;
#endif
    return 0;
}

static void test_ntske_allowed(void **state)
{
    struct child_result r;
    run_child(ntske_allowed, NULL, &r);
    assert_exit_ok(&r);
}

static int net_trap(int out_fd, const void *arg)
{
    dup2(out_fd, STDERR_FILENO);
    if (arg)
        setenv(SBX_TRAP_ENV, "1", 1);
    if (install(out_fd, SBX_NET, arg ? 0 : SBX_TRAP) < 0)
        return 1;
    execl("/nonexistent/tsyncd-test", "x", (char *)NULL);
    return 100;
}

static void test_trap_mode_names_the_call(void **state)
{
    for (int by_env = 0; by_env < 2; by_env++) {
        struct child_result r;
        run_child(net_trap, by_env ? "env" : NULL, &r);
        assert_killed_by_sigsys(&r);
        assert_non_null(strstr(r.out, "tsyncd net: seccomp: forbidden system call execve ("));
    }
}

/* ---- SBX_PARENT, and a child's filter stacked on it ---- */

/* The parent's filter with the drift file's directory dir. */
static int install_parent(int out_fd, int dirfd)
{
    static const int flags[] = {DRIFT_FLAGS};
    struct sbx_params p = {.n_accept_fds = 0};
    if (sbx_params_add_dir(&p, dirfd, flags, 1, true) < 0)
        return -1;
    return install_with(out_fd, SBX_PARENT, &p);
}

static int parent_allowed(int out_fd, const void *arg)
{
    int dirfd = open(arg, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0 || install_parent(out_fd, dirfd) < 0)
        return 1;
    struct timex tx = {.modes = 0}; /* read only: never modify the host clock */
    if (clock_adjtime(CLOCK_REALTIME, &tx) < 0)
        return 2;
    /* the drift file's atomic write, in its directory only */
    int fd = openat(dirfd, ".drift.tmp", DRIFT_FLAGS, 0644);
    if (fd < 0 || fchmod(fd, 0644) < 0 || write(fd, "1\n", 2) != 2 || fsync(fd) < 0 ||
        close(fd) < 0)
        return 3;
    if (renameat(dirfd, ".drift.tmp", dirfd, "drift") < 0 || fsync(dirfd) < 0 ||
        linkat(dirfd, "drift", dirfd, "drift.link", 0) < 0 ||
        unlinkat(dirfd, "drift.link", 0) < 0 || unlinkat(dirfd, "drift", 0) < 0)
        return 4;
    int sp[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
        return 5;
    int pidfd = -1;
    pid_t pid = (pid_t)syscall(SYS_clone, CLONE_PIDFD | SIGCHLD, 0, &pidfd, NULL, 0);
    if (pid < 0)
        return 6;
    if (pid == 0) { /* a network child: its client socket, then its filter on the parent's */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        int s;
        if (install_net_with_socket(out_fd, &s) < 0)
            _exit(1);
        _exit(udp_round_trip_on(s) == 0 && send(sp[1], "x", 1, 0) == 1 ? 0 : 2);
    }
    int status;
    char c;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
        recv(sp[0], &c, 1, 0) != 1)
        return 7;
    /* a child is signalled through its pidfd (kill() of another pid is forbidden) */
    pid = (pid_t)syscall(SYS_clone, CLONE_PIDFD | SIGCHLD, 0, &pidfd, NULL, 0);
    if (pid == 0) {
        pause();
        _exit(0);
    }
    if (pid < 0 || syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0) < 0 ||
        waitpid(pid, &status, 0) != pid || !WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
        return 8;
    return kill(getpid(), 0) == 0 ? 0 : 9; /* itself: raise() */
}

static char parent_dir[] = "/tmp/tsync-sbx-dir-XXXXXX";

static int make_parent_dir(void **state)
{
    snprintf(parent_dir, sizeof parent_dir, "/tmp/tsync-sbx-dir-XXXXXX");
    return mkdtemp(parent_dir) != NULL ? 0 : -1;
}

static int remove_parent_dir(void **state)
{
    char p[sizeof parent_dir + 16];
    snprintf(p, sizeof p, "%s/x", parent_dir);
    unlink(p);
    return rmdir(parent_dir);
}

static void test_parent_allowed_and_stacking(void **state)
{
    struct child_result r;
    run_child(parent_allowed, parent_dir, &r);
    assert_exit_ok(&r);
}

enum parent_forbidden {
    P_EXEC,
    P_UNSHARE,
    P_OPEN_ELSEWHERE,     /* any file but the temporary one */
    P_OPEN_DIR_READ,      /* in the directory, other flags */
    P_OPEN_DIR_FOLLOWING, /* in the directory, following a link */
    P_RENAME_ELSEWHERE,
    P_UNLINK_ELSEWHERE,
    P_LINK_ELSEWHERE,
    P_FCHDIR, /* to the directory, outside the chroot */
    P_KILL_OTHER,
    P_PIDFD_OPEN, /* a handle on any process */
    P_SETUID,
    P_COUNT,
};

static int parent_forbidden(int out_fd, const void *arg)
{
    enum parent_forbidden what = *(const enum parent_forbidden *)arg;
    int dirfd = open(parent_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0 || install_parent(out_fd, dirfd) < 0)
        return 1;
    switch (what) {
    case P_EXEC:
        execl("/bin/true", "true", (char *)NULL);
        break;
    case P_UNSHARE:
        unshare(CLONE_NEWUSER);
        break;
    case P_OPEN_ELSEWHERE:
        openat(AT_FDCWD, "/etc/hostname", O_RDONLY);
        break;
    case P_OPEN_DIR_READ:
        openat(dirfd, "x", O_RDONLY);
        break;
    case P_OPEN_DIR_FOLLOWING:
        openat(dirfd, "x", DRIFT_FLAGS & ~O_NOFOLLOW, 0644);
        break;
    case P_RENAME_ELSEWHERE:
        renameat(AT_FDCWD, "/tmp/tsync-no-such-a", AT_FDCWD, "/tmp/tsync-no-such-b");
        break;
    case P_UNLINK_ELSEWHERE:
        unlinkat(AT_FDCWD, "/tmp/tsync-no-such-a", 0);
        break;
    case P_LINK_ELSEWHERE:
        linkat(dirfd, "x", AT_FDCWD, "/tmp/tsync-no-such-b", 0);
        break;
    case P_FCHDIR:
        fchdir(dirfd);
        break;
    case P_KILL_OTHER:
        kill(getppid(), 0);
        break;
    case P_PIDFD_OPEN:
        syscall(SYS_pidfd_open, getppid(), 0);
        break;
    case P_SETUID:
        setuid(0);
        break;
    case P_COUNT:
        break;
    }
    return 100;
}

static void test_parent_forbidden(void **state)
{
    for (enum parent_forbidden f = 0; f < P_COUNT; f++) {
#ifdef TSYNC_SANITIZERS /* sanitizer builds allow read-only opens (symbolising reports) */
        if (f == P_OPEN_ELSEWHERE || f == P_OPEN_DIR_READ)
            continue;
#endif
        struct child_result r;
        run_child(parent_forbidden, &f, &r);
        if (!WIFSIGNALED(r.status) || WTERMSIG(r.status) != SIGSYS)
            fail_msg("forbidden parent call %d not killed", (int)f);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_net_allowed_operations),
        cmocka_unit_test(test_clean_exit_in_every_role),
        cmocka_unit_test(test_net_forbidden_calls_kill),
        cmocka_unit_test(test_trap_mode_names_the_call),
        cmocka_unit_test(test_ntske_forbidden_calls_kill),
        cmocka_unit_test(test_ntske_allowed),
        cmocka_unit_test_setup_teardown(test_parent_allowed_and_stacking, make_parent_dir,
                                        remove_parent_dir),
        cmocka_unit_test_setup_teardown(test_parent_forbidden, make_parent_dir, remove_parent_dir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
