// SPDX-License-Identifier: ISC
/*
 * SHA-1 (FIPS 180-4), incremental, for the integrity hash of leap-seconds.list files (their #h
 * line), which is a SHA-1 by that format's definition. A checksum against corruption and
 * truncation, not an authentication: SHA-1 is not collision resistant.
 */
#ifndef TSYNC_DAEMON_SHA1_H
#define TSYNC_DAEMON_SHA1_H

#include <stddef.h>
#include <stdint.h>

#define SHA1_DIGEST_LEN 20

struct sha1 {
    uint32_t h[5];
    uint64_t length;   /* octets hashed so far */
    uint8_t block[64]; /* pending input */
    size_t used;       /* octets in block */
};

void sha1_init(struct sha1 *s);
void sha1_update(struct sha1 *s, const void *data, size_t len);
void sha1_final(struct sha1 *s, uint8_t digest[SHA1_DIGEST_LEN]);

#endif
