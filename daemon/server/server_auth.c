// SPDX-License-Identifier: ISC
/* The server's decision on a request's MAC (daemon/common/auth.h), as NTPsec and chrony do. */
#include "daemon/server/server_int.h"

bool server_auth_request(struct server *s, struct server_slot *slot, size_t len,
                         const struct ntp_packet *pkt, uint32_t verdict)
{
    const struct auth_key *key;
    enum auth_verdict v = auth_check_request(s->keys, slot->req, len, pkt, &key);

    slot->key = NULL;
    switch (v) {
    case AUTH_UNSIGNED:
        if (!(verdict & ACL_NOTRUST))
            return true;
        if (s->nts != NULL && pkt->ef_count > 0) {
            slot->nts_only = true; /* notrust: NTS authenticates it, or it is dropped */
            return true;
        }
        s->stats.denied++; /* notrust: signed requests only */
        return false;
    case AUTH_OK:
        s->stats.auth_ok++;
        slot->key = key;
        return true;
    default: /* unknown key, bad MAC, crypto-NAK: no answer, no oracle */
        s->stats.auth_bad++;
        return false;
    }
}
