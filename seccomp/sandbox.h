// SPDX-License-Identifier: ISC
/*
 * Sandbox (prefix sbx_): credential and capability dropping, chroot, seccomp allow-lists.
 *
 * Intended use (daemon/main/daemon.c, daemon_children.c):
 *
 *   parent   after binding privileged sockets and opening the drift directory, log and pid
 *            files:
 *              int keep[] = {CAP_SYS_TIME, CAP_NET_ADMIN}; // `clock system`, hwtimestamp only
 *              sbx_drop_privileges(user, group, chroot, keep, n, err, sizeof err);
 *              struct sbx_params p = {.accept_fds = {control_fd, metrics_fd}, .n_accept_fds = 2};
 *              sbx_params_add_dir(&p, drift_dirfd, temp_flags, 1, true);   drift, stats...
 *              sbx_install_seccomp_with(SBX_PARENT, 0, &p, err, sizeof err);
 *            Choice: like chrony, the parent leaves uid 0 for the configured user and keeps
 *            only the capabilities it uses. A uid-0 process without capabilities still owns
 *            every root file (/etc/passwd is writable by its owner), so staying root is not
 *            "harmless". The drift file's directory must be writable by that user (as with
 *            ntpd -u); its filter lets it open only the temporary file there (openat on that
 *            descriptor with exactly those flags), rename and unlink only there; likewise the
 *            statistics directory, the log file's directory (reopened on SIGHUP) and the
 *            read-only config and leap file directories, signal only
 *            its children (pidfd_send_signal: it gets pidfds from clone(CLONE_PIDFD); kill and
 *            tgkill only of itself, no pidfd_open), no fchdir, no other file.
 *   network  after fork, PR_SET_PDEATHSIG, opening its client sockets and closing its log:
 *              sbx_drop_privileges(NULL, NULL, NULL, NULL, 0, ...);   capabilities only
 *              struct sbx_params p = {.connect_fds = client_fds, .n_connect_fds = n,
 *                                     .accept_fds = {control_fd, metrics_fd},
 *                                     .n_accept_fds = 2};
 *              sbx_install_seccomp_with(SBX_NET, 0, &p, ...);   before reading the first packet
 *            No socket, socketpair, bind or listen; connect only on its client sockets (UDP:
 *            no AF_UNIX peer is reachable), accept only on the control socket.
 *   resolver sbx_drop_privileges(user, group, NULL, NULL, 0, ...);  (no chroot: NSS needs /etc)
 *            sbx_install_seccomp(SBX_RESOLVER, 0, ...);   read-only files, no listen/accept,
 *            no exec, no new executable memory (EPERM)
 *   server   sbx_drop_privileges(user, group, chroot, NULL, 0, ...);
 *   workers  sbx_install_seccomp(SBX_NET, 0, ...);   their sockets only: no connect, no accept
 *   ntske    (tsyncd-ntske: forked and executed before the parent's filter, which allows no
 *            execve) after loading its TLS credentials:
 *              sbx_drop_privileges(user, group, chroot, NULL, 0, ...);
 *              sbx_install_seccomp(SBX_NTSKE, 0, ...);   TCP sockets of its own (socket and
 *            connect: IPv4/IPv6 streams only), accept (no bind, no listen: only the listener
 *            the parent hands it accepts), no files, no exec, no new executable memory
 *   uid, gid from sbx_lookup_user() once at start-up, before any chroot or filter.
 *
 * Logging from a chrooted process: open log files and the syslog socket (openlog with
 * LOG_NDELAY) before the chroot; SBX_NET refuses every open with EACCES (glibc's lazy opens of
 * time zone or locale files then fail cleanly instead of killing the process). The children
 * hold no log: they send their lines to the parent (daemon/common/log.h).
 *
 * Seccomp filters stack: a child forked after the parent installed SBX_PARENT is bound by both
 * filters. SBX_PARENT therefore also allows what the network child needs to set itself up
 * (capset, prctl, seccomp, dup2 of its stdio) and what its role allows (accept on the control
 * socket, connect); the child's own filter is what narrows it. Its kill/tgkill rule names the
 * parent's pid, so the network child can signal no process at all, not even itself (an abort()
 * there ends in SIGSYS: the parent logs a seccomp kill). The resolver, the server workers and
 * the NTS-KE process are forked before the parent's filter.
 *
 * A process that calls a system call outside its list is killed by SIGSYS (SCMP_ACT_KILL_PROCESS).
 * With SBX_TRAP (or TSYNCD_SECCOMP_TRAP=1 in the environment) it instead gets a SIGSYS handler
 * that writes "seccomp: forbidden system call NAME (NR)" to stderr and then dies of SIGSYS:
 * for debugging a list that misses a call.
 *
 * All functions return 0 on success and -1 on failure with a message in err (NUL-terminated
 * when errlen > 0). A failure of sbx_drop_privileges may leave the process half-dropped: the
 * caller must exit.
 */
#ifndef TSYNC_SECCOMP_SANDBOX_H
#define TSYNC_SECCOMP_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum sbx_role {
    SBX_PARENT,   /* clock control, the drift file's temporary file, fork and signal children */
    SBX_NET,      /* packet I/O on given sockets (no new ones), control socket; no files */
    SBX_RESOLVER, /* getaddrinfo: read-only files, DNS over UDP/TCP, AF_UNIX, netlink */
    SBX_NTSKE,    /* NTS-KE over TLS: its own TCP sockets (connect, accept), no files, no exec */
};

/* sbx_install_seccomp() flags */
#define SBX_TRAP 0x1u /* log the forbidden call's name before dying (debugging) */

/* Environment variable that forces SBX_TRAP when set to "1". */
#define SBX_TRAP_ENV "TSYNCD_SECCOMP_TRAP"

/*
 * Resolve user[:group] to ids. group NULL or "": the user's primary group. Numeric ids are
 * accepted. Used by sbx_drop_privileges(); exposed so the daemon can validate `-u` early and
 * chown directories (control socket) before dropping.
 */
int sbx_lookup_user(const char *user, const char *group, uid_t *uid, gid_t *gid, char *err,
                    size_t errlen);

/*
 * Check (and create if missing, mode 0755, root-owned, parents too) an empty chroot directory:
 * a real directory (not a symlink), owned by root, not writable by group or others, empty.
 */
int sbx_prepare_chroot(const char *dir, char *err, size_t errlen);

/*
 * Drop to an unprivileged user, in this order: resolve user/group (user NULL: keep the uid and
 * gid, only drop capabilities), prepare and enter chroot_dir (NULL: no chroot) with chdir("/"),
 * then (libcap-ng) clear all capability sets except keep_caps[0..n_keep) in the effective and
 * permitted sets, empty the bounding and ambient sets, setgroups(0) + setresgid + setresuid,
 * PR_SET_NO_NEW_PRIVS 1, PR_SET_DUMPABLE 0. Verifies the result (all three uids/gids, no
 * supplementary groups, exactly the requested effective capabilities, setuid(0) refused).
 * Requires root (or CAP_SETUID/SETGID/SETPCAP/SYS_CHROOT). keep_caps are CAP_* numbers.
 */
int sbx_drop_privileges(const char *user, const char *group, const char *chroot_dir,
                        const int *keep_caps, size_t n_keep, char *err, size_t errlen);

/*
 * The same with ids resolved earlier (sbx_lookup_user() at start-up): for children restarted
 * under the parent's filter, so no NSS module (libnss_systemd...) runs inside a sandbox.
 * uid must not be 0.
 */
int sbx_drop_privileges_ids(uid_t uid, gid_t gid, const char *chroot_dir, const int *keep_caps,
                            size_t n_keep, char *err, size_t errlen);

/* Remove capabilities from the effective and permitted sets for good (e.g. the parent's
 * temporary CAP_NET_ADMIN once hardware timestamping is configured). */
int sbx_drop_caps(const int *caps, size_t n, char *err, size_t errlen);

#define SBX_MAX_DIRS      6
#define SBX_MAX_ACCEPT    2
#define SBX_DIR_MAX_FLAGS 2

/* A directory the parent writes or reads files in after the chroot (through its descriptor). */
struct sbx_dir {
    int dirfd;
    int open_flags[SBX_DIR_MAX_FLAGS]; /* the exact flags of the openat() allowed */
    size_t n_open_flags;
    bool modify; /* renameat, linkat, unlinkat within it */
};

/* Descriptors (opened before the filter) a role's filter lets it use beyond its fixed list. */
struct sbx_params {
    const int *connect_fds; /* SBX_NET: the client sockets connect() may aim at a new server */
    size_t n_connect_fds;
    /* the listening sockets accept() may take from (the control socket, the metrics socket;
     * entries < 0 are ignored): SBX_NET, and SBX_PARENT for the network child it binds */
    int accept_fds[SBX_MAX_ACCEPT];
    size_t n_accept_fds;
    /* SBX_PARENT: the directories (opened before the chroot) it may open files in */
    struct sbx_dir dirs[SBX_MAX_DIRS];
    size_t n_dirs;
};

/* Add a directory rule to p (up to SBX_MAX_DIRS; dirfd < 0 is ignored). open_flags (n of
 * them) are the exact O_* flags of the openat(dirfd, ...) calls allowed, O_CLOEXEC and
 * O_NONBLOCK aside; modify allows renameat, linkat and unlinkat within the directory.
 * Returns -1 when the table is full. */
int sbx_params_add_dir(struct sbx_params *p, int dirfd, const int *open_flags, size_t n,
                       bool modify);

/* Install the role's allow-list (also sets PR_SET_NO_NEW_PRIVS). Irreversible. params NULL:
 * none of the optional descriptors (no connect or accept for SBX_NET, no file for SBX_PARENT). */
int sbx_install_seccomp_with(enum sbx_role role, unsigned flags, const struct sbx_params *params,
                             char *err, size_t errlen);
/* The same with params NULL. */
int sbx_install_seccomp(enum sbx_role role, unsigned flags, char *err, size_t errlen);

/* "parent", "net", "resolver", "ntske" */
const char *sbx_role_name(enum sbx_role role);

#endif
