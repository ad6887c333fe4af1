// SPDX-License-Identifier: ISC
/* The metrics listener: listening socket, connections, HTTP answers from the snapshot. */
#include "daemon/control/metrics_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/common/log.h"
#include "daemon/control/control.h"
#include "daemon/control/http.h"
#include "daemon/control/metrics.h"

#define METRICS_BACKLOG 16
#define HEAD_MAX        256 /* status line and headers of an answer */

struct metrics_client {
    int fd;          /* -1: free */
    uint64_t serial; /* accept order */
    double deadline_s;
    char in[HTTP_MAX_REQUEST];
    size_t in_len;
    char *out; /* the answer, NULL until the request is complete */
    size_t out_len, out_pos;
    bool draining; /* answer sent and our side shut down: read and drop until the peer's EOF,
                    * so that closing with unread input does not reset the answer away */
};

struct metrics_server {
    int listen_fd;
    uint64_t next_serial;
    struct metrics_client clients[METRICS_MAX_CLIENTS];
    struct msg_snapshot starting;
};

int metrics_listen(int family, const uint8_t addr[16], unsigned port, char *err, size_t errlen)
{
    struct sockaddr_storage ss;
    socklen_t len;
    char text[INET6_ADDRSTRLEN] = "?";
    int fd, one = 1;

    memset(&ss, 0, sizeof(ss));
    if (family == AF_INET6) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((uint16_t)port);
        memcpy(&s6->sin6_addr, addr, 16);
        len = sizeof(*s6);
    } else {
        struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
        s4->sin_family = AF_INET;
        s4->sin_port = htons((uint16_t)port);
        memcpy(&s4->sin_addr, addr, 4);
        len = sizeof(*s4);
    }
    inet_ntop(family, addr, text, sizeof(text));
    fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, errlen, "metrics: socket: %s", strerror(errno));
        return -1;
    }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, METRICS_BACKLOG) < 0) {
        snprintf(err, errlen, "metrics: cannot listen on %s port %u: %s", text, port,
                 strerror(errno));
        close(fd);
        return -1;
    }
    log_info("serving Prometheus metrics on http://%s%s%s:%u/metrics",
             family == AF_INET6 ? "[" : "", text, family == AF_INET6 ? "]" : "", port);
    return fd;
}

struct metrics_server *metrics_server_create(int listen_fd)
{
    struct metrics_server *ms;
    int i;

    if (listen_fd < 0)
        return NULL;
    ms = calloc(1, sizeof(*ms));
    if (ms == NULL)
        return NULL;
    ms->listen_fd = listen_fd;
    for (i = 0; i < METRICS_MAX_CLIENTS; i++)
        ms->clients[i].fd = -1;
    control_starting_snapshot(&ms->starting);
    return ms;
}

static void client_close(struct metrics_client *c)
{
    if (c->fd >= 0)
        close(c->fd);
    free(c->out);
    c->fd = -1;
    c->out = NULL;
    c->in_len = c->out_len = c->out_pos = 0;
    c->draining = false;
}

void metrics_server_destroy(struct metrics_server *ms)
{
    int i;

    if (ms == NULL)
        return;
    for (i = 0; i < METRICS_MAX_CLIENTS; i++)
        client_close(&ms->clients[i]);
    close(ms->listen_fd);
    free(ms);
}

int metrics_server_pollfds(const struct metrics_server *ms, struct pollfd *fds, int max)
{
    int i, n = 0;

    if (n < max)
        fds[n++] = (struct pollfd){.fd = ms->listen_fd, .events = POLLIN};
    for (i = 0; i < METRICS_MAX_CLIENTS && n < max; i++) {
        const struct metrics_client *c = &ms->clients[i];
        if (c->fd >= 0)
            fds[n++] =
                (struct pollfd){.fd = c->fd, .events = c->out && !c->draining ? POLLOUT : POLLIN};
    }
    return n;
}

int metrics_server_nclients(const struct metrics_server *ms)
{
    int i, n = 0;

    for (i = 0; i < METRICS_MAX_CLIENTS; i++)
        n += ms->clients[i].fd >= 0;
    return n;
}

int metrics_server_timeout_ms(const struct metrics_server *ms, double now_s)
{
    double soonest = -1;
    int i;

    for (i = 0; i < METRICS_MAX_CLIENTS; i++) {
        const struct metrics_client *c = &ms->clients[i];
        double left = c->deadline_s - now_s;
        if (c->fd >= 0 && (soonest < 0 || left < soonest))
            soonest = left > 0 ? left : 0;
    }
    return soonest < 0 ? -1 : (int)(soonest * 1000.0) + 1;
}

static struct metrics_client *free_slot(struct metrics_server *ms)
{
    struct metrics_client *oldest = NULL;
    int i;

    for (i = 0; i < METRICS_MAX_CLIENTS; i++) {
        struct metrics_client *c = &ms->clients[i];
        if (c->fd < 0)
            return c;
        if (oldest == NULL || c->serial < oldest->serial)
            oldest = c;
    }
    client_close(oldest);
    return oldest;
}

static void accept_clients(struct metrics_server *ms, double now_s)
{
    int i;

    for (i = 0; i < METRICS_MAX_CLIENTS; i++) { /* bounded: a flood cannot hold the loop */
        struct metrics_client *c;
        int fd = accept4(ms->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

        if (fd < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ECONNABORTED)
                log_warning("metrics: accept: %s", strerror(errno));
            return;
        }
        c = free_slot(ms);
        c->fd = fd;
        c->serial = ms->next_serial++;
        c->deadline_s = now_s + METRICS_TIMEOUT_S;
    }
}

static const char *reason_phrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 431:
        return "Request Header Fields Too Large";
    default:
        return "Not Found";
    }
}

/* The whole answer (head and body) into c->out; a body only for 200. */
static void prepare_answer(struct metrics_client *c, int status, const struct msg_snapshot *snap)
{
    static const char not_found[] = "only GET /metrics is served\n";
    size_t body = status == 200 ? metrics_encode(snap, NULL, 0) : sizeof(not_found) - 1;
    char head[HEAD_MAX];
    int n;

    n = snprintf(head, sizeof(head),
                 "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
                 "Connection: close\r\n\r\n",
                 status, reason_phrase(status),
                 status == 200 ? METRICS_CONTENT_TYPE : "text/plain; charset=utf-8", body);
    c->out = malloc((size_t)n + body + 1);
    if (c->out == NULL) {
        client_close(c);
        return;
    }
    memcpy(c->out, head, (size_t)n);
    if (status == 200)
        metrics_encode(snap, c->out + n, body + 1);
    else
        memcpy(c->out + n, not_found, body);
    c->out_len = (size_t)n + body;
    c->out_pos = 0;
}

static void read_request(struct metrics_client *c, const struct msg_snapshot *snap)
{
    struct http_request req;
    enum http_parse r;
    ssize_t n;

    n = recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len, MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return;
    if (n <= 0) {
        client_close(c);
        return;
    }
    c->in_len += (size_t)n;
    r = http_parse_request(c->in, c->in_len, &req);
    if (r == HTTP_COMPLETE)
        prepare_answer(c, http_status(&req), snap);
    else if (r == HTTP_BAD)
        prepare_answer(c, 400, snap);
    else if (c->in_len == sizeof(c->in))
        prepare_answer(c, 431, snap);
}

static void write_answer(struct metrics_client *c)
{
    ssize_t n =
        send(c->fd, c->out + c->out_pos, c->out_len - c->out_pos, MSG_DONTWAIT | MSG_NOSIGNAL);

    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return;
    if (n <= 0) {
        client_close(c);
        return;
    }
    c->out_pos += (size_t)n;
    if (c->out_pos == c->out_len) {
        shutdown(c->fd, SHUT_WR);
        c->draining = true;
    }
}

static void drain(struct metrics_client *c)
{
    char sink[512];
    ssize_t n = recv(c->fd, sink, sizeof(sink), MSG_DONTWAIT);

    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
        client_close(c);
}

static struct metrics_client *find_client(struct metrics_server *ms, int fd)
{
    int i;

    for (i = 0; i < METRICS_MAX_CLIENTS; i++) {
        if (ms->clients[i].fd >= 0 && ms->clients[i].fd == fd)
            return &ms->clients[i];
    }
    return NULL;
}

void metrics_server_handle(struct metrics_server *ms, const struct pollfd *fds, int n,
                           const struct msg_snapshot *snap, double now_s)
{
    bool listen_ready = false;
    int i;

    if (snap == NULL)
        snap = &ms->starting;
    for (i = 0; i < n; i++) {
        struct metrics_client *c;

        if (fds[i].revents == 0)
            continue;
        if (fds[i].fd == ms->listen_fd) {
            listen_ready = (fds[i].revents & POLLIN) != 0;
            continue;
        }
        c = find_client(ms, fds[i].fd);
        if (c == NULL)
            continue;
        if (c->draining && (fds[i].revents & (POLLIN | POLLHUP)))
            drain(c);
        else if (c->out == NULL && (fds[i].revents & POLLIN))
            read_request(c, snap);
        else if (c->out != NULL && !c->draining && (fds[i].revents & POLLOUT))
            write_answer(c);
        else
            client_close(c); /* POLLHUP, POLLERR, POLLNVAL */
        if (c->fd >= 0 && c->out != NULL && c->out_pos == 0)
            write_answer(c); /* usually the whole answer fits the socket buffer at once */
    }
    for (i = 0; i < METRICS_MAX_CLIENTS; i++) {
        if (ms->clients[i].fd >= 0 && now_s >= ms->clients[i].deadline_s)
            client_close(&ms->clients[i]);
    }
    if (listen_ready)
        accept_clients(ms, now_s);
}
