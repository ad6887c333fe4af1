// SPDX-License-Identifier: ISC
/* Internals shared by net.c (event handling) and net_sources.c (source management). */
#ifndef TSYNC_DAEMON_NET_INT_H
#define TSYNC_DAEMON_NET_INT_H

#include "daemon/net/net.h"

/* Send a message to the parent; a failure means the parent is gone: the child stops. */
int net_send(struct net *n, uint16_t type, const void *payload, size_t len);

/* Builds n->notrust when a restrict rule has notrust; -1 when out of memory. */
int net_sources_notrust(struct net *n);
void net_sources_start(struct net *n, double now);
void net_sources_resolved(struct net *n, const struct msg_resolved *r, double now);
void net_sources_maintain(struct net *n, double now);
void net_remove_source(struct net *n, int slot);
/* Move slot's association to address a, port (the NTPv4 server NTS-KE negotiated); a no-op when
 * it is there already. The parent sees it removed and added again. -1 when the association
 * could not be opened again (it is gone then; its line is retried). */
int net_readdress_source(struct net *n, int slot, const struct msg_addr *a, unsigned port,
                         double now);

/* Test hooks (net_hooks.c): start the hostile behaviour kind names; play it for one loop turn
 * (true while it lasts: the loop then turns again at once). */
void net_hostile_start(struct net *n, const char *kind, double now);
bool net_hostile_run(struct net *n, double now);

#endif
