// SPDX-License-Identifier: ISC
/*
 * The NTS server's cookie keys (prefix nts_keys_): a ring of NTS_SERVER_KEYS keys of
 * AEAD_AES_SIV_CMAC_256, the newest one current (it encrypts new cookies), the older ones still
 * accepted, so a cookie stays valid for NTS_SERVER_KEYS - 1 to NTS_SERVER_KEYS rotation
 * periods. I/O-free: the parent reads and writes the key file (daemon/parent/parent_nts.c).
 *
 * File format (text; the file must be readable by the daemon only, mode 0600):
 *   tsyncd-nts-keys 1
 *   key ID CREATED KEY      (one line per key, oldest first; the last line is current)
 * ID: 8 hex digits, CREATED: Unix time in seconds (decimal), KEY: 64 hex digits. Lines starting
 * with '#' and blank lines are ignored.
 */
#ifndef TSYNC_NTS_KEYS_H
#define TSYNC_NTS_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NTS_SERVER_KEYS    3
#define NTS_KEYS_ROTATE_S  86400 /* default rotation period (`ntsrotate`), s */
#define NTS_KEYS_FILE_MAX  4096  /* longest key file read, octets */
#define NTS_SERVER_KEY_LEN 32

struct nts_server_key {
    uint32_t id;
    int64_t created; /* Unix time, s */
    uint8_t key[NTS_SERVER_KEY_LEN];
};

struct nts_keyring {
    unsigned n;                                  /* keys in use, 0 .. NTS_SERVER_KEYS */
    struct nts_server_key keys[NTS_SERVER_KEYS]; /* oldest first; keys[n - 1] is current */
};

/* Parse a key file. 0, or -1 with err ("line N: ..."). */
int nts_keys_parse(const char *text, size_t len, struct nts_keyring *out, char *err, size_t errlen);

/* Write kr in the file format into buf. Returns the length, or -1 when cap is too small. */
int nts_keys_format(const struct nts_keyring *kr, char *buf, size_t cap);

/* Make key the current one (id must differ from the ids in the ring); the oldest key is
 * dropped when the ring is full. */
void nts_keys_add(struct nts_keyring *kr, uint32_t id, const uint8_t key[NTS_SERVER_KEY_LEN],
                  int64_t created);

/* Seconds until the current key should be replaced (<= 0: now; also with no key or a key
 * created in the future, which a clock step may cause). */
double nts_keys_rotation_due(const struct nts_keyring *kr, double rotate_s, int64_t now);

/* The key with this id, NULL when none. */
const struct nts_server_key *nts_keys_find(const struct nts_keyring *kr, uint32_t id);

#endif
