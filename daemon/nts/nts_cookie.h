// SPDX-License-Identifier: ISC
/*
 * The NTS server's cookies (prefix nts_cookie_): what a client hands back in every request so
 * the server keeps no state per client. A cookie holds the C2S and S2C keys of the client's
 * NTS-KE session, sealed with the server's current cookie key (daemon/nts/nts_keys.h):
 *
 *   key id (4, big endian) | nonce (16) | AEAD_AES_SIV_CMAC_256(key, nonce, ad = key id,
 *                                                     C2S key (32) | S2C key (32))
 *
 * NTS_COOKIE_LEN (100) octets in all, a multiple of 4 as an extension field body must be (the
 * server could not tell padding from cookie). The session's algorithm is always
 * AEAD_AES_SIV_CMAC_256, the only one tsyncd negotiates. I/O-free; the caller supplies the
 * nonce (random).
 */
#ifndef TSYNC_NTS_COOKIE_H
#define TSYNC_NTS_COOKIE_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/nts/nts_aead.h"
#include "daemon/nts/nts_keys.h"
#include "daemon/nts/ntske_records.h"

#define NTS_COOKIE_NONCE_LEN 16
#define NTS_COOKIE_PLAIN_LEN (2 * NTS_KEY_LEN)
#define NTS_COOKIE_LEN       (4 + NTS_COOKIE_NONCE_LEN + NTS_COOKIE_PLAIN_LEN + NTS_AEAD_TAG_LEN)

/* The ring with a ready cipher per key (key schedules computed once per key change). */
struct nts_cookie_jar {
    struct nts_keyring ring;
    struct nts_aead aead[NTS_SERVER_KEYS];
};

enum nts_cookie_result {
    NTS_COOKIE_OK = 0,
    NTS_COOKIE_UNKNOWN_KEY = -1, /* sealed with a key no longer (or never) held */
    NTS_COOKIE_BAD = -2,         /* wrong length, or does not authenticate */
};

/* Set up the jar for a key ring (copied). */
void nts_cookie_jar_set(struct nts_cookie_jar *jar, const struct nts_keyring *ring);

/* Make a cookie with the current key into out (NTS_COOKIE_LEN octets). -1 without a key. */
int nts_cookie_make(const struct nts_cookie_jar *jar, const uint8_t c2s[NTS_KEY_LEN],
                    const uint8_t s2c[NTS_KEY_LEN], const uint8_t nonce[NTS_COOKIE_NONCE_LEN],
                    uint8_t out[NTS_COOKIE_LEN]);

/* Open a cookie of len octets into the session's keys. */
enum nts_cookie_result nts_cookie_open(const struct nts_cookie_jar *jar, const uint8_t *cookie,
                                       size_t len, uint8_t c2s[NTS_KEY_LEN],
                                       uint8_t s2c[NTS_KEY_LEN]);

#endif
