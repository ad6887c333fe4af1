// SPDX-License-Identifier: ISC
/*
 * Message channels between roles (prefix chan_). One end of a bidirectional channel that
 * carries daemon/common/msg.h datagrams, either over a SOCK_SEQPACKET socket (roles in separate
 * processes) or through a pair of in-process queues (--single-process: every role in one
 * process and one poll() loop). The messages, their sequence numbers and their validation are
 * the same either way; only the transport differs.
 *
 * Why in-process queues: LD_PRELOAD clock and network simulators (clknetsim) report every real
 * descriptor as always readable and abort on send()/recv() over a socketpair, so in one process
 * nothing but the network sockets may be in the poll set.
 *
 * Event loop use:
 *   prepare: pollfd.fd = chan_poll_fd(c) (-1 for a queue: poll() ignores it);
 *            if (chan_ready(c)) timeout = 0;
 *   dispatch: if (revents || chan_ready(c)) while ((n = chan_recv(c, buf, len)) > 0) ...
 */
#ifndef TSYNC_DAEMON_CHAN_H
#define TSYNC_DAEMON_CHAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Datagrams an in-process queue holds before chan_send() fails with EAGAIN (as a full socket
 * buffer does: the senders already handle that). */
#define CHAN_QUEUE_MAX 256

struct chan_queue;

struct chan {
    int fd;                /* socket end, -1 for an in-process channel (or a closed one) */
    struct chan_queue *rx; /* in-process: datagrams for this end */
    struct chan_queue *tx; /* in-process: the other end's rx */
};

/* A closed channel (fd -1, no queues): chan_send fails with EPIPE, chan_recv returns 0. */
void chan_init_closed(struct chan *c);

/* This end is the socket fd (owned from now on: chan_close() closes it). */
void chan_init_socket(struct chan *c, int fd);

/* Two connected in-process ends. Returns 0, or -1 (ENOMEM). */
int chan_pair_inprocess(struct chan *a, struct chan *b);

/* Close this end; the other end then reads EOF (0) once its queue is empty. Idempotent. */
void chan_close(struct chan *c);

/* True when this end can be used (a socket, or a queue whose peer has not closed). */
bool chan_is_open(const struct chan *c);

/* Send one message (header filled here, *seq used then incremented). Returns 0, or -1 with
 * errno: EAGAIN (full), EPIPE (peer gone), EINVAL (too large), or a socket error. */
int chan_send(struct chan *c, uint16_t type, uint32_t *seq, const void *payload, size_t len);

/* Receive one datagram without blocking into buf. Returns its length (which may exceed len:
 * then only len octets were copied, like recv(MSG_TRUNC)), 0 at EOF (the other end closed and
 * nothing is left), or -1 with errno EAGAIN when nothing is waiting (or another socket error). */
ssize_t chan_recv(struct chan *c, void *buf, size_t len);

/* The descriptor to poll for POLLIN, -1 for an in-process channel. */
int chan_poll_fd(const struct chan *c);

/* An in-process end has something to read (a datagram or EOF): dispatch without waiting. */
bool chan_ready(const struct chan *c);

#endif
