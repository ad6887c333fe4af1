// SPDX-License-Identifier: ISC
/* Field checks shared by msg.c and msg_nts.c (not part of the message API). */
#ifndef TSYNC_DAEMON_MSG_INT_H
#define TSYNC_DAEMON_MSG_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A fixed string field: NUL-terminated within its len octets, printable ASCII. */
bool msg_str_ok(const char *s, size_t len);

/* A host name or numeric address: [A-Za-z0-9.:_-%]+, NUL-terminated within len. */
bool msg_host_ok(const char *s, size_t len);

/* The payload checks of the NTS types (MSG_NTS_KEYS, MSG_NTSKE_*): NULL when p is valid, else
 * why not (a constant string). */
const char *msg_nts_payload_problem(uint16_t type, const void *p);

#endif
