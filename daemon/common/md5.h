// SPDX-License-Identifier: ISC
/*
 * MD5 (RFC 1321), only for the RFC 5905 reference identifier of IPv6 sources: "the first four
 * octets of the MD5 hash of the IPv6 address", as ntpd and chrony compute it, so loop detection
 * works between tsyncd and them. Not for anything that needs a secure hash.
 */
#ifndef TSYNC_DAEMON_MD5_H
#define TSYNC_DAEMON_MD5_H

#include <stddef.h>
#include <stdint.h>

/* The 16-octet MD5 digest of data[0..len). */
void md5_digest(const uint8_t *data, size_t len, uint8_t digest[16]);

#endif
