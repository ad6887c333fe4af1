// SPDX-License-Identifier: ISC
/* The NTS server's cookies (nts_cookie.h). */
#include "daemon/nts/nts_cookie.h"

#include <string.h>

void nts_cookie_jar_set(struct nts_cookie_jar *jar, const struct nts_keyring *ring)
{
    memset(jar, 0, sizeof(*jar));
    jar->ring = *ring;
    for (unsigned i = 0; i < ring->n; i++)
        nts_aead_init(&jar->aead[i], ring->keys[i].key);
}

int nts_cookie_make(const struct nts_cookie_jar *jar, const uint8_t c2s[NTS_KEY_LEN],
                    const uint8_t s2c[NTS_KEY_LEN], const uint8_t nonce[NTS_COOKIE_NONCE_LEN],
                    uint8_t out[NTS_COOKIE_LEN])
{
    uint8_t plain[NTS_COOKIE_PLAIN_LEN];
    unsigned cur;
    uint32_t id;

    if (jar->ring.n == 0)
        return -1;
    cur = jar->ring.n - 1;
    id = jar->ring.keys[cur].id;
    out[0] = (uint8_t)(id >> 24);
    out[1] = (uint8_t)(id >> 16);
    out[2] = (uint8_t)(id >> 8);
    out[3] = (uint8_t)id;
    memcpy(out + 4, nonce, NTS_COOKIE_NONCE_LEN);
    memcpy(plain, c2s, NTS_KEY_LEN);
    memcpy(plain + NTS_KEY_LEN, s2c, NTS_KEY_LEN);
    nts_aead_seal(&jar->aead[cur], nonce, NTS_COOKIE_NONCE_LEN, out, 4, plain, sizeof(plain),
                  out + 4 + NTS_COOKIE_NONCE_LEN);
    memset(plain, 0, sizeof(plain));
    return 0;
}

enum nts_cookie_result nts_cookie_open(const struct nts_cookie_jar *jar, const uint8_t *cookie,
                                       size_t len, uint8_t c2s[NTS_KEY_LEN],
                                       uint8_t s2c[NTS_KEY_LEN])
{
    uint8_t plain[NTS_COOKIE_PLAIN_LEN];
    uint32_t id;
    unsigned k;

    _Static_assert(NTS_COOKIE_LEN % 4 == 0, "a cookie must need no padding");
    if (len != NTS_COOKIE_LEN)
        return NTS_COOKIE_BAD;
    id = (uint32_t)cookie[0] << 24 | (uint32_t)cookie[1] << 16 | (uint32_t)cookie[2] << 8 |
         cookie[3];
    for (k = 0; k < jar->ring.n && jar->ring.keys[k].id != id; k++)
        ;
    if (k == jar->ring.n)
        return NTS_COOKIE_UNKNOWN_KEY;
    if (!nts_aead_open(&jar->aead[k], cookie + 4, NTS_COOKIE_NONCE_LEN, cookie, 4,
                       cookie + 4 + NTS_COOKIE_NONCE_LEN, len - 4 - NTS_COOKIE_NONCE_LEN, plain))
        return NTS_COOKIE_BAD;
    memcpy(c2s, plain, NTS_KEY_LEN);
    memcpy(s2c, plain + NTS_KEY_LEN, NTS_KEY_LEN);
    memset(plain, 0, sizeof(plain));
    return NTS_COOKIE_OK;
}
