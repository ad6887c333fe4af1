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

#include "daemon/config/config.h"
#include "daemon/net/hwclock.h"
#include "daemon/common/msg.h"
#include "daemon/nts/nts_client.h"
#include "hwts/timestamping.h"

#define CLIENT_IBURST_PACKETS  6 /* requests of an iburst (NTPsec), CLIENT_BURST_SPACING_S apart */
#define CLIENT_BURST_SPACING_S 2.0
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
};

struct client {
    bool in_use;
    uint32_t slot;
    uint8_t kind; /* enum msg_source_kind */
    uint32_t cfg_index;
    const struct cfg_source *cfg;
    struct sockaddr_storage addr;
    socklen_t addrlen;
    int fd;
    enum ts_mode ts_mode;
    uint32_t tx_count;       /* datagrams sent on fd (0, 1, 2 ...): the number of the next one */
    uint32_t tx_id_offset;   /* OPT_ID of datagram i is i + this (Linux 0, clknetsim 1) ... */
    bool tx_id_known;        /* ... once learned from the first datagram's stamp */
    uint64_t org;            /* random transmit timestamp of the outstanding request, 0: none */
    uint32_t org_id;         /* its datagram number */
    struct timespec t1;      /* its send time (user space, then the kernel TX stamp) */
    struct timespec t1_user; /* the user-space send time, to check hardware stamps against */
    enum ts_source t1_source;
    uint32_t t1_generation; /* clock map generation t1 was taken with */
    double next_poll;       /* monotonic s */
    int poll_log2;          /* from the parent's snapshot, within minpoll..maxpoll */
    int kod_min_poll;       /* poll floor after a RATE kiss */
    int burst_left;         /* requests of the current burst still to send */
    int unanswered;         /* consecutive polls without a reply */
    double retry_at;        /* monotonic s: repeat the outstanding request then */
    int retries_left;       /* repetitions left for the outstanding request */
    uint32_t rejected[MSG_REJECT_COUNT]; /* replies dropped here, by reason (enum msg_reject) */
    struct nts_client *nts;              /* NTS (daemon/net/net_nts.h), NULL: plain NTP */
};

/* Open the association's socket (connected to addr, kernel timestamps) and schedule its first
 * poll at now. Returns 0 or -1 (errno). */
int client_open(struct client *c, const struct sockaddr *addr, socklen_t addrlen, double now,
                unsigned ts_flags);
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
enum client_event client_receive(struct client *c, const struct client_clock *clock, double now,
                                 short revents, struct msg_sample *sample);

/* Poll exponent suggested by the parent (-1: keep). */
void client_set_poll(struct client *c, int poll_log2);

#endif
