// SPDX-License-Identifier: ISC
/*
 * The network child (prefix net_): all packet I/O and parsing. It runs unprivileged, chrooted
 * and under seccomp (daemon.c sets that up), polls the configured sources, answers NTP clients
 * and the control socket, and talks to the parent only through daemon/common/msg.h messages.
 */
#ifndef TSYNC_DAEMON_NET_H
#define TSYNC_DAEMON_NET_H

#include <stdbool.h>

#include "daemon/common/chan.h"
#include "daemon/net/client.h"
#include "daemon/config/config.h"
#include "daemon/net/hwclock.h"
#include "daemon/net/net_nts.h"
#include "daemon/common/loop.h"
#include "daemon/common/msg.h"
#include "daemon/server/acl.h"
#include "daemon/control/metrics_server.h"
#include "daemon/server/server.h"

#define NET_MAX_SERVER_FDS     8
#define NET_SYSSTATS_DEFAULT_S 3600.0 /* the server counters go to the parent (sysstats) */
#define NET_SYSSTATS_ENV       "TSYNCD_SYSSTATS_S"
#define NET_POOL_ADDRS         4 /* associations per pool line */

/* File descriptors the parent hands over (all already bound). */
struct net_fds {
    struct chan parent;   /* to the parent (socket, or in-process with --single-process) */
    struct chan resolver; /* to the resolver, closed if none */
    struct chan ntske;    /* to the NTS-KE role, closed if none */
    int control;          /* listening control socket, -1 if none */
    int metrics;          /* listening metrics (HTTP) socket, -1 if none */
    int server[NET_MAX_SERVER_FDS];
    int nserver;
    struct hwclock_set *hw; /* NICs with hardware timestamps (opened by the parent), or NULL */
};

/* Name resolution state of one configuration line. */
struct net_name {
    bool pending; /* a request is in flight */
    uint32_t request_id;
    double next_try; /* monotonic s; 0: now */
    double retry_s;  /* backoff */
};

struct net {
    const struct cfg *cfg;
    struct net_fds fds;
    struct resolver_client *resolver;
    struct control *control;
    struct metrics_server *metrics; /* NULL: no `metrics` line */
    struct clk_map map;
    uint32_t map_generation; /* of the last CLOCK_MAP; 0: none yet (no polling, no serving) */
    struct msg_snapshot snap;
    bool have_snapshot;
    uint32_t rx_seq, tx_seq;
    struct client clients[MSG_NTP_SLOTS]; /* index = slot */
    struct client_pool pool;              /* their sockets, opened before the sandbox */
    double next_heartbeat;                /* monotonic s */
    uint32_t heartbeats;
    struct net_name names[CFG_MAX_SOURCES];
    struct server *server; /* NULL when not serving */
    struct net_nts nts;    /* NTS sources, the NTS-KE channel, the NTS server's cookie keys */
    struct acl notrust;    /* `restrict ... notrust`: sources at these addresses need a key */
    bool have_notrust;     /* some restrict rule has notrust (notrust is built) */
    bool stop;
    uint64_t dropped_to_parent; /* messages not sent because the parent was busy */
    double hw_next;             /* monotonic s: the next NIC clock reading is due */
    bool test_hooks;            /* TSYNCD_TEST_HOOKS=1: SIGUSR1/SIGUSR2 test hooks */
    char hostile;               /* hostile behaviour being played (net_hooks.c), 0: none */
    double hostile_until;
    uint32_t hostile_lines;
    int nfds_control;
    int nfds_metrics;
    double sysstats_next;       /* monotonic s: the next MSG_SERVER_STATS */
    double sysstats_interval_s; /* between them */
};

/* Prepare the child's state (no I/O yet). */
void net_init(struct net *n, const struct cfg *cfg, const struct net_fds *fds, bool test_hooks);
/* Open the client sockets the configuration needs (client_pool_size): before the seccomp
 * filter, which forbids socket(). */
void net_open_sockets(struct net *n);
/* The child's log lines go to the parent (MSG_LOG) and its log file is closed: after this
 * the process holds no log descriptor. */
void net_forward_logs(struct net *n);
/* Start: HELLO to the parent, numeric sources added, names sent to the resolver. */
int net_start(struct net *n, double now);
/* The child's loop role. */
struct loop_role net_role(struct net *n);
void net_fini(struct net *n);

/* Test hooks (set from signal handlers). */
void net_request_forbidden_syscall(void);
void net_request_hostile_messages(void);

#endif
