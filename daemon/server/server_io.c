// SPDX-License-Identifier: ISC
/* The NTP server's socket I/O: batched receive and send, reply source address, TX stamps. */
#include <errno.h>
#include <linux/net_tstamp.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon/server/server_int.h"
#include "hwts/sock.h"
#include "hwts/timestamping.h"

/* TX stamps are requested per reply (a SO_TIMESTAMPING control message), not for every datagram
 * as ts_enable() set up: one pending stamp per client is all a later interleaved mode needs, and
 * a stamp costs the kernel a clone and an error-queue read. The kernel then numbers (OPT_ID)
 * only the stamped datagrams. Turning OPT_ID off and on restarts that numbering at 0 (a
 * restarted network child inherits sockets whose counter already ran). */
static bool stamp_per_reply(int fd)
{
    int flags = 0;
    socklen_t len = sizeof(flags);

    if (getsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, &flags, &len) < 0 ||
        !(flags & SOF_TIMESTAMPING_TX_SOFTWARE) || !(flags & SOF_TIMESTAMPING_OPT_ID))
        return false;
    int on = flags & ~SOF_TIMESTAMPING_TX_SOFTWARE, off = on & ~SOF_TIMESTAMPING_OPT_ID;
    return setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, &off, sizeof(off)) == 0 &&
           setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, &on, sizeof(on)) == 0;
}

static int socket_family(int fd)
{
    int family = AF_INET;
    socklen_t len = sizeof(family);

    getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &family, &len);
    return family;
}

/* The destination address of each request (IP_PKTINFO): replies leave from it. */
static void enable_pktinfo(int fd, int family)
{
    int one = 1;

    if (family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one));
    else
        setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
}

static void socket_register(struct server_socket *sock, int fd)
{
    memset(sock, 0, sizeof(*sock));
    sock->fd = fd;
    sock->family = socket_family(fd);
    enable_pktinfo(fd, sock->family); /* done by server_socket_setup() already in the daemon */
    sock->tx_stamps = stamp_per_reply(fd);
    for (int i = 0; i < SERVER_TX_RING; i++)
        sock->ring[i].client = SERVER_NO_CLIENT;
}

void server_socket_setup(int fd)
{
    int size = SERVER_RCVBUF_BYTES;

    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
    enable_pktinfo(fd, socket_family(fd));
}

int server_socket_clone(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    int one = 1, nfd;

    if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
        return -1;
    nfd = sk_udp_open(ss.ss_family);
    if (nfd < 0)
        return -1;
    if ((ss.ss_family == AF_INET6 &&
         setsockopt(nfd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0) ||
        setsockopt(nfd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0 ||
        bind(nfd, (struct sockaddr *)&ss, len) < 0) {
        int e = errno;
        close(nfd);
        errno = e;
        return -1;
    }
    ts_enable(nfd, 0, NULL);
    server_socket_setup(nfd);
    return nfd;
}

struct server_socket *server_socket_get(struct server *s, int fd)
{
    struct server_socket *free_slot = NULL;

    for (int i = 0; i < SERVER_MAX_SOCKETS; i++) {
        if (s->sockets[i].fd == fd)
            return &s->sockets[i];
        if (s->sockets[i].fd < 0 && free_slot == NULL)
            free_slot = &s->sockets[i];
    }
    if (free_slot != NULL)
        socket_register(free_slot, fd);
    return free_slot;
}

/* ---- TX stamps ---------------------------------------------------------------------------- */

/* Our number of the datagram a TX stamp names. The kernel numbers from where OPT_ID was
 * enabled (Linux from 0, clknetsim from 1): the offset is learnt from the first stamp, the one
 * whose number (less 0 or 1) names a reply still waiting for its stamp. */
static bool tx_number(struct server_socket *sock, uint32_t kernel_id, uint32_t *id)
{
    for (uint32_t d = 0; !sock->tx_id_known && d <= 1; d++) {
        uint32_t n = kernel_id - d;
        if (sock->ring[n % SERVER_TX_RING].id == n &&
            sock->ring[n % SERVER_TX_RING].client != SERVER_NO_CLIENT) {
            sock->tx_id_offset = d;
            sock->tx_id_known = true;
        }
    }
    *id = kernel_id - sock->tx_id_offset;
    return sock->tx_id_known;
}

static void record_tx(struct server *s, struct server_socket *sock, const struct ts_tx *kernel,
                      const struct clk_map *map)
{
    struct ts_tx own = *kernel, *tx = &own;
    struct rl_client *c;
    uint32_t slot;

    if (tx->source != TS_SRC_KERNEL || !tx_number(sock, kernel->id, &own.id))
        return;
    slot = tx->id % SERVER_TX_RING;
    if (sock->ring[slot].id != tx->id || sock->ring[slot].client == SERVER_NO_CLIENT)
        return;
    c = &s->clients.entries[sock->ring[slot].client];
    sock->ring[slot].client = SERVER_NO_CLIENT;
    if (!c->tx_pending || c->tx_id != tx->id || c->tx_socket != (uint16_t)(sock - s->sockets))
        return; /* the client sent again, or its entry was reused */
    struct timespec t = clk_map_apply(map, tx->ts);
    c->tx_ntp = ntp_ts64_from_timespec(&t);
    c->tx_pending = 0;
    s->stats.tx_stamps++;
}

static int read_errqueue_batch(struct server *s, int fd)
{
    for (int i = 0; i < SERVER_BATCH; i++) {
        struct msghdr *mh = &s->err_msgs[i].msg_hdr;

        memset(mh, 0, sizeof(*mh));
        mh->msg_control = s->err_control[i];
        mh->msg_controllen = SERVER_ERR_CONTROL;
    }
    return recvmmsg(fd, s->err_msgs, SERVER_BATCH, MSG_ERRQUEUE | MSG_DONTWAIT, NULL);
}

void server_drain_tx(struct server *s, struct server_socket *sock, const struct clk_map *map)
{
    struct ts_tx tx;
    int n;

    if (s->plain_io) { /* one message per readiness report: see ts_read_tx_once() */
        if (ts_read_tx_once(sock->fd, &tx) == 1)
            record_tx(s, sock, &tx, map);
        return;
    }
    /* without TX stamping the queue holds only ICMP errors: drained the same way */
    while ((n = read_errqueue_batch(s, sock->fd)) > 0) {
        for (int i = 0; i < n; i++) {
            if (ts_parse_tx(&s->err_msgs[i].msg_hdr, &tx) == 0)
                record_tx(s, sock, &tx, map);
        }
        if (n < SERVER_BATCH)
            break;
    }
}

/* ---- receive ------------------------------------------------------------------------------ */

static void rx_prepare(struct server *s, int i)
{
    struct server_slot *slot = &s->slots[i];
    struct msghdr *mh = &s->rx_msgs[i].msg_hdr;

    s->rx_iov[i] = (struct iovec){slot->req, sizeof(slot->req)};
    *mh = (struct msghdr){
        .msg_name = &slot->from,
        .msg_namelen = sizeof(slot->from),
        .msg_iov = &s->rx_iov[i],
        .msg_iovlen = 1,
        .msg_control = slot->control,
        .msg_controllen = sizeof(slot->control),
    };
}

static int receive_plain(struct server *s, int fd)
{
    int n = 0;

    for (; n < SERVER_BATCH; n++) {
        ssize_t len;

        rx_prepare(s, n);
        len = recvmsg(fd, &s->rx_msgs[n].msg_hdr, MSG_DONTWAIT);
        if (len < 0)
            break;
        s->rx_msgs[n].msg_len = (unsigned)len;
    }
    return n;
}

static int receive_batch(struct server *s, int fd)
{
    int n;

    for (int i = 0; i < SERVER_BATCH; i++)
        rx_prepare(s, i);
    n = recvmmsg(fd, s->rx_msgs, SERVER_BATCH, MSG_DONTWAIT, NULL);
    return n > 0 ? n : 0;
}

int server_receive(struct server *s, struct server_socket *sock, const struct clk_map *map)
{
    struct timespec user_now;
    struct ts_rx rx;
    int n = s->plain_io ? receive_plain(s, sock->fd) : receive_batch(s, sock->fd);

    if (n == 0)
        return 0;
    clock_gettime(CLOCK_REALTIME, &user_now);
    for (int i = 0; i < n; i++) {
        ts_parse_rx(&s->rx_msgs[i].msg_hdr, &user_now, &rx);
        struct timespec t = clk_map_apply(map, rx.ts);
        s->slots[i].rx_ntp = ntp_ts64_from_timespec(&t);
    }
    return n;
}

/* ---- send --------------------------------------------------------------------------------- */

/* The reply leaves from the address the request was sent to (IP_PKTINFO / IPV6_PKTINFO), so a
 * multi-homed server answers from the right address. Returns the control length, 0 if none. */
static size_t reply_source(const struct msghdr *req, uint8_t *buf, size_t buflen)
{
    struct cmsghdr *cm;

    for (cm = CMSG_FIRSTHDR(req); cm != NULL; cm = CMSG_NXTHDR((struct msghdr *)req, cm)) {
        struct cmsghdr *out = (struct cmsghdr *)buf;

        if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO &&
            buflen >= CMSG_SPACE(sizeof(struct in_pktinfo))) {
            struct in_pktinfo in, pi = {0};

            memcpy(&in, CMSG_DATA(cm), sizeof(in));
            pi.ipi_spec_dst = in.ipi_spec_dst;
            out->cmsg_level = IPPROTO_IP;
            out->cmsg_type = IP_PKTINFO;
            out->cmsg_len = CMSG_LEN(sizeof(pi));
            memcpy(CMSG_DATA(out), &pi, sizeof(pi));
            return CMSG_SPACE(sizeof(pi));
        }
        if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_PKTINFO &&
            buflen >= CMSG_SPACE(sizeof(struct in6_pktinfo))) {
            struct in6_pktinfo pi;

            memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
            if (!IN6_IS_ADDR_LINKLOCAL(&pi.ipi6_addr))
                pi.ipi6_ifindex = 0;
            if (IN6_IS_ADDR_MULTICAST(&pi.ipi6_addr))
                return 0;
            out->cmsg_level = IPPROTO_IPV6;
            out->cmsg_type = IPV6_PKTINFO;
            out->cmsg_len = CMSG_LEN(sizeof(pi));
            memcpy(CMSG_DATA(out), &pi, sizeof(pi));
            return CMSG_SPACE(sizeof(pi));
        }
    }
    return 0;
}

bool server_send_one(struct server *s, struct server_socket *sock, int i, const void *buf,
                     size_t len)
{
    struct server_slot *slot = &s->slots[i];
    struct iovec iov = {(void *)buf, len};
    struct msghdr mh = {
        .msg_name = &slot->from,
        .msg_namelen = s->rx_msgs[i].msg_hdr.msg_namelen,
        .msg_iov = &iov,
        .msg_iovlen = 1,
        .msg_control = slot->reply_control,
    };

    mh.msg_controllen =
        reply_source(&s->rx_msgs[i].msg_hdr, slot->reply_control, sizeof(slot->reply_control));
    if (mh.msg_controllen == 0)
        mh.msg_control = NULL;
    if (sendmsg(sock->fd, &mh, 0) >= 0)
        return true;
    s->stats.send_errors++;
    return false;
}

/* Should reply k carry a TX stamp request? Yes for a time reply to a client with no stamp
 * pending on this socket, or whose pending stamp (lost?) is for a request over 1 s old. */
static bool want_stamp(struct server *s, const struct server_socket *sock, int k)
{
    const struct server_slot *slot = &s->slots[s->tx_slot[k]];
    const struct rl_client *c;

    if (!sock->tx_stamps || s->tx_kind[k] != SERVER_TIME || slot->client == SERVER_NO_CLIENT)
        return false;
    c = &s->clients.entries[slot->client];
    return !c->tx_pending || c->tx_socket != (uint16_t)(sock - s->sockets) ||
           ntp_ts64_diff(slot->rx_ntp, c->rx_ntp) > 1.0;
}

/* Append the per-reply TX stamp request; mark the client's stamp pending. */
static size_t add_stamp_request(struct server *s, const struct server_socket *sock,
                                struct server_slot *slot, size_t clen)
{
    struct cmsghdr *cm = (struct cmsghdr *)(slot->reply_control + clen);
    struct rl_client *c = &s->clients.entries[slot->client];
    int flags = SOF_TIMESTAMPING_TX_SOFTWARE;

    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SO_TIMESTAMPING;
    cm->cmsg_len = CMSG_LEN(sizeof(flags));
    memcpy(CMSG_DATA(cm), &flags, sizeof(flags));
    c->tx_pending = 1;
    c->tx_socket = (uint16_t)(sock - s->sockets);
    c->rx_ntp = slot->rx_ntp;
    c->tx_ntp = 0;
    return clen + CMSG_SPACE(sizeof(flags));
}

/* Build the message of queued reply k (its slot's reply, source address, stamp request). */
static void tx_prepare(struct server *s, const struct server_socket *sock, int k)
{
    uint32_t i = s->tx_slot[k];
    struct server_slot *slot = &s->slots[i];
    struct msghdr *mh = &s->tx_msgs[k].msg_hdr;
    size_t clen = reply_source(&s->rx_msgs[i].msg_hdr, slot->reply_control,
                               sizeof(slot->reply_control) - SERVER_STAMP_CMSG);

    s->tx_stamped[k] = want_stamp(s, sock, k);
    if (s->tx_stamped[k])
        clen = add_stamp_request(s, sock, slot, clen);

    s->tx_iov[k] = (struct iovec){slot->reply, slot->reply_len};
    *mh = (struct msghdr){
        .msg_name = &slot->from,
        .msg_namelen = s->rx_msgs[i].msg_hdr.msg_namelen,
        .msg_iov = &s->tx_iov[k],
        .msg_iovlen = 1,
        .msg_control = clen > 0 ? slot->reply_control : NULL,
        .msg_controllen = clen,
    };
}

/* Reply k was accepted by the kernel (sent) or refused: a stamped reply took the next OPT_ID. */
static void note_sent(struct server *s, struct server_socket *sock, int k, bool sent)
{
    const struct server_slot *slot = &s->slots[s->tx_slot[k]];

    if (!s->tx_stamped[k])
        return;
    struct rl_client *c = &s->clients.entries[slot->client];
    if (!sent) {
        c->tx_pending = 0;
        return;
    }
    uint32_t id = sock->tx_next_id++;
    c->tx_id = id;
    sock->ring[id % SERVER_TX_RING].id = id;
    sock->ring[id % SERVER_TX_RING].client = slot->client;
}

/* The transmit timestamp, read as late as possible: right before the kernel gets the batch;
 * a reply to a signed request is signed after it (its length was set by server_answer()). */
static void stamp_transmit(struct server *s, int from, int n, const struct clk_map *map)
{
    struct timespec now = clk_map_now(map);
    uint64_t ts = ntp_ts64_from_timespec(&now);
    uint8_t wire[8];

    for (int b = 0; b < 8; b++)
        wire[b] = (uint8_t)(ts >> (56 - 8 * b));
    for (int k = from; k < n; k++) {
        struct server_slot *slot = &s->slots[s->tx_slot[k]];

        if (s->tx_kind[k] != SERVER_TIME)
            continue;
        if (!slot->interleaved) /* an interleaved reply has its transmit time already */
            memcpy(slot->reply + 40, wire, sizeof(wire));
        auth_sign(slot->key, slot->reply, NTP_HEADER_LEN, sizeof(slot->reply));
    }
}

static void send_plain(struct server *s, struct server_socket *sock, int n,
                       const struct clk_map *map)
{
    for (int k = 0; k < n; k++) {
        stamp_transmit(s, k, k + 1, map);
        bool sent = sendmsg(sock->fd, &s->tx_msgs[k].msg_hdr, 0) >= 0;

        if (!sent)
            s->stats.send_errors++;
        note_sent(s, sock, k, sent);
    }
}

static void send_batch(struct server *s, struct server_socket *sock, int n,
                       const struct clk_map *map)
{
    int k = 0;

    while (k < n) {
        int sent;

        stamp_transmit(s, k, n, map);
        sent = sendmmsg(sock->fd, &s->tx_msgs[k], (unsigned)(n - k), 0);
        if (sent < 0 && errno == EINTR)
            continue;
        if (sent <= 0) { /* message k failed: skip it, try the rest */
            s->stats.send_errors++;
            note_sent(s, sock, k, false);
            k++;
            continue;
        }
        for (int j = 0; j < sent; j++)
            note_sent(s, sock, k + j, true);
        k += sent;
    }
}

void server_send(struct server *s, struct server_socket *sock, int n, const struct clk_map *map)
{
    for (int k = 0; k < n; k++)
        tx_prepare(s, sock, k);
    if (s->plain_io)
        send_plain(s, sock, n, map);
    else
        send_batch(s, sock, n, map);
}
