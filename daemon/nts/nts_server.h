// SPDX-License-Identifier: ISC
/*
 * The NTP server's side of NTS (RFC 8915 section 5.7), prefix nts_server_: the check of a
 * request's NTS fields and the NTS fields of its reply. I/O-free apart from getrandom() for
 * nonces; the server (daemon/server/) owns sockets, access rules and the NTP header.
 *
 * A request is NTS when it carries an NTS Cookie field. It gets:
 *   - an NTS NAK (a KoD "NTSN" echoing the Unique Identifier) when the cookie does not open
 *     (sealed under a key the server no longer has, or not a cookie of this server);
 *   - nothing when the Unique Identifier or the authenticator is missing or does not verify
 *     with the cookie's C2S key, or a placeholder differs in length from the cookie;
 *   - else a reply with the Unique Identifier and, inside the authenticator (S2C key), one new
 *     cookie plus one per placeholder (NTS_MAX_COOKIES at most), never longer than the request
 *     (RFC 8915 section 5.7: no amplification): cookies that do not fit are left out.
 */
#ifndef TSYNC_NTS_SERVER_H
#define TSYNC_NTS_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/common/ntp_packet.h"
#include "daemon/nts/nts_cookie.h"
#include "daemon/nts/nts_ef.h"

enum nts_server_verdict {
    NTS_SERVER_PLAIN = 0, /* no NTS Cookie field: an unauthenticated request */
    NTS_SERVER_REPLY,     /* authentic: answer with nts_server_finish() */
    NTS_SERVER_NAK,       /* answer with an NTS NAK (nts_server_nak()) */
    NTS_SERVER_DROP,      /* answer nothing */
};

/* What the check learnt about a request. */
struct nts_server_request {
    struct nts_ef_layout layout;
    uint8_t c2s[NTS_KEY_LEN], s2c[NTS_KEY_LEN];
    char why[96]; /* NAK and DROP: the reason, for the log */
};

enum nts_server_verdict nts_server_check(const struct nts_cookie_jar *jar, const uint8_t *buf,
                                         size_t len, const struct ntp_packet *pkt,
                                         struct nts_server_request *req);

/* out[0, NTP_HEADER_LEN) holds the reply's header: append the Unique Identifier of request buf
 * (of request_len octets) and the authenticator with the new cookies. Returns the reply's
 * length (<= request_len), or -1 (no randomness, no key). */
long nts_server_finish(const struct nts_cookie_jar *jar, const struct nts_server_request *req,
                       const uint8_t *buf, size_t request_len, uint8_t *out, size_t cap);

/* out[0, NTP_HEADER_LEN) holds a KoD "NTSN" header: append the request's Unique Identifier.
 * Returns the NAK's length (<= request_len), or -1 when the request had no identifier. */
long nts_server_nak(const struct nts_server_request *req, const uint8_t *buf, size_t request_len,
                    uint8_t *out, size_t cap);

#endif
