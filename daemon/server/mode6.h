// SPDX-License-Identifier: ISC
/*
 * Mode 6, ntpd's control protocol (RFC 9327), read-only (prefix m6_). I/O-free: a request's
 * octets and the parent's snapshot in, response packets out; the network child's server sends
 * them (daemon/server/server_control.c decides who may ask and how often).
 *
 * Answered, with ntpd 4.2's variable names and formats so that ntpq, ntpstat and
 * check_ntp_peer read tsyncd as they read ntpd:
 *   READSTAT (1), association 0: (association ID, peer status word) of every source; another
 *     association: its status word in the header, no data.
 *   READVAR (2), association 0: the system variables; a source's ID: its variables. A request
 *     may name the variables it wants ("stratum,offset,jitter"); an unknown name is an error
 *     (CERR_UNKNOWNVAR), as in ntpd, and ntpq then asks one by one.
 * Refused with an error response, never acted on: every write (WRITEVAR, WRITECLOCK, CONFIGURE,
 * SAVECONFIG, the trap operations) and the MRU and interface lists (READ_MRU, REQ_NONCE,
 * READ_ORDLIST_A) get CERR_PERMISSION, as ntpd answers unauthorised requests; other opcodes
 * (READCLOCK included) CERR_BADOP. Malformed requests (responses, fragments, a data count beyond
 * the packet) are dropped or get CERR_BADFMT. Authentication (a MAC after the data) is ignored:
 * nothing here needs it.
 *
 * Response format as ntpd's: the header's LI is the system leap, the status field the system
 * status word (association 0) or the source's; text is "name=value" items separated by ", "
 * with a CR LF before a line would pass 72 characters and at the end; an item is never split
 * across packets; each packet carries at most 468 data octets, padded to a multiple of 4, the
 * More bit set on all but the last. The variables ntpstat reads (it reads only the first
 * packet) come first. Values: times in ms with 3 decimals (the system offset and jitter with 6),
 * frequencies in ppm, reach in hex, timestamps as NTP "0x%08x.%08x".
 *
 * Amplification: a response never exceeds max_octets (the caller's bound; server_control.c
 * allows loopback clients the full answer of at most M6_MAX_PACKETS packets, others at most
 * M6_REMOTE_FACTOR times their request). A larger answer becomes one 12-octet CERR_PERMISSION.
 */
#ifndef TSYNC_DAEMON_MODE6_H
#define TSYNC_DAEMON_MODE6_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "daemon/common/msg.h"
#include "daemon/common/ntp_packet.h"

#define M6_MAX_PACKETS   4 /* response packets to one request */
#define M6_PACKET_LEN    (NTP_CTL_HEADER_LEN + NTP_CTL_MAX_DATA) /* 480 */
#define M6_REMOTE_FACTOR 4  /* non-loopback clients: response octets <= this x request octets */
#define M6_LINE_MAX      72 /* ntpd's MAXDATALINELEN: text lines break before this */

enum m6_opcode {
    M6_OP_READSTAT = 1,
    M6_OP_READVAR = 2,
    M6_OP_WRITEVAR = 3,
    M6_OP_READCLOCK = 4,
    M6_OP_WRITECLOCK = 5,
    M6_OP_SETTRAP = 6,
    M6_OP_ASYNCMSG = 7,
    M6_OP_CONFIGURE = 8,
    M6_OP_SAVECONFIG = 9,
    M6_OP_READ_MRU = 10,
    M6_OP_READ_ORDLIST_A = 11,
    M6_OP_REQ_NONCE = 12,
    M6_OP_UNSETTRAP = 31,
};

/* Error codes (the high octet of the status field of an error response). */
enum m6_error {
    M6_ERR_UNSPEC = 0,
    M6_ERR_PERMISSION = 1,
    M6_ERR_BADFMT = 2,
    M6_ERR_BADOP = 3,
    M6_ERR_BADASSOC = 4,
    M6_ERR_UNKNOWNVAR = 5,
    M6_ERR_BADVALUE = 6,
};

struct m6_response {
    int n;                      /* packets, 0: nothing to send */
    size_t len[M6_MAX_PACKETS]; /* octets of each, a multiple of 4 */
    uint8_t pkt[M6_MAX_PACKETS][M6_PACKET_LEN];
};

/* What the caller knows besides the snapshot. */
struct m6_context {
    const struct msg_snapshot *snap; /* NULL before the first snapshot: unsynchronised, no
                                        sources */
    struct timespec now;             /* the disciplined clock now (the "clock" variable) */
    int precision_log2;              /* precision the server announces, log2 s */
    size_t max_octets;               /* bound of the whole response (>= NTP_CTL_HEADER_LEN) */
};

/* True when buf looks like a mode 6 request this module should see (mode 6, not a response).
 * Everything else (mode 7 included) is not answered. */
bool m6_is_request(const uint8_t *buf, size_t len);

/* The answer to the request buf[0..len). out->n is 0 when the request is dropped silently
 * (not a valid mode 6 request: version, a response or fragment, too short). */
void m6_answer(const uint8_t *buf, size_t len, const struct m6_context *ctx,
               struct m6_response *out);

/* Octets of the whole response. */
size_t m6_response_octets(const struct m6_response *r);

/* ---- rate limiting (a token bucket; time passed by the caller) ---- */

struct m6_bucket {
    double tokens;     /* responses that may go out now */
    uint64_t last_ns;  /* time of the last update */
    double burst;      /* capacity */
    double rate_per_s; /* refill */
};

void m6_bucket_init(struct m6_bucket *b, double burst, double rate_per_s);
/* Takes one token if there is one: true when the request may be answered. */
bool m6_bucket_take(struct m6_bucket *b, uint64_t now_ns);

#endif
