// SPDX-License-Identifier: ISC
/*
 * The NTP server in the network child (prefix server_): answers mode 3 requests from the
 * parent's snapshot (stratum, refid, root delay and dispersion, reference time, leap; LI=3 and
 * stratum 16 while unsynchronised).
 *
 *   - Access control (daemon/server/acl.h): denied clients get nothing, or a KoD DENY where `kod`
 *     applies; `ignore` gets nothing at all.
 *   - Rate limiting (daemon/server/ratelimit.h) for `limited` clients, or every client with a
 *     `ratelimit` line: KoD RATE replies are themselves limited (one per client per interval).
 *   - Symmetric keys (daemon/common/auth.h): a request signed with a trusted key gets a reply
 *     signed with the same key; one signed with any other key, with a bad MAC, or carrying a
 *     crypto-NAK gets nothing (as NTPsec and chrony; ntpd 4.2.8 answers a crypto-NAK); an
 *     unsigned one is answered unsigned, unless `restrict ... notrust` applies (nothing).
 *   - No amplification: a reply is 48 octets (plus the MAC of its request's key) and its
 *     request at least as long; modes other than 3
 *     and 6 (mode 7 included) get no answer; malformed packets (short, truncated, bad version or
 *     extension fields, longer than 1232 octets) are dropped and counted.
 *   - Mode 6 (ntpq, ntpstat, check_ntp_peer; read-only, daemon/server/mode6.h) from loopback
 *     and from the addresses restrict rules open to queries (acl.h), rate limited by two token
 *     buckets (loopback: SERVER_M6_LOCAL_BURST then SERVER_M6_LOCAL_RATE per s; others:
 *     SERVER_M6_REMOTE_BURST then SERVER_M6_REMOTE_RATE per s), refused requests get nothing.
 *     Loopback clients get answers of up to M6_MAX_PACKETS packets; others at most
 *     M6_REMOTE_FACTOR times the octets of their request (else a 12-octet error).
 *   - Timestamps: the receive timestamp is the kernel RX stamp (through the clock map); the
 *     transmit timestamp is read right before the batch is handed to the kernel; the kernel TX
 *     stamp of each reply is recorded per client (struct rl_client) for a later interleaved
 *     mode. Replies leave from the address the request was sent to (IP_PKTINFO).
 *   - Speed: requests are read with recvmmsg() and answered with sendmmsg() in batches of
 *     SERVER_BATCH, into buffers allocated once; server_set_plain_io() switches to one
 *     recvmsg()/sendmsg() per packet (--single-process, LD_PRELOAD simulators).
 *
 * Sockets are bound by the parent (port 123 needs privilege) with kernel timestamping enabled
 * (ts_enable); the server registers each one on first use.
 */
#ifndef TSYNC_DAEMON_SERVER_H
#define TSYNC_DAEMON_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include "daemon/config/config.h"
#include "daemon/common/msg.h"
#include "discipline/clock.h"

struct nts_cookie_jar;

#define SERVER_BATCH       64 /* requests read per recvmmsg() */
#define SERVER_MAX_ROUNDS  4  /* batches per socket per wake-up (then other events run) */
#define SERVER_MAX_SOCKETS 8

#define SERVER_M6_LOCAL_BURST  64.0 /* mode 6 from loopback: responses back to back ... */
#define SERVER_M6_LOCAL_RATE   32.0 /* ... then per second */
#define SERVER_M6_REMOTE_BURST 16.0 /* mode 6 from other addresses, all of them together */
#define SERVER_M6_REMOTE_RATE  4.0

/* What the server counted since it started. */
struct server_stats {
    uint64_t served;         /* replies with the time (normal and leaked) */
    uint64_t limited;        /* requests over the rate limit (dropped or answered with KoD RATE) */
    uint64_t leaked;         /* limited requests answered all the same (included in served) */
    uint64_t kod_rate;       /* KoD RATE replies sent */
    uint64_t kod_deny;       /* KoD DENY replies sent */
    uint64_t denied;         /* requests refused by access control (ignore, noserve, deny) */
    uint64_t malformed;      /* not a valid NTP packet, truncated or oversized: dropped */
    uint64_t other_mode;     /* valid packets of a mode other than 3 (6, 7...): no answer */
    uint64_t send_errors;    /* replies the kernel refused */
    uint64_t tx_stamps;      /* kernel TX stamps of replies recorded */
    uint64_t clients;        /* client table entries in use */
    uint64_t evictions;      /* client table entries reused for a new address */
    uint64_t mode6_answered; /* mode 6 requests answered (error responses included) */
    uint64_t mode6_refused;  /* mode 6 requests dropped: access, rate limit */
    uint64_t auth_ok;        /* requests signed with a trusted key (replies signed with it) */
    uint64_t auth_bad;       /* signed with an unknown key, a bad MAC, or a crypto-NAK: dropped */
    uint64_t interleaved;    /* replies in interleaved mode (RFC 9769) */
    uint64_t nts_served;     /* NTS-authenticated replies (included in served) */
    uint64_t nts_naks;       /* NTS NAKs sent: cookies that do not open */
    uint64_t nts_dropped;    /* NTS requests not authentic or malformed: no answer */
};

struct server;

#define SERVER_RCVBUF_BYTES (1 << 20) /* receive buffer of a server socket (bursts) */

/* Called by the privileged parent on each server socket it binds: a receive buffer of
 * SERVER_RCVBUF_BYTES (SO_RCVBUFFORCE: beyond net.core.rmem_max when privileged), so bursts of
 * requests and short scheduling delays lose nothing, and IP_PKTINFO / IPV6_RECVPKTINFO from the
 * first datagram on (replies leave from the address they were asked on). Best effort. */
void server_socket_setup(int fd);

/* A new socket bound to the same address and port as fd (an SO_REUSEPORT group member, which
 * fd must be), with the same set-up (timestamping, receive buffer). -1 on error (errno). */
int server_socket_clone(int fd);

/* ---- SO_REUSEPORT worker children (daemon/server/server_workers.c) ---- */

#define SERVER_MAX_WORKERS 8

struct net_fds;

/* Workers wanted: TSYNCD_SERVER_WORKERS in the environment (0..SERVER_MAX_WORKERS, default
 * 0). When > 0, daemon_bind_servers() sets SO_REUSEPORT on the server sockets. */
int server_workers_wanted(void);
/* Privileged, after daemon_bind_servers() and only in the privilege-separated mode: bind each
 * worker's sockets into the group of fds and create the state shared with the workers. */
int server_workers_bind(const struct net_fds *fds, char *err, size_t errlen);
/* In the parent, still privileged, before any other child is forked: fork the workers (each
 * calls close_parent(ctx) to close what only the parent may hold, goes to user and chroot_dir,
 * drops every capability and installs seccomp SBX_NET, and closes the sockets of fds) and close
 * the parent's copies of their sockets. 0, or -1 with a message in err when a fork failed. */
int server_workers_start(const struct cfg *cfg, const struct net_fds *fds, const char *user,
                         const char *chroot_dir, void (*close_parent)(void *ctx), void *ctx,
                         char *err, size_t errlen);
/* The parent's end of worker w's log socket (its lines as MSG_LOG, daemon/common/msg.h
 * msg_forward_log_to), -1 without one. */
int server_workers_log_fd(int w);
/* In the network child, after every clock map or snapshot from the parent: what the workers
 * answer from. No-op without workers. */
void server_workers_publish(const struct clk_map *map, const struct msg_snapshot *snap);
/* Add the workers' counters (each worker updates its own after every wake-up) to sum: with
 * server_get_stats() of the network child's server, the whole server's counters. No-op without
 * workers. */
void server_workers_add_stats(struct server_stats *sum);

/* Create the server for cfg (access rules, rate limits, client table). NULL when out of
 * memory. cfg must outlive the server. */
struct server *server_create(const struct cfg *cfg);
/* Logs the counters and frees everything. NULL is accepted. */
void server_destroy(struct server *s);

/* The NTS server's cookie keys (copied; NULL: none, NTS requests get unauthenticated replies
 * that NTS clients drop). */
void server_set_nts_keys(struct server *s, const struct nts_cookie_jar *jar);

/* In the network child: the cookie keys the workers use too. No-op without workers. */
void server_workers_publish_nts(const struct nts_cookie_jar *jar);

/* One recvmsg()/sendmsg() per packet instead of recvmmsg()/sendmmsg(). */
void server_set_plain_io(struct server *s, bool plain);

/* Handle fd after poll() reported revents on it (poll for POLLIN; POLLERR comes unasked): on
 * POLLERR/POLLPRI read its kernel TX stamps, on POLLIN answer up to SERVER_MAX_ROUNDS *
 * SERVER_BATCH pending requests. snap may be NULL before the first snapshot (the server then
 * answers as unsynchronised). now_ns: CLOCK_MONOTONIC in ns (rate limits). */
void server_handle(struct server *s, int fd, short revents, const struct clk_map *map,
                   const struct msg_snapshot *snap, uint64_t now_ns);

/* Log the counters at most every `report interval` (TSYNCD_SERVER_REPORT_S in the environment,
 * seconds; default 3600) when they changed. */
void server_maintain(struct server *s, uint64_t now_ns);

/* The counters so far. */
void server_get_stats(const struct server *s, struct server_stats *out);

#endif
