// SPDX-License-Identifier: ISC
/*
 * AEAD_AES_SIV_CMAC_256 (RFC 5297, as RFC 8915 uses it) over Nettle's SIV-CMAC-AES128, prefix
 * nts_aead_: the only cipher of tsyncd's NTS. A 32-octet key; the output is the 16-octet
 * synthetic IV (the tag) followed by the ciphertext, as RFC 5297 defines it.
 */
#ifndef TSYNC_NTS_AEAD_H
#define TSYNC_NTS_AEAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <nettle/siv-cmac.h>

#define NTS_AEAD_KEY_LEN 32
#define NTS_AEAD_TAG_LEN 16

struct nts_aead {
    struct siv_cmac_aes128_ctx ctx;
};

void nts_aead_init(struct nts_aead *a, const uint8_t key[NTS_AEAD_KEY_LEN]);

/* out receives plain_len + NTS_AEAD_TAG_LEN octets (out may not overlap plain). */
void nts_aead_seal(const struct nts_aead *a, const uint8_t *nonce, size_t nonce_len,
                   const uint8_t *ad, size_t ad_len, const uint8_t *plain, size_t plain_len,
                   uint8_t *out);

/* Check and decrypt sealed (sealed_len >= NTS_AEAD_TAG_LEN) into plain (sealed_len - 16
 * octets). false when the tag does not match (plain is then zeroed) or sealed is too short. */
bool nts_aead_open(const struct nts_aead *a, const uint8_t *nonce, size_t nonce_len,
                   const uint8_t *ad, size_t ad_len, const uint8_t *sealed, size_t sealed_len,
                   uint8_t *plain);

#endif
