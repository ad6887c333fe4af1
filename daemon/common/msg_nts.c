// SPDX-License-Identifier: ISC
/* Validation of the NTS messages (cookie keys, NTS-KE requests, results and cookies): every
 * count and length bounded, every unused octet zero, strings printable. */
#include <sys/socket.h>

#include "daemon/common/msg.h"
#include "daemon/common/msg_int.h"

static bool zero(const void *p, size_t len)
{
    const uint8_t *b = p;

    for (size_t i = 0; i < len; i++) {
        if (b[i] != 0)
            return false;
    }
    return true;
}

static const char *check_nts_keys(const struct msg_nts_keys *m)
{
    if (m->count > MSG_NTS_SERVER_KEYS || m->pad != 0)
        return "NTS_KEYS count out of range";
    for (uint32_t i = 0; i < MSG_NTS_SERVER_KEYS; i++) {
        if (i >= m->count) {
            if (!zero(&m->keys[i], sizeof(m->keys[i])))
                return "NTS_KEYS unused key not zero";
            continue;
        }
        if (m->keys[i].pad != 0 || m->keys[i].created < 0)
            return "NTS_KEYS key malformed";
        for (uint32_t j = 0; j < i; j++) {
            if (m->keys[j].id == m->keys[i].id)
                return "NTS_KEYS key id repeated";
        }
    }
    return NULL;
}

/* Cookies: lengths 1 .. MSG_NTS_COOKIE_LEN for the first n, 0 after; octets past each
 * cookie's length zero. */
static bool cookies_ok(const uint16_t *len, const uint8_t (*cookies)[MSG_NTS_COOKIE_LEN],
                       uint32_t n)
{
    for (uint32_t i = 0; i < MSG_NTS_COOKIES; i++) {
        if (i < n ? len[i] == 0 || len[i] > MSG_NTS_COOKIE_LEN : len[i] != 0)
            return false;
        if (!zero(cookies[i] + len[i], MSG_NTS_COOKIE_LEN - len[i]))
            return false;
    }
    return true;
}

static const char *check_ntske_request(const struct msg_ntske_request *m)
{
    if ((m->family != AF_INET && m->family != AF_INET6) || m->port == 0 || m->port > 65535 ||
        m->pad != 0 || !msg_host_ok(m->host, sizeof(m->host)) ||
        (m->family == AF_INET && !zero(m->addr + 4, sizeof(m->addr) - 4)))
        return "NTSKE_REQUEST address, port or host malformed";
    return NULL;
}

static const char *check_ntske_result(const struct msg_ntske_result *m)
{
    bool ok = m->status == MSG_NTSKE_OK;

    if (m->status >= MSG_NTSKE_STATUS_COUNT || m->ntp_port > 65535 ||
        (ok ? m->ncookies == 0 || m->ncookies > MSG_NTS_COOKIES : m->ncookies != 0) ||
        !cookies_ok(m->cookie_len, m->cookies, m->ncookies))
        return "NTSKE_RESULT status, port or cookies malformed";
    if (!ok && (!zero(m->c2s, sizeof(m->c2s)) || !zero(m->s2c, sizeof(m->s2c))))
        return "NTSKE_RESULT keys of a failed session";
    if ((m->ntp_server[0] != '\0' && !msg_host_ok(m->ntp_server, sizeof(m->ntp_server))) ||
        !msg_str_ok(m->ntp_server, sizeof(m->ntp_server)) ||
        !msg_str_ok(m->reason, sizeof(m->reason)))
        return "NTSKE_RESULT strings malformed";
    return NULL;
}

const char *msg_nts_payload_problem(uint16_t type, const void *p)
{
    switch (type) {
    case MSG_NTS_KEYS:
        return check_nts_keys(p);
    case MSG_NTSKE_LISTEN: {
        const struct msg_ntske_listen *l = p;
        return (l->family == AF_INET || l->family == AF_INET6) && l->pad == 0
                   ? NULL
                   : "NTSKE_LISTEN family or padding malformed";
    }
    case MSG_NTSKE_REQUEST:
        return check_ntske_request(p);
    case MSG_NTSKE_RESULT:
        return check_ntske_result(p);
    case MSG_NTSKE_COOKIE_REQ: {
        const struct msg_ntske_cookie_req *c = p;
        return c->count >= 1 && c->count <= MSG_NTS_COOKIES ? NULL
                                                            : "NTSKE_COOKIE_REQ count out of range";
    }
    case MSG_NTSKE_COOKIES: {
        const struct msg_ntske_cookies *c = p;
        return c->count <= MSG_NTS_COOKIES && cookies_ok(c->cookie_len, c->cookies, c->count)
                   ? NULL
                   : "NTSKE_COOKIES count or lengths malformed";
    }
    default:
        return "not an NTS message type";
    }
}
