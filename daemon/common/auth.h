// SPDX-License-Identifier: ISC
/*
 * Symmetric-key authentication of NTP packets (RFC 5905 section 7.3, RFC 8573), prefix auth_:
 * the keys of an ntp.keys file, MAC computation and verification. I/O-free.
 *
 * MAC layout, as ntpd, NTPsec and chrony put it on the wire: the 4-octet key id (network
 * order), then the digest, after the header and any extension fields. "packet" below is every
 * octet before the key id:
 *
 *   type        digest                                   octets  MAC (with key id)
 *   MD5         MD5(secret || packet)                    16      20
 *   SHA1        SHA-1(secret || packet)                  20      24
 *   SHA256      SHA-256(secret || packet), first 20      20      24
 *   AES128CMAC  AES-128-CMAC(secret, packet), RFC 4493   16      20
 *
 * SHA-256 is truncated to 20 octets as NTPsec and chrony do for NTPv4 (a longer MAC could not
 * be told apart from an extension field, RFC 7822). A MAC whose length is not its key's is
 * refused (as NTPsec and chrony). Digests are compared in constant time.
 *
 * Keys file lines (ntp.keys(5)): "keyid type key", keyid 1..65535, type case-insensitive (see
 * auth_type_from_name()), key of at most 20 characters taken as ASCII, longer as hex (at most
 * AUTH_MAX_SECRET octets kept), as ntpd and NTPsec decide. '#' starts a comment.
 */
#ifndef TSYNC_AUTH_H
#define TSYNC_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/common/ntp_packet.h"

#define AUTH_MAX_KEY_ID     65535 /* key ids are 1..65535 (0: the crypto-NAK) */
#define AUTH_MAX_SECRET     32    /* octets of a secret; longer hex keys are truncated (ntpd) */
#define AUTH_MAX_ASCII_KEY  20    /* characters: a longer key is hex */
#define AUTH_CMAC_KEY_LEN   16    /* AES-128 */
#define AUTH_MAX_DIGEST_LEN 20    /* octets after the key id */
#define AUTH_MAX_MAC_LEN    (4 + AUTH_MAX_DIGEST_LEN)

enum auth_type {
    AUTH_TYPE_MD5 = 1,
    AUTH_TYPE_SHA1,
    AUTH_TYPE_SHA256,
    AUTH_TYPE_AES128CMAC,
};

struct auth_key {
    uint32_t id; /* 1..AUTH_MAX_KEY_ID */
    enum auth_type type;
    size_t secret_len; /* 1..AUTH_MAX_SECRET octets; AUTH_CMAC_KEY_LEN for AES128CMAC */
    uint8_t secret[AUTH_MAX_SECRET];
};

/* A set of keys, sorted by id, ids unique. Zero-initialised: empty. */
struct auth_keyring {
    struct auth_key *keys;
    size_t n;
};

/* What a check found; the names are for logs and counters. */
enum auth_verdict {
    AUTH_OK,          /* signed with the expected (or a known) key, MAC valid; or unsigned and
                         no key expected (auth_check_reply with key NULL) */
    AUTH_UNSIGNED,    /* no MAC */
    AUTH_CRYPTO_NAK,  /* a crypto-NAK: the peer could not authenticate our packet */
    AUTH_UNKNOWN_KEY, /* signed with a key id that is not the source's (client) or not in the
                         keyring (server) */
    AUTH_BAD_MAC,     /* the MAC has the wrong length or does not match */
    AUTH_UNEXPECTED,  /* a MAC or a crypto-NAK from a source that has no key */
};

/* Parses a key type name: MD5 (or M), SHA1 (SHA-1), SHA256 (SHA-256, SHA2-256), AES128CMAC
 * (AES, AES128, AES-128), case-insensitive. */
bool auth_type_from_name(const char *name, enum auth_type *type);

/* The canonical name of a type ("MD5", "SHA1", "SHA256", "AES128CMAC"). */
const char *auth_type_name(enum auth_type type);

/* Octets of the digest after the key id: 16 or 20. */
size_t auth_digest_len(enum auth_type type);

const char *auth_verdict_name(enum auth_verdict v);

enum auth_line {
    AUTH_LINE_EMPTY, /* blank or comment */
    AUTH_LINE_KEY,   /* *key is filled; msg holds a warning when msg[0] != '\0' */
    AUTH_LINE_ERROR, /* msg holds the error; *key is wiped */
};

/* Parses one line of a keys file (NUL-terminated, without its newline). */
enum auth_line auth_parse_key_line(const char *line, struct auth_key *key, char *msg,
                                   size_t msglen);

/* Adds a copy of key, replacing a key of the same id (as ntpd: the last one wins). Returns 1
 * when it replaced one, 0 when added, -1 when out of memory. Memory that held secrets is
 * wiped before it is freed. */
int auth_keyring_add(struct auth_keyring *r, const struct auth_key *key);

/* The key of that id, or NULL. */
const struct auth_key *auth_keyring_find(const struct auth_keyring *r, uint32_t id);

/* Wipes and frees every key; r is empty afterwards. */
void auth_keyring_clear(struct auth_keyring *r);

/* Appends key's id and MAC over buf[0..len) at buf + len. Returns the new length, len itself
 * when key is NULL (nothing to sign), or 0 when cap < len + the MAC. */
size_t auth_sign(const struct auth_key *key, uint8_t *buf, size_t len, size_t cap);

/*
 * A reply to a request of a source that uses key (NULL: an unauthenticated source). buf[0..len)
 * was decoded into pkt. With a key: AUTH_OK only for a valid MAC of that key; otherwise
 * AUTH_UNSIGNED, AUTH_CRYPTO_NAK, AUTH_UNKNOWN_KEY or AUTH_BAD_MAC. Without a key: AUTH_OK for
 * an unsigned reply, AUTH_UNEXPECTED for a MAC or a crypto-NAK (as chrony: we did not sign).
 */
enum auth_verdict auth_check_reply(const struct auth_key *key, const uint8_t *buf, size_t len,
                                   const struct ntp_packet *pkt);

/*
 * A request to our server, decoded into pkt: AUTH_UNSIGNED (no MAC), AUTH_OK with *key set to
 * the keyring's key that signed it, or AUTH_CRYPTO_NAK, AUTH_UNKNOWN_KEY, AUTH_BAD_MAC.
 */
enum auth_verdict auth_check_request(const struct auth_keyring *r, const uint8_t *buf, size_t len,
                                     const struct ntp_packet *pkt, const struct auth_key **key);

#endif
