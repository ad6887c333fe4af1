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
#include "hwts/timestamping.h"

#define CLIENT_IBURST_PACKETS  6 /* requests of an iburst (NTPsec), CLIENT_BURST_SPACING_S apart */
#define CLIENT_BURST_SPACING_S 2.0

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
    uint32_t tx_count;       /* datagrams sent on fd: the OPT_ID of the next one */
    uint64_t org;            /* random transmit timestamp of the outstanding request, 0: none */
    uint32_t org_id;         /* its OPT_ID */
    struct timespec t1;      /* its send time (user space, then the kernel TX stamp) */
    struct timespec t1_user; /* the user-space send time, to check hardware stamps against */
    enum ts_source t1_source;
    uint32_t t1_generation; /* clock map generation t1 was taken with */
    double next_poll;       /* monotonic s */
    int poll_log2;          /* from the parent's snapshot, within minpoll..maxpoll */
    int kod_min_poll;       /* poll floor after a RATE kiss */
    int burst_left;         /* requests of the current burst still to send */
    int unanswered;         /* consecutive polls without a reply */
};

/* Open the association's socket (connected to addr, kernel timestamps) and schedule its first
 * poll at now. Returns 0 or -1 (errno). */
int client_open(struct client *c, const struct sockaddr *addr, socklen_t addrlen, double now,
                unsigned ts_flags);
void client_close(struct client *c);

/* Seconds until the next request is due (<= 0: due now). */
double client_time_to_poll(const struct client *c, double now);

/* Send a request now (random transmit timestamp). Either way it is a poll (the caller reports
 * MSG_SOURCE_POLLED); a send error (logged at debug level) counts as unanswered. Returns 0 when
 * sent, -1 on a send error. */
int client_poll(struct client *c, const struct client_clock *clock, double now);

/* Read what the socket holds (replies and TX timestamps). On CLIENT_SAMPLE, *sample is
 * filled (slot set). Call until it returns CLIENT_NOTHING. */
enum client_event client_receive(struct client *c, const struct client_clock *clock, double now,
                                 struct msg_sample *sample);

/* Start a burst of CLIENT_IBURST_PACKETS requests now (the parent asked, after a disruption
 * of the clock), unless the server asked us to slow down (KoD RATE). */
void client_burst(struct client *c, double now);

/* Poll exponent suggested by the parent (-1: keep). */
void client_set_poll(struct client *c, int poll_log2);

#endif
