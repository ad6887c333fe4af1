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
#include "daemon/common/log.h"
#include "daemon/common/loop.h"
#include "daemon/main/notify.h"
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
        log_info("SIGHUP ignored (restart tsyncd to reload the configuration)");
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
            if (d->net_pid > 0)
                kill(d->net_pid, SIGKILL);
            parent_detach_child(&d->parent, now);
            chan_close(&d->child);
            return;
        }
    }
}

static int parent_prepare(void *ctx, struct pollfd *fds, int max, double now, double *timeout_s)
{
    struct daemon *d = ctx;

    if (max < 2)
        return 0;
    fds[0] = (struct pollfd){.fd = chan_poll_fd(&d->child), .events = POLLIN};
    fds[1] = (struct pollfd){.fd = d->links != NULL ? nl_watch_fd(d->links) : -1, .events = POLLIN};
    *timeout_s = fmin(*timeout_s, fmax(0, d->next_tick - now));
    if (d->restart_at > 0)
        *timeout_s = fmin(*timeout_s, d->restart_at - now);
    if (chan_ready(&d->child))
        *timeout_s = 0;
    return 2;
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
    d->next_tick =
        now + fmin(parent_tick(&d->parent, now), parent_nts_tick(&d->nts_keys, &d->parent));
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

/* Privileged preparations shared by both modes. */
static int prepare(struct daemon *d, char *err, size_t errlen)
{
    struct parent_options po = {
        .big_first_step = d->opts->panic_gate,
        .once = d->opts->once,
    };

    d->test_hooks =
        getenv("TSYNCD_TEST_HOOKS") != NULL && strcmp(getenv("TSYNCD_TEST_HOOKS"), "1") == 0;
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
    if (d->cfg->driftfile != NULL && d->sandbox) {
        char *copy = strdup(d->cfg->driftfile);

        d->drift_dirfd = copy ? open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
        free(copy);
    }
    if (parent_nts_init(&d->nts_keys, d->cfg, err, errlen) < 0)
        return -1;
    install_signals();
    return parent_init(&d->parent, d->cfg, &po, d->clk, loop_now(), err, errlen);
}

/* The parent keeps CAP_SYS_TIME (not needed by the `none` driver), goes to the unprivileged
 * user and into the empty chroot with its children. */
static int drop_parent_privileges(struct daemon *d, char *err, size_t errlen)
{
    int keep[2], nkeep_net = d->links != NULL;
    const char *dir = d->cfg->chroot_dir != NULL ? d->cfg->chroot_dir : DAEMON_DEFAULT_CHROOT;
    size_t nkeep = 0;

    if (d->cfg->clock != CFG_CLOCK_NONE)
        keep[nkeep++] = CAP_SYS_TIME;
    if (nkeep_net) /* SIOCSHWTSTAMP again after a link reset, nothing else */
        keep[nkeep++] = CAP_NET_ADMIN;

    if (sbx_drop_privileges(d->user, d->cfg->group, dir, keep, nkeep, err, errlen) < 0)
        return -1;
    if (sbx_install_seccomp(SBX_PARENT, 0, err, errlen) < 0)
        return -1;
    d->parent.drift_dirfd = d->drift_dirfd;
    log_info("parent: user %s, chroot %s, capabilities: %s%s, seccomp allow-list", d->user, dir,
             d->cfg->clock != CFG_CLOCK_NONE ? "cap_sys_time" : "none",
             nkeep_net ? " cap_net_admin" : "");
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
    prctl(PR_SET_NAME, "tsyncd");
    if (daemon_start_net_child(d, loop_now()) < 0)
        return 1;
    loop_run(&role, 1, &d->stop);
    return d->exit_code;
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
    d.fds.control = d.resolver_ctl = d.ntske_ctl = d.ntske_listen = d.nts_keys.dirfd = -1;
    d.drift_dirfd = -1;
    d.backoff_s = DAEMON_RESTART_MIN_S;
    if (daemon_setup_logging(cfg, opts) < 0)
        return 1;
    d.sandbox = !opts->single_process && geteuid() == 0;
    d.user = daemon_pick_user(cfg);
    if (!opts->foreground && !opts->once && daemon(0, 0) < 0) {
        log_err("cannot go to the background: %m");
        return 1;
    }
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
    if (d.net_pid > 0)
        kill(d.net_pid, SIGTERM);
    if (d.dns_pid > 0)
        kill(d.dns_pid, SIGTERM);
    if (d.ntske_pid > 0)
        kill(d.ntske_pid, SIGTERM);
    nl_watch_close(d.links);
    parent_nts_close(&d.nts_keys);
    hwclock_close(&d.hw);
    clk_close(d.clk);
    return rc;
}
