// SPDX-License-Identifier: ISC
/* --single-process: every role in one process and one loop, no fork, no sandbox (for gdb,
 * valgrind and LD_PRELOAD-based simulators such as clknetsim). The roles talk through
 * in-process channels (daemon/common/chan.h) with the same messages and the same validation
 * as the privilege-separated daemon, so what runs here is what runs there; the only
 * descriptors in the poll set are the network's. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "daemon/main/daemon_int.h"
#include "daemon/common/log.h"
#include "daemon/common/loop.h"
#include "daemon/resolver/resolver.h"
#ifdef TSYNC_NTSKE_PROGRAM
#include "daemon/ntske/ntske.h"
#endif

struct inline_resolver {
    struct chan ch;
    uint32_t rx_seq, tx_seq;
};

static int resolver_prepare(void *ctx, struct pollfd *fds, int max, double now, double *timeout_s)
{
    struct inline_resolver *r = ctx;

    (void)fds;
    (void)max;
    (void)now;
    if (chan_ready(&r->ch))
        *timeout_s = 0;
    return 0;
}

/* One request at a time, blocking in getaddrinfo(): acceptable for a debugging mode. */
static void resolver_dispatch(void *ctx, const struct pollfd *fds, int n, double now)
{
    static uint8_t buf[MSG_MAX_SIZE];
    struct inline_resolver *r = ctx;
    struct msg_header hdr;
    struct msg_resolved out;
    const void *payload;
    char err[160] = "not a RESOLVE message";
    ssize_t len;

    (void)fds;
    (void)n;
    (void)now;
    while ((len = chan_recv(&r->ch, buf, sizeof(buf))) > 0) {
        if ((size_t)len > sizeof(buf) ||
            msg_validate(buf, (size_t)len, &r->rx_seq, &hdr, &payload, err, sizeof(err)) < 0 ||
            hdr.type != MSG_RESOLVE) {
            log_err("resolver: %s", err);
            return;
        }
        resolver_resolve(payload, &out);
        chan_send(&r->ch, MSG_RESOLVED, &r->tx_seq, &out, sizeof(out));
    }
}

#ifdef TSYNC_NTSKE_PROGRAM
/* The NTS-KE role inline (tsyncd-ntske --single-process): its channel to the network role, the
 * listening socket prepare() bound. NULL without NTS; *failed when it cannot start. */
static struct ntske_role *inline_ntske(struct daemon *d, struct net_fds *fds, bool *failed)
{
    struct ntske_role *r;
    struct chan end;
    char err[256];

    *failed = false;
    if (!cfg_nts_client(d->cfg) && !cfg_nts_server(d->cfg))
        return NULL;
    r = ntske_role_create(d->cfg, err, sizeof(err));
    if (r == NULL || chan_pair_inprocess(&end, &fds->ntske) < 0) {
        log_err("NTS-KE: %s", r == NULL ? err : "cannot allocate the in-process channel");
        ntske_role_destroy(r);
        *failed = true;
        return NULL;
    }
    ntske_role_set_net(r, &end);
    ntske_role_set_listener(r, d->ntske_listen);
    d->ntske_listen = -1;
    return r;
}
#else
/* tsyncd does not link the TLS library: NTS in one process is tsyncd-ntske's. */
static bool nts_refused(const struct daemon *d)
{
    if (!cfg_nts_client(d->cfg) && !cfg_nts_server(d->cfg))
        return false;
    log_err("NTS without privilege separation (--single-process, or not root) runs in "
            "tsyncd-ntske --single-process: tsyncd itself does not link the TLS library");
    return true;
}
#endif

int daemon_run_single(struct daemon *d)
{
    static struct net n;
    struct inline_resolver res = {.rx_seq = 1, .tx_seq = 1};
    struct net_fds fds = d->fds;
    int nroles = 3;
#ifdef TSYNC_NTSKE_PROGRAM
    bool failed;
    struct ntske_role *ke = inline_ntske(d, &fds, &failed);

    if (failed)
        return 1;
#else
    if (nts_refused(d))
        return 1;
#endif
    if (chan_pair_inprocess(&d->child, &fds.parent) < 0 ||
        chan_pair_inprocess(&res.ch, &fds.resolver) < 0) {
        log_err("cannot allocate the in-process channels: %m");
        return 1;
    }
    parent_attach_child(&d->parent, &d->child, loop_now());
    net_init(&n, d->cfg, &fds, false);
    net_open_sockets(&n);
    if (net_start(&n, loop_now()) < 0)
        return 1;
    if (n.server != NULL)
        server_set_plain_io(n.server, true); /* LD_PRELOAD simulators see recvmsg/sendmsg */
    struct loop_role roles[4] = {
        daemon_parent_role(d),
        net_role(&n),
        {"resolver", resolver_prepare, resolver_dispatch, &res},
    };
#ifdef TSYNC_NTSKE_PROGRAM
    if (ke != NULL)
        roles[nroles++] = ntske_role_loop(ke);
#endif
    loop_run(roles, nroles, &d->stop);
    net_fini(&n);
#ifdef TSYNC_NTSKE_PROGRAM
    ntske_role_destroy(ke);
#endif
    parent_detach_child(&d->parent, loop_now());
    chan_close(&d->child);
    chan_close(&res.ch);
    return d->exit_code;
}
