// SPDX-License-Identifier: ISC
/* Symmetric-key MACs of NTP packets with Nettle; keys file lines; keyrings. */
#include "daemon/common/auth.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <nettle/cmac.h>
#include <nettle/md5.h>
#include <nettle/memops.h>
#include <nettle/sha1.h>
#include <nettle/sha2.h>

static const struct {
    const char *name;
    enum auth_type type;
} type_names[] = {
    {"MD5", AUTH_TYPE_MD5},
    {"M", AUTH_TYPE_MD5},
    {"SHA1", AUTH_TYPE_SHA1},
    {"SHA-1", AUTH_TYPE_SHA1},
    {"SHA256", AUTH_TYPE_SHA256},
    {"SHA-256", AUTH_TYPE_SHA256},
    {"SHA2-256", AUTH_TYPE_SHA256},
    {"AES128CMAC", AUTH_TYPE_AES128CMAC},
    {"AES", AUTH_TYPE_AES128CMAC},
    {"AES128", AUTH_TYPE_AES128CMAC},
    {"AES-128", AUTH_TYPE_AES128CMAC},
};

bool auth_type_from_name(const char *name, enum auth_type *type)
{
    for (size_t k = 0; k < sizeof(type_names) / sizeof(type_names[0]); k++) {
        if (strcasecmp(name, type_names[k].name) == 0) {
            *type = type_names[k].type;
            return true;
        }
    }
    return false;
}

const char *auth_type_name(enum auth_type type)
{
    switch (type) {
    case AUTH_TYPE_MD5:
        return "MD5";
    case AUTH_TYPE_SHA1:
        return "SHA1";
    case AUTH_TYPE_SHA256:
        return "SHA256";
    case AUTH_TYPE_AES128CMAC:
        return "AES128CMAC";
    }
    return "?";
}

size_t auth_digest_len(enum auth_type type)
{
    return type == AUTH_TYPE_MD5 || type == AUTH_TYPE_AES128CMAC ? 16 : 20;
}

const char *auth_verdict_name(enum auth_verdict v)
{
    static const char *const names[] = {
        [AUTH_OK] = "authentic",          [AUTH_UNSIGNED] = "unsigned",
        [AUTH_CRYPTO_NAK] = "crypto-NAK", [AUTH_UNKNOWN_KEY] = "wrong key id",
        [AUTH_BAD_MAC] = "bad MAC",       [AUTH_UNEXPECTED] = "unexpected MAC",
    };
    return (unsigned)v < sizeof(names) / sizeof(names[0]) ? names[v] : "?";
}

/* --- Keys file lines ---------------------------------------------------------------------- */

static bool is_blank(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r';
}

/* The next word of *s (blank-separated, up to '#' or the end): its start and length (0 at the
 * end of the line). */
static const char *next_word(const char **s, size_t *len)
{
    const char *p = *s;
    while (is_blank(*p))
        p++;
    const char *start = p;
    while (*p != '\0' && *p != '#' && !is_blank(*p))
        p++;
    *len = (size_t)(p - start);
    *s = *p == '#' ? p + strlen(p) : p;
    return start;
}

/* A copy of a word for messages and names, truncated to fit buf. */
static const char *copy_word(const char *start, size_t len, char *buf, size_t buflen)
{
    size_t n = len < buflen ? len : buflen - 1;
    memcpy(buf, start, n);
    buf[n] = '\0';
    return buf;
}

static void add_msg(char *msg, size_t msglen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Appends a message to msg ("; " between two). */
static void add_msg(char *msg, size_t msglen, const char *fmt, ...)
{
    size_t used = strlen(msg);
    va_list ap;
    if (used > 0 && used + 2 < msglen) {
        memcpy(msg + used, "; ", 3);
        used += 2;
    }
    if (used >= msglen)
        return;
    va_start(ap, fmt);
    vsnprintf(msg + used, msglen - used, fmt, ap);
    va_end(ap);
}

static int hex_value(char ch)
{
    const char *digits = "0123456789abcdef";
    const char *p = ch != '\0' ? strchr(digits, tolower((unsigned char)ch)) : NULL;
    return p != NULL ? (int)(p - digits) : -1;
}

/* A key word of more than AUTH_MAX_ASCII_KEY characters: hex, as ntpd decodes it (at most
 * 2 * AUTH_MAX_SECRET digits; an odd last digit is dropped). */
static bool decode_hex(const char *word, size_t len, struct auth_key *key, char *msg, size_t msglen)
{
    size_t digits = len < 2 * AUTH_MAX_SECRET ? len : 2 * AUTH_MAX_SECRET;
    for (size_t j = 0; j < digits; j++) {
        int v = hex_value(word[j]);
        if (v < 0) {
            add_msg(msg, msglen,
                    "key %u: invalid hex digit '%c' (a key of more than %d "
                    "characters is hex)",
                    (unsigned)key->id, isprint((unsigned char)word[j]) ? word[j] : '?',
                    AUTH_MAX_ASCII_KEY);
            return false;
        }
        key->secret[j / 2] = (uint8_t)(j % 2 ? key->secret[j / 2] | v : v << 4);
    }
    key->secret_len = digits / 2;
    if (len > digits)
        add_msg(msg, msglen, "key %u: truncated to %d octets, as ntpd does", (unsigned)key->id,
                AUTH_MAX_SECRET);
    else if (len % 2 != 0)
        add_msg(msg, msglen, "key %u: odd number of hex digits, the last one is ignored (as ntpd)",
                (unsigned)key->id);
    return true;
}

/* AES-128-CMAC takes 16 octets: shorter keys are padded with zeros, longer ones truncated
 * (as NTPsec). */
static void fit_cmac_key(struct auth_key *key, char *msg, size_t msglen)
{
    if (key->secret_len == AUTH_CMAC_KEY_LEN)
        return;
    add_msg(msg, msglen, "key %u: AES128CMAC key of %zu octets %s to %d (as NTPsec)",
            (unsigned)key->id, key->secret_len,
            key->secret_len < AUTH_CMAC_KEY_LEN ? "padded with zeros" : "truncated",
            AUTH_CMAC_KEY_LEN);
    if (key->secret_len < AUTH_CMAC_KEY_LEN)
        memset(key->secret + key->secret_len, 0, AUTH_CMAC_KEY_LEN - key->secret_len);
    key->secret_len = AUTH_CMAC_KEY_LEN;
}

static bool parse_key_id(const char *word, uint32_t *id)
{
    unsigned long v = 0;
    if (word[0] == '\0' || strlen(word) > 5)
        return false;
    for (const char *p = word; *p != '\0'; p++) {
        if (*p < '0' || *p > '9')
            return false;
        v = v * 10 + (unsigned long)(*p - '0');
    }
    *id = (uint32_t)v;
    return v >= 1 && v <= AUTH_MAX_KEY_ID;
}

/* The type and key words after the key id; false with an error in msg. */
static bool parse_key_fields(const char *rest, struct auth_key *key, char *msg, size_t msglen)
{
    char name[24];
    size_t len;
    const char *word = next_word(&rest, &len);
    if (len == 0) {
        add_msg(msg, msglen, "key %u: missing type", (unsigned)key->id);
        return false;
    }
    if (len >= sizeof(name) ||
        !auth_type_from_name(copy_word(word, len, name, sizeof(name)), &key->type)) {
        add_msg(msg, msglen, "key %u: unsupported type \"%s\" (MD5, SHA1, SHA256 or AES128CMAC)",
                (unsigned)key->id, copy_word(word, len, name, sizeof(name)));
        return false;
    }
    word = next_word(&rest, &len);
    if (len == 0) {
        add_msg(msg, msglen, "key %u: missing key", (unsigned)key->id);
        return false;
    }
    if (len <= AUTH_MAX_ASCII_KEY) {
        memcpy(key->secret, word, len);
        key->secret_len = len;
    } else if (!decode_hex(word, len, key, msg, msglen)) {
        return false;
    }
    if (key->type == AUTH_TYPE_AES128CMAC)
        fit_cmac_key(key, msg, msglen);
    next_word(&rest, &len);
    if (len > 0)
        add_msg(msg, msglen, "key %u: extra words after the key ignored", (unsigned)key->id);
    return true;
}

enum auth_line auth_parse_key_line(const char *line, struct auth_key *key, char *msg, size_t msglen)
{
    char id[16];
    size_t len;
    const char *rest = line;
    if (msglen > 0)
        msg[0] = '\0';
    memset(key, 0, sizeof(*key));
    const char *word = next_word(&rest, &len);
    if (len == 0)
        return AUTH_LINE_EMPTY;
    copy_word(word, len, id, sizeof(id));
    if (len >= sizeof(id) || !parse_key_id(id, &key->id)) {
        add_msg(msg, msglen, "invalid key id \"%s\" (1 to %d)", id, AUTH_MAX_KEY_ID);
        return AUTH_LINE_ERROR;
    }
    if (!parse_key_fields(rest, key, msg, msglen)) {
        explicit_bzero(key, sizeof(*key));
        return AUTH_LINE_ERROR;
    }
    return AUTH_LINE_KEY;
}

/* --- Keyrings ----------------------------------------------------------------------------- */

static size_t lower_bound(const struct auth_keyring *r, uint32_t id)
{
    size_t lo = 0, hi = r->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->keys[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int auth_keyring_add(struct auth_keyring *r, const struct auth_key *key)
{
    size_t at = lower_bound(r, key->id);
    if (at < r->n && r->keys[at].id == key->id) {
        r->keys[at] = *key;
        return 1;
    }
    /* No realloc: it could leave a copy of the secrets in freed memory. */
    struct auth_key *keys = calloc(r->n + 1, sizeof(*keys));
    if (keys == NULL)
        return -1;
    if (r->n > 0) {
        memcpy(keys, r->keys, at * sizeof(*keys));
        memcpy(keys + at + 1, r->keys + at, (r->n - at) * sizeof(*keys));
        explicit_bzero(r->keys, r->n * sizeof(*keys));
    }
    free(r->keys);
    keys[at] = *key;
    r->keys = keys;
    r->n++;
    return 0;
}

const struct auth_key *auth_keyring_find(const struct auth_keyring *r, uint32_t id)
{
    size_t at = lower_bound(r, id);
    return at < r->n && r->keys[at].id == id ? &r->keys[at] : NULL;
}

void auth_keyring_clear(struct auth_keyring *r)
{
    if (r->keys != NULL)
        explicit_bzero(r->keys, r->n * sizeof(*r->keys));
    free(r->keys);
    r->keys = NULL;
    r->n = 0;
}

/* --- MACs --------------------------------------------------------------------------------- */

/* The digest of key over data[0..len) into out (auth_digest_len(key->type) octets). */
static void compute_digest(const struct auth_key *key, const uint8_t *data, size_t len,
                           uint8_t out[AUTH_MAX_DIGEST_LEN])
{
    union {
        struct md5_ctx md5;
        struct sha1_ctx sha1;
        struct sha256_ctx sha256;
        struct cmac_aes128_ctx cmac;
    } c;
    switch (key->type) {
    case AUTH_TYPE_MD5:
        md5_init(&c.md5);
        md5_update(&c.md5, key->secret_len, key->secret);
        md5_update(&c.md5, len, data);
        md5_digest(&c.md5, MD5_DIGEST_SIZE, out);
        break;
    case AUTH_TYPE_SHA1:
        sha1_init(&c.sha1);
        sha1_update(&c.sha1, key->secret_len, key->secret);
        sha1_update(&c.sha1, len, data);
        sha1_digest(&c.sha1, SHA1_DIGEST_SIZE, out);
        break;
    case AUTH_TYPE_SHA256:
        sha256_init(&c.sha256);
        sha256_update(&c.sha256, key->secret_len, key->secret);
        sha256_update(&c.sha256, len, data);
        sha256_digest(&c.sha256, AUTH_MAX_DIGEST_LEN, out); /* the first 20 octets */
        break;
    case AUTH_TYPE_AES128CMAC:
        cmac_aes128_set_key(&c.cmac, key->secret);
        cmac_aes128_update(&c.cmac, len, data);
        cmac_aes128_digest(&c.cmac, CMAC128_DIGEST_SIZE, out);
        break;
    }
    explicit_bzero(&c, sizeof(c)); /* the key schedule and the state derive from the secret */
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

size_t auth_sign(const struct auth_key *key, uint8_t *buf, size_t len, size_t cap)
{
    if (key == NULL)
        return len;
    size_t dlen = auth_digest_len(key->type);
    if (cap < len || cap - len < 4 + dlen)
        return 0;
    uint8_t digest[AUTH_MAX_DIGEST_LEN];
    compute_digest(key, buf, len, digest);
    put32(buf + len, key->id);
    memcpy(buf + len + 4, digest, dlen);
    return len + 4 + dlen;
}

/* The MAC of pkt (decoded from buf[0..len)) against key. */
static bool mac_valid(const struct auth_key *key, const uint8_t *buf, size_t len,
                      const struct ntp_packet *pkt)
{
    size_t dlen = auth_digest_len(key->type);
    if (!pkt->has_mac || pkt->mac_digest_len != dlen || pkt->mac_offset + 4 + dlen != len)
        return false;
    uint8_t digest[AUTH_MAX_DIGEST_LEN];
    compute_digest(key, buf, pkt->mac_offset, digest);
    return memeql_sec(digest, buf + pkt->mac_offset + 4, dlen) != 0;
}

enum auth_verdict auth_check_reply(const struct auth_key *key, const uint8_t *buf, size_t len,
                                   const struct ntp_packet *pkt)
{
    if (key == NULL)
        return pkt->has_mac || pkt->crypto_nak ? AUTH_UNEXPECTED : AUTH_OK;
    if (pkt->crypto_nak)
        return AUTH_CRYPTO_NAK;
    if (!pkt->has_mac)
        return AUTH_UNSIGNED;
    if (pkt->mac_key_id != key->id)
        return AUTH_UNKNOWN_KEY;
    return mac_valid(key, buf, len, pkt) ? AUTH_OK : AUTH_BAD_MAC;
}

enum auth_verdict auth_check_request(const struct auth_keyring *r, const uint8_t *buf, size_t len,
                                     const struct ntp_packet *pkt, const struct auth_key **key)
{
    *key = NULL;
    if (pkt->crypto_nak)
        return AUTH_CRYPTO_NAK;
    if (!pkt->has_mac)
        return AUTH_UNSIGNED;
    const struct auth_key *k = auth_keyring_find(r, pkt->mac_key_id);
    if (k == NULL)
        return AUTH_UNKNOWN_KEY;
    if (!mac_valid(k, buf, len, pkt))
        return AUTH_BAD_MAC;
    *key = k;
    return AUTH_OK;
}
