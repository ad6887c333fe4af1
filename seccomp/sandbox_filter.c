// SPDX-License-Identifier: ISC
/*
 * seccomp allow-lists per role (libseccomp). Everything not listed kills the process
 * (SCMP_ACT_KILL_PROCESS), or traps into a logging SIGSYS handler with SBX_TRAP.
 *
 * The lists are for glibc on Linux (Debian 12 and later): they name the system calls glibc
 * issues for the library functions tsyncd uses, not only the functions' obvious names (fstat is
 * newfstatat, poll may be ppoll, fork is clone, abort is tgkill...).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <linux/ptp_clock.h>
#include <linux/sockios.h>
#include <seccomp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "seccomp/sandbox.h"
#include "seccomp/sandbox_int.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Every role: memory for malloc (mmap/mprotect are added per role: with or without PROT_EXEC),
 * exit and signal return, time, I/O on open descriptors (pread64: the PHC's sysfs error bound),
 * glibc internals (futex for its locks, rt_sigprocmask in abort/fork), randomness, poll. */
static const int sys_base[] = {
    SCMP_SYS(brk),
    SCMP_SYS(munmap),
    SCMP_SYS(mremap),
    SCMP_SYS(madvise),
    SCMP_SYS(exit),
    SCMP_SYS(exit_group),
    SCMP_SYS(rt_sigreturn),
    SCMP_SYS(restart_syscall),
    SCMP_SYS(rt_sigprocmask),
    SCMP_SYS(clock_gettime),
    SCMP_SYS(clock_getres),
    SCMP_SYS(gettimeofday),
    SCMP_SYS(time),
    SCMP_SYS(nanosleep),
    SCMP_SYS(clock_nanosleep),
    SCMP_SYS(read),
    SCMP_SYS(pread64),
    SCMP_SYS(write),
    SCMP_SYS(readv),
    SCMP_SYS(writev),
    SCMP_SYS(close),
    SCMP_SYS(fstat),
    SCMP_SYS(newfstatat),
    SCMP_SYS(lseek),
    SCMP_SYS(getpid),
    SCMP_SYS(gettid),
    SCMP_SYS(getuid),
    SCMP_SYS(geteuid),
    SCMP_SYS(getgid),
    SCMP_SYS(getegid),
    SCMP_SYS(getrandom),
    SCMP_SYS(poll),
    SCMP_SYS(ppoll),
    SCMP_SYS(futex),
};

/* I/O and options on sockets the role holds (timestamping, addresses). */
static const int sys_socket_io[] = {
    SCMP_SYS(sendto),      SCMP_SYS(sendmsg),     SCMP_SYS(sendmmsg),   SCMP_SYS(recvfrom),
    SCMP_SYS(recvmsg),     SCMP_SYS(recvmmsg),    SCMP_SYS(setsockopt), SCMP_SYS(getsockopt),
    SCMP_SYS(getsockname), SCMP_SYS(getpeername), SCMP_SYS(shutdown),
};

/* Sockets of the parent's and the resolver's own making: bind (netlink), connect (DNS, nscd,
 * syslog). The network child gets connect and accept on given descriptors only (build_net). */
static const int sys_socket_setup[] = {SCMP_SYS(bind), SCMP_SYS(connect)};

/* Resolver: NSS and the stub resolver read /etc files (openat is read-only, see below), stat
 * them to notice changes, call uname (gethostname), and dlopen NSS modules (mmap PROT_EXEC). */
static const int sys_resolver[] = {
    SCMP_SYS(statx),      SCMP_SYS(faccessat), SCMP_SYS(faccessat2),
    SCMP_SYS(access),     SCMP_SYS(uname),     SCMP_SYS(fcntl),
    SCMP_SYS(getdents64), SCMP_SYS(sysinfo),   SCMP_SYS(readlink),
};

/* Parent: clock control; its files (the opens, renames, links and unlinks are in
 * build_parent: in the directories of sbx_params only); children (fork is clone, see build_parent;
 * their signals go through pidfds; a child's own set-up before its filter: capabilities, prctl,
 * seccomp, stdio on /dev/null); signals. No other file, directory or process. */
static const int sys_parent[] = {
    SCMP_SYS(clock_adjtime),
    SCMP_SYS(adjtimex),
    SCMP_SYS(clock_settime),
    SCMP_SYS(fsync),
    SCMP_SYS(fdatasync),
    SCMP_SYS(fchmod),
    SCMP_SYS(ftruncate),
    SCMP_SYS(wait4),
    SCMP_SYS(waitid),
    SCMP_SYS(pidfd_send_signal),
    SCMP_SYS(getppid),
    SCMP_SYS(socketpair),
    SCMP_SYS(dup),
    SCMP_SYS(dup2),
    SCMP_SYS(dup3),
    SCMP_SYS(getresuid),
    SCMP_SYS(getresgid),
    SCMP_SYS(getgroups),
    SCMP_SYS(capget),
    SCMP_SYS(capset),
    SCMP_SYS(seccomp),
    SCMP_SYS(rt_sigaction),
    SCMP_SYS(getrlimit),
    SCMP_SYS(prlimit64),
    SCMP_SYS(set_robust_list),
    SCMP_SYS(rseq),
};

/* prctl options the parent and its children (before their own filter) use. */
static const int prctl_parent[] = {
    PR_SET_PDEATHSIG, PR_GET_PDEATHSIG,  PR_SET_NO_NEW_PRIVS, PR_GET_NO_NEW_PRIVS, PR_SET_DUMPABLE,
    PR_GET_DUMPABLE,  PR_SET_KEEPCAPS,   PR_GET_KEEPCAPS,     PR_CAPBSET_READ,     PR_CAPBSET_DROP,
    PR_CAP_AMBIENT,   PR_GET_SECUREBITS, PR_SET_SECUREBITS,   PR_SET_NAME,         PR_GET_NAME,
    PR_GET_SECCOMP,   PR_SET_SECCOMP,
};

/* ioctl requests: pending bytes, interface index/name, timestamping capability and
 * configuration, PHC readings (the network child converts NIC timestamps with the PHC the
 * parent opened: read-only requests), terminal check of stdio. */
static const unsigned long ioctl_net[] = {
    FIONREAD,
    SIOCGIFINDEX,
    SIOCGIFNAME,
    SIOCETHTOOL,
    SIOCGHWTSTAMP,
    TCGETS,
    PTP_CLOCK_GETCAPS,
    PTP_SYS_OFFSET,
    PTP_SYS_OFFSET_PRECISE,
    PTP_SYS_OFFSET_EXTENDED,
};
static const unsigned long ioctl_parent[] = {
    FIONREAD,
    SIOCGIFINDEX,
    SIOCGIFNAME,
    SIOCETHTOOL,
    SIOCGHWTSTAMP,
    SIOCSHWTSTAMP,
    TCGETS,
    PTP_CLOCK_GETCAPS,
    PTP_SYS_OFFSET,
    PTP_SYS_OFFSET_PRECISE,
    PTP_SYS_OFFSET_EXTENDED,
};

/* fcntl commands of the network child (descriptor flags, non-blocking mode). */
static const int fcntl_net[] = {F_GETFD, F_SETFD, F_GETFL, F_SETFL};

#ifdef TSYNC_SANITIZERS
/* ASan/UBSan/LSan: start-up checks, error reports (symbolising reads /proc/self/maps and the
 * binary: read-only openat, see build()) and LeakSanitizer at exit (a tracer task: clone,
 * ptrace, wait4, getdents on /proc/self/task). Only in sanitizer builds, never in a release. */
static const int sys_sanitizers[] = {
    SCMP_SYS(sigaltstack), SCMP_SYS(rt_sigaction), SCMP_SYS(readlink),
    SCMP_SYS(readlinkat),  SCMP_SYS(prctl),        SCMP_SYS(getrlimit),
    SCMP_SYS(prlimit64),   SCMP_SYS(sched_yield),  SCMP_SYS(sched_getaffinity),
    SCMP_SYS(getdents),    SCMP_SYS(getdents64),   SCMP_SYS(ptrace),
    SCMP_SYS(wait4),       SCMP_SYS(getppid),
};
#endif

/* ---- building a filter ---- */

/* open flags that create or modify files */
#define WRITE_FLAGS (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND)
/* open flags that say what is opened and how (the access mode, creating a new file or
 * opening an existing one, following links, directories, O_PATH): the parent's opens must
 * have exactly the given ones. The others (O_CLOEXEC, O_NONBLOCK, the O_LARGEFILE glibc may
 * add...) grant nothing. */
#define OPEN_CHECKED_FLAGS                                                                         \
    (O_ACCMODE | O_CREAT | O_EXCL | O_NOFOLLOW | O_TRUNC | O_APPEND | O_DIRECTORY | O_PATH |       \
     O_TMPFILE)
/* clone flags that create namespaces */
#define NEW_NAMESPACES                                                                             \
    (CLONE_NEWNS | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS |     \
     CLONE_NEWCGROUP)

#define NR_TRACKED 1024 /* syscall numbers tracked for "already allowed unconditionally" */

struct builder {
    scmp_filter_ctx ctx;
    const struct sbx_params *params;
    int rc;        /* first libseccomp error (negative errno) */
    int failed_nr; /* the syscall it happened on */
    bool allowed[NR_TRACKED];
};

static bool already_allowed(const struct builder *b, int nr)
{
    return nr >= 0 && nr < NR_TRACKED && b->allowed[nr];
}

/* Add one rule; rules made redundant by an unconditional allow are skipped (libseccomp refuses
 * an ERRNO rule for an allowed syscall, and conditions would be pointless). A syscall this
 * architecture does not have (-EDOM) is not an error. */
static void rule(struct builder *b, uint32_t action, int nr, unsigned n_args,
                 const struct scmp_arg_cmp *args)
{
    if (b->rc < 0 || already_allowed(b, nr))
        return;
    int rc = seccomp_rule_add_array(b->ctx, action, nr, n_args, args);
    if (rc == -EDOM)
        return;
    if (rc < 0) {
        b->rc = rc;
        b->failed_nr = nr;
        return;
    }
    if (action == SCMP_ACT_ALLOW && n_args == 0 && nr >= 0 && nr < NR_TRACKED)
        b->allowed[nr] = true;
}

static void allow_all(struct builder *b, const int *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        rule(b, SCMP_ACT_ALLOW, list[i], 0, NULL);
}

/* Allow nr when argument arg equals one of values[]. */
static void allow_arg_in(struct builder *b, int nr, unsigned arg, const unsigned long *values,
                         size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct scmp_arg_cmp cmp = {arg, SCMP_CMP_EQ, values[i], 0};
        rule(b, SCMP_ACT_ALLOW, nr, 1, &cmp);
    }
}

static void allow_arg_in_int(struct builder *b, int nr, unsigned arg, const int *values, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct scmp_arg_cmp cmp = {arg, SCMP_CMP_EQ, (scmp_datum_t)values[i], 0};
        rule(b, SCMP_ACT_ALLOW, nr, 1, &cmp);
    }
}

/* Allow nr when (argument arg & mask) == 0. */
static void allow_mask_clear(struct builder *b, int nr, unsigned arg, scmp_datum_t mask)
{
    struct scmp_arg_cmp cmp = {arg, SCMP_CMP_MASKED_EQ, mask, 0};
    rule(b, SCMP_ACT_ALLOW, nr, 1, &cmp);
}

static void allow_sockets(struct builder *b)
{
    const int families[] = {AF_INET, AF_INET6, AF_UNIX, AF_NETLINK};
    allow_arg_in_int(b, SCMP_SYS(socket), 0, families, N(families));
}

/* kill/tgkill only to the process itself (abort(), the SIGSYS handler's re-raise). Filters
 * stack: a child forked under the parent's filter can signal nothing at all. */
static void allow_kill_self(struct builder *b)
{
    const int self[] = {getpid()};
    allow_arg_in_int(b, SCMP_SYS(kill), 0, self, 1);
    allow_arg_in_int(b, SCMP_SYS(tgkill), 0, self, 1);
}

/* No new executable memory (malloc never needs it); with exec_errno a request for it fails
 * with EPERM instead of killing the process (a lazily loaded NSS module fails cleanly). */
static void allow_memory(struct builder *b, bool exec_errno)
{
    struct scmp_arg_cmp exec = {2, SCMP_CMP_MASKED_EQ, PROT_EXEC, PROT_EXEC};

    allow_mask_clear(b, SCMP_SYS(mmap), 2, PROT_EXEC);
    allow_mask_clear(b, SCMP_SYS(mprotect), 2, PROT_EXEC);
    if (exec_errno) {
        rule(b, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(mmap), 1, &exec);
        rule(b, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(mprotect), 1, &exec);
    }
}

/* accept() on the control socket only (the network child's; the parent's filter allows it for
 * the child's sake). */
static void allow_accept(struct builder *b)
{
    for (size_t i = 0; i < b->params->n_accept_fds && i < SBX_MAX_ACCEPT; i++) {
        const int *fd = &b->params->accept_fds[i];

        if (*fd < 0)
            continue;
        allow_arg_in_int(b, SCMP_SYS(accept4), 0, fd, 1);
        allow_arg_in_int(b, SCMP_SYS(accept), 0, fd, 1);
    }
}

/* No socket of its own: it uses those it was given (client sockets opened before the filter,
 * server sockets, the control socket, its channels). connect() only re-aims client sockets
 * (UDP: no AF_UNIX peer is reachable), accept() only takes control and metrics connections; no
 * bind, listen, socket or socketpair. */
static void build_net(struct builder *b)
{
    const struct sbx_params *p = b->params;

    allow_all(b, sys_socket_io, N(sys_socket_io));
    if (p->n_connect_fds > 0)
        allow_arg_in_int(b, SCMP_SYS(connect), 0, p->connect_fds, p->n_connect_fds);
    allow_accept(b);
    allow_arg_in(b, SCMP_SYS(ioctl), 1, ioctl_net, N(ioctl_net));
    allow_arg_in_int(b, SCMP_SYS(fcntl), 1, fcntl_net, N(fcntl_net));
    allow_kill_self(b);
    allow_memory(b, false);
#ifndef TSYNC_SANITIZERS
    /* No files in the chroot: lazy opens inside glibc (time zone, locale) fail cleanly. */
    rule(b, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(openat), 0, NULL);
    rule(b, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(open), 0, NULL);
#endif
}

/* NTS-KE: TLS over TCP sockets of its own (the client side: socket and connect, IPv4 and IPv6
 * streams only) and the connections it accepts. accept is not bound to a descriptor (the
 * listener arrives after the filter, SCM_RIGHTS), which grants nothing: without bind and
 * listen the only listening socket it can hold is the one the parent handed it. No files (the
 * credentials were loaded before), no ioctl beyond the terminal check, no exec, no executable
 * memory. */
#define SOCKET_TYPE_BITS 0xf /* socket()'s type without SOCK_NONBLOCK and SOCK_CLOEXEC */

static void build_ntske(struct builder *b)
{
    const unsigned long ioctl_ntske[] = {FIONREAD, TCGETS};
    const int families[] = {AF_INET, AF_INET6};

    allow_all(b, sys_socket_io, N(sys_socket_io));
    for (size_t i = 0; i < N(families); i++) {
        struct scmp_arg_cmp stream[2] = {
            {0, SCMP_CMP_EQ, (scmp_datum_t)families[i], 0},
            {1, SCMP_CMP_MASKED_EQ, SOCKET_TYPE_BITS, SOCK_STREAM},
        };
        rule(b, SCMP_ACT_ALLOW, SCMP_SYS(socket), 2, stream);
    }
    rule(b, SCMP_ACT_ALLOW, SCMP_SYS(connect), 0, NULL);
    rule(b, SCMP_ACT_ALLOW, SCMP_SYS(accept), 0, NULL);
    rule(b, SCMP_ACT_ALLOW, SCMP_SYS(accept4), 0, NULL);
    allow_arg_in(b, SCMP_SYS(ioctl), 1, ioctl_ntske, N(ioctl_ntske));
    allow_arg_in_int(b, SCMP_SYS(fcntl), 1, fcntl_net, N(fcntl_net));
    allow_kill_self(b);
    allow_memory(b, false);
#ifndef TSYNC_SANITIZERS
    rule(b, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(openat), 0, NULL);
    rule(b, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(open), 0, NULL);
#endif
}

/* getaddrinfo: read-only files, DNS over UDP/TCP, nscd/resolved over AF_UNIX, netlink for
 * AI_ADDRCONFIG. No file writes, no exec, no new executable memory, no listen/accept. */
static void build_resolver(struct builder *b)
{
    const unsigned long ioctl_resolver[] = {FIONREAD, TCGETS};
    allow_all(b, sys_socket_io, N(sys_socket_io));
    allow_all(b, sys_socket_setup, N(sys_socket_setup));
    allow_all(b, sys_resolver, N(sys_resolver));
    allow_sockets(b);
    allow_arg_in(b, SCMP_SYS(ioctl), 1, ioctl_resolver, N(ioctl_resolver));
    allow_kill_self(b);
    allow_memory(b, true);
    allow_mask_clear(b, SCMP_SYS(openat), 2, WRITE_FLAGS);
    allow_mask_clear(b, SCMP_SYS(open), 1, WRITE_FLAGS);
}

int sbx_params_add_dir(struct sbx_params *p, int dirfd, const int *open_flags, size_t n,
                       bool modify)
{
    struct sbx_dir *d;

    if (dirfd < 0)
        return 0;
    if (p->n_dirs >= SBX_MAX_DIRS || n > SBX_DIR_MAX_FLAGS)
        return -1;
    d = &p->dirs[p->n_dirs++];
    d->dirfd = dirfd;
    d->n_open_flags = n;
    for (size_t i = 0; i < n; i++)
        d->open_flags[i] = open_flags[i];
    d->modify = modify;
    return 0;
}

/* Files of the parent, each in a directory opened before the chroot (dirfd): opened with
 * exactly the expected flags, and (modify) renamed, linked or removed there. Nothing else:
 * no other open, no rename, link, unlink or fchdir anywhere (fchdir to such a directory would
 * leave the chroot). */
static void allow_dir(struct builder *b, const struct sbx_dir *d)
{
    scmp_datum_t fd = (scmp_datum_t)d->dirfd;
    struct scmp_arg_cmp two_dirs[2] = {{0, SCMP_CMP_EQ, fd, 0}, {2, SCMP_CMP_EQ, fd, 0}};
    struct scmp_arg_cmp unlink_cmp[2] = {{0, SCMP_CMP_EQ, fd, 0}, {2, SCMP_CMP_EQ, 0, 0}};

    for (size_t i = 0; i < d->n_open_flags; i++) {
        struct scmp_arg_cmp open_cmp[2] = {
            {0, SCMP_CMP_EQ, fd, 0},
            {2, SCMP_CMP_MASKED_EQ, OPEN_CHECKED_FLAGS,
             (scmp_datum_t)((unsigned)d->open_flags[i] & OPEN_CHECKED_FLAGS)},
        };
        rule(b, SCMP_ACT_ALLOW, SCMP_SYS(openat), 2, open_cmp);
    }
    if (!d->modify)
        return;
    rule(b, SCMP_ACT_ALLOW, SCMP_SYS(renameat), 2, two_dirs);
    rule(b, SCMP_ACT_ALLOW, SCMP_SYS(renameat2), 2, two_dirs);
    rule(b, SCMP_ACT_ALLOW, SCMP_SYS(linkat), 2, two_dirs);
    rule(b, SCMP_ACT_ALLOW, SCMP_SYS(unlinkat), 2, unlink_cmp);
}

/* The parent's list is a superset of what the network child needs to sandbox itself (filters
 * stack across fork); the resolver and the server workers are forked before it. */
static void build_parent(struct builder *b)
{
    allow_all(b, sys_socket_io, N(sys_socket_io));
    allow_all(b, sys_socket_setup, N(sys_socket_setup));
    allow_all(b, sys_resolver, N(sys_resolver));
    allow_all(b, sys_parent, N(sys_parent));
    allow_sockets(b);
    allow_arg_in(b, SCMP_SYS(ioctl), 1, ioctl_parent, N(ioctl_parent));
    allow_arg_in_int(b, SCMP_SYS(prctl), 0, prctl_parent, N(prctl_parent));
    allow_memory(b, true);
    allow_kill_self(b);
    allow_accept(b);
    for (size_t i = 0; i < b->params->n_dirs; i++)
        allow_dir(b, &b->params->dirs[i]);
    /* fork (clone with CLONE_PIDFD: daemon_children.c), but no new namespaces */
    allow_mask_clear(b, SCMP_SYS(clone), 0, NEW_NAMESPACES);
    /* glibc falls back to clone when clone3 is unavailable; clone3's flags are in memory,
     * beyond a filter's reach. */
    rule(b, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0, NULL);
}

/* ---- SBX_TRAP: name the forbidden call, then die of SIGSYS ---- */

#define NR_NAMES 512

static const char *trap_names[NR_NAMES]; /* resolved before the filter is loaded */
static const char *trap_role = "";

static size_t append(char *buf, size_t len, size_t size, const char *s)
{
    while (*s && len + 1 < size)
        buf[len++] = *s++;
    buf[len] = '\0';
    return len;
}

static size_t append_uint(char *buf, size_t len, size_t size, unsigned v)
{
    char digits[12];
    size_t n = 0;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v && n < sizeof digits);
    char rev[13];
    for (size_t i = 0; i < n; i++)
        rev[i] = digits[n - 1 - i];
    rev[n] = '\0';
    return append(buf, len, size, rev);
}

/* Async-signal-safe: only write, getpid, kill (all allowed in every role). */
static void sigsys_handler(int sig, siginfo_t *si, void *uc)
{
    char msg[160];
    unsigned nr = (unsigned)si->si_syscall;
    size_t len = append(msg, 0, sizeof msg, "tsyncd ");
    len = append(msg, len, sizeof msg, trap_role);
    len = append(msg, len, sizeof msg, ": seccomp: forbidden system call ");
    len = append(msg, len, sizeof msg, nr < NR_NAMES && trap_names[nr] ? trap_names[nr] : "?");
    len = append(msg, len, sizeof msg, " (");
    len = append_uint(msg, len, sizeof msg, nr);
    len = append(msg, len, sizeof msg, ")\n");
    ssize_t ignored = write(STDERR_FILENO, msg, len);
    (void)ignored;
    kill(getpid(), SIGSYS); /* SA_RESETHAND: the default action now, as without SBX_TRAP */
    _exit(128 + SIGSYS);
}

static int install_trap_handler(enum sbx_role role)
{
    for (int nr = 0; nr < NR_NAMES; nr++)
        if (!trap_names[nr])
            trap_names[nr] = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
    trap_role = sbx_role_name(role);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = sigsys_handler;
    sa.sa_flags = SA_SIGINFO | SA_RESETHAND | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    return sigaction(SIGSYS, &sa, NULL);
}

/* ---- the interface ---- */

const char *sbx_role_name(enum sbx_role role)
{
    switch (role) {
    case SBX_PARENT:
        return "parent";
    case SBX_NET:
        return "net";
    case SBX_RESOLVER:
        return "resolver";
    case SBX_NTSKE:
        return "ntske";
    }
    return "unknown";
}

static bool want_trap(unsigned flags)
{
    const char *env = getenv(SBX_TRAP_ENV);
    return (flags & SBX_TRAP) || (env && strcmp(env, "1") == 0);
}

static void build(struct builder *b, enum sbx_role role)
{
    allow_all(b, sys_base, N(sys_base));
#ifdef TSYNC_SANITIZERS
    allow_all(b, sys_sanitizers, N(sys_sanitizers));
    allow_mask_clear(b, SCMP_SYS(openat), 2, WRITE_FLAGS);
    allow_mask_clear(b, SCMP_SYS(open), 1, WRITE_FLAGS);
    allow_mask_clear(b, SCMP_SYS(clone), 0, NEW_NAMESPACES);
#endif
    if (role == SBX_NET)
        build_net(b);
    else if (role == SBX_RESOLVER)
        build_resolver(b);
    else if (role == SBX_NTSKE)
        build_ntske(b);
    else
        build_parent(b);
}

static int load(struct builder *b, enum sbx_role role, uint32_t deny, char *err, size_t errlen)
{
    int rc = seccomp_attr_set(b->ctx, SCMP_FLTATR_ACT_BADARCH, deny);
    if (rc == 0)
        rc = seccomp_attr_set(b->ctx, SCMP_FLTATR_CTL_NNP, 1);
    if (rc < 0)
        return sbx_fail(err, errlen, "seccomp: setting filter attributes: %s", strerror(-rc));
    build(b, role);
    if (b->rc < 0) {
        char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, b->failed_nr);
        sbx_fail(err, errlen, "seccomp: %s filter: rule for %s: %s", sbx_role_name(role),
                 name ? name : "?", strerror(-b->rc));
        free(name);
        return -1;
    }
    rc = seccomp_load(b->ctx);
    if (rc < 0)
        return sbx_fail(err, errlen, "seccomp: loading the %s filter: %s", sbx_role_name(role),
                        strerror(-rc));
    return 0;
}

int sbx_install_seccomp_with(enum sbx_role role, unsigned flags, const struct sbx_params *params,
                             char *err, size_t errlen)
{
    static const struct sbx_params none = {.n_accept_fds = 0};

    if (role != SBX_PARENT && role != SBX_NET && role != SBX_RESOLVER && role != SBX_NTSKE)
        return sbx_fail(err, errlen, "seccomp: unknown role %d", (int)role);
    bool trap = want_trap(flags);
    if (trap && install_trap_handler(role) < 0)
        return sbx_fail(err, errlen, "seccomp: SIGSYS handler: %s", strerror(errno));
    uint32_t deny = trap ? SCMP_ACT_TRAP : SCMP_ACT_KILL_PROCESS;
    struct builder *b = calloc(1, sizeof *b);
    if (!b)
        return sbx_fail(err, errlen, "seccomp: out of memory");
    b->params = params != NULL ? params : &none;
    b->ctx = seccomp_init(deny);
    int rc = b->ctx ? load(b, role, deny, err, errlen)
                    : sbx_fail(err, errlen, "seccomp: seccomp_init failed");
    if (b->ctx)
        seccomp_release(b->ctx);
    free(b);
    return rc;
}

int sbx_install_seccomp(enum sbx_role role, unsigned flags, char *err, size_t errlen)
{
    return sbx_install_seccomp_with(role, flags, NULL, err, errlen);
}
