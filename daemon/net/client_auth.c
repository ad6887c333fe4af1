// SPDX-License-Identifier: ISC
/*
 * A source's replies against its key: what auth_check_reply() refuses is dropped, counted and
 * logged at a bounded rate. A crypto-NAK is handled as ntpd does: never a sample, never a
 * kiss-o'-death, the association goes on polling (the server may get the key later).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>

#include "daemon/common/log.h"
#include "daemon/net/client.h"

static const char *addr_text(const struct client *c, char *buf, size_t len)
{
    const void *a = c->addr.ss_family == AF_INET6
                        ? (const void *)&((const struct sockaddr_in6 *)&c->addr)->sin6_addr
                        : (const void *)&((const struct sockaddr_in *)&c->addr)->sin_addr;
    if (inet_ntop(c->addr.ss_family, a, buf, (socklen_t)len) == NULL)
        snprintf(buf, len, "?");
    return buf;
}

static void log_rejected(const struct client *c, enum auth_verdict v, const struct ntp_packet *pkt)
{
    char addr[INET6_ADDRSTRLEN], got[32] = "";
    const char *name = c->cfg != NULL ? c->cfg->name : "?";
    unsigned key = c->key != NULL ? (unsigned)c->key->id : 0;
    unsigned long long since = (unsigned long long)(c->auth_rejected - c->auth_logged);

    addr_text(c, addr, sizeof(addr));
    if (v == AUTH_CRYPTO_NAK && c->org != 0 && pkt->hdr.origin_ts == c->org) {
        log_warning("source %s (%s): crypto-NAK: the server does not accept key %u (%llu "
                    "rejected since the last report)",
                    name, addr, key, since);
        return;
    }
    if (pkt->has_mac)
        snprintf(got, sizeof(got), ", got key id %u", (unsigned)pkt->mac_key_id);
    log_warning("source %s (%s): reply rejected: %s (key %u%s; %llu rejected since the last "
                "report)",
                name, addr, auth_verdict_name(v), key, got, since);
}

bool client_reply_authentic(struct client *c, const uint8_t *buf, size_t len,
                            const struct ntp_packet *pkt, double now)
{
    enum auth_verdict v = auth_check_reply(c->key, buf, len, pkt);

    if (v == AUTH_OK)
        return true;
    c->auth_rejected++;
    if (now >= c->auth_log_next) {
        log_rejected(c, v, pkt);
        c->auth_logged = c->auth_rejected;
        c->auth_log_next = now + CLIENT_AUTH_LOG_S;
    }
    return false;
}
