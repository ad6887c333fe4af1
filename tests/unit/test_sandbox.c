// SPDX-License-Identifier: ISC
/*
 * Unit tests: seccomp allow-lists and privilege dropping. Every sandbox is entered in a forked
 * child so the test process keeps its privileges; forbidden calls must kill the child with
 * SIGSYS. Privilege tests need root and are skipped otherwise. Nothing here touches the clock:
 * the only clock_adjtime call is a read (modes 0).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/ptp_clock.h>
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
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timex.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "seccomp/sandbox.h"

/* ---- running a sandboxed child ---- */

typedef int (*child_fn)(int out_fd, const void *arg);

struct child_result {
    int status;     /* from waitpid */
    char out[8192]; /* what the child wrote to out_fd */
};

static void run_child(child_fn fn, const void *arg, struct child_result *r)
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

static void assert_exit_ok(const struct child_result *r)
{
    if (!WIFEXITED(r->status) || WEXITSTATUS(r->status) != 0)
        fail_msg("child: %s %d, output: %s", WIFEXITED(r->status) ? "exit" : "signal",
                 WIFEXITED(r->status) ? WEXITSTATUS(r->status) : WTERMSIG(r->status), r->out);
}

static void assert_killed_by_sigsys(const struct child_result *r)
{
    if (!WIFSIGNALED(r->status) || WTERMSIG(r->status) != SIGSYS)
        fail_msg("child not killed by SIGSYS: %s %d, output: %s",
                 WIFEXITED(r->status) ? "exit" : "signal",
                 WIFEXITED(r->status) ? WEXITSTATUS(r->status) : WTERMSIG(r->status), r->out);
}

static int install(int out_fd, enum sbx_role role, unsigned flags)
{
    char err[256];
    if (sbx_install_seccomp(role, flags, err, sizeof err) == 0)
        return 0;
    dprintf(out_fd, "install: %s", err);
    return -1;
}

/* ---- SBX_NET: allowed operations ---- */

static int udp_loopback_round_trip(void)
{
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof a;
    int on = 1;
    if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) < 0 ||
        getsockname(s, (struct sockaddr *)&a, &alen) < 0 ||
        setsockopt(s, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) < 0)
        return 10;
    if (sendto(s, "ntp", 3, 0, (struct sockaddr *)&a, sizeof a) != 3)
        return 11;
    struct pollfd pfd = {.fd = s, .events = POLLIN};
    char buf[16];
    if (poll(&pfd, 1, 1000) != 1 || recvfrom(s, buf, sizeof buf, 0, NULL, NULL) != 3)
        return 12;
    return close(s) == 0 ? 0 : 13;
}

static int net_allowed(int out_fd, const void *arg)
{
    if (install(out_fd, SBX_NET, 0) < 0)
        return 1;
    int rc = udp_loopback_round_trip();
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
    int s6 = socket(AF_INET6, SOCK_DGRAM, 0);
    if (s6 < 0 && errno != EAFNOSUPPORT)
        return 23;
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

/* exit() runs atexit handlers (and LeakSanitizer in sanitizer builds) under the filter. */
static int net_exit(int out_fd, const void *arg)
{
    if (install(out_fd, SBX_NET, 0) < 0)
        return 1;
    char *p = malloc(100);
    free(p);
    exit(0);
}

static void test_net_clean_exit(void **state)
{
    struct child_result r;
    run_child(net_exit, NULL, &r);
    assert_exit_ok(&r);
}

/* ---- SBX_NET: forbidden operations ---- */

enum forbidden {
    F_EXECVE,
    F_PTRACE,
    F_PACKET_SOCKET,
    F_NETLINK_SOCKET,
    F_KILL_OTHER,
    F_EXEC_MEMORY,
    F_FORK,
    F_CLOCK_ADJTIME_READ,
    F_COUNT,
};

static int do_forbidden(enum forbidden what)
{
    struct timex tx = {.modes = 0};
    switch (what) {
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
    if (install(out_fd, SBX_NET, 0) < 0)
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

/* ---- SBX_RESOLVER ---- */

static int resolver_allowed(int out_fd, const void *arg)
{
    if (install(out_fd, SBX_RESOLVER, 0) < 0)
        return 1;
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_DGRAM,
                             .ai_flags = AI_ADDRCONFIG}, /* AI_ADDRCONFIG: netlink */
        *res = NULL;
    int rc = getaddrinfo("localhost", "123", &hints, &res);
    if (rc != 0) {
        dprintf(out_fd, "getaddrinfo: %s", gai_strerror(rc));
        return 2;
    }
    freeaddrinfo(res);
    FILE *f = fopen("/etc/hosts", "r");
    if (!f)
        return 3;
    fclose(f);
    int nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, 0);
    if (nl < 0)
        return 4;
    close(nl);
    return 0;
}

static void test_resolver_allowed(void **state)
{
    struct child_result r;
    run_child(resolver_allowed, NULL, &r);
    assert_exit_ok(&r);
}

static int resolver_writes(int out_fd, const void *arg)
{
    if (install(out_fd, SBX_RESOLVER, 0) < 0)
        return 1;
    open("/tmp/tsync-sandbox-must-not-exist", O_WRONLY | O_CREAT, 0600);
    return 100;
}

static void test_resolver_cannot_write_files(void **state)
{
    struct child_result r;
    unlink("/tmp/tsync-sandbox-must-not-exist");
    run_child(resolver_writes, NULL, &r);
    assert_killed_by_sigsys(&r);
    assert_int_equal(access("/tmp/tsync-sandbox-must-not-exist", F_OK), -1);
}

/* ---- SBX_PARENT, and a child's filter stacked on it ---- */

static int parent_allowed(int out_fd, const void *arg)
{
    if (install(out_fd, SBX_PARENT, 0) < 0)
        return 1;
    struct timex tx = {.modes = 0}; /* read only: never modify the host clock */
    if (clock_adjtime(CLOCK_REALTIME, &tx) < 0)
        return 2;
    char path[] = "/tmp/tsync-sbx-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0 || write(fd, "1\n", 2) != 2 || fsync(fd) < 0 || close(fd) < 0)
        return 3;
    char renamed[sizeof path + 4];
    snprintf(renamed, sizeof renamed, "%s.new", path);
    if (rename(path, renamed) < 0 || unlink(renamed) < 0)
        return 4;
    int sp[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
        return 5;
    pid_t pid = fork();
    if (pid < 0)
        return 6;
    if (pid == 0) { /* a network child: its filter on top of the parent's */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (install(out_fd, SBX_NET, 0) < 0)
            _exit(1);
        _exit(udp_loopback_round_trip() == 0 && send(sp[1], "x", 1, 0) == 1 ? 0 : 2);
    }
    int status;
    char c;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
        recv(sp[0], &c, 1, 0) != 1)
        return 7;
    return 0;
}

static void test_parent_allowed_and_stacking(void **state)
{
    struct child_result r;
    run_child(parent_allowed, NULL, &r);
    assert_exit_ok(&r);
}

static int parent_forbidden(int out_fd, const void *arg)
{
    if (install(out_fd, SBX_PARENT, 0) < 0)
        return 1;
    if (arg)
        unshare(CLONE_NEWUSER);
    else
        execl("/bin/true", "true", (char *)NULL);
    return 100;
}

static void test_parent_forbidden(void **state)
{
    struct child_result r;
    run_child(parent_forbidden, NULL, &r);
    assert_killed_by_sigsys(&r);
    run_child(parent_forbidden, "unshare", &r);
    assert_killed_by_sigsys(&r);
}

/* ---- privilege dropping (root only) ---- */

#define CAP_BIT(c) (1ULL << (c))

struct drop_case {
    const char *chroot_dir; /* NULL: no chroot */
    int keep[2];
    size_t n_keep;
    int later_drop; /* >= 0: sbx_drop_caps() this one afterwards */
    bool install_net;
    bool keep_root; /* user NULL: keep uid 0, drop capabilities only */
    bool redrop;    /* then drop again to the same ids, keeping nothing */
};

/* Child: drop, then report /proc/self/status (opened before the chroot) and checks. */
static int drop_child(int out_fd, const void *arg)
{
    const struct drop_case *c = arg;
    int status_fd = open("/proc/self/status", O_RDONLY);
    char err[256];
    if (status_fd < 0)
        return 2;
    const char *user = c->keep_root ? NULL : "nobody";
    if (sbx_drop_privileges(user, NULL, c->chroot_dir, c->keep, c->n_keep, err, sizeof err) < 0) {
        dprintf(out_fd, "drop: %s\n", err);
        return 3;
    }
    if (c->redrop && sbx_drop_privileges_ids(65534, 65534, NULL, NULL, 0, err, sizeof err) < 0) {
        dprintf(out_fd, "second drop: %s\n", err);
        return 7;
    }
    if (c->later_drop >= 0 && sbx_drop_caps(&c->later_drop, 1, err, sizeof err) < 0) {
        dprintf(out_fd, "drop_caps: %s\n", err);
        return 4;
    }
    char extra[256], cwd[64];
    struct stat st;
    snprintf(extra, sizeof extra, "Chrooted:\t%d\nCwd:\t%s\nDumpable:\t%d\nSetuidRoot:\t%d\n",
             c->chroot_dir && stat("/etc/passwd", &st) < 0, getcwd(cwd, sizeof cwd) ? cwd : "?",
             prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), setuid(0) == 0);
    /* After the NET filter only lseek/read/write: the status shows "Seccomp: 2". */
    if (c->install_net && install(out_fd, SBX_NET, 0) < 0)
        return 5;
    char buf[4096];
    ssize_t n = lseek(status_fd, 0, SEEK_SET) == 0 ? read(status_fd, buf, sizeof buf - 1) : -1;
    if (n <= 0)
        return 6;
    buf[n] = '\0';
    dprintf(out_fd, "%s%s", buf, extra);
    return 0;
}

/* The value after "key:\t" in the child's report. */
static const char *field(const char *out, const char *key)
{
    static char value[128];
    char pat[64];
    snprintf(pat, sizeof pat, "\n%s:", key);
    const char *p = strstr(out, pat);
    if (!p)
        fail_msg("no %s in: %s", key, out);
    p += strlen(pat);
    p += strspn(p, " \t");
    size_t len = strcspn(p, "\n");
    snprintf(value, sizeof value, "%.*s", (int)len, p);
    return value;
}

static unsigned long long hex_field(const char *out, const char *key)
{
    return strtoull(field(out, key), NULL, 16);
}

static void run_drop(const struct drop_case *c, struct child_result *r)
{
    if (geteuid() != 0)
        skip();
    run_child(drop_child, c, r);
    assert_exit_ok(r);
    const char *ids = c->keep_root ? "0\t0\t0\t0" : "65534\t65534\t65534\t65534";
    assert_string_equal(field(r->out, "Uid"), ids);
    assert_string_equal(field(r->out, "Gid"), ids);
    if (!c->keep_root) {
        assert_string_equal(field(r->out, "Groups"), "");
        assert_string_equal(field(r->out, "SetuidRoot"), "0");
    }
    assert_string_equal(field(r->out, "NoNewPrivs"), "1");
    assert_string_equal(field(r->out, "Dumpable"), "0");
    assert_int_equal(hex_field(r->out, "CapInh"), 0);
    assert_int_equal(hex_field(r->out, "CapBnd"), 0);
    assert_int_equal(hex_field(r->out, "CapAmb"), 0);
}

static char chroot_dir[64];

static int make_chroot(void **state)
{
    snprintf(chroot_dir, sizeof chroot_dir, "/tmp/tsync-chroot-XXXXXX");
    return mkdtemp(chroot_dir) ? 0 : -1;
}

static int remove_chroot(void **state)
{
    rmdir(chroot_dir);
    return 0;
}

static void test_drop_parent_keeps_sys_time(void **state)
{
    struct drop_case c = {
        .chroot_dir = chroot_dir, .keep = {CAP_SYS_TIME}, .n_keep = 1, .later_drop = -1};
    struct child_result r;
    run_drop(&c, &r);
    assert_int_equal(hex_field(r.out, "CapEff"), CAP_BIT(CAP_SYS_TIME));
    assert_int_equal(hex_field(r.out, "CapPrm"), CAP_BIT(CAP_SYS_TIME));
    assert_string_equal(field(r.out, "Chrooted"), "1");
    assert_string_equal(field(r.out, "Cwd"), "/");
    assert_string_equal(field(r.out, "Seccomp"), "0");
}

static void test_drop_net_child_keeps_nothing(void **state)
{
    struct drop_case c = {.chroot_dir = chroot_dir, .later_drop = -1, .install_net = true};
    struct child_result r;
    run_drop(&c, &r);
    assert_int_equal(hex_field(r.out, "CapEff"), 0);
    assert_int_equal(hex_field(r.out, "CapPrm"), 0);
    assert_string_equal(field(r.out, "Seccomp"), "2");
    assert_string_equal(field(r.out, "Chrooted"), "1");
}

static void test_drop_net_admin_later(void **state)
{
    struct drop_case c = {.keep = {CAP_SYS_TIME, CAP_NET_ADMIN}, .n_keep = 2, .later_drop = -1};
    struct child_result r;
    run_drop(&c, &r);
    assert_int_equal(hex_field(r.out, "CapEff"), CAP_BIT(CAP_SYS_TIME) | CAP_BIT(CAP_NET_ADMIN));
    assert_string_equal(field(r.out, "Chrooted"), "0");
    c.later_drop = CAP_NET_ADMIN;
    run_drop(&c, &r);
    assert_int_equal(hex_field(r.out, "CapEff"), CAP_BIT(CAP_SYS_TIME));
    assert_int_equal(hex_field(r.out, "CapPrm"), CAP_BIT(CAP_SYS_TIME));
}

static void test_drop_caps_keeping_root(void **state)
{
    struct drop_case c = {.keep = {CAP_SYS_TIME}, .n_keep = 1, .later_drop = -1, .keep_root = true};
    struct child_result r;
    run_drop(&c, &r);
    assert_int_equal(hex_field(r.out, "CapEff"), CAP_BIT(CAP_SYS_TIME));
    assert_int_equal(hex_field(r.out, "CapPrm"), CAP_BIT(CAP_SYS_TIME));
}

/* A child forked by an already dropped parent drops again: same ids, fewer capabilities. */
static void test_drop_again_as_child_of_dropped_parent(void **state)
{
    struct drop_case c = {.chroot_dir = chroot_dir,
                          .keep = {CAP_SYS_TIME},
                          .n_keep = 1,
                          .later_drop = -1,
                          .redrop = true,
                          .install_net = true};
    struct child_result r;
    run_drop(&c, &r);
    assert_int_equal(hex_field(r.out, "CapEff"), 0);
    assert_int_equal(hex_field(r.out, "CapPrm"), 0);
    assert_string_equal(field(r.out, "Seccomp"), "2");
}

/* A network child restarted by a sandboxed parent sets itself up under the parent's filter. */
static int restart_under_parent(int out_fd, const void *arg)
{
    const char *dir = arg;
    char err[256];
    if (install(out_fd, SBX_PARENT, 0) < 0)
        return 1;
    pid_t pid = fork();
    if (pid < 0)
        return 2;
    if (pid == 0) {
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 ||
            sbx_drop_privileges_ids(65534, 65534, dir, NULL, 0, err, sizeof err) < 0) {
            dprintf(out_fd, "child: %s\n", err);
            _exit(3);
        }
        if (install(out_fd, SBX_NET, 0) < 0)
            _exit(4);
        _exit(udp_loopback_round_trip() == 0 && getuid() == 65534 ? 0 : 5);
    }
    int status;
    if (waitpid(pid, &status, 0) != pid)
        return 6;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        dprintf(out_fd, "child status %#x\n", status);
        return 7;
    }
    return 0;
}

static void test_child_setup_under_parent_filter(void **state)
{
    if (geteuid() != 0)
        skip();
    struct child_result r;
    run_child(restart_under_parent, chroot_dir, &r);
    assert_exit_ok(&r);
}

static void test_prepare_chroot_checks(void **state)
{
    if (geteuid() != 0)
        skip(); /* the directory must be root-owned */
    char err[256], path[128];
    snprintf(path, sizeof path, "%s/a/b", chroot_dir);
    assert_int_equal(sbx_prepare_chroot(path, err, sizeof err), 0); /* created */
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0755);
    assert_int_equal(sbx_prepare_chroot("relative/dir", err, sizeof err), -1);
    assert_int_equal(chmod(path, 0777), 0);
    assert_int_equal(sbx_prepare_chroot(path, err, sizeof err), -1);
    assert_non_null(strstr(err, "writable"));
    assert_int_equal(chmod(path, 0755), 0);
    char file[160];
    snprintf(file, sizeof file, "%s/x", path);
    close(open(file, O_WRONLY | O_CREAT, 0600));
    assert_int_equal(sbx_prepare_chroot(path, err, sizeof err), -1);
    assert_non_null(strstr(err, "not empty"));
    assert_int_equal(sbx_prepare_chroot(file, err, sizeof err), -1); /* not a directory */
    char link[160];
    snprintf(link, sizeof link, "%s/a/link", chroot_dir);
    assert_int_equal(symlink("b", link), 0);
    assert_int_equal(sbx_prepare_chroot(link, err, sizeof err), -1);
    assert_int_equal(chown(path, 65534, 65534), 0);
    unlink(file);
    assert_int_equal(sbx_prepare_chroot(path, err, sizeof err), -1);
    assert_non_null(strstr(err, "owned by root"));
    unlink(link);
    rmdir(path);
    snprintf(path, sizeof path, "%s/a", chroot_dir);
    rmdir(path);
}

static void test_lookup_user(void **state)
{
    uid_t uid;
    gid_t gid;
    char err[256];
    assert_int_equal(sbx_lookup_user("nobody", NULL, &uid, &gid, err, sizeof err), 0);
    assert_int_equal(uid, 65534);
    assert_int_equal(gid, 65534);
    assert_int_equal(sbx_lookup_user("nobody", "root", &uid, &gid, err, sizeof err), 0);
    assert_int_equal(gid, 0);
    assert_int_equal(sbx_lookup_user("65534", "123", &uid, &gid, err, sizeof err), 0);
    assert_int_equal(uid, 65534);
    assert_int_equal(gid, 123);
    assert_int_equal(sbx_lookup_user("root", NULL, &uid, &gid, err, sizeof err), -1);
    assert_non_null(strstr(err, "root"));
    assert_int_equal(sbx_lookup_user("no-such-user-tsync", NULL, &uid, &gid, err, sizeof err), -1);
    assert_int_equal(sbx_lookup_user("nobody", "no-such-group-tsync", &uid, &gid, err, sizeof err),
                     -1);
    assert_int_equal(sbx_lookup_user("4000000", NULL, &uid, &gid, err, sizeof err), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_net_allowed_operations),
        cmocka_unit_test(test_net_clean_exit),
        cmocka_unit_test(test_net_forbidden_calls_kill),
        cmocka_unit_test(test_trap_mode_names_the_call),
        cmocka_unit_test(test_resolver_allowed),
        cmocka_unit_test(test_resolver_cannot_write_files),
        cmocka_unit_test(test_parent_allowed_and_stacking),
        cmocka_unit_test(test_parent_forbidden),
        cmocka_unit_test_setup_teardown(test_drop_parent_keeps_sys_time, make_chroot,
                                        remove_chroot),
        cmocka_unit_test_setup_teardown(test_drop_net_child_keeps_nothing, make_chroot,
                                        remove_chroot),
        cmocka_unit_test(test_drop_net_admin_later),
        cmocka_unit_test(test_drop_caps_keeping_root),
        cmocka_unit_test_setup_teardown(test_drop_again_as_child_of_dropped_parent, make_chroot,
                                        remove_chroot),
        cmocka_unit_test_setup_teardown(test_child_setup_under_parent_filter, make_chroot,
                                        remove_chroot),
        cmocka_unit_test_setup_teardown(test_prepare_chroot_checks, make_chroot, remove_chroot),
        cmocka_unit_test(test_lookup_user),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
