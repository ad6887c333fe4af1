// SPDX-License-Identifier: ISC
/*
 * The control socket (prefix control_): a SOCK_SEQPACKET Unix socket served by the network
 * child, answering tsyncctl from the last state snapshot the parent pushed. Read-only: no
 * request changes anything, so the socket is mode 0666.
 *
 * Protocol (daemon/common/msg.h): per connection, the client sends MSG_CTL_REQUEST messages
 * (payload struct msg_source_ref with slot 0, seq 1, 2, 3 ...), the server answers each with one
 * MSG_SNAPSHOT (its own seq 1, 2, 3 ...). Malformed input, EOF, a full send buffer or
 * CONTROL_IDLE_TIMEOUT_S without a request close the connection.
 *
 * Server use in the network child's event loop (everything non-blocking; inside seccomp only
 * accept4, recvmsg, sendmsg, close and poll are used):
 *
 *   fd = control_listen(cfg->controlsocket, err, sizeof err);   // parent, before dropping
 *   ctl = control_create(fd);                                   // network child
 *   loop:
 *     n = control_pollfds(ctl, fds + k, max - k);
 *     timeout = control_timeout_ms(ctl, now);                   // merge with other timers
 *     poll(...);
 *     control_handle(ctl, fds + k, n, last_snapshot_or_NULL, now);
 *
 * tsyncctl uses control_query() for the client side.
 */
#ifndef TSYNC_DAEMON_CONTROL_H
#define TSYNC_DAEMON_CONTROL_H

#include <poll.h>
#include <stddef.h>

#include "daemon/common/msg.h"

#define CONTROL_MAX_CLIENTS    8   /* connections served at once; a new one drops the oldest */
#define CONTROL_IDLE_TIMEOUT_S 5.0 /* a connection without a request for this long is closed */
#define CONTROL_POLLFDS        (1 + CONTROL_MAX_CLIENTS) /* most fds control_pollfds() fills */

struct control;

/*
 * Create the listening socket at path (privileged parent, before dropping privileges): creates
 * the directory of path if missing (mode 0755), removes a stale socket left by a dead daemon
 * (refuses when the path is not a socket or a daemon still answers on it), binds a
 * non-blocking, close-on-exec SOCK_SEQPACKET socket, chmod 0666, listen. Returns the fd, or -1
 * with a message in err.
 */
int control_listen(const char *path, char *err, size_t errlen);

/* Server state over listen_fd (owned from now on: control_destroy() closes it). NULL on ENOMEM
 * or a negative fd. */
struct control *control_create(int listen_fd);

/* Close every connection and the listening socket, free the state. NULL is ignored. */
void control_destroy(struct control *ctl);

/* Fill fds[0..max) with the descriptors to poll for POLLIN (the listening socket first, then
 * the connections); returns how many were filled (at most CONTROL_POLLFDS). */
int control_pollfds(const struct control *ctl, struct pollfd *fds, int max);

/*
 * Serve what poll() reported in fds[0..n) (as filled by control_pollfds()): accept new
 * connections, answer each valid request with *snap (a zeroed snapshot saying "daemon starting"
 * when snap is NULL), close connections on malformed input, EOF or errors, and close the ones
 * idle for CONTROL_IDLE_TIMEOUT_S. now_s: monotonic seconds (CLOCK_MONOTONIC in the daemon).
 * Never blocks. Call it after every poll(), also when poll() timed out (n may be 0).
 */
void control_handle(struct control *ctl, const struct pollfd *fds, int n,
                    const struct msg_snapshot *snap, double now_s);

/* Milliseconds until the next idle deadline (for poll()), -1 when no connection is open. */
int control_timeout_ms(const struct control *ctl, double now_s);

/* Number of open connections. */
int control_nclients(const struct control *ctl);

/*
 * Client side (tsyncctl): connect to path, send one MSG_CTL_REQUEST and wait at most
 * timeout_ms for the MSG_SNAPSHOT, validated with msg_validate(). Returns 0 with *snap filled,
 * or -1 with a message in err (socket missing, connection refused, timeout, malformed reply).
 */
int control_query(const char *path, int timeout_ms, struct msg_snapshot *snap, char *err,
                  size_t errlen);

/* Fill *snap with the snapshot served before the parent sent one ("daemon starting"). */
void control_starting_snapshot(struct msg_snapshot *snap);

#endif
