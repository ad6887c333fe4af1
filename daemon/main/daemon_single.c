// SPDX-License-Identifier: ISC
/* --single-process: every role in one process and one loop, no fork, no sandbox (for gdb,
 * valgrind and LD_PRELOAD-based simulators). The roles still talk through socketpairs with
 * the same messages, so what runs here is what runs privilege-separated. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/main/daemon_int.h"
#include "daemon/common/log.h"
#include "daemon/common/loop.h"
#include "daemon/resolver/resolver.h"

struct inline_resolver {
    int fd;
    uint32_t rx_seq, tx_seq;
};

static int resolver_prepare(void *ctx, struct pollfd *fds, int max, double now, double *timeout_s)
{
    struct inline_resolver *r = ctx;

    (void)now;
    (void)timeout_s;
    if (max < 1)
        return 0;
    fds[0] = (struct pollfd){.fd = r->fd, .events = POLLIN};
    return 1;
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

    (void)now;
    if (n < 1 || !(fds[0].revents & POLLIN))
        return;
    len = recv(r->fd, buf, sizeof(buf), MSG_DONTWAIT);
    if (len <= 0)
        return;
    if (msg_validate(buf, (size_t)len, &r->rx_seq, &hdr, &payload, err, sizeof(err)) < 0 ||
        hdr.type != MSG_RESOLVE) {
        log_err("resolver: %s", err);
        return;
    }
    resolver_resolve(payload, &out);
    msg_send(r->fd, MSG_RESOLVED, &r->tx_seq, &out, sizeof(out));
}

int daemon_run_single(struct daemon *d)
{
    static struct net n;
    struct inline_resolver res = {.rx_seq = 1, .tx_seq = 1};
    struct net_fds fds = d->fds;
    int pp[2], rp[2];

    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, pp) < 0 ||
        socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, rp) < 0) {
        log_err("socketpair: %m");
        return 1;
    }
    res.fd = rp[1];
    fds.parent = pp[1];
    fds.resolver = rp[0];
    d->child_end = pp[0];
    parent_attach_child(&d->parent, pp[0], loop_now());
    net_init(&n, d->cfg, &fds, false);
    if (net_start(&n, loop_now()) < 0)
        return 1;
    if (n.server != NULL)
        server_set_plain_io(n.server, true); /* LD_PRELOAD simulators see recvmsg/sendmsg */
    struct loop_role roles[] = {
        daemon_parent_role(d),
        net_role(&n),
        {"resolver", resolver_prepare, resolver_dispatch, &res},
    };
    loop_run(roles, 3, &d->stop);
    net_fini(&n);
    return d->exit_code;
}
