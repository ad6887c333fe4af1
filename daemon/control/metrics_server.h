// SPDX-License-Identifier: ISC
/*
 * The Prometheus metrics listener (prefix metrics_server_): a small HTTP/1.x server run by the
 * network child, answering GET /metrics with metrics_encode() of the last snapshot and 404 to
 * anything else. Read-only; one request per connection (Connection: close).
 *
 * Bounded: METRICS_MAX_CLIENTS connections (a new one drops the oldest), HTTP_MAX_REQUEST
 * octets of request head (431 beyond), METRICS_TIMEOUT_S for a connection from accept to the
 * last octet of the answer. Everything is non-blocking; inside the network child's seccomp list
 * it uses accept4, recvfrom, sendto, shutdown, close.
 *
 *   fd = metrics_listen(family, addr, port, err, sizeof err);   // parent, before the sandbox
 *   ms = metrics_server_create(fd);                             // network child
 *   loop: n = metrics_server_pollfds(ms, fds + k, max - k); timeout = min(timeout,
 *         metrics_server_timeout_ms(ms, now)); poll(); metrics_server_handle(ms, fds + k, n,
 *         snapshot_or_NULL, now);
 */
#ifndef TSYNC_DAEMON_METRICS_SERVER_H
#define TSYNC_DAEMON_METRICS_SERVER_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/common/msg.h"

#define METRICS_MAX_CLIENTS 4
#define METRICS_TIMEOUT_S   5.0
#define METRICS_POLLFDS     (1 + METRICS_MAX_CLIENTS)

struct metrics_server;

/* A listening, non-blocking TCP socket on addr (network order; family AF_INET or AF_INET6)
 * and port. Returns the fd, or -1 with a message in err. */
int metrics_listen(int family, const uint8_t addr[16], unsigned port, char *err, size_t errlen);

/* Server state over listen_fd (owned from now on). NULL on ENOMEM or a negative fd. */
struct metrics_server *metrics_server_create(int listen_fd);
void metrics_server_destroy(struct metrics_server *ms);

/* Fill fds[0..max) (the listening socket first); returns how many (<= METRICS_POLLFDS). */
int metrics_server_pollfds(const struct metrics_server *ms, struct pollfd *fds, int max);

/* Serve what poll() reported (fds as filled by metrics_server_pollfds(); n may be 0): accept,
 * read requests, answer from *snap (NULL: "daemon starting", as the control socket), write answers,
 * close finished and timed-out connections. now_s: monotonic seconds. Never blocks. */
void metrics_server_handle(struct metrics_server *ms, const struct pollfd *fds, int n,
                           const struct msg_snapshot *snap, double now_s);

/* Milliseconds until the next connection deadline, -1 when no connection is open. */
int metrics_server_timeout_ms(const struct metrics_server *ms, double now_s);

/* Open connections. */
int metrics_server_nclients(const struct metrics_server *ms);

#endif
