// SPDX-License-Identifier: ISC
/*
 * NTS extension fields of NTPv4 packets (RFC 8915 section 5), prefix nts_ef_: where the Unique
 * Identifier, NTS Cookie, Cookie Placeholder and NTS Authenticator and Encrypted Extension
 * Fields fields of a packet are, how they are written, and the authenticator's sealing and
 * opening with the negotiated AEAD. I/O-free.
 *
 * Rules checked by nts_ef_locate(): at most one Unique Identifier (body >= NTS_UID_MIN_LEN),
 * NTS Cookie and Authenticator field each; the Authenticator is the last field (no MAC after
 * it) and its nonce is at least NTS_NONCE_MIN_LEN octets and its ciphertext at least a tag;
 * padding octets of the authenticator are not checked (they are authenticated data only up to
 * the field, RFC 8915 section 5.6).
 */
#ifndef TSYNC_NTS_EF_H
#define TSYNC_NTS_EF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/common/ntp_packet.h"
#include "daemon/nts/nts_aead.h"

#define NTS_EF_UNIQUE_ID     0x0104
#define NTS_EF_COOKIE        0x0204
#define NTS_EF_PLACEHOLDER   0x0304
#define NTS_EF_AUTHENTICATOR 0x0404
#define NTS_UID_LEN          32 /* Unique Identifier tsyncd sends */
#define NTS_UID_MIN_LEN      32 /* shortest accepted (RFC 8915: at least 32 octets) */
#define NTS_NONCE_LEN        16 /* nonce tsyncd sends */
#define NTS_NONCE_MIN_LEN    16
#define NTS_EF_MAX_PLAIN     1024 /* largest encrypted-field plaintext handled, octets */

/* Where the NTS fields of a decoded packet are (offsets into the packet; 0 when absent). */
struct nts_ef_layout {
    unsigned n_uid, n_cookie, n_auth; /* how many of each were seen */
    unsigned placeholders;            /* Cookie Placeholder fields */
    size_t placeholder_len;           /* body length of the first placeholder */
    bool placeholder_mismatch;        /* one of them differs in body length from the cookie */
    size_t uid_off, uid_len;          /* body */
    size_t cookie_off, cookie_len;    /* body */
    size_t auth_off;                  /* field header: the associated data is buf[0, auth_off) */
    size_t nonce_off, nonce_len;
    size_t sealed_off, sealed_len; /* AEAD output: tag then ciphertext */
};

/* Locate the NTS fields of buf (accepted by ntp_packet_decode() into pkt). 0, or -1 with err
 * when a rule above is broken. A packet without NTS fields gives 0 with all counts 0. */
int nts_ef_locate(const uint8_t *buf, size_t len, const struct ntp_packet *pkt,
                  struct nts_ef_layout *out, char *err, size_t errlen);

/* The octets an extension field with a body of body_len takes (header and padding to 4). */
size_t nts_ef_size(size_t body_len);

/* Write a field (body NULL: zeros; zero padding to 4 octets) at buf[*at] and advance *at.
 * false (nothing written) when it does not fit cap. */
bool nts_ef_write(uint8_t *buf, size_t cap, size_t *at, uint16_t type, const uint8_t *body,
                  size_t body_len);

/* Write the Authenticator field at buf[*at]: nonce (NTS_NONCE_LEN), plaintext plain sealed with
 * key over the associated data buf[0, *at); advance *at. false when it does not fit. */
bool nts_ef_write_auth(uint8_t *buf, size_t cap, size_t *at, const struct nts_aead *key,
                       const uint8_t nonce[NTS_NONCE_LEN], const uint8_t *plain, size_t plain_len);

/* The octets nts_ef_write_auth() adds for a plaintext of plain_len. */
size_t nts_ef_auth_size(size_t plain_len);

/* Open the authenticator of a located packet with key into plain (cap octets, at least
 * NTS_EF_MAX_PLAIN). Returns the plaintext length, or -1 when it does not authenticate. */
long nts_ef_open_auth(const uint8_t *buf, const struct nts_ef_layout *l, const struct nts_aead *key,
                      uint8_t *plain, size_t cap);

/* Iterate over the fields of a plaintext (the decrypted encrypted fields): start with
 * *cursor = 0; true with *type, *body_off, *body_len set while a well-formed field remains. */
bool nts_ef_next_plain(const uint8_t *plain, size_t len, size_t *cursor, uint16_t *type,
                       size_t *body_off, size_t *body_len);

#endif
