// SPDX-License-Identifier: ISC
/*
 * One NTP client association in the network child (prefix client_): its own connected UDP
 * socket with kernel timestamps, the poll schedule with iburst, the origin-timestamp check and
 * Kiss-o'-Death handling. Replies become MSG_SAMPLE messages for the parent; the discipline
 * (filtering, reach, selection) is the parent's.
 *
 * Local times (t1, t4) are taken on the host CLOCK_REALTIME (kernel stamps) and converted with
 * the clock map the parent sends, so they are times of the disciplined clock.
 */
#ifndef TSYNC_DAEMON_CLIENT_H
#define TSYNC_DAEMON_CLIENT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "daemon/common/auth.h"
#include "daemon/config/config.h"
#include "daemon/net/hwclock.h"
#include "daemon/common/msg.h"
#include "daemon/nts/nts_client.h"
#include "hwts/timestamping.h"

#define CLIENT_IBURST_PACKETS  6 /* requests of an iburst (NTPsec), CLIENT_BURST_SPACING_S apart */
#define CLIENT_BURST_SPACING_S 2.0
#define CLIENT_RECV_BUF        1280 /* octets read of a reply (longer ones are truncated) */
/* Unanswered requests are repeated as daemon/common/msg.h says (MSG_RETRIES). */

/* How the network child reads time: the parent's clock map, its generation (+1 per step), and
 * the NIC clocks for hardware stamps (NULL: none). */
struct client_clock {
    const struct clk_map *map;
    uint32_t generation;
    const struct hwclock_set *hw;
};

enum client_event {
    CLIENT_NOTHING = 0, /* nothing usable was received */
    CLIENT_SAMPLE,      /* *sample is valid: send it to the parent */
    CLIENT_KOD_RATE,    /* RATE: poll interval raised */
    CLIENT_KOD_STOP,    /* DENY or RSTR: stop using the source (remove it) */
    CLIENT_ANSWERED,    /* a reply to our request that gives no sample: answered_reason */
};

/* The local half of one exchange: our request and, once answered, the arrival of its reply.
 * Times are of the disciplined clock (converted with the clock map of `generation`). */
struct client_exchange {
    uint32_t datagram;       /* number of the request on the socket (TX stamp matching) */
    struct timespec t1;      /* request sent: user space, then the kernel or NIC TX stamp */
    struct timespec t1_user; /* the user-space send time, to check hardware stamps against */
    enum ts_source t1_source;
    uint32_t generation; /* clock map generation t1 (and t4) were taken with */
    bool answered;       /* a reply arrived: t4 and server_rx are set */
    struct timespec t4;  /* reply received */
    enum ts_source t4_source;
    uint64_t server_rx; /* the reply's receive timestamp (T2), NTP format */
    bool sampled;       /* already turned into a sample */
};

/* The UDP sockets of the client associations, per address family, opened at start-up (before
 * the seccomp filter forbids socket()) and reused: client_open() takes a free one of the
 * address's family and connects it, client_close() gives it back. */
#define CLIENT_POOL_MAX   MSG_NTP_SLOTS /* per family */
#define CLIENT_POOL_SPARE 2             /* beyond what the configuration needs */
struct client_pool {
    int fd[2][CLIENT_POOL_MAX]; /* [0] AF_INET, [1] AF_INET6 */
    enum ts_mode mode[2][CLIENT_POOL_MAX];
    bool busy[2][CLIENT_POOL_MAX];
    int n[2];
};

/* The sockets cfg's sources may need: per family, one per `server` line and pool_addrs per `pool`
 * line that may use it, plus CLIENT_POOL_SPARE, at most CLIENT_POOL_MAX (none for a
 * family no source uses). */
void client_pool_size(const struct cfg *cfg, int pool_addrs, int *n4, int *n6);

/* Open n4 IPv4 and n6 IPv6 sockets with timestamping (ts_flags as ts_enable()). A family the
 * host lacks gets none (not an error). Returns the number of sockets opened. */
int client_pool_open(struct client_pool *p, int n4, int n6, unsigned ts_flags);
void client_pool_close(struct client_pool *p);

/* The pool's descriptors (for the seccomp filter's connect rule): fills fds, returns the count. */
size_t client_pool_fds(const struct client_pool *p, int *fds, size_t max);

struct client {
    bool in_use;
    uint32_t slot;
    uint8_t kind; /* enum msg_source_kind */
    uint32_t cfg_index;
    const struct cfg_source *cfg;
    struct sockaddr_storage addr;
    socklen_t addrlen;
    int fd;
    struct client_pool *pool; /* fd belongs to it (client_open) */
    enum ts_mode ts_mode;
    uint32_t tx_count;          /* datagrams sent on fd (0, 1, 2 ...): the number of the next one */
    uint32_t tx_id_offset;      /* OPT_ID of datagram i is i + this (Linux 0, clknetsim 1) ... */
    bool tx_id_known;           /* ... once learned from the first datagram's stamp */
    uint64_t org;               /* random transmit timestamp of the outstanding request, 0: none */
    struct client_exchange cur; /* the outstanding request (or the last one) */
    /* Interleaved mode (RFC 9769, `xleave`): the request carries the previous reply's receive
     * timestamp as its origin and a random receive field; a server that interleaves echoes
     * that field as the origin and sends the true transmit time of its previous reply, which
     * completes the previous exchange `prev`. */
    bool xleave;
    uint64_t rx_cookie;          /* random receive field of the outstanding request, 0: none */
    struct client_exchange prev; /* the answered exchange before `cur` */
    bool interleaved;            /* the last sample came from an interleaved reply */
    bool hw_tx_expected;         /* the NIC stamped the last request: client_await_hw_tx() */
    double next_poll;            /* monotonic s */
    int poll_log2;               /* from the parent's snapshot, within minpoll..maxpoll */
    int kod_min_poll;            /* poll floor after a RATE kiss */
    int burst_left;              /* requests of the current burst still to send */
    int unanswered;              /* consecutive polls without a reply */
    double retry_at;             /* monotonic s: repeat the outstanding request then */
    int retries_left;            /* repetitions left for the outstanding request */
    uint32_t rejected[MSG_REJECT_COUNT]; /* replies dropped here that answered no request of
                                          * ours (malformed, origin, authentication) */
    uint8_t answered_reason;             /* CLIENT_ANSWERED: why no sample (enum msg_reject) */
    /* Symmetric-key authentication (client_auth.c): */
    const struct auth_key *key; /* requests signed, replies verified with it; NULL: none */
    uint64_t auth_rejected;     /* replies dropped by the check (unsigned, wrong key, bad MAC...) */
    uint64_t auth_logged;       /* auth_rejected when the last one was logged */
    double auth_log_next;       /* monotonic s: the next rejection may be logged then */
    struct nts_client *nts;     /* NTS (daemon/net/net_nts.h), NULL: plain NTP */
};

/* Take a socket of addr's family from pool, connect it to addr (what it still held of an earlier
 * association is dropped: replies, TX stamps) and schedule the first poll at now. Returns 0,
 * or -1 with errno (EMFILE: no free socket of that family). */
int client_open(struct client *c, struct client_pool *pool, const struct sockaddr *addr,
                socklen_t addrlen, double now);
/* End the association; its socket goes back to the pool. */
void client_close(struct client *c);

/* Seconds until the next request is due (<= 0: due now): the next poll, or the repetition of
 * an unanswered request. */
double client_time_to_poll(const struct client *c, double now);

/* The request due now repeats an unanswered one (MSG_SOURCE_POLLED with MSG_POLL_RETRY). */
bool client_retry_due(const struct client *c, double now);

/* Send the request that is due now (random transmit timestamp): a poll or a repetition.
 * Either way the caller reports MSG_SOURCE_POLLED; a send error (logged at debug level)
 * counts as unanswered. Returns 0 when sent, -1 on a send error. */
int client_poll(struct client *c, const struct client_clock *clock, double now);

/* What poll() reported on the socket: first client_read_tx() (a TX timestamp from the error
 * queue, on POLLERR or POLLPRI only: under clknetsim a read of an empty error queue consumes
 * the next reply), then client_receive() for the replies (on POLLIN). On CLIENT_SAMPLE,
 * *sample is filled (slot set). Call client_receive() until it returns CLIENT_NOTHING. */
void client_read_tx(struct client *c, const struct client_clock *clock, short revents);
/* A reply can overtake its request's hardware TX stamp (igb reports it from a work queue,
 * after the kernel stamp). When the NIC stamped the previous request, client_receive() waits
 * up to CLIENT_HW_TX_WAIT_MS for this one's before it uses a reply; a stamp that does not come
 * in time clears the expectation until the NIC stamps again (one wait, not one per reply). */
#define CLIENT_HW_TX_WAIT_MS 5
void client_await_hw_tx(struct client *c, const struct client_clock *clock);
enum client_event client_receive(struct client *c, const struct client_clock *clock, double now,
                                 short revents, struct msg_sample *sample);

/* client_auth.c: true when a reply (buf[0..len), decoded into pkt) passes the source's
 * authentication (daemon/common/auth.h auth_check_reply()); otherwise it is counted, logged at
 * most every CLIENT_AUTH_LOG_S, and must be dropped before anything else looks at it. */
#define CLIENT_AUTH_LOG_S 600.0
bool client_reply_authentic(struct client *c, const uint8_t *buf, size_t len,
                            const struct ntp_packet *pkt, double now);

/* Start a burst of CLIENT_IBURST_PACKETS requests now (the parent asked, after a disruption
 * of the clock), unless the server asked us to slow down (KoD RATE). */
void client_burst(struct client *c, double now);

/* The poll exponent in use: the parent's, raised by a KoD RATE, at most CFG_MAX_POLL. */
int client_effective_poll(const struct client *c);

/* Poll exponent suggested by the parent (-1: keep). */
void client_set_poll(struct client *c, int poll_log2);

#endif
