// SPDX-License-Identifier: ISC
/* The resolver process (blocking getaddrinfo() loop) and the network child's client. */
#include "daemon/resolver/resolver.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/common/log.h"

#define RESOLVE_MSG_SIZE  (sizeof(struct msg_header) + sizeof(struct msg_resolve))
#define RESOLVED_MSG_SIZE (sizeof(struct msg_header) + sizeof(struct msg_resolved))

/* --- Resolver process ---------------------------------------------------------------------- */

static int hints_family(uint32_t family)
{
    return family == 4 ? AF_INET : family == 6 ? AF_INET6 : AF_UNSPEC;
}

/* Append ai's address to out unless it is there already or of another family. */
static void add_address(struct msg_resolved *out, const struct addrinfo *ai, int want_family)
{
    struct msg_addr a = {0};
    uint32_t i;

    if (ai->ai_family == AF_INET && ai->ai_addrlen >= sizeof(struct sockaddr_in))
        memcpy(a.addr, &((const struct sockaddr_in *)ai->ai_addr)->sin_addr, 4);
    else if (ai->ai_family == AF_INET6 && ai->ai_addrlen >= sizeof(struct sockaddr_in6))
        memcpy(a.addr, &((const struct sockaddr_in6 *)ai->ai_addr)->sin6_addr, 16);
    else
        return;
    if (want_family != AF_UNSPEC && ai->ai_family != want_family)
        return;
    a.family = (uint32_t)ai->ai_family;
    for (i = 0; i < out->count; i++) {
        if (memcmp(&out->addrs[i], &a, sizeof(a)) == 0)
            return;
    }
    if (out->count < MSG_MAX_ADDRS)
        out->addrs[out->count++] = a;
}

void resolver_resolve(const struct msg_resolve *req, struct msg_resolved *out)
{
    struct addrinfo hints = {0}, *res = NULL, *ai;
    int family = hints_family(req->family);
    int rc;

    memset(out, 0, sizeof(*out));
    out->id = req->id;
    hints.ai_family = family;
    hints.ai_socktype = SOCK_DGRAM;
    /* No IPv6 addresses on an IPv4-only host and the reverse (loopback still resolves). */
    hints.ai_flags = AI_ADDRCONFIG;
    rc = getaddrinfo(req->name, NULL, &hints, &res);
    if (rc != 0) {
        out->error = rc;
        return;
    }
    for (ai = res; ai != NULL; ai = ai->ai_next)
        add_address(out, ai, family);
    freeaddrinfo(res);
    if (out->count == 0)
        out->error = EAI_NONAME;
}

void resolver_warmup(void)
{
    struct msg_resolve req = {.family = 0};
    struct msg_resolved out;

    msg_copy_str(req.name, sizeof(req.name), "localhost");
    resolver_resolve(&req, &out);
}

/* Receive one datagram, waiting if fd is non-blocking: its length, 0 at EOF, -1 on error. */
static ssize_t receive_request(int fd, void *buf, size_t len, bool *truncated)
{
    for (;;) {
        struct iovec iov = {buf, len};
        struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        ssize_t n = recvmsg(fd, &mh, 0);

        if (n >= 0) {
            *truncated = (mh.msg_flags & MSG_TRUNC) != 0;
            return n;
        }
        if (errno == ECONNRESET)
            return 0;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            poll(&pfd, 1, -1);
        else if (errno != EINTR)
            return -1;
    }
}

int resolver_main(int fd)
{
    uint32_t rx_seq = 1, tx_seq = 1;

    for (;;) {
        uint8_t buf[RESOLVE_MSG_SIZE + 1];
        struct msg_resolved out;
        struct msg_header hdr;
        const void *payload;
        bool truncated = false;
        char err[128] = "not a RESOLVE message"; /* replaced by msg_validate() errors */
        ssize_t n = receive_request(fd, buf, sizeof(buf), &truncated);

        if (n == 0)
            return 0;
        if (n < 0) {
            log_err("resolver: receive: %s", strerror(errno));
            return 1;
        }
        if (truncated ||
            msg_validate(buf, (size_t)n, &rx_seq, &hdr, &payload, err, sizeof(err)) < 0 ||
            hdr.type != MSG_RESOLVE) {
            log_err("resolver: malformed request (%s), exiting", truncated ? "too long" : err);
            return 1;
        }
        resolver_resolve(payload, &out);
        if (msg_send(fd, MSG_RESOLVED, &tx_seq, &out, sizeof(out)) < 0)
            return errno == EPIPE || errno == ECONNRESET ? 0 : 1;
    }
}

/* Receive one MSG_CHANNEL from the parent: returns the passed fd, 0 at EOF (the parent is
 * gone), -1 on a malformed message. */
static int receive_channel(int ctl_fd, uint32_t *seq)
{
    uint8_t buf[sizeof(struct msg_header) + sizeof(struct msg_channel) + 1];
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } control;
    struct iovec iov = {buf, sizeof(buf)};
    struct msghdr mh = {.msg_iov = &iov,
                        .msg_iovlen = 1,
                        .msg_control = control.buf,
                        .msg_controllen = sizeof(control.buf)};
    struct cmsghdr *c;
    struct msg_header hdr;
    const void *payload;
    char err[128];
    int fd = -1;
    ssize_t n;

    do {
        n = recvmsg(ctl_fd, &mh, MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    if (n <= 0)
        return n == 0 ? 0 : -1;
    c = CMSG_FIRSTHDR(&mh);
    if (c != NULL && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
        c->cmsg_len == CMSG_LEN(sizeof(int)))
        memcpy(&fd, CMSG_DATA(c), sizeof(int));
    if (fd < 0 || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) ||
        msg_validate(buf, (size_t)n, seq, &hdr, &payload, err, sizeof(err)) < 0 ||
        hdr.type != MSG_CHANNEL) {
        log_err("resolver: malformed channel message from the parent");
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

int resolver_serve_channels(int ctl_fd)
{
    uint32_t seq = 1;
    int fd;

    while ((fd = receive_channel(ctl_fd, &seq)) > 0) {
        /* A malformed request ends only that child's channel: the child is untrusted, the
         * parent restarts it and hands over a fresh channel. */
        resolver_main(fd);
        close(fd);
    }
    return fd == 0 ? 0 : 1;
}

/* --- Client -------------------------------------------------------------------------------- */

struct resolver_client {
    struct chan ch;
    bool broken;           /* the resolver is gone or misbehaved */
    bool in_flight;        /* a request was sent and not answered */
    uint32_t in_flight_id; /* its id */
    uint32_t tx_seq, rx_seq;
    uint32_t next_id;
    int qhead, qlen; /* ring of requests waiting behind the one in flight */
    struct msg_resolve queue[RESOLVER_QUEUE_MAX];
};

struct resolver_client *resolver_client_create(const struct chan *ch)
{
    struct resolver_client *rc;

    if (!chan_is_open(ch))
        return NULL;
    rc = calloc(1, sizeof(*rc));
    if (rc == NULL)
        return NULL;
    rc->ch = *ch;
    rc->tx_seq = 1;
    rc->rx_seq = 1;
    rc->next_id = 1;
    return rc;
}

void resolver_client_destroy(struct resolver_client *rc)
{
    if (rc == NULL)
        return;
    chan_close(&rc->ch);
    free(rc);
}

int resolver_client_fd(const struct resolver_client *rc)
{
    return chan_poll_fd(&rc->ch);
}

bool resolver_client_ready(const struct resolver_client *rc)
{
    return chan_ready(&rc->ch);
}

int resolver_client_pending(const struct resolver_client *rc)
{
    return rc->qlen + (rc->in_flight ? 1 : 0);
}

/* Would the resolver accept this request? (It exits on a malformed one.) */
static bool request_ok(const struct msg_resolve *req)
{
    struct {
        struct msg_header hdr;
        struct msg_resolve req;
    } m = {.hdr = {.version = MSG_VERSION, .type = MSG_RESOLVE, .length = sizeof(m), .seq = 1},
           .req = *req};
    struct msg_header hdr;
    const void *payload;
    uint32_t seq = 1;
    char err[128];

    _Static_assert(sizeof(m) == RESOLVE_MSG_SIZE, "msg_resolve must follow the header tightly");
    return msg_validate(&m, sizeof(m), &seq, &hdr, &payload, err, sizeof(err)) == 0;
}

static int send_request(struct resolver_client *rc, const struct msg_resolve *req)
{
    if (chan_send(&rc->ch, MSG_RESOLVE, &rc->tx_seq, req, sizeof(*req)) < 0) {
        rc->broken = true;
        return -1;
    }
    rc->in_flight = true;
    rc->in_flight_id = req->id;
    return 0;
}

int resolver_client_request(struct resolver_client *rc, const char *name, int family, uint32_t *id)
{
    struct msg_resolve req = {0};

    if (rc->broken) {
        errno = EPIPE;
        return -1;
    }
    if (strlen(name) >= sizeof(req.name) || (family != 0 && family != 4 && family != 6)) {
        errno = EINVAL;
        return -1;
    }
    req.family = (uint32_t)family;
    msg_copy_str(req.name, sizeof(req.name), name);
    if (!request_ok(&req)) {
        errno = EINVAL;
        return -1;
    }
    if (rc->in_flight && rc->qlen == RESOLVER_QUEUE_MAX) {
        errno = ENOBUFS;
        return -1;
    }
    req.id = rc->next_id++;
    if (rc->next_id == 0)
        rc->next_id = 1;
    *id = req.id;
    if (rc->in_flight) {
        rc->queue[(rc->qhead + rc->qlen) % RESOLVER_QUEUE_MAX] = req;
        rc->qlen++;
        return 0;
    }
    if (send_request(rc, &req) < 0) {
        errno = EPIPE;
        return -1;
    }
    return 0;
}

/* Send the oldest queued request, if any. */
static void send_next(struct resolver_client *rc)
{
    struct msg_resolve *req;

    if (rc->qlen == 0)
        return;
    req = &rc->queue[rc->qhead];
    rc->qhead = (rc->qhead + 1) % RESOLVER_QUEUE_MAX;
    rc->qlen--;
    send_request(rc, req);
}

/* Check a received answer: 0, or -1 with the reason in err. */
static int check_answer(struct resolver_client *rc, const uint8_t *buf, ssize_t n, size_t buflen,
                        const struct msg_resolved **answer, char *err, size_t errlen)
{
    struct msg_header hdr;
    const void *payload;

    if (n == 0) {
        snprintf(err, errlen, "the resolver closed its socket");
        return -1;
    }
    if (n < 0) {
        snprintf(err, errlen, "%s", strerror(errno));
        return -1;
    }
    if ((size_t)n > buflen) {
        snprintf(err, errlen, "oversized answer");
        return -1;
    }
    if (msg_validate(buf, (size_t)n, &rc->rx_seq, &hdr, &payload, err, errlen) < 0)
        return -1;
    *answer = payload;
    if (hdr.type != MSG_RESOLVED || !rc->in_flight || (*answer)->id != rc->in_flight_id) {
        snprintf(err, errlen, "unexpected answer (type %u, id %u)", hdr.type, (*answer)->id);
        return -1;
    }
    return 0;
}

int resolver_client_read(struct resolver_client *rc, struct msg_resolved *out)
{
    uint8_t buf[RESOLVED_MSG_SIZE + 1];
    const struct msg_resolved *answer = NULL;
    char err[128];
    ssize_t n;

    if (rc->broken)
        return -1;
    n = chan_recv(&rc->ch, buf, sizeof(buf));
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return 0;
    if (check_answer(rc, buf, n, sizeof(buf), &answer, err, sizeof(err)) < 0) {
        log_err("resolver: %s", err);
        rc->broken = true;
        return -1;
    }
    memcpy(out, answer, sizeof(*out));
    rc->in_flight = false;
    send_next(rc);
    return 1;
}
