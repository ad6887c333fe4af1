// SPDX-License-Identifier: ISC
/* AEAD_AES_SIV_CMAC_256 over Nettle (nts_aead.h). */
#include "daemon/nts/nts_aead.h"

#include <string.h>

void nts_aead_init(struct nts_aead *a, const uint8_t key[NTS_AEAD_KEY_LEN])
{
    siv_cmac_aes128_set_key(&a->ctx, key);
}

void nts_aead_seal(const struct nts_aead *a, const uint8_t *nonce, size_t nonce_len,
                   const uint8_t *ad, size_t ad_len, const uint8_t *plain, size_t plain_len,
                   uint8_t *out)
{
    siv_cmac_aes128_encrypt_message(&a->ctx, nonce_len, nonce, ad_len, ad,
                                    plain_len + NTS_AEAD_TAG_LEN, out, plain);
}

bool nts_aead_open(const struct nts_aead *a, const uint8_t *nonce, size_t nonce_len,
                   const uint8_t *ad, size_t ad_len, const uint8_t *sealed, size_t sealed_len,
                   uint8_t *plain)
{
    if (sealed_len < NTS_AEAD_TAG_LEN || nonce_len == 0)
        return false;
    if (siv_cmac_aes128_decrypt_message(&a->ctx, nonce_len, nonce, ad_len, ad,
                                        sealed_len - NTS_AEAD_TAG_LEN, plain, sealed))
        return true;
    memset(plain, 0, sealed_len - NTS_AEAD_TAG_LEN);
    return false;
}
