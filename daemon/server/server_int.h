// SPDX-License-Identifier: ISC
/* Internals of the NTP server shared by server.c, server_reply.c and server_io.c. */
#ifndef TSYNC_DAEMON_SERVER_INT_H
#define TSYNC_DAEMON_SERVER_INT_H

#include <netinet/in.h>
#include <sys/socket.h>

#include "daemon/common/auth.h"
#include "daemon/server/acl.h"
#include "daemon/common/ntp_packet.h"
#include "daemon/nts/nts_cookie.h"
#include "daemon/server/mode6.h"
#include "daemon/server/ratelimit.h"
#include "daemon/server/server.h"

#define SERVER_BUF_LEN        (NTP_MAX_PACKET_LEN + 8) /* longer requests arrive MSG_TRUNC */
#define SERVER_CONTROL_LEN    256                      /* RX stamp + IP(V6)_PKTINFO */
#define SERVER_ERR_CONTROL    256                      /* TX stamp + extended error */
#define SERVER_TX_RING        512                      /* outstanding TX stamp ids per socket */
#define SERVER_STAMP_CMSG     CMSG_SPACE(sizeof(int))  /* per-reply SO_TIMESTAMPING request */
#define SERVER_NO_CLIENT      UINT32_MAX
#define SERVER_PRECISION_LOG2 (-24) /* about 60 ns: kernel timestamps, ns clock */
#define SERVER_PHI            15e-6 /* s/s: frequency tolerance (RFC 5905), dispersion growth */

/* A server socket, registered on first use. */
struct server_socket {
    int fd; /* -1: free */
    int family;
    bool tx_stamps;      /* per-reply TX software stamps with OPT_ID numbering */
    uint32_t tx_next_id; /* our number of the next stamped datagram (0 at registration) */
    uint32_t tx_id_offset; /* the kernel's OPT_ID minus our number (Linux 0, clknetsim 1) ... */
    bool tx_id_known;      /* ... once learnt from the first stamp */
    struct {
        uint32_t id;     /* OPT_ID of a reply */
        uint32_t client; /* its client table index, SERVER_NO_CLIENT: none */
    } ring[SERVER_TX_RING];
};

/* What one request gets. */
enum server_answer {
    SERVER_NONE, /* nothing */
    SERVER_TIME, /* a normal reply: its transmit timestamp is set just before sending */
    SERVER_KOD,  /* a Kiss-o'-Death (RATE or DENY, or an NTS NAK): no server time in it */
    SERVER_NTS,  /* an NTS reply: its transmit timestamp is set and authenticated already */
};

/* One request and its reply in a batch. */
struct server_slot {
    uint8_t req[SERVER_BUF_LEN];
    uint8_t control[SERVER_CONTROL_LEN];
    uint8_t reply[NTP_MAX_PACKET_LEN]; /* NTS replies carry extension fields */
    size_t reply_len;                  /* octets of reply to send, MAC or NTS fields included */
    const struct auth_key *key; /* the reply is signed with it (the request's key), or NULL */
    uint8_t reply_control[CMSG_SPACE(sizeof(struct in6_pktinfo)) + SERVER_STAMP_CMSG];
    struct sockaddr_storage from;
    uint32_t client;  /* client table index of the request's address, SERVER_NO_CLIENT */
    uint64_t rx_ntp;  /* receive timestamp (NTP format) */
    bool interleaved; /* the reply carries the previous reply's transmit time (RFC 9769) */
    bool nts_only;    /* restrict notrust: answered only when its NTS fields authenticate it */
};

struct server {
    const struct cfg *cfg;
    const struct auth_keyring *keys; /* trusted keys: signed requests are checked against them */
    struct acl acl;
    struct rl_table clients;
    struct rl_params limits;     /* for clients without `kod` */
    struct rl_params limits_kod; /* for clients with `restrict ... kod` */
    bool rate_all;               /* a ratelimit line: every client is limited */
    bool plain_io;
    struct ntp_server_state state;        /* from the snapshot, for the current batch */
    const struct msg_snapshot *snap;      /* the snapshot of the current batch (mode 6), or NULL */
    struct m6_bucket m6_local, m6_remote; /* mode 6 rate limits */
    struct m6_response m6;                /* mode 6 response buffers */
    const struct clk_map *map;  /* the clock, for the current batch (NTS transmit times) */
    struct nts_cookie_jar *nts; /* the cookie keys, NULL: NTS requests get plain replies */
    uint64_t nts_log_ns;        /* monotonic ns of the last NTS log line (rate limit) */
    struct server_stats stats;
    struct server_stats reported;
    uint64_t report_interval_ns, next_report_ns;
    struct server_socket sockets[SERVER_MAX_SOCKETS];
    /* batch buffers, allocated once with the server */
    struct server_slot slots[SERVER_BATCH];
    struct mmsghdr rx_msgs[SERVER_BATCH];
    struct iovec rx_iov[SERVER_BATCH];
    struct mmsghdr tx_msgs[SERVER_BATCH];
    struct iovec tx_iov[SERVER_BATCH];
    uint32_t tx_slot[SERVER_BATCH]; /* slot index of each queued reply */
    enum server_answer tx_kind[SERVER_BATCH];
    bool tx_stamped[SERVER_BATCH]; /* the reply carries a TX stamp request */
    struct mmsghdr err_msgs[SERVER_BATCH];
    uint8_t err_control[SERVER_BATCH][SERVER_ERR_CONTROL];
};

/* server_auth.c: the authentication of a valid request (pkt, decoded from slot->req, len
 * octets) that access control lets through (verdict: ACL_* bits). Sets slot->key (NULL: the
 * reply is unsigned) and returns true to go on, or counts the request and returns false to drop
 * it. */
bool server_auth_request(struct server *s, struct server_slot *slot, size_t len,
                         const struct ntp_packet *pkt, uint32_t verdict);

/* server_reply.c: the answer to slot i's request of len octets (truncated: MSG_TRUNC). Builds
 * the reply into the slot and counts the outcome. */
enum server_answer server_answer(struct server *s, struct server_slot *slot, size_t len,
                                 bool truncated, uint64_t now_ns);
/* The fields replies carry, from the parent's snapshot (NULL: unsynchronised); the root
 * dispersion grows with the snapshot's age (map: the clock now). */
void server_state_from_snapshot(const struct msg_snapshot *snap, const struct clk_map *map,
                                struct ntp_server_state *st);

/* server_nts.c: the answer to a request with NTS fields, in *answer; false when the request
 * is not NTS (or the server has no cookie keys): answer it as plain NTP. */
bool server_nts_answer(struct server *s, struct server_slot *slot, size_t len,
                       const struct ntp_packet *pkt, uint64_t now_ns, enum server_answer *answer);

/* server_control.c: true when slot i's request (len octets) is mode 6 or 7: it was handled
 * (answered or refused and counted) and must not go through server_answer(). */
bool server_control(struct server *s, struct server_socket *sock, int i, size_t len, bool truncated,
                    const struct clk_map *map, uint64_t now_ns);

/* server_io.c */
/* Send one datagram to slot i's client from the address it asked (IP_PKTINFO); false when the
 * kernel refused it. */
bool server_send_one(struct server *s, struct server_socket *sock, int i, const void *buf,
                     size_t len);
struct server_socket *server_socket_get(struct server *s, int fd);
void server_drain_tx(struct server *s, struct server_socket *sock, const struct clk_map *map);
/* Read up to SERVER_BATCH requests into the slots; returns how many (0: none pending). */
int server_receive(struct server *s, struct server_socket *sock, const struct clk_map *map);
/* Send the queued replies (n of them) and record their TX ids. */
void server_send(struct server *s, struct server_socket *sock, int n, const struct clk_map *map);

#endif
