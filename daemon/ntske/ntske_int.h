// SPDX-License-Identifier: ISC
/* Internals of the NTS-KE role shared by ntske_role.c (channels, dispatch) and
 * ntske_session.c (one TLS session's steps). */
#ifndef TSYNC_NTSKE_INT_H
#define TSYNC_NTSKE_INT_H

#include <poll.h>
#include <stdint.h>

#include "daemon/common/msg.h"
#include "daemon/nts/ntske_records.h"
#include "daemon/ntske/ntske.h"
#include "daemon/ntske/ntske_tls.h"

enum ntske_phase {
    NTSKE_FREE = 0,
    NTSKE_CONNECTING, /* client: TCP connect in progress */
    NTSKE_HANDSHAKE,
    NTSKE_SEND,    /* the request (client) or the response (server) */
    NTSKE_RECV,    /* the response (client) or the request (server) */
    NTSKE_COOKIES, /* server: waiting for MSG_NTSKE_COOKIES from the network child */
};

struct ntske_session {
    enum ntske_phase phase;
    bool server;
    bool close_after_send; /* server: an error response */
    int fd;
    struct ntske_tls *tls;
    short events; /* what the next step waits for */
    double deadline;
    uint32_t id;             /* client: the request's id; server: the cookie request's id */
    char host[MSG_HOST_LEN]; /* client: the server's name; server: the client's address */
    uint8_t in[NTSKE_MAX_MESSAGE];
    size_t in_len;
    uint8_t out[4096];
    size_t out_len, out_sent;
    uint8_t c2s[MSG_NTS_KEY_LEN], s2c[MSG_NTS_KEY_LEN];
};

struct ntske_role {
    const struct cfg *cfg;
    struct ntske_tls_creds *creds;
    struct chan net;
    uint32_t net_rx_seq, net_tx_seq;
    int listener;
    int control; /* from the parent, -1: none */
    uint32_t control_seq;
    bool *stop;
    uint32_t next_cookie_id;
    struct ntske_session sessions[NTSKE_MAX_SESSIONS];
};

/* ntske_session.c */
/* Start a client session for a request; on failure a result is sent at once. */
void ntske_session_client(struct ntske_role *r, const struct msg_ntske_request *req, double now);
/* A connection accepted by the listener. */
void ntske_session_server(struct ntske_role *r, int fd, const char *peer, double now);
/* Run the session's next steps after poll reported revents (0: its deadline check only). */
void ntske_session_run(struct ntske_role *r, struct ntske_session *s, short revents, double now);
/* The network child's cookies for server session id. */
void ntske_session_cookies(struct ntske_role *r, const struct msg_ntske_cookies *c, double now);
/* End a session (closes its socket). */
void ntske_session_end(struct ntske_session *s);

/* ntske_role.c: send to the network child; false when it is not there. */
bool ntske_send_net(struct ntske_role *r, uint16_t type, const void *payload, size_t len);

#endif
