// SPDX-License-Identifier: ISC
/* The daemon: privileged set-up, privilege separation, the parent's event loop. */
#include "daemon/main/daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/capability.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/control/control.h"
#include "daemon/main/daemon_int.h"
#include "daemon/main/daemon_hooks.h"
#include "daemon/common/log.h"
#include "daemon/common/loop.h"
#include "daemon/main/notify.h"
#include "discipline/driftfile.h"
#include "hwts/netlink.h"
#include "seccomp/sandbox.h"

#define READ_BUDGET 64 /* child messages handled per loop turn */

/* Signals only set flags, checked after every poll(): poll() returns EINTR when one arrives.
 * No self-pipe: under an LD_PRELOAD simulator a pipe in the poll set is always readable. A
 * signal that arrives between the check and the next poll() waits at most LOOP_MAX_SLEEP_S. */
static volatile sig_atomic_t sig_term, sig_chld, sig_hup;

static void on_signal(int sig)
{
    if (sig == SIGCHLD)
        sig_chld = 1;
    else if (sig == SIGHUP)
        sig_hup = 1;
    else
        sig_term = sig;
}

static void install_signals(void)
{
    static const int sigs[] = {SIGTERM, SIGINT, SIGCHLD, SIGHUP};
    struct sigaction sa = {.sa_handler = on_signal, .sa_flags = SA_RESTART};
    size_t i;

    for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
        sigaction(sigs[i], &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

static void handle_signals(struct daemon *d, double now)
{
    if (sig_term) {
        log_notice("signal %d: exiting", (int)sig_term);
        d->stop = true;
    }
    if (sig_chld) {
        sig_chld = 0;
        daemon_reap(d, now);
    }
    if (sig_hup) {
        sig_hup = 0;
        daemon_reload(d, now);
    }
}

/* Datagrams from the network child, at most READ_BUDGET per loop turn (a flooding child
 * cannot keep the parent from its signals and timers); a malformed one gets the child killed,
 * or ends a --single-process daemon, which has no child to restart. */
static void read_child(struct daemon *d, double now)
{
    static uint8_t buf[MSG_MAX_SIZE];
    int budget = READ_BUDGET;
    ssize_t n;

    while (chan_is_open(&d->child) && budget-- > 0) {
        n = chan_recv(&d->child, buf, sizeof(buf));
        if (n < 0)
            return;
        if (n == 0 || (size_t)n > sizeof(buf) ||
            parent_handle_message(&d->parent, buf, (size_t)n, now) < 0) {
            if (!d->sandbox) {
                log_err("--single-process: a malformed message between the roles; exiting");
                d->stop = true;
                d->exit_code = 1;
                return;
            }
            if (n != 0)
                log_err("killing network child %ld after a malformed message", (long)d->net_pid);
            daemon_signal_child(d->net_pidfd, SIGKILL);
            parent_detach_child(&d->parent, now);
            chan_close(&d->child);
            return;
        }
    }
}

void daemon_log_channel_add(struct daemon *d, int fd, enum log_origin origin)
{
    if (fd >= 0 && d->nlogs < DAEMON_LOG_CHANNELS)
        d->logs[d->nlogs++] = (struct daemon_log_channel){fd, 1, origin};
}

/* A child's log lines (MSG_LOG: "dns: ...", "srv: ..."), at most READ_BUDGET per turn.
 * Anything else is malformed: its lines are ignored from then on (neither the resolver nor a
 * worker can be restarted). */
void daemon_read_log_channel(struct daemon_log_channel *lc)
{
    uint8_t buf[sizeof(struct msg_header) + sizeof(struct msg_log) + 1];
    struct msg_header hdr;
    const void *payload;
    char err[160];

    for (int budget = READ_BUDGET; budget > 0 && lc->rx_seq > 0; budget--) {
        ssize_t n = recv(lc->fd, buf, sizeof(buf), MSG_DONTWAIT);

        if (n < 0)
            return;
        if (n == 0) { /* the child is gone: the reaper says why */
            lc->rx_seq = 0;
            return;
        }
        bool bad = msg_validate(buf, (size_t)n, &lc->rx_seq, &hdr, &payload, err, sizeof(err)) < 0;
        if (bad || hdr.type != MSG_LOG) {
            log_err("a child sent a malformed log message (%s): its lines are ignored",
                    bad ? err : "not a log line");
            lc->rx_seq = 0;
            return;
        }
        const struct msg_log *l = payload;
        log_child_line(lc->origin, l->level, (enum log_class)l->cls, l->text);
    }
}

/* The watchdog: a network child that stopped sending heartbeats (SIGSTOP, wedged) is killed;
 * the reaper restarts it. */
static void watchdog(struct daemon *d, double now)
{
    double silent = parent_child_silence(&d->parent, now);

    if (!d->sandbox || d->net_pid <= 0 || silent < DAEMON_WATCHDOG_S)
        return;
    log_err("network child %ld stopped answering for %.0f s: killed and restarted",
            (long)d->net_pid, silent);
    daemon_signal_child(d->net_pidfd, SIGKILL);
    parent_detach_child(&d->parent, now);
    chan_close(&d->child);
}

static int parent_prepare(void *ctx, struct pollfd *fds, int max, double now, double *timeout_s)
{
    struct daemon *d = ctx;

    if (max < 2 + DAEMON_LOG_CHANNELS)
        return 0;
    fds[0] = (struct pollfd){.fd = chan_poll_fd(&d->child), .events = POLLIN};
    fds[1] = (struct pollfd){.fd = d->links != NULL ? nl_watch_fd(d->links) : -1, .events = POLLIN};
    for (int i = 0; i < d->nlogs; i++)
        fds[2 + i] =
            (struct pollfd){.fd = d->logs[i].rx_seq > 0 ? d->logs[i].fd : -1, .events = POLLIN};
    *timeout_s = fmin(*timeout_s, fmax(0, d->next_tick - now));
    if (d->restart_at > 0)
        *timeout_s = fmin(*timeout_s, d->restart_at - now);
    if (chan_ready(&d->child))
        *timeout_s = 0;
    return 2 + d->nlogs;
}

static void parent_dispatch(void *ctx, const struct pollfd *fds, int n, double now)
{
    struct daemon *d = ctx;

    handle_signals(d, now);
    if (n >= 1 && (fds[0].revents || chan_ready(&d->child)))
        read_child(d, now);
    if (n >= 2 && fds[1].revents && nl_watch_process(d->links) < 0) {
        log_warning("link watch: notifications lost; checking every interface again");
        nl_watch_replay(d->links);
    }
    for (int i = 0; i < d->nlogs && 2 + i < n; i++) {
        if (fds[2 + i].revents)
            daemon_read_log_channel(&d->logs[i]);
    }
    d->next_tick =
        now + fmin(parent_tick(&d->parent, now), parent_nts_tick(&d->nts_keys, &d->parent));
    watchdog(d, now);
    if (d->restart_at > 0 && now >= d->restart_at && !d->stop)
        daemon_start_net_child(d, now);
    parent_flush(&d->parent, now);
    if (d->parent.done) {
        d->stop = true;
        d->exit_code = d->parent.exit_code;
    }
}

static void on_link_event(const struct nl_watch_event *ev, void *arg)
{
    struct daemon *d = arg;

    if (ev->kind == NL_WATCH_LINK_UP)
        hwclock_link_up(&d->hw, ev->if_name);
}

/* Hardware timestamping is a device setting that a link reset may clear: watch the links. */
static void watch_links(struct daemon *d)
{
    int err = 0;

    d->links = nl_watch_open(on_link_event, d, &err);
    if (d->links == NULL)
        log_warning("cannot watch network links (%s): hardware timestamping is not enabled "
                    "again after a link reset",
                    strerror(-err));
}

/* -g once per boot (sandboxed daemons: the service a manager restarts), recorded in the
 * runtime directory: systemd's $RUNTIME_DIRECTORY (RuntimeDirectory=tsyncd; the tests give each
 * daemon its own), else /run/tsyncd. --single-process (debugging, simulators) takes -g as
 * given. */
static bool grant_big_first_step(void)
{
    const char *env = getenv("RUNTIME_DIRECTORY");
    char rundir[256];

    snprintf(rundir, sizeof(rundir), "%s", env != NULL && *env == '/' ? env : DAEMON_RUNDIR);
    rundir[strcspn(rundir, ":")] = '\0'; /* the first of several directories */
    return daemon_grant_big_first_step(rundir, DAEMON_BOOT_ID_PATH);
}

/* Privileged preparations shared by both modes. */
static int prepare(struct daemon *d, char *err, size_t errlen)
{
    struct parent_options po = {
        .big_first_step = d->opts->panic_gate && (!d->sandbox || grant_big_first_step()),
        .once = d->opts->once,
    };

    if (notify_open() < 0)
        log_warning("NOTIFY_SOCKET unusable: %m");
    d->clk = daemon_open_clock(d->cfg, err, errlen);
    if (d->clk == NULL)
        return -1;
    if (daemon_bind_servers(d->cfg, &d->fds, err, errlen) < 0 ||
        daemon_bind_ntske(d, err, errlen) < 0)
        return -1;
    if (d->sandbox && server_workers_bind(&d->fds, err, errlen) < 0)
        return -1;
    hwclock_setup(d->cfg, &d->hw);
    d->fds.hw = &d->hw;
    if (d->hw.n > 0 && d->sandbox)
        watch_links(d);
    if (!d->opts->once && strcmp(d->cfg->controlsocket, CFG_CONTROLSOCKET_NONE) != 0) {
        d->fds.control = control_listen(d->cfg->controlsocket, err, errlen);
        if (d->fds.control < 0)
            return -1;
    }
    if (!d->opts->once && daemon_open_metrics(d->cfg, &d->fds, err, errlen) < 0)
        return -1;
    if (d->cfg->driftfile != NULL && d->sandbox) {
        char *copy = strdup(d->cfg->driftfile);

        d->drift_dirfd = copy ? open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
        if (d->drift_dirfd < 0)
            log_warning("drift file directory of %s: %m: the drift file is not written",
                        d->cfg->driftfile);
        free(copy);
    }
    if (parent_nts_init(&d->nts_keys, d->cfg, err, errlen) < 0)
        return -1;
    install_signals();
    if (parent_init(&d->parent, d->cfg, &po, d->clk, loop_now(), err, errlen) < 0)
        return -1;
    parent_observe_open(&d->parent); /* before the chroot: /var/run/clockbound, /dev/vmclock0 */
    return 0;
}

/* The directories of the parent's files after the chroot, each with the exact open flags
 * of its files: the drift file's temporary file (renamed over it), the statistics files
 * (appended, linked), the log file (reopened on SIGHUP), the configuration and the leapfile
 * (read again on SIGHUP), the NTS cookie keys' temporary file (renamed over the key file at
 * each rotation; the key file itself is read only before the chroot). */
static int allow_file_dirs(struct daemon *d, struct sbx_params *params)
{
    static const int drift[] = {DRIFT_TEMP_OPEN_FLAGS};
    static const int stats[] = {O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW};
    static const int log[] = {LOG_REOPEN_FLAGS};
    static const int read_only[] = {O_RDONLY | O_NOFOLLOW};
    static const int nts_keys[] = {NTS_KEYS_TEMP_OPEN_FLAGS};

    if (sbx_params_add_dir(params, d->drift_dirfd, drift, 1, true) < 0 ||
        sbx_params_add_dir(params, parent_stats_dirfd(&d->parent), stats, 1, true) < 0 ||
        sbx_params_add_dir(params, log_dir_fd(), log, 1, false) < 0 ||
        sbx_params_add_dir(params, d->config_file.dirfd, read_only, 1, false) < 0 ||
        sbx_params_add_dir(params, parent_leap_dirfd(&d->parent), read_only, 1, false) < 0 ||
        sbx_params_add_dir(params, d->nts_keys.dirfd, nts_keys, 1, true) < 0)
        return -1;
    return 0;
}

/* The parent keeps CAP_SYS_TIME (the `system` driver only), goes to the unprivileged user and
 * into the empty chroot with its children. Its filter lets it open only its own files in the
 * directories opened before (allow_file_dirs). Sanitizer builds skip the chroot:
 * LeakSanitizer lists /proc/PID/task at exit (and nothing else changes). */
static int drop_parent_privileges(struct daemon *d, char *err, size_t errlen)
{
    int keep[2];
    size_t nkeep = daemon_parent_caps(d->cfg, d->links != NULL, keep);
    const char *dir = d->cfg->chroot_dir != NULL ? d->cfg->chroot_dir : DAEMON_DEFAULT_CHROOT;
    struct sbx_params params = {.accept_fds = {d->fds.control, d->fds.metrics}, .n_accept_fds = 2};

#ifdef TSYNC_SANITIZERS
    dir = NULL;
#endif
    if (sbx_drop_privileges(d->user, d->cfg->group, dir, keep, nkeep, err, errlen) < 0)
        return -1;
    if (allow_file_dirs(d, &params) < 0) {
        snprintf(err, errlen, "parent sandbox: too many file directories");
        return -1;
    }
    if (sbx_install_seccomp_with(SBX_PARENT, 0, &params, err, errlen) < 0)
        return -1;
    d->parent.drift_dirfd = d->drift_dirfd;
    log_info("parent: user %s, chroot %s, capabilities: %s%s, seccomp allow-list", d->user,
             dir != NULL ? dir : "none (sanitizer build)",
             nkeep > 0 && keep[0] == CAP_SYS_TIME ? "cap_sys_time"
             : nkeep > 0                          ? ""
                                                  : "none",
             d->links != NULL ? " cap_net_admin" : "");
    return 0;
}

static void close_parent_fds(void *d)
{
    daemon_close_parent_fds(d);
}

struct loop_role daemon_parent_role(struct daemon *d)
{
    return (struct loop_role){"parent", parent_prepare, parent_dispatch, d};
}

static int run_sandboxed(struct daemon *d)
{
    struct loop_role role = daemon_parent_role(d);
    char err[256];

    if (daemon_handover_ntske_listener(d, err, sizeof(err)) < 0 ||
        server_workers_start(d->cfg, &d->fds, d->user,
                             d->cfg->chroot_dir ? d->cfg->chroot_dir : DAEMON_DEFAULT_CHROOT,
                             close_parent_fds, d, err, sizeof(err)) < 0 ||
        drop_parent_privileges(d, err, sizeof(err)) < 0) {
        log_err("%s", err);
        return 1;
    }
    for (int w = 0; w < server_workers_wanted(); w++)
        daemon_log_channel_add(d, server_workers_log_fd(w), LOG_ORIGIN_SRV);
    prctl(PR_SET_NAME, "tsyncd");
    daemon_hooks_arm(d->drift_dirfd);
    daemon_hooks_log_table();
    if (daemon_start_net_child(d, loop_now()) < 0)
        return 1;
    loop_run(&role, 1, &d->stop);
    return d->exit_code;
}

/* Test hook (TSYNCD_TEST_LEAK): blocks nothing points to, for LeakSanitizer to report at exit
 * (tests/integration/sanitizer_lsan.sh: it runs in the sandboxed parent). */
static void test_leak(void)
{
    for (int i = 0; i < 16; i++) {
        char *p = malloc(4242);

        if (p != NULL)
            memset(p, i, 4242);
    }
    log_notice("test hook: 16 blocks of 4242 octets leaked");
}

int daemon_run(struct cfg *cfg, const struct cmd_opts *opts)
{
    static struct daemon d; /* large (snapshots): off the stack */
    char err[256];
    int rc;

    d.cfg = cfg;
    d.opts = opts;
    chan_init_closed(&d.fds.parent);
    chan_init_closed(&d.fds.resolver);
    chan_init_closed(&d.fds.ntske);
    chan_init_closed(&d.child);
    d.fds.control = d.fds.metrics = d.resolver_ctl = d.ntske_ctl = d.ntske_listen = -1;
    d.drift_dirfd = d.net_pidfd = d.dns_pidfd = d.ntske_pidfd = d.devnull_fd = -1;
    d.nts_keys.dirfd = -1;
    dirfile_init(&d.config_file);
    d.backoff_s = DAEMON_RESTART_MIN_S;
    if (daemon_setup_logging(cfg, opts) < 0)
        return 1;
    /* before daemon() changes the directory: a relative -c is resolved against the caller's */
    if (daemon_reload_prepare(&d, err, sizeof(err)) < 0)
        log_warning("SIGHUP will not read the configuration again: %s", err);
    d.sandbox = !opts->single_process && geteuid() == 0;
    d.test_hooks = daemon_hooks_enabled();
    d.user = daemon_pick_user(cfg);
    if (d.sandbox && daemon_check_user(cfg, d.user, err, sizeof(err)) < 0) {
        log_err("%s", err);
        return 1;
    }
    if (d.sandbox && cfg->logfile == NULL && opts->foreground) /* the log is stderr */
        d.devnull_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (!opts->foreground && !opts->once && daemon(0, 0) < 0) {
        log_err("cannot go to the background: %m");
        return 1;
    }
    daemon_set_priority(opts->priority);
    if (cfg->pidfile != NULL && daemon_write_pidfile(cfg->pidfile) < 0)
        log_warning("cannot write pid file %s: %m", cfg->pidfile);
    log_event(NULL, 0xc016, LOG_EV_RESTART, NULL);
    /* The resolver and the NTS-KE process first: forked before anything privileged is
     * opened, they inherit nothing. */
    if ((d.sandbox && (daemon_start_resolver(&d, err, sizeof(err)) < 0 ||
                       daemon_start_ntske(&d, err, sizeof(err)) < 0)) ||
        prepare(&d, err, sizeof(err)) < 0) {
        log_err("%s", err);
        return 1;
    }
    if (!d.sandbox)
        log_warning(opts->single_process ? "--single-process: no privilege separation"
                                         : "not started as root: no privilege separation");
    rc = d.sandbox ? run_sandboxed(&d) : daemon_run_single(&d);
    parent_fini(&d.parent, loop_now());
    daemon_signal_child(d.net_pidfd, SIGTERM);
    daemon_signal_child(d.dns_pidfd, SIGTERM);
    daemon_signal_child(d.ntske_pidfd, SIGTERM);
    if (d.test_hooks && getenv("TSYNCD_TEST_LEAK") != NULL)
        test_leak();
    nl_watch_close(d.links);
    parent_nts_close(&d.nts_keys);
    hwclock_close(&d.hw);
    clk_close(d.clk);
    return rc;
}
