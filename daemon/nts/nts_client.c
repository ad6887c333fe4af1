// SPDX-License-Identifier: ISC
/* NTS for one client association (nts_client.h). */
#include "daemon/nts/nts_client.h"

#include <stdio.h>
#include <string.h>
#include <sys/random.h>

static bool random_bytes(uint8_t *buf, size_t len)
{
    return getrandom(buf, len, 0) == (ssize_t)len;
}

void nts_client_clear(struct nts_client *c)
{
    memset(c, 0, sizeof(*c));
}

void nts_client_set_session(struct nts_client *c, const uint8_t c2s[NTS_KEY_LEN],
                            const uint8_t s2c[NTS_KEY_LEN], unsigned ncookies,
                            const uint16_t *cookie_len, const uint8_t (*cookies)[NTS_COOKIE_MAX])
{
    nts_client_clear(c);
    nts_aead_init(&c->c2s, c2s);
    nts_aead_init(&c->s2c, s2c);
    c->keyed = true;
    for (unsigned i = 0; i < ncookies && i < NTS_MAX_COOKIES; i++) {
        if (cookie_len[i] == 0 || cookie_len[i] > NTS_COOKIE_MAX)
            continue;
        memcpy(c->cookies[c->count], cookies[i], cookie_len[i]);
        c->cookie_len[c->count++] = cookie_len[i];
    }
}

bool nts_client_ready(const struct nts_client *c)
{
    return c->keyed && c->count > 0;
}

/* Store a cookie, dropping the oldest when the ring is full. */
static void store_cookie(struct nts_client *c, const uint8_t *cookie, size_t len)
{
    unsigned slot;

    if (len == 0 || len > NTS_COOKIE_MAX)
        return;
    if (c->count == NTS_MAX_COOKIES) {
        c->head = (c->head + 1) % NTS_MAX_COOKIES;
        c->count--;
    }
    slot = (c->head + c->count) % NTS_MAX_COOKIES;
    memcpy(c->cookies[slot], cookie, len);
    c->cookie_len[slot] = (uint16_t)len;
    c->count++;
}

long nts_client_request_ef(struct nts_client *c, uint8_t *buf, size_t cap, size_t len)
{
    uint8_t nonce[NTS_NONCE_LEN];
    const uint8_t *cookie;
    size_t cookie_len, at = len;
    unsigned placeholders;
    bool ok;

    if (!nts_client_ready(c) || !random_bytes(c->uid, sizeof(c->uid)) ||
        !random_bytes(nonce, sizeof(nonce)))
        return -1;
    cookie = c->cookies[c->head];
    cookie_len = c->cookie_len[c->head];
    /* after the reply: count - 1 kept + 1 + placeholders new = NTS_MAX_COOKIES */
    placeholders = NTS_MAX_COOKIES - c->count;
    ok = nts_ef_write(buf, cap, &at, NTS_EF_UNIQUE_ID, c->uid, sizeof(c->uid)) &&
         nts_ef_write(buf, cap, &at, NTS_EF_COOKIE, cookie, cookie_len);
    for (unsigned i = 0; i < placeholders && ok; i++)
        ok = nts_ef_write(buf, cap, &at, NTS_EF_PLACEHOLDER, NULL, cookie_len);
    if (!ok || !nts_ef_write_auth(buf, cap, &at, &c->c2s, nonce, NULL, 0))
        return -1;
    /* a cookie is used once (RFC 8915 section 5.7): unlinkability */
    memset(c->cookies[c->head], 0, NTS_COOKIE_MAX);
    c->head = (c->head + 1) % NTS_MAX_COOKIES;
    c->count--;
    c->request_pending = true;
    c->nak = false;
    return (long)at;
}

static enum nts_reply unauth(struct nts_client *c, const char *why)
{
    snprintf(c->why, sizeof(c->why), "%s", why);
    c->unauth++;
    return NTS_REPLY_UNAUTH;
}

static bool uid_matches(const struct nts_client *c, const uint8_t *buf,
                        const struct nts_ef_layout *l)
{
    return c->request_pending && l->n_uid == 1 && l->uid_len == sizeof(c->uid) &&
           memcmp(buf + l->uid_off, c->uid, sizeof(c->uid)) == 0;
}

/* Store the cookies among the decrypted fields; returns how many. */
static unsigned take_cookies(struct nts_client *c, const uint8_t *plain, size_t len)
{
    size_t cursor = 0, off, body;
    unsigned n = 0;
    uint16_t type;

    while (nts_ef_next_plain(plain, len, &cursor, &type, &off, &body)) {
        if (type == NTS_EF_COOKIE && body > 0 && body <= NTS_COOKIE_MAX) {
            store_cookie(c, plain + off, body);
            n++;
        }
    }
    return n;
}

enum nts_reply nts_client_verify_reply(struct nts_client *c, const uint8_t *buf, size_t len,
                                       const struct ntp_packet *pkt)
{
    static uint8_t plain[NTS_EF_MAX_PLAIN];
    struct nts_ef_layout l;
    char err[96];
    long n;

    if (nts_ef_locate(buf, len, pkt, &l, err, sizeof(err)) < 0)
        return unauth(c, err);
    if (!uid_matches(c, buf, &l))
        return unauth(c, "no Unique Identifier or not the request's");
    if (ntp_kod_code(&pkt->hdr) != NTP_KOD_NONE && memcmp(pkt->hdr.refid, "NTSN", 4) == 0) {
        /* an NTS NAK is not authenticated (the server could not read the cookie) */
        c->request_pending = false;
        memset(c->cookies, 0, sizeof(c->cookies));
        c->head = c->count = 0;
        c->nak = true;
        return NTS_REPLY_NAK;
    }
    if (l.n_auth != 1)
        return unauth(c, "no NTS authenticator");
    n = nts_ef_open_auth(buf, &l, &c->s2c, plain, sizeof(plain));
    if (n < 0)
        return unauth(c, "the authenticator does not verify with the S2C key");
    c->request_pending = false;
    take_cookies(c, plain, (size_t)n);
    memset(plain, 0, (size_t)n);
    return NTS_REPLY_OK;
}
