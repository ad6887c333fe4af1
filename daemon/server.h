// SPDX-License-Identifier: ISC
/*
 * The NTP server in the network child (prefix server_): answers mode 3 requests from the
 * parent's snapshot (stratum, refid, root delay and dispersion, reference time, leap; LI=3 and
 * stratum 16 while unsynchronised). The receive timestamp is the kernel RX stamp, the transmit
 * timestamp is read as late as possible. A reply is never larger than its request; other modes
 * (6, 7 included) get no answer. Sockets are bound by the parent (port 123 needs privilege).
 */
#ifndef TSYNC_DAEMON_SERVER_H
#define TSYNC_DAEMON_SERVER_H

#include <stdint.h>

#include "daemon/msg.h"
#include "discipline/clock.h"

#define SERVER_BATCH 32 /* requests handled per socket per wake-up */

struct server_stats {
    uint64_t served;  /* replies sent */
    uint64_t dropped; /* not a client request, or malformed */
    uint64_t send_errors;
};

/* Answer up to SERVER_BATCH pending requests on fd. snap may be NULL before the first snapshot
 * (then the server answers as unsynchronised). */
void server_handle(int fd, const struct clk_map *map, const struct msg_snapshot *snap,
                   struct server_stats *stats);

#endif
