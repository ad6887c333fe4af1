// SPDX-License-Identifier: ISC
/*
 * Sandbox (prefix sbx_): credential and capability dropping, chroot, seccomp allow-lists.
 *
 * Intended use (daemon/parent/parent.c, net.c, resolver.c):
 *
 *   parent   after binding privileged sockets and opening the drift/log/pid files:
 *              int keep[] = {CAP_SYS_TIME, CAP_NET_ADMIN};  // NET_ADMIN only for SIOCSHWTSTAMP
 *              sbx_drop_privileges(user, group, NULL, keep, 2, err, sizeof err);
 *              ... configure hardware timestamping ...
 *              int drop[] = {CAP_NET_ADMIN};
 *              sbx_drop_caps(drop, 1, err, sizeof err);
 *              sbx_install_seccomp(SBX_PARENT, 0, err, sizeof err);
 *            Choice: like chrony, the parent leaves uid 0 for the configured user and keeps
 *            only CAP_SYS_TIME. A uid-0 process without capabilities still owns every root
 *            file (/etc/passwd is writable by its owner), so staying root is not "harmless".
 *            The drift file's directory must be writable by that user (as with ntpd -u).
 *   network  after fork, PR_SET_PDEATHSIG and receiving its sockets:
 *              sbx_drop_privileges_ids(uid, gid, "/run/tsyncd/empty", NULL, 0, ...);
 *              sbx_install_seccomp(SBX_NET, 0, ...);   before reading the first packet
 *            (a child of an already dropped and chrooted parent may pass NULL for user and
 *            chroot_dir to sbx_drop_privileges: only its capabilities are then removed)
 *   resolver sbx_drop_privileges_ids(uid, gid, NULL, NULL, 0, ...);  (no chroot: NSS needs /etc)
 *            sbx_install_seccomp(SBX_RESOLVER, 0, ...);
 *   ntske    (tsyncd-ntske, executed before the parent's filter) after loading its TLS
 *            credentials: sbx_drop_privileges(user, group, chroot, NULL, 0, ...);
 *            sbx_install_seccomp(SBX_NTSKE, 0, ...);
 *   uid, gid from sbx_lookup_user() once at start-up, before any chroot or filter.
 *
 * Logging from a chrooted process: open log files and the syslog socket (openlog with
 * LOG_NDELAY) before the chroot; SBX_NET refuses every open with EACCES (glibc's lazy opens of
 * time zone or locale files then fail cleanly instead of killing the process).
 *
 * Seccomp filters stack: a child forked after the parent installed SBX_PARENT is bound by both
 * filters. SBX_PARENT therefore also allows what a child needs to set itself up (setresuid,
 * chroot, capset, prctl, seccomp, reading /etc/passwd) and what its role allows; the child's own
 * filter is what narrows it.
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

#include <stddef.h>
#include <sys/types.h>

enum sbx_role {
    SBX_PARENT,   /* clock control, drift/log/pid files, fork/wait/kill children */
    SBX_NET,      /* packet I/O on inherited and own UDP sockets, control socket; no files */
    SBX_RESOLVER, /* getaddrinfo: read-only files, DNS over UDP/TCP, netlink */
    SBX_NTSKE,    /* NTS-KE over TLS: TCP sockets (connect, accept), no files, no exec memory */
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

/* Install the role's allow-list (also sets PR_SET_NO_NEW_PRIVS). Irreversible. */
int sbx_install_seccomp(enum sbx_role role, unsigned flags, char *err, size_t errlen);

/* "parent", "net", "resolver", "ntske" */
const char *sbx_role_name(enum sbx_role role);

#endif
