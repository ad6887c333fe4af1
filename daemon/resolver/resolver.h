// SPDX-License-Identifier: ISC
/*
 * The resolver process and its client (prefix resolver_). Name resolution (server and pool
 * names, and their periodic re-resolution) runs in a separate sandboxed process, never in the
 * privileged parent and never in the network child's event loop (getaddrinfo() blocks).
 *
 * Transport: a SOCK_SEQPACKET socketpair between the network child (client) and the resolver,
 * messages of daemon/common/msg.h: MSG_RESOLVE (child -> resolver) and MSG_RESOLVED (resolver ->
 * child), each direction with its own sequence starting at 1. The resolver answers one request
 * at a time, in order; the client keeps at most one request in flight and queues the others.
 *
 *   parent:  socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv); fork();
 *            resolver: resolver_warmup(); drop privileges; seccomp; _exit(resolver_main(sv[1]));
 *            network child gets sv[0]
 *   child:   rc = resolver_client_create(sv[0]);
 *            resolver_client_request(rc, "pool.example", 0, &id);   // returns at once
 *            poll resolver_client_fd(rc) for POLLIN, then
 *            while ((r = resolver_client_read(rc, &res)) == 1) use(res);   // res.id == id
 *            r == -1: the resolver died or misbehaved: destroy and ask for a new one.
 */
#ifndef TSYNC_DAEMON_RESOLVER_H
#define TSYNC_DAEMON_RESOLVER_H

#include <stdint.h>

#include <stdbool.h>

#include "daemon/common/chan.h"
#include "daemon/common/msg.h"

#define RESOLVER_QUEUE_MAX 64 /* requests waiting behind the one in flight */

/* --- Resolver process ---------------------------------------------------------------------- */

/*
 * Serve requests on fd until it reaches EOF: receive a MSG_RESOLVE, resolve the name with
 * getaddrinfo() (SOCK_DGRAM, AI_ADDRCONFIG, restricted to the requested family) and answer a
 * MSG_RESOLVED with up to MSG_MAX_ADDRS distinct addresses in getaddrinfo() order, or the EAI_*
 * error (EAI_NONAME when nothing of the family is left). Returns the process exit status: 0 at
 * EOF (the network child or the parent is gone), 1 after a malformed message (logged) or an
 * I/O error. fd may be blocking or not.
 */
int resolver_main(int fd);

/*
 * The resolver process: receive channels from the parent over ctl_fd (MSG_CHANNEL with the fd
 * in SCM_RIGHTS), one per network child started, and serve each with resolver_main() until it
 * ends. Returns 0 when the parent is gone, 1 after a malformed channel message.
 */
int resolver_serve_channels(int ctl_fd);

/* Load the NSS modules and resolver configuration once (a lookup of "localhost"), so that a
 * seccomp allow-list installed afterwards need not allow loading shared objects. */
void resolver_warmup(void);

/* Resolve one request into *out (what resolver_main() sends back). Exposed for tests. */
void resolver_resolve(const struct msg_resolve *req, struct msg_resolved *out);

/* --- Client (network child; non-blocking) ------------------------------------------------- */

struct resolver_client;

/* Client over the channel *ch (a socket, or in-process with --single-process; owned from now
 * on: resolver_client_destroy() closes it). NULL on ENOMEM or a closed channel. */
struct resolver_client *resolver_client_create(const struct chan *ch);

/* Close the socket and free the client. NULL is ignored. */
void resolver_client_destroy(struct resolver_client *rc);

/*
 * Ask for name ("host.example", "192.0.2.1" or "2001:db8::1"; [A-Za-z0-9.:_%-], shorter than
 * MSG_HOST_LEN) restricted to family 0 (any), 4 or 6. Sends it now when nothing is in flight,
 * queues it otherwise. *id receives the id the answer will carry. Returns 0, or -1 with errno:
 * EINVAL (bad name or family), ENOBUFS (RESOLVER_QUEUE_MAX requests waiting), EPIPE (the
 * resolver is gone or broken).
 */
int resolver_client_request(struct resolver_client *rc, const char *name, int family, uint32_t *id);

/* The descriptor to poll for POLLIN (-1 in-process), and whether an in-process answer waits. */
int resolver_client_fd(const struct resolver_client *rc);
bool resolver_client_ready(const struct resolver_client *rc);

/* Requests not answered yet (in flight and queued). */
int resolver_client_pending(const struct resolver_client *rc);

/*
 * Read one answer without blocking: 1 with *out filled (validated; out->id is the id of the
 * oldest pending request, and the next queued request has been sent), 0 when nothing is
 * waiting, -1 when the resolver is gone (EOF, error) or sent something malformed or
 * unexpected; after -1 every call fails: destroy the client.
 */
int resolver_client_read(struct resolver_client *rc, struct msg_resolved *out);

#endif
