// SPDX-License-Identifier: ISC
/*
 * NTS for one client association (prefix nts_client_): the C2S/S2C keys and up to
 * NTS_MAX_COOKIES cookies of the last NTS-KE session, the NTS fields added to each request and
 * the check of each reply (RFC 8915 section 5.7). I/O-free apart from getrandom() for the
 * Unique Identifier and nonces.
 *
 * Each request spends the oldest cookie and carries Cookie Placeholders so that the reply
 * brings the store back to NTS_MAX_COOKIES. A reply is used only when its Unique Identifier is
 * the request's and its authenticator opens with the S2C key; the cookies in its encrypted
 * fields are then stored. An NTS NAK (a KoD "NTSN" echoing the Unique Identifier) drops every
 * cookie. With no cookie left the association needs a new NTS-KE session; until then no
 * request is sent: the source is never used unauthenticated.
 */
#ifndef TSYNC_NTS_CLIENT_H
#define TSYNC_NTS_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/common/ntp_packet.h"
#include "daemon/nts/nts_aead.h"
#include "daemon/nts/nts_ef.h"
#include "daemon/nts/ntske_records.h"

enum nts_reply {
    NTS_REPLY_OK = 0,      /* authentic: use it */
    NTS_REPLY_NAK = -1,    /* NTS NAK for our request: the cookies are stale */
    NTS_REPLY_UNAUTH = -2, /* not authentic (no or bad authenticator, wrong identifier) */
};

struct nts_client {
    bool keyed; /* keys of an NTS-KE session are set */
    struct nts_aead c2s, s2c;
    unsigned head, count; /* ring of cookies, oldest at head */
    uint16_t cookie_len[NTS_MAX_COOKIES];
    uint8_t cookies[NTS_MAX_COOKIES][NTS_COOKIE_MAX];
    bool request_pending; /* uid is the outstanding request's */
    uint8_t uid[NTS_UID_LEN];
    bool nak;        /* the last event was an NTS NAK */
    uint32_t unauth; /* replies not authentic so far */
    char why[128];   /* the last reason a reply was not authentic */
};

/* Start over with the keys and cookies of an NTS-KE session. */
void nts_client_set_session(struct nts_client *c, const uint8_t c2s[NTS_KEY_LEN],
                            const uint8_t s2c[NTS_KEY_LEN], unsigned ncookies,
                            const uint16_t *cookie_len, const uint8_t (*cookies)[NTS_COOKIE_MAX]);

/* Forget keys and cookies. */
void nts_client_clear(struct nts_client *c);

/* A request can be sent (keys and at least one cookie). */
bool nts_client_ready(const struct nts_client *c);

/* Append the NTS fields (Unique Identifier, Cookie, Placeholders, Authenticator) to the
 * request of len octets in buf (the 48-octet header, or more); returns the new length, or -1
 * when no cookie is left or it does not fit cap. Spends one cookie. */
long nts_client_request_ef(struct nts_client *c, uint8_t *buf, size_t cap, size_t len);

/* Check a reply (buf, len decoded into pkt, origin already checked). On NTS_REPLY_OK its new
 * cookies are stored; on NTS_REPLY_NAK every cookie is dropped; on NTS_REPLY_UNAUTH c->why
 * says why. */
enum nts_reply nts_client_verify_reply(struct nts_client *c, const uint8_t *buf, size_t len,
                                       const struct ntp_packet *pkt);

#endif
