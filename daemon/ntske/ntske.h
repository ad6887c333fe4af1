// SPDX-License-Identifier: ISC
/*
 * The NTS-KE role (prefix ntske_): every TLS connection of tsyncd, in its own process
 * (tsyncd-ntske: an unprivileged user, a chroot, no capabilities, seccomp SBX_NTSKE) or, with
 * --single-process, as one more role of the one loop.
 *
 *   client side: MSG_NTSKE_REQUEST from the network child -> TLS 1.3 to the NTS-KE server,
 *                certificate checked, request records, response records, keys exported ->
 *                MSG_NTSKE_RESULT (keys, cookies, negotiated NTPv4 server and port, or why not)
 *   server side: a connection on the listening socket (opened by the privileged parent) ->
 *                TLS 1.3 -> request records -> keys exported -> MSG_NTSKE_COOKIE_REQ to the
 *                network child, which seals cookies with the server's cookie keys ->
 *                MSG_NTSKE_COOKIES -> response records
 *
 * The role holds no cookie key and no clock: what a TLS bug gives an attacker is this process,
 * which can ask the network child only for cookies of keys it chose, and send it NTS-KE
 * results, both validated (daemon/common/msg.c) like every message.
 */
#ifndef TSYNC_NTSKE_H
#define TSYNC_NTSKE_H

#include <stdbool.h>

#include "daemon/common/chan.h"
#include "daemon/common/loop.h"
#include "daemon/config/config.h"

#define NTSKE_MAX_SESSIONS 32   /* TLS connections at once (client and server) */
#define NTSKE_TIMEOUT_S    10.0 /* longest NTS-KE session */

struct ntske_role;

/* Load the credentials cfg names (before any sandbox). NULL with a message in err. cfg must
 * outlive the role. */
struct ntske_role *ntske_role_create(const struct cfg *cfg, char *err, size_t errlen);
void ntske_role_destroy(struct ntske_role *r);

/* The channel to the (new) network child, owned from now on; the previous one is closed and
 * its server sessions waiting for cookies fail. */
void ntske_role_set_net(struct ntske_role *r, const struct chan *net);

/* The listening TCP socket of the NTS-KE server (owned from now on). */
void ntske_role_set_listener(struct ntske_role *r, int fd);

/* The parent's control socket (privilege separation): MSG_CHANNEL and MSG_NTSKE_LISTEN with
 * descriptors. Its EOF ends the role (*stop). */
void ntske_role_set_control(struct ntske_role *r, int fd, bool *stop);

struct loop_role ntske_role_loop(struct ntske_role *r);

#endif
