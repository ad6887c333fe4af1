// SPDX-License-Identifier: ISC
/* The NTP server's side of NTS (nts_server.h). */
#include "daemon/nts/nts_server.h"

#include <stdio.h>
#include <string.h>
#include <sys/random.h>

static enum nts_server_verdict verdict(struct nts_server_request *req, enum nts_server_verdict v,
                                       const char *why)
{
    snprintf(req->why, sizeof(req->why), "%s", why);
    return v;
}

enum nts_server_verdict nts_server_check(const struct nts_cookie_jar *jar, const uint8_t *buf,
                                         size_t len, const struct ntp_packet *pkt,
                                         struct nts_server_request *req)
{
    static uint8_t plain[NTS_EF_MAX_PLAIN];
    struct nts_ef_layout *l = &req->layout;
    struct nts_aead c2s;
    char err[96];
    long n;

    memset(req, 0, sizeof(*req));
    if (nts_ef_locate(buf, len, pkt, l, err, sizeof(err)) < 0)
        return l->n_cookie > 0 ? verdict(req, NTS_SERVER_DROP, err) : NTS_SERVER_PLAIN;
    if (l->n_cookie == 0)
        return NTS_SERVER_PLAIN;
    if (l->n_uid != 1)
        return verdict(req, NTS_SERVER_DROP, "no Unique Identifier");
    switch (nts_cookie_open(jar, buf + l->cookie_off, l->cookie_len, req->c2s, req->s2c)) {
    case NTS_COOKIE_OK:
        break;
    case NTS_COOKIE_UNKNOWN_KEY:
        return verdict(req, NTS_SERVER_NAK, "cookie sealed with a key no longer held");
    default:
        return verdict(req, NTS_SERVER_NAK, "cookie does not open");
    }
    if (l->n_auth != 1)
        return verdict(req, NTS_SERVER_DROP, "no authenticator");
    if (l->placeholder_mismatch)
        return verdict(req, NTS_SERVER_DROP, "a placeholder differs in length from the cookie");
    nts_aead_init(&c2s, req->c2s);
    n = nts_ef_open_auth(buf, l, &c2s, plain, sizeof(plain));
    if (n < 0)
        return verdict(req, NTS_SERVER_DROP, "the authenticator does not verify");
    memset(plain, 0, (size_t)n); /* encrypted fields of a client: none are known */
    return NTS_SERVER_REPLY;
}

/* Cookies that fit a reply of at most max_len after the header and identifier (at). */
static unsigned cookies_that_fit(unsigned wanted, size_t at, size_t max_len)
{
    size_t each = nts_ef_size(NTS_COOKIE_LEN);

    while (wanted > 0 && at + nts_ef_auth_size(wanted * each) > max_len)
        wanted--;
    return wanted;
}

long nts_server_finish(const struct nts_cookie_jar *jar, const struct nts_server_request *req,
                       const uint8_t *buf, size_t request_len, uint8_t *out, size_t cap)
{
    uint8_t plain[NTS_MAX_COOKIES * (NTS_COOKIE_LEN + 4)], cookie[NTS_COOKIE_LEN];
    uint8_t nonces[(NTS_MAX_COOKIES + 1) * NTS_NONCE_LEN];
    const struct nts_ef_layout *l = &req->layout;
    size_t max_len = request_len < cap ? request_len : cap, at = NTP_HEADER_LEN, plain_len = 0;
    unsigned wanted = 1 + l->placeholders, n;
    struct nts_aead s2c;

    if (wanted > NTS_MAX_COOKIES)
        wanted = NTS_MAX_COOKIES;
    if (!nts_ef_write(out, max_len, &at, NTS_EF_UNIQUE_ID, buf + l->uid_off, l->uid_len) ||
        getrandom(nonces, sizeof(nonces), 0) != (ssize_t)sizeof(nonces))
        return -1;
    n = cookies_that_fit(wanted, at, max_len);
    for (unsigned i = 0; i < n; i++) {
        if (nts_cookie_make(jar, req->c2s, req->s2c, nonces + (i + 1) * NTS_NONCE_LEN, cookie) <
                0 ||
            !nts_ef_write(plain, sizeof(plain), &plain_len, NTS_EF_COOKIE, cookie, sizeof(cookie)))
            return -1;
    }
    nts_aead_init(&s2c, req->s2c);
    if (!nts_ef_write_auth(out, max_len, &at, &s2c, nonces, plain, plain_len))
        return -1;
    memset(plain, 0, sizeof(plain));
    return (long)at;
}

long nts_server_nak(const struct nts_server_request *req, const uint8_t *buf, size_t request_len,
                    uint8_t *out, size_t cap)
{
    const struct nts_ef_layout *l = &req->layout;
    size_t max_len = request_len < cap ? request_len : cap, at = NTP_HEADER_LEN;

    if (l->n_uid != 1 ||
        !nts_ef_write(out, max_len, &at, NTS_EF_UNIQUE_ID, buf + l->uid_off, l->uid_len))
        return -1;
    return (long)at;
}
