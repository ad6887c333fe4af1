// SPDX-License-Identifier: ISC
/*
 * NTS in the network child (prefix net_nts_): the channel to the NTS-KE role, each NTS
 * source's life (NTS-KE, the negotiated NTPv4 server, cookies, NTS NAK, retries), and the NTS
 * server's cookie keys (sealing cookies for NTS-KE sessions of the NTS-KE role, opening them in
 * the NTP server).
 *
 * An NTS source is added to the parent at once (with the NTS-KE server's address) so that
 * `tsyncctl sources` shows it, but sends no NTP request before NTS-KE gave it keys and
 * cookies: its next poll is held. Then it polls at the address and port NTS-KE negotiated
 * (re-added to the parent when they differ). When its cookies run out or an NTS NAK arrives it
 * runs NTS-KE again; a failed NTS-KE is retried after NET_NTS_RETRY_MIN_S, doubling up to
 * NET_NTS_RETRY_MAX_S. It never falls back to unauthenticated NTP.
 */
#ifndef TSYNC_NET_NTS_H
#define TSYNC_NET_NTS_H

#include <stdbool.h>
#include <stdint.h>

#include "daemon/common/chan.h"
#include "daemon/common/msg.h"
#include "daemon/nts/nts_client.h"
#include "daemon/nts/nts_cookie.h"

#define NET_NTS_RETRY_MIN_S 8.0
#define NET_NTS_RETRY_MAX_S 3600.0
#define NET_NTS_HOLD_S      1e9 /* "no poll" while a source has no cookie */

struct net;
struct client;

/* One NTS source (a client slot). */
struct net_nts_source {
    bool active;              /* the slot is an NTS source */
    struct msg_addr ke_addr;  /* the NTS-KE server (where the configured name led) */
    struct nts_client client; /* keys and cookies */
    uint8_t state;            /* enum msg_nts_state */
    uint8_t last_status;      /* enum msg_ntske_status of the last NTS-KE */
    bool ke_in_flight;
    uint32_t ke_id;     /* the request in flight */
    double ke_retry_at; /* `now` of the next NTS-KE, 0: none planned */
    double ke_backoff_s;
    double ke_last_ok; /* `now` of the last successful NTS-KE, -1: none */
    uint32_t ke_ok, ke_failures, naks;
    uint32_t unauth_logged; /* unauthentic replies already reported */
    bool resolving;         /* the negotiated NTPv4 server's name is being resolved */
    uint32_t resolve_id;
    unsigned ntp_port; /* negotiated, or the configured port */
};

struct net_nts {
    struct chan ch; /* to the NTS-KE role, closed when there is none */
    uint32_t rx_seq, tx_seq;
    uint32_t next_id;
    bool have_keys;
    struct nts_cookie_jar jar; /* the NTS server's cookie keys (MSG_NTS_KEYS) */
    uint64_t ke_sessions;      /* NTS-KE server sessions given cookies */
    struct net_nts_source src[MSG_NTP_SLOTS];
};

void net_nts_init(struct net *n);

/* A new association of an NTS source line (client opened, not yet announced): hold its polls
 * and run NTS-KE. */
void net_nts_attach(struct net *n, struct client *c, double now);
/* The association is gone. */
void net_nts_detach(struct net *n, int slot);

/* Messages from the NTS-KE role; retries and renewals due. Call every loop turn. */
void net_nts_dispatch(struct net *n, double now);
/* poll() descriptor of the NTS-KE channel (-1 in-process) and whether it must not wait. */
int net_nts_fd(const struct net *n);
bool net_nts_ready(const struct net *n);
/* Seconds until net_nts_dispatch() has something to do (a retry). */
double net_nts_timeout(const struct net *n, double now);

/* The parent's MSG_NTS_KEYS. */
void net_nts_keys(struct net *n, const struct msg_nts_keys *m);

/* A resolver answer for a negotiated NTPv4 server name: true when it was one. */
bool net_nts_resolved(struct net *n, const struct msg_resolved *r, double now);

/* Fill the snapshot's NTS fields (control socket answers). */
void net_nts_fill_snapshot(const struct net *n, struct msg_snapshot *snap, double now);

#endif
