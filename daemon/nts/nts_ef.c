// SPDX-License-Identifier: ISC
/* NTS extension fields: location, writing, the authenticator (nts_ef.h). */
#include "daemon/nts/nts_ef.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define EF_HEADER_LEN  4
#define AUTH_FIXED_LEN 4 /* nonce length and ciphertext length */

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, size_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static size_t pad4(size_t n)
{
    return (n + 3) & ~(size_t)3;
}

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* The authenticator's inner layout within its field [off, off + len). */
static int locate_auth(const uint8_t *buf, size_t off, size_t len, struct nts_ef_layout *l,
                       char *err, size_t errlen)
{
    size_t body = len - EF_HEADER_LEN, nonce_len, sealed_len;

    if (body < AUTH_FIXED_LEN)
        return fail(err, errlen, "authenticator too short");
    nonce_len = get16(buf + off + EF_HEADER_LEN);
    sealed_len = get16(buf + off + EF_HEADER_LEN + 2);
    if (nonce_len < NTS_NONCE_MIN_LEN || sealed_len < NTS_AEAD_TAG_LEN)
        return fail(err, errlen, "authenticator nonce (%zu) or ciphertext (%zu) too short",
                    nonce_len, sealed_len);
    if (AUTH_FIXED_LEN + pad4(nonce_len) + pad4(sealed_len) > body)
        return fail(err, errlen, "authenticator lengths exceed the field");
    l->auth_off = off;
    l->nonce_off = off + EF_HEADER_LEN + AUTH_FIXED_LEN;
    l->nonce_len = nonce_len;
    l->sealed_off = l->nonce_off + pad4(nonce_len);
    l->sealed_len = sealed_len;
    return 0;
}

static int note_field(const uint8_t *buf, const struct ntp_ef *ef, struct nts_ef_layout *l,
                      char *err, size_t errlen)
{
    size_t body = ef->len - EF_HEADER_LEN, off = ef->offset + EF_HEADER_LEN;

    switch (ef->type) {
    case NTS_EF_UNIQUE_ID:
        if (l->n_uid++ > 0 || body < NTS_UID_MIN_LEN)
            return fail(err, errlen, "Unique Identifier repeated or shorter than %d octets",
                        NTS_UID_MIN_LEN);
        l->uid_off = off;
        l->uid_len = body;
        return 0;
    case NTS_EF_COOKIE:
        if (l->n_cookie++ > 0)
            return fail(err, errlen, "more than one NTS Cookie");
        l->cookie_off = off;
        l->cookie_len = body;
        return 0;
    case NTS_EF_PLACEHOLDER:
        if (l->placeholders++ == 0)
            l->placeholder_len = body;
        else if (l->placeholder_len != body)
            l->placeholder_mismatch = true;
        return 0;
    case NTS_EF_AUTHENTICATOR:
        l->n_auth++;
        return locate_auth(buf, ef->offset, ef->len, l, err, errlen);
    default:
        return 0; /* other fields are ignored (and authenticated when before the authenticator) */
    }
}

int nts_ef_locate(const uint8_t *buf, size_t len, const struct ntp_packet *pkt,
                  struct nts_ef_layout *out, char *err, size_t errlen)
{
    struct ntp_ef ef;
    size_t cursor = 0;

    memset(out, 0, sizeof(*out));
    while (ntp_ef_next(buf, len, pkt, &cursor, &ef)) {
        if (out->n_auth > 0)
            return fail(err, errlen, "extension field after the authenticator");
        if (note_field(buf, &ef, out, err, errlen) < 0)
            return -1;
    }
    if (out->n_auth > 0 && pkt->has_mac)
        return fail(err, errlen, "a MAC after the authenticator");
    if (out->placeholders > 0 && out->n_cookie > 0 && out->placeholder_len != out->cookie_len)
        out->placeholder_mismatch = true;
    return 0;
}

size_t nts_ef_size(size_t body_len)
{
    return EF_HEADER_LEN + pad4(body_len);
}

bool nts_ef_write(uint8_t *buf, size_t cap, size_t *pos, uint16_t type, const uint8_t *body,
                  size_t body_len)
{
    size_t size = nts_ef_size(body_len), at = *pos;

    if (at > cap || cap - at < size || size > 0xffff)
        return false;
    put16(buf + at, type);
    put16(buf + at + 2, size);
    if (body != NULL)
        memcpy(buf + at + EF_HEADER_LEN, body, body_len);
    else
        memset(buf + at + EF_HEADER_LEN, 0, body_len);
    memset(buf + at + EF_HEADER_LEN + body_len, 0, size - EF_HEADER_LEN - body_len);
    *pos = at + size;
    return true;
}

size_t nts_ef_auth_size(size_t plain_len)
{
    return EF_HEADER_LEN + AUTH_FIXED_LEN + pad4(NTS_NONCE_LEN) +
           pad4(plain_len + NTS_AEAD_TAG_LEN);
}

bool nts_ef_write_auth(uint8_t *buf, size_t cap, size_t *pos, const struct nts_aead *key,
                       const uint8_t nonce[NTS_NONCE_LEN], const uint8_t *plain, size_t plain_len)
{
    size_t size = nts_ef_auth_size(plain_len), sealed_len = plain_len + NTS_AEAD_TAG_LEN;
    size_t at = *pos;
    uint8_t *p = buf + at;

    if (at > cap || cap - at < size || size > 0xffff)
        return false;
    memset(p, 0, size);
    put16(p, NTS_EF_AUTHENTICATOR);
    put16(p + 2, size);
    put16(p + 4, NTS_NONCE_LEN);
    put16(p + 6, sealed_len);
    memcpy(p + 8, nonce, NTS_NONCE_LEN);
    /* the associated data is everything before this field */
    nts_aead_seal(key, nonce, NTS_NONCE_LEN, buf, at, plain, plain_len,
                  p + 8 + pad4(NTS_NONCE_LEN));
    *pos = at + size;
    return true;
}

long nts_ef_open_auth(const uint8_t *buf, const struct nts_ef_layout *l, const struct nts_aead *key,
                      uint8_t *plain, size_t cap)
{
    size_t plain_len;

    if (l->n_auth != 1 || l->sealed_len < NTS_AEAD_TAG_LEN)
        return -1;
    plain_len = l->sealed_len - NTS_AEAD_TAG_LEN;
    if (plain_len > cap || plain_len > NTS_EF_MAX_PLAIN)
        return -1;
    if (!nts_aead_open(key, buf + l->nonce_off, l->nonce_len, buf, l->auth_off, buf + l->sealed_off,
                       l->sealed_len, plain))
        return -1;
    return (long)plain_len;
}

bool nts_ef_next_plain(const uint8_t *plain, size_t len, size_t *cursor, uint16_t *type,
                       size_t *body_off, size_t *body_len)
{
    size_t pos = *cursor, ef_len;

    if (pos >= len || len - pos < EF_HEADER_LEN)
        return false;
    ef_len = get16(plain + pos + 2);
    if (ef_len < EF_HEADER_LEN || ef_len % 4 != 0 || ef_len > len - pos)
        return false;
    *type = get16(plain + pos);
    *body_off = pos + EF_HEADER_LEN;
    *body_len = ef_len - EF_HEADER_LEN;
    *cursor = pos + ef_len;
    return true;
}
