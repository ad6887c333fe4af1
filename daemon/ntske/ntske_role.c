// SPDX-License-Identifier: ISC
/* The NTS-KE role: its channels (parent, network child), the listener, the sessions' polling
 * (ntske.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/common/log.h"
#include "daemon/ntske/ntske_int.h"

#define ROLE_FIXED_FDS 3 /* control, network child, listener */

struct ntske_role *ntske_role_create(const struct cfg *cfg, char *err, size_t errlen)
{
    struct ntske_role *r = calloc(1, sizeof(*r));

    if (r == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    r->creds = ntske_tls_creds_load(cfg, err, errlen);
    if (r->creds == NULL) {
        free(r);
        return NULL;
    }
    r->cfg = cfg;
    r->listener = r->control = -1;
    chan_init_closed(&r->net);
    for (int i = 0; i < NTSKE_MAX_SESSIONS; i++)
        r->sessions[i].fd = -1;
    return r;
}

void ntske_role_destroy(struct ntske_role *r)
{
    if (r == NULL)
        return;
    for (int i = 0; i < NTSKE_MAX_SESSIONS; i++) {
        if (r->sessions[i].phase != NTSKE_FREE)
            ntske_session_end(&r->sessions[i]);
    }
    chan_close(&r->net);
    if (r->listener >= 0)
        close(r->listener);
    if (r->control >= 0)
        close(r->control);
    ntske_tls_creds_free(r->creds);
    free(r);
}

/* Server sessions waiting for the old network child's cookies cannot finish. */
static void drop_cookie_waits(struct ntske_role *r)
{
    for (int i = 0; i < NTSKE_MAX_SESSIONS; i++) {
        if (r->sessions[i].phase == NTSKE_COOKIES)
            ntske_session_end(&r->sessions[i]);
    }
}

void ntske_role_set_net(struct ntske_role *r, const struct chan *net)
{
    chan_close(&r->net);
    drop_cookie_waits(r);
    r->net = *net;
    r->net_rx_seq = r->net_tx_seq = 1;
}

void ntske_role_set_listener(struct ntske_role *r, int fd)
{
    if (r->listener >= 0)
        close(r->listener);
    r->listener = fd;
    if (fd >= 0)
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

void ntske_role_set_control(struct ntske_role *r, int fd, bool *stop)
{
    r->control = fd;
    r->control_seq = 1;
    r->stop = stop;
}

bool ntske_send_net(struct ntske_role *r, uint16_t type, const void *payload, size_t len)
{
    if (!chan_is_open(&r->net))
        return false;
    if (chan_send(&r->net, type, &r->net_tx_seq, payload, len) == 0)
        return true;
    if (errno != EAGAIN && errno != ENOBUFS) {
        log_notice("NTS-KE: the network child is gone");
        chan_close(&r->net);
        drop_cookie_waits(r);
    }
    return false;
}

/* ---- the parent's control messages --------------------------------------------------------- */

static void control_message(struct ntske_role *r, const struct msg_header *hdr, int fd)
{
    struct chan c;

    if (hdr->type == MSG_CHANNEL && fd >= 0) {
        chan_init_socket(&c, fd);
        ntske_role_set_net(r, &c);
    } else if (hdr->type == MSG_NTSKE_LISTEN && fd >= 0) {
        ntske_role_set_listener(r, fd);
    } else {
        log_err("NTS-KE: unexpected message %u from the parent", hdr->type);
        if (fd >= 0)
            close(fd);
        *r->stop = true;
    }
}

static void read_control(struct ntske_role *r)
{
    uint8_t buf[sizeof(struct msg_header) + sizeof(struct msg_channel) + 8];
    struct msg_header hdr;
    const void *payload;
    char err[160];
    int fd;
    ssize_t n;

    while ((n = msg_recv_fd(r->control, buf, sizeof(buf), &fd)) != 0) {
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR)
                return;
            break;
        }
        if (msg_validate(buf, (size_t)n, &r->control_seq, &hdr, &payload, err, sizeof(err)) < 0) {
            log_err("NTS-KE: bad message from the parent: %s", err);
            if (fd >= 0)
                close(fd);
            break;
        }
        control_message(r, &hdr, fd);
    }
    *r->stop = true; /* the parent is gone (or broken): nothing to serve */
}

/* ---- the network child's messages ---------------------------------------------------------- */

static void net_message(struct ntske_role *r, const struct msg_header *hdr, const void *payload,
                        double now)
{
    if (hdr->type == MSG_NTSKE_REQUEST)
        ntske_session_client(r, payload, now);
    else if (hdr->type == MSG_NTSKE_COOKIES)
        ntske_session_cookies(r, payload, now);
    else
        log_err("NTS-KE: unexpected message %u from the network child", hdr->type);
}

static void read_net(struct ntske_role *r, double now)
{
    static uint8_t buf[MSG_MAX_SIZE];
    struct msg_header hdr;
    const void *payload;
    char err[160];
    ssize_t n;

    while (chan_is_open(&r->net) && (n = chan_recv(&r->net, buf, sizeof(buf))) != 0) {
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        if (n < 0 || (size_t)n > sizeof(buf) ||
            msg_validate(buf, (size_t)n, &r->net_rx_seq, &hdr, &payload, err, sizeof(err)) < 0) {
            log_err("NTS-KE: bad message from the network child (%s): channel closed",
                    n < 0 ? strerror(errno) : err);
            break;
        }
        net_message(r, &hdr, payload, now);
    }
    chan_close(&r->net); /* EOF or broken: wait for the next child's channel */
    drop_cookie_waits(r);
}

/* ---- the listener -------------------------------------------------------------------------- */

static void peer_name(const struct sockaddr_storage *ss, char *buf, size_t len)
{
    const void *a = ss->ss_family == AF_INET6
                        ? (const void *)&((const struct sockaddr_in6 *)ss)->sin6_addr
                        : (const void *)&((const struct sockaddr_in *)ss)->sin_addr;

    if (inet_ntop(ss->ss_family, a, buf, (socklen_t)len) == NULL)
        snprintf(buf, len, "?");
}

static void accept_clients(struct ntske_role *r, double now)
{
    for (int i = 0; i < NTSKE_MAX_SESSIONS; i++) {
        struct sockaddr_storage ss;
        socklen_t len = sizeof(ss);
        char peer[64];
        int fd = accept4(r->listener, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);

        if (fd < 0 && errno == EINVAL) /* simulators without accept4 flags */
            fd = accept(r->listener, (struct sockaddr *)&ss, &len);
        if (fd < 0)
            return;
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
        peer_name(&ss, peer, sizeof(peer));
        ntske_session_server(r, fd, peer, now);
    }
}

/* ---- the loop role ------------------------------------------------------------------------- */

static int role_prepare(void *ctx, struct pollfd *fds, int max, double now, double *timeout_s)
{
    struct ntske_role *r = ctx;
    int k = 0;

    if (max < ROLE_FIXED_FDS + NTSKE_MAX_SESSIONS)
        return 0;
    fds[k++] = (struct pollfd){.fd = r->control, .events = POLLIN};
    fds[k++] = (struct pollfd){.fd = chan_poll_fd(&r->net), .events = POLLIN};
    fds[k++] = (struct pollfd){.fd = r->listener, .events = POLLIN};
    if (chan_ready(&r->net))
        *timeout_s = 0;
    for (int i = 0; i < NTSKE_MAX_SESSIONS; i++) {
        const struct ntske_session *s = &r->sessions[i];
        bool active = s->phase != NTSKE_FREE;

        fds[k++] = (struct pollfd){.fd = active && s->events ? s->fd : -1, .events = s->events};
        if (active)
            *timeout_s = fmin(*timeout_s, fmax(0, s->deadline - now));
    }
    return k;
}

static void role_dispatch(void *ctx, const struct pollfd *fds, int n, double now)
{
    struct ntske_role *r = ctx;

    if (n < ROLE_FIXED_FDS + NTSKE_MAX_SESSIONS)
        return;
    if (fds[0].revents && r->control >= 0)
        read_control(r);
    if (fds[1].revents || chan_ready(&r->net))
        read_net(r, now);
    if (fds[2].revents && r->listener >= 0)
        accept_clients(r, now);
    for (int i = 0; i < NTSKE_MAX_SESSIONS; i++) {
        struct ntske_session *s = &r->sessions[i];

        if (s->phase != NTSKE_FREE && (fds[ROLE_FIXED_FDS + i].revents || now >= s->deadline))
            ntske_session_run(r, s, fds[ROLE_FIXED_FDS + i].revents, now);
    }
}

struct loop_role ntske_role_loop(struct ntske_role *r)
{
    return (struct loop_role){"ntske", role_prepare, role_dispatch, r};
}
